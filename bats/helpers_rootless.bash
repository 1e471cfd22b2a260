# Rootless test files: an unprivileged user made for the file runs the
# runtime; everything it touches is its own, below a world-traversable dir.
#
#   setup_file()    { rl_user_create ward-rl 400000; }
#   teardown_file() { rl_user_remove; }
#   setup()         { rl_test_setup wt-rootless; ...; }
#   teardown()      { rl_test_teardown; }
# RL_XDG (default: the test's dir) is the user's XDG_RUNTIME_DIR.

load helpers

# Make the user (name PREFIX-<pid>) with subordinate ids from FIRST on
# when Debian's useradd did not give it a range.
rl_user_create() {
  [ "$(id -u)" -eq 0 ] || return 0
  command -v useradd >/dev/null || return 0
  RL_USER="$1-$$"
  useradd --no-create-home --shell /bin/sh --user-group "$RL_USER" || return 1
  if ! grep -q "^$RL_USER:" /etc/subuid; then
    usermod --add-subuids "$2-$(($2 + 65535))" --add-subgids "$2-$(($2 + 65535))" "$RL_USER"
  fi
  export RL_USER
}

rl_user_remove() {
  if [ -n "${RL_USER:-}" ] && id "$RL_USER" >/dev/null 2>&1; then
    pkill -9 -U "$RL_USER" 2>/dev/null || true
    sleep 0.2
    userdel "$RL_USER" || true
    # older shadow versions leave the subordinate ranges behind
    sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid 2>/dev/null || true
  fi
}

# A bundle owned by the user, with the runtime's own `spec --rootless`
# (runc's as a fallback) running `true`; CID is CIDPREFIX-<test>-<pid>.
rl_test_setup() {
  requires root useradd userns
  [ -n "${RL_USER:-}" ] || skip "could not create the test user"
  [ -x "$WARD_BIN" ] || fail "runtime binary $WARD_BIN not found (run make)"
  RL_UID="$(id -u "$RL_USER")"
  RL_GID="$(id -g "$RL_USER")"
  RL_SUBUID="$(awk -F: -v u="$RL_USER" '$1 == u {print $2; exit}' /etc/subuid)"
  RL_SUBGID="$(awk -F: -v u="$RL_USER" '$1 == u {print $2; exit}' /etc/subgid)"
  CID="$1-${BATS_TEST_NUMBER}-$$"
  WARD_CIDS=("$CID")
  WARD_DEFERRED=()
  RL_DIR="$(mktemp -d "${BATS_TMPDIR:-/tmp}/ward-rl.XXXXXX")"
  chmod 0755 "$RL_DIR"
  RL_XDG="${RL_XDG_SUBDIR:+$RL_DIR/$RL_XDG_SUBDIR}"
  RL_XDG="${RL_XDG:-$RL_DIR}"
  mkdir -p "$RL_XDG"
  BUNDLE="$RL_DIR/bundle"
  ROOTFS="$BUNDLE/rootfs"
  ROOT="$RL_DIR/state"
  setup_bundle "$BUNDLE"
  rm -f "$BUNDLE/config.json"
  chown -R -h "$RL_USER:$RL_USER" "$RL_DIR"
  if ! as_user "$WARD_BIN" spec --rootless --bundle "$BUNDLE" >/dev/null 2>&1 ||
    ! jq -e . "$BUNDLE/config.json" >/dev/null 2>&1; then
    rm -f "$BUNDLE/config.json"
    as_user runc spec --rootless --bundle "$BUNDLE"
  fi
  rl_update_config '.process.terminal = false | .process.args = ["true"] | .root.readonly = false'
}

# Delete the test's containers, run its deferred cleanups, then fail if a
# state dir (under --root or the user's default root), a process of the user
# or of its subordinate uids, or a mount is left; remove the test's dir.
rl_test_teardown() {
  local id left="" p pids i
  for id in "${WARD_CIDS[@]}"; do
    as_user "$WARD_BIN" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
    as_user "$WARD_BIN" delete --force "$id" >/dev/null 2>&1 || true
  done
  for ((i = ${#WARD_DEFERRED[@]} - 1; i >= 0; i--)); do
    eval "${WARD_DEFERRED[$i]}" >/dev/null 2>&1 || true
  done
  for id in "${WARD_CIDS[@]}"; do
    [ ! -e "$ROOT/$id" ] || left+=" state:$ROOT/$id"
    [ ! -e "$RL_XDG/ward/$id" ] || left+=" state:$RL_XDG/ward/$id"
  done
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
  runuser -u "$RL_USER" -- env HOME="$RL_DIR" XDG_RUNTIME_DIR="$RL_XDG" "$@"
}

# The runtime as the test user with this test's --root, captured like ward_run.
rl_run() {
  ward_capture runuser -u "$RL_USER" -- env HOME="$RL_DIR" XDG_RUNTIME_DIR="$RL_XDG" \
    "$WARD_BIN" --root "$ROOT" "$@"
}

rl_update_config() {
  update_config "$@"
  chown "$RL_USER:$RL_USER" "$BUNDLE/config.json"
}
