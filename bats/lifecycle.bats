#!/usr/bin/env bats
# create / start / state: created -> running -> stopped, and the state JSON.

load helpers

@test "create: status created, the process has not run yet" {
  set_script 'echo ran > /ran; sleep 100'
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_success
  ward_run state "$CID"
  assert_success
  [ "$(jq -r .status <<<"$stdout")" = created ]
  local pid
  pid="$(jq -r .pid <<<"$stdout")"
  [ "$pid" -gt 0 ]
  pid_alive "$pid"
  # the user process has not started: nothing written into the rootfs yet
  sleep 0.3
  [ ! -e "$ROOTFS/ran" ] || fail "the process ran before start"
}

@test "start: created -> running, the process runs" {
  set_script 'echo ran > /ran; sleep 100'
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_success
  ward_run start "$CID"
  assert_success
  wait_for 50 0.1 file_contains "$ROOTFS/ran" ran
  [ "$(container_status "$CID")" = running ]
  local pid
  pid="$(container_pid "$CID")"
  [ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sleep 100 " ]
}

@test "the process exits by itself: running -> stopped" {
  set_script 'sleep 0.5'
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_success
  ward_run start "$CID"
  assert_success
  wait_status "$CID" stopped 100
  ward_run delete "$CID"
  assert_success
  ward_run state "$CID"
  assert_error "container \"$CID\" does not exist"
  assert_no_leftovers
}

@test "init killed with kill -9 behind ward's back: stopped" {
  set_args sleep 100
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_success
  ward_run start "$CID"
  assert_success
  local pid
  pid="$(container_pid "$CID")"
  kill_pid KILL "$pid"
  # No reaper is waiting for it here: a zombie counts as stopped at once.
  wait_status "$CID" stopped 10
  ward_run delete "$CID"
  assert_success
  assert_no_leftovers
}

@test "init of a created container killed behind ward's back: stopped" {
  set_args sleep 100
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_success
  local pid
  pid="$(container_pid "$CID")"
  kill_pid KILL "$pid"
  wait_status "$CID" stopped 10
  ward_run start "$CID"
  [ "$status" -ne 0 ]
  ward_run delete "$CID"
  assert_success
  assert_no_leftovers
}

@test "state JSON has runc's fields" {
  update_config '.annotations = {"org.example.key": "value1", "io.ward.test": "x"}'
  set_args sleep 100
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_success
  ward_run state "$CID"
  assert_success
  local s="$stdout"
  jq -e . <<<"$s" >/dev/null
  jq -e --arg id "$CID" '.id == $id' <<<"$s"
  jq -e '.ociVersion | test("^[0-9]+\\.[0-9]+\\.[0-9]+")' <<<"$s"
  jq -e '.status == "created"' <<<"$s"
  jq -e '.pid > 0' <<<"$s"
  jq -e --arg b "$(realpath "$BUNDLE")" '.bundle == $b' <<<"$s"
  jq -e --arg r "$(realpath "$BUNDLE")/rootfs" '.rootfs == $r' <<<"$s"
  jq -e '.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")' <<<"$s"
  jq -e 'has("owner")' <<<"$s"
  jq -e '.annotations["org.example.key"] == "value1" and .annotations["io.ward.test"] == "x"' <<<"$s"
}

@test "create without --bundle uses the current directory" {
  set_args sleep 100
  cd "$BUNDLE"
  ward_run create "$CID"
  assert_success
  cd /
  ward_run state "$CID"
  assert_success
  jq -e --arg b "$(realpath "$BUNDLE")" '.bundle == $b' <<<"$stdout"
}

@test "create with a relative --bundle path" {
  set_args sleep 100
  cd "$(dirname "$BUNDLE")"
  ward_run create --bundle "$(basename "$BUNDLE")" "$CID"
  assert_success
  cd /
  ward_run state "$CID"
  assert_success
  jq -e --arg b "$(realpath "$BUNDLE")" '.bundle == $b' <<<"$stdout"
}

@test "create -b and --pid-file: the pid file holds the init's pid" {
  set_args sleep 100
  ward_run create -b "$BUNDLE" --pid-file "$BUNDLE/pidfile" "$CID"
  assert_success
  [ -s "$BUNDLE/pidfile" ]
  [ "$(cat "$BUNDLE/pidfile")" = "$(container_pid "$CID")" ]
  ward_run start "$CID"
  assert_success
  [ "$(cat "$BUNDLE/pidfile")" = "$(container_pid "$CID")" ]
}

@test "start twice fails, start after exit fails" {
  set_args sleep 100
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_success
  ward_run start "$CID"
  assert_success
  ward_run start "$CID"
  [ "$status" -eq 1 ]
  __ward kill "$CID" KILL
  wait_status "$CID" stopped
  ward_run start "$CID"
  [ "$status" -eq 1 ]
  [ "$(container_status "$CID")" = stopped ]
}

@test "state of a stopped container still works until delete" {
  set_args true
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_success
  ward_run start "$CID"
  assert_success
  wait_status "$CID" stopped
  ward_run state "$CID"
  assert_success
  jq -e --arg id "$CID" '.id == $id and .status == "stopped"' <<<"$stdout"
}

@test "two containers from two bundles run side by side" {
  local b2="$BUNDLE/second" c2
  c2="$(new_cid two)"
  setup_bundle "$b2"
  set_args sleep 100
  CONFIG="$b2/config.json" set_args sleep 100
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_success
  ward_run create --bundle "$b2" "$c2"
  assert_success
  ward_run start "$CID"
  assert_success
  [ "$(container_status "$CID")" = running ]
  [ "$(container_status "$c2")" = created ]
  [ "$(container_pid "$CID")" != "$(container_pid "$c2")" ]
}
