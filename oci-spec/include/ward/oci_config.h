/* ward — config.json (OCI runtime-spec 1.2/1.3, Linux) as typed C structs.
 *
 * oci_config_parse*() fill a `struct oci_config`; every pointer it holds is
 * owned by it and released by oci_config_free().  Absent optional fields are
 * NULL / 0 with the matching has_* flag false.  Arrays are (pointer, count)
 * pairs.  Unknown JSON fields are ignored, as the spec requires.
 */
#ifndef WARD_OCI_CONFIG_H
#define WARD_OCI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ward/error.h"

struct oci_strv
{
  char **v; /* NULL-terminated as well, for execve() and friends */
  size_t n;
};

struct oci_kv
{
  char *key;
  char *value;
};

struct oci_kvv
{
  struct oci_kv *v;
  size_t n;
};

/* ---- process ---------------------------------------------------------- */

struct oci_user
{
  uint32_t uid;
  uint32_t gid;
  bool has_umask;
  uint32_t umask;
  uint32_t *additional_gids;
  size_t n_additional_gids;
  char *username;
};

struct oci_capabilities
{
  struct oci_strv bounding, effective, inheritable, permitted, ambient;
};

struct oci_rlimit
{
  char *type;   /* "RLIMIT_NOFILE" */
  int resource; /* RLIMIT_NOFILE, resolved by the parser; -1 if unknown */
  uint64_t soft;
  uint64_t hard;
};

struct oci_io_priority
{
  char *class_name; /* IOPRIO_CLASS_RT | _BE | _IDLE */
  int class;        /* IOPRIO_CLASS_* value: 1 RT, 2 BE, 3 IDLE */
  int32_t priority;
};

struct oci_scheduler
{
  char *policy; /* SCHED_OTHER, SCHED_FIFO, ... */
  int policy_value;
  int32_t nice, priority;
  struct oci_strv flags;
  uint64_t runtime, deadline, period;
};

struct oci_process
{
  bool terminal;
  bool has_console_size;
  uint64_t console_height, console_width;
  struct oci_user user;
  struct oci_strv args;
  char *command_line; /* Windows only; kept for completeness */
  struct oci_strv env;
  char *cwd;
  bool has_capabilities;
  struct oci_capabilities capabilities;
  struct oci_rlimit *rlimits;
  size_t n_rlimits;
  bool no_new_privileges;
  char *apparmor_profile;
  bool has_oom_score_adj;
  int oom_score_adj;
  char *selinux_label;
  bool has_io_priority;
  struct oci_io_priority io_priority;
  bool has_scheduler;
  struct oci_scheduler scheduler;
  char *exec_cpu_affinity_initial;
  char *exec_cpu_affinity_final;
};

/* ---- root, mounts, hooks --------------------------------------------- */

struct oci_root
{
  char *path;
  bool readonly;
};

struct oci_id_mapping
{
  uint32_t container_id;
  uint32_t host_id;
  uint32_t size;
};

struct oci_mount
{
  char *destination;
  char *type;
  char *source;
  struct oci_strv options;
  struct oci_id_mapping *uid_mappings;
  size_t n_uid_mappings;
  struct oci_id_mapping *gid_mappings;
  size_t n_gid_mappings;
};

struct oci_hook
{
  char *path;
  struct oci_strv args;
  struct oci_strv env;
  bool has_timeout;
  int timeout; /* seconds, > 0 */
};

struct oci_hook_list
{
  struct oci_hook *v;
  size_t n;
};

struct oci_hooks
{
  struct oci_hook_list prestart, create_runtime, create_container,
      start_container, poststart, poststop;
};

/* ---- linux ------------------------------------------------------------ */

enum oci_ns_type
{
  OCI_NS_PID,
  OCI_NS_NETWORK,
  OCI_NS_MOUNT,
  OCI_NS_IPC,
  OCI_NS_UTS,
  OCI_NS_USER,
  OCI_NS_CGROUP,
  OCI_NS_TIME,
  OCI_NS_COUNT
};

struct oci_namespace
{
  enum oci_ns_type type;
  char *path; /* NULL: create a new one */
};

struct oci_device
{
  char type; /* 'c', 'b', 'u', 'p' */
  char *path;
  int64_t major, minor; /* -1 when absent (only 'p' may omit) */
  bool has_file_mode;
  uint32_t file_mode;
  bool has_uid, has_gid;
  uint32_t uid, gid;
};

struct oci_device_cgroup
{
  bool allow;
  char type;     /* 'a', 'c', 'b'; 'a' if absent */
  int64_t major; /* -1: wildcard */
  int64_t minor; /* -1: wildcard */
  char *access;  /* "rwm" subset; NULL: all */
};

struct oci_weight_device
{
  int64_t major, minor;
  bool has_weight, has_leaf_weight;
  uint16_t weight, leaf_weight;
};

struct oci_throttle_device
{
  int64_t major, minor;
  uint64_t rate;
};

struct oci_hugepage_limit
{
  char *page_size;
  uint64_t limit;
};

struct oci_resources
{
  struct oci_device_cgroup *devices;
  size_t n_devices;

  bool has_memory;
  struct
  {
    bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp,
        has_swappiness, has_disable_oom_killer, has_use_hierarchy,
        has_check_before_update;
    int64_t limit, reservation, swap, kernel, kernel_tcp;
    uint64_t swappiness;
    bool disable_oom_killer, use_hierarchy, check_before_update;
  } memory;

  bool has_cpu;
  struct
  {
    bool has_shares, has_quota, has_burst, has_period, has_realtime_runtime,
        has_realtime_period, has_idle;
    uint64_t shares, period, realtime_period, burst;
    int64_t quota, realtime_runtime, idle;
    char *cpus, *mems;
  } cpu;

  bool has_pids;
  int64_t pids_limit;

  bool has_block_io;
  struct
  {
    bool has_weight, has_leaf_weight;
    uint16_t weight, leaf_weight;
    struct oci_weight_device *weight_device;
    size_t n_weight_device;
    struct oci_throttle_device *throttle_read_bps, *throttle_write_bps,
        *throttle_read_iops, *throttle_write_iops;
    size_t n_throttle_read_bps, n_throttle_write_bps, n_throttle_read_iops,
        n_throttle_write_iops;
  } block_io;

  struct oci_hugepage_limit *hugepage_limits;
  size_t n_hugepage_limits;

  bool has_network;
  struct
  {
    bool has_class_id;
    uint32_t class_id;
    struct oci_kvv priorities; /* key: interface name, value: decimal prio */
  } network;

  struct oci_kvv unified; /* cgroup v2 file -> value */
  struct oci_kvv
      rdma; /* device -> "hcaHandles=N hcaObjects=M" (parsed later) */
};

struct oci_seccomp_arg
{
  uint32_t index;
  uint64_t value;
  bool has_value_two;
  uint64_t value_two;
  char *op; /* SCMP_CMP_EQ ... */
};

struct oci_seccomp_syscall
{
  struct oci_strv names;
  char *action;
  bool has_errno_ret;
  uint32_t errno_ret;
  struct oci_seccomp_arg *args;
  size_t n_args;
};

struct oci_seccomp
{
  char *default_action;
  bool has_default_errno_ret;
  uint32_t default_errno_ret;
  struct oci_strv architectures;
  struct oci_strv flags;
  char *listener_path;
  char *listener_metadata;
  struct oci_seccomp_syscall *syscalls;
  size_t n_syscalls;
};

struct oci_time_offset
{
  char *clock; /* "monotonic" | "boottime" */
  int64_t secs;
  uint32_t nanosecs;
};

struct oci_linux
{
  struct oci_namespace *namespaces;
  size_t n_namespaces;
  struct oci_id_mapping *uid_mappings;
  size_t n_uid_mappings;
  struct oci_id_mapping *gid_mappings;
  size_t n_gid_mappings;
  struct oci_time_offset *time_offsets;
  size_t n_time_offsets;
  struct oci_device *devices;
  size_t n_devices;
  char *cgroups_path;
  bool has_resources;
  struct oci_resources resources;
  char *rootfs_propagation; /* shared|slave|private|unbindable|... */
  struct oci_strv masked_paths;
  struct oci_strv readonly_paths;
  char *mount_label;
  struct oci_kvv sysctl;
  bool has_seccomp;
  struct oci_seccomp seccomp;
  bool has_personality;
  char *personality_domain; /* LINUX | LINUX32 */
  struct oci_strv personality_flags;
  bool has_intel_rdt;     /* not supported: rejected at create */
  bool has_memory_policy; /* not supported: rejected at create */
};

struct oci_config
{
  char *oci_version;
  struct oci_root root; /* root.path NULL when absent */
  bool has_process;
  struct oci_process process;
  char *hostname;
  char *domainname;
  struct oci_mount *mounts;
  size_t n_mounts;
  bool has_hooks;
  struct oci_hooks hooks;
  struct oci_kvv annotations;
  bool has_linux;
  struct oci_linux linux_;
};

/* Parse a config.json document.  `name` prefixes error messages
 * ("config.json: process.args: expected an array of strings").
 * Returns 0, or -1 with `err` naming the JSON path. */
int oci_config_parse_data (const char *data, size_t len, const char *name,
                           struct oci_config **out, struct werr *err);
int oci_config_parse_file (const char *path, struct oci_config **out,
                           struct werr *err);
void oci_config_free (struct oci_config *cfg);

/* The namespace entry of a type, or NULL when the config does not list it. */
const struct oci_namespace *oci_config_namespace (const struct oci_config *cfg,
                                                  enum oci_ns_type type);
/* "pid", "network", ... and back; returns -1 for an unknown name. */
const char *oci_ns_type_name (enum oci_ns_type type);
int oci_ns_type_from_name (const char *name);

/* An annotation's value, or NULL. */
const char *oci_config_annotation (const struct oci_config *cfg,
                                   const char *key);

/* A lone `process` object, as `exec --process FILE` receives it; same rules
 * and error format as config.json's "process" (cwd required, absolute).
 * `name` prefixes errors ("process.json: args: ..."). */
int oci_process_parse_data (const char *data, size_t len, const char *name,
                            struct oci_process **out, struct werr *err);
void oci_process_free (struct oci_process *proc);

#endif
