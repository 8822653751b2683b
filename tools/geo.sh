#!/usr/bin/env bash
# geo.sh -- a small geo deployment of ferry on one machine: regions in
# network namespaces, joined by ferry-linkemu, region A the primary and
# every other region a replica of it (the README's main job).
#
#   tools/geo.sh [OPTIONS] demo|up|check FERRYD FERRY-LINKEMU
#
#   demo    build it, show a write on A arriving at the replicas, run a short
#           load on A while tools/geo_watch.py shows, per second, A's
#           commands/s, both replication offsets and the replication lag
#           (of stamps A writes itself every 5 ms: repl-lag-probe-ms);
#           then compare the replicas with A.  From a terminal (and CI
#           unset) it then stays up until Ctrl-C; otherwise it removes
#           everything.
#   up      build it and keep it until Ctrl-C (or SIGTERM)
#   check   build it and check the links: ferryd in each region answers
#           from A, and redis-cli --latency from A shows the emulated RTT
#           (tests/linkemu: linkemu_geo); with replication, each replica's
#           link comes up and a write on A reaches it
#
#   --regions N      2..4 (default 2): A, B, C, D; B.. replicate A
#   --delay T        one-way delay each direction of every link (35ms:
#                    US-East <-> EU-West is ~70 ms RTT)
#   --loss P         random loss each direction, e.g. 0.1% (default 0)
#   --link SPEC      any other ferry-linkemu `set` parameters for every link
#                    (e.g. 'jitter 2ms dist normal' or 'rate 1gbit')
#   --wan tap|memif  how the links reach ferryd (default tap: through
#                    each region's kernel, as below).  memif: ferryd's
#                    replication link is a second DPDK port (--extra-port),
#                    net_memif to the emulator, so no kernel is on the
#                    WAN path (what a 1 Gbit/s link needs on a small box);
#                    the regions' kernels are then joined by a plain veth
#                    (no delay) for clients and tools.  check then checks
#                    that the replication stream crosses the emulator
#                    (a write on A arrives no sooner than the delay, frames
#                    forwarded both ways) instead of the kernels' RTT
#   --ferryd-args A  more ferryd options for every region, split on spaces
#                    (e.g. '--idle-sleep-us 20'; repl_bench.sh FERRYD_ARGS)
#   --linkemu-args A more ferry-linkemu options for every link (e.g.
#                    '--spin-us 20 --idle-sleep-us 50': repl_bench.sh
#                    EMU_ARGS; the shaping goes in --link)
#   --no-replica     regions only, no replication
#   --seconds S      demo load duration (default 10)
#   --name N         namespace prefix (default geo): N-a, N-b, ... and the
#                    emulators' N-x1, N-x2, ...
#
#   region A: namespace N-a, ferryd 198.18.51.2/24 (kernel side .1, ferryd's
#             --gateway), the primary;
#   region X (B=1, C=2, D=3): namespace N-x, ferryd 198.18.(51+i).2/24,
#             started with --replicaof 198.18.51.2 6379 and
#             --repl-lag-probe-key geo:stamp (its own lag measurement);
#   link A<->X: ferry-linkemu in N-xi, its net_tap ports moved into N-a
#             (198.18.(60+i).1/24) and the region (198.18.(60+i).2/24);
#             ip_forward on, routes both ways.  With --wan memif:
#             ferry-linkemu in N-xi between memif sockets /tmp/N-xi-a.sock
#             (ferryd A's port i, 198.18.(60+i).1/24) and /tmp/N-xi-b.sock
#             (ferryd X's port 1, 198.18.(60+i).2/24; X replicates
#             198.18.(60+i).1), and a veth N-vi-a / N-vi-b between the
#             namespaces (198.18.(70+i).1 / .2/24) carrying the routes
#             instead.  Control socket
#             /tmp/N-xi.sock:
#               tools/linkemu/lectl.py /tmp/geo-x1.sock 'partition on'
#               tools/linkemu/lectl.py /tmp/geo-x1.sock 'set a2b delay 125ms'
#
# Logs under $FERRY_RUNDIR (default a new /tmp/N-geo.XXXXXX, removed at the
# end unless something failed).  Namespaces and processes are removed on
# exit, Ctrl-C and failure (processes by PID).  Traffic stays inside the
# namespaces, addresses from 198.18.0.0/15.
set -euo pipefail

NAME=geo DELAY=35ms LOSS='' LINK='' REGIONS=2 REPLICA=1 SECONDS_LOAD=10 WAN=tap
FD_ARGS='' LE_ARGS=''
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--name) NAME=$2; shift 2 ;;
	--delay) DELAY=$2; shift 2 ;;
	--loss) LOSS=$2; shift 2 ;;
	--link) LINK=$2; shift 2 ;;
	--wan) WAN=$2; shift 2 ;;
	--ferryd-args) FD_ARGS=$2; shift 2 ;;
	--linkemu-args) LE_ARGS=$2; shift 2 ;;
	--regions) REGIONS=$2; shift 2 ;;
	--no-replica) REPLICA=0; shift ;;
	--seconds) SECONDS_LOAD=$2; shift 2 ;;
	-h|--help) usage ;;
	-*) echo "geo.sh: unknown option $1 (--help)" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 3 ] || usage
case $1 in demo|up|check) ;; *) usage ;; esac
case $REGIONS in 2|3|4) ;; *) echo "geo.sh: --regions must be 2..4" >&2; exit 2 ;; esac
case $SECONDS_LOAD in ''|*[!0-9]*) echo "geo.sh: --seconds must be a number" >&2; exit 2 ;; esac
case $WAN in tap|memif) ;; *) echo "geo.sh: --wan must be tap or memif" >&2; exit 2 ;; esac
read -r -a FD_EXTRA <<<"$FD_ARGS"
read -r -a LE_EXTRA <<<"$LE_ARGS"
MODE=$1
FERRYD=$(readlink -f "$2")
EMU=$(readlink -f "$3")
[ -x "$FERRYD" ] || { echo "geo.sh: no ferryd at $2" >&2; exit 2; }
[ -x "$EMU" ] || { echo "geo.sh: no ferry-linkemu at $3" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/linkemu/le_link.sh"
NETNS="$HERE/netns.sh"
PY=/usr/bin/python3
LECTL="$PY $HERE/linkemu/lectl.py"
WATCH="$PY $HERE/geo_watch.py"
MADE_RUNDIR=""
if [ -z "${FERRY_RUNDIR:-}" ]; then
	FERRY_RUNDIR=$(mktemp -d "/tmp/$NAME-geo.XXXXXX")
	MADE_RUNDIR=1
fi
export FERRY_RUNDIR
mkdir -p "$FERRY_RUNDIR"

LETTERS=(a b c d)
ns_of() { echo "$NAME-${LETTERS[$1]}"; }		# region i -> namespace
addr_of() { echo "198.18.$((51 + $1)).2"; }		# region i -> ferryd
LINK_PIDS=()	# emulator PIDs by region index (1..)
PIDS=()		# helper processes (load, watchers)

cleanup() {
	local rc=$? i p
	trap - EXIT INT TERM
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for i in $(seq 1 $((REGIONS - 1))); do
		LE_PID=${LINK_PIDS[$i]:-}
		le_link_down "$NAME-x$i" "$NAME-x$i"
	done
	if [ "$WAN" = memif ]; then
		# the veths go with the namespaces; the socket files stay
		for i in $(seq 1 $((REGIONS - 1))); do
			rm -f "/tmp/$NAME-x$i-a.sock" "/tmp/$NAME-x$i-b.sock"
		done
	fi
	for i in $(seq 0 $((REGIONS - 1))); do
		"$NETNS" down "$(ns_of "$i")" 2>/dev/null || true
		rm -rf "/var/run/dpdk/$(ns_of "$i")"
	done
	if [ $rc -ne 0 ] && [ $rc -ne 130 ] && [ $rc -ne 143 ]; then
		for f in "$FERRY_RUNDIR"/*.log; do
			[ -f "$f" ] && { echo "---- $f"; tail -n 20 "$f"; }
		done
	elif [ -n "$MADE_RUNDIR" ]; then
		rm -rf "$FERRY_RUNDIR"
	fi
	echo "geo.sh: removed the $REGIONS regions and their links"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
say() { printf '\n== %s\n' "$*"; }
cli() { # REGION-INDEX (the namespace the client runs in) HOST-INDEX ARGS...
	local from=$1 to=$2; shift 2
	ip netns exec "$(ns_of "$from")" timeout 10 redis-cli \
		-h "$(addr_of "$to")" -p 6379 "$@"
}
info_field() { # FROM TO SECTION FIELD
	cli "$1" "$2" info "$3" 2>/dev/null | tr -d '\r' |
		awk -F: -v f="$4" '$1 == f { print $2 }'
}

# ---- a run killed before its cleanup left namespaces: remove them ----------------
for ns in $(ip netns list | awk '{ print $1 }'); do
	case $ns in
	"$NAME"-[abcd]|"$NAME"-x[123])
		echo "geo.sh: removing $ns, left over from an earlier run" >&2
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$p" 2>/dev/null || true
		done
		sleep 1
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null || true
		done
		ip netns del "$ns" 2>/dev/null || true
		rm -rf "/var/run/dpdk/$ns"
		;;
	esac
done

# ---- the regions -------------------------------------------------------------
ncpu=$(nproc)
if [ "$WAN" = memif ]; then	# socket files of a run that was killed
	for j in $(seq 1 $((REGIONS - 1))); do
		rm -f "/tmp/$NAME-x$j-a.sock" "/tmp/$NAME-x$j-b.sock"
	done
fi
for i in $(seq 0 $((REGIONS - 1))); do
	ns=$(ns_of "$i") a=$(addr_of "$i")
	k=${a%.2}.1
	extra=() vdevs=()
	master=$(addr_of 0)
	if [ "$WAN" = memif ]; then
		# the WAN links as DPDK ports 1..: memif servers the emulators
		# join (A: one per link; a replica: its own link)
		if [ "$i" = 0 ]; then
			for j in $(seq 1 $((REGIONS - 1))); do
				vdevs+=(--vdev "net_memif$((j - 1)),role=server,socket=/tmp/$NAME-x$j-a.sock,socket-abstract=no")
				extra+=(--extra-port "$j,198.18.$((60 + j)).1/24")
			done
		else
			vdevs+=(--vdev "net_memif0,role=server,socket=/tmp/$NAME-x$i-b.sock,socket-abstract=no")
			extra+=(--extra-port "1,198.18.$((60 + i)).2/24")
			master=198.18.$((60 + i)).1
		fi
	fi
	# replicas measure the lag of the stamps (A's own in the demo,
	# geo_watch's or A's in repl_bench) where they apply them
	# (control/repl_lagprobe.h)
	[ "$i" -gt 0 ] && [ "$REPLICA" = 1 ] &&
		extra+=(--replicaof "$master 6379" --repl-lag-probe-key geo:stamp)
	tap="${NAME}f${LETTERS[$i]}"
	"$NETNS" up "$ns" "$k/24" "$FERRYD" -l $((i % ncpu)) --no-huge -m 512 \
		--no-pci --file-prefix "$ns" --vdev "net_tap0,iface=${tap:0:15}" \
		"${vdevs[@]}" -- \
		--addr "$a/24" --gateway "$k" --port 6379 "${extra[@]}" \
		${FD_EXTRA[@]+"${FD_EXTRA[@]}"} >/dev/null
	"$NETNS" wait "$ns" "$a" 6379 30
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
done

# ---- the links: A <-> each other region ----------------------------------------
SPEC="delay $DELAY"
[ -z "$LOSS" ] || SPEC="$SPEC loss $LOSS"
[ -z "$LINK" ] || SPEC="$SPEC $LINK"
LE_TIMEOUT=${LE_TIMEOUT:-86400}
for i in $(seq 1 $((REGIONS - 1))); do
	xns="$NAME-x$i"
	rm -f "/tmp/$xns.sock"	# left by a run that was killed
	LE_PID=
	if [ "$WAN" = memif ]; then
		le_link_up_memif "$EMU" "$xns" "/tmp/$xns-a.sock" "/tmp/$xns-b.sock" \
			"$xns" "/tmp/$xns.sock" "$FERRY_RUNDIR/$xns.log" 768 \
			--both "$SPEC" ${LE_EXTRA[@]+"${LE_EXTRA[@]}"}
	else
		ta="${NAME}t${i}a" tb="${NAME}t${i}b"
		le_link_up "$EMU" "$xns" "$(ns_of 0)" "$(ns_of "$i")" "${ta:0:15}" \
			"${tb:0:15}" "$xns" "/tmp/$xns.sock" "$FERRY_RUNDIR/$xns.log" 768 \
			--both "$SPEC" ${LE_EXTRA[@]+"${LE_EXTRA[@]}"}
	fi || {
		LINK_PIDS[$i]=$LE_PID	# the cleanup stops it
		fail "link A<->${LETTERS[$i]^^} did not start"
	}
	LINK_PIDS[$i]=$LE_PID
	# the kernels' path between A and the region: the emulator's taps,
	# or with memif (the emulator is off the kernels' path) a plain veth
	if [ "$WAN" = memif ]; then
		ka="$NAME-v$i-a" kb="$NAME-v$i-b" net=198.18.$((70 + i))
		ka=${ka:0:15} kb=${kb:0:15}
		ip link add "$ka" netns "$(ns_of 0)" type veth peer "$kb" netns "$(ns_of "$i")"
		ip -n "$(ns_of 0)" link set "$ka" up
		ip -n "$(ns_of "$i")" link set "$kb" up
	else
		ka=${ta:0:15} kb=${tb:0:15} net=198.18.$((60 + i))
	fi
	ip -n "$(ns_of 0)" addr add "$net.1/24" dev "$ka"
	ip -n "$(ns_of "$i")" addr add "$net.2/24" dev "$kb"
	ip -n "$(ns_of 0)" route add "198.18.$((51 + i)).0/24" via "$net.2"
	ip -n "$(ns_of "$i")" route add 198.18.51.0/24 via "$net.1"
	# the first crossing resolves ARP over the link
	ip netns exec "$(ns_of 0)" ping -c 2 -W 3 "$net.2" >/dev/null || true
done

echo
echo "geo.sh: $REGIONS regions, every link $SPEC each way$([ "$WAN" = memif ] && echo ' (replication over memif: A at 198.18.6x.1 on the link)'):"
for i in $(seq 0 $((REGIONS - 1))); do
	role=primary
	[ "$i" -gt 0 ] && { [ "$REPLICA" = 1 ] && role="replica of A" || role=standalone; }
	printf '  region %s: ip netns exec %s redis-cli -h %s   (%s)\n' \
		"${LETTERS[$i]^^}" "$(ns_of "$i")" "$(addr_of "$i")" "$role"
done
for i in $(seq 1 $((REGIONS - 1))); do
	echo "  link A<->${LETTERS[$i]^^}: tools/linkemu/lectl.py /tmp/$NAME-x$i.sock 'stats' | 'partition on' | 'set a2b delay 125ms' ..."
done

wait_links_up() { # seconds
	local i t
	for i in $(seq 1 $((REGIONS - 1))); do
		for t in $(seq 1 $(($1 * 2))); do
			[ "$(info_field "$i" "$i" replication master_link_status)" = up ] && break
			sleep 0.5
		done
		[ "$(info_field "$i" "$i" replication master_link_status)" = up ] ||
			fail "region ${LETTERS[$i]^^}'s replication link is not up after $1 s"
	done
}

# A write on A, timed until each replica shows it (read in its own region).
show_write_arrives() {
	local i v t0 t1 val
	val="written-$(date +%s%N)"
	t0=$(date +%s%N)
	cli 0 0 set geo:hello "$val" >/dev/null
	for i in $(seq 1 $((REGIONS - 1))); do
		for _ in $(seq 1 400); do
			v=$(cli "$i" "$i" get geo:hello)
			[ "$v" = "$val" ] && break
			sleep 0.005
		done
		[ "$v" = "$val" ] || fail "the write on A did not reach region ${LETTERS[$i]^^}"
		t1=$(date +%s%N)
		ARRIVE_MS[$i]=$(((t1 - t0) / 1000000))
		printf '  SET on A -> visible on %s after %d ms (one-way delay %s)\n' \
			"${LETTERS[$i]^^}" "${ARRIVE_MS[$i]}" "$DELAY"
	done
}

case $MODE in
up)
	if [ "$REPLICA" = 1 ]; then wait_links_up 60; fi
	echo "geo.sh: up; Ctrl-C removes it"
	while kill -0 "${LINK_PIDS[1]}" 2>/dev/null; do sleep 1; done
	fail "an emulator exited"
	;;
check)
	ms=$(echo "$DELAY" | sed -n 's/^\([0-9.]*\)ms$/\1/p')
	[ -n "$ms" ] || ms=35
	want=$(awk -v d="$ms" 'BEGIN { print 2 * d }')
	if [ "$WAN" = memif ]; then
		# no kernel path crosses the emulator: the check is that the
		# replication stream does (ferryd's second port, its route)
		[ "$REPLICA" = 1 ] || fail "check with --wan memif needs replication"
		wait_links_up 60
		ARRIVE_MS=()
		show_write_arrives
		for i in $(seq 1 $((REGIONS - 1))); do
			[ "$(info_field "$i" "$i" replication master_host)" = "198.18.$((60 + i)).1" ] ||
				fail "region ${LETTERS[$i]^^} does not replicate A's link address"
			awk -v a="${ARRIVE_MS[$i]}" -v d="$ms" 'BEGIN { exit !(a >= d) }' ||
				fail "the write reached ${LETTERS[$i]^^} in ${ARRIVE_MS[$i]} ms, under the one-way delay $ms ms: not across the emulator"
			st=$($LECTL "/tmp/$NAME-x$i.sock" stats)
			for dir in a2b b2a; do
				fw=$(echo "$st" | awk -v d="$dir" '$1 == d { for (k = 2; k <= NF; k++) if ($k ~ /^forwarded=/) { sub(/^forwarded=/, "", $k); print $k } }')
				[ "${fw:-0}" -gt 0 ] || fail "link A<->${LETTERS[$i]^^}: nothing forwarded $dir"
				echo "  link A<->${LETTERS[$i]^^} $dir: $fw frames forwarded"
			done
		done
		echo "PASS: geo check ($REGIONS regions, replication over memif across the emulator, $DELAY one way)"
		exit 0
	fi
	for i in $(seq 1 $((REGIONS - 1))); do
		[ "$(cli 0 "$i" ping)" = PONG ] ||
			fail "ferryd ${LETTERS[$i]^^} does not answer from region A"
		[ "$(cli "$i" 0 ping)" = PONG ] ||
			fail "ferryd A does not answer from region ${LETTERS[$i]^^}"
		# redis-cli --latency: one request per RTT on an open connection.
		# Its minimum is the emulated RTT plus the path's own cost: never
		# below it (the delay is enforced), and within 10 ms above it
		# unless every sample of a try was stalled -- a shared box can
		# stall anything for a while, so up to 3 tries of 5 s (a wrong
		# delay fails all of them)
		for try in 1 2 3; do
			lat=$(ip netns exec "$(ns_of 0)" timeout 20 redis-cli \
				-h "$(addr_of "$i")" --latency -i 1 --raw 2>/dev/null &
				pid=$!; sleep 5; kill -INT $pid 2>/dev/null; wait $pid || true)
			min=$(echo "$lat" | tail -1 | awk '{ print $1 }')
			echo "redis-cli --latency A -> ${LETTERS[$i]^^} (min max avg samples, ms):" \
				"$(echo "$lat" | tail -1) (try $try)"
			awk -v a="$min" -v w="$want" 'BEGIN { exit !(a >= w && a <= w + 10) }' &&
				break
		done
		awk -v a="$min" -v w="$want" 'BEGIN { exit !(a >= w && a <= w + 10) }' ||
			fail "minimum latency $min ms to ${LETTERS[$i]^^}, emulated RTT $want ms"
	done
	if [ "$REPLICA" = 1 ]; then
		wait_links_up 60
		show_write_arrives
	fi
	echo "PASS: geo check ($REGIONS regions, RTT $want ms emulated)"
	;;
demo)
	[ "$REPLICA" = 1 ] || fail "demo needs replication (drop --no-replica)"
	say "waiting for the replicas' full sync across the link"
	wait_links_up 60
	for i in $(seq 1 $((REGIONS - 1))); do
		echo "  region ${LETTERS[$i]^^}: $(cli "$i" "$i" role | tr '\n' ' ')"
	done
	say "a write on the primary (A) reaching the replicas"
	show_write_arrives
	say "writes to a replica are refused (replica-read-only)"
	cli 1 1 set geo:x 1 || true
	say "load on A for ${SECONDS_LOAD}s (redis-benchmark SET/INCR/LPUSH, 20 clients, -P 4) with the lag watched from region B (A stamps geo:stamp every 5 ms itself)"
	ip netns exec "$(ns_of 0)" timeout "$((SECONDS_LOAD + 1))" redis-benchmark \
		-h "$(addr_of 0)" -t set,incr,lpush -n 100000000 -c 20 -P 4 \
		-r 100000 -d 64 -q >"$FERRY_RUNDIR/load.log" 2>&1 &
	PIDS+=($!)
	# the stamps: A writes SET geo:stamp <unix ms> itself every 5 ms
	# (repl-lag-probe-ms), so the replicas measure from A's write
	cli 0 0 config set repl-lag-probe-key geo:stamp >/dev/null
	cli 0 0 config set repl-lag-probe-ms 5 >/dev/null
	ip netns exec "$(ns_of 1)" $WATCH watch --primary "$(addr_of 0):6379" \
		--replica "$(addr_of 1):6379" --seconds "$SECONDS_LOAD" \
		--json "$FERRY_RUNDIR/lag.json"
	cli 0 0 config set repl-lag-probe-ms 0 >/dev/null
	wait "${PIDS[@]}" 2>/dev/null || true
	PIDS=()
	say "after the load: every replica holds what A holds"
	oa=$(info_field 0 0 replication master_repl_offset)
	for i in $(seq 1 $((REGIONS - 1))); do
		for _ in $(seq 1 100); do
			[ "$(info_field "$i" "$i" replication slave_repl_offset)" = \
			  "$(info_field 0 0 replication master_repl_offset)" ] && break
			sleep 0.1
		done
		oa=$(info_field 0 0 replication master_repl_offset)
		ob=$(info_field "$i" "$i" replication slave_repl_offset)
		ka=$(cli 0 0 dbsize) kb=$(cli "$i" "$i" dbsize)
		printf '  A: offset %s, %s keys   %s: offset %s, %s keys\n' \
			"$oa" "$ka" "${LETTERS[$i]^^}" "$ob" "$kb"
		[ "$oa" = "$ob" ] || fail "region ${LETTERS[$i]^^} did not catch up"
		[ "$ka" = "$kb" ] || fail "region ${LETTERS[$i]^^} holds $kb keys, A $ka"
	done
	for i in $(seq 1 $((REGIONS - 1))); do
		$LECTL "/tmp/$NAME-x$i.sock" stats | sed -n 's/^/  link A<->'"${LETTERS[$i]^^}"' /p' |
			grep -E " (a2b|b2a) " || true
	done
	if [ -t 0 ] && [ -z "${CI:-}" ]; then
		say "still up; try the commands above from another shell.  Ctrl-C removes it."
		while kill -0 "${LINK_PIDS[1]}" 2>/dev/null; do sleep 1; done
		fail "an emulator exited"
	fi
	;;
esac
