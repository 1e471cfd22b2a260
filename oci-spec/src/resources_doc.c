/* ward — a lone linux.resources document (`update --resources FILE`). */
#include <errno.h>
#include <stdlib.h>

#include "parse_util.h"
#include "ward/oci_resources.h"

int
oci_resources_parse_data (const char *data, size_t len, const char *name,
                          struct oci_resources **out, struct werr *err)
{
  struct pctx p;
  pctx_init (&p, name ? name : "resources.json", err);
  struct jnode *doc = jnode_parse (data, len, err);
  if (doc == NULL)
    return werr_prefix (err, "%s", p.name);
  struct oci_resources *res = calloc (1, sizeof *res);
  if (res == NULL)
    {
      jnode_free (doc);
      return werr_set (err, ENOMEM, "%s", p.name);
    }
  /* Errors name the field as in config.json: linux.resources.memory.... */
  pctx_push_key (&p, "linux");
  pctx_push_key (&p, "resources");
  int r = pu_v_object (&p, doc);
  if (r == 0)
    r = oci_parse_resources_obj (&p, doc, res);
  jnode_free (doc);
  if (r < 0)
    {
      oci_resources_free (res);
      return -1;
    }
  *out = res;
  return 0;
}

void
oci_resources_free (struct oci_resources *res)
{
  if (res == NULL)
    return;
  oci_resources_release (res);
  free (res);
}
