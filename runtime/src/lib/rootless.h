/* ward — is this a rootless run?  Two questions, as runc asks them. */
#ifndef WARD_ROOTLESS_H
#define WARD_ROOTLESS_H

#include <stdbool.h>

/* We run inside a user namespace that is not the initial one (uid_map is
 * not the identity over the whole range): podman's rootless mode, for one. */
bool running_in_userns (void);
/* Whether cgroups must be treated as rootless (skipped unless delegated):
 * `flag` is --rootless (true|false|auto or NULL); auto means euid != 0, or
 * uid 0 inside a user namespace that an unprivileged user made. */
bool rootless_cgroups (const char *flag);
/* The default --root: /run/ward for real root, $XDG_RUNTIME_DIR/ward for
 * rootless runs that have it (runc's rule), else /tmp/ward-<euid>. */
const char *rootless_default_root (void);

#endif
