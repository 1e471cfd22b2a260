#!/usr/bin/env bats
# The root filesystem: pivot_root / --no-pivot, root.readonly,
# rootfsPropagation, the host's filesystem out of reach.

load helpers

# The optional fields (7th field up to "-") of the mountinfo line for $1.
prop_of() {
  awk -v m="$1" '$5 == m { s = ""; for (i = 7; $i != "-"; i++) s = s " " $i; print s }' <<<"$stdout" | tail -n 1
}

@test "the container sees its rootfs as /" {
  echo "rootfs-marker-$CID" >"$ROOTFS/marker"
  set_script 'cat /marker; grep -c "^ward:" /etc/passwd'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = "rootfs-marker-$CID" ]
  [ "${lines[1]}" = 1 ]
}

@test "the host's root is not reachable (pivot_root: no old root left)" {
  set_script 'cat /proc/self/mountinfo; echo ===; ls /'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  # no mount of the host's root filesystem other than the rootfs itself
  local n
  n="$(awk '$5 == "/"' <<<"$stdout" | wc -l)"
  [ "$n" -eq 1 ]
  # the runtime's state directory is not visible
  assert_output_not_contains ward-root
}

@test "--no-pivot: the container still runs in its rootfs" {
  echo "nopivot-$CID" >"$ROOTFS/marker"
  set_script 'cat /marker; ls /proc/1/root/ >/dev/null && echo has-proc'
  ward_run run --no-pivot --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = "nopivot-$CID" ]
  assert_no_leftovers
}

@test "root.readonly: / refuses writes, mounts on top stay writable" {
  update_config '.root.readonly = true'
  add_mount '{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
  set_script 'touch /newfile 2>&1; touch /tmp/ok && echo tmp-ok; grep -c "^" /etc/passwd'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains "Read-only file system"
  assert_output_contains tmp-ok
  [ ! -e "$ROOTFS/newfile" ]
}

@test "root.readonly false: / is writable" {
  update_config '.root.readonly = false'
  set_script 'touch /newfile && echo ok'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ -e "$ROOTFS/newfile" ]
}

@test "rootfsPropagation private: / has no peer group" {
  update_config '.linux.rootfsPropagation = "private"'
  set_args cat /proc/self/mountinfo
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  local p
  p="$(prop_of /)"
  [[ "$p" != *shared:* ]] && [[ "$p" != *master:* ]] || fail "propagation of /: $p"
}

@test "rootfsPropagation shared: / is a shared mount" {
  # crun 1.8 passes this; runc 1.1 leaves / private
  skip_on_runc "runc 1.1 does not make / shared"
  update_config '.linux.rootfsPropagation = "shared"'
  set_args cat /proc/self/mountinfo
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  local p
  p="$(prop_of /)"
  [[ "$p" == *shared:* ]] || fail "propagation of /: '$p'"
}

@test "rootfsPropagation rslave: / receives from a master" {
  update_config '.linux.rootfsPropagation = "rslave"'
  set_args cat /proc/self/mountinfo
  # the bundle must sit on a shared mount for slave to have a master: make
  # one in a private mount namespace of our own
  ward_capture unshare -m --propagation private sh -c '
    mount --bind "$1" "$1" && mount --make-shared "$1" || exit 99
    shift; exec "$@"' sh "$BUNDLE" "$WARD_BIN" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
  assert_success
  local p
  p="$(prop_of /)"
  [[ "$p" == *master:* ]] || fail "propagation of /: '$p'"
}

@test "a bad rootfsPropagation value is refused" {
  update_config '.linux.rootfsPropagation = "sideways"'
  ward_run run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  assert_no_leftovers
}

@test "--no-pivot: MS_MOVE + chroot; the root is the bundle's rootfs and the host's is unreachable" {
  put_file /only-in-rootfs <<<"mine"
  set_script 'cat /only-in-rootfs; ls /tmp/ward-bundle* 2>&1 | head -n 1; cat /proc/self/mountinfo | awk "\$5 == \"/\" {print \$4}"'
  ward_run run --no-pivot --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = mine ]
  assert_output_contains "No such file or directory"
  [[ "${lines[2]}" == *rootfs ]] || fail "root mount: ${lines[2]}"
  assert_no_leftovers
}
