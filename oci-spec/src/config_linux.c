/* ward — config.json `linux` (resources are in config_resources.c). */
#include "parse_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ward/cleanup.h"

static const char *const seccomp_actions[] = {
  "SCMP_ACT_KILL",        "SCMP_ACT_KILL_PROCESS",
  "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
  "SCMP_ACT_ERRNO",       "SCMP_ACT_TRACE",
  "SCMP_ACT_ALLOW",       "SCMP_ACT_LOG",
  "SCMP_ACT_NOTIFY",      NULL,
};

static const char *const seccomp_operators[] = {
  "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
  "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};

static const char *const seccomp_archs[] = {
  "SCMP_ARCH_X86",         "SCMP_ARCH_X86_64",  "SCMP_ARCH_X32",
  "SCMP_ARCH_ARM",         "SCMP_ARCH_AARCH64", "SCMP_ARCH_LOONGARCH64",
  "SCMP_ARCH_M68K",        "SCMP_ARCH_MIPS",    "SCMP_ARCH_MIPS64",
  "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64",
  "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",     "SCMP_ARCH_PPC64",
  "SCMP_ARCH_PPC64LE",     "SCMP_ARCH_S390",    "SCMP_ARCH_S390X",
  "SCMP_ARCH_SH",          "SCMP_ARCH_SHEB",    "SCMP_ARCH_PARISC",
  "SCMP_ARCH_PARISC64",    "SCMP_ARCH_RISCV64", NULL,
};

static const char *const seccomp_flags[] = {
  "SECCOMP_FILTER_FLAG_TSYNC",
  "SECCOMP_FILTER_FLAG_LOG",
  "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
  "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
  NULL,
};

/* runc accepts the recursive forms too, and "" for "leave it alone". */
static const char *const propagation_names[] = {
  "private", "rprivate",   "shared",      "rshared", "slave",
  "rslave",  "unbindable", "runbindable", NULL,
};

static const char *const personality_domains[] = { "LINUX", "LINUX32", NULL };

/* ---- namespaces --------------------------------------------------------- */

static int
parse_namespace (struct pctx *p, const struct jnode *v, void *elem)
{
  struct oci_namespace *ns = elem;
  char *type = NULL;
  if (pu_string (p, v, "type", true, &type) < 0)
    return -1;
  int t = oci_ns_type_from_name (type);
  if (t < 0)
    {
      pu_fail_key (p, "type", "unknown namespace type \"%.100s\"", type);
      free (type);
      return -1;
    }
  free (type);
  ns->type = (enum oci_ns_type) t;
  if (pu_string (p, v, "path", false, &ns->path) < 0)
    return -1;
  /* runc treats "" as "create a new one"; anything else names a namespace
   * file in the runtime's mount namespace and MUST be absolute. */
  if (ns->path != NULL && ns->path[0] == '\0')
    {
      free (ns->path);
      ns->path = NULL;
    }
  if (ns->path != NULL && ns->path[0] != '/')
    return pu_fail_key (p, "path", "must be an absolute path, got \"%.200s\"",
                        ns->path);
  return 0;
}

static int
parse_namespaces (struct pctx *p, const struct jnode *obj, struct oci_linux *lx)
{
  if (pu_array_of (p, obj, "namespaces", sizeof *lx->namespaces,
                   (void **) &lx->namespaces, &lx->n_namespaces,
                   parse_namespace)
      < 0)
    return -1;
  for (size_t i = 0; i < lx->n_namespaces; i++)
    for (size_t j = 0; j < i; j++)
      if (lx->namespaces[i].type == lx->namespaces[j].type)
        {
          size_t mark = pctx_push_key (p, "namespaces");
          pctx_push_index (p, i);
          pu_fail_key (p, "type", "duplicate namespace type \"%s\"",
                       oci_ns_type_name (lx->namespaces[i].type));
          pctx_pop (p, mark);
          return -1;
        }
  return 0;
}

/* ---- devices ------------------------------------------------------------ */

static int
parse_device (struct pctx *p, const struct jnode *v, void *elem)
{
  struct oci_device *d = elem;
  char *type = NULL;
  d->major = d->minor = -1;
  if (pu_string (p, v, "type", true, &type) < 0)
    return -1;
  if (strlen (type) != 1 || strchr ("cbup", type[0]) == NULL)
    {
      pu_fail_key (p, "type",
                   "unknown device type \"%.20s\" (want c, b, u "
                   "or p)",
                   type);
      free (type);
      return -1;
    }
  d->type = type[0];
  free (type);
  if (pu_string (p, v, "path", true, &d->path) < 0)
    return -1;
  if (d->path[0] != '/')
    return pu_fail_key (p, "path", "must be an absolute path, got \"%.200s\"",
                        d->path);
  bool need_numbers = d->type != 'p';
  uint64_t mode;
  /* The schema caps fileMode at 0777, but runc and Docker pass setuid,
   * setgid and sticky bits through; the file-type bits are never accepted. */
  if (pu_i64 (p, v, "major", need_numbers, &d->major, NULL) < 0
      || pu_i64 (p, v, "minor", need_numbers, &d->minor, NULL) < 0
      || pu_uint (p, v, "fileMode", false, 07777, &mode, &d->has_file_mode) < 0
      || pu_u32 (p, v, "uid", false, &d->uid, &d->has_uid) < 0
      || pu_u32 (p, v, "gid", false, &d->gid, &d->has_gid) < 0)
    return -1;
  if (d->has_file_mode)
    d->file_mode = (uint32_t) mode;
  return 0;
}

/* ---- time offsets ------------------------------------------------------- */

static int
parse_time_offsets (struct pctx *p, const struct jnode *obj,
                    struct oci_linux *lx)
{
  static const char *const clocks[] = { "monotonic", "boottime" };
  const struct jnode *to;
  if (pu_object (p, obj, "timeOffsets", false, &to) < 0)
    return -1;
  if (to == NULL)
    return 0;
  lx->time_offsets = calloc (ARRAY_SIZE (clocks), sizeof *lx->time_offsets);
  if (lx->time_offsets == NULL)
    return werr_set (p->err, ENOMEM, "%s: timeOffsets", p->name);
  size_t mark = pctx_push_key (p, "timeOffsets");
  int r = 0;
  for (size_t i = 0; i < ARRAY_SIZE (clocks) && r == 0; i++)
    {
      const struct jnode *c;
      r = pu_object (p, to, clocks[i], false, &c);
      if (r < 0 || c == NULL)
        continue;
      struct oci_time_offset *t = &lx->time_offsets[lx->n_time_offsets++];
      t->clock = strdup (clocks[i]);
      if (t->clock == NULL)
        {
          r = werr_set (p->err, ENOMEM, "%s: timeOffsets", p->name);
          break;
        }
      size_t m = pctx_push_key (p, clocks[i]);
      uint64_t ns = 0;
      /* The kernel refuses nanoseconds of a second or more. */
      if (pu_i64 (p, c, "secs", false, &t->secs, NULL) < 0
          || pu_uint (p, c, "nanosecs", false, 999999999, &ns, NULL) < 0)
        r = -1;
      t->nanosecs = (uint32_t) ns;
      pctx_pop (p, m);
    }
  pctx_pop (p, mark);
  return r;
}

/* ---- seccomp ------------------------------------------------------------ */

static int
parse_seccomp_arg (struct pctx *p, const struct jnode *v, void *elem)
{
  struct oci_seccomp_arg *a = elem;
  if (pu_u32 (p, v, "index", true, &a->index, NULL) < 0
      || pu_u64 (p, v, "value", true, &a->value, NULL) < 0
      || pu_u64 (p, v, "valueTwo", false, &a->value_two, &a->has_value_two) < 0
      || pu_string (p, v, "op", true, &a->op) < 0
      || pu_check_enum (p, "op", a->op, seccomp_operators, "seccomp operator")
             < 0)
    return -1;
  return 0;
}

static int
parse_syscall (struct pctx *p, const struct jnode *v, void *elem)
{
  struct oci_seccomp_syscall *s = elem;
  if (pu_field (v, "names") == NULL)
    return pu_fail_key (p, "names", "missing required field");
  if (pu_strv (p, v, "names", &s->names) < 0)
    return -1;
  if (s->names.n == 0)
    return pu_fail_key (p, "names", "must not be empty");
  if (pu_string (p, v, "action", true, &s->action) < 0
      || pu_check_enum (p, "action", s->action, seccomp_actions,
                        "seccomp action")
             < 0
      || pu_u32 (p, v, "errnoRet", false, &s->errno_ret, &s->has_errno_ret) < 0
      || pu_array_of (p, v, "args", sizeof *s->args, (void **) &s->args,
                      &s->n_args, parse_seccomp_arg)
             < 0)
    return -1;
  return 0;
}

static int
parse_seccomp_fields (struct pctx *p, const struct jnode *obj,
                      struct oci_seccomp *sc)
{
  if (pu_string (p, obj, "defaultAction", true, &sc->default_action) < 0
      || pu_check_enum (p, "defaultAction", sc->default_action, seccomp_actions,
                        "seccomp action")
             < 0
      || pu_u32 (p, obj, "defaultErrnoRet", false, &sc->default_errno_ret,
                 &sc->has_default_errno_ret)
             < 0
      || pu_strv (p, obj, "architectures", &sc->architectures) < 0
      || pu_check_enum_strv (p, "architectures", &sc->architectures,
                             seccomp_archs, "seccomp architecture")
             < 0
      || pu_strv (p, obj, "flags", &sc->flags) < 0
      || pu_check_enum_strv (p, "flags", &sc->flags, seccomp_flags,
                             "seccomp flag")
             < 0
      || pu_string (p, obj, "listenerPath", false, &sc->listener_path) < 0
      || pu_string (p, obj, "listenerMetadata", false, &sc->listener_metadata)
             < 0
      || pu_array_of (p, obj, "syscalls", sizeof *sc->syscalls,
                      (void **) &sc->syscalls, &sc->n_syscalls, parse_syscall)
             < 0)
    return -1;
  return 0;
}

static void
seccomp_release (struct oci_seccomp *sc)
{
  free (sc->default_action);
  oci_strv_free (&sc->architectures);
  oci_strv_free (&sc->flags);
  free (sc->listener_path);
  free (sc->listener_metadata);
  for (size_t i = 0; i < sc->n_syscalls; i++)
    {
      struct oci_seccomp_syscall *s = &sc->syscalls[i];
      oci_strv_free (&s->names);
      free (s->action);
      for (size_t j = 0; j < s->n_args; j++)
        free (s->args[j].op);
      free (s->args);
    }
  free (sc->syscalls);
}

/* ---- sub-objects -------------------------------------------------------- */

static int
seccomp_fn (struct pctx *p, const struct jnode *obj, void *out)
{
  return parse_seccomp_fields (p, obj, out);
}

static int
resources_fn (struct pctx *p, const struct jnode *obj, void *out)
{
  return oci_parse_resources_obj (p, obj, out);
}

static int
personality_fn (struct pctx *p, const struct jnode *obj, void *out)
{
  struct oci_linux *lx = out;
  if (pu_string (p, obj, "domain", false, &lx->personality_domain) < 0
      || pu_check_enum (p, "domain", lx->personality_domain,
                        personality_domains, "personality domain")
             < 0
      || pu_strv (p, obj, "flags", &lx->personality_flags) < 0)
    return -1;
  return 0;
}

static int
parse_propagation (struct pctx *p, const struct jnode *obj,
                   struct oci_linux *lx)
{
  if (pu_string (p, obj, "rootfsPropagation", false, &lx->rootfs_propagation)
      < 0)
    return -1;
  if (lx->rootfs_propagation != NULL && lx->rootfs_propagation[0] == '\0')
    {
      free (lx->rootfs_propagation);
      lx->rootfs_propagation = NULL;
    }
  return pu_check_enum (p, "rootfsPropagation", lx->rootfs_propagation,
                        propagation_names, "rootfs propagation");
}

int
oci_parse_linux_obj (struct pctx *p, const struct jnode *obj,
                     struct oci_linux *lx)
{
  if (parse_namespaces (p, obj, lx) < 0
      || pu_id_mappings (p, obj, "uidMappings", &lx->uid_mappings,
                         &lx->n_uid_mappings)
             < 0
      || pu_id_mappings (p, obj, "gidMappings", &lx->gid_mappings,
                         &lx->n_gid_mappings)
             < 0
      || parse_time_offsets (p, obj, lx) < 0
      || pu_array_of (p, obj, "devices", sizeof *lx->devices,
                      (void **) &lx->devices, &lx->n_devices, parse_device)
             < 0
      || pu_string (p, obj, "cgroupsPath", false, &lx->cgroups_path) < 0
      || pu_section (p, obj, "resources", &lx->has_resources, &lx->resources,
                     resources_fn)
             < 0
      || parse_propagation (p, obj, lx) < 0
      || pu_strv (p, obj, "maskedPaths", &lx->masked_paths) < 0
      || pu_strv (p, obj, "readonlyPaths", &lx->readonly_paths) < 0
      || pu_string (p, obj, "mountLabel", false, &lx->mount_label) < 0
      || pu_kvv (p, obj, "sysctl", &lx->sysctl) < 0
      || pu_section (p, obj, "seccomp", &lx->has_seccomp, &lx->seccomp,
                     seccomp_fn)
             < 0
      || pu_section (p, obj, "personality", &lx->has_personality, lx,
                     personality_fn)
             < 0
      || pu_section (p, obj, "intelRdt", &lx->has_intel_rdt, NULL, NULL) < 0
      || pu_section (p, obj, "memoryPolicy", &lx->has_memory_policy, NULL, NULL)
             < 0)
    return -1;
  return 0;
}

void
oci_linux_release (struct oci_linux *lx)
{
  for (size_t i = 0; i < lx->n_namespaces; i++)
    free (lx->namespaces[i].path);
  free (lx->namespaces);
  free (lx->uid_mappings);
  free (lx->gid_mappings);
  for (size_t i = 0; i < lx->n_time_offsets; i++)
    free (lx->time_offsets[i].clock);
  free (lx->time_offsets);
  for (size_t i = 0; i < lx->n_devices; i++)
    free (lx->devices[i].path);
  free (lx->devices);
  free (lx->cgroups_path);
  oci_resources_release (&lx->resources);
  free (lx->rootfs_propagation);
  oci_strv_free (&lx->masked_paths);
  oci_strv_free (&lx->readonly_paths);
  free (lx->mount_label);
  oci_kvv_free (&lx->sysctl);
  seccomp_release (&lx->seccomp);
  free (lx->personality_domain);
  oci_strv_free (&lx->personality_flags);
  memset (lx, 0, sizeof *lx);
}
