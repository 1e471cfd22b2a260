#!/usr/bin/python3
"""Receive a pty master over a console socket (runc's protocol: one
SCM_RIGHTS message carrying the fd) and copy everything the container
writes to it into a file.

    console-receiver.py SOCKET OUTFILE [INPUT]

Writes INPUT (with \\n unescaped) to the terminal once it has the fd.
Exits 0 when the container side closes (EIO/EOF), 2 on timeout.
"""
import array
import os
import select
import socket
import sys
import time

TIMEOUT = 30


def receive_fd(conn):
    fds = array.array("i")
    msg, ancdata, _flags, _addr = conn.recvmsg(4096, socket.CMSG_LEN(16 * fds.itemsize))
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    if len(fds) != 1:
        raise SystemExit("expected exactly one fd, got %d" % len(fds))
    return fds[0], msg


def main():
    path, outfile = sys.argv[1], sys.argv[2]
    data = sys.argv[3].encode().decode("unicode_escape").encode() if len(sys.argv) > 3 else b""
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(TIMEOUT)
    conn, _ = srv.accept()
    master, name = receive_fd(conn)
    conn.close()
    srv.close()
    with open(outfile + ".meta", "w") as meta:
        meta.write("fd-received name=%s\n" % name.decode(errors="replace"))
    if data:
        os.write(master, data)
    deadline = time.monotonic() + TIMEOUT
    with open(outfile, "wb") as out:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: every slave fd is closed
                return 0
            if not chunk:
                return 0
            out.write(chunk)
            out.flush()
    return 2


if __name__ == "__main__":
    sys.exit(main())
