#!/usr/bin/python3
"""clients.py HOST PORT -- redis-py and raw-socket clients against ferryd:
a mixed workload from several threads checked against a local model,
clients killed mid-request, CLIENT KILL of an idle client, and a slow
reader that pipelines GETs of a big value without reading (the server must
stay bounded in memory and keep serving others).  Exit 0 = pass.
"""
import socket
import sys
import threading
import time

import redis

host, port = sys.argv[1], int(sys.argv[2])
errors = []


def fail(msg):
    print("FAIL:", msg, flush=True)
    sys.exit(1)


def conn():
    return redis.Redis(host=host, port=port, socket_timeout=20)


# ---- mixed workload -------------------------------------------------------

def worker(tid, ops):
    try:
        r = conn()
        p = f"t{tid}:"
        model_list = []
        model_hash = {}
        model_set = set()
        for i in range(ops):
            k = f"{p}s{i % 50}"
            v = f"v{tid}-{i}" * (1 + i % 7)
            assert r.set(k, v)
            assert r.get(k) == v.encode(), "GET"
            assert r.incr(p + "ctr") == i + 1, "INCR"
            r.rpush(p + "list", i)
            model_list.append(str(i).encode())
            if i % 3 == 0:
                assert r.lpop(p + "list") == model_list.pop(0), "LPOP"
            model_hash[f"f{i % 20}"] = str(i)
            r.hset(p + "hash", f"f{i % 20}", i)
            model_set.add(str(i % 30))
            r.sadd(p + "set", i % 30)
            r.zadd(p + "z", {f"m{i % 10}": i})
            if i % 25 == 0:
                assert r.lrange(p + "list", 0, -1) == model_list, "LRANGE"
                h = {k.decode(): v.decode() for k, v in r.hgetall(p + "hash").items()}
                assert h == model_hash, "HGETALL"
                assert {m.decode() for m in r.smembers(p + "set")} == model_set
                assert r.zcard(p + "z") == min(10, i + 1), "ZCARD"
                pipe = r.pipeline(transaction=True)
                pipe.incr(p + "tx").incr(p + "tx").get(p + "tx")
                res = pipe.execute()
                assert res[2] == str(res[1]).encode(), "MULTI/EXEC"
                pipe = r.pipeline(transaction=False)
                for j in range(100):
                    pipe.set(f"{p}pp{j}", j)
                for j in range(100):
                    pipe.get(f"{p}pp{j}")
                res = pipe.execute()
                assert res[100:] == [str(j).encode() for j in range(100)], "pipeline"
            if i % 100 == 0:
                r.set(p + "ttl", "x", px=50)
        time.sleep(0.2)
        assert r.get(p + "ttl") is None, "expiry"
    except Exception as e:  # noqa: BLE001
        errors.append(f"worker {tid}: {e!r}")


threads = [threading.Thread(target=worker, args=(t, 600)) for t in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join(120)
if errors:
    fail("; ".join(errors))
print("mixed workload ok", flush=True)

# ---- clients killed mid-request ------------------------------------------
r = conn()
for mode in ("fin", "rst"):
    for n in range(20):
        s = socket.create_connection((host, port), timeout=10)
        s.sendall(b"*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$1000000\r\n" + b"x" * 300000)
        if mode == "rst":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
    assert r.ping()
    assert r.exists("half") == 0, "half-sent SET was executed"
print("killed clients ok", flush=True)

# ---- CLIENT KILL of an idle connection -----------------------------------
victim = socket.create_connection((host, port), timeout=10)
victim.sendall(b"*2\r\n$6\r\nCLIENT\r\n$2\r\nID\r\n")
vid = int(victim.recv(100)[1:].strip())
assert r.execute_command("CLIENT", "KILL", "ID", vid) == 1, "CLIENT KILL"
victim.settimeout(5)
try:
    d = victim.recv(100)
except socket.timeout:
    fail("killed client not closed within 5 s")
except ConnectionResetError:
    d = b""
if d != b"":
    fail(f"killed client got {d!r}")
victim.close()
print("CLIENT KILL ok", flush=True)

# ---- slow reader -----------------------------------------------------------
big = b"b" * (1 << 20)
r.set("big", big)
base_mem = int(r.info("memory")["used_memory"])
slow = socket.socket()
slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
slow.connect((host, port))
slow.setblocking(False)
req = b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n" * 500  # 500 MB of replies
sent = 0
peak = 0
t_end = time.monotonic() + 6
while time.monotonic() < t_end:
    try:
        sent += slow.send(req[sent:])
    except BlockingIOError:
        pass
    # others are served meanwhile
    t0 = time.monotonic()
    assert r.ping()
    assert r.get("big") == big
    # liveness, not speed: a generous bound that a loaded CI box meets,
    # which a server blocked behind the slow reader would not
    if time.monotonic() - t0 > 10:
        fail("other client stalled by the slow reader")
    peak = max(peak, int(r.info("memory")["used_memory"]) - base_mem)
    time.sleep(0.05)
print(f"slow reader: sent {sent} request bytes, memory growth peak "
      f"{peak >> 20} MB", flush=True)
if peak > 256 << 20:
    fail(f"server memory grew by {peak >> 20} MB for one slow reader")
# reading resumes: every reply arrives intact, in order
slow.setblocking(True)
slow.settimeout(30)
want = sent // 22
hdr = b"$1048576\r\n"
unit = len(hdr) + len(big) + 2
got = 0
buf = bytearray()
try:
    while got < want * unit:
        d = slow.recv(1 << 20)
        if not d:
            break
        got += len(d)
        buf += d
        if len(buf) > unit * 4:
            del buf[: (len(buf) // unit) * unit - unit]
except socket.timeout:
    pass
slow.close()
print(f"slow reader: {got // unit} of {want} replies read", flush=True)
if got < want * unit:
    fail("slow reader did not get every reply")
assert r.ping()
assert r.dbsize() > 0
print("PASS", flush=True)
