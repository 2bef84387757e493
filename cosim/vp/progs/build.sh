#!/bin/sh
# build.sh - build the mcdshm-vp guest programs (demo.elf, test_prog.elf).
#
# Usage: build.sh OUTDIR
# Needs Debian's gcc-riscv64-unknown-elf (override with CROSS=prefix-).
# Writes OUTDIR/demo.elf, OUTDIR/test_prog.elf and a disassembly of each
# (OUTDIR/*.dis).  Build-time only: no threads, no state besides OUTDIR.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
out=$1
src=$(cd "$(dirname "$0")" && pwd)
cross=${CROSS:-riscv64-unknown-elf-}
cc=${cross}gcc
objdump=${cross}objdump

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "$0: $cc not found (apt-get install gcc-riscv64-unknown-elf)" >&2
    exit 1
fi

cflags="-march=rv64im_zicsr -mabi=lp64 -mcmodel=medany -nostdlib"
cflags="$cflags -nostartfiles -ffreestanding -fno-pic -O2 -g -Wall -Wextra"
cflags="$cflags -Werror -T $src/link.ld -Wl,--no-warn-rwx-segments"

mkdir -p "$out"
for prog in demo test_prog; do
    $cc $cflags -o "$out/$prog.elf" "$src/crt0.S" "$src/$prog.c"
    $objdump -d "$out/$prog.elf" > "$out/$prog.dis"
done
