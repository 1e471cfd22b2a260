/* ward list — the containers under --root. */
#include "cli.h"
#include "container.h"

int
cmd_list (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  bool quiet = false;
  const char *format = "table";
  const struct opt_def defs[] = {
    { "format", 'f', OPT_STRING, &format, "table|json", "output format" },
    { "quiet", 'q', OPT_BOOL, &quiet, NULL, "print only the container ids" },
    { 0 },
  };
  static const struct cli_usage usage = {
    "list", "ward list [options]", "List the containers.", 0, "",
  };
  int first = cli_begin (&usage, defs, argc, argv, err);
  if (first <= 0)
    return first < 0;
  return container_list (g->root, format, quiet, err) < 0 ? 1 : 0;
}
