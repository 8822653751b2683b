#!/usr/bin/env bash
# repl_replica.sh -- ferryd as a replica of a stock redis-server 7.0.15.
#
#   tests/integration/repl_replica.sh FERRYD
#
# Namespace fr-PID: a net_tap interface (kernel side 198.18.30.1/24, ferryd
# 198.18.30.2:6379); the stock redis-server runs on the kernel side of the
# namespace (198.18.30.1:6390) as the master.  Steps:
#   1. the master holds every type and encoding (big and small lists,
#      hashes, intset and string sets, zsets, LZF strings, TTLs, db 0 and
#      3; rdbcompression yes, disk-based sync: "$len" framing);
#   2. REPLICAOF on ferryd while a writer keeps writing to the master;
#      offsets equal, every key equal (type, value, TTL within 2 s);
#   3. writes to ferryd get -READONLY; ROLE / INFO say slave, link up;
#   4. CLIENT KILL TYPE master on ferryd: partial resync (the master's
#      sync_partial_ok + 1, sync_full unchanged), data equal after more
#      writes;
#   5. REPLICAOF NO ONE: master_replid2 = the old id, writes accepted;
#   6. REPLICAOF again with diskless sync ("$EOF:" framing) and
#      masteruser/masterauth (a wrong password keeps the link down): full
#      sync, data equal.
# REPL_LCORES=0-1 runs ferryd with two data cores (the link stays on
# core 0; REPLICAOF may arrive on either).
# Cleanup (always): ferryd and redis-server killed by PID, namespace
# deleted.  Exit 0 = pass.
set -euo pipefail

FERRYD=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
NETNS="$ROOT/tools/netns.sh"
PY=/usr/bin/python3
TOOL="$HERE/repl_tool.py"
NS="fr-$$"
IFACE="fr$$"
IFACE=${IFACE:0:15}
HOST=198.18.30.2
PORT=6379
MHOST=198.18.30.1
MPORT=6390
export FERRY_RUNDIR=$(mktemp -d /tmp/ferry-repl.XXXXXX)
LOG="$FERRY_RUNDIR/$NS.log"
RPID=""
WPID=""

cleanup() {
	local rc=$?
	[ -n "$WPID" ] && kill "$WPID" 2>/dev/null || true
	if [ -n "$RPID" ]; then
		kill "$RPID" 2>/dev/null || true
		for _ in $(seq 1 50); do
			kill -0 "$RPID" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$RPID" 2>/dev/null || true
	fi
	"$NETNS" down "$NS" || true
	if [ $rc -ne 0 ]; then
		echo "---- ferryd log ($LOG) ----"
		tail -n 60 "$LOG" 2>/dev/null || true
		echo "---- redis-server log ----"
		tail -n 40 "$FERRY_RUNDIR/redis.log" 2>/dev/null || true
	fi
	rm -rf "$FERRY_RUNDIR" "/var/run/dpdk/$NS"
	exit $rc
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# fail, nsx, info_field, wait_field (its own set-up and cleanup: netns.sh)
. "$HERE/repl_lib.sh"
cli() { nsx timeout 20 redis-cli -h "$HOST" -p "$PORT" "$@"; }
mcli() { nsx timeout 20 redis-cli -h "$MHOST" -p "$MPORT" "$@"; }

# a bad --replicaof is a bad command line (exit 2, before the EAL)
for bad in "nonsense" "198.18.30.1 99999" "198.18.30.1"; do
	rc=0
	timeout 20 "$FERRYD" --no-huge -- --addr "$HOST/24" --replicaof "$bad" \
		>/dev/null 2>&1 || rc=$?
	[ "$rc" = 2 ] || fail "--replicaof '$bad' exited $rc, not 2"
done

# ferryd (creates the tap), then the stock master on the kernel side
"$NETNS" up "$NS" "$MHOST/24" "$FERRYD" \
	-l "${REPL_LCORES:-0}" --no-huge -m 1024 --no-pci --file-prefix "$NS" \
	--vdev "net_tap0,iface=$IFACE" -- --addr "$HOST/24" --port "$PORT"
"$NETNS" wait "$NS" "$HOST" "$PORT" 30
mkdir -p "$FERRY_RUNDIR/redis"
# ip netns exec execs redis-server: $! is its PID (killed by PID above)
ip netns exec "$NS" redis-server --bind "$MHOST" --port "$MPORT" --save "" \
	--appendonly no --dir "$FERRY_RUNDIR/redis" --rdbcompression yes \
	--protected-mode no \
	--repl-diskless-sync no --repl-ping-replica-period 1 \
	--logfile "$FERRY_RUNDIR/redis.log" --daemonize no </dev/null \
	>/dev/null 2>&1 &
RPID=$!
for _ in $(seq 1 100); do
	[ "$(mcli ping 2>/dev/null)" = PONG ] && break
	sleep 0.1
done
[ "$(mcli ping 2>&1)" = PONG ] || fail "redis-server did not start: $(mcli ping 2>&1)"

echo "== 1. populate the master"
nsx $PY "$TOOL" populate "$MHOST" "$MPORT"

echo "== 2. REPLICAOF while writing"
nsx $PY "$TOOL" write "$MHOST" "$MPORT" 6 &
WPID=$!
sleep 0.5
[ "$(cli replicaof "$MHOST" "$MPORT")" = OK ] || fail "REPLICAOF"
[ "$(cli replicaof "$MHOST" "$MPORT")" = "OK Already connected to specified master" ] ||
	fail "REPLICAOF again"
wait_field "$HOST" "$PORT" master_link_status up 30
wait "$WPID" || fail "writer"
WPID=""
nsx $PY "$TOOL" wait "$MHOST" "$MPORT" "$HOST" "$PORT" 30 ||
	fail "offsets after the full sync"
nsx $PY "$TOOL" compare "$MHOST" "$MPORT" "$HOST" "$PORT" ||
	fail "data after the full sync"
[ "$(info_field "$MHOST" "$MPORT" sync_full)" = 1 ] || fail "sync_full != 1"
[ "$(info_field "$HOST" "$PORT" master_replid)" = \
  "$(info_field "$MHOST" "$MPORT" master_replid)" ] || fail "replid differs"

echo "== 3. read-only replica"
out=$(cli set x 1)
[ "$out" = "READONLY You can't write against a read only replica." ] ||
	fail "write to the replica: '$out'"
role=$(cli role)
[ "${role%%$'\n'*}" = slave ] || fail "ROLE: $role"

echo "== 4. partial resync after CLIENT KILL TYPE master"
partial=$(info_field "$MHOST" "$MPORT" sync_partial_ok)
nsx $PY "$TOOL" write "$MHOST" "$MPORT" 4 &
WPID=$!
sleep 1
[ "$(cli client kill type master)" = 1 ] || fail "CLIENT KILL TYPE master"
wait "$WPID" || fail "writer"
WPID=""
wait_field "$HOST" "$PORT" master_link_status up 30
nsx $PY "$TOOL" wait "$MHOST" "$MPORT" "$HOST" "$PORT" 30 ||
	fail "offsets after the partial resync"
[ "$(info_field "$MHOST" "$MPORT" sync_partial_ok)" = $((partial + 1)) ] ||
	fail "sync_partial_ok did not increment"
[ "$(info_field "$MHOST" "$MPORT" sync_full)" = 1 ] ||
	fail "a full sync instead of a partial one"
nsx $PY "$TOOL" compare "$MHOST" "$MPORT" "$HOST" "$PORT" ||
	fail "data after the partial resync"

echo "== 5. REPLICAOF NO ONE"
oldid=$(info_field "$HOST" "$PORT" master_replid)
[ "$(cli replicaof no one)" = OK ] || fail "REPLICAOF NO ONE"
[ "$(info_field "$HOST" "$PORT" role)" = master ] || fail "role after NO ONE"
[ "$(info_field "$HOST" "$PORT" master_replid2)" = "$oldid" ] ||
	fail "master_replid2 is not the old id"
[ "$(cli set promoted yes)" = OK ] || fail "write after promotion"

echo "== 6. full sync again, diskless (\$EOF: framing), AUTH user pass"
mcli config set repl-diskless-sync yes >/dev/null
mcli config set repl-diskless-sync-delay 0 >/dev/null
[ "$(mcli acl setuser repl on '>secret' '~*' '&*' '+@all')" = OK ] ||
	fail "ACL SETUSER"
cli config set masteruser repl >/dev/null
cli config set masterauth wrong >/dev/null
[ "$(cli replicaof "$MHOST" "$MPORT")" = OK ] || fail "REPLICAOF again"
sleep 2
[ "$(info_field "$HOST" "$PORT" master_link_status)" = down ] ||
	fail "link up with a wrong masterauth"
grep -q "unable to AUTH to MASTER" "$LOG" || fail "no AUTH error logged"
cli config set masterauth secret >/dev/null
wait_field "$HOST" "$PORT" master_link_status up 30
[ "$(info_field "$MHOST" "$MPORT" sync_full)" = 2 ] || fail "sync_full != 2"
nsx $PY "$TOOL" wait "$MHOST" "$MPORT" "$HOST" "$PORT" 30 ||
	fail "offsets after the diskless sync"
nsx $PY "$TOOL" compare "$MHOST" "$MPORT" "$HOST" "$PORT" ||
	fail "data after the diskless sync"
[ -z "$(cli get promoted)" ] || fail "the full sync kept a key of ours"
kill -0 "$(cat "$FERRY_RUNDIR/$NS.pid")" || fail "ferryd died"
echo "PASS"
