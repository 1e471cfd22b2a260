/* ward — the container lifecycle: create, start, kill, delete. */
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "console.h"
#include "context.h"
#include "fdpass.h"
#include "fds.h"
#include "hooks.h"
#include "lifecycle_hooks.h"
#include "log.h"
#include "namespaces.h"
#include "proc_attrs.h"
#include "process.h"
#include "rootfs.h"
#include "rootless.h"
#include "state.h"
#include "utils.h"
#include "../policy/policy.h"
#include "ward/cleanup.h"
#include "ward/oci_config.h"

/* Everything create made so far, undone in reverse on failure. */
struct create_undo
{
  const char *root;
  const char *id;
  bool state_dir;
  struct cgroup_mgr *cgroup;
  pid_t pid;
};

static void
undo_create (struct create_undo *u)
{
  struct werr ignored;
  if (u->pid > 0)
    kill (u->pid, SIGKILL);
  if (u->cgroup)
    {
      cgroup_destroy (u->cgroup, &ignored);
      policy_monitor_cleanup (u->cgroup);
    }
  if (u->state_dir)
    state_dir_remove (u->root, u->id, &ignored);
}

static int
load_config (const char *bundle, struct oci_config **cfg, char **data,
             size_t *len, struct werr *err)
{
  _cleanup_free_ char *path = xasprintf ("%s/config.json", bundle);
  if (read_file (path, data, len, err) < 0
      || oci_config_parse_data (*data, *len, "config.json", cfg, err) < 0)
    return -1;
  const struct oci_process *p = &(*cfg)->process;
  if (!(*cfg)->has_process)
    return werr_set (err, 0,
                     "config.json: process: required to create a container");
  if (p->args.n == 0)
    return werr_set (err, 0, "config.json: process.args: must not be empty");
  if ((*cfg)->root.path == NULL)
    return werr_set (err, 0, "config.json: root.path: required");
  return 0;
}

static char *
resolve_rootfs (const char *bundle, const char *root_path, struct werr *err)
{
  _cleanup_free_ char *joined = root_path[0] == '/'
                                    ? xstrdup (root_path)
                                    : xasprintf ("%s/%s", bundle, root_path);
  char *real = realpath (joined, NULL);
  struct stat st;
  if (real == NULL || stat (real, &st) < 0)
    {
      werr_set (err, errno, "rootfs `%s`", joined);
      free (real);
      return NULL;
    }
  if (!S_ISDIR (st.st_mode))
    {
      werr_set (err, ENOTDIR, "rootfs `%s`", joined);
      free (real);
      return NULL;
    }
  return real;
}

/* Socket activation: fds 3.. handed to us by systemd are passed on. */
static int
listen_fds_count (void)
{
  const char *pid = getenv ("LISTEN_PID");
  int n = parse_uint (getenv ("LISTEN_FDS"));
  if (n <= 0 || pid == NULL || parse_uint (pid) != getpid ())
    return 0;
  return n;
}

static int
write_pid_file (const char *path, pid_t pid, struct werr *err)
{
  _cleanup_free_ char *copy = xstrdup (path);
  char *slash = strrchr (copy, '/');
  const char *dir = slash ? (slash == copy ? "/" : copy) : ".";
  const char *name = slash ? slash + 1 : copy;
  if (slash)
    *slash = '\0';
  _cleanup_close_ int dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return werr_set (err, errno, "--pid-file: open `%s`", dir);
  char buf[32];
  int len = snprintf (buf, sizeof buf, "%d", (int) pid);
  if (write_file_atomic_at (dfd, name, buf, (size_t) len, 0644, err) < 0)
    return werr_prefix (err, "--pid-file");
  return 0;
}

static int
check_create_opts (const struct create_opts *o, const struct oci_config *cfg,
                   struct werr *err)
{
  if (cfg->process.terminal && o->console_socket == NULL && !o->foreground)
    return werr_set (err, 0,
                     "process.terminal is true: --console-socket is "
                     "required when the runtime detaches");
  if (!cfg->process.terminal && o->console_socket)
    return werr_set (err, 0,
                     "--console-socket given but process.terminal is false");
  return 0;
}

static int
validate_config (const struct oci_config *cfg, bool rootless, struct werr *err)
{
  if (namespaces_validate (cfg, rootless, err) < 0
      || rootfs_validate (cfg, err) < 0 || proc_attrs_validate (cfg, err) < 0)
    return -1;
  return 0;
}

static int
record_state (int dirfd, const struct ward_ctx *ctx, struct cgroup_mgr *cg,
              pid_t pid, struct werr *err)
{
  char created[64];
  rfc3339_now (created, sizeof created);
  struct ward_state st = {
    .id = (char *) ctx->id,
    .pid = pid,
    .start_time = proc_start_time (pid),
    .bundle = (char *) ctx->bundle,
    .rootfs = (char *) ctx->rootfs,
    .created = created,
    .owner = geteuid (),
    .annotations = ctx->cfg->annotations,
    .cgroup = cg,
  };
  if (st.start_time == 0)
    return werr_set (err, 0, "the container init exited during set-up");
  return state_write (dirfd, &st, err);
}

static int
run_create_runtime_hooks (const struct spawn_request *req, pid_t pid,
                          struct werr *err)
{
  return hooks_create_runtime (req->ctx->cfg, req->ctx->id, req->ctx->bundle,
                               pid, err);
}

/* --pidfd-socket: the engine gets a pidfd, immune to pid reuse. */
static int
send_pidfd (const char *socket_path, pid_t pid, struct werr *err)
{
  _cleanup_close_ int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (pidfd < 0)
    return werr_set (err, errno, "--pidfd-socket: pidfd_open %d", (int) pid);
  return fdpass_send_to_path (socket_path, pidfd, "pidfd", "--pidfd-socket",
                              err);
}

/* run.ward.* annotations: compile the agent policy before anything exists
 * (a failure leaves nothing behind); the container then gets the plan's
 * view of config.json. */
static int
prepare_policy (struct ward_ctx *ctx, struct policy_plan **plan,
                struct werr *err)
{
  if (policy_prepare (ctx->cfg, ctx->bundle, ctx->rootfs, ctx->id, plan, err)
      < 0)
    return -1;
  policy_warn_weakenings (*plan);
  ctx->plan = *plan;
  ctx->cfg = policy_plan_config (*plan);
  if (policy_plan_new_keyring (*plan))
    ctx->no_new_keyring = false;
  int flags = namespaces_new_flags (ctx->cfg);
  ctx->new_userns = flags & CLONE_NEWUSER;
  ctx->new_mntns = flags & CLONE_NEWNS;
  ctx->new_cgroupns = flags & CLONE_NEWCGROUP;
  return validate_config (ctx->cfg, ctx->rootless, err);
}

static int
spawn_and_record (const struct create_opts *o, struct ward_ctx *ctx, int dirfd,
                  const char *config_data, size_t config_len,
                  struct create_undo *undo, struct created *out,
                  struct werr *err)
{
  if (state_save_config (dirfd, config_data, config_len, err) < 0)
    return -1;
  if (mkfifoat (dirfd, EXEC_FIFO, 0622) < 0)
    return werr_set (err, errno, "mkfifo `%s`", EXEC_FIFO);
  /* Opened read-write, the fifo never blocks us; the init blocks reading it
   * until `start` writes one byte. */
  _cleanup_close_ int fifo = openat (dirfd, EXEC_FIFO, O_RDWR | O_CLOEXEC);
  if (fifo < 0)
    return werr_set (err, errno, "open `%s`", EXEC_FIFO);
  struct cgroup_request creq = {
    .id = o->id,
    .cgroups_path = ctx->cfg->linux_.cgroups_path,
    .systemd = o->systemd_cgroup,
    .rootless = rootless_cgroups (o->rootless),
    .resources
    = ctx->cfg->linux_.has_resources ? &ctx->cfg->linux_.resources : NULL,
  };
  /* --cgroup-manager disabled (podman --cgroups=disabled): the engine
   * asked for no cgroup at all, crun's behaviour. */
  if (!o->no_cgroup && cgroup_create (&creq, &undo->cgroup, err) < 0)
    return -1;
  /* Always: with no resources this still installs the default device
   * rules (deny everything but the standard nodes). */
  if (undo->cgroup
      && cgroup_apply_resources (undo->cgroup, creq.resources, err) < 0)
    return -1;
  /* The agent policy's egress filter is on the cgroup before the init runs;
   * a systemd unit exists only once the init is in it, so there the filter
   * goes on right after the spawn, still before the init execs (it waits
   * for `start`). */
  bool attach_late = cgroup_pending (undo->cgroup);
  if (ctx->plan
      && (policy_save (ctx->plan, dirfd, err) < 0
          || (!attach_late
              && policy_attach_cgroup (ctx->plan, undo->cgroup, err) < 0)))
    return -1;
  if (cgroup_clone_into_fd_possible (undo->cgroup))
    ctx->cgroup2_dir = cgroup_unified_path (undo->cgroup);
  struct spawn_request req = {
    .ctx = ctx, .cgroup = undo->cgroup, .fifo_fd = fifo, .close_fd = dirfd
  };
  if (hooks_any (ctx->cfg))
    req.create_runtime_hooks = run_create_runtime_hooks;
  struct spawn_result res;
  /* Idmapped mounts need the initial user namespace: map them here, the
   * init attaches them inside its own. */
  if (ctx->new_userns && rootfs_prepare_idmap (ctx, err) < 0)
    return -1;
  int spawned = process_spawn (&req, &res, err);
  rootfs_release_idmap ();
  if (spawned < 0)
    return -1;
  undo->pid = res.pid;
  out->pid = res.pid;
  if (ctx->plan && attach_late
      && policy_attach_cgroup (ctx->plan, undo->cgroup, err) < 0)
    return -1;
  out->console_master = res.console_master;
  if (res.console_master >= 0 && o->console_socket)
    {
      int r = fdpass_send_to_path (o->console_socket, res.console_master,
                                   "/dev/ptmx", "--console-socket", err);
      close (res.console_master);
      out->console_master = -1;
      if (r < 0)
        return -1;
    }
  if (o->pidfd_socket && send_pidfd (o->pidfd_socket, res.pid, err) < 0)
    return -1;
  if (record_state (dirfd, ctx, undo->cgroup, res.pid, err) < 0)
    return -1;
  if (ctx->plan
      && policy_start_monitor (ctx->plan, dirfd, res.pid, undo->cgroup, err)
             < 0)
    return -1;
  if (o->pid_file && write_pid_file (o->pid_file, res.pid, err) < 0)
    return -1;
  return 0;
}

int
container_create (const struct create_opts *o, struct created *out,
                  struct werr *err)
{
  struct oci_config *cfg = NULL;
  _cleanup_free_ char *config_data = NULL;
  size_t config_len = 0;
  _cleanup_free_ char *bundle = realpath (o->bundle ? o->bundle : ".", NULL);
  _cleanup_free_ char *rootfs = NULL;
  struct create_undo undo = { .root = o->root, .id = o->id };
  int dirfd = -1, r = -1;
  struct policy_plan *plan = NULL;

  out->pid = -1;
  out->console_master = -1;
  if (bundle == NULL)
    return werr_set (err, errno, "--bundle `%s`", o->bundle ? o->bundle : ".");
  if (state_check_id (o->id, err) < 0
      || load_config (bundle, &cfg, &config_data, &config_len, err) < 0)
    goto out;
  struct ward_ctx ctx = {
    .cfg = cfg,
    .id = o->id,
    .bundle = bundle,
    .no_pivot = o->no_pivot,
    .no_new_keyring = o->no_new_keyring,
    .console_socket = o->console_socket,
    .rootless = geteuid () != 0,
    .console_slave_fd = -1,
  };
  int listen = listen_fds_count ();
  ctx.listen_fds = listen;
  ctx.preserve_fds = o->preserve_fds + listen;
  if (fds_cloexec_from (3 + ctx.preserve_fds, err) < 0)
    goto out;
  ctx.new_userns = namespaces_new_flags (cfg) & CLONE_NEWUSER;
  ctx.new_mntns = namespaces_new_flags (cfg) & CLONE_NEWNS;
  ctx.new_cgroupns = namespaces_new_flags (cfg) & CLONE_NEWCGROUP;
  if (check_create_opts (o, cfg, err) < 0
      || validate_config (cfg, ctx.rootless, err) < 0)
    goto out;
  if ((rootfs = resolve_rootfs (bundle, cfg->root.path, err)) == NULL)
    goto out;
  ctx.rootfs = rootfs;
  if (policy_requested (cfg) && prepare_policy (&ctx, &plan, err) < 0)
    goto out;
  if ((dirfd = state_dir_create (o->root, o->id, err)) < 0)
    goto out;
  undo.state_dir = true;
  r = spawn_and_record (o, &ctx, dirfd, config_data, config_len, &undo, out,
                        err);
  if (r < 0)
    {
      if (out->console_master >= 0)
        close (out->console_master);
      out->console_master = -1;
      undo_create (&undo);
    }
  else
    cgroup_mgr_free (undo.cgroup);
out:
  if (dirfd >= 0)
    close (dirfd);
  policy_plan_free (plan);
  oci_config_free (cfg);
  return r;
}

/* poststart and poststop: a failure is a warning, the lifecycle goes on. */
static void
run_late_hooks (int dirfd, const struct ward_state *st, const char *stage,
                const char *status)
{
  struct oci_config *cfg = NULL;
  struct werr err;
  if (state_load_config (dirfd, &cfg, &err) < 0 || !hooks_any (cfg))
    {
      oci_config_free (cfg);
      return;
    }
  const struct oci_hook_list *list = strcmp (stage, "poststart") == 0
                                         ? &cfg->hooks.poststart
                                         : &cfg->hooks.poststop;
  _cleanup_free_ char *state = hooks_state_json (st->id, status, st->pid,
                                                 st->bundle, &st->annotations);
  if (hooks_run (stage, list, state, &err) < 0)
    log_warn ("%s", err.msg);
  oci_config_free (cfg);
}

int
container_start (const char *root, const char *id, struct werr *err)
{
  _cleanup_close_ int dirfd = -1;
  struct ward_state *st = NULL;
  if (state_open_read (root, id, &dirfd, &st, err) < 0)
    return -1;
  const char *status = state_status (dirfd, st);
  int r = -1;
  _cleanup_close_ int fifo = -1;
  if (strcmp (status, "created") != 0)
    {
      werr_set (err, 0, "cannot start container \"%s\": it is %s", id,
                strcmp (status, "running") == 0 ? "already running" : status);
      goto out;
    }
  /* O_NONBLOCK: if the init died there is no reader, and open fails with
   * ENXIO instead of hanging. */
  fifo = openat (dirfd, EXEC_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fifo < 0)
    {
      werr_set (
          err, errno == ENXIO ? 0 : errno, "start container \"%s\": %s", id,
          errno == ENXIO ? "its init process is gone" : "open the exec fifo");
      goto out;
    }
  if (write_all (fifo, "0", 1) < 0)
    {
      werr_set (err, errno, "start container \"%s\": write the exec fifo", id);
      goto out;
    }
  unlinkat (dirfd, EXEC_FIFO, 0);
  run_late_hooks (dirfd, st, "poststart", "running");
  r = 0;
out:
  state_free (st);
  return r;
}

/* A paused container's processes act on SIGKILL only once thawed (runc
 * thaws after SIGKILL too). */
static void
thaw_after_sigkill (const struct ward_state *st, int sig)
{
  struct werr ignored;
  bool frozen = false;
  if (sig == SIGKILL && st->cgroup
      && cgroup_is_frozen (st->cgroup, &frozen, &ignored) == 0 && frozen)
    cgroup_freeze (st->cgroup, false, &ignored);
}

/* Whether --all can reach the processes through the cgroup: not when a
 * rootless container got none (no delegation); then, as runc, the init
 * gets the signal (with its own pid namespace, SIGKILL takes all). */
static bool
cgroup_lists_processes (struct cgroup_mgr *cg)
{
  pid_t *pids = NULL;
  size_t n = 0;
  struct werr ignored;
  bool ok = cgroup_pids (cg, &pids, &n, &ignored) == 0 && n > 0;
  free (pids);
  return ok;
}

int
container_kill (const char *root, const char *id, int sig, bool all,
                struct werr *err)
{
  _cleanup_close_ int dirfd = -1;
  struct ward_state *st = NULL;
  if (state_open_read (root, id, &dirfd, &st, err) < 0)
    return -1;
  int r = -1;
  _cleanup_close_ int pidfd = -1;
  if (all && st->cgroup
      && (cgroup_lists_processes (st->cgroup) || !state_process_alive (st)))
    {
      r = cgroup_kill_all (st->cgroup, sig, err);
      goto out;
    }
  pidfd = state_open_pidfd (st);
  if (pidfd < 0)
    {
      werr_set (err, 0, "container \"%s\" is not running", id);
      goto out;
    }
  if (syscall (SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
    {
      werr_set (err, errno, "kill container \"%s\" with signal %d", id, sig);
      goto out;
    }
  thaw_after_sigkill (st, sig);
  r = 0;
out:
  state_free (st);
  return r;
}

/* SIGKILL the init and wait (up to 10 s) until it has exited. */
static int
kill_init_and_wait (const struct ward_state *st, struct werr *err)
{
  _cleanup_close_ int pidfd = state_open_pidfd (st);
  if (pidfd < 0)
    return 0;
  if (syscall (SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0
      && errno != ESRCH)
    return werr_set (err, errno, "kill the container init");
  thaw_after_sigkill (st, SIGKILL);
  struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
  if (poll (&pfd, 1, 10000) == 0)
    return werr_set (err, ETIMEDOUT, "wait for the container init to exit");
  return 0;
}

int
container_delete (const char *root, const char *id, bool force,
                  struct werr *err)
{
  _cleanup_close_ int dirfd = state_dir_open (root, id, err);
  if (dirfd < 0)
    {
      if (force && err->errnum == 0 && strstr (err->msg, "does not exist"))
        return 0;
      return -1;
    }
  struct ward_state *st = NULL;
  if (state_read (dirfd, &st, err) < 0)
    {
      /* A create that died half way left a directory without state. */
      if (err->errnum == ENOENT)
        return state_dir_remove (root, id, err);
      if (!force)
        return werr_prefix (err, "container \"%s\"", id);
      /* --force on a state ward cannot read: what it names cannot be
       * cleaned up, but the id must not stay stuck. */
      log_warn ("container \"%s\": %s: removing its state anyway", id,
                err->msg);
      return state_dir_remove (root, id, err);
    }
  int r = -1;
  const char *status = state_status (dirfd, st);
  if ((strcmp (status, "running") == 0 || strcmp (status, "paused") == 0)
      && !force)
    {
      werr_set (err, 0,
                "cannot delete container \"%s\" that is not stopped: "
                "%s (use --force)",
                id, status);
      goto out;
    }
  if (kill_init_and_wait (st, err) < 0)
    goto out;
  if (st->cgroup && cgroup_destroy (st->cgroup, err) < 0)
    goto out;
  /* The policy monitor's sibling cgroup (egress by host name). */
  policy_monitor_cleanup (st->cgroup);
  run_late_hooks (dirfd, st, "poststop", "stopped");
  r = state_dir_remove (root, id, err);
out:
  state_free (st);
  return r;
}
