#!/bin/bash
# t_wsusadm.sh - wsusadm (tools/wsusadm*.c), the admin console, against the
# real daemon over real TLS:
#   1. "cannot connect" diagnostics, each message checked: an untrusted
#      certificate (subject, issuer, names, SHA-1 and SHA-256 thumbprints
#      compared with openssl's), a name the certificate does not hold
#      (and the names it does), a pin that does not match, a closed port,
#      a port answering plain HTTP, a name that does not resolve; their
#      exit codes; the refusals before any connection (http:// URLs, a
#      password on the command line, a password file others may read).
#   2. The admin loop, over NTLM with accounts made by `wsusutil user
#      add`: a group made and a computer assigned to it with wsusadm, an
#      update approved for the group -> wsusclient in that group is
#      offered it, installs it and reports -> `wsusadm report updates`
#      shows it installed; a second update declined -> gone from the next
#      scan; every step in `wsusadm audit` with the account and address;
#      the tables as JSON; a Reporter refused (exit 6, nothing changed), a
#      wrong password (exit 5), an account with no role (exit 6).
#   3. Kerberos without a password: a throwaway realm (krb5-kdc) on
#      loopback, kinit, then wsusadm status/group add/audit with the
#      ticket alone; without a ticket or password, exit 5 saying kinit.
. tests/e2e/lib.sh
setup
cd "$T" || exit 1
mkdir -p data
start_wsusd || { done_; exit 1; }
ADM=("$TOP/$BUILD/wsusadm" --resolve "$FQDN:$HTTPS_PORT:127.0.0.1"
     --resolve "$FQDN:$HTTP_PORT:127.0.0.1" --resolve "other.test:$HTTPS_PORT:127.0.0.1")
# run_adm ARGS...: output (stdout+stderr) in $out, exit status in $rc.
run_adm() { out=$("${ADM[@]}" "$@" 2>&1); rc=$?; }
has() { grep -qF -- "$1" <<<"$out"; }

# --- 1. diagnostics -------------------------------------------------------------
SHA1=$(openssl x509 -in pki/server.crt -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
SHA256=$(openssl x509 -in pki/server.crt -noout -fingerprint -sha256 | sed 's/.*=//')

# Untrusted: no --ca, and the test CA is in no system store.
run_adm --server "$HTTPS" --user alice status
[ $rc = 4 ] && ok "untrusted certificate: exit 4" || fail "untrusted: exit $rc: $out"
has "wsusadm: the certificate of $FQDN:$HTTPS_PORT is not trusted (SSL certificate problem: unable to get local issuer certificate)." &&
	ok "untrusted: says the certificate is not trusted, and why" || fail "untrusted message: $out"
has "subject:    CN=$FQDN" && has "issuer:     CN=wsusd test CA" &&
	ok "untrusted: whose certificate (subject, issuer)" || fail "untrusted subject/issuer: $out"
has "SHA-1 thumbprint:   $SHA1" && ok "untrusted: SHA-1 thumbprint $SHA1 (as openssl)" || fail "SHA-1: $out"
has "SHA-256 thumbprint: $SHA256" && ok "untrusted: SHA-256 thumbprint (as openssl)" || fail "SHA-256: $out"
has "trust its issuer here (--ca FILE" && has "(--pin FILE)" &&
	ok "untrusted: says what to do (--ca or --pin after comparing with checkcert)" || fail "untrusted advice: $out"

# A wrong name: the same server reached as other.test, with the CA trusted.
run_adm --server "https://other.test:$HTTPS_PORT" --ca pki/ca.crt --user alice status
[ $rc = 4 ] && ok "wrong name: exit 4" || fail "wrong name: exit $rc: $out"
has "wsusadm: the certificate of other.test:$HTTPS_PORT does not hold the name \"other.test\" you connected to." &&
	ok "wrong name: says the name does not match" || fail "wrong name message: $out"
has "It holds: DNS:$FQDN, DNS:wsus, DNS:localhost" && ok "wrong name: lists the names it holds" ||
	fail "wrong name names: $out"
has "not trusted" && fail "wrong name reported as untrusted: $out" || ok "wrong name is not called untrusted"

# A pin file that holds another certificate.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout pki/o.key \
	-out pki/o.crt -days 1 -subj "/CN=other" 2>/dev/null
run_adm --server "$HTTPS" --pin pki/o.crt --user alice status
[ $rc = 4 ] && has "no certificate of its chain is in the pin file pki/o.crt" && has "$SHA1" &&
	ok "pin mismatch: exit 4, named, thumbprint shown" || fail "pin mismatch: $rc $out"

# A closed port: a free port nothing listens on.
P=$(free_port)
run_adm --server "https://$FQDN:$P" --resolve "$FQDN:$P:127.0.0.1" --ca pki/ca.crt --user alice status
[ $rc = 3 ] && ok "closed port: exit 3" || fail "closed port: exit $rc: $out"
has "wsusadm: nothing answers on $FQDN port $P: the connection was refused" &&
	has "Check that wsusd is running and listens on this port (https_port in wsusd.conf, 8531 by default)" &&
	ok "closed port: says nothing answers, and what to check" || fail "closed port message: $out"

# The plain-HTTP port given as the console's.
run_adm --server "https://$FQDN:$HTTP_PORT" --ca pki/ca.crt --user alice status
[ $rc = 3 ] && ok "plain HTTP port: exit 3" || fail "plain HTTP: exit $rc: $out"
has "wsusadm: $FQDN port $HTTP_PORT answers plain HTTP (status " && has "the console needs its SSL port" &&
	ok "plain HTTP port: says it answers plain HTTP, and which port to use" || fail "plain HTTP message: $out"

run_adm --server "https://nohost.invalid:8531" --ca pki/ca.crt --user alice status
[ $rc = 3 ] && has 'wsusadm: the name "nohost.invalid" does not resolve' &&
	ok "unresolvable name: exit 3, said" || fail "resolve: $rc $out"

# Refusals before connecting.
run_adm --server "$HTTP" --user alice status
[ $rc = 2 ] && has "the console speaks HTTPS only" && ok "http:// refused (exit 2)" || fail "http://: $rc $out"
run_adm --server "$HTTPS" --ca pki/ca.crt --user alice --password secret status
[ $rc = 2 ] && has "no password on the command line" && ok "--password refused" || fail "--password: $rc $out"
printf 'secret\n' >pw.open && chmod 644 pw.open
run_adm --server "$HTTPS" --ca pki/ca.crt --user alice --password-file pw.open status
[ $rc = 2 ] && has "group or others may access it (mode 644)" && ok "password file 0644 refused" ||
	fail "pw file mode: $rc $out"
run_adm --server "$HTTPS" --ca pki/ca.crt bogus
[ $rc = 2 ] && has 'unknown command "bogus"' && ok "unknown command: exit 2" || fail "unknown command: $rc $out"
"$TOP/$BUILD/wsusadm" --help | grep -q "^  6 access denied" && ok "--help lists the exit codes" || fail "--help"

# --- 2. the admin loop ---------------------------------------------------------------
stop_wsusd
W=("$TOP/$BUILD/wsusutil" -c "$T/wsusd.conf")
# NTLM needs MD4, which OpenSSL 3 keeps in its legacy provider; libcurl's
# NTLM takes it from there.
cat >openssl-legacy.cnf <<'EOF2'
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
EOF2
export OPENSSL_CONF=$T/openssl-legacy.cnf
add_user() {   # add_user NAME ROLE PASSWORD-FILE
	"${W[@]}" user add "$1" --role "$2" --password-file "$3" >>wsusutil.log 2>&1
}
printf 'Alice-pw-1\n' >pw.alice; printf 'Rita-pw-2\n' >pw.rita; printf 'wrong\n' >pw.bad
chmod 600 pw.alice pw.rita pw.bad
if ! "${W[@]}" user --help >/dev/null 2>&1 && ! "${W[@]}" user list >/dev/null 2>&1; then
	fail "the admin loop needs accounts (wsusutil user add): not in this build"
	cd "$TOP" || exit 1; done_; exit 1
fi
check "wsusutil user add alice --role Administrator" add_user alice Administrator pw.alice
check "wsusutil user add rita --role Reporter" add_user rita Reporter pw.rita
python3 "$TOP/tests/tools/gen_catalog.py" --docs docs --content data/content \
	--manifest manifest.json --updates 4 >/dev/null
check "import-updates (4 updates)" "${W[@]}" import-updates docs
start_wsusd || { done_; exit 1; }
mapfile -t U < <(python3 -c 'import json; [print(u["id"]) for u in json.load(open("manifest.json"))["updates"]]')
AS=(--server "$HTTPS" --ca pki/ca.crt --user alice --password-file pw.alice)
RS=(--server "$HTTPS" --ca pki/ca.crt --user rita --password-file pw.rita)
C=("$TOP/$BUILD/wsusclient" --server "$HTTPS" --ca pki/ca.crt --dns-name pc1.wsus.test
   --resolve "$FQDN:$HTTPS_PORT:127.0.0.1" --resolve "$FQDN:$HTTP_PORT:127.0.0.1" --state c1)
mkdir -p c1 && printf 'd0\nd1\nd2\n' >c1/registry

run_adm "${AS[@]}" status
[ $rc = 0 ] && has "Role:" && grep -Eq "^Role: +Administrator$" <<<"$out" && grep -Eq "^Updates: +[0-9]+$" <<<"$out" &&
	ok "status as alice: Administrator, counters" || fail "status: $rc $out"
run_adm "${AS[@]}" group add Pilot
[ $rc = 0 ] && has "Created group Pilot (" && ok "group add Pilot" || fail "group add: $rc $out"
run_adm "${AS[@]}" groups
[ $rc = 0 ] && grep -Eq "^Pilot +[0-9a-f-]{36} +All Computers$" <<<"$out" && grep -q "^All Computers " <<<"$out" &&
	ok "groups lists Pilot under All Computers" || fail "groups: $rc $out"
out=$("${C[@]}" scan 2>&1)
grep -q "^Found 0 updates (0 needed)$" <<<"$out" && ok "before approval the client is offered nothing" ||
	fail "first scan: $out"
run_adm "${AS[@]}" computers
[ $rc = 0 ] && grep -Eq "^pc1.wsus.test +$(cat c1/client.id) +" <<<"$out" && ok "computers lists pc1.wsus.test" ||
	fail "computers: $rc $out"
run_adm "${AS[@]}" assign pc1 Pilot
[ $rc = 0 ] && has "Assigned pc1.wsus.test to Pilot" && ok "assign pc1 Pilot (short name)" || fail "assign: $rc $out"
run_adm "${AS[@]}" computers --group Pilot
grep -q "^pc1.wsus.test .*Pilot" <<<"$out" && ok "computers --group Pilot: pc1 in Pilot" || fail "computers --group: $out"

# A Reporter may read but not approve; nothing changes.
run_adm "${RS[@]}" approve "${U[0]}" Pilot
[ $rc = 6 ] && has "access denied for rita" && ok "Reporter approving: exit 6, access denied" || fail "rita approve: $rc $out"
run_adm "${RS[@]}" updates --approved
[ $rc = 0 ] && ! grep -q "${U[0]}" <<<"$out" && ok "Reporter reads updates; nothing was approved" ||
	fail "rita updates: $rc $out"
run_adm --server "$HTTPS" --ca pki/ca.crt --user alice --password-file pw.bad status
[ $rc = 5 ] && has "the server refused the credentials of alice (HTTP 401" && ok "wrong password: exit 5, said" ||
	fail "wrong password: $rc $out"

run_adm "${AS[@]}" approve "${U[0]}" Pilot
[ $rc = 0 ] && has "Approved " && has "(${U[0]}) for Install on Pilot" && ok "approve U1 Pilot" || fail "approve: $rc $out"
run_adm "${AS[@]}" approve "${U[1]}" Pilot --deadline 2030-01-01
[ $rc = 0 ] && has ", deadline 2030-01-01T00:00:00Z" && ok "approve U2 Pilot --deadline" || fail "approve 2: $rc $out"
run_adm "${AS[@]}" updates --approved
[ $rc = 0 ] && grep -q "^${U[0]} .*Install: Pilot" <<<"$out" && grep -q "^${U[1]} .*Install: Pilot" <<<"$out" &&
	ok "updates --approved: both, Install: Pilot" || fail "updates --approved: $out"
out=$("${C[@]}" scan 2>&1)
grep -q "^Found 2 updates (2 needed)$" <<<"$out" && ok "the client in Pilot is offered both" || fail "scan: $out"
run_adm "${AS[@]}" decline "${U[1]}"
[ $rc = 0 ] && has "Declined " && ok "decline U2" || fail "decline: $rc $out"
out=$("${C[@]}" scan 2>&1)
grep -q "^Found 1 updates (1 needed)$" <<<"$out" && ok "after the decline the next scan offers only U1" || fail "scan: $out"
out=$("${C[@]}" all 2>&1)
grep -q "^Reported .*183 installed: 1" <<<"$out" && ok "the client installs U1 and reports it" || fail "all: $out"
run_adm "${AS[@]}" report updates
[ $rc = 0 ] && grep -Eq "^${U[0]} .* 1 +0 +0 +[0-9]+ +[0-9]+$" <<<"$out" &&
	ok "report updates: U1 installed on 1, needed 0, failed 0" || fail "report updates: $out"
run_adm "${AS[@]}" report computers
[ $rc = 0 ] && grep -Eq "^pc1.wsus.test +$(cat c1/client.id) +1 +0 +0 " <<<"$out" &&
	ok "report computers: pc1 has 1 installed" || fail "report computers: $out"
run_adm "${AS[@]}" --json report updates
py=$(/usr/bin/python3 -c 'import json,sys; r=[x for x in json.load(sys.stdin) if x["id"]==sys.argv[1]]; print(r[0]["installed"], type(r[0]["installed"]).__name__)' "${U[0]}" <<<"$out" 2>&1)
[ "$py" = "1 int" ] && ok "--json report updates: installed is the number 1" || fail "--json: $py / $out"
run_adm "${AS[@]}" updates --declined
grep -q "^${U[1]} .*Declined" <<<"$out" && ok "updates --declined: U2 Declined" || fail "updates --declined: $out"
run_adm "${AS[@]}" events
[ $rc = 0 ] && grep -q "^.* pc1.wsus.test .*183 " <<<"$out" && ok "events: pc1's 183 (installed)" || fail "events: $out"

run_adm "${AS[@]}" updates --search KB500003
[ $rc = 0 ] && grep -q "^${U[3]} .*Contoso Update KB500003" <<<"$out" && [ "$(grep -c . <<<"$out")" = 2 ] &&
	ok "updates --search KB500003: that one update" || fail "updates --search: $out"
run_adm "${AS[@]}" approve KB500003 Pilot
[ $rc = 0 ] && has "(${U[3]}) for Install on Pilot" && ok "approve by KB number" || fail "approve KB: $rc $out"
run_adm "${AS[@]}" approve KB999999 Pilot
[ $rc = 2 ] && has 'no update "KB999999" on the server' && ok "approve an unknown KB: exit 2, said" || fail "unknown KB: $rc $out"

# Every step in the audit log, with the account and the address.
run_adm "${AS[@]}" audit
echo "$out" | sed 's/^/#   /' | head -20
for what in "group" "assign\|membership\|computer" "approv" "declin"; do
	grep -i "alice *127.0.0.1 *ApiRemoting30 .*\($what\)" <<<"$out" >/dev/null &&
		ok "audit: alice from 127.0.0.1 ($what)" || fail "audit lacks alice/127.0.0.1/$what"
done
run_adm "${AS[@]}" group del Pilot
[ $rc = 0 ] && has "Deleted group Pilot" && ok "group del Pilot" || fail "group del: $rc $out"
run_adm "${AS[@]}" group del Pilot
[ $rc = 2 ] && has 'no computer group "Pilot"' && ok "group del again: no such group, exit 2" || fail "del again: $rc $out"

# --- 3. Kerberos: a throwaway realm on loopback, no password ------------------------
# Debian's krb5-kdc: a realm of our own (database, stash, KDC on a free
# port), a user principal alice@WSUS.TEST and the service key of
# HTTP/wsus.test in a keytab wsusd reads ([admin] keytab).  wsusadm then
# gets in with the ticket kinit left, without any password.
if [ -x /usr/sbin/krb5kdc ] && [ -x /usr/sbin/kdb5_util ] && command -v kinit >/dev/null; then
	stop_wsusd
	KP=$(free_port); R=WSUS.TEST
	mkdir -p krb
	cat >krb/krb5.conf <<EOF2
[libdefaults]
 default_realm = $R
 dns_lookup_kdc = false
 dns_lookup_realm = false
 dns_canonicalize_hostname = false
 rdns = false
 udp_preference_limit = 1
[realms]
 $R = {
  kdc = 127.0.0.1:$KP
 }
[domain_realm]
 $FQDN = $R
EOF2
	cat >krb/kdc.conf <<EOF2
[kdcdefaults]
 kdc_ports = $KP
 kdc_tcp_ports = $KP
[realms]
 $R = {
  database_name = $T/krb/principal
  key_stash_file = $T/krb/stash
  acl_file = $T/krb/kadm5.acl
  supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
 }
EOF2
	: >krb/kadm5.acl
	export KRB5_CONFIG=$T/krb/krb5.conf KRB5_KDC_PROFILE=$T/krb/kdc.conf KRB5CCNAME=FILE:$T/krb/ccache
	/usr/sbin/kdb5_util create -s -r "$R" -P master-pw >krb/kdb.log 2>&1 &&
	/usr/sbin/kadmin.local -r "$R" -q "addprinc -pw Alice-krb-1 alice@$R" >>krb/kdb.log 2>&1 &&
	/usr/sbin/kadmin.local -r "$R" -q "addprinc -randkey HTTP/$FQDN@$R" >>krb/kdb.log 2>&1 &&
	/usr/sbin/kadmin.local -r "$R" -q "ktadd -k $T/krb/http.keytab HTTP/$FQDN@$R" >>krb/kdb.log 2>&1 &&
		ok "throwaway realm $R: alice and HTTP/$FQDN (keytab)" || fail "realm: $(tail -5 krb/kdb.log)"
	/usr/sbin/krb5kdc -n -P "$T/krb/kdc.pid" >krb/kdc.log 2>&1 &
	KDC_PID=$!
	# Wait (generously: the machine is shared) until it listens on TCP.
	for _ in $(seq 1 100); do
		ss -ltn 2>/dev/null | grep -q "[:.]$KP " && break
		kill -0 "$KDC_PID" 2>/dev/null || break
		sleep 0.2
	done
	chmod 600 krb/http.keytab
	{ echo "[admin]"; echo "keytab = $T/krb/http.keytab"; } >>wsusd.conf
	"${W[@]}" user add "alice@$R" --role Administrator >>wsusutil.log 2>&1 </dev/null &&
		ok "wsusutil user add alice@$R --role Administrator" || fail "user add alice@$R: $(tail -3 wsusutil.log)"
	start_wsusd || { kill "$KDC_PID"; done_; exit 1; }
	for _ in $(seq 1 20); do
		echo Alice-krb-1 | kinit "alice@$R" >krb/kinit.log 2>&1 && break; sleep 0.5
	done
	klist -s && ok "kinit alice@$R (a ticket in the cache)" || fail "kinit: $(cat krb/kinit.log) / KDC: $(tail -3 krb/kdc.log)"
	run_adm --server "$HTTPS" --ca pki/ca.crt status </dev/null
	[ $rc = 0 ] && grep -Eq "^Role: +Administrator$" <<<"$out" &&
		ok "wsusadm with the ticket, no password: status as Administrator" || fail "Kerberos status: $rc $out"
	run_adm --server "$HTTPS" --ca pki/ca.crt group add KerberosPilot </dev/null
	[ $rc = 0 ] && ok "wsusadm with the ticket changes (group add)" || fail "Kerberos group add: $rc $out"
	run_adm --server "$HTTPS" --ca pki/ca.crt audit </dev/null
	grep -q "alice@$R *127.0.0.1 *ApiRemoting30 *group.add *KerberosPilot" <<<"$out" &&
		ok "audit: the group added by alice@$R from 127.0.0.1" || fail "Kerberos audit: $out"
	grep -q "authenticated by \(Negotiate\|Kerberos\)" wsusd.log &&
		ok "wsusd logged a Negotiate/Kerberos login" || echo "# (no Negotiate log line: $(grep -i 'admin plane' wsusd.log | tail -2))"
	kdestroy >/dev/null 2>&1
	run_adm --server "$HTTPS" --ca pki/ca.crt status </dev/null
	[ $rc = 5 ] && has "the server accepted no Kerberos ticket" && has "Run \`kinit NAME@REALM\` first" &&
		ok "no ticket and no password: exit 5, says to kinit" || fail "no ticket: $rc $out"
	kill "$KDC_PID" 2>/dev/null; wait "$KDC_PID" 2>/dev/null
else
	fail "Kerberos: krb5-kdc/krb5-user not installed (DEB_TEST)"
fi

cd "$TOP" || exit 1
done_
