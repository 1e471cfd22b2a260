/* ward — libFuzzer target: the DNS wire reader and the filter's message
 * logic, on bytes that stand for a client's query and for an upstream's
 * answer.  Every reply ward builds must parse again and fit its limit.
 * Build: ./configure --enable-fuzzing CC=clang; see tests/fuzz/README.md. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns_answer.h"
#include "dns_names.h"
#include "dns_wire.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const struct dns_rule rules[] = {
  { .host = "*.evil.test", .deny = true, .where = "deny[0]" },
  { .host = "allowed.test", .where = "allow[0]" },
  { .host = "*.allowed.test", .where = "allow[1]" },
};

static void
check_reply (const uint8_t *buf, size_t len, size_t cap)
{
  struct dns_msg m;
  if (len > cap || dns_parse (buf, len, &m) < 0)
    __builtin_trap ();
}

static void
walk (const uint8_t *data, size_t size)
{
  struct dns_msg m;
  if (dns_parse (data, size, &m) < 0)
    return;
  size_t off = m.an_off;
  for (unsigned i = 0; i < m.h.ancount; i++)
    {
      struct dns_rr rr;
      struct dns_name target;
      char text[DNS_NAME_TEXT_MAX], shown[4 * DNS_NAME_WIRE_MAX + 1];
      if (dns_read_rr (data, size, &off, &rr) < 0)
        __builtin_trap (); /* dns_parse said the records are there */
      dns_name_to_display (&rr.name, shown, sizeof shown);
      if (dns_name_to_text (&rr.name, text, sizeof text) == 0)
        (void) dns_pattern_match ("*.allowed.test", text);
      if (rr.type == DNS_TYPE_CNAME)
        (void) dns_rr_cname (data, size, &rr, &target);
    }
}

static void
as_query (const uint8_t *data, size_t size, uint8_t *buf, size_t cap)
{
  struct dns_query q;
  int rcode;
  if (dns_query_parse (data, size, &q, &rcode) < 0)
    return;
  size_t len = dns_reply_empty (&q, rcode ? rcode : DNS_RCODE_REFUSED, false,
                                buf, DNS_UDP_PLAIN_MAX);
  check_reply (buf, len, DNS_UDP_PLAIN_MAX);
  if (rcode == 0 && (len = dns_query_upstream (&q, 7, buf, cap)) > 0)
    check_reply (buf, len, cap);
}

static void
as_answer (const uint8_t *data, size_t size, const struct dns_rules *rs,
           uint8_t *buf)
{
  struct dns_msg m;
  if (size < 1 || dns_parse (data, size, &m) < 0 || !m.has_question)
    return;
  struct dns_query q = { .id = 1,
                         .flags = DNS_FLAG_RD,
                         .has_question = true,
                         .qname = m.q.name,
                         .qtype = m.q.type,
                         .qclass = m.q.klass,
                         .edns = data[size - 1] & 2,
                         .udp_size = DNS_UDP_PLAIN_MAX };
  if (dns_name_to_text (&q.qname, q.name, sizeof q.name) < 0)
    q.name[0] = '\0';
  struct dns_vet_params p = { .rules = rs,
                              .ttl_min = 30,
                              .ttl_max = 3600,
                              .reply_cap = data[size - 1] & 1 ? 16384 : 512 };
  struct dns_vet_result r;
  if (dns_vet_answer (&q, m.h.id, data, size, &p, buf, &r) == 0)
    {
      check_reply (buf, r.len, p.reply_cap);
      if (r.n_addrs > DNS_VET_MAX_ADDRS)
        __builtin_trap ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static struct dns_rules rs;
  static bool ready;
  static uint8_t buf[16384];
  if (!ready)
    {
      struct werr err;
      if (dns_rules_init (&rs, rules, sizeof rules / sizeof rules[0], &err) < 0)
        __builtin_trap ();
      ready = true;
    }
  walk (data, size);
  as_query (data, size, buf, sizeof buf);
  as_answer (data, size, &rs, buf);
  return 0;
}
