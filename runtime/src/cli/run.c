/* ward run — create and start a container; without --detach, wait for it
 * and exit with its status. */
#include <unistd.h>

#include "cli.h"
#include "container.h"
#include "create_flags.h"
#include "log.h"

int
cmd_run (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  struct create_flags f = { 0 };
  const struct opt_def extra[] = {
    { "detach", 'd', OPT_BOOL, &f.detach, NULL,
      "do not wait for the container" },
    { "keep", 0, OPT_BOOL, &f.keep, NULL,
      "keep the container's state after it exits" },
    { "no-subreaper", 0, OPT_BOOL, &f.no_subreaper, NULL,
      "accepted for runc compatibility" },
    { 0 },
  };
  struct opt_def defs[CREATE_FLAG_DEFS_MAX];
  create_flags_defs (&f, defs, extra);
  static const struct cli_usage usage = {
    "run",
    "ward run [options] CONTAINER_ID",
    "Create and start a container; without --detach, wait for it "
    "and exit with its status.",
    1,
    "container id",
  };
  int first = cli_begin (&usage, defs, argc, argv, err);
  if (first <= 0)
    return first < 0;
  if (f.detach && f.keep)
    return werr_set (err, 0, "run: --keep cannot be used with --detach"), 1;
  const char *id = argv[first];
  struct create_opts o;
  create_flags_to_opts (g, &f, id, &o);
  o.foreground = !f.detach;
  struct created c;
  if (container_create (&o, &c, err) < 0)
    return 1;
  struct werr ignored;
  if (container_start (g->root, id, err) < 0)
    {
      container_delete (g->root, id, true, &ignored);
      return 1;
    }
  if (f.detach)
    return 0;
  int status = 1;
  struct werr later = { 0 };
  if (container_wait (c.pid, c.console_master, &status, &later) < 0)
    log_error ("%s", later.msg);
  if (!f.keep && container_delete (g->root, id, true, &later) < 0)
    log_error ("%s", later.msg);
  return status;
}
