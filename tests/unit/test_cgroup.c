/* ward — unit tests for the cgroup manager.
 *
 * Path computation is tested everywhere; the rest needs root (exit 77, the
 * automake skip code, otherwise) and creates cgroups named ward-test-<pid>*
 * directly under each hierarchy's root, all removed at exit even when a
 * check fails. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup_internal.h"
#include "utils.h"
#include "ward/cleanup.h"
#include "ward/json.h"

static int passed, failed;
static char prefix[64]; /* "ward-test-<pid>" */

#define CHECK(cond, ...) check ((cond), #cond, __LINE__, __VA_ARGS__)

static bool
check (bool ok, const char *expr, int line, const char *fmt, ...)
{
  if (ok)
    {
      passed++;
      return true;
    }
  failed++;
  va_list ap;
  va_start (ap, fmt);
  fprintf (stderr, "FAIL line %d: %s: ", line, expr);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  va_end (ap);
  return false;
}

static bool
exists (const char *p)
{
  struct stat st;
  return stat (p, &st) == 0;
}

static bool
ends_with (const char *s, const char *suffix)
{
  size_t a = strlen (s), b = strlen (suffix);
  return a >= b && strcmp (s + a - b, suffix) == 0;
}

/* ---- pure tests ------------------------------------------------------------ */

static void
expect_inner (const char *cgpath, const char *id, const char *want)
{
  struct werr err = { 0 };
  char *got = NULL;
  int r = cgroup_inner_path (cgpath, id, &got, &err);
  if (want)
    CHECK (r == 0 && strcmp (got, want) == 0, "inner(%s,%s) = %s (%s), want %s",
           cgpath ? cgpath : "NULL", id, got ? got : "error", err.msg, want);
  else
    CHECK (r < 0 && strstr (err.msg, "cgroup"), "inner(%s,%s) should fail: %s",
           cgpath ? cgpath : "NULL", id, got ? got : err.msg);
  free (got);
}

static void
expect_dir (const char *mnt, const char *root, const char *own,
            const char *inner, bool parent, const char *want)
{
  _cleanup_free_ char *got = cgroup_hier_dir (mnt, root, own, inner, parent);
  CHECK (strcmp (got, want) == 0, "dir(%s,%s,%s,%s,%d) = %s, want %s", mnt,
         root, own, inner, parent, got, want);
}

static void
test_paths (void)
{
  expect_inner (NULL, "c1", "c1");
  expect_inner ("", "c1", "c1");
  expect_inner ("/a/b", "c1", "/a/b");
  expect_inner ("a/b", "c1", "a/b");
  expect_inner ("/a/./b//c/", "c1", "/a/b/c");
  expect_inner ("a/../b", "c1", "b");
  expect_inner ("/a/b/..", "c1", "/a");
  expect_inner ("/../x", "c1", NULL);
  expect_inner ("a/../../x", "c1", NULL);
  expect_inner ("/", "c1", NULL);
  expect_inner (".", "c1", NULL);
  expect_inner (NULL, "..", NULL);
  expect_inner (NULL, "a/b", NULL);

  struct werr err = { 0 };
  char *got = NULL;
  CHECK (cgroup_inner_path ("system.slice:runc:c1", "c1", &got, &err) < 0
             && strstr (err.msg, "cgroupsPath")
             && strstr (err.msg, "--systemd-cgroup"),
         "systemd form without --systemd-cgroup: %s", err.msg);
  free (got);

  const char *m = "/sys/fs/cgroup/memory";
  expect_dir (m, "/", "/user.slice", "/a/b", false,
              "/sys/fs/cgroup/memory/a/b");
  expect_dir (m, "/", "/user.slice", "a/b", false,
              "/sys/fs/cgroup/memory/user.slice/a/b");
  expect_dir (m, "/", "/", "c1", false, "/sys/fs/cgroup/memory/c1");
  expect_dir (m, "/docker/x", "/docker/x/sub", "c1", false,
              "/sys/fs/cgroup/memory/sub/c1");
  expect_dir (m, "/docker/x", "/elsewhere", "c1", false,
              "/sys/fs/cgroup/memory/c1");
  /* pure v2: relative to the parent of the runtime's own cgroup */
  expect_dir ("/sys/fs/cgroup", "/", "/user.slice/session-1.scope", "c1",
              true, "/sys/fs/cgroup/user.slice/c1");
  expect_dir ("/sys/fs/cgroup", "/", "/", "c1", true, "/sys/fs/cgroup/c1");
  expect_dir ("/sys/fs/cgroup", "/", "/init.scope", "/k8s/p", true,
              "/sys/fs/cgroup/k8s/p");

  CHECK (cgroup_shares_to_weight (0) == 0, "shares 0");
  CHECK (cgroup_shares_to_weight (2) == 1, "shares 2");
  CHECK (cgroup_shares_to_weight (1024) == 100, "shares 1024 -> %llu",
         (unsigned long long) cgroup_shares_to_weight (1024));
  CHECK (cgroup_shares_to_weight (512) == 59, "shares 512 -> %llu",
         (unsigned long long) cgroup_shares_to_weight (512));
  CHECK (cgroup_shares_to_weight (100000) == 4340, "shares 100000 -> %llu",
         (unsigned long long) cgroup_shares_to_weight (100000));
  CHECK (cgroup_shares_to_weight (262144) == 10000, "shares max");
}

static void
expect_load_fails (const char *json, const char *why)
{
  struct werr err = { 0 };
  struct jnode *root = jnode_parse (json, strlen (json), &err);
  struct cgroup_mgr *mgr = NULL;
  CHECK (root && cgroup_load (root, &mgr, &err) < 0, "load must refuse %s: %s",
         why, json);
  cgroup_mgr_free (mgr);
  jnode_free (root);
}

/* A state file names directories destroy will rmdir and signal. */
static void
test_load_validation (void)
{
  expect_load_fails ("{\"mode\":\"hybrid\",\"hierarchies\":[{\"controllers\":"
                     "\"pids\",\"mount\":\"/sys/fs/cgroup/pids\",\"path\":"
                     "\"/etc/x\",\"created_top\":\"/etc/x\"}]}",
                     "a path outside the mount");
  expect_load_fails ("{\"mode\":\"hybrid\",\"hierarchies\":[{\"controllers\":"
                     "\"pids\",\"mount\":\"/sys/fs/cgroup/pids\",\"path\":"
                     "\"/sys/fs/cgroup/pids/../../../etc\"}]}",
                     "a path with ..");
  expect_load_fails ("{\"mode\":\"hybrid\",\"hierarchies\":[{\"controllers\":"
                     "\"pids\",\"mount\":\"/sys/fs/cgroup/pids\",\"path\":"
                     "\"/sys/fs/cgroup/pids/a/b\",\"created_top\":"
                     "\"/sys/fs/cgroup/pids/x\"}]}",
                     "created_top not on the way");
  expect_load_fails ("{\"mode\":\"hybrid\",\"hierarchies\":[{\"controllers\":"
                     "\"x\",\"mount\":\"/proc\",\"path\":\"/proc/sys\"}]}",
                     "a mount that is not cgroupfs");
  expect_load_fails ("{\"mode\":\"weird\",\"hierarchies\":[]}", "a bad mode");

  struct werr err = { 0 };
  struct cgroup_mgr *mgr = NULL;
  const char *empty = "{\"mode\":\"legacy\",\"hierarchies\":[]}";
  struct jnode *root = jnode_parse (empty, strlen (empty), &err);
  CHECK (root && cgroup_load (root, &mgr, &err) == 0 && mgr->n_hier == 0
             && cgroup_destroy (mgr, &err) == 0,
         "empty manager: %s", err.msg);
  cgroup_mgr_free (mgr);
  jnode_free (root);
}

/* ---- root tests ------------------------------------------------------------ */

static pid_t
spawn_sleeper (void)
{
  pid_t pid = fork ();
  if (pid == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      for (;;)
        pause ();
    }
  return pid;
}

static int
reap (pid_t pid)
{
  int status = 0;
  if (waitpid (pid, &status, 0) < 0)
    return -1;
  return WIFSIGNALED (status) ? WTERMSIG (status) : 0;
}

/* Remove every ward-test-<pid>* cgroup left in any hierarchy (SIGKILLing
 * what is in it first): the safety net behind failed checks. */
static void
remove_tree (const char *dir)
{
  _cleanup_free_ char *procs = xasprintf ("%s/cgroup.procs", dir);
  FILE *f = fopen (procs, "re");
  if (f)
    {
      int pid;
      while (fscanf (f, "%d", &pid) == 1)
        if (pid > 0 && pid != getpid ())
          kill (pid, SIGKILL);
      fclose (f);
    }
  DIR *d = opendir (dir);
  if (d)
    {
      for (struct dirent *e; (e = readdir (d));)
        if (e->d_type == DT_DIR && e->d_name[0] != '.')
          {
            _cleanup_free_ char *sub = xasprintf ("%s/%s", dir, e->d_name);
            remove_tree (sub);
          }
      closedir (d);
    }
  for (int i = 0; i < 20 && rmdir (dir) < 0 && errno == EBUSY; i++)
    usleep (50000);
}

static void
cleanup_leftovers (void)
{
  DIR *root = opendir ("/sys/fs/cgroup");
  if (root == NULL)
    return;
  for (struct dirent *h; (h = readdir (root));)
    {
      if (h->d_name[0] == '.')
        continue;
      _cleanup_free_ char *hdir = xasprintf ("/sys/fs/cgroup/%s", h->d_name);
      DIR *d = opendir (hdir);
      if (d == NULL)
        continue;
      for (struct dirent *e; (e = readdir (d));)
        if (strncmp (e->d_name, prefix, strlen (prefix)) == 0)
          {
            _cleanup_free_ char *p = xasprintf ("%s/%s", hdir, e->d_name);
            fprintf (stderr, "cleaning up leftover %s\n", p);
            remove_tree (p);
          }
      closedir (d);
    }
  /* /sys/fs/cgroup itself is the hierarchy on pure v2 hosts. */
  DIR *d = opendir ("/sys/fs/cgroup");
  if (d)
    {
      for (struct dirent *e; (e = readdir (d));)
        if (strncmp (e->d_name, prefix, strlen (prefix)) == 0)
          {
            _cleanup_free_ char *p = xasprintf ("/sys/fs/cgroup/%s", e->d_name);
            remove_tree (p);
          }
      closedir (d);
    }
  closedir (root);
}

/* How many hierarchies have a directory `name` at their root. */
static int
count_leftovers (const char *name)
{
  int n = 0;
  _cleanup_free_ char *top = xasprintf ("/sys/fs/cgroup/%s", name);
  n += exists (top);
  DIR *root = opendir ("/sys/fs/cgroup");
  for (struct dirent *h; root && (h = readdir (root));)
    {
      _cleanup_free_ char *p
          = xasprintf ("/sys/fs/cgroup/%s/%s", h->d_name, name);
      n += h->d_name[0] != '.' && exists (p);
    }
  if (root)
    closedir (root);
  return n;
}

static struct cgroup_mgr *
make (const char *suffix, const struct oci_resources *res)
{
  _cleanup_free_ char *path = xasprintf ("/%s%s", prefix, suffix);
  struct cgroup_request req = { .id = "c", .cgroups_path = path,
                                .resources = res };
  struct cgroup_mgr *mgr = NULL;
  struct werr err = { 0 };
  if (!CHECK (cgroup_create (&req, &mgr, &err) == 0, "create %s: %s", path,
              err.msg))
    return NULL;
  return mgr;
}

/* Every hierarchy of the manager is listed for `pid` with the right path. */
static void
check_membership (struct cgroup_mgr *mgr, pid_t pid)
{
  _cleanup_free_ char *p = xasprintf ("/proc/%d/cgroup", (int) pid);
  _cleanup_free_ char *data = NULL;
  struct werr err = { 0 };
  if (!CHECK (read_file (p, &data, NULL, &err) == 0, "%s", err.msg))
    return;
  for (size_t i = 0; i < mgr->n_hier; i++)
    {
      struct cgroup_hier *h = &mgr->hier[i];
      const char *want = h->path + strlen (h->mount);
      _cleanup_free_ char *line
          = xasprintf ("%s%s:%s\n", h->unified ? "0:" : ":", h->controllers,
                       want);
      CHECK (strstr (data, line) != NULL, "%s not in %s:\n%s", line, p, data);
    }
}

static void
check_gone (char **paths, size_t n)
{
  for (size_t i = 0; i < n; i++)
    CHECK (!exists (paths[i]), "%s still exists", paths[i]);
}

static char **
dirs_of (struct cgroup_mgr *mgr, bool parents, size_t *n)
{
  char **v = xmalloc0 (mgr->n_hier * 2 * sizeof *v);
  *n = 0;
  for (size_t i = 0; i < mgr->n_hier; i++)
    {
      v[(*n)++] = xstrdup (mgr->hier[i].path);
      if (parents)
        {
          char *p = xstrdup (mgr->hier[i].path);
          *strrchr (p, '/') = '\0';
          v[(*n)++] = p;
        }
    }
  return v;
}

static void
free_dirs (char **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (v[i]);
  free (v);
}

static struct cgroup_mgr *
round_trip (struct cgroup_mgr *mgr)
{
  struct jw *w = jw_new (false);
  cgroup_save (mgr, w);
  char *json = NULL;
  size_t len = 0;
  struct werr err = { 0 };
  if (!CHECK (jw_finish (w, &json, &len) == 0, "jw_finish"))
    return NULL;
  struct jnode *root = jnode_parse (json, len, &err);
  struct cgroup_mgr *back = NULL;
  CHECK (root && cgroup_load (root, &back, &err) == 0, "load %s: %s", json,
         err.msg);
  jnode_free (root);
  if (back)
    {
      CHECK (back->mode == mgr->mode && back->n_hier == mgr->n_hier,
             "round trip %s", json);
      for (size_t i = 0; i < mgr->n_hier && i < back->n_hier; i++)
        {
          struct cgroup_hier *a = &mgr->hier[i], *b = &back->hier[i];
          CHECK (strcmp (a->path, b->path) == 0
                     && strcmp (a->controllers, b->controllers) == 0
                     && a->unified == b->unified
                     && (a->created_top == NULL) == (b->created_top == NULL)
                     && (!a->created_top
                         || strcmp (a->created_top, b->created_top) == 0),
                 "hierarchy %zu differs after round trip: %s", i, json);
        }
    }
  free (json);
  return back;
}

static struct cgroup_hier *
hier_with (struct cgroup_mgr *mgr, const char *controller)
{
  for (size_t i = 0; i < mgr->n_hier; i++)
    if (cgroup_has_controller (mgr->hier[i].controllers, controller))
      return &mgr->hier[i];
  return NULL;
}

static void
check_file (struct cgroup_mgr *mgr, const char *ctrl, const char *file,
            const char *want)
{
  struct cgroup_hier *h = hier_with (mgr, ctrl);
  if (h == NULL)
    return;
  _cleanup_free_ char *got = NULL;
  struct werr err = { 0 };
  CHECK (cgroup_read (h->path, file, &got, &err) == 0 && strstr (got, want),
         "%s/%s = %s, want %s", h->path, file, got ? got : err.msg, want);
}

static void
test_resources (struct cgroup_mgr *mgr)
{
  struct oci_device_cgroup rules[] = {
    { false, 'a', -1, -1, (char *) "rwm" },
    { true, 'c', 4, -1, (char *) "rw" },
    { true, 'b', 8, 0, (char *) "r" },
  };
  struct oci_resources res = { .devices = rules, .n_devices = 3 };
  struct werr err = { 0 };
  if (mgr->mode == CGROUP_MODE_UNIFIED)
    {
      /* The v2 files need controllers this host may keep on v1: only the
       * (not yet enforced) device rules. */
      CHECK (cgroup_apply_resources (mgr, &res, &err) == 0, "apply: %s",
             err.msg);
      return;
    }
  res.has_memory = true;
  res.memory.has_limit = true;
  res.memory.limit = 64 << 20;
  res.has_pids = true;
  res.pids_limit = 100;
  res.has_cpu = true;
  res.cpu.has_shares = true;
  res.cpu.shares = 512;
  CHECK (cgroup_apply_resources (mgr, &res, &err) == 0, "apply: %s", err.msg);
  struct cgroup_hier *dev = hier_with (mgr, "devices");
  if (dev)
    {
      _cleanup_free_ char *list = NULL;
      cgroup_read (dev->path, "devices.list", &list, &err);
      CHECK (list && !strstr (list, "a *:* rwm") && strstr (list, "c 4:* rw\n")
                 && strstr (list, "b 8:0 r\n") && strstr (list, "c 1:3 rwm")
                 && strstr (list, "c 136:* rwm") && strstr (list, "b *:* m"),
             "devices.list:\n%s", list ? list : err.msg);
    }
  check_file (mgr, "memory", "memory.limit_in_bytes", "67108864");
  check_file (mgr, "pids", "pids.max", "100");
  check_file (mgr, "cpu", "cpu.shares", "512");

  struct oci_device_cgroup bad = { true, 'c', 1, 3, (char *) "rwx" };
  struct oci_resources res2 = { .devices = &bad, .n_devices = 1 };
  CHECK (cgroup_apply_resources (mgr, &res2, &err) < 0
             && strstr (err.msg, "devices"),
         "invalid access must fail: %s", err.msg);
}

static void
test_lifecycle (void)
{
  struct cgroup_mgr *mgr = make ("/c", NULL);
  if (mgr == NULL)
    return;
  CHECK (mgr->n_hier > 0, "no hierarchy");
  size_t nd = 0;
  char **dirs = dirs_of (mgr, true, &nd);
  for (size_t i = 0; i < mgr->n_hier; i++)
    CHECK (exists (mgr->hier[i].path) && mgr->hier[i].created_top
               && ends_with (mgr->hier[i].created_top, prefix),
           "%s created (top %s)", mgr->hier[i].path,
           mgr->hier[i].created_top);
  check_file (mgr, "cpuset", "cpuset.mems", "0");

  struct werr err = { 0 };
  pid_t a = spawn_sleeper ();
  CHECK (cgroup_enter (mgr, a, &err) == 0, "enter: %s", err.msg);
  check_membership (mgr, a);

  pid_t *pids = NULL;
  size_t n = 0;
  CHECK (cgroup_pids (mgr, &pids, &n, &err) == 0 && n == 1 && pids[0] == a,
         "pids: n=%zu %s", n, err.msg);
  free (pids);

  test_resources (mgr);

  /* SIGTERM: the one-by-one walk (with the freezer on v1). */
  CHECK (cgroup_kill_all (mgr, SIGTERM, &err) == 0, "kill_all: %s", err.msg);
  CHECK (reap (a) == SIGTERM, "child not killed by SIGTERM");

  /* SIGKILL: cgroup.kill where there is one. */
  pid_t b = spawn_sleeper ();
  CHECK (cgroup_enter (mgr, b, &err) == 0, "enter: %s", err.msg);
  CHECK (cgroup_kill_all (mgr, SIGKILL, &err) == 0, "kill_all: %s", err.msg);
  CHECK (reap (b) == SIGKILL, "child not killed by SIGKILL");

  /* Destroy through a reloaded manager, with a process still inside. */
  struct cgroup_mgr *back = round_trip (mgr);
  pid_t c = spawn_sleeper ();
  CHECK (cgroup_enter (mgr, c, &err) == 0, "enter: %s", err.msg);
  if (back)
    {
      CHECK (cgroup_destroy (back, &err) == 0, "destroy: %s", err.msg);
      CHECK (reap (c) == SIGKILL, "destroy did not kill the process");
      check_gone (dirs, nd);
      CHECK (cgroup_destroy (back, &err) == 0, "second destroy: %s", err.msg);
    }
  else
    kill (c, SIGKILL);
  cgroup_mgr_free (back);
  cgroup_destroy (mgr, &err);
  cgroup_mgr_free (mgr);
  free_dirs (dirs, nd);
}

/* kill --all on a paused container signals it but leaves it paused;
 * destroy still gets rid of it. */
static void
test_paused (void)
{
  struct cgroup_mgr *mgr = make ("-paused", NULL);
  if (mgr == NULL)
    return;
  struct werr err = { 0 };
  pid_t pid = spawn_sleeper ();
  CHECK (cgroup_enter (mgr, pid, &err) == 0, "enter: %s", err.msg);
  struct cgroup_hier *fz = NULL;
  for (size_t i = 0; i < mgr->n_hier && fz == NULL; i++)
    if (mgr->hier[i].ops->freeze (&mgr->hier[i], true, &err) == 1)
      fz = &mgr->hier[i];
  CHECK (fz != NULL, "could not freeze: %s", err.msg);
  CHECK (cgroup_kill_all (mgr, SIGTERM, &err) == 0, "kill_all: %s", err.msg);
  if (fz)
    CHECK (fz->ops->freeze (fz, true, &err) == 2,
           "kill_all thawed a paused container");
  size_t n = 0;
  char **dirs = dirs_of (mgr, false, &n);
  CHECK (cgroup_destroy (mgr, &err) == 0, "destroy: %s", err.msg);
  int sig = reap (pid);
  CHECK (sig == SIGTERM || sig == SIGKILL, "paused child: signal %d", sig);
  check_gone (dirs, n);
  free_dirs (dirs, n);
  cgroup_mgr_free (mgr);
}

/* A parent that existed before the container must survive its destroy. */
static void
test_shared_parent (void)
{
  struct cgroup_mgr *parent = make ("-shared", NULL);
  struct cgroup_mgr *child = parent ? make ("-shared/c", NULL) : NULL;
  if (child)
    {
      struct werr err = { 0 };
      for (size_t i = 0; i < child->n_hier; i++)
        CHECK (child->hier[i].created_top
                   && strcmp (child->hier[i].created_top, child->hier[i].path)
                          == 0,
               "only the leaf is ours: %s", child->hier[i].created_top);
      size_t n = 0;
      char **leaves = dirs_of (child, false, &n);
      CHECK (cgroup_destroy (child, &err) == 0, "destroy: %s", err.msg);
      check_gone (leaves, n);
      for (size_t i = 0; i < parent->n_hier; i++)
        CHECK (exists (parent->hier[i].path), "shared parent %s removed",
               parent->hier[i].path);
      free_dirs (leaves, n);
      cgroup_mgr_free (child);
    }
  if (parent)
    {
      struct werr err = { 0 };
      size_t n = 0;
      char **dirs = dirs_of (parent, false, &n);
      CHECK (cgroup_destroy (parent, &err) == 0, "destroy: %s", err.msg);
      check_gone (dirs, n);
      free_dirs (dirs, n);
      cgroup_mgr_free (parent);
    }
}

/* A failure half way leaves nothing behind: "cgroup.procs" exists as a file
 * in every hierarchy, so mkdir of .../cgroup.procs/x fails after the first
 * directory was made. */
static void
test_rollback (void)
{
  _cleanup_free_ char *path = xasprintf ("/%s-bad/cgroup.procs/x", prefix);
  struct cgroup_request req = { .id = "c", .cgroups_path = path };
  struct cgroup_mgr *mgr = NULL;
  struct werr err = { 0 };
  CHECK (cgroup_create (&req, &mgr, &err) < 0, "create %s must fail", path);
  cgroup_mgr_free (mgr);
  _cleanup_free_ char *name = xasprintf ("%s-bad", prefix);
  CHECK (count_leftovers (name) == 0, "rollback left %s behind", name);
}

/* Rootless without a delegated cgroup: an empty manager, every call a no-op. */
static void
test_rootless (void)
{
  pid_t pid = fork ();
  if (pid == 0)
    {
      if (setegid (65534) < 0 || seteuid (65534) < 0)
        _exit (2);
      _cleanup_free_ char *path = xasprintf ("/%s-rootless", prefix);
      struct cgroup_request req
          = { .id = "c", .cgroups_path = path, .rootless = true };
      struct cgroup_mgr *mgr = NULL;
      struct werr err = { 0 };
      pid_t *pids = NULL;
      size_t n = 1;
      if (cgroup_create (&req, &mgr, &err) < 0 || mgr == NULL
          || mgr->n_hier != 0 || cgroup_enter (mgr, getpid (), &err) < 0
          || cgroup_kill_all (mgr, SIGKILL, &err) < 0
          || cgroup_pids (mgr, &pids, &n, &err) < 0 || n != 0
          || cgroup_destroy (mgr, &err) < 0)
        {
          fprintf (stderr, "rootless: %s\n", err.msg);
          _exit (1);
        }
      _exit (0);
    }
  int status = 0;
  waitpid (pid, &status, 0);
  CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0,
         "rootless child status %d", status);
}

static void
test_systemd (void)
{
  if (exists ("/run/systemd/system"))
    return;
  struct cgroup_request req = { .id = "c", .systemd = true };
  struct cgroup_mgr *mgr = NULL;
  struct werr err = { 0 };
  CHECK (cgroup_create (&req, &mgr, &err) < 0
             && strstr (err.msg, "systemd is not running"),
         "systemd: %s", err.msg);
}

int
main (void)
{
  snprintf (prefix, sizeof prefix, "ward-test-%d", (int) getpid ());
  test_paths ();
  test_load_validation ();
  if (geteuid () != 0)
    {
      fprintf (stderr, "cgroup tests that need root skipped\n");
      printf ("%d passed, %d failed, 1 skipped\n", passed, failed);
      return failed ? 1 : 77;
    }
  atexit (cleanup_leftovers);
  enum cgroup_mode mode;
  struct werr err = { 0 };
  CHECK (cgroup_detect_mode (&mode, &err) == 0, "detect: %s", err.msg);
  test_lifecycle ();
  test_paused ();
  test_shared_parent ();
  test_rollback ();
  test_rootless ();
  test_systemd ();
  printf ("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
