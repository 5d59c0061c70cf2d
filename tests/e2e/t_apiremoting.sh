#!/bin/bash
# ApiRemoting30, the admin console's service, with real data: a catalogue
# imported, approved and declined with wsusutil, a group, and two real
# wsusclient computers (A assigned to Ring A, scanned, installed and
# reported; B unassigned, scanned and reported).  python3-zeep (strict,
# our WSDL, HTTPS, NTLM through requests-ntlm) then calls every operation
# wsusd implements, checks the positional columns against that data, and
# runs the negatives: a Reporter's change (UnauthorizedAccess, nothing
# changed), scope XML with a DTD or 10,000 attributes, unknown and
# unhonourable scope attributes, an unimplemented operation.  Every change
# the console made is in the audit log under the account and address.
. tests/e2e/lib.sh
setup
W=("$TOP/$BUILD/wsusutil" -c "$T/wsusd.conf")
cd "$T" || exit 1
mkdir -p data
python3 "$TOP/tests/tools/gen_catalog.py" --docs docs --content data/content --manifest m.json \
	--updates 12 --file-size 64 >/dev/null
py() { python3 -c "import json; m=json.load(open('m.json')); $1"; }
U=($(py 'print(" ".join(u["id"] for u in m["updates"]))'))
check "import-updates" "${W[@]}" import-updates docs
check "group add Ring A" "${W[@]}" group add "Ring A"
check "approve 4 updates for Ring A" "${W[@]}" approve "${U[0]}" "${U[1]}" "${U[2]}" "${U[3]}" "Ring A"
check "approve 1 update for All Computers" "${W[@]}" approve "${U[4]}" "All Computers"
check "decline 1 update" "${W[@]}" decline "${U[5]}"
printf 'admin-pw-1\n' >admin.pw && printf 'reporter-pw-1\n' >reporter.pw && chmod 600 ./*.pw
check "user add zadmin (Administrator)" "${W[@]}" user add zadmin --role Administrator --password-file admin.pw
check "user add zreader (Reporter)" "${W[@]}" user add zreader --role Reporter --password-file reporter.pw
start_wsusd || { done_; exit 1; }
C=("$TOP/$BUILD/wsusclient" --server "$HTTPS" --ca pki/ca.crt
   --resolve "$FQDN:$HTTPS_PORT:127.0.0.1" --resolve "$FQDN:$HTTP_PORT:127.0.0.1")
mkdir -p a b && printf 'd0\nd1\nd2\n' >a/registry && printf 'd0\nd1\nd2\n' >b/registry
check "A scans (registers)" "${C[@]}" --state a --dns-name a-zeep.test scan
check "assign A to Ring A" "${W[@]}" assign "$(cat a/client.id)" "Ring A"
check "A scans, installs and reports" "${C[@]}" --state a --dns-name a-zeep.test all
check "B scans" "${C[@]}" --state b --dns-name b-zeep.test scan
check "B reports" "${C[@]}" --state b --dns-name b-zeep.test report
sid=$(sqlite3 data/wsusd.db "SELECT server_id FROM server_identity")
python3 - "$(cat a/client.id)" "$(cat b/client.id)" "$sid" "$HTTPS_PORT" "${COOKIE_LIFETIME:-3600}" >facts.json <<'PY'
import json, sys, sqlite3
m = json.load(open("m.json"))
u = [x["id"] for x in m["updates"]]
ring = sqlite3.connect("data/wsusd.db").execute(
    "SELECT group_id FROM target_groups WHERE name = 'Ring A'").fetchone()[0]
print(json.dumps({
    "admin": ["zadmin", "admin-pw-1"], "reporter": ["zreader", "reporter-pw-1"],
    "fqdn": "wsus.test", "https_port": sys.argv[4], "cookie_lifetime": sys.argv[5],
    "server_id": sys.argv[3], "updates": u, "approved_ring": u[:4], "approved_all": u[4],
    "declined": u[5], "unapproved": u[6], "unapproved2": u[7], "ring": ring,
    "a": sys.argv[1], "b": sys.argv[2], "a_name": "a-zeep.test", "b_name": "b-zeep.test",
    "security": m["classifications"][0], "security_updates": u[0::2],
    "titles": {x: "Contoso Update KB%d" % (500000 + i) for i, x in enumerate(u)}}))
PY
a0=$("${W[@]}" audit list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
run_tap /usr/bin/python3 "$TOP/tests/tools/apiremoting_client.py" "https://localhost:$HTTPS_PORT" pki/ca.crt \
	"$TOP/webservices/wsdl/ApiRemoting30.wsdl" facts.json
# The console's changes: configuration twice, group create/delete,
# membership add/remove, approve, decline -- each one audited row naming
# the account, the program and the address; the Reporter's refused
# attempts wrote nothing.
"${W[@]}" audit list --json | python3 -c '
import json, sys
rows = json.load(sys.stdin)[int(sys.argv[1]):]
api = [r for r in rows if r["program"] == "ApiRemoting30"]
ok = len(api) == len(rows) == 8 and all(r["account"] == "zadmin" and r["address"] == "127.0.0.1" for r in api)
print("ok" if ok else "bad: %r" % [(r["program"], r["account"], r["action"]) for r in rows])
sys.exit(0 if ok else 1)' "$a0" >audit.out 2>&1 && ok "8 console changes, 8 audit rows (ApiRemoting30, zadmin, 127.0.0.1)" ||
	fail "audit rows: $(cat audit.out)"
check "audit verify: the chain holds" "${W[@]}" audit verify
grep -q "ApiRemoting30 ExecuteSPDeployUpdate1: zreader from 127.0.0.1 is a Reporter: refused" wsusd.log &&
	ok "the Reporter's refusal is logged with account and address" || fail "no refusal log line"
cd "$TOP" || exit 1
done_
