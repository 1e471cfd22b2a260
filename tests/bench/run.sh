#!/bin/bash
# Start-to-exit benchmark: `ward run`, crun and runc on one busybox bundle
# running /bin/true, interleaved, each inside the same private mount
# namespace wrapper (see bench.py). Prints median wall time, median CPU time
# and peak RSS per runtime and the ratios ward/crun and ward/runc.
#
#   tests/bench/run.sh [--runs N] [--runtimes "ward crun runc"] [--keep]
#
# Environment: WARD (default ./ward), CRUN, RUNC: the binaries. Run as root
# on a quiet machine; compare only figures of one run (they move with load).
set -eu

top="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${BENCH_RUNS:-50}"
want="ward crun runc"
keep=""
while [ $# -gt 0 ]; do
  case "$1" in
  --runs) runs="$2"; shift 2 ;;
  --runs=*) runs="${1#*=}"; shift ;;
  --runtimes) want="$2"; shift 2 ;;
  --keep) keep=1; shift ;;
  -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
  *) echo "unknown argument $1" >&2; exit 1 ;;
  esac
done
[ "$runs" -ge 1 ] || { echo "--runs must be >= 1" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }

PY="$(command -v /usr/bin/python3 || command -v python3)"
work="$(mktemp -d "${TMPDIR:-/tmp}/ward-bench.XXXXXX")"
chmod 0755 "$work"
cleanup() {
  if [ -n "$keep" ]; then
    echo "kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# One bundle for every runtime: a busybox rootfs and runc's default config
# running /bin/true without a terminal.
bundle="$work/bundle"
"$top/contrib/busybox-rootfs.sh" "$bundle/rootfs" >/dev/null
if command -v runc >/dev/null; then
  runc spec --bundle "$bundle"
else
  "${WARD:-$top/ward}" spec --bundle "$bundle"
fi
jq '.process.terminal = false | .process.args = ["/bin/true"]' "$bundle/config.json" >"$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"

args=()
for rt in $want; do
  case "$rt" in
  ward) path="${WARD:-$top/ward}" ;;
  crun) path="${CRUN:-$(command -v crun || true)}" ;;
  runc) path="${RUNC:-$(command -v runc || true)}" ;;
  *) path="$(command -v "$rt" || true)" ;;
  esac
  if [ -z "$path" ] || [ ! -x "$path" ]; then
    echo "skipping $rt: not found" >&2
    continue
  fi
  args+=(--runtime "$rt=$path")
done

# the measuring helper (fork + exec + wait4)
gcc -O2 -Wall -o "$work/spawn" "$top/tests/bench/spawn.c"

mkdir -p "$top/tests/bench/results"
out="$top/tests/bench/results/bench-$(date -u +%Y%m%dT%H%M%SZ).json"
rc=0
"$PY" "$top/tests/bench/bench.py" --runs "$runs" --bundle "$bundle" --workdir "$work" \
  --spawn "$work/spawn" --json "$out" "${args[@]}" || rc=$?
echo "samples: $out"
exit "$rc"
