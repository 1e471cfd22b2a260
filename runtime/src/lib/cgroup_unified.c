/* ward — the container's cgroup2 directory, for the agent policy's BPF
 * programs (runtime/src/policy/egress_bpf.c). */
#include "cgroup_internal.h"

const char *
cgroup_unified_path (const struct cgroup_mgr *mgr)
{
  for (size_t i = 0; mgr && i < mgr->n_hier; i++)
    if (mgr->hier[i].unified)
      return mgr->hier[i].path;
  return NULL;
}
