/* ward — compile: spec + policy + host → one plan (plain data).
 *
 * Each part of the policy is translated by its own step (compile_fs.c,
 * compile_net.c, compile_seccomp.c, compile_view.c; identity, level,
 * privileges, resources and the rest here).  A step that finds something
 * the host cannot enforce calls plan_need(): an error naming the field and
 * the missing mechanism, or, under "compatibility": "best_effort", a
 * weakening recorded in the plan and its report. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "egress_names.h"
#include "plan.h"
#include "utils.h"
#include "ward/cleanup.h"

int
plan_need (struct policy_plan *plan, const char *field, struct werr *err,
           const char *fmt, ...)
{
  char msg[WERR_MSG_MAX];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  if (!plan->best_effort)
    return werr_set (err, 0, "policy: %s: %s", field, msg);
  plan->weak = realloc (plan->weak, (plan->n_weak + 1) * sizeof *plan->weak);
  if (plan->weak == NULL)
    abort ();
  plan->weak[plan->n_weak].field = xstrdup (field);
  plan->weak[plan->n_weak].what = xstrdup (msg);
  plan->n_weak++;
  return 0;
}

void *
plan_own (struct policy_plan *plan, void *p)
{
  plan->owned
      = realloc (plan->owned, (plan->n_owned + 1) * sizeof *plan->owned);
  if (plan->owned == NULL)
    abort ();
  plan->owned[plan->n_owned++] = p;
  return p;
}

char *
plan_strdup (struct policy_plan *plan, const char *s)
{
  return plan_own (plan, xstrdup (s));
}

static void
note_add (struct policy_plan *plan, const char *where, const char *what)
{
  plan->notes
      = realloc (plan->notes, (plan->n_notes + 1) * sizeof *plan->notes);
  if (plan->notes == NULL)
    abort ();
  plan->notes[plan->n_notes].where = xstrdup (where);
  plan->notes[plan->n_notes].what = xstrdup (what);
  plan->n_notes++;
}

static int
compile_identity (struct policy_plan *plan, const struct policy_input *in,
                  const char *id, struct werr *err)
{
  const struct agent_policy *p = in->policy;
  const char *ann = in->agent_annotation;
  if (ann)
    {
      const char *why = pol_agent_name_problem (ann);
      if (why)
        return werr_set (err, 0,
                         "config.json: annotations: run.ward.agent: "
                         "\"%s\" %s",
                         ann, why);
      if (p->agent && strcmp (p->agent, ann) != 0)
        return werr_set (err, 0,
                         "policy: identity.agent: \"%s\" differs from "
                         "the annotation run.ward.agent \"%s\"",
                         p->agent, ann);
    }
  const char *agent = ann ? ann : p->agent ? p->agent : id;
  plan->agent = xstrdup (agent);
  plan->id = xstrdup (id);
  policy_mcs_derive (agent, plan->mcs);
  return 0;
}

/* The bundle's label with its level replaced by the agent's categories. */
static char *
relabel (const char *label, const char *fallback, const unsigned mcs[2])
{
  const char *base = label && *label ? label : fallback;
  const char *p = base;
  for (int colons = 0; *p && colons < 3; p++)
    if (*p == ':')
      colons++;
  size_t prefix = (size_t) (p - base);
  if (*p == '\0' && prefix && base[prefix - 1] != ':')
    return xasprintf ("%s:s0:c%u,c%u", base, mcs[0], mcs[1]);
  return xasprintf ("%.*ss0:c%u,c%u", (int) prefix, base, mcs[0], mcs[1]);
}

static int
compile_selinux (struct policy_plan *plan, const struct agent_policy *p,
                 const struct oci_config *cfg, struct werr *err)
{
  if (!plan->host.selinux)
    {
      if (p->selinux_required)
        return plan_need (plan, "identity.selinux", err,
                          "SELinux labels are required but SELinux is not "
                          "enabled on this host");
      note_add (plan, "identity",
                "SELinux is not enabled on this host: no "
                "process or mount labels");
      return 0;
    }
  plan->selinux_apply = true;
  plan->process_label = relabel (cfg->process.selinux_label,
                                 "system_u:system_r:container_t", plan->mcs);
  plan->mount_label = relabel (cfg->linux_.mount_label,
                               "system_u:object_r:container_file_t", plan->mcs);
  return 0;
}

static int
compile_level (struct policy_plan *plan, const struct agent_policy *p,
               const struct oci_config *cfg, struct werr *err)
{
  plan->level = p->has_containment ? p->level : POL_LEVEL_CONTAINER;
  if (plan->level == POL_LEVEL_MICROVM)
    {
      /* best_effort: runs as a container, and says so. */
      plan->level = POL_LEVEL_CONTAINER;
      return plan_need (plan, "containment", err,
                        "microvm needs a VM backend (KVM and a libkrun-style "
                        "handler), which ward does not have%s",
                        plan->host.kvm ? "" : "; this host has no /dev/kvm");
    }
  if (plan->level != POL_LEVEL_SESSION)
    return 0;
  plan->new_keyring = true;
  if (plan->host.rootless)
    return plan_need (plan, "containment", err,
                      "session needs a user namespace mapped to the agent's "
                      "own id range, which needs root");
  if (oci_config_namespace (cfg, OCI_NS_USER) || cfg->linux_.n_uid_mappings)
    return plan_need (plan, "containment", err,
                      "session gives the agent its own user namespace and id "
                      "range, but the bundle already sets a user namespace");
  plan->userns_added = true;
  policy_id_range_derive (plan->agent, &plan->id_base, &plan->id_size);
  return 0;
}

static int
compile_unsupported (struct policy_plan *plan, const struct agent_policy *p,
                     struct werr *err)
{
  for (size_t i = 0; i < p->n_unsupported; i++)
    if (plan_need (plan, p->unsupported[i].where, err, "%s",
                   p->unsupported[i].what)
        < 0)
      return -1;
  if (p->proxy)
    return plan_need (plan, p->proxy_where ? p->proxy_where : "network.proxy",
                      err,
                      "a proxy on the host's loopback (%s) is not "
                      "reachable from the container's network namespace",
                      p->proxy);
  for (size_t i = 0; i < p->n_notes; i++)
    note_add (plan, p->notes[i].where, p->notes[i].what);
  return 0;
}

static void
compile_resources (struct policy_plan *plan, const struct agent_policy *p,
                   const struct oci_config *cfg)
{
  const struct oci_resources *r = &cfg->linux_.resources;
  bool has = cfg->linux_.has_resources;
  if (p->has_memory_mb)
    {
      int64_t want = (int64_t) (p->memory_mb << 20);
      bool bundle = has && r->memory.has_limit && r->memory.limit > 0;
      plan->has_memory = true;
      plan->memory_bytes
          = bundle && r->memory.limit < want ? r->memory.limit : want;
    }
  if (p->has_cpus)
    {
      plan->has_cpu = true;
      plan->cpu_period = 100000;
      plan->cpu_quota = (int64_t) p->millicpus * 100;
    }
  if (p->has_pids)
    {
      bool bundle = has && r->pids_limit > 0;
      plan->has_pids = true;
      plan->pids = bundle && r->pids_limit < (int64_t) p->pids
                       ? r->pids_limit
                       : (int64_t) p->pids;
    }
  plan->has_timeout = p->has_timeout;
  plan->timeout_ms = p->timeout_ms;
}

static void
compile_bundle_only_notes (struct policy_plan *plan,
                           const struct agent_policy *p)
{
  if (p->command_line)
    note_add (plan, "process.commandLine",
              "used by `ward sandbox`; a "
              "bundle runs process.args");
  if (p->cwd)
    note_add (plan, "process.cwd",
              "used by `ward sandbox`; a bundle uses "
              "its own process.cwd");
  if (p->has_env)
    note_add (plan, "process.env",
              "used by `ward sandbox`; a bundle uses "
              "its own process.env");
  if (p->n_dns && !plan->net.names)
    note_add (plan, "network.dns",
              "used by egress by host name only, and "
              "this policy names no hosts");
}

int
policy_compile (const struct policy_input *in, const struct oci_config *cfg,
                const char *id, const struct policy_host *host,
                struct policy_plan **out, struct werr *err)
{
  const struct agent_policy *p = in->policy;
  struct policy_plan *plan = xmalloc0 (sizeof *plan);
  plan->host = *host;
  plan->best_effort = p->best_effort;
  plan->audit = p->audit;
  plan->log_denials = p->log_denials || p->audit;
  plan->ui_disable = p->ui_disable;
  plan->profile = in->profile ? xstrdup (in->profile) : NULL;
  plan->source = in->source ? xstrdup (in->source) : NULL;
  plan->nnp_forced = !cfg->process.no_new_privileges;
  if (compile_identity (plan, in, id, err) < 0
      || compile_unsupported (plan, p, err) < 0
      || compile_level (plan, p, cfg, err) < 0
      || compile_selinux (plan, p, cfg, err) < 0
      || compile_fs (plan, p, err) < 0
      || compile_links (plan, in->rootfs, err) < 0
      || compile_net (plan, p, cfg, err) < 0
      || compile_seccomp (plan, p, err) < 0)
    goto fail;
  compile_resources (plan, p, cfg);
  compile_bundle_only_notes (plan, p);
  if (compile_view (plan, cfg, err) < 0)
    goto fail;
  *out = plan;
  return 0;
fail:
  policy_plan_free (plan);
  return -1;
}

static void
strv_free_null (char **v)
{
  for (size_t i = 0; v && v[i]; i++)
    free (v[i]);
  free (v);
}

static void
seccomp_filter_free (struct oci_seccomp *f)
{
  free (f->default_action);
  strv_free_null (f->architectures.v);
  strv_free_null (f->flags.v);
  for (size_t i = 0; i < f->n_syscalls; i++)
    {
      struct oci_seccomp_syscall *r = &f->syscalls[i];
      strv_free_null (r->names.v);
      free (r->action);
      for (size_t j = 0; j < r->n_args; j++)
        free (r->args[j].op);
      free (r->args);
    }
  free (f->syscalls);
}

void
policy_plan_free (struct policy_plan *plan)
{
  if (plan == NULL)
    return;
  free (plan->id);
  free (plan->agent);
  free (plan->profile);
  free (plan->source);
  for (size_t i = 0; i < plan->fs.n_rules; i++)
    {
      free (plan->fs.rules[i].path);
      free (plan->fs.rules[i].where);
    }
  free (plan->fs.rules);
  strv_free_null (plan->masks);
  strv_free_null (plan->ro_remounts);
  free (plan->net.allow);
  free (plan->net.deny);
  for (size_t i = 0; i < plan->net.n_hosts; i++)
    {
      free (plan->net.hosts[i].pattern);
      free (plan->net.hosts[i].where);
    }
  free (plan->net.hosts);
  egress_rt_free (plan->net.rt);
  strv_free_null (plan->net.dns);
  free (plan->net.tcp_ports);
  strv_free_null (plan->sc.deny);
  seccomp_filter_free (&plan->sc.filter);
  strv_free_null (plan->caps_dropped);
  free (plan->process_label);
  free (plan->mount_label);
  for (size_t i = 0; i < plan->n_env_dropped; i++)
    free (plan->env_dropped[i]);
  free (plan->env_dropped);
  for (size_t i = 0; i < plan->n_weak; i++)
    {
      free (plan->weak[i].field);
      free (plan->weak[i].what);
    }
  free (plan->weak);
  for (size_t i = 0; i < plan->n_notes; i++)
    {
      free (plan->notes[i].where);
      free (plan->notes[i].what);
    }
  free (plan->notes);
  for (size_t i = 0; i < plan->n_owned; i++)
    free (plan->owned[i]);
  free (plan->owned);
  free (plan);
}
