#!/usr/bin/env bats
# process: user, additionalGids, umask, rlimits, noNewPrivileges,
# oomScoreAdj, personality, ioPriority, scheduler.

load helpers

status_field() {
  # the values after "Name:", single-space separated
  awk -v f="$1:" '$1 == f {$1 = ""; print substr($0, 2)}' <<<"$stdout"
}

@test "user: uid and gid" {
  update_config '.process.user = {"uid": 1000, "gid": 1000}'
  set_script 'id -u; id -g; cat /proc/self/status'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = 1000 ]
  [ "${lines[1]}" = 1000 ]
  [ "$(status_field Uid)" = "1000 1000 1000 1000" ]
  [ "$(status_field Gid)" = "1000 1000 1000 1000" ]
}

@test "user: additionalGids become the supplementary groups" {
  update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [10, 20, 4242]}'
  set_args cat /proc/self/status
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  local groups
  groups=" $(status_field Groups) "
  for g in 10 20 4242; do
    [[ "$groups" == *" $g "* ]] || fail "group $g missing from Groups:$groups"
  done
}

@test "user: no additionalGids, no supplementary groups inherited from the runtime" {
  update_config '.process.user = {"uid": 1000, "gid": 1000}'
  set_args cat /proc/self/status
  # the runtime's own supplementary groups must not leak in
  ward_capture setpriv --groups 4,27 "$WARD_BIN" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
  assert_success
  local groups
  groups=" $(status_field Groups) "
  [[ "$groups" != *" 4 "* ]] && [[ "$groups" != *" 27 "* ]] || fail "inherited groups:$groups"
}

@test "user: umask" {
  update_config '.process.user.umask = 63'
  set_script 'umask; touch /tmp/f; stat -c %a /tmp/f; grep Umask /proc/self/status'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = 0077 ]
  [ "${lines[1]}" = 600 ]
}

@test "user: default umask is 0022" {
  update_config 'del(.process.user.umask)'
  set_args sh -c umask
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" = 0022 ]
}

@test "rlimits: soft and hard limits are applied" {
  # stay below 20000 open files: root lacks CAP_SYS_RESOURCE on this host
  update_config '.process.rlimits = [
      {"type": "RLIMIT_NOFILE", "soft": 1111, "hard": 2222},
      {"type": "RLIMIT_CORE", "soft": 0, "hard": 4096},
      {"type": "RLIMIT_MSGQUEUE", "soft": 8192, "hard": 16384}]'
  set_script 'ulimit -Sn; ulimit -Hn; cat /proc/self/limits'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = 1111 ]
  [ "${lines[1]}" = 2222 ]
  grep -Eq '^Max open files +1111 +2222 ' <<<"$stdout"
  grep -Eq '^Max core file size +0 +4096 ' <<<"$stdout"
  grep -Eq '^Max msgqueue size +8192 +16384 ' <<<"$stdout"
}

@test "rlimits: an unknown type is refused" {
  update_config '.process.rlimits = [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_error "RLIMIT_BOGUS"
  assert_no_leftovers
}

@test "noNewPrivileges true sets NoNewPrivs" {
  update_config '.process.noNewPrivileges = true'
  set_args cat /proc/self/status
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$(status_field NoNewPrivs)" = 1 ]
}

@test "noNewPrivileges false leaves NoNewPrivs off" {
  update_config '.process.noNewPrivileges = false'
  set_args cat /proc/self/status
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$(status_field NoNewPrivs)" = 0 ]
}

@test "oomScoreAdj is applied" {
  update_config '.process.oomScoreAdj = 345'
  set_args cat /proc/self/oom_score_adj
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" = 345 ]
}

@test "oomScoreAdj: the runtime's own score is not changed" {
  local before
  before="$(cat /proc/self/oom_score_adj)"
  update_config '.process.oomScoreAdj = 500'
  set_args true
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$(cat /proc/self/oom_score_adj)" = "$before" ]
}

@test "personality LINUX32 makes uname -m report i686" {
  skip_on_runc "runc 1.1 has no personality support"
  update_config '.linux.personality = {"domain": "LINUX32"}'
  set_args uname -m
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" = i686 ]
}

@test "ioPriority is applied" {
  skip_on_runc "runc 1.1 has no ioPriority support"
  update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
  set_args ionice
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" = "best-effort: prio 6" ]
}

@test "scheduler: SCHED_BATCH with a nice value" {
  skip_on_runc "runc 1.1 has no scheduler support"
  update_config '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 5}'
  set_args cat /proc/self/sched /proc/self/stat
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  # policy 3 is SCHED_BATCH
  grep -Eq '^policy +: +3$' <<<"$stdout"
  # field 19 of /proc/PID/stat is the nice value
  [ "$(tail -n 1 <<<"$stdout" | sed 's/.*) //' | awk '{print $17}')" = 5 ]
}

# A static probe printing the serial of the caller's session keyring.
build_keyring_probe() {
  command -v gcc >/dev/null || skip "needs gcc to build a static probe"
  cat >"$HOST_TMP/ses.c" <<'C'
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
int main (void)
{
  long id = syscall (SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */,
                     -3 /* KEY_SPEC_SESSION_KEYRING */, 0);
  printf ("%ld\n", id);
  return id < 0;
}
C
  gcc -static -O1 -o "$ROOTFS/bin/sesprobe" "$HOST_TMP/ses.c" || skip "no static libc"
}

@test "session keyring: a new one per container" {
  build_keyring_probe
  local host
  host="$("$ROOTFS/bin/sesprobe")"
  set_args /bin/sesprobe
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" -gt 0 ]
  [ "$stdout" != "$host" ] || fail "the container shares the caller's session keyring"
}

@test "--no-new-keyring: the caller's session keyring" {
  build_keyring_probe
  local host
  host="$("$ROOTFS/bin/sesprobe")"
  set_args /bin/sesprobe
  ward_run run --no-new-keyring --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" = "$host" ]
}
