#!/usr/bin/env bash
# Code size of each kgiot component for Cortex-M3 at -Os (object files,
# summed per component; jsmn is compiled into kg_json). Prints a table.
# Usage: bash tests/bench/size_arm.sh [extra CFLAGS...]
set -euo pipefail
cd "$(dirname "$0")/../.."
cc=${CC_ARM:-arm-none-eabi-gcc}
flags=(-mcpu=cortex-m3 -mthumb -Os -DNDEBUG -ffunction-sections -fdata-sections -std=c11 "$@")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
KCONFIG_CONFIG=${KGIOT_CONFIG:-/nonexistent} /usr/bin/python3 -m genconfig --header-path "$tmp/kg_config.h" Kconfig
ln -s /usr/include/jsmn.h "$tmp/jsmn.h" # only jsmn from the host's include dir
incs=(-I "$tmp" -I port/include)
for d in components/*/include; do incs+=(-I "$d"); done
# kg_tls needs mbedTLS headers configured for the target: given as
# KGIOT_MBEDTLS_INCLUDE (e.g. the 3.6 build's prefix/include), else skipped.
mbed_inc=${KGIOT_MBEDTLS_INCLUDE:-}
# kg_auth signs with mbedTLS's MD5: without a target build, the host's
# headers (declarations only) will do.
[ -z "$mbed_inc" ] && [ -d /usr/include/mbedtls ] && ln -s /usr/include/mbedtls "$tmp/mbedtls"
# KGIOT_SIZE_DETAIL=1: also each object's .text and its functions, largest first.
detail=${KGIOT_SIZE_DETAIL:-0}

printf '%-10s %7s %7s %7s %7s\n' component text rodata data bss
total=(0 0 0 0)
comps=(kg_err kg_json kg_net kg_http kg_auth)
[ -n "$mbed_inc" ] && comps+=(kg_tls)
for comp in "${comps[@]}"; do
    srcs=$(cmake -DCOMP=$comp -P tests/bench/list_sources.cmake)
    sums=(0 0 0 0)
    for s in $srcs; do
        o=$tmp/$(basename "$s" .c).o
        extra=()
        [ "$comp" = kg_tls ] && extra=(-isystem "$mbed_inc")
        [ -f "$mbed_inc/mbedtls36_user_config.h" ] &&
            extra+=(-DMBEDTLS_USER_CONFIG_FILE='"mbedtls36_user_config.h"')
        "$cc" "${flags[@]}" "${incs[@]}" "${extra[@]}" -c "$s" -o "$o" 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
        # Sum by section kind from the object's section headers.
        read -r t r d b < <(arm-none-eabi-size -A "$o" | awk '
            $1 ~ /^\.text/ {t+=$2} $1 ~ /^\.rodata/ {r+=$2} $1 ~ /^\.data/ {d+=$2} $1 ~ /^\.bss/ {b+=$2}
            END {print t+0, r+0, d+0, b+0}')
        sums=($((sums[0] + t)) $((sums[1] + r)) $((sums[2] + d)) $((sums[3] + b)))
        if [ "$detail" = 1 ]; then
            printf '  %-28s %6d\n' "$(basename "$o")" "$t" >>"$tmp/detail"
            arm-none-eabi-nm --size-sort -r -S "$o" | while read -r _ size kind name; do
                if [[ $kind == [tT] ]]; then printf '      %6d %s\n' $((16#$size)) "$name"; fi
            done >>"$tmp/detail"
        fi
    done
    printf '%-10s %7d %7d %7d %7d\n' "$comp" "${sums[@]}"
    [ "$comp" = kg_tls ] && continue
    total=($((total[0] + sums[0])) $((total[1] + sums[1])) $((total[2] + sums[2])) $((total[3] + sums[3])))
    case $comp in kg_json | kg_http) hj=$((${hj:-0} + sums[0])) ;; esac
done
printf '%-10s %7d %7d %7d %7d\n' "total*" "${total[@]}"
echo "* total without kg_tls (whose code is mostly calls into mbedTLS)"
echo "kg_http + kg_json (jsmn included) .text: ${hj} bytes"
[ "$detail" = 1 ] && cat "$tmp/detail"
exit 0
