#!/usr/bin/env bats
# `ward sandbox --learn`: the paths part — a seccomp-notify listener records
# the paths the command's file syscalls use, and the learnt policy grants
# the smallest readonlyPaths/readwritePaths that allow them.  (The egress
# part is in egress_names.bats.)

load helpers_policy

setup() {
  ward_setup
  skip_on_runc "ward sandbox is ward's"
  requires_policy landlock
  LRN="$HOST_TMP/lrn"
  mkdir -p "$LRN/data" "$LRN/out" "$LRN/tools" "$LRN/known"
  echo "input data" >"$LRN/data/in.txt"
  echo "not learnt" >"$LRN/data/sibling.txt"
  echo "known data" >"$LRN/known/k.txt"
  cp "$BUSYBOX" "$LRN/tools/busybox"
  export TMPDIR="$HOST_TMP"
}

# learnt_paths KEY: the entries of .filesystem.KEY of the learnt policy, one
# a line, sorted.
learnt_paths() {
  jq -r ".filesystem.$1 // [] | .[]" "$LRN/learnt.json" | sort
}

@test "learn: reads, a new file and an exec become the smallest path rules, and enforced they allow just that" {
  cat >"$LRN/in.json" <<EOF
{"filesystem": {"readonlyPaths": ["$LRN/known"]}}
EOF
  cmd="cat $LRN/data/in.txt; echo out > $LRN/out/new.txt; $LRN/tools/busybox echo tool-ran; cat $LRN/known/k.txt; cat /proc/self/stat >/dev/null; cat /etc/hostname >/dev/null"
  ward_run sandbox --config "$LRN/in.json" --learn "$LRN/learnt.json" -- sh -c "$cmd"
  assert_success
  assert_output_contains "input data"
  assert_output_contains "tool-ran"
  assert_output_contains "known data"
  [ "$(cat "$LRN/out/new.txt")" = out ] || fail "the learning run did not write"

  # the read file and the executed binary read-only, the directory of the
  # new file read-write, the policy's own entry kept; nothing else (no
  # /proc, no /etc, no system libraries, no sibling)
  [ "$(learnt_paths readonlyPaths)" = "$(printf '%s\n' "$LRN/data/in.txt" "$LRN/known" "$LRN/tools/busybox" | sort)" ] ||
    fail "readonlyPaths: $(learnt_paths readonlyPaths)"
  [ "$(learnt_paths readwritePaths)" = "$LRN/out" ] || fail "readwritePaths: $(learnt_paths readwritePaths)"
  [ -z "$(learnt_paths deniedPaths)" ] || fail "deniedPaths: $(learnt_paths deniedPaths)"
  run grep -E '"/(proc|sys|dev|etc|usr)' "$LRN/learnt.json"
  [ "$status" -ne 0 ] || fail "a baseline or pseudo path was learnt: $output"

  ward_run policy check "$LRN/learnt.json"
  assert_success

  # enforced: the same command works
  rm "$LRN/out/new.txt"
  ward_run sandbox --config "$LRN/learnt.json" -- sh -c "$cmd"
  assert_success
  assert_output_contains "input data"
  assert_output_contains "tool-ran"
  [ "$(cat "$LRN/out/new.txt")" = out ] || fail "the enforced run did not write"

  # …and what was not learnt is refused.  A new file next to the read one:
  # the test's paths lie below /tmp (bats' temporary directory), where the
  # sandbox's read-write /tmp is carved down to read-only around a
  # read-only entry, so Landlock refuses it (EACCES); outside /tmp the
  # directory is a mount point in the read-only root (EROFS).
  case "$LRN" in
  /tmp/*) want="Permission denied" ;;
  *) want="Read-only file system" ;;
  esac
  ward_run sandbox --config "$LRN/learnt.json" -- sh -c "echo x > $LRN/data/new.txt"
  assert_status 2
  assert_output_contains "$want"
  [ ! -e "$LRN/data/new.txt" ] || fail "an unlearnt file was created"
  # a file never used is not in the sandbox at all
  ward_run sandbox --config "$LRN/learnt.json" -- cat "$LRN/data/sibling.txt"
  [ "$status" -ne 0 ] || fail "an unlearnt file was read"
  assert_output_not_contains "not learnt"
  # the learnt read-only file stays read-only
  ward_run sandbox --config "$LRN/learnt.json" -- sh -c "echo x >> $LRN/data/in.txt"
  [ "$status" -ne 0 ] || fail "a read-only learnt file was written"
  [ "$(cat "$LRN/data/in.txt")" = "input data" ] || fail "in.txt changed"
  # nothing left: bundles, containers, listeners
  [ -z "$(find "$HOST_TMP" -maxdepth 1 -name 'ward-sandbox-*')" ] || fail "a bundle was left behind"
  [ -z "$(ls "$ROOT" 2>/dev/null | grep ward-sandbox)" ] || fail "a container was left behind"
  for p in $(pgrep -x ward-learn); do
    [[ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" != *"$ROOT"* ]] || fail "a listener was left behind"
  done
}

@test "learn: many files of one directory become the directory; denied paths stay denied and are listed, not learnt" {
  mkdir -p "$LRN/many" "$LRN/vault"
  for i in 1 2 3 4 5; do echo "f$i" >"$LRN/many/f$i"; done
  echo s3cr3t >"$LRN/vault/key"
  cat >"$LRN/in.json" <<EOF
{"filesystem": {"deniedPaths": ["$LRN/vault"]}}
EOF
  ward_run sandbox --config "$LRN/in.json" --learn "$LRN/learnt.json" -- \
    sh -c "cat $LRN/many/f1 $LRN/many/f2 $LRN/many/f3 $LRN/many/f4 $LRN/many/f5; cat $LRN/vault/key"
  assert_success
  assert_output_contains "f5"
  [ "$(learnt_paths readonlyPaths)" = "$LRN/many" ] || fail "readonlyPaths: $(learnt_paths readonlyPaths)"
  [ "$(learnt_paths deniedPaths)" = "$LRN/vault" ] || fail "deniedPaths: $(learnt_paths deniedPaths)"
  jq -e --arg p "$LRN/vault/key" '._comment | contains($p)' "$LRN/learnt.json" >/dev/null ||
    fail "the denied path is not listed: $(jq -r ._comment "$LRN/learnt.json")"
  ward_run policy check "$LRN/learnt.json"
  assert_success
  ward_run sandbox --config "$LRN/learnt.json" -- sh -c "cat $LRN/many/f3; ls $LRN/many | wc -l; cat $LRN/vault/key"
  assert_output_contains "f3"
  assert_output_contains "5"
  assert_output_not_contains "s3cr3t"
}

@test "learn: the learning run's audit stream has the paths, once each" {
  # the container is gone after the run: keep its audit stream by reading
  # it while the command still runs
  ward_run sandbox --learn "$LRN/learnt.json" -- sh -c \
    "cat $LRN/data/in.txt >/dev/null; cat $LRN/data/in.txt >/dev/null; echo n > $LRN/out/n.txt; cat \$(ls -d $ROOT/*/ | head -1)audit.jsonl"
  assert_success
  printf '%s\n' "$stdout" | grep '"action":"open"' | grep -F "\"path\":\"$LRN/data/in.txt\"" | grep -q '"detail":"read"' ||
    fail "no read line for in.txt"
  [ "$(printf '%s\n' "$stdout" | grep -F "\"path\":\"$LRN/data/in.txt\"" | grep -c '"detail":"read"')" -eq 1 ] ||
    fail "in.txt recorded more than once"
  printf '%s\n' "$stdout" | grep -F "\"path\":\"$LRN/out/n.txt\"" | grep -q '"detail":"create"' ||
    fail "no create line for n.txt"
  printf '%s\n' "$stdout" | grep '"action":"exec"' | grep -q '"verdict":"allowed-audit"' || fail "no exec line"
  printf '%s\n' "$stdout" | grep -q '"path":"/proc' && fail "a /proc path was recorded"
  true
}
