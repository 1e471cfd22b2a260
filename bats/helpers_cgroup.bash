# Helpers for the cgroup tests (resources, update, pause/resume, ps, events,
# the cgroup v2 device program). Load after helpers:
#   load helpers
#   load helpers_cgroup
#
# cg_setup (call from setup) gives the container an absolute cgroupsPath,
# /$CID, so its directory is /sys/fs/cgroup/<controller>/$CID on a v1 or
# hybrid host and /sys/fs/cgroup/unified/$CID on the hybrid's cgroup2 tree.

cg_setup() {
  ward_setup
  CG="/$CID"
  update_config '.linux.cgroupsPath = $p' --arg p "$CG"
}

# The hybrid host's cgroup2 tree ("" when there is none).
cg_unified_root() {
  if [ -f /sys/fs/cgroup/unified/cgroup.procs ]; then
    echo /sys/fs/cgroup/unified
  elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    echo /sys/fs/cgroup
  fi
}

# cg_dir CONTROLLER: the container's directory in that v1 hierarchy, or
# "unified" for the cgroup2 tree.
cg_dir() {
  if [ "$1" = unified ]; then
    echo "$(cg_unified_root)$CG"
  else
    echo "/sys/fs/cgroup/$1$CG"
  fi
}

# cg_read CONTROLLER FILE: one cgroup file of the container.
cg_read() {
  cat "$(cg_dir "$1")/$2"
}

# cg_expect CONTROLLER FILE VALUE: the file holds VALUE (first line).
cg_expect() {
  local got
  got="$(head -n1 "$(cg_dir "$1")/$2")" || fail "cannot read $(cg_dir "$1")/$2"
  [ "$got" = "$3" ] || fail "$1/$2 = '$got', want '$3'"
}

# requires_cg_file CONTROLLER FILE: skip unless this host has it (the
# hierarchy root is enough to tell).
requires_cg_file() {
  local root="/sys/fs/cgroup/$1"
  [ "$1" = unified ] && root="$(cg_unified_root)"
  [ -n "$root" ] && [ -e "$root/$2" ] || skip "this host has no $1/$2"
}

# requires_hybrid: v1 controllers plus the cgroup2 tree at
# /sys/fs/cgroup/unified (what this machine is).
requires_hybrid() {
  [ -f /sys/fs/cgroup/unified/cgroup.procs ] && [ -d /sys/fs/cgroup/pids ] ||
    skip "needs a hybrid cgroup host"
}

# set_resources JSON: linux.resources = JSON.
set_resources() {
  update_config '.linux.resources = $r' --argjson r "$1"
}

# The block device the root file system lives on, as "MAJOR:MINOR" ("" if
# it is not a real block device).
root_blockdev() {
  local dev d
  dev="$(awk '$5 == "/" {print $3; exit}' /proc/self/mountinfo)"
  [ -n "$dev" ] || return 1
  for d in /sys/class/block/*/dev; do
    if [ "$(cat "$d")" = "$dev" ]; then
      echo "$dev"
      return 0
    fi
  done
  return 1
}

# The container's processes, one state letter each (R S D T Z ...).
cg_proc_states() {
  local p
  for p in $(cat "$(cg_dir pids)/cgroup.procs" 2>/dev/null || cat "$(cg_dir unified)/cgroup.procs"); do
    awk '{print $3}' "/proc/$p/stat" 2>/dev/null
  done
}

# all_frozen: every process of the container is stopped by a freezer.
all_frozen() {
  local s n=0
  for s in $(cg_proc_states); do
    n=$((n + 1))
    [ "$s" = D ] || [ "$s" = T ] || return 1
  done
  [ "$n" -gt 0 ]
}

# in_cgroup2_ns SCRIPT: run bash SCRIPT in a private mount namespace where
# /sys/fs/cgroup is the cgroup2 hierarchy alone, so ward sees a pure cgroup
# v2 host (membership, cgroup.freeze, cgroup.kill, the BPF device program).
# The script gets $WARD (with --root) and $CID; whatever it creates is
# deleted inside the namespace before it ends, even when it fails.
in_cgroup2_ns() {
  local script="$BATS_TEST_TMPDIR/cg2.sh"
  cat >"$script" <<EOF
set -u
umount -R /sys/fs/cgroup || exit 90
mount -t cgroup2 none /sys/fs/cgroup || exit 91
WARD="$WARD_BIN --root $ROOT"
CID="$CID"
trap '\$WARD delete --force "\$CID" >/dev/null 2>&1' EXIT
$1
EOF
  ward_capture unshare -m --propagation private bash "$script"
}

# in_mount_ns_without DIR SCRIPT: run bash SCRIPT in a private mount
# namespace with the cgroup hierarchy at DIR unmounted (a hybrid host
# without, say, the v1 devices controller).
in_mount_ns_without() {
  local script="$BATS_TEST_TMPDIR/nodev.sh"
  cat >"$script" <<EOF
set -u
umount "$1" || exit 90
WARD="$WARD_BIN --root $ROOT"
CID="$CID"
trap '\$WARD delete --force "\$CID" >/dev/null 2>&1' EXIT
$2
EOF
  ward_capture unshare -m --propagation private bash "$script"
}
