"""wsus_soap.py - a small raw MS-WUSP client for the end-to-end helpers.

Speaks to wsusd the way a Windows Update Agent does (SOAP 1.1 over one
keep-alive HTTPS connection), but lets a test send what a real agent never
would: repeated ids, thousands of locales, foreign client ids, events from
the future.  Imported by amplify.py, targeting.py and retention.py.
"""
import http.client
import re
import ssl
import time
import urllib.parse
import uuid

CNS = "http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService"
SNS = "http://www.microsoft.com/SoftwareDistribution/Server/SimpleAuthWebService"
RNS = "http://www.microsoft.com/SoftwareDistribution"
ENV = ('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>%s'
       '</s:Body></s:Envelope>')
PATHS = {CNS: "/ClientWebService/client.asmx", SNS: "/SimpleAuthWebService/SimpleAuth.asmx",
         RNS: "/ReportingWebService/ReportingWebService.asmx"}


def text_of(body, name):
    m = re.search(r"<%s>([^<]*)</%s>" % (name, name), body)
    return m.group(1) if m else None


def error_code(body):
    return text_of(body, "ErrorCode")


def now_iso(offset=0):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + offset))


class Fault(Exception):
    def __init__(self, op, status, body):
        super().__init__("%s: HTTP %d %s %s" % (op, status, error_code(body), text_of(body, "Message")))
        self.status, self.body, self.code = status, body, error_code(body)


class Session:
    """One client identity (SusClientId) over one HTTPS connection."""

    def __init__(self, base, ca, client_id=None, group=None, dns="e2e.test", product_type=1, timeout=120):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.ctx = ssl.create_default_context(cafile=ca)
        self.conn, self.timeout = None, timeout
        self.client_id = client_id or str(uuid.uuid4())
        self.group, self.dns, self.product_type = group, dns, product_type
        self.cookie = None

    def post(self, ns, op, inner):
        """POST one operation; returns (status, body, seconds)."""
        body = ENV % ('<%s xmlns="%s">%s</%s>' % (op, ns, inner, op))
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=self.timeout)
            t0 = time.monotonic()
            try:
                self.conn.request("POST", PATHS[ns], body=body.encode(), headers={
                    "Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"%s/%s"' % (ns, op)})
                r = self.conn.getresponse()
                data = r.read().decode(errors="replace")
            except (http.client.HTTPException, OSError):
                # A fault answers Connection: close; reconnect once.
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
                continue
            secs = time.monotonic() - t0
            if r.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return r.status, data, secs
        raise RuntimeError("unreachable")

    def call(self, ns, op, inner):
        st, body, _ = self.post(ns, op, inner)
        if st != 200:
            raise Fault(op, st, body)
        return body

    def cookie_xml(self, name="cookie"):
        return "<%s><Expiration>%s</Expiration><EncryptedData>%s</EncryptedData></%s>" % (
            name, self.cookie[0], self.cookie[1], name)

    def login(self):
        """GetConfig, GetAuthorizationCookie (with targetGroupName when
        group is set), GetCookie: a client cookie in self.cookie."""
        cfg = self.call(CNS, "GetConfig", "<protocolVersion>2.90</protocolVersion>")
        grp = "<targetGroupName>%s</targetGroupName>" % self.group if self.group else ""
        auth = self.call(SNS, "GetAuthorizationCookie", "<clientId>%s</clientId>%s<dnsName>%s</dnsName>" % (
            self.client_id, grp, self.dns))
        ck = self.call(CNS, "GetCookie", "<authCookies><AuthorizationCookie><PlugInId>SimpleTargeting"
                       "</PlugInId><CookieData>%s</CookieData></AuthorizationCookie></authCookies>"
                       "<lastChange>%s</lastChange><protocolVersion>2.90</protocolVersion>" % (
                           text_of(auth, "CookieData"), text_of(cfg, "LastChange")))
        self.cookie = (text_of(ck, "Expiration"), text_of(ck, "EncryptedData"))
        return self

    def register_post(self):
        return self.post(CNS, "RegisterComputer", self.cookie_xml() + (
            "<computerInfo><DnsName>%s</DnsName><OSDescription>%s</OSDescription>"
            "<OldProductType>%d</OldProductType><NewProductType>48</NewProductType>"
            "<ClientVersionMajorNumber>10</ClientVersionMajorNumber></computerInfo>") % (
            self.dns, "Windows Server 2022" if self.product_type in (2, 3) else "Windows 11 Pro",
            self.product_type))

    def register(self):
        st, body, _ = self.register_post()
        if st != 200:
            raise Fault("RegisterComputer", st, body)
        return self

    def sync_post(self, installed=(), cached=()):
        arr = lambda name, ids: "<%s>%s</%s>" % (name, "".join("<int>%d</int>" % i for i in ids), name)
        return self.post(CNS, "SyncUpdates", self.cookie_xml() + "<parameters><ExpressQuery>false</ExpressQuery>" +
                         arr("InstalledNonLeafUpdateIDs", installed) + arr("OtherCachedUpdateIDs", cached) +
                         "<SkipSoftwareSync>false</SkipSoftwareSync></parameters>")

    def sync(self, installed=(), cached=()):
        st, body, secs = self.sync_post(installed, cached)
        if st != 200:
            raise Fault("SyncUpdates", st, body)
        return body, secs

    def scan(self, max_rounds=200):
        """SyncUpdates rounds as a WUA runs them, every non-leaf update
        taken as installed: returns (pages, {revision id: IsLeaf}), pages a
        list of (body, number of UpdateInfo, Truncated)."""
        installed, cached, seen, pages = [], [], {}, []
        for _ in range(max_rounds):
            body, _ = self.sync(installed, cached)
            m = re.search(r"<NewUpdates>(.*?)</NewUpdates>", body, re.S)
            new = [(int(i), leaf == "true") for i, leaf in re.findall(
                r"<UpdateInfo><ID>(\d+)</ID>.*?<IsLeaf>(true|false)</IsLeaf>", m.group(1) if m else "")]
            truncated = "<Truncated>true</Truncated>" in body
            pages.append((body, len(new), truncated))
            if not new:
                break
            for rid, leaf in new:
                seen[rid] = leaf
                (cached if leaf else installed).append(rid)
        return pages, seen

    def extended_post(self, rids, types=("Extended", "LocalizedProperties"), locales=("en-US", "en")):
        return self.post(CNS, "GetExtendedUpdateInfo", self.cookie_xml() +
                         "<revisionIDs>%s</revisionIDs>" % "".join("<int>%d</int>" % r for r in rids) +
                         "<infoTypes>%s</infoTypes>" % "".join(
                             "<XmlUpdateFragmentType>%s</XmlUpdateFragmentType>" % t for t in types) +
                         "<locales>%s</locales>" % "".join("<string>%s</string>" % l for l in locales))

    def extended2_post(self, update_ids, types=("Extended", "LocalizedProperties"), locales=("en-US", "en")):
        return self.post(CNS, "GetExtendedUpdateInfo2", self.cookie_xml() +
                         "<updateIDs>%s</updateIDs>" % "".join(
                             "<UpdateIdentity><UpdateID>%s</UpdateID><RevisionNumber>100</RevisionNumber>"
                             "</UpdateIdentity>" % u for u in update_ids) +
                         "<infoTypes>%s</infoTypes>" % "".join(
                             "<XmlUpdateFragmentType>%s</XmlUpdateFragmentType>" % t for t in types) +
                         "<locales>%s</locales>" % "".join("<string>%s</string>" % l for l in locales))

    def report_post(self, events):
        """ReportEventBatch of events, each a dict: id (EventID), update,
        time (TimeAtTarget text), instance (optional GUID)."""
        batch = "".join(
            "<ReportingEvent><BasicData><TargetID><Sid>%s</Sid></TargetID><SequenceNumber>0</SequenceNumber>"
            "<TimeAtTarget>%s</TimeAtTarget><EventInstanceID>%s</EventInstanceID><NamespaceID>1</NamespaceID>"
            "<EventID>%d</EventID><SourceID>1</SourceID><UpdateID><UpdateID>%s</UpdateID>"
            "<RevisionNumber>100</RevisionNumber></UpdateID><Win32HResult>%d</Win32HResult>"
            "<AppName>e2e</AppName></BasicData></ReportingEvent>" % (
                self.client_id, e.get("time") or now_iso(), e.get("instance") or str(uuid.uuid4()), e["id"],
                e.get("update", "00000000-0000-0000-0000-000000000000"), e.get("hresult", 0))
            for e in events)
        return self.post(RNS, "ReportEventBatch", self.cookie_xml() +
                         "<clientTime>%s</clientTime><eventBatch>%s</eventBatch>" % (now_iso(), batch))

    def report(self, events):
        st, body, _ = self.report_post(events)
        if st != 200:
            raise Fault("ReportEventBatch", st, body)
        return body


class Tap:
    """TAP-like lines for tests/e2e/lib.sh run_tap."""

    def __init__(self):
        self.failed = 0

    def check(self, good, desc):
        print(("ok" if good else "not ok") + " - " + desc, flush=True)
        if not good:
            self.failed += 1
        return good

    def note(self, text):
        print(text, flush=True)
