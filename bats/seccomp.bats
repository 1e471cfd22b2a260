#!/usr/bin/env bats
# linux.seccomp: ERRNO, errnoRet, KILL, and filters for non-root users.

load helpers

ARCHES='["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]'

# seccomp_rule ACTION ERRNO|"" SYSCALL...: allow everything but SYSCALL...
seccomp_rule() {
  local action="$1" errno="$2"
  shift 2
  local names
  names="$(printf '%s\n' "$@" | jq -R . | jq -s .)"
  local rule
  if [ -n "$errno" ]; then
    rule="$(jq -n --argjson n "$names" --arg a "$action" --argjson e "$errno" '{names: $n, action: $a, errnoRet: $e}')"
  else
    rule="$(jq -n --argjson n "$names" --arg a "$action" '{names: $n, action: $a}')"
  fi
  update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: $arches, syscalls: [$r]}' \
    --argjson arches "$ARCHES" --argjson r "$rule"
}

@test "SCMP_ACT_ERRNO on mkdir/mkdirat makes mkdir fail with EPERM" {
  # glibc's mkdir() uses the mkdir syscall, not mkdirat: list both
  seccomp_rule SCMP_ACT_ERRNO "" mkdir mkdirat
  set_script 'mkdir /tmp/blocked 2>&1; grep Seccomp: /proc/self/status; touch /tmp/file && echo touch-ok'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains "Operation not permitted"
  grep -Eq '^Seccomp:\s+2$' <<<"$stdout"
  assert_output_contains touch-ok
  [ ! -e "$ROOTFS/tmp/blocked" ]
}

@test "without the filter mkdir works (control)" {
  update_config 'del(.linux.seccomp)'
  set_script 'mkdir /tmp/allowed && echo mkdir-ok'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" = mkdir-ok ]
  [ -d "$ROOTFS/tmp/allowed" ]
}

@test "errnoRet sets the errno returned" {
  seccomp_rule SCMP_ACT_ERRNO 13 mkdir mkdirat
  set_script 'mkdir /tmp/blocked 2>&1; true'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains "Permission denied"
  [ ! -e "$ROOTFS/tmp/blocked" ]
}

@test "SCMP_ACT_KILL kills the process with SIGSYS (exit 159)" {
  seccomp_rule SCMP_ACT_KILL "" uname
  set_args uname -a
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_status 159
  assert_no_leftovers
}

@test "a filter applies to a non-root user without no_new_privileges" {
  seccomp_rule SCMP_ACT_ERRNO "" mkdir mkdirat
  update_config '.process.user = {"uid": 1000, "gid": 1000} | .process.noNewPrivileges = false'
  set_script 'id -u; mkdir /tmp/blocked 2>&1; true'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = 1000 ]
  assert_output_contains "Operation not permitted"
}

@test "an argument condition: only the matching call is refused" {
  # kill(pid, SIGUSR1 = 10) is refused, kill(pid, SIGUSR2) is not
  update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: $arches,
      syscalls: [{names: ["kill"], action: "SCMP_ACT_ERRNO", args: [{index: 1, value: 10, op: "SCMP_CMP_EQ"}]}]}' \
    --argjson arches "$ARCHES"
  set_script 'trap "" USR1 USR2; kill -USR1 $$ 2>&1 || echo usr1-refused; kill -USR2 $$ && echo usr2-ok'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains usr1-refused
  assert_output_contains usr2-ok
}

@test "an unknown seccomp action is refused, nothing left" {
  seccomp_rule SCMP_ACT_BOGUS "" mkdir
  ward_run run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  runtime_is_ward && assert_error "SCMP_ACT_BOGUS"
  assert_no_leftovers
}
