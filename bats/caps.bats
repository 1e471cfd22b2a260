#!/usr/bin/env bats
# Capabilities: the five sets as /proc/self/status shows them, and their effect.

load helpers

# Bit numbers (linux/capability.h).
declare -gA CAPBIT=(
  [CAP_CHOWN]=0 [CAP_DAC_OVERRIDE]=1 [CAP_FOWNER]=3 [CAP_KILL]=5 [CAP_SETGID]=6
  [CAP_SETUID]=7 [CAP_NET_BIND_SERVICE]=10 [CAP_NET_RAW]=13 [CAP_SYS_CHROOT]=18
  [CAP_AUDIT_WRITE]=29
)

mask() {
  local m=0 c
  for c in "$@"; do
    m=$((m | (1 << ${CAPBIT[$c]})))
  done
  printf '%016x' "$m"
}

capline() { awk -v f="$1:" '$1 == f {print $2}' <<<"$stdout"; }

# set_caps BOUNDING EFFECTIVE PERMITTED INHERITABLE AMBIENT (space-separated names)
set_caps() {
  local j
  j="$(jq -n --arg b "$1" --arg e "$2" --arg p "$3" --arg i "$4" --arg a "$5" '
    def l(s): s | split(" ") | map(select(length > 0));
    {bounding: l($b), effective: l($e), permitted: l($p), inheritable: l($i), ambient: l($a)}')"
  update_config '.process.capabilities = $c' --argjson c "$j"
}

@test "root: CapBnd/CapEff/CapPrm/CapInh/CapAmb match the configured sets" {
  local X="CAP_CHOWN CAP_DAC_OVERRIDE CAP_KILL CAP_NET_BIND_SERVICE CAP_SETUID CAP_SETGID"
  local Y="CAP_KILL CAP_NET_BIND_SERVICE"
  set_caps "$X" "$X" "$X" "$Y" "$Y"
  set_args cat /proc/self/status
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  # shellcheck disable=SC2086
  {
    [ "$(capline CapBnd)" = "$(mask $X)" ]
    [ "$(capline CapEff)" = "$(mask $X)" ]
    [ "$(capline CapPrm)" = "$(mask $X)" ]
    [ "$(capline CapInh)" = "$(mask $Y)" ]
    [ "$(capline CapAmb)" = "$(mask $Y)" ]
  }
}

@test "non-root user: ambient capabilities survive exec" {
  local X="CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE CAP_NET_RAW"
  local Y="CAP_NET_BIND_SERVICE CAP_NET_RAW"
  set_caps "$X" "$Y" "$Y" "$Y" "$Y"
  update_config '.process.user = {"uid": 1000, "gid": 1000}'
  set_args cat /proc/self/status
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  # shellcheck disable=SC2086
  {
    [ "$(capline CapBnd)" = "$(mask $X)" ]
    [ "$(capline CapEff)" = "$(mask $Y)" ]
    [ "$(capline CapPrm)" = "$(mask $Y)" ]
    [ "$(capline CapInh)" = "$(mask $Y)" ]
    [ "$(capline CapAmb)" = "$(mask $Y)" ]
  }
}

@test "non-root user without ambient: no effective capabilities" {
  local X="CAP_CHOWN CAP_KILL"
  set_caps "$X" "$X" "$X" "" ""
  update_config '.process.user = {"uid": 1000, "gid": 1000}'
  set_args cat /proc/self/status
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$(capline CapEff)" = 0000000000000000 ]
  [ "$(capline CapPrm)" = 0000000000000000 ]
  [ "$(capline CapBnd)" = "$(mask $X)" ]
}

@test "empty sets: root has no capabilities at all" {
  set_caps "" "" "" "" ""
  set_args cat /proc/self/status
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  for s in CapBnd CapEff CapPrm CapInh CapAmb; do
    [ "$(capline "$s")" = 0000000000000000 ] || fail "$s is $(capline "$s")"
  done
}

@test "without CAP_CHOWN root cannot chown, with it it can" {
  set_caps "CAP_KILL" "CAP_KILL" "CAP_KILL" "" ""
  set_script 'touch /tmp/f; chown 1000 /tmp/f 2>&1 && echo chowned || echo refused'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains refused
  assert_output_contains "Operation not permitted"
  set_caps "CAP_CHOWN" "CAP_CHOWN" "CAP_CHOWN" "" ""
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains chowned
  [ "$(stat -c %u "$ROOTFS/tmp/f")" = 1000 ]
}

@test "a dropped bounding capability cannot be regained by a setuid-root exec" {
  set_caps "CAP_KILL" "CAP_KILL" "CAP_KILL" "" ""
  update_config '.process.user = {"uid": 1000, "gid": 1000} | .process.noNewPrivileges = false'
  set_args cat /proc/self/status
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$(capline CapBnd)" = "$(mask CAP_KILL)" ]
}
