/* The pod sandbox process of ward's CRI tests: holds the pod's namespaces
   open and does nothing else.  Built statically by the tests
   (`cc -static -o pause pause.c`) so that the image needs no libraries.

   As PID 1 of a pod with a shared PID namespace it also reaps orphans;
   SIGINT and SIGTERM end it with status 0, as the kubelet expects when it
   stops a sandbox.  */

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void
on_term (int sig)
{
  (void) sig;
  _exit (0);
}

static void
on_child (int sig)
{
  (void) sig;
  while (waitpid (-1, NULL, WNOHANG) > 0)
    ;
}

static int
handle (int sig, void (*fn) (int))
{
  struct sigaction sa;

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = fn;
  sa.sa_flags = SA_RESTART | (sig == SIGCHLD ? SA_NOCLDSTOP : 0);
  sigemptyset (&sa.sa_mask);
  return sigaction (sig, &sa, NULL);
}

int
main (int argc, char **argv)
{
  if (argc > 1 && strcmp (argv[1], "-v") == 0)
    {
      puts ("ward-test-pause");
      return 0;
    }
  if (handle (SIGINT, on_term) < 0 || handle (SIGTERM, on_term) < 0
      || handle (SIGCHLD, on_child) < 0)
    {
      perror ("pause: sigaction");
      return 1;
    }
  for (;;)
    pause ();
}
