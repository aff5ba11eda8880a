#!/usr/bin/python3
"""The Zephyr sample's configuration on Zephyr 3.7 LTS and 4.x, without
Zephyr; run by ctest (tests/buildsys/buildsys.cmake).

1. prj.conf and boards/*.conf set only mbedTLS options whose names are the
   same in both releases; mbedtls-3.7.conf and mbedtls-4.x.conf set only their
   release's names, and each sets its release's MD5 and entropy options. The
   names per release are those read upstream (port/zephyr/README.md says
   where): RELEASE_NAMES below.
2. mbedtls_conf.cmake picks mbedtls-4.x.conf for a tree with
   modules/mbedtls/Kconfig.crypto, mbedtls-3.7.conf for one without, refuses
   a tree on TF-PSA-Crypto and a missing tree with a message, and takes
   KGIOT_SAMPLE_MBEDTLS_CONF over all of them (stand-in trees, cmake -P).
3. zephyr/module.yml's samples each have the sample.yaml twister needs:
   build-only on native_sim, with the placeholder CA the CMakeLists.txt
   accepts.

usage: check_zephyr_sample.py ROOT WORKDIR CMAKE
"""
import glob
import os
import re
import subprocess
import sys

import yaml

# mbedTLS options named the same in both releases (the module, TLS 1.2, SNI,
# PEM, elliptic curves, GCM, AES, CTR_DRBG).
COMMON = {"MBEDTLS", "MBEDTLS_BUILTIN", "MBEDTLS_ENABLE_HEAP", "MBEDTLS_HEAP_SIZE",
          "MBEDTLS_TLS_VERSION_1_2", "MBEDTLS_SERVER_NAME_INDICATION",
          "MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED", "MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED",
          "MBEDTLS_PEM_CERTIFICATE_FORMAT", "MBEDTLS_ECP_C", "MBEDTLS_ECDH_C", "MBEDTLS_ECDSA_C",
          "MBEDTLS_ECP_DP_SECP256R1_ENABLED", "MBEDTLS_ECP_DP_SECP384R1_ENABLED",
          "MBEDTLS_CIPHER_GCM_ENABLED", "MBEDTLS_CTR_DRBG_ENABLED", "MBEDTLS_CIPHER_AES_ENABLED"}
# Where the releases differ: (MD5, entropy) and the options only one has.
RELEASE_NAMES = {
    "mbedtls-3.7.conf": {"md5": "MBEDTLS_MAC_MD5_ENABLED", "entropy": "MBEDTLS_ENTROPY_ENABLED",
                         "own": set()},
    "mbedtls-4.x.conf": {"md5": "MBEDTLS_MD5", "entropy": "MBEDTLS_ENTROPY_C",
                         "own": {"MBEDTLS_RSA_C", "MBEDTLS_PKCS1_V15"}},
}

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def assigned(path):
    names = re.findall(r"^CONFIG_(\w+)=", open(path).read(), flags=re.M)
    return {n for n in names if n.startswith("MBEDTLS")}


def check_fragments(sample):
    prj = open(os.path.join(sample, "prj.conf")).read()
    for need in ("CONFIG_KGIOT=y", "CONFIG_MBEDTLS=y", "CONFIG_NET_SOCKETS=y"):
        if not re.search("^%s$" % need, prj, flags=re.M):
            fail("prj.conf lacks %s (the root Kconfig's KGIOT depends on it)" % need)
    for conf in [os.path.join(sample, "prj.conf")] + glob.glob(os.path.join(sample, "boards", "*.conf")):
        other = assigned(conf) - COMMON
        if other:
            fail("%s sets mbedTLS options named differently across releases: %s"
                 % (os.path.relpath(conf, sample), sorted(other)))
    for name, rel in RELEASE_NAMES.items():
        names = assigned(os.path.join(sample, name))
        allowed = COMMON | {rel["md5"], rel["entropy"]} | rel["own"]
        for need in (rel["md5"], rel["entropy"]):
            if need not in names:
                fail("%s does not set %s" % (name, need))
        if names - allowed:
            fail("%s sets options of another release: %s" % (name, sorted(names - allowed)))
        print("%s: %d mbedTLS options, all under its release's names" % (name, len(names)))


def choose(root, work, cmake, tree_files, override=None):
    """The fragment mbedtls_conf.cmake picks for a stand-in tree holding
    tree_files under modules/mbedtls (None: no tree); (rc, pick, output)."""
    args = [cmake, "-DKGIOT_ROOT=" + root, "-DRESULT=" + os.path.join(work, "pick")]
    if tree_files is not None:
        tree = os.path.join(work, "zephyr-" + "-".join(tree_files))
        os.makedirs(os.path.join(tree, "modules", "mbedtls"), exist_ok=True)
        for f in tree_files:
            open(os.path.join(tree, "modules", "mbedtls", f), "w").close()
        args.append("-DZEPHYR_BASE=" + tree)
    if override:
        args.append("-DKGIOT_SAMPLE_MBEDTLS_CONF=" + override)
    if os.path.exists(os.path.join(work, "pick")):
        os.remove(os.path.join(work, "pick"))
    env = {k: v for k, v in os.environ.items() if k != "ZEPHYR_BASE"}
    r = subprocess.run(args + ["-P", os.path.join(root, "tests", "buildsys", "cmake",
                                                   "zephyr_mbedtls_conf.cmake")],
                       capture_output=True, text=True, env=env)
    pick = open(os.path.join(work, "pick")).read() if r.returncode == 0 else None
    return r.returncode, pick and os.path.basename(pick), r.stdout + r.stderr


def check_choice(root, work, cmake):
    cases = [(["Kconfig", "Kconfig.tls-generic"], None, "mbedtls-3.7.conf"),
             (["Kconfig", "Kconfig.tls-generic", "Kconfig.crypto"], None, "mbedtls-4.x.conf"),
             (["Kconfig", "Kconfig.tf-psa-crypto"], None, "refused"),
             (None, None, "refused"),
             (None, "/my/mbedtls.conf", "mbedtls.conf")]
    for files, override, want in cases:
        rc, pick, out = choose(root, work, cmake, files, override)
        got = pick if rc == 0 else ("refused" if "kgiot sample:" in out else "error: " + out)
        label = "%s%s" % ("no tree" if files is None else "+".join(files),
                          ", override" if override else "")
        if got != want:
            fail("mbedtls_conf.cmake, %s: %s, expected %s" % (label, got, want))
        else:
            print("mbedtls_conf.cmake, %s: %s" % (label, got))


def check_twister(root):
    module = open(os.path.join(root, "zephyr", "module.yml")).read()
    samples = yaml.safe_load(module).get("samples", [])
    for sample in samples:
        path = os.path.join(root, sample, "sample.yaml")
        if not os.path.isfile(path):
            fail("zephyr/module.yml sample %s has no sample.yaml" % sample)
            continue
        doc = yaml.safe_load(open(path))
        common = doc.get("common", {})
        tests = doc.get("tests") or {}
        if not doc.get("sample", {}).get("name") or not tests:
            fail("%s: needs sample.name and tests" % path)
        for name, test in tests.items():
            scenario = dict(common, **(test or {}))
            if scenario.get("build_only") is not True or "native_sim" not in scenario.get(
                    "platform_allow", []) or "native_sim" not in scenario.get("integration_platforms", []):
                fail("%s: %s is not build-only on native_sim" % (path, name))
            if "KGIOT_SAMPLE_CA_PLACEHOLDER=ON" not in scenario.get("extra_args", []):
                fail("%s: %s builds without the placeholder CA (src/ca.pem is the user's)" % (path, name))
            cmakelists = open(os.path.join(root, sample, "CMakeLists.txt")).read()
            if "KGIOT_SAMPLE_CA_PLACEHOLDER" not in cmakelists:
                fail("%s: CMakeLists.txt does not know KGIOT_SAMPLE_CA_PLACEHOLDER" % sample)
            print("twister: %s in %s, build-only on native_sim" % (name, sample))


def main():
    root, work, cmake = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3]
    os.makedirs(work, exist_ok=True)
    check_fragments(os.path.join(root, "boards", "zephyr"))
    check_choice(root, work, cmake)
    check_twister(root)
    if failures:
        print("%d Zephyr sample check(s) failed" % len(failures))
        return 1
    print("Zephyr sample configuration: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
