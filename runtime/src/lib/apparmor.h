/* ward — AppArmor: process.apparmorProfile (and `exec --apparmor`).
 *
 * Applied as runc does, by writing "exec PROFILE" to the process's
 * apparmor/exec attribute: the profile takes effect at execve.  Where
 * AppArmor is not enabled runc fails in the container's init ("apparmor
 * failed to apply profile: write /proc/self/attr/exec: invalid argument");
 * ward refuses such a config at create instead, before anything exists —
 * except for the profile "unconfined", which asks for nothing and is
 * accepted (what podman asks for on such hosts). */
#ifndef WARD_APPARMOR_H
#define WARD_APPARMOR_H

#include <stdbool.h>

#include "ward/error.h"

/* /sys/kernel/security/apparmor exists and
 * /sys/module/apparmor/parameters/enabled says Y (runc's test). */
bool apparmor_host_enabled (void);

/* Parent side: `field` names the setting in messages, e.g.
 * "config.json: process.apparmorProfile" or "exec: --apparmor". */
int apparmor_validate (const char *profile, const char *field,
                       struct werr *err);

/* In the init (and exec), before exec: NULL/"" does nothing. */
int apparmor_set_exec_profile (const char *profile, struct werr *err);

#endif
