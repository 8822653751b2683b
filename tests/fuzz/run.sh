#!/usr/bin/env bash
# run.sh BUILD_DIR SECONDS -- a bounded libFuzzer run of the RESP target over
# a copy of the seed corpus; fails if the fuzzer finds a crash, leak or hang.
# New interesting inputs stay in the scratch corpus (not committed).
set -euo pipefail
build=$1
secs=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$here/corpus/resp/." "$work/"
"$build/tests/fuzz/fuzz_resp" -max_total_time="$secs" -timeout=10 \
	-rss_limit_mb=4096 -max_len=4096 -print_final_stats=1 \
	-artifact_prefix="$here/" "$work" 2>&1 | tail -n 15
