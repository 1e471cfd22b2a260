/* ward — messages between the runtime and the set-up stages (see sync.h). */
#include "sync.h"

#include "fdpass.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } ctl;
  struct iovec iov = { .iov_base = m, .iov_len = sizeof *m };
  struct msghdr mh = { .msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = ctl.buf,
                       .msg_controllen = sizeof ctl.buf };
  if (passfd)
    *passfd = -1;
  ssize_t r;
  do
    r = recvmsg (sock, &mh, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return werr_set (err, errno, "read from the container's set-up");
  if (r == 0)
    {
      werr_set (err, 0, "the container's set-up process died");
      return SYNC_EOF;
    }
  if ((size_t) r != sizeof *m)
    return werr_set (err, EPROTO, "short message from the container's set-up");
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&mh); c; c = CMSG_NXTHDR (&mh, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      {
        int fd;
        memcpy (&fd, CMSG_DATA (c), sizeof fd);
        if (passfd)
          *passfd = fd;
        else
          close (fd);
      }
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
