#!/usr/bin/env bash
# repl_slow.sh -- a connected replica that falls behind keeps its stream
# up to client-output-buffer-limit replica, end to end: ferryd (primary,
# repl-backlog-size 1mb) and a stock redis-server 7.0.15 replica, in a
# network namespace of its own.
#
#   tests/integration/repl_slow.sh FERRYD
#
# ferryd runs in namespace h10-slow-PID over a net_tap (ferry .2, the
# kernel side .1 of 198.18.161.0/24); the replica (redis-server bound to
# .1, port 7001) and the clients run on the kernel side.  Cleanup on any
# exit: processes killed by PID, namespace deleted.
#   1. after the first sync the replica is stopped (SIGSTOP) while ~20 MB
#      of writes (redis-benchmark SET/INCR/LPUSH, APPEND, 2.5 MB SETs) go
#      to ferryd -- twenty times the backlog; resumed (SIGCONT) it catches
#      up on the same connection: INFO stats sync_full stays 1, no
#      output-limit close, PSYNC's window (repl_backlog_histlen) stays
#      1mb, data equal (the old half-backlog copy into a per-replica
#      queue lost the bytes of each 2.5 MB SET: sync_full 2)
#   2. CONFIG SET client-output-buffer-limit "replica 4mb 0 0", the same
#      stop + flood: ferryd closes the replica (its log says so), which
#      reconnects, cannot continue (its offset is far out of the 1mb
#      backlog) and full-syncs: sync_full 2, data equal again
set -euo pipefail

FERRYD=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
CHECK="$HERE/repl_check.py"
HOST=198.18.161.2
KHOST=198.18.161.1
PORT=6379
RPORT=7001
. "$HERE/repl_lib.sh"
rl_setup "h10-slow-$$" "h10s$$"
# a replica stopped when the test failed: let the cleanup's TERM reach it
rl_on_failure() { [ -n "${RPID:-}" ] && kill -CONT "$RPID" 2>/dev/null; true; }
fcli() { nsx timeout 20 redis-cli -h "$HOST" -p "$PORT" "$@"; }
finfo() { fcli info "$1" | tr -d '\r'; }
field() { grep "^$1:" | head -1 | cut -d: -f2-; }
full_syncs() { finfo stats | field sync_full; }

start_ferryd f "$HOST" "$KHOST" --repl-backlog-size 1mb --repl-tcp-buffer 64kb
# small TCP buffers on the replica's path (ferry's side above, the
# kernel's receive buffer in this namespace here): the stream a stopped
# replica cannot take waits in ferryd's backlog, not in socket buffers
nsx sysctl -q -w net.ipv4.tcp_rmem="4096 131072 1048576"

# the replica (redis-server itself is PIDS' last entry: SIGSTOP goes to it)
start_redis "$KHOST" "$RPORT" --dbfilename replica.rdb \
	--replicaof "$HOST" "$PORT"
RPID=${PIDS[-1]}

fcli set seed 1 >/dev/null
nsx timeout 60 "$PY" "$CHECK" wait-synced "$HOST:$PORT" "$KHOST:$RPORT" ||
	fail "first sync"
[ "$(full_syncs)" = 1 ] || fail "first sync: sync_full $(full_syncs)"

# ~20 MB of stream: redis-benchmark (9000 each of SET with 512-byte values,
# INCR, LPUSH), APPENDs, and four 2.5 MB SETs -- each of those is one
# append bigger than the whole 1mb backlog, so a stopped replica's bytes
# are overwritten at once unless the ring grows for them
flood() {
	nsx timeout 60 redis-benchmark -h "$HOST" -p "$PORT" -c 8 -n 9000 \
		-d 512 -r 5000 -t set,incr,lpush -q >/dev/null ||
		fail "redis-benchmark"
	nsx timeout 60 "$PY" - "$HOST" "$PORT" <<'PYEOF' || fail "big writes"
import sys
import redis
r = redis.Redis(host=sys.argv[1], port=int(sys.argv[2]), socket_timeout=30)
for i in range(4):
    r.set('big:%d' % i, (b'%d' % i) * 2500000)
    for j in range(500):
        r.append('app:%d' % (j % 10), b'y' * 1000)
        r.incr('cnt:%d' % (j % 7))
PYEOF
}

# ---- 1. within the limit: caught up on the same connection ---------------
off0=$(finfo replication | field master_repl_offset)
kill -STOP "$RPID"
flood
off1=$(finfo replication | field master_repl_offset)
[ $((off1 - off0)) -gt $((16 << 20)) ] ||
	fail "flood wrote only $((off1 - off0)) stream bytes"
# PSYNC's window stays repl-backlog-size while the ring holds far more
[ "$(finfo replication | field repl_backlog_histlen)" = 1048576 ] ||
	fail "histlen $(finfo replication | field repl_backlog_histlen)"
# the replica's ONLINE line: its ACK offset is far behind (it is stopped)
ack=$(finfo replication | field slave0 | sed 's/.*offset=\([0-9]*\).*/\1/')
[ $((off1 - ack)) -gt $((8 << 20)) ] ||
	fail "the stopped replica's ACK is only $((off1 - ack)) bytes behind"
sleep 1
kill -CONT "$RPID"
nsx timeout 60 "$PY" "$CHECK" wait-synced "$HOST:$PORT" "$KHOST:$RPORT" ||
	fail "catching up"
[ "$(full_syncs)" = 1 ] ||
	fail "the replica was dropped and full-synced: sync_full $(full_syncs)"
grep -q "output buffer limits" "$RUN/ferryd-f.log" && fail "closed for the output limit"
nsx timeout 60 "$PY" "$CHECK" compare "$HOST:$PORT" "$KHOST:$RPORT" ||
	fail "data after catching up"
echo "  stopped replica kept $((off1 - off0)) stream bytes, caught up, sync_full 1"

# ---- 2. over client-output-buffer-limit replica 4mb: dropped, full sync ---
[ "$(fcli config set client-output-buffer-limit 'replica 4mb 0 0')" = OK ] ||
	fail "CONFIG SET client-output-buffer-limit"
fcli config get client-output-buffer-limit | grep -q "slave 4194304 0 0" ||
	fail "CONFIG GET: $(fcli config get client-output-buffer-limit)"
kill -STOP "$RPID"
flood
sleep 1
kill -CONT "$RPID"
for _ in $(seq 1 300); do
	[ "$(full_syncs)" = 2 ] && break
	sleep 0.1
done
[ "$(full_syncs)" = 2 ] || fail "over the limit: sync_full $(full_syncs), want 2"
grep -q "output buffer limits" "$RUN/ferryd-f.log" || fail "no output-limit close in the log"
nsx timeout 60 "$PY" "$CHECK" wait-synced "$HOST:$PORT" "$KHOST:$RPORT" ||
	fail "full resync"
nsx timeout 60 "$PY" "$CHECK" compare "$HOST:$PORT" "$KHOST:$RPORT" ||
	fail "data after the full resync"
echo "PASS: repl_slow"
