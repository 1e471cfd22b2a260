/* ward — Landlock denials in the audit stream (audit_kernel.c).
 *
 * Landlock (ABI 7) reports a denial only to the kernel's audit subsystem,
 * and only while kernel audit is enabled (by an audit daemon or audit=1):
 *
 *   1423 LANDLOCK_ACCESS  audit(1729738800.268:30): domain=1a6fdc66f
 *                         blockers=fs.write_file path="/x" dev="vda1" ino=42
 *   1424 LANDLOCK_DOMAIN  audit(1729738800.268:30): domain=1a6fdc66f
 *                         status=allocated mode=enforcing pid=286 uid=0
 *                         exe="/bin/busybox" comm="sh"
 *                         audit(…): domain=1a6fdc66f status=deallocated
 *                         denials=3
 *
 * The domain record follows the first denial of each domain; its pid is
 * the process that created the domain.  The monitor reads the read-only
 * multicast group AUDIT_NLGRP_READLOG (bound while ward create still holds
 * CAP_AUDIT_READ): a domain is the container's when its creator is the init
 * or a process of the container's cgroup (or, for a domain logged before
 * the monitor listened, when the SYSCALL record of the same event names
 * such a process); every access record of such a domain becomes one audit
 * line, action "landlock" (connect for net.*), the blockers in detail.
 *
 * ward never turns kernel audit on (host-wide state) and never fails a
 * container over it: the report says landlock-audit=off|unknown|unreadable
 * and the monitor only warns. */
#ifndef WARD_POLICY_AUDIT_KERNEL_H
#define WARD_POLICY_AUDIT_KERNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "audit.h"

struct policy_plan;
struct cgroup_mgr;

#define AK_TYPE_SYSCALL 1300
#define AK_TYPE_LANDLOCK_ACCESS 1423
#define AK_TYPE_LANDLOCK_DOMAIN 1424

enum ak_status
{
  AK_UNKNOWN,  /* AUDIT_GET refused (rootless, a pid namespace, …) */
  AK_DISABLED, /* audit_enabled 0: Landlock logs nothing */
  AK_ENABLED,
};

/* Kernel audit on or off, asked once per process (AUDIT_GET needs
 * CAP_AUDIT_CONTROL in the initial namespaces).  *why, when not NULL, says
 * why the answer is unknown. */
enum ak_status audit_kernel_status (const char **why);
/* For the enforcement report: "on", "off", "unknown", or "unreadable"
 * (enabled, but this process lacks CAP_AUDIT_READ). */
const char *audit_kernel_report_word (void);
/* For `ward policy explain`: "  Landlock denials: …" and a newline. */
void audit_kernel_explain (FILE *o);

#define AK_OBJECT_MAX 4096

/* One record, parsed. */
struct ak_record
{
  int type;
  struct timespec time; /* audit(SEC.MSEC:SERIAL) */
  uint32_t serial;
  bool has_domain;
  uint64_t domain;
  /* LANDLOCK_ACCESS */
  char blockers[160];         /* "fs.write_file,fs.truncate" */
  char object[AK_OBJECT_MAX]; /* path=, else name=, decoded */
  char dev[64];
  bool has_ino;
  uint64_t ino;
  int family; /* daddr= of a net.* denial: AF_INET or AF_INET6 */
  uint8_t addr[16];
  bool has_port;
  uint16_t port; /* dport=, else lport= */
  /* LANDLOCK_DOMAIN */
  bool allocated, deallocated;
  uint64_t denials;
  char exe[256];
  /* LANDLOCK_DOMAIN (creator) and SYSCALL (the task) */
  pid_t pid;
};

/* Parse a record's text (as the kernel sends it: "audit(…): k=v …", not
 * NUL-terminated).  Types other than the three above, and text without a
 * domain (Landlock) or pid (SYSCALL), fail with -1. */
int audit_kernel_parse (int type, const char *text, size_t len,
                        struct ak_record *r);

/* ---- which domains are the container's ---- */

/* 1: the process is the container's, 0: it is not, -1: it is gone. */
typedef int (*ak_pid_fn) (void *ctx, pid_t pid);
typedef void (*ak_emit_fn) (void *ctx, const struct ak_record *r);

#define AK_DOMAINS 64
#define AK_PENDING 16

struct ak_tracker
{
  ak_pid_fn ours;
  void *ours_ctx;
  uint64_t mine[AK_DOMAINS], foreign[AK_DOMAINS];
  size_t n_mine, n_foreign, next_mine, next_foreign;
  struct ak_record *pending[AK_PENDING]; /* access records, oldest first */
  size_t n_pending;
};

/* Feed one parsed record; emit() gets each access record found to be the
 * container's, in order, once.  Records of undecided domains wait (at most
 * AK_PENDING, the oldest dropped). */
void ak_tracker_feed (struct ak_tracker *t, const struct ak_record *r,
                      ak_emit_fn emit, void *ctx);
void ak_tracker_clear (struct ak_tracker *t);

/* The audit line of one of the container's access records.  `rule` is
 * the plan's most specific filesystem rule above the path (its "where"),
 * or "filesystem" / "network" / "landlock.scope". */
void audit_kernel_event (const struct policy_plan *plan,
                         const struct ak_record *r, struct audit_event *ev);

/* ---- in the monitor ---- */

struct audit_kernel;

/* ward create, still privileged: when the plan has a Landlock domain and
 * kernel audit is on, the multicast socket and the audit file.  *out is
 * NULL when there is nothing to read; never fails the container (a socket
 * that cannot be bound is a warning). */
void audit_kernel_prepare (const struct policy_plan *plan, int state_dirfd,
                           pid_t init, const struct cgroup_mgr *cgroup,
                           struct audit_kernel **out);
/* The monitor renumbering its fds: lift() moves ours out of the way
 * (above 64), park() puts them at first, first+1 and returns the next free
 * number (first when there is no reader). */
void audit_kernel_lift (struct audit_kernel *k);
int audit_kernel_park (struct audit_kernel *k, int first);
/* Poll it for POLLIN (-1: none). */
int audit_kernel_fd (const struct audit_kernel *k);
/* Read every record queued, write the container's denials. */
void audit_kernel_read (struct audit_kernel *k);
/* ward create after the fork: its copies. */
void audit_kernel_release (struct audit_kernel *k);
static inline void
audit_kernel_releasep (struct audit_kernel **k)
{
  audit_kernel_release (*k);
}
#define _cleanup_audit_kernel_ __attribute__ ((cleanup (audit_kernel_releasep)))

#endif
