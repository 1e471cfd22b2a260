#!/usr/bin/env bats
# list: table, --format json, --quiet.

load helpers

# Each test gets its own --root, so the listing holds exactly its containers.
setup() {
  ward_setup
  ROOT="$BUNDLE/state"
}

two_containers() {
  C2="$(new_cid second)"
  set_args sleep 100
  ward_run create --bundle "$BUNDLE" "$CID"
  assert_success
  ward_run run -d --bundle "$BUNDLE" "$C2"
  assert_success
}

@test "list with no containers: header only, empty json, nothing with -q" {
  ward_run list
  assert_success
  [ "${#lines[@]}" -eq 1 ]
  [ "$(echo "${lines[0]}" | tr -s ' \t' ' ' | sed 's/ $//')" = "ID PID STATUS BUNDLE CREATED OWNER" ]
  ward_run list --format json
  assert_success
  jq -e '(. // []) | length == 0' <<<"$stdout"
  ward_run list -q
  assert_success
  [ -z "$stdout" ]
}

@test "list: a table with one row per container" {
  two_containers
  ward_run list
  assert_success
  [ "${#lines[@]}" -eq 3 ]
  [ "$(echo "${lines[0]}" | tr -s ' \t' ' ' | sed 's/ $//')" = "ID PID STATUS BUNDLE CREATED OWNER" ]
  local row b
  b="$(realpath "$BUNDLE")"
  row="$(printf '%s\n' "${lines[@]}" | awk -v id="$CID" '$1 == id')"
  [ "$(awk '{print $2}' <<<"$row")" = "$(container_pid "$CID")" ]
  [ "$(awk '{print $3}' <<<"$row")" = created ]
  [ "$(awk '{print $4}' <<<"$row")" = "$b" ]
  [[ "$(awk '{print $5}' <<<"$row")" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T ]]
  [ "$(awk '{print $6}' <<<"$row")" = root ]
  row="$(printf '%s\n' "${lines[@]}" | awk -v id="$C2" '$1 == id')"
  [ "$(awk '{print $3}' <<<"$row")" = running ]
}

@test "list --format json: an array with the state of each container" {
  two_containers
  for f in "--format json" "-f json"; do
    # shellcheck disable=SC2086
    ward_run list $f
    assert_success
    jq -e 'type == "array" and length == 2' <<<"$stdout"
    jq -e --arg id "$CID" --arg b "$(realpath "$BUNDLE")" \
      '.[] | select(.id == $id) | .status == "created" and .bundle == $b and .pid > 0 and (.created | length > 0)' <<<"$stdout"
    jq -e --arg id "$C2" '.[] | select(.id == $id) | .status == "running"' <<<"$stdout"
  done
}

@test "list -q / --quiet: ids only" {
  two_containers
  for f in -q --quiet; do
    ward_run list "$f"
    assert_success
    [ "$(printf '%s\n' "${lines[@]}" | sort)" = "$(printf '%s\n' "$CID" "$C2" | sort)" ]
  done
}

@test "list shows stopped containers as stopped" {
  set_args true
  ward_run run --keep --bundle "$BUNDLE" "$CID"
  assert_success
  ward_run list --format json
  assert_success
  jq -e --arg id "$CID" '.[] | select(.id == $id) | .status == "stopped"' <<<"$stdout"
}

@test "list with a bad --format fails" {
  ward_run list --format yaml
  [ "$status" -ne 0 ]
}
