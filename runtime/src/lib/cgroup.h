/* ward — cgroup manager: one interface, back ends for v1, v2, hybrid and
 * systemd.  The host's mode is detected at run time. */
#ifndef WARD_CGROUP_H
#define WARD_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "ward/error.h"
#include "ward/json.h"
#include "ward/oci_config.h"

enum cgroup_mode
{
  CGROUP_MODE_UNIFIED, /* pure cgroup v2 */
  CGROUP_MODE_LEGACY,  /* v1 only */
  CGROUP_MODE_HYBRID,  /* v1 controllers + cgroup2 at /sys/fs/cgroup/unified */
};

struct cgroup_request
{
  const char *id;
  const char *cgroups_path;              /* linux.cgroupsPath, may be NULL */
  bool systemd;                          /* --systemd-cgroup */
  bool rootless;                         /* euid != 0 */
  const struct oci_resources *resources; /* may be NULL */
};

struct cgroup_mgr;

int cgroup_detect_mode (enum cgroup_mode *out, struct werr *err);
/* Compute the container's cgroup path(s) and create them.  Rootless without a
 * delegated, writable cgroup: returns 0 with an empty manager (no cgroup), as
 * runc does.  On failure nothing is left behind. */
int cgroup_create (const struct cgroup_request *req, struct cgroup_mgr **out,
                   struct werr *err);
/* Move `pid` into the container's cgroup(s). */
int cgroup_enter (struct cgroup_mgr *mgr, pid_t pid, struct werr *err);
/* Apply linux.resources at create (res may be NULL: the default device
 * rules still apply).  A resource the host cannot apply fails with
 * "config.json: linux.resources.<field>: ...". */
int cgroup_apply_resources (struct cgroup_mgr *mgr,
                            const struct oci_resources *res, struct werr *err);
/* `ward update`: apply what `res` sets; 0 / absent leaves a value as it
 * is, device rules are not touched (runc). */
int cgroup_update_resources (struct cgroup_mgr *mgr,
                             const struct oci_resources *res, struct werr *err);
/* Pause (frozen) or resume every process of the container: the v1 freezer
 * and cgroup.freeze on the unified hierarchy, whichever exist (both on a
 * hybrid host).  A pause that cannot complete is undone. */
int cgroup_freeze (struct cgroup_mgr *mgr, bool frozen, struct werr *err);
/* Whether the container is paused (frozen on any hierarchy). */
int cgroup_is_frozen (struct cgroup_mgr *mgr, bool *frozen, struct werr *err);
/* runc's `events --stats` "data" object (cpu, cpuset, memory, pids, blkio,
 * hugetlb, intel_rdt, network_interfaces), written to `w`. */
int cgroup_stats_json (struct cgroup_mgr *mgr, struct jw *w, struct werr *err);

/* OOM notifications: v1 memory.oom_control through cgroup.event_control and
 * an eventfd, v2 memory.events through inotify.  Poll cgroup_oom_fd() for
 * POLLIN, then cgroup_oom_read(). */
struct cgroup_oom;
/* *out NULL (and 0 returned) when the container has no memory cgroup. */
int cgroup_oom_watch (struct cgroup_mgr *mgr, struct cgroup_oom **out,
                      struct werr *err);
int cgroup_oom_fd (const struct cgroup_oom *w);
/* New OOM kills since the last call (0 if none); *gone when the cgroup
 * has been removed. */
int cgroup_oom_read (struct cgroup_oom *w, unsigned *n, bool *gone,
                     struct werr *err);
void cgroup_oom_free (struct cgroup_oom *w);
/* Signal every process in the container's cgroup (kill --all). */
int cgroup_kill_all (struct cgroup_mgr *mgr, int sig, struct werr *err);
/* Pids in the container's cgroup; *pids malloc'd. */
int cgroup_pids (struct cgroup_mgr *mgr, pid_t **pids, size_t *n,
                 struct werr *err);
/* Whether the container's cgroup still exists (not yet destroyed). */
bool cgroup_alive (const struct cgroup_mgr *mgr);
/* Kill what is left, then remove every directory created (all hierarchies). */
int cgroup_destroy (struct cgroup_mgr *mgr, struct werr *err);
/* Persist in / restore from the container's state file (a JSON value). */
void cgroup_save (const struct cgroup_mgr *mgr, struct jw *w);
int cgroup_load (const struct jnode *n, struct cgroup_mgr **out,
                 struct werr *err);
void cgroup_mgr_free (struct cgroup_mgr *mgr);
/* The cgroup of `pid` as its /proc/PID/cgroup says (paths as the caller's
 * cgroup namespace sees them): the cgroup2 one when `controllers` is NULL,
 * else the v1 hierarchy of exactly those controllers ("name=systemd").
 * NULL with `err` set when unreadable or not listed (errnum 0). */
char *cgroup_pid_path (pid_t pid, const char *controllers, struct werr *err);
/* The container's directory on the cgroup2 (unified) hierarchy, where BPF
 * programs attach; NULL when it has none (cgroup_unified.c). */
const char *cgroup_unified_path (const struct cgroup_mgr *mgr);
/* On a pure cgroup v2 host: an O_DIRECTORY fd of the container's cgroup, for
 * clone3(CLONE_INTO_CGROUP), which starts a process inside it without the
 * cost of a move.  -1 when the container needs other hierarchies too (v1,
 * hybrid) or has no cgroup. */
int cgroup_clone_into_fd (const struct cgroup_mgr *mgr);
/* Whether the cgroup comes into being only with cgroup_enter(): a systemd
 * unit needs the init's pid to exist. */
bool cgroup_pending (const struct cgroup_mgr *mgr);
/* Whether the container's only hierarchy is cgroup v2. */
bool cgroup_clone_into_fd_possible (const struct cgroup_mgr *mgr);

#endif
