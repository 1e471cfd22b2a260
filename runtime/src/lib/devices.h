/* ward — device nodes and /dev links in the container (private to
 * rootfs.c and devices.c). */
#ifndef WARD_DEVICES_H
#define WARD_DEVICES_H

#include <stdbool.h>

#include "mounts.h"

/* False when the config bind-mounts /dev from elsewhere: then /dev is
 * left alone, as runc does. */
bool devices_needed (const struct oci_config *cfg);

/* Default nodes (null, zero, full, random, urandom, tty), linux.devices,
 * /dev/ptmx -> pts/ptmx, the fd/stdin/stdout/stderr/core links, and an
 * empty /dev/console for a terminal.  Before pivot_root. */
int devices_setup (struct rootfs_ctx *rc, struct werr *err);

/* After pivot_root: stdio fds that are the host's /dev/null are replaced
 * by the container's. */
int devices_reopen_null (struct werr *err);

#endif
