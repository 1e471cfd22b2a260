/* ward — linux.resources (shaped after cgroup v1) as cgroup2 file writes,
 * with runc's conversions: shares -> cpu.weight, memory+swap -> swap alone,
 * blkio weight -> io.bfq.weight or io.weight, throttles -> io.max lines.
 * Pure: no file system access, so every conversion is unit-tested on any
 * host (this machine's cgroup2 tree has no memory, cpu or io controller). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_internal.h"
#include "utils.h"
#include "ward/cleanup.h"

uint64_t
cgroup_blkio_weight_to_io_weight (uint64_t weight)
{
  if (weight == 0)
    return 0;
  if (weight < 10)
    weight = 10;
  if (weight > 1000)
    weight = 1000;
  /* [10, 1000] onto [1, 10000], as runc. */
  return 1 + (weight - 10) * 9999 / 990;
}

int
cgroup_swap_to_v2 (int64_t swap, int64_t limit, int64_t *out, struct werr *err)
{
  /* Unlimited memory and no word on swap: both unlimited (runc). */
  if (limit == -1 && swap == 0)
    {
      *out = -1;
      return 0;
    }
  if (swap == -1 || swap == 0)
    {
      *out = swap == 0 ? -2 : -1;
      return 0;
    }
  if (limit == 0 || limit == -1)
    return werr_set (err, 0,
                     "linux.resources.memory.swap: a swap limit "
                     "needs a memory limit (memory.limit)");
  if (limit < 0 || swap < 0)
    return werr_set (err, 0,
                     "linux.resources.memory.swap: invalid value "
                     "%" PRId64,
                     swap);
  if (swap < limit)
    return werr_set (err, 0,
                     "linux.resources.memory.swap: %" PRId64
                     " (memory+swap) is below memory.limit %" PRId64,
                     swap, limit);
  *out = swap - limit;
  return 0;
}

static void add (struct cg_plan *p, const char *field, const char *ctrl,
                 const char *file, const char *fmt, ...)
    __attribute__ ((format (printf, 5, 6)));

static void
add (struct cg_plan *p, const char *field, const char *ctrl, const char *file,
     const char *fmt, ...)
{
  p->v = realloc (p->v, (p->n + 1) * sizeof *p->v);
  if (p->v == NULL)
    abort ();
  struct cg_write *w = &p->v[p->n++];
  *w = (struct cg_write){ .field = field,
                          .ctrl = ctrl,
                          .file = xstrdup (file) };
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&w->value, fmt, ap) < 0)
    abort ();
  va_end (ap);
}

/* Make the last write fall back to `file` = value when its file is
 * missing. */
static void alt (struct cg_plan *p, const char *file, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static void
alt (struct cg_plan *p, const char *file, const char *fmt, ...)
{
  struct cg_write *w = &p->v[p->n - 1];
  w->alt_file = xstrdup (file);
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&w->alt_value, fmt, ap) < 0)
    abort ();
  va_end (ap);
}

void
cgroup_plan_free (struct cg_plan *p)
{
  for (size_t i = 0; i < p->n; i++)
    {
      free (p->v[i].file);
      free (p->v[i].value);
      free (p->v[i].alt_file);
      free (p->v[i].alt_value);
    }
  free (p->v);
  p->v = NULL;
  p->n = 0;
}

static int
unsupported (const char *field, struct werr *err)
{
  return werr_set (err, 0, "linux.resources.%s: not supported on cgroup v2",
                   field);
}

static void
limit_value (char *buf, size_t len, int64_t v)
{
  if (v < 0)
    snprintf (buf, len, "max");
  else
    snprintf (buf, len, "%" PRId64, v);
}

static int
plan_memory (const struct oci_resources *res, struct cg_plan *p,
             struct werr *err)
{
  const typeof (res->memory) *m = &res->memory;
  int64_t limit = m->has_limit ? m->limit : 0;
  char buf[32];
  if (m->has_kernel_tcp && m->kernel_tcp != 0)
    return unsupported ("memory.kernelTCP", err);
  if (m->has_swappiness && m->swappiness <= 100)
    return unsupported ("memory.swappiness", err);
  if (m->has_disable_oom_killer && m->disable_oom_killer)
    return unsupported ("memory.disableOOMKiller", err);
  if (m->has_use_hierarchy && !m->use_hierarchy)
    return werr_set (err, 0,
                     "linux.resources.memory.useHierarchy: cgroup "
                     "v2 is always hierarchical");
  int64_t swap = -2;
  if (cgroup_swap_to_v2 (m->has_swap ? m->swap : 0, limit, &swap, err) < 0)
    return -1;
  /* memory.swap.max first: lowering memory.max below usage can then
   * push pages to a swap that is already allowed. */
  if (swap != -2)
    {
      limit_value (buf, sizeof buf, swap);
      add (p, "memory.swap", "memory", "memory.swap.max", "%s", buf);
    }
  if (limit != 0)
    {
      limit_value (buf, sizeof buf, limit);
      add (p, "memory.limit", "memory", "memory.max", "%s", buf);
    }
  if (m->has_reservation && m->reservation != 0)
    {
      limit_value (buf, sizeof buf, m->reservation);
      add (p, "memory.reservation", "memory", "memory.low", "%s", buf);
    }
  return 0;
}

/* cpu.max is "QUOTA PERIOD"; the kernel keeps the period when only the
 * quota is written.  An update of the period alone keeps the quota. */
static void
plan_cpu_max (const struct oci_resources *res, bool update,
              const char *cur_cpu_max, struct cg_plan *p)
{
  const typeof (res->cpu) *c = &res->cpu;
  int64_t quota = c->has_quota ? c->quota : 0;
  uint64_t period = c->has_period ? c->period : 0;
  if (quota == 0 && period == 0)
    return;
  char q[32] = "max";
  if (quota > 0)
    snprintf (q, sizeof q, "%" PRId64, quota);
  else if (quota == 0 && update && cur_cpu_max)
    snprintf (q, sizeof q, "%.*s", (int) strcspn (cur_cpu_max, " \n"),
              cur_cpu_max);
  if (period != 0)
    add (p, quota ? "cpu.quota" : "cpu.period", "cpu", "cpu.max", "%s %" PRIu64,
         q, period);
  else
    add (p, "cpu.quota", "cpu", "cpu.max", "%s", q);
}

static int
plan_cpu (const struct oci_resources *res, bool update, const char *cur_cpu_max,
          struct cg_plan *p, struct werr *err)
{
  const typeof (res->cpu) *c = &res->cpu;
  if (c->has_realtime_runtime && c->realtime_runtime != 0)
    return unsupported ("cpu.realtimeRuntime", err);
  if (c->has_realtime_period && c->realtime_period != 0)
    return unsupported ("cpu.realtimePeriod", err);
  if (c->has_shares && c->shares != 0)
    add (p, "cpu.shares", "cpu", "cpu.weight", "%" PRIu64,
         cgroup_shares_to_weight (c->shares));
  plan_cpu_max (res, update, cur_cpu_max, p);
  if (c->has_burst)
    add (p, "cpu.burst", "cpu", "cpu.max.burst", "%" PRIu64, c->burst);
  if (c->has_idle)
    add (p, "cpu.idle", "cpu", "cpu.idle", "%" PRId64, c->idle);
  return 0;
}

static void
plan_throttle (struct cg_plan *p, const char *field, const char *key,
               const struct oci_throttle_device *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      char rate[32] = "max";
      if (v[i].rate != 0)
        snprintf (rate, sizeof rate, "%" PRIu64, v[i].rate);
      add (p, field, "io", "io.max", "%" PRId64 ":%" PRId64 " %s=%s",
           v[i].major, v[i].minor, key, rate);
    }
}

static int
plan_io (const struct oci_resources *res, struct cg_plan *p, struct werr *err)
{
  const typeof (res->block_io) *b = &res->block_io;
  if (b->has_leaf_weight && b->leaf_weight != 0)
    return unsupported ("blockIO.leafWeight", err);
  if (b->has_weight && b->weight != 0)
    {
      add (p, "blockIO.weight", "io", "io.bfq.weight", "%u",
           (unsigned) b->weight);
      alt (p, "io.weight", "%" PRIu64,
           cgroup_blkio_weight_to_io_weight (b->weight));
    }
  for (size_t i = 0; i < b->n_weight_device; i++)
    {
      const struct oci_weight_device *d = &b->weight_device[i];
      if (d->has_leaf_weight && d->leaf_weight != 0)
        return unsupported ("blockIO.weightDevice.leafWeight", err);
      if (!d->has_weight || d->weight == 0)
        continue;
      add (p, "blockIO.weightDevice", "io", "io.bfq.weight",
           "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
           (unsigned) d->weight);
      alt (p, "io.weight", "%" PRId64 ":%" PRId64 " %" PRIu64, d->major,
           d->minor, cgroup_blkio_weight_to_io_weight (d->weight));
    }
  plan_throttle (p, "blockIO.throttleReadBpsDevice", "rbps",
                 b->throttle_read_bps, b->n_throttle_read_bps);
  plan_throttle (p, "blockIO.throttleWriteBpsDevice", "wbps",
                 b->throttle_write_bps, b->n_throttle_write_bps);
  plan_throttle (p, "blockIO.throttleReadIOPSDevice", "riops",
                 b->throttle_read_iops, b->n_throttle_read_iops);
  plan_throttle (p, "blockIO.throttleWriteIOPSDevice", "wiops",
                 b->throttle_write_iops, b->n_throttle_write_iops);
  return 0;
}

static void
plan_hugetlb (const struct oci_resources *res, struct cg_plan *p)
{
  for (size_t i = 0; i < res->n_hugepage_limits; i++)
    {
      const struct oci_hugepage_limit *h = &res->hugepage_limits[i];
      _cleanup_free_ char *file = xasprintf ("hugetlb.%s.max", h->page_size);
      _cleanup_free_ char *rsvd
          = xasprintf ("hugetlb.%s.rsvd.max", h->page_size);
      add (p, "hugepageLimits", "hugetlb", file, "%" PRIu64, h->limit);
      /* Reservations too, where the kernel accounts them (5.7+). */
      add (p, "hugepageLimits", "hugetlb", rsvd, "%" PRIu64, h->limit);
      p->v[p->n - 1].optional = true;
    }
}

/* Keys name files of the container's own cgroup: never a path. */
static int
plan_unified (const struct oci_resources *res, struct cg_plan *p,
              struct werr *err)
{
  for (size_t i = 0; i < res->unified.n; i++)
    {
      const struct oci_kv *kv = &res->unified.v[i];
      const char *k = kv->key ? kv->key : "";
      if (*k == '\0' || strchr (k, '/') || k[0] == '.' || !strchr (k, '.'))
        return werr_set (err, 0, "linux.resources.unified: invalid key `%s`",
                         k);
      add (p, "unified", NULL, k, "%s", kv->value ? kv->value : "");
    }
  return 0;
}

int
cgroup_v2_plan (const struct oci_resources *res, unsigned groups, bool update,
                const char *cur_cpu_max, struct cg_plan *out, struct werr *err)
{
  *out = (struct cg_plan){ 0 };
  int r = 0;
  if (res == NULL)
    return 0;
  if (groups & (1u << CG_RES_MEMORY))
    r = plan_memory (res, out, err);
  if (r == 0 && (groups & (1u << CG_RES_CPU)))
    r = plan_cpu (res, update, cur_cpu_max, out, err);
  if (r == 0 && (groups & (1u << CG_RES_CPUSET)))
    {
      if (res->cpu.cpus && *res->cpu.cpus)
        add (out, "cpu.cpus", "cpuset", "cpuset.cpus", "%s", res->cpu.cpus);
      if (res->cpu.mems && *res->cpu.mems)
        add (out, "cpu.mems", "cpuset", "cpuset.mems", "%s", res->cpu.mems);
    }
  if (r == 0 && (groups & (1u << CG_RES_PIDS)) && res->has_pids)
    {
      char buf[32];
      limit_value (buf, sizeof buf, res->pids_limit > 0 ? res->pids_limit : -1);
      add (out, "pids.limit", "pids", "pids.max", "%s", buf);
    }
  if (r == 0 && (groups & (1u << CG_RES_BLKIO)))
    r = plan_io (res, out, err);
  if (r == 0 && (groups & (1u << CG_RES_HUGETLB)))
    plan_hugetlb (res, out);
  if (r == 0 && (groups & (1u << CG_RES_RDMA)))
    for (size_t i = 0; i < res->rdma.n; i++)
      add (out, "rdma", "rdma", "rdma.max", "%s %s", res->rdma.v[i].key,
           res->rdma.v[i].value);
  /* Last: explicit cgroup2 values override the converted ones (runc). */
  if (r == 0 && (groups & (1u << CG_RES_UNIFIED)))
    r = plan_unified (res, out, err);
  if (r < 0)
    cgroup_plan_free (out);
  return r;
}
