/* ward — the monitor's egress part (monitor_dns.c): the filtering resolver
 * of egress by host name, the BPF refusal records read into the audit
 * stream, the name maps' heartbeat and sweep, and live policy updates.
 *
 * It runs in a process of its own, a child of the monitor ("ward-egress"):
 *   ward create (privileged):  monitor_dns_prepare: sockets bound inside the
 *     container's network namespace, upstreams, sibling cgroup, audit file,
 *     control socket
 *   the monitor, first thing:   monitor_dns_park: forks the egress process,
 *     which moves into the sibling cgroup, keeps only its fds, becomes
 *     "nobody" without capabilities under a seccomp allowlist, and dies
 *     with the monitor
 *   ward create after the fork: monitor_dns_release
 * Everything accepts a NULL `struct monitor_dns *` (no egress part). */
#ifndef WARD_POLICY_MONITOR_DNS_H
#define WARD_POLICY_MONITOR_DNS_H

#include <stdbool.h>
#include <sys/types.h>

#include "dns_filter.h"
#include "policy.h"
#include "ward/error.h"

struct policy_plan;
struct cgroup_mgr;
struct monitor_dns;

#define MONITOR_DNS_MAX_FDS (DNS_FILTER_MAX_FDS + 4)
#define MONITOR_CGROUP_SUFFIX ".ward-monitor"
#define MONITOR_CONTROL_SOCKET "monitor.sock"

/* Whether the plan needs the egress part (host names, or BPF refusals to
 * audit); valid once policy_attach_cgroup ran. */
bool monitor_dns_wanted (const struct policy_plan *plan);
/* Listening sockets inside the container's network namespace, upstreams,
 * the sibling cgroup, the audit file, the control socket. */
int monitor_dns_prepare (const struct policy_plan *plan, int state_dirfd,
                         pid_t init, const struct cgroup_mgr *cgroup,
                         struct monitor_dns **out, struct werr *err);
/* In the monitor, while still privileged: start the egress process. */
void monitor_dns_park (struct monitor_dns *d);
/* The parent's copies; on failure (undo) also the sibling cgroup. */
void monitor_dns_release (struct monitor_dns *d, bool failed);

#endif
