/* ward — egress by host name: the plan's host rules, the BPF maps the
 * filtering resolver fills, and the records the egress programs send to
 * the monitor (docs/egress.md).
 *
 * The kernel side: besides the LPM tries of egress_bpf.c (CIDR rules),
 * the connect4/6 and sendmsg4/6 programs look the destination up in a hash
 * map per family (address → ranges of ports, each with its own expiry in
 * CLOCK_MONOTONIC nanoseconds, the clock of bpf_ktime_get_ns()).  An entry
 * counts only while the monitor is alive: it refreshes a one-slot "alive
 * until" array every EGRESS_ALIVE_TICK_S, and the programs ignore every
 * name entry once that time has passed.  A refused connect or sendmsg is
 * written to a ring buffer the monitor reads into the audit stream. */
#ifndef WARD_POLICY_EGRESS_NAMES_H
#define WARD_POLICY_EGRESS_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ward/error.h"

struct policy_plan;
struct agent_policy;
struct plan_portset;

#define EGRESS_NAME_RANGES 16
#define EGRESS_NAME_MAP_MAX 131072 /* addresses per family */
#define EGRESS_EVENTS_BYTES (256 * 1024)
#define EGRESS_ALIVE_WINDOW_S                                                  \
  10 /* name entries die this long after the monitor */
#define EGRESS_ALIVE_TICK_S 2

/* Map value of a name entry; layout shared with the BPF programs. */
struct egress_name_range
{
  uint16_t lo, hi;
  uint32_t protos;    /* POL_PROTO_* bits */
  uint64_t expiry_ns; /* CLOCK_MONOTONIC */
};

struct egress_name_value
{
  uint32_t n;
  uint32_t pad;
  struct egress_name_range r[EGRESS_NAME_RANGES];
};

enum egress_deny_reason
{
  EGRESS_DENY_RULE = 1,     /* the deny map matched */
  EGRESS_DENY_DEFAULT = 2,  /* nothing allowed it */
  EGRESS_DENY_LOOPBACK = 3, /* the host's loopback */
  EGRESS_DENY_INGRESS = 4,  /* an inbound connection attempt */
};

/* One ring buffer record; layout shared with the BPF programs. */
struct egress_event
{
  uint8_t family; /* AF_INET or AF_INET6 */
  uint8_t proto;  /* POL_PROTO_* bit */
  uint8_t op;     /* 0 connect, 1 sendmsg, 2 accept (inbound: addr is the
                     peer, port the listener's), 3 bind */
  uint8_t reason; /* enum egress_deny_reason */
  uint16_t port;  /* host order */
  uint16_t audit; /* 1: audit mode, the program let it through */
  uint8_t addr[16];
};

#define EGRESS_EV_FAMILY 0
#define EGRESS_EV_PROTO 1
#define EGRESS_EV_OP 2
#define EGRESS_EV_REASON 3
#define EGRESS_EV_PORT 4
#define EGRESS_EV_AUDIT 6
#define EGRESS_EV_ADDR 8
#define EGRESS_EV_SIZE 24

/* The kernel objects of one container's egress filter, made by
 * policy_attach_cgroup and handed to the monitor (fds -1 when absent). */
struct egress_rt
{
  int name4, name6; /* hash: address → struct egress_name_value */
  int alive;        /* array[1] of u64: name entries count until then */
  int events;       /* ring buffer of struct egress_event */
  int allow4, deny4, allow6, deny6; /* the CIDR tries (live update) */
};

/* ---- compile (egress_names.c) ---- */

/* After the namespace and filter decisions of compile_net: the host rules
 * of the policy into plan->net.hosts, whether the resolver runs, its
 * address inside the container. */
int egress_names_compile (struct policy_plan *plan,
                          const struct agent_policy *p, struct werr *err);
/* The resolver's address in a container that shares the host's network
 * namespace: 127.64.0.1 … 127.127.255.254, from the container id. */
void egress_names_host_resolver (const char *id, uint8_t out[4]);

/* Container init, before Landlock and seccomp: a read-only
 * /etc/resolv.conf naming only the resolver, mounted over the rootfs's. */
int egress_names_apply_in_init (const struct policy_plan *plan,
                                struct werr *err);

/* `ward policy explain`: the resolver and the host rules. */
void egress_names_explain (const struct policy_plan *plan, FILE *o);

/* ---- run time (egress_names.c) ---- */

struct egress_rt *egress_rt_new (void);
void egress_rt_free (struct egress_rt *rt);
/* The name maps, the alive slot and the event ring buffer. */
int egress_rt_create_maps (struct egress_rt *rt, bool names, struct werr *err);
/* CLOCK_MONOTONIC in ns (the clock of bpf_ktime_get_ns). */
uint64_t egress_now_ns (void);
/* Name entries count until `until_ns`. */
int egress_rt_set_alive (const struct egress_rt *rt, uint64_t until_ns);
/* Allow `addr` on `ports` until now + ttl; an expiry already later stays.
 * Returns 0 or -errno (-E2BIG: no room even after a sweep). */
int egress_rt_allow (const struct egress_rt *rt, int family, const void *addr,
                     const struct plan_portset *ports, uint32_t ttl_s,
                     uint64_t now_ns);
/* The name entry of `addr`; -errno when there is none. */
int egress_rt_lookup (const struct egress_rt *rt, int family, const void *addr,
                      struct egress_name_value *out);
/* Visit every name entry: fn returns 1 (value rewritten), 0 (kept) or -1
 * (delete it).  Returns the number of entries left. */
typedef int (*egress_walk_fn) (void *ctx, int family, const void *addr,
                               struct egress_name_value *v);
size_t egress_rt_walk (const struct egress_rt *rt, egress_walk_fn fn,
                       void *ctx);
/* Drop what expired; returns the number of entries left. */
size_t egress_rt_sweep (const struct egress_rt *rt, uint64_t now_ns);
/* `ports`, each until expiry_ns.  -ENOSPC if they do not fit. */
int egress_name_value_set (struct egress_name_value *v,
                           const struct plan_portset *ports,
                           uint64_t expiry_ns);
/* Rewrite the CIDR tries from the old contents to the new. */
struct plan_prefix;
int egress_rt_replace_prefixes (
    const struct egress_rt *rt, const struct plan_prefix *old_allow,
    size_t n_old_allow, const struct plan_prefix *old_deny, size_t n_old_deny,
    const struct plan_prefix *allow, size_t n_allow,
    const struct plan_prefix *deny, size_t n_deny, struct werr *err);
/* Remove every name entry (live update: the rules changed). */
void egress_rt_clear_names (const struct egress_rt *rt);

/* The egress process's seccomp allowlist (egress_sandbox.c). */
int egress_sandbox (void);

#endif
