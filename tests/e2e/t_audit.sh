#!/bin/bash
# t_audit.sh - one audited door for every change.  Every changing wsusutil
# verb (import-updates, group add, assign, approve, decline, publish,
# publish --expire, configuressl, signingcert create/import, trust add/remove,
# user add/passwd/role/del) and the daemon seeding a changed wsusd.conf
# setting each add exactly one audit row, with the actor and before/after;
# refused and read-only verbs and client traffic (registration, scans) add
# none.  `audit list` shows them (--json parsed, --since honoured);
# `audit verify` passes, then, on copies tampered with by sqlite3, catches
# an edited row, a deleted row and a tail cut off after a logged head,
# exiting non-zero and naming the first broken row.  The NTLM file is 0600
# and holds NT hashes, not the password.
. tests/e2e/lib.sh
setup
UTIL="$TOP/$BUILD/wsusutil"
W=("$UTIL" -c "$T/wsusd.conf")
DB="$T/data/wsusd.db"
cd "$T" || exit 1
mkdir -p data
export SUDO_USER=auditor      # the account wsusutil records

rows() { if [ -f "$DB" ]; then sqlite3 "$DB" 'select count(*) from audit'; else echo 0; fi; }
# last COL: that column of the newest row.
last() { sqlite3 "$DB" "select $1 from audit order by seq desc limit 1"; }

# audited DESC ACTION OBJECT BEFORE-RE AFTER-RE [PROGRAM] -- CMD...: CMD
# succeeds and adds exactly one row, with ACTION, OBJECT (a grep -E
# pattern), the actor (wsusutil/auditor/local, or PROGRAM's), and
# before/after matching the patterns ("^$": nothing); wsusutil's stderr
# names the new head.
audited() {
	local d=$1 action=$2 object=$3 before=$4 after=$5 program=wsusutil r0 out st
	shift 5
	if [ "$1" != "--" ]; then program=$1; shift; fi
	shift
	r0=$(rows)
	# Not in a $(...) subshell: start_wsusd must set WSUSD_PID here.
	"$@" >"$T/verb.out" 2>"$T/verb.err"; st=$?
	out=$(cat "$T/verb.out")
	local n=$(( $(rows) - r0 ))
	local got="$(last action)|$(last object)|$(last program)|$(last account)|$(last address)"
	local b a
	b=$(last before); a=$(last after)
	if [ $st = 0 ] && [ $n = 1 ] &&
	    echo "$got" | grep -qE "^$action\|$object\|$program\|$( [ "$program" = wsusutil ] && echo auditor || echo local)\|local$" &&
	    echo "$b" | grep -qE -- "$before" && echo "$a" | grep -qE -- "$after" &&
	    { [ "$program" != wsusutil ] || grep -q "^wsusutil: Audit head $(last seq) $(last hash)$" "$T/verb.err"; }; then
		ok "$d: one row ($action), before/after recorded"
	else
		fail "$d: exit $st, $n new rows, '$got' before '$b' after '$a': $out $(cat "$T/verb.err")"
	fi
}
# unaudited DESC CMD...: adds no row (whatever its exit status).
unaudited() {
	local d=$1 r0; shift
	r0=$(rows)
	"$@" >/dev/null 2>&1
	[ "$(rows)" = "$r0" ] && ok "$d: no audit row" || fail "$d: $(( $(rows) - r0 )) audit rows"
}

# --- the catalogue and targeting verbs ----------------------------------------
python3 "$TOP/tests/tools/gen_catalog.py" --docs docs --content data/content --manifest m.json \
	--updates 4 --file-size 64 >/dev/null
py() { python3 -c "import json; m=json.load(open('m.json')); $1"; }
U1=$(py 'print(m["updates"][0]["id"])'); U2=$(py 'print(m["updates"][1]["id"])')
audited "import-updates" import catalog '^$' '"added":[1-9][0-9]*,' -- "${W[@]}" import-updates docs
unaudited "import-updates of what is there" "${W[@]}" import-updates docs
audited "group add" group.add "Ring A" '^$' '"name":"Ring A".*"parent":"All Computers"' -- \
	"${W[@]}" group add "Ring A"
unaudited "group add of a taken name (refused)" "${W[@]}" group add "ring a"
audited "approve" approve "$U1" '^\{\}$' '"group":"Ring A","action":"install","deadline":0' -- \
	"${W[@]}" approve "$U1" "Ring A"
audited "approve again with a deadline" approve "$U1" '"action":"install","deadline":0' \
	'"deadline":1798761600' -- "${W[@]}" approve "$U1" "Ring A" --deadline 2027-01-01
unaudited "approve of an unknown update (refused)" "${W[@]}" approve 00000000-0000-4000-8000-000000000000 "Ring A"
audited "decline" decline "$U2" '"declined":0' '"declined":1' -- "${W[@]}" decline "$U2"
unaudited "decline of an unknown update (refused)" "${W[@]}" decline 00000000-0000-4000-8000-000000000000

# The daemon: at start-up it logs the head; client traffic is not audited.
start_wsusd || { done_; exit 1; }
grep -q "Audit head $(last seq) $(last hash)" wsusd.log && ok "wsusd logs the audit head at start-up" ||
	fail "no start-up head line: $(grep -i audit wsusd.log)"
X=0f1e2d3c-4b5a-4697-8877-665544332211
unaudited "a client registering and scanning" python3 "$TOP/tests/tools/targeting.py" \
	"https://localhost:$HTTPS_PORT" pki/ca.crt data/wsusd.db $X -
[ "$(sqlite3 "$DB" "select count(*) from computers where computer_id = '$X'")" = 1 ] &&
	ok "the client did register" || fail "computer $X not registered"
audited "assign" computer.assign "$X" '"groups":\[\]' '"groups":\["Ring A"\]' -- \
	"${W[@]}" assign $X "Ring A"
unaudited "assign to an unknown group (refused)" "${W[@]}" assign $X "No Such"
audited "configuressl" advert.set "$FQDN" '"using_ssl":1' "\"url\":\"https://$FQDN:$HTTPS_PORT\"" -- \
	"${W[@]}" configuressl "$FQDN"
stop_wsusd

# Settings: the daemon writes a changed wsusd.conf value, as itself.
TARGETING=client write_conf
audited "wsusd seeding targeting = client" settings.seed server_settings '"targeting":"server"' \
	'"targeting":"client"' wsusd -- start_wsusd
grep -q "Audit head $(last seq) $(last hash)" wsusd.log && ok "wsusd logs the head after its change" ||
	fail "no head line after the seed"
stop_wsusd
unaudited "a restart with the same wsusd.conf" start_wsusd
stop_wsusd

# --- publishing: signing certificate, trust stores, publish, expire -------------
audited "signingcert create" signingcert.create signing/current '^$' '"sha1":"[0-9A-F]{40}"' -- \
	"${W[@]}" signingcert create
SHA1=$(last after | sed 's/.*"sha1":"\([0-9A-F]*\)".*/\1/')
audited "signingcert create again (retires the first)" signingcert.create signing/current \
	"\"sha1\":\"$SHA1\"" '"sha1":"[0-9A-F]{40}"' -- "${W[@]}" signingcert create
# A CA-issued one, imported as PEM certificate + key (retires the second).
openssl req -x509 -newkey rsa:2048 -nodes -keyout cs.key -out cs.crt -days 30 -subj "/CN=wsusd audit publisher" \
	-addext extendedKeyUsage=codeSigning -addext keyUsage=digitalSignature 2>/dev/null; chmod 600 cs.key
CS=$(openssl x509 -in cs.crt -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
audited "signingcert import" signingcert.import signing/current '"sha1":"[0-9A-F]{40}"' "\"sha1\":\"$CS\"" -- \
	"${W[@]}" signingcert import cs.crt --key cs.key
unaudited "signingcert import of a TLS certificate (refused)" "${W[@]}" signingcert import pki/server.crt --key pki/server.key
unaudited "signingcert export" "${W[@]}" signingcert export signing.cer
audited "trust add TrustedPublisher" trust.add 'signing.cer' '^$' '"store":"TrustedPublisher","sha1":"[0-9A-F]{40}"' -- \
	"${W[@]}" trust add signing.cer --store TrustedPublisher
audited "trust add Root" trust.add 'signing.cer' '^$' '"store":"Root"' -- \
	"${W[@]}" trust add signing.cer --store Root
unaudited "publish --example (writes files, no server state)" "${W[@]}" publish --example ex
PUB=$(sed -n 's/.*<Update id="\([^"]*\)".*/\1/p' ex/catalog.xml)
# The update and its categories, one transaction, one row.
audited "publish" import catalog '^$' "\"added\":[0-9]+,.*\"$PUB/1\"" -- "${W[@]}" publish ex/catalog.xml
audited "publish --expire" expire "$PUB" '"state":"published"' '"state":"expired"' -- \
	"${W[@]}" publish --expire "$PUB"
unaudited "publish --expire again (refused)" "${W[@]}" publish --expire "$PUB"
THUMB=$(openssl x509 -inform DER -in signing.cer -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
audited "trust remove" trust.remove "$THUMB" "\"sha1\":\"$THUMB\"" '^$' -- "${W[@]}" trust remove "$THUMB"

# --- accounts ------------------------------------------------------------------
printf 'Corr3ct-Horse\n' >pw; chmod 600 pw
audited "user add (password file)" user.add alice '^$' '"role":"Administrator","password":true' -- \
	"${W[@]}" user add alice --role Administrator --password-file pw
audited "user add (password on stdin)" user.add carol '^$' '"role":"Reporter","password":true' -- \
	sh -c "printf 'r3porter\n' | $UTIL -c $T/wsusd.conf user add carol --role Reporter"
audited "user add of a Kerberos principal" user.add 'bob@EXAMPLE\.TEST' '^$' '"password":false' -- \
	"${W[@]}" user add bob@EXAMPLE.TEST --role Reporter
unaudited "user add of a taken name, other case (refused)" "${W[@]}" user add ALICE --role Reporter --password-file pw
unaudited "user add with --password on the command line (refused)" "${W[@]}" user add dave --role Reporter --password x
out=$("${W[@]}" user add dave --role Reporter --password x 2>&1); st=$?
[ $st = 2 ] && echo "$out" | grep -q "no password on the command line" &&
	ok "--password is refused, naming why" || fail "--password: $st $out"
printf 'N3w-pass\n' >pw2
audited "user passwd" user.passwd alice '"password_changed":' '"password_changed":' -- \
	"${W[@]}" user passwd alice --password-file pw2
audited "user role" user.role carol '"role":"Reporter"' '"role":"Administrator"' -- \
	"${W[@]}" user role carol --role Administrator
audited "user del" user.delete carol '"name":"carol"' '^$' -- "${W[@]}" user del carol
unaudited "user del of nobody (refused)" "${W[@]}" user del carol
NT=ntlm-users; F=data/admin/$NT
[ "$(stat -c %a "$F")" = 600 ] && [ "$(stat -c %a data/admin)" = 700 ] && ok "$NT is 0600 in a 0700 directory" ||
	fail "$NT mode $(stat -c %a "$F"), dir $(stat -c %a data/admin)"
# MD4(UTF-16LE("N3w-pass")), computed here by openssl, not by wsusd.
WANT=$(printf 'N3w-pass' | iconv -t UTF-16LE | openssl dgst -md4 -provider legacy -provider default | sed 's/.*= //' | tr a-f A-F)
grep -qx "WSUSD\\\\alice:1:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:$WANT:\[U          \]:LCT-00000000:" "$F" &&
	grep -qx "alice:1:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:$WANT:\[U          \]:LCT-00000000:" "$F" &&
	ok "$NT: DOMAIN\\alice and alice lines with the NT hash openssl computes" || fail "$NT: $(cat "$F")"
! grep -q "N3w-pass\|Corr3ct\|r3porter\|carol\|bob" "$F" && ok "$NT: no clear password, no deleted or Kerberos account" ||
	fail "$NT holds a password or a stale account"
! sqlite3 "$DB" .dump | grep -q "N3w-pass\|Corr3ct\|r3porter\|$WANT" && ok "the database holds no password or NT hash" ||
	fail "a secret in the database"

# wsusd rewrites the file at start-up: a new [admin] ntlm_domain takes effect,
# the NT hash carried over; the start-up itself is no admin change.
printf '[admin]\nntlm_domain = CORP\n' >>wsusd.conf
unaudited "wsusd start-up with a new ntlm_domain" start_wsusd
grep -qx "CORP\\\\alice:1:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:$WANT:\[U          \]:LCT-00000000:" "$F" &&
	! grep -q "^WSUSD" "$F" && grep -q "NTLM accounts: 1 written to .*ntlm-users (domain CORP)" wsusd.log &&
	ok "wsusd rewrote $NT for domain CORP at start-up, hash kept" || fail "start-up rewrite: $(cat "$F")"
stop_wsusd

# --- read-only verbs write nothing ------------------------------------------------
for v in "computers" "updates --all" "user list" "trust list" "signingcert show" "audit list" "audit verify" "checkcert"; do
	# shellcheck disable=SC2086
	unaudited "$v (read only)" "${W[@]}" $v
done

# --- audit list ------------------------------------------------------------------------
N=$(rows)
out=$("${W[@]}" audit list); st=$?
[ $st = 0 ] && echo "$out" | grep -q "^SEQ .*ACTION .*OBJECT" && echo "$out" | grep -qE "^1 .* wsusutil +auditor +local +import" &&
	echo "$out" | grep -q "before {\"declined\":0" && ok "audit list: a table with before/after" || fail "audit list: $st $out"
"${W[@]}" audit list --json >list.json
python3 - "$N" <<'PY' && ok "audit list --json: $N rows, every field, before/after as JSON" || fail "audit list --json"
import json, sys
rows = json.load(open("list.json"))
assert len(rows) == int(sys.argv[1]), len(rows)
keys = {"seq", "time", "time_utc", "program", "account", "address", "action", "object", "before", "after", "prev_hash", "hash"}
for i, r in enumerate(rows):
    assert set(r) == keys, r.keys()
    assert r["seq"] == i + 1
    assert i == 0 or r["prev_hash"] == rows[i - 1]["hash"]
    assert r["before"] is None or isinstance(r["before"], dict)
    assert r["after"] is None or isinstance(r["after"], dict)
assert any(r["program"] == "wsusd" and r["action"] == "settings.seed" for r in rows)
assert all(r["account"] == "auditor" for r in rows if r["program"] == "wsusutil")
PY
out=$("${W[@]}" audit list --since 2999-01-01); [ "$out" = "(no audit rows since then)" ] &&
	ok "audit list --since the future: nothing" || fail "--since future: $out"
[ "$("${W[@]}" audit list --since 2000-01-01 --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = "$N" ] &&
	ok "audit list --since the past: every row" || fail "--since past"
out=$("${W[@]}" audit list --since yesterday 2>&1); st=$?
[ $st = 2 ] && echo "$out" | grep -q "bad --since" && ok "audit list --since with a bad date: usage error" || fail "bad date: $st $out"

# --- audit verify, then tampering on copies ------------------------------------------------
HEAD=$(last hash); HSEQ=$(last seq)
out=$("${W[@]}" audit verify); st=$?
[ $st = 0 ] && [ "$out" = "audit log: $N rows, chain intact; head $HSEQ $HEAD" ] && ok "audit verify: intact" ||
	fail "audit verify: $st $out"
out=$("${W[@]}" audit verify --head "$HEAD"); st=$?
[ $st = 0 ] && echo "$out" | grep -q "holds the given head" && ok "audit verify --head (the last logged head)" ||
	fail "verify --head: $st $out"
out=$("${W[@]}" audit verify --head 1234 2>&1); st=$?
[ $st = 2 ] && ok "audit verify --head with a short hash: usage error" || fail "short head: $st $out"

# copy NAME: data/ copied to NAME/data with a config pointing at it.
copy() {
	mkdir -p "$1"
	sqlite3 "$DB" ".backup '$1/wsusd.db'"
	mkdir -p "$1/data"; mv "$1/wsusd.db" "$1/data/wsusd.db"
	sed "s#^data_dir = .*#data_dir = $T/$1/data#" wsusd.conf >"$1/wsusd.conf"
	sqlite3 "$1/data/wsusd.db" "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete"
}
# broken DESC DIR SEQ [ARGS]: verify of DIR exits 1 and names row SEQ.
broken() {
	local out st
	out=$("$UTIL" -c "$2/wsusd.conf" audit verify ${4:+--head "$4"} 2>&1); st=$?
	if [ $st = 1 ] && echo "$out" | grep -q "broken at row $3 " && echo "$out" | grep -q "BROKEN at row $3$"; then
		ok "$1: exit 1, first broken row $3"
	else
		fail "$1: exit $st (want 1, row $3): $out"
	fi
}
copy edited
sqlite3 edited/data/wsusd.db "UPDATE audit SET account = 'mallory' WHERE seq = 3"
broken "an edited row (the account of row 3)" edited 3
out=$("$UTIL" -c edited/wsusd.conf audit verify 2>&1)
echo "$out" | grep -q "row 3: its hash does not match its fields" && ok "the reason: the hash does not match" ||
	fail "edit reason: $out"
copy edited2
sqlite3 edited2/data/wsusd.db "UPDATE audit SET after = replace(after, '\"declined\":1', '\"declined\":0') WHERE action = 'decline'"
DSEQ=$(sqlite3 edited2/data/wsusd.db "select seq from audit where action = 'decline'")
broken "an edited before/after (the decline)" edited2 "$DSEQ"
copy deleted
sqlite3 deleted/data/wsusd.db "DELETE FROM audit WHERE seq = 5"
broken "a deleted row (row 5)" deleted 5
out=$("$UTIL" -c deleted/wsusd.conf audit verify 2>&1)
echo "$out" | grep -q "audit row 5 is missing" && ok "the reason: row 5 is missing" || fail "delete reason: $out"
copy rehashed
# Deleting the first row and renumbering is caught too (prev_hash of the new row 1).
sqlite3 rehashed/data/wsusd.db "DELETE FROM audit WHERE seq = 1; UPDATE audit SET seq = seq - 1"
broken "the first row deleted and the rest renumbered" rehashed 1
copy cut
CUT=$((HSEQ - 2))
sqlite3 cut/data/wsusd.db "DELETE FROM audit WHERE seq > $CUT"
out=$("$UTIL" -c cut/wsusd.conf audit verify); st=$?
[ $st = 0 ] && ok "a cut-off tail alone still verifies (that is what the logged head is for)" || fail "cut alone: $st $out"
broken "a tail cut off after the logged head" cut $((CUT + 1)) "$HEAD"
out=$("$UTIL" -c cut/wsusd.conf audit verify --head "$HEAD" 2>&1)
echo "$out" | grep -q "ends at row $CUT, and no row has the expected head hash" && ok "the reason names the cut" ||
	fail "cut reason: $out"
# The original is untouched by all this.
out=$("${W[@]}" audit verify --head "$HEAD"); st=$?
[ $st = 0 ] && ok "the original still verifies against the head" || fail "original: $st $out"
sqlite3 "$DB" "UPDATE audit SET account = 'x' WHERE seq = 1" 2>/dev/null &&
	fail "the live table took an UPDATE" || ok "the live table refuses UPDATE (trigger)"
done_
