/* ward — starting the container: the runtime (parent), stage 1 (joins and
 * creates namespaces) and the container init (builds the rootfs, waits for
 * `start`, execs the process).
 *
 *   parent ──fork──► stage1: join ns by path, unshare user ns (parent writes
 *                    the maps), unshare the rest, clone(CLONE_PARENT) ─► init
 *   init: everything in init.c, reporting READY or one error line.
 * The init is the parent's child (CLONE_PARENT), so `run` can wait for it. */
#ifndef WARD_PROCESS_H
#define WARD_PROCESS_H

#include <sys/types.h>

#include "cgroup.h"
#include "context.h"
#include "ward/error.h"

struct spawn_request
{
  const struct ward_ctx *ctx;
  struct cgroup_mgr *cgroup; /* may be NULL */
  int fifo_fd;  /* exec fifo opened O_RDWR: the init blocks reading it */
  int close_fd; /* closed in the children (the state dir lock), or -1 */
  /* Runs the prestart and createRuntime hooks when the init asks, with the
   * init's pid; NULL when the config has none. */
  int (*create_runtime_hooks) (const struct spawn_request *req, pid_t pid,
                               struct werr *err);
  void *hooks_data;
};

struct spawn_result
{
  pid_t pid;          /* the container init, in our pid namespace */
  int console_master; /* pty master when process.terminal, else -1 */
};

/* Returns 0 once the init is waiting for `start`.  On failure every process
 * it started is killed and reaped, and err says what failed in which stage. */
int process_spawn (const struct spawn_request *req, struct spawn_result *out,
                   struct werr *err);

/* fork(), or with a cgroup2 directory fd, clone3(CLONE_INTO_CGROUP): the
 * child starts in that cgroup, with no move (and its RCU wait) later. */
pid_t process_fork_into (int cgroup_fd);

#endif
