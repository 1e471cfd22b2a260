#!/usr/bin/env bats
# /dev: default devices, symlinks, /dev/pts, linux.devices.

load helpers

@test "default devices exist with the right type and numbers" {
  set_script 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$d; done'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = "/dev/null character special file 1:3 666" ]
  [ "${lines[1]}" = "/dev/zero character special file 1:5 666" ]
  [ "${lines[2]}" = "/dev/full character special file 1:7 666" ]
  [ "${lines[3]}" = "/dev/random character special file 1:8 666" ]
  [ "${lines[4]}" = "/dev/urandom character special file 1:9 666" ]
  [ "${lines[5]}" = "/dev/tty character special file 5:0 666" ]
}

@test "default devices work: null, zero, full, urandom" {
  set_script 'echo x > /dev/null && echo null-ok
    head -c 4 /dev/zero | od -An -tx1 | tr -d " "
    echo x 2>&1 >/dev/full || true
    head -c 16 /dev/urandom | wc -c'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = null-ok ]
  [ "${lines[1]}" = 00000000 ]
  assert_output_contains "No space left on device"
  [ "${lines[3]}" -eq 16 ]
}

@test "standard /dev symlinks" {
  set_script 'for l in fd stdin stdout stderr ptmx; do echo "$l $(readlink /dev/$l)"; done'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = "fd /proc/self/fd" ]
  [ "${lines[1]}" = "stdin /proc/self/fd/0" ]
  [ "${lines[2]}" = "stdout /proc/self/fd/1" ]
  [ "${lines[3]}" = "stderr /proc/self/fd/2" ]
  [ "${lines[4]}" = "ptmx pts/ptmx" ]
}

@test "/dev/pts is a private devpts instance" {
  set_script 'awk "\$5 == \"/dev/pts\" {print \$9}" /proc/self/mountinfo; ls /dev/pts'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = devpts ]
  # a new instance: only ptmx, none of the host's ptys
  [ "${lines[1]}" = ptmx ]
  [ "${#lines[@]}" -eq 2 ]
}

@test "/dev holds nothing beyond the defaults (no host devices)" {
  set_args ls -A /dev
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  local allowed=" console core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero "
  local d
  for d in $stdout; do
    [[ "$allowed" == *" $d "* ]] || fail "unexpected /dev/$d"
  done
  [ ! -e "$ROOTFS/dev/null" ] || [ ! -c "$ROOTFS/dev/null" ] || fail "device node created in the rootfs on the host"
}

@test "no /dev/console without a terminal" {
  set_script '[ -e /dev/console ] && echo has-console || echo no-console'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" = no-console ]
}

@test "linux.devices: char device and fifo with mode, uid, gid" {
  update_config '.linux.devices = [
      {"path": "/dev/wardnull", "type": "c", "major": 1, "minor": 3, "fileMode": 432, "uid": 1000, "gid": 100},
      {"path": "/dev/sub/wardzero", "type": "c", "major": 1, "minor": 5, "fileMode": 384, "uid": 0, "gid": 0},
      {"path": "/dev/wardfifo", "type": "p", "fileMode": 420}
    ]
    | .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"},
                                   {"allow": true, "type": "c", "major": 1, "minor": 5, "access": "rwm"}]'
  set_script 'stat -c "%F %t:%T %a %u %g" /dev/wardnull /dev/sub/wardzero; stat -c "%F %a" /dev/wardfifo
    head -c 2 /dev/sub/wardzero | od -An -tx1 | tr -d " "'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = "character special file 1:3 660 1000 100" ]
  [ "${lines[1]}" = "character special file 1:5 600 0 0" ]
  [ "${lines[2]}" = "fifo 644" ]
  [ "${lines[3]}" = 0000 ]
}

@test "device cgroup: linux.resources.devices decides what can be opened" {
  requires cgroup_v1
  [ -c /dev/fuse ] || skip "needs the fuse driver (10:229)"
  # /dev/fuse opens without any capability, so only the cgroup decides
  update_config '.linux.devices = [{"path": "/dev/wardfuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0}]
    | .linux.resources.devices = [{"allow": false, "access": "rwm"}]'
  set_script 'true < /dev/wardfuse && echo opened || echo refused'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains refused
  assert_output_contains "Operation not permitted"
  update_config '.linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}]'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" = opened ]
}
