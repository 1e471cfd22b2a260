/* spawn RESULT-FILE COMMAND [ARG...]: run COMMAND once and write
   "WALL_NS USER_US SYS_US MAXRSS_KIB STATUS" to RESULT-FILE.
   A separate small program rather than Python's own spawn: a child forked
   from a large process starts with that process's resident set, and the
   kernel's ru_maxrss would report it instead of the runtime's.  */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  struct timespec t0, t1;
  struct rusage ru;
  int status;
  pid_t pid;
  FILE *out;

  if (argc < 3)
    {
      fprintf (stderr, "usage: %s RESULT-FILE COMMAND [ARG...]\n", argv[0]);
      return 2;
    }
  clock_gettime (CLOCK_MONOTONIC, &t0);
  pid = fork ();
  if (pid < 0)
    {
      perror ("fork");
      return 2;
    }
  if (pid == 0)
    {
      execvp (argv[2], argv + 2);
      perror (argv[2]);
      _exit (127);
    }
  if (wait4 (pid, &status, 0, &ru) < 0)
    {
      perror ("wait4");
      return 2;
    }
  clock_gettime (CLOCK_MONOTONIC, &t1);
  out = fopen (argv[1], "we");
  if (out == NULL)
    {
      perror (argv[1]);
      return 2;
    }
  fprintf (out, "%lld %lld %lld %ld %d\n",
           (long long) (t1.tv_sec - t0.tv_sec) * 1000000000LL
               + (t1.tv_nsec - t0.tv_nsec),
           (long long) ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
           (long long) ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec,
           ru.ru_maxrss,
           WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
  return fclose (out) == 0 ? 0 : 2;
}
