#!/usr/bin/env bats
# The agent policy, enforced: for each rule the agent (a busybox shell or
# the prober in a container started with `ward run` and run.ward.*
# annotations) tries to break it and fails with the expected errno, next to
# the allowed action working.

load helpers_policy

setup() {
  ward_setup
  skip_on_runc "agent policies are ward's"
  requires_policy landlock
}

@test "policy: a container without run.ward.* annotations gets no policy" {
  set_args sleep 30
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  run -0 __ward state "$CID"
  [ "$(echo "$output" | jq -r '.annotations["run.ward.enforced"] // "none"')" = none ]
  [ ! -e "$ROOT/$CID/plan.json" ]
}

@test "policy: the state carries the enforcement report, the state dir the plan" {
  set_policy '{"process": {"timeout": 60000}}'
  set_agent reviewer
  set_args sleep 30
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  local rep
  rep="$(enforced_report "$CID")"
  [[ "$rep" == *"agent=reviewer"* ]] || fail "report: $rep"
  [[ "$rep" == *"fs=landlock"* ]] || fail "report: $rep"
  [[ "$rep" == *"timeout=60000ms"* ]] || fail "report: $rep"
  jq -e '.agent == "reviewer" and .filesystem.mode == "landlock"' "$ROOT/$CID/plan.json"
}

@test "policy: reading a denied file fails with EACCES, an allowed one works" {
  put_file /workspace/notes.txt <<<"notes"
  put_file /workspace/.env <<<"TOKEN=secret"
  set_policy '{"filesystem": {"readwritePaths": ["/workspace"], "deniedPaths": ["/workspace/.env"]}}'
  set_script 'cat /workspace/notes.txt; cat /workspace/.env; echo "rc=$?"'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains "notes"
  assert_output_not_contains "TOKEN=secret"
  assert_output_contains "can't open '/workspace/.env': Permission denied"
  assert_output_contains "rc=1"
}

@test "policy: a denied directory is empty and its files are gone" {
  put_file /workspace/secret/key <<<"k3y"
  put_file /workspace/src/main.c <<<"int main;"
  set_policy '{"filesystem": {"readwritePaths": ["/workspace"], "deniedPaths": ["/workspace/secret"]}}'
  set_script 'ls /workspace; ls -A /workspace/secret | wc -l; cat /workspace/secret/key;
    echo edit >> /workspace/src/main.c && echo edited; echo new > /workspace/src/new.c && echo created;
    echo x > /workspace/top-level; echo "top=$?"'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains "secret"
  assert_output_contains "can't open '/workspace/secret/key': No such file or directory"
  assert_output_not_contains "k3y"
  assert_output_contains "edited"
  assert_output_contains "created"
  # Carving: the directory above a denied entry takes no new entries.
  assert_output_contains "can't create /workspace/top-level: Permission denied"
}

@test "policy: writing a read-only path fails, writing a read-write one works" {
  put_file /data/ref.txt <<<"ref"
  mkdir -p "$ROOTFS/workspace"
  set_policy '{"filesystem": {"readwritePaths": ["/workspace"], "readonlyPaths": ["/data"]}}'
  set_script 'cat /data/ref.txt; echo x > /data/ref.txt; echo "ro=$?"; echo y > /data/new; echo "ro2=$?";
    echo ok > /workspace/out && cat /workspace/out'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains "ref"
  assert_output_contains "ro=1"
  assert_output_contains "ro2=1"
  [[ "$output" == *"/data/ref.txt: Read-only file system"* || "$output" == *"/data/ref.txt: Permission denied"* ]] ||
    fail "no EROFS/EACCES for /data/ref.txt"
  assert_output_contains "ok"
  [ "$(cat "$ROOTFS/data/ref.txt")" = ref ]
}

@test "policy: most specific path wins (read-only inside read-write inside denied-free)" {
  put_file /srv/ref/doc <<<"doc"
  put_file /srv/ref/private/key <<<"k"
  put_file /srv/work/a <<<"a"
  set_policy "$(cat "$WARD_TOP/contrib/policies/nested-paths.json")"
  set_script 'echo w > /srv/work/a && echo wrote-work; echo w > /srv/ref/doc; echo "ref=$?";
    cat /srv/ref/doc; cat /srv/ref/private/key; echo "priv=$?"'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains "wrote-work"
  assert_output_contains "ref=1"
  assert_output_contains "doc"
  assert_output_contains "priv=1"
}

@test "policy: paths the policy does not name are out of reach (deny by default)" {
  install_probe
  put_file /opt/tool 0755 <<<'#!/bin/sh
echo tool-ran'
  put_file /home/ward/.ssh/id_ed25519 <<<"key"
  set_policy '{"filesystem": {"readwritePaths": ["/tmp"]}}'
  probe_run "open /home/ward/.ssh/id_ed25519" "exec /opt/tool" "exec /bin/true" "write /tmp/ok"
  assert_success
  assert_probe "open /home/ward/.ssh/id_ed25519" EACCES
  assert_probe "exec /opt/tool" EACCES
  assert_probe "exec /bin/true" ok
  assert_probe "write /tmp/ok" ok
}

@test "policy: a symlink to a denied file stays denied" {
  put_file /etc/shadow <<<"root:hash"
  mkdir -p "$ROOTFS/workspace"
  ln -s /etc/shadow "$ROOTFS/workspace/link"
  set_profile coding
  set_script 'cat /workspace/link; echo "rc=$?"; cat /etc/passwd >/dev/null && echo passwd-ok'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_not_contains "root:hash"
  assert_output_contains "rc=1"
  assert_output_contains "passwd-ok"
}

@test "policy: a bind-mount alias of a denied path stays denied" {
  mkdir -p "$HOST_TMP/shared/secret" "$ROOTFS/a" "$ROOTFS/b"
  echo "s3cret" >"$HOST_TMP/shared/secret/key"
  echo "pub" >"$HOST_TMP/shared/pub"
  add_mount "{\"destination\": \"/a\", \"type\": \"bind\", \"source\": \"$HOST_TMP/shared\", \"options\": [\"rbind\"]}"
  add_mount "{\"destination\": \"/b\", \"type\": \"bind\", \"source\": \"$HOST_TMP/shared\", \"options\": [\"rbind\"]}"
  set_policy '{"filesystem": {"readwritePaths": ["/a", "/b"], "deniedPaths": ["/a/secret"]}}'
  set_script 'cat /a/pub /b/pub; cat /a/secret/key; cat /b/secret/key; echo "rc=$?"'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains "pub"
  assert_output_not_contains "s3cret"
  assert_output_contains "rc=1"
}

@test "policy: a hard link to a denied file fails create, nothing left behind" {
  put_file /etc/shadow <<<"root:hash"
  ln "$ROOTFS/etc/shadow" "$ROOTFS/shadow.bak"
  set_profile coding
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_error 'policy: profile coding: filesystem.deniedPaths[0]: "/etc/shadow" has 2 hard links: its other names would stay readable'
  assert_no_leftovers
}

@test "policy: denied syscalls fail with EPERM (ptrace, bpf, modules, keys, userfaultfd, io_uring, perf, mount)" {
  install_probe
  set_policy '{"filesystem": {"readwritePaths": ["/"]}}'
  probe_run ptrace bpf module keyctl userfaultfd io_uring perf mount chroot
  assert_success
  assert_probe ptrace EPERM
  assert_probe bpf EPERM
  assert_probe module EPERM
  assert_probe keyctl EPERM
  assert_probe userfaultfd EPERM
  assert_probe io_uring EPERM
  assert_probe perf EPERM
  assert_probe mount EPERM
}

@test "policy: the same syscalls without a policy (the prober is honest)" {
  install_probe
  update_config '.process.capabilities = {}'
  probe_run ptrace keyctl
  assert_success
  assert_probe ptrace ok
  assert_probe keyctl ok
}

@test "policy: syscalls.allow lifts an agent denial, syscalls.deny adds one" {
  install_probe
  set_policy '{"filesystem": {"readwritePaths": ["/"]}, "syscalls": {"allow": ["io_uring_setup"], "deny": ["chroot"]}}'
  probe_run io_uring chroot
  assert_success
  assert_probe io_uring ok
  assert_probe chroot EPERM
}

@test "policy: no new user namespaces (unshare -U), even with capabilities" {
  install_probe
  update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
  set_policy '{"filesystem": {"readwritePaths": ["/"]}}'
  probe_run userns
  assert_success
  assert_probe userns EPERM
  set_script 'unshare -U true; echo "rc=$?"'
  ward_run run --bundle "$BUNDLE" "$CID-2"
  WARD_CIDS+=("$CID-2")
  assert_output_contains "rc=1"
}

@test "policy: capabilities an agent must not hold are dropped, no_new_privileges forced" {
  update_config '.process.noNewPrivileges = false
    | .process.capabilities.bounding += ["CAP_SYS_ADMIN", "CAP_NET_RAW", "CAP_SYS_PTRACE"]
    | .process.capabilities.effective += ["CAP_SYS_ADMIN", "CAP_NET_RAW", "CAP_SYS_PTRACE"]
    | .process.capabilities.permitted += ["CAP_SYS_ADMIN", "CAP_NET_RAW", "CAP_SYS_PTRACE"]'
  set_policy '{"filesystem": {"readwritePaths": ["/"]}}'
  set_script 'grep -E "^(CapEff|CapBnd|NoNewPrivs)" /proc/self/status'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  local eff
  eff="$(printf '%s\n' "$output" | awk '/^CapEff/ {print $2}')"
  # CAP_SYS_ADMIN (21), CAP_NET_RAW (13), CAP_SYS_PTRACE (19) are gone.
  (( (16#$eff & (1 << 21 | 1 << 13 | 1 << 19)) == 0 )) || fail "CapEff $eff"
  assert_output_contains "NoNewPrivs:	1"
}

@test "policy: raw, packet and other-family sockets are refused when egress is restricted" {
  install_probe
  set_policy '{"filesystem": {"readwritePaths": ["/"]}}'
  probe_run packet raw ping vsock unix
  assert_success
  assert_probe packet EPERM
  assert_probe raw EPERM
  assert_probe ping EPERM
  assert_probe vsock EPERM
  assert_probe unix ok
}

@test "policy: the display and session bus are hidden (ui.disable)" {
  put_file /tmp/.X11-unix/X0 <<<""
  update_config '.process.env += ["DISPLAY=:0", "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/0/bus"]'
  set_policy '{"filesystem": {"readwritePaths": ["/"]}}'
  set_script 'ls -A /tmp/.X11-unix | wc -l; env | grep -c -E "^(DISPLAY|DBUS_SESSION_BUS_ADDRESS)="; echo end'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = 0 ] || fail "X11 socket directory not masked"
  [ "${lines[1]}" = 0 ] || fail "display variables not dropped"
}

@test "policy: process.timeout kills the container after ward create returned" {
  set_policy '{"process": {"timeout": 1500}, "filesystem": {"readwritePaths": ["/"]}}'
  set_args sleep 60
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  run -0 container_status "$CID"
  [ "$output" = running ]
  sleep 0.5
  [ "$(container_status "$CID")" = running ] || fail "killed too early"
  wait_status "$CID" stopped 50
}

@test "policy: process.timeout counts from start, not from create" {
  set_policy '{"process": {"timeout": 1000}, "filesystem": {"readwritePaths": ["/"]}}'
  set_args sleep 60
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_success
  sleep 1.5
  [ "$(container_status "$CID")" = created ] || fail "not created any more"
  ward_run start "$CID"
  assert_success
  [ "$(container_status "$CID")" = running ]
  wait_status "$CID" stopped 50
}

@test "policy: a foreground run past its timeout exits with 137" {
  set_policy '{"process": {"timeout": 800}, "filesystem": {"readwritePaths": ["/"]}}'
  set_args sleep 60
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_status 137
}

@test "policy: audit mode logs instead of blocking, and says so" {
  install_probe
  put_file /etc/shadow <<<"root:hash"
  set_policy '{"processContainer": {"captureDenials": {"mode": "allow"}}, "filesystem": {"deniedPaths": ["/etc/shadow"]}}'
  probe_run "open /etc/shadow" keyctl
  assert_success
  assert_probe "open /etc/shadow" ok
  assert_probe keyctl ok
  set_args sleep 30
  ward_run run -d --bundle "$BUNDLE" "$CID-2"
  WARD_CIDS+=("$CID-2")
  [[ "$(enforced_report "$CID-2")" == *"fs=audit net=audit seccomp=agent(log)"* ]] ||
    fail "report: $(enforced_report "$CID-2")"
}

@test "policy: a policy file next to the bundle, layered on a profile" {
  mkdir -p "$ROOTFS/workspace"
  set_profile readonly
  set_policy_file '{"filesystem": {"readwritePaths": ["/workspace"]}}'
  set_script 'echo x > /workspace/a && echo ws-ok; echo x > /etc/a; echo "etc=$?"; echo t > /tmp/t && echo tmp-ok'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains "ws-ok"
  assert_output_contains "etc=1"
  assert_output_contains "tmp-ok"
}

@test "policy: the coding profile" {
  mkdir -p "$ROOTFS/workspace"
  put_file /root/.aws/credentials <<<"aws-key-material"
  install_probe
  set_profile coding
  set_script 'echo x > /workspace/f && echo ws-ok; cat /root/.aws/credentials; echo "home=$?";
    cat /etc/resolv.conf; nslookup exfil.example 2>&1 | tail -n 2;
    /bin/probe "connect4 192.0.2.1 443" packet'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  assert_output_contains "ws-ok"
  assert_output_contains "home=1"
  assert_output_not_contains "aws-key-material"
  # names go through ward's resolver, which refuses what the profile does not list
  assert_output_contains "nameserver 127.0.0.1"
  assert_output_not_contains "Address: "
  assert_probe "connect4 192.0.2.1 443" EPERM
  assert_probe packet EPERM
  # package and code hosts are granted by name, on 443 only
  run -0 __ward policy explain --bundle "$BUNDLE"
  assert_output_contains "pypi.org"
  assert_output_contains "*.githubusercontent.com"
}

@test "policy: resources become cgroup limits" {
  set_policy '{"resources": {"pids": 33, "memoryMb": 64}, "filesystem": {"readwritePaths": ["/"]}}'
  set_args sleep 30
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  local d
  d="$(find /sys/fs/cgroup/pids /sys/fs/cgroup/unified -maxdepth 6 -type d -name "$CID" 2>/dev/null | head -1)"
  [ -n "$d" ] || fail "no cgroup for $CID"
  if [ -f "$d/pids.max" ]; then
    [ "$(cat "$d/pids.max")" = 33 ] || fail "pids.max $(cat "$d/pids.max")"
  fi
  d="$(find /sys/fs/cgroup/memory -maxdepth 6 -type d -name "$CID" 2>/dev/null | head -1)"
  if [ -n "$d" ] && [ -f "$d/memory.limit_in_bytes" ]; then
    [ "$(cat "$d/memory.limit_in_bytes")" = $((64 << 20)) ] || fail "memory limit $(cat "$d/memory.limit_in_bytes")"
  fi
}

@test "policy: the session level maps the agent to its own id range" {
  remove_namespace user
  set_agent sess-agent
  set_policy '{"containment": "isolation_session", "filesystem": {"readwritePaths": ["/"]}}'
  set_script 'cat /proc/self/uid_map'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  local inside base size
  read -r inside base size <<<"${lines[0]}"
  [ "$inside" = 0 ] && [ "$size" = 65536 ] || fail "uid_map: ${lines[0]}"
  (( base >= 1048576 && (base - 1048576) % 65536 == 0 )) || fail "base $base"
  # Deterministic: the same agent gets the same range again.
  ward_run run --bundle "$BUNDLE" "$CID-2"
  WARD_CIDS+=("$CID-2")
  [ "$(read -r _ b _ <<<"${lines[0]}"; echo "$b")" = "$base" ] || fail "range changed"
}

@test "policy: ward exec into an agent container is bound by the same policy" {
  put_file /workspace/notes.txt <<<"notes"
  put_file /workspace/.env <<<"TOKEN=secret"
  set_policy '{"filesystem": {"readwritePaths": ["/workspace"], "deniedPaths": ["/workspace/.env"]}}'
  set_args sleep 60
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  run __ward exec "$CID" sh -c 'cat /workspace/notes.txt; cat /workspace/.env; echo "rc=$?"; grep NoNewPrivs /proc/self/status; grep -c landlock /proc/self/status >/dev/null; mkdir /etc/x 2>&1; echo "mk=$?"'
  [ "$status" -eq 0 ] || fail "exec: $output"
  assert_output_contains "notes"
  assert_output_not_contains "TOKEN=secret"
  assert_output_contains "rc=1"
  assert_output_contains "NoNewPrivs:	1"
  assert_output_contains "mk=1"
  # --cap cannot hand an exec'd process a capability the agent never holds.
  run __ward exec --cap CAP_SYS_ADMIN "$CID" sh -c 'grep CapEff /proc/self/status'
  [ "$status" -eq 0 ] || fail "exec --cap: $output"
  local eff
  eff="$(awk '{print $2}' <<<"$output")"
  (( (0x$eff >> 21) & 1 )) && fail "CAP_SYS_ADMIN in CapEff: $output"
  true
}

@test "policy: a Kubernetes pod sandbox (pause) carries the pod's annotations but no policy; its containers do" {
  set_agent pod-agent
  set_args sleep 30
  update_config '.annotations["io.kubernetes.cri.container-type"] = "sandbox"'
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  run -0 __ward state "$CID"
  [ "$(echo "$output" | jq -r '.annotations["run.ward.enforced"] // "none"')" = none ] || fail "sandbox got a policy: $output"
  run -0 __ward delete -f "$CID"
  update_config '.annotations["io.kubernetes.cri.container-type"] = "container"'
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  [[ "$(enforced_report "$CID")" == *"agent=pod-agent"* ]] || fail "container: $(enforced_report "$CID")"
}
