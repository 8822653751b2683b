#!/usr/bin/env bash
# ferry_vs_redis.sh -- ferryd loaded by ferry-bench over net_memif against
# redis-server loaded by redis-benchmark over loopback, and the memif
# ceiling (ferry-bench --echo), on one machine in one run.
#
#   tools/bench/ferry_vs_redis.sh [OPTIONS] BUILD_DIR
#
#   BUILD_DIR        holds ferryd and ferry-bench (use a release build:
#                    meson setup B --buildtype=release -Db_ndebug=true &&
#                    ninja -C B ferryd ferry-bench); nothing is built here
#   -r R             repetitions of every case (default 3; medians reported)
#   -t S             seconds per ferry-bench test (default 3, of which the
#                    first 0.5 s are warm-up, not recorded)
#   -n N             requests per unpipelined redis-benchmark test (default
#                    100000; -P 16 runs get 4 N)
#   -c C             connections (default 50), also the echo's frames in
#                    flight
#   --server-core K  core of ferryd / redis-server / the echo server (0)
#   --client-core K  core of ferry-bench / redis-benchmark / echo client (1)
#   --data-cores N   ferryd data cores K..K+N-1 and as many ferry-bench
#                    lcores K2..K2+N-1 (default 1): net_memif gets N queue
#                    pairs, queue i of the client meets queue i of ferryd,
#                    so each core pair shares a ring; -c is the total over
#                    all of them (redis-server stays on core K, its client
#                    on K2; the echo ceiling uses N cores each side too)
#   --cases LIST     which of ferry,redis,ceiling to run (default all three)
#   --sizes LIST     value sizes, of 16,1024 (default both)
#   --busy-poll      ferryd --busy-poll (default: its idle backoff)
#   --no-sweep       skip the latency-vs-throughput sweep
#   --out DIR        results (default: a fresh /tmp/ferry_vs_redis.XXXXXX)
#
# Cases (each repetition runs every case once, servers one at a time):
#   ferry:   ferryd -l K (1 data core) <- ferry-bench -l K2 over memif:
#            -t set,get --preload -r 10000 --duration S --warmup 0.5,
#            values 16 B and 1 KiB, unpipelined (1 request per packet,
#            C connections) and -P 16; every reply verified
#   redis:   redis-server (taskset K) <- redis-benchmark (taskset K2) on
#            127.0.0.1: -t set,get -r 10000 -n N, same sizes and -P
#   ceiling: ferry-bench --echo server (K) <- ferry-bench --echo client
#            (K2): C frames in flight, 64 B and 1090 B frames (about the
#            size of a 16 B / 1 KiB SET request frame): round trips/s of
#            the memif port with no server work
#   sweep:   GET, 16 B, unpipelined: closed loop with 1..100 connections
#            for both servers (throughput vs p50/p99), and ferry-bench
#            --rate at fractions of ferryd's closed-loop maximum (open
#            loop, latency from the scheduled send time).  The sweep's
#            ferryd runs with --latency-stats (and --busy-poll with
#            --busy-poll): before each rate point a one-request ferry-bench
#            sends CONFIG RESETSTAT, after it SIGUSR1 makes ferryd dump its
#            per-core residence percentiles (rx burst to tx burst, the
#            server-side latency without the wait in the RX ring) into its
#            log, which go next to the client's p50/p99.  The rate points
#            do not --preload (the closed-loop points before them loaded
#            the same keys into the same ferryd), so the server's figures
#            hold only the point's GETs (its 0.5 s warm-up included)
# Output in DIR: results.md (the table: medians, ratios ferry/redis and
# ferry/ceiling, every run's figure, the exact commands, the machine),
# raw.csv, sweep.csv, latency.svg and latency.png (gnuplot, when installed),
# logs.
#
# Needs: redis-server, redis-benchmark, taskset, python3, gnuplot (for the
# plot: Debian gnuplot-nox).  Traffic: memif (two processes, no kernel) and
# 127.0.0.1; memif addresses 198.18.45.0/24.  Every process started here is
# killed by PID on exit, error or Ctrl-C.
set -euo pipefail

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 2; }
die() { echo "ferry_vs_redis.sh: $*" >&2; exit 1; }
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

REPS=3 SECS=3 REQS=100000 CONNS=50 SCORE=0 CCORE=1 BUSY=0 SWEEP=1 OUT=''
NDC=1 CASES=ferry,redis,ceiling SIZES='16 1024'
BUILD=''
while [ $# -gt 0 ]; do
	case $1 in
	-r) REPS=$2; shift 2 ;;
	-t) SECS=$2; shift 2 ;;
	-n) REQS=$2; shift 2 ;;
	-c) CONNS=$2; shift 2 ;;
	--server-core) SCORE=$2; shift 2 ;;
	--client-core) CCORE=$2; shift 2 ;;
	--busy-poll) BUSY=1; shift ;;
	--data-cores) NDC=$2; shift 2 ;;
	--cases) CASES=$2; shift 2 ;;
	--sizes) SIZES=${2//,/ }; shift 2 ;;
	--no-sweep) SWEEP=0; shift ;;
	--out) OUT=$2; shift 2 ;;
	-h|--help) usage ;;
	-*) die "unknown option $1 (--help)" ;;
	*) [ -z "$BUILD" ] || die "one BUILD_DIR only"; BUILD=$1; shift ;;
	esac
done
[ -n "$BUILD" ] || usage
[[ $NDC =~ ^[1-9][0-9]*$ ]] || die "--data-cores wants a positive number"
for d in $SIZES; do
	[ "$d" = 16 ] || [ "$d" = 1024 ] || die "--sizes: 16 and/or 1024"
done
for c in ${CASES//,/ }; do
	case $c in ferry|redis|ceiling) ;; *) die "--cases: ferry, redis, ceiling" ;; esac
done
has_case() { [[ ,$CASES, == *",$1,"* ]]; }
# the core lists: one core, or a range of NDC cores from the first
cores() { if [ "$NDC" = 1 ]; then echo "$1"; else echo "$1-$(($1 + NDC - 1))"; fi; }
SCORES=$(cores "$SCORE") CCORES=$(cores "$CCORE")
BUILD=$(cd "$BUILD" && pwd)
FERRYD=$BUILD/ferryd
FB=$BUILD/ferry-bench
[ -x "$FERRYD" ] && [ -x "$FB" ] || die "no ferryd / ferry-bench in $BUILD"
NEED=(taskset python3 timeout)
[[ ,$CASES, != *,redis,* ]] && [ "$SWEEP" = 0 ] ||
	NEED+=(redis-server redis-benchmark redis-cli)
for t in "${NEED[@]}"; do
	command -v "$t" >/dev/null || die "missing $t"
done
[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/ferry_vs_redis.XXXXXX)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

SOCK=$OUT/memif.sock
SRV=198.18.45.2 CLI=198.18.45.1
RPORT=18445
PFX=fvr$$
SPID=''		# the server of the moment (ferryd, redis-server, echo)
N=0
START=$(date +%s)
: >"$OUT/raw.csv"
: >"$OUT/sweep.csv"
: >"$OUT/commands.txt"

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	server_stop
	rm -rf /var/run/dpdk/"$PFX"-*
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

server_stop() {
	if [ -n "$SPID" ]; then
		kill -TERM "$SPID" 2>/dev/null || true
		for _ in $(seq 1 50); do
			kill -0 "$SPID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$SPID" 2>/dev/null || true
		wait "$SPID" 2>/dev/null || true
		SPID=''
	fi
}

note() { # the exact command, once per kind: run counters in file
	# prefixes and result names become N / R / X; arguments quoted only
	# where the shell needs it
	local a c=''
	for a in "$@"; do
		if [[ $a =~ ^[A-Za-z0-9_./:,=@%+-]+$ ]]; then c+="$a "
		else c+="$(printf '%q' "$a") "; fi
	done
	c=$(echo "${c% }" | sed -E "s/($PFX-[sc])[0-9]+/\\1N/g; s/-r[0-9]+-/-rR-/g; s/(sweep-ferry-(c|rate))[0-9]+(\\.[0-9]+)?/\\1X/g")
	grep -qxF -- "$c" "$OUT/commands.txt" || echo "$c" >>"$OUT/commands.txt"
}

# memif_server PROGRAM ARGS...: on the server core, wait for its banner
memif_server() {
	local prog=$1; shift
	N=$((N + 1))
	local cmd=(taskset -c "$SCORES" "$prog" -l "$SCORES" --no-huge -m 1024
		--no-pci --file-prefix "$PFX-s$N"
		--vdev "net_memif0,role=server,socket=$SOCK" -- --addr "$SRV/24"
		"$@")
	note "${cmd[@]}"
	"${cmd[@]}" >"$OUT/server-$N.log" 2>&1 &
	SPID=$!
	for _ in $(seq 1 200); do
		grep -q -e "serving RESP" -e "echo server" "$OUT/server-$N.log" &&
			return 0
		kill -0 "$SPID" 2>/dev/null || die "server exited: $(tail -3 "$OUT/server-$N.log")"
		sleep 0.1
	done
	die "server did not start"
}

# fbench JSON ARGS...: ferry-bench on the client core over memif
fbench() {
	local json=$1; shift
	N=$((N + 1))
	local cmd=(taskset -c "$CCORES" "$FB" -l "$CCORES" --no-huge -m 1024
		--no-pci --file-prefix "$PFX-c$N"
		--vdev "net_memif0,role=client,socket=$SOCK" -- --addr "$CLI/24"
		"$@" -q --json "$json")
	note "${cmd[@]}"
	timeout 120 "${cmd[@]}" >>"$OUT/ferry-bench.log" 2>&1
}

# jget JSON PHASE FIELD... -> "ops_per_sec p50 p99" of a phase
jphase() {
	python3 - "$1" "$2" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
for p in j["phases"]:
    if p["name"] == sys.argv[2]:
        if not p["complete"] or p["errors_total"]:
            sys.exit("phase %s: errors or incomplete" % p["name"])
        l = p["latency_ms"]
        print("%.1f %.4f %.4f" % (p["ops_per_sec"], l["p50"], l["p99"]))
PY
}

ferry_block() { # REP
	local rep=$1 d p popt json busy=()
	[ "$BUSY" = 1 ] && busy=(--busy-poll)
	memif_server "$FERRYD" "${busy[@]}"
	for d in $SIZES; do
		for p in 1 16; do
			popt=(); [ "$p" = 1 ] || popt=(-P "$p")
			json=$OUT/ferry-r$rep-d$d-p$p.json
			fbench "$json" -h "$SRV" -t set,get --preload -r 10000 \
				-c "$CONNS" "${popt[@]}" -d "$d" \
				--duration "$SECS" --warmup 0.5 ||
				die "ferry-bench failed (d=$d P=$p): see $OUT/ferry-bench.log"
			for t in SET GET; do
				echo "$rep,ferry,$t,$p,$d,$(jphase "$json" "$t" | tr ' ' ,)" \
					>>"$OUT/raw.csv"
			done
		done
	done
	log "rep $rep: ferry done"
	server_stop
}

redis_up() {
	local cmd=(taskset -c "$SCORE" redis-server --port "$RPORT" --bind
		127.0.0.1 --save '' --appendonly no --daemonize no)
	note "${cmd[@]}"
	"${cmd[@]}" >"$OUT/redis-server.log" 2>&1 &
	SPID=$!
	for _ in $(seq 1 100); do
		[ "$(timeout 2 redis-cli -p "$RPORT" ping 2>/dev/null)" = PONG ] &&
			return 0
		kill -0 "$SPID" 2>/dev/null || die "redis-server exited"
		sleep 0.1
	done
	die "redis-server did not answer"
}

# rbench TESTS N C P D -> csv lines "TEST,rps,p50,p99"
rbench() {
	local popt=(); [ "$4" = 1 ] || popt=(-P "$4")
	local cmd=(taskset -c "$CCORE" redis-benchmark -p "$RPORT" -t "$1"
		-n "$2" -c "$3" "${popt[@]}" -d "$5" -r 10000 --csv)
	note "${cmd[@]}"
	timeout 120 "${cmd[@]}" 2>>"$OUT/redis-benchmark.err" |
		awk -F'"' 'NR > 1 && $2 != "" { printf "%s,%s,%s,%s\n", $2, $4, $10, $14 }'
}

redis_block() { # REP
	local rep=$1 d p n
	redis_up
	for d in $SIZES; do
		for p in 1 16; do
			n=$REQS; [ "$p" = 1 ] || n=$((REQS * 4))
			rbench set,get "$n" "$CONNS" "$p" "$d" |
				sed "s/^/$rep,redis,/; s/,\([0-9.]*\),\([0-9.]*\),\([0-9.]*\)$/,$p,$d,\1,\2,\3/" \
				>>"$OUT/raw.csv"
		done
	done
	log "rep $rep: redis done"
	server_stop
}

echo_block() { # REP
	local rep=$1 f json
	for d in $SIZES; do
		f=64; [ "$d" = 16 ] || f=1090
		memif_server "$FB" --echo server
		json=$OUT/echo-r$rep-f$f.json
		fbench "$json" --echo client -c "$CONNS" -d $((f - 14)) \
			--duration "$SECS" --warmup 0.5 ||
			die "echo client failed: see $OUT/ferry-bench.log"
		python3 - "$json" "$rep" "$f" >>"$OUT/raw.csv" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
print("%s,ceiling,ECHO,1,%s,%.1f,%.4f,%.4f" % (sys.argv[2], sys.argv[3],
      j["round_trips_per_sec"], j["rtt_ms"]["p50"], j["rtt_ms"]["p99"]))
PY
		server_stop
	done
	log "rep $rep: ceiling done"
}

# srv_residence LOG -> "p50 p99 p99.9 max count" (us) of ferryd's last
# SIGUSR1 dump: the worst core's percentiles (one core: its own), the
# commands of all cores
srv_residence() {
	awk '/^core [0-9]+ residence_usec:/ { l[$2] = $0 }
		/^stats end/ { split("", last); for (k in l) last[k] = l[k]; split("", l) }
		END {
			for (k in last) {
				n = split(last[k], f, " ")
				for (i = 1; i <= n; i++) {
					split(f[i], kv, "=")
					if (kv[1] == "p50" && kv[2] + 0 > p50) p50 = kv[2] + 0
					if (kv[1] == "p99" && kv[2] + 0 > p99) p99 = kv[2] + 0
					if (kv[1] == "p99.9" && kv[2] + 0 > p999) p999 = kv[2] + 0
					if (kv[1] == "max" && kv[2] + 0 > mx) mx = kv[2] + 0
					if (kv[1] == "count") cnt += kv[2]
				}
				seen = 1
			}
			if (seen) printf "%.3f %.3f %.3f %.3f %d\n", p50, p99, p999, mx, cnt
			else print "nan nan nan nan 0"
		}' "$1"
}

# srv_dump: SIGUSR1 to the sweep's ferryd, wait for its "stats end"
srv_dump() {
	local log=$OUT/server-$SN.log before
	before=$(grep -c '^stats end' "$log" || true)
	kill -USR1 "$SPID"
	for _ in $(seq 1 50); do
		[ "$(grep -c '^stats end' "$log" || true)" -gt "$before" ] && return 0
		sleep 0.1
	done
	die "ferryd did not dump its stats (SIGUSR1)"
}

sweep() {
	local c max r json busy=()
	[ "$BUSY" = 1 ] && busy=(--busy-poll)
	memif_server "$FERRYD" --latency-stats "${busy[@]}"
	SN=$N	# the sweep's ferryd log: server-$SN.log
	for c in 1 5 10 25 50 100; do
		json=$OUT/sweep-ferry-c$c.json
		fbench "$json" -h "$SRV" -t get --preload -r 10000 -c "$c" -d 16 \
			--duration 2 --warmup 0.5 || die "sweep: ferry-bench failed"
		echo "ferry-closed,$c,$(jphase "$json" GET | tr ' ' ,)" >>"$OUT/sweep.csv"
	done
	max=$(awk -F, '$1 == "ferry-closed" && $3 > m { m = $3 } END { print m }' "$OUT/sweep.csv")
	for r in 0.1 0.3 0.5 0.7 0.8 0.9 0.95; do
		json=$OUT/sweep-ferry-rate$r.json
		fbench "$OUT/sweep-resetstat.json" -h "$SRV" \
			--command 'CONFIG RESETSTAT' -c 1 -n 1 ||
			die "sweep: CONFIG RESETSTAT failed"
		fbench "$json" -h "$SRV" -t get -r 10000 -c "$CONNS" \
			-d 16 -P 64 --rate "$(awk -v m="$max" -v r="$r" 'BEGIN { printf "%.0f", m * r }')" \
			--duration 2 --warmup 0.5 || die "sweep: ferry-bench --rate failed"
		srv_dump
		echo "ferry-open,$r,$(jphase "$json" GET | tr ' ' ,),$(srv_residence "$OUT/server-$SN.log" | tr ' ' ,)" \
			>>"$OUT/sweep.csv"
	done
	server_stop
	redis_up
	rbench set $((REQS / 2)) 50 1 16 >/dev/null	# the keys for the GETs
	for c in 1 5 10 25 50 100; do
		rbench get "$REQS" "$c" 1 16 |
			awk -F, -v c="$c" '{ printf "redis-closed,%s,%s,%s,%s\n", c, $2, $3, $4 }' \
			>>"$OUT/sweep.csv"
	done
	server_stop
	log "sweep done"
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit }
	if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { # SERVER TEST P D FIELD(6 rps, 7 p50, 8 p99)
	awk -F, -v s="$1" -v t="$2" -v p="$3" -v d="$4" -v f="$5" \
		'$2 == s && $3 == t && $4 == p && $5 == d { print $f }' "$OUT/raw.csv" | median
}
runs() { # SERVER TEST P D
	awk -F, -v s="$1" -v t="$2" -v p="$3" -v d="$4" \
		'$2 == s && $3 == t && $4 == p && $5 == d { printf "%s%.0f", x, $6; x = " " }' "$OUT/raw.csv"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "nan" && b != "nan" && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'; }

plot() {
	command -v gnuplot >/dev/null || { log "no gnuplot: no plot"; return 0; }
	for s in ferry-closed ferry-open redis-closed; do
		# in sweep order (connections, rate), not sorted by throughput
		awk -F, -v s="$s" '$1 == s { print $3 / 1000, $4, $5 }' \
			"$OUT/sweep.csv" >"$OUT/sweep-$s.dat"
	done
	local term
	for term in "svg size 900,640 dynamic font 'sans,12'|latency.svg" \
		    "pngcairo size 900,640 font 'sans,10'|latency.png"; do
	gnuplot <<GP
set terminal ${term%%|*}
set output "$OUT/${term##*|}"
set title "GET, 16 B values, unpipelined: latency vs throughput (ferryd over memif, redis-server over loopback)"
set xlabel "throughput (kops/s)"
set ylabel "latency (ms)"
set logscale y
set key below
set grid
plot "$OUT/sweep-ferry-closed.dat" u 1:2 w lp pt 7 t "ferry p50 (closed loop, 1..100 conns)", \
     "$OUT/sweep-ferry-closed.dat" u 1:3 w lp pt 6 dt 2 t "ferry p99 (closed loop)", \
     "$OUT/sweep-ferry-open.dat" u 1:2 w lp pt 5 t "ferry p50 (open loop --rate, $CONNS conns)", \
     "$OUT/sweep-ferry-open.dat" u 1:3 w lp pt 4 dt 2 t "ferry p99 (open loop)", \
     "$OUT/sweep-redis-closed.dat" u 1:2 w lp pt 9 t "redis p50 (closed loop, 1..100 conns)", \
     "$OUT/sweep-redis-closed.dat" u 1:3 w lp pt 8 dt 2 t "redis p99 (closed loop)"
GP
	done
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
for rep in $(seq 1 "$REPS"); do
	if has_case ferry; then ferry_block "$rep"; fi
	if has_case redis; then redis_block "$rep"; fi
	if has_case ceiling; then echo_block "$rep"; fi
done
if [ "$SWEEP" = 1 ]; then sweep; plot; fi
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
ELAPSED=$(($(date +%s) - START))

{
	echo "## ferryd + ferry-bench over net_memif vs redis-server + redis-benchmark over loopback"
	echo
	echo "Machine: $(nproc) cores, \"$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)\"," \
		"Linux $(uname -r); load average $LOAD_START at start, $LOAD_END at end;" \
		"run took ${ELAPSED}s. Servers on cores $SCORES, clients on cores $CCORES" \
		"(taskset; DPDK lcores the same). ferryd $([ "$BUSY" = 1 ] && echo --busy-poll || echo "idle backoff")," \
		"$NDC data core(s) (redis-server on core $SCORE, redis-benchmark on $CCORE);" \
		"$(redis-server --version 2>/dev/null | cut -d' ' -f1-3)."
	echo "Build: $BUILD ($(git -C "$(dirname "$0")" describe --always --dirty 2>/dev/null || echo '?'))."
	echo
	echo "Medians of $REPS runs (ops/s; ferry-bench: $SECS s per test of which 0.5 s warm-up," \
		"$CONNS connections, every reply verified; redis-benchmark: -n $REQS, 4x with -P 16)." \
		"ceiling = memif round trips/s with $CONNS frames in flight and no server work" \
		"(64 B frames for 16 B values, 1090 B for 1 KiB); with -P 16 a round trip carries 16 requests."
	echo
	echo "| test | value | pipeline | ferry ops/s | redis ops/s | ferry/redis | ceiling rt/s | ferry/ceiling | ferry p50 / p99 ms | redis p50 / p99 ms | ferry runs | redis runs |"
	echo "|---|---:|---|---:|---:|---:|---:|---:|---|---|---|---|"
	for d in $SIZES; do
		f=64; [ "$d" = 16 ] || f=1090
		ce=$(col ceiling ECHO 1 "$f" 6)
		for p in 1 16; do
			for t in SET GET; do
				fr=$(col ferry "$t" "$p" "$d" 6)
				rr=$(col redis "$t" "$p" "$d" 6)
				printf '| %s | %s B | %s | %.0f | %.0f | %s | %.0f | %s | %s / %s | %s / %s | %s | %s |\n' \
					"$t" "$d" "$([ "$p" = 1 ] && echo none || echo "-P $p")" \
					"$fr" "$rr" "$(ratio "$fr" "$rr")" "$ce" "$(ratio "$fr" "$ce")" \
					"$(col ferry "$t" "$p" "$d" 7)" "$(col ferry "$t" "$p" "$d" 8)" \
					"$(col redis "$t" "$p" "$d" 7)" "$(col redis "$t" "$p" "$d" 8)" \
					"$(runs ferry "$t" "$p" "$d")" "$(runs redis "$t" "$p" "$d")"
			done
		done
	done
	echo
	echo "Ceiling runs (round trips/s): 64 B $(runs ceiling ECHO 1 64); 1090 B $(runs ceiling ECHO 1 1090);" \
		"p50 RTT $(col ceiling ECHO 1 64 7) ms / $(col ceiling ECHO 1 1090 7) ms."
	if [ "$SWEEP" = 1 ]; then
		echo
		echo "Latency vs throughput (GET, 16 B, unpipelined; latency.svg): kind, connections or rate fraction, ops/s, p50 ms, p99 ms" \
			"(ferry-open also: ferryd's server-side residence p50, p99, p99.9, max in us, commands)"
		echo
		echo '```'
		cat "$OUT/sweep.csv"
		echo '```'
		echo
		echo "Open loop: client-side latency (ferry-bench, from the scheduled send time) next to" \
			"ferryd's server-side residence (--latency-stats: rx burst to tx burst, per core, worst core;" \
			"not the wait in the RX ring before the poll), ferryd $([ "$BUSY" = 1 ] && echo --busy-poll || echo "idle backoff")."
		echo
		echo "| rate (x max) | ops/s | client p50 ms | client p99 ms | server p50 us | server p99 us | server p99.9 us | server max us | server commands |"
		echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
		awk -F, '$1 == "ferry-open" { printf "| %s | %.0f | %s | %s | %s | %s | %s | %s | %s |\n", $2, $3, $4, $5, $6, $7, $8, $9, $10 }' \
			"$OUT/sweep.csv"
	fi
	echo
	echo "Commands (each kind once; N in file prefixes counts runs):"
	echo
	echo '```'
	cat "$OUT/commands.txt"
	echo '```'
} >"$OUT/results.md"
cat "$OUT/results.md"
log "results in $OUT"
