/* ward — switching the container process to its configured user. */
#ifndef WARD_USER_H
#define WARD_USER_H

#include "ward/error.h"
#include "ward/oci_config.h"

/* Additional gids, gid, uid (real, effective and saved), then the umask
 * (0022 when process.user.umask is absent, as runc). */
int user_switch (const struct oci_user *u, struct werr *err);

#endif
