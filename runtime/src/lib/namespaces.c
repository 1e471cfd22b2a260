/* ward — which namespaces the container gets, and joining existing ones. */
#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "ward/cleanup.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const int ns_clone_flag[OCI_NS_COUNT] = {
  [OCI_NS_PID] = CLONE_NEWPID,       [OCI_NS_NETWORK] = CLONE_NEWNET,
  [OCI_NS_MOUNT] = CLONE_NEWNS,      [OCI_NS_IPC] = CLONE_NEWIPC,
  [OCI_NS_UTS] = CLONE_NEWUTS,       [OCI_NS_USER] = CLONE_NEWUSER,
  [OCI_NS_CGROUP] = CLONE_NEWCGROUP, [OCI_NS_TIME] = CLONE_NEWTIME,
};

bool
namespaces_has (const struct oci_config *cfg, enum oci_ns_type type)
{
  return oci_config_namespace (cfg, type) != NULL;
}

static bool
ns_is_new (const struct oci_config *cfg, enum oci_ns_type type)
{
  const struct oci_namespace *ns = oci_config_namespace (cfg, type);
  return ns && ns->path == NULL;
}

int
namespaces_validate (const struct oci_config *cfg, bool rootless,
                     struct werr *err)
{
  const struct oci_linux *l = &cfg->linux_;
  bool userns = namespaces_has (cfg, OCI_NS_USER);
  bool maps = l->n_uid_mappings || l->n_gid_mappings;
  if (ns_is_new (cfg, OCI_NS_USER)
      && (!l->n_uid_mappings || !l->n_gid_mappings))
    return werr_set (err, 0,
                     "config.json: linux.uidMappings and linux.gidMappings "
                     "are required with a new user namespace");
  if (maps && !ns_is_new (cfg, OCI_NS_USER))
    return werr_set (err, 0,
                     "config.json: linux.uidMappings: mappings need a new "
                     "user namespace in linux.namespaces");
  if (rootless && !userns)
    return werr_set (err, 0,
                     "config.json: linux.namespaces: a rootless container "
                     "needs a user namespace");
  if (!namespaces_has (cfg, OCI_NS_MOUNT))
    return werr_set (err, 0,
                     "config.json: linux.namespaces: a mount namespace is "
                     "required");
  if ((cfg->hostname && *cfg->hostname) && !ns_is_new (cfg, OCI_NS_UTS))
    return werr_set (err, 0,
                     "config.json: hostname: setting it needs a new uts "
                     "namespace");
  if ((cfg->domainname && *cfg->domainname) && !ns_is_new (cfg, OCI_NS_UTS))
    return werr_set (err, 0,
                     "config.json: domainname: setting it needs a new uts "
                     "namespace");
  if (l->n_time_offsets && !ns_is_new (cfg, OCI_NS_TIME))
    return werr_set (err, 0,
                     "config.json: linux.timeOffsets: needs a new time "
                     "namespace");
  for (size_t i = 0; i < l->n_namespaces; i++)
    if (l->namespaces[i].path && access (l->namespaces[i].path, F_OK) < 0)
      return werr_set (err, errno,
                       "config.json: linux.namespaces[%zu].path: `%s`", i,
                       l->namespaces[i].path);
  return 0;
}

int
namespaces_new_flags (const struct oci_config *cfg)
{
  int flags = 0;
  for (int t = 0; t < OCI_NS_COUNT; t++)
    if (ns_is_new (cfg, (enum oci_ns_type) t))
      flags |= ns_clone_flag[t];
  return flags;
}

int
namespaces_all_flags (const struct oci_config *cfg)
{
  int flags = 0;
  for (size_t i = 0; i < cfg->linux_.n_namespaces; i++)
    flags |= ns_clone_flag[cfg->linux_.namespaces[i].type];
  return flags;
}

static int
join_one (const struct oci_namespace *ns, struct werr *err)
{
  _cleanup_close_ int fd = open (ns->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return werr_set (err, errno, "open %s namespace `%s`",
                     oci_ns_type_name (ns->type), ns->path);
  /* Joining puts the container into a namespace an admin or engine made
   * (a pod's network namespace, say) instead of a fresh one. */
  if (setns (fd, ns_clone_flag[ns->type]) < 0)
    return werr_set (err, errno, "setns %s namespace `%s`",
                     oci_ns_type_name (ns->type), ns->path);
  return 0;
}

int
namespaces_join (const struct oci_config *cfg, struct werr *err)
{
  const struct oci_namespace *user = oci_config_namespace (cfg, OCI_NS_USER);
  if (user && user->path && join_one (user, err) < 0)
    return -1;
  for (size_t i = 0; i < cfg->linux_.n_namespaces; i++)
    {
      const struct oci_namespace *ns = &cfg->linux_.namespaces[i];
      if (ns->path && ns->type != OCI_NS_USER && join_one (ns, err) < 0)
        return -1;
    }
  return 0;
}
