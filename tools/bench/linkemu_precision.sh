#!/usr/bin/env bash
# linkemu_precision.sh -- ferry-linkemu's delay precision at 70 ms and the
# packets it holds in flight.
#
#   tools/bench/linkemu_precision.sh [OPTIONS] FERRY-LINKEMU
#
#   -n N              probes per precision run (default 2000)
#   --pps P           probe rate (default 500/s)
#   --inflight N      datagrams for the in-flight run (default 100000;
#                     0 skips it)
#   --inflight-pps P  their rate (default 25000/s)
#   --busy-poll       run the emulator with --busy-poll (default: idle, it
#                     sleeps in ppoll on the taps' descriptors)
#   --rt-prio N       run the emulator with --rt-prio N (SCHED_FIFO)
#   --out DIR         keep the logs there (default: a mktemp dir, removed)
#
# Topology (run as root; everything removed on exit): namespaces
# lp-a-PID (198.18.53.1/24) and lp-b-PID (198.18.53.2/24) joined by the
# emulator in lp-x-PID over two net_tap ports (tools/linkemu/le_link.sh),
# default pool (--queue-cap 131072, 268,288 mbufs, EAL -m 768).
#   1. baseline: delay 0, N UDP probes A -> B at P/s; one-way delay from
#      the send time (CLOCK_REALTIME) to B's kernel receive timestamp
#      (SO_TIMESTAMPNS) (tools/linkemu/le_udpprobe.py);
#   2. a2b delay 70ms: the same; (measured - 70 ms) as median / p1 / p99 /
#      max and a histogram, raw and minus the baseline median (the path's
#      own latency: tap, kernel); and the emulator's own lateness (TX time
#      - scheduled release) from its counters;
#   3. in flight: a2b delay 10 s, N datagrams at P/s: queue_depth_max,
#      drops, and how many arrived.
set -euo pipefail

N=2000
PPS=500
INFL=100000
INFL_PPS=25000
BUSY=""
OUT=""
while [ $# -gt 1 ]; do
	case $1 in
	-n) N=$2; shift 2 ;;
	--pps) PPS=$2; shift 2 ;;
	--inflight) INFL=$2; shift 2 ;;
	--inflight-pps) INFL_PPS=$2; shift 2 ;;
	--busy-poll) BUSY="$BUSY --busy-poll"; shift ;;
	--rt-prio) BUSY="$BUSY --rt-prio $2"; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	*) echo "unknown option $1" >&2; exit 2 ;;
	esac
done
[ $# -eq 1 ] || { sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
EMU=$(readlink -f "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tools/linkemu/le_link.sh"
PROBE="/usr/bin/python3 $ROOT/tools/linkemu/le_udpprobe.py"
CTL="/usr/bin/python3 $ROOT/tools/linkemu/lectl.py"

A=lp-a-$$; B=lp-b-$$; X=lp-x-$$
TA=lpa$$; TB=lpb$$; TA=${TA:0:15}; TB=${TB:0:15}
PREFIX=lp-$$
KEEP=${OUT:+1}
OUT=${OUT:-$(mktemp -d /tmp/linkemu-bench.XXXXXX)}
mkdir -p "$OUT"
SOCK=$OUT/ctl.sock
LE_TIMEOUT=900

cleanup() {
	local rc=$?
	le_link_down "$X" "$PREFIX"
	ip netns del "$A" 2>/dev/null || true
	ip netns del "$B" 2>/dev/null || true
	[ -n "$KEEP" ] || rm -rf "$OUT"
	exit $rc
}
trap cleanup EXIT
trap 'exit 143' TERM INT

ip netns add "$A"; ip netns add "$B"
le_link_up "$EMU" "$X" "$A" "$B" "$TA" "$TB" "$PREFIX" "$SOCK" \
	"$OUT/emu.log" 768 $BUSY
ip -n "$A" addr add 198.18.53.1/24 dev "$TA"
ip -n "$B" addr add 198.18.53.2/24 dev "$TB"
ip netns exec "$A" ping -c 3 -i 0.2 -W 2 198.18.53.2 >/dev/null

# probe NAME COUNT PPS TARGET_MS IDLE: JSON summary into $OUT/NAME.json
probe() {
	rm -f "$OUT/ready"
	ip netns exec "$B" timeout 600 $PROBE recv 9000 "$2" "$5" "$4" \
		"$OUT/ready" >"$OUT/$1.json" &
	local rpid=$!
	for _ in $(seq 1 100); do [ -e "$OUT/ready" ] && break; sleep 0.05; done
	if [ ! -e "$OUT/ready" ]; then
		echo "probe $1: the receiver is not ready after 5 s" >&2
		kill "$rpid" 2>/dev/null || true
		exit 1
	fi
	ip netns exec "$A" timeout 600 $PROBE send 198.18.53.2 9000 "$2" "$3" \
		>"$OUT/$1.send.json"
	wait "$rpid"
}
field() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$1')); print(eval('d$2'))"; }

echo "machine: $(nproc) cpus, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "emulator: $EMU ${BUSY:-(defaults: ppoll when idle)}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
$CTL "$SOCK" "reset" >/dev/null
probe base "$N" "$PPS" 0 3
base=$(field "$OUT/base.json" '["err_us"]["median"]')
echo "baseline (delay 0): $(cat "$OUT/base.json")"

$CTL "$SOCK" "set a2b delay 70ms" "stats reset" >/dev/null
probe d70 "$N" "$PPS" 70 3
$CTL "$SOCK" stats >"$OUT/d70.stats"
echo "delay 70 ms: $(cat "$OUT/d70.json")"
echo "emulator a2b: $(grep '^a2b' "$OUT/d70.stats" | tr ' ' '\n' | grep -E 'received|forwarded|late_' | tr '\n' ' ')"
/usr/bin/python3 - "$OUT/d70.json" "$base" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); base = float(sys.argv[2])
e = d["err_us"]
print("| measured - 70 ms (us) | median | p1 | p99 | max |")
print("|---|---|---|---|---|")
print("| raw | %.1f | %.1f | %.1f | %.1f |" % (e["median"], e["p1"], e["p99"], e["max"]))
print("| minus baseline median (%.1f us) | %.1f | %.1f | %.1f | %.1f |" % (
    base, e["median"] - base, e["p1"] - base, e["p99"] - base, e["max"] - base))
b = d["hist_bounds_us"]; h = d["hist"]
labels = ["< %d" % b[0]] + ["%d..%d" % (b[i], b[i + 1]) for i in range(len(b) - 1)] + [">= %d" % b[-1]]
print("histogram (us): " + ", ".join("%s: %d" % (l, n) for l, n in zip(labels, h)))
PY

if [ "$INFL" -gt 0 ]; then
	$CTL "$SOCK" "set a2b delay 10s" "stats reset" >/dev/null
	probe infl "$INFL" "$INFL_PPS" 10000 15
	$CTL "$SOCK" stats >"$OUT/infl.stats"
	echo "in flight: sender $(cat "$OUT/infl.send.json"), receiver $(cut -c1-80 "$OUT/infl.json")"
	grep '^a2b' "$OUT/infl.stats" | tr ' ' '\n' |
		grep -E 'received|forwarded|dropped|queue_depth_max' | tr '\n' ' '
	echo
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
