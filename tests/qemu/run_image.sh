#!/bin/sh
# run_image.sh QEMU IMAGE [EXPECTED_STATUS] - run one board image under qemu
# (semihosting console on stdout/stderr) and pass when its exit status, which
# the image hands to qemu through SYS_EXIT_EXTENDED, is the expected one
# (default 0). A hung image is stopped after KGIOT_QEMU_TIMEOUT seconds.
qemu=$1
image=$2
want=${3:-0}
timeout "${KGIOT_QEMU_TIMEOUT:-120}" "$qemu" -M mps2-an385 -nographic \
    -semihosting-config enable=on,target=native -kernel "$image" </dev/null
got=$?
[ "$got" -eq 124 ] && echo "run_image: $image timed out" >&2
[ "$got" -eq "$want" ] && exit 0
echo "run_image: $image exited with $got, expected $want" >&2
exit 1
