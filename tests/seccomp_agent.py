#!/usr/bin/python3
"""A tiny seccomp agent for the integration tests (bats/seccomp_notify.bats).

    seccomp_agent.py SOCKET OUTDIR [ERRNO]

Listens on the unix socket SOCKET (SOCK_STREAM, as the runtime-spec says).
For every connection N (from 1) it stores what the runtime sent:

    OUTDIR/state-N.json   the container process state (the payload)
    OUTDIR/fds-N          one line per SCM_RIGHTS fd: what /proc says it is

and then answers the notifications of that fd (SECCOMP_IOCTL_NOTIF_RECV /
SEND) until the filter's last process is gone: every notified syscall fails
with ERRNO (default ENOTBLK, an errno nothing else would produce), and is
logged to OUTDIR/notifications as "N SYSCALL-NR PID".  OUTDIR/ready appears
once the socket listens.
"""
import array
import fcntl
import json
import os
import select
import socket
import struct
import sys
import threading

# <linux/seccomp.h>: _IOWR('!', nr, type); seccomp_notif is 80 bytes
# (id, pid, flags, seccomp_data{nr, arch, ip, args[6]}), the response 24.
NOTIF_SIZE = 80
RESP_SIZE = 24
IOC_RECV = (3 << 30) | (NOTIF_SIZE << 16) | (ord("!") << 8) | 0
IOC_SEND = (3 << 30) | (RESP_SIZE << 16) | (ord("!") << 8) | 1


def log(outdir, line):
    with open(os.path.join(outdir, "notifications"), "a") as f:
        f.write(line + "\n")


def serve_fd(fd, conn_no, outdir, errno_ret):
    """Answer notifications on fd until no process uses the filter."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    while True:
        events = poller.poll()
        if any(ev & (select.POLLHUP | select.POLLERR) for _, ev in events):
            break
        buf = bytearray(NOTIF_SIZE)
        try:
            fcntl.ioctl(fd, IOC_RECV, buf, True)
        except OSError:
            # The notifying process died (ENOENT) or the filter is gone.
            continue
        notif_id, pid, _flags, nr = struct.unpack_from("=QIIi", buf)
        log(outdir, "%d %d %d" % (conn_no, nr, pid))
        resp = bytearray(struct.pack("=QqiI", notif_id, 0, -errno_ret, 0))
        try:
            fcntl.ioctl(fd, IOC_SEND, resp, True)
        except OSError:
            pass
    os.close(fd)


def receive(conn):
    """The payload until EOF and the fds of the first message."""
    fds = array.array("i")
    msg, anc, _flags, _addr = conn.recvmsg(1 << 16, socket.CMSG_LEN(16 * fds.itemsize))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    chunks = [msg]
    while True:
        more = conn.recv(1 << 16)
        if not more:
            break
        chunks.append(more)
    return b"".join(chunks), list(fds)


def main():
    path, outdir = sys.argv[1], sys.argv[2]
    errno_ret = int(sys.argv[3]) if len(sys.argv) > 3 else 15  # ENOTBLK
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(8)
    open(os.path.join(outdir, "ready"), "w").close()
    conn_no = 0
    while True:
        conn, _ = srv.accept()
        conn_no += 1
        payload, fds = receive(conn)
        conn.close()
        with open(os.path.join(outdir, "state-%d.json" % conn_no), "wb") as f:
            f.write(payload)
        with open(os.path.join(outdir, "fds-%d" % conn_no), "w") as f:
            for fd in fds:
                f.write(os.readlink("/proc/self/fd/%d" % fd) + "\n")
        # Check the payload parses before trusting it with the fd.
        json.loads(payload)
        for fd in fds:
            threading.Thread(target=serve_fd, args=(fd, conn_no, outdir, errno_ret),
                             daemon=True).start()


if __name__ == "__main__":
    main()
