/* ward — other names of a denied path through bind mounts.
 *
 * A bundle may mount one host directory twice (at /a and at /b): denying
 * /a/secret must deny /b/secret too, or the agent reads it there.  After
 * the masks are in place, /proc/self/mountinfo tells, for the mount that
 * held the denied path (the parent of its mask), which filesystem and
 * which path inside it the denied object is; every other mount of the same
 * filesystem whose root contains that path shows it again (an alias), and
 * every mount whose root lies inside it shows a part of it (the whole
 * mount is an alias).  The caller masks and denies each alias as well. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landlock.h"
#include "utils.h"
#include "ward/cleanup.h"

struct mnt
{
  int id, parent;
  char dev[32];
  char *root, *point;
};

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *
unescape (const char *s)
{
  char *out = xmalloc0 (strlen (s) + 1), *o = out;
  while (*s)
    {
      if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0'
          && s[2] <= '7' && s[3] >= '0' && s[3] <= '7')
        {
          *o++ = (char) ((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
          s += 4;
        }
      else
        *o++ = *s++;
    }
  return out;
}

static void
mnts_free (struct mnt *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (v[i].root);
      free (v[i].point);
    }
  free (v);
}

static int
read_mounts (struct mnt **out, size_t *n, struct werr *err)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/mountinfo", "re");
  if (f == NULL)
    return werr_set (err, errno, "open `/proc/self/mountinfo`");
  struct mnt *v = NULL;
  size_t k = 0;
  char *line = NULL;
  size_t cap = 0;
  while (getline (&line, &cap, f) > 0)
    {
      char root[4096], point[4096], dev[32];
      int id, parent;
      if (sscanf (line, "%d %d %31s %4095s %4095s", &id, &parent, dev, root,
                  point)
          != 5)
        continue;
      v = realloc (v, (k + 1) * sizeof *v);
      if (v == NULL)
        abort ();
      v[k] = (struct mnt){ .id = id,
                           .parent = parent,
                           .root = unescape (root),
                           .point = unescape (point) };
      snprintf (v[k].dev, sizeof v[k].dev, "%s", dev);
      k++;
    }
  free (line);
  *out = v;
  *n = k;
  return 0;
}

/* "a" + "/b/c" → "a/b/c", without doubling the slash at "/". */
static char *
join (const char *a, const char *rest)
{
  if (*rest == '\0')
    return xstrdup (a);
  return xasprintf ("%s%s", strcmp (a, "/") == 0 ? "" : a, rest);
}

static const char *
after (const char *path, const char *dir)
{
  return strcmp (dir, "/") == 0 ? path : path + strlen (dir);
}

/* The mount that held `path` before its mask went on. */
static const struct mnt *
holder (const struct mnt *v, size_t n, const char *path,
        const struct mnt **mask)
{
  *mask = NULL;
  for (size_t i = 0; i < n; i++)
    if (strcmp (v[i].point, path) == 0)
      *mask = &v[i];
  if (*mask)
    for (size_t i = 0; i < n; i++)
      if (v[i].id == (*mask)->parent)
        return &v[i];
  const struct mnt *best = NULL;
  for (size_t i = 0; i < n; i++)
    if (pol_path_under (path, v[i].point)
        && (best == NULL || strlen (v[i].point) >= strlen (best->point)))
      best = &v[i];
  return best;
}

static void
push_unique (char ***out, size_t *n, char *p)
{
  for (size_t i = 0; i < *n; i++)
    if (strcmp ((*out)[i], p) == 0)
      {
        free (p);
        return;
      }
  *out = realloc (*out, (*n + 2) * sizeof **out);
  if (*out == NULL)
    abort ();
  (*out)[(*n)++] = p;
  (*out)[*n] = NULL;
}

static bool
under_denied (const struct policy_plan *plan, const char *p)
{
  for (size_t i = 0; i < plan->fs.n_rules; i++)
    if (plan->fs.rules[i].kind == POL_FS_DENY
        && pol_path_under (p, plan->fs.rules[i].path))
      return true;
  return false;
}

static void
aliases_of (const struct policy_plan *plan, const struct mnt *v, size_t n,
            const char *denied, char ***out, size_t *k)
{
  const struct mnt *mask;
  const struct mnt *u = holder (v, n, denied, &mask);
  if (u == NULL)
    return;
  _cleanup_free_ char *fspath = join (u->root, after (denied, u->point));
  for (size_t i = 0; i < n; i++)
    {
      const struct mnt *m = &v[i];
      if (m == u || m == mask || strcmp (m->dev, u->dev) != 0)
        continue;
      char *alias = NULL;
      if (pol_path_under (fspath, m->root))
        alias = join (m->point, after (fspath, m->root));
      else if (pol_path_under (m->root, fspath))
        alias = xstrdup (m->point);
      if (alias && (strcmp (alias, denied) == 0 || under_denied (plan, alias)))
        {
          free (alias);
          alias = NULL;
        }
      if (alias)
        push_unique (out, k, alias);
    }
}

int
policy_denied_aliases (const struct policy_plan *plan, char ***out, size_t *n,
                       struct werr *err)
{
  struct mnt *v = NULL;
  size_t nm = 0;
  *out = NULL;
  *n = 0;
  if (read_mounts (&v, &nm, err) < 0)
    return -1;
  for (size_t i = 0; i < plan->fs.n_rules; i++)
    {
      if (plan->fs.rules[i].kind != POL_FS_DENY)
        continue;
      _cleanup_free_ char *real = realpath (plan->fs.rules[i].path, NULL);
      if (real)
        aliases_of (plan, v, nm, real, out, n);
    }
  mnts_free (v, nm);
  return 0;
}
