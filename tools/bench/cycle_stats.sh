#!/usr/bin/env bash
# cycle_stats.sh -- where ferryd's cycles go per request, per layer: ferryd
# --cycle-stats (1 data core) loaded by ferry-bench over net_memif, the
# per-layer counters of the measured run only (SIGUSR1 dump before and
# after, differenced), optionally a perf profile of ferryd.
#
#   tools/bench/cycle_stats.sh [OPTIONS] BUILD_DIR
#
#   BUILD_DIR        holds ferryd and ferry-bench (release build; nothing is
#                    built here)
#   -r R             repetitions of every case (default 3; medians)
#   -t S             seconds per measured run (default 3)
#   -c C             connections (default 50)
#   -s B             value size in bytes (default 16): the GET reply size
#   --server-core K  ferryd's core (default 0); --client-core K (default 1)
#   --perf S         also `perf record -e cpu-clock -g` ferryd for S seconds
#                    during one extra run of each case (perf.CASE.txt: the
#                    hottest symbols)
#   --out DIR        results (default: a fresh /tmp/cycle_stats.XXXXXX)
#   --net A.B.C      the memif /24 (default 198.18.48); --prefix P: EAL
#                    file prefixes P-s, P-cN (default cycPID)
#
# Cases (values of -s bytes, 16 by default): GET 16 B unpipelined (1 request per packet, C connections) and
# GET 16 B -P 16; keys preloaded (-r 10000) by a warm-up run, so every GET
# hits and every reply is verified.  Per case and repetition: SIGUSR1,
# ferry-bench -t get --duration S, SIGUSR1; the difference of the two
# "core 0 cycles:" lines is the cycles per request per layer (busy
# iterations over their commands), plus, per command of the run, idle
# polling, stalled iterations (over 1 ms: descheduled) and the time
# outside iterations (idle backoff, descheduled).  results.md: the medians; raw.csv
# every run.  memif addresses 198.18.48.0/24 or --net (two DPDK processes, no
# kernel traffic); every process started here is killed by PID on exit.
set -euo pipefail

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 2; }
die() { echo "cycle_stats.sh: $*" >&2; exit 1; }
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

REPS=3 SECS=3 CONNS=50 VSIZE=16 SCORE=0 CCORE=1 PERF=0 OUT='' BUILD=''
NET=198.18.48 PFX=cyc$$
while [ $# -gt 0 ]; do
	case $1 in
	-r) REPS=$2; shift 2 ;;
	-t) SECS=$2; shift 2 ;;
	-c) CONNS=$2; shift 2 ;;
	-s) VSIZE=$2; shift 2 ;;
	--server-core) SCORE=$2; shift 2 ;;
	--client-core) CCORE=$2; shift 2 ;;
	--perf) PERF=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--net) NET=$2; shift 2 ;;
	--prefix) PFX=$2; shift 2 ;;
	-h|--help) usage ;;
	-*) die "unknown option $1 (--help)" ;;
	*) [ -z "$BUILD" ] || die "one BUILD_DIR only"; BUILD=$1; shift ;;
	esac
done
[ -n "$BUILD" ] || usage
BUILD=$(cd "$BUILD" && pwd)
FERRYD=$BUILD/ferryd
FB=$BUILD/ferry-bench
[ -x "$FERRYD" ] && [ -x "$FB" ] || die "no ferryd / ferry-bench in $BUILD"
[ "$PERF" = 0 ] || command -v perf >/dev/null || die "no perf"
[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/cycle_stats.XXXXXX)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
SOCK=$OUT/memif.sock
SRV=$NET.2 CLI=$NET.1
SPID='' PPID_PERF='' N=0
: >"$OUT/raw.csv"

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	[ -z "$PPID_PERF" ] || kill -INT "$PPID_PERF" 2>/dev/null || true
	if [ -n "$SPID" ]; then
		kill -TERM "$SPID" 2>/dev/null || true
		for _ in $(seq 1 50); do
			kill -0 "$SPID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$SPID" 2>/dev/null || true
		wait "$SPID" 2>/dev/null || true
	fi
	rm -rf /var/run/dpdk/"$PFX"-*
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

LOG=$OUT/ferryd.log
ferryd_up() {
	local cmd=(taskset -c "$SCORE" "$FERRYD" -l "$SCORE" --no-huge -m 1024
		--no-pci --file-prefix "$PFX-s"
		--vdev "net_memif0,role=server,socket=$SOCK" -- --addr "$SRV/24"
		--cycle-stats)
	echo "${cmd[*]}" >"$OUT/commands.txt"
	"${cmd[@]}" >"$LOG" 2>&1 &
	SPID=$!
	for _ in $(seq 1 200); do
		grep -q "serving RESP" "$LOG" && return 0
		kill -0 "$SPID" 2>/dev/null || die "ferryd exited: $(tail -3 "$LOG")"
		sleep 0.1
	done
	die "ferryd did not start"
}

# dump -> the "core 0 cycles:" line of a fresh SIGUSR1 dump
dump() {
	local before
	before=$(grep -c "^stats end" "$LOG" || true)
	kill -USR1 "$SPID" 2>/dev/null || die "ferryd exited: $(tail -3 "$LOG")"
	for _ in $(seq 1 100); do
		[ "$(grep -c "^stats end" "$LOG" || true)" -gt "$before" ] && break
		sleep 0.05
	done
	[ "$(grep -c "^stats end" "$LOG" || true)" -gt "$before" ] ||
		die "ferryd did not dump its counters"
	grep "^core 0 cycles: " "$LOG" | tail -1
}

fbench() { # JSON ARGS...
	local json=$1; shift
	N=$((N + 1))
	local cmd=(taskset -c "$CCORE" "$FB" -l "$CCORE" --no-huge -m 1024
		--no-pci --file-prefix "$PFX-c$N"
		--vdev "net_memif0,role=client,socket=$SOCK" -- --addr "$CLI/24"
		-h "$SRV" "$@" -q --json "$json")
	local c
	c=$(echo "${cmd[*]}" | sed -E "s/$PFX-c[0-9]+/$PFX-cN/; s/-r[0-9]+\.json/-rR.json/")
	grep -qxF -- "$c" "$OUT/commands.txt" || echo "$c" >>"$OUT/commands.txt"
	timeout 120 "${cmd[@]}" >>"$OUT/ferry-bench.log" 2>&1
}

# diff CASE REP LINE0 LINE1 JSON -> raw.csv line
diffline() {
	python3 - "$@" <<'PY' >>"$OUT/raw.csv"
import json, sys
case, rep, a, b, js = sys.argv[1:6]
def kv(line):
    return {k: int(v) for k, v in (t.split("=") for t in line.split()[3:])}
a, b = kv(a), kv(b)
d = {k: b[k] - a[k] for k in b if k != "tsc_hz"}
cmds = d["commands"]
bc = d["busy_cmds"]
ops = 0.0
for p in json.load(open(js))["phases"]:
    if p["name"] == "GET":
        if p["errors_total"]:
            sys.exit("GET errors")
        ops = p["ops_per_sec"]
layers = ["rx", "eth_ip", "tcp_in", "resp", "store", "tcp_send", "timers",
          "tcp_out", "tx", "qsbr", "loop"]
row = [case, rep, "%.0f" % ops, str(cmds), "%.3f" % (d["rx_pkts"] / cmds),
       str(b["tsc_hz"])]
row += ["%.1f" % (d[l] / bc) for l in layers]
row += ["%.1f" % (d["busy"] / bc)]
row += ["%.1f" % (d[k] / cmds) for k in ("idle", "long", "outside")]
row += ["%.2f" % (bc / max(1, d["busy_iters"])), "%.3f" % (bc / cmds)]
print(",".join(row))
PY
}

ferryd_up
log "ferryd up (pid $SPID), out $OUT; load: $(cut -d' ' -f1-3 /proc/loadavg)"
uptime >"$OUT/load.txt"
fbench "$OUT/warm.json" -t get --preload -r 10000 -c "$CONNS" -d "$VSIZE" \
	--duration 1 || die "warm-up failed: see $OUT/ferry-bench.log"
for rep in $(seq 1 "$REPS"); do
	for p in 1 16; do
		json=$OUT/get-p$p-r$rep.json
		l0=$(dump)
		if ! fbench "$json" -t get -r 10000 -c "$CONNS" -P "$p" -d "$VSIZE" \
			--duration "$SECS"; then
			# a loaded box can starve a run: record it, go on
			log "rep $rep P=$p: ferry-bench failed (ferry-bench.log)"
			echo "p$p,$rep,failed" >>"$OUT/failed.csv"
			continue
		fi
		l1=$(dump)
		diffline "p$p" "$rep" "$l0" "$l1" "$json"
		log "rep $rep P=$p: $(tail -1 "$OUT/raw.csv")"
	done
done
if [ "$PERF" != 0 ]; then
	for p in 1 16; do
		# the data core is ferryd's main thread (-l K: main lcore)
		perf record -e cpu-clock -g -t "$SPID" -o "$OUT/perf.p$p.data" \
			-- sleep "$PERF" >"$OUT/perf.p$p.log" 2>&1 &
		PPID_PERF=$!
		fbench "$OUT/perf-p$p.json" -t get -r 10000 -c "$CONNS" -P "$p" \
			-d "$VSIZE" --duration "$((PERF + 1))" || true
		wait "$PPID_PERF" || true
		PPID_PERF=''
		perf report -i "$OUT/perf.p$p.data" --no-children --sort symbol \
			--stdio 2>/dev/null | grep -v "^#" | grep -v "^$" |
			grep "%" | head -40 >"$OUT/perf.p$p.txt" || true
	done
fi
uptime >>"$OUT/load.txt"
python3 - "$OUT/raw.csv" >"$OUT/results.md" <<'PY'
import statistics, sys
rows = [l.strip().split(",") for l in open(sys.argv[1]) if l.strip()]
cols = ["ops/s", "commands", "rx pkts/cmd", "tsc_hz", "rx", "eth_ip",
        "tcp_in", "resp", "store", "tcp_send", "timers", "tcp_out", "tx",
        "qsbr", "loop", "busy", "idle", "long", "outside",
        "cmds/busy iter", "busy cmd share"]
for case in ("p1", "p16"):
    rs = [r for r in rows if r[0] == case]
    if not rs:
        continue
    print("%s (%d runs, medians)" % (case, len(rs)))
    for i, c in enumerate(cols):
        vals = [float(r[2 + i]) for r in rs]
        print("  %-14s %12.1f   runs: %s" % (c, statistics.median(vals),
              " ".join(r[2 + i] for r in rs)))
PY
cat "$OUT/results.md"
log "done: $OUT"
