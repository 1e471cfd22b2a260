/* ward — the device policy: linux.resources.devices plus runc's default
 * rules, as the v1 devices controller's strings and as a
 * BPF_PROG_TYPE_CGROUP_DEVICE program for the unified hierarchy.
 *
 * The rules are first folded the way the v1 controller folds them (an "a"
 * rule resets to allow-all or deny-all and clears the exceptions; a rule of
 * the default's kind removes access from an identical exception, the other
 * kind adds one), so both back ends enforce the same thing, partial denials
 * ("deny c 1:3 w" after "allow c 1:3 rwm") included.  The resulting policy
 * is compiled by hand into a few BPF instructions per exception: no clang at
 * build time, the bpf() syscall directly. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "utils.h"
#include "ward/cleanup.h"

/* runc appends these to every container's rules (its AllowedDevices), so
 * images that expect them keep working: mknod of anything, the standard
 * /dev nodes, ptys and /dev/net/tun. */
static const struct oci_device_cgroup default_rules[] = {
  { true, 'c', -1, -1, (char *) "m" },    { true, 'b', -1, -1, (char *) "m" },
  { true, 'c', 1, 3, (char *) "rwm" },    /* /dev/null */
  { true, 'c', 1, 8, (char *) "rwm" },    /* /dev/random */
  { true, 'c', 1, 7, (char *) "rwm" },    /* /dev/full */
  { true, 'c', 5, 0, (char *) "rwm" },    /* /dev/tty */
  { true, 'c', 1, 5, (char *) "rwm" },    /* /dev/zero */
  { true, 'c', 1, 9, (char *) "rwm" },    /* /dev/urandom */
  { true, 'c', 136, -1, (char *) "rwm" }, /* /dev/pts/N */
  { true, 'c', 5, 2, (char *) "rwm" },    /* /dev/ptmx */
  { true, 'c', 10, 200, (char *) "rwm" }, /* /dev/net/tun */
};

const struct oci_device_cgroup *
cgroup_default_device_rules (size_t *n)
{
  *n = ARRAY_SIZE (default_rules);
  return default_rules;
}

/* ---- rule checks and the v1 string form -------------------------------- */

static int
check_rule (const struct oci_device_cgroup *d, struct werr *err)
{
  char type = d->type ? d->type : 'a';
  const char *access = d->access ? d->access : "rwm";
  if (type != 'a' && type != 'b' && type != 'c')
    return werr_set (err, 0, "invalid type `%c`", type);
  if (*access == '\0' || strspn (access, "rwm") != strlen (access))
    return werr_set (err, 0, "invalid access `%s`", access);
  if (d->major > (int64_t) UINT32_MAX || d->minor > (int64_t) UINT32_MAX)
    return werr_set (err, 0,
                     "device number %" PRId64 ":%" PRId64 " out of range",
                     d->major, d->minor);
  return 0;
}

int
cgroup_dev_rule_string (const struct oci_device_cgroup *d, char *buf,
                        size_t len, struct werr *err)
{
  if (check_rule (d, err) < 0)
    return -1;
  char major[24] = "*", minor[24] = "*";
  if (d->major >= 0)
    snprintf (major, sizeof major, "%" PRId64, d->major);
  if (d->minor >= 0)
    snprintf (minor, sizeof minor, "%" PRId64, d->minor);
  snprintf (buf, len, "%c %s:%s %s", d->type ? d->type : 'a', major, minor,
            d->access ? d->access : "rwm");
  return 0;
}

/* ---- the folded policy -------------------------------------------------- */

static unsigned
access_bits (const char *access)
{
  unsigned bits = 0;
  for (const char *s = access ? access : "rwm"; *s; s++)
    bits |= *s == 'm'   ? BPF_DEVCG_ACC_MKNOD
            : *s == 'r' ? BPF_DEVCG_ACC_READ
                        : BPF_DEVCG_ACC_WRITE;
  return bits;
}

static void
policy_fold (struct cgroup_dev_policy *p, const struct oci_device_cgroup *d)
{
  char type = d->type ? d->type : 'a';
  unsigned bits = access_bits (d->access);
  if (type == 'a')
    {
      /* As the kernel: "a" ignores numbers and access, and resets. */
      p->default_allow = d->allow;
      p->n = 0;
      return;
    }
  size_t i;
  for (i = 0; i < p->n; i++)
    if (p->v[i].type == type && p->v[i].major == d->major
        && p->v[i].minor == d->minor)
      break;
  if (d->allow == p->default_allow)
    {
      /* Same kind as the default: take access away from the exception. */
      if (i < p->n && (p->v[i].access &= ~bits) == 0)
        memmove (&p->v[i], &p->v[i + 1], (--p->n - i) * sizeof *p->v);
      return;
    }
  if (i < p->n)
    {
      p->v[i].access |= bits;
      return;
    }
  if (p->n == p->cap)
    {
      p->cap = p->cap ? 2 * p->cap : 16;
      p->v = realloc (p->v, p->cap * sizeof *p->v);
      if (p->v == NULL)
        abort ();
    }
  p->v[p->n++]
      = (struct cgroup_dev_exception){ type, d->major, d->minor, bits };
}

int
cgroup_dev_policy_build (const struct oci_device_cgroup *rules, size_t n,
                         struct cgroup_dev_policy *out, struct werr *err)
{
  *out = (struct cgroup_dev_policy){ .default_allow = false };
  for (size_t i = 0; i < n; i++)
    {
      if (check_rule (&rules[i], err) < 0)
        {
          cgroup_dev_policy_free (out);
          return werr_prefix (err, "linux.resources.devices[%zu]", i);
        }
      policy_fold (out, &rules[i]);
    }
  for (size_t i = 0; i < ARRAY_SIZE (default_rules); i++)
    policy_fold (out, &default_rules[i]);
  return 0;
}

void
cgroup_dev_policy_free (struct cgroup_dev_policy *p)
{
  free (p->v);
  p->v = NULL;
  p->n = p->cap = 0;
}

static bool
exception_matches (const struct cgroup_dev_exception *e, char type,
                   uint32_t major, uint32_t minor)
{
  return e->type == type && (e->major < 0 || (uint32_t) e->major == major)
         && (e->minor < 0 || (uint32_t) e->minor == minor);
}

bool
cgroup_dev_policy_allows (const struct cgroup_dev_policy *p, char type,
                          uint32_t major, uint32_t minor, unsigned access)
{
  for (size_t i = 0; i < p->n; i++)
    {
      const struct cgroup_dev_exception *e = &p->v[i];
      if (!exception_matches (e, type, major, minor))
        continue;
      /* Deny-all: one exception must grant every bit asked for.  Allow-all:
       * an exception sharing any bit denies. */
      if (!p->default_allow && (access & ~e->access) == 0)
        return true;
      if (p->default_allow && (access & e->access) != 0)
        return false;
    }
  return p->default_allow;
}

/* ---- BPF assembly --------------------------------------------------------- */

static struct bpf_insn
insn (uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
  return (struct bpf_insn){
    .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm
  };
}

/* r1 = ctx; r2 = device type, r3 = access, r4 = major, r5 = minor. */
static size_t
emit_prologue (struct bpf_insn *v)
{
  size_t n = 0;
  v[n++] = insn (BPF_LDX | BPF_MEM | BPF_W, 2, 1,
                 offsetof (struct bpf_cgroup_dev_ctx, access_type), 0);
  v[n++] = insn (BPF_ALU | BPF_MOV | BPF_X, 3, 2, 0, 0);
  v[n++] = insn (BPF_ALU | BPF_RSH | BPF_K, 3, 0, 0, 16);
  v[n++] = insn (BPF_ALU | BPF_AND | BPF_K, 2, 0, 0, 0xffff);
  v[n++] = insn (BPF_LDX | BPF_MEM | BPF_W, 4, 1,
                 offsetof (struct bpf_cgroup_dev_ctx, major), 0);
  v[n++] = insn (BPF_LDX | BPF_MEM | BPF_W, 5, 1,
                 offsetof (struct bpf_cgroup_dev_ctx, minor), 0);
  return n;
}

/* One exception: every test jumps past the block when it does not match;
 * the block's end returns the exception's verdict. */
static size_t
emit_exception (struct bpf_insn *v, const struct cgroup_dev_exception *e,
                bool default_allow)
{
  size_t n = 0, len = 1 + (e->major >= 0) + (e->minor >= 0) + 3 + 2;
#define SKIP ((int16_t) (len - n - 1))
  int32_t type = e->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
  v[n] = insn (BPF_JMP32 | BPF_JNE | BPF_K, 2, 0, SKIP, type);
  n++;
  if (e->major >= 0)
    {
      v[n] = insn (BPF_JMP32 | BPF_JNE | BPF_K, 4, 0, SKIP,
                   (int32_t) (uint32_t) e->major);
      n++;
    }
  if (e->minor >= 0)
    {
      v[n] = insn (BPF_JMP32 | BPF_JNE | BPF_K, 5, 0, SKIP,
                   (int32_t) (uint32_t) e->minor);
      n++;
    }
  v[n++] = insn (BPF_ALU | BPF_MOV | BPF_X, 1, 3, 0, 0);
  v[n++] = insn (BPF_ALU | BPF_AND | BPF_K, 1, 0, 0, (int32_t) e->access);
  if (default_allow)
    v[n] = insn (BPF_JMP32 | BPF_JEQ | BPF_K, 1, 0, SKIP, 0);
  else
    v[n] = insn (BPF_JMP32 | BPF_JNE | BPF_X, 1, 3, SKIP, 0);
  n++;
#undef SKIP
  v[n++] = insn (BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, default_allow ? 0 : 1);
  v[n++] = insn (BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
  return n;
}

struct bpf_insn *
cgroup_bpf_dev_assemble (const struct cgroup_dev_policy *p, size_t *n)
{
  struct bpf_insn *v = xmalloc0 ((6 + 8 * p->n + 2) * sizeof *v);
  size_t k = emit_prologue (v);
  for (size_t i = 0; i < p->n; i++)
    k += emit_exception (v + k, &p->v[i], p->default_allow);
  v[k++] = insn (BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, p->default_allow);
  v[k++] = insn (BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
  *n = k;
  return v;
}

/* ---- load and attach -------------------------------------------------------- */

static int
sys_bpf (int cmd, union bpf_attr *attr)
{
  return (int) syscall (SYS_bpf, cmd, attr, sizeof *attr);
}

static int
prog_load (const struct bpf_insn *insns, size_t n, struct werr *err)
{
  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uintptr_t) insns;
  attr.insn_cnt = (uint32_t) n;
  attr.license = (uintptr_t) "GPL";
  strncpy (attr.prog_name, "ward_devices", sizeof attr.prog_name - 1);
  int fd = sys_bpf (BPF_PROG_LOAD, &attr);
  if (fd >= 0)
    return fd;
  int saved = errno;
  if (saved != EINVAL && saved != EACCES)
    return werr_set (err, saved, "bpf BPF_PROG_LOAD (device program)");
  /* A rejected program is a bug here: load again to get the verifier's
   * reason. */
  char log[512] = "";
  attr.log_buf = (uintptr_t) log;
  attr.log_size = sizeof log;
  attr.log_level = 1;
  fd = sys_bpf (BPF_PROG_LOAD, &attr);
  if (fd >= 0)
    return fd;
  log[strcspn (log, "\n")] = '\0';
  return werr_set (err, saved, "bpf BPF_PROG_LOAD (device program%s%s)",
                   *log ? ": " : "", log);
}

/* Program ids attached to the cgroup for device access now. */
static int
query_attached (int cgfd, uint32_t *ids, uint32_t *n, struct werr *err)
{
  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.query.target_fd = (uint32_t) cgfd;
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = (uintptr_t) ids;
  attr.query.prog_cnt = *n;
  if (sys_bpf (BPF_PROG_QUERY, &attr) < 0)
    return werr_set (err, errno, "bpf BPF_PROG_QUERY");
  *n = attr.query.prog_cnt;
  return 0;
}

static void
detach_id (int cgfd, uint32_t id)
{
  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.prog_id = id;
  _cleanup_close_ int fd = sys_bpf (BPF_PROG_GET_FD_BY_ID, &attr);
  if (fd < 0)
    return;
  memset (&attr, 0, sizeof attr);
  attr.target_fd = (uint32_t) cgfd;
  attr.attach_bpf_fd = (uint32_t) fd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  sys_bpf (BPF_PROG_DETACH, &attr);
}

int
cgroup_bpf_dev_apply (const char *dir, const struct cgroup_dev_policy *p,
                      struct werr *err)
{
  size_t n = 0;
  _cleanup_free_ struct bpf_insn *insns = cgroup_bpf_dev_assemble (p, &n);
  _cleanup_close_ int cgfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cgfd < 0)
    return werr_set (err, errno, "open `%s`", dir);
  uint32_t old[64], n_old = ARRAY_SIZE (old);
  if (query_attached (cgfd, old, &n_old, err) < 0)
    return werr_prefix (err, "device program for `%s`", dir);
  _cleanup_close_ int prog = prog_load (insns, n, err);
  if (prog < 0)
    return -1;
  /* Security: from here on the kernel asks this program about every device
   * open and mknod in the cgroup and below.  ALLOW_MULTI keeps a nested
   * cgroup's own program from replacing it (both must allow). */
  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.target_fd = (uint32_t) cgfd;
  attr.attach_bpf_fd = (uint32_t) prog;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (sys_bpf (BPF_PROG_ATTACH, &attr) < 0)
    return werr_set (err, errno, "bpf BPF_PROG_ATTACH device program to `%s`",
                     dir);
  /* The new policy is in force: the previous one (an update, or a cgroup
   * reused from an earlier container) may go. */
  for (uint32_t i = 0; i < n_old && i < ARRAY_SIZE (old); i++)
    detach_id (cgfd, old[i]);
  return 0;
}
