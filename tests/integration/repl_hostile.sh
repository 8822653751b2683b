#!/usr/bin/env bash
# repl_hostile.sh -- hostile replication peers over the network.
#
#   tests/integration/repl_hostile.sh FERRYD
#
# Namespace fh-PID: ferryd F at 198.18.35.2 on a net_tap interface (kernel
# side 198.18.35.1/24).  repl_hostile.py plays the peers:
#   1. a fake replica against F as a master: bad PSYNC / REPLCONF
#      arguments (Redis's errors), protocol garbage after PSYNC (link
#      dropped), huge / negative / malformed ACK offsets, replicas that
#      close in the middle of the RDB ($EOF: and $len): F keeps serving,
#      its data unchanged, no replica left registered;
#   2. a fake master (198.18.35.1:6393) that F replicates, one connection
#      per scenario: a good full sync, then a truncated RDB, a bad CRC
#      (F drops the link and keeps its data and replid: the next PSYNC
#      still offers the old id), a stream with an unknown command (ignored,
#      as Redis) and then protocol garbage (link dropped, data kept), and a
#      100,000-key RDB sent in two halves (in between F serves its old
#      keyspace, INFO shows the transfer; then the new keyspace).
# Cleanup (always): processes killed by PID, the namespace deleted.
set -euo pipefail

FERRYD=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
TOOL="$HERE/repl_hostile.py"
F=198.18.35.2
K=198.18.35.1
MPORT=6393
. "$HERE/repl_lib.sh"
rl_setup "fh-$$" "fh$$"
rc() { nsx timeout 20 redis-cli -h "$F" -p 6379 "$@"; }
field() { info_field "$F" 6379 "$1"; }
alive() {
	kill -0 "$FPID" 2>/dev/null || fail "ferryd died"
	[ "$(rc ping)" = PONG ] || fail "ferryd does not answer"
}

start_ferryd f "$F" "$K"
FPID=${PIDS[-1]}
alive

echo "== 1. fake replicas against ferryd as a master"
nsx timeout 120 $PY "$TOOL" replica "$F" 6379 || fail "fake replica"
alive

echo "== 2. a fake master"
scenario() { # NAME
	nsx timeout 60 $PY "$TOOL" master "$K" "$MPORT" "$1" "$F" 6379 &
	local mpid=$!
	PIDS+=($mpid)
	wait "$mpid" || fail "fake master scenario $1"
	alive
}
[ "$(rc replicaof "$K" "$MPORT")" = OK ] || fail "REPLICAOF the fake master"
scenario full
[ "$(rc get foo)" = bar ] || fail "foo after the full sync"
[ "$(rc get k1)" = v ] || fail "k1 from the stream"
[ "$(rc dbsize)" = 4 ] || fail "DBSIZE $(rc dbsize) after the full sync"
for s in truncated badcrc; do
	scenario "$s"
	[ "$(rc dbsize)" = 4 ] || fail "DBSIZE $(rc dbsize) after $s"
	[ "$(rc get foo)" = bar ] || fail "foo after $s"
	[ "$(field master_replid)" = aa46aa46aa46aa46aa46aa46aa46aa46aa46aa46 ] ||
		fail "replid after $s: $(field master_replid)"
done
scenario stream
[ "$(rc get k2)" = v2 ] || fail "k2 after the hostile stream"
[ "$(rc dbsize)" = 5 ] || fail "DBSIZE $(rc dbsize) after the hostile stream"
[ "$(field master_link_status)" = down ] || fail "link still up after garbage"
scenario slowbig
[ "$(rc dbsize)" = 100000 ] || fail "DBSIZE $(rc dbsize) after the big image"
[ "$(rc replicaof no one)" = OK ] || fail "REPLICAOF NO ONE"
rc set after 1 >/dev/null
[ "$(rc get after)" = 1 ] || fail "writes after promotion"
echo "PASS"
