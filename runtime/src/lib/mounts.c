/* ward — the config's mounts inside the rootfs.
 *
 * Every target is resolved inside the rootfs by fd (path_in_root.c) and
 * mounted through /proc/self/fd/N of that fd, so a symlink planted in the
 * image ("/data" -> "/../../etc") can never move a mount onto the host.
 * The behaviour follows runc's libcontainer/rootfs_linux.go: bind mounts
 * get their flags with a second MS_BIND|MS_REMOUNT pass, tmpfs keeps the
 * mode of the directory it covers, sysfs falls back to a bind of /sys in a
 * user namespace, mounts inside /proc are refused but for lxcfs' files.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "mounts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "path_in_root.h"
#include "selinux_label.h"
#include "utils.h"
#include "ward/cleanup.h"

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif

/* struct mount_attr of <linux/mount.h>, under our own name. */
struct ward_mount_attr
{
  uint64_t attr_set;
  uint64_t attr_clr;
  uint64_t propagation;
  uint64_t userns_fd;
};

static int
sys_mount_setattr (int dfd, const char *path, unsigned flags,
                   struct ward_mount_attr *attr)
{
  return (int) syscall (SYS_mount_setattr, dfd, path, flags, attr,
                        sizeof *attr);
}

static int
sys_open_tree (int dfd, const char *path, unsigned flags)
{
  return (int) syscall (SYS_open_tree, dfd, path, flags);
}

static int
sys_move_mount (int from_dfd, const char *from, int to_dfd, const char *to,
                unsigned flags)
{
  return (int) syscall (SYS_move_mount, from_dfd, from, to_dfd, to, flags);
}

/* ---- small helpers ---------------------------------------------------- */

const char *
procfd_path (int fd, char buf[PROCFD_LEN])
{
  snprintf (buf, PROCFD_LEN, "/proc/self/fd/%d", fd);
  return buf;
}

char *
path_clean (const char *path)
{
  size_t len = strlen (path);
  char *out = xmalloc0 (len + 2);
  size_t o = 0;
  const char *p = path;
  while (*p)
    {
      while (*p == '/')
        p++;
      const char *e = strchrnul (p, '/');
      size_t n = (size_t) (e - p);
      if (n == 0 || (n == 1 && p[0] == '.'))
        ;
      else if (n == 2 && p[0] == '.' && p[1] == '.')
        {
          while (o > 0 && out[o - 1] != '/')
            o--;
          if (o > 0)
            o--;
        }
      else
        {
          out[o++] = '/';
          memcpy (out + o, p, n);
          o += n;
        }
      p = e;
    }
  if (o == 0)
    out[o++] = '/';
  out[o] = '\0';
  return out;
}

static void
unescape_octal (char *s)
{
  char *w = s;
  for (char *r = s; *r; r++)
    {
      if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0'
          && r[2] <= '7' && r[3] >= '0' && r[3] <= '7')
        {
          *w++ = (char) (((r[1] - '0') << 6) | ((r[2] - '0') << 3)
                         | (r[3] - '0'));
          r += 3;
        }
      else
        *w++ = *r;
    }
  *w = '\0';
}

/* Split one mountinfo line in place; false if malformed. */
static bool
parse_mountinfo_line (char *line, struct mountinfo_entry *e)
{
  char *fields[6], *save = NULL, *tok;
  line[strcspn (line, "\n")] = '\0';
  for (int i = 0; i < 6; i++)
    if ((fields[i] = strtok_r (i == 0 ? line : NULL, " ", &save)) == NULL)
      return false;
  char *opt_start = save, *sep = strstr (save ? save : "", "- ");
  if (sep == NULL)
    return false;
  /* Optional fields run up to the " - " separator. */
  if (sep > opt_start)
    sep[-1] = '\0';
  e->optional = sep > opt_start ? opt_start : "";
  save = NULL;
  tok = strtok_r (sep + 2, " ", &save);
  e->fstype = tok;
  e->source = tok ? strtok_r (NULL, " ", &save) : NULL;
  e->superopts = e->source ? strtok_r (NULL, " ", &save) : NULL;
  if (e->superopts == NULL)
    return false;
  e->root = fields[3];
  e->mountpoint = fields[4];
  unescape_octal (e->root);
  unescape_octal (e->mountpoint);
  return true;
}

int
mountinfo_foreach (int (*fn) (const struct mountinfo_entry *, void *),
                   void *data, struct werr *err)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/mountinfo", "re");
  if (f == NULL)
    return werr_set (err, errno, "open `/proc/self/mountinfo`");
  _cleanup_free_ char *line = NULL;
  size_t cap = 0;
  while (getline (&line, &cap, f) > 0)
    {
      struct mountinfo_entry e;
      if (!parse_mountinfo_line (line, &e))
        continue;
      int r = fn (&e, data);
      if (r != 0)
        return r;
    }
  return 0;
}

int
remount_bind (const char *path, unsigned long flags, unsigned long cleared)
{
  unsigned long f = (flags & ~MS_REC) | MS_BIND | MS_REMOUNT;
  if (mount (NULL, path, NULL, f, NULL) == 0)
    return 0;
  int saved = errno;
  /* A mount inherited from a more privileged user namespace has its
   * ro/nosuid/nodev/noexec/atime flags locked: keep what is set unless the
   * user asked to clear exactly that, or asked for another atime mode. */
  struct statfs sfs;
  if (statfs (path, &sfs) < 0)
    return -saved;
  unsigned long cur = mount_flags_from_statfs ((unsigned long) sfs.f_flags);
  if (cur & cleared & WARD_MS_LOCKABLE)
    return -saved;
  if ((f & WARD_MS_ATIME) && (f & WARD_MS_ATIME) != (cur & WARD_MS_ATIME))
    return -saved;
  f |= cur & WARD_MS_LOCKABLE;
  if (mount (NULL, path, NULL, f, NULL) == 0)
    return 0;
  return -errno;
}

int
remount_bind_at (int fd, unsigned long flags, unsigned long cleared)
{
  char p[PROCFD_LEN];
  return remount_bind (procfd_path (fd, p), flags, cleared);
}

int
mount_setattr_at (int dfd, const char *path, unsigned flags, uint64_t set,
                  uint64_t clr)
{
  struct ward_mount_attr attr = { .attr_set = set, .attr_clr = clr };
  return sys_mount_setattr (dfd, path, flags, &attr);
}

int
mount_at (struct rootfs_ctx *rc, const char *source, int targetfd,
          const char *dest, const char *type, unsigned long flags,
          const char *data, struct werr *err)
{
  char p[PROCFD_LEN];
  if (mount (source, procfd_path (targetfd, p), type, flags,
             data && *data ? data : NULL)
      < 0)
    return werr_set (err, errno, "mount `%s` on `%s` (%s)",
                     source ? source : type, dest, rc->where);
  return 0;
}

int
mount_finish (struct rootfs_ctx *rc, const char *dest,
              const struct mount_opts *o, bool bind, uint64_t attr_mask,
              struct werr *err)
{
  char p[PROCFD_LEN];
  bool remount
      = bind && ((o->flags & ~(MS_BIND | MS_REC | MS_REMOUNT)) || o->cleared);
  uint64_t set = o->attr_set & attr_mask;
  if (!remount && !set && !o->attr_clr && o->n_propagation == 0)
    return 0;
  /* The fd used to mount still points below the new mount: look the path
   * up again to act on the mount itself. */
  _cleanup_close_ int fd = open_in_root (rc->rootfd, dest, O_PATH, 0, err);
  if (fd < 0)
    return werr_prefix (err, "%s", rc->where);
  if (remount)
    {
      int r = remount_bind_at (fd, o->flags, o->cleared);
      if (r < 0)
        return werr_set (err, -r, "remount `%s` with its options (%s)", dest,
                         rc->where);
    }
  if ((set || o->attr_clr)
      && mount_setattr_at (fd, "", AT_EMPTY_PATH | AT_RECURSIVE, set,
                           o->attr_clr)
             < 0)
    return werr_set (err, errno, "mount_setattr `%s` (recursive options, %s)",
                     dest, rc->where);
  for (size_t k = 0; k < o->n_propagation; k++)
    if (mount (NULL, procfd_path (fd, p), NULL, o->propagation[k], NULL) < 0)
      return werr_set (err, errno, "set propagation of `%s` (%s)", dest,
                       rc->where);
  return 0;
}

/* ---- /proc guard ------------------------------------------------------ */

static const char *const proc_allowed[] = {
  /* Files lxcfs emulates, as runc allows them. */
  "/proc/cpuinfo", "/proc/diskstats",
  "/proc/meminfo", "/proc/stat",
  "/proc/swaps",   "/proc/uptime",
  "/proc/loadavg", "/proc/slabinfo",
  "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
};

/* Where the target really is, relative to the rootfs ("/proc/x"). */
static int
target_rel_path (struct rootfs_ctx *rc, int fd, const char *dest,
                 char real[PATH_MAX], const char **rel, struct werr *err)
{
  char p[PROCFD_LEN];
  ssize_t n = readlink (procfd_path (fd, p), real, PATH_MAX - 1);
  if (n < 0)
    return werr_set (err, errno, "readlink `%s` (%s)", p, rc->where);
  real[n] = '\0';
  size_t rl = strlen (rc->rootfs_real);
  if (strcmp (rc->rootfs_real, "/") == 0)
    *rel = real;
  else if (strncmp (real, rc->rootfs_real, rl) == 0
           && (real[rl] == '/' || real[rl] == '\0'))
    *rel = real[rl] ? real + rl : "/";
  else
    return werr_set (err, EXDEV, "mount target `%s` (%s) resolves to `%s`",
                     dest, rc->where, real);
  return 0;
}

/* Mounts on /proc must be procfs; inside /proc only lxcfs' files. */
static int
proc_dest_allowed (struct rootfs_ctx *rc, const char *rel, const char *dest,
                   const char *type, const char *bind_src, struct werr *err)
{
  if (strcmp (rel, "/proc") == 0)
    {
      struct statfs sfs;
      if (strcmp (type, "proc") == 0)
        return 0;
      if (bind_src && statfs (bind_src, &sfs) == 0
          && sfs.f_type == PROC_SUPER_MAGIC)
        return 0;
      return werr_set (err, 0,
                       "mount on `%s` (%s): only a proc file system can be "
                       "mounted on /proc",
                       dest, rc->where);
    }
  if (strncmp (rel, "/proc/", 6) != 0)
    return 0;
  for (size_t k = 0; k < ARRAY_SIZE (proc_allowed); k++)
    if (strcmp (rel, proc_allowed[k]) == 0)
      return 0;
  return werr_set (err, 0, "mount on `%s` (%s): `%s` is inside /proc", dest,
                   rc->where, rel);
}

/* Checked where the target really is, once resolved (a symlink can lead
 * into /proc). */
static int
check_proc_dest (struct rootfs_ctx *rc, int fd, const char *dest,
                 const char *type, const char *bind_src, struct werr *err)
{
  char real[PATH_MAX];
  const char *rel = NULL;
  if (target_rel_path (rc, fd, dest, real, &rel, err) < 0)
    return -1;
  return proc_dest_allowed (rc, rel, dest, type, bind_src, err);
}

/* ---- idmapped bind mounts --------------------------------------------- */

#define ROOTLESS_IDMAP                                                         \
  "id-mapped mounts need CAP_SYS_ADMIN in the initial user namespace: not "    \
  "available to a rootless container"

static int *idmap_fds; /* indexed like cfg->mounts; -1 when not prepared */
static size_t n_idmap_fds;

static bool
needs_idmap (const struct oci_mount *m, const struct mount_opts *o)
{
  return mount_opts_is_bind (o)
         && (o->idmap || m->n_uid_mappings || m->n_gid_mappings);
}

static int
write_id_map (const char *pid, const char *file, const struct oci_id_mapping *v,
              size_t n, struct werr *err)
{
  _cleanup_free_ char *buf = xmalloc0 (n * 40 + 1);
  size_t len = 0;
  for (size_t k = 0; k < n; k++)
    len += (size_t) sprintf (buf + len, "%u %u %u\n", v[k].container_id,
                             v[k].host_id, v[k].size);
  _cleanup_free_ char *path = xasprintf ("/proc/%s/%s", pid, file);
  return write_file (path, buf, len, err);
}

/* A user namespace fd carrying the mapping: a helper child unshares one,
 * we write its maps, keep /proc/PID/ns/user and let the child go. */
static int
userns_with_maps (const struct oci_id_mapping *u, size_t nu,
                  const struct oci_id_mapping *g, size_t ng, struct werr *err)
{
  int ready[2], hold[2];
  if (pipe2 (ready, O_CLOEXEC) < 0)
    return werr_set (err, errno, "pipe");
  if (pipe2 (hold, O_CLOEXEC) < 0)
    {
      close (ready[0]);
      close (ready[1]);
      return werr_set (err, errno, "pipe");
    }
  pid_t pid = fork ();
  if (pid == 0)
    {
      /* The host pid as the host's /proc sees it: ours may be in a new pid
       * namespace while /proc is still the host's. */
      char msg[32] = "n";
      close (ready[0]);
      close (hold[1]);
      if (unshare (CLONE_NEWUSER) == 0)
        {
          ssize_t n = readlink ("/proc/self", msg + 1, sizeof msg - 2);
          if (n > 0)
            msg[0] = 'y', msg[n + 1] = '\0';
        }
      if (write (ready[1], msg, sizeof msg) < 0)
        _exit (1);
      char c;
      while (read (hold[0], &c, 1) < 0 && errno == EINTR)
        ;
      _exit (0);
    }
  int saved = errno, nsfd = -1;
  close (ready[1]);
  close (hold[0]);
  char msg[32] = "";
  if (pid < 0)
    werr_set (err, saved, "fork");
  else if (read_all (ready[0], msg, sizeof msg) != sizeof msg || msg[0] != 'y')
    werr_set (err, EPERM, "unshare a user namespace for an id-mapped mount");
  else if (write_id_map (msg + 1, "uid_map", u, nu, err) == 0
           && write_id_map (msg + 1, "gid_map", g, ng, err) == 0)
    {
      _cleanup_free_ char *p = xasprintf ("/proc/%s/ns/user", msg + 1);
      nsfd = open (p, O_RDONLY | O_CLOEXEC);
      if (nsfd < 0)
        werr_set (err, errno, "open `%s`", p);
    }
  close (ready[0]);
  close (hold[1]);
  while (pid > 0 && waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
  return nsfd;
}

/* A detached clone of `src` with the mount's id mapping applied. */
static int
idmap_tree (const struct oci_config *cfg, const struct oci_mount *m,
            const struct mount_opts *o, const char *src, struct werr *err)
{
  const struct oci_id_mapping *u = m->uid_mappings, *g = m->gid_mappings;
  size_t nu = m->n_uid_mappings, ng = m->n_gid_mappings;
  /* Without mappings of its own, an idmap mount uses the container's. */
  if (nu == 0 && ng == 0)
    {
      u = cfg->linux_.uid_mappings, nu = cfg->linux_.n_uid_mappings;
      g = cfg->linux_.gid_mappings, ng = cfg->linux_.n_gid_mappings;
    }
  if (nu == 0 || ng == 0)
    return werr_set (err, 0,
                     "id-mapped mount of `%s`: no uidMappings and "
                     "gidMappings",
                     src);
  _cleanup_close_ int userns = userns_with_maps (u, nu, g, ng, err);
  if (userns < 0)
    return -1;
  unsigned tree_flags = OPEN_TREE_CLONE | O_CLOEXEC;
  if (o->flags & MS_REC)
    tree_flags |= AT_RECURSIVE;
  _cleanup_close_ int tree = sys_open_tree (AT_FDCWD, src, tree_flags);
  if (tree < 0)
    return werr_set (err, errno, "open_tree `%s`", src);
  struct ward_mount_attr attr
      = { .attr_set = WARD_MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) userns };
  unsigned at = AT_EMPTY_PATH | (o->ridmap ? AT_RECURSIVE : 0);
  if (sys_mount_setattr (tree, "", at, &attr) < 0)
    return werr_set (err, errno, "mount_setattr MOUNT_ATTR_IDMAP on `%s`", src);
  return take_fd (&tree);
}

static char *
bind_source (const struct ward_ctx *ctx, const struct oci_mount *m)
{
  if (m->source == NULL || m->source[0] == '/' || ctx->bundle == NULL)
    return xstrdup (m->source ? m->source : "");
  return xasprintf ("%s/%s", ctx->bundle, m->source);
}

void
mounts_release_idmap (void)
{
  for (size_t i = 0; i < n_idmap_fds; i++)
    if (idmap_fds[i] >= 0)
      close (idmap_fds[i]);
  free (idmap_fds);
  idmap_fds = NULL;
  n_idmap_fds = 0;
}

int
mounts_prepare_idmap (const struct ward_ctx *ctx, struct werr *err)
{
  const struct oci_config *cfg = ctx->cfg;
  mounts_release_idmap ();
  if (cfg->n_mounts == 0)
    return 0;
  idmap_fds = xmalloc0 (cfg->n_mounts * sizeof *idmap_fds);
  n_idmap_fds = cfg->n_mounts;
  for (size_t i = 0; i < n_idmap_fds; i++)
    idmap_fds[i] = -1;
  for (size_t i = 0; i < cfg->n_mounts; i++)
    {
      struct mount_opts o;
      int r = 0;
      mount_opts_parse (&cfg->mounts[i].options, &o);
      if (needs_idmap (&cfg->mounts[i], &o) && ctx->rootless)
        r = werr_set (err, 0, ROOTLESS_IDMAP);
      else if (needs_idmap (&cfg->mounts[i], &o))
        {
          _cleanup_free_ char *src = bind_source (ctx, &cfg->mounts[i]);
          r = idmap_tree (cfg, &cfg->mounts[i], &o, src, err);
          if (r >= 0)
            idmap_fds[i] = r;
        }
      mount_opts_free (&o);
      if (r < 0)
        {
          mounts_release_idmap ();
          return werr_prefix (err, "mounts[%zu]", i);
        }
    }
  return 0;
}

/* ---- bind mounts ------------------------------------------------------ */

static int
take_prepared_idmap (size_t i)
{
  if (i >= n_idmap_fds || idmap_fds[i] < 0)
    return -1;
  int fd = idmap_fds[i];
  idmap_fds[i] = -1;
  return fd;
}

static int
mount_bind (struct rootfs_ctx *rc, size_t i, const char *dest,
            const struct mount_opts *o, struct werr *err)
{
  const struct oci_mount *m = &rc->cfg->mounts[i];
  _cleanup_free_ char *src = bind_source (rc->ctx, m);
  struct stat st;
  if (stat (src, &st) < 0)
    return werr_set (err, errno, "bind source `%s` (%s)", src, rc->where);
  bool dir = S_ISDIR (st.st_mode);
  _cleanup_close_ int fd
      = mkpath_in_root (rc->rootfd, dest, dir, dir ? 0755 : 0644, err);
  if (fd < 0)
    return werr_prefix (err, "%s", rc->where);
  if (check_proc_dest (rc, fd, dest, "bind", src, err) < 0)
    return -1;
  if (needs_idmap (m, o))
    {
      _cleanup_close_ int tree = take_prepared_idmap (i);
      if (tree < 0 && rc->ctx->rootless)
        return werr_set (err, 0, "%s: " ROOTLESS_IDMAP, rc->where);
      if (tree < 0)
        tree = idmap_tree (rc->cfg, m, o, src, err);
      if (tree < 0)
        return werr_prefix (err, "%s", rc->where);
      if (sys_move_mount (tree, "", fd, "",
                          MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)
          < 0)
        return werr_set (err, errno, "move_mount id-mapped `%s` on `%s` (%s)",
                         src, dest, rc->where);
    }
  else if (mount_at (rc, src, fd, dest, NULL, MS_BIND | (o->flags & MS_REC),
                     NULL, err)
           < 0)
    return -1;
  return mount_finish (rc, dest, o, true, ~(uint64_t) 0, err);
}

/* ---- proc and sysfs --------------------------------------------------- */

/* proc and sysfs go on a plain directory only: never through a symlink in
 * the last component (a past attack routed procfs onto the host). */
static int
open_plain_dir (struct rootfs_ctx *rc, const char *dest, const char *type,
                struct werr *err)
{
  _cleanup_free_ char *parent = xstrdup (dest);
  char *slash = strrchr (parent, '/');
  const char *base = dest + (slash - parent) + 1;
  if (*base == '\0')
    return mkpath_in_root (rc->rootfd, dest, true, 0755, err);
  slash[slash == parent ? 1 : 0] = '\0';
  _cleanup_close_ int pfd
      = mkpath_in_root (rc->rootfd, parent, true, 0755, err);
  if (pfd < 0)
    return werr_prefix (err, "%s", rc->where);
  struct stat st;
  if (fstatat (pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      if (!S_ISDIR (st.st_mode))
        return werr_set (err, 0,
                         "mount `%s` on `%s` (%s): the target must be a "
                         "directory, not a symlink or a file",
                         type, dest, rc->where);
    }
  else if (errno != ENOENT
           || (mkdirat (pfd, base, 0755) < 0 && errno != EEXIST))
    return werr_set (err, errno, "mkdir `%s` (%s)", dest, rc->where);
  int fd = openat (pfd, base, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return werr_set (err, errno, "open `%s` (%s)", dest, rc->where);
  return fd;
}

static int
mount_proc_sysfs (struct rootfs_ctx *rc, size_t i, const char *dest,
                  const struct mount_opts *o, struct werr *err)
{
  const struct oci_mount *m = &rc->cfg->mounts[i];
  char p[PROCFD_LEN];
  _cleanup_close_ int fd = open_plain_dir (rc, dest, m->type, err);
  if (fd < 0)
    return -1;
  const char *src = m->source ? m->source : m->type;
  if (mount (src, procfd_path (fd, p), m->type, o->flags,
             *o->data ? o->data : NULL)
      == 0)
    return mount_finish (rc, dest, o, false, ~(uint64_t) 0, err);
  if (errno != EPERM || strcmp (m->type, "sysfs") != 0 || !rc->in_userns)
    return werr_set (err, errno, "mount `%s` on `%s` (%s)", src, dest,
                     rc->where);
  /* A user namespace that does not own the network namespace cannot mount
   * sysfs: bind the host's /sys instead (as runc and crun do), read-only
   * all the way down when "ro" was asked for. */
  if (mount ("/sys", p, NULL, MS_BIND | MS_REC, NULL) < 0)
    return werr_set (err, errno, "bind `/sys` on `%s` (%s)", dest, rc->where);
  struct mount_opts b = *o;
  b.flags |= MS_BIND | MS_REC;
  if (o->flags & MS_RDONLY)
    b.attr_set |= WARD_MOUNT_ATTR_RDONLY;
  return mount_finish (rc, dest, &b, true, ~(uint64_t) 0, err);
}

/* ---- tmpfs (tmpcopyup) ------------------------------------------------ */

static int copy_tree (int src, int dst, unsigned depth);

static int
copy_attrs (int dirfd, const char *name, const struct stat *st)
{
  struct timespec times[2] = { st->st_atim, st->st_mtim };
  /* Owner first: chown clears the set-id bits chmod restores. */
  if (fchownat (dirfd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
    return -errno;
  if (!S_ISLNK (st->st_mode)
      && fchmodat (dirfd, name, st->st_mode & 07777, 0) < 0)
    return -errno;
  if (utimensat (dirfd, name, times, AT_SYMLINK_NOFOLLOW) < 0)
    return -errno;
  return 0;
}

static int
copy_file (int src, int dst, const char *name)
{
  _cleanup_close_ int in
      = openat (src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0)
    return -errno;
  _cleanup_close_ int out = openat (
      dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0)
    return -errno;
  char buf[65536];
  for (;;)
    {
      ssize_t n = read (in, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -errno;
      if (n == 0)
        return 0;
      ssize_t w = write_all (out, buf, (size_t) n);
      if (w < 0)
        return (int) w;
    }
}

static int
copy_entry (int src, int dst, const char *name, unsigned depth)
{
  struct stat st;
  if (fstatat (src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return -errno;
  int r = 0;
  if (S_ISDIR (st.st_mode))
    {
      if (mkdirat (dst, name, 0700) < 0)
        return -errno;
      _cleanup_close_ int s
          = openat (src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      _cleanup_close_ int d
          = openat (dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (s < 0 || d < 0)
        return -errno;
      r = copy_tree (s, d, depth + 1);
    }
  else if (S_ISREG (st.st_mode))
    r = copy_file (src, dst, name);
  else if (S_ISLNK (st.st_mode))
    {
      char target[PATH_MAX];
      ssize_t n = readlinkat (src, name, target, sizeof target - 1);
      if (n < 0)
        return -errno;
      target[n] = '\0';
      r = symlinkat (target, dst, name) < 0 ? -errno : 0;
    }
  else
    r = mknodat (dst, name, st.st_mode, st.st_rdev) < 0 ? -errno : 0;
  return r < 0 ? r : copy_attrs (dst, name, &st);
}

static int
copy_tree (int src, int dst, unsigned depth)
{
  if (depth > 256)
    return -ELOOP;
  int dfd = openat (src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return -errno;
  DIR *d = fdopendir (dfd);
  if (d == NULL)
    {
      close (dfd);
      return -errno;
    }
  int r = 0;
  struct dirent *e;
  while (r == 0 && (errno = 0, e = readdir (d)) != NULL)
    if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0)
      r = copy_entry (src, dst, e->d_name, depth);
  if (r == 0 && errno != 0)
    r = -errno;
  closedir (d);
  return r;
}

static int
tmpfs_copyup (struct rootfs_ctx *rc, int olddir, const char *dest,
              const struct stat *st, struct werr *err)
{
  _cleanup_close_ int newdir
      = open_in_root (rc->rootfd, dest, O_RDONLY | O_DIRECTORY, 0, err);
  if (newdir < 0)
    return werr_prefix (err, "tmpcopyup (%s)", rc->where);
  int r = copy_tree (olddir, newdir, 0);
  if (r == 0 && fchown (newdir, st->st_uid, st->st_gid) < 0)
    r = -errno;
  if (r < 0)
    return werr_set (err, -r, "tmpcopyup: copy `%s` into its tmpfs (%s)", dest,
                     rc->where);
  return 0;
}

static int
mount_tmpfs (struct rootfs_ctx *rc, size_t i, const char *dest,
             const struct mount_opts *o, struct werr *err)
{
  const struct oci_mount *m = &rc->cfg->mounts[i];
  struct werr ignored;
  struct stat st;
  bool existed = false;
  _cleanup_close_ int fd = open_in_root (rc->rootfd, dest, O_PATH, 0, &ignored);
  if (fd >= 0 && fstat (fd, &st) == 0 && S_ISDIR (st.st_mode))
    existed = true;
  else if (fd >= 0)
    return werr_set (err, ENOTDIR, "mount `tmpfs` on `%s` (%s)", dest,
                     rc->where);
  else if ((fd = mkpath_in_root (rc->rootfd, dest, true, 0755, err)) < 0)
    return werr_prefix (err, "%s", rc->where);
  if (check_proc_dest (rc, fd, dest, "tmpfs", NULL, err) < 0)
    return -1;

  /* The new tmpfs keeps the mode of the directory it covers unless the
   * options say otherwise (a later mode= wins). */
  _cleanup_free_ char *data
      = existed ? xasprintf ("mode=%04o%s%s", st.st_mode & 07777,
                             *o->data ? "," : "", o->data)
                : xstrdup (o->data);
  _cleanup_close_ int olddir = -1;
  if (o->copyup && existed)
    {
      olddir = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (olddir < 0)
        return werr_set (err, errno, "tmpcopyup: open `%s` (%s)", dest,
                         rc->where);
    }
  /* Read-only comes in rootfs_finalize(), once everything below exists. */
  if (mount_at (rc, m->source ? m->source : "tmpfs", fd, dest, "tmpfs",
                o->flags & ~MS_RDONLY, data, err)
      < 0)
    return -1;
  if (olddir >= 0 && tmpfs_copyup (rc, olddir, dest, &st, err) < 0)
    return -1;
  return mount_finish (rc, dest, o, false, ~(uint64_t) WARD_MOUNT_ATTR_RDONLY,
                       err);
}

/* ---- everything else -------------------------------------------------- */

static int
mount_other (struct rootfs_ctx *rc, size_t i, const char *dest,
             const struct mount_opts *o, struct werr *err)
{
  const struct oci_mount *m = &rc->cfg->mounts[i];
  bool is_dev = strcmp (dest, "/dev") == 0;
  _cleanup_close_ int fd = mkpath_in_root (rc->rootfd, dest, true, 0755, err);
  if (fd < 0)
    return werr_prefix (err, "%s", rc->where);
  if (check_proc_dest (rc, fd, dest, m->type, NULL, err) < 0)
    return -1;
  /* /dev gets its nodes later: read-only waits for rootfs_finalize(). */
  unsigned long flags = is_dev ? o->flags & ~MS_RDONLY : o->flags;
  if (mount_at (rc, m->source ? m->source : m->type, fd, dest, m->type, flags,
                o->data, err)
      < 0)
    return -1;
  uint64_t mask = is_dev ? ~(uint64_t) WARD_MOUNT_ATTR_RDONLY : ~(uint64_t) 0;
  return mount_finish (rc, dest, o, false, mask, err);
}

int
mounts_apply (struct rootfs_ctx *rc, size_t i, struct werr *err)
{
  const struct oci_mount *m = &rc->cfg->mounts[i];
  struct mount_opts o;
  mount_opts_parse (&m->options, &o);
  snprintf (rc->where, sizeof rc->where, "mounts[%zu]", i);
  _cleanup_free_ char *dest = path_clean (m->destination);
  const char *type = m->type ? m->type : "";
  int r;
  if (strcmp (type, "bind") == 0)
    o.flags |= MS_BIND;
  /* linux.mountLabel: context= where the file system takes it (NULL when
   * SELinux is off or nothing is to be added). */
  char *labeled = selinux_mount_data (type, mount_opts_is_bind (&o), o.data,
                                      rc->cfg->linux_.mount_label);
  if (labeled)
    {
      free (o.data);
      o.data = labeled;
    }
  /* The path as written is checked before anything is created for it. */
  bool bind_on_proc = mount_opts_is_bind (&o) && strcmp (dest, "/proc") == 0;
  if (strcmp (type, "proc") != 0 && !bind_on_proc
      && proc_dest_allowed (rc, dest, dest, type, NULL, err) < 0)
    r = -1;
  else if (mount_opts_is_bind (&o))
    r = mount_bind (rc, i, dest, &o, err);
  else if (strcmp (type, "proc") == 0 || strcmp (type, "sysfs") == 0)
    r = mount_proc_sysfs (rc, i, dest, &o, err);
  else if (strcmp (type, "tmpfs") == 0)
    r = mount_tmpfs (rc, i, dest, &o, err);
  else if (strcmp (type, "cgroup") == 0)
    r = rc->ctx->cgroup_gate && rc->ctx->cgroup_gate (rc->ctx, err) < 0
            ? -1
            : mount_cgroup (rc, i, dest, &o, err);
  else
    r = mount_other (rc, i, dest, &o, err);
  mount_opts_free (&o);
  return r;
}
