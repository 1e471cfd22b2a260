/* ward tests — make one raw system call and print what came back.
 *
 *   syscall-probe NR [ARG...]
 *
 * An ARG starting with '/' is passed as a pointer to that string, anything
 * else as a number (strtol base 0: -100, 0755, 0x10).  Prints "ok RET" or
 * "errno N" on stdout; exits 0 either way, 2 on bad usage.  Built static by
 * the seccomp tests and copied into a container's rootfs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  long a[6] = { 0 };
  if (argc < 2 || argc > 8)
    {
      fprintf (stderr, "usage: %s NR [ARG...]\n", argv[0]);
      return 2;
    }
  long nr = strtol (argv[1], NULL, 0);
  for (int i = 2; i < argc; i++)
    a[i - 2] = argv[i][0] == '/' ? (long) argv[i] : strtol (argv[i], NULL, 0);
  errno = 0;
  long r = syscall (nr, a[0], a[1], a[2], a[3], a[4], a[5]);
  if (r == -1)
    printf ("errno %d\n", errno);
  else
    printf ("ok %ld\n", r);
  return 0;
}
