#!/usr/bin/env bash
# The main job: build everything, start the reference platform (mcdshm-vp)
# with the demo program on 4 harts, and drive it through libmcdshm.so with
# the mcdshm tool: list the cores, stop all harts, show registers, set a
# breakpoint and run to it, single-step, dump 64 MiB of memory with a
# progress bar and its rate, capture a short trace, and shut down cleanly.
# Usage: scripts/demo.sh [--policy busy|hybrid|sleep]
set -euo pipefail
cd "$(dirname "$0")/.."

policy=hybrid
case "${1:-}" in
    --policy) policy=${2:?--policy needs busy, hybrid or sleep} ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    "") ;;
    *) echo "demo.sh: unknown option '$1'" >&2; exit 2 ;;
esac

scripts/deps.sh
cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc)"

rundir=$(mktemp -d /tmp/mcdshm-demo-XXXXXX)
export MCDSHM_RUNTIME_DIR=$rundir
vp_pid=
cleanup() {
    if [ -n "$vp_pid" ] && kill -0 "$vp_pid" 2>/dev/null; then
        kill -INT "$vp_pid"
        wait "$vp_pid" || true
    fi
    rm -rf "$rundir"
}
trap cleanup EXIT

build/mcdshm-vp --name demo --harts 4 --policy "$policy" \
    build/vp-progs/demo.elf &
vp_pid=$!
for _ in $(seq 100); do
    [ -S "$rundir/demo.sock" ] && break
    sleep 0.05
done

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
mcdshm() { build/mcdshm --server demo "$@"; }

tick=$(riscv64-unknown-elf-nm build/vp-progs/demo.elf | awk '$3 == "tick" {print "0x" $1}')

step mcdshm servers
step mcdshm cores
step mcdshm stop --all
step mcdshm state --all
step mcdshm regs
step mcdshm run-to "$tick"
step mcdshm regs a0 pc
step mcdshm step 3
step mcdshm dump 0x80000000 64M "$rundir/ram.bin"
step mcdshm trace "$rundir/trace.txt" --instructions 2000
step head -5 "$rundir/trace.txt"
step mcdshm run --all
printf '\n\033[1m$ mcdshm uart --receive --timeout-ms 200 | tail -n 4\033[0m\n'
mcdshm uart --receive --timeout-ms 200 | tail -n 4
step mcdshm stop --all

printf '\nshutting the platform down\n'
kill -INT "$vp_pid"
wait "$vp_pid"
vp_pid=
echo "demo finished"
