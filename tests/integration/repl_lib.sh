# repl_lib.sh -- shared set-up of the replication integration scripts
# (sourced, not run): one network namespace whose kernel routes between
# several ferryd processes on net_tap interfaces and stock redis-servers
# on the kernel side.
#
#   . "$HERE/repl_lib.sh"
#   rl_setup NS TAP-PREFIX     # namespace up, run dir $RUN, cleanup trap
#   start_ferryd NAME ADDR KERNEL-SIDE [ferry options]
#   start_redis HOST PORT [redis-server options]
#
# Helpers: fail MSG, nsx CMD (in the namespace), info_field HOST PORT
# FIELD, wait_field HOST PORT FIELD VALUE SECONDS, expect_field HOST PORT
# FIELD VALUE.  A script may define rl_on_failure (called by the cleanup
# when it exits non-zero, before the processes are stopped) to print what
# helps.  The cleanup (always, also on TERM/INT) kills every process it
# started by PID (TERM, then KILL after 10 s), prints the logs on failure,
# deletes the namespace, the run dir and the DPDK runtime dirs.

PIDS=()

fail() { echo "FAIL: $*" >&2; exit 1; }
nsx() { ip netns exec "$NS" "$@"; }
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
wait_field_min() { # HOST PORT FIELD MIN SECONDS: a count reaching MIN
	local v
	for _ in $(seq 1 $(($5 * 10))); do
		v=$(info_field "$1" "$2" "$3")
		[ "${v:-0}" -ge "$4" ] && return 0
		sleep 0.1
	done
	fail "$3 of $1:$2 is '${v:-}', not >= $4 after $5 s"
}
expect_field() { # HOST PORT FIELD VALUE
	[ "$(info_field "$1" "$2" "$3")" = "$4" ] ||
		fail "$3 of $1:$2 is '$(info_field "$1" "$2" "$3")', not '$4'"
}

rl_cleanup() {
	local rc=$?
	if [ $rc -ne 0 ] && declare -F rl_on_failure >/dev/null; then
		rl_on_failure || true
	fi
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
			[ -e "$f" ] || continue
			echo "---- $f ----"
			grep -v '^EAL\|qdisc\|eth_dev_tap' "$f" | tail -n 30 || true
		done
	fi
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$RUN" "/var/run/dpdk/$NS-"*
	exit $rc
}

rl_setup() { # NS TAP-PREFIX
	NS=$1
	RL_TAP=$2
	RUN=$(mktemp -d "/tmp/ferry-$NS.XXXXXX")
	trap rl_cleanup EXIT
	trap 'exit 143' TERM INT
	ip netns add "$NS"
	ip -n "$NS" link set lo up
	nsx sysctl -qw net.ipv4.ip_forward=1
}

start_ferryd() { # NAME ADDR KERNEL-SIDE [ferry options]
	local name=$1 addr=$2 kside=$3 tap="$RL_TAP$1"
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
		[ "$(nsx timeout 20 redis-cli -h "$addr" -p 6379 ping 2>/dev/null)" = PONG ] &&
			return 0
		sleep 0.1
	done
	fail "ferryd $name does not answer"
}

start_redis() { # HOST PORT [redis-server options]
	local host=$1 port=$2
	shift 2
	# ip netns exec execs redis-server: $! is its PID
	ip netns exec "$NS" redis-server --bind "$host" --port "$port" --save "" \
		--appendonly no --protected-mode no --dir "$RUN" \
		--logfile "$RUN/redis-$port.log" --daemonize no "$@" \
		</dev/null >/dev/null 2>&1 &
	PIDS+=($!)
	for _ in $(seq 1 100); do
		[ "$(nsx redis-cli -h "$host" -p "$port" ping 2>/dev/null)" = PONG ] &&
			return 0
		sleep 0.1
	done
	fail "redis-server $host:$port does not answer"
}
