/* ward — process.rlimits. */
#ifndef WARD_RLIMITS_H
#define WARD_RLIMITS_H

#include "ward/error.h"
#include "ward/oci_config.h"

/* Every entry names a known resource, once, with soft <= hard. */
int rlimits_validate (const struct oci_process *p, struct werr *err);

/* setrlimit(2) for every entry, in order. */
int rlimits_apply (const struct oci_process *p, struct werr *err);

#endif
