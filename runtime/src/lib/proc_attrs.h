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
                                   const struct oci_linux *l,
                                   struct werr *err);

#endif
