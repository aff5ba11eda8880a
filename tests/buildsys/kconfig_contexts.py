"""The one Kconfig as each of the three builds reads it, with kconfiglib.

plain:  as components/kconfig.cmake runs genconfig (no Zephyr symbols, no
        ESP-IDF root);
idf:    as ESP-IDF's Kconfig tools run it: a stand-in of ESP-IDF's root
        Kconfig (ESP_IDF_ROOT) sources the component Kconfigs through the
        files named by COMPONENT_KCONFIGS_SOURCE_FILE and
        COMPONENT_KCONFIGS_PROJBUILD_SOURCE_FILE, with the environment
        ESP-IDF's config.env gives (idf_files(); check_kconfgen.py runs
        ESP-IDF's own kconfgen over the same files);
zephyr: as Zephyr sources a module's Kconfig (inside its tree, where
        ZEPHYR_<NAME>_MODULE is y) with the Zephyr symbols the port's options
        depend on stood in for.
ZEPHYR_ON: what a Zephyr application sets for kgiot to be on at all.
plain and zephyr are parsed with IDF_TARGET exported, as in the shell of an
ESP-IDF user: it must not switch the ESP-IDF port's options on there.
Debian's python3-kconfiglib is only visible to /usr/bin/python3.
"""
import json
import os
import re

import kconfiglib

ZEPHYR_ON = ("CONFIG_KGIOT=y", "CONFIG_MBEDTLS=y", "CONFIG_NET_SOCKETS=y")

# Zephyr symbols the root Kconfig's KGIOT and port/zephyr/Kconfig.port depend
# on, and what Zephyr generates for a module named "kgiot"
# (scripts/zephyr_module.py, kconfig_snippet).
ZEPHYR_PREAMBLE = """\
config ZEPHYR_KGIOT_MODULE
\tbool
\tdefault y
config MBEDTLS
\tbool "mbedtls"
config NET_SOCKETS
\tbool "sockets"
config SETTINGS
\tbool "settings"
config FLASH_MAP
\tbool "flash map"
config FLASH_PAGE_LAYOUT
\tbool "flash page layout"
"""

# ESP-IDF's root Kconfig ($IDF_PATH/Kconfig), the parts a component sees:
# the target, then Kconfig.projbuild files at the top level and component
# Kconfig files inside "Component config", each through a generated file of
# source lines (tools/kconfig_new/prepare_kconfig_files.py).
ESP_IDF_ROOT = """\
mainmenu "Espressif IoT Development Framework Configuration"

    config IDF_TARGET
        string
        default "$(IDF_TARGET)"

    # ESP-IDF 6's mbedTLS options kgiot's port selects, implies or depends
    # on (components/mbedtls/Kconfig; port/esp_idf/README.md).
    config MBEDTLS_MD5_C
        bool "MD5"
    config MBEDTLS_CLIENT_SSL_SESSION_TICKETS
        bool "client session tickets"
        default y
    config MBEDTLS_SSL_MAX_FRAGMENT_LENGTH
        bool "max fragment length extension"
        default y
    config MBEDTLS_CERTIFICATE_BUNDLE
        bool "certificate bundle"
        default y

    source "$COMPONENT_KCONFIGS_PROJBUILD_SOURCE_FILE"

    menu "Component config"
        source "$COMPONENT_KCONFIGS_SOURCE_FILE"
    endmenu
"""


def idf_files(work, kconfigs, projbuilds, name="idf"):
    """ESP-IDF's Kconfig inputs for a project whose components have the
    Kconfig files kconfigs and the Kconfig.projbuild files projbuilds:
    (root Kconfig, environment as config.env holds it)."""
    os.makedirs(work, exist_ok=True)
    paths = {k: os.path.join(work, "%s_%s" % (name, k)) for k in ("root.Kconfig", "kconfigs.in",
                                                                  "kconfigs_projbuild.in")}
    with open(paths["root.Kconfig"], "w") as f:
        f.write(ESP_IDF_ROOT)
    for key, files in (("kconfigs.in", kconfigs), ("kconfigs_projbuild.in", projbuilds)):
        with open(paths[key], "w") as f:
            f.write("\n".join('source "%s"' % os.path.abspath(p) for p in files))
    env = {
        "COMPONENT_KCONFIGS": ";".join(os.path.abspath(p) for p in kconfigs),
        "COMPONENT_KCONFIGS_PROJBUILD": ";".join(os.path.abspath(p) for p in projbuilds),
        "COMPONENT_KCONFIGS_SOURCE_FILE": paths["kconfigs.in"],
        "COMPONENT_KCONFIGS_PROJBUILD_SOURCE_FILE": paths["kconfigs_projbuild.in"],
        "IDF_TARGET": "esp32",
        "IDF_PATH": work,
    }
    return paths["root.Kconfig"], env


def _wrapper(root, context, work, extra):
    """A top-level Kconfig sourcing kgiot's (inside a menu, as Zephyr does)
    and then extra Kconfig files (an example's own options)."""
    text = ZEPHYR_PREAMBLE if context == "zephyr" else ""
    text += 'menu "kgiot"\nsource "%s/Kconfig"\nendmenu\n' % root
    text += "".join('source "%s"\n' % os.path.abspath(e) for e in extra)
    top = os.path.join(work, "%s_wrapper.Kconfig" % context)
    with open(top, "w") as f:
        f.write(text)
    return top


def _parse(top, env):
    """kconfiglib.Kconfig(top) with exactly env's ESP-IDF variables set."""
    keys = set(env) | {"IDF_TARGET", "COMPONENT_KCONFIGS_SOURCE_FILE"}
    saved = {k: os.environ.pop(k) for k in keys if k in os.environ}
    try:
        os.environ.update(env)
        return kconfiglib.Kconfig(top, warn_to_stderr=False)
    finally:
        for k in keys:
            os.environ.pop(k, None)
        os.environ.update(saved)


def load(root, context, work, config_lines=(), extra=()):
    """A Kconfig object for context, with config_lines (a .config fragment)
    applied over the defaults; extra: Kconfig files sourced after kgiot's
    (ESP-IDF: Kconfig.projbuild files)."""
    if context == "idf":
        top, env = idf_files(work, [os.path.join(root, "Kconfig")], extra)
    else:
        env = {"IDF_TARGET": "esp32"}  # exported in an ESP-IDF user's shell
        top = os.path.join(root, "Kconfig")
        if context == "zephyr" or extra:
            top = _wrapper(root, context, work, extra)
    kconf = _parse(top, env)
    if config_lines:
        frag = os.path.join(work, "%s.config" % context)
        with open(frag, "w") as f:
            f.write("\n".join(config_lines) + "\n")
        kconf.load_config(frag)
    return kconf


def header(kconf, path):
    """Write the C header genconfig would write; return {name: value}."""
    kconf.write_autoconf(path)
    return defines(path)


def defines(path):
    out = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"#define (CONFIG_\w+) (.*)$", line.rstrip("\n"))
            if m:
                out[m.group(1)] = m.group(2)
    return out


def write_env(env, path):
    with open(path, "w") as f:
        json.dump(env, f)
