#!/usr/bin/python3
"""apiremoting_client.py - an independent admin console for ApiRemoting30.

Debian's python3-zeep, in strict mode, loads the project's ApiRemoting30
WSDL and calls every operation wsusd implements over HTTPS, authenticated
with NTLM (python3-requests-ntlm's HttpNtlmAuth); zeep parses every
answer against the WSDL schema, and the positional row columns (the
research note's order) are checked against the data the scenario made
with wsusutil and a real wsusclient scan and report.  Then the negatives:
a Reporter's change (UnauthorizedAccess, nothing changed), bad scope XML
(DTD, 10,000 attributes, an unknown attribute), an operation the server
does not implement.  Prints TAP-like "ok - ..." lines.

usage: apiremoting_client.py BASE_URL CA_FILE WSDL FACTS_JSON
FACTS_JSON: {"admin": [user, password], "reporter": [user, password],
  "updates": [...ids...], "approved_ring": [...], "approved_all": id,
  "declined": id, "ring": guid, "a": id, "b": id, "a_name": dns, ...}
"""
import datetime, json, re, sys, uuid

import requests
import zeep
from requests_ntlm import HttpNtlmAuth
from zeep.exceptions import Fault
from zeep.transports import Transport

base, ca, wsdl, facts_file = sys.argv[1:5]
F = json.load(open(facts_file))
NS = "{http://www.microsoft.com/SoftwareDistribution/Server/ApiRemotingWebService}"
URL = base + "/ApiRemoting30/WebService.asmx"
ALL = "a0a08746-4dbe-4a37-9adf-9e7652c0b421"
UNASSIGNED = "b73ca6ed-5727-47f3-84de-015e03f6a88a"
DOWNSTREAM = "d374f42a-9be2-4163-a0fa-3c86a401b7a7"
ANY = 2147483647
failed = 0


def console(user, password):
    s = requests.Session()
    s.verify = ca
    s.trust_env = False
    s.auth = HttpNtlmAuth(user, password)
    c = zeep.Client(wsdl, settings=zeep.Settings(strict=True, xml_huge_tree=False),
                    transport=Transport(session=s, timeout=60))
    return c, c.create_service(NS + "ApiRemotingSoap", URL)


def say(ok, desc):
    global failed
    if not ok:
        failed += 1
    print("%s - %s" % ("ok" if ok else "not ok", desc), flush=True)


def check(desc, fn):
    """Run fn; it must return truthy.  Faults and exceptions fail."""
    try:
        v = fn()
        say(bool(v), desc if v else desc + ": check failed")
        return v
    except Fault as f:
        say(False, "%s: fault %s" % (desc, f.message))
    except Exception as e:  # noqa
        say(False, "%s: %r" % (desc, e))
    return None


def fault(desc, fn, pattern):
    """fn must raise a SOAP fault whose text matches pattern."""
    try:
        fn()
        say(False, desc + ": no fault")
    except Fault as f:
        ok = re.search(pattern, f.message or "") is not None
        say(ok, "%s (%s)" % (desc, f.message.split("--->")[-1].strip()[:120]) if ok else
            "%s: fault %r does not match %r" % (desc, f.message, pattern))
    except Exception as e:  # noqa
        say(False, "%s: %r" % (desc, e))


def rows(arr):
    """ArrayOfGenericReadableRow -> list of lists of cells."""
    if arr is None:
        return []
    lst = arr if isinstance(arr, list) else (arr.GenericReadableRow or [])
    return [list(r.Values.anyType or []) if r is not None and r.Values is not None else [] for r in lst]


def vals(row):
    """A GenericReadableRow result (zeep may hand its Values over) -> cells."""
    if row is None:
        return []
    v = row if "anyType" in dir(row) else row.Values
    return list(v.anyType or [])


def sets_of(arr):
    """ArrayOfArrayOfGenericReadableRow -> list of row lists."""
    if arr is None:
        return []
    lst = arr if isinstance(arr, list) else (arr.ArrayOfGenericReadableRow or [])
    return [rows(x) for x in lst]


def low(v):
    return str(v).lower() if v is not None else None


_, admin = console(*F["admin"])
_, reporter = console(*F["reporter"])
ring, a, b = F["ring"], F["a"], F["b"]
ring_ups, all_up, declined = F["approved_ring"], F["approved_all"], F["declined"]
installed_a = set(ring_ups + [all_up])

# --- connect / identify --------------------------------------------------------
check("GetServerVersion: a dotted version", lambda: re.fullmatch(r"\d+(\.\d+){1,3}", admin.GetServerVersion()))
check("GetServerProtocolVersion: a dotted version",
      lambda: re.fullmatch(r"\d+(\.\d+){1,3}", admin.GetServerProtocolVersion()))
check("GetCurrentUserRole: Administrator is 2", lambda: admin.GetCurrentUserRole() == 2)
check("GetCurrentUserRole: Reporter is 1", lambda: reporter.GetCurrentUserRole() == 1)
db = check("GetDatabaseConfiguration parses", lambda: admin.GetDatabaseConfiguration())
check("GetDatabaseConfiguration: server and database named",
      lambda: db and db.serverName == F["fqdn"] and db.databaseName == "wsusd.db")
p = check("Ping parses", lambda: admin.Ping(pingLevel=1))
check("Ping: SuccessFlag, HTTPS, machine", lambda: p and p.SuccessFlag and p.IsHttps and p.ServicesMachine == F["fqdn"])

# --- configuration and subscription -------------------------------------------
cfg = check("ExecuteSPGetConfiguration parses", lambda: admin.ExecuteSPGetConfiguration())
if cfg is not None:
    k = cfg.Configuration
    check("configuration: ServerTargeting true (server-side), no upstream, registration required",
          lambda: k.ServerTargeting is True and k.SyncToMU is False and k.IsRegistrationRequired is True
          and k.UpstreamServerName is None)
    check("configuration: ReportingServiceUrl is the advertised https URL",
          lambda: k.ReportingServiceUrl == "https://%s:%s/ReportingWebService/ReportingWebService.asmx"
          % (F["fqdn"], F["https_port"]))
    check("configuration: cookie lifetime %s s" % F["cookie_lifetime"],
          lambda: k.simpleTargetingCookieExpirationTime == int(F["cookie_lifetime"]))
    check("configuration: ServerId is the server's identity", lambda: low(k.ServerId) == F["server_id"])
    # Switch to client-side targeting and back: the whole row is sent back.
    k.ServerTargeting = False
    check("ExecuteSPSetConfiguration: ServerTargeting false accepted", lambda: admin.ExecuteSPSetConfiguration(
        row=k, listTrue=[], listFalse=[], ussListTrue=[], ussListFalse=[], programKeys=[]) is None or True)
    check("configuration now client-side targeting",
          lambda: admin.ExecuteSPGetConfiguration().Configuration.ServerTargeting is False)
    k.ServerTargeting = True
    check("ExecuteSPSetConfiguration: back to server-side", lambda: admin.ExecuteSPSetConfiguration(
        row=k, listTrue=[], listFalse=[], ussListTrue=[], ussListFalse=[], programKeys=[]) is None or True)
    k2 = admin.ExecuteSPGetConfiguration().Configuration
    k2.SyncToMU = True
    fault("ExecuteSPSetConfiguration: a field this server cannot change is refused by name",
          lambda: admin.ExecuteSPSetConfiguration(row=k2, listTrue=[], listFalse=[], ussListTrue=[],
                                                  ussListFalse=[], programKeys=[]), r"SyncToMU")
    check("... and nothing changed", lambda: admin.ExecuteSPGetConfiguration().Configuration.SyncToMU is False)
sub = check("GetSubscription parses", lambda: admin.GetSubscription())
check("GetSubscription: never synchronised, not automatic",
      lambda: sub and sub.SynchronizeAutomatically is False and sub.LastSynchronizationTime.year == 1)
check("GetSubscriptionState: 0 (idle)", lambda: admin.GetSubscriptionState() == 0)
fault("StartSubscriptionManually: no upstream server is configured",
      lambda: admin.StartSubscriptionManually(), r"no upstream server is configured")
fault("SetSubscription: no upstream server is configured",
      lambda: admin.SetSubscription(subscription=sub, categoryIds=[], updateClassificationIds=[],
                                    userName="x"), r"no upstream server is configured")

# --- updates -------------------------------------------------------------------
cu = check("ExecuteSPSearchUpdates (ApprovedStates=-1) parses",
           lambda: admin.ExecuteSPSearchUpdates(updateScopeXml='<UpdateScope ApprovedStates="-1" />',
                                                preferredCulture="en", publicationState=0))
main = rows(cu.minimalProperties) if cu else []
by_id = {low(r[0]): r for r in main}
check("search: %d rows of 37 columns, every imported update" % len(main),
      lambda: all(len(r) == 37 for r in main) and set(F["updates"]) <= set(by_id))
r0 = by_id.get(ring_ups[0])
check("row of an approved update: 0 id, 1 revision 100, 2/3 ids, 15 Software, 16 published, 18 approved, "
      "22 not declined, 24 latest, 29 title",
      lambda: r0 and r0[1] == 100 and isinstance(r0[2], int) and isinstance(r0[3], int) and r0[15] == "Software"
      and r0[16] == 0 and r0[18] is True and r0[22] is False and r0[24] is True and r0[29] == F["titles"][ring_ups[0]]
      and isinstance(r0[17], datetime.datetime) and isinstance(r0[25], datetime.datetime))
check("row of the declined update: 18 not approved, 22 declined",
      lambda: by_id[declined][22] is True and by_id[declined][18] is False)
cats = rows(cu.localizedCategoryTitleRows) if cu else []
check("localizedCategoryTitleRows join on RevisionId with classification titles",
      lambda: any(c[0] == r0[2] and c[1] == "UpdateClassification" and c[2] in ("Security Updates", "Critical Updates")
                  for c in cats) and any(c[0] == r0[2] and c[1] == "Product" for c in cats))


def ids(scope, pub=0):
    r = admin.ExecuteSPSearchUpdates(updateScopeXml=scope, preferredCulture="en", publicationState=pub)
    return {low(x[0]) for x in rows(r.minimalProperties)}


check("scope ApprovedStates=1 (approved): exactly the approved updates",
      lambda: ids('<UpdateScope ApprovedStates="1" />') == installed_a)
check("scope ApprovedStates=8 (declined): the declined update",
      lambda: ids('<UpdateScope ApprovedStates="8" />') == {declined})
check("scope ApprovedStates=4 (not approved): neither approved nor declined",
      lambda: ids('<UpdateScope ApprovedStates="4" />') == set(by_id) - installed_a - {declined})
check("scope TextIncludes: the title search finds one update",
      lambda: ids('<UpdateScope TextIncludes="%s" />' % F["titles"][F["updates"][3]].split()[-1].lower())
      == {F["updates"][3]})
gl = "&lt;root&gt;&lt;TargetGroupID&gt;%s&lt;/TargetGroupID&gt;&lt;/root&gt;" % ring
check("scope ApprovedComputerTargetGroups=Ring A: the updates approved for it",
      lambda: ids('<UpdateScope ApprovedComputerTargetGroups="%s" />' % gl) == set(ring_ups))
cl = "&lt;root&gt;&lt;id&gt;%s&lt;/id&gt;&lt;/root&gt;" % F["security"]
check("scope Classifications=Security Updates: only updates of that classification",
      lambda: ids('<UpdateScope Classifications="%s" />' % cl) == set(F["security_updates"]) & set(by_id))
check("scope ToArrivalDate in the past: nothing",
      lambda: ids('<UpdateScope ToArrivalDate="2001-01-01T00:00:00" />') == set())
check("scope IncludedInstallationStates=Installed (16): updates some computer installed",
      lambda: ids('<UpdateScope IncludedInstallationStates="16" />') == installed_a)
n = check("ExecuteSPGetUpdateCount parses", lambda: admin.ExecuteSPGetUpdateCount(
    updateScopeXml='<UpdateScope ApprovedStates="1" />', preferredCulture="en", publicationState=0))
check("ExecuteSPGetUpdateCount: the approved count", lambda: n == len(installed_a))
one = check("ExecuteSPGetUpdateById parses", lambda: admin.ExecuteSPGetUpdateById(
    preferredCulture="en", id={"UpdateId": ring_ups[0], "RevisionNumber": 100}))
check("ExecuteSPGetUpdateById: one row, that update", lambda: [low(r[0]) for r in rows(one.minimalProperties)] == [ring_ups[0]])
none = admin.ExecuteSPGetUpdateById(preferredCulture="en", id={"UpdateId": str(uuid.uuid4()), "RevisionNumber": 1})
check("ExecuteSPGetUpdateById of an unknown update: empty minimalProperties", lambda: rows(none.minimalProperties) == [])

# --- summaries -------------------------------------------------------------------


def summaries_per_update(cscope, uscope='<UpdateScope ApprovedStates="-1" />'):
    r = rows(admin.ExecuteSPGetSummariesPerUpdate(updateScopeXml=uscope, computerTargetScopeXml=cscope,
                                                  preferredCulture="en", publicationState=0))
    return r, {(low(x[0]), x[3]): x[4] for x in r}


ra, sa = summaries_per_update('<ComputerTargetScope IncludeDownstreamComputerTargets="false" />')
check("ExecuteSPGetSummariesPerUpdate (all computers): 6 columns, 1/2 nil, 5 a date",
      lambda: ra and all(len(x) == 6 and x[1] is None and x[2] is None and isinstance(x[5], datetime.datetime)
                         for x in ra))
check("per update: A installed (4) each approved update; B needs (2) the All Computers one",
      lambda: all(sa.get((u, 4)) == 1 for u in installed_a) and sa.get((all_up, 2)) == 1)
rg, sg = summaries_per_update('<ComputerTargetScope ComputerTargetGroups="%s" />' % gl)
check("per update for Ring A: A's states only (B is not in Ring A)",
      lambda: all(sg.get((u, 4)) == 1 for u in installed_a) and (all_up, 2) not in sg)
rn, sn = summaries_per_update('<ComputerTargetScope NameIncludes="%s" />' % F["b_name"][:6])
check("per update, NameIncludes (counted live): only B", lambda: sn == {(all_up, 2): 1})
rc = rows(admin.ExecuteSPGetSummariesPerComputer(
    updateScopeXml='<UpdateScope ApprovedStates="-1" />',
    computerTargetScopeXml='<ComputerTargetScope IncludeDownstreamComputerTargets="false" />',
    preferredCulture="en", publicationState=ANY))
sc = {(x[2], x[3]): x[4] for x in rc}
check("ExecuteSPGetSummariesPerComputer: key in column 2, 0/1 nil",
      lambda: rc and all(len(x) == 6 and x[0] is None and x[1] is None for x in rc))
check("per computer: A installed %d, B needs 1" % len(installed_a),
      lambda: sc.get((a, 4)) == len(installed_a) and sc.get((b, 2)) == 1)
rcg = rows(admin.ExecuteSPGetSummariesPerComputer(
    updateScopeXml='<UpdateScope ApprovedStates="1" />',
    computerTargetScopeXml='<ComputerTargetScope ComputerTargetGroups="%s" />' % gl,
    preferredCulture="en", publicationState=0))
check("per computer for Ring A with an approved-updates scope: only A",
      lambda: {x[2] for x in rcg} == {a})

# --- computers and groups --------------------------------------------------------
sets = check("ExecuteSPSearchComputers parses", lambda: admin.ExecuteSPSearchComputers(
    computerTargetScopeXml='<ComputerTargetScope IncludeDownstreamComputerTargets="false" />'))
s3 = sets_of(sets)
comp = {r[0]: r for r in s3[0]} if s3 else {}
check("ExecuteSPSearchComputers: three sets, computers of 32 columns",
      lambda: len(s3) == 3 and set(comp) == {a, b} and all(len(r) == 32 for r in s3[0]))
ca_ = comp.get(a)
check("computer row: 1 LastSyncTime, 2 LastReportedStatusTime, 3 IP, 4 name, 25 client version, 27 OS",
      lambda: ca_ and isinstance(ca_[1], datetime.datetime) and isinstance(ca_[2], datetime.datetime)
      and ca_[3] == "127.0.0.1" and ca_[4] == F["a_name"] and ca_[25] and ca_[27])
check("membership set: A in Ring A, B in Unassigned Computers",
      lambda: {(r[0], low(r[1])) for r in s3[2]} == {(a, ring), (b, UNASSIGNED)})
check("ExecuteSPGetComputerCount: 2", lambda: admin.ExecuteSPGetComputerCount(
    computerTargetScopeXml='<ComputerTargetScope />') == 2)
check("ExecuteSPGetComputerCount in Ring A: 1", lambda: admin.ExecuteSPGetComputerCount(
    computerTargetScopeXml='<ComputerTargetScope ComputerTargetGroups="%s" />' % gl) == 1)
inst = check("ExecuteSPGetUpdateInstallationInfoForComputer parses",
             lambda: rows(admin.ExecuteSPGetUpdateInstallationInfoForComputer(
                 computerId=a, updateScopeXml='<UpdateScope ApprovedStates="-1" />', preferredCulture="en",
                 publicationState=0)))
ia = {low(r[0]): r for r in inst or []}
check("installation info: A installed (4) each update, action Install (0) from Ring A or All Computers",
      lambda: all(ia[u][1] == a and ia[u][2] == 4 and ia[u][3] == 0 for u in installed_a)
      and low(ia[ring_ups[0]][4]) == ring and low(ia[all_up][4]) == ALL)
g = check("ExecuteSPGetAllTargetGroups parses", lambda: rows(admin.ExecuteSPGetAllTargetGroups()))
gid = {low(r[2]): r for r in g or []}
check("groups: the built-ins with WSUS's GUIDs, All Computers the root (nil parent), Ring A under it",
      lambda: gid[ALL][1] == "All Computers" and gid[ALL][5] is None and gid[UNASSIGNED][1] == "Unassigned Computers"
      and low(gid[UNASSIGNED][5]) == ALL and DOWNSTREAM in gid and gid[ring][0] == "Computers"
      and low(gid[ring][5]) == ALL and all(len(r) == 6 for r in g))
ng = check("ExecuteSPCreateTargetGroup1 parses", lambda: admin.ExecuteSPCreateTargetGroup1(name="Zeep Ring", parentGroupId=ring))
ngv = vals(ng)
new = low(ngv[2]) if ngv else None
check("the new group: 6 columns, name, parent Ring A",
      lambda: len(ngv) == 6 and ngv[1] == "Zeep Ring" and low(ngv[5]) == ring)
fault("ExecuteSPCreateTargetGroup1: a duplicate name is refused",
      lambda: admin.ExecuteSPCreateTargetGroup1(name="Zeep Ring", parentGroupId=ALL), r"already exists")
check("ExecuteSPAddComputerToTargetGroupAllowMultipleGroups: B joins the new group",
      lambda: admin.ExecuteSPAddComputerToTargetGroupAllowMultipleGroups(targetGroupId=new, computerId=b) is None)
rn2, sn2 = summaries_per_update('<ComputerTargetScope ComputerTargetGroups="&lt;root&gt;&lt;TargetGroupID&gt;%s'
                                '&lt;/TargetGroupID&gt;&lt;/root&gt;" IncludeSubgroups="true" />' % ring)
check("summary for Ring A with subgroups now counts B (kept current by the membership change)",
      lambda: sn2.get((all_up, 2)) == 1)
check("ExecuteSPRemoveComputerFromTargetGroup: B leaves it",
      lambda: admin.ExecuteSPRemoveComputerFromTargetGroup(targetGroupId=new, computerId=b) is None)
fault("ExecuteSPDeleteTargetGroup: a built-in group is refused",
      lambda: admin.ExecuteSPDeleteTargetGroup(id=UNASSIGNED, adminName="x", failIfReplica=False), r"built-in")
check("ExecuteSPDeleteTargetGroup: the new group goes",
      lambda: admin.ExecuteSPDeleteTargetGroup(id=new, adminName="x", failIfReplica=False) is None
      and new not in {low(r[2]) for r in rows(admin.ExecuteSPGetAllTargetGroups())})

# --- approvals -------------------------------------------------------------------
target = F["unapproved"]
dep = check("ExecuteSPDeployUpdate1 (Install for Ring A) parses", lambda: admin.ExecuteSPDeployUpdate1(
    updateId={"UpdateId": target, "RevisionNumber": 100}, deploymentAction=0, targetGroupId=ring,
    deadline=datetime.datetime(9999, 12, 31, 23, 59, 59), adminName="WSUS\\zeep", isAssigned=True))
v = vals(dep)
check("approval row: 11 columns, action 0, no deadline, admin the account, update/revision/group",
      lambda: len(v) == 11 and v[2] == 0 and v[4] is None and v[5] == F["admin"][0] and low(v[8]) == target
      and v[9] == 100 and low(v[10]) == ring and v[7] is True and isinstance(v[0], datetime.datetime))
deps = check("ExecuteSPGetDeployments parses", lambda: rows(admin.ExecuteSPGetDeployments(
    updateScopeXml='<UpdateScope ApprovedStates="-1" />', preferredCulture="en", publicationState=0)))
check("deployments: the new approval and the earlier ones",
      lambda: (target, ring) in {(low(r[8]), low(r[10])) for r in deps}
      and (all_up, ALL) in {(low(r[8]), low(r[10])) for r in deps})
fault("ExecuteSPDeployUpdate1: Block (3) is refused", lambda: admin.ExecuteSPDeployUpdate1(
    updateId={"UpdateId": target, "RevisionNumber": 100}, deploymentAction=3, targetGroupId=ring,
    deadline=datetime.datetime(9999, 12, 31), adminName="x", isAssigned=True), r"Block")
check("ExecuteSPDeclineUpdate: declined", lambda: admin.ExecuteSPDeclineUpdate(
    updateId=target, adminName="x", failIfReplica=False) is None and target in ids('<UpdateScope ApprovedStates="8" />'))

# --- events and status -----------------------------------------------------------
ev = check("ExecuteSPSearchEventHistory parses", lambda: admin.ExecuteSPSearchEventHistory(eventHistoryFilter={
    "fromTimeAtTarget": datetime.datetime(1, 1, 1), "toTimeAtTarget": datetime.datetime(9999, 12, 31),
    "fromTimeAtServer": datetime.datetime(1, 1, 1), "toTimeAtServer": datetime.datetime(9999, 12, 31),
    "targetId": a,
    "FromTimeAtTarget": datetime.datetime(1, 1, 1), "ToTimeAtTarget": datetime.datetime(9999, 12, 31),
    "FromTimeAtServer": datetime.datetime(1, 1, 1), "ToTimeAtServer": datetime.datetime(9999, 12, 31)}))
er = (ev if isinstance(ev, list) else ev.EventHistoryTableRow) if ev is not None else []
check("event history of A: its install events (183), each naming A and an update",
      lambda: er and {low(e.UpdateId) for e in er if e.EventId == 183} >= installed_a and all(e.ComputerId == a for e in er))
ev2 = admin.ExecuteSPSearchEventHistory(eventHistoryFilter={
    "eventIdFilter": {"EventIdFilter": [{"NamespaceId": 1, "EventId": 156}]},
    "fromTimeAtTarget": datetime.datetime(1, 1, 1), "toTimeAtTarget": datetime.datetime(9999, 12, 31),
    "fromTimeAtServer": datetime.datetime(1, 1, 1), "toTimeAtServer": datetime.datetime(9999, 12, 31),
    "FromTimeAtTarget": datetime.datetime(1, 1, 1), "ToTimeAtTarget": datetime.datetime(9999, 12, 31),
    "FromTimeAtServer": datetime.datetime(1, 1, 1), "ToTimeAtServer": datetime.datetime(9999, 12, 31)})
er2 = ev2 if isinstance(ev2, list) else (ev2.EventHistoryTableRow or [])
check("event history filtered on event 156: only 156 events, B's among them",
      lambda: er2 and all(e.EventId == 156 for e in er2) and b in {e.ComputerId for e in er2})
st = check("ExecuteSPGetUpdateServerStatus parses", lambda: admin.ExecuteSPGetUpdateServerStatus(
    updateSources=1, includeDownstreamComputers=False, updateScopeXml='<UpdateScope ApprovedStates="-1" />',
    computerTargetScopeXml='<ComputerTargetScope />', preferredCulture="en", publicationState=0,
    propertiesToGet=-1))
srow = sets_of(st)[0][0] if st else []
check("server status: 0 updates, 1 declined (2 now), 10 custom groups 1, 11 computers 2, 12 needing 1, "
      "13 with errors 0",
      lambda: srow[0] == len(by_id) and srow[1] == 2 and srow[10] == 1 and srow[11] == 2 and srow[12] == 1
      and srow[13] == 0 and all(isinstance(x, int) for x in srow))

# --- negatives -------------------------------------------------------------------
before = len(rows(admin.ExecuteSPGetDeployments(updateScopeXml='<UpdateScope ApprovedStates="-1" />',
                                                preferredCulture="en", publicationState=0)))
fault("a Reporter approving: UnauthorizedAccess", lambda: reporter.ExecuteSPDeployUpdate1(
    updateId={"UpdateId": F["unapproved2"], "RevisionNumber": 100}, deploymentAction=0, targetGroupId=ring,
    deadline=datetime.datetime(9999, 12, 31), adminName="x", isAssigned=True), r"UnauthorizedAccess")
fault("a Reporter creating a group: UnauthorizedAccess",
      lambda: reporter.ExecuteSPCreateTargetGroup1(name="Reporter Ring", parentGroupId=ALL), r"UnauthorizedAccess")
check("... nothing changed: same approvals, no such group", lambda: len(rows(admin.ExecuteSPGetDeployments(
    updateScopeXml='<UpdateScope ApprovedStates="-1" />', preferredCulture="en", publicationState=0))) == before
    and "Reporter Ring" not in {r[1] for r in rows(admin.ExecuteSPGetAllTargetGroups())})
check("a Reporter reads: ExecuteSPGetComputerCount", lambda: reporter.ExecuteSPGetComputerCount(
    computerTargetScopeXml="") == 2)
dtd = '<!DOCTYPE UpdateScope [<!ENTITY x "y">]><UpdateScope ApprovedStates="&x;" />'
fault("scope XML with a DTD is refused", lambda: admin.ExecuteSPSearchUpdates(
    updateScopeXml=dtd, preferredCulture="en", publicationState=0), r"updateScopeXml")
many = "<ComputerTargetScope %s />" % " ".join('a%d="1"' % i for i in range(10000))
fault("scope XML with 10,000 attributes is refused before it is parsed", lambda: admin.ExecuteSPGetComputerCount(
    computerTargetScopeXml=many), r"refused before any parameter was read")
many = "<ComputerTargetScope %s />" % " ".join('a%d="1"' % i for i in range(40))
fault("scope XML with 40 attributes (more than LIMIT_SCOPE_ATTRS) is refused", lambda: admin.ExecuteSPGetComputerCount(
    computerTargetScopeXml=many), r"computerTargetScopeXml: more than 32 attributes")
fault("a scope attribute this server does not know is refused by name", lambda: admin.ExecuteSPSearchUpdates(
    updateScopeXml='<UpdateScope ApprovedStates="-1" ExcludedByMagic="1" />', preferredCulture="en",
    publicationState=0), r"ExcludedByMagic")
fault("a scope attribute this server cannot honour is refused by name", lambda: admin.ExecuteSPSearchUpdates(
    updateScopeXml='<UpdateScope FromCreationDate="2020-01-01T00:00:00" />', preferredCulture="en",
    publicationState=0), r"FromCreationDate")
fault("a scope attribute in a changing-free summary is refused too", lambda: admin.ExecuteSPGetSummariesPerUpdate(
    updateScopeXml="", computerTargetScopeXml='<ComputerTargetScope RequestedTargetGroupNames="x" />',
    preferredCulture="en", publicationState=0), r"RequestedTargetGroupNames")
fault("a scope with a DTD on a changing-free count is refused", lambda: admin.ExecuteSPGetUpdateCount(
    updateScopeXml='<!DOCTYPE x SYSTEM "file:///etc/passwd"><UpdateScope />', preferredCulture="en",
    publicationState=0), r"updateScopeXml")
fault("an operation this server does not implement names itself",
      lambda: admin.HasSmtpUserPassword(), r"HasSmtpUserPassword is not implemented")
sys.exit(1 if failed else 0)
