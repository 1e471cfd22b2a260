#!/usr/bin/env bats
# SELinux (process.selinuxLabel, linux.mountLabel) and AppArmor
# (process.apparmorProfile), and the exec flags --process-label, --apparmor
# and --cap.  What a host without SELinux/AppArmor does (refuse the process
# label and any AppArmor profile but "unconfined", ignore the mount label) is
# tested here; what an SELinux or AppArmor host does, where there is one.

load helpers

selinux_on() { [ -e /sys/fs/selinux/enforce ]; }
apparmor_on() {
  [ -d /sys/kernel/security/apparmor ] &&
    [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]
}

LABEL="system_u:system_r:container_t:s0:c100,c200"
MOUNT_LABEL="system_u:object_r:container_file_t:s0:c100,c200"

@test "selinuxLabel without SELinux on the host: refused at create, nothing left" {
  selinux_on && skip "SELinux is enabled here"
  update_config '.process.selinuxLabel = $l' --arg l "$LABEL"
  ward_run create --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  runtime_is_ward && assert_error "config.json: process.selinuxLabel: SELinux is not enabled on this host"
  assert_no_leftovers
}

@test "mountLabel without SELinux on the host: ignored, mounts carry no context" {
  selinux_on && skip "SELinux is enabled here"
  skip_on_runc "runc 1.1 passes context= anyway and its /dev mount fails"
  update_config '.linux.mountLabel = $l' --arg l "$MOUNT_LABEL"
  set_script 'grep -c "context=" /proc/self/mountinfo; grep -E " /dev (tmpfs|devtmpfs) " /proc/self/mountinfo | wc -l; echo ran'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = 0 ]
  [ "${lines[-1]}" = ran ]
}

@test "SELinux host: the process runs with selinuxLabel, tmpfs mounts with mountLabel" {
  selinux_on || skip "SELinux is not enabled here"
  update_config '.process.selinuxLabel = $l | .linux.mountLabel = $m' --arg l "$LABEL" --arg m "$MOUNT_LABEL"
  set_script 'cat /proc/self/attr/current; echo; grep " /dev " /proc/self/mountinfo'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = "$LABEL" ]
  assert_output_contains "context=\"$MOUNT_LABEL\""
}

@test "apparmorProfile without AppArmor on the host: refused at create, nothing left" {
  apparmor_on && skip "AppArmor is enabled here"
  update_config '.process.apparmorProfile = "ward-test-profile"'
  ward_run create --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  runtime_is_ward && assert_error 'config.json: process.apparmorProfile: AppArmor profile "ward-test-profile" given but AppArmor is not enabled on this host'
  assert_no_leftovers
}

@test "apparmorProfile \"unconfined\" without AppArmor: accepted, the container runs" {
  apparmor_on && skip "AppArmor is enabled here"
  skip_on_runc "runc fails writing /proc/self/attr/exec"
  update_config '.process.apparmorProfile = "unconfined"'
  set_script 'echo ran'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" = ran ]
}

@test "AppArmor host: the process runs confined by apparmorProfile" {
  apparmor_on || skip "AppArmor is not enabled here"
  grep -q '^docker-default ' /sys/kernel/security/apparmor/profiles 2>/dev/null ||
    skip "no loaded profile to test with"
  update_config '.process.apparmorProfile = "docker-default"'
  set_script 'cat /proc/self/attr/current'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains docker-default
}

@test "exec --process-label / --apparmor where the host lacks them: one line, no process" {
  skip_on_runc "ward's messages"
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  if ! selinux_on; then
    ward_run exec --process-label "$LABEL" "$CID" touch /tmp/should-not-exist
    assert_error "exec: --process-label: SELinux is not enabled on this host"
  fi
  if ! apparmor_on; then
    ward_run exec --apparmor ward-test-profile "$CID" touch /tmp/should-not-exist
    assert_error 'exec: --apparmor: AppArmor profile "ward-test-profile" given but AppArmor is not enabled on this host'
    ward_run exec --apparmor unconfined "$CID" true
    assert_success
  fi
  [ ! -e "$ROOTFS/tmp/should-not-exist" ]
}

@test "exec --process with a label the host cannot apply: one line" {
  selinux_on && skip "SELinux is enabled here"
  skip_on_runc "ward's messages"
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  jq -n --arg l "$LABEL" '{cwd: "/", args: ["touch", "/tmp/should-not-exist"], user: {uid: 0, gid: 0}, selinuxLabel: $l}' >"$HOST_TMP/process.json"
  ward_run exec --process "$HOST_TMP/process.json" "$CID"
  assert_error "process.selinuxLabel: SELinux is not enabled on this host"
  [ ! -e "$ROOTFS/tmp/should-not-exist" ]
}

@test "exec --cap: an unknown name is one clear line; a known one is granted" {
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  ward_run exec --cap CAP_FOO "$CID" true
  [ "$status" -ne 0 ]
  runtime_is_ward && assert_error 'exec: --cap: unknown capability "CAP_FOO"'
  ward_run exec --cap CAP_NET_ADMIN "$CID" sh -c 'grep -E "^Cap(Eff|Bnd):" /proc/self/status'
  assert_success
  local eff bnd
  eff="$(awk '$1 == "CapEff:" {print $2}' <<<"$stdout")"
  bnd="$(awk '$1 == "CapBnd:" {print $2}' <<<"$stdout")"
  # CAP_NET_ADMIN is bit 12
  (((16#$eff >> 12) & 1)) || fail "CAP_NET_ADMIN not effective: $eff"
  (((16#$bnd >> 12) & 1)) || fail "CAP_NET_ADMIN not in the bounding set: $bnd"
  # and the container's own process did not get it
  local pid
  pid="$(container_pid "$CID")"
  local init_eff
  init_eff="$(awk '$1 == "CapEff:" {print $2}' "/proc/$pid/status")"
  ((((16#$init_eff >> 12) & 1) == 0)) ||
    fail "the init gained CAP_NET_ADMIN"
}
