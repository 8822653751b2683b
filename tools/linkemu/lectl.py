#!/usr/bin/python3
"""lectl.py -- send commands to ferry-linkemu's control socket.

    tools/linkemu/lectl.py SOCKET 'CMD' ['CMD' ...]

Each CMD is one line of the control protocol (ferry-linkemu --help lists
it: set, partition, reset, show, stats [json|reset], help, quit), or
"sleep SECONDS", done here, so that one call cuts and heals a link on a
schedule:

    lectl.py /tmp/geo-linkemu.sock 'partition on' 'sleep 5' 'partition off'

Prints every reply; exit status 0 when all replies end with OK, 1 when one
is an ERR, 2 when the socket cannot be reached or does not answer in 5 s
(or a sleep is malformed).
"""
import socket
import sys
import time


def command(sock, line):
    sock.sendall(line.encode() + b"\n")
    buf = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed")
        buf += chunk
        if buf.endswith(b"\n"):
            last = buf.rstrip(b"\n").rsplit(b"\n", 1)[-1]
            if last.startswith(b"OK") or last.startswith(b"ERR"):
                return buf.decode(), last.startswith(b"OK")


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    ok = True
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(sys.argv[1])
            for line in sys.argv[2:]:
                words = line.split()
                if len(words) == 2 and words[0] == "sleep":
                    try:
                        secs = float(words[1])
                    except ValueError:
                        secs = -1
                    if not secs >= 0:
                        sys.stderr.write("lectl: bad sleep '%s'\n" % words[1])
                        return 2
                    time.sleep(secs)
                    continue
                text, good = command(s, line)
                sys.stdout.write(text)
                ok = ok and good
    except (OSError, ConnectionError) as e:
        sys.stderr.write("lectl: %s: %s\n" % (sys.argv[1], e))
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
