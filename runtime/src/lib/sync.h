/* ward — the messages exchanged between the runtime and the container's
 * set-up stages over a SOCK_SEQPACKET socketpair.
 *
 *   stage1 → parent  SYNC_USERMAP          "write my uid/gid maps"
 *   parent → stage1  SYNC_GO               cgroup joined / maps written
 *   stage1 → parent  SYNC_INIT_PID         the container init's pid
 *   init   → parent  SYNC_CONSOLE (+fd)    the pty master
 *   parent → init    SYNC_CGROUP           the init is in its cgroup now
 *   init   → parent  SYNC_HOOKS            run prestart/createRuntime hooks
 *   parent → init    SYNC_GO (pid)         done; pid = the init's host pid
 *   init   → parent  SYNC_READY            waiting for `start`
 *   any    → parent  SYNC_ERROR            one line: what failed, then exit
 *   init/exec → parent SYNC_SECCOMP_FD (+fd) the seccomp listener fd; the
 *                                          parent answers SYNC_GO once it
 *                                          has sent it to listenerPath
 */
#ifndef WARD_SYNC_H
#define WARD_SYNC_H

#include <stdint.h>
#include <sys/types.h>

#include "ward/error.h"

enum sync_type
{
  SYNC_USERMAP = 1,
  SYNC_GO,
  SYNC_INIT_PID,
  SYNC_CONSOLE,
  SYNC_READY,
  SYNC_ERROR,
  SYNC_HOOKS,
  SYNC_SECCOMP_FD,
  SYNC_CGROUP,
};

struct sync_msg
{
  uint32_t type;
  int32_t pid;
  int32_t errnum;
  char msg[WERR_MSG_MAX];
};

/* Send a message, with `passfd` attached (SCM_RIGHTS) when >= 0. */
int sync_send (int sock, enum sync_type type, pid_t pid, int passfd);
/* Report a failure of a set-up stage to the parent. */
void sync_send_error (int sock, const struct werr *err);
/* Receive one message; *passfd gets an attached fd or -1.  Returns 0, -1
 * with err set, or SYNC_EOF (also with err set) when every peer closed its
 * end: died, or exec'd (the socket is close-on-exec). */
#define SYNC_EOF (-2)
int sync_recv (int sock, struct sync_msg *m, int *passfd, struct werr *err);
/* Receive and require a given type; an SYNC_ERROR becomes err. */
int sync_expect (int sock, enum sync_type type, struct sync_msg *m, int *passfd,
                 struct werr *err);

#endif
