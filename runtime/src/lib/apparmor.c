/* ward — AppArmor profiles (see apparmor.h). */
#include "apparmor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utils.h"
#include "ward/cleanup.h"

#define AA_ENABLED_PARAM "/sys/module/apparmor/parameters/enabled"

/* Cached: asked first in the runtime, where the host's /sys is visible;
 * the container's init inherits the answer through fork. */
static int aa_enabled = -1;

bool
apparmor_host_enabled (void)
{
  if (aa_enabled >= 0)
    return aa_enabled;
  struct stat st;
  char c = 0;
  _cleanup_close_ int fd = open (AA_ENABLED_PARAM, O_RDONLY | O_CLOEXEC);
  aa_enabled = stat ("/sys/kernel/security/apparmor", &st) == 0 && fd >= 0
               && read (fd, &c, 1) == 1 && c == 'Y';
  return aa_enabled;
}

static bool
is_unconfined (const char *profile)
{
  return strcmp (profile, "unconfined") == 0;
}

int
apparmor_validate (const char *profile, const char *field, struct werr *err)
{
  if (profile == NULL || *profile == '\0')
    return 0;
  if (strchr (profile, '\n'))
    return werr_set (err, 0, "%s: a profile name holds no newline", field);
  if (!apparmor_host_enabled () && !is_unconfined (profile))
    return werr_set (err, 0,
                     "%s: AppArmor profile \"%s\" given but AppArmor is not "
                     "enabled on this host",
                     field, profile);
  return 0;
}

int
apparmor_set_exec_profile (const char *profile, struct werr *err)
{
  if (profile == NULL || *profile == '\0')
    return 0;
  /* The stacking-aware file first; older kernels only have attr/exec,
   * owned by whichever LSM is the major one. */
  const char *path = "/proc/thread-self/attr/apparmor/exec";
  if (access (path, F_OK) < 0)
    path = "/proc/thread-self/attr/exec";
  _cleanup_free_ char *cmd = xasprintf ("exec %s", profile);
  _cleanup_close_ int fd = open (path, O_WRONLY | O_CLOEXEC);
  /* The kernel confines the process from its next execve on. */
  if (fd >= 0 && write (fd, cmd, strlen (cmd)) == (ssize_t) strlen (cmd))
    return 0;
  int e = errno;
  if ((e == EINVAL || e == ENOENT || e == EOPNOTSUPP)
      && !apparmor_host_enabled ())
    {
      /* "unconfined" is what the process already is. */
      if (is_unconfined (profile))
        return 0;
      return werr_set (err, 0,
                       "process.apparmorProfile: AppArmor profile \"%s\" "
                       "given but AppArmor is not enabled on this host",
                       profile);
    }
  return werr_set (err, e, "apply AppArmor profile \"%s\": write `%s`", profile,
                   path);
}
