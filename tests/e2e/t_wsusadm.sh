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
#   2. The admin loop (when the server implements ApiRemoting30 with
#      accounts): see the second half.
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

cd "$TOP" || exit 1
done_
