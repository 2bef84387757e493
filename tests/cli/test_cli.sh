#!/bin/bash
# test_cli.sh - end-to-end test of the `mcdshm` command-line tool.
#
# Usage: test_cli.sh MCDSHM MCDSHM_VP PROGDIR [MCDSHM_RELAY]
#   MCDSHM     the mcdshm binary under test
#   MCDSHM_VP  the reference platform, mcdshm-vp
#   PROGDIR    the guest programs (test_prog.elf, demo.elf)
#   MCDSHM_RELAY  mcdshm-relay, checked to refuse a dead server (optional)
#
# Starts `mcdshm-vp --name clitest-$$ --halted PROGDIR/test_prog.elf` with
# MCDSHM_RUNTIME_DIR set to a fresh private directory, waits for its
# socket, then drives every command of the tool against it and checks exit
# codes and output: help, usage errors (exit 2), listing, registers,
# memory round trips, dump (size, contents, failure without truncation),
# stepping, run-to and watch-run at symbols of test_prog.elf (found with
# riscv64-unknown-elf-nm), state, reset, cmd, trace, and MCD errors (exit
# 1, by name) and a missing server (exit 3, the live ones listed); and the
# careful-tool checks: ELF symbols (the target's program, --elf), x0..x31
# and ABI names, a misaligned pc refused, lengths checked against the
# memory map, help [CMD], bad config values (exit 2) and unknown keys (a
# warning), uart --new (a second platform runs demo.elf), and
# mcdshm-relay refusing a server that does not answer.  The platform is killed on exit.
# Prints one line per failed check and "N passed, M failed"; exits 1 if
# any check failed, 77 (CTest SKIP_RETURN_CODE) if a tool is missing.
#
# Program facts used (cosim/vp/progs/test_prog.c, crt0.S, link.ld): every
# hart starts at _start; hart 0 calls bp_here() once per loop iteration,
# then stores to watch_target at watch_store_insn and loads it back at
# watch_load_insn; the program occupies well under 1 MiB from 0x80000000,
# so 0x80400000 is free RAM.  Platform facts: RAM is 128 MiB at 0x80000000
# (the default), nothing is mapped at 0x40000000.
# The commands run through run(): "run read ..." and "run break ..." are
# arguments, not the shell's read and break.
# shellcheck disable=SC2162,SC2105
set -euo pipefail

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
    echo "usage: $0 MCDSHM MCDSHM_VP PROGDIR [MCDSHM_RELAY]" >&2
    exit 2
fi
CLI=$1
VP=$2
PROGS=$3
RELAY=${4:-}
ELF=$PROGS/test_prog.elf
NM=${NM:-riscv64-unknown-elf-nm}

RAM_END=$((0x80000000 + (128 << 20)))
SCRATCH=0x80400000
UNMAPPED=0x40000000
SKIP=77

for tool in "$NM" od cmp; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool not found"
        exit $SKIP
    fi
done
for f in "$CLI" "$VP"; do
    if [ ! -x "$f" ]; then
        echo "SKIP: $f is not an executable (not built?)"
        exit $SKIP
    fi
done
if [ ! -f "$ELF" ] || [ ! -f "$PROGS/demo.elf" ]; then
    echo "SKIP: $ELF or demo.elf not found (the RISC-V guest programs are not built)"
    exit $SKIP
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mcdshm-cli.XXXXXX")
RT=$TMP/run
WORK=$TMP/work
mkdir -m 700 "$RT" "$WORK"
export MCDSHM_RUNTIME_DIR=$RT
NAME=clitest-$$
SOCK=$RT/$NAME.sock
vp_pid=
demo_pid=

cleanup() {
    if [ -n "$demo_pid" ]; then
        kill -KILL "$demo_pid" 2>/dev/null || true
        wait "$demo_pid" 2>/dev/null || true
    fi
    if [ -n "$vp_pid" ] && kill -0 "$vp_pid" 2>/dev/null; then
        kill -TERM "$vp_pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$vp_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$vp_pid" 2>/dev/null || true
    fi
    if [ -n "$vp_pid" ]; then
        wait "$vp_pid" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

# ---- helpers ---------------------------------------------------------------

. "$(dirname "$0")/checks.sh"

# run_bare ARGS...: the same without -s (global options are the test's).
run_bare() {
    last="mcdshm $*"
    rc=0
    out=$("$CLI" "$@" 2>&1) || rc=$?
}

# first_pc: the first "pc = 0x..." or "pc 0x..." value in $out, or "".
first_pc() {
    grep -oE '\bpc +(= +)?0x[0-9a-fA-F]+' <<<"$out" | head -n 1 |
        grep -oE '0x[0-9a-fA-F]+' || true
}

# same_num A B: A and B are the same number (both non-empty).
same_num() {
    [ -n "$1" ] && [ -n "$2" ] && [ $(($1)) -eq $(($2)) ]
}

# sym NAME: the address of a symbol of test_prog.elf as 0x..., or "".
sym() {
    "$NM" "$ELF" | awk -v s="$1" '$3 == s { print "0x" $1; exit }'
}

# hexbytes FILE: the bytes of FILE as one string of hex digits.
hexbytes() {
    od -An -v -tx1 "$1" 2>/dev/null | tr -d ' \n' || true
}

# file_size FILE: its size in bytes; 0 if it does not exist.
file_size() {
    if [ -f "$1" ]; then
        wc -c <"$1" | tr -d ' '
    else
        echo 0
    fi
}

# other_num A B: A and B are two different numbers (both non-empty).
other_num() {
    [ -n "$1" ] && [ -n "$2" ] && [ $(($1)) -ne $(($2)) ]
}

# frames_file FILE N: FILE holds at least N whole trace frames of
# sizeof(mcd_trace_data_core_st) = 56 bytes (markers may add frames).
frames_file() {
    local n

    n=$(file_size "$1")
    [ $((n % 56)) -eq 0 ] && [ "$n" -ge $(($2 * 56)) ]
}

# pcs_in_program FILE: every pc of a text trace lies in the 1 MiB the
# program is linked into.
pcs_in_program() {
    local ts pc _

    while read -r ts pc _; do
        case $ts in '#'*) continue ;; esac
        if [ $((pc)) -lt $((START)) ] ||
            [ $((pc)) -ge $((START + 0x100000)) ]; then
            echo "  pc $pc outside the program"
            return 1
        fi
    done <"$1"
}

# ---- start the platform ----------------------------------------------------

START=$(sym _start)
BP=$(sym bp_here)
WT=$(sym watch_target)
WS=$(sym watch_store_insn)
WL=$(sym watch_load_insn)
for v in START BP WT WS WL; do
    if [ -z "${!v}" ]; then
        echo "FAIL: symbol for $v not found in $ELF"
        exit 1
    fi
done

"$VP" --name "$NAME" --halted "$ELF" >"$TMP/vp.log" 2>&1 &
vp_pid=$!
for _ in $(seq 100); do
    [ -S "$SOCK" ] && break
    if ! kill -0 "$vp_pid" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
if [ ! -S "$SOCK" ]; then
    echo "FAIL: mcdshm-vp did not publish $SOCK within 10 s; its log:"
    sed 's/^/  | /' "$TMP/vp.log"
    exit 1
fi

# ---- help and usage errors (no server needed) ------------------------------

run_bare --help
check "--help exits 0" rc_is 0
check "--help shows the usage" has '^usage: mcdshm'
check "--help lists the commands" has '^ +watch-run '

run_bare --version
check "--version exits 0" rc_is 0
check "--version names the tool" has '^mcdshm [0-9]'

COMMANDS="servers systems devices cores regs read write setreg dump run stop
step state break watch triggers delete run-to watch-run trace reset cmd uart
info"
for cmd in $COMMANDS; do
    run_bare "$cmd" --help
    check "$cmd --help exits 0" rc_is 0
    check "$cmd --help shows its usage" has "^usage: mcdshm $cmd"
done

run_bare
check "no command exits 2" rc_is 2
run_bare frobnicate
check "an unknown command exits 2" rc_is 2
check "an unknown command is named" has "unknown command 'frobnicate'"
run_bare --frobnicate cores
check "an unknown global option exits 2" rc_is 2
check "an unknown global option is named" has "'--frobnicate'"
run read 0x12zz
check "a bad number exits 2" rc_is 2
check "a bad number is named" has "ADDR '0x12zz' is not a number"
run read 0x80000000 12Q
check "a bad size exits 2" rc_is 2
check "a bad size is named" has "LEN '12Q'"
run read 0x80000000 0x10zz
check "trailing garbage exits 2" rc_is 2
run read --width 3 0x80000000
check "a bad --width exits 2" rc_is 2
check "a bad --width is named" has '--width 3'
run read --all 0x80000000
check "an option of another command exits 2" rc_is 2
check "an option of another command is named" has "unknown option '--all'"
run read
check "a missing argument exits 2" rc_is 2
check "a missing argument is named" has "missing argument ADDR"
run step 0
check "step 0 exits 2" rc_is 2
run write 0x80000000 abc
check "odd HEXBYTES exit 2" rc_is 2
run trace --ms 5 --instructions 5 "$WORK/x"
check "trace --ms with --instructions exits 2" rc_is 2
run delete
check "delete without ID or --all exits 2" rc_is 2

# ---- discovery -------------------------------------------------------------

run servers
check "servers exits 0" rc_is 0
check "servers lists $NAME" has "(^| )$NAME( |$)"

run_bare cores
check "cores without -s uses the first live server" rc_is 0

run systems
check "systems exits 0" rc_is 0
check "systems lists mcdshm-vp" has "mcdshm-vp"
run devices
check "devices lists rv64im-4hart" has "rv64im-4hart"

run cores
check "cores exits 0" rc_is 0
check "cores lists 4 harts" [ "$(grep -cE '^[0-9]+ +hart[0-9]+ ' <<<"$out" ||
    true)" -eq 4 ]
check "cores lists hart0..hart3" has '^3 +hart3 +3 '
check "cores shows the device" has 'rv64im-4hart'

run info
check "info exits 0" rc_is 0
check "info lists the memory spaces" has "'phys'"
check "info lists the register groups" has "'gpr'"
check "info gives the max payload" has '^max payload: [0-9]+'

run -C 9 state
check "-C beyond the cores exits 2" rc_is 2
run -C nosuchcore state
check "-C with an unknown name exits 2" rc_is 2

# ---- registers -------------------------------------------------------------

run regs
check "regs exits 0" rc_is 0
check "regs shows pc" has '^pc += 0x[0-9a-f]{16}$'
check "regs shows sp" has '^sp += 0x'
check "regs starts halted at _start" same_num "$(first_pc)" "$START"

run regs pc
check "regs pc shows only pc" [ "$(wc -l <<<"$out")" -eq 1 ]
run regs nosuchreg
check "regs with an unknown name exits 2" rc_is 2

run -C hart2 regs pc
check "-C hart2 reads hart2" rc_is 0
run -C 1 state
check "-C 1 selects hart1" has '^hart1: '

run setreg s1 0x1234abcd
check "setreg exits 0" rc_is 0
run regs s1
check "setreg wrote the register" has '^s1 += 0x0*1234abcd$'

# ---- memory ----------------------------------------------------------------

run write $SCRATCH deadbeef01020304
check "write HEXBYTES exits 0" rc_is 0
rc=0
"$CLI" -s "$NAME" read --raw $SCRATCH 8 >"$WORK/raw.bin" 2>"$WORK/err" ||
    rc=$?
last="mcdshm read --raw $SCRATCH 8"
out=$(cat "$WORK/err")
check "read --raw exits 0" rc_is 0
check "write/read round trip" [ "$(hexbytes "$WORK/raw.bin")" = \
    deadbeef01020304 ]
run read $SCRATCH 8
check "read shows a hex dump" has '^80400000: de ad be ef 01 02 03 04'

run write $SCRATCH --u32 0x12345678
check "write --u32 exits 0" rc_is 0
run read --width 4 $SCRATCH 4
check "read --width 4 shows the word" has '^80400000: 12345678'
run write $((SCRATCH + 8)) --u64 0x1122334455667788
check "write --u64 exits 0" rc_is 0
"$CLI" -s "$NAME" read --raw $((SCRATCH + 8)) 8 >"$WORK/raw.bin" || true
check "--u64 is stored little endian" [ "$(hexbytes "$WORK/raw.bin")" = \
    8877665544332211 ]

run read $UNMAPPED 16
check "reading unmapped memory exits 1" rc_is 1
check "reading unmapped memory is refused from the memory map" \
    has "0x40000000 is in no memory block of space"
run read --space regs 0x1f00 16
check "reading a register that does not exist exits 1" rc_is 1
check "an MCD error is shown by name, then its code" \
    has '^mcdshm: mcd_execute_txlist_f: .+ \(MCD_ERR_TXLIST_READ 0x2100\)$'

# ---- dump ------------------------------------------------------------------

run dump 0x80000000 1M "$WORK/dump.bin"
check "dump 1M exits 0" rc_is 0
check "dump reports size, time and rate" \
    has '^dumped 1048576 bytes in [0-9.]+ s \([0-9.]+ MB/s\)$'
check "dump writes 1 MiB" [ "$(file_size "$WORK/dump.bin")" -eq 1048576 ]
"$CLI" -s "$NAME" read --raw 0x80000000 4096 >"$WORK/r1.bin" || true
check "dump equals read at the start" cmp -s "$WORK/r1.bin" \
    <(head -c 4096 "$WORK/dump.bin")
"$CLI" -s "$NAME" read --raw 0x800ff000 4096 >"$WORK/r2.bin" || true
check "dump equals read at the end" cmp -s "$WORK/r2.bin" \
    <(tail -c 4096 "$WORK/dump.bin")
check "dump piped shows no progress bar" lacks '%'

run -q dump $SCRATCH 64K "$WORK/dump64.bin"
check "dump 64K exits 0" rc_is 0
check "dump -q prints nothing" [ -z "$out" ]
check "dump 64K writes 65536 bytes" \
    [ "$(file_size "$WORK/dump64.bin")" -eq 65536 ]
head -c 16 "$WORK/dump64.bin" >"$WORK/head.bin" 2>/dev/null || true
check "dump carries the written bytes" [ "$(hexbytes "$WORK/head.bin")" = \
    78563412010203048877665544332211 ]

# Half of this range lies past the end of RAM: refused before any read
# (test_dump.sh checks failures mid-dump and --keep-partial).
run dump $((RAM_END - 0x80000)) 1M "$WORK/fail.bin"
check "dump past RAM exits 1" rc_is 1
check "dump past RAM names the end of RAM" \
    has 'runs past the end of memory block .* at 0x87ffffff'
check "dump past RAM creates no file" [ ! -e "$WORK/fail.bin" ]

# ---- execution -------------------------------------------------------------

run regs pc
pc0=$(first_pc)
run step 5
check "step 5 exits 0" rc_is 0
pc1=$(first_pc)
check "step 5 shows the pc" [ -n "$pc1" ]
check "step 5 advances the pc" other_num "$pc0" "$pc1"
run regs pc
check "step 5 leaves the pc it showed" same_num "$(first_pc)" "$pc1"

run run-to "$BP"
check "run-to bp_here exits 0" rc_is 0
check "run-to stops at bp_here" same_num "$(first_pc)" "$BP"
check "run-to names the trigger" has 'by trigger [0-9]+'
run regs pc
check "the core stays at bp_here" same_num "$(first_pc)" "$BP"
run triggers
check "run-to removed its breakpoint" has 'no triggers'

run run-to "$BP"
check "run-to bp_here again goes round the loop" same_num "$(first_pc)" "$BP"

run watch-run "$WT" 8
check "watch-run exits 0" rc_is 0
check "watch-run (write) stops at the store" same_num "$(first_pc)" "$WS"
run watch-run --read "$WT" 8
check "watch-run --read exits 0" rc_is 0
check "watch-run --read stops at the load" same_num "$(first_pc)" "$WL"

run state
check "state exits 0" rc_is 0
check "state shows a stopped hart0 and its pc" \
    has "^hart0: DEBUG, pc 0x0*${WL#0x}"
run state --all
check "state --all shows 4 harts" [ "$(grep -cE '^hart[0-9]+: ' <<<"$out" ||
    true)" -eq 4 ]

run run-to --timeout-ms 200 "$(sym trap_entry)"
check "run-to that never arrives exits 1" rc_is 1
check "run-to that never arrives says it timed out" has 'timed out'
run state
check "a timed-out run-to leaves the core stopped" has '^hart0: DEBUG'

run run
check "run exits 0" rc_is 0
run state
check "state shows the core running" has '^hart0: RUNNING'
run stop
check "stop exits 0" rc_is 0
run state
check "stop stops the core" has '^hart0: DEBUG'

run break "$BP"
check "break exits 0" rc_is 0
check "break shows the trigger id" has '^breakpoint [0-9]+ at '
run delete 99
check "deleting an unknown trigger exits 1" rc_is 1
check "deleting an unknown trigger shows the MCD error" \
    has 'mcd_remove_trig_f: .+ \(MCD_ERR_[A-Z_]+ 0x'

# ---- trace -----------------------------------------------------------------

run trace --instructions 1000 "$WORK/trace.txt"
check "trace exits 0" rc_is 0
check "trace reports the frames" has '^traced 1000 instructions'
check "trace writes 1000 instruction lines" \
    [ "$(grep -vc '^#' "$WORK/trace.txt" || true)" -eq 1000 ]
check "trace lines are 'timestamp pc insn'" [ "$(grep -v '^#' \
    "$WORK/trace.txt" | grep -cvE '^[0-9]+ 0x[0-9a-f]{16} 0x[0-9a-f]+$' ||
    true)" -eq 0 ]
check "trace pcs lie in the program" pcs_in_program "$WORK/trace.txt"
run -q trace --binary --instructions 100 "$WORK/trace.bin"
check "trace --binary exits 0" rc_is 0
check "trace --binary writes whole 56-byte frames" frames_file \
    "$WORK/trace.bin" 100

# ---- reset, cmd, uart ------------------------------------------------------

run reset --list
check "reset --list exits 0" rc_is 0
check "reset --list shows class 0" has '^0: '
check "reset --list names the system reset" grep -qi 'system reset' <<<"$out"

run cmd help
check "cmd help exits 0" rc_is 0
check "cmd help prints something" [ -n "$out" ]

run uart --timeout-ms 100
check "uart --receive exits 0" rc_is 0

run run --all
check "run --all exits 0" rc_is 0
run stop --all
check "stop --all exits 0" rc_is 0
run state --all
check "stop --all stops every hart" [ "$(grep -cE '^hart[0-9]+: DEBUG' \
    <<<"$out" || true)" -eq 4 ]

run reset --halt
check "reset --halt exits 0" rc_is 0
run regs pc
check "reset puts hart0 back at _start" same_num "$(first_pc)" "$START"

# ---- a careful tool (issue 14, deliverable 6) -----------------------------

MAIN=$(sym main)
# ELF symbols: the target's own program by default, or --elf.
run run-to main
check "run-to main exits 0" rc_is 0
run regs pc
check "run-to main stops at main" same_num "$(first_pc)" "$MAIN"
run read main 16
check "read SYMBOL exits 0" rc_is 0
check "read SYMBOL reads at the symbol" has "^$(printf '%x' $((MAIN))): "
run --elf "$ELF" read main+16 16
check "--elf FILE with SYMBOL+OFFSET exits 0" rc_is 0
check "SYMBOL+OFFSET adds the offset" \
    has "^$(printf '%x' $((MAIN + 16))): "
run read no_such_symbol
check "an unknown symbol exits 2" rc_is 2
check "an unknown symbol is named with the file" \
    has "no symbol 'no_such_symbol' in .*test_prog.elf"
run --elf "$WORK/none.elf" read main
check "--elf of a missing file exits 2" rc_is 2
check "--elf of a missing file says so" has "cannot read the ELF file"

# Registers: x0..x31 and the ABI names.
run setreg x5 0x1234
check "setreg x5 exits 0" rc_is 0
run regs t0
check "x5 is t0" has '^t0 += 0x0*1234$'
run regs x2 fp
check "regs x2 fp exits 0" rc_is 0
check "x2 is sp" has '^sp +='
check "fp is s0" has '^s0 +='

# A misaligned pc is refused before anything runs or is written.
run regs pc
pc_before=$(first_pc)
t0=$(date +%s%N)
run run-to $((MAIN + 2))
t1=$(date +%s%N)
check "run-to a misaligned address exits 2" rc_is 2
check "run-to a misaligned address names the alignment" \
    has 'not a multiple of 4, the instruction alignment'
check "run-to a misaligned address does not wait for a time-out" \
    [ $(((t1 - t0) / 1000000)) -lt 5000 ]
run setreg pc $((MAIN + 2))
check "setreg pc misaligned exits 2" rc_is 2
run regs pc
check "setreg pc misaligned leaves the pc" same_num "$(first_pc)" \
    "$pc_before"

# Lengths against the memory map, before anything streams.
run read 0x80000000 2G
check "read past the end of RAM exits 1" rc_is 1
check "read past the end of RAM names where RAM ends" has 'at 0x87ffffff'
check "read past the end of RAM streams nothing" lacks '^80000000: '
run write $((RAM_END - 2)) aabbccdd
check "write past the end of RAM exits 1" rc_is 1
check "write past the end of RAM names where RAM ends" has 'at 0x87ffffff'

# help
run_bare help
check "help exits 0" rc_is 0
check "help lists the commands" has '^ +watch-run '
run_bare help read
check "help read exits 0" rc_is 0
check "help read shows its usage" has '^usage: mcdshm read'
run_bare help frobnicate
check "help of an unknown command exits 2" rc_is 2

# Config: a bad value is a usage error, an unknown key a warning.
run -c McdShmPolicy=fast cores
check "-c McdShmPolicy=fast exits 2" rc_is 2
check "-c McdShmPolicy=fast names the value" has "McdShmPolicy value 'fast'"
run -c McdShmTimeoutMs=soon cores
check "-c McdShmTimeoutMs=soon exits 2" rc_is 2
run -c McdShmPolcy=busy cores
check "an unknown config key is no error" rc_is 0
check "an unknown config key names the nearest known key" \
    has "unknown config key 'McdShmPolcy'.*did you mean McdShmPolicy"

# uart --new: only what arrives from now on (demo.elf prints on the UART).
DEMO=$PROGS/demo.elf
DNAME=clidemo-$$
"$VP" --name "$DNAME" --harts 2 "$DEMO" >"$TMP/demo.log" 2>&1 &
demo_pid=$!
for _ in $(seq 100); do
    [ -S "$RT/$DNAME.sock" ] && break
    sleep 0.1
done
sleep 0.5
last="mcdshm -s $DNAME stop --all"
"$CLI" -s "$DNAME" stop --all >/dev/null 2>&1 || true
last="mcdshm -s $DNAME uart --new --timeout-ms 200"
rc=0
out=$("$CLI" -s "$DNAME" uart --new --timeout-ms 200 2>&1) || rc=$?
check "uart --new exits 0" rc_is 0
check "uart --new drops what was buffered" has 'dropped [0-9]+ byte'
check "uart --new shows nothing from before" lacks 'hello from hart'
"$CLI" -s "$DNAME" run --all >/dev/null 2>&1 || true
sleep 0.5
"$CLI" -s "$DNAME" stop --all >/dev/null 2>&1 || true
last="mcdshm -s $DNAME uart --timeout-ms 200"
rc=0
out=$("$CLI" -s "$DNAME" uart --timeout-ms 200 2>&1) || rc=$?
check "uart without --new shows what the target printed" \
    has 'hello from hart'
kill -TERM "$demo_pid" 2>/dev/null || true
wait "$demo_pid" 2>/dev/null || true
demo_pid=

# mcdshm-relay refuses a server that does not answer.
if [ -n "$RELAY" ]; then
    last="mcdshm-relay --server nope --plain"
    rc=0
    out=$(timeout 10 "$RELAY" --server nope --plain \
        --listen tcp://127.0.0.1:0 2>&1) || rc=$?
    check "mcdshm-relay --server nope exits 1" rc_is 1
    check "mcdshm-relay --server nope says why" \
        has "server 'nope' does not answer"
fi

# ---- no server -------------------------------------------------------------

last="mcdshm -s nosuch cores"
rc=0
out=$("$CLI" -s nosuch cores 2>&1) || rc=$?
check "-s nosuch exits 3" rc_is 3
check "-s nosuch says so" has 'could not connect'
check "-s nosuch lists the live servers" has "^mcdshm: live servers: .*$NAME"

check "mcdshm-vp is still running" kill -0 "$vp_pid"

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
