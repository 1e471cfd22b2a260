#!/usr/bin/env bats
# linux.seccomp beyond seccomp.bats: defaultAction/defaultErrnoRet, ENOSYS for
# syscalls newer than the profile, MASKED_EQ, KILL_PROCESS/TRAP, flags (TSYNC,
# LOG), unknown syscall names, exec'd processes, and the errors for a bad
# profile (one line naming the field, nothing left behind).
#
# tests/syscall_probe.c, built static here, makes one raw syscall inside the
# container and prints "ok RET" or "errno N".

load helpers

UNISTD=/usr/include/x86_64-linux-gnu/asm/unistd_64.h

setup_file() {
  ward_setup_file
  PROBE="$BATS_FILE_TMPDIR/syscall-probe"
  if command -v gcc >/dev/null; then
    gcc -static -O2 -o "$PROBE" "$BATS_TEST_DIRNAME/../tests/syscall_probe.c" 2>/dev/null || rm -f "$PROBE"
  fi
  export PROBE
}

setup() {
  ward_setup
  [ "$(uname -m)" = x86_64 ] || skip "syscall numbers below are x86_64's"
}

needs_probe() {
  [ -x "$PROBE" ] || skip "needs gcc and a static libc to build tests/syscall_probe.c"
  cp "$PROBE" "$ROOTFS/bin/syscall-probe"
}

# All syscall names of this architecture numbered below $1, except $2...,
# as a JSON array.
names_below() {
  local max="$1"
  shift
  awk -v max="$max" '$1 == "#define" && $2 ~ /^__NR_/ && $3 + 0 < max {sub("__NR_", "", $2); print $2}' "$UNISTD" |
    grep -vxF "$(printf '%s\n' "$@")" | jq -R . | jq -sc .
}

# seccomp JSON-OBJECT: set linux.seccomp.
seccomp() {
  update_config '.linux.seccomp = $s' --argjson s "$1"
}

@test "defaultAction ERRNO with defaultErrnoRet; syscalls newer than the profile get ENOSYS" {
  needs_probe
  [ -r "$UNISTD" ] || skip "needs $UNISTD"
  local allow
  allow="$(names_below 400 mkdir mkdirat)"
  seccomp "$(jq -n --argjson n "$allow" '{defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 18,
      syscalls: [{names: $n, action: "SCMP_ACT_ALLOW"}]}')"
  # 83 mkdir and 258 mkdirat are not listed: the default (EXDEV, 18);
  # 450 is above every listed syscall: ENOSYS (38), so libc can fall back;
  # 39 getpid is allowed.
  set_script 'syscall-probe 83 /tmp/a 0755; syscall-probe 258 -100 /tmp/b 0755; syscall-probe 450 0 0 0 0; syscall-probe 39; ls /tmp | wc -l'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = "errno 18" ]
  [ "${lines[1]}" = "errno 18" ]
  [ "${lines[2]}" = "errno 38" ]
  [[ "${lines[3]}" == "ok "* ]]
  [ "${lines[4]}" = 0 ]
}

@test "without defaultErrnoRet the default ERRNO is EPERM" {
  needs_probe
  [ -r "$UNISTD" ] || skip "needs $UNISTD"
  local allow
  allow="$(names_below 400 mkdir mkdirat)"
  seccomp "$(jq -n --argjson n "$allow" '{defaultAction: "SCMP_ACT_ERRNO",
      syscalls: [{names: $n, action: "SCMP_ACT_ALLOW"}]}')"
  set_script 'syscall-probe 83 /tmp/a 0755'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" = "errno 1" ]
}

@test "an allow-all default gives no ENOSYS stub: unlisted new syscalls run" {
  needs_probe
  seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18}]}'
  # 439 faccessat2 is newer than any name in the profile, and allowed
  set_script 'syscall-probe 83 /tmp/a 0755; syscall-probe 439 -100 /bin/sh 0 0'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = "errno 18" ]
  [ "${lines[1]}" = "ok 0" ]
}

@test "MASKED_EQ: chmod with the set-uid bit is refused, other modes are not" {
  # (mode & 04000) == 04000; the mode is argument 1 of chmod, 2 of fchmodat
  seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 2048, "valueTwo": 2048, "op": "SCMP_CMP_MASKED_EQ"}]},
      {"names": ["fchmodat", "fchmodat2"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 2, "value": 2048, "valueTwo": 2048, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
  set_script 'touch /tmp/f; chmod 4755 /tmp/f 2>&1 || echo suid-refused; chmod 0750 /tmp/f && echo plain-ok; chmod 2755 /tmp/f && echo sgid-ok; stat -c %a /tmp/f'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains "Operation not permitted"
  assert_output_contains suid-refused
  assert_output_contains plain-ok
  assert_output_contains sgid-ok
  [ "${lines[-1]}" = 2755 ]
}

@test "SCMP_ACT_KILL_PROCESS and SCMP_ACT_TRAP end the caller with SIGSYS" {
  needs_probe
  # (not busybox: its sh calls uname itself at start-up)
  set_args /bin/syscall-probe 39
  seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["uname"], "action": "SCMP_ACT_KILL_PROCESS"}]}'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [[ "$stdout" == "ok "* ]]
  # 63 uname: SIGSYS, 128 + 31
  set_args /bin/syscall-probe 63 0
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_status 159
  [ -z "$stdout" ]
  seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["uname"], "action": "SCMP_ACT_TRAP"}]}'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_status 159
  assert_no_leftovers
}

@test "flags TSYNC and LOG: the filter works, LOG records ERRNO actions in the audit log" {
  needs_probe
  command -v dmesg >/dev/null || skip "needs dmesg"
  local tag="sp$RANDOM$RANDOM"
  tag="${tag:0:12}"
  cp "$PROBE" "$ROOTFS/bin/$tag"
  # 39 getpid under SCMP_ACT_LOG is always logged: the control that audit
  # records reach dmesg here; 83 mkdir under ERRNO is logged only with LOG.
  seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG"],
      "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}, {"names": ["getpid"], "action": "SCMP_ACT_LOG"}]}'
  set_script "$tag 83 /tmp/x 0755; $tag 39; grep -E '^Seccomp(_filters)?:' /proc/self/status"
  local before
  before="$(dmesg | wc -l)"
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = "errno 1" ]
  [[ "${lines[1]}" == "ok "* ]]
  grep -Eq '^Seccomp:\s+2$' <<<"$stdout"
  local log
  log="$(dmesg | tail -n +"$((before + 1))" | grep "comm=\"$tag\"" || true)"
  if ! grep -q 'syscall=39 ' <<<"$log"; then
    skip "seccomp audit records do not reach the kernel log here"
  fi
  grep -q 'syscall=83 .*code=0x50000' <<<"$log" || fail "no audit record of the ERRNO action: $log"

  # control: without the LOG flag the ERRNO action is not logged
  seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "flags": [],
      "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}, {"names": ["getpid"], "action": "SCMP_ACT_LOG"}]}'
  before="$(dmesg | wc -l)"
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = "errno 1" ]
  log="$(dmesg | tail -n +"$((before + 1))" | grep "comm=\"$tag\"" || true)"
  grep -q 'syscall=39 ' <<<"$log" || skip "audit records lost (rate limit)"
  ! grep -q 'syscall=83 ' <<<"$log" || fail "ERRNO logged without the LOG flag: $log"
}

@test "unknown syscall names are ignored; the known ones still apply" {
  seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["no_such_syscall_ever", "mkdir", "mkdirat", "another_unknown"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}'
  set_script 'mkdir /tmp/d 2>&1; touch /tmp/f && echo touch-ok'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains "Permission denied"
  assert_output_contains touch-ok
  [ ! -e "$ROOTFS/tmp/d" ]
}

@test "a process started by exec gets the container's filter too" {
  seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18}]}'
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  ward_run exec "$CID" sh -c 'mkdir /tmp/e 2>&1; grep -E "^Seccomp:" /proc/self/status'
  assert_success
  assert_output_contains "Invalid cross-device link"
  grep -Eq '^Seccomp:\s+2$' <<<"$stdout"
  [ ! -e "$ROOTFS/tmp/e" ]
}

@test "the filter holds with no_new_privileges and a non-root user" {
  seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18}]}'
  update_config '.process.noNewPrivileges = true | .process.user = {"uid": 1000, "gid": 1000}'
  set_script 'id -u; grep -E "^NoNewPrivs:" /proc/self/status; mkdir /tmp/n 2>&1; true'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = 1000 ]
  grep -Eq '^NoNewPrivs:\s+1$' <<<"$stdout"
  assert_output_contains "Invalid cross-device link"
}

# bad_profile JSON [FIELD] MESSAGE: create fails with one line naming FIELD
# (a config.json path) and containing MESSAGE, leaving nothing.
bad_profile() {
  local field="" msg
  if [ $# -eq 3 ]; then field="$2"; fi
  msg="${*: -1}"
  seccomp "$1"
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_error "$msg"
  [ -z "$field" ] || [[ "$stderr" == *"config.json"*"$field"* ]] || fail "the error does not name $field"
  assert_no_leftovers
}

@test "a bad profile: one line naming the field, nothing left behind" {
  skip_on_runc "ward's messages"
  bad_profile '{"defaultAction": "SCMP_ACT_SOMETIMES"}' \
    linux.seccomp.defaultAction '"SCMP_ACT_SOMETIMES"'
  bad_profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}, {"names": ["mkdir"], "action": "SCMP_ACT_BOGUS"}]}' \
    'linux.seccomp.syscalls[1].action' '"SCMP_ACT_BOGUS"'
  bad_profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ALLOW", "errnoRet": 5}]}' \
    'config.json: linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_ALLOW takes no errno'
  bad_profile '{"defaultAction": "SCMP_ACT_KILL", "defaultErrnoRet": 5}' \
    'config.json: linux.seccomp.defaultErrnoRet: SCMP_ACT_KILL takes no errno'
  bad_profile '{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_PDP11"]}' \
    'linux.seccomp.architectures' '"SCMP_ARCH_PDP11"'
  bad_profile '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_FAST"]}' \
    'linux.seccomp.flags' '"SECCOMP_FILTER_FLAG_FAST"'
  bad_profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 1, "op": "SCMP_CMP_ABOUT"}]}]}' \
    'linux.seccomp.syscalls[0].args[0].op' '"SCMP_CMP_ABOUT"'
  bad_profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}' \
    'config.json: linux.seccomp.syscalls[0].args[0].index: 6 is out of range'
  bad_profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": [], "action": "SCMP_ACT_ERRNO"}]}' \
    'config.json: linux.seccomp.syscalls[0].names:'
  bad_profile '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]}' \
    'config.json: linux.seccomp.flags[0]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs SCMP_ACT_NOTIFY'
}

@test "a bad action also fails run, leaving nothing" {
  seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOPE"}]}'
  ward_run run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  runtime_is_ward && assert_error "linux.seccomp.syscalls[0].action"
  assert_no_leftovers
  ward_run state "$CID"
  [ "$status" -ne 0 ]
}
