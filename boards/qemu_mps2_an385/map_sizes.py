#!/usr/bin/env python3
"""Linked size per library, from a GNU ld map file (after --gc-sections).

usage: map_sizes.py MAPFILE

Prints .text/.rodata/.data/.bss per kgiot component, per mbedTLS library,
and for qrcodegen, libc (newlib, libgcc, rdimon) and the board, with the
kgiot and mbedTLS totals; then why the heap allocator is in the image, if
it is (the archive member that pulled malloc in, and what it was for).
"""
import collections
import os
import re
import sys

KINDS = {".text": "text", ".rodata": "rodata", ".ARM.exidx": "rodata", ".data": "data",
         ".bss": "bss"}
INPUT = re.compile(r"^ (\.\S+|COMMON)?\s*(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(\S.*)$")


def group(path):
    """Which library an input section came from."""
    m = re.search(r"lib(kg_\w+)\.a\(", path)
    if m:
        return m.group(1)
    m = re.search(r"lib(mbed\w+|tfpsacrypto|qrcodegen)\.a\(", path)  # tfpsacrypto: 4.x
    if m:
        return m.group(1)
    m = re.search(r"lib(freertos|lwip)\.a\(", path)  # the device image (rtos/rtos.cmake)
    if m:
        return {"freertos": "FreeRTOS", "lwip": "lwIP"}[m.group(1)]
    if re.search(r"lib(c|gcc|rdimon|c_nano)\.a\(", path):
        return "libc"
    if "board" in path:
        return "board"
    return "app"


def sizes(lines):
    table = collections.defaultdict(lambda: collections.Counter())
    kind, pending = None, False
    for line in lines:
        m = re.match(r"^(\.[\w.]+)\s", line)
        if m:  # an output section
            kind = KINDS.get(m.group(1))
            continue
        if kind is None:
            continue
        if re.match(r"^ \.\S+$", line):  # a long input section name: numbers on the next line
            pending = True
            continue
        m = INPUT.match(line)
        if m and (m.group(1) or pending) and not m.group(4).startswith("0x"):
            table[group(m.group(4))][kind] += int(m.group(3), 16)
        pending = False
    return table


def why_malloc(lines):
    """The 'Archive member included to satisfy reference' entry for malloc."""
    for i, line in enumerate(lines):
        if re.search(r"lib_a-(malloc|mallocr|callocr)\.o\)$", line.strip()):
            return "%s, for %s" % (os.path.basename(line.strip()), os.path.basename(lines[i + 1].strip()))
    return None


def row(name, c):
    total = c["text"] + c["rodata"] + c["data"]
    print("%-14s %8d %8d %6d %7d %9d" % (name, c["text"], c["rodata"], c["data"], c["bss"], total))


def main():
    lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("Linker script and memory map"))
    table = sizes(lines[start:])
    print("%-14s %8s %8s %6s %7s %9s" % ("linked", "text", "rodata", "data", "bss", "flash"))
    kg, mb = collections.Counter(), collections.Counter()
    for name in sorted(table):
        row(name, table[name])
        is_mb = name.startswith("mbed") or name == "tfpsacrypto"
        (kg if name.startswith("kg_") else mb if is_mb else collections.Counter()).update(table[name])
    row("kgiot total", kg)
    row("mbedTLS total", mb)
    print("flash = text + rodata + data; bss excludes the board's heap and stack")
    reason = why_malloc(lines[:start])
    print("heap allocator linked: " + (reason or "no"))


if __name__ == "__main__":
    main()
