/* ward — the filtering DNS resolver of a container (docs/dns-filter.md).
 *
 * It answers the container's queries on a UDP and a TCP socket that the
 * caller bound inside the container's network namespace, refuses names the
 * policy does not allow (REFUSED, and an audit event), forwards the others
 * to the upstream servers over UDP (over TCP when the answer is truncated),
 * and before replying hands every address of the answer to allow_addr() —
 * which puts it in the kernel allow map — so a client can connect to what it
 * was just told.  Upstream sockets are made per query in the caller's own
 * network namespace: keep the process where the upstreams are reachable.
 *
 * Event loop: integrate it in a poll() loop, or call dns_filter_poll().
 *
 *   struct pollfd pfd[DNS_FILTER_MAX_FDS];
 *   size_t n = dns_filter_fds (f, pfd, DNS_FILTER_MAX_FDS);
 *   poll (pfd, n, dns_filter_timeout (f));
 *   dns_filter_handle (f, pfd, n);
 *
 * dns_filter_handle() must get the array that the last dns_filter_fds()
 * filled (extra entries after the first n are the caller's and ignored).
 * Memory is allocated once in dns_filter_new(); handling a packet allocates
 * nothing but an audit line.  Single-threaded: one thread drives a filter.
 */
#ifndef WARD_POLICY_DNS_FILTER_H
#define WARD_POLICY_DNS_FILTER_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "audit.h"
#include "dns_names.h"
#include "ward/error.h"

#define DNS_FILTER_MAX_UPSTREAMS 4
#define DNS_FILTER_MAX_QUERIES 64     /* in flight to the upstreams */
#define DNS_FILTER_MAX_TCP_CLIENTS 16 /* open client connections */
#define DNS_FILTER_MAX_TCP_UPSTREAM 8 /* queries retried over TCP at once */
#define DNS_FILTER_MAX_FDS                                                     \
  (2 + DNS_FILTER_MAX_QUERIES + DNS_FILTER_MAX_TCP_CLIENTS)

#define DNS_FILTER_TTL_MIN 30   /* seconds an allowed address stays at least */
#define DNS_FILTER_TTL_MAX 3600 /* … and at most; replies never say more */
#define DNS_FILTER_TIMEOUT_MS 2000 /* per upstream attempt */
#define DNS_FILTER_TCP_IDLE_MS 10000

/* Called for every address the client is about to receive, once per allow
 * rule matching the queried name (rule NULL when none does: default-allow
 * or audit mode; `rule` is valid during the call only).  `ttl` is in
 * seconds, already clamped; an entry already in the map must not have its
 * expiry shortened.  Return < 0 to fail the query (the client gets
 * SERVFAIL). */
typedef int (*dns_allow_addr_fn) (void *ctx, int family, const void *addr,
                                  uint32_t ttl, const struct dns_rule *rule);

struct dns_filter_config
{
  const struct sockaddr_storage *upstreams; /* copied; port 0 means 53 */
  size_t n_upstreams;                       /* 1..DNS_FILTER_MAX_UPSTREAMS */
  const struct dns_rule *rules; /* must outlive the filter; see set_rules */
  size_t n_rules;
  dns_allow_addr_fn allow_addr;
  void *ctx;
  uint32_t ttl_min, ttl_max; /* 0: DNS_FILTER_TTL_MIN / _MAX */
  unsigned timeout_ms;       /* 0: DNS_FILTER_TIMEOUT_MS */
  bool default_allow;        /* egress default allow: unmatched names pass */
  bool audit_only;     /* captureDenials "allow": log allowed-audit, pass */
  struct audit *audit; /* not owned; NULL: no audit */
  const char *container_id; /* for the audit events; copied */
  const char *agent;
  const char *default_rule; /* "rule" of a refusal no rule decided; copied */
};

struct dns_filter_stats
{
  uint64_t queries, refused, forwarded, answered, servfail, timeouts,
      tcp_retries, dropped;
};

struct dns_filter;

/* Bind a UDP and a TCP socket (non-blocking, close-on-exec) to `addr` in
 * the calling thread's network namespace.  With port 0, both get the same
 * free port, written back into *addr. */
int dns_filter_listen (struct sockaddr_storage *addr, int *udp_fd, int *tcp_fd,
                       struct werr *err);
/* "10.0.0.1", "10.0.0.1:5353", "::1", "[::1]:5353" → *out (port 53 when
 * none).  Returns 0 or -1. */
int dns_parse_server (const char *s, struct sockaddr_storage *out);
/* The nameservers of a resolv.conf (at most `max`); returns how many. */
size_t dns_servers_from_resolv_conf (const char *path,
                                     struct sockaddr_storage *out, size_t max);

/* Takes ownership of udp_fd and tcp_fd (either may be -1). */
int dns_filter_new (int udp_fd, int tcp_fd, const struct dns_filter_config *cfg,
                    struct dns_filter **out, struct werr *err);
void dns_filter_free (struct dns_filter *f);
/* Swap in new rules (a live policy update); queries in flight are judged
 * by the new rules when their answer comes.  The old rules may be freed
 * once this returns. */
int dns_filter_set_rules (struct dns_filter *f, const struct dns_rule *rules,
                          size_t n, struct werr *err);

size_t dns_filter_fds (struct dns_filter *f, struct pollfd *fds, size_t max);
/* Milliseconds until the next deadline, -1 when nothing waits. */
int dns_filter_timeout (const struct dns_filter *f);
void dns_filter_handle (struct dns_filter *f, const struct pollfd *fds,
                        size_t n);
/* One poll() of at most max_wait_ms (-1: no limit) and its handling.
 * Returns 0, or -errno when poll() failed (not EINTR). */
int dns_filter_poll (struct dns_filter *f, int max_wait_ms);

const struct dns_filter_stats *dns_filter_stats (const struct dns_filter *f);
/* During an allow_addr() call: the queried name (normal form) whose answer
 * the address belongs to; NULL otherwise. */
const char *dns_filter_answering (const struct dns_filter *f);

#endif
