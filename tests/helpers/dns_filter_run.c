/* ward — run the filtering DNS resolver by hand or from bats, the way the
 * monitor is meant to: listening sockets made inside a network namespace,
 * upstream queries from the caller's own, privileges dropped after set-up.
 * Every address handed to the allow map is printed as
 * "allow <address> <ttl> <rule>" on stdout.  Build: make
 * tests/helpers/dns_filter_run.
 *
 *   dns_filter_run [--netns PATH] [--listen ADDR:PORT] --upstream ADDR …
 *                  [--allow HOST …] [--deny HOST …] [--audit DIR]
 *                  [--ttl-min S] [--ttl-max S] [--audit-only]
 *                  [--default-allow] [--user UID:GID]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "dns_filter.h"

#define MAX_RULES 64

static volatile sig_atomic_t stop;

static void
on_signal (int sig)
{
  (void) sig;
  stop = 1;
}

static int
print_allow (void *ctx, int family, const void *addr, uint32_t ttl,
             const struct dns_rule *rule)
{
  char a[INET6_ADDRSTRLEN] = "?";
  (void) ctx;
  inet_ntop (family, addr, a, sizeof a);
  printf ("allow %s %u %s\n", a, ttl, rule && rule->where ? rule->where : "-");
  fflush (stdout);
  return 0;
}

static void
die (const char *what, const struct werr *err)
{
  fprintf (stderr, "dns_filter_run: %s%s%s\n", what, err ? ": " : "",
           err ? err->msg : "");
  exit (1);
}

/* Bind inside `netns` (when given), then come back: the upstream sockets
 * made later belong to the namespace this process started in. */
static void
listen_in (const char *netns, struct sockaddr_storage *addr, int *udp, int *tcp)
{
  struct werr err = { 0 };
  int home = -1;
  if (netns)
    {
      int target = open (netns, O_RDONLY | O_CLOEXEC);
      home = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
      if (target < 0 || home < 0 || setns (target, CLONE_NEWNET) < 0)
        die ("enter the network namespace", NULL);
      close (target);
    }
  if (dns_filter_listen (addr, udp, tcp, &err) < 0)
    die ("listen", &err);
  if (home >= 0 && (setns (home, CLONE_NEWNET) < 0 || close (home) < 0))
    die ("return to the first network namespace", NULL);
}

static void
drop_to (const char *ids)
{
  unsigned uid, gid;
  if (sscanf (ids, "%u:%u", &uid, &gid) != 2)
    die ("--user wants UID:GID", NULL);
  if (setgroups (0, NULL) < 0 || setresgid (gid, gid, gid) < 0
      || setresuid (uid, uid, uid) < 0)
    die ("drop privileges", NULL);
}

struct args
{
  struct dns_filter_config cfg;
  struct sockaddr_storage ups[DNS_FILTER_MAX_UPSTREAMS], listen;
  struct dns_rule rules[MAX_RULES];
  char where[MAX_RULES][48];
  const char *netns, *audit_dir, *user;
};

static void
parse_args (int argc, char **argv, struct args *a)
{
  static const struct option opts[]
      = { { "netns", 1, 0, 'n' },      { "listen", 1, 0, 'l' },
          { "upstream", 1, 0, 'u' },   { "allow", 1, 0, 'a' },
          { "deny", 1, 0, 'd' },       { "audit", 1, 0, 'A' },
          { "ttl-min", 1, 0, 'm' },    { "ttl-max", 1, 0, 'M' },
          { "audit-only", 0, 0, 'o' }, { "default-allow", 0, 0, 'D' },
          { "user", 1, 0, 'U' },       { 0, 0, 0, 0 } };
  struct dns_filter_config *cfg = &a->cfg;
  int c;
  while ((c = getopt_long (argc, argv, "", opts, NULL)) != -1)
    {
      if ((c == 'a' || c == 'd') && cfg->n_rules < MAX_RULES)
        {
          size_t i = cfg->n_rules++;
          snprintf (a->where[i], sizeof a->where[i], "%s[%zu]",
                    c == 'a' ? "allow" : "deny", i);
          a->rules[i] = (struct dns_rule){ .host = optarg,
                                           .deny = c == 'd',
                                           .where = a->where[i] };
        }
      else if (c == 'n')
        a->netns = optarg;
      else if (c == 'l' && dns_parse_server (optarg, &a->listen) < 0)
        die ("--listen wants ADDR[:PORT]", NULL);
      else if (c == 'u'
               && (cfg->n_upstreams == DNS_FILTER_MAX_UPSTREAMS
                   || dns_parse_server (optarg, &a->ups[cfg->n_upstreams++])
                          < 0))
        die ("--upstream wants ADDR[:PORT] (at most 4)", NULL);
      else if (c == 'A')
        a->audit_dir = optarg;
      else if (c == 'm')
        cfg->ttl_min = (uint32_t) strtoul (optarg, NULL, 10);
      else if (c == 'M')
        cfg->ttl_max = (uint32_t) strtoul (optarg, NULL, 10);
      else if (c == 'o')
        cfg->audit_only = true;
      else if (c == 'D')
        cfg->default_allow = true;
      else if (c == 'U')
        a->user = optarg;
      else if (c == '?')
        exit (2);
    }
}

int
main (int argc, char **argv)
{
  static struct args a;
  struct werr err = { 0 };
  struct dns_filter *f;
  int udp, tcp;

  a.cfg = (struct dns_filter_config){ .upstreams = a.ups,
                                      .rules = a.rules,
                                      .allow_addr = print_allow,
                                      .container_id = "dns_filter_run" };
  dns_parse_server ("127.0.0.1:53", &a.listen);
  parse_args (argc, argv, &a);
  if (a.cfg.n_upstreams == 0)
    a.cfg.n_upstreams = dns_servers_from_resolv_conf ("/etc/resolv.conf", a.ups,
                                                      DNS_FILTER_MAX_UPSTREAMS);
  if (a.audit_dir && audit_open (a.audit_dir, &a.cfg.audit, &err) < 0)
    die ("audit", &err);
  listen_in (a.netns, &a.listen, &udp, &tcp);
  if (a.user)
    drop_to (a.user);
  if (dns_filter_new (udp, tcp, &a.cfg, &f, &err) < 0)
    die ("start", &err);

  /* sin_port and sin6_port sit at the same offset. */
  char shown[INET6_ADDRSTRLEN];
  const void *sa
      = a.listen.ss_family == AF_INET6
            ? (const void *) &((struct sockaddr_in6 *) &a.listen)->sin6_addr
            : (const void *) &((struct sockaddr_in *) &a.listen)->sin_addr;
  inet_ntop (a.listen.ss_family, sa, shown, sizeof shown);
  printf ("listening %s %u\n", shown,
          ntohs (((struct sockaddr_in *) &a.listen)->sin_port));
  fflush (stdout);

  struct sigaction sa_stop = { .sa_handler = on_signal };
  sigaction (SIGINT, &sa_stop, NULL);
  sigaction (SIGTERM, &sa_stop, NULL);
  while (!stop)
    if (dns_filter_poll (f, 1000) < 0)
      break;
  dns_filter_free (f);
  audit_close (a.cfg.audit);
  return 0;
}
