# le_link.sh -- shell helpers (sourced) to put ferry-linkemu between two
# network namespaces over net_tap.  Used by tests/linkemu/run.sh,
# tools/geo.sh and tools/bench/linkemu_precision.sh.
#
#   le_link_up EMU XNS ANS BNS TAPA TAPB PREFIX CTL LOG MEM [OPTIONS...]
#       Create namespace XNS (IPv6 off) and start EMU in it, under
#       `timeout ${LE_TIMEOUT:-600}`, with two net_tap ports TAPA (port 0,
#       side a) and TAPB (port 1, side b), EAL file prefix PREFIX, -m MEM,
#       control socket CTL, output to LOG, then OPTIONS.  When the taps
#       and the socket exist, move TAPA into ANS and TAPB into BNS (which
#       must exist; IPv6 is turned off there too so the kernels stay quiet)
#       and bring them up with txqueuelen 10000; addresses are the
#       caller's.  The tap PMD keeps
#       working after the move: its queues are file descriptors of the
#       tun device, which moves with the netdev.  Sets LE_PID.
#   le_link_up_memif EMU XNS SOCKA SOCKB PREFIX CTL LOG MEM [OPTIONS...]
#       The same emulator with two net_memif ports instead (port 0, side a,
#       client of the memif socket file SOCKA; port 1, side b, of SOCKB):
#       the servers are DPDK processes (ferryd --extra-port), so no kernel
#       is on the path.  Starts EMU in namespace XNS (created here, for
#       le_link_down) and waits for its control socket.  Sets LE_PID.
#   le_link_down XNS PREFIX
#       SIGTERM the emulator (SIGKILL after 10 s), by LE_PID, delete XNS
#       and the EAL run directory.  Returns the emulator's exit status
#       (0: clean exit) in LE_RC.
#   le_ns_quiet NS
#       Turn IPv6 off in NS (no router solicitations, MLD, DAD).

le_ns_quiet() {
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null
}

# EMU in a new namespace XNS with ports VDEV0 (side a) and VDEV1 (side b),
# then OPTIONS; sets LE_PID; waits (30 s) for the control socket and, when
# WAITDEV is not empty, for that interface in XNS.
le_start() {
	local emu=$1 xns=$2 prefix=$3 mem=$4 ctl=$5 log=$6 v0=$7 v1=$8
	local waitdev=$9 i
	shift 9
	ip netns add "$xns"
	le_ns_quiet "$xns"
	ip netns exec "$xns" timeout "${LE_TIMEOUT:-600}" "$emu" -l 0 \
		--no-huge -m "$mem" --no-pci --file-prefix "$prefix" \
		--vdev "$v0" --vdev "$v1" -- --ctl "$ctl" "$@" >"$log" 2>&1 &
	LE_PID=$!
	for i in $(seq 1 300); do
		if ! kill -0 "$LE_PID" 2>/dev/null; then
			cat "$log" >&2
			echo "le_link_up: emulator exited during start-up" >&2
			return 1
		fi
		[ -S "$ctl" ] && { [ -z "$waitdev" ] ||
			ip -n "$xns" link show "$waitdev" >/dev/null 2>&1; } &&
			break
		sleep 0.1
	done
	[ -S "$ctl" ] || { echo "le_link_up: no control socket" >&2; return 1; }
}

le_link_up() {
	local emu=$1 xns=$2 ans=$3 bns=$4 ta=$5 tb=$6 prefix=$7 ctl=$8
	local log=$9 mem=${10}
	shift 10
	le_start "$emu" "$xns" "$prefix" "$mem" "$ctl" "$log" \
		"net_tap0,iface=$ta" "net_tap1,iface=$tb" "$tb" "$@" || return 1
	le_ns_quiet "$ans"
	le_ns_quiet "$bns"
	ip -n "$xns" link set "$ta" netns "$ans"
	ip -n "$xns" link set "$tb" netns "$bns"
	# a deeper kernel -> emulator queue (default 1000) absorbs the bursts
	# while the emulator is descheduled on a shared box
	ip -n "$ans" link set "$ta" txqueuelen 10000 up
	ip -n "$bns" link set "$tb" txqueuelen 10000 up
}

le_link_up_memif() {
	local emu=$1 xns=$2 sa=$3 sb=$4 prefix=$5 ctl=$6 log=$7 mem=$8
	shift 8
	# socket-abstract=no: a socket file, reachable across namespaces
	le_start "$emu" "$xns" "$prefix" "$mem" "$ctl" "$log" \
		"net_memif0,role=client,socket=$sa,socket-abstract=no" \
		"net_memif1,role=client,socket=$sb,socket-abstract=no" "" "$@"
}

le_link_down() {
	local xns=$1 prefix=$2 i
	LE_RC=
	if [ -n "${LE_PID:-}" ] && kill -0 "$LE_PID" 2>/dev/null; then
		kill -TERM "$LE_PID" 2>/dev/null || true
		for i in $(seq 1 100); do
			kill -0 "$LE_PID" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$LE_PID" 2>/dev/null; then
			echo "le_link_down: emulator $LE_PID ignored SIGTERM" >&2
			kill -KILL "$LE_PID" 2>/dev/null || true
		fi
	fi
	if [ -n "${LE_PID:-}" ]; then
		wait "$LE_PID" 2>/dev/null && LE_RC=0 || LE_RC=$?
	fi
	LE_PID=
	ip netns del "$xns" 2>/dev/null || true
	rm -rf "/var/run/dpdk/$prefix"
}
