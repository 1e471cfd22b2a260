/* ward — DNS wire format: strict reader, bounded writer (see dns_wire.h). */
#include "dns_wire.h"

#include <stdio.h>
#include <string.h>

static uint16_t
get16 (const uint8_t *p)
{
  return (uint16_t) ((p[0] << 8) | p[1]);
}

static uint32_t
get32 (const uint8_t *p)
{
  return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16)
         | ((uint32_t) p[2] << 8) | p[3];
}

static uint8_t
ascii_lower (uint8_t c)
{
  return c >= 'A' && c <= 'Z' ? (uint8_t) (c + 32) : c;
}

int
dns_read_header (const uint8_t *msg, size_t len, struct dns_header *h)
{
  if (len < DNS_HEADER_LEN)
    return -1;
  h->id = get16 (msg);
  h->flags = get16 (msg + 2);
  h->qdcount = get16 (msg + 4);
  h->ancount = get16 (msg + 6);
  h->nscount = get16 (msg + 8);
  h->arcount = get16 (msg + 10);
  return 0;
}

int
dns_read_name (const uint8_t *msg, size_t len, size_t *off,
               struct dns_name *out)
{
  size_t pos = *off, run_start = *off, after = 0;
  size_t n = 0;
  bool jumped = false;

  for (;;)
    {
      if (pos >= len)
        return -1;
      uint8_t c = msg[pos];
      if ((c & 0xc0) == 0xc0)
        {
          if (pos + 1 >= len)
            return -1;
          size_t target = ((size_t) (c & 0x3f) << 8) | msg[pos + 1];
          /* Only strictly backwards, before this run of labels began: each
           * jump lowers run_start, so no sequence of pointers can loop. */
          if (target >= run_start || target < DNS_HEADER_LEN)
            return -1;
          if (!jumped)
            after = pos + 2;
          jumped = true;
          pos = run_start = target;
          continue;
        }
      if (c & 0xc0)
        return -1; /* 0x40 and 0x80 label types are obsolete or unassigned */
      if (pos + 1 + c > len || n + 1 + c > DNS_NAME_WIRE_MAX)
        return -1;
      memcpy (out->wire + n, msg + pos, 1 + (size_t) c);
      n += 1 + (size_t) c;
      pos += 1 + (size_t) c;
      if (c == 0)
        break;
    }
  out->len = (uint8_t) n;
  *off = jumped ? after : pos;
  return 0;
}

int
dns_read_question (const uint8_t *msg, size_t len, size_t *off,
                   struct dns_question *q)
{
  size_t pos = *off;
  if (dns_read_name (msg, len, &pos, &q->name) < 0 || len - pos < 4)
    return -1;
  q->type = get16 (msg + pos);
  q->klass = get16 (msg + pos + 2);
  *off = pos + 4;
  return 0;
}

int
dns_read_rr (const uint8_t *msg, size_t len, size_t *off, struct dns_rr *rr)
{
  size_t pos = *off;
  if (dns_read_name (msg, len, &pos, &rr->name) < 0 || len - pos < 10)
    return -1;
  rr->type = get16 (msg + pos);
  rr->klass = get16 (msg + pos + 2);
  rr->ttl = get32 (msg + pos + 4);
  rr->rdlen = get16 (msg + pos + 8);
  pos += 10;
  if (len - pos < rr->rdlen)
    return -1;
  rr->rdata = pos;
  *off = pos + rr->rdlen;
  return 0;
}

int
dns_rr_cname (const uint8_t *msg, size_t len, const struct dns_rr *rr,
              struct dns_name *target)
{
  size_t end = rr->rdata + rr->rdlen, pos = rr->rdata;
  if (rr->type != DNS_TYPE_CNAME || end > len)
    return -1;
  /* Bounding the read at the end of the RDATA keeps the name inside it;
   * pointers can only reach earlier bytes anyway. */
  if (dns_read_name (msg, end, &pos, target) < 0 || pos != end)
    return -1;
  return 0;
}

static int
read_opt (const struct dns_rr *rr, struct dns_edns *e)
{
  if (e->present || rr->name.len != 1)
    return -1; /* RFC 6891 §6.1.1: one OPT, owned by the root */
  e->present = true;
  e->udp_size = rr->klass;
  e->ext_rcode = (uint8_t) (rr->ttl >> 24);
  e->version = (uint8_t) (rr->ttl >> 16);
  e->flags = (uint16_t) rr->ttl;
  return 0;
}

int
dns_parse (const uint8_t *msg, size_t len, struct dns_msg *m)
{
  memset (m, 0, sizeof *m);
  if (dns_read_header (msg, len, &m->h) < 0)
    return -1;
  size_t pos = DNS_HEADER_LEN;
  for (unsigned i = 0; i < m->h.qdcount; i++)
    {
      struct dns_question q;
      if (dns_read_question (msg, len, &pos, &q) < 0)
        return -1;
      if (i == 0)
        {
          m->q = q;
          m->has_question = true;
        }
    }
  m->an_off = pos;
  size_t n_rr = (size_t) m->h.ancount + m->h.nscount + m->h.arcount;
  size_t first_additional = (size_t) m->h.ancount + m->h.nscount;
  for (size_t i = 0; i < n_rr; i++)
    {
      struct dns_rr rr;
      if (dns_read_rr (msg, len, &pos, &rr) < 0)
        return -1;
      if (rr.type != DNS_TYPE_OPT)
        continue;
      if (i < first_additional || read_opt (&rr, &m->edns) < 0)
        return -1;
    }
  return pos == len ? 0 : -1;
}

bool
dns_name_equal (const struct dns_name *a, const struct dns_name *b)
{
  if (a->len != b->len)
    return false;
  /* Length octets are < 64, so folding them as ASCII changes nothing. */
  for (size_t i = 0; i < a->len; i++)
    if (ascii_lower (a->wire[i]) != ascii_lower (b->wire[i]))
      return false;
  return true;
}

static bool
host_char (uint8_t c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
         || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int
dns_name_to_text (const struct dns_name *n, char *buf, size_t size)
{
  size_t o = 0;
  if (size < 2)
    return -1;
  if (n->len <= 1)
    {
      strcpy (buf, ".");
      return 0;
    }
  for (size_t i = 0; i < n->len && n->wire[i] != 0;)
    {
      size_t l = n->wire[i++];
      if (o > 0)
        buf[o++] = '.';
      if (o + l + 1 > size)
        return -1;
      for (size_t k = 0; k < l; k++, i++)
        {
          if (!host_char (n->wire[i]))
            return -1;
          buf[o++] = (char) ascii_lower (n->wire[i]);
        }
    }
  buf[o] = '\0';
  return 0;
}

/* Append s to buf[*o] unless it would not fit with the NUL. */
static bool
append (char *buf, size_t size, size_t *o, const char *s)
{
  size_t t = strlen (s);
  if (*o + t >= size)
    return false;
  memcpy (buf + *o, s, t);
  *o += t;
  buf[*o] = '\0';
  return true;
}

void
dns_name_to_display (const struct dns_name *n, char *buf, size_t size)
{
  size_t o = 0;
  char tmp[8];
  if (size == 0)
    return;
  buf[0] = '\0';
  if (n->len <= 1)
    {
      append (buf, size, &o, ".");
      return;
    }
  for (size_t i = 0; i < n->len && n->wire[i] != 0;)
    {
      size_t l = n->wire[i++];
      if (o > 0 && !append (buf, size, &o, "."))
        return;
      for (size_t k = 0; k < l && i < n->len; k++, i++)
        {
          uint8_t c = n->wire[i];
          if (c > 0x20 && c < 0x7f && c != '.' && c != '\\')
            snprintf (tmp, sizeof tmp, "%c", c);
          else
            snprintf (tmp, sizeof tmp, "\\%03u", (unsigned) c);
          if (!append (buf, size, &o, tmp))
            return;
        }
    }
}

int
dns_name_from_text (const char *text, struct dns_name *out)
{
  size_t n = 0;
  const char *p = text;
  if (strcmp (text, ".") == 0)
    p = "";
  while (*p)
    {
      const char *dot = strchr (p, '.');
      size_t l = dot ? (size_t) (dot - p) : strlen (p);
      if (l == 0 || l > DNS_LABEL_MAX || n + 1 + l + 1 > DNS_NAME_WIRE_MAX)
        return -1;
      out->wire[n++] = (uint8_t) l;
      memcpy (out->wire + n, p, l);
      n += l;
      p += l + (dot ? 1 : 0);
    }
  out->wire[n++] = 0;
  out->len = (uint8_t) n;
  return 0;
}

void
dns_out_init (struct dns_out *o, uint8_t *buf, size_t cap)
{
  o->buf = buf;
  o->cap = cap;
  o->len = 0;
  o->overflow = false;
}

void
dns_out_bytes (struct dns_out *o, const void *p, size_t n)
{
  if (o->overflow || o->cap - o->len < n)
    {
      o->overflow = true;
      return;
    }
  memcpy (o->buf + o->len, p, n);
  o->len += n;
}

void
dns_out_u8 (struct dns_out *o, uint8_t v)
{
  dns_out_bytes (o, &v, 1);
}

void
dns_out_u16 (struct dns_out *o, uint16_t v)
{
  uint8_t b[2] = { (uint8_t) (v >> 8), (uint8_t) v };
  dns_out_bytes (o, b, sizeof b);
}

void
dns_out_u32 (struct dns_out *o, uint32_t v)
{
  uint8_t b[4] = { (uint8_t) (v >> 24), (uint8_t) (v >> 16), (uint8_t) (v >> 8),
                   (uint8_t) v };
  dns_out_bytes (o, b, sizeof b);
}

void
dns_out_header (struct dns_out *o, const struct dns_header *h)
{
  dns_out_u16 (o, h->id);
  dns_out_u16 (o, h->flags);
  dns_out_u16 (o, h->qdcount);
  dns_out_u16 (o, h->ancount);
  dns_out_u16 (o, h->nscount);
  dns_out_u16 (o, h->arcount);
}

void
dns_out_name (struct dns_out *o, const struct dns_name *n)
{
  dns_out_bytes (o, n->wire, n->len);
}

void
dns_out_name_ptr (struct dns_out *o, size_t target)
{
  if (target >= 0x4000)
    {
      o->overflow = true;
      return;
    }
  dns_out_u16 (o, (uint16_t) (0xc000 | target));
}

void
dns_out_question (struct dns_out *o, const struct dns_name *n, uint16_t type,
                  uint16_t klass)
{
  dns_out_name (o, n);
  dns_out_u16 (o, type);
  dns_out_u16 (o, klass);
}

void
dns_out_rr_fixed (struct dns_out *o, uint16_t type, uint16_t klass,
                  uint32_t ttl, uint16_t rdlen)
{
  dns_out_u16 (o, type);
  dns_out_u16 (o, klass);
  dns_out_u32 (o, ttl);
  dns_out_u16 (o, rdlen);
}

void
dns_out_opt (struct dns_out *o, uint16_t udp_size, uint8_t ext_rcode,
             uint16_t flags)
{
  dns_out_u8 (o, 0);
  dns_out_rr_fixed (o, DNS_TYPE_OPT, udp_size,
                    ((uint32_t) ext_rcode << 24) | flags, 0);
}

void
dns_out_counts (struct dns_out *o, uint16_t qd, uint16_t an, uint16_t ns,
                uint16_t ar)
{
  if (o->overflow || o->len < DNS_HEADER_LEN)
    return;
  uint16_t v[4] = { qd, an, ns, ar };
  for (int i = 0; i < 4; i++)
    {
      o->buf[4 + 2 * i] = (uint8_t) (v[i] >> 8);
      o->buf[5 + 2 * i] = (uint8_t) v[i];
    }
}
