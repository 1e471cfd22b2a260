/* ward — learning mode (`ward sandbox --learn FILE`): the command runs in
 * audit mode with no egress rules at all and, for the filesystem, a view
 * of the host's directories (learn_bundle.c), so that
 *   - the resolver and the BPF programs record every name it looked up and
 *     every address and port it reached (verdict allowed-audit);
 *   - a seccomp-notify listener records every path its file syscalls used
 *     and how: read, exec, write, create, remove (learn_listen.c);
 * from those records ward writes the smallest policy that would have
 * allowed them, for a human to review:
 *   - a connection to an address a name resolved to → {"host": NAME} with
 *     that protocol and port (every port of a name in one rule);
 *   - a connection to an address no name gave → {"cidr": ADDR/32 or /128};
 *   - names looked up but never connected to are listed in "_comment";
 *   - a bind of a fixed port, or a connection from outside, that ingress
 *     deny would have refused → "ingress": {"default": "allow"};
 *   - the policy's own filesystem entries, plus readonlyPaths and
 *     readwritePaths for the paths used beyond them and beyond the
 *     sandbox's baseline (the rules, collapsing included, are in
 *     learn_paths.c); paths used but not learnt (the policy denies them,
 *     or a write in a read-only system directory) are listed in
 *     "_comment". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "doc.h"
#include "learn.h"
#include "policy.h"
#include "utils.h"
#include "ward/cleanup.h"
#include "ward/json.h"

#define LEARN_MAX 4096

/* ---- the document the learning run uses ------------------------------- */

static void
fs_list (struct jw *w, const struct agent_policy *p, const char *key,
         enum pol_fs_access access)
{
  size_t n = 0;
  for (size_t i = 0; i < p->n_fs; i++)
    n += p->fs[i].access == access;
  if (n == 0)
    return;
  jw_key (w, key);
  jw_arr_open (w);
  for (size_t i = 0; i < p->n_fs; i++)
    if (p->fs[i].access == access)
      jw_str (w, p->fs[i].path);
  jw_arr_close (w);
}

static void
filesystem (struct jw *w, const struct agent_policy *p)
{
  jw_key (w, "filesystem");
  jw_obj_open (w);
  fs_list (w, p, "readwritePaths", POL_FS_RW);
  fs_list (w, p, "readonlyPaths", POL_FS_RO);
  fs_list (w, p, "deniedPaths", POL_FS_DENY);
  jw_obj_close (w);
}

static void
dns (struct jw *w, const struct agent_policy *p)
{
  if (p->n_dns == 0)
    return;
  jw_key (w, "dns");
  jw_obj_open (w);
  jw_kstrv (w, "upstream", p->dns_upstream, p->n_dns);
  jw_obj_close (w);
}

int
policy_learn_document (const struct agent_policy *p, char **out,
                       struct werr *err)
{
  struct jw *w = jw_new (true);
  jw_obj_open (w);
  jw_kstr (w, "version", "0.8.0-alpha");
  filesystem (w, p);
  jw_key (w, "network");
  jw_obj_open (w);
  jw_key (w, "egress");
  jw_obj_open (w);
  jw_kstr (w, "default", "deny");
  jw_obj_close (w);
  dns (w, p);
  jw_obj_close (w);
  jw_key (w, "processContainer");
  jw_obj_open (w);
  jw_key (w, "captureDenials");
  jw_obj_open (w);
  jw_kstr (w, "mode", "allow");
  jw_obj_close (w);
  jw_obj_close (w);
  jw_obj_close (w);
  size_t len;
  if (jw_finish (w, out, &len) < 0)
    return werr_set (err, 0, "learn: the learning document (a bug)");
  return 0;
}

/* ---- what the run did --------------------------------------------------- */

struct seen_peer
{
  char *name;    /* a host name, or NULL */
  char *address; /* when no name is known */
  char *protocol;
  int64_t port;
};

struct learnt
{
  struct seen_peer *v;
  size_t n;
  char **names; /* looked up */
  size_t n_names;
  struct learn_seen *paths; /* paths strdup'd */
  size_t n_paths;
  struct learn_fs fs;
  bool serves; /* it bound a fixed port or was connected to from outside */
};

static bool
peer_known (const struct learnt *l, const struct seen_peer *p)
{
  for (size_t i = 0; i < l->n; i++)
    if (strcmp (l->v[i].name ? l->v[i].name : "", p->name ? p->name : "") == 0
        && strcmp (l->v[i].address ? l->v[i].address : "",
                   p->address ? p->address : "")
               == 0
        && strcmp (l->v[i].protocol, p->protocol) == 0
        && l->v[i].port == p->port)
      return true;
  return false;
}

static void
name_add (struct learnt *l, const char *name)
{
  for (size_t i = 0; i < l->n_names; i++)
    if (strcmp (l->names[i], name) == 0)
      return;
  if (l->n_names == LEARN_MAX)
    return;
  l->names = realloc (l->names, (l->n_names + 1) * sizeof *l->names);
  if (l->names == NULL)
    abort ();
  l->names[l->n_names++] = xstrdup (name);
}

static const char *
member (const struct jnode *obj, const char *key)
{
  const struct jnode *n = obj ? jnode_get (obj, key) : NULL;
  return n ? jnode_str (n) : NULL;
}

/* An "open" or "exec" line of the listener (learn_listen.c). */
static void
path_add (struct learnt *l, const struct jnode *ev, const char *action)
{
  const char *path = member (jnode_get (ev, "target"), "path");
  int use = strcmp (action, "exec") == 0
                ? LEARN_EXEC
                : learn_use_from_name (member (ev, "detail"));
  if (path == NULL || use < 0 || l->n_paths == LEARN_MAX * 16)
    return;
  l->paths = realloc (l->paths, (l->n_paths + 1) * sizeof *l->paths);
  if (l->paths == NULL)
    abort ();
  l->paths[l->n_paths++]
      = (struct learn_seen){ .path = xstrdup (path), .use = use };
}

static void
one_line (struct learnt *l, const char *line, size_t len)
{
  struct werr ignored = { 0 };
  struct jnode *ev = jnode_parse (line, len, &ignored);
  if (ev == NULL)
    return;
  const char *action = member (ev, "action");
  const struct jnode *target = jnode_get (ev, "target");
  const char *name = member (target, "name");
  const struct jnode *port = target ? jnode_get (target, "port") : NULL;
  if (action && strcmp (action, "dns") == 0 && name)
    name_add (l, name);
  else if (action
           && (strcmp (action, "bind") == 0 || strcmp (action, "accept") == 0))
    l->serves = true;
  else if (action
           && (strcmp (action, "open") == 0 || strcmp (action, "exec") == 0))
    path_add (l, ev, action);
  else if (action
           && (strcmp (action, "connect") == 0
               || strcmp (action, "sendmsg") == 0)
           && port && jnode_is_integer (port) && l->n < LEARN_MAX)
    {
      const char *addr = member (target, "address");
      const char *proto = member (target, "protocol");
      struct seen_peer p = { .name = (char *) name,
                             .address = name ? NULL : (char *) addr,
                             .protocol = (char *) (proto ? proto : "tcp"),
                             .port = jnode_int (port) };
      if ((p.name || p.address) && !peer_known (l, &p))
        {
          l->v = realloc (l->v, (l->n + 1) * sizeof *l->v);
          if (l->v == NULL)
            abort ();
          l->v[l->n++] = (struct seen_peer){
            .name = p.name ? xstrdup (p.name) : NULL,
            .address = p.address ? xstrdup (p.address) : NULL,
            .protocol = xstrdup (p.protocol),
            .port = p.port,
          };
        }
    }
  jnode_free (ev);
}

static int
read_audit (const char *root, const char *id, struct learnt *l,
            struct werr *err)
{
  _cleanup_free_ char *path = xasprintf ("%s/%s/%s", root, id, AUDIT_FILE);
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  if (access (path, F_OK) < 0)
    return 0; /* nothing was recorded */
  if (read_file (path, &data, &len, err) < 0)
    return werr_prefix (err, "learn");
  for (char *p = data, *nl; p < data + len; p = nl + 1)
    {
      nl = memchr (p, '\n', (size_t) (data + len - p));
      if (nl == NULL)
        break;
      one_line (l, p, (size_t) (nl - p));
    }
  return 0;
}

/* ---- the policy it writes ------------------------------------------------ */

static int
cmp_peer (const void *a, const void *b)
{
  const struct seen_peer *x = a, *y = b;
  int r = strcmp (x->name ? x->name : "~", y->name ? y->name : "~");
  if (r == 0)
    r = strcmp (x->address ? x->address : "", y->address ? y->address : "");
  if (r == 0)
    r = strcmp (x->protocol, y->protocol);
  return r ? r : (x->port > y->port) - (x->port < y->port);
}

static bool
same_peer (const struct seen_peer *a, const struct seen_peer *b)
{
  return strcmp (a->name ? a->name : "", b->name ? b->name : "") == 0
         && strcmp (a->address ? a->address : "", b->address ? b->address : "")
                == 0;
}

static void
rule (struct jw *w, const struct seen_peer *v, size_t n)
{
  jw_obj_open (w);
  jw_key (w, "to");
  jw_arr_open (w);
  jw_obj_open (w);
  if (v[0].name)
    jw_kstr (w, "host", v[0].name);
  else
    {
      _cleanup_free_ char *cidr = xasprintf (
          "%s/%d", v[0].address, strchr (v[0].address, ':') ? 128 : 32);
      jw_kstr (w, "cidr", cidr);
    }
  jw_obj_close (w);
  jw_arr_close (w);
  jw_key (w, "ports");
  jw_arr_open (w);
  for (size_t i = 0; i < n; i++)
    {
      jw_obj_open (w);
      jw_kstr (w, "protocol", v[i].protocol);
      if (strcmp (v[i].protocol, "icmp") != 0) /* ICMP has no ports */
        jw_kint (w, "port", v[i].port);
      jw_obj_close (w);
    }
  jw_arr_close (w);
  jw_obj_close (w);
}

static void
unused_names (struct jw *w, const struct learnt *l)
{
  _cleanup_free_ char *list = xstrdup ("");
  for (size_t i = 0; i < l->n_names; i++)
    {
      bool used = false;
      for (size_t j = 0; j < l->n && !used; j++)
        used = l->v[j].name && strcmp (l->v[j].name, l->names[i]) == 0;
      if (used)
        continue;
      char *more = xasprintf ("%s%s%s", list, *list ? ", " : "", l->names[i]);
      free (list);
      list = more;
    }
  _cleanup_free_ char *refused = xstrdup ("");
  for (size_t i = 0; i < l->fs.n_refused; i++)
    {
      char *more = xasprintf ("%s%s%s", refused, *refused ? ", " : "",
                              l->fs.refused[i]);
      free (refused);
      refused = more;
    }
  _cleanup_free_ char *c = xasprintf (
      "learnt by ward sandbox --learn: review before use.%s%s%s%s%s",
      *list ? " Looked up, never connected to: " : "", list, *list ? "." : "",
      *refused ? " Used, not learnt (denied by the policy, or written in a "
                 "read-only system directory): "
               : "",
      refused);
  jw_kstr (w, "_comment", c);
}

/* The learnt grant for exactly `path`, or NULL. */
static const struct learn_grant *
grant_at (const struct learn_fs *fs, const char *path)
{
  for (size_t i = 0; i < fs->n; i++)
    if (strcmp (fs->grants[i].path, path) == 0)
      return &fs->grants[i];
  return NULL;
}

/* The policy's entries and the learnt ones; a policy entry the learnt
 * grant on the same path widens is left out (on equal paths compile keeps
 * the stricter). */
static void
learnt_list (struct jw *w, const struct agent_policy *p,
             const struct learn_fs *fs, const char *key,
             enum pol_fs_access access)
{
  bool open = false;
  for (size_t i = 0; i < p->n_fs + fs->n; i++)
    {
      const char *path;
      if (i < p->n_fs)
        {
          const struct learn_grant *g = grant_at (fs, p->fs[i].path);
          if (p->fs[i].access != access
              || (g && g->access < access && access != POL_FS_DENY))
            continue;
          path = p->fs[i].path;
        }
      else if (fs->grants[i - p->n_fs].access == access)
        path = fs->grants[i - p->n_fs].path;
      else
        continue;
      if (!open)
        {
          jw_key (w, key);
          jw_arr_open (w);
          open = true;
        }
      jw_str (w, path);
    }
  if (open)
    jw_arr_close (w);
}

static void
learnt_filesystem (struct jw *w, const struct agent_policy *p,
                   const struct learn_fs *fs)
{
  jw_key (w, "filesystem");
  jw_obj_open (w);
  learnt_list (w, p, fs, "readwritePaths", POL_FS_RW);
  learnt_list (w, p, fs, "readonlyPaths", POL_FS_RO);
  learnt_list (w, p, fs, "deniedPaths", POL_FS_DENY);
  jw_obj_close (w);
}

static bool
host_has (const char *path, void *data)
{
  (void) data;
  struct stat st;
  return lstat (path, &st) == 0;
}

static char *
learnt_policy (const struct agent_policy *p, struct learnt *l)
{
  if (l->n > 0)
    qsort (l->v, l->n, sizeof *l->v, cmp_peer);
  /* The learning view shows the host's paths where they are on the host:
   * what exists now is what the sandbox can bind. */
  learn_fs_compute (l->paths, l->n_paths, p, host_has, NULL, &l->fs);
  struct jw *w = jw_new (true);
  jw_obj_open (w);
  jw_kstr (w, "version", "0.8.0-alpha");
  unused_names (w, l);
  learnt_filesystem (w, p, &l->fs);
  jw_key (w, "network");
  jw_obj_open (w);
  jw_key (w, "egress");
  jw_obj_open (w);
  jw_kstr (w, "default", "deny");
  jw_key (w, "allow");
  jw_arr_open (w);
  for (size_t i = 0, j; i < l->n; i = j)
    {
      for (j = i + 1; j < l->n && same_peer (&l->v[i], &l->v[j]); j++)
        ;
      rule (w, &l->v[i], j - i);
    }
  jw_arr_close (w);
  jw_obj_close (w);
  if (l->serves)
    {
      jw_key (w, "ingress");
      jw_obj_open (w);
      jw_kstr (w, "default", "allow");
      jw_obj_close (w);
    }
  dns (w, p);
  jw_obj_close (w);
  jw_obj_close (w);
  char *out = NULL;
  size_t len;
  return jw_finish (w, &out, &len) < 0 ? NULL : out;
}

static void
learnt_clear (struct learnt *l)
{
  for (size_t i = 0; i < l->n; i++)
    {
      free (l->v[i].name);
      free (l->v[i].address);
      free (l->v[i].protocol);
    }
  for (size_t i = 0; i < l->n_names; i++)
    free (l->names[i]);
  for (size_t i = 0; i < l->n_paths; i++)
    free ((char *) l->paths[i].path);
  free (l->v);
  free (l->names);
  free (l->paths);
  learn_fs_clear (&l->fs);
}

int
policy_learn_write (const char *root, const char *id,
                    const struct agent_policy *p, const char *out,
                    struct werr *err)
{
  struct learnt l = { 0 };
  int r = read_audit (root, id, &l, err);
  _cleanup_free_ char *json = r == 0 ? learnt_policy (p, &l) : NULL;
  learnt_clear (&l);
  if (r < 0)
    return -1;
  if (json == NULL)
    return werr_set (err, 0, "learn: the learnt policy (a bug)");
  _cleanup_free_ char *text = xasprintf ("%s\n", json);
  _cleanup_close_ int fd
      = open (out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || write_all (fd, text, strlen (text)) < 0)
    return werr_set (err, errno, "learn: write `%s`", out);
  return 0;
}
