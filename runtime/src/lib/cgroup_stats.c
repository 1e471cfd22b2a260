/* ward — the container's resource usage in runc's `events --stats` shape
 * (runc's types.Stats): cpu, cpuset, memory, pids, blkio, hugetlb,
 * intel_rdt, network_interfaces, in that order, with Go's omitempty rules
 * (zero numbers and empty lists left out, nested objects always present).
 * Each section reads the v1 controller of its name when the container has
 * one, else the cgroup2 files. */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "utils.h"
#include "ward/cleanup.h"
#include "ward/json.h"

#define U64_MAX_LIMIT UINT64_MAX

/* ---- where to read ------------------------------------------------------- */

static const char *
v1_dir (const struct cgroup_mgr *mgr, const char *ctrl)
{
  for (size_t i = 0; i < mgr->n_hier; i++)
    if (!mgr->hier[i].unified
        && cgroup_has_controller (mgr->hier[i].controllers, ctrl))
      return mgr->hier[i].path;
  return NULL;
}

/* The cgroup2 directory when it has `file`. */
static const char *
v2_dir (const struct cgroup_mgr *mgr, const char *file)
{
  for (size_t i = 0; i < mgr->n_hier; i++)
    if (mgr->hier[i].unified && cgroup_has_file (mgr->hier[i].path, file))
      return mgr->hier[i].path;
  return NULL;
}

/* ---- reading --------------------------------------------------------------- */

/* A number file; "max" is the largest value; 0 when absent. */
static uint64_t
read_u64 (const char *dir, const char *file)
{
  _cleanup_free_ char *s = NULL;
  struct werr ignored = { 0 };
  if (dir == NULL || cgroup_read (dir, file, &s, &ignored) < 0)
    return 0;
  if (strncmp (s, "max", 3) == 0)
    return U64_MAX_LIMIT;
  return strtoull (s, NULL, 10);
}

/* The value of `key` in a "key value" per line file (memory.stat,
 * cpu.stat, memory.events); 0 when absent. */
static uint64_t
read_key (const char *dir, const char *file, const char *key)
{
  _cleanup_free_ char *s = NULL;
  struct werr ignored = { 0 };
  if (dir == NULL || cgroup_read (dir, file, &s, &ignored) < 0)
    return 0;
  size_t n = strlen (key);
  for (char *line = s; line && *line;)
    {
      if (strncmp (line, key, n) == 0 && line[n] == ' ')
        return strtoull (line + n + 1, NULL, 10);
      line = strchr (line, '\n');
      line = line ? line + 1 : NULL;
    }
  return 0;
}

static void
kuint (struct jw *w, const char *key, uint64_t v)
{
  jw_key (w, key);
  jw_uint (w, v);
}

/* omitempty */
static void
kuint_nz (struct jw *w, const char *key, uint64_t v)
{
  if (v)
    kuint (w, key, v);
}

/* A whitespace-separated list of numbers as an array (omitempty). */
static void
kuint_list (struct jw *w, const char *key, const char *s)
{
  if (s == NULL || s[strspn (s, " \n")] == '\0')
    return;
  jw_key (w, key);
  jw_arr_open (w);
  for (char *end; *s;)
    {
      uint64_t v = strtoull (s, &end, 10);
      if (end == s)
        break;
      jw_uint (w, v);
      s = end;
    }
  jw_arr_close (w);
}

/* ---- cpu ----------------------------------------------------------------------- */

/* cpuacct.usage_all: "cpu user system" then one line per cpu. */
static void
percpu_split (struct jw *w, const char *dir)
{
  _cleanup_free_ char *s = NULL;
  struct werr ignored = { 0 };
  if (cgroup_read (dir, "cpuacct.usage_all", &s, &ignored) < 0)
    return;
  char *body = strchr (s, '\n');
  if (body == NULL)
    return;
  for (int col = 0; col < 2; col++)
    {
      jw_key (w, col == 0 ? "percpu_kernel" : "percpu_user");
      jw_arr_open (w);
      for (char *line = body + 1; line && *line;)
        {
          unsigned long long cpu, user, sys;
          if (sscanf (line, "%llu %llu %llu", &cpu, &user, &sys) == 3)
            jw_uint (w, col == 0 ? sys : user);
          line = strchr (line, '\n');
          line = line ? line + 1 : NULL;
        }
      jw_arr_close (w);
    }
}

static void
stats_cpu (const struct cgroup_mgr *mgr, struct jw *w)
{
  const char *acct = v1_dir (mgr, "cpuacct");
  const char *cpu = v1_dir (mgr, "cpu");
  const char *v2 = acct ? NULL : v2_dir (mgr, "cpu.stat");
  jw_key (w, "cpu");
  jw_obj_open (w);
  jw_key (w, "usage");
  jw_obj_open (w);
  if (acct)
    {
      /* cpuacct.stat counts USER_HZ ticks. */
      long hz = sysconf (_SC_CLK_TCK);
      uint64_t tick = hz > 0 ? 1000000000ULL / (uint64_t) hz : 10000000ULL;
      _cleanup_free_ char *percpu = NULL;
      struct werr ignored = { 0 };
      cgroup_read (acct, "cpuacct.usage_percpu", &percpu, &ignored);
      kuint_nz (w, "total", read_u64 (acct, "cpuacct.usage"));
      kuint_list (w, "percpu", percpu);
      percpu_split (w, acct);
      kuint (w, "kernel", read_key (acct, "cpuacct.stat", "system") * tick);
      kuint (w, "user", read_key (acct, "cpuacct.stat", "user") * tick);
    }
  else
    {
      kuint_nz (w, "total", read_key (v2, "cpu.stat", "usage_usec") * 1000);
      kuint (w, "kernel", read_key (v2, "cpu.stat", "system_usec") * 1000);
      kuint (w, "user", read_key (v2, "cpu.stat", "user_usec") * 1000);
    }
  jw_obj_close (w);
  const char *thr = cpu ? cpu : v2_dir (mgr, "cpu.stat");
  jw_key (w, "throttling");
  jw_obj_open (w);
  kuint_nz (w, "periods", read_key (thr, "cpu.stat", "nr_periods"));
  kuint_nz (w, "throttledPeriods", read_key (thr, "cpu.stat", "nr_throttled"));
  kuint_nz (w, "throttledTime",
            cpu ? read_key (thr, "cpu.stat", "throttled_time")
                : read_key (thr, "cpu.stat", "throttled_usec") * 1000);
  jw_obj_close (w);
  jw_obj_close (w);
}

/* ---- cpuset ----------------------------------------------------------------- */

/* "0-2,5" as [0,1,2,5] (omitempty). */
static void
kcpu_list (struct jw *w, const char *key, const char *dir, const char *file)
{
  _cleanup_free_ char *s = NULL;
  struct werr ignored = { 0 };
  if (dir == NULL || cgroup_read (dir, file, &s, &ignored) < 0 || *s == '\0')
    return;
  jw_key (w, key);
  jw_arr_open (w);
  for (char *p = s, *end; *p;)
    {
      unsigned long a = strtoul (p, &end, 10), b = a;
      if (end == p)
        break;
      if (*end == '-')
        b = strtoul (end + 1, &end, 10);
      for (unsigned long i = a; i <= b && i - a < 4096; i++)
        jw_uint (w, i);
      p = *end == ',' ? end + 1 : end;
      if (*end != ',')
        break;
    }
  jw_arr_close (w);
}

static void
stats_cpuset (const struct cgroup_mgr *mgr, struct jw *w)
{
  static const char *const flags[][2] = {
    { "cpu_exclusive", "cpuset.cpu_exclusive" },
    { "mem_hardwall", "cpuset.mem_hardwall" },
    { "mem_exclusive", "cpuset.mem_exclusive" },
    { "memory_migrate", "cpuset.memory_migrate" },
    { "memory_spread_page", "cpuset.memory_spread_page" },
    { "memory_spread_slab", "cpuset.memory_spread_slab" },
    { "memory_pressure", "cpuset.memory_pressure" },
    { "sched_load_balance", "cpuset.sched_load_balance" },
  };
  const char *dir = v1_dir (mgr, "cpuset");
  const char *v2 = dir ? NULL : v2_dir (mgr, "cpuset.cpus.effective");
  jw_key (w, "cpuset");
  jw_obj_open (w);
  kcpu_list (w, "cpus", dir ? dir : v2,
             dir ? "cpuset.cpus" : "cpuset.cpus.effective");
  kuint (w, flags[0][0], read_u64 (dir, flags[0][1]));
  kcpu_list (w, "mems", dir ? dir : v2,
             dir ? "cpuset.mems" : "cpuset.mems.effective");
  for (size_t i = 1; i < ARRAY_SIZE (flags); i++)
    kuint (w, flags[i][0], read_u64 (dir, flags[i][1]));
  _cleanup_free_ char *lvl = NULL;
  struct werr ignored = { 0 };
  jw_key (w, "sched_relax_domain_level");
  jw_int (w, dir
                     && cgroup_read (dir, "cpuset.sched_relax_domain_level",
                                     &lvl, &ignored)
                            == 0
                 ? strtoll (lvl, NULL, 10)
                 : 0);
  jw_obj_close (w);
}

/* ---- memory ------------------------------------------------------------------ */

/* {"limit", "usage", "max", "failcnt"} of one v1 prefix ("memory",
 * "memory.memsw", "memory.kmem", "memory.kmem.tcp"). */
static void
mem_entry_v1 (struct jw *w, const char *key, const char *dir,
              const char *prefix)
{
  char f[64];
  jw_key (w, key);
  jw_obj_open (w);
  snprintf (f, sizeof f, "%s.limit_in_bytes", prefix);
  kuint (w, "limit", read_u64 (dir, f));
  snprintf (f, sizeof f, "%s.usage_in_bytes", prefix);
  kuint_nz (w, "usage", read_u64 (dir, f));
  snprintf (f, sizeof f, "%s.max_usage_in_bytes", prefix);
  kuint_nz (w, "max", read_u64 (dir, f));
  snprintf (f, sizeof f, "%s.failcnt", prefix);
  kuint (w, "failcnt", read_u64 (dir, f));
  jw_obj_close (w);
}

static void
mem_entry (struct jw *w, const char *key, uint64_t limit, uint64_t usage,
           uint64_t max, uint64_t failcnt)
{
  jw_key (w, key);
  jw_obj_open (w);
  kuint (w, "limit", limit);
  kuint_nz (w, "usage", usage);
  kuint_nz (w, "max", max);
  kuint (w, "failcnt", failcnt);
  jw_obj_close (w);
}

/* memory.stat as "raw" (omitempty). */
static void
mem_raw (struct jw *w, const char *dir)
{
  _cleanup_free_ char *s = NULL;
  struct werr ignored = { 0 };
  if (dir == NULL || cgroup_read (dir, "memory.stat", &s, &ignored) < 0
      || *s == '\0')
    return;
  jw_key (w, "raw");
  jw_obj_open (w);
  for (char *save = NULL, *line = strtok_r (s, "\n", &save); line;
       line = strtok_r (NULL, "\n", &save))
    {
      char *sp = strchr (line, ' ');
      if (sp == NULL)
        continue;
      *sp = '\0';
      kuint (w, line, strtoull (sp + 1, NULL, 10));
    }
  jw_obj_close (w);
}

static void
stats_memory (const struct cgroup_mgr *mgr, struct jw *w)
{
  const char *dir = v1_dir (mgr, "memory");
  const char *v2 = dir ? NULL : v2_dir (mgr, "memory.current");
  jw_key (w, "memory");
  jw_obj_open (w);
  if (dir || v2 == NULL)
    {
      kuint_nz (w, "cache", read_key (dir, "memory.stat", "cache"));
      mem_entry_v1 (w, "usage", dir, "memory");
      mem_entry_v1 (w, "swap", dir, "memory.memsw");
      mem_entry_v1 (w, "kernel", dir, "memory.kmem");
      mem_entry_v1 (w, "kernelTCP", dir, "memory.kmem.tcp");
      mem_raw (w, dir);
    }
  else
    {
      /* As runc: swap is reported as memory+swap, like v1's memsw. */
      uint64_t cur = read_u64 (v2, "memory.current");
      uint64_t max = read_u64 (v2, "memory.max");
      uint64_t swap_max = read_u64 (v2, "memory.swap.max");
      kuint_nz (w, "cache", read_key (v2, "memory.stat", "file"));
      mem_entry (w, "usage", max, cur, read_u64 (v2, "memory.peak"),
                 read_key (v2, "memory.events", "max"));
      mem_entry (w, "swap",
                 swap_max == UINT64_MAX || max == UINT64_MAX ? UINT64_MAX
                                                             : swap_max + max,
                 read_u64 (v2, "memory.swap.current") + cur, 0, 0);
      mem_entry (w, "kernel", 0, 0, 0, 0);
      mem_entry (w, "kernelTCP", 0, 0, 0, 0);
      mem_raw (w, v2);
    }
  jw_obj_close (w);
}

/* ---- pids, blkio ---------------------------------------------------------------- */

static void
stats_pids (const struct cgroup_mgr *mgr, struct jw *w)
{
  const char *dir = v1_dir (mgr, "pids");
  if (dir == NULL)
    dir = v2_dir (mgr, "pids.current");
  uint64_t limit = read_u64 (dir, "pids.max");
  jw_key (w, "pids");
  jw_obj_open (w);
  kuint_nz (w, "current", read_u64 (dir, "pids.current"));
  kuint_nz (w, "limit", limit == UINT64_MAX ? 0 : limit);
  jw_obj_close (w);
}

static void
blkio_entry (struct jw *w, unsigned long long major, unsigned long long minor,
             const char *op, uint64_t value)
{
  jw_obj_open (w);
  kuint_nz (w, "major", major);
  kuint_nz (w, "minor", minor);
  if (op && *op)
    jw_kstr (w, "op", op);
  kuint_nz (w, "value", value);
  jw_obj_close (w);
}

/* v1: "8:0 Read 4096" lines ("Total N" lines skipped), omitempty. */
static void
blkio_v1_list (struct jw *w, const char *key, const char *dir, const char *file)
{
  _cleanup_free_ char *s = NULL;
  struct werr ignored = { 0 };
  if (cgroup_read (dir, file, &s, &ignored) < 0)
    return;
  bool open = false;
  for (char *save = NULL, *line = strtok_r (s, "\n", &save); line;
       line = strtok_r (NULL, "\n", &save))
    {
      unsigned long long major, minor, value;
      char op[32];
      if (sscanf (line, "%llu:%llu %31s %llu", &major, &minor, op, &value) != 4)
        continue;
      if (!open)
        {
          jw_key (w, key);
          jw_arr_open (w);
          open = true;
        }
      blkio_entry (w, major, minor, op, value);
    }
  if (open)
    jw_arr_close (w);
}

/* v2 io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 ...". */
static void
blkio_v2_list (struct jw *w, const char *key, const char *dir, const char *rkey,
               const char *wkey)
{
  _cleanup_free_ char *s = NULL;
  struct werr ignored = { 0 };
  if (cgroup_read (dir, "io.stat", &s, &ignored) < 0 || *s == '\0')
    return;
  jw_key (w, key);
  jw_arr_open (w);
  for (char *save = NULL, *line = strtok_r (s, "\n", &save); line;
       line = strtok_r (NULL, "\n", &save))
    {
      unsigned long long major, minor;
      if (sscanf (line, "%llu:%llu", &major, &minor) != 2)
        continue;
      for (int k = 0; k < 2; k++)
        {
          _cleanup_free_ char *pat = xasprintf (" %s=", k ? wkey : rkey);
          char *p = strstr (line, pat);
          if (p)
            blkio_entry (w, major, minor, k ? "Write" : "Read",
                         strtoull (p + strlen (pat), NULL, 10));
        }
    }
  jw_arr_close (w);
}

static void
stats_blkio (const struct cgroup_mgr *mgr, struct jw *w)
{
  const char *dir = v1_dir (mgr, "blkio");
  const char *v2 = dir ? NULL : v2_dir (mgr, "io.stat");
  jw_key (w, "blkio");
  jw_obj_open (w);
  if (dir)
    {
      /* BFQ's counters, else CFQ's, else the throttle layer's (runc). */
      const char *pfx = cgroup_has_file (dir, "blkio.bfq.io_serviced_recursive")
                            ? "blkio.bfq."
                        : cgroup_has_file (dir, "blkio.io_serviced_recursive")
                            ? "blkio."
                            : "blkio.throttle.";
      _cleanup_free_ char *bytes
          = xasprintf ("%sio_service_bytes_recursive", pfx);
      _cleanup_free_ char *ios = xasprintf ("%sio_serviced_recursive", pfx);
      blkio_v1_list (w, "ioServiceBytesRecursive", dir, bytes);
      blkio_v1_list (w, "ioServicedRecursive", dir, ios);
    }
  else if (v2)
    {
      blkio_v2_list (w, "ioServiceBytesRecursive", v2, "rbytes", "wbytes");
      blkio_v2_list (w, "ioServicedRecursive", v2, "rios", "wios");
    }
  jw_obj_close (w);
}

/* ---- hugetlb ------------------------------------------------------------------------ */

/* "hugepages-2048kB" -> "2MB", the name the hugetlb files use. */
static bool
page_size_name (const char *dirent, char *out, size_t len)
{
  unsigned long kb;
  if (sscanf (dirent, "hugepages-%lukB", &kb) != 1)
    return false;
  if (kb >= 1024 * 1024 && kb % (1024 * 1024) == 0)
    snprintf (out, len, "%luGB", kb / (1024 * 1024));
  else if (kb >= 1024 && kb % 1024 == 0)
    snprintf (out, len, "%luMB", kb / 1024);
  else
    snprintf (out, len, "%luKB", kb);
  return true;
}

static void
hugetlb_one (struct jw *w, const char *v1, const char *v2, const char *size)
{
  char f[96];
  jw_key (w, size);
  jw_obj_open (w);
  if (v1)
    {
      snprintf (f, sizeof f, "hugetlb.%s.usage_in_bytes", size);
      kuint_nz (w, "usage", read_u64 (v1, f));
      snprintf (f, sizeof f, "hugetlb.%s.max_usage_in_bytes", size);
      kuint_nz (w, "max", read_u64 (v1, f));
      snprintf (f, sizeof f, "hugetlb.%s.failcnt", size);
      kuint (w, "failcnt", read_u64 (v1, f));
    }
  else
    {
      snprintf (f, sizeof f, "hugetlb.%s.current", size);
      kuint_nz (w, "usage", read_u64 (v2, f));
      snprintf (f, sizeof f, "hugetlb.%s.events", size);
      kuint (w, "failcnt", read_key (v2, f, "max"));
    }
  jw_obj_close (w);
}

static void
stats_hugetlb (const struct cgroup_mgr *mgr, struct jw *w)
{
  const char *v1 = v1_dir (mgr, "hugetlb");
  jw_key (w, "hugetlb");
  jw_obj_open (w);
  DIR *d = opendir ("/sys/kernel/mm/hugepages");
  for (struct dirent *e; d && (e = readdir (d));)
    {
      char size[32], f[96];
      if (!page_size_name (e->d_name, size, sizeof size))
        continue;
      snprintf (f, sizeof f, "hugetlb.%s.current", size);
      const char *v2 = v1 ? NULL : v2_dir (mgr, f);
      if (v1 || v2)
        hugetlb_one (w, v1, v2, size);
    }
  if (d)
    closedir (d);
  jw_obj_close (w);
}

int
cgroup_stats_json (struct cgroup_mgr *mgr, struct jw *w, struct werr *err)
{
  if (mgr == NULL || mgr->n_hier == 0)
    return werr_set (err, 0,
                     "the container has no cgroup to read "
                     "statistics from");
  jw_obj_open (w);
  stats_cpu (mgr, w);
  stats_cpuset (mgr, w);
  stats_memory (mgr, w);
  stats_pids (mgr, w);
  stats_blkio (mgr, w);
  stats_hugetlb (mgr, w);
  jw_key (w, "intel_rdt");
  jw_obj_open (w);
  jw_obj_close (w);
  jw_key (w, "network_interfaces");
  jw_null (w);
  jw_obj_close (w);
  return 0;
}
