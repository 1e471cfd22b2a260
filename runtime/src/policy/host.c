/* ward — what this host can enforce: Landlock's ABI, SELinux, a cgroup2
 * hierarchy for BPF programs, KVM. */
#include <errno.h>
#include <linux/landlock.h>
#include <selinux/selinux.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "plan.h"
#include "rootless.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

int
policy_landlock_abi (void)
{
  long abi = syscall (SYS_landlock_create_ruleset, NULL, 0,
                      LANDLOCK_CREATE_RULESET_VERSION);
  return abi < 0 ? 0 : (int) abi;
}

static bool
is_cgroup2 (const char *path)
{
  struct statfs st;
  return statfs (path, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

void
policy_host_probe (struct policy_host *h)
{
  h->landlock_abi = policy_landlock_abi ();
  h->selinux = is_selinux_enabled () > 0;
  /* Root of a user namespace (rootless podman) is no more than the user. */
  h->rootless = geteuid () != 0 || running_in_userns ();
  /* Attaching cgroup programs needs CAP_SYS_ADMIN (or CAP_BPF and
   * CAP_NET_ADMIN) in the initial namespaces: root only. */
  h->cgroup_bpf = !h->rootless
                  && (is_cgroup2 ("/sys/fs/cgroup")
                      || is_cgroup2 ("/sys/fs/cgroup/unified"));
  h->kvm = access ("/dev/kvm", R_OK | W_OK) == 0;
}
