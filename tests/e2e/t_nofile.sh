#!/bin/bash
# Out of file descriptors.  (A) Under `prlimit --nofile=64` the daemon
# sizes its connection slots to fit (one start-up line), shortens the
# handshake deadline once more than half the TLS slots are taken, and a
# flood of connections to both ports neither spins the CPU nor floods the
# log; a normal request works once the flood is gone.  (B) With the limit
# lowered under a running daemon (sized for more), accept(2) fails with
# EMFILE: the listener backs off and the line is rate-limited.
. tests/e2e/lib.sh
setup
TCK=$(getconf CLK_TCK)
FLOOD=300          # connections per port
CPU_MAX_MS=1000    # server CPU allowed over the 3 s window (a spin costs ~6000)
LOG_MAX_BYTES=4096 # log growth allowed over the 3 s window

cpu_ms() { awk -v t="$TCK" '{ print int(($14 + $15) * 1000 / t) }' "/proc/$WSUSD_PID/stat"; }
log_bytes() { stat -c %s "$T/wsusd.log"; }

# flood.py PORT COUNT: open COUNT TCP connections and hold them until
# stdin closes; prints "open N" once connected.
cat >"$T/flood.py" <<'PY'
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
socks = []
for _ in range(n):
    s = socket.socket()
    s.settimeout(5)
    try:
        s.connect(("127.0.0.1", port))
    except OSError:
        s.close(); continue
    socks.append(s)
print("open %d" % len(socks), flush=True)
sys.stdin.read()
PY

# measure WHAT: CPU and log growth over 3 s while the flood holds.
measure() {
	local c0 l0 c1 l1
	c0=$(cpu_ms); l0=$(log_bytes); sleep 3; c1=$(cpu_ms); l1=$(log_bytes)
	echo "# $1: server CPU $((c1 - c0)) ms, log +$((l1 - l0)) bytes over 3 s"
	[ $((c1 - c0)) -le $CPU_MAX_MS ] && ok "$1: CPU $((c1 - c0)) ms in 3 s" ||
		fail "$1: CPU $((c1 - c0)) ms in 3 s (max $CPU_MAX_MS)"
	[ $((l1 - l0)) -le $LOG_MAX_BYTES ] && ok "$1: log +$((l1 - l0)) bytes in 3 s" ||
		fail "$1: log +$((l1 - l0)) bytes in 3 s (max $LOG_MAX_BYTES)"
}

# flood_start / flood_stop: hold FLOOD connections to both ports.
flood_start() {
	exec 7> >(/usr/bin/python3 "$T/flood.py" "$HTTPS_PORT" $FLOOD >"$T/flood1.out")
	exec 8> >(/usr/bin/python3 "$T/flood.py" "$HTTP_PORT" $FLOOD >"$T/flood2.out")
	for _ in $(seq 1 100); do [ -s "$T/flood1.out" ] && [ -s "$T/flood2.out" ] && break; sleep 0.1; done
	echo "# flood: HTTPS $(cat "$T/flood1.out"), HTTP $(cat "$T/flood2.out")"
}
flood_stop() { exec 7>&- 8>&-; sleep 1; }

# --- (A) started under RLIMIT_NOFILE 64 ------------------------------------
WSUSD_WRAP="prlimit --nofile=64" start_wsusd || { done_; exit 1; }
line=$(grep "Connection slots:" "$T/wsusd.log" | tail -1)
echo "# ${line#*info: }"
[ -n "$line" ] && ok "start-up logs the connection sizing" || fail "no sizing line in the log"
TLS_SLOTS=$(sed -n 's/.*Connection slots: \([0-9]*\) TLS x \([0-9]*\) fds + \([0-9]*\) HTTP x \([0-9]*\) fds + \([0-9]*\) reserved.*/\1/p' <<<"$line")
SUM=$(sed -n 's/.* = \([0-9]*\) of RLIMIT_NOFILE 64 .*/\1/p' <<<"$line")
[ -n "$SUM" ] && [ "$SUM" -le 64 ] && ok "slots fit RLIMIT_NOFILE 64 ($SUM)" || fail "sizing does not fit 64: '$SUM'"

# More than half the TLS slots taken: a new handshake gets 2 s, not 10.
if [ -n "$TLS_SLOTS" ]; then
	hold=$((TLS_SLOTS / 2 + 1))
	exec 6> >(/usr/bin/python3 "$T/flood.py" "$HTTPS_PORT" $((hold - 1)) >"$T/hold.out")
	sleep 0.5
	r=$(/usr/bin/python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.settimeout(12); t0 = time.monotonic()
try:
    s.recv(1)
except OSError:
    pass
print("%.1f" % (time.monotonic() - t0))' "$HTTPS_PORT")
	exec 6>&-
	awk -v r="$r" 'BEGIN { exit !(r >= 1 && r <= 5) }' && ok "handshake deadline under load: closed after $r s (of $TLS_SLOTS slots, $hold taken)" ||
		fail "handshake deadline under load: $r s (want about 2 s; $hold of $TLS_SLOTS slots taken)"
	sleep 1
else
	fail "TLS slots unknown: handshake deadline under load not tested"
fi

flood_start
measure "flood under nofile=64"
flood_stop
expect_status "HTTPS works again after the flood" 404 "$HTTPS/"
expect_status "HTTP works again after the flood" 404 "$HTTP/"
alive && ok "daemon alive" || fail "daemon died"
stop_wsusd

# --- (B) the limit lowered under a running daemon: EMFILE -----------------
start_wsusd || { done_; exit 1; }
n=$(ls "/proc/$WSUSD_PID/fd" | wc -l)
prlimit --pid "$WSUSD_PID" --nofile=$((n + 12)):$(ulimit -Hn)
echo "# RLIMIT_NOFILE lowered to $((n + 12)) ($n open)"
# The HTTPS listener only: libmicrohttpd's plain listener has its own
# EMFILE handling (it suspends accept while it has connections).
exec 7> >(/usr/bin/python3 "$T/flood.py" "$HTTPS_PORT" $FLOOD >"$T/flood1.out")
for _ in $(seq 1 100); do [ -s "$T/flood1.out" ] && break; sleep 0.1; done
echo "# flood: HTTPS $(cat "$T/flood1.out")"
measure "EMFILE"
grep -q "HTTPS accept: Too many open files.*not accepting for" "$T/wsusd.log" &&
	ok "EMFILE logged with the back-off" || fail "no back-off line for EMFILE"
lines=$(grep -c "accept" "$T/wsusd.log")
[ "$lines" -le 3 ] && ok "accept errors logged $lines times" || fail "accept errors logged $lines times"
flood_stop
prlimit --pid "$WSUSD_PID" --nofile=4096:$(ulimit -Hn)
expect_status "HTTPS works again after EMFILE" 404 "$HTTPS/"
expect_status "HTTP works again after EMFILE" 404 "$HTTP/"
alive && ok "daemon alive" || fail "daemon died"
done_
