#!/usr/bin/env bats
# CVE-2019-5736 (the runtime binary out of the container's reach) and
# CVE-2024-21626 (no host cwd or fd reaches the container).

load helpers

@test "CVE-2019-5736: the init waiting for start is not dumpable" {
  requires setpriv
  # no capabilities, so that only dumpability protects the init
  update_config '.process.user = {"uid": 1000, "gid": 1000} | .process.capabilities = {}'
  set_args sleep 100
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_success
  local pid
  pid="$(container_pid "$CID")"
  # a host process with the container user's uid cannot reach the binary
  ward_capture setpriv --reuid 1000 --regid 1000 --clear-groups cat "/proc/$pid/exe"
  [ "$status" -ne 0 ] || fail "uid 1000 could read /proc/$pid/exe"
  ward_capture setpriv --reuid 1000 --regid 1000 --clear-groups sh -c "exec 9<>/proc/$pid/exe"
  [ "$status" -ne 0 ] || fail "uid 1000 could open /proc/$pid/exe for writing"
  # the /proc files of a non-dumpable process belong to root (whatever
  # uid the init waits as)
  [ "$(stat -c %u "/proc/$pid/exe")" = 0 ]
}

@test "CVE-2019-5736: the runtime binary on disk is unchanged after a container ran" {
  local before
  before="$(sha256sum <"$WARD_BIN")"
  set_script 'for p in /proc/[0-9]*; do cat $p/exe > /dev/null 2>&1; echo x 2>/dev/null >> $p/exe; done; true'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$(sha256sum <"$WARD_BIN")" = "$before" ]
}

@test "after start the container's pid 1 is its own binary, not the runtime" {
  set_script 'readlink /proc/1/exe'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" = /bin/busybox ]
}

@test "process.cwd is applied and lies inside the container" {
  mkdir -p "$ROOTFS/work/dir"
  update_config '.process.cwd = "/work/dir"'
  set_script 'pwd; readlink /proc/self/cwd; ls -d ../dir'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = /work/dir ]
  [ "${lines[1]}" = /work/dir ]
  [ "${lines[2]}" = ../dir ]
}

@test "a relative process.cwd is refused" {
  update_config '.process.cwd = "tmp"'
  ward_run run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  runtime_is_ward && assert_error "cwd"
  assert_no_leftovers
}

@test "CVE-2024-21626: process.cwd through /proc/self/fd/N never lands on the host" {
  local n
  for n in 3 4 5 6 7 8 9 10 11 12; do
    update_config '.process.cwd = $c' --arg c "/proc/self/fd/$n"
    set_script 'echo START; pwd -P 2>&1 || echo PWD-FAILED; ls .. 2>&1 | head -n 50'
    ward_run run --bundle "$BUNDLE" "$CID" 5</dev/null 7<"$BUNDLE"
    if [ "$status" -ne 0 ] && [[ "$output" != *START* ]]; then
      continue # refused: fine
    fi
    # it ran: the cwd must be reachable from the container's root
    assert_output_not_contains PWD-FAILED
    assert_output_not_contains "(unreachable)"
    assert_output_not_contains "ward-bundle"
    assert_output_not_contains "config.json"
    assert_no_leftovers
  done
}

@test "CVE-2024-21626: no fd of the container's init points outside it" {
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID" 5<"$BUNDLE" 7</sys/fs/cgroup
  assert_success
  local pid fd target bad=""
  pid="$(container_pid "$CID")"
  for fd in "/proc/$pid/fd"/*; do
    fd="${fd##*/}"
    target="$(readlink "/proc/$pid/fd/$fd")"
    case "$target" in
    /dev/null | pipe:* | socket:* | /dev/pts/*) ;;
    "$BUNDLE"/out* | "$BATS_TEST_TMPDIR"/*) ;; # stdio files of this test
    *) bad+=" $fd->$target" ;;
    esac
  done
  [ -z "$bad" ] || fail "fds of the container process:$bad"
}
