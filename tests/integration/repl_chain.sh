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
# partially and the chain stays equal.
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
echo "PASS"
