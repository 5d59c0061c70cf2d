#!/usr/bin/python3
"""zeep_client.py - an independent SOAP client for the three client services.

Debian's python3-zeep, in strict mode, loads the project's own WSDL copies
(webservices/wsdl/) and calls every operation of SimpleAuthWebService,
ClientWebService and ReportingWebService over HTTPS; zeep parses every
answer against the WSDL schema.  Prints TAP-like "ok - ..." lines.

usage: zeep_client.py BASE_URL CA_FILE WSDL_DIR MANIFEST
"""
import datetime, json, sys, uuid

import requests
import zeep
from zeep.exceptions import Fault
from zeep.transports import Transport

base, ca, wsdl_dir, manifest = sys.argv[1:5]
man = json.load(open(manifest))
session = requests.Session()
session.verify = ca
session.trust_env = False   # CURL_CA_BUNDLE etc. would override verify
settings = zeep.Settings(strict=True, xml_huge_tree=False)
transport = Transport(session=session, timeout=20)
results = []


def check(desc, fn):
    try:
        v = fn()
        print("ok - %s" % desc, flush=True)
        return v
    except Fault as f:
        print("not ok - %s: fault %s %s" % (desc, f.message, f.detail), flush=True)
    except Exception as e:  # noqa
        print("not ok - %s: %r" % (desc, e), flush=True)
    return None


def service(wsdl, binding, path):
    c = zeep.Client("%s/%s" % (wsdl_dir, wsdl), settings=settings, transport=transport)
    return c, c.create_service(binding, "%s/%s" % (base, path))


CNS = "{http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService}"
sa_c, sa = service("MS-WUSP_SimpleAuthWebService.wsdl",
                   "{http://www.microsoft.com/SoftwareDistribution/Server/SimpleAuthWebService}SimpleAuthSoap",
                   "SimpleAuthWebService/SimpleAuth.asmx")
cw_c, cw = service("MS-WUSP_ClientWebService.wsdl", CNS + "ClientSoap",
                   "ClientWebService/client.asmx")
rp_c, rp = service("MS-WSUSSS_ReportingWebService.wsdl",
                   "{http://www.microsoft.com/SoftwareDistribution}WebServiceSoap",
                   "ReportingWebService/ReportingWebService.asmx")
client_id = str(uuid.uuid4())
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)

cfg = check("GetConfig parses", lambda: cw.GetConfig(protocolVersion="2.90"))
if cfg is not None:
    props = {p.Name: p.Value for p in cfg.Properties.ConfigurationProperty}
    check("GetConfig: ProtocolVersion 3.2, SimpleTargeting, relative ServiceUrl",
          lambda: (props["ProtocolVersion"] == "3.2" and cfg.IsRegistrationRequired
                   and cfg.AuthInfo.AuthPlugInInfo[0].PlugInID == "SimpleTargeting"
                   and cfg.AuthInfo.AuthPlugInInfo[0].ServiceUrl == "SimpleAuthWebService/SimpleAuth.asmx") or 1 / 0)
auth = check("GetAuthorizationCookie parses",
             lambda: sa.GetAuthorizationCookie(clientId=client_id, targetGroupName=None, dnsName="zeep.test"))
cookie = check("GetCookie parses", lambda: cw.GetCookie(
    authCookies={"AuthorizationCookie": [{"PlugInId": auth.PlugInId, "CookieData": auth.CookieData}]},
    oldCookie=None, lastChange=cfg.LastChange, currentTime=now, protocolVersion="2.90"))
check("GetCookie: Expiration in the future, EncryptedData present",
      lambda: (cookie.Expiration > now and len(cookie.EncryptedData) > 16) or 1 / 0)
info = {"DnsName": "zeep.test", "OSMajorVersion": 10, "OSMinorVersion": 0, "OSBuildNumber": 26200,
        "OSServicePackMajorNumber": 0, "OSServicePackMinorNumber": 0, "OSLocale": "en-US",
        "ComputerManufacturer": "zeep", "ComputerModel": "zeep", "BiosVersion": "1", "BiosName": "1",
        "BiosReleaseDate": now, "ProcessorArchitecture": "AMD64", "SuiteMask": 256, "OldProductType": 1,
        "NewProductType": 48, "SystemMetrics": 0, "ClientVersionMajorNumber": 1507,
        "ClientVersionMinorNumber": 2601, "ClientVersionBuildNumber": 30012, "ClientVersionQfeNumber": 0,
        "OSDescription": "zeep"}
check("RegisterComputer parses", lambda: cw.RegisterComputer(cookie=cookie, computerInfo=info))
cat = man["categories"][0]
scs = check("StartCategoryScan parses", lambda: cw.StartCategoryScan(
    requestedCategories={"CategoryRelationship": [{"IndexOfAndGroup": 0, "CategoryId": cat}]}))
installed, cached, leaves = [], [], []
for rnd in range(12):
    params = {"ExpressQuery": False, "InstalledNonLeafUpdateIDs": {"int": installed} if installed else None,
              "OtherCachedUpdateIDs": {"int": cached} if cached else None, "SkipSoftwareSync": False,
              "NeedTwoGroupOutOfScopeUpdates": True}
    r = check("SyncUpdates round %d parses" % rnd, lambda: cw.SyncUpdates(cookie=cookie, parameters=params))
    if r is None:
        break
    cookie = r.NewCookie
    new = r.NewUpdates.UpdateInfo if r.NewUpdates else []
    for u in new:
        if u.IsLeaf:
            leaves.append(u.ID)
            cached.append(u.ID)
        else:
            installed.append(u.ID)   # every non-leaf update counts as installed here
    if not new and not r.Truncated:
        break
check("SyncUpdates delivered the category graph and approved leaves",
      lambda: (len(installed) >= 3 and len(leaves) >= 1) or 1 / 0)
check("SyncPrinterCatalog parses", lambda: cw.SyncPrinterCatalog(cookie=cookie, installedNonLeafUpdateIDs=None,
                                                                 printerUpdateIDs=None))
leaf_uid = man["updates"][0]["id"]
check("RefreshCache parses", lambda: cw.RefreshCache(cookie=cookie, globalIDs={"UpdateIdentity": [
    {"UpdateID": leaf_uid, "RevisionNumber": 100}]}))
ext = check("GetExtendedUpdateInfo parses", lambda: cw.GetExtendedUpdateInfo(
    cookie=cookie, revisionIDs={"int": leaves[:5]},
    infoTypes={"XmlUpdateFragmentType": ["Extended", "LocalizedProperties"]},
    locales={"string": ["en-US", "en"]}, GeoId="244", callerAttributes=""))
check("GetExtendedUpdateInfo: fragments and FileLocations",
      lambda: (len(ext.Updates.Update) >= 2 and len(ext.FileLocations.FileLocation) >= 1) or 1 / 0)
check("GetExtendedUpdateInfo2 parses", lambda: cw.GetExtendedUpdateInfo2(
    cookie=cookie, updateIDs={"UpdateIdentity": [{"UpdateID": leaf_uid, "RevisionNumber": 100}]},
    infoTypes={"XmlUpdateFragmentType": ["Extended"]}, locales={"string": ["en"]}, callerAttributes=""))
digest = ext.FileLocations.FileLocation[0].FileDigest if ext else b"\0" * 20
fl = check("GetFileLocations parses", lambda: cw.GetFileLocations(cookie=cookie, fileDigests={"base64Binary": [digest]}))
check("GetFileLocations finds the file", lambda: len(fl.FileLocations.FileLocation) == 1 or 1 / 0)
ev = {"BasicData": {"TargetID": {"Sid": client_id}, "SequenceNumber": 1, "TimeAtTarget": now,
                    "EventInstanceID": str(uuid.uuid4()), "NamespaceID": 1, "EventID": 183, "SourceID": 1,
                    "UpdateID": {"UpdateID": leaf_uid, "RevisionNumber": 100}, "Win32HResult": 0,
                    "AppName": "zeep"},
      "ExtendedData": {"ReplacementStrings": None, "MiscData": None,
                       "ProcessorArchitecture": "Amd64Compatible",
                       "OSVersion": {"Major": 10, "Minor": 0, "Build": 26200, "Revision": 0,
                                     "ServicePackMajor": 0, "ServicePackMinor": 0},
                       "OSLocaleID": 1033},
      "PrivateData": {"ComputerDnsName": "zeep.test", "UserAccountName": ""}}
rb = check("ReportEventBatch parses", lambda: rp.ReportEventBatch(cookie=cookie, clientTime=now,
                                                                  eventBatch={"ReportingEvent": [ev]}))
check("ReportEventBatch answers true", lambda: rb is True or 1 / 0)
# A fault parses too, with the WSUS detail.
try:
    cw.SyncUpdates(cookie={"Expiration": now, "EncryptedData": b"\0" * 108},
                   parameters={"ExpressQuery": False, "SkipSoftwareSync": False})
    print("not ok - tampered cookie accepted")
except Fault as f:
    code = f.detail.find("ErrorCode").text if f.detail is not None and f.detail.find("ErrorCode") is not None else None
    print(("ok" if code == "InvalidCookie" else "not ok") + " - tampered cookie -> fault ErrorCode %s" % code)
