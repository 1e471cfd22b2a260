/* ward — foreground `run`: wait for the container, forward signals, proxy
 * the terminal. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console.h"
#include "container.h"
#include "ward/cleanup.h"

static int
exit_code_of (int status)
{
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return 1;
}

/* Reap children; returns true once `pid` has exited (status in *status). */
static bool
reap (pid_t pid, int *status)
{
  bool done = false;
  int st;
  pid_t r;
  while ((r = waitpid (-1, &st, WNOHANG)) > 0)
    if (r == pid)
      {
        *status = exit_code_of (st);
        done = true;
      }
  return done;
}

int
container_wait (pid_t pid, int console_master, int *status, struct werr *err)
{
  sigset_t all;
  sigfillset (&all);
  sigdelset (&all, SIGSEGV);
  sigdelset (&all, SIGBUS);
  sigdelset (&all, SIGILL);
  sigdelset (&all, SIGFPE);
  sigprocmask (SIG_BLOCK, &all, NULL);
  _cleanup_close_ int sfd = signalfd (-1, &all, SFD_CLOEXEC);
  if (sfd < 0)
    return werr_set (err, errno, "signalfd");
  struct console_proxy *cp
      = console_master >= 0 ? console_proxy_new (console_master) : NULL;
  bool done = reap (pid, status);
  while (!done)
    {
      struct pollfd pfds[3] = { { .fd = sfd, .events = POLLIN } };
      int n = 1 + (cp ? console_proxy_pollfds (cp, pfds + 1) : 0);
      if (poll (pfds, (nfds_t) n, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          werr_set (err, errno, "poll");
          break;
        }
      if (cp)
        console_proxy_handle (cp, pfds + 1, n - 1);
      if (!(pfds[0].revents & POLLIN))
        continue;
      struct signalfd_siginfo si;
      if (read (sfd, &si, sizeof si) != sizeof si)
        continue;
      if (si.ssi_signo == SIGCHLD)
        done = reap (pid, status);
      else if (si.ssi_signo == SIGWINCH && cp)
        console_proxy_resize (cp);
      else
        /* The user's signal is meant for the container, not for us. */
        kill (pid, (int) si.ssi_signo);
    }
  if (cp)
    {
      console_proxy_drain (cp);
      console_proxy_free (cp);
    }
  sigprocmask (SIG_UNBLOCK, &all, NULL);
  return done ? 0 : -1;
}
