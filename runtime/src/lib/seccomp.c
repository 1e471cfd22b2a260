/* ward — linux.seccomp: names checked in the parent, the filter compiled
 * with libseccomp and loaded with seccomp(2) in the init. */
#include "seccomp_profile.h"

#include <ctype.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ward/cleanup.h"

#define SYSCALL_MAX_ARGS 6
#define NOTIFY_HANDOFF_SYSCALL "sendmsg"

/* ---- names ----------------------------------------------------------- */

enum action_kind
{
  ACT_KILL_THREAD,
  ACT_KILL_PROCESS,
  ACT_TRAP,
  ACT_ERRNO,
  ACT_TRACE,
  ACT_ALLOW,
  ACT_LOG,
  ACT_NOTIFY,
};

static const struct
{
  const char *name;
  enum action_kind kind;
} action_names[] = {
  { "SCMP_ACT_KILL", ACT_KILL_THREAD },
  { "SCMP_ACT_KILL_THREAD", ACT_KILL_THREAD },
  { "SCMP_ACT_KILL_PROCESS", ACT_KILL_PROCESS },
  { "SCMP_ACT_TRAP", ACT_TRAP },
  { "SCMP_ACT_ERRNO", ACT_ERRNO },
  { "SCMP_ACT_TRACE", ACT_TRACE },
  { "SCMP_ACT_ALLOW", ACT_ALLOW },
  { "SCMP_ACT_LOG", ACT_LOG },
  { "SCMP_ACT_NOTIFY", ACT_NOTIFY },
};

static const struct
{
  const char *name;
  enum scmp_compare op;
} op_names[] = {
  { "SCMP_CMP_NE", SCMP_CMP_NE },
  { "SCMP_CMP_LT", SCMP_CMP_LT },
  { "SCMP_CMP_LE", SCMP_CMP_LE },
  { "SCMP_CMP_EQ", SCMP_CMP_EQ },
  { "SCMP_CMP_GE", SCMP_CMP_GE },
  { "SCMP_CMP_GT", SCMP_CMP_GT },
  { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static const struct
{
  const char *name;
  unsigned int flag;
} flag_names[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
  { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

static int
action_kind (const char *name)
{
  for (size_t i = 0; name && i < ARRAY_SIZE (action_names); i++)
    if (strcmp (name, action_names[i].name) == 0)
      return (int) action_names[i].kind;
  return -1;
}

/* The libseccomp action; ERRNO and TRACE carry errnoRet, EPERM by
 * default (as runc). */
static uint32_t
action_value (enum action_kind k, bool has_ret, uint32_t ret)
{
  uint32_t data = has_ret ? ret : EPERM;
  switch (k)
    {
    case ACT_KILL_THREAD:
      return SCMP_ACT_KILL_THREAD;
    case ACT_KILL_PROCESS:
      return SCMP_ACT_KILL_PROCESS;
    case ACT_TRAP:
      return SCMP_ACT_TRAP;
    case ACT_ERRNO:
      return SCMP_ACT_ERRNO (data);
    case ACT_TRACE:
      return SCMP_ACT_TRACE (data);
    case ACT_LOG:
      return SCMP_ACT_LOG;
    case ACT_NOTIFY:
      return SCMP_ACT_NOTIFY;
    case ACT_ALLOW:
    default:
      return SCMP_ACT_ALLOW;
    }
}

static int
op_from_name (const char *name)
{
  for (size_t i = 0; name && i < ARRAY_SIZE (op_names); i++)
    if (strcmp (name, op_names[i].name) == 0)
      return (int) op_names[i].op;
  return -1;
}

static int
flag_from_name (const char *name, unsigned int *flag)
{
  for (size_t i = 0; i < ARRAY_SIZE (flag_names); i++)
    if (strcmp (name, flag_names[i].name) == 0)
      {
        *flag = flag_names[i].flag;
        return 0;
      }
  return -1;
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token for "x86_64"; 0 if unknown. */
static uint32_t
arch_from_name (const char *name)
{
  if (strncmp (name, "SCMP_ARCH_", 10) != 0 || name[10] == '\0'
      || strlen (name) > 40)
    return 0;
  char lower[32];
  size_t i;
  for (i = 0; name[10 + i]; i++)
    lower[i] = (char) tolower ((unsigned char) name[10 + i]);
  lower[i] = '\0';
  return seccomp_arch_resolve_name (lower);
}

/* ---- validation ------------------------------------------------------ */

static bool
profile_disabled (const struct oci_seccomp *s)
{
  /* As runc: no default action and no rules means no filter at all. */
  return (s->default_action == NULL || s->default_action[0] == '\0')
         && s->n_syscalls == 0;
}

static bool
action_takes_errno (int kind)
{
  return kind == ACT_ERRNO || kind == ACT_TRACE;
}

bool
seccomp_profile_uses_notify (const struct oci_seccomp *s)
{
  if (profile_disabled (s))
    return false;
  for (size_t i = 0; i < s->n_syscalls; i++)
    if (action_kind (s->syscalls[i].action) == ACT_NOTIFY)
      return true;
  return false;
}

static int
validate_rule (const struct oci_seccomp *s, size_t i, struct werr *err)
{
  const struct oci_seccomp_syscall *r = &s->syscalls[i];
  int kind = action_kind (r->action);
  if (kind < 0)
    return werr_set (err, 0,
                     "config.json: linux.seccomp.syscalls[%zu].action: "
                     "unknown action \"%s\"",
                     i, r->action ? r->action : "");
  if (r->has_errno_ret && !action_takes_errno (kind))
    return werr_set (err, 0,
                     "config.json: linux.seccomp.syscalls[%zu].errnoRet: "
                     "%s takes no errno (only SCMP_ACT_ERRNO and "
                     "SCMP_ACT_TRACE do)",
                     i, r->action);
  if (kind == ACT_NOTIFY
      && (s->listener_path == NULL || s->listener_path[0] == '\0'))
    return werr_set (err, 0,
                     "config.json: linux.seccomp.syscalls[%zu].action: "
                     "SCMP_ACT_NOTIFY requires linux.seccomp.listenerPath",
                     i);
  if (r->names.n == 0)
    return werr_set (err, 0,
                     "config.json: linux.seccomp.syscalls[%zu].names: "
                     "expected at least one syscall name",
                     i);
  for (size_t j = 0; j < r->names.n; j++)
    {
      if (r->names.v[j] == NULL || r->names.v[j][0] == '\0')
        return werr_set (err, 0,
                         "config.json: linux.seccomp.syscalls[%zu].names[%zu]: "
                         "empty syscall name",
                         i, j);
      /* The init hands the listener fd to the runtime with sendmsg() after
       * loading the filter: notified, nobody could ever answer it.  (runc
       * refuses `write` for the same reason; ward does not need it.) */
      if (kind == ACT_NOTIFY
          && strcmp (r->names.v[j], NOTIFY_HANDOFF_SYSCALL) == 0)
        return werr_set (err, 0,
                         "config.json: linux.seccomp.syscalls[%zu].names[%zu]: "
                         "SCMP_ACT_NOTIFY cannot be used for \"%s\": the "
                         "runtime needs it to hand the listener fd over",
                         i, j, r->names.v[j]);
    }
  for (size_t j = 0; j < r->n_args; j++)
    {
      const struct oci_seccomp_arg *a = &r->args[j];
      if (a->index >= SYSCALL_MAX_ARGS)
        return werr_set (err, 0,
                         "config.json: linux.seccomp.syscalls[%zu].args[%zu]"
                         ".index: %u is out of range (0-5)",
                         i, j, (unsigned) a->index);
      if (op_from_name (a->op) < 0)
        return werr_set (err, 0,
                         "config.json: linux.seccomp.syscalls[%zu].args[%zu]"
                         ".op: unknown operator \"%s\"",
                         i, j, a->op ? a->op : "");
    }
  return 0;
}

int
seccomp_profile_validate (const struct oci_seccomp *s, struct werr *err)
{
  if (profile_disabled (s))
    return 0;
  int def = action_kind (s->default_action);
  if (def < 0)
    return werr_set (err, 0,
                     "config.json: linux.seccomp.defaultAction: unknown "
                     "action \"%s\"",
                     s->default_action ? s->default_action : "");
  if (def == ACT_NOTIFY)
    return werr_set (err, 0,
                     "config.json: linux.seccomp.defaultAction: "
                     "SCMP_ACT_NOTIFY cannot be the default action");
  /* The spec: an errno for an action that returns none is an error. */
  if (s->has_default_errno_ret && !action_takes_errno (def))
    return werr_set (err, 0,
                     "config.json: linux.seccomp.defaultErrnoRet: %s takes "
                     "no errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)",
                     s->default_action);
  for (size_t i = 0; i < s->architectures.n; i++)
    if (arch_from_name (s->architectures.v[i]) == 0)
      return werr_set (err, 0,
                       "config.json: linux.seccomp.architectures[%zu]: "
                       "unknown architecture \"%s\"",
                       i, s->architectures.v[i]);
  for (size_t i = 0; i < s->flags.n; i++)
    {
      unsigned int f;
      if (flag_from_name (s->flags.v[i], &f) < 0)
        return werr_set (err, 0,
                         "config.json: linux.seccomp.flags[%zu]: unknown "
                         "flag \"%s\"",
                         i, s->flags.v[i]);
      /* The kernel accepts it only with a notification listener. */
      if (f == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
          && !seccomp_profile_uses_notify (s))
        return werr_set (err, 0,
                         "config.json: linux.seccomp.flags[%zu]: %s needs "
                         "SCMP_ACT_NOTIFY in one of linux.seccomp.syscalls",
                         i, s->flags.v[i]);
    }
  if (s->listener_metadata && s->listener_metadata[0]
      && (s->listener_path == NULL || s->listener_path[0] == '\0'))
    return werr_set (err, 0,
                     "config.json: linux.seccomp.listenerMetadata: set "
                     "without linux.seccomp.listenerPath");
  for (size_t i = 0; i < s->n_syscalls; i++)
    if (validate_rule (s, i, err) < 0)
      return -1;
  return 0;
}

/* ---- compiling ------------------------------------------------------- */

static void
ctx_releasep (scmp_filter_ctx *ctx)
{
  if (*ctx)
    seccomp_release (*ctx);
}

static int
add_rule_args (scmp_filter_ctx ctx, uint32_t act, int nr,
               const struct oci_seccomp_syscall *r, const char *name,
               struct werr *err)
{
  struct scmp_arg_cmp cmp[SYSCALL_MAX_ARGS * 4];
  unsigned int count[SYSCALL_MAX_ARGS] = { 0 };
  size_t n = r->n_args < ARRAY_SIZE (cmp) ? r->n_args : ARRAY_SIZE (cmp);
  bool repeated = false;
  for (size_t j = 0; j < n; j++)
    {
      const struct oci_seccomp_arg *a = &r->args[j];
      int op = op_from_name (a->op);
      if (op < 0 || a->index >= SYSCALL_MAX_ARGS)
        return werr_set (err, EINVAL, "seccomp: syscall \"%s\": argument %zu",
                         name, j);
      /* For MASKED_EQ the spec's value is the mask and valueTwo the datum,
       * libseccomp's datum_a and datum_b. */
      cmp[j] = (struct scmp_arg_cmp){ .arg = a->index,
                                      .op = (enum scmp_compare) op,
                                      .datum_a = a->value,
                                      .datum_b = a->value_two };
      if (++count[a->index] > 1)
        repeated = true;
    }
  int rc;
  if (!repeated)
    rc = seccomp_rule_add_array (ctx, act, nr, (unsigned) n, cmp);
  else
    /* libseccomp cannot AND two conditions on one argument: as runc, such
     * a rule becomes one rule per condition (an OR). */
    for (size_t j = 0; j < n; j++)
      if ((rc = seccomp_rule_add_array (ctx, act, nr, 1, &cmp[j])) < 0)
        break;
  if (rc < 0)
    return werr_set (err, -rc, "seccomp: syscall \"%s\": add rule", name);
  return 0;
}

static int
add_rules (scmp_filter_ctx ctx, const struct oci_seccomp *s, uint32_t def,
           struct werr *err)
{
  for (size_t i = 0; i < s->n_syscalls; i++)
    {
      const struct oci_seccomp_syscall *r = &s->syscalls[i];
      int kind = action_kind (r->action);
      if (kind < 0)
        return werr_set (err, EINVAL, "seccomp: syscalls[%zu]: action \"%s\"",
                         i, r->action ? r->action : "");
      uint32_t act = action_value ((enum action_kind) kind, r->has_errno_ret,
                                   r->errno_ret);
      /* libseccomp refuses a rule that repeats the default action. */
      if (act == def)
        continue;
      for (size_t j = 0; j < r->names.n; j++)
        {
          const char *name = r->names.v[j];
          int nr = seccomp_syscall_resolve_name (name);
          /* Unknown to libseccomp: newer than it, or not on this
           * architecture.  runc skips these too. */
          if (nr == __NR_SCMP_ERROR)
            continue;
          if (add_rule_args (ctx, act, nr, r, name, err) < 0)
            return -1;
        }
    }
  return 0;
}

static int
compile_filter (const struct oci_seccomp *s, scmp_filter_ctx *out,
                uint32_t *def_out, struct werr *err)
{
  int def_kind = action_kind (s->default_action);
  if (def_kind < 0 || def_kind == ACT_NOTIFY)
    return werr_set (err, EINVAL, "seccomp: defaultAction \"%s\"",
                     s->default_action ? s->default_action : "");
  uint32_t def = action_value ((enum action_kind) def_kind,
                               s->has_default_errno_ret, s->default_errno_ret);
  __attribute__ ((cleanup (ctx_releasep))) scmp_filter_ctx ctx
      = seccomp_init (def);
  if (ctx == NULL)
    return werr_set (err, EINVAL, "seccomp: seccomp_init %s",
                     s->default_action);
  for (size_t i = 0; i < s->architectures.n; i++)
    {
      uint32_t arch = arch_from_name (s->architectures.v[i]);
      if (arch == 0)
        return werr_set (err, EINVAL, "seccomp: architecture \"%s\"",
                         s->architectures.v[i]);
      int rc = seccomp_arch_add (ctx, arch);
      if (rc < 0 && rc != -EEXIST)
        return werr_set (err, -rc, "seccomp: add architecture \"%s\"",
                         s->architectures.v[i]);
    }
  /* Long profiles: a binary tree of syscall checks instead of a list (as
   * runc; libseccomp <= 2.5.4 misbehaves with the tree and no rules). */
  if (s->n_syscalls > 32)
    (void) seccomp_attr_set (ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (add_rules (ctx, s, def, err) < 0)
    return -1;
  *def_out = def;
  *out = ctx;
  ctx = NULL;
  return 0;
}

static int
export_program (scmp_filter_ctx ctx, struct sock_filter **prog, size_t *n,
                struct werr *err)
{
  _cleanup_close_ int fd = memfd_create ("ward-seccomp", MFD_CLOEXEC);
  if (fd < 0)
    return werr_set (err, errno, "seccomp: memfd_create");
  int rc = seccomp_export_bpf (ctx, fd);
  if (rc < 0)
    return werr_set (err, -rc, "seccomp: export BPF program");
  struct stat st;
  if (fstat (fd, &st) < 0)
    return werr_set (err, errno, "seccomp: fstat BPF program");
  size_t len = (size_t) st.st_size;
  if (len == 0 || len % sizeof (struct sock_filter) != 0)
    return werr_set (err, EINVAL, "seccomp: BPF program of %zu bytes", len);
  struct sock_filter *p = malloc (len);
  if (p == NULL)
    return werr_set (err, ENOMEM, "seccomp: BPF program");
  if (pread (fd, p, len, 0) != (ssize_t) len)
    {
      int e = errno ? errno : EIO;
      free (p);
      return werr_set (err, e, "seccomp: read BPF program");
    }
  *prog = p;
  *n = len / sizeof (struct sock_filter);
  return 0;
}

/* ---- the ENOSYS prelude ---------------------------------------------- */

#define X32_SYSCALL_BIT 0x40000000U
#define STUB_MAX_ARCHS 24
#define STUB_SECTION_MAX 7

struct stub_arch
{
  uint32_t audit_arch;
  uint32_t max_nr;
};

/* The highest syscall number the profile names on `arch`; 0 if none. */
static uint32_t
profile_max_nr (const struct oci_seccomp *s, uint32_t arch)
{
  uint32_t max = 0;
  for (size_t i = 0; i < s->n_syscalls; i++)
    for (size_t j = 0; j < s->syscalls[i].names.n; j++)
      {
        int nr = seccomp_syscall_resolve_name_arch (arch,
                                                    s->syscalls[i].names.v[j]);
        if (nr >= 0 && (uint32_t) nr > max)
          max = (uint32_t) nr;
      }
  return max;
}

static size_t
stub_collect_archs (const struct oci_seccomp *s, struct stub_arch *out)
{
  uint32_t archs[STUB_MAX_ARCHS];
  size_t n = 0;
  archs[n++] = seccomp_arch_native ();
  for (size_t i = 0; i < s->architectures.n && n < STUB_MAX_ARCHS; i++)
    archs[n++] = arch_from_name (s->architectures.v[i]);
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    {
      /* x32 shares AUDIT_ARCH_X86_64; its calls (bit 30 set) are left to
       * the filter proper rather than given ENOSYS. */
      if (archs[i] == 0 || archs[i] == SCMP_ARCH_X32)
        continue;
      bool dup = false;
      for (size_t j = 0; j < m; j++)
        dup |= out[j].audit_arch == archs[i];
      uint32_t max = dup ? 0 : profile_max_nr (s, archs[i]);
      if (max == 0)
        continue;
      out[m++] = (struct stub_arch){ .audit_arch = archs[i], .max_nr = max };
    }
  return m;
}

/* One section per architecture:
 *     ld arch; jne ARCH -> next section; ld nr;
 *     [x86_64: jset X32 bit -> filter] [s390: jeq 0 -> ENOSYS]
 *     jle MAX -> filter; ret ENOSYS; ja filter
 * Sections are self-contained so every conditional jump is short; the one
 * long jump is the `ja`, whose offset is 32 bits. */
static size_t
stub_emit_section (struct sock_filter *o, const struct stub_arch *a)
{
  size_t n = 0;
  bool x86_64 = a->audit_arch == SCMP_ARCH_X86_64;
  bool s390
      = a->audit_arch == SCMP_ARCH_S390 || a->audit_arch == SCMP_ARCH_S390X;
  uint8_t rest = (uint8_t) (4 + (x86_64 || s390));
  o[n++] = (struct sock_filter) BPF_STMT (BPF_LD | BPF_W | BPF_ABS,
                                          offsetof (struct seccomp_data, arch));
  o[n++] = (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K,
                                          a->audit_arch, 0, rest);
  o[n++] = (struct sock_filter) BPF_STMT (BPF_LD | BPF_W | BPF_ABS,
                                          offsetof (struct seccomp_data, nr));
  if (x86_64)
    o[n++] = (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JSET | BPF_K,
                                            X32_SYSCALL_BIT, 2, 0);
  /* On s390 an unknown large syscall number arrives as 0 (the old
   * multiplexer, unused by anything else). */
  if (s390)
    o[n++] = (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0);
  o[n++] = (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JGT | BPF_K, a->max_nr,
                                          0, 1);
  o[n++] = (struct sock_filter) BPF_STMT (BPF_RET | BPF_K,
                                          SECCOMP_RET_ERRNO | ENOSYS);
  o[n++] = (struct sock_filter) BPF_STMT (BPF_JMP | BPF_JA, 0);
  return n;
}

/* Prepend the prelude to `prog`; *prog is replaced on success. */
static int
stub_prepend (const struct oci_seccomp *s, struct sock_filter **prog, size_t *n,
              struct werr *err)
{
  struct stub_arch archs[STUB_MAX_ARCHS];
  size_t na = stub_collect_archs (s, archs);
  if (na == 0)
    return 0;
  struct sock_filter stub[STUB_MAX_ARCHS * STUB_SECTION_MAX];
  size_t len = 0;
  for (size_t i = 0; i < na; i++)
    len += stub_emit_section (stub + len, &archs[i]);
  /* Every section ends with its `ja`: point each at the filter proper. */
  for (size_t i = 0; i < len; i++)
    if (stub[i].code == (BPF_JMP | BPF_JA))
      stub[i].k = (uint32_t) (len - i - 1);
  if (len + *n > BPF_MAXINSNS)
    return 0; /* the profile alone still fits: load it without */
  struct sock_filter *p = malloc ((len + *n) * sizeof *p);
  if (p == NULL)
    return werr_set (err, ENOMEM, "seccomp: BPF program");
  memcpy (p, stub, len * sizeof *p);
  memcpy (p + len, *prog, *n * sizeof *p);
  free (*prog);
  *prog = p;
  *n += len;
  return 0;
}

/* ---- loading --------------------------------------------------------- */

static bool
is_allow_like (uint32_t def)
{
  /* TRACE counts as allowing: a tracer is expected to cope with new
   * syscalls itself (runc's reasoning). */
  return def == SCMP_ACT_ALLOW || def == SCMP_ACT_LOG
         || (def & SECCOMP_RET_ACTION_FULL) == SCMP_ACT_TRACE (0);
}

/* Returns the listener fd when `flags` asks for one, else 0; -1 on error. */
static int
load_program (struct sock_filter *prog, size_t n, unsigned int flags,
              bool spec_allow_implicit, struct werr *err)
{
  struct sock_fprog fprog = { .len = (unsigned short) n, .filter = prog };
  long r = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
  /* SPEC_ALLOW was only our default (as runc): drop it on kernels < 4.17. */
  if (r < 0 && errno == EINVAL && spec_allow_implicit)
    {
      flags &= ~(unsigned int) SECCOMP_FILTER_FLAG_SPEC_ALLOW;
      r = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
    }
  if (r < 0)
    return werr_set (err, errno, "seccomp: load filter");
  return (int) r;
}

static int
filter_flags (const struct oci_seccomp *s, unsigned int *out, bool *implicit,
              struct werr *err)
{
  unsigned int flags = 0;
  /* runc's default when the profile has no flags field at all: skip the
   * speculative store bypass mitigation (absent: flags.v is NULL). */
  *implicit = s->flags.v == NULL;
  if (*implicit)
    flags = SECCOMP_FILTER_FLAG_SPEC_ALLOW;
  for (size_t i = 0; i < s->flags.n; i++)
    {
      unsigned int f;
      if (flag_from_name (s->flags.v[i], &f) < 0)
        return werr_set (err, EINVAL, "seccomp: flag \"%s\"", s->flags.v[i]);
      flags |= f;
    }
  if (seccomp_profile_uses_notify (s))
    {
      flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
      /* TSYNC reports a failing thread by its tid in the return value,
       * which is the listener fd here: the kernel wants ESRCH instead. */
      if (flags & SECCOMP_FILTER_FLAG_TSYNC)
        flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
    }
  else if (flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
    return werr_set (err, EINVAL, "seccomp: %s without SCMP_ACT_NOTIFY",
                     "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
  *out = flags;
  return 0;
}

int
seccomp_profile_install_listener (const struct oci_seccomp *s, int *listener_fd,
                                  struct werr *err)
{
  *listener_fd = -1;
  if (profile_disabled (s))
    return 0;
  unsigned int flags = 0;
  bool implicit = false;
  if (filter_flags (s, &flags, &implicit, err) < 0)
    return -1;

  __attribute__ ((cleanup (ctx_releasep))) scmp_filter_ctx ctx = NULL;
  uint32_t def = SCMP_ACT_ALLOW;
  if (compile_filter (s, &ctx, &def, err) < 0)
    return -1;
  _cleanup_free_ struct sock_filter *prog = NULL;
  size_t n = 0;
  if (export_program (ctx, &prog, &n, err) < 0)
    return -1;
  if (!is_allow_like (def) && stub_prepend (s, &prog, &n, err) < 0)
    return -1;
  if (n > BPF_MAXINSNS)
    return werr_set (err, E2BIG,
                     "seccomp: the filter has %zu instructions (at most %d)", n,
                     BPF_MAXINSNS);
  /* From here on every syscall of this process and its children goes
   * through the filter. */
  int fd = load_program (prog, n, flags, implicit, err);
  if (fd < 0)
    return -1;
  if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
    *listener_fd = fd;
  return 0;
}

int
seccomp_profile_install (const struct oci_seccomp *s, struct werr *err)
{
  if (seccomp_profile_uses_notify (s))
    return werr_set (err, EINVAL,
                     "seccomp: SCMP_ACT_NOTIFY needs a listener to hand "
                     "the notification fd to");
  int fd;
  return seccomp_profile_install_listener (s, &fd, err);
}
