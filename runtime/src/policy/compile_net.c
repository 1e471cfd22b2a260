/* ward — compile, network part: which network namespace, whether the BPF
 * egress and ingress programs are needed, and the contents of their
 * LPM-trie maps.
 *
 * A map entry's value is the set of (protocol, port range) that every rule
 * covering the entry's prefix allows (or denies).  An LPM trie answers with
 * the longest matching prefix only, so each prefix carries the union of the
 * port sets of all rules whose CIDR contains it, minus the rules whose
 * `except` contains it; an `except` block becomes an entry of its own
 * (possibly with an empty set) so that it shadows the broader rule.  The
 * programs check the deny map, then the allow map, then the default. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "egress_names.h"
#include "plan.h"
#include "utils.h"

#define TCP_PORTS_MAX 1024

/* ---- port sets ------------------------------------------------------ */

int
plan_portset_add (struct plan_portset *s, const struct plan_portrange *r)
{
  for (uint32_t i = 0; i < s->n; i++)
    {
      struct plan_portrange *e = &s->r[i];
      if (e->protos != r->protos)
        continue;
      /* Overlapping or adjacent: widen in place. */
      if ((uint32_t) r->lo <= (uint32_t) e->hi + 1
          && (uint32_t) e->lo <= (uint32_t) r->hi + 1)
        {
          e->lo = r->lo < e->lo ? r->lo : e->lo;
          e->hi = r->hi > e->hi ? r->hi : e->hi;
          return 0;
        }
    }
  if (s->n == PLAN_PORTSET_MAX)
    return -1;
  s->r[s->n++] = *r;
  return 0;
}

bool
plan_portset_match (const struct plan_portset *s, uint16_t port, unsigned proto)
{
  for (uint32_t i = 0; i < s->n; i++)
    if ((s->r[i].protos & proto) && s->r[i].lo <= port && port <= s->r[i].hi)
      return true;
  return false;
}

static struct plan_portset
rule_ports (const struct pol_rule *r)
{
  struct plan_portset s = { 0 };
  if (r->n_ports == 0)
    {
      s.n = 1;
      s.r[0] = (struct plan_portrange){ .lo = 0,
                                        .hi = 65535,
                                        .protos = POL_PROTO_ALL };
      return s;
    }
  for (size_t i = 0; i < r->n_ports && s.n < PLAN_PORTSET_MAX; i++)
    {
      struct plan_portrange pr = { .lo = r->ports[i].lo,
                                   .hi = r->ports[i].hi,
                                   .protos = r->ports[i].protos };
      plan_portset_add (&s, &pr);
    }
  return s;
}

/* ---- map contents --------------------------------------------------- */

struct peer_ref
{
  const struct pol_peer *peer; /* NULL for the implicit "every address" */
  struct pol_cidr cidr;
  struct plan_portset ports;
  const char *where;
};

static void
any_cidr (int family, struct pol_cidr *c)
{
  memset (c, 0, sizeof *c);
  c->family = family;
}

/* Every (CIDR peer, rule ports) of a rule list; host peers are skipped. */
static struct peer_ref *
collect_peers (const struct pol_rule *rules, size_t n, size_t *count)
{
  size_t cap = 2;
  for (size_t i = 0; i < n; i++)
    cap += rules[i].n_to + 2;
  struct peer_ref *v = xmalloc0 (cap * sizeof *v);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    {
      struct plan_portset ports = rule_ports (&rules[i]);
      if (rules[i].n_to == 0)
        for (int f = 0; f < 2; f++)
          {
            v[k] = (struct peer_ref){ .ports = ports, .where = rules[i].where };
            any_cidr (f ? AF_INET6 : AF_INET, &v[k++].cidr);
          }
      for (size_t j = 0; j < rules[i].n_to; j++)
        if (rules[i].to[j].host == NULL)
          v[k++] = (struct peer_ref){ .peer = &rules[i].to[j],
                                      .cidr = rules[i].to[j].cidr,
                                      .ports = ports,
                                      .where = rules[i].where };
    }
  *count = k;
  return v;
}

static bool
peer_applies (const struct peer_ref *r, const struct pol_cidr *p)
{
  if (!pol_cidr_contains (&r->cidr, p))
    return false;
  for (size_t e = 0; r->peer && e < r->peer->n_except; e++)
    if (pol_cidr_contains (&r->peer->except[e], p))
      return false;
  return true;
}

static bool
same_cidr (const struct pol_cidr *a, const struct pol_cidr *b)
{
  return a->family == b->family && a->len == b->len
         && memcmp (a->addr, b->addr, sizeof a->addr) == 0;
}

static void
prefix_push (struct plan_prefix **v, size_t *n, const struct pol_cidr *c)
{
  for (size_t i = 0; i < *n; i++)
    if (same_cidr (&(*v)[i].cidr, c))
      return;
  *v = realloc (*v, (*n + 1) * sizeof **v);
  if (*v == NULL)
    abort ();
  memset (&(*v)[*n], 0, sizeof **v);
  (*v)[(*n)++].cidr = *c;
}

static int
build_map (struct policy_plan *plan, const struct pol_rule *rules, size_t n,
           struct plan_prefix **out, size_t *n_out, struct werr *err)
{
  size_t n_refs;
  struct peer_ref *refs = collect_peers (rules, n, &n_refs);
  for (size_t i = 0; i < n_refs; i++)
    {
      prefix_push (out, n_out, &refs[i].cidr);
      for (size_t e = 0; refs[i].peer && e < refs[i].peer->n_except; e++)
        prefix_push (out, n_out, &refs[i].peer->except[e]);
    }
  int r = 0;
  for (size_t k = 0; k < *n_out && r == 0; k++)
    for (size_t i = 0; i < n_refs && r == 0; i++)
      {
        if (!peer_applies (&refs[i], &(*out)[k].cidr))
          continue;
        for (uint32_t j = 0; j < refs[i].ports.n && r == 0; j++)
          if (plan_portset_add (&(*out)[k].ports, &refs[i].ports.r[j]) < 0)
            {
              char c[64];
              pol_cidr_format (&(*out)[k].cidr, c, sizeof c);
              r = werr_set (err, 0,
                            "policy: %s: more than %d distinct port "
                            "ranges apply to %s",
                            refs[i].where, PLAN_PORTSET_MAX, c);
            }
      }
  free (refs);
  (void) plan;
  return r;
}

/* ---- what the programs do, for tests and explain --------------------- */

static const struct plan_prefix *
longest_match (const struct plan_prefix *v, size_t n, int family,
               const uint8_t *addr)
{
  const struct plan_prefix *best = NULL;
  struct pol_cidr host
      = { .family = family, .len = (uint8_t) (family == AF_INET ? 32 : 128) };
  memcpy (host.addr, addr, family == AF_INET ? 4 : 16);
  for (size_t i = 0; i < n; i++)
    if (pol_cidr_contains (&v[i].cidr, &host)
        && (best == NULL || v[i].cidr.len > best->cidr.len))
      best = &v[i];
  return best;
}

bool
plan_net_allows (const struct plan_net *n, int family, const uint8_t *addr,
                 uint16_t port, unsigned proto)
{
  bool loopback = family == AF_INET ? addr[0] == 127
                                    : memcmp (addr, &in6addr_loopback, 16) == 0;
  if (!n->filter)
    {
      if (loopback)
        return true;
      if (n->netns == PLAN_NETNS_ADDED)
        return false; /* nothing but loopback in there */
      if (n->landlock_tcp)
        {
          for (size_t i = 0; proto == POL_PROTO_TCP && i < n->n_tcp_ports; i++)
            if (n->tcp_ports[i] == port)
              return true;
          return false;
        }
      return true; /* unrestricted, audit mode, or weakened */
    }
  if (loopback)
    return n->loopback_private || n->host_loopback_allow;
  const struct plan_prefix *d
      = longest_match (n->deny, n->n_deny, family, addr);
  if (d && plan_portset_match (&d->ports, port, proto))
    return false;
  const struct plan_prefix *a
      = longest_match (n->allow, n->n_allow, family, addr);
  if (a && plan_portset_match (&a->ports, port, proto))
    return true;
  return n->default_allow;
}

/* ---- decisions ------------------------------------------------------ */

static bool
is_host_netns (const char *path)
{
  struct stat a, b;
  return stat (path, &a) == 0 && stat ("/proc/self/ns/net", &b) == 0
         && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Without cgroup BPF, a policy whose every allow rule names only TCP ports
 * (no addresses, no UDP) is still enforceable: Landlock TCP connect rules,
 * and seccomp refuses UDP and raw sockets. */
static bool
tcp_port_only (struct policy_plan *plan, const struct agent_policy *p)
{
  if (p->n_deny > 0 || plan->host.landlock_abi < 4 || !plan->fs.landlock)
    return false;
  size_t total = 0;
  for (size_t i = 0; i < p->n_allow; i++)
    {
      const struct pol_rule *r = &p->allow[i];
      if (r->n_to > 0 || r->n_ports == 0)
        return false;
      for (size_t j = 0; j < r->n_ports; j++)
        {
          if (r->ports[j].protos != POL_PROTO_TCP)
            return false;
          total += (size_t) r->ports[j].hi - r->ports[j].lo + 1;
        }
    }
  return total <= TCP_PORTS_MAX;
}

static void
landlock_tcp_ports (struct plan_net *n, const struct agent_policy *p)
{
  n->landlock_tcp = true;
  n->deny_udp = true;
  for (size_t i = 0; i < p->n_allow; i++)
    for (size_t j = 0; j < p->allow[i].n_ports; j++)
      for (uint32_t port = p->allow[i].ports[j].lo;
           port <= p->allow[i].ports[j].hi; port++)
        {
          n->tcp_ports = realloc (n->tcp_ports,
                                  (n->n_tcp_ports + 1) * sizeof *n->tcp_ports);
          if (n->tcp_ports == NULL)
            abort ();
          n->tcp_ports[n->n_tcp_ports++] = (uint16_t) port;
        }
}

/* A bundle that shares the host's network: a ruleless deny gets an empty
 * namespace of its own (nothing to filter, nothing reachable); with allow
 * rules or an open default the host's network stays, filtered by BPF. */
static void
choose_netns (struct plan_net *n, const struct agent_policy *p,
              const struct oci_config *cfg)
{
  const struct oci_namespace *ns = oci_config_namespace (cfg, OCI_NS_NETWORK);
  /* Audit mode blocks nothing: not even by an empty namespace. */
  if (ns == NULL)
    n->netns = !n->default_allow && p->n_allow == 0 && !p->audit
                   ? PLAN_NETNS_ADDED
                   : PLAN_NETNS_HOST;
  else if (ns->path && *ns->path && is_host_netns (ns->path))
    n->netns = PLAN_NETNS_HOST;
  else
    n->netns = PLAN_NETNS_BUNDLE;
  n->loopback_private = n->netns != PLAN_NETNS_HOST;
}

static int
decide_filters (struct policy_plan *plan, const struct agent_policy *p,
                struct werr *err)
{
  struct plan_net *n = &plan->net;
  /* An empty namespace ward made reaches nothing but its own loopback. */
  bool isolated = n->netns == PLAN_NETNS_ADDED;
  n->filter
      = !plan->audit && !isolated && (n->restricted || !n->loopback_private);
  n->ingress_filter
      = !plan->audit && !isolated && p->ingress_default == POL_DENY;
  n->ingress_audit = plan->audit && plan->host.cgroup_bpf && !isolated
                     && p->ingress_default == POL_DENY;
  n->deny_raw = !plan->audit && (n->restricted || n->filter);
  if ((n->filter || n->ingress_filter) && !plan->host.cgroup_bpf)
    {
      if (n->filter && tcp_port_only (plan, p))
        {
          landlock_tcp_ports (n, p);
          n->filter = false;
        }
      if (n->filter
          && plan_need (plan, "network.egress", err,
                        "needs BPF programs on a cgroup2 hierarchy, which "
                        "this host does not offer to %s",
                        plan->host.rootless ? "an unprivileged user" : "ward")
                 < 0)
        return -1;
      if (n->ingress_filter
          && plan_need (plan, "network.ingress.default", err,
                        "deny needs BPF programs on a cgroup2 hierarchy, "
                        "which this host does not offer (Landlock TCP bind "
                        "rules alone cannot stop a listener on an ephemeral "
                        "port)")
                 < 0)
        return -1;
      /* best_effort: what Landlock can do, a bind to a fixed port refused
       * (loopback too: it cannot tell addresses apart). */
      n->landlock_bind = n->ingress_filter && plan->host.landlock_abi >= 4;
      n->filter = n->ingress_filter = false;
    }
  return 0;
}

static bool
portset_has_icmp (const struct plan_portset *s)
{
  for (uint32_t i = 0; i < s->n; i++)
    if (s->r[i].protos & POL_PROTO_OTHER)
      return true;
  return false;
}

/* Ping sockets are let through seccomp only where some ICMP may go out:
 * then the ICMP program judges each packet like connect() is judged. */
static bool
allows_icmp (const struct plan_net *n)
{
  if (n->filter_audit)
    return true; /* audit: every ping is recorded and let through */
  if (!n->filter)
    return false;
  if (n->default_allow)
    return true;
  for (size_t i = 0; i < n->n_allow; i++)
    if (portset_has_icmp (&n->allow[i].ports))
      return true;
  for (size_t i = 0; i < n->n_hosts; i++)
    if (!n->hosts[i].deny && portset_has_icmp (&n->hosts[i].ports))
      return true;
  return false;
}

int
compile_net (struct policy_plan *plan, const struct agent_policy *p,
             const struct oci_config *cfg, struct werr *err)
{
  struct plan_net *n = &plan->net;
  n->default_allow = p->egress_default == POL_ALLOW;
  n->restricted = !n->default_allow || p->n_deny > 0;
  n->host_loopback_allow = p->host_loopback == POL_ALLOW;
  choose_netns (n, p, cfg);
  if (n->host_loopback_allow && n->loopback_private
      && plan_need (plan, "network.ingress.hostLoopback", err,
                    "allow: the host's loopback is not reachable from the "
                    "container's own network namespace")
             < 0)
    return -1;
  if (n->loopback_private)
    n->host_loopback_allow = false;
  if (decide_filters (plan, p, err) < 0
      || egress_names_compile (plan, p, err) < 0)
    return -1;
  if (build_map (plan, p->allow, p->n_allow, &n->allow, &n->n_allow, err) < 0
      || build_map (plan, p->deny, p->n_deny, &n->deny, &n->n_deny, err) < 0)
    return -1;
  n->icmp = allows_icmp (n);
  n->dns = xmalloc0 ((p->n_dns + 1) * sizeof *n->dns);
  for (size_t i = 0; i < p->n_dns; i++)
    n->dns[n->n_dns++] = xstrdup (p->dns_upstream[i]);
  return 0;
}
