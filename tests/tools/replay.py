#!/usr/bin/python3
"""replay.py - replay the captured native WUA requests against wsusd.

Each request body in tests/data/captures/wsus-rs/native-scan/ (a real
Windows Update Agent talking to a real WSUS) is sent as captured, with a
fresh, valid cookie spliced in where the sanitised one was, and the answer's
element structure (the set of element paths) is compared with the real
WSUS answer for that step.  Prints TAP-like lines.

usage: replay.py BASE_URL CA_FILE CAPTURES_DIR
"""
import re, ssl, sys, urllib.request
import xml.etree.ElementTree as ET

base, ca, cap = sys.argv[1:4]
ctx = ssl.create_default_context(cafile=ca)
NS = {"client": "http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService",
      "simpleauth": "http://www.microsoft.com/SoftwareDistribution/Server/SimpleAuthWebService"}
PATHS = {"client": "ClientWebService/client.asmx", "simpleauth": "SimpleAuthWebService/SimpleAuth.asmx"}


def post(svc, op, body):
    req = urllib.request.Request("%s/%s" % (base, PATHS[svc]), data=body.encode(), method="POST", headers={
        "Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"%s/%s"' % (NS[svc], op),
        "User-Agent": "Windows-Update-Agent/1507.2601.30012.0 Client-Protocol/2.90"})
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=20) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def shape(text):
    """The set of element paths (local names) of a document."""
    out = set()

    def walk(e, path):
        p = path + "/" + re.sub(r"^\{.*\}", "", e.tag)
        out.add(p)
        for c in e:
            walk(c, p)
    walk(ET.fromstring(text), "")
    return out


def text_of(doc, name):
    m = re.search(r"<%s>([^<]*)</%s>" % (name, name), doc)
    return m.group(1) if m else None


def compare(step, ours_status, ours, real_file):
    real = open(real_file).read()
    if ours_status != 200:
        print("not ok - %s: HTTP %d %s" % (step, ours_status, ours[:300]))
        return
    a, b = shape(ours), shape(real)
    if a == b:
        print("ok - %s: answer structure equals the real WSUS answer (%d element paths)" % (step, len(b)))
    else:
        print("not ok - %s: structure differs; only ours: %s; only real: %s" % (step, sorted(a - b), sorted(b - a)))


def req(n):
    return open("%s/native-scan/%06d/request.body" % (cap, n)).read()


# 1. GetConfig, as captured.
st, cfg = post("client", "GetConfig", req(1))
compare("000001 GetConfig", st, cfg, "%s/native-scan/000001/response.body.from-wsus-m0-000001" % cap)
last_change = text_of(cfg, "LastChange")
# 2. GetAuthorizationCookie, as captured.
st, auth = post("simpleauth", "GetAuthorizationCookie", req(2))
compare("000002 GetAuthorizationCookie", st, auth, "%s/native-scan/000002/response.body.from-wsus-m0-000002" % cap)
cookie_data = text_of(auth, "CookieData")
# 3. GetCookie: our authorization cookie and LastChange spliced in.
body = re.sub(r"<CookieData>[^<]*</CookieData>", "<CookieData>%s</CookieData>" % cookie_data, req(3))
body = re.sub(r"<lastChange>[^<]*</lastChange>", "<lastChange>%s</lastChange>" % last_change, body)
st, ck = post("client", "GetCookie", body)
compare("000003 GetCookie", st, ck, "%s/native-scan/000003/response.body" % cap)
cookie = "<Expiration>%s</Expiration><EncryptedData>%s</EncryptedData>" % (
    text_of(ck, "Expiration"), text_of(ck, "EncryptedData"))


def with_cookie(text):
    return re.sub(r"<cookie><Expiration>[^<]*</Expiration><EncryptedData>[^<]*</EncryptedData></cookie>",
                  "<cookie>%s</cookie>" % cookie, text)


# 4. RegisterComputer.
st, rc = post("client", "RegisterComputer", with_cookie(req(4)))
compare("000004 RegisterComputer", st, rc, "%s/native-scan/000004/response.body.from-wsus-m0-000004" % cap)
# 5. StartCategoryScan (no cookie).
st, sc = post("client", "StartCategoryScan", req(5))
compare("000005 StartCategoryScan", st, sc, "%s/native-scan/000005/response.body" % cap)
# 6. SyncUpdates: the first, 46-element native request with ProductsParameters.
st, su = post("client", "SyncUpdates", with_cookie(req(6)))
compare("000006 SyncUpdates", st, su, "%s/native-scan/000006/response.body" % cap)
