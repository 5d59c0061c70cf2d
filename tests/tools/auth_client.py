#!/usr/bin/python3
"""auth_client.py CASE URL CA LOG [ARGS...] - independent clients of the
admin plane's authentication, printing TAP lines ("ok - ...", "not ok - ...").

CASE:
  ntlm USER PW            python3-requests-ntlm (HttpNtlmAuth, channel
                          bindings on) over HTTPS: gets in, the 401 count of
                          the exchange, the same connection reused without a
                          new exchange, a new connection starting over, and
                          the daemon's log saying the exchange was bound
  ntlm-refused USER PW    requests-ntlm with these credentials gets 401
  forged                  forged and malformed NTLM messages: 401/400, no crash
  delay USER BADPW GOODPW the delay after bad credentials grows, does not
                          hold other connections, and success resets it

Run with Debian's python3 (requests_ntlm); OPENSSL_CONF must enable the
legacy provider (MD4, which NTLM needs) - the test writes that file.
"""
import base64
import http.client
import os
import re
import socket
import ssl
import struct
import sys
import threading
import time

import requests
from requests_ntlm import HttpNtlmAuth

CASE, URL, CA, LOG = sys.argv[1:5]
ARGS = sys.argv[5:]
ACTION = '"http://www.microsoft.com/SoftwareDistribution/Server/ApiRemotingWebService/NoSuchOperation"'
BODY = ('<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap='
        '"http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><NoSuchOperation '
        'xmlns="http://www.microsoft.com/SoftwareDistribution/Server/ApiRemotingWebService"/>'
        '</soap:Body></soap:Envelope>')
HEADERS = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": ACTION}
m = re.match(r"https://([^:/]+):(\d+)(/.*)", URL)
HOST, PORT, PATH = m.group(1), int(m.group(2)), m.group(3)
fails = 0


def tap(cond, what):
    global fails
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        fails += 1


def log_count(pattern):
    with open(LOG, errors="replace") as f:
        return sum(1 for line in f if re.search(pattern, line))


def reached_webservices(r):
    """An authenticated request reaches webservices: its SOAP answer (a
    fault for this unknown operation), never the auth gate's HTML."""
    return r.status_code in (200, 500) and b"Fault" in r.content


def conn():
    ctx = ssl.create_default_context(cafile=CA)
    c = http.client.HTTPSConnection("127.0.0.1", PORT, context=ctx, timeout=30)
    c._tunnel_host = None
    ctx.check_hostname = False
    return c


def post(c, authz=None, body=b""):
    h = {"Content-Type": "text/xml", "SOAPAction": ACTION, "Host": HOST}
    if authz is not None:
        h["Authorization"] = authz
    c.request("POST", PATH, body=body, headers=h)
    r = c.getresponse()
    r.read()
    return r


def ntlm_negotiate():
    # A NEGOTIATE_MESSAGE with Version (as Windows sends it): UNICODE,
    # REQUEST_TARGET, NTLM, ALWAYS_SIGN, EXTENDED_SESSIONSECURITY, VERSION.
    flags = 0x00000001 | 0x00000004 | 0x00000200 | 0x00008000 | 0x00080000 | 0x02000000
    return b"NTLMSSP\0" + struct.pack("<II", 1, flags) + bytes(16) + bytes([10, 0, 0x61, 0x4a, 0, 0, 0, 15])


def session(user, pw):
    """A requests session that trusts only the test CA (and no proxy or CA
    bundle from the environment)."""
    s = requests.Session()
    s.trust_env = False
    s.verify = CA
    s.auth = HttpNtlmAuth(user, pw)
    return s


def b64(b):
    return base64.b64encode(b).decode()


if CASE == "ntlm":
    user, pw = ARGS
    before = log_count(r"authenticated by NTLM")
    bound_before = log_count(r"authenticated by NTLM \(channel-bound\)")
    s = session(user, pw)
    r = s.post(URL, data=BODY, headers=HEADERS)
    tap(reached_webservices(r), "requests-ntlm %s gets in (HTTP %d, SOAP fault for an unknown operation)" % (user, r.status_code))
    n401 = sum(1 for h in r.history if h.status_code == 401)
    tap(n401 == 2, "the exchange took two 401s (offer, challenge): %d" % n401)
    offers = [h.headers.get("WWW-Authenticate", "") for h in r.history]
    tap(len(offers) == 2 and offers[0].split(",")[0] == "NTLM" and offers[1].startswith("NTLM TlRMTVNTUAAC"),
        "first 401 offers NTLM, second carries the CHALLENGE: %r" % [o[:24] for o in offers])
    tap(log_count(r"authenticated by NTLM \(channel-bound\)") == bound_before + 1,
        "the daemon verified requests-ntlm's tls-server-end-point channel binding")
    r2 = s.post(URL, data=BODY, headers=HEADERS)
    tap(reached_webservices(r2) and len(r2.history) == 0,
        "a later request on the same connection needs no new exchange (%d 401s)" % len(r2.history))
    tap(log_count(r"authenticated by NTLM") == before + 1, "one exchange logged for two requests")
    s.close()
    s2 = session(user, pw)
    r3 = s2.post(URL, data=BODY, headers=HEADERS)
    n401 = sum(1 for h in r3.history if h.status_code == 401)
    tap(reached_webservices(r3) and n401 == 2, "a new connection starts over (%d 401s)" % n401)
    s2.close()

elif CASE == "ntlm-refused":
    user, pw = ARGS
    s = session(user, pw)
    r = s.post(URL, data=BODY, headers=HEADERS)
    tap(r.status_code == 401, "requests-ntlm %s is refused: %d" % (user, r.status_code))

elif CASE == "forged":
    # 1. An AUTHENTICATE message with no exchange before it.
    c = conn()
    fake3 = b"NTLMSSP\0" + struct.pack("<I", 3) + bytes(56) + struct.pack("<I", 0x00000201)
    r = post(c, "NTLM " + b64(fake3))
    tap(r.status == 401, "AUTHENTICATE with no exchange: %d" % r.status)
    # 2. A valid NEGOTIATE, then an AUTHENTICATE whose fields point past its end.
    c = conn()
    r = post(c, "NTLM " + b64(ntlm_negotiate()))
    tap(r.status == 401 and (r.getheader("WWW-Authenticate") or "").startswith("NTLM "),
        "NEGOTIATE gets a CHALLENGE: %d" % r.status)
    hdrs = b""
    for ln, off in ((24, 0xfff0), (300, 0x7ffffff0), (10, 64), (0xffff, 64), (4, 0x80), (0, 0)):
        hdrs += struct.pack("<HHI", ln, ln, off)
    bad3 = b"NTLMSSP\0" + struct.pack("<I", 3) + hdrs + struct.pack("<I", 0x00088201) + bytes(8)
    r = post(c, "NTLM " + b64(bad3))
    tap(r.status == 401, "AUTHENTICATE with out-of-bounds fields: %d" % r.status)
    # 3. Random bytes that start like NTLM, and bytes that do not.
    for what, tok in (("random bytes after an NTLM signature", b"NTLMSSP\0" + os.urandom(200)),
                      ("a truncated NTLM signature", b"NTLMSS"),
                      ("random bytes as Negotiate", os.urandom(64))):
        c = conn()
        r = post(c, ("Negotiate " if "Negotiate" in what else "NTLM ") + b64(tok))
        tap(r.status == 401, "%s: %d" % (what, r.status))
    # 4. Malformed and oversized headers.
    for what, authz, want in (("not base64", "NTLM !!!!", 400),
                              ("base64 with a bad tail", "NTLM TlRMTVNTUAAB=A", 400),
                              ("an unknown scheme", "Digest abc", 401),
                              ("a scheme with no token", "NTLM", 401),
                              ("a 13000-byte token", "NTLM " + "A" * 13000, 400)):
        c = conn()
        try:
            r = post(c, authz)
            st = r.status
        except (ConnectionError, http.client.HTTPException, OSError) as e:
            st = str(e)
        tap(st == want, "%s: %s (want %d)" % (what, st, want))
    # 5. Still serving.
    c = conn()
    r = post(c)
    tap(r.status == 401, "still answering after the forged messages: %d" % r.status)

elif CASE == "delay":
    user, bad, good = ARGS

    def attempt(pw):
        s = session(user, pw)
        t0 = time.monotonic()
        r = s.post(URL, data=BODY, headers=HEADERS)
        # the last leg: when the AUTHENTICATE was answered
        dt = time.monotonic() - t0
        s.close()
        return r.status_code, dt

    st, dt = attempt(good)
    tap(st in (200, 500), "a success first (forgets earlier failures): %d" % st)
    times = []
    for i in range(3):
        st, dt = attempt(bad)
        tap(st == 401, "bad password, attempt %d: %d after %.2f s" % (i + 1, st, dt))
        times.append(dt)
    tap(times[0] >= 0.4, "first failure answered after >= 0.4 s (%.2f s)" % times[0])
    tap(times[1] >= 0.9, "second after >= 0.9 s (%.2f s)" % times[1])
    tap(times[2] >= 1.8 and times[2] > times[0] + 1.0, "third after >= 1.8 s (%.2f s): the delay grows" % times[2])
    # While the fourth (4 s) waits, another connection is served at once.
    res = {}
    th = threading.Thread(target=lambda: res.setdefault("bad", attempt(bad)))
    th.start()
    time.sleep(0.5)
    t0 = time.monotonic()
    c = conn()
    r = post(c)
    other = time.monotonic() - t0
    th.join()
    tap(r.status == 401 and other < 1.5,
        "another connection is answered during a 4 s delay (%.2f s): no I/O thread waits" % other)
    tap(res["bad"][0] == 401 and res["bad"][1] >= 3.5, "fourth failure waited >= 3.5 s (%.2f s)" % res["bad"][1])
    tap(log_count(r"authentication failed from 127\.0\.0\.1 for %s " % re.escape(user)) >= 4,
        "each failure logged with the address and the account")
    st, dt = attempt(good)
    tap(st in (200, 500), "the right password gets in: %d (%.2f s)" % (st, dt))
    st, dt = attempt(bad)
    tap(st == 401 and dt < 1.6, "after a success the delay starts over (%.2f s)" % dt)

else:
    print("not ok - unknown case " + CASE)
    sys.exit(2)

sys.exit(1 if fails else 0)
