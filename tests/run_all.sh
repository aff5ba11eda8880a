#!/usr/bin/env bash
# The whole test suite: lint, host build + ctest (Debian's mbedTLS 2.28,
# with line and branch coverage of components/ printed per component),
# the same under ASan+UBSan, the same against mbedTLS 3.6 built from
# Debian's trixie source and against Mbed TLS 4.0 (KGIOT_MBEDTLS4_DIR,
# tests/deps/mbedtls4_dir.sh), 20 s of libFuzzer per target, and the
# Cortex-M3 images under QEMU.
# Usage: bash tests/run_all.sh   (installs missing Debian packages itself)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${KGIOT_BUILD_ROOT:-$root/build-ci}
jobs=2
fuzz_seconds=${KGIOT_FUZZ_SECONDS:-20}
mkdir -p "$out"

bash tests/setup.sh

step() { printf '\n==== %s\n' "$*"; }

suite() { # name, cmake args...
    local name=$1; shift
    step "build + test: $name"
    cmake -S "$root" -B "$out/$name" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >"$out/$name.configure.log"
    cmake --build "$out/$name" -j"$jobs" >"$out/$name.build.log" 2>&1 || { tail -50 "$out/$name.build.log"; return 1; }
    (cd "$out/$name" && ctest --output-on-failure -j"$jobs")
}

step "lint"
bash tests/lint.sh

# The gcc suite is also the coverage build (components/ only): no extra run.
find "$out/host-mbedtls2" -name '*.gcda' -delete 2>/dev/null || true
suite host-mbedtls2 -DKGIOT_COVERAGE=ON
step "coverage of components/ (host-mbedtls2's run; gcov + lcov)"
bash tests/coverage.sh "$out/host-mbedtls2"
config_build() { # name, .config, target: a host build with that Kconfig, one target
    cmake -S "$root" -B "$out/$1" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKGIOT_CONFIG="$2" \
        >"$out/$1.configure.log"
    cmake --build "$out/$1" -j"$jobs" --target "$3" >"$out/$1.build.log" 2>&1 ||
        { tail -50 "$out/$1.build.log"; return 1; }
}

# The login suite once more with every log line compiled in and printed:
# test_login.py searches every output for the secret and the tokens.
step "login suite at the most verbose log level (CONFIG_KGIOT_LOG_LEVEL=4, kgiot -v)"
config_build verbose "$root/tests/cmake/log_debug.config" kgiot
/usr/bin/python3 tests/integration/test_login.py --kgiot "$out/verbose/boards/host/kgiot" \
    --work "$out/verbose/login"

# The smallest useful configuration: no chunked decoding, 1xx skipping or
# header lookup in kg_http, no error meanings. The README's API example logs
# in and calls with it against the mock (which frames with Content-Length).
step "lean configuration (tests/cmake/lean.config): the API example against the mock"
config_build lean "$root/tests/cmake/lean.config" example_min
/usr/bin/python3 tests/integration/test_example.py --example "$out/lean/boards/host/example_min" \
    --work "$out/lean/example"

CC=clang suite asan-ubsan -DKGIOT_SANITIZE=ON

step "mbedTLS 3.6 from Debian trixie source"
bash tests/deps/mbedtls36.sh "$out/mbedtls36"
suite host-mbedtls3 -DKGIOT_MBEDTLS_PREFIX="$out/mbedtls36/prefix" -DKGIOT_CONFIG="$root/tests/host64.config"

step "Mbed TLS 4.0 (TF-PSA-Crypto 1.0) from $(bash tests/deps/mbedtls4_dir.sh)"
bash tests/deps/mbedtls4.sh "$out/mbedtls4"
suite host-mbedtls4 -DKGIOT_MBEDTLS_PREFIX="$out/mbedtls4/prefix" -DKGIOT_CONFIG="$root/tests/host64.config"

step "fuzz (${fuzz_seconds}s per target)"
CC=clang cmake -S "$root" -B "$out/fuzz" -DKGIOT_FUZZ=ON -DKGIOT_TESTS=OFF -DKGIOT_TOOLS=OFF >"$out/fuzz.configure.log"
cmake --build "$out/fuzz" -j"$jobs" >"$out/fuzz.build.log" 2>&1 || { tail -50 "$out/fuzz.build.log"; exit 1; }
bash tests/fuzz/run.sh "$out/fuzz" "$fuzz_seconds"

step "QEMU Cortex-M3 (mps2-an385)"; bash boards/qemu_mps2_an385/run_tests.sh "$out/qemu"

step "all suites passed"
