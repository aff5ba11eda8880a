#!/usr/bin/env bash
# kgiot: build mbedTLS 3.6 (Debian trixie source package) as static libraries
# for the host test suite.
#
# usage: tests/deps/mbedtls36.sh OUTDIR
#
# Result:  OUTDIR/prefix/include                       headers (+ mbedtls36_user_config.h)
#          OUTDIR/prefix/lib/lib{mbedtls,mbedx509,mbedcrypto}.a
#          OUTDIR/prefix/lib/cmake/MbedTLS              CMake package (MbedTLS::*)
# Consumers MUST compile with
#          -I OUTDIR/prefix/include -DMBEDTLS_USER_CONFIG_FILE='"mbedtls36_user_config.h"'
# and should link the .a files by full path (bookworm's libmbedtls-dev 2.28
# .so files sit in the default linker path).
#
# Idempotent: if OUTDIR/prefix/lib/libmbedtls.a exists and the stamp matches
# the hash of mbedtls36_user_config.h, nothing is done.  A changed config
# rebuilds from the already-unpacked source without fetching again.
#
# The source comes from tests/deps/debian_source.sh (into OUTDIR/src); what
# apt touches lives there, the system's apt configuration and state are never
# written.
#
# Environment (optional):
#   MBEDTLS36_MIRROR        Debian mirror URI (default: the machine's own,
#                           from /etc/apt/sources.list.d/debian.sources)
#   MBEDTLS36_NO_DPKG_SOURCE=1  skip dpkg-source, unpack the tarballs by hand
#   MBEDTLS36_JOBS          parallel build jobs (default 2)
set -euo pipefail
shopt -s nullglob

if [[ $# -ne 1 || -z $1 ]]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
config_src=$here/mbedtls36_user_config.h
check_src=$here/check_mbedtls36.c

mkdir -p "$1"
outdir=$(cd "$1" && pwd)
prefix=$outdir/prefix
stamp=$prefix/.kgiot-mbedtls36.stamp
log=$outdir/build.log
jobs=${MBEDTLS36_JOBS:-2}

config_hash=$(sha256sum "$config_src" | cut -d' ' -f1)

# Serialise concurrent runs on the same OUTDIR (parallel CI steps).
exec 9>"$outdir/.lock"
flock 9

stamp_ok() {
    [[ -f $prefix/lib/libmbedtls.a && -f $stamp ]] &&
        [[ $(sed -n 1p "$stamp") == "$config_hash" ]]
}

if stamp_ok; then
    echo "mbedtls36: $(sed -n 2p "$stamp") in $prefix"
    exit 0
fi

: >"$log"
fail() {
    echo "mbedtls36: FAILED: $*" >&2
    echo "---- last lines of $log ----" >&2
    tail -n 40 "$log" >&2
    exit 1
}
run() {
    echo "+ $*" >>"$log"
    "$@" >>"$log" 2>&1 || fail "$*"
}

for tool in cmake make cc sha256sum flock tar; do
    command -v "$tool" >/dev/null || fail "required tool '$tool' not found"
done

# --------------------------------------------------------------------------
# 1. Fetch and unpack the trixie source package (skipped if already unpacked)
# --------------------------------------------------------------------------
srcdir=$(bash "$here/debian_source.sh" "$outdir/src" mbedtls | awk '$1 == "mbedtls" {print $2}')
[[ -f $srcdir/CMakeLists.txt ]] || fail "no CMakeLists.txt in '$srcdir'"

version=$(sed -n 's/^#define MBEDTLS_VERSION_STRING[[:space:]]*"\(.*\)"/\1/p' "$srcdir/include/mbedtls/build_info.h")
[[ $version == 3.6.* ]] || fail "expected mbedTLS 3.6.x, got '$version' in $srcdir"
debver=$(sed -n '1s/^mbedtls (\([^)]*\)).*/\1/p' "$srcdir/debian/changelog" 2>/dev/null || true)
echo "mbedTLS $version (Debian source ${debver:-unknown}) in $srcdir" >>"$log"

# --------------------------------------------------------------------------
# 2. Configure, build, install
# --------------------------------------------------------------------------
builddir=$outdir/build
rm -rf "$builddir" "$prefix"
mkdir -p "$prefix/include"
# The library is compiled against this copy; the installed CMake package
# refers to it too, so the prefix is self-contained.
cp "$config_src" "$prefix/include/mbedtls36_user_config.h"

run cmake -S "$srcdir" -B "$builddir" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DCMAKE_INSTALL_LIBDIR=lib \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
    -DENABLE_TESTING=OFF \
    -DENABLE_PROGRAMS=OFF \
    -DUSE_STATIC_MBEDTLS_LIBRARY=ON \
    -DUSE_SHARED_MBEDTLS_LIBRARY=OFF \
    -DMBEDTLS_FATAL_WARNINGS=OFF \
    -DGEN_FILES=OFF \
    -DMBEDTLS_USER_CONFIG_FILE="$prefix/include/mbedtls36_user_config.h"
run cmake --build "$builddir" -j "$jobs"
run cmake --install "$builddir"

for lib in mbedtls mbedx509 mbedcrypto; do
    [[ -f $prefix/lib/lib$lib.a ]] || fail "lib$lib.a not installed"
done

# --------------------------------------------------------------------------
# 3. Smoke test: compile tests/deps/check_mbedtls36.c against the prefix
# --------------------------------------------------------------------------
run cc -std=c99 -O1 -Wall -Wextra -Werror \
    -I "$prefix/include" -DMBEDTLS_USER_CONFIG_FILE='"mbedtls36_user_config.h"' \
    "$check_src" \
    "$prefix/lib/libmbedtls.a" "$prefix/lib/libmbedx509.a" "$prefix/lib/libmbedcrypto.a" \
    -o "$outdir/check_mbedtls36"
run "$outdir/check_mbedtls36"

# The build tree is not needed by consumers (~10 MB of objects).
rm -rf "$builddir"

printf '%s\n%s\n%s\n' "$config_hash" "$version" "${debver:-unknown}" >"$stamp"
echo "mbedtls36: $version in $prefix"
