/* ward — the compiled policy: one plan, plain data, printable and testable
 * without root.  compile.c builds it from spec + policy + what this host
 * can do; the parent (egress_bpf.c, monitor.c) and the container init
 * (apply.c, landlock.c) carry it out; explain.c and plan_json.c print it. */
#ifndef WARD_POLICY_PLAN_H
#define WARD_POLICY_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "doc.h"
#include "ward/oci_config.h"

/* What the host can enforce (policy_host_probe fills it; tests fake it). */
struct policy_host
{
  int landlock_abi; /* 0: no Landlock */
  bool selinux;     /* SELinux enabled */
  bool cgroup_bpf;  /* cgroup2 hierarchy + privilege to attach programs */
  bool kvm;         /* /dev/kvm (no VM backend exists yet either way) */
  bool rootless;    /* euid != 0 */
};

/* ---- filesystem ----------------------------------------------------- */

/* Landlock filesystem rights (the kernel's LANDLOCK_ACCESS_FS_* bits). */
#define PLAN_FS_EXECUTE (1ULL << 0)
#define PLAN_FS_WRITE_FILE (1ULL << 1)
#define PLAN_FS_READ_FILE (1ULL << 2)
#define PLAN_FS_READ_DIR (1ULL << 3)
#define PLAN_FS_REMOVE_DIR (1ULL << 4)
#define PLAN_FS_REMOVE_FILE (1ULL << 5)
#define PLAN_FS_MAKE_CHAR (1ULL << 6)
#define PLAN_FS_MAKE_DIR (1ULL << 7)
#define PLAN_FS_MAKE_REG (1ULL << 8)
#define PLAN_FS_MAKE_SOCK (1ULL << 9)
#define PLAN_FS_MAKE_FIFO (1ULL << 10)
#define PLAN_FS_MAKE_BLOCK (1ULL << 11)
#define PLAN_FS_MAKE_SYM (1ULL << 12)
#define PLAN_FS_REFER (1ULL << 13)     /* ABI 2 */
#define PLAN_FS_TRUNCATE (1ULL << 14)  /* ABI 3 */
#define PLAN_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */

#define PLAN_FS_RO_RIGHTS                                                      \
  (PLAN_FS_EXECUTE | PLAN_FS_READ_FILE | PLAN_FS_READ_DIR)

struct plan_fs_rule
{
  char *path; /* inside the container */
  enum pol_fs_access kind;
  uint64_t access; /* rights granted beneath (0 for a denied path) */
  bool baseline;   /* ward's system baseline, not written in the policy */
  char *where;
};

struct plan_fs
{
  bool landlock;    /* a Landlock domain is applied in the init */
  int abi;          /* the ABI the rules are built for */
  uint64_t handled; /* filesystem rights the domain handles */
  /* Every path with its access, most specific last (sorted by path);
   * denied ones included (access 0).  landlock.c turns them into rules,
   * carving allowed directories around stricter entries below them. */
  struct plan_fs_rule *rules;
  size_t n_rules;
  bool scope_signal, scope_abstract_unix; /* ABI 6 */
  bool log_new_exec;                      /* ABI 7: log denials after exec */
};

/* ---- network -------------------------------------------------------- */

#define PLAN_PORTSET_MAX 16

/* The BPF map value: ranges of destination ports with protocol bits
 * (POL_PROTO_*).  Layout shared with the programs in egress_bpf.c. */
struct plan_portrange
{
  uint16_t lo, hi;
  uint32_t protos;
};

struct plan_portset
{
  uint32_t n;
  struct plan_portrange r[PLAN_PORTSET_MAX];
};

/* One LPM-trie entry: the addresses of `cidr` not covered by a longer
 * entry are matched by exactly the port sets in `ports`. */
struct plan_prefix
{
  struct pol_cidr cidr;
  struct plan_portset ports;
};

/* A host-name rule (issue 6): the filtering resolver will add each answer
 * of a matching name as a /32 or /128 entry with these ports, for the
 * answer's TTL.  Compile refuses them until the resolver exists. */
struct plan_host_rule
{
  char *pattern; /* "api.github.com" or "*.githubusercontent.com" */
  bool deny;
  struct plan_portset ports;
  char *where;
};

enum plan_netns
{
  PLAN_NETNS_BUNDLE, /* the bundle's own (new, or the engine's by path) */
  PLAN_NETNS_ADDED,  /* a new, empty one ward adds: only loopback */
  PLAN_NETNS_HOST,   /* none: the host's network */
};

struct plan_net
{
  bool restricted; /* egress is not "everything allowed" */
  bool default_allow;
  enum plan_netns netns;
  bool loopback_private; /* loopback is the container's own: always allowed */
  bool host_loopback_allow;
  bool filter;         /* BPF connect4/6 + sendmsg4/6 programs */
  bool ingress_filter; /* BPF bind4/6 and cgroup_skb ingress programs */
  bool ingress_audit;  /* audit mode: the same programs record and allow */
  bool icmp;           /* ICMP allowed somewhere: ping sockets, judged by the
                cgroup_skb egress program */
  struct plan_prefix *allow, *deny;
  size_t n_allow, n_deny;
  struct plan_host_rule *hosts;
  size_t n_hosts;
  char **dns;
  size_t n_dns;
  /* Without cgroup BPF (best_effort or port-only policies): Landlock TCP
   * connect rules and seccomp denying UDP sockets. */
  bool landlock_tcp;
  uint16_t *tcp_ports;
  size_t n_tcp_ports;
  bool deny_udp;
  /* Without cgroup BPF: ingress deny as Landlock TCP bind rules, every
   * bind refused but to port 0 (stricter than the BPF programs, which let
   * loopback binds through). */
  bool landlock_bind;
  bool deny_raw; /* seccomp: AF_PACKET, SOCK_RAW, ping sockets */
  /* Egress by host name (egress_names.c): the filtering resolver runs in
   * the monitor, listening on resolver4:53 inside the container; the BPF
   * programs also consult the name maps it fills.  filter_audit: audit
   * mode, the programs log what they would refuse and let it through. */
  bool names;
  uint8_t resolver4[4];
  bool filter_audit;
  uint32_t dns_ttl_min, dns_ttl_max; /* 0: the resolver's defaults */
  struct egress_rt *rt; /* create only: the maps handed to the monitor */
};

/* ---- the rest ------------------------------------------------------- */

struct plan_seccomp
{
  bool enabled;
  bool strict;
  bool audit;  /* SCMP_ACT_LOG instead of EPERM */
  bool log;    /* SECCOMP_FILTER_FLAG_LOG */
  char **deny; /* unconditional denials, sorted */
  size_t n_deny;
  bool deny_newuser; /* clone/unshare with CLONE_NEWUSER; clone3 → ENOSYS */
  /* The filter, in config.json's shape, loaded by seccomp.c on top of the
   * bundle's own (the kernel applies the strictest verdict of both). */
  struct oci_seccomp filter;
};

struct plan_weakening
{
  char *field;
  char *what;
};

struct policy_plan
{
  char *id;
  char *agent;
  char *profile; /* base profile, or NULL */
  char *source;  /* where the document came from, or NULL */
  enum pol_level level;
  bool best_effort;
  bool audit; /* captureDenials.mode allow */
  bool log_denials;
  struct policy_host host;

  struct plan_fs fs;
  char **masks; /* added to linux.maskedPaths */
  size_t n_masks;
  char **ro_remounts; /* added to linux.readonlyPaths */
  size_t n_ro_remounts;

  struct plan_net net;
  struct plan_seccomp sc;

  char **caps_dropped; /* the bundle's capabilities the plan removes */
  size_t n_caps_dropped;
  bool nnp_forced; /* the bundle did not set noNewPrivileges */

  unsigned mcs[2]; /* SELinux categories cX,cY derived from the agent */
  bool selinux_apply;
  char *process_label, *mount_label;

  bool userns_added; /* session level */
  uint32_t id_base, id_size;
  bool new_keyring;

  bool has_memory, has_cpu, has_pids;
  int64_t memory_bytes;
  int64_t cpu_quota;
  uint64_t cpu_period;
  int64_t pids;

  bool has_timeout;
  uint32_t timeout_ms;

  bool ui_disable;
  char **env_dropped;
  size_t n_env_dropped;

  struct plan_weakening *weak;
  size_t n_weak;
  struct pol_note *notes;
  size_t n_notes;

  /* config.json as the container gets it: the bundle's, plus the plan's
   * namespaces, masks, read-only paths, capabilities, no_new_privileges,
   * labels, resources, environment and the run.ward.enforced annotation. */
  struct oci_config *view;
  void **owned; /* what `view` points to that the plan allocated */
  size_t n_owned;
};

/* ---- compile (compile*.c) ---- */

struct policy_input
{
  struct agent_policy *policy; /* merged: profile + document */
  char *profile;
  char *source;
  char *agent_annotation; /* run.ward.agent */
  const char *rootfs;     /* host path of the rootfs, or NULL: denied
                                  paths are checked for hard links there */
};

void policy_input_clear (struct policy_input *in);
/* A document (may be NULL: the empty document) over a profile (may be
 * NULL), from memory, a file, or config.json's annotations. */
int policy_input_load (const char *doc, size_t len, const char *source,
                       const char *profile, const char *agent,
                       struct policy_input *in, struct werr *err);
int policy_input_from_file (const char *path, const char *profile,
                            const char *agent, struct policy_input *in,
                            struct werr *err);
int policy_input_from_config (const struct oci_config *cfg, const char *bundle,
                              struct policy_input *in, struct werr *err);

/* What this host can enforce (host.c). */
void policy_host_probe (struct policy_host *h);
/* Landlock's ABI version, 0 when absent. */
int policy_landlock_abi (void);

/* spec + policy + host → plan.  `cfg` may be NULL (policy explain FILE):
 * a default container is assumed.  Fails with one line naming the field and
 * the missing mechanism unless the policy is best_effort. */
int policy_compile (const struct policy_input *in, const struct oci_config *cfg,
                    const char *id, const struct policy_host *host,
                    struct policy_plan **out, struct werr *err);
void policy_plan_free (struct policy_plan *plan);

/* The steps, each in its own file. */
int plan_need (struct policy_plan *plan, const char *field, struct werr *err,
               const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));
int compile_fs (struct policy_plan *plan, const struct agent_policy *p,
                struct werr *err);
int compile_links (struct policy_plan *plan, const char *rootfs,
                   struct werr *err);
int compile_net (struct policy_plan *plan, const struct agent_policy *p,
                 const struct oci_config *cfg, struct werr *err);
int compile_seccomp (struct policy_plan *plan, const struct agent_policy *p,
                     struct werr *err);
int compile_view (struct policy_plan *plan, const struct oci_config *cfg,
                  struct werr *err);
void *plan_own (struct policy_plan *plan, void *p);
/* The seccomp filter of plan->sc (deny list, flags) and the socket rules
 * of `n`, in config.json's shape. */
void plan_seccomp_build (struct plan_seccomp *sc, const struct plan_net *n);
/* A capability an agent never holds. */
bool policy_cap_forbidden (const char *cap);
/* Display and session-bus variables ui.disable drops (NULL-terminated). */
extern char *const policy_ui_env_names[];
char *plan_strdup (struct policy_plan *plan, const char *s);

/* The portset union used for map values; -1 if more than
 * PLAN_PORTSET_MAX distinct ranges would be needed. */
int plan_portset_add (struct plan_portset *s, const struct plan_portrange *r);
/* Whether `port`/`proto` bit matches the set (what the BPF program does). */
bool plan_portset_match (const struct plan_portset *s, uint16_t port,
                         unsigned proto);
/* Verdict of the egress map for an address (tests and explain). */
bool plan_net_allows (const struct plan_net *n, int family, const uint8_t *addr,
                      uint16_t port, unsigned proto);

/* SELinux MCS categories and the session id range of an agent (mcs.c). */
void policy_mcs_derive (const char *agent, unsigned out[2]);
void policy_id_range_derive (const char *agent, uint32_t *base, uint32_t *size);

/* ---- output ---- */

/* The full plan as JSON (plan.json under the state dir). */
int policy_plan_json (const struct policy_plan *plan, bool pretty, char **out,
                      struct werr *err);
/* The short enforcement report (annotation run.ward.enforced). */
char *policy_plan_report (const struct policy_plan *plan);
/* Short names of the level and of how the filesystem and network are
 * enforced ("landlock", "bpf", "isolated", ...). */
const char *plan_level_name (enum pol_level l);
const char *plan_fs_mode (const struct policy_plan *plan);
const char *plan_net_mode (const struct policy_plan *plan);
/* Mechanism by mechanism, for people (ward policy explain). */
void policy_plan_explain (const struct policy_plan *plan, FILE *out);

#endif
