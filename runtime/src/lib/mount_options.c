/* ward — config.json mount options as mount(2) / mount_setattr(2) flags. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "mount_options.h"

#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "utils.h"
#include "ward/cleanup.h"

struct flag_opt
{
  const char *name;
  bool clear;
  unsigned long flag;
};

/* The mount(2) flags, as runc's specconv table (plus "defaults", a no-op). */
static const struct flag_opt flag_opts[] = {
  { "defaults", false, 0 },
  { "ro", false, MS_RDONLY },
  { "rw", true, MS_RDONLY },
  { "nosuid", false, MS_NOSUID },
  { "suid", true, MS_NOSUID },
  { "nodev", false, MS_NODEV },
  { "dev", true, MS_NODEV },
  { "noexec", false, MS_NOEXEC },
  { "exec", true, MS_NOEXEC },
  { "sync", false, MS_SYNCHRONOUS },
  { "async", true, MS_SYNCHRONOUS },
  { "dirsync", false, MS_DIRSYNC },
  { "remount", false, MS_REMOUNT },
  { "mand", false, MS_MANDLOCK },
  { "nomand", true, MS_MANDLOCK },
  { "atime", true, MS_NOATIME },
  { "noatime", false, MS_NOATIME },
  { "diratime", true, MS_NODIRATIME },
  { "nodiratime", false, MS_NODIRATIME },
  { "relatime", false, MS_RELATIME },
  { "norelatime", true, MS_RELATIME },
  { "strictatime", false, MS_STRICTATIME },
  { "nostrictatime", true, MS_STRICTATIME },
  { "lazytime", false, MS_LAZYTIME },
  { "nolazytime", true, MS_LAZYTIME },
  { "iversion", false, MS_I_VERSION },
  { "noiversion", true, MS_I_VERSION },
  { "silent", false, MS_SILENT },
  { "loud", true, MS_SILENT },
  { "nosymfollow", false, MS_NOSYMFOLLOW },
  { "symfollow", true, MS_NOSYMFOLLOW },
  { "bind", false, MS_BIND },
  { "rbind", false, MS_BIND | MS_REC },
};

static const struct flag_opt propagation_opts[] = {
  { "private", false, MS_PRIVATE },
  { "rprivate", false, MS_PRIVATE | MS_REC },
  { "shared", false, MS_SHARED },
  { "rshared", false, MS_SHARED | MS_REC },
  { "slave", false, MS_SLAVE },
  { "rslave", false, MS_SLAVE | MS_REC },
  { "unbindable", false, MS_UNBINDABLE },
  { "runbindable", false, MS_UNBINDABLE | MS_REC },
};

/* Recursive attributes, applied with mount_setattr(AT_RECURSIVE). */
static const struct flag_opt attr_opts[] = {
  { "rro", false, WARD_MOUNT_ATTR_RDONLY },
  { "rrw", true, WARD_MOUNT_ATTR_RDONLY },
  { "rnosuid", false, WARD_MOUNT_ATTR_NOSUID },
  { "rsuid", true, WARD_MOUNT_ATTR_NOSUID },
  { "rnodev", false, WARD_MOUNT_ATTR_NODEV },
  { "rdev", true, WARD_MOUNT_ATTR_NODEV },
  { "rnoexec", false, WARD_MOUNT_ATTR_NOEXEC },
  { "rexec", true, WARD_MOUNT_ATTR_NOEXEC },
  { "rnodiratime", false, WARD_MOUNT_ATTR_NODIRATIME },
  { "rdiratime", true, WARD_MOUNT_ATTR_NODIRATIME },
  { "rrelatime", false, WARD_MOUNT_ATTR_RELATIME },
  { "rnorelatime", true, WARD_MOUNT_ATTR_RELATIME },
  { "rnoatime", false, WARD_MOUNT_ATTR_NOATIME },
  { "ratime", true, WARD_MOUNT_ATTR_NOATIME },
  { "rstrictatime", false, WARD_MOUNT_ATTR_STRICTATIME },
  { "rnostrictatime", true, WARD_MOUNT_ATTR_STRICTATIME },
  { "rnosymfollow", false, WARD_MOUNT_ATTR_NOSYMFOLLOW },
  { "rsymfollow", true, WARD_MOUNT_ATTR_NOSYMFOLLOW },
};

static const struct flag_opt *
lookup (const struct flag_opt *table, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (table[i].name, name) == 0)
      return &table[i];
  return NULL;
}

bool
mount_propagation_from_name (const char *name, unsigned long *out)
{
  const struct flag_opt *o
      = lookup (propagation_opts, ARRAY_SIZE (propagation_opts), name);
  if (o == NULL)
    return false;
  *out = o->flag;
  return true;
}

bool
mount_option_known (const char *name)
{
  return lookup (flag_opts, ARRAY_SIZE (flag_opts), name)
         || lookup (propagation_opts, ARRAY_SIZE (propagation_opts), name)
         || lookup (attr_opts, ARRAY_SIZE (attr_opts), name)
         || strcmp (name, "tmpcopyup") == 0 || strcmp (name, "idmap") == 0
         || strcmp (name, "ridmap") == 0;
}

static void
parse_attr (const struct flag_opt *o, struct mount_opts *m)
{
  if (o->clear)
    {
      m->attr_clr |= o->flag;
      m->attr_set &= ~(uint64_t) o->flag;
      return;
    }
  m->attr_set |= o->flag;
  m->attr_clr &= ~(uint64_t) o->flag;
  /* The atime values are an enum: mount_setattr(2) wants the whole field
   * cleared to set one of them (MOUNT_ATTR_RELATIME is 0). */
  if ((o->flag & WARD_MOUNT_ATTR__ATIME) == o->flag)
    m->attr_clr |= WARD_MOUNT_ATTR__ATIME;
}

static void
append_data (char **data, size_t *len, const char *opt)
{
  size_t n = strlen (opt);
  char *p = realloc (*data, *len + n + 2);
  if (p == NULL)
    abort ();
  if (*len > 0)
    p[(*len)++] = ',';
  memcpy (p + *len, opt, n + 1);
  *len += n;
  *data = p;
}

static bool
parse_extension (const char *o, struct mount_opts *m)
{
  if (strcmp (o, "tmpcopyup") == 0)
    m->copyup = true;
  else if (strcmp (o, "idmap") == 0)
    m->idmap = true;
  else if (strcmp (o, "ridmap") == 0)
    m->idmap = m->ridmap = true;
  else
    return false;
  return true;
}

void
mount_opts_parse (const struct oci_strv *options, struct mount_opts *out)
{
  memset (out, 0, sizeof *out);
  size_t len = 0;
  out->data = xstrdup ("");
  for (size_t i = 0; options && i < options->n; i++)
    {
      const char *o = options->v[i];
      const struct flag_opt *f;
      if ((f = lookup (flag_opts, ARRAY_SIZE (flag_opts), o)) != NULL)
        {
          if (f->clear)
            {
              out->flags &= ~f->flag;
              out->cleared |= f->flag;
            }
          else
            {
              out->flags |= f->flag;
              out->cleared &= ~f->flag;
            }
        }
      else if ((f = lookup (propagation_opts, ARRAY_SIZE (propagation_opts), o))
               != NULL)
        {
          out->propagation
              = realloc (out->propagation,
                         (out->n_propagation + 1) * sizeof *out->propagation);
          if (out->propagation == NULL)
            abort ();
          out->propagation[out->n_propagation++] = f->flag;
        }
      else if ((f = lookup (attr_opts, ARRAY_SIZE (attr_opts), o)) != NULL)
        parse_attr (f, out);
      else if (!parse_extension (o, out))
        append_data (&out->data, &len, o);
    }
}

void
mount_opts_free (struct mount_opts *m)
{
  free (m->propagation);
  free (m->data);
  m->propagation = NULL;
  m->data = NULL;
}

unsigned long
mount_flags_from_statfs (unsigned long f)
{
  static const struct
  {
    unsigned long st, ms;
  } map[] = {
    { ST_RDONLY, MS_RDONLY },
    { ST_NOSUID, MS_NOSUID },
    { ST_NODEV, MS_NODEV },
    { ST_NOEXEC, MS_NOEXEC },
    { ST_MANDLOCK, MS_MANDLOCK },
    { ST_SYNCHRONOUS, MS_SYNCHRONOUS },
    { ST_NOATIME, MS_NOATIME },
    { ST_NODIRATIME, MS_NODIRATIME },
    { ST_RELATIME, MS_RELATIME },
    { 0x2000 /* ST_NOSYMFOLLOW */, MS_NOSYMFOLLOW },
  };
  unsigned long flags = 0;
  for (size_t i = 0; i < ARRAY_SIZE (map); i++)
    if (f & map[i].st)
      flags |= map[i].ms;
  /* statfs has no ST_STRICTATIME: a mount with none of the other atime
   * values is a strictatime mount. */
  if ((flags & WARD_MS_ATIME_ENUM) == 0)
    flags |= MS_STRICTATIME;
  return flags;
}
