#!/usr/bin/env bash
# Cross-build kgiot and its tests for qemu's mps2-an385 (Cortex-M3) and run
# them as bare-metal images under qemu (ctest; a failure fails the script).
#
# usage: bash boards/qemu_mps2_an385/run_tests.sh OUTDIR [--build-only]
#
# OUTDIR/src              Debian source packages (mbedtls, qr-code-generator)
# OUTDIR/mbedtls-test     mbedTLS 3.6 for the test images (client + in-image server)
# OUTDIR/build            the images, their link maps, ctest
# OUTDIR/mbedtls-test-mfl, OUTDIR/build-mfl   the same with 4 KB input records
#                         (TLS 1.2, max-fragment-length 4096): test_tls_pair only
set -euo pipefail
board=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$board/../.." && pwd)
[[ $# -ge 1 && -n $1 ]] || { echo "usage: $0 OUTDIR [--build-only]" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
jobs=${KGIOT_JOBS:-2}

for tool in arm-none-eabi-gcc qemu-system-arm openssl cmake; do
    command -v "$tool" >/dev/null || { echo "run_tests: $tool missing (bash tests/setup.sh)" >&2; exit 1; }
done

# Third-party sources, fetched into the build tree (never into the repo).
# qrcodegen.c for kg_qr comes from Debian's qr-code-generator source package;
# without it kg_qr and its suite are left out (and the build says so).
fetch=$root/tests/deps/debian_source.sh
qr_src=$(bash "$fetch" "$out/src" qr-code-generator | awk '{print $2 "/c"}') ||
    echo "run_tests: qr-code-generator not fetched: kg_qr left out" >&2
mb=$root/tests/deps/mbedtls36_m3.sh
bash "$mb" "$out/src" "$out/mbedtls-test" KGIOT_M3_TEST
bash "$mb" "$out/src" "$out/mbedtls-test-mfl" KGIOT_M3_TEST KGIOT_M3_TLS12_ONLY \
    KGIOT_M3_IN_CONTENT_LEN=4096

# build DIR PREFIX [TARGET]: configure and build images against one mbedTLS variant.
build() {
    cmake -S "$board" -B "$1" -DCMAKE_TOOLCHAIN_FILE="$board/toolchain.cmake" \
        -DKGIOT_MBEDTLS_M3_PREFIX="$2" -DKGIOT_QRCODEGEN_SRC="$qr_src" >"$1.configure.log" ||
        { cat "$1.configure.log"; return 1; }
    cmake --build "$1" -j"$jobs" ${3:+--target "$3"} >"$1.build.log" 2>&1 ||
        { tail -60 "$1.build.log"; return 1; }
}

build "$out/build" "$out/mbedtls-test"
build "$out/build-mfl" "$out/mbedtls-test-mfl" test_tls_pair
[[ ${2:-} == --build-only ]] && exit 0
rc=0
(cd "$out/build" && ctest --output-on-failure -j"$jobs") || rc=1
(cd "$out/build-mfl" && ctest --output-on-failure -R '^qemu_test_tls_pair$') || rc=1
exit $rc
