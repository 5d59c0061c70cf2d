#!/usr/bin/python3
"""framing.py - ambiguous request framing (RFC 9112 6.3) on both listeners.

usage: framing.py HTTP_PORT HTTPS_PORT CA_FILE SERVER_NAME

Sends raw requests over a plain socket (HTTP) and over Python's ssl
(HTTPS): two different Content-Length values, Content-Length with
Transfer-Encoding (chunked, and not), each followed by a second request
hidden where the other reading of the length would find it.  Each must be
answered 400 and the connection closed, so that nothing after it is read
as a request.  Controls: the same request with one Content-Length, and
two equal values, are answered normally on a connection that stays open.
TAP lines on stdout.
"""
import socket
import ssl
import sys

SOAP = "/ClientWebService/client.asmx"
ACTION = '"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/GetConfig"'
BODY = ('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        '<GetConfig xmlns="http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService">'
        '<protocolVersion>2.90</protocolVersion></GetConfig></s:Body></s:Envelope>')
# What a smuggler hides: a second request the server must never answer.
HIDDEN = "GET /Content/00/smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
failed = 0


def check(good, desc):
    global failed
    print(("ok" if good else "not ok") + " - " + desc, flush=True)
    failed += 0 if good else 1


def connect(port, tls, ca, name):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    if tls:
        ctx = ssl.create_default_context(cafile=ca)
        s = ctx.wrap_socket(s, server_hostname=name)
    return s


def exchange(port, tls, ca, name, raw):
    """Send raw; read until the server closes or 3 s of silence.  Returns
    (list of status codes seen, closed by the server)."""
    s = connect(port, tls, ca, name)
    s.sendall(raw.encode())
    s.settimeout(3)
    data, closed = b"", False
    try:
        while True:
            b = s.recv(65536)
            if not b:
                closed = True
                break
            data += b
    except (socket.timeout, TimeoutError):
        pass
    except (ConnectionResetError, ssl.SSLError, OSError):
        closed = True
    s.close()
    codes = [int(l.split()[1]) for l in data.decode(errors="replace").split("\r\n")
             if l.startswith("HTTP/1.") and len(l.split()) > 1]
    return codes, closed


def roundtrips(port, tls, ca, name, raws):
    """Send each request after the previous answer was read in full (by
    its Content-Length).  Returns (status codes, connection still open)."""
    s = connect(port, tls, ca, name)
    s.settimeout(5)
    codes, buf = [], b""
    try:
        for raw in raws:
            s.sendall(raw.encode())
            while b"\r\n\r\n" not in buf:
                b = s.recv(65536)
                if not b:
                    return codes, False
                buf += b
            hdr, buf = buf.split(b"\r\n\r\n", 1)
            lines = hdr.decode(errors="replace").split("\r\n")
            codes.append(int(lines[0].split()[1]))
            clen = [int(l.split(":", 1)[1]) for l in lines if l.lower().startswith("content-length:")]
            while len(buf) < (clen[0] if clen else 0):
                b = s.recv(65536)
                if not b:
                    return codes, False
                buf += b
            buf = buf[clen[0] if clen else 0:]
            if any(l.lower() == "connection: close" for l in lines):
                return codes, False
    except (OSError, ssl.SSLError):
        return codes, False
    s.close()
    return codes, True


def head(lines, body=""):
    return "POST %s HTTP/1.1\r\nHost: wsus\r\nContent-Type: text/xml\r\nSOAPAction: %s\r\n%s\r\n%s" % (
        SOAP, ACTION, "".join(l + "\r\n" for l in lines), body)


def main():
    http_port, https_port, ca, name = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    n = len(BODY)
    chunked = "%x\r\n%s\r\n0\r\n\r\n" % (n, BODY)
    cases = [
        ("two different Content-Length (body, then a hidden request)",
         head(["Content-Length: %d" % n, "Content-Length: %d" % (n + len(HIDDEN))], BODY + HIDDEN)),
        ("two different Content-Length, the larger first",
         head(["Content-Length: %d" % (n + len(HIDDEN)), "Content-Length: %d" % n], BODY + HIDDEN)),
        ("Content-Length with Transfer-Encoding: chunked",
         head(["Content-Length: %d" % len(chunked), "Transfer-Encoding: chunked"], chunked + HIDDEN)),
        ("Transfer-Encoding: chunked before Content-Length: 0 (hidden request in the chunks' place)",
         head(["Transfer-Encoding: chunked", "Content-Length: 0"], chunked + HIDDEN)),
        ("Content-Length with Transfer-Encoding: identity",
         head(["Content-Length: %d" % n, "Transfer-Encoding: identity"], BODY + HIDDEN)),
        ("a GET of /Content with Content-Length and Transfer-Encoding",
         "GET /Content/00/x HTTP/1.1\r\nHost: wsus\r\nContent-Length: 5\r\n"
         "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + HIDDEN),
    ]
    for tls, port in ((False, http_port), (True, https_port)):
        proto = "HTTPS" if tls else "HTTP"
        for desc, raw in cases:
            codes, closed = exchange(port, tls, ca, name, raw)
            check(codes == [400] and closed, "%s: %s: 400 and closed (got %s, %s)" % (
                proto, desc, codes, "closed" if closed else "left open"))
        # Controls: the same request framed once, twice the same value.
        good = head(["Content-Length: %d" % n], BODY)
        codes, is_open = roundtrips(port, tls, ca, name, [good, good])
        check(codes == [200, 200] and is_open, "%s: control: one Content-Length, two requests on one "
              "connection: both answered, kept open (got %s, %s)" % (proto, codes, "open" if is_open else "closed"))
        codes, closed = exchange(port, tls, ca, name, head(["Content-Length: %d" % n] * 2, BODY))
        check(codes == [200] and not closed, "%s: control: the same Content-Length twice is one length "
              "(got %s, %s)" % (proto, codes, "closed" if closed else "open"))
        codes, closed = exchange(port, tls, ca, name, head(["Transfer-Encoding: chunked"], chunked))
        check(codes == [200] and not closed, "%s: control: chunked alone is answered (got %s, %s)" % (
            proto, codes, "closed" if closed else "open"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
