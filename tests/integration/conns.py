#!/usr/bin/python3
"""conns.py HOST PORT N -- open N TCP connections to ferryd at once, send a
PING on every one, read +PONG on every one, check INFO's connected_clients
counts all of them while they are open, then close them all.  Exit 0 = pass.
"""
import resource
import selectors
import socket
import sys
import time

host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
deadline = time.monotonic() + 150
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if soft < n + 100:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 1000), hard))


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


sel = selectors.DefaultSelector()
socks = []
# open in batches so that the SYN burst stays reasonable
pending = 0
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    rc = s.connect_ex((host, port))
    if rc not in (0, 115):  # EINPROGRESS
        fail(f"connect {i}: errno {rc}")
    socks.append(s)
    sel.register(s, selectors.EVENT_WRITE, i)
    pending += 1
    if pending >= 500:
        # wait for this batch to connect
        while pending > 0:
            if time.monotonic() > deadline:
                fail(f"timeout connecting ({i + 1} opened)")
            for key, _ in sel.select(timeout=1):
                err = key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    fail(f"connection {key.data}: errno {err}")
                sel.unregister(key.fileobj)
                pending -= 1
while pending > 0:
    if time.monotonic() > deadline:
        fail("timeout connecting")
    for key, _ in sel.select(timeout=1):
        err = key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            fail(f"connection {key.data}: errno {err}")
        sel.unregister(key.fileobj)
        pending -= 1
print(f"{n} connections open")

# PING on every connection, then read every PONG
for s in socks:
    s.send(b"*1\r\n$4\r\nPING\r\n")
bufs = {}
for i, s in enumerate(socks):
    sel.register(s, selectors.EVENT_READ, i)
    bufs[i] = b""
left = n
while left > 0:
    if time.monotonic() > deadline:
        fail(f"timeout reading PONGs ({n - left} of {n})")
    for key, _ in sel.select(timeout=1):
        i = key.data
        d = key.fileobj.recv(64)
        if not d:
            fail(f"connection {i} closed by the server")
        bufs[i] += d
        if len(bufs[i]) >= 7:
            if bufs[i] != b"+PONG\r\n":
                fail(f"connection {i}: {bufs[i]!r}")
            sel.unregister(key.fileobj)
            left -= 1
print(f"{n} PONGs")

# every connection is still open and counted
s = socks[0]
s.setblocking(True)
s.settimeout(10)
s.send(b"*2\r\n$4\r\nINFO\r\n$7\r\nclients\r\n")
data = b""
while b"connected_clients" not in data or not data.endswith(b"\r\n\r\n"):
    d = s.recv(65536)
    if not d:
        break
    data += d
    if data.startswith(b"$"):
        hdr, _, rest = data.partition(b"\r\n")
        if len(rest) >= int(hdr[1:]) + 2:
            break
cc = [l for l in data.split(b"\r\n") if l.startswith(b"connected_clients:")]
if not cc or int(cc[0].split(b":")[1]) < n:
    fail(f"connected_clients: {cc}")
print(cc[0].decode())
for s in socks:
    s.close()
print("PASS")
