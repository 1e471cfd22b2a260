/* ward — `ward policy explain`: the plan, mechanism by mechanism, as it
 * would be enforced on this host. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "audit_kernel.h"
#include "egress_names.h"
#include "plan.h"

static const char *
kind_name (enum pol_fs_access k)
{
  return k == POL_FS_RW   ? "read-write"
         : k == POL_FS_RO ? "read-only"
                          : "denied";
}

static void
list (FILE *o, const char *label, char *const *v, size_t n)
{
  if (n == 0)
    return;
  fprintf (o, "  %s:", label);
  for (size_t i = 0; i < n; i++)
    fprintf (o, "%s %s", i ? "," : "", v[i]);
  fputc ('\n', o);
}

static void
explain_fs (const struct policy_plan *plan, FILE *o)
{
  const struct plan_fs *fs = &plan->fs;
  fprintf (o, "\nfilesystem\n");
  if (plan->audit)
    fprintf (o, "  audit mode: not restricted (Landlock cannot log without "
                "denying)\n");
  else if (fs->landlock)
    fprintf (o,
             "  Landlock ABI %d, applied in the container's init right "
             "before exec (inherited by every process it starts)\n",
             fs->abi);
  else
    fprintf (o, "  NOT restricted by Landlock (best_effort); masks and "
                "read-only remounts only\n");
  if (!plan->audit && fs->landlock)
    audit_kernel_explain (o);
  for (size_t i = 0; !plan->audit && i < fs->n_rules; i++)
    fprintf (o, "  %-10s %-28s %s\n", kind_name (fs->rules[i].kind),
             fs->rules[i].path, fs->rules[i].where);
  if (!plan->audit && fs->landlock)
    fprintf (o, "  everything else: no access (EACCES); an allowed directory "
                "above a stricter entry is granted entry by entry\n");
  list (o, "masked (empty tmpfs or /dev/null)", plan->masks, plan->n_masks);
  list (o, "remounted read-only", plan->ro_remounts, plan->n_ro_remounts);
  if (fs->scope_signal)
    fprintf (o, "  scoped: no signals to, no abstract unix sockets of "
                "processes outside the sandbox\n");
}

static void
ports_text (const struct plan_portset *s, char *buf, size_t len)
{
  size_t o = 0;
  buf[0] = '\0';
  for (uint32_t i = 0; i < s->n && o < len; i++)
    {
      const struct plan_portrange *r = &s->r[i];
      const char *p = r->protos == POL_PROTO_ALL                     ? "any"
                      : r->protos == (POL_PROTO_TCP | POL_PROTO_UDP) ? "tcp+udp"
                      : r->protos == POL_PROTO_TCP                   ? "tcp"
                      : r->protos == POL_PROTO_UDP                   ? "udp"
                                                                     : "icmp";
      if (r->lo == 0 && r->hi == 65535)
        o += (size_t) snprintf (buf + o, len - o, "%s%s", i ? ", " : "", p);
      else if (r->lo == r->hi)
        o += (size_t) snprintf (buf + o, len - o, "%s%s/%u", i ? ", " : "", p,
                                r->lo);
      else
        o += (size_t) snprintf (buf + o, len - o, "%s%s/%u-%u", i ? ", " : "",
                                p, r->lo, r->hi);
    }
  if (s->n == 0 && len > 8)
    snprintf (buf, len, "(nothing)");
}

static void
prefixes (FILE *o, const char *verb, const struct plan_prefix *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      char c[64], p[512];
      pol_cidr_format (&v[i].cidr, c, sizeof c);
      ports_text (&v[i].ports, p, sizeof p);
      fprintf (o, "    %-5s %-24s %s\n", verb, c, p);
    }
}

static void
explain_net (const struct policy_plan *plan, FILE *o)
{
  const struct plan_net *n = &plan->net;
  fprintf (o, "\nnetwork\n");
  if (plan->audit)
    fprintf (o, "  audit mode: not restricted\n");
  switch (n->netns)
    {
    case PLAN_NETNS_ADDED:
      fprintf (o, "  a new, empty network namespace (added by ward): nothing "
                  "but its own loopback is reachable\n");
      break;
    case PLAN_NETNS_HOST:
      fprintf (o,
               "  the host's network namespace (the bundle shares it): "
               "loopback is the host's, %s\n",
               n->host_loopback_allow ? "allowed" : "denied by the BPF filter");
      break;
    default:
      fprintf (o, "  the bundle's network namespace; its loopback is "
                  "private and always allowed\n");
    }
  fprintf (o, "  egress default: %s\n", n->default_allow ? "allow" : "deny");
  if (n->filter)
    {
      fprintf (o, "  BPF cgroup programs connect4, connect6, sendmsg4, "
                  "sendmsg6 on the container's cgroup2 directory (EPERM); "
                  "deny entries first, then allow, then the default:\n");
      prefixes (o, "deny", n->deny, n->n_deny);
      prefixes (o, "allow", n->allow, n->n_allow);
    }
  else if (n->landlock_tcp)
    {
      fprintf (o, "  Landlock TCP connect rules (no cgroup BPF here): TCP "
                  "only to ports");
      for (size_t i = 0; i < n->n_tcp_ports && i < 32; i++)
        fprintf (o, " %u", n->tcp_ports[i]);
      fprintf (o, "%s; UDP sockets refused\n", n->n_tcp_ports > 32 ? " …" : "");
    }
  else if (n->restricted && n->netns != PLAN_NETNS_ADDED && !plan->audit)
    fprintf (o, "  NOT filtered (best_effort)\n");
  egress_names_explain (plan, o);
  fprintf (o, "  ingress: %s\n",
           n->ingress_filter  ? "binding a non-loopback address to a fixed "
                                "port is refused (BPF bind4/bind6), inbound "
                                "connections from outside the namespace's "
                                "loopback are dropped (BPF ingress)"
           : n->landlock_bind ? "every TCP bind but to port 0 is refused, "
                                "loopback included (Landlock; no cgroup BPF "
                                "here)"
           : n->ingress_audit ? "binds of fixed ports and inbound "
                                "connections recorded, not refused (audit "
                                "mode, BPF bind4/bind6 and ingress)"
           : n->netns == PLAN_NETNS_ADDED ? "no inbound path (empty namespace)"
                                          : "allowed");
  if (n->deny_raw)
    fprintf (o, "  raw and packet sockets%s: refused by seccomp\n",
             n->icmp ? "" : ", ping sockets");
  if (n->icmp)
    fprintf (o, "  ICMP (ping sockets): judged per packet by the rules "
                "above (BPF cgroup_skb egress)\n");
}

static void
explain_syscalls (const struct policy_plan *plan, FILE *o)
{
  const struct plan_seccomp *sc = &plan->sc;
  fprintf (o,
           "\nsyscalls\n  seccomp filter \"%s\", stacked on the bundle's "
           "own (the kernel applies the strictest verdict of both)\n",
           sc->strict ? "strict" : "default");
  fprintf (o, "  %s:", sc->audit ? "logged, not denied (audit mode)" : "EPERM");
  for (size_t i = 0; i < sc->n_deny; i++)
    fprintf (o, " %s", sc->deny[i]);
  fputc ('\n', o);
  if (sc->deny_newuser)
    fprintf (o, "  clone/unshare with CLONE_NEWUSER: EPERM; clone3: ENOSYS "
                "(libc falls back to clone)\n");
}

static void
explain_rest (const struct policy_plan *plan, FILE *o)
{
  fprintf (o, "\nprivileges\n  no_new_privileges: forced%s\n",
           plan->nnp_forced ? " (the bundle did not set it)" : "");
  list (o, "capabilities removed from the bundle's", plan->caps_dropped,
        plan->n_caps_dropped);
  fprintf (o,
           "\nidentity\n  agent \"%s\"; SELinux categories s0:c%u,c%u: "
           "%s\n",
           plan->agent, plan->mcs[0], plan->mcs[1],
           plan->selinux_apply ? "applied"
                               : "not applied (SELinux is not "
                                 "enabled on this host)");
  if (plan->selinux_apply)
    fprintf (o, "  process label %s, mount label %s\n", plan->process_label,
             plan->mount_label);
  if (plan->userns_added)
    fprintf (o,
             "  session: user namespace, ids 0-65535 → host %u-%u; fresh "
             "session keyring\n",
             plan->id_base, plan->id_base + plan->id_size - 1);
  if (plan->has_memory || plan->has_cpu || plan->has_pids)
    {
      fprintf (o, "\nresources (cgroup)\n");
      if (plan->has_memory)
        fprintf (o, "  memory limit %lld bytes\n",
                 (long long) plan->memory_bytes);
      if (plan->has_cpu)
        fprintf (o, "  cpu quota %lld per %llu µs\n",
                 (long long) plan->cpu_quota,
                 (unsigned long long) plan->cpu_period);
      if (plan->has_pids)
        fprintf (o, "  pids limit %lld\n", (long long) plan->pids);
    }
  if (plan->has_timeout)
    fprintf (o,
             "\ntimeout\n  every process of the container is killed %u ms "
             "after start (ward's monitor process)\n",
             plan->timeout_ms);
  if (plan->ui_disable)
    {
      fprintf (o, "\nui\n  display and session-bus sockets masked");
      for (size_t i = 0; i < plan->n_env_dropped; i++)
        fprintf (o, "%s%s", i ? ", " : "; dropped: ", plan->env_dropped[i]);
      fputc ('\n', o);
    }
}

void
policy_plan_explain (const struct policy_plan *plan, FILE *o)
{
  fprintf (o, "agent \"%s\", container \"%s\", level %s, compatibility %s\n",
           plan->agent, plan->id, plan_level_name (plan->level),
           plan->best_effort ? "best_effort" : "hard");
  if (plan->profile || plan->source)
    fprintf (o, "policy: %s%s%s\n", plan->source ? plan->source : "",
             plan->source && plan->profile ? " over profile " : "",
             plan->profile ? plan->profile : "");
  fprintf (o, "report: %s\n",
           oci_config_annotation (plan->view, "run.ward.enforced"));
  explain_fs (plan, o);
  explain_net (plan, o);
  explain_syscalls (plan, o);
  explain_rest (plan, o);
  if (plan->n_weak)
    {
      fprintf (o, "\nWEAKENED (best_effort: accepted, not enforced)\n");
      for (size_t i = 0; i < plan->n_weak; i++)
        fprintf (o, "  %s: %s\n", plan->weak[i].field, plan->weak[i].what);
    }
  if (plan->n_notes)
    {
      fprintf (o, "\nignored (no effect here)\n");
      for (size_t i = 0; i < plan->n_notes; i++)
        fprintf (o, "  %s: %s\n", plan->notes[i].where, plan->notes[i].what);
    }
}
