/* ward — the runtime-spec features document (`ward features`). */
#include "ward/oci_output.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ward/cleanup.h"
#include "ward/json.h"

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

static const char *const hook_names[] = {
  "prestart",       "createRuntime", "createContainer",
  "startContainer", "poststart",     "poststop",
};

/* Every option runtime/src/lib/mount_options.c understands. */
static const char *const mount_options[] = {
  "async",
  "atime",
  "bind",
  "dev",
  "diratime",
  "dirsync",
  "exec",
  "idmap",
  "lazytime",
  "mand",
  "noatime",
  "nodev",
  "nodiratime",
  "noexec",
  "nolazytime",
  "nomand",
  "norelatime",
  "nostrictatime",
  "nosuid",
  "nosymfollow",
  "private",
  "ratime",
  "rbind",
  "rdev",
  "rdiratime",
  "relatime",
  "remount",
  "rexec",
  "ridmap",
  "rnoatime",
  "rnodev",
  "rnodiratime",
  "rnoexec",
  "rnorelatime",
  "rnostrictatime",
  "rnosuid",
  "rnosymfollow",
  "ro",
  "rprivate",
  "rrelatime",
  "rro",
  "rrw",
  "rshared",
  "rslave",
  "rstrictatime",
  "rsuid",
  "runbindable",
  "rw",
  "shared",
  "slave",
  "strictatime",
  "suid",
  "sync",
  "tmpcopyup",
  "unbindable",
};

static const char *const ns_names[] = {
  "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts",
};

static const struct
{
  const char *name;
  unsigned long flag;
  unsigned long probe_with;
} seccomp_flags[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC, 0 },
  { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG, 0 },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW, 0 },
  /* The kernel only takes it together with NEW_LISTENER. */
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, SECCOMP_FILTER_FLAG_NEW_LISTENER },
};

/* A NULL filter makes the kernel check the flags and then fail with EFAULT
 * before anything is installed: EFAULT means the flag is known. */
static bool
seccomp_flag_supported (unsigned long flags)
{
  long r = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, NULL);
  return r < 0 && errno == EFAULT;
}

static void
kconst_strv (struct jw *w, const char *key, const char *const *v, size_t n)
{
  jw_key (w, key);
  jw_arr_open (w);
  for (size_t i = 0; i < n; i++)
    jw_str (w, v[i]);
  jw_arr_close (w);
}

static void
kenabled (struct jw *w, const char *key, bool enabled)
{
  jw_key (w, key);
  jw_obj_open (w);
  jw_kbool (w, "enabled", enabled);
  jw_obj_close (w);
}

static void
write_seccomp (struct jw *w, const struct oci_features_view *f)
{
  jw_key (w, "seccomp");
  jw_obj_open (w);
  jw_kbool (w, "enabled", f->seccomp_enabled);
  if (f->seccomp_enabled)
    {
      jw_kstrv (w, "actions", f->seccomp_actions, f->n_seccomp_actions);
      jw_kstrv (w, "operators", f->seccomp_operators, f->n_seccomp_operators);
      jw_kstrv (w, "archs", f->seccomp_archs, f->n_seccomp_archs);
      jw_key (w, "knownFlags");
      jw_arr_open (w);
      for (size_t i = 0; i < ARRAY_SIZE (seccomp_flags); i++)
        jw_str (w, seccomp_flags[i].name);
      jw_arr_close (w);
      jw_key (w, "supportedFlags");
      jw_arr_open (w);
      for (size_t i = 0; i < ARRAY_SIZE (seccomp_flags); i++)
        if (seccomp_flag_supported (seccomp_flags[i].flag
                                    | seccomp_flags[i].probe_with))
          jw_str (w, seccomp_flags[i].name);
      jw_arr_close (w);
    }
  jw_obj_close (w);
}

static void
write_linux (struct jw *w, const struct oci_features_view *f)
{
  jw_key (w, "linux");
  jw_obj_open (w);
  kconst_strv (w, "namespaces", ns_names, ARRAY_SIZE (ns_names));
  jw_kstrv (w, "capabilities", f->capabilities, f->n_capabilities);

  jw_key (w, "cgroup");
  jw_obj_open (w);
  jw_kbool (w, "v1", f->has_cgroup_v1);
  jw_kbool (w, "v2", f->has_cgroup_v2);
  jw_kbool (w, "systemd", f->has_systemd);
  jw_kbool (w, "systemdUser", f->has_systemd_user);
  jw_kbool (w, "rdma", f->has_rdma);
  jw_obj_close (w);

  write_seccomp (w, f);
  kenabled (w, "apparmor", f->apparmor_enabled);
  kenabled (w, "selinux", f->selinux_enabled);
  kenabled (w, "intelRdt", false);

  jw_key (w, "mountExtensions");
  jw_obj_open (w);
  kenabled (w, "idmap", true);
  jw_obj_close (w);

  kenabled (w, "netDevices", false);
  jw_obj_close (w);
}

int
oci_features_json (const struct oci_features_view *f, char **out, size_t *len,
                   struct werr *err)
{
  struct jw *w = jw_new (true);
  if (w == NULL)
    return werr_set (err, ENOMEM, "features JSON");
  jw_obj_open (w);
  jw_kstr (w, "ociVersionMin", "1.0.0");
  jw_kstr (w, "ociVersionMax", WARD_OCI_VERSION);
  kconst_strv (w, "hooks", hook_names, ARRAY_SIZE (hook_names));
  kconst_strv (w, "mountOptions", mount_options, ARRAY_SIZE (mount_options));
  write_linux (w, f);
  jw_key (w, "annotations");
  jw_obj_open (w);
  jw_kstr (w, "run.oci.ward.version", PACKAGE_VERSION);
  jw_obj_close (w);
  jw_obj_close (w);
  if (jw_finish (w, out, len) < 0)
    return werr_set (err, ENOMEM, "features JSON");
  return 0;
}
