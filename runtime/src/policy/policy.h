/* ward — the agent policy layer, as the rest of ward sees it.
 *
 *   create (parent):  policy_requested → policy_prepare (parse + compile,
 *                     before anything exists) → ctx.cfg = the plan's view,
 *                     ctx.plan = plan → policy_save (plan.json) →
 *                     policy_attach_cgroup (BPF egress, before the init
 *                     runs) → spawn → policy_start_monitor (timeout)
 *   init:             policy_apply_in_init, right before credentials and
 *                     seccomp (Landlock, the agent's seccomp filter)
 *
 * A container without any run.ward.* annotation never reaches this code.
 */
#ifndef WARD_POLICY_H
#define WARD_POLICY_H

#include <stdbool.h>
#include <sys/types.h>

#include "ward/error.h"
#include "ward/oci_config.h"

struct policy_plan;
struct agent_policy;
struct cgroup_mgr;
struct ward_ctx;

#define POLICY_ANN_POLICY "run.ward.policy"
#define POLICY_ANN_FILE "run.ward.policy.file"
#define POLICY_ANN_PROFILE "run.ward.profile"
#define POLICY_ANN_AGENT "run.ward.agent"
#define POLICY_ANN_ENFORCED "run.ward.enforced"
#define POLICY_PLAN_FILE "plan.json"

/* Any run.ward.* annotation in config.json. */
bool policy_requested (const struct oci_config *cfg);

/* Parse the annotations' policy, layer it on its profile, compile it
 * against `cfg` and this host.  On failure: one line naming the field and
 * the missing mechanism. */
int policy_prepare (const struct oci_config *cfg, const char *bundle,
                    const char *rootfs, const char *id,
                    struct policy_plan **out, struct werr *err);

/* The config.json the container gets (owned by the plan). */
const struct oci_config *policy_plan_config (const struct policy_plan *plan);
/* The session level wants a fresh session keyring even with
 * --no-new-keyring. */
bool policy_plan_new_keyring (const struct policy_plan *plan);
/* Weakenings accepted under best_effort, one warning each (log_warn). */
void policy_warn_weakenings (const struct policy_plan *plan);

/* plan.json in the container's state directory. */
int policy_save (const struct policy_plan *plan, int state_dirfd,
                 struct werr *err);

/* Parent, once the container's cgroup exists and before its init runs:
 * the BPF egress/ingress programs on its cgroup2 directory. */
int policy_attach_cgroup (const struct policy_plan *plan,
                          const struct cgroup_mgr *cgroup, struct werr *err);

/* Parent, once the init exists: the monitor that kills the container at
 * process.timeout (nothing when the plan has no timeout). */
int policy_start_monitor (const struct policy_plan *plan, int state_dirfd,
                          pid_t init, const struct cgroup_mgr *cgroup,
                          struct werr *err);

/* ward delete / create undo: the monitor's sibling cgroup (egress by host
 * name) is killed and removed; nothing when there is none. */
void policy_monitor_cleanup (const struct cgroup_mgr *cgroup);
/* Whether the monitor of a container with a resolver is still running. */
bool policy_monitor_alive (const struct cgroup_mgr *cgroup);
/* `ward state`: the enforcement report says "dns-filter=dead" when the
 * resolver's monitor is gone while the container is not stopped. */
void policy_state_annotations (struct oci_kvv *ann,
                               const struct cgroup_mgr *cgroup,
                               const char *status);
/* `ward update --policy FILE ID`: replace the network rules of a running
 * container (live_update.c). */
int policy_update_running (const char *root, const char *id, const char *file,
                           struct werr *err);

/* `ward events ID`: the container's audit stream, followed (audit_follow.c).
 * NULL (and every call a no-op) when the container has none. */
struct audit_follow;
struct audit_follow *audit_follow_open (const char *root, const char *id);
int audit_follow_fd (const struct audit_follow *f);
/* Print the lines not printed yet as {"type":"audit","id":…,"data":…}. */
void audit_follow_print (struct audit_follow *f);
void audit_follow_free (struct audit_follow *f);

/* Learning mode (learn.c): the document a `ward sandbox --learn` run uses
 * (the policy's paths, no egress rules, audit mode), and the policy
 * written from the run's audit stream. */
int policy_learn_document (const struct agent_policy *p, char **out,
                           struct werr *err);
int policy_learn_write (const char *root, const char *id,
                        const struct agent_policy *p, const char *out,
                        struct werr *err);

/* Container init, after the rootfs is final and right before credentials
 * and seccomp: bring up the loopback of a namespace ward added, deny bind
 * aliases of denied paths, no_new_privs, Landlock, the agent's seccomp
 * filter.  Nothing when ctx->plan is NULL. */
int policy_apply_in_init (const struct ward_ctx *ctx, struct werr *err);

void policy_plan_free (struct policy_plan *plan);

/* ---- `ward exec` into an agent container (exec_policy.c) ----
 * Parent: the plan saved at create (*out NULL: no policy); the process to
 * start loses the capabilities an agent never holds and display variables,
 * and gets no_new_privileges.  Child, after joining the namespaces and
 * right before credentials and seccomp: Landlock and the agent's seccomp
 * filter, as the init had them. */
struct oci_process;
int policy_exec_load (int state_dirfd, struct policy_plan **out,
                      struct werr *err);
void policy_exec_process (const struct policy_plan *plan,
                          struct oci_process *p);
int policy_apply_in_exec (const struct policy_plan *plan, struct werr *err);

/* ---- built-in profiles (profiles.c) ---- */

struct policy_profile
{
  const char *name;
  const char *summary;
  const char *json;
};

const struct policy_profile *policy_profile_find (const char *name);
size_t policy_profile_list (const struct policy_profile **out);
int policy_profile_parse (const char *name, struct agent_policy **out,
                          struct werr *err);

#endif
