#!/bin/bash
# Error pages: no request byte comes back as markup (the "403.4 SSL
# required" page used to echo the percent-decoded path into text/html),
# routing uses the raw request target, and every error page says
# text/html; charset=... with X-Content-Type-Options: nosniff.
. tests/e2e/lib.sh
setup
start_wsusd || { done_; exit 1; }

# raw.py PORT TLS TARGET [METHOD] [EXTRA-HEADER-LINES]: send the request
# line exactly as given; print the status, then the headers, a blank line
# and the body.
cat >"$T/raw.py" <<'PY'
import socket, ssl, sys
port, tls, target = int(sys.argv[1]), sys.argv[2] == "1", sys.argv[3]
method = sys.argv[4] if len(sys.argv) > 4 else "GET"
extra = sys.argv[5] if len(sys.argv) > 5 else ""
s = socket.create_connection(("127.0.0.1", port), timeout=10)
if tls:
    ctx = ssl.create_default_context(cafile=sys.argv[6] if len(sys.argv) > 6 else None)
    s = ctx.wrap_socket(s, server_hostname="wsus.test")
req = "%s %s HTTP/1.1\r\nHost: wsus.test\r\nConnection: close\r\n%s\r\n" % (method, target, extra)
s.sendall(req.encode("latin-1"))
data = b""
while True:
    try:
        b = s.recv(65536)
    except (ssl.SSLError, ConnectionResetError):
        break
    if not b:
        break
    data += b
sys.stdout.buffer.write(data.replace(b"\r\n", b"\n"))
PY
CA="$T/pki/ca.crt"
raw() { /usr/bin/python3 "$T/raw.py" "$@" >"$T/resp" 2>"$T/resp.err"; }
code() { head -1 "$T/resp" | cut -d' ' -f2; }
hdr() { sed -n '/^$/q;p' "$T/resp" | grep -i "^$1:" | head -1 | cut -d' ' -f2- ; }
body() { sed '1,/^$/d' "$T/resp"; }

# check_page DESC WANT-CODE: the common checks on $T/resp.
check_page() {
	local d=$1 want=$2 ct
	[ "$(code)" = "$want" ] && ok "$d: $want" || fail "$d: status $(code), want $want"
	ct=$(hdr Content-Type)
	case $ct in
	text/html*charset=*) ok "$d: Content-Type '$ct'" ;;
	*) fail "$d: Content-Type '$ct' (no charset)" ;;
	esac
	[ "$(hdr X-Content-Type-Options)" = nosniff ] && ok "$d: nosniff" || fail "$d: no X-Content-Type-Options: nosniff"
	# Past the page's own tags, no '<', '>' or quote may remain.
	if body | sed -E 's#</?(html|head|title|body|h1|p)>##g' | grep -q "[<>\"']"; then
		fail "$d: markup from the request in the body: $(body | head -c 300)"
	else ok "$d: no request markup in the body"; fi
}

raw "$HTTP_PORT" 0 "/ClientWebService/%3Cscript%3Ealert(1)%3C/script%3E"
check_page "percent-encoded <script> under a Require-SSL vroot (plain HTTP)" 404
raw "$HTTP_PORT" 0 "/ClientWebService/<script>alert(1)</script>"
check_page "raw <script> under a Require-SSL vroot (plain HTTP)" 403
body | grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' && ok "the 403.4 page names the path escaped" || fail "403 body: $(body | head -c 300)"
raw "$HTTP_PORT" 0 "/ClientWebService/\"><img/src=x/onerror=alert(1)>"
check_page "raw attribute injection (plain HTTP)" 403
body | grep -q '&quot;&gt;&lt;img' && ok "quotes and angle brackets escaped" || fail "body: $(body | head -c 300)"
raw "$HTTP_PORT" 0 "/SimpleAuthWebService/'onmouseover='alert(1)"
check_page "single quotes (plain HTTP)" 403
raw "$HTTP_PORT" 0 "/ClientWebService/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E?x=1"
check_page "encoded <img> with a query (plain HTTP)" 404

# Routing on the raw target: an encoded letter is not the letter.
raw "$HTTPS_PORT" 1 "/%43lientWebService/client.asmx" GET "" "$CA"
check_page "encoded vroot name over HTTPS is not routed" 404
raw "$HTTPS_PORT" 1 "/ClientWebService/client.asmx" GET "" "$CA"
check_page "GET on an .asmx without ?wsdl (HTTPS)" 405
raw "$HTTPS_PORT" 1 "/nothing/<b>here</b>" GET "" "$CA"
check_page "unknown path with markup (HTTPS)" 404
raw "$HTTPS_PORT" 1 "/ClientWebService/client.asmx" POST "Content-Length: 999999999
Content-Type: text/xml
" "$CA"
check_page "declared body over the cap (HTTPS)" 413
raw "$HTTP_PORT" 0 "/Content/AB/<script>x</script>.cab" PUT "Content-Length: 0
"
check_page "PUT on content (plain HTTP)" 405

# libmicrohttpd's own pages (400 malformed, 414/431 too big) are fixed
# text without Content-Type or nosniff (0.9.75 has no hook to change
# them); they must at least never carry request bytes.
raw "$HTTP_PORT" 0 "/<script>$(head -c 40000 /dev/zero | tr '\0' A)"
case $(code) in 414|431|400) ok "oversized target refused by libmicrohttpd ($(code))" ;; *) fail "oversized target: $(code)" ;; esac
body | grep -q "<script" && fail "libmicrohttpd's page echoes the target" || ok "libmicrohttpd's page echoes nothing"

alive && ok "daemon alive" || fail "daemon died"
done_
