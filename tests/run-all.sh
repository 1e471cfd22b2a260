#!/bin/bash
# The one test command: build ward if needed, run the C unit tests
# (`make check`), then the bats integration suite, and end with exactly one
# line "N passed, N failed" counting unit-test programs and bats tests.
#
#   tests/run-all.sh                 everything (bats/*.bats, then bats/*/*.bats)
#   tests/run-all.sh bats/run.bats   the unit tests and only these bats files
#
# Environment:
#   WARD_CONFIGURE_FLAGS   passed to ./configure when it has to run (e.g. --enable-werror)
#   WARD_SKIP_UNIT=1       skip `make check`
#   WARD_TEST_LOGS=DIR     where the logs go (default: a new temporary directory)
#   BATS_TEST_TIMEOUT      seconds per bats test (default 300)
#   RUNTIME=runc           run the bats suite against runc instead (see bats/helpers.bash)
# The integration tests need root; run as another user they are skipped.
set -u

top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top" || exit 1
jobs="$(nproc 2>/dev/null || echo 2)"
logs="${WARD_TEST_LOGS:-$(mktemp -d "${TMPDIR:-/tmp}/ward-tests.XXXXXX")}"
mkdir -p "$logs"

passed=0
failed=0
skipped=0

finish() {
  echo "logs: $logs"
  [ "$skipped" -eq 0 ] || echo "$skipped skipped"
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

# ---- build --------------------------------------------------------------
build() {
  if [ ! -x configure ]; then
    ./autogen.sh || return 1
  fi
  if [ ! -f Makefile ]; then
    # shellcheck disable=SC2086
    ./configure ${WARD_CONFIGURE_FLAGS:-} || return 1
  fi
  make -j"$jobs"
}

echo "== build"
if ! build >"$logs/build.log" 2>&1; then
  tail -n 30 "$logs/build.log"
  echo "build failed (full log: $logs/build.log)"
  failed=$((failed + 1))
  finish
fi

# ---- unit tests ---------------------------------------------------------
# automake's harness ends with "# PASS: N", "# FAIL: N", ... lines.
summary_count() {
  awk -v k="# $1:" '$1 " " $2 == k {n = $3} END {print n + 0}' "$logs/check.log"
}

if [ -z "${WARD_SKIP_UNIT:-}" ]; then
  echo "== unit tests (make check)"
  make -j"$jobs" check >"$logs/check.log" 2>&1
  rc=$?
  grep -E '^(PASS|FAIL|XFAIL|XPASS|SKIP|ERROR):' "$logs/check.log"
  if grep -q '^# TOTAL:' "$logs/check.log"; then
    passed=$((passed + $(summary_count PASS) + $(summary_count XFAIL)))
    failed=$((failed + $(summary_count FAIL) + $(summary_count XPASS) + $(summary_count ERROR)))
    skipped=$((skipped + $(summary_count SKIP)))
  fi
  if [ "$rc" -ne 0 ] && ! grep -q '^# TOTAL:' "$logs/check.log"; then
    # the test programs did not even build
    tail -n 30 "$logs/check.log"
    echo "make check failed before running tests (log: $logs/check.log)"
    failed=$((failed + 1))
  fi
  for f in tests/unit/*.log; do
    [ -f "$f" ] && cp "$f" "$logs/" 2>/dev/null
  done
fi

# ---- integration tests --------------------------------------------------
if [ "$#" -gt 0 ]; then
  files=("$@")
else
  # the runtime's own suite, then the engines' (podman, containerd, CRI:
  # skipped where those are not installed)
  shopt -s nullglob
  files=(bats/*.bats bats/*/*.bats)
  shopt -u nullglob
fi
if ! command -v bats >/dev/null; then
  echo "bats not found (apt-get install bats)"
  failed=$((failed + 1))
  finish
fi
[ "$(id -u)" -eq 0 ] || echo "note: not root, most integration tests will be skipped"

echo "== integration tests (bats, ${#files[@]} files)"
export BATS_TEST_TIMEOUT="${BATS_TEST_TIMEOUT:-300}"
bats --tap "${files[@]}" 2>&1 | tee "$logs/bats.tap"
ran="$(grep -cE '^(not )?ok ' "$logs/bats.tap")"
planned="$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$logs/bats.tap" | head -n 1)"
skipped=$((skipped + $(grep -cE '^ok [0-9]+ .*# skip' "$logs/bats.tap")))
passed=$((passed + $(grep -E '^ok [0-9]+ ' "$logs/bats.tap" | grep -vc '# skip')))
failed=$((failed + $(grep -cE '^not ok ' "$logs/bats.tap")))
if [ -n "$planned" ] && [ "$ran" -lt "$planned" ]; then
  # bats stopped early (interrupted, or a file failed to load)
  echo "bats ran $ran of $planned tests"
  failed=$((failed + planned - ran))
elif [ -z "$planned" ]; then
  echo "bats did not run (see $logs/bats.tap)"
  failed=$((failed + 1))
fi

finish
