#!/usr/bin/python3
"""geo_watch.py -- replication lag between two ferry regions, live.

  geo_watch.py stamp  --primary HOST:PORT [--every-ms 10] [--seconds S]
      (run in the primary's region) writes SET geo:stamp <unix ms> to the
      primary every few milliseconds: the clock the replica is read against.
      A ferry primary can write the same stamps itself (CONFIG SET
      repl-lag-probe-key geo:stamp, repl-lag-probe-ms 5): tools/geo.sh demo
      does that, and watch reads them alike.
  geo_watch.py watch  --primary HOST:PORT --replica HOST:PORT [--seconds S]
                      [--poll-ms 1] [--json FILE]
      (run in the replica's region) polls the replica's geo:stamp and prints
      one line per second: the primary's commands/s, both replication
      offsets, the byte lag, and the replication lag -- for each stamp the
      replica shows for the first time, now minus the stamp (both processes
      read this machine's clock, so no network delay enters it; the poll
      interval adds at most --poll-ms) -- as p50/p99/max over the second.  At the end a summary line; --json
      writes the per-second samples.
      If the replica's ferryd has repl-lag-probe-key geo:stamp (tools/geo.sh
      sets it), the replica measures the same stamps itself where it applies
      them (control/repl_lagprobe.h: no poll, no client in the way): watch
      empties those figures at its start (CONFIG RESETSTAT on the replica)
      and prints them at the end ("in ferry"), also in --json.

Uses Debian's python3-redis (run it with /usr/bin/python3).
"""
import argparse
import json
import sys
import time

import redis


def hostport(s):
    host, _, port = s.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError("expected HOST:PORT, got %r" % s)
    return host, int(port)


def conn(hp):
    return redis.Redis(host=hp[0], port=hp[1], socket_timeout=5,
                       socket_connect_timeout=5, decode_responses=True)


def now_ms():
    return time.time() * 1000.0


def pct(sorted_vals, p):
    if not sorted_vals:
        return float("nan")
    k = min(len(sorted_vals) - 1, int(round(p / 100.0 * (len(sorted_vals) - 1))))
    return sorted_vals[k]


def stamp(args):
    r = conn(args.primary)
    end = time.time() + args.seconds if args.seconds else None
    period = args.every_ms / 1000.0
    n, rtts = 0, []
    while end is None or time.time() < end:
        t0 = now_ms()
        r.set("geo:stamp", "%.3f" % t0)
        rtts.append(now_ms() - t0)
        n += 1
        time.sleep(period)
    # the SET's round trip bounds the stamp's time to the primary
    rtts.sort()
    print("geo_watch stamp: %d stamps written; SET round trip p50 %.2f ms, "
          "p99 %.2f ms, max %.2f ms" % (n, pct(rtts, 50), pct(rtts, 99),
                                        rtts[-1] if rtts else float("nan")))


def info(r, section):
    try:
        return r.info(section)
    except (redis.RedisError, OSError):
        return {}


def probe(r):
    """The replica's own lag probe (INFO replication lag_probe_*), or None."""
    i = info(r, "replication")
    if "lag_probe_samples" not in i:
        return None
    return {k[len("lag_probe_"):]: v for k, v in i.items()
            if k.startswith("lag_probe_")}


def watch(args):
    p, rep = conn(args.primary), conn(args.replica)
    if probe(rep) is not None:
        try:
            rep.config_resetstat()
        except (redis.RedisError, OSError):
            pass
    end = time.time() + args.seconds if args.seconds else None
    samples, all_lags = [], []
    prev_cmds = None
    prev_t = time.time()
    last_v = None
    print("%8s %10s %14s %14s %10s %9s %9s %9s" % (
        "time", "cmds/s(A)", "offset A", "offset B", "lag bytes",
        "lag p50", "lag p99", "lag max"))
    sys.stdout.flush()
    while end is None or time.time() < end:
        lags = []
        tick_end = time.time() + 1.0
        while time.time() < tick_end:
            try:
                v = rep.get("geo:stamp")
            except (redis.RedisError, OSError):
                v = None
            if v is not None and v != last_v:
                # a stamp seen for the first time: now - stamp is how
                # long the write took to reach the replica
                if last_v is not None:
                    lags.append(max(0.0, now_ms() - float(v)))
                last_v = v
            time.sleep(args.poll_ms / 1000.0)
        ia, ib = info(p, "replication"), info(rep, "replication")
        st = info(p, "stats")
        t = time.time()
        cmds = st.get("total_commands_processed")
        rate = ((cmds - prev_cmds) / (t - prev_t)
                if cmds is not None and prev_cmds is not None else 0.0)
        prev_cmds, prev_t = cmds, t
        oa = ia.get("master_repl_offset", -1)
        ob = ib.get("slave_repl_offset", ib.get("master_repl_offset", -1))
        lags.sort()
        all_lags.extend(lags)
        s = {"t": round(t, 3), "cmds_per_sec": round(rate),
             "offset_primary": oa, "offset_replica": ob,
             # the primary's offset is read over the link, one one-way
             # delay old: a replica that is current can look ahead of it
             "lag_bytes": max(0, oa - ob) if oa >= 0 and ob >= 0 else None,
             "lag_ms_p50": pct(lags, 50), "lag_ms_p99": pct(lags, 99),
             "lag_ms_max": lags[-1] if lags else float("nan"),
             "link": ib.get("master_link_status", "?")}
        samples.append(s)
        print("%8s %10.0f %14s %14s %10s %9.1f %9.1f %9.1f%s" % (
            time.strftime("%H:%M:%S"), rate, oa, ob,
            s["lag_bytes"] if s["lag_bytes"] is not None else "?",
            s["lag_ms_p50"], s["lag_ms_p99"], s["lag_ms_max"],
            "" if s["link"] == "up" else "  (replica link %s)" % s["link"]))
        sys.stdout.flush()
    all_lags.sort()
    print("geo_watch: %d lag samples: p50 %.1f ms, p99 %.1f ms, max %.1f ms" % (
        len(all_lags), pct(all_lags, 50), pct(all_lags, 99),
        all_lags[-1] if all_lags else float("nan")))
    pr = probe(rep)
    if pr is not None:
        print("geo_watch: in ferry (the replica's lag probe, key %s): %d "
              "samples: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d rejected)" % (
                  pr.get("key"), pr["samples"], pr["p50_us"] / 1000.0,
                  pr["p99_us"] / 1000.0, pr["max_us"] / 1000.0,
                  pr["rejected"]))
    if args.json:
        out = {"samples": samples,
               "lag_ms_p50": pct(all_lags, 50),
               "lag_ms_p99": pct(all_lags, 99),
               "n": len(all_lags)}
        if pr is not None:
            out["probe"] = pr
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    a = sub.add_parser("stamp")
    a.add_argument("--primary", type=hostport, required=True)
    a.add_argument("--every-ms", type=float, default=10.0)
    a.add_argument("--seconds", type=float, default=0)
    w = sub.add_parser("watch")
    w.add_argument("--primary", type=hostport, required=True)
    w.add_argument("--replica", type=hostport, required=True)
    w.add_argument("--seconds", type=float, default=0)
    w.add_argument("--poll-ms", type=float, default=1.0)
    w.add_argument("--json")
    args = ap.parse_args()
    try:
        (stamp if args.mode == "stamp" else watch)(args)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
