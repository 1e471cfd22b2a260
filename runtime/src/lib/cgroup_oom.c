/* ward — OOM notifications for `events`: the v1 memory controller signals
 * an eventfd registered through cgroup.event_control (and signals it once
 * more when the cgroup is removed); cgroup2 bumps "oom_kill" in
 * memory.events, watched with inotify. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "utils.h"
#include "ward/cleanup.h"

struct cgroup_oom
{
  int fd; /* eventfd (v1) or inotify (v2) */
  int oom_control_fd;
  bool v2;
  char *dir;
  uint64_t last; /* v2: oom_kill count seen so far */
};

void
cgroup_oom_free (struct cgroup_oom *w)
{
  if (w == NULL)
    return;
  if (w->fd >= 0)
    close (w->fd);
  if (w->oom_control_fd >= 0)
    close (w->oom_control_fd);
  free (w->dir);
  free (w);
}

static uint64_t
oom_kills (const char *dir)
{
  _cleanup_free_ char *s = NULL;
  struct werr ignored = { 0 };
  if (cgroup_read (dir, "memory.events", &s, &ignored) < 0)
    return 0;
  const char *p = strstr (s, "oom_kill ");
  return p ? strtoull (p + 9, NULL, 10) : 0;
}

static int
watch_v1 (struct cgroup_oom *w, struct werr *err)
{
  _cleanup_free_ char *ctl = xasprintf ("%s/memory.oom_control", w->dir);
  w->oom_control_fd = open (ctl, O_RDONLY | O_CLOEXEC);
  if (w->oom_control_fd < 0)
    return werr_set (err, errno, "open `%s`", ctl);
  w->fd = eventfd (0, EFD_CLOEXEC);
  if (w->fd < 0)
    return werr_set (err, errno, "eventfd");
  char line[64];
  snprintf (line, sizeof line, "%d %d", w->fd, w->oom_control_fd);
  return cgroup_write (w->dir, "cgroup.event_control", line, err);
}

static int
watch_v2 (struct cgroup_oom *w, struct werr *err)
{
  _cleanup_free_ char *events = xasprintf ("%s/memory.events", w->dir);
  w->v2 = true;
  w->last = oom_kills (w->dir);
  w->fd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
  if (w->fd < 0)
    return werr_set (err, errno, "inotify_init1");
  if (inotify_add_watch (w->fd, events, IN_MODIFY) < 0)
    return werr_set (err, errno, "inotify_add_watch `%s`", events);
  return 0;
}

int
cgroup_oom_watch (struct cgroup_mgr *mgr, struct cgroup_oom **out,
                  struct werr *err)
{
  *out = NULL;
  const struct cgroup_hier *v1 = NULL, *v2 = NULL;
  for (size_t i = 0; mgr && i < mgr->n_hier; i++)
    {
      const struct cgroup_hier *h = &mgr->hier[i];
      if (!h->unified && cgroup_has_controller (h->controllers, "memory"))
        v1 = h;
      else if (h->unified && cgroup_has_file (h->path, "memory.events"))
        v2 = h;
    }
  if (v1 == NULL && v2 == NULL)
    return 0;
  struct cgroup_oom *w = xmalloc0 (sizeof *w);
  w->fd = w->oom_control_fd = -1;
  w->dir = xstrdup (v1 ? v1->path : v2->path);
  if ((v1 ? watch_v1 (w, err) : watch_v2 (w, err)) < 0)
    {
      cgroup_oom_free (w);
      return werr_prefix (err, "watch for OOM events");
    }
  *out = w;
  return 0;
}

int
cgroup_oom_fd (const struct cgroup_oom *w)
{
  return w ? w->fd : -1;
}

int
cgroup_oom_read (struct cgroup_oom *w, unsigned *n, bool *gone,
                 struct werr *err)
{
  *n = 0;
  *gone = false;
  if (!w->v2)
    {
      uint64_t count = 0;
      if (read (w->fd, &count, sizeof count) < 0)
        return errno == EAGAIN ? 0 : werr_set (err, errno, "read eventfd");
      /* The eventfd also fires when the cgroup goes away. */
      if (!cgroup_has_file (w->dir, "cgroup.event_control"))
        *gone = true;
      else
        *n = (unsigned) count;
      return 0;
    }
  char buf[4096] __attribute__ ((aligned (__alignof__(struct inotify_event))));
  for (;;)
    {
      ssize_t r = read (w->fd, buf, sizeof buf);
      if (r < 0 && errno == EAGAIN)
        break;
      if (r < 0)
        return werr_set (err, errno, "read inotify");
      for (char *p = buf; p < buf + r;)
        {
          struct inotify_event *e = (struct inotify_event *) p;
          if (e->mask & IN_IGNORED)
            *gone = true;
          p += sizeof *e + e->len;
        }
    }
  uint64_t now = oom_kills (w->dir);
  if (now > w->last)
    *n = (unsigned) (now - w->last);
  w->last = now;
  return 0;
}
