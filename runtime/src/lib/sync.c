/* ward — messages between the runtime and the set-up stages (see sync.h). */
#include "sync.h"

#include "fdpass.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ward/cleanup.h"

int
sync_send (int sock, enum sync_type type, pid_t pid, int passfd)
{
  struct sync_msg m = { .type = type, .pid = pid };
  return fdpass_send (sock, &m, sizeof m, passfd);
}

void
sync_send_error (int sock, const struct werr *err)
{
  struct sync_msg m = { .type = SYNC_ERROR, .errnum = err->errnum };
  memcpy (m.msg, err->msg, sizeof m.msg);
  m.msg[sizeof m.msg - 1] = '\0';
  fdpass_send (sock, &m, sizeof m, -1);
}

int
sync_recv (int sock, struct sync_msg *m, int *passfd, struct werr *err)
{
  if (passfd)
    *passfd = -1;
  _cleanup_close_ int fd = -1;
  ssize_t r = fdpass_recv (sock, m, sizeof *m, &fd);
  if (r < 0)
    return werr_set (err, (int) -r, "read from the container's set-up");
  if (r == 0)
    {
      werr_set (err, 0, "the container's set-up process died");
      return SYNC_EOF;
    }
  if ((size_t) r != sizeof *m)
    return werr_set (err, EPROTO, "short message from the container's set-up");
  if (passfd)
    *passfd = take_fd (&fd);
  m->msg[sizeof m->msg - 1] = '\0';
  return 0;
}

int
sync_expect (int sock, enum sync_type type, struct sync_msg *m, int *passfd,
             struct werr *err)
{
  if (sync_recv (sock, m, passfd, err) < 0)
    return -1;
  if (m->type == SYNC_ERROR)
    {
      err->errnum = m->errnum;
      memcpy (err->msg, m->msg, sizeof err->msg);
      return -1;
    }
  if (m->type != type)
    return werr_set (
        err, EPROTO,
        "unexpected message %u from the container's set-up (wanted %u)",
        m->type, (unsigned) type);
  return 0;
}
