/* A prober for the policy tests: tries one privileged or restricted action
 * per argument and prints "ACTION: ok" or "ACTION: ERRNO-NAME", so a test
 * can assert the exact errno.  Built statically by helpers_policy.bash and
 * copied into the container's rootfs.
 *
 *   probe ptrace bpf module keyctl userfaultfd io_uring perf packet raw
 *         ping vsock unix userns mount chroot setuid0 "connect4 ADDR PORT"
 *         "udp4 ADDR PORT" "connect6 ADDR PORT" "bind4 PORT" "open PATH"
 *         "write PATH" "exec PATH" "ping4 ADDR" "ping6 ADDR"
 *         "listen4 FILE" (a TCP server on an ephemeral port of the wildcard
 *         address: the port goes to FILE, then one connection is awaited
 *         for 3 s; ETIMEDOUT if none came) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void
report (const char *what, long r)
{
  if (r >= 0)
    printf ("%s: ok\n", what);
  else
    printf ("%s: %s\n", what,
            strerrorname_np (errno) ? strerrorname_np (errno) : "?");
  fflush (stdout);
}

static long
do_ptrace (void)
{
  pid_t child = fork ();
  if (child == 0)
    {
      pause ();
      _exit (0);
    }
  long r = ptrace (PTRACE_ATTACH, child, 0, 0);
  int e = errno;
  kill (child, SIGKILL);
  waitpid (child, NULL, 0);
  errno = e;
  return r;
}

static long
do_bpf (void)
{
  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.map_type = BPF_MAP_TYPE_ARRAY;
  attr.key_size = 4;
  attr.value_size = 4;
  attr.max_entries = 1;
  return syscall (SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr);
}

/* Something to read on fd within `ms`, or ETIMEDOUT. */
static long
wait_readable (int fd, int ms)
{
  struct pollfd p = { .fd = fd, .events = POLLIN };
  long r = poll (&p, 1, ms);
  if (r == 0)
    {
      errno = ETIMEDOUT;
      r = -1;
    }
  return r;
}

static long
close_keep_errno (int fd, long r)
{
  int e = errno;
  close (fd);
  errno = e;
  return r;
}

static long
do_socket (int family, int type, int proto)
{
  int fd = socket (family, type, proto);
  if (fd >= 0)
    close (fd);
  return fd;
}

/* ADDR and PORT of FAMILY into `ss`; returns its length. */
static socklen_t
sock_addr (int family, const char *addr, const char *port,
           struct sockaddr_storage *ss)
{
  memset (ss, 0, sizeof *ss);
  if (family == AF_INET)
    {
      struct sockaddr_in *s = (struct sockaddr_in *) ss;
      s->sin_family = AF_INET;
      s->sin_port = htons ((uint16_t) atoi (port));
      inet_pton (AF_INET, addr, &s->sin_addr);
      return sizeof *s;
    }
  struct sockaddr_in6 *s = (struct sockaddr_in6 *) ss;
  s->sin6_family = AF_INET6;
  s->sin6_port = htons ((uint16_t) atoi (port));
  inet_pton (AF_INET6, addr, &s->sin6_addr);
  return sizeof *s;
}

static long
do_connect (int family, int type, const char *addr, const char *port)
{
  int fd = socket (family, type | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  struct sockaddr_storage ss;
  socklen_t len = sock_addr (family, addr, port, &ss);
  long r;
  if (type == SOCK_DGRAM)
    r = sendto (fd, "x", 1, 0, (struct sockaddr *) &ss, len);
  else
    r = connect (fd, (struct sockaddr *) &ss, len);
  return close_keep_errno (fd, r);
}

static long
do_bind4 (const char *port)
{
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in s
      = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) atoi (port)) };
  long r = bind (fd, (struct sockaddr *) &s, sizeof s);
  return close_keep_errno (fd, r);
}

/* An echo request on a ping socket, and its reply within 2 s. */
static long
do_ping (int family, const char *addr)
{
  int fd = socket (family, SOCK_DGRAM | SOCK_CLOEXEC,
                   family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
  if (fd < 0)
    return -1;
  struct sockaddr_storage ss;
  socklen_t len = sock_addr (family, addr, "0", &ss);
  /* type (echo request), code, checksum and id filled by the kernel, seq */
  unsigned char req[16] = { family == AF_INET ? 8 : 128, 0, 0, 0, 0, 0, 0, 1 };
  long r = sendto (fd, req, sizeof req, 0, (struct sockaddr *) &ss, len);
  if (r >= 0)
    r = wait_readable (fd, 2000);
  return close_keep_errno (fd, r);
}

static long
do_listen4 (const char *file)
{
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in s = { .sin_family = AF_INET };
  socklen_t len = sizeof s;
  if (fd < 0 || bind (fd, (struct sockaddr *) &s, len) < 0 || listen (fd, 4) < 0
      || getsockname (fd, (struct sockaddr *) &s, &len) < 0)
    return -1;
  FILE *f = fopen (file, "we");
  if (f == NULL)
    return -1;
  fprintf (f, "%d\n", ntohs (s.sin_port));
  fclose (f);
  return close_keep_errno (fd, wait_readable (fd, 3000));
}

static long
do_exec (const char *path)
{
  pid_t child = fork ();
  if (child == 0)
    {
      char *argv[] = { (char *) path, NULL };
      execv (path, argv);
      _exit (100 + errno);
    }
  int st;
  waitpid (child, &st, 0);
  if (WIFEXITED (st) && WEXITSTATUS (st) >= 100)
    {
      errno = WEXITSTATUS (st) - 100;
      return -1;
    }
  return 0;
}

static long
one (char *arg)
{
  char *w[4] = { 0 };
  char *save = NULL;
  int n = 0;
  for (char *t = strtok_r (arg, " ", &save); t && n < 4;
       t = strtok_r (NULL, " ", &save))
    w[n++] = t;
  const char *c = w[0] ? w[0] : "";
  if (!strcmp (c, "ptrace"))
    return do_ptrace ();
  if (!strcmp (c, "bpf"))
    return do_bpf ();
  if (!strcmp (c, "module"))
    return syscall (SYS_finit_module, -1, "", 0);
  if (!strcmp (c, "keyctl"))
    return syscall (SYS_keyctl, 0 /* GET_KEYRING_ID */, -3, 0);
  if (!strcmp (c, "userfaultfd"))
    return syscall (SYS_userfaultfd, O_CLOEXEC);
  if (!strcmp (c, "io_uring"))
    {
      char params[120] = { 0 };
      long fd = syscall (SYS_io_uring_setup, 1, params);
      if (fd >= 0)
        close ((int) fd);
      return fd;
    }
  if (!strcmp (c, "perf"))
    return syscall (SYS_perf_event_open, NULL, 0, -1, -1, 0);
  if (!strcmp (c, "packet"))
    return do_socket (AF_PACKET, SOCK_RAW, 0);
  if (!strcmp (c, "raw"))
    return do_socket (AF_INET, SOCK_RAW, IPPROTO_ICMP);
  if (!strcmp (c, "ping"))
    return do_socket (AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
  if (!strcmp (c, "vsock"))
    return do_socket (AF_VSOCK, SOCK_STREAM, 0);
  if (!strcmp (c, "unix"))
    return do_socket (AF_UNIX, SOCK_STREAM, 0);
  if (!strcmp (c, "userns"))
    return unshare (CLONE_NEWUSER);
  if (!strcmp (c, "mount"))
    return mount ("none", "/tmp", "tmpfs", 0, NULL);
  if (!strcmp (c, "chroot"))
    return chroot ("/");
  if (!strcmp (c, "setuid0"))
    return setuid (0);
  if (!strcmp (c, "connect4") && n == 3)
    return do_connect (AF_INET, SOCK_STREAM, w[1], w[2]);
  if (!strcmp (c, "udp4") && n == 3)
    return do_connect (AF_INET, SOCK_DGRAM, w[1], w[2]);
  if (!strcmp (c, "connect6") && n == 3)
    return do_connect (AF_INET6, SOCK_STREAM, w[1], w[2]);
  if (!strcmp (c, "bind4") && n == 2)
    return do_bind4 (w[1]);
  if (!strcmp (c, "ping4") && n == 2)
    return do_ping (AF_INET, w[1]);
  if (!strcmp (c, "ping6") && n == 2)
    return do_ping (AF_INET6, w[1]);
  if (!strcmp (c, "listen4") && n == 2)
    return do_listen4 (w[1]);
  if (!strcmp (c, "open") && n == 2)
    {
      int fd = open (w[1], O_RDONLY | O_CLOEXEC);
      if (fd >= 0)
        close (fd);
      return fd;
    }
  if (!strcmp (c, "write") && n == 2)
    {
      int fd = open (w[1], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      if (fd >= 0)
        close (fd);
      return fd;
    }
  if (!strcmp (c, "exec") && n == 2)
    return do_exec (w[1]);
  errno = EINVAL;
  return -1;
}

int
main (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      char *copy = strdup (argv[i]);
      char *label = strdup (argv[i]);
      long r = one (copy);
      report (label, r);
      free (copy);
      free (label);
    }
  return 0;
}
