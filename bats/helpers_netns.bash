# Helpers for the egress-by-name tests (bats/egress_names*.bats): network
# namespaces, veth pairs, addresses and a DNS server that the test makes
# itself.  Never any traffic outside them.
#
#   $EN_CT    netns the container joins:       10.123.0.1   fd00:123::1
#   $EN_SRV   netns of the test's "internet":  10.123.0.2   fd00:123::2  (allowed.test)
#                                              10.123.0.3   fd00:123::3  (denied.test)
#                                              10.123.0.4                (short-ttl.test)
#                                              10.123.0.53  fd00:123::53 (dnsmasq)
# ward itself runs in $EN_SRV (ward_srv): the monitor it starts stays in
# the namespace ward runs in, so that is where the resolver's upstream
# queries go out from, as they go out from the host in real use.

load helpers_policy

EN_DNS=10.123.0.53

requires_netns() {
  requires ip nsenter
  command -v dnsmasq >/dev/null || skip "needs dnsmasq (Debian package dnsmasq-base)"
  requires_policy landlock cgroup2 gcc
}

# The prober (bats/egress_probe.c), built once per bats run.
egress_probe_bin() {
  local bin="$BATS_RUN_TMPDIR/ward-egress-probe"
  (
    flock 9
    if [ ! -x "$bin" ]; then
      gcc -D_GNU_SOURCE -static -O1 -o "$bin.tmp" "$BATS_TEST_DIRNAME/egress_probe.c" >&2 &&
        mv "$bin.tmp" "$bin"
    fi
  ) 9>"$BATS_RUN_TMPDIR/ward-egress-probe.lock" || return 1
  echo "$bin"
}

install_egress_probe() {
  local bin
  bin="$(egress_probe_bin)" || fail "cannot build the egress prober"
  cp "$bin" "$ROOTFS/bin/eprobe"
  cp "$(policy_probe_bin)" "$ROOTFS/bin/probe" || fail "cannot build the prober"
}

# The test's DNS zone, served by dnsmasq in $EN_SRV.
_dnsmasq_conf() {
  cat <<EOF
port=53
listen-address=$EN_DNS,fd00:123::53
bind-interfaces
no-resolv
no-hosts
user=root
log-queries
log-facility=$BATS_TEST_TMPDIR/dnsmasq.log
host-record=allowed.test,10.123.0.2,fd00:123::2
host-record=other.test,10.123.0.2
host-record=denied.test,10.123.0.3,fd00:123::3
address=/multi.test/10.123.0.2
address=/multi.test/10.123.0.3
cname=cname-to-denied.test,denied.test
cname=cname-to-allowed.test,allowed.test
host-record=a.wild.test,10.123.0.2
host-record=b.c.wild.test,10.123.0.2
host-record=wild.test,10.123.0.3
host-record=short-ttl.test,10.123.0.4,1
host-record=v6only.test,fd00:123::2
EOF
}

# setup_dns_net: the two namespaces, the veth pair, dnsmasq; the bundle
# joins $EN_CT.
setup_dns_net() {
  requires_netns
  EN_CT="wardn-ct-$$-$BATS_TEST_NUMBER"
  EN_SRV="wardn-srv-$$-$BATS_TEST_NUMBER"
  netns_pair n "$EN_CT" "$EN_SRV" 10.123.0 fd00:123: "2 3 4 53" "2 3 53"
  _dnsmasq_conf >"$BATS_TEST_TMPDIR/dnsmasq.conf"
  nsenter --net="/run/netns/$EN_SRV" dnsmasq --conf-file="$BATS_TEST_TMPDIR/dnsmasq.conf" \
    --keep-in-foreground --pid-file= </dev/null >/dev/null 2>&1 &
  defer kill $!
  install_egress_probe
  local i
  for i in $(seq 50); do
    grep -q "started" "$BATS_TEST_TMPDIR/dnsmasq.log" 2>/dev/null && return 0
    sleep 0.1
  done
  fail "dnsmasq did not start"
}

# serve_srv PORT...: TCP listeners on every address of $EN_SRV.
serve_srv() {
  serve_in "$EN_SRV" "$@"
}

# ward_srv ARGS...: the runtime, run in $EN_SRV (see above).
ward_srv() {
  ward_capture nsenter --net="/run/netns/$EN_SRV" "$WARD_BIN" --root "$ROOT" "$@"
}

# names_policy EGRESS-JSON [EXTRA-NETWORK-JSON]: a policy with the test's
# resolver as upstream; the filesystem is left open (not what is tested).
names_policy() {
  set_policy "{\"filesystem\": {\"readwritePaths\": [\"/\"]}, \"network\": {\"egress\": $1, \"dns\": {\"upstream\": [\"$EN_DNS\"]${2:+, $2}}}}"
}

# eprobe_run ACTION...: the prober in a fresh container (ward in $EN_SRV).
eprobe_run() {
  set_args /bin/eprobe "$@"
  ward_srv run --bundle "$BUNDLE" "$CID"
}

# eprobe_exec ID ACTION...: the prober in a running container.
eprobe_exec() {
  local id="$1"
  shift
  ward_srv exec "$id" /bin/eprobe "$@"
}

# The monitor of container ID (its pid), from its sibling cgroup.
monitor_pid() {
  local dir
  dir="$(find /sys/fs/cgroup/unified -maxdepth 6 -type d -name "$1.ward-monitor" 2>/dev/null | head -1)"
  [ -n "$dir" ] && head -1 "$dir/cgroup.procs"
}

# The audit stream of container ID (state dir under $ROOT).
audit_lines() {
  cat "$ROOT/$1/audit.jsonl" 2>/dev/null
}

# wait_audit ID JQ-FILTER: until a line matches (2 s).
wait_audit() {
  local i
  for i in $(seq 40); do
    audit_lines "$1" | jq -e -s "map(select($2)) | length > 0" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  return 1
}

# count_audit ID JQ-FILTER: how many lines match.
count_audit() {
  audit_lines "$1" | jq -s "map(select($2)) | length"
}

assert_failure() {
  [ "$status" -ne 0 ] || fail "expected a failure, got exit status 0"
}
