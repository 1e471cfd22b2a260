#!/usr/bin/env bats
# Rootless, beyond rootless.bats: exec into a rootless container, the default
# state directory under $XDG_RUNTIME_DIR, no cgroup without delegation (kill
# --all still works), a delegated cgroup2 directory, seccomp and a seccomp
# agent run by the user, and delete --force of a running container.

load helpers_rootless

setup_file() { rl_user_create ward-rlm 500000; }
teardown_file() { rl_user_remove; }

setup() {
  RL_XDG_SUBDIR=xdg
  rl_test_setup wt-rlm
  XDG="$RL_XDG"
  HOST_TMP="$RL_DIR/host"
  mkdir -p "$HOST_TMP"
  chown "$RL_USER:$RL_USER" "$HOST_TMP"
}

teardown() { rl_test_teardown; }

rl_state() { as_user "$WARD_BIN" --root "$ROOT" state "$1" 2>/dev/null; }

@test "rootless exec: same namespaces as the init, root inside, the user outside" {
  rl_update_config '.process.args = ["sleep", "100"]'
  rl_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  local pid
  pid="$(rl_state "$CID" | jq -r .pid)"
  rl_run exec "$CID" sh -c 'id -u; for n in user mnt pid uts ipc; do readlink /proc/self/ns/$n; done; sleep 0.5'
  assert_success
  [ "${lines[0]}" = 0 ]
  local i=1 n
  for n in user mnt pid uts ipc; do
    [ "${lines[$i]}" = "$(readlink "/proc/$pid/ns/$n")" ] || fail "exec is not in the init's $n namespace"
    i=$((i + 1))
  done
  # the exit status comes back
  rl_run exec "$CID" sh -c 'exit 7'
  assert_status 7
  # and on the host an exec'd process runs as the user
  rl_run exec -d "$CID" sleep 30
  assert_success
  local p
  p="$(pgrep -u "$RL_UID" -xf 'sleep 30' | head -n1)"
  [ -n "$p" ]
  [ "$(readlink "/proc/$p/ns/user")" = "$(readlink "/proc/$pid/ns/user")" ]
}

@test "rootless exec --user with several mapping ranges: a subordinate uid outside" {
  requires newuidmap
  [ -n "$RL_SUBUID" ] || skip "no subordinate ids for $RL_USER"
  rl_update_config '.linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1}, {"containerID": 1, "hostID": $su, "size": 65536}]
      | .linux.gidMappings = [{"containerID": 0, "hostID": $g, "size": 1}, {"containerID": 1, "hostID": $sg, "size": 65536}]
      | .process.args = ["sleep", "100"]' \
    --argjson u "$RL_UID" --argjson g "$RL_GID" --argjson su "$RL_SUBUID" --argjson sg "$RL_SUBGID"
  rl_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  rl_run exec -d --user 1000:1000 "$CID" sleep 31
  assert_success
  local p
  wait_for 20 0.1 pgrep -xf 'sleep 31'
  p="$(pgrep -xf 'sleep 31' | head -n1)"
  [ "$(awk '/^Uid:/ {print $2}' "/proc/$p/status")" = "$((RL_SUBUID + 999))" ]
  [ "$(awk '/^Gid:/ {print $2}' "/proc/$p/status")" = "$((RL_SUBGID + 999))" ]
  rl_run exec --user 1000 "$CID" id -u
  assert_success
  [ "$stdout" = 1000 ]
}

@test "rootless without --root: state under \$XDG_RUNTIME_DIR/ward" {
  rl_update_config '.process.args = ["sleep", "100"]'
  ward_capture runuser -u "$RL_USER" -- env HOME="$RL_DIR" XDG_RUNTIME_DIR="$XDG" \
    "$WARD_BIN" create --bundle "$BUNDLE" "$CID"
  assert_success
  [ -d "$XDG/ward/$CID" ]
  [ "$(stat -c %u "$XDG/ward/$CID")" = "$RL_UID" ]
  # the state root is private to the user
  [ "$(stat -c %a "$XDG/ward")" = 700 ]
  ward_capture runuser -u "$RL_USER" -- env XDG_RUNTIME_DIR="$XDG" "$WARD_BIN" list -q
  assert_success
  [ "$stdout" = "$CID" ]
  ward_capture runuser -u "$RL_USER" -- env XDG_RUNTIME_DIR="$XDG" "$WARD_BIN" delete --force "$CID"
  assert_success
  [ ! -e "$XDG/ward/$CID" ]
}

@test "rootless without a delegated cgroup: no cgroup made, kill --all still works" {
  rl_update_config '.process.args = ["sh", "-c", "sleep 100 & sleep 100 & wait"]'
  rl_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  local pid
  pid="$(rl_state "$CID" | jq -r .pid)"
  # the init stays in the cgroups it was started in (those of its caller)
  [ "$(grep -v ':name=' "/proc/$pid/cgroup" | sort)" = "$(grep -v ':name=' /proc/self/cgroup | sort)" ]
  [ -z "$(find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -name "*$CID*" 2>/dev/null)" ]
  wait_for 30 0.1 test "$(pgrep -u "$RL_UID" -xf 'sleep 100' | wc -l)" -eq 2
  rl_run kill --all "$CID" KILL
  assert_success
  wait_for 50 0.1 pid_gone "$pid"
  wait_for 50 0.1 test -z "$(pgrep -u "$RL_UID" -xf 'sleep 100')"
  rl_run delete "$CID"
  assert_success
  [ ! -e "$ROOT/$CID" ]
}

@test "rootless delete --force of a running container leaves nothing" {
  rl_update_config '.process.args = ["sleep", "100"]'
  rl_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  local pid
  pid="$(rl_state "$CID" | jq -r .pid)"
  rl_run delete "$CID"
  assert_error "running (use --force)"
  rl_run delete --force "$CID"
  assert_success
  wait_for 50 0.1 pid_gone "$pid"
  [ ! -e "$ROOT/$CID" ]
}

@test "rootless in a delegated cgroup2 directory: the container gets its own cgroup" {
  local u=/sys/fs/cgroup/unified
  [ -f /sys/fs/cgroup/cgroup.controllers ] && u=/sys/fs/cgroup
  [ -f "$u/cgroup.procs" ] || skip "no cgroup2 hierarchy"
  local deleg="$u/ward-rlm-deleg-$$-$BATS_TEST_NUMBER"
  mkdir "$deleg"
  defer rmdir "$deleg"
  # delegation as systemd does it: the directory and its interface files
  chown "$RL_USER:$RL_USER" "$deleg" "$deleg/cgroup.procs" "$deleg/cgroup.subtree_control" "$deleg/cgroup.threads"
  rl_update_config '.process.args = ["sh", "-c", "sleep 100 & wait"] | .linux.cgroupsPath = $p' \
    --arg p "/$(basename "$deleg")/$CID"
  # the caller starts inside the delegated directory (moved there by root)
  ward_capture sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$deleg" \
    runuser -u "$RL_USER" -- env HOME="$RL_DIR" XDG_RUNTIME_DIR="$XDG" \
    "$WARD_BIN" --root "$ROOT" run -d --bundle "$BUNDLE" "$CID"
  assert_success
  local pid
  pid="$(rl_state "$CID" | jq -r .pid)"
  [ -d "$deleg/$CID" ]
  grep -qx "0::/$(basename "$deleg")/$CID" "/proc/$pid/cgroup" ||
    fail "init not in the delegated cgroup: $(cat "/proc/$pid/cgroup")"
  [ "$(wc -l <"$deleg/$CID/cgroup.procs")" -eq 2 ]
  rl_run kill --all "$CID" KILL
  assert_success
  wait_for 50 0.1 test ! -s "$deleg/$CID/cgroup.procs"
  rl_run delete "$CID"
  assert_success
  [ ! -e "$deleg/$CID" ]
}

@test "rootless seccomp: the filter loads in the user namespace without no_new_privileges" {
  rl_update_config '.process.noNewPrivileges = false
      | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 18}]}
      | .process.args = ["sh", "-c", "mkdir /tmp/x 2>&1; grep -E \"^(Seccomp|NoNewPrivs):\" /proc/self/status"]'
  rl_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains "Invalid cross-device link"
  grep -Eq '^Seccomp:\s+2$' <<<"$stdout"
  grep -Eq '^NoNewPrivs:\s+0$' <<<"$stdout"
  [ ! -e "$ROOTFS/tmp/x" ]
}

@test "rootless seccomp notify: the user's own agent gets the fd and answers" {
  requires python3
  local sock="$HOST_TMP/agent.sock" out="$HOST_TMP/agent"
  as_user mkdir "$out"
  runuser -u "$RL_USER" -- "$PYTHON3" "$WARD_TOP/tests/seccomp_agent.py" "$sock" "$out" \
    </dev/null >/dev/null 2>&1 3>&- &
  defer pkill -9 -U "$RL_USER" -f seccomp_agent.py
  wait_for 50 0.1 test -e "$out/ready"
  rl_update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: $p,
      syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}
      | .process.args = ["sh", "-c", "mkdir /tmp/y 2>&1; echo rc=$?"]' --arg p "$sock"
  rl_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains "Block device required"
  [ "$(cat "$out/fds-1")" = "anon_inode:seccomp notify" ]
  jq -e --arg id "$CID" '.state.id == $id and .fds == ["seccompFd"]' "$out/state-1.json"
}

@test "rootless: an unknown capability for exec --cap is one clear line" {
  rl_update_config '.process.args = ["sleep", "100"]'
  rl_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  rl_run exec --cap CAP_FOO "$CID" true
  assert_error 'exec: --cap: unknown capability "CAP_FOO"'
}
