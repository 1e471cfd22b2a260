/* ward — cgroup v1 hierarchies (legacy hosts and the v1 side of hybrid ones):
 * cpuset inheritance, the devices controller, simple resource files, the
 * freezer. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgroup_internal.h"
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

/* runc appends these to every container's rules (its AllowedDevices), so
 * images that expect them keep working: mknod of anything, the standard
 * /dev nodes, ptys and /dev/net/tun. */
static const struct oci_device_cgroup default_rules[] = {
  { true, 'c', -1, -1, (char *) "m" },
  { true, 'b', -1, -1, (char *) "m" },
  { true, 'c', 1, 3, (char *) "rwm" },   /* /dev/null */
  { true, 'c', 1, 8, (char *) "rwm" },   /* /dev/random */
  { true, 'c', 1, 7, (char *) "rwm" },   /* /dev/full */
  { true, 'c', 5, 0, (char *) "rwm" },   /* /dev/tty */
  { true, 'c', 1, 5, (char *) "rwm" },   /* /dev/zero */
  { true, 'c', 1, 9, (char *) "rwm" },   /* /dev/urandom */
  { true, 'c', 136, -1, (char *) "rwm" }, /* /dev/pts/N */
  { true, 'c', 5, 2, (char *) "rwm" },   /* /dev/ptmx */
  { true, 'c', 10, 200, (char *) "rwm" }, /* /dev/net/tun */
};

/* runc's format: "c 1:3 rwm", "*" for a wildcard number. */
static int
format_rule (const struct oci_device_cgroup *d, char *buf, size_t len,
             struct werr *err)
{
  char type = d->type ? d->type : 'a';
  const char *access = d->access ? d->access : "rwm";
  char major[24] = "*", minor[24] = "*";
  if (type != 'a' && type != 'b' && type != 'c')
    return werr_set (err, 0, "devices: invalid type `%c`", type);
  if (*access == '\0' || strspn (access, "rwm") != strlen (access))
    return werr_set (err, 0, "devices: invalid access `%s`", access);
  if (d->major >= 0)
    snprintf (major, sizeof major, "%" PRId64, d->major);
  if (d->minor >= 0)
    snprintf (minor, sizeof minor, "%" PRId64, d->minor);
  snprintf (buf, len, "%c %s:%s %s", type, major, minor, access);
  return 0;
}

static int
write_rule (const char *dir, const struct oci_device_cgroup *d,
            struct werr *err)
{
  char rule[80];
  if (format_rule (d, rule, sizeof rule, err) < 0)
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
  if (cgroup_write (dir, "devices.deny", "a", err) < 0)
    return -1;
  for (size_t i = 0; res && i < res->n_devices; i++)
    if (write_rule (dir, &res->devices[i], err) < 0)
      return werr_prefix (err, "linux.resources.devices[%zu]", i);
  for (size_t i = 0; i < ARRAY_SIZE (default_rules); i++)
    if (write_rule (dir, &default_rules[i], err) < 0)
      return -1;
  return 0;
}

/* ---- memory, pids, cpu, cpuset --------------------------------------------- */

static int
write_i64 (const char *dir, const char *file, int64_t v, struct werr *err)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%" PRId64, v);
  return cgroup_write (dir, file, buf, err);
}

/* memory.memsw (memory+swap) may never be below memory.limit: raise the one
 * that must grow first, as runc does. */
static int
v1_apply_memory (const char *dir, const struct oci_resources *res,
                 struct werr *err)
{
  bool limit = res->memory.has_limit && res->memory.limit != 0;
  bool swap = res->memory.has_swap && res->memory.swap != 0
              && cgroup_has_file (dir, "memory.memsw.limit_in_bytes");
  bool swap_first = false;
  if (limit && swap)
    {
      _cleanup_free_ char *cur = NULL;
      if (cgroup_read (dir, "memory.limit_in_bytes", &cur, err) < 0)
        return -1;
      swap_first = res->memory.swap == -1
                   || strtoll (cur, NULL, 10) < res->memory.swap;
    }
  if (swap && swap_first
      && write_i64 (dir, "memory.memsw.limit_in_bytes", res->memory.swap, err)
             < 0)
    return -1;
  if (limit
      && write_i64 (dir, "memory.limit_in_bytes", res->memory.limit, err) < 0)
    return -1;
  if (swap && !swap_first
      && write_i64 (dir, "memory.memsw.limit_in_bytes", res->memory.swap, err)
             < 0)
    return -1;
  if (res->memory.has_reservation && res->memory.reservation != 0
      && write_i64 (dir, "memory.soft_limit_in_bytes",
                    res->memory.reservation, err) < 0)
    return -1;
  if (res->memory.has_swappiness && res->memory.swappiness <= 100
      && write_i64 (dir, "memory.swappiness",
                    (int64_t) res->memory.swappiness, err) < 0)
    return -1;
  if (res->memory.has_disable_oom_killer && res->memory.disable_oom_killer
      && cgroup_write (dir, "memory.oom_control", "1", err) < 0)
    return -1;
  return 0;
}

static int
v1_apply_cpu (const char *dir, const struct oci_resources *res,
              struct werr *err)
{
  if (res->cpu.has_shares && res->cpu.shares != 0
      && write_i64 (dir, "cpu.shares", (int64_t) res->cpu.shares, err) < 0)
    return -1;
  /* The period first: a quota is checked against the current period. */
  if (res->cpu.has_period && res->cpu.period != 0
      && write_i64 (dir, "cpu.cfs_period_us", (int64_t) res->cpu.period, err)
             < 0)
    return -1;
  if (res->cpu.has_quota && res->cpu.quota != 0
      && write_i64 (dir, "cpu.cfs_quota_us", res->cpu.quota, err) < 0)
    return -1;
  return 0;
}

static int
v1_apply_cpuset (const char *dir, const struct oci_resources *res,
                 struct werr *err)
{
  if (res->cpu.cpus && *res->cpu.cpus
      && cgroup_write (dir, "cpuset.cpus", res->cpu.cpus, err) < 0)
    return -1;
  if (res->cpu.mems && *res->cpu.mems
      && cgroup_write (dir, "cpuset.mems", res->cpu.mems, err) < 0)
    return -1;
  return 0;
}

static int
v1_apply_resources (const struct cgroup_mgr *mgr, struct cgroup_hier *h,
                    const struct oci_resources *res, struct werr *err)
{
  const char *c = h->controllers;
  /* Rootless cannot write device rules (runc skips them too). */
  if (cgroup_has_controller (c, "devices") && !mgr->rootless
      && v1_apply_devices (h->path, res, err) < 0)
    return -1;
  if (res == NULL)
    return 0;
  if (cgroup_has_controller (c, "memory") && res->has_memory
      && v1_apply_memory (h->path, res, err) < 0)
    return -1;
  if (cgroup_has_controller (c, "pids") && res->has_pids)
    {
      char buf[32] = "max";
      if (res->pids_limit > 0)
        snprintf (buf, sizeof buf, "%" PRId64, res->pids_limit);
      if (cgroup_write (h->path, "pids.max", buf, err) < 0)
        return -1;
    }
  if (cgroup_has_controller (c, "cpu") && res->has_cpu
      && v1_apply_cpu (h->path, res, err) < 0)
    return -1;
  if (cgroup_has_controller (c, "cpuset") && res->has_cpu
      && v1_apply_cpuset (h->path, res, err) < 0)
    return -1;
  /* TODO: blkio, hugetlb, net_cls/net_prio, rdma, cpu rt/burst/idle. */
  return 0;
}

/* ---- freezer -------------------------------------------------------------- */

static int
v1_freeze (struct cgroup_hier *h, bool frozen, struct werr *err)
{
  if (!cgroup_has_controller (h->controllers, "freezer"))
    return 0;
  const char *want = frozen ? "FROZEN" : "THAWED";
  if (frozen)
    {
      _cleanup_free_ char *state = NULL;
      if (cgroup_read (h->path, "freezer.state", &state, err) < 0)
        return -1;
      if (strcmp (state, "FROZEN") == 0)
        return 2;
    }
  if (cgroup_write (h->path, "freezer.state", want, err) < 0)
    return -1;
  /* FREEZING turns into FROZEN once every task stopped; give up after about
   * 200 ms and thaw (a walk without freezing is only racier). */
  for (int i = 0; i < 200; i++)
    {
      _cleanup_free_ char *state = NULL;
      if (cgroup_read (h->path, "freezer.state", &state, err) < 0)
        return -1;
      if (strcmp (state, want) == 0)
        return 1;
      if (frozen && i % 20 == 19
          && cgroup_write (h->path, "freezer.state", want, err) < 0)
        return -1;
      struct timespec ts = { 0, 1000000L };
      nanosleep (&ts, NULL);
    }
  if (frozen)
    cgroup_write (h->path, "freezer.state", "THAWED", err);
  return 0;
}

const struct cgroup_ops cgroup_v1_ops = {
  .name = "cgroup v1",
  .prepare_dir = v1_prepare_dir,
  .apply_resources = v1_apply_resources,
  .kill_all = NULL,
  .freeze = v1_freeze,
};
