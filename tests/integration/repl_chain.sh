#!/usr/bin/env bash
# repl_chain.sh -- ferryd -> ferryd -> stock redis-server 7.0.15.
#
#   tests/integration/repl_chain.sh FERRYD
#
# One namespace fc-PID, two ferryd processes on net_tap interfaces: A at
# 198.18.31.2 (kernel side 198.18.31.1/24, the master) and B at
# 198.18.32.2 (kernel side 198.18.32.1/24, started with --replicaof A:
# PSYNC ? -1); the namespace's
# kernel routes between the two (ip_forward, each ferryd's --gateway is
# its kernel side).  A stock redis-server on the kernel side
# (198.18.31.1:6391) does REPLICAOF B.  While a writer
# writes to A: B's and the stock replica's offsets reach A's, every key is
# equal on all three, and B's replid is A's (chained replicas share the
# stream and its offsets).  Then B's link to A is killed: B resyncs
# partially and the chain stays equal.  Last, A's own lag stamps
# (repl-lag-probe-ms): B measures them, the stock server applies them.
# Cleanup (always): the processes killed by PID, the namespace deleted.
set -euo pipefail

FERRYD=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
TOOL="$HERE/repl_tool.py"
A=198.18.31.2
B=198.18.32.2
K=198.18.31.1
KPORT=6391
. "$HERE/repl_lib.sh"
rl_setup "fc-$$" "fc$$"
rc() { local h=$1; shift; nsx timeout 20 redis-cli -h "$h" -p 6379 "$@"; }

start_ferryd a "$A" 198.18.31.1
start_redis "$K" "$KPORT"

echo "== populate A, start B with --replicaof A, the stock server to B"
nsx $PY "$TOOL" populate "$A" 6379
start_ferryd b "$B" 198.18.32.1 --replicaof "$A 6379"
wait_field "$B" 6379 master_link_status up 30
[ "$(nsx redis-cli -h "$K" -p "$KPORT" replicaof "$B" 6379)" = OK ] ||
	fail "REPLICAOF B on the stock server"
wait_field "$K" "$KPORT" master_link_status up 30

echo "== write to A"
nsx $PY "$TOOL" write "$A" 6379 5
nsx $PY "$TOOL" wait "$A" 6379 "$B" 6379 30 || fail "B's offset"
nsx $PY "$TOOL" wait "$A" 6379 "$K" "$KPORT" 30 || fail "the stock offset"
nsx $PY "$TOOL" compare "$A" 6379 "$B" 6379 || fail "A != B"
nsx $PY "$TOOL" compare "$A" 6379 "$K" "$KPORT" || fail "A != stock"
[ "$(info_field "$B" 6379 master_replid)" = "$(info_field "$A" 6379 master_replid)" ] ||
	fail "B's replid is not A's"

echo "== B's link killed: partial resync"
partial=$(info_field "$A" 6379 sync_partial_ok)
[ "$(rc "$B" client kill type master)" = 1 ] || fail "CLIENT KILL TYPE master"
nsx $PY "$TOOL" write "$A" 6379 2
wait_field "$B" 6379 master_link_status up 30
nsx $PY "$TOOL" wait "$A" 6379 "$K" "$KPORT" 30 || fail "the stock offset (2)"
# A's counters (INFO stats): one full sync served (B's first), one more
# +CONTINUE; B served the stock replica's full sync
[ "$(info_field "$A" 6379 sync_full)" = 1 ] ||
	fail "A's sync_full is $(info_field "$A" 6379 sync_full), not 1"
[ "$(info_field "$A" 6379 sync_partial_ok)" = $((partial + 1)) ] ||
	fail "A's sync_partial_ok did not increment"
[ "$(info_field "$B" 6379 sync_full)" = 1 ] ||
	fail "B's sync_full is $(info_field "$B" 6379 sync_full), not 1"
nsx $PY "$TOOL" compare "$A" 6379 "$B" 6379 || fail "A != B (2)"
nsx $PY "$TOOL" compare "$A" 6379 "$K" "$KPORT" || fail "A != stock (2)"

echo "== the stock server full-syncs from B again while A takes writes"
# B (itself a replica) serves an image at the offset where the master
# command behind its snapshot's last record ends: no command of A's stream
# applied twice or lost on the stock server
nsx $PY "$TOOL" write "$A" 6379 6 &
wpid=$!
sleep 1
[ "$(nsx redis-cli -h "$K" -p "$KPORT" replicaof no one)" = OK ] ||
	fail "REPLICAOF NO ONE on the stock server"
[ "$(nsx redis-cli -h "$K" -p "$KPORT" replicaof "$B" 6379)" = OK ] ||
	fail "REPLICAOF B on the stock server (2)"
wait "$wpid" || fail "writer (3)"
wait_field "$K" "$KPORT" master_link_status up 30
nsx $PY "$TOOL" wait "$A" 6379 "$K" "$KPORT" 30 || fail "the stock offset (3)"
[ "$(info_field "$B" 6379 sync_full)" = 2 ] ||
	fail "B's sync_full is $(info_field "$B" 6379 sync_full), not 2"
nsx $PY "$TOOL" compare "$A" 6379 "$B" 6379 || fail "A != B (3)"
nsx $PY "$TOOL" compare "$A" 6379 "$K" "$KPORT" || fail "A != stock (3)"

echo "== the primary's lag stamps (repl-lag-probe-ms)"
# A writes SET lp:stamp <unix ms> itself every 10 ms while it has a
# replica; B (a ferry replica with the same key) measures each from A's
# write; B, a replica, writes none of its own; the stock server just
# applies the SETs; 0 stops them
[ "$(rc "$A" config set repl-lag-probe-key lp:stamp)" = OK ] || fail "probe key on A"
[ "$(rc "$B" config set repl-lag-probe-key lp:stamp)" = OK ] || fail "probe key on B"
[ "$(rc "$B" config set repl-lag-probe-ms 10)" = OK ] || fail "probe ms on B"
[ "$(rc "$A" config set repl-lag-probe-ms 10)" = OK ] || fail "probe ms on A"
[ "$(rc "$A" config get repl-lag-probe-ms | tail -1)" = 10 ] || fail "CONFIG GET repl-lag-probe-ms"
[ "$(rc "$A" config set repl-lag-probe-ms -1 2>&1 | head -c 3)" = ERR ] ||
	fail "repl-lag-probe-ms -1 accepted"
# 50 stamps each (about 0.5 s at 10 ms), waited for up to 20 s: a count,
# not a rate (the box may be slow)
wait_field_min "$A" 6379 lag_probe_stamps_written 50 20
wait_field_min "$B" 6379 lag_probe_samples 50 20
[ "$(info_field "$B" 6379 lag_probe_stamps_written)" = 0 ] ||
	fail "B, a replica, wrote stamps"
[ "$(info_field "$B" 6379 lag_probe_rejected)" = 0 ] || fail "B rejected stamps"
[ "$(info_field "$B" 6379 lag_probe_p50_us)" -gt 0 ] || fail "B's p50 is 0"
v=$(nsx redis-cli -h "$K" -p "$KPORT" get lp:stamp)
$PY -c 'import sys, time; v = float(sys.argv[1]); sys.exit(0 if abs(time.time() * 1000 - v) < 10000 else 1)' "$v" ||
	fail "the stock replica's lp:stamp '$v' is not a stamp of now"
[ "$(rc "$A" config set repl-lag-probe-ms 0)" = OK ] || fail "probe ms 0"
sleep 0.3
w=$(info_field "$A" 6379 lag_probe_stamps_written)
sleep 0.5
[ "$(info_field "$A" 6379 lag_probe_stamps_written)" = "$w" ] ||
	fail "stamps still written with repl-lag-probe-ms 0"
nsx $PY "$TOOL" wait "$A" 6379 "$K" "$KPORT" 30 || fail "the stock offset (4)"
nsx $PY "$TOOL" compare "$A" 6379 "$B" 6379 || fail "A != B (4)"
nsx $PY "$TOOL" compare "$A" 6379 "$K" "$KPORT" || fail "A != stock (4)"
echo "PASS"
