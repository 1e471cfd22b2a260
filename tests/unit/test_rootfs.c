/* ward — unit tests of the rootfs module: mount options, path resolution
 * inside a root, validation, and (as root) a whole rootfs_setup() +
 * rootfs_finalize() in a forked child with its own mount and pid
 * namespaces, so nothing reaches the host's mount table. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mount_options.h"
#include "mounts.h"
#include "path_in_root.h"
#include "rootfs.h"
#include "unit.h"
#include "ward/cleanup.h"

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif

static struct oci_strv
strv (const char **v)
{
  struct oci_strv s = { (char **) v, 0 };
  while (v[s.n])
    s.n++;
  return s;
}

static void
test_mount_options (void)
{
  const char *opts[]
      = { "rbind",    "ro",       "nosuid",  "rprivate",  "rro",
          "rnoatime", "mode=755", "size=1m", "tmpcopyup", "ridmap",
          "rw",       "ro",       "exec",    NULL };
  struct oci_strv s = strv (opts);
  struct mount_opts o;
  mount_opts_parse (&s, &o);
  CHECK (o.flags & MS_BIND);
  CHECK (o.flags & MS_REC);
  CHECK (o.flags & MS_RDONLY);
  CHECK (o.flags & MS_NOSUID);
  CHECK (!(o.flags & MS_NOEXEC));
  CHECK (o.cleared & MS_NOEXEC);
  CHECK (!(o.cleared & MS_RDONLY));
  CHECK_INT_EQ (o.n_propagation, 1);
  CHECK_UINT_EQ (o.propagation[0], MS_PRIVATE | MS_REC);
  CHECK_UINT_EQ (o.attr_set, WARD_MOUNT_ATTR_RDONLY | WARD_MOUNT_ATTR_NOATIME);
  CHECK_UINT_EQ (o.attr_clr, WARD_MOUNT_ATTR__ATIME);
  CHECK (o.copyup && o.idmap && o.ridmap);
  CHECK_STR_EQ (o.data, "mode=755,size=1m");
  mount_opts_free (&o);

  const char *none[] = { NULL };
  s = strv (none);
  mount_opts_parse (&s, &o);
  CHECK_UINT_EQ (o.flags, 0);
  CHECK_STR_EQ (o.data, "");
  mount_opts_free (&o);

  unsigned long p;
  CHECK (mount_propagation_from_name ("rslave", &p)
         && p == (MS_SLAVE | MS_REC));
  CHECK (!mount_propagation_from_name ("sideways", &p));
  CHECK (mount_option_known ("rnosymfollow"));
  CHECK (!mount_option_known ("size=1m"));
}

static void
test_statfs_flags (void)
{
  CHECK_UINT_EQ (mount_flags_from_statfs (ST_RDONLY | ST_NOSUID),
                 MS_RDONLY | MS_NOSUID | MS_STRICTATIME);
  CHECK_UINT_EQ (mount_flags_from_statfs (ST_RELATIME | ST_NODEV),
                 MS_RELATIME | MS_NODEV);
  CHECK_UINT_EQ (mount_flags_from_statfs (ST_NOATIME), MS_NOATIME);
}

static void
test_path_clean (void)
{
  static const char *cases[][2] = {
    { "/", "/" },         { "", "/" },
    { "a/b", "/a/b" },    { "/a//b/./c/", "/a/b/c" },
    { "/../../x", "/x" }, { "/a/../../b", "/b" },
    { "/a/b/..", "/a" },  { "..", "/" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      _cleanup_free_ char *c = path_clean (cases[i][0]);
      CHECK_STR_EQ (c, cases[i][1]);
    }
}

/* ---- path_in_root ---------------------------------------------------- */

static int
rm_entry (const char *p, const struct stat *st, int flag, struct FTW *f)
{
  (void) st, (void) flag, (void) f;
  return remove (p);
}

static void
rm_rf (const char *dir)
{
  nftw (dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void
write_text (const char *path, const char *text)
{
  FILE *f = fopen (path, "w");
  if (f)
    {
      fputs (text, f);
      fclose (f);
    }
}

static char *
fd_path (int fd)
{
  char p[64], buf[PATH_MAX];
  snprintf (p, sizeof p, "/proc/self/fd/%d", fd);
  ssize_t n = readlink (p, buf, sizeof buf - 1);
  if (n < 0)
    return strdup ("?");
  buf[n] = '\0';
  return strdup (buf);
}

static void
path_in_root_cases (const char *top)
{
  char root[PATH_MAX], hostfile[PATH_MAX], p[PATH_MAX + 64];
  snprintf (root, sizeof root, "%s/root", top);
  snprintf (hostfile, sizeof hostfile, "%s/secret", top);
  mkdir (root, 0755);
  write_text (hostfile, "host");
  snprintf (p, sizeof p, "%s/etc", root);
  mkdir (p, 0755);
  snprintf (p, sizeof p, "%s/etc/passwd", root);
  write_text (p, "inside");
  /* Escapes: absolute and relative symlinks, "..", a loop. */
  snprintf (p, sizeof p, "%s/abs", root);
  symlink ("/../../../../etc", p);
  snprintf (p, sizeof p, "%s/rel", root);
  symlink ("../../../../../../", p);
  snprintf (p, sizeof p, "%s/loop", root);
  symlink ("loop", p);
  snprintf (p, sizeof p, "%s/dangling", root);
  symlink ("/made/by/link", p);
  snprintf (p, sizeof p, "%s/escape-secret", root);
  symlink ("../secret", p);

  struct werr err = { 0 };
  _cleanup_close_ int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  CHECK (rootfd >= 0);

  _cleanup_close_ int a
      = open_in_root (rootfd, "/abs/passwd", O_RDONLY, 0, &err);
  char buf[16] = "";
  CHECK (a >= 0 && read (a, buf, sizeof buf - 1) == 6);
  CHECK_STR_EQ (buf, "inside");

  _cleanup_close_ int r
      = open_in_root (rootfd, "rel/etc/../etc/passwd", O_PATH, 0, &err);
  _cleanup_free_ char *rp = r >= 0 ? fd_path (r) : strdup ("-");
  snprintf (p, sizeof p, "%s/etc/passwd", root);
  CHECK_STR_EQ (rp, p);

  CHECK (open_in_root (rootfd, "escape-secret", O_RDONLY, 0, &err) < 0);
  CHECK_INT_EQ (err.errnum, ENOENT);
  CHECK (open_in_root (rootfd, "/../secret", O_RDONLY, 0, &err) < 0);
  CHECK (open_in_root (rootfd, "loop/x", O_PATH, 0, &err) < 0);
  CHECK_INT_EQ (err.errnum, ELOOP);
  CHECK (open_in_root (rootfd, "etc/passwd/x", O_PATH, 0, &err) < 0);
  CHECK_INT_EQ (err.errnum, ENOTDIR);

  /* Creation follows links inside the root, never outside. */
  _cleanup_close_ int d
      = mkpath_in_root (rootfd, "/abs/new/dir", true, 0700, &err);
  CHECK (d >= 0);
  snprintf (p, sizeof p, "%s/etc/new/dir", root);
  struct stat st;
  CHECK (stat (p, &st) == 0 && S_ISDIR (st.st_mode));
  _cleanup_close_ int f
      = mkpath_in_root (rootfd, "/dangling/file", false, 0600, &err);
  CHECK (f >= 0);
  snprintf (p, sizeof p, "%s/made/by/link/file", root);
  CHECK (stat (p, &st) == 0 && S_ISREG (st.st_mode)
         && (st.st_mode & 0777) == 0600);
  _cleanup_close_ int e
      = mkpath_in_root (rootfd, "/etc/passwd", true, 0755, &err);
  CHECK (e < 0 && err.errnum == ENOTDIR);
  _cleanup_close_ int top_fd = open_in_root (rootfd, "/", O_PATH, 0, &err);
  _cleanup_free_ char *tp = top_fd >= 0 ? fd_path (top_fd) : strdup ("-");
  CHECK_STR_EQ (tp, root);
  CHECK (access (hostfile, F_OK) == 0);
}

static void
test_path_in_root (void)
{
  char top[] = "/tmp/ward-test-pir-XXXXXX";
  if (mkdtemp (top) == NULL)
    UNIT_SKIP ("mkdtemp");
  path_in_root_cases (top);
  rm_rf (top);
}

static void
test_path_in_root_fallback (void)
{
  char top[] = "/tmp/ward-test-pir-XXXXXX";
  if (mkdtemp (top) == NULL)
    UNIT_SKIP ("mkdtemp");
  path_in_root_no_openat2 = true;
  path_in_root_cases (top);
  path_in_root_no_openat2 = false;
  rm_rf (top);
}

/* ---- validation ------------------------------------------------------ */

static struct oci_namespace mount_ns = { OCI_NS_MOUNT, NULL };

static int
validate_one (struct oci_mount *m, const char **msg)
{
  static struct werr err;
  struct oci_config cfg = { 0 };
  cfg.mounts = m;
  cfg.n_mounts = 1;
  cfg.linux_.namespaces = &mount_ns;
  cfg.linux_.n_namespaces = 1;
  werr_clear (&err);
  int r = rootfs_validate (&cfg, &err);
  *msg = err.msg;
  return r;
}

static void
test_validate (void)
{
  const char *msg;
  const char *bind[] = { "rbind", "ro", NULL };
  const char *empty[] = { "ro", "", NULL };
  const char *idmap[] = { "idmap", NULL };
  struct oci_mount m = { .destination = "/x", .source = "/tmp" };
  m.options = strv (bind);
  CHECK_INT_EQ (validate_one (&m, &msg), 0);
  m.source = NULL;
  CHECK (validate_one (&m, &msg) < 0);
  CHECK_STR_EQ (msg, "config.json: mounts[0].source: required for a bind "
                     "mount");
  m.source = "tmpfs";
  m.options = strv (empty);
  CHECK (validate_one (&m, &msg) < 0);
  CHECK_STR_HAS (msg, "mounts[0].options[1]: empty mount option");
  m.options = strv (idmap);
  m.type = "tmpfs";
  CHECK (validate_one (&m, &msg) < 0);
  CHECK_STR_HAS (msg, "need a bind mount");
  m.options = strv (bind);
  m.type = NULL;
  m.options.n = 0;
  CHECK (validate_one (&m, &msg) < 0);
  CHECK_STR_HAS (msg, "mounts[0].type: required");
  m.destination = NULL;
  CHECK (validate_one (&m, &msg) < 0);
  CHECK_STR_HAS (msg, "mounts[0].destination: required");

  struct werr err = { 0 };
  struct oci_config cfg = { 0 };
  struct oci_device dev = { .type = 'x', .path = "/dev/x" };
  cfg.linux_.devices = &dev;
  cfg.linux_.n_devices = 1;
  CHECK (rootfs_validate (&cfg, &err) < 0);
  CHECK_STR_HAS (err.msg, "linux.devices[0].type");
  dev.type = 'c', dev.major = -1, dev.minor = 3;
  CHECK (rootfs_validate (&cfg, &err) < 0);
  CHECK_STR_HAS (err.msg, "major and minor");
  dev.type = 'p';
  CHECK_INT_EQ (rootfs_validate (&cfg, &err), 0);
  cfg.linux_.rootfs_propagation = "sideways";
  CHECK (rootfs_validate (&cfg, &err) < 0);
  CHECK_STR_HAS (err.msg, "linux.rootfsPropagation");
  cfg.linux_.rootfs_propagation = "rshared";
  /* No mount namespace: nothing may be mounted. */
  cfg.mounts = &m;
  cfg.n_mounts = 1;
  m.destination = "/x", m.type = "tmpfs";
  CHECK (rootfs_validate (&cfg, &err) < 0);
  CHECK_STR_HAS (err.msg, "need a mount namespace");
}

/* ---- a whole rootfs, as root ----------------------------------------- */

struct fixture
{
  char top[64];
  char rootfs[PATH_MAX];
  char hostside[PATH_MAX];
  char data[PATH_MAX];
  char rec[PATH_MAX];
};

static void
make_fixture (struct fixture *fx)
{
  char p[PATH_MAX + 64];
  snprintf (fx->rootfs, sizeof fx->rootfs, "%s/rootfs", fx->top);
  snprintf (fx->hostside, sizeof fx->hostside, "%s/hostside", fx->top);
  snprintf (fx->data, sizeof fx->data, "%s/data", fx->top);
  snprintf (fx->rec, sizeof fx->rec, "%s/rec", fx->top);
  mkdir (fx->rootfs, 0755);
  mkdir (fx->hostside, 0755);
  mkdir (fx->data, 0755);
  mkdir (fx->rec, 0755);
  snprintf (p, sizeof p, "%s/f", fx->data);
  write_text (p, "data");
  snprintf (p, sizeof p, "%s/app", fx->rootfs);
  mkdir (p, 0750);
  snprintf (p, sizeof p, "%s/app/a", fx->rootfs);
  write_text (p, "A");
  /* A destination that tries to leave the rootfs through a symlink. */
  snprintf (p, sizeof p, "%s/escape", fx->rootfs);
  char target[PATH_MAX + 32];
  snprintf (target, sizeof target, "/../../../..%s", fx->hostside);
  symlink (target, p);
}

static struct oci_mount *
fixture_mounts (struct fixture *fx, size_t *n)
{
  static const char *none[] = { NULL };
  static const char *dev[]
      = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
  static const char *pts[] = { "nosuid",        "noexec",    "newinstance",
                               "ptmxmode=0666", "mode=0620", NULL };
  static const char *bind_ro[] = { "bind", "ro", NULL };
  static const char *rbind_rro[] = { "rbind", "rro", NULL };
  static const char *idmap[] = { "bind", "idmap", NULL };
  static const char *copyup[] = { "tmpcopyup", NULL };
  static const char *ro[] = { "ro", "nosuid", "nodev", "noexec", NULL };
  static struct oci_id_mapping uid = { 0, 1000, 1 }, gid = { 0, 2000, 1 };
  static struct oci_mount m[10];
  size_t i = 0;
  m[i++] = (struct oci_mount){ "/proc", "proc", "proc", strv (none) };
  m[i++] = (struct oci_mount){ "/dev", "tmpfs", "tmpfs", strv (dev) };
  m[i++] = (struct oci_mount){ "/dev/pts", "devpts", "devpts", strv (pts) };
  m[i++] = (struct oci_mount){ "/sys", "sysfs", "sysfs", strv (ro) };
  m[i++] = (struct oci_mount){ "/data", "bind", fx->data, strv (bind_ro) };
  m[i++] = (struct oci_mount){ "/rec", "bind", fx->rec, strv (rbind_rro) };
  m[i++] = (struct oci_mount){ "/escape/x", "tmpfs", "tmpfs", strv (none) };
  m[i] = (struct oci_mount){ "/idm", "bind", fx->data, strv (idmap) };
  m[i].uid_mappings = &uid, m[i].n_uid_mappings = 1;
  m[i].gid_mappings = &gid, m[i++].n_gid_mappings = 1;
  m[i++] = (struct oci_mount){ "/app", "tmpfs", "tmpfs", strv (copyup) };
  m[i++] = (struct oci_mount){ "/ro", "tmpfs", "tmpfs", strv (ro) };
  *n = i;
  return m;
}

static void
check_inside (const struct fixture *fx)
{
  struct stat st;
  struct statfs sfs;
  char buf[64] = "";
  CHECK_INT_EQ (getpid (), 1);
  CHECK (access ("/proc/self/stat", R_OK) == 0);
  CHECK (stat ("/dev/null", &st) == 0 && S_ISCHR (st.st_mode)
         && st.st_rdev == makedev (1, 3));
  CHECK (stat ("/dev/tstdev", &st) == 0 && st.st_rdev == makedev (1, 5)
         && (st.st_mode & 0777) == 0640 && st.st_uid == 7 && st.st_gid == 8);
  CHECK (stat ("/dev/fifo", &st) == 0 && S_ISFIFO (st.st_mode));
  ssize_t n = readlink ("/dev/ptmx", buf, sizeof buf - 1);
  CHECK (n == 8 && memcmp (buf, "pts/ptmx", 8) == 0);
  CHECK (lstat ("/dev/fd", &st) == 0 && S_ISLNK (st.st_mode));
  CHECK (stat ("/dev/console", &st) == 0 && S_ISREG (st.st_mode)
         && (st.st_mode & 0777) == 0600);
  int fd = open ("/proc/cmdline", O_RDONLY);
  CHECK (fd >= 0 && read (fd, buf, sizeof buf) == 0);
  close (fd);
  fd = open ("/proc/sys/kernel/hostname", O_WRONLY);
  CHECK (fd < 0 ? errno == EROFS : write (fd, "x", 1) < 0 && errno == EROFS);
  if (fd >= 0)
    close (fd);
  CHECK (statfs ("/proc/sys/fs", &sfs) == 0 && sfs.f_type == TMPFS_MAGIC);
  CHECK (open ("/data/f", O_RDONLY) >= 0);
  CHECK (open ("/data/g", O_CREAT | O_WRONLY, 0600) < 0 && errno == EROFS);
  CHECK (open ("/rec/sub/g", O_CREAT | O_WRONLY, 0600) < 0 && errno == EROFS);
  CHECK (statfs ("/escape/x", &sfs) == 0 && sfs.f_type == TMPFS_MAGIC);
  /* ... because /escape led to the same path inside the rootfs. */
  char inside[PATH_MAX + 8];
  snprintf (inside, sizeof inside, "%s/x", fx->hostside);
  CHECK (statfs (inside, &sfs) == 0 && sfs.f_type == TMPFS_MAGIC);
  CHECK (stat ("/idm/f", &st) == 0 && st.st_uid == 1000 && st.st_gid == 2000);
  CHECK (stat ("/app/a", &st) == 0 && st.st_size == 1);
  CHECK (stat ("/app", &st) == 0 && (st.st_mode & 0777) == 0750);
  CHECK (open ("/app/new", O_CREAT | O_WRONLY, 0600) >= 0);
  CHECK (open ("/ro/new", O_CREAT | O_WRONLY, 0600) < 0 && errno == EROFS);
  CHECK (mkdir ("/newdir", 0755) < 0 && errno == EROFS);
  CHECK (statfs ("/sys", &sfs) == 0 && (sfs.f_flags & ST_RDONLY));
  CHECK (access ("/work", F_OK) < 0);
}

/* The container init: set up, finalize, check, exit with the failures. */
static int
container_init (struct fixture *fx, bool no_pivot)
{
  static const char *masked[]
      = { "/proc/cmdline", "/proc/sys/fs", "/proc/nonexistent", NULL };
  static const char *ro_paths[] = { "/proc/sys", NULL };
  static struct oci_device devs[2] = {
    { 'c', "/dev/tstdev", 1, 5, true, 0640, true, true, 7, 8 },
    { 'p', "/dev/fifo", -1, -1 },
  };
  struct oci_config cfg = { 0 };
  cfg.root.path = fx->rootfs;
  cfg.root.readonly = true;
  cfg.has_process = true;
  cfg.process.terminal = true;
  cfg.mounts = fixture_mounts (fx, &cfg.n_mounts);
  cfg.linux_.namespaces = &mount_ns;
  cfg.linux_.n_namespaces = 1;
  cfg.linux_.masked_paths = strv (masked);
  cfg.linux_.readonly_paths = strv (ro_paths);
  cfg.linux_.devices = devs;
  cfg.linux_.n_devices = 2;
  struct ward_ctx ctx = { .cfg = &cfg,
                          .id = "t",
                          .bundle = fx->top,
                          .rootfs = fx->rootfs,
                          .no_pivot = no_pivot,
                          .new_mntns = true,
                          .console_slave_fd = -1 };
  struct werr err = { 0 };
  if (rootfs_validate (&cfg, &err) < 0 || rootfs_setup (&ctx, &err) < 0
      || rootfs_finalize (&ctx, &err) < 0)
    {
      fprintf (stderr, "     rootfs: %s\n", err.msg);
      return 100;
    }
  int before = unit_failures;
  check_inside (fx);
  int failed = unit_failures - before;
  return failed > 99 ? 99 : failed;
}

static int
run_in_namespaces (struct fixture *fx, bool no_pivot)
{
  char sub[PATH_MAX + 8];
  /* Everything below happens in a private copy of the mount table. */
  if (unshare (CLONE_NEWNS) < 0
      || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return 101;
  snprintf (sub, sizeof sub, "%s/sub", fx->rec);
  if (mount ("t", fx->rec, "tmpfs", 0, "size=64k") < 0 || mkdir (sub, 0755)
      || mount ("t", sub, "tmpfs", 0, "size=64k") < 0)
    return 102;
  if (unshare (CLONE_NEWPID) < 0)
    return 103;
  pid_t pid = fork ();
  if (pid == 0)
    _exit (container_init (fx, no_pivot));
  int st;
  if (pid < 0 || waitpid (pid, &st, 0) < 0)
    return 104;
  return WIFEXITED (st) ? WEXITSTATUS (st) : 105;
}

static void
whole_rootfs (bool no_pivot, bool no_openat2)
{
  if (geteuid () != 0)
    UNIT_SKIP ("needs root");
  struct fixture fx = { .top = "/tmp/ward-test-rootfs-XXXXXX" };
  if (mkdtemp (fx.top) == NULL)
    UNIT_SKIP ("mkdtemp");
  make_fixture (&fx);
  path_in_root_no_openat2 = no_openat2;
  fflush (stderr);
  pid_t pid = fork ();
  if (pid == 0)
    _exit (run_in_namespaces (&fx, no_pivot));
  int st = 0;
  waitpid (pid, &st, 0);
  path_in_root_no_openat2 = false;
  CHECK (WIFEXITED (st));
  CHECK_INT_EQ (WEXITSTATUS (st), 0);
  /* The symlinked destination was created inside the rootfs. */
  char p[PATH_MAX + 8];
  snprintf (p, sizeof p, "%s/x", fx.hostside);
  CHECK (access (p, F_OK) < 0);
  rm_rf (fx.top);
}

static void
test_setup_pivot (void)
{
  whole_rootfs (false, false);
}

static void
test_setup_no_pivot (void)
{
  whole_rootfs (true, false);
}

static void
test_setup_without_openat2 (void)
{
  whole_rootfs (false, true);
}

int
main (void)
{
  RUN (test_mount_options);
  RUN (test_statfs_flags);
  RUN (test_path_clean);
  RUN (test_path_in_root);
  RUN (test_path_in_root_fallback);
  RUN (test_validate);
  RUN (test_setup_pivot);
  RUN (test_setup_no_pivot);
  RUN (test_setup_without_openat2);
  return unit_report ();
}
