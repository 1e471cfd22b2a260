/* ward — the default config.json `ward spec [--rootless]` writes: the same
 * structure and defaults as `runc spec`. */
#include "ward/oci_output.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ward/cleanup.h"
#include "ward/json.h"

static const char *const default_caps[] = {
  "CAP_AUDIT_WRITE",
  "CAP_KILL",
  "CAP_NET_BIND_SERVICE",
  NULL,
};

static const char *const default_env[] = {
  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  "TERM=xterm",
  NULL,
};

static const char *const masked_paths[] = {
  "/proc/acpi",
  "/proc/asound",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/sys/firmware",
  "/proc/scsi",
  NULL,
};

static const char *const readonly_paths[] = {
  "/proc/bus",           "/proc/fs", "/proc/irq", "/proc/sys",
  "/proc/sysrq-trigger", NULL,
};

struct default_mount
{
  const char *destination, *type, *source;
  const char *options[8];
};

/* runc's defaults.  Rootless swaps /sys for a recursive bind (a user
 * namespace may not mount sysfs without its own network namespace) and
 * drops devpts' gid=5 (that group is not mapped). */
static const struct default_mount mounts[] = {
  { "/proc", "proc", "proc", { NULL } },
  { "/dev",
    "tmpfs",
    "tmpfs",
    { "nosuid", "strictatime", "mode=755", "size=65536k", NULL } },
  { "/dev/pts",
    "devpts",
    "devpts",
    { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5",
      NULL } },
  { "/dev/shm",
    "tmpfs",
    "shm",
    { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL } },
  { "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev", NULL } },
  { "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro", NULL } },
  { "/sys/fs/cgroup",
    "cgroup",
    "cgroup",
    { "nosuid", "noexec", "nodev", "relatime", "ro", NULL } },
};

static const struct default_mount rootless_sys = {
  "/sys", "none", "/sys", { "rbind", "nosuid", "noexec", "nodev", "ro", NULL }
};

static void
kstrs (struct jw *w, const char *key, const char *const *v)
{
  jw_key (w, key);
  jw_arr_open (w);
  for (; *v != NULL; v++)
    jw_str (w, *v);
  jw_arr_close (w);
}

static void
write_process (struct jw *w)
{
  jw_key (w, "process");
  jw_obj_open (w);
  jw_kbool (w, "terminal", true);
  jw_key (w, "user");
  jw_obj_open (w);
  jw_kint (w, "uid", 0);
  jw_kint (w, "gid", 0);
  jw_obj_close (w);
  kstrs (w, "args", (const char *const[]){ "sh", NULL });
  kstrs (w, "env", default_env);
  jw_kstr (w, "cwd", "/");
  jw_key (w, "capabilities");
  jw_obj_open (w);
  kstrs (w, "bounding", default_caps);
  kstrs (w, "effective", default_caps);
  kstrs (w, "permitted", default_caps);
  kstrs (w, "ambient", default_caps);
  jw_obj_close (w);
  jw_key (w, "rlimits");
  jw_arr_open (w);
  jw_obj_open (w);
  jw_kstr (w, "type", "RLIMIT_NOFILE");
  jw_kint (w, "hard", 1024);
  jw_kint (w, "soft", 1024);
  jw_obj_close (w);
  jw_arr_close (w);
  jw_kbool (w, "noNewPrivileges", true);
  jw_obj_close (w);
}

static void
write_mount (struct jw *w, const struct default_mount *m, bool rootless)
{
  jw_obj_open (w);
  jw_kstr (w, "destination", m->destination);
  jw_kstr (w, "type", m->type);
  jw_kstr (w, "source", m->source);
  if (m->options[0] != NULL)
    {
      jw_key (w, "options");
      jw_arr_open (w);
      for (const char *const *o = m->options; *o != NULL; o++)
        if (!(rootless && strcmp (*o, "gid=5") == 0))
          jw_str (w, *o);
      jw_arr_close (w);
    }
  jw_obj_close (w);
}

static void
write_mounts (struct jw *w, bool rootless)
{
  jw_key (w, "mounts");
  jw_arr_open (w);
  for (size_t i = 0; i < ARRAY_SIZE (mounts); i++)
    {
      const struct default_mount *m = &mounts[i];
      if (rootless && strcmp (m->destination, "/sys") == 0)
        m = &rootless_sys;
      write_mount (w, m, rootless);
    }
  jw_arr_close (w);
}

static void
write_id_mapping (struct jw *w, const char *key, uint32_t host_id)
{
  jw_key (w, key);
  jw_arr_open (w);
  jw_obj_open (w);
  jw_kint (w, "containerID", 0);
  jw_kint (w, "hostID", host_id);
  jw_kint (w, "size", 1);
  jw_obj_close (w);
  jw_arr_close (w);
}

static void
write_namespaces (struct jw *w, bool rootless)
{
  /* Rootless: no network namespace of its own (there would be no way to
   * configure it without privileges), and a user namespace instead. */
  static const char *const rootful[]
      = { "pid", "network", "ipc", "uts", "mount", NULL };
  static const char *const rootless_ns[]
      = { "pid", "ipc", "uts", "mount", "user", NULL };
  jw_key (w, "namespaces");
  jw_arr_open (w);
  for (const char *const *t = rootless ? rootless_ns : rootful; *t; t++)
    {
      jw_obj_open (w);
      jw_kstr (w, "type", *t);
      jw_obj_close (w);
    }
  jw_arr_close (w);
}

static void
write_linux (struct jw *w, bool rootless)
{
  jw_key (w, "linux");
  jw_obj_open (w);
  if (rootless)
    {
      write_id_mapping (w, "uidMappings", geteuid ());
      write_id_mapping (w, "gidMappings", getegid ());
    }
  else
    {
      /* Deny every device node by default; /dev is a fresh tmpfs. */
      jw_key (w, "resources");
      jw_obj_open (w);
      jw_key (w, "devices");
      jw_arr_open (w);
      jw_obj_open (w);
      jw_kbool (w, "allow", false);
      jw_kstr (w, "access", "rwm");
      jw_obj_close (w);
      jw_arr_close (w);
      jw_obj_close (w);
    }
  write_namespaces (w, rootless);
  kstrs (w, "maskedPaths", masked_paths);
  kstrs (w, "readonlyPaths", readonly_paths);
  jw_obj_close (w);
}

int
oci_spec_default_json (bool rootless, char **out, size_t *len, struct werr *err)
{
  struct jw *w = jw_new (true);
  if (w == NULL)
    return werr_set (err, ENOMEM, "default spec JSON");
  jw_obj_open (w);
  jw_kstr (w, "ociVersion", WARD_OCI_VERSION);
  write_process (w);
  jw_key (w, "root");
  jw_obj_open (w);
  jw_kstr (w, "path", "rootfs");
  jw_kbool (w, "readonly", true);
  jw_obj_close (w);
  jw_kstr (w, "hostname", "ward");
  write_mounts (w, rootless);
  write_linux (w, rootless);
  jw_obj_close (w);
  if (jw_finish (w, out, len) < 0)
    return werr_set (err, ENOMEM, "default spec JSON");
  return 0;
}
