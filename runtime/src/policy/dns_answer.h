/* ward — the filtering resolver's message logic, without sockets: read a
 * client's query, write the query ward sends upstream, and vet the
 * upstream's answer into the reply the client gets.
 *
 * The reply is rebuilt, never relayed: the client's question (its case
 * kept), the CNAME chain from the queried name, the A/AAAA records owned by
 * a name of that chain and of the queried type, TTLs capped at ttl_max, an
 * OPT record when the client sent one.  Authority and additional records,
 * DNSSEC records and unrelated answers are dropped.  Every address in the
 * reply is in the result's addrs[] (and only those), so the caller can put
 * exactly what the client sees into the allow map.
 */
#ifndef WARD_POLICY_DNS_ANSWER_H
#define WARD_POLICY_DNS_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_names.h"
#include "dns_wire.h"

#define DNS_VET_MAX_ADDRS 64 /* addresses kept from one answer */
#define DNS_VET_MAX_CHAIN 16 /* names in a CNAME chain, the queried one too */

/* A client's query, kept while the upstream answers. */
struct dns_query
{
  uint16_t id, flags;
  bool has_question;
  struct dns_name qname;        /* as the client wrote it; echoed back */
  char name[DNS_NAME_TEXT_MAX]; /* normal form; "" when not a host name */
  uint16_t qtype, qclass;
  bool edns;
  uint16_t udp_size; /* how large a UDP reply the client takes */
};

/* Read a client's message.  Returns -1 to drop it (shorter than a header,
 * or a response); otherwise 0 with *rcode 0 for a query to decide on, or
 * FORMERR / NOTIMP / BADVERS for one to answer at once. */
int dns_query_parse (const uint8_t *msg, size_t len, struct dns_query *q,
                     int *rcode);

/* The query sent upstream: `id`, RD, the client's question, an OPT that
 * offers DNS_UDP_EDNS_SIZE (DO clear).  Returns its length, 0 if it does
 * not fit. */
size_t dns_query_upstream (const struct dns_query *q, uint16_t id, uint8_t *buf,
                           size_t cap);

/* A reply with no records: rcode, TC if asked, the question if the query
 * had a readable one, an OPT if it had one (carrying BADVERS's upper bits).
 * Returns its length, 0 if it does not fit. */
size_t dns_reply_empty (const struct dns_query *q, int rcode, bool tc,
                        uint8_t *buf, size_t cap);

struct dns_vet_addr
{
  int family;       /* AF_INET (also for v4-mapped AAAA data) or AF_INET6 */
  uint8_t addr[16]; /* network order */
  uint32_t ttl;     /* for the allow map: clamped to [ttl_min, ttl_max] */
};

struct dns_vet_params
{
  const struct dns_rules *rules; /* deny rules are checked on the chain */
  uint32_t ttl_min, ttl_max;
  size_t reply_cap; /* the client's limit (UDP size, or the TCP buffer) */
};

struct dns_vet_result
{
  int rcode;  /* of the reply: the upstream's NOERROR/NXDOMAIN, or SERVFAIL */
  size_t len; /* of the reply in out */
  bool truncated; /* too large for reply_cap: TC set, no records, no addrs */
  const struct dns_rule *denied_by; /* a name of the chain matched it */
  char denied_name[DNS_NAME_TEXT_MAX];
  struct dns_vet_addr addrs[DNS_VET_MAX_ADDRS];
  size_t n_addrs;
};

/* Vet `resp`, the upstream's message for q sent with id up_id.
 * Returns -1 when it is not an answer to that query (ignore it, keep
 * waiting); 1 when the upstream truncated it (ask again over TCP); 0 with
 * *r filled and the client's reply in out (r->len bytes, at most
 * p->reply_cap; out must hold that much).  A chain name that matches a
 * deny rule sets r->denied_by; the reply is still built, the caller
 * decides (refuse, or pass in audit mode). */
int dns_vet_answer (const struct dns_query *q, uint16_t up_id,
                    const uint8_t *resp, size_t len,
                    const struct dns_vet_params *p, uint8_t *out,
                    struct dns_vet_result *r);

#endif
