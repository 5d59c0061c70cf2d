#!/bin/bash
# HTTP framing (RFC 9112 6.3): two different Content-Length values, or
# Content-Length together with Transfer-Encoding, are answered 400 and the
# connection closed, on the plain HTTP listener and on the TLS one, so a
# request hidden in the body is never read; one length, the same length
# twice and chunked alone are served on a connection that stays open.
. tests/e2e/lib.sh
# ClientWebService on both ports, so that the same POST is tried on each.
setup "ApiRemoting30 DssAuthWebService ServerSyncWebService"
start_wsusd || { done_; exit 1; }
run_tap /usr/bin/python3 "$TOP/tests/tools/framing.py" "$HTTP_PORT" "$HTTPS_PORT" "$T/pki/ca.crt" "$FQDN"
grep -q "smuggled" "$T/wsusd.log" && fail "a hidden request reached the log" || ok "no hidden request was served"
alive && ok "daemon alive" || fail "daemon died"
done_
