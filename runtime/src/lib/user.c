/* ward — switching the container process to its configured user. */
#include "user.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ward/cleanup.h"

/* True when this user namespace forbids setgroups(2) (an unprivileged
 * mapping wrote "deny" to /proc/self/setgroups). */
static bool
setgroups_denied (void)
{
  _cleanup_close_ int fd = open ("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  char buf[16] = "";
  ssize_t n = read (fd, buf, sizeof buf - 1);
  return n >= 4 && strncmp (buf, "deny", 4) == 0;
}

static int
user_set_groups (const struct oci_user *u, struct werr *err)
{
  if (setgroups_denied ())
    {
      if (u->n_additional_gids == 0)
        return 0;
      return werr_set (err, 0,
                       "setgroups: process.user.additionalGids is set but "
                       "the user namespace denies setgroups");
    }
  _cleanup_free_ gid_t *gids = calloc (u->n_additional_gids + 1, sizeof *gids);
  if (gids == NULL)
    return werr_set (err, ENOMEM, "setgroups");
  for (size_t i = 0; i < u->n_additional_gids; i++)
    gids[i] = (gid_t) u->additional_gids[i];
  /* Replace, not extend, the runtime's supplementary groups: an empty list
   * leaves the container with none. */
  if (setgroups (u->n_additional_gids, gids) < 0)
    return werr_set (err, errno, "setgroups");
  return 0;
}

int
user_switch (const struct oci_user *u, struct werr *err)
{
  if (user_set_groups (u, err) < 0)
    return -1;
  /* The gid first: once the uid is no longer 0, changing it needs a
   * capability the process may no longer have in its effective set. */
  if (setresgid (u->gid, u->gid, u->gid) < 0)
    return werr_set (err, errno, "setresgid %u", (unsigned) u->gid);
  /* All three uids, so the process cannot switch back to the saved one. */
  if (setresuid (u->uid, u->uid, u->uid) < 0)
    return werr_set (err, errno, "setresuid %u", (unsigned) u->uid);
  umask (u->has_umask ? (mode_t) (u->umask & 07777) : 0022);
  return 0;
}
