/* ward — unit tests for the cgroup manager.
 *
 * Path computation is tested everywhere; the rest needs root (exit 77, the
 * automake skip code, otherwise) and creates cgroups named ward-test-<pid>*
 * directly under each hierarchy's root, all removed at exit even when a
 * check fails. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup_internal.h"
#include "utils.h"
#include "ward/cleanup.h"
#include "ward/json.h"
#include "ward/oci_resources.h"

static int passed, failed;
static char prefix[64]; /* "ward-test-<pid>" */

#define CHECK(cond, ...) check ((cond), #cond, __LINE__, __VA_ARGS__)

static bool
check (bool ok, const char *expr, int line, const char *fmt, ...)
{
  if (ok)
    {
      passed++;
      return true;
    }
  failed++;
  va_list ap;
  va_start (ap, fmt);
  fprintf (stderr, "FAIL line %d: %s: ", line, expr);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  va_end (ap);
  return false;
}

static bool
exists (const char *p)
{
  struct stat st;
  return stat (p, &st) == 0;
}

static bool
ends_with (const char *s, const char *suffix)
{
  size_t a = strlen (s), b = strlen (suffix);
  return a >= b && strcmp (s + a - b, suffix) == 0;
}

/* ---- pure tests ------------------------------------------------------------ */

static void
expect_inner (const char *cgpath, const char *id, const char *want)
{
  struct werr err = { 0 };
  char *got = NULL;
  int r = cgroup_inner_path (cgpath, id, &got, &err);
  if (want)
    CHECK (r == 0 && strcmp (got, want) == 0, "inner(%s,%s) = %s (%s), want %s",
           cgpath ? cgpath : "NULL", id, got ? got : "error", err.msg, want);
  else
    CHECK (r < 0 && strstr (err.msg, "cgroup"), "inner(%s,%s) should fail: %s",
           cgpath ? cgpath : "NULL", id, got ? got : err.msg);
  free (got);
}

static void
expect_dir (const char *mnt, const char *root, const char *own,
            const char *inner, bool parent, const char *want)
{
  _cleanup_free_ char *got = cgroup_hier_dir (mnt, root, own, inner, parent);
  CHECK (strcmp (got, want) == 0, "dir(%s,%s,%s,%s,%d) = %s, want %s", mnt,
         root, own, inner, parent, got, want);
}

static void
test_paths (void)
{
  expect_inner (NULL, "c1", "c1");
  expect_inner ("", "c1", "c1");
  expect_inner ("/a/b", "c1", "/a/b");
  expect_inner ("a/b", "c1", "a/b");
  expect_inner ("/a/./b//c/", "c1", "/a/b/c");
  expect_inner ("a/../b", "c1", "b");
  expect_inner ("/a/b/..", "c1", "/a");
  expect_inner ("/../x", "c1", NULL);
  expect_inner ("a/../../x", "c1", NULL);
  expect_inner ("/", "c1", NULL);
  expect_inner (".", "c1", NULL);
  expect_inner (NULL, "..", NULL);
  expect_inner (NULL, "a/b", NULL);

  struct werr err = { 0 };
  char *got = NULL;
  CHECK (cgroup_inner_path ("system.slice:runc:c1", "c1", &got, &err) < 0
             && strstr (err.msg, "cgroupsPath")
             && strstr (err.msg, "--systemd-cgroup"),
         "systemd form without --systemd-cgroup: %s", err.msg);
  free (got);

  const char *m = "/sys/fs/cgroup/memory";
  expect_dir (m, "/", "/user.slice", "/a/b", false,
              "/sys/fs/cgroup/memory/a/b");
  expect_dir (m, "/", "/user.slice", "a/b", false,
              "/sys/fs/cgroup/memory/user.slice/a/b");
  expect_dir (m, "/", "/", "c1", false, "/sys/fs/cgroup/memory/c1");
  expect_dir (m, "/docker/x", "/docker/x/sub", "c1", false,
              "/sys/fs/cgroup/memory/sub/c1");
  expect_dir (m, "/docker/x", "/elsewhere", "c1", false,
              "/sys/fs/cgroup/memory/c1");
  /* pure v2: relative to the parent of the runtime's own cgroup */
  expect_dir ("/sys/fs/cgroup", "/", "/user.slice/session-1.scope", "c1", true,
              "/sys/fs/cgroup/user.slice/c1");
  expect_dir ("/sys/fs/cgroup", "/", "/", "c1", true, "/sys/fs/cgroup/c1");
  expect_dir ("/sys/fs/cgroup", "/", "/init.scope", "/k8s/p", true,
              "/sys/fs/cgroup/k8s/p");

  CHECK (cgroup_shares_to_weight (0) == 0, "shares 0");
  CHECK (cgroup_shares_to_weight (2) == 1, "shares 2");
  CHECK (cgroup_shares_to_weight (1024) == 100, "shares 1024 -> %llu",
         (unsigned long long) cgroup_shares_to_weight (1024));
  CHECK (cgroup_shares_to_weight (512) == 59, "shares 512 -> %llu",
         (unsigned long long) cgroup_shares_to_weight (512));
  CHECK (cgroup_shares_to_weight (100000) == 4340, "shares 100000 -> %llu",
         (unsigned long long) cgroup_shares_to_weight (100000));
  CHECK (cgroup_shares_to_weight (262144) == 10000, "shares max");
}

static void
expect_load_fails (const char *json, const char *why)
{
  struct werr err = { 0 };
  struct jnode *root = jnode_parse (json, strlen (json), &err);
  struct cgroup_mgr *mgr = NULL;
  CHECK (root && cgroup_load (root, &mgr, &err) < 0, "load must refuse %s: %s",
         why, json);
  cgroup_mgr_free (mgr);
  jnode_free (root);
}

/* A state file names directories destroy will rmdir and signal. */
static void
test_load_validation (void)
{
  expect_load_fails ("{\"mode\":\"hybrid\",\"hierarchies\":[{\"controllers\":"
                     "\"pids\",\"mount\":\"/sys/fs/cgroup/pids\",\"path\":"
                     "\"/etc/x\",\"created_top\":\"/etc/x\"}]}",
                     "a path outside the mount");
  expect_load_fails ("{\"mode\":\"hybrid\",\"hierarchies\":[{\"controllers\":"
                     "\"pids\",\"mount\":\"/sys/fs/cgroup/pids\",\"path\":"
                     "\"/sys/fs/cgroup/pids/../../../etc\"}]}",
                     "a path with ..");
  expect_load_fails ("{\"mode\":\"hybrid\",\"hierarchies\":[{\"controllers\":"
                     "\"pids\",\"mount\":\"/sys/fs/cgroup/pids\",\"path\":"
                     "\"/sys/fs/cgroup/pids/a/b\",\"created_top\":"
                     "\"/sys/fs/cgroup/pids/x\"}]}",
                     "created_top not on the way");
  expect_load_fails ("{\"mode\":\"hybrid\",\"hierarchies\":[{\"controllers\":"
                     "\"x\",\"mount\":\"/proc\",\"path\":\"/proc/sys\"}]}",
                     "a mount that is not cgroupfs");
  expect_load_fails ("{\"mode\":\"weird\",\"hierarchies\":[]}", "a bad mode");

  struct werr err = { 0 };
  struct cgroup_mgr *mgr = NULL;
  const char *empty = "{\"mode\":\"legacy\",\"hierarchies\":[]}";
  struct jnode *root = jnode_parse (empty, strlen (empty), &err);
  CHECK (root && cgroup_load (root, &mgr, &err) == 0 && mgr->n_hier == 0
             && cgroup_destroy (mgr, &err) == 0,
         "empty manager: %s", err.msg);
  cgroup_mgr_free (mgr);
  jnode_free (root);
}

/* ---- cgroup v2 conversions (pure) -------------------------------------------- */

/* The plan as "file=value" lines ("file=value|alt=value" with a fallback,
 * "?" before an optional file). */
static char *
plan_str (const struct oci_resources *res, unsigned groups, bool update,
          const char *cur, struct werr *err)
{
  struct cg_plan plan;
  if (cgroup_v2_plan (res, groups, update, cur, &plan, err) < 0)
    return NULL;
  size_t cap = 16;
  for (size_t i = 0; i < plan.n; i++)
    cap += strlen (plan.v[i].file) + strlen (plan.v[i].value) + 8
           + (plan.v[i].alt_file
                  ? strlen (plan.v[i].alt_file) + strlen (plan.v[i].alt_value)
                  : 0);
  char *out = xmalloc0 (cap);
  for (size_t i = 0; i < plan.n; i++)
    {
      const struct cg_write *w = &plan.v[i];
      sprintf (out + strlen (out), "%s%s=%s", w->optional ? "?" : "", w->file,
               w->value);
      if (w->alt_file)
        sprintf (out + strlen (out), "|%s=%s", w->alt_file, w->alt_value);
      strcat (out, "\n");
    }
  cgroup_plan_free (&plan);
  return out;
}

#define ALL_GROUPS (~0u)

static void
expect_plan (const struct oci_resources *res, bool update, const char *cur,
             const char *want)
{
  struct werr err = { 0 };
  _cleanup_free_ char *got = plan_str (res, ALL_GROUPS, update, cur, &err);
  CHECK (got && strcmp (got, want) == 0, "plan:\n%s\nwant:\n%s(%s)",
         got ? got : "error", want, err.msg);
}

static void
expect_plan_error (const struct oci_resources *res, const char *field)
{
  struct werr err = { 0 };
  _cleanup_free_ char *got = plan_str (res, ALL_GROUPS, false, NULL, &err);
  CHECK (got == NULL && strstr (err.msg, field), "plan must fail naming %s: %s",
         field, got ? got : err.msg);
}

static void
test_v2_memory (void)
{
  struct oci_resources r = { .has_memory = true };
  r.memory.has_limit = true;
  r.memory.limit = 64 << 20;
  r.memory.has_swap = true;
  r.memory.swap = 96 << 20;
  r.memory.has_reservation = true;
  r.memory.reservation = 32 << 20;
  /* OCI's swap is memory+swap; memory.swap.max is swap alone. */
  expect_plan (&r, false, NULL,
               "memory.swap.max=33554432\nmemory.max=67108864\n"
               "memory.low=33554432\n");
  r.memory.has_reservation = false;
  r.memory.swap = -1;
  expect_plan (&r, false, NULL, "memory.swap.max=max\nmemory.max=67108864\n");
  r.memory.limit = -1;
  r.memory.swap = 0;
  expect_plan (&r, false, NULL, "memory.swap.max=max\nmemory.max=max\n");
  r.memory.has_swap = false;
  r.memory.limit = 1000;
  expect_plan (&r, false, NULL, "memory.max=1000\n");
  r.memory.has_swap = true;
  r.memory.swap = 500;
  expect_plan_error (&r, "memory.swap");
  r.memory.has_limit = false;
  expect_plan_error (&r, "memory.swap");

  int64_t v = 0;
  struct werr err = { 0 };
  CHECK (cgroup_swap_to_v2 (0, 100, &v, &err) == 0 && v == -2, "unset swap");
  CHECK (cgroup_swap_to_v2 (300, 100, &v, &err) == 0 && v == 200, "swap 200");

  struct oci_resources k = { .has_memory = true };
  k.memory.has_kernel_tcp = true;
  k.memory.kernel_tcp = 1 << 20;
  expect_plan_error (&k, "memory.kernelTCP");
  struct oci_resources s = { .has_memory = true };
  s.memory.has_swappiness = true;
  s.memory.swappiness = 10;
  expect_plan_error (&s, "memory.swappiness");
  struct oci_resources o = { .has_memory = true };
  o.memory.has_disable_oom_killer = o.memory.disable_oom_killer = true;
  expect_plan_error (&o, "memory.disableOOMKiller");
}

static void
test_v2_cpu (void)
{
  struct oci_resources r = { .has_cpu = true };
  r.cpu.has_shares = true;
  r.cpu.shares = 1024;
  r.cpu.has_quota = true;
  r.cpu.quota = 50000;
  r.cpu.has_period = true;
  r.cpu.period = 100000;
  r.cpu.has_burst = true;
  r.cpu.burst = 1000;
  r.cpu.has_idle = true;
  r.cpu.idle = 1;
  r.cpu.cpus = (char *) "0-1";
  r.cpu.mems = (char *) "0";
  expect_plan (&r, false, NULL,
               "cpu.weight=100\ncpu.max=50000 100000\ncpu.max.burst=1000\n"
               "cpu.idle=1\ncpuset.cpus=0-1\ncpuset.mems=0\n");
  struct oci_resources q = { .has_cpu = true };
  q.cpu.has_quota = true;
  q.cpu.quota = 20000;
  /* The kernel keeps the period when only the quota is written. */
  expect_plan (&q, true, "max 100000", "cpu.max=20000\n");
  q.cpu.quota = -1;
  expect_plan (&q, false, NULL, "cpu.max=max\n");
  struct oci_resources p = { .has_cpu = true };
  p.cpu.has_period = true;
  p.cpu.period = 50000;
  expect_plan (&p, false, NULL, "cpu.max=max 50000\n");
  /* An update of the period alone keeps the quota (runc). */
  expect_plan (&p, true, "20000 100000", "cpu.max=20000 50000\n");
  struct oci_resources rt = { .has_cpu = true };
  rt.cpu.has_realtime_runtime = true;
  rt.cpu.realtime_runtime = 1000;
  expect_plan_error (&rt, "cpu.realtimeRuntime");
  CHECK (cgroup_shares_to_weight (2) == 1
             && cgroup_shares_to_weight (1024) == 100
             && cgroup_shares_to_weight (262144) == 10000,
         "shares -> weight end points");
}

static void
test_v2_io_and_more (void)
{
  struct oci_throttle_device rbps[] = { { 8, 0, 1048576 }, { 8, 16, 0 } };
  struct oci_weight_device wd[] = { { 8, 0, true, false, 200, 0 } };
  struct oci_hugepage_limit hp[] = { { (char *) "2MB", 4194304 } };
  struct oci_kv rdma[] = { { (char *) "mlx5_0", (char *) "hcaHandles=3" } };
  struct oci_kv uni[] = { { (char *) "io.weight", (char *) "default 77" } };
  struct oci_resources r = { .has_block_io = true, .has_pids = true };
  r.block_io.has_weight = true;
  r.block_io.weight = 500;
  r.block_io.weight_device = wd;
  r.block_io.n_weight_device = 1;
  r.block_io.throttle_read_bps = rbps;
  r.block_io.n_throttle_read_bps = 2;
  r.pids_limit = 0;
  r.hugepage_limits = hp;
  r.n_hugepage_limits = 1;
  r.rdma.v = rdma;
  r.rdma.n = 1;
  r.unified.v = uni;
  r.unified.n = 1;
  /* BFQ's weight when there is one, else io.weight on [1, 10000]; the
   * explicit `unified` value last, so it wins. */
  expect_plan (&r, false, NULL,
               "pids.max=max\n"
               "io.bfq.weight=500|io.weight=4950\n"
               "io.bfq.weight=8:0 200|io.weight=8:0 1920\n"
               "io.max=8:0 rbps=1048576\nio.max=8:16 rbps=max\n"
               "hugetlb.2MB.max=4194304\n?hugetlb.2MB.rsvd.max=4194304\n"
               "rdma.max=mlx5_0 hcaHandles=3\nio.weight=default 77\n");
  CHECK (cgroup_blkio_weight_to_io_weight (10) == 1
             && cgroup_blkio_weight_to_io_weight (1000) == 10000
             && cgroup_blkio_weight_to_io_weight (0) == 0,
         "blkio weight end points");
  struct oci_resources l = { .has_block_io = true };
  l.block_io.has_leaf_weight = true;
  l.block_io.leaf_weight = 10;
  expect_plan_error (&l, "blockIO.leafWeight");
  struct oci_kv bad[] = { { (char *) "../cgroup.procs", (char *) "1" } };
  struct oci_resources u = { 0 };
  u.unified.v = bad;
  u.unified.n = 1;
  expect_plan_error (&u, "unified");
  /* Only the groups asked for. */
  struct werr err = { 0 };
  _cleanup_free_ char *only
      = plan_str (&r, 1u << CG_RES_PIDS, false, NULL, &err);
  CHECK (only && strcmp (only, "pids.max=max\n") == 0, "pids only: %s", only);
}

/* ---- device policy and its BPF program (pure) ------------------------------ */

static bool
allows (const struct cgroup_dev_policy *p, char type, uint32_t maj,
        uint32_t min, const char *acc)
{
  unsigned bits = 0;
  for (; *acc; acc++)
    bits |= *acc == 'm'   ? BPF_DEVCG_ACC_MKNOD
            : *acc == 'r' ? BPF_DEVCG_ACC_READ
                          : BPF_DEVCG_ACC_WRITE;
  return cgroup_dev_policy_allows (p, type, maj, min, bits);
}

static void
build (const struct oci_device_cgroup *rules, size_t n,
       struct cgroup_dev_policy *p)
{
  struct werr err = { 0 };
  CHECK (cgroup_dev_policy_build (rules, n, p, &err) == 0, "build: %s",
         err.msg);
}

static void
test_dev_policy (void)
{
  struct cgroup_dev_policy p;
  build (NULL, 0, &p);
  CHECK (!p.default_allow, "defaults deny");
  CHECK (allows (&p, 'c', 1, 3, "rwm") && allows (&p, 'c', 136, 4, "rw")
             && allows (&p, 'c', 5, 2, "rw"),
         "null, pts, ptmx allowed");
  CHECK (!allows (&p, 'c', 1, 11, "r") && !allows (&p, 'b', 8, 0, "r"),
         "kmsg and disks denied");
  CHECK (allows (&p, 'b', 8, 0, "m") && allows (&p, 'c', 99, 1, "m")
             && !allows (&p, 'c', 99, 1, "rm"),
         "mknod of anything, not more");
  cgroup_dev_policy_free (&p);

  /* allow-all, then a partial deny: the default-allow side. */
  struct oci_device_cgroup r1[] = {
    { true, 'a', -1, -1, NULL },
    { false, 'c', 1, 11, (char *) "w" },
    { false, 'c', 1, 3, (char *) "w" },
  };
  build (r1, 3, &p);
  CHECK (p.default_allow, "allow a");
  CHECK (allows (&p, 'b', 8, 0, "rw") && allows (&p, 'c', 1, 11, "r")
             && !allows (&p, 'c', 1, 11, "w") && !allows (&p, 'c', 1, 11, "rw"),
         "partial deny under allow-all");
  /* The defaults come last and allow /dev/null again, as on v1. */
  CHECK (allows (&p, 'c', 1, 3, "rw"), "defaults re-allow /dev/null");
  cgroup_dev_policy_free (&p);

  /* deny-all, allow rwm, deny w: "r" stays, "rw" goes (the v1 fold, not
   * "last match wins"). */
  struct oci_device_cgroup r2[] = {
    { false, 'a', -1, -1, NULL },
    { true, 'c', 4, -1, (char *) "rwm" },
    { false, 'c', 4, -1, (char *) "w" },
    { true, 'c', 7, 1, (char *) "r" },
  };
  build (r2, 4, &p);
  CHECK (allows (&p, 'c', 4, 9, "r") && !allows (&p, 'c', 4, 9, "rw")
             && !allows (&p, 'c', 4, 9, "w") && allows (&p, 'c', 7, 1, "r")
             && !allows (&p, 'c', 7, 2, "r") && !allows (&p, 'b', 4, 9, "r"),
         "fold of partial rules");
  cgroup_dev_policy_free (&p);

  struct oci_device_cgroup bad[] = { { true, 'c', 1, 3, (char *) "rwx" } };
  struct werr err = { 0 };
  CHECK (cgroup_dev_policy_build (bad, 1, &p, &err) < 0
             && strstr (err.msg, "devices[0]") && strstr (err.msg, "rwx"),
         "bad access: %s", err.msg);
}

/* A BPF interpreter for the instructions the assembler emits: every
 * program is checked against the policy it was built from. */
static int
bpf_run (const struct bpf_insn *v, size_t n, const uint32_t ctx[3])
{
  uint64_t r[11] = { 0 };
  for (size_t pc = 0, steps = 0; pc < n && steps < 100000; pc++, steps++)
    {
      const struct bpf_insn *i = &v[pc];
      uint8_t cls = BPF_CLASS (i->code), op = BPF_OP (i->code);
      bool x = BPF_SRC (i->code) == BPF_X;
      uint32_t a = (uint32_t) r[i->dst_reg];
      uint32_t b = x ? (uint32_t) r[i->src_reg] : (uint32_t) i->imm;
      if (cls == BPF_LDX && i->src_reg == 1 && BPF_SIZE (i->code) == BPF_W
          && i->off >= 0 && i->off <= 8 && i->off % 4 == 0)
        r[i->dst_reg] = ctx[i->off / 4];
      else if (cls == BPF_ALU && op == BPF_MOV)
        r[i->dst_reg] = b;
      else if (cls == BPF_ALU && op == BPF_AND)
        r[i->dst_reg] = a & b;
      else if (cls == BPF_ALU && op == BPF_RSH)
        r[i->dst_reg] = a >> b;
      else if (cls == BPF_ALU64 && op == BPF_MOV && !x)
        r[i->dst_reg] = (uint64_t) (int64_t) i->imm;
      else if (cls == BPF_JMP32 && (op == BPF_JNE || op == BPF_JEQ))
        {
          if ((op == BPF_JNE) == (a != b))
            {
              if (pc + 1 + (size_t) i->off > n)
                return -2;
              pc += (size_t) i->off;
            }
        }
      else if (cls == BPF_JMP && op == BPF_EXIT)
        return (int) r[0];
      else
        return -3;
    }
  return -4;
}

static void
check_program (const struct cgroup_dev_policy *p, const char *what)
{
  static const uint32_t majors[] = { 0, 1, 4, 5, 7, 8, 10, 136, 4095 };
  static const uint32_t minors[] = { 0, 1, 2, 3, 7, 9, 11, 200 };
  size_t n = 0;
  _cleanup_free_ struct bpf_insn *prog = cgroup_bpf_dev_assemble (p, &n);
  int bad = 0;
  for (int t = 0; t < 2; t++)
    for (size_t a = 0; a < ARRAY_SIZE (majors); a++)
      for (size_t b = 0; b < ARRAY_SIZE (minors); b++)
        for (unsigned acc = 1; acc < 8; acc++)
          {
            char type = t ? 'b' : 'c';
            uint32_t ctx[3]
                = { (acc << 16)
                        | (t ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR),
                    majors[a], minors[b] };
            int got = bpf_run (prog, n, ctx);
            bool want
                = cgroup_dev_policy_allows (p, type, majors[a], minors[b], acc);
            if (got != (int) want && bad++ < 3)
              CHECK (false, "%s: %c %u:%u access %u: program %d, policy %d",
                     what, type, majors[a], minors[b], acc, got, want);
          }
  CHECK (bad == 0, "%s: %d mismatches", what, bad);
}

static void
test_bpf_assembly (void)
{
  struct cgroup_dev_policy p;
  build (NULL, 0, &p);
  size_t n = 0;
  _cleanup_free_ struct bpf_insn *prog = cgroup_bpf_dev_assemble (&p, &n);
  /* Prologue, eight or fewer per exception, the default verdict. */
  CHECK (n >= 8 && n <= 6 + 8 * p.n + 2, "%zu instructions for %zu rules", n,
         p.n);
  CHECK (prog[n - 1].code == (BPF_JMP | BPF_EXIT)
             && prog[n - 2].code == (BPF_ALU64 | BPF_MOV | BPF_K)
             && prog[n - 2].imm == 0,
         "ends with return 0 (deny)");
  check_program (&p, "defaults");
  cgroup_dev_policy_free (&p);

  struct oci_device_cgroup r1[] = {
    { true, 'a', -1, -1, NULL },
    { false, 'c', 1, 3, (char *) "w" },
    { false, 'b', 8, -1, (char *) "rw" },
  };
  build (r1, 3, &p);
  check_program (&p, "allow-all with denials");
  cgroup_dev_policy_free (&p);

  struct oci_device_cgroup r2[] = {
    { false, 'a', -1, -1, NULL },
    { true, 'c', 4, -1, (char *) "rwm" },
    { false, 'c', 4, -1, (char *) "w" },
    { true, 'b', -1, 7, (char *) "r" },
  };
  build (r2, 4, &p);
  check_program (&p, "deny-all with partial rules");
  cgroup_dev_policy_free (&p);
}

/* `update --resources FILE`: a bare linux.resources document. */
static void
test_resources_doc (void)
{
  const char *ok = "{\"memory\": {\"limit\": 1048576, \"swap\": -1}, "
                   "\"pids\": {\"limit\": 5}, \"cpu\": {\"cpus\": \"0\"}}";
  struct oci_resources *res = NULL;
  struct werr err = { 0 };
  CHECK (oci_resources_parse_data (ok, strlen (ok), "r.json", &res, &err) == 0
             && res->has_memory && res->memory.limit == 1048576
             && res->memory.swap == -1 && res->has_pids && res->pids_limit == 5
             && strcmp (res->cpu.cpus, "0") == 0,
         "parse: %s", err.msg);
  oci_resources_free (res);
  const char *bad = "{\"memory\": {\"limit\": \"big\"}}";
  res = NULL;
  CHECK (oci_resources_parse_data (bad, strlen (bad), "r.json", &res, &err) < 0
             && res == NULL
             && strstr (err.msg, "r.json: linux.resources.memory.limit"),
         "bad limit: %s", err.msg);
  CHECK (oci_resources_parse_data ("[1]", 3, "r.json", &res, &err) < 0,
         "an array is not a resources object");
  CHECK (oci_resources_parse_data ("{", 1, NULL, &res, &err) < 0
             && strstr (err.msg, "resources.json"),
         "truncated JSON: %s", err.msg);
}

/* ---- root tests ------------------------------------------------------------ */

static pid_t
spawn_sleeper (void)
{
  pid_t pid = fork ();
  if (pid == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      for (;;)
        pause ();
    }
  return pid;
}

static int
reap (pid_t pid)
{
  int status = 0;
  if (waitpid (pid, &status, 0) < 0)
    return -1;
  return WIFSIGNALED (status) ? WTERMSIG (status) : 0;
}

/* Remove every ward-test-<pid>* cgroup left in any hierarchy (SIGKILLing
 * what is in it first): the safety net behind failed checks. */
static void
remove_tree (const char *dir)
{
  _cleanup_free_ char *procs = xasprintf ("%s/cgroup.procs", dir);
  FILE *f = fopen (procs, "re");
  if (f)
    {
      int pid;
      while (fscanf (f, "%d", &pid) == 1)
        if (pid > 0 && pid != getpid ())
          kill (pid, SIGKILL);
      fclose (f);
    }
  DIR *d = opendir (dir);
  if (d)
    {
      for (struct dirent *e; (e = readdir (d));)
        if (e->d_type == DT_DIR && e->d_name[0] != '.')
          {
            _cleanup_free_ char *sub = xasprintf ("%s/%s", dir, e->d_name);
            remove_tree (sub);
          }
      closedir (d);
    }
  for (int i = 0; i < 20 && rmdir (dir) < 0 && errno == EBUSY; i++)
    usleep (50000);
}

static void
cleanup_leftovers (void)
{
  DIR *root = opendir ("/sys/fs/cgroup");
  if (root == NULL)
    return;
  for (struct dirent *h; (h = readdir (root));)
    {
      if (h->d_name[0] == '.')
        continue;
      _cleanup_free_ char *hdir = xasprintf ("/sys/fs/cgroup/%s", h->d_name);
      DIR *d = opendir (hdir);
      if (d == NULL)
        continue;
      for (struct dirent *e; (e = readdir (d));)
        if (strncmp (e->d_name, prefix, strlen (prefix)) == 0)
          {
            _cleanup_free_ char *p = xasprintf ("%s/%s", hdir, e->d_name);
            fprintf (stderr, "cleaning up leftover %s\n", p);
            remove_tree (p);
          }
      closedir (d);
    }
  /* /sys/fs/cgroup itself is the hierarchy on pure v2 hosts. */
  DIR *d = opendir ("/sys/fs/cgroup");
  if (d)
    {
      for (struct dirent *e; (e = readdir (d));)
        if (strncmp (e->d_name, prefix, strlen (prefix)) == 0)
          {
            _cleanup_free_ char *p = xasprintf ("/sys/fs/cgroup/%s", e->d_name);
            remove_tree (p);
          }
      closedir (d);
    }
  closedir (root);
}

/* How many hierarchies have a directory `name` at their root. */
static int
count_leftovers (const char *name)
{
  int n = 0;
  _cleanup_free_ char *top = xasprintf ("/sys/fs/cgroup/%s", name);
  n += exists (top);
  DIR *root = opendir ("/sys/fs/cgroup");
  for (struct dirent *h; root && (h = readdir (root));)
    {
      _cleanup_free_ char *p
          = xasprintf ("/sys/fs/cgroup/%s/%s", h->d_name, name);
      n += h->d_name[0] != '.' && exists (p);
    }
  if (root)
    closedir (root);
  return n;
}

static struct cgroup_mgr *
make (const char *suffix, const struct oci_resources *res)
{
  _cleanup_free_ char *path = xasprintf ("/%s%s", prefix, suffix);
  struct cgroup_request req
      = { .id = "c", .cgroups_path = path, .resources = res };
  struct cgroup_mgr *mgr = NULL;
  struct werr err = { 0 };
  if (!CHECK (cgroup_create (&req, &mgr, &err) == 0, "create %s: %s", path,
              err.msg))
    return NULL;
  return mgr;
}

/* Every hierarchy of the manager is listed for `pid` with the right path. */
static void
check_membership (struct cgroup_mgr *mgr, pid_t pid)
{
  _cleanup_free_ char *p = xasprintf ("/proc/%d/cgroup", (int) pid);
  _cleanup_free_ char *data = NULL;
  struct werr err = { 0 };
  if (!CHECK (read_file (p, &data, NULL, &err) == 0, "%s", err.msg))
    return;
  for (size_t i = 0; i < mgr->n_hier; i++)
    {
      struct cgroup_hier *h = &mgr->hier[i];
      const char *want = h->path + strlen (h->mount);
      _cleanup_free_ char *line = xasprintf (
          "%s%s:%s\n", h->unified ? "0:" : ":", h->controllers, want);
      CHECK (strstr (data, line) != NULL, "%s not in %s:\n%s", line, p, data);
    }
}

static void
check_gone (char **paths, size_t n)
{
  for (size_t i = 0; i < n; i++)
    CHECK (!exists (paths[i]), "%s still exists", paths[i]);
}

static char **
dirs_of (struct cgroup_mgr *mgr, bool parents, size_t *n)
{
  char **v = xmalloc0 (mgr->n_hier * 2 * sizeof *v);
  *n = 0;
  for (size_t i = 0; i < mgr->n_hier; i++)
    {
      v[(*n)++] = xstrdup (mgr->hier[i].path);
      if (parents)
        {
          char *p = xstrdup (mgr->hier[i].path);
          *strrchr (p, '/') = '\0';
          v[(*n)++] = p;
        }
    }
  return v;
}

static void
free_dirs (char **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (v[i]);
  free (v);
}

static struct cgroup_mgr *
round_trip (struct cgroup_mgr *mgr)
{
  struct jw *w = jw_new (false);
  cgroup_save (mgr, w);
  char *json = NULL;
  size_t len = 0;
  struct werr err = { 0 };
  if (!CHECK (jw_finish (w, &json, &len) == 0, "jw_finish"))
    return NULL;
  struct jnode *root = jnode_parse (json, len, &err);
  struct cgroup_mgr *back = NULL;
  CHECK (root && cgroup_load (root, &back, &err) == 0, "load %s: %s", json,
         err.msg);
  jnode_free (root);
  if (back)
    {
      CHECK (back->mode == mgr->mode && back->n_hier == mgr->n_hier,
             "round trip %s", json);
      for (size_t i = 0; i < mgr->n_hier && i < back->n_hier; i++)
        {
          struct cgroup_hier *a = &mgr->hier[i], *b = &back->hier[i];
          CHECK (strcmp (a->path, b->path) == 0
                     && strcmp (a->controllers, b->controllers) == 0
                     && a->unified == b->unified
                     && (a->created_top == NULL) == (b->created_top == NULL)
                     && (!a->created_top
                         || strcmp (a->created_top, b->created_top) == 0),
                 "hierarchy %zu differs after round trip: %s", i, json);
        }
    }
  free (json);
  return back;
}

static struct cgroup_hier *
hier_with (struct cgroup_mgr *mgr, const char *controller)
{
  for (size_t i = 0; i < mgr->n_hier; i++)
    if (cgroup_has_controller (mgr->hier[i].controllers, controller))
      return &mgr->hier[i];
  return NULL;
}

static void
check_file (struct cgroup_mgr *mgr, const char *ctrl, const char *file,
            const char *want)
{
  struct cgroup_hier *h = hier_with (mgr, ctrl);
  if (h == NULL)
    return;
  _cleanup_free_ char *got = NULL;
  struct werr err = { 0 };
  CHECK (cgroup_read (h->path, file, &got, &err) == 0 && strstr (got, want),
         "%s/%s = %s, want %s", h->path, file, got ? got : err.msg, want);
}

static void
test_resources (struct cgroup_mgr *mgr)
{
  struct oci_device_cgroup rules[] = {
    { false, 'a', -1, -1, (char *) "rwm" },
    { true, 'c', 4, -1, (char *) "rw" },
    { true, 'b', 8, 0, (char *) "r" },
  };
  struct oci_resources res = { .devices = rules, .n_devices = 3 };
  struct werr err = { 0 };
  if (mgr->mode == CGROUP_MODE_UNIFIED)
    {
      /* The v2 files need controllers this host may keep on v1: only the
       * (not yet enforced) device rules. */
      CHECK (cgroup_apply_resources (mgr, &res, &err) == 0, "apply: %s",
             err.msg);
      return;
    }
  res.has_memory = true;
  res.memory.has_limit = true;
  res.memory.limit = 64 << 20;
  res.has_pids = true;
  res.pids_limit = 100;
  res.has_cpu = true;
  res.cpu.has_shares = true;
  res.cpu.shares = 512;
  CHECK (cgroup_apply_resources (mgr, &res, &err) == 0, "apply: %s", err.msg);
  struct cgroup_hier *dev = hier_with (mgr, "devices");
  if (dev)
    {
      _cleanup_free_ char *list = NULL;
      cgroup_read (dev->path, "devices.list", &list, &err);
      CHECK (list && !strstr (list, "a *:* rwm") && strstr (list, "c 4:* rw\n")
                 && strstr (list, "b 8:0 r\n") && strstr (list, "c 1:3 rwm")
                 && strstr (list, "c 136:* rwm") && strstr (list, "b *:* m"),
             "devices.list:\n%s", list ? list : err.msg);
    }
  check_file (mgr, "memory", "memory.limit_in_bytes", "67108864");
  check_file (mgr, "pids", "pids.max", "100");
  check_file (mgr, "cpu", "cpu.shares", "512");

  struct oci_device_cgroup bad = { true, 'c', 1, 3, (char *) "rwx" };
  struct oci_resources res2 = { .devices = &bad, .n_devices = 1 };
  CHECK (cgroup_apply_resources (mgr, &res2, &err) < 0
             && strstr (err.msg, "devices"),
         "invalid access must fail: %s", err.msg);
}

static void
test_lifecycle (void)
{
  struct cgroup_mgr *mgr = make ("/c", NULL);
  if (mgr == NULL)
    return;
  CHECK (mgr->n_hier > 0, "no hierarchy");
  size_t nd = 0;
  char **dirs = dirs_of (mgr, true, &nd);
  for (size_t i = 0; i < mgr->n_hier; i++)
    CHECK (exists (mgr->hier[i].path) && mgr->hier[i].created_top
               && ends_with (mgr->hier[i].created_top, prefix),
           "%s created (top %s)", mgr->hier[i].path, mgr->hier[i].created_top);
  check_file (mgr, "cpuset", "cpuset.mems", "0");

  struct werr err = { 0 };
  pid_t a = spawn_sleeper ();
  CHECK (cgroup_enter (mgr, a, &err) == 0, "enter: %s", err.msg);
  check_membership (mgr, a);

  pid_t *pids = NULL;
  size_t n = 0;
  CHECK (cgroup_pids (mgr, &pids, &n, &err) == 0 && n == 1 && pids[0] == a,
         "pids: n=%zu %s", n, err.msg);
  free (pids);

  test_resources (mgr);

  /* SIGTERM: the one-by-one walk (with the freezer on v1). */
  CHECK (cgroup_kill_all (mgr, SIGTERM, &err) == 0, "kill_all: %s", err.msg);
  CHECK (reap (a) == SIGTERM, "child not killed by SIGTERM");

  /* SIGKILL: cgroup.kill where there is one. */
  pid_t b = spawn_sleeper ();
  CHECK (cgroup_enter (mgr, b, &err) == 0, "enter: %s", err.msg);
  CHECK (cgroup_kill_all (mgr, SIGKILL, &err) == 0, "kill_all: %s", err.msg);
  CHECK (reap (b) == SIGKILL, "child not killed by SIGKILL");

  /* Destroy through a reloaded manager, with a process still inside. */
  struct cgroup_mgr *back = round_trip (mgr);
  pid_t c = spawn_sleeper ();
  CHECK (cgroup_enter (mgr, c, &err) == 0, "enter: %s", err.msg);
  if (back)
    {
      CHECK (cgroup_destroy (back, &err) == 0, "destroy: %s", err.msg);
      CHECK (reap (c) == SIGKILL, "destroy did not kill the process");
      check_gone (dirs, nd);
      CHECK (cgroup_destroy (back, &err) == 0, "second destroy: %s", err.msg);
    }
  else
    kill (c, SIGKILL);
  cgroup_mgr_free (back);
  cgroup_destroy (mgr, &err);
  cgroup_mgr_free (mgr);
  free_dirs (dirs, nd);
}

/* kill --all on a paused container signals it but leaves it paused;
 * destroy still gets rid of it. */
static void
test_paused (void)
{
  struct cgroup_mgr *mgr = make ("-paused", NULL);
  if (mgr == NULL)
    return;
  struct werr err = { 0 };
  pid_t pid = spawn_sleeper ();
  CHECK (cgroup_enter (mgr, pid, &err) == 0, "enter: %s", err.msg);
  struct cgroup_hier *fz = NULL;
  for (size_t i = 0; i < mgr->n_hier && fz == NULL; i++)
    if (mgr->hier[i].ops->freeze (&mgr->hier[i], true, 200, &err) == 1)
      fz = &mgr->hier[i];
  CHECK (fz != NULL, "could not freeze: %s", err.msg);
  CHECK (cgroup_kill_all (mgr, SIGTERM, &err) == 0, "kill_all: %s", err.msg);
  if (fz)
    CHECK (fz->ops->freeze (fz, true, 200, &err) == 2,
           "kill_all thawed a paused container");
  size_t n = 0;
  char **dirs = dirs_of (mgr, false, &n);
  CHECK (cgroup_destroy (mgr, &err) == 0, "destroy: %s", err.msg);
  int sig = reap (pid);
  CHECK (sig == SIGTERM || sig == SIGKILL, "paused child: signal %d", sig);
  check_gone (dirs, n);
  free_dirs (dirs, n);
  cgroup_mgr_free (mgr);
}

/* ---- more resources, update, errors, stats, OOM (root) --------------------- */

static void
test_v1_resources (void)
{
  struct cgroup_mgr *mgr = make ("-res", NULL);
  if (mgr == NULL)
    return;
  struct werr err = { 0 };
  if (mgr->mode == CGROUP_MODE_UNIFIED)
    {
      cgroup_destroy (mgr, &err);
      cgroup_mgr_free (mgr);
      return;
    }
  struct oci_resources res
      = { .has_memory = true, .has_cpu = true, .has_block_io = true };
  res.memory.has_reservation = true;
  res.memory.reservation = 16 << 20;
  res.memory.has_swappiness = true;
  res.memory.swappiness = 17;
  res.memory.has_disable_oom_killer = res.memory.disable_oom_killer = true;
  res.memory.has_kernel_tcp = true;
  res.memory.kernel_tcp = 8 << 20;
  res.memory.has_use_hierarchy = res.memory.use_hierarchy = true;
  res.cpu.has_quota = true;
  res.cpu.quota = 30000;
  res.cpu.has_period = true;
  res.cpu.period = 60000;
  res.cpu.has_burst = true;
  res.cpu.burst = 1000;
  res.cpu.has_idle = true;
  res.cpu.idle = 1;
  res.block_io.has_weight = true;
  res.block_io.weight = 300;
  struct stat vda;
  struct oci_throttle_device thr = { 0, 0, 1048576 };
  if (stat ("/dev/vda", &vda) == 0 && S_ISBLK (vda.st_mode))
    {
      thr.major = major (vda.st_rdev);
      thr.minor = minor (vda.st_rdev);
      res.block_io.throttle_read_bps = &thr;
      res.block_io.n_throttle_read_bps = 1;
    }
  CHECK (cgroup_apply_resources (mgr, &res, &err) == 0, "apply: %s", err.msg);
  check_file (mgr, "memory", "memory.soft_limit_in_bytes", "16777216");
  check_file (mgr, "memory", "memory.swappiness", "17");
  check_file (mgr, "memory", "memory.oom_control", "oom_kill_disable 1");
  check_file (mgr, "memory", "memory.kmem.tcp.limit_in_bytes", "8388608");
  check_file (mgr, "cpu", "cpu.cfs_quota_us", "30000");
  check_file (mgr, "cpu", "cpu.cfs_period_us", "60000");
  check_file (mgr, "cpu", "cpu.cfs_burst_us", "1000");
  check_file (mgr, "cpu", "cpu.idle", "1");
  struct cgroup_hier *blk = hier_with (mgr, "blkio");
  if (blk && cgroup_has_file (blk->path, "blkio.bfq.weight"))
    check_file (mgr, "blkio", "blkio.bfq.weight", "300");
  if (res.block_io.n_throttle_read_bps)
    check_file (mgr, "blkio", "blkio.throttle.read_bps_device", "1048576");

  /* update: 0 / absent leaves a value alone; the period alone changes. */
  struct oci_resources up = { .has_pids = true, .has_cpu = true };
  up.pids_limit = 0;
  up.cpu.has_period = true;
  up.cpu.period = 100000;
  CHECK (cgroup_update_resources (mgr, &up, &err) == 0, "update: %s", err.msg);
  check_file (mgr, "cpu", "cpu.cfs_period_us", "100000");
  check_file (mgr, "cpu", "cpu.cfs_quota_us", "30000");
  check_file (mgr, "pids", "pids.max", "max");
  up.pids_limit = 42;
  CHECK (cgroup_update_resources (mgr, &up, &err) == 0, "update: %s", err.msg);
  check_file (mgr, "pids", "pids.max", "42");

  /* A resource the host lacks names the field. */
  struct oci_resources bad = { .has_cpu = true };
  bad.cpu.has_shares = true;
  bad.cpu.shares = 1;
  CHECK (cgroup_apply_resources (mgr, &bad, &err) < 0
             && strstr (err.msg, "config.json: linux.resources.cpu.shares"),
         "shares 1: %s", err.msg);
  struct oci_resources net = { .has_network = true };
  net.network.has_class_id = true;
  net.network.class_id = 0x100001;
  if (hier_with (mgr, "net_cls") == NULL)
    CHECK (cgroup_apply_resources (mgr, &net, &err) < 0
               && strstr (err.msg, "linux.resources.network.classID: "
                                   "net_cls.classid not available"),
           "classID: %s", err.msg);
  struct oci_kv kv = { (char *) "memory.max", (char *) "1" };
  struct oci_resources uni = { .unified = { &kv, 1 } };
  if (mgr->mode == CGROUP_MODE_LEGACY)
    CHECK (cgroup_apply_resources (mgr, &uni, &err) < 0
               && strstr (err.msg, "linux.resources.unified"),
           "unified on v1: %s", err.msg);
  else
    CHECK (cgroup_apply_resources (mgr, &uni, &err) < 0
               && strstr (err.msg, "linux.resources.unified: memory.max not "
                                   "available"),
           "unified memory.max on hybrid: %s", err.msg);
  CHECK (cgroup_destroy (mgr, &err) == 0, "destroy: %s", err.msg);
  cgroup_mgr_free (mgr);
}

static char
proc_state (pid_t pid)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  _cleanup_free_ char *s = NULL;
  struct werr err = { 0 };
  if (read_file (path, &s, NULL, &err) < 0)
    return '?';
  char *p = strrchr (s, ')');
  return p && p[1] ? p[2] : '?';
}

static void
test_freeze (void)
{
  struct cgroup_mgr *mgr = make ("-freeze", NULL);
  if (mgr == NULL)
    return;
  struct werr err = { 0 };
  pid_t pid = spawn_sleeper ();
  CHECK (cgroup_enter (mgr, pid, &err) == 0, "enter: %s", err.msg);
  bool frozen = true;
  CHECK (cgroup_is_frozen (mgr, &frozen, &err) == 0 && !frozen, "not frozen");
  CHECK (cgroup_freeze (mgr, true, &err) == 0, "freeze: %s", err.msg);
  CHECK (cgroup_is_frozen (mgr, &frozen, &err) == 0 && frozen, "frozen");
  char st = proc_state (pid);
  CHECK (st == 'D' || st == 'T' || st == 'S', "state %c", st);
  for (size_t i = 0; i < mgr->n_hier; i++)
    if (mgr->hier[i].unified)
      {
        _cleanup_free_ char *ev = NULL;
        CHECK (cgroup_read (mgr->hier[i].path, "cgroup.events", &ev, &err) == 0
                   && strstr (ev, "frozen 1"),
               "cgroup.events: %s", ev ? ev : err.msg);
      }
  check_file (mgr, "freezer", "freezer.state", "FROZEN");
  /* SIGKILL to a paused container: the kill path thaws after it. */
  CHECK (cgroup_kill_all (mgr, SIGKILL, &err) == 0, "kill: %s", err.msg);
  CHECK (reap (pid) == SIGKILL, "frozen child not killed");
  CHECK (cgroup_is_frozen (mgr, &frozen, &err) == 0 && !frozen,
         "thawed after SIGKILL");
  pid = spawn_sleeper ();
  CHECK (cgroup_enter (mgr, pid, &err) == 0, "enter: %s", err.msg);
  CHECK (cgroup_freeze (mgr, true, &err) == 0
             && cgroup_freeze (mgr, false, &err) == 0,
         "freeze, thaw: %s", err.msg);
  CHECK (cgroup_is_frozen (mgr, &frozen, &err) == 0 && !frozen, "thawed");
  char again = proc_state (pid);
  CHECK (again == 'S' || again == 'R', "running again: %c", again);
  CHECK (cgroup_destroy (mgr, &err) == 0, "destroy: %s", err.msg);
  reap (pid);
  cgroup_mgr_free (mgr);
}

static void
test_stats (void)
{
  struct cgroup_mgr *mgr = make ("-stats", NULL);
  if (mgr == NULL)
    return;
  struct werr err = { 0 };
  pid_t pid = spawn_sleeper ();
  CHECK (cgroup_enter (mgr, pid, &err) == 0, "enter: %s", err.msg);
  struct jw *w = jw_new (false);
  CHECK (cgroup_stats_json (mgr, w, &err) == 0, "stats: %s", err.msg);
  _cleanup_free_ char *json = NULL;
  size_t len = 0;
  CHECK (jw_finish (w, &json, &len) == 0, "encode");
  struct jnode *root = json ? jnode_parse (json, len, &err) : NULL;
  static const char *const keys[]
      = { "cpu",   "cpuset",  "memory",    "pids",
          "blkio", "hugetlb", "intel_rdt", "network_interfaces" };
  for (size_t i = 0; root && i < ARRAY_SIZE (keys); i++)
    CHECK (jnode_get (root, keys[i]) != NULL, "no %s in %s", keys[i], json);
  const struct jnode *pids = root ? jnode_get (root, "pids") : NULL;
  if (hier_with (mgr, "pids") || mgr->mode == CGROUP_MODE_UNIFIED)
    CHECK (pids && jnode_uint (jnode_get (pids, "current")) == 1,
           "pids.current: %s", json);
  const struct jnode *mem = root ? jnode_get (root, "memory") : NULL;
  const struct jnode *usage = mem ? jnode_get (mem, "usage") : NULL;
  if (hier_with (mgr, "memory"))
    CHECK (usage && jnode_get (usage, "limit") && jnode_get (usage, "failcnt"),
           "memory.usage: %s", json);
  jnode_free (root);
  CHECK (cgroup_destroy (mgr, &err) == 0, "destroy: %s", err.msg);
  reap (pid);
  cgroup_mgr_free (mgr);
}

/* A child that allocates past a 16 MiB limit is OOM-killed; the watcher
 * reports it. */
static void
test_oom (void)
{
  struct oci_resources res = { .has_memory = true };
  res.memory.has_limit = true;
  res.memory.limit = 16 << 20;
  struct cgroup_mgr *mgr = make ("-oom", NULL);
  if (mgr == NULL)
    return;
  struct werr err = { 0 };
  struct cgroup_oom *oom = NULL;
  if (!CHECK (cgroup_apply_resources (mgr, &res, &err) == 0, "apply: %s",
              err.msg)
      || !CHECK (cgroup_oom_watch (mgr, &oom, &err) == 0 && oom, "watch: %s",
                 err.msg))
    goto out;
  int gate[2];
  if (pipe (gate) < 0)
    goto out;
  pid_t pid = fork ();
  if (pid == 0)
    {
      char c;
      close (gate[1]);
      if (read (gate[0], &c, 1) != 1)
        _exit (2);
      for (size_t i = 0; i < 256; i++)
        {
          char *p = malloc (1 << 20);
          if (p)
            memset (p, 1, 1 << 20);
        }
      _exit (0);
    }
  close (gate[0]);
  CHECK (cgroup_enter (mgr, pid, &err) == 0, "enter: %s", err.msg);
  if (write (gate[1], "x", 1) != 1)
    kill (pid, SIGKILL);
  close (gate[1]);
  CHECK (reap (pid) == SIGKILL, "child not OOM-killed");
  struct pollfd pfd = { .fd = cgroup_oom_fd (oom), .events = POLLIN };
  unsigned n = 0;
  bool gone = true;
  CHECK (poll (&pfd, 1, 2000) == 1
             && cgroup_oom_read (oom, &n, &gone, &err) == 0 && n >= 1 && !gone,
         "oom event: n=%u gone=%d %s", n, gone, err.msg);
out:
  cgroup_destroy (mgr, &err);
  if (oom)
    {
      /* v1: removing the cgroup fires the eventfd once more. */
      struct pollfd fin = { .fd = cgroup_oom_fd (oom), .events = POLLIN };
      unsigned left = 0;
      bool removed = false;
      if (poll (&fin, 1, 2000) == 1)
        cgroup_oom_read (oom, &left, &removed, &err);
      CHECK (removed, "cgroup removal not seen");
    }
  cgroup_oom_free (oom);
  cgroup_mgr_free (mgr);
}

/* The device program alone (no v1 devices cgroup around the child): a
 * process in the cgroup2 directory may open /dev/null, not /dev/kmsg nor a
 * kmsg node it made itself; a replaced program stops applying. */
static int
try_devices (const char *dir, const char *tmp)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%d", (int) getpid ());
  _cleanup_free_ char *procs = xasprintf ("%s/cgroup.procs", dir);
  _cleanup_free_ char *node = xasprintf ("%s/kmsg", tmp);
  struct werr err = { 0 };
  if (write_file (procs, buf, strlen (buf), &err) < 0)
    return 100;
  int mask = 0, fd;
  if ((fd = open ("/dev/null", O_RDWR | O_CLOEXEC)) >= 0)
    mask |= 1, close (fd);
  if ((fd = open ("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC)) >= 0)
    mask |= 2, close (fd);
  else if (errno != EPERM)
    mask |= 64;
  if (mknod (node, S_IFCHR | 0600, makedev (1, 11)) == 0)
    mask |= 4;
  if ((fd = open (node, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) >= 0)
    mask |= 8, close (fd);
  unlink (node);
  return mask;
}

static int
child_devices (const char *dir, const char *tmp)
{
  pid_t pid = fork ();
  if (pid == 0)
    _exit (try_devices (dir, tmp));
  int status = 0;
  waitpid (pid, &status, 0);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
test_bpf_enforced (void)
{
  const char *base = exists ("/sys/fs/cgroup/unified/cgroup.procs")
                         ? "/sys/fs/cgroup/unified"
                     : exists ("/sys/fs/cgroup/cgroup.controllers")
                         ? "/sys/fs/cgroup"
                         : NULL;
  if (base == NULL || !exists ("/dev/kmsg"))
    return;
  _cleanup_free_ char *dir = xasprintf ("%s/%s-bpf", base, prefix);
  char tmp[] = "/tmp/ward-test-bpf.XXXXXX";
  if (!CHECK (mkdir (dir, 0755) == 0, "mkdir %s: %s", dir, strerror (errno))
      || !CHECK (mkdtemp (tmp) != NULL, "mkdtemp"))
    return;
  struct cgroup_dev_policy p;
  struct werr err = { 0 };
  build (NULL, 0, &p);
  CHECK (cgroup_bpf_dev_apply (dir, &p, &err) == 0, "attach: %s", err.msg);
  int mask = child_devices (dir, tmp);
  CHECK (mask == (1 | 4),
         "defaults: null ok, kmsg denied, mknod ok, node "
         "denied; got mask %d",
         mask);
  int fd = open ("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  CHECK (fd >= 0, "outside the cgroup kmsg opens");
  if (fd >= 0)
    close (fd);
  cgroup_dev_policy_free (&p);
  struct oci_device_cgroup all[] = { { true, 'a', -1, -1, NULL } };
  build (all, 1, &p);
  CHECK (cgroup_bpf_dev_apply (dir, &p, &err) == 0, "replace: %s", err.msg);
  mask = child_devices (dir, tmp);
  CHECK (mask == (1 | 2 | 4 | 8), "allow-all replaced the old program: %d",
         mask);
  cgroup_dev_policy_free (&p);
  rmdir (tmp);
  for (int i = 0; i < 20 && rmdir (dir) < 0 && errno == EBUSY; i++)
    usleep (50000);
}

/* A parent that existed before the container must survive its destroy. */
static void
test_shared_parent (void)
{
  struct cgroup_mgr *parent = make ("-shared", NULL);
  struct cgroup_mgr *child = parent ? make ("-shared/c", NULL) : NULL;
  if (child)
    {
      struct werr err = { 0 };
      for (size_t i = 0; i < child->n_hier; i++)
        CHECK (child->hier[i].created_top
                   && strcmp (child->hier[i].created_top, child->hier[i].path)
                          == 0,
               "only the leaf is ours: %s", child->hier[i].created_top);
      size_t n = 0;
      char **leaves = dirs_of (child, false, &n);
      CHECK (cgroup_destroy (child, &err) == 0, "destroy: %s", err.msg);
      check_gone (leaves, n);
      for (size_t i = 0; i < parent->n_hier; i++)
        CHECK (exists (parent->hier[i].path), "shared parent %s removed",
               parent->hier[i].path);
      free_dirs (leaves, n);
      cgroup_mgr_free (child);
    }
  if (parent)
    {
      struct werr err = { 0 };
      size_t n = 0;
      char **dirs = dirs_of (parent, false, &n);
      CHECK (cgroup_destroy (parent, &err) == 0, "destroy: %s", err.msg);
      check_gone (dirs, n);
      free_dirs (dirs, n);
      cgroup_mgr_free (parent);
    }
}

/* A failure half way leaves nothing behind: "cgroup.procs" exists as a file
 * in every hierarchy, so mkdir of .../cgroup.procs/x fails after the first
 * directory was made. */
static void
test_rollback (void)
{
  _cleanup_free_ char *path = xasprintf ("/%s-bad/cgroup.procs/x", prefix);
  struct cgroup_request req = { .id = "c", .cgroups_path = path };
  struct cgroup_mgr *mgr = NULL;
  struct werr err = { 0 };
  CHECK (cgroup_create (&req, &mgr, &err) < 0, "create %s must fail", path);
  cgroup_mgr_free (mgr);
  _cleanup_free_ char *name = xasprintf ("%s-bad", prefix);
  CHECK (count_leftovers (name) == 0, "rollback left %s behind", name);
}

/* Rootless without a delegated cgroup: an empty manager, every call a no-op. */
static void
test_rootless (void)
{
  pid_t pid = fork ();
  if (pid == 0)
    {
      if (setegid (65534) < 0 || seteuid (65534) < 0)
        _exit (2);
      _cleanup_free_ char *path = xasprintf ("/%s-rootless", prefix);
      struct cgroup_request req
          = { .id = "c", .cgroups_path = path, .rootless = true };
      struct cgroup_mgr *mgr = NULL;
      struct werr err = { 0 };
      pid_t *pids = NULL;
      size_t n = 1;
      if (cgroup_create (&req, &mgr, &err) < 0 || mgr == NULL
          || mgr->n_hier != 0 || cgroup_enter (mgr, getpid (), &err) < 0
          || cgroup_kill_all (mgr, SIGKILL, &err) < 0
          || cgroup_pids (mgr, &pids, &n, &err) < 0 || n != 0
          || cgroup_destroy (mgr, &err) < 0)
        {
          fprintf (stderr, "rootless: %s\n", err.msg);
          _exit (1);
        }
      _exit (0);
    }
  int status = 0;
  waitpid (pid, &status, 0);
  CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0,
         "rootless child status %d", status);
}

static void
test_systemd (void)
{
  if (exists ("/run/systemd/system"))
    return;
  struct cgroup_request req = { .id = "c", .systemd = true };
  struct cgroup_mgr *mgr = NULL;
  struct werr err = { 0 };
  CHECK (cgroup_create (&req, &mgr, &err) < 0
             && strstr (err.msg, "systemd is not running"),
         "systemd: %s", err.msg);
}

int
main (void)
{
  snprintf (prefix, sizeof prefix, "ward-test-%d", (int) getpid ());
  test_paths ();
  test_load_validation ();
  test_v2_memory ();
  test_v2_cpu ();
  test_v2_io_and_more ();
  test_dev_policy ();
  test_bpf_assembly ();
  test_resources_doc ();
  if (geteuid () != 0)
    {
      fprintf (stderr, "cgroup tests that need root skipped\n");
      printf ("%d passed, %d failed, 1 skipped\n", passed, failed);
      return failed ? 1 : 77;
    }
  atexit (cleanup_leftovers);
  enum cgroup_mode mode;
  struct werr err = { 0 };
  CHECK (cgroup_detect_mode (&mode, &err) == 0, "detect: %s", err.msg);
  test_lifecycle ();
  test_paused ();
  test_v1_resources ();
  test_freeze ();
  test_stats ();
  test_oom ();
  test_bpf_enforced ();
  test_shared_parent ();
  test_rollback ();
  test_rootless ();
  test_systemd ();
  printf ("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
