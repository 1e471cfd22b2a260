/* ward — unit tests for the process attributes applied in the container
 * init (proc_attrs.h): validation messages, rlimits, oom_score_adj,
 * personality, ioprio, scheduler, sysctl, user, capabilities,
 * no_new_privs and seccomp.
 *
 * Each test runs in a forked child, so the test process keeps its
 * privileges and nothing leaks between tests.  Needs root (exit 77).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/seccomp.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc_attrs.h"
#include "seccomp_profile.h"
#include "sync.h"

#define CHECK(c)                                                               \
  do                                                                           \
    {                                                                          \
      if (!(c))                                                                \
        {                                                                      \
          fprintf (stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,    \
                   #c);                                                        \
          _exit (1);                                                           \
        }                                                                      \
    }                                                                          \
  while (0)

/* Call must fail and the message must contain `want`. */
#define CHECK_FAILS(call, want)                                                \
  do                                                                           \
    {                                                                          \
      werr_clear (&err);                                                       \
      if ((call) == 0)                                                         \
        {                                                                      \
          fprintf (stderr, "%s:%d: expected failure: %s\n", __FILE__,          \
                   __LINE__, #call);                                           \
          _exit (1);                                                           \
        }                                                                      \
      if (strstr (err.msg, (want)) == NULL)                                    \
        {                                                                      \
          fprintf (stderr, "%s:%d: message \"%s\" lacks \"%s\"\n", __FILE__,   \
                   __LINE__, err.msg, (want));                                 \
          _exit (1);                                                           \
        }                                                                      \
    }                                                                          \
  while (0)

#define CHECK_OK(call)                                                         \
  do                                                                           \
    {                                                                          \
      werr_clear (&err);                                                       \
      if ((call) != 0)                                                         \
        {                                                                      \
          fprintf (stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__,       \
                   #call, err.msg);                                            \
          _exit (1);                                                           \
        }                                                                      \
    }                                                                          \
  while (0)

#define STRV(...)                                                              \
  ((struct oci_strv){ .v = (char *[]){ __VA_ARGS__, NULL },                    \
                      .n = sizeof ((char *[]){ __VA_ARGS__ })                  \
                           / sizeof (char *) })

#define SKIP_TEST()                                                            \
  do                                                                           \
    {                                                                          \
      _exit (77);                                                              \
    }                                                                          \
  while (0)

/* ---- helpers --------------------------------------------------------- */

/* The value of a "Name:\tvalue" line of /proc/self/status. */
static void
status_field (const char *name, char *out, size_t len)
{
  FILE *f = fopen ("/proc/self/status", "re");
  CHECK (f != NULL);
  char line[512];
  size_t nl = strlen (name);
  out[0] = '\0';
  while (fgets (line, sizeof line, f))
    if (strncmp (line, name, nl) == 0 && line[nl] == ':')
      {
        const char *v = line + nl + 1;
        while (*v == '\t' || *v == ' ')
          v++;
        snprintf (out, len, "%s", v);
        out[strcspn (out, "\n")] = '\0';
        /* Trailing blanks (Groups: "10 20 "). */
        for (size_t n = strlen (out); n > 0 && out[n - 1] == ' '; n--)
          out[n - 1] = '\0';
        break;
      }
  fclose (f);
}

static uint64_t
status_hex (const char *name)
{
  char v[64];
  status_field (name, v, sizeof v);
  return strtoull (v, NULL, 16);
}

static void
read_text (const char *path, char *out, size_t len)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  CHECK (fd >= 0);
  ssize_t n = read (fd, out, len - 1);
  close (fd);
  CHECK (n >= 0);
  out[n] = '\0';
  out[strcspn (out, "\n")] = '\0';
}

static struct oci_kv *
kvs (size_t n, const char *const *pairs)
{
  struct oci_kv *v = calloc (n, sizeof *v);
  CHECK (v != NULL);
  for (size_t i = 0; i < n; i++)
    {
      v[i].key = (char *) pairs[2 * i];
      v[i].value = (char *) pairs[2 * i + 1];
    }
  return v;
}

static void
config_init (struct oci_config *cfg)
{
  memset (cfg, 0, sizeof *cfg);
  cfg->has_process = true;
  cfg->has_linux = true;
}

static void
add_namespaces (struct oci_config *cfg, struct oci_namespace *ns, size_t n)
{
  cfg->linux_.namespaces = ns;
  cfg->linux_.n_namespaces = n;
}

/* ---- validation ------------------------------------------------------ */

static void
t_validate_good (void)
{
  struct werr err;
  struct oci_config cfg;
  config_init (&cfg);
  struct oci_process *p = &cfg.process;
  p->has_capabilities = true;
  p->capabilities.bounding
      = STRV ("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
  p->capabilities.effective = p->capabilities.bounding;
  p->capabilities.permitted = p->capabilities.bounding;
  struct oci_rlimit rl[] = {
    { .type = "RLIMIT_NOFILE",
      .resource = RLIMIT_NOFILE,
      .soft = 1024,
      .hard = 1024 },
    { .type = "RLIMIT_CORE",
      .resource = RLIMIT_CORE,
      .soft = 0,
      .hard = UINT64_MAX },
  };
  p->rlimits = rl;
  p->n_rlimits = 2;
  p->has_scheduler = true;
  p->scheduler
      = (struct oci_scheduler){ .policy = "SCHED_FIFO",
                                .priority = 10,
                                .flags = STRV ("SCHED_FLAG_RESET_ON_FORK") };
  p->has_io_priority = true;
  p->io_priority = (struct oci_io_priority){ .class_name = "IOPRIO_CLASS_BE",
                                             .class = 2,
                                             .priority = 4 };
  struct oci_namespace ns[] = { { .type = OCI_NS_NETWORK },
                                { .type = OCI_NS_IPC },
                                { .type = OCI_NS_UTS } };
  add_namespaces (&cfg, ns, 3);
  static const char *const sys[] = { "net.ipv4.ip_forward",
                                     "1",
                                     "kernel.shmmax",
                                     "1",
                                     "fs.mqueue.msg_max",
                                     "10",
                                     "kernel.domainname",
                                     "x",
                                     "net/ipv4/conf/eth0.100/rp_filter",
                                     "1" };
  cfg.linux_.sysctl = (struct oci_kvv){ .v = kvs (5, sys), .n = 5 };
  cfg.linux_.has_personality = true;
  cfg.linux_.personality_domain = "LINUX32";
  cfg.linux_.has_seccomp = true;
  struct oci_seccomp_arg args[] = { { .index = 0,
                                      .value = 1,
                                      .op = "SCMP_CMP_MASKED_EQ",
                                      .has_value_two = true,
                                      .value_two = 1 } };
  struct oci_seccomp_syscall calls[] = {
    { .names = STRV ("getcwd", "no_such_syscall_in_libseccomp"),
      .action = "SCMP_ACT_ERRNO" },
    { .names = STRV ("personality"),
      .action = "SCMP_ACT_LOG",
      .args = args,
      .n_args = 1 },
  };
  cfg.linux_.seccomp = (struct oci_seccomp){
    .default_action = "SCMP_ACT_ALLOW",
    .architectures = STRV ("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
                           "SCMP_ARCH_AARCH64"),
    .flags = STRV ("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                   "SECCOMP_FILTER_FLAG_SPEC_ALLOW"),
    .syscalls = calls,
    .n_syscalls = 2,
  };
  CHECK_OK (proc_attrs_validate (&cfg, &err));

  /* No process at all, or no linux section: nothing to check. */
  struct oci_config empty = { 0 };
  CHECK_OK (proc_attrs_validate (&empty, &err));
  free (cfg.linux_.sysctl.v);
}

static void
t_validate_caps (void)
{
  struct werr err;
  struct oci_config cfg;
  config_init (&cfg);
  cfg.process.has_capabilities = true;
  cfg.process.capabilities.bounding = STRV ("CAP_CHOWN", "CAP_FOO");
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "config.json: process.capabilities.bounding: unknown "
               "capability \"CAP_FOO\"");
  CHECK (strcmp (err.msg, "config.json: process.capabilities.bounding: "
                          "unknown capability \"CAP_FOO\"")
         == 0);
  cfg.process.capabilities.bounding = STRV ("CAP_CHOWN");
  cfg.process.capabilities.ambient = STRV ("cap_chown");
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "process.capabilities.ambient: unknown capability "
               "\"cap_chown\"");
  /* libcap alone would accept these. */
  cfg.process.capabilities.ambient = STRV ("CAP_CHOWN,CAP_KILL");
  CHECK_FAILS (proc_attrs_validate (&cfg, &err), "unknown capability");
  cfg.process.capabilities.ambient = STRV ("CAP_12");
  CHECK_FAILS (proc_attrs_validate (&cfg, &err), "unknown capability");
  cfg.process.capabilities.ambient = (struct oci_strv){ 0 };
  cfg.process.capabilities.effective = STRV ("CAP_SYS_ADMIN", "CAP_BPF");
  CHECK_OK (proc_attrs_validate (&cfg, &err));
}

static void
t_validate_rlimits (void)
{
  struct werr err;
  struct oci_config cfg;
  config_init (&cfg);
  struct oci_rlimit rl[] = {
    { .type = "RLIMIT_NOFILE",
      .resource = RLIMIT_NOFILE,
      .soft = 10,
      .hard = 20 },
    { .type = "RLIMIT_FOO", .resource = -1, .soft = 1, .hard = 1 },
  };
  cfg.process.rlimits = rl;
  cfg.process.n_rlimits = 2;
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "config.json: process.rlimits[1].type: unknown rlimit "
               "\"RLIMIT_FOO\"");
  rl[1] = (struct oci_rlimit){
    .type = "RLIMIT_NOFILE", .resource = RLIMIT_NOFILE, .soft = 1, .hard = 1
  };
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\"");
  rl[0].soft = 30;
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "process.rlimits[0]: RLIMIT_NOFILE soft limit 30 is greater "
               "than hard limit 20");
}

static void
t_validate_seccomp (void)
{
  struct werr err;
  struct oci_config cfg;
  config_init (&cfg);
  cfg.linux_.has_seccomp = true;
  struct oci_seccomp *s = &cfg.linux_.seccomp;
  struct oci_seccomp_arg args[] = { { .index = 0, .op = "SCMP_CMP_EQ" } };
  struct oci_seccomp_syscall calls[] = {
    { .names = STRV ("read"),
      .action = "SCMP_ACT_ALLOW",
      .args = args,
      .n_args = 1 },
  };
  *s = (struct oci_seccomp){ .default_action = "SCMP_ACT_ERRNO",
                             .syscalls = calls,
                             .n_syscalls = 1 };
  CHECK_OK (proc_attrs_validate (&cfg, &err));

  s->default_action = "SCMP_ACT_BOGUS";
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "config.json: linux.seccomp.defaultAction: unknown action "
               "\"SCMP_ACT_BOGUS\"");
  s->default_action = "SCMP_ACT_NOTIFY";
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the "
               "default action");
  s->default_action = "SCMP_ACT_KILL_PROCESS";
  s->architectures = STRV ("SCMP_ARCH_X86_64", "SCMP_ARCH_VAX");
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "config.json: linux.seccomp.architectures[1]: unknown "
               "architecture \"SCMP_ARCH_VAX\"");
  s->architectures = STRV ("SCMP_ARCH_X86_64");
  s->flags = STRV ("SECCOMP_FILTER_FLAG_BOGUS");
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "config.json: linux.seccomp.flags[0]: unknown flag "
               "\"SECCOMP_FILTER_FLAG_BOGUS\"");
  s->flags = STRV ("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "linux.seccomp.flags[0]: "
               "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs "
               "SCMP_ACT_NOTIFY in one of linux.seccomp.syscalls");
  s->flags = (struct oci_strv){ 0 };
  args[0].op = "SCMP_CMP_ABOUT";
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "config.json: linux.seccomp.syscalls[0].args[0].op: unknown "
               "operator \"SCMP_CMP_ABOUT\"");
  args[0].op = "SCMP_CMP_NE";
  args[0].index = 6;
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "linux.seccomp.syscalls[0].args[0].index: 6 is out of range");
  args[0].index = 5;
  calls[0].action = "SCMP_ACT_SOMETIMES";
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "config.json: linux.seccomp.syscalls[0].action: unknown "
               "action \"SCMP_ACT_SOMETIMES\"");
  calls[0].action = "SCMP_ACT_NOTIFY";
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY requires "
               "linux.seccomp.listenerPath");
  s->listener_path = "/run/agent.sock";
  CHECK_OK (proc_attrs_validate (&cfg, &err));
  /* With a NOTIFY rule the flag is fine. */
  s->flags = STRV ("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
  CHECK_OK (proc_attrs_validate (&cfg, &err));
  s->flags = (struct oci_strv){ 0 };
  /* The init hands the listener over with sendmsg(). */
  calls[0].names = STRV ("mkdir", "sendmsg");
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "config.json: linux.seccomp.syscalls[0].names[1]: "
               "SCMP_ACT_NOTIFY cannot be used for \"sendmsg\"");
  calls[0].names = STRV ("read");
  calls[0].action = "SCMP_ACT_ALLOW";
  calls[0].has_errno_ret = true;
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "config.json: linux.seccomp.syscalls[0].errnoRet: "
               "SCMP_ACT_ALLOW takes no errno");
  calls[0].action = "SCMP_ACT_ERRNO";
  CHECK_OK (proc_attrs_validate (&cfg, &err));
  calls[0].has_errno_ret = false;
  s->has_default_errno_ret = true;
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "config.json: linux.seccomp.defaultErrnoRet: "
               "SCMP_ACT_KILL_PROCESS takes no errno");
  s->has_default_errno_ret = false;
  /* Metadata without a listener is a spec violation. */
  s->listener_path = NULL;
  s->listener_metadata = "x";
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "config.json: linux.seccomp.listenerMetadata: set without "
               "linux.seccomp.listenerPath");
  s->listener_metadata = NULL;
  calls[0].action = "SCMP_ACT_TRACE";
  calls[0].names = (struct oci_strv){ 0 };
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "linux.seccomp.syscalls[0].names: expected at least one");

  /* runc: neither a default action nor rules means seccomp is off. */
  *s = (struct oci_seccomp){ 0 };
  CHECK_OK (proc_attrs_validate (&cfg, &err));
}

static void
t_validate_unsupported (void)
{
  struct werr err;
  struct oci_config cfg;
  config_init (&cfg);
  cfg.linux_.has_intel_rdt = true;
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "config.json: linux.intelRdt: not supported");
  CHECK (strcmp (err.msg, "config.json: linux.intelRdt: not supported") == 0);
  cfg.linux_.has_intel_rdt = false;
  cfg.linux_.has_memory_policy = true;
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "config.json: linux.memoryPolicy: not supported");
  cfg.linux_.has_memory_policy = false;
  cfg.linux_.has_personality = true;
  cfg.linux_.personality_domain = "SVR4";
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "config.json: linux.personality.domain: unknown domain "
               "\"SVR4\"");
  cfg.linux_.personality_domain = "LINUX";
  CHECK_OK (proc_attrs_validate (&cfg, &err));
}

static void
t_validate_sched_ioprio_oom (void)
{
  struct werr err;
  struct oci_config cfg;
  config_init (&cfg);
  struct oci_process *p = &cfg.process;
  p->has_scheduler = true;
  p->scheduler = (struct oci_scheduler){ .policy = "SCHED_LOTTERY" };
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "config.json: process.scheduler.policy: unknown policy "
               "\"SCHED_LOTTERY\"");
  p->scheduler = (struct oci_scheduler){ .policy = "SCHED_OTHER", .nice = 20 };
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "process.scheduler.nice: 20 is out of range");
  p->scheduler
      = (struct oci_scheduler){ .policy = "SCHED_OTHER", .priority = 5 };
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "process.scheduler.priority: only SCHED_FIFO and SCHED_RR");
  p->scheduler
      = (struct oci_scheduler){ .policy = "SCHED_RR", .priority = 100 };
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "process.scheduler.priority: 100 is out of range for "
               "SCHED_RR (1 to 99)");
  p->scheduler
      = (struct oci_scheduler){ .policy = "SCHED_BATCH", .runtime = 1000 };
  CHECK_FAILS (proc_attrs_validate (&cfg, &err), "only for SCHED_DEADLINE");
  p->scheduler = (struct oci_scheduler){ .policy = "SCHED_BATCH",
                                         .flags = STRV ("SCHED_FLAG_FAST") };
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "process.scheduler.flags[0]: unknown flag "
               "\"SCHED_FLAG_FAST\"");
  p->scheduler = (struct oci_scheduler){ .policy = "SCHED_DEADLINE",
                                         .runtime = 10000,
                                         .deadline = 100000,
                                         .period = 100000 };
  CHECK_OK (proc_attrs_validate (&cfg, &err));
  p->has_scheduler = false;

  p->has_io_priority = true;
  p->io_priority = (struct oci_io_priority){ .class_name = "IOPRIO_CLASS_X" };
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "config.json: process.ioPriority.class: unknown class "
               "\"IOPRIO_CLASS_X\"");
  p->io_priority = (struct oci_io_priority){ .class_name = "IOPRIO_CLASS_RT",
                                             .priority = 8 };
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "process.ioPriority.priority: 8 is out of range (0 to 7)");
  p->has_io_priority = false;

  p->has_oom_score_adj = true;
  p->oom_score_adj = -1001;
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "config.json: process.oomScoreAdj: -1001 is out of range");
}

static void
t_validate_sysctl (void)
{
  struct werr err;
  struct oci_config cfg;
  config_init (&cfg);
  static const char *sys[2];
  cfg.linux_.sysctl = (struct oci_kvv){ .v = kvs (1, sys), .n = 1 };
  struct oci_kv *kv = &cfg.linux_.sysctl.v[0];
  kv->value = "1";

  kv->key = "net.ipv4.ip_forward";
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "config.json: linux.sysctl: \"net.ipv4.ip_forward\" is not "
               "allowed in the host's network namespace");
  struct oci_namespace ns[]
      = { { .type = OCI_NS_NETWORK, .path = "/proc/self/ns/net" } };
  add_namespaces (&cfg, ns, 1);
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "is not allowed in the host's network namespace");
  ns[0].path = "/nonexistent/ns/net";
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "stat `/nonexistent/ns/net`: No such file or directory");
  ns[0].path = NULL;
  CHECK_OK (proc_attrs_validate (&cfg, &err));

  kv->key = "kernel.shmmax";
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "config.json: linux.sysctl: \"kernel.shmmax\" is not allowed "
               "without an ipc namespace");
  kv->key = "fs/mqueue/queues_max";
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "\"fs/mqueue/queues_max\" is not allowed without an ipc");
  ns[0].type = OCI_NS_IPC;
  CHECK_OK (proc_attrs_validate (&cfg, &err));

  kv->key = "kernel.hostname";
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "\"kernel.hostname\" is not in a separate kernel namespace");
  ns[0].type = OCI_NS_UTS;
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "\"kernel.hostname\" is not allowed: it conflicts with the "
               "hostname field");
  kv->key = "kernel.domainname";
  CHECK_OK (proc_attrs_validate (&cfg, &err));
  kv->key = "vm.swappiness";
  CHECK_FAILS (proc_attrs_validate (&cfg, &err),
               "config.json: linux.sysctl: \"vm.swappiness\" is not in a "
               "separate kernel namespace");

  /* Keys that would leave /proc/sys. */
  static const char *const bad[] = { "net/../kernel/core_pattern",
                                     "net.//.kernel.core_pattern",
                                     "net..ipv4",
                                     "/net/ipv4",
                                     "net.ipv4.",
                                     "",
                                     "." };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      kv->key = (char *) bad[i];
      CHECK_FAILS (proc_attrs_validate (&cfg, &err),
                   "config.json: linux.sysctl: invalid key");
    }
  free (cfg.linux_.sysctl.v);
}

/* Through the parser: what the tests above build by hand must be what it
 * produces (flags absent -> NULL vector, [] -> empty one). */
static void
t_validate_parsed (void)
{
  struct werr err;
  static const char json[]
      = "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
        "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\","
        "\"user\":{\"uid\":0,\"gid\":0},"
        "\"capabilities\":{\"bounding\":[\"CAP_KILL\"],"
        "\"effective\":[\"CAP_FOO\"]}},"
        "\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
        "\"flags\":[]}}}";
  struct oci_config *cfg = NULL;
  CHECK_OK (
      oci_config_parse_data (json, sizeof json - 1, "config.json", &cfg, &err));
  CHECK (cfg->linux_.has_seccomp && cfg->linux_.seccomp.flags.v != NULL
         && cfg->linux_.seccomp.flags.n == 0);
  CHECK_FAILS (proc_attrs_validate (cfg, &err),
               "config.json: process.capabilities.effective: unknown "
               "capability \"CAP_FOO\"");
  oci_config_free (cfg);
}

/* ---- early attributes ------------------------------------------------ */

static void
t_early_rlimits (void)
{
  struct werr err;
  struct oci_process p = { 0 };
  struct oci_rlimit rl[] = {
    { .type = "RLIMIT_NOFILE",
      .resource = RLIMIT_NOFILE,
      .soft = 512,
      .hard = 1024 },
    { .type = "RLIMIT_CORE", .resource = RLIMIT_CORE, .soft = 0, .hard = 0 },
  };
  p.rlimits = rl;
  p.n_rlimits = 2;
  CHECK_OK (proc_attrs_apply_early (&p, NULL, &err));
  struct rlimit r;
  CHECK (getrlimit (RLIMIT_NOFILE, &r) == 0);
  CHECK (r.rlim_cur == 512 && r.rlim_max == 1024);
  CHECK (getrlimit (RLIMIT_CORE, &r) == 0);
  CHECK (r.rlim_cur == 0 && r.rlim_max == 0);

  /* Raising the hard limit back needs CAP_SYS_RESOURCE, which root lacks
   * on some hosts (this one); skip the check where it has it. */
  if (status_hex ("CapEff") & (UINT64_C (1) << CAP_SYS_RESOURCE))
    return;
  rl[0].soft = rl[0].hard = 2048;
  p.n_rlimits = 1;
  CHECK_FAILS (proc_attrs_apply_early (&p, NULL, &err),
               "setrlimit RLIMIT_NOFILE: Operation not permitted");
  CHECK (strcmp (err.msg, "setrlimit RLIMIT_NOFILE: Operation not permitted")
         == 0);
}

static void
t_early_oom_personality_ioprio (void)
{
  struct werr err;
  struct oci_process p = { 0 };
  struct oci_linux l = { 0 };
  p.has_oom_score_adj = true;
  p.oom_score_adj = 512;
  p.has_io_priority = true;
  p.io_priority = (struct oci_io_priority){ .class_name = "IOPRIO_CLASS_BE",
                                            .class = 2,
                                            .priority = 5 };
  l.has_personality = true;
  l.personality_domain = "LINUX32";
  CHECK_OK (proc_attrs_apply_early (&p, &l, &err));
  char buf[32];
  read_text ("/proc/self/oom_score_adj", buf, sizeof buf);
  CHECK (strcmp (buf, "512") == 0);
  CHECK ((personality (0xffffffff) & PER_MASK) == PER_LINUX32);
  struct utsname u;
  CHECK (uname (&u) == 0);
  CHECK (strcmp (u.machine, "x86_64") != 0);
  CHECK (syscall (SYS_ioprio_get, 1, 0) == ((2 << 13) | 5));

  p.io_priority = (struct oci_io_priority){ .class_name = "IOPRIO_CLASS_IDLE",
                                            .class = 3 };
  p.has_oom_score_adj = false;
  l.personality_domain = "LINUX";
  CHECK_OK (proc_attrs_apply_early (&p, &l, &err));
  CHECK ((personality (0xffffffff) & PER_MASK) == PER_LINUX);
  CHECK (syscall (SYS_ioprio_get, 1, 0) == (3 << 13));
}

static void
t_early_scheduler (void)
{
  struct werr err;
  struct oci_process p = { 0 };
  p.has_scheduler = true;
  p.scheduler
      = (struct oci_scheduler){ .policy = "SCHED_BATCH",
                                .nice = 7,
                                .flags = STRV ("SCHED_FLAG_RESET_ON_FORK") };
  CHECK_OK (proc_attrs_apply_early (&p, NULL, &err));
  CHECK (sched_getscheduler (0) == (SCHED_BATCH | SCHED_RESET_ON_FORK));
  errno = 0;
  CHECK (getpriority (PRIO_PROCESS, 0) == 7);

  p.scheduler = (struct oci_scheduler){ .policy = "SCHED_IDLE" };
  CHECK_OK (proc_attrs_apply_early (&p, NULL, &err));
  CHECK (sched_getscheduler (0) == SCHED_IDLE);

  /* A real-time policy may be refused by RT group scheduling: then the
   * message must name the call. */
  p.scheduler = (struct oci_scheduler){ .policy = "SCHED_FIFO", .priority = 3 };
  werr_clear (&err);
  if (proc_attrs_apply_early (&p, NULL, &err) == 0)
    {
      struct sched_param sp;
      CHECK (sched_getscheduler (0) == SCHED_FIFO);
      CHECK (sched_getparam (0, &sp) == 0 && sp.sched_priority == 3);
    }
  else
    CHECK (strstr (err.msg, "sched_setattr SCHED_FIFO: ") == err.msg);
}

/* ---- credentials ----------------------------------------------------- */

#define BIT(c) (UINT64_C (1) << (c))

static void
t_creds_full (void)
{
  struct werr err;
  struct oci_process p = { 0 };
  uint32_t gids[] = { 10, 20 };
  p.user = (struct oci_user){
    .uid = 1000, .gid = 1001, .additional_gids = gids, .n_additional_gids = 2
  };
  p.has_capabilities = true;
  p.capabilities.bounding
      = STRV ("CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE");
  p.capabilities.effective = STRV ("CAP_CHOWN", "CAP_NET_BIND_SERVICE");
  p.capabilities.permitted = STRV ("CAP_CHOWN", "CAP_NET_BIND_SERVICE");
  p.capabilities.inheritable = STRV ("CAP_CHOWN");
  /* CAP_NET_BIND_SERVICE is not inheritable: skipped, as runc. */
  p.capabilities.ambient = STRV ("CAP_CHOWN", "CAP_NET_BIND_SERVICE");
  p.no_new_privileges = true;
  CHECK (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == 0);
  CHECK_OK (credentials_and_seccomp_apply (&p, NULL, &err));

  int sig = 0;
  CHECK (prctl (PR_GET_PDEATHSIG, &sig, 0, 0, 0) == 0 && sig == SIGKILL);
  CHECK (status_hex ("CapBnd")
         == (BIT (CAP_CHOWN) | BIT (CAP_KILL) | BIT (CAP_NET_BIND_SERVICE)));
  CHECK (status_hex ("CapEff")
         == (BIT (CAP_CHOWN) | BIT (CAP_NET_BIND_SERVICE)));
  CHECK (status_hex ("CapPrm")
         == (BIT (CAP_CHOWN) | BIT (CAP_NET_BIND_SERVICE)));
  CHECK (status_hex ("CapInh") == BIT (CAP_CHOWN));
  CHECK (status_hex ("CapAmb") == BIT (CAP_CHOWN));
  char v[128];
  status_field ("NoNewPrivs", v, sizeof v);
  CHECK (strcmp (v, "1") == 0);
  status_field ("Seccomp", v, sizeof v);
  CHECK (strcmp (v, "0") == 0);
  status_field ("Uid", v, sizeof v);
  CHECK (strcmp (v, "1000\t1000\t1000\t1000") == 0);
  status_field ("Gid", v, sizeof v);
  CHECK (strcmp (v, "1001\t1001\t1001\t1001") == 0);
  status_field ("Groups", v, sizeof v);
  CHECK (strcmp (v, "10 20") == 0);
  CHECK (prctl (PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0);
  mode_t old = umask (0);
  CHECK (old == 0022);
}

static void
t_creds_no_capabilities (void)
{
  struct werr err;
  struct oci_process p = { 0 };
  p.user.has_umask = true;
  p.user.umask = 0077;
  umask (0);
  CHECK (setgroups (1, (gid_t[]){ 4 }) == 0);
  CHECK_OK (credentials_and_seccomp_apply (&p, NULL, &err));
  /* runc: no capabilities object means no capabilities at all. */
  CHECK (status_hex ("CapBnd") == 0);
  CHECK (status_hex ("CapEff") == 0);
  CHECK (status_hex ("CapPrm") == 0);
  CHECK (status_hex ("CapInh") == 0);
  CHECK (status_hex ("CapAmb") == 0);
  char v[128];
  status_field ("Uid", v, sizeof v);
  CHECK (strcmp (v, "0\t0\t0\t0") == 0);
  status_field ("Groups", v, sizeof v);
  CHECK (strcmp (v, "") == 0);
  status_field ("NoNewPrivs", v, sizeof v);
  CHECK (strcmp (v, "0") == 0);
  CHECK (umask (0) == 0077);
}

static void
drop_effective (cap_value_t c)
{
  cap_t caps = cap_get_proc ();
  CHECK (caps != NULL);
  CHECK (cap_set_flag (caps, CAP_EFFECTIVE, 1, &c, CAP_CLEAR) == 0);
  CHECK (cap_set_proc (caps) == 0);
  cap_free (caps);
}

static void
t_creds_errors (void)
{
  struct werr err;
  struct oci_process p = { 0 };
  p.has_capabilities = true;
  p.capabilities.bounding = STRV ("CAP_CHOWN");
  p.capabilities.effective = STRV ("CAP_CHOWN");
  CHECK_FAILS (credentials_and_seccomp_apply (&p, NULL, &err),
               "capset: Operation not permitted");
  CHECK (strcmp (err.msg, "capset: Operation not permitted") == 0);

  p.capabilities.bounding = STRV ("CAP_BOGUS");
  CHECK_FAILS (credentials_and_seccomp_apply (&p, NULL, &err),
               "process.capabilities.bounding: unknown capability "
               "\"CAP_BOGUS\"");
}

static void
t_creds_setresuid_eperm (void)
{
  struct werr err;
  struct oci_process p = { 0 };
  p.user = (struct oci_user){ .uid = 1000, .gid = 1000 };
  drop_effective (CAP_SETUID);
  CHECK_FAILS (credentials_and_seccomp_apply (&p, NULL, &err),
               "setresuid 1000: Operation not permitted");
  CHECK (strcmp (err.msg, "setresuid 1000: Operation not permitted") == 0);
}

/* ---- seccomp --------------------------------------------------------- */

/* A NOTIFY profile: the listener fd goes up the sync socket, the process
 * waits for SYNC_GO, and a notified syscall waits for the agent's answer. */
static void
t_seccomp_notify_handoff (void)
{
  struct werr err;
  struct oci_process p = { 0 };
  struct oci_linux l = { 0 };
  struct oci_seccomp_syscall calls[] = {
    { .names = STRV ("getppid"), .action = "SCMP_ACT_NOTIFY" },
  };
  p.no_new_privileges = true;
  l.has_seccomp = true;
  l.seccomp = (struct oci_seccomp){ .default_action = "SCMP_ACT_ALLOW",
                                    .listener_path = "/unused",
                                    .syscalls = calls,
                                    .n_syscalls = 1 };
  CHECK (seccomp_profile_uses_notify (&l.seccomp));
  /* Without a socket to hand the fd to, NOTIFY is refused. */
  CHECK_FAILS (seccomp_profile_install (&l.seccomp, &err), "SCMP_ACT_NOTIFY");

  int sv[2];
  CHECK (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
  pid_t child = fork ();
  CHECK (child >= 0);
  if (child == 0)
    {
      close (sv[0]);
      if (credentials_and_seccomp_apply_sync (&p, &l, sv[1], &err) < 0)
        {
          fprintf (stderr, "apply: %s\n", err.msg);
          _exit (1);
        }
      /* Notified: the answer comes from the test below. */
      pid_t r = getppid ();
      _exit (r == 4242 ? 0 : 2);
    }
  close (sv[1]);
  struct sync_msg m;
  int fd = -1;
  CHECK_OK (sync_expect (sv[0], SYNC_SECCOMP_FD, &m, &fd, &err));
  CHECK (fd >= 0);
  char link[128] = "";
  char path[64];
  snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
  CHECK (readlink (path, link, sizeof link - 1) > 0);
  CHECK (strcmp (link, "anon_inode:seccomp notify") == 0);
  CHECK (fcntl (fd, F_GETFD) & FD_CLOEXEC);
  CHECK (sync_send (sv[0], SYNC_GO, 0, -1) == 0);

  struct seccomp_notif req;
  memset (&req, 0, sizeof req);
  CHECK (ioctl (fd, SECCOMP_IOCTL_NOTIF_RECV, &req) == 0);
  CHECK (req.pid == (uint32_t) child);
  CHECK (req.data.nr == __NR_getppid);
  struct seccomp_notif_resp resp = { .id = req.id, .val = 4242 };
  CHECK (ioctl (fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0);
  int status;
  CHECK (waitpid (child, &status, 0) == child);
  CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  close (fd);
  close (sv[0]);
}

/* The agent never answers SYNC_GO: the error names the listener. */
static void
t_seccomp_notify_refused (void)
{
  struct werr err;
  struct oci_process p = { 0 };
  struct oci_linux l = { 0 };
  struct oci_seccomp_syscall calls[] = {
    { .names = STRV ("getppid"), .action = "SCMP_ACT_NOTIFY" },
  };
  p.no_new_privileges = true;
  l.has_seccomp = true;
  l.seccomp = (struct oci_seccomp){ .default_action = "SCMP_ACT_ALLOW",
                                    .listener_path = "/unused",
                                    .syscalls = calls,
                                    .n_syscalls = 1 };
  int sv[2];
  CHECK (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
  struct werr sent = { 0 };
  werr_set (&sent, 0, "linux.seccomp.listenerPath: connect `/x`: refused");
  /* The runtime's answer is already waiting: an error. */
  sync_send_error (sv[0], &sent);
  CHECK_FAILS (credentials_and_seccomp_apply_sync (&p, &l, sv[1], &err),
               "seccomp: hand the listener fd over: linux.seccomp."
               "listenerPath: connect `/x`: refused");
}

static void
t_seccomp_errno_rules (void)
{
  struct werr err;
  struct oci_process p = { 0 };
  struct oci_linux l = { 0 };
  p.no_new_privileges = true;
  struct oci_seccomp_arg mkdir_mode[] = { { .index = 1,
                                            .value = 07,
                                            .has_value_two = true,
                                            .value_two = 07,
                                            .op = "SCMP_CMP_MASKED_EQ" } };
  struct oci_seccomp_arg mkdirat_mode[] = { { .index = 2,
                                              .value = 07,
                                              .has_value_two = true,
                                              .value_two = 07,
                                              .op = "SCMP_CMP_MASKED_EQ" } };
  struct oci_seccomp_syscall calls[] = {
    { .names = STRV ("getcwd", "ward_syscall_from_the_future"),
      .action = "SCMP_ACT_ERRNO",
      .has_errno_ret = true,
      .errno_ret = EACCES },
    { .names = STRV ("mkdir"),
      .action = "SCMP_ACT_ERRNO",
      .has_errno_ret = true,
      .errno_ret = EROFS,
      .args = mkdir_mode,
      .n_args = 1 },
    { .names = STRV ("mkdirat"),
      .action = "SCMP_ACT_ERRNO",
      .has_errno_ret = true,
      .errno_ret = EROFS,
      .args = mkdirat_mode,
      .n_args = 1 },
    { .names = STRV ("getppid"), .action = "SCMP_ACT_ERRNO" },
    /* Same as the default: skipped, not an error. */
    { .names = STRV ("getpid"), .action = "SCMP_ACT_ALLOW" },
  };
  l.has_seccomp = true;
  l.seccomp = (struct oci_seccomp){ .default_action = "SCMP_ACT_ALLOW",
                                    .syscalls = calls,
                                    .n_syscalls = 5 };
  CHECK_OK (credentials_and_seccomp_apply (&p, &l, &err));

  char v[64];
  status_field ("Seccomp", v, sizeof v);
  CHECK (strcmp (v, "2") == 0);
  status_field ("Seccomp_filters", v, sizeof v);
  CHECK (strcmp (v, "1") == 0);
  char buf[256];
  errno = 0;
  CHECK (getcwd (buf, sizeof buf) == NULL && errno == EACCES);
  CHECK (syscall (SYS_getppid) == -1 && errno == EPERM);
  CHECK (getpid () > 0);
  /* glibc's mkdir() uses the mkdir syscall, not mkdirat. */
  CHECK (mkdir ("/nonexistent-ward-test/a", 0777) < 0 && errno == EROFS);
  CHECK (mkdir ("/nonexistent-ward-test/a", 0770) < 0 && errno == ENOENT);
  CHECK (mkdirat (AT_FDCWD, "/nonexistent-ward-test/a", 0707) < 0
         && errno == EROFS);
  CHECK (mkdirat (AT_FDCWD, "/nonexistent-ward-test/a", 0700) < 0
         && errno == ENOENT);
}

static void
t_seccomp_enosys_prelude (void)
{
  struct werr err;
  struct oci_process p = { 0 };
  struct oci_linux l = { 0 };
  p.no_new_privileges = true;
  /* Everything this child does after the filter is in (exit_group is the
   * highest of these on x86_64, 231). */
  struct oci_seccomp_syscall calls[] = {
    { .names = STRV ("write", "exit", "exit_group", "rt_sigreturn", "brk",
                     "mmap", "munmap", "getpid", "gettid", "tgkill",
                     "rt_sigprocmask", "sigaltstack"),
      .action = "SCMP_ACT_ALLOW" },
  };
  l.has_seccomp = true;
  l.seccomp = (struct oci_seccomp){
    .default_action = "SCMP_ACT_ERRNO",
    .architectures
    = STRV ("SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_X86_64"),
    .flags = STRV ("SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_TSYNC"),
    .syscalls = calls,
    .n_syscalls = 1
  };
  CHECK_OK (credentials_and_seccomp_apply (&p, &l, &err));
  /* Unknown to the profile and below its highest syscall: the default. */
  CHECK (syscall (SYS_getppid) == -1 && errno == EPERM);
  /* Newer than anything the profile names: ENOSYS, so libc falls back. */
  CHECK (syscall (SYS_pidfd_open, 1, 0) == -1 && errno == ENOSYS);
  CHECK (syscall (SYS_clone3, NULL, 0) == -1 && errno == ENOSYS);
  CHECK (syscall (1000) == -1 && errno == ENOSYS);
  CHECK (getpid () > 1);
}

static void
t_seccomp_before_dropping (void)
{
  struct werr err;
  struct oci_process p = { 0 };
  struct oci_linux l = { 0 };
  p.user = (struct oci_user){ .uid = 1000, .gid = 1000 };
  struct oci_seccomp_syscall calls[] = {
    { .names = STRV ("getcwd"),
      .action = "SCMP_ACT_ERRNO",
      .has_errno_ret = true,
      .errno_ret = ENOTSUP },
  };
  l.has_seccomp = true;
  l.seccomp = (struct oci_seccomp){ .default_action = "SCMP_ACT_ALLOW",
                                    .flags = STRV ("SECCOMP_FILTER_FLAG_LOG"),
                                    .syscalls = calls,
                                    .n_syscalls = 1 };
  l.seccomp.flags.n = 0; /* present but empty: no implicit SPEC_ALLOW */
  CHECK_OK (credentials_and_seccomp_apply (&p, &l, &err));
  char v[64];
  status_field ("NoNewPrivs", v, sizeof v);
  CHECK (strcmp (v, "0") == 0);
  status_field ("Seccomp", v, sizeof v);
  CHECK (strcmp (v, "2") == 0);
  status_field ("Uid", v, sizeof v);
  CHECK (strcmp (v, "1000\t1000\t1000\t1000") == 0);
  CHECK (status_hex ("CapEff") == 0);
  char buf[64];
  CHECK (getcwd (buf, sizeof buf) == NULL && errno == ENOTSUP);
}

static void
t_seccomp_needs_privilege (void)
{
  struct werr err;
  struct oci_process p = { 0 };
  struct oci_linux l = { 0 };
  struct oci_seccomp_syscall calls[] = {
    { .names = STRV ("getcwd"), .action = "SCMP_ACT_ERRNO" },
  };
  l.has_seccomp = true;
  l.seccomp = (struct oci_seccomp){ .default_action = "SCMP_ACT_ALLOW",
                                    .syscalls = calls,
                                    .n_syscalls = 1 };
  /* Neither no_new_privs nor CAP_SYS_ADMIN: the kernel refuses. */
  drop_effective (CAP_SYS_ADMIN);
  CHECK_FAILS (credentials_and_seccomp_apply (&p, &l, &err),
               "seccomp: load filter: Permission denied");
}

/* ---- sysctl ---------------------------------------------------------- */

static void
t_sysctl_apply (void)
{
  struct werr err;
  /* Private namespaces: the writes below must not reach the host. */
  if (unshare (CLONE_NEWNET | CLONE_NEWIPC) < 0)
    SKIP_TEST ();
  static const char *const sys[] = { "net.ipv4.ip_default_ttl",
                                     "42",
                                     "net/ipv4/conf/lo/forwarding",
                                     "1",
                                     "kernel.shmmni",
                                     "1234",
                                     "kernel/msgmax",
                                     "4321" };
  struct oci_kvv kv = { .v = kvs (4, sys), .n = 4 };
  CHECK_OK (sysctl_apply (&kv, &err));
  char buf[64];
  read_text ("/proc/sys/net/ipv4/ip_default_ttl", buf, sizeof buf);
  CHECK (strcmp (buf, "42") == 0);
  read_text ("/proc/sys/net/ipv4/conf/lo/forwarding", buf, sizeof buf);
  CHECK (strcmp (buf, "1") == 0);
  read_text ("/proc/sys/kernel/shmmni", buf, sizeof buf);
  CHECK (strcmp (buf, "1234") == 0);
  read_text ("/proc/sys/kernel/msgmax", buf, sizeof buf);
  CHECK (strcmp (buf, "4321") == 0);
  free (kv.v);

  static const char *const missing[] = { "net.ipv4.ward_no_such_key", "1" };
  kv = (struct oci_kvv){ .v = kvs (1, missing), .n = 1 };
  CHECK_FAILS (sysctl_apply (&kv, &err),
               "sysctl \"net.ipv4.ward_no_such_key\": open "
               "`/proc/sys/net/ipv4/ward_no_such_key`: No such file or "
               "directory");
  kv.v[0].key = "net/../kernel/core_pattern";
  CHECK_FAILS (sysctl_apply (&kv, &err),
               "sysctl \"net/../kernel/core_pattern\": Invalid argument");
  kv.v[0].key = "net.//.kernel.core_pattern";
  CHECK_FAILS (sysctl_apply (&kv, &err), "Invalid argument");
  kv.v[0].key = "net.ipv4.ip_default_ttl";
  kv.v[0].value = "0";
  CHECK_FAILS (sysctl_apply (&kv, &err),
               "sysctl \"net.ipv4.ip_default_ttl\": write "
               "`/proc/sys/net/ipv4/ip_default_ttl`: Invalid argument");
  free (kv.v);
}

/* ---- runner ---------------------------------------------------------- */

static const struct
{
  const char *name;
  void (*fn) (void);
} tests[] = {
  { "validate_good", t_validate_good },
  { "validate_caps", t_validate_caps },
  { "validate_rlimits", t_validate_rlimits },
  { "validate_seccomp", t_validate_seccomp },
  { "validate_unsupported", t_validate_unsupported },
  { "validate_sched_ioprio_oom", t_validate_sched_ioprio_oom },
  { "validate_sysctl", t_validate_sysctl },
  { "validate_parsed", t_validate_parsed },
  { "early_rlimits", t_early_rlimits },
  { "early_oom_personality_ioprio", t_early_oom_personality_ioprio },
  { "early_scheduler", t_early_scheduler },
  { "creds_full", t_creds_full },
  { "creds_no_capabilities", t_creds_no_capabilities },
  { "creds_errors", t_creds_errors },
  { "creds_setresuid_eperm", t_creds_setresuid_eperm },
  { "seccomp_errno_rules", t_seccomp_errno_rules },
  { "seccomp_notify_handoff", t_seccomp_notify_handoff },
  { "seccomp_notify_refused", t_seccomp_notify_refused },
  { "seccomp_enosys_prelude", t_seccomp_enosys_prelude },
  { "seccomp_before_dropping", t_seccomp_before_dropping },
  { "seccomp_needs_privilege", t_seccomp_needs_privilege },
  { "sysctl_apply", t_sysctl_apply },
};

int
main (int argc, char **argv)
{
  if (geteuid () != 0)
    {
      fprintf (stderr, "test_proc_attrs: needs root, skipped\n");
      return 77;
    }
  int failed = 0, ran = 0;
  for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
    {
      if (argc > 1 && strcmp (argv[1], tests[i].name) != 0)
        continue;
      fflush (NULL);
      pid_t pid = fork ();
      if (pid < 0)
        {
          perror ("fork");
          return 99;
        }
      if (pid == 0)
        {
          tests[i].fn ();
          _exit (0);
        }
      int status;
      while (waitpid (pid, &status, 0) < 0)
        if (errno != EINTR)
          {
            perror ("waitpid");
            return 99;
          }
      ran++;
      if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
        printf ("PASS: %s\n", tests[i].name);
      else if (WIFEXITED (status) && WEXITSTATUS (status) == 77)
        printf ("SKIP: %s\n", tests[i].name);
      else
        {
          failed++;
          if (WIFSIGNALED (status))
            printf ("FAIL: %s (signal %d)\n", tests[i].name, WTERMSIG (status));
          else
            printf ("FAIL: %s (exit %d)\n", tests[i].name,
                    WEXITSTATUS (status));
        }
    }
  if (ran == 0)
    {
      fprintf (stderr, "no test named %s\n", argc > 1 ? argv[1] : "");
      return 99;
    }
  return failed ? 1 : 0;
}
