/* ward — `exec`: a new process in a running container.
 *
 *   ward ──fork──► child: setns(pidfd of the init, every namespace of the
 *                  container) ──clone(CLONE_PARENT)──► process: terminal,
 *                  cwd, fds, credentials, seccomp, exec
 * The child is moved into the container's cgroup before it forks, so the
 * process starts there.  The sync socket is close-on-exec: EOF after the
 * process's pid means the exec happened. */
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console.h"
#include "container.h"
#include "fdpass.h"
#include "fds.h"
#include "namespaces.h"
#include "path_in_root.h"
#include "../policy/policy.h"
#include "proc_attrs.h"
#include "process.h"
#include "process_env.h"
#include "seccomp_notify.h"
#include "state.h"
#include "sync.h"
#include "utils.h"
#include "ward/cleanup.h"

static void
strv_set (struct oci_strv *s, char **v, int n)
{
  for (size_t i = 0; i < s->n; i++)
    free (s->v[i]);
  free (s->v);
  s->v = xmalloc0 (sizeof *s->v * (size_t) (n + 1));
  for (int i = 0; i < n; i++)
    s->v[i] = xstrdup (v[i]);
  s->n = (size_t) n;
}

/* Append `item`, or replace the entry with the same KEY= prefix when
 * `key_len` > 0; skip exact duplicates. */
static void
strv_put (struct oci_strv *s, const char *item, size_t key_len)
{
  for (size_t i = 0; i < s->n; i++)
    {
      bool same = key_len ? strncmp (s->v[i], item, key_len) == 0
                                && s->v[i][key_len - 1] == '='
                          : strcmp (s->v[i], item) == 0;
      if (same)
        {
          free (s->v[i]);
          s->v[i] = xstrdup (item);
          return;
        }
    }
  char **v = realloc (s->v, sizeof *v * (s->n + 2));
  if (v == NULL)
    abort ();
  v[s->n++] = xstrdup (item);
  v[s->n] = NULL;
  s->v = v;
}

static int
apply_overrides (struct oci_process *p, const struct exec_overrides *ov,
                 struct werr *err)
{
  if (proc_attrs_validate_exec_flags (ov->caps, ov->ncaps, ov->apparmor,
                                      ov->process_label, err)
      < 0)
    return -1;
  strv_set (&p->args, ov->args, ov->nargs);
  p->terminal = ov->tty;
  if (ov->cwd)
    {
      free (p->cwd);
      p->cwd = xstrdup (ov->cwd);
    }
  for (int i = 0; i < ov->nenv; i++)
    {
      const char *eq = strchr (ov->env[i], '=');
      if (eq == NULL || eq == ov->env[i])
        return werr_set (err, 0, "exec: --env: expected KEY=VALUE, got \"%s\"",
                         ov->env[i]);
      strv_put (&p->env, ov->env[i], (size_t) (eq - ov->env[i]) + 1);
    }
  if (ov->has_user)
    {
      p->user.uid = ov->uid;
      if (ov->has_gid)
        p->user.gid = ov->gid;
    }
  if (ov->n_additional_gids)
    {
      free (p->user.additional_gids);
      p->user.additional_gids
          = xmalloc0 (sizeof (uint32_t) * (size_t) ov->n_additional_gids);
      for (int i = 0; i < ov->n_additional_gids; i++)
        {
          int g = parse_uint (ov->additional_gids[i]);
          if (g < 0)
            return werr_set (err, 0,
                             "exec: --additional-gids: \"%s\" is not a gid",
                             ov->additional_gids[i]);
          p->user.additional_gids[i] = (uint32_t) g;
        }
      p->user.n_additional_gids = (size_t) ov->n_additional_gids;
    }
  for (int i = 0; i < ov->ncaps; i++)
    {
      struct oci_capabilities *c = &p->capabilities;
      p->has_capabilities = true;
      strv_put (&c->bounding, ov->caps[i], 0);
      strv_put (&c->effective, ov->caps[i], 0);
      strv_put (&c->permitted, ov->caps[i], 0);
      strv_put (&c->ambient, ov->caps[i], 0);
    }
  if (ov->no_new_privs)
    p->no_new_privileges = true;
  if (ov->process_label)
    {
      free (p->selinux_label);
      p->selinux_label = xstrdup (ov->process_label);
    }
  if (ov->apparmor)
    {
      free (p->apparmor_profile);
      p->apparmor_profile = xstrdup (ov->apparmor);
    }
  return 0;
}

struct exec_plan
{
  const struct exec_opts *o;
  const struct oci_process *p;
  const struct oci_linux *l;
  int pidfd;                      /* of the container init */
  int ns_flags;                   /* namespaces to join */
  const struct policy_plan *plan; /* the agent policy, or NULL */
  const struct ward_state *st;    /* for a seccomp agent's state */
};

static __attribute__ ((noreturn)) void
exec_process (const struct exec_plan *x, int sock)
{
  struct werr err = { 0 };
  const struct oci_process *p = x->p;
  int n = x->o->preserve_fds;
  if (fds_reserve_preserved (n, &err) < 0
      || (sock = fds_move_above (sock, n, &err)) < 0)
    goto fail;
  if (proc_attrs_apply_early (p, x->l, &err) < 0)
    goto fail;
  if (p->terminal)
    {
      int master = console_setup_in_container (p, false, &err);
      if (master < 0)
        goto fail;
      sync_send (sock, SYNC_CONSOLE, 0, master);
      close (master);
    }
  if (chdir_in_root (p->cwd, false, &err) < 0)
    {
      werr_prefix (&err, "exec: cwd");
      goto fail;
    }
  _cleanup_free_ char *exe = process_find_executable (p, &err);
  if (exe == NULL)
    goto fail;
  char **env = process_build_env (p, 0);
  /* An agent container's policy binds every process in it, not only the
   * init: Landlock and the agent filter come last, as in the init. */
  if (fds_prepare_exec (n, &err) < 0 || policy_apply_in_exec (x->plan, &err) < 0
      || credentials_and_seccomp_apply_sync (p, x->l, sock, &err) < 0)
    goto fail;
  execve (exe, p->args.v, env);
  werr_set (&err, errno, "exec `%s`", exe);
fail:
  sync_send_error (sock, &err);
  _exit (127);
}

static __attribute__ ((noreturn)) void
exec_child (const struct exec_plan *x, int sock)
{
  struct werr err = { 0 };
  struct sync_msg m;
  /* Until exec, this process is the runtime's image inside the container:
   * nobody there may open /proc/<pid>/exe or ptrace it (CVE-2019-5736). */
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (sync_expect (sock, SYNC_GO, &m, NULL, &err) < 0)
    _exit (1);
  /* One setns() on the init's pidfd joins all its namespaces at once, in
   * the kernel's order (user first), with no pid-reuse race. */
  if (setns (x->pidfd, x->ns_flags) < 0)
    {
      werr_set (&err, errno, "exec: join the container's namespaces");
      sync_send_error (sock, &err);
      _exit (1);
    }
  /* A joined pid namespace applies to children only: fork once more, as the
   * runtime's child so that it can wait for it. */
  pid_t pid
      = (pid_t) syscall (SYS_clone, CLONE_PARENT | SIGCHLD, 0, NULL, NULL, 0);
  if (pid == 0)
    exec_process (x, sock);
  if (pid < 0)
    {
      werr_set (&err, errno, "exec: clone");
      sync_send_error (sock, &err);
      _exit (1);
    }
  sync_send (sock, SYNC_INIT_PID, pid, -1);
  _exit (0);
}

/* Drive the child; returns the process's pid once it exec'd. */
static pid_t
exec_spawn (const struct exec_plan *x, struct cgroup_mgr *cg, int lockfd,
            int *console_master, struct werr *err)
{
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return werr_set (err, errno, "socketpair");
  _cleanup_close_ int cgroup_fd = cgroup_clone_into_fd (cg);
  pid_t child = process_fork_into (cgroup_fd);
  if (child < 0 && cgroup_fd >= 0 && (errno == EACCES || errno == EPERM))
    {
      /* Rootless, outside the delegated tree: the kernel refuses to start
       * it in the container's cgroup; cgroup_enter() moves it instead. */
      close (cgroup_fd);
      cgroup_fd = -1;
      child = process_fork_into (-1);
    }
  if (child < 0)
    return werr_set (err, errno, "fork");
  if (child == 0)
    {
      close (sv[0]);
      close (lockfd);
      exec_child (x, sv[1]);
    }
  close (sv[1]);
  _cleanup_close_ int sock = sv[0];
  pid_t pid = -1;
  int r = 0;
  _cleanup_close_ int seccomp_fd = -1;
  if (cg && cgroup_fd < 0 && cgroup_enter (cg, child, err) < 0)
    r = -1;
  else
    sync_send (sock, SYNC_GO, 0, -1);
  while (r == 0)
    {
      struct sync_msg m;
      int fd = -1;
      int got = sync_recv (sock, &m, &fd, err);
      if (got == SYNC_EOF && pid > 0)
        {
          werr_clear (err); /* EOF after the pid: the exec happened */
          break;
        }
      if (got < 0)
        r = -1;
      else if (m.type == SYNC_INIT_PID)
        pid = m.pid;
      else if (m.type == SYNC_CONSOLE)
        *console_master = fd;
      else if (m.type == SYNC_SECCOMP_FD)
        seccomp_fd = fd;
      else if (m.type == SYNC_ERROR)
        {
          err->errnum = m.errnum;
          memcpy (err->msg, m.msg, sizeof err->msg);
          r = -1;
        }
      /* The process loaded a NOTIFY filter and waits until its agent has
       * the fd; its pid may come after the fd. */
      if (r == 0 && seccomp_fd >= 0 && pid > 0)
        {
          r = seccomp_notify_send_exec (&x->l->seccomp, x->st,
                                        state_status (lockfd, x->st), pid,
                                        seccomp_fd, err);
          close (seccomp_fd);
          seccomp_fd = -1;
          if (r == 0)
            sync_send (sock, SYNC_GO, 0, -1);
        }
    }
  if (r < 0)
    kill (child, SIGKILL);
  while (waitpid (child, NULL, 0) < 0 && errno == EINTR)
    ;
  if (r < 0 && pid > 0)
    {
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
    }
  return r < 0 ? -1 : pid;
}

static int
check_status (const struct exec_opts *o, int dirfd, const struct ward_state *st,
              struct werr *err)
{
  const char *status = state_status (dirfd, st);
  if (strcmp (status, "stopped") == 0)
    return werr_set (err, 0, "cannot exec in container \"%s\": it is stopped",
                     o->id);
  if (strcmp (status, "paused") == 0 && !o->ignore_paused)
    return werr_set (err, 0,
                     "cannot exec in container \"%s\": it is paused "
                     "(resume it, or use --ignore-paused)",
                     o->id);
  return 0;
}

static int
load_process (const struct exec_opts *o, struct oci_config *cfg,
              struct oci_process **file_proc, struct werr *err)
{
  if (o->process_file == NULL)
    return apply_overrides (&cfg->process, o->ov, err);
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  if (read_file (o->process_file, &data, &len, err) < 0)
    return werr_prefix (err, "exec: --process");
  return oci_process_parse_data (data, len, o->process_file, file_proc, err);
}

static int
after_spawn (const struct exec_opts *o, pid_t pid, int *master,
             struct werr *err)
{
  if (*master >= 0 && o->console_socket)
    {
      int r = fdpass_send_to_path (o->console_socket, *master, "/dev/ptmx",
                                   "--console-socket", err);
      close (*master);
      *master = -1;
      if (r < 0)
        return -1;
    }
  if (o->pidfd_socket)
    {
      _cleanup_close_ int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
      if (pidfd < 0
          || fdpass_send_to_path (o->pidfd_socket, pidfd, "pidfd",
                                  "--pidfd-socket", err)
                 < 0)
        return werr_set (err, errno, "--pidfd-socket");
    }
  if (o->pid_file)
    {
      char buf[32];
      int n = snprintf (buf, sizeof buf, "%d", (int) pid);
      _cleanup_close_ int fd
          = open (o->pid_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0 || write_all (fd, buf, (size_t) n) < 0)
        return werr_set (err, errno, "--pid-file `%s`", o->pid_file);
    }
  return 0;
}

int
container_exec (const struct exec_opts *o, int *status, struct werr *err)
{
  if (fds_cloexec_from (3 + o->preserve_fds, err) < 0)
    return -1;
  _cleanup_close_ int dirfd = -1;
  struct ward_state *st = NULL;
  if (state_open_read (o->root, o->id, &dirfd, &st, err) < 0)
    return -1;
  struct oci_config *cfg = NULL;
  struct oci_process *file_proc = NULL;
  struct policy_plan *plan = NULL;
  int r = -1, master = -1;
  _cleanup_close_ int pidfd = -1;
  if (check_status (o, dirfd, st, err) < 0
      || state_load_config (dirfd, &cfg, err) < 0
      || load_process (o, cfg, &file_proc, err) < 0)
    goto out;
  struct oci_process *p = file_proc ? file_proc : &cfg->process;
  if (policy_exec_load (dirfd, &plan, err) < 0)
    goto out;
  policy_exec_process (plan, p);
  if (p->terminal && o->detach && o->console_socket == NULL)
    {
      werr_set (err, 0, "exec: --tty with --detach needs --console-socket");
      goto out;
    }
  if ((pidfd = state_open_pidfd (st)) < 0)
    {
      werr_set (err, 0, "cannot exec in container \"%s\": it is stopped",
                o->id);
      goto out;
    }
  struct exec_plan x = { .o = o,
                         .p = p,
                         .l = &cfg->linux_,
                         .pidfd = pidfd,
                         .plan = plan,
                         .ns_flags = namespaces_all_flags (cfg),
                         .st = st };
  /* The lock is not held while the process starts: in a paused container
   * (--ignore-paused) it waits for `resume`, which needs the lock. */
  flock (dirfd, LOCK_UN);
  pid_t pid = exec_spawn (&x, st->cgroup, dirfd, &master, err);
  if (pid < 0 || after_spawn (o, pid, &master, err) < 0)
    goto out;
  close (dirfd);
  dirfd = -1;
  r = o->detach ? 0 : container_wait (pid, master, status, err);
  master = -1;
out:
  if (master >= 0)
    close (master);
  policy_plan_free (plan);
  oci_process_free (file_proc);
  oci_config_free (cfg);
  state_free (st);
  return r;
}
