#!/bin/bash
# Replay: captured native WUA requests (real Windows Update Agent 2.90 vs
# real WSUS on Windows Server 2025) sent to wsusd with fresh cookies; each
# answer must have the element structure of the real WSUS answer.
. tests/e2e/lib.sh
CAP=$TOP/tests/data/captures/wsus-rs
[ -d "$CAP" ] || { fail "fixtures missing at $CAP"; done_; exit 1; }
setup
mkdir -p "$T/data" "$T/docs"
python3 tests/tools/gen_catalog.py --docs "$T/docs" --content "$T/data/content" --manifest "$T/m.json" --updates 10 >/dev/null
# The category the native client asks for in StartCategoryScan.
cat >"$T/docs/zz-dd78b8a1.xml" <<'XML'
<upd:Update xmlns:upd="http://schemas.microsoft.com/msus/2002/12/Update" xmlns:lar="http://schemas.microsoft.com/msus/2002/12/LogicalApplicabilityRules"><upd:UpdateIdentity UpdateID="dd78b8a1-0b20-45c1-add6-4da72e9364cf" RevisionNumber="101" /><upd:Properties UpdateType="Category" DefaultPropertiesLanguage="en" PublicationState="Published" CreationDate="2026-09-02T08:19:36.080Z" PublisherID="bccf8ca0-2819-4598-8d15-c1506e363e92" /><upd:LocalizedPropertiesCollection><upd:LocalizedProperties><upd:Language>en</upd:Language><upd:Title>Windows</upd:Title></upd:LocalizedProperties></upd:LocalizedPropertiesCollection><upd:ApplicabilityRules><upd:IsInstalled><lar:True /></upd:IsInstalled></upd:ApplicabilityRules><upd:HandlerSpecificData xsi:type="cat:Category" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><cat:CategoryInformation CategoryType="ProductFamily" ProhibitsSubcategories="false" ProhibitsUpdates="false" DisplayOrder="0" xmlns:cat="http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/Category" /></upd:HandlerSpecificData></upd:Update>
XML
"$TOP/$BUILD/wsusutil" -c "$T/wsusd.conf" import-updates "$T/docs" >/dev/null && ok "catalogue imported" || fail "import"
start_wsusd || { done_; exit 1; }
run_tap python3 tests/tools/replay.py "https://localhost:$HTTPS_PORT" "$T/pki/ca.crt" "$CAP"
done_
