#!/usr/bin/env bats
# cgroupsPath: the init is placed on every hierarchy, and removed on delete.

load helpers

setup() {
  ward_setup
  CG="/$CID-cg"
  update_config '.linux.cgroupsPath = $p' --arg p "$CG"
}

@test "the init's /proc/PID/cgroup shows cgroupsPath on every hierarchy" {
  set_args sleep 100
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_success
  local pid l n=0
  pid="$(container_pid "$CID")"
  cat "/proc/$pid/cgroup"
  while IFS= read -r l; do
    n=$((n + 1))
    [[ "$l" == *":$CG" ]] || fail "not in $CG: $l"
  done <"/proc/$pid/cgroup"
  [ "$n" -eq "$(wc -l </proc/self/cgroup)" ]
}

@test "the init is in cgroup.procs of the v1 controllers and of the unified tree" {
  requires cgroup_v1
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  local pid c
  pid="$(container_pid "$CID")"
  for c in pids memory cpu devices freezer; do
    [ -d "/sys/fs/cgroup/$c" ] || continue
    grep -qx "$pid" "/sys/fs/cgroup/$c$CG/cgroup.procs" || fail "$pid not in /sys/fs/cgroup/$c$CG"
  done
  if [ -d /sys/fs/cgroup/unified ]; then
    grep -qx "$pid" "/sys/fs/cgroup/unified$CG/cgroup.procs" || fail "$pid not in the unified tree"
  fi
}

@test "child processes stay in the container's cgroup" {
  set_script 'sleep 100 & echo $! > /child; wait'
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  wait_for 50 0.1 test -s "$ROOTFS/child"
  local pids
  pids="$(cat "/sys/fs/cgroup/pids$CG/cgroup.procs" 2>/dev/null || cat "/sys/fs/cgroup/unified$CG/cgroup.procs")"
  [ "$(wc -w <<<"$pids")" -eq 2 ] || fail "expected init + child in $CG, got: $pids"
}

@test "delete removes the cgroup directories on every hierarchy" {
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  [ -n "$(find /sys/fs/cgroup -maxdepth 3 -type d -name "${CG#/}")" ]
  ward_run delete --force "$CID"
  assert_success
  local left
  left="$(find /sys/fs/cgroup -maxdepth 8 -type d -name "${CG#/}")"
  [ -z "$left" ] || fail "left: $left"
}

@test "a nested cgroupsPath creates the parents" {
  local parent="$CID-parent"
  update_config '.linux.cgroupsPath = $p' --arg p "/$parent/child"
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  local pid
  pid="$(container_pid "$CID")"
  grep -q ":/$parent/child\$" "/proc/$pid/cgroup"
  ward_run delete --force "$CID"
  assert_success
  [ -z "$(find /sys/fs/cgroup -maxdepth 8 -type d -path "*/$parent/child")" ]
  # parents the runtime created may stay (runc leaves them): remove them here
  find /sys/fs/cgroup -maxdepth 3 -type d -name "$parent" -exec rmdir {} + 2>/dev/null || true
}

@test "the runtime process itself is not left in the container's cgroup" {
  set_args true
  ward_run run --keep --bundle "$BUNDLE" "$CID"
  assert_success
  # nothing runs any more in the stopped container's cgroup
  local f procs=""
  for f in /sys/fs/cgroup/*"$CG"/cgroup.procs; do
    [ -f "$f" ] && procs+="$(cat "$f")"
  done
  [ -z "$procs" ] || fail "processes still in $CG: $procs"
}

@test "--cgroup-manager disabled: no cgroup is made, the init stays in the caller's" {
  set_args sleep 100
  ward_run --cgroup-manager disabled run -d --bundle "$BUNDLE" "$CID"
  assert_success
  local pid
  pid="$(container_pid "$CID")"
  diff <(cut -d: -f3 /proc/self/cgroup) <(cut -d: -f3 "/proc/$pid/cgroup") || fail "the init was moved"
  local d
  for d in /sys/fs/cgroup/*/; do
    [ ! -e "$d${CG#/}" ] || fail "cgroup made: $d${CG#/}"
  done
}

@test "--cgroup-manager with an unknown value: one line naming it" {
  ward_run --cgroup-manager bogus run --bundle "$BUNDLE" "$CID"
  assert_error "--cgroup-manager"
  assert_no_leftovers
}
