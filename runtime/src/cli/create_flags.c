/* ward — the flags `create` and `run` share. */
#include "create_flags.h"

#include <string.h>

void
create_flags_defs (struct create_flags *f, struct opt_def *defs,
                   const struct opt_def *extra)
{
  const struct opt_def common[] = {
    { "bundle", 'b', OPT_STRING, &f->bundle, "DIR",
      "path to the bundle directory (default: current directory)" },
    { "pid-file", 0, OPT_STRING, &f->pid_file, "FILE",
      "write the container init's pid to FILE" },
    { "console-socket", 0, OPT_STRING, &f->console_socket, "SOCKET",
      "unix socket that receives the pty master (process.terminal)" },
    { "pidfd-socket", 0, OPT_STRING, &f->pidfd_socket, "SOCKET",
      "unix socket that receives a pidfd of the container init" },
    { "no-pivot", 0, OPT_BOOL, &f->no_pivot, NULL,
      "MS_MOVE + chroot instead of pivot_root (for ramdisk roots)" },
    { "no-new-keyring", 0, OPT_BOOL, &f->no_new_keyring, NULL,
      "keep the caller's session keyring" },
    { "preserve-fds", 0, OPT_INT, &f->preserve_fds, "N",
      "pass N extra fds (3..3+N-1) to the container" },
  };
  size_t n = 0;
  for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
    defs[n++] = common[i];
  for (; extra && extra->name && n < CREATE_FLAG_DEFS_MAX - 1; extra++)
    defs[n++] = *extra;
  memset (&defs[n], 0, sizeof defs[n]);
}

void
create_flags_to_opts (const struct global_opts *g, const struct create_flags *f,
                      const char *id, struct create_opts *o)
{
  *o = (struct create_opts){
    .root = g->root,
    .id = id,
    .bundle = f->bundle,
    .pid_file = f->pid_file,
    .console_socket = f->console_socket,
    .pidfd_socket = f->pidfd_socket,
    .no_pivot = f->no_pivot,
    .no_new_keyring = f->no_new_keyring,
    .systemd_cgroup = g->systemd_cgroup,
    .no_cgroup
    = g->cgroup_manager && strcmp (g->cgroup_manager, "disabled") == 0,
    .rootless = g->rootless,
    .preserve_fds = f->preserve_fds,
  };
}
