/* ward — what the container's process is exec'd with: the executable found
 * in the container's PATH, and its environment. */
#include "process_env.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utils.h"
#include "ward/cleanup.h"

#define DEFAULT_PATH                                                           \
  "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *
env_get (char *const *env, const char *name)
{
  size_t len = strlen (name);
  for (size_t i = 0; env && env[i]; i++)
    if (strncmp (env[i], name, len) == 0 && env[i][len] == '=')
      return env[i] + len + 1;
  return NULL;
}

static bool
is_executable_file (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0 && S_ISREG (st.st_mode)
         && access (path, X_OK) == 0;
}

/* The executable of process.args[0], looked up in the container's PATH. */
char *
process_find_executable (const struct oci_process *p, struct werr *err)
{
  const char *arg0 = p->args.v[0];
  if (strchr (arg0, '/'))
    {
      if (!is_executable_file (arg0))
        {
          werr_set (err, errno ? errno : EACCES, "exec `%s`", arg0);
          return NULL;
        }
      return xstrdup (arg0);
    }
  const char *path = env_get (p->env.v, "PATH");
  _cleanup_free_ char *dirs = xstrdup (path ? path : DEFAULT_PATH);
  char *save = NULL;
  for (char *d = strtok_r (dirs, ":", &save); d;
       d = strtok_r (NULL, ":", &save))
    {
      char *cand = xasprintf ("%s/%s", *d ? d : ".", arg0);
      if (is_executable_file (cand))
        return cand;
      free (cand);
    }
  werr_set (err, 0, "exec `%s`: executable file not found in $PATH", arg0);
  err->errnum = ENOENT;
  return NULL;
}

/* process.env, plus HOME from the container's /etc/passwd when missing (as
 * runc does), plus LISTEN_FDS/LISTEN_PID when socket activation is passed. */
char **
process_build_env (const struct oci_process *p, int listen_fds)
{
  size_t n = p->env.n;
  char **env = xmalloc0 ((n + 5) * sizeof *env);
  for (size_t i = 0; i < n; i++)
    env[i] = p->env.v[i];
  if (env_get (p->env.v, "HOME") == NULL)
    {
      const char *home = "/";
      _cleanup_fclose_ FILE *f = fopen ("/etc/passwd", "re");
      char line[1024];
      while (f && fgets (line, sizeof line, f))
        {
          char *fields[7] = { 0 };
          char *save = NULL, *s = line;
          for (int k = 0; k < 7 && (fields[k] = strtok_r (s, ":\n", &save));
               k++)
            s = NULL;
          if (fields[2] && fields[5]
              && (uint32_t) atol (fields[2]) == p->user.uid)
            {
              home = xstrdup (fields[5]);
              break;
            }
        }
      env[n++] = xasprintf ("HOME=%s", home);
    }
  if (listen_fds > 0)
    {
      env[n++] = xasprintf ("LISTEN_FDS=%d", listen_fds);
      env[n++] = xasprintf ("LISTEN_PID=%d", (int) getpid ());
    }
  return env;
}
