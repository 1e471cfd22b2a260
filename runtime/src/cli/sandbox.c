/* ward sandbox — run a host command under an agent policy, with no image.
 *
 *   ward sandbox [--config FILE | --profile NAME] [--agent NAME]
 *                [--learn FILE] [-- CMD…]
 *
 * An ephemeral bundle (runtime/src/policy/sandbox_bundle.c) goes through
 * the same create/start path as any container; the command's exit status
 * is returned and everything is removed afterwards.  Without CMD, the
 * policy's process.commandLine runs under /bin/sh -c, as MXC's launcher
 * runs it. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../policy/learn.h"
#include "../policy/plan.h"
#include "../policy/policy.h"
#include "../policy/sandbox.h"
#include "cli.h"
#include "container.h"
#include "utils.h"
#include "ward/cleanup.h"

#define SANDBOX_PATH                                                           \
  "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int
rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) st;
  (void) ftw;
  if (flag == FTW_DP)
    rmdir (path);
  else
    unlink (path);
  return 0;
}

static void
remove_tree (const char *dir)
{
  nftw (dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* The caller's directory when the sandbox can see it, else "/". */
static char *
choose_cwd (const struct agent_policy *p)
{
  if (p->cwd)
    return xstrdup (p->cwd);
  char here[4096];
  if (getcwd (here, sizeof here) == NULL)
    return xstrdup ("/");
  for (size_t i = 0; i < p->n_fs; i++)
    if (p->fs[i].access != POL_FS_DENY && strcmp (p->fs[i].path, "/") != 0
        && pol_path_under (here, p->fs[i].path))
      return xstrdup (here);
  return xstrdup ("/");
}

static void
env_put (char ***v, size_t *n, char *kv)
{
  size_t klen = strcspn (kv, "=");
  for (size_t i = 0; i < *n; i++)
    if (strncmp ((*v)[i], kv, klen + 1) == 0)
      {
        free ((*v)[i]);
        (*v)[i] = kv;
        return;
      }
  *v = realloc (*v, (*n + 2) * sizeof **v);
  if (*v == NULL)
    abort ();
  (*v)[(*n)++] = kv;
  (*v)[*n] = NULL;
}

/* A clean environment: PATH, TERM, HOME, then the policy's. */
static void
build_env (const struct agent_policy *p, const char *cwd, char ***env,
           size_t *n)
{
  const char *term = getenv ("TERM");
  env_put (env, n, xstrdup ("PATH=" SANDBOX_PATH));
  env_put (env, n, xasprintf ("TERM=%s", term && *term ? term : "xterm"));
  env_put (env, n, xasprintf ("HOME=%s", cwd));
  for (size_t i = 0; i < p->n_env; i++)
    env_put (env, n, xstrdup (p->env[i]));
}

/* --learn: the policy the run's audit stream asks for, written to `out`;
 * the paths come from a listener on `sock` (learn_listen.c). */
struct learn
{
  const char *out;
  const struct agent_policy *policy;
  const char *agent;
  const char *sock;
};

static int
run_bundle (struct global_opts *g, const char *dir, const char *id,
            const struct learn *learn, struct werr *err)
{
  struct create_opts o = { .root = g->root,
                           .id = id,
                           .bundle = dir,
                           .systemd_cgroup = g->systemd_cgroup,
                           .foreground = true };
  struct created c;
  struct learn_listener *listener = NULL;
  if (learn->out)
    {
      /* Learning observes; it must not pass for confinement. */
      fprintf (stderr, "ward: warning: --learn confines nothing: the command "
                       "sees most host directories writable and the network "
                       "open, and everything it does is recorded\n");
      _cleanup_free_ char *state = xasprintf ("%s/%s", g->root, id);
      if (learn_listener_start (learn->sock, state, id,
                                learn->agent ? learn->agent : id, &listener,
                                err)
          < 0)
        return 1;
    }
  if (container_create (&o, &c, err) < 0)
    {
      learn_listener_stop (listener, false);
      return 1;
    }
  struct werr later = { 0 };
  int status = 1;
  if (container_start (g->root, id, err) < 0)
    status = -1;
  else if (container_wait (c.pid, c.console_master, &status, &later) < 0)
    fprintf (stderr, "ward: %s\n", later.msg);
  /* The command is gone: the listener writes what is pending and ends. */
  if (status >= 0)
    {
      learn_listener_stop (listener, true);
      listener = NULL;
    }
  if (learn->out && status >= 0
      && policy_learn_write (g->root, id, learn->policy, learn->out, &later)
             < 0)
    fprintf (stderr, "ward: %s\n", later.msg);
  if (container_delete (g->root, id, true, &later) < 0)
    fprintf (stderr, "ward: %s\n", later.msg);
  learn_listener_stop (listener, false);
  return status < 0 ? 1 : status;
}

static int
write_learn_doc (const struct agent_policy *p, const char *path,
                 struct werr *err)
{
  _cleanup_free_ char *json = NULL;
  if (policy_learn_document (p, &json, err) < 0)
    return -1;
  _cleanup_close_ int fd
      = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0 || write_all (fd, json, strlen (json)) < 0)
    return werr_set (err, errno, "sandbox: write `%s`", path);
  return 0;
}

int
cmd_sandbox (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  const char *config = NULL, *profile = NULL, *agent = NULL, *learn = NULL;
  const struct opt_def defs[] = {
    { "config", 'c', OPT_STRING, &config, "FILE",
      "the policy (an MXC configuration)" },
    { "profile", 'p', OPT_STRING, &profile, "NAME",
      "a built-in profile (the base of --config)" },
    { "agent", 0, OPT_STRING, &agent, "NAME", "the agent's name" },
    { "learn", 0, OPT_STRING, &learn, "FILE",
      "run in audit mode, without egress rules and with the host's "
      "directories in view, and write to FILE the smallest policy (egress "
      "and paths) that allows what the command did" },
    { 0 },
  };
  static const struct cli_usage usage = {
    "sandbox",
    "ward sandbox [--config FILE | --profile NAME] [--agent NAME] [-- CMD…]",
    "Run a host command under an agent policy, in a read-only, deny-by-default "
    "view of the host's system directories plus the policy's paths.",
    -1,
    "",
  };
  int first = cli_begin (&usage, defs, argc, argv, err);
  if (first <= 0)
    return first < 0;
  if (geteuid () != 0)
    return werr_set (err, 0,
                     "sandbox: needs root (rootless sandboxes are not "
                     "implemented yet)"),
           1;
  _cleanup_free_ char *file = config ? realpath (config, NULL) : NULL;
  if (config && file == NULL)
    return werr_set (err, errno, "sandbox: --config `%s`", config), 1;
  struct policy_input in = { 0 };
  if (policy_input_from_file (file, profile, agent, &in, err) < 0)
    return 1;
  const struct agent_policy *p = in.policy;
  char *sh[] = { "/bin/sh", "-c", p->command_line, NULL };
  struct sandbox_request r = { .policy = p,
                               .policy_file = file,
                               .profile = profile,
                               .agent = agent,
                               .terminal = isatty (STDIN_FILENO) };
  if (first < argc)
    {
      r.argv = argv + first;
      r.argc = (size_t) (argc - first);
    }
  else if (p->command_line)
    {
      r.argv = sh;
      r.argc = 3;
    }
  else
    {
      policy_input_clear (&in);
      return werr_set (err, 0,
                       "sandbox: nothing to run (give -- CMD… or "
                       "process.commandLine in the policy)"),
             1;
    }
  /* Learning sees the host's directories, to learn the paths it uses. */
  struct agent_policy view;
  if (learn)
    {
      learn_view (p, &view);
      r.policy = &view;
    }
  _cleanup_free_ char *cwd = choose_cwd (r.policy);
  r.cwd = cwd;
  build_env (p, cwd, &r.env, &r.n_env);
  const char *tmp = getenv ("TMPDIR");
  _cleanup_free_ char *dir
      = xasprintf ("%s/ward-sandbox-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  int rc = 1;
  if (mkdtemp (dir) == NULL)
    werr_set (err, errno, "sandbox: mkdtemp `%s`", dir);
  else
    {
      _cleanup_free_ char *sock = xasprintf ("%s/learn.sock", dir);
      struct learn l = { .out = learn,
                         .policy = p,
                         .agent = agent ? agent : p->agent,
                         .sock = sock };
      _cleanup_free_ char *learn_doc
          = learn ? xasprintf ("%s.learn.json", dir) : NULL;
      if (learn_doc)
        r.policy_file = learn_doc;
      if ((learn_doc == NULL || write_learn_doc (p, learn_doc, err) == 0)
          && sandbox_write_bundle (&r, dir, err) == 0
          && (learn == NULL || learn_bundle_amend (dir, sock, err) == 0))
        rc = run_bundle (g, dir, strrchr (dir, '/') + 1, &l, err);
      if (learn_doc)
        unlink (learn_doc);
      remove_tree (dir);
    }
  for (size_t i = 0; i < r.n_env; i++)
    free (r.env[i]);
  free (r.env);
  if (learn)
    learn_view_clear (&view, p);
  policy_input_clear (&in);
  return rc;
}
