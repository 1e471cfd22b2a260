#!/usr/bin/env bats
# linux.resources: the limits land in the container's cgroup files (v1 here,
# the unified side of a hybrid host for what only cgroup2 has), and a
# resource the host cannot apply is one clear line naming the field, with
# nothing left behind.

load helpers
load helpers_cgroup

setup() {
  cg_setup
}

@test "memory, pids and cpu limits are in the v1 files" {
  requires cgroup_v1
  local swap=null
  [ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ] && swap=134217728
  set_resources "{\"memory\": {\"limit\": 67108864, \"reservation\": 33554432, \"swap\": $swap, \"swappiness\": 10},
                  \"pids\": {\"limit\": 42},
                  \"cpu\": {\"shares\": 512, \"quota\": 50000, \"period\": 100000}}"
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  cg_expect memory memory.limit_in_bytes 67108864
  cg_expect memory memory.soft_limit_in_bytes 33554432
  cg_expect memory memory.swappiness 10
  [ "$swap" = null ] || cg_expect memory memory.memsw.limit_in_bytes 134217728
  cg_expect pids pids.max 42
  cg_expect cpu cpu.shares 512
  cg_expect cpu cpu.cfs_quota_us 50000
  cg_expect cpu cpu.cfs_period_us 100000
}

@test "the container sees its own limits through /sys/fs/cgroup" {
  requires cgroup_v1 cgroupns
  skip_on_runc "runc 1.1 mounts the cgroup tree differently"
  set_resources '{"pids": {"limit": 33}}'
  add_namespace cgroup
  add_mount '{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}'
  set_script 'cat /sys/fs/cgroup/pids/pids.max > /seen; sleep 100'
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  wait_for 50 0.1 test -s "$ROOTFS/seen"
  [ "$(cat "$ROOTFS/seen")" = 33 ]
}

@test "cpu burst, idle, realtime and cpuset" {
  requires cgroup_v1
  requires_cg_file cpu cpu.cfs_burst_us
  requires_cg_file cpu cpu.idle
  requires_cg_file cpu cpu.rt_runtime_us
  set_resources '{"cpu": {"quota": 20000, "period": 100000, "burst": 5000, "idle": 1,
                          "realtimePeriod": 1000000, "realtimeRuntime": 10000,
                          "cpus": "0", "mems": "0"}}'
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  cg_expect cpu cpu.cfs_burst_us 5000
  cg_expect cpu cpu.idle 1
  cg_expect cpu cpu.rt_period_us 1000000
  cg_expect cpu cpu.rt_runtime_us 10000
  cg_expect cpuset cpuset.cpus 0
  cg_expect cpuset cpuset.mems 0
}

@test "blockIO weight and a read throttle on the root disk" {
  requires cgroup_v1
  local dev
  dev="$(root_blockdev)" || true
  [ -n "$dev" ] || skip "/ is not on a block device"
  set_resources "{\"blockIO\": {\"weight\": 300,
                  \"throttleReadBpsDevice\": [{\"major\": ${dev%:*}, \"minor\": ${dev#*:}, \"rate\": 1048576}]}}"
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  if [ -e /sys/fs/cgroup/blkio/blkio.weight ]; then
    cg_expect blkio blkio.weight 300
  else
    # CFQ is gone; BFQ's weight file takes the value ("default 300").
    cg_read blkio blkio.bfq.weight | grep -qw 300
  fi
  cg_expect blkio blkio.throttle.read_bps_device "$dev 1048576"
}

@test "kernel TCP memory, swappiness and the OOM killer switch" {
  requires cgroup_v1
  requires_cg_file memory memory.kmem.tcp.limit_in_bytes
  set_resources '{"memory": {"limit": 67108864, "kernelTCP": 8388608, "disableOOMKiller": true, "useHierarchy": true}}'
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  cg_expect memory memory.kmem.tcp.limit_in_bytes 8388608
  cg_read memory memory.oom_control | grep -qx 'oom_kill_disable 1'
}

@test "hugepage limits go to the cgroup2 side of a hybrid host" {
  requires_hybrid
  skip_on_runc "runc applies resources on v1 only"
  [ ! -d /sys/fs/cgroup/hugetlb ] || skip "hugetlb is on v1 here"
  grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers || skip "no hugetlb controller"
  [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB huge pages"
  set_resources '{"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]}'
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  cg_expect unified hugetlb.2MB.max 4194304
}

@test "unified keys are written on the cgroup2 side of a hybrid host" {
  requires_hybrid
  skip_on_runc "runc refuses unified on a v1 manager"
  set_resources '{"unified": {"cgroup.max.descendants": "5"}}'
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  cg_expect unified cgroup.max.descendants 5
}

@test "the default device rules: deny all but the standard nodes" {
  requires cgroup_v1
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  local list
  list="$(cg_read devices devices.list)"
  [[ "$list" != *"a *:* rwm"* ]] || fail "allow-all in devices.list"
  for rule in "c 1:3 rwm" "c 1:5 rwm" "c 136:* rwm" "c *:* m" "b *:* m"; do
    grep -qxF "$rule" <<<"$list" || fail "no '$rule' in: $list"
  done
}

@test "a kernel memory limit is ignored with a warning, as runc" {
  skip_on_runc "message shape"
  set_resources '{"memory": {"kernel": 67108864}}'
  set_args true
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains "linux.resources.memory.kernel: ignored"
}

# One resource this host cannot apply: exactly one line naming the field,
# exit 1, and no state, cgroup, mount or process left.
assert_refused() {
  set_resources "$1"
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_error "$2"
  assert_no_leftovers
}

@test "network classID without net_cls: one line, nothing left" {
  [ ! -d /sys/fs/cgroup/net_cls ] || skip "net_cls is mounted here"
  skip_on_runc "runc ignores an unmounted controller"
  assert_refused '{"network": {"classID": 1048577}}' \
    "config.json: linux.resources.network.classID: net_cls.classid not available (the net_cls controller is not mounted)"
}

@test "network priorities without net_prio: one line, nothing left" {
  [ ! -d /sys/fs/cgroup/net_prio ] || skip "net_prio is mounted here"
  skip_on_runc "runc ignores an unmounted controller"
  assert_refused '{"network": {"priorities": [{"name": "eth0", "priority": 5}]}}' \
    "linux.resources.network.priorities: net_prio.ifpriomap not available"
}

@test "rdma without an rdma controller: one line, nothing left" {
  [ ! -d /sys/fs/cgroup/rdma ] || skip "rdma is mounted here"
  grep -qw rdma "$(cg_unified_root)/cgroup.controllers" 2>/dev/null && skip "rdma on cgroup2"
  skip_on_runc "runc ignores an unmounted controller"
  assert_refused '{"rdma": {"mlx5_0": {"hcaHandles": 3}}}' \
    "linux.resources.rdma: rdma.max not available"
}

@test "blockIO leafWeight on a kernel without CFQ: one line, nothing left" {
  requires cgroup_v1
  [ ! -e /sys/fs/cgroup/blkio/blkio.leaf_weight ] || skip "CFQ is here"
  skip_on_runc "message shape"
  assert_refused '{"blockIO": {"leafWeight": 300}}' \
    "config.json: linux.resources.blockIO.leafWeight: blkio.leaf_weight not available"
}

@test "cpu shares below the kernel's minimum: one line, nothing left" {
  requires cgroup_v1
  skip_on_runc "message shape"
  assert_refused '{"cpu": {"shares": 1}}' \
    "linux.resources.cpu.shares: 1 is out of range (the kernel's minimum is 2)"
}

@test "a cgroup v2 key the hybrid host keeps on v1: one line, nothing left" {
  requires_hybrid
  skip_on_runc "message shape"
  assert_refused '{"unified": {"memory.max": "1000000"}}' \
    "linux.resources.unified: memory.max not available"
}

@test "a huge page size the host lacks: one line, nothing left" {
  skip_on_runc "message shape"
  assert_refused '{"hugepageLimits": [{"pageSize": "64KB", "limit": 4096}]}' \
    "linux.resources.hugepageLimits: hugetlb.64KB."
}

@test "a CPU the host does not have: one line, nothing left" {
  requires cgroup_v1
  skip_on_runc "message shape"
  assert_refused '{"cpu": {"cpus": "99"}}' \
    "linux.resources.cpu.cpus: write \`99\` to"
}

@test "useHierarchy false on a kernel that is always hierarchical: one line" {
  requires cgroup_v1
  skip_on_runc "runc ignores useHierarchy"
  assert_refused '{"memory": {"useHierarchy": false}}' \
    "linux.resources.memory.useHierarchy"
}
