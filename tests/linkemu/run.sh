#!/usr/bin/env bash
# run.sh -- ferry-linkemu end to end between two network namespaces.
#
#   tests/linkemu/run.sh FERRY-LINKEMU
#
# Namespaces le-a-PID (198.18.50.1/24) and le-b-PID (198.18.50.2/24) are
# joined by the emulator, which runs in a third namespace le-x-PID with two
# net_tap ports whose kernel sides are then moved into A and B
# (tools/linkemu/le_link.sh).  Checks: bad command lines exit 2 with a
# message, --help documents options and protocol; ping RTT at 0 and at 20 ms one way
# each direction (median 40 +- 5 ms, never below 40), the control socket's
# counters against the pings sent, loss 100% and partition on make ping
# fail, partition off makes it work again, a 2 s partition on a schedule
# (lectl.py ... 'sleep 2' ...) loses the pings of those 2 s only, bad
# control lines get ERR (NUL bytes, overlong lines, a 9th connection), and
# SIGTERM stops the emulator cleanly; started again with --spin-us 0 it
# still delays 20 ms each way, never less; dup 100% doubles the replies, a
# 1 Mbit/s cap with a 20-packet queue tail-drops a 5000/s burst (every
# datagram accounted for); 10,000 datagrams are in flight at once over a
# 2 s delay without a drop.  Everything is removed on exit, even
# on failure or timeout (meson sends SIGTERM).  Exit 0 = pass.
set -euo pipefail

EMU=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=../../tools/linkemu/le_link.sh
. "$ROOT/tools/linkemu/le_link.sh"
CTL_PY="$ROOT/tools/linkemu/lectl.py"

A=le-a-$$
B=le-b-$$
X=le-x-$$
TA=lea$$
TB=leb$$
TA=${TA:0:15}
TB=${TB:0:15}
PREFIX=le-$$
RUN=$(mktemp -d /tmp/ferry-linkemu.XXXXXX)
CTL=$RUN/ctl.sock
LOG=$RUN/emu.log
LE_TIMEOUT=170

cleanup() {
	local rc=$?
	le_link_down "$X" "$PREFIX"
	ip netns del "$A" 2>/dev/null || true
	ip netns del "$B" 2>/dev/null || true
	if [ $rc -ne 0 ]; then
		echo "---- emulator log ($LOG) ----"
		tail -n 40 "$LOG" 2>/dev/null || true
	fi
	rm -rf "$RUN"
	exit $rc
}
trap cleanup EXIT
trap 'exit 143' TERM INT

fail() { echo "FAIL: $*" >&2; exit 1; }
# wait_ready PID: the receiver PID touched $RUN/ready (it listens); the
# sender must not start before, or its first datagrams meet no socket
wait_ready() {
	local i
	for i in $(seq 1 600); do
		[ -e "$RUN/ready" ] && return 0
		kill -0 "$1" 2>/dev/null || fail "the receiver exited before listening"
		sleep 0.05
	done
	fail "the receiver is not listening after 30 s"
}
ctl() { /usr/bin/python3 "$CTL_PY" "$CTL" "$@"; }
# stat DIR NAME: one counter from "stats"
stat() {
	ctl stats | awk -v d="$1" -v k="$2" '$1 == d {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }'
}

# ping_rtts COUNT: RTTs (ms) of COUNT pings A -> B, one per line, sorted
ping_rtts() {
	ip netns exec "$A" ping -n -c "$1" -i 0.05 -W 2 198.18.50.2 |
		sed -n 's/.* time=\([0-9.]*\) ms/\1/p' | sort -n
}

median() { awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

# check_rtt40 LABEL: 30 pings A -> B with 20 ms each way: at least 29
# replies, median RTT 40 +- 5 ms (a second try when the shared box stalled
# the first), none below 40 (never early); the counters are reset first
check_rtt40() {
	local try
	for try in 1 2; do
		ctl "stats reset" >/dev/null
		rtts=$(ping_rtts 30)
		n=$(echo "$rtts" | grep -c . || true)
		m20=$(echo "$rtts" | median)
		min20=$(echo "$rtts" | head -1)
		echo "$1 each way (try $try): $n replies, median RTT $m20 ms, min $min20 ms"
		awk -v m="$m20" 'BEGIN { exit !(m >= 35 && m <= 45) }' && break
	done
	[ "$n" -ge 29 ] || fail "$1: $n of 30 replies"
	awk -v m="$m20" 'BEGIN { exit !(m >= 35 && m <= 45) }' ||
		fail "$1: median RTT $m20 ms, not 40 +- 5"
	awk -v m="$min20" 'BEGIN { exit !(m >= 39.9) }' ||
		fail "$1: an RTT of $min20 ms is shorter than the emulated 40"
}

# ---- command line: bad options exit 2 with a message; --help exits 0 ------
badopt() { # EXPECTED-TEXT ARGS...: exit 2 and the text on stderr
	local want=$1 rc=0
	shift
	"$EMU" "$@" >/dev/null 2>"$RUN/err" || rc=$?
	[ $rc -eq 2 ] || fail "'$*': exit $rc, not 2"
	grep -qF -- "$want" "$RUN/err" || fail "'$*': no '$want' in: $(cat "$RUN/err")"
}
badopt "unknown option '--bogus'" -- --bogus
badopt "--a2b: bad time '5xs' for delay" -- --a2b "delay 5xs"
badopt "--both: unknown parameter 'colour'" -- --both "colour red"
badopt "--seed needs a value" -- --seed
badopt "bad value 'abc' for --seed" -- --seed abc
badopt "bad value '0' for --queue-cap" -- --queue-cap 0
badopt "bad value '1001' for --spin-us" -- --spin-us 1001
badopt "bad value '-1' for --spin-us" -- --spin-us -1
badopt "unexpected argument 'extra'" -- --seed 1 extra
badopt "EAL init failed" --bogus-eal-option -- --seed 1
badopt "need two DPDK ports" -l 0 --no-huge -m 64 --no-pci \
	--file-prefix "$PREFIX" -- --seed 1
"$EMU" --help >"$RUN/help" || fail "--help: exit $?"
grep -q -- '--stats-interval' "$RUN/help" && grep -q 'partition on|off' "$RUN/help" ||
	fail "--help lacks the options or the protocol"

ip netns add "$A"
ip netns add "$B"
ip -n "$A" link set lo up
ip -n "$B" link set lo up
le_link_up "$EMU" "$X" "$A" "$B" "$TA" "$TB" "$PREFIX" "$CTL" "$LOG" 256 \
	--queue-cap 16384 --seed 7 || fail "emulator did not start"
ip -n "$A" addr add 198.18.50.1/24 dev "$TA"
ip -n "$B" addr add 198.18.50.2/24 dev "$TB"
grep -q 'forwarding port 0 <-> port 1' "$LOG" || fail "no start-up line"

# ---- 0 ms: the emulator forwards, fast -------------------------------------
ip netns exec "$A" ping -n -c 3 -i 0.2 -W 2 198.18.50.2 >/dev/null ||
	fail "no ping through the emulator at 0 ms"
# (the shared box can stall anything for a while: a second try when the
# median is off; a wrong delay fails both)
for try in 1 2; do
	rtts=$(ping_rtts 20)
	n=$(echo "$rtts" | grep -c . || true)
	m0=$(echo "$rtts" | median)
	echo "0 ms (try $try): $n replies, median RTT $m0 ms"
	awk -v m="$m0" 'BEGIN { exit !(m < 5) }' && break
done
[ "$n" -ge 19 ] || fail "0 ms: $n of 20 replies"
awk -v m="$m0" 'BEGIN { exit !(m < 5) }' || fail "0 ms: median RTT $m0 ms"

# ---- 20 ms each way: RTT 40 ms ----------------------------------------------
ctl "set both delay 20ms" >/dev/null || fail "set delay"
ctl show | grep -q '^a2b delay 20ms ' || fail "show after set"
check_rtt40 "20 ms"

# counters: every ping went a2b, every reply b2a, each delayed; nothing
# dropped; received = forwarded + dropped + queued
st=$(ctl stats)
echo "$st"
for d in a2b b2a; do
	line=$(echo "$st" | grep "^$d ")
	get() { echo "$line" | sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
	rx=$(get received); fw=$(get forwarded); dl=$(get delayed)
	drops=0
	for k in loss burst queue overflow partition nombuf tx; do
		drops=$((drops + $(get dropped_$k)))
	done
	q=$(get queue_depth)
	[ "$rx" -eq $((fw + drops + q)) ] ||
		fail "$d: received $rx != forwarded $fw + dropped $drops + queued $q"
	[ "$fw" -ge 30 ] && [ "$fw" -le 34 ] ||
		fail "$d: forwarded $fw for 30 pings"
	[ "$dl" -eq "$rx" ] || fail "$d: delayed $dl of $rx"
	[ "$drops" -eq 0 ] || fail "$d: $drops dropped"
done
ctl "stats json" | head -1 | /usr/bin/python3 -c '
import json, sys
j = json.load(sys.stdin)
assert j["a2b"]["received"] >= 30 and j["b2a"]["forwarded"] >= 30, j
assert len(j["a2b"]["late_hist"]) == len(j["late_hist_bounds_us"]) + 1
' || fail "stats json"

# ---- loss 100% a2b: ping fails, counted ------------------------------------
ctl "set a2b loss 100%" >/dev/null
ctl "stats reset" >/dev/null
if ip netns exec "$A" ping -n -c 5 -i 0.2 -W 1 198.18.50.2 >/dev/null; then
	fail "ping through 100% loss"
fi
l=$(stat a2b dropped_loss)
[ "$l" -ge 5 ] || fail "dropped_loss $l after 5 pings at 100% loss"
ctl "set a2b loss 0" >/dev/null
ip netns exec "$A" ping -n -c 3 -i 0.2 -W 2 198.18.50.2 >/dev/null ||
	fail "ping after loss 0"

# ---- partition on / off ------------------------------------------------------
ctl "partition on" >/dev/null
ctl "stats reset" >/dev/null
if ip netns exec "$A" ping -n -c 5 -i 0.2 -W 1 198.18.50.2 >/dev/null; then
	fail "ping through a partition"
fi
p=$(stat a2b dropped_partition)
[ "$p" -ge 5 ] || fail "dropped_partition $p after 5 pings"
[ "$(stat b2a forwarded)" -eq 0 ] || fail "b2a forwarded during partition"
ctl "partition off" >/dev/null
ip netns exec "$A" ping -n -c 3 -i 0.2 -W 2 198.18.50.2 >/dev/null ||
	fail "ping after partition off"
# on a schedule (lectl.py's sleep): cut for 2 s in the middle of 4 s of
# pings; the link heals by itself
ctl "stats reset" >/dev/null
( sleep 1; ctl "partition on" "sleep 2" "partition off" >/dev/null ) &
spid=$!
got=$(ip netns exec "$A" ping -n -c 40 -i 0.1 -W 1 198.18.50.2 2>/dev/null |
	grep -c ' time=' || true)
wait "$spid" || fail "scheduled partition: lectl"
p=$(stat a2b dropped_partition)
echo "scheduled 2 s partition: $got of 40 replies, $p dropped"
[ "$got" -ge 10 ] && [ "$got" -le 32 ] || fail "scheduled partition: $got of 40 replies"
[ "$p" -ge 10 ] || fail "scheduled partition: $p dropped"
# one direction only: replies are cut
ctl "partition on b2a" >/dev/null
if ip netns exec "$A" ping -n -c 3 -i 0.2 -W 1 198.18.50.2 >/dev/null; then
	fail "ping with b2a partitioned"
fi
ctl "partition off" >/dev/null

# ---- jitter: normal, stddev 5 ms each way: RTTs spread, centred on 40 ms ----
ctl "reset" "set both delay 20ms jitter 5ms dist normal" >/dev/null
rtts=$(ping_rtts 40)
sd=$(echo "$rtts" | awk '{ s += $1; q += $1 * $1 } END { m = s / NR; print sqrt(q / NR - m * m) }')
mj=$(echo "$rtts" | median)
echo "jitter 5 ms normal: median RTT $mj ms, stddev $sd ms"
awk -v m="$mj" -v s="$sd" 'BEGIN { exit !(m >= 33 && m <= 50 && s >= 2) }' ||
	fail "jitter: median $mj ms, stddev $sd ms"

# ---- Gilbert-Elliott burst loss a2b (p 10%, r 50%, all lost in Bad):
# stationary loss 1/6, counted as burst drops
ctl "reset" "set a2b ge 10% 50% 100% 0%" "stats reset" >/dev/null
rm -f "$RUN/ready"
ip netns exec "$B" timeout 60 /usr/bin/python3 "$ROOT/tools/linkemu/le_udpprobe.py" \
	recv 9002 3000 2 0 "$RUN/ready" >"$RUN/ge.json" &
rpid=$!
wait_ready "$rpid"
ip netns exec "$A" timeout 60 /usr/bin/python3 "$ROOT/tools/linkemu/le_udpprobe.py" \
	send 198.18.50.2 9002 3000 5000 >/dev/null
wait "$rpid" || true
rx=$(stat a2b received)
bd=$(stat a2b dropped_burst)
got=$(/usr/bin/python3 -c "import json; print(json.load(open('$RUN/ge.json'))['received'])")
echo "Gilbert-Elliott: $bd of $rx dropped as burst, $got of 3000 arrived"
awk -v b="$bd" -v r="$rx" 'BEGIN { exit !(r >= 3000 && b / r > 0.12 && b / r < 0.22) }' ||
	fail "Gilbert-Elliott: $bd of $rx dropped (model 16.7%)"
[ "$got" -eq $((3000 - bd)) ] || [ "$rx" -gt 3000 ] ||
	fail "Gilbert-Elliott: $got arrived, $bd dropped of 3000"

# ---- duplication: every request arrives twice --------------------------------
ctl "reset" "set a2b dup 100%" "stats reset" >/dev/null
dups=$(ip netns exec "$A" ping -n -c 5 -i 0.2 -W 2 198.18.50.2 | grep -c 'DUP!' || true)
# (ping may exit before the last reply's twin arrives)
[ "$dups" -ge 4 ] || fail "dup 100%: $dups duplicate replies to 5 pings"
d=$(stat a2b duplicated)
[ "$d" -ge 5 ] || fail "duplicated $d after 5 pings at dup 100%"
r=$(stat b2a received)
[ "$r" -ge 10 ] || fail "dup 100%: $r replies for 5 pings"

# ---- rate cap: 1000 datagrams at 5000/s into 1 Mbit/s with a 20-packet
# queue: the excess is tail-dropped, and every datagram is accounted for
ctl "reset" "set a2b rate 1mbit limit 20" "stats reset" >/dev/null
rm -f "$RUN/ready"
ip netns exec "$B" timeout 60 /usr/bin/python3 "$ROOT/tools/linkemu/le_udpprobe.py" \
	recv 9000 1000 2 0 "$RUN/ready" >"$RUN/rate.json" &
rpid=$!
wait_ready "$rpid"
ip netns exec "$A" timeout 60 /usr/bin/python3 "$ROOT/tools/linkemu/le_udpprobe.py" \
	send 198.18.50.2 9000 1000 5000 >/dev/null
wait "$rpid" || fail "rate: receiver"
got=$(/usr/bin/python3 -c "import json; print(json.load(open('$RUN/rate.json'))['received'])")
q=$(stat a2b dropped_queue)
fw=$(stat a2b forwarded)
rx=$(stat a2b received)
echo "rate 1 Mbit/s: received $got of 1000, dropped_queue $q"
[ "$q" -gt 0 ] || fail "rate cap: no tail drop"
[ "$got" -lt 1000 ] || fail "rate cap: everything arrived"
# every forwarded datagram arrives -- but on a loaded box the receiver (a
# python socket with a 2 s idle timeout) can miss a few: never more than
# forwarded, at most a tenth fewer
[ "$got" -le "$fw" ] && [ $((got * 10)) -ge $((fw * 9)) ] ||
	fail "rate cap: forwarded $fw, received $got"
[ "$rx" -eq $((fw + q)) ] || fail "rate cap: received $rx != $fw + $q"
ctl "reset" >/dev/null

# ---- in flight: 10,000 datagrams sent within 1 s over a 2 s delay are all
# held at once, none dropped, all delivered in order
ctl "reset" "set a2b delay 2s" "stats reset" >/dev/null
rm -f "$RUN/ready"
ip netns exec "$B" timeout 60 /usr/bin/python3 "$ROOT/tools/linkemu/le_udpprobe.py" \
	recv 9001 10000 4 2000 "$RUN/ready" >"$RUN/infl.json" &
rpid=$!
wait_ready "$rpid"
ip netns exec "$A" timeout 60 /usr/bin/python3 "$ROOT/tools/linkemu/le_udpprobe.py" \
	send 198.18.50.2 9001 10000 10000 >"$RUN/infl.send"
wait "$rpid" || fail "in flight: receiver"
/usr/bin/python3 - "$RUN/infl.json" <<'PY' || fail "in flight: $(cat "$RUN/infl.json")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["received"] == 10000 and j["out_of_order"] == 0, j
assert j["err_us"]["min"] >= 0, j	# never early
PY
depth=$(stat a2b queue_depth_max)
echo "in flight: sent $(cat "$RUN/infl.send"), queue_depth_max $depth"
[ "$depth" -ge 9000 ] || fail "in flight: queue_depth_max $depth"
for k in loss burst queue overflow partition nombuf tx; do
	[ "$(stat a2b dropped_$k)" -eq 0 ] || fail "in flight: dropped_$k"
done
ctl "reset" >/dev/null

# ---- bad control input: ERR, the emulator stays up ---------------------------
out=$(ctl "set a2b delay soon" || true)
[ "$out" = "ERR bad time 'soon' for delay" ] || fail "bad set: '$out'"
out=$(ctl "frobnicate" || true)
[ "$out" = "ERR unknown command 'frobnicate' (try help)" ] ||
	fail "unknown command: '$out'"
head -c 5000 /dev/urandom | tr -d '\n' >"$RUN/junk"
/usr/bin/python3 - "$CTL" "$RUN/junk" <<'PY' || fail "overlong line"
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[1])
s.sendall(open(sys.argv[2], "rb").read() + b"\nshow\n")
buf = b""
while not buf.endswith(b"OK\n"):
    c = s.recv(65536)
    assert c, buf
    buf += c
assert buf.startswith(b"ERR line too long\n"), buf[:80]
assert b"a2b delay 0ms" in buf, buf
# NUL bytes and binary junk in a line: an ERR, the connection goes on
s.sendall(b"\x00\xff\x01 set\x00 a2b\nstats reset\n")
buf = b""
while not buf.endswith(b"OK\n"):
    c = s.recv(65536)
    assert c, buf
    buf += c
assert buf == b"ERR NUL byte in line\nOK\n", buf
# 8 connections at most: the 9th is told and closed, the others still work
more = []
for _ in range(8):
    c = socket.socket(socket.AF_UNIX); c.settimeout(5); c.connect(sys.argv[1])
    more.append(c)
extra = more[-1].recv(100)
assert extra == b"ERR too many connections\n", extra
more[0].sendall(b"stats json\n")
buf = b""
while not buf.endswith(b"OK\n"):
    c = more[0].recv(65536)
    assert c, buf
    buf += c
assert buf.startswith(b'{"a2b":'), buf[:40]
PY
ip netns exec "$A" ping -n -c 2 -i 0.2 -W 2 198.18.50.2 >/dev/null ||
	fail "ping after bad control input"

# ---- SIGTERM: clean exit ---------------------------------------------------------
le_link_down "$X" "$PREFIX"
[ "$LE_RC" = 0 ] || fail "exit status $LE_RC after SIGTERM"
grep -q '^ferry-linkemu: stopped' "$LOG" || fail "no clean stop"
[ ! -e "$CTL" ] || fail "control socket left behind"

# ---- --spin-us 0: wake at each release itself; never early, still on time ------
le_link_up "$EMU" "$X" "$A" "$B" "$TA" "$TB" "$PREFIX" "$CTL" "$LOG" 256 \
	--queue-cap 16384 --spin-us 0 --both 'delay 20ms' ||
	fail "emulator (--spin-us 0) did not start"
ip -n "$A" addr add 198.18.50.1/24 dev "$TA"
ip -n "$B" addr add 198.18.50.2/24 dev "$TB"
grep -q 'when idle: .*wake 0 us before a release' "$LOG" ||
	fail "--spin-us 0 not in the start-up lines"
check_rtt40 "--spin-us 0, 20 ms"
le_link_down "$X" "$PREFIX"
[ "$LE_RC" = 0 ] || fail "exit status $LE_RC after SIGTERM (--spin-us 0)"
echo "PASS: linkemu_link"
