#!/bin/bash
# Kerberos on the admin plane against a real KDC: a throwaway realm
# TEST.WSUSD on loopback (Debian's krb5-kdc, its own krb5.conf and
# kdc.conf through KRB5_CONFIG / KRB5_KDC_PROFILE, nothing system-wide),
# a user principal, HTTP/wsus.test in a keytab named by [admin] keytab.
# kinit, then curl --negotiate gets in without a password; a principal
# with no store account gets 403; no ticket gets 401 offering Negotiate
# first; a forged SPNEGO token gets 401; NTLM keeps working beside it.
. tests/e2e/lib.sh
setup
K="$T/krb"; mkdir -p "$K"
KDC_PORT=$(free_port)
REALM=TEST.WSUSD
# rdns / dns_canonicalize_hostname off: the service name is the name curl
# was given (wsus.test, through --resolve), never a reverse lookup.
cat >"$K/krb5.conf" <<EOF
[libdefaults]
	default_realm = $REALM
	dns_lookup_realm = false
	dns_lookup_kdc = false
	rdns = false
	dns_canonicalize_hostname = false
	udp_preference_limit = 1
[realms]
	$REALM = {
		kdc = 127.0.0.1:$KDC_PORT
	}
[domain_realm]
	$FQDN = $REALM
EOF
cat >"$K/kdc.conf" <<EOF
[kdcdefaults]
	kdc_listen = 127.0.0.1:$KDC_PORT
	kdc_tcp_listen = 127.0.0.1:$KDC_PORT
[realms]
	$REALM = {
		database_name = $K/principal
		key_stash_file = $K/stash
		acl_file = $K/kadm5.acl
		max_life = 1h
	}
[logging]
	kdc = FILE:$K/kdc.log
EOF
: >"$K/kadm5.acl"
export KRB5_CONFIG="$K/krb5.conf" KRB5_KDC_PROFILE="$K/kdc.conf" KRB5CCNAME="FILE:$K/cc"
KDC_PID=
kdc_stop() { [ -n "$KDC_PID" ] && kill "$KDC_PID" 2>/dev/null; KDC_PID=; }
trap 'kdc_stop; cleanup' EXIT

check "kdb5_util create -s (realm $REALM)" kdb5_util create -s -P "kdc-master-$$" -r $REALM
check "kadmin.local addprinc alice" kadmin.local -r $REALM -q "addprinc -pw Alice-krb-1 alice"
check "kadmin.local addprinc bob (no store account)" kadmin.local -r $REALM -q "addprinc -pw Bob-krb-2 bob"
check "kadmin.local addprinc -randkey HTTP/$FQDN" kadmin.local -r $REALM -q "addprinc -randkey HTTP/$FQDN"
check "kadmin.local ktadd HTTP/$FQDN" kadmin.local -r $REALM -q "ktadd -k $T/http.keytab HTTP/$FQDN"
chmod 600 "$T/http.keytab"
krb5kdc -n -r $REALM -P "$K/kdc.pid" >>"$K/kdc.out" 2>&1 &
KDC_PID=$!
for _ in $(seq 1 100); do
	grep -q "commencing operation" "$K/kdc.log" 2>/dev/null && break
	sleep 0.1
done
check "the KDC is up on 127.0.0.1:$KDC_PORT" grep -q "commencing operation" "$K/kdc.log"

{ echo "[admin]"; echo "keytab = http.keytab"; } >>"$T/wsusd.conf"
mkdir -p "$T/data"
printf 'Carol-pw-3\n' >"$T/pw"; chmod 600 "$T/pw"
check "wsusutil user add alice@$REALM --role Administrator (a principal: no password)" \
	"$TOP/$BUILD/wsusutil" -c "$T/wsusd.conf" user add "alice@$REALM" --role Administrator </dev/null
check "wsusutil user add carol --role Reporter" \
	"$TOP/$BUILD/wsusutil" -c "$T/wsusd.conf" user add carol --role Reporter --password-file "$T/pw"
start_wsusd || { done_; exit 1; }

U="$HTTPS/ApiRemoting30/WebService.asmx"
ACTION='SOAPAction: "http://www.microsoft.com/SoftwareDistribution/Server/ApiRemotingWebService/NoSuchOperation"'
SOAP=(-X POST -H 'Content-Type: text/xml; charset=utf-8' -H "$ACTION" --data-binary '<x/>')

"${CURL[@]}" -D "$T/h0" -o /dev/null "${SOAP[@]}" "$U"
check "no credentials: 401 offering Negotiate first, then NTLM" bash -c \
	"tr -d '\r' <'$T/h0' | grep -i '^WWW-Authenticate' | tr '\n' '|' | grep -qx 'WWW-Authenticate: Negotiate|WWW-Authenticate: NTLM|'"
expect_status "curl --negotiate with no ticket: 401" 401 --negotiate -u : "${SOAP[@]}" "$U"

check "kinit alice@$REALM" bash -c "echo Alice-krb-1 | kinit alice@$REALM >/dev/null"
"${CURL[@]}" -v --negotiate -u : -o "$T/b1" -w '%{http_code}' "${SOAP[@]}" "$U" >"$T/s1" 2>"$T/v1"
if [ "$(cat "$T/s1")" = 500 ] && grep -q Fault "$T/b1"; then
	ok "kinit, then curl --negotiate -u : gets in without a password (SOAP fault for an unknown operation)"
else fail "curl --negotiate: $(cat "$T/s1") $(head -c 200 "$T/b1")"; fi
check "the answer carries the server's mutual-authentication token" \
	grep -qi '^< WWW-Authenticate: Negotiate [A-Za-z0-9+/]' "$T/v1"
grep -q "admin plane: alice@$REALM from 127.0.0.1 authenticated by Kerberos" "$T/wsusd.log" &&
	ok "the log names alice@$REALM (Kerberos)" || fail "no Kerberos log line"
check "klist holds the service ticket HTTP/$FQDN" bash -c "klist | grep -q 'HTTP/$FQDN@$REALM'"
# curl sends a fresh token with every request on a kept connection (a
# new AP-REQ each time): both are let in, on the one connection.
"${CURL[@]}" -v --negotiate -u : -w '%{http_code} ' "${SOAP[@]}" "$U" -o /dev/null "$U" -o /dev/null \
	>"$T/s2" 2>"$T/v2"
reuse=$(grep -c 'Re-using existing connection' "$T/v2")
check "two requests on one kept connection, each with a fresh ticket: $(cat "$T/s2")(reused $reuse)" \
	test "$(cat "$T/s2")" = "500 500 " -a "$reuse" -ge 1
check "kinit bob@$REALM (a principal with no account)" bash -c "kdestroy; echo Bob-krb-2 | kinit bob@$REALM >/dev/null"
expect_status "bob@$REALM: authenticated, no role: 403" 403 --negotiate -u : "${SOAP[@]}" "$U"
grep -q "bob@$REALM from 127.0.0.1 is authenticated but holds no role" "$T/wsusd.log" &&
	ok "the 403 is logged with the principal" || fail "no 403 log line"

expect_status "a forged SPNEGO token: 401" 401 -H "Authorization: Negotiate $(head -c 300 /dev/urandom | base64 -w0)" "${SOAP[@]}" "$U"
expect_status "a Kerberos token over plain HTTP: 403" 403 --negotiate -u : "${SOAP[@]}" "$HTTP/ApiRemoting30/WebService.asmx"
kdestroy >/dev/null 2>&1
expect_status "NTLM beside Kerberos: curl --ntlm carol" 500 --ntlm -u carol:Carol-pw-3 "${SOAP[@]}" "$U"
check "wsusd still running" alive
kdc_stop
done_
