/* ward — a lone linux.resources document (`update --resources FILE`). */
#include <errno.h>
#include <stdlib.h>

#include "parse_util.h"
#include "ward/oci_resources.h"

static int
resources_document (struct pctx *p, const struct jnode *doc, void *out)
{
  /* Errors name the field as in config.json: linux.resources.memory.... */
  size_t mark = pctx_push_key (p, "linux");
  pctx_push_key (p, "resources");
  int r = pu_v_object (p, doc);
  if (r == 0)
    r = oci_parse_resources_obj (p, doc, out);
  pctx_pop (p, mark);
  return r;
}

static void
resources_free (void *res)
{
  oci_resources_free (res);
}

int
oci_resources_parse_data (const char *data, size_t len, const char *name,
                          struct oci_resources **out, struct werr *err)
{
  return pu_parse_document (data, len, name ? name : "resources.json",
                            sizeof **out, resources_document, resources_free,
                            (void **) out, err);
}

void
oci_resources_free (struct oci_resources *res)
{
  if (res == NULL)
    return;
  oci_resources_release (res);
  free (res);
}
