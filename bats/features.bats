#!/usr/bin/env bats
# features: the runtime-spec features document.

load helpers

@test "features prints valid JSON with the spec version range" {
  ward_run features
  assert_success
  jq -e . <<<"$stdout" >/dev/null
  jq -e '.ociVersionMin | test("^1\\.[0-9]+\\.[0-9]+")' <<<"$stdout"
  jq -e '.ociVersionMax | test("^1\\.[0-9]+\\.[0-9]+")' <<<"$stdout"
  if runtime_is_ward; then
    jq -e '.ociVersionMax | test("^1\\.(2|3)\\.")' <<<"$stdout"
  fi
}

@test "features lists the namespaces" {
  ward_run features
  assert_success
  for ns in pid network ipc uts mount user cgroup; do
    jq -e --arg n "$ns" '.linux.namespaces | index($n) != null' <<<"$stdout" || fail "namespace $ns not listed"
  done
  if runtime_is_ward; then
    jq -e '.linux.namespaces | index("time") != null' <<<"$stdout"
  fi
}

@test "features lists capabilities, mount options, hooks and seccomp" {
  ward_run features
  assert_success
  jq -e '.linux.capabilities | index("CAP_SYS_ADMIN") != null and index("CAP_CHOWN") != null' <<<"$stdout"
  for o in bind rbind ro nosuid nodev noexec rro; do
    jq -e --arg o "$o" '.mountOptions | index($o) != null' <<<"$stdout" || fail "mount option $o not listed"
  done
  jq -e '.hooks | type == "array"' <<<"$stdout"
  jq -e '.linux.seccomp.enabled == true' <<<"$stdout"
  jq -e '.linux.seccomp.actions | index("SCMP_ACT_ERRNO") != null' <<<"$stdout"
  jq -e '.linux.cgroup.v1 == true' <<<"$stdout"
}

@test "features takes no container id and needs no --root" {
  ward_run_noroot --root "$BUNDLE/nonexistent-root" features
  assert_success
  jq -e . <<<"$stdout" >/dev/null
}
