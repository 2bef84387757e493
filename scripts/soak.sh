#!/usr/bin/env bash
# The soak test: 16 debugger processes (mcdshm-soak) against one
# mcdshm-vp with 16 running harts for 60 s, each doing memory dumps,
# pattern writes read back and compared, register reads, run control and
# trace reads through libmcdshm.so; fails on any error, mismatch or
# starved client.  Extra arguments go to mcdshm-soak (see --help), e.g.
#   scripts/soak.sh --seconds 600 --clients 8
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
esac
scripts/deps.sh
cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc)" --target mcdshm-vp mcdshm mcdshm-soak \
    mcdshm_vp_progs
clients=16
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case ${args[i]} in
        -n|--clients) clients=${args[i + 1]} ;;
        --clients=*) clients=${args[i]#--clients=} ;;
    esac
done
exec tests/conformance/run_vp.sh --running --plain --harts "$clients" \
    build/mcdshm-vp build/libmcdshm.so build/vp-progs/test_prog.elf \
    build/tests/mcdshm-soak --seconds 60 "$@"
