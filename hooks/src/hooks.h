/* ward — running OCI hooks (config.json `hooks`). */
#ifndef WARD_HOOKS_H
#define WARD_HOOKS_H

#include <stdbool.h>
#include <stddef.h>

#include "ward/error.h"
#include "ward/oci_config.h"

/* Run each hook of a stage in order, the container state JSON on its stdin.
 * A hook that exits non-zero, dies or exceeds its timeout stops the list and
 * returns -1 with err naming the stage, the hook and its output. */
int hooks_run (const char *stage, const struct oci_hook_list *hooks,
               const char *state_json, struct werr *err);

#endif
