#!/bin/bash
# wsusutil certreq / checkcert / clientconfig and [tls] next_cert: a key and
# request the test CA signs (openssl -copy_extensions), the certificate's
# requirements one line each (chain against the right and a wrong CA, weak
# key, a missing short name), the files for a client outside a domain (the
# .reg parsed, the DER certificates read back, the URL following
# configuressl), and the daemon naming the staged next certificate.
. tests/e2e/lib.sh
setup
UTIL="$TOP/$BUILD/wsusutil"
W=(-c "$T/wsusd.conf")
fp() { openssl x509 -noout -fingerprint -sha256 "$@" 2>/dev/null | sed 's/.*=//'; }

# mkconf OUT CERT KEY [NEXT]: the test config with other [tls] paths.
mkconf() {
	sed -e "s#^cert = .*#cert = $2#" -e "s#^key = .*#key = $3#" "$T/wsusd.conf" >"$1"
	if [ -n "${4:-}" ]; then sed -i "s#^key = .*#&\nnext_cert = $4#" "$1"; fi
}

# regvals FILE: "KEY|NAME=VALUE" per value of a REGEDIT4 file with CRLF
# line ends (KEY relative to ...\Windows\); exit 1 on anything else.
regvals() {
	python3 - "$1" <<'PY'
import re, sys
raw = open(sys.argv[1], 'rb').read()
if not raw.startswith(b'REGEDIT4\r\n') or b'\n' in raw.replace(b'\r\n', b''):
    sys.exit('not REGEDIT4 with CRLF line ends')
key = None
for line in raw.decode('ascii').split('\r\n')[1:]:
    if not line or line.startswith(';'):
        continue
    if line.startswith('['):
        key = line[1:-1]
        continue
    m = re.fullmatch(r'"([^"\\]+)"=(?:"([^"\\]*)"|dword:([0-9a-f]{8}))', line)
    if m is None or key is None:
        sys.exit('bad line: %r' % line)
    name, s, d = m.groups()
    k = key.replace('HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\', '')
    print('%s|%s=%s' % (k, name, s if s is not None else int(d, 16)))
PY
}

# --- certreq ----------------------------------------------------------------
out=$("$UTIL" "${W[@]}" certreq --san alt.wsus.test --out "$T/req" 2>&1); st=$?
[ $st = 0 ] && echo "$out" | grep -q "CertificateTemplate:WebServer" && echo "$out" | grep -q "checkcert" &&
	echo "$out" | grep -q "configuressl" && ok "certreq writes key and request, prints the next steps" ||
	fail "certreq: $st $out"
[ "$(stat -c %a "$T/req/server.key")" = 600 ] && ok "server.key is mode 0600" ||
	fail "server.key mode $(stat -c %a "$T/req/server.key")"
check "CSR self-signature verifies (openssl req -verify)" openssl req -in "$T/req/server.csr" -noout -verify
txt=$(openssl req -in "$T/req/server.csr" -noout -text 2>/dev/null)
echo "$txt" | grep -q "Subject: CN *= *$FQDN" && ok "CSR subject CN=$FQDN" || fail "CSR subject: $txt"
echo "$txt" | grep -q "DNS:$FQDN, DNS:wsus, DNS:alt.wsus.test" && ok "CSR SAN: FQDN, short name, --san" ||
	fail "CSR SAN: $txt"
echo "$txt" | grep -q "TLS Web Server Authentication" && ok "CSR asks for serverAuth EKU" || fail "CSR EKU"
echo "$txt" | grep -q "ecdsa-with-SHA256" && echo "$txt" | grep -q "prime256v1\|P-256" &&
	ok "CSR: P-256 key, ECDSA-SHA256" || fail "CSR key: $txt"
openssl pkey -in "$T/req/server.key" -noout 2>/dev/null && ok "server.key parses" || fail "server.key"

# Never overwrites a key; refuses a bad name; umask cannot widen the key.
sum=$(sha256sum <"$T/req/server.key")
out=$("$UTIL" "${W[@]}" certreq --out "$T/req" 2>&1); st=$?
[ $st = 1 ] && echo "$out" | grep -q "never overwritten" && [ "$(sha256sum <"$T/req/server.key")" = "$sum" ] &&
	ok "certreq refuses an existing key and leaves it alone" || fail "overwrite: $st $out"
out=$("$UTIL" "${W[@]}" certreq --fqdn 'bad,name=x' --out "$T/bad" 2>&1); st=$?
[ $st = 1 ] && [ ! -e "$T/bad/server.key" ] && ok "certreq refuses a name that is not DNS" || fail "bad name: $st $out"
out=$("$UTIL" "${W[@]}" certreq --san 'a..b' --out "$T/bad2" 2>&1); st=$?
[ $st = 1 ] && [ ! -e "$T/bad2/server.key" ] && ok "certreq refuses a bad --san" || fail "bad san: $st $out"
(umask 000; "$UTIL" "${W[@]}" certreq --no-short-name --out "$T/um" >/dev/null 2>&1)
[ "$(stat -c %a "$T/um/server.key")" = 600 ] && ok "key is 0600 under umask 000" ||
	fail "umask 000 key mode $(stat -c %a "$T/um/server.key")"
openssl req -in "$T/um/server.csr" -noout -text 2>/dev/null | grep -q "DNS:$FQDN$" &&
	ok "--no-short-name: SAN is the FQDN alone" || fail "--no-short-name SAN"
out=$("$UTIL" "${W[@]}" certreq 2>&1); st=$?
[ $st = 2 ] && ok "certreq without --out is a usage error" || fail "usage: $st"

# --- the CA signs it; checkcert -----------------------------------------------
openssl x509 -req -in "$T/req/server.csr" -CA "$T/pki/ca.crt" -CAkey "$T/pki/ca.key" \
	-CAcreateserial -days 60 -copy_extensions copy -out "$T/req/server.crt" 2>/dev/null
openssl x509 -in "$T/req/server.crt" -noout -text | grep -q "DNS:alt.wsus.test" &&
	ok "CA copied the requested SAN" || fail "signed certificate lacks the SAN"
cat "$T/pki/ca.crt" >>"$T/req/server.crt"     # leaf, then its chain
mkconf "$T/new.conf" req/server.crt req/server.key
out=$("$UTIL" -c "$T/new.conf" checkcert --ca "$T/pki/ca.crt" 2>&1); st=$?
if [ $st = 0 ] && ! echo "$out" | grep -q "^FAIL"; then ok "checkcert --ca: all requirements met, exit 0"
else fail "checkcert --ca: $st $out"; fi
for want in "ok   serverAuth EKU" "ok   covers $FQDN" "ok   covers wsus (short name)" \
	"ok   chain complete to the CA" "ok   key .*server.key matches" "ok   key file is private" \
	"ok   valid until .* (\(59\|60\) days left)" "ok   key EC P-256"; do
	echo "$out" | grep -q "^$want" && ok "checkcert line: $want" || fail "checkcert missing \"$want\": $out"
done
out=$("$UTIL" -c "$T/new.conf" checkcert 2>&1); st=$?
[ $st = 0 ] && echo "$out" | grep -q "^skip chain not checked" && ok "without --ca the chain is reported unchecked" ||
	fail "checkcert without --ca: $st $out"

make_ca "$T/other"
out=$("$UTIL" -c "$T/new.conf" checkcert --ca "$T/other/ca.crt" 2>&1); st=$?
[ $st = 1 ] && echo "$out" | grep -q "^FAIL chain: .*does not verify against" &&
	ok "checkcert --ca with another CA: FAIL chain, exit 1" || fail "other CA: $st $out"
out=$("$UTIL" -c "$T/new.conf" checkcert --ca "$T/nonexistent.crt" 2>&1); st=$?
[ $st = 1 ] && echo "$out" | grep -q "^FAIL chain: cannot open" && ok "checkcert --ca with a missing file fails" ||
	fail "missing CA: $st $out"
out=$("$UTIL" -c "$T/new.conf" checkcert --ca 2>&1); st=$?
[ $st = 2 ] && ok "checkcert --ca without FILE is a usage error" || fail "usage: $st"

# The seed's certificate: CN and SAN = the FQDN, serverAuth (the Web
# Server template).  It passes; the missing short name is a warning that
# names who breaks, not a failure.
make_cert "$T/pki" noshort "$FQDN" serverAuth "DNS:$FQDN"
mkconf "$T/noshort.conf" pki/noshort.crt pki/noshort.key
out=$("$UTIL" -c "$T/noshort.conf" checkcert --ca "$T/pki/ca.crt" 2>&1); st=$?
[ $st = 0 ] && ! echo "$out" | grep -q "^FAIL" &&
	echo "$out" | grep -q "^warn certificate does not cover \"wsus\".*(short name): clients configured with the short name" &&
	echo "$out" | grep -q "^ok   covers $FQDN" && echo "$out" | grep -q "^ok   chain complete" &&
	ok "the seed's certificate (CN and SAN = FQDN) passes checkcert --ca; the short name is a warning" ||
	fail "seed certificate: $st $out"
# The seed's Common name alone (no SAN): the CN serves, the same warning.
make_cert "$T/pki" cnonly "$FQDN" serverAuth
mkconf "$T/cnonly.conf" pki/cnonly.crt pki/cnonly.key
out=$("$UTIL" -c "$T/cnonly.conf" checkcert --ca "$T/pki/ca.crt" 2>&1); st=$?
[ $st = 0 ] && echo "$out" | grep -q "^ok   covers $FQDN" && echo "$out" | grep -q "^warn .*(short name)" &&
	ok "CN = FQDN without a SAN passes, short name warned" || fail "CN only: $st $out"
# ... but a certificate for another name still fails on the FQDN.
make_cert "$T/pki" othername "other.example.org" serverAuth "DNS:other.example.org"
mkconf "$T/othername.conf" pki/othername.crt pki/othername.key
out=$("$UTIL" -c "$T/othername.conf" checkcert --ca "$T/pki/ca.crt" 2>&1); st=$?
[ $st = 1 ] && echo "$out" | grep -q "^FAIL certificate does not cover \"$FQDN\"" &&
	ok "a certificate for another name fails, exit 1" || fail "other name: $st $out"
# ... and so does one without serverAuth, short name or not.
make_cert "$T/pki" noeku "$FQDN" clientAuth "DNS:$FQDN"
mkconf "$T/noeku.conf" pki/noeku.crt pki/noeku.key
out=$("$UTIL" -c "$T/noeku.conf" checkcert --ca "$T/pki/ca.crt" 2>&1); st=$?
[ $st = 1 ] && echo "$out" | grep -q "^FAIL serverAuth EKU" && ok "clientAuth only: FAIL serverAuth, exit 1" ||
	fail "no serverAuth: $st $out"

# Requirement failures, one at a time.
openssl req -newkey rsa:1024 -nodes -keyout "$T/pki/weak.key" -out "$T/pki/weak.csr" -subj "/CN=$FQDN" 2>/dev/null
printf 'extendedKeyUsage=serverAuth\nsubjectAltName=DNS:%s,DNS:wsus\n' "$FQDN" >"$T/pki/weak.ext"
openssl x509 -req -in "$T/pki/weak.csr" -CA "$T/pki/ca.crt" -CAkey "$T/pki/ca.key" -CAcreateserial \
	-days 30 -extfile "$T/pki/weak.ext" -out "$T/pki/weak.crt" 2>/dev/null; chmod 600 "$T/pki/weak.key"
mkconf "$T/weak.conf" pki/weak.crt pki/weak.key
out=$("$UTIL" -c "$T/weak.conf" checkcert 2>&1); st=$?
[ $st = 1 ] && echo "$out" | grep -q "^FAIL key RSA 1024 is too weak" && ok "RSA 1024: FAIL key strength, exit 1" ||
	fail "weak key: $st $out"
mkconf "$T/mismatch.conf" req/server.crt pki/server.key
out=$("$UTIL" -c "$T/mismatch.conf" checkcert 2>&1); st=$?
[ $st = 1 ] && echo "$out" | grep -q "is not the key of the certificate" && ok "a key of another certificate fails" ||
	fail "key mismatch: $st $out"
chmod 644 "$T/req/server.key"
out=$("$UTIL" -c "$T/new.conf" checkcert 2>&1); st=$?
[ $st = 1 ] && echo "$out" | grep -q "^FAIL key file" && ok "a key readable by others fails" || fail "secrecy: $st $out"
chmod 600 "$T/req/server.key"

# --- clientconfig -------------------------------------------------------------
out=$("$UTIL" "${W[@]}" clientconfig --out "$T/cc" 2>&1); st=$?
[ $st = 0 ] && echo "$out" | grep -q "warning: no signing certificate" && [ ! -e "$T/cc/signing.cer" ] &&
	ok "clientconfig without a signing certificate: warning, signing.cer skipped" || fail "clientconfig: $st $out"
vals=$(regvals "$T/cc/wsus-client.reg"); st=$?
[ $st = 0 ] && ok "wsus-client.reg is REGEDIT4 with CRLF line ends" || fail "reg parse: $vals"
URL="https://$FQDN:$HTTPS_PORT"
echo "$vals" | grep -qx "WindowsUpdate|WUServer=$URL" && ok "WUServer = advertised URL $URL" || fail "WUServer: $vals"
echo "$vals" | grep -qx "WindowsUpdate|WUStatusServer=$URL" && ok "WUStatusServer = advertised URL" || fail "WUStatusServer: $vals"
echo "$vals" | grep -qx "WindowsUpdate|AcceptTrustedPublisherCerts=1" && ok "AcceptTrustedPublisherCerts=1" ||
	fail "AcceptTrustedPublisherCerts: $vals"
echo "$vals" | grep -qx 'WindowsUpdate\\AU|UseWUServer=1' && ok "AU\\UseWUServer=1" || fail "UseWUServer: $vals"
echo "$vals" | grep -q "UpdateServiceUrlAlternate" && fail "UpdateServiceUrlAlternate without --content-url" ||
	ok "no UpdateServiceUrlAlternate without --content-url"
[ "$(fp -inform DER -in "$T/cc/wsus-tls.cer")" = "$(fp -in "$T/pki/server.crt")" ] &&
	ok "wsus-tls.cer is the served certificate, DER" || fail "wsus-tls.cer"
[ ! -e "$T/cc/wsus-tls-ca.cer" ] && ok "no wsus-tls-ca.cer when the PEM carries no chain" || fail "stray CA file"
[ ! -e "$T/cc/wsus-tls-next.cer" ] && ok "no wsus-tls-next.cer without next_cert" || fail "stray next file"
ps1="$T/cc/install-certificates.ps1"
grep -q "certutil.exe -f -addstore \$Store" "$ps1" && grep -q "^Add-Cert 'wsus-tls.cer' 'WindowsServerUpdateServices'" "$ps1" &&
	grep -q "reg.exe @regargs" "$ps1" && grep -q "'wsus-client.reg'" "$ps1" &&
	ok "install-certificates.ps1 pins the TLS certificate and imports the .reg" || fail "ps1: $(cat "$ps1")"
gpo=$(tr -d '\r' <"$T/cc/GROUP-POLICY.txt")
echo "$gpo" | grep -q "Specify intranet Microsoft update service location: Enabled" &&
	echo "$gpo" | grep -q "Allow signed content from intranet Microsoft update service location" &&
	echo "$gpo" | grep -q "detecting updates: $URL" && echo "$gpo" | grep -q "Public Key Policies" &&
	ok "GROUP-POLICY.txt: both policies, the URL, Public Key Policies" || fail "GROUP-POLICY.txt: $gpo"

# The served chain, a signing certificate, a content URL, next_cert.
mkdir -p "$T/data/signing"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/data/signing/current.key" -out "$T/data/signing/current.crt" \
	-days 30 -subj "/CN=WSUS Publishers Self-signed" -addext extendedKeyUsage=codeSigning 2>/dev/null
make_cert "$T/pki" next "$FQDN" serverAuth "DNS:$FQDN" "DNS:wsus"
mkconf "$T/next.conf" req/server.crt req/server.key pki/next.crt
out=$("$UTIL" -c "$T/next.conf" clientconfig --out "$T/cc" --content-url "http://$FQDN:$HTTP_PORT" 2>&1); st=$?
[ $st = 0 ] && ok "clientconfig with chain, signing certificate, next_cert" || fail "clientconfig 2: $st $out"
[ "$(fp -inform DER -in "$T/cc/signing.cer")" = "$(fp -in "$T/data/signing/current.crt")" ] &&
	ok "signing.cer is data_dir/signing/current.crt, DER" || fail "signing.cer"
grep -q "^Add-Cert 'signing.cer' 'TrustedPublisher'" "$ps1" && grep -q "^Add-Cert 'signing.cer' 'Root'" "$ps1" &&
	ok "self-signed signing certificate -> TrustedPublisher and Root" || fail "ps1 signing: $(cat "$ps1")"
[ "$(fp -inform DER -in "$T/cc/wsus-tls.cer")" = "$(fp -in "$T/req/server.crt")" ] &&
	ok "wsus-tls.cer is the leaf of the chain file" || fail "leaf of chain"
[ "$(fp -inform DER -in "$T/cc/wsus-tls-ca.cer")" = "$(fp -in "$T/pki/ca.crt")" ] &&
	grep -q "^Add-Cert 'wsus-tls-ca.cer' 'Root'" "$ps1" && ok "wsus-tls-ca.cer is the chain's root CA, -> Root" ||
	fail "wsus-tls-ca.cer"
[ "$(fp -inform DER -in "$T/cc/wsus-tls-next.cer")" = "$(fp -in "$T/pki/next.crt")" ] &&
	grep -q "^Add-Cert 'wsus-tls-next.cer' 'WindowsServerUpdateServices'" "$ps1" &&
	ok "next_cert exported as wsus-tls-next.cer and pinned" || fail "next export"
regvals "$T/cc/wsus-client.reg" | grep -qx "WindowsUpdate|UpdateServiceUrlAlternate=http://$FQDN:$HTTP_PORT" &&
	ok "--content-url sets UpdateServiceUrlAlternate" || fail "content url: $(regvals "$T/cc/wsus-client.reg")"
out=$("$UTIL" -c "$T/next.conf" clientconfig --out "$T/cc" --pin-ca 2>&1); st=$?
[ $st = 0 ] && grep -q "^Add-Cert 'wsus-tls-ca.cer' 'WindowsServerUpdateServices'" "$ps1" &&
	ok "--pin-ca pins the CA certificate" || fail "--pin-ca: $st $out"
for bad in 'ftp://x.test/' 'http://a"b.test/' 'http://a b/' 'http://'; do
	out=$("$UTIL" -c "$T/next.conf" clientconfig --out "$T/cc" --content-url "$bad" 2>&1); st=$?
	[ $st = 1 ] && ok "--content-url '$bad' refused" || fail "--content-url '$bad': $st $out"
done
out=$("$UTIL" -c "$T/new.conf" clientconfig --out "$T/cc" 2>&1); st=$?
[ $st = 0 ] && [ ! -e "$T/cc/wsus-tls-next.cer" ] && echo "$out" | grep -q "removed .*wsus-tls-next.cer" &&
	ok "next_cert unset again: stale wsus-tls-next.cer removed" || fail "stale next: $st $out"

# The URL follows configuressl.
"$UTIL" "${W[@]}" configuressl wsus >/dev/null 2>&1
"$UTIL" "${W[@]}" clientconfig --out "$T/cc" >/dev/null 2>&1
vals=$(regvals "$T/cc/wsus-client.reg")
echo "$vals" | grep -qx "WindowsUpdate|WUServer=https://wsus:$HTTPS_PORT" &&
	echo "$vals" | grep -qx "WindowsUpdate|WUStatusServer=https://wsus:$HTTPS_PORT" &&
	ok "after configuressl wsus: WUServer/WUStatusServer https://wsus:$HTTPS_PORT" || fail "after configuressl: $vals"
"$UTIL" "${W[@]}" configuressl "$FQDN" >/dev/null 2>&1

# --- next_cert in checkcert -----------------------------------------------------
out=$("$UTIL" -c "$T/next.conf" checkcert --ca "$T/pki/ca.crt" 2>&1); st=$?
[ $st = 0 ] && echo "$out" | grep -q "^== \[tls\] next_cert .*next.crt" && echo "$out" | grep -q "^skip key not checked" &&
	ok "checkcert checks the staged next_cert too" || fail "checkcert next: $st $out"
make_cert "$T/pki" nextbad "$FQDN" clientAuth "DNS:$FQDN" "DNS:wsus"
mkconf "$T/nextbad.conf" req/server.crt req/server.key pki/nextbad.crt
out=$("$UTIL" -c "$T/nextbad.conf" checkcert --ca "$T/pki/ca.crt" 2>&1); st=$?
[ $st = 1 ] && echo "$out" | grep -q "^FAIL serverAuth EKU" && ok "a next_cert without serverAuth fails checkcert" ||
	fail "bad next: $st $out"
mkconf "$T/nextgone.conf" req/server.crt req/server.key pki/missing.crt
out=$("$UTIL" -c "$T/nextgone.conf" checkcert 2>&1); st=$?
[ $st = 1 ] && echo "$out" | grep -q "^FAIL certificate: cannot open" && ok "a missing next_cert fails checkcert" ||
	fail "missing next: $st $out"
out=$("$UTIL" -c "$T/nextgone.conf" clientconfig --out "$T/cc" 2>&1); st=$?
[ $st = 1 ] && ok "clientconfig fails on a missing next_cert" || fail "clientconfig missing next: $st $out"

# --- the daemon names the staged next_cert (the test certificate has 29 days) ----
mkconf "$T/d.conf" pki/server.crt pki/server.key pki/next.crt
cp "$T/d.conf" "$T/wsusd.conf"
"$TOP/$BUILD/wsusd" -n -c "$T/wsusd.conf" >/dev/null 2>&1 && ok "wsusd -n accepts [tls] next_cert" || fail "wsusd -n"
start_wsusd || { done_; exit 1; }
for _ in $(seq 1 50); do grep -q "staged \[tls\] next_cert" "$T/wsusd.log" && break; sleep 0.1; done
grep "staged \[tls\] next_cert" "$T/wsusd.log" | grep -q "expires in 29 days.*pki/next.crt.*SIGHUP" &&
	ok "wsusd warns of the expiry and names the staged next_cert" || fail "no next_cert warning: $(cat "$T/wsusd.log")"
stop_wsusd
sed '/^next_cert/d' "$T/d.conf" >"$T/wsusd.conf"
: >"$T/wsusd.log"
start_wsusd || { done_; exit 1; }
for _ in $(seq 1 50); do grep -q "no \[tls\] next_cert is staged" "$T/wsusd.log" && break; sleep 0.1; done
grep -q "expires in 29 days .* and no \[tls\] next_cert is staged" "$T/wsusd.log" &&
	ok "wsusd warns that no next_cert is staged" || fail "no staged warning: $(cat "$T/wsusd.log")"
stop_wsusd
sed -i "s#^key = .*#&\nnext_cert = pki/server.crt#" "$T/wsusd.conf"
: >"$T/wsusd.log"
start_wsusd || { done_; exit 1; }
for _ in $(seq 1 50); do grep -q "is the certificate being served" "$T/wsusd.log" && break; sleep 0.1; done
grep -q "next_cert .*server.crt is the certificate being served" "$T/wsusd.log" &&
	ok "wsusd flags a next_cert equal to the served certificate" || fail "same cert: $(cat "$T/wsusd.log")"
alive && ok "daemon alive" || fail "daemon died"
done_
