#!/usr/bin/env bats
# linux.sysctl: applied in the container's namespaces, never on the host.

load helpers

# Should a broken runtime write a value on the host, put it back in teardown
# (and the test fails on the host value check or the leftover check).
protect_sysctl() {
  local k f
  for k in "$@"; do
    f="/proc/sys/${k//.//}"
    defer sh -c 'printf "%s\n" "$1" > "$2"' sh "$(cat "$f")" "$f"
  done
}

@test "net.ipv4.ip_forward in a new network namespace" {
  protect_sysctl net.ipv4.ip_forward
  local host_before
  host_before="$(cat /proc/sys/net/ipv4/ip_forward)"
  local want=1
  [ "$host_before" = 1 ] && want=0
  add_namespace network
  update_config '.linux.sysctl = {"net.ipv4.ip_forward": $v}' --arg v "$want"
  set_args cat /proc/sys/net/ipv4/ip_forward
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$stdout" = "$want" ]
  [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_before" ]
}

@test "an ipc sysctl in a new ipc namespace" {
  protect_sysctl kernel.msgmax kernel.shmmni
  add_namespace ipc
  update_config '.linux.sysctl = {"kernel.msgmax": "4321", "kernel.shmmni": "1234"}'
  set_script 'cat /proc/sys/kernel/msgmax /proc/sys/kernel/shmmni'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "${lines[0]}" = 4321 ]
  [ "${lines[1]}" = 1234 ]
  [ "$(cat /proc/sys/kernel/msgmax)" != 4321 ]
  [ "$(cat /proc/sys/kernel/shmmni)" != 1234 ]
}

@test "several net sysctls with dotted and slashed names" {
  protect_sysctl net.ipv4.ping_group_range net.ipv4.tcp_syncookies
  add_namespace network
  update_config '.linux.sysctl = {"net.ipv4.ping_group_range": "0 2147483647", "net/ipv4/tcp_syncookies": "0"}'
  set_script 'cat /proc/sys/net/ipv4/ping_group_range /proc/sys/net/ipv4/tcp_syncookies'
  ward_run run --bundle "$BUNDLE" "$CID"
  assert_success
  [ "$(echo "${lines[0]}" | tr -s ' \t' ' ')" = "0 2147483647" ]
  [ "${lines[1]}" = 0 ]
}

@test "a net sysctl without a network namespace is refused" {
  remove_namespace network
  # the host's current value, so that even a wrongly applied setting changes nothing
  local cur
  cur="$(cat /proc/sys/net/ipv4/ip_forward)"
  update_config '.linux.sysctl = {"net.ipv4.ip_forward": $v}' --arg v "$cur"
  ward_run run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  runtime_is_ward && assert_error "net.ipv4.ip_forward"
  assert_no_leftovers
}

@test "a sysctl that does not exist fails, nothing left" {
  update_config '.linux.sysctl = {"net.ipv4.ward_no_such_knob": "1"}'
  ward_run run --bundle "$BUNDLE" "$CID"
  [ "$status" -ne 0 ]
  runtime_is_ward && assert_error "ward_no_such_knob"
  assert_no_leftovers
}
