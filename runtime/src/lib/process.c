/* ward — starting the container (see process.h). */
#include "process.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"
#include "log.h"
#include "namespaces.h"
#include "seccomp_notify.h"
#include "sync.h"
#include "userns.h"
#include "utils.h"
#include "ward/cleanup.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static int
write_time_offsets (const struct oci_linux *l, struct werr *err)
{
  if (l->n_time_offsets == 0)
    return 0;
  size_t cap = l->n_time_offsets * 64 + 1, used = 0;
  _cleanup_free_ char *buf = xmalloc0 (cap);
  for (size_t i = 0; i < l->n_time_offsets; i++)
    used += (size_t) snprintf (
        buf + used, cap - used, "%s %lld %u\n", l->time_offsets[i].clock,
        (long long) l->time_offsets[i].secs, l->time_offsets[i].nanosecs);
  /* Offsets can be set only before any process enters the namespace. */
  if (write_file ("/proc/self/timens_offsets", buf, used, err) < 0)
    return werr_prefix (err, "linux.timeOffsets");
  return 0;
}

static int
stage1_namespaces (const struct ward_ctx *ctx, int sock, struct werr *err)
{
  const struct oci_config *cfg = ctx->cfg;
  struct sync_msg m;
  int flags = namespaces_new_flags (cfg);

  if (namespaces_join (cfg, err) < 0)
    return -1;
  if (flags & CLONE_NEWUSER)
    {
      /* A user namespace first, so that the other new namespaces are owned
       * by it and the container's root has privilege only over them. */
      if (unshare (CLONE_NEWUSER) < 0)
        return werr_set (err, errno, "unshare user namespace");
      if (sync_send (sock, SYNC_USERMAP, 0, -1) < 0
          || sync_expect (sock, SYNC_GO, &m, NULL, err) < 0)
        return werr_set (err, err->errnum, "user namespace: %s", err->msg);
    }
  if (namespaces_has (cfg, OCI_NS_USER))
    {
      /* Become the namespace's root so that set-up runs with its privilege. */
      if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
        return werr_set (err, errno,
                         "become root in the user namespace "
                         "(is container id 0 mapped?)");
    }
  if (flags & CLONE_NEWTIME)
    {
      if (unshare (CLONE_NEWTIME) < 0)
        return werr_set (err, errno, "unshare time namespace");
      if (write_time_offsets (&cfg->linux_, err) < 0)
        return -1;
    }
  /* The cgroup namespace waits for the init: it must be made once the init
   * is in its cgroup (see cgroup_gate in context.h). */
  int rest = flags & ~(CLONE_NEWUSER | CLONE_NEWTIME | CLONE_NEWCGROUP);
  if (rest && unshare (rest) < 0)
    return werr_set (err, errno, "unshare namespaces (flags 0x%x)", rest);
  return 0;
}

static __attribute__ ((noreturn)) void
stage1_main (const struct spawn_request *req, int sock)
{
  struct werr err = { 0 };
  struct sync_msg m;

  /* If the runtime dies half way, nothing of the set-up must survive it. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () == 1)
    _exit (1);
  if (sync_expect (sock, SYNC_GO, &m, NULL, &err) < 0
      || stage1_namespaces (req->ctx, sock, &err) < 0)
    {
      sync_send_error (sock, &err);
      _exit (1);
    }
  /* CLONE_PARENT: the init becomes the runtime's child, so `run` can wait
   * for it; it is pid 1 of the new pid namespace, if there is one. */
  pid_t pid
      = (pid_t) syscall (SYS_clone, CLONE_PARENT | SIGCHLD, 0, NULL, NULL, 0);
  if (pid < 0)
    {
      werr_set (&err, errno, "clone the container init");
      sync_send_error (sock, &err);
      _exit (1);
    }
  if (pid == 0)
    init_main (req->ctx, sock, req->fifo_fd);
  sync_send (sock, SYNC_INIT_PID, pid, -1);
  _exit (0);
}

pid_t
process_fork_into (int cgroup_fd)
{
  if (cgroup_fd < 0)
    return fork ();
  struct clone_args args = { .flags = CLONE_INTO_CGROUP,
                             .exit_signal = SIGCHLD,
                             .cgroup = (uint64_t) cgroup_fd };
  return (pid_t) syscall (SYS_clone3, &args, sizeof args);
}

static void
kill_and_reap (pid_t pid)
{
  if (pid <= 0)
    return;
  kill (pid, SIGKILL);
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
}

static int
reap_stage1 (pid_t pid, struct werr *err)
{
  int status;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return werr_set (err, errno, "wait for the set-up stage");
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return werr_set (err, 0, "the set-up stage failed");
  return 0;
}

/* Answer the set-up stages until the init is ready.  Stage 1 and the init
 * share one socket, so the init's messages may overtake stage 1's last one. */
static int
parent_drive (const struct spawn_request *req, int sock, pid_t stage1,
              bool started_in_cgroup, pid_t *init_pid, int *console_master,
              struct werr *err)
{
  struct sync_msg m;
  bool ready = false, hooks_pending = false;
  _cleanup_close_ int seccomp_fd = -1;
  if (sync_send (sock, SYNC_GO, 0, -1) < 0)
    return werr_set (err, EPIPE, "the container's set-up process died");
  while (!ready || *init_pid <= 0)
    {
      int fd = -1;
      if (sync_recv (sock, &m, &fd, err) < 0)
        return -1;
      switch (m.type)
        {
        case SYNC_USERMAP:
          if (userns_write_maps (stage1, &req->ctx->cfg->linux_,
                                 req->ctx->rootless, err)
              < 0)
            return -1;
          sync_send (sock, SYNC_GO, 0, -1);
          break;
        case SYNC_INIT_PID:
          *init_pid = m.pid;
          /* Meanwhile the init builds its rootfs: the move into the cgroup
           * (an RCU grace period on cgroup v1) overlaps with that work. */
          if (req->cgroup && !started_in_cgroup
              && cgroup_enter (req->cgroup, m.pid, err) < 0)
            return -1;
          sync_send (sock, SYNC_CGROUP, 0, -1);
          break;
        case SYNC_CONSOLE:
          *console_master = fd;
          fd = -1;
          break;
        case SYNC_READY:
          ready = true;
          break;
        case SYNC_HOOKS:
          hooks_pending = true;
          break;
        case SYNC_SECCOMP_FD:
          seccomp_fd = fd;
          fd = -1;
          break;
        case SYNC_ERROR:
          err->errnum = m.errnum;
          memcpy (err->msg, m.msg, sizeof err->msg);
          return -1;
        default:
          if (fd >= 0)
            close (fd);
          return werr_set (err, EPROTO,
                           "unexpected message %u from the "
                           "container's set-up",
                           m.type);
        }
      /* The init asked for its hooks; its pid may come after the request. */
      if (hooks_pending && *init_pid > 0)
        {
          if (req->create_runtime_hooks
              && req->create_runtime_hooks (req, *init_pid, err) < 0)
            return -1;
          sync_send (sock, SYNC_GO, *init_pid, -1);
          hooks_pending = false;
        }
      /* The init loaded a NOTIFY filter: its agent gets the fd and the
       * state before the init goes on. */
      if (seccomp_fd >= 0 && *init_pid > 0)
        {
          int r
              = seccomp_notify_send_init (req->ctx, *init_pid, seccomp_fd, err);
          close (seccomp_fd);
          seccomp_fd = -1;
          if (r < 0)
            return -1;
          sync_send (sock, SYNC_GO, 0, -1);
        }
    }
  return 0;
}

int
process_spawn (const struct spawn_request *req, struct spawn_result *out,
               struct werr *err)
{
  int sv[2];
  out->pid = -1;
  out->console_master = -1;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return werr_set (err, errno, "socketpair");
  /* Pure cgroup v2: stage 1 (and so the init) starts inside the container's
   * cgroup; a later move would wait for an RCU grace period. */
  _cleanup_close_ int cgroup_fd = cgroup_clone_into_fd (req->cgroup);
  pid_t stage1 = process_fork_into (cgroup_fd);
  if (stage1 < 0)
    {
      close (sv[0]);
      close (sv[1]);
      return werr_set (err, errno, "fork");
    }
  if (stage1 == 0)
    {
      close (sv[0]);
      if (req->close_fd >= 0)
        close (req->close_fd);
      log_close ();
      stage1_main (req, sv[1]);
    }
  close (sv[1]);
  _cleanup_close_ int sock = sv[0];
  pid_t init = -1;
  int r = parent_drive (req, sock, stage1, cgroup_fd >= 0, &init,
                        &out->console_master, err);
  struct werr reap_err;
  if (r < 0)
    kill (stage1, SIGKILL);
  if (reap_stage1 (stage1, &reap_err) < 0 && r == 0)
    r = -1, *err = reap_err;
  if (r < 0)
    {
      if (out->console_master >= 0)
        close (out->console_master);
      out->console_master = -1;
      kill_and_reap (init);
      return -1;
    }
  out->pid = init;
  return 0;
}
