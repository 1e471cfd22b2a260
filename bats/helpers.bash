# Helpers for ward's integration tests (bats >= 1.5).
#
# Every test file does `load helpers`; the default setup/teardown below give
# each test a fresh busybox bundle in $BUNDLE, a unique container id in $CID
# and a --root shared by the tests of one file in $ROOT. Teardown deletes the
# test's containers and fails the test if anything was left behind (state
# dir, cgroup, mount, process).
#
# Environment:
#   WARD=/path/to/ward   the binary under test (default: ../ward)
#   RUNTIME=runc         run the same tests against runc, to validate them
#                        (ward-only checks are skipped, message shapes relaxed)
#   WARD_TIMEOUT=N       seconds before one runtime command is killed (60)

# shellcheck disable=SC2016,SC2034  # jq programs in single quotes; variables for the tests
bats_require_minimum_version 1.5.0

WARD_TOP="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
RUNTIME="${RUNTIME:-ward}"
case "$RUNTIME" in
ward) WARD_BIN="${WARD:-$WARD_TOP/ward}" ;;
runc) WARD_BIN="${RUNC:-$(command -v runc || echo runc)}" ;;
*)
  echo "RUNTIME must be ward or runc (got '$RUNTIME')" >&2
  return 1
  ;;
esac
WARD_TIMEOUT="${WARD_TIMEOUT:-60}"
BUSYBOX="${BUSYBOX:-/bin/busybox}"
# The interpreter the console-socket receiver runs with: the system one,
# not whatever a user's PATH shim points at.
PYTHON3="$(command -v /usr/bin/python3 || command -v python3 || echo python3)"

# Containers created by the current test (delete --force in teardown) and
# extra clean-up commands registered with defer.
WARD_CIDS=()
WARD_DEFERRED=()

# ---------------------------------------------------------------------------
# Running the runtime
# ---------------------------------------------------------------------------

# The runtime with this file's --root, no capture.
__ward() {
  "$WARD_BIN" --root "$ROOT" "$@"
}

# Run COMMAND... with stdio in files (a detached container may keep them open,
# a pipe would never see EOF), stdin from $WARD_STDIN or /dev/null, and a
# timeout. Sets status, stdout, stderr, output (stdout then stderr) and lines.
# Redirections written on the call of a function that calls ward_capture are
# inherited: `ward_run run ... 3<file` hands fd 3 to the runtime.
ward_capture() {
  # new files for every call: a detached container keeps writing to its own
  WARD_CAPTURES=$((${WARD_CAPTURES:-0} + 1))
  local out="$BATS_TEST_TMPDIR/capture.$WARD_CAPTURES.out"
  local err="$BATS_TEST_TMPDIR/capture.$WARD_CAPTURES.err"
  status=0
  timeout --kill-after=10 "$WARD_TIMEOUT" "$@" >"$out" 2>"$err" <"${WARD_STDIN:-/dev/null}" || status=$?
  stdout="$(cat "$out")"
  stderr="$(cat "$err")"
  output="$stdout"
  if [ -n "$stderr" ]; then
    output="${output:+$output$'\n'}$stderr"
  fi
  lines=()
  if [ -n "$output" ]; then
    mapfile -t lines <<<"$output"
  fi
  echo "# $* -> status $status" >&2
  [ -z "$output" ] || printf '%s\n' "$output" | sed 's/^/#   /' >&2
  if [ "$status" -eq 124 ]; then
    echo "# timed out after ${WARD_TIMEOUT}s: $*" >&2
  fi
  return 0
}

# Run the runtime with this file's --root, like runc's `runc` helper.
ward_run() {
  ward_capture "$WARD_BIN" --root "$ROOT" "$@"
}

# Run the runtime without --root (for --version, --help, --root tests).
ward_run_noroot() {
  ward_capture "$WARD_BIN" "$@"
}

runtime_is_ward() { [ "$RUNTIME" = ward ]; }

# The name the runtime prefixes its messages and --version with.
runtime_name() { echo "$RUNTIME"; }

# Skip a check that real runc (1.1, what Debian 12 ships) cannot pass.
skip_on_runc() {
  if [ "$RUNTIME" = runc ]; then
    skip "runc: ${1:-ward-specific behaviour}"
  fi
}

# ---------------------------------------------------------------------------
# Assertions
# ---------------------------------------------------------------------------

fail() {
  echo "FAIL: $*" >&2
  return 1
}

assert_status() {
  [ "$status" -eq "$1" ] || fail "expected exit status $1, got $status"
}

assert_success() { assert_status 0; }

# assert_output_contains STRING: $output contains STRING (a literal).
assert_output_contains() {
  [[ "$output" == *"$1"* ]] || fail "output does not contain '$1'"
}

assert_output_not_contains() {
  [[ "$output" != *"$1"* ]] || fail "output contains '$1'"
}

# assert_error MESSAGE: the command failed with exit 1 and printed exactly
# one line on stderr, "ward: ..." containing MESSAGE (a literal). Against
# runc only the status and a non-empty stderr are checked (its wording differs).
assert_error() {
  local want="$1" name
  if ! runtime_is_ward; then
    [ "$status" -ne 0 ] || fail "expected failure, got status 0"
    [ -n "$stderr" ] || fail "expected an error on stderr"
    return 0
  fi
  assert_status 1
  name="$(runtime_name)"
  local n
  n="$(printf '%s\n' "$stderr" | grep -c .)" || true
  [ "$n" -eq 1 ] || fail "expected one line on stderr, got $n: $stderr"
  [[ "$stderr" == "$name: "* ]] || fail "stderr does not start with '$name: ': $stderr"
  [[ "$stderr" != "$name: $name: "* ]] || fail "the prefix is doubled: $stderr"
  [[ "$stderr" == *"$want"* ]] || fail "stderr does not contain '$want': $stderr"
}

# Wait until COMMAND... succeeds: wait_for TRIES DELAY COMMAND...
wait_for() {
  local tries="$1" delay="$2" i
  shift 2
  for ((i = 0; i < tries; i++)); do
    if "$@"; then
      return 0
    fi
    sleep "$delay"
  done
  fail "timed out waiting for: $*"
}

# Status of container ID as reported by `state` ("" if state fails).
container_status() {
  __ward state "$1" 2>/dev/null | jq -r '.status' 2>/dev/null
}

container_pid() {
  __ward state "$1" 2>/dev/null | jq -r '.pid' 2>/dev/null
}

status_is() { [ "$(container_status "$1")" = "$2" ]; }

# wait_status ID STATUS [TRIES]: poll `state` every 0.1 s.
wait_status() {
  wait_for "${3:-50}" 0.1 status_is "$1" "$2"
}

file_contains() { [ -f "$1" ] && grep -q -- "$2" "$1"; }

# A process is gone once it no longer exists or is a zombie waiting for a
# (possibly slow) reaper.
pid_gone() {
  local st
  st="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 0
  [ -z "$st" ] || [ "$st" = Z ] || [ "$st" = X ]
}

pid_alive() { ! pid_gone "$1"; }

# kill_pid SIGNAL PID: signal one process, refusing anything that is not a
# plain pid > 1 (`kill -9 0` would take the test harness down with it).
kill_pid() {
  [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -gt 1 ] || fail "refusing to signal pid '$2'"
  kill "-$1" "$2"
}

# ---------------------------------------------------------------------------
# Requirements
# ---------------------------------------------------------------------------

# requires FEATURE...: skip the test unless every FEATURE is available.
requires() {
  local f
  for f in "$@"; do
    case "$f" in
    root)
      [ "$(id -u)" -eq 0 ] || skip "needs root"
      ;;
    rootless)
      [ "$(id -u)" -ne 0 ] || skip "needs an unprivileged user"
      ;;
    newuidmap)
      command -v newuidmap >/dev/null && command -v newgidmap >/dev/null ||
        skip "needs newuidmap/newgidmap (package uidmap)"
      ;;
    timens)
      [ -e /proc/self/ns/time ] || skip "kernel without time namespaces"
      ;;
    cgroupns)
      [ -e /proc/self/ns/cgroup ] || skip "kernel without cgroup namespaces"
      ;;
    userns)
      [ -e /proc/self/ns/user ] || skip "kernel without user namespaces"
      ;;
    idmap)
      idmap_supported || skip "idmapped mounts not supported here"
      ;;
    python3)
      "$PYTHON3" -c 'import socket; socket.CMSG_LEN' 2>/dev/null || skip "needs python3"
      ;;
    script | ip | setpriv | useradd | unshare | nsenter)
      command -v "$f" >/dev/null || skip "needs $f"
      ;;
    cgroup_v1)
      [ -d /sys/fs/cgroup/pids ] && [ ! -f /sys/fs/cgroup/cgroup.controllers ] || skip "needs cgroup v1 controllers"
      ;;
    *)
      fail "requires: unknown feature '$f'"
      ;;
    esac
  done
}

# Whether this kernel and filesystem allow an idmapped bind mount (tried in a
# private mount namespace, so nothing on the host changes).
idmap_supported() {
  local d
  d="$(mktemp -d "${BATS_TMPDIR:-/tmp}/ward-idmap.XXXXXX")" || return 1
  mkdir "$d/a" "$d/b"
  local rc=0
  unshare -m --propagation private \
    mount --bind -o X-mount.idmap=0:100000:1 "$d/a" "$d/b" >/dev/null 2>&1 || rc=1
  rm -rf "$d"
  return $rc
}

# ---------------------------------------------------------------------------
# Bundles
# ---------------------------------------------------------------------------

# The busybox rootfs and the base config.json are built once per bats run.
_ward_cache() {
  local cache="$BATS_RUN_TMPDIR/ward-cache"
  (
    flock 9
    if [ ! -e "$cache/done" ]; then
      rm -rf "$cache/rootfs" "$cache/spec"
      "$WARD_TOP/contrib/busybox-rootfs.sh" "$cache/rootfs" >&2 || exit 1
      mkdir -p "$cache/spec"
      # The default config from the runtime under test; runc's while ward
      # cannot produce one yet.
      if ! "$WARD_BIN" spec --bundle "$cache/spec" >/dev/null 2>&1 ||
        ! jq -e . "$cache/spec/config.json" >/dev/null 2>&1; then
        rm -f "$cache/spec/config.json"
        echo "# warning: '$WARD_BIN spec' failed, using 'runc spec'" >&2
        runc spec --bundle "$cache/spec" || exit 1
      fi
      jq '.process.terminal = false
        | .process.args = ["true"]
        | .root = {"path": "rootfs", "readonly": false}' \
        "$cache/spec/config.json" >"$cache/config.json" || exit 1
      touch "$cache/done"
    fi
  ) 9>"$BATS_RUN_TMPDIR/ward-cache.lock" || return 1
  echo "$cache"
}

# setup_bundle [DIR]: a fresh bundle (rootfs + config.json) in DIR ($BUNDLE).
setup_bundle() {
  local dir="${1:-$BUNDLE}" cache
  cache="$(_ward_cache)" || fail "cannot build the busybox rootfs"
  mkdir -p "$dir"
  cp -a "$cache/rootfs" "$dir/rootfs"
  cp "$cache/config.json" "$dir/config.json"
}

# update_config FILTER [JQ-ARGS...]: edit $BUNDLE/config.json in place.
# update_config '.process.env += [$e]' --arg e FOO=bar
update_config() {
  local filter="$1" cfg="${CONFIG:-$BUNDLE/config.json}"
  shift
  jq "$@" "$filter" "$cfg" >"$cfg.new" || fail "jq failed on: $filter"
  mv "$cfg.new" "$cfg"
}

# set_args ARG...: process.args = [ARG...]
set_args() {
  local json
  # NUL-separated, so that no argument is ever parsed as a jq option
  json="$({ printf '%s\0' "$@"; printf end; } | jq -Rs 'split("\u0000") | .[:-1]')" || fail "set_args"
  update_config '.process.args = $a' --argjson a "$json"
}

# set_script 'SHELL CODE': process.args = ["sh", "-c", CODE]
set_script() {
  set_args sh -c "$1"
}

# put_file PATH-IN-ROOTFS [MODE] <content: write a file into the rootfs.
put_file() {
  local p="$BUNDLE/rootfs/${1#/}"
  mkdir -p "$(dirname "$p")"
  cat >"$p"
  chmod "${2:-0644}" "$p"
}

add_mount() {
  # add_mount JSON-OBJECT
  update_config '.mounts += [$m]' --argjson m "$1"
}

# The namespaces in config.json, one type per argument.
set_namespaces() {
  local json
  json="$(printf '%s\n' "$@" | jq -R '{type: .}' | jq -s .)"
  update_config '.linux.namespaces = $n' --argjson n "$json"
}

add_namespace() {
  update_config '.linux.namespaces = ([.linux.namespaces[] | select(.type != $t)] + [{type: $t}])' --arg t "$1"
}

remove_namespace() {
  update_config '.linux.namespaces = [.linux.namespaces[] | select(.type != $t)]' --arg t "$1"
}

# A second container id, owned by this test (deleted in teardown).
new_cid() {
  local id="$CID-$1"
  WARD_CIDS+=("$id")
  echo "$id"
}

# defer COMMAND...: run COMMAND... in teardown, after the test's containers
# are deleted (in reverse order of registration).
defer() {
  local q
  printf -v q '%q ' "$@"
  WARD_DEFERRED+=("$q")
}

# ---------------------------------------------------------------------------
# Leftover checks
# ---------------------------------------------------------------------------

# Print what container ID left behind (nothing when clean).
find_leftovers() {
  local id="$1" p
  # state directory under --root
  [ ! -e "$ROOT/$id" ] || echo "state dir $ROOT/$id"
  # a cgroup directory named after (or containing) the id, on any hierarchy
  find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d -name "*$id*" 2>/dev/null | sed 's/^/cgroup /'
  # a mount that involves the bundle, in the host's mount namespace
  if [ -n "${BUNDLE:-}" ]; then
    grep -F -- "$BUNDLE" /proc/self/mountinfo | sed 's/^/mount /'
  fi
  # a live process in a cgroup named after the id
  for p in /proc/[0-9]*; do
    [ -r "$p/cgroup" ] || continue
    if grep -q -F -- "$id" "$p/cgroup" 2>/dev/null && pid_alive "${p#/proc/}"; then
      echo "process ${p#/proc/} ($(tr '\0' ' ' <"$p/cmdline" 2>/dev/null))"
    fi
  done
  return 0
}

# assert_no_leftovers [ID]: nothing of ID (default $CID) remains.
assert_no_leftovers() {
  local id="${1:-$CID}" left
  left="$(find_leftovers "$id")"
  [ -z "$left" ] || fail "left behind by $id:"$'\n'"$left"
}

# Remove whatever ID left behind: kill its processes, unmount, rmdir cgroups.
_ward_force_clean() {
  local id="$1" p d
  for p in /proc/[0-9]*; do
    grep -q -F -- "$id" "$p/cgroup" 2>/dev/null && kill -9 "${p#/proc/}" 2>/dev/null
  done
  if [ -n "${BUNDLE:-}" ]; then
    grep -F -- "$BUNDLE" /proc/self/mountinfo | awk '{print $5}' | sort -r |
      while read -r d; do umount -l "$d" 2>/dev/null; done
  fi
  find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -depth -type d -name "*$id*" 2>/dev/null |
    while read -r d; do
      find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
    done
  rm -rf "${ROOT:?}/$id"
}

# ---------------------------------------------------------------------------
# setup / teardown
# ---------------------------------------------------------------------------

ward_setup_file() {
  # A --root for this file, traversable by other uids (user namespace tests
  # run the container as an unmapped host uid).
  ROOT="$(mktemp -d "${BATS_TMPDIR:-/tmp}/ward-root.XXXXXX")"
  chmod 0711 "$ROOT"
  export ROOT
}

ward_teardown_file() {
  if [ -n "${ROOT:-}" ] && [ -d "$ROOT" ]; then
    rm -rf "$ROOT"
  fi
}

ward_setup() {
  requires root
  [ -x "$WARD_BIN" ] || fail "runtime binary $WARD_BIN not found (run make)"
  if [ -z "${ROOT:-}" ]; then
    ward_setup_file
    WARD_OWN_ROOT=1
  fi
  local base
  base="$(basename "$BATS_TEST_FILENAME" .bats)"
  CID="wt-${base}-${BATS_TEST_NUMBER}-$$"
  WARD_CIDS=("$CID")
  WARD_DEFERRED=()
  BUNDLE="$(mktemp -d "${BATS_TMPDIR:-/tmp}/ward-bundle.XXXXXX")"
  chmod 0711 "$BUNDLE"
  ROOTFS="$BUNDLE/rootfs"
  setup_bundle "$BUNDLE"
  HOST_TMP="$BUNDLE/host"
  mkdir -p "$HOST_TMP"
}

ward_teardown() {
  local id left="" l i
  # Containers of this test, also ones created under other ids by the test.
  local ids=("${WARD_CIDS[@]}")
  if [ -n "${ROOT:-}" ] && [ -d "$ROOT" ]; then
    for d in "$ROOT"/"$CID"*; do
      [ -e "$d" ] && ids+=("$(basename "$d")")
    done
  fi
  for id in $(printf '%s\n' "${ids[@]}" | sort -u); do
    __ward delete --force "$id" >/dev/null 2>&1 || true
  done
  # then what the test registered (network namespaces, helpers, sysctls)
  for ((i = ${#WARD_DEFERRED[@]} - 1; i >= 0; i--)); do
    eval "${WARD_DEFERRED[$i]}" >/dev/null 2>&1 || true
  done
  for id in $(printf '%s\n' "${ids[@]}" | sort -u); do
    # Give a slow init reaper a moment before calling a process a leftover.
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      l="$(find_leftovers "$id")"
      [ -n "$l" ] || break
      sleep 0.2
    done
    if [ -n "$l" ]; then
      left+="$l"$'\n'
      _ward_force_clean "$id"
    fi
  done
  if [ -n "${BUNDLE:-}" ] && [ -d "$BUNDLE" ]; then
    rm -rf "$BUNDLE"
  fi
  if [ -n "${WARD_OWN_ROOT:-}" ]; then
    ward_teardown_file
  fi
  if [ -n "$left" ]; then
    echo "# leftovers after delete --force:" >&2
    printf '%s' "$left" | sed 's/^/#   /' >&2
    return 1
  fi
}

setup_file() { ward_setup_file; }
teardown_file() { ward_teardown_file; }
setup() { ward_setup; }
teardown() { ward_teardown; }
