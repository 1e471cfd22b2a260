/* ward start — run the process of a created container. */
#include "cli.h"
#include "container.h"

int
cmd_start (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  bool help;
  const struct opt_def defs[] = { { 0 } };
  int first = opts_parse ("start", defs, argc, argv, &help, err);
  if (first < 0)
    return 1;
  if (help)
    {
      opts_print_help ("ward start CONTAINER_ID",
                       "Run the user process of a created container.", defs);
      return 0;
    }
  if (args_exact ("start", argc, argv, first, 1, "container id", err) < 0)
    return 1;
  return container_start (g->root, argv[first], err) < 0 ? 1 : 0;
}
