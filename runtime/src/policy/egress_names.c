/* ward — egress by host name: the host rules of the plan, and the name
 * maps of the BPF egress filter as the monitor fills them (see
 * egress_names.h and docs/egress.md). */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/mount.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "egress_names.h"
#include "plan.h"
#include "utils.h"
#include "ward/cleanup.h"

/* ---- compile --------------------------------------------------------- */

static int
host_ports (const struct pol_rule *r, struct plan_portset *s, struct werr *err)
{
  memset (s, 0, sizeof *s);
  if (r->n_ports == 0)
    {
      s->n = 1;
      s->r[0] = (struct plan_portrange){ .lo = 0,
                                         .hi = 65535,
                                         .protos = POL_PROTO_ALL };
      return 0;
    }
  for (size_t i = 0; i < r->n_ports; i++)
    {
      struct plan_portrange pr = { .lo = r->ports[i].lo,
                                   .hi = r->ports[i].hi,
                                   .protos = r->ports[i].protos };
      if (plan_portset_add (s, &pr) < 0)
        return werr_set (err, 0,
                         "policy: %s: more than %d distinct port "
                         "ranges",
                         r->where, PLAN_PORTSET_MAX);
    }
  return 0;
}

static int
collect_hosts (struct plan_net *n, const struct pol_rule *rules, size_t nr,
               bool deny, struct werr *err)
{
  for (size_t i = 0; i < nr; i++)
    for (size_t j = 0; j < rules[i].n_to; j++)
      {
        const struct pol_peer *peer = &rules[i].to[j];
        if (peer->host == NULL)
          continue;
        n->hosts = realloc (n->hosts, (n->n_hosts + 1) * sizeof *n->hosts);
        if (n->hosts == NULL)
          abort ();
        struct plan_host_rule *h = &n->hosts[n->n_hosts];
        memset (h, 0, sizeof *h);
        if (host_ports (&rules[i], &h->ports, err) < 0)
          return -1;
        h->pattern = xstrdup (peer->host);
        h->deny = deny;
        /* Legacy allowedHosts entries are rules of their own already. */
        h->where = strstr (rules[i].where, "Hosts[")
                       ? xstrdup (rules[i].where)
                       : xasprintf ("%s.to[%zu]", rules[i].where, j);
        n->n_hosts++;
      }
  return 0;
}

void
egress_names_host_resolver (const char *id, uint8_t out[4])
{
  uint32_t h = 2166136261u;
  for (const char *p = id; *p; p++)
    h = (h ^ (uint8_t) *p) * 16777619u;
  out[0] = 127;
  out[1] = (uint8_t) (64 + (h & 63));
  out[2] = (uint8_t) ((h >> 6) & 255);
  out[3] = (uint8_t) (1 + (h >> 14) % 254);
}

int
egress_names_compile (struct policy_plan *plan, const struct agent_policy *p,
                      struct werr *err)
{
  struct plan_net *n = &plan->net;
  if (collect_hosts (n, p->allow, p->n_allow, false, err) < 0
      || collect_hosts (n, p->deny, p->n_deny, true, err) < 0)
    return -1;
  /* Audit mode blocks nothing, but the programs still report what they
   * would have refused (the learning mode needs the ports). */
  n->filter_audit = plan->audit && plan->host.cgroup_bpf
                    && n->netns != PLAN_NETNS_ADDED
                    && (n->restricted || !n->loopback_private);
  /* The refusal records need the ring buffer the run time holds. */
  if (n->filter || n->filter_audit || n->n_hosts || n->ingress_filter
      || n->ingress_audit)
    n->rt = egress_rt_new ();
  /* An empty namespace ward added reaches nothing: no resolver to run.
   * Audit mode runs one even without host rules: it records the names
   * (what `ward sandbox --learn` turns into rules). */
  if ((n->n_hosts == 0 && !n->filter_audit) || n->netns == PLAN_NETNS_ADDED)
    return 0;
  n->names = true;
  n->dns_ttl_min = p->dns_ttl_min;
  n->dns_ttl_max = p->dns_ttl_max;
  if (n->loopback_private)
    memcpy (n->resolver4, (uint8_t[]){ 127, 0, 0, 1 }, 4);
  else
    egress_names_host_resolver (plan->id, n->resolver4);
  return 0;
}

/* ---- run time: the maps ---------------------------------------------- */

static int
bpf (int cmd, union bpf_attr *attr)
{
  return (int) syscall (SYS_bpf, cmd, attr, sizeof *attr);
}

struct egress_rt *
egress_rt_new (void)
{
  struct egress_rt *rt = xmalloc0 (sizeof *rt);
  int *fds[] = { &rt->name4,  &rt->name6, &rt->alive,  &rt->events,
                 &rt->allow4, &rt->deny4, &rt->allow6, &rt->deny6 };
  for (size_t i = 0; i < ARRAY_SIZE (fds); i++)
    *fds[i] = -1;
  return rt;
}

void
egress_rt_free (struct egress_rt *rt)
{
  if (rt == NULL)
    return;
  int fds[] = { rt->name4,  rt->name6, rt->alive,  rt->events,
                rt->allow4, rt->deny4, rt->allow6, rt->deny6 };
  for (size_t i = 0; i < ARRAY_SIZE (fds); i++)
    if (fds[i] >= 0)
      close (fds[i]);
  free (rt);
}

static int
map_new (enum bpf_map_type type, const char *name, uint32_t key, uint32_t value,
         uint32_t entries, uint32_t flags, struct werr *err)
{
  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.map_type = type;
  attr.key_size = key;
  attr.value_size = value;
  attr.max_entries = entries;
  attr.map_flags = flags;
  strncpy (attr.map_name, name, sizeof attr.map_name - 1);
  int fd = bpf (BPF_MAP_CREATE, &attr);
  if (fd < 0)
    return werr_set (err, errno, "policy: bpf map `%s`", name);
  return fd;
}

int
egress_rt_create_maps (struct egress_rt *rt, bool names, struct werr *err)
{
  const uint32_t vsize = sizeof (struct egress_name_value);
  if (rt->events < 0
      && (rt->events = map_new (BPF_MAP_TYPE_RINGBUF, "ward_events", 0, 0,
                                EGRESS_EVENTS_BYTES, 0, err))
             < 0)
    return -1;
  if (!names || rt->name4 >= 0)
    return 0;
  /* Not preallocated: memory only for the addresses really answered. */
  if ((rt->name4 = map_new (BPF_MAP_TYPE_HASH, "ward_names4", 4, vsize,
                            EGRESS_NAME_MAP_MAX, BPF_F_NO_PREALLOC, err))
          < 0
      || (rt->name6 = map_new (BPF_MAP_TYPE_HASH, "ward_names6", 16, vsize,
                               EGRESS_NAME_MAP_MAX, BPF_F_NO_PREALLOC, err))
             < 0
      || (rt->alive
          = map_new (BPF_MAP_TYPE_ARRAY, "ward_alive", 4, 8, 1, 0, err))
             < 0)
    return -1;
  /* Until the monitor takes over: enough for create to start it. */
  if (egress_rt_set_alive (rt, egress_now_ns () + 60ULL * 1000000000ULL) < 0)
    return werr_set (err, errno, "policy: bpf map `ward_alive`: update");
  return 0;
}

uint64_t
egress_now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

static int
map_update (int fd, const void *key, const void *value, uint64_t flags)
{
  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.map_fd = (uint32_t) fd;
  attr.key = (uint64_t) (uintptr_t) key;
  attr.value = (uint64_t) (uintptr_t) value;
  attr.flags = flags;
  return bpf (BPF_MAP_UPDATE_ELEM, &attr) < 0 ? -errno : 0;
}

static int
map_lookup (int fd, const void *key, void *value)
{
  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.map_fd = (uint32_t) fd;
  attr.key = (uint64_t) (uintptr_t) key;
  attr.value = (uint64_t) (uintptr_t) value;
  return bpf (BPF_MAP_LOOKUP_ELEM, &attr) < 0 ? -errno : 0;
}

static int
map_delete (int fd, const void *key)
{
  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.map_fd = (uint32_t) fd;
  attr.key = (uint64_t) (uintptr_t) key;
  return bpf (BPF_MAP_DELETE_ELEM, &attr) < 0 ? -errno : 0;
}

int
egress_rt_set_alive (const struct egress_rt *rt, uint64_t until_ns)
{
  uint32_t zero = 0;
  if (rt->alive < 0)
    return 0;
  int r = map_update (rt->alive, &zero, &until_ns, BPF_ANY);
  if (r < 0)
    errno = -r;
  return r;
}

/* Drop the ranges of v that expired; whether any did. */
static bool
value_expire (struct egress_name_value *v, uint64_t now_ns)
{
  uint32_t k = 0;
  for (uint32_t i = 0; i < v->n && i < EGRESS_NAME_RANGES; i++)
    if (v->r[i].expiry_ns > now_ns)
      v->r[k++] = v->r[i];
  bool changed = k != v->n;
  v->n = k;
  return changed;
}

static int
value_merge (struct egress_name_value *v, const struct plan_portset *ports,
             uint64_t expiry)
{
  for (uint32_t i = 0; i < ports->n; i++)
    {
      const struct plan_portrange *pr = &ports->r[i];
      uint32_t j;
      for (j = 0; j < v->n; j++)
        if (v->r[j].lo == pr->lo && v->r[j].hi == pr->hi
            && v->r[j].protos == pr->protos)
          break;
      if (j == v->n)
        {
          if (v->n == EGRESS_NAME_RANGES)
            return -ENOSPC;
          v->r[v->n++] = (struct egress_name_range){
            .lo = pr->lo, .hi = pr->hi, .protos = pr->protos, .expiry_ns = 0
          };
        }
      /* Never shorten: a client may still use an earlier, longer answer. */
      if (v->r[j].expiry_ns < expiry)
        v->r[j].expiry_ns = expiry;
    }
  return 0;
}

int
egress_rt_allow (const struct egress_rt *rt, int family, const void *addr,
                 const struct plan_portset *ports, uint32_t ttl_s,
                 uint64_t now_ns)
{
  int fd = family == AF_INET ? rt->name4 : rt->name6;
  if (fd < 0)
    return 0;
  struct egress_name_value v;
  memset (&v, 0, sizeof v);
  if (map_lookup (fd, addr, &v) < 0)
    memset (&v, 0, sizeof v);
  value_expire (&v, now_ns);
  int r = value_merge (&v, ports, now_ns + (uint64_t) ttl_s * 1000000000ULL);
  if (r < 0)
    return r;
  r = map_update (fd, addr, &v, BPF_ANY);
  if (r == -E2BIG || r == -ENOMEM)
    {
      egress_rt_sweep (rt, now_ns);
      r = map_update (fd, addr, &v, BPF_ANY);
    }
  return r;
}

int
egress_rt_lookup (const struct egress_rt *rt, int family, const void *addr,
                  struct egress_name_value *out)
{
  int fd = family == AF_INET ? rt->name4 : rt->name6;
  if (fd < 0)
    return -ENOENT;
  return map_lookup (fd, addr, out);
}

#define WALK_BATCH 512

/* Every entry of a name map, in batches; fn may rewrite the value
 * (returns 1), leave it (0) or have it deleted (-1).  Deletions wait until
 * the walk is over: a hash map's batch cursor must not lose its bucket. */
static size_t
map_walk (int fd, int family, egress_walk_fn fn, void *ctx)
{
  if (fd < 0)
    return 0;
  size_t key_size = family == AF_INET ? 4 : 16;
  uint8_t *keys = xmalloc0 (WALK_BATCH * key_size);
  struct egress_name_value *vals = xmalloc0 (WALK_BATCH * sizeof *vals);
  uint8_t *doomed = NULL;
  size_t n_doomed = 0, left = 0;
  uint64_t in_batch = 0, out_batch = 0;
  for (bool first = true;; first = false)
    {
      union bpf_attr attr;
      memset (&attr, 0, sizeof attr);
      attr.batch.in_batch = first ? 0 : (uint64_t) (uintptr_t) &in_batch;
      attr.batch.out_batch = (uint64_t) (uintptr_t) &out_batch;
      attr.batch.keys = (uint64_t) (uintptr_t) keys;
      attr.batch.values = (uint64_t) (uintptr_t) vals;
      attr.batch.count = WALK_BATCH;
      attr.batch.map_fd = (uint32_t) fd;
      int r = bpf (BPF_MAP_LOOKUP_BATCH, &attr);
      if (r < 0 && errno != ENOENT)
        break;
      for (uint32_t i = 0; i < attr.batch.count; i++)
        {
          const uint8_t *key = keys + i * key_size;
          int verdict = fn (ctx, family, key, &vals[i]);
          if (verdict < 0)
            {
              doomed = realloc (doomed, (n_doomed + 1) * key_size);
              if (doomed == NULL)
                abort ();
              memcpy (doomed + n_doomed++ * key_size, key, key_size);
              continue;
            }
          left++;
          if (verdict > 0)
            map_update (fd, key, &vals[i], BPF_EXIST);
        }
      if (r < 0) /* ENOENT: that was the last batch */
        break;
      in_batch = out_batch;
    }
  for (size_t i = 0; i < n_doomed; i++)
    map_delete (fd, doomed + i * key_size);
  free (doomed);
  free (keys);
  free (vals);
  return left;
}

size_t
egress_rt_walk (const struct egress_rt *rt, egress_walk_fn fn, void *ctx)
{
  return map_walk (rt->name4, AF_INET, fn, ctx)
         + map_walk (rt->name6, AF_INET6, fn, ctx);
}

static int
expire_one (void *ctx, int family, const void *key, struct egress_name_value *v)
{
  (void) family;
  (void) key;
  bool changed = value_expire (v, *(const uint64_t *) ctx);
  return v->n == 0 ? -1 : changed;
}

size_t
egress_rt_sweep (const struct egress_rt *rt, uint64_t now_ns)
{
  return egress_rt_walk (rt, expire_one, &now_ns);
}

int
egress_name_value_set (struct egress_name_value *v,
                       const struct plan_portset *ports, uint64_t expiry_ns)
{
  memset (v, 0, sizeof *v);
  return value_merge (v, ports, expiry_ns);
}

/* ---- the CIDR tries, replaced in place (live update) ------------------- */

struct trie_key
{
  uint32_t len;
  uint8_t addr[16];
};

static int
trie_fd (const struct egress_rt *rt, bool deny, int family)
{
  if (family == AF_INET)
    return deny ? rt->deny4 : rt->allow4;
  return deny ? rt->deny6 : rt->allow6;
}

static bool
prefix_in (const struct plan_prefix *v, size_t n, const struct pol_cidr *c)
{
  for (size_t i = 0; i < n; i++)
    if (v[i].cidr.family == c->family && v[i].cidr.len == c->len
        && memcmp (v[i].cidr.addr, c->addr, sizeof c->addr) == 0)
      return true;
  return false;
}

static int
trie_put (const struct egress_rt *rt, bool deny, const struct plan_prefix *v,
          size_t n, struct werr *err)
{
  for (size_t i = 0; i < n; i++)
    {
      struct trie_key k = { .len = v[i].cidr.len };
      memcpy (k.addr, v[i].cidr.addr, sizeof k.addr);
      int fd = trie_fd (rt, deny, v[i].cidr.family);
      int r = fd < 0 ? -EBADF : map_update (fd, &k, &v[i].ports, BPF_ANY);
      if (r < 0)
        {
          char c[64];
          pol_cidr_format (&v[i].cidr, c, sizeof c);
          return werr_set (err, -r, "bpf map: add %s", c);
        }
    }
  return 0;
}

static void
trie_drop_stale (const struct egress_rt *rt, bool deny,
                 const struct plan_prefix *old, size_t n_old,
                 const struct plan_prefix *new, size_t n_new)
{
  for (size_t i = 0; i < n_old; i++)
    if (!prefix_in (new, n_new, &old[i].cidr))
      {
        struct trie_key k = { .len = old[i].cidr.len };
        memcpy (k.addr, old[i].cidr.addr, sizeof k.addr);
        int fd = trie_fd (rt, deny, old[i].cidr.family);
        if (fd >= 0)
          map_delete (fd, &k);
      }
}

int
egress_rt_replace_prefixes (const struct egress_rt *rt,
                            const struct plan_prefix *old_allow,
                            size_t n_old_allow,
                            const struct plan_prefix *old_deny,
                            size_t n_old_deny, const struct plan_prefix *allow,
                            size_t n_allow, const struct plan_prefix *deny,
                            size_t n_deny, struct werr *err)
{
  /* Never wider than the old or the new rules while it happens: new
   * denials first, then the allowances, stale denials last. */
  if (trie_put (rt, true, deny, n_deny, err) < 0
      || trie_put (rt, false, allow, n_allow, err) < 0)
    return -1;
  trie_drop_stale (rt, false, old_allow, n_old_allow, allow, n_allow);
  trie_drop_stale (rt, true, old_deny, n_old_deny, deny, n_deny);
  return 0;
}

static int
clear_one (void *ctx, int family, const void *key, struct egress_name_value *v)
{
  (void) ctx;
  (void) family;
  (void) key;
  (void) v;
  return -1;
}

void
egress_rt_clear_names (const struct egress_rt *rt)
{
  egress_rt_walk (rt, clear_one, NULL);
}

/* ---- in the container's init ------------------------------------------ */

static int
resolv_conf_tree (const uint8_t addr[4], struct werr *err)
{
  _cleanup_close_ int fs = (int) syscall (SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0)
    return werr_set (err, errno, "fsopen tmpfs for /etc/resolv.conf");
  if (syscall (SYS_fsconfig, fs, FSCONFIG_SET_STRING, "size", "16k", 0) < 0
      || syscall (SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return werr_set (err, errno, "fsconfig tmpfs for /etc/resolv.conf");
  _cleanup_close_ int mnt = (int) syscall (SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
  if (mnt < 0)
    return werr_set (err, errno, "fsmount tmpfs for /etc/resolv.conf");
  _cleanup_close_ int f
      = openat (mnt, "resolv.conf", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  char line[128];
  int len = snprintf (line, sizeof line,
                      "# ward: the container's filtering resolver\n"
                      "nameserver %u.%u.%u.%u\n",
                      addr[0], addr[1], addr[2], addr[3]);
  if (f < 0 || write_all (f, line, (size_t) len) < 0)
    return werr_set (err, errno, "write resolv.conf");
  int tree = (int) syscall (SYS_open_tree, mnt, "resolv.conf",
                            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (tree < 0)
    return werr_set (err, errno, "open_tree resolv.conf");
  struct mount_attr attr
      = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV
                      | MOUNT_ATTR_NOEXEC };
  if (syscall (SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof attr)
      < 0)
    {
      int e = errno;
      close (tree);
      return werr_set (err, e, "mount_setattr resolv.conf");
    }
  return tree;
}

int
egress_names_apply_in_init (const struct policy_plan *plan, struct werr *err)
{
  const struct plan_net *n = &plan->net;
  if (!n->names)
    return 0;
  /* Resolved inside the container's root (pivot_root is done): a symlink
   * cannot lead out.  Missing: made when /etc is writable; else glibc's
   * default (127.0.0.1) is the resolver already in a namespace of its own. */
  _cleanup_close_ int target = open ("/etc/resolv.conf", O_PATH | O_CLOEXEC);
  if (target < 0 && errno == ENOENT)
    {
      int f = open ("/etc/resolv.conf",
                    O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
      if (f >= 0)
        close (f);
      target = open ("/etc/resolv.conf", O_PATH | O_CLOEXEC);
    }
  struct stat st;
  if (target < 0 || fstat (target, &st) < 0 || !S_ISREG (st.st_mode))
    {
      if (n->loopback_private)
        return 0;
      return werr_set (err, target < 0 ? errno : EINVAL,
                       "policy: egress by host name: /etc/resolv.conf cannot "
                       "point to the resolver");
    }
  _cleanup_close_ int tree = resolv_conf_tree (n->resolver4, err);
  if (tree < 0)
    return werr_prefix (err, "policy: egress by host name");
  /* The container's resolver, and nothing else, in its resolv.conf. */
  if (syscall (SYS_move_mount, tree, "", target, "",
               MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)
      < 0)
    return werr_set (err, errno,
                     "policy: egress by host name: mount over "
                     "/etc/resolv.conf");
  return 0;
}

/* ---- explain ------------------------------------------------------------ */

static void
explain_ports (FILE *o, const struct plan_portset *s)
{
  for (uint32_t i = 0; i < s->n; i++)
    {
      const struct plan_portrange *r = &s->r[i];
      const char *proto = r->protos == POL_PROTO_TCP      ? "tcp"
                          : r->protos == POL_PROTO_UDP    ? "udp"
                          : r->protos == POL_PROTO_OTHER  ? "icmp"
                          : (r->protos & POL_PROTO_OTHER) ? "any"
                                                          : "tcp+udp";
      if (r->lo == 0 && r->hi == 65535)
        fprintf (o, "%s%s every port", i ? ", " : "", proto);
      else if (r->lo == r->hi)
        fprintf (o, "%s%s %u", i ? ", " : "", proto, r->lo);
      else
        fprintf (o, "%s%s %u-%u", i ? ", " : "", proto, r->lo, r->hi);
    }
}

void
egress_names_explain (const struct policy_plan *plan, FILE *o)
{
  const struct plan_net *n = &plan->net;
  if (n->n_hosts == 0 && !n->names)
    return;
  if (!n->names)
    {
      fprintf (o, "  host names: no resolver (nothing is reachable from this "
                  "namespace)\n");
      return;
    }
  fprintf (o,
           "  by host name: a filtering resolver on %u.%u.%u.%u:53 inside "
           "the container (its /etc/resolv.conf names only it) forwards "
           "allowed names to ",
           n->resolver4[0], n->resolver4[1], n->resolver4[2], n->resolver4[3]);
  for (size_t i = 0; i < n->n_dns; i++)
    fprintf (o, "%s%s", i ? ", " : "", n->dns[i]);
  fprintf (o,
           "%s, refuses the others (REFUSED), and puts each answer into "
           "the BPF allow map for its TTL (%u s to %u s)%s\n",
           n->n_dns ? "" : "the host's resolvers (/etc/resolv.conf)",
           n->dns_ttl_min ? n->dns_ttl_min : 30,
           n->dns_ttl_max ? n->dns_ttl_max : 3600,
           plan->audit ? "; audit mode: every name is answered, refusals are "
                         "recorded as allowed-audit"
                       : ":");
  for (size_t i = 0; i < n->n_hosts; i++)
    {
      const struct plan_host_rule *h = &n->hosts[i];
      fprintf (o, "    %-5s %-30s ", h->deny ? "deny" : "allow", h->pattern);
      if (h->deny)
        fprintf (o, "refused by the resolver");
      else
        explain_ports (o, &h->ports);
      fprintf (o, "  (%s)\n", h->where);
    }
  if (n->filter_audit)
    fprintf (o, "  audit mode: the BPF programs let everything through and "
                "record what they would refuse\n");
}
