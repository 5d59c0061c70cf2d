#!/bin/bash
# An independent SOAP client: python3-zeep in strict mode, driven by the
# project's WSDL copies, calls every operation of SimpleAuth,
# ClientWebService and ReportingWebService over HTTPS and parses each answer.
. tests/e2e/lib.sh
setup
mkdir -p "$T/data"
python3 tests/tools/gen_catalog.py --docs "$T/docs" --content "$T/data/content" --manifest "$T/m.json" --updates 30 >/dev/null
"$TOP/$BUILD/wsusutil" -c "$T/wsusd.conf" import-updates "$T/docs" >/dev/null && ok "catalogue imported" || fail "import"
for u in $(python3 -c 'import json,sys; print(" ".join(u["id"] for u in json.load(open(sys.argv[1]))["updates"][:6]))' "$T/m.json"); do
	"$TOP/$BUILD/wsusutil" -c "$T/wsusd.conf" approve "$u" "All Computers" >/dev/null || fail "approve $u"
done
start_wsusd || { done_; exit 1; }
run_tap /usr/bin/python3 tests/tools/zeep_client.py "https://localhost:$HTTPS_PORT" "$T/pki/ca.crt" webservices/wsdl "$T/m.json"
done_
