#!/usr/bin/env bash
# The client's instructions for a full TLS handshake and for a resumed one
# (x86-64, gcc -O2, callgrind, inclusive cost of mbedtls_ssl_handshake),
# through kg_tls against the mock platform on loopback, with Debian's
# mbedTLS 2.28 and with each prefix given (tests/deps/mbedtls36.sh or
# mbedtls4.sh builds): TLS 1.3 where the library has it, and TLS 1.2.
# Usage: bash tests/bench/tls_handshake_cost.sh [MBEDTLS_PREFIX...]
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
mock=
trap '[ -n "$mock" ] && kill $mock 2>/dev/null; rm -rf "$tmp"' EXIT
source tests/bench/bench_lib.sh
bench_build "$tmp/hs0" tests/bench/tls_handshake.c ""
i=0
for p in "$@"; do
    i=$((i + 1))
    bench_build "$tmp/hs$i" tests/bench/tls_handshake.c "$p"
done
bench_mock
# costs binary [tls12] -> "full resumed": instructions inside mbedtls_ssl_handshake,
# from the two dumps the program asks for
costs() {
    rm -f "$tmp"/cg.out*
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" --toggle-collect=mbedtls_ssl_handshake \
        "$tmp/$1" "$base" "$tmp/ca.pem" a s ${2:-} >"$tmp/run.out" 2>/dev/null
    grep -q "^KG_OK .* full=1 resumed=1$" "$tmp/run.out" || { cat "$tmp/run.out" >&2; exit 1; }
    for n in 1 2; do
        callgrind_annotate "$tmp/cg.out.$n" 2>/dev/null |
            awk '/PROGRAM TOTALS/ {gsub(",","",$1); printf "%s ", $1; exit}'
    done
    echo
}
printf '%-10s %-6s %14s %14s\n' "mbedTLS" "TLS" "full" "resumed"
for b in $(seq -f 'hs%g' 0 $i); do
    version=$("$tmp/$b" "$base" "$tmp/ca.pem" a s | awk '{print $2}')
    for v in "" tls12; do
        [ "$b" = hs0 ] && [ -z "$v" ] && continue # 2.28 has no TLS 1.3
        read -r full resumed < <(costs "$b" $v)
        printf '%-10s %-6s %14s %14s\n' "$version" "${v:-tls13}" "$full" "$resumed"
    done
done
