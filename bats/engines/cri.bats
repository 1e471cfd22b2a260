#!/usr/bin/env bats
# ward as containerd's CRI runtime handler `ward` (what a Kubernetes
# RuntimeClass with `handler: ward` selects), configured by
# contrib/containerd/config.toml and driven through the CRI API by
# tests/cri/cri_client.py: a pod sandbox (tests/pause) and a container in
# it created, started, exec'd into and torn down; run.ward.* annotations
# passed through; ward's errors in the CRI reply; nothing left behind.

load engines

IMG=localhost/busybox:ward
PAUSE=localhost/ward-pause:test

setup_file() {
  eng_require_base
  eng_require containerd containerd
  eng_require ctr containerd
  eng_require containerd-shim-runc-v2 containerd
  eng_require podman podman
  [ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] ||
    skip "the CNI plugins are not installed (apt-get install containernetworking-plugins)"
  eng_require_python_module grpc python3-grpcio
  eng_require_python_module grpc_tools python3-grpc-tools
  eng_setup_dirs cri
  # ward's state for the handler: its Root option, plus containerd's
  # namespace for CRI
  export WROOT_BASE="$ENG_T/ward-root"
  export WROOT="$WROOT_BASE/k8s.io"
  export CRI_STUB_DIR="$ENG_T/cri-stubs"
  eng_enclave_start
  eng_podman_config
  eng_busybox_tar
  eng_pause_tar
  eng_in podman import --change 'CMD ["/bin/sh"]' "$ENG_T/busybox.tar" "$IMG" >/dev/null ||
    fail "podman import busybox failed"
  eng_in podman import --change 'ENTRYPOINT ["/pause"]' "$ENG_T/pause.tar" "$PAUSE" >/dev/null ||
    fail "podman import pause failed"
  # the handler exactly as contrib ships it, pointed at the binary under test
  sed -e "s#^    BinaryName = .*#    BinaryName = \"$WARD_BIN\"#" \
    -e "s#^    Root = .*#    Root = \"$WROOT_BASE\"#" \
    "$ENG_TOP/contrib/containerd/config.toml" >"$ENG_T/ward-handler.toml"
  grep -qF "$WARD_BIN" "$ENG_T/ward-handler.toml" ||
    fail "contrib/containerd/config.toml: no BinaryName to replace"
  eng_containerd_start "$ENG_T/ward-handler.toml"
  eng_ctr_import k8s.io "$IMG"
  eng_ctr_import k8s.io "$PAUSE"
}

teardown_file() {
  if [ -n "${CTRD_PID:-}" ]; then
    local pods p
    pods="$("$ENG_PY" "$ENG_TOP/tests/cri/cri_client.py" --socket "$CTRD_SOCK" \
      RuntimeService.ListPodSandbox 2>/dev/null | jq -r '.items[]?.id')"
    for p in $pods; do
      "$ENG_PY" "$ENG_TOP/tests/cri/cri_client.py" --socket "$CTRD_SOCK" RuntimeService.StopPodSandbox \
        "{\"pod_sandbox_id\": \"$p\"}" >/dev/null 2>&1
      "$ENG_PY" "$ENG_TOP/tests/cri/cri_client.py" --socket "$CTRD_SOCK" RuntimeService.RemovePodSandbox \
        "{\"pod_sandbox_id\": \"$p\"}" >/dev/null 2>&1
    done
  fi
  eng_containerd_stop
  eng_enclave_stop
  eng_cgroup_clean
  eng_remove_dirs
}

setup() {
  eng_require_base
  POD_NAME="pod$BATS_TEST_NUMBER"
  POD_ANNOTATIONS='{"example.com/not-for-ward": "x"}'
}

teardown() {
  local p
  for p in ${POD_IDS:-}; do
    cri RuntimeService.StopPodSandbox "{\"pod_sandbox_id\": \"$p\"}"
    cri RuntimeService.RemovePodSandbox "{\"pod_sandbox_id\": \"$p\"}"
  done
}

# The pod's config (PodSandboxConfig as JSON): its own cgroup parent under
# the suite's, the annotations in $POD_ANNOTATIONS (JSON; default: one that
# is not ward's).
pod_config() {
  jq -n --arg name "$POD_NAME" --arg uid "uid-$POD_NAME-$ENG_NAME" --arg logs "$ENG_T/pod-logs/$POD_NAME" \
    --arg cg "$ENG_CG/$POD_NAME" --argjson ann "$POD_ANNOTATIONS" '{
      metadata: {name: $name, uid: $uid, namespace: "ward-test", attempt: 0},
      hostname: $name,
      log_directory: $logs,
      annotations: $ann,
      linux: {cgroup_parent: $cg}
    }'
}

# run_pod: RunPodSandbox with handler ward; sets POD.
run_pod() {
  mkdir -p "$ENG_T/pod-logs/$POD_NAME"
  cri RuntimeService.RunPodSandbox "$(jq -n --argjson c "$(pod_config)" '{config: $c, runtime_handler: "ward"}')"
  assert_success || return 1
  POD="$(jq -r .pod_sandbox_id <<<"$stdout")"
  POD_IDS="${POD_IDS:-} $POD"
}

# create_ctr NAME EXTRA-CONFIG-JSON CMD...: CreateContainer in $POD; sets CTR.
create_ctr() {
  local name="$1" extra="$2" cmd
  shift 2
  cmd="$(printf '%s\n' "$@" | jq -R . | jq -s .)"
  cri RuntimeService.CreateContainer "$(jq -n --arg pod "$POD" --argjson sb "$(pod_config)" \
    --arg name "$name" --arg img "$IMG" --argjson cmd "$cmd" --argjson extra "$extra" '{
      pod_sandbox_id: $pod, sandbox_config: $sb,
      config: ({metadata: {name: $name}, image: {image: $img}, command: $cmd,
                log_path: ($name + ".log"),
                annotations: {"example.com/other": "y"},
                linux: {}} + $extra)}')"
  assert_success || return 1
  CTR="$(jq -r .container_id <<<"$stdout")"
}

ctr_state() {
  "$ENG_PY" "$ENG_TOP/tests/cri/cri_client.py" --socket "$CTRD_SOCK" RuntimeService.ContainerStatus \
    "{\"container_id\": \"$1\"}" 2>/dev/null | jq -r .status.state
}

ctr_state_is() { [ "$(ctr_state "$1")" = "$2" ]; }

@test "cri: cri_v1_min.proto matches the CRI v1 API containerd serves" {
  eng_capture "$ENG_PY" "$ENG_TOP/tests/cri/cri_client.py" --check-against "$(command -v containerd)"
  assert_success
  assert_output_contains "0 differences"
  cri RuntimeService.Version '{"version": "v1"}'
  assert_success
  [ "$(jq -r .runtime_api_version <<<"$stdout")" = v1 ]
  cri RuntimeService.Status
  assert_success
  [ "$(jq -r '.status.conditions[] | select(.type == "RuntimeReady") | .status' <<<"$stdout")" = true ]
  [ "$(jq -r '.status.conditions[] | select(.type == "NetworkReady") | .status' <<<"$stdout")" = true ]
  cri ImageService.ImageStatus "{\"image\": {\"image\": \"$PAUSE\"}}"
  assert_success
  [ "$(jq -r '.image.repo_tags[0]' <<<"$stdout")" = "$PAUSE" ]
}

@test "cri: pod sandbox and container under the ward handler: create, start, exec, stop, remove" {
  run_pod
  # the sandbox is a ward container
  eng_ward_list "$WROOT" | grep -qxF "$POD" || fail "ward list --root $WROOT does not show the sandbox"
  eng_capture eng_ward_state "$WROOT" "$POD"
  assert_success
  local sb_state="$stdout" sb_pid
  [ "$(jq -r .status <<<"$sb_state")" = running ]
  [ "$(jq -r '.annotations["io.kubernetes.cri.container-type"]' <<<"$sb_state")" = sandbox ]
  sb_pid="$(jq -r .pid <<<"$sb_state")"
  [ "$(tr '\0' ' ' <"/proc/$sb_pid/cmdline")" = "/pause " ] || fail "the sandbox does not run /pause"
  cri RuntimeService.PodSandboxStatus "{\"pod_sandbox_id\": \"$POD\"}"
  assert_success
  [ "$(jq -r .status.state <<<"$stdout")" = SANDBOX_READY ]
  [ "$(jq -r .status.runtime_handler <<<"$stdout")" = ward ]
  local pod_ip
  pod_ip="$(jq -r .status.network.ip <<<"$stdout")"
  [[ "$pod_ip" == 10.213.0.* ]] || fail "no pod IP from the suite's CNI network"

  create_ctr app '{}' sh -c 'echo hello-from-app; trap "exit 0" TERM; while :; do sleep 0.1; done'
  [ "$(ctr_state "$CTR")" = CONTAINER_CREATED ]
  cri RuntimeService.StartContainer "{\"container_id\": \"$CTR\"}"
  assert_success
  wait_for 50 0.1 ctr_state_is "$CTR" CONTAINER_RUNNING
  eng_ward_list "$WROOT" | grep -qxF "$CTR" || fail "ward list does not show the container"
  eng_capture eng_ward_state "$WROOT" "$CTR"
  assert_success
  local c_pid
  c_pid="$(jq -r .pid <<<"$stdout")"
  # in the pod's network namespace, in the pod's cgroup
  [ "$(readlink "/proc/$c_pid/ns/net")" = "$(readlink "/proc/$sb_pid/ns/net")" ] ||
    fail "the container is not in the pod's network namespace"
  [ "$(readlink "/proc/$c_pid/ns/ipc")" = "$(readlink "/proc/$sb_pid/ns/ipc")" ] ||
    fail "the container is not in the pod's IPC namespace"
  grep -q ":$ENG_CG/$POD_NAME/$CTR\$" "/proc/$c_pid/cgroup" || fail "not in the pod's cgroup"
  wait_for 50 0.1 grep -q hello-from-app "$ENG_T/pod-logs/$POD_NAME/app.log"

  cri RuntimeService.ExecSync "{\"container_id\": \"$CTR\", \"cmd\": [\"sh\", \"-c\", \"hostname; ip -o -4 addr show eth0; echo oops >&2; exit 3\"], \"timeout\": 30}"
  assert_success
  [ "$(jq -r .exit_code <<<"$stdout")" = 3 ]
  [ "$(jq -r .stderr <<<"$stdout")" = oops ]
  jq -r .stdout <<<"$stdout" | grep -qx "$POD_NAME" || fail "exec: not the pod's hostname"
  jq -r .stdout <<<"$stdout" | grep -qF "inet $pod_ip/" || fail "exec: not the pod's address"

  cri RuntimeService.StopContainer "{\"container_id\": \"$CTR\", \"timeout\": 20}"
  assert_success
  [ "$(ctr_state "$CTR")" = CONTAINER_EXITED ]
  cri RuntimeService.ContainerStatus "{\"container_id\": \"$CTR\"}"
  [ "$(jq -r '.status.exit_code // 0' <<<"$stdout")" = 0 ]
  cri RuntimeService.RemoveContainer "{\"container_id\": \"$CTR\"}"
  assert_success
  assert_no_leftovers "$WROOT" "$CTR"

  cri RuntimeService.StopPodSandbox "{\"pod_sandbox_id\": \"$POD\"}"
  assert_success
  cri RuntimeService.RemovePodSandbox "{\"pod_sandbox_id\": \"$POD\"}"
  assert_success
  POD_IDS=
  assert_no_leftovers "$WROOT" "$POD"
  [ ! -e "/sys/fs/cgroup/pids$ENG_CG/$POD_NAME" ] || fail "the pod's cgroup parent is left"
  grep -qF "$ENG_T/containerd/state" "/proc/$ENG_HOLDER/mountinfo" &&
    fail "a mount under containerd's state dir is left: $(grep -F "$ENG_T/containerd/state" "/proc/$ENG_HOLDER/mountinfo")"
  return 0
}

@test "cri: run.ward.* pod and container annotations reach ward, others do not" {
  # ward rejects run.ward.* keys it does not know: only documented ones here
  POD_ANNOTATIONS='{"run.ward.agent": "pod-agent", "example.com/not-for-ward": "x"}'
  run_pod
  # containerd gives the pod's annotations to its sandbox (the pause
  # container) too, so ward must run /pause under the pod's policy
  wait_for 20 0.1 eval 'eng_ward_list "$WROOT" | grep -qxF "$POD"' ||
    fail "the sandbox is not running under a pod with run.ward.agent: $(grep -F "$POD" "$ENG_T/containerd/containerd.log" | grep -E 'exit|error' | tail -n 3)"
  create_ctr own '{"annotations": {"run.ward.agent": "ctr-agent", "example.com/other": "y"}}' sleep 600
  local own="$CTR"
  cri RuntimeService.StartContainer "{\"container_id\": \"$own\"}"
  assert_success
  create_ctr inherits '{}' sleep 600
  local inherits="$CTR"
  cri RuntimeService.StartContainer "{\"container_id\": \"$inherits\"}"
  assert_success

  # pod_annotations: the sandbox gets the pod's run.ward.*, nothing foreign
  eng_capture eng_ward_state "$WROOT" "$POD"
  assert_success
  local a
  a="$(jq -c .annotations <<<"$stdout")"
  [ "$(jq -r '.["run.ward.agent"]' <<<"$a")" = pod-agent ] || fail "sandbox: run.ward.agent: $a"
  [ "$(jq -r '.["example.com/not-for-ward"]' <<<"$a")" = null ] || fail "sandbox: a foreign annotation passed: $a"

  # container_annotations: a container's own run.ward.* wins over the pod's
  eng_capture eng_ward_state "$WROOT" "$own"
  assert_success
  a="$(jq -c .annotations <<<"$stdout")"
  [ "$(jq -r '.["run.ward.agent"]' <<<"$a")" = ctr-agent ] || fail "container: run.ward.agent: $a"
  [ "$(jq -r '.["example.com/other"]' <<<"$a")" = null ] || fail "container: a foreign annotation passed: $a"
  [ "$(jq -r '.["io.kubernetes.cri.sandbox-id"]' <<<"$a")" = "$POD" ]

  # pod_annotations also reach the pod's containers
  eng_capture eng_ward_state "$WROOT" "$inherits"
  assert_success
  [ "$(jq -r '.annotations["run.ward.agent"]' <<<"$stdout")" = pod-agent ] ||
    fail "container without its own: the pod's run.ward.agent did not reach it"
}

@test "cri: container_annotations: a container's run.ward.* reach ward in a plain pod" {
  run_pod
  create_ctr agent '{"annotations": {"run.ward.agent": "ctr-only-agent", "example.com/other": "y"}}' sleep 600
  cri RuntimeService.StartContainer "{\"container_id\": \"$CTR\"}"
  assert_success
  eng_capture eng_ward_state "$WROOT" "$CTR"
  assert_success
  [ "$(jq -r '.annotations["run.ward.agent"]' <<<"$stdout")" = ctr-only-agent ]
  [ "$(jq -r '.annotations["example.com/other"]' <<<"$stdout")" = null ]
  eng_capture eng_ward_state "$WROOT" "$POD"
  [ "$(jq -r '.annotations["run.ward.agent"]' <<<"$stdout")" = null ] ||
    fail "the container's annotation reached the sandbox"
  cri RuntimeService.ExecSync "{\"container_id\": \"$CTR\", \"cmd\": [\"echo\", \"exec-under-policy\"], \"timeout\": 30}"
  assert_success
  [ "$(jq -r .stdout <<<"$stdout")" = exec-under-policy ]
  cri RuntimeService.StopContainer "{\"container_id\": \"$CTR\", \"timeout\": 0}"
  assert_success
  cri RuntimeService.RemoveContainer "{\"container_id\": \"$CTR\"}"
  assert_success
  assert_no_leftovers "$WROOT" "$CTR"
}

@test "cri: ward's error for a bad mount is the CRI reply's message; nothing is left" {
  run_pod
  mkdir -p "$ENG_T/src"
  create_ctr bad "{\"mounts\": [{\"container_path\": \"/etc/passwd/sub\", \"host_path\": \"$ENG_T/src\"}]}" true
  cri RuntimeService.StartContainer "{\"container_id\": \"$CTR\"}"
  assert_failure
  assert_output_contains 'OCI runtime create failed: mounts['
  assert_output_contains '`/etc/passwd/sub`'
  assert_output_contains 'Not a directory'
  assert_no_leftovers "$WROOT" "$CTR"
  cri RuntimeService.RemoveContainer "{\"container_id\": \"$CTR\"}"
  assert_success
  # the sandbox is unharmed
  [ "$(eng_ward_state "$WROOT" "$POD" | jq -r .status)" = running ]
}

@test "cri: an unknown runtime handler is refused" {
  mkdir -p "$ENG_T/pod-logs/$POD_NAME"
  cri RuntimeService.RunPodSandbox "$(jq -n --argjson c "$(pod_config)" '{config: $c, runtime_handler: "no-such-handler"}')"
  assert_failure
  assert_output_contains 'no-such-handler'
}
