#!/usr/bin/env bats
# update, pause/resume, ps, events and kill --all: the commands that act on
# a container through its cgroup.

load helpers
load helpers_cgroup

setup() {
  cg_setup
}

start_sleeper() {
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
}

# ---------------------------------------------------------------------------
# update
# ---------------------------------------------------------------------------

@test "update with runc's flags changes the cgroup files" {
  requires cgroup_v1
  set_resources '{"memory": {"limit": 134217728}, "pids": {"limit": 100}}'
  start_sleeper
  ward_run update --memory 64m --memory-reservation 16M --cpu-share 256 \
    --cpu-period 50000 --cpu-quota 20000 --pids-limit 10 --cpuset-cpus 0 \
    --cpuset-mems 0 "$CID"
  assert_success
  cg_expect memory memory.limit_in_bytes 67108864
  cg_expect memory memory.soft_limit_in_bytes 16777216
  cg_expect cpu cpu.shares 256
  cg_expect cpu cpu.cfs_period_us 50000
  cg_expect cpu cpu.cfs_quota_us 20000
  cg_expect pids pids.max 10
  cg_expect cpuset cpuset.cpus 0
}

@test "update --memory-swap raises memory+swap before the memory limit" {
  requires cgroup_v1
  requires_cg_file memory memory.memsw.limit_in_bytes
  set_resources '{"memory": {"limit": 33554432, "swap": 33554432}}'
  start_sleeper
  # Growing both: memsw must be raised first or the kernel refuses.
  ward_run update --memory 128m --memory-swap 256m "$CID"
  assert_success
  cg_expect memory memory.limit_in_bytes 134217728
  cg_expect memory memory.memsw.limit_in_bytes 268435456
  # Shrinking both: the memory limit first.
  ward_run update --memory 32m --memory-swap 64m "$CID"
  assert_success
  cg_expect memory memory.limit_in_bytes 33554432
  cg_expect memory memory.memsw.limit_in_bytes 67108864
}

@test "update leaves what it is not given alone; the period alone keeps the quota" {
  requires cgroup_v1
  set_resources '{"pids": {"limit": 50}, "cpu": {"quota": 30000, "period": 100000}}'
  start_sleeper
  ward_run update --cpu-period 60000 "$CID"
  assert_success
  cg_expect cpu cpu.cfs_period_us 60000
  cg_expect cpu cpu.cfs_quota_us 30000
  cg_expect pids pids.max 50
  ward_run update --pids-limit -1 "$CID"
  assert_success
  cg_expect pids pids.max max
}

@test "update --resources - reads linux.resources JSON from stdin" {
  requires cgroup_v1
  start_sleeper
  WARD_STDIN="$BATS_TEST_TMPDIR/res.json"
  echo '{"memory": {"limit": 50331648}, "pids": {"limit": 7}, "cpu": {"shares": 300}}' >"$WARD_STDIN"
  ward_run update --resources - "$CID"
  assert_success
  cg_expect memory memory.limit_in_bytes 50331648
  cg_expect pids pids.max 7
  cg_expect cpu cpu.shares 300
}

@test "update -r FILE, and the container keeps running" {
  requires cgroup_v1
  start_sleeper
  echo '{"pids": {"limit": 9}}' >"$BATS_TEST_TMPDIR/r.json"
  ward_run update -r "$BATS_TEST_TMPDIR/r.json" "$CID"
  assert_success
  cg_expect pids pids.max 9
  [ "$(container_status "$CID")" = running ]
}

@test "update errors: a bad value, bad JSON, a stopped container, Intel RDT" {
  skip_on_runc "message shapes"
  start_sleeper
  ward_run update --memory lots "$CID"
  assert_error 'update: invalid value for --memory: "lots"'
  echo '{"memory": {"limit": "big"}}' >"$BATS_TEST_TMPDIR/bad.json"
  ward_run update -r "$BATS_TEST_TMPDIR/bad.json" "$CID"
  assert_error "linux.resources.memory.limit"
  ward_run update --l3-cache-schema "L3:0=f" "$CID"
  assert_error "Intel RDT"
  ward_run kill "$CID" KILL
  assert_success
  wait_status "$CID" stopped
  ward_run update --pids-limit 5 "$CID"
  assert_error "cannot update container \"$CID\": it is stopped"
}

@test "update with checkBeforeUpdate refuses a limit below the usage" {
  requires cgroup_v1
  skip_on_runc "runc 1.1 has no checkBeforeUpdate"
  start_sleeper
  echo '{"memory": {"limit": 4096, "checkBeforeUpdate": true}}' >"$BATS_TEST_TMPDIR/r.json"
  ward_run update -r "$BATS_TEST_TMPDIR/r.json" "$CID"
  assert_error "is below the current usage"
  [ "$(cg_read memory memory.limit_in_bytes)" != 4096 ]
}

# ---------------------------------------------------------------------------
# pause / resume
# ---------------------------------------------------------------------------

# The init counts in /count; while paused the count stands still.
start_counter() {
  set_script 'i=0; while :; do i=$((i+1)); echo $i > /count; sleep 0.05; done'
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  wait_for 50 0.1 test -s "$ROOTFS/count"
}

@test "pause freezes every process, resume thaws them" {
  requires cgroup_v1
  start_counter
  ward_run pause "$CID"
  assert_success
  [ "$(container_status "$CID")" = paused ]
  cg_expect freezer freezer.state FROZEN
  if [ -n "$(cg_unified_root)" ] && runtime_is_ward; then
    cg_expect unified cgroup.freeze 1
  fi
  wait_for 20 0.1 all_frozen
  local a b
  a="$(cat "$ROOTFS/count")"
  sleep 0.3
  b="$(cat "$ROOTFS/count")"
  [ "$a" = "$b" ] || fail "the count moved while paused: $a -> $b"
  ward_run list
  assert_success
  [[ "$output" == *"$CID"*paused* ]] || fail "list does not say paused"
  ward_run resume "$CID"
  assert_success
  [ "$(container_status "$CID")" = running ]
  cg_expect freezer freezer.state THAWED
  wait_for 30 0.1 test "$(cat "$ROOTFS/count")" != "$b"
}

@test "pause and resume refuse the wrong states" {
  skip_on_runc "message shapes"
  start_sleeper
  ward_run resume "$CID"
  assert_error "cannot resume container \"$CID\": it is running"
  ward_run pause "$CID"
  assert_success
  ward_run pause "$CID"
  assert_error "it is already paused"
  ward_run delete "$CID"
  assert_error "that is not stopped: paused"
  ward_run resume "$CID"
  assert_success
  ward_run kill "$CID" KILL
  wait_status "$CID" stopped
  ward_run pause "$CID"
  assert_error "cannot pause container \"$CID\": it is stopped"
}

@test "kill KILL stops a paused container" {
  start_counter
  ward_run pause "$CID"
  assert_success
  ward_run kill "$CID" KILL
  assert_success
  wait_status "$CID" stopped
  ward_run delete "$CID"
  assert_success
  assert_no_leftovers
}

@test "kill --all KILL stops a paused container with children" {
  remove_namespace pid
  set_script 'sleep 100 & sleep 100 & echo ok > /ready; wait'
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  wait_for 50 0.1 test -s "$ROOTFS/ready"
  ward_run pause "$CID"
  assert_success
  ward_run kill --all "$CID" KILL
  assert_success
  wait_status "$CID" stopped
  wait_for 30 0.1 test -z "$(cg_read pids cgroup.procs 2>/dev/null || cg_read unified cgroup.procs)"
}

@test "delete --force removes a paused container" {
  start_counter
  ward_run pause "$CID"
  assert_success
  ward_run delete --force "$CID"
  assert_success
  assert_no_leftovers
}

# ---------------------------------------------------------------------------
# kill --all
# ---------------------------------------------------------------------------

@test "kill --all signals every process, also without a pid namespace" {
  remove_namespace pid
  set_script 'sleep 100 & echo $! > /c1; sleep 100 & echo $! > /c2; wait'
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  wait_for 50 0.1 test -s "$ROOTFS/c2"
  local init c1 c2
  init="$(container_pid "$CID")"
  c1="$(cat "$ROOTFS/c1")"
  c2="$(cat "$ROOTFS/c2")"
  ward_run kill --all "$CID" TERM
  assert_success
  wait_for 50 0.1 pid_gone "$c1"
  wait_for 50 0.1 pid_gone "$c2"
  wait_for 50 0.1 pid_gone "$init"
}

# ---------------------------------------------------------------------------
# ps
# ---------------------------------------------------------------------------

@test "ps --format json lists the pids of the cgroup" {
  set_script 'sleep 100 & echo $! > /child; wait'
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  wait_for 50 0.1 test -s "$ROOTFS/child"
  local init
  init="$(container_pid "$CID")"
  ward_run ps --format json "$CID"
  assert_success
  [ "$(jq length <<<"$stdout")" -eq 2 ] || fail "want 2 pids: $stdout"
  jq -e --argjson p "$init" 'index($p) != null' <<<"$stdout" >/dev/null || fail "no init $init in $stdout"
}

@test "ps (table) runs ps and keeps only the container's rows" {
  set_script 'sleep 101 & wait'
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  wait_for 50 0.1 test "$(cg_read pids cgroup.procs 2>/dev/null | wc -l)" -eq 2
  ward_run ps "$CID"
  assert_success
  [[ "${lines[0]}" == *PID* ]] || fail "no header: ${lines[0]}"
  [ "${#lines[@]}" -eq 3 ] || fail "want a header and 2 rows"
  [[ "$output" == *"sleep 101"* ]] || fail "no sleep row"
  ward_run ps "$CID" -o pid,comm
  assert_success
  [ "$(printf '%s\n' "${lines[@]}" | awk 'NR > 1 {print $2}' | sort | tr '\n' ' ')" = "sh sleep " ] ||
    fail "ps -o pid,comm rows: $output"
}

# ---------------------------------------------------------------------------
# events
# ---------------------------------------------------------------------------

@test "events --stats prints one stats event in runc's shape" {
  set_resources '{"memory": {"limit": 67108864}, "pids": {"limit": 20}}'
  start_sleeper
  ward_run events --stats "$CID"
  assert_success
  [ "${#lines[@]}" -eq 1 ] || fail "want one line"
  jq -e --arg id "$CID" '.type == "stats" and .id == $id' <<<"$stdout" >/dev/null || fail "type/id"
  jq -e '.data | has("cpu") and has("cpuset") and has("memory") and has("pids") and has("blkio") and has("hugetlb") and has("intel_rdt")' <<<"$stdout" >/dev/null ||
    fail "sections missing"
  [ "$(jq .data.memory.usage.limit <<<"$stdout")" = 67108864 ]
  [ "$(jq .data.pids.current <<<"$stdout")" -ge 1 ]
  [ "$(jq .data.pids.limit <<<"$stdout")" = 20 ]
  [ "$(jq '.data.cpu.usage.total' <<<"$stdout")" -gt 0 ]
}

@test "events streams stats and reports an OOM kill, and ends with the container" {
  requires cgroup_v1
  set_resources '{"memory": {"limit": 16777216}}'
  set_script 'sleep 1.5; tail /dev/zero; sleep 100'
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  local out="$BATS_TEST_TMPDIR/events.out"
  "$WARD_BIN" --root "$ROOT" events --interval 500ms "$CID" >"$out" 2>&1 &
  local ev=$!
  defer kill -9 "$ev"
  wait_for 60 0.1 grep -q '"type":"oom"' "$out"
  wait_for 30 0.1 grep -q '"type":"stats"' "$out"
  ward_run delete --force "$CID"
  assert_success
  wait_for 50 0.1 pid_gone "$ev"
  jq -e --arg id "$CID" 'select(.type == "oom") | .id == $id' "$out" >/dev/null
}

@test "events on a stopped container fails; --interval must be a duration" {
  skip_on_runc "message shapes"
  set_args true
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_success
  ward_run events --interval 5x "$CID"
  assert_error "invalid duration"
  ward_run start "$CID"
  wait_status "$CID" stopped
  ward_run events --stats "$CID"
  assert_error "container \"$CID\" is not running"
}
