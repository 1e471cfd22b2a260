/* ward — the ephemeral bundle of `ward sandbox`: a host command under a
 * policy, with no image.
 *
 * The rootfs is an empty directory, read-only; into it go, read-only, the
 * host's system directories (MXC's bubblewrap baseline: /bin, /sbin, /lib*,
 * /usr/{bin,sbin,lib*,libexec,share}, /etc), a private /tmp, /proc and a
 * minimal /dev; then the policy's own paths, bound from the same host path
 * read-only or read-write.  Nothing else of the host exists inside (deny by
 * default).  Symlinks among the system directories (merged /usr) are
 * recreated as symlinks.  The policy reaches create through the usual
 * annotations, so the container gets exactly what `ward create` would
 * give: Landlock over the same paths, seccomp, egress, timeout. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plan.h"
#include "policy.h"
#include "sandbox.h"
#include "utils.h"
#include "ward/cleanup.h"
#include "ward/json.h"

static const char *const system_dirs[] = {
  "/bin",       "/sbin",       "/lib",         "/lib32",     "/lib64",
  "/libx32",    "/usr/bin",    "/usr/sbin",    "/usr/lib",   "/usr/lib32",
  "/usr/lib64", "/usr/libx32", "/usr/libexec", "/usr/share", "/etc",
};

struct bind
{
  const char *path;
  bool rw;
};

static int
cmp_bind (const void *a, const void *b)
{
  return strcmp (((const struct bind *) a)->path,
                 ((const struct bind *) b)->path);
}

static void
mount_obj (struct jw *w, const char *dest, const char *type, const char *src,
           const char *const *opts)
{
  jw_obj_open (w);
  jw_kstr (w, "destination", dest);
  jw_kstr (w, "type", type);
  jw_kstr (w, "source", src);
  jw_key (w, "options");
  jw_arr_open (w);
  for (size_t i = 0; opts[i]; i++)
    jw_str (w, opts[i]);
  jw_arr_close (w);
  jw_obj_close (w);
}

static void
base_mounts (struct jw *w)
{
  static const char *const proc[] = { "nosuid", "noexec", "nodev", NULL };
  static const char *const dev[]
      = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
  static const char *const pts[] = { "nosuid",      "noexec",
                                     "newinstance", "ptmxmode=0666",
                                     "mode=0620",   NULL };
  static const char *const shm[]
      = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL };
  static const char *const tmp[] = { "nosuid", "nodev", "mode=1777", NULL };
  mount_obj (w, "/proc", "proc", "proc", proc);
  mount_obj (w, "/dev", "tmpfs", "tmpfs", dev);
  mount_obj (w, "/dev/pts", "devpts", "devpts", pts);
  mount_obj (w, "/dev/shm", "tmpfs", "shm", shm);
  mount_obj (w, "/tmp", "tmpfs", "tmpfs", tmp);
}

/* Host system directories: symlinks recreated in the rootfs, directories
 * listed for a read-only bind. */
static int
system_binds (const char *rootfs, struct bind *v, size_t *n, struct werr *err)
{
  for (size_t i = 0; i < ARRAY_SIZE (system_dirs); i++)
    {
      struct stat st;
      if (lstat (system_dirs[i], &st) < 0)
        continue;
      if (S_ISLNK (st.st_mode))
        {
          char target[PATH_MAX];
          ssize_t len = readlink (system_dirs[i], target, sizeof target - 1);
          if (len < 0)
            continue;
          target[len] = '\0';
          _cleanup_free_ char *link
              = xasprintf ("%s%s", rootfs, system_dirs[i]);
          _cleanup_free_ char *parent = xstrdup (link);
          *strrchr (parent, '/') = '\0';
          if (mkdir_p (parent, 0755, err) < 0)
            return -1;
          if (symlink (target, link) < 0 && errno != EEXIST)
            return werr_set (err, errno, "sandbox: symlink `%s`", link);
          continue;
        }
      if (S_ISDIR (st.st_mode))
        v[(*n)++] = (struct bind){ .path = system_dirs[i], .rw = false };
    }
  return 0;
}

static bool
exists (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0;
}

static void
policy_binds (const struct agent_policy *p, struct bind *v, size_t *n)
{
  for (size_t i = 0; i < p->n_fs; i++)
    {
      const struct pol_fs_entry *e = &p->fs[i];
      if (e->access == POL_FS_DENY || strcmp (e->path, "/") == 0
          || !exists (e->path))
        continue;
      bool dup = false;
      for (size_t j = 0; j < *n && !dup; j++)
        if (strcmp (v[j].path, e->path) == 0)
          {
            v[j].rw |= e->access == POL_FS_RW;
            dup = true;
          }
      if (!dup)
        v[(*n)++]
            = (struct bind){ .path = e->path, .rw = e->access == POL_FS_RW };
    }
}

static void
process_obj (struct jw *w, const struct sandbox_request *r)
{
  jw_key (w, "process");
  jw_obj_open (w);
  jw_kbool (w, "terminal", r->terminal);
  jw_key (w, "user");
  jw_obj_open (w);
  jw_kint (w, "uid", getuid ());
  jw_kint (w, "gid", getgid ());
  jw_obj_close (w);
  jw_kstrv (w, "args", r->argv, r->argc);
  jw_kstrv (w, "env", r->env, r->n_env);
  jw_kstr (w, "cwd", r->cwd);
  jw_kbool (w, "noNewPrivileges", true);
  jw_key (w, "capabilities");
  jw_obj_open (w);
  static char *const caps[]
      = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" };
  const char *sets[] = { "bounding", "effective", "permitted" };
  for (size_t i = 0; i < ARRAY_SIZE (sets); i++)
    jw_kstrv (w, sets[i], caps, getuid () == 0 ? ARRAY_SIZE (caps) : 0);
  jw_obj_close (w);
  jw_obj_close (w);
}

static void
linux_obj (struct jw *w)
{
  static const char *const ns[] = { "pid", "ipc", "uts", "mount" };
  jw_key (w, "linux");
  jw_obj_open (w);
  jw_key (w, "namespaces");
  jw_arr_open (w);
  for (size_t i = 0; i < ARRAY_SIZE (ns); i++)
    {
      jw_obj_open (w);
      jw_kstr (w, "type", ns[i]);
      jw_obj_close (w);
    }
  jw_arr_close (w);
  jw_obj_close (w);
}

static void
annotations_obj (struct jw *w, const struct sandbox_request *r)
{
  jw_key (w, "annotations");
  jw_obj_open (w);
  if (r->policy_file)
    jw_kstr (w, POLICY_ANN_FILE, r->policy_file);
  if (r->profile)
    jw_kstr (w, POLICY_ANN_PROFILE, r->profile);
  if (r->agent)
    jw_kstr (w, POLICY_ANN_AGENT, r->agent);
  if (!r->policy_file && !r->profile)
    jw_kstr (w, POLICY_ANN_POLICY, "{}");
  jw_obj_close (w);
}

int
sandbox_write_bundle (const struct sandbox_request *r, const char *dir,
                      struct werr *err)
{
  _cleanup_free_ char *rootfs = xasprintf ("%s/rootfs", dir);
  if (mkdir (rootfs, 0755) < 0)
    return werr_set (err, errno, "sandbox: mkdir `%s`", rootfs);
  struct bind v[ARRAY_SIZE (system_dirs) + 256];
  size_t n = 0;
  if (system_binds (rootfs, v, &n, err) < 0)
    return -1;
  if (r->policy->n_fs > 256)
    return werr_set (err, 0, "sandbox: more than 256 filesystem paths");
  policy_binds (r->policy, v, &n);
  /* Parents before children: sorted by path. */
  qsort (v, n, sizeof *v, cmp_bind);
  struct jw *w = jw_new (true);
  jw_obj_open (w);
  jw_kstr (w, "ociVersion", "1.2.0");
  jw_key (w, "root");
  jw_obj_open (w);
  jw_kstr (w, "path", "rootfs");
  jw_kbool (w, "readonly", true);
  jw_obj_close (w);
  jw_kstr (w, "hostname", "sandbox");
  process_obj (w, r);
  jw_key (w, "mounts");
  jw_arr_open (w);
  base_mounts (w);
  static const char *const ro[] = { "rbind", "ro", "nosuid", "nodev", NULL };
  static const char *const rw[] = { "rbind", "rw", "nosuid", "nodev", NULL };
  for (size_t i = 0; i < n; i++)
    mount_obj (w, v[i].path, "bind", v[i].path, v[i].rw ? rw : ro);
  jw_arr_close (w);
  linux_obj (w);
  annotations_obj (w, r);
  jw_obj_close (w);
  _cleanup_free_ char *json = NULL;
  size_t len;
  if (jw_finish (w, &json, &len) < 0)
    return werr_set (err, 0, "sandbox: config.json (a bug)");
  _cleanup_close_ int dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return werr_set (err, errno, "sandbox: open `%s`", dir);
  return write_file_atomic_at (dfd, "config.json", json, len, 0600, err);
}
