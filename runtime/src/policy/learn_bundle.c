/* ward — the bundle of a learning run (learn.h).
 *
 * Learning paths needs a run that can reach them: the sandbox shows the
 * host's top-level directories too, and the policy's read-only paths
 * become writable (/usr and the system directories stay read-only, as
 * under every policy; /proc, /sys and /dev are the sandbox's own).  Learning is no filesystem boundary, as it is no
 * network one: run only what you would run outside a sandbox.
 *
 * The paths come from a seccomp filter in the bundle's linux.seccomp that
 * answers SCMP_ACT_NOTIFY for the file syscalls and allows everything
 * else, with listenerPath the learning listener's socket.  The init loads
 * it last, after the policy's own filter (apply.c) and after its
 * credentials, right before exec; stacked filters all run and the
 * strictest answer wins, so a syscall the policy refuses fails without
 * being notified.  A task has one notifying filter at most (a second
 * listener fails with EBUSY), so a bundle that already notifies cannot
 * learn paths: learn_bundle_amend fails with a message that says so (the
 * sandbox's own bundle never does; the policy's filter never notifies). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "learn.h"
#include "utils.h"
#include "ward/cleanup.h"
#include "ward/json.h"

uint32_t
learn_native_arch (void)
{
  return seccomp_arch_native ();
}

int
learn_syscall_nr (const char *name)
{
  int nr = seccomp_syscall_resolve_name (name);
  return nr == __NR_SCMP_ERROR ? -1 : nr;
}

/* Top-level entries that are never added: pseudo filesystems and the
 * sandbox's own /dev. */
static bool
skipped_top (const char *name)
{
  static const char *const skip[] = { ".", "..", "proc", "sys", "dev" };
  for (size_t i = 0; i < ARRAY_SIZE (skip); i++)
    if (strcmp (name, skip[i]) == 0)
      return true;
  return false;
}

static void
view_add (struct agent_policy *v, const char *path, enum pol_fs_access a)
{
  for (size_t i = 0; i < v->n_fs; i++)
    if (strcmp (v->fs[i].path, path) == 0)
      return;
  v->fs = realloc (v->fs, (v->n_fs + 1) * sizeof *v->fs);
  if (v->fs == NULL)
    abort ();
  v->fs[v->n_fs++] = (struct pol_fs_entry){ .path = xstrdup (path),
                                            .access = a,
                                            .where = xstrdup ("learning") };
}

void
learn_view (const struct agent_policy *p, struct agent_policy *view)
{
  *view = *p;
  view->fs = malloc ((p->n_fs + 1) * sizeof *view->fs);
  if (view->fs == NULL)
    abort ();
  if (p->n_fs)
    memcpy (view->fs, p->fs, p->n_fs * sizeof *p->fs);
  /* The policy's read-only paths become writable too, so that what the
   * command writes there can be learnt; system directories stay as they
   * are. */
  for (size_t i = 0; i < view->n_fs; i++)
    if (view->fs[i].access == POL_FS_RO
        && !learn_in_system_dir (view->fs[i].path))
      view->fs[i].access = POL_FS_RW;
  DIR *d = opendir ("/");
  struct dirent *e;
  while (d && (e = readdir (d)) != NULL)
    {
      if (skipped_top (e->d_name))
        continue;
      _cleanup_free_ char *path = xasprintf ("/%s", e->d_name);
      struct stat st;
      if (lstat (path, &st) < 0 || !S_ISDIR (st.st_mode))
        continue;
      view_add (view, path, strcmp (path, "/usr") == 0 ? POL_FS_RO : POL_FS_RW);
    }
  if (d)
    closedir (d);
}

void
learn_view_clear (struct agent_policy *view, const struct agent_policy *p)
{
  for (size_t i = p->n_fs; i < view->n_fs; i++)
    {
      free (view->fs[i].path);
      free (view->fs[i].where);
    }
  free (view->fs);
  view->fs = NULL;
  view->n_fs = 0;
}

/* ---- linux.seccomp ------------------------------------------------------ */

static void
learn_seccomp (struct jw *w, const char *listener_path)
{
#if defined(__x86_64__)
  static char *const arches[]
      = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" };
#elif defined(__aarch64__)
  static char *const arches[] = { "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM" };
#else
  static char *const arches[] = { NULL };
#endif
  jw_key (w, "seccomp");
  jw_obj_open (w);
  jw_kstr (w, "defaultAction", "SCMP_ACT_ALLOW");
  if (arches[0])
    jw_kstrv (w, "architectures", arches, ARRAY_SIZE (arches));
  jw_kstr (w, "listenerPath", listener_path);
  jw_key (w, "syscalls");
  jw_arr_open (w);
  jw_obj_open (w);
  size_t n = 0;
  while (learn_syscalls[n])
    n++;
  jw_kstrv (w, "names", (char *const *) learn_syscalls, n);
  jw_kstr (w, "action", "SCMP_ACT_NOTIFY");
  jw_obj_close (w);
  jw_arr_close (w);
  jw_obj_close (w);
}

/* A copy of n into w; the object that is config.json's "linux" (is_linux)
 * gets the filter. */
static int
copy (struct jw *w, const struct jnode *n, int depth, bool is_linux,
      const char *listener, struct werr *err)
{
  switch (jnode_type (n))
    {
    case JNODE_NULL:
      jw_null (w);
      return 0;
    case JNODE_BOOL:
      jw_bool (w, jnode_bool (n));
      return 0;
    case JNODE_NUMBER:
      if (!jnode_is_integer (n))
        return werr_set (err, 0, "learn: config.json: a fraction (a bug)");
      jw_int (w, jnode_int (n));
      return 0;
    case JNODE_STRING:
      jw_str (w, jnode_str (n));
      return 0;
    case JNODE_ARRAY:
      jw_arr_open (w);
      for (size_t i = 0; i < jnode_len (n); i++)
        if (copy (w, jnode_at (n, i), depth + 1, false, listener, err) < 0)
          return -1;
      jw_arr_close (w);
      return 0;
    case JNODE_OBJECT:
      break;
    }
  jw_obj_open (w);
  for (size_t i = 0; i < jnode_len (n); i++)
    {
      const char *key = jnode_key_at (n, i);
      if (is_linux && strcmp (key, "seccomp") == 0)
        return werr_set (err, 0,
                         "learn: the bundle already has a linux.seccomp "
                         "profile, and the learning filter needs that slot "
                         "and its listener (a process can have one seccomp "
                         "listener only): paths cannot be learnt");
      jw_key (w, key);
      if (copy (w, jnode_value_at (n, i), depth + 1,
                depth == 0 && strcmp (key, "linux") == 0, listener, err)
          < 0)
        return -1;
    }
  if (is_linux)
    learn_seccomp (w, listener);
  jw_obj_close (w);
  return 0;
}

int
learn_bundle_amend (const char *dir, const char *listener_path,
                    struct werr *err)
{
  _cleanup_close_ int dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return werr_set (err, errno, "learn: open `%s`", dir);
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  if (read_file_at (dfd, "config.json", &data, &len, err) < 0)
    return werr_prefix (err, "learn");
  struct jnode *root = jnode_parse (data, len, err);
  if (root == NULL)
    return werr_prefix (err, "learn: config.json");
  struct jw *w = jw_new (true);
  int r = -1;
  if (jnode_type (root) != JNODE_OBJECT || jnode_get (root, "linux") == NULL)
    werr_set (err, 0, "learn: config.json has no linux object (a bug)");
  else
    r = copy (w, root, 0, false, listener_path, err);
  jnode_free (root);
  _cleanup_free_ char *json = NULL;
  if (r < 0)
    {
      jw_abort (w);
      return -1;
    }
  if (jw_finish (w, &json, &len) < 0)
    return werr_set (err, 0, "learn: config.json (a bug)");
  return write_file_atomic_at (dfd, "config.json", json, len, 0600, err);
}
