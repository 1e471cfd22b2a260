/* ward policy — check, explain and list agent policies.
 *
 *   ward policy check FILE [--profile NAME]
 *   ward policy explain FILE|--bundle DIR [--profile NAME] [--agent NAME] [--json]
 *   ward policy profiles
 *   ward policy show NAME
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../policy/plan.h"
#include "../policy/policy.h"
#include "cli.h"
#include "utils.h"
#include "ward/cleanup.h"
#include "ward/oci_output.h"

/* `check` is about the document, not this host: every mechanism present. */
static const struct policy_host capable_host = {
  .landlock_abi = 7,
  .selinux = true,
  .cgroup_bpf = true,
  .kvm = false,
};

static struct oci_config *
default_config (struct werr *err)
{
  _cleanup_free_ char *json = NULL;
  size_t len = 0;
  struct oci_config *cfg = NULL;
  if (oci_spec_default_json (false, &json, &len, err) < 0
      || oci_config_parse_data (json, len, "default config", &cfg, err) < 0)
    return NULL;
  return cfg;
}

static int
policy_check (int argc, char **argv, struct werr *err)
{
  const char *profile = NULL;
  const struct opt_def defs[] = {
    { "profile", 0, OPT_STRING, &profile, "NAME",
      "layer the file on a built-in profile" },
    { 0 },
  };
  static const struct cli_usage usage = {
    "policy check",
    "ward policy check [--profile NAME] FILE",
    "Validate a policy document (MXC 0.6.0-alpha to 0.8.0-alpha plus ward's "
    "extensions); exit 0 when ward can enforce it.",
    1,
    "policy file",
  };
  int first = cli_begin (&usage, defs, argc, argv, err);
  if (first <= 0)
    return first < 0;
  struct policy_input in = { 0 };
  struct policy_plan *plan = NULL;
  struct oci_config *cfg = default_config (err);
  int rc = 1;
  if (cfg == NULL
      || policy_input_from_file (argv[first], profile, NULL, &in, err) < 0
      || policy_compile (&in, cfg, "check", &capable_host, &plan, err) < 0)
    goto out;
  printf ("%s: ok\n", argv[first]);
  for (size_t i = 0; i < plan->n_notes; i++)
    printf ("  note: %s: %s\n", plan->notes[i].where, plan->notes[i].what);
  for (size_t i = 0; i < plan->n_weak; i++)
    printf ("  best_effort: %s: %s\n", plan->weak[i].field, plan->weak[i].what);
  rc = 0;
out:
  policy_plan_free (plan);
  policy_input_clear (&in);
  oci_config_free (cfg);
  return rc;
}

static int
load_bundle (const char *bundle, struct oci_config **cfg, struct werr *err)
{
  _cleanup_free_ char *path = xasprintf ("%s/config.json", bundle);
  if (oci_config_parse_file (path, cfg, err) < 0)
    return -1;
  if (!policy_requested (*cfg))
    return werr_set (err, 0,
                     "%s: no run.ward.* annotation: a plain container, "
                     "no agent policy applies",
                     path);
  return 0;
}

static int
policy_explain (int argc, char **argv, struct werr *err)
{
  const char *profile = NULL, *bundle = NULL, *agent = NULL;
  bool json = false;
  const struct opt_def defs[] = {
    { "bundle", 'b', OPT_STRING, &bundle, "DIR",
      "explain the policy of a bundle's annotations" },
    { "profile", 0, OPT_STRING, &profile, "NAME",
      "layer the file on a built-in profile" },
    { "agent", 0, OPT_STRING, &agent, "NAME",
      "the agent's name (default: the container id)" },
    { "json", 0, OPT_BOOL, &json, NULL, "print the plan as JSON" },
    { 0 },
  };
  static const struct cli_usage usage = {
    "policy explain",
    "ward policy explain [options] FILE | --bundle DIR",
    "Print what would be enforced on this host, mechanism by mechanism.",
    -1,
    "policy file",
  };
  int first = cli_begin (&usage, defs, argc, argv, err);
  if (first <= 0)
    return first < 0;
  if ((bundle != NULL) == (first < argc) || argc - first > 1)
    return werr_set (err, 0,
                     "policy explain: give a policy FILE or --bundle "
                     "DIR"),
           1;
  struct policy_input in = { 0 };
  struct policy_plan *plan = NULL;
  struct oci_config *cfg = NULL;
  struct policy_host host;
  policy_host_probe (&host);
  int rc = 1;
  if (bundle)
    {
      if (load_bundle (bundle, &cfg, err) < 0
          || policy_input_from_config (cfg, bundle, &in, err) < 0)
        goto out;
    }
  else if ((cfg = default_config (err)) == NULL
           || policy_input_from_file (argv[first], profile, agent, &in, err)
                  < 0)
    goto out;
  const char *id = bundle ? "bundle" : "explain";
  if (policy_compile (&in, cfg, id, &host, &plan, err) < 0)
    {
      /* Still show what this host can do, and what it cannot. */
      if (in.policy == NULL || in.policy->best_effort)
        goto out;
      fprintf (stderr,
               "ward: create would fail here: %s\n"
               "ward: the plan below is what \"compatibility\": "
               "\"best_effort\" would enforce\n",
               err->msg);
      werr_clear (err);
      in.policy->best_effort = true;
      if (policy_compile (&in, cfg, id, &host, &plan, err) < 0)
        goto out;
      rc = 2;
    }
  if (json)
    {
      _cleanup_free_ char *text = NULL;
      if (policy_plan_json (plan, true, &text, err) < 0)
        goto out;
      printf ("%s\n", text);
    }
  else
    policy_plan_explain (plan, stdout);
  if (rc != 2)
    rc = 0;
  else
    rc = 1;
out:
  policy_plan_free (plan);
  policy_input_clear (&in);
  oci_config_free (cfg);
  return rc;
}

static int
policy_profiles (int argc, char **argv, struct werr *err)
{
  const struct opt_def defs[] = { { 0 } };
  static const struct cli_usage usage = {
    "policy profiles",
    "ward policy profiles",
    "List the built-in profiles.",
    0,
    "",
  };
  int first = cli_begin (&usage, defs, argc, argv, err);
  if (first <= 0)
    return first < 0;
  const struct policy_profile *v;
  size_t n = policy_profile_list (&v);
  for (size_t i = 0; i < n; i++)
    printf ("%-10s %s\n", v[i].name, v[i].summary);
  return 0;
}

static int
policy_show (int argc, char **argv, struct werr *err)
{
  const struct opt_def defs[] = { { 0 } };
  static const struct cli_usage usage = {
    "policy show",
    "ward policy show NAME",
    "Print a built-in profile (a policy document).",
    1,
    "profile name",
  };
  int first = cli_begin (&usage, defs, argc, argv, err);
  if (first <= 0)
    return first < 0;
  const struct policy_profile *p = policy_profile_find (argv[first]);
  if (p == NULL)
    {
      struct agent_policy *ignored = NULL;
      policy_profile_parse (argv[first], &ignored, err);
      return 1;
    }
  fputs (p->json, stdout);
  return 0;
}

int
cmd_policy (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  static const struct
  {
    const char *name;
    int (*fn) (int, char **, struct werr *);
    const char *help;
  } subs[] = {
    { "check", policy_check, "validate a policy file" },
    { "explain", policy_explain, "what a policy enforces on this host" },
    { "profiles", policy_profiles, "list the built-in profiles" },
    { "show", policy_show, "print a built-in profile" },
  };
  (void) g;
  if (argc < 2 || strcmp (argv[1], "--help") == 0
      || strcmp (argv[1], "-h") == 0)
    {
      printf ("Usage: ward policy COMMAND [options]\n\nAgent policies "
              "(see docs/policy.md).\n\nCommands:\n");
      for (size_t i = 0; i < ARRAY_SIZE (subs); i++)
        printf ("  %-10s %s\n", subs[i].name, subs[i].help);
      return argc < 2;
    }
  for (size_t i = 0; i < ARRAY_SIZE (subs); i++)
    if (strcmp (argv[1], subs[i].name) == 0)
      return subs[i].fn (argc - 1, argv + 1, err);
  return werr_set (err, 0,
                   "policy: unknown command \"%s\" (check, explain, "
                   "profiles, show)",
                   argv[1]),
         1;
}
