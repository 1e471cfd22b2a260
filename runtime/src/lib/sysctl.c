/* ward — linux.sysctl: validation against the config's namespaces, and the
 * writes under the container's /proc/sys. */
#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc_attrs.h"
#include "ward/cleanup.h"

/* Key as a path under /proc/sys.  "kernel.shmmax" and "kernel/shmmax" are
 * the same key; in the dotted form a "/" stands for a "." inside a component
 * ("net.ipv4.conf.eth0/100.rp_filter", sysctl.d(5)).  NULL when a component
 * is empty, "." or "..", so the path cannot leave /proc/sys. */
static char *
sysctl_key_to_path (const char *key)
{
  size_t sep = strcspn (key, "./");
  bool dotted = key[sep] != '/';
  char *path = strdup (key);
  if (path == NULL)
    return NULL;
  if (dotted)
    for (char *c = path; *c; c++)
      *c = *c == '.' ? '/' : *c == '/' ? '.' : *c;
  const char *comp = path;
  for (;;)
    {
      size_t len = strcspn (comp, "/");
      if (len == 0 || (len == 1 && comp[0] == '.')
          || (len == 2 && comp[0] == '.' && comp[1] == '.'))
        {
          free (path);
          return NULL;
        }
      if (comp[len] == '\0')
        return path;
      comp += len + 1;
    }
}

/* The dotted spelling, used for the namespace rules. */
static char *
sysctl_key_dotted (const char *path)
{
  char *d = strdup (path);
  if (d != NULL)
    for (char *c = d; *c; c++)
      *c = *c == '/' ? '.' : *c == '.' ? '/' : *c;
  return d;
}

static const struct oci_namespace *
config_namespace (const struct oci_config *cfg, enum oci_ns_type type)
{
  if (!cfg->has_linux)
    return NULL;
  for (size_t i = 0; i < cfg->linux_.n_namespaces; i++)
    if (cfg->linux_.namespaces[i].type == type)
      return &cfg->linux_.namespaces[i];
  return NULL;
}

static bool
sysctl_is_ipc (const char *k)
{
  static const char *const ipc[]
      = { "kernel.msgmax", "kernel.msgmnb",         "kernel.msgmni",
          "kernel.sem",    "kernel.shmall",         "kernel.shmmax",
          "kernel.shmmni", "kernel.shm_rmid_forced" };
  for (size_t i = 0; i < ARRAY_SIZE (ipc); i++)
    if (strcmp (k, ipc[i]) == 0)
      return true;
  return strncmp (k, "fs.mqueue.", 10) == 0;
}

/* A network namespace joined by path may be our own ("host" here means the
 * runtime's current one, as in runc). */
static int
netns_is_ours (const char *path, bool *ours, struct werr *err)
{
  struct stat a, b;
  if (stat ("/proc/self/ns/net", &a) < 0)
    return werr_set (err, errno, "stat `/proc/self/ns/net`");
  if (stat (path, &b) < 0)
    return werr_set (err, errno, "config.json: linux.namespaces: stat `%s`",
                     path);
  *ours = a.st_dev == b.st_dev && a.st_ino == b.st_ino;
  return 0;
}

static int
sysctl_check_one (const struct oci_config *cfg, const char *key, const char *k,
                  struct werr *err)
{
  if (sysctl_is_ipc (k))
    {
      if (config_namespace (cfg, OCI_NS_IPC) != NULL)
        return 0;
      return werr_set (err, 0,
                       "config.json: linux.sysctl: \"%s\" is not allowed "
                       "without an ipc namespace",
                       key);
    }
  if (strncmp (k, "net.", 4) == 0)
    {
      const struct oci_namespace *ns = config_namespace (cfg, OCI_NS_NETWORK);
      bool ours = ns == NULL;
      if (ns != NULL && ns->path != NULL
          && netns_is_ours (ns->path, &ours, err) < 0)
        return -1;
      if (!ours)
        return 0;
      return werr_set (err, 0,
                       "config.json: linux.sysctl: \"%s\" is not allowed in "
                       "the host's network namespace",
                       key);
    }
  if (config_namespace (cfg, OCI_NS_UTS) != NULL)
    {
      if (strcmp (k, "kernel.domainname") == 0)
        return 0;
      if (strcmp (k, "kernel.hostname") == 0)
        return werr_set (err, 0,
                         "config.json: linux.sysctl: \"%s\" is not allowed: "
                         "it conflicts with the hostname field",
                         key);
    }
  return werr_set (err, 0,
                   "config.json: linux.sysctl: \"%s\" is not in a separate "
                   "kernel namespace",
                   key);
}

int
sysctl_validate (const struct oci_config *cfg, struct werr *err)
{
  if (!cfg->has_linux)
    return 0;
  const struct oci_kvv *s = &cfg->linux_.sysctl;
  for (size_t i = 0; i < s->n; i++)
    {
      const char *key = s->v[i].key;
      _cleanup_free_ char *path = sysctl_key_to_path (key);
      if (path == NULL)
        return werr_set (err, 0,
                         "config.json: linux.sysctl: invalid key \"%s\"", key);
      _cleanup_free_ char *dotted = sysctl_key_dotted (path);
      if (dotted == NULL)
        return werr_set (err, ENOMEM, "config.json: linux.sysctl");
      if (sysctl_check_one (cfg, key, dotted, err) < 0)
        return -1;
    }
  return 0;
}

/* Walk `path` below `dirfd` one component at a time, refusing symlinks; the
 * fallback for kernels without openat2(2). */
static int
open_beneath_walk (int dirfd, char *path)
{
  _cleanup_close_ int cur = -1;
  int at = dirfd;
  char *comp = path;
  for (;;)
    {
      char *slash = strchr (comp, '/');
      if (slash == NULL)
        return openat (at, comp, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
      *slash = '\0';
      int next
          = openat (at, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      *slash = '/';
      if (next < 0)
        return -1;
      if (cur >= 0)
        close (cur);
      cur = next;
      at = cur;
      comp = slash + 1;
    }
}

static int
open_sysctl (int procsys, char *path)
{
  struct open_how how = {
    .flags = O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
  };
  int fd = (int) syscall (SYS_openat2, procsys, path, &how, sizeof how);
  if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
    return fd;
  /* ENOSYS: an old kernel; EPERM: a seccomp filter of an outer runtime. */
  return open_beneath_walk (procsys, path);
}

int
sysctl_apply (const struct oci_kvv *sysctl, struct werr *err)
{
  if (sysctl == NULL || sysctl->n == 0)
    return 0;
  _cleanup_close_ int procsys
      = open ("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (procsys < 0)
    return werr_set (err, errno, "open `/proc/sys`");
  /* The values must reach the kernel, not a file the container's image or
   * an earlier mount put over /proc. */
  struct statfs sfs;
  if (fstatfs (procsys, &sfs) < 0)
    return werr_set (err, errno, "statfs `/proc/sys`");
  if (sfs.f_type != PROC_SUPER_MAGIC)
    return werr_set (err, 0, "`/proc/sys` is not on a proc file system");

  for (size_t i = 0; i < sysctl->n; i++)
    {
      const char *key = sysctl->v[i].key;
      const char *value = sysctl->v[i].value ? sysctl->v[i].value : "";
      _cleanup_free_ char *path = sysctl_key_to_path (key);
      if (path == NULL)
        return werr_set (err, EINVAL, "sysctl \"%s\"", key);
      _cleanup_close_ int fd = open_sysctl (procsys, path);
      if (fd < 0)
        return werr_set (err, errno, "sysctl \"%s\": open `/proc/sys/%s`", key,
                         path);
      size_t len = strlen (value);
      ssize_t w = write (fd, value, len);
      if (w < 0)
        return werr_set (err, errno, "sysctl \"%s\": write `/proc/sys/%s`", key,
                         path);
      if ((size_t) w != len)
        return werr_set (err, EIO,
                         "sysctl \"%s\": short write to "
                         "`/proc/sys/%s`",
                         key, path);
    }
  return 0;
}
