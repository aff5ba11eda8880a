#!/usr/bin/env bash
# kgiot: build Mbed TLS 4.0 (with TF-PSA-Crypto 1.0) as static libraries for
# the host test suite, from the read-only tree tests/deps/mbedtls4_dir.sh
# finds (KGIOT_MBEDTLS4_DIR). Nothing is written into that tree.
#
# usage: tests/deps/mbedtls4.sh OUTDIR
#
# Result:  OUTDIR/prefix/include       headers + the two kgiot overlays
#          OUTDIR/prefix/lib/lib{mbedtls,mbedx509,tfpsacrypto}.a
# Consumers compile with -I OUTDIR/prefix/include
#   -DMBEDTLS_USER_CONFIG_FILE='"mbedtls4_user_config.h"'
#   -DTF_PSA_CRYPTO_USER_CONFIG_FILE='"mbedtls4_crypto_user_config.h"'
# (components/external.cmake does this for KGIOT_MBEDTLS_PREFIX).
# Idempotent: nothing is done when the stamp matches the overlays, this
# script and the source's version.
set -euo pipefail
[[ $# -eq 1 && -n $1 ]] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(bash "$here/mbedtls4_dir.sh")
mkdir -p "$1"
outdir=$(cd "$1" && pwd)
prefix=$outdir/prefix
stamp=$prefix/.kgiot-mbedtls4.stamp
log=$outdir/build.log
configs=("$here/mbedtls4_user_config.h" "$here/mbedtls4_crypto_user_config.h")
hash=$( (cat "${configs[@]}" "${BASH_SOURCE[0]}" "$here/mbedtls4_lib.sh" && echo "$src") | sha256sum | cut -d' ' -f1)

exec 9>"$outdir/.lock"
flock 9
if [[ -f $stamp && $(cat "$stamp") == "$hash" && -f $prefix/lib/libmbedtls.a ]]; then
    echo "mbedtls4: up to date in $prefix"
    exit 0
fi
: >"$log"
name=mbedtls4
source "$here/mbedtls4_lib.sh"
rm -rf "$prefix"
mkdir -p "$prefix/include"
cp "${configs[@]}" "$prefix/include/"
mbedtls4_build "$src" "$outdir/build" "$prefix" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
    -DMBEDTLS_USER_CONFIG_FILE="$prefix/include/mbedtls4_user_config.h" \
    -DTF_PSA_CRYPTO_USER_CONFIG_FILE="$prefix/include/mbedtls4_crypto_user_config.h"
echo "$hash" >"$stamp"
echo "mbedtls4: $(basename "$src") in $prefix"
