/* ward state — print a container's state as runtime-spec JSON. */
#include "cli.h"
#include "container.h"

int
cmd_state (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  bool help;
  const struct opt_def defs[] = { { 0 } };
  int first = opts_parse ("state", defs, argc, argv, &help, err);
  if (first < 0)
    return 1;
  if (help)
    {
      opts_print_help ("ward state CONTAINER_ID",
                       "Print the state of a container (runtime-spec JSON).", defs);
      return 0;
    }
  if (args_exact ("state", argc, argv, first, 1, "container id", err) < 0)
    return 1;
  return container_print_state (g->root, argv[first], err) < 0 ? 1 : 0;
}
