/* ward — Linux capabilities of the container process (libcap names,
 * bounding set, capset, ambient set).  Private to the proc_attrs group. */
#ifndef WARD_CAPS_H
#define WARD_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "ward/error.h"
#include "ward/oci_config.h"

/* One bit per capability number (CAP_CHOWN is bit 0). */
struct caps_sets
{
  uint64_t bounding, effective, inheritable, permitted, ambient;
};

/* The highest capability number the running kernel knows. */
int caps_last_cap (void);

/* Resolve a name such as "CAP_NET_ADMIN"; -1 when libcap does not know it. */
int caps_from_name (const char *name);

/* Resolve process.capabilities into bit sets.  A process without a
 * capabilities object gets empty sets (as runc).  Unknown names and
 * capabilities newer than the running kernel are errors naming the field:
 * `config.json: process.capabilities.bounding: unknown capability "CAP_FOO"`.
 */
int caps_from_config (const struct oci_process *p, struct caps_sets *out,
                      struct werr *err);

/* Remove every capability not in `keep` from the bounding set. */
int caps_drop_bounding (uint64_t keep, struct werr *err);

/* PR_SET_KEEPCAPS on or off. */
int caps_keep_across_setuid (bool on, struct werr *err);

/* Set effective, permitted and inheritable, then the ambient set. */
int caps_apply_sets (const struct caps_sets *c, struct werr *err);

#endif
