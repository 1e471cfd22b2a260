/* ward — small parsers shared by the policy parser and compiler: CIDRs,
 * host name patterns, absolute paths. */
#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "doc.h"
#include "utils.h"

static const uint8_t v4_mapped_prefix[12]
    = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static bool
host_bits_clear (const struct pol_cidr *c)
{
  size_t bytes = c->family == AF_INET ? 4 : 16;
  for (size_t bit = c->len; bit < bytes * 8; bit++)
    if (c->addr[bit / 8] & (0x80 >> (bit % 8)))
      return false;
  return true;
}

/* An IPv4-mapped IPv6 block (::ffff:a.b.c.d/96+n) is IPv4 traffic on the
 * wire: it becomes the IPv4 block a.b.c.d/n. */
static void
unmap_v4 (struct pol_cidr *c)
{
  if (c->family != AF_INET6 || c->len < 96
      || memcmp (c->addr, v4_mapped_prefix, sizeof v4_mapped_prefix) != 0)
    return;
  uint8_t v4[4];
  memcpy (v4, c->addr + 12, 4);
  memset (c->addr, 0, sizeof c->addr);
  memcpy (c->addr, v4, 4);
  c->family = AF_INET;
  c->len = (uint8_t) (c->len - 96);
}

int
pol_cidr_parse (const char *s, struct pol_cidr *out, const char **why)
{
  char buf[INET6_ADDRSTRLEN + 8];
  memset (out, 0, sizeof *out);
  *why = "is not a CIDR";
  if (s == NULL || strlen (s) >= sizeof buf || *s == '\0')
    return -1;
  strcpy (buf, s);
  char *slash = strchr (buf, '/');
  long len = -1;
  if (slash)
    {
      *slash = '\0';
      char *end;
      const char *digits = slash + 1;
      if (!isdigit ((unsigned char) *digits) || strlen (digits) > 3)
        return -1;
      len = strtol (digits, &end, 10);
      if (*end != '\0')
        return -1;
    }
  if (inet_pton (AF_INET, buf, out->addr) == 1)
    out->family = AF_INET;
  else if (inet_pton (AF_INET6, buf, out->addr) == 1)
    out->family = AF_INET6;
  else
    return -1;
  long max = out->family == AF_INET ? 32 : 128;
  if (len < 0)
    len = max;
  if (len > max)
    {
      *why = "has a prefix length out of range";
      return -1;
    }
  out->len = (uint8_t) len;
  if (!host_bits_clear (out))
    {
      *why = "has bits set after the prefix length";
      return -1;
    }
  unmap_v4 (out);
  return 0;
}

void
pol_cidr_format (const struct pol_cidr *c, char *buf, size_t len)
{
  char addr[INET6_ADDRSTRLEN];
  if (inet_ntop (c->family, c->addr, addr, sizeof addr) == NULL)
    strcpy (addr, "?");
  snprintf (buf, len, "%s/%u", addr, (unsigned) c->len);
}

bool
pol_cidr_contains (const struct pol_cidr *a, const struct pol_cidr *b)
{
  if (a->family != b->family || a->len > b->len)
    return false;
  for (unsigned bit = 0; bit < a->len; bit++)
    {
      uint8_t m = (uint8_t) (0x80 >> (bit % 8));
      if ((a->addr[bit / 8] & m) != (b->addr[bit / 8] & m))
        return false;
    }
  return true;
}

static bool
label_valid (const char *s, size_t n)
{
  if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
    return false;
  for (size_t i = 0; i < n; i++)
    if (!isalnum ((unsigned char) s[i]) && s[i] != '-' && s[i] != '_')
      return false;
  return true;
}

bool
pol_host_valid (const char *s, const char **why)
{
  *why = "is not a host name";
  if (s == NULL || *s == '\0')
    return false;
  if (strcmp (s, "*") == 0 || strcmp (s, "*.") == 0)
    {
      *why = "is a wildcard that matches every name";
      return false;
    }
  const char *name = s;
  bool wildcard = strncmp (s, "*.", 2) == 0;
  if (wildcard)
    name = s + 2;
  size_t len = strlen (name);
  if (len > 0 && name[len - 1] == '.')
    len--; /* a fully qualified name may end with a dot */
  if (len == 0 || len > 253)
    return false;
  size_t labels = 0;
  for (const char *p = name; p < name + len;)
    {
      const char *dot = memchr (p, '.', (size_t) (name + len - p));
      size_t n = dot ? (size_t) (dot - p) : (size_t) (name + len - p);
      if (!label_valid (p, n))
        {
          *why = strchr (name, '*') ? "may only start with \"*.\""
                                    : "is not a host name";
          return false;
        }
      labels++;
      p += n + (dot ? 1 : 0);
      if (dot && p == name + len)
        return false;
    }
  if (wildcard && labels < 2)
    {
      *why = "is a wildcard over a whole top-level domain";
      return false;
    }
  struct pol_cidr c;
  const char *ignored;
  if (pol_cidr_parse (s, &c, &ignored) == 0)
    {
      *why = "is an address, not a host name (use \"cidr\")";
      return false;
    }
  return true;
}

char *
pol_path_clean (const char *s, const char **why)
{
  *why = "must be an absolute path";
  if (s == NULL || s[0] != '/')
    return NULL;
  size_t n = strlen (s);
  if (n >= PATH_MAX)
    {
      *why = "is too long";
      return NULL;
    }
  char *out = xmalloc0 (n + 2);
  size_t o = 0;
  for (const char *p = s; *p;)
    {
      while (*p == '/')
        p++;
      const char *end = strchrnul (p, '/');
      size_t len = (size_t) (end - p);
      if (len == 0 || (len == 1 && p[0] == '.'))
        {
          p = end;
          continue;
        }
      if (len == 2 && p[0] == '.' && p[1] == '.')
        {
          free (out);
          *why = "must not contain \"..\"";
          return NULL;
        }
      out[o++] = '/';
      memcpy (out + o, p, len);
      o += len;
      p = end;
    }
  if (o == 0)
    out[o++] = '/';
  out[o] = '\0';
  return out;
}

bool
pol_path_under (const char *path, const char *dir)
{
  if (strcmp (dir, "/") == 0)
    return path[0] == '/';
  size_t n = strlen (dir);
  return strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

const char *
pol_agent_name_problem (const char *s)
{
  if (*s == '\0')
    return "must not be empty";
  if (strlen (s) > 255)
    return "is longer than 255 bytes";
  for (const unsigned char *c = (const unsigned char *) s; *c; c++)
    if (*c < 0x21 || *c == 0x7f || *c == '/')
      return "may only hold printable characters other than '/' and spaces";
  return NULL;
}
