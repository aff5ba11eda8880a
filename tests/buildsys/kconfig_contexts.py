"""The one Kconfig as each of the three builds reads it, with kconfiglib.

plain:  as components/kconfig.cmake runs genconfig (no IDF_TARGET in the
        environment, no Zephyr symbols);
idf:    as ESP-IDF's Kconfig tool runs it (IDF_TARGET in the environment,
        as ESP-IDF's config.env gives it);
zephyr: as Zephyr sources a module's Kconfig (inside its tree, where
        ZEPHYR_<NAME>_MODULE is y) with the Zephyr symbols the port's options
        depend on stood in for.
Debian's python3-kconfiglib is only visible to /usr/bin/python3.
"""
import os
import re

import kconfiglib

# Zephyr symbols port/zephyr/Kconfig depends on, and what Zephyr generates
# for a module named "kgiot" (scripts/zephyr_module.py, kconfig_snippet).
ZEPHYR_PREAMBLE = """\
config ZEPHYR_KGIOT_MODULE
\tbool
\tdefault y
config SETTINGS
\tbool "settings"
config FLASH_MAP
\tbool "flash map"
config FLASH_PAGE_LAYOUT
\tbool "flash page layout"
"""


def _wrapper(root, context, work, extra):
    """A top-level Kconfig sourcing kgiot's (inside a menu, as Zephyr and
    ESP-IDF do) and then extra Kconfig files (an example's own options)."""
    text = ZEPHYR_PREAMBLE if context == "zephyr" else ""
    text += 'menu "kgiot"\nsource "%s/Kconfig"\nendmenu\n' % root
    text += "".join('source "%s"\n' % os.path.abspath(e) for e in extra)
    top = os.path.join(work, "%s_wrapper.Kconfig" % context)
    with open(top, "w") as f:
        f.write(text)
    return top


def load(root, context, work, config_lines=(), extra=()):
    """A Kconfig object for context, with config_lines (a .config fragment)
    applied over the defaults; extra: Kconfig files sourced after kgiot's."""
    env_target = os.environ.pop("IDF_TARGET", None)
    try:
        if context == "idf":
            os.environ["IDF_TARGET"] = "esp32"
        top = os.path.join(root, "Kconfig")
        if context == "zephyr" or extra:
            top = _wrapper(root, context, work, extra)
        kconf = kconfiglib.Kconfig(top, warn_to_stderr=False)
    finally:
        os.environ.pop("IDF_TARGET", None)
        if env_target is not None:
            os.environ["IDF_TARGET"] = env_target
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
