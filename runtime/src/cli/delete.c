/* ward delete — remove a stopped (or, with --force, any) container. */
#include "cli.h"
#include "container.h"

int
cmd_delete (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  bool force = false;
  const struct opt_def defs[] = {
    { "force", 'f', OPT_BOOL, &force, NULL,
      "kill the container first if it is running" },
    { 0 },
  };
  static const struct cli_usage usage = {
    "delete",
    "ward delete [options] CONTAINER_ID",
    "Delete a container and everything the runtime made for it.",
    1,
    "container id",
  };
  int first = cli_begin (&usage, defs, argc, argv, err);
  if (first <= 0)
    return first < 0;
  return container_delete (g->root, argv[first], force, err) < 0 ? 1 : 0;
}
