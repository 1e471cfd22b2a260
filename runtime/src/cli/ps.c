/* ward ps — the processes of a container: `--format json` prints the pids
 * in its cgroup; the table runs ps(1) with the given arguments (default
 * -ef) and keeps the header and the container's rows, as runc. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "container_cgroup.h"
#include "utils.h"
#include "ward/cleanup.h"
#include "ward/json.h"

static int
print_json (const pid_t *pids, size_t n, struct werr *err)
{
  struct jw *w = jw_new (false);
  jw_arr_open (w);
  for (size_t i = 0; i < n; i++)
    jw_int (w, pids[i]);
  jw_arr_close (w);
  _cleanup_free_ char *out = NULL;
  size_t len = 0;
  if (jw_finish (w, &out, &len) < 0)
    return werr_set (err, EINVAL, "ps: encode JSON");
  printf ("%s\n", out);
  return 0;
}

/* ps(1)'s stdout and stderr together (runc shows both when it fails). */
static int
run_ps (char **args, char **out, struct werr *err)
{
  int fds[2];
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return werr_set (err, errno, "ps: pipe");
  pid_t pid = fork ();
  if (pid < 0)
    {
      close (fds[0]);
      close (fds[1]);
      return werr_set (err, errno, "ps: fork");
    }
  if (pid == 0)
    {
      dup2 (fds[1], STDOUT_FILENO);
      dup2 (fds[1], STDERR_FILENO);
      execvp ("ps", args);
      fprintf (stderr, "exec ps: %s\n", strerror (errno));
      _exit (127);
    }
  close (fds[1]);
  size_t len = 0, cap = 4096;
  char *buf = xmalloc0 (cap);
  for (ssize_t r; (r = read (fds[0], buf + len, cap - len - 1)) != 0;)
    {
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        break;
      len += (size_t) r;
      if (cap - len < 2)
        {
          buf = realloc (buf, cap *= 2);
          if (buf == NULL)
            abort ();
        }
    }
  buf[len] = '\0';
  close (fds[0]);
  int status = 0;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      buf[strcspn (buf, "\n")] = '\0';
      werr_set (err, 0, "ps: `ps` failed (status %d): %s",
                WIFEXITED (status) ? WEXITSTATUS (status)
                                   : 128 + WTERMSIG (status),
                buf);
      free (buf);
      return -1;
    }
  *out = buf;
  return 0;
}

/* The index of the PID column in ps's header. */
static int
pid_column (const char *header)
{
  _cleanup_free_ char *copy = xstrdup (header);
  int i = 0;
  for (char *save = NULL, *f = strtok_r (copy, " \t", &save); f;
       f = strtok_r (NULL, " \t", &save), i++)
    if (strcmp (f, "PID") == 0)
      return i;
  return -1;
}

static bool
has_pid (const pid_t *pids, size_t n, long pid)
{
  for (size_t i = 0; i < n; i++)
    if (pids[i] == pid)
      return true;
  return false;
}

static int
print_table (char **ps_args, int n_args, const pid_t *pids, size_t n,
             struct werr *err)
{
  _cleanup_free_ char **args = xmalloc0 ((size_t) (n_args + 3) * sizeof *args);
  args[0] = (char *) "ps";
  if (n_args == 0)
    args[1] = (char *) "-ef";
  for (int i = 0; i < n_args; i++)
    args[i + 1] = ps_args[i];
  _cleanup_free_ char *out = NULL;
  if (run_ps (args, &out, err) < 0)
    return -1;
  char *save = NULL, *line = strtok_r (out, "\n", &save);
  int col = line ? pid_column (line) : -1;
  if (col < 0)
    return werr_set (err, 0, "ps: couldn't find PID field in ps output");
  printf ("%s\n", line);
  while ((line = strtok_r (NULL, "\n", &save)))
    {
      _cleanup_free_ char *copy = xstrdup (line);
      char *s2 = NULL, *f = strtok_r (copy, " \t", &s2);
      for (int i = 0; f && i < col; i++)
        f = strtok_r (NULL, " \t", &s2);
      char *end;
      long pid = f ? strtol (f, &end, 10) : 0;
      if (f == NULL || *end != '\0')
        return werr_set (err, 0, "ps: unable to parse pid from \"%s\"", line);
      if (has_pid (pids, n, pid))
        printf ("%s\n", line);
    }
  return 0;
}

int
cmd_ps (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  const char *format = "table";
  const struct opt_def defs[] = {
    { "format", 'f', OPT_STRING, &format, "table|json", "output format" },
    { 0 },
  };
  static const struct cli_usage usage = {
    "ps",
    "ward ps [options] CONTAINER_ID [ps options]",
    "List the container's processes (the pids of its cgroup); the table "
    "comes from ps(1), default -ef.",
    -1,
    NULL,
  };
  int first = cli_begin (&usage, defs, argc, argv, err);
  if (first <= 0)
    return first < 0;
  if (first >= argc)
    return werr_set (err, 0, "ps: missing container id"), 1;
  bool json = strcmp (format, "json") == 0;
  if (!json && strcmp (format, "table") != 0)
    return werr_set (err, 0,
                     "ps: --format: unknown format \"%s\" (table or json)",
                     format),
           1;
  pid_t *pids = NULL;
  size_t n = 0;
  if (container_pids (g->root, argv[first], &pids, &n, err) < 0)
    return 1;
  int r = json ? print_json (pids, n, err)
               : print_table (argv + first + 1, argc - first - 1, pids, n, err);
  free (pids);
  return r < 0 ? 1 : 0;
}
