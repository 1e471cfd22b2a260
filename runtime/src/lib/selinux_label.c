/* ward — SELinux labels (see selinux_label.h). */
#include "selinux_label.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_SELINUX
#include <selinux/selinux.h>
#endif

#include "utils.h"
#include "ward/cleanup.h"

/* ---- syntax ------------------------------------------------------------ */

static bool
ident_valid (const char *s)
{
  if (*s == '\0' || !(isalnum ((unsigned char) *s) || *s == '_'))
    return false;
  for (; *s; s++)
    if (!(isalnum ((unsigned char) *s) || strchr ("_.-", *s)))
      return false;
  return true;
}

/* "<prefix><digits>" -> the number; -1 when malformed.  [s, end). */
static long
prefixed_number (const char *s, const char *end, char prefix)
{
  if (end - s < 2 || *s != prefix)
    return -1;
  long v = 0;
  for (s++; s < end; s++)
    {
      if (!isdigit ((unsigned char) *s) || v > 100000)
        return -1;
      v = v * 10 + (*s - '0');
    }
  return v;
}

/* "c1,c3.c7,c9" in [s, end). */
static bool
categories_valid (const char *s, const char *end)
{
  if (s == end)
    return false;
  while (s < end)
    {
      const char *comma = memchr (s, ',', (size_t) (end - s));
      const char *item_end = comma ? comma : end;
      const char *dot = memchr (s, '.', (size_t) (item_end - s));
      if (dot)
        {
          /* A range must go upwards: the kernel refuses c5.c1. */
          long lo = prefixed_number (s, dot, 'c');
          long hi = prefixed_number (dot + 1, item_end, 'c');
          if (lo < 0 || hi < 0 || lo >= hi)
            return false;
        }
      else if (prefixed_number (s, item_end, 'c') < 0)
        return false;
      if (comma && comma + 1 == end)
        return false;
      s = comma ? comma + 1 : end;
    }
  return true;
}

/* "s0" or "s0:c1,c2" in [s, end). */
static bool
one_level_valid (const char *s, const char *end)
{
  const char *colon = memchr (s, ':', (size_t) (end - s));
  if (prefixed_number (s, colon ? colon : end, 's') < 0)
    return false;
  return colon == NULL || categories_valid (colon + 1, end);
}

bool
selinux_level_valid (const char *level)
{
  if (level == NULL || *level == '\0')
    return false;
  const char *end = level + strlen (level);
  const char *dash = strchr (level, '-');
  if (dash == NULL)
    return one_level_valid (level, end);
  return one_level_valid (level, dash) && one_level_valid (dash + 1, end);
}

static int
copy_part (char *dst, const char *s, size_t len, const char *what,
           const char *label, struct werr *err)
{
  if (len >= SELINUX_PART_MAX)
    return werr_set (err, 0, "\"%s\": the %s is too long", label, what);
  memcpy (dst, s, len);
  dst[len] = '\0';
  return 0;
}

int
selinux_context_parse (const char *label, struct selinux_context *out,
                       struct werr *err)
{
  memset (out, 0, sizeof *out);
  if (label == NULL || *label == '\0')
    return werr_set (err, 0, "empty SELinux context");
  const char *c1 = strchr (label, ':');
  const char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
  if (c2 == NULL)
    return werr_set (err, 0,
                     "\"%s\" is not an SELinux context (user:role:type"
                     "[:level])",
                     label);
  const char *c3 = strchr (c2 + 1, ':');
  const char *type_end = c3 ? c3 : label + strlen (label);
  if (copy_part (out->user, label, (size_t) (c1 - label), "user", label, err)
          < 0
      || copy_part (out->role, c1 + 1, (size_t) (c2 - c1 - 1), "role", label,
                    err)
             < 0
      || copy_part (out->type, c2 + 1, (size_t) (type_end - c2 - 1), "type",
                    label, err)
             < 0)
    return -1;
  if (c3
      && copy_part (out->level, c3 + 1, strlen (c3 + 1), "level", label, err)
             < 0)
    return -1;
  if (!ident_valid (out->user) || !ident_valid (out->role)
      || !ident_valid (out->type))
    return werr_set (err, 0,
                     "\"%s\" is not an SELinux context (user:role:type"
                     "[:level])",
                     label);
  if (c3 && !selinux_level_valid (out->level))
    return werr_set (err, 0, "\"%s\": bad MLS level \"%s\"", label, out->level);
  return 0;
}

char *
selinux_context_option (const char *data, const char *label)
{
  /* Quoted: the categories hold commas, the option separator. */
  if (data == NULL || *data == '\0')
    return xasprintf ("context=\"%s\"", label);
  return xasprintf ("%s,context=\"%s\"", data, label);
}

bool
selinux_mount_takes_label (const char *fstype, bool bind)
{
  static const char *const unlabeled[]
      = { "proc", "sysfs", "cgroup", "cgroup2", "mqueue", "bind" };
  if (bind || fstype == NULL)
    return false;
  for (size_t i = 0; i < ARRAY_SIZE (unlabeled); i++)
    if (strcmp (fstype, unlabeled[i]) == 0)
      return false;
  return true;
}

/* ---- the host ---------------------------------------------------------- */

bool
selinux_host_enabled (void)
{
#ifdef HAVE_SELINUX
  return is_selinux_enabled () > 0;
#else
  return false;
#endif
}

char *
selinux_mount_data (const char *fstype, bool bind, const char *data,
                    const char *label)
{
  if (label == NULL || *label == '\0'
      || !selinux_mount_takes_label (fstype, bind) || !selinux_host_enabled ())
    return NULL;
  return selinux_context_option (data, label);
}

static int
validate_label (const char *label, const char *field, struct werr *err)
{
  struct selinux_context ctx;
  if (selinux_context_parse (label, &ctx, err) < 0)
    return werr_prefix (err, "config.json: %s", field);
#ifdef HAVE_SELINUX
  /* The loaded policy has the final word: unknown users, roles, types. */
  if (security_check_context (label) < 0)
    return werr_set (err, 0,
                     "config.json: %s: \"%s\" is not a valid context in the "
                     "loaded SELinux policy",
                     field, label);
#endif
  return 0;
}

int
selinux_labels_validate (const struct oci_config *cfg, struct werr *err)
{
  const char *plabel = cfg->has_process ? cfg->process.selinux_label : NULL;
  const char *mlabel = cfg->has_linux ? cfg->linux_.mount_label : NULL;
  bool enabled = selinux_host_enabled ();
  if (plabel && *plabel)
    {
      /* As runc: a label that cannot be applied is an error, not a
       * container silently running unconfined. */
      if (!enabled)
        return werr_set (err, 0,
                         "config.json: process.selinuxLabel: SELinux is not "
                         "enabled on this host");
      if (validate_label (plabel, "process.selinuxLabel", err) < 0)
        return -1;
    }
  /* Without SELinux the mount label means nothing: ignored (see the
   * header). */
  if (mlabel && *mlabel && enabled
      && validate_label (mlabel, "linux.mountLabel", err) < 0)
    return -1;
  return 0;
}

/* ---- applying ---------------------------------------------------------- */

static int
not_enabled (struct werr *err)
{
  return werr_set (err, 0,
                   "process.selinuxLabel: SELinux is not enabled on this "
                   "host");
}

int
selinux_set_exec_label (const char *label, struct werr *err)
{
  if (label == NULL || *label == '\0')
    return 0;
  if (!selinux_host_enabled ())
    return not_enabled (err);
#ifdef HAVE_SELINUX
  /* The transition happens at execve: the runtime's own code keeps the
   * runtime's label until then. */
  if (setexeccon (label) < 0)
    return werr_set (err, errno, "setexeccon `%s`", label);
#endif
  return 0;
}

int
selinux_set_key_label (const char *label, struct werr *err)
{
  if (label == NULL || *label == '\0')
    return 0;
  if (!selinux_host_enabled ())
    return not_enabled (err);
#ifdef HAVE_SELINUX
  /* The container's session keyring is created later by this process: it
   * must carry the container's label, not the runtime's. */
  if (setkeycreatecon (label) < 0)
    return werr_set (err, errno, "setkeycreatecon `%s`", label);
#endif
  return 0;
}

int
selinux_set_fscreate_label (const char *label, struct werr *err)
{
  if (label == NULL || *label == '\0' || !selinux_host_enabled ())
    return 0;
#ifdef HAVE_SELINUX
  /* What the runtime creates inside the rootfs must be readable by the
   * confined process: it gets the container's file label. */
  if (setfscreatecon (label) < 0)
    return werr_set (err, errno, "setfscreatecon `%s`", label);
#else
  (void) err;
#endif
  return 0;
}
