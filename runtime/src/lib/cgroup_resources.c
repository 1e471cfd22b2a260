/* ward — linux.resources: which hierarchy applies which group, and the
 * errors that name the field a host cannot apply.
 *
 *   legacy   every group on the v1 controller of its name (cpu and cpuset
 *            are separate groups); `unified` is refused.
 *   hybrid   as legacy; a controller that only cgroup2 has (hugetlb on this
 *            machine) goes to the unified side, as do `unified` keys; the
 *            device rules go to the v1 devices controller, or, without one,
 *            to the BPF program on the unified cgroup (see below).
 *   unified  everything on cgroup2, converted (cgroup_v2_plan.c); the device
 *            rules as a BPF program.
 *
 * Device rules on a hybrid host: the kernel consults both layers (the
 * cgroup2 programs, then the v1 controller), and every process ward puts
 * in a container joins all hierarchies, so the v1 devices controller alone
 * enforces the whole policy.  A second copy as a BPF program would only
 * matter for a process someone moves into the container's cgroup2
 * directory alone, and costs a program load (verifier included) on every
 * create: measured here 0.37 ms per load, `ward run` of /bin/true 5.9 ->
 * 6.2 ms task-clock.  So the program is attached on hybrid hosts only when
 * the v1 devices controller is missing, and always on pure cgroup2. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "utils.h"
#include "ward/cleanup.h"

/* Why the kernel may not offer a resource file. */
static const char *
missing_reason (const char *file)
{
  static const struct
  {
    const char *prefix, *why;
  } reasons[] = {
    { "memory.memsw.", "swap accounting off" },
    { "memory.swap.", "swap accounting off" },
    { "memory.kmem.tcp.", "no kernel TCP memory accounting" },
    { "blkio.leaf_weight", "no CFQ I/O scheduler in this kernel" },
    { "blkio.weight", "neither BFQ nor CFQ is the I/O scheduler" },
    { "blkio.bfq.", "BFQ is not the I/O scheduler" },
    { "io.bfq.", "BFQ is not the I/O scheduler" },
    { "io.weight", "no I/O weight support in this kernel" },
    { "cpu.rt_", "kernel without CONFIG_RT_GROUP_SCHED" },
    { "cpu.cfs_burst_us", "kernel older than 5.14" },
    { "cpu.max.burst", "kernel older than 5.14" },
    { "cpu.cfs_", "kernel without CONFIG_CFS_BANDWIDTH" },
    { "cpu.idle", "kernel older than 5.15" },
    { "hugetlb.", "no huge pages of that size on this host" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (reasons); i++)
    if (strncmp (file, reasons[i].prefix, strlen (reasons[i].prefix)) == 0)
      return reasons[i].why;
  return "not supported by this kernel";
}

int
cgroup_res_write (const char *dir, const char *file, const char *value,
                  const char *field, struct werr *err)
{
  _cleanup_free_ char *p = xasprintf ("%s/%s", dir, file);
  if (write_file (p, value, strlen (value), err) == 0)
    return 0;
  if (err->errnum == ENOENT && access (dir, F_OK) == 0)
    return werr_set (err, 0, "linux.resources.%s: %s not available (%s)", field,
                     file, missing_reason (file));
  return werr_set (err, err->errnum, "linux.resources.%s: write `%s` to `%s`",
                   field, value, p);
}

int
cgroup_res_write_i64 (const char *dir, const char *file, int64_t v,
                      const char *field, struct werr *err)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%" PRId64, v);
  return cgroup_res_write (dir, file, buf, field, err);
}

/* ---- groups ------------------------------------------------------------- */

const char *
cgroup_group_controller (enum cgroup_res_group g, bool unified)
{
  static const char *const v1[CG_RES_COUNT] = {
    [CG_RES_DEVICES] = "devices",   [CG_RES_MEMORY] = "memory",
    [CG_RES_CPU] = "cpu",           [CG_RES_CPUSET] = "cpuset",
    [CG_RES_PIDS] = "pids",         [CG_RES_BLKIO] = "blkio",
    [CG_RES_HUGETLB] = "hugetlb",   [CG_RES_NET_CLS] = "net_cls",
    [CG_RES_NET_PRIO] = "net_prio", [CG_RES_RDMA] = "rdma",
  };
  static const char *const v2[CG_RES_COUNT] = {
    [CG_RES_MEMORY] = "memory", [CG_RES_CPU] = "cpu",
    [CG_RES_CPUSET] = "cpuset", [CG_RES_PIDS] = "pids",
    [CG_RES_BLKIO] = "io",      [CG_RES_HUGETLB] = "hugetlb",
    [CG_RES_RDMA] = "rdma",
  };
  return unified ? v2[g] : v1[g];
}

/* The first field of group `g` that asks for something, and its v1 file:
 * what an error about the group names. */
static void
group_field (const struct oci_resources *r, enum cgroup_res_group g,
             const char **field, const char **file)
{
  const typeof (r->memory) *m = &r->memory;
  const typeof (r->cpu) *c = &r->cpu;
#define PICK(cond, fl, fi)                                                     \
  if (cond)                                                                    \
    {                                                                          \
      *field = fl;                                                             \
      *file = fi;                                                              \
      return;                                                                  \
    }
  switch (g)
    {
    case CG_RES_MEMORY:
      PICK (m->has_limit && m->limit, "memory.limit", "memory.limit_in_bytes");
      PICK (m->has_swap && m->swap, "memory.swap",
            "memory.memsw.limit_in_bytes");
      PICK (m->has_reservation && m->reservation, "memory.reservation",
            "memory.soft_limit_in_bytes");
      PICK (m->has_kernel_tcp && m->kernel_tcp, "memory.kernelTCP",
            "memory.kmem.tcp.limit_in_bytes");
      PICK (m->has_swappiness, "memory.swappiness", "memory.swappiness");
      PICK (m->has_disable_oom_killer, "memory.disableOOMKiller",
            "memory.oom_control");
      PICK (true, "memory", "memory.*");
    case CG_RES_CPU:
      PICK (c->has_shares && c->shares, "cpu.shares", "cpu.shares");
      PICK (c->has_quota && c->quota, "cpu.quota", "cpu.cfs_quota_us");
      PICK (c->has_period && c->period, "cpu.period", "cpu.cfs_period_us");
      PICK (c->has_burst, "cpu.burst", "cpu.cfs_burst_us");
      PICK (c->has_idle, "cpu.idle", "cpu.idle");
      PICK (true, "cpu.realtimeRuntime", "cpu.rt_runtime_us");
    case CG_RES_CPUSET:
      PICK (c->cpus && *c->cpus, "cpu.cpus", "cpuset.cpus");
      PICK (true, "cpu.mems", "cpuset.mems");
    case CG_RES_PIDS:
      PICK (true, "pids.limit", "pids.max");
    case CG_RES_BLKIO:
      PICK (true, "blockIO", "blkio.*");
    case CG_RES_HUGETLB:
      PICK (true, "hugepageLimits", "hugetlb.*");
    case CG_RES_NET_CLS:
      PICK (true, "network.classID", "net_cls.classid");
    case CG_RES_NET_PRIO:
      PICK (true, "network.priorities", "net_prio.ifpriomap");
    case CG_RES_RDMA:
      PICK (true, "rdma", "rdma.max");
    case CG_RES_UNIFIED:
      PICK (true, "unified", "cgroup2 files");
    default:
      PICK (true, "devices", "devices.allow");
    }
#undef PICK
}

static bool
memory_wanted (const struct oci_resources *r, bool update)
{
  const typeof (r->memory) *m = &r->memory;
  return r->has_memory
         && ((m->has_limit && m->limit) || (m->has_swap && m->swap)
             || (m->has_reservation && m->reservation)
             || (m->has_kernel && m->kernel)
             || (m->has_kernel_tcp && m->kernel_tcp)
             || (m->has_swappiness && m->swappiness != UINT64_MAX)
             || (m->has_disable_oom_killer && (m->disable_oom_killer || update))
             || m->has_use_hierarchy);
}

static bool
cpu_wanted (const struct oci_resources *r)
{
  const typeof (r->cpu) *c = &r->cpu;
  return r->has_cpu
         && ((c->has_shares && c->shares) || (c->has_quota && c->quota)
             || (c->has_period && c->period) || c->has_burst || c->has_idle
             || (c->has_realtime_runtime && c->realtime_runtime)
             || (c->has_realtime_period && c->realtime_period));
}

static bool
blkio_wanted (const struct oci_resources *r)
{
  const typeof (r->block_io) *b = &r->block_io;
  return r->has_block_io
         && ((b->has_weight && b->weight)
             || (b->has_leaf_weight && b->leaf_weight) || b->n_weight_device
             || b->n_throttle_read_bps || b->n_throttle_write_bps
             || b->n_throttle_read_iops || b->n_throttle_write_iops);
}

/* The groups `r` asks for; a create always applies the device rules (the
 * defaults at least), an update leaves them as they are (runc). */
static unsigned
wanted_groups (const struct oci_resources *r, bool update)
{
  unsigned g = update ? 0 : 1u << CG_RES_DEVICES;
  if (r == NULL)
    return g;
  if (memory_wanted (r, update))
    g |= 1u << CG_RES_MEMORY;
  if (cpu_wanted (r))
    g |= 1u << CG_RES_CPU;
  if (r->has_cpu
      && ((r->cpu.cpus && *r->cpu.cpus) || (r->cpu.mems && *r->cpu.mems)))
    g |= 1u << CG_RES_CPUSET;
  if (r->has_pids && !(update && r->pids_limit == 0))
    g |= 1u << CG_RES_PIDS;
  if (blkio_wanted (r))
    g |= 1u << CG_RES_BLKIO;
  if (r->n_hugepage_limits)
    g |= 1u << CG_RES_HUGETLB;
  if (r->has_network && r->network.has_class_id && r->network.class_id)
    g |= 1u << CG_RES_NET_CLS;
  if (r->network.priorities.n)
    g |= 1u << CG_RES_NET_PRIO;
  if (r->rdma.n)
    g |= 1u << CG_RES_RDMA;
  if (r->unified.n)
    g |= 1u << CG_RES_UNIFIED;
  return g;
}

static int
missing_group (const struct cgroup_mgr *mgr, const struct oci_resources *r,
               enum cgroup_res_group g, struct werr *err)
{
  const char *field = "devices", *file = "devices.allow";
  if (r)
    group_field (r, g, &field, &file);
  if (g == CG_RES_UNIFIED)
    return werr_set (err, 0,
                     "linux.resources.unified: needs cgroup v2 (this "
                     "host has only cgroup v1)");
  if (g == CG_RES_DEVICES)
    return werr_set (err, 0,
                     "linux.resources.devices: no devices controller "
                     "and no cgroup2 hierarchy to enforce the device "
                     "rules");
  if (mgr->mode == CGROUP_MODE_UNIFIED)
    return werr_set (err, 0, "linux.resources.%s: not supported on cgroup v2",
                     field);
  return werr_set (err, 0,
                   "linux.resources.%s: %s not available (the %s "
                   "controller is not mounted)",
                   field, file, cgroup_group_controller (g, false));
}

/* ---- dispatch ------------------------------------------------------------ */

static struct cgroup_hier *
unified_hier (struct cgroup_mgr *mgr)
{
  for (size_t i = 0; i < mgr->n_hier; i++)
    if (mgr->hier[i].unified)
      return &mgr->hier[i];
  return NULL;
}

/* Hybrid: does the cgroup2 side have the controller (in its root)? */
static bool
v2_root_has (const struct cgroup_hier *u, const char *ctrl)
{
  _cleanup_free_ char *avail = NULL;
  struct werr ignored = { 0 };
  if (ctrl == NULL
      || cgroup_read (u->mount, "cgroup.controllers", &avail, &ignored) < 0)
    return false;
  for (char *save = NULL, *c = strtok_r (avail, " ", &save); c;
       c = strtok_r (NULL, " ", &save))
    if (strcmp (c, ctrl) == 0)
      return true;
  return false;
}

/* Mark in per[i] the groups hierarchy i applies; error for a group that no
 * hierarchy can take. */
static int
place_group (struct cgroup_mgr *mgr, const struct oci_resources *r,
             enum cgroup_res_group g, unsigned *per, struct werr *err)
{
  unsigned bit = 1u << g;
  struct cgroup_hier *u = unified_hier (mgr);
  size_t ui = u ? (size_t) (u - mgr->hier) : 0;
  bool placed = false;
  if (mgr->mode == CGROUP_MODE_UNIFIED)
    {
      if (u
          && (g == CG_RES_DEVICES || g == CG_RES_UNIFIED
              || cgroup_group_controller (g, true)))
        per[ui] |= bit, placed = true;
      return placed ? 0 : missing_group (mgr, r, g, err);
    }
  const char *v1 = cgroup_group_controller (g, false);
  for (size_t i = 0; v1 && i < mgr->n_hier && !placed; i++)
    if (!mgr->hier[i].unified
        && cgroup_has_controller (mgr->hier[i].controllers, v1))
      per[i] |= bit, placed = true;
  /* Hybrid: the program only where no v1 devices controller enforces the
   * rules (see the top of this file). */
  if (u && g == CG_RES_DEVICES && !mgr->rootless && !placed)
    per[ui] |= bit, placed = true;
  if (u && !placed
      && (g == CG_RES_UNIFIED
          || v2_root_has (u, cgroup_group_controller (g, true))))
    per[ui] |= bit, placed = true;
  if (!placed && g == CG_RES_DEVICES && mgr->rootless)
    return 0;
  return placed ? 0 : missing_group (mgr, r, g, err);
}

static int
dispatch (struct cgroup_mgr *mgr, const struct oci_resources *res, bool update,
          struct werr *err)
{
  if (mgr == NULL || mgr->n_hier == 0)
    return 0;
  unsigned want = wanted_groups (res, update);
  _cleanup_free_ unsigned *per = xmalloc0 (mgr->n_hier * sizeof *per);
  for (int g = 0; g < CG_RES_COUNT; g++)
    if ((want & (1u << g))
        && place_group (mgr, res, (enum cgroup_res_group) g, per, err) < 0)
      return -1;
  for (size_t i = 0; i < mgr->n_hier; i++)
    {
      struct cgroup_hier *h = &mgr->hier[i];
      struct cgroup_apply a
          = { .res = res, .groups = per[i], .update = update };
      if (per[i] && h->ops->apply_resources
          && h->ops->apply_resources (mgr, h, &a, err) < 0)
        return -1;
    }
  return 0;
}

int
cgroup_apply_resources (struct cgroup_mgr *mgr, const struct oci_resources *res,
                        struct werr *err)
{
  return dispatch (mgr, res, false, err) < 0 ? werr_prefix (err, "config.json")
                                             : 0;
}

int
cgroup_update_resources (struct cgroup_mgr *mgr,
                         const struct oci_resources *res, struct werr *err)
{
  if (mgr == NULL || mgr->n_hier == 0)
    return werr_set (err, 0,
                     "the container has no cgroup (rootless without "
                     "a delegated cgroup)");
  /* --systemd-cgroup: systemd takes what it can express, the files the
   * rest. */
  struct oci_resources rest;
  if (mgr->systemd && res && cgroup_systemd_update (mgr, res, &rest, err) < 0)
    return -1;
  return dispatch (mgr, mgr->systemd && res ? &rest : res, true, err);
}
