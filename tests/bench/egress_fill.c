/* Fill a running container's IPv4 name map with N addresses, as if its
 * resolver had answered that many names (tests/bench/egress_bench.sh):
 *
 *   egress_fill CGROUP2_DIR N
 *
 * The map is found through the connect4 program attached to the cgroup.
 * Addresses 100.64.0.0 + i, TCP and UDP on every port, for an hour. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "egress_names.h"

static int
bpf (int cmd, union bpf_attr *a)
{
  return (int) syscall (SYS_bpf, cmd, a, sizeof *a);
}

static int
names4_map (int cgroup)
{
  uint32_t progs[16], n = 16;
  union bpf_attr a;
  memset (&a, 0, sizeof a);
  a.query.target_fd = (uint32_t) cgroup;
  a.query.attach_type = BPF_CGROUP_INET4_CONNECT;
  a.query.prog_ids = (uint64_t) (uintptr_t) progs;
  a.query.prog_cnt = n;
  if (bpf (BPF_PROG_QUERY, &a) < 0)
    return -1;
  n = a.query.prog_cnt;
  for (uint32_t i = 0; i < n; i++)
    {
      memset (&a, 0, sizeof a);
      a.prog_id = progs[i];
      int pfd = bpf (BPF_PROG_GET_FD_BY_ID, &a);
      uint32_t maps[16];
      struct bpf_prog_info pi;
      memset (&pi, 0, sizeof pi);
      pi.nr_map_ids = 16;
      pi.map_ids = (uint64_t) (uintptr_t) maps;
      memset (&a, 0, sizeof a);
      a.info.bpf_fd = (uint32_t) pfd;
      a.info.info_len = sizeof pi;
      a.info.info = (uint64_t) (uintptr_t) &pi;
      if (pfd < 0 || bpf (BPF_OBJ_GET_INFO_BY_FD, &a) < 0)
        continue;
      for (uint32_t k = 0; k < pi.nr_map_ids && k < 16; k++)
        {
          memset (&a, 0, sizeof a);
          a.map_id = maps[k];
          int mfd = bpf (BPF_MAP_GET_FD_BY_ID, &a);
          struct bpf_map_info mi;
          memset (&mi, 0, sizeof mi);
          memset (&a, 0, sizeof a);
          a.info.bpf_fd = (uint32_t) mfd;
          a.info.info_len = sizeof mi;
          a.info.info = (uint64_t) (uintptr_t) &mi;
          if (mfd >= 0 && bpf (BPF_OBJ_GET_INFO_BY_FD, &a) == 0
              && strcmp (mi.name, "ward_names4") == 0)
            return mfd;
          if (mfd >= 0)
            close (mfd);
        }
    }
  errno = ENOENT;
  return -1;
}

int
main (int argc, char **argv)
{
  if (argc != 3)
    {
      fprintf (stderr, "usage: egress_fill CGROUP2_DIR N\n");
      return 2;
    }
  int cg = open (argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int map = cg < 0 ? -1 : names4_map (cg);
  if (map < 0)
    {
      perror ("egress_fill: the container's name map");
      return 1;
    }
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  struct egress_name_value v = { .n = 1 };
  v.r[0]
      = (struct egress_name_range){ .lo = 0,
                                    .hi = 65535,
                                    .protos = 3,
                                    .expiry_ns = ((uint64_t) ts.tv_sec + 3600)
                                                 * 1000000000ULL };
  long n = atol (argv[2]);
  for (long i = 0; i < n; i++)
    {
      uint32_t host = 0x64400000u + (uint32_t) i; /* 100.64.0.0/10 */
      uint8_t key[4] = { (uint8_t) (host >> 24), (uint8_t) (host >> 16),
                         (uint8_t) (host >> 8), (uint8_t) host };
      union bpf_attr a;
      memset (&a, 0, sizeof a);
      a.map_fd = (uint32_t) map;
      a.key = (uint64_t) (uintptr_t) key;
      a.value = (uint64_t) (uintptr_t) &v;
      if (bpf (BPF_MAP_UPDATE_ELEM, &a) < 0)
        {
          fprintf (stderr, "egress_fill: entry %ld: %s\n", i, strerror (errno));
          return 1;
        }
    }
  return 0;
}
