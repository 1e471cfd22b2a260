#!/bin/sh
# Build a minimal root filesystem from the host's static busybox (Debian
# package busybox-static), without downloading anything.
#
#   contrib/busybox-rootfs.sh DIR
#
# DIR must not exist yet or be empty. The result has /bin/busybox with one
# symlink per applet, /etc/passwd and /etc/group with root, a uid/gid 1000
# user "ward" and nobody/nogroup, and the usual empty mount points.
set -eu

dir=${1:?usage: $0 DIR}
busybox=${BUSYBOX:-/bin/busybox}

if ! "$busybox" --list >/dev/null 2>&1; then
  echo "$0: $busybox is not a usable busybox (apt-get install busybox-static)" >&2
  exit 1
fi
# A dynamically linked busybox would need the host's libraries inside the rootfs.
if command -v file >/dev/null 2>&1 && file -L "$busybox" | grep -q 'dynamically linked'; then
  echo "$0: $busybox is dynamically linked; install busybox-static" >&2
  exit 1
fi

mkdir -p "$dir"
cd "$dir"
mkdir -p bin etc dev proc sys tmp root run mnt var/tmp home/ward usr
chmod 1777 tmp var/tmp
chmod 0700 root
cp "$busybox" bin/busybox
chmod 0755 bin/busybox
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "bin/$applet"
done
ln -sfn bin sbin
ln -sfn ../bin usr/bin
ln -sfn ../bin usr/sbin

cat >etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
ward:x:1000:1000:ward test user:/home/ward:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >etc/group <<'EOF'
root:x:0:
tty:x:5:
users:x:100:ward
ward:x:1000:
nogroup:x:65534:
EOF
echo ward-demo >etc/hostname
printf '127.0.0.1\tlocalhost\n' >etc/hosts
chown 1000:1000 home/ward 2>/dev/null || true
