#!/bin/bash
# t_client.sh - wsusclient (tools/) against the real daemon: a synthetic
# catalogue, a full scan/download/install/report cycle, cookie faults and
# their recoveries, hash failures, and TLS pinning.
. tests/e2e/lib.sh
setup
W=("$TOP/$BUILD/wsusutil" -c "$T/wsusd.conf")
cd "$T" || exit 1
mkdir -p data
python3 "$TOP/tests/tools/gen_catalog.py" --docs docs --content data/content \
	--manifest manifest.json --updates 40 >/dev/null
check "import-updates" "${W[@]}" import-updates docs
for u in $(python3 -c 'import json; [print(u["id"]) for u in json.load(open("manifest.json"))["updates"]]'); do
	"${W[@]}" approve "$u" "All Computers" >/dev/null || fail "approve $u"
done
start_wsusd || { done_; exit 1; }
C=("$TOP/$BUILD/wsusclient" --server "$HTTPS" --ca pki/ca.crt
   --resolve "$FQDN:$HTTPS_PORT:127.0.0.1" --resolve "$FQDN:$HTTP_PORT:127.0.0.1")
mkdir -p c1 && printf 'd0\nd1\nd2\n' >c1/registry

out=$("${C[@]}" --state c1 all 2>&1); rc=$?
[ $rc = 0 ] && ok "all exits 0" || fail "all exits $rc"
grep -q "^Enabling managed server policy to use server: $HTTPS$" <<<"$out" && ok "policy line" || fail "policy line"
grep -q "^Found 40 updates (40 needed)$" <<<"$out" && ok "first scan: 40 needed" || fail "first scan"
grep -q "^Reported 40 events .*183 installed: 40)" <<<"$out" && ok "183 x 40 reported" || fail "report"
grep -q "^Found 40 updates (0 needed)$" <<<"$out" && ok "second scan: 0 needed" || fail "second scan"
[ "$(stat -c %a c1)" = 700 ] && ok "state dir 0700" || fail "state dir mode"
"${W[@]}" computers | grep -q "$(cat c1/client.id) .* 40 *0 *0" && ok "server counts 40 installed" || fail "server counts"

# registry decides applicability (detectoid d0 only: every third update)
mkdir -p c2 && echo d0 >c2/registry
"${C[@]}" --state c2 scan | grep -q "^Found 14 updates (14 needed)$" && ok "d0 only: 14 needed" || fail "d0 only"

# cookie tampered -> InvalidCookie -> restart at GetConfig
python3 -c 'import re,sys; p="c1/cookie"; s=open(p).read(); i=s.index("EncryptedData: ")+30; s=s[:i]+("B" if s[i]!="B" else "C")+s[i+1:]; open(p,"w").write(s)'
out=$("${C[@]}" --state c1 scan 2>&1)
grep -q "^Recovering from InvalidCookie: restarting at GetConfig$" <<<"$out" && ok "InvalidCookie recovered" || fail "InvalidCookie: $out"
# cookie expired -> renewed with GetCookie before use
sed -i 's/^Expiration: .*/Expiration: 2001-01-01T00:00:00Z/' c1/cookie
out=$("${C[@]}" --state c1 scan 2>&1)
grep -q "renewing with GetCookie" <<<"$out" && grep -q "^Successfully completed scan.$" <<<"$out" && ok "expired cookie renewed" || fail "expiry: $out"
# configuration change -> ConfigChanged
"${W[@]}" configuressl "$FQDN" >/dev/null 2>&1; sleep 1.5
out=$("${C[@]}" --state c1 scan 2>&1)
grep -q "^Recovering from ConfigChanged" <<<"$out" && ok "ConfigChanged recovered" || fail "ConfigChanged: $out"

# corrupted content -> hash failure, 161, exit 1
f=$(python3 -c 'import json; print(json.load(open("manifest.json"))["updates"][3]["file"]["path"])')
printf X | dd of="data/content/$f" bs=1 seek=100 conv=notrunc 2>/dev/null
mkdir -p c3 && printf 'd0\nd1\nd2\n' >c3/registry
out=$("${C[@]}" --state c3 all 2>&1); rc=$?
[ $rc = 1 ] && ok "all exits 1 on a bad file" || fail "bad file: exit $rc"
grep -q "^Hash verification failed for KB500003.cab: SHA-1$" <<<"$out" && ok "hash failure named" || fail "hash failure: $out"
grep -q "161 failed: 1" <<<"$out" && ok "161 reported" || fail "161"

# pinning: the CA or the leaf pass, another CA is refused
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout pki/o.key \
	-out pki/o.crt -days 1 -subj "/CN=other" 2>/dev/null
P=("$TOP/$BUILD/wsusclient" --server "$HTTPS" --resolve "$FQDN:$HTTPS_PORT:127.0.0.1" --state c4)
check "pin CA accepted" "${P[@]}" --pin pki/ca.crt scan
check "pin leaf accepted" "${P[@]}" --pin pki/server.crt scan
out=$("${P[@]}" --pin pki/o.crt scan 2>/dev/null); rc=$?
[ $rc = 1 ] && grep -q "^TLS certificate pinning: the server's certificate chain does not contain a pinned certificate$" <<<"$out" \
	&& ok "pin mismatch refused" || fail "pin mismatch: $rc $out"
cd "$TOP" || exit 1
done_
