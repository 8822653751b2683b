#!/usr/bin/env bash
# geo_partition.sh -- replication across emulated regions (tools/geo.sh):
# a 35 ms one-way link under a steady write load, a partition shorter than
# the backlog (partial resync), and one longer than the backlog (full
# resync); every key compared after each.
#
#   tests/integration/geo_partition.sh [--regions 2|3] FERRYD FERRY-LINKEMU
#
# Call chain: this script -> tools/geo.sh --name gp up (in the background,
# SIGTERMed by PID at the end and on failure: it removes its namespaces
# gp-a, gp-b, gp-c, gp-x1, gp-x2 and its processes) -> ferryd in each
# region over net_tap, ferry-linkemu between A and each replica region;
# clients: geo_partition.py (load, flood, dump, compare, lag),
# tools/geo_watch.py (lag samples), tools/linkemu/lectl.py (partition).
#
# ferryd is started through a wrapper that appends --repl-backlog-size 2mb
# (geo.sh passes no ferryd options): a backlog that a partition of a few
# seconds under the steady load (~1000 commands/s, ~40 KB/s of stream)
# stays far inside, even if the shared box stalls for a while.  Then on A
# repl-ping-replica-period 1 (an idle master still feeds its replicas) and
# repl-timeout 10 on every region (a cut link is noticed quickly, a
# shared box that stalls a few seconds does not drop a link).
#
#   1. 35 ms each way (issue 4, test 6): 4 connections of INCR, APPEND,
#      LPUSH, HINCRBY, SADD, EXPIRE for ~12 s while geo_watch.py stamps on
#      A and watches on B; INFO replication on A lists every replica online
#      with its offset and lag; after the load each replica reaches A's
#      offset within 30 s; geo_watch's lag p50 is within 35..535 ms (never
#      below the one-way delay: nothing is early; the upper bound only
#      says the stream flows, not a speed -- the box is shared, the build
#      may be ASan's), and so is the p50 of B's own lag probe
#      (repl-lag-probe-key, every stamp accepted);
#      every key equal (type, value, TTL within 5 s).
#   2. Partition A<->B (both directions) during the load, until B notices
#      (repl-timeout) and 2 s more: B's link comes back with a partial
#      resync -- while the cut lasts A drops B from INFO replication
#      once repl-timeout passes without an ACK (Redis: "Disconnecting
#      timedout replica"; bounded at 6x repl-timeout from the cut), and
#      afterwards lists each replica once;
#      A's INFO stats sync_partial_ok grows, sync_full does not,
#      and B's log says "partial resynchronization" and no "full resync";
#      keys equal.  With 3 regions, C's link stays up throughout and C
#      logs no new sync.
#   3. CONFIG SET repl-backlog-size 64kb on A (ferry keeps an existing
#      backlog's size, so the flood below is sized from INFO's
#      repl_backlog_size, whatever it says), cut A<->C (A<->B with 2
#      regions), write 2x the backlog during the cut: the replica's PSYNC
#      falls outside the backlog and ends in a full resync (sync_full
#      grows, "full resync" in its log); keys equal.  With 3 regions B is
#      unaffected (link up throughout, no new sync).
#
# Addresses are geo.sh's (198.18.51-54.0/24, 198.18.61-63.0/24) inside
# the gp-* namespaces only.  Needs root, iproute2, redis-tools,
# python3-redis.
set -euo pipefail

REGIONS=3
while [ $# -gt 0 ]; do
	case $1 in
	--regions) REGIONS=$2; shift 2 ;;
	-*) echo "geo_partition.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 2 ] || { echo "usage: geo_partition.sh [--regions 2|3] FERRYD FERRY-LINKEMU" >&2; exit 2; }
case $REGIONS in 2|3) ;; *) echo "geo_partition.sh: --regions 2 or 3" >&2; exit 2 ;; esac
FERRYD=$(readlink -f "$1")
EMU=$(readlink -f "$2")
[ -x "$FERRYD" ] || { echo "no ferryd at $1" >&2; exit 2; }
[ -x "$EMU" ] || { echo "no ferry-linkemu at $2" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
GP="$PY $HERE/geo_partition.py"
LECTL="$PY $ROOT/tools/linkemu/lectl.py"
WATCH="$PY $ROOT/tools/geo_watch.py"
NAME=gp
LETTERS=(a b c)
BACKLOG=2mb
TIMEOUT_S=10
RATE=1000

export FERRY_RUNDIR=$(mktemp -d /tmp/gp-part.XXXXXX)
GEO_PID=""
BG=()		# our background clients

cleanup() {
	local rc=$? p i ns
	trap - EXIT INT TERM
	for p in "${BG[@]}"; do kill "$p" 2>/dev/null || true; done
	if [ -n "$GEO_PID" ] && kill -0 "$GEO_PID" 2>/dev/null; then
		kill -TERM "$GEO_PID" 2>/dev/null || true
		for i in $(seq 1 600); do
			kill -0 "$GEO_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$GEO_PID" 2>/dev/null && kill -KILL "$GEO_PID" 2>/dev/null
		wait "$GEO_PID" 2>/dev/null || true
	fi
	# geo.sh removed them; if it could not, do it here (ferryd by the PID
	# netns.sh recorded)
	for ns in $NAME-a $NAME-b $NAME-c $NAME-x1 $NAME-x2; do
		if ip netns list | awk '{ print $1 }' | grep -qxF "$ns"; then
			echo "geo_partition.sh: $ns left behind; removing it" >&2
			[ -f "$FERRY_RUNDIR/$ns.pid" ] &&
				kill -KILL "$(cat "$FERRY_RUNDIR/$ns.pid")" 2>/dev/null
			ip netns del "$ns" 2>/dev/null || true
			[ $rc -eq 0 ] && rc=1
		fi
	done
	if [ $rc -ne 0 ]; then
		for f in "$FERRY_RUNDIR"/geo.out "$FERRY_RUNDIR"/*.log; do
			[ -f "$f" ] && { echo "---- $f"; tail -n 25 "$f"; }
		done
	fi
	rm -rf "$FERRY_RUNDIR"
	exit $rc
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

fail() { echo "FAIL: $*" >&2; exit 1; }
say() { printf '\n== %s\n' "$*"; }
ns_of() { echo "$NAME-${LETTERS[$1]}"; }
addr_of() { echo "198.18.$((51 + $1)).2"; }
hp() { echo "$(addr_of "$1"):6379"; }
nsx() { local i=$1; shift; ip netns exec "$(ns_of "$i")" "$@"; }
cli() { # REGION (both the client's and the server's) ARGS...
	local i=$1; shift
	nsx "$i" timeout 10 redis-cli -h "$(addr_of "$i")" -p 6379 "$@"
}
info_field() { # REGION SECTION FIELD
	cli "$1" info "$2" 2>/dev/null | tr -d '\r' |
		awk -F: -v f="$3" '$1 == f { print $2 }'
}
offset_of() { # REGION: master_repl_offset on A, slave_repl_offset elsewhere
	if [ "$1" = 0 ]; then info_field 0 replication master_repl_offset
	else info_field "$1" replication slave_repl_offset; fi
}
link_of() { info_field "$1" replication master_link_status; }
sock_of() { echo "/tmp/$NAME-x$1.sock"; }	# the link A<->region i
partition() { # REGION on|off
	$LECTL "$(sock_of "$1")" "partition $2" >/dev/null ||
		fail "lectl partition $2 on link A<->${LETTERS[$1]^^}"
}
# the replica's own log (netns.sh: $FERRY_RUNDIR/NS.log)
log_count() { grep -c "$2" "$FERRY_RUNDIR/$(ns_of "$1").log" || true; }
partials() { log_count "$1" "replica: partial resynchronization from"; }
fulls() { log_count "$1" "replica: full resync from"; }
drops() { log_count "$1" "replica: link to .* dropped"; }

wait_link() { # REGION up|down SECONDS
	local t
	for t in $(seq 1 $(($3 * 5))); do
		[ "$(link_of "$1")" = "$2" ] && return 0
		sleep 0.2
	done
	fail "region ${LETTERS[$1]^^}'s master link is not $2 after $3 s"
}

# Each replica's link is up and it reaches the offset A had when this was
# called (call it when the writers stopped).
wait_caught_up() { # SECONDS
	local want i t o t0
	for i in $(seq 1 $((REGIONS - 1))); do wait_link "$i" up "$1"; done
	want=$(offset_of 0)
	[ -n "$want" ] || fail "no master_repl_offset on A"
	t0=$(date +%s%N)
	for i in $(seq 1 $((REGIONS - 1))); do
		for t in $(seq 1 $(($1 * 5))); do
			o=$(offset_of "$i")
			[ -n "$o" ] && [ "$o" -ge "$want" ] && break
			sleep 0.2
		done
		[ -n "$o" ] && [ "$o" -ge "$want" ] ||
			fail "region ${LETTERS[$i]^^} at offset ${o:-?}, A at $want, after $1 s"
		printf '  %s reached A'"'"'s offset %s after %d ms\n' \
			"${LETTERS[$i]^^}" "$want" $((($(date +%s%N) - t0) / 1000000))
	done
}

# INFO replication on A lists region i's replica COUNT times (waits).
listed() { cli 0 info replication | tr -d '\r' | grep -c "^slave[0-9]*:ip=$(addr_of "$1"),port=6379," || true; }
wait_listed() { # REGION COUNT SECONDS
	local t n
	for t in $(seq 1 $(($3 * 5))); do
		n=$(listed "$1")
		[ "$n" = "$2" ] && return 0
		sleep 0.2
	done
	fail "A lists region ${LETTERS[$1]^^}'s replica $n times after $3 s, want $2"
}

compare_all() { # TAG
	local i
	nsx 0 timeout 120 $GP dump "$(hp 0)" "$FERRY_RUNDIR/$1-a.json" >/dev/null ||
		fail "dump A"
	for i in $(seq 1 $((REGIONS - 1))); do
		nsx "$i" timeout 120 $GP dump "$(hp "$i")" \
			"$FERRY_RUNDIR/$1-${LETTERS[$i]}.json" >/dev/null ||
			fail "dump ${LETTERS[$i]^^}"
		printf '  A vs %s: ' "${LETTERS[$i]^^}"
		$GP compare "$FERRY_RUNDIR/$1-a.json" \
			"$FERRY_RUNDIR/$1-${LETTERS[$i]}.json" ||
			fail "$1: region ${LETTERS[$i]^^} differs from A"
	done
}

start_load() { # SECONDS PREFIX
	ip netns exec "$(ns_of 0)" timeout $(($1 + 60)) $GP load "$(hp 0)" "$1" --conns 4 \
		--rate "$RATE" --prefix "$2" >"$FERRY_RUNDIR/load-$2.out" 2>&1 &
	LOAD_PID=$!
	BG+=("$LOAD_PID")
}
wait_load() { # PREFIX
	wait "$LOAD_PID" || { cat "$FERRY_RUNDIR/load-$1.out"; fail "load $1"; }
	sed 's/^/  /' "$FERRY_RUNDIR/load-$1.out"
}

# ---- up ------------------------------------------------------------------------
WRAP="$FERRY_RUNDIR/ferryd"
printf '#!/bin/sh\nexec %q "$@" --repl-backlog-size %s\n' "$FERRYD" "$BACKLOG" >"$WRAP"
chmod +x "$WRAP"
say "tools/geo.sh --name $NAME --regions $REGIONS up (35 ms each way)"
"$ROOT/tools/geo.sh" --name "$NAME" --regions "$REGIONS" --delay 35ms up \
	"$WRAP" "$EMU" >"$FERRY_RUNDIR/geo.out" 2>&1 &
GEO_PID=$!
for _ in $(seq 1 1800); do
	grep -q '^geo.sh: up' "$FERRY_RUNDIR/geo.out" && break
	kill -0 "$GEO_PID" 2>/dev/null || { cat "$FERRY_RUNDIR/geo.out"; fail "geo.sh exited"; }
	sleep 0.1
done
grep -q '^geo.sh: up' "$FERRY_RUNDIR/geo.out" || fail "geo.sh not up after 180 s"
echo "  up: A primary, $((REGIONS - 1)) replica region(s)"

[ "$(info_field 0 replication repl_backlog_size)" = 2097152 ] ||
	fail "A's backlog: $(info_field 0 replication repl_backlog_size), want $BACKLOG"
[ "$(cli 0 config set repl-ping-replica-period 1)" = OK ] || fail "CONFIG SET ping period"
for i in $(seq 0 $((REGIONS - 1))); do
	[ "$(cli "$i" config set repl-timeout $TIMEOUT_S)" = OK ] ||
		fail "CONFIG SET repl-timeout on ${LETTERS[$i]^^}"
done
[ -n "$(info_field 0 stats sync_full)" ] || fail "INFO stats has no sync_full"
[ "$(info_field 0 stats sync_full)" -ge $((REGIONS - 1)) ] ||
	fail "A counted $(info_field 0 stats sync_full) full syncs, $((REGIONS - 1)) replicas synced"

# ---- 1. 35 ms each way, steady load ------------------------------------------------
say "1. steady load on A (4 connections, $RATE commands/s) with the lag watched from B"
start_load 12 p1
ip netns exec "$(ns_of 0)" timeout 30 $WATCH stamp --primary "$(hp 0)" --every-ms 5 --seconds 12 \
	>/dev/null 2>&1 &
STAMP_PID=$!
BG+=("$STAMP_PID")
ip netns exec "$(ns_of 1)" timeout 30 $WATCH watch --primary "$(hp 0)" --replica "$(hp 1)" \
	--seconds 10 --json "$FERRY_RUNDIR/lag.json" >"$FERRY_RUNDIR/watch.out" 2>&1 &
WATCH_PID=$!
BG+=("$WATCH_PID")
sleep 5
# mid-load: A lists every replica, online, with its offset and lag
ir=$(cli 0 info replication | tr -d '\r')
echo "$ir" | grep '^slave' | sed 's/^/  /'
[ "$(echo "$ir" | awk -F: '$1 == "connected_slaves" { print $2 }')" = $((REGIONS - 1)) ] ||
	fail "connected_slaves on A: $ir"
for i in $(seq 1 $((REGIONS - 1))); do
	echo "$ir" | grep -Eq "^slave[0-9]+:ip=$(addr_of "$i"),port=6379,state=online,offset=[1-9][0-9]*,lag=[0-9]+$" ||
		fail "INFO replication on A has no online line for ${LETTERS[$i]^^}: $ir"
done
wait "$WATCH_PID" || { cat "$FERRY_RUNDIR/watch.out"; fail "geo_watch watch"; }
sed 's/^/  /' "$FERRY_RUNDIR/watch.out"
wait_load p1
wait "$STAMP_PID" || fail "geo_watch stamp"
wait_caught_up 30
$GP lag "$FERRY_RUNDIR/lag.json" 35 535 --samples 20 | sed 's/^/  /'
[ "${PIPESTATUS[0]}" = 0 ] || fail "replication lag"
compare_all p1

# ---- 2. a partition shorter than the backlog: partial resync -------------------------
say "2. partition A<->B (both directions) during the load: partial resync"
full0=$(info_field 0 stats sync_full) pok0=$(info_field 0 stats sync_partial_ok)
bp0=$(partials 1) bf0=$(fulls 1)
[ "$REGIONS" = 3 ] && cd0=$(drops 2)
start_load 25 p2
sleep 2
cut_off=$(offset_of 0)
partition 1 on
t0=$(date +%s)
wait_link 1 down $((TIMEOUT_S * 6))
echo "  B's link down after $(($(date +%s) - t0)) s (repl-timeout $TIMEOUT_S)"
# A, too, gives up on B after repl-timeout without an ACK: B leaves INFO
# replication (Redis: "Disconnecting timedout replica"), C stays
wait_listed 1 0 $((TIMEOUT_S * 6))
echo "  A dropped B after $(($(date +%s) - t0)) s"
[ "$REGIONS" = 2 ] || [ "$(listed 2)" = 1 ] || fail "A does not list C once during the A<->B cut"
if [ "$REGIONS" = 3 ]; then
	[ "$(link_of 2)" = up ] || fail "C's link went down with A<->B cut"
fi
sleep 2
heal_off=$(offset_of 0)
partition 1 off
echo "  cut for $(($(date +%s) - t0)) s; $((heal_off - cut_off)) stream bytes written meanwhile (backlog $BACKLOG)"
wait_link 1 up 60
[ "$REGIONS" = 3 ] && { [ "$(link_of 2)" = up ] || fail "C's link is down"; }
wait_load p2
wait_caught_up 30
# one entry per replica: the timed-out connection is gone
for i in $(seq 1 $((REGIONS - 1))); do wait_listed "$i" 1 30; done
full1=$(info_field 0 stats sync_full) pok1=$(info_field 0 stats sync_partial_ok)
echo "  A: sync_full $full0 -> $full1, sync_partial_ok $pok0 -> $pok1;" \
	"B's log: partial $bp0 -> $(partials 1), full $bf0 -> $(fulls 1)"
[ "$pok1" -ge $((pok0 + 1)) ] || fail "no +CONTINUE counted on A (sync_partial_ok $pok0 -> $pok1)"
[ "$full1" = "$full0" ] || fail "a full sync after the short partition (sync_full $full0 -> $full1)"
[ "$(partials 1)" -ge $((bp0 + 1)) ] || fail "B logged no partial resynchronization"
[ "$(fulls 1)" = "$bf0" ] || fail "B logged a full resync after the short partition"
if [ "$REGIONS" = 3 ]; then
	[ "$(drops 2)" = "$cd0" ] || fail "C's link dropped while only A<->B was cut"
	echo "  C: link up throughout, no new sync"
fi
compare_all p2

# ---- 3. a partition longer than the backlog: full resync ------------------------------
X=$((REGIONS - 1))	# C with 3 regions, B with 2
XL=${LETTERS[$X]^^}
say "3. partition A<->$XL with more than the backlog written meanwhile: full resync"
[ "$(cli 0 config set repl-backlog-size 64kb)" = OK ] || fail "CONFIG SET repl-backlog-size"
[ "$(cli 0 config get repl-backlog-size | tail -1)" = 65536 ] || fail "CONFIG GET repl-backlog-size"
bl=$(info_field 0 replication repl_backlog_size)
[ -n "$bl" ] && [ "$bl" -gt 0 ] || fail "repl_backlog_size '$bl'"
echo "  CONFIG SET repl-backlog-size 64kb; INFO repl_backlog_size $bl"
full0=$(info_field 0 stats sync_full) pok0=$(info_field 0 stats sync_partial_ok)
xp0=$(partials "$X") xf0=$(fulls "$X")
[ "$REGIONS" = 3 ] && bd0=$(drops 1)
start_load 20 p3
sleep 1
partition "$X" on
t0=$(date +%s)
wait_link "$X" down $((TIMEOUT_S * 6))
echo "  $XL's link down after $(($(date +%s) - t0)) s"
cut_off=$(offset_of 0)
nsx 0 timeout 120 $GP flood "$(hp 0)" $((2 * bl)) | sed 's/^/  /'
[ "${PIPESTATUS[0]}" = 0 ] || fail "flood"
heal_off=$(offset_of 0)
[ $((heal_off - cut_off)) -gt "$bl" ] ||
	fail "only $((heal_off - cut_off)) stream bytes during the cut, backlog $bl"
if [ "$REGIONS" = 3 ]; then
	[ "$(link_of 1)" = up ] || fail "B's link went down with A<->C cut"
fi
partition "$X" off
echo "  cut for $(($(date +%s) - t0)) s; $((heal_off - cut_off)) stream bytes written meanwhile"
wait_link "$X" up 90
wait_load p3
wait_caught_up 120
full1=$(info_field 0 stats sync_full) pok1=$(info_field 0 stats sync_partial_ok)
echo "  A: sync_full $full0 -> $full1, sync_partial_ok $pok0 -> $pok1;" \
	"$XL's log: partial $xp0 -> $(partials "$X"), full $xf0 -> $(fulls "$X")"
[ "$full1" -ge $((full0 + 1)) ] || fail "no full sync counted on A (sync_full $full0 -> $full1)"
[ "$pok1" = "$pok0" ] || fail "a partial resync across a gap larger than the backlog"
[ "$(fulls "$X")" -ge $((xf0 + 1)) ] || fail "$XL logged no full resync"
[ "$(partials "$X")" = "$xp0" ] || fail "$XL logged a partial resync"
if [ "$REGIONS" = 3 ]; then
	[ "$(drops 1)" = "$bd0" ] || fail "B's link dropped while only A<->C was cut"
	echo "  B: link up throughout, no new sync"
fi
compare_all p3

say "removing the regions"
kill -TERM "$GEO_PID"
wait "$GEO_PID" 2>/dev/null || true
GEO_PID=""
for ns in $NAME-a $NAME-b $NAME-c $NAME-x1 $NAME-x2; do
	ip netns list | awk '{ print $1 }' | grep -qxF "$ns" && fail "namespace $ns left behind"
done
# a sanitizer build (ASan/UBSan/LSan) reports into the logs, at exit too
for i in $(seq 0 $((REGIONS - 1))); do
	f="$FERRY_RUNDIR/$(ns_of "$i").log"
	grep -q "^ferryd: stopped" "$f" || fail "ferryd ${LETTERS[$i]^^} did not stop cleanly"
	! grep -Eq "Sanitizer|runtime error:" "$f" || fail "sanitizer report in $f"
done
echo "PASS: geo partition ($REGIONS regions)"
