/* ward — the filtering DNS resolver: sockets, upstream queries, timeouts
 * (the message logic is in dns_answer.c; see dns_filter.h). */
#include "dns_filter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "dns_answer.h"
#include "utils.h"
#include "ward/cleanup.h"

#define TCP_QUERY_MAX 1500  /* a query with EDNS options fits easily */
#define REPLY_TCP_MAX 16384 /* larger answers get TC and no records */
#define UDP_BURST 32        /* datagrams read per wakeup */
#define AUDIT_DEDUP_MS 2000 /* one event per refused name per window */
#define AUDIT_DEDUP_SLOTS 16

enum tag_kind
{
  TAG_UDP,
  TAG_LISTEN,
  TAG_QUERY,
  TAG_CLIENT,
};

struct tag
{
  enum tag_kind kind;
  int fd;
  size_t idx;
  uint32_t gen;
};

/* Where a reply goes: a UDP peer, or a TCP connection (by slot and
 * generation, so a reply for a closed connection is dropped). */
struct client_ref
{
  bool tcp;
  size_t conn;
  uint32_t gen;
  struct sockaddr_storage peer;
  socklen_t peer_len;
};

struct query
{
  bool used;
  uint32_t gen;
  struct client_ref client;
  struct dns_query q;
  int fd; /* upstream socket */
  uint16_t up_id;
  unsigned attempt;
  bool up_tcp, connecting;
  int tcpbuf; /* index in tcp_bufs, -1 for none */
  size_t have;
  int64_t deadline;
};

struct tcp_client
{
  int fd;
  uint32_t gen;
  bool busy; /* its current query is being answered */
  int64_t deadline;
  size_t in_len, out_len, out_off;
  uint8_t in[2 + TCP_QUERY_MAX];
  uint8_t out[2 + REPLY_TCP_MAX];
};

struct recent
{
  uint64_t hash;
  int64_t when;
};

struct dns_filter
{
  int udp_fd, tcp_fd;
  struct sockaddr_storage up[DNS_FILTER_MAX_UPSTREAMS];
  size_t n_up;
  struct dns_rules rules;
  dns_allow_addr_fn allow_addr;
  void *ctx;
  const char *answering; /* the queried name, during allow_addr() */
  uint32_t ttl_min, ttl_max;
  unsigned timeout_ms, max_attempts;
  bool default_allow, audit_only;
  struct audit *audit;
  char *container_id, *agent, *default_rule;
  struct dns_filter_stats stats;
  uint32_t next_gen;
  struct recent recent[AUDIT_DEDUP_SLOTS];
  size_t recent_next;
  uint8_t rnd[64];
  size_t rnd_left;
  struct tag tags[DNS_FILTER_MAX_FDS];
  size_t n_tags;
  struct query queries[DNS_FILTER_MAX_QUERIES];
  struct tcp_client clients[DNS_FILTER_MAX_TCP_CLIENTS];
  bool tcp_buf_used[DNS_FILTER_MAX_TCP_UPSTREAM];
  uint8_t tcp_bufs[DNS_FILTER_MAX_TCP_UPSTREAM][2 + DNS_MSG_MAX];
  uint8_t rx[DNS_MSG_MAX + 1];
  uint8_t tx[REPLY_TCP_MAX];
};

/* Unpredictable query ids: with connected UDP sockets on random ports they
 * make off-path answer spoofing impractical. */
static uint16_t
random_u16 (struct dns_filter *f)
{
  if (f->rnd_left < 2)
    {
      ssize_t n = getrandom (f->rnd, sizeof f->rnd, 0);
      f->rnd_left = n > 0 ? (size_t) n : 0;
      if (f->rnd_left < 2)
        return (uint16_t) monotonic_ms ();
    }
  f->rnd_left -= 2;
  return (uint16_t) (f->rnd[f->rnd_left] << 8 | f->rnd[f->rnd_left + 1]);
}

static socklen_t
sockaddr_len (const struct sockaddr_storage *ss)
{
  return ss->ss_family == AF_INET6 ? sizeof (struct sockaddr_in6)
                                   : sizeof (struct sockaddr_in);
}

static void
format_sockaddr (const struct sockaddr_storage *ss, char *buf, size_t len)
{
  char a[INET6_ADDRSTRLEN] = "?";
  if (ss->ss_family == AF_INET6)
    {
      const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *) ss;
      inet_ntop (AF_INET6, &s6->sin6_addr, a, sizeof a);
      snprintf (buf, len, "[%s]:%u", a, ntohs (s6->sin6_port));
      return;
    }
  const struct sockaddr_in *s4 = (const struct sockaddr_in *) ss;
  inet_ntop (AF_INET, &s4->sin_addr, a, sizeof a);
  snprintf (buf, len, "%s:%u", a, ntohs (s4->sin_port));
}

static uint16_t *
sockaddr_port (struct sockaddr_storage *ss)
{
  if (ss->ss_family == AF_INET6)
    return &((struct sockaddr_in6 *) ss)->sin6_port;
  return &((struct sockaddr_in *) ss)->sin_port;
}

/* ---- audit ---- */

static uint64_t
fnv1a (const char *a, const char *b)
{
  uint64_t h = 0xcbf29ce484222325ull;
  for (const char *s = a; *s; s++)
    h = (h ^ (uint8_t) *s) * 0x100000001b3ull;
  h = (h ^ 0xff) * 0x100000001b3ull;
  for (const char *s = b; *s; s++)
    h = (h ^ (uint8_t) *s) * 0x100000001b3ull;
  return h;
}

/* A stub resolver asks for A and AAAA and retries: report a refused name
 * once per AUDIT_DEDUP_MS, not once per packet. */
static bool
seen_recently (struct dns_filter *f, const char *name, const char *why)
{
  uint64_t h = fnv1a (name, why);
  int64_t now = monotonic_ms ();
  for (size_t i = 0; i < AUDIT_DEDUP_SLOTS; i++)
    if (f->recent[i].hash == h && now - f->recent[i].when < AUDIT_DEDUP_MS)
      return true;
  f->recent[f->recent_next] = (struct recent){ h, now };
  f->recent_next = (f->recent_next + 1) % AUDIT_DEDUP_SLOTS;
  return false;
}

static void
audit_refusal (struct dns_filter *f, const struct dns_query *q,
               const struct dns_rule *rule, const char *why)
{
  char display[4 * DNS_NAME_WIRE_MAX + 1];
  const char *name = q->name;
  if (f->audit == NULL)
    return;
  if (name[0] == '\0')
    {
      dns_name_to_display (&q->qname, display, sizeof display);
      name = display;
    }
  if (seen_recently (f, name, why))
    return;
  struct audit_event ev = {
    .container_id = f->container_id,
    .agent = f->agent,
    .action = AUDIT_DNS,
    .verdict = f->audit_only ? AUDIT_ALLOWED_AUDIT : AUDIT_DENIED,
    .name = name,
    .rule = rule && rule->where ? rule->where : f->default_rule,
    .detail = why,
  };
  audit_event (f->audit, &ev);
}

/* ---- replies ---- */

static struct tcp_client *
client_get (struct dns_filter *f, const struct client_ref *c)
{
  if (!c->tcp || c->conn >= DNS_FILTER_MAX_TCP_CLIENTS)
    return NULL;
  struct tcp_client *t = &f->clients[c->conn];
  return t->fd >= 0 && t->gen == c->gen ? t : NULL;
}

static void
client_close (struct tcp_client *t)
{
  if (t->fd >= 0)
    close (t->fd);
  t->fd = -1;
  t->busy = false;
  t->in_len = t->out_len = t->out_off = 0;
}

static void
client_flush (struct dns_filter *f, struct tcp_client *t)
{
  while (t->out_off < t->out_len)
    {
      ssize_t n = send (t->fd, t->out + t->out_off, t->out_len - t->out_off,
                        MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
      if (n <= 0)
        {
          client_close (t);
          return;
        }
      t->out_off += (size_t) n;
      t->deadline = monotonic_ms () + DNS_FILTER_TCP_IDLE_MS;
    }
  t->out_len = t->out_off = 0;
}

/* Send a reply (len 0: none) and end the client's turn. */
static void
send_reply (struct dns_filter *f, const struct client_ref *c,
            const uint8_t *msg, size_t len)
{
  if (!c->tcp)
    {
      if (len > 0)
        sendto (f->udp_fd, msg, len, MSG_NOSIGNAL | MSG_DONTWAIT,
                (const struct sockaddr *) &c->peer, c->peer_len);
      return;
    }
  struct tcp_client *t = client_get (f, c);
  if (t == NULL)
    return;
  t->busy = false;
  if (len == 0 || len > REPLY_TCP_MAX)
    return;
  t->out[0] = (uint8_t) (len >> 8);
  t->out[1] = (uint8_t) len;
  memcpy (t->out + 2, msg, len);
  t->out_len = len + 2;
  t->out_off = 0;
  client_flush (f, t);
}

static void
reply_rcode (struct dns_filter *f, const struct client_ref *c,
             const struct dns_query *q, int rcode)
{
  size_t len = dns_reply_empty (q, rcode, false, f->tx, sizeof f->tx);
  send_reply (f, c, f->tx, len);
}

/* ---- queries to the upstreams ---- */

static void
query_close_upstream (struct dns_filter *f, struct query *s)
{
  if (s->fd >= 0)
    close (s->fd);
  s->fd = -1;
  if (s->tcpbuf >= 0)
    f->tcp_buf_used[s->tcpbuf] = false;
  s->tcpbuf = -1;
  s->connecting = false;
  s->have = 0;
}

/* A TCP client whose query ends here goes on with its next one at the end
 * of dns_filter_handle(). */
static void
query_free (struct dns_filter *f, struct query *s)
{
  query_close_upstream (f, s);
  s->used = false;
}

static int
tcp_buf_alloc (struct dns_filter *f)
{
  for (int i = 0; i < DNS_FILTER_MAX_TCP_UPSTREAM; i++)
    if (!f->tcp_buf_used[i])
      {
        f->tcp_buf_used[i] = true;
        return i;
      }
  return -1;
}

static int
tcp_send_query (struct dns_filter *f, struct query *s)
{
  size_t len
      = dns_query_upstream (&s->q, s->up_id, f->tx + 2, sizeof f->tx - 2);
  if (len == 0)
    return -1;
  f->tx[0] = (uint8_t) (len >> 8);
  f->tx[1] = (uint8_t) len;
  s->connecting = false;
  /* A fresh connection's send buffer takes a few hundred bytes at once. */
  ssize_t n = send (s->fd, f->tx, len + 2, MSG_NOSIGNAL | MSG_DONTWAIT);
  return n == (ssize_t) (len + 2) ? 0 : -1;
}

/* Ask the current attempt's upstream, over UDP or TCP. */
static int
query_send (struct dns_filter *f, struct query *s, bool tcp)
{
  const struct sockaddr_storage *up = &f->up[s->attempt % f->n_up];
  query_close_upstream (f, s);
  s->up_id = random_u16 (f);
  s->up_tcp = tcp;
  s->deadline = monotonic_ms () + f->timeout_ms;
  s->fd = socket (
      up->ss_family,
      (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->fd < 0 || (tcp && (s->tcpbuf = tcp_buf_alloc (f)) < 0))
    return -1;
  /* A connected UDP socket only takes datagrams from the upstream, on a
   * port the kernel chose at random for this query. */
  if (connect (s->fd, (const struct sockaddr *) up, sockaddr_len (up)) < 0)
    {
      if (tcp && errno == EINPROGRESS)
        {
          s->connecting = true;
          return 0;
        }
      return -1;
    }
  if (tcp)
    return tcp_send_query (f, s);
  size_t len = dns_query_upstream (&s->q, s->up_id, f->tx, sizeof f->tx);
  if (len == 0 || send (s->fd, f->tx, len, MSG_NOSIGNAL) != (ssize_t) len)
    return -1;
  return 0;
}

/* The next attempt (next upstream, UDP first), or SERVFAIL when all are
 * used up. */
static void
query_retry (struct dns_filter *f, struct query *s)
{
  while (++s->attempt < f->max_attempts)
    if (query_send (f, s, false) == 0)
      return;
  f->stats.servfail++;
  reply_rcode (f, &s->client, &s->q, DNS_RCODE_SERVFAIL);
  query_free (f, s);
}

static bool
name_allowed (const struct dns_filter *f, const char *name)
{
  size_t cursor = 0;
  return f->default_allow || dns_rules_next_allow (&f->rules, name, &cursor);
}

/* Every address the client will see goes into the allow map first, once
 * per allow rule of the queried name (each rule has its own ports). */
static int
allow_addrs (struct dns_filter *f, const struct dns_query *q,
             const struct dns_vet_result *r)
{
  if (f->allow_addr == NULL)
    return 0;
  f->answering = q->name;
  for (size_t i = 0; i < r->n_addrs; i++)
    {
      const struct dns_vet_addr *a = &r->addrs[i];
      const struct dns_rule *rule;
      size_t cursor = 0;
      bool any = false;
      while ((rule = dns_rules_next_allow (&f->rules, q->name, &cursor)))
        {
          any = true;
          if (f->allow_addr (f->ctx, a->family, a->addr, a->ttl, rule) < 0)
            return -1;
        }
      if (!any && f->allow_addr (f->ctx, a->family, a->addr, a->ttl, NULL) < 0)
        return -1;
    }
  f->answering = NULL;
  return 0;
}

const char *
dns_filter_answering (const struct dns_filter *f)
{
  return f->answering;
}

static void
query_answer (struct dns_filter *f, struct query *s, const uint8_t *msg,
              size_t len)
{
  struct dns_vet_result r;
  struct dns_vet_params p = {
    .rules = &f->rules,
    .ttl_min = f->ttl_min,
    .ttl_max = f->ttl_max,
    .reply_cap = s->client.tcp ? REPLY_TCP_MAX : s->q.udp_size,
  };
  int v = dns_vet_answer (&s->q, s->up_id, msg, len, &p, f->tx, &r);
  if (v < 0 || (v > 0 && s->up_tcp))
    {
      if (s->up_tcp) /* a stream carries one answer: a wrong one is a failure */
        query_retry (f, s);
      return; /* a stray datagram: keep waiting */
    }
  if (v > 0)
    {
      f->stats.tcp_retries++;
      if (query_send (f, s, true) < 0)
        query_retry (f, s);
      return;
    }

  /* Judged again with the rules of now: a live update may have come. */
  char why[DNS_NAME_TEXT_MAX + 32] = "";
  const struct dns_rule *rule = r.denied_by;
  if (rule && strcmp (r.denied_name, s->q.name) != 0)
    snprintf (why, sizeof why, "cname to %s", r.denied_name);
  else if (rule)
    snprintf (why, sizeof why, "denied name");
  else if (!name_allowed (f, s->q.name))
    snprintf (why, sizeof why, "not allowed");
  if (why[0])
    {
      audit_refusal (f, &s->q, rule, why);
      if (!f->audit_only)
        {
          f->stats.refused++;
          reply_rcode (f, &s->client, &s->q, DNS_RCODE_REFUSED);
          query_free (f, s);
          return;
        }
    }
  if (allow_addrs (f, &s->q, &r) < 0)
    {
      f->stats.servfail++;
      reply_rcode (f, &s->client, &s->q, DNS_RCODE_SERVFAIL);
    }
  else
    {
      f->stats.answered++;
      send_reply (f, &s->client, f->tx, r.len);
    }
  query_free (f, s);
}

static void
query_start (struct dns_filter *f, const struct client_ref *c,
             const struct dns_query *q)
{
  struct query *s = NULL;
  for (size_t i = 0; i < DNS_FILTER_MAX_QUERIES && s == NULL; i++)
    if (!f->queries[i].used)
      s = &f->queries[i];
  if (s == NULL)
    {
      f->stats.dropped++;
      reply_rcode (f, c, q, DNS_RCODE_SERVFAIL);
      return;
    }
  memset (s, 0, sizeof *s);
  s->used = true;
  s->gen = ++f->next_gen;
  s->client = *c;
  s->q = *q;
  s->fd = s->tcpbuf = -1;
  f->stats.forwarded++;
  if (query_send (f, s, false) < 0)
    query_retry (f, s);
}

static void
query_read_udp (struct dns_filter *f, struct query *s)
{
  ssize_t n = recv (s->fd, f->rx, sizeof f->rx, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return;
  if (n < 0) /* e.g. ECONNREFUSED from an ICMP error */
    query_retry (f, s);
  else
    query_answer (f, s, f->rx, (size_t) n);
}

static void
query_read_tcp (struct dns_filter *f, struct query *s)
{
  uint8_t *buf = f->tcp_bufs[s->tcpbuf];
  size_t need = 2;
  if (s->have >= 2)
    need = 2 + ((size_t) buf[0] << 8 | buf[1]);
  ssize_t n = recv (s->fd, buf + s->have, need - s->have, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return;
  if (n <= 0)
    {
      query_retry (f, s);
      return;
    }
  s->have += (size_t) n;
  if (s->have == 2 && need == 2 && buf[0] == 0 && buf[1] == 0)
    query_retry (f, s);
  else if (s->have == need && need > 2)
    query_answer (f, s, buf + 2, need - 2);
}

static void
query_event (struct dns_filter *f, struct query *s, short revents)
{
  if (s->connecting)
    {
      int err = 0;
      socklen_t len = sizeof err;
      if (getsockopt (s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err
          || tcp_send_query (f, s) < 0)
        query_retry (f, s);
    }
  else if (s->up_tcp)
    query_read_tcp (f, s);
  else if (revents & (POLLIN | POLLERR))
    query_read_udp (f, s);
}

/* ---- the policy decision on a query ---- */

enum decision
{
  PASS,
  REFUSE,        /* by policy: audited, passed in audit mode */
  REFUSE_ALWAYS, /* not a question the policy can allow */
};

static enum decision
decide (const struct dns_filter *f, const struct dns_query *q,
        const struct dns_rule **rule, const char **why)
{
  *rule = NULL;
  if (q->name[0] == '\0' || strcmp (q->name, ".") == 0)
    {
      *why = "not a host name";
      return REFUSE_ALWAYS;
    }
  if (q->qclass != DNS_CLASS_IN)
    {
      *why = "class is not IN";
      return REFUSE_ALWAYS;
    }
  *rule = dns_rules_denied (&f->rules, q->name);
  if (*rule)
    {
      *why = "denied name";
      return REFUSE;
    }
  if (!name_allowed (f, q->name))
    {
      *why = "not allowed";
      return REFUSE;
    }
  return PASS;
}

static void
handle_query (struct dns_filter *f, const struct client_ref *c,
              const uint8_t *msg, size_t len)
{
  struct dns_query q;
  int rcode;
  f->stats.queries++;
  if (dns_query_parse (msg, len, &q, &rcode) < 0)
    {
      f->stats.dropped++;
      send_reply (f, c, NULL, 0);
      return;
    }
  if (rcode != DNS_RCODE_NOERROR)
    {
      reply_rcode (f, c, &q, rcode);
      return;
    }
  const struct dns_rule *rule;
  const char *why = NULL;
  enum decision d = decide (f, &q, &rule, &why);
  if (d != PASS)
    audit_refusal (f, &q, rule, why);
  if (d == REFUSE_ALWAYS || (d == REFUSE && !f->audit_only))
    {
      f->stats.refused++;
      reply_rcode (f, c, &q, DNS_RCODE_REFUSED);
      return;
    }
  /* ward serves addresses only: other types of an allowed name get an
   * empty answer (NODATA), and clients fall back to A/AAAA. */
  if (q.qtype != DNS_TYPE_A && q.qtype != DNS_TYPE_AAAA
      && q.qtype != DNS_TYPE_CNAME)
    {
      reply_rcode (f, c, &q, DNS_RCODE_NOERROR);
      return;
    }
  query_start (f, c, &q);
}

/* ---- client sockets ---- */

static void
udp_readable (struct dns_filter *f)
{
  for (int i = 0; i < UDP_BURST; i++)
    {
      struct client_ref c = { .tcp = false, .peer_len = sizeof c.peer };
      ssize_t n = recvfrom (f->udp_fd, f->rx, sizeof f->rx, MSG_DONTWAIT,
                            (struct sockaddr *) &c.peer, &c.peer_len);
      if (n < 0)
        return;
      handle_query (f, &c, f->rx, (size_t) n);
    }
}

static void
client_process_input (struct dns_filter *f, struct tcp_client *t)
{
  while (t->fd >= 0 && !t->busy && t->out_len == 0 && t->in_len >= 2)
    {
      size_t len = (size_t) t->in[0] << 8 | t->in[1];
      if (len == 0 || len > TCP_QUERY_MAX)
        {
          client_close (t);
          return;
        }
      if (t->in_len < 2 + len)
        return;
      /* Take the message out first: answering may close the connection. */
      memcpy (f->rx, t->in + 2, len);
      t->in_len -= 2 + len;
      memmove (t->in, t->in + 2 + len, t->in_len);
      t->busy = true;
      struct client_ref c
          = { .tcp = true, .conn = (size_t) (t - f->clients), .gen = t->gen };
      handle_query (f, &c, f->rx, len);
    }
}

static void
client_readable (struct dns_filter *f, struct tcp_client *t)
{
  ssize_t n
      = recv (t->fd, t->in + t->in_len, sizeof t->in - t->in_len, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return;
  if (n <= 0)
    {
      client_close (t);
      return;
    }
  t->in_len += (size_t) n;
  t->deadline = monotonic_ms () + DNS_FILTER_TCP_IDLE_MS;
  client_process_input (f, t);
}

static void
client_event (struct dns_filter *f, struct tcp_client *t, short revents)
{
  if (revents & POLLOUT)
    {
      client_flush (f, t);
      client_process_input (f, t);
    }
  if (t->fd >= 0 && (revents & POLLIN))
    client_readable (f, t);
  else if (t->fd >= 0 && (revents & (POLLERR | POLLHUP | POLLNVAL)))
    client_close (t);
}

static void
accept_clients (struct dns_filter *f)
{
  for (int i = 0; i < DNS_FILTER_MAX_TCP_CLIENTS; i++)
    {
      int fd = accept4 (f->tcp_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0)
        return;
      struct tcp_client *t = NULL;
      for (size_t k = 0; k < DNS_FILTER_MAX_TCP_CLIENTS && t == NULL; k++)
        if (f->clients[k].fd < 0)
          t = &f->clients[k];
      if (t == NULL)
        {
          f->stats.dropped++;
          close (fd);
          continue;
        }
      t->fd = fd;
      t->gen = ++f->next_gen;
      t->busy = false;
      t->in_len = t->out_len = t->out_off = 0;
      t->deadline = monotonic_ms () + DNS_FILTER_TCP_IDLE_MS;
    }
}

/* ---- event loop ---- */

static void
add_fd (struct dns_filter *f, struct pollfd *fds, size_t max, int fd,
        short events, enum tag_kind kind, size_t idx, uint32_t gen)
{
  if (f->n_tags >= max || f->n_tags >= DNS_FILTER_MAX_FDS)
    return;
  fds[f->n_tags] = (struct pollfd){ .fd = fd, .events = events };
  f->tags[f->n_tags++] = (struct tag){ kind, fd, idx, gen };
}

size_t
dns_filter_fds (struct dns_filter *f, struct pollfd *fds, size_t max)
{
  f->n_tags = 0;
  if (f->udp_fd >= 0)
    add_fd (f, fds, max, f->udp_fd, POLLIN, TAG_UDP, 0, 0);
  if (f->tcp_fd >= 0)
    add_fd (f, fds, max, f->tcp_fd, POLLIN, TAG_LISTEN, 0, 0);
  for (size_t i = 0; i < DNS_FILTER_MAX_QUERIES; i++)
    {
      struct query *s = &f->queries[i];
      if (s->used && s->fd >= 0)
        add_fd (f, fds, max, s->fd, s->connecting ? POLLOUT : POLLIN, TAG_QUERY,
                i, s->gen);
    }
  for (size_t i = 0; i < DNS_FILTER_MAX_TCP_CLIENTS; i++)
    {
      struct tcp_client *t = &f->clients[i];
      short ev = 0;
      if (t->fd < 0)
        continue;
      if (t->out_len > 0)
        ev = POLLOUT;
      else if (!t->busy)
        ev = POLLIN;
      add_fd (f, fds, max, t->fd, ev, TAG_CLIENT, i, t->gen);
    }
  return f->n_tags;
}

int
dns_filter_timeout (const struct dns_filter *f)
{
  int64_t next = INT64_MAX, now = monotonic_ms ();
  for (size_t i = 0; i < DNS_FILTER_MAX_QUERIES; i++)
    if (f->queries[i].used && f->queries[i].deadline < next)
      next = f->queries[i].deadline;
  for (size_t i = 0; i < DNS_FILTER_MAX_TCP_CLIENTS; i++)
    if (f->clients[i].fd >= 0 && !f->clients[i].busy
        && f->clients[i].deadline < next)
      next = f->clients[i].deadline;
  if (next == INT64_MAX)
    return -1;
  return next <= now ? 0 : next - now > 60000 ? 60000 : (int) (next - now);
}

static void
expire (struct dns_filter *f)
{
  int64_t now = monotonic_ms ();
  for (size_t i = 0; i < DNS_FILTER_MAX_QUERIES; i++)
    {
      struct query *s = &f->queries[i];
      if (s->used && s->deadline <= now)
        {
          f->stats.timeouts++;
          query_retry (f, s);
        }
    }
  for (size_t i = 0; i < DNS_FILTER_MAX_TCP_CLIENTS; i++)
    {
      struct tcp_client *t = &f->clients[i];
      if (t->fd >= 0 && !t->busy && t->deadline <= now)
        client_close (t);
    }
}

void
dns_filter_handle (struct dns_filter *f, const struct pollfd *fds, size_t n)
{
  for (size_t i = 0; i < n && i < f->n_tags; i++)
    {
      const struct tag *tag = &f->tags[i];
      short rev = fds[i].revents;
      if (rev == 0 || fds[i].fd != tag->fd)
        continue;
      if (tag->kind == TAG_UDP)
        udp_readable (f);
      else if (tag->kind == TAG_LISTEN)
        accept_clients (f);
      else if (tag->kind == TAG_QUERY)
        {
          struct query *s = &f->queries[tag->idx];
          if (s->used && s->gen == tag->gen && s->fd == tag->fd)
            query_event (f, s, rev);
        }
      else
        {
          struct tcp_client *t = &f->clients[tag->idx];
          if (t->fd == tag->fd && t->gen == tag->gen)
            client_event (f, t, rev);
        }
    }
  f->n_tags = 0;
  expire (f);
  for (size_t i = 0; i < DNS_FILTER_MAX_TCP_CLIENTS; i++)
    client_process_input (f, &f->clients[i]);
}

int
dns_filter_poll (struct dns_filter *f, int max_wait_ms)
{
  struct pollfd fds[DNS_FILTER_MAX_FDS];
  size_t n = dns_filter_fds (f, fds, DNS_FILTER_MAX_FDS);
  int timeout = dns_filter_timeout (f);
  if (max_wait_ms >= 0 && (timeout < 0 || timeout > max_wait_ms))
    timeout = max_wait_ms;
  if (poll (fds, n, timeout) < 0)
    {
      f->n_tags = 0;
      return errno == EINTR ? 0 : -errno;
    }
  dns_filter_handle (f, fds, n);
  return 0;
}

const struct dns_filter_stats *
dns_filter_stats (const struct dns_filter *f)
{
  return &f->stats;
}

/* ---- setup ---- */

int
dns_parse_server (const char *s, struct sockaddr_storage *out)
{
  char host[INET6_ADDRSTRLEN + 1];
  const char *port = NULL;
  size_t hlen;
  memset (out, 0, sizeof *out);
  if (s[0] == '[')
    {
      const char *end = strchr (s, ']');
      if (end == NULL || (end[1] != '\0' && end[1] != ':'))
        return -1;
      hlen = (size_t) (end - s - 1);
      s++;
      port = end[1] == ':' ? end + 2 : NULL;
    }
  else
    {
      const char *colon = strchr (s, ':');
      bool v4_port = colon && strchr (colon + 1, ':') == NULL;
      hlen = v4_port ? (size_t) (colon - s) : strlen (s);
      port = v4_port ? colon + 1 : NULL;
    }
  if (hlen == 0 || hlen >= sizeof host)
    return -1;
  memcpy (host, s, hlen);
  host[hlen] = '\0';
  long p = 53;
  if (port)
    {
      char *end;
      p = strtol (port, &end, 10);
      if (*port == '\0' || *end != '\0' || p < 1 || p > 65535)
        return -1;
    }
  struct sockaddr_in *s4 = (struct sockaddr_in *) out;
  struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) out;
  if (inet_pton (AF_INET, host, &s4->sin_addr) == 1)
    out->ss_family = AF_INET;
  else if (inet_pton (AF_INET6, host, &s6->sin6_addr) == 1)
    out->ss_family = AF_INET6;
  else
    return -1;
  *sockaddr_port (out) = htons ((uint16_t) p);
  return 0;
}

size_t
dns_servers_from_resolv_conf (const char *path, struct sockaddr_storage *out,
                              size_t max)
{
  _cleanup_fclose_ FILE *fp = fopen (path, "re");
  char line[512];
  size_t n = 0;
  if (fp == NULL)
    return 0;
  while (n < max && fgets (line, sizeof line, fp))
    {
      char addr[128];
      if (sscanf (line, " nameserver %127s", addr) != 1)
        continue;
      char *scope = strchr (addr, '%');
      if (scope) /* a link-local scope cannot be kept in this form */
        continue;
      if (dns_parse_server (addr, &out[n]) == 0)
        n++;
    }
  return n;
}

static int
bind_one (struct sockaddr_storage *addr, int type, struct werr *err)
{
  char where[80];
  format_sockaddr (addr, where, sizeof where);
  _cleanup_close_ int fd
      = socket (addr->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return werr_set (err, errno, "dns filter: socket for `%s`", where);
  int one = 1;
  if (addr->ss_family == AF_INET6)
    setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (type == SOCK_STREAM)
    setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind (fd, (struct sockaddr *) addr, sockaddr_len (addr)) < 0)
    return werr_set (err, errno, "dns filter: bind %s `%s`",
                     type == SOCK_STREAM ? "tcp" : "udp", where);
  if (type == SOCK_STREAM && listen (fd, 16) < 0)
    return werr_set (err, errno, "dns filter: listen `%s`", where);
  socklen_t len = sizeof *addr;
  if (*sockaddr_port (addr) == 0
      && getsockname (fd, (struct sockaddr *) addr, &len) < 0)
    return werr_set (err, errno, "dns filter: getsockname `%s`", where);
  return take_fd (&fd);
}

int
dns_filter_listen (struct sockaddr_storage *addr, int *udp_fd, int *tcp_fd,
                   struct werr *err)
{
  bool any_port = *sockaddr_port (addr) == 0;
  for (int attempt = 0;; attempt++)
    {
      struct sockaddr_storage a = *addr;
      _cleanup_close_ int udp = bind_one (&a, SOCK_DGRAM, err);
      if (udp < 0)
        return -1;
      int tcp = bind_one (&a, SOCK_STREAM, err);
      if (tcp >= 0)
        {
          *addr = a;
          *udp_fd = take_fd (&udp);
          *tcp_fd = tcp;
          return 0;
        }
      /* The TCP twin of a random UDP port may be taken: pick another. */
      if (!any_port || err->errnum != EADDRINUSE || attempt == 16)
        return -1;
    }
}

int
dns_filter_new (int udp_fd, int tcp_fd, const struct dns_filter_config *cfg,
                struct dns_filter **out, struct werr *err)
{
  _cleanup_close_ int udp = udp_fd;
  _cleanup_close_ int tcp = tcp_fd;
  if (cfg->n_upstreams == 0 || cfg->n_upstreams > DNS_FILTER_MAX_UPSTREAMS)
    return werr_set (err, 0, "dns filter: %zu upstream servers (1 to %d)",
                     cfg->n_upstreams, DNS_FILTER_MAX_UPSTREAMS);
  struct dns_filter *f = calloc (1, sizeof *f);
  if (f == NULL)
    return werr_set (err, errno, "dns filter: allocate");
  if (dns_rules_init (&f->rules, cfg->rules, cfg->n_rules, err) < 0)
    {
      free (f);
      return werr_prefix (err, "dns filter");
    }
  for (size_t i = 0; i < cfg->n_upstreams; i++)
    {
      f->up[i] = cfg->upstreams[i];
      if (*sockaddr_port (&f->up[i]) == 0)
        *sockaddr_port (&f->up[i]) = htons (53);
    }
  f->n_up = cfg->n_upstreams;
  f->max_attempts = f->n_up * 2 > 4 ? 4 : (unsigned) f->n_up * 2;
  f->allow_addr = cfg->allow_addr;
  f->ctx = cfg->ctx;
  f->ttl_min = cfg->ttl_min ? cfg->ttl_min : DNS_FILTER_TTL_MIN;
  f->ttl_max = cfg->ttl_max ? cfg->ttl_max : DNS_FILTER_TTL_MAX;
  if (f->ttl_max < f->ttl_min)
    f->ttl_max = f->ttl_min;
  f->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : DNS_FILTER_TIMEOUT_MS;
  f->default_allow = cfg->default_allow;
  f->audit_only = cfg->audit_only;
  f->audit = cfg->audit;
  f->container_id = strdup (cfg->container_id ? cfg->container_id : "");
  f->agent = strdup (cfg->agent ? cfg->agent : "");
  f->default_rule = strdup (cfg->default_rule ? cfg->default_rule : "default");
  for (size_t i = 0; i < DNS_FILTER_MAX_QUERIES; i++)
    f->queries[i].fd = f->queries[i].tcpbuf = -1;
  for (size_t i = 0; i < DNS_FILTER_MAX_TCP_CLIENTS; i++)
    f->clients[i].fd = -1;
  if (!f->container_id || !f->agent || !f->default_rule
      || (udp >= 0 && fcntl (udp, F_SETFL, O_NONBLOCK) < 0)
      || (tcp >= 0 && fcntl (tcp, F_SETFL, O_NONBLOCK) < 0))
    {
      int e = errno;
      f->udp_fd = f->tcp_fd = -1;
      dns_filter_free (f);
      return werr_set (err, e, "dns filter: set up");
    }
  f->udp_fd = take_fd (&udp);
  f->tcp_fd = take_fd (&tcp);
  *out = f;
  return 0;
}

int
dns_filter_set_rules (struct dns_filter *f, const struct dns_rule *rules,
                      size_t n, struct werr *err)
{
  struct dns_rules fresh;
  if (dns_rules_init (&fresh, rules, n, err) < 0)
    return werr_prefix (err, "dns filter");
  dns_rules_clear (&f->rules);
  f->rules = fresh;
  return 0;
}

void
dns_filter_free (struct dns_filter *f)
{
  if (f == NULL)
    return;
  for (size_t i = 0; i < DNS_FILTER_MAX_QUERIES; i++)
    if (f->queries[i].fd >= 0)
      close (f->queries[i].fd);
  for (size_t i = 0; i < DNS_FILTER_MAX_TCP_CLIENTS; i++)
    client_close (&f->clients[i]);
  if (f->udp_fd >= 0)
    close (f->udp_fd);
  if (f->tcp_fd >= 0)
    close (f->tcp_fd);
  dns_rules_clear (&f->rules);
  free (f->container_id);
  free (f->agent);
  free (f->default_rule);
  free (f);
}
