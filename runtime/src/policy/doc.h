/* ward — the agent policy document, parsed and validated (plain data).
 *
 * An MXC configuration (schema 0.6.0-alpha … 0.8.0-alpha) plus ward's
 * extensions, as POLICY.md §2 describes.  mxc.c fills it from JSON,
 * merge.c layers a document over a profile, compile.c turns it into a plan.
 * Every list entry remembers where it came from ("filesystem.readonlyPaths[2]")
 * so later errors can name the field.
 */
#ifndef WARD_POLICY_DOC_H
#define WARD_POLICY_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ward/error.h"

enum pol_level
{
  POL_LEVEL_PROCESS,   /* process, processcontainer, bubblewrap, seatbelt */
  POL_LEVEL_CONTAINER, /* lxc */
  POL_LEVEL_SESSION,   /* isolation_session */
  POL_LEVEL_MICROVM,   /* microvm */
};

enum pol_fs_access
{
  POL_FS_RW = 1,
  POL_FS_RO = 2,
  POL_FS_DENY = 3, /* the stricter, the larger */
};

enum pol_action
{
  POL_DENY = 0, /* every network default is deny unless written */
  POL_ALLOW = 1,
};

/* Protocol bits of a port selector.  "any" is TCP|UDP|OTHER without a port
 * and TCP|UDP with one (ICMP has no ports). */
#define POL_PROTO_TCP 1u
#define POL_PROTO_UDP 2u
#define POL_PROTO_OTHER 4u /* icmp and anything else that is not TCP/UDP */
#define POL_PROTO_ALL (POL_PROTO_TCP | POL_PROTO_UDP | POL_PROTO_OTHER)

struct pol_cidr
{
  int family;       /* AF_INET or AF_INET6 */
  uint8_t addr[16]; /* network byte order; 4 bytes used for AF_INET */
  uint8_t len;      /* prefix length */
};

struct pol_peer
{
  char *host; /* ward extension: a DNS name or "*.suffix"; NULL for a CIDR */
  struct pol_cidr cidr;
  struct pol_cidr *except;
  size_t n_except;
};

struct pol_port
{
  unsigned protos; /* POL_PROTO_* bits */
  uint16_t lo, hi; /* inclusive; 0..65535 for "every port" */
};

struct pol_rule
{
  struct pol_peer *to; /* n_to == 0: every address of both families */
  size_t n_to;
  struct pol_port *ports; /* n_ports == 0: every port and protocol */
  size_t n_ports;
  char *where; /* "network.egress.allow[2]" */
};

struct pol_fs_entry
{
  char *path; /* absolute, cleaned (no "//", ".", "..", trailing "/") */
  enum pol_fs_access access;
  char *where; /* "filesystem.readonlyPaths[0]" or "profile coding: …" */
};

/* A field that was accepted but has no effect on Linux, for the report. */
struct pol_note
{
  char *where;
  char *what;
};

struct agent_policy
{
  char *version;    /* as written, or NULL */
  int schema_minor; /* 6, 7 or 8 (8 when no version is given) */

  bool has_containment;
  enum pol_level level;

  /* filesystem: entries in document order */
  struct pol_fs_entry *fs;
  size_t n_fs;

  /* network */
  bool legacy_network; /* 0.6/0.7 fields were used */
  enum pol_action egress_default, ingress_default, host_loopback;
  bool has_egress_default, has_ingress_default, has_host_loopback;
  struct pol_rule *allow, *deny;
  size_t n_allow, n_deny;
  char **dns_upstream;
  size_t n_dns;
  uint32_t dns_ttl_min, dns_ttl_max; /* network.dns.minTtl/maxTtl, 0: unset */
  char *proxy; /* network.proxy / runtimeConfig.networkProxy, as written */
  char *proxy_where;

  /* process */
  char *command_line;
  char *cwd;
  bool has_env;
  char **env;
  size_t n_env;
  bool has_timeout;
  uint32_t timeout_ms;

  /* processContainer.captureDenials / learningMode */
  bool has_capture_mode;
  bool audit;       /* captureDenials.mode "allow": log, do not block */
  bool log_denials; /* captureDenials present, or learningMode */

  /* ui */
  bool has_ui_disable;
  bool ui_disable; /* default true */

  /* ward extensions */
  bool has_syscall_profile;
  bool syscalls_strict;
  char **sys_deny, **sys_allow;
  size_t n_sys_deny, n_sys_allow;
  bool has_memory_mb, has_cpus, has_pids;
  uint64_t memory_mb;
  uint32_t millicpus; /* cpus × 1000 */
  uint64_t pids;
  char *agent;
  bool has_compat;
  bool best_effort;
  bool has_selinux;
  bool selinux_required;

  /* fields with no Linux meaning (accepted, reported) */
  struct pol_note *notes;
  size_t n_notes;
  /* fields with no Linux meaning that would widen access: fail unless
   * best_effort (compile decides) */
  struct pol_note *unsupported;
  size_t n_unsupported;
};

/* Parse and validate one document.  `origin` prefixes entries' `where`
 * (NULL for a user document, "profile coding" for a built-in one).  Errors:
 * "policy: network.egress.allow[2].to[0].cidr: \"10.0.0/8\" is not a CIDR". */
int mxc_parse (const char *data, size_t len, const char *origin,
               struct agent_policy **out, struct werr *err);
struct agent_policy *agent_policy_new (void);
void agent_policy_free (struct agent_policy *p);

/* Layer `doc` over `base` (a profile) into a new policy; deny wins (see
 * docs/policy.md "Profiles and merging").  Either may be NULL. */
int agent_policy_merge (const struct agent_policy *base, const char *base_name,
                        const struct agent_policy *doc,
                        struct agent_policy **out, struct werr *err);

/* ---- helpers shared by the parser and the compiler (netaddr.c) ---- */

/* "10.0.0.0/8", "2001:db8::/32", or a bare address (a host prefix).
 * Returns 0, or -1 with *why set to a static reason. */
int pol_cidr_parse (const char *s, struct pol_cidr *out, const char **why);
/* "10.0.0.0/8" into buf (at least 64 bytes). */
void pol_cidr_format (const struct pol_cidr *c, char *buf, size_t len);
/* a ⊇ b (same family, a's prefix no longer than b's, same leading bits). */
bool pol_cidr_contains (const struct pol_cidr *a, const struct pol_cidr *b);
/* A host name or "*.suffix" pattern ward accepts; *why on failure. */
bool pol_host_valid (const char *s, const char **why);
/* Clean an absolute path: collapse "//", drop "." and trailing "/";
 * NULL (with *why) when relative, empty, with "..", or too long. */
char *pol_path_clean (const char *s, const char **why);
/* Why an agent name is not acceptable, or NULL: printable, no '/', no
 * spaces, 1 to 255 bytes. */
const char *pol_agent_name_problem (const char *s);
/* `path` equals `dir` or lies below it. */
bool pol_path_under (const char *path, const char *dir);

#endif
