#!/usr/bin/env python3
"""gen_golden.py -- regenerate the golden RDB files in tests/control/golden/.

  tests/control/gen_golden.py [OUTDIR]

Each file is written by a stock redis-server 7.0.15 (127.0.0.1, a free
port, no persistence but an explicit SAVE) from the commands below;
test_rdb.c loads them and checks every value, so keep the two in step.
The server is stopped by PID.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

FAR = 4102444800000  # 2100-01-01 in ms

GOLDEN = {
    # strings: int encodings (int8/16/32), int64 as text, LZF, plain,
    # binary key, TTL, a second database
    "strings": [
        ("SET", "int8", "-7"), ("SET", "int16", "12345"),
        ("SET", "int32", "2147483647"), ("SET", "int64", "9223372036854775807"),
        ("SET", "lead0", "007"), ("SET", "short", "hello"), ("SET", "empty", ""),
        ("SET", "lzf", "abcabcabc" * 200), ("SET", b"\x00bin\xff", b"\x01\x02"),
        ("SET", "ttl", "v"), ("PEXPIREAT", "ttl", FAR),
        ("SELECT", "2"), ("SET", "other", "x"),
    ],
    # quicklist of listpack nodes: small, many nodes (LZF-compressed
    # node blobs), big elements
    "list": [
        ("RPUSH", "l:small", "a", "1", "-5", "300000", "x" * 70, ""),
        *[("RPUSH", "l:big", *["elem-%d" % i for i in range(j, j + 500)])
          for j in range(0, 10000, 500)],
        ("RPUSH", "l:huge", "h" * 20000, "tiny"),
    ],
    # listpack hash, hashtable hash (> 512 fields), hashtable (long value)
    "hash": [
        ("HSET", "h:lp", "f1", "v1", "n", "42", "neg", "-100000"),
        *[("HSET", "h:ht", *[x for i in range(j, j + 100)
                             for x in ("field:%d" % i, "value:%d" % i)])
          for j in range(0, 600, 100)],
        ("HSET", "h:long", "f", "L" * 100),
    ],
    # intsets of 16/32/64-bit width, a hashtable of integers (> 512),
    # a hashtable of strings
    "set": [
        ("SADD", "s:int16", "1", "2", "-30000"),
        ("SADD", "s:int32", "1", "70000"),
        ("SADD", "s:int64", "1", "-2147483649"),
        ("SADD", "s:ht", *[str(i * 3) for i in range(600)]),
        ("SADD", "s:str", "apple", "1", "banana"),
    ],
    # listpack zset (int and text scores), skiplist zsets (> 128 members,
    # long member)
    "zset": [
        ("ZADD", "z:lp", "1", "a", "2.5", "b", "-inf", "c", "inf", "d",
         "-0.125", "e", "1e100", "f", "123456789012", "g"),
        ("ZADD", "z:sl", *[x for i in range(400)
                           for x in (repr(i * 0.5), "member:%d" % i)]),
        ("ZADD", "z:long", "1", "M" * 80, "2", "m"),
    ],
    # expiries: far future, and one already past when the test runs
    "expire": [
        ("SET", "far", "1"), ("PEXPIREAT", "far", FAR),
        ("HSET", "hfar", "a", "b"), ("PEXPIREAT", "hfar", FAR + 1),
        ("SET", "gone", "x", "PX", "2000"),
        ("SET", "keep", "y"),
    ],
    # a FUNCTION2 record
    "function": [
        ("FUNCTION", "LOAD",
         "#!lua name=mylib\nredis.register_function('f', function() return 1 end)"),
        ("SET", "k", "v"),
    ],
}


def resp_cmd(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def read_reply(sock):
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError
        data += chunk
    return data


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "golden")
    os.makedirs(outdir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="ferry-golden-")
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    srv = subprocess.Popen(["redis-server", "--port", str(port), "--bind",
                            "127.0.0.1", "--dir", tmp, "--save", "",
                            "--appendonly", "no", "--logfile",
                            os.path.join(tmp, "log")])
    try:
        for _ in range(100):
            try:
                sock = socket.create_connection(("127.0.0.1", port), 1)
                break
            except OSError:
                time.sleep(0.1)
        for name, cmds in GOLDEN.items():
            for c in [("FLUSHALL",), ("FUNCTION", "FLUSH"), ("SELECT", "0")] + list(cmds) + [("SAVE",)]:
                sock.sendall(resp_cmd(*c))
                r = read_reply(sock)
                if r.startswith(b"-"):
                    raise SystemExit("%s: %r -> %r" % (name, c[:2], r))
            shutil.copy(os.path.join(tmp, "dump.rdb"),
                        os.path.join(outdir, name + ".rdb"))
            print("%s.rdb: %d bytes" % (name, os.path.getsize(
                os.path.join(outdir, name + ".rdb"))))
    finally:
        srv.terminate()
        srv.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
