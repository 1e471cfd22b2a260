/* ward — the policy parser, network part: MXC 0.8 `egress`/`ingress`, the
 * legacy 0.6/0.7 fields (never mixed with 0.8's), and ward's `dns` and
 * host-name peers. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "mxc_parse.h"
#include "utils.h"
#include "ward/cleanup.h"

static int
parse_action (struct mp *m, const struct jnode *obj, const char *key,
              const char *deny_word, enum pol_action *out, bool *has)
{
  _cleanup_free_ char *s = NULL;
  int r = mp_get_str (m, obj, key, &s);
  if (r <= 0)
    return r;
  size_t saved = mp_push_key (m, key);
  if (strcmp (s, "allow") == 0)
    *out = POL_ALLOW;
  else if (strcmp (s, deny_word) == 0)
    *out = POL_DENY;
  else
    return mp_fail (m, "\"%s\" is not \"allow\" or \"%s\"", s, deny_word);
  *has = true;
  mp_pop (m, saved);
  return 1;
}

static int
parse_cidr_string (struct mp *m, const struct jnode *n, struct pol_cidr *out)
{
  const char *s = mp_string (m, n);
  if (s == NULL)
    return -1;
  const char *why;
  if (pol_cidr_parse (s, out, &why) < 0)
    return mp_fail (m, "\"%s\" %s", s, why);
  return 0;
}

static int
parse_except (struct mp *m, const struct jnode *peer, struct pol_peer *out)
{
  const struct jnode *ex = mp_member (peer, "except");
  if (ex == NULL)
    return 0;
  size_t saved = mp_push_key (m, "except");
  if (out->host)
    return mp_fail (m, "applies to a \"cidr\" peer, not to a host name");
  if (jnode_type (ex) != JNODE_ARRAY)
    return mp_fail (m, "expected an array of CIDRs");
  size_t n = jnode_len (ex);
  out->except = xmalloc0 ((n + 1) * sizeof *out->except);
  for (size_t i = 0; i < n; i++)
    {
      size_t s2 = mp_push_idx (m, i);
      struct pol_cidr *c = &out->except[i];
      if (parse_cidr_string (m, jnode_at (ex, i), c) < 0)
        return -1;
      char a[64], b[64];
      pol_cidr_format (c, a, sizeof a);
      pol_cidr_format (&out->cidr, b, sizeof b);
      if (!pol_cidr_contains (&out->cidr, c) || c->len == out->cidr.len)
        return mp_fail (m, "%s is not strictly inside the peer's cidr %s", a,
                        b);
      out->n_except++;
      mp_pop (m, s2);
    }
  mp_pop (m, saved);
  return 0;
}

static int
parse_peer (struct mp *m, const struct jnode *n, struct pol_peer *out)
{
  static const char *const keys[] = { "cidr", "except", "host", NULL };
  if (mp_check_object (m, n, keys) < 0)
    return -1;
  const struct jnode *cidr = mp_member (n, "cidr");
  const struct jnode *host = mp_member (n, "host");
  if ((cidr == NULL) == (host == NULL))
    return mp_fail (m, "needs exactly one of \"cidr\" and \"host\"");
  if (cidr)
    {
      size_t saved = mp_push_key (m, "cidr");
      if (parse_cidr_string (m, cidr, &out->cidr) < 0)
        return -1;
      mp_pop (m, saved);
    }
  else
    {
      size_t saved = mp_push_key (m, "host");
      const char *s = mp_string (m, host);
      const char *why;
      if (s == NULL)
        return -1;
      if (!pol_host_valid (s, &why))
        return mp_fail (m, "\"%s\" %s", s, why);
      out->host = xstrdup (s);
      mp_pop (m, saved);
    }
  return parse_except (m, n, out);
}

static int
parse_port (struct mp *m, const struct jnode *n, struct pol_port *out)
{
  static const char *const keys[] = { "protocol", "port", "endPort", NULL };
  if (mp_check_object (m, n, keys) < 0)
    return -1;
  _cleanup_free_ char *proto = NULL;
  uint64_t port = 0, end = 0;
  int rp, re;
  if (mp_get_str (m, n, "protocol", &proto) < 0
      || (rp = mp_get_uint (m, n, "port", 1, 65535, &port)) < 0
      || (re = mp_get_uint (m, n, "endPort", 1, 65535, &end)) < 0)
    return -1;
  unsigned protos = POL_PROTO_ALL;
  if (proto)
    {
      size_t saved = mp_push_key (m, "protocol");
      if (strcmp (proto, "tcp") == 0)
        protos = POL_PROTO_TCP;
      else if (strcmp (proto, "udp") == 0)
        protos = POL_PROTO_UDP;
      else if (strcmp (proto, "icmp") == 0)
        protos = POL_PROTO_OTHER;
      else if (strcmp (proto, "any") != 0)
        return mp_fail (m, "\"%s\" is not tcp, udp, icmp or any", proto);
      mp_pop (m, saved);
    }
  if (re > 0 && rp == 0)
    {
      mp_push_key (m, "endPort");
      return mp_fail (m, "needs \"port\"");
    }
  if (re > 0 && end < port)
    {
      mp_push_key (m, "endPort");
      return mp_fail (m, "%llu is below port %llu", (unsigned long long) end,
                      (unsigned long long) port);
    }
  if (rp > 0 && protos == POL_PROTO_OTHER)
    {
      mp_push_key (m, "port");
      return mp_fail (m, "icmp has no ports");
    }
  if (rp > 0 && protos == POL_PROTO_ALL)
    protos = POL_PROTO_TCP | POL_PROTO_UDP;
  out->protos = protos;
  out->lo = rp > 0 ? (uint16_t) port : 0;
  out->hi = rp > 0 ? (uint16_t) (re > 0 ? end : port) : 65535;
  return 0;
}

/* An array member with at least one item (the schema's minItems: 1). */
static const struct jnode *
nonempty_array (struct mp *m, const struct jnode *obj, const char *key, int *rc)
{
  const struct jnode *v = mp_member (obj, key);
  *rc = 0;
  if (v == NULL)
    return NULL;
  if (jnode_type (v) != JNODE_ARRAY || jnode_len (v) == 0)
    {
      mp_push_key (m, key);
      *rc = mp_fail (m, "expected a non-empty array");
      return NULL;
    }
  return v;
}

static int
parse_rule (struct mp *m, const struct jnode *n, struct pol_rule *out)
{
  static const char *const keys[] = { "to", "ports", NULL };
  if (mp_check_object (m, n, keys) < 0)
    return -1;
  out->where = mp_where (m);
  int rc;
  const struct jnode *to = nonempty_array (m, n, "to", &rc);
  if (rc < 0)
    return -1;
  const struct jnode *ports = nonempty_array (m, n, "ports", &rc);
  if (rc < 0)
    return -1;
  size_t saved = mp_push_key (m, "to");
  out->to = xmalloc0 ((jnode_len (to) + 1) * sizeof *out->to);
  for (size_t i = 0; to && i < jnode_len (to); i++)
    {
      size_t s2 = mp_push_idx (m, i);
      out->n_to = i + 1; /* counted first, so a half-parsed peer is freed */
      if (parse_peer (m, jnode_at (to, i), &out->to[i]) < 0)
        return -1;
      mp_pop (m, s2);
    }
  mp_pop (m, saved);
  saved = mp_push_key (m, "ports");
  out->ports = xmalloc0 ((jnode_len (ports) + 1) * sizeof *out->ports);
  for (size_t i = 0; ports && i < jnode_len (ports); i++, out->n_ports++)
    {
      size_t s2 = mp_push_idx (m, i);
      if (parse_port (m, jnode_at (ports, i), &out->ports[i]) < 0)
        return -1;
      mp_pop (m, s2);
    }
  mp_pop (m, saved);
  return 0;
}

static int
parse_rules (struct mp *m, const struct jnode *eg, const char *key,
             struct pol_rule **v, size_t *n)
{
  const struct jnode *arr = mp_member (eg, key);
  if (arr == NULL)
    return 0;
  size_t saved = mp_push_key (m, key);
  if (jnode_type (arr) != JNODE_ARRAY)
    return mp_fail (m, "expected an array of rules");
  size_t len = jnode_len (arr);
  *v = xmalloc0 ((len + 1) * sizeof **v);
  for (size_t i = 0; i < len; i++)
    {
      size_t s2 = mp_push_idx (m, i);
      (*n)++; /* counted first, so a half-parsed rule is freed */
      if (parse_rule (m, jnode_at (arr, i), &(*v)[i]) < 0)
        return -1;
      mp_pop (m, s2);
    }
  mp_pop (m, saved);
  return 0;
}

static int
parse_egress (struct mp *m, const struct jnode *eg)
{
  static const char *const keys[] = { "default", "allow", "deny", NULL };
  struct agent_policy *p = m->p;
  if (mp_check_object (m, eg, keys) < 0
      || parse_action (m, eg, "default", "deny", &p->egress_default,
                       &p->has_egress_default)
             < 0
      || parse_rules (m, eg, "allow", &p->allow, &p->n_allow) < 0
      || parse_rules (m, eg, "deny", &p->deny, &p->n_deny) < 0)
    return -1;
  return 0;
}

static int
parse_ingress (struct mp *m, const struct jnode *in)
{
  static const char *const keys[] = { "default", "hostLoopback", NULL };
  struct agent_policy *p = m->p;
  if (mp_check_object (m, in, keys) < 0
      || parse_action (m, in, "default", "deny", &p->ingress_default,
                       &p->has_ingress_default)
             < 0
      || parse_action (m, in, "hostLoopback", "deny", &p->host_loopback,
                       &p->has_host_loopback)
             < 0)
    return -1;
  return 0;
}

static int
parse_dns (struct mp *m, const struct jnode *dns)
{
  static const char *const keys[] = { "upstream", "minTtl", "maxTtl", NULL };
  struct agent_policy *p = m->p;
  uint64_t lo = 0, hi = 0;
  if (mp_check_object (m, dns, keys) < 0
      || mp_get_strv (m, dns, "upstream", &p->dns_upstream, &p->n_dns) < 0
      || mp_get_uint (m, dns, "minTtl", 1, 86400, &lo) < 0
      || mp_get_uint (m, dns, "maxTtl", 1, 86400, &hi) < 0)
    return -1;
  if (lo && hi && hi < lo)
    {
      mp_push_key (m, "maxTtl");
      return mp_fail (m, "%llu is below minTtl %llu", (unsigned long long) hi,
                      (unsigned long long) lo);
    }
  p->dns_ttl_min = (uint32_t) lo;
  p->dns_ttl_max = (uint32_t) hi;
  size_t saved = mp_push_key (m, "upstream");
  for (size_t i = 0; i < p->n_dns; i++)
    {
      unsigned char buf[16];
      if (inet_pton (AF_INET, p->dns_upstream[i], buf) != 1
          && inet_pton (AF_INET6, p->dns_upstream[i], buf) != 1)
        {
          mp_push_idx (m, i);
          return mp_fail (m, "\"%s\" is not an IP address", p->dns_upstream[i]);
        }
    }
  mp_pop (m, saved);
  return 0;
}

/* Legacy host lists: an address or CIDR becomes a rule on that block, a
 * name a host rule (ward's extension; MXC 0.8 dropped names). */
static int
parse_host_list (struct mp *m, const struct jnode *net, const char *key,
                 struct pol_rule **v, size_t *n)
{
  const struct jnode *arr = mp_member (net, key);
  if (arr == NULL)
    return 0;
  size_t saved = mp_push_key (m, key);
  if (jnode_type (arr) != JNODE_ARRAY)
    return mp_fail (m, "expected an array of addresses or host names");
  size_t len = jnode_len (arr);
  *v = realloc (*v, (*n + len + 1) * sizeof **v);
  if (*v == NULL)
    abort ();
  for (size_t i = 0; i < len; i++)
    {
      size_t s2 = mp_push_idx (m, i);
      const char *s = mp_string (m, jnode_at (arr, i));
      if (s == NULL)
        return -1;
      struct pol_rule *r = &(*v)[(*n)++];
      memset (r, 0, sizeof *r);
      r->where = mp_where (m);
      r->to = xmalloc0 (sizeof *r->to);
      r->n_to = 1;
      const char *why, *why_host;
      if (pol_cidr_parse (s, &r->to[0].cidr, &why) == 0)
        ;
      else if (pol_host_valid (s, &why_host))
        r->to[0].host = xstrdup (s);
      else
        return mp_fail (m,
                        "\"%s\" is neither an address, a CIDR nor a host "
                        "name",
                        s);
      mp_pop (m, s2);
    }
  mp_pop (m, saved);
  return 0;
}

static int
parse_proxy (struct mp *m, const struct jnode *proxy)
{
  static const char *const keys[]
      = { "localhost", "builtinTestServer", "url", NULL };
  if (mp_check_object (m, proxy, keys) < 0)
    return -1;
  uint64_t port = 0;
  bool builtin = false;
  _cleanup_free_ char *url = NULL;
  int rp;
  if ((rp = mp_get_uint (m, proxy, "localhost", 1, 65535, &port)) < 0
      || mp_get_bool (m, proxy, "builtinTestServer", &builtin) < 0
      || mp_get_str (m, proxy, "url", &url) < 0)
    return -1;
  char *desc = NULL;
  if (url)
    desc = xstrdup (url);
  else if (rp > 0)
    desc = xasprintf ("http://127.0.0.1:%llu", (unsigned long long) port);
  else if (builtin)
    desc = xstrdup ("the built-in test proxy");
  if (desc)
    {
      free (m->p->proxy);
      free (m->p->proxy_where);
      m->p->proxy = desc;
      m->p->proxy_where = mp_where (m);
    }
  return 0;
}

static int
parse_legacy (struct mp *m, const struct jnode *net)
{
  struct agent_policy *p = m->p;
  _cleanup_free_ char *def = NULL, *mode = NULL;
  bool local = false;
  int r;
  if ((r = mp_get_str (m, net, "defaultPolicy", &def)) < 0)
    return -1;
  if (def)
    {
      size_t saved = mp_push_key (m, "defaultPolicy");
      if (strcmp (def, "allow") && strcmp (def, "block"))
        return mp_fail (m, "\"%s\" is not \"allow\" or \"block\"", def);
      p->egress_default = strcmp (def, "allow") == 0 ? POL_ALLOW : POL_DENY;
      p->has_egress_default = true;
      mp_pop (m, saved);
    }
  if (parse_host_list (m, net, "allowedHosts", &p->allow, &p->n_allow) < 0
      || parse_host_list (m, net, "blockedHosts", &p->deny, &p->n_deny) < 0
      || (r = mp_get_bool (m, net, "allowLocalNetwork", &local)) < 0)
    return -1;
  if (r > 0)
    {
      p->ingress_default = local ? POL_ALLOW : POL_DENY;
      p->has_ingress_default = true;
    }
  if (mp_get_str (m, net, "enforcementMode", &mode) < 0)
    return -1;
  if (mode)
    {
      size_t saved = mp_push_key (m, "enforcementMode");
      if (strcmp (mode, "capabilities") && strcmp (mode, "firewall")
          && strcmp (mode, "both"))
        return mp_fail (m, "\"%s\" is not capabilities, firewall or both",
                        mode);
      mp_note (m, "ward always enforces in the kernel (BPF, seccomp, "
                  "namespaces)");
      mp_pop (m, saved);
    }
  const struct jnode *proxy = mp_member (net, "proxy");
  if (proxy)
    {
      size_t saved = mp_push_key (m, "proxy");
      if (parse_proxy (m, proxy) < 0)
        return -1;
      mp_pop (m, saved);
    }
  return 0;
}

static const char *
first_present (const struct jnode *net, const char *const *keys)
{
  for (size_t i = 0; keys[i]; i++)
    if (mp_member (net, keys[i]))
      return keys[i];
  return NULL;
}

int
mxc_parse_network (struct mp *m, const struct jnode *net)
{
  static const char *const keys[] = { "allowLocalNetwork",
                                      "allowedHosts",
                                      "blockedHosts",
                                      "defaultPolicy",
                                      "egress",
                                      "enforcementMode",
                                      "ingress",
                                      "proxy",
                                      "dns",
                                      NULL };
  static const char *const legacy[] = { "defaultPolicy",
                                        "allowedHosts",
                                        "blockedHosts",
                                        "allowLocalNetwork",
                                        "enforcementMode",
                                        "proxy",
                                        NULL };
  static const char *const modern[] = { "egress", "ingress", NULL };
  if (mp_check_object (m, net, keys) < 0)
    return -1;
  const char *old = first_present (net, legacy);
  const char *new = first_present (net, modern);
  if (old && new)
    return mp_fail (m,
                    "legacy field \"%s\" and 0.8 field \"%s\" cannot be "
                    "mixed",
                    old, new);
  if (new && m->p->schema_minor < 8)
    {
      mp_push_key (m, new);
      return mp_fail (m,
                      "needs version 0.8.0-alpha or later (the document "
                      "says %s)",
                      m->p->version);
    }
  m->p->legacy_network = old != NULL;
  const struct jnode *dns = mp_member (net, "dns");
  if (dns)
    {
      size_t saved = mp_push_key (m, "dns");
      if (parse_dns (m, dns) < 0)
        return -1;
      mp_pop (m, saved);
    }
  if (old)
    return parse_legacy (m, net);
  const struct jnode *eg = mp_member (net, "egress");
  const struct jnode *in = mp_member (net, "ingress");
  size_t saved = mp_push_key (m, "egress");
  if (eg && parse_egress (m, eg) < 0)
    return -1;
  mp_pop (m, saved);
  saved = mp_push_key (m, "ingress");
  if (in && parse_ingress (m, in) < 0)
    return -1;
  mp_pop (m, saved);
  return 0;
}
