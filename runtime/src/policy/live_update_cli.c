/* ward — `ward update --policy FILE ID`: compile the new document against
 * the container's config.json, refuse what the running BPF programs
 * cannot follow, and hand the network rules to the container's monitor
 * (see live_update.h).  Filesystem rules stay as they were: Landlock
 * domains cannot be widened or replaced from outside the process. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "live_update.h"
#include "monitor_dns.h"
#include "plan.h"
#include "policy.h"
#include "state.h"
#include "utils.h"
#include "ward/cleanup.h"
#include "ward/json.h"

#define PLAN_UPDATE_FILE "plan.update.json"
#define REPLY_TIMEOUT_MS 10000

/* The plan's view of config.json shares `*cfg`'s strings: the caller frees
 * the config after the plan. */
static int
compile_new (int dirfd, const struct ward_state *st, const char *file,
             struct oci_config **cfgp, struct policy_plan **out,
             struct werr *err)
{
  if (state_load_config (dirfd, cfgp, err) < 0)
    return -1;
  struct oci_config *cfg = *cfgp;
  struct policy_input in = { 0 };
  int r = policy_input_from_file (
      file, oci_config_annotation (cfg, POLICY_ANN_PROFILE),
      oci_config_annotation (cfg, POLICY_ANN_AGENT), &in, err);
  if (r == 0)
    {
      struct policy_host host;
      policy_host_probe (&host);
      in.rootfs = st->rootfs;
      r = policy_compile (&in, cfg, st->id, &host, out, err);
    }
  policy_input_clear (&in);
  return r;
}

static const char *
net_str (const struct jnode *net, const char *key)
{
  const struct jnode *v = net ? jnode_get (net, key) : NULL;
  if (v == NULL || jnode_type (v) == JNODE_NULL)
    return "";
  if (jnode_str (v))
    return jnode_str (v);
  return jnode_is_true (v) ? "true" : "false";
}

/* What the programs and the namespace have built in must stay. */
static int
check_compatible (int dirfd, const struct policy_plan *plan, struct werr *err)
{
  _cleanup_free_ char *old_data = NULL, *new_data = NULL;
  size_t len = 0;
  if (faccessat (dirfd, POLICY_PLAN_FILE, F_OK, 0) < 0)
    return werr_set (err, errno,
                     "policy update: the container has no "
                     "agent policy (`%s`)",
                     POLICY_PLAN_FILE);
  if (read_file_at (dirfd, POLICY_PLAN_FILE, &old_data, &len, err) < 0
      || policy_plan_json (plan, false, &new_data, err) < 0)
    return -1;
  struct jnode *old = jnode_parse (old_data, len, err);
  if (old == NULL)
    return werr_prefix (err, "policy update: `%s`", POLICY_PLAN_FILE);
  struct jnode *new = jnode_parse (new_data, strlen (new_data), err);
  const struct jnode *on = jnode_get (old, "network");
  const struct jnode *nn = new ? jnode_get (new, "network") : NULL;
  static const char *const fixed[][2] = {
    { "namespace", "the network namespace" },
    { "egressDefault", "network.egress.default" },
    { "bpfEgress", "whether the BPF egress filter runs" },
    { "bpfIngress", "network.ingress.default" },
    { "hostLoopback", "network.ingress.hostLoopback" },
  };
  int r = new ? 0 : -1;
  for (size_t i = 0; r == 0 && i < ARRAY_SIZE (fixed); i++)
    if (strcmp (net_str (on, fixed[i][0]), net_str (nn, fixed[i][0])) != 0)
      r = werr_set (err, 0,
                    "policy update: %s cannot change on a running "
                    "container (it is built into the BPF programs or "
                    "the namespace); recreate it",
                    fixed[i][1]);
  if (r == 0 && *net_str (on, "resolver") == '\0'
      && *net_str (nn, "resolver") != '\0')
    r = werr_set (err, 0,
                  "policy update: the container was created without "
                  "host names, so it has no resolver to filter "
                  "them; recreate it");
  if (r == 0 && strcmp (net_str (on, "icmp"), "true") != 0
      && strcmp (net_str (nn, "icmp"), "true") == 0)
    r = werr_set (err, 0,
                  "policy update: ICMP was not allowed when the container "
                  "was created, so its seccomp filter refuses ping "
                  "sockets; recreate it");
  jnode_free (old);
  jnode_free (new);
  return r;
}

static int
send_rules (int dirfd, const char *msg, struct werr *err)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  snprintf (sun.sun_path, sizeof sun.sun_path, "/proc/self/fd/%d/%s", dirfd,
            MONITOR_CONTROL_SOCKET);
  _cleanup_close_ int s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return werr_set (err, errno, "policy update: socket");
  if (connect (s, (struct sockaddr *) &sun, sizeof sun) < 0)
    return werr_set (err, errno,
                     "policy update: the container's policy "
                     "monitor (`%s`) %s",
                     MONITOR_CONTROL_SOCKET,
                     errno == ECONNREFUSED ? "is not running: egress by host "
                                             "name is closed"
                                           : "cannot be reached");
  if (write_all (s, msg, strlen (msg)) < 0)
    return werr_set (err, errno, "policy update: send the rules");
  char reply[WERR_MSG_MAX + 32];
  size_t have = 0;
  for (;;)
    {
      struct pollfd p = { .fd = s, .events = POLLIN };
      if (poll (&p, 1, REPLY_TIMEOUT_MS) <= 0)
        return werr_set (err, ETIMEDOUT,
                         "policy update: no answer from the "
                         "policy monitor");
      ssize_t n = read (s, reply + have, sizeof reply - 1 - have);
      if (n <= 0)
        break;
      have += (size_t) n;
      if (have == sizeof reply - 1)
        break;
    }
  reply[have] = '\0';
  reply[strcspn (reply, "\n")] = '\0';
  if (strcmp (reply, "ok") != 0)
    return werr_set (err, 0, "policy update: the policy monitor says: %s",
                     *reply ? reply : "nothing");
  return 0;
}

int
policy_update_running (const char *root, const char *id, const char *file,
                       struct werr *err)
{
  int dirfd = -1;
  struct ward_state *st = NULL;
  struct policy_plan *plan = NULL;
  struct oci_config *cfg = NULL;
  struct live_rules *rules = NULL;
  _cleanup_free_ char *msg = NULL, *json = NULL;
  if (state_open_read (root, id, &dirfd, &st, err) < 0)
    return -1;
  int r = -1;
  if (strcmp (state_status (dirfd, st), "stopped") == 0)
    werr_set (err, 0, "policy update: container \"%s\" is not running", id);
  else if (compile_new (dirfd, st, file, &cfg, &plan, err) < 0
           || check_compatible (dirfd, plan, err) < 0
           || live_rules_from_plan (plan, &rules, err) < 0)
    ;
  else if (send_rules (dirfd, (msg = live_rules_format (rules)), err) == 0)
    {
      r = 0;
      /* plan.json stays the create-time plan; this is the network in force. */
      if (policy_plan_json (plan, true, &json, err) == 0)
        write_file_atomic_at (dirfd, PLAN_UPDATE_FILE, json, strlen (json),
                              0600, err);
    }
  live_rules_free (rules);
  policy_plan_free (plan);
  oci_config_free (cfg);
  state_free (st);
  close (dirfd);
  return r;
}
