#!/bin/bash
# wsusutil configuressl: certificate checks, the store change, the running
# daemon picking it up without a restart (state 1 pending -> 2 success), and
# the new URL in ?wsdl answers.
. tests/e2e/lib.sh
setup
UTIL="$TOP/$BUILD/wsusutil"
start_wsusd || { done_; exit 1; }
wsdl_addr() { "${CURL[@]}" "$HTTPS/SimpleAuthWebService/SimpleAuth.asmx?wsdl" |
	grep -o '<soap:address location="[^"]*"' | head -1 | sed 's/.*location="//;s/"$//'; }
[ "$(wsdl_addr)" = "https://$FQDN:$HTTPS_PORT/SimpleAuthWebService/SimpleAuth.asmx" ] &&
	ok "initial advertised URL in ?wsdl" || fail "initial ?wsdl address: $(wsdl_addr)"

# A name the certificate does not cover is refused, nothing changes.
out=$("$UTIL" -c "$T/wsusd.conf" configuressl other.example.test 2>&1); st=$?
[ $st != 0 ] && echo "$out" | grep -q 'does not cover "other.example.test"' &&
	ok "configuressl refuses a name the certificate does not cover" || fail "refusal: $st $out"
gen_before=$(sqlite3 "$T/data/wsusd.db" 'select generation from advert')
[ "$gen_before" = 1 ] && ok "generation unchanged after refusal" || fail "generation $gen_before"

# The short name is in the SAN: accepted; URL printed as WsusUtil does.
# stdout is the URL alone, as WsusUtil prints it; the audit head goes to stderr.
out=$("$UTIL" -c "$T/wsusd.conf" configuressl wsus 2>"$T/cssl.err"); st=$?
[ $st = 0 ] && [ "$out" = "https://wsus:$HTTPS_PORT" ] && ok "configuressl wsus prints https://wsus:$HTTPS_PORT" ||
	fail "configuressl wsus: $st '$out'"
for _ in $(seq 1 30); do grep -q "WSUS_CONFIG_SUCCESS" "$T/wsusd.log" && break; sleep 0.1; done
grep -q "Setting new configuration state to 1 (WSUS_CONFIG_PENDING)" "$T/wsusd.log" &&
	ok "daemon logs state 1 (pending)" || fail "no pending line"
grep -q "Setting new configuration state to 2 (WSUS_CONFIG_SUCCESS)" "$T/wsusd.log" &&
	ok "daemon logs state 2 (success)" || fail "no success line"
grep -q "Advertised server URL: https://wsus:$HTTPS_PORT" "$T/wsusd.log" && ok "daemon logs the new URL" || fail "new URL log"
[ "$(wsdl_addr)" = "https://wsus:$HTTPS_PORT/SimpleAuthWebService/SimpleAuth.asmx" ] &&
	ok "?wsdl carries the new URL without a restart" || fail "?wsdl after configuressl: $(wsdl_addr)"
row=$(sqlite3 "$T/data/wsusd.db" 'select fqdn, using_ssl, https_port, generation from advert')
[ "$row" = "wsus|1|$HTTPS_PORT|2" ] && ok "store: fqdn, SSL flag, port, generation 2" || fail "store row $row"

# Case-insensitive match, back to the FQDN.
out=$("$UTIL" -c "$T/wsusd.conf" configuressl WSUS.TEST 2>>"$T/cssl.err")
[ "$out" = "https://WSUS.TEST:$HTTPS_PORT" ] && ok "FQDN accepted case-insensitively" || fail "WSUS.TEST: $out"

# --force overrides a refusal with a warning.
out=$("$UTIL" -c "$T/wsusd.conf" configuressl other.example.test --force 2>&1); st=$?
[ $st = 0 ] && echo "$out" | grep -q "warning" && echo "$out" | grep -q "^https://other.example.test:$HTTPS_PORT$" &&
	ok "--force overrides with a warning" || fail "--force: $st $out"

# Port rule: http_port 80 advertises 443 (MS-WUSP §2.1); checked on a copy.
sed "s/^http_port = .*/http_port = 80/" "$T/wsusd.conf" >"$T/port80.conf"
out=$("$UTIL" -c "$T/port80.conf" configuressl wsus.test 2>>"$T/cssl.err")
[ "$out" = "https://wsus.test:443" ] && ok "content port 80 -> https://FQDN:443" || fail "port rule: $out"
[ "$(grep -c '^wsusutil: Audit head [0-9]* [0-9a-f]\{64\}$' "$T/cssl.err")" = 3 ] &&
	ok "each configuressl printed the audit head on stderr" || fail "stderr: $(cat "$T/cssl.err")"

# A certificate without serverAuth, and an expired one, are refused.
make_cert "$T/pki" clientonly "$FQDN" clientAuth "DNS:$FQDN"
sed "s#^cert = .*#cert = pki/clientonly.crt#; s#^key = .*#key = pki/clientonly.key#" "$T/wsusd.conf" >"$T/client.conf"
out=$("$UTIL" -c "$T/client.conf" configuressl "$FQDN" 2>&1); st=$?
[ $st != 0 ] && echo "$out" | grep -q serverAuth && ok "certificate without serverAuth refused" || fail "no-EKU: $st $out"
out=$("$UTIL" -c "$T/wsusd.conf" checkcert 2>&1); st=$?
[ $st = 0 ] && echo "$out" | grep -q "ok   covers $FQDN" && ok "checkcert passes for the test certificate" || fail "checkcert: $out"
out=$("$UTIL" -c "$T/client.conf" checkcert 2>&1); st=$?
[ $st != 0 ] && echo "$out" | grep -q "FAIL serverAuth EKU" && ok "checkcert fails without serverAuth" || fail "checkcert client: $out"
alive && ok "daemon alive" || fail "daemon died"
done_
