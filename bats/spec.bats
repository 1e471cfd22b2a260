#!/usr/bin/env bats
# spec: the default config.json (+ --rootless), refusing to overwrite.

load helpers

setup() {
  ward_setup
  SPECDIR="$BUNDLE/spec"
  mkdir -p "$SPECDIR"
}

@test "spec writes a valid config.json in the current directory" {
  cd "$SPECDIR"
  ward_run spec
  assert_success
  [ -f config.json ]
  jq -e . config.json >/dev/null
  jq -e '.ociVersion | test("^1\\.[0-9]+\\.[0-9]+")' config.json
  jq -e '.root.path == "rootfs"' config.json
  jq -e '.process.args | type == "array" and length > 0' config.json
  jq -e '.process.cwd == "/"' config.json
  jq -e '[.linux.namespaces[].type] | (index("pid") != null) and (index("mount") != null) and (index("network") != null) and (index("ipc") != null) and (index("uts") != null)' config.json
  jq -e '[.mounts[].destination] | (index("/proc") != null) and (index("/dev") != null) and (index("/dev/pts") != null) and (index("/sys") != null)' config.json
  jq -e '.linux.maskedPaths | length > 0' config.json
  jq -e '.linux.readonlyPaths | length > 0' config.json
  jq -e '.process.capabilities.bounding | length > 0' config.json
}

@test "spec --bundle writes into that directory" {
  ward_run spec --bundle "$SPECDIR"
  assert_success
  jq -e . "$SPECDIR/config.json" >/dev/null
  mkdir "$BUNDLE/spec2"
  ward_run spec -b "$BUNDLE/spec2"
  assert_success
  jq -e . "$BUNDLE/spec2/config.json" >/dev/null
}

@test "spec refuses to overwrite an existing config.json" {
  echo '{"mine": true}' >"$SPECDIR/config.json"
  ward_run spec --bundle "$SPECDIR"
  assert_error "config.json"
  [ "$(cat "$SPECDIR/config.json")" = '{"mine": true}' ]
}

@test "the default spec runs (terminal off, a command that exits)" {
  ward_run spec --bundle "$SPECDIR"
  assert_success
  cp -a "$ROOTFS" "$SPECDIR/rootfs"
  jq '.process.terminal = false | .process.args = ["sh", "-c", "echo default-spec-ok"]' \
    "$SPECDIR/config.json" >"$SPECDIR/c" && mv "$SPECDIR/c" "$SPECDIR/config.json"
  ward_run run --bundle "$SPECDIR" "$CID"
  assert_success
  [ "$stdout" = default-spec-ok ]
}

@test "spec --rootless: a user namespace mapping the caller, no network namespace" {
  ward_run spec --rootless --bundle "$SPECDIR"
  assert_success
  local c="$SPECDIR/config.json"
  jq -e '[.linux.namespaces[].type] | index("user") != null' "$c"
  jq -e '[.linux.namespaces[].type] | index("network") == null' "$c"
  jq -e --argjson u "$(id -u)" '.linux.uidMappings | length == 1 and .[0].containerID == 0 and .[0].hostID == $u and .[0].size == 1' "$c"
  jq -e --argjson g "$(id -g)" '.linux.gidMappings | length == 1 and .[0].containerID == 0 and .[0].hostID == $g and .[0].size == 1' "$c"
  # gid=5 cannot be mapped with a single-id mapping
  jq -e '[.mounts[] | select(.destination == "/dev/pts") | .options[] | select(. == "gid=5")] | length == 0' "$c"
}

@test "spec into a missing directory fails" {
  ward_run spec --bundle "$SPECDIR/does/not/exist"
  [ "$status" -eq 1 ]
  [ ! -e "$SPECDIR/does" ]
}
