#!/usr/bin/env bats
# ward exec: a new process in a running container joins every namespace and
# the cgroup of the container, takes its credentials and limits, and returns
# its exit status.

load helpers

setup() {
  ward_setup
  set_args sleep 100
}

start_container() {
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
}

@test "exec sees the same namespaces and cgroup as the init" {
  add_namespace cgroup
  start_container
  local pid t
  pid="$(container_pid "$CID")"
  for t in pid net mnt ipc uts cgroup; do
    ward_run exec "$CID" readlink "/proc/self/ns/$t"
    assert_success
    [ "$output" = "$(readlink "/proc/$pid/ns/$t")" ] || fail "$t: $output"
  done
  ward_run exec "$CID" cat /proc/self/cgroup
  assert_success
  [ "$output" = "$(cat "/proc/$pid/cgroup" | sed 's|:/.*|:/|')" ] || fail "cgroup: $output"
}

@test "exec returns the process's exit status and prints nothing of its own" {
  start_container
  ward_run exec "$CID" sh -c 'exit 7'
  assert_status 7
  [ -z "$stderr" ] || fail "stderr: $stderr"
  ward_run exec "$CID" sh -c 'kill -9 $$'
  assert_status 137
}

@test "exec --env, --cwd, --user, --additional-gids" {
  start_container
  ward_run exec --env FOO=bar -e PATH=/bin --cwd /tmp -u 1000:1000 --additional-gids 5,6 \
    "$CID" sh -c 'echo "$FOO $PATH $(pwd)"; id -u; id -g; id -G'
  assert_success
  [ "${lines[0]}" = "bar /bin /tmp" ]
  [ "${lines[1]}" = 1000 ]
  [ "${lines[2]}" = 1000 ]
  [[ " ${lines[3]} " == *" 5 "* && " ${lines[3]} " == *" 6 "* ]] || fail "groups: ${lines[3]}"
}

@test "exec takes the container's capabilities and no_new_privileges; --cap adds one" {
  start_container
  local pid
  pid="$(container_pid "$CID")"
  ward_run exec "$CID" grep -E '^(CapBnd|CapEff|NoNewPrivs)' /proc/self/status
  assert_success
  [ "$output" = "$(grep -E '^(CapBnd|CapEff|NoNewPrivs)' "/proc/$pid/status")" ] || fail "$output"
  ward_run exec --cap CAP_SYS_TIME "$CID" grep CapEff /proc/self/status
  assert_success
  local eff
  eff="$(awk '{print $2}' <<<"$output")"
  (( (0x$eff >> 25) & 1 )) || fail "CAP_SYS_TIME not effective: $output"
}

@test "exec --process FILE runs that process as given" {
  start_container
  cat >"$BATS_TEST_TMPDIR/process.json" <<'JSON'
{"args": ["sh", "-c", "echo from-file $X; pwd"], "env": ["X=1", "PATH=/bin"], "cwd": "/etc",
 "user": {"uid": 0, "gid": 0}}
JSON
  ward_run exec --process "$BATS_TEST_TMPDIR/process.json" "$CID"
  assert_success
  [ "${lines[0]}" = "from-file 1" ]
  [ "${lines[1]}" = /etc ]
  echo '{"args": "sh", "cwd": "/"}' >"$BATS_TEST_TMPDIR/bad.json"
  ward_run exec --process "$BATS_TEST_TMPDIR/bad.json" "$CID"
  assert_error "args"
}

@test "exec -d --pid-file: returns at once, the pid is the process's" {
  start_container
  ward_run exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$CID" sleep 30
  assert_success
  local p
  p="$(cat "$BATS_TEST_TMPDIR/exec.pid")"
  [ "$(cat "/proc/$p/comm")" = sleep ] || fail "pid $p is $(cat "/proc/$p/comm")"
  grep -q "$CID" "/proc/$p/cgroup" || fail "not in the container's cgroup"
}

@test "exec -t allocates a terminal" {
  requires script
  start_container
  local cmd
  printf -v cmd '%q ' "$WARD_BIN" --root "$ROOT" exec -t "$CID" sh -c 'tty; [ -t 0 ] && echo is-tty'
  ward_capture script -qec "$cmd" /dev/null
  assert_success
  grep -q '/dev/pts/[0-9]' <<<"$output" || fail "$output"
  grep -q 'is-tty' <<<"$output" || fail "$output"
}

@test "exec into a stopped, a paused and an unknown container is refused" {
  set_args true
  ward_run run --keep --bundle "$BUNDLE" "$CID"
  assert_success
  ward_run exec "$CID" true
  assert_error "stopped"
  ward_run exec nope-"$CID" true
  assert_error "does not exist"
}

@test "exec into a paused container is refused unless --ignore-paused" {
  start_container
  ward_run pause "$CID"
  assert_success
  ward_run exec "$CID" true
  assert_error "paused"
  # --ignore-paused: the process joins the frozen cgroup and runs on resume.
  __ward exec --ignore-paused "$CID" sh -c 'echo ran > /tmp/ignored-pause' &
  local bg=$!
  sleep 0.5
  ward_run resume "$CID"
  assert_success
  wait "$bg" || fail "exec --ignore-paused failed"
  ward_run exec "$CID" cat /tmp/ignored-pause
  assert_success
  [ "$output" = ran ]
}

@test "exec of a missing binary: one line naming it, nothing left running" {
  start_container
  ward_run exec "$CID" /nonexistent
  assert_error "/nonexistent"
  ward_run ps --format json "$CID"
  assert_success
  [ "$(jq length <<<"$output")" -eq 1 ] || fail "processes: $output"
}

@test "exec: a host fd passed to ward does not reach the process" {
  start_container
  ward_run exec "$CID" sh -c 'ls /proc/self/fd | tr "\n" " "' 7<"$BUNDLE"
  assert_success
  [[ " $output " != *" 7 "* ]] || fail "fd 7 leaked: $output"
}
