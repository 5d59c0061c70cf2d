#!/bin/bash
# Require SSL per service: each of the six web services over plain HTTP and
# over HTTPS, with the default [ssl] require list and with a changed one.
. tests/e2e/lib.sh

SERVICES="ClientWebService/client.asmx SimpleAuthWebService/SimpleAuth.asmx
ReportingWebService/ReportingWebService.asmx DssAuthWebService/DssAuthWebService.asmx
ServerSyncWebService/ServerSyncWebService.asmx ApiRemoting30/WebService.asmx"
BODY='<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>'

post() {  # post URL
	"${CURL[@]}" -o "$T/body" -w '%{http_code}' -H 'Content-Type: text/xml; charset=utf-8' \
		-H 'SOAPAction: "http://example.invalid/NoSuchOperation"' --data-binary "$BODY" "$1"
}

# matrix REQUIRED-VROOTS...: check every service on both ports.
matrix() {
	local required=" $* " s vroot code
	for s in $SERVICES; do
		vroot=${s%%/*}
		code=$(post "$HTTP/$s")
		if [ "$vroot" = ApiRemoting30 ]; then
			# The admin plane is HTTPS only whatever the list says, and
			# authenticated before the service sees a request.
			[ "$code" = 403 ] && ok "HTTP ApiRemoting30 refused: 403 (HTTPS only)" ||
				fail "HTTP ApiRemoting30: got $code, want 403"
			code=$("${CURL[@]}" -D "$T/hdr" -o "$T/body" -w '%{http_code}' \
				-H 'Content-Type: text/xml; charset=utf-8' --data-binary "$BODY" "$HTTPS/$s")
			[ "$code" = 401 ] && grep -qi '^WWW-Authenticate: NTLM' "$T/hdr" &&
				ok "HTTPS ApiRemoting30 asks for credentials: 401 WWW-Authenticate NTLM" ||
				fail "HTTPS ApiRemoting30: got $code, want 401 with WWW-Authenticate"
			continue
		fi
		if [[ "$required" == *" $vroot "* ]]; then
			if [ "$code" = 403 ] && grep -q "SSL required" "$T/body"; then
				ok "HTTP $vroot refused: 403 SSL required"
			else fail "HTTP $vroot: got $code, want 403"; fi
		else
			if [ "$code" = 500 ] && grep -q "did not recognize the value of HTTP Header SOAPAction" "$T/body"; then
				ok "HTTP $vroot reaches the service (ASMX fault for an unknown action)"
			else fail "HTTP $vroot: got $code, want 500 fault"; fi
		fi
		code=$(post "$HTTPS/$s")
		if [ "$code" = 500 ] && grep -q "did not recognize" "$T/body" && grep -q '<faultcode>soap:Client</faultcode>' "$T/body"; then
			ok "HTTPS $vroot reaches the service"
		else fail "HTTPS $vroot: got $code, want 500 fault"; fi
	done
}

setup
start_wsusd || { done_; exit 1; }
matrix ApiRemoting30 ClientWebService DssAuthWebService ServerSyncWebService SimpleAuthWebService

# Virtual-root level: any path under a Require-SSL root is 403 on HTTP, as IIS.
expect_status "HTTP unknown file under ClientWebService is 403" 403 "$HTTP/ClientWebService/other.aspx"
expect_status "HTTPS unknown file under ClientWebService is 404" 404 "$HTTPS/ClientWebService/other.aspx"
# Case-insensitive paths and collapsed slashes (a downstream WSUS sends //).
code=$(post "$HTTPS//DssAuthWebService/DssAuthWebService.asmx")
[ "$code" = 500 ] && ok "//DssAuthWebService routed ($code)" || fail "//DssAuthWebService: $code"
code=$(post "$HTTPS/clientwebservice/CLIENT.ASMX")
[ "$code" = 500 ] && ok "case-insensitive path ($code)" || fail "case-insensitive path: $code"
expect_status "unknown path 404" 404 "$HTTPS/nothing/here"
expect_status "root 404" 404 "$HTTP/"
expect_status "GET .asmx without ?wsdl is 405" 405 "$HTTPS/ClientWebService/client.asmx"
expect_status "PUT .asmx is 405" 405 -X PUT "$HTTPS/ClientWebService/client.asmx"
expect_status "POST to content is 405" 405 -d x "$HTTP/Content/00/0000000000000000000000000000000000000000.cab"
allow=$("${CURL[@]}" -D - -o /dev/null "$HTTPS/SimpleAuthWebService/SimpleAuth.asmx" | tr -d '\r' | grep -i '^Allow:')
[ "$allow" = "Allow: POST" ] && ok "405 carries Allow: POST" || fail "405 Allow header: '$allow'"

# ?wsdl: each service's WSDL with soap:address at the advertised URL.
for s in $SERVICES; do
	code=$("${CURL[@]}" -o "$T/wsdl" -w '%{http_code}' "$HTTPS/$s?wsdl")
	if [ "${s%%/*}" = ApiRemoting30 ]; then   # its WSDL too is behind the admin gate
		[ "$code" = 401 ] && ok "?wsdl $s: 401 before authentication" || fail "?wsdl $s: $code, want 401"
		continue
	fi
	n=$(grep -o "location=\"https://$FQDN:$HTTPS_PORT/[^\"]*\"" "$T/wsdl" | sort -u)
	if [ "$code" = 200 ] && [ "$(echo "$n" | wc -l)" = 1 ] &&
	   python3 -c 'import sys,xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$T/wsdl"; then
		ok "?wsdl $s: 200, well-formed, address $n"
	else fail "?wsdl $s: $code, addresses: $n"; fi
done
expect_status "?wsdl over HTTP for a Require-SSL service is 403" 403 "$HTTP/ClientWebService/client.asmx?wsdl"
expect_status "?WSDL over HTTP for Reporting is 200" 200 "$HTTP/ReportingWebService/ReportingWebService.asmx?WSDL"
stop_wsusd

# A changed list: only ClientWebService and ReportingWebService require SSL.
write_conf "ClientWebService ReportingWebService"
start_wsusd || { done_; exit 1; }
grep -q "Require SSL: ClientWebService ReportingWebService" "$T/wsusd.log" &&
	ok "start-up log names the Require SSL list" || fail "Require SSL log line"
matrix ClientWebService ReportingWebService
stop_wsusd

# An empty list: everything on both ports.
write_conf ""
start_wsusd || { done_; exit 1; }
matrix
stop_wsusd
done_
