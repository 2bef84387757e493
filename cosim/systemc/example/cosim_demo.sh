#!/bin/sh
# cosim_demo.sh - co-simulation demo: mcdshm-vp and the SystemC example
# platform running at the same time as two MCD servers, one debugger
# process (mcdshm-cosim-demo) listing both, opening a core on each,
# stopping and resuming both.
#
# Usage: cosim_demo.sh MCDSHM_VP MCDSHM_SC_EXAMPLE MCDSHM_COSIM_DEMO PROGRAM_ELF
#
# Both platforms run PROGRAM_ELF with their endpoints in a fresh private
# directory (MCDSHM_RUNTIME_DIR); both are stopped (SIGTERM, then SIGKILL
# after 5 s) and the directory removed on every exit path.  Exit status:
# the demo's, or 1 if a platform does not come up (its log is shown).
set -eu

if [ $# -ne 4 ]; then
    sed -n '7p' "$0" | sed 's/^# //' >&2
    exit 2
fi
vp=$1
sc=$2
demo=$3
elf=$4
dir=$(mktemp -d "${TMPDIR:-/tmp}/mcdshm-cosim.XXXXXX")
pids=

cleanup() {
    for p in $pids; do
        kill -TERM "$p" 2>/dev/null || true
    done
    for p in $pids; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export MCDSHM_RUNTIME_DIR="$dir"
"$vp" --name cosim-vp --harts 2 "$elf" >"$dir/vp.log" 2>&1 &
pids="$!"
"$sc" --name cosim-sc "$elf" >"$dir/sc.log" 2>&1 &
pids="$pids $!"

for s in cosim-vp cosim-sc; do
    i=0
    while [ ! -S "$dir/$s.sock" ]; do
        if [ $i -ge 100 ]; then
            echo "cosim_demo.sh: $s did not come up; logs:" >&2
            cat "$dir"/*.log >&2
            exit 1
        fi
        sleep 0.1
        i=$((i + 1))
    done
done
"$demo" cosim-vp cosim-sc
