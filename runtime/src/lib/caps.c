/* ward — Linux capabilities of the container process. */
#include "caps.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "ward/cleanup.h"

int
caps_last_cap (void)
{
  static int last = -1;
  if (last >= 0)
    return last;
  /* Ask the kernel rather than /proc/sys/kernel/cap_last_cap: this also
   * runs in the init, where /proc may not be mounted yet. */
  int i;
  for (i = 0; i < 64; i++)
    if (prctl (PR_CAPBSET_READ, (unsigned long) i, 0, 0, 0) < 0
        && errno == EINVAL)
      break;
  last = i - 1;
  return last;
}

int
caps_from_name (const char *name)
{
  if (strncmp (name, "CAP_", 4) != 0 || name[4] == '\0')
    return -1;
  for (const char *c = name; *c; c++)
    if (!(isupper ((unsigned char) *c) || isdigit ((unsigned char) *c)
          || *c == '_'))
      return -1;
  cap_value_t v;
  if (cap_from_name (name, &v) < 0 || v < 0 || v > 63)
    return -1;
  /* libcap stops at the first separator ("CAP_CHOWN,x" parses): demand an
   * exact match of the canonical name. */
  char *canon = cap_to_name (v);
  if (canon == NULL)
    return -1;
  bool same = strcasecmp (canon, name) == 0;
  cap_free (canon);
  return same ? (int) v : -1;
}

static void
cap_display_name (int cap, char *buf, size_t len)
{
  char *n = cap_to_name ((cap_value_t) cap);
  if (n == NULL)
    {
      snprintf (buf, len, "%d", cap);
      return;
    }
  size_t i;
  for (i = 0; n[i] && i + 1 < len; i++)
    buf[i] = (char) toupper ((unsigned char) n[i]);
  buf[i] = '\0';
  cap_free (n);
}

static int
caps_set_from_names (const struct oci_strv *names, const char *field,
                     uint64_t *out, struct werr *err)
{
  int last = caps_last_cap ();
  *out = 0;
  for (size_t i = 0; i < names->n; i++)
    {
      const char *name = names->v[i];
      int cap = caps_from_name (name);
      if (cap < 0)
        return werr_set (err, 0,
                         "config.json: process.capabilities.%s: unknown "
                         "capability \"%s\"",
                         field, name);
      if (cap > last)
        return werr_set (err, 0,
                         "config.json: process.capabilities.%s: capability "
                         "\"%s\" is not supported by the running kernel "
                         "(last capability is %d)",
                         field, name, last);
      *out |= UINT64_C (1) << cap;
    }
  return 0;
}

int
caps_from_config (const struct oci_process *p, struct caps_sets *out,
                  struct werr *err)
{
  memset (out, 0, sizeof *out);
  /* runc: a process without a capabilities object runs with none at all. */
  if (p == NULL || !p->has_capabilities)
    return 0;
  const struct oci_capabilities *c = &p->capabilities;
  if (caps_set_from_names (&c->bounding, "bounding", &out->bounding, err) < 0
      || caps_set_from_names (&c->effective, "effective", &out->effective, err)
             < 0
      || caps_set_from_names (&c->inheritable, "inheritable", &out->inheritable,
                              err)
             < 0
      || caps_set_from_names (&c->permitted, "permitted", &out->permitted, err)
             < 0
      || caps_set_from_names (&c->ambient, "ambient", &out->ambient, err) < 0)
    return -1;
  return 0;
}

int
caps_drop_bounding (uint64_t keep, struct werr *err)
{
  int last = caps_last_cap ();
  for (int cap = 0; cap <= last; cap++)
    {
      if (keep & (UINT64_C (1) << cap))
        continue;
      /* Dropping needs CAP_SETPCAP; only ask for it when the capability is
       * still there, so an already-reduced set is not an error. */
      int r = prctl (PR_CAPBSET_READ, (unsigned long) cap, 0, 0, 0);
      if (r == 0 || (r < 0 && errno == EINVAL))
        continue;
      /* The bounding set caps what the process and anything it executes
       * can ever gain, even through set-uid or file capabilities. */
      if (prctl (PR_CAPBSET_DROP, (unsigned long) cap, 0, 0, 0) < 0)
        {
          char name[64];
          cap_display_name (cap, name, sizeof name);
          return werr_set (err, errno, "prctl PR_CAPBSET_DROP %s", name);
        }
    }
  return 0;
}

int
caps_keep_across_setuid (bool on, struct werr *err)
{
  /* Without KEEPCAPS the switch away from uid 0 empties the permitted set,
   * leaving nothing to build the configured sets from. */
  if (prctl (PR_SET_KEEPCAPS, on ? 1UL : 0UL, 0, 0, 0) < 0)
    return werr_set (err, errno, "prctl PR_SET_KEEPCAPS %d", on ? 1 : 0);
  return 0;
}

static int
cap_flag_from_bits (cap_t c, cap_flag_t flag, uint64_t bits)
{
  int last = caps_last_cap ();
  for (int cap = 0; cap <= last; cap++)
    if (bits & (UINT64_C (1) << cap))
      {
        cap_value_t v = cap;
        if (cap_set_flag (c, flag, 1, &v, CAP_SET) < 0)
          return -1;
      }
  return 0;
}

static int
caps_apply_ambient (uint64_t ambient, struct werr *err)
{
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
    {
      /* Kernels before 4.3 have no ambient set: fine if none is asked. */
      if (errno == EINVAL && ambient == 0)
        return 0;
      return werr_set (err, errno, "prctl PR_CAP_AMBIENT_CLEAR_ALL");
    }
  int last = caps_last_cap ();
  for (int cap = 0; cap <= last; cap++)
    if (ambient & (UINT64_C (1) << cap))
      {
        /* As runc: a capability missing from the permitted or inheritable
         * set cannot be raised; that is not fatal (engines such as podman
         * send ambient sets without inheritable ones since
         * CVE-2022-27649). */
        (void) prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long) cap,
                      0, 0);
      }
  return 0;
}

int
caps_apply_sets (const struct caps_sets *s, struct werr *err)
{
  cap_t c = cap_init ();
  if (c == NULL)
    return werr_set (err, errno, "cap_init");
  int r = 0;
  if (cap_flag_from_bits (c, CAP_EFFECTIVE, s->effective) < 0
      || cap_flag_from_bits (c, CAP_PERMITTED, s->permitted) < 0
      || cap_flag_from_bits (c, CAP_INHERITABLE, s->inheritable) < 0)
    r = werr_set (err, errno, "cap_set_flag");
  /* The configured sets replace everything the runtime held so far. */
  else if (cap_set_proc (c) < 0)
    r = werr_set (err, errno, "capset");
  cap_free (c);
  if (r < 0)
    return r;
  return caps_apply_ambient (s->ambient, err);
}
