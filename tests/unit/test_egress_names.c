/* Unit tests: egress by host name without root — the host rules of the
 * plan, the resolver's address, the live-update message, the explain text,
 * the shared layouts of the BPF records.  (The kernel side is tested by
 * bats/egress_names.bats.) */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "egress_names.h"
#include "live_update.h"
#include "plan.h"
#include "policy.h"
#include "unit.h"
#include "ward/oci_output.h"

static const struct policy_host full_host
    = { .landlock_abi = 7, .selinux = false, .cgroup_bpf = true };

static struct oci_config *g_cfg;

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

static struct policy_plan *
compile (const char *doc, const struct policy_host *host,
         const struct oci_config *cfg, struct werr *err)
{
  struct policy_input in = { 0 };
  struct policy_plan *plan = NULL;
  if (policy_input_load (doc, strlen (doc), "test", NULL, NULL, &in, err) == 0)
    policy_compile (&in, cfg ? cfg : g_cfg, "c1", host, &plan, err);
  policy_input_clear (&in);
  return plan;
}

static const char *const names_doc
    = "{\"network\": {\"egress\": {\"default\": \"deny\", \"allow\": ["
      "{\"to\": [{\"host\": \"pypi.org\"}, {\"host\": \"*.github.com\"}, "
      "{\"cidr\": \"10.0.0.0/8\"}], \"ports\": [{\"protocol\": \"tcp\", "
      "\"port\": 443}, {\"protocol\": \"udp\", \"port\": 443}]}], "
      "\"deny\": [{\"to\": [{\"host\": \"evil.github.com\"}]}]}, "
      "\"dns\": {\"upstream\": [\"192.0.2.53\"], \"minTtl\": 5, "
      "\"maxTtl\": 60}}}";

static void
test_host_rules (void)
{
  struct werr err = { 0 };
  struct policy_plan *p = compile (names_doc, &full_host, NULL, &err);
  if (!CHECK (p != NULL))
    {
      fprintf (stderr, "     %s\n", err.msg);
      return;
    }
  const struct plan_net *n = &p->net;
  CHECK (n->names && n->filter && n->rt != NULL);
  CHECK_INT_EQ (n->n_hosts, 3);
  CHECK_STR_EQ (n->hosts[0].pattern, "pypi.org");
  CHECK_STR_EQ (n->hosts[0].where, "network.egress.allow[0].to[0]");
  CHECK_STR_EQ (n->hosts[1].pattern, "*.github.com");
  CHECK (!n->hosts[1].deny && n->hosts[2].deny);
  CHECK_STR_EQ (n->hosts[2].where, "network.egress.deny[0].to[0]");
  CHECK_INT_EQ (n->hosts[0].ports.n, 2);
  CHECK (plan_portset_match (&n->hosts[0].ports, 443, POL_PROTO_UDP));
  CHECK (!plan_portset_match (&n->hosts[0].ports, 80, POL_PROTO_TCP));
  /* deny rules by name refuse every port */
  CHECK (plan_portset_match (&n->hosts[2].ports, 1, POL_PROTO_TCP));
  /* the CIDR peer of the same rule still goes to the trie */
  CHECK_INT_EQ (n->n_allow, 1);
  CHECK_INT_EQ (n->dns_ttl_min, 5);
  CHECK_INT_EQ (n->dns_ttl_max, 60);
  /* its own namespace (the default config has one): 127.0.0.1 */
  CHECK (n->loopback_private);
  CHECK (memcmp (n->resolver4, (uint8_t[]){ 127, 0, 0, 1 }, 4) == 0);
  CHECK (strstr (oci_config_annotation (p->view, POLICY_ANN_ENFORCED),
                 "dns-filter=running")
         != NULL);
  policy_plan_free (p);
}

static void
test_host_network (void)
{
  struct werr err = { 0 };
  const char *cfg_json
      = "{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"sh\"], "
        "\"cwd\": \"/\"}, \"root\": {\"path\": \"rootfs\"}, \"linux\": "
        "{\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"pid\"}]}}";
  struct oci_config *cfg = NULL;
  if (!CHECK (oci_config_parse_data (cfg_json, strlen (cfg_json), "config.json",
                                     &cfg, &err)
              == 0))
    return;
  struct policy_plan *p = compile (names_doc, &full_host, cfg, &err);
  if (CHECK (p != NULL))
    {
      CHECK (p->net.netns == PLAN_NETNS_HOST && p->net.names);
      uint8_t want[4];
      egress_names_host_resolver ("c1", want);
      CHECK (memcmp (p->net.resolver4, want, 4) == 0);
      CHECK (want[0] == 127 && want[1] >= 64 && want[1] < 128);
      CHECK (want[3] >= 1 && want[3] <= 254);
      /* another id, (almost always) another address */
      uint8_t other[4];
      egress_names_host_resolver ("c2", other);
      CHECK (memcmp (want, other, 4) != 0);
    }
  policy_plan_free (p);
  oci_config_free (cfg);
}

static void
test_fail_closed_and_audit (void)
{
  struct werr err = { 0 };
  struct policy_host nobpf = full_host;
  nobpf.cgroup_bpf = false;
  nobpf.rootless = true;
  struct policy_plan *p = compile (names_doc, &nobpf, NULL, &err);
  CHECK (p == NULL);
  CHECK (strstr (err.msg, "network.egress: needs BPF programs") != NULL);
  policy_plan_free (p);
  /* audit mode: a resolver even without host rules, the programs log */
  const char *audit = "{\"processContainer\": {\"captureDenials\": "
                      "{\"mode\": \"allow\"}}, \"network\": {\"egress\": "
                      "{\"default\": \"deny\"}}}";
  p = compile (audit, &full_host, NULL, &err);
  if (CHECK (p != NULL))
    {
      CHECK (!p->net.filter && p->net.filter_audit && p->net.names);
      CHECK_INT_EQ (p->net.n_hosts, 0);
    }
  policy_plan_free (p);
  /* no host rules, not audit: no resolver */
  p = compile ("{\"network\": {\"egress\": {\"default\": \"deny\", \"allow\": "
               "[{\"to\": [{\"cidr\": \"10.0.0.0/8\"}]}]}}}",
               &full_host, NULL, &err);
  if (CHECK (p != NULL))
    CHECK (!p->net.names && p->net.filter);
  policy_plan_free (p);
}

static void
test_update_message (void)
{
  struct werr err = { 0 };
  struct policy_plan *p = compile (names_doc, &full_host, NULL, &err);
  struct live_rules *r = NULL, *back = NULL;
  if (!CHECK (p != NULL) || !CHECK (live_rules_from_plan (p, &r, &err) == 0))
    {
      policy_plan_free (p);
      return;
    }
  char *msg = live_rules_format (r);
  CHECK (strncmp (msg, "ward-update 1\n", 14) == 0);
  CHECK (strstr (msg, "host allow pypi.org 443-443/1,443-443/2 "
                      "network.egress.allow[0].to[0]\n")
         != NULL);
  CHECK (strstr (msg, "cidr allow 10.0.0.0/8 ") != NULL);
  if (CHECK (live_rules_parse (msg, &back, &err) == 0))
    {
      CHECK_INT_EQ (live_rules_n (back), 3);
      CHECK_STR_EQ (live_rules_v (back)[1].host, "*.github.com");
      CHECK (live_rules_v (back)[2].deny);
      CHECK_STR_EQ (live_rules_v (back)[0].where,
                    "network.egress.allow[0].to[0]");
      const struct plan_portset *s = live_rules_v (back)[0].data;
      CHECK (plan_portset_match (s, 443, POL_PROTO_UDP));
      CHECK_INT_EQ (back->n_allow, 1);
      char *again = live_rules_format (back);
      CHECK_STR_EQ (again, msg);
      free (again);
    }
  live_rules_free (back);
  back = NULL;
  /* malformed messages are refused, naming the line */
  CHECK (live_rules_parse ("ward-update 1\nhost allow x.org 1-2/9 w\nend\n",
                           &back, &err)
         < 0);
  CHECK_STR_EQ (err.msg, "update message, line 2: malformed");
  CHECK (
      live_rules_parse ("ward-update 1\nhost allow * - w\nend\n", &back, &err)
      < 0);
  CHECK (live_rules_parse ("ward-update 1\n", &back, &err) < 0);
  CHECK (live_rules_parse ("hello\nend\n", &back, &err) < 0);
  free (msg);
  live_rules_free (r);
  policy_plan_free (p);
}

static void
test_explain (void)
{
  struct werr err = { 0 };
  struct policy_plan *p = compile (names_doc, &full_host, NULL, &err);
  if (!CHECK (p != NULL))
    return;
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&text, &len);
  policy_plan_explain (p, f);
  fclose (f);
  CHECK (strstr (text, "filtering resolver on 127.0.0.1:53") != NULL);
  CHECK (strstr (text, "forwards allowed names to 192.0.2.53") != NULL);
  CHECK (strstr (text, "(5 s to 60 s)") != NULL);
  CHECK (strstr (text, "allow pypi.org") != NULL);
  CHECK (strstr (text, "deny  evil.github.com") != NULL);
  free (text);
  char *json = NULL;
  if (CHECK (policy_plan_json (p, false, &json, &err) == 0))
    {
      CHECK (strstr (json, "\"resolver\":\"127.0.0.1\"") != NULL);
      CHECK (strstr (json, "\"host\":\"*.github.com\"") != NULL);
    }
  free (json);
  policy_plan_free (p);
}

static void
test_layouts (void)
{
  /* The BPF programs read these at fixed offsets. */
  CHECK_INT_EQ (sizeof (struct egress_event), EGRESS_EV_SIZE);
  CHECK_INT_EQ (offsetof (struct egress_event, port), EGRESS_EV_PORT);
  CHECK_INT_EQ (offsetof (struct egress_event, audit), EGRESS_EV_AUDIT);
  CHECK_INT_EQ (offsetof (struct egress_event, addr), EGRESS_EV_ADDR);
  CHECK_INT_EQ (offsetof (struct egress_event, reason), EGRESS_EV_REASON);
  CHECK_INT_EQ (offsetof (struct egress_name_value, r), 8);
  CHECK_INT_EQ (sizeof (struct egress_name_range), 16);
  struct egress_name_value v;
  struct plan_portset ports = { .n = 2 };
  ports.r[0] = (struct plan_portrange){ 443, 443, POL_PROTO_TCP };
  ports.r[1] = (struct plan_portrange){ 53, 53, POL_PROTO_UDP };
  CHECK (egress_name_value_set (&v, &ports, 1000) == 0);
  CHECK_INT_EQ (v.n, 2);
  CHECK_UINT_EQ (v.r[1].expiry_ns, 1000);
}

int
main (void)
{
  g_cfg = default_cfg ();
  RUN (test_host_rules);
  RUN (test_host_network);
  RUN (test_fail_closed_and_audit);
  RUN (test_update_message);
  RUN (test_explain);
  RUN (test_layouts);
  oci_config_free (g_cfg);
  return unit_report ();
}
