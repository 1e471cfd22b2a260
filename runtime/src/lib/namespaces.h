/* ward — which namespaces the container gets, and joining existing ones. */
#ifndef WARD_NAMESPACES_H
#define WARD_NAMESPACES_H

#include <stdbool.h>

#include "ward/error.h"
#include "ward/oci_config.h"

/* Consistency of linux.namespaces with the rest of the config (mappings,
 * hostname, time offsets, rootless), checked before anything is created. */
int namespaces_validate (const struct oci_config *cfg, bool rootless,
                         struct werr *err);
/* CLONE_NEW* flags of the namespaces to create (entries without a path). */
int namespaces_new_flags (const struct oci_config *cfg);
/* CLONE_NEW* flags of every namespace the config lists (new or joined):
 * what an `exec` joins. */
int namespaces_all_flags (const struct oci_config *cfg);
/* setns() into every namespace given by path: the user namespace first,
 * so that the others are joined with its privileges. */
int namespaces_join (const struct oci_config *cfg, struct werr *err);
/* True when the config lists a namespace of this type (new or joined). */
bool namespaces_has (const struct oci_config *cfg, enum oci_ns_type type);

#endif
