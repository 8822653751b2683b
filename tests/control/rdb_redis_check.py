#!/usr/bin/env python3
"""rdb_redis_check.py -- ferry's RDB files against stock redis-server 7.0.15.

  rdb_redis_check.py RDB_TOOL

1. ferry (rdb_tool save) builds a keyspace holding every type and encoding
   (strings int/embstr/raw/LZF, lists of many quicklist nodes, listpack and
   hashtable hashes, intset and hashtable sets, listpack and skiplist zsets,
   binary keys, TTLs, databases 0/3/15 with empty ones between, PLAIN
   quicklist nodes for elements of 10000 bytes or more) and writes dump.rdb;
2. redis-check-rdb must pass on it;
3. a stock redis-server loads it at startup (--dir D --dbfilename dump.rdb)
   and every key's type, encoding, value and expiry time is compared with
   what was written;
4. that redis-server SAVEs, and ferry (rdb_tool load) loads Redis's own file
   and must answer the same.
Only 127.0.0.1; the server is stopped by PID.  Exit 0 on success.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

FAR = 4102444800000  # 2100-01-01 in ms


def resp_cmd(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Reader:
    def __init__(self, data=b"", sock=None):
        self.buf = data
        self.pos = 0
        self.sock = sock

    def _need(self, n):
        while len(self.buf) - self.pos < n:
            if self.sock is None:
                raise EOFError("truncated reply")
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError("connection closed")
            self.buf = self.buf[self.pos:] + chunk
            self.pos = 0

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = self.buf[self.pos:i]
                self.pos = i + 2
                return line
            self._need(len(self.buf) - self.pos + 1)

    def reply(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t in (b"+", b"-"):
            return (t + rest).decode("latin1")
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            self._need(n + 2)
            v = self.buf[self.pos:self.pos + n]
            self.pos += n + 2
            return v
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise ValueError("bad reply %r" % line)


def build_dataset():
    """[(db, key, type, value, expire_ms or -1)] and the commands."""
    data = []
    cmds = []

    def add(db, key, typ, value, cmd_list, expire=-1):
        data.append((db, key, typ, value, expire))
        cmds.append(resp_cmd("SELECT", db))
        for c in cmd_list:
            cmds.append(resp_cmd(*c))
        if expire >= 0:
            cmds.append(resp_cmd("PEXPIREAT", key, expire))

    # strings
    strings = {
        b"s:int": b"12345", b"s:neg": b"-7", b"s:big": b"9223372036854775807",
        b"s:int32": b"2147483647", b"s:int33": b"2147483648",
        b"s:lead0": b"007", b"s:short": b"hello", b"s:empty": b"",
        b"s:embstr": b"x" * 44, b"s:raw": b"y" * 45,
        b"s:lzf": b"abcabcabc" * 200,
        b"s:rand": os.urandom(300),
        b"s:float": b"3.14", b"\x00bin\xffkey\r\n": b"\x00\x01\x02\xff",
    }
    for k, v in strings.items():
        add(0, k, "string", v, [("SET", k, v)])
    add(0, b"s:ttl", "string", b"soon", [("SET", b"s:ttl", b"soon")], FAR)
    add(0, b"s:ttl2", "string", b"v", [("SET", b"s:ttl2", b"v")], FAR + 12345)

    # lists
    small = [b"a", b"1", b"-5", b"300000", b"x" * 70, b""]
    add(0, b"l:small", "list", small, [("RPUSH", b"l:small", *small)])
    big = [b"elem-%d" % i for i in range(5000)] + [str(i).encode() for i in range(-2000, 2000, 7)]
    cl = []
    for i in range(0, len(big), 500):
        cl.append(("RPUSH", b"l:big", *big[i:i + 500]))
    add(0, b"l:big", "list", big, cl)
    huge = [b"h" * 20000, b"tiny", os.urandom(9000)]
    add(3, b"l:hugeelems", "list", huge, [("RPUSH", b"l:hugeelems", *huge)], FAR)

    # hashes
    hs = {b"f1": b"v1", b"n": b"42", b"neg": b"-100000", b"empty": b""}
    add(0, b"h:lp", "hash", hs, [("HSET", b"h:lp", *[x for kv in hs.items() for x in kv])])
    hb = {b"field:%d" % i: b"value:%d" % i for i in range(700)}
    add(0, b"h:ht", "hash", hb, [("HSET", b"h:ht", *[x for kv in hb.items() for x in kv])])
    hl = {b"f": b"L" * 100, b"g": b"1"}
    add(15, b"h:longval", "hash", hl, [("HSET", b"h:longval", *[x for kv in hl.items() for x in kv])])

    # sets
    si = [b"1", b"-3", b"70000", b"-2147483649", b"5"]
    add(0, b"set:int", "set", set(si), [("SADD", b"set:int", *si)])
    si16 = [b"1", b"2", b"-30000"]
    add(0, b"set:int16", "set", set(si16), [("SADD", b"set:int16", *si16)])
    sbig = [str(i * 3).encode() for i in range(600)]
    add(0, b"set:bigint", "set", set(sbig), [("SADD", b"set:bigint", *sbig)])
    ss = [b"apple", b"1", b"banana", b"\x00\xff"]
    add(3, b"set:str", "set", set(ss), [("SADD", b"set:str", *ss)], FAR)

    # zsets
    zs = [(b"a", b"1"), (b"b", b"2.5"), (b"c", b"-inf"), (b"d", b"inf"),
          (b"e", b"-0.125"), (b"f", b"1e100"), (b"g", b"123456789012")]
    add(0, b"z:lp", "zset", {m: float(s) for m, s in zs},
        [("ZADD", b"z:lp", *[x for m, s in zs for x in (s, m)])])
    zb = [(b"member:%d" % i, str(i * 0.5).encode()) for i in range(400)]
    add(15, b"z:sl", "zset", {m: float(s) for m, s in zb},
        [("ZADD", b"z:sl", *[x for m, s in zb for x in (s, m)])])
    zl = [(b"M" * 80, b"1"), (b"m", b"2")]
    add(15, b"z:longmember", "zset", {m: float(s) for m, s in zl},
        [("ZADD", b"z:longmember", *[x for m, s in zl for x in (s, m)])], FAR)
    return data, b"".join(cmds)


def query_cmds(data):
    """Commands that read back every key, and how to decode the replies."""
    cmds = []
    for db, key, typ, value, expire in data:
        cmds.append(resp_cmd("SELECT", db))
        cmds.append(resp_cmd("TYPE", key))
        cmds.append(resp_cmd("OBJECT", "ENCODING", key))
        cmds.append(resp_cmd("PEXPIRETIME", key))
        if typ == "string":
            cmds.append(resp_cmd("GET", key))
        elif typ == "list":
            cmds.append(resp_cmd("LRANGE", key, 0, -1))
        elif typ == "hash":
            cmds.append(resp_cmd("HGETALL", key))
        elif typ == "set":
            cmds.append(resp_cmd("SMEMBERS", key))
        elif typ == "zset":
            cmds.append(resp_cmd("ZRANGE", key, 0, -1, "WITHSCORES"))
    for db in range(16):
        cmds.append(resp_cmd("SELECT", db))
        cmds.append(resp_cmd("DBSIZE"))
    return b"".join(cmds)


def check(label, data, reader, encodings=None):
    """Compare the replies with the dataset; return {key: encoding}."""
    errors = []
    seen_enc = {}
    per_db = {}
    for db, key, typ, value, expire in data:
        per_db[db] = per_db.get(db, 0) + 1
        assert reader.reply() == "+OK"
        t = reader.reply()
        enc = reader.reply()
        pexp = reader.reply()
        v = reader.reply()
        seen_enc[(db, key)] = enc
        if t != "+" + typ:
            errors.append("%r: type %r, want %r" % (key, t, typ))
            continue
        if pexp != expire:
            errors.append("%r: pexpiretime %r, want %r" % (key, pexp, expire))
        if typ == "hash":
            v = dict(zip(v[0::2], v[1::2]))
        elif typ == "set":
            v = set(v)
        elif typ == "zset":
            v = {m: float(s) for m, s in zip(v[0::2], v[1::2])}
        if v != value:
            errors.append("%r: value differs" % (key,))
        if encodings is not None and encodings.get((db, key)) != enc:
            errors.append("%r: encoding %r, ferry had %r" %
                          (key, enc, encodings.get((db, key))))
    for db in range(16):
        assert reader.reply() == "+OK"
        n = reader.reply()
        if n != per_db.get(db, 0):
            errors.append("db %d: dbsize %r, want %r" % (db, n, per_db.get(db, 0)))
    for e in errors:
        print("%s: %s" % (label, e))
    return seen_enc, errors


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def main():
    tool = sys.argv[1]
    for prog in ("redis-server", "redis-check-rdb"):
        if shutil.which(prog) is None:
            print("%s not installed" % prog)
            return 1
    data, cmds = build_dataset()
    queries = query_cmds(data)
    tmp = tempfile.mkdtemp(prefix="ferry-rdb-")
    server = None
    failed = False
    try:
        dump = os.path.join(tmp, "dump.rdb")
        # ferry's own encodings: load its own file and ask
        # elements of 10000 bytes and more become PLAIN quicklist nodes
        env = dict(os.environ, RDB_PACKED_THRESHOLD="10000")
        r = subprocess.run([tool, "save", dump], input=cmds,
                           capture_output=True, env=env)
        if r.returncode != 0:
            print("rdb_tool save failed:", r.stderr.decode())
            return 1
        print(r.stderr.decode().strip())
        r = subprocess.run([tool, "load", dump], input=queries,
                           capture_output=True)
        if r.returncode != 0:
            print("rdb_tool load (own file) failed:", r.stderr.decode())
            return 1
        ferry_enc, errs = check("ferry->ferry", data, Reader(r.stdout))
        failed |= bool(errs)

        r = subprocess.run(["redis-check-rdb", dump], capture_output=True)
        out = (r.stdout + r.stderr).decode("latin1")
        if r.returncode != 0 or "RDB looks OK" not in out:
            print("redis-check-rdb failed:\n" + out)
            failed = True

        port = free_port()
        server = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1",
             "--dir", tmp, "--dbfilename", "dump.rdb", "--save", "",
             "--appendonly", "no", "--daemonize", "no",
             "--logfile", os.path.join(tmp, "redis.log")])
        sock = None
        for _ in range(100):
            try:
                sock = socket.create_connection(("127.0.0.1", port), 1)
                sock.sendall(resp_cmd("PING"))
                rd = Reader(sock=sock)
                if rd.reply() == "+PONG":
                    break
            except OSError:
                time.sleep(0.1)
            except EOFError:
                time.sleep(0.1)
            if server.poll() is not None:
                break
        if server.poll() is not None or sock is None:
            print("redis-server did not start:")
            with open(os.path.join(tmp, "redis.log")) as f:
                print(f.read())
            return 1
        sock.sendall(queries)
        _, errs = check("ferry->redis", data, Reader(sock=sock), ferry_enc)
        failed |= bool(errs)

        # Redis writes its own file; ferry loads it
        os.rename(dump, os.path.join(tmp, "ferry.rdb"))
        sock.sendall(resp_cmd("SAVE"))
        rd = Reader(sock=sock)
        assert rd.reply() == "+OK"
        sock.close()
        r = subprocess.run([tool, "load", dump], input=queries,
                           capture_output=True)
        if r.returncode != 0:
            print("rdb_tool load (redis file) failed:", r.stderr.decode())
            return 1
        _, errs = check("redis->ferry", data, Reader(r.stdout), ferry_enc)
        failed |= bool(errs)
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            server.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    print("FAILED" if failed else "OK: %d keys, both directions" % len(data))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
