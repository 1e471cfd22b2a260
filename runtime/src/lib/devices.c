/* ward — device nodes and /dev links in the container.
 *
 * As runc: the six default nodes plus linux.devices are created unless
 * /dev is a bind mount; mknod as real root, a bind mount of the host's
 * node in a user namespace (or when mknod is refused); /dev/ptmx points to
 * the devpts instance at /dev/pts.  The caller sets umask 0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "devices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "path_in_root.h"
#include "utils.h"
#include "ward/cleanup.h"

struct dev_node
{
  const char *path;
  char type; /* c, b, u, p */
  int64_t major, minor;
  mode_t mode;
  uid_t uid;
  gid_t gid;
};

static const struct
{
  const char *path;
  int major, minor;
} default_devices[] = {
  { "/dev/null", 1, 3 }, { "/dev/random", 1, 8 }, { "/dev/full", 1, 7 },
  { "/dev/tty", 5, 0 },  { "/dev/zero", 1, 5 },   { "/dev/urandom", 1, 9 },
};

bool
devices_needed (const struct oci_config *cfg)
{
  for (size_t i = 0; i < cfg->n_mounts; i++)
    {
      const struct oci_mount *m = &cfg->mounts[i];
      struct mount_opts o;
      mount_opts_parse (&m->options, &o);
      bool bind = mount_opts_is_bind (&o)
                  || (m->type && strcmp (m->type, "bind") == 0);
      mount_opts_free (&o);
      _cleanup_free_ char *dest = path_clean (m->destination);
      if (bind && strcmp (dest, "/dev") == 0)
        return false;
    }
  return true;
}

/* Containers in a user namespace cannot mknod: the host's node is bound
 * onto an empty file instead. */
static int
bind_node (struct rootfs_ctx *rc, const struct dev_node *d, const char *path,
           struct werr *err)
{
  char p[PROCFD_LEN];
  _cleanup_close_ int fd = mkpath_in_root (rc->rootfd, path, false, 0666, err);
  if (fd < 0)
    return werr_prefix (err, "%s", rc->where);
  if (mount (d->path, procfd_path (fd, p), NULL, MS_BIND, NULL) < 0)
    return werr_set (err, errno, "bind device `%s` on `%s` (%s)", d->path, path,
                     rc->where);
  return 0;
}

static int
create_node (struct rootfs_ctx *rc, const struct dev_node *d, bool bind,
             struct werr *err)
{
  _cleanup_free_ char *path = path_clean (d->path);
  if (bind && d->type != 'p')
    return bind_node (rc, d, path, err);
  _cleanup_free_ char *parent = xstrdup (path);
  char *slash = strrchr (parent, '/');
  const char *base = path + (slash - parent) + 1;
  slash[slash == parent ? 1 : 0] = '\0';
  _cleanup_close_ int pfd
      = mkpath_in_root (rc->rootfd, parent, true, 0755, err);
  if (pfd < 0)
    return werr_prefix (err, "%s", rc->where);

  mode_t fmt = d->type == 'p' ? S_IFIFO : d->type == 'b' ? S_IFBLK : S_IFCHR;
  dev_t dev
      = d->type == 'p' ? 0 : makedev ((unsigned) d->major, (unsigned) d->minor);
  if (mknodat (pfd, base, fmt | (d->mode & 07777), dev) < 0)
    {
      if (errno == EEXIST)
        return 0;
      if (errno == EPERM && d->type != 'p')
        return bind_node (rc, d, path, err);
      return werr_set (err, errno, "mknod `%s` (%s)", path, rc->where);
    }
  if (fchmodat (pfd, base, d->mode & 07777, 0) < 0
      || fchownat (pfd, base, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
    return werr_set (err, errno, "chmod/chown `%s` (%s)", path, rc->where);
  return 0;
}

static bool
configured (const struct oci_linux *l, const char *path)
{
  for (size_t i = 0; i < l->n_devices; i++)
    if (l->devices[i].path && strcmp (l->devices[i].path, path) == 0)
      return true;
  return false;
}

static bool
is_ptmx (const char *path)
{
  _cleanup_free_ char *c = path_clean (path);
  return strcmp (c, "/dev/ptmx") == 0;
}

static int
create_nodes (struct rootfs_ctx *rc, struct werr *err)
{
  const struct oci_linux *l = &rc->cfg->linux_;
  bool bind = rc->in_userns;
  for (size_t i = 0; i < ARRAY_SIZE (default_devices); i++)
    {
      if (configured (l, default_devices[i].path))
        continue;
      struct dev_node d = { default_devices[i].path,
                            'c',
                            default_devices[i].major,
                            default_devices[i].minor,
                            0666,
                            0,
                            0 };
      snprintf (rc->where, sizeof rc->where, "default device");
      if (create_node (rc, &d, bind, err) < 0)
        return -1;
    }
  for (size_t i = 0; i < l->n_devices; i++)
    {
      const struct oci_device *c = &l->devices[i];
      /* /dev/ptmx is the devpts one, set up below. */
      if (c->path == NULL || is_ptmx (c->path))
        continue;
      struct dev_node d = { c->path,
                            c->type,
                            c->major,
                            c->minor,
                            c->has_file_mode ? c->file_mode & 07777 : 0666,
                            c->has_uid ? c->uid : 0,
                            c->has_gid ? c->gid : 0 };
      snprintf (rc->where, sizeof rc->where, "linux.devices[%zu]", i);
      if (d.type != 'p' && (d.major < 0 || d.minor < 0))
        return werr_set (err, EINVAL, "device `%s` (%s): no major/minor",
                         c->path, rc->where);
      if (create_node (rc, &d, bind, err) < 0)
        return -1;
    }
  return 0;
}

static int
dev_links (struct rootfs_ctx *rc, int devfd, struct werr *err)
{
  static const char *const links[][2] = {
    { "/proc/self/fd", "fd" },       { "/proc/self/fd/0", "stdin" },
    { "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
    { "/proc/kcore", "core" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (links); i++)
    {
      /* Only when the kernel has /proc/kcore (CONFIG_PROC_KCORE). */
      if (strcmp (links[i][1], "core") == 0 && access ("/proc/kcore", F_OK))
        continue;
      if (symlinkat (links[i][0], devfd, links[i][1]) < 0 && errno != EEXIST)
        return werr_set (err, errno, "symlink `/dev/%s` -> `%s`", links[i][1],
                         links[i][0]);
    }
  if (unlinkat (devfd, "ptmx", 0) < 0 && errno != ENOENT)
    return werr_set (err, errno, "remove `/dev/ptmx`");
  if (symlinkat ("pts/ptmx", devfd, "ptmx") < 0)
    return werr_set (err, errno, "symlink `/dev/ptmx` -> `pts/ptmx`");
  return 0;
}

int
devices_setup (struct rootfs_ctx *rc, struct werr *err)
{
  if (create_nodes (rc, err) < 0)
    return -1;
  _cleanup_close_ int devfd
      = mkpath_in_root (rc->rootfd, "/dev", true, 0755, err);
  if (devfd < 0 || dev_links (rc, devfd, err) < 0)
    return -1;
  /* The mount target for the console's pty slave. */
  if (rc->cfg->has_process && rc->cfg->process.terminal)
    {
      _cleanup_close_ int fd
          = mkpath_in_root (rc->rootfd, "/dev/console", false, 0600, err);
      if (fd < 0)
        return werr_prefix (err, "/dev/console");
    }
  return 0;
}

int
devices_reopen_null (struct werr *err)
{
  _cleanup_close_ int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0)
    return werr_set (err, errno, "open `/dev/null` in the container");
  struct stat ns, st;
  if (fstat (null, &ns) < 0)
    return werr_set (err, errno, "fstat `/dev/null`");
  for (int fd = 0; fd < 3; fd++)
    {
      if (fstat (fd, &st) < 0 || !S_ISCHR (st.st_mode)
          || st.st_rdev != ns.st_rdev)
        continue;
      /* stdio on the host's /dev/null becomes the container's own. */
      if (dup3 (null, fd, 0) < 0)
        return werr_set (err, errno, "dup3 /dev/null onto fd %d", fd);
    }
  return 0;
}
