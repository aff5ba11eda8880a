# Sourced by the TLS benchmarks (tls_heap.sh, tls_handshake_cost.sh): compile
# one bench program with kgiot's TLS path against Debian's mbedTLS 2.28 or an
# mbedTLS prefix (tests/deps/mbedtls36.sh or mbedtls4.sh), and start the mock.
# Expects $tmp (a scratch directory) and the repository as the current directory.

# bench_build OUT MAIN.c PREFIX(empty: Debian's) [gcc flags...]
bench_build() {
    local out=$1 main=$2 p=$3 mb=() defs=() incs=(-I "$tmp" -I port/include -I port/posix/include)
    shift 3
    [ -f "$tmp/kg_config.h" ] ||
        KCONFIG_CONFIG=tests/host64.config /usr/bin/python3 -m genconfig --header-path "$tmp/kg_config.h" Kconfig
    for d in components/*/include; do incs+=(-I "$d"); done
    local srcs=("$main" port/posix/kg_port_posix.c)
    for comp in kg_err kg_json kg_net kg_http kg_tls kg_auth; do
        read -ra more < <(cmake -DCOMP=$comp -P tests/bench/list_sources.cmake)
        srcs+=("${more[@]}")
    done
    if [ -z "$p" ]; then
        mb=(/usr/lib/x86_64-linux-gnu/libmbedtls.a /usr/lib/x86_64-linux-gnu/libmbedx509.a
            /usr/lib/x86_64-linux-gnu/libmbedcrypto.a)
    else
        defs=(-I "$p/include")
        [ -f "$p/include/mbedtls36_user_config.h" ] &&
            defs+=(-DMBEDTLS_USER_CONFIG_FILE='"mbedtls36_user_config.h"')
        [ -f "$p/include/mbedtls4_user_config.h" ] &&
            defs+=(-DMBEDTLS_USER_CONFIG_FILE='"mbedtls4_user_config.h"'
                -DTF_PSA_CRYPTO_USER_CONFIG_FILE='"mbedtls4_crypto_user_config.h"')
        local crypto=$p/lib/libmbedcrypto.a
        [ -f "$p/lib/libtfpsacrypto.a" ] && crypto=$p/lib/libtfpsacrypto.a # 4.x
        mb=("$p/lib/libmbedtls.a" "$p/lib/libmbedx509.a" "$crypto")
    fi
    gcc -O2 -g -std=c11 -D_GNU_SOURCE "${defs[@]}" "${incs[@]}" "${srcs[@]}" "$@" "${mb[@]}" -o "$out"
}

# bench_mock: the mock platform on loopback (appid a, secret s, code c);
# sets $mock (its pid, for the caller's trap) and $base.
bench_mock() {
    bash tests/mock/make_certs.sh "$tmp" >/dev/null
    /usr/bin/python3 tests/mock/kg_mock.py --port 0 --cert "$tmp/server.pem" --key "$tmp/server.key" \
        --port-file "$tmp/port" --appid a --secret s --code c >/dev/null 2>&1 &
    mock=$!
    for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
    base="https://localhost:$(cat "$tmp/port")"
}
