#!/usr/bin/env bats
# Global flags, --version, --help, bad flags and the error/log format.

load helpers

@test "--version prints name, commit and spec on separate lines" {
  local name
  name="$(runtime_name)"
  for flag in --version -v; do
    ward_run_noroot "$flag"
    assert_success
    [[ "${lines[0]}" =~ ^$name\ version\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "line 1: ${lines[0]}"
    [[ "${lines[1]}" =~ ^commit:\ .+ ]] || fail "line 2: ${lines[1]}"
    [[ "${lines[2]}" =~ ^spec:\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "line 3: ${lines[2]}"
    if runtime_is_ward; then
      [ "${lines[2]}" = "spec: 1.2.0" ]
      [ -z "$stderr" ]
    fi
  done
}

@test "--help lists every command" {
  for flag in --help -h; do
    ward_run_noroot "$flag"
    assert_success
    for cmd in create start run state kill delete list spec features; do
      [[ "$output" =~ (^|[[:space:]])$cmd([[:space:]]|$) ]] || fail "$flag does not list $cmd"
    done
  done
}

@test "CMD --help lists the command's flags" {
  ward_run create --help
  assert_success
  for f in --bundle --pid-file --console-socket --no-pivot --no-new-keyring --preserve-fds; do
    assert_output_contains "$f"
  done
  ward_run run --help
  assert_success
  for f in --bundle --detach --keep --pid-file --console-socket --no-pivot --preserve-fds; do
    assert_output_contains "$f"
  done
  ward_run kill --help
  assert_success
  assert_output_contains --all
  ward_run delete --help
  assert_success
  assert_output_contains --force
  ward_run list --help
  assert_success
  assert_output_contains --format
  assert_output_contains --quiet
  ward_run spec --help
  assert_success
  assert_output_contains --bundle
  assert_output_contains --rootless
  for cmd in start state features; do
    ward_run "$cmd" --help
    assert_success
    [ -n "$output" ]
  done
}

@test "unknown global flag: one line naming it, exit 1" {
  ward_run_noroot --frobnicate list
  assert_error "unknown flag --frobnicate"
}

@test "unknown command flag: one line naming it, exit 1, nothing created" {
  ward_run create --foo --bundle "$BUNDLE" "$CID"
  assert_error "unknown flag --foo"
  assert_no_leftovers
  ward_run kill --bogus "$CID"
  assert_error "unknown flag --bogus"
}

@test "unknown command fails" {
  ward_run frobnicate
  [ "$status" -ne 0 ]
  runtime_is_ward && assert_error "frobnicate"
  true
}

@test "missing container id is named" {
  for cmd in create start state delete kill; do
    ward_run "$cmd"
    assert_error "$cmd: missing container id"
  done
}

@test "missing argument of a flag is named" {
  ward_run create "$CID" --bundle
  assert_error "--bundle"
  assert_no_leftovers
}

@test "--root selects the state directory" {
  local other="$BUNDLE/other-root"
  set_args sleep 100
  ward_capture "$WARD_BIN" --root "$other" create --bundle "$BUNDLE" "$CID"
  assert_success
  defer "$WARD_BIN" --root "$other" delete --force "$CID"
  [ -d "$other/$CID" ] || fail "no state in $other/$CID"
  [ ! -e "$ROOT/$CID" ]
  ward_run state "$CID"
  assert_error "does not exist"
  ward_capture "$WARD_BIN" --root "$other" state "$CID"
  assert_success
  ward_capture "$WARD_BIN" --root "$other" delete --force "$CID"
  assert_success
  [ ! -e "$other/$CID" ]
}

@test "--flag=value syntax for global flags" {
  set_args true
  ward_capture "$WARD_BIN" --root="$ROOT" --rootless=false --log="$BUNDLE/log" --log-format=json run --bundle "$BUNDLE" "$CID"
  assert_success
}

@test "--log --log-format json: errors are JSON lines with level, msg, time" {
  local log="$BUNDLE/ward.log"
  ward_run --log "$log" --log-format json state "$CID-nope"
  [ "$status" -eq 1 ]
  [ -s "$log" ] || fail "log file is empty"
  # every line is a JSON object with the three keys
  while read -r l || [ -n "$l" ]; do
    jq -e 'has("level") and has("msg") and has("time")' <<<"$l" >/dev/null || fail "bad log line: $l"
  done <"$log"
  # one JSON object per line, each line terminated
  [ "$(tail -c 1 "$log" | od -An -c | tr -d ' ')" = '\n' ]
  local last
  last="$(grep '"level":"error"' "$log" | tail -n 1)"
  [ -n "$last" ] || fail "no error line in log"
  jq -e '.msg | contains("does not exist")' <<<"$last"
  jq -e '.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")' <<<"$last"
  if runtime_is_ward; then
    jq -e --arg m "container \"$CID-nope\" does not exist" '.msg == $m' <<<"$last"
  fi
}

@test "--log (text): the error reaches the log file" {
  local log="$BUNDLE/ward.log"
  ward_run --log "$log" state "$CID-nope"
  [ "$status" -eq 1 ]
  grep -q "does not exist" "$log"
}

@test "--log json: a set-up error inside the container is the last error line" {
  local log="$BUNDLE/ward.log"
  set_args /nonexistent-binary
  ward_run --log "$log" --log-format json run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  grep '"level":"error"' "$log" | tail -n 1 | jq -e '.msg | contains("nonexistent-binary")'
  assert_no_leftovers
}

@test "--debug is accepted and the container still runs" {
  local log="$BUNDLE/ward.log"
  set_script 'echo debug-ok'
  ward_run --debug --log "$log" run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains debug-ok
}

@test "--rootless false|true|auto are accepted as root" {
  set_script 'echo hi'
  for v in false auto; do
    ward_run --rootless "$v" run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_output_contains hi
  done
}

@test "--systemd-cgroup without systemd: a clear error, nothing left" {
  [ ! -S /run/systemd/private ] || skip "systemd is running here"
  update_config '.linux.cgroupsPath = $p' --arg p "system.slice:ward:$CID"
  ward_run --systemd-cgroup run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  [[ "$output" == *systemd* ]] || [[ "$output" == *dbus* ]] || fail "message does not mention systemd"
  runtime_is_ward && assert_error "systemd"
  assert_no_leftovers
}
