/* ward — the monitor: the one small process that outlives `ward create`
 * for an agent container whose policy needs it: process.timeout, and the
 * egress part (the filtering resolver of egress by host name, the audit of
 * BPF refusals), which runs in an unprivileged child of its own, forked
 * first thing (monitor_dns.c).
 *
 * Started by create once the init exists: double-forked and in a session
 * of its own, so it is nobody's child and no terminal's; it keeps only
 *   - a pidfd of the init (readable when the init exits: the monitor ends),
 *   - an inotify watch on the container's state directory (exec.fifo
 *     removed: `ward start` happened, the clock starts; the directory gone:
 *     the container was deleted, the monitor ends),
 *   - the container's cgroup.kill, opened for writing while still root,
 *   - with kernel audit on and a Landlock domain, the kernel's audit
 *     multicast socket (bound while still root) and the audit file,
 *     for the Landlock denials (audit_kernel.c),
 * then drops every capability but CAP_KILL (for the pidfd fallback where
 * cgroup.kill is missing), sets no_new_privs and ignores every signal it
 * can.  At the deadline it writes "1" to cgroup.kill, which SIGKILLs every
 * process of the container at once, and exits.
 *
 * It stays in the cgroup of whoever ran `ward create` (like an engine's
 * conmon or shim), not in the container's: `ward ps`, `kill --all` and the
 * pids limit see only the container's own processes.  A container that is
 * never started is never timed out.  If the monitor is killed, the timeout
 * is not enforced any more and its egress child dies with it (egress by
 * host name then fails closed; the CIDR filter lives in the kernel). */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit_kernel.h"
#include "caps.h"
#include "cgroup.h"
#include "monitor_dns.h"
#include "plan.h"
#include "policy.h"
#include "state.h"
#include "utils.h"
#include "ward/cleanup.h"

struct monitor
{
  int pidfd, inotify, killfd;
  bool started;
  uint32_t timeout_ms;
  struct monitor_dns *dns; /* its child for egress (monitor_dns.c) */
  struct audit_kernel *ak; /* Landlock denials (audit_kernel.c) */
};

/* Did `ward start` happen (exec.fifo removed), or the container go away? */
static int
read_events (struct monitor *m)
{
  char buf[4096] __attribute__ ((aligned (__alignof__(struct inotify_event))));
  ssize_t n = read (m->inotify, buf, sizeof buf);
  for (char *p = buf; n > 0 && p < buf + n;)
    {
      struct inotify_event *ev = (struct inotify_event *) p;
      if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
        return -1;
      if ((ev->mask & IN_DELETE) && ev->len
          && strcmp (ev->name, EXEC_FIFO) == 0)
        m->started = true;
      p += sizeof *ev + ev->len;
    }
  return 0;
}

static void
kill_container (struct monitor *m)
{
  if (m->killfd >= 0 && write (m->killfd, "1", 1) == 1)
    return;
  /* Without cgroup.kill: the init; its pid namespace takes the rest. */
  syscall (SYS_pidfd_send_signal, m->pidfd, SIGKILL, NULL, 0);
}

static __attribute__ ((noreturn)) void
monitor_loop (struct monitor *m)
{
  int64_t deadline = -1;
  for (;;)
    {
      /* A monitor may run for egress alone: no timeout, no deadline. */
      if (m->started && deadline < 0 && m->timeout_ms > 0)
        deadline = monotonic_ms () + m->timeout_ms;
      int wait = -1;
      if (deadline >= 0)
        {
          int64_t left = deadline - monotonic_ms ();
          if (left <= 0)
            {
              kill_container (m);
              _exit (0);
            }
          wait = left > 60000 ? 60000 : (int) left;
        }
      struct pollfd p[3]
          = { { .fd = m->pidfd, .events = POLLIN },
              { .fd = m->started ? -1 : m->inotify, .events = POLLIN },
              { .fd = audit_kernel_fd (m->ak), .events = POLLIN } };
      int r = poll (p, 3, wait);
      if (r < 0 && errno != EINTR)
        _exit (1);
      if (p[2].revents || p[0].revents)
        audit_kernel_read (m->ak);
      if (p[0].revents)
        _exit (0); /* the init is gone: so is the container */
      if (!m->started && p[1].revents && read_events (m) < 0)
        _exit (0);
    }
}

/* Keep three fds at 3, 4, 5 and nothing else; quiet stdio; no signals;
 * only CAP_KILL. */
static void
monitor_setup (struct monitor *m)
{
  int fds[3] = { m->pidfd, m->inotify, m->killfd };
  monitor_dns_park (m->dns);
  audit_kernel_lift (m->ak);
  for (int i = 0; i < 3; i++)
    if (fds[i] >= 0)
      {
        int moved = fcntl (fds[i], F_DUPFD_CLOEXEC, 10 + i);
        fds[i] = moved;
      }
  for (int i = 0; i < 3; i++)
    if (fds[i] >= 0 && dup3 (fds[i], 3 + i, O_CLOEXEC) < 0)
      _exit (1);
  m->pidfd = 3;
  m->inotify = 4;
  m->killfd = fds[2] >= 0 ? 5 : -1;
  if (m->killfd < 0)
    close (5);
  syscall (SYS_close_range, audit_kernel_park (m->ak, 6), ~0U, 0);
  int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
  for (int i = 0; i < 3 && null >= 0; i++)
    dup2 (null, i);
  if (null > 2)
    close (null);
  for (int s = 1; s < NSIG; s++)
    if (s != SIGKILL && s != SIGSTOP && s != SIGCHLD)
      signal (s, SIG_IGN);
  prctl (PR_SET_NAME, "ward-monitor", 0, 0, 0);
  prctl (PR_SET_PDEATHSIG, 0, 0, 0, 0);
  struct werr ignored;
  uint64_t keep = 1ULL << CAP_KILL;
  struct caps_sets caps
      = { .bounding = keep, .effective = keep, .permitted = keep };
  if (geteuid () == 0
      && (caps_drop_bounding (keep, &ignored) < 0
          || caps_apply_sets (&caps, &ignored) < 0))
    _exit (1);
  prctl (PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL);
}

static int
open_kill_file (const struct cgroup_mgr *cg)
{
  const char *dir = cgroup_unified_path (cg);
  if (dir == NULL)
    return -1;
  _cleanup_free_ char *path = xasprintf ("%s/cgroup.kill", dir);
  return open (path, O_WRONLY | O_CLOEXEC);
}

int
policy_start_monitor (const struct policy_plan *plan, int state_dirfd,
                      pid_t init, const struct cgroup_mgr *cgroup,
                      struct werr *err)
{
  _cleanup_audit_kernel_ struct audit_kernel *ak = NULL;
  audit_kernel_prepare (plan, state_dirfd, init, cgroup, &ak);
  if (!plan->has_timeout && !monitor_dns_wanted (plan) && ak == NULL)
    return 0;
  struct monitor m = { .timeout_ms = plan->timeout_ms, .killfd = -1, .ak = ak };
  _cleanup_close_ int pidfd = (int) syscall (SYS_pidfd_open, init, 0);
  _cleanup_close_ int ino = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
  _cleanup_close_ int killfd = open_kill_file (cgroup);
  if (pidfd < 0 || ino < 0)
    return werr_set (err, errno, "policy: monitor: pidfd_open/inotify_init");
  char dir[64];
  snprintf (dir, sizeof dir, "/proc/self/fd/%d", state_dirfd);
  if (inotify_add_watch (ino, dir, IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF)
      < 0)
    return werr_set (err, errno, "policy: monitor: watch the state directory");
  m.started = faccessat (state_dirfd, EXEC_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) < 0;
  m.pidfd = pidfd;
  m.inotify = ino;
  m.killfd = killfd;
  if (monitor_dns_prepare (plan, state_dirfd, init, cgroup, &m.dns, err) < 0)
    return -1;
  pid_t child = fork ();
  if (child < 0)
    {
      monitor_dns_release (m.dns, true);
      return werr_set (err, errno, "policy: monitor: fork");
    }
  if (child == 0)
    {
      setsid ();
      if (fork () != 0)
        _exit (0);
      monitor_setup (&m);
      monitor_loop (&m);
    }
  int st;
  while (waitpid (child, &st, 0) < 0 && errno == EINTR)
    ;
  monitor_dns_release (m.dns, false);
  return 0;
}
