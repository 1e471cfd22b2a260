/* ward — cgroup manager internals shared by cgroup.c and its back ends.
 * Not for use outside runtime/src/lib/cgroup*.c (and the unit test). */
#ifndef WARD_CGROUP_INTERNAL_H
#define WARD_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"

struct cgroup_ops;

/* One mounted hierarchy the container is placed in. */
struct cgroup_hier
{
  char *controllers; /* "cpu,cpuacct", "name=systemd"; "" when unified */
  char *mount;       /* where the hierarchy is mounted */
  char *path;        /* the container's directory (absolute) */
  char *created_top; /* topmost directory we created, NULL if none: only
                        directories from `path` up to it are ever removed */
  bool unified;
  const struct cgroup_ops *ops;
};

struct cgroup_mgr
{
  enum cgroup_mode mode;
  bool rootless;
  struct cgroup_hier *hier; /* n_hier == 0: no cgroup (rootless) */
  size_t n_hier;
};

/* What differs between a v1 hierarchy and the unified one. */
struct cgroup_ops
{
  const char *name;
  /* `dir` (on the way down to h->path, or h->path itself) exists now;
   * `created` when we just made it. */
  int (*prepare_dir) (const struct cgroup_mgr *mgr, struct cgroup_hier *h,
                      const char *dir, bool created, struct werr *err);
  int (*apply_resources) (const struct cgroup_mgr *mgr, struct cgroup_hier *h,
                          const struct oci_resources *res, struct werr *err);
  /* Signal every process at once if this hierarchy can (cgroup.kill):
   * 1 done, 0 not possible here, <0 error. */
  int (*kill_all) (const struct cgroup_mgr *mgr, struct cgroup_hier *h,
                   int sig, struct werr *err);
  /* Stop (or resume) the processes so a signal walk cannot race a fork:
   * 1 done, 2 already frozen (paused: leave it so), 0 not possible here,
   * <0 error. */
  int (*freeze) (struct cgroup_hier *h, bool frozen, struct werr *err);
};

extern const struct cgroup_ops cgroup_v1_ops;
extern const struct cgroup_ops cgroup_v2_ops;

/* --systemd-cgroup: fails with a clear message until the D-Bus driver
 * exists (cgroup_systemd.c). */
int cgroup_systemd_create (const struct cgroup_request *req,
                           struct cgroup_mgr **out, struct werr *err);

/* ---- pure helpers (no file system access; unit-tested) ---- */

/* linux.cgroupsPath (or NULL) and the container id → the cleaned inner path:
 * "/a/b" (absolute, under each hierarchy's root) or "a/b" (relative to the
 * runtime's own cgroup).  Rejects "..", which would climb out, an empty
 * result, and the systemd form "slice:prefix:name". */
int cgroup_inner_path (const char *cgroups_path, const char *id,
                       char **out, struct werr *err);
/* The container's directory in one hierarchy mounted at `mountpoint` whose
 * mount root is `mount_root`, given the runtime's own cgroup `own` there
 * (from /proc/self/cgroup).  `own_parent`: relative paths start at the
 * parent of `own` (pure cgroup v2, as runc). */
char *cgroup_hier_dir (const char *mountpoint, const char *mount_root,
                       const char *own, const char *inner, bool own_parent);
/* runc's cpu.shares → cpu.weight conversion. */
uint64_t cgroup_shares_to_weight (uint64_t shares);

/* ---- small file helpers (cgroup.c) ---- */

/* Write `value` to dir/file. */
int cgroup_write (const char *dir, const char *file, const char *value,
                  struct werr *err);
/* Read dir/file, trailing newline stripped; *out malloc'd. */
int cgroup_read (const char *dir, const char *file, char **out,
                 struct werr *err);
bool cgroup_has_file (const char *dir, const char *file);
/* Does the comma list `controllers` name `name`? */
bool cgroup_has_controller (const char *controllers, const char *name);

#endif
