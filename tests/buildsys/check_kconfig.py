#!/usr/bin/python3
"""Kconfig checks, run by ctest (tests/buildsys/buildsys.cmake):

1. The Kconfig parses with kconfiglib (a real Kconfig parser; ESP-IDF's and
   Zephyr's tools are built on it) in all three builds' contexts, with no
   warning at all: a syntax error or a warning fails.
2. Every option a user can see (has a prompt) has help text.
3. One set of names: the plain build's CONFIG_KGIOT_* names (and values) are
   exactly those of ESP-IDF and Zephyr, which only add their port's own
   options (CONFIG_KGIOT_ESP_*, CONFIG_KGIOT_ZEPHYR_*) and CONFIG_KGIOT_QR;
   and the plain build's real kg_config.h has exactly the plain names.
4. On Zephyr, CONFIG_KGIOT=y without mbedTLS or sockets is refused in
   Kconfig: KGIOT comes out n with the unsatisfied dependency named, which
   Zephyr's kconfig.py reports as an error (assigned y, got n).
5. IDF_TARGET exported in the shell (as ESP-IDF users do) switches no
   ESP-IDF option on in the plain and Zephyr contexts (kconfig_contexts.py
   parses them so).

usage: check_kconfig.py ROOT WORKDIR PLAIN_KG_CONFIG_H
"""
import os
import sys

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kconfiglib  # noqa: E402
import kconfig_contexts as kc  # noqa: E402

PORT_ONLY = {
    "idf": ("CONFIG_KGIOT_ESP_", "CONFIG_KGIOT_QR"),
    "zephyr": ("CONFIG_KGIOT_ZEPHYR_", "CONFIG_KGIOT_QR"),
}
# What a Zephyr application sets in prj.conf: the module is off by default there.
CONTEXT_CONFIG = {"plain": (), "idf": (), "zephyr": kc.ZEPHYR_ON}

failures = []
reported_help = set()  # (file, line): one report per option, not one per context


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


# The project's own Kconfig files; a build tree inside the repository (with
# the test's generated wrapper files) is not the project's.
OWN_TOP = ("Kconfig", "components", "port", "boards")


def own_nodes(kconf, root):
    for node in kconf.node_iter():
        if not node.filename:
            continue
        rel = os.path.relpath(os.path.abspath(os.path.join(kconf.srctree, node.filename)), root)
        if rel.split(os.sep)[0] in OWN_TOP:
            yield node


def check_help(kconf, root, context):
    for node in own_nodes(kconf, root):
        item = node.item
        if not isinstance(item, (kconfiglib.Symbol, kconfiglib.Choice)) or not node.prompt:
            continue
        where = (os.path.abspath(os.path.join(kconf.srctree, node.filename)), node.linenr)
        if not node.help and where not in reported_help:
            reported_help.add(where)
            fail("%s: %s:%d: %s has a prompt but no help text"
                 % (context, node.filename, node.linenr, getattr(item, "name", None) or "choice"))


def kgiot_names(values):
    return {k: v for k, v in values.items() if k == "CONFIG_KGIOT" or k.startswith("CONFIG_KGIOT_")}


def check_names(headers, plain_real):
    plain = headers["plain"]
    for context in ("plain", "zephyr"):
        leaked = sorted(n for n in headers[context] if n.startswith("CONFIG_KGIOT_ESP_"))
        if leaked:
            fail("%s, IDF_TARGET exported: ESP-IDF options switched on: %s" % (context, leaked))
    for context in ("idf", "zephyr"):
        other = headers[context]
        for name, value in plain.items():
            if name not in other:
                fail("%s lacks %s, which the plain build has" % (context, name))
            elif other[name] != value:
                fail("%s: %s = %s, plain build: %s" % (context, name, other[name], value))
        for name in sorted(set(other) - set(plain)):
            if not name.startswith(PORT_ONLY[context]):
                fail("%s adds %s, which is not one of its port's own options" % (context, name))
        print("%s: %d names, %d of them its port's own"
              % (context, len(other), len(set(other) - set(plain))))
    real = kgiot_names(kc.defines(plain_real))
    if set(real) != set(plain):
        fail("the plain build's kg_config.h differs from genconfig's: only there %s; only here %s"
             % (sorted(set(real) - set(plain)), sorted(set(plain) - set(real))))
    print("plain: %d names, kg_config.h agrees" % len(plain))


def check_zephyr_needs(root, work):
    """What Zephyr's kconfig.py does with an assignment that did not take
    (check_assigned_sym_values): here it must be KGIOT's, naming the need."""
    for missing in ("CONFIG_MBEDTLS=y", "CONFIG_NET_SOCKETS=y"):
        lines = [ln for ln in kc.ZEPHYR_ON if ln != missing]
        kconf = kc.load(root, "zephyr", work, lines)
        sym = kconf.syms["KGIOT"]
        dep = kconfiglib.expr_str(sym.direct_dep)
        need = missing.split("=")[0][len("CONFIG_"):]
        if sym.user_value != 2 or sym.tri_value != 0 or need not in dep:
            fail("zephyr without %s: CONFIG_KGIOT=y gives %s (depends on %s)"
                 % (need, sym.str_value, dep))
        else:
            print("zephyr without %s: CONFIG_KGIOT=y refused, depends on %s" % (need, dep))


def main():
    root, work, plain_real = (os.path.abspath(a) for a in sys.argv[1:4])
    os.makedirs(work, exist_ok=True)
    headers = {}
    for context in ("plain", "idf", "zephyr"):
        try:
            kconf = kc.load(root, context, work, CONTEXT_CONFIG[context])
        except kconfiglib.KconfigError as e:
            fail("%s: Kconfig does not parse: %s" % (context, e))
            continue
        for w in kconf.warnings:
            fail("%s: kconfiglib warning: %s" % (context, w))
        check_help(kconf, root, context)
        headers[context] = kgiot_names(kc.header(kconf, os.path.join(work, context + ".h")))
    if len(headers) == 3:
        check_names(headers, plain_real)
    check_zephyr_needs(root, work)
    if failures:
        print("%d Kconfig check(s) failed" % len(failures))
        return 1
    print("Kconfig: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
