#!/bin/bash
# Every TLS relay state has a deadline: a client that reads 100 bytes of a
# large /Content file over HTTPS and then stops reading is closed by the
# server within the write-stall deadline (LIMIT_RELAY_WRITE_STALL_S, 30 s);
# a TCP connection that never starts its handshake within the handshake
# deadline (LIMIT_HANDSHAKE_TIMEOUT_S, 10 s).  Both are fixed limits, so
# this scenario takes about 45 s.
. tests/e2e/lib.sh
setup
STALL_S=30 HANDSHAKE_S=10 SLACK_S=8
mkdir -p "$T/data/content"
head -c $((32 << 20)) /dev/urandom >"$T/payload"
SHA1=$(sha1sum "$T/payload" | cut -c1-40 | tr a-f A-F)
XX=${SHA1:38:2}
mkdir -p "$T/data/content/$XX"
mv "$T/payload" "$T/data/content/$XX/$SHA1.cab"
start_wsusd || { done_; exit 1; }

# The stalled reader: a small receive buffer, read 100 bytes, then sleep.
# It prints its local port once it has the 100 bytes.
cat >"$T/stall.py" <<'PY'
import socket, ssl, sys, time
port, ca, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", port))
ctx = ssl.create_default_context(cafile=ca)
t = ctx.wrap_socket(s, server_hostname="wsus.test")
t.sendall(("GET %s HTTP/1.1\r\nHost: wsus.test\r\n\r\n" % path).encode())
got = b""
while len(got) < 100:
    b = t.recv(100 - len(got))
    if not b:
        print("EOF before 100 bytes", flush=True); sys.exit(1)
    got += b
print(t.getsockname()[1], flush=True)
time.sleep(600)
PY
/usr/bin/python3 "$T/stall.py" "$HTTPS_PORT" "$T/pki/ca.crt" "/Content/$XX/$SHA1.cab" >"$T/stall.out" 2>&1 &
STALL_PID=$!
for _ in $(seq 1 100); do [ -s "$T/stall.out" ] && break; sleep 0.1; done
CPORT=$(head -1 "$T/stall.out")
if [[ "$CPORT" =~ ^[0-9]+$ ]]; then ok "stalled client read 100 bytes (local port $CPORT)"; else
	fail "stalled client: $(cat "$T/stall.out")"; done_; exit 1; fi

# server_side_open PORT: is the daemon's end of the connection from PORT
# still ESTABLISHED?
server_side_open() {
	[ -n "$(ss -Htn state established "( sport = :$HTTPS_PORT and dport = :$1 )")" ]
}
check "the server holds the stalled connection at first" server_side_open "$CPORT"
start=$(date +%s) closed=
while [ $(( $(date +%s) - start )) -le $((STALL_S + SLACK_S)) ]; do
	if ! server_side_open "$CPORT"; then closed=$(( $(date +%s) - start )); break; fi
	sleep 1
done
if [ -n "$closed" ]; then ok "stalled TLS connection closed by the server after ${closed} s (deadline ${STALL_S} s)"
else fail "stalled TLS connection still ESTABLISHED after $((STALL_S + SLACK_S)) s"; fi
kill "$STALL_PID" 2>/dev/null; wait "$STALL_PID" 2>/dev/null
grep -q "not reading" "$T/wsusd.log" && ok "the close is logged" || fail "no log line for the stalled close"

# A TCP connection that never sends a ClientHello.
cat >"$T/idle.py" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(int(sys.argv[2]))
t0 = time.monotonic()
try:
    b = s.recv(1)
    print("closed %.1f" % (time.monotonic() - t0))
except socket.timeout:
    print("open %.1f" % (time.monotonic() - t0))
except ConnectionResetError:
    print("closed %.1f" % (time.monotonic() - t0))
PY
r=$(/usr/bin/python3 "$T/idle.py" "$HTTPS_PORT" $((HANDSHAKE_S + SLACK_S)))
case $r in
closed*) ok "silent TCP connection closed after ${r#closed } s (handshake deadline ${HANDSHAKE_S} s)" ;;
*) fail "silent TCP connection: $r after $((HANDSHAKE_S + SLACK_S)) s" ;;
esac
secs=${r#* }; secs=${secs%.*}
[ "${secs:-99}" -ge $((HANDSHAKE_S - 2)) ] && ok "... not before the deadline (${secs} s)" || fail "closed too early: $r"
[ "${secs:-99}" -le $((HANDSHAKE_S + 3)) ] && ok "... nor long after it (${secs} s)" || fail "closed after ${secs} s, deadline ${HANDSHAKE_S} s"

alive && ok "daemon alive" || fail "daemon died"
expect_status "a normal request still works" 206 -H 'Range: bytes=0-99' "$HTTPS/Content/$XX/$SHA1.cab"
done_
