/* ward — a D-Bus connection: connect, authenticate, call, read (see
 * dbus.h).  Every wait has a deadline; every length read from the peer is
 * checked before it is used. */
#include "dbus.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "utils.h"
#include "ward/cleanup.h"

struct dbus_conn
{
  int fd;
  uint32_t serial;
  bool bus;
  char *address; /* for messages */
};

/* Wait for `events` on fd until `deadline` (CLOCK_MONOTONIC ms). */
static int
wait_fd (int fd, short events, long long deadline, struct werr *err)
{
  for (;;)
    {
      long long left = deadline - monotonic_ms ();
      if (left <= 0)
        return werr_set (err, ETIMEDOUT, "D-Bus");
      struct pollfd p = { .fd = fd, .events = events };
      int n = poll (&p, 1, (int) (left > 60000 ? 60000 : left));
      if (n < 0 && errno != EINTR)
        return werr_set (err, errno, "D-Bus: poll");
      if (n > 0)
        return 0;
    }
}

static int
send_all (struct dbus_conn *c, const void *buf, size_t len, long long deadline,
          struct werr *err)
{
  const char *p = buf;
  while (len > 0)
    {
      if (wait_fd (c->fd, POLLOUT, deadline, err) < 0)
        return -1;
      ssize_t n = send (c->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n < 0)
        return werr_set (err, errno, "D-Bus: write to `%s`", c->address);
      p += n;
      len -= (size_t) n;
    }
  return 0;
}

static int
recv_all (struct dbus_conn *c, void *buf, size_t len, long long deadline,
          struct werr *err)
{
  char *p = buf;
  while (len > 0)
    {
      if (wait_fd (c->fd, POLLIN, deadline, err) < 0)
        return -1;
      ssize_t n = recv (c->fd, p, len, MSG_DONTWAIT);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n < 0)
        return werr_set (err, errno, "D-Bus: read from `%s`", c->address);
      if (n == 0)
        return werr_set (err, 0, "D-Bus: `%s` closed the connection",
                         c->address);
      p += n;
      len -= (size_t) n;
    }
  return 0;
}

/* One line of the authentication dialogue, "\r\n" stripped; byte by byte
 * so that nothing after it is consumed. */
static int
recv_line (struct dbus_conn *c, char *line, size_t size, long long deadline,
           struct werr *err)
{
  size_t n = 0;
  for (;;)
    {
      char ch;
      if (recv_all (c, &ch, 1, deadline, err) < 0)
        return -1;
      if (ch == '\n' && n > 0 && line[n - 1] == '\r')
        {
          line[n - 1] = '\0';
          return 0;
        }
      if (n + 1 >= size)
        return werr_set (err, 0, "D-Bus: `%s`: authentication line too long",
                         c->address);
      line[n++] = ch;
    }
}

/* SASL EXTERNAL: the server checks our credentials (SO_PEERCRED) against
 * the uid we name, in hex-encoded decimal.  BEGIN goes in the same write,
 * as sd-bus clients pipeline it: systemd's server (sd-bus) does not look at
 * bytes that came in one read with BEGIN until more arrive, so a message
 * sent right after a separate BEGIN could wait there for ever. */
static int
authenticate (struct dbus_conn *c, long long deadline, struct werr *err)
{
  char uid[16], hex[40] = "", msg[96], line[512];
  snprintf (uid, sizeof uid, "%u", (unsigned) geteuid ());
  for (size_t i = 0; uid[i]; i++)
    snprintf (hex + 2 * i, sizeof hex - 2 * i, "%02x", (unsigned char) uid[i]);
  int len = snprintf (msg, sizeof msg, "%cAUTH EXTERNAL %s\r\nBEGIN\r\n", '\0',
                      hex);
  if (send_all (c, msg, (size_t) len, deadline, err) < 0
      || recv_line (c, line, sizeof line, deadline, err) < 0)
    return -1;
  if (strncmp (line, "OK ", 3) != 0)
    return werr_set (err, 0, "D-Bus at `%s` refused authentication (%.64s)",
                     c->address, line);
  return 0;
}

static int
parse_address (const char *address, struct sockaddr_un *sa, socklen_t *salen,
               struct werr *err)
{
  memset (sa, 0, sizeof *sa);
  sa->sun_family = AF_UNIX;
  const char *path = address;
  bool abstract = false;
  if (strncmp (address, "unix:", 5) == 0)
    {
      /* The first unix transport of the list, its path or abstract key. */
      const char *p = strstr (address, "path=");
      const char *a = strstr (address, "abstract=");
      if (p)
        path = p + 5;
      else if (a)
        path = a + 9, abstract = true;
      else
        return werr_set (err, 0, "D-Bus address `%s`: no path", address);
    }
  else if (address[0] != '/')
    return werr_set (err, 0, "D-Bus address `%s`: only unix sockets", address);
  size_t n = strcspn (path, ",;");
  if (n == 0 || n + 1 + abstract > sizeof sa->sun_path)
    return werr_set (err, 0, "D-Bus address `%s`: bad socket path", address);
  memcpy (sa->sun_path + abstract, path, n);
  *salen = (socklen_t) (offsetof (struct sockaddr_un, sun_path) + abstract + n
                        + !abstract);
  return 0;
}

int
dbus_open (const char *address, bool bus, int timeout_ms,
           struct dbus_conn **out, struct werr *err)
{
  long long deadline = monotonic_ms () + timeout_ms;
  struct sockaddr_un sa;
  socklen_t salen = 0;
  if (parse_address (address, &sa, &salen, err) < 0)
    return -1;
  struct dbus_conn *c = xmalloc0 (sizeof *c);
  c->address = xstrdup (address);
  c->bus = bus;
  c->fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c->fd < 0)
    {
      werr_set (err, errno, "socket");
      dbus_close (c);
      return -1;
    }
  if (connect (c->fd, (struct sockaddr *) &sa, salen) < 0)
    {
      werr_set (err, errno, "connect to D-Bus at `%s`", address);
      dbus_close (c);
      return -1;
    }
  if (authenticate (c, deadline, err) < 0)
    {
      dbus_close (c);
      return -1;
    }
  if (bus)
    {
      /* A bus daemon answers nothing before Hello. */
      struct dbus_call hello = {
        .destination = "org.freedesktop.DBus",
        .path = "/org/freedesktop/DBus",
        .interface = "org.freedesktop.DBus",
        .member = "Hello",
      };
      struct dbus_msg reply;
      int r = dbus_call (c, &hello, NULL, "s", NULL, NULL,
                         (int) (deadline - monotonic_ms ()), &reply, err);
      if (r == 1)
        {
          char text[256];
          dbus_error_text (&reply, text, sizeof text);
          werr_set (err, 0, "D-Bus Hello: %s", text);
        }
      dbus_msg_clear (&reply);
      if (r != 0)
        {
          dbus_close (c);
          return -1;
        }
    }
  *out = c;
  return 0;
}

void
dbus_close (struct dbus_conn *c)
{
  if (c == NULL)
    return;
  if (c->fd >= 0)
    close (c->fd);
  free (c->address);
  free (c);
}

bool
dbus_is_bus (const struct dbus_conn *c)
{
  return c && c->bus;
}

static int
recv_msg (struct dbus_conn *c, struct dbus_msg *m, long long deadline,
          struct werr *err)
{
  uint8_t head[16];
  size_t total;
  if (recv_all (c, head, sizeof head, deadline, err) < 0
      || dbus_msg_size (head, &total, err) < 0)
    return -1;
  if (total < sizeof head)
    return werr_set (err, 0, "D-Bus: short message");
  uint8_t *raw = malloc (total);
  if (raw == NULL)
    return werr_set (err, ENOMEM, "D-Bus");
  memcpy (raw, head, sizeof head);
  if (recv_all (c, raw + sizeof head, total - sizeof head, deadline, err) < 0)
    {
      free (raw);
      return -1;
    }
  return dbus_msg_parse (raw, total, m, err);
}

int
dbus_call (struct dbus_conn *c, const struct dbus_call *call,
           const struct dbus_writer *body, const char *want_sig,
           dbus_msg_fn other, void *data, int timeout_ms,
           struct dbus_msg *reply, struct werr *err)
{
  long long deadline = monotonic_ms () + timeout_ms;
  memset (reply, 0, sizeof *reply);
  uint32_t serial = ++c->serial;
  if (serial == 0)
    serial = ++c->serial;
  _cleanup_free_ uint8_t *buf = NULL;
  size_t len;
  if (dbus_msg_build (serial, call, body, &buf, &len, err) < 0
      || send_all (c, buf, len, deadline, err) < 0)
    return -1;
  for (;;)
    {
      struct dbus_msg m;
      if (recv_msg (c, &m, deadline, err) < 0)
        {
          if (err->errnum == ETIMEDOUT)
            werr_set (err, ETIMEDOUT, "D-Bus: no reply to %s from `%s`",
                      call->member, c->address);
          return -1;
        }
      bool is_reply = (m.type == DBUS_METHOD_RETURN || m.type == DBUS_ERROR)
                      && m.reply_serial == serial;
      if (!is_reply)
        {
          if (other)
            other (&m, data);
          dbus_msg_clear (&m);
          continue;
        }
      *reply = m;
      if (m.type == DBUS_ERROR)
        return 1;
      if (want_sig && strcmp (m.signature, want_sig) != 0)
        {
          werr_set (err, 0,
                    "D-Bus: the reply to %s has signature `%s`, "
                    "expected `%s`",
                    call->member, m.signature, want_sig);
          dbus_msg_clear (reply);
          return -1;
        }
      return 0;
    }
}

int
dbus_wait (struct dbus_conn *c, dbus_msg_fn fn, void *data, int timeout_ms,
           struct werr *err)
{
  long long deadline = monotonic_ms () + timeout_ms;
  for (;;)
    {
      struct dbus_msg m;
      if (recv_msg (c, &m, deadline, err) < 0)
        return -1;
      bool done = fn (&m, data);
      dbus_msg_clear (&m);
      if (done)
        return 0;
    }
}

void
dbus_error_text (const struct dbus_msg *m, char *buf, size_t len)
{
  const char *text = NULL;
  if (m->type == DBUS_ERROR && m->signature[0] == 's')
    {
      struct dbus_reader r;
      dbus_r_init (&r, m);
      if (dbus_r_string (&r, &text) < 0)
        text = NULL;
    }
  snprintf (buf, len, "%s%s%s", m->error_name ? m->error_name : "error",
            text ? ": " : "", text ? text : "");
  /* One line: the peer's text may carry newlines. */
  for (char *p = buf; *p; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
}
