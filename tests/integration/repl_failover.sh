#!/usr/bin/env bash
# repl_failover.sh -- promotion and FAILOVER between ferryd nodes, with a
# stock redis-server 7.0.15 replica, and no acknowledged write lost.
#
#   tests/integration/repl_failover.sh FERRYD
#
# One namespace ff-PID, two ferryd processes on net_tap interfaces: P at
# 198.18.33.2 (kernel side 198.18.33.1/24) and R1 at 198.18.34.2 (kernel
# side 198.18.34.1/24); the namespace's kernel routes between them.  R2 is
# a stock redis-server on the kernel side (198.18.33.1:6392).
#   1. P master; R1 (--replicaof P) and R2 (REPLICAOF P) its replicas.
#      A writer sets keys, each batch followed by WAIT 2: the keys of the
#      batches both replicas acknowledged are recorded.
#   2. Promotion: REPLICAOF NO ONE on R1, R2 REPLICAOF R1, P REPLICAOF R1:
#      both continue with a PARTIAL resync (R1's INFO stats: sync_full 0,
#      sync_partial_ok 2); every acknowledged key is on R1, R2 and P.
#   3. Writes to R1 reach P and R2 (offsets equal, every key equal).
#   4. FAILOVER TO P on R1 while a client writes to R1: INFO says
#      waiting-for-sync / failover-in-progress meanwhile, the writer's
#      commands wait and then get -READONLY; P is a master, R1 its
#      replica, R2 (still R1's replica) follows the chain; P served no full
#      sync (its sync_full unchanged, sync_partial_ok + 1: R1's PSYNC
#      FAILOVER answered +CONTINUE); every key written to R1
#      before is on P, R1 and R2; writes to P reach both.
#   5. FAILOVER between ferryd and the stock server: R2 REPLICAOF P, P
#      FAILOVER TO R2 (the stock server promotes itself on PSYNC ...
#      FAILOVER), then R2 FAILOVER TO P (ferryd promotes itself): no full
#      sync anywhere, data equal on all three, acknowledged keys kept.
#   6. FAILOVER's refusals on a replica, with no replicas, ABORT with none.
# Cleanup (always): the processes killed by PID, the namespace deleted.
set -euo pipefail

FERRYD=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
TOOL="$HERE/repl_tool.py"
P=198.18.33.2
R1=198.18.34.2
K=198.18.33.1
KPORT=6392
. "$HERE/repl_lib.sh"
rl_setup "ff-$$" "ff$$"
rc() { local h=$1; shift; nsx timeout 20 redis-cli -h "$h" -p 6379 "$@"; }
kc() { nsx timeout 20 redis-cli -h "$K" -p "$KPORT" "$@"; }
rl_on_failure() {
	for h in "$P 6379" "$R1 6379" "$K $KPORT"; do
		echo "---- INFO of $h ----"
		nsx timeout 5 redis-cli -h ${h% *} -p ${h#* } info all 2>/dev/null |
			grep -E "^(role|master_host|master_repl_offset|master_replid|second_repl|sync_|repl_backlog|slave|master_failover)" || true
	done
}

# acked-writes HOST PREFIX BATCHES FILE: SET PREFIX:i in batches of 50,
# WAIT 2 2000 after each; the keys of batches that both replicas
# acknowledged go to FILE (one a line)
acked_writes() {
	nsx $PY - "$@" <<'EOF'
import sys
import redis
host, prefix, batches, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
r = redis.Redis(host=host, port=6379, socket_timeout=20)
acked = []
for b in range(batches):
    keys = ["%s:%d" % (prefix, b * 50 + i) for i in range(50)]
    p = r.pipeline(transaction=False)
    for k in keys:
        p.set(k, "v-" + k)
    p.execute()
    if r.execute_command("WAIT", 2, 2000) >= 2:
        acked += keys
open(out, "w").write("\n".join(acked) + "\n")
print("%d of %d keys acknowledged by 2 replicas" % (len(acked), batches * 50))
if len(acked) < batches * 25:
    sys.exit("too few acknowledged writes")
EOF
}

# check-keys FILE HOST PORT...: every key in FILE has its value on each
check_keys() {
	nsx $PY - "$@" <<'EOF'
import sys
import redis
keys = [k for k in open(sys.argv[1]).read().split("\n") if k]
nodes = sys.argv[2:]
for i in range(0, len(nodes), 2):
    r = redis.Redis(host=nodes[i], port=int(nodes[i + 1]), socket_timeout=20)
    vals = r.mget(keys)
    lost = [k for k, v in zip(keys, vals) if v != ("v-" + k).encode()]
    if lost:
        sys.exit("%s:%s lost %d acknowledged keys, e.g. %s" %
                 (nodes[i], nodes[i + 1], len(lost), lost[:3]))
    print("%s:%s has all %d acknowledged keys" % (nodes[i], nodes[i + 1], len(keys)))
EOF
}

start_ferryd p "$P" 198.18.33.1
start_redis "$K" "$KPORT"

echo "== 1. P master, R1 and R2 its replicas; acknowledged writes"
echo "== FAILOVER refused without replicas"
[ "$(rc "$P" failover)" = "ERR FAILOVER requires connected replicas." ] ||
	fail "FAILOVER without replicas: $(rc "$P" failover)"
nsx $PY "$TOOL" populate "$P" 6379
start_ferryd r1 "$R1" 198.18.34.1 --replicaof "$P 6379"
[ "$(kc replicaof "$P" 6379)" = OK ] || fail "REPLICAOF P on the stock server"
wait_field "$R1" 6379 master_link_status up 30
wait_field "$K" "$KPORT" master_link_status up 30
[ "$(rc "$R1" failover)" = "ERR FAILOVER is not valid when server is a replica." ] ||
	fail "FAILOVER on a replica"
acked_writes "$P" a 40 "$RUN/acked1"
nsx $PY "$TOOL" wait "$P" 6379 "$R1" 6379 30 || fail "R1's offset"
nsx $PY "$TOOL" wait "$P" 6379 "$K" "$KPORT" 30 || fail "R2's offset"
expect_field "$P" 6379 sync_full 2

echo "== 2. REPLICAOF NO ONE on R1; R2 and P follow it with a partial resync"
[ "$(rc "$R1" replicaof no one)" = OK ] || fail "REPLICAOF NO ONE"
expect_field "$R1" 6379 role master
[ "$(kc replicaof "$R1" 6379)" = OK ] || fail "R2 REPLICAOF R1"
[ "$(rc "$P" replicaof "$R1" 6379)" = OK ] || fail "P REPLICAOF R1"
wait_field "$K" "$KPORT" master_link_status up 30
wait_field "$P" 6379 master_link_status up 30
wait_field "$R1" 6379 connected_slaves 2 30
expect_field "$R1" 6379 sync_full 0
expect_field "$R1" 6379 sync_partial_ok 2
check_keys "$RUN/acked1" "$R1" 6379 "$K" "$KPORT" "$P" 6379 ||
	fail "acknowledged writes lost in the promotion"

echo "== 3. writes to R1 reach P and R2"
nsx $PY "$TOOL" write "$R1" 6379 3
acked_writes "$R1" b 20 "$RUN/acked2"
nsx $PY "$TOOL" wait "$R1" 6379 "$P" 6379 30 || fail "P's offset"
nsx $PY "$TOOL" wait "$R1" 6379 "$K" "$KPORT" 30 || fail "R2's offset (2)"
nsx $PY "$TOOL" compare "$R1" 6379 "$P" 6379 || fail "R1 != P"
nsx $PY "$TOOL" compare "$R1" 6379 "$K" "$KPORT" || fail "R1 != R2"

echo "== 4. FAILOVER TO P on R1 while a client writes to R1"
nsx $PY - "$R1" >"$RUN/writer.out" 2>&1 <<'EOF' &
import sys
import time
import redis
r = redis.Redis(host=sys.argv[1], port=6379, socket_timeout=30)
ok = ro = 0
for i in range(100000):
    try:
        r.set("fw:%d" % i, i)
        ok += 1
    except redis.exceptions.ReadOnlyError:
        ro += 1
        break
    time.sleep(0.002)
print("ok=%d readonly=%d" % (ok, ro))
EOF
WRITER=$!
PIDS+=($WRITER)
p_full=$(info_field "$P" 6379 sync_full)
p_partial=$(info_field "$P" 6379 sync_partial_ok)
sleep 1
[ "$(rc "$R1" failover to "$P" 6379 timeout 10000)" = OK ] || fail "FAILOVER TO P"
state=$(info_field "$R1" 6379 master_failover_state)
case $state in
waiting-for-sync|failover-in-progress|no-failover) ;;
*) fail "master_failover_state '$state'" ;;
esac
wait_field "$P" 6379 role master 30
wait_field "$R1" 6379 role slave 30
wait_field "$R1" 6379 master_failover_state no-failover 30
wait_field "$R1" 6379 master_link_status up 30
wait "$WRITER" || fail "the writer: $(cat "$RUN/writer.out")"
grep -q "readonly=1" "$RUN/writer.out" ||
	fail "the paused writer did not get -READONLY: $(cat "$RUN/writer.out")"
expect_field "$R1" 6379 master_host "$P"
expect_field "$P" 6379 sync_full "$p_full"
expect_field "$P" 6379 sync_partial_ok $((p_partial + 1))
wait_field "$K" "$KPORT" master_link_status up 30
nsx $PY "$TOOL" wait "$P" 6379 "$R1" 6379 30 || fail "R1's offset after FAILOVER"
nsx $PY "$TOOL" wait "$P" 6379 "$K" "$KPORT" 30 || fail "R2's offset after FAILOVER"
nsx $PY "$TOOL" compare "$P" 6379 "$R1" 6379 || fail "P != R1 after FAILOVER"
nsx $PY "$TOOL" compare "$P" 6379 "$K" "$KPORT" || fail "P != R2 after FAILOVER"
cat "$RUN/acked1" "$RUN/acked2" >"$RUN/acked"
check_keys "$RUN/acked" "$P" 6379 "$R1" 6379 "$K" "$KPORT" ||
	fail "acknowledged writes lost in the FAILOVER"
rc "$P" set after-failover 1 >/dev/null
nsx $PY "$TOOL" wait "$P" 6379 "$K" "$KPORT" 30 || fail "R2's offset (3)"
[ "$(kc get after-failover)" = 1 ] || fail "a write to P did not reach R2"

echo "== 5. FAILOVER between ferryd and the stock server, both ways"
# R2 becomes P's replica directly (partial: same history), then P hands
# over to it: the stock server gets "PSYNC <id> <off> FAILOVER"
[ "$(kc replicaof "$P" 6379)" = OK ] || fail "R2 REPLICAOF P"
wait_field "$K" "$KPORT" master_link_status up 30
wait_field "$P" 6379 connected_slaves 2 30
p_full=$(info_field "$P" 6379 sync_full)
[ "$(rc "$P" failover to "$K" "$KPORT" timeout 10000)" = OK ] || fail "FAILOVER TO R2"
wait_field "$K" "$KPORT" role master 30
wait_field "$P" 6379 role slave 30
wait_field "$P" 6379 master_failover_state no-failover 30
wait_field "$P" 6379 master_link_status up 30
expect_field "$P" 6379 master_host "$K"
expect_field "$K" "$KPORT" sync_full 0
expect_field "$P" 6379 sync_full "$p_full"
kc set on-stock 1 >/dev/null
nsx $PY "$TOOL" wait "$K" "$KPORT" "$P" 6379 30 || fail "P's offset under R2"
nsx $PY "$TOOL" wait "$K" "$KPORT" "$R1" 6379 30 || fail "R1's offset under R2 -> P"
nsx $PY "$TOOL" compare "$K" "$KPORT" "$P" 6379 || fail "R2 != P"
nsx $PY "$TOOL" compare "$K" "$KPORT" "$R1" 6379 || fail "R2 != R1"
check_keys "$RUN/acked" "$K" "$KPORT" "$P" 6379 "$R1" 6379 ||
	fail "acknowledged writes lost in the FAILOVER to the stock server"
# and back: the stock server hands over to ferryd P
[ "$(kc failover to "$P" 6379 timeout 10000)" = OK ] || fail "stock FAILOVER TO P"
wait_field "$P" 6379 role master 30
wait_field "$K" "$KPORT" role slave 30
wait_field "$K" "$KPORT" master_link_status up 30
expect_field "$K" "$KPORT" master_failover_state no-failover
expect_field "$P" 6379 sync_full "$p_full"
rc "$P" set back-on-ferry 1 >/dev/null
nsx $PY "$TOOL" wait "$P" 6379 "$K" "$KPORT" 30 || fail "R2's offset under P"
nsx $PY "$TOOL" compare "$P" 6379 "$K" "$KPORT" || fail "P != R2 (2)"
check_keys "$RUN/acked" "$P" 6379 "$K" "$KPORT" "$R1" 6379 ||
	fail "acknowledged writes lost in the FAILOVER from the stock server"

echo "== 6. FAILOVER refusals"
[ "$(rc "$R1" failover)" = "ERR FAILOVER is not valid when server is a replica." ] ||
	fail "FAILOVER on the demoted node"
[ "$(rc "$P" failover to 198.18.99.9 6379)" = "ERR FAILOVER target HOST and PORT is not a replica." ] ||
	fail "FAILOVER to a stranger"
[ "$(rc "$P" failover abort)" = "ERR No failover in progress." ] || fail "ABORT"
echo "PASS"
