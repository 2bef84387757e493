#!/usr/bin/env python3
"""gdb_mi.py - non-stop mode through mcdshm-gdbserver, driven over gdb/MI.

Usage: gdb_mi.py GDB ELF HOST:PORT

gdb's CLI in batch mode does not process stop notifications between
commands, so non-stop is checked over the machine interface, which reports
every stop as a *stopped record.  Checks, against test_prog.elf (every hart
calls bp_here(), which counts in counter[hartid]):
  - with every thread running, -exec-interrupt --thread 1 stops thread 1
    only: -thread-info shows it stopped and the others running;
  - while thread 1 is stopped, counter[0] stays and counter[1..3] grow:
    the other harts keep running (their pc moves);
  - a breakpoint in watch_load (hart 0 only) stops thread 1 alone, and
    stepi there moves its pc while the others run;
  - -exec-continue --thread 1 resumes it.
Prints one line per failed check; exits 1 if any failed.  Every wait for a
record is bounded (60 s) so a broken bridge fails instead of hanging.
"""
import os
import re
import select
import subprocess
import sys
import time

WAIT_S = 60


class Mi:
    def __init__(self, gdb, elf):
        self.p = subprocess.Popen(
            [gdb, "--interpreter=mi2", "-nx", "-q", elf],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, bufsize=0)
        self.buf = b""
        self.lines = []
        self.log = []
        self.token = 100

    def _line(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from gdb")
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if r:
                chunk = os.read(self.p.stdout.fileno(), 65536)
                if not chunk:
                    raise EOFError("gdb exited")
                self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        line = line.decode(errors="replace").rstrip("\r")
        self.lines.append(line)
        self.log.append(line)
        return line

    def cmd(self, text):
        """Send a command; return its result record (^done, ^error...)."""
        self.token += 1
        tok = str(self.token)
        self.p.stdin.write((tok + text + "\n").encode())
        self.p.stdin.flush()
        deadline = time.monotonic() + WAIT_S
        while True:
            line = self._line(deadline)
            if line.startswith(tok + "^"):
                return line[len(tok):]

    def wait(self, pattern):
        """Wait for an out-of-band record matching pattern (a regex)."""
        for line in self.lines:
            if re.search(pattern, line):
                self.lines.remove(line)
                return line
        deadline = time.monotonic() + WAIT_S
        while True:
            line = self._line(deadline)
            if re.search(pattern, line):
                self.lines.remove(line)
                return line

    def value(self, thread, expr):
        r = self.cmd('-data-evaluate-expression --thread %d "%s"'
                     % (thread, expr))
        m = re.search(r'value="([^"]*)"', r)
        if not m:
            raise RuntimeError("%s: %s" % (expr, r))
        return m.group(1)

    def close(self):
        try:
            self.cmd("-target-detach")
            self.p.stdin.write(b"-gdb-exit\n")
            self.p.stdin.flush()
            self.p.wait(timeout=WAIT_S)
        except Exception:
            self.p.kill()


def main():
    if len(sys.argv) != 4:
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    gdb, elf, addr = sys.argv[1:]
    failed = []

    def check(ok, what):
        if not ok:
            failed.append(what)
            print("FAIL: non-stop: " + what)

    mi = Mi(gdb, elf)
    try:
        mi.cmd("-gdb-set mi-async on")
        mi.cmd("-gdb-set non-stop on")
        mi.cmd("-gdb-set pagination off")
        mi.cmd("-gdb-set confirm off")
        r = mi.cmd("-target-select remote " + addr)
        check(r.startswith("^connected"), "connect: " + r)
        # Every thread running: gdb may stop one at connect (then it says
        # so with a *stopped record); resume what is stopped.
        info = mi.cmd("-thread-info")
        for t, st in re.findall(r'\{id="(\d+)".*?state="(\w+)"', info):
            if st == "stopped":
                r = mi.cmd("-exec-continue --thread " + t)
                check(r.startswith("^running"), "continue %s: %s" % (t, r))
        mi.lines.clear()
        r = mi.cmd("-exec-interrupt --thread 1")
        check(r.startswith("^done"), "interrupt: " + r)
        mi.wait(r'^\*stopped.*thread-id="1"')
        info = mi.cmd("-thread-info")
        states = dict(re.findall(r'\{id="(\d+)".*?state="(\w+)"', info))
        check(states.get("1") == "stopped", "thread 1 not stopped: %s"
              % states)
        others = [t for t in states if t != "1"]
        check(others and all(states[t] == "running" for t in others),
              "the other threads are not all running: %s" % states)
        # The others make progress while thread 1 is stopped.
        c0 = mi.value(1, "counter[0]")
        busy = "counter[1] + counter[2] + counter[3]"
        c1 = mi.value(1, busy)
        deadline = time.monotonic() + WAIT_S
        while mi.value(1, busy) == c1 and time.monotonic() < deadline:
            time.sleep(0.05)
        check(mi.value(1, busy) != c1,
              "counter[1..3] did not move while thread 1 was stopped")
        check(mi.value(1, "counter[0]") == c0,
              "counter[0] moved while thread 1 was stopped")
        # A breakpoint in code only hart 0 runs stops thread 1 alone; stepi
        # there (gdb steps riscv with a breakpoint at the next insn, which
        # no other hart reaches) moves its pc while the others run.
        r = mi.cmd("-exec-continue --thread 1")
        check(r.startswith("^running"), "continue thread 1: " + r)
        r = mi.cmd("-break-insert watch_load")
        check(r.startswith("^done"), "break watch_load: " + r)
        mi.wait(r'^\*stopped,reason="breakpoint-hit".*thread-id="1"')
        mi.cmd("-break-delete")
        pc0 = int(mi.value(1, "$pc").split()[0], 0)
        r = mi.cmd("-exec-step-instruction --thread 1")
        check(r.startswith("^running"), "stepi: " + r)
        mi.wait(r'^\*stopped.*thread-id="1"')
        pc1 = int(mi.value(1, "$pc").split()[0], 0)
        check(pc1 != pc0, "stepi did not move the pc (0x%x)" % pc0)
        info = mi.cmd("-thread-info")
        states = dict(re.findall(r'\{id="(\d+)".*?state="(\w+)"', info))
        check(all(states[t] == "running" for t in others),
              "a thread stopped with thread 1's breakpoint: %s" % states)
        r = mi.cmd("-exec-continue --thread 1")
        check(r.startswith("^running"), "continue thread 1: " + r)
    except (TimeoutError, EOFError, RuntimeError) as e:
        check(False, "%s; gdb said:\n  %s" % (e, "\n  ".join(mi.log[-30:])))
    mi.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
