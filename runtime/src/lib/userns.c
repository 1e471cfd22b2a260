/* ward — uid/gid mappings of a new user namespace (see userns.h). */
#include "userns.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "utils.h"
#include "ward/cleanup.h"

static char *
format_map (const struct oci_id_mapping *m, size_t n)
{
  size_t cap = n * 40 + 1, used = 0;
  char *buf = xmalloc0 (cap);
  for (size_t i = 0; i < n; i++)
    used += (size_t) snprintf (buf + used, cap - used, "%u %u %u\n",
                               m[i].container_id, m[i].host_id, m[i].size);
  return buf;
}

static int
write_map_file (pid_t pid, const char *file, const struct oci_id_mapping *m,
                size_t n, struct werr *err)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/%s", (int) pid, file);
  _cleanup_free_ char *map = format_map (m, n);
  /* The kernel takes a map in one write(), and only once. */
  return write_file (path, map, strlen (map), err);
}

static int
run_map_helper (const char *helper, pid_t pid, const struct oci_id_mapping *m,
                size_t n, struct werr *err)
{
  size_t argc = 2 + 3 * n + 1;
  _cleanup_free_ char **argv = xmalloc0 (argc * sizeof *argv);
  _cleanup_free_ char *strs = xmalloc0 ((3 * n + 1) * 12);
  argv[0] = (char *) helper;
  argv[1] = strs;
  snprintf (strs, 12, "%d", (int) pid);
  for (size_t i = 0; i < n; i++)
    {
      uint32_t v[3] = { m[i].container_id, m[i].host_id, m[i].size };
      for (int k = 0; k < 3; k++)
        {
          char *s = strs + (1 + 3 * i + (size_t) k) * 12;
          snprintf (s, 12, "%u", v[k]);
          argv[2 + 3 * i + (size_t) k] = s;
        }
    }
  pid_t child = fork ();
  if (child < 0)
    return werr_set (err, errno, "fork %s", helper);
  if (child == 0)
    {
      execvp (helper, argv);
      dprintf (STDERR_FILENO, "ward: exec %s: %s\n", helper, strerror (errno));
      _exit (127);
    }
  int status;
  while (waitpid (child, &status, 0) < 0)
    if (errno != EINTR)
      return werr_set (err, errno, "wait for %s", helper);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return werr_set (err, 0,
                     "%s failed (exit %d): check /etc/sub%cid for this "
                     "user",
                     helper, WIFEXITED (status) ? WEXITSTATUS (status) : -1,
                     helper[3] == 'u' ? 'u' : 'g');
  return 0;
}

static bool
maps_only_self (const struct oci_id_mapping *m, size_t n, uint32_t self)
{
  return n == 1 && m[0].size == 1 && m[0].host_id == self;
}

int
userns_write_maps (pid_t pid, const struct oci_linux *l, bool rootless,
                   struct werr *err)
{
  if (!rootless)
    {
      if (write_map_file (pid, "uid_map", l->uid_mappings, l->n_uid_mappings,
                          err)
              < 0
          || write_map_file (pid, "gid_map", l->gid_mappings, l->n_gid_mappings,
                             err)
                 < 0)
        return werr_prefix (err, "user namespace mappings");
      return 0;
    }
  if (maps_only_self (l->uid_mappings, l->n_uid_mappings, getuid ()))
    {
      if (write_map_file (pid, "uid_map", l->uid_mappings, 1, err) < 0)
        return werr_prefix (err, "user namespace mappings");
    }
  else if (run_map_helper ("newuidmap", pid, l->uid_mappings, l->n_uid_mappings,
                           err)
           < 0)
    return -1;
  if (maps_only_self (l->gid_mappings, l->n_gid_mappings, getgid ()))
    {
      char path[64];
      snprintf (path, sizeof path, "/proc/%d/setgroups", (int) pid);
      /* Without privilege the kernel only allows our own gid once setgroups
       * is disabled for the namespace (else a process could drop groups
       * that deny it access). */
      if (write_file (path, "deny", 4, err) < 0
          || write_map_file (pid, "gid_map", l->gid_mappings, 1, err) < 0)
        return werr_prefix (err, "user namespace mappings");
    }
  else if (run_map_helper ("newgidmap", pid, l->gid_mappings, l->n_gid_mappings,
                           err)
           < 0)
    return -1;
  return 0;
}
