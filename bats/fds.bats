#!/usr/bin/env bats
# File descriptors: --preserve-fds, LISTEN_FDS, and no leaks into the
# container (CVE-2024-21626).

load helpers

# `ls /proc/self/fd` as the container's init: ls opens the directory itself,
# so N inherited fds show as 0..N plus one more.
fd_list() { tr '\n' ' ' <<<"$stdout" | sed 's/ $//'; }

@test "only stdio reaches the container (fds open in the caller do not)" {
  set_args ls /proc/self/fd
  # fds 5 and 7 are open in the caller without CLOEXEC, fd 3 is bats' own
  ward_run run --bundle "$BUNDLE" "$CID" 5</dev/null 7>"$BUNDLE/seven"
  assert_success
  # 3 is ls's directory fd
  [ "$(fd_list)" = "0 1 2 3" ] || fail "fds in the container: $(fd_list)"
}

@test "only stdio reaches the container after create + start" {
  set_script 'ls /proc/self/fd > /fds'
  ward_run create --bundle "$BUNDLE" "$CID" 5</dev/null 8>"$BUNDLE/eight"
  assert_success
  ward_run start "$CID" 6</dev/null
  assert_success
  wait_status "$CID" stopped
  [ "$(tr '\n' ' ' <"$ROOTFS/fds" | sed 's/ $//')" = "0 1 2 3" ] || fail "fds: $(cat "$ROOTFS/fds")"
}

@test "--preserve-fds N passes fds 3..3+N-1 and nothing else" {
  echo three >"$BUNDLE/f3"
  echo four >"$BUNDLE/f4"
  set_args ls /proc/self/fd
  ward_run run --preserve-fds 2 --bundle "$BUNDLE" "$CID" 3<"$BUNDLE/f3" 4<"$BUNDLE/f4" 6</dev/null
  assert_success
  [ "$(fd_list)" = "0 1 2 3 4 5" ] || fail "fds in the container: $(fd_list)"
  set_script 'cat <&3; cat <&4'
  ward_run run --preserve-fds 2 --bundle "$BUNDLE" "$CID" 3<"$BUNDLE/f3" 4<"$BUNDLE/f4"
  assert_success
  [ "${lines[0]}" = three ]
  [ "${lines[1]}" = four ]
}

@test "--preserve-fds with create: the fds reach the process at start" {
  echo preserved >"$BUNDLE/f3"
  set_script 'cat <&3 > /out'
  ward_run create --preserve-fds 1 --bundle "$BUNDLE" "$CID" 3<"$BUNDLE/f3"
  assert_success
  ward_run start "$CID"
  assert_success
  wait_for 50 0.1 file_contains "$ROOTFS/out" preserved
}

@test "LISTEN_FDS: socket-activation fds are passed, LISTEN_PID is 1" {
  echo activated >"$BUNDLE/f3"
  set_script 'echo "LISTEN_FDS=$LISTEN_FDS LISTEN_PID=$LISTEN_PID"; cat <&3'
  # LISTEN_PID must name the runtime's own pid: set it right before exec
  ward_capture bash -c 'export LISTEN_PID=$$ LISTEN_FDS=1; exec "$@"' bash \
    "$WARD_BIN" --root "$ROOT" run --bundle "$BUNDLE" "$CID" 3<"$BUNDLE/f3"
  assert_success
  [ "${lines[0]}" = "LISTEN_FDS=1 LISTEN_PID=1" ]
  [ "${lines[1]}" = activated ]
}

@test "LISTEN_FDS for another pid is ignored" {
  echo not-for-us >"$BUNDLE/f3"
  set_args ls /proc/self/fd
  ward_capture env LISTEN_PID=1 LISTEN_FDS=1 "$WARD_BIN" --root "$ROOT" run --bundle "$BUNDLE" "$CID" 3<"$BUNDLE/f3"
  assert_success
  [ "$(fd_list)" = "0 1 2 3" ] || fail "fds in the container: $(fd_list)"
}

@test "the waiting init of a created container holds no inheritable host fd" {
  set_args sleep 100
  ward_run create --bundle "$BUNDLE" "$CID" 5</dev/null 7<"$ROOTFS/etc/passwd"
  assert_success
  local pid fd flags bad=""
  pid="$(container_pid "$CID")"
  for fd in "/proc/$pid/fd"/*; do
    fd="${fd##*/}"
    [ "$fd" -le 2 ] && continue
    flags="$(awk '/^flags:/ {print $2}' "/proc/$pid/fdinfo/$fd" 2>/dev/null)" || continue
    [ -n "$flags" ] || continue
    # O_CLOEXEC is 02000000: such an fd closes when the process execs
    if [ $((8#$flags & 8#2000000)) -eq 0 ]; then
      bad+=" $fd->$(readlink "/proc/$pid/fd/$fd")"
    fi
  done
  [ -z "$bad" ] || fail "fds that would survive exec:$bad"
}
