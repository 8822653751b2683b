#!/bin/bash
# test_tap_ping.sh -- integration: the L2/L3 stack on net_tap answers the
# kernel's ARP and ping.  A private network namespace holds the tap (ftap0,
# created by DPDK inside it); the kernel side is 198.18.0.1/24, ferry is
# 198.18.0.2.  Namespace and process are removed on any exit.
#
# usage: test_tap_ping.sh PATH/TO/tap_ping
set -u
prog=$1
ns=ferry_l3_$$
log=$(mktemp)
pid=

cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	fi
	ip netns del "$ns" 2>/dev/null
	rm -f "$log"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; cat "$log"; exit 1; }

if [ "$(id -u)" != 0 ] || ! command -v ping >/dev/null || [ ! -e /dev/net/tun ]; then
	echo "needs root, ping and /dev/net/tun"; exit 1
fi
ip netns add "$ns" || fail "ip netns add"
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" "$prog" --no-huge --no-pci -m 256 --file-prefix "tapping_$$" \
	--no-telemetry --log-level=error -l 0 --vdev net_tap0,iface=ftap0 \
	-- 198.18.0.2 30 >"$log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	grep -q "tap_ping: up" "$log" && break
	kill -0 "$pid" 2>/dev/null || fail "tap_ping exited"
	sleep 0.1
done
grep -q "tap_ping: up" "$log" || fail "tap_ping did not come up"
ip netns exec "$ns" ip addr add 198.18.0.1/24 dev ftap0 || fail "addr"
ip netns exec "$ns" ip link set ftap0 up || fail "link up"
ip netns exec "$ns" ping -c 3 -i 0.2 -W 2 198.18.0.2 || fail "ping"
# a large ping too (1472 bytes of data: a full 1500-byte packet)
ip netns exec "$ns" ping -c 2 -i 0.2 -W 2 -s 1472 -M do 198.18.0.2 || fail "large ping"
# the kernel learnt our MAC by ARP
mac=$(sed -n 's/.*mac \([0-9a-f:]*\).*/\1/p' "$log")
ip netns exec "$ns" ip neigh show 198.18.0.2 dev ftap0 | grep -qi "lladdr $mac" \
	|| fail "kernel neighbour entry for 198.18.0.2 is not $mac"
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
cat "$log"
[ $rc = 0 ] || fail "tap_ping exit $rc"
grep -q "icmp_echo 5 " "$log" || fail "expected 5 echo replies"
grep -Eq "arp_replies [1-9]" "$log" || fail "no ARP reply sent"
echo "PASS"
