#!/bin/bash
# Full scans with wsusclient over HTTPS against a 2,000-update synthetic
# catalogue, approvals for two groups (one reached by server-side
# assignment, one by client-side targeting): each client gets exactly its
# approved, applicable set; the next scan is a delta; a declined update
# leaves the client; a changed content file fails the hash check; an
# expired cookie gets CookieExpired and the client recovers.
. tests/e2e/lib.sh
# B reaches Ring B by client-side targeting, which is off by default.
TARGETING=client COOKIE_LIFETIME=4 setup
W=("$TOP/$BUILD/wsusutil" -c "$T/wsusd.conf")
cd "$T" || exit 1
mkdir -p data
t0=$(date +%s.%N)
python3 "$TOP/tests/tools/gen_catalog.py" --docs docs --content data/content --manifest m.json \
	--updates 2000 --file-size 256 >/dev/null
check "import-updates of $(ls docs | wc -l) documents" "${W[@]}" import-updates docs
check "group add Ring A" "${W[@]}" group add "Ring A"
check "group add Ring B" "${W[@]}" group add "Ring B"
py() { python3 -c "import json; m=json.load(open('m.json')); $1"; }
check "approve 600 updates for Ring A" "${W[@]}" approve $(py 'print(" ".join(u["id"] for u in m["updates"][:600]))') "Ring A"
check "approve 600 updates for Ring B" "${W[@]}" approve $(py 'print(" ".join(u["id"] for u in m["updates"][400:1000]))') "Ring B"
echo "# catalogue ready in $(echo "$(date +%s.%N) - $t0" | bc 2>/dev/null || echo '?') s"
start_wsusd || { done_; exit 1; }
C=("$TOP/$BUILD/wsusclient" --server "$HTTPS" --ca pki/ca.crt
   --resolve "$FQDN:$HTTPS_PORT:127.0.0.1" --resolve "$FQDN:$HTTP_PORT:127.0.0.1")
needed() { awk -F'\t' '$1 == "update" { print $3 }' "$1/updates" | sort; }
mkdir -p a b && printf 'd0\nd1\nd2\n' >a/registry && printf 'd0\nd1\n' >b/registry
py 'print("\n".join(sorted(u["id"] for u in m["updates"][:600])))' >want-a
py 'd2=m["detectoids"][2]["id"]; print("\n".join(sorted(u["id"] for u in m["updates"][400:1000] if u["detectoid"] != d2)))' >want-b

# A: unassigned first (nothing approved for it), then assigned to Ring A.
out=$("${C[@]}" --state a scan 2>&1)
grep -q "^Successfully completed scan.$" <<<"$out" && [ -z "$(needed a)" ] &&
	ok "unassigned computer: scan succeeds, nothing needed" || fail "unassigned scan: $out"
check "assign A to Ring A" "${W[@]}" assign "$(cat a/client.id)" "Ring A"
out=$("${C[@]}" --state a scan 2>&1)
if needed a | cmp -s - want-a; then ok "A gets exactly Ring A's 600 approved updates"
else fail "A's set: $(needed a | wc -l) vs $(wc -l <want-a); $(echo "$out" | tail -3)"; fi
# B: client-side targeting; registry without d2 removes a third of them.
out=$("${C[@]}" --state b --group "Ring B" scan 2>&1)
if needed b | cmp -s - want-b; then ok "B (client-side targeting, no d2) gets exactly its $(wc -l <want-b) applicable approved updates"
else fail "B's set: $(needed b | wc -l) vs $(wc -l <want-b); $(echo "$out" | tail -3)"; fi
"${W[@]}" computers --json | python3 -c '
import json,sys; rows=json.load(sys.stdin); b=open("b/client.id").read().strip()
sys.exit(0 if any(r["id"]==b and "Ring B" in r["groups"] for r in rows) else 1)' &&
	ok "client-side targeting put B in Ring B" || fail "B's group"

# Delta: a rescan sends every cached id and gets nothing new.
"${C[@]}" --state a scan >/dev/null 2>&1
last=$(grep "SyncUpdates: $(cat a/client.id)" "$T/wsusd.log" | tail -1)
echo "$last" | grep -q ": 0 new update(s), .* [1-9][0-9]* cached" && ok "second scan is a delta: $last" ||
	fail "delta: $last"
# Decline: the update leaves A's set.
victim=$(head -1 want-a)
check "decline $victim" "${W[@]}" decline "$victim"
"${C[@]}" --state a scan >/dev/null 2>&1
needed a | grep -q "$victim" && fail "declined update still needed" || ok "declined update removed from A"
# Changed content on disk: the hash check catches it.
f=$(py "print([u for u in m['updates'] if u['id']=='$(sed -n 2p want-a)'][0]['file']['path'])")
printf 'X' | dd of="data/content/$f" bs=1 seek=10 conv=notrunc 2>/dev/null
out=$("${C[@]}" --state a download 2>&1); rc=$?
[ $rc != 0 ] && grep -q "^Hash verification failed for .*SHA-1" <<<"$out" && ok "changed content file refused by hash" ||
	fail "hash check: rc=$rc $(echo "$out" | tail -2)"
# Cookie expiry: the server refuses an expired cookie; the client recovers.
sleep 5
sed -i 's/^Expiration: .*/Expiration: 2099-01-01T00:00:00Z/' a/cookie
out=$("${C[@]}" --state a scan 2>&1)
grep -q "^Recovering from CookieExpired" <<<"$out" && grep -q "^Successfully completed scan.$" <<<"$out" &&
	ok "CookieExpired fault, client recovered" || fail "expiry: $(echo "$out" | tail -3)"
"${W[@]}" updates --json | python3 -c 'import json,sys; r=json.load(sys.stdin); sys.exit(0 if len(r)>=2000 else 1)' &&
	ok "wsusutil updates --json lists the catalogue" || fail "updates --json"
cd "$TOP" || exit 1
done_
