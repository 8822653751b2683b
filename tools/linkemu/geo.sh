#!/usr/bin/env bash
# geo.sh -- two ferry "regions" joined by ferry-linkemu (no replication
# yet): the topology the geo-replication tests use.
#
#   tools/linkemu/geo.sh [OPTIONS] up|check FERRYD FERRY-LINKEMU
#
#   up      build it and keep it until Ctrl-C (or SIGTERM), then remove it
#   check   build it, show that ferryd B answers from region A with the
#           emulated RTT (redis-cli --latency, ping), then remove it
#   --name N     namespace prefix (default geo): N-a, N-b, N-x
#   --delay T    one-way delay each direction (default 35ms); any other
#                link parameters later through the control socket
#   --ctl PATH   control socket (default /tmp/N-linkemu.sock)
#
#   region A: namespace N-a; ferryd A on its tap (ferry 198.18.51.2/24,
#             kernel side 198.18.51.1, ferryd --gateway 198.18.51.1)
#   region B: namespace N-b; ferryd B (198.18.52.2/24, kernel 198.18.52.1)
#   transit:  ferry-linkemu in N-x, its net_tap ports moved into N-a
#             (198.18.50.1/24) and N-b (198.18.50.2/24); ip_forward on in
#             both regions, routes 198.18.52.0/24 via 198.18.50.2 in A and
#             198.18.51.0/24 via 198.18.50.1 in B.
#   ferryd A -> 198.18.51.1 (A's kernel) -> emulator a2b -> B's kernel ->
#   ferryd B, and back through b2a.
#
#   ip netns exec N-a redis-cli -h 198.18.52.2 --latency     # ~ 2 x delay
#   tools/linkemu/lectl.py /tmp/N-linkemu.sock 'partition on'
#
# Logs and PIDs under $FERRY_RUNDIR (default a new /tmp/N-geo.XXXXXX,
# removed at the end unless something failed: then the logs' tails are
# printed and it is kept).  The
# namespaces and processes are removed on exit, Ctrl-C and failure.
# tests/linkemu: the integration test linkemu_geo runs `geo.sh --name legeo
# check`.
set -euo pipefail

NAME=geo
DELAY=35ms
CTL=""
while [ $# -gt 0 ]; do
	case $1 in
	--name) NAME=$2; shift 2 ;;
	--delay) DELAY=$2; shift 2 ;;
	--ctl) CTL=$2; shift 2 ;;
	-*) echo "geo.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ $# -ne 3 ] || { [ "$1" != up ] && [ "$1" != check ]; }; then
	sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
fi
MODE=$1
FERRYD=$(readlink -f "$2")
EMU=$(readlink -f "$3")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$HERE/le_link.sh"
NETNS="$ROOT/tools/netns.sh"
LECTL="/usr/bin/python3 $HERE/lectl.py"
NA=$NAME-a; NB=$NAME-b; NX=$NAME-x
CTL=${CTL:-/tmp/$NAME-linkemu.sock}
MADE_RUNDIR=""
if [ -z "${FERRY_RUNDIR:-}" ]; then
	FERRY_RUNDIR=$(mktemp -d "/tmp/$NAME-geo.XXXXXX")
	MADE_RUNDIR=1
fi
export FERRY_RUNDIR
mkdir -p "$FERRY_RUNDIR"
TA=${NAME}ta; TB=${NAME}tb; FA=${NAME}fa; FB=${NAME}fb
TA=${TA:0:15}; TB=${TB:0:15}; FA=${FA:0:15}; FB=${FB:0:15}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	le_link_down "$NX" "$NAME-emu"
	"$NETNS" down "$NA" 2>/dev/null || true
	"$NETNS" down "$NB" 2>/dev/null || true
	rm -rf "/var/run/dpdk/$NA" "/var/run/dpdk/$NB"
	if [ $rc -ne 0 ] && [ $rc -ne 130 ] && [ $rc -ne 143 ]; then
		for f in "$FERRY_RUNDIR"/*.log; do
			[ -f "$f" ] && { echo "---- $f"; tail -n 20 "$f"; }
		done
	elif [ -n "$MADE_RUNDIR" ]; then
		rm -rf "$FERRY_RUNDIR"
	fi
	echo "geo.sh: removed $NA $NB $NX"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# region NS KERNEL-ADDR FERRY-ADDR GATEWAY TAP LCORE
region() {
	"$NETNS" up "$1" "$2/24" "$FERRYD" -l "$6" --no-huge -m 512 --no-pci \
		--file-prefix "$1" --vdev "net_tap0,iface=$5" -- \
		--addr "$3/24" --gateway "$4" --port 6379
	"$NETNS" wait "$1" "$3" 6379 30
	ip netns exec "$1" sysctl -qw net.ipv4.ip_forward=1
}

# ferryd A on CPU 0, ferryd B on CPU 1 (the emulator: EAL lcore 0)
ncpu=$(nproc)
region "$NA" 198.18.51.1 198.18.51.2 198.18.51.1 "$FA" 0
region "$NB" 198.18.52.1 198.18.52.2 198.18.52.1 "$FB" $((ncpu > 1 ? 1 : 0))
LE_TIMEOUT=${LE_TIMEOUT:-86400}
le_link_up "$EMU" "$NX" "$NA" "$NB" "$TA" "$TB" "$NAME-emu" "$CTL" \
	"$FERRY_RUNDIR/$NX.log" 768 --both "delay $DELAY"
ip -n "$NA" addr add 198.18.50.1/24 dev "$TA"
ip -n "$NB" addr add 198.18.50.2/24 dev "$TB"
ip -n "$NA" route add 198.18.52.0/24 via 198.18.50.2
ip -n "$NB" route add 198.18.51.0/24 via 198.18.50.1
# first crossing resolves ARP over the link
ip netns exec "$NA" ping -c 2 -W 3 198.18.50.2 >/dev/null || true
echo "geo.sh: region A $NA (ferryd 198.18.51.2), region B $NB" \
     "(ferryd 198.18.52.2), link $NX delay $DELAY each way, control $CTL"

if [ "$MODE" = up ]; then
	echo "geo.sh: up; Ctrl-C removes it"
	while kill -0 "$LE_PID" 2>/dev/null; do sleep 1; done
	echo "geo.sh: the emulator exited" >&2
	exit 1
fi

# ---- check -----------------------------------------------------------------
fail() { echo "FAIL: $*" >&2; exit 1; }
ms=$(echo "$DELAY" | sed -n 's/^\([0-9.]*\)ms$/\1/p')
[ -n "$ms" ] || ms=35
want=$(awk -v d="$ms" 'BEGIN { print 2 * d }')
[ "$(ip netns exec "$NA" timeout 10 redis-cli -h 198.18.52.2 ping)" = PONG ] ||
	fail "ferryd B does not answer from region A"
[ "$(ip netns exec "$NB" timeout 10 redis-cli -h 198.18.51.2 ping)" = PONG ] ||
	fail "ferryd A does not answer from region B"
ip netns exec "$NA" timeout 10 redis-cli -h 198.18.52.2 set geo hello >/dev/null
[ "$(ip netns exec "$NA" timeout 10 redis-cli -h 198.18.52.2 get geo)" = hello ] ||
	fail "SET/GET on ferryd B from A"
# ferryd A's own stack reaches B's kernel through its gateway: B pings it
ip netns exec "$NB" ping -n -c 5 -i 0.2 198.18.51.2 | tail -1
# redis-cli --latency: one request per RTT on an open connection.  The
# shared box can stall anything for a while: up to 3 tries of 5 s (a wrong
# delay fails all of them)
for try in 1 2 3; do
	lat=$(ip netns exec "$NA" timeout 20 redis-cli -h 198.18.52.2 --latency \
		-i 1 --raw 2>/dev/null & pid=$!; sleep 5; kill -INT $pid 2>/dev/null
		wait $pid || true)
	avg=$(echo "$lat" | tail -1 | awk '{ print $3 }')
	echo "redis-cli --latency from A to ferryd B (min max avg samples, ms):" \
		"$(echo "$lat" | tail -1) (try $try)"
	awk -v a="$avg" -v w="$want" 'BEGIN { exit !(a >= w && a <= w + 10) }' &&
		break
	# the emulator's own share of a stall
	$LECTL "$CTL" stats | awk '/^(a2b|b2a) / { for (i = 2; i <= NF; i++)
		if ($i ~ /^late_max_ns=/) print "  emulator " $1 " " $i }'
done
awk -v a="$avg" -v w="$want" 'BEGIN { exit !(a >= w && a <= w + 10) }' ||
	fail "average latency $avg ms, emulated RTT $want ms"
$LECTL "$CTL" stats
echo "PASS: geo (RTT $want ms emulated, $avg ms measured)"
