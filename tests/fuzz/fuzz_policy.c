/* ward — libFuzzer target: the agent policy parser, the merge over a
 * profile, the compiler and the plan's JSON and text output.
 * Build: ./configure --enable-fuzzing CC=clang; seeds: contrib/policies.
 *   tests/fuzz/fuzz_policy -max_len=8192 contrib/policies */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "plan.h"
#include "ward/oci_output.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static struct oci_config *cfg;
static FILE *devnull;

static void
once (void)
{
  if (cfg)
    return;
  char *json = NULL;
  size_t len = 0;
  struct werr err;
  if (oci_spec_default_json (false, &json, &len, &err) < 0
      || oci_config_parse_data (json, len, "config.json", &cfg, &err) < 0)
    abort ();
  free (json);
  devnull = fopen ("/dev/null", "w");
}

static void
compile_and_print (const char *doc, size_t size, const char *profile,
                   const struct policy_host *host)
{
  struct policy_input in = { 0 };
  struct policy_plan *plan = NULL;
  struct werr err;
  if (policy_input_load (doc, size, NULL, profile, NULL, &in, &err) == 0
      && policy_compile (&in, cfg, "fuzz", host, &plan, &err) == 0)
    {
      char *json = NULL;
      if (policy_plan_json (plan, false, &json, &err) == 0)
        free (json);
      policy_plan_explain (plan, devnull);
      for (size_t i = 0; i < plan->net.n_allow; i++)
        (void) plan_net_allows (&plan->net, plan->net.allow[i].cidr.family,
                                plan->net.allow[i].cidr.addr, 443,
                                POL_PROTO_TCP);
      policy_plan_free (plan);
    }
  policy_input_clear (&in);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const struct policy_host hosts[] = {
    { .landlock_abi = 7, .selinux = true, .cgroup_bpf = true },
    { .landlock_abi = 0, .rootless = true },
  };
  once ();
  struct agent_policy *p = NULL;
  struct werr err;
  if (mxc_parse ((const char *) data, size, NULL, &p, &err) < 0)
    return 0;
  agent_policy_free (p);
  compile_and_print ((const char *) data, size, NULL, &hosts[0]);
  compile_and_print ((const char *) data, size, "coding", &hosts[(size & 1)]);
  return 0;
}
