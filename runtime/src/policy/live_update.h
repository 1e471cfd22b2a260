/* ward — the network part of a running container's policy, replaced
 * while it runs (`ward update --policy FILE ID`, live_update.c).
 *
 * The CLI compiles the new document against the container's config.json,
 * checks that it changes nothing the running programs have built in
 * (namespace, egress default, whether a resolver runs), and sends the
 * network rules to the monitor over <state dir>/monitor.sock (root only):
 *
 *   ward-update 1
 *   host allow|deny PATTERN RANGES WHERE…
 *   cidr allow|deny CIDR RANGES
 *   end
 *
 * RANGES is "lo-hi/protos,…" (protos: POL_PROTO_* bits) or "-" (none).
 * The monitor swaps the resolver's rules, rewrites the CIDR tries (new
 * denials first, stale allowances last) and re-checks every name entry
 * of the map against the new rules.  It answers "ok" or "error: …". */
#ifndef WARD_POLICY_LIVE_UPDATE_H
#define WARD_POLICY_LIVE_UPDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "dns_names.h"
#include "plan.h"
#include "ward/error.h"

/* The resolver's rules and the storage they point into.  Each rule's
 * `data` is its struct plan_portset. */
struct live_rules
{
  struct dns_rule *v;
  size_t n;
  char **strings;
  size_t n_strings;
  struct pol_port **ports;
  struct plan_portset *sets;
  /* The CIDR tries' contents these rules come with. */
  struct plan_prefix *allow, *deny;
  size_t n_allow, n_deny;
};

int live_rules_from_plan (const struct policy_plan *plan,
                          struct live_rules **out, struct werr *err);
const struct dns_rule *live_rules_v (const struct live_rules *r);
size_t live_rules_n (const struct live_rules *r);
void live_rules_free (struct live_rules *r);

/* The message for `r` (caller frees). */
char *live_rules_format (const struct live_rules *r);
/* Parse a message; errors name the line. */
int live_rules_parse (const char *msg, struct live_rules **out,
                      struct werr *err);

/* The control socket in the state directory (monitor side). */
int live_update_listen (int state_dirfd, int *fd, struct werr *err);
/* Accept one connection (root only) and read a message: 1 and *msg (the
 * caller frees) and *conn, 0 when there was nothing to read. */
int live_update_receive (int listen_fd, int *conn, char **msg);
void live_update_reply (int conn, const char *reply);

#endif
