#!/usr/bin/env bats
# The engine files in contrib/ are well-formed and agree with each other:
# one handler name from the containerd/CRI-O configs to the RuntimeClass and
# the pod example, and only annotation keys ward knows. (podman.bats and
# cri.bats load the podman and containerd files into the real engines.)

load engines

setup() {
  "$ENG_PY" -c 'import tomllib' 2>/dev/null || skip "needs python 3.11 (tomllib)"
}

toml() {
  eng_capture "$ENG_PY" -c 'import json, sys, tomllib; print(json.dumps(tomllib.load(open(sys.argv[1], "rb"))))' "$1"
}

yaml() {
  eng_require_python_module yaml python3-yaml
  eng_capture "$ENG_PY" -c 'import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))' "$1"
}

@test "contrib/podman/containers.conf: a ward runtime podman can use" {
  toml "$ENG_TOP/contrib/podman/containers.conf"
  assert_success
  jq -e '.engine.runtimes.ward | index("/usr/local/bin/ward") != null' <<<"$stdout" >/dev/null ||
    fail "no ward entry in [engine.runtimes]"
  # podman's defaults are kept, ward added
  jq -e '.engine.runtime_supports_json | (index("ward") != null and index("crun") != null and index("runc") != null)' \
    <<<"$stdout" >/dev/null || fail "runtime_supports_json must list ward next to podman's defaults"
}

@test "contrib/containerd/config.toml: a runc v2 handler named ward with run.ward.* annotations" {
  toml "$ENG_TOP/contrib/containerd/config.toml"
  assert_success
  local h='.plugins["io.containerd.grpc.v1.cri"].containerd.runtimes.ward'
  [ "$(jq -r "$h.runtime_type" <<<"$stdout")" = io.containerd.runc.v2 ]
  [ "$(jq -r "$h.options.BinaryName" <<<"$stdout")" = /usr/local/bin/ward ]
  [ "$(jq -c "$h.pod_annotations" <<<"$stdout")" = '["run.ward.*"]' ]
  [ "$(jq -c "$h.container_annotations" <<<"$stdout")" = '["run.ward.*"]' ]
  [ "$(jq -r .version <<<"$stdout")" = 2 ]
}

@test "contrib/crio/50-ward.conf: a ward handler with run.ward. annotations allowed" {
  toml "$ENG_TOP/contrib/crio/50-ward.conf"
  assert_success
  local h='.crio.runtime.runtimes.ward'
  [ "$(jq -r "$h.runtime_path" <<<"$stdout")" = /usr/local/bin/ward ]
  [ "$(jq -r "$h.runtime_type" <<<"$stdout")" = oci ]
  jq -e "$h.allowed_annotations | index(\"run.ward.\") != null" <<<"$stdout" >/dev/null ||
    fail "allowed_annotations does not list run.ward."
}

@test "contrib/kubernetes: RuntimeClass handler ward, selected by the pod example" {
  yaml "$ENG_TOP/contrib/kubernetes/runtimeclass.yaml"
  assert_success
  [ "$(jq -r '.[0].apiVersion' <<<"$stdout")" = node.k8s.io/v1 ]
  [ "$(jq -r '.[0].kind' <<<"$stdout")" = RuntimeClass ]
  [ "$(jq -r '.[0].handler' <<<"$stdout")" = ward ]
  local class
  class="$(jq -r '.[0].metadata.name' <<<"$stdout")"

  yaml "$ENG_TOP/contrib/kubernetes/pod-example.yaml"
  assert_success
  [ "$(jq -r '.[0].kind' <<<"$stdout")" = Pod ]
  [ "$(jq -r '.[0].spec.runtimeClassName' <<<"$stdout")" = "$class" ]
  # ward's annotations only, and only keys ward knows (it refuses others)
  local keys
  keys="$(jq -r '.[0].metadata.annotations | keys[] | select(startswith("run.ward."))' <<<"$stdout")"
  [ -n "$keys" ] || fail "the pod example carries no run.ward.* annotation"
  local k
  for k in $keys; do
    case "$k" in
    run.ward.policy | run.ward.policy.file | run.ward.profile | run.ward.agent) ;;
    *) fail "unknown ward annotation in the pod example: $k" ;;
    esac
  done
}
