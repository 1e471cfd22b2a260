#!/usr/bin/env bats
# delete: stopped, created, running (+ --force), unknown ids.

load helpers

@test "delete a stopped container removes state, cgroup and processes" {
  update_config '.linux.cgroupsPath = $p' --arg p "/$CID"
  set_args true
  ward_run run --keep --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$(container_status "$CID")" = stopped ]
  ward_run delete "$CID"
  assert_success
  ward_run state "$CID"
  assert_error "container \"$CID\" does not exist"
  assert_no_leftovers
}

@test "delete a running container without --force fails and leaves it running" {
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  local pid
  pid="$(container_pid "$CID")"
  ward_run delete "$CID"
  [ "$status" -eq 1 ]
  [ "$(container_status "$CID")" = running ]
  pid_alive "$pid"
}

@test "delete --force a running container kills it and cleans up" {
  update_config '.linux.cgroupsPath = $p' --arg p "/$CID"
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  local pid
  pid="$(container_pid "$CID")"
  ward_run delete --force "$CID"
  assert_success
  wait_for 20 0.1 pid_gone "$pid"
  ward_run state "$CID"
  assert_error "does not exist"
  assert_no_leftovers
}

@test "delete -f a running container with several processes" {
  update_config '.linux.cgroupsPath = $p' --arg p "/$CID"
  set_script 'sleep 1000 & sleep 1000 & echo up > /up; wait'
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  wait_for 50 0.1 file_contains "$ROOTFS/up" up
  ward_run delete -f "$CID"
  assert_success
  assert_no_leftovers
}

@test "delete a created container: the init goes away, the process never ran" {
  update_config '.linux.cgroupsPath = $p' --arg p "/$CID"
  set_script 'echo ran > /ran'
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_success
  local pid
  pid="$(container_pid "$CID")"
  ward_run delete "$CID"
  assert_success
  wait_for 20 0.1 pid_gone "$pid"
  [ ! -e "$ROOTFS/ran" ]
  assert_no_leftovers
}

@test "delete an unknown container fails; with --force it succeeds" {
  ward_run delete "$CID-nope"
  assert_error "container \"$CID-nope\" does not exist"
  ward_run delete --force "$CID-nope"
  assert_success
}

@test "delete does not touch the bundle" {
  set_args true
  ward_run run --keep --bundle "$BUNDLE" "$CID"
  assert_success
  ward_run delete "$CID"
  assert_success
  [ -f "$BUNDLE/config.json" ]
  [ -x "$ROOTFS/bin/busybox" ]
}

@test "delete one container leaves another alone" {
  local c2
  c2="$(new_cid other)"
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  ward_run run -d --bundle "$BUNDLE" "$c2"
  assert_success
  ward_run delete --force "$CID"
  assert_success
  [ "$(container_status "$c2")" = running ]
  pid_alive "$(container_pid "$c2")"
}

@test "delete --force removes a container whose state file is unreadable; without --force it is refused" {
  set_args sleep 100
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_success
  local pid
  pid="$(container_pid "$CID")"
  defer kill -9 "$pid"
  echo '{"id": ' >"$ROOT/$CID/state.json"
  ward_run delete "$CID"
  assert_error "state.json"
  [ -d "$ROOT/$CID" ] || fail "refused delete removed the state"
  ward_run delete --force "$CID"
  assert_success
  assert_output_contains "removing its state anyway"
  [ ! -e "$ROOT/$CID" ] || fail "state left"
  # what the unreadable state named is cleaned up here, by the test
  kill -9 "$pid"
  wait_for 50 0.1 pid_gone "$pid"
  find /sys/fs/cgroup -maxdepth 5 -type d -name "$CID" -print0 2>/dev/null | xargs -0 -r rmdir
}
