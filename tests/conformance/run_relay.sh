#!/bin/sh
# run_relay.sh - run the MCD conformance suite against mcdshm-vp through
# mcdshm-relay over tcp://127.0.0.1 (the remote transport end to end).
#
# Usage: run_relay.sh MCDSHM_VP MCDSHM_RELAY LIBMCDSHM_SO TEST_PROG_ELF CONFORMANCE_BIN [ARGS]
#
# Starts "mcdshm-vp --halted" with its endpoint in a fresh private
# directory, then "mcdshm-relay --plain" on a free loopback port, and runs
# the suite with MCDSHM_CONFIG naming the relay (McdShmRelay=...), so every
# call travels debugger -> ZeroMQ/TCP -> relay -> shared memory -> vp.
# Both processes are stopped (by pid) and the directory removed on every
# exit path.  Exit status: the suite's, or 1 if a process does not come up.
set -eu

if [ $# -lt 5 ]; then
    sed -n '5p' "$0" | sed 's/^# //' >&2
    exit 2
fi
vp=$1
relay=$2
lib=$3
elf=$4
bin=$5
shift 5

name=conf-$$
dir=$(mktemp -d "${TMPDIR:-/tmp}/mcdshm-confr.XXXXXX")
sock=$dir/$name.sock
vp_pid=
relay_pid=

stop() {   # stop PID: SIGTERM, then SIGKILL after 5 s
    [ -n "$1" ] || return 0
    kill -TERM "$1" 2>/dev/null || true
    i=0
    while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
cleanup() {
    stop "$relay_pid"
    stop "$vp_pid"
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

MCDSHM_RUNTIME_DIR=$dir "$vp" --halted --name "$name" "$elf" \
    >"$dir/vp.log" 2>&1 &
vp_pid=$!
i=0
while [ ! -S "$sock" ]; do
    if ! kill -0 "$vp_pid" 2>/dev/null || [ $i -ge 100 ]; then
        echo "run_relay.sh: mcdshm-vp did not come up; its log:" >&2
        cat "$dir/vp.log" >&2
        exit 1
    fi
    sleep 0.1
    i=$((i + 1))
done

# A free port: try a few in the dynamic range until the relay binds one.
port=
for try in 1 2 3 4 5 6 7 8; do
    p=$(( 20000 + ($$ * 7 + try * 7919) % 40000 ))
    "$relay" --endpoint "$sock" --listen "tcp://127.0.0.1:$p" --plain \
        >"$dir/relay.log" 2>&1 &
    relay_pid=$!
    sleep 0.3
    if kill -0 "$relay_pid" 2>/dev/null; then
        port=$p
        break
    fi
    wait "$relay_pid" 2>/dev/null || true
    relay_pid=
done
if [ -z "$port" ]; then
    echo "run_relay.sh: mcdshm-relay did not start; its log:" >&2
    cat "$dir/relay.log" >&2
    exit 1
fi

export MCDSHM_RUNTIME_DIR="$dir"
export MCDSHM_LIB="$lib"
export MCDSHM_CONFIG="McdShmRelay=\"tcp://127.0.0.1:$port\" McdShmRelayPlain=TRUE"
export MCDSHM_TARGET=vp
export MCDSHM_TEST_ELF="$elf"

rc=0
"$bin" --jobs 1 "$@" || rc=$?
if [ $rc -ne 0 ]; then
    echo "run_relay.sh: the suite failed ($rc); the logs:" >&2
    cat "$dir/relay.log" "$dir/vp.log" >&2
fi
exit $rc
