#!/usr/bin/env bats
# Egress by host name through podman: `--annotation run.ward.policy=…` on
# podman's default bridge network.  Everything happens in the suite's
# enclave (engines.bash): the test's DNS server and TCP servers listen on
# addresses of its own (10.125.0.0/24) on the enclave's loopback, which the
# container reaches through podman's bridge; nothing leaves the enclave.

load engines

WROOT=/run/ward
IMG=localhost/busybox:ward

setup_file() {
  eng_require_base
  eng_require podman podman
  eng_require conmon conmon
  eng_require dnsmasq dnsmasq-base
  eng_require gcc gcc
  [ -x /usr/lib/podman/netavark ] || skip "netavark is not installed (apt-get install netavark)"
  eng_require iptables iptables
  eng_setup_dirs pegress
  eng_enclave_start
  eng_podman_config
  eng_busybox_tar
  eng_in podman import --change 'CMD ["/bin/sh"]' "$ENG_T/busybox.tar" "$IMG" >/dev/null ||
    fail "podman import failed"
  mkdir -p "$ENG_T/bin"
  gcc -D_GNU_SOURCE -static -O1 -o "$ENG_T/bin/eprobe" "$ENG_TOP/bats/egress_probe.c" ||
    fail "cannot build the prober"
  local a
  for a in 2 3 53; do
    eng_in ip addr add "10.125.0.$a/32" dev lo || fail "ip addr add"
  done
  cat >"$ENG_T/dnsmasq.conf" <<EOF
port=53
listen-address=10.125.0.53
bind-interfaces
no-resolv
no-hosts
user=root
host-record=allowed.test,10.125.0.2
host-record=denied.test,10.125.0.3
EOF
  nsenter --target "$ENG_HOLDER" --mount --net -- dnsmasq --conf-file="$ENG_T/dnsmasq.conf" \
    --keep-in-foreground --pid-file= </dev/null >/dev/null 2>&1 3>&- &
  nsenter --target "$ENG_HOLDER" --mount --net -- busybox nc -ll -p 8080 -e /bin/true \
    </dev/null >/dev/null 2>&1 3>&- &
  sleep 0.5
}

teardown_file() { eng_podman_teardown_file; }

setup() {
  eng_require_base
}

teardown() { eng_podman_rm_all; }


assert_line() {
  printf '%s\n' "$output" | grep -qxF -- "$1" || fail "expected the line '$1'"
}

POLICY='{"filesystem": {"readwritePaths": ["/"]}, "network": {"egress": {"default": "deny", "allow": [{"to": [{"host": "allowed.test"}], "ports": [{"protocol": "tcp", "port": 8080}]}]}, "dns": {"upstream": ["10.125.0.53"]}}}'

@test "podman: the bridge network reaches the test's servers without a policy (the test is honest)" {
  prun --rm -v "$ENG_T/bin:/w:ro" "$IMG" /w/eprobe "dnsq 10.125.0.53 denied.test" "connect4 10.125.0.3 8080"
  assert_success
  assert_line "dnsq 10.125.0.53 denied.test: 10.125.0.3"
  assert_line "connect4 10.125.0.3 8080: ok"
}

@test "podman: --annotation run.ward.policy with host names filters the bridge network by name" {
  # podman reads --annotation as one CSV field: quoted, quotes doubled
  prun -d --name e1 --annotation "\"run.ward.policy=${POLICY//\"/\"\"}\"" -v "$ENG_T/bin:/w:ro" "$IMG" sleep 600
  assert_success
  local id
  id="$(eng_in podman inspect --format '{{.Id}}' e1)"
  pm exec e1 /w/eprobe "tcp allowed.test 8080" "resolve denied.test" "connect4 10.125.0.3 8080" \
    "dnsq 10.125.0.53 allowed.test" "udp4 10.125.0.2 8080"
  assert_success
  assert_line "tcp allowed.test 8080 10.125.0.2: ok"
  assert_line "resolve denied.test: REFUSED"
  assert_line "connect4 10.125.0.3 8080: EPERM"
  assert_line "dnsq 10.125.0.53 allowed.test: EPERM"
  assert_line "udp4 10.125.0.2 8080: EPERM"
  eng_capture eng_ward_state "$WROOT" "$id"
  assert_success
  jq -r '.annotations["run.ward.enforced"]' <<<"$stdout" | grep -q "dns-filter=running" ||
    fail "no resolver in the report"
  eng_capture eng_in cat "$WROOT/$id/audit.jsonl"
  assert_success
  jq -e -s '(map(select(.action == "dns" and .target.name == "denied.test")) | length) == 1
    and (map(select(.action == "connect" and .target.address == "10.125.0.3")) | length) == 1' <<<"$stdout" >/dev/null ||
    fail "the refusals are not in the audit stream once each"
  pm rm --force --time 0 e1
  assert_success
  assert_no_leftovers "$WROOT" "$id"
}
