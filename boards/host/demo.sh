#!/usr/bin/env bash
# The main job on a fresh machine: build kgiot, start the bundled mock
# platform on loopback (TLS with a throwaway CA) as the vendor's broker, and
# sign a user in by QR code: the mock "scans" and confirms by itself after a
# few seconds. Then one authorised business call with the saved session.
# Usage: bash boards/host/demo.sh [--light]
#   --light: draw the QR code for a light terminal background (kgiot also
#   reads COLORFGBG, which some terminals set).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
build=${KGIOT_DEMO_BUILD:-$root/build-demo}
echo "demo: checking the Debian packages the demo needs (compiler, cmake, mbedTLS, jsmn, qrcodegen, kconfiglib)"
bash tests/setup.sh demo
echo "demo: building kgiot in $build (about 20 s the first time)"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKGIOT_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target kgiot >/dev/null
echo "demo: starting the mock platform with a throwaway CA"
work=$build/demo
mkdir -p "$work"
bash tests/mock/make_certs.sh "$work" >/dev/null
rm -f "$work/port" "$work/session.json"
/usr/bin/python3 tests/mock/kg_mock.py --port 0 --cert "$work/server.pem" --key "$work/server.key" \
    --port-file "$work/port" --appid demo-app --secret demo-secret --broker --auto-confirm 4 \
    >/dev/null 2>"$work/mock.log" &
mock=$!
trap 'kill $mock 2>/dev/null; wait $mock 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
[ -s "$work/port" ] || { echo "mock server did not start:"; cat "$work/mock.log"; exit 1; }
base="https://localhost:$(cat "$work/port")"
kgiot=("$build/boards/host/kgiot")
common=(--base "$base" --ca "$work/ca.pem" --appid demo-app --broker --state "$work/session.json")
echo "mock platform (broker front) at $base; the mock confirms the scan after 4 s"
echo "\$ kgiot login --base $base --ca ca.pem --appid demo-app --broker"
"${kgiot[@]}" login "${common[@]}" --poll-ms 1000 "$@"
echo "\$ kgiot call /api/v2/user/echo --body '{\"song\":\"月亮代表我的心\"}' ..."
"${kgiot[@]}" call /api/v2/user/echo "${common[@]}" --body '{"song":"月亮代表我的心"}'
