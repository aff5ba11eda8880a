#!/usr/bin/python3
"""Keep the ports' API tables, the stand-in SDK headers and the manifests in
step; run by ctest (tests/buildsys/buildsys.cmake).

1. Every C name the stand-ins declare (function, macro, type, enum constant)
   is a row of port/<port>/README.md's table, and every table row of kind
   function/macro/type/constant is declared by the stand-ins: so the stubs the
   ports compile against hold exactly the checked signatures, no more.
2. Every SDK header the port and example sources include is named in the
   table (kgiot's own headers and the C library's are not SDK headers).
3. zephyr/module.yml names a cmake directory with a CMakeLists.txt, a Kconfig
   file and sample directories that exist; idf_component.yml has the fields
   the registry wants (version, description, license MIT, targets,
   dependencies with an idf version).

usage: check_api_tables.py ROOT
"""
import glob
import os
import re
import sys

PORTS = {
    "esp_idf": ["port/esp_idf/*.c", "boards/esp32/main/*.c"],
    "zephyr": ["port/zephyr/*.c", "boards/zephyr/src/*.c"],
}
STUBBED_KINDS = {"function", "macro", "type", "constant"}
C_HEADERS = {"errno.h", "inttypes.h", "stdbool.h", "stddef.h", "stdint.h", "stdio.h", "stdlib.h",
             "string.h", "time.h", "sys/types.h"}

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def table_rows(readme):
    """(names, kind, row text) for each row of the SDK interface table."""
    rows = []
    with open(readme) as f:
        for line in f:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) != 5 or not cells[0].startswith("`"):
                continue
            rows.append((re.findall(r"`([^`]+)`", cells[0]), cells[1], line))
    return rows


def strip_comments(text):
    return re.sub(r"/\*.*?\*/", " ", text, flags=re.S)


def stub_names(stub_dir):
    names = set()
    for path in glob.glob(os.path.join(stub_dir, "**", "*.h"), recursive=True):
        text = strip_comments(open(path).read()).replace("\\\n", " ")
        names |= set(re.findall(r"^\s*#\s*define\s+(\w+)", text, flags=re.M))
        code = re.sub(r"^\s*#.*$", "", text, flags=re.M)
        names |= set(re.findall(r"\bstruct\s+(\w+)\s*\{", code))
        for body in re.findall(r"\benum\s*\w*\s*\{([^}]*)\}", code):
            names |= set(re.findall(r"(\w+)\s*(?:=[^,]*)?(?:,|$)", body.strip()))
        for stmt in code.split(";"):
            names |= statement_names(stmt)
    return {n for n in names if not n.startswith(("KG_STUB", "kg_stub"))}


def statement_names(stmt):
    stmt = stmt.strip()
    if re.search(r"\}\s*(\w+)\s*$", stmt):  # end of a typedef'd struct or enum
        return {re.search(r"\}\s*(\w+)\s*$", stmt).group(1)}
    if "{" in stmt or "}" in stmt or not stmt:
        return set()
    if re.fullmatch(r"struct\s+\w+", stmt):  # a forward declaration
        return {stmt.split()[-1]}
    if stmt.startswith("typedef"):
        m = re.search(r"\(\s*\*\s*(\w+)\s*\)", stmt)  # a function pointer type
        return {m.group(1) if m else re.findall(r"\w+", stmt)[-1]}
    m = re.match(r"[\w\s\*]*?\b(\w+)\s*\(", stmt)  # a prototype
    return {m.group(1)} if m and m.group(1) != "__attribute__" else set()


def check_port(root, port, globs):
    readme = os.path.join(root, "port", port, "README.md")
    rows = table_rows(readme)
    listed = {n for names, kind, _ in rows if kind in STUBBED_KINDS for n in names}
    declared = stub_names(os.path.join(root, "tests", "buildsys", "stubs", port))
    for n in sorted(declared - listed):
        fail("%s: the stubs declare %s, which port/%s/README.md does not list" % (port, n, port))
    for n in sorted(listed - declared):
        fail("%s: port/%s/README.md lists %s, which the stubs do not declare" % (port, port, n))
    table = open(readme).read()
    for src in sorted(s for g in globs for s in glob.glob(os.path.join(root, g))):
        for hdr in re.findall(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', open(src).read(), flags=re.M):
            own = hdr.startswith("kg_") or hdr.endswith(".inc")
            if not own and hdr not in C_HEADERS and "`%s`" % hdr not in table:
                fail("%s includes %s, which port/%s/README.md does not name"
                     % (os.path.relpath(src, root), hdr, port))
    print("%s: %d names in the table, %d declared by the stubs" % (port, len(listed), len(declared)))


def check_module_yml(root):
    text = open(os.path.join(root, "zephyr", "module.yml")).read()
    cmake = re.search(r"^\s+cmake:\s*(\S+)\s*$", text, flags=re.M)
    kconfig = re.search(r"^\s+kconfig:\s*(\S+)\s*$", text, flags=re.M)
    if not re.search(r"^name:\s*kgiot\s*$", text, flags=re.M):
        fail("zephyr/module.yml: name is not kgiot (port/zephyr/Kconfig.port tests ZEPHYR_KGIOT_MODULE)")
    if not cmake or not os.path.isfile(os.path.join(root, cmake.group(1), "CMakeLists.txt")):
        fail("zephyr/module.yml: build.cmake does not name a directory with a CMakeLists.txt")
    if not kconfig or not os.path.isfile(os.path.join(root, kconfig.group(1))):
        fail("zephyr/module.yml: build.kconfig does not name a file")
    for sample in re.findall(r"^\s+-\s*(\S+)\s*$", text, flags=re.M):
        if not os.path.isfile(os.path.join(root, sample, "CMakeLists.txt")):
            fail("zephyr/module.yml: sample %s has no CMakeLists.txt" % sample)


def check_idf_component_yml(root):
    text = open(os.path.join(root, "idf_component.yml")).read()
    for key, pattern in (("version", r'^version:\s*"\d+\.\d+\.\d+"'),
                         ("description", r"^description:\s*\S"),
                         ("license", r'^license:\s*"MIT"'),
                         ("targets", r"^targets:\s*\n(\s+-\s*esp32\w*\s*\n)+"),
                         ("dependencies.idf", r'^dependencies:\s*\n(\s+#.*\n)*\s+idf:\s*"[<>=]+\s*\d')):
        if not re.search(pattern, text, flags=re.M):
            fail("idf_component.yml: %s missing or malformed" % key)


def main():
    root = os.path.abspath(sys.argv[1])
    for port, globs in PORTS.items():
        check_port(root, port, globs)
    check_module_yml(root)
    check_idf_component_yml(root)
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("API tables, stubs and manifests: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
