/* ward start — run the process of a created container. */
#include "cli.h"
#include "container.h"

int
cmd_start (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  const struct opt_def defs[] = { { 0 } };
  static const struct cli_usage usage = {
    "start", "ward start CONTAINER_ID",
    "Run the user process of a created container.",
    1, "container id",
  };
  int first = cli_begin (&usage, defs, argc, argv, err);
  if (first <= 0)
    return first < 0;
  return container_start (g->root, argv[first], err) < 0 ? 1 : 0;
}
