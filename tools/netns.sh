#!/usr/bin/env bash
# netns.sh -- run ferryd in a network namespace of its own, reachable from
# that namespace's kernel stack over a net_tap interface.
#
#   tools/netns.sh up NS ADDR/PREFIX [FERRYD [ARGS...]]
#       Create namespace NS, start FERRYD ARGS inside it (`ip netns exec NS`,
#       so the net_tap interface is created in NS), wait for the tap, give
#       it ADDR/PREFIX on the kernel side and bring it up.  FERRYD defaults
#       to $FERRYD or build-release/ferryd; without ARGS ferryd runs its
#       embedded default (tap ferry0, ferry at 198.18.0.2/24, port 6379).
#       The tap's name is taken from "iface=NAME" in ARGS (default ferry0).
#       ferryd's output goes to $RUNDIR/NS.log, its PID to $RUNDIR/NS.pid
#       (RUNDIR: $FERRY_RUNDIR or /tmp/ferry-netns).
#   tools/netns.sh wait NS HOST [PORT [SECONDS]]
#       Wait until `redis-cli -h HOST -p PORT ping` answers PONG inside NS.
#   tools/netns.sh down NS
#       SIGTERM ferryd (SIGKILL after 10 s), by its PID, then delete NS.
#   tools/netns.sh exec NS CMD...
#       Run CMD inside NS (same as ip netns exec NS CMD...).
#   tools/netns.sh stats NS
#       Ask ferryd for its per-core counters (SIGUSR1) and print them.
#
# Example (what `./ferry.sh run` does):
#   tools/netns.sh up ferry-a 198.18.0.1/24 build-release/ferryd
#   tools/netns.sh wait ferry-a 198.18.0.2
#   ip netns exec ferry-a redis-cli -h 198.18.0.2 ping
#   tools/netns.sh down ferry-a
#
# Only addresses the caller gives are configured; traffic stays inside NS.
set -euo pipefail

RUNDIR=${FERRY_RUNDIR:-/tmp/ferry-netns}

die() { echo "netns.sh: $*" >&2; exit 1; }

pid_of() { # NS -> PID or nothing
	local f="$RUNDIR/$1.pid"
	[ -f "$f" ] && cat "$f" || true
}

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

ns_exists() { ip netns list | awk '{ print $1 }' | grep -qxF "$1"; }

cmd_up() {
	[ $# -ge 2 ] || die "usage: up NS ADDR/PREFIX [FERRYD [ARGS...]]"
	local ns=$1 addr=$2; shift 2
	local ferryd=${1:-${FERRYD:-build-release/ferryd}}
	[ $# -gt 0 ] && shift
	local iface=ferry0 a
	for a in "$@"; do
		case $a in
		*iface=*) iface=${a##*iface=}; iface=${iface%%,*} ;;
		esac
	done
	[ -x "$ferryd" ] || die "no ferryd at $ferryd (build it, or give its path)"
	[[ $addr == */* ]] || die "ADDR must be IP/PREFIX, e.g. 198.18.0.1/24"
	mkdir -p "$RUNDIR"
	if ns_exists "$ns"; then
		die "namespace $ns exists (tools/netns.sh down $ns)"
	fi
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip netns exec "$ns" "$ferryd" "$@" >"$RUNDIR/$ns.log" 2>&1 &
	local pid=$!
	echo "$pid" >"$RUNDIR/$ns.pid"
	local i
	for i in $(seq 1 200); do
		if ! alive "$pid"; then
			cat "$RUNDIR/$ns.log" >&2 || true
			cmd_down "$ns" || true
			die "ferryd exited during start-up (log above)"
		fi
		ip -n "$ns" link show "$iface" >/dev/null 2>&1 && break
		sleep 0.1
	done
	ip -n "$ns" link show "$iface" >/dev/null 2>&1 || {
		cmd_down "$ns" || true
		die "tap $iface did not appear in $ns"
	}
	ip -n "$ns" addr add "$addr" dev "$iface"
	ip -n "$ns" link set "$iface" up
	echo "ferryd pid $pid in namespace $ns, tap $iface = $addr," \
	     "log $RUNDIR/$ns.log"
}

cmd_wait() {
	[ $# -ge 2 ] || die "usage: wait NS HOST [PORT [SECONDS]]"
	local ns=$1 host=$2 port=${3:-6379} secs=${4:-20} i pid
	pid=$(pid_of "$ns")
	for i in $(seq 1 $((secs * 10))); do
		alive "$pid" || die "ferryd (pid ${pid:-?}) is not running"
		if [ "$(ip netns exec "$ns" timeout 2 redis-cli -h "$host" \
			-p "$port" ping 2>/dev/null)" = PONG ]; then
			return 0
		fi
		sleep 0.1
	done
	die "no PONG from $host:$port in $ns after ${secs}s"
}

cmd_down() {
	[ $# -ge 1 ] || die "usage: down NS"
	local ns=$1 pid i
	pid=$(pid_of "$ns")
	if alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		for i in $(seq 1 100); do
			alive "$pid" || break
			sleep 0.1
		done
		if alive "$pid"; then
			echo "netns.sh: ferryd $pid ignored SIGTERM; SIGKILL" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	rm -f "$RUNDIR/$ns.pid"
	if ns_exists "$ns"; then
		ip netns del "$ns"
	fi
}

cmd_stats() {
	local pid n
	pid=$(pid_of "$1")
	alive "$pid" || die "ferryd is not running in $1"
	n=$(grep -c '^stats end' "$RUNDIR/$1.log" || true)
	kill -USR1 "$pid"
	for i in $(seq 1 50); do
		[ "$(grep -c '^stats end' "$RUNDIR/$1.log" || true)" -gt "$n" ] && break
		sleep 0.1
	done
	awk -v n="$n" '/^stats end/ { seen++; next } seen == n && /^core /' \
		"$RUNDIR/$1.log"
}

case ${1:-} in
up) shift; cmd_up "$@" ;;
wait) shift; cmd_wait "$@" ;;
down) shift; cmd_down "$@" ;;
exec) shift; [ $# -ge 2 ] || die "usage: exec NS CMD..."; ns=$1; shift
	exec ip netns exec "$ns" "$@" ;;
stats) shift; [ $# -ge 1 ] || die "usage: stats NS"; cmd_stats "$1" ;;
*) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
