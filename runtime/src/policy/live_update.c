/* ward — live update of a running container's network rules: the
 * resolver's rule set, the message the CLI sends the monitor, the control
 * socket, and `ward update --policy` (see live_update.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "live_update.h"
#include "monitor_dns.h"
#include "policy.h"
#include "state.h"
#include "utils.h"
#include "ward/cleanup.h"
#include "ward/json.h"

#define MSG_MAX (1u << 20)
#define IO_TIMEOUT_MS 3000

/* ---- the rule set ------------------------------------------------------ */

static char *
keep (struct live_rules *r, char *s)
{
  r->strings = realloc (r->strings, (r->n_strings + 1) * sizeof *r->strings);
  if (r->strings == NULL)
    abort ();
  r->strings[r->n_strings++] = s;
  return s;
}

/* Room for `n` rules (the arrays never move once filled: `v` points into
 * `ports` and `sets`). */
static void
rules_reserve (struct live_rules *r, size_t n)
{
  r->v = xmalloc0 ((n + 1) * sizeof *r->v);
  r->ports = xmalloc0 ((n + 1) * sizeof *r->ports);
  r->sets = xmalloc0 ((n + 1) * sizeof *r->sets);
}

static void
rules_add (struct live_rules *r, const char *pattern, bool deny,
           const struct plan_portset *set, const char *where)
{
  size_t i = r->n++;
  r->sets[i] = *set;
  r->ports[i] = xmalloc0 ((set->n + 1) * sizeof **r->ports);
  for (uint32_t k = 0; k < set->n; k++)
    r->ports[i][k] = (struct pol_port){ .protos = set->r[k].protos,
                                        .lo = set->r[k].lo,
                                        .hi = set->r[k].hi };
  r->v[i] = (struct dns_rule){ .host = keep (r, xstrdup (pattern)),
                               .deny = deny,
                               .ports = r->ports[i],
                               .n_ports = set->n,
                               .where = keep (r, xstrdup (where)),
                               .data = &r->sets[i] };
}

static struct plan_prefix *
prefixes_dup (const struct plan_prefix *v, size_t n)
{
  struct plan_prefix *c = xmalloc0 ((n + 1) * sizeof *c);
  if (n)
    memcpy (c, v, n * sizeof *c);
  return c;
}

int
live_rules_from_plan (const struct policy_plan *plan, struct live_rules **out,
                      struct werr *err)
{
  const struct plan_net *n = &plan->net;
  struct live_rules *r = xmalloc0 (sizeof *r);
  rules_reserve (r, n->n_hosts);
  for (size_t i = 0; i < n->n_hosts; i++)
    rules_add (r, n->hosts[i].pattern, n->hosts[i].deny, &n->hosts[i].ports,
               n->hosts[i].where);
  r->allow = prefixes_dup (n->allow, n->n_allow);
  r->deny = prefixes_dup (n->deny, n->n_deny);
  r->n_allow = n->n_allow;
  r->n_deny = n->n_deny;
  /* The resolver would refuse them at start: say which, now. */
  struct dns_rules check = { 0 };
  if (dns_rules_init (&check, r->v, r->n, err) < 0)
    {
      live_rules_free (r);
      return -1;
    }
  dns_rules_clear (&check);
  *out = r;
  return 0;
}

const struct dns_rule *
live_rules_v (const struct live_rules *r)
{
  return r ? r->v : NULL;
}

size_t
live_rules_n (const struct live_rules *r)
{
  return r ? r->n : 0;
}

void
live_rules_free (struct live_rules *r)
{
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->n_strings; i++)
    free (r->strings[i]);
  for (size_t i = 0; i < r->n; i++)
    free (r->ports[i]);
  free (r->strings);
  free (r->ports);
  free (r->sets);
  free (r->v);
  free (r->allow);
  free (r->deny);
  free (r);
}

/* ---- the message --------------------------------------------------------- */

static void
put_ranges (FILE *f, const struct plan_portset *s)
{
  if (s->n == 0)
    fputc ('-', f);
  for (uint32_t i = 0; i < s->n; i++)
    fprintf (f, "%s%u-%u/%u", i ? "," : "", s->r[i].lo, s->r[i].hi,
             s->r[i].protos);
}

char *
live_rules_format (const struct live_rules *r)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  if (f == NULL)
    abort ();
  fprintf (f, "ward-update 1\n");
  for (size_t i = 0; i < r->n; i++)
    {
      fprintf (f, "host %s %s ", r->v[i].deny ? "deny" : "allow", r->v[i].host);
      put_ranges (f, &r->sets[i]);
      fprintf (f, " %s\n", r->v[i].where);
    }
  for (int d = 0; d < 2; d++)
    for (size_t i = 0; i < (d ? r->n_deny : r->n_allow); i++)
      {
        const struct plan_prefix *p = d ? &r->deny[i] : &r->allow[i];
        char c[64];
        pol_cidr_format (&p->cidr, c, sizeof c);
        fprintf (f, "cidr %s %s ", d ? "deny" : "allow", c);
        put_ranges (f, &p->ports);
        fputc ('\n', f);
      }
  fprintf (f, "end\n");
  fclose (f);
  return buf;
}

static int
get_ranges (const char *s, struct plan_portset *out)
{
  memset (out, 0, sizeof *out);
  if (strcmp (s, "-") == 0)
    return 0;
  for (const char *p = s; *p;)
    {
      unsigned lo, hi, protos;
      int used = 0;
      if (sscanf (p, "%u-%u/%u%n", &lo, &hi, &protos, &used) != 3 || lo > hi
          || hi > 65535 || protos == 0 || protos > POL_PROTO_ALL)
        return -1;
      struct plan_portrange pr
          = { .lo = (uint16_t) lo, .hi = (uint16_t) hi, .protos = protos };
      if (plan_portset_add (out, &pr) < 0)
        return -1;
      p += used;
      if (*p == ',')
        p++;
      else if (*p)
        return -1;
    }
  return 0;
}

static int
parse_line (struct live_rules *r, char *line, size_t *cap)
{
  char kind[8], verdict[8], what[256], ranges[1024];
  int used = 0;
  if (sscanf (line, "%7s %7s %255s %1023s %n", kind, verdict, what, ranges,
              &used)
      < 4)
    return -1;
  bool deny = strcmp (verdict, "deny") == 0;
  struct plan_portset set;
  if ((!deny && strcmp (verdict, "allow") != 0)
      || get_ranges (ranges, &set) < 0)
    return -1;
  if (strcmp (kind, "host") == 0)
    {
      if (r->n == *cap || line[used] == '\0')
        return -1;
      rules_add (r, what, deny, &set, line + used);
      return 0;
    }
  struct pol_cidr c;
  const char *why;
  if (strcmp (kind, "cidr") != 0 || pol_cidr_parse (what, &c, &why) < 0)
    return -1;
  struct plan_prefix **v = deny ? &r->deny : &r->allow;
  size_t *n = deny ? &r->n_deny : &r->n_allow;
  *v = realloc (*v, (*n + 1) * sizeof **v);
  if (*v == NULL)
    abort ();
  (*v)[(*n)++] = (struct plan_prefix){ .cidr = c, .ports = set };
  return 0;
}

int
live_rules_parse (const char *msg, struct live_rules **out, struct werr *err)
{
  _cleanup_free_ char *copy = xstrdup (msg);
  size_t cap = 0;
  for (const char *p = msg; (p = strstr (p, "\nhost ")); p++)
    cap++;
  struct live_rules *r = xmalloc0 (sizeof *r);
  rules_reserve (r, cap);
  char *save = NULL;
  size_t lineno = 0;
  bool ended = false;
  for (char *line = strtok_r (copy, "\n", &save); line;
       line = strtok_r (NULL, "\n", &save))
    {
      lineno++;
      if (lineno == 1 && strcmp (line, "ward-update 1") == 0)
        continue;
      if (lineno > 1 && strcmp (line, "end") == 0)
        {
          ended = true;
          break;
        }
      if (lineno == 1 || parse_line (r, line, &cap) < 0)
        {
          live_rules_free (r);
          return werr_set (err, 0, "update message, line %zu: malformed",
                           lineno);
        }
    }
  struct dns_rules check = { 0 };
  if (!ended || dns_rules_init (&check, r->v, r->n, err) < 0)
    {
      if (!ended)
        werr_set (err, 0, "update message: no \"end\"");
      live_rules_free (r);
      return -1;
    }
  dns_rules_clear (&check);
  *out = r;
  return 0;
}

/* ---- the control socket ------------------------------------------------- */

static int
socket_path (int dirfd, struct sockaddr_un *sun)
{
  memset (sun, 0, sizeof *sun);
  sun->sun_family = AF_UNIX;
  int n = snprintf (sun->sun_path, sizeof sun->sun_path, "/proc/self/fd/%d/%s",
                    dirfd, MONITOR_CONTROL_SOCKET);
  return n > 0 && (size_t) n < sizeof sun->sun_path ? 0 : -1;
}

int
live_update_listen (int state_dirfd, int *fd, struct werr *err)
{
  struct sockaddr_un sun;
  if (socket_path (state_dirfd, &sun) < 0)
    return werr_set (err, ENAMETOOLONG, "policy: monitor: control socket");
  unlinkat (state_dirfd, MONITOR_CONTROL_SOCKET, 0);
  _cleanup_close_ int s
      = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s < 0 || bind (s, (struct sockaddr *) &sun, sizeof sun) < 0)
    return werr_set (err, errno, "policy: monitor: bind `%s`",
                     MONITOR_CONTROL_SOCKET);
  /* Only root may change a container's policy. */
  if (fchmodat (state_dirfd, MONITOR_CONTROL_SOCKET, 0600, 0) < 0
      || listen (s, 4) < 0)
    return werr_set (err, errno, "policy: monitor: listen on `%s`",
                     MONITOR_CONTROL_SOCKET);
  *fd = take_fd (&s);
  return 0;
}

static ssize_t
read_message (int fd, char **out)
{
  size_t cap = 4096, len = 0;
  char *buf = xmalloc0 (cap + 1);
  for (;;)
    {
      struct pollfd p = { .fd = fd, .events = POLLIN };
      if (poll (&p, 1, IO_TIMEOUT_MS) <= 0)
        break;
      if (len == cap)
        {
          if (cap >= MSG_MAX)
            break;
          cap *= 2;
          buf = realloc (buf, cap + 1);
          if (buf == NULL)
            abort ();
        }
      ssize_t n = read (fd, buf + len, cap - len);
      if (n <= 0)
        break;
      len += (size_t) n;
      buf[len] = '\0';
      if (len >= 5 && strcmp (buf + len - 5, "\nend\n") == 0)
        {
          *out = buf;
          return (ssize_t) len;
        }
    }
  free (buf);
  return -1;
}

int
live_update_receive (int listen_fd, int *conn, char **msg)
{
  int c = accept4 (listen_fd, NULL, NULL, SOCK_CLOEXEC);
  if (c < 0)
    return 0;
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt (c, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0
      || read_message (c, msg) < 0)
    {
      close (c);
      return 0;
    }
  *conn = c;
  return 1;
}

void
live_update_reply (int conn, const char *reply)
{
  if (write_all (conn, reply, strlen (reply)) < 0
      || write_all (conn, "\n", 1) < 0)
    {
      /* the CLI went away: it reports a failure itself */
    }
  close (conn);
}
