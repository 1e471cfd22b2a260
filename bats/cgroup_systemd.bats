#!/usr/bin/env bats
# --systemd-cgroup: the container's cgroup is a transient systemd unit.
#
# The host does not run systemd, so this file boots the host's own systemd
# as PID 1 of a privileged ward container ("sysd": the host's /usr and /etc
# read-only, tmpfs /run /tmp /var, its own cgroup namespace with a cgroup2
# mount at /sys/fs/cgroup, so systemd runs in unified mode) and runs the
# ward under test inside it (through nsenter) against busybox bundles in a
# shared directory.  systemctl inside talks to /run/systemd/private.
# The sysd container is deleted (SIGKILL) at the end of the file, which
# takes everything inside with it.

load helpers_policy
load helpers_rootless

# Capability names by number, for the bounding set of this host (root may
# lack some, e.g. CAP_SYS_RESOURCE here).
CAP_NAMES=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID
  SETPCAP LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW
  IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT
  SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE
  AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM
  BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE)

bounding_caps_json() {
  local bnd i out=()
  bnd="$(awk '/^CapBnd/ {print $2}' /proc/self/status)"
  for i in "${!CAP_NAMES[@]}"; do
    if (((0x$bnd >> i) & 1)); then
      out+=("CAP_${CAP_NAMES[$i]}")
    fi
  done
  printf '%s\n' "${out[@]}" | jq -R . | jq -s -c .
}

# The sysd bundle: an empty root with the host's merged /usr, a boot script
# that mounts cgroup2 and starts systemd on a target of its own (nothing of
# the host's units is started).
sysd_bundle() {
  local b="$1" caps
  mkdir -p "$b/rootfs"/{usr,etc,proc,sys,dev,run,tmp,var,root,share}
  local d
  for d in bin sbin lib lib64; do
    if [ -L "/$d" ]; then
      ln -s "$(readlink "/$d")" "$b/rootfs/$d"
    else
      mkdir -p "$b/rootfs/$d"
      SYSD_EXTRA_BINDS+=("/$d")
    fi
  done
  caps="$(bounding_caps_json)"
  "$WARD_BIN" spec --bundle "$b" >/dev/null
  local boot='mount -t cgroup2 cgroup2 /sys/fs/cgroup || exit 1
mkdir -p /run/systemd/system
printf "[Unit]\nDescription=ward test\n" >/run/systemd/system/ward-test.target
exec /lib/systemd/systemd --unit=ward-test.target'
  local binds
  binds="$(printf '%s\n' "${SYSD_EXTRA_BINDS[@]}" | jq -R 'select(. != "") | {destination: ., type: "bind", source: ., options: ["rbind", "ro"]}' | jq -s -c .)"
  jq --argjson caps "$caps" --arg boot "$boot" --arg share "$SHARE" \
    --arg cg "/$SYSD_ID" --argjson binds "$binds" '
    .process.args = ["/bin/sh", "-c", $boot]
    | .process.terminal = false
    | .process.env += ["container=ward"]
    | .process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps}
    | .root = {path: "rootfs", readonly: true}
    | .linux.namespaces += [{type: "cgroup"}]
    | .linux.cgroupsPath = $cg
    | .linux.resources.devices = [{allow: true, access: "rwm"}]
    | del(.linux.maskedPaths) | del(.linux.readonlyPaths)
    | .mounts = [.mounts[] | select(.destination != "/sys/fs/cgroup")]
    | (.mounts[] | select(.destination == "/sys") | .options) = ["nosuid", "noexec", "nodev"]
    | .mounts += [
        {destination: "/usr", type: "bind", source: "/usr", options: ["rbind", "ro"]},
        {destination: "/etc", type: "bind", source: "/etc", options: ["rbind", "ro"]},
        {destination: "/run", type: "tmpfs", source: "tmpfs", options: ["mode=755"]},
        {destination: "/tmp", type: "tmpfs", source: "tmpfs"},
        {destination: "/var", type: "tmpfs", source: "tmpfs"},
        {destination: "/share", type: "bind", source: $share, options: ["rbind"]}
      ] + $binds' "$b/config.json" >"$b/config.json.new"
  mv "$b/config.json.new" "$b/config.json"
}

# Run COMMAND... inside sysd (all its namespaces, / as the directory).
in_sysd() {
  nsenter -t "$SYSD_PID" -m -p -C -u -i -n -- /bin/sh -c 'cd / && exec "$@"' sh "$@"
}

sysd_ready() {
  [ "$(in_sysd systemctl is-active ward-test.target 2>/dev/null)" = active ]
}

setup_file() {
  ward_setup_file
  SYSD_SKIP=""
  if [ "$(id -u)" -ne 0 ]; then
    SYSD_SKIP="needs root"
  elif [ ! -x /lib/systemd/systemd ]; then
    SYSD_SKIP="systemd is not installed (/lib/systemd/systemd)"
  elif ! command -v nsenter >/dev/null; then
    SYSD_SKIP="needs nsenter"
  elif [ ! -e /proc/self/ns/cgroup ]; then
    SYSD_SKIP="kernel without cgroup namespaces"
  fi
  SYSD_ID="wt-sysd-$$"
  SHARE="$BATS_FILE_TMPDIR/share"
  export SYSD_SKIP SYSD_ID SHARE ROOT
  [ -z "$SYSD_SKIP" ] || return 0
  # The rootless tests' user; the host's /etc is sysd's, so it exists there.
  rl_user_create ward-sdrl 600000 || true
  mkdir -p "$SHARE"
  chmod 0755 "$BATS_FILE_TMPDIR" "$SHARE"
  cp "$WARD_BIN" "$SHARE/ward"
  SYSD_EXTRA_BINDS=()
  sysd_bundle "$BATS_FILE_TMPDIR/sysd"
  "$WARD_BIN" --root "$ROOT" run -d --bundle "$BATS_FILE_TMPDIR/sysd" "$SYSD_ID" \
    </dev/null >"$BATS_FILE_TMPDIR/sysd.log" 2>&1 || {
    SYSD_SKIP="cannot start systemd in a container: $(tail -n1 "$BATS_FILE_TMPDIR/sysd.log")"
    return 0
  }
  SYSD_PID="$("$WARD_BIN" --root "$ROOT" state "$SYSD_ID" | jq -r .pid)"
  export SYSD_PID
  local i
  for i in $(seq 100); do
    sysd_ready && return 0
    sleep 0.1
  done
  SYSD_SKIP="systemd did not come up in the test container"
}

teardown_file() {
  if [ -n "${SYSD_ID:-}" ] && [ -n "${ROOT:-}" ]; then
    "$WARD_BIN" --root "$ROOT" delete --force "$SYSD_ID" >/dev/null 2>&1 || true
    BUNDLE="" _ward_force_clean "$SYSD_ID"
  fi
  rl_user_remove
  ward_teardown_file
}

setup() {
  # Only the last test runs on the host itself.
  if [[ "$BATS_TEST_DESCRIPTION" != *"(this host)"* ]]; then
    [ -z "$SYSD_SKIP" ] || skip "$SYSD_SKIP"
  fi
  ward_setup
  [ -z "$SYSD_SKIP" ] || return 0
  # The inner bundle lives where sysd sees it.
  IB="/share/b$BATS_TEST_NUMBER"
  rm -rf "$SHARE/b$BATS_TEST_NUMBER"
  cp -a "$BUNDLE" "$SHARE/b$BATS_TEST_NUMBER"
  CONFIG="$SHARE/b$BATS_TEST_NUMBER/config.json"
  UNIT="ward-$CID.scope"
  defer in_sysd /share/ward --root /run/ward-test delete --force "$CID"
  defer rm -rf "$SHARE/b$BATS_TEST_NUMBER"
}

# The ward under test, inside sysd, with --systemd-cgroup.
sd_ward() {
  ward_capture nsenter -t "$SYSD_PID" -m -p -C -u -i -n --wd=/ -- \
    /share/ward --root /run/ward-test --systemd-cgroup "$@"
}

sd_pid() {
  in_sysd /share/ward --root /run/ward-test state "$1" | jq -r .pid
}

# The unit's ActiveState ("inactive" once systemd forgot it).
unit_state() {
  in_sysd systemctl show -P ActiveState "$1"
}

unit_gone() {
  [ "$(unit_state "$1")" = inactive ] &&
    ! in_sysd systemctl list-units --all --no-legend --plain | grep -qF "$1"
}

@test "systemd driver: create/start/exec/pause/resume/ps/kill --all/delete in a transient scope" {
  set_args sleep 1000
  update_config '.linux.cgroupsPath = $p' --arg p "system.slice:ward:$CID"
  sd_ward create --bundle "$IB" "$CID"
  assert_success
  local pid cg
  pid="$(sd_pid "$CID")"
  # The init is in the scope systemd made, delegated to the container.
  # (The v1 lines show the host's hierarchies, which systemd does not use.)
  cg="$(in_sysd grep '^0::' "/proc/$pid/cgroup")"
  [ "$cg" = "0::/system.slice/$UNIT" ] || fail "init in '$cg'"
  [ "$(unit_state "$UNIT")" = active ]
  [ "$(in_sysd systemctl show -P Delegate "$UNIT")" = yes ]
  [ "$(in_sysd systemctl show -P Slice "$UNIT")" = system.slice ]
  in_sysd systemctl status --no-pager "$UNIT" | grep -F "ward container $CID"

  sd_ward start "$CID"
  assert_success
  sd_ward exec "$CID" cat /proc/self/cgroup
  assert_success
  [[ "$output" == *"/system.slice/$UNIT" ]] || fail "exec not in the scope"

  sd_ward pause "$CID"
  assert_success
  [ "$(in_sysd cat "/sys/fs/cgroup/system.slice/$UNIT/cgroup.freeze")" = 1 ]
  sd_ward state "$CID"
  [ "$(jq -r .status <<<"$stdout")" = paused ]
  sd_ward resume "$CID"
  assert_success
  sd_ward state "$CID"
  [ "$(jq -r .status <<<"$stdout")" = running ]

  sd_ward ps --format json "$CID"
  assert_success
  jq -e --argjson p "$pid" 'index($p) != null' <<<"$stdout"

  sd_ward kill --all "$CID" KILL
  assert_success
  wait_for 50 0.1 eval '[ "$(in_sysd /share/ward --root /run/ward-test state "$CID" | jq -r .status)" = stopped ]'
  sd_ward delete "$CID"
  assert_success
  wait_for 30 0.1 unit_gone "$UNIT"
  in_sysd test ! -e "/sys/fs/cgroup/system.slice/$UNIT"
}

@test "systemd driver: the default cgroupsPath is ward-<id>.scope in system.slice; run waits" {
  set_script 'tail -n1 /proc/self/cgroup'
  update_config 'del(.linux.cgroupsPath)'
  sd_ward run --bundle "$IB" "$CID"
  assert_success
  [ "$stdout" = "0::/system.slice/$UNIT" ] || fail "ran in '$stdout'"
  wait_for 30 0.1 unit_gone "$UNIT"
  in_sysd test ! -e /run/ward-test/"$CID"
}

@test "systemd driver: resources go to the unit (TasksMax, MemoryMax), the rest to its files, update too" {
  set_args sleep 1000
  update_config '.linux.resources.pids = {limit: 77}
    | .linux.resources.memory = {limit: 67108864}'
  # hugetlb is the one controller this host's cgroup2 tree has: systemd has
  # no property for it, the file back end writes it into the scope.
  local huge=""
  if in_sysd grep -qw hugetlb /sys/fs/cgroup/cgroup.controllers &&
    [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ]; then
    huge=1
    update_config '.linux.resources.hugepageLimits = [{pageSize: "2MB", limit: 4194304}]'
  fi
  sd_ward run -d --bundle "$IB" "$CID"
  assert_success
  [ "$(in_sysd systemctl show -P TasksMax "$UNIT")" = 77 ]
  [ "$(in_sysd systemctl show -P MemoryMax "$UNIT")" = 67108864 ]
  local dir="/sys/fs/cgroup/system.slice/$UNIT"
  # Where cgroup2 has the controllers, systemd wrote the files itself.
  if in_sysd test -e "$dir/pids.max"; then
    [ "$(in_sysd cat "$dir/pids.max")" = 77 ]
    [ "$(in_sysd cat "$dir/memory.max")" = 67108864 ]
  else
    echo "# no pids/memory controller on cgroup2 here: checked on the unit only" >&3
  fi
  if [ -n "$huge" ]; then
    [ "$(in_sysd cat "$dir/hugetlb.2MB.max")" = 4194304 ]
  fi

  sd_ward update --pids-limit 99 --memory 134217728 "$CID"
  assert_success
  [ "$(in_sysd systemctl show -P TasksMax "$UNIT")" = 99 ]
  [ "$(in_sysd systemctl show -P MemoryMax "$UNIT")" = 134217728 ]
  sd_ward delete --force "$CID"
  assert_success
  wait_for 30 0.1 unit_gone "$UNIT"
}

@test "systemd driver: kill -9 of the init, then delete: no unit, no cgroup, no state left" {
  set_args sleep 1000
  sd_ward run -d --bundle "$IB" "$CID"
  assert_success
  local pid
  pid="$(sd_pid "$CID")"
  [[ "$pid" =~ ^[0-9]+$ ]] && [ "$pid" -gt 1 ] || fail "bad pid '$pid'"
  in_sysd kill -9 "$pid"
  wait_for 50 0.1 eval '[ "$(in_sysd /share/ward --root /run/ward-test state "$CID" | jq -r .status)" = stopped ]'
  sd_ward delete "$CID"
  assert_success
  wait_for 30 0.1 unit_gone "$UNIT"
  in_sysd test ! -e "/sys/fs/cgroup/system.slice/$UNIT"
  in_sysd test ! -e "/run/ward-test/$CID"
}

@test "systemd driver: an agent policy's egress filter goes on the unit's cgroup before the agent runs" {
  cp "$(policy_probe_bin)" "$SHARE/b$BATS_TEST_NUMBER/rootfs/bin/probe" || fail "cannot build the prober"
  set_args /bin/probe "connect4 10.1.2.3 80"
  sd_ward run --bundle "$IB" "$CID"
  assert_success
  assert_probe "connect4 10.1.2.3 80" ENETUNREACH
  sd_ward delete --force "$CID"
  set_policy '{"filesystem": {"readwritePaths": ["/"]}, "network": {"egress": {"default": "deny"}}}'
  sd_ward run --bundle "$IB" "$CID"
  assert_success
  # the BPF connect program refuses before the route lookup could fail
  assert_probe "connect4 10.1.2.3 80" EPERM
}

@test "systemd driver: a name ending in .slice makes a slice unit" {
  local slice="wtbox$$n$BATS_TEST_NUMBER.slice"
  set_script 'tail -n1 /proc/self/cgroup'
  update_config '.linux.cgroupsPath = $p' --arg p "system.slice:x:$slice"
  sd_ward run --bundle "$IB" "$CID"
  assert_success
  [ "$stdout" = "0::/$slice" ] || fail "ran in '$stdout'"
  wait_for 30 0.1 unit_gone "$slice"
  in_sysd test ! -e "/sys/fs/cgroup/$slice"
}

@test "systemd driver: an error from systemd is one line naming it, and leaves nothing" {
  set_args sleep 1000
  update_config '.linux.cgroupsPath = $p' --arg p "system.slice:ward:$CID"
  sd_ward run -d --bundle "$IB" "$CID"
  assert_success
  # The same unit again, for another container.
  local other="$CID-b"
  defer in_sysd /share/ward --root /run/ward-test delete --force "$other"
  sd_ward run -d --bundle "$IB" "$other"
  assert_error "org.freedesktop.systemd1.UnitExists"
  assert_output_contains "--systemd-cgroup: start unit \`$UNIT\`"
  in_sysd test ! -e "/run/ward-test/$other"
  # The first container and its unit are untouched.
  [ "$(unit_state "$UNIT")" = active ]
  sd_ward state "$CID"
  [ "$(jq -r .status <<<"$stdout")" = running ]
}

@test "systemd driver: a resource the scope's files cannot take fails the create and stops the unit" {
  set_args sleep 1000
  # No io controller in this cgroup2 tree: io.max is not there.
  in_sysd grep -qw io /sys/fs/cgroup/cgroup.controllers && skip "this cgroup2 tree has the io controller"
  update_config '.linux.resources.blockIO = {throttleReadBpsDevice: [{major: 1, minor: 3, rate: 1000}]}'
  sd_ward run -d --bundle "$IB" "$CID"
  assert_error "linux.resources.blockIO"
  in_sysd test ! -e "/run/ward-test/$CID"
  wait_for 30 0.1 unit_gone "$UNIT"
  in_sysd test ! -e "/sys/fs/cgroup/system.slice/$UNIT"
}

@test "systemd driver: a malformed cgroupsPath is refused before anything exists" {
  local p
  for p in "/abs/path" "a:b" "system.slice:ward:a:b" "nope:ward:x" "system.slice:ward:"; do
    update_config '.linux.cgroupsPath = $p' --arg p "$p"
    sd_ward run -d --bundle "$IB" "$CID"
    assert_error "linux.cgroupsPath"
    in_sysd test ! -e "/run/ward-test/$CID"
  done
  [ "$(unit_state "$UNIT")" = inactive ]
}

# ---- rootless: the user's own systemd manager ------------------------------

# Run COMMAND... inside sysd as the test user, with a login's environment
# (XDG_RUNTIME_DIR unless VAR=value arguments come first and say otherwise).
in_sysd_user() {
  "${AS_USER_IN_SYSD[@]}" "$@"
}

# The ward under test, inside sysd, as the test user (state under
# $XDG_RUNTIME_DIR/ward, its default).
sd_rl_ward() {
  ward_capture "${AS_USER_IN_SYSD[@]}" /share/ward --systemd-cgroup "$@"
}

sd_rl_state() {
  in_sysd_user /share/ward state "$1" 2>/dev/null | jq -r "$2"
}

# The unit as the user's manager sees it.
user_unit_state() {
  in_sysd systemctl --user -M "$RL_UID@" show -P ActiveState "$1"
}

user_unit_gone() {
  [ "$(user_unit_state "$1")" = inactive ] &&
    ! in_sysd systemctl --user -M "$RL_UID@" list-units --all --no-legend --plain | grep -qF "$1"
}

# Start user@UID.service in sysd, as a login (or lingering) would: its
# user-runtime-dir@UID.service asks logind over the system bus, so the bus
# comes first.  Stopped again at the end of the test.
start_user_manager() {
  sd_rl_setup
  defer in_sysd systemctl stop "user@$RL_UID.service"
  local why
  if ! why="$(in_sysd systemctl start dbus.socket dbus.service 2>&1)"; then
    skip "no system D-Bus in the test container: $why"
  fi
  if ! why="$(in_sysd systemctl start "user@$RL_UID.service" 2>&1)"; then
    skip "user@$RL_UID.service does not start in the test container: $why $(in_sysd journalctl -q -n 3 --no-pager 2>/dev/null | tr '\n' ' ')"
  fi
  wait_for 50 0.1 in_sysd test -S "/run/user/$RL_UID/systemd/private"
}

# The test user, and a rootless bundle of theirs made by the runtime itself.
sd_rl_setup() {
  [ -n "${RL_USER:-}" ] || skip "could not create the test user"
  RL_UID="$(id -u "$RL_USER")"
  RL_GID="$(id -g "$RL_USER")"
  AS_USER_IN_SYSD=(nsenter -t "$SYSD_PID" -m -p -C -u -i -n --wd=/ --
    setpriv --reuid="$RL_UID" --regid="$RL_GID" --init-groups --reset-env
    env XDG_RUNTIME_DIR="/run/user/$RL_UID")
  rm -f "$CONFIG"
  chown -R "$RL_USER:$RL_USER" "$SHARE/b$BATS_TEST_NUMBER"
  in_sysd_user /share/ward spec --rootless --bundle "$IB" || fail "spec --rootless"
  update_config '.process.terminal = false'
  chown "$RL_USER:$RL_USER" "$CONFIG"
  defer in_sysd_user /share/ward delete --force "$CID"
}

@test "systemd driver, rootless: a scope of the user's manager; pause/resume/exec/ps/update/kill --all/delete" {
  start_user_manager
  set_args sleep 1000
  update_config '.linux.cgroupsPath = $p | .linux.resources.pids = {limit: 55}' \
    --arg p "user.slice:ward:$CID"
  sd_rl_ward run -d --bundle "$IB" "$CID"
  assert_success
  local pid cg dir
  pid="$(sd_rl_state "$CID" .pid)"
  [[ "$pid" =~ ^[0-9]+$ ]] && [ "$pid" -gt 1 ] || fail "bad pid '$pid'"
  [ "$(in_sysd awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = "$RL_UID" ]
  # The init is in the scope, below the user's manager.
  cg="$(in_sysd grep '^0::' "/proc/$pid/cgroup")"
  [ "$cg" = "0::/user.slice/user-$RL_UID.slice/user@$RL_UID.service/user.slice/$UNIT" ] ||
    fail "init in '$cg'"
  dir="/sys/fs/cgroup${cg#0::}"
  # The user's manager has the unit, the system manager has not.
  [ "$(user_unit_state "$UNIT")" = active ]
  [ "$(in_sysd systemctl --user -M "$RL_UID@" show -P Delegate "$UNIT")" = yes ]
  [ "$(in_sysd systemctl --user -M "$RL_UID@" show -P Slice "$UNIT")" = user.slice ]
  [ "$(in_sysd systemctl --user -M "$RL_UID@" show -P TasksMax "$UNIT")" = 55 ]
  in_sysd_user systemctl --user status --no-pager "$UNIT" | grep -F "ward container $CID"
  [ "$(unit_state "$UNIT")" = inactive ]
  # Delegated: the scope's files are the user's.
  [ "$(in_sysd stat -c %u "$dir/cgroup.procs")" = "$RL_UID" ]
  in_sysd test -d "/run/user/$RL_UID/ward/$CID"

  sd_rl_ward pause "$CID"
  assert_success
  [ "$(in_sysd cat "$dir/cgroup.freeze")" = 1 ]
  [ "$(sd_rl_state "$CID" .status)" = paused ]
  sd_rl_ward resume "$CID"
  assert_success
  [ "$(in_sysd cat "$dir/cgroup.freeze")" = 0 ]
  [ "$(sd_rl_state "$CID" .status)" = running ]

  # exec from outside the user's tree: the user's manager moves it in
  sd_rl_ward exec "$CID" tail -n1 /proc/self/cgroup
  assert_success
  [ "$stdout" = "$cg" ] || fail "exec ran in '$stdout', not '$cg'"

  sd_rl_ward ps --format json "$CID"
  assert_success
  jq -e --argjson p "$pid" '. == [$p]' <<<"$stdout"

  # update goes to the user's unit too
  sd_rl_ward update --pids-limit 66 "$CID"
  assert_success
  [ "$(in_sysd systemctl --user -M "$RL_UID@" show -P TasksMax "$UNIT")" = 66 ]

  sd_rl_ward kill --all "$CID" KILL
  assert_success
  wait_for 50 0.1 eval '[ "$(sd_rl_state "$CID" .status)" = stopped ]'

  sd_rl_ward delete --force "$CID"
  assert_success
  wait_for 30 0.1 user_unit_gone "$UNIT"
  in_sysd test ! -e "$dir"
  in_sysd test ! -e "/run/user/$RL_UID/ward/$CID"
  in_sysd test ! -e "/proc/$pid"
}

@test "systemd driver, rootless: the default cgroupsPath is ward-<id>.scope in the user's user.slice" {
  start_user_manager
  set_script 'tail -n1 /proc/self/cgroup'
  update_config 'del(.linux.cgroupsPath)'
  sd_rl_ward run --bundle "$IB" "$CID"
  assert_success
  # The container has no cgroup namespace: it sees the path systemd made.
  [ "$stdout" = "0::/user.slice/user-$RL_UID.slice/user@$RL_UID.service/user.slice/$UNIT" ] ||
    fail "ran in '$stdout'"
  wait_for 30 0.1 user_unit_gone "$UNIT"
  in_sysd test ! -e "/run/user/$RL_UID/ward/$CID"
}

@test "systemd driver, rootless: without a user manager a one-line error, nothing left" {
  sd_rl_setup
  set_args sleep 1000
  # No user@UID.service: a runtime dir of the user's where nothing listens.
  local empty="/tmp/ward-sdrl-empty-$$"
  in_sysd install -d -o "$RL_USER" -g "$RL_USER" -m 0700 "$empty"
  defer in_sysd rm -rf "$empty"
  ward_capture "${AS_USER_IN_SYSD[@]}" XDG_RUNTIME_DIR="$empty" /share/ward --systemd-cgroup \
    run -d --bundle "$IB" "$CID"
  assert_error "--systemd-cgroup: no systemd user manager answers for uid $RL_UID (is user@$RL_UID.service running?): connect to D-Bus at \`$empty/bus\`"
  in_sysd test ! -e "$empty/ward/$CID"
  # No runtime dir, no session bus: nothing to try.
  ward_capture "${AS_USER_IN_SYSD[@]}" env -u XDG_RUNTIME_DIR /share/ward --systemd-cgroup \
    --root "$empty/state" run -d --bundle "$IB" "$CID"
  assert_error "--systemd-cgroup: no user D-Bus to reach systemd"
  in_sysd test ! -e "$empty/state/$CID"
  [ "$(unit_state "$UNIT")" = inactive ]
}

@test "systemd driver: without systemd (this host) a clear error, nothing left" {
  [ ! -d /run/systemd/system ] || skip "systemd runs on this host"
  CONFIG="$BUNDLE/config.json"
  update_config '.linux.cgroupsPath = $p' --arg p "system.slice:ward:$CID"
  ward_run --systemd-cgroup run --bundle "$BUNDLE" "$CID"
  assert_error "--systemd-cgroup: systemd is not running"
  assert_no_leftovers
  # A malformed path is named first, without systemd too.
  update_config '.linux.cgroupsPath = "/x/y"'
  ward_run --systemd-cgroup run --bundle "$BUNDLE" "$CID"
  assert_error "linux.cgroupsPath"
  assert_no_leftovers
}
