#!/usr/bin/env bats
# Egress by host name: the container's resolver answers only what the
# policy allows and puts each answer into the kernel allow map; the BPF
# programs refuse everything else.  The test's own network namespaces,
# addresses and DNS server (helpers_netns.bash); no other traffic.

load helpers_netns

setup() {
  ward_setup
  skip_on_runc "agent policies are ward's"
  setup_dns_net
  serve_srv 8080 8081
}

ALLOW_8080='{"default": "deny", "allow": [{"to": [{"host": "allowed.test"}], "ports": [{"protocol": "tcp", "port": 8080}]}]}'

@test "names: without a policy every name resolves and connects (the test is honest)" {
  printf 'nameserver %s\n' "$EN_DNS" >"$ROOTFS/etc/resolv.conf"
  eprobe_run "tcp denied.test 8080" "tcp allowed.test 8081" "resolve cname-to-denied.test"
  assert_success
  assert_probe "tcp denied.test 8080 10.123.0.3" ok
  assert_probe "tcp allowed.test 8081 10.123.0.2" ok
  assert_probe "resolve cname-to-denied.test" "10.123.0.3,fd00:123::3"
}

@test "names: an allowed name on its port connects (IPv4 and IPv6), another port is refused" {
  names_policy "$ALLOW_8080"
  eprobe_run "resolve allowed.test" "tcp allowed.test 8080" "tcp allowed.test 8081" "udp allowed.test 8080"
  assert_success
  assert_probe "resolve allowed.test" "10.123.0.2,fd00:123::2"
  assert_probe "tcp allowed.test 8080 10.123.0.2" ok
  assert_probe "tcp allowed.test 8080 fd00:123::2" ok
  assert_probe "tcp allowed.test 8081 10.123.0.2" EPERM
  assert_probe "tcp allowed.test 8081 fd00:123::2" EPERM
  assert_probe "udp allowed.test 8080 10.123.0.2" EPERM
}

@test "names: a denied name gets no answer and never reaches the upstream" {
  names_policy "{\"default\": \"deny\", \"allow\": [{\"to\": [{\"host\": \"allowed.test\"}]}], \"deny\": [{\"to\": [{\"host\": \"other.test\"}]}]}"
  eprobe_run "resolve denied.test" "resolve other.test" "resolve-tcp denied.test" "resolve allowed.test"
  assert_success
  assert_probe "resolve denied.test" REFUSED
  assert_probe "resolve other.test" REFUSED
  assert_probe "resolve-tcp denied.test" REFUSED
  assert_probe "resolve allowed.test" "10.123.0.2,fd00:123::2"
  ! grep -q "query.*denied.test" "$BATS_TEST_TMPDIR/dnsmasq.log" || fail "denied.test reached the upstream"
  ! grep -q "query.*other.test" "$BATS_TEST_TMPDIR/dnsmasq.log" || fail "other.test reached the upstream"
}

@test "names: the literal address of a denied host is refused, by every protocol and family" {
  names_policy "$ALLOW_8080"
  eprobe_run "connect4 10.123.0.3 8080" "connect6 fd00:123::3 8080" "connect6 ::ffff:10.123.0.3 8080" \
    "udp4 10.123.0.3 8080" "udp6 fd00:123::3 8080" "udp6 ::ffff:10.123.0.3 443" "mptcp 10.123.0.3 8080" \
    "tcp allowed.test 8080" "connect6 ::ffff:10.123.0.2 8080" "mptcp 10.123.0.2 8080"
  assert_success
  for p in "connect4 10.123.0.3 8080" "connect6 fd00:123::3 8080" "connect6 ::ffff:10.123.0.3 8080" \
    "udp4 10.123.0.3 8080" "udp6 fd00:123::3 8080" "udp6 ::ffff:10.123.0.3 443" "mptcp 10.123.0.3 8080"; do
    assert_probe "$p" EPERM
  done
  # a v4-mapped address is IPv4 on the wire: an answered address works both ways
  assert_probe "connect6 ::ffff:10.123.0.2 8080" ok
  # MPTCP runs the same hooks: refused above because of the address only
  assert_probe "mptcp 10.123.0.2 8080" ok
}

@test "names: a name with an allowed and a denied address reaches only the allowed one" {
  names_policy "{\"default\": \"deny\", \"allow\": [{\"to\": [{\"host\": \"multi.test\"}], \"ports\": [{\"protocol\": \"tcp\", \"port\": 8080}]}], \"deny\": [{\"to\": [{\"cidr\": \"10.123.0.3/32\"}]}]}"
  eprobe_run "tcp multi.test 8080"
  assert_success
  assert_probe "tcp multi.test 8080 10.123.0.2" ok
  assert_probe "tcp multi.test 8080 10.123.0.3" EPERM
}

@test "names: raw, packet and io_uring are refused" {
  names_policy "$ALLOW_8080"
  eprobe_run raw packet io_uring "tcp allowed.test 8080"
  assert_success
  assert_probe raw EPERM
  assert_probe packet EPERM
  assert_probe io_uring EPERM
  assert_probe "tcp allowed.test 8080 10.123.0.2" ok
}

@test "names: another resolver (the upstream itself, UDP and TCP) is unreachable" {
  names_policy "$ALLOW_8080"
  eprobe_run "dnsq $EN_DNS allowed.test" "dnsq fd00:123::53 allowed.test" "connect4 $EN_DNS 53" "resolve allowed.test"
  assert_success
  assert_probe "dnsq $EN_DNS allowed.test" EPERM
  assert_probe "dnsq fd00:123::53 allowed.test" EPERM
  assert_probe "connect4 $EN_DNS 53" EPERM
  assert_probe "resolve allowed.test" "10.123.0.2,fd00:123::2"
}

@test "names: a wildcard matches subdomains, never the apex" {
  names_policy '{"default": "deny", "allow": [{"to": [{"host": "*.wild.test"}], "ports": [{"protocol": "tcp", "port": 8080}]}]}'
  eprobe_run "tcp a.wild.test 8080" "tcp b.c.wild.test 8080" "resolve wild.test" "connect4 10.123.0.3 8080"
  assert_success
  assert_probe "tcp a.wild.test 8080 10.123.0.2" ok
  assert_probe "tcp b.c.wild.test 8080 10.123.0.2" ok
  assert_probe "resolve wild.test" REFUSED
  assert_probe "connect4 10.123.0.3 8080" EPERM
}

@test "names: a CNAME to a denied name is refused, to an unmentioned one followed" {
  names_policy '{"default": "deny", "allow": [{"to": [{"host": "cname-to-denied.test"}, {"host": "cname-to-allowed.test"}]}], "deny": [{"to": [{"host": "denied.test"}]}]}'
  eprobe_run "resolve cname-to-denied.test" "connect4 10.123.0.3 8080" "tcp cname-to-allowed.test 8080"
  assert_success
  assert_probe "resolve cname-to-denied.test" REFUSED
  assert_probe "connect4 10.123.0.3 8080" EPERM
  assert_probe "tcp cname-to-allowed.test 8080 10.123.0.2" ok
}

@test "names: legacy allowedHosts may name hosts" {
  set_policy "{\"version\": \"0.7.0-alpha\", \"filesystem\": {\"readwritePaths\": [\"/\"]}, \"network\": {\"defaultPolicy\": \"block\", \"allowedHosts\": [\"allowed.test\"], \"dns\": {\"upstream\": [\"$EN_DNS\"]}}}"
  eprobe_run "tcp allowed.test 8081" "resolve denied.test"
  assert_success
  assert_probe "tcp allowed.test 8081 10.123.0.2" ok
  assert_probe "resolve denied.test" REFUSED
}

@test "names: an address leaves the map when its TTL runs out" {
  names_policy '{"default": "deny", "allow": [{"to": [{"host": "short-ttl.test"}, {"host": "allowed.test"}], "ports": [{"protocol": "tcp", "port": 8080}]}]}' '"minTtl": 2, "maxTtl": 2'
  serve_srv 8082
  set_args sleep 60
  ward_srv run -d --bundle "$BUNDLE" "$CID"
  assert_success
  eprobe_exec "$CID" "tcp short-ttl.test 8080" "tcp allowed.test 8080"
  assert_probe "tcp short-ttl.test 8080 10.123.0.4" ok
  sleep 3
  eprobe_exec "$CID" "connect4 10.123.0.4 8080" "connect4 10.123.0.2 8080" "tcp short-ttl.test 8080"
  assert_probe "connect4 10.123.0.4 8080" EPERM
  assert_probe "connect4 10.123.0.2 8080" EPERM
  # asked again, it is back
  assert_probe "tcp short-ttl.test 8080 10.123.0.4" ok
  wait_audit "$CID" '.target.address == "10.123.0.4" and .detail == "the DNS answer for it expired"' ||
    fail "no audit line for the expired address"
}

@test "names: a container sharing the host's network gets a resolver on a loopback address of its own" {
  # "The host" is $EN_SRV here: ward runs there, and the container shares it.
  remove_namespace network
  names_policy "$ALLOW_8080"
  eprobe_run "tcp allowed.test 8080" "resolve denied.test" "connect4 10.123.0.3 8080" "dnsq $EN_DNS allowed.test" "connect4 127.0.0.1 8080"
  assert_success
  assert_probe "tcp allowed.test 8080 10.123.0.2" ok
  assert_probe "resolve denied.test" REFUSED
  assert_probe "connect4 10.123.0.3 8080" EPERM
  assert_probe "dnsq $EN_DNS allowed.test" EPERM
  assert_probe "connect4 127.0.0.1 8080" EPERM
}

@test "names: a live update adds a host and drops a removed one" {
  names_policy "$ALLOW_8080"
  set_args sleep 60
  ward_srv run -d --bundle "$BUNDLE" "$CID"
  assert_success
  eprobe_exec "$CID" "tcp allowed.test 8080" "resolve a.wild.test"
  assert_probe "tcp allowed.test 8080 10.123.0.2" ok
  assert_probe "resolve a.wild.test" REFUSED
  cat >"$BATS_TEST_TMPDIR/new.json" <<EOF
{"filesystem": {"readwritePaths": ["/"]}, "network": {"egress": {"default": "deny",
 "allow": [{"to": [{"host": "*.wild.test"}], "ports": [{"protocol": "tcp", "port": 8081}]}]},
 "dns": {"upstream": ["$EN_DNS"]}}}
EOF
  ward_run update --policy "$BATS_TEST_TMPDIR/new.json" "$CID"
  assert_success
  eprobe_exec "$CID" "connect4 10.123.0.2 8080" "resolve allowed.test" "tcp a.wild.test 8081" "tcp a.wild.test 8080"
  assert_probe "connect4 10.123.0.2 8080" EPERM
  assert_probe "resolve allowed.test" REFUSED
  assert_probe "tcp a.wild.test 8081 10.123.0.2" ok
  assert_probe "tcp a.wild.test 8080 10.123.0.2" EPERM
  [ -f "$ROOT/$CID/plan.update.json" ] || fail "no plan.update.json"
}

@test "names: a live update cannot change what the programs have built in" {
  names_policy "$ALLOW_8080"
  set_args sleep 60
  ward_srv run -d --bundle "$BUNDLE" "$CID"
  assert_success
  echo '{"network": {"egress": {"default": "allow"}}}' >"$BATS_TEST_TMPDIR/open.json"
  ward_run update --policy "$BATS_TEST_TMPDIR/open.json" "$CID"
  assert_failure
  assert_output_contains "network.egress.default cannot change on a running container"
  echo '{"network": {"egress": {"default": "deny", "allow": [{"to": [{"host": "allowed.test"}], "ports": [{"protocol": "icmp"}]}]}}}' >"$BATS_TEST_TMPDIR/icmp.json"
  ward_run update --policy "$BATS_TEST_TMPDIR/icmp.json" "$CID"
  assert_failure
  assert_output_contains "ICMP was not allowed when the container was created"
}

@test "names: when the resolver dies, egress by name closes and state says so" {
  names_policy "$ALLOW_8080"
  set_args sleep 60
  ward_srv run -d --bundle "$BUNDLE" "$CID"
  assert_success
  __ward state "$CID" | jq -r '.annotations["run.ward.enforced"]' | grep -q "dns-filter=running" ||
    fail "the report does not say the resolver runs"
  eprobe_exec "$CID" "tcp allowed.test 8080"
  assert_probe "tcp allowed.test 8080 10.123.0.2" ok
  pid="$(monitor_pid "$CID")"
  [ -n "$pid" ] || fail "no monitor"
  kill -9 "$pid"
  sleep 0.3
  eprobe_exec "$CID" "resolve allowed.test"
  assert_probe "resolve allowed.test" ECONNREFUSED
  __ward state "$CID" | jq -r '.annotations["run.ward.enforced"]' | grep -q "dns-filter=dead" ||
    fail "the report does not say the resolver is dead"
  # what was answered before stops counting once the monitor's heartbeat lapses
  sleep 11
  eprobe_exec "$CID" "connect4 10.123.0.2 8080"
  assert_probe "connect4 10.123.0.2 8080" EPERM
}

@test "names: every denial is in the audit stream once, with its fields" {
  names_policy "$ALLOW_8080"
  set_agent bot-7
  set_args sleep 60
  ward_srv run -d --bundle "$BUNDLE" "$CID"
  assert_success
  eprobe_exec "$CID" "resolve denied.test" "tcp allowed.test 8081" "connect4 10.123.0.3 8080" "udp4 10.123.0.3 9999" "dnsq $EN_DNS allowed.test"
  wait_audit "$CID" '.action == "sendmsg"' || fail "no sendmsg line"
  sleep 0.2
  [ "$(count_audit "$CID" '.action == "dns" and .target.name == "denied.test"')" -eq 1 ] || fail "dns refusal not once"
  [ "$(count_audit "$CID" '.action == "connect" and .target.address == "10.123.0.2" and .target.port == 8081')" -eq 1 ] ||
    fail "port refusal not once"
  [ "$(count_audit "$CID" '.action == "connect" and .target.address == "10.123.0.3" and .target.port == 8080')" -eq 1 ] ||
    fail "address refusal not once"
  [ "$(count_audit "$CID" '.action == "sendmsg" and .target.port == 9999 and .target.protocol == "udp"')" -eq 1 ] ||
    fail "sendmsg refusal not once"
  [ "$(count_audit "$CID" ".target.address == \"$EN_DNS\" and .target.port == 53")" -eq 1 ] ||
    fail "resolver bypass not once"
  audit_lines "$CID" | jq -e -s --arg c "$CID" 'all(.container == $c and .agent == "bot-7" and .verdict == "denied"
      and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T")) and (.rule | type == "string"))' >/dev/null ||
    fail "a line lacks a field"
  audit_lines "$CID" | jq -e -s 'map(select(.target.port == 8081)) | .[0] | .target.name == "allowed.test"
      and .rule == "network.egress.default" and .target.protocol == "tcp"' >/dev/null ||
    fail "the port refusal does not name the host"
}

@test "names: ICMP follows host rules: a resolved allowed name answers pings, a denied address is refused and audited" {
  update_config '.linux.sysctl["net.ipv4.ping_group_range"] = "0 0"'
  names_policy '{"default": "deny", "allow": [{"to": [{"host": "allowed.test"}], "ports": [{"protocol": "icmp"}]}]}'
  set_args sleep 60
  ward_srv run -d --bundle "$BUNDLE" "$CID"
  assert_success
  ward_srv exec "$CID" /bin/probe "ping4 10.123.0.2"
  assert_probe "ping4 10.123.0.2" EPERM
  eprobe_exec "$CID" "resolve allowed.test"
  ward_srv exec "$CID" /bin/probe "ping4 10.123.0.2" "ping4 10.123.0.3" "connect4 10.123.0.2 8080"
  assert_probe "ping4 10.123.0.2" ok
  assert_probe "ping4 10.123.0.3" EPERM
  assert_probe "connect4 10.123.0.2 8080" EPERM
  wait_audit "$CID" '.target.address == "10.123.0.3" and .target.protocol == "icmp"' ||
    fail "no audit line for the refused ping: $(audit_lines "$CID")"
}

@test "names: ward events prints the audit stream" {
  names_policy "$ALLOW_8080"
  set_args sleep 60
  ward_srv run -d --bundle "$BUNDLE" "$CID"
  assert_success
  eprobe_exec "$CID" "resolve denied.test"
  wait_audit "$CID" '.action == "dns"' || fail "no audit line"
  ward_capture timeout 3 "$WARD_BIN" --root "$ROOT" events --interval 1s "$CID"
  printf '%s\n' "$stdout" | jq -e -s --arg c "$CID" 'map(select(.type == "audit")) | .[0] | .id == $c and .data.target.name == "denied.test"' >/dev/null ||
    fail "no audit event"
  printf '%s\n' "$stdout" | jq -e -s 'map(select(.type == "stats")) | length > 0' >/dev/null || fail "no stats event"
}

@test "names: audit mode lets everything through and records it as allowed-audit" {
  set_policy "{\"filesystem\": {\"readwritePaths\": [\"/\"]}, \"processContainer\": {\"captureDenials\": {\"mode\": \"allow\"}}, \"network\": {\"egress\": $ALLOW_8080, \"dns\": {\"upstream\": [\"$EN_DNS\"]}}}"
  set_args sleep 60
  ward_srv run -d --bundle "$BUNDLE" "$CID"
  assert_success
  eprobe_exec "$CID" "tcp denied.test 8080" "tcp allowed.test 8081"
  assert_probe "tcp denied.test 8080 10.123.0.3" ok
  assert_probe "tcp allowed.test 8081 10.123.0.2" ok
  wait_audit "$CID" '.action == "connect" and .target.port == 8081' || fail "no connect line"
  audit_lines "$CID" | jq -e -s 'map(select(.action == "dns" and .target.name == "denied.test")) | .[0].verdict == "allowed-audit"' >/dev/null ||
    fail "no allowed-audit dns line"
  audit_lines "$CID" | jq -e -s 'map(select(.action == "connect" and .target.address == "10.123.0.3")) | .[0] | .verdict == "allowed-audit" and .target.name == "denied.test"' >/dev/null ||
    fail "no allowed-audit connect line"
  # ingress deny (the default) is recorded too, not enforced
  ward_srv exec "$CID" /bin/probe "bind4 9000"
  assert_probe "bind4 9000" ok
  wait_audit "$CID" '.action == "bind" and .target.port == 9000 and .verdict == "allowed-audit"' ||
    fail "no allowed-audit bind line"
}

@test "names: policy explain shows the resolver and the host rules" {
  echo "{\"network\": {\"egress\": $ALLOW_8080, \"dns\": {\"upstream\": [\"$EN_DNS\"], \"minTtl\": 5}}}" >"$BATS_TEST_TMPDIR/p.json"
  ward_run policy explain "$BATS_TEST_TMPDIR/p.json"
  assert_success
  assert_output_contains "allowed.test"
  ward_run policy explain --json "$BATS_TEST_TMPDIR/p.json"
  assert_success
  printf '%s\n' "$stdout" | jq -e '.network.hosts[0].host == "allowed.test" and .network.resolver != null' >/dev/null ||
    fail "no host rules in the plan"
}

@test "names: a bad host pattern or TTL is refused with its path" {
  echo '{"network": {"egress": {"allow": [{"to": [{"host": "*"}]}]}}}' >"$BATS_TEST_TMPDIR/p.json"
  ward_run policy check "$BATS_TEST_TMPDIR/p.json"
  assert_failure
  assert_output_contains "network.egress.allow[0].to[0].host"
  echo '{"network": {"dns": {"minTtl": 60, "maxTtl": 10}}}' >"$BATS_TEST_TMPDIR/p.json"
  ward_run policy check "$BATS_TEST_TMPDIR/p.json"
  assert_failure
  assert_output_contains "network.dns.maxTtl"
}

@test "names: the resolver runs as nobody, without capabilities, under seccomp, in a sibling cgroup, and only inside" {
  names_policy "$ALLOW_8080"
  set_args sleep 60
  ward_srv run -d --bundle "$BUNDLE" "$CID"
  assert_success
  pid="$(monitor_pid "$CID")"
  [ -n "$pid" ] || fail "no egress process"
  grep -q '^Uid:[[:space:]]*65534[[:space:]]65534' "/proc/$pid/status" || fail "not nobody"
  grep -q '^CapEff:[[:space:]]*0000000000000000' "/proc/$pid/status" || fail "has capabilities"
  grep -q '^CapBnd:[[:space:]]*0000000000000000' "/proc/$pid/status" || fail "has a bounding set"
  grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$pid/status" || fail "no no_new_privs"
  grep -q '^Seccomp:[[:space:]]*2' "/proc/$pid/status" || fail "no seccomp filter"
  grep -q "$CID.ward-monitor" "/proc/$pid/cgroup" || fail "not in the sibling cgroup"
  ! grep -q -x "0::.*/$CID" "/proc/$pid/cgroup" || fail "in the container's cgroup"
  # From the namespace ward runs in, there is nothing on 127.0.0.1:53.
  run nsenter --net="/run/netns/$EN_SRV" "$(egress_probe_bin)" "dnsq 127.0.0.1 allowed.test"
  [[ "$output" == *ECONNREFUSED* ]] || fail "the resolver is reachable from outside: $output"
}

@test "names: process.timeout still kills the container when a resolver runs too" {
  set_policy "{\"filesystem\": {\"readwritePaths\": [\"/\"]}, \"process\": {\"timeout\": 1500}, \"network\": {\"egress\": $ALLOW_8080, \"dns\": {\"upstream\": [\"$EN_DNS\"]}}}"
  set_args sleep 60
  ward_srv run -d --bundle "$BUNDLE" "$CID"
  assert_success
  eprobe_exec "$CID" "tcp allowed.test 8080"
  assert_probe "tcp allowed.test 8080 10.123.0.2" ok
  wait_status "$CID" stopped || fail "not killed at the timeout"
}

@test "names: ward sandbox --learn writes the smallest egress policy for what the command did" {
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  cp "$(egress_probe_bin)" "$BATS_TEST_TMPDIR/bin/eprobe"
  echo "{\"filesystem\": {\"readonlyPaths\": [\"$BATS_TEST_TMPDIR/bin\"]}, \"network\": {\"dns\": {\"upstream\": [\"$EN_DNS\"]}}}" >"$BATS_TEST_TMPDIR/in.json"
  ward_capture nsenter --net="/run/netns/$EN_SRV" "$WARD_BIN" --root "$ROOT" sandbox \
    --config "$BATS_TEST_TMPDIR/in.json" --learn "$BATS_TEST_TMPDIR/learnt.json" -- \
    "$BATS_TEST_TMPDIR/bin/eprobe" "tcp allowed.test 8080" "udp other.test 9999" "connect4 10.123.0.3 8081" "resolve a.wild.test"
  assert_success
  assert_probe "tcp allowed.test 8080 10.123.0.2" ok
  assert_probe "connect4 10.123.0.3 8081" ok
  f="$BATS_TEST_TMPDIR/learnt.json"
  jq -e '.network.egress.default == "deny" and (.network.egress.allow | length == 3)' "$f" >/dev/null || fail "not 3 rules: $(cat "$f")"
  jq -e '.network.egress.allow | any(.to[0].host == "allowed.test" and .ports == [{"protocol": "tcp", "port": 8080}])' "$f" >/dev/null ||
    fail "no rule for allowed.test"
  jq -e '.network.egress.allow | any(.to[0].host == "other.test" and .ports == [{"protocol": "udp", "port": 9999}])' "$f" >/dev/null ||
    fail "no rule for other.test"
  jq -e '.network.egress.allow | any(.to[0].cidr == "10.123.0.3/32" and .ports == [{"protocol": "tcp", "port": 8081}])' "$f" >/dev/null ||
    fail "no rule for the literal address"
  jq -e '._comment | contains("a.wild.test")' "$f" >/dev/null || fail "the unused name is not listed"
  # the learnt policy is valid and, enforced, allows the same and nothing more
  ward_run policy check "$f"
  assert_success
  ward_capture nsenter --net="/run/netns/$EN_SRV" "$WARD_BIN" --root "$ROOT" sandbox --config "$f" -- \
    "$BATS_TEST_TMPDIR/bin/eprobe" "tcp allowed.test 8080" "tcp allowed.test 8081" "resolve a.wild.test"
  assert_probe "tcp allowed.test 8080 10.123.0.2" ok
  assert_probe "tcp allowed.test 8081 10.123.0.2" EPERM
  assert_probe "resolve a.wild.test" REFUSED
}

@test "names: ward sandbox --learn records pings as ICMP rules and a server as ingress allow; enforced they allow only those" {
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  cp "$(policy_probe_bin)" "$BATS_TEST_TMPDIR/bin/probe"
  ip netns exec "$EN_SRV" sysctl -qw net.ipv4.ping_group_range="0 0"
  echo "{\"filesystem\": {\"readonlyPaths\": [\"$BATS_TEST_TMPDIR/bin\"]}, \"network\": {\"dns\": {\"upstream\": [\"$EN_DNS\"]}}}" >"$BATS_TEST_TMPDIR/in.json"
  ward_capture nsenter --net="/run/netns/$EN_SRV" "$WARD_BIN" --root "$ROOT" sandbox \
    --config "$BATS_TEST_TMPDIR/in.json" --learn "$BATS_TEST_TMPDIR/learnt.json" -- \
    "$BATS_TEST_TMPDIR/bin/probe" "ping4 10.123.0.2" "bind4 9000"
  assert_success
  assert_probe "ping4 10.123.0.2" ok
  assert_probe "bind4 9000" ok
  f="$BATS_TEST_TMPDIR/learnt.json"
  jq -e '.network.egress.allow == [{"to": [{"cidr": "10.123.0.2/32"}], "ports": [{"protocol": "icmp"}]}]' "$f" >/dev/null ||
    fail "no ICMP rule: $(cat "$f")"
  jq -e '.network.ingress.default == "allow"' "$f" >/dev/null || fail "the bind did not open ingress: $(cat "$f")"
  ward_run policy check "$f"
  assert_success
  ward_capture nsenter --net="/run/netns/$EN_SRV" "$WARD_BIN" --root "$ROOT" sandbox --config "$f" -- \
    "$BATS_TEST_TMPDIR/bin/probe" "ping4 10.123.0.2" "ping4 10.123.0.3" "bind4 9000"
  assert_probe "ping4 10.123.0.2" ok
  assert_probe "ping4 10.123.0.3" EPERM
  assert_probe "bind4 9000" ok
}

@test "names: a live update cannot add host names to a container created without any" {
  set_policy "{\"filesystem\": {\"readwritePaths\": [\"/\"]}, \"network\": {\"egress\": {\"default\": \"deny\", \"allow\": [{\"to\": [{\"cidr\": \"10.123.0.2/32\"}]}]}}}"
  set_args sleep 60
  ward_srv run -d --bundle "$BUNDLE" "$CID"
  assert_success
  eprobe_exec "$CID" "connect4 10.123.0.2 8080" "connect4 10.123.0.3 8080"
  assert_probe "connect4 10.123.0.2 8080" ok
  assert_probe "connect4 10.123.0.3 8080" EPERM
  names_policy "$ALLOW_8080"
  jq -r '.annotations["run.ward.policy"]' "$BUNDLE/config.json" >"$BATS_TEST_TMPDIR/names.json"
  ward_run update --policy "$BATS_TEST_TMPDIR/names.json" "$CID"
  assert_failure
  assert_output_contains "created without host names"
  # CIDR rules alone do change live
  echo '{"filesystem": {"readwritePaths": ["/"]}, "network": {"egress": {"default": "deny", "allow": [{"to": [{"cidr": "10.123.0.3/32"}]}]}}}' >"$BATS_TEST_TMPDIR/cidr.json"
  ward_run update --policy "$BATS_TEST_TMPDIR/cidr.json" "$CID"
  assert_success
  eprobe_exec "$CID" "connect4 10.123.0.2 8080" "connect4 10.123.0.3 8080"
  assert_probe "connect4 10.123.0.2 8080" EPERM
  assert_probe "connect4 10.123.0.3 8080" ok
}
