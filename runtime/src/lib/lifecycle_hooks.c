/* ward — where in the lifecycle each OCI hook stage runs (see
 * lifecycle_hooks.h; hooks/src/hooks.c runs them). */
#include "lifecycle_hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "hooks.h"
#include "utils.h"
#include "ward/cleanup.h"
#include "ward/oci_output.h"

char *
hooks_state_json (const char *id, const char *status, pid_t pid,
                  const char *bundle, const struct oci_kvv *annotations)
{
  struct oci_state_view v = { .oci_version = WARD_OCI_VERSION,
                              .id = id,
                              .status = status,
                              .pid = pid,
                              .bundle = bundle,
                              .annotations = annotations };
  char *json = NULL;
  size_t len = 0;
  struct werr err;
  if (oci_state_json (&v, false, &json, &len, &err) < 0)
    return xstrdup ("{}");
  return json;
}

bool
hooks_any (const struct oci_config *cfg)
{
  const struct oci_hooks *h = &cfg->hooks;
  return cfg->has_hooks
         && (h->prestart.n || h->create_runtime.n || h->create_container.n
             || h->start_container.n || h->poststart.n || h->poststop.n);
}

int
hooks_create_runtime (const struct oci_config *cfg, const char *id,
                      const char *bundle, pid_t pid, struct werr *err)
{
  _cleanup_free_ char *state
      = hooks_state_json (id, "creating", pid, bundle, &cfg->annotations);
  if (hooks_run ("prestart", &cfg->hooks.prestart, state, err) < 0
      || hooks_run ("createRuntime", &cfg->hooks.create_runtime, state, err)
             < 0)
    return -1;
  return 0;
}
