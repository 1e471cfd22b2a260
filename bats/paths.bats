#!/usr/bin/env bats
# maskedPaths and readonlyPaths.

load helpers

@test "maskedPaths: a masked file reads empty" {
  echo "s3cret" >"$ROOTFS/secret.txt"
  update_config '.linux.maskedPaths = ["/secret.txt", "/proc/kcore"]'
  set_script 'cat /secret.txt | wc -c; head -c 100 /proc/kcore | wc -c'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" -eq 0 ]
  [ "${lines[1]}" -eq 0 ]
  # the file itself is untouched
  [ "$(cat "$ROOTFS/secret.txt")" = s3cret ]
}

@test "maskedPaths: a masked directory is empty and cannot be written" {
  mkdir -p "$ROOTFS/secretdir"
  echo a >"$ROOTFS/secretdir/a"
  echo b >"$ROOTFS/secretdir/b"
  update_config '.linux.maskedPaths = ["/secretdir", "/proc/acpi", "/sys/firmware"]'
  set_script 'ls -A /secretdir | wc -l; ls -A /sys/firmware | wc -l; touch /secretdir/new 2>&1 || echo refused'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" -eq 0 ]
  [ "${lines[1]}" -eq 0 ]
  assert_output_contains refused
  [ ! -e "$ROOTFS/secretdir/new" ]
  [ -f "$ROOTFS/secretdir/a" ]
}

@test "maskedPaths: a path that does not exist is ignored" {
  update_config '.linux.maskedPaths = ["/no/such/path", "/proc/no-such-file"]'
  set_script 'echo ok'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" = ok ]
}

@test "readonlyPaths: writes are refused, reads work" {
  mkdir -p "$ROOTFS/rodir"
  echo keep >"$ROOTFS/rodir/file"
  update_config '.linux.readonlyPaths = ["/rodir", "/proc/sys"]'
  set_script 'cat /rodir/file; touch /rodir/new 2>&1; echo ward.example > /proc/sys/kernel/domainname 2>&1; cat /proc/sys/kernel/ostype; true'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = keep ]
  [ "$(grep -c 'Read-only file system' <<<"$output")" -eq 2 ]
  assert_output_contains Linux
  [ ! -e "$ROOTFS/rodir/new" ]
}

@test "readonlyPaths: the rest of the rootfs stays writable" {
  mkdir -p "$ROOTFS/rodir" "$ROOTFS/rwdir"
  update_config '.linux.readonlyPaths = ["/rodir"]'
  set_script 'touch /rwdir/ok && echo rw-ok'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" = rw-ok ]
  [ -e "$ROOTFS/rwdir/ok" ]
}
