/* ward — the config's mounts inside the rootfs (private to rootfs.c,
 * mounts.c and devices.c). */
#ifndef WARD_MOUNTS_H
#define WARD_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "mount_options.h"
#include "ward/error.h"

struct rootfs_ctx
{
  const struct ward_ctx *ctx;
  const struct oci_config *cfg;
  int rootfd;        /* O_PATH fd of the rootfs, after the bind onto itself */
  char *rootfs_real; /* canonical host path of the rootfs */
  bool in_userns;    /* not in the initial user namespace: no mknod, locks */
  bool cgroupns;     /* the container has its own cgroup namespace */
  char where[48];    /* "mounts[4]": the config entry errors refer to */
};

/* Mount config.json mounts[i] inside the rootfs. */
int mounts_apply (struct rootfs_ctx *rc, size_t i, struct werr *err);

/* Clone and id-map the sources of idmap mounts while still privileged in
 * the initial user namespace (see rootfs_prepare_idmap in rootfs.h). */
int mounts_prepare_idmap (const struct ward_ctx *ctx, struct werr *err);
void mounts_release_idmap (void);

/* "/proc/self/fd/N": the path that makes mount(2) act on exactly that fd. */
#define PROCFD_LEN 32
const char *procfd_path (int fd, char buf[PROCFD_LEN]);

/* Lexically clean an absolute container path ("a/../b//c" -> "/b/c");
 * ".." at the root stays at the root.  Caller frees. */
char *path_clean (const char *path);

/* MS_BIND|MS_REMOUNT the mount at `path` with `flags`; when the kernel
 * refuses (flags locked by a user namespace), retry keeping the mount's
 * lockable flags, as runc does.  -errno on failure. */
int remount_bind (const char *path, unsigned long flags, unsigned long cleared);
/* The same for the mount an fd points at. */
int remount_bind_at (int fd, unsigned long flags, unsigned long cleared);

/* mount_setattr(2); -1 with errno on failure. */
int mount_setattr_at (int dfd, const char *path, unsigned flags, uint64_t set,
                      uint64_t clr);

/* One /proc/self/mountinfo line. */
struct mountinfo_entry
{
  char *root;       /* root of the mount within its file system */
  char *mountpoint; /* unescaped */
  char *optional;   /* "shared:1 master:2", "" if none */
  char *fstype;
  char *source;
  char *superopts;
};

/* Call `fn` for each line; stops when fn returns non-zero and returns it. */
int mountinfo_foreach (int (*fn) (const struct mountinfo_entry *, void *),
                       void *data, struct werr *err);

/* mounts_cgroup.c: the "cgroup" mount type (v1 layout on v1 and hybrid
 * hosts, cgroup2 on unified ones). */
int mount_cgroup (struct rootfs_ctx *rc, size_t i, const char *dest,
                  const struct mount_opts *o, struct werr *err);

/* Shared by mounts.c and mounts_cgroup.c: the mount step common to every
 * type (mount at fd, then remount flags, recursive attributes and
 * propagation on the new mount, found again by path). */
int mount_at (struct rootfs_ctx *rc, const char *source, int targetfd,
              const char *dest, const char *type, unsigned long flags,
              const char *data, struct werr *err);
int mount_finish (struct rootfs_ctx *rc, const char *dest,
                  const struct mount_opts *o, bool bind, uint64_t attr_mask,
                  struct werr *err);

#endif
