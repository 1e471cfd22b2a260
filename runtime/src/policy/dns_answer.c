/* ward — query parsing and answer vetting for the DNS filter (see
 * dns_answer.h). */
#include "dns_answer.h"

#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#define REPLY_FLAGS_FROM_QUERY (0x7800 | DNS_FLAG_RD | DNS_FLAG_CD)

struct chain
{
  struct dns_name name[DNS_VET_MAX_CHAIN];
  uint32_t ttl[DNS_VET_MAX_CHAIN]; /* of the CNAME leaving name[i] */
  size_t n;
};

int
dns_query_parse (const uint8_t *msg, size_t len, struct dns_query *q,
                 int *rcode)
{
  struct dns_msg m;
  memset (q, 0, sizeof *q);
  *rcode = DNS_RCODE_NOERROR;
  if (dns_read_header (msg, len, &m.h) < 0 || (m.h.flags & DNS_FLAG_QR))
    return -1; /* answering a response could start a loop between servers */
  q->id = m.h.id;
  q->flags = m.h.flags;
  q->udp_size = DNS_UDP_PLAIN_MAX;
  if (dns_parse (msg, len, &m) < 0 || m.h.qdcount != 1 || m.h.ancount != 0
      || m.h.nscount != 0)
    {
      *rcode = DNS_RCODE_FORMERR;
      return 0;
    }
  q->has_question = true;
  q->qname = m.q.name;
  q->qtype = m.q.type;
  q->qclass = m.q.klass;
  if (dns_name_to_text (&q->qname, q->name, sizeof q->name) < 0)
    q->name[0] = '\0';
  if (m.edns.present)
    {
      q->edns = true;
      uint16_t size = m.edns.udp_size;
      q->udp_size = size < DNS_UDP_PLAIN_MAX   ? DNS_UDP_PLAIN_MAX
                    : size > DNS_UDP_EDNS_SIZE ? DNS_UDP_EDNS_SIZE
                                               : size;
      if (m.edns.version != 0)
        {
          *rcode = DNS_RCODE_BADVERS;
          return 0;
        }
    }
  if (DNS_OPCODE (m.h.flags) != 0)
    *rcode = DNS_RCODE_NOTIMP;
  return 0;
}

size_t
dns_query_upstream (const struct dns_query *q, uint16_t id, uint8_t *buf,
                    size_t cap)
{
  struct dns_out o;
  struct dns_header h
      = { .id = id, .flags = DNS_FLAG_RD, .qdcount = 1, .arcount = 1 };
  dns_out_init (&o, buf, cap);
  dns_out_header (&o, &h);
  dns_out_question (&o, &q->qname, q->qtype, q->qclass);
  dns_out_opt (&o, DNS_UDP_EDNS_SIZE, 0, 0);
  return dns_out_ok (&o) ? o.len : 0;
}

static void
reply_header (struct dns_out *o, const struct dns_query *q, int rcode, bool tc,
              uint16_t ancount)
{
  struct dns_header h = {
    .id = q->id,
    .flags = (uint16_t) (DNS_FLAG_QR | DNS_FLAG_RA
                         | (q->flags & REPLY_FLAGS_FROM_QUERY)
                         | (tc ? DNS_FLAG_TC : 0) | (rcode & 0xf)),
    .qdcount = q->has_question ? 1 : 0,
    .ancount = ancount,
    .arcount = q->edns ? 1 : 0,
  };
  dns_out_header (o, &h);
  if (q->has_question)
    dns_out_question (o, &q->qname, q->qtype, q->qclass);
}

size_t
dns_reply_empty (const struct dns_query *q, int rcode, bool tc, uint8_t *buf,
                 size_t cap)
{
  struct dns_out o;
  dns_out_init (&o, buf, cap);
  reply_header (&o, q, rcode, tc, 0);
  if (q->edns)
    dns_out_opt (&o, DNS_UDP_EDNS_SIZE, (uint8_t) (rcode >> 4), 0);
  return dns_out_ok (&o) ? o.len : 0;
}

/* RFC 2181 §8: a TTL with the top bit set means zero. */
static uint32_t
sane_ttl (uint32_t ttl)
{
  return ttl > 0x7fffffffu ? 0 : ttl;
}

static int
vet_fail (const struct dns_query *q, const struct dns_vet_params *p,
          uint8_t *out, struct dns_vet_result *r)
{
  r->rcode = DNS_RCODE_SERVFAIL;
  r->n_addrs = 0;
  r->len = dns_reply_empty (q, r->rcode, false, out, p->reply_cap);
  return 0;
}

/* The first CNAME in the answer section owned by `owner`: 1 found, 0 none,
 * -1 malformed. */
static int
find_cname (const uint8_t *resp, size_t len, const struct dns_msg *m,
            const struct dns_name *owner, struct dns_name *target,
            uint32_t *ttl)
{
  size_t off = m->an_off;
  for (unsigned i = 0; i < m->h.ancount; i++)
    {
      struct dns_rr rr;
      if (dns_read_rr (resp, len, &off, &rr) < 0)
        return -1;
      if (rr.type != DNS_TYPE_CNAME || rr.klass != DNS_CLASS_IN
          || !dns_name_equal (&rr.name, owner))
        continue;
      if (dns_rr_cname (resp, len, &rr, target) < 0)
        return -1;
      *ttl = sane_ttl (rr.ttl);
      return 1;
    }
  return 0;
}

static ssize_t
chain_index (const struct chain *c, const struct dns_name *n)
{
  for (size_t i = 0; i < c->n; i++)
    if (dns_name_equal (&c->name[i], n))
      return (ssize_t) i;
  return -1;
}

/* Follow CNAMEs from the queried name.  A loop or a chain longer than
 * DNS_VET_MAX_CHAIN is an error (-1): resolvers give up on those too. */
static int
follow_chain (const struct dns_query *q, const uint8_t *resp, size_t len,
              const struct dns_msg *m, struct chain *c)
{
  c->name[0] = q->qname;
  c->n = 1;
  for (;;)
    {
      struct dns_name target;
      uint32_t ttl;
      int found = find_cname (resp, len, m, &c->name[c->n - 1], &target, &ttl);
      if (found <= 0)
        return found;
      if (chain_index (c, &target) >= 0 || c->n == DNS_VET_MAX_CHAIN)
        return -1;
      c->ttl[c->n - 1] = ttl;
      c->name[c->n++] = target;
      if (q->qtype == DNS_TYPE_CNAME)
        return 0; /* a CNAME query gets the first link only */
    }
}

static void
check_denied (const struct chain *c, const struct dns_vet_params *p,
              struct dns_vet_result *r)
{
  for (size_t i = 0; i < c->n && p->rules; i++)
    {
      char text[DNS_NAME_TEXT_MAX];
      /* A name that is not a host name cannot match any rule. */
      if (dns_name_to_text (&c->name[i], text, sizeof text) < 0)
        continue;
      r->denied_by = dns_rules_denied (p->rules, text);
      if (r->denied_by)
        {
          strcpy (r->denied_name, text);
          return;
        }
    }
}

static const uint8_t v4_mapped[12]
    = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* Collect the addresses of the queried type owned by a chain name;
 * owner[i] is the chain index of addrs[i]'s owner.  -1: malformed. */
static int
collect_addrs (const struct dns_query *q, const uint8_t *resp, size_t len,
               const struct dns_msg *m, const struct chain *c,
               const struct dns_vet_params *p, struct dns_vet_result *r,
               uint8_t *owner, uint32_t *reply_ttl)
{
  size_t want = q->qtype == DNS_TYPE_A ? 4 : 16, off = m->an_off;
  if (q->qtype != DNS_TYPE_A && q->qtype != DNS_TYPE_AAAA)
    return 0;
  for (unsigned i = 0; i < m->h.ancount; i++)
    {
      struct dns_rr rr;
      if (dns_read_rr (resp, len, &off, &rr) < 0)
        return -1;
      if (rr.type != q->qtype || rr.klass != DNS_CLASS_IN)
        continue;
      ssize_t k = chain_index (c, &rr.name);
      if (k < 0 || r->n_addrs == DNS_VET_MAX_ADDRS)
        continue;
      if (rr.rdlen != want)
        return -1;
      struct dns_vet_addr *a = &r->addrs[r->n_addrs];
      uint32_t ttl = sane_ttl (rr.ttl);
      memset (a, 0, sizeof *a);
      a->family = want == 4 ? AF_INET : AF_INET6;
      memcpy (a->addr, resp + rr.rdata, want);
      /* ::ffff:a.b.c.d is IPv4 on the wire: key it as IPv4. */
      if (want == 16 && memcmp (a->addr, v4_mapped, sizeof v4_mapped) == 0)
        {
          a->family = AF_INET;
          memmove (a->addr, a->addr + 12, 4);
          memset (a->addr + 4, 0, 12);
        }
      a->ttl = ttl < p->ttl_min   ? p->ttl_min
               : ttl > p->ttl_max ? p->ttl_max
                                  : ttl;
      reply_ttl[r->n_addrs] = ttl > p->ttl_max ? p->ttl_max : ttl;
      owner[r->n_addrs++] = (uint8_t) k;
    }
  return 0;
}

/* Question, chain, addresses, OPT.  Each owner is a pointer to where that
 * name was first written; a CNAME's target is written in full once. */
static void
build_reply (const struct dns_query *q, const struct chain *c,
             const struct dns_vet_params *p, const uint8_t *owner,
             const uint32_t *reply_ttl, uint8_t *out, struct dns_vet_result *r)
{
  struct dns_out o;
  size_t name_off[DNS_VET_MAX_CHAIN];
  dns_out_init (&o, out, p->reply_cap);
  reply_header (&o, q, r->rcode, false, (uint16_t) (c->n - 1 + r->n_addrs));
  name_off[0] = DNS_HEADER_LEN;
  for (size_t i = 0; i + 1 < c->n; i++)
    {
      uint32_t ttl = c->ttl[i] > p->ttl_max ? p->ttl_max : c->ttl[i];
      dns_out_name_ptr (&o, name_off[i]);
      dns_out_rr_fixed (&o, DNS_TYPE_CNAME, DNS_CLASS_IN, ttl,
                        c->name[i + 1].len);
      name_off[i + 1] = o.len;
      dns_out_name (&o, &c->name[i + 1]);
    }
  for (size_t i = 0; i < r->n_addrs; i++)
    {
      uint16_t rdlen = q->qtype == DNS_TYPE_A ? 4 : 16;
      dns_out_name_ptr (&o, name_off[owner[i]]);
      dns_out_rr_fixed (&o, q->qtype, DNS_CLASS_IN, reply_ttl[i], rdlen);
      if (r->addrs[i].family == AF_INET && rdlen == 16)
        {
          dns_out_bytes (&o, v4_mapped, sizeof v4_mapped);
          dns_out_bytes (&o, r->addrs[i].addr, 4);
        }
      else
        dns_out_bytes (&o, r->addrs[i].addr, rdlen);
    }
  if (q->edns)
    dns_out_opt (&o, DNS_UDP_EDNS_SIZE, 0, 0);
  if (dns_out_ok (&o))
    {
      r->len = o.len;
      return;
    }
  r->truncated = true;
  r->n_addrs = 0;
  r->len = dns_reply_empty (q, r->rcode, true, out, p->reply_cap);
}

int
dns_vet_answer (const struct dns_query *q, uint16_t up_id, const uint8_t *resp,
                size_t len, const struct dns_vet_params *p, uint8_t *out,
                struct dns_vet_result *r)
{
  struct dns_header h;
  struct dns_msg m;
  struct chain c;
  uint8_t owner[DNS_VET_MAX_ADDRS];
  uint32_t reply_ttl[DNS_VET_MAX_ADDRS];

  r->rcode = DNS_RCODE_NOERROR;
  r->len = r->n_addrs = 0;
  r->truncated = false;
  r->denied_by = NULL;
  r->denied_name[0] = '\0';
  if (dns_read_header (resp, len, &h) < 0 || !(h.flags & DNS_FLAG_QR)
      || h.id != up_id)
    return -1;
  if (h.flags & DNS_FLAG_TC)
    return 1;
  if (dns_parse (resp, len, &m) < 0)
    return vet_fail (q, p, out, r);
  if (!m.has_question)
    return DNS_RCODE (h.flags) != 0 ? vet_fail (q, p, out, r) : -1;
  if (!dns_name_equal (&m.q.name, &q->qname) || m.q.type != q->qtype
      || m.q.klass != q->qclass)
    return -1;
  r->rcode = DNS_RCODE (h.flags);
  if (r->rcode != DNS_RCODE_NOERROR && r->rcode != DNS_RCODE_NXDOMAIN)
    return vet_fail (q, p, out, r);
  if (follow_chain (q, resp, len, &m, &c) < 0
      || collect_addrs (q, resp, len, &m, &c, p, r, owner, reply_ttl) < 0)
    return vet_fail (q, p, out, r);
  check_denied (&c, p, r);
  build_reply (q, &c, p, owner, reply_ttl, out, r);
  return 0;
}
