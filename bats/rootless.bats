#!/usr/bin/env bats
# Rootless: an unprivileged user made for this file runs containers in a
# user namespace (single mapping written directly, several through
# newuidmap/newgidmap and /etc/subuid, /etc/subgid).

load helpers_rootless

setup_file() { rl_user_create ward-rl 400000; }
teardown_file() { rl_user_remove; }

setup() {
  rl_test_setup wt-rootless
}

teardown() { rl_test_teardown; }

rl_set_script() {
  set_script "$1"
  chown "$RL_USER:$RL_USER" "$BUNDLE/config.json"
}

norm_map() { awk '{print $1, $2, $3}'; }

@test "rootless run: uid 0 inside maps to the user outside" {
  rl_set_script 'id -u; id -g; cat /proc/self/uid_map; cat /proc/self/gid_map; touch /owned && stat -c %u /owned'
  rl_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = 0 ]
  [ "${lines[1]}" = 0 ]
  [ "$(norm_map <<<"${lines[2]}")" = "0 $RL_UID 1" ]
  [ "$(norm_map <<<"${lines[3]}")" = "0 $RL_GID 1" ]
  [ "${lines[4]}" = 0 ]
  # the file the container's root made belongs to the user on the host
  [ "$(stat -c %u "$ROOTFS/owned")" = "$RL_UID" ]
}

@test "rootless create / start / state / kill / delete" {
  rl_update_config '.process.args = ["sleep", "100"]'
  rl_run create --bundle "$BUNDLE" "$CID"
  assert_success
  rl_run state "$CID"
  assert_success
  jq -e '.status == "created"' <<<"$stdout"
  local pid
  pid="$(jq -r .pid <<<"$stdout")"
  # on the host the init runs as the user
  [ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = "$RL_UID" ]
  [ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ]
  rl_run start "$CID"
  assert_success
  rl_run state "$CID"
  jq -e '.status == "running"' <<<"$stdout"
  rl_run list -q
  assert_success
  [ "$stdout" = "$CID" ]
  rl_run kill "$CID" KILL
  assert_success
  wait_for 50 0.1 pid_gone "$pid"
  rl_run delete "$CID"
  assert_success
  rl_run state "$CID"
  [ "$status" -ne 0 ]
  [ ! -e "$ROOT/$CID" ]
}

@test "rootless with several mapping ranges through newuidmap/newgidmap" {
  requires newuidmap
  [ -n "$RL_SUBUID" ] && [ -n "$RL_SUBGID" ] || skip "no subordinate ids for $RL_USER"
  rl_update_config '.linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1}, {"containerID": 1, "hostID": $su, "size": 65536}]
      | .linux.gidMappings = [{"containerID": 0, "hostID": $g, "size": 1}, {"containerID": 1, "hostID": $sg, "size": 65536}]
      | .process.user = {"uid": 1000, "gid": 1000}
      | .process.args = ["sleep", "100"]' \
    --argjson u "$RL_UID" --argjson g "$RL_GID" --argjson su "$RL_SUBUID" --argjson sg "$RL_SUBGID"
  rl_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  local pid
  pid="$(jq -r .pid <<<"$(as_user "$WARD_BIN" --root "$ROOT" state "$CID")")"
  [ "$(norm_map <"/proc/$pid/uid_map" | sort -n)" = "$(printf '0 %s 1\n1 %s 65536' "$RL_UID" "$RL_SUBUID")" ]
  [ "$(norm_map <"/proc/$pid/gid_map" | sort -n)" = "$(printf '0 %s 1\n1 %s 65536' "$RL_GID" "$RL_SUBGID")" ]
  # container uid 1000 is subuid + 999 on the host
  [ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = "$((RL_SUBUID + 999))" ]
  [ "$(awk '/^Gid:/ {print $2}' "/proc/$pid/status")" = "$((RL_SUBGID + 999))" ]
}

@test "rootless with a network namespace: only lo" {
  rl_update_config '.linux.namespaces += [{"type": "network"}]'
  rl_set_script 'ip -o link show | wc -l; readlink /proc/self/ns/net'
  rl_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" -eq 1 ]
  [ "${lines[1]}" != "$(readlink /proc/self/ns/net)" ]
}

@test "rootless: the user cannot map ids it does not own" {
  rl_update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]
      | .linux.gidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]'
  rl_run run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  [ ! -e "$ROOT/$CID" ]
}

@test "rootless: errors use the same one-line format" {
  rl_run state "$CID-nope"
  assert_error "container \"$CID-nope\" does not exist"
}
