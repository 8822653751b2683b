#!/usr/bin/env bash
# repl_bench.sh -- replication benchmarks (issues 4 and 6): what the
# replication core sustains, replication lag, full sync time and memory
# against redis-server 7.0.15, and the stream over ferry-linkemu at WAN
# delays and loss.
#
#   tools/bench/repl_bench.sh [OPTIONS] FERRYD FERRY-LINKEMU
#
#   --cases LIST   comma-separated, run in this order (default all):
#     rate      writes/s on the primary (redis-benchmark SET -P 16 -c 50)
#               with 3, 1 and 0 replicas attached over zero-delay links;
#               with replicas, also the rate at which they apply them
#               (requests / time from the load's start until every
#               replica's offset reaches the primary's)
#     lag       replication lag p50/p99 (tools/geo_watch.py) on the
#               zero-delay link under a steady background load, for
#               batching default (window 0, bytes 64kb), off (window 0,
#               bytes 1: a publish per record) and window 1000 us; "in
#               ferry": the same stamps measured by B itself where it
#               applies them (repl-lag-probe-key, set by geo.sh)
#     tap       the tap + emulator path alone: a Python TCP sender between
#               the two kernels across the A<->B link (no ferry, Linux
#               TCP), 0 ms unshaped, then 'rate $WAN_RATE limit $WAN_LIMIT' at 0, 35
#               and 125 ms one way; the sender's congestion control is
#               TAP_CC (environment; cubic unless set: ferry's default --
#               the kernel's own default may be BBR, which ignores loss)
#     wan       issue 6: link A<->B 'rate $WAN_RATE' and delay 0/35/125 ms x
#               loss 0/1% (set on the live emulator with lectl.py): stream
#               bytes/s reaching B (its offset's growth) under saturating
#               SET load with 1 KiB values, the time to catch up after it
#               (30 s max), then the lag p50/p99 under a light load.  The
#               emulator's rate queue gets 'limit 20000' packets at 1gbit (about the
#               bandwidth-delay product at 125 ms): with the default 1000, the
#               bursts a descheduled emulator reads at once overflow it.
#               A's client-output-buffer-limit for replicas is lifted
#               ('replica 0 0 0') for these runs: the load outruns the
#               link, and with Redis's default (256mb hard) A would drop B
#               mid-window and the figure would count full resyncs
#     catchup   the stream with its window open: A<->B 'rate WAN_RATE' at
#               35 ms one way (CATCH_SET: one-way delays, default 35ms);
#               the link is partitioned, CATCH_MB (350) MB of SET -d 1024
#               are written on A, the link heals and B's offset is read
#               every 0.2 s until it equals A's (120 s max): catch-up time
#               and the best 3 s rate.  The connection restarts from an
#               RTO (it was idle when cut), so the first seconds are CUBIC
#               regrowing; the best 3 s show what the open window
#               carries.  A's repl-backlog-size is 1gb for it (CATCH_MB
#               x 1.25 when that is more)
#     fullsync  1M keys (redis-cli --pipe) on A, B re-attached (REPLICAOF):
#               time until B's link is up with every key, RSS of both
#               ferryds sampled every 50 ms during it
#     redis     the same full sync between a stock redis-server master and
#               replica on the loopback of namespace rb-r,
#               repl-diskless-sync yes and no (delay 0 like ferry's);
#               RSS of master, its fork child (and the child's Pss), replica
#   -r N           repetitions of every measurement (3); medians reported
#   --wan-reps N   repetitions of the wan settings (default: -r)
#   --seconds S    length of each lag / wan window (10)
#   --requests N   redis-benchmark requests per rate run (400000)
#   --keys N       keys for full sync (1000000)
#   --out DIR      logs, raw.csv, results.md (default a new /tmp/repl_bench.*)
#   WAN_SET='35ms-0% 125ms-1%'   (environment) only these wan settings
#   WAN_RATE=200mbit   (environment) the link's rate cap in the tap and wan
#                  cases (default 1gbit; a machine that cannot carry 1 Gbit/s
#                  through its taps can still show how close the stream gets
#                  to a lower cap at the same delay); the rate queue's
#                  limit scales with it (20000 frames at 1gbit)
#   WAN_PATH=memif  (environment) how the links reach ferryd: tap (default;
#                  through each region's kernel and tap) or memif (geo.sh
#                  --wan memif: the replication link is ferryd's second
#                  DPDK port, net_memif to the emulator, no kernel on the
#                  WAN path; clients and tools still use the taps, the
#                  regions' kernels joined by a plain veth).  The tap case
#                  measures the kernels' path and is skipped with memif
#   LOAD_NICE=19   (environment) the lag runs' background load generator
#                  (redis-benchmark) and lag reader (geo_watch watch,
#                  polling B every 1 ms) at this nice level (default 0): on
#                  a small box they then take the cores last, after the
#                  ferryds, the emulator and the stamper (whose stamps the
#                  replica measures: "in ferry")
#   LAG_STAMP=primary  (environment) who writes the lag runs' stamps:
#                  client (default): geo_watch stamp, a Python client in
#                  region A, every 5 ms -- each stamp's lag includes its
#                  way to A; primary: ferryd A itself (repl-lag-probe-key
#                  geo:stamp, repl-lag-probe-ms 5: control/repl_core.c), so
#                  "in ferry" is the lag from A's write to B's apply alone
#                  (no stamper; the SET round-trip column stays empty)
#   RT_PRIO=40     (environment) real-time priority (SCHED_FIFO, chrt,
#                  every thread) once geo is up, for what RT_SCOPE says:
#                  wire (default): the emulators only, at RT_PRIO -- a
#                  wire is never descheduled, and on a small box the
#                  emulator's lateness otherwise lands in the lag's tail;
#                  replicas: also ferryd B (C, D), at RT_PRIO + 1 (the
#                  emulators at RT_PRIO + 2); all: also ferryd A at
#                  RT_PRIO, B (C, D) at +2, the emulators at +3 and the
#                  lag runs' stamper at +1, to stand in for dedicated
#                  cores.  Polling loops sleep when idle; the kernel's RT
#                  throttling (95%) keeps the box alive if one spins.  On
#                  2 cores `all` starves everything else: geo_watch then
#                  started ~10 s late (the A cmds/s column shows whether
#                  the load ran while it measured).
#                  Default: off (all SCHED_OTHER)
#   EMU_ARGS='--spin-us 20 --idle-sleep-us 50'  (environment) more
#                  ferry-linkemu options for the links (geo.sh
#                  --linkemu-args).  The emulator wakes --spin-us (default
#                  100) before each release and spins to it, and without
#                  RX interrupts (memif) polls its ports every
#                  --idle-sleep-us (default 20): on a small box that is
#                  CPU the ferryds and the load lose.  Less of both costs
#                  precision only as lateness (a frame read or released
#                  later), which can only add to the lag measured
#   FERRYD_ARGS='--idle-sleep-us 20'  (environment) more ferryd options
#                  for every region (geo.sh --ferryd-args)
#   LAG_LOAD='-c 4 -P 4'  (environment) the lag runs' redis-benchmark
#                  clients and pipeline (default '-c 4 -P 1')
#
# Needs root (namespaces), redis-server/redis-tools, /usr/bin/python3 with
# python3-redis.  On a shared machine every figure is noisy: results.md
# starts with the load average; each raw.csv row ends with it.
#
# Topology: tools/geo.sh --name rb --regions 4 --delay 0ms up (2 regions,
# A and B, unless the rate case runs; region A,
# namespace rb-a, ferryd 198.18.51.2 the primary; B, C, D at 198.18.52-54.2
# its replicas, each behind its own ferry-linkemu).  Replicas are detached
# and re-attached with REPLICAOF.  The redis case uses namespace rb-r
# (loopback only).  Every command that measures is echoed ("+ ...").
# On exit (also on error or Ctrl-C) geo.sh is SIGTERMed by PID (it removes
# its namespaces and processes), redis-servers are killed by PID and rb-r
# is deleted.
set -euo pipefail

WAN_RATE=${WAN_RATE:-1gbit}
RATE_BPS=$(awk -v r="$WAN_RATE" 'BEGIN {
	if (match(r, /^[0-9]+(\.[0-9]+)?/) == 0) exit 1
	n = substr(r, 1, RLENGTH); u = substr(r, RLENGTH + 1)
	m = u == "gbit" ? 1e9 : u == "mbit" ? 1e6 : u == "kbit" ? 1e3 : u == "bit" ? 1 : -1
	if (m < 0 || n <= 0) exit 1
	printf "%.0f", n * m }') || { echo "repl_bench.sh: WAN_RATE '$WAN_RATE': want N[.N]gbit|mbit|kbit|bit" >&2; exit 2; }
# the rate queue: 20000 frames at 1 Gbit/s (240 ms of queue), scaled with
# the rate so a lower cap does not get a seconds-long queue; 1000 at least
WAN_LIMIT=$(awk -v r="$RATE_BPS" 'BEGIN { l = int(20000 * r / 1e9); print l < 1000 ? 1000 : l }')
WAN_PATH=${WAN_PATH:-tap}
LOAD_NICE=${LOAD_NICE:-0}
case $LOAD_NICE in ''|*[!0-9]*) echo "repl_bench.sh: LOAD_NICE '$LOAD_NICE': want 0..19" >&2; exit 2 ;; esac
[ "$LOAD_NICE" -le 19 ] || { echo "repl_bench.sh: LOAD_NICE '$LOAD_NICE': want 0..19" >&2; exit 2; }
RT_PRIO=${RT_PRIO:-}
case $RT_PRIO in '') ;; *[!0-9]*) echo "repl_bench.sh: RT_PRIO '$RT_PRIO': want 1..90" >&2; exit 2 ;;
*) [ "$RT_PRIO" -ge 1 ] && [ "$RT_PRIO" -le 90 ] || { echo "repl_bench.sh: RT_PRIO '$RT_PRIO': want 1..90" >&2; exit 2; } ;; esac
LAG_STAMP=${LAG_STAMP:-client}
case $LAG_STAMP in client|primary) ;; *) echo "repl_bench.sh: LAG_STAMP '$LAG_STAMP': want client or primary" >&2; exit 2 ;; esac
RT_SCOPE=${RT_SCOPE:-wire}
case $RT_SCOPE in wire|replicas|all) ;; *) echo "repl_bench.sh: RT_SCOPE '$RT_SCOPE': want wire, replicas or all" >&2; exit 2 ;; esac
case $WAN_PATH in tap|memif) ;; *) echo "repl_bench.sh: WAN_PATH '$WAN_PATH': want tap or memif" >&2; exit 2 ;; esac
FERRYD_ARGS=${FERRYD_ARGS:-} EMU_ARGS=${EMU_ARGS:-}
LAG_LOAD=${LAG_LOAD:--c 4 -P 1}
[[ $LAG_LOAD =~ ^-c\ [1-9][0-9]*\ -P\ [1-9][0-9]*$ ]] || { echo "repl_bench.sh: LAG_LOAD '$LAG_LOAD': want '-c N -P M'" >&2; exit 2; }
read -r -a LAG_CP <<<"$LAG_LOAD"
CATCH_MB=${CATCH_MB:-350}
case $CATCH_MB in ''|*[!0-9]*|0) echo "repl_bench.sh: CATCH_MB '$CATCH_MB': want a number of MB > 0" >&2; exit 2 ;; esac
for d in ${CATCH_SET:-35ms}; do
	case $d in *[0-9]ms|*[0-9]us|*[0-9]s) ;; *) echo "repl_bench.sh: CATCH_SET '$d': want delays like 35ms" >&2; exit 2 ;; esac
done
CASES=rate,lag,tap,wan,catchup,fullsync,redis REPS=3 SECS=10 REQS=400000 KEYS=1000000 OUT=''
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--cases) CASES=$2; shift 2 ;;
	-r) REPS=$2; shift 2 ;;
	--wan-reps) WREPS=$2; shift 2 ;;
	--seconds) SECS=$2; shift 2 ;;
	--requests) REQS=$2; shift 2 ;;
	--keys) KEYS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	-h|--help) usage ;;
	-*) echo "repl_bench.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 2 ] || usage
WREPS=${WREPS:-$REPS}
TAP_CC=${TAP_CC:-cubic}
FERRYD=$(readlink -f "$1") EMU=$(readlink -f "$2")
[ -x "$FERRYD" ] && [ -x "$EMU" ] || { echo "repl_bench.sh: need FERRYD and FERRY-LINKEMU" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/repl_bench.XXXXXX)
mkdir -p "$OUT"
RAW=$OUT/raw.csv RES=$OUT/results.md
: >"$RAW"; : >"$RES"

A=198.18.51.2
NS=(rb-a rb-b rb-c rb-d)
ADDR=(198.18.51.2 198.18.52.2 198.18.53.2 198.18.54.2)
GEO_PID='' RPIDS=()

cleanup() {
	local rc=$? p
	trap - EXIT INT TERM
	for p in "${RPIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	ip netns del rb-r 2>/dev/null || true
	if [ -n "$GEO_PID" ] && kill -0 "$GEO_PID" 2>/dev/null; then
		kill -TERM "$GEO_PID"
		for _ in $(seq 1 60); do kill -0 "$GEO_PID" 2>/dev/null || break; sleep 1; done
	fi
	echo "repl_bench.sh: cleaned up; results in $OUT (load $(cut -d' ' -f1-3 /proc/loadavg))"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say() { printf '\n== %s\n' "$*" | tee -a "$OUT/bench.log"; }
run() { echo "+ $*" | tee -a "$OUT/bench.log" >&2; "$@"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
rec() { echo "$*" >>"$RAW"; echo "  raw: $*"; }
cli() { # REGION-FROM REGION-TO ARGS...
	local f=$1 t=$2; shift 2
	ip netns exec "${NS[$f]}" timeout 20 redis-cli -h "${ADDR[$t]}" -p 6379 "$@"
}
field() { tr -d '\r' | awk -F: -v f="$1" '$1 == f { print $2 }'; }
offset_of() { # REGION (read in its own region)
	if [ "$1" = 0 ]; then cli 0 0 info replication | field master_repl_offset
	else cli "$1" "$1" info replication | field slave_repl_offset; fi
}
link_of() { cli "$1" "$1" info replication | field master_link_status; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
pss_kb() { awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
now() { date +%s.%N; }
# the time the hypervisor ran something else on this VM's CPUs (all CPUs
# added; /proc/stat counts it in 10 ms ticks): a stall no priority helps
steal_ms() { awk '$1 == "cpu" { print $9 * 10; exit }' /proc/stat; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { # CASE CONFIG FIELD-INDEX -> median over the repetitions
	awk -F, -v c="$1" -v g="$2" -v i="$3" '$1 == c && $2 == g { print $i }' "$RAW" | median
}
all() { awk -F, -v c="$1" -v g="$2" -v i="$3" '$1 == c && $2 == g { printf "%s%s", s, $i; s = " " }' "$RAW"; }

master_of() { # REGION: A's address as that replica reaches it
	if [ "$WAN_PATH" = memif ]; then echo "198.18.$((60 + $1)).1"; else echo "$A"; fi
}
attach() { # REGION: replicate A, wait for the link
	local t
	cli "$1" "$1" replicaof "$(master_of "$1")" 6379 >/dev/null
	for t in $(seq 1 600); do
		[ "$(link_of "$1")" = up ] && return 0
		sleep 0.1
	done
	echo "region $1 did not come up" >&2; return 1
}
detach() { cli "$1" "$1" replicaof no one >/dev/null; }
wait_caught_up() { # REGIONS...: until each replica's offset >= A's (read
	# once at the start), polled every 2 ms from rb-a; prints the time then
	local r hosts=()
	for r in "$@"; do hosts+=("${ADDR[$r]}"); done
	ip netns exec rb-a timeout "$((${CATCHUP_S:-120} + 10))" $PY - "$A" "${CATCHUP_S:-120}" "${hosts[@]}" <<'EOF'
import sys, time, redis
def c(h):
    return redis.Redis(host=h, port=6379, socket_timeout=5)
want = int(c(sys.argv[1]).info("replication")["master_repl_offset"])
end = time.time() + float(sys.argv[2])
for h in sys.argv[3:]:
    r = c(h)
    while int(r.info("replication").get("slave_repl_offset", -1)) < want:
        if time.time() > end:
            sys.exit("replica %s did not catch up with offset %d" % (h, want))
        time.sleep(0.002)
print("%.3f" % time.time())
EOF
}
lectl() { $PY "$HERE/linkemu/lectl.py" "$@" >/dev/null; }
has() { case ",$CASES," in *,$1,*) return 0 ;; esac; return 1; }

{
	echo "# repl_bench $(date -u +%FT%TZ)"
	echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(uname -r), shared with other jobs; load at start $(load)"
	echo "ferryd: $FERRYD; emulator: $EMU; reps $REPS; WAN path: $WAN_PATH; lag load nice $LOAD_NICE; real-time priorities: ${RT_PRIO:-off}${RT_PRIO:+ ($RT_SCOPE)}; lag stamps by the $LAG_STAMP; lag load $LAG_LOAD; more ferryd options: ${FERRYD_ARGS:-none}; more emulator options: ${EMU_ARGS:-none}"
} | tee "$RES"

# ---- the geo deployment (all cases but redis) ---------------------------------
if has rate || has lag || has tap || has wan || has catchup || has fullsync; then
	# C and D only for the rate case's three replicas: idle, each
	# ferryd and its emulator still cost ~10-15% of a core polling, which
	# a 2-core box takes from the stream
	NREG=2
	has rate && NREG=4
	say "geo: $NREG regions, zero-delay links"
	mkdir -p "$OUT/geo"
	GEO_ARGS=()
	[ -z "$FERRYD_ARGS" ] || GEO_ARGS+=(--ferryd-args "$FERRYD_ARGS")
	[ -z "$EMU_ARGS" ] || GEO_ARGS+=(--linkemu-args "$EMU_ARGS")
	echo "+ FERRY_RUNDIR=$OUT/geo tools/geo.sh --name rb --regions $NREG --delay 0ms --wan $WAN_PATH${GEO_ARGS[@]+$(printf ' %q' "${GEO_ARGS[@]}")} up $FERRYD $EMU" | tee -a "$OUT/bench.log"
	FERRY_RUNDIR=$OUT/geo LE_TIMEOUT=7200 "$HERE/geo.sh" --name rb --regions "$NREG" \
		${GEO_ARGS[@]+"${GEO_ARGS[@]}"} \
		--delay 0ms --wan "$WAN_PATH" up "$FERRYD" "$EMU" >"$OUT/geo.log" 2>&1 &
	GEO_PID=$!
	for t in $(seq 1 240); do
		grep -q 'geo.sh: up' "$OUT/geo.log" && break
		kill -0 "$GEO_PID" 2>/dev/null || { cat "$OUT/geo.log"; exit 1; }
		sleep 1
	done
	grep -q 'geo.sh: up' "$OUT/geo.log" || { cat "$OUT/geo.log"; exit 1; }
	PID_A=$(cat "$OUT/geo/rb-a.pid") PID_B=$(cat "$OUT/geo/rb-b.pid")
	echo "geo up (ferryd A pid $PID_A, B pid $PID_B); load $(load)"
	if [ -n "$RT_PRIO" ]; then
		case $RT_SCOPE in wire) up=0 rp= ;; replicas) up=2 rp=1 ;; all) up=3 rp=2 ;; esac
		[ "$RT_SCOPE" != all ] || run chrt -a -f -p "$RT_PRIO" "$PID_A" >/dev/null
		for i in $(seq 1 $((NREG - 1))); do
			l=(a b c d)
			[ -z "$rp" ] ||
				run chrt -a -f -p "$((RT_PRIO + rp))" "$(cat "$OUT/geo/rb-${l[$i]}.pid")" >/dev/null
			for p in $(ip netns pids "rb-x$i"); do
				run chrt -a -f -p "$((RT_PRIO + up))" "$p" >/dev/null
			done
		done
	fi
fi
STAMP_RT=()
[ -z "$RT_PRIO" ] || [ "$RT_SCOPE" != all ] || STAMP_RT=(chrt -f "$((RT_PRIO + 1))")

bench_set() { # LABEL REPLICAS...: one rate run
	local label=$1 t0 t1 rps n=$REQS; shift
	cli 0 0 flushall >/dev/null
	[ $# -eq 0 ] || wait_caught_up "$@" >/dev/null
	t0=$(now)
	rps=$(run ip netns exec rb-a timeout 300 redis-benchmark -h "$A" -p 6379 \
		-t set -n "$n" -c 50 -P 16 -r 1000000 -d 16 --csv 2>/dev/null |
		awk -F'"' '$2 == "SET" { print $4 }')
	t1=$rps
	if [ $# -gt 0 ]; then
		t1=$(awk -v n="$n" -v a="$t0" -v b="$(wait_caught_up "$@")" 'BEGIN { printf "%.0f", n / (b - a) }')
	fi
	rec "rate,$label,$rps,$t1,$(load | tr ' ' ';')"
}

if has rate; then
	say "rate: primary SET rate with 3, 1, 0 replicas (redis-benchmark -P 16 -c 50 -n $REQS, 16-byte values)"
	for r in $(seq 1 "$REPS"); do bench_set 3rep 1 2 3; done
	detach 2; detach 3
	for r in $(seq 1 "$REPS"); do bench_set 1rep 1; done
	detach 1
	for r in $(seq 1 "$REPS"); do bench_set 0rep; done
	attach 1
	{
		echo
		echo "## rate (issue 4): SET -P 16 -c 50 -n $REQS on A; replicas over zero-delay ferry-linkemu links"
		echo "| replicas | primary SET/s (median) | applied by every replica, writes/s (median) | runs (primary) | runs (replicas) |"
		echo "|---|---|---|---|---|"
		for c in 0rep 1rep 3rep; do
			if [ $c = 0rep ]; then
				echo "| 0 | $(col rate $c 3) | - | $(all rate $c 3) | - |"
			else
				echo "| ${c%rep} | $(col rate $c 3) | $(col rate $c 4) | $(all rate $c 3) | $(all rate $c 4) |"
			fi
		done
	} | tee -a "$RES"
fi

lag_run() { # CASE LABEL SECONDS BGLOAD-ARGS...: geo_watch with background load
	local c=$1 label=$2 s=$3 lp sp; shift 3
	# the load runs until the watch ends (a starved box may start the
	# watch late), at most s + 60 seconds
	ip netns exec rb-a timeout "$((s + 60))" nice -n "$LOAD_NICE" \
		redis-benchmark -h "$A" -p 6379 "$@" -n 1000000000 -q >"$OUT/$c-$label.load" 2>&1 &
	lp=$!
	if [ "$LAG_STAMP" = primary ]; then
		cli 0 0 config set repl-lag-probe-key geo:stamp >/dev/null
		cli 0 0 config set repl-lag-probe-ms 5 >/dev/null
		: >"$OUT/$c-$label.stamp"
		sp=""
	else
		# its last line: the SET round trip, which bounds the client
		# leg inside every stamp's lag
		ip netns exec rb-a timeout "$((s + 5))" "${STAMP_RT[@]}" $PY "$HERE/geo_watch.py" stamp \
			--primary "$A:6379" --every-ms 5 --seconds "$((s + 2))" \
			>"$OUT/$c-$label.stamp" 2>&1 &
		sp=$!
	fi
	sleep 0.5
	o0=$(offset_of 1); t0=$(now); st0=$(steal_ms)
	run ip netns exec rb-b timeout "$((s + 20))" nice -n "$LOAD_NICE" $PY "$HERE/geo_watch.py" watch \
		--primary "$A:6379" --replica "${ADDR[1]}:6379" --seconds "$s" \
		--json "$OUT/$c-$label.json" >"$OUT/$c-$label.watch" || true
	o1=$(offset_of 1); t1=$(now)
	echo $(($(steal_ms) - st0)) >"$OUT/$c-$label.steal"
	kill "$lp" 2>/dev/null || true
	cli 0 0 info all >"$OUT/$c-$label.info-a" 2>&1 || true
	[ "$LAG_STAMP" = client ] || cli 0 0 config set repl-lag-probe-ms 0 >/dev/null
	wait "$lp" $sp 2>/dev/null || true
	tail -1 "$OUT/$c-$label.watch"
	$PY - "$OUT/$c-$label.json" "$c" "$label" "$o0" "$o1" "$t0" "$t1" "$(load | tr ' ' ';')" >>"$RAW" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
s = j["samples"]
cmds = sorted(x["cmds_per_sec"] for x in s[1:]) or [0]
bps = (int(sys.argv[5]) - int(sys.argv[4])) / (float(sys.argv[7]) - float(sys.argv[6]))
pr = j.get("probe") or {}
f = lambda k: "%.3f" % (pr[k] / 1000.0) if pr.get("samples") else "nan"
print("%s,%s,%.2f,%.2f,%d,%d,%.0f,%s,%s,%s" % (sys.argv[2], sys.argv[3], j["lag_ms_p50"],
      j["lag_ms_p99"], j["n"], cmds[len(cmds) // 2], bps, f("p50_us"), f("p99_us"),
      sys.argv[8]))
EOF
	tail -1 "$RAW"
}

if has lag; then
	say "lag: zero-delay link, background SET load (redis-benchmark $LAG_LOAD), batching default / off / window 1000us"
	for r in $(seq 1 "$REPS"); do
		for cfg in default:0:65536 off:0:1 win1ms:1000:65536; do
			IFS=: read -r label w b <<<"$cfg"
			run cli 0 0 config set repl-batch-window-us "$w" >/dev/null
			run cli 0 0 config set repl-batch-bytes "$b" >/dev/null
			lag_run lag "$label" "$SECS" -t set "${LAG_CP[@]}" -r 100000 -d 16
		done
	done
	cli 0 0 config set repl-batch-window-us 0 >/dev/null
	cli 0 0 config set repl-batch-bytes 65536 >/dev/null
	{
		echo
		echo "## lag (issue 4): zero-delay link, ${SECS}s windows, stamps every 5 ms, background SET $LAG_LOAD"
		echo "| batching | lag p50 ms | lag p99 ms | in ferry p50 ms | in ferry p99 ms | A cmds/s | stream B/s | runs p50 | runs p99 | runs in ferry p99 |"
		echo "|---|---|---|---|---|---|---|---|---|---|"
		for c in default off win1ms; do
			echo "| $c | $(col lag $c 3) | $(col lag $c 4) | $(col lag $c 8) | $(col lag $c 9) | $(col lag $c 6) | $(col lag $c 7) | $(all lag $c 3) | $(all lag $c 4) | $(all lag $c 9) |"
		done
	} | tee -a "$RES"
fi

if has tap || has wan; then
	# the A<->B link: kernel addresses 198.18.61.1 (rb-a) and .2 (rb-b)
	TAPSINK=$OUT/tcp_pipe.py
	cat >"$TAPSINK" <<'EOF'
import socket, sys, time
mode, secs = sys.argv[1], float(sys.argv[2])
if mode == "sink":
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("198.18.61.2", 5201)); s.listen(1); s.settimeout(secs + 20)
    c, _ = s.accept(); c.settimeout(5); n = 0; t0 = None
    while True:
        try:
            d = c.recv(1 << 20)
        except socket.timeout:
            break
        if not d:
            break
        if t0 is None:
            t0 = time.time()
        n += len(d); t1 = time.time()
    print("%d %.3f" % (n, t1 - t0))
else:
    # the congestion control is chosen, not the kernel's default (BBR on
    # some machines): sys.argv[3], cubic unless said
    c = socket.socket()
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION,
                 (sys.argv[3] if len(sys.argv) > 3 else "cubic").encode())
    c.settimeout(10); c.connect(("198.18.61.2", 5201))
    buf = b"x" * 65536; end = time.time() + secs
    while time.time() < end:
        c.sendall(buf)
    c.close()
EOF
fi

if has tap && [ "$WAN_PATH" = memif ]; then
	say "tap: skipped (WAN_PATH=memif: the kernels' path does not cross the emulator)"
elif has tap; then
	say "tap: kernel TCP rb-a -> rb-b across the emulator, ${SECS}s"
	X1=/tmp/rb-x1.sock
	for r in $(seq 1 "$REPS"); do
		for sh in raw 0ms 35ms 125ms; do
			if [ $sh = raw ]; then
				run lectl "$X1" 'reset both'
			else
				run lectl "$X1" 'reset both' "set both delay $sh rate $WAN_RATE limit $WAN_LIMIT"
			fi
			ip netns exec rb-b timeout "$((SECS + 30))" $PY "$TAPSINK" sink "$SECS" >"$OUT/tap.$r" &
			sp=$!
			sleep 0.5
			lectl "$X1" 'stats reset'
			run ip netns exec rb-a timeout "$((SECS + 10))" $PY "$TAPSINK" send "$SECS" "$TAP_CC" || true
			wait "$sp" || true
			$PY "$HERE/linkemu/lectl.py" "$X1" stats >"$OUT/tap-$sh.stats.$r" || true
			read -r n dt <"$OUT/tap.$r" || true
			fr=$(sed -n 's/^a2b received=[0-9]* forwarded=\([0-9]*\).*/\1/p' "$OUT/tap-$sh.stats.$r")
			rec "tap,$sh,$(awk -v n="${n:-0}" -v t="${dt:-1}" -v f="${fr:-0}" 'BEGIN { printf "%.0f,%.1f,%.0f,%.0f", n / t, n * 8 / t / 1e6, f / t, n / (f ? f : 1) }'),$(load | tr ' ' ';')"
		done
	done
	run lectl "$X1" 'reset both'
	{
		echo
		echo "## tap path alone (Python TCP sender, Linux $TAP_CC, kernel to kernel across ferry-linkemu A<->B, ${SECS}s)"
		echo "| link | bytes/s (median) | Mbit/s (median) | a2b frames/s | payload bytes/frame | runs Mbit/s |"
		echo "|---|---|---|---|---|---|"
		for sh in raw 0ms 35ms 125ms; do
			echo "| $([ $sh = raw ] && echo 'no shaping' || echo "$sh, rate $WAN_RATE") | $(col tap $sh 3) | $(col tap $sh 4) | $(col tap $sh 5) | $(col tap $sh 6) | $(all tap $sh 4) |"
		done
	} | tee -a "$RES"
fi

tput_run() { # LABEL SECONDS: saturating SET load, stream bytes/s made on A and reaching B
	local label=$1 s=$2 lp oa0 ob0 oa1 ob1 t0 t1
	run ip netns exec rb-a timeout "$((s + 1))" redis-benchmark -h "$A" -p 6379 \
		-t set -c 8 -P 16 -r 10000 -d 1024 -n 1000000000 -q >/dev/null 2>&1 &
	lp=$!
	sleep 1
	oa0=$(offset_of 0); ob0=$(offset_of 1); t0=$(now)
	sleep "$((s - 2))"
	oa1=$(offset_of 0); ob1=$(offset_of 1); t1=$(now)
	wait "$lp" 2>/dev/null || true
	rec "wantput,$label,$(awk -v a0="$oa0" -v a1="$oa1" -v b0="$ob0" -v b1="$ob1" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.0f,%.0f", (a1 - a0) / (t1 - t0), (b1 - b0) / (t1 - t0) }'),$(load | tr ' ' ';')"
}

if has wan; then
	say "wan (issue 6): link A<->B rate $WAN_RATE, delay x loss; C, D detached; per setting: fresh sync, ${SECS}s saturating SET -d 1024 (throughput), catch-up, ${SECS}s light SET $LAG_LOAD with stamps (lag)"
	detach 2 || true; detach 3 || true
	# the saturating load writes faster than 1 Gbit/s: with the default
	# 'replica 256mb 64mb 60' A drops B once 256 MB wait (Redis's rule;
	# B then full-syncs again and the window measures reconnections), so
	# for the link's rate the replica's output buffer is unlimited here
	run cli 0 0 config set client-output-buffer-limit 'replica 0 0 0'
	X1=/tmp/rb-x1.sock
	WAN=${WAN_SET:-"0ms-0% 35ms-0% 125ms-0% 0ms-1% 35ms-1% 125ms-1%"}
	for r in $(seq 1 "$WREPS"); do
		for dl in $WAN; do
			d=${dl%-*} l=${dl#*-}
			detach 1
			run lectl "$X1" 'reset both' "set both delay $d loss $l rate $WAN_RATE limit $WAN_LIMIT"
			cli 0 0 flushall >/dev/null
			t0=$(now)
			attach 1 || { rec "wansync,$dl,nan"; continue; }
			rec "wansync,$dl,$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')"
			lectl "$X1" 'stats reset'
			tput_run "$dl" "$SECS"
			cli 0 0 info replication >"$OUT/wan-$dl.info.$r" 2>&1 || true
			echo "ferryd A VmRSS $(rss_kb "$PID_A") kB" >>"$OUT/wan-$dl.info.$r"
			t0=$(now)
			if tc=$(CATCHUP_S=30 wait_caught_up 1); then
				rec "wancatch,$dl,$(awk -v a="$t0" -v b="$tc" 'BEGIN { printf "%.2f", b - a }')"
				lectl "$X1" 'stats reset'
				lag_run wan "$dl" "$SECS" -t set "${LAG_CP[@]}" -r 10000 -d 16
				# where the lag's tail goes: the emulator's lateness
				# (a frame released after its time: the box did not
				# run it) and the stamper's SET round trip, this run
				$PY "$HERE/linkemu/lectl.py" "$X1" stats >"$OUT/wan-$dl.lagstats.$r" || true
				rec "wansteal,$dl,$(cat "$OUT/wan-$dl.steal")"
				rec "wanlagdiag,$dl,$(awk '$1 == "a2b" { for (k = 2; k <= NF; k++) { split($k, kv, "="); if (kv[1] == "late_max_ns") mx = kv[2]; if (kv[1] == "late_hist") { n = split(kv[2], h, ","); for (i = 1; i <= n; i++) tot += h[i]; l1 = h[n - 2] + h[n - 1] + h[n]; l2 = h[n - 1] + h[n] } } } END { printf "%.2f,%.2f,%.2f", tot ? 100 * l1 / tot : 0, tot ? 100 * l2 / tot : 0, mx / 1e6 }' "$OUT/wan-$dl.lagstats.$r"),$(sed -n 's/.*SET round trip p50 \([0-9.]*\) ms, p99 \([0-9.]*\) ms.*/\1,\2/p' "$OUT/wan-$dl.stamp")"
			else
				rec "wancatch,$dl,nan"
				rec "wan,$dl,nan,nan,0,0,0,nan,nan,$(load | tr ' ' ';')"
			fi
			$PY "$HERE/linkemu/lectl.py" "$X1" stats >"$OUT/wan-$dl.stats.$r" || true
			FERRY_RUNDIR=$OUT/geo timeout 10 "$HERE/netns.sh" stats rb-a >>"$OUT/wan-$dl.info.$r" 2>&1 || true
			rec "wandrops,$dl,$(sed -n 's/^a2b .*dropped_loss=\([0-9]*\).*dropped_queue=\([0-9]*\).*late_max_ns=\([0-9]*\).*/\1,\2,\3/p' "$OUT/wan-$dl.stats.$r")"
		done
	done
	run lectl "$X1" 'reset both'
	{
		echo
		echo "## wan (issue 6): A<->B 'rate $WAN_RATE limit $WAN_LIMIT' + delay/loss both ways; throughput: ${SECS}s SET -c 8 -P 16 -d 1024 on A; lag: ${SECS}s SET $LAG_LOAD -d 16 + stamps every 5 ms"
		echo "| one-way delay / loss | stream made on A, Mbit/s | reaching B, Mbit/s | % of $WAN_RATE | catch-up s | lag p50 ms | lag p99 ms | in ferry p50 ms | in ferry p99 ms | A cmds/s (lag run) | runs B Mbit/s | runs p99 | runs in ferry p99 | a2b lost/queue-dropped (last run) |"
		echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
		for dl in $WAN; do
			ma=$(col wantput "$dl" 3) mb=$(col wantput "$dl" 4)
			echo "| ${dl/-/ \/ } | $(awk -v b="$ma" 'BEGIN { printf "%.1f", b * 8 / 1e6 }') | $(awk -v b="$mb" 'BEGIN { printf "%.1f", b * 8 / 1e6 }') | $(awk -v b="$mb" -v r="$RATE_BPS" 'BEGIN { printf "%.1f", b * 8 * 100 / r }') | $(col wancatch "$dl" 3) | $(col wan "$dl" 3) | $(col wan "$dl" 4) | $(col wan "$dl" 8) | $(col wan "$dl" 9) | $(col wan "$dl" 6) | $(all wantput "$dl" 4 | awk '{ for (i = 1; i <= NF; i++) printf "%s%.0f", (i > 1 ? " " : ""), $i * 8 / 1e6 }') | $(all wan "$dl" 4) | $(all wan "$dl" 9) | $(awk -F, -v g="$dl" '$1 == "wandrops" && $2 == g { x = $3 "/" $4 } END { print x }' "$RAW") |"
		done
		echo
		echo "During the lag runs: a2b frames the emulator released >= 1 ms and >= 2 ms after their time (%: the box did not run it; at 0 ms delay frames do not wait, so this reads ~0), its latest (ms); the time the hypervisor took from this VM's CPUs during the run (steal, both CPUs); the stamper's SET round trip p50 / p99 (ms), which bounds the client leg inside each stamp's lag"
		echo "| one-way delay / loss | late >= 1 ms, % (runs) | late >= 2 ms, % (runs) | late max ms (runs) | host steal ms (runs) | SET round trip p50 / p99 ms (last run) |"
		echo "|---|---|---|---|---|---|"
		for dl in $WAN; do
			echo "| ${dl/-/ \/ } | $(all wanlagdiag "$dl" 3) | $(all wanlagdiag "$dl" 4) | $(all wanlagdiag "$dl" 5) | $(all wansteal "$dl" 3) | $(awk -F, -v g="$dl" '$1 == "wanlagdiag" && $2 == g { x = $6 " / " $7 } END { print x }' "$RAW") |"
		done
	} | tee -a "$RES"
fi

if has catchup; then
	say "catchup: link A<->B rate $WAN_RATE limit $WAN_LIMIT; partition, ${CATCH_MB} MB of SET -d 1024 on A, heal; B's offset every 0.2 s"
	detach 2 || true; detach 3 || true
	run cli 0 0 config set client-output-buffer-limit 'replica 0 0 0'
	bl=$((CATCH_MB * 5 / 4)); [ "$bl" -ge 1024 ] || bl=1024
	run cli 0 0 config set repl-backlog-size "${bl}mb"
	X1=/tmp/rb-x1.sock
	for r in $(seq 1 "$REPS"); do
		for d in ${CATCH_SET:-35ms}; do
			run lectl "$X1" 'reset both' "set both delay $d rate $WAN_RATE limit $WAN_LIMIT"
			[ "$(link_of 1)" = up ] || attach 1 || { rec "catchup,$d,nan,nan,0"; continue; }
			wait_caught_up 1 >/dev/null || true
			lectl "$X1" 'partition on'
			run ip netns exec rb-a timeout 300 redis-benchmark -h "$A" -p 6379 -t set \
				-n "$((CATCH_MB * 1024))" -c 8 -P 16 -r 10000 -d 1024 -q >/dev/null 2>&1 || true
			want=$(offset_of 0) behind=$((want - $(offset_of 1)))
			lectl "$X1" 'partition off'
			ip netns exec rb-b timeout 140 $PY - "${ADDR[1]}" "$want" >"$OUT/catchup-$d.$r" <<'EOF2' || true
import sys, time, redis
b = redis.Redis(host=sys.argv[1], port=6379, socket_timeout=5)
want = int(sys.argv[2]); t0 = time.time(); rows = []
while time.time() - t0 < 120:
    # the offset was read somewhere inside the request: stamp it at the
    # request's midpoint (a slow reply on a loaded box otherwise shifts a
    # 3 s window by its whole latency)
    t1 = time.time()
    o = int(b.info("replication").get("slave_repl_offset", 0))
    rows.append(((t1 + time.time()) / 2 - t0, o))
    print("%.2f %d" % rows[-1], flush=True)
    if o >= want:
        break
    time.sleep(0.2)
EOF2
			$PY - "$OUT/catchup-$d.$r" "$want" "$behind" "$d" "$(load | tr ' ' ';')" >>"$RAW" <<'EOF2'
import sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
want, behind = int(sys.argv[2]), int(sys.argv[3])
done = rows and rows[-1][1] >= want
best = 0.0
for i in range(len(rows)):
    for j in range(i + 1, len(rows)):
        if rows[j][0] - rows[i][0] >= 3.0:
            best = max(best, (rows[j][1] - rows[i][1]) / (rows[j][0] - rows[i][0]))
            break
print("catchup,%s,%s,%.0f,%d,%s" % (sys.argv[4], "%.2f" % rows[-1][0] if done else "nan",
      best, behind, sys.argv[5]))
EOF2
			tail -1 "$RAW"
		done
	done
	run lectl "$X1" 'reset both'
	{
		echo
		echo "## catchup: A<->B 'rate $WAN_RATE limit $WAN_LIMIT'; ${CATCH_MB} MB of SET -d 1024 written on A while partitioned, then healed"
		echo "| one-way delay | bytes behind | catch-up s (median) | best 3 s, Mbit/s (median) | % of $WAN_RATE | runs best 3 s |"
		echo "|---|---|---|---|---|---|"
		for d in ${CATCH_SET:-35ms}; do
			bb=$(col catchup "$d" 4)
			echo "| $d | $(col catchup "$d" 5) | $(col catchup "$d" 3) | $(awk -v b="$bb" 'BEGIN { printf "%.1f", b * 8 / 1e6 }') | $(awk -v b="$bb" -v r="$RATE_BPS" 'BEGIN { printf "%.1f", b * 8 * 100 / r }') | $(all catchup "$d" 4 | awk '{ for (i = 1; i <= NF; i++) printf "%s%.0f", (i > 1 ? " " : ""), $i * 8 / 1e6 }') |"
		done
	} | tee -a "$RES"
fi

# RESP for N keys "key:%010d" -> 16-byte values
make_keys() {
	[ -s "$OUT/keys.resp" ] || $PY - "$KEYS" >"$OUT/keys.resp" <<'EOF'
import sys
n = int(sys.argv[1]); out = sys.stdout.buffer
for i in range(n):
    k = b"key:%010d" % i; v = b"val:%012d" % i
    out.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v))
EOF
}

sample_rss() { # OUTFILE PID... : until killed, every 50 ms "t rss..."
	local f=$1; shift
	while :; do
		echo "$(now) $(for p in "$@"; do rss_kb "$p"; done | tr '\n' ' ')" >>"$f"
		sleep 0.05
	done
}

if has fullsync; then
	say "fullsync: $KEYS keys on A, B re-attached"
	lectl /tmp/rb-x1.sock 'reset both'
	detach 1; detach 2 || true; detach 3 || true
	make_keys
	cli 0 0 flushall >/dev/null
	cli 1 1 flushall >/dev/null
	run ip netns exec rb-a timeout 300 redis-cli -h "$A" -p 6379 --pipe <"$OUT/keys.resp" | tail -1
	[ "$(cli 0 0 dbsize)" = "$KEYS" ] || { echo "A holds $(cli 0 0 dbsize) keys, want $KEYS" >&2; exit 1; }
	for r in $(seq 1 "$REPS"); do
		detach 1
		cli 1 1 flushall >/dev/null
		sleep 1
		ra0=$(rss_kb "$PID_A") rb0=$(rss_kb "$PID_B")
		: >"$OUT/fullsync.rss.$r"
		sample_rss "$OUT/fullsync.rss.$r" "$PID_A" "$PID_B" &
		smp=$!
		t0=$(now)
		run cli 1 1 replicaof "$A" 6379 >/dev/null
		for t in $(seq 1 3000); do
			[ "$(link_of 1)" = up ] && [ "$(cli 1 1 dbsize)" = "$KEYS" ] && break
			sleep 0.02
		done
		t1=$(now)
		kill "$smp"; wait "$smp" 2>/dev/null || true
		[ "$(cli 1 1 dbsize)" = "$KEYS" ] || { echo "B holds $(cli 1 1 dbsize) keys" >&2; exit 1; }
		sleep 1
		ra1=$(rss_kb "$PID_A") rb1=$(rss_kb "$PID_B")
		pa=$(awk '{ print $2 }' "$OUT/fullsync.rss.$r" | sort -n | tail -1)
		pb=$(awk '{ print $3 }' "$OUT/fullsync.rss.$r" | sort -n | tail -1)
		rec "fullsync,ferry,$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'),$((ra0 / 1024)),$((pa / 1024)),$((ra1 / 1024)),$((rb0 / 1024)),$((pb / 1024)),$((rb1 / 1024)),0,$(load | tr ' ' ';')"
	done
fi

if has redis; then
	say "redis: redis-server $KEYS keys master -> replica on 127.0.0.1 in namespace rb-r"
	make_keys
	ip netns add rb-r
	ip -n rb-r link set lo up
	mkdir -p "$OUT/rm" "$OUT/rr"
	ip netns exec rb-r redis-server --port 6400 --bind 127.0.0.1 --save '' --appendonly no \
		--dir "$OUT/rm" --repl-diskless-sync-delay 0 --logfile "$OUT/rm.log" &
	RPIDS+=($!) RM=$!
	ip netns exec rb-r redis-server --port 6401 --bind 127.0.0.1 --save '' --appendonly no \
		--dir "$OUT/rr" --repl-diskless-load disabled --logfile "$OUT/rr.log" &
	RPIDS+=($!) RR=$!
	rcli() { ip netns exec rb-r timeout 20 redis-cli -p "$@"; }
	for t in $(seq 1 50); do [ "$(rcli 6400 ping 2>/dev/null)" = PONG ] && [ "$(rcli 6401 ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
	run ip netns exec rb-r timeout 300 redis-cli -p 6400 --pipe <"$OUT/keys.resp" | tail -1
	[ "$(rcli 6400 dbsize)" = "$KEYS" ] || { echo "redis master holds $(rcli 6400 dbsize) keys" >&2; exit 1; }
	for r in $(seq 1 "$REPS"); do
		for dl in yes no; do
			rcli 6401 replicaof no one >/dev/null
			rcli 6401 flushall >/dev/null
			run rcli 6400 config set repl-diskless-sync "$dl" >/dev/null
			sleep 1
			ra0=$(rss_kb "$RM") rb0=$(rss_kb "$RR") pc=0 cpss=0
			: >"$OUT/redis-$dl.rss.$r"
			sample_rss "$OUT/redis-$dl.rss.$r" "$RM" "$RR" &
			smp=$!
			t0=$(now)
			run rcli 6401 replicaof 127.0.0.1 6400 >/dev/null
			for t in $(seq 1 3000); do
				for c in $(pgrep -P "$RM" 2>/dev/null); do
					x=$(rss_kb "$c"); [ "${x:-0}" -gt "$pc" ] && pc=$x
					x=$(pss_kb "$c"); [ "${x:-0}" -gt "$cpss" ] && cpss=$x
				done
				[ "$(rcli 6401 info replication | field master_link_status)" = up ] &&
					[ "$(rcli 6401 dbsize)" = "$KEYS" ] && break
				sleep 0.02
			done
			t1=$(now)
			kill "$smp"; wait "$smp" 2>/dev/null || true
			[ "$(rcli 6401 dbsize)" = "$KEYS" ] || { echo "redis replica holds $(rcli 6401 dbsize) keys" >&2; exit 1; }
			sleep 1
			ra1=$(rss_kb "$RM") rb1=$(rss_kb "$RR")
			pa=$(awk '{ print $2 }' "$OUT/redis-$dl.rss.$r" | sort -n | tail -1)
			pb=$(awk '{ print $3 }' "$OUT/redis-$dl.rss.$r" | sort -n | tail -1)
			rec "fullsync,redis-diskless-$dl,$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'),$((ra0 / 1024)),$((pa / 1024)),$((ra1 / 1024)),$((rb0 / 1024)),$((pb / 1024)),$((rb1 / 1024)),$((pc / 1024))/$((cpss / 1024)),$(load | tr ' ' ';')"
		done
	done
fi

if has fullsync || has redis; then
	{
		echo
		echo "## full sync of $KEYS keys (16-byte values): REPLICAOF on the replica until its link is up holding every key; RSS in MiB (VmRSS, sampled every 50 ms)"
		echo "| server | sync s (median) | primary RSS before / peak / after | replica RSS before / peak / after | redis fork child peak RSS/Pss | runs s |"
		echo "|---|---|---|---|---|---|"
		for g in ferry redis-diskless-yes redis-diskless-no; do
			grep -q "^fullsync,$g," "$RAW" || continue
			echo "| $g | $(col fullsync $g 3) | $(col fullsync $g 4) / $(col fullsync $g 5) / $(col fullsync $g 6) | $(col fullsync $g 7) / $(col fullsync $g 8) / $(col fullsync $g 9) | $(awk -F, -v g="$g" '$2 == g { print $10 }' "$RAW" | tail -1) | $(all fullsync $g 3) |"
		done
	} | tee -a "$RES"
fi
echo | tee -a "$RES"
echo "load at end $(load)" | tee -a "$RES"
