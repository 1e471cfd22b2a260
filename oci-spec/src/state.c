/* ward — the JSON `ward state` prints. */
#include "ward/oci_output.h"

#include <errno.h>

#include "ward/json.h"

/* runtime-spec state plus runc's rootfs, created and owner, with runc's key
 * names, so that go-runc and conmon read it unchanged. */
int
oci_state_json (const struct oci_state_view *st, bool pretty, char **out,
                size_t *len, struct werr *err)
{
  struct jw *w = jw_new (pretty);
  if (w == NULL)
    return werr_set (err, ENOMEM, "state JSON");
  jw_obj_open (w);
  jw_kstr (w, "ociVersion",
           st->oci_version ? st->oci_version : WARD_OCI_VERSION);
  jw_kstr (w, "id", st->id ? st->id : "");
  if (st->pid > 0)
    jw_kint (w, "pid", st->pid);
  jw_kstr (w, "status", st->status ? st->status : "stopped");
  jw_kstr (w, "bundle", st->bundle ? st->bundle : "");
  if (st->rootfs)
    jw_kstr (w, "rootfs", st->rootfs);
  if (st->created)
    jw_kstr (w, "created", st->created);
  if (st->owner)
    jw_kstr (w, "owner", st->owner);
  if (st->annotations && st->annotations->n > 0)
    {
      jw_key (w, "annotations");
      jw_obj_open (w);
      for (size_t i = 0; i < st->annotations->n; i++)
        jw_kstr (w, st->annotations->v[i].key, st->annotations->v[i].value);
      jw_obj_close (w);
    }
  jw_obj_close (w);
  if (jw_finish (w, out, len) < 0)
    return werr_set (err, ENOMEM, "state JSON");
  return 0;
}
