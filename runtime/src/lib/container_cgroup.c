/* ward — update, pause, resume, ps and events: the container's cgroup
 * (see container_cgroup.h). */
#include "container_cgroup.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "../policy/policy.h"
#include "log.h"
#include "state.h"
#include "utils.h"
#include "ward/cleanup.h"
#include "ward/json.h"

static int
need_cgroup (const struct ward_state *st, const char *verb, struct werr *err)
{
  if (st->cgroup == NULL)
    return werr_set (err, 0,
                     "cannot %s container \"%s\": it has no cgroup "
                     "(rootless without a delegated cgroup)",
                     verb, st->id);
  return 0;
}

int
container_update (const char *root, const char *id,
                  const struct oci_resources *res, struct werr *err)
{
  _cleanup_close_ int dirfd = -1;
  struct ward_state *st = NULL;
  if (state_open_read (root, id, &dirfd, &st, err) < 0)
    return -1;
  int r = -1;
  if (strcmp (state_status (dirfd, st), "stopped") == 0)
    werr_set (err, 0, "cannot update container \"%s\": it is stopped", id);
  else if (need_cgroup (st, "update", err) == 0)
    r = cgroup_update_resources (st->cgroup, res, err) < 0
            ? werr_prefix (err, "update container \"%s\"", id)
            : 0;
  state_free (st);
  return r;
}

static int
set_frozen (const char *root, const char *id, bool frozen, struct werr *err)
{
  _cleanup_close_ int dirfd = -1;
  struct ward_state *st = NULL;
  if (state_open_read (root, id, &dirfd, &st, err) < 0)
    return -1;
  const char *verb = frozen ? "pause" : "resume";
  const char *status = state_status (dirfd, st);
  bool paused = strcmp (status, "paused") == 0;
  int r = -1;
  if (strcmp (status, "stopped") == 0 || paused == frozen)
    werr_set (err, 0, "cannot %s container \"%s\": it is %s", verb, id,
              paused && frozen ? "already paused" : status);
  else if (need_cgroup (st, verb, err) == 0)
    r = cgroup_freeze (st->cgroup, frozen, err) < 0
            ? werr_prefix (err, "%s container \"%s\"", verb, id)
            : 0;
  state_free (st);
  return r;
}

int
container_pause (const char *root, const char *id, struct werr *err)
{
  return set_frozen (root, id, true, err);
}

int
container_resume (const char *root, const char *id, struct werr *err)
{
  return set_frozen (root, id, false, err);
}

int
container_pids (const char *root, const char *id, pid_t **pids, size_t *n,
                struct werr *err)
{
  _cleanup_close_ int dirfd = -1;
  struct ward_state *st = NULL;
  *pids = NULL;
  *n = 0;
  if (state_open_read (root, id, &dirfd, &st, err) < 0)
    return -1;
  int r = cgroup_pids (st->cgroup, pids, n, err);
  state_free (st);
  return r;
}

/* ---- events ---------------------------------------------------------------- */

static int
print_event (struct jw *w)
{
  _cleanup_free_ char *out = NULL;
  size_t len = 0;
  if (jw_finish (w, &out, &len) < 0)
    return -1;
  printf ("%s\n", out);
  fflush (stdout);
  return 0;
}

static int
print_stats (const char *id, struct cgroup_mgr *cg, struct werr *err)
{
  struct jw *w = jw_new (false);
  jw_obj_open (w);
  jw_kstr (w, "type", "stats");
  jw_kstr (w, "id", id);
  jw_key (w, "data");
  if (cgroup_stats_json (cg, w, err) < 0)
    {
      jw_abort (w);
      return -1;
    }
  jw_obj_close (w);
  if (print_event (w) < 0)
    return werr_set (err, EINVAL, "events: encode JSON");
  return 0;
}

static void
print_oom (const char *id)
{
  struct jw *w = jw_new (false);
  jw_obj_open (w);
  jw_kstr (w, "type", "oom");
  jw_kstr (w, "id", id);
  jw_obj_close (w);
  print_event (w);
}

/* Stats every interval, OOM events as they come, until the cgroup is
 * gone (runc stops there too). */
static int
events_loop (const char *id, struct cgroup_mgr *cg, long interval_ms,
             struct audit_follow *af, struct werr *err)
{
  struct cgroup_oom *oom = NULL;
  if (cgroup_oom_watch (cg, &oom, err) < 0)
    return -1;
  long long next = monotonic_ms () + interval_ms;
  int r = 0;
  for (bool gone = false; !gone && r == 0;)
    {
      long long wait = next - monotonic_ms ();
      /* The agent policy's audit stream, when there is one. */
      struct pollfd pfd[2] = {
        { .fd = cgroup_oom_fd (oom), .events = POLLIN },
        { .fd = audit_follow_fd (af), .events = POLLIN },
      };
      int n = poll (pfd, 2, wait > 0 ? (int) wait : 0);
      if (n > 0 && pfd[1].revents)
        audit_follow_print (af);
      if (n < 0 && errno != EINTR)
        r = werr_set (err, errno, "events: poll");
      if (n > 0 && (pfd[0].revents & POLLIN))
        {
          unsigned kills = 0;
          r = cgroup_oom_read (oom, &kills, &gone, err);
          while (kills-- > 0)
            print_oom (id);
        }
      if (r < 0 || gone || monotonic_ms () < next)
        continue;
      next += interval_ms;
      if (!cgroup_alive (cg))
        break;
      struct werr one = { 0 };
      /* A failed sample is reported and the stream goes on (runc). */
      if (print_stats (id, cg, &one) < 0)
        log_error ("%s", one.msg);
    }
  cgroup_oom_free (oom);
  return r;
}

int
container_events (const char *root, const char *id, const struct events_opts *o,
                  struct werr *err)
{
  int dirfd = -1;
  struct ward_state *st = NULL;
  if (state_open_read (root, id, &dirfd, &st, err) < 0)
    return -1;
  bool stopped = strcmp (state_status (dirfd, st), "stopped") == 0;
  /* Only reading from here: other commands may go on meanwhile. */
  close (dirfd);
  int r = -1;
  if (stopped)
    werr_set (err, 0, "container \"%s\" is not running", id);
  else if (need_cgroup (st, "watch", err) < 0)
    ;
  else if (o->stats)
    r = print_stats (id, st->cgroup, err);
  else
    {
      struct audit_follow *af = audit_follow_open (root, id);
      audit_follow_print (af);
      r = events_loop (id, st->cgroup,
                       o->interval_ms > 0 ? o->interval_ms : 5000, af, err);
      audit_follow_free (af);
    }
  state_free (st);
  return r;
}
