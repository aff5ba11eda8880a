#!/usr/bin/python3
"""ESP-IDF's own Kconfig tools over kgiot's Kconfig, run by ctest
(tests/buildsys/buildsys.cmake), from an esp-idf-kconfig checkout (the v3
series ESP-IDF 6 uses) with Debian's python3-rich and python3-pyparsing.

1. kconfgen, run as ESP-IDF's build runs it (tools/cmake/kconfig.cmake:
   --kconfig <IDF root Kconfig> --env-file config.env --defaults ...
   --output header/cmake/config), in two contexts, with both of its parsers
   (KCONFIG_PARSER_VERSION 1 and 2):
     component: kgiot's Kconfig as a component's, nothing set;
     example:   boards/esp32 as ESP-IDF builds it: its components/kgiot
                wrapper Kconfig, main/Kconfig.projbuild, sdkconfig.defaults.
   It must finish successfully without a warning (but for the ESP-IDF
   options the example's sdkconfig.defaults sets, absent here), and its
   sdkconfig.h must hold the plain build's CONFIG_KGIOT_* names with the
   same values (kg_config.h, from kconfiglib's genconfig), plus only the
   port's own (CONFIG_KGIOT_ESP_*, CONFIG_KGIOT_QR, the example's
   CONFIG_KGIOT_EXAMPLE_*), and agree with kconfiglib's reading of the same
   files (kconfig_contexts.py, which the other buildsys checks use); and
   the mbedTLS options the port selects (MD5) and implies (session
   tickets) are on.
2. kconfcheck (ESP-IDF's Kconfig style checker) over every Kconfig file
   ESP-IDF reads, on copies (it writes suggestions beside its input), run
   until it has nothing left to fix so that no report hides another. Every
   report fails except the exemptions in EXEMPT, each with its reason.

usage: check_kconfgen.py ROOT WORKDIR ESP_IDF_KCONFIG_DIR PLAIN_KG_CONFIG_H
"""
import os
import re
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kconfig_contexts as kc  # noqa: E402

PYTHON = "/usr/bin/python3"  # Debian's, which sees python3-rich and python3-pyparsing

# (context, component Kconfigs, Kconfig.projbuild files, sdkconfig.defaults,
#  port-only name prefixes)
CONTEXTS = [
    ("component", ["Kconfig"], [], [], ("CONFIG_KGIOT_ESP_", "CONFIG_KGIOT_QR")),
    ("example", ["boards/esp32/components/kgiot/Kconfig"], ["boards/esp32/main/Kconfig.projbuild"],
     ["boards/esp32/sdkconfig.defaults"],
     ("CONFIG_KGIOT_ESP_", "CONFIG_KGIOT_QR", "CONFIG_KGIOT_EXAMPLE_")),
]
# What the example's sdkconfig.defaults sets for kgiot, as it must come out.
EXAMPLE_VALUES = {"CONFIG_KGIOT_ESP_STORE_NVS": "1"}

# kconfcheck over the Kconfig files ESP-IDF reads: file -> {rule: reason}.
SHARED = ("shared with Zephyr and the plain build, it keeps the Zephyr/Linux Kconfig "
          "style (tabs, help indented by a tab and two spaces); every parser reads "
          "either style, and the other rules hold")
EXEMPT = {
    "Kconfig": {"indent": SHARED, "tabs": SHARED},
    "port/zephyr/Kconfig.port": {"indent": SHARED, "tabs": SHARED},
    "port/esp_idf/Kconfig.port": {},
    "boards/esp32/main/Kconfig.projbuild": {},
    "boards/esp32/components/kgiot/Kconfig": {
        "source-name": "the example's wrapper component sources the repository's component "
                       "Kconfig, whose name ESP-IDF fixes as Kconfig"},
}
RULES = [("indent", "Indentation consists of"), ("tabs", "tabulators should be replaced"),
         ("source-name", "only filenames starting with Kconfig.* can be sourced")]

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def kgiot_names(values):
    return {k: v for k, v in values.items() if k == "CONFIG_KGIOT" or k.startswith("CONFIG_KGIOT_")}


def cmake_values(path):
    out = {}
    with open(path) as f:
        for m in re.finditer(r'^set\((CONFIG_\w+) "(.*)"\)$', f.read(), flags=re.M):
            out[m.group(1)] = m.group(2)
    return out


def run_kconfgen(root, work, tools, context, parser):
    name, kconfigs, projbuilds, defaults, _ = context
    tag = "%s-v%d" % (name, parser)
    top, env = kc.idf_files(work, [os.path.join(root, k) for k in kconfigs],
                            [os.path.join(root, p) for p in projbuilds], tag)
    env_file = os.path.join(work, tag + "_config.env")
    kc.write_env(env, env_file)
    out = {k: os.path.join(work, "%s_%s" % (tag, k)) for k in ("sdkconfig.h", "sdkconfig.cmake",
                                                               "sdkconfig")}
    cmd = [PYTHON, "-m", "kconfgen", "--list-separator=semicolon", "--kconfig", top,
           "--config", out["sdkconfig"], "--env-file", env_file]
    for d in defaults:
        cmd += ["--defaults", os.path.join(root, d)]
    cmd += ["--output", "header", out["sdkconfig.h"], "--output", "cmake", out["sdkconfig.cmake"],
            "--output", "config", out["sdkconfig"]]
    if os.path.exists(out["sdkconfig"]):
        os.remove(out["sdkconfig"])  # a fresh project each time
    run_env = dict(os.environ, PYTHONPATH=tools, KCONFIG_PARSER_VERSION=str(parser))
    r = subprocess.run(cmd, capture_output=True, text=True, env=run_env)
    text = r.stdout + r.stderr
    if r.returncode != 0 or "Finished successfully" not in text:
        fail("kconfgen %s: exit %d\n%s" % (tag, r.returncode, text))
        return None
    for line in text.splitlines():
        m = re.search(r"unknown kconfig symbol '(\w+)'", line)
        if m and not m.group(1).startswith("KGIOT"):
            continue  # an ESP-IDF option of the example's sdkconfig.defaults: no ESP-IDF here
        if "warning" in line.lower():
            fail("kconfgen %s: %s" % (tag, line))
    return out, kconfigs, projbuilds


def check_kconfgen(root, work, tools, plain):
    for context in CONTEXTS:
        name, _, _, _, port_only = context
        for parser in (1, 2):
            res = run_kconfgen(root, work, tools, context, parser)
            if res is None:
                continue
            out, kconfigs, projbuilds = res
            tag = "%s-v%d" % (name, parser)
            got = kgiot_names(kc.defines(out["sdkconfig.h"]))
            for n, v in plain.items():
                if got.get(n) != v:
                    fail("kconfgen %s: %s = %s, plain build: %s" % (tag, n, got.get(n), v))
            extra = sorted(n for n in set(got) - set(plain) if not n.startswith(port_only))
            if extra:
                fail("kconfgen %s adds %s, not its port's own" % (tag, extra))
            if name == "example":
                for n, v in EXAMPLE_VALUES.items():
                    if got.get(n) != v:
                        fail("kconfgen %s: sdkconfig.defaults did not take: %s = %s" % (tag, n, got.get(n)))
            # The port selects MD5 and implies session tickets (Kconfig.port).
            every = kc.defines(out["sdkconfig.h"])
            for n in ("CONFIG_MBEDTLS_MD5_C", "CONFIG_MBEDTLS_CLIENT_SSL_SESSION_TICKETS"):
                if every.get(n) != "1":
                    fail("kconfgen %s: %s is not on" % (tag, n))
            # The CMake side reads CONFIG_KGIOT and CONFIG_KGIOT_QR (kgiot_idf.cmake).
            if cmake_values(out["sdkconfig.cmake"]).get("CONFIG_KGIOT") != "y":
                fail("kconfgen %s: sdkconfig.cmake lacks CONFIG_KGIOT y" % tag)
            # kconfiglib (what the other checks use) reads the same files the same way.
            lines = open(os.path.join(root, CONTEXTS[1][3][0])).read().splitlines() if name == "example" else ()
            kconf = kc.load(root, "idf", os.path.join(work, "kconfiglib-" + tag), lines,
                            [os.path.join(root, p) for p in projbuilds])
            mine = kgiot_names(kc.header(kconf, os.path.join(work, tag + "_kconfiglib.h")))
            if mine != got:
                diff = sorted(set(mine.items()) ^ set(got.items()))
                fail("kconfgen %s and kconfiglib disagree: %s" % (tag, diff))
            print("kconfgen %s: %d CONFIG_KGIOT names, %d of them the port's or example's own"
                  % (tag, len(got), len(set(got) - set(plain))))


def kconfcheck_reports(tools, copy):
    """Every report kconfcheck makes on copy, fixing as it goes."""
    reports = []
    env = dict(os.environ, PYTHONPATH=tools)
    for _ in range(8):
        r = subprocess.run([PYTHON, "-m", "kconfcheck", "--replace", copy], capture_output=True,
                           text=True, env=env, cwd=os.path.dirname(copy))
        found = [ln for ln in r.stderr.splitlines() if ln.startswith(copy + ":")]
        reports += found
        if r.returncode == 0 and not found:
            return reports
    reports.append("%s: kconfcheck still failing after 8 passes" % copy)
    return reports


def rule_of(message):
    for rule, text in RULES:
        if text in message:
            return rule
    return None


def check_style(root, work, tools):
    for rel, exempt in EXEMPT.items():
        copy_dir = os.path.join(work, "kconfcheck", os.path.dirname(rel))
        os.makedirs(copy_dir, exist_ok=True)
        copy = os.path.join(copy_dir, os.path.basename(rel))
        shutil.copyfile(os.path.join(root, rel), copy)
        seen = set()
        for report in kconfcheck_reports(tools, copy):
            where, _, message = report.partition(": ")
            for part in message.split("; "):
                rule = rule_of(part)
                if rule in exempt:
                    seen.add(rule)
                else:
                    fail("kconfcheck %s%s: %s" % (rel, where[len(copy):], part))
        for rule in sorted(seen):
            print("kconfcheck %s: rule '%s' not applied: %s" % (rel, rule, exempt[rule]))
        print("kconfcheck %s: %s" % (rel, "ok" if not seen else "ok but for the above"))


def main():
    root, work, tools, plain_real = (os.path.abspath(a) for a in sys.argv[1:5])
    if not os.path.isdir(os.path.join(tools, "kconfgen")):
        print("FAIL: no esp-idf-kconfig at %s (set KGIOT_ESP_IDF_KCONFIG_DIR)" % tools)
        return 1
    os.makedirs(work, exist_ok=True)
    check_kconfgen(root, work, tools, kgiot_names(kc.defines(plain_real)))
    check_style(root, work, tools)
    if failures:
        print("%d ESP-IDF Kconfig tool check(s) failed" % len(failures))
        return 1
    print("ESP-IDF kconfgen and kconfcheck: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
