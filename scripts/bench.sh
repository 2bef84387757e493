#!/usr/bin/env bash
# Build mcdshm-bench and run it: the ring's round trip and throughput under
# the busy, hybrid and sleep policies beside the cache-line and eventfd
# floors, all in one run.  Extra arguments go to mcdshm-bench (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc)" --target mcdshm-bench
exec build/mcdshm-bench "$@"
