#!/usr/bin/env bats
# ward under containerd's runc v2 shim, driven by ctr with
# `--runc-binary ward`: run, run -d, task exec, task ps, pause/resume, kill,
# delete, metrics; ward's JSON-log errors as ctr's user sees them; nothing
# left behind. containerd runs with a config, root, state and socket of the
# suite's own, inside the suite's enclave (see engines.bash).

load engines

IMG=localhost/busybox:ward

setup_file() {
  eng_require_base
  eng_require containerd containerd
  eng_require ctr containerd
  eng_require containerd-shim-runc-v2 containerd
  # podman builds the image offline and exports it as an OCI archive
  eng_require podman podman
  eng_setup_dirs ctr
  # ward's state for ctr's containers: --runc-root, plus the namespace
  export WROOT_BASE="$ENG_T/ward-root"
  export WROOT="$WROOT_BASE/$ENG_NAME"
  eng_enclave_start
  eng_podman_config
  eng_busybox_tar
  eng_in podman import --change 'CMD ["/bin/sh"]' "$ENG_T/busybox.tar" "$IMG" >/dev/null ||
    fail "podman import failed"
  eng_containerd_start
  eng_ctr_import "$ENG_NAME" "$IMG"
}

teardown_file() {
  if [ -n "${CTRD_PID:-}" ]; then
    local c
    for c in $(eng_in ctr --address "$CTRD_SOCK" --namespace "$ENG_NAME" containers list --quiet 2>/dev/null); do
      eng_in ctr --address "$CTRD_SOCK" --namespace "$ENG_NAME" task kill --signal SIGKILL "$c" >/dev/null 2>&1
      sleep 0.2
      eng_in ctr --address "$CTRD_SOCK" --namespace "$ENG_NAME" task delete --force "$c" >/dev/null 2>&1
      eng_in ctr --address "$CTRD_SOCK" --namespace "$ENG_NAME" containers delete "$c" >/dev/null 2>&1
    done
  fi
  eng_containerd_stop
  eng_enclave_stop
  eng_cgroup_clean
  eng_remove_dirs
}

setup() {
  eng_require_base
  # unique: the leftover checks look for it in cgroup and mount paths
  CID="c$BATS_TEST_NUMBER-$ENG_NAME"
}

teardown() {
  eng_in ctr --address "$CTRD_SOCK" --namespace "$ENG_NAME" task kill --signal SIGKILL "$CID" >/dev/null 2>&1 || true
  sleep 0.1
  eng_in ctr --address "$CTRD_SOCK" --namespace "$ENG_NAME" task delete --force "$CID" >/dev/null 2>&1 || true
  eng_in ctr --address "$CTRD_SOCK" --namespace "$ENG_NAME" containers delete "$CID" >/dev/null 2>&1 || true
}

# crun_ward ARGS...: `ctr run` with ward as the shim's runc binary.
ctr_run() {
  ctrc run --runc-binary "$WARD_BIN" --runc-root "$WROOT_BASE" "$@"
}

task_status_is() {
  eng_in ctr --address "$CTRD_SOCK" --namespace "$ENG_NAME" task list 2>/dev/null |
    awk -v id="$1" '$1 == id {print $3}' | grep -qx "$2"
}

@test "ctr run --rm --runc-binary ward: output, exit codes, nothing left" {
  ctr_run --rm "$IMG" "$CID" echo hello from ward
  assert_success
  [ "$stdout" = "hello from ward" ]
  assert_no_leftovers "$WROOT" "$CID"

  ctr_run --rm "$IMG" "$CID" sh -c 'exit 7'
  assert_status 7
  assert_no_leftovers "$WROOT" "$CID"
}

@test "ctr run -d: the task runs under ward; task exec, ps, metrics, kill, delete" {
  ctr_run -d --cgroup "$ENG_CG/$CID" "$IMG" "$CID" sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
  assert_success
  ctrc task list
  assert_output_contains RUNNING
  local pid
  pid="$(eng_in ctr --address "$CTRD_SOCK" --namespace "$ENG_NAME" task list | awk -v id="$CID" '$1 == id {print $2}')"

  # ward's own view of it
  eng_ward_list "$WROOT" | grep -qxF "$CID" || fail "ward list --root $WROOT does not show $CID"
  eng_capture eng_ward_state "$WROOT" "$CID"
  assert_success
  [ "$(jq -r .status <<<"$stdout")" = running ]
  [ "$(jq -r .pid <<<"$stdout")" = "$pid" ]
  [ "$(jq -r .bundle <<<"$stdout")" = "$ENG_T/containerd/state/io.containerd.runtime.v2.task/$ENG_NAME/$CID" ]
  grep -q ":$ENG_CG/$CID\$" "/proc/$pid/cgroup" || fail "not in the cgroup ctr asked for"

  ctrc task exec --exec-id e1 "$CID" sh -c 'echo in-exec; exit 4'
  assert_status 4
  [ "$stdout" = in-exec ]
  ctrc task exec --exec-id e2 --cwd /tmp "$CID" sh -c 'echo "$(pwd) $(id -u)"'
  assert_success
  [ "$stdout" = "/tmp 0" ]

  # task ps: the shim asks `ward ps --format json`
  ctrc task ps "$CID"
  assert_success
  assert_output_contains "$pid"

  # metrics: the shim reads the cgroup ward put the task in
  ctrc task metrics "$CID"
  assert_success
  assert_output_contains pids.current
  assert_output_contains memory.usage_in_bytes

  ctrc task kill --signal SIGTERM "$CID"
  assert_success
  wait_for 50 0.1 task_status_is "$CID" STOPPED
  ctrc task delete "$CID"
  assert_success
  ctrc containers delete "$CID"
  assert_success
  assert_no_leftovers "$WROOT" "$CID"
  [ ! -d "/sys/fs/cgroup/pids$ENG_CG/$CID" ] || fail "cgroup left behind"
}

@test "ctr: task pause and resume" {
  ctr_run -d "$IMG" "$CID" sleep 600
  assert_success
  ctrc task pause "$CID"
  assert_success
  wait_for 50 0.1 task_status_is "$CID" PAUSED
  [ "$(eng_ward_state "$WROOT" "$CID" | jq -r .status)" = paused ]
  ctrc task resume "$CID"
  assert_success
  wait_for 50 0.1 task_status_is "$CID" RUNNING
  [ "$(eng_ward_state "$WROOT" "$CID" | jq -r .status)" = running ]
  ctrc task exec --exec-id e1 "$CID" echo awake
  assert_success
  [ "$stdout" = awake ]
  ctrc task kill --signal SIGKILL "$CID"
  wait_for 50 0.1 task_status_is "$CID" STOPPED
  ctrc task delete "$CID"
  assert_success
  ctrc containers delete "$CID"
  assert_no_leftovers "$WROOT" "$CID"
}

@test "ctr: kill --all and delete --force of a running task" {
  ctr_run -d "$IMG" "$CID" sh -c 'sleep 600 & sleep 600 & wait'
  assert_success
  ctrc task kill --all --signal SIGKILL "$CID"
  assert_success
  wait_for 50 0.1 task_status_is "$CID" STOPPED
  ctrc task delete "$CID"
  assert_success
  ctrc containers delete "$CID"
  assert_no_leftovers "$WROOT" "$CID"

  ctr_run -d "$IMG" "$CID" sleep 600
  assert_success
  ctrc task delete --force "$CID"
  assert_success
  ctrc containers delete "$CID"
  assert_no_leftovers "$WROOT" "$CID"
}

@test "ctr: ward's error for a bad mount reaches ctr's user; nothing is left" {
  mkdir -p "$ENG_T/src"
  ctr_run --rm --mount "type=bind,src=$ENG_T/src,dst=/etc/passwd/sub,options=rbind:rw" "$IMG" "$CID" true
  assert_failure
  # the shim passes ward --log FILE --log-format json and shows the last
  # error line's msg
  assert_output_contains 'OCI runtime create failed: mounts['
  assert_output_contains '`/etc/passwd/sub`'
  assert_output_contains 'Not a directory'
  assert_no_leftovers "$WROOT" "$CID"
  ctrc containers list --quiet
  assert_output_not_contains "$CID"
}

@test "ctr: ward's error for an exec that cannot start reaches ctr's user" {
  ctr_run -d "$IMG" "$CID" sleep 600
  assert_success
  ctrc task exec --exec-id e1 "$CID" /no/such/binary
  assert_failure
  assert_output_contains 'OCI runtime exec failed'
  assert_output_contains '/no/such/binary'
  # the task is unharmed
  ctrc task exec --exec-id e2 "$CID" echo still-here
  assert_success
  [ "$stdout" = still-here ]
}
