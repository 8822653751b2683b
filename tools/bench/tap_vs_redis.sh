#!/usr/bin/env bash
# tap_vs_redis.sh -- stock redis-benchmark against ferryd (DPDK net_tap, ferry's
# own TCP stack) and against a stock redis-server (kernel loopback), same
# client, same machine, same run, same namespace.  Prints a markdown table of
# median requests/s for both and the ratio ferry/redis.
#
#   tools/bench/tap_vs_redis.sh [OPTIONS] FERRYD
#
#   FERRYD           path of a built ferryd (this script builds nothing; use a
#                    release build: meson setup B --buildtype=release
#                    -Db_ndebug=true && ninja -C B ferryd)
#   -n N             requests per unpipelined run (default 100000)
#   -N N             requests per -P 16 run (default 4 * n)
#   -r R             repetitions of every (server, pipelining) run (default 3)
#   -c C             redis-benchmark clients (default 50)
#   --busy-poll      run ferryd with --busy-poll (default: its idle backoff)
#   --both-modes     measure ferryd twice, idle backoff and --busy-poll
#                    (restarts ferryd between the two)
#   --perf FILE      after the measured runs, `perf record -e cpu-clock -g`
#                    ferryd during one unpipelined GET run into FILE, and
#                    print its top symbols (perf report --no-children)
#   --budget S       stop starting runs after S seconds (default 170); every
#                    redis-benchmark runs under `timeout` too
#   --server-core K  core of the servers (default 0; ferryd: EAL -l K)
#   --client-core K  core of redis-benchmark (default 1)
#   --out DIR        keep logs and raw CSV there (default: a mktemp dir)
#   --af-packet      give ferryd a net_af_packet port on a veth pair instead
#                    of net_tap (kernel side 198.18.0.1/24 on the veth peer,
#                    its TX checksum offload off): the same kernel hop
#                    without the tap PMD's per-packet SIGIO
#
# What it does (run as root):
#   1. tools/netns.sh up NS 198.18.0.1/24 FERRYD -l K --no-huge -m 1024
#      --no-pci --file-prefix NS --vdev net_tap0,iface=T -- --addr
#      198.18.0.2/24 --port 6379 [--busy-poll], under taskset -c K (so ferryd's
#      lcore and its EAL control threads are all on core K);
#   2. in the same namespace, on its loopback: taskset -c K redis-server
#      --port 6380 --bind 127.0.0.1 --save '' --appendonly no --daemonize no;
#   3. per repetition, for P in (none, -P 16), for server in (ferry, redis):
#      ip netns exec NS taskset -c CLIENT redis-benchmark -h HOST -p PORT
#      -t set,get -n N -c C [-P 16] -d 16 --csv.
#      The server not under test is SIGSTOPped meanwhile, so a polling ferryd
#      cannot steal the server core from redis-server (nor the reverse);
#   4. medians per (test, pipelining, server); table on stdout.
# Each server gets one untimed warm-up run first.  On exit or Ctrl-C the
# servers are killed by PID and the namespace is deleted.
#
# Traffic stays inside the namespace (198.18.0.0/24 on the tap, 127.0.0.1).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
NETNS_SH=$HERE/../netns.sh

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 2; }
die() { echo "tap_vs_redis.sh: $*" >&2; exit 1; }
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

REQS=100000 PREQS='' REPS=3 CLIENTS=50 BUSY=0 BOTH=0 PERF_OUT='' BUDGET=170
SCORE=0 CCORE=1 OUT='' FERRYD='' AFP=0
while [ $# -gt 0 ]; do
	case $1 in
	-n) REQS=$2; shift 2 ;;
	-N) PREQS=$2; shift 2 ;;
	-r) REPS=$2; shift 2 ;;
	-c) CLIENTS=$2; shift 2 ;;
	--busy-poll) BUSY=1; shift ;;
	--both-modes) BOTH=1; shift ;;
	--perf) PERF_OUT=$2; shift 2 ;;
	--budget) BUDGET=$2; shift 2 ;;
	--server-core) SCORE=$2; shift 2 ;;
	--client-core) CCORE=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--af-packet) AFP=1; shift ;;
	-h|--help) usage ;;
	-*) die "unknown option $1 (--help)" ;;
	*) [ -z "$FERRYD" ] || die "one FERRYD only"; FERRYD=$1; shift ;;
	esac
done
[ -n "$FERRYD" ] || usage
[ -n "$PREQS" ] || PREQS=$((REQS * 4))
[ -x "$FERRYD" ] || die "no executable ferryd at $FERRYD"
FERRYD=$(cd "$(dirname "$FERRYD")" && pwd)/$(basename "$FERRYD")
[ "$(id -u)" = 0 ] || die "run as root (network namespaces)"
for t in redis-server redis-benchmark redis-cli taskset ip timeout; do
	command -v "$t" >/dev/null || die "missing $t"
done
[ -z "$PERF_OUT" ] || command -v perf >/dev/null || die "missing perf"
[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/tap_vs_redis.XXXXXX)
mkdir -p "$OUT"
case $PERF_OUT in ''|/*) ;; *) PERF_OUT=$PWD/$PERF_OUT ;; esac

NS=fbench$$
TAP=fbt$$
FHOST=198.18.0.2 FPORT=6379
RHOST=127.0.0.1 RPORT=6380
export FERRY_RUNDIR=$OUT
REDIS_PID='' PERF_PID='' FERRY_PID='' PERF_PID_OF=''
START=$(date +%s)

CLK_TCK=$(getconf CLK_TCK)
ferry_pid() { cat "$OUT/$NS.pid" 2>/dev/null || true; }

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "$PERF_PID" ] && kill -0 "$PERF_PID" 2>/dev/null; then
		kill -TERM "$PERF_PID" 2>/dev/null || true
		wait "$PERF_PID" 2>/dev/null || true
	fi
	if [ -n "$REDIS_PID" ] && kill -0 "$REDIS_PID" 2>/dev/null; then
		kill -CONT "$REDIS_PID" 2>/dev/null || true
		kill -TERM "$REDIS_PID" 2>/dev/null || true
		for _ in $(seq 1 50); do
			kill -0 "$REDIS_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$REDIS_PID" 2>/dev/null || true
		wait "$REDIS_PID" 2>/dev/null || true
	fi
	FERRY_PID=$(ferry_pid)
	[ -z "$FERRY_PID" ] || kill -CONT "$FERRY_PID" 2>/dev/null || true
	"$NETNS_SH" down "$NS" >/dev/null 2>&1 || true
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

left() { echo $((BUDGET - ($(date +%s) - START))); }

ferry_up() { # busy(0|1)
	local extra=()
	[ "$1" = 1 ] && extra=(--busy-poll)
	FERRY_ARGS=(-l "$SCORE" --no-huge -m 1024 --no-pci --file-prefix "$NS"
		--vdev "net_tap0,iface=$TAP" -- --addr "$FHOST/24" --port "$FPORT"
		"${extra[@]}")
	log "starting ferryd (${extra[*]:-idle backoff}) in $NS on core $SCORE"
	if [ "$AFP" = 1 ]; then
		local fa=fa$$ fk=fk$$
		FERRY_ARGS=(-l "$SCORE" --no-huge -m 1024 --no-pci --file-prefix "$NS"
			--vdev "net_af_packet0,iface=$fa" -- --addr "$FHOST/24"
			--port "$FPORT" "${extra[@]}")
		if ! ip netns list | awk '{ print $1 }' | grep -qxF "$NS"; then
			ip netns add "$NS"
			ip -n "$NS" link set lo up
			ip -n "$NS" link add "$fa" type veth peer name "$fk"
			ip -n "$NS" link set "$fa" up
			ip -n "$NS" addr add 198.18.0.1/24 dev "$fk"
			ip netns exec "$NS" ethtool -K "$fk" tx off >/dev/null
			ip -n "$NS" link set "$fk" up
		fi
		ip netns exec "$NS" taskset -c "$SCORE" "$FERRYD" \
			"${FERRY_ARGS[@]}" >"$OUT/$NS.log" 2>&1 &
		echo $! >"$OUT/$NS.pid"
	else
		taskset -c "$SCORE" "$NETNS_SH" up "$NS" 198.18.0.1/24 "$FERRYD" \
			"${FERRY_ARGS[@]}" >&2
	fi
	"$NETNS_SH" wait "$NS" "$FHOST" "$FPORT" 30 >&2
	FERRY_PID=$(ferry_pid)
}

redis_up() {
	REDIS_CMD=(redis-server --port "$RPORT" --bind "$RHOST" --save ''
		--appendonly no --daemonize no)
	log "starting redis-server in $NS on core $SCORE"
	ip netns exec "$NS" taskset -c "$SCORE" "${REDIS_CMD[@]}" \
		>"$OUT/redis-server.log" 2>&1 &
	REDIS_PID=$!
	for _ in $(seq 1 100); do
		kill -0 "$REDIS_PID" 2>/dev/null || {
			cat "$OUT/redis-server.log" >&2; die "redis-server exited"; }
		[ "$(ip netns exec "$NS" timeout 2 redis-cli -h "$RHOST" \
			-p "$RPORT" ping 2>/dev/null)" = PONG ] && return 0
		sleep 0.1
	done
	die "redis-server did not answer PING"
}

# bench SERVER(ferry|redis) PIPE(1|16) N TAG -> appends "tag,server,pipe,test,rps,p50" to raw.csv
bench() {
	local srv=$1 pipe=$2 n=$3 tag=$4 host port other self popt=() csv t c0 c1
	if [ "$srv" = ferry ]; then
		host=$FHOST port=$FPORT other=$REDIS_PID self=$FERRY_PID
	else
		host=$RHOST port=$RPORT other=$FERRY_PID self=$REDIS_PID
	fi
	[ "$pipe" = 1 ] || popt=(-P "$pipe")
	t=$(left)
	[ "$t" -gt 5 ] || { log "budget spent: skipping $srv P=$pipe ($tag)"; return 1; }
	[ "$t" -le 60 ] || t=60
	BENCH_CMD=(redis-benchmark -h "$host" -p "$port" -t "set,get" -n "$n"
		-c "$CLIENTS" "${popt[@]}" -d 16 --csv)
	kill -STOP "$other"
	c0=$(proc_cpu "$self")
	csv=$(ip netns exec "$NS" timeout "$t" taskset -c "$CCORE" \
		"${BENCH_CMD[@]}" 2>>"$OUT/bench.err") || {
		kill -CONT "$other"
		log "redis-benchmark against $srv failed or timed out (${t}s)"
		return 1
	}
	c1=$(proc_cpu "$self")
	kill -CONT "$other"
	# server CPU (user + system, all threads) per request of the SET+GET run
	awk -v a="$c0" -v b="$c1" -v hz="$CLK_TCK" -v n="$n" -v tag="$tag" \
		-v srv="$srv" -v p="$pipe" 'BEGIN { printf "%s,%s,%s,%.2f\n",
		tag, srv, p, (b - a) / hz * 1e6 / (2 * n) }' >>"$OUT/cpu.csv"
	echo "$csv" | awk -F'"' -v tag="$tag" -v srv="$srv" -v p="$pipe" \
		'$2 == "SET" || $2 == "GET" { printf "%s,%s,%s,%s,%s,%s\n", tag, srv, p, $2, $4, $10 }' \
		| tee -a "$OUT/raw.csv" \
		| awk -F, '{ printf "  %-6s %-5s P=%-2s %s %10.0f rps  p50 %s ms\n", $1, $2, $3, $4, $5, $6 }' >&2
}

proc_cpu() { # PID -> utime + stime in clock ticks, all threads
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

median() { # numbers on stdin -> median
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

col() { # TAG SERVER PIPE TEST FIELD(5 rps, 6 p50)
	awk -F, -v t="$1" -v s="$2" -v p="$3" -v x="$4" -v f="$5" \
		'$1 == t && $2 == s && $3 == p && $4 == x { print $f }' "$OUT/raw.csv" | median
}

cpu_med() { # TAG SERVER PIPE -> median server CPU us per request
	awk -F, -v t="$1" -v s="$2" -v p="$3" '$1 == t && $2 == s && $3 == p { print $4 }' \
		"$OUT/cpu.csv" | median
}

table() { # TAG MODE-TEXT
	local tag=$1 p x fr rr fl rl
	echo
	echo "### ferryd ($2) vs redis-server, median of $REPS"
	echo
	echo "| test | pipeline | ferry rps | redis rps | ferry/redis | ferry p50 ms | redis p50 ms | ferry CPU us/req | redis CPU us/req | ferry runs | redis runs |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|"
	for p in 1 16; do
		for x in SET GET; do
			fr=$(col "$tag" ferry "$p" "$x" 5)
			rr=$(col "$tag" redis "$p" "$x" 5)
			fl=$(col "$tag" ferry "$p" "$x" 6)
			rl=$(col "$tag" redis "$p" "$x" 6)
			printf '| %s | %s | %.0f | %.0f | %s | %s | %s | %s | %s | %s | %s |\n' \
				"$x" "$([ "$p" = 1 ] && echo none || echo "-P $p")" \
				"$fr" "$rr" \
				"$(awk -v a="$fr" -v b="$rr" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')" \
				"$fl" "$rl" "$(cpu_med "$tag" ferry "$p")" "$(cpu_med "$tag" redis "$p")" \
				"$(awk -F, -v t="$tag" -v p="$p" -v x="$x" '$1 == t && $2 == "ferry" && $3 == p && $4 == x { printf "%s%.0f", s, $5; s = " " }' "$OUT/raw.csv")" \
				"$(awk -F, -v t="$tag" -v p="$p" -v x="$x" '$1 == t && $2 == "redis" && $3 == p && $4 == x { printf "%s%.0f", s, $5; s = " " }' "$OUT/raw.csv")"
		done
	done
}

measure() { # TAG
	local tag=$1 r p n
	log "warm-up ($tag)"
	bench ferry 1 $((REQS / 5)) "warm-$tag" >/dev/null || true
	bench redis 1 $((REQS / 5)) "warm-$tag" >/dev/null || true
	for r in $(seq 1 "$REPS"); do
		for p in 1 16; do
			n=$REQS; [ "$p" = 1 ] || n=$PREQS
			bench ferry "$p" "$n" "$tag" || return 0
			bench redis "$p" "$n" "$tag" || return 0
		done
		log "repetition $r/$REPS done ($tag), $(left)s of budget left"
	done
}

profile() {
	local n=$REQS
	log "perf record -e cpu-clock -g on ferryd (pid $FERRY_PID) during a GET run"
	PERF_PID_OF=$FERRY_PID
	kill -STOP "$REDIS_PID"
	perf record -e cpu-clock -F 4999 -g -p "$FERRY_PID" -o "$PERF_OUT" \
		>"$OUT/perf-record.log" 2>&1 &
	PERF_PID=$!
	sleep 0.5
	ip netns exec "$NS" timeout 60 taskset -c "$CCORE" redis-benchmark \
		-h "$FHOST" -p "$FPORT" -t get -n "$n" -c "$CLIENTS" -d 16 --csv \
		>"$OUT/perf-bench.csv" 2>>"$OUT/bench.err" || true
	kill -TERM "$PERF_PID" 2>/dev/null || true
	wait "$PERF_PID" 2>/dev/null || true
	PERF_PID=
	kill -CONT "$REDIS_PID"
	log "perf data in $PERF_OUT (GET run: $(awk -F'"' '$2 == "GET" { print $4 }' "$OUT/perf-bench.csv") rps)"
}

# perf_layers FILE PID: ferryd's samples by thread and layer, in percent of
# all its samples.  Each sample of the lcore thread (tid PID) is named by the
# first frame, leaf first, that matches a rule: kernel frames split what the
# tap costs (syscalls, its Rx-trigger signal, the peer's kernel TCP run in
# softirq on this core, idle sleep, scheduling); the first user frame is named by symbol
# prefix (user call chains are cut short: no frame pointers).  Samples of
# other threads (EAL control threads, store threads) are named by thread.
perf_layers() {
	perf script -i "$1" -F comm,tid,ip,sym 2>/dev/null | awk -v pid="$2" '
	function user(sym) {
		if (sym ~ /^(ethdev_|dp_port_|rte_|__GI___readv|__GI___writev|readv|writev)/ || sym ~ /^\[unknown\]$/)
			return "PMD/tap (user side, incl. unresolved PMD code)"
		if (sym ~ /^(dp_core_tx|dp_core_alloc|dp_eth_output|dp_ipv4_output|dp_tcp_send_segment|tcp_build|dp_tcp_output|dp_tcp_flush)/)
			return "tx (segment build, flush)"
		if (sym ~ /^(dp_eth|dp_ipv4|dp_arp|dp_icmp|eth_|ipv4_|arp_|icmp_)/)
			return "eth/ip/arp"
		if (sym ~ /^(dp_tcp|tcp_)/)
			return "tcp"
		if (sym ~ /^(st_resp_parse|st_client_feed|st_client_process|st_dispatch|resp_|dp_resp|st_cmd_lookup|__strncasecmp|__strcasecmp|st_lookup_command)/)
			return "resp (parse, dispatch)"
		if (sym ~ /^(st_lookup|st_db|st_dict|st_key|st_obj|st_str_|st_hash|cds_lfht|st_set|st_get|st_cmd_|siphash|st_value|st_stripe)/)
			return "keyspace (lookup, insert)"
		if (sym ~ /^(st_resp_|st_buf_|st_ull2str|st_ll2str|st_client_publish|st_reply|st_add_reply)/)
			return "compose (reply)"
		if (sym ~ /^(dp_loop|st_worker|st_reclaim|urcu_|st_expire|clock_nanosleep|__nanosleep|__vdso|__tls_get_addr)/)
			return "loop, RCU, timers"
		return "other user code (libc, ...)"
	}
	function classify(   i, f, chain) {
		if (tid != pid)
			return "other threads: " comm " (woken for the tap Rx signal)"
		chain = ""
		for (i = 1; i <= n; i++) chain = chain " " F[i] " "
		for (i = 1; i <= n; i++) {
			f = F[i]
			if (!K[i])
				return user(f)
			if (f ~ /^(get_signal|signal_setup_done|arch_do_signal_or_restart|x64_setup_rt_frame|__fpu_restore_sig|copy_fpstate_to_sigframe|fpu__clear_user_states|restore_sigcontext|__x64_sys_rt_sigreturn|send_sigio|kill_fasync|__send_signal|complete_signal)/)
				return "kernel: signal delivery (tap Rx trigger, an rt-signal)"
			if (f ~ /^(finish_task_switch|__schedule|schedule)/)
				return chain ~ / (do_nanosleep|hrtimer_nanosleep) / ? \
					"kernel: idle backoff sleep (nanosleep)" : \
					"kernel: scheduler (preempted, woken)"
			if (f ~ /^(tcp_|__tcp|inet|__inet|ip_|__ip|bbr|sock_def|sk_|__sk|net_rx_action|__netif_receive|netif_receive|process_backlog|handle_softirqs|__napi_poll|eth_type_trans)/)
				return "kernel: peer TCP/IP in softirq (tap RX)"
			if (f ~ /^(tun_|tap_|do_iter_readv|vfs_readv|vfs_writev|do_readv|do_writev|__x64_sys_readv|__x64_sys_writev)/)
				return "kernel: tap read/write syscalls"
		}
		return "kernel: other (syscall entry/exit, irq)"
	}
	function flush() { if (n) { L[classify()]++; tot++ } n = 0 }
	/^[^ \t]/ { flush(); comm = $1; tid = $2; next }
	/^[ \t]+[0-9a-f]+ / {
		n++; K[n] = ($1 ~ /^ffffffff/); F[n] = $2; sub(/\+0x.*/, "", F[n]); next
	}
	/^$/ { flush() }
	END {
		flush()
		for (l in L) printf "| %s | %.1f |\n", l, 100 * L[l] / tot
	}' | sort -t'|' -k3 -gr
}

cpu_model() { awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo; }

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$OUT/raw.csv"
: >"$OUT/cpu.csv"
MODES=("$BUSY")
[ "$BOTH" = 1 ] && MODES=(0 1)
CMDS=()
for mode in "${MODES[@]}"; do
	tag=$([ "$mode" = 1 ] && echo busy || echo idle)
	if [ "$(ferry_pid)" != "" ]; then
		log "restarting ferryd and redis-server (fresh namespace)"
		kill -TERM "$REDIS_PID" 2>/dev/null || true
		wait "$REDIS_PID" 2>/dev/null || true
		REDIS_PID=
		"$NETNS_SH" down "$NS" >&2
	fi
	ferry_up "$mode"
	redis_up
	if [ "$AFP" = 1 ]; then
		CMDS+=("ip netns add $NS; ip -n $NS link add fa$$ type veth peer name fk$$; ip -n $NS addr add 198.18.0.1/24 dev fk$$; ip netns exec $NS ethtool -K fk$$ tx off; ip -n $NS link set fa$$ up; ip -n $NS link set fk$$ up"
		       "ip netns exec $NS taskset -c $SCORE $FERRYD ${FERRY_ARGS[*]} &")
	else
		CMDS+=("taskset -c $SCORE tools/netns.sh up $NS 198.18.0.1/24 $FERRYD ${FERRY_ARGS[*]}")
	fi
	measure "$tag"
	if [ -n "$PERF_OUT" ] && [ "$mode" = "${MODES[0]}" ]; then
		profile
	fi
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
ELAPSED=$(($(date +%s) - START))

{
	echo "## ferryd over $([ "$AFP" = 1 ] && echo "net_af_packet (veth)" || echo net_tap) vs redis-server over loopback (redis-benchmark)"
	echo
	echo "Machine: $(nproc) cores, \"$(cpu_model)\", Linux $(uname -r);" \
		"load average $LOAD_START at start, $LOAD_END at end; run took ${ELAPSED}s."
	echo "ferryd: $FERRYD ($(git -C "$HERE" describe --always --dirty 2>/dev/null || echo '?'));" \
		"$(redis-server --version | cut -d' ' -f1-3); $(redis-benchmark --version)."
	for mode in "${MODES[@]}"; do
		tag=$([ "$mode" = 1 ] && echo busy || echo idle)
		table "$tag" "$([ "$mode" = 1 ] && echo "--busy-poll" || echo "idle backoff")"
	done
	echo
	echo "Commands (NS=$NS, servers on core $SCORE, client on core $CCORE;" \
		"the server not under test is SIGSTOPped during each run):"
	echo
	echo '```'
	for c in "${CMDS[@]}"; do echo "$c"; done
	echo "ip netns exec $NS taskset -c $SCORE $(printf '%q ' "${REDIS_CMD[@]}")&"
	echo "ip netns exec $NS taskset -c $CCORE redis-benchmark -h $FHOST -p $FPORT -t set,get -n $REQS -c $CLIENTS -d 16 --csv"
	echo "ip netns exec $NS taskset -c $CCORE redis-benchmark -h $FHOST -p $FPORT -t set,get -n $PREQS -c $CLIENTS -P 16 -d 16 --csv"
	echo "ip netns exec $NS taskset -c $CCORE redis-benchmark -h $RHOST -p $RPORT -t set,get -n $REQS -c $CLIENTS -d 16 --csv"
	echo "ip netns exec $NS taskset -c $CCORE redis-benchmark -h $RHOST -p $RPORT -t set,get -n $PREQS -c $CLIENTS -P 16 -d 16 --csv"
	echo '```'
	echo
	echo "CPU us/req: the server process's user + system time (all threads, from"
	echo "/proc/PID/stat) over a whole SET+GET run, divided by its requests; for ferryd"
	echo "it includes the tap's kernel work (and the peer's TCP receive in softirq),"
	echo "for redis-server the loopback's. Less noisy than rps on a shared machine."
	echo
	echo "Raw per-run figures: $OUT/raw.csv (tag,server,pipeline,test,rps,p50_ms),"
	echo "$OUT/cpu.csv (tag,server,pipeline,cpu_us_per_req)."
} | tee "$OUT/results.md"

if [ -n "$PERF_OUT" ] && [ -f "$PERF_OUT" ]; then
	echo
	echo "ferryd's CPU time by layer during the GET run (perf record -e cpu-clock -g," \
		"percent of ferryd's samples):"
	echo
	echo "| layer | % |"
	echo "|---|---:|"
	perf_layers "$PERF_OUT" "$PERF_PID_OF"
	echo
	echo "Top ferryd symbols during the GET run (perf report --no-children):"
	perf report -i "$PERF_OUT" --no-children --sort sym --stdio -g none \
		--percent-limit 0.5 2>/dev/null | grep -v '^#' | grep -v '^$' | head -60
fi
