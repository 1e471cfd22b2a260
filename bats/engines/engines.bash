# Helpers for the engine suites: ward driven by podman, by containerd's ctr
# and by containerd's CRI plugin, with the engines Debian ships.
#
# Each suite (one .bats file) runs its engine inside an *enclave*: a process
# holding a private mount namespace and a private network namespace, with
# fresh tmpfs over /run, /var/lib and /dev/shm. Every engine command runs in
# it (eng_in), so the host's podman/containerd state (/var/lib/containers,
# /run/containers, /run/containerd, /var/lib/cni, /run/netns, lock files),
# its network and its mount table are never touched; container mounts die
# with the enclave even when a test fails half-way. Configuration, storage
# and images live in a temporary directory ($ENG_T) that teardown removes.
# cgroups are global: each suite puts its containers under a cgroup parent
# of its own ($ENG_CG) and checks that nothing remains there.
#
# Environment:
#   WARD=/path/to/ward   the runtime under test (default: the build tree's)
#   WARD_TIMEOUT=N       seconds before one engine command is killed (120)

bats_require_minimum_version 1.5.0

ENG_TOP="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
WARD_BIN="$(realpath -m "${WARD:-$ENG_TOP/ward}")"
ENG_TIMEOUT="${WARD_TIMEOUT:-120}"
# Debian's python3 (python3-grpcio and friends), not a user's PATH shim.
ENG_PY=/usr/bin/python3

# ---------------------------------------------------------------------------
# Running commands
# ---------------------------------------------------------------------------

fail() {
  echo "FAIL: $*" >&2
  return 1
}

# eng_capture COMMAND...: run with a timeout, stdio in files; sets status,
# stdout, stderr and output (stdout then stderr), and logs both for bats.
eng_capture() {
  local out="$BATS_TEST_TMPDIR/capture.out" err="$BATS_TEST_TMPDIR/capture.err"
  status=0
  if declare -F "$1" >/dev/null; then
    # a helper of this file: its commands carry their own timeouts
    "$@" >"$out" 2>"$err" </dev/null || status=$?
  else
    timeout --kill-after=10 "$ENG_TIMEOUT" "$@" >"$out" 2>"$err" </dev/null || status=$?
  fi
  stdout="$(cat "$out")"
  stderr="$(cat "$err")"
  output="$stdout"
  [ -z "$stderr" ] || output="${output:+$output$'\n'}$stderr"
  echo "# $* -> status $status" >&2
  [ -z "$output" ] || printf '%s\n' "$output" | head -n 40 | sed 's/^/#   /' >&2
  [ "$status" -ne 124 ] || echo "# timed out after ${ENG_TIMEOUT}s" >&2
  return 0
}

assert_status() {
  [ "$status" -eq "$1" ] || fail "expected exit status $1, got $status"
}

assert_success() { assert_status 0; }

assert_failure() {
  [ "$status" -ne 0 ] || fail "expected a failure, got exit status 0"
}

assert_output_contains() {
  [[ "$output" == *"$1"* ]] || fail "output does not contain '$1'"
}

assert_output_not_contains() {
  [[ "$output" != *"$1"* ]] || fail "output contains '$1'"
}

# wait_for TRIES DELAY COMMAND...: until COMMAND succeeds.
wait_for() {
  local tries="$1" delay="$2" i
  shift 2
  for ((i = 0; i < tries; i++)); do
    "$@" && return 0
    sleep "$delay"
  done
  fail "timed out waiting for: $*"
}

# ---------------------------------------------------------------------------
# Requirements: a missing engine is the only reason to skip
# ---------------------------------------------------------------------------

# eng_require COMMAND PACKAGE...: skip unless COMMAND exists.
eng_require() {
  local cmd="$1"
  shift
  command -v "$cmd" >/dev/null 2>&1 ||
    skip "$cmd is not installed (apt-get install $*)"
}

eng_require_python_module() {
  "$ENG_PY" -c "import $1" 2>/dev/null ||
    skip "python3 module $1 is not installed (apt-get install $2)"
}

eng_require_base() {
  [ "$(id -u)" -eq 0 ] || skip "the engine suites need root"
  [ -x "$WARD_BIN" ] || fail "runtime binary $WARD_BIN not found (run make)"
  eng_require unshare util-linux
  eng_require nsenter util-linux
  eng_require jq jq
}

# ---------------------------------------------------------------------------
# Suite directory and enclave
# ---------------------------------------------------------------------------

# eng_setup_dirs NAME: $ENG_T (temporary directory), $ENG_NAME (a name
# unique to this run, for containers, namespaces and cgroups), $ENG_CG.
eng_setup_dirs() {
  ENG_T="$(mktemp -d "${BATS_TMPDIR:-/tmp}/ward-eng-$1.XXXXXX")"
  chmod 0711 "$ENG_T"
  ENG_NAME="wardeng-$1-$(basename "$ENG_T" | sed 's/.*\.//' | tr 'A-Z' 'a-z')"
  ENG_CG="/$ENG_NAME"
  export ENG_T ENG_NAME ENG_CG
}

# Start the enclave; $ENG_HOLDER is its pid.
eng_enclave_start() {
  local pidfile="$ENG_T/enclave.pid"
  # Private mounts: the engines' state under /run and /var/lib, and every
  # mount they make, stay in here. Private network: bridges, veths and
  # firewall rules the engines add never reach the host's stack.
  unshare --mount --net --propagation private --fork sh -c '
    set -e
    mount -t tmpfs -o mode=0755 ward-enclave /run
    mount -t tmpfs -o mode=0755 ward-enclave /var/lib
    mount -t tmpfs -o mode=1777 ward-enclave /dev/shm
    ip link set lo up
    echo $$ >"$1.tmp"
    mv "$1.tmp" "$1"
    exec sleep 2147483647' sh "$pidfile" </dev/null >"$ENG_T/enclave.log" 2>&1 3>&- &
  wait_for 100 0.05 test -s "$pidfile" || {
    cat "$ENG_T/enclave.log" >&2
    return 1
  }
  ENG_HOLDER="$(cat "$pidfile")"
  export ENG_HOLDER
}

# eng_in COMMAND...: run COMMAND inside the enclave (no capture).
eng_in() {
  timeout --kill-after=10 "$ENG_TIMEOUT" nsenter --target "$ENG_HOLDER" --mount --net -- "$@"
}

# The pids of every process that lives in the enclave's mount or network
# namespace, except the holder (engines, shims, conmon, host-network
# containers).
eng_enclave_pids() {
  local mnt net p
  mnt="$(readlink "/proc/$ENG_HOLDER/ns/mnt")" || return 0
  net="$(readlink "/proc/$ENG_HOLDER/ns/net")" || return 0
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" != "$ENG_HOLDER" ] || continue
    if [ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$mnt" ] ||
      [ "$(readlink "$p/ns/net" 2>/dev/null)" = "$net" ]; then
      echo "${p#/proc/}"
    fi
  done
}

# Stop every process in the enclave, then the holder: the namespaces and
# all mounts made in them go away with it.
eng_enclave_stop() {
  [ -n "${ENG_HOLDER:-}" ] || return 0
  local pids
  pids="$(eng_enclave_pids)"
  [ -z "$pids" ] || kill -TERM $pids 2>/dev/null
  sleep 0.5
  pids="$(eng_enclave_pids)"
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null
  kill -KILL "$ENG_HOLDER" 2>/dev/null
  wait_for 100 0.05 eng_pid_gone "$ENG_HOLDER" || true
  ENG_HOLDER=
}

eng_pid_gone() {
  local st
  st="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 0
  [ -z "$st" ] || [ "$st" = Z ] || [ "$st" = X ]
}

# Kill what is left in the suite's cgroups and remove them (depth first).
eng_cgroup_clean() {
  local d p
  [ -n "${ENG_CG:-}" ] || return 0
  for d in /sys/fs/cgroup/*"$ENG_CG" /sys/fs/cgroup/*/*"$ENG_CG"; do
    [ -d "$d" ] || continue
    find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r p; do
      kill -KILL "$p" 2>/dev/null
    done
    find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  return 0
}

# Remove $ENG_T, but only once no mount anywhere refers to it (a bind mount
# still in place would let rm -rf reach into the host's files).
eng_remove_dirs() {
  [ -n "${ENG_T:-}" ] && [ -d "$ENG_T" ] || return 0
  if grep -qF -- "$ENG_T" /proc/self/mountinfo; then
    grep -F -- "$ENG_T" /proc/self/mountinfo | awk '{print $5}' | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null; done
  fi
  if grep -qF -- "$ENG_T" /proc/self/mountinfo; then
    echo "# not removing $ENG_T: still mounted" >&2
    return 1
  fi
  rm -rf "$ENG_T"
}

# ---------------------------------------------------------------------------
# What ward left behind
# ---------------------------------------------------------------------------

# eng_ward_list ROOT: the ids ward has under --root ROOT (inside the enclave).
eng_ward_list() {
  eng_in "$WARD_BIN" --root "$1" list --quiet 2>/dev/null
}

# eng_leftovers ROOT ID: print what container ID left behind: its state
# directory under ROOT, a cgroup, a mount (host or enclave), a live process.
eng_leftovers() {
  local root="$1" id="$2" p
  [ ! -e "/proc/$ENG_HOLDER/root$root/$id" ] || echo "state dir $root/$id"
  if eng_ward_list "$root" | grep -qxF -- "$id"; then
    echo "ward list --root $root shows $id"
  fi
  find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d -name "*$id*" 2>/dev/null | sed 's/^/cgroup /'
  grep -F -- "$id" /proc/self/mountinfo | sed 's/^/host mount /'
  grep -F -- "$id" "/proc/$ENG_HOLDER/mountinfo" 2>/dev/null | sed 's/^/enclave mount /'
  for p in /proc/[0-9]*; do
    if grep -qF -- "$id" "$p/cgroup" 2>/dev/null && ! eng_pid_gone "${p#/proc/}"; then
      echo "process ${p#/proc/}: $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)"
    fi
  done
  return 0
}

# assert_no_leftovers ROOT ID: nothing of ID remains (polls briefly: the
# engines tear down asynchronously and PID 1 here reaps late).
assert_no_leftovers() {
  local left i
  for i in $(seq 1 25); do
    left="$(eng_leftovers "$1" "$2")"
    [ -n "$left" ] || return 0
    sleep 0.2
  done
  fail "left behind by $2:"$'\n'"$left"
}

# The state ward keeps for ID under ROOT (JSON from `ward state`).
eng_ward_state() {
  eng_in "$WARD_BIN" --root "$1" state "$2"
}

# ---------------------------------------------------------------------------
# Images, built offline
# ---------------------------------------------------------------------------

# eng_busybox_tar: $ENG_T/busybox.tar, a busybox root filesystem built from
# Debian's busybox-static by contrib/busybox-rootfs.sh.
eng_busybox_tar() {
  local dir="$ENG_T/busybox-rootfs"
  [ -f "$ENG_T/busybox.tar" ] && return 0
  "$ENG_TOP/contrib/busybox-rootfs.sh" "$dir" >&2 || return 1
  tar -C "$dir" --numeric-owner -cf "$ENG_T/busybox.tar" . || return 1
  rm -rf "$dir"
}

# eng_pause_tar: $ENG_T/pause.tar, a root filesystem holding only /pause,
# the static program of tests/pause/pause.c (the pod sandbox's process).
eng_pause_tar() {
  local dir="$ENG_T/pause-rootfs"
  [ -f "$ENG_T/pause.tar" ] && return 0
  mkdir -p "$dir"
  "${CC:-cc}" -static -O2 -Wall -Wextra -o "$dir/pause" "$ENG_TOP/tests/pause/pause.c" >&2 ||
    fail "cannot build tests/pause/pause.c statically (needs gcc and libc6-dev)" || return 1
  [ "$("$dir/pause" -v)" = ward-test-pause ] || fail "the pause program does not run" || return 1
  tar -C "$dir" --numeric-owner -cf "$ENG_T/pause.tar" . || return 1
  rm -rf "$dir"
}

# ---------------------------------------------------------------------------
# podman
# ---------------------------------------------------------------------------

# eng_podman_config: containers.conf and storage.conf of the suite's own,
# exported through CONTAINERS_CONF and CONTAINERS_STORAGE_CONF. The ward
# part is contrib/podman/containers.conf itself, with the runtime path
# pointed at the binary under test.
eng_podman_config() {
  local c="$ENG_T/podman"
  mkdir -p "$c"
  cat >"$c/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$c/graph"
runroot = "$c/runroot"
EOF
  {
    cat <<EOF
[containers]
# root here lacks CAP_SYS_RESOURCE: podman's default limits would fail
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
# conmon stays in the caller's cgroup: nothing of podman's outside \$ENG_CG
cgroups = "no-conmon"

[network]
network_backend = "netavark"
network_config_dir = "$c/networks"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$c/events.log"
lock_type = "file"
tmp_dir = "$c/tmp"
volume_path = "$c/volumes"
EOF
    # contrib's [engine] keys join the table above
    sed -e '/^\[engine\]$/d' \
      -e "s#^  \"/usr/local/bin/ward\",\$#  \"$WARD_BIN\",#" \
      -e '\#^  "/usr/bin/ward",$#d' \
      "$ENG_TOP/contrib/podman/containers.conf"
  } >"$c/containers.conf"
  grep -qF "\"$WARD_BIN\"" "$c/containers.conf" ||
    fail "contrib/podman/containers.conf: no runtime path to replace" || return 1
  export CONTAINERS_CONF="$c/containers.conf" CONTAINERS_STORAGE_CONF="$c/storage.conf"
}

# pm ARGS...: podman in the enclave, captured.
pm() {
  eng_capture nsenter --target "$ENG_HOLDER" --mount --net -- podman "$@"
}

# ---------------------------------------------------------------------------
# containerd
# ---------------------------------------------------------------------------

# eng_containerd_start EXTRA-TOML-FILE: write $ENG_T/containerd/config.toml
# (own root, state, sockets; CRI with the suite's pause image and CNI
# directory; the contents of EXTRA-TOML-FILE appended) and start containerd
# in the enclave. Sets $CTRD_SOCK.
eng_containerd_start() {
  local c="$ENG_T/containerd"
  mkdir -p "$c/cni" "$c/opt"
  cat >"$c/config.toml" <<EOF
version = 2
root = "$c/root"
state = "$c/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = "$c/containerd.sock"
[ttrpc]
  address = "$c/containerd.sock.ttrpc"
[debug]
  address = "$c/debug.sock"
  level = "debug"

[plugins."io.containerd.internal.v1.opt"]
  path = "$c/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/ward-pause:test"
  # root here lacks CAP_SYS_RESOURCE: a sandbox's oom_score_adj of -998
  # could not be written
  restrict_oom_score_adj = true
  disable_apparmor = true
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$c/cni"
  # the handler a node has before ward is added (the default one)
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
EOF
  if [ -n "${1:-}" ]; then
    sed -e '/^version = /d' "$1" >>"$c/config.toml"
  fi
  # A pod network of its own, inside the enclave's network namespace.
  cat >"$c/cni/10-ward-test.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "ward-test",
 "plugins": [{"type": "bridge", "bridge": "wardcni0", "isGateway": false, "ipMasq": false,
              "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.213.0.0/24"}]],
                       "dataDir": "$c/ipam"}},
             {"type": "loopback"}]}
EOF
  CTRD_SOCK="$c/containerd.sock"
  export CTRD_SOCK
  # nsenter without --fork execs containerd: $! is containerd's pid
  nsenter --target "$ENG_HOLDER" --mount --net -- \
    containerd --config "$c/config.toml" </dev/null >"$c/containerd.log" 2>&1 3>&- &
  CTRD_PID=$!
  export CTRD_PID
  wait_for 200 0.05 eng_in ctr --address "$CTRD_SOCK" version >/dev/null 2>&1 || {
    tail -n 30 "$c/containerd.log" >&2
    return 1
  }
}

# ctrc ARGS...: ctr in the enclave (its FIFOs go under the enclave's /run),
# in the suite's namespace, captured.
ctrc() {
  eng_capture nsenter --target "$ENG_HOLDER" --mount --net -- \
    ctr --address "$CTRD_SOCK" --namespace "${CTR_NS:-$ENG_NAME}" "$@"
}

# eng_ctr_import NAMESPACE IMAGE-REF: copy an image from the suite's podman
# store into containerd (podman save --format oci-archive, ctr image import).
eng_ctr_import() {
  local ns="$1" ref="$2" tar
  tar="$ENG_T/$(echo "$ref" | tr '/:' '__').oci.tar"
  eng_in podman save --format oci-archive -o "$tar" "$ref" >/dev/null 2>&1 ||
    fail "podman save $ref failed" || return 1
  eng_in ctr --address "$CTRD_SOCK" --namespace "$ns" image import "$tar" >&2 ||
    fail "ctr image import $ref failed" || return 1
}

eng_containerd_stop() {
  [ -n "${CTRD_PID:-}" ] || return 0
  kill -TERM "$CTRD_PID" 2>/dev/null
  wait_for 100 0.05 eng_pid_gone "$CTRD_PID" || kill -KILL "$CTRD_PID" 2>/dev/null
  CTRD_PID=
}

# cri METHOD [JSON]: one CRI call through tests/cri/cri_client.py, captured.
cri() {
  eng_capture "$ENG_PY" "$ENG_TOP/tests/cri/cri_client.py" --socket "$CTRD_SOCK" "$@"
}

# ---- podman suites ------------------------------------------------------
# Remove every container of the suite's podman, then its enclave.
eng_podman_teardown_file() {
  if [ -n "${ENG_HOLDER:-}" ]; then
    eng_in podman rm --all --force --time 0 >/dev/null 2>&1
  fi
  eng_enclave_stop
  eng_cgroup_clean
  eng_remove_dirs
}

eng_podman_rm_all() {
  eng_in podman rm --all --force --time 0 >/dev/null 2>&1 || true
}

# prun ARGS...: `podman --runtime ward run` with the suite's cgroup parent.
prun() {
  pm --runtime ward run --cgroup-parent "$ENG_CG" "$@"
}
