/* ward — DNS messages on the wire (RFC 1035, RFC 6891): a strict reader
 * for hostile input and a small bounded writer.
 *
 * Reader: every function takes the whole message (msg, len) and an offset
 * it advances; it returns 0, or -1 when the bytes are not a well-formed DNS
 * message (never reads outside [msg, msg + len)).  Names come out
 * decompressed, in wire form (struct dns_name); compression pointers must
 * point strictly before the start of the label run that contains them, so
 * every chain of pointers ends (no loops) and a name costs O(len) at most.
 *
 * Writer: struct dns_out appends into a caller-supplied buffer and only
 * records an overflow (no allocation); check dns_out_ok() at the end.
 */
#ifndef WARD_POLICY_DNS_WIRE_H
#define WARD_POLICY_DNS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HEADER_LEN 12
#define DNS_NAME_WIRE_MAX 255 /* octets, length bytes and root label included */
#define DNS_NAME_TEXT_MAX 254 /* 253 characters + NUL */
#define DNS_LABEL_MAX 63
#define DNS_UDP_PLAIN_MAX 512  /* a UDP message without EDNS */
#define DNS_UDP_EDNS_SIZE 1232 /* what ward advertises (DNS flag day 2020) */
#define DNS_MSG_MAX 65535      /* a TCP message */

#define DNS_TYPE_A 1
#define DNS_TYPE_NS 2
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_SOA 6
#define DNS_TYPE_AAAA 28
#define DNS_TYPE_OPT 41
#define DNS_CLASS_IN 1

#define DNS_FLAG_QR 0x8000
#define DNS_FLAG_AA 0x0400
#define DNS_FLAG_TC 0x0200
#define DNS_FLAG_RD 0x0100
#define DNS_FLAG_RA 0x0080
#define DNS_FLAG_AD 0x0020
#define DNS_FLAG_CD 0x0010
#define DNS_OPCODE(flags) (((flags) >> 11) & 0xf)
#define DNS_RCODE(flags) ((flags) &0xf)

#define DNS_RCODE_NOERROR 0
#define DNS_RCODE_FORMERR 1
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3
#define DNS_RCODE_NOTIMP 4
#define DNS_RCODE_REFUSED 5
#define DNS_RCODE_BADVERS 16 /* extended: upper 8 bits live in the OPT TTL */

struct dns_header
{
  uint16_t id, flags, qdcount, ancount, nscount, arcount;
};

/* A decompressed name in wire form: length-prefixed labels ending with the
 * zero-length root label.  len counts every octet (1 for the root). */
struct dns_name
{
  uint8_t len;
  uint8_t wire[DNS_NAME_WIRE_MAX];
};

struct dns_question
{
  struct dns_name name;
  uint16_t type, klass;
};

struct dns_rr
{
  struct dns_name name;
  uint16_t type, klass;
  uint32_t ttl;
  uint16_t rdlen;
  size_t rdata; /* offset of the RDATA in the message */
};

/* EDNS(0) from an OPT record (RFC 6891 §6.1.3). */
struct dns_edns
{
  bool present;
  uint16_t udp_size; /* the requestor's payload size, as written */
  uint8_t ext_rcode, version;
  uint16_t flags; /* DO is 0x8000 */
};

/* A parsed message: header, first question, where the answers start, and
 * the OPT record.  dns_parse() walks every section, so after it succeeds
 * dns_read_rr() cannot fail on the first ancount records from an_off. */
struct dns_msg
{
  struct dns_header h;
  bool has_question;
  struct dns_question q;
  size_t an_off;
  struct dns_edns edns;
};

/* ---- reader ---- */
int dns_read_header (const uint8_t *msg, size_t len, struct dns_header *h);
int dns_read_name (const uint8_t *msg, size_t len, size_t *off,
                   struct dns_name *out);
int dns_read_question (const uint8_t *msg, size_t len, size_t *off,
                       struct dns_question *q);
int dns_read_rr (const uint8_t *msg, size_t len, size_t *off,
                 struct dns_rr *rr);
/* The target of a CNAME record: exactly one name filling the RDATA. */
int dns_rr_cname (const uint8_t *msg, size_t len, const struct dns_rr *rr,
                  struct dns_name *target);
/* A whole message: at most one OPT record, owned by the root, in the
 * additional section; nothing may follow the last record. */
int dns_parse (const uint8_t *msg, size_t len, struct dns_msg *m);

/* ---- names ---- */
bool dns_name_equal (const struct dns_name *a, const struct dns_name *b);
/* Presentation form for matching: lowercase, no trailing dot ("." for the
 * root).  Fails (-1) unless every label is letters, digits, '-' or '_' —
 * the only names a policy can allow or deny. */
int dns_name_to_text (const struct dns_name *n, char *buf, size_t size);
/* Any name, for logs: other bytes as \DDD; cut to fit `size`. */
void dns_name_to_display (const struct dns_name *n, char *buf, size_t size);
/* "www.example.com" or "www.example.com." to wire form; -1 if a label is
 * empty or too long or the name too long.  No escapes are interpreted. */
int dns_name_from_text (const char *text, struct dns_name *out);

/* ---- writer ---- */
struct dns_out
{
  uint8_t *buf;
  size_t cap, len;
  bool overflow;
};

void dns_out_init (struct dns_out *o, uint8_t *buf, size_t cap);
static inline bool
dns_out_ok (const struct dns_out *o)
{
  return !o->overflow;
}
void dns_out_u8 (struct dns_out *o, uint8_t v);
void dns_out_u16 (struct dns_out *o, uint16_t v);
void dns_out_u32 (struct dns_out *o, uint32_t v);
void dns_out_bytes (struct dns_out *o, const void *p, size_t n);
void dns_out_header (struct dns_out *o, const struct dns_header *h);
void dns_out_name (struct dns_out *o, const struct dns_name *n);
/* A compression pointer to a name already written at `target` (< 0x4000). */
void dns_out_name_ptr (struct dns_out *o, size_t target);
void dns_out_question (struct dns_out *o, const struct dns_name *n,
                       uint16_t type, uint16_t klass);
/* TYPE, CLASS, TTL, RDLENGTH after an owner name already written. */
void dns_out_rr_fixed (struct dns_out *o, uint16_t type, uint16_t klass,
                       uint32_t ttl, uint16_t rdlen);
/* An OPT record: root owner, udp_size in CLASS, the rest in TTL, no
 * options. */
void dns_out_opt (struct dns_out *o, uint16_t udp_size, uint8_t ext_rcode,
                  uint16_t flags);
/* Rewrite the four section counts of a message being written. */
void dns_out_counts (struct dns_out *o, uint16_t qd, uint16_t an, uint16_t ns,
                     uint16_t ar);

#endif
