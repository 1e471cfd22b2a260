# Helpers for ward's agent-policy tests (bats/policy*.bats), on top of
# helpers.bash: annotations, the static prober, network namespaces with
# veth pairs the test makes itself (never real network).

load helpers

# The prober (bats/policy_probe.c), built once per bats run.
policy_probe_bin() {
  local bin="$BATS_RUN_TMPDIR/ward-policy-probe"
  (
    flock 9
    if [ ! -x "$bin" ]; then
      gcc -static -O1 -o "$bin.tmp" "$BATS_TEST_DIRNAME/policy_probe.c" >&2 &&
        mv "$bin.tmp" "$bin"
    fi
  ) 9>"$BATS_RUN_TMPDIR/ward-policy-probe.lock" || return 1
  echo "$bin"
}

requires_policy() {
  local f
  for f in "$@"; do
    case "$f" in
    landlock)
      echo '{}' >"$BATS_TEST_TMPDIR/empty-policy.json"
      "$WARD_BIN" policy explain "$BATS_TEST_TMPDIR/empty-policy.json" 2>/dev/null |
        grep -q "Landlock ABI" || skip "needs Landlock"
      ;;
    cgroup2)
      [ -f /sys/fs/cgroup/unified/cgroup.procs ] || [ -f /sys/fs/cgroup/cgroup.controllers ] ||
        skip "needs a cgroup2 hierarchy"
      ;;
    gcc)
      command -v gcc >/dev/null || skip "needs gcc (for the prober)"
      ;;
    *) requires "$f" ;;
    esac
  done
}

# install_probe: /bin/probe in the rootfs.
install_probe() {
  local bin
  requires_policy gcc
  bin="$(policy_probe_bin)" || fail "cannot build the prober"
  cp "$bin" "$ROOTFS/bin/probe"
}

# set_policy JSON: the run.ward.policy annotation (inline document).
set_policy() {
  update_config '.annotations["run.ward.policy"] = $p' --arg p "$1"
}

set_profile() {
  update_config '.annotations["run.ward.profile"] = $p' --arg p "$1"
}

set_agent() {
  update_config '.annotations["run.ward.agent"] = $p' --arg p "$1"
}

# A policy file in the bundle, named by run.ward.policy.file (relative).
set_policy_file() {
  printf '%s\n' "$1" >"$BUNDLE/policy.json"
  update_config '.annotations["run.ward.policy.file"] = "policy.json"'
}

# probe_run ACTION...: run the prober in the container, output in $output.
probe_run() {
  set_args /bin/probe "$@"
  ward_run run --bundle "$BUNDLE" "$CID"
}

# assert_probe ACTION RESULT: the prober printed "ACTION: RESULT".
assert_probe() {
  printf '%s\n' "$output" | grep -qxF -- "$1: $2" ||
    fail "expected '$1: $2' in the prober's output"
}

# The enforcement report of a running container.
enforced_report() {
  __ward state "$1" | jq -r '.annotations["run.ward.enforced"] // empty'
}

# ---------------------------------------------------------------------------
# Networks of the test's own: two namespaces joined by a veth pair.
#   $NET_CT    netns the container joins (10.$NET_OCT.0.1, fd00:$NET_OCT::1)
#   $NET_SRV   netns of the test servers (10.$NET_OCT.0.2 and .3, ::2 ::3)
# ---------------------------------------------------------------------------

setup_test_net() {
  NET_OCT=$((200 + (BATS_TEST_NUMBER + $$) % 50))
  NET_CT="wardp-ct-$$-$BATS_TEST_NUMBER"
  NET_SRV="wardp-srv-$$-$BATS_TEST_NUMBER"
  netns_pair p "$NET_CT" "$NET_SRV" "10.$NET_OCT.0" "fd00:$NET_OCT:" "2 3" "2 3"
}

# netns_pair TAG CT SRV NET4 NET6 HOSTS4 HOSTS6: namespaces CT and SRV
# joined by a veth pair (named after TAG, the shell's pid and the test
# number); CT gets NET4.1/24 and NET6:1/64, SRV loopback plus NET4.H and
# NET6:H for each H of HOSTS4 and HOSTS6.  Both are removed when the test
# ends; the bundle joins CT.
netns_pair() {
  requires ip nsenter
  local tag=$1 ct=$2 srv=$3 net4=$4 net6=$5 hosts4=$6 hosts6=$7
  local a="w${tag}a$$x$BATS_TEST_NUMBER" b="w${tag}b$$x$BATS_TEST_NUMBER"
  a="${a:0:15}"
  b="${b:0:15}"
  ip netns add "$ct" || fail "ip netns add"
  defer ip netns del "$ct"
  ip netns add "$srv" || fail "ip netns add"
  defer ip netns del "$srv"
  ip link add "$a" netns "$ct" type veth peer name "$b" netns "$srv" ||
    fail "ip link add veth"
  nsenter --net="/run/netns/$ct" sh -ec "
    ip link set lo up; ip link set $a up
    ip addr add $net4.1/24 dev $a
    ip -6 addr add $net6:1/64 dev $a nodad"
  nsenter --net="/run/netns/$srv" sh -ec "
    ip link set lo up; ip link set $b up
    for h in $hosts4; do ip addr add $net4.\$h/24 dev $b; done
    for h in $hosts6; do ip -6 addr add $net6:\$h/64 dev $b nodad; done"
  update_config '.linux.namespaces = ([.linux.namespaces[] | select(.type != "network")] + [{type: "network", path: $p}])' \
    --arg p "/run/netns/$ct"
}

# serve PORT...: TCP listeners on every address of $NET_SRV (accept, close).
serve() {
  serve_in "$NET_SRV" "$@"
}

# serve_in NETNS PORT...: the same in the namespace NETNS.
serve_in() {
  local ns=$1 port
  shift
  for port in "$@"; do
    nsenter --net="/run/netns/$ns" "$BUSYBOX" nc -ll -p "$port" -e /bin/true </dev/null >/dev/null 2>&1 &
    defer kill $!
  done
  sleep 0.3
}
