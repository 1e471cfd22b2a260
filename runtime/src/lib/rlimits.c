/* ward — process.rlimits. */
#include "rlimits.h"

#include <errno.h>
#include <inttypes.h>
#include <sys/resource.h>

int
rlimits_validate (const struct oci_process *p, struct werr *err)
{
  for (size_t i = 0; i < p->n_rlimits; i++)
    {
      const struct oci_rlimit *r = &p->rlimits[i];
      const char *type = r->type ? r->type : "";
      if (r->resource < 0 || r->resource >= RLIMIT_NLIMITS)
        return werr_set (err, 0,
                         "config.json: process.rlimits[%zu].type: unknown "
                         "rlimit \"%s\"",
                         i, type);
      if (r->soft > r->hard)
        return werr_set (err, 0,
                         "config.json: process.rlimits[%zu]: %s soft limit "
                         "%" PRIu64 " is greater than hard limit %" PRIu64,
                         i, type, r->soft, r->hard);
      for (size_t j = 0; j < i; j++)
        if (p->rlimits[j].resource == r->resource)
          return werr_set (err, 0,
                           "config.json: process.rlimits[%zu].type: "
                           "duplicate rlimit \"%s\"",
                           i, type);
    }
  return 0;
}

int
rlimits_apply (const struct oci_process *p, struct werr *err)
{
  for (size_t i = 0; i < p->n_rlimits; i++)
    {
      const struct oci_rlimit *r = &p->rlimits[i];
      if (r->resource < 0 || r->resource >= RLIMIT_NLIMITS)
        return werr_set (err, EINVAL, "setrlimit %s", r->type);
      /* UINT64_MAX is RLIM_INFINITY: the values go to the kernel as is. */
      struct rlimit rl
          = { .rlim_cur = (rlim_t) r->soft, .rlim_max = (rlim_t) r->hard };
      /* Raising a hard limit needs CAP_SYS_RESOURCE; lowering never does. */
      if (setrlimit ((__rlimit_resource_t) r->resource, &rl) < 0)
        return werr_set (err, errno, "setrlimit %s", r->type);
    }
  return 0;
}
