/* ward state — print a container's state as runtime-spec JSON. */
#include "cli.h"
#include "container.h"

int
cmd_state (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  const struct opt_def defs[] = { { 0 } };
  static const struct cli_usage usage = {
    "state", "ward state CONTAINER_ID",
    "Print the state of a container (runtime-spec JSON).",
    1, "container id",
  };
  int first = cli_begin (&usage, defs, argc, argv, err);
  if (first <= 0)
    return first < 0;
  return container_print_state (g->root, argv[first], err) < 0 ? 1 : 0;
}
