#!/usr/bin/env bash
# Build mcdshm-bench and run it: mcdshm under busy, hybrid and sleep beside
# the physical floor and the QMP-style, binary RPC and ZeroMQ baselines,
# all in one run.  Writes bench/results/bench.csv, bench.json and the PNG
# charts (the README's Performance section comes from such a run).  Extra
# arguments go to mcdshm-bench (see --help), e.g. --quick or --only.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc)" --target mcdshm-bench
exec build/mcdshm-bench --out bench/results --plot bench/results "$@"
