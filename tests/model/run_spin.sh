#!/usr/bin/env bash
# Model-check the doorbell protocol (tests/model/doorbell.pml) with spin.
#
# The real model must verify (0 errors): no deadlock / failed assertion
# (safety) and "the client gets all its responses" under weak fairness
# (liveness, ltl p_done).  With either fence removed (-DNOFENCE_D1: the
# consumer's smp_mb() in shm_doorbell_prepare_sleep(), -DNOFENCE_D2: the
# producer's in shm_doorbell_ring()) spin must find the lost wake-up: that
# shows the check is able to fail at all.
#
# Exit: 0 all as expected, 1 any unexpected result, 77 spin or a C compiler
# is missing (skipped).  Needs Debian's "spin" package.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
model=$here/doorbell.pml
cc=${CC:-cc}

if ! command -v spin >/dev/null 2>&1; then
    echo "SKIP: spin not installed (apt-get install spin)"
    exit 77
fi
if ! command -v "$cc" >/dev/null 2>&1; then
    echo "SKIP: no C compiler ($cc) to build the spin verifier"
    exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/mcdshm-spin.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

passed=0
failed=0

# check NAME EXPECT MODE [spin -D flags...]
#   EXPECT: ok (0 errors) or fail (>0 errors)
#   MODE:   safety (deadlock + assertions) or liveness (ltl p_done, -a -f)
check() {
    local name=$1 expect=$2 mode=$3 dir out errors stored verdict
    shift 3
    dir=$work/$name
    mkdir -p "$dir"
    cp "$model" "$dir/"
    out=$dir/pan.out
    (
        cd "$dir" || exit 1
        spin -a "$@" doorbell.pml >spin.out 2>&1 || { cat spin.out; exit 1; }
        if [ "$mode" = safety ]; then
            # The ltl claim is left out: plain search for invalid end states
            # and assertion violations.
            "$cc" -O2 -DNOCLAIM -o pan pan.c || exit 1
            ./pan -m100000
        else
            "$cc" -O2 -o pan pan.c || exit 1
            ./pan -m100000 -a -f -N p_done
        fi
    ) >"$out" 2>&1
    errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' "$out" | tail -n 1)
    stored=$(sed -n 's/^ *\([0-9][0-9]*\) states, stored.*/\1/p' "$out" | tail -n 1)
    if [ -z "$errors" ]; then
        verdict=FAIL
        echo "--- $name: no result from pan:"
        cat "$out"
    elif grep -q "max search depth too small" "$out"; then
        # A truncated search proves nothing either way.
        verdict=FAIL
        echo "--- $name: search depth too small"
    elif [ "$expect" = ok ] && [ "$errors" -eq 0 ]; then
        verdict=PASS
    elif [ "$expect" = fail ] && [ "$errors" -gt 0 ]; then
        verdict=PASS
    else
        verdict=FAIL
        echo "--- $name: expected $expect, pan said:"
        cat "$out"
    fi
    printf '%-4s %-22s expect %-4s errors %s, %s states (%s %s)\n' \
        "$verdict" "$name" "$expect" "${errors:-?}" "${stored:-?}" "$mode" "$*"
    if [ "$verdict" = PASS ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
}

check safety            ok   safety
check liveness          ok   liveness
check safety_inflight2  ok   safety   -DINFLIGHT=2
check liveness_inflight2 ok  liveness -DINFLIGHT=2
check nofence_d1        fail safety   -DNOFENCE_D1
check nofence_d2        fail safety   -DNOFENCE_D2

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
