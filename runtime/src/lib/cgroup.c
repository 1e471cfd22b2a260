/* ward — cgroup manager: mode detection, path computation, the per-hierarchy
 * dispatch, save/load.
 *
 * Behaviour on each host mode (detected from /sys/fs/cgroup at run time):
 *   legacy   every mounted v1 hierarchy (co-mounted ones such as cpu,cpuacct
 *            count once) plus the named name=systemd one, as runc; resources
 *            are v1 files (cgroup_v1.c); kill --all freezes with the v1
 *            freezer, signals each pid, thaws.
 *   hybrid   as legacy, and the container is also placed in the cgroup2 tree
 *            at /sys/fs/cgroup/unified (membership, cgroup.kill, later the BPF
 *            device and egress programs); resources stay v1.
 *   unified  one cgroup2 hierarchy; controllers are enabled down the path
 *            (cgroup.subtree_control), resources are v2 files (cgroup_v2.c),
 *            SIGKILL to all goes through cgroup.kill.
 * Paths (runc's rules): an absolute linux.cgroupsPath lives under each
 * hierarchy's root; a relative one under the runtime's own cgroup in that
 * hierarchy (its parent on pure v2); none means "<id>", relative.  ".." may
 * not climb out.  Only the directories we created are removed at destroy.
 * Rootless without a writable (delegated) cgroup: no cgroup at all.
 * --systemd-cgroup goes to cgroup_systemd.c: systemd makes the cgroup (a
 * transient unit), then it is handled as above through cgroup_fs_setup(). */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "utils.h"
#include "ward/cleanup.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

static const char *const mode_names[] = {
  [CGROUP_MODE_UNIFIED] = "unified",
  [CGROUP_MODE_LEGACY] = "legacy",
  [CGROUP_MODE_HYBRID] = "hybrid",
};

static void
sleep_ms (long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

/* ---- small file helpers ---------------------------------------------- */

int
cgroup_write (const char *dir, const char *file, const char *value,
              struct werr *err)
{
  _cleanup_free_ char *p = xasprintf ("%s/%s", dir, file);
  return write_file (p, value, strlen (value), err);
}

int
cgroup_read (const char *dir, const char *file, char **out, struct werr *err)
{
  _cleanup_free_ char *p = xasprintf ("%s/%s", dir, file);
  size_t len = 0;
  if (read_file (p, out, &len, err) < 0)
    return -1;
  while (len > 0 && ((*out)[len - 1] == '\n' || (*out)[len - 1] == ' '))
    (*out)[--len] = '\0';
  return 0;
}

bool
cgroup_has_file (const char *dir, const char *file)
{
  _cleanup_free_ char *p = xasprintf ("%s/%s", dir, file);
  return access (p, F_OK) == 0;
}

static bool
freezer_settled (const struct cgroup_freezer *f, const char *watched,
                 bool frozen)
{
  const char *want = frozen ? f->frozen_says : f->thawed_says;
  if (f->exact)
    return strcmp (watched, want) == 0;
  return strstr (watched, want) != NULL;
}

int
cgroup_freezer_set (const struct cgroup_hier *h, const struct cgroup_freezer *f,
                    const char *cur, bool frozen, int timeout_ms,
                    struct werr *err)
{
  if (frozen && strcmp (cur, f->freeze) == 0)
    return 2;
  if (!frozen && strcmp (cur, f->thaw) == 0)
    return 1;
  const char *request = frozen ? f->freeze : f->thaw;
  if (cgroup_write (h->path, f->ctl, request, err) < 0)
    return -1;
  for (int i = 0; i <= timeout_ms; i++)
    {
      _cleanup_free_ char *watched = NULL;
      if (cgroup_read (h->path, f->watch, &watched, err) < 0)
        return -1;
      if (freezer_settled (f, watched, frozen))
        return 1;
      if (f->rewrite && frozen && i % 20 == 19
          && cgroup_write (h->path, f->ctl, request, err) < 0)
        return -1;
      struct timespec ts = { 0, 1000000L };
      nanosleep (&ts, NULL);
    }
  if (frozen)
    {
      struct werr ignored = { 0 };
      cgroup_write (h->path, f->ctl, f->thaw, &ignored);
    }
  return werr_set (err, ETIMEDOUT, "%s `%s`", frozen ? "freeze" : "thaw",
                   h->path);
}

int
cgroup_freezer_get (const struct cgroup_hier *h, const struct cgroup_freezer *f,
                    bool *frozen, struct werr *err)
{
  _cleanup_free_ char *cur = NULL;
  if (cgroup_read (h->path, f->ctl, &cur, err) < 0)
    return -1;
  *frozen = strcmp (cur, f->freeze) == 0;
  return 1;
}

int
cgroup_check_memory_usage (const char *dir, const char *usage_file,
                           const struct oci_resources *res, struct werr *err)
{
  if (!res->memory.has_check_before_update || !res->memory.check_before_update
      || !res->memory.has_limit || res->memory.limit <= 0)
    return 0;
  _cleanup_free_ char *cur = NULL;
  if (cgroup_read (dir, usage_file, &cur, err) < 0)
    return werr_prefix (err, "linux.resources.memory.checkBeforeUpdate");
  long long usage = strtoll (cur, NULL, 10);
  if (usage > res->memory.limit)
    return werr_set (err, 0,
                     "linux.resources.memory.limit: %" PRId64
                     " is below the current usage %lld "
                     "(checkBeforeUpdate)",
                     res->memory.limit, usage);
  return 0;
}

bool
cgroup_has_controller (const char *controllers, const char *name)
{
  size_t n = strlen (name);
  for (const char *s = controllers; s && *s;)
    {
      const char *e = strchrnul (s, ',');
      if ((size_t) (e - s) == n && strncmp (s, name, n) == 0)
        return true;
      s = *e ? e + 1 : e;
    }
  return false;
}

/* Same set of comma-separated names, in any order. */
static bool
same_controllers (const char *a, const char *b)
{
  size_t na = 0, nb = 0;
  for (const char *s = a; *s;)
    {
      const char *e = strchrnul (s, ',');
      _cleanup_free_ char *one = strndup (s, (size_t) (e - s));
      if (one == NULL || !cgroup_has_controller (b, one))
        return false;
      na++;
      s = *e ? e + 1 : e;
    }
  for (const char *s = b; *s; s++)
    if (*s == ',')
      nb++;
  return *b ? na == nb + 1 : na == 0;
}

/* ---- pure path computation ------------------------------------------ */

/* Lexically clean the components of `p` (no leading slash in the result);
 * NULL when ".." would climb above the start. */
static char *
clean_components (const char *p)
{
  char *out = xmalloc0 (strlen (p) + 1);
  size_t o = 0;
  for (const char *s = p; *s;)
    {
      while (*s == '/')
        s++;
      if (*s == '\0')
        break;
      const char *e = strchrnul (s, '/');
      size_t n = (size_t) (e - s);
      if (n == 1 && s[0] == '.')
        ;
      else if (n == 2 && s[0] == '.' && s[1] == '.')
        {
          if (o == 0)
            {
              free (out);
              return NULL;
            }
          while (o > 0 && out[o - 1] != '/')
            o--;
          if (o > 0)
            o--;
        }
      else
        {
          if (o > 0)
            out[o++] = '/';
          memcpy (out + o, s, n);
          o += n;
        }
      s = e;
    }
  out[o] = '\0';
  return out;
}

static bool
is_systemd_form (const char *p)
{
  size_t colons = 0;
  if (strchr (p, '/'))
    return false;
  for (; *p; p++)
    colons += *p == ':';
  return colons == 2;
}

int
cgroup_inner_path (const char *cgroups_path, const char *id, char **out,
                   struct werr *err)
{
  if (cgroups_path == NULL || *cgroups_path == '\0')
    {
      if (id == NULL || *id == '\0' || strchr (id, '/') || strcmp (id, ".") == 0
          || strcmp (id, "..") == 0)
        return werr_set (err, 0, "container id `%s` cannot name a cgroup",
                         id ? id : "");
      *out = xstrdup (id);
      return 0;
    }
  if (is_systemd_form (cgroups_path))
    return werr_set (err, 0,
                     "linux.cgroupsPath `%s` has the systemd form "
                     "\"slice:prefix:name\": it needs --systemd-cgroup",
                     cgroups_path);
  bool absolute = cgroups_path[0] == '/';
  _cleanup_free_ char *clean = clean_components (cgroups_path);
  if (clean == NULL)
    return werr_set (err, 0, "linux.cgroupsPath `%s`: `..` climbs out of %s",
                     cgroups_path,
                     absolute ? "the cgroup root" : "the runtime's cgroup");
  if (*clean == '\0')
    return werr_set (err, 0,
                     "linux.cgroupsPath `%s` names %s, not a cgroup below it",
                     cgroups_path,
                     absolute ? "the cgroup root" : "the runtime's own cgroup");
  *out = absolute ? xasprintf ("/%s", clean) : take_ptr (&clean);
  return 0;
}

char *
cgroup_hier_dir (const char *mountpoint, const char *mount_root,
                 const char *own, const char *inner, bool own_parent)
{
  size_t mlen = strlen (mountpoint);
  while (mlen > 1 && mountpoint[mlen - 1] == '/')
    mlen--;
  if (inner[0] == '/')
    return xasprintf ("%.*s%s", (int) mlen, mountpoint, inner);

  /* The own cgroup as seen inside this mount: strip the mount's root. */
  const char *rel = own ? own : "/";
  size_t rlen = strlen (mount_root ? mount_root : "/");
  if (mount_root && strcmp (mount_root, "/") != 0)
    {
      if (strncmp (rel, mount_root, rlen) == 0
          && (rel[rlen] == '/' || rel[rlen] == '\0'))
        rel += rlen;
      else
        rel = "";
    }
  _cleanup_free_ char *base = clean_components (rel);
  if (base == NULL)
    base = xstrdup ("");
  if (own_parent)
    {
      char *slash = strrchr (base, '/');
      if (slash)
        *slash = '\0';
      else
        *base = '\0';
    }
  return xasprintf ("%.*s%s%s/%s", (int) mlen, mountpoint, *base ? "/" : "",
                    base, inner);
}

/* ---- mode detection and hierarchy discovery ---------------------------- */

int
cgroup_detect_mode (enum cgroup_mode *out, struct werr *err)
{
  struct statfs st;
  if (statfs (CGROUP_ROOT, &st) < 0)
    return werr_set (err, errno, "statfs `%s`", CGROUP_ROOT);
  if (st.f_type == CGROUP2_SUPER_MAGIC)
    {
      *out = CGROUP_MODE_UNIFIED;
      return 0;
    }
  if (st.f_type == TMPFS_MAGIC && statfs (CGROUP_ROOT "/unified", &st) == 0
      && st.f_type == CGROUP2_SUPER_MAGIC)
    {
      *out = CGROUP_MODE_HYBRID;
      return 0;
    }
  *out = CGROUP_MODE_LEGACY;
  return 0;
}

struct cg_mount
{
  char *controllers;
  char *mountpoint;
  char *root;
  bool unified;
};

static void
cg_mounts_free (struct cg_mount *m, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (m[i].controllers);
      free (m[i].mountpoint);
      free (m[i].root);
    }
  free (m);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *
unescape_mountinfo (const char *s, size_t len)
{
  char *out = xmalloc0 (len + 1);
  size_t o = 0;
  for (size_t i = 0; i < len; i++)
    {
      if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3'
          && s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0'
          && s[i + 3] <= '7')
        {
          out[o++] = (char) (((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3)
                             | (s[i + 3] - '0'));
          i += 3;
        }
      else
        out[o++] = s[i];
    }
  out[o] = '\0';
  return out;
}

/* Keep the controller names from a v1 mount's super options. */
static char *
v1_controllers (const char *superopts)
{
  static const char *const not_controllers[] = { "rw",
                                                 "ro",
                                                 "xattr",
                                                 "noprefix",
                                                 "clone_children",
                                                 "cpuset_v2_mode",
                                                 "favordynmods",
                                                 "none" };
  char *out = xmalloc0 (strlen (superopts) + 1);
  for (const char *s = superopts; *s;)
    {
      const char *e = strchrnul (s, ',');
      size_t n = (size_t) (e - s);
      bool keep = n > 0;
      if (memchr (s, '=', n))
        keep = n > 5 && strncmp (s, "name=", 5) == 0;
      for (size_t i = 0; keep && i < ARRAY_SIZE (not_controllers); i++)
        if (strlen (not_controllers[i]) == n
            && strncmp (s, not_controllers[i], n) == 0)
          keep = false;
      if (keep)
        {
          if (*out)
            strcat (out, ",");
          strncat (out, s, n);
        }
      s = *e ? e + 1 : e;
    }
  return out;
}

/* Split a mountinfo line into what we need; false if not a cgroup mount. */
static bool
parse_mountinfo_line (char *line, struct cg_mount *m)
{
  char *fields[6] = { 0 };
  char *save = NULL;
  size_t nf = 0;
  char *sep = strstr (line, " - ");
  if (sep == NULL)
    return false;
  *sep = '\0';
  for (char *t = strtok_r (line, " ", &save); t && nf < 6;
       t = strtok_r (NULL, " ", &save))
    fields[nf++] = t;
  if (nf < 5)
    return false;
  char *fstype = strtok_r (sep + 3, " ", &save);
  char *source = strtok_r (NULL, " ", &save);
  char *superopts = strtok_r (NULL, " ", &save);
  if (fstype == NULL || source == NULL || superopts == NULL)
    return false;
  bool v2 = strcmp (fstype, "cgroup2") == 0;
  if (!v2 && strcmp (fstype, "cgroup") != 0)
    return false;
  m->unified = v2;
  m->controllers = v2 ? xstrdup ("") : v1_controllers (superopts);
  m->root = unescape_mountinfo (fields[3], strlen (fields[3]));
  m->mountpoint = unescape_mountinfo (fields[4], strlen (fields[4]));
  return true;
}

static bool
under_cgroup_root (const char *mountpoint)
{
  size_t n = strlen (CGROUP_ROOT);
  return strncmp (mountpoint, CGROUP_ROOT, n) == 0
         && (mountpoint[n] == '/' || mountpoint[n] == '\0');
}

/* Which mounts the container joins: for v1, one per controller set (those
 * under /sys/fs/cgroup first, so a bind mount elsewhere does not win), named
 * hierarchies only name=systemd; the cgroup2 one only when the mode uses it. */
static bool
wanted_mount (const struct cg_mount *m, enum cgroup_mode mode,
              const struct cg_mount *have, size_t n_have)
{
  if (m->unified)
    {
      const char *want = mode == CGROUP_MODE_UNIFIED  ? CGROUP_ROOT
                         : mode == CGROUP_MODE_HYBRID ? CGROUP_ROOT "/unified"
                                                      : NULL;
      if (want == NULL || strcmp (m->mountpoint, want) != 0)
        return false;
    }
  else
    {
      if (mode == CGROUP_MODE_UNIFIED || *m->controllers == '\0')
        return false;
      if (strncmp (m->controllers, "name=", 5) == 0
          && strcmp (m->controllers, "name=systemd") != 0)
        return false;
    }
  for (size_t i = 0; i < n_have; i++)
    if (have[i].unified == m->unified
        && same_controllers (have[i].controllers, m->controllers))
      return false;
  return true;
}

static int
find_mounts (enum cgroup_mode mode, struct cg_mount **out, size_t *n_out,
             struct werr *err)
{
  _cleanup_free_ char *data = NULL;
  if (read_file ("/proc/self/mountinfo", &data, NULL, err) < 0)
    return -1;
  struct cg_mount *mounts = NULL;
  size_t n = 0;
  for (int pass = 0; pass < 2; pass++)
    {
      _cleanup_free_ char *copy = xstrdup (data);
      char *save = NULL;
      for (char *line = strtok_r (copy, "\n", &save); line;
           line = strtok_r (NULL, "\n", &save))
        {
          struct cg_mount m = { 0 };
          if (!parse_mountinfo_line (line, &m))
            continue;
          if (under_cgroup_root (m.mountpoint) == (pass == 0)
              && wanted_mount (&m, mode, mounts, n))
            {
              mounts = realloc (mounts, (n + 1) * sizeof *mounts);
              if (mounts == NULL)
                abort ();
              mounts[n++] = m;
            }
          else
            {
              free (m.controllers);
              free (m.mountpoint);
              free (m.root);
            }
        }
    }
  if (n == 0)
    {
      free (mounts);
      return werr_set (err, 0,
                       "no cgroup hierarchy mounted (read "
                       "/proc/self/mountinfo)");
    }
  *out = mounts;
  *n_out = n;
  return 0;
}

/* The path of the line of a /proc/PID/cgroup text ("id:controllers:path")
 * for the cgroup2 hierarchy (`controllers` NULL) or the v1 one of exactly
 * `controllers`; NULL if not listed. */
static char *
proc_cgroup_path (const char *proc_cgroup, const char *controllers)
{
  _cleanup_free_ char *copy = xstrdup (proc_cgroup);
  char *save = NULL;
  for (char *line = strtok_r (copy, "\n", &save); line;
       line = strtok_r (NULL, "\n", &save))
    {
      char *c1 = strchr (line, ':');
      char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      if (c2 == NULL)
        continue;
      *c2 = '\0';
      const char *ctrls = c1 + 1;
      bool match = controllers == NULL
                       ? (strncmp (line, "0:", 2) == 0 && *ctrls == '\0')
                       : (*ctrls && same_controllers (ctrls, controllers));
      if (match)
        return xstrdup (c2[1] ? c2 + 1 : "/");
    }
  return NULL;
}

char *
cgroup_pid_path (pid_t pid, const char *controllers, struct werr *err)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/cgroup", (int) pid);
  _cleanup_free_ char *data = NULL;
  if (read_file (path, &data, NULL, err) < 0)
    return NULL;
  char *p = proc_cgroup_path (data, controllers);
  if (p == NULL)
    werr_set (err, 0, "`%s`: no line for %s", path,
              controllers ? controllers : "cgroup2");
  return p;
}

/* The runtime's own cgroup in the hierarchy of `m`; "/" if not listed. */
static char *
own_cgroup (const char *proc_cgroup, const struct cg_mount *m)
{
  char *p = proc_cgroup_path (proc_cgroup, m->unified ? NULL : m->controllers);
  return p ? p : xstrdup ("/");
}

/* ---- manager life cycle ------------------------------------------------ */

static void
hier_clear (struct cgroup_hier *h)
{
  free (h->controllers);
  free (h->mount);
  free (h->path);
  free (h->created_top);
}

void
cgroup_mgr_free (struct cgroup_mgr *mgr)
{
  if (mgr == NULL)
    return;
  for (size_t i = 0; i < mgr->n_hier; i++)
    hier_clear (&mgr->hier[i]);
  free (mgr->hier);
  cgroup_systemd_free (mgr->systemd);
  free (mgr);
}

static void
mgr_freep (struct cgroup_mgr **p)
{
  cgroup_mgr_free (*p);
}
#define _cleanup_mgr_ __attribute__ ((cleanup (mgr_freep)))

/* Remove what we created in one hierarchy: nested cgroups the container made
 * under its own, then its directory (waiting for the last processes to go),
 * then our parents up to created_top unless another cgroup still uses them. */
static int remove_created (struct cgroup_mgr *mgr, struct cgroup_hier *h,
                           struct werr *err);

static void
undo_all (struct cgroup_mgr *mgr)
{
  for (size_t i = 0; i < mgr->n_hier; i++)
    {
      struct werr ignored = { 0 };
      remove_created (mgr, &mgr->hier[i], &ignored);
    }
}

/* Rootless: can we create (or use) h->path at all?  The nearest existing
 * directory on the way must be writable by us (a delegated cgroup). */
static bool
rootless_usable (const struct cgroup_hier *h)
{
  _cleanup_free_ char *p = xstrdup (h->path);
  for (;;)
    {
      struct stat st;
      if (stat (p, &st) == 0)
        {
          if (strcmp (p, h->path) == 0)
            {
              _cleanup_free_ char *procs = xasprintf ("%s/cgroup.procs", p);
              return faccessat (AT_FDCWD, procs, W_OK, AT_EACCESS) == 0;
            }
          return faccessat (AT_FDCWD, p, W_OK, AT_EACCESS) == 0;
        }
      char *slash = strrchr (p, '/');
      if (slash == NULL || slash == p || strlen (p) <= strlen (h->mount))
        return false;
      *slash = '\0';
    }
}

/* mkdir each component below the mount, remembering the first one we made. */
static int
make_dirs (struct cgroup_mgr *mgr, struct cgroup_hier *h, struct werr *err)
{
  _cleanup_free_ char *p = xstrdup (h->path);
  size_t mlen = strlen (h->mount);
  if (strlen (p) <= mlen + 1)
    return werr_set (err, 0, "cgroup `%s` is the hierarchy root", p);
  for (char *s = p + mlen + 1;; s++)
    {
      if (*s != '/' && *s != '\0')
        continue;
      char saved = *s;
      *s = '\0';
      bool created = false;
      if (mkdir (p, 0755) == 0)
        {
          created = true;
          if (h->created_top == NULL)
            h->created_top = xstrdup (p);
        }
      else
        {
          struct stat st;
          if (errno != EEXIST)
            return werr_set (err, errno, "mkdir `%s`", p);
          if (stat (p, &st) < 0 || !S_ISDIR (st.st_mode))
            return werr_set (err, ENOTDIR, "cgroup `%s`", p);
        }
      if (h->ops->prepare_dir
          && h->ops->prepare_dir (mgr, h, p, created, err) < 0)
        return -1;
      *s = saved;
      if (saved == '\0')
        return 0;
    }
}

static int
add_hierarchies (struct cgroup_mgr *mgr, const char *inner, struct werr *err)
{
  struct cg_mount *mounts = NULL;
  size_t n = 0;
  _cleanup_free_ char *proc_cgroup = NULL;
  if (find_mounts (mgr->mode, &mounts, &n, err) < 0)
    return -1;
  if (read_file ("/proc/self/cgroup", &proc_cgroup, NULL, err) < 0)
    {
      cg_mounts_free (mounts, n);
      return -1;
    }
  mgr->hier = xmalloc0 (n * sizeof *mgr->hier);
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_free_ char *own = own_cgroup (proc_cgroup, &mounts[i]);
      struct cgroup_hier *h = &mgr->hier[mgr->n_hier++];
      h->unified = mounts[i].unified;
      h->ops = h->unified ? &cgroup_v2_ops : &cgroup_v1_ops;
      h->controllers = xstrdup (mounts[i].controllers);
      h->mount = xstrdup (mounts[i].mountpoint);
      h->path = cgroup_hier_dir (mounts[i].mountpoint, mounts[i].root, own,
                                 inner, mgr->mode == CGROUP_MODE_UNIFIED);
    }
  cg_mounts_free (mounts, n);
  return 0;
}

/* Rootless: drop the hierarchies we may not touch, as runc ignores their
 * permission errors. */
static void
drop_hierarchy (struct cgroup_mgr *mgr, size_t i)
{
  struct cgroup_hier *h = &mgr->hier[i];
  hier_clear (h);
  memmove (h, h + 1, (mgr->n_hier - i - 1) * sizeof *h);
  mgr->n_hier--;
}

static bool
is_permission_error (int e)
{
  return e == EACCES || e == EPERM || e == EROFS;
}

int
cgroup_fs_setup (struct cgroup_mgr *mgr, const char *inner, struct werr *err)
{
  if (add_hierarchies (mgr, inner, err) < 0)
    return -1;

  for (size_t i = 0; i < mgr->n_hier;)
    {
      struct cgroup_hier *h = &mgr->hier[i];
      if (mgr->rootless && !rootless_usable (h))
        {
          drop_hierarchy (mgr, i);
          continue;
        }
      if (make_dirs (mgr, h, err) < 0)
        {
          struct werr ignored = { 0 };
          if (mgr->rootless && is_permission_error (err->errnum))
            {
              remove_created (mgr, h, &ignored);
              drop_hierarchy (mgr, i);
              werr_clear (err);
              continue;
            }
          undo_all (mgr);
          return werr_prefix (err, "create cgroup");
        }
      i++;
    }
  return 0;
}

int
cgroup_create (const struct cgroup_request *req, struct cgroup_mgr **out,
               struct werr *err)
{
  if (req->systemd)
    return cgroup_systemd_create (req, out, err);

  _cleanup_free_ char *inner = NULL;
  if (cgroup_inner_path (req->cgroups_path, req->id, &inner, err) < 0)
    return -1;
  _cleanup_mgr_ struct cgroup_mgr *mgr = xmalloc0 (sizeof *mgr);
  mgr->rootless = req->rootless;
  if (cgroup_detect_mode (&mgr->mode, err) < 0
      || cgroup_fs_setup (mgr, inner, err) < 0)
    return -1;
  *out = take_ptr (&mgr);
  return 0;
}

/* ---- enter, resources, signals, pids ----------------------------------- */

static int
write_procs (const char *dir, pid_t pid, struct werr *err)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%d", (int) pid);
  for (int attempt = 0;; attempt++)
    {
      if (cgroup_write (dir, "cgroup.procs", buf, err) == 0)
        return 0;
      /* A task still in TASK_NEW cannot be moved yet: retry briefly. */
      if (err->errnum != EINVAL || attempt == 4)
        return -1;
      sleep_ms (30);
    }
}

int
cgroup_enter (struct cgroup_mgr *mgr, pid_t pid, struct werr *err)
{
  if (mgr == NULL)
    return 0;
  /* --systemd-cgroup: the unit is made with the init in it. */
  if (cgroup_systemd_pending (mgr) && cgroup_systemd_start (mgr, pid, err) < 0)
    return -1;
  for (size_t i = 0; i < mgr->n_hier; i++)
    if (write_procs (mgr->hier[i].path, pid, err) < 0)
      {
        if (mgr->rootless && is_permission_error (err->errnum))
          {
            werr_clear (err);
            /* The user's manager may move it where the user cannot. */
            if (mgr->systemd && mgr->hier[i].unified
                && cgroup_systemd_attach (mgr, pid, err) < 0)
              werr_clear (err);
            continue;
          }
        return werr_prefix (err, "join cgroup");
      }
  return 0;
}

/* Where to list processes from: the unified tree, else pids, else freezer. */
static struct cgroup_hier *
procs_source (struct cgroup_mgr *mgr)
{
  static const char *const prefer[] = { "pids", "freezer" };
  for (size_t i = 0; i < mgr->n_hier; i++)
    if (mgr->hier[i].unified)
      return &mgr->hier[i];
  for (size_t p = 0; p < ARRAY_SIZE (prefer); p++)
    for (size_t i = 0; i < mgr->n_hier; i++)
      if (cgroup_has_controller (mgr->hier[i].controllers, prefer[p]))
        return &mgr->hier[i];
  return mgr->n_hier ? &mgr->hier[0] : NULL;
}

struct pid_list
{
  pid_t *v;
  size_t n, cap;
};

/* cgroup.procs of `dir` and of every cgroup nested below it. */
static int
collect_pids (const char *dir, struct pid_list *l, int depth, struct werr *err)
{
  _cleanup_free_ char *data = NULL;
  if (cgroup_read (dir, "cgroup.procs", &data, err) < 0)
    return -1;
  for (char *s = data; *s;)
    {
      char *end;
      long v = strtol (s, &end, 10);
      if (end == s)
        break;
      if (v > 0)
        {
          if (l->n == l->cap)
            {
              l->cap = l->cap ? l->cap * 2 : 16;
              l->v = realloc (l->v, l->cap * sizeof *l->v);
              if (l->v == NULL)
                abort ();
            }
          l->v[l->n++] = (pid_t) v;
        }
      s = end;
    }
  if (depth >= 32)
    return 0;
  DIR *d = opendir (dir);
  if (d == NULL)
    return werr_set (err, errno, "opendir `%s`", dir);
  int r = 0;
  for (struct dirent *e; r == 0 && (e = readdir (d));)
    {
      if (e->d_type != DT_DIR || strcmp (e->d_name, ".") == 0
          || strcmp (e->d_name, "..") == 0)
        continue;
      _cleanup_free_ char *sub = xasprintf ("%s/%s", dir, e->d_name);
      struct werr sub_err = { 0 };
      /* A nested cgroup removed meanwhile is not an error. */
      if (collect_pids (sub, l, depth + 1, &sub_err) < 0
          && sub_err.errnum != ENOENT)
        r = werr_set (err, 0, "%s", sub_err.msg);
    }
  closedir (d);
  return r;
}

int
cgroup_pids (struct cgroup_mgr *mgr, pid_t **pids, size_t *n, struct werr *err)
{
  struct pid_list l = { 0 };
  struct cgroup_hier *src = mgr ? procs_source (mgr) : NULL;
  if (src && collect_pids (src->path, &l, 0, err) < 0)
    {
      free (l.v);
      return werr_prefix (err, "list the container's processes");
    }
  *pids = l.v;
  *n = l.n;
  return 0;
}

/* Freeze in the first hierarchy that can.  Returns the one to thaw after,
 * NULL when none could or the container was paused already. */
static struct cgroup_hier *
freeze_any (struct cgroup_mgr *mgr)
{
  for (size_t i = 0; i < mgr->n_hier; i++)
    {
      struct cgroup_hier *h = &mgr->hier[i];
      struct werr ignored = { 0 };
      int r = h->ops->freeze ? h->ops->freeze (h, true, 200, &ignored) : 0;
      if (r > 0)
        return r == 1 ? h : NULL;
    }
  return NULL;
}

/* Freeze or thaw every hierarchy that has a freezer: how many did, or -1 at
 * the first error unless `keep_going`.  cgroup2 first when freezing (a task
 * already in the v1 freezer would never report itself frozen to cgroup2),
 * v1 first when thawing (nor thawed). */
static int
freeze_each (struct cgroup_mgr *mgr, bool frozen, int timeout_ms,
             bool keep_going, struct werr *err)
{
  int done = 0;
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < mgr->n_hier; i++)
      {
        struct cgroup_hier *h = &mgr->hier[i];
        bool unified_pass = frozen ? pass == 0 : pass == 1;
        int r = 0;
        if (h->ops->freeze && h->unified == unified_pass
            && (r = h->ops->freeze (h, frozen, timeout_ms, err)) < 0
            && !keep_going)
          return -1;
        done += r > 0;
      }
  return done;
}

/* Thaw everywhere: tasks stopped by the v1 freezer do not act on SIGKILL
 * until thawed. */
static void
thaw_all (struct cgroup_mgr *mgr)
{
  struct werr ignored = { 0 };
  freeze_each (mgr, false, 200, true, &ignored);
}

/* How long a pause may take before it is undone and reported. */
#define PAUSE_TIMEOUT_MS 5000

int
cgroup_freeze (struct cgroup_mgr *mgr, bool frozen, struct werr *err)
{
  if (mgr == NULL || mgr->n_hier == 0)
    return werr_set (err, 0, "the container has no cgroup to %s",
                     frozen ? "freeze" : "thaw");
  int done = freeze_each (mgr, frozen, PAUSE_TIMEOUT_MS, false, err);
  if (done < 0)
    {
      if (frozen)
        thaw_all (mgr);
      return -1;
    }
  if (done > 0)
    return 0;
  if (!frozen)
    return werr_set (err, 0, "no freezer for the container");
  return werr_set (err, 0,
                   "no freezer for the container (neither "
                   "the v1 freezer controller nor "
                   "cgroup.freeze)");
}

int
cgroup_is_frozen (struct cgroup_mgr *mgr, bool *frozen, struct werr *err)
{
  *frozen = false;
  for (size_t i = 0; mgr && i < mgr->n_hier; i++)
    {
      struct cgroup_hier *h = &mgr->hier[i];
      bool one = false;
      int r = h->ops->is_frozen ? h->ops->is_frozen (h, &one, err) : 0;
      if (r < 0)
        return -1;
      if (r > 0 && one)
        {
          *frozen = true;
          return 0;
        }
    }
  return 0;
}

int
cgroup_kill_all (struct cgroup_mgr *mgr, int sig, struct werr *err)
{
  if (mgr == NULL || mgr->n_hier == 0)
    return 0;
  for (size_t i = 0; i < mgr->n_hier; i++)
    {
      struct cgroup_hier *h = &mgr->hier[i];
      int r = h->ops->kill_all ? h->ops->kill_all (mgr, h, sig, err) : 0;
      if (r < 0)
        return werr_prefix (err, "kill the container's processes");
      if (r > 0)
        {
          /* A paused container's tasks act on SIGKILL once thawed (runc
           * thaws after SIGKILL too). */
          if (sig == SIGKILL)
            thaw_all (mgr);
          return 0;
        }
    }

  /* Signal one by one; frozen first, so nothing forks behind our back. */
  struct cgroup_hier *frozen = freeze_any (mgr);
  struct pid_list l = { 0 };
  int r = collect_pids (procs_source (mgr)->path, &l, 0, err);
  for (size_t i = 0; r == 0 && i < l.n; i++)
    if (kill (l.v[i], sig) < 0 && errno != ESRCH)
      r = werr_set (err, errno, "kill %d", (int) l.v[i]);
  free (l.v);
  if (frozen)
    {
      struct werr thaw_err = { 0 };
      if (frozen->ops->freeze (frozen, false, 200, &thaw_err) < 0 && r == 0)
        r = werr_set (err, 0, "%s", thaw_err.msg);
    }
  if (r == 0 && sig == SIGKILL)
    thaw_all (mgr);
  return r < 0 ? werr_prefix (err, "kill the container's processes") : 0;
}

bool
cgroup_alive (const struct cgroup_mgr *mgr)
{
  for (size_t i = 0; mgr && i < mgr->n_hier; i++)
    if (access (mgr->hier[i].path, F_OK) == 0)
      return true;
  return false;
}

/* ---- destroy ------------------------------------------------------------ */

static int
rmdir_nested (const char *dir, int depth)
{
  DIR *d = opendir (dir);
  if (d == NULL)
    return errno == ENOENT ? 0 : -1;
  for (struct dirent *e; (e = readdir (d));)
    {
      if (e->d_type != DT_DIR || strcmp (e->d_name, ".") == 0
          || strcmp (e->d_name, "..") == 0 || depth >= 32)
        continue;
      _cleanup_free_ char *sub = xasprintf ("%s/%s", dir, e->d_name);
      rmdir_nested (sub, depth + 1);
      rmdir (sub);
    }
  closedir (d);
  return 0;
}

/* rmdir a cgroup whose last processes may still be exiting: retry EBUSY for
 * about a second, signalling again now and then. */
static int
rmdir_busy (struct cgroup_mgr *mgr, const char *dir, struct werr *err)
{
  for (int attempt = 0;; attempt++)
    {
      rmdir_nested (dir, 0);
      /* ENOTDIR: a rollback after a path component turned out a file. */
      if (rmdir (dir) == 0 || errno == ENOENT || errno == ENOTDIR)
        return 0;
      if (errno != EBUSY || attempt == 20)
        return werr_set (err, errno, "rmdir `%s`", dir);
      if (attempt % 5 == 4)
        {
          struct werr ignored = { 0 };
          cgroup_kill_all (mgr, SIGKILL, &ignored);
          thaw_all (mgr);
        }
      sleep_ms (50);
    }
}

static int
remove_created (struct cgroup_mgr *mgr, struct cgroup_hier *h, struct werr *err)
{
  if (h->created_top == NULL)
    return 0;
  if (rmdir_busy (mgr, h->path, err) < 0)
    return -1;
  size_t top = strlen (h->created_top);
  _cleanup_free_ char *p = xstrdup (h->path);
  for (char *slash; strlen (p) > top && (slash = strrchr (p, '/'));)
    {
      *slash = '\0';
      /* Still holding another container's cgroup: not ours to remove now. */
      if (rmdir (p) < 0 && errno != ENOENT && errno != ENOTDIR)
        break;
    }
  free (h->created_top);
  h->created_top = NULL;
  return 0;
}

static int
destroy_fs (struct cgroup_mgr *mgr, struct werr *err)
{
  if (mgr == NULL || mgr->n_hier == 0)
    return 0;
  struct werr kill_err = { 0 };
  pid_t *pids = NULL;
  size_t n = 0;
  /* Usually the container's processes are gone already: freezing and
   * signalling an empty cgroup is wasted work (a late straggler makes
   * rmdir fail with EBUSY, and rmdir_busy() kills it then). */
  if (cgroup_pids (mgr, &pids, &n, &kill_err) < 0 || n > 0)
    {
      cgroup_kill_all (mgr, SIGKILL, &kill_err);
      thaw_all (mgr);
    }
  free (pids);
  int r = 0;
  for (size_t i = 0; i < mgr->n_hier; i++)
    {
      struct werr one = { 0 };
      if (remove_created (mgr, &mgr->hier[i], &one) < 0 && r == 0)
        {
          *err = one;
          r = -1;
        }
    }
  return r < 0 ? werr_prefix (err, "remove cgroup") : 0;
}

int
cgroup_destroy (struct cgroup_mgr *mgr, struct werr *err)
{
  int r = destroy_fs (mgr, err);
  /* Then systemd's unit: its processes are gone, the stop is quick. */
  struct werr one = { 0 };
  if (mgr && mgr->systemd && cgroup_systemd_stop (mgr, &one) < 0 && r == 0)
    {
      *err = one;
      r = -1;
    }
  return r;
}

/* ---- save / load -------------------------------------------------------- */

void
cgroup_save (const struct cgroup_mgr *mgr, struct jw *w)
{
  if (mgr == NULL)
    {
      jw_null (w);
      return;
    }
  jw_obj_open (w);
  jw_kstr (w, "mode", mode_names[mgr->mode]);
  jw_kbool (w, "rootless", mgr->rootless);
  jw_key (w, "hierarchies");
  jw_arr_open (w);
  for (size_t i = 0; i < mgr->n_hier; i++)
    {
      const struct cgroup_hier *h = &mgr->hier[i];
      jw_obj_open (w);
      jw_kstr (w, "controllers", h->controllers);
      jw_kbool (w, "unified", h->unified);
      jw_kstr (w, "mount", h->mount);
      jw_kstr (w, "path", h->path);
      jw_kbool (w, "created", h->created_top != NULL);
      jw_kstr (w, "created_top", h->created_top);
      jw_obj_close (w);
    }
  jw_arr_close (w);
  if (mgr->systemd)
    cgroup_systemd_save (mgr, w);
  jw_obj_close (w);
}

static const char *
jstr (const struct jnode *obj, const char *key)
{
  const struct jnode *n = obj ? jnode_get (obj, key) : NULL;
  return n ? jnode_str (n) : NULL;
}

/* `p` equals `base` or lies below it, and has no "." or ".." component. */
static bool
path_within (const char *p, const char *base, bool allow_equal)
{
  size_t n = strlen (base);
  if (p == NULL || p[0] != '/' || strncmp (p, base, n) != 0)
    return false;
  if (!(p[n] == '/' || (allow_equal && p[n] == '\0')))
    return false;
  return strstr (p, "/../") == NULL && strstr (p, "/./") == NULL
         && !(strlen (p) >= 3 && strcmp (p + strlen (p) - 3, "/..") == 0);
}

/* A state file names directories we will rmdir and signal: accept only
 * paths strictly inside their hierarchy's mount, created_top on the way. */
static int
load_hier (const struct jnode *o, struct cgroup_hier *h, struct werr *err)
{
  const char *controllers = jstr (o, "controllers");
  const char *mount = jstr (o, "mount");
  const char *path = jstr (o, "path");
  const char *top = jstr (o, "created_top");
  const struct jnode *unified = jnode_get (o, "unified");
  if (controllers == NULL || mount == NULL || mount[0] != '/' || path == NULL
      || !path_within (path, mount, false))
    return werr_set (err, 0, "cgroup state: hierarchy `%s`: bad path `%s`",
                     controllers ? controllers : "?", path ? path : "");
  if (top
      && (!path_within (top, mount, false) || !path_within (path, top, true)))
    return werr_set (err, 0, "cgroup state: `%s` is not on the way to `%s`",
                     top, path);
  struct statfs st;
  if (statfs (mount, &st) == 0 && st.f_type != CGROUP_SUPER_MAGIC
      && st.f_type != CGROUP2_SUPER_MAGIC)
    return werr_set (err, 0, "cgroup state: `%s` is not a cgroup file system",
                     mount);
  h->unified = unified && jnode_is_true (unified);
  h->ops = h->unified ? &cgroup_v2_ops : &cgroup_v1_ops;
  h->controllers = xstrdup (controllers);
  h->mount = xstrdup (mount);
  h->path = xstrdup (path);
  h->created_top = top ? xstrdup (top) : NULL;
  return 0;
}

int
cgroup_load (const struct jnode *n, struct cgroup_mgr **out, struct werr *err)
{
  _cleanup_mgr_ struct cgroup_mgr *mgr = xmalloc0 (sizeof *mgr);
  if (n == NULL || jnode_type (n) == JNODE_NULL)
    {
      /* Nothing was saved: a container without a cgroup. */
      if (cgroup_detect_mode (&mgr->mode, err) < 0)
        return -1;
      *out = take_ptr (&mgr);
      return 0;
    }
  if (jnode_type (n) != JNODE_OBJECT)
    return werr_set (err, 0, "cgroup state: expected an object");
  const char *mode = jstr (n, "mode");
  size_t m;
  for (m = 0; m < ARRAY_SIZE (mode_names); m++)
    if (mode && strcmp (mode, mode_names[m]) == 0)
      break;
  if (m == ARRAY_SIZE (mode_names))
    return werr_set (err, 0, "cgroup state: unknown mode `%s`",
                     mode ? mode : "");
  mgr->mode = (enum cgroup_mode) m;
  const struct jnode *rootless = jnode_get (n, "rootless");
  mgr->rootless = rootless && jnode_is_true (rootless);
  const struct jnode *arr = jnode_get (n, "hierarchies");
  if (arr == NULL || jnode_type (arr) != JNODE_ARRAY)
    return werr_set (err, 0, "cgroup state: hierarchies: expected an array");
  size_t count = jnode_len (arr);
  mgr->hier = xmalloc0 ((count ? count : 1) * sizeof *mgr->hier);
  for (size_t i = 0; i < count; i++)
    {
      const struct jnode *o = jnode_at (arr, i);
      if (o == NULL || jnode_type (o) != JNODE_OBJECT)
        return werr_set (err, 0,
                         "cgroup state: hierarchies[%zu]: expected "
                         "an object",
                         i);
      if (load_hier (o, &mgr->hier[mgr->n_hier], err) < 0)
        return -1;
      mgr->n_hier++;
    }
  if (cgroup_systemd_load (n, mgr, err) < 0)
    return -1;
  *out = take_ptr (&mgr);
  return 0;
}

bool
cgroup_pending (const struct cgroup_mgr *mgr)
{
  return mgr && cgroup_systemd_pending (mgr);
}
