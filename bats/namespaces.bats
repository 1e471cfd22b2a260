#!/usr/bin/env bats
# Namespaces: new ones differ from the host's, unlisted ones are shared,
# existing ones are joined by path.

load helpers

host_ns() { readlink "/proc/self/ns/$1"; }

# Print "TYPE LINK" for each namespace file inside the container.
ns_script() {
  set_script 'for n in pid net ipc uts mnt cgroup time user; do [ -e /proc/self/ns/$n ] && echo "$n $(readlink /proc/self/ns/$n)"; done; true'
}

ns_in_container() {
  awk -v n="$1" '$1 == n {print $2}' <<<"$stdout"
}

@test "pid, net, ipc, uts, mnt, cgroup namespaces differ from the host's" {
  requires cgroupns
  set_namespaces pid network ipc uts mount cgroup
  ns_script
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  for n in pid net ipc uts mnt cgroup; do
    local c
    c="$(ns_in_container "$n")"
    [ -n "$c" ] || fail "no $n namespace link in the container"
    [ "$c" != "$(host_ns "$n")" ] || fail "$n namespace is the host's ($c)"
  done
  # not asked for: shared with the host
  [ "$(ns_in_container user)" = "$(host_ns user)" ]
}

@test "namespaces not in config.json are the host's" {
  set_namespaces pid mount
  update_config 'del(.hostname) | del(.domainname)'
  ns_script
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  for n in net ipc uts; do
    [ "$(ns_in_container "$n")" = "$(host_ns "$n")" ] || fail "$n namespace should be the host's"
  done
  [ "$(ns_in_container pid)" != "$(host_ns pid)" ]
  [ "$(ns_in_container mnt)" != "$(host_ns mnt)" ]
}

@test "pid namespace: the process is pid 1 and sees only its own processes" {
  set_script 'echo "pid=$$"; ls -d /proc/[0-9]* | wc -l'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = "pid=1" ]
  # sh and ls (and maybe wc): a handful, not the host's processes
  [ "${lines[1]}" -le 4 ]
}

@test "user namespace differs from the host's" {
  requires userns
  add_namespace user
  update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  ns_script
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$(ns_in_container user)" != "$(host_ns user)" ]
}

@test "time namespace differs from the host's and applies timeOffsets" {
  requires timens
  skip_on_runc "runc 1.1 has no time namespace support"
  add_namespace time
  update_config '.linux.timeOffsets = {"boottime": {"secs": 86400000, "nanosecs": 0}, "monotonic": {"secs": 86400000, "nanosecs": 0}}'
  set_script 'echo "time $(readlink /proc/self/ns/time)"; cut -d. -f1 /proc/uptime'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$(awk '$1 == "time" {print $2}' <<<"$stdout")" != "$(host_ns time)" ]
  # boottime moved forward by 1000 days
  [ "${lines[1]}" -ge 86400000 ]
}

@test "join a network namespace by path (ip netns add)" {
  requires ip
  local name="ward-test-$$-$BATS_TEST_NUMBER"
  ip netns add "$name"
  defer ip netns delete "$name"
  local ino
  ino="$(stat -L -c %i "/run/netns/$name")"
  update_config '.linux.namespaces = [.linux.namespaces[] | select(.type != "network")] + [{"type": "network", "path": $p}]' \
    --arg p "/run/netns/$name"
  set_script 'readlink /proc/self/ns/net; ip -o link show | wc -l'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = "net:[$ino]" ]
  # a fresh netns holds only lo
  [ "${lines[1]}" -eq 1 ]
}

@test "join the uts and ipc namespaces of another container by path" {
  local c1
  c1="$(new_cid first)"
  update_config '.hostname = "first-host"'
  set_args sleep 100
  ward_run run -d --bundle "$BUNDLE" "$c1"
  assert_success
  local pid
  pid="$(container_pid "$c1")"
  local b2="$BUNDLE/second"
  setup_bundle "$b2"
  CONFIG="$b2/config.json" update_config '
      .linux.namespaces = [.linux.namespaces[] | select(.type != "uts" and .type != "ipc")]
        + [{"type": "uts", "path": $u}, {"type": "ipc", "path": $i}]
      | del(.hostname)' --arg u "/proc/$pid/ns/uts" --arg i "/proc/$pid/ns/ipc"
  CONFIG="$b2/config.json" set_script 'hostname; readlink /proc/self/ns/uts; readlink /proc/self/ns/ipc'
  ward_run run --bundle "$b2" "$CID"
  assert_success
  [ "${lines[0]}" = first-host ]
  [ "${lines[1]}" = "$(readlink "/proc/$pid/ns/uts")" ]
  [ "${lines[2]}" = "$(readlink "/proc/$pid/ns/ipc")" ]
}

@test "join the pid namespace of another container by path" {
  local c1
  c1="$(new_cid first)"
  set_args sleep 4242
  ward_run run -d --bundle "$BUNDLE" "$c1"
  assert_success
  local pid
  pid="$(container_pid "$c1")"
  local b2="$BUNDLE/second"
  setup_bundle "$b2"
  CONFIG="$b2/config.json" update_config '
      .linux.namespaces = [.linux.namespaces[] | select(.type != "pid")] + [{"type": "pid", "path": $p}]' \
    --arg p "/proc/$pid/ns/pid"
  CONFIG="$b2/config.json" set_script 'tr "\0" " " < /proc/1/cmdline; echo; [ $$ -ne 1 ] && echo not-init'
  ward_run run --bundle "$b2" "$CID"
  assert_success
  [ "${lines[0]}" = "sleep 4242 " ]
  [ "${lines[1]}" = not-init ]
}

@test "joining a namespace path that does not exist fails, nothing left" {
  update_config '.linux.namespaces = [.linux.namespaces[] | select(.type != "network")] + [{"type": "network", "path": "/run/netns/ward-no-such-ns"}]'
  ward_run run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  runtime_is_ward && assert_error "/run/netns/ward-no-such-ns"
  assert_no_leftovers
}

@test "cgroup namespace: the container sees itself at the root" {
  requires cgroupns
  add_namespace cgroup
  update_config '.linux.cgroupsPath = $p' --arg p "/$CID"
  set_args cat /proc/self/cgroup
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  # every hierarchy the runtime placed us in shows "/"
  local l
  for l in "${lines[@]}"; do
    [[ "$l" == *":/" ]] || fail "not at the cgroup root: $l"
  done
}

@test "uts namespace: hostname" {
  update_config '.hostname = "ward-test-host"'
  set_args hostname
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" = ward-test-host ]
  [ "$(hostname)" != ward-test-host ]
}

@test "uts namespace: domainname" {
  skip_on_runc "runc 1.1 ignores domainname"
  update_config '.hostname = "ward-test-host" | .domainname = "ward.example"'
  set_args cat /proc/sys/kernel/domainname
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" = ward.example ]
  [ "$(cat /proc/sys/kernel/domainname)" != ward.example ]
}

@test "ipc namespace: the host's SysV shared memory is not visible" {
  command -v ipcmk >/dev/null || skip "needs ipcmk"
  local shmid
  shmid="$(ipcmk -M 4096 | awk '{print $NF}')"
  defer ipcrm -m "$shmid"
  grep -qw -- "$shmid" /proc/sysvipc/shm
  set_args cat /proc/sysvipc/shm
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  awk 'NR > 1 {print $2}' <<<"$stdout" | grep -qx -- "$shmid" && fail "host segment $shmid visible"
  # without an ipc namespace it is
  remove_namespace ipc
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  awk 'NR > 1 {print $2}' <<<"$stdout" | grep -qx -- "$shmid"
}
