/* ward — the monitor's egress part: the filtering resolver of egress by
 * host name, and the BPF refusal records turned into audit lines (see
 * monitor_dns.h, docs/egress.md).
 *
 * Set-up happens in `ward create`, still privileged, so that a failure
 * fails the create and nothing races the container's first query: the
 * resolver's UDP and TCP sockets are bound inside the container's network
 * namespace (setns there and back: the process stays where the upstreams
 * are reachable), and a sibling cgroup is made next to the container's
 * (the container's egress programs must not see the upstream queries, and
 * the resolver must not count as one of the container's processes).  The
 * monitor forks the egress process first thing; it joins that cgroup,
 * keeps only its fds, drops to "nobody" with no capabilities under a
 * seccomp allowlist, and serves.  It holds the map fds: updating a map
 * through an fd needs no privilege. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <grp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "audit.h"
#include "caps.h"
#include "cgroup.h"
#include "egress_events.h"
#include "egress_names.h"
#include "live_update.h"
#include "monitor_dns.h"
#include "plan.h"
#include "utils.h"
#include "ward/cleanup.h"

#define PARK_FD_BASE 100
#define EGRESS_UID 65534 /* nobody */
#define SWEEP_EVERY_NS (30ULL * 1000000000ULL)
#define NAME_SLOTS 4096
#define SEEN_SLOTS 32
#define SEEN_WINDOW_NS (2ULL * 1000000000ULL)

struct name_slot
{
  uint8_t family;
  uint8_t addr[16];
  char name[DNS_NAME_TEXT_MAX];
};

struct seen
{
  uint64_t hash, when;
};

struct monitor_dns
{
  const struct policy_plan *plan;
  struct egress_rt *rt;
  int udp, tcp, audit_fd, cg_procs, control;
  char *cg_dir;
  struct sockaddr_storage ups[DNS_FILTER_MAX_UPSTREAMS];
  size_t n_ups;
  struct live_rules *rules; /* the resolver's rules, replaced by updates */
  /* in the egress process */
  struct dns_filter *filter;
  struct audit *audit;
  struct egress_events *events;
  uint64_t next_tick, next_sweep;
  size_t n_filter_fds;
  int events_slot, control_slot;
  struct name_slot *names;
  struct seen seen[SEEN_SLOTS];
  size_t seen_next;
};

bool
monitor_dns_wanted (const struct policy_plan *plan)
{
  const struct plan_net *n = &plan->net;
  return n->names || (n->rt && n->rt->events >= 0);
}

/* ---- set-up in ward create ------------------------------------------- */

static int
loopback_up (struct werr *err)
{
  _cleanup_close_ int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr = { 0 };
  strcpy (ifr.ifr_name, "lo");
  if (fd < 0 || ioctl (fd, SIOCGIFFLAGS, &ifr) < 0)
    return werr_set (err, errno, "SIOCGIFFLAGS `lo`");
  if (ifr.ifr_flags & IFF_UP)
    return 0;
  ifr.ifr_flags |= IFF_UP;
  /* The resolver listens on 127.0.0.1 inside: loopback must be up. */
  if (ioctl (fd, SIOCSIFFLAGS, &ifr) < 0)
    return werr_set (err, errno,
                     "bring up `lo` in the container's network "
                     "namespace");
  return 0;
}

static int
listen_here (const struct plan_net *n, int *udp, int *tcp, struct werr *err)
{
  struct sockaddr_storage ss = { 0 };
  struct sockaddr_in *sin = (struct sockaddr_in *) &ss;
  sin->sin_family = AF_INET;
  sin->sin_port = htons (53);
  memcpy (&sin->sin_addr, n->resolver4, 4);
  return dns_filter_listen (&ss, udp, tcp, err);
}

/* The listening sockets belong to the container's network namespace; the
 * process comes back to its own, where the upstreams are. */
static int
listen_in_container (const struct plan_net *n, pid_t init, int *udp, int *tcp,
                     struct werr *err)
{
  if (!n->loopback_private)
    return listen_here (n, udp, tcp, err);
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/ns/net", (int) init);
  _cleanup_close_ int home
      = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  _cleanup_close_ int target = open (path, O_RDONLY | O_CLOEXEC);
  if (home < 0 || target < 0)
    return werr_set (err, errno, "open `%s`", path);
  if (setns (target, CLONE_NEWNET) < 0)
    return werr_set (err, errno,
                     "setns into the container's network "
                     "namespace");
  int r = loopback_up (err);
  if (r == 0)
    r = listen_here (n, udp, tcp, err);
  /* Never go on in the container's namespace. */
  if (setns (home, CLONE_NEWNET) < 0)
    abort ();
  return r;
}

static int
upstreams (struct monitor_dns *d, const struct plan_net *n, struct werr *err)
{
  for (size_t i = 0; i < n->n_dns && d->n_ups < DNS_FILTER_MAX_UPSTREAMS; i++)
    if (dns_parse_server (n->dns[i], &d->ups[d->n_ups]) == 0)
      d->n_ups++;
  if (n->n_dns == 0)
    d->n_ups = dns_servers_from_resolv_conf ("/etc/resolv.conf", d->ups,
                                             DNS_FILTER_MAX_UPSTREAMS);
  if (d->n_ups == 0)
    return werr_set (err, 0,
                     "policy: network.dns: no upstream DNS server for "
                     "the resolver (give network.dns.upstream, or "
                     "nameserver lines in the host's "
                     "/etc/resolv.conf)");
  return 0;
}

/* A sibling of the container's cgroup2 directory: <path>.ward-monitor. */
static int
sibling_cgroup (struct monitor_dns *d, const struct cgroup_mgr *cg,
                struct werr *err)
{
  const char *path = cgroup_unified_path (cg);
  if (path == NULL)
    return 0;
  d->cg_dir = xasprintf ("%s%s", path, MONITOR_CGROUP_SUFFIX);
  if (mkdir (d->cg_dir, 0755) < 0)
    {
      int e = errno;
      free (d->cg_dir);
      d->cg_dir = NULL;
      return werr_set (err, e, "policy: monitor: mkdir `%s%s`", path,
                       MONITOR_CGROUP_SUFFIX);
    }
  _cleanup_free_ char *procs = xasprintf ("%s/cgroup.procs", d->cg_dir);
  /* Opened now, by root: the kernel checks the opener's credentials when
   * the monitor moves itself in later. */
  d->cg_procs = open (procs, O_WRONLY | O_CLOEXEC);
  if (d->cg_procs < 0)
    return werr_set (err, errno, "policy: monitor: open `%s`", procs);
  return 0;
}

static struct monitor_dns *
monitor_dns_new (const struct policy_plan *plan)
{
  struct monitor_dns *d = xmalloc0 (sizeof *d);
  d->plan = plan;
  d->rt = plan->net.rt;
  d->udp = d->tcp = d->audit_fd = d->cg_procs = d->control = -1;
  d->events_slot = d->control_slot = -1;
  return d;
}

int
monitor_dns_prepare (const struct policy_plan *plan, int state_dirfd,
                     pid_t init, const struct cgroup_mgr *cgroup,
                     struct monitor_dns **out, struct werr *err)
{
  *out = NULL;
  if (!monitor_dns_wanted (plan))
    return 0;
  const struct plan_net *n = &plan->net;
  struct monitor_dns *d = monitor_dns_new (plan);
  d->audit_fd
      = openat (state_dirfd, AUDIT_FILE,
                O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (d->audit_fd < 0)
    {
      werr_set (err, errno, "policy: open `%s`", AUDIT_FILE);
      goto fail;
    }
  /* The rules in force, names and CIDRs: what a live update replaces. */
  if (live_rules_from_plan (plan, &d->rules, err) < 0)
    goto fail;
  if (n->names
      && (upstreams (d, n, err) < 0
          || listen_in_container (n, init, &d->udp, &d->tcp, err) < 0))
    {
      werr_prefix (err, "policy: egress by host name");
      goto fail;
    }
  if (sibling_cgroup (d, cgroup, err) < 0
      || live_update_listen (state_dirfd, &d->control, err) < 0)
    goto fail;
  *out = d;
  return 0;
fail:
  monitor_dns_release (d, true);
  return -1;
}

/* ---- in the monitor -------------------------------------------------- */

static void
park_fd (int *fd, int *next)
{
  if (*fd < 0)
    return;
  int moved = fcntl (*fd, F_DUPFD_CLOEXEC, *next);
  if (moved < 0)
    _exit (1);
  close (*fd);
  *fd = moved;
  *next = moved + 1;
}

/* The name an address was last answered for: a table of NAME_SLOTS, the
 * newest answer taking a slot (the audit names hosts with it, a live
 * update re-checks entries by it). */
static struct name_slot *
name_slot (const struct monitor_dns *d, int family, const void *addr,
           uint8_t key[16])
{
  memset (key, 0, 16);
  memcpy (key, addr, family == AF_INET ? 4 : 16);
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < 16; i++)
    h = (h ^ key[i]) * 16777619u;
  return &d->names[h % NAME_SLOTS];
}

static void
remember_name (struct monitor_dns *d, int family, const void *addr,
               const char *name)
{
  uint8_t key[16];
  struct name_slot *s = name_slot (d, family, addr, key);
  s->family = (uint8_t) family;
  memcpy (s->addr, key, 16);
  snprintf (s->name, sizeof s->name, "%s", name);
}

static const char *
name_of (const struct monitor_dns *d, int family, const void *addr)
{
  uint8_t key[16];
  const struct name_slot *s = name_slot (d, family, addr, key);
  if (s->family == family && memcmp (s->addr, key, 16) == 0 && s->name[0])
    return s->name;
  return NULL;
}

/* The resolver is about to answer `addr` for a name: into the map first. */
static int
allow_addr (void *ctx, int family, const void *addr, uint32_t ttl,
            const struct dns_rule *rule)
{
  struct monitor_dns *d = ctx;
  const char *name = d->filter ? dns_filter_answering (d->filter) : NULL;
  if (name)
    remember_name (d, family, addr, name);
  /* No rule: default allow (the address is allowed anyway) or audit mode
   * (the programs report what a policy should allow). */
  if (rule == NULL || rule->data == NULL)
    return 0;
  const struct plan_portset *ports = rule->data;
  return egress_rt_allow (d->rt, family, addr, ports, ttl, egress_now_ns ()) < 0
             ? -1
             : 0;
}

static void on_event (void *ctx, const struct egress_event *ev);
static void monitor_dns_update (struct monitor_dns *d);

static void
start_resolver (struct monitor_dns *d)
{
  if (d->udp < 0)
    return;
  const struct plan_net *n = &d->plan->net;
  struct dns_filter_config cfg = {
    .upstreams = d->ups,
    .n_upstreams = d->n_ups,
    .rules = live_rules_v (d->rules),
    .n_rules = live_rules_n (d->rules),
    .allow_addr = allow_addr,
    .ctx = d,
    .ttl_min = n->dns_ttl_min,
    .ttl_max = n->dns_ttl_max,
    .default_allow = n->default_allow,
    .audit_only = d->plan->audit,
    .audit = d->audit,
    .container_id = d->plan->id,
    .agent = d->plan->agent,
    .default_rule = "network.egress.default",
  };
  struct werr err = { 0 };
  if (dns_filter_new (d->udp, d->tcp, &cfg, &d->filter, &err) < 0)
    _exit (1); /* no resolver: names fail closed */
  d->udp = d->tcp = -1;
}

static size_t
egress_fds (struct monitor_dns *d, struct pollfd *p, size_t max)
{
  size_t n = 0;
  d->events_slot = d->control_slot = -1;
  d->n_filter_fds = d->filter ? dns_filter_fds (d->filter, p, max - 2) : 0;
  n = d->n_filter_fds;
  if (d->events)
    {
      d->events_slot = (int) n;
      p[n++] = (struct pollfd){ .fd = egress_events_fd (d->events),
                                .events = POLLIN };
    }
  if (d->control >= 0)
    {
      d->control_slot = (int) n;
      p[n++] = (struct pollfd){ .fd = d->control, .events = POLLIN };
    }
  return n;
}

static int
egress_wait (const struct monitor_dns *d)
{
  int t = d->filter ? dns_filter_timeout (d->filter) : -1;
  uint64_t now = egress_now_ns ();
  int tick
      = d->next_tick > now ? (int) ((d->next_tick - now) / 1000000) + 1 : 0;
  return t < 0 || tick < t ? tick : t;
}

static void
egress_handle (struct monitor_dns *d, const struct pollfd *p, size_t n)
{
  if (d->filter)
    dns_filter_handle (d->filter, p, d->n_filter_fds < n ? d->n_filter_fds : n);
  if (d->events_slot >= 0 && (size_t) d->events_slot < n
      && p[d->events_slot].revents)
    egress_events_drain (d->events, on_event, d);
  if (d->control_slot >= 0 && (size_t) d->control_slot < n
      && (p[d->control_slot].revents & POLLIN))
    monitor_dns_update (d);
  uint64_t now = egress_now_ns ();
  if (now >= d->next_tick)
    {
      egress_rt_set_alive (d->rt, now + EGRESS_ALIVE_WINDOW_S * 1000000000ULL);
      d->next_tick = now + EGRESS_ALIVE_TICK_S * 1000000000ULL;
    }
  if (now >= d->next_sweep)
    {
      egress_rt_sweep (d->rt, now);
      d->next_sweep = now + SWEEP_EVERY_NS;
    }
}

/* Its own cgroup, its own fds, quiet stdio, no signals; the resolver and
 * the ring buffer set up while allocating is still allowed. */
static void
egress_start (struct monitor_dns *d)
{
  /* Out of the caller's cgroup, never into the container's. */
  if (d->cg_procs >= 0 && write (d->cg_procs, "0", 1) != 1)
    _exit (1);
  int next = PARK_FD_BASE;
  struct egress_rt *rt = d->rt;
  int *fds[] = { &d->udp,     &d->tcp,    &d->audit_fd, &d->control,
                 &rt->name4,  &rt->name6, &rt->alive,   &rt->events,
                 &rt->allow4, &rt->deny4, &rt->allow6,  &rt->deny6 };
  for (size_t i = 0; i < ARRAY_SIZE (fds); i++)
    park_fd (fds[i], &next);
  syscall (SYS_close_range, 3, PARK_FD_BASE - 1, 0);
  syscall (SYS_close_range, next, ~0U, 0);
  int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
  for (int i = 0; i < 3 && null >= 0; i++)
    dup2 (null, i);
  if (null > 2)
    close (null);
  for (int s = 1; s < NSIG; s++)
    if (s != SIGKILL && s != SIGSTOP)
      signal (s, SIG_IGN);
  prctl (PR_SET_NAME, "ward-egress", 0, 0, 0);
  d->audit = audit_from_fd (d->audit_fd);
  d->names = xmalloc0 (NAME_SLOTS * sizeof *d->names);
  struct werr err = { 0 };
  if (rt->events >= 0
      && (d->events
          = egress_events_open (rt->events, EGRESS_EVENTS_BYTES, &err))
             == NULL)
    _exit (1);
  start_resolver (d);
  uint64_t now = egress_now_ns ();
  egress_rt_set_alive (rt, now + EGRESS_ALIVE_WINDOW_S * 1000000000ULL);
  d->next_tick = now + EGRESS_ALIVE_TICK_S * 1000000000ULL;
  d->next_sweep = now + SWEEP_EVERY_NS;
}

/* The process that reads hostile input (the container's queries, the
 * upstream's answers) keeps nothing but its fds: the unprivileged
 * "nobody" uid, no capabilities, no way back, a syscall allowlist, and it
 * dies with the monitor. */
static void
egress_drop (pid_t monitor)
{
  struct werr ignored = { 0 };
  if (geteuid () == 0
      && (caps_drop_bounding (0, &ignored) < 0 || setgroups (0, NULL) < 0
          || setresgid (EGRESS_UID, EGRESS_UID, EGRESS_UID) < 0
          || setresuid (EGRESS_UID, EGRESS_UID, EGRESS_UID) < 0))
    _exit (1);
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid () != monitor)
    _exit (1);
  if (prctl (PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL) < 0
      || egress_sandbox () < 0)
    _exit (1);
}

static __attribute__ ((noreturn)) void
egress_main (struct monitor_dns *d, pid_t monitor)
{
  egress_start (d);
  egress_drop (monitor);
  for (;;)
    {
      struct pollfd p[MONITOR_DNS_MAX_FDS];
      size_t n = egress_fds (d, p, MONITOR_DNS_MAX_FDS);
      if (poll (p, n, egress_wait (d)) < 0 && errno != EINTR)
        _exit (1);
      egress_handle (d, p, n);
    }
}

void
monitor_dns_park (struct monitor_dns *d)
{
  if (d == NULL)
    return;
  pid_t monitor = getpid ();
  /* Without it egress by name stays closed; the timeout still runs. */
  if (fork () == 0)
    egress_main (d, monitor);
}

/* ---- refusal records → audit lines ------------------------------------ */

static bool
seen_recently (struct monitor_dns *d, const struct egress_event *ev)
{
  uint64_t h = 14695981039346656037ULL;
  const uint8_t *b = (const uint8_t *) ev;
  for (size_t i = 0; i < sizeof *ev; i++)
    h = (h ^ b[i]) * 1099511628211ULL;
  uint64_t now = egress_now_ns ();
  for (size_t i = 0; i < SEEN_SLOTS; i++)
    if (d->seen[i].hash == h && now - d->seen[i].when < SEEN_WINDOW_NS)
      return true;
  d->seen[d->seen_next] = (struct seen){ h, now };
  d->seen_next = (d->seen_next + 1) % SEEN_SLOTS;
  return false;
}

static const char *
proto_name (unsigned bit)
{
  return bit == POL_PROTO_TCP ? "tcp" : bit == POL_PROTO_UDP ? "udp" : "icmp";
}

/* Which deny prefix refused it (the longest, as the program does). */
static void
deny_detail (const struct plan_net *n, const struct egress_event *ev, char *buf,
             size_t len)
{
  struct pol_cidr host
      = { .family = ev->family, .len = ev->family == AF_INET ? 32 : 128 };
  memcpy (host.addr, ev->addr, ev->family == AF_INET ? 4 : 16);
  const struct plan_prefix *best = NULL;
  for (size_t i = 0; i < n->n_deny; i++)
    if (pol_cidr_contains (&n->deny[i].cidr, &host)
        && (best == NULL || n->deny[i].cidr.len > best->cidr.len))
      best = &n->deny[i];
  char c[64] = "?";
  if (best)
    pol_cidr_format (&best->cidr, c, sizeof c);
  snprintf (buf, len, "denied: %s", c);
}

static const char *
default_detail (const struct monitor_dns *d, const struct egress_event *ev)
{
  int fd = ev->family == AF_INET ? d->rt->name4 : d->rt->name6;
  struct egress_name_value v;
  if (fd < 0)
    return "no rule allows it";
  if (egress_rt_lookup (d->rt, ev->family, ev->addr, &v) < 0)
    return "no rule or allowed name covers it";
  uint64_t now = egress_now_ns ();
  for (uint32_t i = 0; i < v.n && i < EGRESS_NAME_RANGES; i++)
    if (v.r[i].expiry_ns > now)
      return "port or protocol not allowed for this name";
  return "the DNS answer for it expired";
}

static enum audit_action
op_action (uint8_t op)
{
  static const enum audit_action actions[]
      = { AUDIT_CONNECT, AUDIT_SENDMSG, AUDIT_ACCEPT, AUDIT_BIND };
  return op < ARRAY_SIZE (actions) ? actions[op] : AUDIT_CONNECT;
}

static void
on_event (void *ctx, const struct egress_event *ev)
{
  struct monitor_dns *d = ctx;
  if ((ev->family != AF_INET && ev->family != AF_INET6)
      || seen_recently (d, ev))
    return;
  struct audit_event a = {
    .container_id = d->plan->id,
    .agent = d->plan->agent,
    .action = op_action (ev->op),
    .verdict = ev->audit ? AUDIT_ALLOWED_AUDIT : AUDIT_DENIED,
    .family = ev->family,
    .has_port = true,
    .port = ev->port,
    .protocol = proto_name (ev->proto),
  };
  memcpy (a.addr, ev->addr, sizeof a.addr);
  a.name = name_of (d, ev->family, ev->addr);
  char detail[96];
  switch (ev->reason)
    {
    case EGRESS_DENY_RULE:
      a.rule = "network.egress.deny";
      deny_detail (&d->plan->net, ev, detail, sizeof detail);
      a.detail = detail;
      break;
    case EGRESS_DENY_LOOPBACK:
      a.rule = "network.ingress.hostLoopback";
      a.detail = "the host's loopback";
      break;
    case EGRESS_DENY_INGRESS:
      a.rule = "network.ingress.default";
      a.detail = ev->op == 3 ? "a fixed port on a non-loopback address"
                             : "a connection from outside to a listening "
                               "socket";
      break;
    default:
      a.rule = "network.egress.default";
      a.detail = default_detail (d, ev);
      break;
    }
  audit_event (d->audit, &a);
}

/* ---- live update ----------------------------------------------------- */

struct recheck
{
  struct monitor_dns *d;
  struct dns_rules rules;
  uint64_t now;
};

/* A name entry stays only if ward knows the name it was answered for and
 * the new rules still allow that name; its ports become the new rules'. */
static int
recheck_one (void *ctx, int family, const void *addr,
             struct egress_name_value *v)
{
  struct recheck *c = ctx;
  const char *name = name_of (c->d, family, addr);
  if (name == NULL || dns_rules_denied (&c->rules, name))
    return -1;
  uint64_t expiry = 0;
  for (uint32_t i = 0; i < v->n && i < EGRESS_NAME_RANGES; i++)
    if (v->r[i].expiry_ns > expiry)
      expiry = v->r[i].expiry_ns;
  struct plan_portset ports = { 0 };
  size_t cursor = 0;
  const struct dns_rule *rule;
  while ((rule = dns_rules_next_allow (&c->rules, name, &cursor)))
    {
      const struct plan_portset *s = rule->data;
      for (uint32_t k = 0; k < s->n; k++)
        plan_portset_add (&ports, &s->r[k]);
    }
  if (ports.n == 0 || expiry <= c->now
      || egress_name_value_set (v, &ports, expiry) < 0)
    return -1;
  return 1;
}

static int
apply_update (struct monitor_dns *d, struct live_rules *r, struct werr *err)
{
  struct live_rules *old = d->rules;
  if (d->filter && dns_filter_set_rules (d->filter, r->v, r->n, err) < 0)
    return -1;
  if (egress_rt_replace_prefixes (d->rt, old ? old->allow : NULL,
                                  old ? old->n_allow : 0,
                                  old ? old->deny : NULL, old ? old->n_deny : 0,
                                  r->allow, r->n_allow, r->deny, r->n_deny, err)
      < 0)
    {
      /* `r` is freed on failure: the resolver must not keep pointing in. */
      struct werr ignored = { 0 };
      if (d->filter && old)
        dns_filter_set_rules (d->filter, old->v, old->n, &ignored);
      return -1;
    }
  struct recheck c = { .d = d, .now = egress_now_ns () };
  if (dns_rules_init (&c.rules, r->v, r->n, err) < 0)
    {
      egress_rt_clear_names (d->rt);
      return -1;
    }
  egress_rt_walk (d->rt, recheck_one, &c);
  dns_rules_clear (&c.rules);
  return 0;
}

static void
monitor_dns_update (struct monitor_dns *d)
{
  int conn = -1;
  char *msg = NULL;
  if (live_update_receive (d->control, &conn, &msg) <= 0)
    return;
  struct live_rules *r = NULL;
  struct werr err = { 0 };
  char reply[WERR_MSG_MAX + 16] = "ok";
  if (live_rules_parse (msg, &r, &err) < 0 || apply_update (d, r, &err) < 0)
    {
      snprintf (reply, sizeof reply, "error: %s", err.msg);
      live_rules_free (r);
    }
  else
    {
      live_rules_free (d->rules);
      d->rules = r;
    }
  free (msg);
  live_update_reply (conn, reply);
}

/* ---- parent side, clean-up -------------------------------------------- */

static void
sibling_remove (const char *dir)
{
  _cleanup_free_ char *kill_path = xasprintf ("%s/cgroup.kill", dir);
  int fd = open (kill_path, O_WRONLY | O_CLOEXEC);
  if (fd >= 0)
    {
      if (write (fd, "1", 1) < 0)
        {
          /* an empty or removed cgroup: nothing to kill */
        }
      close (fd);
    }
  for (int attempt = 0; attempt < 40; attempt++)
    {
      if (rmdir (dir) == 0 || errno == ENOENT)
        return;
      if (errno != EBUSY)
        return;
      usleep (25000);
    }
}

void
monitor_dns_release (struct monitor_dns *d, bool failed)
{
  if (d == NULL)
    return;
  int fds[] = { d->udp, d->tcp, d->audit_fd, d->cg_procs, d->control };
  for (size_t i = 0; i < ARRAY_SIZE (fds); i++)
    if (fds[i] >= 0)
      close (fds[i]);
  if (failed && d->cg_dir)
    sibling_remove (d->cg_dir);
  live_rules_free (d->rules);
  free (d->cg_dir);
  free (d);
}

void
policy_monitor_cleanup (const struct cgroup_mgr *cgroup)
{
  const char *path = cgroup_unified_path (cgroup);
  if (path == NULL)
    return;
  _cleanup_free_ char *dir = xasprintf ("%s%s", path, MONITOR_CGROUP_SUFFIX);
  sibling_remove (dir);
}

bool
policy_monitor_alive (const struct cgroup_mgr *cgroup)
{
  const char *path = cgroup_unified_path (cgroup);
  if (path == NULL)
    return false;
  _cleanup_free_ char *procs
      = xasprintf ("%s%s/cgroup.procs", path, MONITOR_CGROUP_SUFFIX);
  char buf[16];
  _cleanup_close_ int fd = open (procs, O_RDONLY | O_CLOEXEC);
  return fd >= 0 && read (fd, buf, sizeof buf) > 0;
}

void
policy_state_annotations (struct oci_kvv *ann, const struct cgroup_mgr *cgroup,
                          const char *status)
{
  static const char running[] = "dns-filter=running";
  for (size_t i = 0; i < ann->n; i++)
    {
      char *v = ann->v[i].value, *at;
      if (strcmp (ann->v[i].key, POLICY_ANN_ENFORCED) != 0 || v == NULL
          || (at = strstr (v, running)) == NULL)
        continue;
      const char *now = strcmp (status, "stopped") == 0 ? "stopped"
                        : policy_monitor_alive (cgroup) ? NULL
                                                        : "dead";
      if (now == NULL)
        return;
      /* Egress by name fails closed without its monitor: say so. */
      ann->v[i].value = xasprintf ("%.*sdns-filter=%s%s", (int) (at - v), v,
                                   now, at + strlen (running));
      free (v);
      return;
    }
}
