#!/usr/bin/env bash
# Peak memory of mbedTLS for one handshake + token exchange against the mock
# platform on loopback: Debian's mbedTLS 2.28 (heap, via calloc/free wrappers
# around the static libraries) and each prefix given (tests/deps/mbedtls36.sh
# or mbedtls4.sh builds: static pool).
# Usage: bash tests/bench/tls_heap.sh [MBEDTLS_PREFIX...]
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
mock=
trap '[ -n "$mock" ] && kill $mock 2>/dev/null; rm -rf "$tmp"' EXIT
source tests/bench/bench_lib.sh
wrap=(-Wl,--wrap=calloc -Wl,--wrap=free)
bench_build "$tmp/heap0" tests/bench/tls_heap.c "" "${wrap[@]}"
i=0
for p in "$@"; do
    i=$((i + 1))
    bench_build "$tmp/heap$i" tests/bench/tls_heap.c "$p" "${wrap[@]}"
done
bench_mock
for b in $(seq 0 $i); do
    echo "== $([ "$b" = 0 ] && echo "Debian's mbedTLS 2.28 (system calloc)" || echo "${!b} (static pool)")"
    "$tmp/heap$b" "$base" "$tmp/ca.pem" a s c
done
