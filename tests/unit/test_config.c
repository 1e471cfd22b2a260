/* ward — unit tests of oci-spec: JSON reader/writer, config.json parser,
 * state / features / default spec output. */
#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "unit.h"
#include "ward/json.h"
#include "ward/oci_config.h"
#include "ward/oci_output.h"

#ifndef REFERENCE_DIR
#error "REFERENCE_DIR must name tests/data/runtime-spec"
#endif
#ifndef DATA_DIR
#error "DATA_DIR must name tests/data"
#endif

static struct oci_config *
parse_file (const char *path)
{
  struct oci_config *cfg = NULL;
  struct werr err = { 0 };
  if (oci_config_parse_file (path, &cfg, &err) < 0)
    {
      fprintf (stderr, "     %s\n", err.msg);
      return NULL;
    }
  return cfg;
}

static char *
read_all (const char *path, size_t *len)
{
  FILE *f = fopen (path, "re");
  if (f == NULL)
    return NULL;
  char *buf = NULL;
  size_t cap = 0;
  *len = 0;
  for (;;)
    {
      if (*len + 4096 + 1 > cap)
        {
          cap = (*len + 4096 + 1) * 2;
          char *nb = realloc (buf, cap);
          if (nb == NULL)
            break;
          buf = nb;
        }
      size_t n = fread (buf + *len, 1, 4096, f);
      *len += n;
      if (n == 0)
        break;
    }
  fclose (f);
  if (buf)
    buf[*len] = '\0';
  return buf;
}

/* ---- reference files ---------------------------------------------------- */

static void
test_reference_files_parse (void)
{
  DIR *d = opendir (REFERENCE_DIR);
  if (!CHECK (d != NULL))
    return;
  int parsed = 0;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      size_t nl = strlen (de->d_name);
      if (nl < 5 || strcmp (de->d_name + nl - 5, ".json") != 0
          || strcmp (de->d_name, "features-runc.json") == 0)
        continue;
      char path[PATH_MAX];
      snprintf (path, sizeof path, "%s/%s", REFERENCE_DIR, de->d_name);
      struct oci_config *cfg = parse_file (path);
      if (!CHECK (cfg != NULL))
        fprintf (stderr, "     %s did not parse\n", de->d_name);
      oci_config_free (cfg);
      parsed++;
    }
  closedir (d);
  CHECK (parsed >= 5);
}

static void
check_spec_example_process (const struct oci_config *cfg)
{
  const struct oci_process *p = &cfg->process;
  CHECK (cfg->has_process);
  CHECK (p->terminal);
  CHECK_INT_EQ (p->user.uid, 1);
  CHECK_INT_EQ (p->user.gid, 1);
  CHECK_INT_EQ (p->user.n_additional_gids, 2);
  CHECK_INT_EQ (p->user.additional_gids[1], 6);
  CHECK_INT_EQ (p->args.n, 1);
  CHECK_STR_EQ (p->args.v[0], "sh");
  CHECK (p->args.v[1] == NULL);
  CHECK_INT_EQ (p->env.n, 2);
  CHECK_STR_EQ (p->env.v[1], "TERM=xterm");
  CHECK (p->env.v[2] == NULL);
  CHECK_STR_EQ (p->cwd, "/");
  CHECK (p->has_capabilities);
  CHECK_INT_EQ (p->capabilities.effective.n, 2);
  CHECK_STR_EQ (p->capabilities.ambient.v[0], "CAP_NET_BIND_SERVICE");
  CHECK_INT_EQ (p->n_rlimits, 2);
  CHECK_STR_EQ (p->rlimits[0].type, "RLIMIT_CORE");
  CHECK_INT_EQ (p->rlimits[0].resource, RLIMIT_CORE);
  CHECK_INT_EQ (p->rlimits[1].resource, RLIMIT_NOFILE);
  CHECK_UINT_EQ (p->rlimits[1].soft, 1024);
  CHECK_UINT_EQ (p->rlimits[1].hard, 1024);
  CHECK_STR_EQ (p->apparmor_profile, "acme_secure_profile");
  CHECK_STR_EQ (p->selinux_label,
                "system_u:system_r:svirt_lxc_net_t:s0:c124,c675");
  CHECK (p->no_new_privileges);
  CHECK (!p->has_oom_score_adj);
}

static void
check_spec_example_linux (const struct oci_config *cfg)
{
  const struct oci_linux *lx = &cfg->linux_;
  CHECK (cfg->has_linux);
  CHECK_INT_EQ (lx->n_devices, 2);
  CHECK_STR_EQ (lx->devices[0].path, "/dev/fuse");
  CHECK_INT_EQ (lx->devices[0].type, 'c');
  CHECK_INT_EQ (lx->devices[0].major, 10);
  CHECK_INT_EQ (lx->devices[0].minor, 229);
  CHECK (lx->devices[0].has_file_mode);
  CHECK_INT_EQ (lx->devices[0].file_mode, 0666);
  CHECK_INT_EQ (lx->devices[1].type, 'b');
  CHECK_INT_EQ (lx->n_uid_mappings, 1);
  CHECK_INT_EQ (lx->uid_mappings[0].container_id, 0);
  CHECK_INT_EQ (lx->uid_mappings[0].host_id, 1000);
  CHECK_INT_EQ (lx->uid_mappings[0].size, 32000);
  CHECK_INT_EQ (lx->n_gid_mappings, 1);
  CHECK_INT_EQ (lx->sysctl.n, 2);
  CHECK_STR_EQ (lx->sysctl.v[1].key, "net.core.somaxconn");
  CHECK_STR_EQ (lx->sysctl.v[1].value, "256");
  CHECK_STR_EQ (lx->cgroups_path, "/myRuntime/myContainer");
  CHECK_STR_EQ (lx->rootfs_propagation, "slave");
  CHECK_INT_EQ (lx->n_namespaces, 8);
  static const enum oci_ns_type want[]
      = { OCI_NS_PID,   OCI_NS_NETWORK, OCI_NS_IPC,    OCI_NS_UTS,
          OCI_NS_MOUNT, OCI_NS_USER,    OCI_NS_CGROUP, OCI_NS_TIME };
  for (size_t i = 0; i < 8 && i < lx->n_namespaces; i++)
    {
      CHECK_INT_EQ (lx->namespaces[i].type, want[i]);
      CHECK (lx->namespaces[i].path == NULL);
    }
  CHECK (oci_config_namespace (cfg, OCI_NS_TIME) == &lx->namespaces[7]);
  CHECK_INT_EQ (lx->n_time_offsets, 2);
  CHECK_STR_EQ (lx->time_offsets[0].clock, "monotonic");
  CHECK_INT_EQ (lx->time_offsets[0].secs, 172800);
  CHECK_INT_EQ (lx->time_offsets[1].secs, 604800);
  CHECK_INT_EQ (lx->masked_paths.n, 4);
  CHECK_INT_EQ (lx->readonly_paths.n, 6);
  CHECK_STR_EQ (lx->mount_label,
                "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811");
  CHECK (lx->has_seccomp);
  CHECK_STR_EQ (lx->seccomp.default_action, "SCMP_ACT_ALLOW");
  CHECK_INT_EQ (lx->seccomp.architectures.n, 2);
  CHECK_STR_EQ (lx->seccomp.architectures.v[1], "SCMP_ARCH_X32");
  CHECK_INT_EQ (lx->seccomp.n_syscalls, 1);
  CHECK_INT_EQ (lx->seccomp.syscalls[0].names.n, 2);
  CHECK_STR_EQ (lx->seccomp.syscalls[0].names.v[0], "getcwd");
  CHECK_STR_EQ (lx->seccomp.syscalls[0].action, "SCMP_ACT_ERRNO");
  CHECK (!lx->seccomp.syscalls[0].has_errno_ret);
  CHECK (!lx->has_intel_rdt);
}

static void
check_spec_example_resources (const struct oci_resources *r)
{
  CHECK_INT_EQ (r->n_devices, 3);
  CHECK (!r->devices[0].allow);
  CHECK_INT_EQ (r->devices[0].type, 'a');
  CHECK_INT_EQ (r->devices[0].major, -1);
  CHECK_INT_EQ (r->devices[0].minor, -1);
  CHECK_STR_EQ (r->devices[0].access, "rwm");
  CHECK (r->devices[1].allow);
  CHECK_INT_EQ (r->devices[1].type, 'c');
  CHECK_INT_EQ (r->devices[1].minor, 229);
  CHECK (r->has_pids);
  CHECK_INT_EQ (r->pids_limit, 32771);
  CHECK_INT_EQ (r->n_hugepage_limits, 2);
  CHECK_STR_EQ (r->hugepage_limits[0].page_size, "2MB");
  CHECK_UINT_EQ (r->hugepage_limits[0].limit, 9223372036854772000ULL);
  CHECK (r->has_memory && r->memory.has_limit && r->memory.has_kernel);
  CHECK_INT_EQ (r->memory.limit, 536870912);
  CHECK_INT_EQ (r->memory.kernel, -1);
  CHECK (r->memory.has_swappiness && r->memory.swappiness == 0);
  CHECK (r->memory.has_disable_oom_killer && !r->memory.disable_oom_killer);
  CHECK (r->has_cpu && r->cpu.has_quota && !r->cpu.has_idle);
  CHECK_UINT_EQ (r->cpu.shares, 1024);
  CHECK_INT_EQ (r->cpu.quota, 1000000);
  CHECK_UINT_EQ (r->cpu.burst, 1000000);
  CHECK_INT_EQ (r->cpu.realtime_runtime, 950000);
  CHECK_STR_EQ (r->cpu.cpus, "2-3");
  CHECK_STR_EQ (r->cpu.mems, "0-7");
  CHECK (r->has_block_io && r->block_io.has_weight);
  CHECK_INT_EQ (r->block_io.weight, 10);
  CHECK_INT_EQ (r->block_io.n_weight_device, 2);
  CHECK (r->block_io.weight_device[0].has_leaf_weight);
  CHECK_INT_EQ (r->block_io.weight_device[0].leaf_weight, 300);
  CHECK (!r->block_io.weight_device[1].has_leaf_weight);
  CHECK_INT_EQ (r->block_io.n_throttle_read_bps, 1);
  CHECK_UINT_EQ (r->block_io.throttle_read_bps[0].rate, 600);
  CHECK_INT_EQ (r->block_io.n_throttle_write_iops, 1);
  CHECK_INT_EQ (r->block_io.throttle_write_iops[0].minor, 16);
  CHECK_INT_EQ (r->block_io.n_throttle_write_bps, 0);
  CHECK (r->has_network && r->network.has_class_id);
  CHECK_INT_EQ (r->network.class_id, 1048577);
  CHECK_INT_EQ (r->network.priorities.n, 2);
  CHECK_STR_EQ (r->network.priorities.v[1].key, "eth1");
  CHECK_STR_EQ (r->network.priorities.v[1].value, "1000");
}

static void
test_spec_example (void)
{
  struct oci_config *cfg = parse_file (REFERENCE_DIR "/spec-example.json");
  if (!CHECK (cfg != NULL))
    return;
  CHECK_STR_EQ (cfg->oci_version, "0.5.0-dev");
  CHECK_STR_EQ (cfg->root.path, "rootfs");
  CHECK (cfg->root.readonly);
  CHECK_STR_EQ (cfg->hostname, "slartibartfast");
  CHECK_STR_EQ (cfg->domainname, "foobarbaz.test");
  CHECK_INT_EQ (cfg->n_mounts, 7);
  CHECK_STR_EQ (cfg->mounts[2].destination, "/dev/pts");
  CHECK_STR_EQ (cfg->mounts[2].type, "devpts");
  CHECK_INT_EQ (cfg->mounts[2].options.n, 6);
  CHECK_STR_EQ (cfg->mounts[2].options.v[5], "gid=5");
  CHECK (cfg->mounts[2].options.v[6] == NULL);
  CHECK (cfg->mounts[0].options.v == NULL);
  CHECK (cfg->has_hooks);
  CHECK_INT_EQ (cfg->hooks.prestart.n, 2);
  CHECK_STR_EQ (cfg->hooks.prestart.v[0].args.v[2], "arg2");
  CHECK_STR_EQ (cfg->hooks.prestart.v[1].path, "/usr/bin/setup-network");
  CHECK_INT_EQ (cfg->hooks.create_runtime.n, 2);
  CHECK_INT_EQ (cfg->hooks.create_container.n, 1);
  CHECK_INT_EQ (cfg->hooks.start_container.n, 1);
  CHECK (cfg->hooks.poststart.v[0].has_timeout);
  CHECK_INT_EQ (cfg->hooks.poststart.v[0].timeout, 5);
  CHECK_INT_EQ (cfg->hooks.poststop.n, 1);
  CHECK_STR_EQ (oci_config_annotation (cfg, "com.example.key2"), "value2");
  CHECK (oci_config_annotation (cfg, "nope") == NULL);
  check_spec_example_process (cfg);
  check_spec_example_linux (cfg);
  check_spec_example_resources (&cfg->linux_.resources);
  oci_config_free (cfg);
}

static void
test_rdma (void)
{
  struct oci_config *cfg = parse_file (REFERENCE_DIR "/linux-rdma.json");
  if (!CHECK (cfg != NULL))
    return;
  const struct oci_kvv *rdma = &cfg->linux_.resources.rdma;
  CHECK (cfg->linux_.has_resources);
  CHECK_INT_EQ (rdma->n, 3);
  CHECK_STR_EQ (rdma->v[0].key, "mlx5_1");
  CHECK_STR_EQ (rdma->v[0].value, "hcaHandles=3 hcaObjects=10000");
  CHECK_STR_EQ (rdma->v[1].value, "hcaObjects=1000");
  CHECK (!cfg->has_process);
  oci_config_free (cfg);
}

static void
check_full_process (const struct oci_process *p)
{
  CHECK (p->has_console_size);
  CHECK_UINT_EQ (p->console_height, 25);
  CHECK_UINT_EQ (p->console_width, 80);
  CHECK_UINT_EQ (p->user.uid, UINT32_MAX);
  CHECK (p->user.has_umask);
  CHECK_INT_EQ (p->user.umask, 022);
  CHECK_UINT_EQ (p->user.additional_gids[1], UINT32_MAX);
  CHECK_STR_EQ (p->user.username, "nobody");
  CHECK_STR_EQ (p->args.v[2], "echo \xc3\xa9t\xc3\xa9");
  CHECK_STR_EQ (p->command_line, "ignored on linux");
  CHECK_INT_EQ (p->capabilities.ambient.n, 0);
  CHECK (p->capabilities.ambient.v != NULL
         && p->capabilities.ambient.v[0] == NULL);
  CHECK (p->capabilities.effective.v == NULL);
  CHECK_INT_EQ (p->rlimits[0].resource, RLIMIT_RTTIME);
  CHECK_UINT_EQ (p->rlimits[0].hard, UINT64_MAX);
  CHECK_INT_EQ (p->rlimits[1].resource, RLIMIT_MSGQUEUE);
  CHECK (p->has_oom_score_adj);
  CHECK_INT_EQ (p->oom_score_adj, -1000);
  CHECK (p->has_io_priority);
  CHECK_INT_EQ (p->io_priority.class, 3);
  CHECK_INT_EQ (p->io_priority.priority, 7);
  CHECK (p->has_scheduler);
  CHECK_INT_EQ (p->scheduler.policy_value, 6);
  CHECK_INT_EQ (p->scheduler.nice, -20);
  CHECK_INT_EQ (p->scheduler.flags.n, 2);
  CHECK_UINT_EQ (p->scheduler.period, 30000000);
  CHECK_STR_EQ (p->exec_cpu_affinity_initial, "0-1, 3");
  CHECK_STR_EQ (p->exec_cpu_affinity_final, "2");
}

static void
check_full_linux (const struct oci_linux *lx)
{
  CHECK_INT_EQ (lx->n_namespaces, 3);
  CHECK_STR_EQ (lx->namespaces[1].path, "/run/netns/x");
  CHECK (lx->namespaces[2].path == NULL);
  CHECK_INT_EQ (lx->n_time_offsets, 1);
  CHECK_STR_EQ (lx->time_offsets[0].clock, "boottime");
  CHECK_INT_EQ (lx->time_offsets[0].secs, -5);
  CHECK_INT_EQ (lx->time_offsets[0].nanosecs, 999999999);
  CHECK_INT_EQ (lx->devices[0].type, 'p');
  CHECK_INT_EQ (lx->devices[0].major, -1);
  CHECK (!lx->devices[0].has_uid);
  CHECK_INT_EQ (lx->devices[1].file_mode, 07777);
  CHECK (lx->devices[1].has_gid && lx->devices[1].gid == 2);
  const struct oci_resources *r = &lx->resources;
  CHECK_INT_EQ (r->devices[0].minor, -1);
  CHECK (r->devices[0].access == NULL);
  CHECK_INT_EQ (r->memory.limit, -1);
  CHECK (r->memory.has_check_before_update && r->memory.check_before_update);
  CHECK (r->cpu.has_idle && r->cpu.idle == 1);
  CHECK_INT_EQ (r->pids_limit, -1);
  CHECK_UINT_EQ (r->block_io.throttle_write_bps[0].rate, UINT64_MAX);
  CHECK_STR_EQ (r->unified.v[1].value, "default 100");
  CHECK_STR_EQ (lx->rootfs_propagation, "rslave");
  CHECK (lx->masked_paths.v != NULL && lx->masked_paths.n == 0);
  CHECK (lx->seccomp.has_default_errno_ret);
  CHECK_INT_EQ (lx->seccomp.default_errno_ret, 1);
  CHECK_STR_EQ (lx->seccomp.listener_path, "/run/listener.sock");
  CHECK_STR_EQ (lx->seccomp.listener_metadata, "meta");
  CHECK_INT_EQ (lx->seccomp.syscalls[0].n_args, 2);
  CHECK (!lx->seccomp.syscalls[0].args[0].has_value_two);
  CHECK (lx->seccomp.syscalls[0].args[1].has_value_two);
  CHECK_UINT_EQ (lx->seccomp.syscalls[0].args[1].value_two, 8);
  CHECK_STR_EQ (lx->seccomp.syscalls[0].args[1].op, "SCMP_CMP_MASKED_EQ");
  CHECK (lx->has_personality);
  CHECK_STR_EQ (lx->personality_domain, "LINUX32");
  CHECK (lx->has_intel_rdt);
  CHECK (lx->has_memory_policy);
}

static void
test_full_config (void)
{
  struct oci_config *cfg = parse_file (DATA_DIR "/config-full.json");
  if (!CHECK (cfg != NULL))
    return;
  CHECK_STR_EQ (cfg->root.path, "/var/lib/ward/rootfs");
  CHECK (!cfg->root.readonly);
  CHECK_STR_EQ (cfg->mounts[0].destination, "relative/dest");
  CHECK_INT_EQ (cfg->mounts[0].n_uid_mappings, 1);
  CHECK_INT_EQ (cfg->mounts[0].gid_mappings[0].host_id, 200000);
  CHECK (cfg->mounts[1].type == NULL);
  CHECK (cfg->mounts[1].options.v == NULL);
  CHECK_INT_EQ (cfg->hooks.create_runtime.v[0].timeout, INT_MAX);
  CHECK_INT_EQ (cfg->hooks.poststop.n, 0);
  /* A duplicated key keeps its last value, and only once. */
  CHECK_INT_EQ (cfg->annotations.n, 2);
  CHECK_STR_EQ (oci_config_annotation (cfg, "dup"), "last");
  check_full_process (&cfg->process);
  check_full_linux (&cfg->linux_);
  oci_config_free (cfg);
}

static void
test_process_document (void)
{
  static const char doc[] = "{\"cwd\": \"/work\", \"args\": [\"ls\", \"-l\"],"
                            " \"user\": {\"uid\": 5}}";
  struct oci_process *p = NULL;
  struct werr err = { 0 };
  CHECK_INT_EQ (
      oci_process_parse_data (doc, strlen (doc), "process.json", &p, &err), 0);
  if (CHECK (p != NULL))
    {
      CHECK_STR_EQ (p->cwd, "/work");
      CHECK_STR_EQ (p->args.v[1], "-l");
      CHECK_INT_EQ (p->user.uid, 5);
    }
  oci_process_free (p);
  static const char bad[] = "{\"cwd\": \"/\", \"args\": {}}";
  p = NULL;
  CHECK_INT_EQ (
      oci_process_parse_data (bad, strlen (bad), "process.json", &p, &err), -1);
  CHECK (p == NULL);
  CHECK_STR_EQ (err.msg, "process.json: args: expected an array of strings");
}

/* ---- malformed documents ------------------------------------------------ */

struct bad_case
{
  const char *json;
  const char *error; /* the whole message, or a part of it after '~' */
};

#define V "\"ociVersion\": \"1.2.0\""
#define PROC(x) "{" V ", \"process\": {\"cwd\": \"/\", " x "}}"
#define LINUX(x) "{" V ", \"linux\": {" x "}}"
#define RES(x) LINUX ("\"resources\": {" x "}")

static const struct bad_case bad_cases[] = {
  { "{", "~config.json: invalid JSON at line 1, column 2" },
  { "", "config.json: invalid JSON: empty document" },
  { "{} x", "~config.json: invalid JSON at line 1" },
  { " \n ", "config.json: invalid JSON: empty document" },
  { "[]", "config.json: expected an object" },
  { "{}", "config.json: ociVersion: missing required field" },
  { "{\"ociVersion\": 1}", "config.json: ociVersion: expected a string" },
  { "{\"ociVersion\": null}",
    "config.json: ociVersion: missing required field" },
  { "{" V ", \"root\": {}}", "config.json: root.path: missing required field" },
  { "{" V ", \"root\": {\"path\": \"\"}}",
    "config.json: root.path: must not be empty" },
  { "{" V ", \"root\": []}", "config.json: root: expected an object" },
  { "{" V ", \"process\": {}}",
    "config.json: process.cwd: missing required field" },
  { "{" V ", \"process\": {\"cwd\": \"tmp\"}}",
    "config.json: process.cwd: must be an absolute path, got \"tmp\"" },
  { PROC ("\"args\": \"sh\""),
    "config.json: process.args: expected an array of strings" },
  { PROC ("\"args\": [\"sh\", 1]"),
    "config.json: process.args: expected an array of strings" },
  { PROC ("\"args\": [\"a\\u0000b\"]"),
    "config.json: process.args[0]: string contains a NUL character" },
  { PROC ("\"terminal\": \"yes\""),
    "config.json: process.terminal: expected a boolean" },
  { PROC ("\"user\": {\"uid\": -1}"),
    "config.json: process.user.uid: expected an integer between 0 and "
    "4294967295, got -1" },
  { PROC ("\"user\": {\"gid\": 4294967296}"),
    "config.json: process.user.gid: expected an integer between 0 and "
    "4294967295, got 4294967296" },
  { PROC ("\"user\": {\"additionalGids\": [1, 2.5]}"),
    "config.json: process.user.additionalGids[1]: expected an integer, got "
    "2.5" },
  { PROC (
        "\"rlimits\": [{\"type\": \"RLIMIT_FOO\", \"soft\": 1, \"hard\": 1}]"),
    "config.json: process.rlimits[0].type: unknown rlimit type "
    "\"RLIMIT_FOO\"" },
  { PROC ("\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1}]"),
    "config.json: process.rlimits[0].hard: missing required field" },
  { PROC ("\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": "
          "18446744073709551616}]"),
    "config.json: process.rlimits[0].hard: expected an integer between 0 and "
    "18446744073709551615, got 18446744073709551616" },
  { PROC (
        "\"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": 2, \"hard\": 1}]"),
    "config.json: process.rlimits[0]: soft limit 2 is greater than hard limit "
    "1" },
  { PROC (
        "\"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": 1, \"hard\": 1}, "
        "{\"type\": \"RLIMIT_CORE\", \"soft\": 1, \"hard\": 1}]"),
    "config.json: process.rlimits[1].type: duplicate rlimit type "
    "\"RLIMIT_CORE\"" },
  { PROC ("\"oomScoreAdj\": 1001"),
    "config.json: process.oomScoreAdj: expected an integer between -1000 and "
    "1000, got 1001" },
  { PROC ("\"ioPriority\": {\"class\": \"IOPRIO_CLASS_NONE\"}"),
    "config.json: process.ioPriority.class: unknown I/O priority class "
    "\"IOPRIO_CLASS_NONE\"" },
  { PROC ("\"ioPriority\": {\"priority\": 1}"),
    "config.json: process.ioPriority.class: missing required field" },
  { PROC ("\"scheduler\": {\"policy\": \"SCHED_FAST\"}"),
    "config.json: process.scheduler.policy: unknown scheduler policy "
    "\"SCHED_FAST\"" },
  { PROC ("\"scheduler\": {\"policy\": \"SCHED_RR\", \"flags\": [\"X\"]}"),
    "config.json: process.scheduler.flags[0]: unknown scheduler flag \"X\"" },
  { PROC ("\"consoleSize\": {\"height\": 1}"),
    "config.json: process.consoleSize.width: missing required field" },
  { PROC ("\"execCPUAffinity\": {\"initial\": \"0;1\"}"),
    "config.json: process.execCPUAffinity.initial: invalid CPU list \"0;1\"" },
  { "{" V ", \"mounts\": [{\"destination\": \"/a\"}, {\"source\": \"x\"}]}",
    "config.json: mounts[1].destination: missing required field" },
  { "{" V ", \"mounts\": [{\"destination\": \"/a\", \"uidMappings\": "
    "[{\"containerID\": 0, \"hostID\": 1}]}]}",
    "config.json: mounts[0].uidMappings[0].size: missing required field" },
  { "{" V ", \"hooks\": {\"prestart\": [{\"args\": []}]}}",
    "config.json: hooks.prestart[0].path: missing required field" },
  { "{" V ", \"hooks\": {\"createRuntime\": [{\"path\": \"true\"}]}}",
    "config.json: hooks.createRuntime[0].path: must be an absolute path, got "
    "\"true\"" },
  { "{" V ", \"hooks\": {\"poststop\": [{\"path\": \"/x\", \"timeout\": 0}]}}",
    "config.json: hooks.poststop[0].timeout: expected an integer between 1 and "
    "2147483647, got 0" },
  { "{" V ", \"annotations\": {\"a\": 1}}",
    "config.json: annotations[\"a\"]: expected a string" },
  { "{" V ", \"annotations\": {\"\": \"x\"}}",
    "config.json: annotations[\"\"]: empty key" },
  { LINUX ("\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"uts\"}, "
           "{\"type\": \"foo\"}]"),
    "config.json: linux.namespaces[2].type: unknown namespace type \"foo\"" },
  { LINUX ("\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"pid\"}]"),
    "config.json: linux.namespaces[1].type: duplicate namespace type \"pid\"" },
  { LINUX ("\"namespaces\": [{\"path\": \"/proc/1/ns/net\"}]"),
    "config.json: linux.namespaces[0].type: missing required field" },
  { LINUX ("\"namespaces\": [{\"type\": \"net\"}]"),
    "config.json: linux.namespaces[0].type: unknown namespace type \"net\"" },
  { LINUX ("\"namespaces\": [{\"type\": \"network\", \"path\": \"netns\"}]"),
    "config.json: linux.namespaces[0].path: must be an absolute path, got "
    "\"netns\"" },
  { LINUX (
        "\"uidMappings\": [{\"containerID\": 0, \"hostID\": -5, \"size\": 1}]"),
    "config.json: linux.uidMappings[0].hostID: expected an integer between 0 "
    "and 4294967295, got -5" },
  { LINUX ("\"gidMappings\": {}"),
    "config.json: linux.gidMappings: expected an array" },
  { LINUX ("\"devices\": [{\"type\": \"x\", \"path\": \"/dev/x\"}]"),
    "config.json: linux.devices[0].type: unknown device type \"x\" (want c, b, "
    "u or p)" },
  { LINUX ("\"devices\": [{\"type\": \"c\", \"major\": 1, \"minor\": 3}]"),
    "config.json: linux.devices[0].path: missing required field" },
  { LINUX ("\"devices\": [{\"type\": \"c\", \"path\": \"/dev/null\", "
           "\"major\": 1}]"),
    "config.json: linux.devices[0].minor: missing required field" },
  { LINUX ("\"devices\": [{\"type\": \"c\", \"path\": \"/dev/null\", "
           "\"major\": 1, \"minor\": 3, \"fileMode\": 8630}]"),
    "config.json: linux.devices[0].fileMode: expected an integer between 0 and "
    "4095, got 8630" },
  { RES ("\"devices\": [{\"access\": \"rwm\"}]"),
    "config.json: linux.resources.devices[0].allow: missing required field" },
  { RES ("\"devices\": [{\"allow\": true, \"access\": \"rwx\"}]"),
    "config.json: linux.resources.devices[0].access: invalid access \"rwx\" "
    "(want a subset of \"rwm\")" },
  { RES ("\"devices\": [{\"allow\": true, \"type\": \"u\"}]"),
    "config.json: linux.resources.devices[0].type: unknown device type \"u\" "
    "(want a, b or c)" },
  { RES ("\"memory\": {\"limit\": 1.5}"),
    "config.json: linux.resources.memory.limit: expected an integer, got 1.5" },
  { RES ("\"memory\": {\"limit\": 9223372036854775808}"),
    "config.json: linux.resources.memory.limit: expected an integer between "
    "-9223372036854775808 and 9223372036854775807, got 9223372036854775808" },
  { RES ("\"cpu\": {\"shares\": -2}"),
    "config.json: linux.resources.cpu.shares: expected an integer between 0 "
    "and 18446744073709551615, got -2" },
  { RES ("\"pids\": {}"),
    "config.json: linux.resources.pids.limit: missing required field" },
  { RES ("\"blockIO\": {\"weight\": 65536}"),
    "config.json: linux.resources.blockIO.weight: expected an integer between "
    "0 and 65535, got 65536" },
  { RES ("\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": 8, \"rate\": "
         "1}]}"),
    "config.json: linux.resources.blockIO.throttleReadBpsDevice[0].minor: "
    "missing required field" },
  { RES ("\"hugepageLimits\": [{\"pageSize\": \"2mb\", \"limit\": 1}]"),
    "config.json: linux.resources.hugepageLimits[0].pageSize: invalid page "
    "size \"2mb\"" },
  { RES ("\"network\": {\"priorities\": [{\"name\": \"eth0\"}]}"),
    "config.json: linux.resources.network.priorities[0].priority: missing "
    "required field" },
  { RES ("\"rdma\": {\"mlx\": {\"hcaHandles\": -1}}"),
    "config.json: linux.resources.rdma[\"mlx\"].hcaHandles: expected an "
    "integer between 0 and 4294967295, got -1" },
  { RES ("\"unified\": {\"memory.max\": 5}"),
    "config.json: linux.resources.unified[\"memory.max\"]: expected a string" },
  { LINUX ("\"rootfsPropagation\": \"recursive\""),
    "config.json: linux.rootfsPropagation: unknown rootfs propagation "
    "\"recursive\"" },
  { LINUX ("\"seccomp\": {\"syscalls\": []}"),
    "config.json: linux.seccomp.defaultAction: missing required field" },
  { LINUX ("\"seccomp\": {\"defaultAction\": \"SCMP_ACT_MAYBE\"}"),
    "config.json: linux.seccomp.defaultAction: unknown seccomp action "
    "\"SCMP_ACT_MAYBE\"" },
  { LINUX ("\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", "
           "\"architectures\": [\"SCMP_ARCH_Z80\"]}"),
    "config.json: linux.seccomp.architectures[0]: unknown seccomp architecture "
    "\"SCMP_ARCH_Z80\"" },
  { LINUX ("\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
           "[{\"names\": [], \"action\": \"SCMP_ACT_LOG\"}]}"),
    "config.json: linux.seccomp.syscalls[0].names: must not be empty" },
  { LINUX ("\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
           "[{\"names\": [\"read\"], \"action\": \"SCMP_ACT_LOG\", "
           "\"args\": [{\"index\": 0, \"value\": 1, \"op\": "
           "\"SCMP_CMP_APPROX\"}]}]}"),
    "config.json: linux.seccomp.syscalls[0].args[0].op: unknown seccomp "
    "operator \"SCMP_CMP_APPROX\"" },
  { LINUX ("\"timeOffsets\": {\"monotonic\": {\"secs\": 1, \"nanosecs\": "
           "1000000000}}"),
    "config.json: linux.timeOffsets.monotonic.nanosecs: expected an integer "
    "between 0 and 999999999, got 1000000000" },
  { LINUX ("\"personality\": {\"domain\": \"LINUX64\"}"),
    "config.json: linux.personality.domain: unknown personality domain "
    "\"LINUX64\"" },
  { LINUX ("\"namespaces\": [{\"type\": \"a\\nb\"}]"),
    "config.json: linux.namespaces[0].type: unknown namespace type \"a?b\"" },
  { LINUX ("\"sysctl\": {\"k\\t\": 1}"),
    "config.json: linux.sysctl[\"k?\"]: expected a string" },
  { LINUX ("\"sysctl\": []"), "config.json: linux.sysctl: expected an object" },
  { LINUX ("\"intelRdt\": true"),
    "config.json: linux.intelRdt: expected an object" },
  { LINUX ("\"maskedPaths\": [null]"),
    "config.json: linux.maskedPaths: expected an array of strings" },
};

static void
test_malformed (void)
{
  for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++)
    {
      const struct bad_case *c = &bad_cases[i];
      struct oci_config *cfg = NULL;
      struct werr err = { 0 };
      int r = oci_config_parse_data (c->json, strlen (c->json), "config.json",
                                     &cfg, &err);
      if (!CHECK (r == -1))
        fprintf (stderr, "     case %zu parsed: %s\n", i, c->json);
      CHECK (cfg == NULL);
      oci_config_free (cfg);
      if (c->error[0] == '~')
        CHECK_STR_HAS (err.msg, c->error + 1);
      else
        CHECK_STR_EQ (err.msg, c->error);
    }
}

static void
test_deep_nesting (void)
{
  size_t depth = 100000;
  char *doc = malloc (depth * 2 + 64);
  if (!CHECK (doc != NULL))
    return;
  size_t n = (size_t) sprintf (doc, "{" V ", \"x\": ");
  memset (doc + n, '[', depth);
  memset (doc + n + depth, ']', depth);
  strcpy (doc + n + 2 * depth, "}");
  struct oci_config *cfg = NULL;
  struct werr err = { 0 };
  CHECK_INT_EQ (
      oci_config_parse_data (doc, strlen (doc), "deep.json", &cfg, &err), -1);
  CHECK_STR_HAS (err.msg, "deep.json: invalid JSON at line 1");
  CHECK_STR_HAS (err.msg, "nesting too deep");
  free (doc);
}

static void
test_parse_file_errors (void)
{
  struct oci_config *cfg = NULL;
  struct werr err = { 0 };
  CHECK_INT_EQ (
      oci_config_parse_file ("/nonexistent/ward/config.json", &cfg, &err), -1);
  CHECK_STR_EQ (err.msg, "open `/nonexistent/ward/config.json`: No such file "
                         "or directory");
  char path[] = "/tmp/ward-test-config-XXXXXX";
  int fd = mkstemp (path);
  if (!CHECK (fd >= 0))
    return;
  static const char doc[] = "{\"ociVersion\": \"1.0.0\", \"hostname\": 7}";
  CHECK (write (fd, doc, sizeof doc - 1) == (ssize_t) (sizeof doc - 1));
  close (fd);
  CHECK_INT_EQ (oci_config_parse_file (path, &cfg, &err), -1);
  char want[128];
  snprintf (want, sizeof want, "%s: hostname: expected a string",
            strrchr (path, '/') + 1);
  CHECK_STR_EQ (err.msg, want);
  unlink (path);
}

static void
test_ns_names (void)
{
  for (int t = 0; t < OCI_NS_COUNT; t++)
    CHECK_INT_EQ (oci_ns_type_from_name (oci_ns_type_name (t)), t);
  CHECK_STR_EQ (oci_ns_type_name (OCI_NS_NETWORK), "network");
  CHECK_INT_EQ (oci_ns_type_from_name ("net"), -1);
  CHECK_INT_EQ (oci_ns_type_from_name (NULL), -1);
  CHECK (oci_ns_type_name (OCI_NS_COUNT) == NULL);
  CHECK (oci_config_namespace (NULL, OCI_NS_PID) == NULL);
  oci_config_free (NULL);
}

/* ---- JSON layer --------------------------------------------------------- */

static void
test_jnode_numbers (void)
{
  static const char doc[] = "{\"a\": 18446744073709551615, \"b\": "
                            "-9223372036854775808, \"c\": 1e3, \"d\": -0, "
                            "\"e\": 18446744073709551616, \"f\": 3}";
  struct werr err = { 0 };
  struct jnode *root = jnode_parse (doc, sizeof doc - 1, &err);
  if (!CHECK (root != NULL))
    return;
  CHECK_INT_EQ (jnode_type (root), JNODE_OBJECT);
  CHECK_INT_EQ (jnode_len (root), 6);
  CHECK_STR_EQ (jnode_key_at (root, 5), "f");
  CHECK_UINT_EQ (jnode_uint (jnode_get (root, "a")), UINT64_MAX);
  CHECK (jnode_is_integer (jnode_get (root, "a")));
  CHECK_INT_EQ (jnode_int (jnode_get (root, "b")), INT64_MIN);
  CHECK (!jnode_is_integer (jnode_get (root, "c")));
  CHECK_INT_EQ (jnode_int (jnode_get (root, "c")), 1000);
  CHECK_INT_EQ (jnode_int (jnode_get (root, "d")), 0);
  CHECK (!jnode_is_integer (jnode_get (root, "e")));
  CHECK_INT_EQ (jnode_int (jnode_value_at (root, 5)), 3);
  CHECK (jnode_get (root, "zz") == NULL);
  CHECK (jnode_get (NULL, "a") == NULL);
  CHECK (jnode_at (root, 0) == NULL);
  CHECK (jnode_str (jnode_get (root, "a")) == NULL);
  jnode_free (root);
}

static void
test_jnode_values (void)
{
  static const char doc[] = "[null, true, false, \"s\\u00e9\", {\"k\": 1, "
                            "\"k\": 2}, []]";
  struct werr err = { 0 };
  struct jnode *root = jnode_parse (doc, sizeof doc - 1, &err);
  if (!CHECK (root != NULL))
    return;
  CHECK_INT_EQ (jnode_len (root), 6);
  CHECK_INT_EQ (jnode_type (jnode_at (root, 0)), JNODE_NULL);
  CHECK (jnode_bool (jnode_at (root, 1)));
  CHECK (jnode_is_true (jnode_at (root, 1)));
  CHECK (!jnode_bool (jnode_at (root, 2)));
  CHECK_STR_EQ (jnode_str (jnode_at (root, 3)), "s\xc3\xa9");
  CHECK_INT_EQ (jnode_int (jnode_get (jnode_at (root, 4), "k")), 2);
  CHECK_INT_EQ (jnode_type (jnode_at (root, 5)), JNODE_ARRAY);
  CHECK (jnode_at (root, 6) == NULL);
  jnode_free (root);

  static const char bad_utf8[] = "[\"\xff\"]";
  CHECK (jnode_parse (bad_utf8, sizeof bad_utf8 - 1, &err) == NULL);
  CHECK_STR_HAS (err.msg, "invalid JSON");
  static const char two[] = "{}\n{}";
  CHECK (jnode_parse (two, sizeof two - 1, &err) == NULL);
  CHECK_STR_HAS (err.msg, "at line 2, column");
  static const char comment[] = "/* no */ {}";
  CHECK (jnode_parse (comment, sizeof comment - 1, &err) == NULL);
}

static void
test_jw (void)
{
  struct jw *w = jw_new (false);
  jw_obj_open (w);
  jw_kstr (w, "s", "a\"b\xff");
  jw_key (w, "u");
  jw_uint (w, UINT64_MAX);
  jw_kint (w, "i", INT64_MIN);
  jw_kbool (w, "b", false);
  jw_key (w, "n");
  jw_str (w, NULL);
  char *const v[] = { "x", "y" };
  jw_kstrv (w, "v", v, 2);
  jw_obj_close (w);
  char *out = NULL;
  size_t len = 0;
  CHECK_INT_EQ (jw_finish (w, &out, &len), 0);
  CHECK_STR_EQ (out, "{\"s\":\"a\\\"b\xef\xbf\xbd\",\"u\":18446744073709551615,"
                     "\"i\":-9223372036854775808,\"b\":false,\"n\":null,"
                     "\"v\":[\"x\",\"y\"]}");
  CHECK_INT_EQ (len, out ? strlen (out) : 0);
  free (out);

  w = jw_new (true);
  jw_obj_open (w);
  jw_kint (w, "a", 1);
  jw_obj_close (w);
  out = NULL;
  CHECK_INT_EQ (jw_finish (w, &out, NULL), 0);
  CHECK_STR_EQ (out, "{\n  \"a\": 1\n}");
  free (out);

  /* An unbalanced document is a bug the writer reports. */
  w = jw_new (false);
  jw_obj_open (w);
  out = NULL;
  CHECK_INT_EQ (jw_finish (w, &out, &len), -1);
  CHECK (out == NULL);
  w = jw_new (false);
  jw_arr_open (w);
  jw_abort (w);
  CHECK_INT_EQ (jw_finish (NULL, &out, &len), -1);
}

/* ---- output documents --------------------------------------------------- */

static void
test_state_json (void)
{
  struct oci_kv kv[] = { { "a", "1" }, { "b", "2" } };
  struct oci_kvv ann = { kv, 2 };
  struct oci_state_view st = {
    .oci_version = "1.2.0",
    .id = "ctr",
    .status = "running",
    .pid = 42,
    .bundle = "/b",
    .rootfs = "/b/rootfs",
    .created = "2024-01-01T00:00:00.000000000Z",
    .owner = "",
    .annotations = &ann,
  };
  char *out = NULL;
  size_t len;
  struct werr err = { 0 };
  CHECK_INT_EQ (oci_state_json (&st, true, &out, &len, &err), 0);
  struct jnode *root = jnode_parse (out, len, &err);
  if (CHECK (root != NULL))
    {
      static const char *const keys[]
          = { "ociVersion", "id",      "pid",   "status",     "bundle",
              "rootfs",     "created", "owner", "annotations" };
      CHECK_INT_EQ (jnode_len (root), 9);
      for (size_t i = 0; i < 9; i++)
        CHECK_STR_EQ (jnode_key_at (root, i), keys[i]);
      CHECK_INT_EQ (jnode_int (jnode_get (root, "pid")), 42);
      CHECK_STR_EQ (jnode_str (jnode_get (root, "owner")), "");
      CHECK_STR_EQ (
          jnode_str (jnode_get (jnode_get (root, "annotations"), "b")), "2");
    }
  CHECK_STR_HAS (out, "{\n  \"ociVersion\": \"1.2.0\",\n  \"id\": \"ctr\"");
  jnode_free (root);
  free (out);

  st.pid = 0;
  st.status = "stopped";
  st.annotations = NULL;
  CHECK_INT_EQ (oci_state_json (&st, false, &out, &len, &err), 0);
  CHECK (strchr (out, '\n') == NULL);
  root = jnode_parse (out, len, &err);
  CHECK (root != NULL && jnode_get (root, "pid") == NULL);
  CHECK (jnode_get (root, "annotations") == NULL);
  CHECK_STR_EQ (jnode_str (jnode_get (root, "status")), "stopped");
  jnode_free (root);
  free (out);
}

static bool
strv_has (const struct jnode *arr, const char *s)
{
  for (size_t i = 0; i < jnode_len (arr); i++)
    if (jnode_str (jnode_at (arr, i))
        && strcmp (jnode_str (jnode_at (arr, i)), s) == 0)
      return true;
  return false;
}

static void
test_features_json (void)
{
  char *const actions[] = { "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO" };
  char *const archs[] = { "SCMP_ARCH_X86_64" };
  char *const ops[] = { "SCMP_CMP_EQ" };
  char *const caps[] = { "CAP_CHOWN", "CAP_KILL" };
  struct oci_features_view f = {
    .seccomp_enabled = true,
    .has_cgroup_v1 = true,
    .has_cgroup_v2 = true,
    .seccomp_actions = actions,
    .n_seccomp_actions = 2,
    .seccomp_archs = archs,
    .n_seccomp_archs = 1,
    .seccomp_operators = ops,
    .n_seccomp_operators = 1,
    .capabilities = caps,
    .n_capabilities = 2,
  };
  char *out = NULL;
  size_t len;
  struct werr err = { 0 };
  CHECK_INT_EQ (oci_features_json (&f, &out, &len, &err), 0);
  struct jnode *root = jnode_parse (out, len, &err);
  if (!CHECK (root != NULL))
    {
      free (out);
      return;
    }
  CHECK_STR_EQ (jnode_str (jnode_get (root, "ociVersionMin")), "1.0.0");
  CHECK_STR_EQ (jnode_str (jnode_get (root, "ociVersionMax")),
                WARD_OCI_VERSION);
  CHECK_INT_EQ (jnode_len (jnode_get (root, "hooks")), 6);
  const struct jnode *mo = jnode_get (root, "mountOptions");
  CHECK (strv_has (mo, "rro") && strv_has (mo, "idmap")
         && strv_has (mo, "tmpcopyup") && strv_has (mo, "nosymfollow"));
  const struct jnode *lx = jnode_get (root, "linux");
  CHECK (strv_has (jnode_get (lx, "namespaces"), "time"));
  CHECK_INT_EQ (jnode_len (jnode_get (lx, "capabilities")), 2);
  const struct jnode *cg = jnode_get (lx, "cgroup");
  CHECK (jnode_bool (jnode_get (cg, "v1")));
  CHECK_INT_EQ (jnode_type (jnode_get (cg, "rdma")), JNODE_BOOL);
  const struct jnode *sc = jnode_get (lx, "seccomp");
  CHECK (jnode_bool (jnode_get (sc, "enabled")));
  CHECK (strv_has (jnode_get (sc, "actions"), "SCMP_ACT_ERRNO"));
  CHECK_INT_EQ (jnode_len (jnode_get (sc, "knownFlags")), 4);
  CHECK_INT_EQ (jnode_type (jnode_get (sc, "supportedFlags")), JNODE_ARRAY);
  CHECK (!jnode_bool (jnode_get (jnode_get (lx, "intelRdt"), "enabled")));
  CHECK (jnode_bool (jnode_get (
      jnode_get (jnode_get (lx, "mountExtensions"), "idmap"), "enabled")));
  CHECK (jnode_get (jnode_get (lx, "apparmor"), "enabled") != NULL);
  CHECK (jnode_get (jnode_get (root, "annotations"), "run.oci.ward.version")
         != NULL);
  jnode_free (root);
  free (out);
}

/* Same keys, same array lengths, same scalar types; scalar values equal
 * unless the key is in `loose` (values that differ from runc on purpose). */
static bool
same_shape (const struct jnode *a, const struct jnode *b, const char *key)
{
  static const char *const loose[] = { "ociVersion", "hostname", "hostID" };
  if (jnode_type (a) != jnode_type (b))
    return false;
  switch (jnode_type (a))
    {
    case JNODE_OBJECT:
      if (jnode_len (a) != jnode_len (b))
        return false;
      for (size_t i = 0; i < jnode_len (a); i++)
        {
          const char *k = jnode_key_at (a, i);
          if (!same_shape (jnode_value_at (a, i), jnode_get (b, k), k))
            {
              fprintf (stderr, "     differs at \"%s\"\n", k);
              return false;
            }
        }
      return true;
    case JNODE_ARRAY:
      if (jnode_len (a) != jnode_len (b))
        return false;
      for (size_t i = 0; i < jnode_len (a); i++)
        if (!same_shape (jnode_at (a, i), jnode_at (b, i), key))
          return false;
      return true;
    default:
      for (size_t i = 0; i < 3; i++)
        if (key && strcmp (key, loose[i]) == 0)
          return true;
      if (jnode_type (a) == JNODE_STRING)
        return strcmp (jnode_str (a), jnode_str (b)) == 0;
      if (jnode_type (a) == JNODE_NUMBER)
        return jnode_int (a) == jnode_int (b);
      return jnode_bool (a) == jnode_bool (b);
    }
}

static void
check_spec_default (bool rootless, const char *runc_file)
{
  char *out = NULL;
  size_t len;
  struct werr err = { 0 };
  CHECK_INT_EQ (oci_spec_default_json (rootless, &out, &len, &err), 0);
  struct oci_config *cfg = NULL;
  CHECK_INT_EQ (oci_config_parse_data (out, len, "spec", &cfg, &err), 0);
  if (CHECK (cfg != NULL))
    {
      CHECK_STR_EQ (cfg->process.args.v[0], "sh");
      CHECK (cfg->process.terminal);
      CHECK_STR_EQ (cfg->root.path, "rootfs");
      CHECK (cfg->root.readonly);
      CHECK_INT_EQ (cfg->n_mounts, 7);
      CHECK ((oci_config_namespace (cfg, OCI_NS_USER) != NULL) == rootless);
      CHECK ((oci_config_namespace (cfg, OCI_NS_NETWORK) == NULL) == rootless);
      if (rootless)
        CHECK_INT_EQ (cfg->linux_.uid_mappings[0].host_id, geteuid ());
    }
  oci_config_free (cfg);
  size_t rlen;
  char *runc = read_all (runc_file, &rlen);
  struct jnode *ours = jnode_parse (out, len, &err);
  struct jnode *theirs = runc ? jnode_parse (runc, rlen, &err) : NULL;
  CHECK (ours != NULL && theirs != NULL);
  CHECK (same_shape (ours, theirs, NULL));
  jnode_free (ours);
  jnode_free (theirs);
  free (runc);
  free (out);
}

static void
test_spec_default (void)
{
  check_spec_default (false, DATA_DIR "/runc-spec/config.json");
  check_spec_default (true, DATA_DIR "/runc-spec/config-rootless.json");
}

int
main (void)
{
  RUN (test_reference_files_parse);
  RUN (test_spec_example);
  RUN (test_rdma);
  RUN (test_full_config);
  RUN (test_process_document);
  RUN (test_malformed);
  RUN (test_deep_nesting);
  RUN (test_parse_file_errors);
  RUN (test_ns_names);
  RUN (test_jnode_numbers);
  RUN (test_jnode_values);
  RUN (test_jw);
  RUN (test_state_json);
  RUN (test_features_json);
  RUN (test_spec_default);
  return unit_report ();
}
