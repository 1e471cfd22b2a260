/* ward — what the container's set-up steps need to know, in one place.
 *
 * Built by the create path in the parent from the CLI flags and config.json;
 * the child stages see a copy (fork), so nothing here is shared memory.
 */
#ifndef WARD_CONTEXT_H
#define WARD_CONTEXT_H

#include <stdbool.h>
#include <sys/types.h>

#include "ward/oci_config.h"

struct policy_plan;

struct ward_ctx
{
  const struct oci_config *cfg;
  const char *id;
  const char *bundle; /* absolute path of the bundle directory */
  const char *rootfs; /* absolute host path of root.path */

  bool no_pivot;       /* --no-pivot: MS_MOVE + chroot instead of pivot_root */
  bool no_new_keyring; /* --no-new-keyring */
  int preserve_fds;    /* --preserve-fds N: fds 3..3+N-1 stay open */
  int listen_fds;      /* socket activation: fds passed on (0: none) */
  const char *console_socket; /* --console-socket, or NULL */

  bool rootless;   /* the runtime runs with euid != 0 */
  bool new_userns; /* the container gets a new user namespace */
  bool new_mntns;  /* the container gets a new mount namespace */
  bool new_cgroupns;

  /* The container's cgroup2 directory on the host (pure cgroup v2), or
   * NULL: a cgroup2 mount in the container binds it. */
  const char *cgroup2_dir;

  /* Called by the rootfs code before the first cgroup mount, and by the
   * init once every mount is done: waits until the runtime has moved the
   * init into its cgroup, then enters a new cgroup namespace if asked.  The
   * runtime moves the init while it builds the rootfs, because a cgroup v1
   * move waits for an RCU grace period.  NULL: nothing to wait for. */
  int (*cgroup_gate) (const struct ward_ctx *ctx, struct werr *err);

  /* When process.terminal: the pty slave, opened in the init before
   * pivot_root (so /dev/console can be bound from it). -1 otherwise. */
  int console_slave_fd;
  char *console_slave_path; /* e.g. /dev/pts/3 in the host's devpts */

  /* The compiled agent policy (runtime/src/policy), NULL for a container
   * without run.ward.* annotations. */
  const struct policy_plan *plan;
};

#endif
