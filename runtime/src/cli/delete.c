/* ward delete — remove a stopped (or, with --force, any) container. */
#include "cli.h"
#include "container.h"

int
cmd_delete (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  bool help, force = false;
  const struct opt_def defs[] = {
    { "force", 'f', OPT_BOOL, &force, NULL, "kill the container first if it is running" },
    { 0 },
  };
  int first = opts_parse ("delete", defs, argc, argv, &help, err);
  if (first < 0)
    return 1;
  if (help)
    {
      opts_print_help ("ward delete [options] CONTAINER_ID",
                       "Delete a container and everything the runtime made for it.", defs);
      return 0;
    }
  if (args_exact ("delete", argc, argv, first, 1, "container id", err) < 0)
    return 1;
  return container_delete (g->root, argv[first], force, err) < 0 ? 1 : 0;
}
