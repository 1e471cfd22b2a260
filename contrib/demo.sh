#!/bin/sh
# Build a busybox bundle from the host's busybox-static and run one container
# in it with `ward run` (as root). Everything is removed afterwards.
#
#   contrib/demo.sh [PATH-TO-WARD]
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
ward=${1:-${WARD:-$top/ward}}

if [ "$(id -u)" -ne 0 ]; then
  echo "$0: run as root (rootless use is described in the README)" >&2
  exit 1
fi
if [ ! -x "$ward" ]; then
  echo "$0: $ward not found: build first (./autogen.sh && ./configure && make)" >&2
  exit 1
fi

dir=$(mktemp -d /tmp/ward-demo.XXXXXX)
id="ward-demo-$$"
cleanup() {
  "$ward" delete --force "$id" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

echo "== bundle in $dir: busybox rootfs + \`ward spec\`"
"$top/contrib/busybox-rootfs.sh" "$dir/rootfs"
"$ward" spec --bundle "$dir"
# No terminal (the demo may run without one), a hostname, and a short script.
jq '.process.terminal = false
  | .hostname = "ward-demo"
  | .process.args = ["sh", "-c", "echo \"Hello from a ward container\"
echo \"hostname:  $(hostname)\"
echo \"user:      $(id)\"
echo \"pid:       $$ (pid 1 of its own pid namespace; $(ls -d /proc/[0-9]* | wc -l) processes visible)\"
echo \"root:      $(ls / | tr \"\\n\" \" \")\"
echo \"caps:      $(grep CapEff /proc/self/status)\"
echo \"seccomp:   $(grep \"^Seccomp:\" /proc/self/status)\""]' \
  "$dir/config.json" >"$dir/config.json.new"
mv "$dir/config.json.new" "$dir/config.json"

echo "== ward run --bundle $dir $id"
"$ward" run --bundle "$dir" "$id"
