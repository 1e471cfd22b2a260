/* ward — the unified (cgroup2) hierarchy: on pure v2 hosts everything; on
 * hybrid hosts membership, cgroup.kill, cgroup.freeze, `unified` keys, the
 * controllers only cgroup2 has there (hugetlb on this machine) and the BPF
 * device program when no v1 devices controller enforces the rules, the
 * rest staying on v1 (cgroup_resources.c decides).  The values come from
 * cgroup_v2_plan.c. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_internal.h"
#include "log.h"
#include "utils.h"
#include "ward/cleanup.h"

/* ---- cpu.shares → cpu.weight (runc's quadratic fit, without libm) ------- */

static double
ln_approx (double x)
{
  /* x = m * 2^e with m in [1, 2); ln m = 2 atanh ((m - 1) / (m + 1)). */
  int e = 0;
  while (x >= 2.0)
    {
      x /= 2.0;
      e++;
    }
  double t = (x - 1.0) / (x + 1.0), t2 = t * t, term = t, sum = 0.0;
  for (int k = 1; k < 60; k += 2)
    {
      sum += term / k;
      term *= t2;
    }
  return 2.0 * sum + e * 0.69314718055994530942;
}

static double
exp_approx (double z)
{
  const double ln2 = 0.69314718055994530942;
  int k = (int) (z / ln2 + (z >= 0 ? 0.5 : -0.5));
  double r = z - k * ln2, term = 1.0, sum = 1.0;
  for (int i = 1; i < 30; i++)
    {
      term *= r / i;
      sum += term;
    }
  for (; k > 0; k--)
    sum *= 2.0;
  for (; k < 0; k++)
    sum /= 2.0;
  return sum;
}

uint64_t
cgroup_shares_to_weight (uint64_t shares)
{
  if (shares == 0)
    return 0;
  if (shares <= 2)
    return 1;
  if (shares >= 262144)
    return 10000;
  double l = ln_approx ((double) shares) / 0.69314718055994530942;
  double exponent = (l * l + 125.0 * l) / 612.0 - 7.0 / 34.0;
  double v = exp_approx (exponent * 2.30258509299404568402);
  uint64_t whole = (uint64_t) v;
  /* ceil, but a value within rounding noise of an integer is that integer
   * (1024 shares must give exactly the default weight 100). */
  return v - (double) whole > 1e-9 ? whole + 1 : whole;
}

/* ---- creation: enable the controllers on the way down ------------------- */

/* Pure v2: a controller's files appear in a cgroup only when its parent
 * lists it in cgroup.subtree_control.  Enable every available one, one at a
 * time if all at once fails (a parent with processes refuses, as runc
 * tolerates). */
static int
v2_prepare_dir (const struct cgroup_mgr *mgr, struct cgroup_hier *h,
                const char *dir, bool created, struct werr *err)
{
  if (mgr->mode != CGROUP_MODE_UNIFIED)
    return 0;
  _cleanup_free_ char *parent = xstrdup (dir);
  *strrchr (parent, '/') = '\0';
  _cleanup_free_ char *avail = NULL;
  struct werr ignored = { 0 };
  if (cgroup_read (parent, "cgroup.controllers", &avail, &ignored) < 0
      || *avail == '\0')
    return 0;
  _cleanup_free_ char *all = xmalloc0 (2 * strlen (avail) + 2);
  for (char *save = NULL, *c = strtok_r (avail, " ", &save); c;
       c = strtok_r (NULL, " ", &save))
    {
      if (*all)
        strcat (all, " ");
      strcat (all, "+");
      strcat (all, c);
    }
  if (cgroup_write (parent, "cgroup.subtree_control", all, &ignored) == 0)
    return 0;
  for (char *save = NULL, *c = strtok_r (all, " ", &save); c;
       c = strtok_r (NULL, " ", &save))
    cgroup_write (parent, "cgroup.subtree_control", c, &ignored);
  return 0;
}

/* ---- resources ------------------------------------------------------------ */

static bool
word_in (const char *list, const char *word)
{
  size_t n = strlen (word);
  for (const char *s = list; s && *s;)
    {
      s += strspn (s, " \n");
      size_t len = strcspn (s, " \n");
      if (len == n && strncmp (s, word, n) == 0)
        return true;
      s += len;
    }
  return false;
}

/* Whether `ctrl` is enabled for the cgroup `dir` (its cgroup.controllers). */
static bool
has_v2_controller (const char *dir, const char *ctrl)
{
  _cleanup_free_ char *avail = NULL;
  struct werr ignored = { 0 };
  return cgroup_read (dir, "cgroup.controllers", &avail, &ignored) == 0
         && word_in (avail, ctrl);
}

int
cgroup_v2_enable (const struct cgroup_hier *h, const char *ctrl,
                  struct werr *err)
{
  if (has_v2_controller (h->path, ctrl))
    return 0;
  if (!has_v2_controller (h->mount, ctrl))
    return werr_set (err, 0,
                     "the %s controller is not available on the "
                     "cgroup2 hierarchy `%s`",
                     ctrl, h->mount);
  _cleanup_free_ char *dir = xstrdup (h->mount);
  _cleanup_free_ char *plus = xasprintf ("+%s", ctrl);
  /* Down from the root: each parent hands the controller to its children
   * (cgroup.subtree_control). */
  for (const char *s = h->path + strlen (h->mount); *s == '/';)
    {
      const char *e = strchrnul (s + 1, '/');
      _cleanup_free_ char *sub = xasprintf ("%s%.*s", dir, (int) (e - s), s);
      if (!has_v2_controller (sub, ctrl)
          && cgroup_write (dir, "cgroup.subtree_control", plus, err) < 0)
        return werr_prefix (err, "enable the %s controller", ctrl);
      free (dir);
      dir = take_ptr (&sub);
      s = e;
    }
  return 0;
}

/* The file is missing: because its controller is not enabled here? */
static int
missing_file (const struct cgroup_mgr *mgr, const struct cgroup_hier *h,
              const struct cg_write *w, struct werr *err)
{
  _cleanup_free_ char *ctrl = strndup (w->file, strcspn (w->file, "."));
  if (ctrl && strcmp (ctrl, "cgroup") != 0
      && !has_v2_controller (h->path, ctrl))
    return werr_set (err, 0,
                     "linux.resources.%s: %s not available (the %s "
                     "controller is not enabled on cgroup v2%s)",
                     w->field, w->file, ctrl,
                     mgr->mode == CGROUP_MODE_HYBRID
                         ? "; on this hybrid host it is on v1 or absent"
                         : "");
  return cgroup_res_write (h->path, w->file, w->value, w->field, err);
}

static int
run_write (const struct cgroup_mgr *mgr, struct cgroup_hier *h,
           const struct cg_write *w, struct werr *err)
{
  const char *ctrl = w->ctrl;
  _cleanup_free_ char *prefix = NULL;
  if (ctrl == NULL && mgr->mode == CGROUP_MODE_HYBRID)
    ctrl = prefix = strndup (w->file, strcspn (w->file, "."));
  /* Hybrid hosts: the controller may live only on cgroup2 (hugetlb here). */
  if (ctrl && mgr->mode == CGROUP_MODE_HYBRID && strcmp (ctrl, "cgroup") != 0
      && has_v2_controller (h->mount, ctrl)
      && cgroup_v2_enable (h, ctrl, err) < 0)
    return werr_prefix (err, "linux.resources.%s", w->field);
  if (w->ctrl && !has_v2_controller (h->path, w->ctrl))
    return werr_set (err, 0,
                     "linux.resources.%s: %s not available (the %s "
                     "controller is not enabled on cgroup v2)",
                     w->field, w->file, w->ctrl);
  if (cgroup_has_file (h->path, w->file))
    return cgroup_res_write (h->path, w->file, w->value, w->field, err);
  if (w->alt_file && cgroup_has_file (h->path, w->alt_file))
    return cgroup_res_write (h->path, w->alt_file, w->alt_value, w->field, err);
  if (w->optional)
    return 0;
  return missing_file (mgr, h, w, err);
}

static int
v2_apply_devices (const struct cgroup_mgr *mgr, struct cgroup_hier *h,
                  const struct oci_resources *res, struct werr *err)
{
  struct cgroup_dev_policy pol;
  if (cgroup_dev_policy_build (res ? res->devices : NULL,
                               res ? res->n_devices : 0, &pol, err)
      < 0)
    return -1;
  int r = cgroup_bpf_dev_apply (h->path, &pol, err);
  cgroup_dev_policy_free (&pol);
  return r < 0 ? werr_prefix (err, "linux.resources.devices") : 0;
}

static int
v2_apply_resources (const struct cgroup_mgr *mgr, struct cgroup_hier *h,
                    const struct cgroup_apply *a, struct werr *err)
{
  /* Security: on cgroup v2 the device rules exist only as this program;
   * rootless cannot load it (and has no device access to lose). */
  if ((a->groups & (1u << CG_RES_DEVICES)) && !mgr->rootless
      && v2_apply_devices (mgr, h, a->res, err) < 0)
    return -1;
  const struct oci_resources *res = a->res;
  if (res == NULL)
    return 0;
  if ((a->groups & (1u << CG_RES_MEMORY)) && res->memory.has_kernel
      && res->memory.kernel != 0)
    log_warn ("linux.resources.memory.kernel: ignored (cgroup v2 has no "
              "kernel memory limit)");
  _cleanup_free_ char *cur_cpu_max = NULL;
  if (a->update && (a->groups & (1u << CG_RES_CPU)))
    {
      struct werr ignored = { 0 };
      cgroup_read (h->path, "cpu.max", &cur_cpu_max, &ignored);
    }
  if (a->update && (a->groups & (1u << CG_RES_MEMORY))
      && cgroup_check_memory_usage (h->path, "memory.current", res, err) < 0)
    return -1;
  struct cg_plan plan;
  if (cgroup_v2_plan (res, a->groups, a->update, cur_cpu_max, &plan, err) < 0)
    return -1;
  int r = 0;
  for (size_t i = 0; r == 0 && i < plan.n; i++)
    r = run_write (mgr, h, &plan.v[i], err);
  cgroup_plan_free (&plan);
  return r;
}

/* ---- signals and freezing ---------------------------------------------------- */

/* cgroup.kill (Linux 5.14+) SIGKILLs the whole subtree atomically: no walk,
 * no race with fork. */
static int
v2_kill_all (const struct cgroup_mgr *mgr, struct cgroup_hier *h, int sig,
             struct werr *err)
{
  if (sig != SIGKILL || !cgroup_has_file (h->path, "cgroup.kill"))
    return 0;
  if (cgroup_write (h->path, "cgroup.kill", "1", err) < 0)
    return err->errnum == ENOENT ? 0 : -1;
  return 1;
}

/* cgroup.events says "frozen 1" once every task has stopped. */
static const struct cgroup_freezer v2_freezer = {
  .ctl = "cgroup.freeze",
  .freeze = "1",
  .thaw = "0",
  .watch = "cgroup.events",
  .frozen_says = "frozen 1",
  .thawed_says = "frozen 0",
};

static int
v2_freeze (struct cgroup_hier *h, bool frozen, int timeout_ms, struct werr *err)
{
  _cleanup_free_ char *cur = NULL;
  struct werr none = { 0 };
  if (cgroup_read (h->path, v2_freezer.ctl, &cur, &none) < 0)
    {
      if (none.errnum == ENOENT)
        return 0;
      *err = none;
      return -1;
    }
  return cgroup_freezer_set (h, &v2_freezer, cur, frozen, timeout_ms, err);
}

static int
v2_is_frozen (struct cgroup_hier *h, bool *frozen, struct werr *err)
{
  if (!cgroup_has_file (h->path, v2_freezer.ctl))
    return 0;
  return cgroup_freezer_get (h, &v2_freezer, frozen, err);
}

const struct cgroup_ops cgroup_v2_ops = {
  .name = "cgroup v2",
  .prepare_dir = v2_prepare_dir,
  .apply_resources = v2_apply_resources,
  .kill_all = v2_kill_all,
  .freeze = v2_freeze,
  .is_frozen = v2_is_frozen,
};
