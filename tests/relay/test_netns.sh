#!/usr/bin/env bash
# test_netns.sh - a remote debugger on a test host of its own: a network
# namespace made here, joined to this host by a veth pair with addresses of
# its own; the debugger (relay_probe) runs inside it and reaches
# mcdshm-relay across the link.  The link is cut while a call is in flight
# (MCD_ERR_CONNECTION within the heartbeat bound, and the relay releases
# the session), then restored (a new debugger works again).
#
# Usage: test_netns.sh MCDSHM_VP MCDSHM_RELAY RELAY_PROBE VP_ELF
# Needs root and iproute2; otherwise exits 77 (skipped) saying why.
set -euo pipefail

if [ $# -ne 4 ]; then
    sed -n '9p' "$0" | sed 's/^# //' >&2
    exit 2
fi
vp=$1
relay=$2
probe=$3
elf=$4

skip() {
    echo "SKIP: test_netns.sh: $*" >&2
    echo "SKIP: the network-namespace test did NOT run" >&2
    exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root to create network namespaces"
command -v ip >/dev/null || skip "'ip' (iproute2) is not installed"

id=$$
ns=mcdshm-dbg-$id
hv=mcv${id}h   # host end of the veth pair (<= 15 characters)
dv=mcv${id}d   # the debugger's end
net=10.213.$((id % 250 + 1))
host_ip=$net.1
dbg_ip=$net.2
port=$((20000 + id % 30000))
dir=$(mktemp -d "${TMPDIR:-/tmp}/mcdshm-netns.XXXXXX")
vp_pid=
relay_pid=
probe_pid=

stop() {
    [ -n "$1" ] || return 0
    kill -TERM "$1" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
cleanup() {
    stop "$probe_pid"
    stop "$relay_pid"
    stop "$vp_pid"
    ip link del "$hv" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    for f in "$dir"/*.log; do
        echo "--- $f" >&2
        cat "$f" >&2
    done
    exit 1
}

ip netns add "$ns" 2>"$dir/ip.log" ||
    skip "cannot create a network namespace: $(cat "$dir/ip.log")"
ip link add "$hv" type veth peer name "$dv" 2>"$dir/ip.log" ||
    skip "cannot create a veth pair: $(cat "$dir/ip.log")"
ip link set "$dv" netns "$ns"
ip addr add "$host_ip/24" dev "$hv"
ip link set "$hv" up
ip netns exec "$ns" ip addr add "$dbg_ip/24" dev "$dv"
ip netns exec "$ns" ip link set "$dv" up
ip netns exec "$ns" ip link set lo up

export MCDSHM_RUNTIME_DIR=$dir
"$vp" --halted --name netns "$elf" >"$dir/vp.log" 2>&1 &
vp_pid=$!
for _ in $(seq 100); do [ -S "$dir/netns.sock" ] && break; sleep 0.1; done
[ -S "$dir/netns.sock" ] || fail "mcdshm-vp did not come up"
"$relay" --endpoint "$dir/netns.sock" --listen "tcp://$host_ip:$port" \
    --plain --heartbeat-ms 1000 >"$dir/relay.log" 2>&1 &
relay_pid=$!
sleep 0.3
kill -0 "$relay_pid" 2>/dev/null || fail "mcdshm-relay did not start"

cfg="McdShmRelay=\"tcp://$host_ip:$port\" McdShmRelayPlain=TRUE McdShmRelayTimeoutMs=1000"

# 1. The debugger on its own host reaches the server through the relay.
ip netns exec "$ns" "$probe" "$cfg" 20 >"$dir/probe1.log" 2>&1 ||
    fail "a debugger in $ns could not read through the relay"
grep -q "^ok 20$" "$dir/probe1.log" || fail "20 reads expected"
grep -q "session 1 (${dbg_ip})" "$dir/relay.log" ||
    fail "the relay did not see the debugger at $dbg_ip"
echo "PASS: 20 x 1 MiB reads from $dbg_ip ($ns) through tcp://$host_ip:$port"

# 2. Cut the link in the middle of reads.
ip netns exec "$ns" "$probe" "$cfg" 0 >"$dir/probe2.log" 2>&1 &
probe_pid=$!
for _ in $(seq 100); do
    grep -q "^ok 5$" "$dir/probe2.log" 2>/dev/null && break
    sleep 0.05
done
grep -q "^ok 5$" "$dir/probe2.log" || fail "the probe did not get going"
cut=$(date +%s%N)
ip link set "$hv" down
rc=0
for _ in $(seq 100); do
    kill -0 "$probe_pid" 2>/dev/null || break
    sleep 0.1
done
kill -0 "$probe_pid" 2>/dev/null && fail "the debugger hangs 10 s after the cut"
wait "$probe_pid" || rc=$?
probe_pid=
ended=$(date +%s%N)
ms=$(( (ended - cut) / 1000000 ))
[ $rc -eq 1 ] || fail "expected MCD_ERR_CONNECTION (exit 1), got exit $rc"
grep "^error 0x200 " "$dir/probe2.log" >&2 || fail "no MCD_ERR_CONNECTION"
[ $ms -lt 4000 ] || fail "MCD_ERR_CONNECTION $ms ms after the cut (bound 1000 ms + slack)"
echo "PASS: link cut mid-call: MCD_ERR_CONNECTION after $ms ms (McdShmRelayTimeoutMs=1000)"
for _ in $(seq 60); do
    grep -q "session 2 .* ended" "$dir/relay.log" && break
    sleep 0.1
done
grep "session 2 .* ended" "$dir/relay.log" >&2 ||
    fail "the relay did not release the cut debugger's session"
echo "PASS: the relay released the cut debugger's server connection"

# 3. Restore the link: a new debugger works again.
ip link set "$hv" up
ip netns exec "$ns" ip link set "$dv" up
# Wait until the relay's port is reachable from the namespace again.
for _ in $(seq 50); do
    ip netns exec "$ns" timeout 1 bash -c \
        "exec 3<>/dev/tcp/$host_ip/$port" 2>/dev/null && break
    sleep 0.1
done
ip netns exec "$ns" "$probe" "$cfg" 5 >"$dir/probe3.log" 2>&1 ||
    fail "no debugger could reach the relay after the link was restored"
echo "PASS: link restored: 5 reads through the relay again"
