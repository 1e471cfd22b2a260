/* ward — the plan as data for machines: the short enforcement report
 * (annotation run.ward.enforced, shown by `ward state`) and the full plan
 * as JSON (plan.json in the state directory, `ward policy explain --json`). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "audit_kernel.h"
#include "plan.h"
#include "policy.h"
#include "utils.h"
#include "ward/json.h"

static const char *const level_names[]
    = { "process", "container", "session", "microvm" };

const char *
plan_level_name (enum pol_level l)
{
  return (unsigned) l < 4 ? level_names[l] : "?";
}

const char *
plan_fs_mode (const struct policy_plan *plan)
{
  if (plan->audit)
    return "audit";
  if (plan->fs.landlock)
    return "landlock";
  return plan->n_masks || plan->n_ro_remounts ? "mounts-only" : "off";
}

const char *
plan_net_mode (const struct policy_plan *plan)
{
  const struct plan_net *n = &plan->net;
  if (plan->audit)
    return "audit";
  if (n->netns == PLAN_NETNS_ADDED)
    return "isolated";
  if (n->filter)
    return n->ingress_filter ? "bpf+bind" : "bpf";
  if (n->ingress_filter)
    return "bind";
  if (n->landlock_tcp)
    return n->landlock_bind ? "landlock-tcp+bind" : "landlock-tcp";
  if (n->landlock_bind)
    return "landlock-bind";
  return n->restricted ? "off" : "open";
}

char *
policy_plan_report (const struct policy_plan *plan)
{
  char fs[32], sel[48] = "off", tmo[32] = "";
  if (plan->fs.landlock)
    snprintf (fs, sizeof fs, "landlock%d", plan->fs.abi);
  else
    snprintf (fs, sizeof fs, "%s", plan_fs_mode (plan));
  if (plan->selinux_apply)
    snprintf (sel, sizeof sel, "s0:c%u,c%u", plan->mcs[0], plan->mcs[1]);
  if (plan->has_timeout)
    snprintf (tmo, sizeof tmo, " timeout=%ums", plan->timeout_ms);
  char weak[32] = "";
  if (plan->n_weak)
    snprintf (weak, sizeof weak, " weakened=%zu", plan->n_weak);
  /* Whether Landlock's denials can reach the audit stream on this host. */
  char llaudit[32] = "";
  if (plan->fs.landlock)
    snprintf (llaudit, sizeof llaudit, " landlock-audit=%s",
              audit_kernel_report_word ());
  return xasprintf ("agent=%s level=%s fs=%s net=%s seccomp=%s%s caps=-%zu "
                    "nnp selinux=%s%s%s%s%s%s",
                    plan->agent, plan_level_name (plan->level), fs,
                    plan_net_mode (plan), plan->sc.strict ? "strict" : "agent",
                    plan->sc.audit ? "(log)" : "", plan->n_caps_dropped, sel,
                    plan->userns_added ? " userns" : "", tmo, weak,
                    plan->net.names ? " dns-filter=running" : "", llaudit);
}

/* ---- JSON ------------------------------------------------------------ */

static void
kstrv (struct jw *w, const char *key, char *const *v, size_t n)
{
  jw_kstrv (w, key, v, n);
}

static void
json_fs (struct jw *w, const struct policy_plan *plan)
{
  const struct plan_fs *fs = &plan->fs;
  jw_key (w, "filesystem");
  jw_obj_open (w);
  jw_kstr (w, "mode", plan_fs_mode (plan));
  jw_kint (w, "landlockAbi", fs->abi);
  jw_kint (w, "handled", (int64_t) fs->handled);
  jw_key (w, "rules");
  jw_arr_open (w);
  for (size_t i = 0; i < fs->n_rules; i++)
    {
      static const char *const kinds[]
          = { "", "readwrite", "readonly", "denied" };
      jw_obj_open (w);
      jw_kstr (w, "path", fs->rules[i].path);
      jw_kstr (w, "access", kinds[fs->rules[i].kind]);
      jw_kint (w, "rights", (int64_t) fs->rules[i].access);
      jw_kstr (w, "from", fs->rules[i].where);
      jw_obj_close (w);
    }
  jw_arr_close (w);
  kstrv (w, "masked", plan->masks, plan->n_masks);
  kstrv (w, "readonlyRemounts", plan->ro_remounts, plan->n_ro_remounts);
  jw_kbool (w, "scopeSignals", fs->scope_signal);
  jw_kbool (w, "scopeAbstractUnix", fs->scope_abstract_unix);
  jw_kbool (w, "logAfterExec", fs->log_new_exec);
  jw_obj_close (w);
}

static void
json_portset (struct jw *w, const struct plan_portset *s)
{
  jw_arr_open (w);
  for (uint32_t i = 0; i < s->n; i++)
    {
      jw_obj_open (w);
      jw_kint (w, "protocols", s->r[i].protos);
      jw_kint (w, "from", s->r[i].lo);
      jw_kint (w, "to", s->r[i].hi);
      jw_obj_close (w);
    }
  jw_arr_close (w);
}

static void
json_prefixes (struct jw *w, const char *key, const struct plan_prefix *v,
               size_t n)
{
  jw_key (w, key);
  jw_arr_open (w);
  for (size_t i = 0; i < n; i++)
    {
      char c[64];
      pol_cidr_format (&v[i].cidr, c, sizeof c);
      jw_obj_open (w);
      jw_kstr (w, "cidr", c);
      jw_key (w, "ports");
      json_portset (w, &v[i].ports);
      jw_obj_close (w);
    }
  jw_arr_close (w);
}

/* Egress by host name: the resolver and its rules. */
static void
json_names (struct jw *w, const struct plan_net *n)
{
  char addr[16];
  snprintf (addr, sizeof addr, "%u.%u.%u.%u", n->resolver4[0], n->resolver4[1],
            n->resolver4[2], n->resolver4[3]);
  jw_kstr (w, "resolver", n->names ? addr : NULL);
  jw_key (w, "hosts");
  jw_arr_open (w);
  for (size_t i = 0; i < n->n_hosts; i++)
    {
      jw_obj_open (w);
      jw_kstr (w, "host", n->hosts[i].pattern);
      jw_kstr (w, "verdict", n->hosts[i].deny ? "deny" : "allow");
      jw_key (w, "ports");
      json_portset (w, &n->hosts[i].ports);
      jw_kstr (w, "from", n->hosts[i].where);
      jw_obj_close (w);
    }
  jw_arr_close (w);
  jw_kbool (w, "bpfAudit", n->filter_audit);
}

static void
json_net (struct jw *w, const struct policy_plan *plan)
{
  static const char *const netns[] = { "bundle", "added", "host" };
  const struct plan_net *n = &plan->net;
  jw_key (w, "network");
  jw_obj_open (w);
  jw_kstr (w, "mode", plan_net_mode (plan));
  jw_kstr (w, "namespace", netns[n->netns]);
  jw_kstr (w, "egressDefault", n->default_allow ? "allow" : "deny");
  jw_kbool (w, "loopbackPrivate", n->loopback_private);
  jw_kbool (w, "hostLoopback", n->host_loopback_allow);
  jw_kbool (w, "bpfEgress", n->filter);
  jw_kbool (w, "bpfIngress", n->ingress_filter);
  jw_kbool (w, "denyRawSockets", n->deny_raw);
  jw_kbool (w, "icmp", n->icmp);
  jw_kbool (w, "denyUdpSockets", n->deny_udp);
  jw_kbool (w, "landlockBind", n->landlock_bind);
  json_prefixes (w, "allow", n->allow, n->n_allow);
  json_prefixes (w, "deny", n->deny, n->n_deny);
  jw_key (w, "landlockTcpPorts");
  jw_arr_open (w);
  for (size_t i = 0; i < n->n_tcp_ports; i++)
    jw_int (w, n->tcp_ports[i]);
  jw_arr_close (w);
  kstrv (w, "dnsUpstream", n->dns, n->n_dns);
  json_names (w, n);
  jw_obj_close (w);
}

static void
json_rest (struct jw *w, const struct policy_plan *plan)
{
  jw_key (w, "seccomp");
  jw_obj_open (w);
  jw_kstr (w, "profile", plan->sc.strict ? "strict" : "default");
  jw_kstr (w, "action", plan->sc.audit ? "log" : "errno");
  kstrv (w, "deny", plan->sc.deny, plan->sc.n_deny);
  jw_kbool (w, "denyNewUserNamespaces", plan->sc.deny_newuser);
  jw_kbool (w, "log", plan->sc.log);
  jw_obj_close (w);
  kstrv (w, "capabilitiesDropped", plan->caps_dropped, plan->n_caps_dropped);
  jw_kbool (w, "noNewPrivileges", true);
  jw_key (w, "selinux");
  jw_obj_open (w);
  char mcs[32];
  snprintf (mcs, sizeof mcs, "s0:c%u,c%u", plan->mcs[0], plan->mcs[1]);
  jw_kstr (w, "categories", mcs);
  jw_kbool (w, "applied", plan->selinux_apply);
  jw_kstr (w, "processLabel", plan->process_label);
  jw_kstr (w, "mountLabel", plan->mount_label);
  jw_obj_close (w);
  if (plan->userns_added)
    {
      jw_key (w, "userNamespace");
      jw_obj_open (w);
      jw_kint (w, "hostId", plan->id_base);
      jw_kint (w, "size", plan->id_size);
      jw_obj_close (w);
    }
  jw_key (w, "resources");
  jw_obj_open (w);
  if (plan->has_memory)
    jw_kint (w, "memoryBytes", plan->memory_bytes);
  if (plan->has_cpu)
    {
      jw_kint (w, "cpuQuota", plan->cpu_quota);
      jw_kint (w, "cpuPeriod", (int64_t) plan->cpu_period);
    }
  if (plan->has_pids)
    jw_kint (w, "pids", plan->pids);
  jw_obj_close (w);
  if (plan->has_timeout)
    jw_kint (w, "timeoutMs", plan->timeout_ms);
  kstrv (w, "environmentDropped", plan->env_dropped, plan->n_env_dropped);
}

static void
json_notes (struct jw *w, const struct policy_plan *plan)
{
  jw_key (w, "weakened");
  jw_arr_open (w);
  for (size_t i = 0; i < plan->n_weak; i++)
    {
      jw_obj_open (w);
      jw_kstr (w, "field", plan->weak[i].field);
      jw_kstr (w, "missing", plan->weak[i].what);
      jw_obj_close (w);
    }
  jw_arr_close (w);
  jw_key (w, "ignored");
  jw_arr_open (w);
  for (size_t i = 0; i < plan->n_notes; i++)
    {
      jw_obj_open (w);
      jw_kstr (w, "field", plan->notes[i].where);
      jw_kstr (w, "why", plan->notes[i].what);
      jw_obj_close (w);
    }
  jw_arr_close (w);
}

int
policy_plan_json (const struct policy_plan *plan, bool pretty, char **out,
                  struct werr *err)
{
  struct jw *w = jw_new (pretty);
  jw_obj_open (w);
  jw_kstr (w, "agent", plan->agent);
  jw_kstr (w, "container", plan->id);
  jw_kstr (w, "profile", plan->profile);
  jw_kstr (w, "source", plan->source);
  jw_kstr (w, "level", plan_level_name (plan->level));
  jw_kstr (w, "compatibility", plan->best_effort ? "best_effort" : "hard");
  jw_kbool (w, "audit", plan->audit);
  jw_kstr (w, "report",
           oci_config_annotation (plan->view, "run.ward.enforced"));
  json_fs (w, plan);
  json_net (w, plan);
  json_rest (w, plan);
  json_notes (w, plan);
  jw_obj_close (w);
  size_t len;
  if (jw_finish (w, out, &len) < 0)
    return werr_set (err, 0, "policy: plan: malformed JSON (a bug)");
  return 0;
}

int
policy_save (const struct policy_plan *plan, int state_dirfd, struct werr *err)
{
  char *json = NULL;
  if (policy_plan_json (plan, true, &json, err) < 0)
    return -1;
  int r = write_file_atomic_at (state_dirfd, POLICY_PLAN_FILE, json,
                                strlen (json), 0600, err);
  free (json);
  return r < 0 ? werr_prefix (err, "policy: save the plan") : 0;
}
