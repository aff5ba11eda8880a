"""Per-component line and branch coverage from an lcov tracefile.

usage: coverage_table.py <tracefile> <components dir>
Sums LF/LH (lines found/hit) and BRF/BRH (branches found/hit) over the
files of each components/<name>/ and prints one row per component and a
total. Standard library only.
"""
import os
import sys


def read(tracefile, components):
    per = {}
    comp = None
    with open(tracefile) as f:
        for line in f:
            key, _, value = line.strip().partition(":")
            if key == "SF":
                rel = os.path.relpath(value, components)
                comp = rel.split(os.sep)[0]
                per.setdefault(comp, [0, 0, 0, 0])
            elif key in ("LF", "LH", "BRF", "BRH") and comp is not None:
                per[comp][("LF", "LH", "BRF", "BRH").index(key)] += int(value)
    return per


def pct(hit, found):
    return "%6.1f %%" % (100.0 * hit / found) if found else "     -  "


def main():
    per = read(sys.argv[1], sys.argv[2])
    total = [0, 0, 0, 0]
    print("%-12s %8s %13s %8s %13s" % ("component", "lines", "hit/found", "branches", "hit/found"))
    for comp in sorted(per):
        lf, lh, brf, brh = per[comp]
        total = [a + b for a, b in zip(total, per[comp])]
        print("%-12s %8s %6d/%-6d %8s %6d/%-6d" % (comp, pct(lh, lf), lh, lf, pct(brh, brf), brh, brf))
    lf, lh, brf, brh = total
    print("%-12s %8s %6d/%-6d %8s %6d/%-6d" % ("all", pct(lh, lf), lh, lf, pct(brh, brf), brh, brf))


if __name__ == "__main__":
    main()
