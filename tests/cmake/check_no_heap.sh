#!/usr/bin/env bash
# Fails if any object in the given static libraries references a heap
# function: components/ must run from caller-owned and static memory only.
set -euo pipefail
bad=0
for lib in "$@"; do
    hits=$(nm -u "$lib" 2>/dev/null | awk '{print $NF}' | grep -E '^(malloc|calloc|realloc|free|strdup|strndup|aligned_alloc|posix_memalign)$' || true)
    if [ -n "$hits" ]; then
        echo "HEAP: $(basename "$lib") references: $(echo $hits)"
        bad=1
    else
        echo "ok   $(basename "$lib")"
    fi
done
exit $bad
