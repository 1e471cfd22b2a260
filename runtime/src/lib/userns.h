/* ward — uid/gid mappings of a new user namespace. */
#ifndef WARD_USERNS_H
#define WARD_USERNS_H

#include <stdbool.h>
#include <sys/types.h>

#include "ward/error.h"
#include "ward/oci_config.h"

/* Write linux.uidMappings / gidMappings for the process `pid`, which has just
 * unshared its user namespace: directly as root; rootless, directly for a
 * single mapping of our own ids (after denying setgroups), else through
 * newuidmap/newgidmap (shadow's setuid helpers honour /etc/subuid). */
int userns_write_maps (pid_t pid, const struct oci_linux *l, bool rootless,
                       struct werr *err);

#endif
