/* ward — layering a policy document over a built-in profile.
 *
 * Deny wins: the result never grants what either side explicitly denies.
 *   - filesystem: both lists are kept; an entry of the document at or under
 *     a path the profile denies is an error; on equal paths compile keeps
 *     the strictest access (deny > read-only > read-write).
 *   - network defaults (egress, ingress, hostLoopback): deny if either side
 *     writes deny; allow only if one side writes allow and none deny.
 *   - egress rules: allow and deny lists are concatenated; deny rules
 *     outrank allow rules when enforced, whichever side wrote them.
 *   - syscalls: "strict" if either says so; deny lists are united; allow
 *     lists are united and then lose every name either side denies.
 *   - resources and process.timeout: the smaller value.
 *   - captureDenials.mode: block unless every side that writes it says allow.
 *   - ui.disable: true unless every side that writes it says false.
 *   - compatibility: hard if either side writes hard.
 *   - containment: the stronger level.
 *   - process.commandLine/cwd/env, identity.agent, network.dns, proxy: the
 *     document's when it has them, else the profile's.
 */
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "mxc_parse.h"
#include "utils.h"

static char *
dup_or_null (const char *s)
{
  return s ? xstrdup (s) : NULL;
}

static char **
strv_dup (char *const *v, size_t n)
{
  char **r = xmalloc0 ((n + 1) * sizeof *r);
  for (size_t i = 0; i < n; i++)
    r[i] = xstrdup (v[i]);
  return r;
}

static void
strv_append (char ***v, size_t *n, char *const *add, size_t n_add)
{
  *v = realloc (*v, (*n + n_add + 1) * sizeof **v);
  if (*v == NULL)
    abort ();
  for (size_t i = 0; i < n_add; i++)
    (*v)[(*n)++] = xstrdup (add[i]);
  (*v)[*n] = NULL;
}

static void
rule_copy (struct pol_rule *dst, const struct pol_rule *src)
{
  dst->where = xstrdup (src->where);
  dst->n_to = src->n_to;
  dst->to = xmalloc0 ((src->n_to + 1) * sizeof *dst->to);
  for (size_t i = 0; i < src->n_to; i++)
    {
      const struct pol_peer *s = &src->to[i];
      struct pol_peer *d = &dst->to[i];
      d->host = dup_or_null (s->host);
      d->cidr = s->cidr;
      d->n_except = s->n_except;
      d->except = xmalloc0 ((s->n_except + 1) * sizeof *d->except);
      if (s->n_except)
        memcpy (d->except, s->except, s->n_except * sizeof *d->except);
    }
  dst->n_ports = src->n_ports;
  dst->ports = xmalloc0 ((src->n_ports + 1) * sizeof *dst->ports);
  if (src->n_ports)
    memcpy (dst->ports, src->ports, src->n_ports * sizeof *dst->ports);
}

static void
rules_append (struct pol_rule **v, size_t *n, const struct pol_rule *add,
              size_t n_add)
{
  *v = realloc (*v, (*n + n_add + 1) * sizeof **v);
  if (*v == NULL)
    abort ();
  for (size_t i = 0; i < n_add; i++)
    rule_copy (&(*v)[(*n)++], &add[i]);
}

static void
notes_append (struct pol_note **v, size_t *n, const struct pol_note *add,
              size_t n_add)
{
  *v = realloc (*v, (*n + n_add + 1) * sizeof **v);
  if (*v == NULL)
    abort ();
  for (size_t i = 0; i < n_add; i++, (*n)++)
    {
      (*v)[*n].where = xstrdup (add[i].where);
      (*v)[*n].what = xstrdup (add[i].what);
    }
}

/* Copy everything of `src` into a fresh policy (the base of a merge). */
static struct agent_policy *
policy_copy (const struct agent_policy *src)
{
  struct agent_policy *p = agent_policy_new ();
  *p = *src;
  /* Owned members are copied below; everything else is plain data. */
  p->version = dup_or_null (src->version);
  p->fs = xmalloc0 ((src->n_fs + 1) * sizeof *p->fs);
  for (size_t i = 0; i < src->n_fs; i++)
    p->fs[i] = (struct pol_fs_entry){ .path = xstrdup (src->fs[i].path),
                                      .access = src->fs[i].access,
                                      .where = xstrdup (src->fs[i].where) };
  p->allow = p->deny = NULL;
  p->n_allow = p->n_deny = 0;
  rules_append (&p->allow, &p->n_allow, src->allow, src->n_allow);
  rules_append (&p->deny, &p->n_deny, src->deny, src->n_deny);
  p->dns_upstream = strv_dup (src->dns_upstream, src->n_dns);
  p->proxy = dup_or_null (src->proxy);
  p->proxy_where = dup_or_null (src->proxy_where);
  p->command_line = dup_or_null (src->command_line);
  p->cwd = dup_or_null (src->cwd);
  p->env = strv_dup (src->env, src->n_env);
  p->sys_deny = strv_dup (src->sys_deny, src->n_sys_deny);
  p->sys_allow = strv_dup (src->sys_allow, src->n_sys_allow);
  p->agent = dup_or_null (src->agent);
  p->notes = p->unsupported = NULL;
  p->n_notes = p->n_unsupported = 0;
  notes_append (&p->notes, &p->n_notes, src->notes, src->n_notes);
  notes_append (&p->unsupported, &p->n_unsupported, src->unsupported,
                src->n_unsupported);
  return p;
}

static int
merge_fs (struct agent_policy *r, const char *base_name,
          const struct agent_policy *doc, struct werr *err)
{
  size_t n_base = r->n_fs;
  for (size_t i = 0; i < doc->n_fs; i++)
    for (size_t j = 0; j < n_base; j++)
      if (r->fs[j].access == POL_FS_DENY && doc->fs[i].access != POL_FS_DENY
          && pol_path_under (doc->fs[i].path, r->fs[j].path))
        return werr_set (err, 0,
                         "policy: %s: \"%s\" is at or under \"%s\", "
                         "which profile %s denies (deny wins)",
                         doc->fs[i].where, doc->fs[i].path, r->fs[j].path,
                         base_name);
  r->fs = realloc (r->fs, (r->n_fs + doc->n_fs + 1) * sizeof *r->fs);
  if (r->fs == NULL)
    abort ();
  for (size_t i = 0; i < doc->n_fs; i++)
    r->fs[r->n_fs++]
        = (struct pol_fs_entry){ .path = xstrdup (doc->fs[i].path),
                                 .access = doc->fs[i].access,
                                 .where = xstrdup (doc->fs[i].where) };
  return 0;
}

/* Explicit values only: deny if either writes deny. */
static void
merge_action (enum pol_action *r, bool *has_r, enum pol_action d, bool has_d)
{
  if (!has_d)
    return;
  if (!*has_r)
    *r = d;
  else if (d == POL_DENY)
    *r = POL_DENY;
  *has_r = true;
}

static void
merge_network (struct agent_policy *r, const struct agent_policy *d)
{
  merge_action (&r->egress_default, &r->has_egress_default, d->egress_default,
                d->has_egress_default);
  merge_action (&r->ingress_default, &r->has_ingress_default,
                d->ingress_default, d->has_ingress_default);
  merge_action (&r->host_loopback, &r->has_host_loopback, d->host_loopback,
                d->has_host_loopback);
  rules_append (&r->allow, &r->n_allow, d->allow, d->n_allow);
  rules_append (&r->deny, &r->n_deny, d->deny, d->n_deny);
  if (d->dns_ttl_min)
    r->dns_ttl_min = d->dns_ttl_min;
  if (d->dns_ttl_max)
    r->dns_ttl_max = d->dns_ttl_max;
  if (d->n_dns)
    {
      pol_strv_free (r->dns_upstream, r->n_dns);
      r->dns_upstream = strv_dup (d->dns_upstream, d->n_dns);
      r->n_dns = d->n_dns;
    }
  if (d->proxy)
    {
      free (r->proxy);
      free (r->proxy_where);
      r->proxy = xstrdup (d->proxy);
      r->proxy_where = dup_or_null (d->proxy_where);
    }
  r->legacy_network |= d->legacy_network;
}

static void
replace_str (char **dst, const char *src)
{
  if (src == NULL)
    return;
  free (*dst);
  *dst = xstrdup (src);
}

static uint64_t
min_u64 (uint64_t a, uint64_t b)
{
  return a < b ? a : b;
}

static void
merge_process (struct agent_policy *r, const struct agent_policy *d)
{
  replace_str (&r->command_line, d->command_line);
  replace_str (&r->cwd, d->cwd);
  if (d->has_env)
    {
      pol_strv_free (r->env, r->n_env);
      r->env = strv_dup (d->env, d->n_env);
      r->n_env = d->n_env;
      r->has_env = true;
    }
  if (d->has_timeout)
    r->timeout_ms = r->has_timeout
                        ? (uint32_t) min_u64 (r->timeout_ms, d->timeout_ms)
                        : d->timeout_ms;
  r->has_timeout |= d->has_timeout;
  if (d->has_capture_mode)
    r->audit = r->has_capture_mode ? r->audit && d->audit : d->audit;
  r->has_capture_mode |= d->has_capture_mode;
  r->log_denials |= d->log_denials;
  if (d->has_ui_disable)
    r->ui_disable
        = r->has_ui_disable ? r->ui_disable || d->ui_disable : d->ui_disable;
  r->has_ui_disable |= d->has_ui_disable;
}

static void
merge_extensions (struct agent_policy *r, const struct agent_policy *d)
{
  r->syscalls_strict |= d->syscalls_strict;
  r->has_syscall_profile |= d->has_syscall_profile;
  strv_append (&r->sys_deny, &r->n_sys_deny, d->sys_deny, d->n_sys_deny);
  strv_append (&r->sys_allow, &r->n_sys_allow, d->sys_allow, d->n_sys_allow);
  if (d->has_memory_mb)
    r->memory_mb = r->has_memory_mb ? min_u64 (r->memory_mb, d->memory_mb)
                                    : d->memory_mb;
  if (d->has_cpus)
    r->millicpus = r->has_cpus ? (uint32_t) min_u64 (r->millicpus, d->millicpus)
                               : d->millicpus;
  if (d->has_pids)
    r->pids = r->has_pids ? min_u64 (r->pids, d->pids) : d->pids;
  r->has_memory_mb |= d->has_memory_mb;
  r->has_cpus |= d->has_cpus;
  r->has_pids |= d->has_pids;
  replace_str (&r->agent, d->agent);
  if (d->has_compat)
    r->best_effort
        = r->has_compat ? r->best_effort && d->best_effort : d->best_effort;
  r->has_compat |= d->has_compat;
  r->selinux_required |= d->selinux_required;
  r->has_selinux |= d->has_selinux;
  if (d->has_containment && (!r->has_containment || d->level > r->level))
    r->level = d->level;
  r->has_containment |= d->has_containment;
}

int
agent_policy_merge (const struct agent_policy *base, const char *base_name,
                    const struct agent_policy *doc, struct agent_policy **out,
                    struct werr *err)
{
  if (base == NULL && doc == NULL)
    {
      *out = agent_policy_new ();
      return 0;
    }
  struct agent_policy *r = policy_copy (base ? base : doc);
  if (base && doc)
    {
      replace_str (&r->version, doc->version);
      r->schema_minor = doc->schema_minor;
      if (merge_fs (r, base_name ? base_name : "(base)", doc, err) < 0)
        {
          agent_policy_free (r);
          return -1;
        }
      merge_network (r, doc);
      merge_process (r, doc);
      merge_extensions (r, doc);
      notes_append (&r->notes, &r->n_notes, doc->notes, doc->n_notes);
      notes_append (&r->unsupported, &r->n_unsupported, doc->unsupported,
                    doc->n_unsupported);
    }
  *out = r;
  return 0;
}
