#!/bin/bash
# Egress-by-name benchmark: connect() and DNS lookup latency inside a
# container whose policy filters egress by host name (with 10, 1,000 and
# 100,000 addresses in its allow map), against the same container without
# a policy.  Prints medians (µs) and the ratios filter/none.
#
#   tests/bench/egress_bench.sh [--count N] [--sizes "10 1000 100000"] [--keep]
#
# Everything happens in two network namespaces the script makes (10.124.0.0/24,
# a veth pair, dnsmasq serving bench.test); no other traffic.  Operations:
#   udp  connect() of a UDP socket to an allowed address: the syscall and the
#        BPF connect4 program, no packet
#   tcp  a TCP connect() to a server across the veth pair
#   dns  an A query for bench.test to the container's resolver (ward's
#        filter, forwarding to dnsmasq) or, without a policy, to dnsmasq
# Run as root on a quiet machine; compare figures of one run only.
set -eu

top="$(cd "$(dirname "$0")/../.." && pwd)"
WARD="${WARD:-$top/ward}"
count=2000
sizes="10 1000 100000"
keep=""
while [ $# -gt 0 ]; do
  case "$1" in
  --count) count="$2"; shift 2 ;;
  --sizes) sizes="$2"; shift 2 ;;
  --keep) keep=1; shift ;;
  -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
  *) echo "unknown argument $1" >&2; exit 1 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
command -v dnsmasq >/dev/null || { echo "needs dnsmasq (dnsmasq-base)" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/ward-egress-bench.XXXXXX")"
chmod 0755 "$work"
CT="wardb-ct-$$"
SRV="wardb-srv-$$"
ROOT="$work/state"
pids=()
cleanup() {
  for id in $("$WARD" --root "$ROOT" list -q 2>/dev/null); do
    "$WARD" --root "$ROOT" delete -f "$id" >/dev/null 2>&1 || true
  done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  ip netns del "$CT" 2>/dev/null || true
  ip netns del "$SRV" 2>/dev/null || true
  if [ -n "$keep" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# ---- tools, network, DNS, server ----------------------------------------
gcc -D_GNU_SOURCE -static -O2 -o "$work/egress_lat" "$top/tests/bench/egress_lat.c"
gcc -D_GNU_SOURCE -O2 -I"$top/runtime/src/policy" -I"$top/oci-spec/include" \
  -o "$work/egress_fill" "$top/tests/bench/egress_fill.c"
ip netns add "$CT"
ip netns add "$SRV"
va="wba$$"
vb="wbb$$"
ip link add "${va:0:15}" netns "$CT" type veth peer name "${vb:0:15}" netns "$SRV"
nsenter --net="/run/netns/$CT" sh -ec "ip link set lo up; ip link set ${va:0:15} up; ip addr add 10.124.0.1/24 dev ${va:0:15}"
nsenter --net="/run/netns/$SRV" sh -ec "ip link set lo up; ip link set ${vb:0:15} up
  ip addr add 10.124.0.2/24 dev ${vb:0:15}; ip addr add 10.124.0.53/24 dev ${vb:0:15}"
cat >"$work/dnsmasq.conf" <<EOF
port=53
listen-address=10.124.0.53
bind-interfaces
no-resolv
no-hosts
user=root
host-record=bench.test,10.124.0.2
EOF
nsenter --net="/run/netns/$SRV" dnsmasq --conf-file="$work/dnsmasq.conf" --keep-in-foreground --pid-file= &
pids+=($!)
# A server that accepts as fast as it can (busybox nc forks per connection
# and drops SYNs under load: the 1 s retransmits would swamp the figures).
nsenter --net="/run/netns/$SRV" python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.124.0.2", 8080))
s.listen(4096)
while True:
    c, _ = s.accept()
    c.close()
' </dev/null >/dev/null 2>&1 &
pids+=($!)
sleep 0.5

"$top/contrib/busybox-rootfs.sh" "$work/bundle/rootfs" >/dev/null
cp "$work/egress_lat" "$work/bundle/rootfs/bin/egress_lat"
echo "nameserver 10.124.0.53" >"$work/bundle/rootfs/etc/resolv.conf"
"$WARD" spec --bundle "$work/bundle"
jq --arg ns "/run/netns/$CT" '.process.terminal = false | .process.args = ["sleep", "3600"]
  | .root.readonly = false
  | .linux.namespaces = ([.linux.namespaces[] | select(.type != "network")] + [{type: "network", path: $ns}])' \
  "$work/bundle/config.json" >"$work/config.none.json"
policy='{"filesystem": {"readwritePaths": ["/"]}, "network": {"egress": {"default": "deny", "allow": [{"to": [{"host": "bench.test"}], "ports": [{"protocol": "tcp", "port": 8080}, {"protocol": "udp", "port": 9}]}]}, "dns": {"upstream": ["10.124.0.53"], "minTtl": 3600}}}'
jq --arg p "$policy" '.annotations["run.ward.policy"] = $p' "$work/config.none.json" >"$work/config.filter.json"

ward_srv() { nsenter --net="/run/netns/$SRV" "$WARD" --root "$ROOT" "$@"; }

# measure ID: "udp tcp dns" medians of one container
measure() {
  local id="$1" u t d
  u="$(ward_srv exec "$id" /bin/egress_lat udp 10.124.0.2 9 "$count" | awk '{print $2}')"
  t="$(ward_srv exec "$id" /bin/egress_lat tcp 10.124.0.2 8080 "$count" | awk '{print $2}')"
  d="$(ward_srv exec "$id" /bin/egress_lat dns bench.test "$((count / 4))" | awk '{print $2}')"
  echo "$u $t $d"
}

start() {
  cp "$work/config.$2.json" "$work/bundle/config.json"
  ward_srv run -d --bundle "$work/bundle" "$1" >/dev/null
}

start bench-none none
read -r base_u base_t base_d <<<"$(measure bench-none)"
"$WARD" --root "$ROOT" delete -f bench-none

printf '%-22s %10s %10s %10s\n' "allowed addresses" "udp µs" "tcp µs" "dns µs"
printf '%-22s %10s %10s %10s\n' "none (no policy)" "$base_u" "$base_t" "$base_d"
rows=()
for n in $sizes; do
  id="bench-$n"
  start "$id" filter
  # bench.test's own address comes from a lookup; the rest are filled in.
  ward_srv exec "$id" /bin/egress_lat dns bench.test 1 >/dev/null
  cg="$(find /sys/fs/cgroup/unified -maxdepth 4 -type d -name "$id" | head -1)"
  "$work/egress_fill" "$cg" "$((n - 1))"
  read -r u t d <<<"$(measure "$id")"
  "$WARD" --root "$ROOT" delete -f "$id"
  printf '%-22s %10s %10s %10s\n' "$n (filter)" "$u" "$t" "$d"
  rows+=("$n $u $t $d")
done
echo
printf '%-22s %10s %10s %10s\n' "ratio filter/none" "udp" "tcp" "dns"
for r in "${rows[@]}"; do
  read -r n u t d <<<"$r"
  awk -v n="$n" -v u="$u" -v t="$t" -v d="$d" -v bu="$base_u" -v bt="$base_t" -v bd="$base_d" \
    'BEGIN { printf "%-22s %10.2f %10.2f %10.2f\n", n, u / bu, t / bt, d / bd }'
done
