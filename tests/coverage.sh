#!/usr/bin/env bash
# Line and branch coverage of components/ after a ctest run of a build made
# with -DKGIOT_COVERAGE=ON (gcc --coverage), printed per component with
# lcov (Debian). Usage: bash tests/coverage.sh <build dir>
# Writes <build dir>/coverage.info (the whole tracefile) and
# <build dir>/coverage.txt (the table).
set -euo pipefail
build=$1
root=$(cd "$(dirname "$0")/.." && pwd)
rc=(--rc lcov_branch_coverage=1)
lcov -q "${rc[@]}" --capture --directory "$build" --base-directory "$root" \
    --output-file "$build/coverage.all.info" 2>"$build/coverage.log"
lcov -q "${rc[@]}" --extract "$build/coverage.all.info" "$root/components/*" \
    --output-file "$build/coverage.info" 2>>"$build/coverage.log"
/usr/bin/python3 "$root/tests/coverage_table.py" "$build/coverage.info" "$root/components" |
    tee "$build/coverage.txt"
