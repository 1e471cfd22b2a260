#!/usr/bin/env bats
# Agent policies run by an unprivileged user: no cgroup BPF for it, so
#   - a policy whose egress is TCP ports only is enforced with Landlock TCP
#     connect rules and seccomp refusing UDP sockets;
#   - anything else fails closed, unless the policy says best_effort; then
#     ingress deny falls back to Landlock TCP bind rules (every bind but to
#     port 0 refused, loopback included).
# The container shares the host's network (a rootless bundle has no network
# namespace); the test's servers listen on the host's loopback only.

load helpers_rootless
load helpers_policy

setup_file() { rl_user_create ward-rlp 700000; }
teardown_file() { rl_user_remove; }

setup() {
  rl_test_setup wt-rlpol
  skip_on_runc "agent policies are ward's"
  requires_policy landlock gcc
  cp "$(policy_probe_bin)" "$ROOTFS/bin/probe" || fail "cannot build the prober"
  # Two loopback ports of this test's own, one allowed and one not.
  PORT_OK=$((20000 + ($$ + BATS_TEST_NUMBER) % 20000))
  PORT_NO=$((PORT_OK + 1))
}

teardown() { rl_test_teardown; }

# rl_policy JSON ARGS...: the policy and the prober's actions, as the user.
rl_policy() {
  local args
  args="$(jq -n -c '$ARGS.positional' --args "${@:2}")"
  rl_update_config '.annotations["run.ward.policy"] = $p | .process.args = ["/bin/probe"] + $a' \
    --arg p "$1" --argjson a "$args"
}

# serve_loopback PORT...: accept-and-close servers on the host's 127.0.0.1
# (busybox nc cannot bind one address).
serve_loopback() {
  requires python3
  local port
  for port in "$@"; do
    python3 -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
while True:
    s.accept()[0].close()' "$port" </dev/null >/dev/null 2>&1 &
    defer kill $!
  done
  sleep 0.3
}

@test "rootless: TCP port-only egress is Landlock connect rules; UDP refused; the same without a policy connects" {
  serve_loopback "$PORT_OK" "$PORT_NO"
  rl_update_config '.process.args = ["/bin/probe", $a, $b]' \
    --arg a "connect4 127.0.0.1 $PORT_OK" --arg b "connect4 127.0.0.1 $PORT_NO"
  rl_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_probe "connect4 127.0.0.1 $PORT_NO" ok
  rl_policy "{\"filesystem\": {\"readwritePaths\": [\"/\"]}, \"network\": {\"egress\": {\"default\": \"deny\", \"allow\": [{\"ports\": [{\"protocol\": \"tcp\", \"port\": $PORT_OK}]}]}, \"ingress\": {\"default\": \"allow\"}}}" \
    "connect4 127.0.0.1 $PORT_OK" "connect4 127.0.0.1 $PORT_NO" "udp4 127.0.0.1 $PORT_OK"
  rl_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_probe "connect4 127.0.0.1 $PORT_OK" ok
  assert_probe "connect4 127.0.0.1 $PORT_NO" EACCES
  assert_probe "udp4 127.0.0.1 $PORT_OK" EPERM
}

@test "rootless: ingress deny fails closed; under best_effort Landlock bind rules refuse fixed ports, port 0 works" {
  rl_policy '{"filesystem": {"readwritePaths": ["/"]}, "network": {"egress": {"default": "allow"}, "ingress": {"default": "deny"}}}' \
    "bind4 $PORT_NO" "bind4 0"
  rl_run run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ] || fail "started without an ingress filter"
  [[ "$stderr" == *"network.ingress.default: deny needs BPF programs on a cgroup2 hierarchy"* ]] || fail "stderr: $stderr"
  [ ! -e "$ROOT/$CID" ] || fail "state left behind"
  rl_policy '{"compatibility": "best_effort", "filesystem": {"readwritePaths": ["/"]}, "network": {"egress": {"default": "allow"}, "ingress": {"default": "deny"}}}' \
    "bind4 $PORT_NO" "bind4 0"
  rl_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [[ "$stderr" == *"network.ingress.default"*"best_effort: not enforced"* ]] || fail "no warning: $stderr"
  assert_probe "bind4 $PORT_NO" EACCES
  assert_probe "bind4 0" ok
  rl_policy '{"filesystem": {"readwritePaths": ["/"]}, "network": {"egress": {"default": "allow"}, "ingress": {"default": "allow"}}}' \
    "bind4 $PORT_NO"
  rl_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_probe "bind4 $PORT_NO" ok
}

@test "rootless: the report and ward exec carry the Landlock network rules" {
  rl_policy "{\"compatibility\": \"best_effort\", \"filesystem\": {\"readwritePaths\": [\"/\"]}, \"network\": {\"egress\": {\"default\": \"deny\", \"allow\": [{\"ports\": [{\"protocol\": \"tcp\", \"port\": $PORT_OK}]}]}}}"
  rl_update_config '.process.args = ["sleep", "60"]'
  rl_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  as_user "$WARD_BIN" --root "$ROOT" state "$CID" | jq -r '.annotations["run.ward.enforced"]' | grep -q "net=landlock-tcp+bind" ||
    fail "report: $(as_user "$WARD_BIN" --root "$ROOT" state "$CID" | jq -r '.annotations["run.ward.enforced"]')"
  rl_run exec "$CID" /bin/probe "bind4 $PORT_NO" "udp4 127.0.0.1 $PORT_OK"
  assert_success
  assert_probe "bind4 $PORT_NO" EACCES
  assert_probe "udp4 127.0.0.1 $PORT_OK" EPERM
}

@test "rootless: egress by address or name fails closed with one line, nothing left" {
  rl_policy '{"network": {"egress": {"default": "deny", "allow": [{"to": [{"cidr": "127.0.0.1/32"}]}]}}}'
  rl_run create --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ] || fail "create succeeded"
  [[ "$stderr" == *"network.egress"*"needs BPF programs on a cgroup2 hierarchy, which this host does not offer to an unprivileged user"* ]] ||
    fail "stderr: $stderr"
  [ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || fail "more than one line: $stderr"
  [ ! -e "$ROOT/$CID" ] || fail "state left behind"
  rl_policy '{"network": {"egress": {"default": "deny", "allow": [{"to": [{"host": "example.test"}]}]}}}'
  rl_run create --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ] || fail "create succeeded"
  [[ "$stderr" == *"network.egress"* ]] || fail "stderr: $stderr"
  [ ! -e "$ROOT/$CID" ] || fail "state left behind"
}

@test "rootless: best_effort starts without the BPF filter, warns, and the report lists it" {
  rl_policy '{"compatibility": "best_effort", "filesystem": {"readwritePaths": ["/"]}, "network": {"egress": {"default": "deny", "allow": [{"to": [{"cidr": "127.0.0.1/32"}]}]}}}' \
    "connect4 127.0.0.1 $PORT_NO"
  rl_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [[ "$stderr" == *"network.egress"*"best_effort: not enforced"* ]] || fail "no warning: $stderr"
}
