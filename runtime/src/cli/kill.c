/* ward kill — send a signal to a container's init (or all its processes). */
#include <signal.h>

#include "cli.h"
#include "container.h"
#include "signals.h"

int
cmd_kill (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  bool all = false;
  const struct opt_def defs[] = {
    { "all", 'a', OPT_BOOL, &all, NULL,
      "signal every process of the container (its cgroup)" },
    { 0 },
  };
  static const struct cli_usage usage = {
    "kill",
    "ward kill [options] CONTAINER_ID [SIGNAL]",
    "Send SIGNAL (default SIGTERM; a name with or without SIG, "
    "or a number) to the container.",
    -1,
    NULL,
  };
  int first = cli_begin (&usage, defs, argc, argv, err);
  if (first <= 0)
    return first < 0;
  int nargs = argc - first;
  if (nargs < 1)
    return werr_set (err, 0, "kill: missing container id"), 1;
  if (nargs > 2)
    return werr_set (err, 0, "kill: unexpected argument \"%s\"",
                     argv[first + 2]),
           1;
  int sig = SIGTERM;
  if (nargs == 2 && (sig = signal_parse (argv[first + 1])) < 0)
    return werr_set (err, 0, "kill: unknown signal \"%s\"", argv[first + 1]), 1;
  return container_kill (g->root, argv[first], sig, all, err) < 0 ? 1 : 0;
}
