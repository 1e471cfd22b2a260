/* ward — the container's cgroup2 directory, for the agent policy's BPF
 * programs (runtime/src/policy/egress_bpf.c). */
#include "cgroup_internal.h"

#include <fcntl.h>

const char *
cgroup_unified_path (const struct cgroup_mgr *mgr)
{
  for (size_t i = 0; mgr && i < mgr->n_hier; i++)
    if (mgr->hier[i].unified)
      return mgr->hier[i].path;
  return NULL;
}

bool
cgroup_clone_into_fd_possible (const struct cgroup_mgr *mgr)
{
  return mgr && mgr->n_hier == 1 && mgr->hier[0].unified;
}

int
cgroup_clone_into_fd (const struct cgroup_mgr *mgr)
{
  if (!cgroup_clone_into_fd_possible (mgr))
    return -1;
  return open (mgr->hier[0].path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}
