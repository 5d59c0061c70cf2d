#!/bin/bash
# wsusutil signingcert and trust: the Updates Publisher signing certificate
# (create, show, export, replace -> retired, import of PEM pairs and PKCS#12
# files with and without -legacy) and the update server's TrustedPublisher
# and Root stores, through the CLI on the test configuration.  openssl is
# the second opinion; every refusal must leave the current certificate as
# it was.  Malformed requests outnumber the happy ones.
. tests/e2e/lib.sh
setup
UTIL="$TOP/$BUILD/wsusutil"
W() { "$UTIL" -c "$T/wsusd.conf" "$@"; }
D="$T/data"
mkdir -p "$T/in"
cd "$T/in" || exit 1
thumb() { W signingcert show 2>/dev/null | sed -n 's/^  thumbprint: *//p'; }
ossl_thumb() { openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'; }
# refused DESC WANT CMD...: exit 1, WANT in the message, current unchanged.
refused() {
	local d=$1 want=$2 before out st; shift 2
	before=$(thumb)
	out=$("$@" 2>&1); st=$?
	if [ $st = 1 ] && echo "$out" | grep -qF -- "$want" && [ "$(thumb)" = "$before" ]; then
		ok "$d"
	else
		fail "$d: status $st, current $before -> $(thumb): $out"
	fi
}
usage_err() {
	local d=$1 out st; shift
	out=$("$@" 2>&1); st=$?
	[ $st = 2 ] && echo "$out" | grep -q "usage:\|must be\|unknown store" && ok "$d (usage, 2)" || fail "$d: $st $out"
}

# --- nothing yet -----------------------------------------------------------
out=$(W signingcert show 2>&1); st=$?
[ $st = 1 ] && echo "$out" | grep -q "signing certificate: none" && ok "show without a certificate says none (1)" || fail "show none: $st $out"
refused "export without a certificate" "signingcert create" W signingcert export "$T/in/none.cer"
[ ! -e "$T/in/none.cer" ] && ok "no file exported" || fail "none.cer written"

# --- create: argument errors first -------------------------------------------
usage_err "create --years 0" W signingcert create --years 0
usage_err "create --years 21" W signingcert create --years 21
usage_err "create --years 3x" W signingcert create --years 3x
usage_err "create --years without value" W signingcert create --years
usage_err "create --subject twice" W signingcert create --subject CN=a --subject CN=b
usage_err "create with a stray argument" W signingcert create extra
out=$(W signingcert create --subject "no equals sign" 2>&1); st=$?
[ $st = 1 ] && echo "$out" | grep -q "not a distinguished name" && ok "unparseable subject refused" || fail "bad subject: $st $out"
[ ! -e "$D/signing/current.crt" ] && ok "nothing created by the refusals" || fail "current.crt exists"

out=$(W signingcert create 2>&1); st=$?
[ $st = 0 ] && echo "$out" | grep -q "^created the signing certificate CN=WSUS Publishers Self-signed (thumbprint [0-9A-F]\{40\}), valid until" &&
	ok "signingcert create (default subject)" || fail "create: $st $out"
echo "$out" | grep -q "trust add signing.cer --store Root (it is self-signed)" && ok "create says what to do next" || fail "next: $out"
[ "$(stat -c %a "$D/signing/current.key")" = 600 ] && ok "key file 0600" || fail "key mode $(stat -c %a "$D/signing/current.key")"
[ "$(stat -c %a "$D/signing")" = 700 ] && [ "$(stat -c %a "$D/signing/retired")" = 700 ] && ok "directories 0700" || fail "dir modes"
T1=$(thumb)
[ "$T1" = "$(ossl_thumb "$D/signing/current.crt")" ] && ok "show thumbprint = openssl SHA-1 fingerprint" || fail "thumbprint $T1"
out=$(W signingcert show)
for want in "subject:      CN=WSUS Publishers Self-signed" "issuer:       CN=WSUS Publishers Self-signed" \
	"key:          RSA 2048" "self-signed:  yes" "code signing: yes" "status:       ok" "retired: none" "SHA-256:      "; do
	echo "$out" | grep -qF "$want" && ok "show: $want" || fail "show lacks '$want': $out"
done
days=$(echo "$out" | sed -n 's/.*(\([0-9]*\) days left).*/\1/p')
[ "${days:-0}" -ge 1094 ] && [ "${days:-0}" -le 1097 ] && ok "3 years by default ($days days)" || fail "days $days"

# --- export ------------------------------------------------------------------
usage_err "export without a file" W signingcert export
out=$(W signingcert export signing.cer); st=$?
[ $st = 0 ] && [ -s signing.cer ] && ok "export signing.cer" || fail "export: $st $out"
txt=$(openssl x509 -inform DER -in signing.cer -noout -text 2>&1)
echo "$txt" | grep -q "Code Signing" && ok "exported DER has the Code Signing EKU" || fail "EKU: $txt"
echo "$txt" | grep -q "Subject: CN = WSUS Publishers Self-signed" && ok "exported DER subject" || fail "subject: $txt"
echo "$txt" | grep -q "Subject Alternative Name" && fail "SAN present" || ok "no subjectAltName"
openssl x509 -inform DER -in signing.cer -out signing.pem
openssl verify -CAfile signing.pem signing.pem >/dev/null 2>&1 && ok "openssl verify of the self-signed certificate" || fail "verify"

# --- replace: the old one is retired and still listed -------------------------
out=$(W signingcert create --subject "CN=Second Publisher, O=Example" --years 1 2>&1); st=$?
[ $st = 0 ] && echo "$out" | grep -q "retired the previous signing certificate $T1" && ok "second create retires $T1" || fail "replace: $st $out"
[ -f "$D/signing/retired/$T1.crt" ] && ok "signing/retired/$T1.crt" || fail "no retired file"
W signingcert show | grep -q "^  $T1  CN=WSUS Publishers Self-signed  not after" && ok "show lists the retired certificate" || fail "retired not listed"
[ ! -e "$D/signing/current.key.prev" ] && ok "no rollback link left" || fail "current.key.prev left"

# --- import: refusals, then a PEM pair and PKCS#12 files ----------------------
mk() {  # mk NAME CN [openssl req args...]: RSA-2048 self-signed NAME.pem/NAME.key
	local n=$1 cn=$2; shift 2
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$n.key" -out "$n.pem" -subj "/CN=$cn" -days 30 "$@" 2>/dev/null
	chmod 600 "$n.key"
}
mk signer "E2E Signer" -addext extendedKeyUsage=codeSigning -addext keyUsage=digitalSignature
mk other "Other Signer" -addext extendedKeyUsage=codeSigning
mk tls "$FQDN" -addext extendedKeyUsage=serverAuth
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key -out ec.pem \
	-subj /CN=EC -days 30 -addext extendedKeyUsage=codeSigning 2>/dev/null; chmod 600 ec.key
# expired: a throw-away "openssl ca -selfsign" with explicit dates
printf '[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\ndefault_md = sha256\npolicy = p\nunique_subject = no\nx509_extensions = e\n[p]\ncommonName = supplied\n[e]\nextendedKeyUsage = codeSigning\n' >ca.cnf
: >index.txt; echo 01 >serial
openssl req -new -newkey rsa:2048 -nodes -keyout old.key -subj /CN=Old -out old.csr 2>/dev/null; chmod 600 old.key
openssl ca -batch -config ca.cnf -selfsign -keyfile old.key -in old.csr -out old.pem -notext \
	-startdate 20200101000000Z -enddate 20210101000000Z >/dev/null 2>&1
cp signer.key open.key; chmod 644 open.key
printf 'secret\n' >pw; chmod 600 pw
printf 'nope\n' >bad.pw; chmod 600 bad.pw
printf 'secret\n' >open.pw; chmod 644 open.pw
openssl pkcs12 -export -in signer.pem -inkey signer.key -out aes.p12 -passout file:pw
openssl pkcs12 -export -legacy -in other.pem -inkey other.key -out legacy.p12 -passout file:pw
head -c 700 aes.p12 >cut.p12

refused "import: serverAuth-only certificate" "no Code Signing extended key usage" W signingcert import tls.pem --key tls.key
refused "import: expired certificate" "has expired: it was valid until 2021-01-01" W signingcert import old.pem --key old.key
refused "import: key of another certificate" "does not match the certificate CN=E2E Signer" W signingcert import signer.pem --key other.key
refused "import: ECDSA certificate" "need an RSA key of 2048 bits or more" W signingcert import ec.pem --key ec.key
refused "import: key readable by others" "chmod 600" W signingcert import signer.pem --key open.key
refused "import: missing file" "missing.pem" W signingcert import missing.pem --key signer.key
refused "import: PEM without a key" "--key FILE" W signingcert import signer.pem
refused "import: PKCS#12 without a password file" "--password-file" W signingcert import aes.p12
refused "import: PKCS#12, wrong password" "wrong password for" W signingcert import aes.p12 --password-file bad.pw
refused "import: PKCS#12, password file readable by others" "chmod 600" W signingcert import aes.p12 --password-file open.pw
refused "import: truncated PKCS#12" "not a PKCS#12 file" W signingcert import cut.p12 --password-file pw
refused "import: PEM as PKCS#12" "is PEM, not PKCS#12" W signingcert import signer.pem --password-file pw
usage_err "import: --key and --password-file" W signingcert import aes.p12 --key signer.key --password-file pw
usage_err "import: no file" W signingcert import
echo "$(W signingcert import tls.pem --key tls.key 2>&1)" | grep -q "nothing changed" && ok "refusal says nothing changed" || fail "no 'nothing changed'"

out=$(W signingcert import signer.pem --key signer.key 2>&1); st=$?
[ $st = 0 ] && [ "$(thumb)" = "$(ossl_thumb signer.pem)" ] && ok "import PEM pair" || fail "PEM import: $st $out"
out=$(W signingcert import legacy.p12 --password-file pw 2>&1); st=$?
[ $st = 0 ] && [ "$(thumb)" = "$(ossl_thumb other.pem)" ] && ok "import PKCS#12 -legacy (3DES + RC2-40)" || fail "legacy: $st $out"
out=$(W signingcert import aes.p12 --password-file pw 2>&1); st=$?
[ $st = 0 ] && [ "$(thumb)" = "$(ossl_thumb signer.pem)" ] && ok "import PKCS#12 (PBES2, AES-256, PBKDF2-SHA256)" || fail "aes: $st $out"
[ "$(openssl x509 -in "$D/signing/current.crt" -noout -modulus)" = "$(openssl rsa -in "$D/signing/current.key" -noout -modulus 2>/dev/null)" ] &&
	ok "stored key matches the stored certificate" || fail "modulus mismatch"
[ "$(stat -c %a "$D/signing/current.key")" = 600 ] && ok "imported key 0600" || fail "imported key mode"
n=$(ls "$D/signing/retired" | wc -l)
[ "$n" = 4 ] && ok "four retired certificates (two created, two imported)" || fail "retired count $n"

# --- trust stores ----------------------------------------------------------------
W signingcert export signer.cer >/dev/null
TS=$(ossl_thumb signer.pem)
usage_err "trust add without --store" W trust add signer.cer
usage_err "trust add --store Bogus" W trust add signer.cer --store Bogus
usage_err "trust without a verb" W trust
usage_err "trust frobnicate" W trust frobnicate
refused "trust add: not a certificate" "no certificate" W trust add pw --store Root
cat signer.pem other.pem >two.pem
refused "trust add: two certificates" "one at a time" W trust add two.pem --store Root
out=$(W trust add signer.cer --store TrustedPublisher 2>&1); st=$?
[ $st = 0 ] && ok "trust add --store TrustedPublisher" || fail "add: $st $out"
out=$(W trust add signer.pem --store root 2>&1); st=$?
[ $st = 0 ] && ok "trust add --store root (PEM, any case)" || fail "add root: $st $out"
[ "$(stat -c %a "$D/trust/Root")" = 700 ] && ok "store directory 0700" || fail "store dir mode"
cmp -s signer.cer "$D/trust/Root/$TS.cer" && ok "Root holds the DER as <SHA1>.cer" || fail "Root file"
list=$(W trust list)
echo "$list" | grep -qP "^TrustedPublisher\t$TS\tCN=E2E Signer\t\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$" && ok "trust list: TrustedPublisher line" || fail "list: $list"
echo "$list" | grep -qP "^Root\t$TS\tCN=E2E Signer\t" && ok "trust list: Root line" || fail "list: $list"
[ "$(echo "$list" | wc -l)" = 2 ] && ok "two lines" || fail "lines: $list"
lower=$(echo "$TS" | tr 'A-F' 'a-f' | sed 's/../&:/g; s/:$//')
refused "trust remove: not a thumbprint" "not a SHA-1 thumbprint" W trust remove 1234
refused "trust remove: a path" "not a SHA-1 thumbprint" W trust remove ../../etc/passwd
out=$(W trust remove "$lower" 2>&1); st=$?
[ $st = 0 ] && ok "trust remove (lower case, colons)" || fail "remove: $st $out"
[ -z "$(W trust list)" ] && ok "removed from both stores" || fail "still listed: $(W trust list)"
refused "trust remove again" "no certificate with thumbprint $TS" W trust remove "$TS"

# --- not our verb -------------------------------------------------------------------
usage_err "signingcert frobnicate" W signingcert frobnicate
usage_err "signingcert without a verb" W signingcert
[ -z "$(find "$D" -regex '.*\.[A-Za-z0-9_]\{6\}$' -o -name '*.tmp' -o -name '*.prev')" ] && ok "no temporary files anywhere" || fail "temporary files: $(find "$D")"
cd "$TOP" || exit 1
done_
