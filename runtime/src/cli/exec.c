/* ward exec — run a new process in a running container. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "exec.h"
#include "utils.h"
#include "ward/cleanup.h"

static int
parse_user (const char *s, struct exec_overrides *ov, struct werr *err)
{
  _cleanup_free_ char *copy = xstrdup (s);
  char *colon = strchr (copy, ':');
  if (colon)
    *colon = '\0';
  int uid = parse_uint (copy), gid = colon ? parse_uint (colon + 1) : 0;
  if (uid < 0 || gid < 0)
    return werr_set (
        err, 0, "exec: --user: expected UID[:GID] (numbers), got \"%s\"", s);
  ov->has_user = true;
  ov->uid = (uint32_t) uid;
  ov->has_gid = colon != NULL;
  ov->gid = (uint32_t) gid;
  return 0;
}

/* --additional-gids 1,2 and repeated flags. */
static void
split_commas (struct str_list *l)
{
  struct str_list out = { 0 };
  for (int i = 0; i < l->n; i++)
    {
      char *copy = xstrdup (l->v[i]), *save = NULL;
      for (char *t = strtok_r (copy, ",", &save); t;
           t = strtok_r (NULL, ",", &save))
        {
          out.v = realloc (out.v, sizeof *out.v * (size_t) (out.n + 1));
          out.v[out.n++] = t;
        }
    }
  free (l->v);
  *l = out;
}

int
cmd_exec (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  struct exec_opts o = { .root = g->root };
  struct exec_overrides ov = { 0 };
  struct str_list env = { 0 }, caps = { 0 }, gids = { 0 };
  const char *user = NULL, *cgroup = NULL;
  const struct opt_def defs[] = {
    { "process", 'p', OPT_STRING, &o.process_file, "FILE",
      "the process as runtime-spec JSON (other process flags are ignored)" },
    { "tty", 't', OPT_BOOL, &ov.tty, NULL, "allocate a pseudo-terminal" },
    { "detach", 'd', OPT_BOOL, &o.detach, NULL, "do not wait for the process" },
    { "pid-file", 0, OPT_STRING, &o.pid_file, "FILE",
      "write the process's pid to FILE" },
    { "console-socket", 0, OPT_STRING, &o.console_socket, "SOCKET",
      "unix socket that receives the pty master" },
    { "pidfd-socket", 0, OPT_STRING, &o.pidfd_socket, "SOCKET",
      "unix socket that receives a pidfd of the process" },
    { "cwd", 0, OPT_STRING, &ov.cwd, "DIR",
      "working directory in the container" },
    { "env", 'e', OPT_STRING_LIST, &env, "KEY=VALUE",
      "set an environment variable (repeatable)" },
    { "user", 'u', OPT_STRING, &user, "UID[:GID]", "user and group to run as" },
    { "additional-gids", 'g', OPT_STRING_LIST, &gids, "GID",
      "additional group (repeatable, or comma-separated)" },
    { "cap", 'c', OPT_STRING_LIST, &caps, "CAP",
      "add a capability (repeatable)" },
    { "no-new-privs", 0, OPT_BOOL, &ov.no_new_privs, NULL,
      "set no_new_privileges" },
    { "preserve-fds", 0, OPT_INT, &o.preserve_fds, "N",
      "pass N extra fds (3..3+N-1)" },
    { "process-label", 0, OPT_STRING, &ov.process_label, "LABEL",
      "SELinux label of the process" },
    { "apparmor", 0, OPT_STRING, &ov.apparmor, "PROFILE",
      "AppArmor profile of the process" },
    { "ignore-paused", 0, OPT_BOOL, &o.ignore_paused, NULL,
      "exec even if the container is paused" },
    { "cgroup", 0, OPT_STRING, &cgroup, "PATH",
      "sub-cgroup to run in (not supported)" },
    { 0 },
  };
  static const struct cli_usage usage = {
    "exec",
    "ward exec [options] CONTAINER_ID [COMMAND [ARG...]]",
    "Run a new process inside a running container.",
    -1,
    NULL,
  };
  int first = cli_begin (&usage, defs, argc, argv, err);
  if (first <= 0)
    return first < 0;
  if (first >= argc)
    return werr_set (err, 0, "exec: missing container id"), 1;
  if (cgroup)
    return werr_set (err, 0, "exec: --cgroup: sub-cgroups are not supported"),
           1;
  o.id = argv[first];
  if (o.process_file == NULL && first + 1 >= argc)
    return werr_set (err, 0, "exec: missing command (or --process FILE)"), 1;
  if (user && parse_user (user, &ov, err) < 0)
    return 1;
  split_commas (&gids);
  ov.args = argv + first + 1;
  ov.nargs = argc - first - 1;
  ov.env = env.v;
  ov.nenv = env.n;
  ov.caps = caps.v;
  ov.ncaps = caps.n;
  ov.additional_gids = gids.v;
  ov.n_additional_gids = gids.n;
  o.ov = &ov;
  int status = 0;
  int r = container_exec (&o, &status, err);
  free (env.v);
  free (caps.v);
  free (gids.v);
  return r < 0 ? 1 : status;
}
