#!/usr/bin/env python3
"""Worst-case stack of kgiot's public calls, from gcc's own numbers.

usage: stack_usage.py BUILD_DIR REPO_ROOT

Reads the -fcallgraph-info=su files (.ci: every function's frame size and
direct call edges) that the board build writes next to kgiot's objects, and
adds up frames along the deepest path from each public function (declared
in components/*/include/*.h).

What counts: kgiot's own frames only. Calls into mbedTLS and libc count as 0
bytes (their frames are excluded on purpose; the painted figures of the
test images include them). An indirect call is resolved by layer, the way
kgiot wires itself: kg_http's transport calls reach kg_tls's and kg_tcp's
transport functions, kg_tls's lower transport reaches kg_tcp's, kg_session's
store calls reach kg_store's callbacks, and kg_tls's calls into mbedTLS may
come back into kg_tls's bio/verify/entropy callbacks. Port callbacks (kg_tls's
configure hook and the verify callback it may chain included) and the
application's event callback are the integrator's: 0 here.
"""
import glob
import os
import re
import sys

NODE = re.compile(r'node: \{ title: "([^"]+)" label: "([^"]*)"')
FRAME = re.compile(r"\\n(\d+) bytes \((\w+(?:,\w+)?)\)")

# Indirect calls, by the text of the calling line: which kgiot functions they
# may reach. None: the integrator's callbacks (port, flash, events): 0 bytes.
# A transport operation reaches that operation of kg_tls and of kg_tcp (of
# kg_tcp only below kg_tls). Anything else (step tables, codecs, scan
# visitors) may reach any function of the caller's component whose address
# is taken.
OP = r"->(open|send|recv|close)\("
INDIRECT = [
    (re.compile(r"\bport->|\bp->|\bf->|\bfl->|on_event"), None),
    (re.compile(r"->hook_verify\(|->configure\("), None),  # kg_tls's configure hook: the port's
    (re.compile(r"\blower" + OP), ["tcp_{0}"]),
    (re.compile(r"(?:\btransport|\bt)" + OP), ["tls_{0}", "tcp_{0}"]),
    (re.compile(r"\bst->(load|save)\("), ["kg_store_{0}_tokens"]),
]
# kg_tls's callbacks that mbedTLS calls back during ssl_* calls.
MBEDTLS_CALLBACKS = ["bio_send", "bio_recv", "note_certificate", "entropy_from_port"]
EDGE = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"(?: label: "([^"]*)")?')


def short(title):
    """'path/file.c:name.isra.0' -> 'name' (static functions are file-qualified)."""
    return title.split(":")[-1].split(".")[0]


def component(path):
    m = re.search(r"components/(kg_\w+)/", path)
    return m.group(1) if m else "?"


def load(build):
    """Functions keyed by gcc's title (a static one is qualified by its file);
    an indirect call's edge is keyed by its call site instead of its target."""
    frames, comps, edges, kinds = {}, {}, {}, {}
    for ci in glob.glob(os.path.join(build, "CMakeFiles", "kg_*.dir", "**", "*.ci"), recursive=True):
        comp = component(ci)
        text = open(ci, encoding="utf-8").read()
        for title, label in NODE.findall(text):
            m = FRAME.search(label)
            if m:  # defined here (an ellipse node without size is only called)
                frames[title] = int(m.group(1))
                kinds[title] = m.group(2)
                comps[title] = comp
        for src, dst, site in EDGE.findall(text):
            edges.setdefault(src, set()).add("@" + site if dst == "__indirect_call" else dst)
    return frames, comps, edges, kinds


def source_line(site):
    path, line = site.split(":")[0], int(site.split(":")[1])
    with open(path, encoding="utf-8") as f:
        return f.readlines()[line - 1]


def address_taken(comp, frames, comps):
    """Functions of comp named somewhere in its sources other than in a call."""
    taken = []
    for t in frames:
        if comps[t] != comp:
            continue
        path = t.split(":")[0] if ":" in t else None
        name = short(t)
        for src in [path] if path else glob.glob(os.path.join(ROOT, "components", comp, "*.c")):
            if re.search(r"\b%s\b(?!\s*\()" % re.escape(name), open(src).read()):
                taken.append(t)
                break
    return taken


def named(names, frames, comps, comp=None):
    return [t for t in frames if short(t) in names and (comp is None or comps[t] == comp)]


def resolve(dst, caller_comp, frames, comps):
    """What a call edge from a function of caller_comp to dst may run of kgiot."""
    if dst.startswith("@"):
        text = source_line(dst[1:])
        for pattern, targets in INDIRECT:
            m = pattern.search(text)
            if m:
                return named([t.format(*m.groups()) for t in targets or []], frames, comps)
        return address_taken(caller_comp, frames, comps)
    if dst in frames:
        return [dst]
    if dst.startswith("mbedtls_") and caller_comp == "kg_tls":
        return named(MBEDTLS_CALLBACKS, frames, comps, "kg_tls")
    return []  # libc, or outside kgiot


def deepest(name, g, memo, stack):
    """(bytes, path) of the deepest chain from name; recursion is an error."""
    if name in memo:
        return memo[name]
    if name in stack:
        raise SystemExit("stack_usage: recursion through " + " -> ".join(map(short, stack + [name])))
    frames, comps, edges = g
    best = (0, [])
    for dst in edges.get(name, ()):
        for c in resolve(dst, comps[name], frames, comps):
            best = max(best, deepest(c, g, memo, stack + [name]), key=lambda x: x[0])
    memo[name] = (frames[name] + best[0], [name] + best[1])
    return memo[name]


def public_functions(root):
    names = set()
    for h in glob.glob(os.path.join(root, "components", "*", "include", "*.h")):
        names |= set(re.findall(r"^[a-z][\w \*]*?\b(kg_\w+)\(", open(h).read(), re.M))
    return names


ROOT = "."


def main():
    global ROOT
    build, root = sys.argv[1], sys.argv[2]
    ROOT = root
    frames, comps, edges, kinds = load(build)
    if not frames:
        raise SystemExit("stack_usage: no .ci files under " + build)
    unbounded = sorted(n for n, k in kinds.items() if k != "static")
    g, memo = (frames, comps, edges), {}
    rows = [(deepest(f, g, memo, [])[0], f) for f in public_functions(root) if f in frames]
    rows.sort(reverse=True)
    print("%-32s %6s" % ("public function", "bytes"))
    for depth, f in rows[:12]:
        print("%-32s %6d" % (f, depth))
    top = deepest(rows[0][1], g, memo, [])
    print("deepest path: " + " -> ".join("%s(%d)" % (short(n), frames[n]) for n in top[1]))
    print("frames not static (VLA/alloca): " + (", ".join(map(short, unbounded)) or "none"))


if __name__ == "__main__":
    main()
