/* ward — resolve paths inside the container's rootfs without escaping it.
 *
 * The rootfs is controlled by the image: any component may be a symlink to
 * "/../../etc" or similar.  Everything here resolves relative to an fd of
 * the rootfs, with symlinks and ".." clamped to that fd, as a chroot would.
 * openat2(RESOLVE_IN_ROOT) does it in the kernel; the fallback walks one
 * component at a time with O_NOFOLLOW and follows symlinks itself.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "path_in_root.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "utils.h"
#include "ward/cleanup.h"

#define MAX_SYMLINKS 40

bool path_in_root_no_openat2;

enum
{
  WALK_MKDIR_PARENTS = 1 << 0, /* create missing intermediate directories */
  WALK_CREATE_DIR = 1 << 1,    /* create the last component as a directory */
  WALK_CREATE_FILE = 1 << 2,   /* ... or as an empty regular file */
  WALK_NOFOLLOW = 1 << 3,      /* do not follow a symlink as last component */
};

static int
try_openat2 (int rootfd, const char *path, int flags, mode_t mode)
{
  if (path_in_root_no_openat2)
    return -ENOSYS;
  struct open_how how = {
    .flags = (uint64_t) (flags | O_CLOEXEC),
    .mode = (flags & O_CREAT) ? mode : 0,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  if (*path == '\0')
    path = ".";
  for (int attempt = 0; attempt < 16; attempt++)
    {
      long fd = syscall (SYS_openat2, rootfd, path, &how, sizeof how);
      if (fd >= 0)
        return (int) fd;
      /* EAGAIN: a concurrent rename made ".." resolution unsafe; retry. */
      if (errno != EAGAIN && errno != EINTR)
        return -errno;
    }
  return -EAGAIN;
}

/* The directories walked so far; fds[0] is the root and is not ours. */
struct walk_stack
{
  int *fds;
  size_t n, cap;
};

static void
stack_push (struct walk_stack *s, int fd)
{
  if (s->n == s->cap)
    {
      s->cap = s->cap ? s->cap * 2 : 16;
      s->fds = realloc (s->fds, s->cap * sizeof *s->fds);
      if (s->fds == NULL)
        abort ();
    }
  s->fds[s->n++] = fd;
}

static void
stack_pop_to (struct walk_stack *s, size_t depth)
{
  while (s->n > depth)
    {
      s->n--;
      if (s->n > 0)
        close (s->fds[s->n]);
    }
}

static int
create_missing (int dirfd, const char *name, bool last, int how, mode_t mode,
                bool *created)
{
  int r;
  if (!last && !(how & WALK_MKDIR_PARENTS))
    return -ENOENT;
  if (!last || (how & WALK_CREATE_DIR))
    r = mkdirat (dirfd, name, last ? mode : 0755);
  else if (how & WALK_CREATE_FILE)
    {
      r = openat (dirfd, name,
                  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
      if (r >= 0)
        r = close (r);
    }
  else
    return -ENOENT;
  if (r < 0 && errno != EEXIST)
    return -errno;
  if (r == 0 && last)
    *created = true;
  return 0;
}

/* Replace the walked component by the symlink's target.  Returns the new
 * remaining path (caller frees) or NULL with errno set. */
static char *
expand_symlink (int linkfd, const struct stat *st, const char *rest)
{
  size_t cap = st->st_size > 0 ? (size_t) st->st_size + 1 : PATH_MAX;
  _cleanup_free_ char *target = xmalloc0 (cap + 1);
  ssize_t n = readlinkat (linkfd, "", target, cap);
  if (n < 0)
    return NULL;
  if ((size_t) n >= cap)
    {
      errno = ENAMETOOLONG;
      return NULL;
    }
  target[n] = '\0';
  return xasprintf ("%s/%s", target, rest);
}

/* Open one component below the top of the stack, creating it if asked. */
static int
open_component (int dirfd, const char *name, bool last, int how, mode_t mode,
                bool *created)
{
  int fd = openat (dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0 || errno != ENOENT)
    return fd >= 0 ? fd : -errno;
  int r = create_missing (dirfd, name, last, how, mode, created);
  if (r < 0)
    return r;
  fd = openat (dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  return fd >= 0 ? fd : -errno;
}

/* Resolve `path` below rootfd one component at a time.  Returns an O_PATH
 * fd or -errno. */
static int
walk_in_root (int rootfd, const char *path, int how, mode_t mode, bool *created)
{
  struct walk_stack s = { 0 };
  _cleanup_free_ char *buf = xstrdup (path);
  const char *p = buf;
  unsigned links = 0;
  int result = -EINVAL;

  stack_push (&s, rootfd);
  for (;;)
    {
      while (*p == '/')
        p++;
      if (*p == '\0')
        {
          int fd = openat (s.fds[s.n - 1], ".", O_PATH | O_CLOEXEC);
          result = fd >= 0 ? fd : -errno;
          break;
        }
      const char *end = strchrnul (p, '/');
      size_t len = (size_t) (end - p);
      if (len > NAME_MAX)
        {
          result = -ENAMETOOLONG;
          break;
        }
      char name[NAME_MAX + 1];
      memcpy (name, p, len);
      name[len] = '\0';
      const char *next = end;
      while (*next == '/')
        next++;
      bool last = *next == '\0';

      if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
        {
          /* ".." never goes above the root: it is the root's own "..". */
          if (name[1] == '.' && s.n > 1)
            stack_pop_to (&s, s.n - 1);
          p = next;
          continue;
        }

      int fd = open_component (s.fds[s.n - 1], name, last, how, mode, created);
      if (fd < 0)
        {
          result = fd;
          break;
        }
      struct stat st;
      if (fstat (fd, &st) < 0)
        {
          result = -errno;
          close (fd);
          break;
        }
      if (S_ISLNK (st.st_mode) && !(last && (how & WALK_NOFOLLOW)))
        {
          char *expanded = ++links > MAX_SYMLINKS
                               ? (errno = ELOOP, NULL)
                               : expand_symlink (fd, &st, next);
          close (fd);
          if (expanded == NULL)
            {
              result = -errno;
              break;
            }
          /* An absolute target starts again from the container's "/". */
          if (expanded[0] == '/')
            stack_pop_to (&s, 1);
          free (buf);
          buf = expanded;
          p = buf;
          continue;
        }
      if (last)
        {
          result = fd;
          break;
        }
      if (!S_ISDIR (st.st_mode))
        {
          close (fd);
          result = -ENOTDIR;
          break;
        }
      stack_push (&s, fd);
      p = next;
    }
  stack_pop_to (&s, 0);
  free (s.fds);
  return result;
}

/* Turn the O_PATH fd from the walk into an fd opened with `flags`. */
static int
reopen (int pathfd, int flags)
{
  flags &= ~(O_CREAT | O_EXCL | O_NOFOLLOW | O_TRUNC);
  struct stat st;
  if (fstat (pathfd, &st) < 0)
    return -errno;
  if ((flags & O_DIRECTORY) && !S_ISDIR (st.st_mode))
    return -ENOTDIR;
  int fd;
  if (S_ISDIR (st.st_mode))
    fd = openat (pathfd, ".", flags | O_CLOEXEC);
  else
    {
      char proc[64];
      snprintf (proc, sizeof proc, "/proc/self/fd/%d", pathfd);
      fd = open (proc, flags | O_CLOEXEC);
    }
  return fd >= 0 ? fd : -errno;
}

static int
open_by_walk (int rootfd, const char *path, int flags, mode_t mode)
{
  int how = 0;
  if (flags & O_CREAT)
    how |= WALK_CREATE_FILE;
  if (flags & O_NOFOLLOW)
    how |= WALK_NOFOLLOW;
  bool created = false;
  _cleanup_close_ int fd = walk_in_root (rootfd, path, how, mode, &created);
  if (fd < 0)
    return fd;
  if ((flags & O_CREAT) && (flags & O_EXCL) && !created)
    return -EEXIST;
  if (flags & O_PATH)
    {
      struct stat st;
      if ((flags & O_DIRECTORY) && fstat (fd, &st) == 0
          && !S_ISDIR (st.st_mode))
        return -ENOTDIR;
      return take_fd (&fd);
    }
  int r = reopen (fd, flags);
  if (r >= 0 && (flags & O_TRUNC) && ftruncate (r, 0) < 0)
    {
      int saved = errno;
      close (r);
      return -saved;
    }
  return r;
}

int
open_in_root (int rootfd, const char *path, int flags, mode_t mode,
              struct werr *err)
{
  int fd = try_openat2 (rootfd, path, flags, mode);
  if (fd == -ENOSYS || fd == -E2BIG || fd == -EAGAIN)
    fd = open_by_walk (rootfd, path, flags, mode);
  if (fd < 0)
    return werr_set (err, -fd, "open `%s` in the container's rootfs", path);
  return fd;
}

int
mkpath_in_root (int rootfd, const char *path, bool is_dir, mode_t mode,
                struct werr *err)
{
  int fd = try_openat2 (rootfd, path, O_PATH, 0);
  if (fd < 0 && fd != -ENOENT && fd != -ENOSYS && fd != -E2BIG && fd != -EAGAIN)
    return werr_set (err, -fd, "open `%s` in the container's rootfs", path);
  if (fd < 0)
    {
      bool created = false;
      int how
          = WALK_MKDIR_PARENTS | (is_dir ? WALK_CREATE_DIR : WALK_CREATE_FILE);
      fd = walk_in_root (rootfd, path, how, mode, &created);
      if (fd < 0)
        return werr_set (err, -fd, "create `%s` in the container's rootfs",
                         path);
    }
  struct stat st;
  if (is_dir && (fstat (fd, &st) < 0 || !S_ISDIR (st.st_mode)))
    {
      close (fd);
      return werr_set (err, ENOTDIR, "create `%s` in the container's rootfs",
                       path);
    }
  return fd;
}

int
chdir_in_root (const char *path, bool create, struct werr *err)
{
  _cleanup_close_ int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return werr_set (err, errno, "open `/`");
  _cleanup_close_ int fd
      = create ? mkpath_in_root (rootfd, path, true, 0755, err)
               : open_in_root (rootfd, path, O_PATH | O_DIRECTORY, 0, err);
  if (fd < 0)
    return -1;
  if (fchdir (fd) < 0)
    return werr_set (err, errno, "chdir to `%s`", path);
  return 0;
}
