/* A prober for the egress-by-name tests: resolves names with its own tiny
 * stub resolver (the nameserver of /etc/resolv.conf, as any client would;
 * a static glibc cannot use NSS) and tries connections, printing one line
 * per attempt so a test can assert the exact outcome:
 *
 *   resolve NAME            "resolve NAME: ADDR,ADDR" or ": REFUSED" / errno
 *   resolve-tcp NAME        the same over TCP
 *   dnsq SERVER NAME        a query sent to SERVER:53 directly
 *   tcp NAME PORT           per address: "tcp NAME PORT ADDR: ok|ERRNO"
 *   udp NAME PORT           per address, one datagram
 *   connect4|connect6|udp4|udp6 ADDR PORT
 *   mptcp ADDR PORT, sctp ADDR PORT, raw, packet, io_uring
 *   sleep SECONDS
 * Built statically by helpers_netns.bash and copied into the rootfs. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

#define MAX_ADDRS 16

struct addr
{
  int family;
  uint8_t a[16];
};

static const char *
err_name (int e)
{
  const char *n = strerrorname_np (e);
  return n ? n : "?";
}

static void
say (const char *what, const char *result)
{
  printf ("%s: %s\n", what, result);
  fflush (stdout);
}

static int
make_sockaddr (int family, const void *a, int port, struct sockaddr_storage *ss,
               socklen_t *len)
{
  memset (ss, 0, sizeof *ss);
  if (family == AF_INET)
    {
      struct sockaddr_in *s = (struct sockaddr_in *) ss;
      s->sin_family = AF_INET;
      s->sin_port = htons ((uint16_t) port);
      memcpy (&s->sin_addr, a, 4);
      *len = sizeof *s;
    }
  else
    {
      struct sockaddr_in6 *s = (struct sockaddr_in6 *) ss;
      s->sin6_family = AF_INET6;
      s->sin6_port = htons ((uint16_t) port);
      memcpy (&s->sin6_addr, a, 16);
      *len = sizeof *s;
    }
  return 0;
}

static int
parse_addr (const char *s, struct addr *out)
{
  if (inet_pton (AF_INET, s, out->a) == 1)
    out->family = AF_INET;
  else if (inet_pton (AF_INET6, s, out->a) == 1)
    out->family = AF_INET6;
  else
    return -1;
  return 0;
}

/* ---- a stub resolver ---------------------------------------------------- */

static size_t
build_query (const char *name, int type, uint8_t *buf)
{
  size_t n = 0;
  uint16_t id = (uint16_t) (getpid () ^ type);
  uint8_t hdr[12] = { (uint8_t) (id >> 8), (uint8_t) id, 1, 0, 0, 1 };
  memcpy (buf, hdr, 12);
  n = 12;
  const char *p = name;
  while (*p)
    {
      const char *dot = strchr (p, '.');
      size_t len = dot ? (size_t) (dot - p) : strlen (p);
      buf[n++] = (uint8_t) len;
      memcpy (buf + n, p, len);
      n += len;
      p += len + (dot ? 1 : 0);
    }
  buf[n++] = 0;
  buf[n++] = 0;
  buf[n++] = (uint8_t) type;
  buf[n++] = 0;
  buf[n++] = 1;
  return n;
}

static size_t
skip_name (const uint8_t *m, size_t len, size_t off)
{
  while (off < len)
    {
      if (m[off] == 0)
        return off + 1;
      if ((m[off] & 0xc0) == 0xc0)
        return off + 2;
      off += (size_t) m[off] + 1;
    }
  return len;
}

/* rcode, with the A/AAAA records of the answer appended to out. */
static int
parse_answer (const uint8_t *m, size_t len, struct addr *out, size_t *n)
{
  if (len < 12)
    return -1;
  int rcode = m[3] & 15;
  size_t an = (size_t) (m[6] << 8 | m[7]);
  size_t off = skip_name (m, len, 12) + 4;
  for (size_t i = 0; i < an && off + 10 <= len; i++)
    {
      off = skip_name (m, len, off);
      if (off + 10 > len)
        break;
      int type = m[off] << 8 | m[off + 1];
      size_t rdlen = (size_t) (m[off + 8] << 8 | m[off + 9]);
      off += 10;
      if (off + rdlen > len)
        break;
      if ((type == 1 && rdlen == 4) || (type == 28 && rdlen == 16))
        if (*n < MAX_ADDRS)
          {
            out[*n].family = type == 1 ? AF_INET : AF_INET6;
            memcpy (out[*n].a, m + off, rdlen);
            (*n)++;
          }
      off += rdlen;
    }
  return rcode;
}

static int
nameserver (struct addr *out)
{
  FILE *f = fopen ("/etc/resolv.conf", "re");
  char line[256], ns[128];
  int r = -1;
  while (f && r < 0 && fgets (line, sizeof line, f))
    if (sscanf (line, "nameserver %127s", ns) == 1 && parse_addr (ns, out) == 0)
      r = 0;
  if (f)
    fclose (f);
  if (r < 0)
    r = parse_addr ("127.0.0.1", out);
  return r;
}

/* One exchange; returns the rcode, or -errno. */
static int
exchange (const struct addr *server, bool tcp, const uint8_t *q, size_t qlen,
          uint8_t *resp, size_t *rlen)
{
  struct sockaddr_storage ss;
  socklen_t sl;
  make_sockaddr (server->family, server->a, 53, &ss, &sl);
  int fd = socket (server->family,
                   (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  int r = -ETIMEDOUT;
  uint8_t buf[2 + 512];
  if (connect (fd, (struct sockaddr *) &ss, sl) < 0)
    {
      r = -errno;
      goto out;
    }
  if (tcp)
    {
      buf[0] = (uint8_t) (qlen >> 8);
      buf[1] = (uint8_t) qlen;
      memcpy (buf + 2, q, qlen);
    }
  if (send (fd, tcp ? buf : q, tcp ? qlen + 2 : qlen, 0) < 0)
    {
      r = -errno;
      goto out;
    }
  struct pollfd p = { .fd = fd, .events = POLLIN };
  if (poll (&p, 1, 3000) <= 0)
    goto out;
  ssize_t n = recv (fd, resp, 4096, 0);
  if (n < 0)
    {
      r = -errno;
      goto out;
    }
  if (tcp && n >= 2)
    {
      memmove (resp, resp + 2, (size_t) n - 2);
      n -= 2;
    }
  *rlen = (size_t) n;
  r = 0;
out:
  close (fd);
  return r;
}

static const char *
rcode_name (int rcode)
{
  static const char *const names[]
      = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED" };
  return rcode >= 0 && rcode < 6 ? names[rcode] : "RCODE?";
}

/* A and AAAA of name; the result text (addresses, an rcode or an errno). */
static int
resolve (const struct addr *server, bool tcp, const char *name,
         struct addr *out, size_t *n, char *text, size_t tlen)
{
  static const int types[] = { 1, 28 };
  *n = 0;
  int worst = 0;
  for (size_t t = 0; t < 2; t++)
    {
      uint8_t q[300], resp[4096];
      size_t rlen = 0;
      int r = exchange (server, tcp, q, build_query (name, types[t], q), resp,
                        &rlen);
      if (r < 0)
        {
          snprintf (text, tlen, "%s", err_name (-r));
          return -1;
        }
      int rcode = parse_answer (resp, rlen, out, n);
      if (rcode != 0)
        worst = rcode;
    }
  if (*n == 0)
    {
      snprintf (text, tlen, "%s", worst ? rcode_name (worst) : "NODATA");
      return -1;
    }
  text[0] = '\0';
  for (size_t i = 0; i < *n; i++)
    {
      char a[INET6_ADDRSTRLEN];
      inet_ntop (out[i].family, out[i].a, a, sizeof a);
      snprintf (text + strlen (text), tlen - strlen (text), "%s%s",
                i ? "," : "", a);
    }
  return 0;
}

/* ---- the actions ------------------------------------------------------- */

static int
try_addr (int family, const void *a, int port, int type, int proto)
{
  struct sockaddr_storage ss;
  socklen_t sl;
  make_sockaddr (family, a, port, &ss, &sl);
  int fd = socket (family, type | SOCK_CLOEXEC, proto);
  if (fd < 0)
    return -errno;
  int r;
  if (type == SOCK_DGRAM)
    r = (int) sendto (fd, "x", 1, 0, (struct sockaddr *) &ss, sl);
  else
    r = connect (fd, (struct sockaddr *) &ss, sl);
  r = r < 0 ? -errno : 0;
  close (fd);
  return r;
}

static void
report (const char *what, int r)
{
  say (what, r < 0 ? err_name (-r) : "ok");
}

static void
by_name (const char *op, const char *name, int port, int type)
{
  struct addr server, addrs[MAX_ADDRS];
  size_t n;
  char text[512], what[512];
  nameserver (&server);
  snprintf (what, sizeof what, "%s %s %d", op, name, port);
  if (resolve (&server, false, name, addrs, &n, text, sizeof text) < 0)
    {
      say (what, text);
      return;
    }
  for (size_t i = 0; i < n; i++)
    {
      char a[INET6_ADDRSTRLEN];
      inet_ntop (addrs[i].family, addrs[i].a, a, sizeof a);
      snprintf (what, sizeof what, "%s %s %d %s", op, name, port, a);
      report (what, try_addr (addrs[i].family, addrs[i].a, port, type, 0));
    }
}

static void
literal (const char *what, const char *op, const char *addr, int port)
{
  struct addr a;
  if (parse_addr (addr, &a) < 0)
    {
      say (what, "bad address");
      return;
    }
  int type = strncmp (op, "udp", 3) == 0 ? SOCK_DGRAM : SOCK_STREAM;
  int proto = strcmp (op, "mptcp") == 0  ? IPPROTO_MPTCP
              : strcmp (op, "sctp") == 0 ? IPPROTO_SCTP
                                         : 0;
  report (what, try_addr (a.family, a.a, port, type, proto));
}

static void
one (char *arg)
{
  char *w[4] = { 0 }, *save = NULL, what[512];
  snprintf (what, sizeof what, "%s", arg);
  int n = 0;
  for (char *t = strtok_r (arg, " ", &save); t && n < 4;
       t = strtok_r (NULL, " ", &save))
    w[n++] = t;
  if (n == 0)
    return;
  char text[512];
  struct addr server, addrs[MAX_ADDRS];
  size_t na;
  if ((strcmp (w[0], "resolve") == 0 || strcmp (w[0], "resolve-tcp") == 0)
      && n == 2)
    {
      nameserver (&server);
      resolve (&server, w[0][7] == '-', w[1], addrs, &na, text, sizeof text);
      say (what, text);
    }
  else if (strcmp (w[0], "dnsq") == 0 && n == 3)
    {
      if (parse_addr (w[1], &server) < 0)
        say (what, "bad address");
      else
        {
          resolve (&server, false, w[2], addrs, &na, text, sizeof text);
          say (what, text);
        }
    }
  else if ((strcmp (w[0], "tcp") == 0 || strcmp (w[0], "udp") == 0) && n == 3)
    by_name (w[0], w[1], atoi (w[2]),
             w[0][0] == 't' ? SOCK_STREAM : SOCK_DGRAM);
  else if (n == 3)
    literal (what, w[0], w[1], atoi (w[2]));
  else if (strcmp (w[0], "raw") == 0)
    report (what, try_addr (AF_INET, "\x7f\0\0\1", 0, SOCK_RAW, IPPROTO_ICMP));
  else if (strcmp (w[0], "packet") == 0)
    {
      int fd = socket (AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons (3));
      report (what, fd < 0 ? -errno : (close (fd), 0));
    }
  else if (strcmp (w[0], "io_uring") == 0)
    {
      uint8_t params[120] = { 0 };
      long fd = syscall (SYS_io_uring_setup, 2, params);
      report (what, fd < 0 ? -errno : (close ((int) fd), 0));
    }
  else if (strcmp (w[0], "sleep") == 0 && n == 2)
    sleep ((unsigned) atoi (w[1]));
  else
    say (what, "unknown action");
}

int
main (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    one (argv[i]);
  return 0;
}
