#!/usr/bin/env bash
# Install the host build into a scratch prefix, then build boards/host/
# example_min.c against it twice, through find_package(kgiot) and through
# pkg-config, and run each (usage line, exit 2: it links and starts).
# Usage: run.sh BUILD_DIR WORK_DIR [LDFLAGS]   (LDFLAGS: --coverage for a coverage build)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$1 work=$2 ldflags=${3:-}
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log"
cmake -S "$root/tests/install/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$work/prefix" \
    -DKGIOT_EXAMPLE="$root/boards/host/example_min.c" -DCMAKE_EXE_LINKER_FLAGS="$ldflags" \
    >"$work/consumer.log"
cmake --build "$work/consumer" >>"$work/consumer.log"
# shellcheck disable=SC2046,SC2086 # pkg-config's output and ldflags are lists of words
cc -o "$work/example_pc" "$root/boards/host/example_min.c" $ldflags \
    $(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --cflags --libs kgiot)
for exe in "$work/consumer/example_min" "$work/example_pc"; do
    rc=0
    "$exe" >/dev/null 2>"$work/usage.txt" || rc=$?
    [ "$rc" = 2 ] && grep -q '^usage: example_min' "$work/usage.txt" ||
        { echo "$exe: exit $rc"; cat "$work/usage.txt"; exit 1; }
done
echo "installed kgiot: find_package and pkg-config builds of example_min run"
