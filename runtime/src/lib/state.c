/* ward — the container's state directory under --root (see state.h). */
#include "state.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "utils.h"
#include "ward/cleanup.h"
#include "ward/json.h"

int
state_check_id (const char *id, struct werr *err)
{
  size_t len = strlen (id);
  if (len == 0 || len > 1024 || !isalnum ((unsigned char) id[0]))
    return werr_set (err, 0, "invalid container id \"%s\"", id);
  for (const char *p = id; *p; p++)
    if (!isalnum ((unsigned char) *p) && !strchr ("_.+-", *p))
      return werr_set (err, 0, "invalid container id \"%s\"", id);
  return 0;
}

static int
lock_dir (int dirfd, const char *id, struct werr *err)
{
  /* An exclusive lock serialises create/start/kill/delete on one id. */
  while (flock (dirfd, LOCK_EX) < 0)
    if (errno != EINTR)
      return werr_set (err, errno, "lock container \"%s\"", id);
  return 0;
}

int
state_dir_create (const char *root, const char *id, struct werr *err)
{
  if (state_check_id (id, err) < 0)
    return -1;
  /* The state root holds pids and fifos that steer containers: private. */
  if (mkdir_p (root, 0700, err) < 0)
    return werr_prefix (err, "--root");
  _cleanup_close_ int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return werr_set (err, errno, "open `%s`", root);
  if (mkdirat (rootfd, id, 0711) < 0)
    {
      if (errno == EEXIST)
        return werr_set (err, 0, "container \"%s\" already exists", id);
      return werr_set (err, errno, "mkdir `%s/%s`", root, id);
    }
  int fd = openat (rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return werr_set (err, errno, "open `%s/%s`", root, id);
  if (lock_dir (fd, id, err) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

int
state_dir_open (const char *root, const char *id, struct werr *err)
{
  if (state_check_id (id, err) < 0)
    return -1;
  _cleanup_free_ char *path = xasprintf ("%s/%s", root, id);
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return werr_set (err, 0, "container \"%s\" does not exist", id);
      return werr_set (err, errno, "open `%s`", path);
    }
  if (lock_dir (fd, id, err) < 0)
    {
      close (fd);
      return -1;
    }
  /* A concurrent delete may have removed it while we waited for the lock. */
  struct stat st;
  if (fstatat (fd, STATE_FILE, &st, 0) < 0 && errno == ENOENT
      && faccessat (fd, EXEC_FIFO, F_OK, 0) < 0)
    {
      struct stat dst;
      if (fstat (fd, &dst) == 0 && dst.st_nlink == 0)
        {
          close (fd);
          return werr_set (err, 0, "container \"%s\" does not exist", id);
        }
    }
  return fd;
}

int
state_open_read (const char *root, const char *id, int *dirfd,
                 struct ward_state **st, struct werr *err)
{
  *dirfd = state_dir_open (root, id, err);
  if (*dirfd < 0)
    return -1;
  if (state_read (*dirfd, st, err) < 0)
    {
      close (*dirfd);
      *dirfd = -1;
      return werr_prefix (err, "container \"%s\"", id);
    }
  return 0;
}

int
state_dir_remove (const char *root, const char *id, struct werr *err)
{
  _cleanup_free_ char *path = xasprintf ("%s/%s", root, id);
  _cleanup_close_ int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : werr_set (err, errno, "open `%s`", path);
  DIR *d = fdopendir (dup (fd));
  if (d)
    {
      struct dirent *de;
      while ((de = readdir (d)))
        if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
          unlinkat (fd, de->d_name, 0);
      closedir (d);
    }
  if (rmdir (path) < 0 && errno != ENOENT)
    return werr_set (err, errno, "rmdir `%s`", path);
  return 0;
}

int
state_save_config (int dirfd, const char *data, size_t len, struct werr *err)
{
  return write_file_atomic_at (dirfd, CONFIG_FILE, data, len, 0600, err);
}

int
state_load_config (int dirfd, struct oci_config **out, struct werr *err)
{
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  if (read_file_at (dirfd, CONFIG_FILE, &data, &len, err) < 0)
    return -1;
  return oci_config_parse_data (data, len, CONFIG_FILE, out, err);
}

int
state_write (int dirfd, const struct ward_state *st, struct werr *err)
{
  struct jw *w = jw_new (false);
  jw_obj_open (w);
  jw_kstr (w, "id", st->id);
  jw_kint (w, "pid", st->pid);
  jw_key (w, "start_time");
  jw_uint (w, st->start_time);
  jw_kstr (w, "bundle", st->bundle);
  jw_kstr (w, "rootfs", st->rootfs);
  jw_kstr (w, "created", st->created);
  jw_kint (w, "owner", st->owner);
  jw_key (w, "annotations");
  jw_obj_open (w);
  for (size_t i = 0; i < st->annotations.n; i++)
    jw_kstr (w, st->annotations.v[i].key, st->annotations.v[i].value);
  jw_obj_close (w);
  if (st->cgroup)
    {
      jw_key (w, "cgroup");
      cgroup_save (st->cgroup, w);
    }
  jw_obj_close (w);
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  if (jw_finish (w, &data, &len) < 0)
    return werr_set (err, EINVAL, "encode %s", STATE_FILE);
  return write_file_atomic_at (dirfd, STATE_FILE, data, len, 0600, err);
}

static char *
dup_str (const struct jnode *root, const char *key)
{
  const char *s = jnode_str (jnode_get (root, key));
  return xstrdup (s ? s : "");
}

static void
read_annotations (const struct jnode *obj, struct oci_kvv *out)
{
  size_t n = jnode_type (obj) == JNODE_OBJECT ? jnode_len (obj) : 0;
  out->v = xmalloc0 ((n + 1) * sizeof *out->v);
  for (size_t i = 0; i < n; i++)
    {
      const char *v = jnode_str (jnode_value_at (obj, i));
      out->v[out->n].key = xstrdup (jnode_key_at (obj, i));
      out->v[out->n].value = xstrdup (v ? v : "");
      out->n++;
    }
}

int
state_read (int dirfd, struct ward_state **out, struct werr *err)
{
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  if (read_file_at (dirfd, STATE_FILE, &data, &len, err) < 0)
    return -1;
  struct jnode *root = jnode_parse (data, len, err);
  if (root == NULL)
    return werr_prefix (err, "%s", STATE_FILE);
  struct ward_state *st = xmalloc0 (sizeof *st);
  st->id = dup_str (root, "id");
  st->pid = (pid_t) jnode_int (jnode_get (root, "pid"));
  st->start_time = jnode_uint (jnode_get (root, "start_time"));
  st->bundle = dup_str (root, "bundle");
  st->rootfs = dup_str (root, "rootfs");
  st->created = dup_str (root, "created");
  st->owner = (uid_t) jnode_int (jnode_get (root, "owner"));
  read_annotations (jnode_get (root, "annotations"), &st->annotations);
  const struct jnode *cg = jnode_get (root, "cgroup");
  int r = 0;
  if (cg && cgroup_load (cg, &st->cgroup, err) < 0)
    r = werr_prefix (err, "%s: cgroup", STATE_FILE);
  jnode_free (root);
  if (r < 0)
    {
      state_free (st);
      return -1;
    }
  *out = st;
  return 0;
}

void
state_free (struct ward_state *st)
{
  if (st == NULL)
    return;
  free (st->id);
  free (st->bundle);
  free (st->rootfs);
  free (st->created);
  for (size_t i = 0; i < st->annotations.n; i++)
    {
      free (st->annotations.v[i].key);
      free (st->annotations.v[i].value);
    }
  free (st->annotations.v);
  cgroup_mgr_free (st->cgroup);
  free (st);
}

unsigned long long
proc_start_time (pid_t pid)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  _cleanup_free_ char *data = NULL;
  struct werr ignored;
  if (read_file (path, &data, NULL, &ignored) < 0)
    return 0;
  /* The command name may hold spaces and parentheses: parse after the last ')'. */
  char *p = strrchr (data, ')');
  if (p == NULL)
    return 0;
  char state = 0;
  unsigned long long start = 0;
  /* Fields after comm: 3 state ... 22 starttime. */
  if (sscanf (p + 2,
              "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
              "%*d %*d %*d %*d %llu",
              &state, &start)
      != 2)
    return 0;
  if (state == 'Z' || state == 'X')
    return 0;
  return start;
}

bool
state_process_alive (const struct ward_state *st)
{
  if (st->pid <= 0)
    return false;
  unsigned long long t = proc_start_time (st->pid);
  return t != 0 && t == st->start_time;
}

int
state_open_pidfd (const struct ward_state *st)
{
  int fd = (int) syscall (SYS_pidfd_open, st->pid, 0);
  if (fd < 0)
    return -1;
  /* The pid may have been reused: check again now that the pidfd pins it. */
  if (!state_process_alive (st))
    {
      close (fd);
      errno = ESRCH;
      return -1;
    }
  return fd;
}

const char *
state_status (int dirfd, const struct ward_state *st)
{
  if (!state_process_alive (st))
    return "stopped";
  bool frozen = false;
  struct werr ignored;
  if (st->cgroup && cgroup_is_frozen (st->cgroup, &frozen, &ignored) == 0
      && frozen)
    return "paused";
  if (faccessat (dirfd, EXEC_FIFO, F_OK, 0) == 0)
    return "created";
  return "running";
}
