#!/usr/bin/env python3
"""hostile.py - hostile remote-protocol input to mcdshm-gdbserver.

Usage: hostile.py HOST:PORT

Talks to the bridge over a raw socket, in acknowledgement mode, and checks
that each bad packet gets what the remote protocol prescribes: a bad
checksum and an oversized packet are NAKed ('-'), an unknown packet gets
the empty reply, a malformed known packet an E reply, noise between packets
is ignored, a connection cut in the middle of a packet ends only that
session, and a second gdb while one is connected is refused.  After each
abuse a valid packet must still be answered.  Prints one line per failed
check; exits 1 if any failed.  Every read is bounded (30 s).
"""
import socket
import sys

WAIT_S = 30
failed = []


def check(ok, what):
    if not ok:
        failed.append(what)
        print("FAIL: hostile: " + what)


def frame(payload):
    if isinstance(payload, str):
        payload = payload.encode()
    return b"$" + payload + b"#%02x" % (sum(payload) & 0xff)


class Conn:
    def __init__(self, addr):
        host, port = addr.rsplit(":", 1)
        self.s = socket.create_connection((host, int(port)), timeout=WAIT_S)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def byte(self):
        while not self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("the bridge closed the connection")
            self.buf += chunk
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def packet(self):
        """The next packet's payload, skipping acks; acks seen are kept."""
        self.acks = b""
        while True:
            b = self.byte()
            if b == b"$":
                break
            self.acks += b
        data = b""
        while True:
            b = self.byte()
            if b == b"#":
                break
            data += b
        cs = self.byte() + self.byte()
        check(int(cs, 16) == sum(data) & 0xff,
              "the bridge's checksum is wrong for %r" % data[:40])
        self.send(b"+")
        return data.decode(errors="replace")

    def ask(self, payload):
        self.send(frame(payload))
        return self.packet()

    def close(self):
        self.s.close()


def alive(c, what):
    r = c.ask("qfThreadInfo")
    check(r.startswith("m1"), "after %s: qfThreadInfo answered %r" % (what, r))


def main():
    if len(sys.argv) != 2:
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    addr = sys.argv[1]
    try:
        c = Conn(addr)
        alive(c, "connecting")

        # A bad checksum: NAK, and the packet is not acted on.
        c.send(b"$qfThreadInfo#00")
        check(c.byte() == b"-", "a bad checksum was not NAKed")
        alive(c, "a bad checksum")
        c.send(b"$qfThreadInfo#zz")
        check(c.byte() == b"-", "a checksum of non-hex digits was not NAKed")

        # Unknown packets: the empty reply.
        for p in ["jabberwocky", "vFrobnicate:1", "qNoSuchQuery", "!"]:
            check(c.ask(p) == "", "unknown packet %r not answered empty" % p)

        # Malformed known packets: an error reply.
        for p in ["m80000000", "mzz,4", "m80000000,ffffffffffffffffff",
                  "m80000000,7fffffff", "M80000000,4:zz", "M80000000,4:00",
                  "X80000000,10:ab", "Hg999", "Hx1", "P0=zz", "P9999=00",
                  "G00", "Z9,0,0", "Z0", "z0,1234,4", "vCont;x",
                  "vCont;c:999", "qRcmd,zzz", "qRcmd,6",
                  "qXfer:features:read:target.xml:zz", "T999", "p",
                  "ffffffffffffffffffffffffffffffffffffffff"]:
            r = c.ask(p)
            check(r.startswith("E") or (p[0] == "f" and r == ""),
                  "malformed %r answered %r" % (p, r))
        alive(c, "malformed packets")

        # Noise between packets is ignored.
        c.send(b"garbage \x00\xff+++ noise")
        alive(c, "noise")

        # A '$' inside a packet starts it again.
        c.send(b"$qfThr" + frame("qfThreadInfo"))
        r = c.packet()
        check(r.startswith("m1"), "a restarted packet answered %r" % r)

        # An oversized packet (over PacketSize) is NAKed.
        c.send(b"$" + b"A" * (2 << 20) + b"#00")
        got = b""
        while b"-" not in got:
            got += c.byte()
        check(b"-" in got, "an oversized packet was not NAKed")
        alive(c, "an oversized packet")

        # A second gdb while this one is on is refused.
        d = Conn(addr)
        r = d.packet()
        check(r.startswith("E"), "a second connection answered %r" % r)
        d.close()
        alive(c, "a refused second connection")

        # A connection cut in the middle of a packet.
        c.send(b"$m80000000,1")
        c.close()

        c = Conn(addr)
        alive(c, "a truncated packet")
        c.send(frame("D"))
        check(c.packet() == "OK", "detach not answered OK")
        c.close()
    except (OSError, EOFError, ValueError) as e:
        check(False, "connection: %s" % e)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
