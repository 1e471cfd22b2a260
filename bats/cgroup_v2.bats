#!/usr/bin/env bats
# cgroup v2 as far as this machine allows: in a private mount namespace
# /sys/fs/cgroup is the cgroup2 hierarchy alone (a pure v2 host to ward):
# membership, pause through cgroup.freeze, kill --all through cgroup.kill,
# the BPF device program; and a hybrid host without the v1 devices
# controller, where the BPF program is what enforces the device rules.

load helpers
load helpers_cgroup

setup() {
  requires unshare
  [ -n "$(cg_unified_root)" ] || skip "no cgroup2 hierarchy"
  skip_on_runc "ward's cgroup2 paths"
  cg_setup
  # The container may make device nodes in its own /dev (a tmpfs).
  update_config '.process.capabilities.bounding += ["CAP_MKNOD"]
    | .process.capabilities.effective += ["CAP_MKNOD"]
    | .process.capabilities.permitted += ["CAP_MKNOD"]'
}

@test "pure cgroup2: the init joins, pause uses cgroup.freeze, resume, ps" {
  set_args sleep 100
  in_cgroup2_ns '
$WARD run -d --bundle '"$BUNDLE"' $CID || exit 1
jq -r .cgroup.mode '"$ROOT"'/$CID/state.json
pid=$($WARD state $CID | jq .pid)
grep -qx "0::/$CID" /proc/$pid/cgroup || exit 2
$WARD pause $CID || exit 3
$WARD state $CID | jq -r .status
cat /sys/fs/cgroup/$CID/cgroup.freeze
grep frozen /sys/fs/cgroup/$CID/cgroup.events
awk "{print \$3}" /proc/$pid/stat
$WARD resume $CID || exit 4
$WARD state $CID | jq -r .status
grep frozen /sys/fs/cgroup/$CID/cgroup.events
$WARD ps --format json $CID
'
  assert_success
  [ "${lines[0]}" = unified ]
  [ "${lines[1]}" = paused ]
  [ "${lines[2]}" = 1 ]
  [ "${lines[3]}" = "frozen 1" ]
  [[ "${lines[4]}" == [DST] ]]
  [ "${lines[5]}" = running ]
  [ "${lines[6]}" = "frozen 0" ]
  [ "$(jq length <<<"${lines[7]}")" -eq 1 ]
  assert_no_leftovers
}

@test "pure cgroup2: kill --all goes through cgroup.kill, delete removes the cgroup" {
  remove_namespace pid
  set_script 'sleep 100 & sleep 100 & wait'
  in_cgroup2_ns '
$WARD run -d --bundle '"$BUNDLE"' $CID || exit 1
for i in $(seq 50); do [ $(wc -l < /sys/fs/cgroup/$CID/cgroup.procs) -eq 3 ] && break; sleep 0.1; done
$WARD pause $CID || exit 2
strace -f -e trace=openat -o '"$BATS_TEST_TMPDIR"'/kill.trace $WARD kill --all $CID KILL 2>/dev/null ||
  $WARD kill --all $CID KILL || exit 3
for i in $(seq 50); do [ -z "$(cat /sys/fs/cgroup/$CID/cgroup.procs)" ] && break; sleep 0.1; done
cat /sys/fs/cgroup/$CID/cgroup.procs
$WARD state $CID | jq -r .status
$WARD delete $CID || exit 4
[ -e /sys/fs/cgroup/$CID ] && echo left
exit 0
'
  assert_success
  [ "${lines[0]}" = stopped ] || fail "processes or status left: $output"
  if [ -s "$BATS_TEST_TMPDIR/kill.trace" ]; then
    grep -q "cgroup.kill" "$BATS_TEST_TMPDIR/kill.trace" || fail "cgroup.kill not used"
  fi
  assert_no_leftovers
}

# Inside the container: /dev/null works; a node for c 60:0 (a major kept
# for local use, no driver) can be made (mknod is allowed for all) but not
# opened: EPERM when the device rules deny it, ENXIO (no driver) when they
# allow it.
device_probe='echo x > /dev/null && echo null-ok
mknod /dev/wexp c 60 0 && echo mknod-ok
head -c 1 /dev/wexp 2>&1 >/dev/null
mknod /dev/wnull c 1 3 && echo y > /dev/wnull && echo own-null-ok'

@test "pure cgroup2: the BPF device program denies what the rules deny" {
  set_script "$device_probe"
  in_cgroup2_ns '
$WARD run --bundle '"$BUNDLE"' $CID
'
  assert_success
  assert_output_contains "null-ok"
  assert_output_contains "mknod-ok"
  assert_output_contains "Operation not permitted"
  assert_output_contains "own-null-ok"
  assert_no_leftovers
}

@test "pure cgroup2: an explicit rule opens a device the defaults deny" {
  set_resources '{"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 60, "minor": 0, "access": "r"}]}'
  set_script "$device_probe"
  in_cgroup2_ns '
$WARD run --bundle '"$BUNDLE"' $CID
'
  assert_success
  assert_output_not_contains "Operation not permitted"
  assert_output_contains "No such device or address"
}

@test "hybrid host without the v1 devices controller: the BPF program enforces" {
  requires_hybrid
  [ -d /sys/fs/cgroup/devices ] || skip "no v1 devices controller to take away"
  set_script "$device_probe"
  in_mount_ns_without /sys/fs/cgroup/devices '
$WARD run --bundle '"$BUNDLE"' $CID
'
  assert_success
  assert_output_contains "null-ok"
  assert_output_contains "Operation not permitted"
  assert_no_leftovers
}

@test "hybrid host: the v1 devices controller enforces the same rules" {
  requires_hybrid
  set_script "$device_probe"
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains "null-ok"
  assert_output_contains "Operation not permitted"
}

@test "pure cgroup2: a v2 resource this host lacks is one line, nothing left" {
  set_resources '{"memory": {"limit": 67108864}}'
  set_args true
  in_cgroup2_ns '
grep -qw memory /sys/fs/cgroup/cgroup.controllers && { echo has-memory; exit 0; }
$WARD run --bundle '"$BUNDLE"' $CID
'
  [ "$output" != has-memory ] || skip "this host has the memory controller on cgroup2"
  assert_status 1
  assert_output_contains "config.json: linux.resources.memory.limit: memory.max not available (the memory controller is not enabled on cgroup v2)"
  [ "$(grep -c . <<<"$stderr")" -eq 1 ] || fail "more than one line: $stderr"
  assert_no_leftovers
}

@test "pure cgroup2: the init and exec'd processes start inside the cgroup (clone3 CLONE_INTO_CGROUP); /sys/fs/cgroup is the container's own" {
  command -v strace >/dev/null || skip "strace is not installed"
  set_args sleep 100
  in_cgroup2_ns '
strace -e trace=clone3 -o '"$BATS_TEST_TMPDIR"'/create.trace $WARD run -d --bundle '"$BUNDLE"' $CID || exit 1
strace -e trace=clone3 -o '"$BATS_TEST_TMPDIR"'/exec.trace $WARD exec $CID grep ^0:: /proc/self/cgroup || exit 2
$WARD exec $CID cat /sys/fs/cgroup/cgroup.procs | wc -l
$WARD exec $CID sh -c "ls /sys/fs/cgroup | grep -c ward; true"
'
  assert_success
  grep -q "CLONE_INTO_CGROUP" "$BATS_TEST_TMPDIR/create.trace" || fail "create did not use CLONE_INTO_CGROUP"
  grep -q "CLONE_INTO_CGROUP" "$BATS_TEST_TMPDIR/exec.trace" || fail "exec did not use CLONE_INTO_CGROUP"
  [ "${lines[0]}" = "0::/$CID" ] || fail "exec: ${lines[0]}"
  # the container's own cgroup: its init, plus the cat listing it
  [ "${lines[1]}" -le 2 ] || fail "cgroup.procs holds ${lines[1]} pids: not the container's own cgroup"
  [ "${lines[2]}" = 0 ] || fail "the host's cgroups are visible"
  assert_no_leftovers
}
