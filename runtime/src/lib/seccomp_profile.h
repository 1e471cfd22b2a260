/* ward — linux.seccomp: the profile checked in the parent and compiled and
 * loaded in the init.  (Not named seccomp.h: that is libseccomp's header.) */
#ifndef WARD_SECCOMP_PROFILE_H
#define WARD_SECCOMP_PROFILE_H

#include "ward/error.h"
#include "ward/oci_config.h"

#include <stdbool.h>

/* Action, architecture, flag and operator names, argument indexes, errnoRet
 * only on ERRNO/TRACE, NOTIFY rules (need listenerPath; never on sendmsg,
 * which hands the listener fd over).  Unknown syscall names are accepted:
 * they may be newer than libseccomp, and runc skips them too. */
int seccomp_profile_validate (const struct oci_seccomp *s, struct werr *err);

/* True when a rule uses SCMP_ACT_NOTIFY: loading gives a listener fd. */
bool seccomp_profile_uses_notify (const struct oci_seccomp *s);

/* Compile with libseccomp and load with seccomp(2).  When the default
 * action is not an "allow" one, syscalls numbered above the highest one the
 * profile names fail with ENOSYS instead (runc does the same), so that libc
 * falls back from syscalls newer than the profile.  Does not set
 * no_new_privs: without it the caller needs CAP_SYS_ADMIN. */
int seccomp_profile_install (const struct oci_seccomp *s, struct werr *err);

/* The same, for profiles with SCMP_ACT_NOTIFY rules too: *listener_fd gets
 * the notification fd (close-on-exec), or -1 when no rule notifies. */
int seccomp_profile_install_listener (const struct oci_seccomp *s,
                                      int *listener_fd, struct werr *err);

#endif
