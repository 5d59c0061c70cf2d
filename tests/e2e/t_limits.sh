#!/bin/bash
# Limits and bad input: body and header caps, unknown paths, and 2,000
# idle TLS connections held open while a new client is still served.
. tests/e2e/lib.sh
setup
start_wsusd || { done_; exit 1; }
SA='SOAPAction: "http://www.microsoft.com/SoftwareDistribution/ReportEventBatch"'
REP="$HTTPS/ReportingWebService/ReportingWebService.asmx"

# Body over the cap (4 MiB): declared length refused before it is read.
head -c $((4 * 1024 * 1024 + 1)) /dev/zero | tr '\0' 'a' >"$T/big"
expect_status "body over the cap (Content-Length) is 413" 413 -H "$SA" -H 'Content-Type: text/xml' --data-binary @"$T/big" "$REP"
expect_status "body over the cap (chunked) is 413" 413 -H "$SA" -H 'Content-Type: text/xml' -H 'Transfer-Encoding: chunked' --data-binary @"$T/big" "$REP"
head -c $((4 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$T/atcap"
expect_status "body at the cap is processed (fault, not 413)" 500 -H "$SA" -H 'Content-Type: text/xml' --data-binary @"$T/atcap" "$REP"

# The cap comes from the SOAPAction, before the body is read: 64 KiB for
# the operations before a cookie (and RegisterComputer), an unknown or
# missing SOAPAction; 4 MiB for those that carry one.
CWS="$HTTPS/ClientWebService/client.asmx"
CSA() { echo "SOAPAction: \"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/$1\""; }
head -c $((64 * 1024 + 1)) /dev/zero | tr '\0' 'a' >"$T/pre1"
head -c $((64 * 1024)) /dev/zero | tr '\0' 'a' >"$T/pre0"
expect_status "GetConfig body over 64 KiB (Content-Length) is 413" 413 -H "$(CSA GetConfig)" --data-binary @"$T/pre1" "$CWS"
expect_status "GetConfig body over 64 KiB (chunked) is 413" 413 -H "$(CSA GetConfig)" -H 'Transfer-Encoding: chunked' --data-binary @"$T/pre1" "$CWS"
expect_status "GetConfig body at 64 KiB is processed (fault, not 413)" 500 -H "$(CSA GetConfig)" --data-binary @"$T/pre0" "$CWS"
expect_status "GetAuthorizationCookie body over 64 KiB is 413" 413 -H 'SOAPAction: "http://www.microsoft.com/SoftwareDistribution/Server/SimpleAuthWebService/GetAuthorizationCookie"' \
	--data-binary @"$T/pre1" "$HTTPS/SimpleAuthWebService/SimpleAuth.asmx"
expect_status "RegisterComputer body over 64 KiB is 413" 413 -H "$(CSA RegisterComputer)" --data-binary @"$T/pre1" "$CWS"
expect_status "unknown SOAPAction, body over 64 KiB is 413" 413 -H "$(CSA NoSuchOperation)" --data-binary @"$T/pre1" "$CWS"
expect_status "no SOAPAction, body over 64 KiB is 413" 413 --data-binary @"$T/pre1" "$CWS"
expect_status "SyncUpdates body over 64 KiB is processed (fault, not 413)" 500 -H "$(CSA SyncUpdates)" --data-binary @"$T/pre1" "$CWS"
expect_status "ReportEventBatch over 64 KiB on HTTP is processed (fault, not 413)" 500 -H "$SA" --data-binary @"$T/pre1" "$HTTP/ReportingWebService/ReportingWebService.asmx"

# Headers over the cap.
long=$(head -c 40000 /dev/zero | tr '\0' 'x')
code=$(status -H "X-Long: $long" "$HTTPS/")
case $code in 431|413) ok "header over the cap: $code" ;; *) fail "header over the cap: $code" ;; esac
code=$(status -H "X-Long: $long" "$HTTP/Content/00/x")
case $code in 431|413) ok "header over the cap on HTTP: $code" ;; *) fail "header over the cap on HTTP: $code" ;; esac
expect_status "long SOAPAction is 400" 400 -H "SOAPAction: \"$(head -c 600 /dev/zero | tr '\0' 'a')\"" -d x "$REP"

expect_status "unknown path is 404" 404 "$HTTPS/no/such/thing"
expect_status "unknown path on HTTP is 404" 404 "$HTTP/no/such/thing"
expect_status "percent-encoded traversal is 404" 404 --path-as-is "$HTTP/Content/%2e%2e/%2e%2e/etc/passwd"

# 2,000 idle TLS connections (handshake done, nothing sent) from 16
# loopback source addresses, then a new client.
python3 - "$HTTPS_PORT" "$T/pki/ca.crt" "$FQDN" >"$T/idle.out" 2>&1 <<'PY' &
import resource, socket, ssl, sys, time
resource.setrlimit(resource.RLIMIT_NOFILE, (8192, 8192))
port, ca, name = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
conns = []
for i in range(2000):
    src = "127.0.1.%d" % (1 + i % 16)
    s = socket.create_connection(("127.0.0.1", port), source_address=(src, 0), timeout=20)
    conns.append(ctx.wrap_socket(s, server_hostname=name))
print("open", len(conns), flush=True)
time.sleep(12)
alive = 0
for c in conns:
    c.setblocking(False)
    try:
        c.recv(1); alive += 0
    except ssl.SSLWantReadError:
        alive += 1
    except Exception:
        pass
print("alive", alive, flush=True)
PY
IDLE_PID=$!
for _ in $(seq 1 600); do grep -q '^open' "$T/idle.out" && break; kill -0 $IDLE_PID 2>/dev/null || break; sleep 0.1; done
grep -q '^open 2000' "$T/idle.out" && ok "2,000 idle TLS connections open" || fail "idle connections: $(cat "$T/idle.out")"
expect_status "new HTTPS client served with 2,000 idle" 404 "$HTTPS/"
expect_status "new HTTP client served with 2,000 idle" 404 "$HTTP/"
wait $IDLE_PID
grep -q '^alive 2000' "$T/idle.out" && ok "idle connections still open after 12 s" || fail "idle: $(cat "$T/idle.out")"
alive && ok "server alive" || fail "server died"
done_
