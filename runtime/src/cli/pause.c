/* ward pause — freeze every process of a container (its cgroup). */
#include "cli.h"
#include "container_cgroup.h"

int
cmd_pause (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  const struct opt_def defs[] = { { 0 } };
  static const struct cli_usage usage = {
    "pause",
    "ward pause CONTAINER_ID",
    "Suspend every process of the container (the cgroup freezer); "
    "`ward resume` continues them.",
    1,
    "container id",
  };
  int first = cli_begin (&usage, defs, argc, argv, err);
  if (first <= 0)
    return first < 0;
  return container_pause (g->root, argv[first], err) < 0 ? 1 : 0;
}
