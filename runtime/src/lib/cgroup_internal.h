/* ward — cgroup manager internals shared by cgroup.c and its back ends.
 * Not for use outside runtime/src/lib/cgroup*.c (and the unit test). */
#ifndef WARD_CGROUP_INTERNAL_H
#define WARD_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"

struct cgroup_ops;
struct cgroup_systemd;
struct dbus_writer;

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
  /* --systemd-cgroup: the unit (cgroup_systemd.c).  Until the init's pid is
   * known the manager is pending: no hierarchies yet, cgroup_enter() starts
   * the unit, then the hierarchies are its cgroup, handled as above. */
  struct cgroup_systemd *systemd;
};

/* The groups of linux.resources, each handled by one controller. */
enum cgroup_res_group
{
  CG_RES_DEVICES,
  CG_RES_MEMORY,
  CG_RES_CPU,
  CG_RES_CPUSET,
  CG_RES_PIDS,
  CG_RES_BLKIO,
  CG_RES_HUGETLB,
  CG_RES_NET_CLS,
  CG_RES_NET_PRIO,
  CG_RES_RDMA,
  CG_RES_UNIFIED,
  CG_RES_COUNT
};

/* What one hierarchy is asked to apply. */
struct cgroup_apply
{
  const struct oci_resources *res; /* NULL: devices only (the defaults) */
  unsigned groups;                 /* 1u << CG_RES_* handled here */
  bool update;                     /* `ward update`: 0 leaves a value alone */
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
                          const struct cgroup_apply *a, struct werr *err);
  /* Signal every process at once if this hierarchy can (cgroup.kill):
   * 1 done, 0 not possible here, <0 error. */
  int (*kill_all) (const struct cgroup_mgr *mgr, struct cgroup_hier *h, int sig,
                   struct werr *err);
  /* Stop (or resume) the processes, waiting up to timeout_ms for the
   * kernel to finish: 1 done, 2 already frozen (paused: leave it so), 0 no
   * freezer here, <0 error (a freeze that did not complete is undone). */
  int (*freeze) (struct cgroup_hier *h, bool frozen, int timeout_ms,
                 struct werr *err);
  /* 1 and *frozen set, or 0 when this hierarchy has no freezer. */
  int (*is_frozen) (struct cgroup_hier *h, bool *frozen, struct werr *err);
};

extern const struct cgroup_ops cgroup_v1_ops;
extern const struct cgroup_ops cgroup_v2_ops;

/* ---- the systemd driver (cgroup_systemd.c) ---- */

/* --systemd-cgroup: check that systemd answers on D-Bus and return a
 * pending manager (nothing is created yet). */
int cgroup_systemd_create (const struct cgroup_request *req,
                           struct cgroup_mgr **out, struct werr *err);
/* Ask systemd to move `pid` into the started unit: for a rootless user,
 * whose process may sit where it cannot write (its session's scope). */
int cgroup_systemd_attach (struct cgroup_mgr *mgr, pid_t pid, struct werr *err);
/* Whether the unit still has to be started (by cgroup_enter). */
bool cgroup_systemd_pending (const struct cgroup_mgr *mgr);
/* Start the unit with `pid` in it, wait for systemd, then take its cgroup
 * as the manager's hierarchies and apply what systemd did not. */
int cgroup_systemd_start (struct cgroup_mgr *mgr, pid_t pid, struct werr *err);
/* `ward update`: tell systemd what it can express; *rest is `res` without
 * that, for the file system back ends. */
int cgroup_systemd_update (struct cgroup_mgr *mgr,
                           const struct oci_resources *res,
                           struct oci_resources *rest, struct werr *err);
/* Stop the unit (gone already is fine). */
int cgroup_systemd_stop (struct cgroup_mgr *mgr, struct werr *err);
void cgroup_systemd_save (const struct cgroup_mgr *mgr, struct jw *w);
int cgroup_systemd_load (const struct jnode *n, struct cgroup_mgr *mgr,
                         struct werr *err);
void cgroup_systemd_free (struct cgroup_systemd *sd);
/* The file system half (cgroup.c): hierarchies for the absolute inner path
 * `inner` (directories that exist are used, missing ones created). */
int cgroup_fs_setup (struct cgroup_mgr *mgr, const char *inner,
                     struct werr *err);

/* Pure helpers of the systemd driver (unit-tested). */
/* cgroupsPath "slice:prefix:name" (NULL or "": the default slice,
 * "ward-<id>.scope") -> the parent slice and the unit name. */
int cgroup_systemd_parse_path (const char *cgroups_path, const char *id,
                               bool rootless, char **slice, char **unit,
                               struct werr *err);
/* "a-b.slice" -> "/a.slice/a-b.slice" ("-.slice" -> "/"). */
int cgroup_systemd_expand_slice (const char *slice, char **out,
                                 struct werr *err);
/* "0-3,8" -> systemd's CPU / NUMA node bitmask (byte i bit j = 8i+j). */
int cgroup_systemd_cpu_mask (const char *list, uint8_t **mask, size_t *n,
                             struct werr *err);
/* Append to the open a(sv) array `w` the properties systemd can apply for
 * `res` on a host in `mode`, for systemd `version` (0: unknown); *rest is
 * `res` without what they cover (a shallow copy). */
int cgroup_systemd_properties (enum cgroup_mode mode, unsigned version,
                               const struct oci_resources *res, bool update,
                               struct dbus_writer *w,
                               struct oci_resources *rest, struct werr *err);

/* ---- pure helpers (no file system access; unit-tested) ---- */

/* linux.cgroupsPath (or NULL) and the container id → the cleaned inner path:
 * "/a/b" (absolute, under each hierarchy's root) or "a/b" (relative to the
 * runtime's own cgroup).  Rejects "..", which would climb out, an empty
 * result, and the systemd form "slice:prefix:name". */
int cgroup_inner_path (const char *cgroups_path, const char *id, char **out,
                       struct werr *err);
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
/* How a back end's freezer is driven. */
struct cgroup_freezer
{
  const char *ctl;           /* the file written ("freezer.state") */
  const char *freeze, *thaw; /* what ctl is given, and says when settled */
  const char *watch;         /* the file polled for the outcome */
  const char *frozen_says, *thawed_says; /* what watch holds once done */
  bool exact;   /* watch holds exactly that (else: contains it) */
  bool rewrite; /* repeat a freeze request every 20 ms */
};
/* Freeze or thaw h->path, whose ctl now reads `cur`, waiting up to
 * timeout_ms: the contract of cgroup_ops.freeze (never 0). */
int cgroup_freezer_set (const struct cgroup_hier *h,
                        const struct cgroup_freezer *f, const char *cur,
                        bool frozen, int timeout_ms, struct werr *err);
/* 1 and *frozen from what ctl says. */
int cgroup_freezer_get (const struct cgroup_hier *h,
                        const struct cgroup_freezer *f, bool *frozen,
                        struct werr *err);
/* checkBeforeUpdate: refuse a memory limit below what the container uses
 * now, as dir/usage_file says. */
int cgroup_check_memory_usage (const char *dir, const char *usage_file,
                               const struct oci_resources *res,
                               struct werr *err);
/* Does the comma list `controllers` name `name`? */
bool cgroup_has_controller (const char *controllers, const char *name);
/* Write for linux.resources.<field>: the error names the field, and for a
 * file the kernel does not offer, why ("memory.memsw.limit_in_bytes not
 * available (swap accounting off)"). */
int cgroup_res_write (const char *dir, const char *file, const char *value,
                      const char *field, struct werr *err);
int cgroup_res_write_i64 (const char *dir, const char *file, int64_t v,
                          const char *field, struct werr *err);
/* The controller of a group on v1 / on cgroup2 (NULL: none there). */
const char *cgroup_group_controller (enum cgroup_res_group g, bool unified);
/* Enable `ctrl` in cgroup.subtree_control from the mount down to the
 * parent of h->path (hybrid hosts: a controller only cgroup2 has). */
int cgroup_v2_enable (const struct cgroup_hier *h, const char *ctrl,
                      struct werr *err);

/* ---- the device policy (cgroup_devices.c) ---- */

struct cgroup_dev_exception
{
  char type;            /* 'b' or 'c' */
  int64_t major, minor; /* -1: any */
  unsigned access;      /* BPF_DEVCG_ACC_* bits */
};

/* The rules folded as the v1 devices controller folds them. */
struct cgroup_dev_policy
{
  bool default_allow;
  struct cgroup_dev_exception *v;
  size_t n, cap;
};

/* runc's default rules, appended after the spec's. */
const struct oci_device_cgroup *cgroup_default_device_rules (size_t *n);
/* "c 1:3 rwm"; checks type, access and range. */
int cgroup_dev_rule_string (const struct oci_device_cgroup *d, char *buf,
                            size_t len, struct werr *err);
/* The spec's rules, then the defaults. */
int cgroup_dev_policy_build (const struct oci_device_cgroup *rules, size_t n,
                             struct cgroup_dev_policy *out, struct werr *err);
void cgroup_dev_policy_free (struct cgroup_dev_policy *p);
/* type 'b'/'c', access BPF_DEVCG_ACC_* bits: the kernel's decision. */
bool cgroup_dev_policy_allows (const struct cgroup_dev_policy *p, char type,
                               uint32_t major, uint32_t minor, unsigned access);
/* The BPF_PROG_TYPE_CGROUP_DEVICE program for the policy; *n instructions,
 * malloc'd (struct bpf_insn from <linux/bpf.h>). */
struct bpf_insn *cgroup_bpf_dev_assemble (const struct cgroup_dev_policy *p,
                                          size_t *n);
/* Load it and attach it to the cgroup2 directory `dir`, replacing the
 * device programs attached there before. */
int cgroup_bpf_dev_apply (const char *dir, const struct cgroup_dev_policy *p,
                          struct werr *err);

/* ---- cgroup v2 values (cgroup_v2_plan.c; pure, unit-tested) ---- */

/* One file write of a plan; `alt_file` is tried instead when `file` does
 * not exist (io.bfq.weight, else io.weight with runc's conversion). */
struct cg_write
{
  const char *field; /* under linux.resources, for errors */
  const char *ctrl;  /* controller that must be enabled; NULL: none */
  char *file, *value;
  char *alt_file, *alt_value;
  bool optional; /* a missing file is skipped */
};

struct cg_plan
{
  struct cg_write *v;
  size_t n;
};

/* What the cgroup2 files must say for `res`, with runc's v1 -> v2
 * conversions.  `cur_cpu_max`: the current cpu.max ("max 100000"), used by
 * an update that sets only one of quota and period (NULL: defaults). */
int cgroup_v2_plan (const struct oci_resources *res, unsigned groups,
                    bool update, const char *cur_cpu_max, struct cg_plan *out,
                    struct werr *err);
void cgroup_plan_free (struct cg_plan *p);
/* runc's conversions. */
uint64_t cgroup_blkio_weight_to_io_weight (uint64_t weight);
/* OCI memory.swap (memory+swap) -> memory.swap.max; -2 when unset. */
int cgroup_swap_to_v2 (int64_t swap, int64_t limit, int64_t *out,
                       struct werr *err);

#endif
