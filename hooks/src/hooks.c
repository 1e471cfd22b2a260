/* ward — running OCI hooks (see hooks.h). */
#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "utils.h"
#include "ward/cleanup.h"

#define HOOK_OUTPUT_MAX 2048

struct hook_run
{
  pid_t pid;
  int pidfd;
  int out; /* the hook's stdout+stderr */
  char output[HOOK_OUTPUT_MAX];
  size_t used;
};

static __attribute__ ((noreturn)) void
hook_child (const struct oci_hook *h, int in, int out)
{
  if (dup2 (in, STDIN_FILENO) < 0 || dup2 (out, STDOUT_FILENO) < 0
      || dup2 (out, STDERR_FILENO) < 0)
    _exit (127);
  char *fallback[] = { h->path, NULL };
  char *noenv[] = { NULL };
  execve (h->path, h->args.n ? h->args.v : fallback,
          h->env.n ? h->env.v : noenv);
  dprintf (STDERR_FILENO, "exec: %s", strerror (errno));
  _exit (127);
}

static int
hook_start (const struct oci_hook *h, const char *state, struct hook_run *run,
            struct werr *err)
{
  int in[2], out[2];
  if (pipe2 (in, O_CLOEXEC) < 0)
    return werr_set (err, errno, "pipe");
  if (pipe2 (out, O_CLOEXEC) < 0)
    {
      close (in[0]);
      close (in[1]);
      return werr_set (err, errno, "pipe");
    }
  run->pid = fork ();
  if (run->pid == 0)
    hook_child (h, in[0], out[1]);
  int saved = errno;
  close (in[0]);
  close (out[1]);
  run->out = out[0];
  if (run->pid < 0)
    {
      close (in[1]);
      return werr_set (err, saved, "fork");
    }
  run->pidfd = (int) syscall (SYS_pidfd_open, run->pid, 0);
  /* The state is small: it fits the pipe buffer, so this cannot block on a
   * hook that does not read it. */
  signal (SIGPIPE, SIG_IGN);
  write_all (in[1], state, strlen (state));
  close (in[1]);
  return 0;
}

static long
ms_left (const struct timespec *deadline)
{
  struct timespec now;
  clock_gettime (CLOCK_MONOTONIC, &now);
  return (deadline->tv_sec - now.tv_sec) * 1000
         + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

static void
collect_output (struct hook_run *run, bool *open_)
{
  char buf[512];
  ssize_t r = read (run->out, buf, sizeof buf);
  if (r <= 0)
    {
      *open_ = r < 0 && errno == EINTR;
      return;
    }
  size_t room = sizeof run->output - 1 - run->used;
  size_t n = (size_t) r < room ? (size_t) r : room;
  memcpy (run->output + run->used, buf, n);
  run->used += n;
}

/* Collect output until the hook exits; false when its timeout expired. */
static bool
hook_wait (const struct oci_hook *h, struct hook_run *run, int *status)
{
  struct timespec deadline;
  clock_gettime (CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += h->has_timeout ? h->timeout : 0;
  bool out_open = true;
  for (;;)
    {
      struct pollfd p[2]
          = { { .fd = run->pidfd, .events = POLLIN },
              { .fd = out_open ? run->out : -1, .events = POLLIN } };
      long left = h->has_timeout ? ms_left (&deadline) : -1;
      if (h->has_timeout && left <= 0)
        break;
      if (poll (p, 2, (int) left) < 0 && errno != EINTR)
        break;
      if (p[1].revents)
        collect_output (run, &out_open);
      if (p[0].revents & POLLIN)
        {
          /* Exited: take what output is already there, without waiting for
           * descendants that may hold the pipe open. */
          fcntl (run->out, F_SETFL, O_NONBLOCK);
          while (out_open)
            collect_output (run, &out_open);
          return waitpid (run->pid, status, 0) == run->pid;
        }
    }
  kill (run->pid, SIGKILL);
  waitpid (run->pid, status, 0);
  return false;
}

static void
trim_output (char *s)
{
  size_t n = strlen (s);
  while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
    s[--n] = '\0';
  for (char *p = s; *p; p++)
    if (*p == '\n')
      *p = ' ';
}

int
hooks_run (const char *stage, const struct oci_hook_list *hooks,
           const char *state_json, struct werr *err)
{
  for (size_t i = 0; i < hooks->n; i++)
    {
      const struct oci_hook *h = &hooks->v[i];
      struct hook_run run = { .pid = -1, .pidfd = -1, .out = -1 };
      if (hook_start (h, state_json, &run, err) < 0)
        return werr_prefix (err, "%s hook #%zu `%s`", stage, i, h->path);
      int status = 0;
      bool finished = hook_wait (h, &run, &status);
      close (run.out);
      if (run.pidfd >= 0)
        close (run.pidfd);
      run.output[run.used] = '\0';
      trim_output (run.output);
      if (!finished)
        return werr_set (err, ETIMEDOUT,
                         "%s hook #%zu `%s` killed after its timeout of %d s",
                         stage, i, h->path, h->timeout);
      if (WIFSIGNALED (status))
        return werr_set (err, 0, "%s hook #%zu `%s` killed by signal %d%s%s",
                         stage, i, h->path, WTERMSIG (status),
                         run.used ? ": " : "", run.output);
      if (WEXITSTATUS (status) != 0)
        return werr_set (err, 0, "%s hook #%zu `%s` exited with status %d%s%s",
                         stage, i, h->path, WEXITSTATUS (status),
                         run.used ? ": " : "", run.output);
    }
  return 0;
}
