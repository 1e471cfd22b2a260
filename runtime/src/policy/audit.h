/* ward — the per-container audit stream: one JSON object per line in
 * <state dir>/audit.jsonl, appended with O_APPEND and a single write(2) per
 * line, so several writers (the monitor, a seccomp listener, ward itself)
 * can share the file without tearing lines.
 *
 *   {"time":"2026-11-25T18:15:57.123456789Z","container":"c1","agent":"bot",
 *    "action":"dns","verdict":"denied",
 *    "target":{"name":"evil.example"},"rule":"network.egress.deny[0]",
 *    "detail":"not allowed"}
 *
 * target holds only the fields the event has (name, address, port,
 * protocol, path, syscall); rule and detail are left out when NULL.  A
 * writer emits at most AUDIT_RATE_MAX lines a second; events over that are
 * counted and the next line written says "suppressed": N.
 */
#ifndef WARD_POLICY_AUDIT_H
#define WARD_POLICY_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ward/error.h"

#define AUDIT_FILE "audit.jsonl"
#define AUDIT_RATE_MAX 200

enum audit_action
{
  AUDIT_DNS,
  AUDIT_CONNECT,
  AUDIT_SENDMSG,
  AUDIT_SECCOMP,
  AUDIT_LANDLOCK,
  AUDIT_OPEN,   /* a path a file syscall used (learning mode): detail says
                 read, write, create or remove */
  AUDIT_EXEC,   /* a program executed (learning mode) */
  AUDIT_ACCEPT, /* an inbound connection attempt dropped (ingress deny) */
  AUDIT_BIND,   /* a fixed port on a non-loopback address (ingress deny) */
};

enum audit_verdict
{
  AUDIT_DENIED,
  AUDIT_ALLOWED_AUDIT, /* captureDenials.mode "allow": logged, not blocked */
};

struct audit_event
{
  struct timespec time; /* CLOCK_REALTIME; all zero: now */
  const char *container_id;
  const char *agent;
  enum audit_action action;
  enum audit_verdict verdict;
  /* the target; NULL / 0 / false fields are left out */
  const char *name; /* a DNS name */
  int family;       /* AF_INET or AF_INET6 when addr is set */
  uint8_t addr[16]; /* network order */
  bool has_port;
  uint16_t port;
  const char *protocol; /* "tcp", "udp", … */
  const char *path;
  const char *syscall;
  const char *rule;   /* where in the policy the deciding rule is */
  const char *detail; /* a short reason */
};

struct audit;

/* Open (create, mode 0600) <state_dir>/audit.jsonl for appending. */
int audit_open (const char *state_dir, struct audit **out, struct werr *err);
/* Wrap an fd already open with O_APPEND; takes ownership. */
struct audit *audit_from_fd (int fd);
void audit_close (struct audit *a);
/* Append one event.  Returns 0 (also when rate-limited), or -errno.  A NULL
 * `a` does nothing. */
int audit_event (struct audit *a, const struct audit_event *ev);
/* The line for ev, newline included (caller frees); NULL on failure. */
char *audit_format (const struct audit_event *ev, uint64_t suppressed,
                    size_t *len);
const char *audit_action_name (enum audit_action a);

#endif
