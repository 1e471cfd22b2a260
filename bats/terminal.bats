#!/usr/bin/env bats
# process.terminal: --console-socket (pty master over SCM_RIGHTS) and a
# terminal for foreground run.

load helpers

setup() {
  ward_setup
  update_config '.process.terminal = true'
  SOCK="$BUNDLE/console.sock"
  CONSOLE_OUT="$BUNDLE/console.out"
}

# start_receiver [INPUT]: listen on $SOCK in the background.
start_receiver() {
  requires python3
  "$PYTHON3" "$BATS_TEST_DIRNAME/console-receiver.py" "$SOCK" "$CONSOLE_OUT" "${1:-}" &
  RECV_PID=$!
  defer kill -9 "$RECV_PID"
  wait_for 50 0.1 test -S "$SOCK"
}

# Wait for the receiver to see the terminal close; its output in $console.
wait_receiver() {
  local rc=0
  wait "$RECV_PID" || rc=$?
  console="$(tr -d '\r' <"$CONSOLE_OUT" 2>/dev/null)"
  echo "# console output:" >&2
  printf '%s\n' "$console" | sed 's/^/#   /' >&2
  [ "$rc" -eq 0 ] || fail "console receiver exit status $rc"
}

TTY_SCRIPT='tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-tty
awk "{print \"tty_nr=\" \$7}" /proc/self/stat
stat -c "console %F %t" /dev/console
read line; echo "got:$line"'

@test "create --console-socket: the pty master is sent, stdio is the terminal" {
  start_receiver 'hello-tty\n'
  set_script "$TTY_SCRIPT"
  ward_run create --console-socket "$SOCK" --bundle "$BUNDLE" "$CID"
  assert_success
  ward_run start "$CID"
  assert_success
  wait_receiver
  grep -q '^/dev/pts/[0-9]' <<<"$console"
  grep -qx all-tty <<<"$console"
  # the terminal is the controlling terminal of the process
  grep -q '^tty_nr=[1-9]' <<<"$console"
  # /dev/console is the pty (major 136 = 0x88)
  grep -qx 'console character special file 88' <<<"$console"
  grep -qx 'got:hello-tty' <<<"$console"
  wait_status "$CID" stopped
}

@test "run -d --console-socket" {
  start_receiver 'x\n'
  set_script 'echo detached-tty-ok; read x'
  ward_run run -d --console-socket "$SOCK" --bundle "$BUNDLE" "$CID"
  assert_success
  wait_receiver
  grep -qx detached-tty-ok <<<"$console"
}

@test "terminal without --console-socket for create is refused, nothing left" {
  set_args true
  ward_run create --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  runtime_is_ward && assert_error "console"
  assert_no_leftovers
}

@test "terminal with run -d and no --console-socket is refused" {
  set_args true
  ward_run run -d --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  assert_no_leftovers
}

@test "a console socket that does not exist: error, nothing left" {
  set_args true
  ward_run create --console-socket "$BUNDLE/no-such.sock" --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  runtime_is_ward && assert_error "no-such.sock"
  assert_no_leftovers
}

@test "foreground run with a terminal (under script)" {
  requires script
  set_script 'tty; [ -t 0 ] && [ -t 1 ] && echo all-tty; awk "{print \"tty_nr=\" \$7}" /proc/self/stat; exit 3'
  local cmd
  printf -v cmd '%q ' "$WARD_BIN" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
  ward_capture script -qec "$cmd" /dev/null
  assert_status 3
  # script(1) passes the end of its own stdin on as a control byte that the
  # container's terminal may echo (^@, ^D) before the output: not ours.
  output="$(tr -d '\r' <<<"$output" | sed 's/\^[@D]//g')"
  grep -q '/dev/pts/[0-9]' <<<"$output"
  grep -qx all-tty <<<"$output"
  grep -q '^tty_nr=[1-9]' <<<"$output"
  assert_no_leftovers
}

@test "foreground run with a terminal: input typed reaches the container" {
  requires script
  set_script 'read a; echo "typed:$a"'
  local cmd
  printf -v cmd '%q ' "$WARD_BIN" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
  # script forwards its stdin to the pty
  printf 'abc\n' >"$BUNDLE/typed"
  WARD_STDIN="$BUNDLE/typed" ward_capture script -qec "$cmd" /dev/null
  assert_success
  grep -q 'typed:abc' <<<"$(tr -d '\r' <<<"$output")"
}
