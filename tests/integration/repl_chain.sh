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
NS="fc-$$"
A=198.18.31.2
B=198.18.32.2
K=198.18.31.1
KPORT=6391
RUN=$(mktemp -d /tmp/ferry-chain.XXXXXX)
PIDS=()

cleanup() {
	local rc=$?
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		for _ in $(seq 1 100); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null || true
	done
	if [ $rc -ne 0 ]; then
		for f in "$RUN"/*.log; do
			echo "---- $f ----"
			grep -v '^EAL\|qdisc\|eth_dev_tap' "$f" | tail -n 30 || true
		done
	fi
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$RUN" "/var/run/dpdk/$NS-a" "/var/run/dpdk/$NS-b"
	exit $rc
}
trap cleanup EXIT
trap 'exit 143' TERM INT

fail() { echo "FAIL: $*" >&2; exit 1; }
nsx() { ip netns exec "$NS" "$@"; }
rc() { local h=$1; shift; nsx timeout 20 redis-cli -h "$h" -p 6379 "$@"; }
info_field() { # HOST PORT FIELD
	nsx timeout 20 redis-cli -h "$1" -p "$2" info all | tr -d '\r' |
		awk -F: -v f="$3" '$1 == f && !n++ { print $2 }'
}
wait_field() { # HOST PORT FIELD VALUE SECONDS
	for _ in $(seq 1 $(($5 * 10))); do
		[ "$(info_field "$1" "$2" "$3")" = "$4" ] && return 0
		sleep 0.1
	done
	fail "$3 of $1:$2 is '$(info_field "$1" "$2" "$3")', not '$4' after $5 s"
}

ip netns add "$NS"
ip -n "$NS" link set lo up
nsx sysctl -qw net.ipv4.ip_forward=1

start_ferryd() { # NAME ADDR KERNEL-SIDE [ferry options]
	local name=$1 addr=$2 kside=$3 tap="fc$$$1"
	shift 3
	tap=${tap:0:15}
	ip netns exec "$NS" "$FERRYD" -l 0 --no-huge -m 512 --no-pci \
		--file-prefix "$NS-$name" --vdev "net_tap0,iface=$tap" -- \
		--addr "$addr/24" --gateway "$kside" --port 6379 "$@" \
		>"$RUN/ferryd-$name.log" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 1 200); do
		ip -n "$NS" link show "$tap" >/dev/null 2>&1 && break
		kill -0 "${PIDS[-1]}" || fail "ferryd $name exited"
		sleep 0.1
	done
	ip -n "$NS" addr add "$kside/24" dev "$tap"
	ip -n "$NS" link set "$tap" up
	for _ in $(seq 1 200); do
		[ "$(rc "$addr" ping 2>/dev/null)" = PONG ] && return 0
		sleep 0.1
	done
	fail "ferryd $name does not answer"
}

start_ferryd a "$A" 198.18.31.1
ip netns exec "$NS" redis-server --bind "$K" --port "$KPORT" --save "" \
	--appendonly no --protected-mode no --dir "$RUN" \
	--logfile "$RUN/redis.log" --daemonize no </dev/null >/dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
	[ "$(nsx redis-cli -h "$K" -p "$KPORT" ping 2>/dev/null)" = PONG ] && break
	sleep 0.1
done

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
