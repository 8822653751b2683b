#!/usr/bin/python3
"""geo_partition.py -- the client side of tests/integration/geo_partition.sh.

  geo_partition.py load HOST:PORT SECONDS [--conns N] [--rate OPS]
                   [--prefix P]
      A steady write load of non-idempotent commands (INCR, APPEND, LPUSH,
      HINCRBY, SADD, EXPIRE) on N connections (default 4), OPS commands/s
      in all (default 1000), sent in pipelines of 10.  The rate is kept
      against the wall clock (a stalled box sends no catch-up burst), so the
      stream bytes written during a partition stay bounded.  Every reply is
      checked (an error reply fails the load); prints the count.
  geo_partition.py flood HOST:PORT BYTES
      Overwrite 64 keys with 4 KiB values until BYTES of values were
      written (pipelines of 16): replication stream far beyond a small
      backlog while the dataset stays small.
  geo_partition.py dump HOST:PORT FILE
      Every key of every database: type, value, PTTL, to FILE (JSON).
      Run next to the server (in its region): the dump is fast.
  geo_partition.py compare FILE-A FILE-B [--ttl-ms T]
      The two dumps hold the same keys with the same types and values,
      and TTLs within T ms (default 5000: the dumps are taken seconds
      apart); exit 1 on a difference (up to 10 printed).
  geo_partition.py lag FILE MIN MAX [--samples N]
      FILE is geo_watch.py's --json output: at least N lag samples
      (default 100) and MIN <= p50 <= MAX (ms).

Uses Debian's python3-redis (run it with /usr/bin/python3).
"""
import argparse
import base64
import json
import sys
import threading
import time

import redis


def conn(hp, db=0):
    h, p = hp.rsplit(':', 1)
    return redis.Redis(host=h, port=int(p), db=db, socket_timeout=30,
                       socket_connect_timeout=10)


def fail(msg):
    print('FAIL: ' + msg, file=sys.stderr)
    sys.exit(1)


def load_conn(hp, prefix, idx, rate, end, counts, errors):
    r = conn(hp)
    n = 0
    period = 10.0 / rate		# one pipeline of 10
    next_t = time.time()
    try:
        while True:
            now = time.time()
            if now >= end:
                break
            if now < next_t:
                time.sleep(next_t - now)
                continue
            # no catch-up burst after a stall: the next slot is from now
            next_t = max(next_t + period, now)
            p = r.pipeline(transaction=False)
            for j in range(10):
                k = (n + j) % 97
                op = (n + j) % 6
                base = '%s:%d:%d' % (prefix, idx, k)
                if op == 0:
                    p.incr(base + ':ctr')
                elif op == 1:
                    p.append(base + ':str', '%d.' % (n + j))
                elif op == 2:
                    p.lpush(base + ':list', n + j)
                elif op == 3:
                    p.hincrby(base + ':hash', 'f%d' % (j % 5), n % 7 + 1)
                elif op == 4:
                    p.sadd(base + ':set', (n + j) % 40)
                else:
                    p.expire(base + ':ctr', 3000 + (n + j) % 1000)
            for reply in p.execute(raise_on_error=False):
                if isinstance(reply, Exception):
                    errors.append(repr(reply))
                    return
            n += 10
    except (redis.RedisError, OSError) as e:
        errors.append(repr(e))
    counts[idx] = n


def load(args):
    end = time.time() + args.seconds
    counts = [0] * args.conns
    errors = []
    ts = [threading.Thread(target=load_conn,
                           args=(args.hostport, args.prefix, i,
                                 args.rate / args.conns, end, counts, errors))
          for i in range(args.conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        fail('load: %s' % errors[0])
    print('load: %d commands on %d connections in %.0f s' %
          (sum(counts), args.conns, args.seconds))
    if sum(counts) == 0:
        fail('load: nothing written')


def flood(args):
    r = conn(args.hostport)
    val = b'f' * 4096
    done = 0
    i = 0
    while done < args.bytes:
        # 16 x 4 KiB per round trip: a burst far below half a backlog
        # (a replica that is connected but behind must not fall out of
        # it between two of the data core's pumps)
        p = r.pipeline(transaction=False)
        for _ in range(16):
            p.set('flood:%d' % (i % 64), val + b'%d' % i)
            i += 1
            done += len(val)
        for reply in p.execute(raise_on_error=False):
            if isinstance(reply, Exception):
                fail('flood: %r' % reply)
    print('flood: %d SETs, %d bytes of values' % (i, done))


def b64(v):
    return base64.b64encode(v).decode()


def dump_db(r):
    keys = sorted(set(r.scan_iter(count=1000)))
    out = {}
    for i in range(0, len(keys), 200):
        chunk = keys[i:i + 200]
        p = r.pipeline(transaction=False)
        for k in chunk:
            p.type(k)
            p.pttl(k)
        meta = p.execute()
        p = r.pipeline(transaction=False)
        types = []
        for j, k in enumerate(chunk):
            t = meta[2 * j].decode()
            types.append(t)
            if t == 'string':
                p.get(k)
            elif t == 'list':
                p.lrange(k, 0, -1)
            elif t == 'set':
                p.smembers(k)
            elif t == 'zset':
                p.zrange(k, 0, -1, withscores=True)
            elif t == 'hash':
                p.hgetall(k)
            else:
                p.echo('-')
        vals = p.execute()
        for j, k in enumerate(chunk):
            t, v = types[j], vals[j]
            if t == 'string':
                v = b64(v) if v is not None else None
            elif t == 'list':
                v = [b64(x) for x in v]
            elif t == 'set':
                v = sorted(b64(x) for x in v)
            elif t == 'zset':
                v = [[b64(m), s] for m, s in v]
            elif t == 'hash':
                v = sorted([b64(f), b64(x)] for f, x in v.items())
            else:
                v = None		# gone between SCAN and TYPE
            out[b64(k)] = [t, v, meta[2 * j + 1]]
    return out


def dump(args):
    res = {}
    nkeys = 0
    for db in range(16):
        d = dump_db(conn(args.hostport, db))
        if d:
            res[str(db)] = d
            nkeys += len(d)
    with open(args.file, 'w') as f:
        json.dump(res, f)
    print('dump %s: %d keys' % (args.hostport, nkeys))


def compare(args):
    with open(args.a) as f:
        a = json.load(f)
    with open(args.b) as f:
        b = json.load(f)
    bad = []
    total = 0
    for db in sorted(set(a) | set(b)):
        da, db_ = a.get(db, {}), b.get(db, {})
        for k in sorted(set(da) - set(db_))[:5]:
            bad.append('db %s: %r only on the primary' %
                       (db, base64.b64decode(k)))
        for k in sorted(set(db_) - set(da))[:5]:
            bad.append('db %s: %r only on the replica' %
                       (db, base64.b64decode(k)))
        for k in sorted(set(da) & set(db_)):
            total += 1
            (ta, va, xa), (tb, vb, xb) = da[k], db_[k]
            name = base64.b64decode(k)
            if ta != tb:
                bad.append('db %s %r: type %s vs %s' % (db, name, ta, tb))
            elif va != vb:
                bad.append('db %s %r: %s values differ' % (db, name, ta))
            elif (xa < 0) != (xb < 0) or abs(xa - xb) > args.ttl_ms:
                bad.append('db %s %r: PTTL %d vs %d' % (db, name, xa, xb))
    for line in bad[:10]:
        print('  ' + line, file=sys.stderr)
    if bad:
        fail('%d differences among %d keys' % (len(bad), total))
    if total == 0:
        fail('nothing compared')
    print('compare: %d keys equal (type, value, TTL within %d ms)' %
          (total, args.ttl_ms))


def lag(args):
    with open(args.file) as f:
        j = json.load(f)
    n, p50, p99 = j['n'], j['lag_ms_p50'], j['lag_ms_p99']
    print('lag: %d samples, p50 %.1f ms, p99 %.1f ms (bound %g..%g)' %
          (n, p50, p99, args.min, args.max))
    if n < args.samples:
        fail('only %d lag samples (want %d)' % (n, args.samples))
    if not args.min <= p50 <= args.max:
        fail('lag p50 %.1f ms outside %g..%g ms' % (p50, args.min, args.max))
    # the same stamps measured by the replica itself (geo.sh starts
    # replicas with repl-lag-probe-key geo:stamp): present, every stamp
    # accepted, its median within the same bounds
    pr = j.get('probe')
    if pr is None:
        fail('no lag probe in the replica\'s INFO replication')
    pp50 = pr['p50_us'] / 1000.0
    print('lag in ferry: %d samples, p50 %.2f ms, p99 %.2f ms, %d rejected' %
          (pr['samples'], pp50, pr['p99_us'] / 1000.0, pr['rejected']))
    if pr['samples'] < args.samples or pr['rejected'] != 0:
        fail('lag probe: %d samples, %d rejected' % (pr['samples'],
                                                    pr['rejected']))
    if not args.min <= pp50 <= args.max:
        fail('lag probe p50 %.2f ms outside %g..%g ms' % (pp50, args.min,
                                                          args.max))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    a = sub.add_parser('load')
    a.add_argument('hostport')
    a.add_argument('seconds', type=float)
    a.add_argument('--conns', type=int, default=4)
    a.add_argument('--rate', type=float, default=1000.0)
    a.add_argument('--prefix', default='gp')
    a = sub.add_parser('flood')
    a.add_argument('hostport')
    a.add_argument('bytes', type=int)
    a = sub.add_parser('dump')
    a.add_argument('hostport')
    a.add_argument('file')
    a = sub.add_parser('compare')
    a.add_argument('a')
    a.add_argument('b')
    a.add_argument('--ttl-ms', type=int, default=5000)
    a = sub.add_parser('lag')
    a.add_argument('file')
    a.add_argument('min', type=float)
    a.add_argument('max', type=float)
    a.add_argument('--samples', type=int, default=100)
    args = ap.parse_args()
    {'load': load, 'flood': flood, 'dump': dump, 'compare': compare,
     'lag': lag}[args.cmd](args)


if __name__ == '__main__':
    main()
