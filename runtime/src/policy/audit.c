/* ward — the JSON-lines audit stream (see audit.h). */
#include "audit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ward/cleanup.h"
#include "ward/json.h"

struct audit
{
  int fd;
  time_t window; /* CLOCK_MONOTONIC second of the current rate window */
  unsigned in_window;
  uint64_t suppressed;
};

static const char *const action_names[] = {
  [AUDIT_DNS] = "dns",           [AUDIT_CONNECT] = "connect",
  [AUDIT_SENDMSG] = "sendmsg",   [AUDIT_SECCOMP] = "seccomp",
  [AUDIT_LANDLOCK] = "landlock", [AUDIT_OPEN] = "open",
  [AUDIT_EXEC] = "exec",         [AUDIT_ACCEPT] = "accept",
  [AUDIT_BIND] = "bind",
};

const char *
audit_action_name (enum audit_action a)
{
  if ((size_t) a < ARRAY_SIZE (action_names) && action_names[a])
    return action_names[a];
  return "unknown";
}

int
audit_open (const char *state_dir, struct audit **out, struct werr *err)
{
  _cleanup_free_ char *path = NULL;
  if (asprintf (&path, "%s/%s", state_dir, AUDIT_FILE) < 0)
    return werr_set (err, ENOMEM, "audit: path under `%s`", state_dir);
  /* O_APPEND: every write lands at the end as one piece, whoever else
   * appends to the same file. */
  int fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
                 0600);
  if (fd < 0)
    return werr_set (err, errno, "open `%s`", path);
  *out = audit_from_fd (fd);
  if (*out == NULL)
    {
      close (fd);
      return werr_set (err, ENOMEM, "audit: allocate");
    }
  return 0;
}

struct audit *
audit_from_fd (int fd)
{
  struct audit *a = calloc (1, sizeof *a);
  if (a)
    a->fd = fd;
  return a;
}

void
audit_close (struct audit *a)
{
  if (a == NULL)
    return;
  if (a->fd >= 0)
    close (a->fd);
  free (a);
}

static void
format_time (const struct timespec *t, char *buf, size_t len)
{
  struct timespec now = *t;
  struct tm tm;
  char base[32];
  if (now.tv_sec == 0 && now.tv_nsec == 0)
    clock_gettime (CLOCK_REALTIME, &now);
  gmtime_r (&now.tv_sec, &tm);
  strftime (base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf, len, "%s.%09ldZ", base, now.tv_nsec);
}

static void
write_target (struct jw *w, const struct audit_event *ev)
{
  char addr[INET6_ADDRSTRLEN];
  jw_key (w, "target");
  jw_obj_open (w);
  if (ev->name)
    jw_kstr (w, "name", ev->name);
  if ((ev->family == AF_INET || ev->family == AF_INET6)
      && inet_ntop (ev->family, ev->addr, addr, sizeof addr))
    jw_kstr (w, "address", addr);
  if (ev->has_port)
    jw_kint (w, "port", ev->port);
  if (ev->protocol)
    jw_kstr (w, "protocol", ev->protocol);
  if (ev->path)
    jw_kstr (w, "path", ev->path);
  if (ev->syscall)
    jw_kstr (w, "syscall", ev->syscall);
  jw_obj_close (w);
}

char *
audit_format (const struct audit_event *ev, uint64_t suppressed, size_t *len)
{
  char when[64];
  struct jw *w = jw_new (false);
  format_time (&ev->time, when, sizeof when);
  jw_obj_open (w);
  jw_kstr (w, "time", when);
  jw_kstr (w, "container", ev->container_id ? ev->container_id : "");
  jw_kstr (w, "agent", ev->agent ? ev->agent : "");
  jw_kstr (w, "action", audit_action_name (ev->action));
  jw_kstr (w, "verdict",
           ev->verdict == AUDIT_DENIED ? "denied" : "allowed-audit");
  write_target (w, ev);
  if (ev->rule)
    jw_kstr (w, "rule", ev->rule);
  if (ev->detail)
    jw_kstr (w, "detail", ev->detail);
  if (suppressed)
    {
      jw_key (w, "suppressed");
      jw_uint (w, suppressed);
    }
  jw_obj_close (w);

  char *json = NULL;
  size_t n = 0;
  if (jw_finish (w, &json, &n) < 0)
    return NULL;
  char *line = realloc (json, n + 2);
  if (line == NULL)
    {
      free (json);
      return NULL;
    }
  line[n] = '\n';
  line[n + 1] = '\0';
  *len = n + 1;
  return line;
}

/* A container that hammers a denied door must not fill the disk: cap the
 * lines per second and say how many were dropped. */
static bool
rate_ok (struct audit *a)
{
  struct timespec now;
  clock_gettime (CLOCK_MONOTONIC, &now);
  if (now.tv_sec != a->window)
    {
      a->window = now.tv_sec;
      a->in_window = 0;
    }
  if (a->in_window >= AUDIT_RATE_MAX)
    {
      a->suppressed++;
      return false;
    }
  a->in_window++;
  return true;
}

int
audit_event (struct audit *a, const struct audit_event *ev)
{
  if (a == NULL)
    return 0;
  if (!rate_ok (a))
    return 0;
  size_t len = 0;
  _cleanup_free_ char *line = audit_format (ev, a->suppressed, &len);
  if (line == NULL)
    return -ENOMEM;
  ssize_t n;
  do
    n = write (a->fd, line, len);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -errno;
  if ((size_t) n != len)
    return -ENOSPC;
  a->suppressed = 0;
  return 0;
}
