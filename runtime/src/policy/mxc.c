/* ward — the policy document parser: an MXC configuration (schema
 * 0.6.0-alpha … 0.8.0-alpha) plus ward's extensions, into a validated
 * struct agent_policy.  Every error names the JSON path of the value.
 *
 * Fields with a Linux meaning are read; Windows- and macOS-only fields are
 * accepted and recorded as notes, except those that would widen access
 * (e.g. AppContainer capabilities, seatbelt.profileOverride), which are
 * recorded as unsupported: compile refuses them unless best_effort. */
#include <ctype.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "mxc_parse.h"
#include "utils.h"
#include "ward/cleanup.h"

/* From oci-spec's json_internal.h: the number as written. */
const char *jnode_number_text (const struct jnode *n);

/* ---- small pieces ---------------------------------------------------- */

static int
parse_version (struct mp *m, const struct jnode *root)
{
  int r = mp_get_str (m, root, "version", &m->p->version);
  if (r <= 0)
    {
      m->p->schema_minor = 8;
      return r;
    }
  const char *v = m->p->version;
  size_t saved = mp_push_key (m, "version");
  int minor = -1;
  if (strncmp (v, "0.", 2) == 0 && v[2] >= '6' && v[2] <= '8' && v[3] == '.')
    {
      const char *p = v + 4;
      while (isdigit ((unsigned char) *p))
        p++;
      if (p > v + 4 && (*p == '\0' || *p == '-'))
        minor = v[2] - '0';
    }
  if (minor < 0)
    return mp_fail (m,
                    "\"%s\" is not supported (ward reads MXC schema "
                    "0.6.0-alpha to 0.8.0-alpha)",
                    v);
  mp_pop (m, saved);
  m->p->schema_minor = minor;
  return 0;
}

static int
parse_containment (struct mp *m, const struct jnode *root)
{
  static const struct
  {
    const char *name;
    enum pol_level level;
  } names[] = {
    { "process", POL_LEVEL_PROCESS },
    { "processcontainer", POL_LEVEL_PROCESS },
    { "bubblewrap", POL_LEVEL_PROCESS },
    { "seatbelt", POL_LEVEL_PROCESS },
    { "lxc", POL_LEVEL_CONTAINER },
    { "container", POL_LEVEL_CONTAINER },
    { "isolation_session", POL_LEVEL_SESSION },
    { "session", POL_LEVEL_SESSION },
    { "microvm", POL_LEVEL_MICROVM },
  };
  _cleanup_free_ char *s = NULL;
  int r = mp_get_str (m, root, "containment", &s);
  if (r <= 0)
    return r;
  for (size_t i = 0; i < ARRAY_SIZE (names); i++)
    if (strcmp (s, names[i].name) == 0)
      {
        m->p->has_containment = true;
        m->p->level = names[i].level;
        return 0;
      }
  mp_push_key (m, "containment");
  return mp_fail (m,
                  "unknown containment \"%s\" (process, processcontainer, "
                  "bubblewrap, seatbelt, lxc, isolation_session, microvm)",
                  s);
}

static void
fs_push (struct mp *m, char *path, enum pol_fs_access access)
{
  struct agent_policy *p = m->p;
  p->fs = realloc (p->fs, (p->n_fs + 1) * sizeof *p->fs);
  if (p->fs == NULL)
    abort ();
  p->fs[p->n_fs++] = (struct pol_fs_entry){ .path = path,
                                            .access = access,
                                            .where = mp_where (m) };
}

static int
parse_path_list (struct mp *m, const struct jnode *fs, const char *key,
                 enum pol_fs_access access)
{
  const struct jnode *v = mp_member (fs, key);
  if (v == NULL)
    return 0;
  size_t saved = mp_push_key (m, key);
  if (jnode_type (v) != JNODE_ARRAY)
    return mp_fail (m, "expected an array of paths");
  for (size_t i = 0; i < jnode_len (v); i++)
    {
      size_t s2 = mp_push_idx (m, i);
      const char *s = mp_string (m, jnode_at (v, i));
      if (s == NULL)
        return -1;
      const char *why;
      char *clean = pol_path_clean (s, &why);
      if (clean == NULL)
        return mp_fail (m, "\"%s\" %s (paths are paths inside the container)",
                        s, why);
      fs_push (m, clean, access);
      mp_pop (m, s2);
    }
  mp_pop (m, saved);
  return 0;
}

static int
parse_filesystem (struct mp *m, const struct jnode *fs)
{
  static const char *const keys[]
      = { "readonlyPaths", "readwritePaths", "deniedPaths", NULL };
  if (mp_check_object (m, fs, keys) < 0)
    return -1;
  if (parse_path_list (m, fs, "readwritePaths", POL_FS_RW) < 0
      || parse_path_list (m, fs, "readonlyPaths", POL_FS_RO) < 0
      || parse_path_list (m, fs, "deniedPaths", POL_FS_DENY) < 0)
    return -1;
  return 0;
}

static int
parse_env (struct mp *m, const struct jnode *proc)
{
  struct agent_policy *p = m->p;
  int r = mp_get_strv (m, proc, "env", &p->env, &p->n_env);
  if (r <= 0)
    return r;
  p->has_env = true;
  size_t saved = mp_push_key (m, "env");
  for (size_t i = 0; i < p->n_env; i++)
    {
      const char *eq = strchr (p->env[i], '=');
      if (eq == NULL || eq == p->env[i])
        {
          mp_push_idx (m, i);
          return mp_fail (m, "\"%s\" is not KEY=VALUE", p->env[i]);
        }
    }
  mp_pop (m, saved);
  return 0;
}

static int
parse_process (struct mp *m, const struct jnode *proc)
{
  static const char *const keys[]
      = { "commandLine", "cwd", "env", "timeout", NULL };
  struct agent_policy *p = m->p;
  if (mp_check_object (m, proc, keys) < 0
      || mp_get_str (m, proc, "commandLine", &p->command_line) < 0
      || mp_get_str (m, proc, "cwd", &p->cwd) < 0 || parse_env (m, proc) < 0)
    return -1;
  if (p->cwd && p->cwd[0] != '/')
    {
      mp_push_key (m, "cwd");
      return mp_fail (m, "\"%s\" must be an absolute path", p->cwd);
    }
  uint64_t t;
  int r = mp_get_uint (m, proc, "timeout", 0, UINT32_MAX, &t);
  if (r < 0)
    return -1;
  /* 0 is "no timeout", as an absent value. */
  if (r > 0 && t > 0)
    {
      p->has_timeout = true;
      p->timeout_ms = (uint32_t) t;
    }
  return 0;
}

static int
parse_capture (struct mp *m, const struct jnode *cd)
{
  static const char *const keys[] = { "mode", "outputPath", "retainEtl", NULL };
  if (mp_check_object (m, cd, keys) < 0)
    return -1;
  _cleanup_free_ char *mode = NULL, *out = NULL;
  bool retain = false;
  if (mp_get_str (m, cd, "mode", &mode) < 0
      || mp_get_str (m, cd, "outputPath", &out) < 0
      || mp_get_bool (m, cd, "retainEtl", &retain) < 0)
    return -1;
  m->p->log_denials = true;
  if (mode)
    {
      size_t saved = mp_push_key (m, "mode");
      if (strcmp (mode, "allow") != 0 && strcmp (mode, "block") != 0)
        return mp_fail (m, "\"%s\" is not \"block\" or \"allow\"", mode);
      m->p->has_capture_mode = true;
      m->p->audit = strcmp (mode, "allow") == 0;
      mp_pop (m, saved);
    }
  if (out)
    {
      size_t saved = mp_push_key (m, "outputPath");
      mp_note (m, "denials go to the container's audit stream");
      mp_pop (m, saved);
    }
  if (mp_member (cd, "retainEtl"))
    {
      size_t saved = mp_push_key (m, "retainEtl");
      mp_note (m, "Windows ETL traces: no Linux meaning");
      mp_pop (m, saved);
    }
  return 0;
}

/* Windows-only booleans: false means nothing here; true asks for access
 * ward cannot grant on Linux. */
static int
windows_bools (struct mp *m, const struct jnode *obj, const char *const *names)
{
  for (size_t i = 0; names[i]; i++)
    {
      bool b = false;
      int r = mp_get_bool (m, obj, names[i], &b);
      if (r < 0)
        return -1;
      if (r == 0)
        continue;
      size_t saved = mp_push_key (m, names[i]);
      if (b)
        mp_unsupported (m, "Windows-only grant with no Linux meaning");
      else
        mp_note (m, "Windows only");
      mp_pop (m, saved);
    }
  return 0;
}

static int
parse_pc_ui (struct mp *m, const struct jnode *ui)
{
  static const char *const keys[]
      = { "desktopSystemControl", "ime", "isolation", "systemSettings", NULL };
  static const char *const grants[] = { "desktopSystemControl", "ime", NULL };
  if (mp_check_object (m, ui, keys) < 0 || windows_bools (m, ui, grants) < 0)
    return -1;
  _cleanup_free_ char *iso = NULL, *settings = NULL;
  if (mp_get_str (m, ui, "isolation", &iso) < 0
      || mp_get_str (m, ui, "systemSettings", &settings) < 0)
    return -1;
  if (iso)
    {
      size_t saved = mp_push_key (m, "isolation");
      if (strcmp (iso, "desktop") && strcmp (iso, "handles")
          && strcmp (iso, "atoms") && strcmp (iso, "container"))
        return mp_fail (m, "unknown UI isolation \"%s\"", iso);
      mp_note (m, "Windows only");
      mp_pop (m, saved);
    }
  if (settings)
    {
      size_t saved = mp_push_key (m, "systemSettings");
      mp_note (m, "Windows only");
      mp_pop (m, saved);
    }
  return 0;
}

static int
parse_pc_network (struct mp *m, const struct jnode *n)
{
  static const char *const keys[] = { "allowedProxyPeer", NULL };
  _cleanup_free_ char *peer = NULL;
  if (mp_check_object (m, n, keys) < 0
      || mp_get_str (m, n, "allowedProxyPeer", &peer) < 0)
    return -1;
  if (peer)
    {
      size_t saved = mp_push_key (m, "allowedProxyPeer");
      mp_note (m, "Windows only");
      mp_pop (m, saved);
    }
  return 0;
}

static int
parse_sub (struct mp *m, const struct jnode *obj, const char *key,
           int (*fn) (struct mp *, const struct jnode *))
{
  const struct jnode *v = mp_member (obj, key);
  if (v == NULL)
    return 0;
  size_t saved = mp_push_key (m, key);
  if (fn (m, v) < 0)
    return -1;
  mp_pop (m, saved);
  return 0;
}

static int
parse_process_container (struct mp *m, const struct jnode *pc)
{
  static const char *const keys[] = { "capabilities",
                                      "captureDenials",
                                      "learningMode",
                                      "leastPrivilege",
                                      "network",
                                      "ui",
                                      NULL };
  if (mp_check_object (m, pc, keys) < 0)
    return -1;
  char **caps = NULL;
  size_t n_caps = 0;
  if (mp_get_strv (m, pc, "capabilities", &caps, &n_caps) < 0)
    return -1;
  pol_strv_free (caps, n_caps);
  if (n_caps > 0)
    {
      size_t saved = mp_push_key (m, "capabilities");
      mp_unsupported (m, "AppContainer capabilities grant Windows access "
                         "with no Linux meaning");
      mp_pop (m, saved);
    }
  bool learning = false, least = true;
  if (mp_get_bool (m, pc, "learningMode", &learning) < 0
      || mp_get_bool (m, pc, "leastPrivilege", &least) < 0)
    return -1;
  if (learning)
    m->p->log_denials = true;
  if (mp_member (pc, "leastPrivilege"))
    {
      size_t saved = mp_push_key (m, "leastPrivilege");
      mp_note (m, "ward always runs agents with reduced privileges");
      mp_pop (m, saved);
    }
  if (parse_sub (m, pc, "captureDenials", parse_capture) < 0
      || parse_sub (m, pc, "network", parse_pc_network) < 0
      || parse_sub (m, pc, "ui", parse_pc_ui) < 0)
    return -1;
  return 0;
}

static int
parse_ui (struct mp *m, const struct jnode *ui)
{
  static const char *const keys[]
      = { "clipboard", "disable", "injection", NULL };
  if (mp_check_object (m, ui, keys) < 0)
    return -1;
  int r = mp_get_bool (m, ui, "disable", &m->p->ui_disable);
  if (r < 0)
    return -1;
  m->p->has_ui_disable = r > 0;
  _cleanup_free_ char *clip = NULL;
  bool inj = false;
  if (mp_get_str (m, ui, "clipboard", &clip) < 0
      || mp_get_bool (m, ui, "injection", &inj) < 0)
    return -1;
  if (clip)
    {
      size_t saved = mp_push_key (m, "clipboard");
      if (strcmp (clip, "none") && strcmp (clip, "read")
          && strcmp (clip, "write") && strcmp (clip, "all"))
        return mp_fail (m, "\"%s\" is not none, read, write or all", clip);
      mp_note (m, "on Linux the clipboard goes with the display: ui.disable "
                  "decides");
      mp_pop (m, saved);
    }
  if (mp_member (ui, "injection"))
    {
      size_t saved = mp_push_key (m, "injection");
      mp_note (m, "on Linux input injection goes with the display: "
                  "ui.disable decides");
      mp_pop (m, saved);
    }
  return 0;
}

static int
parse_seatbelt (struct mp *m, const struct jnode *sb)
{
  static const char *const keys[] = { "extraMachLookups",
                                      "guiAccess",
                                      "keychainAccess",
                                      "launchMethod",
                                      "nestedPty",
                                      "profileOverride",
                                      NULL };
  static const char *const grants[] = { "guiAccess", "keychainAccess", NULL };
  if (mp_check_object (m, sb, keys) < 0 || windows_bools (m, sb, grants) < 0)
    return -1;
  char **mach = NULL;
  size_t n_mach = 0;
  _cleanup_free_ char *launch = NULL, *override = NULL;
  bool pty = false;
  if (mp_get_strv (m, sb, "extraMachLookups", &mach, &n_mach) < 0
      || mp_get_str (m, sb, "launchMethod", &launch) < 0
      || mp_get_str (m, sb, "profileOverride", &override) < 0
      || mp_get_bool (m, sb, "nestedPty", &pty) < 0)
    return -1;
  pol_strv_free (mach, n_mach);
  if (n_mach > 0)
    {
      size_t saved = mp_push_key (m, "extraMachLookups");
      mp_unsupported (m, "macOS Mach services: no Linux meaning");
      mp_pop (m, saved);
    }
  if (override)
    {
      size_t saved = mp_push_key (m, "profileOverride");
      mp_unsupported (m,
                      "replaces the macOS sandbox profile: no Linux meaning");
      mp_pop (m, saved);
    }
  if (launch && strcmp (launch, "exec") && strcmp (launch, "open"))
    {
      mp_push_key (m, "launchMethod");
      return mp_fail (m, "\"%s\" is not \"exec\" or \"open\"", launch);
    }
  return 0;
}

/* Objects whose every field is accepted and has no effect on Linux. */
static int
parse_noted (struct mp *m, const struct jnode *obj, const char *const *keys,
             const char *why)
{
  if (mp_check_object (m, obj, keys) < 0)
    return -1;
  for (size_t i = 0; keys[i]; i++)
    {
      const struct jnode *v = mp_member (obj, keys[i]);
      if (v == NULL)
        continue;
      size_t saved = mp_push_key (m, keys[i]);
      if (jnode_type (v) != JNODE_BOOL && jnode_type (v) != JNODE_STRING)
        return mp_fail (m, "expected a boolean or a string");
      mp_note (m, why);
      mp_pop (m, saved);
    }
  return 0;
}

static int
parse_fallback (struct mp *m, const struct jnode *o)
{
  static const char *const keys[] = { "allowDaclMutation", NULL };
  return parse_noted (m, o, keys, "Windows DACLs: no Linux meaning");
}

static int
parse_lifecycle (struct mp *m, const struct jnode *o)
{
  static const char *const keys[] = { "destroyOnExit", "preservePolicy", NULL };
  return parse_noted (m, o, keys,
                      "the container's lifecycle is the engine's "
                      "(ward sandbox always removes everything)");
}

static int
parse_lxc (struct mp *m, const struct jnode *o)
{
  static const char *const keys[] = { "distribution", "release", NULL };
  return parse_noted (m, o, keys, "the image is the bundle's rootfs");
}

static int
parse_runtime_config (struct mp *m, const struct jnode *o)
{
  static const char *const keys[] = { "networkProxy", NULL };
  if (mp_check_object (m, o, keys) < 0
      || mp_get_str (m, o, "networkProxy", &m->p->proxy) < 0)
    return -1;
  if (m->p->proxy)
    {
      size_t saved = mp_push_key (m, "networkProxy");
      free (m->p->proxy_where);
      m->p->proxy_where = mp_where (m);
      mp_pop (m, saved);
    }
  return 0;
}

/* ---- ward extensions ------------------------------------------------- */

static int
check_syscall_names (struct mp *m, const char *key, char **v, size_t n)
{
  size_t saved = mp_push_key (m, key);
  for (size_t i = 0; i < n; i++)
    if (seccomp_syscall_resolve_name (v[i]) == __NR_SCMP_ERROR)
      {
        mp_push_idx (m, i);
        return mp_fail (m, "unknown syscall \"%s\"", v[i]);
      }
  mp_pop (m, saved);
  return 0;
}

static int
parse_syscalls (struct mp *m, const struct jnode *o)
{
  static const char *const keys[] = { "profile", "deny", "allow", NULL };
  struct agent_policy *p = m->p;
  _cleanup_free_ char *profile = NULL;
  if (mp_check_object (m, o, keys) < 0
      || mp_get_str (m, o, "profile", &profile) < 0
      || mp_get_strv (m, o, "deny", &p->sys_deny, &p->n_sys_deny) < 0
      || mp_get_strv (m, o, "allow", &p->sys_allow, &p->n_sys_allow) < 0
      || check_syscall_names (m, "deny", p->sys_deny, p->n_sys_deny) < 0
      || check_syscall_names (m, "allow", p->sys_allow, p->n_sys_allow) < 0)
    return -1;
  if (profile)
    {
      size_t saved = mp_push_key (m, "profile");
      if (strcmp (profile, "default") && strcmp (profile, "strict"))
        return mp_fail (m, "\"%s\" is not \"default\" or \"strict\"", profile);
      p->has_syscall_profile = true;
      p->syscalls_strict = strcmp (profile, "strict") == 0;
      mp_pop (m, saved);
    }
  return 0;
}

static int
parse_cpus (struct mp *m, const struct jnode *o)
{
  const struct jnode *v = mp_member (o, "cpus");
  if (v == NULL)
    return 0;
  size_t saved = mp_push_key (m, "cpus");
  const char *text = NULL;
  double d = 0;
  if (jnode_type (v) == JNODE_NUMBER)
    {
      /* Integers go through jnode_int; fractions through the text. */
      if (jnode_is_integer (v))
        d = (double) jnode_int (v);
      else
        {
          text = jnode_number_text (v);
          d = text ? strtod (text, NULL) : 0;
        }
    }
  if (!(d >= 0.01 && d <= 1024))
    return mp_fail (m, "expected a number of CPUs from 0.01 to 1024");
  m->p->has_cpus = true;
  m->p->millicpus = (uint32_t) (d * 1000 + 0.5);
  mp_pop (m, saved);
  return 0;
}

static int
parse_resources (struct mp *m, const struct jnode *o)
{
  static const char *const keys[] = { "memoryMb", "cpus", "pids", NULL };
  struct agent_policy *p = m->p;
  int r1, r2;
  if (mp_check_object (m, o, keys) < 0
      || (r1 = mp_get_uint (m, o, "memoryMb", 4, UINT64_C (1) << 32,
                            &p->memory_mb))
             < 0
      || (r2 = mp_get_uint (m, o, "pids", 1, UINT32_MAX, &p->pids)) < 0
      || parse_cpus (m, o) < 0)
    return -1;
  p->has_memory_mb = r1 > 0;
  p->has_pids = r2 > 0;
  return 0;
}

static int
parse_identity (struct mp *m, const struct jnode *o)
{
  static const char *const keys[] = { "agent", "selinux", NULL };
  struct agent_policy *p = m->p;
  _cleanup_free_ char *sel = NULL;
  if (mp_check_object (m, o, keys) < 0
      || mp_get_str (m, o, "agent", &p->agent) < 0
      || mp_get_str (m, o, "selinux", &sel) < 0)
    return -1;
  const char *why = p->agent ? pol_agent_name_problem (p->agent) : NULL;
  if (why)
    {
      mp_push_key (m, "agent");
      return mp_fail (m, "\"%s\" %s", p->agent, why);
    }
  if (sel)
    {
      size_t saved = mp_push_key (m, "selinux");
      if (strcmp (sel, "auto") && strcmp (sel, "required"))
        return mp_fail (m, "\"%s\" is not \"auto\" or \"required\"", sel);
      p->has_selinux = true;
      p->selinux_required = strcmp (sel, "required") == 0;
      mp_pop (m, saved);
    }
  return 0;
}

static int
parse_compat (struct mp *m, const struct jnode *root)
{
  _cleanup_free_ char *c = NULL;
  int r = mp_get_str (m, root, "compatibility", &c);
  if (r <= 0)
    return r;
  size_t saved = mp_push_key (m, "compatibility");
  if (strcmp (c, "hard") && strcmp (c, "best_effort"))
    return mp_fail (m, "\"%s\" is not \"hard\" or \"best_effort\"", c);
  m->p->has_compat = true;
  m->p->best_effort = strcmp (c, "best_effort") == 0;
  mp_pop (m, saved);
  return 0;
}

static int
parse_top_notes (struct mp *m, const struct jnode *root)
{
  _cleanup_free_ char *id = NULL, *schema = NULL;
  if (mp_get_str (m, root, "containerId", &id) < 0
      || mp_get_str (m, root, "$schema", &schema) < 0)
    return -1;
  if (id)
    {
      size_t saved = mp_push_key (m, "containerId");
      mp_note (m, "the container id is the engine's");
      mp_pop (m, saved);
    }
  return 0;
}

static int
parse_root (struct mp *m, const struct jnode *root)
{
  static const char *const keys[]
      = { "$schema", "_comment", "containerId", "containment", "fallback",
          "filesystem", "lifecycle", "lxc", "network", "process",
          "processContainer", "runtimeConfig", "seatbelt", "ui", "version",
          /* ward extensions */
          "syscalls", "resources", "identity", "compatibility", NULL };
  if (mp_check_object (m, root, keys) < 0 || parse_version (m, root) < 0
      || parse_containment (m, root) < 0 || parse_compat (m, root) < 0
      || parse_top_notes (m, root) < 0)
    return -1;
  if (parse_sub (m, root, "filesystem", parse_filesystem) < 0
      || parse_sub (m, root, "network", mxc_parse_network) < 0
      || parse_sub (m, root, "process", parse_process) < 0
      || parse_sub (m, root, "processContainer", parse_process_container) < 0
      || parse_sub (m, root, "ui", parse_ui) < 0
      || parse_sub (m, root, "seatbelt", parse_seatbelt) < 0
      || parse_sub (m, root, "fallback", parse_fallback) < 0
      || parse_sub (m, root, "lifecycle", parse_lifecycle) < 0
      || parse_sub (m, root, "lxc", parse_lxc) < 0
      || parse_sub (m, root, "runtimeConfig", parse_runtime_config) < 0
      || parse_sub (m, root, "syscalls", parse_syscalls) < 0
      || parse_sub (m, root, "resources", parse_resources) < 0
      || parse_sub (m, root, "identity", parse_identity) < 0)
    return -1;
  return 0;
}

struct agent_policy *
agent_policy_new (void)
{
  struct agent_policy *p = xmalloc0 (sizeof *p);
  p->schema_minor = 8;
  p->ui_disable = true;
  return p;
}

int
mxc_parse (const char *data, size_t len, const char *origin,
           struct agent_policy **out, struct werr *err)
{
  struct jnode *root = jnode_parse (data, len, err);
  if (root == NULL)
    return werr_prefix (err, "%s", origin ? origin : "policy");
  struct mp m = { .p = agent_policy_new (), .err = err, .origin = origin };
  int r = parse_root (&m, root);
  jnode_free (root);
  if (r < 0)
    {
      agent_policy_free (m.p);
      return -1;
    }
  *out = m.p;
  return 0;
}

static void
rules_free (struct pol_rule *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      for (size_t j = 0; j < v[i].n_to; j++)
        {
          free (v[i].to[j].host);
          free (v[i].to[j].except);
        }
      free (v[i].to);
      free (v[i].ports);
      free (v[i].where);
    }
  free (v);
}

static void
notes_free (struct pol_note *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (v[i].where);
      free (v[i].what);
    }
  free (v);
}

void
agent_policy_free (struct agent_policy *p)
{
  if (p == NULL)
    return;
  free (p->version);
  for (size_t i = 0; i < p->n_fs; i++)
    {
      free (p->fs[i].path);
      free (p->fs[i].where);
    }
  free (p->fs);
  rules_free (p->allow, p->n_allow);
  rules_free (p->deny, p->n_deny);
  pol_strv_free (p->dns_upstream, p->n_dns);
  free (p->proxy);
  free (p->proxy_where);
  free (p->command_line);
  free (p->cwd);
  pol_strv_free (p->env, p->n_env);
  pol_strv_free (p->sys_deny, p->n_sys_deny);
  pol_strv_free (p->sys_allow, p->n_sys_allow);
  free (p->agent);
  notes_free (p->notes, p->n_notes);
  notes_free (p->unsupported, p->n_unsupported);
  free (p);
}
