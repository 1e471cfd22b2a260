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
  const char *cgroups_path; /* linux.cgroupsPath, may be NULL */
  bool systemd;             /* --systemd-cgroup */
  bool rootless;            /* euid != 0 */
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
/* Apply linux.resources (what is supported so far: devices on v1). */
int cgroup_apply_resources (struct cgroup_mgr *mgr,
                            const struct oci_resources *res, struct werr *err);
/* Signal every process in the container's cgroup (kill --all). */
int cgroup_kill_all (struct cgroup_mgr *mgr, int sig, struct werr *err);
/* Pids in the container's cgroup; *pids malloc'd. */
int cgroup_pids (struct cgroup_mgr *mgr, pid_t **pids, size_t *n,
                 struct werr *err);
/* Kill what is left, then remove every directory created (all hierarchies). */
int cgroup_destroy (struct cgroup_mgr *mgr, struct werr *err);
/* Persist in / restore from the container's state file (a JSON value). */
void cgroup_save (const struct cgroup_mgr *mgr, struct jw *w);
int cgroup_load (const struct jnode *n, struct cgroup_mgr **out,
                 struct werr *err);
void cgroup_mgr_free (struct cgroup_mgr *mgr);

#endif
