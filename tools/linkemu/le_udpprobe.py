#!/usr/bin/python3
"""le_udpprobe.py -- one-way delay probe through ferry-linkemu.

    le_udpprobe.py send HOST PORT COUNT PPS
        Send COUNT UDP datagrams (64 bytes: sequence number and the send
        time, CLOCK_REALTIME ns) to HOST:PORT at PPS per second (0: as fast
        as possible).  Prints the send duration.
    le_udpprobe.py recv PORT COUNT IDLE_S TARGET_MS [READY_FILE]
        Receive until COUNT datagrams arrived or none for IDLE_S seconds;
        the receive time is the kernel's (SO_TIMESTAMPNS).  Prints a JSON
        summary: received, lost, out-of-order, one-way delay minus
        TARGET_MS (median, p1, p99, min, max, mean, in us) and a histogram
        of it.  Touches READY_FILE once listening.

Both ends run on the same host (different network namespaces share the
clock), so the one-way delay is exact up to the kernel's own latency.
"""
import json
import socket
import struct
import sys
import time

HDR = struct.Struct("!QQ")
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
SO_RCVBUFFORCE = 33
# histogram of (measured - target), us: upper bounds; last bucket open
BOUNDS = [-100, -50, 0, 25, 50, 100, 200, 500, 1000]


def send(host, port, count, pps):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    pad = b"\0" * (64 - HDR.size)
    t0 = time.monotonic()
    gap = 1.0 / pps if pps > 0 else 0
    for i in range(count):
        if gap:
            due = t0 + i * gap
            while time.monotonic() < due:
                pass
        while True:
            try:
                s.sendto(HDR.pack(i, time.time_ns()) + pad, (host, port))
                break
            except BlockingIOError:
                time.sleep(0.0001)
            except OSError as e:  # ENOBUFS: the tap queue is full
                if e.errno != 105:
                    raise
                time.sleep(0.0001)
    print(json.dumps({"sent": count, "seconds": round(time.monotonic() - t0, 3)}))


def pct(v, p):
    return v[min(len(v) - 1, int(p * len(v)))]


def recv(port, count, idle, target_ms, ready=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 256 << 20)
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 20)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.bind(("0.0.0.0", port))
    s.settimeout(idle)
    if ready:
        open(ready, "w").close()
    target = target_ms * 1e6
    d = []
    seen = set()
    last = -1
    ooo = 0
    while len(d) < count:
        try:
            data, anc, _, _ = s.recvmsg(256, 64)
        except socket.timeout:
            break
        rx = None
        for lvl, typ, val in anc:
            if lvl == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS:
                sec, nsec = struct.unpack("qq", val[:16])
                rx = sec * 1000000000 + nsec
        if rx is None:
            rx = time.time_ns()
        seq, tx = HDR.unpack(data[:HDR.size])
        if seq in seen:
            continue
        seen.add(seq)
        if seq < last:
            ooo += 1
        last = max(last, seq)
        d.append((rx - tx - target) / 1000.0)
    v = sorted(d)
    out = {"received": len(v), "lost": count - len(v), "out_of_order": ooo}
    if v:
        hist = [0] * (len(BOUNDS) + 1)
        for x in v:
            b = 0
            while b < len(BOUNDS) and x >= BOUNDS[b]:
                b += 1
            hist[b] += 1
        out.update({
            "err_us": {
                "median": round(pct(v, 0.5), 1), "p1": round(pct(v, 0.01), 1),
                "p99": round(pct(v, 0.99), 1), "min": round(v[0], 1),
                "max": round(v[-1], 1), "mean": round(sum(v) / len(v), 1),
            },
            "hist_bounds_us": BOUNDS, "hist": hist,
        })
    print(json.dumps(out))


def main(a):
    if len(a) >= 5 and a[0] == "send":
        send(a[1], int(a[2]), int(a[3]), float(a[4]))
    elif len(a) >= 5 and a[0] == "recv":
        recv(int(a[1]), int(a[2]), float(a[3]), float(a[4]),
             a[5] if len(a) > 5 else None)
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
