#!/usr/bin/env bats
# kill: default SIGTERM, names with and without SIG, numbers, --all.

load helpers

# The init records each signal it receives in /sig.log (in the rootfs, so the
# host can read it) and keeps running.
trap_script() {
  put_file /bin/traps 0755 <<'EOF'
#!/bin/sh
for s in TERM HUP USR1 USR2 INT; do
  trap "echo $s >> /sig.log" $s
done
echo ready > /ready
while :; do sleep 0.1; done
EOF
  set_args /bin/traps
}

start_trapper() {
  trap_script
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  wait_for 50 0.1 file_contains "$ROOTFS/ready" ready
}

@test "kill without a signal sends SIGTERM" {
  start_trapper
  ward_run kill "$CID"
  assert_success
  wait_for 50 0.1 file_contains "$ROOTFS/sig.log" TERM
}

@test "kill with names: SIGUSR1, USR2, hup (case-insensitive), SIGINT" {
  start_trapper
  ward_run kill "$CID" SIGUSR1
  assert_success
  wait_for 50 0.1 file_contains "$ROOTFS/sig.log" USR1
  ward_run kill "$CID" USR2
  assert_success
  wait_for 50 0.1 file_contains "$ROOTFS/sig.log" USR2
  ward_run kill "$CID" hup
  assert_success
  wait_for 50 0.1 file_contains "$ROOTFS/sig.log" HUP
  ward_run kill "$CID" SIGINT
  assert_success
  wait_for 50 0.1 file_contains "$ROOTFS/sig.log" INT
  [ "$(container_status "$CID")" = running ]
}

@test "kill with numbers: 10 is SIGUSR1, 1 is SIGHUP, 9 kills" {
  start_trapper
  ward_run kill "$CID" 10
  assert_success
  wait_for 50 0.1 file_contains "$ROOTFS/sig.log" USR1
  ward_run kill "$CID" 1
  assert_success
  wait_for 50 0.1 file_contains "$ROOTFS/sig.log" HUP
  ward_run kill "$CID" 9
  assert_success
  wait_status "$CID" stopped
}

@test "kill KILL and SIGKILL stop the container" {
  start_trapper
  ward_run kill "$CID" SIGKILL
  assert_success
  wait_status "$CID" stopped
}

@test "kill with an unknown signal fails and sends nothing" {
  start_trapper
  for sig in SIGFOO 0x10 999; do
    ward_run kill "$CID" "$sig"
    [ "$status" -ne 0 ] || fail "kill $sig succeeded"
  done
  ward_run kill "$CID" NOSUCHSIG
  assert_error "NOSUCHSIG"
  [ "$(container_status "$CID")" = running ]
  [ ! -e "$ROOTFS/sig.log" ]
}

@test "kill a created container: it stops without running the process" {
  set_script 'echo ran > /ran'
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_success
  ward_run kill "$CID" KILL
  assert_success
  wait_status "$CID" stopped
  [ ! -e "$ROOTFS/ran" ]
  ward_run delete "$CID"
  assert_success
  assert_no_leftovers
}

@test "kill a stopped container fails" {
  set_args true
  ward_run run --keep --bundle "$BUNDLE" "$CID"
  assert_success
  ward_run kill "$CID" KILL
  [ "$status" -eq 1 ]
}

@test "kill an unknown container fails" {
  ward_run kill "$CID-nope" KILL
  assert_error "container \"$CID-nope\" does not exist"
}

@test "kill --all signals every process of the container, not only init" {
  # init and two children each record the signal under their own name
  put_file /bin/family 0755 <<'EOF'
#!/bin/sh
child() {
  trap "echo USR1 >> /sig.$1" USR1
  echo up > /up.$1
  while :; do sleep 0.1; done
}
child a &
child b &
trap "echo USR1 >> /sig.init" USR1
while :; do sleep 0.1; done
EOF
  set_args /bin/family
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  wait_for 50 0.1 file_contains "$ROOTFS/up.a" up
  wait_for 50 0.1 file_contains "$ROOTFS/up.b" up
  # without --all only init gets it
  ward_run kill "$CID" USR1
  assert_success
  wait_for 50 0.1 file_contains "$ROOTFS/sig.init" USR1
  sleep 0.5
  [ ! -e "$ROOTFS/sig.a" ] && [ ! -e "$ROOTFS/sig.b" ] || fail "children got a signal meant for init"
  ward_run kill --all "$CID" USR1
  assert_success
  wait_for 50 0.1 file_contains "$ROOTFS/sig.a" USR1
  wait_for 50 0.1 file_contains "$ROOTFS/sig.b" USR1
  [ "$(grep -c USR1 "$ROOTFS/sig.init")" -eq 2 ]
  ward_run kill -a "$CID" KILL
  assert_success
  wait_status "$CID" stopped
}

@test "kill --all KILL leaves no process even without a pid namespace" {
  remove_namespace pid
  update_config '.linux.cgroupsPath = $p' --arg p "/$CID"
  put_file /bin/spawn 0755 <<'EOF'
#!/bin/sh
sleep 1000 &
sleep 1001 &
echo started > /started
wait
EOF
  set_args /bin/spawn
  ward_run run -d --bundle "$BUNDLE" "$CID"
  assert_success
  wait_for 50 0.1 file_contains "$ROOTFS/started" started
  local pids
  pids="$(pgrep -f '^sleep 100[01]$' | while read -r p; do grep -q -F "$CID" "/proc/$p/cgroup" && echo "$p"; done)"
  [ "$(echo "$pids" | wc -w)" -eq 2 ] || fail "expected 2 sleeps in the container, got: $pids"
  ward_run kill --all "$CID" KILL
  assert_success
  wait_status "$CID" stopped
  for p in $pids; do
    wait_for 20 0.1 pid_gone "$p"
  done
}
