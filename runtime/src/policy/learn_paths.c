/* ward — learning mode: from the paths a run used to the smallest
 * filesystem rules that allow them (learn.h).
 *
 * Each recorded use asks for one grant:
 *   read, exec        the path itself, read-only;
 *   write             the path itself (an existing file written or
 *                     truncated), read-write;
 *   create, remove    the directory the entry is made in or removed from,
 *                     read-write (Landlock's MAKE_* and REMOVE_* rights are
 *                     rights on the directory).
 * A grant is dropped when
 *   - it lies in a pseudo filesystem (/proc, /sys, /dev) or is "/";
 *   - the sandbox gives it anyway: read-only below a system directory of
 *     the baseline (/bin, /sbin, /lib*, /usr/{bin,sbin,lib*,libexec,share},
 *     /etc), read-write for /tmp itself (the sandbox's own tmpfs; paths
 *     below /tmp are the host's and are learnt like any other);
 *   - the policy in use already allows it (the policy entry at or above it
 *     that decides, as compile_fs.c decides: read-write allows everything,
 *     read-only allows reading);
 *   - the path no longer exists on the host (a failed lookup, or a file the
 *     run made and removed: its directory's grant covers it).
 * A grant the policy denies, or a write below a system directory (which
 * stays read-only while learning, so it failed), is not learnt but listed
 * as refused.
 * A read-only grant below /tmp becomes read-write when the run also
 * changed /tmp itself: read-only, it would carve the sandbox's /tmp down
 * to read-only (docs/policy.md, "Filesystem rules in detail").
 * Then: equal paths keep the wider access; a grant below another one that
 * allows as much goes; and a directory with LEARN_COLLAPSE or more grants of
 * one access right below it gets that access instead of them (repeated
 * upwards), except "/" and top-level directories such as /home or /var,
 * which are never learnt by collapsing. */
#include <stdlib.h>
#include <string.h>

#include "learn.h"
#include "utils.h"
#include "ward/cleanup.h"

static const char *const use_names[] = {
  [LEARN_READ] = "read",     [LEARN_EXEC] = "exec",     [LEARN_WRITE] = "write",
  [LEARN_CREATE] = "create", [LEARN_REMOVE] = "remove",
};

const char *
learn_use_name (enum learn_use u)
{
  return (size_t) u < ARRAY_SIZE (use_names) ? use_names[u] : "read";
}

int
learn_use_from_name (const char *s)
{
  for (size_t i = 0; s && i < ARRAY_SIZE (use_names); i++)
    if (strcmp (s, use_names[i]) == 0)
      return (int) i;
  return -1;
}

/* The read-only part of the sandbox's baseline (compile_fs.c and
 * sandbox_bundle.c give the same directories). */
static const char *const system_dirs[] = {
  "/bin",       "/sbin",       "/lib",         "/lib32",     "/lib64",
  "/libx32",    "/usr/bin",    "/usr/sbin",    "/usr/lib",   "/usr/lib32",
  "/usr/lib64", "/usr/libx32", "/usr/libexec", "/usr/share", "/etc",
};

static const char *const pseudo_dirs[] = { "/proc", "/sys", "/dev" };

bool
learn_in_system_dir (const char *path)
{
  for (size_t i = 0; i < ARRAY_SIZE (system_dirs); i++)
    if (pol_path_under (path, system_dirs[i]))
      return true;
  return false;
}

static bool
under_any (const char *path, const char *const *dirs, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (pol_path_under (path, dirs[i]))
      return true;
  return false;
}

/* The policy entry that decides for `path`: the longest at or above it;
 * on equal paths the strictest. */
static const struct pol_fs_entry *
deciding (const struct agent_policy *p, const char *path)
{
  const struct pol_fs_entry *best = NULL;
  for (size_t i = 0; p && i < p->n_fs; i++)
    {
      const struct pol_fs_entry *e = &p->fs[i];
      if (!pol_path_under (path, e->path))
        continue;
      if (best == NULL || strlen (e->path) > strlen (best->path)
          || (strcmp (e->path, best->path) == 0 && e->access > best->access))
        best = e;
    }
  return best;
}

/* `a` allows at least what `b` asks (RW is the wider, and the smaller). */
static bool
covers (enum pol_fs_access a, enum pol_fs_access b)
{
  return a != POL_FS_DENY && a <= b;
}

static char *
parent_of (const char *path)
{
  char *d = xstrdup (path);
  char *slash = strrchr (d, '/');
  if (slash == d)
    slash[1] = '\0';
  else if (slash)
    *slash = '\0';
  return d;
}

static void
push_grant (struct learn_fs *f, char *path, enum pol_fs_access a)
{
  f->grants = realloc (f->grants, (f->n + 1) * sizeof *f->grants);
  if (f->grants == NULL)
    abort ();
  f->grants[f->n++] = (struct learn_grant){ .path = path, .access = a };
}

static void
push_refused (struct learn_fs *f, const char *path)
{
  for (size_t i = 0; i < f->n_refused; i++)
    if (strcmp (f->refused[i], path) == 0)
      return;
  f->refused = realloc (f->refused, (f->n_refused + 1) * sizeof *f->refused);
  if (f->refused == NULL)
    abort ();
  f->refused[f->n_refused++] = xstrdup (path);
}

/* What a use asks for: its path or its directory, and the access. */
static char *
use_target (const struct learn_seen *s, enum pol_fs_access *a)
{
  bool dir_change = s->use == LEARN_CREATE || s->use == LEARN_REMOVE;
  *a = dir_change || s->use == LEARN_WRITE ? POL_FS_RW : POL_FS_RO;
  return dir_change ? parent_of (s->path) : xstrdup (s->path);
}

/* One use → one grant, or nothing (see the header comment). */
static void
one_use (struct learn_fs *f, const struct learn_seen *s,
         const struct agent_policy *p, learn_exists_fn exists, void *data)
{
  if (s->path == NULL || s->path[0] != '/'
      || under_any (s->path, pseudo_dirs, ARRAY_SIZE (pseudo_dirs)))
    return;
  enum pol_fs_access a;
  char *target = use_target (s, &a);
  const struct pol_fs_entry *d = deciding (p, target);
  bool keep = false;
  if (strcmp (target, "/") == 0 || strcmp (target, "/tmp") == 0)
    ; /* never a rule; the sandbox's own /tmp */
  else if (d && d->access == POL_FS_DENY)
    push_refused (f, target);
  else if (d && covers (d->access, a))
    ;
  else if (learn_in_system_dir (target))
    {
      if (a == POL_FS_RW)
        push_refused (f, target);
    }
  else
    keep = exists == NULL || exists (target, data);
  if (keep)
    push_grant (f, target, a);
  else
    free (target);
}

/* A read-only grant below /tmp would carve the sandbox's read-write /tmp
 * down to what both share (docs/policy.md, "Filesystem rules in detail"):
 * when the run also changed /tmp itself, such grants are read-write. */
static void
keep_tmp_writable (struct learn_fs *f, const struct learn_seen *seen, size_t n)
{
  bool changed = false;
  for (size_t i = 0; i < n && !changed; i++)
    {
      enum pol_fs_access a;
      if (seen[i].path == NULL)
        continue;
      _cleanup_free_ char *t = use_target (&seen[i], &a);
      changed = a == POL_FS_RW && strcmp (t, "/tmp") == 0;
    }
  for (size_t i = 0; i < f->n && changed; i++)
    if (pol_path_under (f->grants[i].path, "/tmp"))
      f->grants[i].access = POL_FS_RW;
}

static int
cmp_grant (const void *a, const void *b)
{
  const struct learn_grant *x = a, *y = b;
  int r = strcmp (x->path, y->path);
  return r ? r : (int) x->access - (int) y->access;
}

/* Equal paths keep the wider access; a grant below one that allows as much
 * goes. */
static void
subsume (struct learn_fs *f)
{
  if (f->n == 0)
    return;
  qsort (f->grants, f->n, sizeof *f->grants, cmp_grant);
  size_t out = 0;
  for (size_t i = 0; i < f->n; i++)
    {
      bool gone = false;
      for (size_t j = 0; j < out && !gone; j++)
        gone = pol_path_under (f->grants[i].path, f->grants[j].path)
               && covers (f->grants[j].access, f->grants[i].access);
      if (gone)
        free (f->grants[i].path);
      else
        f->grants[out++] = f->grants[i];
    }
  f->n = out;
}

/* Depth of a clean absolute path: "/" 0, "/home" 1, "/home/a" 2. */
static size_t
depth (const char *path)
{
  size_t n = 0;
  for (const char *c = path; *c; c++)
    n += *c == '/' && c[1] != '\0';
  return n;
}

/* The first directory (two levels deep or more) with LEARN_COLLAPSE
 * grants of one access right below it, learnt instead of them. */
static bool
collapse_once (struct learn_fs *f, const struct agent_policy *p)
{
  for (size_t i = 0; i < f->n; i++)
    {
      _cleanup_free_ char *dir = parent_of (f->grants[i].path);
      if (depth (dir) < 2
          || under_any (dir, system_dirs, ARRAY_SIZE (system_dirs)))
        continue;
      const struct pol_fs_entry *d = deciding (p, dir);
      if (d && d->access == POL_FS_DENY)
        continue;
      size_t count = 0;
      for (size_t j = 0; j < f->n; j++)
        {
          _cleanup_free_ char *pj = parent_of (f->grants[j].path);
          count += strcmp (pj, dir) == 0
                   && f->grants[j].access == f->grants[i].access;
        }
      if (count < LEARN_COLLAPSE)
        continue;
      push_grant (f, take_ptr (&dir), f->grants[i].access);
      subsume (f);
      return true;
    }
  return false;
}

void
learn_fs_compute (const struct learn_seen *seen, size_t n,
                  const struct agent_policy *p, learn_exists_fn exists,
                  void *data, struct learn_fs *out)
{
  *out = (struct learn_fs){ 0 };
  for (size_t i = 0; i < n; i++)
    one_use (out, &seen[i], p, exists, data);
  keep_tmp_writable (out, seen, n);
  subsume (out);
  while (collapse_once (out, p))
    ;
}

void
learn_fs_clear (struct learn_fs *f)
{
  for (size_t i = 0; i < f->n; i++)
    free (f->grants[i].path);
  for (size_t i = 0; i < f->n_refused; i++)
    free (f->refused[i]);
  free (f->grants);
  free (f->refused);
  *f = (struct learn_fs){ 0 };
}
