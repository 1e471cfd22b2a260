/* ward — `exec`: a new process in a running container. */
#ifndef WARD_EXEC_H
#define WARD_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "ward/error.h"
#include "ward/oci_config.h"

/* What `exec` flags change in the container's own process (runc's rules):
 * used only when no --process file is given. */
struct exec_overrides
{
  char **args; /* required */
  int nargs;
  bool tty;
  const char *cwd;
  const char **env; /* KEY=VALUE, appended (replacing the same key) */
  int nenv;
  bool has_user;
  uint32_t uid, gid;
  bool has_gid;
  const char **additional_gids;
  int n_additional_gids;
  const char **caps; /* added to bounding, effective, permitted, ambient */
  int ncaps;
  bool no_new_privs;
  const char *process_label;
  const char *apparmor;
};

struct exec_opts
{
  const char *root;
  const char *id;
  const char *process_file; /* --process: the whole process, as JSON */
  const struct exec_overrides *ov;
  bool detach;
  bool ignore_paused;
  const char *pid_file;
  const char *console_socket;
  const char *pidfd_socket;
  int preserve_fds;
};

/* Runs the process; without detach, waits and stores its exit status. */
int container_exec (const struct exec_opts *o, int *status, struct werr *err);

#endif
