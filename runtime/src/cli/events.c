/* ward events — the container's resource usage and OOM kills as runc's JSON
 * events, one per line. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "container_cgroup.h"

/* A Go duration ("5s", "500ms", "1m30s", "1.5h") in milliseconds, sub-ms
 * rounded up; -1 if malformed. */
static long
parse_duration_ms (const char *s)
{
  static const struct
  {
    const char *unit;
    double ms;
  } units[] = {
    { "ns", 1e-6 },        { "us", 1e-3 }, { "\xc2\xb5s", 1e-3 },
    { "\xce\xbcs", 1e-3 }, { "ms", 1 },    { "s", 1e3 },
    { "m", 6e4 },          { "h", 3.6e6 },
  };
  if (strcmp (s, "0") == 0)
    return 0;
  double total = 0;
  if (*s == '\0')
    return -1;
  while (*s)
    {
      char *end;
      if (!isdigit ((unsigned char) *s) && *s != '.')
        return -1;
      double v = strtod (s, &end);
      if (end == s)
        return -1;
      size_t i, len = 0;
      for (i = 0; i < sizeof units / sizeof units[0]; i++)
        {
          len = strlen (units[i].unit);
          /* "m" must not take the "m" of "ms". */
          if (strncmp (end, units[i].unit, len) == 0
              && !(len == 1 && end[0] == 'm' && end[1] == 's'))
            break;
        }
      if (i == sizeof units / sizeof units[0])
        return -1;
      total += v * units[i].ms;
      s = end + len;
    }
  if (total > 1e12)
    return -1;
  long ms = (long) total;
  return (double) ms < total ? ms + 1 : ms;
}

int
cmd_events (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  bool stats = false;
  const char *interval = "5s";
  const struct opt_def defs[] = {
    { "interval", 0, OPT_STRING, &interval, "DURATION",
      "time between stats events (default 5s)" },
    { "stats", 0, OPT_BOOL, &stats, NULL,
      "print the container's statistics once and exit" },
    { 0 },
  };
  static const struct cli_usage usage = {
    "events",
    "ward events [options] CONTAINER_ID",
    "Print the container's resource usage every interval and its OOM "
    "kills, as JSON lines, until it is deleted.",
    1,
    "container id",
  };
  int first = cli_begin (&usage, defs, argc, argv, err);
  if (first <= 0)
    return first < 0;
  long ms = parse_duration_ms (interval);
  if (ms < 0)
    return werr_set (err, 0, "events: --interval: invalid duration \"%s\"",
                     interval),
           1;
  if (ms == 0)
    return werr_set (err, 0,
                     "events: --interval: duration must be greater than 0"),
           1;
  struct events_opts o = { .stats = stats, .interval_ms = ms };
  return container_events (g->root, argv[first], &o, err) < 0 ? 1 : 0;
}
