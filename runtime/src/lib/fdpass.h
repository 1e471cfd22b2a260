/* ward — passing file descriptors over unix sockets (SCM_RIGHTS). */
#ifndef WARD_FDPASS_H
#define WARD_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

#include "ward/error.h"

/* sendmsg() of `len` bytes with `fd` attached when >= 0.  -errno on error. */
int fdpass_send (int sock, const void *buf, size_t len, int fd);
/* recvmsg() of up to `len` bytes; *fd is the one fd sent along (close-on-
 * exec), or -1.  Bytes read, 0 at end of stream, -errno on error. */
ssize_t fdpass_recv (int sock, void *buf, size_t len, int *fd);
/* Connect to the unix socket at `path` and send `fd` with `payload` as the
 * message (runc's protocol for --console-socket and --pidfd-socket).
 * `what` names the flag in errors. */
int fdpass_send_to_path (const char *path, int fd, const char *payload,
                         const char *what, struct werr *err);

#endif
