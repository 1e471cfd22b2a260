/* ward — process attributes applied in the container init: the checks in
 * the parent, then rlimits, oom_score_adj, personality, I/O priority and
 * scheduler early in the init, and credentials + seccomp last. */
#include "proc_attrs.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "apparmor.h"
#include "caps.h"
#include "rlimits.h"
#include "seccomp_profile.h"
#include "selinux_label.h"
#include "sync.h"
#include "sysctl.h"
#include "user.h"
#include "utils.h"
#include "ward/cleanup.h"

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
#define WARD_SCHED_ISO 4 /* reserved by the kernel, named by the spec */
#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_WHO_PROCESS 1

/* <linux/sched/types.h> clashes with glibc's <sched.h>; this is its
 * SCHED_ATTR_SIZE_VER1 layout. */
struct ward_sched_attr
{
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
  uint32_t sched_util_min;
  uint32_t sched_util_max;
};

static const struct
{
  const char *name;
  int value;
} sched_policies[] = {
  { "SCHED_OTHER", SCHED_OTHER },
  { "SCHED_FIFO", SCHED_FIFO },
  { "SCHED_RR", SCHED_RR },
  { "SCHED_BATCH", SCHED_BATCH },
  { "SCHED_ISO", WARD_SCHED_ISO },
  { "SCHED_IDLE", SCHED_IDLE },
  { "SCHED_DEADLINE", SCHED_DEADLINE },
};

static const struct
{
  const char *name;
  uint64_t value;
} sched_flags[] = {
  { "SCHED_FLAG_RESET_ON_FORK", 0x01 },  { "SCHED_FLAG_RECLAIM", 0x02 },
  { "SCHED_FLAG_DL_OVERRUN", 0x04 },     { "SCHED_FLAG_KEEP_POLICY", 0x08 },
  { "SCHED_FLAG_KEEP_PARAMS", 0x10 },    { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
  { "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
};

static const struct
{
  const char *name;
  int value;
} ioprio_classes[] = {
  { "IOPRIO_CLASS_RT", 1 },
  { "IOPRIO_CLASS_BE", 2 },
  { "IOPRIO_CLASS_IDLE", 3 },
};

static int
sched_policy_from_name (const char *name)
{
  for (size_t i = 0; name && i < ARRAY_SIZE (sched_policies); i++)
    if (strcmp (name, sched_policies[i].name) == 0)
      return sched_policies[i].value;
  return -1;
}

static int
sched_flag_from_name (const char *name, uint64_t *out)
{
  for (size_t i = 0; name && i < ARRAY_SIZE (sched_flags); i++)
    if (strcmp (name, sched_flags[i].name) == 0)
      {
        *out = sched_flags[i].value;
        return 0;
      }
  return -1;
}

static int
ioprio_class_from_name (const char *name)
{
  for (size_t i = 0; name && i < ARRAY_SIZE (ioprio_classes); i++)
    if (strcmp (name, ioprio_classes[i].name) == 0)
      return ioprio_classes[i].value;
  return -1;
}

static int
personality_from_domain (const char *domain)
{
  if (domain == NULL)
    return -1;
  if (strcmp (domain, "LINUX") == 0)
    return PER_LINUX;
  if (strcmp (domain, "LINUX32") == 0)
    return PER_LINUX32;
  return -1;
}

/* ---- validation (parent) --------------------------------------------- */

static int
validate_scheduler (const struct oci_scheduler *s, struct werr *err)
{
  int policy = sched_policy_from_name (s->policy);
  if (policy < 0)
    return werr_set (err, 0,
                     "config.json: process.scheduler.policy: unknown policy "
                     "\"%s\"",
                     s->policy ? s->policy : "");
  if (s->nice < -20 || s->nice > 19)
    return werr_set (err, 0,
                     "config.json: process.scheduler.nice: %d is out of "
                     "range (-20 to 19)",
                     (int) s->nice);
  if (policy == SCHED_FIFO || policy == SCHED_RR)
    {
      int lo = sched_get_priority_min (policy);
      int hi = sched_get_priority_max (policy);
      if (s->priority < lo || s->priority > hi)
        return werr_set (err, 0,
                         "config.json: process.scheduler.priority: %d is out "
                         "of range for %s (%d to %d)",
                         (int) s->priority, s->policy, lo, hi);
    }
  else if (s->priority != 0)
    return werr_set (err, 0,
                     "config.json: process.scheduler.priority: only "
                     "SCHED_FIFO and SCHED_RR take a priority");
  if (policy != SCHED_DEADLINE
      && (s->runtime != 0 || s->deadline != 0 || s->period != 0))
    return werr_set (err, 0,
                     "config.json: process.scheduler: runtime, deadline and "
                     "period are only for SCHED_DEADLINE");
  for (size_t i = 0; i < s->flags.n; i++)
    {
      uint64_t f;
      if (sched_flag_from_name (s->flags.v[i], &f) < 0)
        return werr_set (err, 0,
                         "config.json: process.scheduler.flags[%zu]: unknown "
                         "flag \"%s\"",
                         i, s->flags.v[i]);
    }
  return 0;
}

static int
validate_process (const struct oci_process *p, struct werr *err)
{
  struct caps_sets caps;
  if (caps_from_config (p, &caps, err) < 0 || rlimits_validate (p, err) < 0)
    return -1;
  if (p->has_oom_score_adj
      && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
    return werr_set (err, 0,
                     "config.json: process.oomScoreAdj: %d is out of range "
                     "(-1000 to 1000)",
                     p->oom_score_adj);
  if (p->has_io_priority)
    {
      const struct oci_io_priority *io = &p->io_priority;
      if (ioprio_class_from_name (io->class_name) < 0)
        return werr_set (err, 0,
                         "config.json: process.ioPriority.class: unknown "
                         "class \"%s\"",
                         io->class_name ? io->class_name : "");
      if (io->priority < 0 || io->priority > 7)
        return werr_set (err, 0,
                         "config.json: process.ioPriority.priority: %d is "
                         "out of range (0 to 7)",
                         (int) io->priority);
    }
  if (p->has_scheduler && validate_scheduler (&p->scheduler, err) < 0)
    return -1;
  return apparmor_validate (p->apparmor_profile,
                            "config.json: process.apparmorProfile", err);
}

static int
validate_linux (const struct oci_config *cfg, struct werr *err)
{
  const struct oci_linux *l = &cfg->linux_;
  if (l->has_intel_rdt)
    return werr_set (err, 0, "config.json: linux.intelRdt: not supported");
  if (l->has_memory_policy)
    return werr_set (err, 0, "config.json: linux.memoryPolicy: not supported");
  /* personality.flags: no flag is defined yet; runc ignores them too. */
  if (l->has_personality && personality_from_domain (l->personality_domain) < 0)
    return werr_set (err, 0,
                     "config.json: linux.personality.domain: unknown domain "
                     "\"%s\" (LINUX or LINUX32)",
                     l->personality_domain ? l->personality_domain : "");
  if (l->has_seccomp && seccomp_profile_validate (&l->seccomp, err) < 0)
    return -1;
  return sysctl_validate (cfg, err);
}

int
proc_attrs_validate (const struct oci_config *cfg, struct werr *err)
{
  if (cfg->has_process && validate_process (&cfg->process, err) < 0)
    return -1;
  if (cfg->has_linux && validate_linux (cfg, err) < 0)
    return -1;
  return selinux_labels_validate (cfg, err);
}

int
proc_attrs_validate_exec_flags (const char *const *caps, int ncaps,
                                const char *apparmor, const char *label,
                                struct werr *err)
{
  int last = caps_last_cap ();
  for (int i = 0; i < ncaps; i++)
    {
      int cap = caps_from_name (caps[i]);
      if (cap < 0)
        return werr_set (err, 0, "exec: --cap: unknown capability \"%s\"",
                         caps[i]);
      if (cap > last)
        return werr_set (err, 0,
                         "exec: --cap: capability \"%s\" is not supported "
                         "by the running kernel (last capability is %d)",
                         caps[i], last);
    }
  if (apparmor_validate (apparmor, "exec: --apparmor", err) < 0)
    return -1;
  if (label && *label && !selinux_host_enabled ())
    return werr_set (err, 0,
                     "exec: --process-label: SELinux is not enabled on this "
                     "host");
  if (label && *label)
    {
      struct selinux_context ctx;
      if (selinux_context_parse (label, &ctx, err) < 0)
        return werr_prefix (err, "exec: --process-label");
    }
  return 0;
}

/* ---- early, in the init ---------------------------------------------- */

static int
apply_oom_score_adj (int adj, struct werr *err)
{
  char buf[16];
  int n = snprintf (buf, sizeof buf, "%d", adj);
  /* Lowering the score below the current one needs CAP_SYS_RESOURCE. */
  return write_file ("/proc/self/oom_score_adj", buf, (size_t) n, err);
}

static int
apply_io_priority (const struct oci_io_priority *io, struct werr *err)
{
  int class = ioprio_class_from_name (io->class_name);
  if (class < 0)
    return werr_set (err, EINVAL, "ioprio_set %s",
                     io->class_name ? io->class_name : "");
  int prio = (class << IOPRIO_CLASS_SHIFT) | (int) io->priority;
  if (syscall (SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, prio) < 0)
    return werr_set (err, errno, "ioprio_set %s %d", io->class_name,
                     (int) io->priority);
  return 0;
}

static int
apply_scheduler (const struct oci_scheduler *s, struct werr *err)
{
  int policy = sched_policy_from_name (s->policy);
  if (policy < 0)
    return werr_set (err, EINVAL, "sched_setattr %s",
                     s->policy ? s->policy : "");
  struct ward_sched_attr attr = {
    .size = sizeof attr,
    .sched_policy = (uint32_t) policy,
    .sched_nice = s->nice,
    .sched_priority = (uint32_t) s->priority,
    .sched_runtime = s->runtime,
    .sched_deadline = s->deadline,
    .sched_period = s->period,
  };
  for (size_t i = 0; i < s->flags.n; i++)
    {
      uint64_t f;
      if (sched_flag_from_name (s->flags.v[i], &f) < 0)
        return werr_set (err, EINVAL, "sched_setattr flag %s", s->flags.v[i]);
      attr.sched_flags |= f;
    }
  /* Real-time policies need CAP_SYS_NICE (and, with RT group scheduling,
   * runtime in the cgroup); the container inherits the result. */
  if (syscall (SYS_sched_setattr, 0, &attr, 0) < 0)
    return werr_set (err, errno, "sched_setattr %s", s->policy);
  return 0;
}

int
proc_attrs_apply_early (const struct oci_process *p, const struct oci_linux *l,
                        struct werr *err)
{
  if (p != NULL)
    {
      if (selinux_set_key_label (p->selinux_label, err) < 0)
        return -1;
      if (rlimits_apply (p, err) < 0)
        return -1;
      if (p->has_oom_score_adj
          && apply_oom_score_adj (p->oom_score_adj, err) < 0)
        return -1;
    }
  if (l != NULL && selinux_set_fscreate_label (l->mount_label, err) < 0)
    return -1;
  if (l != NULL && l->has_personality)
    {
      int persona = personality_from_domain (l->personality_domain);
      if (persona < 0)
        return werr_set (err, EINVAL, "personality %s",
                         l->personality_domain ? l->personality_domain : "");
      if (personality ((unsigned long) persona) < 0)
        return werr_set (err, errno, "personality %s", l->personality_domain);
    }
  if (p != NULL && p->has_io_priority
      && apply_io_priority (&p->io_priority, err) < 0)
    return -1;
  if (p != NULL && p->has_scheduler && apply_scheduler (&p->scheduler, err) < 0)
    return -1;
  return 0;
}

/* ---- last, in the init ----------------------------------------------- */

/* The listener fd goes to the runtime, which hands it to listenerPath; the
 * wait for its answer means the agent holds the fd before this process makes
 * another syscall the filter may notify (runc does the same). */
static int
hand_over_listener (int sync_sock, int fd, struct werr *err)
{
  struct sync_msg m;
  int r = sync_send (sync_sock, SYNC_SECCOMP_FD, 0, fd);
  close (fd);
  if (r < 0)
    return werr_set (err, -r, "seccomp: send the listener fd to the runtime");
  if (sync_expect (sync_sock, SYNC_GO, &m, NULL, err) < 0)
    return werr_prefix (err, "seccomp: hand the listener fd over");
  return 0;
}

static int
apply_seccomp (const struct oci_linux *l, int sync_sock, struct werr *err)
{
  if (l == NULL || !l->has_seccomp)
    return 0;
  if (!seccomp_profile_uses_notify (&l->seccomp))
    return seccomp_profile_install (&l->seccomp, err);
  if (sync_sock < 0)
    return werr_set (err, EINVAL,
                     "seccomp: SCMP_ACT_NOTIFY without a runtime to hand the "
                     "listener fd to");
  int fd = -1;
  if (seccomp_profile_install_listener (&l->seccomp, &fd, err) < 0)
    return -1;
  return fd < 0 ? 0 : hand_over_listener (sync_sock, fd, err);
}

int
credentials_and_seccomp_apply (const struct oci_process *p,
                               const struct oci_linux *l, struct werr *err)
{
  return credentials_and_seccomp_apply_sync (p, l, -1, err);
}

int
credentials_and_seccomp_apply_sync (const struct oci_process *p,
                                    const struct oci_linux *l, int sync_sock,
                                    struct werr *err)
{
  static const struct oci_user root_user = { 0 };
  const struct oci_user *user = p ? &p->user : &root_user;
  bool nnp = p != NULL && p->no_new_privileges;
  struct caps_sets caps;
  if (caps_from_config (p, &caps, err) < 0)
    return -1;

  /* The LSM labels take effect at execve; set them before the filter, which
   * may deny the open/write they need. */
  if (p != NULL
      && (selinux_set_exec_label (p->selinux_label, err) < 0
          || apparmor_set_exec_profile (p->apparmor_profile, err) < 0))
    return -1;
  /* no_new_privs: exec can no longer grant privileges (set-uid bits, file
   * capabilities), and loading a filter no longer needs CAP_SYS_ADMIN. */
  if (nnp && prctl (PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL) < 0)
    return werr_set (err, errno, "prctl PR_SET_NO_NEW_PRIVS");
  /* Without no_new_privs, loading the filter needs CAP_SYS_ADMIN, so it
   * goes in while we still hold it (as runc). */
  if (!nnp && apply_seccomp (l, sync_sock, err) < 0)
    return -1;

  int pdeath = 0;
  if (prctl (PR_GET_PDEATHSIG, &pdeath, 0UL, 0UL, 0UL) < 0)
    return werr_set (err, errno, "prctl PR_GET_PDEATHSIG");
  if (caps_drop_bounding (caps.bounding, err) < 0
      || caps_keep_across_setuid (true, err) < 0 || user_switch (user, err) < 0
      || caps_keep_across_setuid (false, err) < 0
      || caps_apply_sets (&caps, err) < 0)
    return -1;
  /* A change of credentials clears the parent-death signal: put it back so
   * the init still dies with the runtime until exec. */
  if (pdeath != 0
      && prctl (PR_SET_PDEATHSIG, (unsigned long) pdeath, 0UL, 0UL, 0UL) < 0)
    return werr_set (err, errno, "prctl PR_SET_PDEATHSIG");

  /* With no_new_privs, as late as possible: the fewer syscalls the init
   * makes after it, the fewer a profile has to allow. */
  if (nnp && apply_seccomp (l, sync_sock, err) < 0)
    return -1;
  return 0;
}
