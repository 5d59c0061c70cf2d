#!/bin/bash
# The admin plane's gate on /ApiRemoting30/WebService.asmx: NTLM as real
# consoles speak it (curl --ntlm, python3-requests-ntlm with channel
# bindings), the connection-oriented exchange (401 count, reuse, a new
# connection starting over), Basic when enabled, and the negatives: no
# credentials, a wrong password with its growing delay (not holding other
# connections), plain HTTP, forged NTLM messages, oversized and malformed
# Authorization headers, channel_binding = require against a client that
# sends none.  Each negative leaves the daemon serving.
. tests/e2e/lib.sh
PY=/usr/bin/python3
WORKERS=1 setup     # one TLS worker: a delayed answer must not hold it
# NTLM needs MD4, which OpenSSL 3 keeps in its legacy provider: Debian's
# python3 (requests-ntlm) loads it through this file.
cat >"$T/openssl-legacy.cnf" <<'EOF'
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
legacy = legacy_sect
[default_sect]
activate = 1
[legacy_sect]
activate = 1
EOF
export OPENSSL_CONF="$T/openssl-legacy.cnf"

# add_user NAME ROLE PASSWORD: through wsusutil, as an admin would.
add_user() {
	printf '%s\n' "$3" >"$T/pw"; chmod 600 "$T/pw"
	"$TOP/$BUILD/wsusutil" -c "$T/wsusd.conf" user add "$1" --role "$2" \
		--password-file "$T/pw" >>"$T/wsusutil.log" 2>&1
}
# admin_conf LINES...: append an [admin] section to the configuration.
admin_conf() { { echo "[admin]"; printf '%s\n' "$@"; } >>"$T/wsusd.conf"; }

U="/ApiRemoting30/WebService.asmx"
PYURL="https://localhost:$HTTPS_PORT$U"   # the certificate names localhost too
ACTION='SOAPAction: "http://www.microsoft.com/SoftwareDistribution/Server/ApiRemotingWebService/NoSuchOperation"'
SOAP=(-X POST -H 'Content-Type: text/xml; charset=utf-8' -H "$ACTION" --data-binary '<x/>')

mkdir -p "$T/data"
check "wsusutil user add alice --role Administrator" add_user alice Administrator 'Alice-pw-1'
check "wsusutil user add rita --role Reporter" add_user rita Reporter 'Rita-pw-2'
start_wsusd || { done_; exit 1; }

# --- no credentials ---------------------------------------------------------
"${CURL[@]}" -D "$T/h0" -o "$T/b0" "${SOAP[@]}" "$HTTPS$U"
if grep -q '^HTTP/1.1 401' "$T/h0" && [ "$(grep -ci '^WWW-Authenticate:' "$T/h0")" = 1 ] &&
   grep -qi '^WWW-Authenticate: NTLM' "$T/h0"; then
	ok "no credentials: 401 offering NTLM only (no keytab, Basic off)"
else fail "no credentials: $(tr -d '\r' <"$T/h0" | head -8 | tr '\n' '|')"; fi
check "the 401 keeps the connection open (NTLM needs it)" bash -c "! grep -qi '^Connection: close' '$T/h0'"
expect_status "plain HTTP with credentials: 403" 403 --ntlm -u alice:Alice-pw-1 "${SOAP[@]}" "$HTTP$U"
expect_status "GET ?wsdl without credentials: 401" 401 "$HTTPS$U?wsdl"

# --- curl --ntlm ------------------------------------------------------------
"${CURL[@]}" -v --ntlm -u alice:Alice-pw-1 -o "$T/b1" -w '%{http_code}' "${SOAP[@]}" "$HTTPS$U" \
	>"$T/s1" 2>"$T/v1"
if [ "$(cat "$T/s1")" = 500 ] && grep -q 'Fault' "$T/b1"; then
	ok "curl --ntlm alice gets through to webservices (SOAP fault for an unknown operation)"
else fail "curl --ntlm alice: $(cat "$T/s1") $(head -c 200 "$T/b1")"; fi
n401=$(grep -c '^< HTTP/1.1 401' "$T/v1")
check "curl's exchange took one 401 (it opens with its NEGOTIATE; the CHALLENGE) ($n401)" test "$n401" = 1
"${CURL[@]}" --ntlm -u 'WSUSD\rita:Rita-pw-2' -o "$T/b2" -w '%{http_code}' "${SOAP[@]}" "$HTTPS$U" >"$T/s2"
check "curl --ntlm WSUSD\\rita (the configured domain) gets in" grep -q 500 "$T/s2"
grep -q 'admin plane: rita from 127.0.0.1 authenticated by NTLM' "$T/wsusd.log" &&
	ok "the log names rita (DOMAIN\\ stripped)" || fail "no log line for rita"
expect_status "curl --ntlm with a wrong password: 401" 401 --ntlm -u alice:wrong "${SOAP[@]}" "$HTTPS$U"
expect_status "curl --ntlm for an unknown account: 401" 401 --ntlm -u mallory:x "${SOAP[@]}" "$HTTPS$U"
expect_status "curl --ntlm in another domain: 401" 401 --ntlm -u 'OTHER\alice:Alice-pw-1' "${SOAP[@]}" "$HTTPS$U"
expect_status "Basic is refused while [admin] basic = no: 401" 401 --basic -u alice:Alice-pw-1 "${SOAP[@]}" "$HTTPS$U"

# curl keeps the connection: two URLs, one exchange.
"${CURL[@]}" -v --ntlm -u alice:Alice-pw-1 "${SOAP[@]}" "$HTTPS$U" -o /dev/null "$HTTPS$U" -o /dev/null 2>"$T/v3"
n401=$(grep -c '^< HTTP/1.1 401' "$T/v3"); reuse=$(grep -c 'Re-using existing connection' "$T/v3")
check "curl, two requests on one connection: one exchange ($n401 401, reused $reuse)" \
	test "$n401" = 1 -a "$reuse" -ge 1

# --- requests-ntlm, channel bindings, reuse ----------------------------------
run_tap $PY tests/tools/auth_client.py ntlm "$PYURL" "$T/pki/ca.crt" "$T/wsusd.log" alice Alice-pw-1
run_tap $PY tests/tools/auth_client.py ntlm "$PYURL" "$T/pki/ca.crt" "$T/wsusd.log" 'WSUSD\alice' Alice-pw-1
run_tap $PY tests/tools/auth_client.py ntlm-refused "$PYURL" "$T/pki/ca.crt" "$T/wsusd.log" alice Wrong-pw

# --- forged and malformed ---------------------------------------------------
run_tap $PY tests/tools/auth_client.py forged "$PYURL" "$T/pki/ca.crt" "$T/wsusd.log"
check "wsusd still running after the forged messages" alive

# --- the delay ----------------------------------------------------------------
run_tap $PY tests/tools/auth_client.py delay "$PYURL" "$T/pki/ca.crt" "$T/wsusd.log" rita Bad-pw Rita-pw-2

# --- nothing changed ---------------------------------------------------------
"$TOP/$BUILD/wsusutil" -c "$T/wsusd.conf" user list >"$T/users" 2>&1
check "the accounts are as made (alice, rita)" bash -c "grep -q alice '$T/users' && grep -q rita '$T/users' && [ \$(grep -c . '$T/users') -le 3 ]"

# --- channel_binding = require, and Basic ---------------------------------
stop_wsusd
admin_conf "channel_binding = require" "basic = yes"
start_wsusd || { done_; exit 1; }
"${CURL[@]}" -D "$T/h4" -o /dev/null "${SOAP[@]}" "$HTTPS$U"
check "basic = yes: the 401 offers NTLM then Basic" bash -c \
	"tr -d '\r' <'$T/h4' | grep -i '^WWW-Authenticate' | tr '\n' '|' | grep -q '^WWW-Authenticate: NTLM|WWW-Authenticate: Basic realm'"
expect_status "channel_binding = require: curl --ntlm (no bindings) gets 401" 401 --ntlm -u alice:Alice-pw-1 "${SOAP[@]}" "$HTTPS$U"
grep -q 'authentication failed from 127.0.0.1 for alice (no channel binding' "$T/wsusd.log" &&
	ok "the refusal is logged with the account and the reason" || fail "no channel-binding refusal logged"
run_tap $PY tests/tools/auth_client.py ntlm "$PYURL" "$T/pki/ca.crt" "$T/wsusd.log" alice Alice-pw-1
expect_status "Basic alice over TLS: through to webservices" 500 --basic -u alice:Alice-pw-1 "${SOAP[@]}" "$HTTPS$U"
expect_status "Basic with a wrong password: 401" 401 --basic -u alice:nope "${SOAP[@]}" "$HTTPS$U"
expect_status "Basic, malformed (no colon): 400/401" 401 -H "Authorization: Basic $(printf alice | base64)" "${SOAP[@]}" "$HTTPS$U"
expect_status "Basic over plain HTTP: 403" 403 --basic -u alice:Alice-pw-1 "${SOAP[@]}" "$HTTP$U"
check "wsusd still running" alive
done_
