#!/usr/bin/env bats
# Error cases: the message (one line, "ward: ...", naming the path, step and
# errno), exit status 1, and nothing left behind.

load helpers

@test "bad config: a wrong type names the JSON path" {
  update_config '.process.args = "true"'
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_error "config.json: process.args: expected an array of strings"
  assert_no_leftovers
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_error "config.json: process.args: expected an array of strings"
  assert_no_leftovers
}

@test "bad config: wrong types deeper in the document" {
  update_config '.process.user.uid = "zero"'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_error "process.user.uid"
  assert_no_leftovers
  setup_bundle "$BUNDLE/b2"
  CONFIG="$BUNDLE/b2/config.json" update_config '.linux.namespaces = {"type": "pid"}'
  ward_run run --bundle "$BUNDLE/b2" "$CID"
  assert_error "linux.namespaces"
  assert_no_leftovers
}

@test "bad config: a missing required field" {
  skip_on_runc "runc does not require ociVersion"
  update_config 'del(.ociVersion)'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_error "ociVersion"
  assert_no_leftovers
}

@test "bad config: invalid JSON" {
  printf '{"ociVersion": "1.2.0", "process": ' >"$BUNDLE/config.json"
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_error "config.json"
  assert_no_leftovers
}

@test "bad config: no config.json" {
  rm "$BUNDLE/config.json"
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_error "config.json"
  runtime_is_ward && assert_error "No such file or directory"
  assert_no_leftovers
}

@test "bad config: an unknown namespace type" {
  update_config '.linux.namespaces += [{"type": "bogusns"}]'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_error "bogusns"
  assert_no_leftovers
}

@test "bad config: empty process.args" {
  update_config '.process.args = []'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_error "process.args"
  assert_no_leftovers
}

@test "unknown fields are ignored" {
  update_config '.["x-vendor"] = {"a": 1} | .process["x-extra"] = [1, 2] | .linux["x-more"] = "y"'
  set_script 'echo still-runs'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" = still-runs ]
}

@test "unknown id: start, state, kill, delete" {
  local id="$CID-unknown"
  for cmd in start state delete; do
    ward_run "$cmd" "$id"
    assert_error "container \"$id\" does not exist"
  done
  ward_run kill "$id" TERM
  assert_error "container \"$id\" does not exist"
  [ ! -e "$ROOT/$id" ]
}

@test "duplicate id: the second create fails, the first container is untouched" {
  set_args sleep 100
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_success
  local pid
  pid="$(container_pid "$CID")"
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_error "container \"$CID\" already exists"
  [ "$(container_status "$CID")" = created ]
  [ "$(container_pid "$CID")" = "$pid" ]
  pid_alive "$pid"
  ward_run start "$CID"
  assert_success
  [ "$(container_status "$CID")" = running ]
}

@test "an id that is a path is refused, nothing written outside --root" {
  local id
  for id in "../$CID-escape" "a/b" "." ".." ""; do
    ward_run create --bundle "$BUNDLE" "$id"
    [ "$status" -ne 0 ] || fail "id '$id' accepted"
  done
  [ ! -e "$(dirname "$ROOT")/$CID-escape" ]
  [ ! -e "$ROOT/a" ]
}

@test "missing rootfs: error naming it, nothing left" {
  rm -rf "$ROOTFS"
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_error "rootfs"
  assert_no_leftovers
}

@test "missing binary: the message names it, nothing left" {
  set_args /nonexistent
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_error "/nonexistent"
  runtime_is_ward && assert_error "No such file or directory"
  assert_no_leftovers
}

@test "missing binary with create: create or start fails, nothing left after delete" {
  set_args /nonexistent
  ward_run create --bundle "$BUNDLE" "$CID"
  if [ "$status" -eq 0 ]; then
    ward_run start "$CID"
    [ "$status" -ne 0 ] || [ "$(container_status "$CID")" = stopped ]
    ward_run delete --force "$CID"
    assert_success
  else
    assert_error "/nonexistent"
  fi
  assert_no_leftovers
}

@test "a command not in PATH is named" {
  set_args no-such-command-here
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_error "no-such-command-here"
  assert_no_leftovers
}

@test "a file that is not executable" {
  set_args /etc/passwd
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_error "/etc/passwd"
  runtime_is_ward && assert_error "Permission denied"
  assert_no_leftovers
}

@test "bad mount option: the message names the mount, nothing left" {
  add_mount '{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["size=bogus"]}'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_error "/data"
  runtime_is_ward && assert_error "Invalid argument"
  assert_no_leftovers
}

@test "bad mount type: nothing left" {
  add_mount '{"destination": "/data", "type": "nosuchfs", "source": "none"}'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_error "/data"
  assert_no_leftovers
}

@test "a failing container set-up leaves no cgroup behind (explicit cgroupsPath)" {
  update_config '.linux.cgroupsPath = $p' --arg p "/$CID-cg"
  set_args /nonexistent
  ward_run run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  assert_no_leftovers
}
