#!/bin/sh
# run_qemu.sh - run an MCD client (the conformance suite, or any program
# that reads $MCDSHM_CONFIG) against the patched QEMU.
#
# Usage: run_qemu.sh QEMU_SYSTEM_ARCH LIBMCDSHM_SO TEST_PROG_ELF BIN [ARGS]
#
# Starts "QEMU -machine M [-cpu C] -smp 4 -kernel TEST_PROG_ELF -S" (no
# -kernel if TEST_PROG_ELF is "-"), the machine by architecture (the
# binary's name qemu-system-ARCH): riscv64 virt with -bios none, aarch64
# virt with a cortex-a53, arm virt with a cortex-a15, i386 and x86_64 q35;
# MCDSHM_QEMU_MACHINE and MCDSHM_QEMU_CPU replace them (e.g.
# "virt,secure=on" and "cortex-a15"); MCDSHM_QEMU_FIRMWARE=default drops
# riscv64's -bios none (OpenSBI then runs first).  With an IOThread and
# "-mcd shm,name=conf-<pid>,iothread=io0", its
# endpoint in a fresh private directory (MCDSHM_RUNTIME_DIR), waits for its
# socket, then runs BIN (with ARGS) with MCDSHM_LIB, MCDSHM_CONFIG,
# MCDSHM_TARGET=qemu (qemu-opensbi with the default firmware),
# MCDSHM_TEST_ELF and MCDSHM_QEMU_PID set.  QEMU is
# stopped (SIGTERM, then SIGKILL after 5 s) and the directory removed on
# every exit path.  Exit status: BIN's, or 1 if QEMU does not come up or
# dies while BIN runs (its log is shown).
# MCDSHM_EXTRA_CONFIG: more config-string keys for BIN (e.g.
# McdShmTraceLanes=0).
set -eu

if [ $# -lt 4 ]; then
    sed -n '4p' "$0" | sed 's/^# //' >&2
    exit 2
fi
qemu=$1
lib=$2
elf=$3
bin=$4
shift 4
for f in "$qemu" "$bin"; do
    [ -x "$f" ] || { echo "run_qemu.sh: $f is not executable" >&2; exit 2; }
done
for f in "$lib" "$elf"; do
    [ "$f" = - ] || [ -r "$f" ] ||
        { echo "run_qemu.sh: $f is not readable" >&2; exit 2; }
done

name=conf-$$
dir=$(mktemp -d "${TMPDIR:-/tmp}/mcdshm-qemu.XXXXXX")
sock=$dir/$name.sock
log=$dir/qemu.log
qemu_pid=

# Stop the QEMU we started (by its pid only) and remove the directory.
cleanup() {
    if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
        kill -TERM "$qemu_pid" 2>/dev/null || true
        i=0
        while kill -0 "$qemu_pid" 2>/dev/null && [ $i -lt 50 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        kill -KILL "$qemu_pid" 2>/dev/null || true
        wait "$qemu_pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

arch=$(basename "$qemu")
arch=${arch#qemu-system-}
bios=
cpu=
case $arch in
riscv64) machine=virt; bios="-bios none" ;;
aarch64) machine=virt; cpu=cortex-a53 ;;
arm) machine=virt; cpu=cortex-a15 ;;
i386 | x86_64) machine=q35 ;;
*) echo "run_qemu.sh: no machine known for $arch" >&2; exit 2 ;;
esac
machine=${MCDSHM_QEMU_MACHINE:-$machine}
cpu=${MCDSHM_QEMU_CPU:-$cpu}
if [ "${MCDSHM_QEMU_FIRMWARE:-}" = default ]; then
    bios=
fi
extra=$bios
[ -z "$cpu" ] || extra="$extra -cpu $cpu"
[ "$elf" = - ] || extra="$extra -kernel $elf"

# MCDSHM_QEMU_RAM=memfd: guest RAM as a shared memfd, which mcdshm offers
# debuggers as a direct memory window (reads of RAM need no request).
ram=
if [ "${MCDSHM_QEMU_RAM:-}" = memfd ]; then
    machine=$machine,memory-backend=ram
    ram="-object memory-backend-memfd,id=ram,size=128M,share=on"
fi

# shellcheck disable=SC2086 # $ram and $extra are options and their values
MCDSHM_RUNTIME_DIR=$dir "$qemu" -machine $machine $ram -smp 4 -m 128M \
    -display none -serial null -monitor none -nodefaults $extra -S \
    -object iothread,id=io0 \
    -mcd shm,name="$name",iothread=io0 >"$log" 2>&1 &
qemu_pid=$!

# Wait up to 30 s for the socket; give up at once if QEMU died.
i=0
while [ ! -S "$sock" ]; do
    if ! kill -0 "$qemu_pid" 2>/dev/null || [ $i -ge 300 ]; then
        echo "run_qemu.sh: QEMU did not create $sock; its log:" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.1
    i=$((i + 1))
done

export MCDSHM_RUNTIME_DIR="$dir"
export MCDSHM_LIB="$lib"
export MCDSHM_CONFIG="McdShmEndpoint=\"$sock\" ${MCDSHM_EXTRA_CONFIG:-}"
# The conformance profile: OpenSBI changes what runs first.
if [ "${MCDSHM_QEMU_FIRMWARE:-}" = default ]; then
    export MCDSHM_TARGET=qemu-opensbi
else
    export MCDSHM_TARGET=qemu
fi
export MCDSHM_TEST_ELF="$elf"
export MCDSHM_QEMU_PID="$qemu_pid"

rc=0
"$bin" "$@" || rc=$?
if ! kill -0 "$qemu_pid" 2>/dev/null; then
    echo "run_qemu.sh: QEMU died; its log:" >&2
    cat "$log" >&2
    [ $rc -ne 0 ] || rc=1
elif [ $rc -ne 0 ]; then
    echo "run_qemu.sh: $(basename "$bin") failed ($rc); QEMU's log:" >&2
    cat "$log" >&2
fi
exit $rc
