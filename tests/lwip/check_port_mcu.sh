#!/usr/bin/env bash
# check_port_mcu.sh OUT_DIR HOST_LIB...
#
# port/lwip/kg_port_lwip.c must build for a microcontroller with FreeRTOS +
# lwIP, where there is no unix port and no POSIX. This compiles it with
# arm-none-eabi-gcc (newlib) against lwIP's own headers and the
# FreeRTOS-style lwipopts.h in tests/lwip/mcu, in several lwIP option sets
# (with and without lwip_poll among them), and checks the undefined symbols
# of every object (and of the host libraries HOST_LIB...): lwIP, a few C
# string functions, errno. Nothing else.
set -euo pipefail
out=${1:?usage: check_port_mcu.sh OUT_DIR HOST_LIB...}
shift
[ $# -gt 0 ] || { echo "usage: check_port_mcu.sh OUT_DIR HOST_LIB..."; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mkdir -p "$out"

cc=$(command -v arm-none-eabi-gcc || true)
nm_arm=$(command -v arm-none-eabi-nm || true)
if [ -z "$cc" ] || [ -z "$nm_arm" ]; then
    echo "FAIL: arm-none-eabi-gcc/nm not found (bash tests/setup.sh installs gcc-arm-none-eabi)"
    exit 1
fi
lwip_inc=$(pkg-config --variable=includedir lwip 2>/dev/null || true)
lwip_inc=${lwip_inc:-/usr/include/lwip}
if [ ! -f "$lwip_inc/lwip/sockets.h" ]; then
    echo "FAIL: lwIP headers not found at $lwip_inc (liblwip-dev)"
    exit 1
fi

# lwIP's core headers only: tests/lwip/mcu comes first, so Debian's
# unix-port lwipopts.h and arch/ (also under $lwip_inc) are never seen.
flags=(-mcpu=cortex-m4 -mthumb -Os -std=c11 -Wall -Wextra -Werror -Wshadow
       -Wstrict-prototypes -Wmissing-prototypes
       -I "$here/mcu" -I "$lwip_inc" -I "$root/port/lwip/include" -I "$root/port/include"
       -I "$root/components/kg_err/include")
src=$root/port/lwip/kg_port_lwip.c
allowed='^(lwip_[a-z_]+|ipaddr_aton|ip4addr_aton|ip6addr_aton|memset|memcpy|strlen|errno|__errno|__errno_location|__stack_chk_fail|__stack_chk_guard|__aeabi_[a-z0-9_]+|__(asan|ubsan|sanitizer|tsan)_[A-Za-z0-9_]+)$'
fail=0

check_symbols() { # label, nm, object
    local bad
    if [ ! -s "$3" ]; then
        echo "FAIL $1: $3 missing"
        fail=1
        return
    fi
    bad=$("$2" -u "$3" | awk '$1 == "U" {print $2}' | grep -Ev "$allowed" || true)
    if [ -n "$bad" ]; then
        echo "FAIL $1: references outside lwIP and the C library: $(echo "$bad" | tr "\n" " ")"
        fail=1
    else
        echo "ok   $1: undefined symbols all lwIP / libc string / errno"
    fi
}

uses_poll() { # label, nm, object, yes|no
    if "$2" -u "$3" | awk '$1 == "U" {print $2}' | grep -qx lwip_poll; then
        [ "$4" = yes ] && echo "ok   $1: waits in lwip_poll" && return
        echo "FAIL $1: calls lwip_poll although it must not"
    else
        [ "$4" = no ] && echo "ok   $1: retries without lwip_poll" && return
        echo "FAIL $1: does not call lwip_poll"
    fi
    fail=1
}

variant() { # name, yes|no (lwip_poll expected), -D flags...
    local name=$1 poll=$2
    shift 2
    if "$cc" "${flags[@]}" "$@" -c "$src" -o "$out/$name.o" 2>"$out/$name.log"; then
        echo "ok   $name: compiles for Cortex-M4 ($*)"
        check_symbols "$name" "$nm_arm" "$out/$name.o"
        uses_poll "$name" "$nm_arm" "$out/$name.o" "$poll"
    else
        echo "FAIL $name: does not compile ($*)"
        cat "$out/$name.log"
        fail=1
    fi
}

variant ipv4 yes -DLWIP_IPV4=1 -DLWIP_IPV6=0 -DLWIP_DNS=0
variant dual_dns yes -DLWIP_IPV4=1 -DLWIP_IPV6=1 -DLWIP_DNS=1
variant ipv6_dns yes -DLWIP_IPV4=0 -DLWIP_IPV6=1 -DLWIP_DNS=1
variant compat_lwip_errno yes -DLWIP_IPV4=1 -DLWIP_IPV6=1 -DLWIP_DNS=1 -DLWIP_COMPAT_SOCKETS=1 \
    -DLWIP_PROVIDE_ERRNO=1
# As STM32CubeMX-style lwipopts have it: neither poll nor select.
variant no_poll no -DLWIP_IPV4=1 -DLWIP_IPV6=0 -DLWIP_DNS=0 -DLWIP_SOCKET_POLL=0 \
    -DLWIP_SOCKET_SELECT=0

# Asking for poll where lwIP has none must stop the build, not fail at link.
if "$cc" "${flags[@]}" -DLWIP_SOCKET_POLL=0 -DKG_PORT_LWIP_USE_POLL=1 -c "$src" \
    -o "$out/poll_missing.o" 2>"$out/poll_missing.log"; then
    echo "FAIL poll_missing: compiled with KG_PORT_LWIP_USE_POLL 1 but LWIP_SOCKET_POLL 0"
    fail=1
elif grep -q "needs LWIP_SOCKET_POLL" "$out/poll_missing.log"; then
    echo "ok   poll_missing: stops with the port's #error"
else
    echo "FAIL poll_missing: failed, but not with the port's #error:"
    cat "$out/poll_missing.log"
    fail=1
fi

for host_lib in "$@"; do
    check_symbols "host library $(basename "$host_lib")" nm "$host_lib"
done
[ $fail -eq 0 ] && echo "lwip_port_mcu: ok" || echo "lwip_port_mcu: FAILED"
exit $fail
