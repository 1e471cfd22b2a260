/* ward resume — thaw a paused container. */
#include "cli.h"
#include "container_cgroup.h"

int
cmd_resume (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  const struct opt_def defs[] = { { 0 } };
  static const struct cli_usage usage = {
    "resume",
    "ward resume CONTAINER_ID",
    "Resume every process of a paused container.",
    1,
    "container id",
  };
  int first = cli_begin (&usage, defs, argc, argv, err);
  if (first <= 0)
    return first < 0;
  return container_resume (g->root, argv[first], err) < 0 ? 1 : 0;
}
