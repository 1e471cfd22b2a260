#!/usr/bin/env bats
# Landlock denials in the audit stream (runtime/src/policy/audit_kernel.c).
# Landlock reports denials only to the kernel's audit subsystem, and only
# while kernel audit is enabled; ward reads them there, never turns audit
# on (it is host-wide state), and says so when it cannot.

load helpers_policy

setup() {
  ward_setup
  skip_on_runc "agent policies are ward's"
  requires_policy landlock
}

# Kernel audit as the kernel itself answers AUDIT_GET (not through ward):
# prints "enabled", "disabled" or "unknown".
kernel_audit() {
  command -v python3 >/dev/null || {
    echo unknown
    return
  }
  python3 - <<'EOF'
import socket, struct
try:
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 9)  # NETLINK_AUDIT
    s.settimeout(2)
    s.sendto(struct.pack("=IHHII", 16, 1000, 1, 1, 0), (0, 0))  # AUDIT_GET
    while True:
        data = s.recv(8192)
        length, kind = struct.unpack_from("=IH", data)
        if kind == 2:  # NLMSG_ERROR
            (err,) = struct.unpack_from("=i", data, 16)
            if err:
                print("unknown")
                break
            continue
        if kind == 1000:
            mask, enabled = struct.unpack_from("=II", data, 16)
            print("enabled" if enabled else "disabled")
            break
except OSError:
    print("unknown")
EOF
}

landlock_policy() {
  mkdir -p "$ROOTFS/workspace"
  put_file /workspace/notes.txt <<<"notes"
  put_file /workspace/.env <<<"TOKEN=secret"
  set_agent auditor
  set_policy '{"filesystem": {"readwritePaths": ["/workspace"], "deniedPaths": ["/workspace/.env"]}}'
}

@test "landlock audit: with kernel audit disabled, ward says denials are not reported and still denies" {
  [ "$(kernel_audit)" = disabled ] || skip "kernel audit is not disabled on this host"
  landlock_policy
  run -0 __ward policy explain --bundle "$BUNDLE"
  assert_output_contains "Landlock denials: not reported (kernel audit disabled)"
  assert_output_contains "landlock-audit=off"

  # the container starts, its report says the same
  set_args sleep 30
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  local rep
  rep="$(enforced_report "$CID")"
  [[ "$rep" == *"fs=landlock"* && "$rep" == *"landlock-audit=off"* ]] || fail "report: $rep"

  # and the denial itself still happens: EACCES
  set_script 'cat /workspace/notes.txt; cat /workspace/.env; echo "rc=$?"'
  ward_run run --bundle "$BUNDLE" "$CID-2"
  WARD_CIDS+=("$CID-2")
  assert_success
  assert_output_contains "notes"
  assert_output_contains "can't open '/workspace/.env': Permission denied"
  assert_output_not_contains "TOKEN=secret"
  assert_output_contains "rc=1"
  # nothing was invented for the stream
  [ ! -s "$ROOT/$CID-2/audit.jsonl" ] || ! grep -q '"action":"landlock"' "$ROOT/$CID-2/audit.jsonl" ||
    fail "a Landlock line without kernel audit: $(cat "$ROOT/$CID-2/audit.jsonl")"
}

@test "landlock audit: a policy without a Landlock domain says nothing about it" {
  set_policy '{"processContainer": {"captureDenials": {"mode": "allow"}}}'
  run -0 __ward policy explain --bundle "$BUNDLE"
  assert_output_not_contains "Landlock denials:"
  assert_output_not_contains "landlock-audit="
}

@test "landlock audit: with kernel audit enabled, each denial is one line of the audit stream" {
  [ "$(kernel_audit)" = enabled ] ||
    skip "kernel audit disabled on this host; enabling it is host-wide"
  landlock_policy
  # the monitor listens from create on; the denial comes once the agent runs
  set_script 'sleep 1; cat /workspace/.env; echo "rc=$?" > /workspace/rc; sleep 30'
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  [[ "$(enforced_report "$CID")" == *"landlock-audit=on"* ]] || fail "report: $(enforced_report "$CID")"
  local log="$ROOT/$CID/audit.jsonl"
  wait_for 50 0.2 grep -q '"action":"landlock"' "$log"
  sleep 1 # a duplicate would have arrived by now
  [ "$(cat "$ROOTFS/workspace/rc")" = "rc=1" ] || fail "the read was not denied"
  run -0 jq -c 'select(.action == "landlock")' "$log"
  [ "${#lines[@]}" -eq 1 ] || fail "expected one Landlock line: $output"
  jq -e --arg c "$CID" 'select(.action == "landlock")
      | .container == $c and .agent == "auditor" and .verdict == "denied"
        and .target.path == "/workspace/.env" and (.detail | contains("fs.read_file"))
        and .rule == "filesystem.deniedPaths[0]" and (.time | test("Z$"))' "$log" ||
    fail "fields: $(cat "$log")"
}
