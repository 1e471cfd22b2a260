/* Unit tests: the policy document parser (every field, every error path),
 * layering over profiles, the built-in profiles, the annotations. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "doc.h"
#include "plan.h"
#include "policy.h"
#include "unit.h"
#include "ward/oci_config.h"

static struct agent_policy *
parse_ok (const char *json)
{
  struct agent_policy *p = NULL;
  struct werr err = { 0 };
  if (!CHECK (mxc_parse (json, strlen (json), NULL, &p, &err) == 0))
    fprintf (stderr, "     error: %s\n     input: %s\n", err.msg, json);
  return p;
}

/* The document fails; the message is returned (static buffer). */
static const char *
parse_err (const char *json)
{
  static struct werr err;
  struct agent_policy *p = NULL;
  memset (&err, 0, sizeof err);
  if (!CHECK (mxc_parse (json, strlen (json), NULL, &p, &err) < 0))
    {
      fprintf (stderr, "     accepted: %s\n", json);
      agent_policy_free (p);
      return "";
    }
  return err.msg;
}

#define CHECK_ERR(json, want) CHECK_STR_EQ (parse_err (json), want)
#define CHECK_ERR_HAS(json, want) CHECK_STR_HAS (parse_err (json), want)

static void
test_empty_defaults (void)
{
  struct agent_policy *p = parse_ok ("{}");
  if (!p)
    return;
  CHECK_INT_EQ (p->schema_minor, 8);
  CHECK (p->ui_disable);
  CHECK (p->egress_default == POL_DENY && !p->has_egress_default);
  CHECK (p->ingress_default == POL_DENY && p->host_loopback == POL_DENY);
  CHECK_INT_EQ (p->n_fs, 0);
  CHECK (!p->has_timeout && !p->audit && !p->best_effort);
  agent_policy_free (p);
}

/* Every field of the 0.8 schema at once, plus ward's extensions. */
static const char full_08[]
    = "{\"$schema\": \"https://example/mxc.json\", \"_comment\": \"all\","
      " \"version\": \"0.8.0-alpha\", \"containerId\": \"c1\","
      " \"containment\": \"bubblewrap\","
      " \"fallback\": {\"allowDaclMutation\": false},"
      " \"filesystem\": {\"readonlyPaths\": [\"/data\"], \"readwritePaths\": "
      "[\"/workspace\"], \"deniedPaths\": [\"/workspace/.env\"]},"
      " \"lifecycle\": {\"destroyOnExit\": true, \"preservePolicy\": false},"
      " \"lxc\": {\"distribution\": \"alpine\", \"release\": \"3.23\"},"
      " \"network\": {\"egress\": {\"default\": \"deny\", \"allow\": [{\"to\": "
      "[{\"cidr\": \"140.82.112.0/20\", \"except\": [\"140.82.113.0/24\"]}], "
      "\"ports\": [{\"protocol\": \"tcp\", \"port\": 443}, {\"protocol\": "
      "\"udp\", "
      "\"port\": 5000, \"endPort\": 5010}]}], \"deny\": [{\"to\": [{\"cidr\": "
      "\"2001:db8::/32\"}]}]}, \"ingress\": {\"default\": \"allow\", "
      "\"hostLoopback\": \"deny\"}, \"dns\": {\"upstream\": [\"192.0.2.53\"]}},"
      " \"process\": {\"commandLine\": \"make test\", \"cwd\": \"/workspace\","
      " \"env\": [\"A=b\", \"EMPTY=\"], \"timeout\": 60000},"
      " \"processContainer\": {\"captureDenials\": {\"mode\": \"block\", "
      "\"outputPath\": \"/tmp/d.json\", \"retainEtl\": false}, "
      "\"learningMode\": "
      "true, \"leastPrivilege\": true, \"network\": {\"allowedProxyPeer\": "
      "\"p\"},"
      " \"ui\": {\"desktopSystemControl\": false, \"ime\": false, "
      "\"isolation\": "
      "\"desktop\", \"systemSettings\": \"none\"}},"
      " \"runtimeConfig\": {\"networkProxy\": null},"
      " \"seatbelt\": {\"guiAccess\": false, \"keychainAccess\": false, "
      "\"launchMethod\": \"exec\", \"nestedPty\": true, \"extraMachLookups\": "
      "[]},"
      " \"ui\": {\"clipboard\": \"none\", \"disable\": true, \"injection\": "
      "false},"
      " \"syscalls\": {\"profile\": \"strict\", \"deny\": [\"chmod\"], "
      "\"allow\": "
      "[\"io_uring_setup\"]},"
      " \"resources\": {\"memoryMb\": 512, \"cpus\": 1.5, \"pids\": 100},"
      " \"identity\": {\"agent\": \"reviewer-7\", \"selinux\": \"auto\"},"
      " \"compatibility\": \"best_effort\"}";

static void
test_full_document (void)
{
  struct agent_policy *p = parse_ok (full_08);
  if (!p)
    return;
  CHECK_INT_EQ (p->schema_minor, 8);
  CHECK (p->has_containment && p->level == POL_LEVEL_PROCESS);
  CHECK_INT_EQ (p->n_fs, 3);
  CHECK_STR_EQ (p->fs[0].path, "/workspace");
  CHECK (p->fs[0].access == POL_FS_RW);
  CHECK_STR_EQ (p->fs[0].where, "filesystem.readwritePaths[0]");
  CHECK (p->fs[1].access == POL_FS_RO && p->fs[2].access == POL_FS_DENY);
  CHECK_INT_EQ (p->n_allow, 1);
  CHECK_INT_EQ (p->allow[0].n_to, 1);
  CHECK_INT_EQ (p->allow[0].to[0].cidr.len, 20);
  CHECK_INT_EQ (p->allow[0].to[0].n_except, 1);
  CHECK_INT_EQ (p->allow[0].n_ports, 2);
  CHECK (p->allow[0].ports[0].protos == POL_PROTO_TCP);
  CHECK_INT_EQ (p->allow[0].ports[0].lo, 443);
  CHECK_INT_EQ (p->allow[0].ports[1].hi, 5010);
  CHECK_STR_EQ (p->allow[0].where, "network.egress.allow[0]");
  CHECK_INT_EQ (p->n_deny, 1);
  CHECK (p->deny[0].to[0].cidr.family == AF_INET6);
  CHECK (p->ingress_default == POL_ALLOW && p->host_loopback == POL_DENY);
  CHECK_INT_EQ (p->n_dns, 1);
  CHECK_STR_EQ (p->command_line, "make test");
  CHECK_STR_EQ (p->cwd, "/workspace");
  CHECK_INT_EQ (p->n_env, 2);
  CHECK (p->has_timeout && p->timeout_ms == 60000);
  CHECK (p->log_denials && !p->audit);
  CHECK (p->syscalls_strict && p->n_sys_deny == 1 && p->n_sys_allow == 1);
  CHECK (p->has_memory_mb && p->memory_mb == 512);
  CHECK (p->has_cpus && p->millicpus == 1500);
  CHECK (p->has_pids && p->pids == 100);
  CHECK_STR_EQ (p->agent, "reviewer-7");
  CHECK (p->best_effort && !p->selinux_required);
  CHECK_INT_EQ (p->n_unsupported, 0);
  CHECK (p->n_notes > 5);
  agent_policy_free (p);
}

static void
test_unknown_and_duplicate (void)
{
  CHECK_ERR ("{\"filesystm\": {}}", "policy: filesystm: unknown field");
  CHECK_ERR ("{\"network\": {\"egress\": {\"allow\": [{\"to\": [{\"cdir\": "
             "\"1.2.3.4\"}]}]}}}",
             "policy: network.egress.allow[0].to[0].cdir: unknown field");
  CHECK_ERR ("{\"ui\": {\"disable\": true, \"disable\": false}}",
             "policy: ui.disable: duplicate field");
  CHECK_ERR ("{\"_comment\": 1, \"process\": {\"_comment\": \"x\"}}",
             "policy: process._comment: unknown field");
  CHECK_ERR ("[]", "policy: expected an object, got an array");
}

static void
test_types (void)
{
  CHECK_ERR (
      "{\"process\": {\"timeout\": \"10\"}}",
      "policy: process.timeout: expected an integer from 0 to 4294967295");
  CHECK_ERR (
      "{\"process\": {\"timeout\": 1.5}}",
      "policy: process.timeout: expected an integer from 0 to 4294967295");
  CHECK_ERR (
      "{\"process\": {\"timeout\": 4294967296}}",
      "policy: process.timeout: expected an integer from 0 to 4294967295");
  CHECK_ERR ("{\"filesystem\": {\"readonlyPaths\": \"/x\"}}",
             "policy: filesystem.readonlyPaths: expected an array of paths");
  CHECK_ERR (
      "{\"filesystem\": {\"readonlyPaths\": [1]}}",
      "policy: filesystem.readonlyPaths[0]: expected a string, got a number");
  CHECK_ERR ("{\"ui\": {\"disable\": \"yes\"}}",
             "policy: ui.disable: expected true or false, got a string");
  CHECK_ERR ("{\"network\": []}",
             "policy: network: expected an object, got an array");
  CHECK_ERR ("{\"filesystem\": {\"deniedPaths\": [\"/a\\u0000b\"]}}",
             "policy: filesystem.deniedPaths[0]: contains a NUL character");
  CHECK_ERR_HAS ("{\"filesystem\": ", "policy: invalid JSON at line 1");
  /* null is "absent" everywhere the schema allows it */
  struct agent_policy *p = parse_ok (
      "{\"filesystem\": null, \"network\": {\"egress\": null}, \"process\": "
      "{\"timeout\": null, \"env\": null}, \"ui\": {\"disable\": null}}");
  CHECK (p && p->ui_disable && !p->has_timeout);
  agent_policy_free (p);
}

static void
test_cidrs (void)
{
  CHECK_ERR (
      "{\"network\": {\"egress\": {\"allow\": [{\"to\": [{\"cidr\": "
      "\"10.0.0/8\"}]}]}}}",
      "policy: network.egress.allow[0].to[0].cidr: \"10.0.0/8\" is not a CIDR");
  CHECK_ERR (
      "{\"network\": {\"egress\": {\"allow\": [{}, {}, {\"to\": [{\"cidr\": "
      "\"10.0.0/8\"}]}]}}}",
      "policy: network.egress.allow[2].to[0].cidr: \"10.0.0/8\" is not a CIDR");
  CHECK_ERR (
      "{\"network\": {\"egress\": {\"deny\": [{\"to\": [{\"cidr\": "
      "\"10.0.0.1/8\"}]}]}}}",
      "policy: network.egress.deny[0].to[0].cidr: \"10.0.0.1/8\" has bits "
      "set after the prefix length");
  CHECK_ERR ("{\"network\": {\"egress\": {\"deny\": [{\"to\": [{\"cidr\": "
             "\"10.0.0.0/33\"}]}]}}}",
             "policy: network.egress.deny[0].to[0].cidr: \"10.0.0.0/33\" has a "
             "prefix length out of range");
  CHECK_ERR (
      "{\"network\": {\"egress\": {\"deny\": [{\"to\": [{\"cidr\": "
      "\"10.0.0.0/8\", \"except\": [\"11.0.0.0/16\"]}]}]}}}",
      "policy: network.egress.deny[0].to[0].except[0]: 11.0.0.0/16 is not "
      "strictly inside the peer's cidr 10.0.0.0/8");
  CHECK_ERR (
      "{\"network\": {\"egress\": {\"deny\": [{\"to\": [{\"cidr\": "
      "\"10.0.0.0/8\", \"except\": [\"10.0.0.0/8\"]}]}]}}}",
      "policy: network.egress.deny[0].to[0].except[0]: 10.0.0.0/8 is not "
      "strictly inside the peer's cidr 10.0.0.0/8");
  CHECK_ERR (
      "{\"network\": {\"egress\": {\"deny\": [{\"to\": [{}]}]}}}",
      "policy: network.egress.deny[0].to[0]: needs exactly one of \"cidr\" "
      "and \"host\"");
  CHECK_ERR ("{\"network\": {\"egress\": {\"deny\": [{\"to\": []}]}}}",
             "policy: network.egress.deny[0].to: expected a non-empty array");
  /* bare addresses are host prefixes; v4-mapped blocks are IPv4 */
  struct agent_policy *p = parse_ok (
      "{\"network\": {\"egress\": {\"allow\": [{\"to\": [{\"cidr\": "
      "\"192.0.2.1\"}, "
      "{\"cidr\": \"::ffff:10.0.0.0/104\"}, {\"cidr\": \"2001:db8::1\"}]}]}}}");
  if (p)
    {
      CHECK_INT_EQ (p->allow[0].to[0].cidr.len, 32);
      CHECK (p->allow[0].to[1].cidr.family == AF_INET);
      CHECK_INT_EQ (p->allow[0].to[1].cidr.len, 8);
      CHECK_INT_EQ (p->allow[0].to[1].cidr.addr[0], 10);
      CHECK_INT_EQ (p->allow[0].to[2].cidr.len, 128);
    }
  agent_policy_free (p);
}

static void
test_ports (void)
{
#define RULE(ports)                                                            \
  "{\"network\": {\"egress\": {\"allow\": [{\"ports\": [" ports "]}]}}}"
  CHECK_ERR (
      RULE ("{\"port\": 0}"),
      "policy: network.egress.allow[0].ports[0].port: expected an integer "
      "from 1 to 65535");
  CHECK_ERR (
      RULE ("{\"port\": 65536}"),
      "policy: network.egress.allow[0].ports[0].port: expected an integer "
      "from 1 to 65535");
  CHECK_ERR (
      RULE ("{\"endPort\": 80}"),
      "policy: network.egress.allow[0].ports[0].endPort: needs \"port\"");
  CHECK_ERR (
      RULE ("{\"port\": 80, \"endPort\": 79}"),
      "policy: network.egress.allow[0].ports[0].endPort: 79 is below port 80");
  CHECK_ERR (
      RULE ("{\"protocol\": \"icmp\", \"port\": 1}"),
      "policy: network.egress.allow[0].ports[0].port: icmp has no ports");
  CHECK_ERR (
      RULE ("{\"protocol\": \"sctp\"}"),
      "policy: network.egress.allow[0].ports[0].protocol: \"sctp\" is not "
      "tcp, udp, icmp or any");
  CHECK_ERR (
      "{\"network\": {\"egress\": {\"allow\": [{\"ports\": []}]}}}",
      "policy: network.egress.allow[0].ports: expected a non-empty array");
  struct agent_policy *p
      = parse_ok (RULE ("{\"port\": 53}, {\"protocol\": \"any\"}, "
                        "{\"protocol\": \"icmp\"}"));
  if (p)
    {
      CHECK_UINT_EQ (p->allow[0].ports[0].protos,
                     POL_PROTO_TCP | POL_PROTO_UDP);
      CHECK_UINT_EQ (p->allow[0].ports[1].protos, POL_PROTO_ALL);
      CHECK_INT_EQ (p->allow[0].ports[1].hi, 65535);
      CHECK_UINT_EQ (p->allow[0].ports[2].protos, POL_PROTO_OTHER);
    }
  agent_policy_free (p);
#undef RULE
}

static void
test_hosts (void)
{
#define HOST(h)                                                                \
  "{\"network\": {\"egress\": {\"allow\": [{\"to\": [{\"host\": " h "}]}]}}}"
  CHECK_ERR (
      HOST ("\"*\""),
      "policy: network.egress.allow[0].to[0].host: \"*\" is a wildcard that "
      "matches every name");
  CHECK_ERR (
      HOST ("\"*.com\""),
      "policy: network.egress.allow[0].to[0].host: \"*.com\" is a wildcard "
      "over a whole top-level domain");
  CHECK_ERR (HOST ("\"a.*.com\""),
             "policy: network.egress.allow[0].to[0].host: \"a.*.com\" may only "
             "start with \"*.\"");
  CHECK_ERR (
      HOST ("\"foo..bar\""),
      "policy: network.egress.allow[0].to[0].host: \"foo..bar\" is not a "
      "host name");
  CHECK_ERR (HOST ("\"1.2.3.4\""),
             "policy: network.egress.allow[0].to[0].host: \"1.2.3.4\" is an "
             "address, not a host name (use \"cidr\")");
  CHECK_ERR (
      "{\"network\": {\"egress\": {\"allow\": [{\"to\": [{\"host\": "
      "\"a.example\", \"except\": [\"1.0.0.0/8\"]}]}]}}}",
      "policy: network.egress.allow[0].to[0].except: applies to a \"cidr\" "
      "peer, not to a host name");
  struct agent_policy *p = parse_ok (HOST ("\"*.githubusercontent.com\""));
  CHECK (p && p->allow[0].to[0].host
         && strcmp (p->allow[0].to[0].host, "*.githubusercontent.com") == 0);
  agent_policy_free (p);
#undef HOST
}

static void
test_legacy_network (void)
{
  struct agent_policy *p = parse_ok (
      "{\"version\": \"0.7.0-alpha\", \"network\": {\"defaultPolicy\": "
      "\"block\","
      " \"allowedHosts\": [\"140.82.112.0/20\", \"192.0.2.7\", \"pypi.org\"],"
      " \"blockedHosts\": [\"140.82.113.0/24\"], \"allowLocalNetwork\": true,"
      " \"enforcementMode\": \"both\"}}");
  if (p)
    {
      CHECK_INT_EQ (p->schema_minor, 7);
      CHECK (p->legacy_network);
      CHECK (p->has_egress_default && p->egress_default == POL_DENY);
      CHECK_INT_EQ (p->n_allow, 3);
      CHECK_INT_EQ (p->allow[1].to[0].cidr.len, 32);
      CHECK_STR_EQ (p->allow[2].to[0].host, "pypi.org");
      CHECK_STR_EQ (p->allow[2].where, "network.allowedHosts[2]");
      CHECK_INT_EQ (p->n_deny, 1);
      CHECK (p->ingress_default == POL_ALLOW);
      CHECK_INT_EQ (p->allow[0].n_ports, 0);
    }
  agent_policy_free (p);
  p = parse_ok (
      "{\"version\": \"0.6.0-alpha\", \"network\": {\"defaultPolicy\": "
      "\"allow\"}}");
  CHECK (p && p->egress_default == POL_ALLOW && p->schema_minor == 6);
  agent_policy_free (p);
  CHECK_ERR ("{\"network\": {\"defaultPolicy\": \"block\", \"egress\": {}}}",
             "policy: network: legacy field \"defaultPolicy\" and 0.8 field "
             "\"egress\" cannot be mixed");
  CHECK_ERR ("{\"version\": \"0.7.0-alpha\", \"network\": {\"ingress\": {}}}",
             "policy: network.ingress: needs version 0.8.0-alpha or later (the "
             "document says 0.7.0-alpha)");
  CHECK_ERR (
      "{\"network\": {\"defaultPolicy\": \"deny\"}}",
      "policy: network.defaultPolicy: \"deny\" is not \"allow\" or \"block\"");
  CHECK_ERR (
      "{\"network\": {\"egress\": {\"default\": \"block\"}}}",
      "policy: network.egress.default: \"block\" is not \"allow\" or \"deny\"");
  CHECK_ERR ("{\"network\": {\"allowedHosts\": [\"not a host\"]}}",
             "policy: network.allowedHosts[0]: \"not a host\" is neither an "
             "address, a CIDR nor a host name");
  p = parse_ok ("{\"network\": {\"proxy\": {\"localhost\": 8080}}}");
  CHECK (p && p->proxy && strcmp (p->proxy, "http://127.0.0.1:8080") == 0);
  agent_policy_free (p);
}

static void
test_versions (void)
{
  CHECK_ERR (
      "{\"version\": \"0.9.0-alpha\"}",
      "policy: version: \"0.9.0-alpha\" is not supported (ward reads MXC "
      "schema 0.6.0-alpha to 0.8.0-alpha)");
  CHECK_ERR ("{\"version\": \"1.0\"}",
             "policy: version: \"1.0\" is not supported (ward reads MXC schema "
             "0.6.0-alpha to 0.8.0-alpha)");
  struct agent_policy *p = parse_ok ("{\"version\": \"0.8.1\"}");
  CHECK (p && p->schema_minor == 8);
  agent_policy_free (p);
}

static void
test_paths (void)
{
  CHECK_ERR ("{\"filesystem\": {\"readwritePaths\": [\"workspace\"]}}",
             "policy: filesystem.readwritePaths[0]: \"workspace\" must be an "
             "absolute path (paths are paths inside the container)");
  CHECK_ERR (
      "{\"filesystem\": {\"deniedPaths\": [\"/a/../etc\"]}}",
      "policy: filesystem.deniedPaths[0]: \"/a/../etc\" must not contain "
      "\"..\" (paths are paths inside the container)");
  CHECK_ERR ("{\"filesystem\": {\"deniedPaths\": [\"\"]}}",
             "policy: filesystem.deniedPaths[0]: \"\" must be an absolute path "
             "(paths are paths inside the container)");
  struct agent_policy *p = parse_ok (
      "{\"filesystem\": {\"readonlyPaths\": [\"/a//b/./c/\", \"/\", \"//\"]}}");
  if (p)
    {
      CHECK_STR_EQ (p->fs[0].path, "/a/b/c");
      CHECK_STR_EQ (p->fs[1].path, "/");
      CHECK_STR_EQ (p->fs[2].path, "/");
    }
  agent_policy_free (p);
  CHECK (pol_path_under ("/a/b", "/a") && pol_path_under ("/a", "/a")
         && !pol_path_under ("/ab", "/a") && pol_path_under ("/x", "/"));
}

static void
test_process_and_extensions (void)
{
  CHECK_ERR ("{\"process\": {\"env\": [\"NOEQUALS\"]}}",
             "policy: process.env[0]: \"NOEQUALS\" is not KEY=VALUE");
  CHECK_ERR ("{\"process\": {\"cwd\": \"rel\"}}",
             "policy: process.cwd: \"rel\" must be an absolute path");
  CHECK_ERR ("{\"identity\": {\"agent\": \"\"}}",
             "policy: identity.agent: \"\" must not be empty");
  CHECK_ERR (
      "{\"identity\": {\"agent\": \"a/b\"}}",
      "policy: identity.agent: \"a/b\" may only hold printable characters "
      "other than '/' and spaces");
  CHECK_ERR (
      "{\"identity\": {\"selinux\": \"yes\"}}",
      "policy: identity.selinux: \"yes\" is not \"auto\" or \"required\"");
  CHECK_ERR ("{\"syscalls\": {\"deny\": [\"no_such_call\"]}}",
             "policy: syscalls.deny[0]: unknown syscall \"no_such_call\"");
  CHECK_ERR (
      "{\"syscalls\": {\"profile\": \"lax\"}}",
      "policy: syscalls.profile: \"lax\" is not \"default\" or \"strict\"");
  CHECK_ERR (
      "{\"resources\": {\"memoryMb\": 0}}",
      "policy: resources.memoryMb: expected an integer from 4 to 4294967296");
  CHECK_ERR (
      "{\"resources\": {\"cpus\": 0}}",
      "policy: resources.cpus: expected a number of CPUs from 0.01 to 1024");
  CHECK_ERR (
      "{\"resources\": {\"pids\": -1}}",
      "policy: resources.pids: expected an integer from 1 to 4294967295");
  CHECK_ERR (
      "{\"compatibility\": \"soft\"}",
      "policy: compatibility: \"soft\" is not \"hard\" or \"best_effort\"");
  CHECK_ERR ("{\"containment\": \"wslc\"}",
             "policy: containment: unknown containment \"wslc\" (process, "
             "processcontainer, bubblewrap, seatbelt, lxc, isolation_session, "
             "microvm)");
  CHECK_ERR (
      "{\"network\": {\"dns\": {\"upstream\": [\"resolver\"]}}}",
      "policy: network.dns.upstream[0]: \"resolver\" is not an IP address");
  CHECK_ERR (
      "{\"processContainer\": {\"captureDenials\": {\"mode\": \"log\"}}}",
      "policy: processContainer.captureDenials.mode: \"log\" is not \"block\" "
      "or \"allow\"");
  struct agent_policy *p = parse_ok (
      "{\"containment\": \"microvm\", \"processContainer\": "
      "{\"captureDenials\": "
      "{\"mode\": \"allow\"}, \"capabilities\": [\"internetClient\"]}, "
      "\"seatbelt\": {\"profileOverride\": \"(allow default)\", \"guiAccess\": "
      "true}}");
  if (p)
    {
      CHECK (p->level == POL_LEVEL_MICROVM);
      CHECK (p->audit && p->log_denials);
      CHECK_INT_EQ (p->n_unsupported, 3);
      CHECK_STR_EQ (p->unsupported[0].where, "processContainer.capabilities");
    }
  agent_policy_free (p);
}

static struct agent_policy *
merged (const char *profile, const char *doc, struct werr *err)
{
  struct policy_input in = { 0 };
  if (policy_input_load (doc, doc ? strlen (doc) : 0, NULL, profile, NULL, &in,
                         err)
      < 0)
    return NULL;
  struct agent_policy *p = in.policy;
  in.policy = NULL;
  policy_input_clear (&in);
  return p;
}

static void
test_merge (void)
{
  struct werr err = { 0 };
  struct agent_policy *p = merged (
      "offline",
      "{\"network\": {\"egress\": {\"default\": \"allow\", \"allow\": "
      "[{\"to\": [{\"cidr\": \"1.1.1.1\"}]}]}}, \"process\": {\"timeout\": "
      "5000}, \"resources\": {\"pids\": 10}}",
      &err);
  CHECK (p != NULL);
  if (p)
    {
      CHECK (p->egress_default == POL_DENY); /* deny wins */
      CHECK_INT_EQ (p->n_deny, 1);           /* the profile's deny-all stays */
      CHECK_INT_EQ (p->n_allow, 1);
      CHECK (p->has_timeout && p->timeout_ms == 5000);
      CHECK (p->has_pids && p->pids == 10);
      CHECK_STR_HAS (p->fs[0].where, "profile offline");
    }
  agent_policy_free (p);
  p = merged ("coding",
              "{\"filesystem\": {\"readwritePaths\": [\"/etc/ssh/x\"]}}", &err);
  CHECK (p == NULL);
  CHECK_STR_EQ (err.msg,
                "policy: filesystem.readwritePaths[0]: \"/etc/ssh/x\" "
                "is at or under \"/etc/ssh\", which profile \"coding\" "
                "denies (deny wins)");
  p = merged ("coding",
              "{\"syscalls\": {\"profile\": \"default\"}, "
              "\"processContainer\": {\"captureDenials\": {\"mode\": "
              "\"allow\"}}, \"ui\": {\"disable\": false}}",
              &err);
  CHECK (p && !p->syscalls_strict && p->audit && p->ui_disable);
  agent_policy_free (p);
  p = merged (NULL, NULL, &err);
  CHECK (p && p->n_fs == 0);
  agent_policy_free (p);
  p = merged ("nope", "{}", &err);
  CHECK (p == NULL);
  CHECK_STR_EQ (err.msg,
                "run.ward.profile: unknown profile \"nope\" (built-in: "
                "coding, offline, readonly)");
}

static void
test_profiles (void)
{
  const struct policy_profile *v;
  size_t n = policy_profile_list (&v);
  CHECK (n >= 3);
  for (size_t i = 0; i < n; i++)
    {
      struct agent_policy *p = NULL;
      struct werr err = { 0 };
      if (!CHECK (policy_profile_parse (v[i].name, &p, &err) == 0))
        fprintf (stderr, "     %s: %s\n", v[i].name, err.msg);
      agent_policy_free (p);
    }
  CHECK (policy_profile_find ("coding") && !policy_profile_find ("Coding"));
}

static struct oci_config *
config_with (const char *annotations)
{
  char *json = NULL;
  if (asprintf (&json,
                "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"}, "
                "\"annotations\": %s}",
                annotations)
      < 0)
    return NULL;
  struct oci_config *cfg = NULL;
  struct werr err = { 0 };
  if (oci_config_parse_data (json, strlen (json), "config.json", &cfg, &err)
      < 0)
    fprintf (stderr, "     config: %s\n", err.msg);
  free (json);
  return cfg;
}

static void
test_annotations (void)
{
  struct oci_config *cfg = config_with ("{\"a\": \"b\"}");
  CHECK (cfg && !policy_requested (cfg));
  oci_config_free (cfg);
  struct werr err = { 0 };
  struct policy_input in = { 0 };
  cfg = config_with ("{\"run.ward.polcy\": \"{}\"}");
  CHECK (cfg && policy_requested (cfg));
  CHECK (policy_input_from_config (cfg, "/b", &in, &err) < 0);
  CHECK_STR_HAS (err.msg, "unknown ward annotation \"run.ward.polcy\"");
  oci_config_free (cfg);
  cfg = config_with (
      "{\"run.ward.policy\": \"{}\", \"run.ward.policy.file\": \"p\"}");
  CHECK (policy_input_from_config (cfg, "/b", &in, &err) < 0);
  CHECK_STR_HAS (err.msg, "give one of them");
  oci_config_free (cfg);
  cfg = config_with ("{\"run.ward.enforced\": \"x\"}");
  CHECK (policy_input_from_config (cfg, "/b", &in, &err) < 0);
  CHECK_STR_HAS (err.msg, "is set by ward");
  oci_config_free (cfg);
  cfg = config_with ("{\"run.ward.policy.file\": \"missing.json\"}");
  CHECK (policy_input_from_config (cfg, "/nonexistent-bundle", &in, &err) < 0);
  CHECK_STR_HAS (err.msg, "/nonexistent-bundle/missing.json");
  oci_config_free (cfg);
  cfg = config_with ("{\"run.ward.profile\": \"readonly\", \"run.ward.agent\": "
                     "\"a1\", \"run.ward.policy\": \"{\\\"ui\\\": {}}\"}");
  CHECK (policy_input_from_config (cfg, "/b", &in, &err) == 0);
  CHECK_STR_EQ (in.profile, "readonly");
  CHECK_STR_EQ (in.agent_annotation, "a1");
  CHECK_STR_EQ (in.source, "run.ward.policy");
  policy_input_clear (&in);
  oci_config_free (cfg);
}

/* Every example shipped in contrib/policies parses. */
static void
test_examples (void)
{
  static const char *const files[]
      = { "agent-workspace.json", "mxc-0.7-legacy.json", "egress-cidr.json",
          "nested-paths.json", "best-effort.json" };
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
    {
      char path[512];
      snprintf (path, sizeof path, "%s/%s", POLICY_DIR, files[i]);
      struct policy_input in = { 0 };
      struct werr err = { 0 };
      if (!CHECK (policy_input_from_file (path, NULL, NULL, &in, &err) == 0))
        fprintf (stderr, "     %s\n", err.msg);
      policy_input_clear (&in);
    }
}

int
main (void)
{
  RUN (test_empty_defaults);
  RUN (test_full_document);
  RUN (test_unknown_and_duplicate);
  RUN (test_types);
  RUN (test_cidrs);
  RUN (test_ports);
  RUN (test_hosts);
  RUN (test_legacy_network);
  RUN (test_versions);
  RUN (test_paths);
  RUN (test_process_and_extensions);
  RUN (test_merge);
  RUN (test_profiles);
  RUN (test_annotations);
  RUN (test_examples);
  return unit_report ();
}
