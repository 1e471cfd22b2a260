/* ward — the plan, carried out in the container's init.
 *
 * Called after the rootfs is final (pivot_root done, masks and read-only
 * remounts in place) and right before credentials and the bundle's
 * seccomp, while the init still holds its capabilities:
 *   1. the loopback of a network namespace ward added goes up;
 *   2. denied paths are masked, and their bind-mount aliases too;
 *   3. no_new_privs (exec can never gain privileges; Landlock and seccomp
 *      need it or CAP_SYS_ADMIN);
 *   4. Landlock: from now on only the plan's paths are reachable;
 *   5. the agent's seccomp filter, stacked under the bundle's (which
 *      proc_attrs.c loads next).
 * Everything the container's process execs or forks inherits all of it. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "context.h"
#include "egress_names.h"
#include "landlock.h"
#include "policy.h"
#include "seccomp_profile.h"
#include "ward/cleanup.h"

static int
loopback_up (struct werr *err)
{
  _cleanup_close_ int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return werr_set (err, errno, "socket for the loopback");
  struct ifreq ifr = { 0 };
  strcpy (ifr.ifr_name, "lo");
  if (ioctl (fd, SIOCGIFFLAGS, &ifr) < 0)
    return werr_set (err, errno, "SIOCGIFFLAGS `lo`");
  ifr.ifr_flags |= IFF_UP;
  /* The namespace is the container's own and empty: only its loopback. */
  if (ioctl (fd, SIOCSIFFLAGS, &ifr) < 0)
    return werr_set (err, errno,
                     "bring up `lo` in the container's network "
                     "namespace");
  return 0;
}

static void
strv_free (char **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (v[i]);
  free (v);
}

int
policy_apply_in_init (const struct ward_ctx *ctx, struct werr *err)
{
  const struct policy_plan *plan = ctx->plan;
  if (plan == NULL)
    return 0;
  if (plan->net.netns == PLAN_NETNS_ADDED && loopback_up (err) < 0)
    return -1;
  if (egress_names_apply_in_init (plan, err) < 0)
    return -1;
  if (policy_mask_denied (plan->masks, plan->n_masks, err) < 0)
    return -1;
  char **aliases = NULL;
  size_t n_aliases = 0;
  if (plan->n_masks
      && policy_denied_aliases (plan, &aliases, &n_aliases, err) < 0)
    return -1;
  int rc = -1;
  if (policy_mask_denied (aliases, n_aliases, err) < 0)
    goto out;
  if (prctl (PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL) < 0)
    {
      werr_set (err, errno, "prctl PR_SET_NO_NEW_PRIVS");
      goto out;
    }
  if (policy_landlock_apply (plan, aliases, n_aliases, err) < 0)
    goto out;
  if (plan->sc.enabled && seccomp_profile_install (&plan->sc.filter, err) < 0)
    {
      werr_prefix (err, "policy");
      goto out;
    }
  rc = 0;
out:
  strv_free (aliases, n_aliases);
  return rc;
}
