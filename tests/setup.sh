#!/usr/bin/env bash
# Install the Debian packages the build and tests need (idempotent: apt runs
# only when something is missing, and then runs 'apt-get update' first).
# Usage: bash tests/setup.sh [demo]   (demo: only what boards/host/demo.sh needs)
set -euo pipefail
demo_pkgs=(build-essential cmake openssl libmbedtls-dev libjsmn-dev libqrcodegen-dev python3
           python3-kconfiglib)
pkgs=(ca-certificates build-essential cmake pkg-config clang clang-format cppcheck complexity valgrind openssl
      libmbedtls-dev libjsmn-dev libqrcodegen-dev zbar-tools python3 python3-kconfiglib python3-rich python3-pyparsing python3-yaml dpkg-dev xz-utils bzip2 git
      python3-jsonschema python3-jinja2
      gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi
      qemu-system-arm
      liblwip-dev iproute2 lcov)
[ "${1:-}" = demo ] && pkgs=("${demo_pkgs[@]}")
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] || [ "${KGIOT_APT_UPDATE:-0}" = 1 ]; then
    export DEBIAN_FRONTEND=noninteractive
    [ ${#missing[@]} -eq 0 ] || echo "setup: installing ${missing[*]} (apt-get)"
    apt-get update -qq
    [ ${#missing[@]} -eq 0 ] || apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
