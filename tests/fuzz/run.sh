#!/usr/bin/env bash
# run.sh BUILD_DIR SECONDS -- bounded libFuzzer runs of every fuzz target
# built in BUILD_DIR (fuzz_resp: RESP + dispatch; fuzz_frame: frames into the
# netstack; fuzz_stack: frames through TCP to the RESP server), each over a
# copy of its seed corpus for SECONDS; fails if a fuzzer finds a crash, leak
# or hang.  New interesting inputs stay in the scratch corpus (not
# committed); crash artifacts land in tests/fuzz/.
set -euo pipefail
build=$1
secs=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
ran=0
for target in resp frame stack; do
	exe="$build/tests/fuzz/fuzz_$target"
	[ -x "$exe" ] || continue
	work=$(mktemp -d)
	cp -r "$here/corpus/$target/." "$work/"
	echo "fuzz_$target: ${secs}s"
	"$exe" -max_total_time="$secs" -timeout=60 -rss_limit_mb=4096 \
		-max_len=4096 -print_final_stats=1 \
		-artifact_prefix="$here/" "$work" 2>&1 | tail -n 6
	rm -rf "$work"
	ran=$((ran + 1))
done
if [ "$ran" -eq 0 ]; then
	echo "run.sh: no fuzz target in $build/tests/fuzz" >&2
	exit 1
fi
