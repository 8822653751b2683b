#!/usr/bin/env bash
# run.sh -- one ferryd integration test in a namespace of its own.
#
#   tests/integration/run.sh FERRYD TEST
#
# Creates namespace fi-TEST-PID with a net_tap interface (kernel side
# 198.18.0.1/24, ferry 198.18.0.2, port 6379), a unique EAL file prefix,
# runs the test body (a function below) inside the namespace, and always
# cleans up (ferryd killed by PID, namespace deleted) on exit, even on
# failure or timeout (meson sends SIGTERM).  Exit 0 = pass.
#
# Per-core counters come from ferryd's SIGUSR1 dump (tools/netns.sh stats).
set -euo pipefail

FERRYD=$(readlink -f "$1")
TEST=$2
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
NETNS="$ROOT/tools/netns.sh"
PY=/usr/bin/python3
NS="fi-$TEST-$$"
IFACE="ft$$"
IFACE=${IFACE:0:15}
HOST=198.18.0.2
PORT=6379
export FERRY_RUNDIR=$(mktemp -d /tmp/ferry-integ.XXXXXX)
LOG="$FERRY_RUNDIR/$NS.log"

NS2=""	# a second ferryd's namespace (t_pair)

cleanup() {
	local rc=$?
	"$NETNS" down "$NS" || true
	if [ -n "$NS2" ]; then
		"$NETNS" down "$NS2" || true
		rm -rf "/var/run/dpdk/$NS2"
	fi
	if [ $rc -ne 0 ]; then
		echo "---- ferryd log ($LOG) ----"
		tail -n 60 "$LOG" 2>/dev/null || true
	fi
	rm -rf "$FERRY_RUNDIR" "/var/run/dpdk/$NS"
	exit $rc
}
trap cleanup EXIT
trap 'exit 143' TERM INT

fail() { echo "FAIL: $*" >&2; exit 1; }
nsx() { ip netns exec "$NS" "$@"; }
cli() { nsx redis-cli -h "$HOST" -p "$PORT" "$@"; }

# start LCORES [ferry options...]
start() {
	local lcores=$1; shift
	"$NETNS" up "$NS" 198.18.0.1/24 "$FERRYD" \
		-l "$lcores" --no-huge -m 1024 --no-pci --file-prefix "$NS" \
		--vdev "net_tap0,iface=$IFACE" -- \
		--addr "$HOST/24" --port "$PORT" "$@"
	"$NETNS" wait "$NS" "$HOST" "$PORT" 30
}

alive() { kill -0 "$(cat "$FERRY_RUNDIR/$NS.pid")" 2>/dev/null; }

wait_exit() { # PID: up to 10 s
	for _ in $(seq 1 100); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# ---- tests --------------------------------------------------------------------

t_ping() {
	start 0
	[ "$(cli ping)" = PONG ] || fail "PING"
	[ "$(cli set k1 hello)" = OK ] || fail "SET"
	[ "$(cli get k1)" = hello ] || fail "GET"
	[ "$(cli incr n)" = 1 ] || fail "INCR"
	cli client list | grep -q "addr=198.18.0.1:" || fail "CLIENT LIST addr"
	# a 100 MB value both ways
	local f="$FERRY_RUNDIR/big" g="$FERRY_RUNDIR/big.out"
	# 75 MiB random -> exactly 100 MiB of base64 (no SIGPIPE under pipefail)
	head -c $((75 * 1024 * 1024)) /dev/urandom | base64 -w 0 >"$f"
	[ "$(cli -x set big <"$f")" = OK ] || fail "SET 100 MB"
	[ "$(cli strlen big)" = $((100 * 1024 * 1024)) ] || fail "STRLEN"
	cli --raw get big >"$g"
	head -c -1 "$g" >"$g.v"	# redis-cli adds a newline
	[ "$(sha256sum <"$f")" = "$(sha256sum <"$g.v")" ] ||
		fail "100 MB GET differs"
	[ "$(cli ping)" = PONG ] || fail "PING after"
}

t_bench() {
	start 0
	local out
	for extra in "" "-P 16"; do
		# shellcheck disable=SC2086
		out=$(nsx timeout 240 redis-benchmark -h "$HOST" -p "$PORT" \
			-n 100000 -c 50 -q $extra \
			-t set,get,incr,lpush,rpop,sadd,hset,lrange_100 2>&1)
		echo "$out" | tr '\r' '\n' | grep 'requests per second'
		local n
		n=$(echo "$out" | tr '\r' '\n' | grep -c 'requests per second' || true)
		# 8 tests + the LPUSH that fills the list for LRANGE
		[ "$n" -eq 9 ] || fail "redis-benchmark $extra: $n of 9 results"
		if echo "$out" | grep -qiE 'error|refused|reset'; then
			fail "redis-benchmark $extra reported errors"
		fi
	done
	[ "$(cli dbsize)" -gt 0 ] || fail "DBSIZE"
	alive || fail "ferryd died"
}

t_conns() {
	start 0-1 --maxclients 20000
	nsx $PY "$HERE/conns.py" "$HOST" "$PORT" 10000
	[ "$(cli ping)" = PONG ] || fail "PING after 10k"
}

t_clients() {
	start 0
	nsx $PY "$HERE/clients.py" "$HOST" "$PORT"
	alive || fail "ferryd died"
}

t_lossy() {
	start 0 --loss-ppm 10000
	local f="$FERRY_RUNDIR/v" g="$FERRY_RUNDIR/v.out"
	head -c $((7680 * 1024)) /dev/urandom | base64 -w 0 >"$f"
	[ "$(cli -x set v <"$f")" = OK ] || fail "SET 10 MB over loss"
	cli --raw get v >"$g"
	head -c -1 "$g" >"$g.v"
	[ "$(sha256sum <"$f")" = "$(sha256sum <"$g.v")" ] ||
		fail "10 MB GET differs over loss"
	"$NETNS" stats "$NS" | tee "$FERRY_RUNDIR/stats"
	grep -q 'drop_injected_loss=' "$FERRY_RUNDIR/stats" ||
		fail "no injected loss counted"
}

t_cores() {
	start 0-1
	nsx timeout 120 redis-benchmark -h "$HOST" -p "$PORT" -n 50000 -c 64 \
		-q -t set,get >/dev/null 2>&1 || fail "benchmark"
	"$NETNS" stats "$NS" | tee "$FERRY_RUNDIR/stats"
	local c0 c1
	c0=$(sed -n 's/^core 0: .* commands=\([0-9]*\) .*/\1/p' "$FERRY_RUNDIR/stats")
	c1=$(sed -n 's/^core 1: .* commands=\([0-9]*\) .*/\1/p' "$FERRY_RUNDIR/stats")
	echo "core 0 commands=$c0 core 1 commands=$c1"
	[ "${c0:-0}" -gt 1000 ] || fail "core 0 served ${c0:-0} commands"
	[ "${c1:-0}" -gt 1000 ] || fail "core 1 served ${c1:-0} commands"
	# the kernel's ARP for us reached one queue: the other core got it
	# through the hand-over ring (dataplane/dp_handover.c)
	grep -q 'arp_shared_in=[1-9]' "$FERRY_RUNDIR/stats" ||
		fail "no ARP entry shared between the cores"
}

t_options() {
	# bad command lines: exit 2 with a message, never a crash
	local rc
	set +e
	"$FERRYD" -l 0 --no-huge -m 256 --no-pci --file-prefix "$NS" -- \
		--addr nonsense >/dev/null 2>"$FERRY_RUNDIR/err"; rc=$?
	set -e
	[ $rc -eq 2 ] || fail "--addr nonsense: exit $rc"
	grep -q addr "$FERRY_RUNDIR/err" || fail "no message for --addr"
	set +e
	"$FERRYD" -l 0 --no-huge -m 256 --no-pci --file-prefix "$NS" -- \
		--addr 198.18.0.2/24 --no-such-option 1 >/dev/null 2>&1; rc=$?
	[ $rc -eq 2 ] || { set -e; fail "unknown option: exit $rc"; }
	"$FERRYD" -l 0 --no-huge -m 256 --no-pci --file-prefix "$NS" -- \
		--addr 198.18.0.2/24 --maxmemory lots >/dev/null 2>&1; rc=$?
	[ $rc -eq 2 ] || { set -e; fail "bad store directive: exit $rc"; }
	"$FERRYD" -l 0 --no-huge -m 256 --no-pci --file-prefix "$NS" -- \
		--port >/dev/null 2>&1; rc=$?
	[ $rc -eq 2 ] || { set -e; fail "--port without value: exit $rc"; }
	"$FERRYD" --bogus-eal-option -- --addr 198.18.0.2/24 \
		>/dev/null 2>&1; rc=$?
	[ $rc -eq 2 ] || { set -e; fail "bad EAL option: exit $rc"; }
	# EAL fine, but no port / more data cores than lcores
	"$FERRYD" -l 0 --no-huge -m 256 --no-pci --file-prefix "$NS" -- \
		--addr 198.18.0.2/24 >/dev/null 2>"$FERRY_RUNDIR/err"; rc=$?
	[ $rc -eq 2 ] && grep -q "no DPDK port" "$FERRY_RUNDIR/err" ||
		{ set -e; fail "no port: exit $rc"; }
	"$FERRYD" -l 0 --no-huge -m 256 --no-pci --file-prefix "$NS" -- \
		--addr 198.18.0.2/24 --data-cores 2 >/dev/null 2>&1; rc=$?
	[ $rc -eq 2 ] || { set -e; fail "--data-cores 2 on one lcore: exit $rc"; }
	# --extra-port (net_null ports: no interfaces): a missing port, a
	# subnet overlapping another port's, the --port-id port, a port twice,
	# more than one data core -- each exit 2 with its message
	local ok=0 msg args
	while IFS='|' read -r msg args; do
		# shellcheck disable=SC2086
		"$FERRYD" -l 0 --no-huge -m 256 --no-pci --file-prefix "$NS" \
			$args >/dev/null 2>"$FERRY_RUNDIR/err"; rc=$?
		[ $rc -eq 2 ] && grep -q -- "$msg" "$FERRY_RUNDIR/err" ||
			{ set -e; fail "--extra-port, want '$msg': exit $rc, $(tail -1 "$FERRY_RUNDIR/err")"; }
		ok=$((ok + 1))
	done <<-EOF
	no DPDK port 1|--vdev net_null0 -- --addr 198.18.0.2/24 --extra-port 1,198.18.61.1/24
	overlaps another port|--vdev net_null0 --vdev net_null1 -- --addr 198.18.0.2/24 --extra-port 1,198.18.0.9/16
	is --port-id already|--vdev net_null0 --vdev net_null1 -- --addr 198.18.0.2/24 --extra-port 0,198.18.61.1/24
	given twice|--vdev net_null0 --vdev net_null1 -- --addr 198.18.0.2/24 --extra-port 1,198.18.61.1/24 --extra-port 1,198.18.62.1/24
	is not ID,IP/PREFIX|--vdev net_null0 -- --addr 198.18.0.2/24 --extra-port 1,198.18.61.1
	EOF
	[ $ok -eq 5 ] || { set -e; fail "--extra-port: $ok of 5 cases ran"; }
	"$FERRYD" -l 0-1 --no-huge -m 256 --no-pci --file-prefix "$NS" \
		--vdev net_null0 --vdev net_null1 -- --addr 198.18.0.2/24 \
		--extra-port 1,198.18.61.1/24 >/dev/null 2>"$FERRY_RUNDIR/err"; rc=$?
	[ $rc -eq 2 ] && grep -q "needs one data core" "$FERRY_RUNDIR/err" ||
		{ set -e; fail "--extra-port on two data cores: exit $rc"; }
	# and a good one: both ports up, SIGTERM, clean exit
	"$FERRYD" -l 0 --no-huge -m 256 --no-pci --file-prefix "$NS" \
		--vdev net_null0 --vdev net_null1 -- --addr 198.18.0.2/24 \
		--extra-port 1,198.18.61.1/24 >/dev/null 2>"$FERRY_RUNDIR/err" &
	local xp=$!
	for _ in $(seq 1 600); do	# 60 s: a loaded box starts slowly
		grep -q "and on 198.18.61.1/24 (port 1" "$FERRY_RUNDIR/err" && break
		kill -0 $xp 2>/dev/null || break
		sleep 0.1
	done
	grep -q "and on 198.18.61.1/24 (port 1" "$FERRY_RUNDIR/err" ||
		{ kill -KILL $xp; set -e; fail "ferryd with --extra-port did not start: $(tail -3 "$FERRY_RUNDIR/err")"; }
	kill -TERM $xp; wait $xp; rc=$?
	[ $rc -eq 0 ] || { set -e; fail "ferryd with --extra-port: exit $rc after SIGTERM"; }
	"$FERRYD" --help >"$FERRY_RUNDIR/help" 2>&1; rc=$?
	set -e
	[ $rc -eq 0 ] || fail "--help: exit $rc"
	grep -q -- '--loss-ppm' "$FERRY_RUNDIR/help" || fail "help lacks ferry options"
	grep -q -- '--file-prefix' "$FERRY_RUNDIR/help" || fail "help lacks EAL options"
	# a good one with a store directive, then SIGTERM: clean exit
	start 0 --maxmemory 64mb --hz 20
	[ "$(cli config get maxmemory | tail -1)" = 67108864 ] ||
		fail "--maxmemory not applied"
	# net_tap's per-packet signal is off by default: no tap fd asks for
	# O_ASYNC, the PMD says it has no trigger signal, and it serves
	[ "$(tun_fds "$(cat "$FERRY_RUNDIR/$NS.pid")")" = "async 0 of 3" ] ||
		fail "tap fds: $(tun_fds "$(cat "$FERRY_RUNDIR/$NS.pid")"), want async 0 of 3"
	grep -q "No Rx trigger signal available" "$LOG" ||
		fail "the tap PMD still has its RX trigger"
	# SIGTERM: graceful stop
	local pid
	pid=$(cat "$FERRY_RUNDIR/$NS.pid")
	kill -TERM "$pid"
	wait_exit "$pid" || fail "ferryd did not stop on SIGTERM"
	grep -q '^ferryd: stopped' "$LOG" || fail "no clean stop (SIGTERM)"
	"$NETNS" down "$NS"
	# the SHUTDOWN command: same path
	start 0
	pid=$(cat "$FERRY_RUNDIR/$NS.pid")
	cli shutdown nosave >/dev/null 2>&1 || true
	wait_exit "$pid" || fail "ferryd did not stop on SHUTDOWN"
	grep -q '^ferryd: stopped' "$LOG" || fail "no clean stop (SHUTDOWN)"
	"$NETNS" down "$NS"
	# --tap-rx-trigger keeps DPDK's behaviour: every queue fd O_ASYNC
	start 0 --tap-rx-trigger
	[ "$(cli ping)" = PONG ] || fail "PING with --tap-rx-trigger"
	[ "$(tun_fds "$(cat "$FERRY_RUNDIR/$NS.pid")")" = "async 3 of 3" ] ||
		fail "tap fds with --tap-rx-trigger: $(tun_fds "$(cat "$FERRY_RUNDIR/$NS.pid")")"
}

# tun_fds PID: "async N of M": of PID's M /dev/net/tun fds, N have O_ASYNC
# (020000 in /proc/PID/fdinfo's octal flags)
tun_fds() {
	local n=0 m=0 fd fl
	for fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = /dev/net/tun ] || continue
		m=$((m + 1))
		fl=$(awk '/^flags:/ { print $2 }' "/proc/$1/fdinfo/${fd##*/}")
		if [ $((8#$fl & 8#20000)) -ne 0 ]; then
			n=$((n + 1))
		fi
	done
	echo "async $n of $m"
}

# Two ferryd processes side by side: distinct namespaces, taps, EAL file
# prefixes; each serves its own keyspace, and stopping one leaves the other.
t_pair() {
	start 0
	NS2="fi-pair2-$$"
	local if2="fu$$"
	if2=${if2:0:15}
	"$NETNS" up "$NS2" 198.18.0.1/24 "$FERRYD" \
		-l 1 --no-huge -m 512 --no-pci --file-prefix "$NS2" \
		--vdev "net_tap0,iface=$if2" -- --addr "$HOST/24" --port "$PORT"
	"$NETNS" wait "$NS2" "$HOST" "$PORT" 30
	local cli2=(ip netns exec "$NS2" redis-cli -h "$HOST" -p "$PORT")
	[ "$(cli set who one)" = OK ] || fail "SET on the first"
	[ "$("${cli2[@]}" set who two)" = OK ] || fail "SET on the second"
	[ "$(cli get who)" = one ] || fail "first ferryd sees the second's data"
	[ "$("${cli2[@]}" get who)" = two ] || fail "second ferryd sees the first's data"
	nsx timeout 60 redis-benchmark -h "$HOST" -p "$PORT" -n 20000 -c 20 \
		-q -t set,get >/dev/null 2>&1 &
	local b1=$!
	ip netns exec "$NS2" timeout 60 redis-benchmark -h "$HOST" -p "$PORT" \
		-n 20000 -c 20 -q -t set,get >/dev/null 2>&1 || fail "benchmark on the second"
	wait "$b1" || fail "benchmark on the first"
	"$NETNS" down "$NS2"
	NS2=""
	[ "$(cli get who)" = one ] || fail "first ferryd after the second stopped"
	alive || fail "first ferryd died"
}

# net_af_packet over a veth pair instead of net_tap: the kernel side
# (fk) is addressed, ferryd's side (fa) carries raw frames.  Local TCP over
# a veth leaves checksums to "offload" (CHECKSUM_PARTIAL), which a packet
# socket hands up incomplete, so the kernel side's TX checksum offload is
# turned off (with a real NIC the frames carry full checksums).
t_afpacket() {
	local fa="fa$$" fk="fk$$"
	fa=${fa:0:15}; fk=${fk:0:15}
	ip netns add "$NS"
	ip -n "$NS" link set lo up
	ip -n "$NS" link add "$fa" type veth peer name "$fk"
	ip -n "$NS" link set "$fa" up
	ip -n "$NS" addr add 198.18.0.1/24 dev "$fk"
	nsx ethtool -K "$fk" tx off >/dev/null
	ip -n "$NS" link set "$fk" up
	# `ip netns exec` execs ferryd in place: $! is ferryd's own PID (a
	# shell function here would leave $! pointing at a subshell)
	ip netns exec "$NS" "$FERRYD" -l 0 --no-huge -m 512 --no-pci \
		--file-prefix "$NS" --vdev "net_af_packet0,iface=$fa" -- \
		--addr "$HOST/24" --port "$PORT" >"$LOG" 2>&1 &
	echo $! >"$FERRY_RUNDIR/$NS.pid"
	"$NETNS" wait "$NS" "$HOST" "$PORT" 30
	nsx ping -c 3 -i 0.2 -W 2 "$HOST" >/dev/null || fail "ping over af_packet"
	[ "$(cli set k v)" = OK ] || fail "SET over af_packet"
	[ "$(cli get k)" = v ] || fail "GET over af_packet"
	nsx timeout 120 redis-benchmark -h "$HOST" -p "$PORT" -n 20000 -c 20 \
		-t set,get -q >"$FERRY_RUNDIR/bench.txt" 2>&1 ||
		fail "redis-benchmark over af_packet"
	grep -q "^GET:" <(tr '\r' '\n' <"$FERRY_RUNDIR/bench.txt") ||
		fail "redis-benchmark did not finish GET"
	# a 10 MB (13 MB in base64) value through af_packet's frame-sized TX/RX rings
	head -c 10000000 /dev/urandom | base64 -w0 >"$FERRY_RUNDIR/big"
	nsx redis-cli -h "$HOST" -p "$PORT" -x set big <"$FERRY_RUNDIR/big" >/dev/null
	[ "$(cli strlen big)" = "$(stat -c %s "$FERRY_RUNDIR/big")" ] ||
		fail "10 MB value length over af_packet"
	[ "$(cli get big | md5sum)" = "$( (cat "$FERRY_RUNDIR/big"; echo) | md5sum)" ] ||
		fail "10 MB value content over af_packet"
	alive || fail "ferryd died"
	# the PID file names ferryd itself: the cleanup's SIGTERM stops it
	[ "$(cat "/proc/$(cat "$FERRY_RUNDIR/$NS.pid")/comm")" = ferryd ] ||
		fail "the PID file does not name ferryd"
}

"t_$TEST"
echo "PASS: $TEST"
