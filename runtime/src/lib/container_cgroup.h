/* ward — the commands that work on a container through its cgroup:
 * update, pause, resume, ps, events.  Each takes the container's lock while
 * it changes something (events reads the state and lets go). */
#ifndef WARD_CONTAINER_CGROUP_H
#define WARD_CONTAINER_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "ward/error.h"
#include "ward/oci_config.h"

/* Apply `res` to a created, running or paused container (0 / absent fields
 * leave a value alone, as runc). */
int container_update (const char *root, const char *id,
                      const struct oci_resources *res, struct werr *err);
/* Freeze a created or running container / thaw a paused one. */
int container_pause (const char *root, const char *id, struct werr *err);
int container_resume (const char *root, const char *id, struct werr *err);
/* The pids in the container's cgroup (and below); *pids malloc'd. */
int container_pids (const char *root, const char *id, pid_t **pids, size_t *n,
                    struct werr *err);

struct events_opts
{
  bool stats;       /* one stats event, then exit */
  long interval_ms; /* between stats events */
};

/* runc's events: {"type":"stats","id":…,"data":{…}} every interval and
 * {"type":"oom","id":…} on each OOM kill, one JSON object per line on
 * stdout, until the container's cgroup is removed. */
int container_events (const char *root, const char *id,
                      const struct events_opts *o, struct werr *err);

#endif
