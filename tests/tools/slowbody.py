#!/usr/bin/python3
"""slowbody.py - request bodies that arrive slowly, or not at all.

usage: slowbody.py PID PORT CA_FILE SERVER_NAME MODE N WAIT

Opens N TLS connections to PORT (wsusd, process PID), each a POST to
ClientWebService declaring a 4 MiB body, and prints the daemon's VmRSS
before, at its peak and at the end, and what became of each connection:

  preauth  SOAPAction GetConfig (an operation before any cookie);
  trickle  SOAPAction SyncUpdates (the large cap).

Each connection sends its headers and waits a second for an early answer
(a refusal before the body); if none, it sends all but the last 100 body
bytes at once, then one byte a second for WAIT seconds (the body never
completes).

Lines (parsed by t_slowbody.sh):
  rss before=KB peak=KB end=KB growth=KB
  conns n=N answered=A closed=C statuses=S1,S2,... first_close=S last_close=S
(statuses: status line seen -> connections, "-" = closed without one
(a reset can swallow the answer to a sender still sending);
first/last_close: seconds from the start of the trickle to each
connection's close as seen by the client; -1 if none closed).
"""
import select
import socket
import ssl
import sys
import threading
import time

CNS = "http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService"
SIZE = 4 << 20
TAIL = 100


def rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Conn:
    def __init__(self, port, ctx, name, op):
        s = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.s = ctx.wrap_socket(s, server_hostname=name)
        self.op, self.data, self.closed_at, self.error = op, b"", None, None

    def start(self, send_bytes, t0):
        head = ("POST /ClientWebService/client.asmx HTTP/1.1\r\nHost: wsus\r\nContent-Type: text/xml\r\n"
                "SOAPAction: \"%s/%s\"\r\nContent-Length: %d\r\n\r\n" % (CNS, self.op, SIZE)).encode()
        try:
            self.s.sendall(head)
            end = time.monotonic() + 1
            while time.monotonic() < end and self.closed_at is None:
                self.poll(t0)
                time.sleep(0.05)
            if self.data or self.closed_at is not None:
                return
            chunk = b"x" * 65536
            left = send_bytes
            while left > 0:
                n = self.s.send(chunk[:min(left, len(chunk))])
                left -= n
        except OSError as e:
            self.error = str(e)

    def poll(self, t0):
        """Read what is there without blocking; note the close."""
        if self.closed_at is not None:
            return
        try:
            while True:
                r, _, _ = select.select([self.s], [], [], 0)
                if not r and not self.s.pending():
                    return
                b = self.s.recv(65536)
                if not b:
                    self.closed_at = time.monotonic() - t0
                    return
                self.data += b
        except (ssl.SSLWantReadError, BlockingIOError):
            return
        except OSError:
            self.closed_at = time.monotonic() - t0

    def status(self):
        line = self.data.split(b"\r\n", 1)[0].decode(errors="replace")
        parts = line.split()
        return parts[1] if len(parts) > 1 and parts[0].startswith("HTTP/") else "-"


def main():
    pid, port, ca, name, mode, n, wait = (int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4],
                                          sys.argv[5], int(sys.argv[6]), float(sys.argv[7]))
    ctx = ssl.create_default_context(cafile=ca)
    before = rss(pid)
    peak = [before]
    stop = threading.Event()

    def sampler():
        while not stop.is_set():
            peak[0] = max(peak[0], rss(pid))
            time.sleep(0.2)
    threading.Thread(target=sampler, daemon=True).start()

    op = "GetConfig" if mode == "preauth" else "SyncUpdates"
    conns = [Conn(port, ctx, name, op) for _ in range(n)]
    t_open = time.monotonic()
    threads = [threading.Thread(target=c.start, args=(SIZE - TAIL, t_open)) for c in conns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    t0 = time.monotonic()
    end = t0 + wait
    while time.monotonic() < end:
        for c in conns:
            c.poll(t0)
            if c.closed_at is None:
                try:
                    c.s.send(b"x")
                except OSError:
                    c.poll(t0)
                    if c.closed_at is None:
                        c.closed_at = time.monotonic() - t0
        if all(c.closed_at is not None for c in conns):
            break
        time.sleep(1.0)
    for c in conns:
        c.poll(t0)
    time.sleep(0.5)
    stop.set()
    endrss = rss(pid)
    closes = sorted(c.closed_at for c in conns if c.closed_at is not None)
    print("rss before=%d peak=%d end=%d growth=%d" % (before, peak[0], endrss, peak[0] - before), flush=True)
    counts = {}
    for c in conns:
        counts[c.status()] = counts.get(c.status(), 0) + 1
    print("conns n=%d answered=%d closed=%d statuses=%s first_close=%.1f last_close=%.1f" % (
        n, sum(1 for c in conns if c.status() != "-"), len(closes),
        ",".join("%s:%d" % kv for kv in sorted(counts.items())),
        closes[0] if closes else -1, closes[-1] if closes else -1), flush=True)
    for c in conns:
        c.s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
