/* ward — built-in profiles: policy documents embedded in the binary.
 *
 * A profile is an ordinary MXC document (version 0.8.0-alpha), parsed by the
 * same parser as a user's; `run.ward.profile` names the base a document is
 * layered on (merge.c: deny wins).  The reasoning behind each is in
 * docs/policy.md, "Built-in profiles". */
#include <string.h>

#include "doc.h"
#include "policy.h"
#include "ward/cleanup.h"

/* coding: a coding agent works in /workspace.  The system is readable (tools,
 * compilers, libraries), nothing else of the image is: home directories,
 * where credentials live, are not granted at all, and the secrets an image
 * keeps under the readable /etc are carved out.  The network reaches only
 * package registries and code hosts, by name, over HTTPS: what an agent
 * needs to fetch dependencies and code, and nothing it could exfiltrate to
 * at will (a name grants only the addresses the resolver returned for it). */
static const char coding_json[]
    = "{\n"
      "  \"version\": \"0.8.0-alpha\",\n"
      "  \"_comment\": \"ward built-in profile: coding\",\n"
      "  \"containment\": \"process\",\n"
      "  \"filesystem\": {\n"
      "    \"readwritePaths\": [\"/workspace\", \"/tmp\", \"/var/tmp\"],\n"
      "    \"readonlyPaths\": [\"/opt\", \"/usr/local\", \"/srv\"],\n"
      "    \"deniedPaths\": [\"/etc/shadow\", \"/etc/gshadow\", "
      "\"/etc/sudoers\",\n"
      "                      \"/etc/sudoers.d\", \"/etc/ssh\"]\n"
      "  },\n"
      "  \"network\": {\n"
      "    \"egress\": { \"default\": \"deny\", \"allow\": [\n"
      "      { \"to\": [{\"host\": \"pypi.org\"}, {\"host\": "
      "\"files.pythonhosted.org\"},\n"
      "               {\"host\": \"registry.npmjs.org\"}, {\"host\": "
      "\"crates.io\"},\n"
      "               {\"host\": \"static.crates.io\"}, {\"host\": "
      "\"index.crates.io\"},\n"
      "               {\"host\": \"proxy.golang.org\"}, {\"host\": "
      "\"sum.golang.org\"},\n"
      "               {\"host\": \"github.com\"}, {\"host\": "
      "\"*.github.com\"},\n"
      "               {\"host\": \"*.githubusercontent.com\"}, {\"host\": "
      "\"gitlab.com\"}],\n"
      "        \"ports\": [{\"protocol\": \"tcp\", \"port\": 443}] } ] },\n"
      "    \"ingress\": { \"default\": \"deny\", \"hostLoopback\": \"deny\" }\n"
      "  },\n"
      "  \"ui\": { \"disable\": true },\n"
      "  \"syscalls\": { \"profile\": \"default\" }\n"
      "}\n";

/* offline: the image as it is, but no network at all.  The deny rule over
 * every address is what makes it "at all": a document layered on top can
 * add allow rules, and deny wins over them. */
static const char offline_json[]
    = "{\n"
      "  \"version\": \"0.8.0-alpha\",\n"
      "  \"_comment\": \"ward built-in profile: offline\",\n"
      "  \"filesystem\": { \"readwritePaths\": [\"/\"] },\n"
      "  \"network\": {\n"
      "    \"egress\": {\n"
      "      \"default\": \"deny\",\n"
      "      \"deny\": [ { \"to\": [ { \"cidr\": \"0.0.0.0/0\" }, { \"cidr\": "
      "\"::/0\" } ] } ]\n"
      "    },\n"
      "    \"ingress\": { \"default\": \"deny\", \"hostLoopback\": \"deny\" }\n"
      "  },\n"
      "  \"syscalls\": { \"profile\": \"default\" }\n"
      "}\n";

/* readonly: everything readable, nothing writable but /tmp (and the few
 * device nodes every process writes to).  Network as MXC's default: none. */
static const char readonly_json[]
    = "{\n"
      "  \"version\": \"0.8.0-alpha\",\n"
      "  \"_comment\": \"ward built-in profile: readonly\",\n"
      "  \"filesystem\": {\n"
      "    \"readonlyPaths\": [\"/\"],\n"
      "    \"readwritePaths\": [\"/tmp\"]\n"
      "  },\n"
      "  \"syscalls\": { \"profile\": \"default\" }\n"
      "}\n";

static const struct policy_profile profiles[] = {
  { "coding",
    "workspace read-write, system read-only, no home directories "
    "or /etc secrets, HTTPS to package registries and code hosts only",
    coding_json },
  { "offline", "the image as it is, no network at all", offline_json },
  { "readonly", "everything read-only but /tmp, no network", readonly_json },
};

const struct policy_profile *
policy_profile_find (const char *name)
{
  for (size_t i = 0; name && i < ARRAY_SIZE (profiles); i++)
    if (strcmp (profiles[i].name, name) == 0)
      return &profiles[i];
  return NULL;
}

size_t
policy_profile_list (const struct policy_profile **out)
{
  *out = profiles;
  return ARRAY_SIZE (profiles);
}

int
policy_profile_parse (const char *name, struct agent_policy **out,
                      struct werr *err)
{
  const struct policy_profile *p = policy_profile_find (name);
  if (p == NULL)
    {
      const struct policy_profile *all;
      size_t n = policy_profile_list (&all);
      char names[256] = "";
      for (size_t i = 0; i < n; i++)
        {
          strncat (names, i ? ", " : "", sizeof names - strlen (names) - 1);
          strncat (names, all[i].name, sizeof names - strlen (names) - 1);
        }
      return werr_set (err, 0, "unknown profile \"%s\" (built-in: %s)", name,
                       names);
    }
  char origin[64];
  snprintf (origin, sizeof origin, "profile %s", p->name);
  return mxc_parse (p->json, strlen (p->json), origin, out, err);
}
