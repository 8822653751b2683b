#!/usr/bin/python3
"""repl_hostile.py -- hostile replication peers for tests/integration/
repl_hostile.sh (over the network, against a real ferryd).

  repl_hostile.py replica HOST PORT
      A fake replica (plain sockets) against ferryd as a master: bad PSYNC
      arguments, bad REPLCONF, garbage after PSYNC, huge and negative ACK
      offsets, closing in the middle of the RDB.  After each case ferryd
      must still answer (PING, DBSIZE unchanged) and, in the end, count no
      replica.  Exit 0 = every expectation held.

  repl_hostile.py master BIND PORT SCENARIO FERRY_HOST FERRY_PORT
      A fake master: listens on BIND:PORT, serves one connection from the
      ferryd replica (PING, AUTH, REPLCONF answered) and answers its PSYNC
      as SCENARIO says:
        full      +FULLRESYNC, the 98-byte image of the interop notes
                  ($len), then SELECT 0 + SET k1 v; holds the link 2 s
        truncated +FULLRESYNC, $98 and 60 bytes of the image, then closes
        badcrc    +FULLRESYNC, the image with a wrong CRC; waits for ferryd
                  to drop the link
        stream    +CONTINUE; an unknown command (ignored, as Redis), SET k2
                  v2 (applied), then protocol garbage: ferryd drops the link
        slowbig   +FULLRESYNC, a 100,000-key image sent in two halves;
                  between them ferryd (asked as a client) still serves its
                  old keyspace (DBSIZE, GET foo) with master_sync_in_progress
                  1, and afterwards the new one
      Exit 0 = the scenario ran and every expectation held.
"""
import socket
import struct
import sys
import time

import redis

RDB98 = bytes([
    0x52, 0x45, 0x44, 0x49, 0x53, 0x30, 0x30, 0x31, 0x30,
    0xfa, 0x09, 0x72, 0x65, 0x64, 0x69, 0x73, 0x2d, 0x76, 0x65, 0x72,
    0x06, 0x37, 0x2e, 0x30, 0x2e, 0x31, 0x35,
    0xfa, 0x0a, 0x72, 0x65, 0x64, 0x69, 0x73, 0x2d, 0x62, 0x69, 0x74,
    0x73, 0xc0, 0x40, 0xfe, 0x00, 0xfb, 0x03, 0x01,
    0x00, 0x03, 0x66, 0x6f, 0x6f, 0x03, 0x62, 0x61, 0x72,
    0xfc, 0x00, 0xb4, 0xc5, 0xda, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x07,
    0x73, 0x65, 0x73, 0x73, 0x69, 0x6f, 0x6e, 0x03, 0x78, 0x79, 0x7a,
    0x00, 0x07, 0x63, 0x6f, 0x75, 0x6e, 0x74, 0x65, 0x72, 0xc1, 0x39, 0x30,
    0xff, 0x3a, 0xfd, 0xf5, 0x4b, 0xb3, 0xa7, 0x12, 0xce,
])
ID_A = b"aa46aa46aa46aa46aa46aa46aa46aa46aa46aa46"
ID_B = b"fedcfedcfedcfedcfedcfedcfedcfedcfedcfedc"
ID_C = b"c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0"

# ---- Redis's CRC-64 (Jones, reflected) ----------------------------------------

_POLY = 0x95ac9329ac4bc9b5     # reflected 0xad93d23594c935a9
_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ _POLY if _c & 1 else _c >> 1
    _TABLE.append(_c)


def crc64(data, crc=0):
    for b in data:
        crc = _TABLE[(crc ^ b) & 0xff] ^ (crc >> 8)
    return crc


assert crc64(b"123456789") == 0xe9c6d914c4b8d9ca


def rdb_len(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | (n >> 8), n & 0xff])
    return b"\x80" + struct.pack(">I", n)


def rdb_str(s):
    return rdb_len(len(s)) + s


def big_image(nkeys):
    body = [b"REDIS0010", b"\xfe\x00", b"\xfb", rdb_len(nkeys), b"\x00"]
    for i in range(nkeys):
        body.append(b"\x00" + rdb_str(b"big:%d" % i) +
                    rdb_str(b"value-%d-" % i + b"x" * 80))
    body.append(b"\xff")
    img = b"".join(body)
    return img + struct.pack("<Q", crc64(img))


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def fail(msg):
    sys.exit("FAIL: " + msg)

# ---- RESP reading over a raw socket ------------------------------------------


class Conn:
    def __init__(self, sock):
        self.s = sock
        self.buf = b""

    def fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError("peer closed")
        self.buf += d

    def line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        ln, self.buf = self.buf.split(b"\r\n", 1)
        return ln

    def exact(self, n):
        while len(self.buf) < n:
            self.fill()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def command(self):
        """One multibulk command (a list of bytes)."""
        ln = self.line()
        while ln == b"":
            ln = self.line()
        if not ln.startswith(b"*"):
            return ln.split()
        args = []
        for _ in range(int(ln[1:])):
            hdr = self.line()
            n = int(hdr[1:])
            args.append(self.exact(n + 2)[:n])
        return args

    def reply(self):
        """One reply: a status/error line, an integer, or a bulk."""
        ln = self.line()
        if ln.startswith(b"$"):
            n = int(ln[1:])
            return None if n < 0 else self.exact(n + 2)[:n]
        return ln

    def closed_within(self, seconds):
        """True when the peer closes the connection within 'seconds'."""
        self.s.settimeout(0.2)
        end = time.time() + seconds
        while time.time() < end:
            try:
                if not self.s.recv(65536):
                    return True
            except socket.timeout:
                continue
            except ConnectionError:
                return True
        return False

# ---- the fake replica ------------------------------------------------------------


def alive(r, dbsize):
    if r.ping() is not True:
        fail("ferryd does not answer PING")
    n = r.dbsize()
    if n != dbsize:
        fail("DBSIZE %d, expected %d" % (n, dbsize))


def fake_replica(host, port):
    r = redis.Redis(host=host, port=port, socket_timeout=20)
    r.flushall()
    p = r.pipeline(transaction=False)
    for i in range(20000):
        p.set("k:%d" % i, "v" * 200)
    p.execute()
    dbsize = r.dbsize()

    def connect():
        c = Conn(socket.create_connection((host, port), timeout=20))
        return c

    # 1. bad PSYNC arguments: Redis's texts
    c = connect()
    cases = [
        (resp("PSYNC", "x"),
         b"-ERR wrong number of arguments for 'psync' command"),
        (resp("PSYNC", "?", "abc"),
         b"-ERR value is not an integer or out of range"),
        (resp("PSYNC", "?", "99999999999999999999999"),
         b"-ERR value is not an integer or out of range"),
        (resp("REPLCONF", "bogus", "1"),
         b"-ERR Unrecognized REPLCONF option: bogus"),
        (resp("REPLCONF", "capa"), b"-ERR syntax error"),
        (resp("REPLCONF", "listening-port", "abc"),
         b"-ERR value is not an integer or out of range"),
    ]
    for req, want in cases:
        c.s.sendall(req)
        got = c.reply()
        if got != want:
            fail("%r answered %r, expected %r" % (req, got, want))
    c.s.close()
    alive(r, dbsize)
    print("bad PSYNC / REPLCONF arguments: Redis's errors")

    # 2. protocol garbage after PSYNC ? -1: the link is dropped
    c = connect()
    c.s.sendall(resp("REPLCONF", "capa", "eof", "capa", "psync2"))
    c.reply()
    c.s.sendall(resp("PSYNC", "?", "-1"))
    ln = c.line()
    while ln == b"":
        ln = c.line()
    if not ln.startswith(b"+FULLRESYNC "):
        fail("PSYNC ? -1 answered %r" % ln)
    c.s.sendall(b"*2\r\n$-7\r\n\x00\xffgarbage\r\n")
    if not c.closed_within(10):
        fail("garbage after PSYNC did not drop the replica")
    alive(r, dbsize)
    print("garbage after PSYNC: link dropped")

    # 3. huge and negative ACK offsets: no reply, no crash, WAIT sane
    c = connect()
    c.s.sendall(resp("REPLCONF", "capa", "eof"))
    c.reply()
    c.s.sendall(resp("PSYNC", "?", "-1"))
    c.s.sendall(resp("REPLCONF", "ACK", "9223372036854775807"))
    c.s.sendall(resp("REPLCONF", "ACK", "-12345"))
    c.s.sendall(resp("REPLCONF", "ACK", "notanumber"))
    c.s.sendall(resp("REPLCONF", "ACK", "1", "FACK", "99999999999999999999"))
    time.sleep(0.5)
    alive(r, dbsize)
    if r.execute_command("WAIT", 0, 100) != 1 and r.execute_command("WAIT", 0, 100) != 0:
        fail("WAIT 0 after bad ACKs")
    c.s.close()
    print("huge / negative / malformed ACK offsets: ignored or kept, alive")

    # 4. closing in the middle of the RDB (20000 keys: several segments)
    for mode in (b"eof", None):
        c = connect()
        if mode:
            c.s.sendall(resp("REPLCONF", "capa", mode))
            c.reply()
        c.s.sendall(resp("PSYNC", "?", "-1"))
        got = 0
        c.s.settimeout(20)
        while got < 100000:
            d = c.s.recv(65536)
            if not d:
                fail("ferryd closed before the RDB")
            got += len(d)
        c.s.close()
        alive(r, dbsize)
    print("replicas gone mid-RDB ($EOF and $len): alive")

    # in the end no replica is left registered
    for _ in range(100):
        info = r.info("replication")
        if info["connected_slaves"] == 0:
            break
        time.sleep(0.1)
    else:
        fail("connected_slaves stays %d" % r.info("replication")["connected_slaves"])
    alive(r, dbsize)
    r.set("after", "1")
    if r.get("after") != b"1":
        fail("writes after the hostile replicas")
    print("no replica left, writes served")

# ---- the fake master ---------------------------------------------------------------


def serve_handshake(c):
    """Answer PING / AUTH / REPLCONF until PSYNC; returns its arguments."""
    while True:
        cmd = c.command()
        name = cmd[0].lower() if cmd else b""
        if name == b"ping":
            c.s.sendall(b"+PONG\r\n")
        elif name in (b"auth", b"replconf"):
            c.s.sendall(b"+OK\r\n")
        elif name in (b"psync", b"sync"):
            return cmd
        else:
            c.s.sendall(b"-ERR unexpected\r\n")


def fake_master(bind, port, scenario, fhost, fport):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((bind, port))
    ls.listen(1)
    ls.settimeout(30)
    s, _ = ls.accept()
    ls.close()
    s.settimeout(30)
    c = Conn(s)
    psync = serve_handshake(c)
    r = redis.Redis(host=fhost, port=fport, socket_timeout=20)
    print("PSYNC from ferryd: %r" % (psync,))
    if scenario == "full":
        s.sendall(b"+FULLRESYNC " + ID_A + b" 0\r\n$98\r\n" + RDB98)
        s.sendall(resp("SELECT", "0") + resp("SET", "k1", "v"))
        time.sleep(2)
    elif scenario == "truncated":
        if psync[1] != ID_A:
            fail("PSYNC without the cached id: %r" % (psync,))
        s.sendall(b"+FULLRESYNC " + ID_B + b" 7\r\n$98\r\n" + RDB98[:60])
        time.sleep(0.5)
    elif scenario == "badcrc":
        bad = bytearray(RDB98)
        bad[-1] ^= 1
        s.sendall(b"+FULLRESYNC " + ID_B + b" 7\r\n$98\r\n" + bytes(bad))
        if not c.closed_within(10):
            fail("a bad CRC did not drop the link")
    elif scenario == "stream":
        if psync[1] != ID_A:
            fail("PSYNC without the cached id: %r" % (psync,))
        s.sendall(b"+CONTINUE\r\n")
        s.sendall(resp("BOGUSCMD", "x") + resp("SET", "k2", "v2"))
        for _ in range(100):
            if r.get("k2") == b"v2":
                break
            time.sleep(0.05)
        else:
            fail("SET k2 after an unknown command was not applied")
        s.sendall(b"*1\r\n$abc\r\n\x00\x01")
        if not c.closed_within(10):
            fail("protocol garbage did not drop the link")
    elif scenario == "slowbig":
        before = r.dbsize()
        img = big_image(100000)
        s.sendall(b"+FULLRESYNC " + ID_C + b" 0\r\n$%d\r\n" % len(img))
        half = len(img) // 2
        s.sendall(img[:half])
        for _ in range(100):
            info = r.info("replication")
            if info.get("master_sync_read_bytes", 0) >= half:
                break
            time.sleep(0.05)
        else:
            fail("ferryd did not read half the image: %r" % r.info("replication"))
        if info.get("master_sync_in_progress") != 1 or \
                info.get("master_sync_total_bytes") != len(img):
            fail("INFO during the transfer: %r" % info)
        if r.dbsize() != before or r.get("foo") != b"bar":
            fail("a half-loaded keyspace is served")
        time.sleep(1)
        if r.dbsize() != before:
            fail("a half-loaded keyspace is served (2)")
        s.sendall(img[half:])
        for _ in range(200):
            if r.dbsize() == 100000:
                break
            time.sleep(0.05)
        else:
            fail("the big image was not loaded: DBSIZE %d" % r.dbsize())
        if r.get("foo") is not None or r.get("big:99999") is None:
            fail("the keyspace after the big image")
    else:
        fail("unknown scenario " + scenario)
    s.close()
    print("scenario %s: ok" % scenario)


def main():
    if sys.argv[1] == "replica":
        fake_replica(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "master":
        fake_master(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5],
                    int(sys.argv[6]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
