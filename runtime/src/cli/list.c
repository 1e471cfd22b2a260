/* ward list — the containers under --root. */
#include "cli.h"
#include "container.h"

int
cmd_list (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  bool help, quiet = false;
  const char *format = "table";
  const struct opt_def defs[] = {
    { "format", 'f', OPT_STRING, &format, "table|json", "output format" },
    { "quiet", 'q', OPT_BOOL, &quiet, NULL, "print only the container ids" },
    { 0 },
  };
  int first = opts_parse ("list", defs, argc, argv, &help, err);
  if (first < 0)
    return 1;
  if (help)
    {
      opts_print_help ("ward list [options]", "List the containers.", defs);
      return 0;
    }
  if (args_exact ("list", argc, argv, first, 0, "", err) < 0)
    return 1;
  return container_list (g->root, format, quiet, err) < 0 ? 1 : 0;
}
