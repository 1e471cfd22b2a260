/* ward — host-name normalisation and rule matching (see dns_names.h). */
#include "dns_names.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct dns_rule_entry
{
  char *suffix; /* the whole name, or what follows "*." */
  size_t len;
  bool wildcard;
  const struct dns_rule *rule;
};

static bool
label_char (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
         || c == '_';
}

static int
normalize (const char *in, char *out, size_t size, bool allow_wildcard,
           const char **why)
{
  *why = "is not a host name";
  if (in == NULL || size < DNS_NAME_TEXT_MAX)
    return -1;
  if (strcmp (in, "*") == 0 || strcmp (in, "*.") == 0)
    {
      *why = "is a wildcard that matches every name";
      return -1;
    }
  bool wildcard = strncmp (in, "*.", 2) == 0;
  if (wildcard && !allow_wildcard)
    return -1;
  size_t len = strlen (in);
  if (len > 1 && in[len - 1] == '.')
    len--;
  if (len == 0 || len >= DNS_NAME_TEXT_MAX)
    return -1;

  size_t labels = 0, l = 0;
  for (size_t i = wildcard ? 2 : 0; i <= len; i++)
    {
      char c = i < len ? in[i] : '.';
      if (c >= 'A' && c <= 'Z')
        c = (char) (c + 32);
      if (c == '.')
        {
          if (l == 0 || l > DNS_LABEL_MAX || out[i - 1] == '-'
              || out[i - l] == '-')
            {
              if (strchr (in + 1, '*'))
                *why = "may only start with \"*.\"";
              return -1;
            }
          labels++;
          l = 0;
        }
      else if (label_char (c))
        l++;
      else
        {
          if (c == '*')
            *why = "may only start with \"*.\"";
          return -1;
        }
      out[i] = c;
    }
  if (wildcard)
    {
      out[0] = '*';
      out[1] = '.';
      if (labels < 2)
        {
          *why = "is a wildcard over a whole top-level domain";
          return -1;
        }
    }
  out[len] = '\0';

  unsigned char addr[16];
  if (inet_pton (AF_INET, out, addr) == 1)
    {
      *why = "is an address, not a host name";
      return -1;
    }
  return 0;
}

int
dns_name_normalize (const char *in, char *out, size_t size, const char **why)
{
  return normalize (in, out, size, false, why);
}

int
dns_pattern_normalize (const char *in, char *out, size_t size, const char **why)
{
  return normalize (in, out, size, true, why);
}

static bool
suffix_match (const char *suffix, size_t slen, bool wildcard, const char *name,
              size_t nlen)
{
  if (!wildcard)
    return nlen == slen && memcmp (name, suffix, slen) == 0;
  /* Strictly below: at least one label and a dot before the suffix. */
  return nlen > slen + 1 && name[nlen - slen - 1] == '.'
         && memcmp (name + nlen - slen, suffix, slen) == 0;
}

bool
dns_pattern_match (const char *pattern, const char *name)
{
  bool wildcard = strncmp (pattern, "*.", 2) == 0;
  const char *suffix = wildcard ? pattern + 2 : pattern;
  return suffix_match (suffix, strlen (suffix), wildcard, name, strlen (name));
}

int
dns_rules_init (struct dns_rules *rs, const struct dns_rule *rules, size_t n,
                struct werr *err)
{
  rs->v = NULL;
  rs->n = 0;
  if (n == 0)
    return 0;
  struct dns_rule_entry *v = calloc (n, sizeof *v);
  if (v == NULL)
    return werr_set (err, errno, "dns rules: allocate %zu rules", n);
  rs->v = v;
  for (size_t i = 0; i < n; i++)
    {
      char buf[DNS_NAME_TEXT_MAX];
      const char *why;
      if (dns_pattern_normalize (rules[i].host, buf, sizeof buf, &why) < 0)
        {
          werr_set (err, 0, "%s: host \"%s\" %s",
                    rules[i].where ? rules[i].where : "dns rule",
                    rules[i].host ? rules[i].host : "", why);
          dns_rules_clear (rs);
          return -1;
        }
      v[i].wildcard = buf[0] == '*';
      v[i].suffix = strdup (v[i].wildcard ? buf + 2 : buf);
      if (v[i].suffix == NULL)
        {
          werr_set (err, errno, "dns rules: copy \"%s\"", buf);
          dns_rules_clear (rs);
          return -1;
        }
      v[i].len = strlen (v[i].suffix);
      v[i].rule = &rules[i];
      rs->n = i + 1;
    }
  return 0;
}

void
dns_rules_clear (struct dns_rules *rs)
{
  for (size_t i = 0; i < rs->n; i++)
    free (rs->v[i].suffix);
  free (rs->v);
  rs->v = NULL;
  rs->n = 0;
}

const struct dns_rule *
dns_rules_denied (const struct dns_rules *rs, const char *name)
{
  size_t nlen = strlen (name);
  for (size_t i = 0; i < rs->n; i++)
    if (rs->v[i].rule->deny
        && suffix_match (rs->v[i].suffix, rs->v[i].len, rs->v[i].wildcard, name,
                         nlen))
      return rs->v[i].rule;
  return NULL;
}

const struct dns_rule *
dns_rules_next_allow (const struct dns_rules *rs, const char *name,
                      size_t *cursor)
{
  size_t nlen = strlen (name);
  for (size_t i = *cursor; i < rs->n; i++)
    if (!rs->v[i].rule->deny
        && suffix_match (rs->v[i].suffix, rs->v[i].len, rs->v[i].wildcard, name,
                         nlen))
      {
        *cursor = i + 1;
        return rs->v[i].rule;
      }
  *cursor = rs->n;
  return NULL;
}
