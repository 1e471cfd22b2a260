/* ward update — change a container's cgroup limits: a linux.resources
 * document (--resources FILE, or - for stdin), or runc's flags.  A value of
 * 0 or an absent one leaves the limit as it is. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../policy/policy.h"
#include "cli.h"
#include "container_cgroup.h"
#include "utils.h"
#include "ward/cleanup.h"
#include "ward/oci_resources.h"

struct update_flags
{
  const char *resources, *blkio_weight, *cpu_period, *cpu_quota, *cpu_rt_period,
      *cpu_rt_runtime, *cpu_share, *cpu_idle, *cpu_burst, *cpuset_cpus,
      *cpuset_mems, *memory, *memory_swap, *memory_reservation, *kernel_memory,
      *kernel_memory_tcp, *pids_limit, *l3_cache_schema, *mem_bw_schema;
};

static int
bad_value (const char *flag, const char *v, struct werr *err)
{
  return werr_set (err, 0, "update: invalid value for --%s: \"%s\"", flag, v);
}

static int
parse_u64 (const char *flag, const char *v, uint64_t max, uint64_t *out,
           struct werr *err)
{
  char *end;
  errno = 0;
  if (!isdigit ((unsigned char) *v))
    return bad_value (flag, v, err);
  unsigned long long x = strtoull (v, &end, 10);
  if (errno || *end || x > max)
    return bad_value (flag, v, err);
  *out = x;
  return 0;
}

static int
parse_i64 (const char *flag, const char *v, int64_t *out, struct werr *err)
{
  char *end;
  errno = 0;
  long long x = strtoll (v, &end, 10);
  if (errno || *end || end == v)
    return bad_value (flag, v, err);
  *out = x;
  return 0;
}

/* docker's RAMInBytes: "512", "64m", "1.5GiB", "2 g" (binary units), or
 * -1 for unlimited. */
static int
parse_bytes (const char *flag, const char *v, int64_t *out, struct werr *err)
{
  if (strcmp (v, "-1") == 0)
    {
      *out = -1;
      return 0;
    }
  char *end;
  if (!isdigit ((unsigned char) *v))
    return bad_value (flag, v, err);
  double n = strtod (v, &end);
  if (*end == ' ')
    end++;
  const char *units = "kmgtp";
  double mul = 1;
  const char *u = *end ? strchr (units, tolower ((unsigned char) *end)) : NULL;
  if (u)
    {
      for (const char *p = units; p <= u; p++)
        mul *= 1024;
      end++;
    }
  if (*end == 'i' || *end == 'I')
    end++;
  if (*end == 'b' || *end == 'B')
    end++;
  double bytes = n * mul;
  if (*end || bytes >= 9.2e18)
    return bad_value (flag, v, err);
  *out = (int64_t) bytes;
  return 0;
}

static int
memory_flags (const struct update_flags *f, struct oci_resources *r,
              struct werr *err)
{
  typeof (r->memory) *m = &r->memory;
  const struct
  {
    const char *name, *value;
    int64_t *dest;
    bool *has;
  } v[] = {
    { "memory", f->memory, &m->limit, &m->has_limit },
    { "memory-swap", f->memory_swap, &m->swap, &m->has_swap },
    { "memory-reservation", f->memory_reservation, &m->reservation,
      &m->has_reservation },
    { "kernel-memory", f->kernel_memory, &m->kernel, &m->has_kernel },
    { "kernel-memory-tcp", f->kernel_memory_tcp, &m->kernel_tcp,
      &m->has_kernel_tcp },
  };
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    if (v[i].value && *v[i].value)
      {
        if (parse_bytes (v[i].name, v[i].value, v[i].dest, err) < 0)
          return -1;
        *v[i].has = r->has_memory = true;
      }
  return 0;
}

static int
cpu_flags (const struct update_flags *f, struct oci_resources *r,
           struct werr *err)
{
  typeof (r->cpu) *c = &r->cpu;
  const struct
  {
    const char *name, *value;
    uint64_t *dest;
    bool *has;
  } u[] = {
    { "cpu-period", f->cpu_period, &c->period, &c->has_period },
    { "cpu-rt-period", f->cpu_rt_period, &c->realtime_period,
      &c->has_realtime_period },
    { "cpu-share", f->cpu_share, &c->shares, &c->has_shares },
    { "cpu-burst", f->cpu_burst, &c->burst, &c->has_burst },
  };
  const struct
  {
    const char *name, *value;
    int64_t *dest;
    bool *has;
  } s[] = {
    { "cpu-quota", f->cpu_quota, &c->quota, &c->has_quota },
    { "cpu-rt-runtime", f->cpu_rt_runtime, &c->realtime_runtime,
      &c->has_realtime_runtime },
    { "cpu-idle", f->cpu_idle, &c->idle, &c->has_idle },
  };
  for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
    if (u[i].value && *u[i].value)
      {
        if (parse_u64 (u[i].name, u[i].value, UINT64_MAX, u[i].dest, err) < 0)
          return -1;
        *u[i].has = r->has_cpu = true;
      }
  for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
    if (s[i].value && *s[i].value)
      {
        if (parse_i64 (s[i].name, s[i].value, s[i].dest, err) < 0)
          return -1;
        *s[i].has = r->has_cpu = true;
      }
  if (f->cpuset_cpus && *f->cpuset_cpus)
    c->cpus = xstrdup (f->cpuset_cpus), r->has_cpu = true;
  if (f->cpuset_mems && *f->cpuset_mems)
    c->mems = xstrdup (f->cpuset_mems), r->has_cpu = true;
  return 0;
}

static int
from_flags (const struct update_flags *f, struct oci_resources *r,
            struct werr *err)
{
  if (memory_flags (f, r, err) < 0 || cpu_flags (f, r, err) < 0)
    return -1;
  if (f->blkio_weight && *f->blkio_weight)
    {
      uint64_t w;
      if (parse_u64 ("blkio-weight", f->blkio_weight, UINT16_MAX, &w, err) < 0)
        return -1;
      r->has_block_io = r->block_io.has_weight = w != 0;
      r->block_io.weight = (uint16_t) w;
    }
  if (f->pids_limit && *f->pids_limit)
    {
      if (parse_i64 ("pids-limit", f->pids_limit, &r->pids_limit, err) < 0)
        return -1;
      r->has_pids = true;
    }
  return 0;
}

static int
from_file (const char *path, struct oci_resources **out, struct werr *err)
{
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  bool in = strcmp (path, "-") == 0;
  if (read_file (in ? "/dev/stdin" : path, &data, &len, err) < 0)
    return werr_prefix (err, "update: --resources");
  return oci_resources_parse_data (data, len, in ? "stdin" : path, out, err) < 0
             ? werr_prefix (err, "update")
             : 0;
}

/* Intel RDT needs a resctrl group, which ward does not create
 * (linux.intelRdt is refused at create). */
static int
check_rdt (const struct update_flags *f, struct werr *err)
{
  const char *flag = f->l3_cache_schema && *f->l3_cache_schema
                         ? "l3-cache-schema"
                     : f->mem_bw_schema && *f->mem_bw_schema ? "mem-bw-schema"
                                                             : NULL;
  if (flag == NULL)
    return 0;
  bool l3 = flag[0] == 'l';
  if (access (l3 ? "/sys/fs/resctrl/info/L3" : "/sys/fs/resctrl/info/MB", F_OK)
      < 0)
    return werr_set (err, 0,
                     "update: --%s: Intel RDT/%s is not enabled on "
                     "this host",
                     flag, l3 ? "CAT" : "MBA");
  return werr_set (err, 0,
                   "update: --%s: the container has no Intel RDT "
                   "group (ward does not support linux.intelRdt)",
                   flag);
}

int
cmd_update (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  struct update_flags f = { 0 };
  const char *policy = NULL;
  const struct opt_def defs[] = {
    { "policy", 0, OPT_STRING, &policy, "FILE",
      "replace the network rules of the container's agent policy with "
      "those of FILE (filesystem rules stay; other flags are then ignored)" },
    { "resources", 'r', OPT_STRING, &f.resources, "FILE",
      "a linux.resources JSON file, or - for stdin (other flags are then "
      "ignored)" },
    { "blkio-weight", 0, OPT_STRING, &f.blkio_weight, "N",
      "block I/O weight, 10 to 1000" },
    { "cpu-period", 0, OPT_STRING, &f.cpu_period, "USECS", "CPU CFS period" },
    { "cpu-quota", 0, OPT_STRING, &f.cpu_quota, "USECS",
      "CPU CFS quota per period (-1: none)" },
    { "cpu-burst", 0, OPT_STRING, &f.cpu_burst, "USECS", "CPU CFS burst" },
    { "cpu-rt-period", 0, OPT_STRING, &f.cpu_rt_period, "USECS",
      "CPU realtime period" },
    { "cpu-rt-runtime", 0, OPT_STRING, &f.cpu_rt_runtime, "USECS",
      "CPU realtime runtime per period" },
    { "cpu-share", 0, OPT_STRING, &f.cpu_share, "N",
      "CPU shares (relative weight)" },
    { "cpu-idle", 0, OPT_STRING, &f.cpu_idle, "0|1",
      "SCHED_IDLE for the cgroup" },
    { "cpuset-cpus", 0, OPT_STRING, &f.cpuset_cpus, "LIST",
      "CPUs to run on (0-3,5)" },
    { "cpuset-mems", 0, OPT_STRING, &f.cpuset_mems, "LIST",
      "memory nodes to use" },
    { "memory", 0, OPT_STRING, &f.memory, "BYTES",
      "memory limit (64m, 1g; -1: none)" },
    { "memory-swap", 0, OPT_STRING, &f.memory_swap, "BYTES",
      "memory+swap limit (-1: unlimited swap)" },
    { "memory-reservation", 0, OPT_STRING, &f.memory_reservation, "BYTES",
      "memory soft limit" },
    { "kernel-memory", 0, OPT_STRING, &f.kernel_memory, "BYTES",
      "obsolete (ignored by current kernels)" },
    { "kernel-memory-tcp", 0, OPT_STRING, &f.kernel_memory_tcp, "BYTES",
      "kernel TCP buffer limit (cgroup v1)" },
    { "pids-limit", 0, OPT_STRING, &f.pids_limit, "N",
      "maximum number of tasks (-1: none)" },
    { "l3-cache-schema", 0, OPT_STRING, &f.l3_cache_schema, "SCHEMA",
      "Intel RDT/CAT L3 cache schema" },
    { "mem-bw-schema", 0, OPT_STRING, &f.mem_bw_schema, "SCHEMA",
      "Intel RDT/MBA memory bandwidth schema" },
    { 0 },
  };
  static const struct cli_usage usage = {
    "update",
    "ward update [options] CONTAINER_ID",
    "Update the cgroup limits of a container: a linux.resources JSON "
    "document, or the flags (0 or absent: unchanged).",
    1,
    "container id",
  };
  int first = cli_begin (&usage, defs, argc, argv, err);
  if (first <= 0)
    return first < 0;
  if (policy)
    return policy_update_running (g->root, argv[first], policy, err) < 0;
  struct oci_resources *res = NULL;
  int r = -1;
  if (f.resources)
    r = from_file (f.resources, &res, err);
  else if ((r = check_rdt (&f, err)) == 0)
    {
      res = xmalloc0 (sizeof *res);
      r = from_flags (&f, res, err);
    }
  if (r == 0)
    r = container_update (g->root, argv[first], res, err);
  oci_resources_free (res);
  return r < 0 ? 1 : 0;
}
