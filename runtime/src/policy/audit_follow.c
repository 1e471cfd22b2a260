/* ward — `ward events ID` follows the container's audit stream: every line
 * of <state dir>/audit.jsonl, the ones already there and each new one,
 * printed as {"type":"audit","id":ID,"data":{…}} next to runc's stats and
 * oom events. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "audit.h"
#include "policy.h"
#include "utils.h"
#include "ward/cleanup.h"
#include "ward/json.h"

#define LINE_MAX_BYTES 65536

struct audit_follow
{
  int fd, inotify;
  char *id_json; /* the id as a JSON string */
  char buf[LINE_MAX_BYTES];
  size_t have;
};

struct audit_follow *
audit_follow_open (const char *root, const char *id)
{
  _cleanup_free_ char *path = xasprintf ("%s/%s/%s", root, id, AUDIT_FILE);
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return NULL; /* no policy, or nothing that writes an audit stream */
  struct audit_follow *f = xmalloc0 (sizeof *f);
  f->fd = fd;
  f->inotify = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
  if (f->inotify >= 0)
    inotify_add_watch (f->inotify, path, IN_MODIFY);
  struct jw *w = jw_new (false);
  jw_str (w, id);
  size_t len;
  if (jw_finish (w, &f->id_json, &len) < 0)
    f->id_json = xstrdup ("\"\"");
  return f;
}

int
audit_follow_fd (const struct audit_follow *f)
{
  return f ? f->inotify : -1;
}

static void
emit (const struct audit_follow *f, const char *line, size_t len)
{
  /* Lines come from ward itself: JSON objects, one per line. */
  if (len == 0 || line[0] != '{')
    return;
  printf ("{\"type\":\"audit\",\"id\":%s,\"data\":%.*s}\n", f->id_json,
          (int) len, line);
}

void
audit_follow_print (struct audit_follow *f)
{
  if (f == NULL)
    return;
  char drain[4096];
  while (f->inotify >= 0 && read (f->inotify, drain, sizeof drain) > 0)
    ;
  for (;;)
    {
      ssize_t n = read (f->fd, f->buf + f->have, sizeof f->buf - f->have);
      if (n <= 0)
        break;
      f->have += (size_t) n;
      char *start = f->buf, *nl;
      while ((nl = memchr (start, '\n', f->have - (size_t) (start - f->buf))))
        {
          emit (f, start, (size_t) (nl - start));
          start = nl + 1;
        }
      f->have -= (size_t) (start - f->buf);
      memmove (f->buf, start, f->have);
      if (f->have == sizeof f->buf) /* a line that never ends: drop it */
        f->have = 0;
    }
  fflush (stdout);
}

void
audit_follow_free (struct audit_follow *f)
{
  if (f == NULL)
    return;
  close (f->fd);
  if (f->inotify >= 0)
    close (f->inotify);
  free (f->id_json);
  free (f);
}
