#!/usr/bin/python3
"""Real-decoder test of kg_qr: Debian's zbarimg must read back every code.

Usage: test_qr_zbar.py RENDERER OUTDIR

RENDERER is test_qr_zbar (the C side, kg_qr itself). For each content:
  1. the 1-bit framebuffer rendering, as a PGM, is decoded by zbarimg;
  2. the terminal text rendering, both ways (invert on a dark terminal,
     plain on a light one), is parsed back from its half blocks into
     modules, painted as the terminal would show it with a margin of the
     terminal's background around it, and decoded by zbarimg too;
  3. the dark/light modules the text shows must equal the framebuffer's,
     module for module, quiet zone included.
zbarimg missing is a failure, not a skip. The images stay in OUTDIR.
"""
import os
import random
import shutil
import subprocess
import sys

SCALE = 4  # pixels per module, for both renderings
MARGIN = 4  # modules of terminal background around the text rendering
QUIET_1BIT = 4
QUIET_TEXT = 2
# half-block character -> (top half is ink, bottom half is ink)
GLYPHS = {" ": (0, 0), "\u2580": (1, 0), "\u2584": (0, 1), "\u2588": (1, 1)}


def printable(n, seed):
    """n bytes of printable ASCII, the same every run."""
    rnd = random.Random(seed)
    return "".join(chr(rnd.randrange(0x21, 0x7F)) for _ in range(n))


LOGIN = "https://kg.qq.com/m/login?qr=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822c"
UTF8 = "全民K歌 扫码登录：请用手机打开全民K歌扫描二维码 ✓ café — 🎤"

CASES = [  # (name, content); encoding modes: numeric, alphanumeric, byte
    ("1 byte", "k"),
    ("10 digits", "0123456789"),
    ("50 alphanumeric", ("HTTPS://KG.QQ.COM/M/LOGIN?QR=" + "0123456789ABCDEF" * 2)[:50]),
    ("login URL", LOGIN),
    ("100 bytes", printable(100, 100)),
    ("200 bytes", printable(200, 200)),
    ("300 bytes", printable(300, 300)),
    ("412 bytes (version 15 full)", "a" * 400 + printable(12, 412)),
    ("UTF-8", UTF8),
    ("UTF-8 long", (UTF8 + " ") * 3),
]

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("  FAIL:", what)
    return cond


def render(renderer, mode, arg, content):
    r = subprocess.run([renderer, mode, str(arg)], input=content.encode("utf-8"),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
    if r.returncode != 0:
        raise RuntimeError("%s %s %s: %s" % (renderer, mode, arg, r.stderr.decode()))
    return r.stdout


def zbar(zbarimg, path):
    """The decoded bytes, or None. --raw: no charset conversion by zbarimg."""
    r = subprocess.run([zbarimg, "--nodbus", "--raw", "-q", path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
    return r.stdout if r.returncode == 0 else None


def write_pgm(path, rows):
    with open(path, "wb") as f:
        f.write(b"P5\n%d %d\n255\n" % (len(rows[0]), len(rows)))
        for row in rows:
            f.write(bytes(row))


def parse_pgm(data):
    """(side, pixels) of the renderer's P5 image: rows of 0 (dark) / 255."""
    magic, dims, maxval, pixels = data.split(b"\n", 3)
    w, h = map(int, dims.split())
    assert magic == b"P5" and maxval == b"255" and w == h and len(pixels) == w * h
    return w, [pixels[y * w:(y + 1) * w] for y in range(h)]


def parse_text(text):
    """The ink grid (rows of 0/1) the half blocks show, two rows per line."""
    check(text.endswith("\n"), "text ends with a newline")
    lines = text.split("\n")[:-1]
    width = len(lines[0])
    grid = []
    for line in lines:
        check(len(line) == width, "all lines %d columns" % width)
        check(all(c in GLYPHS for c in line), "only space and half blocks")
        grid.append([GLYPHS.get(c, (0, 0))[0] for c in line])
        grid.append([GLYPHS.get(c, (0, 0))[1] for c in line])
    return grid


def terminal_image(grid, ink, background):
    """Pixels of the grid as a terminal shows it: ink cells in the text
    colour, the rest and a MARGIN around in the background colour."""
    width = len(grid[0]) + 2 * MARGIN
    blank = [[background] * width] * MARGIN
    rows = blank + [[background] * MARGIN + [ink if v else background for v in r] +
                    [background] * MARGIN for r in grid] + blank
    return [[v for v in r for _ in range(SCALE)] for r in rows for _ in range(SCALE)]


def text_case(renderer, zbarimg, base, content, invert, fb_dark):
    name = "text-invert" if invert else "text-plain"
    text = render(renderer, "text", int(invert), content).decode("utf-8")
    with open(base + "." + name + ".txt", "w", encoding="utf-8") as f:
        f.write(text)
    grid = parse_text(text)
    # invert: light text on a dark terminal; plain: dark text on a light one
    ink, background = (255, 0) if invert else (0, 255)
    # 3. what the terminal shows dark must be the framebuffer's dark modules,
    # quiet zone included (all light), as must the half row below the code
    size = len(fb_dark)
    for gy, row in enumerate(grid):
        for gx, v in enumerate(row):
            dark = (ink if v else background) == 0
            my, mx = gy - QUIET_TEXT, gx - QUIET_TEXT
            want = fb_dark[my][mx] if 0 <= my < size and 0 <= mx < size else False
            if not check(dark == want, "%s module (%d, %d) matches the framebuffer" %
                         (name, mx, my)):
                return
    check(len(grid[0]) == size + 2 * QUIET_TEXT, "%s is size + 4 columns" % name)
    path = base + "." + name + ".pgm"
    write_pgm(path, terminal_image(grid, ink, background))
    got = zbar(zbarimg, path)
    check(got == content.encode("utf-8") + b"\n", "zbarimg reads %s: %r" % (path, got))


def main():
    renderer, outdir = sys.argv[1], sys.argv[2]
    zbarimg = shutil.which("zbarimg")
    if not zbarimg:
        print("FAIL: zbarimg not found: install Debian's zbar-tools (tests/setup.sh)")
        return 1
    os.makedirs(outdir, exist_ok=True)
    for i, (name, content) in enumerate(CASES):
        print("%-28s %3d bytes" % (name, len(content.encode("utf-8"))))
        base = os.path.join(outdir, "case%02d" % i)
        # 1. the framebuffer rendering
        pgm = render(renderer, "pgm", SCALE, content)
        with open(base + ".1bit.pgm", "wb") as f:
            f.write(pgm)
        side, pixels = parse_pgm(pgm)
        got = zbar(zbarimg, base + ".1bit.pgm")
        check(got == content.encode("utf-8") + b"\n", "zbarimg reads %s.1bit.pgm: %r" % (base, got))
        # the modules, sampled at the centre of each, without the quiet zone
        size = side // SCALE - 2 * QUIET_1BIT
        fb_dark = [[pixels[(QUIET_1BIT + my) * SCALE + SCALE // 2][(QUIET_1BIT + mx) * SCALE +
                                                                  SCALE // 2] == 0
                    for mx in range(size)] for my in range(size)]
        # 2. and 3. the terminal renderings
        text_case(renderer, zbarimg, base, content, True, fb_dark)
        text_case(renderer, zbarimg, base, content, False, fb_dark)
    print("%d cases, %d failed checks" % (len(CASES), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
