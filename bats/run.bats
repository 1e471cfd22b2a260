#!/usr/bin/env bats
# run: foreground exit status, signals, --detach, --keep, --pid-file, stdio.

load helpers

@test "run: the container's output and exit status 0" {
  set_script 'echo hello from the container'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" = "hello from the container" ]
  # removed after exit without --keep
  ward_run state "$CID"
  assert_error "container \"$CID\" does not exist"
  assert_no_leftovers
}

@test "run: exit status of the process is returned" {
  for code in 1 3 42 255; do
    set_script "exit $code"
    ward_run run --bundle "$BUNDLE" "$CID"
    assert_status "$code"
    assert_no_leftovers
  done
}

@test "run: stderr of the container reaches stderr" {
  set_script 'echo to-out; echo to-err >&2'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" = to-out ]
  [ "$stderr" = to-err ]
}

@test "run: stdin reaches the container" {
  echo "piped input 123" >"$BUNDLE/stdin"
  set_args cat
  WARD_STDIN="$BUNDLE/stdin" ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" = "piped input 123" ]
}

@test "run: args are passed verbatim, env and cwd are applied" {
  set_args sh -c 'printf "[%s]" "$@"; echo; echo "FOO=$FOO"; pwd' argv0 "a b" "" 'c"d' '$HOME'
  update_config '.process.env = ["PATH=/bin", "FOO=bar baz"] | .process.cwd = "/tmp"'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = '[a b][][c"d][$HOME]' ]
  [ "${lines[1]}" = "FOO=bar baz" ]
  [ "${lines[2]}" = /tmp ]
}

@test "run: a process killed by signal N exits 128+N" {
  # Without a pid namespace the shell is not an init and can kill itself.
  remove_namespace pid
  set_script 'kill -USR1 $$; sleep 5'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_status 138
  set_script 'kill -TERM $$; sleep 5'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_status 143
  assert_no_leftovers
}

@test "run: init killed from outside with SIGKILL exits 137" {
  set_script 'echo ready; exec sleep 100'
  local out="$BUNDLE/out"
  # the binary itself in the background, so that $! is ward's pid
  "$WARD_BIN" --root "$ROOT" run --bundle "$BUNDLE" "$CID" >"$out" 2>&1 </dev/null &
  local rpid=$!
  wait_for 100 0.1 file_contains "$out" ready
  wait_status "$CID" running
  __ward kill "$CID" KILL
  local rc=0
  wait "$rpid" || rc=$?
  [ "$rc" -eq 137 ] || fail "exit status $rc, expected 137"
  assert_no_leftovers
}

@test "run: signals sent to ward are forwarded to the container" {
  set_script 'trap "echo got-TERM; exit 42" TERM; trap "echo got-HUP" HUP; echo ready; while :; do sleep 0.1; done'
  local out="$BUNDLE/out"
  # the binary itself in the background, so that $! is ward's pid
  "$WARD_BIN" --root "$ROOT" run --bundle "$BUNDLE" "$CID" >"$out" 2>&1 </dev/null &
  local rpid=$!
  wait_for 100 0.1 file_contains "$out" ready
  kill -HUP "$rpid"
  wait_for 50 0.1 file_contains "$out" got-HUP
  kill -TERM "$rpid"
  local rc=0
  wait "$rpid" || rc=$?
  cat "$out"
  [ "$rc" -eq 42 ] || fail "exit status $rc, expected 42"
  grep -q got-TERM "$out"
  assert_no_leftovers
}

@test "run --detach: returns at once, the container keeps running" {
  set_args sleep 100
  local t0 t1
  t0="$(date +%s)"
  ward_run run --detach --bundle "$BUNDLE" "$CID"
  assert_success
  t1="$(date +%s)"
  [ $((t1 - t0)) -lt 10 ]
  [ "$(container_status "$CID")" = running ]
  pid_alive "$(container_pid "$CID")"
  __ward kill "$CID" KILL
  wait_status "$CID" stopped
  ward_run delete "$CID"
  assert_success
  assert_no_leftovers
}

@test "run -d --pid-file: the pid file holds the container's init" {
  set_args sleep 100
  ward_run run -d --pid-file "$BUNDLE/pid" --bundle "$BUNDLE" "$CID"
  assert_success
  local pid
  pid="$(cat "$BUNDLE/pid")"
  [ "$pid" = "$(container_pid "$CID")" ]
  [ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sleep 100 " ]
}

@test "run --keep: the stopped container stays until delete" {
  set_script 'exit 7'
  ward_run run --keep --bundle "$BUNDLE" "$CID"
  assert_status 7
  ward_run state "$CID"
  assert_success
  jq -e '.status == "stopped"' <<<"$stdout"
  ward_run list -q
  assert_output_contains "$CID"
  ward_run delete "$CID"
  assert_success
  assert_no_leftovers
}

@test "run: an id that exists already is refused, the first container is untouched" {
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  local pid
  pid="$(container_pid "$CID")"
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_error "container \"$CID\" already exists"
  [ "$(container_status "$CID")" = running ]
  [ "$(container_pid "$CID")" = "$pid" ]
}

@test "run: the hostname from config.json and HOME are set" {
  update_config '.hostname = "run-host"'
  set_script 'hostname; echo "HOME=$HOME"'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = run-host ]
  [ "${lines[1]}" = "HOME=/root" ]
}
