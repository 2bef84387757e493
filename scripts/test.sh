#!/usr/bin/env bash
# Build mcdshm and run every test: the normal build with -Werror, then the
# ThreadSanitizer build of the ring, doorbell and handshake tests, then the
# whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
# Usage: scripts/test.sh [--quick]   (--quick: normal build only)
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
case "${1:-}" in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    "") ;;
    *) echo "test.sh: unknown option '$1'" >&2; exit 2 ;;
esac

scripts/deps.sh
jobs=$(nproc)

run() {   # run <build-dir> <cmake options...>
    local dir=$1
    shift
    echo "== $dir: $*"
    cmake -S . -B "$dir" -DMCDSHM_WERROR=ON "$@" >/dev/null
    cmake --build "$dir" -j"$jobs"
    ctest --test-dir "$dir" --output-on-failure --no-tests=error
}

# Only the normal build carries the patched QEMU (qemu-side/qemu): built
# once into build/qemu and kept there.
run build -DMCDSHM_QEMU=ON
if [ $quick -eq 0 ]; then
    # The stress tests carry 1 million records per policy in the sanitizer
    # builds (10 million in the normal one): instrumented code is ~10x slower.
    MCDSHM_STRESS_RECORDS=1000000 run build-tsan -DMCDSHM_SANITIZER=thread \
        -DMCDSHM_BENCH=OFF
    MCDSHM_STRESS_RECORDS=1000000 run build-asan -DMCDSHM_SANITIZER=address \
        -DMCDSHM_BENCH=OFF
fi
echo "== all tests passed"
