#!/usr/bin/env bash
# repl.sh -- replication, primary side, end to end: ferryd as the master of
# a stock redis-server 7.0.15 replica, in a network namespace of its own.
#
#   tests/integration/repl.sh FERRYD CASE   (CASE: sync psync gap wait rdb)
#
# ferryd runs in namespace pr-CASE-PID over a net_tap (ferry .2, the
# kernel side .1 of 198.18.2X.0/24, X by case); the replica (redis-server
# bound to .1, port 7001) and the clients run on the kernel side.  Cleanup
# on any exit: processes killed by PID, namespace deleted.
#   sync   full sync while 4 clients write (INCR APPEND LPUSH SADD ZINCRBY
#          HINCRBY EXPIRE DEL, MULTI/EXEC), 2 data cores; offsets meet and
#          every key is equal (type, value, TTL)
#   psync  the replica's link killed mid-load (CLIENT KILL TYPE replica):
#          partial resync (+CONTINUE), no second full sync, data equal;
#          the replica promoted and re-attached: full sync (its new replid)
#   gap    the link killed while the replica is stopped and more than the
#          16 KiB repl-backlog-size is written: PSYNC refused, full sync,
#          data equal
#   wait   WAIT / min-replicas with the replica stopped (SIGSTOP):
#          -NOREPLICAS, WAIT's timeout reply, INFO fields; and resumed
#   rdb    redis-cli --rdb FILE against ferryd; redis-check-rdb accepts it;
#          redis-cli --replica logs the stream after its SYNC
set -euo pipefail

FERRYD=$(readlink -f "$1")
CASE=$2
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
NETNS="$ROOT/tools/netns.sh"
PY=/usr/bin/python3
CHECK="$HERE/repl_check.py"
case $CASE in
sync) NET=20 ;; psync) NET=21 ;; wait) NET=22 ;; rdb) NET=23 ;; gap) NET=24 ;;
*) echo "unknown case $CASE" >&2; exit 2 ;;
esac
NS="pr-$CASE-$$"
IFACE="pr$$"
IFACE=${IFACE:0:15}
HOST=198.18.$NET.2
KHOST=198.18.$NET.1
PORT=6379
RPORT=7001
export FERRY_RUNDIR=$(mktemp -d /tmp/ferry-repl.XXXXXX)
LOG="$FERRY_RUNDIR/$NS.log"
RLOG="$FERRY_RUNDIR/replica.log"
RPID=""

cleanup() {
	local rc=$?
	if [ -n "$RPID" ]; then
		kill -CONT "$RPID" 2>/dev/null || true
		kill "$RPID" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$RPID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$RPID" 2>/dev/null || true
	fi
	"$NETNS" down "$NS" || true
	if [ $rc -ne 0 ]; then
		echo "---- ferryd log ----"; tail -n 40 "$LOG" 2>/dev/null || true
		echo "---- replica log ----"; tail -n 40 "$RLOG" 2>/dev/null || true
	fi
	rm -rf "$FERRY_RUNDIR" "/var/run/dpdk/$NS"
	exit $rc
}
trap cleanup EXIT
trap 'exit 143' TERM INT

fail() { echo "FAIL: $*" >&2; exit 1; }
nsx() { ip netns exec "$NS" "$@"; }
fcli() { nsx redis-cli -h "$HOST" -p "$PORT" "$@"; }
rcli() { nsx redis-cli -h "$KHOST" -p "$RPORT" "$@"; }

start() { # LCORES [ferry options]
	local lcores=$1; shift
	"$NETNS" up "$NS" "$KHOST/24" "$FERRYD" \
		-l "$lcores" --no-huge -m 1024 --no-pci --file-prefix "$NS" \
		--vdev "net_tap0,iface=$IFACE" -- \
		--addr "$HOST/24" --port "$PORT" "$@"
	"$NETNS" wait "$NS" "$HOST" "$PORT" 30
}

start_replica() { # [replicaof]
	local extra=()
	[ "${1:-}" = replicaof ] && extra=(--replicaof "$HOST" "$PORT")
	# RPID must be redis-server itself (SIGSTOP, cleanup): its pidfile
	nsx redis-server --port "$RPORT" --bind "$KHOST" \
		--protected-mode no --save "" --appendonly no \
		--dir "$FERRY_RUNDIR" --dbfilename replica.rdb \
		--pidfile "$FERRY_RUNDIR/replica.pid" \
		--logfile "$RLOG" "${extra[@]}" </dev/null >/dev/null 2>&1 &
	for _ in $(seq 1 50); do
		if [ "$(rcli ping 2>/dev/null)" = PONG ] &&
		   [ -s "$FERRY_RUNDIR/replica.pid" ]; then
			RPID=$(cat "$FERRY_RUNDIR/replica.pid")
			return 0
		fi
		sleep 0.1
	done
	fail "replica did not start"
}

finfo() { fcli info replication | tr -d '\r'; }
rinfo() { rcli info replication | tr -d '\r'; }
field() { grep "^$1:" | head -1 | cut -d: -f2-; }
# the master's own counters (INFO stats): full syncs served, +CONTINUE
# answers, PSYNC <id> <off> refused
fstat() { fcli info stats | tr -d '\r' | field "$1"; }
full_syncs() { fstat sync_full; }
partial_syncs() { fstat sync_partial_ok; }

t_sync() {
	start 0-1 --data-cores 2
	start_replica
	nsx timeout 300 "$PY" "$CHECK" sync-under-load "$HOST:$PORT" "$KHOST:$RPORT" 8 ||
		fail "sync under load"
	[ "$(full_syncs)" = 1 ] || fail "expected one full sync, INFO says $(full_syncs)"
	finfo | grep -q "^slave0:ip=$KHOST,port=$RPORT,state=online," ||
		fail "INFO slave0: $(finfo)"
	[ "$(fcli role | head -1)" = master ] || fail "ROLE"
}

t_psync() {
	start 0 --repl-backlog-size 16mb
	start_replica replicaof
	nsx "$PY" "$CHECK" wait-synced "$HOST:$PORT" "$KHOST:$RPORT" || fail "first sync"
	[ "$(full_syncs)" = 1 ] || fail "first sync not full"
	# kill the link while clients write: the replica continues
	nsx timeout 120 "$PY" "$CHECK" load "$HOST:$PORT" 4 >/dev/null &
	local load=$!
	sleep 1
	[ "$(fcli client kill type replica)" -ge 1 ] || fail "CLIENT KILL TYPE replica"
	wait $load || fail "load"
	nsx "$PY" "$CHECK" wait-synced "$HOST:$PORT" "$KHOST:$RPORT" || fail "resync"
	[ "$(partial_syncs)" -ge 1 ] || fail "no partial resync after the kill"
	[ "$(full_syncs)" = 1 ] || fail "a second full sync after the kill"
	nsx "$PY" "$CHECK" compare "$HOST:$PORT" "$KHOST:$RPORT" || fail "data after psync"
	# promoted and re-attached: it asks with its new replid, unknown to
	# ferryd (Redis answers the same): a full sync, data equal
	rcli replicaof no one >/dev/null
	fcli set after-promotion 1 >/dev/null
	rcli replicaof "$HOST" "$PORT" >/dev/null
	nsx "$PY" "$CHECK" wait-synced "$HOST:$PORT" "$KHOST:$RPORT" || fail "re-attach"
	[ "$(full_syncs)" = 2 ] || fail "re-attach: $(full_syncs) full syncs"
	nsx "$PY" "$CHECK" compare "$HOST:$PORT" "$KHOST:$RPORT" || fail "data after full"
}

t_gap() {
	start 0 --repl-backlog-size 16384
	start_replica replicaof
	nsx "$PY" "$CHECK" wait-synced "$HOST:$PORT" "$KHOST:$RPORT" || fail "first sync"
	# the replica is stopped while its link is killed and far more than
	# 16 KiB of stream are written; resumed, it asks to continue from a
	# byte the backlog no longer has: full sync
	kill -STOP "$RPID"
	[ "$(fcli client kill type replica)" -ge 1 ] || fail "CLIENT KILL TYPE replica"
	nsx timeout 120 "$PY" "$CHECK" load "$HOST:$PORT" 2 >/dev/null || fail "load"
	kill -CONT "$RPID"
	nsx "$PY" "$CHECK" wait-synced "$HOST:$PORT" "$KHOST:$RPORT" || fail "resync"
	[ "$(full_syncs)" = 2 ] || fail "expected a second full sync, got $(full_syncs) in all"
	grep -q "Trying a partial resynchronization" "$RLOG" || fail "the replica did not try PSYNC"
	[ "$(fstat sync_partial_err)" -ge 1 ] || fail "sync_partial_err $(fstat sync_partial_err)"
	nsx "$PY" "$CHECK" compare "$HOST:$PORT" "$KHOST:$RPORT" || fail "data after full"
}

# good_slaves_wait N: INFO's min_slaves_good_slaves reads N within 15 s
good_slaves_wait() {
	for _ in $(seq 1 150); do
		finfo | grep -q "^min_slaves_good_slaves:$1$" && return 0
		sleep 0.1
	done
	return 1
}

t_wait() {
	start 0
	start_replica replicaof
	nsx "$PY" "$CHECK" wait-synced "$HOST:$PORT" "$KHOST:$RPORT" || fail "sync"
	fcli config set min-replicas-to-write 1 >/dev/null
	fcli config set min-replicas-max-lag 2 >/dev/null
	[ "$(fcli set a 1)" = OK ] || fail "write with a good replica"
	finfo | grep -q "^min_slaves_good_slaves:1$" || fail "good 1: $(finfo)"
	[ "$(printf 'SET w 1\r\nWAIT 1 5000\r\n' | fcli | tail -1)" = 1 ] || fail "WAIT 1"
	kill -STOP "$RPID"
	# its last ACK ages past max-lag (2 s); the count is refreshed once a
	# second (replicationCron's pace): wait for it, up to 15 s
	good_slaves_wait 0 || fail "good 0 after 15 s: $(finfo)"
	[ "$(fcli set a 2)" = "NOREPLICAS Not enough good replicas to write." ] ||
		fail "NOREPLICAS: $(fcli set a 2)"
	[ "$(fcli get a)" = 1 ] || fail "reads still work"
	finfo | grep -q "^min_slaves_good_slaves:0$" || fail "good 0: $(finfo)"
	fcli config set min-replicas-to-write 0 >/dev/null
	local t0=$(date +%s%N)
	[ "$(printf 'SET w 2\r\nWAIT 1 700\r\n' | fcli | tail -1)" = 0 ] || fail "WAIT timeout"
	local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ $ms -ge 650 ] || fail "WAIT returned after $ms ms"
	kill -CONT "$RPID"
	[ "$(printf 'SET w 3\r\nWAIT 1 10000\r\n' | fcli | tail -1)" = 1 ] || fail "WAIT after resume"
	fcli config set min-replicas-to-write 1 >/dev/null
	good_slaves_wait 1 || fail "good 1 after resume: $(finfo)"
	[ "$(fcli set a 3)" = OK ] || fail "write after resume"
	nsx "$PY" "$CHECK" wait-synced "$HOST:$PORT" "$KHOST:$RPORT" || fail "sync after resume"
}

t_rdb() {
	start 0
	for i in $(seq 1 200); do echo "SET k$i v$i"; done | fcli >/dev/null
	fcli rpush l a b c >/dev/null
	fcli set t x ex 1000 >/dev/null
	nsx timeout 60 redis-cli -h "$HOST" -p "$PORT" --rdb "$FERRY_RUNDIR/dump.rdb" >/dev/null ||
		fail "redis-cli --rdb"
	redis-check-rdb "$FERRY_RUNDIR/dump.rdb" | grep -q "RDB looks OK" ||
		fail "redis-check-rdb: $(redis-check-rdb "$FERRY_RUNDIR/dump.rdb")"
	redis-check-rdb "$FERRY_RUNDIR/dump.rdb" | grep -q "202 keys read" ||
		fail "redis-check-rdb does not count 202 keys"
	# redis-cli --replica: SYNC, the RDB skipped, then the stream printed
	nsx timeout 8 redis-cli -h "$HOST" -p "$PORT" --replica \
		>"$FERRY_RUNDIR/replica.out" 2>&1 &
	local rp=$!
	for _ in $(seq 1 50); do
		grep -q "Logging commands from master" "$FERRY_RUNDIR/replica.out" && break
		sleep 0.1
	done
	fcli set after-sync x >/dev/null
	fcli incr after-count >/dev/null
	for _ in $(seq 1 50); do
		grep -q '"incr","after-count"' "$FERRY_RUNDIR/replica.out" && break
		sleep 0.1
	done
	kill "$rp" 2>/dev/null || true
	wait "$rp" 2>/dev/null || true
	grep -q '"set","after-sync","x"' "$FERRY_RUNDIR/replica.out" &&
		grep -q '"incr","after-count"' "$FERRY_RUNDIR/replica.out" ||
		fail "redis-cli --replica did not log the stream: $(cat "$FERRY_RUNDIR/replica.out")"
}

"t_$CASE"
echo "PASS: repl $CASE"
