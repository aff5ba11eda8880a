#!/usr/bin/env bash
# Run every fuzz target for N seconds from its seed corpus (copied, so the
# repo's seeds stay as they are), and print one FIGURES line per target:
# executions, libFuzzer's coverage (cov: edges, ft: features) and the
# corpus it ended with. A crash fails the run and names the input, which
# then belongs in the target's unit tests as a regression case.
# usage: tests/fuzz/run.sh BUILD_DIR [SECONDS_PER_TARGET] [TARGET...]
set -euo pipefail
build=$1
seconds=${2:-30}
shift $(($# < 2 ? $# : 2))
here=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_http fuzz_json fuzz_store fuzz_auth fuzz_url fuzz_session)
for target in "${targets[@]}"; do
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
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/$target.log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$build/$target.log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p' <<<"$last")
    echo "FIGURES fuzz $target: ${execs:-?} executions in ${seconds}s, cov ${cov:-?} ft ${ft:-?}, corpus ${corp:-?}"
done
