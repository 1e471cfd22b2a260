/* ward — SELinux labels: process.selinuxLabel (exec and key creation),
 * linux.mountLabel (context= on the container's mounts), through libselinux
 * when ward is built with it (HAVE_SELINUX).
 *
 * On a host where SELinux is not enabled ward behaves as runc for the
 * process label — a config with process.selinuxLabel is refused at create —
 * and as crun for the mount label, which is ignored (runc 1.1 passes
 * context= regardless and its mounts then fail with EINVAL).
 * (Not named selinux.h, to stay clear of <selinux/selinux.h>.) */
#ifndef WARD_SELINUX_LABEL_H
#define WARD_SELINUX_LABEL_H

#include <stdbool.h>
#include <stddef.h>

#include "ward/error.h"
#include "ward/oci_config.h"

#define SELINUX_PART_MAX 256

/* "user:role:type[:level]"; the level is an MLS/MCS range such as "s0",
 * "s0:c1,c2" or "s0-s15:c0.c1023". */
struct selinux_context
{
  char user[SELINUX_PART_MAX];
  char role[SELINUX_PART_MAX];
  char type[SELINUX_PART_MAX];
  char level[SELINUX_PART_MAX]; /* "" when absent */
};

/* Syntax only (the loaded policy decides what exists): 0, or -1 with a
 * reason in err (no "config.json:" prefix). */
int selinux_context_parse (const char *label, struct selinux_context *out,
                           struct werr *err);
/* "s0", "s0:c1,c5.c9", "s0-s1:c0.c1023": sensitivities sN, categories cN
 * or ranges cN.cM with N < M, in increasing order. */
bool selinux_level_valid (const char *level);

/* `data` with context="LABEL" appended (comma-separated); a new string.
 * Pure formatting: no check of the host or the file system type. */
char *selinux_context_option (const char *data, const char *label);

/* Whether a mount of this type takes context= (runc's rules: not bind
 * mounts, proc, sysfs, cgroup, cgroup2 or mqueue). */
bool selinux_mount_takes_label (const char *fstype, bool bind);

/* For the mount code: the data to pass to mount(2) for a mount with
 * linux.mountLabel `label`, as a new string, or NULL when `data` stays as
 * it is (no label, SELinux off, or a file system that takes none). */
char *selinux_mount_data (const char *fstype, bool bind, const char *data,
                          const char *label);

/* SELinux is built in and enabled on this host. */
bool selinux_host_enabled (void);

/* Parent side, at create: process.selinuxLabel needs SELinux enabled; both
 * labels must parse.  mountLabel is ignored when SELinux is off. */
int selinux_labels_validate (const struct oci_config *cfg, struct werr *err);

/* In the init (and exec) before exec: the label the process gets at
 * execve (setexeccon).  NULL/"" does nothing. */
int selinux_set_exec_label (const char *label, struct werr *err);
/* Keys this process creates from now on, the session keyring first, get
 * `label` (setkeycreatecon).  NULL/"" does nothing. */
int selinux_set_key_label (const char *label, struct werr *err);
/* Files this process creates from now on (mount points, device nodes,
 * the rootfs's symlinks) get `label`, linux.mountLabel (setfscreatecon;
 * execve resets it).  Does nothing for NULL/"" or when SELinux is off,
 * where the mount label is ignored. */
int selinux_set_fscreate_label (const char *label, struct werr *err);

#endif
