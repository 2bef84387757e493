#!/bin/sh
# run_vp.sh - run the MCD conformance suite against mcdshm-vp.
#
# Usage: run_vp.sh [--running] [--plain] [--harts N] [--config STR] MCDSHM_VP LIBMCDSHM_SO TEST_PROG_ELF BIN [ARGS]
#
# Starts "mcdshm-vp --halted --name conf-<pid> TEST_PROG_ELF" with its
# endpoint in a fresh private directory (MCDSHM_RUNTIME_DIR), waits for its
# socket, then runs CONFORMANCE_BIN (with ARGS, e.g. --filter 'trig/*')
# with MCDSHM_LIB, MCDSHM_CONFIG, MCDSHM_TARGET=vp and MCDSHM_TEST_ELF set.
# --running starts the harts running (no --halted); --plain runs BIN with
# ARGS only (no --jobs 1: for programs that are not Criterion suites);
# --harts N gives the vp N harts instead of its default 4; --config STR
# adds STR to MCDSHM_CONFIG (e.g. McdShmWindow=FALSE).
# The vp is stopped (SIGTERM, then SIGKILL after 5 s) and the directory
# removed on every exit path.  Exit status: the suite's, or 1 if the vp
# does not come up (its log is shown).  Another platform that takes the
# same options runs the same way with CONF_TARGET set to its profile's
# name (run_sc.sh does that for the SystemC example).
set -eu

halted=--halted
jobs="--jobs 1"
harts=
extra=
while [ $# -gt 0 ]; do
    case $1 in
        --running) halted= ; shift ;;
        --plain) jobs= ; shift ;;
        --harts) harts="--harts $2" ; shift 2 ;;
        --config) extra=" $2" ; shift 2 ;;
        *) break ;;
    esac
done
if [ $# -lt 4 ]; then
    sed -n '4p' "$0" | sed 's/^# //' >&2
    exit 2
fi
vp=$1
lib=$2
elf=$3
bin=$4
shift 4
for f in "$vp" "$bin"; do
    [ -x "$f" ] || { echo "run_vp.sh: $f is not executable" >&2; exit 2; }
done
for f in "$lib" "$elf"; do
    [ -r "$f" ] || { echo "run_vp.sh: $f is not readable" >&2; exit 2; }
done

name=conf-$$
dir=$(mktemp -d "${TMPDIR:-/tmp}/mcdshm-conf.XXXXXX")
sock=$dir/$name.sock
log=$dir/vp.log
vp_pid=

# Stop the vp we started (by its pid only) and remove the directory.
cleanup() {
    if [ -n "$vp_pid" ] && kill -0 "$vp_pid" 2>/dev/null; then
        kill -TERM "$vp_pid" 2>/dev/null || true
        i=0
        while kill -0 "$vp_pid" 2>/dev/null && [ $i -lt 50 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        kill -KILL "$vp_pid" 2>/dev/null || true
        wait "$vp_pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

MCDSHM_RUNTIME_DIR=$dir "$vp" $halted $harts --name "$name" "$elf" >"$log" 2>&1 &
vp_pid=$!

# Wait up to 10 s for the socket; give up at once if the vp died.
i=0
while [ ! -S "$sock" ]; do
    if ! kill -0 "$vp_pid" 2>/dev/null || [ $i -ge 100 ]; then
        echo "run_vp.sh: $vp did not create $sock; its log:" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.1
    i=$((i + 1))
done

export MCDSHM_RUNTIME_DIR="$dir"
export MCDSHM_LIB="$lib"
export MCDSHM_CONFIG="McdShmEndpoint=\"$sock\"$extra"
export MCDSHM_TARGET=${CONF_TARGET:-vp}
export MCDSHM_TEST_ELF="$elf"

rc=0
"$bin" $jobs "$@" || rc=$?
if [ $rc -ne 0 ]; then
    echo "run_vp.sh: the suite failed ($rc); $vp's log:" >&2
    cat "$log" >&2
fi
exit $rc
