#!/usr/bin/env bats
# User namespaces as root: uid/gid mappings written by the runtime.

load helpers

setup() {
  ward_setup
  requires userns
  add_namespace user
}

norm_map() { awk '{print $1, $2, $3}'; }

@test "uid_map and gid_map hold the configured mapping" {
  update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
  set_script 'cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --; id -u; id -g'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$(printf '%s\n' "${lines[0]}" | norm_map)" = "0 100000 65536" ]
  [ "${lines[1]}" = -- ]
  [ "$(printf '%s\n' "${lines[2]}" | norm_map)" = "0 200000 65536" ]
  [ "${lines[4]}" = 0 ]
  [ "${lines[5]}" = 0 ]
}

@test "container root is an unprivileged uid on the host" {
  update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  local pid
  pid="$(container_pid "$CID")"
  [ "$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$pid/status")" = "100000 100000 100000 100000" ]
  [ "$(awk '/^Gid:/ {print $2, $3, $4, $5}' "/proc/$pid/status")" = "100000 100000 100000 100000" ]
}

@test "several mapping ranges" {
  update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 1000}, {"containerID": 1000, "hostID": 300000, "size": 1000}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 1000}, {"containerID": 1000, "hostID": 300000, "size": 1000}]
    | .process.user = {"uid": 1000, "gid": 1000}'
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  local pid
  pid="$(container_pid "$CID")"
  [ "$(norm_map <"/proc/$pid/uid_map" | sort)" = "$(printf '0 100000 1000\n1000 300000 1000\n')" ]
  [ "$(norm_map <"/proc/$pid/gid_map" | sort)" = "$(printf '0 100000 1000\n1000 300000 1000\n')" ]
  # the host sees container uid 1000 as 300000
  [ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = 300000 ]
  [ "$(awk '/^Gid:/ {print $2}' "/proc/$pid/status")" = 300000 ]
}

@test "a container uid outside the mapping is refused" {
  update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 10}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 10}]
    | .process.user = {"uid": 1000, "gid": 0}'
  ward_run run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  assert_no_leftovers
}

@test "files owned by host root appear as nobody in the user namespace" {
  update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  set_script 'stat -c "%u %g" /bin/busybox; touch /etc/x 2>&1 || echo denied'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = "65534 65534" ]
  assert_output_contains denied
  [ ! -e "$ROOTFS/etc/x" ]
}
