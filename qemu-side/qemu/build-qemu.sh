#!/usr/bin/env bash
# build-qemu.sh - build QEMU with mcdshm (-mcd) for every architecture the
# seed serves, from Debian 12's qemu source package.
#
# Usage: build-qemu.sh MCDSHM_SRC OUTDIR LIB.a...
#   MCDSHM_SRC  the mcdshm source tree (for include/ and qemu-side/qemu/)
#   OUTDIR      where the binaries go (the CMake build dir's qemu/):
#               OUTDIR/qemu-system-{riscv64,aarch64,arm,i386,x86_64}
#   LIB.a       the mcdshm static libraries to link (stub, dispatch, core,
#               shm)
#
# The QEMU build lives in a cache outside the clone, so that every clone and
# CI run on the machine reuses it: $MCDSHM_QEMU_CACHE, else
# /var/cache/mcdshm when it is writable, else ${XDG_CACHE_HOME:-~/.cache}/
# mcdshm.  One directory per key, the hash of the source package (its .dsc),
# the configure options and this script's layout version.  Our patch is not
# in the key: when it changes, the source is unpacked and patched afresh
# beside the cached tree and only the files that differ are copied over, so
# ninja rebuilds what they touch instead of five targets from scratch.  A
# lock serialises the builds that share a directory.  Steps, each done once
# per key (step 2 again when the patch changes):
#   1. a deb-src entry for the archive apt already uses (as root, or with
#      sudo), then `apt-get source --download-only qemu` into CACHE/dl;
#   2. the source unpacked by dpkg-source (Debian's patches applied) and our
#      patch (mcdshm-qemu-7.2.patch) applied;
#   3. one configure for all targets, with Debian's firmware search path
#      (FIRMWAREPATH in the package's debian/rules) so that each machine's
#      default firmware and option ROMs come from Debian's packages
#      (qemu-system-data, seabios, ipxe-qemu);
#   then, every run: copy the glue (mcdshm-qemu.c), our headers and our
#   libraries in where they changed, run ninja, which rebuilds only what
#   changed, and copy the binaries to OUTDIR.  MCDSHM_QEMU_JOBS bounds the
#   parallel jobs (default 2).
set -euo pipefail

if [ $# -lt 3 ]; then
    sed -n '4,5p' "$0" | sed 's/^# //' >&2
    exit 2
fi
src=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
shift 2
libs_in=()
for l in "$@"; do
    [ -f "$l" ] || { echo "build-qemu: no library $l" >&2; exit 2; }
    libs_in+=("$(cd "$(dirname "$l")" && pwd)/$(basename "$l")")
done
here=$src/qemu-side/qemu
patch=$here/mcdshm-qemu-7.2.patch
glue=$here/mcdshm-qemu.c
jobs=${MCDSHM_QEMU_JOBS:-2}
# The architectures; the binaries are qemu-system-<arch>.
archs=(riscv64 aarch64 arm i386 x86_64)
layout=2   # bump when the cache directory's layout changes

if [ -n "${MCDSHM_QEMU_CACHE:-}" ]; then
    cache=$MCDSHM_QEMU_CACHE
elif mkdir -p /var/cache/mcdshm 2>/dev/null && [ -w /var/cache/mcdshm ]; then
    cache=/var/cache/mcdshm
else
    cache=${XDG_CACHE_HOME:-$HOME/.cache}/mcdshm
fi
mkdir -p "$cache"

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi

log() { echo "build-qemu: $*"; }

# 1. The Debian source package, fetched once per cache.
exec 8>"$cache/dl.lock"
flock 8
if [ ! -f "$cache/dl.stamp" ]; then
    if ! apt-cache showsrc qemu 2>/dev/null | grep -q '^Package: qemu'; then
        list=/etc/apt/sources.list.d/mcdshm-src.sources
        log "adding deb-src entries ($list)"
        tmp=$(mktemp)
        for f in /etc/apt/sources.list.d/*.sources; do
            [ -f "$f" ] && [ "$f" != "$list" ] || continue
            # deb822: the same stanzas with Types: deb-src.
            sed -n 's/^Types:.*/Types: deb-src/; /^#/d; p' "$f" >>"$tmp"
            echo >>"$tmp"
        done
        if [ ! -s "$tmp" ] && [ -f /etc/apt/sources.list ]; then
            list=/etc/apt/sources.list.d/mcdshm-src.list
            sed -n 's/^deb \(.*\)/deb-src \1/p' /etc/apt/sources.list >"$tmp"
        fi
        if [ ! -s "$tmp" ]; then
            echo "build-qemu: no apt sources to derive deb-src from" >&2
            exit 1
        fi
        $sudo install -m 0644 "$tmp" "$list"
        rm -f "$tmp"
        $sudo apt-get update -q
    fi
    rm -rf "$cache/dl"
    mkdir -p "$cache/dl"
    log "fetching Debian's qemu source package into $cache/dl"
    (cd "$cache/dl" && apt-get source -q --download-only qemu)
    touch "$cache/dl.stamp"
fi
flock -u 8
dsc=$(ls "$cache"/dl/qemu_7.2*.dsc 2>/dev/null | head -n 1)
if [ -z "$dsc" ]; then
    echo "build-qemu: no qemu_7.2*.dsc in $cache/dl (Debian 12 has 7.2;" \
         "this patch is for 7.2)" >&2
    rm -f "$cache/dl.stamp"
    exit 1
fi

# Debian's own firmware search path, from the package's debian/rules.
debtar=$(ls "${dsc%.dsc}".debian.tar.* | head -n 1)
fwpath=$(tar -xOf "$debtar" debian/rules |
         sed -n 's/^FIRMWAREPATH *= *//p' | head -n 1)
if [ -z "$fwpath" ]; then
    echo "build-qemu: no FIRMWAREPATH in $debtar's debian/rules" >&2
    exit 1
fi

targets=$(printf '%s-softmmu,' "${archs[@]}")
opts=(
    --target-list="${targets%,}" --disable-install-blobs
    --firmwarepath="$fwpath"
    --without-default-features --enable-tcg --enable-fdt=system
    --enable-slirp
    --disable-docs --disable-tools --disable-guest-agent --disable-werror
    --disable-user --disable-capstone --enable-debug-info
)
key=$( (echo "layout $layout"; cat "$dsc"; echo "${opts[*]}") |
      sha256sum | cut -c1-16)
dir=$cache/qemu-$key
mkdir -p "$dir"
exec 9>"$dir/lock"
if ! flock -n 9; then
    log "waiting for another build of $dir"
    flock 9
fi

# 2. Unpacked and patched once per key; when the patch changes, unpacked
# and patched again beside the tree, and only the files that differ are
# copied over.
sum=$(sha256sum "$patch" | cut -d' ' -f1)
if [ "$(cat "$dir/src.stamp" 2>/dev/null)" != "$sum" ]; then
    log "unpacking $(basename "$dsc") and applying our patch into $dir"
    rm -rf "$dir/src.new"
    dpkg-source -q --no-check -x "$dsc" "$dir/src.new" >/dev/null
    rm -f "$dir"/qemu_*.orig.tar.* # dpkg-source's copy of the tarball
    patch -s -d "$dir/src.new" -p1 <"$patch"
    if [ -d "$dir/src" ] && [ -f "$dir/src.stamp" ]; then
        (cd "$dir/src.new" && find . -type f) | while read -r f; do
            if ! cmp -s "$dir/src.new/$f" "$dir/src/$f"; then
                mkdir -p "$(dirname "$dir/src/$f")"
                cp "$dir/src.new/$f" "$dir/src/$f"
            fi
        done
        rm -rf "$dir/src.new"
    else
        rm -rf "$dir/src" "$dir/build" "$dir/configure.stamp"
        mv "$dir/src.new" "$dir/src"
    fi
    echo "$sum" >"$dir/src.stamp"
fi

# Our inputs, copied only when they changed, so that ninja sees the right
# mtimes and rebuilds only what they touch: the glue, the headers, the
# libraries (at fixed paths, so the configure options do not depend on the
# clone).
copyin() {
    if ! cmp -s "$1" "$2"; then
        mkdir -p "$(dirname "$2")"
        cp "$1" "$2"
        return 0
    fi
    return 1
}
copyin "$glue" "$dir/src/softmmu/mcdshm.c" || true
(cd "$src/include" && find . -name '*.h') | while read -r h; do
    copyin "$src/include/$h" "$dir/mcdshm/include/$h" || true
done
relink=0
libs=""
for l in "${libs_in[@]}"; do
    if copyin "$l" "$dir/lib/$(basename "$l")"; then
        relink=1
    fi
    libs="$libs${libs:+,}$dir/lib/$(basename "$l")"
done

# 3. Configured once per key.
if [ ! -f "$dir/configure.stamp" ]; then
    log "configuring (${targets%,}; firmware path $fwpath)"
    rm -rf "$dir/build"
    mkdir -p "$dir/build"
    (cd "$dir/build" &&
         ../src/configure "${opts[@]}" --mcdshm="$dir/mcdshm" \
             --mcdshm-libs="$libs" >configure.log 2>&1) || {
        tail -n 40 "$dir/build/configure.log" >&2
        exit 1
    }
    touch "$dir/configure.stamp"
fi

# The libraries are link arguments, which ninja does not track: relink when
# one changed.
bins=()
for a in "${archs[@]}"; do
    bins+=("qemu-system-$a")
    if [ "$relink" = 1 ]; then
        rm -f "$dir/build/qemu-system-$a"
    fi
done

# One binary after the other, in the order of archs: the first brings the
# common code, and each binary is usable as soon as it is linked.  Copies,
# not links, go to OUTDIR: another clone's build may relink the cached ones.
for b in "${bins[@]}"; do
    log "building $b in $dir/build (ninja -j$jobs)"
    start=$(date +%s)
    ninja -C "$dir/build" -j"$jobs" "$b" >"$dir/ninja.log" 2>&1 || {
        grep -B2 -A12 -m5 'error\|FAILED' "$dir/ninja.log" >&2 ||
            tail -n 40 "$dir/ninja.log" >&2
        exit 1
    }
    log "$b: ninja took $(($(date +%s) - start)) s"
    if ! cmp -s "$dir/build/$b" "$out/$b"; then
        cp "$dir/build/$b" "$out/$b.new"
        mv -f "$out/$b.new" "$out/$b"
    fi
done
log "done: $out/qemu-system-{$(IFS=,; echo "${archs[*]}")}"
