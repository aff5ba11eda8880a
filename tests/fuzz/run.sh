#!/usr/bin/env bash
# Run every fuzz target for N seconds from its seed corpus (copied, so the
# repo's seeds stay as they are). A crash fails the run and names the input,
# which then belongs in the target's unit tests as a regression case.
set -euo pipefail
build=$1
seconds=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
for target in fuzz_http fuzz_json fuzz_store; do
    corpus=$build/corpus_${target#fuzz_}
    mkdir -p "$corpus" "$build/artifacts"
    cp -n "$here/corpus_${target#fuzz_}"/* "$corpus"/ 2>/dev/null || true
    # Targets whose seeds are generated (flash images) have a seed writer.
    if [ -x "$build/${target}_seeds" ]; then "$build/${target}_seeds" "$corpus" >/dev/null; fi
    echo "-- $target: ${seconds}s"
    if ! "$build/$target" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$build/artifacts/$target-" "$corpus" >"$build/$target.log" 2>&1; then
        tail -40 "$build/$target.log"
        echo "FUZZ FAILURE in $target: see $build/artifacts/"
        exit 1
    fi
    grep -E 'stat::number_of_executed_units|cov:' "$build/$target.log" | tail -2
done
