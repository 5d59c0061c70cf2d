#!/usr/bin/python3
"""stall.py - does a heavy request stall the other connections?

usage: stall.py measure HTTPS_URL CA_FILE DB
       stall.py probe HTTPS_URL CA_FILE DB NHEAVY SECONDS [BASE_URL]

measure: the time and size of one heavy request of each kind (to size the
catalogue).  probe: NHEAVY processes, each with its own client identity
and a new connection for each request, send heavy requests back to back (SyncUpdates
with LIMIT_CACHED_IDS cached ids and GetExtendedUpdateInfo of 50
revisions with every fragment type, Accept-Encoding: xpress, gzip) on
BASE_URL (default HTTPS_URL; the cookies are always got over HTTPS);
meanwhile this process sends GetConfig on one keep-alive connection to
BASE_URL every 20 ms and prints one line:

  probe URL n=N p50=X p99=Y max=Z heavy=H

(milliseconds; H = heavy requests completed during the probe).  The
heavy senders run in their own processes so that Python's lock does not
add to the probe's figures.
"""
import http.client
import multiprocessing
import os
import re
import ssl
import sqlite3
import sys
import time
import urllib.parse

from wsus_soap import CNS, ENV, Session

CACHED_IDS = 50000       # LIMIT_CACHED_IDS
ENCODING = "gzip"  # zlib at level 6 is the dearer coding
TYPES = ["Core", "Extended", "LocalizedProperties", "Eula"]


def ids(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    rows = con.execute("SELECT r.revision_id FROM revisions r JOIN updates u ON u.id = r.update_ref "
                       "WHERE r.is_latest = 1 AND u.kind = 'software' ORDER BY r.revision_id LIMIT 50").fetchall()
    con.close()
    return [r[0] for r in rows]


def heavy_bodies(s, rids):
    """The two heavy requests, as (SOAPAction op, body bytes): the first
    SyncUpdates round tells the non-leaf revisions, which the heavy
    SyncUpdates then claims installed, so that it is answered a full page
    of leaf updates (up to the 5 MiB page budget)."""
    arr = lambda name, xs: "<%s>%s</%s>" % (name, "".join("<int>%d</int>" % i for i in xs), name)
    first, _ = s.sync()
    nonleaf = [int(i) for i in re.findall(r"<UpdateInfo><ID>(\d+)</ID>.*?<IsLeaf>false</IsLeaf>", first)]
    sync = ENV % ('<SyncUpdates xmlns="%s">%s<parameters><ExpressQuery>false</ExpressQuery>%s%s'
                  '<SkipSoftwareSync>false</SkipSoftwareSync></parameters></SyncUpdates>' % (
                      CNS, s.cookie_xml(), arr("InstalledNonLeafUpdateIDs", nonleaf[:400]),
                      arr("OtherCachedUpdateIDs", range(1000000, 1000000 + CACHED_IDS))))
    ext = ENV % ('<GetExtendedUpdateInfo xmlns="%s">%s%s<infoTypes>%s</infoTypes>'
                 '<locales><string>en</string></locales></GetExtendedUpdateInfo>' % (
                     CNS, s.cookie_xml(), arr("revisionIDs", rids),
                     "".join("<XmlUpdateFragmentType>%s</XmlUpdateFragmentType>" % t for t in TYPES)))
    return [("SyncUpdates", sync.encode()), ("GetExtendedUpdateInfo", ext.encode())]


def connect(base, ca, timeout=120):
    u = urllib.parse.urlsplit(base)
    if u.scheme == "https":
        return http.client.HTTPSConnection(u.hostname, u.port, context=ssl.create_default_context(cafile=ca),
                                           timeout=timeout)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)


def send(conn, op, body, encoding=True):
    h = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"%s/%s"' % (CNS, op)}
    if encoding:
        h["Accept-Encoding"] = ENCODING
    t0 = time.monotonic()
    conn.request("POST", "/ClientWebService/client.asmx", body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    return r.status, len(data), time.monotonic() - t0, r.getheader("Connection", "")


def heavy_loop(login, base, ca, db, stop_at, counter):
    # The senders' own CPU (TLS, reading answers) is not what is measured:
    # let the daemon and the probe have the cores first.
    os.nice(10)
    s = Session(login, ca, dns="stall.test").login().register()
    reqs = heavy_bodies(s, ids(db))
    conn, i = None, 0
    while time.monotonic() < stop_at:
        if conn is None:
            conn = connect(base, ca)
        try:
            st, n, secs, close = send(conn, *reqs[i % 2])
        except (OSError, http.client.HTTPException):
            conn = None
            continue
        i += 1
        with counter.get_lock():
            counter.value += 1
        # A new connection for every request: the accepting relay worker
        # changes each time, so the load reaches every worker whatever
        # the order the connections were spread in.
        conn.close()
        conn = None


def getconfig_body():
    return (ENV % ('<GetConfig xmlns="%s"><protocolVersion>2.90</protocolVersion></GetConfig>' % CNS)).encode()


def probe(bases, ca, seconds, counter):
    body = getconfig_body()
    conns = [connect(b, ca, timeout=60) for b in bases]
    lat = [[] for _ in bases]
    bad = [0 for _ in bases]
    c0 = counter.value
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for k, c in enumerate(conns):
            try:
                st, n, secs, close = send(c, "GetConfig", body, encoding=False)
            except (OSError, http.client.HTTPException):
                bad[k] += 1
                conns[k] = connect(bases[k], ca, timeout=60)
                continue
            if st != 200:
                bad[k] += 1
            lat[k].append(secs * 1000.0)
        time.sleep(0.02)
    done = counter.value - c0
    for k, b in enumerate(bases):
        v = sorted(lat[k]) or [float("inf")]
        pct = lambda p: v[min(len(v) - 1, int(len(v) * p))]
        print("probe %s n=%d p50=%.1f p99=%.1f max=%.1f heavy=%d errors=%d" % (
            b, len(lat[k]), pct(0.50), pct(0.99), v[-1], done, bad[k]), flush=True)


def main():
    mode, base, ca, db = sys.argv[1:5]
    if mode == "measure":
        s = Session(base, ca, dns="stall.test").login().register()
        conn = connect(base, ca)
        for op, body in heavy_bodies(s, ids(db)):
            st, n, secs, _ = send(conn, op, body)
            print("%-22s request %8d bytes: HTTP %d, %9d bytes answered in %.2f s" % (op, len(body), st, n, secs))
        return 0
    nheavy, seconds = int(sys.argv[5]), float(sys.argv[6])
    target = sys.argv[7] if len(sys.argv) > 7 else base
    bases = [target]
    counter = multiprocessing.Value("l", 0)
    stop_at = time.monotonic() + seconds + 60
    procs = [multiprocessing.Process(target=heavy_loop, args=(base, target, ca, db, stop_at, counter))
             for _ in range(nheavy)]
    for p in procs:
        p.start()
    # Wait until every sender has logged in and the load runs.
    t0 = time.monotonic()
    while counter.value < nheavy and time.monotonic() - t0 < 120:
        time.sleep(0.1)
    probe(bases, ca, seconds, counter)
    for p in procs:
        p.terminate()
        p.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
