/* ward — Landlock denials from the kernel's audit log into the container's
 * audit stream (see audit_kernel.h). */
#include "audit_kernel.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "doc.h"
#include "log.h"
#include "plan.h"
#include "utils.h"
#include "ward/cleanup.h"

#ifndef CAP_AUDIT_READ
#define CAP_AUDIT_READ 37
#endif

/* From linux/audit.h, which does not go with audit.h (its AUDIT_SECCOMP
 * is a macro there). */
#define AK_AUDIT_GET 1000
#define AK_NLGRP_READLOG 1
struct ak_audit_status
{
  uint32_t mask, enabled; /* the rest of struct audit_status is not read */
};

/* ---- is kernel audit on? ----------------------------------------------- */

static enum ak_status status_cached = AK_UNKNOWN;
static bool status_asked;
static char status_why[96];

static int
audit_socket (bool nonblock)
{
  return socket (AF_NETLINK,
                 SOCK_RAW | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0),
                 NETLINK_AUDIT);
}

/* AUDIT_GET, without NLM_F_ACK: the answer is the status or an error. */
static int
ask_status (bool *enabled)
{
  _cleanup_close_ int fd = audit_socket (false);
  if (fd < 0)
    return -errno;
  struct nlmsghdr req = { .nlmsg_len = NLMSG_LENGTH (0),
                          .nlmsg_type = AK_AUDIT_GET,
                          .nlmsg_flags = NLM_F_REQUEST,
                          .nlmsg_seq = 1 };
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  if (sendto (fd, &req, req.nlmsg_len, 0, (struct sockaddr *) &kernel,
              sizeof kernel)
      < 0)
    return -errno;
  for (int tries = 0; tries < 4; tries++)
    {
      struct pollfd p = { .fd = fd, .events = POLLIN };
      if (poll (&p, 1, 1000) <= 0)
        return -ETIMEDOUT;
      char buf[8192] __attribute__ ((aligned (NLMSG_ALIGNTO)));
      ssize_t got = recv (fd, buf, sizeof buf, 0);
      if (got < 0)
        return -errno;
      int n = (int) got;
      for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK (h, n);
           h = NLMSG_NEXT (h, n))
        {
          if (h->nlmsg_type == NLMSG_ERROR)
            {
              struct nlmsgerr *e = NLMSG_DATA (h);
              if (h->nlmsg_len >= NLMSG_LENGTH (sizeof *e) && e->error)
                return e->error;
              continue;
            }
          if (h->nlmsg_type != AK_AUDIT_GET)
            continue;
          struct ak_audit_status s = { 0 };
          size_t len = h->nlmsg_len - NLMSG_HDRLEN;
          memcpy (&s, NLMSG_DATA (h), len < sizeof s ? len : sizeof s);
          *enabled = s.enabled != 0;
          return 0;
        }
    }
  return -EPROTO;
}

enum ak_status
audit_kernel_status (const char **why)
{
  if (!status_asked)
    {
      bool enabled = false;
      int r = ask_status (&enabled);
      status_asked = true;
      if (r < 0)
        snprintf (status_why, sizeof status_why, "AUDIT_GET: %s",
                  strerror (-r));
      status_cached = r < 0 ? AK_UNKNOWN : enabled ? AK_ENABLED : AK_DISABLED;
    }
  if (why)
    *why = status_why;
  return status_cached;
}

static bool
have_audit_read (void)
{
  struct __user_cap_header_struct h
      = { .version = _LINUX_CAPABILITY_VERSION_3 };
  struct __user_cap_data_struct d[2] = { 0 };
  if (syscall (SYS_capget, &h, d) < 0)
    return false;
  return (d[CAP_AUDIT_READ / 32].effective >> (CAP_AUDIT_READ % 32)) & 1;
}

const char *
audit_kernel_report_word (void)
{
  switch (audit_kernel_status (NULL))
    {
    case AK_ENABLED:
      return have_audit_read () ? "on" : "unreadable";
    case AK_DISABLED:
      return "off";
    default:
      return "unknown";
    }
}

void
audit_kernel_explain (FILE *o)
{
  const char *why = NULL;
  switch (audit_kernel_status (&why))
    {
    case AK_ENABLED:
      if (have_audit_read ())
        fprintf (o, "  Landlock denials: reported in the audit stream (read "
                    "from the kernel's audit log by the monitor)\n");
      else
        fprintf (o, "  Landlock denials: not reported (kernel audit is on, "
                    "but reading it needs CAP_AUDIT_READ)\n");
      break;
    case AK_DISABLED:
      fprintf (o, "  Landlock denials: not reported (kernel audit "
                  "disabled)\n");
      break;
    default:
      fprintf (o,
               "  Landlock denials: not reported (kernel audit status "
               "unknown: %s)\n",
               why);
    }
}

/* ---- the record text ---------------------------------------------------- */

static bool
parse_u64 (const char *s, size_t n, int base, uint64_t *out)
{
  char buf[24];
  if (n == 0 || n >= sizeof buf)
    return false;
  memcpy (buf, s, n);
  buf[n] = '\0';
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull (buf, &end, base);
  if (errno || *end || buf[0] == '-' || buf[0] == '+')
    return false;
  *out = v;
  return true;
}

static int
hexval (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* An untrusted string as audit writes it: "quoted" when it is plain
 * printable text, hex (two digits a byte) otherwise; anything else
 * ("<too_long>") kept as it is.  Truncated to fit. */
static void
untrusted (const char *v, size_t n, bool quoted, char *out, size_t len)
{
  bool hex = !quoted && n > 0 && n % 2 == 0;
  for (size_t i = 0; hex && i < n; i++)
    hex = hexval (v[i]) >= 0;
  size_t o = 0;
  if (hex)
    for (size_t i = 0; i + 1 < n && o + 1 < len; i += 2)
      {
        char c = (char) (hexval (v[i]) << 4 | hexval (v[i + 1]));
        if (c == '\0')
          break;
        out[o++] = c;
      }
  else
    for (size_t i = 0; i < n && o + 1 < len; i++)
      out[o++] = v[i];
  out[o] = '\0';
}

static void
raw (const char *v, size_t n, char *out, size_t len)
{
  size_t k = n < len - 1 ? n : len - 1;
  memcpy (out, v, k);
  out[k] = '\0';
}

/* "audit(1729738800.268:30): " */
static const char *
parse_stamp (const char *p, const char *end, struct ak_record *r)
{
  if (end - p < 6 || memcmp (p, "audit(", 6) != 0)
    return p; /* no stamp: the time is left zero (now) */
  p += 6;
  const char *dot = memchr (p, '.', (size_t) (end - p));
  const char *colon = dot ? memchr (dot, ':', (size_t) (end - dot)) : NULL;
  const char *close
      = colon ? memchr (colon, ')', (size_t) (end - colon)) : NULL;
  uint64_t sec, ms, serial;
  if (close == NULL || !parse_u64 (p, (size_t) (dot - p), 10, &sec)
      || !parse_u64 (dot + 1, (size_t) (colon - dot - 1), 10, &ms)
      || !parse_u64 (colon + 1, (size_t) (close - colon - 1), 10, &serial)
      || ms > 999 || serial > UINT32_MAX)
    return NULL;
  r->time.tv_sec = (time_t) sec;
  r->time.tv_nsec = (long) ms * 1000000L;
  r->serial = (uint32_t) serial;
  p = close + 1;
  if (p < end && *p == ':')
    p++;
  return p;
}

static bool
key_is (const char *k, size_t kn, const char *want)
{
  return strlen (want) == kn && memcmp (k, want, kn) == 0;
}

static bool
parse_addr (const char *v, size_t n, struct ak_record *r)
{
  char buf[64];
  if (n >= sizeof buf)
    return false;
  raw (v, n, buf, sizeof buf);
  if (inet_pton (AF_INET, buf, r->addr) == 1)
    r->family = AF_INET;
  else if (inet_pton (AF_INET6, buf, r->addr) == 1)
    r->family = AF_INET6;
  return true;
}

/* One key=value; false: the value is malformed. */
static bool
field (struct ak_record *r, const char *k, size_t kn, const char *v, size_t vn,
       bool quoted)
{
  uint64_t u;
  if (key_is (k, kn, "domain"))
    return (r->has_domain = parse_u64 (v, vn, 16, &r->domain));
  if (key_is (k, kn, "blockers"))
    raw (v, vn, r->blockers, sizeof r->blockers);
  else if (key_is (k, kn, "path"))
    untrusted (v, vn, quoted, r->object, sizeof r->object);
  else if (key_is (k, kn, "name") && r->object[0] == '\0')
    untrusted (v, vn, quoted, r->object, sizeof r->object);
  else if (key_is (k, kn, "dev"))
    untrusted (v, vn, quoted, r->dev, sizeof r->dev);
  else if (key_is (k, kn, "exe"))
    untrusted (v, vn, quoted, r->exe, sizeof r->exe);
  else if (key_is (k, kn, "ino"))
    return (r->has_ino = parse_u64 (v, vn, 10, &r->ino));
  else if (key_is (k, kn, "status"))
    {
      r->allocated = key_is (v, vn, "allocated");
      r->deallocated = key_is (v, vn, "deallocated");
    }
  else if (key_is (k, kn, "denials"))
    return parse_u64 (v, vn, 10, &r->denials);
  else if (key_is (k, kn, "pid"))
    {
      if (!parse_u64 (v, vn, 10, &u) || u == 0 || u > INT32_MAX)
        return false;
      r->pid = (pid_t) u;
    }
  else if (key_is (k, kn, "daddr")
           || (key_is (k, kn, "laddr") && r->family == 0))
    return parse_addr (v, vn, r);
  else if (key_is (k, kn, "dport") || (key_is (k, kn, "lport") && !r->has_port))
    {
      if (!parse_u64 (v, vn, 10, &u) || u > 65535)
        return false;
      r->has_port = true;
      r->port = (uint16_t) u;
    }
  return true;
}

static bool
record_complete (const struct ak_record *r)
{
  switch (r->type)
    {
    case AK_TYPE_LANDLOCK_ACCESS:
      return r->has_domain && r->blockers[0];
    case AK_TYPE_LANDLOCK_DOMAIN:
      return r->has_domain && ((r->allocated && r->pid > 0) || r->deallocated);
    default:
      return r->pid > 0;
    }
}

int
audit_kernel_parse (int type, const char *text, size_t len, struct ak_record *r)
{
  memset (r, 0, sizeof *r);
  r->type = type;
  if (type != AK_TYPE_LANDLOCK_ACCESS && type != AK_TYPE_LANDLOCK_DOMAIN
      && type != AK_TYPE_SYSCALL)
    return -1;
  const char *nul = memchr (text, '\0', len);
  const char *end = nul ? nul : text + len;
  const char *p = parse_stamp (text, end, r);
  if (p == NULL)
    return -1;
  while (p < end)
    {
      while (p < end && *p == ' ')
        p++;
      const char *k = p;
      while (p < end && *p != '=' && *p != ' ')
        p++;
      if (p >= end || *p != '=')
        continue; /* a word without a value */
      size_t kn = (size_t) (p - k);
      const char *v = ++p;
      bool quoted = p < end && *p == '"';
      if (quoted)
        {
          const char *q = memchr (p + 1, '"', (size_t) (end - p - 1));
          if (q == NULL)
            return -1; /* cut off inside a quoted value */
          v = p + 1;
          p = q + 1;
        }
      else
        while (p < end && *p != ' ')
          p++;
      size_t vn = (size_t) (p - v) - (quoted ? 1 : 0);
      if (!field (r, k, kn, v, vn, quoted))
        return -1;
    }
  return record_complete (r) ? 0 : -1;
}

/* ---- which domains are the container's ---------------------------------- */

static bool
known (const uint64_t *v, size_t n, uint64_t d)
{
  for (size_t i = 0; i < n; i++)
    if (v[i] == d)
      return true;
  return false;
}

static void
remember (uint64_t *v, size_t *n, size_t *next, uint64_t d)
{
  if (known (v, *n, d))
    return;
  if (*n < AK_DOMAINS)
    v[(*n)++] = d;
  else
    {
      v[*next] = d;
      *next = (*next + 1) % AK_DOMAINS;
    }
}

static void
forget (uint64_t *v, size_t *n, size_t *next, uint64_t d)
{
  for (size_t i = 0; i < *n; i++)
    if (v[i] == d)
      {
        v[i] = v[--*n];
        *next = 0;
        return;
      }
}

/* Emit (ours) or drop the waiting records of `d`, keeping the others'
 * order. */
static void
settle (struct ak_tracker *t, uint64_t d, bool ours, ak_emit_fn emit, void *ctx)
{
  size_t kept = 0;
  for (size_t i = 0; i < t->n_pending; i++)
    {
      struct ak_record *p = t->pending[i];
      if (p->domain != d)
        {
          t->pending[kept++] = p;
          continue;
        }
      if (ours)
        emit (ctx, p);
      free (p);
    }
  t->n_pending = kept;
}

static void
decide (struct ak_tracker *t, uint64_t d, int ours, ak_emit_fn emit, void *ctx)
{
  if (ours < 0)
    return; /* the process is gone: let a later record decide */
  if (ours)
    {
      forget (t->foreign, &t->n_foreign, &t->next_foreign, d);
      remember (t->mine, &t->n_mine, &t->next_mine, d);
    }
  else
    {
      forget (t->mine, &t->n_mine, &t->next_mine, d);
      remember (t->foreign, &t->n_foreign, &t->next_foreign, d);
    }
  settle (t, d, ours > 0, emit, ctx);
}

static void
wait_for_domain (struct ak_tracker *t, const struct ak_record *r)
{
  if (t->n_pending == AK_PENDING)
    {
      free (t->pending[0]);
      memmove (t->pending, t->pending + 1,
               (AK_PENDING - 1) * sizeof *t->pending);
      t->n_pending--;
    }
  struct ak_record *copy = malloc (sizeof *copy);
  if (copy == NULL)
    return;
  *copy = *r;
  t->pending[t->n_pending++] = copy;
}

void
ak_tracker_feed (struct ak_tracker *t, const struct ak_record *r,
                 ak_emit_fn emit, void *ctx)
{
  switch (r->type)
    {
    case AK_TYPE_LANDLOCK_ACCESS:
      if (known (t->mine, t->n_mine, r->domain))
        emit (ctx, r);
      else if (!known (t->foreign, t->n_foreign, r->domain))
        wait_for_domain (t, r);
      break;
    case AK_TYPE_LANDLOCK_DOMAIN:
      if (r->allocated)
        decide (t, r->domain, t->ours (t->ours_ctx, r->pid), emit, ctx);
      else if (r->deallocated)
        {
          /* It never shows again. */
          forget (t->mine, &t->n_mine, &t->next_mine, r->domain);
          forget (t->foreign, &t->n_foreign, &t->next_foreign, r->domain);
          settle (t, r->domain, false, emit, ctx);
        }
      break;
    case AK_TYPE_SYSCALL:
      /* The same event as a waiting record: its pid is the denied task. */
      for (size_t i = 0; i < t->n_pending; i++)
        if (t->pending[i]->serial == r->serial
            && t->pending[i]->time.tv_sec == r->time.tv_sec)
          {
            decide (t, t->pending[i]->domain, t->ours (t->ours_ctx, r->pid),
                    emit, ctx);
            break;
          }
      break;
    }
}

void
ak_tracker_clear (struct ak_tracker *t)
{
  for (size_t i = 0; i < t->n_pending; i++)
    free (t->pending[i]);
  t->n_pending = 0;
}

/* ---- the audit line --------------------------------------------------- */

static const char *
fs_rule (const struct policy_plan *plan, const char *path)
{
  const struct plan_fs_rule *best = NULL;
  for (size_t i = 0; path[0] == '/' && i < plan->fs.n_rules; i++)
    {
      const struct plan_fs_rule *f = &plan->fs.rules[i];
      if (pol_path_under (path, f->path)
          && (best == NULL || strlen (f->path) > strlen (best->path)))
        best = f;
    }
  return best && best->where ? best->where : "filesystem";
}

void
audit_kernel_event (const struct policy_plan *plan, const struct ak_record *r,
                    struct audit_event *ev)
{
  bool net = strncmp (r->blockers, "net.", 4) == 0;
  bool fs = strncmp (r->blockers, "fs.", 3) == 0;
  *ev = (struct audit_event){
    .time = r->time,
    .container_id = plan->id,
    .agent = plan->agent,
    .action = net ? AUDIT_CONNECT : AUDIT_LANDLOCK,
    .verdict = plan->audit ? AUDIT_ALLOWED_AUDIT : AUDIT_DENIED,
    .path = r->object[0] ? r->object : NULL,
    .detail = r->blockers,
  };
  if (net)
    {
      ev->rule = "network";
      ev->protocol = "tcp";
      ev->has_port = r->has_port;
      ev->port = r->port;
      ev->family = r->family;
      memcpy (ev->addr, r->addr, sizeof ev->addr);
    }
  else
    ev->rule = fs ? fs_rule (plan, r->object) : "landlock.scope";
}

/* ---- the monitor's reader ----------------------------------------------- */

struct audit_kernel
{
  int nl;
  int audit_fd;
  struct audit *audit;
  const struct policy_plan *plan;
  pid_t init;
  char *cgroup; /* the container's cgroup2 path as /proc/PID/cgroup says */
  struct ak_tracker tracker;
};

static int
pid_ours (void *ctx, pid_t pid)
{
  struct audit_kernel *k = ctx;
  if (pid == k->init)
    return 1;
  struct werr err = { 0 };
  _cleanup_free_ char *cg = cgroup_pid_path (pid, NULL, &err);
  if (cg == NULL)
    return err.errnum == ENOENT || err.errnum == ESRCH ? -1 : 0;
  return k->cgroup && pol_path_under (cg, k->cgroup);
}

static void
emit_line (void *ctx, const struct ak_record *r)
{
  struct audit_kernel *k = ctx;
  struct audit_event ev;
  audit_kernel_event (k->plan, r, &ev);
  audit_event (k->audit, &ev);
}

/* Subscribe to the kernel's read-only copy of every audit record. */
static int
open_readlog (struct werr *err)
{
  _cleanup_close_ int fd = audit_socket (true);
  if (fd < 0)
    return werr_set (err, errno, "socket NETLINK_AUDIT");
  /* A burst of other records must not push ours out: a large buffer
   * (SO_RCVBUFFORCE needs CAP_NET_ADMIN; without it the normal limit). */
  int size = 4 << 20;
  if (setsockopt (fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
    setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  /* The kernel checks CAP_AUDIT_READ here, once: the monitor reads on
   * without any capability. */
  struct sockaddr_nl sa
      = { .nl_family = AF_NETLINK, .nl_groups = 1U << (AK_NLGRP_READLOG - 1) };
  if (bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    return werr_set (err, errno,
                     "bind the audit multicast group (needs "
                     "CAP_AUDIT_READ)");
  return take_fd (&fd);
}

void
audit_kernel_prepare (const struct policy_plan *plan, int state_dirfd,
                      pid_t init, const struct cgroup_mgr *cgroup,
                      struct audit_kernel **out)
{
  *out = NULL;
  if (!plan->fs.landlock || audit_kernel_status (NULL) != AK_ENABLED)
    return;
  struct werr err = { 0 };
  int nl = open_readlog (&err);
  if (nl < 0)
    {
      log_warn ("policy: Landlock denials will not be in the audit stream: "
                "%s",
                err.msg);
      return;
    }
  int afd
      = openat (state_dirfd, AUDIT_FILE,
                O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (afd < 0)
    {
      log_warn ("policy: Landlock denials will not be in the audit stream: "
                "open `%s`: %s",
                AUDIT_FILE, strerror (errno));
      close (nl);
      return;
    }
  struct audit_kernel *k = xmalloc0 (sizeof *k);
  k->nl = nl;
  k->audit_fd = afd;
  k->plan = plan;
  k->init = init;
  /* The init is in the container's cgroup by now: its cgroup2 path is the
   * one other pids are compared with. */
  struct werr ignored = { 0 };
  if (cgroup_unified_path (cgroup))
    k->cgroup = cgroup_pid_path (init, NULL, &ignored);
  k->tracker.ours = pid_ours;
  k->tracker.ours_ctx = k;
  *out = k;
}

void
audit_kernel_lift (struct audit_kernel *k)
{
  if (k == NULL)
    return;
  int *fds[] = { &k->nl, &k->audit_fd };
  for (size_t i = 0; i < ARRAY_SIZE (fds); i++)
    {
      int moved = fcntl (*fds[i], F_DUPFD_CLOEXEC, 64);
      if (moved >= 0)
        {
          close (*fds[i]);
          *fds[i] = moved;
        }
    }
}

int
audit_kernel_park (struct audit_kernel *k, int first)
{
  if (k == NULL)
    return first;
  int *fds[] = { &k->nl, &k->audit_fd };
  for (size_t i = 0; i < ARRAY_SIZE (fds); i++)
    {
      int to = first + (int) i;
      if (*fds[i] != to && dup3 (*fds[i], to, O_CLOEXEC) >= 0)
        *fds[i] = to;
    }
  k->audit = audit_from_fd (k->audit_fd);
  return first + (int) ARRAY_SIZE (fds);
}

int
audit_kernel_fd (const struct audit_kernel *k)
{
  return k ? k->nl : -1;
}

void
audit_kernel_read (struct audit_kernel *k)
{
  if (k == NULL)
    return;
  static char buf[65536] __attribute__ ((aligned (NLMSG_ALIGNTO)));
  static struct ak_record rec;
  for (int batch = 0; batch < 256; batch++)
    {
      ssize_t got = recv (k->nl, buf, sizeof buf, MSG_DONTWAIT);
      if (got < 0)
        {
          /* ENOBUFS: records were lost to a burst; read on. */
          if (errno == EINTR || errno == ENOBUFS)
            continue;
          return;
        }
      int n = (int) got;
      for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK (h, n);
           h = NLMSG_NEXT (h, n))
        {
          int type = h->nlmsg_type;
          if (type != AK_TYPE_LANDLOCK_ACCESS && type != AK_TYPE_LANDLOCK_DOMAIN
              && (type != AK_TYPE_SYSCALL || k->tracker.n_pending == 0))
            continue;
          if (audit_kernel_parse (type, NLMSG_DATA (h),
                                  h->nlmsg_len - NLMSG_HDRLEN, &rec)
              == 0)
            ak_tracker_feed (&k->tracker, &rec, emit_line, k);
        }
    }
}

void
audit_kernel_release (struct audit_kernel *k)
{
  if (k == NULL)
    return;
  if (k->nl >= 0)
    close (k->nl);
  if (k->audit)
    audit_close (k->audit);
  else if (k->audit_fd >= 0)
    close (k->audit_fd);
  ak_tracker_clear (&k->tracker);
  free (k->cgroup);
  free (k);
}
