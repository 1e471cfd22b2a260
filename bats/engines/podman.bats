#!/usr/bin/env bats
# ward under podman (root): `--runtime /path/to/ward` and the [engine.runtimes]
# entry of contrib/podman/containers.conf, the container life cycle podman
# drives through conmon, the flags users pass, ward's errors as podman's
# user sees them, and nothing left behind.

load engines

# ward's state directory when podman runs it: podman passes no --root, so
# ward's default (inside the enclave's private /run).
WROOT=/run/ward
IMG=localhost/busybox:ward

setup_file() {
  eng_require_base
  eng_require podman podman
  eng_require conmon conmon
  [ -x /usr/lib/podman/netavark ] || skip "netavark is not installed (apt-get install netavark)"
  eng_require iptables iptables
  eng_setup_dirs podman
  eng_enclave_start
  eng_podman_config
  eng_busybox_tar
  eng_in podman import --change 'CMD ["/bin/sh"]' "$ENG_T/busybox.tar" "$IMG" >/dev/null ||
    fail "podman import failed"
}

teardown_file() { eng_podman_teardown_file; }

setup() {
  eng_require_base
}

teardown() { eng_podman_rm_all; }


# The full id of container NAME.
cid_of() {
  eng_in podman inspect --format '{{.Id}}' "$1"
}

pm_status_is() {
  [ "$(eng_in podman inspect --format '{{.State.Status}}' "$1" 2>/dev/null)" = "$2" ]
}

@test "podman --runtime PATH: the container runs under ward; rm leaves nothing" {
  pm --runtime "$WARD_BIN" run -d --name c1 --cgroup-parent "$ENG_CG" "$IMG" sleep 600
  assert_success
  local id pid
  id="$(cid_of c1)"
  [ "$(eng_in podman inspect --format '{{.OCIRuntime}}' c1)" = "$WARD_BIN" ] ||
    fail "podman does not record $WARD_BIN as the container's runtime"
  # ward's own view of it
  eng_ward_list "$WROOT" | grep -qxF "$id" || fail "ward list --root $WROOT does not show $id"
  eng_capture eng_ward_state "$WROOT" "$id"
  assert_success
  [ "$(jq -r .status <<<"$stdout")" = running ]
  pid="$(eng_in podman inspect --format '{{.State.Pid}}' c1)"
  [ "$(jq -r .pid <<<"$stdout")" = "$pid" ] || fail "ward's pid differs from podman's $pid"
  [[ "$(jq -r .bundle <<<"$stdout")" == "$ENG_T/podman/graph/"*"/$id/userdata" ]] ||
    fail "the bundle is not podman's"
  grep -q ":$ENG_CG/libpod-$id\$" "/proc/$pid/cgroup" || fail "not in the cgroup podman asked for"

  pm --runtime "$WARD_BIN" rm --force --time 0 c1
  assert_success
  assert_no_leftovers "$WROOT" "$id"
}

@test "podman [engine.runtimes] ward: run, exit codes, run --rm" {
  pm --runtime ward info --format '{{.Host.OCIRuntime.Path}}'
  assert_success
  [ "$stdout" = "$WARD_BIN" ]

  prun --rm "$IMG" echo hello from ward
  assert_success
  [ "$stdout" = "hello from ward" ]

  prun --rm "$IMG" sh -c 'exit 3'
  assert_status 3
  # ward's own message for a missing command, and podman's 127
  prun --rm "$IMG" no-such-command
  assert_status 127
  assert_output_contains 'ward: exec `no-such-command`'

  # run --rm removes the runtime's container too
  prun --rm --cidfile "$ENG_T/rm.cid" "$IMG" true
  assert_success
  assert_no_leftovers "$WROOT" "$(cat "$ENG_T/rm.cid")"

  # without --rm the exit code stays with podman; the container leaves ward
  # once conmon's cleanup has run
  prun --name c2 "$IMG" sh -c 'exit 5'
  assert_status 5
  [ "$(eng_in podman inspect --format '{{.State.ExitCode}}' c2)" = 5 ]
  local id
  id="$(cid_of c2)"
  pm rm c2
  assert_success
  assert_no_leftovers "$WROOT" "$id"
}

@test "podman: run -d, logs, exec, exec -t, top, stats, stop, start, kill, rm -f" {
  prun -d --name c3 "$IMG" sh -c 'trap "echo got-term; exit 0" TERM; echo started; while :; do sleep 0.1; done'
  assert_success
  local id
  id="$(cid_of c3)"
  wait_for 50 0.1 eval 'eng_in podman logs c3 2>/dev/null | grep -q started'

  pm exec c3 echo in-exec
  assert_success
  [ "$stdout" = in-exec ]
  pm exec c3 sh -c 'exit 4'
  assert_status 4
  pm exec --env FOO=bar --workdir /tmp c3 sh -c 'echo "$FOO $(pwd) $(id -u)"'
  assert_success
  [ "$stdout" = "bar /tmp 0" ]
  pm exec -t c3 tty
  assert_success
  [[ "$stdout" == /dev/pts/* ]] || fail "exec -t: no terminal"
  pm exec c3 tty
  assert_output_contains "not a tty"

  pm top c3 pid args
  assert_success
  assert_output_contains "trap"
  pm stats --no-stream --format '{{.PIDs}}' c3
  assert_success
  [ "$stdout" -ge 2 ] || fail "stats: expected at least 2 pids"

  # stop delivers SIGTERM to the container's init
  pm stop --time 20 c3
  assert_success
  [ "$(eng_in podman inspect --format '{{.State.ExitCode}}' c3)" = 0 ]
  eng_capture eng_in podman logs c3
  assert_output_contains got-term
  eng_ward_list "$WROOT" | grep -qxF "$id" && fail "a stopped container is still in ward's state"

  # a stopped container starts again (a new create in ward)
  pm start c3
  assert_success
  wait_for 50 0.1 pm_status_is c3 running
  eng_ward_list "$WROOT" | grep -qxF "$id" || fail "restarted container not in ward list"
  pm kill c3
  assert_success
  wait_for 50 0.1 pm_status_is c3 exited
  [ "$(eng_in podman inspect --format '{{.State.ExitCode}}' c3)" = 137 ]

  pm start c3
  assert_success
  pm rm --force --time 0 c3
  assert_success
  assert_no_leftovers "$WROOT" "$id"
}

@test "podman: pause and unpause" {
  prun -d --name c4 "$IMG" sleep 600
  assert_success
  local id
  id="$(cid_of c4)"
  pm pause c4
  assert_success
  [ "$(eng_in podman inspect --format '{{.State.Status}}' c4)" = paused ]
  [ "$(eng_ward_state "$WROOT" "$id" | jq -r .status)" = paused ]
  grep -qx FROZEN "/sys/fs/cgroup/freezer$ENG_CG/libpod-$id/freezer.state" ||
    fail "the freezer cgroup is not FROZEN"
  pm unpause c4
  assert_success
  [ "$(eng_ward_state "$WROOT" "$id" | jq -r .status)" = running ]
  pm exec c4 echo awake
  assert_success
  [ "$stdout" = awake ]
  # rm -f of a paused container
  pm pause c4
  assert_success
  pm rm --force --time 0 c4
  assert_success
  assert_no_leftovers "$WROOT" "$id"
}

@test "podman: --read-only, --cap-drop, --security-opt seccomp=PROFILE" {
  prun --rm --read-only "$IMG" sh -c 'touch /x 2>/dev/null && echo wrote-root; touch /tmp/y && echo wrote-tmp'
  assert_success
  [ "$stdout" = wrote-tmp ]

  prun --rm --cap-drop all --cap-add chown "$IMG" grep CapEff /proc/self/status
  assert_success
  assert_output_contains "0000000000000001"
  prun --rm --cap-drop net_raw,kill "$IMG" sh -c 'grep CapBnd /proc/self/status'
  assert_success
  local bnd=$((16#$(awk '{print $2}' <<<"$stdout")))
  [ $((bnd & (1 << 13))) -eq 0 ] || fail "CAP_NET_RAW still in the bounding set"
  [ $((bnd & (1 << 5))) -eq 0 ] || fail "CAP_KILL still in the bounding set"
  [ $((bnd & (1 << 0))) -ne 0 ] || fail "CAP_CHOWN missing"

  cat >"$ENG_T/seccomp.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
EOF
  prun --rm --security-opt "seccomp=$ENG_T/seccomp.json" "$IMG" sh -c 'mkdir /tmp/d || echo denied; grep Seccomp: /proc/self/status'
  assert_output_contains denied
  assert_output_contains "Operation not permitted"
  prun --rm --security-opt seccomp=unconfined "$IMG" grep Seccomp: /proc/self/status
  assert_success
  [[ "$stdout" == *$'\t'0 ]] || fail "seccomp=unconfined still filters"
  # podman's default profile
  prun --rm "$IMG" grep Seccomp: /proc/self/status
  [[ "$stdout" == *$'\t'2 ]] || fail "the default seccomp profile is not applied"
}

@test "podman: --memory and --pids-limit reach the container's cgroup" {
  prun -d --name c5 --memory 64m --pids-limit 42 "$IMG" sleep 600
  assert_success
  local id
  id="$(cid_of c5)"
  [ "$(cat "/sys/fs/cgroup/memory$ENG_CG/libpod-$id/memory.limit_in_bytes")" = 67108864 ]
  [ "$(cat "/sys/fs/cgroup/pids$ENG_CG/libpod-$id/pids.max")" = 42 ]
  # the container sees its own limits
  pm exec c5 cat /sys/fs/cgroup/pids/pids.max
  assert_success
  [ "$stdout" = 42 ]
  # the limit holds: forks fail at 42 pids
  pm exec c5 sh -c 'for i in $(seq 60); do sleep 30 & done; echo forked'
  assert_output_contains "can't fork"
  [ "$(cat "/sys/fs/cgroup/pids$ENG_CG/libpod-$id/pids.current")" -le 42 ]
  pm rm --force --time 0 c5
  assert_success
  assert_no_leftovers "$WROOT" "$id"
}

@test "podman: --network none, host and bridge" {
  prun --rm --network none "$IMG" ls /sys/class/net
  assert_success
  [ "$stdout" = lo ]

  # host: the enclave's own network namespace
  local enclave_net
  enclave_net="$(readlink "/proc/$ENG_HOLDER/ns/net")"
  prun --rm --network host "$IMG" readlink /proc/self/ns/net
  assert_success
  [ "$stdout" = "$enclave_net" ]

  prun -d --name c6 --network bridge "$IMG" sleep 600
  assert_success
  local id
  id="$(cid_of c6)"
  pm exec c6 ip -o -4 addr show eth0
  assert_success
  assert_output_contains "inet 10.88."
  [ "$(eng_in podman inspect --format '{{.NetworkSettings.IPAddress}}' c6)" != "" ]
  pm rm --force --time 0 c6
  assert_success
  assert_no_leftovers "$WROOT" "$id"
  # netavark removed the container's veth
  eng_capture eng_in ip -o link
  assert_output_not_contains veth
}

@test "podman: -v bind mounts, read-write and read-only" {
  mkdir -p "$ENG_T/vol"
  echo from-host >"$ENG_T/vol/in"
  prun --rm -v "$ENG_T/vol:/data" "$IMG" sh -c 'cat /data/in; echo from-container >/data/out'
  assert_success
  [ "$stdout" = from-host ]
  [ "$(cat "$ENG_T/vol/out")" = from-container ]
  prun --rm -v "$ENG_T/vol:/data:ro" "$IMG" sh -c 'echo x >/data/nope'
  assert_failure
  assert_output_contains "Read-only file system"
  [ ! -e "$ENG_T/vol/nope" ]
  # the mount was in the container's namespace only
  grep -qF "$ENG_T/vol" /proc/self/mountinfo && fail "bind mount visible on the host"
  grep -qF "$ENG_T/vol" "/proc/$ENG_HOLDER/mountinfo" && fail "bind mount left in the enclave"
  return 0
}

@test "podman: --annotation run.ward.* reaches ward" {
  prun -d --name c7 --annotation run.ward.agent=engine-test-agent "$IMG" sleep 600
  assert_success
  local id
  id="$(cid_of c7)"
  eng_capture eng_ward_state "$WROOT" "$id"
  assert_success
  [ "$(jq -r '.annotations["run.ward.agent"]' <<<"$stdout")" = engine-test-agent ]
}

@test "podman: ward's error for a bad mount reaches the user; nothing is left" {
  mkdir -p "$ENG_T/src"
  # /etc/passwd is a file in the image: ward cannot make a mount point below it
  prun --name bad -v "$ENG_T/src:/etc/passwd/sub" "$IMG" true
  assert_status 126
  # one prefix: podman shows ward's message from its JSON log
  assert_output_contains 'Error: OCI runtime error: ward: mounts['
  assert_output_contains '`/etc/passwd/sub`'
  assert_output_contains 'Not a directory'
  assert_output_not_contains 'ward: ward:'
  local id
  id="$(cid_of bad)"
  # ward cleaned up its half-made container by itself
  assert_no_leftovers "$WROOT" "$id"
  pm rm --force bad
  assert_success
  assert_no_leftovers "$WROOT" "$id"
}

@test "podman: contrib/podman/containers.conf loads without unknown keys" {
  pm --log-level debug info
  assert_success
  assert_output_not_contains "Failed to decode the keys"
  pm --runtime ward --log-level debug info
  assert_output_contains "Using OCI runtime \\\"$WARD_BIN\\\""
}
