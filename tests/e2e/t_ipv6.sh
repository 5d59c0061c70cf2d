#!/bin/bash
# IPv6: the daemon listens dual-stack on [::] when bind is empty, and the
# per-address connection limit (LIMIT_CONNECTIONS_PER_IP, 512) counts an
# IPv6 /64 as one address on both listeners: 4 addresses of one /64 with
# 130 connections each (520) get 512 in, while each /128 alone is under
# the limit.  Needs root to add the addresses to lo (we are, in CI).
. tests/e2e/lib.sh
PER_ADDR=130 NADDR=4 LIMIT=512
PFX="fd77:7e1a:$(printf '%x' $((RANDOM % 65535 + 1)))::"
ADDED=()
trap 'for a in "${ADDED[@]}"; do ip -6 addr del "$a/128" dev lo 2>/dev/null; done; cleanup' EXIT
for i in $(seq 1 $NADDR); do
	if ip -6 addr add "$PFX$i/128" dev lo nodad 2>"$T/ip.err"; then ADDED+=("$PFX$i"); else
		fail "cannot add $PFX$i to lo: $(cat "$T/ip.err")"; done_; exit 1; fi
done
ok "added $NADDR addresses of ${PFX}/64 to lo"
BIND= setup
start_wsusd || { done_; exit 1; }

ss -Hltn "( sport = :$HTTPS_PORT )" | grep -q '\[::\]:\|\*:' && ok "HTTPS listens on [::] (dual stack)" || fail "HTTPS not on [::]: $(ss -Hltn "( sport = :$HTTPS_PORT )")"
ss -Hltn "( sport = :$HTTP_PORT )" | grep -q '\[::\]:\|\*:' && ok "HTTP listens on [::] (dual stack)" || fail "HTTP not on [::]"
/usr/bin/python3 - "$HTTPS_PORT" "$T/pki/ca.crt" >"$T/v6.out" 2>&1 <<'PY'
import socket, ssl, sys
s = socket.create_connection(("::1", int(sys.argv[1])), timeout=10)
t = ssl.create_default_context(cafile=sys.argv[2]).wrap_socket(s, server_hostname="wsus.test")
t.sendall(b"GET /Content/ HTTP/1.1\r\nHost: wsus.test\r\nConnection: close\r\n\r\n")
print(t.recv(100).split(b"\r\n")[0].decode())
PY
grep -q "HTTP/1.1 404" "$T/v6.out" && ok "HTTPS over ::1: $(cat "$T/v6.out")" || fail "HTTPS over ::1: $(cat "$T/v6.out")"
expect_status "IPv4 still served on the dual-stack socket" 404 "$HTTP/"

# many.py PORT PFX NADDR PER: PER connections from each address; after
# 2 s, print how many the server kept open, then hold them until stdin
# closes.
cat >"$T/many.py" <<'PY'
import socket, sys, time
port, pfx, naddr, per = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
socks = []
for i in range(1, naddr + 1):
    for _ in range(per):
        s = socket.socket(socket.AF_INET6)
        s.bind((pfx + str(i), 0))
        s.settimeout(5)
        try:
            s.connect(("::1", port))
        except OSError:
            s.close(); continue
        socks.append(s)
time.sleep(2)
open_ = 0
for s in socks:
    s.setblocking(False)
    try:
        b = s.recv(1, socket.MSG_PEEK)
        if b:
            open_ += 1       # data: still open
    except BlockingIOError:
        open_ += 1
    except OSError:
        pass
print("connected %d open %d" % (len(socks), open_), flush=True)
sys.stdin.read()
PY
for port in "$HTTPS_PORT" "$HTTP_PORT"; do
	name=HTTPS; [ "$port" = "$HTTP_PORT" ] && name=HTTP
	exec 7> >(/usr/bin/python3 "$T/many.py" "$port" "$PFX" $NADDR $PER_ADDR >"$T/many.out" 2>&1)
	for _ in $(seq 1 300); do [ -s "$T/many.out" ] && break; sleep 0.1; done
	r=$(cat "$T/many.out"); echo "# $name: $r"
	open=$(sed -n 's/.*open \([0-9]*\).*/\1/p' <<<"$r")
	# The plain listener's accept policy runs on each of its threads: racing
	# accepts may pass the limit by one per thread (server/http.c), never more.
	slack=0; [ $name = HTTP ] && slack=$(( ${WORKERS:-2} - 1 ))
	[ "${open:-0}" -ge $LIMIT ] && [ "${open:-0}" -le $((LIMIT + slack)) ] && ok "$name: $((NADDR * PER_ADDR)) connections from $NADDR addresses of one /64: $open kept (limit $LIMIT per /64)" ||
		fail "$name: $r (want $LIMIT kept, +$slack for racing accepts: the /64 is one address)"
	expect_status "$name: an IPv4 client is still served meanwhile" 404 "$([ $name = HTTPS ] && echo "$HTTPS" || echo "$HTTP")/"
	exec 7>&-
	sleep 1
done
grep -q "refused: per-address connection limit reached" "$T/wsusd.log" && ok "refusal logged with the /64" || fail "no refusal line"
grep "refused: per-address" "$T/wsusd.log" | head -1 | sed 's/^/# /'
alive && ok "daemon alive" || fail "daemon died"
done_
