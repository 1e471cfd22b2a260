/* ward — config.json mount options as mount(2) / mount_setattr(2) flags.
 *
 * Private to rootfs.c, mounts.c and devices.c.  The option table follows
 * runc's (specconv): flags, propagation, recursive attributes (mount_setattr
 * with AT_RECURSIVE), the crun/runc extensions tmpcopyup, idmap and ridmap.
 * Anything unknown is file-system data, joined with ',' as runc does.
 */
#ifndef WARD_MOUNT_OPTIONS_H
#define WARD_MOUNT_OPTIONS_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mount.h>

#include "ward/oci_config.h"

/* Values of <linux/mount.h>, for C libraries that lack the new mount API. */
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#define WARD_MOUNT_ATTR_RDONLY 0x00000001
#define WARD_MOUNT_ATTR_NOSUID 0x00000002
#define WARD_MOUNT_ATTR_NODEV 0x00000004
#define WARD_MOUNT_ATTR_NOEXEC 0x00000008
#define WARD_MOUNT_ATTR__ATIME 0x00000070
#define WARD_MOUNT_ATTR_RELATIME 0x00000000
#define WARD_MOUNT_ATTR_NOATIME 0x00000010
#define WARD_MOUNT_ATTR_STRICTATIME 0x00000020
#define WARD_MOUNT_ATTR_NODIRATIME 0x00000080
#define WARD_MOUNT_ATTR_IDMAP 0x00100000
#define WARD_MOUNT_ATTR_NOSYMFOLLOW 0x00200000

/* Flags a user namespace cannot clear on a mount it inherited (MNT_LOCK_*). */
#define WARD_MS_ATIME_ENUM (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)
#define WARD_MS_ATIME (WARD_MS_ATIME_ENUM | MS_NODIRATIME)
#define WARD_MS_LOCKABLE                                                       \
  (MS_RDONLY | MS_NODEV | MS_NOEXEC | MS_NOSUID | WARD_MS_ATIME)

struct mount_opts
{
  unsigned long flags;        /* MS_* to set (MS_BIND, MS_REC for bind/rbind) */
  unsigned long cleared;      /* MS_* explicitly cleared (rw, suid, dev, ...) */
  unsigned long *propagation; /* MS_SHARED|MS_REC, ... in config order */
  size_t n_propagation;
  uint64_t attr_set, attr_clr; /* recursive attributes (rro, rnosuid, ...) */
  bool copyup;                 /* tmpcopyup */
  bool idmap, ridmap;          /* idmap / ridmap */
  char *data;                  /* unknown options, ','-joined; never NULL */
};

/* Parse an options array.  Never fails: unknown options become data. */
void mount_opts_parse (const struct oci_strv *options, struct mount_opts *out);
void mount_opts_free (struct mount_opts *m);

static inline bool
mount_opts_is_bind (const struct mount_opts *m)
{
  return (m->flags & MS_BIND) != 0;
}

/* "rslave" -> MS_SLAVE|MS_REC.  Returns false for an unknown name. */
bool mount_propagation_from_name (const char *name, unsigned long *out);

/* True when `name` is one of the options the table knows. */
bool mount_option_known (const char *name);

/* statfs(2) f_flags (ST_*) as MS_* flags, atime included. */
unsigned long mount_flags_from_statfs (unsigned long f_flags);

#endif
