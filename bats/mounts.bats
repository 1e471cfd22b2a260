#!/usr/bin/env bats
# Mounts: tmpfs, bind (ro, rbind, rro), nosuid/noexec/nodev, symlinks in
# targets, relative sources, files, idmap.

load helpers

# mountinfo line of the mount at $1, inside the container: "OPTS - FSTYPE SUPEROPTS"
mnt_line() {
  awk -v m="$1" '$5 == m' <<<"$stdout" | tail -n 1
}

# Per-mount options (field 6) of the mount at $1 in $stdout.
mnt_opts() {
  mnt_line "$1" | awk '{print $6}'
}

has_opt() {
  [[ ",$(mnt_opts "$1")," == *",$2,"* ]]
}

@test "tmpfs with size, mode and flags" {
  add_mount '{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["size=2m", "mode=1777", "nosuid", "nodev", "noexec"]}'
  set_script 'stat -c %a /data; df -k /data | awk "NR == 2 {print \$2}"; dd if=/dev/zero of=/data/big bs=1024 count=3000 2>&1 && echo no-limit; echo ===; cat /proc/self/mountinfo'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = 1777 ]
  [ "${lines[1]}" = 2048 ]
  assert_output_contains "No space left on device"
  assert_output_not_contains no-limit
  mnt_line /data | grep -q ' - tmpfs '
  has_opt /data nosuid
  has_opt /data nodev
  has_opt /data noexec
}

@test "bind mount read-write: writes reach the host directory" {
  mkdir -p "$HOST_TMP/rw"
  echo from-host >"$HOST_TMP/rw/file"
  add_mount "{\"destination\": \"/mnt/rw\", \"type\": \"bind\", \"source\": \"$HOST_TMP/rw\", \"options\": [\"bind\"]}"
  set_script 'cat /mnt/rw/file; echo from-container > /mnt/rw/new'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" = from-host ]
  [ "$(cat "$HOST_TMP/rw/new")" = from-container ]
}

@test "bind mount ro refuses writes" {
  mkdir -p "$HOST_TMP/ro"
  echo readable >"$HOST_TMP/ro/file"
  add_mount "{\"destination\": \"/mnt/ro\", \"type\": \"bind\", \"source\": \"$HOST_TMP/ro\", \"options\": [\"bind\", \"ro\"]}"
  set_script 'cat /mnt/ro/file; touch /mnt/ro/new 2>&1; echo x >> /mnt/ro/file 2>&1; true'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = readable ]
  assert_output_contains "Read-only file system"
  [ ! -e "$HOST_TMP/ro/new" ]
  [ "$(cat "$HOST_TMP/ro/file")" = readable ]
}

# Run the runtime in a private mount namespace in which $HOST_TMP/src/sub
# is a tmpfs holding sub/f: the submount vanishes with the namespace.
run_with_submount() {
  mkdir -p "$HOST_TMP/src/sub"
  echo top >"$HOST_TMP/src/f"
  ward_capture unshare -m --propagation private sh -c '
    mount -t tmpfs -o size=1m ward-sub "$1/sub" && echo subfile > "$1/sub/f" || exit 99
    shift; exec "$@"' sh "$HOST_TMP/src" "$WARD_BIN" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
}

@test "bind does not take submounts, rbind does" {
  requires unshare
  add_mount "{\"destination\": \"/mnt/bind\", \"type\": \"bind\", \"source\": \"$HOST_TMP/src\", \"options\": [\"bind\"]}"
  add_mount "{\"destination\": \"/mnt/rbind\", \"type\": \"bind\", \"source\": \"$HOST_TMP/src\", \"options\": [\"rbind\"]}"
  set_script 'cat /mnt/bind/f /mnt/rbind/f /mnt/rbind/sub/f; ls /mnt/bind/sub | wc -l'
  run_with_submount
  assert_success
  [ "${lines[0]}" = top ]
  [ "${lines[1]}" = top ]
  [ "${lines[2]}" = subfile ]
  [ "${lines[3]}" -eq 0 ]
}

@test "rro makes the submounts of an rbind read-only too" {
  requires unshare
  add_mount "{\"destination\": \"/mnt/rro\", \"type\": \"bind\", \"source\": \"$HOST_TMP/src\", \"options\": [\"rbind\", \"rro\"]}"
  set_script 'cat /mnt/rro/sub/f; touch /mnt/rro/x 2>&1; touch /mnt/rro/sub/x 2>&1; ls /mnt/rro/sub'
  run_with_submount
  assert_success
  [ "${lines[0]}" = subfile ]
  [ "$(grep -c 'Read-only file system' <<<"$output")" -eq 2 ]
  [ ! -e "$HOST_TMP/src/x" ]
  assert_output_not_contains $'\nx'
}

@test "noexec: a binary on the mount cannot be executed" {
  mkdir -p "$HOST_TMP/bin"
  cp "$ROOTFS/bin/busybox" "$HOST_TMP/bin/busybox"
  add_mount "{\"destination\": \"/mnt/exec\", \"type\": \"bind\", \"source\": \"$HOST_TMP/bin\", \"options\": [\"bind\"]}"
  add_mount "{\"destination\": \"/mnt/noexec\", \"type\": \"bind\", \"source\": \"$HOST_TMP/bin\", \"options\": [\"bind\", \"noexec\"]}"
  set_script '/mnt/exec/busybox echo exec-ok; /mnt/noexec/busybox echo noexec-ran 2>&1 || echo noexec-refused'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains exec-ok
  assert_output_contains noexec-refused
  assert_output_not_contains noexec-ran
}

@test "nodev: a device node on the mount cannot be opened" {
  mkdir -p "$HOST_TMP/devs"
  mknod "$HOST_TMP/devs/null" c 1 3
  add_mount "{\"destination\": \"/mnt/dev\", \"type\": \"bind\", \"source\": \"$HOST_TMP/devs\", \"options\": [\"bind\", \"dev\"]}"
  add_mount "{\"destination\": \"/mnt/nodev\", \"type\": \"bind\", \"source\": \"$HOST_TMP/devs\", \"options\": [\"bind\", \"nodev\"]}"
  set_script 'echo x > /mnt/dev/null && echo dev-ok; echo x > /mnt/nodev/null || echo nodev-refused'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains dev-ok
  assert_output_contains nodev-refused
  assert_output_contains "Permission denied"
}

@test "nosuid: a setuid binary on the mount does not raise privileges" {
  command -v gcc >/dev/null || skip "needs gcc to build a static setuid probe"
  mkdir -p "$HOST_TMP/suid"
  printf '#include <stdio.h>\n#include <unistd.h>\nint main(void){printf("euid=%%d\\n",(int)geteuid());return 0;}\n' >"$HOST_TMP/euid.c"
  gcc -static -O1 -o "$HOST_TMP/suid/euid" "$HOST_TMP/euid.c" || skip "no static libc"
  chmod 4755 "$HOST_TMP/suid/euid"
  add_mount "{\"destination\": \"/mnt/suid\", \"type\": \"bind\", \"source\": \"$HOST_TMP/suid\", \"options\": [\"bind\", \"suid\"]}"
  add_mount "{\"destination\": \"/mnt/nosuid\", \"type\": \"bind\", \"source\": \"$HOST_TMP/suid\", \"options\": [\"bind\", \"nosuid\"]}"
  update_config '.process.user = {"uid": 1000, "gid": 1000} | .process.noNewPrivileges = false'
  set_script '/mnt/suid/euid; /mnt/nosuid/euid'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = euid=0 ]
  [ "${lines[1]}" = euid=1000 ]
}

@test "a symlink in a mount destination never leaves the rootfs" {
  local target="$HOST_TMP/escape"
  mkdir -p "$target"
  # absolute and relative links pointing at a host directory
  ln -s "$target" "$ROOTFS/evil"
  ln -s "../../../../../../../../../..$target" "$ROOTFS/evil2"
  add_mount '{"destination": "/evil/sub", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
  add_mount '{"destination": "/evil2/sub2", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
  set_script 'cat /proc/self/mountinfo'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  # mounted where the link points inside the rootfs
  mnt_line "$target/sub" | grep -q ' - tmpfs '
  mnt_line "$target/sub2" | grep -q ' - tmpfs '
  [ -d "$ROOTFS$target/sub" ]
  # nothing created in the host directory
  [ -z "$(ls -A "$target")" ] || fail "the host directory was written: $(ls -A "$target")"
}

@test "a .. in a mount destination stays inside the rootfs" {
  add_mount '{"destination": "/../../../../../../../tmp/dotdot", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
  set_script 'cat /proc/self/mountinfo'
  ward_run run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ] && return 0
  mnt_line /tmp/dotdot | grep -q ' - tmpfs '
  [ ! -e /tmp/dotdot ]
}

@test "a relative mount source is relative to the bundle" {
  mkdir -p "$BUNDLE/relsrc"
  echo relative >"$BUNDLE/relsrc/f"
  add_mount '{"destination": "/mnt/rel", "type": "bind", "source": "relsrc", "options": ["bind"]}'
  set_args cat /mnt/rel/f
  cd /
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" = relative ]
}

@test "bind mount of a single file, missing destinations are created" {
  echo single-file >"$HOST_TMP/file"
  add_mount "{\"destination\": \"/etc/injected\", \"type\": \"bind\", \"source\": \"$HOST_TMP/file\", \"options\": [\"bind\", \"ro\"]}"
  add_mount '{"destination": "/a/b/c/d", "type": "tmpfs", "source": "tmpfs"}'
  set_script 'cat /etc/injected; [ -f /etc/injected ] && echo is-file; [ -d /a/b/c/d ] && echo is-dir'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = single-file ]
  [ "${lines[1]}" = is-file ]
  [ "${lines[2]}" = is-dir ]
}

@test "mounts are applied in order: a later mount covers an earlier one" {
  add_mount '{"destination": "/stack", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
  add_mount '{"destination": "/stack/inner", "type": "tmpfs", "source": "tmpfs", "options": ["size=2m"]}'
  set_script 'df -k /stack /stack/inner | awk "NR > 1 {print \$2}"'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = 1024 ]
  [ "${lines[1]}" = 2048 ]
}

@test "the spec's default mounts have their types" {
  set_args cat /proc/self/mountinfo
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  mnt_line /proc | grep -q ' - proc '
  mnt_line /dev | grep -q ' - tmpfs '
  mnt_line /dev/pts | grep -q ' - devpts '
  mnt_line /dev/shm | grep -q ' - tmpfs '
  mnt_line /dev/mqueue | grep -q ' - mqueue '
  mnt_line /sys | grep -q ' - sysfs '
  has_opt /sys ro
  # /sys/fs/cgroup is a cgroup mount (or a tmpfs holding the v1 hierarchies)
  grep -q ' /sys/fs/cgroup[/ ].* - cgroup2\? ' <<<"$stdout"
}

@test "idmap bind mount shifts file owners" {
  requires idmap
  skip_on_runc "runc 1.1 has no idmapped mounts"
  mkdir -p "$HOST_TMP/idm"
  touch "$HOST_TMP/idm/f0" "$HOST_TMP/idm/f1"
  chown 1:1 "$HOST_TMP/idm/f1"
  add_mount "{\"destination\": \"/mnt/idm\", \"type\": \"bind\", \"source\": \"$HOST_TMP/idm\", \"options\": [\"bind\", \"idmap\"],
    \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],
    \"gidMappings\": [{\"containerID\": 0, \"hostID\": 200000, \"size\": 65536}]}"
  set_script 'stat -c "%u:%g" /mnt/idm/f0 /mnt/idm/f1'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = 100000:200000 ]
  [ "${lines[1]}" = 100001:200001 ]
  # the host's view is unchanged
  [ "$(stat -c %u:%g "$HOST_TMP/idm/f1")" = 1:1 ]
}

@test "a missing bind source fails, nothing left" {
  add_mount "{\"destination\": \"/mnt/x\", \"type\": \"bind\", \"source\": \"$HOST_TMP/does-not-exist\", \"options\": [\"bind\"]}"
  ward_run run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  runtime_is_ward && assert_error "does-not-exist"
  assert_no_leftovers
}
