#!/bin/bash
# Delivery Optimization habits: 8 keep-alive connections from one client,
# ranged GETs, 32 s idle, then the same connections reused.
. tests/e2e/lib.sh
setup
mkdir -p "$T/data/content"
head -c 4194304 /dev/urandom >"$T/payload"
SHA1=$(sha1sum "$T/payload" | cut -c1-40 | tr a-f A-F); XX=${SHA1:38:2}
mkdir -p "$T/data/content/$XX"; cp "$T/payload" "$T/data/content/$XX/$SHA1.exe"
start_wsusd || { done_; exit 1; }
python3 - "$HTTP_PORT" "$HTTPS_PORT" "$T/pki/ca.crt" "/Content/$XX/$SHA1.exe" "$T/payload" <<'PY' 2>&1 | { tap; echo "$PASS $FAIL" >"$T/counts"; }
import http.client, random, ssl, sys, time
hp, sp, ca, path, payload = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], open(sys.argv[5], "rb").read()
ctx = ssl.create_default_context(cafile=ca); ctx.check_hostname = False
conns = [http.client.HTTPConnection("127.0.0.1", hp, timeout=10) for _ in range(8)]
conns += [http.client.HTTPSConnection("127.0.0.1", sp, context=ctx, timeout=10) for _ in range(2)]
def rounds(tag):
    good = 0
    for c in conns:
        a = random.randrange(0, len(payload) - 1048576); b = a + 1048575
        c.request("GET", path, headers={"Range": "bytes=%d-%d" % (a, b), "User-Agent": "Microsoft-Delivery-Optimization/10.1"})
        r = c.getresponse(); body = r.read()
        good += r.status == 206 and body == payload[a:b + 1]
    return good
first = rounds("first"); socks = [c.sock for c in conns]
time.sleep(32)
second = rounds("second")
same = sum(1 for c, s in zip(conns, socks) if c.sock is s)
print(("ok" if first == 10 else "not ok") + " - 10 keep-alive connections, 1 MiB ranges: %d/10 correct" % first)
print(("ok" if second == 10 else "not ok") + " - after 32 s idle: %d/10 correct" % second)
print(("ok" if same == 10 else "not ok") + " - the same %d/10 connections were reused (none closed while idle)" % same)
PY
read PASS FAIL <"$T/counts"
done_
