/* ward — the "cgroup" mount type.
 *
 * On a cgroup v1 or hybrid host the container sees runc's v1 layout: a
 * tmpfs at the destination and one directory per hierarchy ("cpu",
 * "memory", "name=systemd" as "systemd"), symlinks for co-mounted
 * controllers ("cpu" -> "cpu,cpuacct").  With a cgroup namespace each
 * hierarchy is mounted fresh (its root is the container's cgroup); without
 * one, the container's own cgroup directory is bound there.  A hybrid
 * host's cgroup2 tree (/sys/fs/cgroup/unified) is left out, as runc does.
 * On a unified host cgroup2 is mounted, or bound when the kernel refuses.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "path_in_root.h"
#include "utils.h"
#include "ward/cleanup.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define CGROUP_ROOT "/sys/fs/cgroup"

struct hierarchy
{
  char *subsys;     /* "cpu,cpuacct", "name=systemd" */
  char *path;       /* our cgroup in it, from /proc/self/cgroup */
  char *mountpoint; /* host mount point of the hierarchy */
  char *root;       /* root of that mount within the hierarchy */
};

struct hierarchies
{
  struct hierarchy *v;
  size_t n;
};

static void
hierarchies_free (struct hierarchies *h)
{
  for (size_t i = 0; i < h->n; i++)
    {
      free (h->v[i].subsys);
      free (h->v[i].path);
      free (h->v[i].mountpoint);
      free (h->v[i].root);
    }
  free (h->v);
}

static int
read_own_cgroups (struct hierarchies *h, struct werr *err)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/cgroup", "re");
  if (f == NULL)
    return werr_set (err, errno, "open `/proc/self/cgroup`");
  _cleanup_free_ char *line = NULL;
  size_t cap = 0;
  while (getline (&line, &cap, f) > 0)
    {
      line[strcspn (line, "\n")] = '\0';
      char *c1 = strchr (line, ':');
      char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      if (c2 == NULL || c2 == c1 + 1)
        continue; /* malformed, or the cgroup2 "0::/path" line */
      *c2 = '\0';
      h->v = realloc (h->v, (h->n + 1) * sizeof *h->v);
      if (h->v == NULL)
        abort ();
      h->v[h->n++] = (struct hierarchy){ .subsys = xstrdup (c1 + 1),
                                         .path = xstrdup (c2 + 1) };
    }
  return 0;
}

/* True when every controller of `subsys` is among the mount's options. */
static bool
superopts_cover (const char *superopts, const char *subsys)
{
  _cleanup_free_ char *want = xstrdup (subsys);
  char *save = NULL;
  for (char *w = strtok_r (want, ",", &save); w;
       w = strtok_r (NULL, ",", &save))
    {
      size_t n = strlen (w);
      const char *p = superopts;
      bool found = false;
      while (!found && (p = strstr (p, w)) != NULL)
        {
          found = (p == superopts || p[-1] == ',') && (p[n] == ',' || !p[n]);
          p += n;
        }
      if (!found)
        return false;
    }
  return true;
}

static int
match_mount (const struct mountinfo_entry *e, void *data)
{
  struct hierarchies *h = data;
  if (strcmp (e->fstype, "cgroup") != 0)
    return 0;
  for (size_t i = 0; i < h->n; i++)
    if (h->v[i].mountpoint == NULL
        && superopts_cover (e->superopts, h->v[i].subsys))
      {
        h->v[i].mountpoint = xstrdup (e->mountpoint);
        h->v[i].root = xstrdup (e->root);
        break;
      }
  return 0;
}

/* The host directory of our cgroup in a hierarchy, or NULL when the mount
 * does not show it (its root is outside our cgroup namespace). */
static char *
host_cgroup_dir (const struct hierarchy *hy)
{
  size_t rl = strlen (hy->root);
  if (strcmp (hy->root, "/") == 0)
    return xasprintf ("%s%s", hy->mountpoint, hy->path);
  if (strncmp (hy->path, hy->root, rl) == 0
      && (hy->path[rl] == '/' || hy->path[rl] == '\0'))
    return xasprintf ("%s%s", hy->mountpoint, hy->path + rl);
  return NULL;
}

static int
bind_hierarchy (struct rootfs_ctx *rc, const struct hierarchy *hy,
                const char *sub, int fd, const struct mount_opts *o,
                struct werr *err)
{
  _cleanup_free_ char *src = host_cgroup_dir (hy);
  if (src == NULL)
    return werr_set (err, ENOENT,
                     "cgroup `%s` (%s): our cgroup is not "
                     "visible under `%s`",
                     hy->subsys, rc->where, hy->mountpoint);
  if (mount_at (rc, src, fd, sub, NULL, MS_BIND | MS_REC, NULL, err) < 0)
    return -1;
  struct mount_opts b = *o;
  b.flags |= MS_BIND | MS_REC;
  return mount_finish (rc, sub, &b, true, ~(uint64_t) 0, err);
}

static int
mount_hierarchy (struct rootfs_ctx *rc, const char *dest,
                 const struct hierarchy *hy, const struct mount_opts *o,
                 struct werr *err)
{
  const char *base = strrchr (hy->mountpoint, '/');
  base = base ? base + 1 : hy->mountpoint;
  _cleanup_free_ char *sub = xasprintf ("%s/%s", dest, base);
  _cleanup_close_ int fd = mkpath_in_root (rc->rootfd, sub, true, 0755, err);
  if (fd < 0)
    return werr_prefix (err, "%s", rc->where);
  if (!rc->cgroupns)
    return bind_hierarchy (rc, hy, sub, fd, o, err);

  /* In a cgroup namespace a fresh mount shows the container's cgroup as
   * the root: nothing of the host's tree is visible. */
  unsigned long flags
      = MS_NOSUID | MS_NODEV | MS_NOEXEC | (o->flags & MS_RDONLY);
  const char *src
      = strncmp (hy->subsys, "name=", 5) == 0 ? hy->subsys + 5 : "cgroup";
  char p[PROCFD_LEN];
  if (mount (src, procfd_path (fd, p), "cgroup", flags, hy->subsys) == 0)
    {
      struct mount_opts plain = *o;
      plain.flags = 0, plain.cleared = 0;
      return mount_finish (rc, sub, &plain, false, ~(uint64_t) 0, err);
    }
  if (errno != EPERM && errno != EBUSY)
    return werr_set (err, errno, "mount cgroup `%s` on `%s` (%s)", hy->subsys,
                     sub, rc->where);
  return bind_hierarchy (rc, hy, sub, fd, o, err);
}

/* "cpu" -> "cpu,cpuacct" for each controller of a co-mounted hierarchy. */
static int
link_comounted (struct rootfs_ctx *rc, int dirfd, const struct hierarchy *hy,
                struct werr *err)
{
  const char *base = strrchr (hy->mountpoint, '/');
  base = base ? base + 1 : hy->mountpoint;
  if (strchr (base, ',') == NULL)
    return 0;
  _cleanup_free_ char *names = xstrdup (base);
  char *save = NULL;
  for (char *c = strtok_r (names, ",", &save); c;
       c = strtok_r (NULL, ",", &save))
    if (symlinkat (base, dirfd, c) < 0 && errno != EEXIST)
      return werr_set (err, errno, "symlink cgroup `%s` -> `%s` (%s)", c, base,
                       rc->where);
  return 0;
}

static int
mount_cgroup_v1 (struct rootfs_ctx *rc, const char *dest,
                 const struct mount_opts *o, struct werr *err)
{
  struct hierarchies h = { 0 };
  int r = read_own_cgroups (&h, err);
  if (r == 0)
    r = mountinfo_foreach (match_mount, &h, err);
  _cleanup_close_ int fd
      = r < 0 ? -1 : mkpath_in_root (rc->rootfd, dest, true, 0755, err);
  if (r == 0 && fd < 0)
    r = werr_prefix (err, "%s", rc->where);
  if (r == 0)
    r = mount_at (rc, "tmpfs", fd, dest, "tmpfs",
                  MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755", err);
  for (size_t i = 0; r == 0 && i < h.n; i++)
    if (h.v[i].mountpoint)
      r = mount_hierarchy (rc, dest, &h.v[i], o, err);
  _cleanup_close_ int dirfd
      = r < 0 ? -1 : open_in_root (rc->rootfd, dest, O_PATH, 0, err);
  if (r == 0 && dirfd < 0)
    r = werr_prefix (err, "%s", rc->where);
  for (size_t i = 0; r == 0 && i < h.n; i++)
    if (h.v[i].mountpoint)
      r = link_comounted (rc, dirfd, &h.v[i], err);
  hierarchies_free (&h);
  if (r < 0)
    return -1;
  /* The tmpfs holding the hierarchies follows the mount's ro and
   * propagation, like each hierarchy. */
  struct mount_opts top = *o;
  top.flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | (o->flags & MS_RDONLY);
  top.cleared = 0;
  return mount_finish (rc, dest, &top, true, ~(uint64_t) 0, err);
}

static int
mount_cgroup_v2 (struct rootfs_ctx *rc, const char *dest,
                 const struct mount_opts *o, struct werr *err)
{
  _cleanup_close_ int fd = mkpath_in_root (rc->rootfd, dest, true, 0755, err);
  if (fd < 0)
    return werr_prefix (err, "%s", rc->where);
  char p[PROCFD_LEN];
  /* The container's own cgroup directory, bound: the view a cgroup
   * namespace gives, without the host's tree, and without the cost of a
   * new cgroup2 superblock mount (tens of ms). */
  const char *own = rc->ctx->cgroup2_dir;
  if (own == NULL
      && mount ("cgroup2", procfd_path (fd, p), "cgroup2", o->flags,
                *o->data ? o->data : NULL)
             == 0)
    return mount_finish (rc, dest, o, false, ~(uint64_t) 0, err);
  int saved = errno;
  /* In a user namespace without its own cgroup namespace the kernel
   * refuses cgroup2: bind the host's tree, as runc does. */
  if (own == NULL && ((saved != EPERM && saved != EBUSY) || rc->cgroupns))
    return werr_set (err, saved, "mount `cgroup2` on `%s` (%s)", dest,
                     rc->where);
  if (mount_at (rc, own ? own : CGROUP_ROOT, fd, dest, NULL, MS_BIND | MS_REC,
                NULL, err)
      < 0)
    return -1;
  struct mount_opts b = *o;
  b.flags |= MS_BIND | MS_REC;
  return mount_finish (rc, dest, &b, true, ~(uint64_t) 0, err);
}

int
mount_cgroup (struct rootfs_ctx *rc, size_t i, const char *dest,
              const struct mount_opts *o, struct werr *err)
{
  (void) i;
  struct statfs sfs;
  if (statfs (CGROUP_ROOT, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
    return mount_cgroup_v2 (rc, dest, o, err);
  return mount_cgroup_v1 (rc, dest, o, err);
}
