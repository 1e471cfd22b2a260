/* ward — linux.sysctl.  sysctl_apply() is declared in proc_attrs.h. */
#ifndef WARD_SYSCTL_H
#define WARD_SYSCTL_H

#include "ward/error.h"
#include "ward/oci_config.h"

/* As runc: only namespaced sysctls, and only when the config gives the
 * container the namespace that holds them (ipc for kernel.msg*, kernel.sem,
 * kernel.shm*, fs.mqueue.*; a network namespace other than ours for net.*;
 * uts for kernel.domainname).  Keys may use "." or "/" as separator. */
int sysctl_validate (const struct oci_config *cfg, struct werr *err);

#endif
