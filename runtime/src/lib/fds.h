/* ward — file descriptors the container inherits: stdio and the preserved
 * ones (--preserve-fds, LISTEN_FDS), nothing else. */
#ifndef WARD_FDS_H
#define WARD_FDS_H

#include "ward/error.h"

/* Occupy empty slots of [3, 3+n) with /dev/null so that no fd the set-up
 * opens later lands in the range the container inherits. */
int fds_reserve_preserved (int n, struct werr *err);
/* Move `fd` out of [0, 3+n) if it is inside; returns the (new) fd. */
int fds_move_above (int fd, int n, struct werr *err);
/* Every fd >= first gets close-on-exec: fds the caller left open, beyond
 * the ones to pass on, reach neither hooks nor the container. */
int fds_cloexec_from (int first, struct werr *err);
/* Right before exec: fds 3..3+n-1 lose CLOEXEC, every other fd >= 3 gets it
 * (CVE-2024-21626: no host fd may reach the container). */
int fds_prepare_exec (int n, struct werr *err);

#endif
