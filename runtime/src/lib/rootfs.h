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

/* After sysctls are written: readonlyPaths, maskedPaths, and root.readonly.
 * Called after pivot. */
int rootfs_finalize (const struct ward_ctx *ctx, struct werr *err);

#endif
