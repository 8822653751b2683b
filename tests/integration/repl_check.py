#!/usr/bin/python3
"""repl_check.py -- the client side of tests/integration/repl.sh.

  repl_check.py sync-under-load FERRY REPLICA SECONDS
      Preload ferryd, start writers (INCR, APPEND, LPUSH, SADD, ZINCRBY,
      HINCRBY, EXPIRE, DEL on 4 connections), make REPLICA (a stock
      redis-server) REPLICAOF ferryd while they run, keep writing SECONDS,
      stop, wait until the replica's offset equals ferryd's, compare every
      key (type, value, TTL within 3 s).  Prints the writes/s reached.
  repl_check.py load FERRY SECONDS
      Writers only (background load for the other cases).
  repl_check.py wait-synced FERRY REPLICA
      Wait until the replica is up and at ferryd's offset.
  repl_check.py compare FERRY REPLICA
      Compare every key of every database.
  FERRY and REPLICA are host:port.
"""
import random
import sys
import threading
import time

import redis


def conn(hp, **kw):
    h, p = hp.rsplit(':', 1)
    return redis.Redis(host=h, port=int(p), socket_timeout=30, **kw)


def fail(msg):
    print('FAIL: ' + msg, file=sys.stderr)
    sys.exit(1)


NKEYS = 400


def writer(hp, stop, counts, idx, seed):
    r = conn(hp)
    rnd = random.Random(seed)
    n = 0
    while not stop.is_set():
        p = r.pipeline(transaction=False)
        for _ in range(50):
            k = rnd.randrange(NKEYS)
            op = rnd.randrange(10)
            if op == 0:
                p.incr('ctr:%d' % k)
            elif op == 1:
                p.append('str:%d' % k, 'x%d.' % rnd.randrange(100))
            elif op == 2:
                p.lpush('list:%d' % k, rnd.randrange(1000))
            elif op == 3:
                p.sadd('set:%d' % k, rnd.randrange(50))
            elif op == 4:
                p.zincrby('zset:%d' % k, 1.5, 'm%d' % rnd.randrange(20))
            elif op == 5:
                p.hincrby('hash:%d' % k, 'f%d' % rnd.randrange(10), 3)
            elif op == 6:
                p.expire('ctr:%d' % k, 1000 + rnd.randrange(1000))
            elif op == 7:
                p.delete('list:%d' % k)
            elif op == 8:
                # a transaction: MULTI/EXEC in the stream
                p.execute()
                t = r.pipeline(transaction=True)
                t.incr('ctr:%d' % k)
                t.sadd('set:%d' % k, 'tx')
                t.execute()
                n += 2
                p = r.pipeline(transaction=False)
            else:
                p.set('ttl:%d' % k, 'v', ex=500 + rnd.randrange(500))
            n += 1
        p.execute()
    counts[idx] = n


def run_load(hp, seconds, during=None, nthreads=4):
    stop = threading.Event()
    counts = [0] * nthreads
    ts = [threading.Thread(target=writer, args=(hp, stop, counts, i, 1000 + i))
          for i in range(nthreads)]
    t0 = time.time()
    for t in ts:
        t.start()
    if during:
        time.sleep(min(1.0, seconds / 4))
        during()
    time.sleep(max(0, seconds - (time.time() - t0)))
    stop.set()
    for t in ts:
        t.join()
    el = time.time() - t0
    total = sum(counts)
    print('load: %d writes in %.1f s = %.0f writes/s' % (total, el, total / el))
    return total


def preload(hp, n=20000):
    r = conn(hp)
    p = r.pipeline(transaction=False)
    for i in range(n):
        p.set('pre:%d' % i, 'value-%d' % i)
        if i % 7 == 0:
            p.rpush('prel:%d' % i, *range(5))
        if i % 11 == 0:
            p.hset('preh:%d' % i, mapping={'a': i, 'b': 'x'})
        if i % 13 == 0:
            p.expire('pre:%d' % i, 3000)
        if i % 500 == 0:
            p.execute()
    p.execute()
    for db in (1, 5):
        rd = conn(hp, db=db)
        for i in range(200):
            rd.set('db%d:%d' % (db, i), i)


def info(r):
    return r.info('replication')


def wait_synced(fhp, rhp, timeout=90):
    f, rep = conn(fhp), conn(rhp)
    t0 = time.time()
    while time.time() - t0 < timeout:
        fi, ri = info(f), info(rep)
        if ri.get('master_link_status') == 'up' and \
           ri.get('master_repl_offset') == fi.get('master_repl_offset') and \
           fi.get('connected_slaves', 0) >= 1:
            # ferryd's view of the replica agrees once it ACKed
            s0 = fi.get('slave0', {})
            if s0.get('state') == 'online':
                return fi, ri
        time.sleep(0.2)
    fail('replica not in sync after %d s: ferry %s / replica %s' %
         (timeout, info(f), info(rep)))


def dump_key(r, k):
    t = r.type(k).decode()
    if t == 'string':
        v = r.get(k)
    elif t == 'list':
        v = r.lrange(k, 0, -1)
    elif t == 'set':
        v = sorted(r.smembers(k))
    elif t == 'zset':
        v = r.zrange(k, 0, -1, withscores=True)
    elif t == 'hash':
        v = sorted(r.hgetall(k).items())
    elif t == 'none':
        v = None
    else:
        v = ('?', t)
    return t, v, r.pttl(k)


def compare(fhp, rhp):
    nkeys = 0
    for db in range(16):
        f, rep = conn(fhp, db=db), conn(rhp, db=db)
        fk = set(f.scan_iter(count=1000))
        rk = set(rep.scan_iter(count=1000))
        if fk != rk:
            only_f = list(fk - rk)[:5]
            only_r = list(rk - fk)[:5]
            fail('db %d: keys differ (%d vs %d): only on ferry %s, only on '
                 'replica %s' % (db, len(fk), len(rk), only_f, only_r))
        for k in fk:
            ft, fv, fttl = dump_key(f, k)
            rt, rv, rttl = dump_key(rep, k)
            if (ft, fv) != (rt, rv):
                fail('db %d key %r: ferry %s %r, replica %s %r' %
                     (db, k, ft, fv, rt, rv))
            if (fttl < 0) != (rttl < 0) or abs(fttl - rttl) > 3000:
                fail('db %d key %r: TTL ferry %d ms, replica %d ms' %
                     (db, k, fttl, rttl))
        nkeys += len(fk)
    print('compare: %d keys equal' % nkeys)
    if nkeys == 0:
        fail('nothing compared')


def main():
    cmd = sys.argv[1]
    if cmd == 'sync-under-load':
        fhp, rhp, secs = sys.argv[2], sys.argv[3], float(sys.argv[4])
        preload(fhp)
        fh, fp = fhp.rsplit(':', 1)

        def attach():
            conn(rhp).replicaof(fh, fp)
            print('replicaof sent during the load')
        run_load(fhp, secs, during=attach)
        fi, ri = wait_synced(fhp, rhp)
        print('synced at offset %d' % fi['master_repl_offset'])
        compare(fhp, rhp)
    elif cmd == 'load':
        run_load(sys.argv[2], float(sys.argv[3]))
    elif cmd == 'wait-synced':
        fi, ri = wait_synced(sys.argv[2], sys.argv[3])
        print('synced at offset %d' % fi['master_repl_offset'])
    elif cmd == 'compare':
        compare(sys.argv[2], sys.argv[3])
    else:
        fail('unknown command ' + cmd)


if __name__ == '__main__':
    main()
