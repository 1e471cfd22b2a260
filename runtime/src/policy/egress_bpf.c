/* ward — egress and ingress by address: cgroup BPF programs, assembled by
 * hand (no compiler at build time), attached to the container's cgroup2
 * directory before its init runs.
 *
 *   connect4, sendmsg4   (BPF_CGROUP_INET4_CONNECT, BPF_CGROUP_UDP4_SENDMSG)
 *   connect6, sendmsg6   (…INET6_CONNECT, …UDP6_SENDMSG; v4-mapped
 *                         addresses are looked up as IPv4: they are IPv4
 *                         on the wire)
 *   bind4, bind6         (ingress deny: a non-loopback address with a
 *                         fixed port is refused)
 *   icmp                 (BPF_CGROUP_INET_EGRESS, cgroup_skb: packets of
 *                         ping sockets, which the hooks above never see,
 *                         by the destination in their IP header)
 *   ingress              (BPF_CGROUP_INET_INGRESS, cgroup_skb: inbound
 *                         connection attempts to any listener, from
 *                         anywhere but the loopback device)
 *
 * Each egress program: loopback → the plan's loopback verdict; the deny
 * LPM trie (longest prefix), and if its port set matches protocol and
 * destination port → 0 (the syscall fails with EPERM); the allow trie
 * likewise → 1; then, for egress by host name, the name map of the
 * family (egress_names.h: exact addresses with expiring port ranges,
 * counted only while the monitor's egress process is alive) → 1; else the
 * default.  A refusal also goes to a ring buffer the monitor turns into
 * audit lines.  Trie values are struct plan_portset.
 * The programs are attached with BPF_F_ALLOW_MULTI, so an engine's own
 * programs still run (every program must allow).  They stay attached until
 * the cgroup is removed; the maps live as long as the programs.
 *
 * Sockets a process got from outside the cgroup (created before it
 * entered, or passed in with --preserve-fds) are judged by the cgroup of
 * their creator: see docs/policy.md. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "egress_names.h"
#include "plan.h"
#include "policy.h"
#include "utils.h"
#include "ward/cleanup.h"

#define MAX_INSNS 4096
#define MAX_LABELS 512
#define MAX_FIXUPS 2048
#define ALLOW_MAP_SPARE 65536 /* room for prefixes a live update adds */

/* ---- a tiny assembler ------------------------------------------------ */

struct asm_
{
  struct bpf_insn insn[MAX_INSNS];
  int n;
  int label[MAX_LABELS]; /* instruction index, -1 until placed */
  struct
  {
    int at, label;
  } fix[MAX_FIXUPS];
  int n_fix;
  bool overflow;
};

static void
emit (struct asm_ *a, uint8_t code, uint8_t dst, uint8_t src, int16_t off,
      int32_t imm)
{
  if (a->n >= MAX_INSNS)
    {
      a->overflow = true;
      return;
    }
  a->insn[a->n++] = (struct bpf_insn){
    .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm
  };
}

static int
new_label (struct asm_ *a)
{
  for (int i = 0; i < MAX_LABELS; i++)
    if (a->label[i] == -2)
      {
        a->label[i] = -1;
        return i;
      }
  a->overflow = true;
  return 0;
}

static void
place (struct asm_ *a, int label)
{
  a->label[label] = a->n;
}

/* A jump to `label`: code is BPF_JMP|op|BPF_K or BPF_X, or BPF_JA. */
static void
jump (struct asm_ *a, uint8_t code, uint8_t dst, uint8_t src, int32_t imm,
      int label)
{
  if (a->n_fix >= MAX_FIXUPS)
    {
      a->overflow = true;
      return;
    }
  a->fix[a->n_fix].at = a->n;
  a->fix[a->n_fix++].label = label;
  emit (a, code, dst, src, 0, imm);
}

static int
resolve (struct asm_ *a)
{
  if (a->overflow)
    return -1;
  for (int i = 0; i < a->n_fix; i++)
    {
      int target = a->label[a->fix[i].label];
      if (target < 0)
        return -1;
      a->insn[a->fix[i].at].off = (int16_t) (target - a->fix[i].at - 1);
    }
  return 0;
}

#define R0 BPF_REG_0
#define R1 BPF_REG_1
#define R2 BPF_REG_2
#define R6 BPF_REG_6
#define R7 BPF_REG_7
#define R8 BPF_REG_8
#define R9 BPF_REG_9
#define FP BPF_REG_10

static void
mov_imm (struct asm_ *a, uint8_t dst, int32_t imm)
{
  emit (a, BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}

static void
ld_ctx (struct asm_ *a, uint8_t dst, int16_t off)
{
  emit (a, BPF_LDX | BPF_MEM | BPF_W, dst, R6, off, 0);
}

static void
ret (struct asm_ *a, int32_t v)
{
  mov_imm (a, R0, v);
  emit (a, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static void
ld_map (struct asm_ *a, uint8_t dst, int fd)
{
  emit (a, BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, fd);
  emit (a, 0, 0, 0, 0, 0);
}

/* r0 = value pointer, r7 = port, r8 = protocol bit: jump to `match` when a
 * range of the set matches. */
/* One port range of a map value at `reg`: go to `next` unless the
 * protocol bit in r8 is among its protocols and the port in r7 lies in
 * [lo, hi].  Clobbers r2. */
static void
emit_range_check (struct asm_ *a, uint8_t reg, int16_t protos, int16_t lo,
                  int16_t hi, int next)
{
  emit (a, BPF_LDX | BPF_MEM | BPF_W, R2, reg, protos, 0);
  emit (a, BPF_ALU64 | BPF_AND | BPF_X, R2, R8, 0, 0);
  jump (a, BPF_JMP | BPF_JEQ | BPF_K, R2, 0, 0, next);
  emit (a, BPF_LDX | BPF_MEM | BPF_H, R2, reg, lo, 0);
  jump (a, BPF_JMP | BPF_JGT | BPF_X, R2, R7, 0, next);
  emit (a, BPF_LDX | BPF_MEM | BPF_H, R2, reg, hi, 0);
  jump (a, BPF_JMP | BPF_JLT | BPF_X, R2, R7, 0, next);
}

static void
emit_portset_check (struct asm_ *a, int match)
{
  int none = new_label (a);
  emit (a, BPF_LDX | BPF_MEM | BPF_W, R1, R0, 0, 0);
  for (int i = 0; i < PLAN_PORTSET_MAX; i++)
    {
      int next = new_label (a);
      int16_t base = (int16_t) (offsetof (struct plan_portset, r)
                                + (size_t) i * sizeof (struct plan_portrange));
      jump (a, BPF_JMP | BPF_JLE | BPF_K, R1, 0, i, none);
      emit_range_check (
          a, R0, (int16_t) (base + offsetof (struct plan_portrange, protos)),
          (int16_t) (base + offsetof (struct plan_portrange, lo)),
          (int16_t) (base + offsetof (struct plan_portrange, hi)), next);
      jump (a, BPF_JMP | BPF_JA, 0, 0, 0, match);
      place (a, next);
    }
  place (a, none);
}

/* Look the key at fp+key_off up in `map`; on a matching port set jump to
 * `match`. */
static void
emit_lookup (struct asm_ *a, int map, int16_t key_off, int match)
{
  int miss = new_label (a);
  ld_map (a, R1, map);
  emit (a, BPF_ALU64 | BPF_MOV | BPF_X, R2, FP, 0, 0);
  emit (a, BPF_ALU64 | BPF_ADD | BPF_K, R2, 0, 0, key_off);
  emit (a, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
  jump (a, BPF_JMP | BPF_JEQ | BPF_K, R0, 0, 0, miss);
  emit_portset_check (a, match);
  place (a, miss);
}

/* r7 = destination port (host order), r8 = protocol bit. */
static void
emit_port_proto (struct asm_ *a)
{
  int tcp = new_label (a), udp = new_label (a), done = new_label (a);
  ld_ctx (a, R7, offsetof (struct bpf_sock_addr, user_port));
  emit (a, BPF_ALU | BPF_END | BPF_TO_BE, R7, 0, 0, 16);
  ld_ctx (a, R2, offsetof (struct bpf_sock_addr, protocol));
  mov_imm (a, R8, POL_PROTO_OTHER);
  jump (a, BPF_JMP | BPF_JEQ | BPF_K, R2, 0, IPPROTO_TCP, tcp);
  jump (a, BPF_JMP | BPF_JEQ | BPF_K, R2, 0, IPPROTO_UDP, udp);
  jump (a, BPF_JMP | BPF_JA, 0, 0, 0, done);
  place (a, tcp);
  mov_imm (a, R8, POL_PROTO_TCP);
  jump (a, BPF_JMP | BPF_JA, 0, 0, 0, done);
  place (a, udp);
  mov_imm (a, R8, POL_PROTO_UDP);
  place (a, done);
}

struct egress_maps
{
  int allow4, deny4, allow6, deny6;
  /* Egress by host name and the audit of refusals (egress_names.h). */
  const struct egress_rt *rt;
  const struct plan_net *n;
  int op;     /* 0 connect, 1 sendmsg: for the event record */
  bool audit; /* log a refusal, then let it through */
};

/* ---- egress by host name and refusal events (egress_names.h) -------- */

#define EV_OFF (-64)    /* the event record on the stack */
#define ALIVE_KEY (-24) /* u32 0, the alive slot's key */
#define ALIVE_TMP (-32) /* u64 */

/* The event record: zeroed, then port, protocol, operation, audit. */
static void
emit_event_init (struct asm_ *a, const struct egress_maps *m)
{
  for (int i = 0; i < EGRESS_EV_SIZE; i += 8)
    emit (a, BPF_ST | BPF_MEM | BPF_DW, FP, 0, (int16_t) (EV_OFF + i), 0);
  emit (a, BPF_STX | BPF_MEM | BPF_H, FP, R7, EV_OFF + EGRESS_EV_PORT, 0);
  emit (a, BPF_STX | BPF_MEM | BPF_B, FP, R8, EV_OFF + EGRESS_EV_PROTO, 0);
  emit (a, BPF_ST | BPF_MEM | BPF_B, FP, 0, EV_OFF + EGRESS_EV_OP, m->op);
  emit (a, BPF_ST | BPF_MEM | BPF_H, FP, 0, EV_OFF + EGRESS_EV_AUDIT, m->audit);
}

/* r9 = IPv4 address: into the record (a v4-mapped one replaces the v6). */
static void
emit_event_addr4 (struct asm_ *a)
{
  emit (a, BPF_ST | BPF_MEM | BPF_B, FP, 0, EV_OFF + EGRESS_EV_FAMILY, AF_INET);
  emit (a, BPF_STX | BPF_MEM | BPF_W, FP, R9, EV_OFF + EGRESS_EV_ADDR, 0);
  for (int i = 4; i < 16; i += 4)
    emit (a, BPF_ST | BPF_MEM | BPF_W, FP, 0,
          (int16_t) (EV_OFF + EGRESS_EV_ADDR + i), 0);
}

/* The IPv6 address at fp-16: into the record. */
static void
emit_event_addr6 (struct asm_ *a)
{
  emit (a, BPF_ST | BPF_MEM | BPF_B, FP, 0, EV_OFF + EGRESS_EV_FAMILY,
        AF_INET6);
  for (int i = 0; i < 4; i++)
    {
      emit (a, BPF_LDX | BPF_MEM | BPF_W, R2, FP, (int16_t) (-16 + 4 * i), 0);
      emit (a, BPF_STX | BPF_MEM | BPF_W, FP, R2,
            (int16_t) (EV_OFF + EGRESS_EV_ADDR + 4 * i), 0);
    }
}

/* A refusal: the record to the ring buffer (if full, it is lost), then
 * EPERM, or success in audit mode. */
static void
emit_refuse (struct asm_ *a, const struct egress_maps *m, int reason)
{
  if (m->rt && m->rt->events >= 0)
    {
      emit (a, BPF_ST | BPF_MEM | BPF_B, FP, 0, EV_OFF + EGRESS_EV_REASON,
            reason);
      ld_map (a, R1, m->rt->events);
      emit (a, BPF_ALU64 | BPF_MOV | BPF_X, R2, FP, 0, 0);
      emit (a, BPF_ALU64 | BPF_ADD | BPF_K, R2, 0, 0, EV_OFF);
      mov_imm (a, BPF_REG_3, EGRESS_EV_SIZE);
      mov_imm (a, BPF_REG_4, 0);
      emit (a, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_output);
    }
  ret (a, m->audit ? 1 : 0);
}

/* The container's resolver in the host's network namespace (127.x.y.z:53,
 * TCP or UDP) is reachable even where the host's loopback is not. */
struct verdicts;
static void emit_resolver_check (struct asm_ *a, const struct egress_maps *m,
                                 const struct verdicts *v);

/* Look the key at fp+key_off up in a name map: a range matching port and
 * protocol whose expiry is still ahead, while the monitor is alive, jumps
 * to `match`.  Clobbers r9. */
static void
emit_name_lookup (struct asm_ *a, const struct egress_maps *m, int map,
                  int16_t key_off, int match)
{
  if (map < 0 || m->rt->alive < 0)
    return;
  int miss = new_label (a);
  ld_map (a, R1, map);
  emit (a, BPF_ALU64 | BPF_MOV | BPF_X, R2, FP, 0, 0);
  emit (a, BPF_ALU64 | BPF_ADD | BPF_K, R2, 0, 0, key_off);
  emit (a, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
  jump (a, BPF_JMP | BPF_JEQ | BPF_K, R0, 0, 0, miss);
  emit (a, BPF_ALU64 | BPF_MOV | BPF_X, R9, R0, 0, 0);
  /* A dead monitor re-opens nothing: its entries stop counting. */
  emit (a, BPF_ST | BPF_MEM | BPF_W, FP, 0, ALIVE_KEY, 0);
  ld_map (a, R1, m->rt->alive);
  emit (a, BPF_ALU64 | BPF_MOV | BPF_X, R2, FP, 0, 0);
  emit (a, BPF_ALU64 | BPF_ADD | BPF_K, R2, 0, 0, ALIVE_KEY);
  emit (a, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
  jump (a, BPF_JMP | BPF_JEQ | BPF_K, R0, 0, 0, miss);
  emit (a, BPF_LDX | BPF_MEM | BPF_DW, R1, R0, 0, 0);
  emit (a, BPF_STX | BPF_MEM | BPF_DW, FP, R1, ALIVE_TMP, 0);
  emit (a, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ktime_get_ns);
  emit (a, BPF_LDX | BPF_MEM | BPF_DW, R1, FP, ALIVE_TMP, 0);
  jump (a, BPF_JMP | BPF_JLE | BPF_X, R1, R0, 0, miss);
  /* r0 = now, r9 = value, r1 = number of ranges. */
  emit (a, BPF_LDX | BPF_MEM | BPF_W, R1, R9, 0, 0);
  for (int i = 0; i < EGRESS_NAME_RANGES; i++)
    {
      int next = new_label (a);
      int16_t base
          = (int16_t) (offsetof (struct egress_name_value, r)
                       + (size_t) i * sizeof (struct egress_name_range));
      jump (a, BPF_JMP | BPF_JLE | BPF_K, R1, 0, i, miss);
      emit_range_check (
          a, R9, (int16_t) (base + offsetof (struct egress_name_range, protos)),
          (int16_t) (base + offsetof (struct egress_name_range, lo)),
          (int16_t) (base + offsetof (struct egress_name_range, hi)), next);
      emit (a, BPF_LDX | BPF_MEM | BPF_DW, R2, R9,
            (int16_t) (base + offsetof (struct egress_name_range, expiry_ns)),
            0);
      jump (a, BPF_JMP | BPF_JLE | BPF_X, R2, R0, 0, next);
      jump (a, BPF_JMP | BPF_JA, 0, 0, 0, match);
      place (a, next);
    }
  place (a, miss);
}

struct verdicts
{
  int allow, deny, loopback, deflt; /* labels */
};

/* r9 = IPv4 address (network order): loopback, then the v4 maps. */
static void
emit_v4 (struct asm_ *a, const struct egress_maps *m, const struct verdicts *v)
{
  uint32_t mask = htonl (0xff000000u), lo = htonl (0x7f000000u);
  emit_event_addr4 (a);
  emit_resolver_check (a, m, v);
  emit (a, BPF_ALU64 | BPF_MOV | BPF_X, R2, R9, 0, 0);
  emit (a, BPF_ALU64 | BPF_AND | BPF_K, R2, 0, 0, (int32_t) mask);
  jump (a, BPF_JMP | BPF_JEQ | BPF_K, R2, 0, (int32_t) lo, v->loopback);
  emit (a, BPF_ST | BPF_MEM | BPF_W, FP, 0, -8, 32);
  emit (a, BPF_STX | BPF_MEM | BPF_W, FP, R9, -4, 0);
  emit_lookup (a, m->deny4, -8, v->deny);
  emit_lookup (a, m->allow4, -8, v->allow);
  emit_name_lookup (a, m, m->rt ? m->rt->name4 : -1, -4, v->allow);
  jump (a, BPF_JMP | BPF_JA, 0, 0, 0, v->deflt);
}

static void
emit_resolver_check (struct asm_ *a, const struct egress_maps *m,
                     const struct verdicts *v)
{
  const struct plan_net *n = m->n;
  if (!n->names || n->loopback_private)
    return;
  int skip = new_label (a);
  uint32_t addr;
  memcpy (&addr, n->resolver4, 4);
  /* 32-bit compares: a 64-bit one would sign-extend the immediate. */
  jump (a, BPF_JMP32 | BPF_JNE | BPF_K, R9, 0, (int32_t) addr, skip);
  jump (a, BPF_JMP32 | BPF_JNE | BPF_K, R7, 0, 53, skip);
  jump (a, BPF_JMP | BPF_JA, 0, 0, 0, v->allow);
  place (a, skip);
}

static void
emit_verdicts (struct asm_ *a, const struct verdicts *v,
               const struct egress_maps *m)
{
  const struct plan_net *n = m->n;
  place (a, v->allow);
  ret (a, 1);
  place (a, v->deny);
  emit_refuse (a, m, EGRESS_DENY_RULE);
  place (a, v->loopback);
  if (n->loopback_private || n->host_loopback_allow)
    ret (a, 1);
  else
    emit_refuse (a, m, EGRESS_DENY_LOOPBACK);
  place (a, v->deflt);
  if (n->default_allow)
    ret (a, 1);
  else
    emit_refuse (a, m, EGRESS_DENY_DEFAULT);
}

static void
asm_init (struct asm_ *a)
{
  memset (a, 0, sizeof *a);
  for (int i = 0; i < MAX_LABELS; i++)
    a->label[i] = -2;
}

static void
verdict_labels (struct asm_ *a, struct verdicts *v)
{
  v->allow = new_label (a);
  v->deny = new_label (a);
  v->loopback = new_label (a);
  v->deflt = new_label (a);
}

static int
build_egress4 (struct asm_ *a, const struct egress_maps *m)
{
  struct verdicts v;
  asm_init (a);
  verdict_labels (a, &v);
  emit (a, BPF_ALU64 | BPF_MOV | BPF_X, R6, R1, 0, 0);
  emit_port_proto (a);
  emit_event_init (a, m);
  ld_ctx (a, R9, offsetof (struct bpf_sock_addr, user_ip4));
  emit_v4 (a, m, &v);
  emit_verdicts (a, &v, m);
  return resolve (a);
}

/* The IPv6 destination at fp-16 (key at fp-20 with its prefix length):
 * into the record; v4-mapped ones (when `mapped` may occur) as IPv4; ::1
 * as loopback; then the v6 maps. */
static void
emit_v6 (struct asm_ *a, const struct egress_maps *m, const struct verdicts *v,
         bool mapped)
{
  int not_mapped = new_label (a), not_lo = new_label (a);
  emit_event_addr6 (a);
  if (mapped)
    {
      /* ::ffff:a.b.c.d is IPv4 on the wire. */
      for (int i = 0; i < 2; i++)
        {
          emit (a, BPF_LDX | BPF_MEM | BPF_W, R2, FP, (int16_t) (-16 + 4 * i),
                0);
          jump (a, BPF_JMP | BPF_JNE | BPF_K, R2, 0, 0, not_mapped);
        }
      emit (a, BPF_LDX | BPF_MEM | BPF_W, R2, FP, -8, 0);
      /* 32-bit: a 64-bit compare would sign-extend 0xffff0000. */
      jump (a, BPF_JMP32 | BPF_JNE | BPF_K, R2, 0, (int32_t) htonl (0xffffu),
            not_mapped);
      emit (a, BPF_LDX | BPF_MEM | BPF_W, R9, FP, -4, 0);
      emit_v4 (a, m, v);
    }
  place (a, not_mapped);
  /* ::1 */
  for (int i = 0; i < 3; i++)
    {
      emit (a, BPF_LDX | BPF_MEM | BPF_W, R2, FP, (int16_t) (-16 + 4 * i), 0);
      jump (a, BPF_JMP | BPF_JNE | BPF_K, R2, 0, 0, not_lo);
    }
  emit (a, BPF_LDX | BPF_MEM | BPF_W, R2, FP, -4, 0);
  jump (a, BPF_JMP | BPF_JEQ | BPF_K, R2, 0, (int32_t) htonl (1), v->loopback);
  place (a, not_lo);
  emit_lookup (a, m->deny6, -20, v->deny);
  emit_lookup (a, m->allow6, -20, v->allow);
  emit_name_lookup (a, m, m->rt ? m->rt->name6 : -1, -16, v->allow);
  jump (a, BPF_JMP | BPF_JA, 0, 0, 0, v->deflt);
}

/* The sock_addr's IPv6 address (r6 is the context) to fp-16. */
static void
emit_user_ip6 (struct asm_ *a)
{
  const int16_t ip6 = offsetof (struct bpf_sock_addr, user_ip6);
  for (int i = 0; i < 4; i++)
    {
      ld_ctx (a, R2, (int16_t) (ip6 + 4 * i));
      emit (a, BPF_STX | BPF_MEM | BPF_W, FP, R2, (int16_t) (-16 + 4 * i), 0);
    }
}

static int
build_egress6 (struct asm_ *a, const struct egress_maps *m)
{
  struct verdicts v;
  asm_init (a);
  verdict_labels (a, &v);
  emit (a, BPF_ALU64 | BPF_MOV | BPF_X, R6, R1, 0, 0);
  emit_port_proto (a);
  emit_event_init (a, m);
  emit (a, BPF_ST | BPF_MEM | BPF_W, FP, 0, -20, 128);
  emit_user_ip6 (a);
  emit_v6 (a, m, &v, true);
  emit_verdicts (a, &v, m);
  return resolve (a);
}

/* ---- ICMP and inbound connections: cgroup_skb programs -------------- */

/* r0 = the full socket of the packet (ctx->sk), or go to `none`. */
static void
emit_full_sock (struct asm_ *a, int none)
{
  emit (a, BPF_LDX | BPF_MEM | BPF_DW, R1, R6, offsetof (struct __sk_buff, sk),
        0);
  jump (a, BPF_JMP | BPF_JEQ | BPF_K, R1, 0, 0, none);
  emit (a, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_sk_fullsock);
  jump (a, BPF_JMP | BPF_JEQ | BPF_K, R0, 0, 0, none);
}

/* `len` bytes of the packet's network header at `off` to fp+`to`; a
 * packet too short to hold them is dropped. */
static void
emit_load_header (struct asm_ *a, int32_t off, int16_t to, int32_t len)
{
  int ok = new_label (a);
  emit (a, BPF_ALU64 | BPF_MOV | BPF_X, R1, R6, 0, 0);
  mov_imm (a, R2, off);
  emit (a, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, FP, 0, 0);
  emit (a, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_3, 0, 0, to);
  mov_imm (a, BPF_REG_4, len);
  mov_imm (a, BPF_REG_5, BPF_HDR_START_NET);
  emit (a, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_skb_load_bytes_relative);
  jump (a, BPF_JMP | BPF_JEQ | BPF_K, R0, 0, 0, ok);
  ret (a, 0);
  place (a, ok);
}

/* ICMP egress (BPF_CGROUP_INET_EGRESS): connect and sendmsg hooks do not
 * see ping sockets, so their packets are judged here, by the destination
 * in the IP header, with the same maps and verdicts (protocol icmp, port
 * 0).  Packets of other sockets pass: the sock_addr programs judged them. */
static int
build_icmp (struct asm_ *a, const struct egress_maps *m)
{
  struct verdicts v;
  asm_init (a);
  verdict_labels (a, &v);
  int pass = new_label (a), icmp = new_label (a), six = new_label (a);
  emit (a, BPF_ALU64 | BPF_MOV | BPF_X, R6, R1, 0, 0);
  emit_full_sock (a, pass);
  emit (a, BPF_LDX | BPF_MEM | BPF_W, R2, R0,
        offsetof (struct bpf_sock, protocol), 0);
  emit (a, BPF_LDX | BPF_MEM | BPF_W, R9, R0,
        offsetof (struct bpf_sock, family), 0);
  jump (a, BPF_JMP | BPF_JEQ | BPF_K, R2, 0, IPPROTO_ICMP, icmp);
  jump (a, BPF_JMP | BPF_JEQ | BPF_K, R2, 0, IPPROTO_ICMPV6, icmp);
  jump (a, BPF_JMP | BPF_JA, 0, 0, 0, pass);
  place (a, icmp);
  mov_imm (a, R7, 0);
  mov_imm (a, R8, POL_PROTO_OTHER);
  emit_event_init (a, m);
  jump (a, BPF_JMP | BPF_JEQ | BPF_K, R9, 0, AF_INET6, six);
  emit_load_header (a, 16, -4, 4); /* IPv4 destination */
  emit (a, BPF_LDX | BPF_MEM | BPF_W, R9, FP, -4, 0);
  emit_v4 (a, m, &v);
  place (a, six);
  emit_load_header (a, 24, -16, 16); /* IPv6 destination */
  emit (a, BPF_ST | BPF_MEM | BPF_W, FP, 0, -20, 128);
  emit_v6 (a, m, &v, false);
  emit_verdicts (a, &v, m);
  place (a, pass);
  ret (a, 1);
  return resolve (a);
}

/* Ingress deny (BPF_CGROUP_INET_INGRESS): a packet for a listening TCP
 * socket of the container — a connection attempt — that did not come
 * through the loopback device of the container's network namespace is
 * dropped, whatever port or address the listener is bound to. */
static int
build_ingress (struct asm_ *a, const struct egress_maps *m)
{
  asm_init (a);
  int allow = new_label (a), six = new_label (a), drop = new_label (a);
  emit (a, BPF_ALU64 | BPF_MOV | BPF_X, R6, R1, 0, 0);
  ld_ctx (a, R2, offsetof (struct __sk_buff, ingress_ifindex));
  jump (a, BPF_JMP | BPF_JEQ | BPF_K, R2, 0, 1 /* LOOPBACK_IFINDEX */, allow);
  emit_full_sock (a, allow);
  emit (a, BPF_LDX | BPF_MEM | BPF_W, R2, R0,
        offsetof (struct bpf_sock, protocol), 0);
  jump (a, BPF_JMP | BPF_JNE | BPF_K, R2, 0, IPPROTO_TCP, allow);
  emit (a, BPF_LDX | BPF_MEM | BPF_W, R2, R0, offsetof (struct bpf_sock, state),
        0);
  jump (a, BPF_JMP | BPF_JNE | BPF_K, R2, 0, BPF_TCP_LISTEN, allow);
  /* The record: the listener's port, the peer's address. */
  emit (a, BPF_LDX | BPF_MEM | BPF_W, R7, R0,
        offsetof (struct bpf_sock, src_port), 0);
  emit (a, BPF_LDX | BPF_MEM | BPF_W, R9, R0,
        offsetof (struct bpf_sock, family), 0);
  mov_imm (a, R8, POL_PROTO_TCP);
  emit_event_init (a, m);
  jump (a, BPF_JMP | BPF_JEQ | BPF_K, R9, 0, AF_INET6, six);
  emit_load_header (a, 12, -4, 4); /* IPv4 source */
  emit (a, BPF_LDX | BPF_MEM | BPF_W, R9, FP, -4, 0);
  emit_event_addr4 (a);
  jump (a, BPF_JMP | BPF_JA, 0, 0, 0, drop);
  place (a, six);
  emit_load_header (a, 8, -16, 16); /* IPv6 source */
  emit_event_addr6 (a);
  place (a, drop);
  emit_refuse (a, m, EGRESS_DENY_INGRESS);
  place (a, allow);
  ret (a, 1);
  return resolve (a);
}

/* Ingress deny: binding a fixed port on anything but loopback → EPERM,
 * recorded like an egress refusal (operation 3, bind). */
static int
build_bind (struct asm_ *a, const struct egress_maps *m, bool v6)
{
  asm_init (a);
  int allow = new_label (a), deny = new_label (a);
  const int16_t ip6 = offsetof (struct bpf_sock_addr, user_ip6);
  emit (a, BPF_ALU64 | BPF_MOV | BPF_X, R6, R1, 0, 0);
  ld_ctx (a, R7, offsetof (struct bpf_sock_addr, user_port));
  jump (a, BPF_JMP | BPF_JEQ | BPF_K, R7, 0, 0, allow);
  if (!v6)
    {
      ld_ctx (a, R2, offsetof (struct bpf_sock_addr, user_ip4));
      emit (a, BPF_ALU64 | BPF_AND | BPF_K, R2, 0, 0,
            (int32_t) htonl (0xff000000u));
      jump (a, BPF_JMP | BPF_JEQ | BPF_K, R2, 0, (int32_t) htonl (0x7f000000u),
            allow);
    }
  else
    {
      for (int i = 0; i < 3; i++)
        {
          ld_ctx (a, R2, (int16_t) (ip6 + 4 * i));
          jump (a, BPF_JMP | BPF_JNE | BPF_K, R2, 0, 0, deny);
        }
      ld_ctx (a, R2, (int16_t) (ip6 + 12));
      jump (a, BPF_JMP | BPF_JEQ | BPF_K, R2, 0, (int32_t) htonl (1), allow);
    }
  place (a, deny);
  /* The record: the address and port asked for. */
  emit_port_proto (a);
  emit_event_init (a, m);
  if (!v6)
    {
      ld_ctx (a, R9, offsetof (struct bpf_sock_addr, user_ip4));
      emit_event_addr4 (a);
    }
  else
    {
      emit_user_ip6 (a);
      emit_event_addr6 (a);
    }
  emit_refuse (a, m, EGRESS_DENY_INGRESS);
  place (a, allow);
  ret (a, 1);
  return resolve (a);
}

/* ---- bpf(2) ---------------------------------------------------------- */

static int
bpf (int cmd, union bpf_attr *attr)
{
  return (int) syscall (SYS_bpf, cmd, attr, sizeof *attr);
}

static int
map_create (const char *name, uint32_t key_size, uint32_t entries,
            struct werr *err)
{
  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.map_type = BPF_MAP_TYPE_LPM_TRIE;
  attr.key_size = key_size;
  attr.value_size = sizeof (struct plan_portset);
  attr.max_entries = entries;
  attr.map_flags = BPF_F_NO_PREALLOC;
  strncpy (attr.map_name, name, sizeof attr.map_name - 1);
  int fd = bpf (BPF_MAP_CREATE, &attr);
  if (fd < 0)
    return werr_set (err, errno, "policy: bpf map `%s`", name);
  return fd;
}

static int
map_fill (int fd, const struct plan_prefix *v, size_t n, int family,
          struct werr *err)
{
  for (size_t i = 0; i < n; i++)
    {
      if (v[i].cidr.family != family)
        continue;
      struct
      {
        uint32_t len;
        uint8_t addr[16];
      } key = { .len = v[i].cidr.len };
      memcpy (key.addr, v[i].cidr.addr, sizeof key.addr);
      union bpf_attr attr;
      memset (&attr, 0, sizeof attr);
      attr.map_fd = (uint32_t) fd;
      attr.key = (uint64_t) (uintptr_t) &key;
      attr.value = (uint64_t) (uintptr_t) &v[i].ports;
      attr.flags = BPF_ANY;
      if (bpf (BPF_MAP_UPDATE_ELEM, &attr) < 0)
        {
          char c[64];
          pol_cidr_format (&v[i].cidr, c, sizeof c);
          return werr_set (err, errno, "policy: bpf map: add %s", c);
        }
    }
  return 0;
}

static int
prog_load (struct asm_ *a, enum bpf_attach_type type, const char *what,
           struct werr *err)
{
  static char log[65536];
  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.prog_type
      = type == BPF_CGROUP_INET_EGRESS || type == BPF_CGROUP_INET_INGRESS
            ? BPF_PROG_TYPE_CGROUP_SKB
            : BPF_PROG_TYPE_CGROUP_SOCK_ADDR;
  attr.expected_attach_type = type;
  attr.insns = (uint64_t) (uintptr_t) a->insn;
  attr.insn_cnt = (uint32_t) a->n;
  attr.license = (uint64_t) (uintptr_t) "GPL";
  strncpy (attr.prog_name, what, sizeof attr.prog_name - 1);
  int fd = bpf (BPF_PROG_LOAD, &attr);
  if (fd >= 0)
    return fd;
  int e = errno;
  /* Again with the verifier's log, for the message. */
  attr.log_buf = (uint64_t) (uintptr_t) log;
  attr.log_size = sizeof log;
  attr.log_level = 1;
  log[0] = '\0';
  if ((fd = bpf (BPF_PROG_LOAD, &attr)) >= 0)
    return fd;
  char *last = strrchr (log, '\n');
  while (last && last > log && last[1] == '\0')
    {
      *last = '\0';
      last = strrchr (log, '\n');
    }
  return werr_set (err, e, "policy: load BPF program %s (%s)", what,
                   last ? last + 1 : log);
}

static int
prog_attach (int cgroup_fd, int prog, enum bpf_attach_type type,
             const char *what, const char *path, struct werr *err)
{
  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.target_fd = (uint32_t) cgroup_fd;
  attr.attach_bpf_fd = (uint32_t) prog;
  attr.attach_type = type;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf (BPF_PROG_ATTACH, &attr) < 0)
    return werr_set (err, errno, "policy: attach BPF program %s to `%s`", what,
                     path);
  return 0;
}

static int
load_and_attach (struct asm_ *a, enum bpf_attach_type type, const char *what,
                 int cgroup_fd, const char *path, struct werr *err)
{
  _cleanup_close_ int prog = prog_load (a, type, what, err);
  if (prog < 0)
    return -1;
  return prog_attach (cgroup_fd, prog, type, what, path, err);
}

static void
maps_close (struct egress_maps *m)
{
  int *fds[] = { &m->allow4, &m->deny4, &m->allow6, &m->deny6 };
  for (size_t i = 0; i < ARRAY_SIZE (fds); i++)
    if (*fds[i] >= 0)
      close (*fds[i]);
}

static int
maps_make (const struct plan_net *n, struct egress_maps *m, struct werr *err)
{
  uint32_t na = (uint32_t) n->n_allow + ALLOW_MAP_SPARE;
  uint32_t nd = (uint32_t) n->n_deny + 1;
  if ((m->allow4 = map_create ("ward_allow4", 8, na, err)) < 0
      || (m->deny4 = map_create ("ward_deny4", 8, nd, err)) < 0
      || (m->allow6 = map_create ("ward_allow6", 20, na, err)) < 0
      || (m->deny6 = map_create ("ward_deny6", 20, nd, err)) < 0)
    return -1;
  if (map_fill (m->allow4, n->allow, n->n_allow, AF_INET, err) < 0
      || map_fill (m->deny4, n->deny, n->n_deny, AF_INET, err) < 0
      || map_fill (m->allow6, n->allow, n->n_allow, AF_INET6, err) < 0
      || map_fill (m->deny6, n->deny, n->n_deny, AF_INET6, err) < 0)
    return -1;
  return 0;
}

/* Build and attach one egress program per hook. */
static int
egress_programs (struct asm_ *a, struct egress_maps *m, int cgfd,
                 const char *path, struct werr *err)
{
  static const struct
  {
    enum bpf_attach_type type;
    const char *name;
    bool v6;
    int op;
  } hooks[] = {
    { BPF_CGROUP_INET4_CONNECT, "ward_connect4", false, 0 },
    { BPF_CGROUP_UDP4_SENDMSG, "ward_sendmsg4", false, 1 },
    { BPF_CGROUP_INET6_CONNECT, "ward_connect6", true, 0 },
    { BPF_CGROUP_UDP6_SENDMSG, "ward_sendmsg6", true, 1 },
  };
  for (size_t i = 0; i < ARRAY_SIZE (hooks); i++)
    {
      m->op = hooks[i].op;
      if ((hooks[i].v6 ? build_egress6 (a, m) : build_egress4 (a, m)) < 0)
        return werr_set (err, 0,
                         "policy: assemble the %s egress program "
                         "(a bug)",
                         hooks[i].v6 ? "IPv6" : "IPv4");
      if (load_and_attach (a, hooks[i].type, hooks[i].name, cgfd, path, err)
          < 0)
        return -1;
    }
  if (!m->n->icmp)
    return 0;
  m->op = 1;
  if (build_icmp (a, m) < 0)
    return werr_set (err, 0,
                     "policy: assemble the ICMP egress program (a bug)");
  return load_and_attach (a, BPF_CGROUP_INET_EGRESS, "ward_icmp", cgfd, path,
                          err);
}

static int
attach_egress (const struct plan_net *n, int cgfd, const char *path,
               struct werr *err)
{
  struct egress_maps m = { -1, -1, -1, -1 };
  struct asm_ *a = xmalloc0 (sizeof *a);
  int r = -1;
  m.rt = n->rt;
  m.n = n;
  m.audit = !n->filter;
  if (maps_make (n, &m, err) < 0
      || egress_programs (a, &m, cgfd, path, err) < 0)
    goto out;
  /* The monitor keeps the tries for live updates. */
  if (n->rt)
    {
      n->rt->allow4 = m.allow4;
      n->rt->deny4 = m.deny4;
      n->rt->allow6 = m.allow6;
      n->rt->deny6 = m.deny6;
      m.allow4 = m.deny4 = m.allow6 = m.deny6 = -1;
    }
  r = 0;
out:
  maps_close (&m);
  free (a);
  return r;
}

/* The bind programs refuse fixed ports early with a clear EPERM; the
 * ingress program catches what they cannot see (ephemeral ports). */
static int
attach_ingress (const struct plan_net *n, int cgfd, const char *path,
                struct werr *err)
{
  struct asm_ *a = xmalloc0 (sizeof *a);
  struct egress_maps m
      = { -1, -1, -1, -1, .rt = n->rt, .n = n, .audit = !n->ingress_filter };
  int r = -1;
  for (int v6 = 0; v6 < 2; v6++)
    {
      m.op = 3;
      if (build_bind (a, &m, v6) < 0)
        {
          werr_set (err, 0, "policy: assemble the bind program (a bug)");
          goto out;
        }
      if (load_and_attach (a,
                           v6 ? BPF_CGROUP_INET6_BIND : BPF_CGROUP_INET4_BIND,
                           v6 ? "ward_bind6" : "ward_bind4", cgfd, path, err)
          < 0)
        goto out;
    }
  m.op = 2;
  if (build_ingress (a, &m) < 0)
    {
      werr_set (err, 0, "policy: assemble the ingress program (a bug)");
      goto out;
    }
  r = load_and_attach (a, BPF_CGROUP_INET_INGRESS, "ward_ingress", cgfd, path,
                       err);
out:
  free (a);
  return r;
}

int
policy_attach_cgroup (const struct policy_plan *plan,
                      const struct cgroup_mgr *cgroup, struct werr *err)
{
  const struct plan_net *n = &plan->net;
  bool ingress = n->ingress_filter || n->ingress_audit;
  if (!n->filter && !n->filter_audit && !ingress)
    return 0;
  const char *path = cgroup_unified_path (cgroup);
  if (path == NULL)
    return werr_set (err, 0,
                     "policy: network: the container has no cgroup2 "
                     "directory to attach the BPF filter to");
  _cleanup_close_ int cgfd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cgfd < 0)
    return werr_set (err, errno, "policy: open the cgroup `%s`", path);
  /* The ring buffer of refusals (and the name maps) every program uses. */
  if (n->rt && egress_rt_create_maps (n->rt, n->names, err) < 0)
    return -1;
  if ((n->filter || n->filter_audit) && attach_egress (n, cgfd, path, err) < 0)
    return -1;
  if (ingress && attach_ingress (n, cgfd, path, err) < 0)
    return -1;
  return 0;
}
