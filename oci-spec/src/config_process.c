/* ward — config.json `process` (also the document of `exec --process`). */
#include "parse_util.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "ward/cleanup.h"

#ifndef SCHED_ISO
#define SCHED_ISO 4
#endif
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

struct named_value
{
  const char *name;
  int value;
};

static const struct named_value rlimit_table[] = {
  { "RLIMIT_CPU", RLIMIT_CPU },
  { "RLIMIT_FSIZE", RLIMIT_FSIZE },
  { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_STACK", RLIMIT_STACK },
  { "RLIMIT_CORE", RLIMIT_CORE },
  { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_NPROC", RLIMIT_NPROC },
  { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
  { "RLIMIT_AS", RLIMIT_AS },
  { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
  { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
  { "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

static const struct named_value sched_table[] = {
  { "SCHED_OTHER", SCHED_OTHER },
  { "SCHED_FIFO", SCHED_FIFO },
  { "SCHED_RR", SCHED_RR },
  { "SCHED_BATCH", SCHED_BATCH },
  { "SCHED_ISO", SCHED_ISO },
  { "SCHED_IDLE", SCHED_IDLE },
  { "SCHED_DEADLINE", SCHED_DEADLINE },
};

static const char *const sched_flag_names[] = {
  "SCHED_FLAG_RESET_ON_FORK",  "SCHED_FLAG_RECLAIM",
  "SCHED_FLAG_DL_OVERRUN",     "SCHED_FLAG_KEEP_POLICY",
  "SCHED_FLAG_KEEP_PARAMS",    "SCHED_FLAG_UTIL_CLAMP_MIN",
  "SCHED_FLAG_UTIL_CLAMP_MAX", NULL,
};

static const char *const ioprio_class_names[] = {
  "IOPRIO_CLASS_RT",
  "IOPRIO_CLASS_BE",
  "IOPRIO_CLASS_IDLE",
  NULL,
};

static int
lookup (const struct named_value *t, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (t[i].name, name) == 0)
      return t[i].value;
  return -1;
}

/* ---- user, capabilities, console ------------------------------------- */

static int
gid_elem (struct pctx *p, const struct jnode *v, void *arr, size_t i, void *ctx)
{
  uint64_t gid;
  if (pu_v_uint (p, v, UINT32_MAX, &gid) < 0)
    return -1;
  ((uint32_t *) arr)[i] = (uint32_t) gid;
  return 0;
}

static int
parse_additional_gids (struct pctx *p, const struct jnode *obj,
                       struct oci_user *u)
{
  return pu_array_each (p, obj, "additionalGids", sizeof *u->additional_gids,
                        (void **) &u->additional_gids, &u->n_additional_gids,
                        gid_elem, NULL);
}

static int
user_fields (struct pctx *p, const struct jnode *obj, void *out)
{
  struct oci_user *u = out;
  if (pu_u32 (p, obj, "uid", false, &u->uid, NULL) < 0
      || pu_u32 (p, obj, "gid", false, &u->gid, NULL) < 0
      || pu_u32 (p, obj, "umask", false, &u->umask, &u->has_umask) < 0
      || parse_additional_gids (p, obj, u) < 0
      || pu_string (p, obj, "username", false, &u->username) < 0)
    return -1;
  return 0;
}

static int
capabilities_fields (struct pctx *p, const struct jnode *obj, void *out)
{
  struct oci_capabilities *c = out;
  if (pu_strv (p, obj, "bounding", &c->bounding) < 0
      || pu_strv (p, obj, "effective", &c->effective) < 0
      || pu_strv (p, obj, "inheritable", &c->inheritable) < 0
      || pu_strv (p, obj, "permitted", &c->permitted) < 0
      || pu_strv (p, obj, "ambient", &c->ambient) < 0)
    return -1;
  return 0;
}

static int
console_size_fields (struct pctx *p, const struct jnode *obj, void *out)
{
  struct oci_process *proc = out;
  if (pu_u64 (p, obj, "height", true, &proc->console_height, NULL) < 0
      || pu_u64 (p, obj, "width", true, &proc->console_width, NULL) < 0)
    return -1;
  return 0;
}

/* ---- rlimits ------------------------------------------------------------ */

static int
parse_rlimit (struct pctx *p, const struct jnode *v, struct oci_rlimit *rl)
{
  if (pu_v_object (p, v) < 0 || pu_string (p, v, "type", true, &rl->type) < 0)
    return -1;
  rl->resource = lookup (rlimit_table, ARRAY_SIZE (rlimit_table), rl->type);
  if (rl->resource < 0)
    return pu_fail_key (p, "type", "unknown rlimit type \"%.100s\"", rl->type);
  if (pu_u64 (p, v, "soft", true, &rl->soft, NULL) < 0
      || pu_u64 (p, v, "hard", true, &rl->hard, NULL) < 0)
    return -1;
  if (rl->soft > rl->hard)
    return pu_fail (p, "soft limit %llu is greater than hard limit %llu",
                    (unsigned long long) rl->soft,
                    (unsigned long long) rl->hard);
  return 0;
}

static int
rlimit_elem (struct pctx *p, const struct jnode *v, void *arr, size_t i,
             void *ctx)
{
  struct oci_rlimit *rl = arr;
  if (parse_rlimit (p, v, &rl[i]) < 0)
    return -1;
  /* The spec: duplicated types MUST be an error. */
  for (size_t j = 0; j < i; j++)
    if (rl[j].resource == rl[i].resource)
      return pu_fail_key (p, "type", "duplicate rlimit type \"%s\"",
                          rl[i].type);
  return 0;
}

static int
parse_rlimits (struct pctx *p, const struct jnode *proc,
               struct oci_process *out)
{
  return pu_array_each (p, proc, "rlimits", sizeof *out->rlimits,
                        (void **) &out->rlimits, &out->n_rlimits, rlimit_elem,
                        NULL);
}

/* ---- ioPriority, scheduler, CPU affinity ------------------------------- */

static int
io_priority_fields (struct pctx *p, const struct jnode *obj, void *out)
{
  struct oci_io_priority *io = out;
  if (pu_string (p, obj, "class", true, &io->class_name) < 0)
    return -1;
  size_t m = pctx_push_key (p, "class");
  int idx
      = pu_v_enum (p, io->class_name, ioprio_class_names, "I/O priority class");
  pctx_pop (p, m);
  if (idx < 0)
    return -1;
  io->class = idx + 1; /* IOPRIO_CLASS_RT is 1 */
  return pu_i32 (p, obj, "priority", &io->priority, NULL);
}

static int
scheduler_fields (struct pctx *p, const struct jnode *obj, void *out)
{
  struct oci_scheduler *s = out;
  if (pu_string (p, obj, "policy", true, &s->policy) < 0)
    return -1;
  s->policy_value = lookup (sched_table, ARRAY_SIZE (sched_table), s->policy);
  if (s->policy_value < 0)
    return pu_fail_key (p, "policy", "unknown scheduler policy \"%.100s\"",
                        s->policy);
  if (pu_i32 (p, obj, "nice", &s->nice, NULL) < 0
      || pu_i32 (p, obj, "priority", &s->priority, NULL) < 0
      || pu_strv (p, obj, "flags", &s->flags) < 0
      || pu_check_enum_strv (p, "flags", &s->flags, sched_flag_names,
                             "scheduler flag")
             < 0
      || pu_u64 (p, obj, "runtime", false, &s->runtime, NULL) < 0
      || pu_u64 (p, obj, "deadline", false, &s->deadline, NULL) < 0
      || pu_u64 (p, obj, "period", false, &s->period, NULL) < 0)
    return -1;
  return 0;
}

static int
parse_cpu_list (struct pctx *p, const struct jnode *obj, const char *key,
                char **out)
{
  if (pu_string (p, obj, key, false, out) < 0)
    return -1;
  if (*out != NULL && strspn (*out, "0123456789, -") != strlen (*out))
    return pu_fail_key (p, key, "invalid CPU list \"%.100s\"", *out);
  return 0;
}

static int
cpu_affinity_fields (struct pctx *p, const struct jnode *obj, void *out)
{
  struct oci_process *proc = out;
  if (parse_cpu_list (p, obj, "initial", &proc->exec_cpu_affinity_initial) < 0
      || parse_cpu_list (p, obj, "final", &proc->exec_cpu_affinity_final) < 0)
    return -1;
  return 0;
}

/* ---- process ------------------------------------------------------------ */

int
oci_parse_process_obj (struct pctx *p, const struct jnode *obj,
                       struct oci_process *out)
{
  if (pu_v_object (p, obj) < 0)
    return -1;
  if (pu_string (p, obj, "cwd", true, &out->cwd) < 0)
    return -1;
  /* The spec: cwd MUST be absolute; a relative one would be resolved
   * against whatever directory the runtime happens to be in. */
  if (out->cwd[0] != '/')
    return pu_fail_key (p, "cwd", "must be an absolute path, got \"%.200s\"",
                        out->cwd);
  int64_t oom;
  if (pu_bool (p, obj, "terminal", &out->terminal, NULL) < 0
      || pu_section (p, obj, "consoleSize", &out->has_console_size, out,
                     console_size_fields)
             < 0
      || pu_section (p, obj, "user", NULL, &out->user, user_fields) < 0
      || pu_strv (p, obj, "args", &out->args) < 0
      || pu_string (p, obj, "commandLine", false, &out->command_line) < 0
      || pu_strv (p, obj, "env", &out->env) < 0
      || pu_section (p, obj, "capabilities", &out->has_capabilities,
                     &out->capabilities, capabilities_fields)
             < 0
      || parse_rlimits (p, obj, out) < 0
      || pu_bool (p, obj, "noNewPrivileges", &out->no_new_privileges, NULL) < 0
      || pu_string (p, obj, "apparmorProfile", false, &out->apparmor_profile)
             < 0
      /* The kernel's range for /proc/PID/oom_score_adj. */
      || pu_int (p, obj, "oomScoreAdj", false, -1000, 1000, &oom,
                 &out->has_oom_score_adj)
             < 0
      || pu_string (p, obj, "selinuxLabel", false, &out->selinux_label) < 0
      || pu_section (p, obj, "ioPriority", &out->has_io_priority,
                     &out->io_priority, io_priority_fields)
             < 0
      || pu_section (p, obj, "scheduler", &out->has_scheduler, &out->scheduler,
                     scheduler_fields)
             < 0
      || pu_section (p, obj, "execCPUAffinity", NULL, out, cpu_affinity_fields)
             < 0)
    return -1;
  if (out->has_oom_score_adj)
    out->oom_score_adj = (int) oom;
  return 0;
}

void
oci_process_release (struct oci_process *proc)
{
  if (proc == NULL)
    return;
  free (proc->user.additional_gids);
  free (proc->user.username);
  oci_strv_free (&proc->args);
  free (proc->command_line);
  oci_strv_free (&proc->env);
  free (proc->cwd);
  oci_strv_free (&proc->capabilities.bounding);
  oci_strv_free (&proc->capabilities.effective);
  oci_strv_free (&proc->capabilities.inheritable);
  oci_strv_free (&proc->capabilities.permitted);
  oci_strv_free (&proc->capabilities.ambient);
  for (size_t i = 0; i < proc->n_rlimits; i++)
    free (proc->rlimits[i].type);
  free (proc->rlimits);
  free (proc->apparmor_profile);
  free (proc->selinux_label);
  free (proc->io_priority.class_name);
  free (proc->scheduler.policy);
  oci_strv_free (&proc->scheduler.flags);
  free (proc->exec_cpu_affinity_initial);
  free (proc->exec_cpu_affinity_final);
  memset (proc, 0, sizeof *proc);
}

static int
process_document (struct pctx *p, const struct jnode *doc, void *out)
{
  return oci_parse_process_obj (p, doc, out);
}

static void
process_free (void *proc)
{
  oci_process_free (proc);
}

int
oci_process_parse_data (const char *data, size_t len, const char *name,
                        struct oci_process **out, struct werr *err)
{
  return pu_parse_document (data, len, name ? name : "process.json",
                            sizeof **out, process_document, process_free,
                            (void **) out, err);
}

void
oci_process_free (struct oci_process *proc)
{
  if (proc == NULL)
    return;
  oci_process_release (proc);
  free (proc);
}
