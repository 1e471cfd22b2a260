/* ward — D-Bus message marshalling and parsing (see dbus.h).
 *
 * Only what a client of systemd needs: the basic types y b u t s o g, arrays,
 * structs and variants.  Everything read from the wire is bounds-checked:
 * lengths, alignment padding, NUL terminators, nesting depth. */
#include "dbus.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "utils.h"

enum
{
  HDR_PATH = 1,
  HDR_INTERFACE = 2,
  HDR_MEMBER = 3,
  HDR_ERROR_NAME = 4,
  HDR_REPLY_SERIAL = 5,
  HDR_DESTINATION = 6,
  HDR_SENDER = 7,
  HDR_SIGNATURE = 8,
};

static size_t
type_align (char t)
{
  switch (t)
    {
    case 'n':
    case 'q':
      return 2;
    case 'b':
    case 'i':
    case 'u':
    case 's':
    case 'o':
    case 'a':
    case 'h':
      return 4;
    case 'x':
    case 't':
    case 'd':
    case '(':
    case '{':
      return 8;
    default: /* y g v */
      return 1;
    }
}

static const char *complete_type (const char *s, unsigned depth);

/* ---- writer --------------------------------------------------------------- */

void
dbus_w_init (struct dbus_writer *w)
{
  memset (w, 0, sizeof *w);
}

void
dbus_w_free (struct dbus_writer *w)
{
  free (w->data);
  dbus_w_init (w);
}

static void
w_put (struct dbus_writer *w, const void *p, size_t n)
{
  if (w->bad)
    return;
  if (w->len + n > DBUS_MAX_MESSAGE)
    {
      w->bad = true;
      return;
    }
  if (w->len + n > w->cap)
    {
      size_t cap = w->cap ? w->cap : 256;
      while (cap < w->len + n)
        cap *= 2;
      w->data = realloc (w->data, cap);
      if (w->data == NULL)
        abort ();
      w->cap = cap;
    }
  memcpy (w->data + w->len, p, n);
  w->len += n;
}

static void
w_pad (struct dbus_writer *w, size_t align)
{
  static const uint8_t zeros[8];
  size_t rem = w->len % align;
  if (rem)
    w_put (w, zeros, align - rem);
}

void
dbus_w_byte (struct dbus_writer *w, uint8_t v)
{
  w_put (w, &v, 1);
}

void
dbus_w_u32 (struct dbus_writer *w, uint32_t v)
{
  w_pad (w, 4);
  w_put (w, &v, 4);
}

void
dbus_w_bool (struct dbus_writer *w, bool v)
{
  dbus_w_u32 (w, v ? 1 : 0);
}

void
dbus_w_u64 (struct dbus_writer *w, uint64_t v)
{
  w_pad (w, 8);
  w_put (w, &v, 8);
}

void
dbus_w_string (struct dbus_writer *w, const char *s)
{
  size_t n = strlen (s);
  if (n > UINT32_MAX - 1)
    {
      w->bad = true;
      return;
    }
  dbus_w_u32 (w, (uint32_t) n);
  w_put (w, s, n + 1);
}

static bool
object_path_valid (const char *s)
{
  if (s[0] != '/')
    return false;
  if (s[1] == '\0')
    return true;
  for (const char *p = s + 1;; p++)
    {
      bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
                || (*p >= '0' && *p <= '9') || *p == '_';
      if (*p == '/' || *p == '\0')
        {
          /* No empty element, no trailing slash. */
          if (p[-1] == '/')
            return false;
          if (*p == '\0')
            return true;
        }
      else if (!ok)
        return false;
    }
}

void
dbus_w_object_path (struct dbus_writer *w, const char *s)
{
  if (!object_path_valid (s))
    w->bad = true;
  dbus_w_string (w, s);
}

void
dbus_w_signature (struct dbus_writer *w, const char *s)
{
  size_t n = strlen (s);
  if (n > 255 || !dbus_signature_valid (s))
    {
      w->bad = true;
      return;
    }
  dbus_w_byte (w, (uint8_t) n);
  w_put (w, s, n + 1);
}

void
dbus_w_array_open (struct dbus_writer *w, char elem)
{
  if (w->depth >= DBUS_MAX_DEPTH)
    {
      w->bad = true;
      return;
    }
  dbus_w_u32 (w, 0);
  w->arr_len_at[w->depth] = w->len - 4;
  /* The padding to the first element is not part of the length, even
   * when the array stays empty. */
  w_pad (w, type_align (elem));
  w->arr_start[w->depth] = w->len;
  w->depth++;
}

void
dbus_w_array_close (struct dbus_writer *w)
{
  if (w->depth == 0)
    {
      w->bad = true;
      return;
    }
  w->depth--;
  if (w->bad)
    return;
  size_t n = w->len - w->arr_start[w->depth];
  if (n > (64u << 20))
    {
      w->bad = true;
      return;
    }
  uint32_t v = (uint32_t) n;
  memcpy (w->data + w->arr_len_at[w->depth], &v, 4);
}

void
dbus_w_struct_open (struct dbus_writer *w)
{
  w_pad (w, 8);
}

void
dbus_w_variant (struct dbus_writer *w, const char *sig)
{
  /* Exactly one complete type. */
  const char *end = complete_type (sig, 0);
  if (end == NULL || *end != '\0')
    {
      w->bad = true;
      return;
    }
  dbus_w_signature (w, sig);
}

static void
header_field_str (struct dbus_writer *w, uint8_t code, const char *sig,
                  const char *v)
{
  if (v == NULL)
    return;
  dbus_w_struct_open (w);
  dbus_w_byte (w, code);
  dbus_w_variant (w, sig);
  if (sig[0] == 'g')
    dbus_w_signature (w, v);
  else if (sig[0] == 'o')
    dbus_w_object_path (w, v);
  else
    dbus_w_string (w, v);
}

int
dbus_msg_build (uint32_t serial, const struct dbus_call *c,
                const struct dbus_writer *body, uint8_t **out, size_t *len,
                struct werr *err)
{
  if (body && (body->bad || body->depth))
    return werr_set (err, EINVAL, "D-Bus: malformed message body for %s",
                     c->member);
  if (c->path == NULL || c->member == NULL || serial == 0)
    return werr_set (err, EINVAL,
                     "D-Bus: a method call needs a path and "
                     "a member");
  struct dbus_writer w;
  dbus_w_init (&w);
  dbus_w_byte (&w, __BYTE_ORDER == __LITTLE_ENDIAN ? 'l' : 'B');
  dbus_w_byte (&w, DBUS_METHOD_CALL);
  dbus_w_byte (&w, 0);
  dbus_w_byte (&w, 1);
  dbus_w_u32 (&w, body ? (uint32_t) body->len : 0);
  dbus_w_u32 (&w, serial);
  dbus_w_array_open (&w, '(');
  header_field_str (&w, HDR_PATH, "o", c->path);
  header_field_str (&w, HDR_INTERFACE, "s", c->interface);
  header_field_str (&w, HDR_MEMBER, "s", c->member);
  header_field_str (&w, HDR_DESTINATION, "s", c->destination);
  if (c->signature && *c->signature)
    header_field_str (&w, HDR_SIGNATURE, "g", c->signature);
  dbus_w_array_close (&w);
  w_pad (&w, 8);
  if (body && body->len)
    w_put (&w, body->data, body->len);
  if (w.bad)
    {
      dbus_w_free (&w);
      return werr_set (err, EINVAL, "D-Bus: cannot encode the call of %s",
                       c->member);
    }
  *out = w.data;
  *len = w.len;
  return 0;
}

/* ---- signatures ----------------------------------------------------------- */

/* One complete type at s: its end, or NULL. */
static const char *
complete_type (const char *s, unsigned depth)
{
  if (depth > DBUS_MAX_DEPTH)
    return NULL;
  switch (*s)
    {
    case 'y':
    case 'b':
    case 'n':
    case 'q':
    case 'i':
    case 'u':
    case 'x':
    case 't':
    case 'd':
    case 's':
    case 'o':
    case 'g':
    case 'v':
    case 'h':
      return s + 1;
    case 'a':
      if (s[1] == '{')
        {
          /* A dict entry: a basic key, one value. */
          if (strchr ("ybnqiuxtdsogh", s[2]) == NULL || s[2] == '\0')
            return NULL;
          const char *v = complete_type (s + 3, depth + 1);
          return v && *v == '}' ? v + 1 : NULL;
        }
      return complete_type (s + 1, depth + 1);
    case '(':
      {
        const char *p = s + 1;
        if (*p == ')')
          return NULL;
        while (p && *p != ')')
          p = *p ? complete_type (p, depth + 1) : NULL;
        return p ? p + 1 : NULL;
      }
    default:
      return NULL;
    }
}

bool
dbus_signature_valid (const char *sig)
{
  if (strlen (sig) > 255)
    return false;
  for (const char *s = sig; *s;)
    if ((s = complete_type (s, 0)) == NULL)
      return false;
  return true;
}

/* ---- reader --------------------------------------------------------------- */

static uint32_t
get_u32 (const uint8_t *p, bool swap)
{
  uint32_t v;
  memcpy (&v, p, 4);
  return swap ? __builtin_bswap32 (v) : v;
}

static uint64_t
get_u64 (const uint8_t *p, bool swap)
{
  uint64_t v;
  memcpy (&v, p, 8);
  return swap ? __builtin_bswap64 (v) : v;
}

/* Skip padding to `align`; it must be zeros and inside the data. */
static int
r_align (struct dbus_reader *r, size_t align)
{
  size_t to = (r->pos + align - 1) / align * align;
  if (to > r->end)
    return -1;
  for (; r->pos < to; r->pos++)
    if (r->p[r->pos] != 0)
      return -1;
  return 0;
}

static int
r_need (struct dbus_reader *r, size_t n)
{
  return n <= r->end - r->pos ? 0 : -1;
}

void
dbus_r_init (struct dbus_reader *r, const struct dbus_msg *m)
{
  r->p = m->raw;
  r->pos = m->body;
  r->end = m->len;
  r->swap = m->swap;
  r->depth = 0;
}

int
dbus_r_byte (struct dbus_reader *r, uint8_t *v)
{
  if (r_need (r, 1) < 0)
    return -1;
  *v = r->p[r->pos++];
  return 0;
}

int
dbus_r_u32 (struct dbus_reader *r, uint32_t *v)
{
  if (r_align (r, 4) < 0 || r_need (r, 4) < 0)
    return -1;
  *v = get_u32 (r->p + r->pos, r->swap);
  r->pos += 4;
  return 0;
}

int
dbus_r_bool (struct dbus_reader *r, bool *v)
{
  uint32_t u;
  if (dbus_r_u32 (r, &u) < 0 || u > 1)
    return -1;
  *v = u == 1;
  return 0;
}

int
dbus_r_u64 (struct dbus_reader *r, uint64_t *v)
{
  if (r_align (r, 8) < 0 || r_need (r, 8) < 0)
    return -1;
  *v = get_u64 (r->p + r->pos, r->swap);
  r->pos += 8;
  return 0;
}

/* n bytes of text then a NUL, with no NUL inside. */
static int
r_text (struct dbus_reader *r, size_t n, const char **s)
{
  if (r_need (r, n) < 0 || r_need (r, n + 1) < 0)
    return -1;
  const char *t = (const char *) r->p + r->pos;
  if (t[n] != '\0' || memchr (t, '\0', n) != NULL)
    return -1;
  *s = t;
  r->pos += n + 1;
  return 0;
}

int
dbus_r_string (struct dbus_reader *r, const char **s)
{
  uint32_t n;
  if (dbus_r_u32 (r, &n) < 0)
    return -1;
  return r_text (r, n, s);
}

int
dbus_r_signature (struct dbus_reader *r, const char **s)
{
  uint8_t n;
  if (dbus_r_byte (r, &n) < 0 || r_text (r, n, s) < 0)
    return -1;
  return dbus_signature_valid (*s) ? 0 : -1;
}

int
dbus_r_variant (struct dbus_reader *r, const char **sig)
{
  if (dbus_r_signature (r, sig) < 0 || **sig == '\0')
    return -1;
  const char *end = complete_type (*sig, 0);
  return end && *end == '\0' ? 0 : -1;
}

int
dbus_r_array (struct dbus_reader *r, char elem, size_t *end)
{
  uint32_t n;
  if (dbus_r_u32 (r, &n) < 0 || n > (64u << 20)
      || r_align (r, type_align (elem)) < 0 || r_need (r, n) < 0)
    return -1;
  *end = r->pos + n;
  return 0;
}

int
dbus_r_struct (struct dbus_reader *r)
{
  return r_align (r, 8);
}

int
dbus_r_skip (struct dbus_reader *r, const char **sig)
{
  const char *s = *sig;
  const char *str;
  uint8_t y;
  uint32_t u;
  uint64_t t;
  if (r->depth > 2 * DBUS_MAX_DEPTH)
    return -1;
  int rc = 0;
  r->depth++;
  switch (*s)
    {
    case 'y':
      rc = dbus_r_byte (r, &y);
      s++;
      break;
    case 'n':
    case 'q':
      rc = r_align (r, 2) < 0 || r_need (r, 2) < 0 ? -1 : 0;
      r->pos += rc == 0 ? 2 : 0;
      s++;
      break;
    case 'b':
    case 'i':
    case 'u':
    case 'h':
      rc = dbus_r_u32 (r, &u);
      s++;
      break;
    case 'x':
    case 't':
    case 'd':
      rc = dbus_r_u64 (r, &t);
      s++;
      break;
    case 's':
    case 'o':
      rc = dbus_r_string (r, &str);
      s++;
      break;
    case 'g':
      rc = dbus_r_signature (r, &str);
      s++;
      break;
    case 'v':
      {
        const char *inner;
        rc = dbus_r_variant (r, &inner);
        if (rc == 0)
          rc = dbus_r_skip (r, &inner);
        s++;
        break;
      }
    case 'a':
      {
        size_t end;
        const char *elem = s + 1;
        const char *after = complete_type (elem, 0);
        if (after == NULL || dbus_r_array (r, *elem, &end) < 0)
          {
            rc = -1;
            break;
          }
        while (rc == 0 && r->pos < end)
          {
            const char *e = elem;
            rc = dbus_r_skip (r, &e);
          }
        if (rc == 0 && r->pos != end)
          rc = -1;
        s = after;
        break;
      }
    case '(':
    case '{':
      {
        char close = *s == '(' ? ')' : '}';
        rc = dbus_r_struct (r);
        s++;
        while (rc == 0 && *s && *s != close)
          rc = dbus_r_skip (r, &s);
        if (rc == 0 && *s != close)
          rc = -1;
        s++;
        break;
      }
    default:
      rc = -1;
    }
  r->depth--;
  if (rc == 0)
    *sig = s;
  return rc;
}

/* ---- whole messages -------------------------------------------------------- */

int
dbus_msg_size (const uint8_t head[16], size_t *total, struct werr *err)
{
  if (head[0] != 'l' && head[0] != 'B')
    return werr_set (err, 0, "D-Bus: bad byte order mark 0x%02x", head[0]);
  if (head[3] != 1)
    return werr_set (err, 0, "D-Bus: protocol version %u", head[3]);
  bool swap = (head[0] == 'B') != (__BYTE_ORDER == __BIG_ENDIAN);
  uint64_t body = get_u32 (head + 4, swap);
  uint64_t fields = get_u32 (head + 12, swap);
  uint64_t hdr = (16 + fields + 7) / 8 * 8;
  if (hdr + body > DBUS_MAX_MESSAGE)
    return werr_set (err, 0, "D-Bus: message of %llu bytes is too large",
                     (unsigned long long) (hdr + body));
  *total = (size_t) (hdr + body);
  return 0;
}

/* One header field (code, variant) into m. */
static int
parse_field (struct dbus_reader *r, struct dbus_msg *m)
{
  uint8_t code;
  const char *sig;
  if (dbus_r_struct (r) < 0 || dbus_r_byte (r, &code) < 0
      || dbus_r_variant (r, &sig) < 0)
    return -1;
  const char **slot = NULL;
  char want = 's';
  switch (code)
    {
    case HDR_PATH:
      slot = &m->path, want = 'o';
      break;
    case HDR_INTERFACE:
      slot = &m->interface;
      break;
    case HDR_MEMBER:
      slot = &m->member;
      break;
    case HDR_ERROR_NAME:
      slot = &m->error_name;
      break;
    case HDR_DESTINATION:
      slot = &m->destination;
      break;
    case HDR_SENDER:
      slot = &m->sender;
      break;
    case HDR_SIGNATURE:
      slot = &m->signature, want = 'g';
      break;
    case HDR_REPLY_SERIAL:
      if (strcmp (sig, "u") != 0)
        return -1;
      return dbus_r_u32 (r, &m->reply_serial);
    default:
      return dbus_r_skip (r, &sig);
    }
  if (sig[0] != want || sig[1] != '\0')
    return -1;
  return want == 'g' ? dbus_r_signature (r, slot) : dbus_r_string (r, slot);
}

int
dbus_msg_parse (uint8_t *raw, size_t len, struct dbus_msg *m, struct werr *err)
{
  memset (m, 0, sizeof *m);
  m->raw = raw;
  m->len = len;
  size_t total;
  if (len < 16 || dbus_msg_size (raw, &total, err) < 0)
    {
      dbus_msg_clear (m);
      return len < 16 ? werr_set (err, 0, "D-Bus: short message") : -1;
    }
  if (total != len)
    {
      dbus_msg_clear (m);
      return werr_set (err, 0, "D-Bus: message length mismatch");
    }
  m->swap = (raw[0] == 'B') != (__BYTE_ORDER == __BIG_ENDIAN);
  m->type = raw[1];
  m->flags = raw[2];
  m->serial = get_u32 (raw + 8, m->swap);
  m->signature = "";
  struct dbus_reader r = { .p = raw, .pos = 12, .end = len, .swap = m->swap };
  size_t end;
  if (dbus_r_array (&r, '(', &end) < 0)
    goto bad;
  r.end = end;
  while (r.pos < end)
    if (parse_field (&r, m) < 0)
      goto bad;
  r.end = len;
  if (r_align (&r, 8) < 0 || m->serial == 0)
    goto bad;
  m->body = r.pos;
  bool ok;
  switch (m->type)
    {
    case DBUS_METHOD_CALL:
      ok = m->path && m->member;
      break;
    case DBUS_METHOD_RETURN:
      ok = m->reply_serial != 0;
      break;
    case DBUS_ERROR:
      ok = m->reply_serial != 0 && m->error_name;
      break;
    case DBUS_SIGNAL:
      ok = m->path && m->interface && m->member;
      break;
    default:
      ok = true; /* unknown types are to be ignored */
    }
  if (ok)
    return 0;
bad:
  dbus_msg_clear (m);
  return werr_set (err, 0, "D-Bus: malformed message header");
}

void
dbus_msg_clear (struct dbus_msg *m)
{
  free (m->raw);
  memset (m, 0, sizeof *m);
}
