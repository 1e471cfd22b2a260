/* ward — cgroup v1 hierarchies (legacy hosts and the v1 side of hybrid ones):
 * cpuset inheritance, the devices controller, every linux.resources group
 * a v1 controller has (memory, cpu, cpuset, pids, blkio, hugetlb, net_cls,
 * net_prio, rdma), the freezer. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_internal.h"
#include "log.h"
#include "utils.h"
#include "ward/cleanup.h"

/* A new cpuset cgroup starts with empty cpus and mems, and no task can join
 * it until they are set: copy them from the parent when empty (runc). */
static int
v1_prepare_dir (const struct cgroup_mgr *mgr, struct cgroup_hier *h,
                const char *dir, bool created, struct werr *err)
{
  static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
  if (!cgroup_has_controller (h->controllers, "cpuset"))
    return 0;
  _cleanup_free_ char *parent = xstrdup (dir);
  *strrchr (parent, '/') = '\0';
  for (size_t i = 0; i < ARRAY_SIZE (files); i++)
    {
      _cleanup_free_ char *cur = NULL, *from = NULL;
      if (cgroup_read (dir, files[i], &cur, err) < 0)
        return -1;
      if (*cur)
        continue;
      if (cgroup_read (parent, files[i], &from, err) < 0
          || cgroup_write (dir, files[i], from, err) < 0)
        return -1;
    }
  return 0;
}

/* ---- devices ------------------------------------------------------------ */

static int
write_rule (const char *dir, const struct oci_device_cgroup *d,
            struct werr *err)
{
  char rule[80];
  if (cgroup_dev_rule_string (d, rule, sizeof rule, err) < 0)
    return -1;
  return cgroup_write (dir, d->allow ? "devices.allow" : "devices.deny", rule,
                       err);
}

/* Deny everything, then the spec's rules in order, then runc's defaults.
 * Security: this is what keeps the container from opening host block
 * devices, so every write must succeed. */
static int
v1_apply_devices (const char *dir, const struct oci_resources *res,
                  struct werr *err)
{
  size_t n_def;
  const struct oci_device_cgroup *def = cgroup_default_device_rules (&n_def);
  if (cgroup_write (dir, "devices.deny", "a", err) < 0)
    return werr_prefix (err, "linux.resources.devices");
  for (size_t i = 0; res && i < res->n_devices; i++)
    if (write_rule (dir, &res->devices[i], err) < 0)
      return werr_prefix (err, "linux.resources.devices[%zu]", i);
  for (size_t i = 0; i < n_def; i++)
    if (write_rule (dir, &def[i], err) < 0)
      return werr_prefix (err, "linux.resources.devices (default rule)");
  return 0;
}

/* ---- memory ----------------------------------------------------------------- */

#define MEMSW "memory.memsw.limit_in_bytes"

static int
write_swap (const char *dir, int64_t swap, struct werr *err)
{
  /* Unlimited swap where swap is not accounted: nothing to limit. */
  if (swap == -1 && !cgroup_has_file (dir, MEMSW))
    return 0;
  return cgroup_res_write_i64 (dir, MEMSW, swap, "memory.swap", err);
}

/* memory.memsw (memory+swap) may never be below memory.limit: write the one
 * that must grow first, as runc does. */
static int
v1_memory_limits (const char *dir, const struct oci_resources *res,
                  struct werr *err)
{
  int64_t limit = res->memory.has_limit ? res->memory.limit : 0;
  int64_t swap = res->memory.has_swap ? res->memory.swap : 0;
  if (limit == -1 && swap == 0 && cgroup_has_file (dir, MEMSW))
    swap = -1;
  bool swap_first = false;
  if (limit != 0 && swap != 0)
    {
      _cleanup_free_ char *cur = NULL;
      if (cgroup_read (dir, "memory.limit_in_bytes", &cur, err) < 0)
        return werr_prefix (err, "linux.resources.memory.limit");
      swap_first = swap == -1 || strtoll (cur, NULL, 10) < swap;
    }
  if (swap != 0 && swap_first && write_swap (dir, swap, err) < 0)
    return -1;
  if (limit != 0
      && cgroup_res_write_i64 (dir, "memory.limit_in_bytes", limit,
                               "memory.limit", err)
             < 0)
    return -1;
  if (swap != 0 && !swap_first && write_swap (dir, swap, err) < 0)
    return -1;
  return 0;
}

/* Kernel memory limits are accepted and ignored since Linux 5.16 (and the
 * file is gone on v2): runc ignores the field with a warning; so do we,
 * after trying, so a kernel that still honours it gets the limit. */
static void
v1_kernel_memory (const char *dir, int64_t v)
{
  const char *file = "memory.kmem.limit_in_bytes";
  struct werr err = { 0 };
  _cleanup_free_ char *back = NULL;
  if (cgroup_has_file (dir, file)
      && cgroup_res_write_i64 (dir, file, v, "memory.kernel", &err) == 0
      && cgroup_read (dir, file, &back, &err) == 0
      && (v < 0 || strtoll (back, NULL, 10) == v))
    return;
  log_warn ("linux.resources.memory.kernel: ignored (this kernel does not "
            "limit kernel memory)");
}

static int
v1_apply_memory (const char *dir, const struct oci_resources *res, bool update,
                 struct werr *err)
{
  const typeof (res->memory) *m = &res->memory;
  if (update
      && cgroup_check_memory_usage (dir, "memory.usage_in_bytes", res, err) < 0)
    return -1;
  if (v1_memory_limits (dir, res, err) < 0)
    return -1;
  if (m->has_reservation && m->reservation != 0
      && cgroup_res_write_i64 (dir, "memory.soft_limit_in_bytes",
                               m->reservation, "memory.reservation", err)
             < 0)
    return -1;
  if (m->has_kernel && m->kernel != 0)
    v1_kernel_memory (dir, m->kernel);
  if (m->has_kernel_tcp && m->kernel_tcp != 0
      && cgroup_res_write_i64 (dir, "memory.kmem.tcp.limit_in_bytes",
                               m->kernel_tcp, "memory.kernelTCP", err)
             < 0)
    return -1;
  /* (uint64_t) -1 is "leave alone", as runc. */
  if (m->has_swappiness && m->swappiness != UINT64_MAX)
    {
      if (m->swappiness > 100)
        return werr_set (err, 0,
                         "linux.resources.memory.swappiness: %" PRIu64
                         " is not in 0-100",
                         m->swappiness);
      if (cgroup_res_write_i64 (dir, "memory.swappiness",
                                (int64_t) m->swappiness, "memory.swappiness",
                                err)
          < 0)
        return -1;
    }
  if (m->has_disable_oom_killer && (m->disable_oom_killer || update)
      && cgroup_res_write (dir, "memory.oom_control",
                           m->disable_oom_killer ? "1" : "0",
                           "memory.disableOOMKiller", err)
             < 0)
    return -1;
  if (m->has_use_hierarchy
      && cgroup_res_write (dir, "memory.use_hierarchy",
                           m->use_hierarchy ? "1" : "0", "memory.useHierarchy",
                           err)
             < 0)
    return -1;
  return 0;
}

/* ---- cpu, cpuset, pids -------------------------------------------------------- */

/* Realtime budget: a cgroup may only hand out what its parent has, so the
 * parents we created get the same budget first (top down). */
static int
v1_apply_rt (const struct cgroup_hier *h, const struct oci_resources *res,
             struct werr *err)
{
  const typeof (res->cpu) *c = &res->cpu;
  bool period = c->has_realtime_period && c->realtime_period != 0;
  bool runtime = c->has_realtime_runtime && c->realtime_runtime != 0;
  if (!period && !runtime)
    return 0;
  size_t start = h->created_top ? strlen (h->created_top) : strlen (h->path);
  _cleanup_free_ char *dir = xstrdup (h->path);
  for (size_t len = start;; len++)
    {
      if (dir[len] != '/' && dir[len] != '\0')
        continue;
      char saved = dir[len];
      dir[len] = '\0';
      if (period
          && cgroup_res_write_i64 (dir, "cpu.rt_period_us",
                                   (int64_t) c->realtime_period,
                                   "cpu.realtimePeriod", err)
                 < 0)
        return -1;
      if (runtime
          && cgroup_res_write_i64 (dir, "cpu.rt_runtime_us",
                                   c->realtime_runtime, "cpu.realtimeRuntime",
                                   err)
                 < 0)
        return -1;
      dir[len] = saved;
      if (saved == '\0')
        return 0;
    }
}

static int
v1_apply_shares (const char *dir, uint64_t shares, struct werr *err)
{
  if (cgroup_res_write_i64 (dir, "cpu.shares", (int64_t) shares, "cpu.shares",
                            err)
      < 0)
    return -1;
  /* The kernel clamps to [2, 262144] without a word: say so, as runc. */
  _cleanup_free_ char *back = NULL;
  if (cgroup_read (dir, "cpu.shares", &back, err) < 0)
    return werr_prefix (err, "linux.resources.cpu.shares");
  unsigned long long got = strtoull (back, NULL, 10);
  if (got != shares)
    return werr_set (err, 0,
                     "linux.resources.cpu.shares: %" PRIu64
                     " is out of range (the kernel's %s is %llu)",
                     shares, shares > got ? "maximum" : "minimum", got);
  return 0;
}

static int
v1_apply_cpu (const struct cgroup_hier *h, const struct oci_resources *res,
              struct werr *err)
{
  const char *dir = h->path;
  const typeof (res->cpu) *c = &res->cpu;
  bool quota = c->has_quota && c->quota != 0;
  if (c->has_shares && c->shares != 0
      && v1_apply_shares (dir, c->shares, err) < 0)
    return -1;
  /* The period first: a quota is checked against the current period.  A
   * shorter period may be refused until the quota is lowered: then retry
   * after the quota (runc). */
  bool period_later = false;
  if (c->has_period && c->period != 0
      && cgroup_res_write_i64 (dir, "cpu.cfs_period_us", (int64_t) c->period,
                               "cpu.period", err)
             < 0)
    {
      if (err->errnum != EINVAL || !quota)
        return -1;
      period_later = true;
    }
  if (quota
      && cgroup_res_write_i64 (dir, "cpu.cfs_quota_us", c->quota, "cpu.quota",
                               err)
             < 0)
    return -1;
  if (period_later
      && cgroup_res_write_i64 (dir, "cpu.cfs_period_us", (int64_t) c->period,
                               "cpu.period", err)
             < 0)
    return -1;
  if (c->has_burst
      && cgroup_res_write_i64 (dir, "cpu.cfs_burst_us", (int64_t) c->burst,
                               "cpu.burst", err)
             < 0)
    return -1;
  if (v1_apply_rt (h, res, err) < 0)
    return -1;
  if (c->has_idle
      && cgroup_res_write_i64 (dir, "cpu.idle", c->idle, "cpu.idle", err) < 0)
    return -1;
  return 0;
}

static int
v1_apply_cpuset (const char *dir, const struct oci_resources *res,
                 struct werr *err)
{
  if (res->cpu.cpus && *res->cpu.cpus
      && cgroup_res_write (dir, "cpuset.cpus", res->cpu.cpus, "cpu.cpus", err)
             < 0)
    return -1;
  if (res->cpu.mems && *res->cpu.mems
      && cgroup_res_write (dir, "cpuset.mems", res->cpu.mems, "cpu.mems", err)
             < 0)
    return -1;
  return 0;
}

static int
v1_apply_pids (const char *dir, const struct oci_resources *res,
               struct werr *err)
{
  char buf[32] = "max";
  if (res->pids_limit > 0)
    snprintf (buf, sizeof buf, "%" PRId64, res->pids_limit);
  return cgroup_res_write (dir, "pids.max", buf, "pids.limit", err);
}

/* ---- blkio ---------------------------------------------------------------------- */

/* CFQ's blkio.weight is gone from current kernels; BFQ's takes the same
 * values. */
static const char *
weight_file (const char *dir, bool device)
{
  const char *cfq = device ? "blkio.weight_device" : "blkio.weight";
  const char *bfq = device ? "blkio.bfq.weight_device" : "blkio.bfq.weight";
  return cgroup_has_file (dir, cfq) || !cgroup_has_file (dir, bfq) ? cfq : bfq;
}

static int
v1_throttle (const char *dir, const char *file, const char *field,
             const struct oci_throttle_device *v, size_t n, struct werr *err)
{
  for (size_t i = 0; i < n; i++)
    {
      char line[80];
      snprintf (line, sizeof line, "%" PRId64 ":%" PRId64 " %" PRIu64,
                v[i].major, v[i].minor, v[i].rate);
      if (cgroup_res_write (dir, file, line, field, err) < 0)
        return -1;
    }
  return 0;
}

static int
v1_device_weight (const char *dir, const char *file, const char *field,
                  const struct oci_weight_device *d, uint16_t weight,
                  struct werr *err)
{
  char line[80];
  snprintf (line, sizeof line, "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
            (unsigned) weight);
  return cgroup_res_write (dir, file, line, field, err);
}

static int
v1_weight_devices (const char *dir, const struct oci_resources *res,
                   struct werr *err)
{
  const typeof (res->block_io) *b = &res->block_io;
  for (size_t i = 0; i < b->n_weight_device; i++)
    {
      const struct oci_weight_device *d = &b->weight_device[i];
      if (d->has_weight
          && v1_device_weight (dir, weight_file (dir, true),
                               "blockIO.weightDevice", d, d->weight, err)
                 < 0)
        return -1;
      if (d->has_leaf_weight
          && v1_device_weight (dir, "blkio.leaf_weight_device",
                               "blockIO.weightDevice.leafWeight", d,
                               d->leaf_weight, err)
                 < 0)
        return -1;
    }
  return 0;
}

static int
v1_apply_blkio (const char *dir, const struct oci_resources *res,
                struct werr *err)
{
  const typeof (res->block_io) *b = &res->block_io;
  if (b->has_weight && b->weight != 0
      && cgroup_res_write_i64 (dir, weight_file (dir, false), b->weight,
                               "blockIO.weight", err)
             < 0)
    return -1;
  if (b->has_leaf_weight && b->leaf_weight != 0
      && cgroup_res_write_i64 (dir, "blkio.leaf_weight", b->leaf_weight,
                               "blockIO.leafWeight", err)
             < 0)
    return -1;
  if (v1_weight_devices (dir, res, err) < 0
      || v1_throttle (dir, "blkio.throttle.read_bps_device",
                      "blockIO.throttleReadBpsDevice", b->throttle_read_bps,
                      b->n_throttle_read_bps, err)
             < 0
      || v1_throttle (dir, "blkio.throttle.write_bps_device",
                      "blockIO.throttleWriteBpsDevice", b->throttle_write_bps,
                      b->n_throttle_write_bps, err)
             < 0
      || v1_throttle (dir, "blkio.throttle.read_iops_device",
                      "blockIO.throttleReadIOPSDevice", b->throttle_read_iops,
                      b->n_throttle_read_iops, err)
             < 0
      || v1_throttle (dir, "blkio.throttle.write_iops_device",
                      "blockIO.throttleWriteIOPSDevice", b->throttle_write_iops,
                      b->n_throttle_write_iops, err)
             < 0)
    return -1;
  return 0;
}

/* ---- hugetlb, net_cls, net_prio, rdma --------------------------------------------- */

static int
v1_apply_hugetlb (const char *dir, const struct oci_resources *res,
                  struct werr *err)
{
  for (size_t i = 0; i < res->n_hugepage_limits; i++)
    {
      const struct oci_hugepage_limit *l = &res->hugepage_limits[i];
      _cleanup_free_ char *file
          = xasprintf ("hugetlb.%s.limit_in_bytes", l->page_size);
      _cleanup_free_ char *rsvd
          = xasprintf ("hugetlb.%s.rsvd.limit_in_bytes", l->page_size);
      if (cgroup_res_write_i64 (dir, file, (int64_t) l->limit, "hugepageLimits",
                                err)
          < 0)
        return -1;
      /* Reservations too, where the kernel accounts them (5.7+). */
      if (cgroup_has_file (dir, rsvd)
          && cgroup_res_write_i64 (dir, rsvd, (int64_t) l->limit,
                                   "hugepageLimits", err)
                 < 0)
        return -1;
    }
  return 0;
}

/* net_prio.ifpriomap and rdma.max take one "key value" line a write. */
static int
v1_write_pairs (const char *dir, const char *file, const char *field,
                const struct oci_kvv *kvv, struct werr *err)
{
  for (size_t i = 0; i < kvv->n; i++)
    {
      _cleanup_free_ char *line
          = xasprintf ("%s %s", kvv->v[i].key, kvv->v[i].value);
      if (cgroup_res_write (dir, file, line, field, err) < 0)
        return -1;
    }
  return 0;
}

static int
v1_apply_group (const struct cgroup_hier *h, enum cgroup_res_group g,
                const struct cgroup_apply *a, struct werr *err)
{
  const struct oci_resources *res = a->res;
  const char *dir = h->path;
  switch (g)
    {
    case CG_RES_MEMORY:
      return v1_apply_memory (dir, res, a->update, err);
    case CG_RES_CPU:
      return v1_apply_cpu (h, res, err);
    case CG_RES_CPUSET:
      return v1_apply_cpuset (dir, res, err);
    case CG_RES_PIDS:
      return v1_apply_pids (dir, res, err);
    case CG_RES_BLKIO:
      return v1_apply_blkio (dir, res, err);
    case CG_RES_HUGETLB:
      return v1_apply_hugetlb (dir, res, err);
    case CG_RES_NET_CLS:
      return cgroup_res_write_i64 (dir, "net_cls.classid",
                                   res->network.class_id, "network.classID",
                                   err);
    case CG_RES_NET_PRIO:
      return v1_write_pairs (dir, "net_prio.ifpriomap", "network.priorities",
                             &res->network.priorities, err);
    case CG_RES_RDMA:
      return v1_write_pairs (dir, "rdma.max", "rdma", &res->rdma, err);
    default:
      return 0;
    }
}

static int
v1_apply_resources (const struct cgroup_mgr *mgr, struct cgroup_hier *h,
                    const struct cgroup_apply *a, struct werr *err)
{
  /* Rootless cannot write device rules (runc skips them too). */
  if ((a->groups & (1u << CG_RES_DEVICES)) && !mgr->rootless
      && v1_apply_devices (h->path, a->res, err) < 0)
    return -1;
  if (a->res == NULL)
    return 0;
  for (int g = CG_RES_MEMORY; g < CG_RES_COUNT; g++)
    if ((a->groups & (1u << g))
        && v1_apply_group (h, (enum cgroup_res_group) g, a, err) < 0)
      return -1;
  return 0;
}

/* ---- freezer -------------------------------------------------------------- */

/* FREEZING turns into FROZEN once every task stopped; a task that was busy
 * forking may need the request again (runc repeats it too). */
static const struct cgroup_freezer v1_freezer = {
  .ctl = "freezer.state",
  .freeze = "FROZEN",
  .thaw = "THAWED",
  .watch = "freezer.state",
  .frozen_says = "FROZEN",
  .thawed_says = "THAWED",
  .exact = true,
  .rewrite = true,
};

static int
v1_freeze (struct cgroup_hier *h, bool frozen, int timeout_ms, struct werr *err)
{
  if (!cgroup_has_controller (h->controllers, "freezer"))
    return 0;
  _cleanup_free_ char *state = NULL;
  if (cgroup_read (h->path, v1_freezer.ctl, &state, err) < 0)
    return -1;
  return cgroup_freezer_set (h, &v1_freezer, state, frozen, timeout_ms, err);
}

static int
v1_is_frozen (struct cgroup_hier *h, bool *frozen, struct werr *err)
{
  if (!cgroup_has_controller (h->controllers, "freezer"))
    return 0;
  return cgroup_freezer_get (h, &v1_freezer, frozen, err);
}

const struct cgroup_ops cgroup_v1_ops = {
  .name = "cgroup v1",
  .prepare_dir = v1_prepare_dir,
  .apply_resources = v1_apply_resources,
  .kill_all = NULL,
  .freeze = v1_freeze,
  .is_frozen = v1_is_frozen,
};
