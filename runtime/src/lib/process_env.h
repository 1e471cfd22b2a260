/* ward — what the container's process is exec'd with. */
#ifndef WARD_PROCESS_ENV_H
#define WARD_PROCESS_ENV_H

#include <stdbool.h>

#include "ward/error.h"
#include "ward/oci_config.h"

/* The executable of process.args[0]: as given when it holds a '/', else
 * looked up in the process's PATH (a default PATH when it has none).
 * Called inside the container, after pivot_root.  Caller frees. */
char *process_find_executable (const struct oci_process *p, struct werr *err);
/* process.env, plus HOME from the container's /etc/passwd when missing (as
 * runc does), plus LISTEN_FDS/LISTEN_PID when socket activation passes
 * `listen_fds` fds (0: none). */
char **process_build_env (const struct oci_process *p, int listen_fds);

#endif
