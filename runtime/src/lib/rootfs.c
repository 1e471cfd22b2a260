/* ward — the container's root filesystem, built in the container init.
 *
 * The order is runc's (libcontainer/rootfs_linux.go): "/" becomes rslave
 * (or linux.rootfsPropagation) so nothing we mount reaches the host, the
 * rootfs is bound onto itself so it is a mount point for pivot_root, the
 * config's mounts follow in order, then /dev, then pivot_root(".", ".")
 * and a lazy unmount of the old root.  Read-only and masking happen in
 * rootfs_finalize(), once sysctls are written.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "rootfs.h"

#include "path_in_root.h"
#include "rootless.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "devices.h"
#include "log.h"
#include "mounts.h"
#include "utils.h"
#include "ward/cleanup.h"

static bool
config_has_mount_ns (const struct oci_config *cfg)
{
  for (size_t i = 0; i < cfg->linux_.n_namespaces; i++)
    if (cfg->linux_.namespaces[i].type == OCI_NS_MOUNT)
      return true;
  return false;
}

static bool
has_mount_ns (const struct ward_ctx *ctx)
{
  return ctx->new_mntns || config_has_mount_ns (ctx->cfg);
}

/* ---- validation ------------------------------------------------------- */

static int
validate_idmap (const struct oci_config *cfg, size_t i,
                const struct mount_opts *o, bool bind, struct werr *err)
{
  const struct oci_mount *m = &cfg->mounts[i];
  if (!o->idmap && m->n_uid_mappings == 0 && m->n_gid_mappings == 0)
    return 0;
  if (!bind)
    return werr_set (err, 0,
                     "config.json: mounts[%zu]: idmap and "
                     "uidMappings/gidMappings need a bind mount",
                     i);
  if ((m->n_uid_mappings == 0) != (m->n_gid_mappings == 0))
    return werr_set (err, 0,
                     "config.json: mounts[%zu]: uidMappings and "
                     "gidMappings must be given together",
                     i);
  if (m->n_uid_mappings == 0
      && (cfg->linux_.n_uid_mappings == 0 || cfg->linux_.n_gid_mappings == 0))
    return werr_set (err, 0,
                     "config.json: mounts[%zu].options: idmap without "
                     "uidMappings/gidMappings uses linux.uidMappings and "
                     "linux.gidMappings, which are not set",
                     i);
  for (size_t k = 0; k < m->n_uid_mappings; k++)
    if (m->uid_mappings[k].size == 0)
      return werr_set (err, 0,
                       "config.json: mounts[%zu].uidMappings[%zu]."
                       "size: must be > 0",
                       i, k);
  for (size_t k = 0; k < m->n_gid_mappings; k++)
    if (m->gid_mappings[k].size == 0)
      return werr_set (err, 0,
                       "config.json: mounts[%zu].gidMappings[%zu]."
                       "size: must be > 0",
                       i, k);
  return 0;
}

static int
validate_mount (const struct oci_config *cfg, size_t i, struct werr *err)
{
  const struct oci_mount *m = &cfg->mounts[i];
  if (m->destination == NULL || m->destination[0] == '\0')
    return werr_set (err, 0, "config.json: mounts[%zu].destination: required",
                     i);
  /* runtime-spec 1.1 allows it on Linux; runc warns and uses it from "/". */
  if (m->destination[0] != '/')
    log_warn ("config.json: mounts[%zu].destination `%s` is relative: taken "
              "from the container's /",
              i, m->destination);
  for (size_t k = 0; k < m->options.n; k++)
    if (m->options.v[k] == NULL || m->options.v[k][0] == '\0')
      return werr_set (err, 0,
                       "config.json: mounts[%zu].options[%zu]: empty "
                       "mount option",
                       i, k);
  struct mount_opts o;
  mount_opts_parse (&m->options, &o);
  bool bind
      = mount_opts_is_bind (&o) || (m->type && strcmp (m->type, "bind") == 0);
  int r = validate_idmap (cfg, i, &o, bind, err);
  mount_opts_free (&o);
  if (r < 0)
    return r;
  if (!bind && (m->type == NULL || m->type[0] == '\0'))
    return werr_set (err, 0,
                     "config.json: mounts[%zu].type: required for a "
                     "mount that is not a bind mount",
                     i);
  if (bind && (m->source == NULL || m->source[0] == '\0'))
    return werr_set (err, 0,
                     "config.json: mounts[%zu].source: required for "
                     "a bind mount",
                     i);
  return 0;
}

static int
validate_devices (const struct oci_linux *l, struct werr *err)
{
  for (size_t i = 0; i < l->n_devices; i++)
    {
      const struct oci_device *d = &l->devices[i];
      if (d->path == NULL || d->path[0] != '/')
        return werr_set (err, 0,
                         "config.json: linux.devices[%zu].path: "
                         "must be an absolute path",
                         i);
      if (d->type == '\0' || strchr ("cbup", d->type) == NULL)
        return werr_set (err, 0,
                         "config.json: linux.devices[%zu].type: "
                         "invalid device type \"%c\" (want c, b, u "
                         "or p)",
                         i, d->type ? d->type : '?');
      if (d->type != 'p' && (d->major < 0 || d->minor < 0))
        return werr_set (err, 0,
                         "config.json: linux.devices[%zu]: major and "
                         "minor are required for type \"%c\"",
                         i, d->type);
    }
  return 0;
}

/* Without a mount namespace every mount would land in the host's: refuse
 * what needs one (runc refuses masked/readonly paths; it would mount the
 * rest onto the host, which ward does not do). */
static int
validate_no_mount_ns (const struct oci_config *cfg, struct werr *err)
{
  if (config_has_mount_ns (cfg))
    return 0;
  if (cfg->n_mounts > 0)
    return werr_set (err, 0,
                     "config.json: mounts: need a mount namespace "
                     "(linux.namespaces has no \"mount\")");
  if (cfg->linux_.masked_paths.n > 0 || cfg->linux_.readonly_paths.n > 0)
    return werr_set (err, 0,
                     "config.json: linux.maskedPaths/readonlyPaths: "
                     "unable to restrict sys entries without a "
                     "private MNT namespace");
  if (cfg->root.readonly)
    return werr_set (err, 0,
                     "config.json: root.readonly: needs a mount "
                     "namespace");
  return 0;
}

int
rootfs_validate (const struct oci_config *cfg, struct werr *err)
{
  for (size_t i = 0; i < cfg->n_mounts; i++)
    if (validate_mount (cfg, i, err) < 0)
      return -1;
  unsigned long prop;
  const char *p = cfg->linux_.rootfs_propagation;
  if (p && *p && !mount_propagation_from_name (p, &prop))
    return werr_set (err, 0,
                     "config.json: linux.rootfsPropagation: unknown "
                     "value \"%s\" (want [r]shared, [r]slave, "
                     "[r]private or [r]unbindable)",
                     p);
  if (validate_devices (&cfg->linux_, err) < 0)
    return -1;
  return validate_no_mount_ns (cfg, err);
}

/* ---- before pivot_root ------------------------------------------------ */

struct parent_mount
{
  const char *path;
  char *best;
  bool shared;
};

static int
find_parent_mount (const struct mountinfo_entry *e, void *data)
{
  struct parent_mount *pm = data;
  size_t n = strlen (e->mountpoint);
  bool prefix = strcmp (e->mountpoint, "/") == 0
                || (strncmp (pm->path, e->mountpoint, n) == 0
                    && (pm->path[n] == '/' || pm->path[n] == '\0'));
  if (prefix && (pm->best == NULL || n >= strlen (pm->best)))
    {
      free (pm->best);
      pm->best = xstrdup (e->mountpoint);
      pm->shared = strstr (e->optional, "shared:") != NULL;
    }
  return 0;
}

/* pivot_root refuses a new root whose parent mount is shared, and our
 * bind of the rootfs would propagate to the host through it. */
static int
make_parent_private (const char *rootfs, struct werr *err)
{
  struct parent_mount pm = { .path = rootfs };
  if (mountinfo_foreach (find_parent_mount, &pm, err) < 0)
    return -1;
  int r = 0;
  if (pm.best && pm.shared && mount (NULL, pm.best, NULL, MS_PRIVATE, NULL))
    r = werr_set (err, errno, "make `%s` private (parent of the rootfs)",
                  pm.best);
  free (pm.best);
  return r;
}

static int
prepare_root (const struct ward_ctx *ctx, const char *real, struct werr *err)
{
  unsigned long prop = MS_SLAVE | MS_REC;
  const char *name = ctx->cfg->linux_.rootfs_propagation;
  if (name && *name && !mount_propagation_from_name (name, &prop))
    return werr_set (err, 0, "linux.rootfsPropagation: unknown value `%s`",
                     name);
  if (ctx->no_pivot && (prop & MS_PRIVATE))
    return werr_set (err, 0,
                     "linux.rootfsPropagation: [r]private is not "
                     "safe without pivot_root (--no-pivot)");
  /* An unbindable tree cannot give us the rootfs bind below: private until
   * the pivot, then unbindable (rootfs_pivot). */
  if (prop & MS_UNBINDABLE)
    prop = MS_PRIVATE | (prop & MS_REC);
  /* Slave by default: host mounts still reach us, ours never the host. */
  if (mount (NULL, "/", NULL, prop, NULL) < 0)
    return werr_set (err, errno, "set the propagation of `/` (%s)",
                     name && *name ? name : "rslave");
  if (make_parent_private (real, err) < 0)
    return -1;
  /* pivot_root needs the new root to be a mount point of its own. */
  if (mount (ctx->rootfs, ctx->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return werr_set (err, errno, "bind the rootfs `%s` onto itself",
                     ctx->rootfs);
  return 0;
}

static int
mount_everything (struct rootfs_ctx *rc, struct werr *err)
{
  for (size_t i = 0; i < rc->cfg->n_mounts; i++)
    if (mounts_apply (rc, i, err) < 0)
      return -1;
  if (devices_needed (rc->cfg) && devices_setup (rc, err) < 0)
    return -1;
  return 0;
}

int
rootfs_mount_all (const struct ward_ctx *ctx, struct werr *err)
{
  if (has_mount_ns (ctx))
    {
      char real[PATH_MAX];
      if (realpath (ctx->rootfs, real) == NULL)
        return werr_set (err, errno, "rootfs `%s`", ctx->rootfs);
      if (prepare_root (ctx, real, err) < 0)
        return -1;
      struct rootfs_ctx rc = {
        .ctx = ctx,
        .cfg = ctx->cfg,
        .rootfs_real = real,
        .in_userns = ctx->new_userns || running_in_userns (),
        .cgroupns = ctx->new_cgroupns,
      };
      for (size_t i = 0; i < ctx->cfg->linux_.n_namespaces; i++)
        if (ctx->cfg->linux_.namespaces[i].type == OCI_NS_CGROUP)
          rc.cgroupns = true;
      rc.rootfd = open (ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (rc.rootfd < 0)
        return werr_set (err, errno, "open the rootfs `%s`", ctx->rootfs);
      /* Modes in the config and runc's defaults are meant literally. */
      mode_t old = umask (0);
      int r = mount_everything (&rc, err);
      umask (old);
      close (rc.rootfd);
      mounts_release_idmap ();
      if (r < 0)
        return -1;
    }
  /* Hooks between here and rootfs_pivot() run in the rootfs. */
  if (chdir (ctx->rootfs) < 0)
    return werr_set (err, errno, "chdir `%s`", ctx->rootfs);
  return 0;
}

/* ---- pivot_root ------------------------------------------------------- */

/* pivot_root(".", "."): the old root ends up stacked under the new one at
 * "/", reachable through an fd, and is detached from there. */
static int
pivot (const char *rootfs, struct werr *err)
{
  _cleanup_close_ int oldroot = open ("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (oldroot < 0)
    return werr_set (err, errno, "open `/`");
  _cleanup_close_ int newroot
      = open (rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (newroot < 0)
    return werr_set (err, errno, "open the rootfs `%s`", rootfs);
  if (fchdir (newroot) < 0)
    return werr_set (err, errno, "fchdir to the rootfs `%s`", rootfs);
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return werr_set (err, errno, "pivot_root to `%s`", rootfs);
  if (fchdir (oldroot) < 0)
    return werr_set (err, errno, "fchdir to the old root");
  /* rslave, not rprivate: the host may still hold references to these
   * mounts; our unmount must not propagate back to it. */
  if (mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return werr_set (err, errno, "make the old root rslave");
  if (umount2 (".", MNT_DETACH) < 0)
    return werr_set (err, errno, "unmount the old root");
  if (chdir ("/") < 0)
    return werr_set (err, errno, "chdir `/` in the container");
  return 0;
}

struct host_pseudo_fs
{
  const char *rootfs;
  char **v;
  size_t n;
};

static int
collect_pseudo_fs (const struct mountinfo_entry *e, void *data)
{
  struct host_pseudo_fs *h = data;
  size_t rl = strlen (h->rootfs);
  if (strcmp (e->root, "/") != 0
      || (strcmp (e->fstype, "proc") != 0 && strcmp (e->fstype, "sysfs") != 0)
      || (strncmp (e->mountpoint, h->rootfs, rl) == 0
          && (e->mountpoint[rl] == '/' || e->mountpoint[rl] == '\0')))
    return 0;
  h->v = realloc (h->v, (h->n + 1) * sizeof *h->v);
  if (h->v == NULL)
    abort ();
  h->v[h->n++] = xstrdup (e->mountpoint);
  return 0;
}

/* With chroot the host's full procfs/sysfs stay in the mount namespace,
 * and their presence lets the container mount new ones: hide them first
 * (unmount, or cover with a tmpfs where we may not unmount), as runc. */
static int
hide_host_pseudo_fs (const char *rootfs, struct werr *err)
{
  struct host_pseudo_fs h = { .rootfs = rootfs };
  int r = mountinfo_foreach (collect_pseudo_fs, &h, err);
  for (size_t i = 0; i < h.n; i++)
    {
      const char *p = h.v[i];
      if (r < 0)
        ;
      else if (mount (NULL, p, NULL, MS_SLAVE | MS_REC, NULL) < 0)
        {
          if (errno != ENOENT)
            r = werr_set (err, errno, "make `%s` rslave", p);
        }
      else if (umount2 (p, MNT_DETACH) < 0
               && ((errno != EINVAL && errno != EPERM)
                   || mount ("tmpfs", p, "tmpfs", 0, NULL) < 0))
        r = werr_set (err, errno, "hide the host's `%s`", p);
      free (h.v[i]);
    }
  free (h.v);
  return r;
}

static int
move_root (const char *rootfs, struct werr *err)
{
  char real[PATH_MAX];
  if (realpath (rootfs, real) == NULL)
    return werr_set (err, errno, "rootfs `%s`", rootfs);
  if (hide_host_pseudo_fs (real, err) < 0)
    return -1;
  if (mount (rootfs, "/", NULL, MS_MOVE, NULL) < 0)
    return werr_set (err, errno, "move the rootfs `%s` onto `/`", rootfs);
  if (chroot (".") < 0)
    return werr_set (err, errno, "chroot to `%s`", rootfs);
  if (chdir ("/") < 0)
    return werr_set (err, errno, "chdir `/` in the container");
  return 0;
}

static int
jail (const struct ward_ctx *ctx, struct werr *err)
{
  if (chdir (ctx->rootfs) < 0)
    return werr_set (err, errno, "chdir `%s`", ctx->rootfs);
  if (!has_mount_ns (ctx))
    {
      if (chroot (".") < 0)
        return werr_set (err, errno, "chroot to `%s`", ctx->rootfs);
      if (chdir ("/") < 0)
        return werr_set (err, errno, "chdir `/` in the container");
      return 0;
    }
  if (ctx->no_pivot)
    return move_root (ctx->rootfs, err);
  return pivot (ctx->rootfs, err);
}

/* Shared and unbindable only make sense on the new root itself: the bind
 * onto itself and pivot_root need a private parent first (runc does the
 * same since 1.2.7/1.3). */
static int
root_propagation_after_pivot (const struct ward_ctx *ctx, struct werr *err)
{
  unsigned long prop;
  const char *name = ctx->cfg->linux_.rootfs_propagation;
  if (name == NULL || !mount_propagation_from_name (name, &prop)
      || !(prop & (MS_SHARED | MS_UNBINDABLE)))
    return 0;
  if (mount (NULL, "/", NULL, prop, NULL) < 0)
    return werr_set (err, errno, "make the container's `/` %s", name);
  return 0;
}

int
rootfs_pivot (const struct ward_ctx *ctx, struct werr *err)
{
  const struct oci_config *cfg = ctx->cfg;
  if (jail (ctx, err) < 0)
    return -1;
  if (has_mount_ns (ctx) && root_propagation_after_pivot (ctx, err) < 0)
    return -1;
  if (has_mount_ns (ctx) && devices_needed (cfg)
      && devices_reopen_null (err) < 0)
    return -1;
  /* process.cwd may not exist in the image; create it as runc does, inside
   * the new root only. */
  if (cfg->has_process && cfg->process.cwd && cfg->process.cwd[0] == '/'
      && chdir_in_root (cfg->process.cwd, true, err) < 0)
    return werr_prefix (err, "process.cwd");
  if (chdir ("/") < 0)
    return werr_set (err, errno, "chdir `/`");
  return 0;
}

int
rootfs_setup (const struct ward_ctx *ctx, struct werr *err)
{
  if (rootfs_mount_all (ctx, err) < 0)
    return -1;
  return rootfs_pivot (ctx, err);
}

int
rootfs_prepare_idmap (const struct ward_ctx *ctx, struct werr *err)
{
  return mounts_prepare_idmap (ctx, err);
}

void
rootfs_release_idmap (void)
{
  mounts_release_idmap ();
}

/* ---- after sysctls ---------------------------------------------------- */

static int
remount_readonly (const char *dest, unsigned long flags, size_t i,
                  struct werr *err)
{
  flags |= MS_REMOUNT | MS_BIND | MS_RDONLY;
  for (int attempt = 0;; attempt++)
    {
      if (mount (NULL, dest, NULL, flags, NULL) == 0)
        return 0;
      /* A process may still hold a file open for writing: retry a bit. */
      if (errno != EBUSY || attempt == 4)
        return werr_set (err, errno, "remount `%s` read-only (mounts[%zu])",
                         dest, i);
      usleep (100 * 1000);
    }
}

/* tmpfs and /dev were mounted read-write so their content could be made;
 * now they get the read-only they asked for. */
static int
readonly_mounts (const struct oci_config *cfg, struct werr *err)
{
  int r = 0;
  for (size_t i = 0; r == 0 && i < cfg->n_mounts; i++)
    {
      const struct oci_mount *m = &cfg->mounts[i];
      struct mount_opts o;
      mount_opts_parse (&m->options, &o);
      _cleanup_free_ char *dest = path_clean (m->destination);
      bool tmpfs = !mount_opts_is_bind (&o) && m->type
                   && strcmp (m->type, "tmpfs") == 0;
      if (tmpfs || strcmp (dest, "/dev") == 0)
        {
          if (o.flags & MS_RDONLY)
            r = remount_readonly (dest, o.flags, i, err);
          if (r == 0 && (o.attr_set & WARD_MOUNT_ATTR_RDONLY)
              && mount_setattr_at (AT_FDCWD, dest, AT_RECURSIVE,
                                   WARD_MOUNT_ATTR_RDONLY, 0)
                     < 0)
            r = werr_set (err, errno, "mount_setattr `%s` rro (mounts[%zu])",
                          dest, i);
        }
      mount_opts_free (&o);
    }
  return r;
}

static int
readonly_path (const char *path, size_t i, struct werr *err)
{
  if (mount (path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
    {
      if (errno == ENOENT)
        return 0;
      return werr_set (err, errno,
                       "bind `%s` onto itself "
                       "(linux.readonlyPaths[%zu])",
                       path, i);
    }
  struct statfs sfs;
  if (statfs (path, &sfs) < 0)
    return werr_set (err, errno, "statfs `%s`", path);
  unsigned long keep = mount_flags_from_statfs ((unsigned long) sfs.f_flags)
                       & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
  int r = remount_bind (path, keep | MS_RDONLY, 0);
  if (r < 0)
    return werr_set (err, -r,
                     "remount `%s` read-only "
                     "(linux.readonlyPaths[%zu])",
                     path, i);
  return 0;
}

/* A file is covered by /dev/null, a directory by an empty read-only tmpfs;
 * a path that does not exist needs no mask. */
static int
mask_path (const char *path, size_t i, struct werr *err)
{
  struct stat st;
  if (stat (path, &st) < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        return 0;
      return werr_set (err, errno, "stat `%s` (linux.maskedPaths[%zu])", path,
                       i);
    }
  int r = S_ISDIR (st.st_mode) ? mount ("tmpfs", path, "tmpfs", MS_RDONLY, NULL)
                               : mount ("/dev/null", path, NULL, MS_BIND, NULL);
  if (r < 0)
    return werr_set (err, errno, "mask `%s` (linux.maskedPaths[%zu])", path, i);
  return 0;
}

int
rootfs_finalize (const struct ward_ctx *ctx, struct werr *err)
{
  const struct oci_config *cfg = ctx->cfg;
  if (!has_mount_ns (ctx))
    return 0;
  if (readonly_mounts (cfg, err) < 0)
    return -1;
  for (size_t i = 0; i < cfg->linux_.readonly_paths.n; i++)
    if (readonly_path (cfg->linux_.readonly_paths.v[i], i, err) < 0)
      return -1;
  for (size_t i = 0; i < cfg->linux_.masked_paths.n; i++)
    if (mask_path (cfg->linux_.masked_paths.v[i], i, err) < 0)
      return -1;
  if (cfg->root.readonly)
    {
      int r = remount_bind ("/", MS_RDONLY, 0);
      if (r < 0)
        return werr_set (err, -r, "remount `/` read-only (root.readonly)");
    }
  return 0;
}
