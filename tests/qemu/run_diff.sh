#!/bin/sh
# run_diff.sh - the differential test: test_prog.elf on mcdshm-vp and on the
# patched QEMU, single-stepped alike (test_qemu diff N).
#
# Usage: run_diff.sh MCDSHM_VP QEMU LIBMCDSHM_SO TEST_PROG_ELF TEST_QEMU N
#
# Starts "mcdshm-vp --halted" in a private directory, exports its endpoint
# as MCDSHM_VP_CONFIG and runs "TEST_QEMU diff N" through run_qemu.sh, which
# starts QEMU.  The vp is stopped (by its pid) and the directory removed on
# every exit path.  Exit status: the test's.
set -eu

if [ $# -ne 6 ]; then
    sed -n '5p' "$0" | sed 's/^# //' >&2
    exit 2
fi
vp=$1
qemu=$2
lib=$3
elf=$4
bin=$5
n=$6
here=$(cd "$(dirname "$0")" && pwd)

dir=$(mktemp -d "${TMPDIR:-/tmp}/mcdshm-diff.XXXXXX")
name=diff-$$
sock=$dir/$name.sock
vp_pid=

cleanup() {
    if [ -n "$vp_pid" ] && kill -0 "$vp_pid" 2>/dev/null; then
        kill -TERM "$vp_pid" 2>/dev/null || true
        sleep 0.2
        kill -KILL "$vp_pid" 2>/dev/null || true
        wait "$vp_pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

MCDSHM_RUNTIME_DIR=$dir "$vp" --halted --name "$name" "$elf" \
    >"$dir/vp.log" 2>&1 &
vp_pid=$!
i=0
while [ ! -S "$sock" ]; do
    if ! kill -0 "$vp_pid" 2>/dev/null || [ $i -ge 100 ]; then
        echo "run_diff.sh: mcdshm-vp did not create $sock:" >&2
        cat "$dir/vp.log" >&2
        exit 1
    fi
    sleep 0.1
    i=$((i + 1))
done
export MCDSHM_VP_CONFIG="McdShmEndpoint=\"$sock\""
"$here/../conformance/run_qemu.sh" "$qemu" "$lib" "$elf" "$bin" diff "$n"
