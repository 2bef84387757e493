#!/bin/sh
# run_defaults.sh - QEMU as a QEMU user meets it: the default machine of an
# architecture with its default firmware and option ROMs, -mcd help, wrong
# -mcd options, core names, and the endpoint removed on SIGTERM and SIGINT.
#
# Usage: run_defaults.sh QEMU_SYSTEM_ARCH MCDSHM_CLI
#
# For qemu-system-ARCH (the architecture comes from the name):
#   1. `-mcd help` exits 0 and lists the options; `-mcd bogus` and
#      `policy=bogus` fail naming the option and the value;
#   2. the default machine starts with its default firmware and ROMs from
#      Debian's packages (riscv64 virt: OpenSBI, whose first bytes must be
#      in RAM at 0x80000000; x86 q35: SeaBIOS, whose last bytes must be at
#      the reset vector, and the default NIC's iPXE ROM, without which QEMU
#      does not start; Arm virt: no firmware by default);
#   3. every core name is one word and `mcdshm -C NAME` finds that core;
#      riscv64: `regs csr` finds the group org.gnu.gdb.riscv.csr;
#   4. QEMU stopped with SIGTERM, then (started again) SIGINT, exits and
#      leaves no endpoint behind.
# QEMU runs in a private MCDSHM_RUNTIME_DIR; every QEMU started is stopped
# by its pid and the directory removed on every exit path.  Exit status 0 =
# passed, 1 = failed (the reason and QEMU's log on stderr), 2 = usage.
set -eu

if [ $# -ne 2 ]; then
    sed -n '6p' "$0" | sed 's/^# //' >&2
    exit 2
fi
qemu=$1
cli=$2
for f in "$qemu" "$cli"; do
    [ -x "$f" ] || { echo "run_defaults.sh: $f is not executable" >&2; exit 2; }
done
arch=$(basename "$qemu")
arch=${arch#qemu-system-}

dir=$(mktemp -d "${TMPDIR:-/tmp}/mcdshm-defaults.XXXXXX")
log=$dir/qemu.log
name=def-$$
sock=$dir/$name.sock
qemu_pid=

cleanup() {
    if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
        kill -KILL "$qemu_pid" 2>/dev/null || true
        wait "$qemu_pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
    echo "run_defaults.sh ($arch): FAIL: $*" >&2
    if [ -s "$log" ]; then
        echo "QEMU's log:" >&2
        cat "$log" >&2
    fi
    exit 1
}

# The default machine of each architecture, as a user types it (no -bios,
# no -nodefaults): the firmware, VGA BIOS and NIC ROM are QEMU's defaults.
case $arch in
riscv64) machine="-machine virt" ;;
aarch64) machine="-machine virt -cpu cortex-a53" ;;
arm) machine="-machine virt -cpu cortex-a15" ;;
i386 | x86_64) machine="-machine q35" ;;
*) echo "run_defaults.sh: no default machine known for $arch" >&2; exit 2 ;;
esac

# 1. -mcd help and wrong options.
"$qemu" -mcd help >"$dir/help" 2>&1 || fail "-mcd help failed: $(cat "$dir/help")"
for opt in name iothread path policy; do
    grep -q "$opt" "$dir/help" || fail "-mcd help does not list $opt"
done
wrong() { # OPTION-STRING WORD...: QEMU fails, its message has each WORD
    # shellcheck disable=SC2086 # $machine is several options
    if MCDSHM_RUNTIME_DIR=$dir "$qemu" $machine -S -display none \
        -serial null -monitor none -object iothread,id=io0 -mcd "$1" \
        >"$dir/wrong" 2>&1; then
        fail "-mcd $1 was accepted"
    fi
    o=$1
    shift
    for w in "$@"; do
        grep -q -- "$w" "$dir/wrong" ||
            fail "-mcd $o: the message does not name '$w': $(cat "$dir/wrong")"
    done
}
wrong bogus transport bogus
wrong "shm,name=x,iothread=io0,policy=bogus" policy bogus
wrong "shm,name=x,iothread=nosuch" iothread nosuch

# Start the default machine; wait up to 60 s for the endpoint.
start() {
    rm -f "$log"
    # shellcheck disable=SC2086 # $machine is several options
    MCDSHM_RUNTIME_DIR=$dir "$qemu" $machine -smp 2 -m 256M -display none \
        -serial null -monitor none -object iothread,id=io0 \
        -mcd shm,name="$name",iothread=io0 >"$log" 2>&1 &
    qemu_pid=$!
    i=0
    while [ ! -S "$sock" ]; do
        if ! kill -0 "$qemu_pid" 2>/dev/null || [ $i -ge 600 ]; then
            fail "QEMU did not create $sock"
        fi
        sleep 0.1
        i=$((i + 1))
    done
}

# Stop it with signal $1: it must exit by itself within 20 s and remove
# its endpoint.
stop_with() {
    kill -"$1" "$qemu_pid"
    i=0
    while kill -0 "$qemu_pid" 2>/dev/null; do
        [ $i -lt 200 ] || fail "QEMU did not exit within 20 s of SIG$1"
        sleep 0.1
        i=$((i + 1))
    done
    wait "$qemu_pid" 2>/dev/null || true
    qemu_pid=
    [ ! -e "$sock" ] || fail "SIG$1 left the endpoint $sock behind"
}

mcd() {
    "$cli" -e "$sock" "$@"
}

start
# 2. The default firmware is where the machine expects it.
case $arch in
riscv64)
    fw=/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin
    mcd read --raw 0x80000000 64 >"$dir/ram" ||
        fail "cannot read RAM at 0x80000000"
    head -c 64 "$fw" | cmp -s - "$dir/ram" ||
        fail "RAM at 0x80000000 is not $fw"
    ;;
i386 | x86_64)
    fw=/usr/share/seabios/bios-256k.bin
    mcd read --raw 0xfffffff0 16 >"$dir/rom" ||
        fail "cannot read the reset vector 0xfffffff0"
    tail -c 16 "$fw" | cmp -s - "$dir/rom" ||
        fail "the reset vector is not the end of $fw"
    ;;
esac

# 3. Core names: one word each, and -C finds each.
mcd -q cores >"$dir/cores" || fail "mcdshm cores failed"
mcd stop --all >/dev/null || fail "mcdshm stop --all failed"
n=0
for core in $(awk 'NR > 0 && $1 ~ /^[0-9]+$/ { print $2 }' "$dir/cores"); do
    n=$((n + 1))
    mcd -C "$core" state >"$dir/state" 2>&1 ||
        fail "mcdshm -C $core state: $(cat "$dir/state")"
done
[ "$n" -eq 2 ] || fail "2 vCPUs, but $n cores listed: $(cat "$dir/cores")"
# "INDEX NAME CORE_ID TYPE...": a name with a space pushes the core_id on.
if awk '$1 ~ /^[0-9]+$/ && $3 !~ /^[0-9]+$/ { bad = 1 } END { exit !bad }' \
    "$dir/cores"; then
    fail "a core name has a space: $(cat "$dir/cores")"
fi
if [ "$arch" = riscv64 ]; then
    mcd regs csr >"$dir/csr" 2>&1 || fail "mcdshm regs csr: $(cat "$dir/csr")"
    grep -q mstatus "$dir/csr" || fail "regs csr shows no mstatus"
fi
mcd run --all >/dev/null || fail "mcdshm run --all failed"

# 4. SIGTERM, then SIGINT: QEMU exits cleanly and removes its endpoint.
stop_with TERM
start
stop_with INT
echo "run_defaults.sh ($arch): default firmware, -mcd help and errors," \
     "$n one-word core names, endpoint removed on SIGTERM and SIGINT"
