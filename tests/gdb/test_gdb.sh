#!/bin/bash
# test_gdb.sh - gdb-multiarch against an MCD target through mcdshm-gdbserver.
#
# Usage: test_gdb.sh GDBSERVER MCDSHM_CLI
#
# Run under tests/conformance/run_vp.sh, run_sc.sh or run_qemu.sh (with
# --plain where the runner has it), which start the target halted and set
# MCDSHM_CONFIG, MCDSHM_LIB and MCDSHM_TEST_ELF (test_prog.elf: every hart
# calls bp_here(), which counts in counter[hartid]; hart 0 also stores to
# watch_target).  Starts the bridge on a free port of 127.0.0.1 with that
# config and library, then, one gdb session after another against the same
# bridge:
#   1. all-stop (gdb batch mode): info threads lists every core of
#      `mcdshm cores`; break bp_here, continue, stop on it; stepi moves the
#      pc to the next instruction (the second line of x/2i); a register
#      written reads back after the cache is flushed; a watchpoint on
#      watch_target stops after the store (new value shown); dump binary
#      memory of 16 MiB equals `mcdshm dump` of the same range; monitor
#      help and monitor reset list (the target's own text) arrive; on
#      mcdshm-vp, monitor trace start/stop/save writes the frames;
#   2. non-stop over gdb/MI (gdb_mi.py): one thread stopped, the others
#      running and making progress;
#   3. a gdb killed (SIGKILL) while the target runs under `continue`: the
#      target keeps running (mcdshm state) and the bridge takes the next gdb;
#   4. hostile packets over a raw socket (hostile.py);
#   5. a last gdb session: info threads still works.
# GDB (default gdb-multiarch), PYTHON (default python3) and GDB_TEST_RAM
# (the guest RAM base for the dump, default 0x80000000) may be set.
# Prints one line per failed check and "N passed, M failed"; exits 1 if
# any check failed, 77 (CTest SKIP_RETURN_CODE) if gdb is missing.
set -uo pipefail

if [ $# -ne 2 ]; then
    sed -n '4p' "$0" | sed 's/^# //' >&2
    exit 2
fi
GS=$1
CLI=$2
GDB=${GDB:-gdb-multiarch}
PY=${PYTHON:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
ELF=${MCDSHM_TEST_ELF:?run under run_vp.sh, run_sc.sh or run_qemu.sh}
CFG=${MCDSHM_CONFIG:?run under run_vp.sh, run_sc.sh or run_qemu.sh}
LIB=${MCDSHM_LIB:?run under run_vp.sh, run_sc.sh or run_qemu.sh}
RAM=${GDB_TEST_RAM:-0x80000000}
DUMP_LEN=$((16 << 20))

for tool in "$GDB" "$PY" cmp; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool not found"
        exit 77
    fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mcdshm-gdb.XXXXXX")
gs_pid=
gdb_pid=
cleanup() {
    for p in $gdb_pid $gs_pid; do
        kill -TERM "$p" 2>/dev/null || true
    done
    for p in $gdb_pid $gs_pid; do
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL: $*"
}
# expect NAME FILE REGEX: FILE has a line matching REGEX (grep -E).
expect() {
    if grep -Eq -- "$3" "$2"; then
        pass
    else
        fail "$1: no line matching '$3' in:"
        sed 's/^/    /' "$2" | tail -40
    fi
}

# The bridge, on a free port; its first line says which.
"$GS" -c "$CFG" --library "$LIB" --listen 127.0.0.1:0 \
    >"$TMP/gs.out" 2>"$TMP/gs.log" &
gs_pid=$!
for _ in $(seq 300); do
    grep -q '^listening on ' "$TMP/gs.out" 2>/dev/null && break
    kill -0 "$gs_pid" 2>/dev/null || break
    sleep 0.1
done
ADDR=$(sed -n 's/^listening on //p' "$TMP/gs.out")
if [ -z "$ADDR" ]; then
    echo "FAIL: $GS did not start; its log:"
    cat "$TMP/gs.log"
    exit 1
fi

# gdb in batch mode against the bridge, with the commands given as -ex.
gdb_batch() {
    local args=(-batch -nx -ex 'set pagination off' -ex 'set confirm off'
                -ex "target remote $ADDR")
    local c
    for c in "$@"; do
        args+=(-ex "$c")
    done
    timeout 300 "$GDB" "${args[@]}" "$ELF" 2>&1
}

ncores=$("$CLI" -c "$CFG" cores | grep -Ec '^[0-9]+ ')

# 1. All-stop.
gdb_batch 'info threads' 'monitor trace start' \
    'break bp_here' 'continue' 'p/x $pc' 'p/x &bp_here' \
    'x/2i $pc' 'stepi' 'p/x $pc' \
    'set $saved = $a0' 'set $a0 = 0x1234abcd' 'maint flush register-cache' \
    'p/x $a0' 'set $a0 = $saved' \
    'delete' 'watch watch_target' 'continue' 'delete' \
    "dump binary memory $TMP/gdb.bin $RAM $((RAM + DUMP_LEN))" \
    "shell $CLI -c '$CFG' -q dump $RAM $DUMP_LEN $TMP/cli.bin" \
    'monitor trace stop' "monitor trace save $TMP/trace.txt" \
    'monitor help' 'monitor reset list' >"$TMP/s1.log"
nthreads=$(grep -Ec '^[* ] +[0-9]+ +Thread [0-9]+ \(' "$TMP/s1.log")
if [ "$ncores" -ge 1 ] && [ "$nthreads" -eq "$ncores" ]; then
    pass
else
    fail "info threads: $nthreads threads for $ncores cores"
    cat "$TMP/s1.log"
fi
expect "breakpoint" "$TMP/s1.log" 'hit Breakpoint 1, bp_here'
# stepi: the pc after it is the address of the second line of x/2i.
next=$(grep -A1 '^=> 0x' "$TMP/s1.log" | sed -n '2s/^ *\(0x[0-9a-f]*\).*/\1/p')
pcs=$(sed -n 's/^\$[0-9]* = \(0x[0-9a-f]*\)$/\1/p' "$TMP/s1.log")
pc_bp=$(echo "$pcs" | sed -n 1p)
addr_bp=$(echo "$pcs" | sed -n 2p)
pc_step=$(echo "$pcs" | sed -n 3p)
if [ -n "$next" ] && [ "$pc_bp" = "$addr_bp" ] &&
   [ $((pc_step)) -eq $((next)) ]; then
    pass
else
    fail "stepi: pc $pc_bp (bp_here $addr_bp) -> $pc_step, expected $next"
fi
expect "register write" "$TMP/s1.log" '^\$[0-9]+ = 0x1234abcd$'
expect "watchpoint" "$TMP/s1.log" 'Hardware watchpoint 2: watch_target'
expect "watchpoint new value" "$TMP/s1.log" '^New value = '
if cmp -s "$TMP/gdb.bin" "$TMP/cli.bin" &&
   [ "$(stat -c %s "$TMP/gdb.bin")" -eq "$DUMP_LEN" ]; then
    pass
else
    fail "dump binary memory of $DUMP_LEN bytes differs from mcdshm dump"
fi
expect "monitor help" "$TMP/s1.log" 'mcdshm-gdbserver monitor commands'
expect "monitor reset list" "$TMP/s1.log" '^[0-9]+: .+'
# The trace: mcdshm-vp has a core trace in PIPE mode; other targets may not.
if [ "${MCDSHM_TARGET:-}" = vp ]; then
    expect "monitor trace save" "$TMP/s1.log" 'trace: [1-9][0-9]* frames saved'
    if [ "$(grep -c '^[0-9]' "$TMP/trace.txt" 2>/dev/null)" -ge 1 ]; then
        pass
    else
        fail "monitor trace save wrote no frames"
    fi
fi

# 2. Non-stop.
if "$PY" "$HERE/gdb_mi.py" "$GDB" "$ELF" "$ADDR"; then
    pass
else
    fail "non-stop (gdb_mi.py)"
fi

# 3. A gdb killed while the target runs.
"$GDB" -batch -nx -ex "target remote $ADDR" -ex 'continue' \
    "$ELF" >"$TMP/s3.log" 2>&1 &
gdb_pid=$!
for _ in $(seq 600); do
    grep -q 'gdb connected' "$TMP/gs.log" && \
        [ "$(grep -c 'gdb connected' "$TMP/gs.log")" -ge 3 ] && break
    sleep 0.1
done
# Wait until gdb has let the target run, then kill it.
for _ in $(seq 600); do
    "$CLI" -c "$CFG" -q state | grep -q RUNNING && break
    sleep 0.1
done
kill -KILL "$gdb_pid"
wait "$gdb_pid" 2>/dev/null
gdb_pid=
gdb_batch 'info threads' >"$TMP/s3b.log"
nthreads=$(grep -Ec '^[* ] +[0-9]+ +Thread [0-9]+ \(' "$TMP/s3b.log")
if [ "$nthreads" -eq "$ncores" ]; then
    pass
else
    fail "after a killed gdb, the next gdb sees $nthreads threads"
    cat "$TMP/s3b.log"
fi
if "$CLI" -c "$CFG" -q state | grep -q RUNNING; then
    pass
else
    fail "the target is not running after gdb detached"
fi

# 4. Hostile packets.
if "$PY" "$HERE/hostile.py" "$ADDR"; then
    pass
else
    fail "hostile packets (hostile.py)"
fi

# 5. Still serving.
gdb_batch 'info threads' 'monitor cores' >"$TMP/s5.log"
expect "last session" "$TMP/s5.log" 'thread 1: '
if kill -0 "$gs_pid" 2>/dev/null; then
    pass
else
    fail "the bridge died"
fi
if [ "$failed" -ne 0 ]; then
    echo "the bridge's log:"
    cat "$TMP/gs.log"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
