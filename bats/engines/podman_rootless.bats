#!/usr/bin/env bats
# ward under rootless podman: an unprivileged user made for this file runs
# `podman --runtime ward` with a configuration, storage and XDG_RUNTIME_DIR
# of its own in the suite's temporary directory. podman puts ward in its
# user namespace (newuidmap/newgidmap, /etc/subuid, /etc/subgid); ward sees
# that it is rootless there: no cgroups, state under $XDG_RUNTIME_DIR/ward.
# Teardown kills the user's processes by pid (podman's pause process holds
# the user namespace and every mount made in it) and removes the user.

load engines

IMG=localhost/busybox:ward

setup_file() {
  eng_require_base
  eng_require podman podman
  eng_require conmon conmon
  eng_require newuidmap uidmap
  eng_require newgidmap uidmap
  eng_require useradd passwd
  eng_require runuser util-linux
  eng_setup_dirs prootless
  PRL_USER="ward-prl-$$"
  useradd --no-create-home --shell /bin/sh --user-group "$PRL_USER" ||
    fail "useradd $PRL_USER failed" || return 1
  export PRL_USER
  # Debian's useradd gives the new user a /etc/subuid and /etc/subgid range
  if ! grep -q "^$PRL_USER:" /etc/subuid; then
    usermod --add-subuids 400000-465535 --add-subgids 400000-465535 "$PRL_USER"
  fi
  PRL_UID="$(id -u "$PRL_USER")"
  PRL_SUBUID="$(awk -F: -v u="$PRL_USER" '$1 == u {print $2; exit}' /etc/subuid)"
  PRL_U="$ENG_T/user"
  PRL_RUN="$PRL_U/run"
  WROOT="$PRL_RUN/ward"
  export PRL_UID PRL_SUBUID PRL_U PRL_RUN WROOT
  prl_config
  eng_busybox_tar
  chown -R "$PRL_USER:$PRL_USER" "$PRL_U"
  chmod 0644 "$ENG_T/busybox.tar"
  as_user podman import --change 'CMD ["/bin/sh"]' "$ENG_T/busybox.tar" "$IMG" >/dev/null ||
    fail "podman import as $PRL_USER failed"
}

teardown_file() {
  [ -n "${PRL_USER:-}" ] || {
    eng_remove_dirs
    return 0
  }
  local pids p
  pids="$(prl_pids)"
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null
  for p in $pids; do
    wait_for 100 0.05 eng_pid_gone "$p" || true
  done
  if id "$PRL_USER" >/dev/null 2>&1; then
    userdel "$PRL_USER" || true
    # older shadow versions leave the subordinate ranges behind
    sed -i "/^$PRL_USER:/d" /etc/subuid /etc/subgid 2>/dev/null || true
  fi
  eng_remove_dirs
}

setup() {
  eng_require_base
  [ -n "${PRL_USER:-}" ] || skip "no test user"
}

teardown() {
  as_user podman rm --all --force --time 0 >/dev/null 2>&1 || true
}

# The user's own containers.conf and storage.conf: everything in $PRL_U.
prl_config() {
  mkdir -p "$PRL_U/home" "$PRL_RUN" "$PRL_U/tmp"
  chmod 0700 "$PRL_RUN"
  # rootless storage takes rootless_storage_path, not graphroot
  cat >"$PRL_U/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$PRL_U/graph"
rootless_storage_path = "$PRL_U/graph"
runroot = "$PRL_RUN/containers"
EOF
  cat >"$PRL_U/containers.conf" <<EOF
[containers]
# an unprivileged user may not raise its limits: keep the ones it has
default_ulimits = []
netns = "none"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$PRL_U/events.log"
tmp_dir = "$PRL_U/tmp"
static_dir = "$PRL_U/libpod"
volume_path = "$PRL_U/volumes"
EOF
}

# as_user COMMAND...: COMMAND as the test user, with its own environment
# only (nothing of root's), under the suite's timeout.
as_user() {
  timeout --kill-after=10 "$ENG_TIMEOUT" runuser -u "$PRL_USER" -- env -i \
    PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$PRL_U/home" \
    XDG_RUNTIME_DIR="$PRL_RUN" XDG_CONFIG_HOME="$PRL_U/home/.config" \
    XDG_DATA_HOME="$PRL_U/home/.local/share" \
    CONTAINERS_CONF="$PRL_U/containers.conf" \
    CONTAINERS_STORAGE_CONF="$PRL_U/storage.conf" "$@"
}

# upm ARGS...: podman as the test user, captured.
upm() {
  eng_capture as_user podman "$@"
}

# prun ARGS...: `podman --runtime WARD run` as the test user.
prun() {
  upm --runtime "$WARD_BIN" run "$@"
}

# The pids of the user and of its subordinate uids.
prl_pids() {
  ps -eo pid=,uid= | awk -v u="$PRL_UID" -v s="${PRL_SUBUID:-0}" \
    '$2 == u || (s > 0 && $2 >= s && $2 < s + 65536) {print $1}'
}

# podman's pause process: it holds the user namespace between commands.
prl_pause_pid() {
  cat "$PRL_U/tmp/pause.pid" 2>/dev/null
}

# prl_leftovers ID: ward's state of ID, and every process of the user but
# podman's pause process.
prl_leftovers() {
  local id="$1" p pause
  [ ! -e "$WROOT/$id" ] || echo "state dir $WROOT/$id"
  if as_user "$WARD_BIN" --root "$WROOT" list --quiet 2>/dev/null | grep -qxF -- "$id"; then
    echo "ward list --root $WROOT shows $id"
  fi
  pause="$(prl_pause_pid)"
  for p in $(prl_pids); do
    [ "$p" != "$pause" ] || continue
    eng_pid_gone "$p" && continue
    echo "process $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
  done
  return 0
}

assert_no_prl_leftovers() {
  local left _
  for _ in $(seq 1 25); do
    left="$(prl_leftovers "$1")"
    [ -n "$left" ] || return 0
    sleep 0.2
  done
  fail "left behind by $1:"$'\n'"$left"
}

@test "rootless podman --runtime ward: run --rm, exit codes, uid mapping" {
  prun --rm "$IMG" sh -c 'echo hello from ward; id -u'
  assert_success
  [ "$stdout" = $'hello from ward\n0' ]
  # root inside is the user outside
  prun --rm "$IMG" cat /proc/self/uid_map
  assert_success
  [ "$(awk 'NR == 1 {print $1, $2}' <<<"$stdout")" = "0 $PRL_UID" ] ||
    fail "uid 0 is not mapped to $PRL_UID"

  prun --rm "$IMG" sh -c 'exit 3'
  assert_status 3
  prun --rm "$IMG" no-such-command
  assert_status 127
  assert_output_contains 'ward: exec `no-such-command`'

  prun --rm --cidfile "$PRL_U/tmp/rm.cid" "$IMG" true
  assert_success
  assert_no_prl_leftovers "$(cat "$PRL_U/tmp/rm.cid")"
}

@test "rootless podman: run -d, ward list and state, exec, stop, rm" {
  prun -d --name c1 "$IMG" sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
  assert_success
  local id pid
  id="$(as_user podman inspect --format '{{.Id}}' c1)"
  [ "$(as_user podman inspect --format '{{.OCIRuntime}}' c1)" = "$WARD_BIN" ] ||
    fail "podman does not record $WARD_BIN as the container's runtime"

  # ward's rootless state root, read by the user outside podman's namespace
  eng_capture as_user "$WARD_BIN" --root "$WROOT" list --quiet
  assert_success
  grep -qxF "$id" <<<"$stdout" || fail "ward list --root $WROOT does not show $id"
  eng_capture as_user "$WARD_BIN" --root "$WROOT" state "$id"
  assert_success
  [ "$(jq -r .status <<<"$stdout")" = running ]
  pid="$(as_user podman inspect --format '{{.State.Pid}}' c1)"
  [ "$(jq -r .pid <<<"$stdout")" = "$pid" ] || fail "ward's pid differs from podman's $pid"
  # uid 0 inside is the user on the host
  [ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = "$PRL_UID" ] ||
    fail "the container's init does not run as $PRL_UID on the host"

  upm exec c1 sh -c 'echo in-exec; id -u'
  assert_success
  [ "$stdout" = $'in-exec\n0' ]
  upm exec c1 sh -c 'exit 4'
  assert_status 4
  upm exec --env FOO=bar --workdir /tmp c1 sh -c 'echo "$FOO $(pwd)"'
  assert_success
  [ "$stdout" = "bar /tmp" ]

  upm stop --time 20 c1
  assert_success
  [ "$(as_user podman inspect --format '{{.State.ExitCode}}' c1)" = 0 ]
  as_user "$WARD_BIN" --root "$WROOT" list --quiet 2>/dev/null | grep -qxF "$id" &&
    fail "a stopped container is still in ward's state"

  # a stopped container starts again (a new create in ward)
  upm start c1
  assert_success
  as_user "$WARD_BIN" --root "$WROOT" list --quiet | grep -qxF "$id" ||
    fail "restarted container not in ward list"
  upm rm --force --time 0 c1
  assert_success
  assert_no_prl_leftovers "$id"
}

@test "rootless podman: an agent policy Landlock can enforce runs; one that needs cgroup BPF fails closed with ward's line" {
  local pol='{"filesystem": {"readonlyPaths": ["/"], "readwritePaths": ["/tmp"]}, "network": {"egress": {"default": "allow"}, "ingress": {"default": "allow"}}}'
  # podman reads --annotation as one CSV field: quoted, quotes doubled
  prun --rm --annotation "\"run.ward.policy=${pol//\"/\"\"}\"" "$IMG" sh -c 'touch /tmp/ok && echo tmp-ok; touch /etc/x 2>/dev/null || echo etc-refused'
  assert_success
  [ "$stdout" = $'tmp-ok\netc-refused' ] || fail "output: $stdout"
  # the same without the policy writes /etc (the test is honest)
  prun --rm "$IMG" sh -c 'touch /etc/x && echo etc-written'
  assert_success
  [ "$stdout" = etc-written ]

  pol='{"network": {"egress": {"default": "deny", "allow": [{"to": [{"cidr": "10.0.0.0/8"}]}]}}}'
  prun --rm --cidfile "$PRL_U/tmp/pol.cid" --annotation "\"run.ward.policy=${pol//\"/\"\"}\"" "$IMG" true
  [ "$status" -ne 0 ] || fail "podman started it"
  assert_output_contains "network.egress: needs BPF programs on a cgroup2 hierarchy, which this host does not offer to an unprivileged user"
  [ ! -s "$PRL_U/tmp/pol.cid" ] || assert_no_prl_leftovers "$(cat "$PRL_U/tmp/pol.cid")"
}
