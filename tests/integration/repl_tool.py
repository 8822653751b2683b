#!/usr/bin/python3
"""repl_tool.py -- helpers of tests/integration/repl_replica.sh.

  repl_tool.py populate HOST PORT        every type and encoding, TTLs, db 0 and 3
  repl_tool.py write HOST PORT SECONDS   a writer (INCR, APPEND, LPUSH, SADD,
                                         ZINCRBY, HINCRBY, EXPIRE, DEL, SET EX)
  repl_tool.py wait HOST1 PORT1 HOST2 PORT2 SECONDS
                                         until master_repl_offset of 1 (master)
                                         equals the offset of 2 (replica)
  repl_tool.py compare HOST1 PORT1 HOST2 PORT2
                                         every key of every db: type, value,
                                         TTL within 2 s; exit 1 on a difference
"""
import random
import sys
import time

import redis

DBS = (0, 3)


def conn(host, port, db=0):
    return redis.Redis(host=host, port=int(port), db=db, socket_timeout=20)


def populate(host, port):
    r = conn(host, port)
    rnd = random.Random(7)
    p = r.pipeline(transaction=False)
    # strings: short, int-encoded, LZF-compressible, binary
    for i in range(500):
        p.set("s:%d" % i, "v%d" % i)
    p.set("int:small", 42)
    p.set("int:neg", -123456)
    p.set("int:big", 2**62)
    p.set("lzf:1", "a" * 20000)
    p.set("lzf:2", ("hello world " * 3000))
    p.set("bin", bytes(range(256)) * 4)
    # lists: small (listpack node) and big (several quicklist nodes)
    p.rpush("list:small", *["x%d" % i for i in range(10)])
    p.rpush("list:big", *["element-%d-%s" % (i, "y" * (i % 50)) for i in range(20000)])
    p.rpush("list:ints", *range(1000))
    # hashes: listpack and hashtable
    p.hset("hash:small", mapping={"f%d" % i: "v%d" % i for i in range(10)})
    p.hset("hash:big", mapping={"field%d" % i: "value%d" % i for i in range(2000)})
    p.hset("hash:longval", mapping={"f": "z" * 200})
    # sets: intset small and big, strings
    p.sadd("set:int", *range(100))
    p.sadd("set:intbig", *range(0, 3000, 3))
    p.sadd("set:str", *["m%d" % i for i in range(50)])
    p.sadd("set:strbig", *["member-%d" % i for i in range(1500)])
    # zsets: listpack and skiplist
    p.zadd("zset:small", {"a": 1, "b": 2.5, "c": -3})
    p.zadd("zset:big", {"m%d" % i: rnd.random() * 1000 for i in range(1000)})
    # TTLs
    for i in range(100):
        p.set("ttl:%d" % i, i, ex=1000 + i)
    p.expire("hash:small", 5000)
    p.pexpire("list:small", 9000000)
    p.execute()
    r3 = conn(host, port, 3)
    r3.set("db3:k", "in db 3")
    r3.rpush("db3:list", 1, 2, 3)
    r3.set("db3:ttl", "x", ex=7777)


def write(host, port, seconds):
    r = conn(host, port)
    rnd = random.Random()
    end = time.time() + float(seconds)
    n = 0
    while time.time() < end:
        p = r.pipeline(transaction=False)
        for _ in range(50):
            k = rnd.randrange(200)
            op = rnd.randrange(10)
            if op == 0:
                p.incr("w:ctr:%d" % k)
            elif op == 1:
                p.append("w:str:%d" % k, "ab")
            elif op == 2:
                p.lpush("w:list:%d" % (k % 20), k)
            elif op == 3:
                p.sadd("w:set:%d" % (k % 20), k)
            elif op == 4:
                p.zincrby("w:zset:%d" % (k % 20), 1.5, "m%d" % k)
            elif op == 5:
                p.hincrby("w:hash:%d" % (k % 20), "f%d" % k, 3)
            elif op == 6:
                p.expire("w:ctr:%d" % k, 500 + k)
            elif op == 7:
                p.delete("w:str:%d" % ((k + 7) % 200))
            elif op == 8:
                p.set("w:ex:%d" % k, "v", ex=300)
            else:
                p.execute_command("SELECT", 3)
                p.incr("w:db3")
                p.execute_command("SELECT", 0)
        p.execute()
        n += 50
    print("writer: %d commands" % n)


def offset_of(r):
    info = r.info("replication")
    if info.get("role") == "slave" and "slave_repl_offset" in info:
        return info["slave_repl_offset"]
    return info["master_repl_offset"]


def wait(h1, p1, h2, p2, seconds):
    m, s = conn(h1, p1), conn(h2, p2)
    end = time.time() + float(seconds)
    while True:
        mo, so = offset_of(m), offset_of(s)
        if mo == so and mo > 0:
            print("offsets equal: %d" % mo)
            return 0
        if time.time() > end:
            print("offsets differ: master %d replica %d" % (mo, so))
            return 1
        time.sleep(0.1)


def dump_value(r, k, t):
    if t == b"string":
        return r.get(k)
    if t == b"list":
        return r.lrange(k, 0, -1)
    if t == b"hash":
        return r.hgetall(k)
    if t == b"set":
        return sorted(r.smembers(k))
    if t == b"zset":
        return r.zrange(k, 0, -1, withscores=True)
    return None


def compare(h1, p1, h2, p2):
    bad = 0
    total = 0
    for db in DBS:
        a, b = conn(h1, p1, db), conn(h2, p2, db)
        ka = set(a.scan_iter(count=1000))
        kb = set(b.scan_iter(count=1000))
        if ka != kb:
            print("db %d: keys differ: only master %s only replica %s" % (
                db, sorted(ka - kb)[:10], sorted(kb - ka)[:10]))
            bad += 1
        for k in ka & kb:
            total += 1
            ta, tb = a.type(k), b.type(k)
            if ta != tb:
                print("db %d %r: type %s vs %s" % (db, k, ta, tb))
                bad += 1
                continue
            va, vb = dump_value(a, k, ta), dump_value(b, k, tb)
            if va != vb:
                print("db %d %r: values differ" % (db, k))
                bad += 1
            xa, xb = a.pttl(k), b.pttl(k)
            if (xa < 0) != (xb < 0) or abs(xa - xb) > 2000:
                print("db %d %r: pttl %d vs %d" % (db, k, xa, xb))
                bad += 1
    print("compared %d keys, %d differences" % (total, bad))
    return 1 if bad or total == 0 else 0


def main():
    cmd = sys.argv[1]
    if cmd == "populate":
        populate(sys.argv[2], sys.argv[3])
    elif cmd == "write":
        write(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "wait":
        sys.exit(wait(*sys.argv[2:7]))
    elif cmd == "compare":
        sys.exit(compare(*sys.argv[2:6]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
