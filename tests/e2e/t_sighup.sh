#!/bin/bash
# SIGHUP reloads certificate and key while clients keep working: no failed
# request during rotation, established connections survive, a bad new
# certificate keeps the old one.
. tests/e2e/lib.sh
setup
start_wsusd || { done_; exit 1; }
fp() { openssl s_client -connect "127.0.0.1:$HTTPS_PORT" -servername "$FQDN" </dev/null 2>/dev/null |
	openssl x509 -noout -fingerprint -sha256 | cut -d= -f2; }
FP1=$(fp)
[ "$FP1" = "$(openssl x509 -in "$T/pki/server.crt" -noout -fingerprint -sha256 | cut -d= -f2)" ] &&
	ok "serving the configured certificate" || fail "fingerprint $FP1"

# A client loop: new connections and one long keep-alive connection.
python3 - "$HTTPS_PORT" "$T/pki/ca.crt" "$FQDN" "$T/stop" >"$T/loop.out" 2>&1 <<'PY' &
import http.client, os, ssl, sys, time
port, ca, name, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
keep = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
keep._context.check_hostname = False
ctx2 = ssl.create_default_context(cafile=ca); ctx2.check_hostname = False
keep = http.client.HTTPSConnection("127.0.0.1", port, context=ctx2, timeout=10)
ok = bad = 0
while not os.path.exists(stop):
    for c in (keep, http.client.HTTPSConnection("127.0.0.1", port, context=ctx2, timeout=10)):
        try:
            c.request("GET", "/SimpleAuthWebService/SimpleAuth.asmx?wsdl")
            r = c.getresponse(); r.read()
            ok += r.status == 200; bad += r.status != 200
        except Exception as e:
            bad += 1; print("error", repr(e), flush=True)
    time.sleep(0.01)
print("requests", ok, "failed", bad, "keepalive-sock", keep.sock is not None, flush=True)
PY
LOOP=$!
sleep 1
make_cert "$T/pki" next "$FQDN" serverAuth "DNS:$FQDN"
cp "$T/pki/next.key" "$T/pki/server.key.new"; chmod 600 "$T/pki/server.key.new"
cp "$T/pki/next.crt" "$T/pki/server.crt.new"
mv "$T/pki/server.key.new" "$T/pki/server.key"; mv "$T/pki/server.crt.new" "$T/pki/server.crt"
kill -HUP "$WSUSD_PID"
sleep 1
FP2=$(fp)
[ -n "$FP2" ] && [ "$FP2" != "$FP1" ] && ok "new certificate served after SIGHUP" || fail "after SIGHUP: $FP2"
grep -q "TLS certificate reloaded" "$T/wsusd.log" && ok "reload logged" || fail "no reload log line"

# A broken certificate: the old one stays.
echo "garbage" >"$T/pki/server.crt"
kill -HUP "$WSUSD_PID"; sleep 0.5
grep -q "TLS certificate reload failed; keeping the current certificate" "$T/wsusd.log" &&
	ok "bad certificate refused, logged" || fail "bad certificate not logged"
[ "$(fp)" = "$FP2" ] && ok "previous certificate still served" || fail "certificate changed after a bad reload"
# A key readable by others: refused too.
cp "$T/pki/next.crt" "$T/pki/server.crt"; chmod 644 "$T/pki/server.key"
kill -HUP "$WSUSD_PID"; sleep 0.5
grep -q "readable by group or others" "$T/wsusd.log" && ok "world-readable key refused on reload" || fail "key mode not checked"
chmod 600 "$T/pki/server.key"
sleep 1; touch "$T/stop"; wait $LOOP
res=$(grep '^requests' "$T/loop.out")
n=$(echo "$res" | awk '{print $2}'); f=$(echo "$res" | awk '{print $4}')
[ -n "$n" ] && [ "$n" -gt 50 ] && [ "$f" = 0 ] && ok "client loop: $n requests, none failed, across 3 reloads" ||
	fail "client loop: $(cat "$T/loop.out")"
alive && ok "daemon alive" || fail "daemon died"
done_
