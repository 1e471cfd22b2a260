#!/usr/bin/env bats
# Egress and ingress by address: the container joins a network namespace
# the test made (a veth pair to a second namespace with test servers on
# addresses of the test's own); the BPF programs on its cgroup decide.
# Never any traffic outside these two namespaces.

load helpers_policy

setup() {
  ward_setup
  skip_on_runc "agent policies are ward's"
  requires_policy landlock cgroup2
  install_probe
  setup_test_net
}

net_policy() {
  set_policy "{\"filesystem\": {\"readwritePaths\": [\"/\"]}, \"network\": $1}"
}

@test "egress: an allowed address and port connects, another port and address are refused" {
  serve 8080 8081
  net_policy "{\"egress\": {\"default\": \"deny\", \"allow\": [{\"to\": [{\"cidr\": \"10.$NET_OCT.0.2/32\"}], \"ports\": [{\"protocol\": \"tcp\", \"port\": 8080}]}]}}"
  probe_run "connect4 10.$NET_OCT.0.2 8080" "connect4 10.$NET_OCT.0.2 8081" "connect4 10.$NET_OCT.0.3 8080"
  assert_success
  assert_probe "connect4 10.$NET_OCT.0.2 8080" ok
  assert_probe "connect4 10.$NET_OCT.0.2 8081" EPERM
  assert_probe "connect4 10.$NET_OCT.0.3 8080" EPERM
}

@test "egress: the same connections without a policy all work (the test is honest)" {
  serve 8080 8081
  probe_run "connect4 10.$NET_OCT.0.2 8080" "connect4 10.$NET_OCT.0.2 8081" "connect4 10.$NET_OCT.0.3 8080"
  assert_success
  assert_probe "connect4 10.$NET_OCT.0.2 8081" ok
  assert_probe "connect4 10.$NET_OCT.0.3 8080" ok
}

@test "egress: except narrows an allow rule, a deny rule outranks it" {
  serve 8080
  net_policy "{\"egress\": {\"allow\": [{\"to\": [{\"cidr\": \"10.$NET_OCT.0.0/24\", \"except\": [\"10.$NET_OCT.0.3/32\"]}]}], \"deny\": [{\"to\": [{\"cidr\": \"10.$NET_OCT.0.2/32\"}], \"ports\": [{\"protocol\": \"udp\", \"port\": 53}]}]}}"
  probe_run "connect4 10.$NET_OCT.0.2 8080" "connect4 10.$NET_OCT.0.3 8080" "udp4 10.$NET_OCT.0.2 53" "udp4 10.$NET_OCT.0.2 54"
  assert_success
  assert_probe "connect4 10.$NET_OCT.0.2 8080" ok
  assert_probe "connect4 10.$NET_OCT.0.3 8080" EPERM
  assert_probe "udp4 10.$NET_OCT.0.2 53" EPERM
  assert_probe "udp4 10.$NET_OCT.0.2 54" ok
}

@test "egress: UDP to a disallowed address is refused, to an allowed one sent" {
  net_policy "{\"egress\": {\"allow\": [{\"to\": [{\"cidr\": \"10.$NET_OCT.0.2/32\"}], \"ports\": [{\"protocol\": \"udp\", \"port\": 5353}]}]}}"
  probe_run "udp4 10.$NET_OCT.0.2 5353" "udp4 10.$NET_OCT.0.3 5353" "udp4 10.$NET_OCT.0.2 5354"
  assert_success
  assert_probe "udp4 10.$NET_OCT.0.2 5353" ok
  assert_probe "udp4 10.$NET_OCT.0.3 5353" EPERM
  assert_probe "udp4 10.$NET_OCT.0.2 5354" EPERM
}

@test "egress: IPv6 and v4-mapped IPv6 follow the same rules" {
  serve 8080
  net_policy "{\"egress\": {\"allow\": [{\"to\": [{\"cidr\": \"fd00:$NET_OCT::2/128\"}, {\"cidr\": \"10.$NET_OCT.0.2/32\"}]}]}}"
  probe_run "connect6 fd00:$NET_OCT::2 8080" "connect6 fd00:$NET_OCT::3 8080" \
    "connect6 ::ffff:10.$NET_OCT.0.3 8080" "connect6 ::ffff:10.$NET_OCT.0.2 8080"
  assert_success
  assert_probe "connect6 fd00:$NET_OCT::2 8080" ok
  assert_probe "connect6 fd00:$NET_OCT::3 8080" EPERM
  assert_probe "connect6 ::ffff:10.$NET_OCT.0.3 8080" EPERM
}

@test "egress: the container's own loopback always works, busybox clients are refused too" {
  net_policy '{"egress": {"default": "deny"}, "ingress": {"default": "allow"}}'
  set_script "nc -ll -p 7070 -e /bin/true & sleep 0.3; /bin/probe 'connect4 127.0.0.1 7070';
    nc -w 2 10.$NET_OCT.0.2 8080 </dev/null; echo nc=\$?"
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_probe "connect4 127.0.0.1 7070" ok
  assert_output_contains "nc=1"
  assert_output_contains "can't connect to remote host (10.$NET_OCT.0.2): Operation not permitted"
}

@test "egress: legacy 0.7 fields (allowedHosts, blockedHosts) mean the same" {
  serve 8080
  set_policy "{\"version\": \"0.7.0-alpha\", \"filesystem\": {\"readwritePaths\": [\"/\"]}, \"network\": {\"defaultPolicy\": \"block\", \"allowedHosts\": [\"10.$NET_OCT.0.0/24\"], \"blockedHosts\": [\"10.$NET_OCT.0.3\"], \"allowLocalNetwork\": true}}"
  probe_run "connect4 10.$NET_OCT.0.2 8080" "connect4 10.$NET_OCT.0.3 8080"
  assert_success
  assert_probe "connect4 10.$NET_OCT.0.2 8080" ok
  assert_probe "connect4 10.$NET_OCT.0.3 8080" EPERM
}

@test "egress: the offline profile refuses everything, even what a document allows" {
  serve 8080
  set_profile offline
  set_policy "{\"network\": {\"egress\": {\"default\": \"allow\", \"allow\": [{\"to\": [{\"cidr\": \"10.$NET_OCT.0.2/32\"}]}]}}}"
  probe_run "connect4 10.$NET_OCT.0.2 8080" "udp4 10.$NET_OCT.0.2 53"
  assert_success
  assert_probe "connect4 10.$NET_OCT.0.2 8080" EPERM
  assert_probe "udp4 10.$NET_OCT.0.2 53" EPERM
}

@test "ingress: default deny refuses listening on a fixed port, and audits it; allow permits it" {
  net_policy '{"egress": {"default": "allow"}, "ingress": {"default": "deny"}}'
  set_args sleep 60
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  ward_run exec "$CID" /bin/probe "bind4 9000" "bind4 0"
  assert_success
  assert_probe "bind4 9000" EPERM
  assert_probe "bind4 0" ok
  wait_for 40 0.05 file_contains "$ROOT/$CID/audit.jsonl" '"bind"'
  jq -e -s 'map(select(.action == "bind")) | length == 1 and (.[0] | .target.address == "0.0.0.0"
      and .target.port == 9000 and .target.protocol == "tcp" and .rule == "network.ingress.default")' \
    "$ROOT/$CID/audit.jsonl" >/dev/null || fail "no single bind line: $(cat "$ROOT/$CID/audit.jsonl")"
  ward_run delete --force "$CID"
  net_policy '{"egress": {"default": "allow"}, "ingress": {"default": "allow"}}'
  probe_run "bind4 9000"
  assert_probe "bind4 9000" ok
}

# connect_from_outside [PORT-FILE]: once the container's listener wrote its
# port to PORT-FILE (default: /port in the rootfs), connect to it from
# $NET_SRV; nc's status goes to $BATS_TEST_TMPDIR/nc.
connect_from_outside() {
  local file="${1:-$ROOTFS/port}"
  rm -f "$file" "$BATS_TEST_TMPDIR/nc"
  (
    wait_for 50 0.1 test -s "$file"
    local rc=0
    timeout 2 nsenter --net="/run/netns/$NET_SRV" "$BUSYBOX" nc "10.$NET_OCT.0.1" "$(cat "$file")" </dev/null >/dev/null 2>&1 || rc=$?
    echo "nc=$rc" >"$BATS_TEST_TMPDIR/nc"
  ) &
  defer kill $!
}

@test "ingress: default deny drops connections from outside to a listener on an ephemeral port, and audits them" {
  net_policy '{"egress": {"default": "allow"}, "ingress": {"default": "deny"}}'
  set_args sleep 60
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  connect_from_outside
  ward_run exec "$CID" /bin/probe "listen4 /port"
  assert_probe "listen4 /port" ETIMEDOUT
  wait_for 50 0.1 test -s "$BATS_TEST_TMPDIR/nc"
  [ "$(cat "$BATS_TEST_TMPDIR/nc")" != nc=0 ] || fail "the outside connection got through"
  local port
  port="$(cat "$ROOTFS/port")"
  jq -e -s --argjson p "$port" --arg a "10.$NET_OCT.0.2" 'map(select(.action == "accept")) | length == 1
      and (.[0] | .verdict == "denied" and .target.address == $a and .target.port == $p
        and .target.protocol == "tcp" and .rule == "network.ingress.default")' "$ROOT/$CID/audit.jsonl" >/dev/null ||
    fail "no single accept line: $(cat "$ROOT/$CID/audit.jsonl" 2>&1)"
}

@test "ingress: through ward sandbox too, an outside connection to an ephemeral port is dropped (allow: accepted)" {
  local dir="$BATS_TEST_TMPDIR/sbx" ingress want
  mkdir -p "$dir"
  cp "$(policy_probe_bin)" "$dir/probe"
  for ingress in deny allow; do
    echo "{\"filesystem\": {\"readwritePaths\": [\"$dir\"]}, \"network\": {\"egress\": {\"default\": \"allow\"}, \"ingress\": {\"default\": \"$ingress\"}}}" >"$dir/policy.json"
    connect_from_outside "$dir/port"
    ward_capture nsenter --net="/run/netns/$NET_CT" "$WARD_BIN" --root "$ROOT" sandbox \
      --config "$dir/policy.json" -- "$dir/probe" "listen4 $dir/port"
    assert_success
    want=ETIMEDOUT
    [ "$ingress" = deny ] || want=ok
    assert_probe "listen4 $dir/port" "$want"
    wait_for 50 0.1 test -s "$BATS_TEST_TMPDIR/nc"
  done
}

@test "ingress: with default deny the container still reaches its own listener over loopback" {
  net_policy '{"egress": {"default": "allow"}, "ingress": {"default": "deny"}}'
  set_script "/bin/probe 'listen4 /port' & while [ ! -s /port ]; do sleep 0.05; done
    /bin/probe \"connect4 127.0.0.1 \$(cat /port)\"; wait"
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_probe "listen4 /port" ok
  assert_output_contains ": ok"
}

@test "ingress: allow lets the same outside connection in (the test is honest)" {
  net_policy '{"egress": {"default": "allow"}, "ingress": {"default": "allow"}}'
  connect_from_outside
  probe_run "listen4 /port"
  assert_probe "listen4 /port" ok
  wait_for 50 0.1 test -s "$BATS_TEST_TMPDIR/nc"
  [ "$(cat "$BATS_TEST_TMPDIR/nc")" = nc=0 ] || fail "the outside connection failed"
}

@test "egress: ICMP to an allowed address is answered, to another refused (EPERM; IPv6: unanswered)" {
  update_config '.linux.sysctl["net.ipv4.ping_group_range"] = "0 0"'
  net_policy "{\"egress\": {\"default\": \"deny\", \"allow\": [{\"to\": [{\"cidr\": \"10.$NET_OCT.0.2/32\"}, {\"cidr\": \"fd00:$NET_OCT::2/128\"}], \"ports\": [{\"protocol\": \"icmp\"}]}]}}"
  probe_run "ping4 10.$NET_OCT.0.2" "ping4 10.$NET_OCT.0.3" "ping6 fd00:$NET_OCT::2" "ping6 fd00:$NET_OCT::3" "connect4 10.$NET_OCT.0.2 8080" "raw"
  assert_success
  assert_probe "ping4 10.$NET_OCT.0.2" ok
  assert_probe "ping4 10.$NET_OCT.0.3" EPERM
  assert_probe "ping6 fd00:$NET_OCT::2" ok
  # the kernel drops the IPv6 echo without telling the ping socket
  assert_probe "ping6 fd00:$NET_OCT::3" ETIMEDOUT
  # icmp allows icmp only, and raw sockets stay refused
  assert_probe "connect4 10.$NET_OCT.0.2 8080" EPERM
  assert_probe "raw" EPERM
}

@test "egress: without an ICMP rule ping sockets are refused; without a policy every ping works" {
  update_config '.linux.sysctl["net.ipv4.ping_group_range"] = "0 0"'
  probe_run "ping4 10.$NET_OCT.0.2" "ping4 10.$NET_OCT.0.3" "ping6 fd00:$NET_OCT::3"
  assert_probe "ping4 10.$NET_OCT.0.2" ok
  assert_probe "ping4 10.$NET_OCT.0.3" ok
  assert_probe "ping6 fd00:$NET_OCT::3" ok
  net_policy "{\"egress\": {\"default\": \"deny\", \"allow\": [{\"to\": [{\"cidr\": \"10.$NET_OCT.0.2/32\"}], \"ports\": [{\"protocol\": \"tcp\", \"port\": 8080}]}]}}"
  probe_run "ping4 10.$NET_OCT.0.2"
  assert_probe "ping4 10.$NET_OCT.0.2" EPERM
}

@test "egress: a bundle without a network namespace gets an empty one" {
  remove_namespace network
  net_policy '{"egress": {"default": "deny"}}'
  set_script "ip link 2>/dev/null | grep -c ': ' ; /bin/probe 'connect4 10.$NET_OCT.0.2 8080'"
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = 1 ] || fail "more than the loopback: ${lines[0]}"
  [[ "$output" == *"connect4 10.$NET_OCT.0.2 8080: ENETUNREACH"* ]] || fail "reached the host's network"
}
