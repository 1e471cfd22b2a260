/* ward — where in the lifecycle each OCI hook stage runs, and with what. */
#ifndef WARD_LIFECYCLE_HOOKS_H
#define WARD_LIFECYCLE_HOOKS_H

#include <stdbool.h>
#include <sys/types.h>

#include "ward/error.h"
#include "ward/oci_config.h"

/* The state JSON a hook reads on stdin; caller frees. */
char *hooks_state_json (const char *id, const char *status, pid_t pid,
                        const char *bundle, const struct oci_kvv *annotations);
bool hooks_any (const struct oci_config *cfg);
/* prestart + createRuntime (in the runtime, before pivot_root). */
int hooks_create_runtime (const struct oci_config *cfg, const char *id,
                          const char *bundle, pid_t pid, struct werr *err);
#endif
