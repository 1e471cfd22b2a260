/* ward — compile, filesystem part: the policy's paths plus ward's system
 * baseline into Landlock rules, masks for denied paths and read-only
 * remounts.
 *
 * The baseline is what MXC's bubblewrap backend gives every sandbox: the
 * system directories read-only, a few device nodes and /tmp read-write.
 * A baseline entry only ever widens: it is dropped where the policy already
 * grants as much or more, or denies. */
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "utils.h"
#include "ward/cleanup.h"

static const struct
{
  const char *path;
  enum pol_fs_access access;
} baseline[] = {
  { "/bin", POL_FS_RO },         { "/sbin", POL_FS_RO },
  { "/lib", POL_FS_RO },         { "/lib32", POL_FS_RO },
  { "/lib64", POL_FS_RO },       { "/libx32", POL_FS_RO },
  { "/usr/bin", POL_FS_RO },     { "/usr/sbin", POL_FS_RO },
  { "/usr/lib", POL_FS_RO },     { "/usr/lib32", POL_FS_RO },
  { "/usr/lib64", POL_FS_RO },   { "/usr/libx32", POL_FS_RO },
  { "/usr/libexec", POL_FS_RO }, { "/usr/share", POL_FS_RO },
  { "/etc", POL_FS_RO },         { "/proc", POL_FS_RO },
  { "/dev/null", POL_FS_RW },    { "/dev/zero", POL_FS_RW },
  { "/dev/full", POL_FS_RW },    { "/dev/random", POL_FS_RW },
  { "/dev/urandom", POL_FS_RW }, { "/dev/tty", POL_FS_RW },
  { "/dev/console", POL_FS_RW }, { "/dev/pts", POL_FS_RW },
  { "/dev/ptmx", POL_FS_RW },    { "/dev/shm", POL_FS_RW },
  { "/tmp", POL_FS_RW },
};

/* Every filesystem right the Landlock ABI `abi` knows. */
static uint64_t
rights_of_abi (int abi)
{
  uint64_t r = (PLAN_FS_MAKE_SYM << 1) - 1; /* ABI 1: bits 0..12 */
  if (abi >= 2)
    r |= PLAN_FS_REFER;
  if (abi >= 3)
    r |= PLAN_FS_TRUNCATE;
  if (abi >= 5)
    r |= PLAN_FS_IOCTL_DEV;
  return r;
}

static uint64_t
rights_for (enum pol_fs_access a, uint64_t handled)
{
  switch (a)
    {
    case POL_FS_RW:
      return handled;
    case POL_FS_RO:
      return PLAN_FS_RO_RIGHTS & handled;
    case POL_FS_DENY:
    default:
      return 0;
    }
}

static int
cmp_rule (const void *a, const void *b)
{
  return strcmp (((const struct plan_fs_rule *) a)->path,
                 ((const struct plan_fs_rule *) b)->path);
}

/* The policy's own entry for `path` after "deny wins, then read-only" on
 * equal paths; NULL when the policy has none. */
static const struct pol_fs_entry *
strictest (const struct agent_policy *p, const char *path)
{
  const struct pol_fs_entry *best = NULL;
  for (size_t i = 0; i < p->n_fs; i++)
    if (strcmp (p->fs[i].path, path) == 0
        && (best == NULL || p->fs[i].access > best->access))
      best = &p->fs[i];
  return best;
}

/* The policy entry that decides for `path`: the longest path at or above. */
static const struct pol_fs_entry *
deciding (const struct agent_policy *p, const char *path)
{
  const struct pol_fs_entry *best = NULL;
  for (size_t i = 0; i < p->n_fs; i++)
    if (pol_path_under (path, p->fs[i].path)
        && (best == NULL || strlen (p->fs[i].path) > strlen (best->path)))
      best = strictest (p, p->fs[i].path);
  return best;
}

static void
rule_add (struct policy_plan *plan, const char *path, enum pol_fs_access a,
          const char *where, bool base)
{
  struct plan_fs *fs = &plan->fs;
  fs->rules = realloc (fs->rules, (fs->n_rules + 1) * sizeof *fs->rules);
  if (fs->rules == NULL)
    abort ();
  fs->rules[fs->n_rules++]
      = (struct plan_fs_rule){ .path = xstrdup (path),
                               .kind = a,
                               .access = rights_for (a, fs->handled),
                               .baseline = base,
                               .where = xstrdup (where) };
}

/* Denied directories are masked: nothing below one can be granted. */
static int
check_under_denied (const struct agent_policy *p, struct werr *err)
{
  for (size_t i = 0; i < p->n_fs; i++)
    for (size_t j = 0; j < p->n_fs; j++)
      if (p->fs[j].access == POL_FS_DENY && p->fs[i].access != POL_FS_DENY
          && strcmp (p->fs[i].path, p->fs[j].path) != 0
          && pol_path_under (p->fs[i].path, p->fs[j].path))
        return werr_set (err, 0,
                         "policy: %s: \"%s\" is under \"%s\", which "
                         "%s denies: a denied directory is masked, "
                         "nothing below it can be granted",
                         p->fs[i].where, p->fs[i].path, p->fs[j].path,
                         p->fs[j].where);
  return 0;
}

/* /proc's entries come and go with processes: carving a denied path out
 * of it would leave every later process's /proc/<pid> without a rule. */
static int
check_proc (const struct agent_policy *p, struct werr *err)
{
  const struct pol_fs_entry *proc = deciding (p, "/proc");
  if (proc && proc->access == POL_FS_DENY)
    return 0;
  for (size_t i = 0; i < p->n_fs; i++)
    if (p->fs[i].access == POL_FS_DENY && strcmp (p->fs[i].path, "/proc") != 0
        && pol_path_under (p->fs[i].path, "/proc"))
      return werr_set (err, 0,
                       "policy: %s: \"%s\": a path inside /proc cannot "
                       "be carved out by Landlock (its entries come and "
                       "go); mask it with the bundle's "
                       "linux.maskedPaths, or deny /proc",
                       p->fs[i].where, p->fs[i].path);
  return 0;
}

static void
collect_rules (struct policy_plan *plan, const struct agent_policy *p)
{
  for (size_t i = 0; i < p->n_fs; i++)
    {
      const struct pol_fs_entry *e = strictest (p, p->fs[i].path);
      if (e == &p->fs[i])
        rule_add (plan, e->path, e->access, e->where, false);
    }
  for (size_t i = 0; i < ARRAY_SIZE (baseline); i++)
    {
      const struct pol_fs_entry *d = deciding (p, baseline[i].path);
      /* Only where it widens: nothing decides, or the policy grants less
       * (and does not deny). */
      if (d == NULL
          || (d->access != POL_FS_DENY && d->access > baseline[i].access))
        rule_add (plan, baseline[i].path, baseline[i].access, "baseline", true);
    }
  qsort (plan->fs.rules, plan->fs.n_rules, sizeof *plan->fs.rules, cmp_rule);
}

static void
strv_push (char ***v, size_t *n, const char *s)
{
  *v = realloc (*v, (*n + 2) * sizeof **v);
  if (*v == NULL)
    abort ();
  (*v)[(*n)++] = xstrdup (s);
  (*v)[*n] = NULL;
}

/* Read-only entries of the policy are also remounted read-only, unless a
 * writable entry lies below (a read-only bind would cover it). */
static void
collect_mounts (struct policy_plan *plan)
{
  const struct plan_fs *fs = &plan->fs;
  for (size_t i = 0; i < fs->n_rules; i++)
    {
      const struct plan_fs_rule *r = &fs->rules[i];
      if (r->kind == POL_FS_DENY)
        strv_push (&plan->masks, &plan->n_masks, r->path);
      if (r->kind != POL_FS_RO || r->baseline)
        continue;
      bool rw_below = false;
      for (size_t j = 0; j < fs->n_rules && !rw_below; j++)
        rw_below = fs->rules[j].kind == POL_FS_RW
                   && pol_path_under (fs->rules[j].path, r->path);
      if (!rw_below)
        strv_push (&plan->ro_remounts, &plan->n_ro_remounts, r->path);
    }
}

static int
check_abi (struct policy_plan *plan, struct werr *err)
{
  int abi = plan->host.landlock_abi;
  if (abi == 0)
    {
      if (plan_need (plan, "filesystem", err,
                     "needs Landlock, which this kernel does not have")
          < 0)
        return -1;
      return 0;
    }
  if (abi < 3
      && plan_need (plan, "filesystem", err,
                    "needs Landlock ABI 3 to keep read-only paths from being "
                    "truncated (this kernel has ABI %d)",
                    abi)
             < 0)
    return -1;
  plan->fs.landlock = true;
  return 0;
}

int
compile_fs (struct policy_plan *plan, const struct agent_policy *p,
            struct werr *err)
{
  struct plan_fs *fs = &plan->fs;
  if (check_under_denied (p, err) < 0 || check_proc (p, err) < 0)
    return -1;
  if (plan->audit)
    {
      /* Landlock has no log-only mode: audit mode does not restrict. */
      return 0;
    }
  if (check_abi (plan, err) < 0)
    return -1;
  fs->abi = plan->host.landlock_abi;
  fs->handled = fs->landlock ? rights_of_abi (fs->abi) : 0;
  collect_rules (plan, p);
  collect_mounts (plan);
  fs->scope_signal = fs->scope_abstract_unix = fs->landlock && fs->abi >= 6;
  /* The agent's denials come after the init's exec: without this ABI 7
   * would report none of them (audit_kernel.c reads them when audit is
   * on). */
  fs->log_new_exec = fs->landlock && fs->abi >= 7;
  return 0;
}
