/* ward — handing a seccomp listener fd to its agent (seccomp_notify.h). */
#include "seccomp_notify.h"

#include <errno.h>
#include <stdlib.h>

#include "fdpass.h"
#include "ward/cleanup.h"
#include "ward/json.h"
#include "ward/oci_output.h"

static void
write_state (struct jw *w, const struct seccomp_notify_state *st)
{
  jw_obj_open (w);
  jw_kstr (w, "ociVersion", WARD_OCI_VERSION);
  jw_kstr (w, "id", st->id);
  jw_kstr (w, "status", st->status);
  jw_kint (w, "pid", st->container_pid);
  jw_kstr (w, "bundle", st->bundle);
  if (st->annotations && st->annotations->n)
    {
      jw_key (w, "annotations");
      jw_obj_open (w);
      for (size_t i = 0; i < st->annotations->n; i++)
        jw_kstr (w, st->annotations->v[i].key, st->annotations->v[i].value);
      jw_obj_close (w);
    }
  jw_obj_close (w);
}

char *
seccomp_notify_state_json (const struct oci_seccomp *s,
                           const struct seccomp_notify_state *st)
{
  static char *const fds[] = { "seccompFd" };
  struct jw *w = jw_new (false);
  jw_obj_open (w);
  jw_kstr (w, "ociVersion", WARD_OCI_VERSION);
  jw_kstrv (w, "fds", fds, 1);
  jw_kint (w, "pid", st->process_pid);
  if (s->listener_metadata && *s->listener_metadata)
    jw_kstr (w, "metadata", s->listener_metadata);
  jw_key (w, "state");
  write_state (w, st);
  jw_obj_close (w);
  char *out = NULL;
  size_t len = 0;
  if (jw_finish (w, &out, &len) < 0)
    return NULL;
  return out;
}

int
seccomp_notify_send (const struct oci_seccomp *s, int fd,
                     const struct seccomp_notify_state *st, struct werr *err)
{
  if (s->listener_path == NULL || *s->listener_path == '\0')
    return werr_set (err, 0, "linux.seccomp.listenerPath: not set");
  _cleanup_free_ char *json = seccomp_notify_state_json (s, st);
  if (json == NULL)
    return werr_set (err, ENOMEM,
                     "seccomp: encode the container process "
                     "state");
  /* One message: the fd rides on the first (and only) sendmsg, as the spec
   * requires; the connection is closed right after. */
  return fdpass_send_to_path (s->listener_path, fd, json,
                              "linux.seccomp.listenerPath", err);
}

int
seccomp_notify_send_init (const struct ward_ctx *ctx, pid_t init_pid, int fd,
                          struct werr *err)
{
  struct seccomp_notify_state st = {
    .id = ctx->id,
    .status = "creating",
    .container_pid = init_pid,
    .process_pid = init_pid,
    .bundle = ctx->bundle,
    .annotations = &ctx->cfg->annotations,
  };
  return seccomp_notify_send (&ctx->cfg->linux_.seccomp, fd, &st, err);
}

int
seccomp_notify_send_exec (const struct oci_seccomp *s,
                          const struct ward_state *st, const char *status,
                          pid_t pid, int fd, struct werr *err)
{
  struct seccomp_notify_state ns = {
    .id = st->id,
    .status = status,
    .container_pid = st->pid,
    .process_pid = pid,
    .bundle = st->bundle,
    .annotations = &st->annotations,
  };
  return seccomp_notify_send (s, fd, &ns, err);
}
