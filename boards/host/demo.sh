#!/usr/bin/env bash
# The main job on a fresh machine: build kgiot, start the bundled mock
# platform server on loopback (TLS with a throwaway CA), and run the
# app-level token call and the user-token exchange against it.
# Usage: bash boards/host/demo.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
build=${KGIOT_DEMO_BUILD:-$root/build-demo}
bash tests/setup.sh
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target kgiot >/dev/null
work=$build/demo
mkdir -p "$work"
bash tests/mock/make_certs.sh "$work" >/dev/null
rm -f "$work/port"
/usr/bin/python3 tests/mock/kg_mock.py --port 0 --cert "$work/server.pem" --key "$work/server.key" \
    --port-file "$work/port" --appid demo-app --secret demo-secret --code demo-code \
    >/dev/null 2>"$work/mock.log" &
mock=$!
trap 'kill $mock 2>/dev/null; wait $mock 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
[ -s "$work/port" ] || { echo "mock server did not start:"; cat "$work/mock.log"; exit 1; }
base="https://localhost:$(cat "$work/port")"
echo "mock platform at $base (CA $work/ca.pem)"
set -x
"$build/boards/host/kgiot" app-token --base "$base" --ca "$work/ca.pem" --appid demo-app --secret demo-secret
"$build/boards/host/kgiot" token --base "$base/test" --ca "$work/ca.pem" --appid demo-app --secret demo-secret \
    --code demo-code
