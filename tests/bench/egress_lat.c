/* Latency of egress operations, run inside a container by
 * tests/bench/egress_bench.sh (built statically):
 *
 *   egress_lat udp ADDR PORT N    connect() of a UDP socket: no packet, so
 *                                 the syscall and the BPF connect4 program
 *   egress_lat tcp ADDR PORT N    a TCP connect() to a listening server
 *   egress_lat dns NAME N         an A query to the nameserver of
 *                                 /etc/resolv.conf, answer read
 *
 * Prints "OP median_us p90_us" on one line. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double
now_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

static int
cmp (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static int
one_connect (int type, const struct sockaddr_in *sa)
{
  int fd = socket (AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  int r = connect (fd, (const struct sockaddr *) sa, sizeof *sa);
  close (fd);
  return r;
}

static size_t
query (const char *name, uint8_t *q, uint16_t id)
{
  size_t n = 12;
  memset (q, 0, 12);
  q[0] = (uint8_t) (id >> 8);
  q[1] = (uint8_t) id;
  q[2] = 1;
  q[5] = 1;
  for (const char *p = name; *p;)
    {
      const char *dot = strchr (p, '.');
      size_t len = dot ? (size_t) (dot - p) : strlen (p);
      q[n++] = (uint8_t) len;
      memcpy (q + n, p, len);
      n += len;
      p += len + (dot ? 1 : 0);
    }
  q[n++] = 0;
  q[n++] = 0;
  q[n++] = 1; /* A */
  q[n++] = 0;
  q[n++] = 1; /* IN */
  return n;
}

static int
one_lookup (const struct sockaddr_in *ns, const char *name, uint16_t id)
{
  uint8_t q[300], r[1500];
  size_t len = query (name, q, id);
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  int rc = -1;
  if (connect (fd, (const struct sockaddr *) ns, sizeof *ns) == 0
      && send (fd, q, len, 0) == (ssize_t) len)
    {
      struct pollfd p = { .fd = fd, .events = POLLIN };
      if (poll (&p, 1, 2000) == 1 && recv (fd, r, sizeof r, 0) >= 12
          && (r[3] & 15) == 0)
        rc = 0;
    }
  close (fd);
  return rc;
}

static void
nameserver (struct sockaddr_in *sa)
{
  char line[256], addr[64] = "127.0.0.1";
  FILE *f = fopen ("/etc/resolv.conf", "re");
  while (f && fgets (line, sizeof line, f))
    if (sscanf (line, "nameserver %63s", addr) == 1)
      break;
  if (f)
    fclose (f);
  memset (sa, 0, sizeof *sa);
  sa->sin_family = AF_INET;
  sa->sin_port = htons (53);
  inet_pton (AF_INET, addr, &sa->sin_addr);
}

int
main (int argc, char **argv)
{
  if (argc < 4)
    {
      fprintf (stderr, "usage: egress_lat udp|tcp ADDR PORT N | dns NAME N\n");
      return 2;
    }
  int dns = strcmp (argv[1], "dns") == 0;
  int n = atoi (argv[dns ? 3 : 4]);
  double *t = calloc ((size_t) n, sizeof *t);
  struct sockaddr_in sa = { .sin_family = AF_INET };
  if (dns)
    nameserver (&sa);
  else
    {
      sa.sin_port = htons ((uint16_t) atoi (argv[3]));
      inet_pton (AF_INET, argv[2], &sa.sin_addr);
    }
  int type = strcmp (argv[1], "tcp") == 0 ? SOCK_STREAM : SOCK_DGRAM;
  for (int i = 0; i < n; i++)
    {
      double t0 = now_us ();
      int r = dns ? one_lookup (&sa, argv[2], (uint16_t) i)
                  : one_connect (type, &sa);
      t[i] = now_us () - t0;
      if (r < 0)
        {
          fprintf (stderr, "%s: attempt %d failed: %s\n", argv[1], i,
                   strerror (errno));
          return 1;
        }
    }
  qsort (t, (size_t) n, sizeof *t, cmp);
  printf ("%s %.1f %.1f\n", argv[1], t[n / 2], t[n * 9 / 10]);
  return 0;
}
