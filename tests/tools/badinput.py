#!/usr/bin/python3
"""badinput.py - hostile and malformed SOAP requests against wsusd.

Every case must get a SOAP fault (HTTP 500 with the WSUS ErrorCode) or a
4xx, must not expand entities or fetch anything, and must leave the server
answering.  Prints TAP-like lines.

usage: badinput.py BASE_URL CA_FILE SECRET_FILE
"""
import re, ssl, sys, time, urllib.request

base, ca, secret = sys.argv[1:4]
ctx = ssl.create_default_context(cafile=ca)
CNS = "http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService"
SNS = "http://www.microsoft.com/SoftwareDistribution/Server/SimpleAuthWebService"
ENV = '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>%s</s:Body></s:Envelope>'


def post(path, action, body, timeout=20):
    req = urllib.request.Request(base + path, data=body if isinstance(body, bytes) else body.encode(),
                                 method="POST", headers={"Content-Type": "text/xml; charset=utf-8",
                                                         "SOAPAction": '"%s"' % action})
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=timeout) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def client(op, inner):
    return post("/ClientWebService/client.asmx", CNS + "/" + op, ENV % ('<%s xmlns="%s">%s</%s>' % (op, CNS, inner, op)))


def code_of(body):
    m = re.search(r"<ErrorCode>([^<]*)</ErrorCode>", body)
    return m.group(1) if m else None


def expect(desc, result, want_code=None, want_status=500):
    st, body = result
    code = code_of(body)
    good = st == want_status and (want_code is None or code == want_code)
    print(("ok" if good else "not ok") + " - %s: HTTP %d %s" % (desc, st, code or body[:120].replace("\n", " ")))
    return body


def alive():
    st, body = client("GetConfig", "<protocolVersion>2.90</protocolVersion>")
    return st == 200 and "<ProtocolVersion>" not in body and "GetConfigResult" in body


# A valid cookie for the cases that need one.
st, auth = post("/SimpleAuthWebService/SimpleAuth.asmx", SNS + "/GetAuthorizationCookie",
                ENV % ('<GetAuthorizationCookie xmlns="%s"><clientId>0f3a2e9c-5d0e-4a7b-9c1d-2e3f4a5b6c7d</clientId>'
                       '<dnsName>bad.test</dnsName></GetAuthorizationCookie>' % SNS))
cd = re.search(r"<CookieData>([^<]*)</CookieData>", auth).group(1)
st, cfg = client("GetConfig", "<protocolVersion>2.90</protocolVersion>")
lc = re.search(r"<LastChange>([^<]*)</LastChange>", cfg).group(1)
st, ck = client("GetCookie", "<authCookies><AuthorizationCookie><PlugInId>SimpleTargeting</PlugInId><CookieData>%s"
                "</CookieData></AuthorizationCookie></authCookies><lastChange>%s</lastChange>"
                "<protocolVersion>2.90</protocolVersion>" % (cd, lc))
COOKIE = "<cookie><Expiration>%s</Expiration><EncryptedData>%s</EncryptedData></cookie>" % (
    re.search(r"<Expiration>([^<]*)</Expiration>", ck).group(1),
    re.search(r"<EncryptedData>([^<]*)</EncryptedData>", ck).group(1))

# Malformed XML.
expect("unclosed element", post("/ClientWebService/client.asmx", CNS + "/GetConfig",
                                '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetConfig>'),
       "InvalidParameters")
expect("not XML at all", post("/ClientWebService/client.asmx", CNS + "/GetConfig", b"\x00\xff garbage"), "InvalidParameters")
expect("two roots", post("/ClientWebService/client.asmx", CNS + "/GetConfig", ENV % "" + "<x/>"), "InvalidParameters")
expect("wrong operation element for the SOAPAction", client("GetConfig", "").__class__ and post(
    "/ClientWebService/client.asmx", CNS + "/GetConfig", ENV % '<GetCookie xmlns="%s"/>' % CNS), "InvalidParameters")
# DTDs and entities: refused, never expanded, never fetched.
dtd = '<?xml version="1.0"?><!DOCTYPE s:Envelope [<!ENTITY x SYSTEM "file://%s">]>' % secret + \
      ENV % '<GetConfig xmlns="%s"><protocolVersion>&x;</protocolVersion></GetConfig>' % CNS
body = expect("DTD with an external entity", post("/ClientWebService/client.asmx", CNS + "/GetConfig", dtd), "InvalidParameters")
print(("not ok" if "TOPSECRET" in body else "ok") + " - the entity's file is not in the answer")
lol = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
    '<!ENTITY lol%d "%s">' % (i, ("&lol%d;" % (i - 1) if i else "&lol;") * 10) for i in range(9)) + ']>' + \
    ENV % '<GetConfig xmlns="%s"><protocolVersion>&lol8;</protocolVersion></GetConfig>' % CNS
t0 = time.time()
expect("billion laughs", post("/ClientWebService/client.asmx", CNS + "/GetConfig", lol), "InvalidParameters")
print(("ok" if time.time() - t0 < 5 else "not ok") + " - billion laughs answered at once (%.2f s)" % (time.time() - t0))
expect("undefined entity", client("GetConfig", "<protocolVersion>&foo;</protocolVersion>"), "InvalidParameters")
deep = "<a>" * 5000 + "</a>" * 5000   # 35 KB: within the 64 KiB pre-cookie body cap
expect("5,000-deep nesting", client("GetConfig", deep), "InvalidParameters")
expect("2,100 elements before a cookie", client("GetConfig", "<x/>" * 2100), "InvalidParameters")
# Body over the pre-authentication cap (the 4 MiB cap: t_limits.sh, with curl).
# The declared length is refused before the body is read: the server may
# close while urllib still sends, which it reports as a reset.
try:
    st, body = post("/ClientWebService/client.asmx", CNS + "/GetConfig", "<a>" + "x" * (300 * 1024) + "</a>")
except (ConnectionError, urllib.error.URLError) as e:
    st, body = 413, "(connection closed before the body was sent: %s)" % e
print(("ok" if st in (413, 500) and "GetConfigResult" not in body else "not ok") +
      " - 300 KiB before a cookie refused: HTTP %d %s" % (st, code_of(body)))
# Invalid GUIDs and numbers.
expect("clientId not a GUID", post("/SimpleAuthWebService/SimpleAuth.asmx", SNS + "/GetAuthorizationCookie",
                                   ENV % '<GetAuthorizationCookie xmlns="%s"><clientId>../../etc</clientId>'
                                   '</GetAuthorizationCookie>' % SNS), "InvalidParameters")
expect("clientId too long", post("/SimpleAuthWebService/SimpleAuth.asmx", SNS + "/GetAuthorizationCookie",
                                 ENV % '<GetAuthorizationCookie xmlns="%s"><clientId>%s</clientId>'
                                 '</GetAuthorizationCookie>' % (SNS, "a" * 5000)), "InvalidParameters")
expect("StartCategoryScan bad GUID", client("StartCategoryScan", "<requestedCategories><CategoryRelationship>"
       "<IndexOfAndGroup>0</IndexOfAndGroup><CategoryId>not-a-guid</CategoryId></CategoryRelationship>"
       "</requestedCategories>"), "InvalidParameters")
reg = "<computerInfo><DnsName>bad.test</DnsName><OSDescription>x</OSDescription></computerInfo>"
expect("RegisterComputer with a valid cookie works", client("RegisterComputer", COOKIE + reg), None, 200)
P = "<parameters><ExpressQuery>false</ExpressQuery>%s<SkipSoftwareSync>false</SkipSoftwareSync></parameters>"
for desc, ids in [("negative id", "-5"), ("overflowing id", "99999999999999999999"), ("non-numeric id", "12abc"),
                  ("empty id", "")]:
    expect("InstalledNonLeafUpdateIDs " + desc,
           client("SyncUpdates", COOKIE + P % ("<InstalledNonLeafUpdateIDs><int>%s</int></InstalledNonLeafUpdateIDs>" % ids)),
           "InvalidParameters")
body = expect("401 InstalledNonLeafUpdateIDs", client("SyncUpdates", COOKIE + P % (
    "<InstalledNonLeafUpdateIDs>%s</InstalledNonLeafUpdateIDs>" % ("<int>1</int>" * 401))), "InvalidParameters")
print(("ok" if "<Message>parameters.InstalledNonLeafUpdateIDs</Message>" in body else "not ok") +
      " - fault Message names parameters.InstalledNonLeafUpdateIDs, as real WSUS")
print(("ok" if re.search(r"<Method>\"%s/SyncUpdates\"</Method>" % re.escape(CNS), body) else "not ok") +
      " - fault Method is the quoted SOAPAction")
expect("400 InstalledNonLeafUpdateIDs accepted", client("SyncUpdates", COOKIE + P % (
    "<InstalledNonLeafUpdateIDs>%s</InstalledNonLeafUpdateIDs>" % ("<int>1</int>" * 400))), None, 200)
expect("51 revisionIDs in GetExtendedUpdateInfo", client("GetExtendedUpdateInfo", COOKIE +
       "<revisionIDs>%s</revisionIDs>" % ("<int>1</int>" * 51)), "InvalidParameters")
expect("event with a bad GUID", post("/ReportingWebService/ReportingWebService.asmx",
       "http://www.microsoft.com/SoftwareDistribution/ReportEventBatch",
       ENV % ('<ReportEventBatch xmlns="http://www.microsoft.com/SoftwareDistribution">%s<clientTime>2026-10-04T15:20:47.397Z'
              '</clientTime><eventBatch><ReportingEvent><BasicData><EventInstanceID>zz</EventInstanceID><EventID>183'
              '</EventID><NamespaceID>1</NamespaceID><TimeAtTarget>2026-10-04T15:20:47Z</TimeAtTarget></BasicData>'
              '</ReportingEvent></eventBatch></ReportEventBatch>' % COOKIE)), "InvalidParameters")
# Cookies.
expect("no cookie", client("SyncUpdates", P % ""), "InvalidCookie")
expect("garbage cookie", client("SyncUpdates", "<cookie><EncryptedData>!!!</EncryptedData></cookie>" + P % ""), "InvalidCookie")
expect("GetCookie without an authorization cookie", client("GetCookie", "<authCookies/>"), "InvalidAuthorizationCookie")
expect("GetCookie with a stale lastChange", client("GetCookie", "<authCookies><AuthorizationCookie><PlugInId>"
       "SimpleTargeting</PlugInId><CookieData>%s</CookieData></AuthorizationCookie></authCookies>"
       "<lastChange>2001-01-01T00:00:00Z</lastChange>" % cd), "ConfigChanged")
print(("ok" if alive() else "not ok") + " - server still answers GetConfig")
