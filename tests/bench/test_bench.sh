#!/usr/bin/env bash
# Smoke test of mcdshm-bench: a --quick run of every measurement must exit
# 0 and write CSV and JSON that check_results accepts, and PNG charts; and
# check_results must reject damaged output (so this test can fail).  No
# timing is asserted: performance is never a unit-test verdict.
# usage: test_bench.sh MCDSHM-BENCH CHECK_RESULTS
set -euo pipefail
bench=$1
check=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$bench" --quick --out "$dir" --plot "$dir/plots" >"$dir/stdout" 2>"$dir/stderr" || {
    echo "mcdshm-bench --quick failed:"; tail -20 "$dir/stderr"; exit 1; }
grep -q '^Goals' "$dir/stdout" || { echo "no goals in the report"; exit 1; }
"$check" "$dir/bench.csv" "$dir/bench.json" floor ring-busy ring-hybrid \
    ring-sleep mcdshm-busy mcdshm-hybrid mcdshm-sleep qmp-unix rpc-tcp \
    rpc-unix zmq-ipc zmq-tcp goal
for png in rtt dump payload-rtt payload-rate conn-p50 conn-p99; do
    f="$dir/plots/$png.png"
    [ -s "$f" ] || { echo "chart $png.png missing"; exit 1; }
    [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = "211PNG" ] ||
        { echo "$png.png is not a PNG"; exit 1; }
done

# The checker must fail on damage: truncated JSON, a CSV row too few, a
# transport that was not measured, a bad option value.
head -c 200 "$dir/bench.json" >"$dir/bad.json"
! "$check" "$dir/bench.csv" "$dir/bad.json" 2>/dev/null ||
    { echo "truncated JSON accepted"; exit 1; }
head -n -1 "$dir/bench.csv" >"$dir/bad.csv"
! "$check" "$dir/bad.csv" "$dir/bench.json" 2>/dev/null ||
    { echo "short CSV accepted"; exit 1; }
! "$check" "$dir/bench.csv" "$dir/bench.json" no-such-transport 2>/dev/null ||
    { echo "missing transport accepted"; exit 1; }
if "$bench" --repeats 0 >/dev/null 2>"$dir/err"; then
    echo "--repeats 0 accepted"; exit 1
fi
grep -q -- "--repeats must be a number in 1..64, got '0'" "$dir/err" ||
    { echo "bad --repeats message: $(cat "$dir/err")"; exit 1; }
if "$bench" --only no-such-measurement >/dev/null 2>"$dir/err"; then
    echo "--only matching nothing accepted"; exit 1
fi
grep -q "matches no measurement" "$dir/err" ||
    { echo "bad --only message: $(cat "$dir/err")"; exit 1; }
echo "bench smoke test passed"
