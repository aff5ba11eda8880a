#!/usr/bin/python3
"""Compile-check the ESP-IDF and Zephyr ports and examples without their SDKs,
run by ctest (tests/buildsys/buildsys.cmake).

port/esp_idf/*.c, port/zephyr/*.c, boards/esp32/main/*.c and
boards/zephyr/src/*.c are compiled with -fsyntax-only -Wall -Wextra -Werror
(and the plain build's other warnings) against the stand-in headers in
tests/buildsys/stubs/, which declare exactly the upstream signatures listed
in port/esp_idf/README.md and port/zephyr/README.md (check_api_tables.py
keeps the two in step). The configuration header is what each build would
generate from the one Kconfig (plus the example's own Kconfig): sdkconfig.h
for ESP-IDF, autoconf.h passed with -imacros (as Zephyr does) for Zephyr,
once per token-store choice so every #if branch compiles. kgiot's own
headers come from the tree; mbedTLS and jsmn from the plain build's.

usage: check_ports.py ROOT WORKDIR CC [-I<dir> | -D<def>]...
"""
import glob
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kconfig_contexts as kc  # noqa: E402

WARNINGS = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-Wshadow", "-Wstrict-prototypes",
            "-Wmissing-prototypes", "-fsyntax-only"]

ZEPHYR_ON = list(kc.ZEPHYR_ON)

# (context, name, .config lines, sources (globs), extra Kconfig, extra -I dirs)
CHECKS = [
    ("idf", "nvs", ["CONFIG_KGIOT_ESP_STORE_NVS=y"], ["port/esp_idf/*.c"], [], []),
    ("idf", "partition", ["CONFIG_KGIOT_ESP_STORE_PARTITION=y"], ["port/esp_idf/*.c"], [], []),
    ("idf", "none", ["CONFIG_KGIOT_ESP_STORE_NONE=y"], ["port/esp_idf/*.c"], [], []),
    ("idf", "bundle", ["CONFIG_KGIOT_ESP_TRUST_CRT_BUNDLE=y"], ["port/esp_idf/*.c"], [], []),
    ("idf", "example+bundle", ["CONFIG_KGIOT_ESP_TRUST_CRT_BUNDLE=y"], ["boards/esp32/main/*.c"],
     ["boards/esp32/main/Kconfig.projbuild"], ["boards/esp32/main"]),
    ("idf", "example", ["CONFIG_KGIOT_ESP_STORE_NVS=y"], ["boards/esp32/main/*.c"],
     ["boards/esp32/main/Kconfig.projbuild"], ["boards/esp32/main"]),
    ("idf", "example+qr", ["CONFIG_KGIOT_QR=y"], ["boards/esp32/main/*.c"],
     ["boards/esp32/main/Kconfig.projbuild"], ["boards/esp32/main"]),
    ("zephyr", "settings", ZEPHYR_ON + ["CONFIG_SETTINGS=y", "CONFIG_KGIOT_ZEPHYR_STORE_SETTINGS=y"],
     ["port/zephyr/*.c"], [], []),
    ("zephyr", "flash_area", ZEPHYR_ON + ["CONFIG_FLASH_MAP=y", "CONFIG_FLASH_PAGE_LAYOUT=y",
                                          "CONFIG_KGIOT_ZEPHYR_STORE_FLASH_AREA=y"],
     ["port/zephyr/*.c"], [], []),
    ("zephyr", "none", ZEPHYR_ON + ["CONFIG_KGIOT_ZEPHYR_STORE_NONE=y"], ["port/zephyr/*.c"], [], []),
    ("zephyr", "sample", ZEPHYR_ON, ["boards/zephyr/src/*.c"], ["boards/zephyr/Kconfig.sample"], []),
]


def kgiot_includes(root):
    dirs = sorted(glob.glob(os.path.join(root, "components", "*", "include")))
    return ["-I" + d for d in dirs] + ["-I" + os.path.join(root, "port", "include")]


def context_flags(root, context, cfg_dir):
    stubs = os.path.join(root, "tests", "buildsys", "stubs", "esp_idf" if context == "idf" else "zephyr")
    if context == "idf":
        # The port's kg_config.h includes sdkconfig.h, which sits in cfg_dir.
        return ["-I" + os.path.join(root, "port", "esp_idf", "include"),
                "-I" + os.path.join(root, "port", "lwip", "include"), "-I" + cfg_dir, "-I" + stubs]
    # cfg_dir also holds the sample's generated CA include.
    return ["-I" + os.path.join(root, "port", "zephyr", "include"), "-I" + stubs, "-I" + cfg_dir,
            "-imacros", os.path.join(cfg_dir, "autoconf.h")]


def configure(root, context, cfg_dir, lines, extra_kconfig):
    """Write the variant's configuration header; the names that did not take."""
    kconf = kc.load(root, context, cfg_dir, lines, [os.path.join(root, e) for e in extra_kconfig])
    hdr = "sdkconfig.h" if context == "idf" else "autoconf.h"
    values = kc.header(kconf, os.path.join(cfg_dir, hdr))
    with open(os.path.join(cfg_dir, "kgiot_ca.pem.inc"), "w") as f:
        f.write("0x2d, 0x2d,\n")  # what Zephyr's file2hex.py writes, for the sample
    return [ln.split("=")[0] for ln in lines if ln.split("=")[0] not in values]


def run_check(root, work, cc, extra, check):
    context, name, lines, globs, extra_kconfig, incs = check
    cfg_dir = os.path.join(work, context + "-" + name)
    os.makedirs(cfg_dir, exist_ok=True)
    missing = configure(root, context, cfg_dir, lines, extra_kconfig)
    if missing:
        print("FAIL %s/%s: the configuration did not take: %s" % (context, name, missing))
        return 1
    srcs = sorted(s for g in globs for s in glob.glob(os.path.join(root, g)))
    flags = (WARNINGS + context_flags(root, context, cfg_dir) + kgiot_includes(root) +
             ["-I" + os.path.join(root, i) for i in incs] + extra)
    bad = 0 if srcs else 1
    for src in srcs:
        r = subprocess.run([cc] + flags + [src], capture_output=True, text=True)
        print("%s %s/%s %s" % ("ok  " if r.returncode == 0 else "FAIL", context, name,
                               os.path.relpath(src, root)))
        if r.returncode != 0:
            print(r.stdout + r.stderr)
            bad += 1
    return bad


def main():
    root, work, cc = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3]
    extra = sys.argv[4:]
    os.makedirs(work, exist_ok=True)
    bad = sum(run_check(root, work, cc, extra, check) for check in CHECKS)
    print("ports and examples: %s" % ("ok" if bad == 0 else "%d failure(s)" % bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
