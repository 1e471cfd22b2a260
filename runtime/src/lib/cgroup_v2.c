/* ward — the unified (cgroup2) hierarchy: on pure v2 hosts everything, on
 * hybrid hosts membership, cgroup.kill and cgroup.freeze (and later the BPF
 * programs), resources staying on v1 there. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgroup_internal.h"
#include "utils.h"
#include "ward/cleanup.h"

/* ---- cpu.shares → cpu.weight (runc's quadratic fit, without libm) ------- */

static double
ln_approx (double x)
{
  /* x = m * 2^e with m in [1, 2); ln m = 2 atanh ((m - 1) / (m + 1)). */
  int e = 0;
  while (x >= 2.0)
    {
      x /= 2.0;
      e++;
    }
  double t = (x - 1.0) / (x + 1.0), t2 = t * t, term = t, sum = 0.0;
  for (int k = 1; k < 60; k += 2)
    {
      sum += term / k;
      term *= t2;
    }
  return 2.0 * sum + e * 0.69314718055994530942;
}

static double
exp_approx (double z)
{
  const double ln2 = 0.69314718055994530942;
  int k = (int) (z / ln2 + (z >= 0 ? 0.5 : -0.5));
  double r = z - k * ln2, term = 1.0, sum = 1.0;
  for (int i = 1; i < 30; i++)
    {
      term *= r / i;
      sum += term;
    }
  for (; k > 0; k--)
    sum *= 2.0;
  for (; k < 0; k++)
    sum /= 2.0;
  return sum;
}

uint64_t
cgroup_shares_to_weight (uint64_t shares)
{
  if (shares == 0)
    return 0;
  if (shares <= 2)
    return 1;
  if (shares >= 262144)
    return 10000;
  double l = ln_approx ((double) shares) / 0.69314718055994530942;
  double exponent = (l * l + 125.0 * l) / 612.0 - 7.0 / 34.0;
  double v = exp_approx (exponent * 2.30258509299404568402);
  uint64_t whole = (uint64_t) v;
  /* ceil, but a value within rounding noise of an integer is that integer
   * (1024 shares must give exactly the default weight 100). */
  return v - (double) whole > 1e-9 ? whole + 1 : whole;
}

/* ---- creation: enable the controllers on the way down ------------------- */

/* Pure v2: a controller's files appear in a cgroup only when its parent
 * lists it in cgroup.subtree_control.  Enable every available one, one at a
 * time if all at once fails (a parent with processes refuses, as runc
 * tolerates). */
static int
v2_prepare_dir (const struct cgroup_mgr *mgr, struct cgroup_hier *h,
                const char *dir, bool created, struct werr *err)
{
  if (mgr->mode != CGROUP_MODE_UNIFIED)
    return 0;
  _cleanup_free_ char *parent = xstrdup (dir);
  *strrchr (parent, '/') = '\0';
  _cleanup_free_ char *avail = NULL;
  struct werr ignored = { 0 };
  if (cgroup_read (parent, "cgroup.controllers", &avail, &ignored) < 0
      || *avail == '\0')
    return 0;
  _cleanup_free_ char *all = xmalloc0 (2 * strlen (avail) + 2);
  for (char *save = NULL, *c = strtok_r (avail, " ", &save); c;
       c = strtok_r (NULL, " ", &save))
    {
      if (*all)
        strcat (all, " ");
      strcat (all, "+");
      strcat (all, c);
    }
  if (cgroup_write (parent, "cgroup.subtree_control", all, &ignored) == 0)
    return 0;
  for (char *save = NULL, *c = strtok_r (all, " ", &save); c;
       c = strtok_r (NULL, " ", &save))
    cgroup_write (parent, "cgroup.subtree_control", c, &ignored);
  return 0;
}

/* ---- resources ------------------------------------------------------------ */

/* A resource needs its controller enabled for this cgroup (listed in its
 * cgroup.controllers); say so rather than "No such file". */
static int
need_controller (const char *dir, const char *name, struct werr *err)
{
  _cleanup_free_ char *avail = NULL;
  if (cgroup_read (dir, "cgroup.controllers", &avail, err) < 0)
    return -1;
  for (char *save = NULL, *c = strtok_r (avail, " ", &save); c;
       c = strtok_r (NULL, " ", &save))
    if (strcmp (c, name) == 0)
      return 0;
  return werr_set (err, 0, "cgroup v2 controller `%s` is not available in "
                           "`%s`", name, dir);
}

static int
write_limit (const char *dir, const char *file, int64_t v, struct werr *err)
{
  char buf[32] = "max";
  if (v >= 0)
    snprintf (buf, sizeof buf, "%" PRId64, v);
  return cgroup_write (dir, file, buf, err);
}

/* OCI's swap is memory+swap (v1); memory.swap.max is swap alone. */
static int
v2_apply_memory (const char *dir, const struct oci_resources *res,
                 struct werr *err)
{
  int64_t limit = res->memory.has_limit ? res->memory.limit : 0;
  if (res->memory.has_swap && res->memory.swap != 0)
    {
      int64_t swap = res->memory.swap;
      if (swap > 0)
        {
          if (limit <= 0)
            return werr_set (err, 0, "memory.swap needs a memory.limit");
          if (swap < limit)
            return werr_set (err, 0, "memory.swap (memory+swap) is below "
                                     "memory.limit");
          swap -= limit;
        }
      if (write_limit (dir, "memory.swap.max", swap, err) < 0)
        return -1;
    }
  else if (limit == -1 && cgroup_has_file (dir, "memory.swap.max")
           && write_limit (dir, "memory.swap.max", -1, err) < 0)
    return -1;
  if (limit != 0 && write_limit (dir, "memory.max", limit, err) < 0)
    return -1;
  if (res->memory.has_reservation && res->memory.reservation != 0
      && write_limit (dir, "memory.low", res->memory.reservation, err) < 0)
    return -1;
  return 0;
}

static int
v2_apply_cpu (const char *dir, const struct oci_resources *res,
              struct werr *err)
{
  char buf[64];
  bool cpu = (res->cpu.has_shares && res->cpu.shares != 0)
             || (res->cpu.has_quota && res->cpu.quota != 0)
             || (res->cpu.has_period && res->cpu.period != 0);
  bool cpuset = (res->cpu.cpus && *res->cpu.cpus)
                || (res->cpu.mems && *res->cpu.mems);
  if ((cpu && need_controller (dir, "cpu", err) < 0)
      || (cpuset && need_controller (dir, "cpuset", err) < 0))
    return -1;
  if (res->cpu.has_shares && res->cpu.shares != 0)
    {
      snprintf (buf, sizeof buf, "%" PRIu64,
                cgroup_shares_to_weight (res->cpu.shares));
      if (cgroup_write (dir, "cpu.weight", buf, err) < 0)
        return -1;
    }
  if ((res->cpu.has_quota && res->cpu.quota != 0)
      || (res->cpu.has_period && res->cpu.period != 0))
    {
      uint64_t period = res->cpu.has_period && res->cpu.period
                            ? res->cpu.period
                            : 100000;
      if (res->cpu.has_quota && res->cpu.quota > 0)
        snprintf (buf, sizeof buf, "%" PRId64 " %" PRIu64, res->cpu.quota,
                  period);
      else
        snprintf (buf, sizeof buf, "max %" PRIu64, period);
      if (cgroup_write (dir, "cpu.max", buf, err) < 0)
        return -1;
    }
  if (res->cpu.cpus && *res->cpu.cpus
      && cgroup_write (dir, "cpuset.cpus", res->cpu.cpus, err) < 0)
    return -1;
  if (res->cpu.mems && *res->cpu.mems
      && cgroup_write (dir, "cpuset.mems", res->cpu.mems, err) < 0)
    return -1;
  return 0;
}

/* linux.resources.unified: file names straight from the config; never a
 * path, so a key cannot reach outside the container's cgroup. */
static int
v2_apply_unified (const char *dir, const struct oci_resources *res,
                  struct werr *err)
{
  for (size_t i = 0; i < res->unified.n; i++)
    {
      const struct oci_kv *kv = &res->unified.v[i];
      if (kv->key == NULL || *kv->key == '\0' || strchr (kv->key, '/')
          || kv->key[0] == '.')
        return werr_set (err, 0, "linux.resources.unified: invalid key `%s`",
                         kv->key ? kv->key : "");
      if (cgroup_write (dir, kv->key, kv->value ? kv->value : "", err) < 0)
        return werr_prefix (err, "linux.resources.unified");
    }
  return 0;
}

static int
v2_apply_resources (const struct cgroup_mgr *mgr, struct cgroup_hier *h,
                    const struct oci_resources *res, struct werr *err)
{
  /* Hybrid hosts keep every controller on v1: nothing to write here. */
  if (mgr->mode != CGROUP_MODE_UNIFIED)
    return 0;
  /* TODO(next issue): linux.resources.devices on cgroup v2 is a
   * BPF_PROG_TYPE_CGROUP_DEVICE program attached to h->path; until then
   * device rules are not enforced on pure v2 hosts. */
  if (res == NULL)
    return 0;
  if (res->has_pids
      && (need_controller (h->path, "pids", err) < 0
          || write_limit (h->path, "pids.max",
                          res->pids_limit > 0 ? res->pids_limit : -1, err)
                 < 0))
    return -1;
  if (res->has_memory
      && (need_controller (h->path, "memory", err) < 0
          || v2_apply_memory (h->path, res, err) < 0))
    return -1;
  if (res->has_cpu && v2_apply_cpu (h->path, res, err) < 0)
    return -1;
  /* TODO: io.*, hugetlb.*, rdma.* conversions from the v1-shaped fields. */
  return v2_apply_unified (h->path, res, err);
}

/* ---- signals and freezing ---------------------------------------------------- */

/* cgroup.kill (Linux 5.14+) SIGKILLs the whole subtree atomically: no walk,
 * no race with fork. */
static int
v2_kill_all (const struct cgroup_mgr *mgr, struct cgroup_hier *h, int sig,
             struct werr *err)
{
  if (sig != SIGKILL || !cgroup_has_file (h->path, "cgroup.kill"))
    return 0;
  if (cgroup_write (h->path, "cgroup.kill", "1", err) < 0)
    return err->errnum == ENOENT ? 0 : -1;
  return 1;
}

static int
v2_freeze (struct cgroup_hier *h, bool frozen, struct werr *err)
{
  if (!cgroup_has_file (h->path, "cgroup.freeze"))
    return 0;
  if (frozen)
    {
      _cleanup_free_ char *cur = NULL;
      if (cgroup_read (h->path, "cgroup.freeze", &cur, err) < 0)
        return -1;
      if (strcmp (cur, "1") == 0)
        return 2;
    }
  if (cgroup_write (h->path, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
    return -1;
  const char *want = frozen ? "frozen 1" : "frozen 0";
  for (int i = 0; i < 200; i++)
    {
      _cleanup_free_ char *events = NULL;
      if (cgroup_read (h->path, "cgroup.events", &events, err) < 0)
        return -1;
      if (strstr (events, want))
        return 1;
      struct timespec ts = { 0, 1000000L };
      nanosleep (&ts, NULL);
    }
  if (frozen)
    cgroup_write (h->path, "cgroup.freeze", "0", err);
  return 0;
}

const struct cgroup_ops cgroup_v2_ops = {
  .name = "cgroup v2",
  .prepare_dir = v2_prepare_dir,
  .apply_resources = v2_apply_resources,
  .kill_all = v2_kill_all,
  .freeze = v2_freeze,
};
