/* ward — the flags `create` and `run` share. */
#ifndef WARD_CREATE_FLAGS_H
#define WARD_CREATE_FLAGS_H

#include "cli.h"
#include "container.h"

#define CREATE_FLAG_DEFS_MAX 16

struct create_flags
{
  const char *bundle;
  const char *pid_file;
  const char *console_socket;
  const char *pidfd_socket;
  bool no_pivot;
  bool no_new_keyring;
  int preserve_fds;
  /* run only */
  bool detach;
  bool keep;
  bool no_subreaper;
};

/* Fill defs (NULL-terminated) with create's flags, then `extra` (run's). */
void create_flags_defs (struct create_flags *f, struct opt_def *defs,
                        const struct opt_def *extra);
void create_flags_to_opts (const struct global_opts *g,
                           const struct create_flags *f, const char *id,
                           struct create_opts *o);

#endif
