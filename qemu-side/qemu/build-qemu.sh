#!/usr/bin/env bash
# build-qemu.sh - build qemu-system-riscv64 with mcdshm from Debian 12's
# qemu source package.
#
# Usage: build-qemu.sh MCDSHM_SRC OUTDIR LIB.a...
#   MCDSHM_SRC  the mcdshm source tree (for include/ and qemu-side/qemu/)
#   OUTDIR      work directory, kept between runs (the CMake build dir's
#               qemu/); the result is OUTDIR/qemu-system-riscv64
#   LIB.a       the mcdshm static libraries to link (stub, dispatch, core,
#               shm)
#
# Steps, each done once and remembered by a stamp file in OUTDIR:
#   1. a deb-src entry for the archive apt already uses (as root, or with
#      sudo), then `apt-get source --download-only qemu` into OUTDIR/debsrc;
#   2. the source unpacked by dpkg-source (Debian's patches applied) into
#      OUTDIR/src, then our patch (mcdshm-qemu-7.2.patch); a changed patch
#      unpacks afresh;
#   3. configure for riscv64-softmmu with --disable-install-blobs and
#      nothing we do not need;
#   then, every run: copy the glue (mcdshm-qemu.c) in if it changed and run
#   ninja, which rebuilds only what changed.  Set MCDSHM_QEMU_JOBS to bound
#   the parallel jobs (default 2).
set -euo pipefail

if [ $# -lt 3 ]; then
    sed -n '4,5p' "$0" | sed 's/^# //' >&2
    exit 2
fi
src=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
shift 2
# Absolute paths: QEMU links from its own build directory.
abs=()
for l in "$@"; do
    [ -f "$l" ] || { echo "build-qemu: no library $l" >&2; exit 2; }
    case "$l" in
        *,*) echo "build-qemu: a comma in $l (meson list separator)" >&2
             exit 2 ;;
    esac
    abs+=("$(cd "$(dirname "$l")" && pwd)/$(basename "$l")")
done
set -- "${abs[@]}"
libs=$(IFS=,; echo "$*")
here=$src/qemu-side/qemu
patch=$here/mcdshm-qemu-7.2.patch
glue=$here/mcdshm-qemu.c
jobs=${MCDSHM_QEMU_JOBS:-2}

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi

log() { echo "build-qemu: $*"; }

# 1. The Debian source package, fetched once.
if [ ! -f "$out/debsrc.stamp" ]; then
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
    rm -rf "$out/debsrc"
    mkdir -p "$out/debsrc"
    log "fetching Debian's qemu source package"
    (cd "$out/debsrc" && apt-get source -q --download-only qemu)
    touch "$out/debsrc.stamp"
fi
dsc=$(ls "$out"/debsrc/qemu_7.2*.dsc 2>/dev/null | head -n 1)
if [ -z "$dsc" ]; then
    echo "build-qemu: no qemu_7.2*.dsc in $out/debsrc (Debian 12 has 7.2;" \
         "this patch is for 7.2)" >&2
    rm -f "$out/debsrc.stamp"
    exit 1
fi

# 2. Unpacked and patched; again when the patch changes, and then only the
# files that differ are copied over, so that ninja rebuilds only what they
# touch.
sum=$(sha256sum "$patch" | cut -d' ' -f1)
if [ "$(cat "$out/src.stamp" 2>/dev/null)" != "$sum" ]; then
    log "unpacking $(basename "$dsc") and applying our patch"
    rm -rf "$out/src.new"
    dpkg-source -q --no-check -x "$dsc" "$out/src.new" >/dev/null
    patch -s -d "$out/src.new" -p1 <"$patch"
    if [ -d "$out/src" ] && [ -f "$out/src.stamp" ]; then
        (cd "$out/src.new" && find . -type f) | while read -r f; do
            if ! cmp -s "$out/src.new/$f" "$out/src/$f"; then
                mkdir -p "$(dirname "$out/src/$f")"
                cp "$out/src.new/$f" "$out/src/$f"
            fi
        done
        rm -rf "$out/src.new"
    else
        rm -rf "$out/src" "$out/build" "$out/configure.stamp"
        mv "$out/src.new" "$out/src"
    fi
    echo "$sum" >"$out/src.stamp"
fi

# The glue: copied only when it changed, so ninja sees the right mtime.
if ! cmp -s "$glue" "$out/src/softmmu/mcdshm.c"; then
    cp "$glue" "$out/src/softmmu/mcdshm.c"
fi

# 3. Configured once per set of options.
opts=(
    --target-list=riscv64-softmmu --disable-install-blobs
    --without-default-features --enable-tcg --enable-fdt=system
    --disable-docs --disable-tools --disable-guest-agent --disable-werror
    --disable-user --disable-capstone --disable-slirp --enable-debug-info
    --mcdshm="$src" --mcdshm-libs="$libs"
)
optsum=$(echo "${opts[*]}" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$out/configure.stamp" 2>/dev/null)" != "$optsum" ]; then
    log "configuring (riscv64-softmmu)"
    rm -rf "$out/build"
    mkdir -p "$out/build"
    (cd "$out/build" && ../src/configure "${opts[@]}" >configure.log 2>&1) || {
        tail -n 40 "$out/build/configure.log" >&2
        exit 1
    }
    echo "$optsum" >"$out/configure.stamp"
fi

# The libraries are link arguments, which ninja does not track: relink when
# one is newer than the binary.
bin=$out/build/qemu-system-riscv64
for l in "$@"; do
    if [ -e "$bin" ] && [ "$l" -nt "$bin" ]; then
        rm -f "$bin"
        break
    fi
done

log "building qemu-system-riscv64 (ninja -j$jobs)"
ninja -C "$out/build" -j"$jobs" qemu-system-riscv64 >"$out/ninja.log" 2>&1 || {
    grep -B2 -A12 -m5 'error\|FAILED' "$out/ninja.log" >&2 || tail -n 40 "$out/ninja.log" >&2
    exit 1
}
ln -sf build/qemu-system-riscv64 "$out/qemu-system-riscv64"
log "done: $out/qemu-system-riscv64"
