/* ward features — what this build and this kernel support (runtime-spec
 * features.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "cgroup.h"
#include "cli.h"
#include "utils.h"
#include "ward/cleanup.h"
#include "ward/oci_output.h"

static char *const seccomp_actions[] = {
  "SCMP_ACT_ALLOW",        "SCMP_ACT_ERRNO",       "SCMP_ACT_KILL",
  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
  "SCMP_ACT_NOTIFY",       "SCMP_ACT_TRACE",       "SCMP_ACT_TRAP",
};
static char *const seccomp_ops[] = {
  "SCMP_CMP_EQ", "SCMP_CMP_GE",        "SCMP_CMP_GT", "SCMP_CMP_LE",
  "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE",
};
static char *const seccomp_archs[] = {
  "SCMP_ARCH_AARCH64",  "SCMP_ARCH_ARM",         "SCMP_ARCH_MIPS",
  "SCMP_ARCH_MIPS64",   "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",
  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
  "SCMP_ARCH_PPC64",    "SCMP_ARCH_PPC64LE",     "SCMP_ARCH_RISCV64",
  "SCMP_ARCH_S390",     "SCMP_ARCH_S390X",       "SCMP_ARCH_X32",
  "SCMP_ARCH_X86",      "SCMP_ARCH_X86_64",
};

/* CAP_* names of every capability the running kernel knows. */
static char **
kernel_capabilities (size_t *n)
{
  int last = (int) cap_max_bits () - 1;
  char **v = xmalloc0 (sizeof *v * (size_t) (last + 2));
  *n = 0;
  for (int c = 0; c <= last; c++)
    {
      char *name = cap_to_name ((cap_value_t) c);
      if (name == NULL)
        continue;
      char *upper = xstrdup (name);
      for (char *p = upper; *p; p++)
        *p = (char) (*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
      v[(*n)++] = upper;
      cap_free (name);
    }
  return v;
}

int
cmd_features (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  const struct opt_def defs[] = { { 0 } };
  static const struct cli_usage usage = {
    "features", "ward features", "Print what this runtime supports (JSON).", 0,
    "",
  };
  int first = cli_begin (&usage, defs, argc, argv, err);
  if (first <= 0)
    return first < 0;
  size_t ncaps = 0;
  char **caps = kernel_capabilities (&ncaps);
  enum cgroup_mode mode = CGROUP_MODE_UNIFIED;
  struct werr ignored;
  cgroup_detect_mode (&mode, &ignored);
  struct oci_features_view f = {
    .seccomp_enabled = true,
#ifdef HAVE_SELINUX
    .selinux_enabled = true,
#endif
    /* Support is built in (the host may still lack AppArmor), as runc. */
    .apparmor_enabled = true,
    .has_cgroup_v1 = true,
    .has_cgroup_v2 = true,
    .has_systemd = false,
    .seccomp_actions = seccomp_actions,
    .n_seccomp_actions = sizeof seccomp_actions / sizeof seccomp_actions[0],
    .seccomp_archs = seccomp_archs,
    .n_seccomp_archs = sizeof seccomp_archs / sizeof seccomp_archs[0],
    .seccomp_operators = seccomp_ops,
    .n_seccomp_operators = sizeof seccomp_ops / sizeof seccomp_ops[0],
    .capabilities = caps,
    .n_capabilities = ncaps,
  };
  _cleanup_free_ char *json = NULL;
  size_t len = 0;
  int r = oci_features_json (&f, &json, &len, err);
  for (size_t i = 0; i < ncaps; i++)
    free (caps[i]);
  free (caps);
  if (r < 0)
    return 1;
  printf ("%s\n", json);
  return 0;
}
