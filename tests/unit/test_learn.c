/* Unit tests: the learning mode's path rules (learn_paths.c) — what a use
 * asks for, what the policy and the baseline already give, collapsing —
 * and the learning bundle's linux.seccomp (learn_bundle.c).  (The listener
 * is tested by bats/policy_learn.bats.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "learn.h"
#include "unit.h"
#include "utils.h"
#include "ward/cleanup.h"
#include "ward/json.h"

/* Everything exists but what is listed in `data` (NULL-terminated). */
static bool
exists_but (const char *path, void *data)
{
  for (const char *const *p = data; p && *p; p++)
    if (strcmp (*p, path) == 0)
      return false;
  return true;
}

static struct agent_policy *
policy (const char *doc)
{
  struct agent_policy *p = NULL;
  struct werr err = { 0 };
  if (mxc_parse (doc, strlen (doc), NULL, &p, &err) < 0)
    fprintf (stderr, "policy: %s\n", err.msg);
  return p;
}

static const struct learn_grant *
find (const struct learn_fs *fs, const char *path)
{
  for (size_t i = 0; i < fs->n; i++)
    if (strcmp (fs->grants[i].path, path) == 0)
      return &fs->grants[i];
  return NULL;
}

static void
test_use_names (void)
{
  CHECK_STR_EQ (learn_use_name (LEARN_CREATE), "create");
  CHECK_INT_EQ (learn_use_from_name ("remove"), LEARN_REMOVE);
  CHECK_INT_EQ (learn_use_from_name ("exec"), LEARN_EXEC);
  CHECK_INT_EQ (learn_use_from_name ("bogus"), -1);
  CHECK_INT_EQ (learn_use_from_name (NULL), -1);
}

static void
test_one_grant_each (void)
{
  const struct learn_seen seen[] = {
    { "/data/in/a.txt", LEARN_READ }, { "/data/out/new.txt", LEARN_CREATE },
    { "/opt/tools/run", LEARN_EXEC }, { "/data/log/app.log", LEARN_WRITE },
    { "/data/old/x", LEARN_REMOVE },
  };
  struct learn_fs fs;
  learn_fs_compute (seen, ARRAY_SIZE (seen), NULL, exists_but, NULL, &fs);
  CHECK_INT_EQ (fs.n, 5);
  const struct learn_grant *g;
  CHECK ((g = find (&fs, "/data/in/a.txt")) && g->access == POL_FS_RO);
  CHECK ((g = find (&fs, "/data/out")) && g->access == POL_FS_RW);
  CHECK ((g = find (&fs, "/opt/tools/run")) && g->access == POL_FS_RO);
  CHECK ((g = find (&fs, "/data/log/app.log")) && g->access == POL_FS_RW);
  CHECK ((g = find (&fs, "/data/old")) && g->access == POL_FS_RW);
  CHECK (find (&fs, "/data/out/new.txt") == NULL);
  /* sorted */
  for (size_t i = 1; i < fs.n; i++)
    CHECK (strcmp (fs.grants[i - 1].path, fs.grants[i].path) < 0);
  CHECK_INT_EQ (fs.n_refused, 0);
  learn_fs_clear (&fs);
}

static void
test_dropped (void)
{
  static const char *const gone[] = { "/data/missing", NULL };
  const struct learn_seen seen[] = {
    { "/proc/self/status", LEARN_READ },
    { "/sys/kernel/x", LEARN_READ },
    { "/dev/null", LEARN_WRITE },
    { "/dev/shm/f", LEARN_CREATE },
    { "/usr/lib/libc.so.6", LEARN_READ },
    { "/etc/passwd", LEARN_READ },
    { "/bin/sh", LEARN_EXEC },
    { "/tmp/scratch", LEARN_CREATE },
    { "/tmp/scratch", LEARN_REMOVE },
    { "/", LEARN_READ },
    { "/topfile", LEARN_CREATE },
    { "/data/missing", LEARN_READ },
    { "relative/path", LEARN_READ },
  };
  struct learn_fs fs;
  learn_fs_compute (seen, ARRAY_SIZE (seen), NULL, exists_but, (void *) gone,
                    &fs);
  CHECK_INT_EQ (fs.n, 0);
  CHECK_INT_EQ (fs.n_refused, 0);
  learn_fs_clear (&fs);
}

static void
test_policy_covers_and_denies (void)
{
  struct agent_policy *p = policy (
      "{\"filesystem\": {\"readonlyPaths\": [\"/data\"], "
      "\"readwritePaths\": [\"/work\"], \"deniedPaths\": [\"/data/secret\"]}}");
  CHECK (p != NULL);
  const struct learn_seen seen[] = {
    { "/data/a", LEARN_READ },          /* the policy reads it */
    { "/data/b", LEARN_WRITE },         /* more than it allows */
    { "/work/x/y", LEARN_CREATE },      /* read-write */
    { "/data/secret/k", LEARN_READ },   /* denied */
    { "/etc/motd", LEARN_WRITE },       /* a system directory */
    { "/usr/local/bin/t", LEARN_EXEC }, /* not one */
  };
  struct learn_fs fs;
  learn_fs_compute (seen, ARRAY_SIZE (seen), p, exists_but, NULL, &fs);
  CHECK_INT_EQ (fs.n, 2);
  const struct learn_grant *g;
  CHECK ((g = find (&fs, "/data/b")) && g->access == POL_FS_RW);
  CHECK ((g = find (&fs, "/usr/local/bin/t")) && g->access == POL_FS_RO);
  CHECK_INT_EQ (fs.n_refused, 2);
  CHECK (fs.n_refused == 2 && strcmp (fs.refused[0], "/data/secret/k") == 0
         && strcmp (fs.refused[1], "/etc/motd") == 0);
  learn_fs_clear (&fs);
  agent_policy_free (p);
}

static void
test_subsume (void)
{
  const struct learn_seen seen[] = {
    { "/srv/app/conf", LEARN_READ }, { "/srv/app/new", LEARN_CREATE },
    { "/srv/app/new", LEARN_READ },  { "/srv/app/sub/f", LEARN_WRITE },
    { "/srv/app/conf", LEARN_READ }, { "/srv/other/f", LEARN_READ },
    { "/srv/other/f", LEARN_WRITE },
  };
  struct learn_fs fs;
  learn_fs_compute (seen, ARRAY_SIZE (seen), NULL, exists_but, NULL, &fs);
  /* /srv/app read-write covers everything below; /srv/other/f: the wider */
  CHECK_INT_EQ (fs.n, 2);
  const struct learn_grant *g;
  CHECK ((g = find (&fs, "/srv/app")) && g->access == POL_FS_RW);
  CHECK ((g = find (&fs, "/srv/other/f")) && g->access == POL_FS_RW);
  learn_fs_clear (&fs);
}

static void
test_collapse (void)
{
  const struct learn_seen seen[] = {
    { "/home/u/src/a.c", LEARN_READ },    { "/home/u/src/b.c", LEARN_READ },
    { "/home/u/src/c.c", LEARN_READ },    { "/home/u/src/d.c", LEARN_READ },
    { "/home/u/src/out.o", LEARN_WRITE }, /* stays: read-write */
    { "/home/u/lib/x", LEARN_READ },      { "/home/u/lib/y", LEARN_READ },
    { "/home/u/lib/z", LEARN_READ }, /* three: no collapse */
  };
  struct learn_fs fs;
  learn_fs_compute (seen, ARRAY_SIZE (seen), NULL, exists_but, NULL, &fs);
  const struct learn_grant *g;
  CHECK ((g = find (&fs, "/home/u/src")) && g->access == POL_FS_RO);
  CHECK ((g = find (&fs, "/home/u/src/out.o")) && g->access == POL_FS_RW);
  CHECK (find (&fs, "/home/u/src/a.c") == NULL);
  CHECK (find (&fs, "/home/u/lib/x") && find (&fs, "/home/u/lib/y")
         && find (&fs, "/home/u/lib/z"));
  CHECK (find (&fs, "/home/u/lib") == NULL);
  CHECK_INT_EQ (fs.n, 5);
  learn_fs_clear (&fs);

  /* upwards, but never into a top-level directory */
  const struct learn_seen deep[] = {
    { "/home/a/1", LEARN_READ }, { "/home/a/2", LEARN_READ },
    { "/home/a/3", LEARN_READ }, { "/home/a/4", LEARN_READ },
    { "/home/b/1", LEARN_READ }, { "/home/b/2", LEARN_READ },
    { "/home/b/3", LEARN_READ }, { "/home/b/4", LEARN_READ },
    { "/home/c/1", LEARN_READ }, { "/home/c/2", LEARN_READ },
    { "/home/c/3", LEARN_READ }, { "/home/c/4", LEARN_READ },
    { "/home/d/1", LEARN_READ }, { "/home/d/2", LEARN_READ },
    { "/home/d/3", LEARN_READ }, { "/home/d/4", LEARN_READ },
  };
  learn_fs_compute (deep, ARRAY_SIZE (deep), NULL, exists_but, NULL, &fs);
  CHECK_INT_EQ (fs.n, 4);
  CHECK (find (&fs, "/home/a") && find (&fs, "/home/d"));
  CHECK (find (&fs, "/home") == NULL);
  learn_fs_clear (&fs);

  /* four directories of four: each collapses, then their parent */
  struct learn_seen nested[16];
  char names[16][16];
  for (int i = 0; i < 16; i++)
    {
      snprintf (names[i], sizeof names[i], "/w/p/%c/%d", 'a' + i / 4, i % 4);
      nested[i] = (struct learn_seen){ names[i], LEARN_READ };
    }
  learn_fs_compute (nested, ARRAY_SIZE (nested), NULL, exists_but, NULL, &fs);
  CHECK_INT_EQ (fs.n, 1);
  CHECK (find (&fs, "/w/p") != NULL);
  learn_fs_clear (&fs);
}

static void
test_collapse_not_into_denied (void)
{
  struct agent_policy *p
      = policy ("{\"filesystem\": {\"deniedPaths\": [\"/srv/vault\"]}}");
  const struct learn_seen seen[] = {
    { "/srv/vault/a", LEARN_READ }, { "/srv/x/1", LEARN_READ },
    { "/srv/x/2", LEARN_READ },     { "/srv/x/3", LEARN_READ },
    { "/srv/x/4", LEARN_READ },
  };
  struct learn_fs fs;
  learn_fs_compute (seen, ARRAY_SIZE (seen), p, exists_but, NULL, &fs);
  CHECK_INT_EQ (fs.n, 1);
  CHECK (find (&fs, "/srv/x") != NULL);
  CHECK_INT_EQ (fs.n_refused, 1);
  learn_fs_clear (&fs);
  agent_policy_free (p);
}

static void
test_tmp_stays_writable (void)
{
  const struct learn_seen only_read[] = {
    { "/tmp/host/in.txt", LEARN_READ },
  };
  struct learn_fs fs;
  learn_fs_compute (only_read, 1, NULL, exists_but, NULL, &fs);
  CHECK (fs.n == 1 && fs.grants[0].access == POL_FS_RO);
  learn_fs_clear (&fs);
  const struct learn_seen also_tmp[] = {
    { "/tmp/host/in.txt", LEARN_READ },
    { "/tmp/scratch.1", LEARN_CREATE },
    { "/var/x", LEARN_READ },
  };
  learn_fs_compute (also_tmp, 3, NULL, exists_but, NULL, &fs);
  const struct learn_grant *g;
  CHECK_INT_EQ (fs.n, 2);
  CHECK ((g = find (&fs, "/tmp/host/in.txt")) && g->access == POL_FS_RW);
  CHECK ((g = find (&fs, "/var/x")) && g->access == POL_FS_RO);
  learn_fs_clear (&fs);
}

static void
test_syscalls_known (void)
{
  size_t n = 0;
  for (; learn_syscalls[n]; n++)
    if (!CHECK (learn_syscall_nr (learn_syscalls[n]) >= 0))
      fprintf (stderr, "     unknown: %s\n", learn_syscalls[n]);
  CHECK (n >= 20);
  CHECK_INT_EQ (learn_syscall_nr ("no_such_syscall"), -1);
  CHECK (learn_native_arch () != 0);
}

static void
test_system_dir (void)
{
  CHECK (learn_in_system_dir ("/usr/lib/x"));
  CHECK (learn_in_system_dir ("/etc"));
  CHECK (!learn_in_system_dir ("/usr/local/bin"));
  CHECK (!learn_in_system_dir ("/etcetera"));
}

static void
test_bundle_amend (void)
{
  char dir[] = "/tmp/ward-test-learn-XXXXXX";
  CHECK (mkdtemp (dir) != NULL);
  _cleanup_free_ char *cfg = xasprintf ("%s/config.json", dir);
  FILE *f = fopen (cfg, "w");
  fputs ("{\"ociVersion\": \"1.2.0\", \"process\": {\"args\": [\"sh\"], "
         "\"terminal\": false, \"user\": {\"uid\": 0}}, "
         "\"linux\": {\"namespaces\": [{\"type\": \"pid\"}]}, "
         "\"annotations\": {\"a\": \"b\"}}",
         f);
  fclose (f);
  struct werr err = { 0 };
  CHECK_INT_EQ (learn_bundle_amend (dir, "/run/x.sock", &err), 0);
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  CHECK (read_file (cfg, &data, &len, &err) == 0);
  struct jnode *root = data ? jnode_parse (data, len, &err) : NULL;
  CHECK (root != NULL);
  const struct jnode *linux_ = root ? jnode_get (root, "linux") : NULL;
  const struct jnode *sc = linux_ ? jnode_get (linux_, "seccomp") : NULL;
  CHECK (sc != NULL);
  if (sc)
    {
      CHECK_STR_EQ (jnode_str (jnode_get (sc, "listenerPath")), "/run/x.sock");
      CHECK_STR_EQ (jnode_str (jnode_get (sc, "defaultAction")),
                    "SCMP_ACT_ALLOW");
      const struct jnode *r = jnode_at (jnode_get (sc, "syscalls"), 0);
      CHECK_STR_EQ (jnode_str (jnode_get (r, "action")), "SCMP_ACT_NOTIFY");
      CHECK_STR_EQ (jnode_str (jnode_at (jnode_get (r, "names"), 0)),
                    learn_syscalls[0]);
    }
  CHECK (root && jnode_get (linux_, "namespaces") != NULL);
  CHECK (root
         && jnode_is_true (jnode_get (jnode_get (root, "process"), "terminal"))
                == false);
  CHECK (
      root
      && strcmp (jnode_str (jnode_get (jnode_get (root, "annotations"), "a")),
                 "b")
             == 0);
  jnode_free (root);
  /* a bundle that has its own filter cannot learn paths */
  CHECK_INT_EQ (learn_bundle_amend (dir, "/run/x.sock", &err), -1);
  CHECK (strstr (err.msg, "one seccomp listener only") != NULL);
  unlink (cfg);
  rmdir (dir);
}

int
main (void)
{
  RUN (test_use_names);
  RUN (test_one_grant_each);
  RUN (test_dropped);
  RUN (test_policy_covers_and_denies);
  RUN (test_subsume);
  RUN (test_collapse);
  RUN (test_collapse_not_into_denied);
  RUN (test_tmp_stays_writable);
  RUN (test_syscalls_known);
  RUN (test_system_dir);
  RUN (test_bundle_amend);
  return unit_report ();
}
