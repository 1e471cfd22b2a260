/* ward — config.json `linux.resources` (cgroup limits). */
#include "parse_util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- devices ------------------------------------------------------------ */

static int
parse_device_rule (struct pctx *p, const struct jnode *v, void *elem)
{
  struct oci_device_cgroup *d = elem;
  char *type = NULL;
  d->type = 'a';
  d->major = d->minor = -1;
  if (pu_field (v, "allow") == NULL)
    return pu_fail_key (p, "allow", "missing required field");
  if (pu_bool (p, v, "allow", &d->allow, NULL) < 0
      || pu_string (p, v, "type", false, &type) < 0)
    {
      free (type);
      return -1;
    }
  if (type != NULL)
    {
      bool ok = strlen (type) == 1 && strchr ("abc", type[0]) != NULL;
      if (!ok)
        pu_fail_key (p, "type",
                     "unknown device type \"%.20s\" (want a, b or "
                     "c)",
                     type);
      else
        d->type = type[0];
      free (type);
      if (!ok)
        return -1;
    }
  if (pu_i64 (p, v, "major", false, &d->major, NULL) < 0
      || pu_i64 (p, v, "minor", false, &d->minor, NULL) < 0
      || pu_string (p, v, "access", false, &d->access) < 0)
    return -1;
  if (d->access != NULL && strspn (d->access, "rwm") != strlen (d->access))
    return pu_fail_key (p, "access",
                        "invalid access \"%.20s\" (want a subset "
                        "of \"rwm\")",
                        d->access);
  if (d->access != NULL && d->access[0] == '\0')
    {
      free (d->access);
      d->access = NULL;
    }
  return 0;
}

/* ---- memory, cpu, pids -------------------------------------------------- */

static int
parse_memory (struct pctx *p, const struct jnode *obj, void *out)
{
  struct oci_resources *r = out;
  typeof (r->memory) *m = &r->memory;
  if (pu_i64 (p, obj, "limit", false, &m->limit, &m->has_limit) < 0
      || pu_i64 (p, obj, "reservation", false, &m->reservation,
                 &m->has_reservation)
             < 0
      || pu_i64 (p, obj, "swap", false, &m->swap, &m->has_swap) < 0
      || pu_i64 (p, obj, "kernel", false, &m->kernel, &m->has_kernel) < 0
      || pu_i64 (p, obj, "kernelTCP", false, &m->kernel_tcp, &m->has_kernel_tcp)
             < 0
      || pu_u64 (p, obj, "swappiness", false, &m->swappiness,
                 &m->has_swappiness)
             < 0
      || pu_bool (p, obj, "disableOOMKiller", &m->disable_oom_killer,
                  &m->has_disable_oom_killer)
             < 0
      || pu_bool (p, obj, "useHierarchy", &m->use_hierarchy,
                  &m->has_use_hierarchy)
             < 0
      || pu_bool (p, obj, "checkBeforeUpdate", &m->check_before_update,
                  &m->has_check_before_update)
             < 0)
    return -1;
  return 0;
}

static int
parse_cpu (struct pctx *p, const struct jnode *obj, void *out)
{
  struct oci_resources *r = out;
  typeof (r->cpu) *c = &r->cpu;
  if (pu_u64 (p, obj, "shares", false, &c->shares, &c->has_shares) < 0
      || pu_i64 (p, obj, "quota", false, &c->quota, &c->has_quota) < 0
      || pu_u64 (p, obj, "burst", false, &c->burst, &c->has_burst) < 0
      || pu_u64 (p, obj, "period", false, &c->period, &c->has_period) < 0
      || pu_i64 (p, obj, "realtimeRuntime", false, &c->realtime_runtime,
                 &c->has_realtime_runtime)
             < 0
      || pu_u64 (p, obj, "realtimePeriod", false, &c->realtime_period,
                 &c->has_realtime_period)
             < 0
      || pu_i64 (p, obj, "idle", false, &c->idle, &c->has_idle) < 0
      || pu_string (p, obj, "cpus", false, &c->cpus) < 0
      || pu_string (p, obj, "mems", false, &c->mems) < 0)
    return -1;
  return 0;
}

static int
parse_pids (struct pctx *p, const struct jnode *obj, void *out)
{
  struct oci_resources *r = out;
  return pu_i64 (p, obj, "limit", true, &r->pids_limit, NULL);
}

/* ---- blockIO ------------------------------------------------------------ */

static int
parse_weight (struct pctx *p, const struct jnode *obj, const char *key,
              uint16_t *out, bool *has)
{
  uint64_t v;
  if (pu_uint (p, obj, key, false, UINT16_MAX, &v, has) < 0)
    return -1;
  if (*has)
    *out = (uint16_t) v;
  return 0;
}

static int
parse_weight_device (struct pctx *p, const struct jnode *v, void *elem)
{
  struct oci_weight_device *d = elem;
  if (pu_i64 (p, v, "major", true, &d->major, NULL) < 0
      || pu_i64 (p, v, "minor", true, &d->minor, NULL) < 0
      || parse_weight (p, v, "weight", &d->weight, &d->has_weight) < 0
      || parse_weight (p, v, "leafWeight", &d->leaf_weight, &d->has_leaf_weight)
             < 0)
    return -1;
  return 0;
}

static int
parse_throttle_device (struct pctx *p, const struct jnode *v, void *elem)
{
  struct oci_throttle_device *d = elem;
  if (pu_i64 (p, v, "major", true, &d->major, NULL) < 0
      || pu_i64 (p, v, "minor", true, &d->minor, NULL) < 0
      || pu_u64 (p, v, "rate", false, &d->rate, NULL) < 0)
    return -1;
  return 0;
}

static int
parse_block_io (struct pctx *p, const struct jnode *obj, void *out)
{
  struct oci_resources *r = out;
  typeof (r->block_io) *b = &r->block_io;
  if (parse_weight (p, obj, "weight", &b->weight, &b->has_weight) < 0
      || parse_weight (p, obj, "leafWeight", &b->leaf_weight,
                       &b->has_leaf_weight)
             < 0
      || pu_array_of (p, obj, "weightDevice", sizeof *b->weight_device,
                      (void **) &b->weight_device, &b->n_weight_device,
                      parse_weight_device)
             < 0
      || pu_array_of (p, obj, "throttleReadBpsDevice",
                      sizeof *b->throttle_read_bps,
                      (void **) &b->throttle_read_bps, &b->n_throttle_read_bps,
                      parse_throttle_device)
             < 0
      || pu_array_of (p, obj, "throttleWriteBpsDevice",
                      sizeof *b->throttle_write_bps,
                      (void **) &b->throttle_write_bps,
                      &b->n_throttle_write_bps, parse_throttle_device)
             < 0
      || pu_array_of (p, obj, "throttleReadIOPSDevice",
                      sizeof *b->throttle_read_iops,
                      (void **) &b->throttle_read_iops,
                      &b->n_throttle_read_iops, parse_throttle_device)
             < 0
      || pu_array_of (p, obj, "throttleWriteIOPSDevice",
                      sizeof *b->throttle_write_iops,
                      (void **) &b->throttle_write_iops,
                      &b->n_throttle_write_iops, parse_throttle_device)
             < 0)
    return -1;
  return 0;
}

/* ---- hugepages, network, rdma ------------------------------------------- */

/* "2MB", "64KB", "1GB": what the kernel names hugetlb.<size>.* files. */
static bool
valid_page_size (const char *s)
{
  if (*s < '1' || *s > '9')
    return false;
  while (*s >= '0' && *s <= '9')
    s++;
  return (s[0] == 'K' || s[0] == 'M' || s[0] == 'G') && s[1] == 'B'
         && s[2] == '\0';
}

static int
parse_hugepage_limit (struct pctx *p, const struct jnode *v, void *elem)
{
  struct oci_hugepage_limit *h = elem;
  if (pu_string (p, v, "pageSize", true, &h->page_size) < 0)
    return -1;
  if (!valid_page_size (h->page_size))
    return pu_fail_key (p, "pageSize", "invalid page size \"%.40s\"",
                        h->page_size);
  return pu_u64 (p, v, "limit", true, &h->limit, NULL);
}

static int
parse_priority (struct pctx *p, const struct jnode *v, void *elem)
{
  struct oci_kv *kv = elem;
  uint32_t prio;
  if (pu_string (p, v, "name", true, &kv->key) < 0
      || pu_u32 (p, v, "priority", true, &prio, NULL) < 0)
    return -1;
  if (asprintf (&kv->value, "%" PRIu32, prio) < 0)
    {
      kv->value = NULL;
      return werr_set (p->err, ENOMEM, "%s: %s", p->name, p->path);
    }
  return 0;
}

static int
parse_network (struct pctx *p, const struct jnode *obj, void *out)
{
  struct oci_resources *r = out;
  if (pu_u32 (p, obj, "classID", false, &r->network.class_id,
              &r->network.has_class_id)
          < 0
      || pu_array_of (p, obj, "priorities", sizeof (struct oci_kv),
                      (void **) &r->network.priorities.v,
                      &r->network.priorities.n, parse_priority)
             < 0)
    return -1;
  return 0;
}

/* Each device becomes "hcaHandles=N hcaObjects=M" (absent parts omitted),
 * the line format of the rdma controller's rdma.max. */
static int
parse_rdma_entry (struct pctx *p, const struct jnode *v, struct oci_kv *kv)
{
  uint32_t handles = 0, objects = 0;
  bool has_h, has_o;
  if (pu_v_object (p, v) < 0
      || pu_u32 (p, v, "hcaHandles", false, &handles, &has_h) < 0
      || pu_u32 (p, v, "hcaObjects", false, &objects, &has_o) < 0)
    return -1;
  char h[32] = "", o[32] = "";
  if (has_h)
    snprintf (h, sizeof h, "hcaHandles=%" PRIu32, handles);
  if (has_o)
    snprintf (o, sizeof o, "hcaObjects=%" PRIu32, objects);
  if (asprintf (&kv->value, "%s%s%s", h, has_h && has_o ? " " : "", o) < 0)
    {
      kv->value = NULL;
      return werr_set (p->err, ENOMEM, "%s: %s", p->name, p->path);
    }
  return 0;
}

static int
parse_rdma (struct pctx *p, const struct jnode *obj, struct oci_resources *r)
{
  const struct jnode *m;
  if (pu_object (p, obj, "rdma", false, &m) < 0)
    return -1;
  if (m == NULL)
    return 0;
  size_t n = jnode_len (m);
  r->rdma.v = calloc (n ? n : 1, sizeof *r->rdma.v);
  if (r->rdma.v == NULL)
    return werr_set (p->err, ENOMEM, "%s: rdma", p->name);
  r->rdma.n = n;
  size_t mark = pctx_push_key (p, "rdma");
  int ret = 0;
  for (size_t i = 0; i < n && ret == 0; i++)
    {
      const char *k = jnode_key_at (m, i);
      size_t m2 = pctx_push_map_key (p, k);
      r->rdma.v[i].key = strdup (k);
      if (r->rdma.v[i].key == NULL)
        ret = werr_set (p->err, ENOMEM, "%s: %s", p->name, p->path);
      else
        ret = parse_rdma_entry (p, jnode_value_at (m, i), &r->rdma.v[i]);
      pctx_pop (p, m2);
    }
  pctx_pop (p, mark);
  return ret;
}

/* ---- resources ---------------------------------------------------------- */

int
oci_parse_resources_obj (struct pctx *p, const struct jnode *obj,
                         struct oci_resources *r)
{
  if (pu_array_of (p, obj, "devices", sizeof *r->devices, (void **) &r->devices,
                   &r->n_devices, parse_device_rule)
          < 0
      || pu_section (p, obj, "memory", &r->has_memory, r, parse_memory) < 0
      || pu_section (p, obj, "cpu", &r->has_cpu, r, parse_cpu) < 0
      || pu_section (p, obj, "pids", &r->has_pids, r, parse_pids) < 0
      || pu_section (p, obj, "blockIO", &r->has_block_io, r, parse_block_io) < 0
      || pu_array_of (p, obj, "hugepageLimits", sizeof *r->hugepage_limits,
                      (void **) &r->hugepage_limits, &r->n_hugepage_limits,
                      parse_hugepage_limit)
             < 0
      || pu_section (p, obj, "network", &r->has_network, r, parse_network) < 0
      || pu_kvv (p, obj, "unified", &r->unified) < 0
      || parse_rdma (p, obj, r) < 0)
    return -1;
  return 0;
}

void
oci_resources_release (struct oci_resources *r)
{
  for (size_t i = 0; i < r->n_devices; i++)
    free (r->devices[i].access);
  free (r->devices);
  free (r->cpu.cpus);
  free (r->cpu.mems);
  free (r->block_io.weight_device);
  free (r->block_io.throttle_read_bps);
  free (r->block_io.throttle_write_bps);
  free (r->block_io.throttle_read_iops);
  free (r->block_io.throttle_write_iops);
  for (size_t i = 0; i < r->n_hugepage_limits; i++)
    free (r->hugepage_limits[i].page_size);
  free (r->hugepage_limits);
  oci_kvv_free (&r->network.priorities);
  oci_kvv_free (&r->unified);
  oci_kvv_free (&r->rdma);
  memset (r, 0, sizeof *r);
}
