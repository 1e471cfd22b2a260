/* ward — compile, syscalls part: the agent profiles of POLICY.md §3 plus
 * the policy's `syscalls` lists and the socket rules of a restricted
 * egress, as a seccomp profile in config.json's shape.
 *
 * The init loads it with seccomp.c on top of the bundle's own filter: the
 * kernel runs every filter and takes the strictest verdict, so a deny here
 * always wins over an allow in the bundle's profile, and the bundle's
 * denials stay.  (Textually merging the two into one libseccomp context
 * would not be safe: libseccomp silently drops a conditional rule on a
 * syscall the other profile allows unconditionally.) */
#include <errno.h>
#include <linux/sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "plan.h"
#include "utils.h"
#include "ward/cleanup.h"

/* default: what an agent never needs and what opens the kernel to it. */
static const char *const agent_default[] = {
  /* module loading */
  "init_module",
  "finit_module",
  "delete_module",
  /* BPF and perf */
  "bpf",
  "perf_event_open",
  /* ptrace of others and reading their memory */
  "ptrace",
  "process_vm_readv",
  "process_vm_writev",
  /* keyrings */
  "keyctl",
  "add_key",
  "request_key",
  /* userfaultfd (race amplifier in exploits) */
  "userfaultfd",
  /* io_uring (goes around seccomp for the operations it performs) */
  "io_uring_setup",
  "io_uring_enter",
  "io_uring_register",
  /* mounts */
  "mount",
  "umount",
  "umount2",
  "pivot_root",
  "move_mount",
  "open_tree",
  "fsopen",
  "fsconfig",
  "fsmount",
  "fspick",
  "mount_setattr",
  /* the machine */
  "kexec_load",
  "kexec_file_load",
  "reboot",
  "swapon",
  "swapoff",
  "acct",
  "settimeofday",
  "clock_settime",
  "clock_adjtime",
  "iopl",
  "ioperm",
  "quotactl",
  "quotactl_fd",
  "lookup_dcookie",
  "vhangup",
  "uselib",
  /* file handles (open by handle bypasses path checks) */
  "open_by_handle_at",
};

/* strict: also namespaces, chroot, personality, device nodes, the kernel
 * log, other processes' fds and handles. */
static const char *const agent_strict[] = {
  "unshare",
  "setns",
  "chroot",
  "personality",
  "mknod",
  "mknodat",
  "syslog",
  "kcmp",
  "pidfd_getfd",
  "name_to_handle_at",
  "fanotify_init",
  "memfd_secret",
  "remap_file_pages",
};

static bool
in_list (char *const *v, size_t n, const char *s)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (v[i], s) == 0)
      return true;
  return false;
}

static void
deny_add (struct plan_seccomp *sc, const char *name)
{
  if (in_list (sc->deny, sc->n_deny, name))
    return;
  sc->deny = realloc (sc->deny, (sc->n_deny + 2) * sizeof *sc->deny);
  if (sc->deny == NULL)
    abort ();
  sc->deny[sc->n_deny++] = xstrdup (name);
  sc->deny[sc->n_deny] = NULL;
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
collect_denials (struct plan_seccomp *sc, const struct agent_policy *p)
{
  for (size_t i = 0; i < ARRAY_SIZE (agent_default); i++)
    if (!in_list (p->sys_allow, p->n_sys_allow, agent_default[i]))
      deny_add (sc, agent_default[i]);
  for (size_t i = 0; sc->strict && i < ARRAY_SIZE (agent_strict); i++)
    if (!in_list (p->sys_allow, p->n_sys_allow, agent_strict[i]))
      deny_add (sc, agent_strict[i]);
  /* The policy's own denials are never lifted by an allow. */
  for (size_t i = 0; i < p->n_sys_deny; i++)
    deny_add (sc, p->sys_deny[i]);
  qsort (sc->deny, sc->n_deny, sizeof *sc->deny, cmp_str);
}

/* ---- the filter in config.json's shape ------------------------------ */

struct cond
{
  uint32_t index;
  const char *op;
  uint64_t value, value_two;
};

static void
rule_push (struct oci_seccomp *f, char *const *names, size_t n_names,
           const char *action, uint32_t errno_ret, const struct cond *conds,
           size_t n_conds)
{
  f->syscalls
      = realloc (f->syscalls, (f->n_syscalls + 1) * sizeof *f->syscalls);
  if (f->syscalls == NULL)
    abort ();
  struct oci_seccomp_syscall *r = &f->syscalls[f->n_syscalls++];
  memset (r, 0, sizeof *r);
  r->names.v = xmalloc0 ((n_names + 1) * sizeof *r->names.v);
  for (size_t i = 0; i < n_names; i++)
    r->names.v[i] = xstrdup (names[i]);
  r->names.n = n_names;
  r->action = xstrdup (action);
  r->has_errno_ret = strcmp (action, "SCMP_ACT_ERRNO") == 0;
  r->errno_ret = errno_ret;
  r->args = xmalloc0 ((n_conds + 1) * sizeof *r->args);
  for (size_t i = 0; i < n_conds; i++)
    r->args[i] = (struct oci_seccomp_arg){ .index = conds[i].index,
                                           .op = xstrdup (conds[i].op),
                                           .value = conds[i].value,
                                           .has_value_two = true,
                                           .value_two = conds[i].value_two };
  r->n_args = n_conds;
}

/* One conditional rule on `name`, unless the name is denied outright (a
 * conditional rule would repeat it). */
static void
cond_rule (struct plan_seccomp *sc, const char *name, const char *action,
           uint32_t e, const struct cond *c, size_t n)
{
  char *names[] = { (char *) name };
  if (!in_list (sc->deny, sc->n_deny, name))
    rule_push (&sc->filter, names, 1, action, e, c, n);
}

#define SOCK_TYPE_MASK 0xf

/* Address families a restricted egress keeps: AF_UNIX, AF_INET, AF_INET6
 * and AF_NETLINK.  Every other one (packet, vsock to the hypervisor, CAN,
 * TIPC, XDP, ...) would go around the BPF filter or the namespace. */
static void
family_rules (struct plan_seccomp *sc, const char *act)
{
  const struct cond above[] = { { 0, "SCMP_CMP_GT", AF_NETLINK, 0 } };
  cond_rule (sc, "socket", act, EPERM, above, 1);
  for (uint64_t f = AF_INET + 1; f < AF_NETLINK; f++)
    if (f != AF_INET6)
      {
        const struct cond one[] = { { 0, "SCMP_CMP_EQ", f, 0 } };
        cond_rule (sc, "socket", act, EPERM, one, 1);
      }
}

static void
socket_rules (struct plan_seccomp *sc, const struct plan_net *n,
              const char *act)
{
  if (n->deny_raw)
    {
      family_rules (sc, act);
      for (int f = 0; f < 2; f++)
        {
          uint64_t fam = f ? AF_INET6 : AF_INET;
          const struct cond raw[] = {
            { 0, "SCMP_CMP_EQ", fam, 0 },
            { 1, "SCMP_CMP_MASKED_EQ", SOCK_TYPE_MASK, SOCK_RAW },
          };
          const struct cond ping[] = {
            { 0, "SCMP_CMP_EQ", fam, 0 },
            { 1, "SCMP_CMP_MASKED_EQ", SOCK_TYPE_MASK, SOCK_DGRAM },
            { 2, "SCMP_CMP_EQ", f ? IPPROTO_ICMPV6 : IPPROTO_ICMP, 0 },
          };
          cond_rule (sc, "socket", act, EPERM, raw, 2);
          if (!n->icmp)
            cond_rule (sc, "socket", act, EPERM, ping, 3);
        }
    }
  for (int f = 0; n->deny_udp && f < 2; f++)
    {
      const struct cond udp[] = {
        { 0, "SCMP_CMP_EQ", f ? AF_INET6 : AF_INET, 0 },
        { 1, "SCMP_CMP_MASKED_EQ", SOCK_TYPE_MASK, SOCK_DGRAM },
      };
      cond_rule (sc, "socket", act, EPERM, udp, 2);
    }
}

void
plan_seccomp_build (struct plan_seccomp *sc, const struct plan_net *n)
{
  struct oci_seccomp *f = &sc->filter;
  const char *act = sc->audit ? "SCMP_ACT_LOG" : "SCMP_ACT_ERRNO";
  static char *const archs[]
      = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" };
  f->default_action = xstrdup ("SCMP_ACT_ALLOW");
#if defined(__x86_64__)
  f->architectures.v = xmalloc0 (4 * sizeof (char *));
  for (size_t i = 0; i < 3; i++)
    f->architectures.v[i] = xstrdup (archs[i]);
  f->architectures.n = 3;
#else
  (void) archs;
#endif
  /* A non-NULL, possibly empty list: no implicit SPEC_ALLOW for our filter. */
  f->flags.v = xmalloc0 (2 * sizeof (char *));
  if (sc->log && !sc->audit)
    f->flags.v[f->flags.n++] = xstrdup ("SECCOMP_FILTER_FLAG_LOG");
  if (sc->n_deny)
    rule_push (f, sc->deny, sc->n_deny, act, EPERM, NULL, 0);
  if (sc->deny_newuser)
    {
      const struct cond newuser[]
          = { { 0, "SCMP_CMP_MASKED_EQ", CLONE_NEWUSER, CLONE_NEWUSER } };
      cond_rule (sc, "unshare", act, EPERM, newuser, 1);
      cond_rule (sc, "clone", act, EPERM, newuser, 1);
      /* clone3's flags are in memory the filter cannot read: ENOSYS makes
       * libc fall back to clone, which the rule above checks. */
      char *c3[] = { "clone3" };
      if (!in_list (sc->deny, sc->n_deny, "clone3"))
        rule_push (f, c3, 1, act, ENOSYS, NULL, 0);
    }
  socket_rules (sc, n, act);
}

int
compile_seccomp (struct policy_plan *plan, const struct agent_policy *p,
                 struct werr *err)
{
  struct plan_seccomp *sc = &plan->sc;
  (void) err;
  sc->enabled = true;
  sc->strict = p->syscalls_strict;
  sc->audit = plan->audit;
  sc->log = plan->log_denials;
  sc->deny_newuser = true;
  collect_denials (sc, p);
  plan_seccomp_build (sc, &plan->net);
  return 0;
}
