#!/bin/bash
# wsusd -c FILE -n: configuration, certificate and key checks with
# FILE:LINE reasons; a group/world-readable key is refused; the daemon
# refuses to start on the same errors.
. tests/e2e/lib.sh
setup
W="$TOP/$BUILD/wsusd"
out=$("$W" -c "$T/wsusd.conf" -n 2>&1); st=$?
[ $st = 0 ] && echo "$out" | grep -q "configuration OK" && ok "-n accepts the test configuration" || fail "-n: $st $out"

bad() {  # bad DESC EXPECTED-REGEX SED-EXPR
	sed "$3" "$T/wsusd.conf" >"$T/bad.conf"
	out=$("$W" -c "$T/bad.conf" -n 2>&1); st=$?
	if [ $st != 0 ] && echo "$out" | grep -Eq "$2"; then ok "$1: $out"; else fail "$1: exit $st, '$out'"; fi
}
bad "unknown key"          'bad.conf:4: unknown key "htp_port"'  's/^http_port/htp_port/'
bad "unknown section"      'bad.conf:[0-9]+: unknown section'     's/^\[ssl\]/[sssl]/'
bad "port out of range"    'bad.conf:4: .*65536'                  "s/^http_port = .*/http_port = 65536/"
bad "not a number"         'bad.conf:5: '                         "s/^https_port = .*/https_port = 84x/"
bad "unknown service"      'bad.conf:[0-9]+: .*"FooWebService"'   "s/^require = .*/require = ClientWebService FooWebService/"
bad "missing ="            'bad.conf:2: '                         "s/^fqdn = /fqdn /"
bad "bad log level"        'bad.conf:7: '                         "s/^log_level = .*/log_level = loud/"
bad "missing certificate"  'server.nope'                          "s#^cert = .*#cert = pki/server.nope#"

chmod 644 "$T/pki/server.key"
out=$("$W" -c "$T/wsusd.conf" -n 2>&1); st=$?
[ $st != 0 ] && echo "$out" | grep -q "readable by group or others" && ok "key mode 0644 refused: $out" || fail "0644 key: $st $out"
out=$(timeout 5 "$W" -c "$T/wsusd.conf" 2>&1); st=$?
[ $st != 0 ] && [ $st != 124 ] && echo "$out" | grep -q "readable by group or others" && ok "daemon refuses to start with it" || fail "daemon start: $st"
chmod 600 "$T/pki/server.key"

# A key that does not match the certificate.
make_cert "$T/pki" other "$FQDN" serverAuth "DNS:$FQDN"
sed "s#^key = .*#key = pki/other.key#" "$T/wsusd.conf" >"$T/bad.conf"
out=$("$W" -c "$T/bad.conf" -n 2>&1); st=$?
[ $st != 0 ] && echo "$out" | grep -q "is not the key of the certificate" && ok "mismatched key refused: $out" || fail "mismatched key: $st $out"

# The documented example parses (it carries no certificate: -n says so).
out=$("$W" -c "$TOP/conf/wsusd.conf" -n 2>&1); st=$?
echo "$out" | grep -q "\[tls\] cert and key are required" && ok "conf/wsusd.conf parses; -n asks for cert and key" || fail "example: $out"
done_
