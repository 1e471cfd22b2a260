/* ward — Landlock, applied in the container's init (raw syscalls, no
 * library), with the highest ABI the kernel has.
 *
 * Landlock only grants: a rule on a directory gives its rights to every
 * path beneath it, and rules along a path add up.  A stricter entry below a
 * more permissive one (a denied /workspace/secret under a read-write
 * /workspace, a read-only /workspace/ref under it) therefore cannot be
 * expressed by a rule on the parent.  ward carves instead: the parent
 * itself only gets the rights both share (for a denied entry: listing the
 * directory, whose denied child is masked by an empty tmpfs or /dev/null),
 * and each of its existing entries gets the parent's rights on its own,
 * recursively down to the stricter entry.
 *
 * What this means for entries that appear later (docs/policy.md):
 *   - in a directory on the way down to a stricter entry, nothing can be
 *     created, removed or renamed (EACCES): the directory has no MAKE_* or
 *     REMOVE_* right of its own;
 *   - an entry created there by someone outside the sandbox after the
 *     container started (through a bind mount from the host) gets no rule,
 *     so the agent cannot open it;
 *   - below each granted entry everything behaves normally, new files
 *     included.
 * Symlinks are followed for the policy's own paths (the rule goes to the
 * target, as for a mask) and never for the entries granted one by one (a
 * link's target is governed by where it lives). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"
#include "utils.h"
#include "ward/cleanup.h"

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

/* The kernel's UAPI (linux/landlock.h), spelled out for ABIs newer than
 * the build host's headers. */
struct ll_ruleset_attr
{
  uint64_t handled_access_fs;
  uint64_t handled_access_net; /* ABI 4 */
  uint64_t scoped;             /* ABI 6 */
};

struct ll_path_beneath
{
  uint64_t allowed_access;
  int32_t parent_fd;
} __attribute__ ((packed));

struct ll_net_port
{
  uint64_t allowed_access;
  uint64_t port;
};

#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2
#define LL_ACCESS_NET_BIND_TCP (1ULL << 0)
#define LL_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LL_SCOPE_SIGNAL (1ULL << 1)
#define LL_RESTRICT_SELF_LOG_NEW_EXEC_ON (1U << 1)

#define LL_FILE_RIGHTS                                                         \
  (PLAN_FS_EXECUTE | PLAN_FS_WRITE_FILE | PLAN_FS_READ_FILE | PLAN_FS_TRUNCATE \
   | PLAN_FS_IOCTL_DEV)
#define LL_MAX_RULES 65536

struct ll_entry
{
  char *path; /* canonical, inside the container */
  uint64_t rights;
};

struct ll_state
{
  int ruleset;
  struct ll_entry *e;
  size_t n;
  size_t rules;
  struct werr *err;
};

static int
add_rule_fd (struct ll_state *s, int fd, uint64_t rights, const char *path)
{
  struct stat st;
  if (fstat (fd, &st) < 0)
    return werr_set (s->err, errno, "landlock: stat `%s`", path);
  if (!S_ISDIR (st.st_mode))
    rights &= LL_FILE_RIGHTS;
  if (rights == 0)
    return 0;
  if (++s->rules > LL_MAX_RULES)
    return werr_set (s->err, 0, "landlock: more than %d rules (carving `%s`)",
                     LL_MAX_RULES, path);
  struct ll_path_beneath pb = { .allowed_access = rights, .parent_fd = fd };
  if (syscall (SYS_landlock_add_rule, s->ruleset, LL_RULE_PATH_BENEATH, &pb, 0)
      < 0)
    return werr_set (s->err, errno, "landlock_add_rule `%s`", path);
  return 0;
}

static int
add_rule (struct ll_state *s, const char *path, uint64_t rights, bool follow)
{
  if (rights == 0)
    return 0;
  _cleanup_close_ int fd
      = open (path, O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
  if (fd < 0)
    {
      if (errno == ENOENT || errno == ELOOP)
        return 0; /* gone, or a symlink we do not follow */
      return werr_set (s->err, errno, "landlock: open `%s`", path);
    }
  return add_rule_fd (s, fd, rights, path);
}

static const struct ll_entry *
entry_at (const struct ll_state *s, const char *path)
{
  for (size_t i = 0; i < s->n; i++)
    if (strcmp (s->e[i].path, path) == 0)
      return &s->e[i];
  return NULL;
}

static bool
strictly_under (const char *path, const char *dir)
{
  return strcmp (path, dir) != 0 && pol_path_under (path, dir);
}

/* The rights `dir` may hold itself when stricter entries lie below it:
 * what `r` shares with each of them, plus listing. */
static bool
chain_rights (const struct ll_state *s, const char *dir, uint64_t r,
              uint64_t *chain)
{
  bool stricter = false;
  uint64_t c = r;
  for (size_t i = 0; i < s->n; i++)
    if (strictly_under (s->e[i].path, dir) && (s->e[i].rights & r) != r)
      {
        stricter = true;
        c &= s->e[i].rights | PLAN_FS_READ_DIR;
      }
  *chain = c;
  return stricter;
}

/* Is `path` an ancestor of some entry? */
static bool
on_a_chain (const struct ll_state *s, const char *path)
{
  for (size_t i = 0; i < s->n; i++)
    if (strictly_under (s->e[i].path, path))
      return true;
  return false;
}

static int grant (struct ll_state *s, const char *path, uint64_t r, int depth);

/* Entries below `path` with no other entry in between. */
static int
grant_children_entries (struct ll_state *s, const char *path, int depth)
{
  for (size_t i = 0; i < s->n; i++)
    {
      if (!strictly_under (s->e[i].path, path))
        continue;
      bool direct = true;
      for (size_t j = 0; j < s->n && direct; j++)
        direct = !(strictly_under (s->e[j].path, path)
                   && strictly_under (s->e[i].path, s->e[j].path));
      if (direct && grant (s, s->e[i].path, s->e[i].rights, depth + 1) < 0)
        return -1;
    }
  return 0;
}

static int
carve (struct ll_state *s, const char *dir, uint64_t r, int depth)
{
  _cleanup_close_ int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return errno == ENOENT || errno == ENOTDIR
               ? 0
               : werr_set (s->err, errno, "landlock: open `%s`", dir);
  DIR *d = fdopendir (dfd);
  if (d == NULL)
    return werr_set (s->err, errno, "landlock: list `%s`", dir);
  dfd = -1;
  int rc = 0;
  struct dirent *de;
  while (rc == 0 && (de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      _cleanup_free_ char *child = strcmp (dir, "/") == 0
                                       ? xasprintf ("/%s", de->d_name)
                                       : xasprintf ("%s/%s", dir, de->d_name);
      const struct ll_entry *e = entry_at (s, child);
      if (e)
        rc = grant (s, child, e->rights, depth + 1);
      else if (on_a_chain (s, child))
        rc = grant (s, child, r, depth + 1);
      else
        rc = add_rule (s, child, r, false);
    }
  closedir (d);
  return rc;
}

/* Give `path` and everything beneath it the rights `r`, except what the
 * entries below ask to be stricter (carved) or wider (their own rules). */
static int
grant (struct ll_state *s, const char *path, uint64_t r, int depth)
{
  if (depth > 64)
    return werr_set (s->err, ELOOP, "landlock: `%s` nested too deep", path);
  uint64_t chain;
  if (!chain_rights (s, path, r, &chain))
    {
      if (add_rule (s, path, r, true) < 0)
        return -1;
      return grant_children_entries (s, path, depth);
    }
  if (add_rule (s, path, chain, true) < 0)
    return -1;
  return carve (s, path, r, depth);
}

static int
resolve_one (struct ll_state *s, const char *path, uint64_t rights,
             const char *where)
{
  char *real = realpath (path, NULL);
  if (real == NULL)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        return 0;
      return werr_set (s->err, errno, "landlock: resolve `%s` (%s)", path,
                       where);
    }
  for (size_t j = 0; j < s->n; j++)
    if (strcmp (s->e[j].path, real) == 0)
      {
        s->e[j].rights &= rights;
        free (real);
        return 0;
      }
  s->e[s->n++] = (struct ll_entry){ .path = real, .rights = rights };
  return 0;
}

/* The plan's paths and the extra denied ones, resolved inside the
 * container; missing ones dropped.  Two paths naming one object keep the
 * stricter access. */
static int
resolve_entries (struct ll_state *s, const struct plan_fs *fs,
                 char *const *extra, size_t n_extra)
{
  s->e = xmalloc0 ((fs->n_rules + n_extra + 1) * sizeof *s->e);
  for (size_t i = 0; i < fs->n_rules; i++)
    if (resolve_one (s, fs->rules[i].path, fs->rules[i].access,
                     fs->rules[i].where)
        < 0)
      return -1;
  for (size_t i = 0; i < n_extra; i++)
    if (resolve_one (s, extra[i], 0, "alias of a denied path") < 0)
      return -1;
  return 0;
}

static int
top_level_grants (struct ll_state *s)
{
  for (size_t i = 0; i < s->n; i++)
    {
      bool top = true;
      for (size_t j = 0; j < s->n && top; j++)
        top = !strictly_under (s->e[i].path, s->e[j].path);
      if (top && grant (s, s->e[i].path, s->e[i].rights, 0) < 0)
        return -1;
    }
  return 0;
}

static int
create_ruleset (const struct policy_plan *plan, struct werr *err)
{
  struct ll_ruleset_attr attr = { 0 };
  size_t size = sizeof attr.handled_access_fs;
  if (plan->fs.landlock)
    attr.handled_access_fs = plan->fs.handled;
  if (plan->net.landlock_tcp)
    attr.handled_access_net |= LL_ACCESS_NET_CONNECT_TCP;
  if (plan->net.landlock_bind)
    attr.handled_access_net |= LL_ACCESS_NET_BIND_TCP;
  if (attr.handled_access_net)
    size = offsetof (struct ll_ruleset_attr, scoped);
  if (plan->fs.scope_signal)
    {
      attr.scoped = LL_SCOPE_SIGNAL | LL_SCOPE_ABSTRACT_UNIX_SOCKET;
      size = sizeof attr;
    }
  int fd = (int) syscall (SYS_landlock_create_ruleset, &attr, size, 0);
  if (fd < 0)
    return werr_set (err, errno, "landlock_create_ruleset (ABI %d)",
                     plan->fs.abi);
  return fd;
}

static int
add_net_rules (int ruleset, const struct plan_net *n, struct werr *err)
{
  for (size_t i = 0; n->landlock_tcp && i < n->n_tcp_ports; i++)
    {
      struct ll_net_port np = { .allowed_access = LL_ACCESS_NET_CONNECT_TCP,
                                .port = n->tcp_ports[i] };
      if (syscall (SYS_landlock_add_rule, ruleset, LL_RULE_NET_PORT, &np, 0)
          < 0)
        return werr_set (err, errno, "landlock_add_rule tcp port %u",
                         n->tcp_ports[i]);
    }
  /* Port 0 is the kernel choosing an ephemeral port: no server to reach. */
  struct ll_net_port any
      = { .allowed_access = LL_ACCESS_NET_BIND_TCP, .port = 0 };
  if (n->landlock_bind
      && syscall (SYS_landlock_add_rule, ruleset, LL_RULE_NET_PORT, &any, 0)
             < 0)
    return werr_set (err, errno, "landlock_add_rule tcp bind port 0");
  return 0;
}

int
policy_landlock_apply (const struct policy_plan *plan, char *const *extra,
                       size_t n_extra, struct werr *err)
{
  if (!plan->fs.landlock && !plan->net.landlock_tcp && !plan->net.landlock_bind)
    return 0;
  struct ll_state s = { .err = err };
  s.ruleset = create_ruleset (plan, err);
  if (s.ruleset < 0)
    return -1;
  int rc = -1;
  if (plan->fs.landlock
      && (resolve_entries (&s, &plan->fs, extra, n_extra) < 0
          || top_level_grants (&s) < 0))
    goto out;
  if (add_net_rules (s.ruleset, &plan->net, err) < 0)
    goto out;
  /* ABI 7 logs a domain's denials (when kernel audit is on) only until the
   * first execve unless asked: the agent is what the init execs next, and
   * its denials are the ones the audit stream is for (audit_kernel.c). */
  unsigned flags = plan->fs.log_new_exec ? LL_RESTRICT_SELF_LOG_NEW_EXEC_ON : 0;
  /* From here on this process and everything it execs or forks is confined
   * to the rules above; there is no way back. */
  if (syscall (SYS_landlock_restrict_self, s.ruleset, flags) < 0)
    {
      werr_set (err, errno, "landlock_restrict_self");
      goto out;
    }
  rc = 0;
out:
  for (size_t i = 0; i < s.n; i++)
    free (s.e[i].path);
  free (s.e);
  close (s.ruleset);
  return rc;
}
