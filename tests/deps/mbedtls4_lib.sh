# Sourced by tests/deps/mbedtls4.sh and mbedtls4_m3.sh: logging helpers and
# the one CMake build of Mbed TLS 4.x both use. Expects $name (for messages)
# and $log (the build log) to be set.

fail() {
    echo "$name: FAILED: $*" >&2
    echo "---- last lines of $log ----" >&2
    tail -n 40 "$log" >&2
    exit 1
}

run() {
    echo "+ $*" >>"$log"
    "$@" >>"$log" 2>&1 || fail "$*"
}

# mbedtls4_build SRC BUILDDIR PREFIX [cmake -D options...]: configure, build
# and install the static libraries into PREFIX; the build tree goes after.
mbedtls4_build() {
    local src=$1 build=$2 prefix=$3
    shift 3
    /usr/bin/python3 -c 'import jsonschema, jinja2' 2>/dev/null ||
        fail "Debian's python3-jsonschema and python3-jinja2 are needed (bash tests/setup.sh)"
    rm -rf "$build"
    run cmake -S "$src" -B "$build" \
        -DCMAKE_INSTALL_PREFIX="$prefix" \
        -DCMAKE_INSTALL_LIBDIR=lib \
        -DPython3_EXECUTABLE=/usr/bin/python3 \
        -DENABLE_TESTING=OFF \
        -DENABLE_PROGRAMS=OFF \
        -DUSE_STATIC_MBEDTLS_LIBRARY=ON \
        -DUSE_SHARED_MBEDTLS_LIBRARY=OFF \
        -DMBEDTLS_FATAL_WARNINGS=OFF \
        -DTF_PSA_CRYPTO_FATAL_WARNINGS=OFF \
        "$@"
    run cmake --build "$build" -j "${KGIOT_JOBS:-2}"
    run cmake --install "$build"
    rm -rf "$build"
    for lib in mbedtls mbedx509 tfpsacrypto; do
        [[ -f $prefix/lib/lib$lib.a ]] || fail "lib$lib.a not installed"
    done
}
