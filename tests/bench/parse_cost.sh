#!/usr/bin/env bash
# Instructions to parse the reference reply into its nine fields, per parse,
# averaged over 10000 parses in one process (x86-64, gcc -O2, callgrind).
# Usage: bash tests/bench/parse_cost.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# The reference reply: shared/bench beside the repository, else the fuzz seed
# that is a byte-exact copy of it.
ref=${KGIOT_BENCH_REPLY:-../shared/bench/token_response.http}
[ -f "$ref" ] || ref=tests/fuzz/corpus_http/token_response.http
n=10000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
KCONFIG_CONFIG=/nonexistent /usr/bin/python3 -m genconfig --header-path "$tmp/kg_config.h" Kconfig
incs=(-I "$tmp" -I port/include)
for d in components/*/include; do incs+=(-I "$d"); done
# The components from the one source list; kg_auth signs with mbedTLS's MD5.
srcs=()
for comp in kg_err kg_json kg_http kg_auth; do
    read -ra more < <(cmake -DCOMP=$comp -P tests/bench/list_sources.cmake)
    srcs+=("${more[@]}")
done
gcc -O2 -std=c11 -DNDEBUG "${incs[@]}" tests/bench/bench_parse.c "${srcs[@]}" -lmbedcrypto -o "$tmp/bench_parse"
"$tmp/bench_parse" "$ref" 1
valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" --toggle-collect=parse_once \
    "$tmp/bench_parse" "$ref" "$n" >/dev/null 2>"$tmp/vg.log"
total=$(callgrind_annotate "$tmp/cg.out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",","",$1); print $1; exit}')
echo "instructions per parse (HTTP + JSON + 9 fields): $((total / n))  [$total over $n parses]"
callgrind_annotate --inclusive=yes "$tmp/cg.out" 2>/dev/null |
    grep -E 'kg_http_resp_feed|kg_json_parse|jsmn_parse|kg_json_decode|kg_auth_decode_token' |
    sed 's/ \[[^]]*\]$//' | awk -v n="$n" '{gsub(",","",$1); sub(/.*:/,"",$NF); printf "  %-28s %8d per parse\n", $NF, $1 / n}'
