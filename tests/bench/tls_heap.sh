#!/usr/bin/env bash
# Peak memory of mbedTLS for one handshake + token exchange against the mock
# platform on loopback: Debian's mbedTLS 2.28 (heap, via calloc/free wrappers
# around the static libraries) and, given its prefix, mbedTLS 3.6 (static pool).
# Usage: bash tests/bench/tls_heap.sh [MBEDTLS36_PREFIX]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
tmp=$(mktemp -d)
mock=
trap '[ -n "$mock" ] && kill $mock 2>/dev/null; rm -rf "$tmp"' EXIT
KCONFIG_CONFIG=/nonexistent /usr/bin/python3 -m genconfig --header-path "$tmp/kg_config.h" Kconfig
incs=(-I "$tmp" -I port/include -I port/posix/include)
for d in components/*/include; do incs+=(-I "$d"); done
srcs=(tests/bench/tls_heap.c port/posix/kg_port_posix.c)
for comp in kg_err kg_json kg_net kg_http kg_tls kg_auth; do
    read -ra more < <(cmake -DCOMP=$comp -P tests/bench/list_sources.cmake)
    srcs+=("${more[@]}")
done
wrap=(-Wl,--wrap=calloc -Wl,--wrap=free)
gcc -O2 -std=c11 -D_GNU_SOURCE "${incs[@]}" "${srcs[@]}" "${wrap[@]}" \
    /usr/lib/x86_64-linux-gnu/libmbedtls.a /usr/lib/x86_64-linux-gnu/libmbedx509.a \
    /usr/lib/x86_64-linux-gnu/libmbedcrypto.a -o "$tmp/heap228"
if [ -n "${1:-}" ]; then
    gcc -O2 -std=c11 -D_GNU_SOURCE -I "$1/include" -DMBEDTLS_USER_CONFIG_FILE='"mbedtls36_user_config.h"' \
        "${incs[@]}" "${srcs[@]}" "${wrap[@]}" "$1/lib/libmbedtls.a" "$1/lib/libmbedx509.a" \
        "$1/lib/libmbedcrypto.a" -o "$tmp/heap36"
fi
bash tests/mock/make_certs.sh "$tmp" >/dev/null
/usr/bin/python3 tests/mock/kg_mock.py --port 0 --cert "$tmp/server.pem" --key "$tmp/server.key" \
    --port-file "$tmp/port" --appid a --secret s --code c >/dev/null 2>&1 &
mock=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
base="https://localhost:$(cat "$tmp/port")"
echo "== Debian mbedTLS 2.28 (system calloc)"
"$tmp/heap228" "$base" "$tmp/ca.pem" a s c
if [ -x "$tmp/heap36" ]; then
    echo "== mbedTLS 3.6 (static pool)"
    "$tmp/heap36" "$base" "$tmp/ca.pem" a s c
fi
