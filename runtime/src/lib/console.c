/* ward — the container's terminal (see console.h). */
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "utils.h"
#include "ward/cleanup.h"

static int
bind_dev_console (const char *slave_path, struct werr *err)
{
  struct stat st;
  if (stat ("/dev/console", &st) < 0)
    {
      if (errno != ENOENT)
        return werr_set (err, errno, "stat `/dev/console`");
      int fd = open ("/dev/console", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
      if (fd < 0)
        return werr_set (err, errno, "create `/dev/console`");
      close (fd);
    }
  /* /dev/console must be the container's own pty, never the host's. */
  if (mount (slave_path, "/dev/console", NULL, MS_BIND, NULL) < 0)
    return werr_set (err, errno, "bind `%s` on `/dev/console`", slave_path);
  return 0;
}

int
console_setup_in_container (const struct oci_process *p, bool bind_console,
                            struct werr *err)
{
  /* The pty comes from the container's own devpts (via /dev/ptmx), so its
   * number and permissions belong to the container. */
  _cleanup_close_ int master
      = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return werr_set (err, errno, "terminal: open `/dev/ptmx`");
  char slave_path[64];
  if (unlockpt (master) < 0
      || ptsname_r (master, slave_path, sizeof slave_path) != 0)
    return werr_set (err, errno, "terminal: unlockpt/ptsname");
  _cleanup_close_ int slave = open (slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return werr_set (err, errno, "terminal: open `%s`", slave_path);
  if (p->has_console_size)
    {
      struct winsize ws = { .ws_row = (unsigned short) p->console_height,
                            .ws_col = (unsigned short) p->console_width };
      ioctl (slave, TIOCSWINSZ, &ws);
    }
  if (bind_console && bind_dev_console (slave_path, err) < 0)
    return -1;
  if (setsid () < 0)
    return werr_set (err, errno, "terminal: setsid");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return werr_set (err, errno, "terminal: TIOCSCTTY");
  for (int fd = 0; fd < 3; fd++)
    if (dup2 (slave, fd) < 0)
      return werr_set (err, errno, "terminal: dup2");
  return take_fd (&master);
}

struct console_proxy
{
  int master;
  bool stdin_open;
  bool raw;
  struct termios saved;
};

struct console_proxy *
console_proxy_new (int master)
{
  struct console_proxy *cp = xmalloc0 (sizeof *cp);
  cp->master = master;
  cp->stdin_open = true;
  if (isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &cp->saved) == 0)
    {
      struct termios raw = cp->saved;
      cfmakeraw (&raw);
      if (tcsetattr (STDIN_FILENO, TCSANOW, &raw) == 0)
        cp->raw = true;
    }
  console_proxy_resize (cp);
  return cp;
}

int
console_proxy_pollfds (struct console_proxy *cp, struct pollfd *pfds)
{
  int n = 0;
  pfds[n++] = (struct pollfd){ .fd = cp->master, .events = POLLIN };
  if (cp->stdin_open)
    pfds[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
  return n;
}

static bool
copy_once (int from, int to)
{
  char buf[8192];
  ssize_t r = read (from, buf, sizeof buf);
  if (r <= 0)
    return r < 0 && (errno == EINTR || errno == EAGAIN);
  return write_all (to, buf, (size_t) r) >= 0;
}

void
console_proxy_handle (struct console_proxy *cp, const struct pollfd *pfds,
                      int n)
{
  for (int i = 0; i < n; i++)
    {
      if (!pfds[i].revents)
        continue;
      if (pfds[i].fd == cp->master)
        copy_once (cp->master, STDOUT_FILENO);
      else if (!copy_once (STDIN_FILENO, cp->master))
        cp->stdin_open = false;
    }
}

void
console_proxy_drain (struct console_proxy *cp)
{
  int fl = fcntl (cp->master, F_GETFL);
  fcntl (cp->master, F_SETFL, fl | O_NONBLOCK);
  char buf[8192];
  ssize_t r;
  while ((r = read (cp->master, buf, sizeof buf)) > 0)
    write_all (STDOUT_FILENO, buf, (size_t) r);
}

void
console_proxy_resize (struct console_proxy *cp)
{
  struct winsize ws;
  if (ioctl (STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
    ioctl (cp->master, TIOCSWINSZ, &ws);
}

void
console_proxy_free (struct console_proxy *cp)
{
  if (cp == NULL)
    return;
  if (cp->raw)
    tcsetattr (STDIN_FILENO, TCSANOW, &cp->saved);
  close (cp->master);
  free (cp);
}
