/* ward — host names and the name rules of an egress policy.
 *
 * Normal form (what is compared): ASCII lowercase, no trailing dot, labels
 * of letters, digits, '-' and '_' (1–63 octets, 253 in all).  IDNA is left
 * as is: an internationalised name must be written in its A-label form
 * ("xn--bcher-kva.example"); a U-label never matches.
 *
 * Patterns: an exact name ("api.github.com") matches that name only;
 * "*.example.com" matches every name below example.com at any depth
 * ("a.example.com", "a.b.example.com") and never example.com itself.  A
 * bare "*", a "*" anywhere but as the whole first label, and a wildcard over
 * a single label ("*.com") are rejected.
 */
#ifndef WARD_POLICY_DNS_NAMES_H
#define WARD_POLICY_DNS_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "doc.h"
#include "dns_wire.h"
#include "ward/error.h"

/* Normalise `in` into out (DNS_NAME_TEXT_MAX bytes).  Returns 0, or -1 with
 * *why set to a static reason ("is not a host name", …). */
int dns_name_normalize (const char *in, char *out, size_t size,
                        const char **why);
/* The same, also accepting a leading "*." wildcard label. */
int dns_pattern_normalize (const char *in, char *out, size_t size,
                           const char **why);
/* Both arguments in normal form. */
bool dns_pattern_match (const char *pattern, const char *name);

/* One host-name rule of the policy, as the caller hands it to the filter.
 * The strings and ports must outlive the filter (or the next
 * dns_filter_set_rules()). */
struct dns_rule
{
  const char *host;             /* "api.github.com", "*.example.com" */
  bool deny;                    /* refused even where an allow rule matches */
  const struct pol_port *ports; /* for the allow map; n_ports 0: every port */
  size_t n_ports;
  const char *where; /* "network.egress.allow[1].to[0]", for the audit */
  void *data;        /* the caller's */
};

struct dns_rule_entry;

/* The rules in matching form. */
struct dns_rules
{
  struct dns_rule_entry *v;
  size_t n;
};

/* Check and normalise every rule's host; errors name the rule's `where`. */
int dns_rules_init (struct dns_rules *rs, const struct dns_rule *rules,
                    size_t n, struct werr *err);
void dns_rules_clear (struct dns_rules *rs);
/* The first deny rule matching `name` (normal form), or NULL. */
const struct dns_rule *dns_rules_denied (const struct dns_rules *rs,
                                         const char *name);
/* The allow rules matching `name`, one per call, from *cursor (start at 0);
 * NULL at the end.  Deny rules are not consulted: call dns_rules_denied(). */
const struct dns_rule *dns_rules_next_allow (const struct dns_rules *rs,
                                             const char *name, size_t *cursor);

#endif
