/* ward — where a container's policy comes from: the run.ward.* annotations
 * of config.json (POLICY.md §1), a file, a profile; and the create-time
 * entry point that turns them into a plan. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "plan.h"
#include "policy.h"
#include "utils.h"
#include "ward/cleanup.h"

#define POLICY_PREFIX "run.ward."
#define POLICY_FILE_MAX (1u << 20)

/* A Kubernetes pod sandbox runs only the pause process; the engine copies
 * the pod's annotations onto it too.  The policy binds the pod's
 * containers, each of which carries the same annotations. */
static bool
is_pod_sandbox (const struct oci_config *cfg)
{
  static const char *const keys[] = { "io.kubernetes.cri.container-type",
                                      "io.kubernetes.cri-o.ContainerType" };
  for (size_t i = 0; i < ARRAY_SIZE (keys); i++)
    {
      const char *v = oci_config_annotation (cfg, keys[i]);
      if (v && strcmp (v, "sandbox") == 0)
        return true;
    }
  return false;
}

bool
policy_requested (const struct oci_config *cfg)
{
  if (cfg && is_pod_sandbox (cfg))
    {
      log_debug (
          "pod sandbox: the agent policy applies to the pod's containers");
      return false;
    }
  for (size_t i = 0; cfg && i < cfg->annotations.n; i++)
    if (strncmp (cfg->annotations.v[i].key, POLICY_PREFIX,
                 strlen (POLICY_PREFIX))
        == 0)
      return true;
  return false;
}

/* An unknown run.ward.* key is a typo that must not silently drop a policy. */
static int
check_keys (const struct oci_config *cfg, struct werr *err)
{
  static const char *const known[] = { POLICY_ANN_POLICY, POLICY_ANN_FILE,
                                       POLICY_ANN_PROFILE, POLICY_ANN_AGENT };
  for (size_t i = 0; i < cfg->annotations.n; i++)
    {
      const char *k = cfg->annotations.v[i].key;
      if (strncmp (k, POLICY_PREFIX, strlen (POLICY_PREFIX)) != 0)
        continue;
      bool ok = false;
      for (size_t j = 0; j < ARRAY_SIZE (known) && !ok; j++)
        ok = strcmp (k, known[j]) == 0;
      if (strcmp (k, POLICY_ANN_ENFORCED) == 0)
        return werr_set (err, 0,
                         "config.json: annotations: \"%s\" is set by "
                         "ward, not by the bundle",
                         k);
      if (!ok)
        return werr_set (err, 0,
                         "config.json: annotations: unknown ward "
                         "annotation \"%s\" (run.ward.policy, "
                         "run.ward.policy.file, run.ward.profile, "
                         "run.ward.agent)",
                         k);
    }
  return 0;
}

void
policy_input_clear (struct policy_input *in)
{
  agent_policy_free (in->policy);
  free (in->profile);
  free (in->source);
  free (in->agent_annotation);
  memset (in, 0, sizeof *in);
}

/* A policy file: regular, at most 1 MiB. */
static int
read_policy_file (const char *path, char **data, size_t *len, struct werr *err)
{
  _cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) < 0)
    return werr_set (err, errno, "policy file `%s`", path);
  if (!S_ISREG (st.st_mode))
    return werr_set (err, 0, "policy file `%s`: not a regular file", path);
  if (st.st_size > POLICY_FILE_MAX)
    return werr_set (err, 0, "policy file `%s`: larger than %u bytes", path,
                     POLICY_FILE_MAX);
  char *buf = xmalloc0 ((size_t) st.st_size + 1);
  ssize_t n = read_all (fd, buf, (size_t) st.st_size);
  if (n < 0)
    {
      free (buf);
      return werr_set (err, (int) -n, "read policy file `%s`", path);
    }
  *data = buf;
  *len = (size_t) n;
  return 0;
}

int
policy_input_load (const char *doc, size_t len, const char *source,
                   const char *profile, const char *agent,
                   struct policy_input *in, struct werr *err)
{
  struct agent_policy *base = NULL, *parsed = NULL;
  memset (in, 0, sizeof *in);
  if (profile && policy_profile_parse (profile, &base, err) < 0)
    return werr_prefix (err, "%s", POLICY_ANN_PROFILE);
  if (doc && mxc_parse (doc, len, NULL, &parsed, err) < 0)
    {
      agent_policy_free (base);
      return -1;
    }
  char name[80];
  snprintf (name, sizeof name, "\"%s\"", profile ? profile : "");
  int r = agent_policy_merge (base, name, parsed, &in->policy, err);
  agent_policy_free (base);
  agent_policy_free (parsed);
  if (r < 0)
    return -1;
  in->profile = profile ? xstrdup (profile) : NULL;
  in->source = source ? xstrdup (source) : NULL;
  in->agent_annotation = agent ? xstrdup (agent) : NULL;
  return 0;
}

int
policy_input_from_file (const char *path, const char *profile,
                        const char *agent, struct policy_input *in,
                        struct werr *err)
{
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  if (path && read_policy_file (path, &data, &len, err) < 0)
    return -1;
  int r = policy_input_load (data, len, path, profile, agent, in, err);
  if (r < 0 && path)
    werr_prefix (err, "%s", path);
  return r;
}

int
policy_input_from_config (const struct oci_config *cfg, const char *bundle,
                          struct policy_input *in, struct werr *err)
{
  if (check_keys (cfg, err) < 0)
    return -1;
  const char *inline_doc = oci_config_annotation (cfg, POLICY_ANN_POLICY);
  const char *file = oci_config_annotation (cfg, POLICY_ANN_FILE);
  const char *profile = oci_config_annotation (cfg, POLICY_ANN_PROFILE);
  const char *agent = oci_config_annotation (cfg, POLICY_ANN_AGENT);
  if (inline_doc && file)
    return werr_set (err, 0,
                     "config.json: annotations: %s and %s: give one "
                     "of them",
                     POLICY_ANN_POLICY, POLICY_ANN_FILE);
  if (profile && *profile == '\0')
    return werr_set (err, 0,
                     "config.json: annotations: %s: empty profile "
                     "name",
                     POLICY_ANN_PROFILE);
  if (agent && *agent == '\0')
    return werr_set (err, 0,
                     "config.json: annotations: %s: empty agent "
                     "name",
                     POLICY_ANN_AGENT);
  if (file)
    {
      if (*file == '\0')
        return werr_set (err, 0, "config.json: annotations: %s: empty path",
                         POLICY_ANN_FILE);
      _cleanup_free_ char *path = file[0] == '/' || bundle == NULL
                                      ? xstrdup (file)
                                      : xasprintf ("%s/%s", bundle, file);
      int r = policy_input_from_file (path, profile, agent, in, err);
      return r < 0 ? werr_prefix (err, "%s", POLICY_ANN_FILE) : 0;
    }
  return policy_input_load (inline_doc, inline_doc ? strlen (inline_doc) : 0,
                            inline_doc ? POLICY_ANN_POLICY : NULL, profile,
                            agent, in, err);
}

int
policy_prepare (const struct oci_config *cfg, const char *bundle,
                const char *rootfs, const char *id, struct policy_plan **out,
                struct werr *err)
{
  struct policy_input in = { 0 };
  struct policy_host host;
  if (policy_input_from_config (cfg, bundle, &in, err) < 0)
    return -1;
  in.rootfs = rootfs;
  policy_host_probe (&host);
  int r = policy_compile (&in, cfg, id, &host, out, err);
  policy_input_clear (&in);
  if (r == 0)
    log_debug ("policy: agent \"%s\": %s", (*out)->agent,
               oci_config_annotation ((*out)->view, POLICY_ANN_ENFORCED));
  return r;
}

const struct oci_config *
policy_plan_config (const struct policy_plan *plan)
{
  return plan->view;
}

bool
policy_plan_new_keyring (const struct policy_plan *plan)
{
  return plan->new_keyring;
}

void
policy_warn_weakenings (const struct policy_plan *plan)
{
  for (size_t i = 0; i < plan->n_weak; i++)
    log_warn ("policy: %s: %s (best_effort: not enforced)", plan->weak[i].field,
              plan->weak[i].what);
}
