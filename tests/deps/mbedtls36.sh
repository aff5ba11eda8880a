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
# Everything apt touches (sources file, lists, cache) lives in OUTDIR/apt;
# the system's apt configuration and state are never written.
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
srcroot=$outdir/src
unpacked_marker=$srcroot/.unpacked

if [[ -f $unpacked_marker && -f $srcroot/$(cat "$unpacked_marker")/CMakeLists.txt ]]; then
    srcdir=$srcroot/$(cat "$unpacked_marker")
    echo "reusing unpacked source $srcdir" >>"$log"
else
    mirror=${MBEDTLS36_MIRROR:-}
    if [[ -z $mirror && -r /etc/apt/sources.list.d/debian.sources ]]; then
        mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    fi
    if [[ -z $mirror && -r /etc/apt/sources.list ]]; then
        # one-line format: deb [opts] URI suite comp...
        mirror=$(awk '$1=="deb" { for (i=2;i<=NF;i++) if ($i ~ /^[a-z+]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)
    fi
    mirror=${mirror:-http://deb.debian.org/debian}

    aptdir=$outdir/apt
    rm -rf "$aptdir" "$srcroot"
    mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$srcroot"
    printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$mirror" >"$aptdir/src.sources"
    apt_opts=(
        -o "Dir::Etc::SourceList=$aptdir/src.sources"
        -o Dir::Etc::SourceParts=/dev/null
        -o "Dir::State::Lists=$aptdir/lists"
        -o "Dir::Cache=$aptdir/cache"
        -o Dir::Etc::Preferences=/dev/null
        -o Dir::Etc::PreferencesParts=/dev/null
    )
    # apt's download sandbox user (_apt) cannot write into a root-owned
    # OUTDIR/src; as root, download directly instead of warning about it.
    [[ $(id -u) -eq 0 ]] && apt_opts+=(-o APT::Sandbox::User=root)

    run apt-get -q "${apt_opts[@]}" update

    fetched=0
    if [[ ${MBEDTLS36_NO_DPKG_SOURCE:-0} != 1 ]] && command -v dpkg-source >/dev/null; then
        echo "+ apt-get source mbedtls" >>"$log"
        if (cd "$srcroot" && apt-get -q "${apt_opts[@]}" source mbedtls) >>"$log" 2>&1; then
            fetched=1
        else
            echo "apt-get source (with unpack) failed; falling back to --download-only" >>"$log"
            rm -rf "$srcroot"
            mkdir -p "$srcroot"
        fi
    fi
    if [[ $fetched -eq 0 ]]; then
        (cd "$srcroot" && run apt-get -q "${apt_opts[@]}" --download-only source mbedtls)
        origs=("$srcroot"/mbedtls_*.orig.tar.*)
        [[ ${#origs[@]} -eq 1 ]] || fail "expected one orig tarball, got: ${origs[*]}"
        orig=${origs[0]}
        upver=$(basename "$orig")
        upver=${upver#mbedtls_}
        upver=${upver%.orig.tar.*}
        d=$srcroot/mbedtls-$upver
        mkdir -p "$d"
        run tar -xf "$orig" -C "$d" --strip-components=1
        debtars=("$srcroot"/mbedtls_*.debian.tar.*)
        if [[ ${#debtars[@]} -eq 1 ]]; then
            debtar=${debtars[0]}
            run tar -xf "$debtar" -C "$d"
            # Apply Debian's quilt patches if we can (what dpkg-source would do).
            if [[ -f $d/debian/patches/series ]] && command -v patch >/dev/null; then
                while read -r p _; do
                    [[ -z $p || $p == \#* ]] && continue
                    run patch -d "$d" -p1 --forward --batch -i "$d/debian/patches/$p"
                done <"$d/debian/patches/series"
            fi
        fi
    fi

    srcdirs=("$srcroot"/mbedtls-*/)
    [[ ${#srcdirs[@]} -eq 1 ]] || fail "expected one unpacked source tree in $srcroot, got: ${srcdirs[*]}"
    srcdir=${srcdirs[0]%/}
    [[ -f $srcdir/CMakeLists.txt ]] || fail "no CMakeLists.txt in $srcdir"
    basename "$srcdir" >"$unpacked_marker"
    # apt lists are only needed for the fetch (~22 MB); drop them.
    rm -rf "$aptdir/lists" "$aptdir/cache"
fi

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
