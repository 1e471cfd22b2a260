#!/usr/bin/env bats
# SCMP_ACT_NOTIFY: the runtime hands the listener fd and the container process
# state to linux.seccomp.listenerPath (runtime-spec, config-linux.md), and a
# notified syscall gets the agent's answer.  The agent is
# tests/seccomp_agent.py: it records what it received and fails every
# notified syscall with ENOTBLK ("Block device required").

load helpers

setup() {
  ward_setup
  requires python3
  AGENT_SOCK="$HOST_TMP/agent.sock"
  AGENT_OUT="$HOST_TMP/agent"
  mkdir -p "$AGENT_OUT"
}

start_agent() {
  "$PYTHON3" "$WARD_TOP/tests/seccomp_agent.py" "$AGENT_SOCK" "$AGENT_OUT" \
    </dev/null >"$AGENT_OUT/log" 2>&1 3>&- &
  AGENT_PID=$!
  defer kill -9 "$AGENT_PID"
  wait_for 50 0.1 test -e "$AGENT_OUT/ready"
}

# notify_profile [EXTRA-JQ]: mkdir/mkdirat notify the agent.
notify_profile() {
  update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
      listenerPath: $p, listenerMetadata: "MKNOD=/dev/null;tag=ward-test",
      syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}' --arg p "$AGENT_SOCK"
}

@test "the listener receives the seccomp fd and the container process state" {
  start_agent
  notify_profile
  update_config '.annotations = {"org.example.key": "value"}'
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  local pid s
  pid="$(container_pid "$CID")"
  wait_for 50 0.1 test -s "$AGENT_OUT/state-1.json"
  # one fd, and it is a seccomp listener
  [ "$(cat "$AGENT_OUT/fds-1")" = "anon_inode:seccomp notify" ]
  s="$AGENT_OUT/state-1.json"
  jq -e '.fds == ["seccompFd"]' "$s"
  jq -e '.ociVersion | test("^1\\.")' "$s"
  jq -e --argjson p "$pid" '.pid == $p and .state.pid == $p' "$s"
  jq -e '.metadata == "MKNOD=/dev/null;tag=ward-test"' "$s"
  jq -e --arg id "$CID" --arg b "$BUNDLE" \
    '.state.id == $id and .state.status == "creating" and .state.bundle == $b' "$s"
  jq -e '.state.annotations["org.example.key"] == "value"' "$s"
  # exactly one connection per fd
  [ ! -e "$AGENT_OUT/state-2.json" ]
}

@test "a notified syscall gets the agent's answer; others run" {
  start_agent
  notify_profile
  set_script 'mkdir /tmp/notified 2>&1; echo "rc=$?"; touch /tmp/plain && echo touch-ok'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains "Block device required"
  assert_output_contains "rc=1"
  assert_output_contains touch-ok
  [ ! -e "$ROOTFS/tmp/notified" ]
  [ -e "$ROOTFS/tmp/plain" ]
  # the agent saw mkdir (83) or mkdirat (258) from the container
  grep -Eq '^1 (83|258) [0-9]+$' "$AGENT_OUT/notifications"
}

@test "exec: the process's fd goes to the agent with the running container's state" {
  start_agent
  notify_profile
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  local pid
  pid="$(container_pid "$CID")"
  wait_for 50 0.1 test -s "$AGENT_OUT/state-1.json"
  ward_run exec "$CID" sh -c 'mkdir /tmp/from-exec 2>&1; echo "rc=$?"'
  assert_success
  assert_output_contains "Block device required"
  [ ! -e "$ROOTFS/tmp/from-exec" ]
  local s="$AGENT_OUT/state-2.json"
  [ "$(cat "$AGENT_OUT/fds-2")" = "anon_inode:seccomp notify" ]
  jq -e --argjson p "$pid" '.state.pid == $p and .pid != $p and .pid > 0' "$s"
  jq -e '.state.status == "running" and .fds == ["seccompFd"]' "$s"
  grep -Eq '^2 (83|258) [0-9]+$' "$AGENT_OUT/notifications"
}

@test "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is accepted with a listener" {
  start_agent
  notify_profile
  update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", "SECCOMP_FILTER_FLAG_TSYNC"]'
  set_script 'mkdir /tmp/k 2>&1; true'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains "Block device required"
}

@test "no listener at listenerPath: create fails with one line, nothing left" {
  notify_profile
  ward_run create --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  runtime_is_ward && assert_error "linux.seccomp.listenerPath: connect \`$AGENT_SOCK\`: No such file or directory"
  assert_no_leftovers
}

@test "a listener that closes without reading still gets a clean create or a clean error" {
  # a plain socket that accepts and closes at once
  "$PYTHON3" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4)
open(sys.argv[2], "w").close()
while True:
    c, _ = s.accept(); c.close()' "$AGENT_SOCK" "$AGENT_OUT/ready" </dev/null >/dev/null 2>&1 3>&- &
  defer kill -9 $!
  wait_for 50 0.1 test -e "$AGENT_OUT/ready"
  notify_profile
  set_script 'true'
  ward_run run --bundle "$BUNDLE" "$CID"
  # either the send went through before the close (the filter then has no
  # agent: fine for `true`), or it failed with one line
  if [ "$status" -ne 0 ]; then
    runtime_is_ward && assert_error "linux.seccomp.listenerPath"
  fi
  assert_no_leftovers
}

@test "NOTIFY profile errors name the field" {
  skip_on_runc "ward's messages"
  update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
      syscalls: [{names: ["mkdir"], action: "SCMP_ACT_NOTIFY"}]}'
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_error "config.json: linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY requires linux.seccomp.listenerPath"
  assert_no_leftovers

  update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_NOTIFY", listenerPath: "/x"}'
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_error "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action"
  assert_no_leftovers

  # the runtime hands the fd over with sendmsg(): it cannot be notified
  update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: "/x",
      syscalls: [{names: ["mkdir", "sendmsg"], action: "SCMP_ACT_NOTIFY"}]}'
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_error 'config.json: linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for "sendmsg"'
  assert_no_leftovers

  update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerMetadata: "x",
      syscalls: [{names: ["mkdir"], action: "SCMP_ACT_ERRNO"}]}'
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_error "config.json: linux.seccomp.listenerMetadata: set without linux.seccomp.listenerPath"
  assert_no_leftovers
}
