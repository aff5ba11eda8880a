#!/usr/bin/env bash
# kgiot: fetch and unpack Debian trixie SOURCE packages into a build tree,
# without touching the system's apt configuration or state.
#
# usage: tests/deps/debian_source.sh SRCROOT PACKAGE...
#
# Result: SRCROOT/PACKAGE/<unpacked tree> for each package, and
#         SRCROOT/PACKAGE/.unpacked holding that tree's name; the tree is
#         printed, one line per package: "PACKAGE /abs/path/to/tree", with
#         " upstream-only" appended when the mirror lacked Debian's packaging
#         part (then the tree is the upstream tarball without Debian's patches).
# Packages already unpacked are not fetched again; the others share one
# 'apt-get update' (the index is ~22 MB, dropped after the fetch).
#
# Environment (optional):
#   MBEDTLS36_MIRROR            Debian mirror URI (default: the machine's own,
#                               from /etc/apt/sources.list{,.d/debian.sources})
#   MBEDTLS36_NO_DPKG_SOURCE=1  skip dpkg-source, unpack the tarballs by hand
set -euo pipefail
shopt -s nullglob

if [[ $# -lt 2 || -z $1 ]]; then
    echo "usage: $0 SRCROOT PACKAGE..." >&2
    exit 2
fi
mkdir -p "$1"
srcroot=$(cd "$1" && pwd)
shift
log=$srcroot/fetch.log

# Serialise concurrent runs on the same SRCROOT (parallel CI steps).
exec 8>"$srcroot/.lock"
flock 8

fail() {
    echo "debian_source: FAILED: $*" >&2
    echo "---- last lines of $log ----" >&2
    tail -n 40 "$log" >&2
    exit 1
}
run() {
    echo "+ $*" >>"$log"
    "$@" >>"$log" 2>&1 || fail "$*"
}

unpacked_tree() { # package -> path, or "" when not (completely) unpacked
    local m=$srcroot/$1/.unpacked
    [[ -f $m && -d $srcroot/$1/$(cat "$m") ]] && echo "$srcroot/$1/$(cat "$m")" || true
}

missing=()
for p in "$@"; do
    [[ -n $(unpacked_tree "$p") ]] || missing+=("$p")
done

debian_mirror() {
    local m=${MBEDTLS36_MIRROR:-}
    if [[ -z $m && -r /etc/apt/sources.list.d/debian.sources ]]; then
        m=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    fi
    if [[ -z $m && -r /etc/apt/sources.list ]]; then
        # one-line format: deb [opts] URI suite comp...
        m=$(awk '$1=="deb" { for (i=2;i<=NF;i++) if ($i ~ /^[a-z+]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)
    fi
    echo "${m:-http://deb.debian.org/debian}"
}

aptdir=$srcroot/apt
apt_opts=(
    -o "Dir::Etc::SourceList=$aptdir/src.sources"
    -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$aptdir/lists"
    -o "Dir::Cache=$aptdir/cache"
    -o Dir::Etc::Preferences=/dev/null
    -o Dir::Etc::PreferencesParts=/dev/null
)
# apt's download sandbox user (_apt) cannot write into a root-owned tree;
# as root, download directly instead of warning about it.
[[ $(id -u) -eq 0 ]] && apt_opts+=(-o APT::Sandbox::User=root)

apt_update() {
    rm -rf "$aptdir"
    mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
    printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$(debian_mirror)" >"$aptdir/src.sources"
    run apt-get -q "${apt_opts[@]}" update
}

# Unpack by hand what dpkg-source would: orig tarball, debian/ and its patches.
unpack_by_hand() { # dir package
    local dir=$1 pkg=$2 origs debtars d upver
    echo "+ apt-get --download-only source $pkg" >>"$log"
    (cd "$dir" && apt-get -q "${apt_opts[@]}" --download-only source "$pkg") >>"$log" 2>&1 ||
        echo "some files of $pkg could not be fetched" >>"$log"
    origs=("$dir"/"${pkg}"_*.orig.tar.*)
    [[ ${#origs[@]} -eq 1 ]] || fail "expected one orig tarball, got: ${origs[*]}"
    debtars=("$dir"/"${pkg}"_*.debian.tar.*)
    # A mirror may lack the .dsc/.debian parts. apt checked the orig tarball
    # against the signed Sources index as it downloaded it, so the upstream
    # code is still Debian's; say so, and go on without Debian's patches.
    if [[ ${#debtars[@]} -eq 0 ]]; then
        echo "debian_source: $pkg: Debian packaging unreachable, upstream tarball only" | tee -a "$log" >&2
        touch "$dir/.upstream-only"
    fi
    upver=$(basename "${origs[0]}")
    upver=${upver#"${pkg}"_}
    upver=${upver%.orig.tar.*}
    d=$dir/$pkg-$upver
    mkdir -p "$d"
    run tar -xf "${origs[0]}" -C "$d" --strip-components=1
    [[ ${#debtars[@]} -eq 1 ]] || return 0
    run tar -xf "${debtars[0]}" -C "$d"
    [[ -f $d/debian/patches/series ]] && command -v patch >/dev/null || return 0
    while read -r p _; do
        [[ -z $p || $p == \#* ]] && continue
        run patch -d "$d" -p1 --forward --batch -i "$d/debian/patches/$p"
    done <"$d/debian/patches/series"
}

fetch_one() { # package
    local pkg=$1 dir=$srcroot/$1 fetched=0 trees
    rm -rf "$dir"
    mkdir -p "$dir"
    if [[ ${MBEDTLS36_NO_DPKG_SOURCE:-0} != 1 ]] && command -v dpkg-source >/dev/null; then
        echo "+ apt-get source $pkg" >>"$log"
        if (cd "$dir" && apt-get -q "${apt_opts[@]}" source "$pkg") >>"$log" 2>&1; then
            fetched=1
        else
            echo "apt-get source (with unpack) failed; falling back to --download-only" >>"$log"
            rm -rf "$dir"
            mkdir -p "$dir"
        fi
    fi
    [[ $fetched -eq 1 ]] || unpack_by_hand "$dir" "$pkg"
    trees=("$dir"/"$pkg"-*/)
    [[ ${#trees[@]} -eq 1 ]] || fail "expected one unpacked tree in $dir, got: ${trees[*]}"
    basename "${trees[0]%/}" >"$dir/.unpacked"
}

if [[ ${#missing[@]} -gt 0 ]]; then
    : >"$log"
    for tool in apt-get tar flock; do
        command -v "$tool" >/dev/null || fail "required tool '$tool' not found"
    done
    apt_update
    for p in "${missing[@]}"; do
        fetch_one "$p"
    done
    rm -rf "$aptdir/lists" "$aptdir/cache"
fi

for p in "$@"; do
    note=
    [[ -f $srcroot/$p/.upstream-only ]] && note=" upstream-only"
    echo "$p $(unpacked_tree "$p")$note"
done
