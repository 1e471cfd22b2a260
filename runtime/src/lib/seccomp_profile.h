/* ward — linux.seccomp: the profile checked in the parent and compiled and
 * loaded in the init.  (Not named seccomp.h: that is libseccomp's header.) */
#ifndef WARD_SECCOMP_PROFILE_H
#define WARD_SECCOMP_PROFILE_H

#include "ward/error.h"
#include "ward/oci_config.h"

/* Action, architecture, flag and operator names, argument indexes; NOTIFY
 * rules (not supported yet).  Unknown syscall names are accepted: they may
 * be newer than libseccomp, and runc skips them too. */
int seccomp_profile_validate (const struct oci_seccomp *s, struct werr *err);

/* Compile with libseccomp and load with seccomp(2).  When the default
 * action is not an "allow" one, syscalls numbered above the highest one the
 * profile names fail with ENOSYS instead (runc does the same), so that libc
 * falls back from syscalls newer than the profile.  Does not set
 * no_new_privs: without it the caller needs CAP_SYS_ADMIN. */
int seccomp_profile_install (const struct oci_seccomp *s, struct werr *err);

#endif
