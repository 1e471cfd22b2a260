/* ward — a bare linux.resources object, as `update --resources FILE`
 * receives it (runc's update reads the same JSON). */
#ifndef WARD_OCI_RESOURCES_H
#define WARD_OCI_RESOURCES_H

#include <stddef.h>

#include "ward/error.h"
#include "ward/oci_config.h"

/* Parse `data` as a linux.resources object: same rules and error format as
 * config.json's ("resources.json: linux.resources.memory.limit: expected an
 * integer"); `name` prefixes errors. */
int oci_resources_parse_data (const char *data, size_t len, const char *name,
                              struct oci_resources **out, struct werr *err);
void oci_resources_free (struct oci_resources *res);

#endif
