#!/bin/sh
# Build a busybox bundle from the host's busybox-static, run one plain
# container in it with `ward run`, then the same bundle as an agent under the
# built-in `coding` policy (run.ward.* annotations): the agent tries a few
# things the policy forbids and the kernel refuses them. As root; everything
# is removed afterwards.
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
  "$ward" delete --force "$id-agent" >/dev/null 2>&1 || true
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

echo
echo "== the same bundle as an agent: run.ward.profile=coding, run.ward.agent=demo-agent"
mkdir -p "$dir/rootfs/workspace" "$dir/rootfs/etc/ssh"
echo "not for agents" >"$dir/rootfs/etc/ssh/ssh_host_key"
jq '.root.readonly = false
  | .annotations["run.ward.profile"] = "coding"
  | .annotations["run.ward.agent"] = "demo-agent"
  | .process.args = ["sh", "-c", "try() { printf \"%-44s\" \"$1\"; shift; if \"$@\" >/dev/null 2>&1; then echo allowed; else echo refused; fi; }
try \"write /workspace/notes.txt\" sh -c \"echo hi > /workspace/notes.txt\"
try \"read /etc/ssh/ssh_host_key\" cat /etc/ssh/ssh_host_key
try \"write /etc/passwd\" sh -c \"echo x >> /etc/passwd\"
try \"mount a tmpfs\" mount -t tmpfs none /tmp
try \"open a network connection\" nc -w 1 10.0.0.1 80
try \"unshare a user namespace\" unshare -U true
echo \"no_new_privs: $(grep NoNewPrivs /proc/self/status | tr -d \"\\t\")\""]' \
  "$dir/config.json" >"$dir/config.json.new"
mv "$dir/config.json.new" "$dir/config.json"
"$ward" run --bundle "$dir" "$id-agent"
echo "== ward policy explain: what the kernel enforces for this agent"
"$ward" policy explain --bundle "$dir" | head -n 30
