#!/bin/bash
# t_publish.sh - wsusutil publish (the Updates Publisher role): the example
# catalog; refusals without a signing certificate, with one the server does
# not trust (TrustedPublisher), and with a self-signed one missing from Root;
# a trusted publish (Authenticode checked by osslsigncode, payload extracted
# by cabextract byte for byte, revision and categories in the store, content
# served, a wsusclient scan finds it); republish = revision 2; --expire;
# malformed catalogs refused with nothing written.
. tests/e2e/lib.sh
setup
UTIL="$TOP/$BUILD/wsusutil"
W=("$UTIL" -c "$T/wsusd.conf")
DB="$T/data/wsusd.db"
cd "$T" || exit 1
mkdir -p data

# revs: revisions in the store (0 before the store exists); files: content files.
revs() { if [ -f "$DB" ]; then sqlite3 "$DB" 'select count(*) from revisions'; else echo 0; fi; }
files() { find data/content -type f 2>/dev/null | wc -l; }
# refused DESC PATTERN CATALOG [NOT-PATTERN]: exit 1, the message matches
# (and does not match NOT-PATTERN), nothing written.
refused() {
	local d=$1 pat=$2 cat=$3 not=${4:-} r0 f0 out st
	r0=$(revs); f0=$(files)
	out=$("${W[@]}" publish "$cat" 2>&1); st=$?
	if [ $st = 1 ] && grep -q -- "$pat" <<<"$out" && [ "$(revs)" = "$r0" ] &&
	    { [ -z "$not" ] || ! grep -q -- "$not" <<<"$out"; } &&
	    [ "$(files)" = "$f0" ]; then
		ok "$d"
	else
		fail "$d: exit $st, revisions $r0 -> $(revs), files $f0 -> $(files): $out"
	fi
}

# --- the example ---------------------------------------------------------
out=$("${W[@]}" publish --example ex 2>&1); st=$?
[ $st = 0 ] && [ -s ex/catalog.xml ] && [ -s ex/payload/hello.exe ] &&
	ok "publish --example writes catalog.xml and payload/hello.exe" || fail "example: $st $out"
ID=$(sed -n 's/.*<Update id="\([^"]*\)".*/\1/p' ex/catalog.xml)
[ ${#ID} = 36 ] && ok "example update id $ID" || fail "example id '$ID'"
out=$("${W[@]}" publish --example ex 2>&1); st=$?
[ $st = 1 ] && grep -q "exists; not overwritten" <<<"$out" &&
	ok "--example does not overwrite a catalog" || fail "example twice: $st $out"

# --- refusals before anything is trusted -----------------------------------
refused "no signing certificate: refused" "no signing certificate" ex/catalog.xml
[ ! -e data/content ] || [ "$(files)" = 0 ] && ok "content/ empty" || fail "content written"

check "signingcert create" "${W[@]}" signingcert create
check "signingcert export" "${W[@]}" signingcert export signing.cer
if openssl x509 -inform DER -in signing.cer -out signing.pem 2>/dev/null ||
    openssl x509 -in signing.cer -out signing.pem 2>/dev/null; then
	ok "signing certificate exported"
else
	fail "exported signing certificate does not parse"
fi
refused "untrusted signer refused naming TrustedPublisher" "TrustedPublisher" ex/catalog.xml
check "trust add --store TrustedPublisher" "${W[@]}" trust add signing.cer --store TrustedPublisher
refused "self-signed signer not in Root refused naming Root" "Root" ex/catalog.xml TrustedPublisher
[ "$(revs)" = 0 ] && ok "no revision in the store after refusals" || fail "revisions: $(revs)"
check "trust add --store Root" "${W[@]}" trust add signing.cer --store Root

# --- the trusted publish -----------------------------------------------------
out=$("${W[@]}" publish ex/catalog.xml 2>&1); st=$?
echo "$out" | sed 's/^/# /'
[ $st = 0 ] && grep -q "^Published $ID revision 1: Contoso Hello 1.0 (signed by CN=.*, SHA-1 [0-9A-F]\{40\})$" <<<"$out" &&
	ok "published revision 1, signer named" || fail "publish: $st"
CAB=$(sed -n 's/^  content \(content\/[0-9A-F]\{2\}\/[0-9A-F]\{40\}\.cab\) .*/\1/p' <<<"$out")
F="data/$CAB"
if [ -n "$CAB" ] && [ -f "$F" ]; then ok "content file $CAB"; else fail "content file '$CAB'"; fi
sha=$(sha1sum "$F" | cut -c1-40 | tr a-f A-F)
[ "$CAB" = "content/${sha:38:2}/$sha.cab" ] && ok "named after its SHA-1, folder = last byte" || fail "name $CAB vs $sha"
vout=$(osslsigncode verify -CAfile signing.pem -in "$F" 2>&1); st=$?
[ $st = 0 ] && ok "osslsigncode verify -CAfile signing.pem" || { fail "osslsigncode verify: $st"; echo "$vout" | tail -5 | sed 's/^/# /'; }
grep -q "SHA256" <<<"$vout" && ok "signed with SHA-256" || fail "digest algorithm: $(grep -i digest <<<"$vout" | head -2)"
mkdir -p x && cabextract -q -d x "$F" 2>/dev/null && cmp -s x/hello.exe ex/payload/hello.exe &&
	ok "cabextract gives the payload byte for byte" || fail "cabextract"
row=$(sqlite3 "$DB" "select r.revision_number, r.state, r.is_latest, u.kind from revisions r join updates u on u.id = r.update_ref where u.update_id = '$ID'")
[ "$row" = "1|published|1|software" ] && ok "store: revision 1, published, latest" || fail "store row '$row'"
cats=$(sqlite3 "$DB" "select group_concat(category_type, ',') from (select category_type from updates where kind = 'category' order by category_type)")
[ "$cats" = "company,product,update_classification" ] && ok "company, product and classification categories created" || fail "categories '$cats'"
h1=$(sqlite3 "$DB" "select hex(f.sha1) from files f join revision_files rf on rf.file_id = f.file_id join revisions r on r.revision_id = rf.revision_id join updates u on u.id = r.update_ref where u.update_id = '$ID'")
[ "$h1" = "$sha" ] && ok "the revision's file is the signed cabinet" || fail "file sha1 $h1 vs $sha"
"${W[@]}" updates --json | grep -q "\"id\":\"$ID\",\"revision\":1," && ok "updates --json lists revision 1" || fail "updates --json"

# Served, and found by a scan once approved.
check "approve for All Computers" "${W[@]}" approve "$ID" "All Computers"
start_wsusd || { done_; exit 1; }
"${CURL[@]}" -o got.cab "$HTTP/Content/$(cut -d/ -f2- <<<"$CAB")" && cmp -s got.cab "$F" &&
	ok "GET /Content/ serves the signed cabinet" || fail "content GET"
C=("$TOP/$BUILD/wsusclient" --server "$HTTPS" --ca pki/ca.crt
   --resolve "$FQDN:$HTTPS_PORT:127.0.0.1" --resolve "$FQDN:$HTTP_PORT:127.0.0.1")
mkdir -p c1 && : >c1/registry
out=$("${C[@]}" --state c1 scan 2>&1)
grep -q "^Found 1 updates (1 needed)$" <<<"$out" && ok "wsusclient scan reaches it through the category chain" ||
	{ fail "scan"; echo "$out" | tail -5 | sed 's/^/# /'; }
out=$("${C[@]}" --state c1 download 2>&1); st=$?
[ $st = 0 ] && ok "wsusclient download: size, SHA-1, SHA-256 match" || { fail "download: $st"; echo "$out" | tail -5 | sed 's/^/# /'; }
stop_wsusd

# --- republish, expire --------------------------------------------------------
out=$("${W[@]}" publish ex/catalog.xml 2>&1); st=$?
[ $st = 0 ] && grep -q "^Published $ID revision 2: " <<<"$out" && ok "republish makes revision 2" || fail "republish: $st $out"
grep -q "^Created category" <<<"$out" && fail "categories created again" || ok "categories not created again"
n=$(sqlite3 "$DB" "select count(*) from revisions r join updates u on u.id = r.update_ref where u.update_id = '$ID'")
[ "$n" = 2 ] && ok "both revisions kept" || fail "revisions of $ID: $n"
"${W[@]}" updates --json | grep -q "\"id\":\"$ID\",\"revision\":2," && ok "updates --json: revision 2 current" || fail "rev 2 not current"
out=$("${W[@]}" publish --expire "$ID" 2>&1); st=$?
[ $st = 0 ] && grep -q "^Expired $ID revision 2" <<<"$out" && ok "--expire" || fail "expire: $st $out"
"${W[@]}" updates --json | grep -q "$ID" && fail "expired update still listed" || ok "expired update not in updates --json"
"${W[@]}" updates --json --all | grep -q "$ID" && fail "expired update in --all" || ok "nor in updates --json --all"
st2=$(sqlite3 "$DB" "select r.state || r.is_latest from revisions r join updates u on u.id = r.update_ref where u.update_id = '$ID' and r.revision_number = 2")
[ "$st2" = expired0 ] && ok "store: revision 2 expired, not latest" || fail "store state '$st2'"
out=$("${W[@]}" publish --expire "$ID" 2>&1); st=$?
[ $st = 1 ] && grep -q "no current revision" <<<"$out" && ok "expiring again: no current revision" || fail "expire twice: $st $out"
out=$("${W[@]}" publish --expire 12345 2>&1); st=$?
[ $st = 1 ] && ok "--expire of a non-GUID refused" || fail "expire non-GUID: $st"
start_wsusd || { done_; exit 1; }
out=$("${C[@]}" --state c1 scan 2>&1)
grep -q "^Found 0 updates" <<<"$out" && ok "a scan no longer offers it" || { fail "scan after expire"; echo "$out" | tail -3 | sed 's/^/# /'; }
stop_wsusd

# --- an msi update: WindowsInstaller handler, MSI product rules ----------------
printf 'not really an msi\n' >tool.msi
cat >msi.xml <<'XML'
<Catalog xmlns="urn:wsusd:catalog:1">
 <Update id="22222222-2222-4333-8444-555555555555">
  <Title>Contoso Tool &amp; Co 2.0</Title>
  <Classification>Security Updates</Classification>
  <KB>KB5012345</KB>
  <Installer type="msi"><ProductCode>a1b2c3d4-0001-4000-8000-000000000100</ProductCode>
   <CommandLine>REBOOT=ReallySuppress</CommandLine></Installer>
  <Supersedes>11111111-2222-4333-8444-555555555555</Supersedes>
  <Payload>tool.msi</Payload>
 </Update>
</Catalog>
XML
out=$("${W[@]}" publish msi.xml 2>&1); st=$?
[ $st = 0 ] && grep -q '^Published 22222222-2222-4333-8444-555555555555 revision 1: Contoso Tool & Co 2.0 ' <<<"$out" &&
	ok "msi update published" || fail "msi publish: $st $out"
grep -q '^Created category 0fa1201d-4330-4fa8-8ae9-b877473b6441 revision 1: UpdateClassification "Security Updates"$' <<<"$out" &&
	grep -q '^Created category 5cc25303-143f-40f3-a2ff-803a1db69955 revision 1: Product "Locally Published Packages"$' <<<"$out" &&
	ok "well-known classification and default product created" || fail "msi categories: $out"
frag() {   # frag UPDATE-ID KIND: the newest revision's fragment, inflated
	python3 - "$DB" "$1" "$2" <<'PY'
import sqlite3, sys, zlib
db = sqlite3.connect(sys.argv[1])
row = db.execute("select f.zdata from fragments f join revisions r on r.revision_id = f.revision_id "
                 "join updates u on u.id = r.update_ref where u.update_id = ? and f.kind = ? "
                 "order by r.revision_id desc limit 1", (sys.argv[2], sys.argv[3])).fetchone()
print(zlib.decompress(row[0]).decode() if row else "")
PY
}
ext=$(frag 22222222-2222-4333-8444-555555555555 extended)
grep -q 'Handler="http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/WindowsInstaller"' <<<"$ext" &&
	grep -q '<HandlerSpecificData type="msp:WindowsInstallerApp"><MsiData ProductCode="{A1B2C3D4-0001-4000-8000-000000000100}" MsiFile="tool.msi" CommandLine="REBOOT=ReallySuppress" /></HandlerSpecificData>' <<<"$ext" &&
	grep -q 'IsLocallyPublished="true"' <<<"$ext" && grep -q '<KBArticleID>5012345</KBArticleID>' <<<"$ext" &&
	grep -q 'FileName="tool.cab"' <<<"$ext" &&
	ok "Extended fragment: WindowsInstaller handler, MsiData, KB, tool.cab" || fail "msi extended: $ext"
core=$(frag 22222222-2222-4333-8444-555555555555 core)
grep -q '<IsInstalled><m.MsiProductInstalled ProductCode="{A1B2C3D4-0001-4000-8000-000000000100}" /></IsInstalled><IsInstallable><Not><m.MsiProductInstalled ProductCode="{A1B2C3D4-0001-4000-8000-000000000100}" /></Not></IsInstallable>' <<<"$core" &&
	grep -q '<SupersededUpdates><UpdateIdentity UpdateID="11111111-2222-4333-8444-555555555555" /></SupersededUpdates>' <<<"$core" &&
	ok "Core fragment: MSI product rules, supersedence" || fail "msi core: $core"
core=$(frag "$ID" core)
grep -q '<b.RegValueExists Key="HKEY_LOCAL_MACHINE" Subkey="SOFTWARE\\Contoso\\Installed" Value="'"$ID"'" Type="REG_SZ" /><b.FileVersion Path="Contoso\\Hello\\hello.exe" Comparison="GreaterThanOrEqualTo" Version="1.0.0.0" Csidl="38" />' <<<"$core" &&
	grep -q '<Not><b.RegDword Key="HKEY_LOCAL_MACHINE" Subkey="SOFTWARE\\Contoso\\Policy" Value="BlockHello" Comparison="EqualTo" Data="1" /></Not>' <<<"$core" &&
	ok "Core fragment: the example's rules as bar:/lar: rules" || fail "example core: $core"

# --- the store refuses the batch: the run's content files are removed -----------
sed 's#payload/hello.exe#other.exe#; s#<Update id="[^"]*">#<Update id="44444444-2222-4333-8444-555555555555">#' \
	ex/catalog.xml >ex/other.xml
printf 'MZ another payload\n' >ex/other.exe
sqlite3 "$DB" "create trigger t_fail before insert on revisions begin select raise(abort, 'test'); end"
f0=$(files); r0=$(revs)
out=$("${W[@]}" publish ex/other.xml 2>&1); st=$?
[ $st = 1 ] && grep -q "content files of this run were removed" <<<"$out" && [ "$(files)" = "$f0" ] &&
	[ "$(revs)" = "$r0" ] && ok "store failure: nothing stored, the run's cabinet removed" ||
	fail "store failure: $st files $f0 -> $(files): $out"
sqlite3 "$DB" "drop trigger t_fail"
out=$("${W[@]}" publish ex/other.xml 2>&1); st=$?
[ $st = 0 ] && [ "$(files)" = $((f0 + 1)) ] && ok "after the fault, the same catalog publishes" || fail "retry: $st $out"

# --- malformed catalogs: refused, nothing written ------------------------------
cp ex/payload/hello.exe hello.exe
cat_with() {   # cat_with FILE UPDATE-BODY [ROOT-ATTRS]
	printf '<Catalog xmlns="%s"><Update id="11111111-2222-4333-8444-555555555555">%s</Update></Catalog>\n' \
		"${3:-urn:wsusd:catalog:1}" "$2" >"$1"
}
GOOD='<Title>T</Title><Installer type="exe"/><Applicability><IsInstalled><True/></IsInstalled></Applicability>'
head -c 300 ex/catalog.xml >bad1.xml
refused "malformed XML (truncated) refused" "bad1.xml:" bad1.xml
cat_with bad2.xml "$GOOD<Payload>payload/missing.exe</Payload>"
refused "missing payload refused" "missing.exe: No such file" bad2.xml
cat_with bad3.xml "$GOOD<Payload>hello.exe</Payload>" "urn:other"
refused "wrong namespace refused" "root element must be" bad3.xml
printf '<!DOCTYPE c [<!ENTITY x "y">]><Catalog xmlns="urn:wsusd:catalog:1"/>' >bad4.xml
refused "DOCTYPE refused" "DOCTYPE" bad4.xml
cat_with bad5.xml '<Title>T</Title><Installer type="exe"/><Applicability><IsInstalled><Not><True/><False/></Not></IsInstalled></Applicability><Payload>hello.exe</Payload>'
refused "Not with two rules refused" "exactly one" bad5.xml
cat_with bad6.xml '<Title>T</Title><Installer type="exe"/><Applicability><IsInstalled><Registry/></IsInstalled></Applicability><Payload>hello.exe</Payload>'
refused "unknown rule refused" "unknown rule <Registry>" bad6.xml
cat_with bad7.xml '<Title>T</Title><Installer type="exe"/><Payload>hello.exe</Payload>'
refused "exe without IsInstalled refused" "IsInstalled" bad7.xml
cat_with bad8.xml '<Title>T</Title><Installer type="msi"><ProductCode>{11111111-2222-4333-8444-555555555555}</ProductCode></Installer><Payload>hello.exe</Payload>'
refused "msi installer with a non-.msi payload refused" ".msi" bad8.xml
cat_with bad9.xml "$GOOD<Classification>Bogus</Classification><Payload>hello.exe</Payload>"
refused "unknown classification refused" "not a known classification" bad9.xml
cat_with bad10.xml "$GOOD<Unknown/><Payload>hello.exe</Payload>"
refused "unknown element refused" "unknown element <Unknown>" bad10.xml
cat_with bad11.xml '<Title>T</Title><Installer type="exe"/><Applicability><IsInstalled><File path="a" version="1.2.3.4.5"/></IsInstalled></Applicability><Payload>hello.exe</Payload>'
refused "bad file version refused" "not a.b.c.d" bad11.xml
cat_with bad12.xml '<Title>T</Title><Installer type="exe"/><Applicability><IsInstalled><RegistryValue subkey="S" value="v" type="REG_DWORD" data="x"/></IsInstalled></Applicability><Payload>hello.exe</Payload>'
refused "non-numeric REG_DWORD data refused" "decimal data" bad12.xml
sed "s/<Update id=\"$ID\">/<Update id=\"$ID\" revision=\"2\">/" ex/catalog.xml >ex/bad13.xml
refused "revision not above the stored one refused" "not above the stored revision 2" ex/bad13.xml
sed 's/<Update id="[^"]*">/<Update id="not-a-guid">/' ex/catalog.xml >ex/bad14.xml
refused "update id not a GUID refused" 'needs id="GUID"' ex/bad14.xml
{ echo '<Catalog xmlns="urn:wsusd:catalog:1">'; sed -n '/<Update /,/<\/Update>/p' ex/catalog.xml; sed -n '/<Update /,/<\/Update>/p' ex/catalog.xml; echo '</Catalog>'; } |
	sed 's#payload/hello.exe#ex/payload/hello.exe#' >bad15.xml
refused "the same update twice refused" "twice" bad15.xml
done_
