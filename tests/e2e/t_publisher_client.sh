#!/bin/bash
# The Updates Publisher path end to end, as the seed describes it: create a
# signing certificate, trust it on the server (TrustedPublisher + Root),
# publish a three-update catalog, approve, and let wsusclient -- with its
# own Trusted Publishers / Trusted Root directories and the
# AcceptTrustedPublisherCerts policy -- scan over HTTPS, download, verify
# hashes and Authenticode, install and report; the server shows them
# installed.  Then each way the chain of trust can break on a client, and
# an expired signing certificate on the server.
. tests/e2e/lib.sh
setup
W=("$TOP/$BUILD/wsusutil" -c "$T/wsusd.conf")
cd "$T" || exit 1
mkdir -p data cat/payload tp root empty
check "signingcert create" "${W[@]}" signingcert create
check "signingcert export" "${W[@]}" signingcert export signing.cer
check "trust add TrustedPublisher" "${W[@]}" trust add signing.cer --store TrustedPublisher
check "trust add Root (self-signed)" "${W[@]}" trust add signing.cer --store Root
cp signing.cer tp/ && cp signing.cer root/

# A three-update catalog (the --example shape, three ids and payloads).
"$TOP/$BUILD/wsusutil" publish --example ex >/dev/null
python3 - <<'PY'
import re, uuid
tpl = open("ex/catalog.xml").read()
upd = re.search(r"  <Update id=.*?</Update>\n", tpl, re.S).group(0)
old = re.search(r'id="([0-9a-f-]+)"', upd).group(1)
ids, out = [], []
for i in range(3):
    u = str(uuid.uuid4()); ids.append(u)
    open("cat/payload/tool%d.exe" % i, "wb").write(b"MZ wsusd publisher test payload %d\n" % i * 50)
    out.append(upd.replace(old, u).replace("payload/hello.exe", "payload/tool%d.exe" % i)
               .replace("Contoso Hello 1.0", "Contoso Tool %d" % i))
open("cat/catalog.xml", "w").write(tpl.replace(upd, "".join(out)))
open("ids", "w").write("\n".join(ids) + "\n")
PY
out=$("${W[@]}" publish cat/catalog.xml 2>&1); st=$?
[ $st = 0 ] && [ "$(grep -c '^Published ' <<<"$out")" = 3 ] && ok "three updates published and signed" || fail "publish: $out"
check "approve the three for All Computers" "${W[@]}" approve $(cat ids) "All Computers"
start_wsusd || { done_; exit 1; }
C=("$TOP/$BUILD/wsusclient" --server "$HTTPS" --ca pki/ca.crt
   --resolve "$FQDN:$HTTPS_PORT:127.0.0.1" --resolve "$FQDN:$HTTP_PORT:127.0.0.1")

out=$("${C[@]}" --state good --trusted-publishers tp --trusted-root root --accept-trusted-publisher-certs all 2>&1); st=$?
[ $st = 0 ] && ok "client with the signer trusted: all exits 0" || fail "all: $st $(tail -5 <<<"$out")"
[ "$(grep -c '^Signature verified for .*a trusted' <<<"$out")" = 3 ] && ok "three Authenticode signatures verified by the client" ||
	fail "verified lines: $(grep -i signature <<<"$out")"
grep -q "^Found 3 updates (0 needed)$" <<<"$out" && ok "after install the rescan needs nothing" || fail "rescan: $(tail -3 <<<"$out")"
"${W[@]}" updates --json | python3 -c '
import json,sys; ids=set(open("ids").read().split()); rows=[r for r in json.load(sys.stdin) if r["id"] in ids]
sys.exit(0 if len(rows)==3 and all(r["installed"]==1 for r in rows) else 1)' &&
	ok "server shows the three installed" || fail "server status"

refused() {  # refused DESC STATE-DIR EXPECTED-REASON CLIENT-ARGS...
	local d=$1 dir=$2 want=$3 st; shift 3
	out=$("${C[@]}" --state "$dir" "$@" all 2>&1); st=$?
	if [ $st != 0 ] && grep -q "^Signature verification failed for .*$want" <<<"$out" &&
	   ! grep -q "^Signature verified" <<<"$out"; then ok "$d"
	else fail "$d: exit $st: $(grep -i 'signature\|fail' <<<"$out" | head -3)"; fi
}
refused "client without the signer in Trusted Publishers refuses" nopub "Trusted Publishers" \
	--trusted-publishers empty --trusted-root root --accept-trusted-publisher-certs
refused "self-signed signer missing from the client's Trusted Root refuses" noroot "Trusted Root" \
	--trusted-publishers tp --trusted-root empty --accept-trusted-publisher-certs
refused "policy off (AcceptTrustedPublisherCerts) refuses" nopolicy "AcceptTrustedPublisherCerts is off" \
	--trusted-publishers tp --trusted-root root
"${W[@]}" computers --json | python3 -c '
import json,sys; rows=json.load(sys.stdin); bad=[r for r in rows if r["failed"]>0]
sys.exit(0 if len(bad)>=3 else 1)' && ok "the server shows the refusals as failures" || fail "failures not reported"

# A cabinet altered on disk: the client refuses it (hash, before the signature).
f=$(find data/content -name '*.cab' | head -1)
printf 'X' | dd of="$f" bs=1 seek=200 conv=notrunc 2>/dev/null
out=$("${C[@]}" --state altered --trusted-publishers tp --trusted-root root --accept-trusted-publisher-certs all 2>&1); st=$?
[ $st != 0 ] && grep -q "^Hash verification failed for " <<<"$out" && ok "altered cabinet refused" || fail "altered: $(tail -3 <<<"$out")"
osslsigncode verify -CAfile signing.cer -in "$f" >/dev/null 2>&1 && fail "osslsigncode accepted the altered cabinet" ||
	ok "osslsigncode also rejects the altered cabinet"

# An expired signing certificate is refused by the server.
cat >ca.cnf <<'CNF'
[ca]
default_ca = d
[d]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = p
unique_subject = no
x509_extensions = ext
[p]
commonName = supplied
[ext]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
extendedKeyUsage = codeSigning
CNF
: >index.txt; echo 01 >serial
openssl req -new -newkey rsa:2048 -nodes -keyout old.key -subj '/CN=Expired Publisher' -out old.csr 2>/dev/null
chmod 600 old.key
openssl ca -batch -config ca.cnf -selfsign -keyfile old.key -in old.csr -out old.pem -notext \
	-startdate 20200101000000Z -enddate 20210101000000Z >/dev/null 2>&1
out=$("${W[@]}" signingcert import old.pem --key old.key 2>&1); st=$?
[ $st != 0 ] && grep -qi "expired" <<<"$out" && ok "expired signing certificate refused: $out" || fail "expired import: $st $out"
cd "$TOP" || exit 1
done_
