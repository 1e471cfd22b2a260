#!/usr/bin/env bats
# Rootless: an unprivileged user made for this file runs containers in a
# user namespace (single mapping written directly, several through
# newuidmap/newgidmap and /etc/subuid, /etc/subgid).

load helpers

setup_file() {
  [ "$(id -u)" -eq 0 ] || return 0
  command -v useradd >/dev/null || return 0
  RL_USER="ward-rl-$$"
  # Debian's useradd gives the new user a /etc/subuid and /etc/subgid range
  useradd --no-create-home --shell /bin/sh --user-group "$RL_USER" || return 1
  if ! grep -q "^$RL_USER:" /etc/subuid; then
    usermod --add-subuids 400000-465535 --add-subgids 400000-465535 "$RL_USER"
  fi
  export RL_USER
}

teardown_file() {
  if [ -n "${RL_USER:-}" ] && id "$RL_USER" >/dev/null 2>&1; then
    pkill -9 -U "$RL_USER" 2>/dev/null || true
    sleep 0.2
    userdel "$RL_USER" || true
    # older shadow versions leave the subordinate ranges behind
    sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid 2>/dev/null || true
  fi
}

setup() {
  requires root useradd userns
  [ -n "${RL_USER:-}" ] || skip "could not create the test user"
  [ -x "$WARD_BIN" ] || fail "runtime binary $WARD_BIN not found (run make)"
  RL_UID="$(id -u "$RL_USER")"
  RL_GID="$(id -g "$RL_USER")"
  RL_SUBUID="$(awk -F: -v u="$RL_USER" '$1 == u {print $2; exit}' /etc/subuid)"
  RL_SUBGID="$(awk -F: -v u="$RL_USER" '$1 == u {print $2; exit}' /etc/subgid)"
  CID="wt-rootless-${BATS_TEST_NUMBER}-$$"
  WARD_CIDS=("$CID")
  WARD_DEFERRED=()
  # everything the user touches is its own, below a world-traversable dir
  RL_DIR="$(mktemp -d "${BATS_TMPDIR:-/tmp}/ward-rl.XXXXXX")"
  chmod 0755 "$RL_DIR"
  BUNDLE="$RL_DIR/bundle"
  ROOTFS="$BUNDLE/rootfs"
  ROOT="$RL_DIR/state"
  setup_bundle "$BUNDLE"
  # a rootless config: the runtime's own `spec --rootless`, runc's as a fallback
  rm -f "$BUNDLE/config.json"
  chown -R -h "$RL_USER:$RL_USER" "$RL_DIR"
  if ! as_user "$WARD_BIN" spec --rootless --bundle "$BUNDLE" >/dev/null 2>&1 ||
    ! jq -e . "$BUNDLE/config.json" >/dev/null 2>&1; then
    rm -f "$BUNDLE/config.json"
    as_user runc spec --rootless --bundle "$BUNDLE"
  fi
  update_config '.process.terminal = false | .process.args = ["true"] | .root.readonly = false'
  chown "$RL_USER:$RL_USER" "$BUNDLE/config.json"
}

teardown() {
  local id left=""
  for id in "${WARD_CIDS[@]}"; do
    as_user "$WARD_BIN" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
  done
  for ((i = ${#WARD_DEFERRED[@]} - 1; i >= 0; i--)); do
    eval "${WARD_DEFERRED[$i]}" >/dev/null 2>&1 || true
  done
  for id in "${WARD_CIDS[@]}"; do
    [ ! -e "$ROOT/$id" ] || left+=" state:$ROOT/$id"
  done
  # processes of the user or of its subordinate uids
  local p pids
  pids="$(ps -eo pid=,uid= | awk -v u="$RL_UID" -v s="${RL_SUBUID:-0}" \
    '$2 == u || (s > 0 && $2 >= s && $2 < s + 65536) {print $1}')"
  for p in $pids; do
    pid_alive "$p" && left+=" process:$p($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null))"
  done
  if grep -qF -- "$RL_DIR" /proc/self/mountinfo; then
    left+=" mount"
  fi
  [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
  rm -rf "$RL_DIR"
  [ -z "$left" ] || fail "left behind:$left"
}

# Run COMMAND... as the test user.
as_user() {
  runuser -u "$RL_USER" -- env HOME="$RL_DIR" XDG_RUNTIME_DIR="$RL_DIR" "$@"
}

# The runtime as the test user, captured like ward_run.
rl_run() {
  ward_capture runuser -u "$RL_USER" -- env HOME="$RL_DIR" XDG_RUNTIME_DIR="$RL_DIR" \
    "$WARD_BIN" --root "$ROOT" "$@"
}

rl_update_config() {
  update_config "$@"
  chown "$RL_USER:$RL_USER" "$BUNDLE/config.json"
}

rl_set_script() {
  set_script "$1"
  chown "$RL_USER:$RL_USER" "$BUNDLE/config.json"
}

norm_map() { awk '{print $1, $2, $3}'; }

@test "rootless run: uid 0 inside maps to the user outside" {
  rl_set_script 'id -u; id -g; cat /proc/self/uid_map; cat /proc/self/gid_map; touch /owned && stat -c %u /owned'
  rl_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = 0 ]
  [ "${lines[1]}" = 0 ]
  [ "$(norm_map <<<"${lines[2]}")" = "0 $RL_UID 1" ]
  [ "$(norm_map <<<"${lines[3]}")" = "0 $RL_GID 1" ]
  [ "${lines[4]}" = 0 ]
  # the file the container's root made belongs to the user on the host
  [ "$(stat -c %u "$ROOTFS/owned")" = "$RL_UID" ]
}

@test "rootless create / start / state / kill / delete" {
  rl_update_config '.process.args = ["sleep", "100"]'
  rl_run create --bundle "$BUNDLE" "$CID"
  assert_success
  rl_run state "$CID"
  assert_success
  jq -e '.status == "created"' <<<"$stdout"
  local pid
  pid="$(jq -r .pid <<<"$stdout")"
  # on the host the init runs as the user
  [ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = "$RL_UID" ]
  [ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ]
  rl_run start "$CID"
  assert_success
  rl_run state "$CID"
  jq -e '.status == "running"' <<<"$stdout"
  rl_run list -q
  assert_success
  [ "$stdout" = "$CID" ]
  rl_run kill "$CID" KILL
  assert_success
  wait_for 50 0.1 pid_gone "$pid"
  rl_run delete "$CID"
  assert_success
  rl_run state "$CID"
  [ "$status" -ne 0 ]
  [ ! -e "$ROOT/$CID" ]
}

@test "rootless with several mapping ranges through newuidmap/newgidmap" {
  requires newuidmap
  [ -n "$RL_SUBUID" ] && [ -n "$RL_SUBGID" ] || skip "no subordinate ids for $RL_USER"
  rl_update_config '.linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1}, {"containerID": 1, "hostID": $su, "size": 65536}]
      | .linux.gidMappings = [{"containerID": 0, "hostID": $g, "size": 1}, {"containerID": 1, "hostID": $sg, "size": 65536}]
      | .process.user = {"uid": 1000, "gid": 1000}
      | .process.args = ["sleep", "100"]' \
    --argjson u "$RL_UID" --argjson g "$RL_GID" --argjson su "$RL_SUBUID" --argjson sg "$RL_SUBGID"
  rl_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  local pid
  pid="$(jq -r .pid <<<"$(as_user "$WARD_BIN" --root "$ROOT" state "$CID")")"
  [ "$(norm_map <"/proc/$pid/uid_map" | sort -n)" = "$(printf '0 %s 1\n1 %s 65536' "$RL_UID" "$RL_SUBUID")" ]
  [ "$(norm_map <"/proc/$pid/gid_map" | sort -n)" = "$(printf '0 %s 1\n1 %s 65536' "$RL_GID" "$RL_SUBGID")" ]
  # container uid 1000 is subuid + 999 on the host
  [ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = "$((RL_SUBUID + 999))" ]
  [ "$(awk '/^Gid:/ {print $2}' "/proc/$pid/status")" = "$((RL_SUBGID + 999))" ]
}

@test "rootless with a network namespace: only lo" {
  rl_update_config '.linux.namespaces += [{"type": "network"}]'
  rl_set_script 'ip -o link show | wc -l; readlink /proc/self/ns/net'
  rl_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" -eq 1 ]
  [ "${lines[1]}" != "$(readlink /proc/self/ns/net)" ]
}

@test "rootless: the user cannot map ids it does not own" {
  rl_update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]
      | .linux.gidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]'
  rl_run run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  [ ! -e "$ROOT/$CID" ]
}

@test "rootless: errors use the same one-line format" {
  rl_run state "$CID-nope"
  assert_error "container \"$CID-nope\" does not exist"
}
