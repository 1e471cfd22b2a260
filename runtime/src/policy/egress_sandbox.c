/* ward — the syscall allowlist of the egress process (monitor_dns.c): it
 * reads hostile input (the container's DNS queries, the upstreams'
 * answers, nothing else), so if a parser bug ever let someone run code in
 * it, that code could do no more than the resolver does: talk on sockets
 * it has or makes (IPv4/IPv6 only), update the BPF maps it holds, write
 * the audit fd.  No open, no exec, no new mappings of anything but memory,
 * no signals, no other BPF commands.  Anything else kills the process,
 * and egress by name fails closed. */
#include <errno.h>
#include <linux/bpf.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "egress_names.h"

static const char *const allowed[] = {
  "read",
  "write",
  "readv",
  "writev",
  "close",
  "poll",
  "ppoll",
  "connect",
  "accept",
  "accept4",
  "sendto",
  "recvfrom",
  "sendmsg",
  "recvmsg",
  "setsockopt",
  "getsockopt",
  "getsockname",
  "getpeername",
  "shutdown",
  "fcntl",
  "munmap",
  "mremap",
  "brk",
  "madvise",
  "clock_gettime",
  "clock_nanosleep",
  "nanosleep",
  "gettimeofday",
  "getrandom",
  "exit",
  "exit_group",
  "rt_sigreturn",
  "rt_sigprocmask",
  "restart_syscall",
  "getpid",
  "gettid",
  "getppid",
  "futex",
  "sched_yield",
  "fstat",
  "newfstatat",
  "lseek",
};

static int
add (scmp_filter_ctx ctx, const char *name, unsigned n,
     const struct scmp_arg_cmp *args)
{
  int nr = seccomp_syscall_resolve_name (name);
  if (nr == __NR_SCMP_ERROR)
    return 0; /* not on this architecture */
  return seccomp_rule_add_array (ctx, SCMP_ACT_ALLOW, nr, n, args);
}

static int
rules (scmp_filter_ctx ctx)
{
  for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
    if (add (ctx, allowed[i], 0, NULL) < 0)
      return -1;
  /* Upstream queries: IPv4 and IPv6 sockets. */
  static const int families[] = { AF_INET, AF_INET6 };
  for (size_t i = 0; i < 2; i++)
    {
      struct scmp_arg_cmp a = SCMP_A0 (SCMP_CMP_EQ, (scmp_datum_t) families[i]);
      if (add (ctx, "socket", 1, &a) < 0)
        return -1;
    }
  /* The maps it holds: read, write, walk; nothing that makes or loads. */
  static const int cmds[]
      = { BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM,
          BPF_MAP_GET_NEXT_KEY, BPF_MAP_LOOKUP_BATCH };
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
    {
      struct scmp_arg_cmp a = SCMP_A0 (SCMP_CMP_EQ, (scmp_datum_t) cmds[i]);
      if (add (ctx, "bpf", 1, &a) < 0)
        return -1;
    }
  /* malloc: anonymous memory only, never executable. */
  struct scmp_arg_cmp anon[] = {
    SCMP_A2 (SCMP_CMP_MASKED_EQ, PROT_EXEC, 0),
    SCMP_A3 (SCMP_CMP_MASKED_EQ, MAP_ANONYMOUS, MAP_ANONYMOUS),
  };
  if (add (ctx, "mmap", 2, anon) < 0)
    return -1;
  struct scmp_arg_cmp noexec = SCMP_A2 (SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
  return add (ctx, "mprotect", 1, &noexec);
}

int
egress_sandbox (void)
{
  scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_KILL_PROCESS);
  if (ctx == NULL)
    return -1;
  int r = rules (ctx);
  if (r == 0)
    r = seccomp_load (ctx);
  seccomp_release (ctx);
  return r < 0 ? -1 : 0;
}
