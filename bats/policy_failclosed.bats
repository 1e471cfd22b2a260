#!/usr/bin/env bats
# Fail closed (POLICY.md §5): a policy this host cannot enforce makes create
# fail with one line naming the field and the missing mechanism, and leaves
# nothing behind; "compatibility": "best_effort" starts with less, warns,
# and lists each weakening in the report.  Also the document errors, which
# must be caught before anything exists.

load helpers_policy

setup() {
  ward_setup
  skip_on_runc "agent policies are ward's"
  requires_policy landlock
}

selinux_enabled() {
  [ -e /sys/fs/selinux/enforce ] && grep -q . /sys/fs/selinux/enforce 2>/dev/null
}

@test "fail closed: SELinux labels required on a host without SELinux" {
  selinux_enabled && skip "SELinux is enabled here"
  set_policy '{"identity": {"agent": "a1", "selinux": "required"}}'
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_error "policy: identity.selinux: SELinux labels are required but SELinux is not enabled on this host"
  assert_no_leftovers
}

@test "fail closed: a microvm level" {
  set_policy '{"containment": "microvm"}'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_error "policy: containment: microvm needs a VM backend (KVM and a libkrun-style handler), which ward does not have"
  assert_no_leftovers
}

@test "fail closed: egress by host name where resolv.conf cannot name the resolver" {
  # the host's network, a read-only rootfs without /etc/resolv.conf
  remove_namespace network
  update_config '.root.readonly = true'
  rm -f "$ROOTFS/etc/resolv.conf"
  set_policy '{"network": {"egress": {"allow": [{"to": [{"host": "api.github.com"}]}]}}}'
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_error "policy: egress by host name: /etc/resolv.conf cannot point to the resolver: No such file or directory"
  assert_no_leftovers
}

@test "fail closed: a Windows-only grant with no Linux meaning" {
  set_policy '{"processContainer": {"capabilities": ["internetClient"]}}'
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_error "policy: processContainer.capabilities: AppContainer capabilities grant Windows access with no Linux meaning"
  assert_no_leftovers
}

@test "fail closed: the host's loopback from the container's own namespace" {
  set_policy '{"network": {"ingress": {"hostLoopback": "allow"}}}'
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_error "policy: network.ingress.hostLoopback: allow: the host's loopback is not reachable from the container's own network namespace"
  assert_no_leftovers
}

@test "best_effort: starts with less, warns, and reports every weakening" {
  set_policy '{"compatibility": "best_effort", "containment": "microvm", "identity": {"selinux": "required"}, "filesystem": {"readwritePaths": ["/"]}}'
  set_args sleep 30
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains "containment: microvm needs a VM backend"
  assert_output_contains "(best_effort: not enforced)"
  local rep
  rep="$(enforced_report "$CID")"
  selinux_enabled || [[ "$rep" == *"weakened=2"* ]] || fail "report: $rep"
  jq -e '.weakened | map(.field) | index("containment") != null' "$ROOT/$CID/plan.json"
}

@test "document errors name the JSON path and leave nothing" {
  set_policy '{"network": {"egress": {"allow": [{}, {}, {"to": [{"cidr": "10.0.0/8"}]}]}}}'
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_error 'policy: network.egress.allow[2].to[0].cidr: "10.0.0/8" is not a CIDR'
  assert_no_leftovers
  set_policy '{"filesytem": {}}'
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_error "policy: filesytem: unknown field"
  assert_no_leftovers
  update_config '.annotations = {"run.ward.polcy": "{}"}'
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_error 'unknown ward annotation "run.ward.polcy"'
  assert_no_leftovers
  update_config '.annotations = {"run.ward.profile": "codng"}'
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_error 'run.ward.profile: unknown profile "codng"'
  assert_no_leftovers
}

@test "ward policy check / explain / profiles / show" {
  printf '%s' '{"network": {"egress": {"allow": [{"to": [{"cidr": "10.0.0.0/8"}], "ports": [{"protocol": "tcp", "port": 443}]}]}}}' >"$BUNDLE/p.json"
  ward_run policy check "$BUNDLE/p.json"
  assert_success
  assert_output_contains "p.json: ok"
  printf '%s' '{"network": {"egress": {"allow": [{"ports": [{"port": 70000}]}]}}}' >"$BUNDLE/bad.json"
  ward_run policy check "$BUNDLE/bad.json"
  assert_error "policy: network.egress.allow[0].ports[0].port: expected an integer from 1 to 65535"
  ward_run policy explain "$BUNDLE/p.json"
  assert_success
  assert_output_contains "Landlock ABI"
  assert_output_contains "allow 10.0.0.0/8"
  ward_run policy explain --json "$BUNDLE/p.json"
  assert_success
  echo "$output" | jq -e '.network.allow[0].cidr == "10.0.0.0/8"'
  set_profile coding
  ward_run policy explain --bundle "$BUNDLE"
  assert_success
  assert_output_contains "/etc/shadow"
  ward_run policy profiles
  assert_success
  assert_output_contains "coding"
  assert_output_contains "offline"
  assert_output_contains "readonly"
  ward_run policy show offline
  assert_success
  echo "$output" | jq -e '.network.egress.default == "deny"'
  for f in "$WARD_TOP"/contrib/policies/*.json; do
    "$WARD_BIN" policy check "$f" >/dev/null || fail "contrib example $f does not check"
  done
}
