/* ward — unit tests: DNS wire format, host-name rules, answer vetting, the
 * audit stream, and the filtering resolver end to end on 127.0.0.1 against
 * a fake upstream (a thread answering over UDP and TCP on a random port). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "dns_answer.h"
#include "dns_filter.h"
#include "dns_names.h"
#include "dns_wire.h"
#include "unit.h"
#include "ward/cleanup.h"
#include "ward/json.h"

/* ---- helpers ---- */

struct rec
{
  const char *owner;
  uint16_t type;
  uint32_t ttl;
  const char *data; /* an address for A/AAAA, a name for CNAME */
};

static void
put_rec (struct dns_out *o, const struct rec *r)
{
  struct dns_name n;
  dns_name_from_text (r->owner, &n);
  dns_out_name (o, &n);
  if (r->type == DNS_TYPE_CNAME)
    {
      struct dns_name t;
      dns_name_from_text (r->data, &t);
      dns_out_rr_fixed (o, r->type, DNS_CLASS_IN, r->ttl, t.len);
      dns_out_name (o, &t);
      return;
    }
  uint8_t addr[16];
  int fam = r->type == DNS_TYPE_A ? AF_INET : AF_INET6;
  inet_pton (fam, r->data, addr);
  dns_out_rr_fixed (o, r->type, DNS_CLASS_IN, r->ttl, fam == AF_INET ? 4 : 16);
  dns_out_bytes (o, addr, fam == AF_INET ? 4 : 16);
}

/* A message with one question and answer records. */
static size_t
make_msg (uint8_t *buf, size_t cap, uint16_t id, uint16_t flags,
          const struct dns_name *qname, uint16_t qtype, const struct rec *recs,
          size_t n, bool edns)
{
  struct dns_out o;
  struct dns_header h = { .id = id,
                          .flags = flags,
                          .qdcount = 1,
                          .ancount = (uint16_t) n,
                          .arcount = edns };
  dns_out_init (&o, buf, cap);
  dns_out_header (&o, &h);
  dns_out_question (&o, qname, qtype, DNS_CLASS_IN);
  for (size_t i = 0; i < n; i++)
    put_rec (&o, &recs[i]);
  if (edns)
    dns_out_opt (&o, 1232, 0, 0);
  return dns_out_ok (&o) ? o.len : 0;
}

static size_t
make_query (uint8_t *buf, size_t cap, uint16_t id, const char *name,
            uint16_t type, bool edns)
{
  struct dns_name n;
  if (dns_name_from_text (name, &n) < 0)
    return 0;
  return make_msg (buf, cap, id, DNS_FLAG_RD, &n, type, NULL, 0, edns);
}

static size_t
make_answer (uint8_t *buf, size_t cap, uint16_t id, uint16_t flags,
             const char *qname, uint16_t qtype, const struct rec *recs,
             size_t n)
{
  struct dns_name q;
  dns_name_from_text (qname, &q);
  return make_msg (buf, cap, id, DNS_FLAG_QR | DNS_FLAG_RD | flags, &q, qtype,
                   recs, n, false);
}

/* The i-th answer record of a message (-1 if absent). */
static int
answer_at (const uint8_t *msg, size_t len, unsigned i, struct dns_rr *rr)
{
  struct dns_msg m;
  if (dns_parse (msg, len, &m) < 0 || i >= m.h.ancount)
    return -1;
  size_t off = m.an_off;
  for (unsigned k = 0; k <= i; k++)
    if (dns_read_rr (msg, len, &off, rr) < 0)
      return -1;
  return 0;
}

static int64_t
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- wire ---- */

static void
test_wire_names (void)
{
  uint8_t m[64] = { 0 };
  struct dns_name n;
  char text[DNS_NAME_TEXT_MAX];
  size_t off;
  /* 12: www.example.com   29: api + pointer to "example.com" (16) */
  static const uint8_t names[]
      = { 3, 'w', 'w', 'w', 7, 'E', 'x', 'a', 'm', 'p',  'l', 'e',
          3, 'c', 'o', 'm', 0, 3,   'a', 'p', 'i', 0xc0, 16 };
  memcpy (m + 12, names, sizeof names);
  size_t len = 12 + sizeof names;
  off = 12;
  CHECK_INT_EQ (dns_read_name (m, len, &off, &n), 0);
  CHECK_INT_EQ (off, 29);
  CHECK_INT_EQ (dns_name_to_text (&n, text, sizeof text), 0);
  CHECK_STR_EQ (text, "www.example.com");
  off = 29;
  CHECK_INT_EQ (dns_read_name (m, len, &off, &n), 0);
  CHECK_INT_EQ (off, 35); /* just past the pointer */
  dns_name_to_text (&n, text, sizeof text);
  CHECK_STR_EQ (text, "api.example.com");

  /* A pointer to itself, forwards, to its own run, into the header. */
  static const uint8_t bad[][6] = {
    { 0xc0, 12 },
    { 0xc0, 14, 0xc0, 12 },
    { 1, 'a', 0xc0, 12 },
    { 0xc0, 3 },
    { 0x40, 0 },
    { 0x80, 0 },
    { 5, 'a', 'b' },
    { 1, 'a' },
    { 0xc0 },
  };
  static const size_t bad_len[] = { 2, 4, 4, 2, 2, 2, 3, 2, 1 };
  for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
    {
      uint8_t b[32] = { 0 };
      memcpy (b + 12, bad[i], bad_len[i]);
      off = 12;
      if (!CHECK (dns_read_name (b, 12 + bad_len[i], &off, &n) < 0))
        fprintf (stderr, "     bad name #%zu was accepted\n", i);
    }
  /* A later run may point back to an earlier one, which may point back
   * further; a loop between two runs is impossible to express. */
  static const uint8_t chain[] = { 1, 'a', 0,          /* 12 */
                                   1, 'b', 0xc0, 12,   /* 15 */
                                   1, 'c', 0xc0, 15 }; /* 19 */
  memset (m, 0, sizeof m);
  memcpy (m + 12, chain, sizeof chain);
  off = 19;
  CHECK_INT_EQ (dns_read_name (m, 12 + sizeof chain, &off, &n), 0);
  dns_name_to_text (&n, text, sizeof text);
  CHECK_STR_EQ (text, "c.b.a");

  /* 255 octets is the most a name may have. */
  uint8_t big[12 + 300] = { 0 };
  size_t p = 12;
  for (int l = 0; l < 3; l++)
    {
      big[p++] = 63;
      memset (big + p, 'x', 63);
      p += 63;
    }
  big[p++] = 61;
  memset (big + p, 'y', 61);
  p += 61;
  big[p++] = 0;
  off = 12;
  CHECK_INT_EQ (dns_read_name (big, p, &off, &n), 0);
  CHECK_INT_EQ (n.len, 255);
  big[12 + 3 * 64] = 62;
  memset (big + 12 + 3 * 64 + 1, 'y', 62);
  big[12 + 3 * 64 + 63] = 0;
  off = 12;
  CHECK (dns_read_name (big, 12 + 3 * 64 + 64, &off, &n) < 0);
}

static void
test_wire_text (void)
{
  struct dns_name n;
  char text[DNS_NAME_TEXT_MAX], shown[64];
  CHECK_INT_EQ (dns_name_from_text ("WWW.Example.COM.", &n), 0);
  CHECK_INT_EQ (n.len, 17);
  CHECK_INT_EQ (dns_name_to_text (&n, text, sizeof text), 0);
  CHECK_STR_EQ (text, "www.example.com");
  CHECK_INT_EQ (dns_name_from_text (".", &n), 0);
  CHECK_INT_EQ (n.len, 1);
  dns_name_to_text (&n, text, sizeof text);
  CHECK_STR_EQ (text, ".");
  CHECK (dns_name_from_text ("a..b", &n) < 0);
  CHECK (dns_name_from_text (".a", &n) < 0);
  CHECK (
      dns_name_from_text (
          "0123456789012345678901234567890123456789012345678901234567890123.x",
          &n)
      < 0);
  CHECK_INT_EQ (dns_name_from_text ("_dmarc.x-y.example", &n), 0);

  /* A label holding a dot or a control byte is not a host name. */
  static const uint8_t odd[] = { 3, 'a', '.', 'b', 2, 1, 'Z', 0 };
  memcpy (n.wire, odd, sizeof odd);
  n.len = sizeof odd;
  CHECK (dns_name_to_text (&n, text, sizeof text) < 0);
  dns_name_to_display (&n, shown, sizeof shown);
  CHECK_STR_EQ (shown, "a\\046b.\\001Z");
  dns_name_to_display (&n, shown, 6);
  CHECK_STR_EQ (shown, "a\\046");

  struct dns_name a, b;
  dns_name_from_text ("Api.Example.com", &a);
  dns_name_from_text ("api.example.COM", &b);
  CHECK (dns_name_equal (&a, &b));
  dns_name_from_text ("api.example.co", &b);
  CHECK (!dns_name_equal (&a, &b));
}

static void
test_wire_parse (void)
{
  uint8_t buf[512];
  struct dns_msg m;
  static const struct rec recs[] = {
    { "a.test", DNS_TYPE_CNAME, 60, "b.test" },
    { "b.test", DNS_TYPE_A, 60, "192.0.2.1" },
  };
  struct dns_name q;
  dns_name_from_text ("a.test", &q);
  size_t len = make_msg (buf, sizeof buf, 9, DNS_FLAG_QR, &q, DNS_TYPE_A, recs,
                         2, true);
  CHECK (len > 0);
  CHECK_INT_EQ (dns_parse (buf, len, &m), 0);
  CHECK_INT_EQ (m.h.id, 9);
  CHECK (m.has_question);
  CHECK (m.edns.present);
  CHECK_INT_EQ (m.edns.udp_size, 1232);
  struct dns_rr rr;
  struct dns_name target;
  char text[DNS_NAME_TEXT_MAX];
  CHECK_INT_EQ (answer_at (buf, len, 0, &rr), 0);
  CHECK_INT_EQ (dns_rr_cname (buf, len, &rr, &target), 0);
  dns_name_to_text (&target, text, sizeof text);
  CHECK_STR_EQ (text, "b.test");

  /* A CNAME whose name runs past its RDATA. */
  uint8_t copy[512];
  memcpy (copy, buf, len);
  copy[rr.rdata - 1] = (uint8_t) (rr.rdlen - 1);
  CHECK (dns_rr_cname (copy, len, &rr, &target) == 0); /* rr still says 8 */
  struct dns_rr shorter = rr;
  shorter.rdlen--;
  CHECK (dns_rr_cname (copy, len, &shorter, &target) < 0);

  /* Trailing garbage, a missing record, RDATA past the end. */
  CHECK (dns_parse (buf, len - 1, &m) < 0);
  buf[len] = 0;
  CHECK (dns_parse (buf, len + 1, &m) < 0);
  memcpy (copy, buf, len);
  copy[7]++; /* ancount 3 */
  CHECK (dns_parse (copy, len, &m) < 0);
  CHECK (dns_read_header (buf, 11, &m.h) < 0);

  /* OPT: only in the additional section, once, owned by the root. */
  struct dns_out o;
  struct dns_header h = { .id = 1, .qdcount = 1, .arcount = 2 };
  dns_out_init (&o, copy, sizeof copy);
  dns_out_header (&o, &h);
  dns_out_question (&o, &q, DNS_TYPE_A, DNS_CLASS_IN);
  dns_out_opt (&o, 1232, 0, 0);
  dns_out_opt (&o, 1232, 0, 0);
  CHECK (dns_parse (copy, o.len, &m) < 0);
  h.arcount = 0;
  h.ancount = 1;
  dns_out_init (&o, copy, sizeof copy);
  dns_out_header (&o, &h);
  dns_out_question (&o, &q, DNS_TYPE_A, DNS_CLASS_IN);
  dns_out_opt (&o, 1232, 0, 0);
  CHECK (dns_parse (copy, o.len, &m) < 0);
  h.ancount = 0;
  h.arcount = 1;
  dns_out_init (&o, copy, sizeof copy);
  dns_out_header (&o, &h);
  dns_out_question (&o, &q, DNS_TYPE_A, DNS_CLASS_IN);
  dns_out_name (&o, &q); /* OPT with a non-root owner */
  dns_out_rr_fixed (&o, DNS_TYPE_OPT, 1232, 0, 0);
  CHECK (dns_parse (copy, o.len, &m) < 0);

  /* The writer stops at its capacity and says so. */
  dns_out_init (&o, copy, 10);
  dns_out_header (&o, &h);
  CHECK (!dns_out_ok (&o));
  dns_out_init (&o, copy, sizeof copy);
  dns_out_name_ptr (&o, 0x4000);
  CHECK (!dns_out_ok (&o));
}

/* ---- names and rules ---- */

static void
test_names (void)
{
  static const struct
  {
    const char *in, *out;
  } norm[] = {
    { "WWW.Example.COM.", "www.example.com" },
    { "*.GitHubUserContent.com", "*.githubusercontent.com" },
    { "xn--bcher-kva.example", "xn--bcher-kva.example" },
    { "_dmarc.example.com", "_dmarc.example.com" },
    { "*", NULL },
    { "*.", NULL },
    { "*.com", NULL },
    { "a.*.com", NULL },
    { "*.*.example.com", NULL },
    { "w*.example.com", NULL },
    { "exa mple.com", NULL },
    { "-a.example.com", NULL },
    { "a-.example.com", NULL },
    { "a..example.com", NULL },
    { ".example.com", NULL },
    { "", NULL },
    { ".", NULL },
    { "1.2.3.4", NULL },
    { "b\xc3\xbc"
      "cher.example",
      NULL },
    { "0123456789012345678901234567890123456789012345678901234567890123.com",
      NULL },
  };
  for (size_t i = 0; i < ARRAY_SIZE (norm); i++)
    {
      char out[DNS_NAME_TEXT_MAX];
      const char *why = NULL;
      int r = dns_pattern_normalize (norm[i].in, out, sizeof out, &why);
      if (norm[i].out)
        {
          CHECK_INT_EQ (r, 0);
          if (r == 0)
            CHECK_STR_EQ (out, norm[i].out);
        }
      else if (!CHECK (r < 0 && why != NULL))
        fprintf (stderr, "     \"%s\" was accepted\n", norm[i].in);
    }
  char out[DNS_NAME_TEXT_MAX];
  const char *why;
  CHECK (dns_name_normalize ("*.example.com", out, sizeof out, &why) < 0);
  CHECK (dns_pattern_normalize ("*", out, sizeof out, &why) < 0);
  CHECK_STR_HAS (why, "every name");

  static const struct
  {
    const char *pattern, *name;
    bool match;
  } match[] = {
    { "example.com", "example.com", true },
    { "example.com", "www.example.com", false },
    { "example.com", "xexample.com", false },
    { "www.example.com", "example.com", false },
    { "*.example.com", "a.example.com", true },
    { "*.example.com", "a.b.c.example.com", true },
    { "*.example.com", "example.com", false },
    { "*.example.com", "aexample.com", false },
    { "*.example.com", "a.example.com.evil", false },
    { "*.example.com", "a.example.co", false },
    { "*.b.example.com", "a.b.example.com", true },
    { "*.b.example.com", "a.example.com", false },
  };
  for (size_t i = 0; i < ARRAY_SIZE (match); i++)
    if (!CHECK (dns_pattern_match (match[i].pattern, match[i].name)
                == match[i].match))
      fprintf (stderr, "     %s vs %s\n", match[i].pattern, match[i].name);
}

static void
test_rules (void)
{
  static const struct dns_rule rules[] = {
    { .host = "*.Example.com", .where = "allow[0]" },
    { .host = "api.example.com.", .where = "allow[1]" },
    { .host = "bad.example.com", .deny = true, .where = "deny[0]" },
  };
  struct dns_rules rs;
  struct werr err = { 0 };
  CHECK_INT_EQ (dns_rules_init (&rs, rules, ARRAY_SIZE (rules), &err), 0);
  CHECK (dns_rules_denied (&rs, "bad.example.com") == &rules[2]);
  CHECK (dns_rules_denied (&rs, "api.example.com") == NULL);
  CHECK (dns_rules_denied (&rs, "x.bad.example.com") == NULL);
  size_t cur = 0;
  CHECK (dns_rules_next_allow (&rs, "api.example.com", &cur) == &rules[0]);
  CHECK (dns_rules_next_allow (&rs, "api.example.com", &cur) == &rules[1]);
  CHECK (dns_rules_next_allow (&rs, "api.example.com", &cur) == NULL);
  cur = 0;
  CHECK (dns_rules_next_allow (&rs, "bad.example.com", &cur) == &rules[0]);
  cur = 0;
  CHECK (dns_rules_next_allow (&rs, "example.com", &cur) == NULL);
  dns_rules_clear (&rs);

  static const struct dns_rule wrong[] = {
    { .host = "ok.example.com", .where = "allow[0]" },
    { .host = "*", .where = "network.egress.allow[3].to[1]" },
  };
  CHECK (dns_rules_init (&rs, wrong, ARRAY_SIZE (wrong), &err) < 0);
  CHECK_STR_HAS (err.msg, "network.egress.allow[3].to[1]");
  CHECK_STR_HAS (err.msg, "every name");
}

/* ---- query parsing and answer vetting ---- */

static void
test_query_parse (void)
{
  uint8_t buf[512], out[512];
  struct dns_query q;
  struct dns_msg m;
  int rcode;
  size_t len
      = make_query (buf, sizeof buf, 5, "WWW.Allowed.Test", DNS_TYPE_A, true);
  CHECK_INT_EQ (dns_query_parse (buf, len, &q, &rcode), 0);
  CHECK_INT_EQ (rcode, 0);
  CHECK_STR_EQ (q.name, "www.allowed.test");
  CHECK_INT_EQ (q.udp_size, DNS_UDP_EDNS_SIZE);
  CHECK (q.edns);

  /* A response is dropped, never answered. */
  buf[2] |= 0x80;
  CHECK (dns_query_parse (buf, len, &q, &rcode) < 0);
  buf[2] &= 0x7f;
  CHECK (dns_query_parse (buf, 11, &q, &rcode) < 0);

  /* Garbage after a header: FORMERR without a question. */
  uint8_t junk[20] = { 0, 7, 1, 0, 0, 1 };
  memset (junk + 12, 0xff, 8);
  CHECK_INT_EQ (dns_query_parse (junk, sizeof junk, &q, &rcode), 0);
  CHECK_INT_EQ (rcode, DNS_RCODE_FORMERR);
  size_t rlen = dns_reply_empty (&q, rcode, false, out, sizeof out);
  CHECK_INT_EQ (dns_parse (out, rlen, &m), 0);
  CHECK_INT_EQ (m.h.id, 7);
  CHECK_INT_EQ (m.h.qdcount, 0);
  CHECK_INT_EQ (DNS_RCODE (m.h.flags), DNS_RCODE_FORMERR);

  /* Opcode STATUS: NOTIMP. */
  len = make_query (buf, sizeof buf, 5, "a.test", DNS_TYPE_A, false);
  buf[2] |= 2 << 3;
  CHECK_INT_EQ (dns_query_parse (buf, len, &q, &rcode), 0);
  CHECK_INT_EQ (rcode, DNS_RCODE_NOTIMP);

  /* EDNS version 1: BADVERS, whose upper bits travel in the OPT. */
  len = make_query (buf, sizeof buf, 5, "a.test", DNS_TYPE_A, true);
  buf[len - 11 + 6] = 1; /* the OPT's version octet */
  CHECK_INT_EQ (dns_query_parse (buf, len, &q, &rcode), 0);
  CHECK_INT_EQ (rcode, DNS_RCODE_BADVERS);
  rlen = dns_reply_empty (&q, rcode, false, out, sizeof out);
  CHECK_INT_EQ (dns_parse (out, rlen, &m), 0);
  CHECK_INT_EQ (DNS_RCODE (m.h.flags), 0);
  CHECK_INT_EQ (m.edns.ext_rcode, 1);

  /* The client's UDP size is kept within [512, 1232]. */
  buf[len - 11 + 6] = 0;
  buf[len - 11 + 3] = 0x10; /* 4096 */
  buf[len - 11 + 4] = 0x00;
  dns_query_parse (buf, len, &q, &rcode);
  CHECK_INT_EQ (q.udp_size, 1232);
  buf[len - 11 + 3] = 0;
  buf[len - 11 + 4] = 100;
  dns_query_parse (buf, len, &q, &rcode);
  CHECK_INT_EQ (q.udp_size, 512);
}

static void
vet_setup (struct dns_query *q, const char *name, uint16_t type)
{
  uint8_t buf[512];
  int rcode;
  size_t len = make_query (buf, sizeof buf, 0x1111, name, type, true);
  dns_query_parse (buf, len, q, &rcode);
}

static struct dns_rules no_rules;
static uint8_t up[2048], out[16384];

static const struct rec cdn_recs[] = {
  { "www.allowed.test", DNS_TYPE_CNAME, 100, "edge.cdn.test" },
  { "edge.cdn.test", DNS_TYPE_A, 5, "192.0.2.1" },
  { "other.test", DNS_TYPE_A, 5, "198.51.100.9" },
  { "edge.cdn.test", DNS_TYPE_A, 99999, "192.0.2.2" },
  { "edge.cdn.test", DNS_TYPE_AAAA, 5, "2001:db8::1" },
};

static void
test_vet_chain (void)
{
  struct dns_vet_params p = { &no_rules, 30, 3600, 512 };
  struct dns_vet_result r;
  struct dns_query q;
  struct dns_rr rr;
  struct dns_msg m;
  char text[DNS_NAME_TEXT_MAX];
  vet_setup (&q, "www.Allowed.test", DNS_TYPE_A);
  size_t len = make_answer (up, sizeof up, 77, DNS_FLAG_RA, "www.allowed.test",
                            DNS_TYPE_A, cdn_recs, ARRAY_SIZE (cdn_recs));
  CHECK_INT_EQ (dns_vet_answer (&q, 77, up, len, &p, out, &r), 0);
  CHECK_INT_EQ (r.rcode, 0);
  CHECK (r.denied_by == NULL);
  CHECK_INT_EQ (r.n_addrs, 2);
  CHECK_INT_EQ (r.addrs[0].family, AF_INET);
  CHECK (memcmp (r.addrs[0].addr, "\xc0\x00\x02\x01", 4) == 0);
  CHECK_UINT_EQ (r.addrs[0].ttl, 30);   /* raised to ttl_min for the map */
  CHECK_UINT_EQ (r.addrs[1].ttl, 3600); /* capped */
  CHECK_INT_EQ (dns_parse (out, r.len, &m), 0);
  CHECK_INT_EQ (m.h.id, 0x1111);
  CHECK (m.h.flags & DNS_FLAG_QR);
  CHECK (m.h.flags & DNS_FLAG_RD);
  CHECK_INT_EQ (m.h.ancount, 3); /* the CNAME and two A; not other.test */
  CHECK (m.edns.present);
  CHECK (memcmp (m.q.name.wire,
                 "\x03www\x07"
                 "Allowed",
                 12)
         == 0); /* the client's case */
  CHECK_INT_EQ (answer_at (out, r.len, 0, &rr), 0);
  CHECK_INT_EQ (rr.type, DNS_TYPE_CNAME);
  CHECK_UINT_EQ (rr.ttl, 100);
  CHECK_INT_EQ (answer_at (out, r.len, 1, &rr), 0);
  CHECK_UINT_EQ (rr.ttl, 5); /* the client never caches longer than the map */
  dns_name_to_text (&rr.name, text, sizeof text);
  CHECK_STR_EQ (text, "edge.cdn.test");
  CHECK_INT_EQ (answer_at (out, r.len, 2, &rr), 0);
  CHECK_UINT_EQ (rr.ttl, 3600);

  /* A denied name in the chain is reported. */
  static const struct dns_rule rules[] = {
    { .host = "*.cdn.test", .deny = true, .where = "deny[0]" },
  };
  struct dns_rules rs;
  struct werr err;
  dns_rules_init (&rs, rules, 1, &err);
  p.rules = &rs;
  CHECK_INT_EQ (dns_vet_answer (&q, 77, up, len, &p, out, &r), 0);
  CHECK (r.denied_by == &rules[0]);
  CHECK_STR_EQ (r.denied_name, "edge.cdn.test");
  dns_rules_clear (&rs);

  /* A CNAME query gets the first link only. */
  vet_setup (&q, "www.allowed.test", DNS_TYPE_CNAME);
  len = make_answer (up, sizeof up, 77, 0, "www.allowed.test", DNS_TYPE_CNAME,
                     cdn_recs, 1);
  CHECK_INT_EQ (dns_vet_answer (&q, 77, up, len, &p, out, &r), 0);
  CHECK_INT_EQ (dns_parse (out, r.len, &m), 0);
  CHECK_INT_EQ (m.h.ancount, 1);
  CHECK_INT_EQ (r.n_addrs, 0);
}

static void
test_vet_not_ours (void)
{
  struct dns_vet_params p = { &no_rules, 30, 3600, 512 };
  struct dns_vet_result r;
  struct dns_query q;
  vet_setup (&q, "www.allowed.test", DNS_TYPE_A);
  /* Wrong id, other question, not a response: ignored. */
  size_t len = make_answer (up, sizeof up, 77, 0, "www.allowed.test",
                            DNS_TYPE_A, cdn_recs, 2);
  CHECK (dns_vet_answer (&q, 78, up, len, &p, out, &r) < 0);
  up[2] &= 0x7f;
  CHECK (dns_vet_answer (&q, 77, up, len, &p, out, &r) < 0);
  len = make_answer (up, sizeof up, 77, 0, "www.allowed.tes", DNS_TYPE_A,
                     cdn_recs, 0);
  CHECK (dns_vet_answer (&q, 77, up, len, &p, out, &r) < 0);
  len = make_answer (up, sizeof up, 77, 0, "www.allowed.test", DNS_TYPE_AAAA,
                     cdn_recs, 0);
  CHECK (dns_vet_answer (&q, 77, up, len, &p, out, &r) < 0);

  /* Truncated: ask again over TCP. */
  len = make_answer (up, sizeof up, 77, DNS_FLAG_TC, "www.allowed.test",
                     DNS_TYPE_A, cdn_recs, 0);
  CHECK_INT_EQ (dns_vet_answer (&q, 77, up, len, &p, out, &r), 1);

  /* Upstream failure, a CNAME loop, a malformed A: SERVFAIL, no address. */
  len = make_answer (up, sizeof up, 77, DNS_RCODE_REFUSED, "www.allowed.test",
                     DNS_TYPE_A, cdn_recs, 2);
  CHECK_INT_EQ (dns_vet_answer (&q, 77, up, len, &p, out, &r), 0);
  CHECK_INT_EQ (r.rcode, DNS_RCODE_SERVFAIL);
  CHECK_INT_EQ (r.n_addrs, 0);
  static const struct rec loop[] = {
    { "www.allowed.test", DNS_TYPE_CNAME, 5, "b.test" },
    { "b.test", DNS_TYPE_CNAME, 5, "www.allowed.test" },
    { "b.test", DNS_TYPE_A, 5, "192.0.2.1" },
  };
  len = make_answer (up, sizeof up, 77, 0, "www.allowed.test", DNS_TYPE_A, loop,
                     ARRAY_SIZE (loop));
  CHECK_INT_EQ (dns_vet_answer (&q, 77, up, len, &p, out, &r), 0);
  CHECK_INT_EQ (r.rcode, DNS_RCODE_SERVFAIL);
  CHECK_INT_EQ (r.n_addrs, 0);
  len = make_answer (up, sizeof up, 77, 0, "www.allowed.test", DNS_TYPE_A, NULL,
                     0);
  struct dns_out o = { up, sizeof up, len, false };
  dns_out_name (&o, &q.qname);
  dns_out_rr_fixed (&o, DNS_TYPE_A, DNS_CLASS_IN, 5, 3);
  dns_out_bytes (&o, "\1\2\3", 3);
  dns_out_counts (&o, 1, 1, 0, 0);
  CHECK_INT_EQ (dns_vet_answer (&q, 77, up, o.len, &p, out, &r), 0);
  CHECK_INT_EQ (r.rcode, DNS_RCODE_SERVFAIL);

  /* NXDOMAIN passes with its code. */
  len = make_answer (up, sizeof up, 77, DNS_RCODE_NXDOMAIN, "www.allowed.test",
                     DNS_TYPE_A, NULL, 0);
  CHECK_INT_EQ (dns_vet_answer (&q, 77, up, len, &p, out, &r), 0);
  CHECK_INT_EQ (r.rcode, DNS_RCODE_NXDOMAIN);
}

static void
test_vet_shapes (void)
{
  struct dns_vet_params p = { &no_rules, 30, 3600, 512 };
  struct dns_vet_result r;
  struct dns_query q;
  struct dns_rr rr;
  struct dns_msg m;
  /* A v4-mapped AAAA is keyed as IPv4 and kept as written. */
  vet_setup (&q, "six.test", DNS_TYPE_AAAA);
  static const struct rec mapped[] = {
    { "six.test", DNS_TYPE_AAAA, 50, "::ffff:192.0.2.5" },
    { "six.test", DNS_TYPE_AAAA, 50, "2001:db8::5" },
  };
  size_t len = make_answer (up, sizeof up, 77, 0, "six.test", DNS_TYPE_AAAA,
                            mapped, 2);
  CHECK_INT_EQ (dns_vet_answer (&q, 77, up, len, &p, out, &r), 0);
  CHECK_INT_EQ (r.n_addrs, 2);
  CHECK_INT_EQ (r.addrs[0].family, AF_INET);
  CHECK (memcmp (r.addrs[0].addr, "\xc0\x00\x02\x05", 4) == 0);
  CHECK_INT_EQ (r.addrs[1].family, AF_INET6);
  CHECK_INT_EQ (answer_at (out, r.len, 0, &rr), 0);
  CHECK_INT_EQ (rr.rdlen, 16);
  CHECK (memcmp (out + rr.rdata, "\0\0\0\0\0\0\0\0\0\0\xff\xff\xc0\0\2\5", 16)
         == 0);

  /* Too large for the client's 512 octets: TC, no records, no address. */
  vet_setup (&q, "many.test", DNS_TYPE_A);
  struct rec many[40];
  char addrs[40][20];
  for (int i = 0; i < 40; i++)
    {
      snprintf (addrs[i], sizeof addrs[i], "192.0.2.%d", i + 1);
      many[i] = (struct rec){ "many.test", DNS_TYPE_A, 60, addrs[i] };
    }
  len = make_answer (up, sizeof up, 77, 0, "many.test", DNS_TYPE_A, many, 40);
  CHECK_INT_EQ (dns_vet_answer (&q, 77, up, len, &p, out, &r), 0);
  CHECK (r.truncated);
  CHECK_INT_EQ (r.n_addrs, 0);
  CHECK_INT_EQ (dns_parse (out, r.len, &m), 0);
  CHECK (m.h.flags & DNS_FLAG_TC);
  CHECK_INT_EQ (m.h.ancount, 0);
  p.reply_cap = 16384;
  CHECK_INT_EQ (dns_vet_answer (&q, 77, up, len, &p, out, &r), 0);
  CHECK (!r.truncated);
  CHECK_INT_EQ (r.n_addrs, 40);
}

/* ---- audit ---- */

static char *
read_all_text (const char *path)
{
  FILE *fp = fopen (path, "re");
  if (fp == NULL)
    return NULL;
  static char buf[1 << 20];
  size_t n = fread (buf, 1, sizeof buf - 1, fp);
  buf[n] = '\0';
  fclose (fp);
  return buf;
}

static size_t
count_lines (const char *s)
{
  size_t n = 0;
  for (; s && *s; s++)
    n += *s == '\n';
  return n;
}

static void
test_audit (void)
{
  char dir[] = "/tmp/ward-test-audit-XXXXXX", path[128];
  struct werr err = { 0 };
  struct audit *a = NULL;
  if (mkdtemp (dir) == NULL)
    UNIT_SKIP ("mkdtemp");
  snprintf (path, sizeof path, "%s/%s", dir, AUDIT_FILE);
  CHECK_INT_EQ (audit_open (dir, &a, &err), 0);
  struct audit_event ev = {
    .time = { 1764094557, 5 },
    .container_id = "c1",
    .agent = "bot",
    .action = AUDIT_CONNECT,
    .verdict = AUDIT_DENIED,
    .family = AF_INET6,
    .has_port = true,
    .port = 443,
    .protocol = "tcp",
    .rule = "network.egress.default",
  };
  inet_pton (AF_INET6, "2001:db8::7", ev.addr);
  CHECK_INT_EQ (audit_event (a, &ev), 0);
  struct audit_event dns = { .container_id = "c1",
                             .agent = "bot",
                             .action = AUDIT_DNS,
                             .verdict = AUDIT_ALLOWED_AUDIT,
                             .name = "evil.test\"\n",
                             .detail = "not allowed" };
  CHECK_INT_EQ (audit_event (a, &dns), 0);
  CHECK_INT_EQ (audit_event (NULL, &dns), 0);

  char *text = read_all_text (path);
  CHECK_INT_EQ (count_lines (text), 2);
  char *nl = text ? strchr (text, '\n') : NULL;
  if (nl)
    {
      struct jnode *j = jnode_parse (text, (size_t) (nl - text), &err);
      CHECK (j != NULL);
      CHECK_STR_EQ (jnode_str (jnode_get (j, "time")),
                    "2025-11-25T18:15:57.000000005Z");
      CHECK_STR_EQ (jnode_str (jnode_get (j, "container")), "c1");
      CHECK_STR_EQ (jnode_str (jnode_get (j, "agent")), "bot");
      CHECK_STR_EQ (jnode_str (jnode_get (j, "action")), "connect");
      CHECK_STR_EQ (jnode_str (jnode_get (j, "verdict")), "denied");
      CHECK_STR_EQ (jnode_str (jnode_get (j, "rule")),
                    "network.egress.default");
      const struct jnode *t = jnode_get (j, "target");
      CHECK_STR_EQ (jnode_str (jnode_get (t, "address")), "2001:db8::7");
      CHECK_INT_EQ (jnode_int (jnode_get (t, "port")), 443);
      CHECK_STR_EQ (jnode_str (jnode_get (t, "protocol")), "tcp");
      CHECK (jnode_get (t, "name") == NULL);
      CHECK (jnode_get (j, "detail") == NULL);
      jnode_free (j);
      struct jnode *k = jnode_parse (nl + 1, strlen (nl + 1), &err);
      CHECK (k != NULL);
      CHECK_STR_EQ (jnode_str (jnode_get (k, "verdict")), "allowed-audit");
      CHECK_STR_EQ (jnode_str (jnode_get (jnode_get (k, "target"), "name")),
                    "evil.test\"\n");
      jnode_free (k);
    }

  /* A flood is capped per second; the next line says how much was lost. */
  for (int i = 0; i < 2 * AUDIT_RATE_MAX + 50; i++)
    audit_event (a, &dns);
  struct timespec pause = { 1, 100 * 1000 * 1000 };
  nanosleep (&pause, NULL);
  audit_event (a, &ev);
  text = read_all_text (path);
  CHECK (count_lines (text) <= 2 + 2 * AUDIT_RATE_MAX + 1);
  char *last = text ? strrchr (text, '{') : NULL;
  CHECK_STR_HAS (last, "\"suppressed\":");
  audit_close (a);
  unlink (path);
  rmdir (dir);
}

/* ---- the filter end to end ---- */

struct fake
{
  int udp, tcp, stop[2];
  pthread_t thread;
  struct sockaddr_storage addr;
  atomic_int denied_hits, tcp_queries, queries;
};

static size_t
fake_reply (struct fake *fk, const uint8_t *q, size_t len, bool tcp,
            uint8_t *out, size_t cap)
{
  struct dns_msg m;
  char name[DNS_NAME_TEXT_MAX];
  if (dns_parse (q, len, &m) < 0 || !m.has_question
      || dns_name_to_text (&m.q.name, name, sizeof name) < 0)
    return 0;
  atomic_fetch_add (&fk->queries, 1);
  uint16_t t = m.q.type, flags = DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_RA;
  struct rec r[4];
  size_t n = 0;
  if (strcmp (name, "www.allowed.test") == 0 && t == DNS_TYPE_A)
    r[n++] = (struct rec){ name, DNS_TYPE_A, 300, "192.0.2.1" };
  else if (strcmp (name, "www.allowed.test") == 0 && t == DNS_TYPE_AAAA)
    r[n++] = (struct rec){ name, DNS_TYPE_AAAA, 7, "2001:db8::1" };
  else if (strcmp (name, "alias.allowed.test") == 0)
    {
      r[n++] = (struct rec){ name, DNS_TYPE_CNAME, 60, "www.denied.test" };
      r[n++] = (struct rec){ "www.denied.test", DNS_TYPE_A, 60, "192.0.2.66" };
    }
  else if (strcmp (name, "cdn.allowed.test") == 0)
    {
      r[n++] = (struct rec){ name, DNS_TYPE_CNAME, 60, "edge.cdn.example" };
      r[n++] = (struct rec){ "edge.cdn.example", DNS_TYPE_A, 10, "192.0.2.7" };
    }
  else if (strcmp (name, "big.allowed.test") == 0 && !tcp)
    flags |= DNS_FLAG_TC;
  else if (strcmp (name, "big.allowed.test") == 0)
    {
      atomic_fetch_add (&fk->tcp_queries, 1);
      r[n++] = (struct rec){ name, DNS_TYPE_A, 20, "192.0.2.10" };
      r[n++] = (struct rec){ name, DNS_TYPE_A, 20, "192.0.2.11" };
      r[n++] = (struct rec){ name, DNS_TYPE_A, 20, "192.0.2.12" };
    }
  else if (strcmp (name, "slow.allowed.test") == 0)
    return 0;
  else if (strcmp (name, "www.denied.test") == 0)
    {
      atomic_fetch_add (&fk->denied_hits, 1);
      r[n++] = (struct rec){ name, DNS_TYPE_A, 60, "192.0.2.66" };
    }
  else
    flags |= DNS_RCODE_NXDOMAIN;
  return make_msg (out, cap, m.h.id, flags, &m.q.name, t, r, n, false);
}

static void
fake_tcp (struct fake *fk)
{
  uint8_t in[2 + 1024], out[4096];
  int c = accept4 (fk->tcp, NULL, NULL, SOCK_CLOEXEC);
  if (c < 0)
    return;
  struct timeval tv = { 2, 0 };
  setsockopt (c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (recv (c, in, 2, MSG_WAITALL) == 2)
    {
      size_t len = (size_t) in[0] << 8 | in[1];
      if (len <= 1024 && recv (c, in + 2, len, MSG_WAITALL) == (ssize_t) len)
        {
          size_t n
              = fake_reply (fk, in + 2, len, true, out + 2, sizeof out - 2);
          out[0] = (uint8_t) (n >> 8);
          out[1] = (uint8_t) n;
          if (n)
            send (c, out, n + 2, MSG_NOSIGNAL);
        }
    }
  close (c);
}

static void *
fake_main (void *arg)
{
  struct fake *fk = arg;
  uint8_t in[1500], out[1500];
  for (;;)
    {
      struct pollfd p[3] = { { fk->udp, POLLIN, 0 },
                             { fk->tcp, POLLIN, 0 },
                             { fk->stop[0], POLLIN, 0 } };
      if (poll (p, 3, -1) < 0 && errno != EINTR)
        break;
      if (p[2].revents)
        break;
      if (p[0].revents & POLLIN)
        {
          struct sockaddr_storage peer;
          socklen_t plen = sizeof peer;
          ssize_t n = recvfrom (fk->udp, in, sizeof in, 0,
                                (struct sockaddr *) &peer, &plen);
          size_t len
              = n > 0 ? fake_reply (fk, in, (size_t) n, false, out, sizeof out)
                      : 0;
          if (len)
            sendto (fk->udp, out, len, 0, (struct sockaddr *) &peer, plen);
        }
      if (p[1].revents & POLLIN)
        fake_tcp (fk);
    }
  return NULL;
}

static int
loopback (struct sockaddr_storage *ss, int port)
{
  struct sockaddr_in *s4 = (struct sockaddr_in *) ss;
  memset (ss, 0, sizeof *ss);
  s4->sin_family = AF_INET;
  s4->sin_port = htons ((uint16_t) port);
  return inet_pton (AF_INET, "127.0.0.1", &s4->sin_addr) == 1 ? 0 : -1;
}

static int
fake_start (struct fake *fk)
{
  struct werr err;
  memset (fk, 0, sizeof *fk);
  loopback (&fk->addr, 0);
  if (dns_filter_listen (&fk->addr, &fk->udp, &fk->tcp, &err) < 0
      || pipe2 (fk->stop, O_CLOEXEC) < 0)
    return -1;
  return pthread_create (&fk->thread, NULL, fake_main, fk) == 0 ? 0 : -1;
}

static void
fake_stop (struct fake *fk)
{
  if (write (fk->stop[1], "x", 1) == 1)
    pthread_join (fk->thread, NULL);
  close (fk->stop[0]);
  close (fk->stop[1]);
  close (fk->udp);
  close (fk->tcp);
}

struct call
{
  int family;
  uint8_t addr[16];
  uint32_t ttl;
  const struct dns_rule *rule;
};

static struct call calls[64];
static size_t n_calls;
static int fail_calls;

static int
record_allow (void *ctx, int family, const void *addr, uint32_t ttl,
              const struct dns_rule *rule)
{
  (void) ctx;
  if (fail_calls)
    return -1;
  if (n_calls < ARRAY_SIZE (calls))
    {
      struct call *c = &calls[n_calls++];
      c->family = family;
      memcpy (c->addr, addr, family == AF_INET ? 4 : 16);
      c->ttl = ttl;
      c->rule = rule;
    }
  return 0;
}

/* Ask the filter over UDP or TCP, driving its loop until the reply is in.
 * Returns the reply's length, -1 when none came. */
static ssize_t
ask (struct dns_filter *f, const struct sockaddr_storage *srv, bool tcp,
     const char *name, uint16_t type, uint8_t *reply, size_t cap)
{
  uint8_t q[2 + 512];
  size_t qlen = make_query (q + 2, sizeof q - 2, 0x4242, name, type, true);
  int fd = socket (AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
  ssize_t got = -1;
  if (fd < 0
      || connect (fd, (const struct sockaddr *) srv,
                  sizeof (struct sockaddr_in))
             < 0)
    goto out;
  q[0] = (uint8_t) (qlen >> 8);
  q[1] = (uint8_t) qlen;
  if (tcp ? send (fd, q, qlen + 2, 0) != (ssize_t) qlen + 2
          : send (fd, q + 2, qlen, 0) != (ssize_t) qlen)
    goto out;
  for (int64_t end = now_ms () + 5000; now_ms () < end;)
    {
      dns_filter_poll (f, 20);
      struct pollfd p = { fd, POLLIN, 0 };
      if (poll (&p, 1, 0) != 1)
        continue;
      if (!tcp)
        {
          got = recv (fd, reply, cap, 0);
          break;
        }
      uint8_t l[2];
      if (recv (fd, l, 2, MSG_WAITALL) != 2)
        break;
      size_t len = (size_t) l[0] << 8 | l[1];
      if (len <= cap && recv (fd, reply, len, MSG_WAITALL) == (ssize_t) len)
        got = (ssize_t) len;
      break;
    }
out:
  if (fd >= 0)
    close (fd);
  return got;
}

static int
rcode_of (const uint8_t *msg, ssize_t len)
{
  struct dns_msg m;
  if (len < 0 || dns_parse (msg, (size_t) len, &m) < 0)
    return -1;
  return DNS_RCODE (m.h.flags);
}

static const struct dns_rule filter_rules[] = {
  { .host = "*.allowed.test", .where = "network.egress.allow[0].to[0]" },
  { .host = "www.allowed.test", .where = "network.egress.allow[1].to[0]" },
  { .host = "www.denied.test",
    .deny = true,
    .where = "network.egress.deny[0].to[0]" },
};

struct env
{
  struct fake fk;
  char dir[64];
  char path[128];
  struct audit *audit;
  struct dns_filter *f;
  struct sockaddr_storage srv;
};

static int
env_start (struct env *e, bool audit_only)
{
  struct werr err = { 0 };
  int udp, tcp;
  memset (e, 0, sizeof *e);
  n_calls = 0;
  fail_calls = 0;
  strcpy (e->dir, "/tmp/ward-test-dns-XXXXXX");
  if (fake_start (&e->fk) < 0 || mkdtemp (e->dir) == NULL
      || audit_open (e->dir, &e->audit, &err) < 0)
    return -1;
  snprintf (e->path, sizeof e->path, "%s/%s", e->dir, AUDIT_FILE);
  loopback (&e->srv, 0);
  if (dns_filter_listen (&e->srv, &udp, &tcp, &err) < 0)
    return -1;
  struct dns_filter_config cfg = {
    .upstreams = &e->fk.addr,
    .n_upstreams = 1,
    .rules = filter_rules,
    .n_rules = ARRAY_SIZE (filter_rules),
    .allow_addr = record_allow,
    .ttl_min = 30,
    .ttl_max = 3600,
    .timeout_ms = 250,
    .audit_only = audit_only,
    .audit = e->audit,
    .container_id = "c1",
    .agent = "bot",
    .default_rule = "network.egress.default",
  };
  if (dns_filter_new (udp, tcp, &cfg, &e->f, &err) < 0)
    {
      fprintf (stderr, "%s\n", err.msg);
      return -1;
    }
  return 0;
}

static void
env_stop (struct env *e)
{
  dns_filter_free (e->f);
  fake_stop (&e->fk);
  audit_close (e->audit);
  unlink (e->path);
  rmdir (e->dir);
}

/* The audit line that mentions `name`, parsed (NULL if none). */
static struct jnode *
audit_line (const char *path, const char *name)
{
  char *text = read_all_text (path);
  char needle[300];
  snprintf (needle, sizeof needle, "\"name\":\"%s\"", name);
  char *hit = text ? strstr (text, needle) : NULL;
  if (hit == NULL)
    return NULL;
  while (hit > text && hit[-1] != '\n')
    hit--;
  char *end = strchr (hit, '\n');
  struct werr err;
  return jnode_parse (hit, end ? (size_t) (end - hit) : strlen (hit), &err);
}

static void
test_filter_allow (void)
{
  struct env e;
  uint8_t reply[4096];
  struct dns_rr rr;
  if (env_start (&e, false) < 0)
    UNIT_SKIP ("cannot set up loopback sockets");

  /* Allowed: the answer, and the address handed over once per matching
   * rule, with the TTL clamped. */
  ssize_t len = ask (e.f, &e.srv, false, "www.allowed.test", DNS_TYPE_A, reply,
                     sizeof reply);
  CHECK_INT_EQ (rcode_of (reply, len), DNS_RCODE_NOERROR);
  CHECK_INT_EQ (answer_at (reply, (size_t) len, 0, &rr), 0);
  CHECK (memcmp (reply + rr.rdata, "\xc0\x00\x02\x01", 4) == 0);
  CHECK_UINT_EQ (rr.ttl, 300);
  CHECK_INT_EQ (n_calls, 2);
  CHECK_INT_EQ (calls[0].family, AF_INET);
  CHECK_UINT_EQ (calls[0].ttl, 300);
  CHECK (calls[0].rule == &filter_rules[0]);
  CHECK (calls[1].rule == &filter_rules[1]);

  n_calls = 0;
  len = ask (e.f, &e.srv, false, "WWW.allowed.test", DNS_TYPE_AAAA, reply,
             sizeof reply);
  CHECK_INT_EQ (rcode_of (reply, len), DNS_RCODE_NOERROR);
  CHECK_INT_EQ (answer_at (reply, (size_t) len, 0, &rr), 0);
  CHECK_UINT_EQ (rr.ttl, 7);
  CHECK_INT_EQ (n_calls, 2);
  CHECK_INT_EQ (calls[0].family, AF_INET6);
  CHECK_UINT_EQ (calls[0].ttl, 30);

  /* A CNAME to a name no rule mentions is fine: the address counts for the
   * queried name's rule. */
  n_calls = 0;
  len = ask (e.f, &e.srv, false, "cdn.allowed.test", DNS_TYPE_A, reply,
             sizeof reply);
  CHECK_INT_EQ (rcode_of (reply, len), DNS_RCODE_NOERROR);
  CHECK_INT_EQ (n_calls, 1);
  CHECK (memcmp (calls[0].addr, "\xc0\x00\x02\x07", 4) == 0);
  CHECK_UINT_EQ (calls[0].ttl, 30);
  CHECK (calls[0].rule == &filter_rules[0]);

  /* Other types of an allowed name: an empty answer, no upstream. */
  int before = atomic_load (&e.fk.queries);
  len = ask (e.f, &e.srv, false, "www.allowed.test", 15 /* MX */, reply,
             sizeof reply);
  CHECK_INT_EQ (rcode_of (reply, len), DNS_RCODE_NOERROR);
  CHECK (answer_at (reply, (size_t) len, 0, &rr) < 0);
  CHECK_INT_EQ (atomic_load (&e.fk.queries), before);

  /* NXDOMAIN from upstream passes through. */
  len = ask (e.f, &e.srv, true, "nothing.allowed.test", DNS_TYPE_A, reply,
             sizeof reply);
  CHECK_INT_EQ (rcode_of (reply, len), DNS_RCODE_NXDOMAIN);

  /* The map refuses the address: SERVFAIL, never an unreachable answer. */
  fail_calls = 1;
  len = ask (e.f, &e.srv, false, "www.allowed.test", DNS_TYPE_A, reply,
             sizeof reply);
  CHECK_INT_EQ (rcode_of (reply, len), DNS_RCODE_SERVFAIL);
  fail_calls = 0;
  CHECK_INT_EQ (count_lines (read_all_text (e.path)), 0);

  env_stop (&e);
}

static void
test_filter_refuse (void)
{
  struct env e;
  uint8_t reply[4096];
  ssize_t len;
  if (env_start (&e, false) < 0)
    UNIT_SKIP ("cannot set up loopback sockets");

  /* Denied by a rule, not allowed at all, the apex of a wildcard: REFUSED
   * without asking the upstream, and audited. */
  int before = atomic_load (&e.fk.queries);
  len = ask (e.f, &e.srv, false, "www.denied.test", DNS_TYPE_A, reply,
             sizeof reply);
  CHECK_INT_EQ (rcode_of (reply, len), DNS_RCODE_REFUSED);
  len = ask (e.f, &e.srv, false, "www.denied.test", DNS_TYPE_AAAA, reply,
             sizeof reply);
  CHECK_INT_EQ (rcode_of (reply, len), DNS_RCODE_REFUSED);
  len = ask (e.f, &e.srv, true, "other.test", DNS_TYPE_A, reply, sizeof reply);
  CHECK_INT_EQ (rcode_of (reply, len), DNS_RCODE_REFUSED);
  len = ask (e.f, &e.srv, false, "allowed.test", DNS_TYPE_A, reply,
             sizeof reply);
  CHECK_INT_EQ (rcode_of (reply, len), DNS_RCODE_REFUSED);
  CHECK_INT_EQ (atomic_load (&e.fk.queries), before);
  CHECK_INT_EQ (atomic_load (&e.fk.denied_hits), 0);

  /* An allowed name whose CNAME leads to a denied one: REFUSED. */
  len = ask (e.f, &e.srv, false, "alias.allowed.test", DNS_TYPE_A, reply,
             sizeof reply);
  CHECK_INT_EQ (rcode_of (reply, len), DNS_RCODE_REFUSED);
  CHECK_INT_EQ (n_calls, 0);

  /* One line per refused name, with the deciding rule. */
  char *text = read_all_text (e.path);
  CHECK_INT_EQ (count_lines (text), 4);
  struct jnode *j = audit_line (e.path, "www.denied.test");
  CHECK (j != NULL);
  CHECK_STR_EQ (jnode_str (jnode_get (j, "action")), "dns");
  CHECK_STR_EQ (jnode_str (jnode_get (j, "verdict")), "denied");
  CHECK_STR_EQ (jnode_str (jnode_get (j, "container")), "c1");
  CHECK_STR_EQ (jnode_str (jnode_get (j, "agent")), "bot");
  CHECK_STR_EQ (jnode_str (jnode_get (j, "rule")),
                "network.egress.deny[0].to[0]");
  jnode_free (j);
  j = audit_line (e.path, "other.test");
  CHECK (j != NULL);
  CHECK_STR_EQ (jnode_str (jnode_get (j, "rule")), "network.egress.default");
  CHECK_STR_EQ (jnode_str (jnode_get (j, "detail")), "not allowed");
  jnode_free (j);
  j = audit_line (e.path, "alias.allowed.test");
  CHECK (j != NULL);
  CHECK_STR_EQ (jnode_str (jnode_get (j, "detail")),
                "cname to www.denied.test");
  CHECK_STR_EQ (jnode_str (jnode_get (j, "rule")),
                "network.egress.deny[0].to[0]");
  jnode_free (j);
  j = audit_line (e.path, "allowed.test");
  CHECK (j != NULL);
  jnode_free (j);
  CHECK (audit_line (e.path, "www.allowed.test") == NULL);
  env_stop (&e);
}

static void
test_filter_transport (void)
{
  struct env e;
  uint8_t reply[4096];
  struct dns_rr rr;
  if (env_start (&e, false) < 0)
    UNIT_SKIP ("cannot set up loopback sockets");

  /* TC over UDP upstream: asked again over TCP, answered to a UDP client. */
  ssize_t len = ask (e.f, &e.srv, false, "big.allowed.test", DNS_TYPE_A, reply,
                     sizeof reply);
  CHECK_INT_EQ (rcode_of (reply, len), DNS_RCODE_NOERROR);
  CHECK_INT_EQ (answer_at (reply, (size_t) len, 2, &rr), 0);
  CHECK_INT_EQ (atomic_load (&e.fk.tcp_queries), 1);
  CHECK_UINT_EQ (dns_filter_stats (e.f)->tcp_retries, 1);
  CHECK_INT_EQ (n_calls, 3);

  /* A TCP client. */
  len = ask (e.f, &e.srv, true, "www.allowed.test", DNS_TYPE_A, reply,
             sizeof reply);
  CHECK_INT_EQ (rcode_of (reply, len), DNS_RCODE_NOERROR);
  CHECK_INT_EQ (answer_at (reply, (size_t) len, 0, &rr), 0);

  /* An upstream that never answers: SERVFAIL after the attempts. */
  len = ask (e.f, &e.srv, false, "slow.allowed.test", DNS_TYPE_A, reply,
             sizeof reply);
  CHECK_INT_EQ (rcode_of (reply, len), DNS_RCODE_SERVFAIL);
  CHECK_UINT_EQ (dns_filter_stats (e.f)->timeouts, 2);

  /* Malformed queries get FORMERR; a response is not answered at all. */
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  connect (fd, (struct sockaddr *) &e.srv, sizeof (struct sockaddr_in));
  uint8_t junk[16] = { 0xab, 0xcd, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0 };
  send (fd, junk, sizeof junk, 0);
  dns_filter_poll (e.f, 200);
  struct pollfd p = { fd, POLLIN, 0 };
  CHECK_INT_EQ (poll (&p, 1, 100), 1);
  len = recv (fd, reply, sizeof reply, MSG_DONTWAIT);
  CHECK_INT_EQ (rcode_of (reply, len), DNS_RCODE_FORMERR);
  junk[2] |= 0x80;
  send (fd, junk, sizeof junk, 0);
  dns_filter_poll (e.f, 200);
  CHECK_INT_EQ (poll (&p, 1, 100), 0);
  close (fd);

  /* A live update: a new name becomes allowed at once. */
  len = ask (e.f, &e.srv, false, "new.test", DNS_TYPE_A, reply, sizeof reply);
  CHECK_INT_EQ (rcode_of (reply, len), DNS_RCODE_REFUSED);
  static const struct dns_rule more[] = {
    { .host = "new.test", .where = "network.egress.allow[0].to[0]" },
  };
  struct werr err;
  CHECK_INT_EQ (dns_filter_set_rules (e.f, more, 1, &err), 0);
  len = ask (e.f, &e.srv, false, "new.test", DNS_TYPE_A, reply, sizeof reply);
  CHECK_INT_EQ (rcode_of (reply, len), DNS_RCODE_NXDOMAIN);
  len = ask (e.f, &e.srv, false, "www.allowed.test", DNS_TYPE_A, reply,
             sizeof reply);
  CHECK_INT_EQ (rcode_of (reply, len), DNS_RCODE_REFUSED);
  env_stop (&e);
}

static void
test_filter_failover_and_audit_mode (void)
{
  struct env e;
  uint8_t reply[4096];
  struct sockaddr_storage ups[2];
  struct werr err;
  int hole_udp, hole_tcp;
  /* A first upstream that swallows every query. */
  loopback (&ups[0], 0);
  if (dns_filter_listen (&ups[0], &hole_udp, &hole_tcp, &err) < 0)
    UNIT_SKIP ("cannot bind a loopback socket");
  if (env_start (&e, true) < 0)
    UNIT_SKIP ("cannot set up loopback sockets");
  ups[1] = e.fk.addr;

  /* Audit mode: a denied name is answered, logged as allowed-audit, and
   * its address handed over without a rule. */
  ssize_t len = ask (e.f, &e.srv, false, "www.denied.test", DNS_TYPE_A, reply,
                     sizeof reply);
  CHECK_INT_EQ (rcode_of (reply, len), DNS_RCODE_NOERROR);
  CHECK_INT_EQ (n_calls, 1);
  CHECK (calls[0].rule == NULL);
  struct jnode *j = audit_line (e.path, "www.denied.test");
  CHECK (j != NULL);
  CHECK_STR_EQ (jnode_str (jnode_get (j, "verdict")), "allowed-audit");
  jnode_free (j);
  /* …but a name that is not a host name is refused even then. */
  len = ask (e.f, &e.srv, false, "a b.test", DNS_TYPE_A, reply, sizeof reply);
  CHECK_INT_EQ (rcode_of (reply, len), DNS_RCODE_REFUSED);
  env_stop (&e);

  /* The first upstream times out, the second answers. */
  if (env_start (&e, false) < 0)
    UNIT_SKIP ("cannot set up loopback sockets");
  ups[1] = e.fk.addr;
  dns_filter_free (e.f);
  int udp, tcp;
  loopback (&e.srv, 0);
  dns_filter_listen (&e.srv, &udp, &tcp, &err);
  struct dns_filter_config cfg = {
    .upstreams = ups,
    .n_upstreams = 2,
    .rules = filter_rules,
    .n_rules = ARRAY_SIZE (filter_rules),
    .allow_addr = record_allow,
    .timeout_ms = 200,
  };
  CHECK_INT_EQ (dns_filter_new (udp, tcp, &cfg, &e.f, &err), 0);
  int64_t t0 = now_ms ();
  len = ask (e.f, &e.srv, false, "www.allowed.test", DNS_TYPE_A, reply,
             sizeof reply);
  CHECK_INT_EQ (rcode_of (reply, len), DNS_RCODE_NOERROR);
  CHECK (now_ms () - t0 >= 150);
  CHECK_UINT_EQ (dns_filter_stats (e.f)->timeouts, 1);
  env_stop (&e);
  close (hole_udp);
  close (hole_tcp);
}

static void
test_parse_server (void)
{
  struct sockaddr_storage ss;
  char buf[80];
  CHECK_INT_EQ (dns_parse_server ("10.0.0.1", &ss), 0);
  CHECK_INT_EQ (ss.ss_family, AF_INET);
  CHECK_INT_EQ (ntohs (((struct sockaddr_in *) &ss)->sin_port), 53);
  CHECK_INT_EQ (dns_parse_server ("10.0.0.1:5353", &ss), 0);
  CHECK_INT_EQ (ntohs (((struct sockaddr_in *) &ss)->sin_port), 5353);
  CHECK_INT_EQ (dns_parse_server ("2001:db8::1", &ss), 0);
  CHECK_INT_EQ (ss.ss_family, AF_INET6);
  CHECK_INT_EQ (dns_parse_server ("[::1]:54", &ss), 0);
  CHECK_INT_EQ (ntohs (((struct sockaddr_in6 *) &ss)->sin6_port), 54);
  CHECK (dns_parse_server ("[::1]x", &ss) < 0);
  CHECK (dns_parse_server ("10.0.0.1:0", &ss) < 0);
  CHECK (dns_parse_server ("10.0.0.1:", &ss) < 0);
  CHECK (dns_parse_server ("resolver.example", &ss) < 0);

  char path[] = "/tmp/ward-test-resolv-XXXXXX";
  int fd = mkstemp (path);
  if (fd < 0)
    return;
  const char conf[] = "# comment\nsearch example\nnameserver 192.0.2.53\n"
                      "nameserver fe80::1%eth0\nnameserver ::1\n"
                      "options ndots:2\n";
  CHECK_INT_EQ (write (fd, conf, sizeof conf - 1), (ssize_t) sizeof conf - 1);
  close (fd);
  struct sockaddr_storage list[4];
  CHECK_INT_EQ (dns_servers_from_resolv_conf (path, list, 4), 2);
  inet_ntop (AF_INET, &((struct sockaddr_in *) &list[0])->sin_addr, buf,
             sizeof buf);
  CHECK_STR_EQ (buf, "192.0.2.53");
  CHECK_INT_EQ (list[1].ss_family, AF_INET6);
  unlink (path);
}

int
main (void)
{
  RUN (test_wire_names);
  RUN (test_wire_text);
  RUN (test_wire_parse);
  RUN (test_names);
  RUN (test_rules);
  RUN (test_query_parse);
  RUN (test_vet_chain);
  RUN (test_vet_not_ours);
  RUN (test_vet_shapes);
  RUN (test_audit);
  RUN (test_parse_server);
  RUN (test_filter_allow);
  RUN (test_filter_refuse);
  RUN (test_filter_transport);
  RUN (test_filter_failover_and_audit_mode);
  return unit_report ();
}
