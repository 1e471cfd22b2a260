/* ward — the runtime's side of SCMP_ACT_NOTIFY: the listener fd the init
 * (or an exec'd process) loaded goes to linux.seccomp.listenerPath with the
 * container process state, as the runtime-spec says: one AF_UNIX
 * SOCK_STREAM connection per fd, the state as JSON in the payload, the fd
 * in SCM_RIGHTS (named "seccompFd" in `fds`), then the connection closes. */
#ifndef WARD_SECCOMP_NOTIFY_H
#define WARD_SECCOMP_NOTIFY_H

#include <sys/types.h>

#include "context.h"
#include "state.h"
#include "ward/error.h"
#include "ward/oci_config.h"

struct seccomp_notify_state
{
  const char *id;
  const char *status;  /* "creating" for the init, "running" for exec */
  pid_t container_pid; /* state.pid: the init, as the runtime sees it */
  pid_t process_pid;   /* pid: the process that loaded the filter */
  const char *bundle;
  const struct oci_kvv *annotations;
};

/* The container process state JSON (a new string). */
char *seccomp_notify_state_json (const struct oci_seccomp *s,
                                 const struct seccomp_notify_state *st);

/* Send `fd` and the state to s->listener_path.  The caller keeps `fd`. */
int seccomp_notify_send (const struct oci_seccomp *s, int fd,
                         const struct seccomp_notify_state *st,
                         struct werr *err);

/* For `create`: the init's filter, state "creating". */
int seccomp_notify_send_init (const struct ward_ctx *ctx, pid_t init_pid,
                              int fd, struct werr *err);

/* For `exec`: the process `pid` loaded the container's filter; the state is
 * the container's (`status` as `state` reports it). */
int seccomp_notify_send_exec (const struct oci_seccomp *s,
                              const struct ward_state *st, const char *status,
                              pid_t pid, int fd, struct werr *err);

#endif
