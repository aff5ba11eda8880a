#!/usr/bin/env bash
# kgiot: print the Mbed TLS 4.0 source directory: $KGIOT_MBEDTLS4_DIR if
# set, else ../shared/third_party/mbedtls-4.0.0 beside the repository when it
# exists, else /work/shared/third_party/mbedtls-4.0.0. Fails when none holds
# Mbed TLS 4.x with TF-PSA-Crypto filled in. The tree is only read.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=${KGIOT_MBEDTLS4_DIR:-}
if [[ -z $dir ]]; then
    dir=$root/../shared/third_party/mbedtls-4.0.0
    [[ -d $dir ]] || dir=/work/shared/third_party/mbedtls-4.0.0
fi
if [[ ! -f $dir/tf-psa-crypto/CMakeLists.txt || ! -f $dir/include/mbedtls/build_info.h ]]; then
    echo "mbedtls4: no Mbed TLS 4.x with tf-psa-crypto/ in '$dir' (set KGIOT_MBEDTLS4_DIR)" >&2
    exit 1
fi
version=$(sed -n 's/^#define MBEDTLS_VERSION_STRING[[:space:]]*"\(.*\)"/\1/p' "$dir/include/mbedtls/build_info.h")
[[ $version == 4.* ]] || { echo "mbedtls4: expected 4.x, got '$version' in $dir" >&2; exit 1; }
cd "$dir" && pwd
