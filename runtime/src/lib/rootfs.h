/* ward — the container's root filesystem, built in the container init.
 *
 * Called in the init process, inside its new mount namespace (and user
 * namespace when there is one), with the host's / still visible.
 */
#ifndef WARD_ROOTFS_H
#define WARD_ROOTFS_H

#include "context.h"
#include "ward/error.h"

/* Check what can be checked before any process exists (mount types and
 * options, destinations absolute, propagation names, device types).  Run in
 * the parent at create so a bad config leaves nothing behind. */
int rootfs_validate (const struct oci_config *cfg, struct werr *err);

/* rootfsPropagation, bind the rootfs onto itself, every config mount (resolved
 * inside the rootfs by fd), /dev (default devices, linux.devices, symlinks,
 * /dev/pts, /dev/ptmx, /dev/shm as configured), then pivot_root (or MS_MOVE +
 * chroot when ctx->no_pivot).  Afterwards cwd is the new "/". */
int rootfs_setup (const struct ward_ctx *ctx, struct werr *err);

/* rootfs_setup() in two steps, for the hooks that run between the mounts
 * and pivot_root (createRuntime in the runtime namespace, createContainer
 * in the container's, cwd = the rootfs): rootfs_setup() is exactly
 * rootfs_mount_all() then rootfs_pivot(). */
int rootfs_mount_all (const struct ward_ctx *ctx, struct werr *err);
int rootfs_pivot (const struct ward_ctx *ctx, struct werr *err);

/* Idmapped bind mounts (options idmap/ridmap, or uidMappings/gidMappings)
 * need CAP_SYS_ADMIN in the initial user namespace.  When the container
 * gets a user namespace, call this before the init enters it, in the
 * process the init is forked from (or in the init itself): it clones and
 * id-maps the sources now, and rootfs_setup() in the init attaches the
 * prepared trees (the fds and this module's state are inherited across
 * fork/clone; they are O_CLOEXEC).  Without a user namespace it is not
 * needed: rootfs_setup() does it itself.  rootfs_release_idmap() closes
 * what is left (call it in the parent once the init has them). */
int rootfs_prepare_idmap (const struct ward_ctx *ctx, struct werr *err);
void rootfs_release_idmap (void);

/* After sysctls are written: readonlyPaths, maskedPaths, and root.readonly.
 * Called after pivot. */
int rootfs_finalize (const struct ward_ctx *ctx, struct werr *err);

#endif
