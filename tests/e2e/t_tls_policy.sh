#!/bin/bash
# TLS policy of the HTTPS listener (mbedTLS): TLS 1.2 only, ECDHE + AEAD
# suites only, no CertificateRequest, session resumption, and bad input on
# the TLS port closing only that connection.
. tests/e2e/lib.sh
setup
start_wsusd || { done_; exit 1; }

sclient() { timeout 10 openssl s_client -connect "127.0.0.1:$HTTPS_PORT" -servername "$FQDN" \
	-CAfile "$T/pki/ca.crt" "$@" </dev/null 2>&1; }

out=$(sclient -tls1_2)
echo "$out" | grep -q "Verify return code: 0 (ok)" && ok "TLS 1.2 handshake, chain verifies" || fail "TLS 1.2 handshake"
echo "$out" | grep -q "Protocol *: TLSv1.2" && ok "protocol is TLSv1.2" || fail "protocol: $(echo "$out" | grep Protocol)"
echo "$out" | grep -q "No client certificate CA names sent" && ok "no client certificate CA names" || fail "client CA names sent"
trace=$(sclient -tls1_2 -msg)
if echo "$trace" | grep -q "CertificateRequest"; then fail "server sent a CertificateRequest"
else ok "no CertificateRequest in the handshake"; fi

for v in tls1 tls1_1; do
	out=$(sclient -$v -cipher 'DEFAULT@SECLEVEL=0')
	if echo "$out" | grep -q "Cipher is (NONE)\|no protocols available\|alert\|errno\|handshake failure\|wrong version"; then
		ok "-$v refused"
	else fail "-$v accepted: $(echo "$out" | grep -m1 'Protocol')"; fi
done
out=$(sclient -tls1_3)
echo "$out" | grep -q "Protocol *: TLSv1.3" && fail "TLS 1.3 negotiated (mbedTLS 2.28 has none)" || ok "TLS 1.3-only client refused"

for c in ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305; do
	out=$(sclient -tls1_2 -cipher "$c")
	echo "$out" | grep -q "Cipher is $c" && ok "suite $c negotiates" || fail "suite $c"
done
for c in ECDHE-ECDSA-AES128-SHA256 ECDHE-ECDSA-AES256-SHA AES128-GCM-SHA256 AES256-SHA DHE-RSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES128-CCM; do
	out=$(sclient -tls1_2 -cipher "$c:@SECLEVEL=0")
	echo "$out" | grep -q "Cipher is $c" && fail "suite $c negotiated" || ok "suite $c refused"
done
# Server preference: offered in the client's order CHACHA first, server picks AES-128-GCM.
out=$(sclient -tls1_2 -cipher 'ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256')
echo "$out" | grep -q "Cipher is ECDHE-ECDSA-AES128-GCM-SHA256" && ok "server cipher preference" || fail "server preference: $(echo "$out" | grep 'Cipher is')"

# Resumption: session cache (no ticket) and ticket.
sclient -tls1_2 -sess_out "$T/sess" -no_ticket >/dev/null
out=$(sclient -tls1_2 -sess_in "$T/sess" -no_ticket)
echo "$out" | grep -q "^Reused, " && ok "session-id resumption (cache)" || fail "session-id resumption"
sclient -tls1_2 -sess_out "$T/tsess" >/dev/null
out=$(sclient -tls1_2 -sess_in "$T/tsess")
echo "$out" | grep -q "^Reused, " && ok "session-ticket resumption" || fail "ticket resumption"
echo "$out" | grep -q "TLS session ticket lifetime hint" && ok "ticket issued" || fail "no ticket"

# Garbage, plain HTTP and a half handshake on the TLS port: only that connection closes.
printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' | timeout 5 python3 -c '
import socket,sys
s=socket.create_connection(("127.0.0.1",int(sys.argv[1])))
try:
  s.sendall(sys.stdin.buffer.read()); s.settimeout(5); d=s.recv(100)
  print("closed" if d==b"" or d[:1]==b"\x15" else "data")
except ConnectionResetError: print("closed")' "$HTTPS_PORT" >"$T/plain" 2>&1
grep -q closed "$T/plain" && ok "plain HTTP on the TLS port: connection closed" || fail "plain HTTP on TLS port: $(cat "$T/plain")"
head -c 4096 /dev/urandom | timeout 5 python3 -c '
import socket,sys
s=socket.create_connection(("127.0.0.1",int(sys.argv[1])))
try:
  s.sendall(sys.stdin.buffer.read()); s.settimeout(5); d=s.recv(100)
  print("closed" if d==b"" or d[:1]==b"\x15" else "data")
except ConnectionResetError: print("closed")' "$HTTPS_PORT" >"$T/garbage" 2>&1
grep -q closed "$T/garbage" && ok "garbage on the TLS port: connection closed" || fail "garbage: $(cat "$T/garbage")"
alive && ok "server alive after bad input" || fail "server died"
expect_status "next HTTPS client served" 404 "$HTTPS/"
done_
