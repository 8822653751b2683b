#!/usr/bin/env bash
# ferry.sh -- set up, build, run and test ferry on Debian 12 (as root).
#
#   ./ferry.sh run     install what is missing, build, start ferryd in a
#                      network namespace and talk to it with redis-cli
#                      (stays up until Ctrl-C when run from a terminal)
#   ./ferry.sh test    install what is missing, build (plain, ASan+UBSan,
#                      TSan, libFuzzer) and run every test suite
#
# FERRY_FUZZ_SECONDS (default 60) bounds the fuzzing run of `test`.
set -euo pipefail
cd "$(dirname "$0")"

PKGS=(meson ninja-build pkg-config gcc clang llvm libclang-rt-14-dev
      libdpdk-dev dpdk liburcu-dev libcmocka-dev liblzf-dev
      redis-server redis-tools python3 python3-redis iproute2 iputils-ping
      ethtool gnuplot-nox)

log() { printf '\n==> %s\n' "$*"; }

install_deps() {
	local missing=()
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		log "installing: ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	fi
}

setup() { # dir, extra meson args...
	local dir=$1; shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >/dev/null
	fi
	ninja -C "$dir" >/dev/null
}

cmd_run() {
	install_deps
	log "building (release)"
	setup build-release --buildtype=release -Db_ndebug=true
	log "store self-check"
	./build-release/ferry-storebench --check

	RUN_NS=ferry-a
	local ns=$RUN_NS
	stop_run() { tools/netns.sh down "$RUN_NS" >/dev/null 2>&1 || true; }
	trap stop_run EXIT
	trap 'exit 130' INT TERM
	stop_run	# a namespace left over from an earlier run
	log "starting ferryd in network namespace $ns (net_tap ferry0, no hugepages)"
	tools/netns.sh up "$ns" 198.18.0.1/24 build-release/ferryd
	tools/netns.sh wait "$ns" 198.18.0.2 6379 60
	log "a stock redis-cli talking to ferryd over DPDK and ferry's own TCP stack"
	local cli=(ip netns exec "$ns" redis-cli -h 198.18.0.2 -p 6379)
	set -x
	"${cli[@]}" PING
	"${cli[@]}" SET greeting "hello from ferry"
	"${cli[@]}" GET greeting
	"${cli[@]}" INCR visits
	"${cli[@]}" INFO server | head -n 4
	ip netns exec "$ns" redis-benchmark -h 198.18.0.2 -q -n 20000 -c 20 -t set,get
	set +x
	tools/netns.sh stats "$ns" || true
	if [ -t 0 ] && [ -z "${CI:-}" ]; then
		log "ferryd keeps running: in another shell try
    ip netns exec $ns redis-cli -h 198.18.0.2
Press Ctrl-C to stop it."
		while kill -0 "$(cat /tmp/ferry-netns/$ns.pid)" 2>/dev/null; do
			sleep 1
		done
	else
		log "not interactive: stopping ferryd"
	fi
}

cmd_test() {
	install_deps
	local rc=0
	log "build: debugoptimized (gcc)"
	setup build-test
	log "tests: fast, integration, stress, fuzz-corpus replay"
	meson test -C build-test --print-errorlogs --num-processes 2 || rc=1

	log "build: ASan + UBSan (clang)"
	CC=clang setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
	log "tests under ASan + UBSan"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C build-asan --print-errorlogs --num-processes 2 || rc=1

	log "build: TSan (clang)"
	CC=clang setup build-tsan -Db_sanitize=thread -Db_lundef=false
	log "concurrency tests under TSan"
	TSAN_OPTIONS="halt_on_error=1 suppressions=$PWD/tests/tsan.supp" \
		meson test -C build-tsan --print-errorlogs --num-processes 1 \
		--suite stress --suite fast || rc=1

	log "build: libFuzzer (clang)"
	CC=clang setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false
	log "fuzzing each libFuzzer target (RESP, frames, whole stack) for ${FERRY_FUZZ_SECONDS:-60} s"
	tests/fuzz/run.sh build-fuzz "${FERRY_FUZZ_SECONDS:-60}" || rc=1

	if [ $rc -ne 0 ]; then
		log "FAILED"
	else
		log "all test suites passed"
	fi
	return $rc
}

case "${1:-}" in
run) cmd_run ;;
test) cmd_test ;;
*) echo "usage: $0 run|test" >&2; exit 2 ;;
esac
