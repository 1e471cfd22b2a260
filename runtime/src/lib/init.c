/* ward — the container init: from a fresh set of namespaces to exec.
 *
 * Order matters and follows runc: early process attributes, the rootfs
 * (pivot_root), hostname, sysctls, read-only and masked paths, the terminal,
 * the session keyring, cwd, the executable lookup, fds, credentials and
 * seccomp; then READY, the wait for `start`, and exec. */
#include "init.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "console.h"
#include "fds.h"
#include "path_in_root.h"
#include "hooks.h"
#include "lifecycle_hooks.h"
#include "../policy/policy.h"
#include "process_env.h"
#include "proc_attrs.h"
#include "rootfs.h"
#include "sync.h"
#include "utils.h"
#include "ward/cleanup.h"

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

static int
set_names (const struct oci_config *cfg, struct werr *err)
{
  if (cfg->hostname && *cfg->hostname
      && sethostname (cfg->hostname, strlen (cfg->hostname)) < 0)
    return werr_set (err, errno, "sethostname `%s`", cfg->hostname);
  if (cfg->domainname && *cfg->domainname
      && setdomainname (cfg->domainname, strlen (cfg->domainname)) < 0)
    return werr_set (err, errno, "setdomainname `%s`", cfg->domainname);
  return 0;
}

static int
join_session_keyring (const struct ward_ctx *ctx, struct werr *err)
{
  if (ctx->no_new_keyring)
    return 0;
  /* A fresh session keyring keeps the container away from the keys of the
   * session that started the runtime. */
  char name[128];
  snprintf (name, sizeof name, "_ses.%.100s", ctx->id);
  if (syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) < 0
      && errno != ENOSYS)
    return werr_set (err, errno, "join session keyring");
  return 0;
}

/* The init's pid as the runtime sees it, for the hooks' state. */
static pid_t host_pid;

/* Right before pivot_root: the runtime runs prestart/createRuntime, then
 * the createContainer hooks run here, in the container's namespaces. */
static int
hooks_before_pivot (const struct ward_ctx *ctx, int sock, struct werr *err)
{
  if (!hooks_any (ctx->cfg))
    return 0;
  struct sync_msg m;
  if (sync_send (sock, SYNC_HOOKS, 0, -1) < 0
      || sync_expect (sock, SYNC_GO, &m, NULL, err) < 0)
    return -1;
  host_pid = m.pid;
  _cleanup_free_ char *state = hooks_state_json (
      ctx->id, "created", host_pid, ctx->bundle, &ctx->cfg->annotations);
  return hooks_run ("createContainer", &ctx->cfg->hooks.create_container, state,
                    err);
}

/* The init's end of the sync socket, for cgroup_gate(). */
static int gate_sock = -1;

static int
cgroup_gate (const struct ward_ctx *ctx, struct werr *err)
{
  static bool joined;
  struct sync_msg m;
  if (joined)
    return 0;
  if (sync_expect (gate_sock, SYNC_CGROUP, &m, NULL, err) < 0)
    return werr_prefix (err, "join the container's cgroup");
  joined = true;
  /* Made only now, so that its root is the container's own cgroup. */
  if (ctx->new_cgroupns && unshare (CLONE_NEWCGROUP) < 0)
    return werr_set (err, errno, "unshare cgroup namespace");
  return 0;
}

static int
build_container (const struct ward_ctx *ctx, int sock, struct werr *err)
{
  const struct oci_config *cfg = ctx->cfg;
  const struct oci_process *p = &cfg->process;
  if (proc_attrs_apply_early (p, &cfg->linux_, err) < 0)
    return -1;
  if (rootfs_mount_all (ctx, err) < 0 || cgroup_gate (ctx, err) < 0
      || hooks_before_pivot (ctx, sock, err) < 0 || rootfs_pivot (ctx, err) < 0)
    return -1;
  if (set_names (cfg, err) < 0)
    return -1;
  if (sysctl_apply (&cfg->linux_.sysctl, err) < 0)
    return -1;
  if (rootfs_finalize (ctx, err) < 0)
    return -1;
  if (p->terminal)
    {
      int master = console_setup_in_container (p, true, err);
      if (master < 0)
        return -1;
      int r = sync_send (sock, SYNC_CONSOLE, 0, master);
      close (master);
      if (r < 0)
        return werr_set (err, -r, "send the terminal to the runtime");
    }
  if (join_session_keyring (ctx, err) < 0)
    return -1;
  /* cwd is resolved only now, inside the new root: never a host path. */
  if (chdir_in_root (p->cwd, false, err) < 0)
    return werr_prefix (err, "process.cwd");
  return 0;
}

void
init_main (const struct ward_ctx *parent_ctx, int sock, int fifo_fd)
{
  struct werr err = { 0 };
  struct ward_ctx gated = *parent_ctx;
  gated.cgroup_gate = cgroup_gate;
  const struct ward_ctx *ctx = &gated;
  const struct oci_process *p = &ctx->cfg->process;
  int n_preserved = ctx->preserve_fds;

  /* Until exec, this process is the runtime's image: no one in the
   * container may open /proc/<pid>/exe or ptrace it (CVE-2019-5736). */
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (fds_reserve_preserved (n_preserved, &err) < 0
      || (sock = fds_move_above (sock, n_preserved, &err)) < 0
      || (fifo_fd = fds_move_above (fifo_fd, n_preserved, &err)) < 0)
    goto fail;
  gate_sock = sock;
  if (build_container (ctx, sock, &err) < 0)
    goto fail;
  _cleanup_free_ char *exe = process_find_executable (p, &err);
  if (exe == NULL)
    goto fail;
  char **env = process_build_env (p, ctx->listen_fds);
  _cleanup_free_ char *start_state
      = ctx->cfg->hooks.start_container.n ? hooks_state_json (
            ctx->id, "created", host_pid, ctx->bundle, &ctx->cfg->annotations)
                                          : NULL;
  if (fds_prepare_exec (n_preserved, &err) < 0
      || policy_apply_in_init (ctx, &err) < 0
      || credentials_and_seccomp_apply_sync (p, &ctx->cfg->linux_, sock, &err)
             < 0)
    goto fail;
  if (sync_send (sock, SYNC_READY, 0, -1) < 0)
    _exit (1);
  close (sock);

  /* Block until `ward start` writes to the exec fifo. */
  char c;
  ssize_t r;
  do
    r = read (fifo_fd, &c, 1);
  while (r < 0 && errno == EINTR);
  if (r != 1)
    _exit (1);
  close (fifo_fd);
  if (start_state
      && hooks_run ("startContainer", &ctx->cfg->hooks.start_container,
                    start_state, &err)
             < 0)
    {
      dprintf (STDERR_FILENO, "ward: %s\n", err.msg);
      _exit (1);
    }
  execve (exe, p->args.v, env);
  dprintf (STDERR_FILENO, "ward: exec `%s`: %s\n", exe, strerror (errno));
  _exit (127);

fail:
  sync_send_error (sock, &err);
  _exit (1);
}
