/* ward create — set up a container and leave its init waiting for start. */
#include "cli.h"
#include "container.h"
#include "create_flags.h"

int
cmd_create (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  struct create_flags f = { 0 };
  struct opt_def defs[CREATE_FLAG_DEFS_MAX];
  create_flags_defs (&f, defs, NULL);
  static const struct cli_usage usage = {
    "create",
    "ward create [options] CONTAINER_ID",
    "Create a container from a bundle; `ward start` runs its process.",
    1,
    "container id",
  };
  int first = cli_begin (&usage, defs, argc, argv, err);
  if (first <= 0)
    return first < 0;
  struct create_opts o;
  create_flags_to_opts (g, &f, argv[first], &o);
  struct created c;
  return container_create (&o, &c, err) < 0 ? 1 : 0;
}
