#!/usr/bin/env bats
# `ward sandbox`: a host command under a policy, with no image, through the
# same create/start path; everything removed afterwards.

load helpers_policy

setup() {
  ward_setup
  skip_on_runc "ward sandbox is ward's"
  requires_policy landlock gcc
  SBX="$HOST_TMP/sbx"
  mkdir -p "$SBX/work" "$SBX/tools"
  cp "$(policy_probe_bin)" "$SBX/tools/probe"
  export TMPDIR="$HOST_TMP"
}

sandbox() {
  ward_run sandbox "$@"
}

assert_sandbox_gone() {
  local left
  left="$(find "$HOST_TMP" -maxdepth 1 -name 'ward-sandbox-*')"
  [ -z "$left" ] || fail "bundle left behind: $left"
  [ -z "$(ls "$ROOT" 2>/dev/null | grep ward-sandbox)" ] || fail "container left behind"
}

@test "sandbox: runs a command, returns its status, leaves nothing" {
  sandbox -- sh -c 'echo hi; exit 7'
  assert_status 7
  assert_output_contains "hi"
  assert_sandbox_gone
}

@test "sandbox: a read-only, deny-by-default view of the host" {
  echo "host secret" >"$SBX/secret.txt"
  sandbox -- sh -c "cat /etc/hostname >/dev/null && echo etc-ok; echo x > /etc/x; echo etc=\$?;
    cat $SBX/secret.txt; echo secret=\$?; ls /root; echo root=\$?; echo t > /tmp/t && echo tmp-ok"
  assert_success
  assert_output_contains "etc-ok"
  assert_output_contains "etc=2"
  assert_output_contains "secret=1"
  assert_output_not_contains "host secret"
  assert_output_contains "tmp-ok"
  assert_sandbox_gone
}

@test "sandbox: an MXC file with commandLine, cwd, paths and a denied file" {
  echo data >"$SBX/work/in.txt"
  echo t0k3n-value >"$SBX/work/.token"
  : >"$SBX/work/out.txt"
  cat >"$SBX/policy.json" <<EOF
{"version": "0.8.0-alpha",
 "process": {"commandLine": "cat in.txt; cat .token; echo out > out.txt; pwd", "cwd": "$SBX/work"},
 "filesystem": {"readwritePaths": ["$SBX/work"], "deniedPaths": ["$SBX/work/.token"]}}
EOF
  sandbox --config "$SBX/policy.json"
  assert_success
  assert_output_contains "data"
  assert_output_not_contains "t0k3n-value"
  assert_output_contains ".token: Permission denied"
  assert_output_contains "$SBX/work"
  [ "$(cat "$SBX/work/out.txt")" = out ]
  assert_sandbox_gone
}

@test "sandbox: syscalls, raw sockets and the network are refused" {
  cat >"$SBX/policy.json" <<EOF
{"filesystem": {"readonlyPaths": ["$SBX/tools"]}}
EOF
  sandbox --config "$SBX/policy.json" -- "$SBX/tools/probe" userns ptrace packet "connect4 192.0.2.1 9"
  assert_success
  assert_probe userns EPERM
  assert_probe ptrace EPERM
  assert_probe packet EPERM
  [[ "$output" == *"connect4 192.0.2.1 9: ENETUNREACH"* || "$output" == *"connect4 192.0.2.1 9: EPERM"* ]] ||
    fail "the network was reachable"
  assert_sandbox_gone
}

@test "sandbox: process.timeout ends it with 137" {
  cat >"$SBX/policy.json" <<'EOF'
{"process": {"commandLine": "sleep 30", "timeout": 700}}
EOF
  sandbox --config "$SBX/policy.json"
  assert_status 137
  assert_sandbox_gone
}

@test "sandbox: a profile, and nothing to run is an error" {
  sandbox --profile readonly -- sh -c 'echo x > /tmp/ok && echo tmp-ok'
  assert_success
  assert_output_contains "tmp-ok"
  sandbox --profile readonly
  assert_error "sandbox: nothing to run (give -- CMD… or process.commandLine in the policy)"
  assert_sandbox_gone
}
