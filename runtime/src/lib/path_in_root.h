/* ward — resolve paths inside the container's rootfs without escaping it. */
#ifndef WARD_PATH_IN_ROOT_H
#define WARD_PATH_IN_ROOT_H

#include <stdbool.h>
#include <sys/types.h>

#include "ward/error.h"

/* openat2(rootfd, path, RESOLVE_IN_ROOT) with a component-by-component
 * fallback for kernels without openat2.  Symlinks are resolved as if rootfd
 * were "/".  Returns an fd or -1 with err set. */
int open_in_root (int rootfd, const char *path, int flags, mode_t mode,
                  struct werr *err);
/* Create every missing directory of `path` inside the root (like mkdir -p),
 * then open the last component as O_PATH|O_DIRECTORY (is_dir) or create it
 * as an empty file (file target of a bind mount).  Returns an fd. */
int mkpath_in_root (int rootfd, const char *path, bool is_dir, mode_t mode,
                    struct werr *err);

/* Tests only: skip openat2 and always use the component-wise fallback. */
extern bool path_in_root_no_openat2;

/* chdir() to `path` resolved inside the current root ("/") with no magic
 * links: a cwd like /proc/self/fd/N can never land on a host directory
 * through an inherited fd (CVE-2024-21626).  `create`: make it first. */
int chdir_in_root (const char *path, bool create, struct werr *err);

#endif
