#!/usr/bin/env bash
# kgiot's footprint, measured in this build for qemu's mps2-an385 (Cortex-M3,
# arm-none-eabi-gcc -Os) and printed as tables:
#   1. code and data per kgiot component (objects), Cortex-M3 and RV32IMC
#   2. a linked client firmware (footprint_app.c): kgiot, mbedTLS (the board's
#      client-only configuration, TLS 1.2+1.3 and 1.2 only; 3.6 and 4.0), libc
#   3. the TLS pool's peak for a handshake and token exchange, 16 KB input
#      records (TLS 1.3 and 1.2) and 4 KB with max-fragment-length 4096,
#      mbedTLS 3.6 and 4.0
#   4. stack: kgiot's own frames (static, gcc's call graph) and painted in qemu
#   5. heap: what references an allocator
#
# usage: bash boards/qemu_mps2_an385/footprint.sh OUTDIR   (same OUTDIR as run_tests.sh)
set -euo pipefail
board=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$board/../.." && pwd)
[[ $# -eq 1 && -n $1 ]] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
jobs=${KGIOT_JOBS:-2}
mb=$root/tests/deps/mbedtls36_m3.sh

# ---- builds (each step is a no-op when up to date) ---------------------------

bash "$board/run_tests.sh" "$out" --build-only >/dev/null # also build-mfl (4 KB records)
qr_src=$(bash "$root/tests/deps/debian_source.sh" "$out/src" qr-code-generator | awk '{print $2 "/c"}') ||
    true # kg_qr left out
bash "$mb" "$out/src" "$out/mbedtls-client" >/dev/null
bash "$mb" "$out/src" "$out/mbedtls-client-tls12" KGIOT_M3_TLS12_ONLY >/dev/null
mb4=$root/tests/deps/mbedtls4_m3.sh
bash "$mb4" "$out/mbedtls4-client" >/dev/null
bash "$mb4" "$out/mbedtls4-client-tls12" KGIOT_M3_TLS12_ONLY >/dev/null

board_build() { # dir prefix tests(ON/OFF) target [.config]
    cmake -S "$board" -B "$1" -DCMAKE_TOOLCHAIN_FILE="$board/toolchain.cmake" \
        -DKGIOT_MBEDTLS_M3_PREFIX="$2" -DKGIOT_QRCODEGEN_SRC="$qr_src" \
        -DKGIOT_BOARD_TESTS="$3" -DKGIOT_CONFIG="${5:-}" >"$1.configure.log"
    cmake --build "$1" -j"$jobs" --target "$4" >"$1.build.log" 2>&1 || { tail -40 "$1.build.log"; exit 1; }
}
board_build "$out/build-client" "$out/mbedtls-client" OFF footprint_app
board_build "$out/build-client-tls12" "$out/mbedtls-client-tls12" OFF footprint_app
board_build "$out/build4-client" "$out/mbedtls4-client" OFF footprint_app
board_build "$out/build4-client-tls12" "$out/mbedtls4-client-tls12" OFF footprint_app
# kg_http's optional features (Kconfig menu "HTTP features"): each off alone,
# then the smallest useful configuration (tests/cmake/lean.config).
mkdir -p "$out/http-features"
for f in CHUNKED INTERIM HEADER_LOOKUP; do
    echo "# CONFIG_KGIOT_HTTP_$f is not set" >"$out/http-features/no-$f.config"
    board_build "$out/build-client-no-$f" "$out/mbedtls-client" OFF footprint_app \
        "$out/http-features/no-$f.config"
done
board_build "$out/build-client-lean" "$out/mbedtls-client" OFF footprint_app "$root/tests/cmake/lean.config"

run_image() {
    qemu-system-arm -M mps2-an385 -nographic -semihosting-config enable=on,target=native \
        -kernel "$1" </dev/null
}
figures=$( (run_image "$out/build/test_tls_pair.elf" && run_image "$out/build-mfl/test_tls_pair.elf" &&
    run_image "$out/build/test_login_flow.elf") | awk '$1 == "FIGURE" {print $2, $3}')
figures4=$( (run_image "$out/build4/test_tls_pair.elf" && run_image "$out/build4-mfl/test_tls_pair.elf") |
    awk '$1 == "FIGURE" {print $2, $3}')
figure4() { awk -v k="$1" '$1 == k {print $2; exit}' <<<"$figures4"; }
figure() { awk -v k="$1" '$1 == k {print $2; exit}' <<<"$figures"; }

# ---- 1. per component --------------------------------------------------------------

# sizes SIZE_TOOL FILE...: text rodata data bss summed over the files' sections
sizes() {
    local tool=$1
    shift
    # RISC-V also has small-data twins: .srodata, .sdata, .sbss
    "$tool" -A "$@" | awk '$1 ~ /^\.text/ {t+=$2} $1 ~ /^\.s?rodata/ {r+=$2}
        $1 ~ /^\.s?data/ {d+=$2} $1 ~ /^\.s?bss/ || $1 == "COMMON" {b+=$2}
        END {printf "%7d %7d %6d %7d\n", t, r, d, b}'
}

# The components of the one source list (kg_qr only when qrcodegen was built).
printf 'include(%s/components/sources.cmake)\nmessage("${KGIOT_COMPONENTS}")\n' "$root" \
    >"$out/components.cmake"
components=$(cmake -P "$out/components.cmake" 2>&1 | tr ';' ' ')

# RV32IMC: the same sources compiled freestanding, with newlib's generic
# headers (Debian's libnewlib-dev) for string.h and stdio.h; objects only.
rv_objects() { # component -> object files in $out/rv32/<component>
    local comp=$1 dir=$out/rv32/$1 incs=()
    mkdir -p "$dir"
    for d in "$root"/components/*/include; do incs+=(-I "$d"); done
    for s in $(cmake -DCOMP="$comp" -P "$root/tests/bench/list_sources.cmake"); do
        riscv64-unknown-elf-gcc -march=rv32imc -mabi=ilp32 -Os -DNDEBUG -std=c11 -ffreestanding \
            -ffunction-sections -fdata-sections -isystem "$out/rv32/newlib" -I "$out/build/kg_config" \
            -I "$out/build/jsmn" -I "$root/port/include" "${incs[@]}" -I "$root/components/$comp" \
            -I "$out/mbedtls-client/include" -DMBEDTLS_CONFIG_FILE='"kgiot_mbedtls_build.h"' \
            -I "$qr_src" -c "$root/$s" -o "$dir/$(basename "$s" .c).o"
    done
    ls "$dir"/*.o
}
have_rv=0
if command -v riscv64-unknown-elf-gcc >/dev/null && [[ -f /usr/include/newlib/string.h ]]; then
    mkdir -p "$out/rv32"
    ln -sfn /usr/include/newlib "$out/rv32/newlib"
    have_rv=1
fi

echo "== 1. kgiot per component, objects before --gc-sections (-Os -DNDEBUG)"
printf '%-11s %7s %7s %6s %7s | %7s %7s %6s %7s\n' component text rodata data bss text rodata data bss
printf '%-11s %30s | %30s\n' "" "Cortex-M3 (arm-none-eabi-gcc)" "RV32IMC (riscv64-unknown-elf-gcc)"
for comp in $components; do
    m3=$(sizes arm-none-eabi-size "$out/build-client/lib$comp.a")
    rv="      (not built)"
    [[ $have_rv -eq 1 ]] && rv=$(sizes riscv64-unknown-elf-size $(rv_objects "$comp"))
    printf '%-11s %s | %s\n' "$comp" "$m3" "$rv"
done | tee "$out/footprint.components"
awk '{for (i = 2; i <= 9; i++) if ($i ~ /^[0-9]+$/) s[i] += $i}
     END {printf "%-11s %7d %7d %6d %7d | %7d %7d %6d %7d\n", "total", s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9]}' \
    <(tr -d '|' <"$out/footprint.components")
echo "kg_tls's bss is the mbedTLS pool (CONFIG_KGIOT_TLS_POOL_SIZE); jsmn is inside kg_json"

# ---- 2. linked firmware -------------------------------------------------------------------

echo
echo "== 2. linked client firmware (footprint_app.c), mbedTLS client-only, TLS 1.2 + 1.3"
python3 "$board/map_sizes.py" "$out/build-client/footprint_app.map"
echo "-- the same with TLS 1.2 only (KGIOT_M3_TLS12_ONLY)"
python3 "$board/map_sizes.py" "$out/build-client-tls12/footprint_app.map" | grep -E '^(linked|kgiot|mbedTLS) '
echo "-- the same with Mbed TLS 4.0 (mbedtls4_config_m3.h + crypto_config_m3.h), TLS 1.2 + 1.3"
python3 "$board/map_sizes.py" "$out/build4-client/footprint_app.map" | grep -E '^(linked|kgiot|mbedTLS) '
echo "-- Mbed TLS 4.0, TLS 1.2 only"
python3 "$board/map_sizes.py" "$out/build4-client-tls12/footprint_app.map" | grep -E '^(linked|kgiot|mbedTLS) '
echo "-- kg_http's optional features (linked, the TLS 1.2 + 1.3 client above; flash bytes)"
linked() { # map component -> its flash (text + rodata + data) in that map
    python3 "$board/map_sizes.py" "$1" | awk -v c="$2" '$1 == c {print $6} $1 " " $2 == c {print $7}'
}
printf '%-34s %8s %8s %12s %10s %12s\n' configuration kg_http kg_json "HTTP + JSON" kg_session "kgiot total"
for v in "everything on (default):build-client" "CONFIG_KGIOT_HTTP_CHUNKED off:build-client-no-CHUNKED" \
    "CONFIG_KGIOT_HTTP_INTERIM off:build-client-no-INTERIM" \
    "CONFIG_KGIOT_HTTP_HEADER_LOOKUP off:build-client-no-HEADER_LOOKUP" \
    "smallest useful (lean.config):build-client-lean"; do
    map=$out/${v#*:}/footprint_app.map
    h=$(linked "$map" kg_http) j=$(linked "$map" kg_json)
    printf '%-34s %8d %8d %12d %10d %12d\n' "${v%%:*}" "$h" "$j" $((h + j)) \
        "$(linked "$map" kg_session)" "$(linked "$map" "kgiot total")"
done
echo "-- kgiot state the application owns (static objects in footprint_app)"
arm-none-eabi-nm -S --size-sort "$out/build-client/footprint_app.elf" |
    while read -r _ size _ name; do
        case $name in session | store | qr | qr_text | reply) printf '%-10s %6d bytes\n' "$name" "0x$size" ;; esac
    done

# ---- 3. pool ------------------------------------------------------------------------------------

echo
echo "== 3. mbedTLS pool, client side (mbedtls_memory_buffer_alloc_max_get, MBEDTLS_MEMORY_DEBUG)"
printf '%-40s %8s %13s %14s\n' "one handshake + token exchange" "peak" "+32 B/block" "held after"
for v in tls13_in16384 tls12_in16384 tls12_in4096; do
    printf '%-40s %8s %13s %14s\n' "$v" "$(figure "pool_peak_handshake_token_$v")" \
        "$(figure "pool_peak_with_headers_handshake_token_$v")" \
        "$(figure "pool_in_use_after_handshake_token_$v")"
    printf '%-40s %8s %13s %14s\n' "  ... then a login and a refresh" "$(figure "pool_peak_login_$v")" \
        "$(figure "pool_peak_with_headers_login_$v")" "$(figure "pool_in_use_after_login_$v")"
done
echo "-- Mbed TLS 4.0"
for v in tls13_in16384 tls12_in16384 tls12_in4096; do
    printf '%-40s %8s %13s %14s\n' "$v" "$(figure4 "pool_peak_handshake_token_$v")" \
        "$(figure4 "pool_peak_with_headers_handshake_token_$v")" \
        "$(figure4 "pool_in_use_after_handshake_token_$v")"
done
echo "in4096: 4 KB input records, max-fragment-length 4096 negotiated (TLS 1.2)"
echo "'held after': in use while the connection stays open (headers included)"

# ---- 4. stack -------------------------------------------------------------------------------------

echo
echo "== 4. stack"
echo "-- static: kgiot's frames only (-fstack-usage -fcallgraph-info; mbedTLS and libc count 0)"
python3 "$board/stack_usage.py" "$out/build-client" "$root"
echo "-- painted in qemu (main stack; test peers on a stack of their own; port log off)"
echo "login + call + refresh over the scripted platform: $(figure stack_session_painted) bytes"
for v in tls13_in16384 tls12_in16384 tls12_in4096; do
    echo "TLS client ($v), handshake + login + refresh, mbedTLS frames included: $(figure "stack_client_painted_$v") bytes (4.0: $(figure4 "stack_client_painted_$v"))"
done

# ---- 5. heap -----------------------------------------------------------------------------------------

echo
echo "== 5. heap"
heap='^(malloc|calloc|realloc|free|_malloc_r|_calloc_r|_realloc_r|_free_r|strdup|strndup)$'
for lib in "$out"/build-client/libkg_*.a "$out"/mbedtls-client/lib/lib*.a "$out"/mbedtls4-client/lib/lib*.a; do
    hits=$(arm-none-eabi-nm -u "$lib" | awk '{print $NF}' | grep -E "$heap" | sort -u | tr '\n' ' ' || true)
    printf '%-20s %s\n' "$(basename "$lib")" "${hits:-no heap function referenced}"
done
