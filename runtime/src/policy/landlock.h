/* ward — the init-side pieces of the plan: Landlock (landlock.c) and the
 * aliases of denied paths (fs_alias.c). */
#ifndef WARD_POLICY_LANDLOCK_H
#define WARD_POLICY_LANDLOCK_H

#include "plan.h"

/* Build the Landlock domain of the plan (filesystem rules with carving,
 * TCP connect rules, scoping) and restrict this process to it.  `extra`
 * are more denied paths (bind-mount aliases), inside the container. */
int policy_landlock_apply (const struct policy_plan *plan, char *const *extra,
                           size_t n_extra, struct werr *err);

/* Other names a denied path has through the container's mounts: a bind
 * mount of the same filesystem that shows the denied object (or a part of
 * it) somewhere else.  Reads /proc/self/mountinfo after the masks are in
 * place; *out is a malloc'd vector of paths inside the container. */
int policy_denied_aliases (const struct policy_plan *plan, char ***out,
                           size_t *n, struct werr *err);

/* Mask denied paths (resolved inside the container): an empty read-only
 * tmpfs over a directory, an empty read-only file over anything else. */
int policy_mask_denied (char *const *paths, size_t n, struct werr *err);

#endif
