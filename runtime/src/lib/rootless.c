/* ward — is this a rootless run? (see rootless.h) */
#include "rootless.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "utils.h"
#include "ward/cleanup.h"

bool
running_in_userns (void)
{
  /* Not cached: the container's init asks again inside its new user
   * namespace, and a forked copy of an answer would be wrong there. */
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/uid_map", "re");
  if (f == NULL)
    return false;
  unsigned long inside, outside, count;
  if (fscanf (f, "%lu %lu %lu", &inside, &outside, &count) != 3)
    return true;
  int more = fgetc (f);
  while (more == ' ' || more == '\n')
    more = fgetc (f);
  return !(inside == 0 && outside == 0 && count == 4294967295UL && more == EOF);
}

bool
rootless_cgroups (const char *flag)
{
  if (flag && strcmp (flag, "true") == 0)
    return true;
  if (flag && strcmp (flag, "false") == 0)
    return false;
  return geteuid () != 0 || running_in_userns ();
}

const char *
rootless_default_root (void)
{
  /* Kept for the life of the process (the global --root). */
  static char *root;
  if (root)
    return root;
  const char *xdg = getenv ("XDG_RUNTIME_DIR");
  bool rootless = geteuid () != 0 || running_in_userns ();
  if (rootless && xdg && *xdg)
    return root = xasprintf ("%s/ward", xdg);
  if (geteuid () == 0)
    return root = xstrdup ("/run/ward");
  return root = xasprintf ("/tmp/ward-%u", (unsigned) geteuid ());
}
