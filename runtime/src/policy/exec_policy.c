/* ward — the agent policy for processes `ward exec` starts in a running
 * agent container.
 *
 * They join the container's namespaces and cgroup, so they already get its
 * masks, network namespace and BPF filter; what they do not inherit is the
 * init's Landlock domain and seccomp filter, nor the plan's changes to the
 * process (capabilities, no_new_privileges, display variables).  The exec
 * path can give them all of it:
 *
 *   parent:  policy_exec_load (state dirfd) → plan, or NULL for a
 *            container without policy (no plan.json);
 *            policy_exec_process (plan, process) before using the process;
 *   child:   policy_apply_in_exec (plan) after joining the namespaces and
 *            right before credentials and seccomp.
 *
 * The plan is rebuilt from plan.json: the filesystem rules, Landlock's
 * scopes and TCP ports, and the seccomp filter (regenerated from the deny
 * list and flags by the same code that made it at create). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "landlock.h"
#include "plan.h"
#include "policy.h"
#include "seccomp_profile.h"
#include "utils.h"
#include "ward/cleanup.h"
#include "ward/json.h"

static bool
jbool (const struct jnode *o, const char *key)
{
  return jnode_is_true (jnode_get (o, key));
}

static char **
jstrv (const struct jnode *arr, size_t *n)
{
  size_t len = jnode_len (arr);
  char **v = xmalloc0 ((len + 1) * sizeof *v);
  *n = 0;
  for (size_t i = 0; i < len; i++)
    if (jnode_str (jnode_at (arr, i)))
      v[(*n)++] = xstrdup (jnode_str (jnode_at (arr, i)));
  return v;
}

static void
load_fs (struct policy_plan *plan, const struct jnode *fs)
{
  struct plan_fs *f = &plan->fs;
  const char *mode = jnode_str (jnode_get (fs, "mode"));
  f->landlock = mode && strcmp (mode, "landlock") == 0;
  f->abi = (int) jnode_int (jnode_get (fs, "landlockAbi"));
  f->handled = (uint64_t) jnode_int (jnode_get (fs, "handled"));
  f->scope_signal = jbool (fs, "scopeSignals");
  f->scope_abstract_unix = jbool (fs, "scopeAbstractUnix");
  f->log_new_exec = jbool (fs, "logAfterExec");
  const struct jnode *rules = jnode_get (fs, "rules");
  f->rules = xmalloc0 ((jnode_len (rules) + 1) * sizeof *f->rules);
  for (size_t i = 0; i < jnode_len (rules); i++)
    {
      const struct jnode *r = jnode_at (rules, i);
      const char *path = jnode_str (jnode_get (r, "path"));
      const char *access = jnode_str (jnode_get (r, "access"));
      if (path == NULL || access == NULL)
        continue;
      f->rules[f->n_rules++] = (struct plan_fs_rule){
        .path = xstrdup (path),
        .kind = strcmp (access, "readwrite") == 0  ? POL_FS_RW
                : strcmp (access, "readonly") == 0 ? POL_FS_RO
                                                   : POL_FS_DENY,
        .access = (uint64_t) jnode_int (jnode_get (r, "rights")),
        .where = xstrdup ("plan.json"),
      };
    }
  plan->masks = jstrv (jnode_get (fs, "masked"), &plan->n_masks);
}

static void
load_net_and_seccomp (struct policy_plan *plan, const struct jnode *root)
{
  const struct jnode *net = jnode_get (root, "network");
  const struct jnode *sc = jnode_get (root, "seccomp");
  const struct jnode *ports = jnode_get (net, "landlockTcpPorts");
  plan->net.deny_raw = jbool (net, "denyRawSockets");
  plan->net.icmp = jbool (net, "icmp");
  plan->net.deny_udp = jbool (net, "denyUdpSockets");
  plan->net.landlock_bind = jbool (net, "landlockBind");
  plan->net.n_tcp_ports = jnode_len (ports);
  /* The Landlock TCP fallback always comes with UDP refused. */
  plan->net.landlock_tcp = plan->net.deny_udp;
  plan->net.tcp_ports
      = xmalloc0 ((plan->net.n_tcp_ports + 1) * sizeof (uint16_t));
  for (size_t i = 0; i < plan->net.n_tcp_ports; i++)
    plan->net.tcp_ports[i] = (uint16_t) jnode_int (jnode_at (ports, i));
  const char *profile = jnode_str (jnode_get (sc, "profile"));
  const char *action = jnode_str (jnode_get (sc, "action"));
  plan->sc.enabled = sc != NULL;
  plan->sc.strict = profile && strcmp (profile, "strict") == 0;
  plan->sc.audit = action && strcmp (action, "log") == 0;
  plan->sc.log = jbool (sc, "log");
  plan->sc.deny_newuser = jbool (sc, "denyNewUserNamespaces");
  plan->sc.deny = jstrv (jnode_get (sc, "deny"), &plan->sc.n_deny);
  plan_seccomp_build (&plan->sc, &plan->net);
}

int
policy_exec_load (int state_dirfd, struct policy_plan **out, struct werr *err)
{
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  *out = NULL;
  struct werr read_err;
  if (read_file_at (state_dirfd, POLICY_PLAN_FILE, &data, &len, &read_err) < 0)
    {
      if (read_err.errnum == ENOENT)
        return 0; /* a container without policy */
      *err = read_err;
      return werr_prefix (err, "policy");
    }
  struct jnode *root = jnode_parse (data, len, err);
  if (root == NULL)
    return werr_prefix (err, "policy: %s", POLICY_PLAN_FILE);
  struct policy_plan *plan = xmalloc0 (sizeof *plan);
  const char *agent = jnode_str (jnode_get (root, "agent"));
  plan->agent = xstrdup (agent ? agent : "");
  plan->audit = jbool (root, "audit");
  load_fs (plan, jnode_get (root, "filesystem"));
  load_net_and_seccomp (plan, root);
  jnode_free (root);
  *out = plan;
  return 0;
}

static void
strv_filter (struct oci_strv *s, bool (*drop) (const char *))
{
  size_t k = 0;
  for (size_t i = 0; i < s->n; i++)
    {
      if (drop (s->v[i]))
        free (s->v[i]);
      else
        s->v[k++] = s->v[i];
    }
  s->n = k;
  if (s->v)
    s->v[k] = NULL;
}

static bool
is_ui_var (const char *kv)
{
  for (size_t k = 0; policy_ui_env_names[k]; k++)
    {
      size_t len = strlen (policy_ui_env_names[k]);
      if (strncmp (kv, policy_ui_env_names[k], len) == 0 && kv[len] == '=')
        return true;
    }
  return false;
}

void
policy_exec_process (const struct policy_plan *plan, struct oci_process *p)
{
  if (plan == NULL)
    return;
  struct oci_capabilities *c = &p->capabilities;
  struct oci_strv *sets[] = { &c->bounding, &c->effective, &c->inheritable,
                              &c->permitted, &c->ambient };
  for (size_t i = 0; i < ARRAY_SIZE (sets); i++)
    strv_filter (sets[i], policy_cap_forbidden);
  strv_filter (&p->env, is_ui_var);
  p->no_new_privileges = true;
}

int
policy_apply_in_exec (const struct policy_plan *plan, struct werr *err)
{
  if (plan == NULL)
    return 0;
  char **aliases = NULL;
  size_t n_aliases = 0;
  if (plan->n_masks
      && policy_denied_aliases (plan, &aliases, &n_aliases, err) < 0)
    return -1;
  int rc = -1;
  if (prctl (PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL) < 0)
    werr_set (err, errno, "prctl PR_SET_NO_NEW_PRIVS");
  else if (policy_landlock_apply (plan, aliases, n_aliases, err) == 0
           && (!plan->sc.enabled
               || seccomp_profile_install (&plan->sc.filter, err) == 0))
    rc = 0;
  for (size_t i = 0; i < n_aliases; i++)
    free (aliases[i]);
  free (aliases);
  return rc;
}
