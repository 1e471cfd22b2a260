/* ward — the container lifecycle: create, start, kill, delete, state, list.
 * Each operation takes the container's lock for its whole duration. */
#ifndef WARD_CONTAINER_H
#define WARD_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "ward/error.h"

struct create_opts
{
  const char *root;
  const char *id;
  const char *bundle; /* NULL: the current directory */
  const char *pid_file;
  const char *console_socket;
  const char *pidfd_socket; /* receives a pidfd of the init */
  bool no_pivot;
  bool no_new_keyring;
  bool systemd_cgroup;
  bool no_cgroup;       /* --cgroup-manager disabled */
  const char *rootless; /* --rootless: true|false|auto, or NULL */
  int preserve_fds;
  bool foreground; /* `run` without --detach: ward proxies the terminal */
};

struct created
{
  pid_t pid;
  int console_master; /* foreground run with a terminal, else -1 */
};

int container_create (const struct create_opts *o, struct created *out,
                      struct werr *err);
int container_start (const char *root, const char *id, struct werr *err);
int container_kill (const char *root, const char *id, int sig, bool all,
                    struct werr *err);
int container_delete (const char *root, const char *id, bool force,
                      struct werr *err);
/* Print the runtime-spec state JSON of one container to stdout. */
int container_print_state (const char *root, const char *id, struct werr *err);
/* `list`: format "table" or "json"; quiet prints ids only. */
int container_list (const char *root, const char *format, bool quiet,
                    struct werr *err);
/* Foreground `run`: forward signals to the init, proxy the terminal, and
 * return its exit status (128+N when killed by signal N). */
int container_wait (pid_t pid, int console_master, int *status,
                    struct werr *err);

#endif
