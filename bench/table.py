#!/usr/bin/env python3
"""Print the README's Performance tables (Markdown) from mcdshm-bench's CSV.

usage: bench/table.py bench/results/bench.csv

Every number comes from the CSV of one run; nothing is typed by hand.
Cells give the median of the repeats; [min-max] where the spread matters.
"""
import csv
import sys

rows = {}
order = []
for r in csv.DictReader(open(sys.argv[1])):
    key = (r["transport"], r["workload"], int(r["param"]))
    rows[key] = (float(r["median"]), float(r["min"]), float(r["max"]), r["unit"])
    if r["transport"] not in order:
        order.append(r["transport"])


def get(t, w, p=0):
    return rows.get((t, w, p))


def ns(v):
    if v >= 1e6:
        return "%.3g ms" % (v / 1e6)
    if v >= 1e3:
        return "%.3g µs" % (v / 1e3)
    return "%.0f ns" % v


def gbs(v):
    if v < 0.1:
        return "%.3g MB/s" % (v * 1e3)
    return "%.3g GB/s" % v


def cell(t, w, p=0, fmt=ns, spread=False):
    x = get(t, w, p)
    if not x:
        return "-"
    s = fmt(x[0])
    if spread:
        s += " [%s-%s]" % (fmt(x[1]), fmt(x[2]))
    return s


def pct(t, w):
    x = get(t, w)
    return "-" if not x else "%.2f %%" % x[0]


xports = [t for t in order if get(t, "rtt-p50")]
dump = next(p for (t, w, p) in rows if w == "dump")

print("Floor: cache-line ping-pong p50 %s (p99 %s); blocking eventfd "
      "ping-pong p50 %s; memcpy of %d MiB in one thread %s.\n" % (
          cell("floor", "pingpong-p50", spread=True),
          cell("floor", "pingpong-p99"), cell("floor", "eventfd-p50"),
          dump >> 20, cell("floor", "memcpy", dump, gbs, True)))

print("| transport | call p50 | call p99 | calls/s | 33 GPRs p50 | "
      "64-tx list p50 | %d MiB dump | idle CPU server / debugger | "
      "CPU under calls server / debugger |" % (dump >> 20))
print("|---|---|---|---|---|---|---|---|---|")
for t in xports:
    c = get(t, "calls")
    print("| %s | %s | %s | %s | %s | %s | %s | %s / %s | %s / %s |" % (
        t, cell(t, "rtt-p50", spread=True), cell(t, "rtt-p99"),
        "%.3g" % c[0] if c else "-", cell(t, "regs-p50", 33),
        cell(t, "txlist64-p50", 64), cell(t, "dump", dump, gbs, True),
        pct(t, "cpu-idle-server"), pct(t, "cpu-idle-client"),
        pct(t, "cpu-load-server"), pct(t, "cpu-load-client")))

sizes = sorted({p for (t, w, p) in rows if w == "read-rate"})
show = [s for s in sizes if s in (64, 4096, 65536, 1 << 20, 16 << 20)]


def size(s):
    return "%d MiB" % (s >> 20) if s >= 1 << 20 else (
        "%d KiB" % (s >> 10) if s >= 1024 else "%d B" % s)


print("\nOne memory read of each size (p50 round trip / rate):\n")
print("| transport | " + " | ".join(size(s) for s in show) + " |")
print("|---|" + "---|" * len(show))
for t in xports:
    print("| %s | %s |" % (t, " | ".join(
        "%s / %s" % (cell(t, "read-rtt-p50", s), cell(t, "read-rate", s, gbs))
        if get(t, "read-rate", s) else "-" for s in show)))

conns = sorted({p for (t, w, p) in rows if w == "conn-rtt-p50"})
if conns:
    print("\n`mcd_qry_state_f` with N debugger processes on one mcdshm-vp "
          "(both sides under one policy), then all dumping at once:\n")
    print("| policy | debuggers | p50 (median of the debuggers) | p99 (worst "
          "debugger) | dump, all together |")
    print("|---|---|---|---|---|")
    for t in [t for t in order if get(t, "conn-rtt-p50", 1)]:
        for n in conns:
            print("| %s | %d | %s | %s | %s |" % (
                t[7:], n, cell(t, "conn-rtt-p50", n),
                cell(t, "conn-rtt-p99", n, spread=True),
                cell(t, "conn-dump", n, gbs)))

tr = [t for t in order if get(t, "trace-frames")]
if tr:
    print("\nTrace streamed off a running hart (PIPE mode, "
          "`mcd_read_trace_f` in a loop for 1 s):\n")
    print("| transport | frames read per second | frames lost by the "
          "platform |")
    print("|---|---|---|")
    for t in tr:
        f = get(t, "trace-frames")
        print("| %s | %.3g [%.3g-%.3g] | %s |" % (
            t, f[0], f[1], f[2], pct(t, "trace-lost")))

if get("mcdshm-lanes", "trace-lane-frames"):
    print("\nTrace lanes: the synthetic producer in the server process hands "
          "numbered 56-byte core frames to `mcdshm_server_trace_put()`, the "
          "bench reads them with `mcd_read_trace_f` (PIPE, trace size "
          "524288 frames) and checks every one:\n")
    print("| figure | median [min-max] |")
    print("|---|---|")
    for w, text, unit in (
            ("trace-lane-frames", "frames/s delivered, producer waits for room", ""),
            ("trace-lane-20M", "frames/s delivered, producer paced at 20 M/s", ""),
            ("trace-lane-20M-lost", "frames lost at 20 M/s", " %"),
            ("trace-lane-miscount", "read + lost - produced (frames)", "")):
        f = get("mcdshm-lanes", w)
        print("| %s | %.3g%s [%.3g-%.3g] |" % (text, f[0], unit, f[1], f[2]))

rg = [t for t in order if get(t, "ring-rtt-p50", 64)]
if rg:
    print("\nThe bare ring (echo server, no MCD work):\n")
    print("| policy | round trip p50, 64 B / 256 B | p99, 64 B / 256 B | "
          "pipelined, 64 B / 256 B | idle server CPU |")
    print("|---|---|---|---|---|")
    for t in rg:
        th = [get(t, "ring-thru", s) for s in (64, 256)]
        print("| %s | %s / %s | %s / %s | %.3g / %.3g M records/s | %s |" % (
            t, cell(t, "ring-rtt-p50", 64), cell(t, "ring-rtt-p50", 256),
            cell(t, "ring-rtt-p99", 64), cell(t, "ring-rtt-p99", 256),
            th[0][0], th[1][0], pct(t, "cpu-idle-server")))

# The goals, as ratios of this run's medians (the "goal" rows).
GOALS = [
    ("small call p50 <= 2.5x the cache-line floor, busy", "busy-rtt-vs-floor", "<=", 2.5),
    ("small call p50 <= 2.5x the cache-line floor, hybrid", "hybrid-rtt-vs-floor", "<=", 2.5),
    ("QMP-style p50 >= 30x mcdshm's, busy", "qmp-rtt-vs-busy", ">=", 30),
    ("QMP-style p50 >= 30x mcdshm's, hybrid", "qmp-rtt-vs-hybrid", ">=", 30),
    ("Unix-socket RPC p50 >= 10x mcdshm's, busy", "rpc-unix-rtt-vs-busy", ">=", 10),
    ("Unix-socket RPC p50 >= 10x mcdshm's, hybrid", "rpc-unix-rtt-vs-hybrid", ">=", 10),
    ("64 MiB dump >= 0.9x memcpy through the direct window, busy", "busy-dump-vs-memcpy", ">=", 0.9),
    ("64 MiB dump >= 0.9x memcpy through the direct window, hybrid", "hybrid-dump-vs-memcpy", ">=", 0.9),
    ("64 MiB dump >= 0.8x memcpy through the rings (window off, hybrid)", "rings-dump-vs-memcpy", ">=", 0.8),
    ("64 MiB dump >= 500x the QMP-style one, busy", "busy-dump-vs-qmp", ">=", 500),
    ("64 MiB dump >= 500x the QMP-style one, hybrid", "hybrid-dump-vs-qmp", ">=", 500),
    ("64 MiB dump >= 3x the TCP RPC, busy", "busy-dump-vs-rpc-tcp", ">=", 3),
    ("64 MiB dump >= 3x the TCP RPC, hybrid", "hybrid-dump-vs-rpc-tcp", ">=", 3),
    ("read rate flat within 20 % from 1 to 16 MiB (slowest/fastest), busy", "busy-rate-flatness", ">=", 0.8),
    ("read rate flat within 20 % from 1 to 16 MiB (slowest/fastest), hybrid", "hybrid-rate-flatness", ">=", 0.8),
    ("p99 of each of 16 debuggers <= 20x one debugger's (worst of 16 / one), hybrid", "hybrid-conn-p99-vs-single", "<=", 20),
    ("p99 of each of 16 debuggers <= 20x one debugger's (worst of 16 / one), sleep", "sleep-conn-p99-vs-single", "<=", 20),
    ("relay 64 MiB dump >= the TCP RPC's", "relay-dump-vs-rpc-tcp", ">=", 1),
    ("QEMU: dump of the running guest >= 100x the gdbstub's", "qemu-dump-vs-gdbstub", ">=", 100),
    ("QEMU: dump of the running guest >= 0.5x memcpy", "qemu-dump-vs-memcpy", ">=", 0.5),
    ("trace lane: >= 20 M frames/s delivered (producer waits for room)", "trace-lane-vs-20M", ">=", 1.0),
    ("trace lane: 20 M frames/s delivered with the producer paced at 20 M/s", "trace-lane-paced-vs-20M", ">=", 0.99),
]
print("\n| goal | this run | |")
print("|---|---|---|")
for text, key, op, lim in GOALS:
    x = get("goal", key)
    if not x:
        print("| %s | not measured | |" % text)
        continue
    ok = x[0] <= lim if op == "<=" else x[0] >= lim
    print("| %s | %.3gx | %s |" % (text, x[0], "met" if ok else "**not met**"))
for text, w in (("trace lane: no frame lost at 20 M frames/s", "trace-lane-20M-lost"),
                ("trace lane: read + lost = produced, exactly", "trace-lane-miscount")):
    x = get("mcdshm-lanes", w)
    if x:
        print("| %s | %.3g | %s |" % (text, x[0], "met" if x[0] == 0 else "**not met**"))
for t in ("mcdshm-hybrid", "mcdshm-sleep"):
    for side, w in (("server", "cpu-idle-server"), ("debugger", "cpu-idle-client")):
        x = get(t, w)
        if x:
            print("| idle under 1 %% of a core, %s, %s | %.3f %% | %s |" % (
                t[7:], side, x[0], "met" if x[0] < 1 else "**not met**"))
