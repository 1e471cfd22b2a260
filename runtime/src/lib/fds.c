/* ward — file descriptors the container inherits (see fds.h). */
#include "fds.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

int
fds_reserve_preserved (int n, struct werr *err)
{
  for (int fd = 3; fd < 3 + n; fd++)
    {
      if (fcntl (fd, F_GETFD) >= 0 || errno != EBADF)
        continue;
      int nul = open ("/dev/null", O_RDWR | O_CLOEXEC);
      if (nul < 0)
        return werr_set (err, errno, "open `/dev/null`");
      if (nul != fd)
        {
          if (dup3 (nul, fd, O_CLOEXEC) < 0)
            return werr_set (err, errno, "dup3");
          close (nul);
        }
    }
  return 0;
}

int
fds_move_above (int fd, int n, struct werr *err)
{
  if (fd < 0 || fd >= 3 + n)
    return fd;
  int moved = fcntl (fd, F_DUPFD_CLOEXEC, 3 + n);
  if (moved < 0)
    return werr_set (err, errno, "fcntl F_DUPFD_CLOEXEC");
  close (fd);
  return moved;
}

static int
cloexec_from_slow (int first)
{
  DIR *d = opendir ("/proc/self/fd");
  if (d == NULL)
    return -errno;
  struct dirent *de;
  while ((de = readdir (d)))
    {
      int fd = atoi (de->d_name);
      if (fd >= first && fd != dirfd (d))
        fcntl (fd, F_SETFD, FD_CLOEXEC);
    }
  closedir (d);
  return 0;
}

int
fds_prepare_exec (int n, struct werr *err)
{
  for (int fd = 3; fd < 3 + n; fd++)
    if (fcntl (fd, F_SETFD, 0) < 0 && errno != EBADF)
      return werr_set (err, errno, "preserve fd %d", fd);
  /* Everything else is closed by execve, whichever code opened it. */
  return fds_cloexec_from (3 + n, err);
}

int
fds_cloexec_from (int first, struct werr *err)
{
  if (syscall (SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    {
      int r = cloexec_from_slow (first);
      if (r < 0)
        return werr_set (err, -r, "mark fds close-on-exec");
    }
  return 0;
}
