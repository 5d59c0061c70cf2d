#!/bin/bash
# t_upstream.sh - the upstream role (MS-WSUSSS) over HTTPS with curl: the
# sequence a downstream runs and the faults.  (A zeep-strict client and a
# comparison with the real captures are still to come.)
. tests/e2e/lib.sh
setup
mkdir -p "$T/data"
python3 tests/tools/gen_catalog.py --docs "$T/docs" --content "$T/data/content" --manifest "$T/m.json" --updates 30 >/dev/null
"$TOP/$BUILD/wsusutil" -c "$T/wsusd.conf" import-updates "$T/docs" >/dev/null && ok "catalogue imported" || fail "import"
start_wsusd || { done_; exit 1; }
NS=http://www.microsoft.com/SoftwareDistribution
SS=ServerSyncWebService/ServerSyncWebService.asmx
env_() { echo "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>$1</soap:Body></soap:Envelope>"; }
post() { "${CURL[@]}" -H 'Content-Type: text/xml; charset=utf-8' -H "SOAPAction: \"$2\"" --data-binary @- "$1"; }
env_ "<GetAuthConfig xmlns=\"$NS\"/>" | post "$HTTPS/$SS" "$NS/GetAuthConfig" > "$T/ac"
grep -q '<PlugInID>DssTargeting</PlugInID><ServiceUrl>DssAuthWebService/DssAuthWebService.asmx</ServiceUrl>' "$T/ac" && ok "GetAuthConfig: DssTargeting, relative ServiceUrl" || fail "GetAuthConfig: $(cat "$T/ac")"
code=$(env_ "<GetAuthConfig xmlns=\"$NS\"/>" | "${CURL[@]}" -o /dev/null -w '%{http_code}' -H 'Content-Type: text/xml' -H "SOAPAction: \"$NS/GetAuthConfig\"" --data-binary @- "$HTTP/$SS")
[ "$code" = 403 ] && ok "plain HTTP -> 403" || fail "plain HTTP -> $code"
DNS=$NS/Server/DssAuthWebService
env_ "<GetAuthorizationCookie xmlns=\"$DNS\"><accountName>dss.test</accountName><accountGuid>6f1c2f6e-3f0b-4d3a-9b1e-0d2f6a1c5e12</accountGuid></GetAuthorizationCookie>" |
	post "$HTTPS/DssAuthWebService/DssAuthWebService.asmx" "$DNS/GetAuthorizationCookie" > "$T/auth"
AUTH=$(sed -n 's/.*<CookieData>\([^<]*\)<.*/\1/p' "$T/auth")
[ -n "$AUTH" ] && ok "DSS GetAuthorizationCookie" || fail "DSS auth: $(cat "$T/auth")"
gc() { env_ "<GetCookie xmlns=\"$NS\"><authCookies><AuthorizationCookie><PlugInId>DssTargeting</PlugInId><CookieData>$AUTH</CookieData></AuthorizationCookie></authCookies><protocolVersion>$1</protocolVersion></GetCookie>" | post "$HTTPS/$SS" "$NS/GetCookie"; }
gc 1.20 > "$T/ck"; CK=$(sed -n 's/.*<EncryptedData>\([^<]*\)<.*/\1/p' "$T/ck")
[ -n "$CK" ] && ok "GetCookie 1.20" || fail "GetCookie: $(cat "$T/ck")"
gc 2.0 | grep -q '<ErrorCode>IncompatibleProtocolVersion</ErrorCode>' && ok "GetCookie 2.0 -> IncompatibleProtocolVersion" || fail "protocol major"
COOKIE="<cookie><Expiration>2030-01-01T00:00:00Z</Expiration><EncryptedData>$CK</EncryptedData></cookie>"
env_ "<GetConfigData xmlns=\"$NS\">$COOKIE</GetConfigData>" | post "$HTTPS/$SS" "$NS/GetConfigData" | grep -q '<MaxNumberOfUpdatesPerRequest>100</MaxNumberOfUpdatesPerRequest>' && ok "GetConfigData" || fail "GetConfigData"
env_ "<GetRevisionIdList xmlns=\"$NS\">$COOKIE<filter><GetConfig>false</GetConfig></filter></GetRevisionIdList>" | post "$HTTPS/$SS" "$NS/GetRevisionIdList" > "$T/rl"
n=$(grep -o '<UpdateIdentity>' "$T/rl" | wc -l)
[ "$n" -ge 30 ] && ok "GetRevisionIdList update pass: $n revisions" || fail "GetRevisionIdList: $n"
ids=$(grep -o '<UpdateIdentity>.*</UpdateIdentity>' "$T/rl" | sed 's|</NewRevisions>.*||' | head -c 100000)
env_ "<GetUpdateData xmlns=\"$NS\">$COOKIE<updateIds>$ids</updateIds></GetUpdateData>" | post "$HTTPS/$SS" "$NS/GetUpdateData" > "$T/ud"
m=$(grep -o '<ServerSyncUpdateData>' "$T/ud" | wc -l)
[ "$m" -ge 30 ] && ok "GetUpdateData: $m documents" || fail "GetUpdateData: $m $(head -c 600 "$T/ud")"
one='<UpdateIdentity><UpdateID>6f1c2f6e-3f0b-4d3a-9b1e-0d2f6a1c5e12</UpdateID><RevisionNumber>1</RevisionNumber></UpdateIdentity>'
many=$(for i in $(seq 101); do printf '%s' "$one"; done)
env_ "<GetUpdateData xmlns=\"$NS\">$COOKIE<updateIds>$many</updateIds></GetUpdateData>" | post "$HTTPS/$SS" "$NS/GetUpdateData" | grep -q '<ErrorCode>InvalidParameters</ErrorCode>' && ok "101 ids -> InvalidParameters" || fail "101 ids"
env_ "<GetConfigData xmlns=\"$NS\"><cookie><Expiration>2030-01-01T00:00:00Z</Expiration><EncryptedData>AAAA</EncryptedData></cookie></GetConfigData>" | post "$HTTPS/$SS" "$NS/GetConfigData" > "$T/bad"
grep -q '<ErrorCode>InvalidCookie</ErrorCode>' "$T/bad" && grep -q '<faultactor>' "$T/bad" && ok "bad cookie -> InvalidCookie with faultactor" || fail "bad cookie: $(cat "$T/bad")"
env_ "<GetDeployments xmlns=\"$NS\">$COOKIE</GetDeployments>" | post "$HTTPS/$SS" "$NS/GetDeployments" | grep -q 'GetDeployments is not implemented' && ok "GetDeployments: fault naming it" || fail "GetDeployments"
done_
