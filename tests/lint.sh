#!/usr/bin/env bash
# Style and static checks over our own C: clang-format, cppcheck, and GNU
# complexity (every function scored 8 or less, as coreHTTP keeps it).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.c' '*.h' 2>/dev/null || find components port boards tests -name '*.[ch]')
[ ${#files[@]} -gt 0 ] || { echo "lint: no files"; exit 1; }

echo "== clang-format (${#files[@]} files)"
clang-format --dry-run --Werror "${files[@]}"

echo "== cppcheck"
incs=()
for d in components/*/include port/include port/*/include tests/unit; do incs+=(-I "$d"); done
cfg=$(mktemp -d)
KCONFIG_CONFIG=/nonexistent /usr/bin/python3 -m genconfig --header-path "$cfg/kg_config.h" Kconfig
cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability --inline-suppr \
    --std=c11 -I "$cfg" "${incs[@]}" --suppress=missingIncludeSystem \
    components port boards
rm -rf "$cfg"

echo "== complexity (max 8 per function)"
mapfile -t src < <(printf '%s\n' "${files[@]}" | grep -E '^(components|port|boards)/.*\.c$')
over=$(complexity --threshold=9 -H "${src[@]}" 2>/dev/null | grep -E '^ *[0-9]' || true)
if [ -n "$over" ]; then
    echo "functions scoring over 8:"
    echo "$over"
    exit 1
fi
echo "lint: ok"
