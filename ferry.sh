#!/usr/bin/env bash
# ferry.sh -- set up, build, run and test ferry on Debian 12 (as root).
#
#   ./ferry.sh run     install what is missing, build, start a two-region
#                      geo deployment (primary ferryd in region A, replica
#                      ferryd in region B, ferry-linkemu between them at
#                      35 ms each way), write on A, read on B, run a short
#                      load with the replication lag shown live (stays up
#                      until Ctrl-C when run from a terminal).  Environment:
#                      GEO_DELAY (35ms), GEO_LOSS (e.g. 0.1%), GEO_REGIONS
#                      (2..4), GEO_SECONDS (10), GEO_WAN (tap, or memif:
#                      replication over ferryd's second port): see
#                      tools/geo.sh --help
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
	log "a geo deployment on this machine: region A (primary ferryd) and region B (replica ferryd) in two network namespaces, joined by ferry-linkemu at ${GEO_DELAY:-35ms} each way"
	# tools/geo.sh: the regions, the emulated links, replication, a write on
	# A read on B, a short load with the replication lag live; from a
	# terminal (CI unset) it stays up until Ctrl-C, then removes everything
	tools/geo.sh --delay "${GEO_DELAY:-35ms}" --regions "${GEO_REGIONS:-2}" \
		${GEO_LOSS:+--loss "$GEO_LOSS"} --seconds "${GEO_SECONDS:-10}" \
		--wan "${GEO_WAN:-tap}" demo build-release/ferryd build-release/tools/linkemu/ferry-linkemu
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
	# the sanitizer builds run 2-10x slower: their timeouts are doubled
	log "tests under ASan + UBSan"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C build-asan --print-errorlogs --num-processes 2 \
		--timeout-multiplier 2 || rc=1

	log "build: TSan (clang)"
	CC=clang setup build-tsan -Db_sanitize=thread -Db_lundef=false
	log "concurrency tests under TSan"
	TSAN_OPTIONS="halt_on_error=1 suppressions=$PWD/tests/tsan.supp" \
		meson test -C build-tsan --print-errorlogs --num-processes 1 \
		--timeout-multiplier 2 --suite stress --suite fast || rc=1

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
