/* ward — process attributes applied in the container init: rlimits,
 * oom_score_adj, personality, I/O priority, scheduler, sysctl, credentials
 * (user, groups, capabilities), no_new_privileges and seccomp. */
#ifndef WARD_PROC_ATTRS_H
#define WARD_PROC_ATTRS_H

#include <stdbool.h>

#include "context.h"
#include "ward/error.h"

/* Parent side, before anything is created: unknown capability, rlimit,
 * seccomp action/arch/op/syscall names, bad scheduler/ioprio values, and
 * config fields this runtime cannot honour (intelRdt, memoryPolicy: "not
 * supported") — each an error naming the field. */
int proc_attrs_validate (const struct oci_config *cfg, struct werr *err);

/* In the init before the rootfs is built: rlimits, oom_score_adj,
 * personality, ioPriority, scheduler. */
int proc_attrs_apply_early (const struct oci_process *p,
                            const struct oci_linux *l, struct werr *err);

/* In the init after pivot_root: linux.sysctl via /proc/sys. */
int sysctl_apply (const struct oci_kvv *sysctl, struct werr *err);

/* The last steps before exec, in the right order: bounding set, user
 * (additional gids, gid, uid, umask) keeping capabilities across the switch,
 * effective/permitted/inheritable/ambient sets, no_new_privileges, seccomp
 * (before dropping CAP_SYS_ADMIN when no_new_privileges is off). */
int credentials_and_seccomp_apply (const struct oci_process *p,
                                   const struct oci_linux *l, struct werr *err);

/* The same, for a process that can reach the runtime: with SCMP_ACT_NOTIFY
 * rules the listener fd goes up `sync_sock` (SYNC_SECCOMP_FD) and this waits
 * for SYNC_GO, sent once the runtime handed it to listenerPath.  Also sets
 * the SELinux exec label and the AppArmor profile (both take effect at
 * execve).  credentials_and_seccomp_apply() is this with sync_sock -1, which
 * fails for a NOTIFY profile. */
int credentials_and_seccomp_apply_sync (const struct oci_process *p,
                                        const struct oci_linux *l,
                                        int sync_sock, struct werr *err);

/* `exec` flags checked in the runtime before anything starts: --cap names,
 * --apparmor and --process-label against what the host has.  NULL/0 for
 * flags not given. */
int proc_attrs_validate_exec_flags (const char *const *caps, int ncaps,
                                    const char *apparmor, const char *label,
                                    struct werr *err);

#endif
