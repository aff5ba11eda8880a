#!/usr/bin/env bash
# Cross-build kgiot and its tests for qemu's mps2-an385 (Cortex-M3) and run
# them as bare-metal images under qemu (ctest; a failure fails the script).
#
# usage: bash boards/qemu_mps2_an385/run_tests.sh OUTDIR [--build-only | --device]
#
# --device: only the FreeRTOS + lwIP device image, run once against the mock
# platform with its console shown (boards/qemu_mps2_an385/README.md).
#
# OUTDIR/src              Debian source packages (mbedtls, qr-code-generator)
# OUTDIR/mbedtls-test     mbedTLS 3.6 for the test images (client + in-image server)
# OUTDIR/build            the images, their link maps, ctest
# OUTDIR/mbedtls-test-mfl, OUTDIR/build-mfl   the same with 4 KB input records
#                         (TLS 1.2, max-fragment-length 4096): test_tls_pair only
# OUTDIR/mbedtls4-test, OUTDIR/build4   Mbed TLS 4.0 (tests/deps/mbedtls4_m3.sh,
#                         KGIOT_MBEDTLS4_DIR): test_tls_pair and test_login_flow
# OUTDIR/mbedtls4-test-mfl, OUTDIR/build4-mfl   4.0 with 4 KB input records
set -euo pipefail
board=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$board/../.." && pwd)
[[ $# -ge 1 && -n $1 ]] || { echo "usage: $0 OUTDIR [--build-only | --device]" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
jobs=${KGIOT_JOBS:-2}

for tool in arm-none-eabi-gcc qemu-system-arm openssl cmake; do
    command -v "$tool" >/dev/null || { echo "run_tests: $tool missing (bash tests/setup.sh)" >&2; exit 1; }
done

# build DIR PREFIX [TARGET...]: configure and build images against one mbedTLS variant.
build() {
    local dir=$1 prefix=$2
    shift 2
    cmake -S "$board" -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$board/toolchain.cmake" \
        -DKGIOT_MBEDTLS_M3_PREFIX="$prefix" -DKGIOT_QRCODEGEN_SRC="$qr_src" \
        -DKGIOT_LWIP_SRC="$lwip_src" >"$dir.configure.log" ||
        { cat "$dir.configure.log"; return 1; }
    cmake --build "$dir" -j"$jobs" ${1:+--target "$@"} >"$dir.build.log" 2>&1 ||
        { tail -60 "$dir.build.log"; return 1; }
}

# Third-party sources, fetched into the build tree (never into the repo).
# qrcodegen.c for kg_qr comes from Debian's qr-code-generator source package;
# without it kg_qr and its suite are left out (and the build says so).
fetch=$root/tests/deps/debian_source.sh
qr_src=$(bash "$fetch" "$out/src" qr-code-generator | awk '{print $2 "/c"}') ||
    echo "run_tests: qr-code-generator not fetched: kg_qr left out" >&2
# lwIP 2.2 for the device image (FreeRTOS comes from KGIOT_FREERTOS_DIR, see
# boards/qemu_mps2_an385/CMakeLists.txt); without it the image is left out.
lwip_src=$(bash "$fetch" "$out/src" lwip | awk '$1 == "lwip" {print $2}') ||
    echo "run_tests: lwip not fetched: the device image is left out" >&2
mb=$root/tests/deps/mbedtls36_m3.sh
bash "$mb" "$out/src" "$out/mbedtls-test" KGIOT_M3_TEST
if [[ ${2:-} == --device ]]; then
    build "$out/build" "$out/mbedtls-test" rtos_login
    cd "$out/build" && exec ctest --verbose -R '^qemu_rtos_login_plain$'
fi
bash "$mb" "$out/src" "$out/mbedtls-test-mfl" KGIOT_M3_TEST KGIOT_M3_TLS12_ONLY \
    KGIOT_M3_IN_CONTENT_LEN=4096
mb4=$root/tests/deps/mbedtls4_m3.sh
bash "$mb4" "$out/mbedtls4-test" KGIOT_M3_TEST
bash "$mb4" "$out/mbedtls4-test-mfl" KGIOT_M3_TEST KGIOT_M3_TLS12_ONLY KGIOT_M3_IN_CONTENT_LEN=4096

build "$out/build" "$out/mbedtls-test"
build "$out/build-mfl" "$out/mbedtls-test-mfl" test_tls_pair
build "$out/build4" "$out/mbedtls4-test" test_tls_pair test_login_flow
build "$out/build4-mfl" "$out/mbedtls4-test-mfl" test_tls_pair
[[ ${2:-} == --build-only ]] && exit 0
rc=0
(cd "$out/build" && ctest --output-on-failure -j"$jobs") || rc=1
(cd "$out/build-mfl" && ctest --output-on-failure -R '^qemu_test_tls_pair$') || rc=1
(cd "$out/build4" && ctest --output-on-failure -R '^qemu_test_(tls_pair|login_flow)$') || rc=1
(cd "$out/build4-mfl" && ctest --output-on-failure -R '^qemu_test_tls_pair$') || rc=1
exit $rc
