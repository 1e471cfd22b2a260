/* Unit tests: compile (spec + policy + host → plan) for sample policies,
 * the egress map semantics, the seccomp and capability layers, the view of
 * config.json, the MCS and id-range derivations.  No root needed. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "plan.h"
#include "policy.h"
#include "seccomp_profile.h"
#include "unit.h"
#include "ward/json.h"
#include "ward/oci_output.h"

static const struct policy_host full_host
    = { .landlock_abi = 7, .selinux = false, .cgroup_bpf = true };

static struct oci_config *
default_cfg (void)
{
  char *json = NULL;
  size_t len = 0;
  struct werr err = { 0 };
  struct oci_config *cfg = NULL;
  if (oci_spec_default_json (false, &json, &len, &err) < 0
      || oci_config_parse_data (json, len, "config.json", &cfg, &err) < 0)
    fprintf (stderr, "default config: %s\n", err.msg);
  free (json);
  return cfg;
}

/* The default config with `filter` applied by hand: a few tests need a
 * config without a network namespace or with extra capabilities. */
static struct oci_config *
cfg_from (const char *json)
{
  struct werr err = { 0 };
  struct oci_config *cfg = NULL;
  if (oci_config_parse_data (json, strlen (json), "config.json", &cfg, &err)
      < 0)
    fprintf (stderr, "config: %s\n", err.msg);
  return cfg;
}

/* runc's default config.json; the plans' views point into it. */
static struct oci_config *g_default;

static struct policy_plan *
compile_with (const char *profile, const char *doc,
              const struct policy_host *host, const struct oci_config *cfg,
              struct werr *err)
{
  struct policy_input in = { 0 };
  struct policy_plan *plan = NULL;
  if (policy_input_load (doc, doc ? strlen (doc) : 0, "test", profile, NULL,
                         &in, err)
      == 0)
    policy_compile (&in, cfg ? cfg : g_default, "c1", host, &plan, err);
  policy_input_clear (&in);
  return plan;
}

static struct policy_plan *
ok (const char *profile, const char *doc)
{
  struct werr err = { 0 };
  struct policy_plan *p = compile_with (profile, doc, &full_host, NULL, &err);
  if (!CHECK (p != NULL))
    fprintf (stderr, "     %s\n", err.msg);
  return p;
}

static const char *
fails (const char *doc, const struct policy_host *host)
{
  static struct werr err;
  memset (&err, 0, sizeof err);
  struct policy_plan *p = compile_with (NULL, doc, host, NULL, &err);
  if (!CHECK (p == NULL))
    policy_plan_free (p);
  return err.msg;
}

static const struct plan_fs_rule *
rule (const struct policy_plan *p, const char *path)
{
  for (size_t i = 0; i < p->fs.n_rules; i++)
    if (strcmp (p->fs.rules[i].path, path) == 0)
      return &p->fs.rules[i];
  return NULL;
}

static bool
has (char *const *v, size_t n, const char *s)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (v[i], s) == 0)
      return true;
  return false;
}

static void
test_fs_rules (void)
{
  struct policy_plan *p = ok (
      NULL,
      "{\"filesystem\": {\"readwritePaths\": [\"/workspace\"], "
      "\"readonlyPaths\":"
      " [\"/data\", \"/workspace/ref\"], \"deniedPaths\": [\"/workspace/.env\","
      " \"/etc/shadow\"]}}");
  if (!p)
    return;
  CHECK (p->fs.landlock && p->fs.abi == 7);
  CHECK (rule (p, "/workspace")->kind == POL_FS_RW);
  CHECK_UINT_EQ (rule (p, "/workspace")->access, p->fs.handled);
  CHECK_UINT_EQ (rule (p, "/data")->access, PLAN_FS_RO_RIGHTS);
  CHECK (rule (p, "/workspace/.env")->kind == POL_FS_DENY);
  CHECK_UINT_EQ (rule (p, "/workspace/.env")->access, 0);
  CHECK (rule (p, "/bin") && rule (p, "/bin")->baseline);
  CHECK (rule (p, "/dev/null")->kind == POL_FS_RW);
  CHECK (rule (p, "/home") == NULL);
  CHECK (has (p->masks, p->n_masks, "/workspace/.env"));
  CHECK (has (p->masks, p->n_masks, "/etc/shadow"));
  CHECK (has (p->ro_remounts, p->n_ro_remounts, "/data"));
  CHECK (has (p->ro_remounts, p->n_ro_remounts, "/workspace/ref"));
  CHECK (p->fs.scope_signal && p->fs.scope_abstract_unix);
  /* sorted by path */
  for (size_t i = 1; i < p->fs.n_rules; i++)
    CHECK (strcmp (p->fs.rules[i - 1].path, p->fs.rules[i].path) < 0);
  policy_plan_free (p);
}

static void
test_fs_baseline_only_widens (void)
{
  struct policy_plan *p
      = ok (NULL, "{\"filesystem\": {\"readonlyPaths\": "
                  "[\"/\"], \"readwritePaths\": [\"/tmp\"]}}");
  if (!p)
    return;
  CHECK (rule (p, "/etc") == NULL);      /* read-only already */
  CHECK (rule (p, "/dev/null") != NULL); /* widens: kept */
  CHECK (rule (p, "/tmp")->baseline == false);
  /* "/" has a writable path below: not remounted read-only */
  CHECK (!has (p->ro_remounts, p->n_ro_remounts, "/"));
  policy_plan_free (p);
  p = ok (NULL,
          "{\"filesystem\": {\"readwritePaths\": [\"/\"], \"deniedPaths\": "
          "[\"/dev\"]}}");
  if (p)
    {
      CHECK (rule (p, "/dev/null") == NULL); /* under a denied path */
      CHECK (rule (p, "/etc") == NULL);      /* narrower than "/" */
    }
  policy_plan_free (p);
  /* equal paths: deny, then read-only, wins */
  p = ok (NULL, "{\"filesystem\": {\"readwritePaths\": [\"/x\", \"/y\"], "
                "\"readonlyPaths\": [\"/x\"], \"deniedPaths\": [\"/y\"]}}");
  if (p)
    {
      CHECK (rule (p, "/x")->kind == POL_FS_RO);
      CHECK (rule (p, "/y")->kind == POL_FS_DENY);
    }
  policy_plan_free (p);
}

static void
test_fs_errors (void)
{
  struct policy_host none = full_host;
  CHECK_STR_EQ (
      fails ("{\"filesystem\": {\"deniedPaths\": [\"/a\"], "
             "\"readwritePaths\": [\"/a/b\"]}}",
             &full_host),
      "policy: filesystem.readwritePaths[0]: \"/a/b\" is under \"/a\", "
      "which filesystem.deniedPaths[0] denies: a denied directory is "
      "masked, nothing below it can be granted");
  CHECK_STR_EQ (
      fails ("{\"filesystem\": {\"deniedPaths\": [\"/proc/kcore\"]}}",
             &full_host),
      "policy: filesystem.deniedPaths[0]: \"/proc/kcore\": a path inside "
      "/proc cannot be carved out by Landlock (its entries come and go); "
      "mask it with the bundle's linux.maskedPaths, or deny /proc");
  none.landlock_abi = 0;
  CHECK_STR_EQ (
      fails ("{}", &none),
      "policy: filesystem: needs Landlock, which this kernel does not have");
  none.landlock_abi = 2;
  CHECK_STR_EQ (
      fails ("{}", &none),
      "policy: filesystem: needs Landlock ABI 3 to keep read-only paths "
      "from being truncated (this kernel has ABI 2)");
  none.landlock_abi = 0;
  struct werr err = { 0 };
  struct policy_plan *p = compile_with (
      NULL, "{\"compatibility\": \"best_effort\"}", &none, NULL, &err);
  CHECK (p && !p->fs.landlock && p->n_weak == 1);
  if (p)
    {
      CHECK_STR_EQ (p->weak[0].field, "filesystem");
      CHECK_STR_HAS (oci_config_annotation (p->view, "run.ward.enforced"),
                     "weakened=1");
    }
  policy_plan_free (p);
}

static bool
allows (const struct policy_plan *p, const char *addr, uint16_t port,
        unsigned proto)
{
  uint8_t a[16];
  int family = strchr (addr, ':') ? AF_INET6 : AF_INET;
  inet_pton (family, addr, a);
  return plan_net_allows (&p->net, family, a, port, proto);
}

static void
test_egress_maps (void)
{
  struct policy_plan *p = ok (
      NULL,
      "{\"network\": {\"egress\": {\"default\": \"deny\", \"allow\": ["
      "{\"to\": [{\"cidr\": \"10.0.0.0/8\", \"except\": [\"10.66.0.0/16\"]}], "
      "\"ports\": [{\"protocol\": \"tcp\", \"port\": 443}]},"
      "{\"to\": [{\"cidr\": \"10.0.0.53/32\"}], \"ports\": [{\"protocol\": "
      "\"udp\","
      " \"port\": 53}]},"
      "{\"to\": [{\"cidr\": \"2001:db8::/32\"}]}],"
      "\"deny\": [{\"to\": [{\"cidr\": \"10.0.0.0/24\"}], \"ports\": "
      "[{\"protocol\":"
      " \"tcp\", \"port\": 443}]}]}}}");
  if (!p)
    return;
  CHECK (p->net.filter && p->net.restricted && !p->net.default_allow);
  CHECK (p->net.netns == PLAN_NETNS_BUNDLE && p->net.loopback_private);
  CHECK (p->net.deny_raw);
  CHECK (allows (p, "10.1.2.3", 443, POL_PROTO_TCP));
  CHECK (!allows (p, "10.1.2.3", 80, POL_PROTO_TCP));
  CHECK (!allows (p, "10.1.2.3", 443, POL_PROTO_UDP));
  CHECK (!allows (p, "10.66.1.1", 443, POL_PROTO_TCP)); /* except */
  CHECK (!allows (p, "10.0.0.9", 443, POL_PROTO_TCP));  /* deny wins */
  CHECK (allows (p, "10.0.0.53", 53, POL_PROTO_UDP));
  CHECK (!allows (p, "10.0.0.53", 443, POL_PROTO_TCP)); /* in the denied /24 */
  CHECK (!allows (p, "192.0.2.1", 443, POL_PROTO_TCP)); /* default */
  CHECK (allows (p, "2001:db8::5", 22, POL_PROTO_TCP));
  CHECK (!allows (p, "2001:db9::5", 22, POL_PROTO_TCP));
  CHECK (allows (p, "127.0.0.1", 9, POL_PROTO_TCP)); /* own loopback */
  CHECK (allows (p, "::1", 9, POL_PROTO_UDP));
  /* the except block is an entry of its own with nothing in it */
  bool found = false;
  for (size_t i = 0; i < p->net.n_allow; i++)
    if (p->net.allow[i].cidr.len == 16 && p->net.allow[i].cidr.addr[1] == 66)
      found = p->net.allow[i].ports.n == 0;
  CHECK (found);
  policy_plan_free (p);
}

static void
test_egress_defaults (void)
{
  /* No network section: deny, and the bundle's namespace is kept. */
  struct policy_plan *p = ok (NULL, "{}");
  if (p)
    {
      CHECK (p->net.restricted && p->net.filter && p->net.ingress_filter);
      CHECK (!allows (p, "1.1.1.1", 443, POL_PROTO_TCP));
    }
  policy_plan_free (p);
  /* allow-all: nothing to filter, ingress explicitly allowed */
  p = ok (NULL, "{\"network\": {\"egress\": {\"default\": \"allow\"}, "
                "\"ingress\": {\"default\": \"allow\"}}}");
  if (p)
    {
      CHECK (!p->net.restricted && !p->net.filter && !p->net.ingress_filter);
      CHECK (!p->net.deny_raw);
      CHECK (allows (p, "1.1.1.1", 443, POL_PROTO_TCP));
    }
  policy_plan_free (p);
  /* a bundle without a network namespace: deny adds an empty one */
  struct werr err = { 0 };
  struct oci_config *cfg = cfg_from (
      "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"}, \"linux\": "
      "{\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"pid\"}]}}");
  p = compile_with (NULL, "{}", &full_host, cfg, &err);
  CHECK (p != NULL);
  if (p)
    {
      CHECK (p->net.netns == PLAN_NETNS_ADDED && !p->net.filter);
      CHECK (!allows (p, "1.1.1.1", 443, POL_PROTO_TCP));
      CHECK (oci_config_namespace (p->view, OCI_NS_NETWORK) != NULL);
      CHECK (oci_config_namespace (cfg, OCI_NS_NETWORK) == NULL);
    }
  policy_plan_free (p);
  /* …and allow-all keeps the host's network, but not its loopback */
  p = compile_with (NULL,
                    "{\"network\": {\"egress\": {\"default\": \"allow\"}}}",
                    &full_host, cfg, &err);
  if (CHECK (p != NULL))
    {
      CHECK (p->net.netns == PLAN_NETNS_HOST && p->net.filter);
      CHECK (!allows (p, "127.0.0.1", 8080, POL_PROTO_TCP));
      CHECK (allows (p, "1.1.1.1", 443, POL_PROTO_TCP));
    }
  policy_plan_free (p);
  oci_config_free (cfg);
}

static void
test_egress_errors (void)
{
  struct policy_host nobpf = full_host;
  CHECK_STR_EQ (
      fails ("{\"network\": {\"ingress\": {\"hostLoopback\": "
             "\"allow\"}}}",
             &full_host),
      "policy: network.ingress.hostLoopback: allow: the host's loopback "
      "is not reachable from the container's own network namespace");
  CHECK_STR_EQ (
      fails ("{\"network\": {\"proxy\": {\"localhost\": 3128}}}", &full_host),
      "policy: network.proxy: a proxy on the host's loopback "
      "(http://127.0.0.1:3128) is not reachable from the container's "
      "network namespace");
  nobpf.cgroup_bpf = false;
  nobpf.rootless = true;
  CHECK_STR_EQ (
      fails ("{\"network\": {\"egress\": {\"allow\": [{\"to\": "
             "[{\"cidr\": \"10.0.0.0/8\"}]}]}, \"ingress\": {\"default\":"
             " \"allow\"}}}",
             &nobpf),
      "policy: network.egress: needs BPF programs on a cgroup2 "
      "hierarchy, which this host does not offer to an unprivileged user");
  /* host names need the BPF filter the resolver fills */
  CHECK_STR_EQ (fails ("{\"network\": {\"egress\": {\"allow\": [{\"to\": "
                       "[{\"host\": \"api.github.com\"}]}]}}}",
                       &nobpf),
                "policy: network.egress: needs BPF programs on a cgroup2 "
                "hierarchy, which this host does not offer to an unprivileged "
                "user");
  /* port-only TCP policies fall back to Landlock TCP rules */
  struct werr err = { 0 };
  struct policy_plan *p = compile_with (
      NULL,
      "{\"network\": {\"egress\": {\"allow\": [{\"ports\": [{\"protocol\":"
      " \"tcp\", \"port\": 443}, {\"protocol\": \"tcp\", \"port\": 8000, "
      "\"endPort\": 8002}]}]}, \"ingress\": {\"default\": \"allow\"}}}",
      &nobpf, NULL, &err);
  if (CHECK (p != NULL))
    {
      CHECK (p->net.landlock_tcp && p->net.deny_udp && !p->net.filter);
      CHECK_INT_EQ (p->net.n_tcp_ports, 4);
      CHECK (allows (p, "1.2.3.4", 8001, POL_PROTO_TCP));
      CHECK (!allows (p, "1.2.3.4", 80, POL_PROTO_TCP));
    }
  else
    fprintf (stderr, "     %s\n", err.msg);
  policy_plan_free (p);
  /* best_effort without cgroup BPF: host rules become a weakening */
  p = compile_with (NULL,
                    "{\"compatibility\": \"best_effort\", \"network\": "
                    "{\"egress\": {\"allow\": [{\"to\": [{\"host\": "
                    "\"pypi.org\"}, {\"cidr\": \"10.0.0.0/8\"}]}]}, "
                    "\"ingress\": {\"default\": \"allow\"}}}",
                    &nobpf, NULL, &err);
  if (CHECK (p != NULL))
    {
      CHECK_INT_EQ (p->n_weak, 1);
      CHECK (allows (p, "10.1.1.1", 443, POL_PROTO_TCP));
    }
  policy_plan_free (p);
}

static const struct oci_seccomp_syscall *
sc_rule_for (const struct policy_plan *p, const char *name, size_t n_args)
{
  for (size_t i = 0; i < p->sc.filter.n_syscalls; i++)
    {
      const struct oci_seccomp_syscall *r = &p->sc.filter.syscalls[i];
      if (r->n_args == n_args && has (r->names.v, r->names.n, name))
        return r;
    }
  return NULL;
}

static void
test_seccomp (void)
{
  struct policy_plan *p
      = ok (NULL, "{\"syscalls\": {\"allow\": "
                  "[\"io_uring_setup\"], \"deny\": [\"chmod\"]}}");
  if (!p)
    return;
  CHECK (has (p->sc.deny, p->sc.n_deny, "bpf"));
  CHECK (has (p->sc.deny, p->sc.n_deny, "ptrace"));
  CHECK (has (p->sc.deny, p->sc.n_deny, "init_module"));
  CHECK (has (p->sc.deny, p->sc.n_deny, "mount"));
  CHECK (has (p->sc.deny, p->sc.n_deny, "keyctl"));
  CHECK (has (p->sc.deny, p->sc.n_deny, "userfaultfd"));
  CHECK (has (p->sc.deny, p->sc.n_deny, "chmod"));
  CHECK (!has (p->sc.deny, p->sc.n_deny, "io_uring_setup"));
  CHECK (has (p->sc.deny, p->sc.n_deny, "io_uring_enter"));
  CHECK (!has (p->sc.deny, p->sc.n_deny, "unshare"));
  CHECK_STR_EQ (p->sc.filter.default_action, "SCMP_ACT_ALLOW");
  const struct oci_seccomp_syscall *r = sc_rule_for (p, "unshare", 1);
  CHECK (r && strcmp (r->action, "SCMP_ACT_ERRNO") == 0 && r->errno_ret == 1);
  r = sc_rule_for (p, "clone3", 0);
  CHECK (r && r->errno_ret == 38);              /* ENOSYS */
  CHECK (sc_rule_for (p, "socket", 1) != NULL); /* families */
  CHECK (sc_rule_for (p, "socket", 3) != NULL); /* ping */
  /* the filter is valid for seccomp.c */
  struct werr err = { 0 };
  CHECK (seccomp_profile_validate (&p->sc.filter, &err) == 0);
  policy_plan_free (p);
  p = ok (NULL,
          "{\"syscalls\": {\"profile\": \"strict\", \"allow\": [\"bpf\"]}, "
          "\"processContainer\": {\"captureDenials\": {\"mode\": \"allow\"}}}");
  if (p)
    {
      CHECK (has (p->sc.deny, p->sc.n_deny, "unshare"));
      CHECK (has (p->sc.deny, p->sc.n_deny, "setns"));
      CHECK (!has (p->sc.deny, p->sc.n_deny, "bpf"));
      CHECK (sc_rule_for (p, "unshare", 1) == NULL); /* denied outright */
      CHECK_STR_EQ (p->sc.filter.syscalls[0].action, "SCMP_ACT_LOG");
      CHECK (!p->fs.landlock && !p->net.filter); /* audit mode */
    }
  policy_plan_free (p);
}

static void
test_privileges_and_view (void)
{
  struct werr err = { 0 };
  struct oci_config *cfg = cfg_from (
      "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"}, \"process\": "
      "{\"cwd\": \"/\", \"args\": [\"sh\"], \"env\": [\"PATH=/bin\", "
      "\"DISPLAY=:0\","
      " \"DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/0/bus\"], "
      "\"capabilities\": "
      "{\"bounding\": [\"CAP_CHOWN\", \"CAP_SYS_ADMIN\", \"CAP_NET_RAW\"], "
      "\"effective\": [\"CAP_CHOWN\", \"CAP_SYS_ADMIN\"]}}, \"linux\": "
      "{\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"network\"}], "
      "\"maskedPaths\": [\"/proc/kcore\"], \"resources\": {\"pids\": "
      "{\"limit\": 50}}}, "
      "\"annotations\": {\"x\": \"y\"}}");
  struct policy_plan *p = compile_with (
      NULL,
      "{\"resources\": {\"memoryMb\": 256, \"cpus\": 0.5, \"pids\": 100}, "
      "\"process\": {\"timeout\": 1000}, \"identity\": {\"agent\": \"bob\"}}",
      &full_host, cfg, &err);
  if (!CHECK (p != NULL))
    {
      fprintf (stderr, "     %s\n", err.msg);
      oci_config_free (cfg);
      return;
    }
  const struct oci_config *v = p->view;
  CHECK (v->process.no_new_privileges && p->nnp_forced);
  CHECK_INT_EQ (v->process.capabilities.bounding.n, 1);
  CHECK_STR_EQ (v->process.capabilities.bounding.v[0], "CAP_CHOWN");
  CHECK_INT_EQ (v->process.capabilities.effective.n, 1);
  CHECK (has (p->caps_dropped, p->n_caps_dropped, "CAP_SYS_ADMIN"));
  CHECK (has (p->caps_dropped, p->n_caps_dropped, "CAP_NET_RAW"));
  CHECK_INT_EQ (cfg->process.capabilities.bounding.n, 3); /* untouched */
  CHECK_INT_EQ (v->process.env.n, 1);
  CHECK (has (p->env_dropped, p->n_env_dropped, "DISPLAY"));
  CHECK (
      has (v->linux_.masked_paths.v, v->linux_.masked_paths.n, "/proc/kcore"));
  CHECK (has (v->linux_.masked_paths.v, v->linux_.masked_paths.n,
              "/tmp/.X11-unix"));
  CHECK (v->linux_.resources.memory.limit == 256 << 20);
  CHECK (v->linux_.resources.cpu.quota == 50000);
  CHECK (v->linux_.resources.pids_limit == 50); /* the bundle's is lower */
  CHECK (p->has_timeout && p->timeout_ms == 1000);
  CHECK_STR_EQ (oci_config_annotation (v, "x"), "y");
  const char *rep = oci_config_annotation (v, "run.ward.enforced");
  CHECK_STR_HAS (rep, "agent=bob");
  CHECK_STR_HAS (rep, "fs=landlock7");
  CHECK_STR_HAS (rep, "net=bpf+bind");
  CHECK_STR_HAS (rep, "timeout=1000ms");
  CHECK (oci_config_annotation (cfg, "run.ward.enforced") == NULL);
  policy_plan_free (p);
  oci_config_free (cfg);
}

static void
test_identity_and_levels (void)
{
  struct policy_host se = full_host, rootless = full_host;
  se.selinux = true;
  CHECK_STR_EQ (
      fails ("{\"identity\": {\"selinux\": \"required\"}}", &full_host),
      "policy: identity.selinux: SELinux labels are required but SELinux "
      "is not enabled on this host");
  CHECK_STR_HAS (fails ("{\"containment\": \"microvm\"}", &full_host),
                 "policy: containment: microvm needs a VM backend");
  rootless.rootless = true;
  rootless.cgroup_bpf = false;
  CHECK_STR_EQ (fails ("{\"containment\": \"isolation_session\", \"network\": "
                       "{\"egress\": {\"default\": \"allow\"}, \"ingress\": "
                       "{\"default\": \"allow\"}}}",
                       &rootless),
                "policy: containment: session needs a user namespace mapped to "
                "the agent's own id range, which needs root");
  struct werr err = { 0 };
  struct policy_plan *p = compile_with (
      NULL, "{\"identity\": {\"agent\": \"alice\"}}", &se, NULL, &err);
  if (CHECK (p != NULL))
    {
      char want[64];
      snprintf (want, sizeof want, "system_u:system_r:container_t:s0:c%u,c%u",
                p->mcs[0], p->mcs[1]);
      CHECK_STR_EQ (p->process_label, want);
      CHECK_STR_EQ (p->view->process.selinux_label, want);
      CHECK_STR_HAS (p->mount_label, "container_file_t:s0:c");
    }
  policy_plan_free (p);
  p = compile_with (NULL, "{\"containment\": \"isolation_session\"}",
                    &full_host, NULL, &err);
  if (CHECK (p != NULL))
    {
      CHECK (p->userns_added && p->new_keyring);
      CHECK (oci_config_namespace (p->view, OCI_NS_USER) != NULL);
      CHECK_INT_EQ (p->view->linux_.n_uid_mappings, 1);
      CHECK_UINT_EQ (p->view->linux_.uid_mappings[0].host_id, p->id_base);
    }
  policy_plan_free (p);
  p = compile_with (NULL,
                    "{\"containment\": \"microvm\", \"compatibility\": "
                    "\"best_effort\"}",
                    &full_host, NULL, &err);
  CHECK (p && p->n_weak == 1 && p->level == POL_LEVEL_CONTAINER);
  policy_plan_free (p);
}

static void
test_mcs (void)
{
  unsigned a[2], b[2], c[2];
  policy_mcs_derive ("agent-a", a);
  policy_mcs_derive ("agent-a", b);
  policy_mcs_derive ("agent-b", c);
  CHECK (a[0] == b[0] && a[1] == b[1]);
  CHECK (a[0] != c[0] || a[1] != c[1]);
  /* Pinned: the derivation is documented and must not drift. */
  policy_mcs_derive ("", a);
  CHECK (a[0] < a[1] && a[1] <= 1023);
  unsigned seen = 0;
  char name[32];
  for (int i = 0; i < 2000; i++)
    {
      snprintf (name, sizeof name, "agent-%d", i);
      policy_mcs_derive (name, a);
      CHECK (a[0] < a[1] && a[1] <= 1023);
      if (a[0] == 0)
        seen++;
    }
  CHECK (seen < 2000);
  uint32_t base, size;
  policy_id_range_derive ("agent-a", &base, &size);
  CHECK (base >= 1048576 && size == 65536 && (base - 1048576) % 65536 == 0);
  CHECK ((uint64_t) base + size <= (1ULL << 31));
}

static void
test_mcs_known_values (void)
{
  /* FNV-1a-64 of "" is its offset basis; the pair is the k-th in
   * lexicographic order, recomputed here independently. */
  uint64_t h = 0xcbf29ce484222325ULL % 523776;
  unsigned x = 0;
  while (h >= 1023 - x)
    h -= 1023 - x++;
  unsigned a[2];
  policy_mcs_derive ("", a);
  CHECK_INT_EQ (a[0], x);
  CHECK_INT_EQ (a[1], x + 1 + (unsigned) h);
}

static void
test_plan_json (void)
{
  struct policy_plan *p = ok ("coding", "{\"process\": {\"timeout\": 5}}");
  if (!p)
    return;
  char *json = NULL;
  struct werr err = { 0 };
  CHECK (policy_plan_json (p, false, &json, &err) == 0);
  struct jnode *root = json ? jnode_parse (json, strlen (json), &err) : NULL;
  CHECK (root != NULL);
  CHECK_STR_EQ (jnode_str (jnode_get (root, "profile")), "coding");
  CHECK (jnode_get (jnode_get (root, "filesystem"), "rules") != NULL);
  CHECK (jnode_int (jnode_get (root, "timeoutMs")) == 5);
  jnode_free (root);
  free (json);
  FILE *out = fopen ("/dev/null", "w");
  policy_plan_explain (p, out);
  fclose (out);
  policy_plan_free (p);
}

static void
test_profiles_compile (void)
{
  const struct policy_profile *v;
  size_t n = policy_profile_list (&v);
  for (size_t i = 0; i < n; i++)
    {
      struct policy_plan *p = ok (v[i].name, NULL);
      if (p && strcmp (v[i].name, "offline") == 0)
        CHECK (!allows (p, "8.8.8.8", 53, POL_PROTO_UDP));
      if (p && strcmp (v[i].name, "coding") == 0)
        {
          CHECK (rule (p, "/workspace")->kind == POL_FS_RW);
          CHECK (rule (p, "/etc/shadow")->kind == POL_FS_DENY);
        }
      policy_plan_free (p);
    }
  /* deny wins: an allow layered on offline stays denied */
  struct policy_plan *p
      = ok ("offline", "{\"network\": {\"egress\": {\"default\":"
                       " \"allow\", \"allow\": [{\"to\": "
                       "[{\"cidr\": \"8.8.8.8\"}]}]}}}");
  if (p)
    CHECK (!allows (p, "8.8.8.8", 53, POL_PROTO_UDP));
  policy_plan_free (p);
}

static void
test_portsets (void)
{
  struct plan_portset s = { 0 };
  struct plan_portrange a = { 80, 80, POL_PROTO_TCP },
                        b = { 81, 90, POL_PROTO_TCP },
                        c = { 53, 53, POL_PROTO_UDP };
  CHECK (plan_portset_add (&s, &a) == 0 && plan_portset_add (&s, &b) == 0);
  CHECK_INT_EQ (s.n, 1); /* adjacent ranges merge */
  CHECK (plan_portset_add (&s, &c) == 0);
  CHECK_INT_EQ (s.n, 2);
  CHECK (plan_portset_match (&s, 85, POL_PROTO_TCP));
  CHECK (!plan_portset_match (&s, 85, POL_PROTO_UDP));
  CHECK (plan_portset_match (&s, 53, POL_PROTO_UDP));
  for (uint16_t i = 0; i < PLAN_PORTSET_MAX - 2; i++)
    {
      struct plan_portrange r = { (uint16_t) (1000 + 2 * i),
                                  (uint16_t) (1000 + 2 * i), POL_PROTO_TCP };
      CHECK (plan_portset_add (&s, &r) == 0);
    }
  struct plan_portrange r = { 5000, 5000, POL_PROTO_TCP };
  CHECK (plan_portset_add (&s, &r) < 0);
}

static void
test_exec_reload (void)
{
  struct policy_plan *p
      = ok ("coding", "{\"syscalls\": {\"profile\": \"strict\"}}");
  if (!p)
    return;
  char dir[] = "/tmp/ward-test-plan-XXXXXX";
  CHECK (mkdtemp (dir) != NULL);
  int dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  struct werr err = { 0 };
  CHECK (policy_save (p, dfd, &err) == 0);
  struct policy_plan *q = NULL;
  CHECK (policy_exec_load (dfd, &q, &err) == 0 && q != NULL);
  if (q)
    {
      CHECK (q->fs.landlock && q->fs.abi == p->fs.abi);
      CHECK_UINT_EQ (q->fs.handled, p->fs.handled);
      CHECK_INT_EQ (q->fs.n_rules, p->fs.n_rules);
      for (size_t i = 0; i < q->fs.n_rules && i < p->fs.n_rules; i++)
        {
          CHECK_STR_EQ (q->fs.rules[i].path, p->fs.rules[i].path);
          CHECK_UINT_EQ (q->fs.rules[i].access, p->fs.rules[i].access);
          CHECK (q->fs.rules[i].kind == p->fs.rules[i].kind);
        }
      CHECK_INT_EQ (q->sc.n_deny, p->sc.n_deny);
      CHECK (q->sc.strict && q->sc.deny_newuser);
      CHECK_INT_EQ (q->sc.filter.n_syscalls, p->sc.filter.n_syscalls);
      CHECK_INT_EQ (q->n_masks, p->n_masks);
    }
  policy_plan_free (q);
  /* no plan.json: a container without policy */
  struct policy_plan *none = (struct policy_plan *) 1;
  int empty = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  CHECK (policy_exec_load (empty, &none, &err) == 0 && none == NULL);
  close (empty);
  unlinkat (dfd, "plan.json", 0);
  close (dfd);
  rmdir (dir);
  policy_plan_free (p);
}

static void
test_exec_process (void)
{
  struct oci_config *cfg = cfg_from (
      "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"}, \"process\": "
      "{\"cwd\": \"/\", \"args\": [\"sh\"], \"env\": [\"A=1\", "
      "\"DISPLAY=:0\"], "
      "\"capabilities\": {\"bounding\": [\"CAP_SYS_ADMIN\", \"CAP_KILL\"]}}}");
  struct policy_plan fake = { 0 };
  policy_exec_process (&fake, &cfg->process);
  CHECK_INT_EQ (cfg->process.capabilities.bounding.n, 1);
  CHECK_STR_EQ (cfg->process.capabilities.bounding.v[0], "CAP_KILL");
  CHECK_INT_EQ (cfg->process.env.n, 1);
  CHECK (cfg->process.no_new_privileges);
  oci_config_free (cfg);
}

static struct policy_plan *
example (const char *name, const struct policy_host *host)
{
  char path[512];
  snprintf (path, sizeof path, "%s/%s", POLICY_DIR, name);
  struct policy_input in = { 0 };
  struct policy_plan *plan = NULL;
  struct werr err = { 0 };
  if (policy_input_from_file (path, NULL, NULL, &in, &err) == 0)
    policy_compile (&in, g_default, "c1", host, &plan, &err);
  if (!CHECK (plan != NULL))
    fprintf (stderr, "     %s: %s\n", name, err.msg);
  policy_input_clear (&in);
  return plan;
}

/* The expected outcome of each MXC-style example in contrib/policies. */
static void
test_examples_outcomes (void)
{
  struct policy_plan *p = example ("egress-cidr.json", &full_host);
  if (p)
    {
      CHECK (allows (p, "10.1.2.3", 443, POL_PROTO_TCP));
      CHECK (!allows (p, "10.1.2.3", 80, POL_PROTO_TCP));
      CHECK (!allows (p, "10.66.1.1", 443, POL_PROTO_TCP)); /* except */
      CHECK (!allows (p, "10.0.0.5", 443, POL_PROTO_TCP));  /* deny */
      CHECK (allows (p, "10.0.0.53", 53, POL_PROTO_UDP));
      CHECK (allows (p, "10.0.0.53", 53, POL_PROTO_TCP));
      CHECK (allows (p, "2001:db8:1::9", 22, POL_PROTO_TCP));
      CHECK (!allows (p, "2001:db8:2::9", 22, POL_PROTO_TCP));
      CHECK (!allows (p, "192.0.2.1", 443, POL_PROTO_TCP));
    }
  policy_plan_free (p);
  p = example ("mxc-0.7-legacy.json", &full_host);
  if (p)
    {
      CHECK (allows (p, "140.82.112.5", 22, POL_PROTO_TCP));
      CHECK (!allows (p, "140.82.113.1", 443, POL_PROTO_TCP));
      CHECK (allows (p, "192.0.2.10", 8080, POL_PROTO_UDP));
      CHECK (!allows (p, "192.0.2.11", 8080, POL_PROTO_UDP));
      CHECK (rule (p, "/data")->kind == POL_FS_RO);
      CHECK (rule (p, "/tmp/out")->kind == POL_FS_RW);
      CHECK (p->level == POL_LEVEL_PROCESS);
      CHECK (p->n_notes >= 3);
    }
  policy_plan_free (p);
  p = example ("nested-paths.json", &full_host);
  if (p)
    {
      CHECK (rule (p, "/srv")->kind == POL_FS_RW);
      CHECK (rule (p, "/srv/ref")->kind == POL_FS_RO);
      CHECK (rule (p, "/srv/ref/private")->kind == POL_FS_DENY);
      CHECK (has (p->masks, p->n_masks, "/srv/token"));
      CHECK (has (p->ro_remounts, p->n_ro_remounts, "/srv/ref"));
    }
  policy_plan_free (p);
  p = example ("agent-workspace.json", &full_host);
  if (p)
    {
      CHECK (allows (p, "10.20.30.5", 443, POL_PROTO_TCP));
      CHECK (!allows (p, "10.20.30.5", 80, POL_PROTO_TCP));
      CHECK (p->has_timeout && p->timeout_ms == 600000);
      CHECK_STR_EQ (p->agent, "coder-1");
    }
  policy_plan_free (p);
  p = example ("best-effort.json", &full_host);
  if (p)
    {
      CHECK_INT_EQ (p->n_weak, 2); /* microvm, SELinux */
      CHECK (p->level == POL_LEVEL_CONTAINER);
    }
  policy_plan_free (p);
}

int
main (void)
{
  g_default = default_cfg ();
  if (g_default == NULL)
    return 1;
  RUN (test_fs_rules);
  RUN (test_fs_baseline_only_widens);
  RUN (test_fs_errors);
  RUN (test_egress_maps);
  RUN (test_egress_defaults);
  RUN (test_egress_errors);
  RUN (test_seccomp);
  RUN (test_privileges_and_view);
  RUN (test_identity_and_levels);
  RUN (test_mcs);
  RUN (test_mcs_known_values);
  RUN (test_plan_json);
  RUN (test_profiles_compile);
  RUN (test_portsets);
  RUN (test_exec_reload);
  RUN (test_exec_process);
  RUN (test_examples_outcomes);
  oci_config_free (g_default);
  return unit_report ();
}
