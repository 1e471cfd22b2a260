/* ward — JSON documents the runtime prints: state, features, default spec. */
#ifndef WARD_OCI_OUTPUT_H
#define WARD_OCI_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ward/error.h"
#include "ward/oci_config.h"

#define WARD_OCI_VERSION "1.2.0"

/* What `ward state` prints (runtime-spec state + runc's extra fields). */
struct oci_state_view
{
  const char *oci_version;
  const char *id;
  const char *status; /* creating|created|running|paused|stopped */
  pid_t pid;          /* 0 when stopped: omitted */
  const char *bundle;
  const char *rootfs;
  const char *created; /* RFC 3339 */
  const char *owner;   /* "" for root */
  const struct oci_kvv *annotations;
};

int oci_state_json (const struct oci_state_view *st, bool pretty, char **out,
                    size_t *len, struct werr *err);

/* `ward features`: runtime-spec features.md document for this build. */
struct oci_features_view
{
  bool seccomp_enabled;
  bool apparmor_enabled;
  bool selinux_enabled;
  bool has_cgroup_v1, has_cgroup_v2, has_systemd;
  bool has_systemd_user, has_rdma; /* false when left unset */
  char *const *seccomp_actions;
  size_t n_seccomp_actions;
  char *const *seccomp_archs;
  size_t n_seccomp_archs;
  char *const *seccomp_operators;
  size_t n_seccomp_operators;
  char *const *capabilities; /* CAP_* names known to this kernel */
  size_t n_capabilities;
};

int oci_features_json (const struct oci_features_view *f, char **out,
                       size_t *len, struct werr *err);

/* `ward spec [--rootless]`: a default config.json like runc's. */
int oci_spec_default_json (bool rootless, char **out, size_t *len,
                           struct werr *err);

#endif
