/* ward — small file and string helpers shared by the runtime. */
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ward/cleanup.h"

ssize_t
write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  size_t done = 0;
  while (done < len)
    {
      ssize_t r = write (fd, p + done, len - done);
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          return -errno;
        }
      done += (size_t) r;
    }
  return (ssize_t) done;
}

ssize_t
read_all (int fd, void *buf, size_t len)
{
  char *p = buf;
  size_t done = 0;
  while (done < len)
    {
      ssize_t r = read (fd, p + done, len - done);
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          return -errno;
        }
      if (r == 0)
        break;
      done += (size_t) r;
    }
  return (ssize_t) done;
}

int
write_file_at (int dirfd, const char *path, const char *data, size_t len,
               struct werr *err)
{
  _cleanup_close_ int fd = openat (dirfd, path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0)
    return werr_set (err, errno, "open `%s`", path);
  ssize_t r = write_all (fd, data, len);
  if (r < 0)
    return werr_set (err, (int) -r, "write `%s`", path);
  return 0;
}

int
write_file (const char *path, const char *data, size_t len, struct werr *err)
{
  return write_file_at (AT_FDCWD, path, data, len, err);
}

int
write_file_atomic_at (int dirfd, const char *name, const char *data, size_t len,
                      mode_t mode, struct werr *err)
{
  _cleanup_free_ char *tmp = xasprintf (".%s.tmp", name);
  _cleanup_close_ int fd
      = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return werr_set (err, errno, "create `%s`", tmp);
  ssize_t r = write_all (fd, data, len);
  if (r < 0)
    {
      unlinkat (dirfd, tmp, 0);
      return werr_set (err, (int) -r, "write `%s`", tmp);
    }
  if (renameat (dirfd, tmp, dirfd, name) < 0)
    {
      int saved = errno;
      unlinkat (dirfd, tmp, 0);
      return werr_set (err, saved, "rename `%s` to `%s`", tmp, name);
    }
  return 0;
}

int
read_file_at (int dirfd, const char *path, char **out, size_t *len,
              struct werr *err)
{
  _cleanup_close_ int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return werr_set (err, errno, "open `%s`", path);
  size_t cap = 4096, used = 0;
  _cleanup_free_ char *buf = xmalloc0 (cap + 1);
  for (;;)
    {
      if (used == cap)
        {
          cap *= 2;
          char *n = realloc (buf, cap + 1);
          if (n == NULL)
            abort ();
          buf = n;
        }
      ssize_t r = read (fd, buf + used, cap - used);
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          return werr_set (err, errno, "read `%s`", path);
        }
      if (r == 0)
        break;
      used += (size_t) r;
    }
  buf[used] = '\0';
  if (len)
    *len = used;
  *out = take_ptr (&buf);
  return 0;
}

int
read_file (const char *path, char **out, size_t *len, struct werr *err)
{
  return read_file_at (AT_FDCWD, path, out, len, err);
}

int
mkdir_p (const char *path, mode_t mode, struct werr *err)
{
  _cleanup_free_ char *p = xstrdup (path);
  for (char *s = p + 1; *s; s++)
    {
      if (*s != '/')
        continue;
      *s = '\0';
      if (mkdir (p, mode) < 0 && errno != EEXIST)
        return werr_set (err, errno, "mkdir `%s`", p);
      *s = '/';
    }
  if (mkdir (p, mode) < 0 && errno != EEXIST)
    return werr_set (err, errno, "mkdir `%s`", p);
  return 0;
}

void *
xmalloc0 (size_t n)
{
  void *p = calloc (1, n ? n : 1);
  if (p == NULL)
    abort ();
  return p;
}

char *
xstrdup (const char *s)
{
  char *p = strdup (s);
  if (p == NULL)
    abort ();
  return p;
}

char *
xasprintf (const char *fmt, ...)
{
  va_list ap;
  char *p;
  va_start (ap, fmt);
  int r = vasprintf (&p, fmt, ap);
  va_end (ap);
  if (r < 0)
    abort ();
  return p;
}

void
rfc3339_now (char *buf, size_t len)
{
  struct timespec ts;
  struct tm tm;
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  char base[32];
  strftime (base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf, len, "%s.%09ldZ", base, ts.tv_nsec);
}

int
parse_uint (const char *s)
{
  if (s == NULL || *s == '\0')
    return -1;
  char *end;
  errno = 0;
  long v = strtol (s, &end, 10);
  if (errno || *end || v < 0 || v > INT_MAX)
    return -1;
  return (int) v;
}

int64_t
monotonic_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
