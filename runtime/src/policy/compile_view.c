/* ward — compile, last step: config.json as the container gets it.
 *
 * A shallow copy of the bundle's config whose changed members point to
 * arrays the plan owns: namespaces (a network namespace for a restricted
 * egress, a user namespace for the session level), maskedPaths and
 * readonlyPaths, capabilities without those an agent must not hold,
 * noNewPrivileges, SELinux labels, resources, the environment (display and
 * session-bus variables dropped) and the run.ward.enforced annotation.
 * rootfs.c, namespaces.c and proc_attrs.c then apply it unchanged. */
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "policy.h"
#include "utils.h"
#include "ward/cleanup.h"

/* Capabilities an agent never holds (POLICY.md §3, privileges). */
static const char *const forbidden_caps[] = {
  "CAP_SYS_ADMIN",       "CAP_NET_ADMIN",
  "CAP_SYS_MODULE",      "CAP_BPF",
  "CAP_SYS_PTRACE",      "CAP_PERFMON",
  "CAP_SYS_RAWIO",       "CAP_SYS_BOOT",
  "CAP_MAC_ADMIN",       "CAP_MAC_OVERRIDE",
  "CAP_SYS_TIME",        "CAP_NET_RAW",
  "CAP_AUDIT_CONTROL",   "CAP_AUDIT_READ",
  "CAP_DAC_READ_SEARCH", "CAP_LINUX_IMMUTABLE",
  "CAP_SYSLOG",          "CAP_CHECKPOINT_RESTORE",
  "CAP_SYS_PACCT",       "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",   "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",           "CAP_SYS_RESOURCE",
};

/* Display and session-bus variables hidden by ui.disable. */
char *const policy_ui_env_names[] = {
  "DISPLAY",    "WAYLAND_DISPLAY",          "WAYLAND_SOCKET",
  "XAUTHORITY", "DBUS_SESSION_BUS_ADDRESS", NULL,
};
static char *const ui_paths[] = {
  "/tmp/.X11-unix",
  "/tmp/.ICE-unix",
  "/run/user",
  "/var/run/user",
};

bool
policy_cap_forbidden (const char *cap)
{
  for (size_t i = 0; i < ARRAY_SIZE (forbidden_caps); i++)
    if (strcmp (forbidden_caps[i], cap) == 0)
      return true;
  return false;
}

static bool
strv_has (char *const *v, size_t n, const char *s)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (v[i], s) == 0)
      return true;
  return false;
}

/* A plan-owned copy of `src` with `extra` appended (pointers shared). */
static struct oci_strv
strv_plus (struct policy_plan *plan, const struct oci_strv *src,
           char *const *extra, size_t n_extra)
{
  struct oci_strv r;
  r.v = plan_own (plan, xmalloc0 ((src->n + n_extra + 1) * sizeof *r.v));
  r.n = 0;
  for (size_t i = 0; i < src->n; i++)
    r.v[r.n++] = src->v[i];
  for (size_t i = 0; i < n_extra; i++)
    if (!strv_has (r.v, r.n, extra[i]))
      r.v[r.n++] = extra[i];
  return r;
}

static struct oci_strv
caps_without (struct policy_plan *plan, const struct oci_strv *src)
{
  struct oci_strv r;
  r.v = plan_own (plan, xmalloc0 ((src->n + 1) * sizeof *r.v));
  r.n = 0;
  for (size_t i = 0; i < src->n; i++)
    {
      if (!policy_cap_forbidden (src->v[i]))
        {
          r.v[r.n++] = src->v[i];
          continue;
        }
      if (!strv_has (plan->caps_dropped, plan->n_caps_dropped, src->v[i]))
        {
          plan->caps_dropped = realloc (
              plan->caps_dropped, (plan->n_caps_dropped + 2) * sizeof (char *));
          if (plan->caps_dropped == NULL)
            abort ();
          plan->caps_dropped[plan->n_caps_dropped++] = xstrdup (src->v[i]);
          plan->caps_dropped[plan->n_caps_dropped] = NULL;
        }
    }
  return r;
}

static void
view_caps (struct policy_plan *plan, struct oci_process *p)
{
  if (!p->has_capabilities)
    return;
  struct oci_capabilities *c = &p->capabilities;
  c->bounding = caps_without (plan, &c->bounding);
  c->effective = caps_without (plan, &c->effective);
  c->inheritable = caps_without (plan, &c->inheritable);
  c->permitted = caps_without (plan, &c->permitted);
  c->ambient = caps_without (plan, &c->ambient);
}

static void
view_env (struct policy_plan *plan, struct oci_process *p)
{
  if (!plan->ui_disable)
    return;
  struct oci_strv r;
  r.v = plan_own (plan, xmalloc0 ((p->env.n + 1) * sizeof *r.v));
  r.n = 0;
  for (size_t i = 0; i < p->env.n; i++)
    {
      bool drop = false;
      for (size_t k = 0; policy_ui_env_names[k] && !drop; k++)
        {
          size_t len = strlen (policy_ui_env_names[k]);
          drop = strncmp (p->env.v[i], policy_ui_env_names[k], len) == 0
                 && p->env.v[i][len] == '=';
        }
      if (!drop)
        r.v[r.n++] = p->env.v[i];
      else
        {
          plan->env_dropped = realloc (
              plan->env_dropped, (plan->n_env_dropped + 1) * sizeof (char *));
          if (plan->env_dropped == NULL)
            abort ();
          char *name = strndup (p->env.v[i], strcspn (p->env.v[i], "="));
          if (name == NULL)
            abort ();
          plan->env_dropped[plan->n_env_dropped++] = name;
        }
    }
  p->env = r;
}

static void
view_namespaces (struct policy_plan *plan, struct oci_linux *l)
{
  size_t n = l->n_namespaces;
  struct oci_namespace *v = plan_own (plan, xmalloc0 ((n + 2) * sizeof *v));
  memcpy (v, l->namespaces, n * sizeof *v);
  if (plan->net.netns == PLAN_NETNS_ADDED)
    v[n++] = (struct oci_namespace){ .type = OCI_NS_NETWORK };
  if (plan->userns_added)
    {
      v[n++] = (struct oci_namespace){ .type = OCI_NS_USER };
      struct oci_id_mapping *m = plan_own (plan, xmalloc0 (sizeof *m));
      *m = (struct oci_id_mapping){ .container_id = 0,
                                    .host_id = plan->id_base,
                                    .size = plan->id_size };
      l->uid_mappings = l->gid_mappings = m;
      l->n_uid_mappings = l->n_gid_mappings = 1;
    }
  l->namespaces = v;
  l->n_namespaces = n;
}

static void
view_resources (struct policy_plan *plan, struct oci_linux *l)
{
  struct oci_resources *r = &l->resources;
  if (!plan->has_memory && !plan->has_cpu && !plan->has_pids)
    return;
  l->has_resources = true;
  if (plan->has_memory)
    {
      r->has_memory = r->memory.has_limit = true;
      r->memory.limit = plan->memory_bytes;
    }
  if (plan->has_cpu)
    {
      r->has_cpu = r->cpu.has_quota = r->cpu.has_period = true;
      r->cpu.quota = plan->cpu_quota;
      r->cpu.period = plan->cpu_period;
    }
  if (plan->has_pids)
    {
      r->has_pids = true;
      r->pids_limit = plan->pids;
    }
}

static void
view_annotations (struct policy_plan *plan, struct oci_config *v)
{
  size_t n = v->annotations.n;
  struct oci_kv *kv = plan_own (plan, xmalloc0 ((n + 1) * sizeof *kv));
  if (n)
    memcpy (kv, v->annotations.v, n * sizeof *kv);
  kv[n].key = plan_strdup (plan, POLICY_ANN_ENFORCED);
  kv[n].value = plan_own (plan, policy_plan_report (plan));
  v->annotations.v = kv;
  v->annotations.n = n + 1;
}

int
compile_view (struct policy_plan *plan, const struct oci_config *cfg,
              struct werr *err)
{
  struct oci_config *v = plan_own (plan, xmalloc0 (sizeof *v));
  *v = *cfg;
  plan->view = v;
  v->has_linux = true;
  /* Masks and read-only remounts happen in the container's mount
   * namespace; without one they would land on the host. */
  bool mntns = oci_config_namespace (cfg, OCI_NS_MOUNT) != NULL;
  if (!mntns && (plan->n_masks || plan->n_ro_remounts)
      && plan_need (plan, "filesystem", err,
                    "masking denied paths and "
                    "remounting read-only ones needs a mount namespace, "
                    "which the bundle does not have")
             < 0)
    return -1;
  if (!mntns)
    plan->n_masks = plan->n_ro_remounts = 0;
  /* Denied paths are masked by apply.c (with an empty file of its own, not
   * /dev/null); display sockets go with the bundle's masked paths. */
  v->linux_.masked_paths
      = strv_plus (plan, &cfg->linux_.masked_paths, (char **) ui_paths,
                   plan->ui_disable && mntns ? ARRAY_SIZE (ui_paths) : 0);
  v->linux_.readonly_paths = strv_plus (plan, &cfg->linux_.readonly_paths,
                                        plan->ro_remounts, plan->n_ro_remounts);
  view_namespaces (plan, &v->linux_);
  view_caps (plan, &v->process);
  view_env (plan, &v->process);
  v->process.no_new_privileges = true;
  if (plan->selinux_apply)
    {
      v->process.selinux_label = plan->process_label;
      v->linux_.mount_label = plan->mount_label;
    }
  view_resources (plan, &v->linux_);
  view_annotations (plan, v);
  return 0;
}
