# lib.sh - shared by the end-to-end scenarios (sourced).
#
# Each scenario gets a scratch directory, a test CA and server certificate
# made with the openssl CLI at test time, free loopback ports, and the real
# wsusd started from $BUILD.  check/expect_* print TAP-like lines; done_
# prints the "N passed, N failed" line tests/run.sh adds up.
set -u
BUILD=${BUILD:-build}
TOP=$(pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/wsusd-e2e.XXXXXX")
FQDN=wsus.test
PASS=0 FAIL=0 WSUSD_PID=
trap 'cleanup' EXIT

cleanup() {
	[ -n "$WSUSD_PID" ] && kill "$WSUSD_PID" 2>/dev/null && wait "$WSUSD_PID" 2>/dev/null
	[ "$FAIL" = 0 ] && rm -rf "$T" || echo "# scratch kept in $T"
}
ok()   { PASS=$((PASS + 1)); echo "ok - $*"; }
fail() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }
# done_: stop the daemon (so LeakSanitizer reports), fail on any sanitizer
# report in its log, print the result line.
done_() {
	stop_wsusd
	if [ -f "$T/wsusd.log" ] && grep -q "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$T/wsusd.log"; then
		fail "sanitizer report in wsusd.log"; grep -A20 "Sanitizer\|runtime error" "$T/wsusd.log" | head -40
	fi
	echo "$(basename "$0"): $PASS passed, $FAIL failed"; [ "$FAIL" = 0 ]
}
# tap: count "ok - X" / "not ok - X" lines a helper program prints.
tap() {
	local l
	while IFS= read -r l; do
		case $l in
		"ok - "*) ok "${l#ok - }" ;;
		"not ok - "*) fail "${l#not ok - }" ;;
		*) echo "# $l" ;;
		esac
	done
}
# run_tap CMD...: run a helper program, count its ok/not ok lines, and
# fail if it exits non-zero.
run_tap() {
	local st
	"$@" >"$T/tap.out" 2>&1; st=$?
	tap <"$T/tap.out"
	[ $st = 0 ] || fail "$(basename "$1") exited with status $st"
}
check() { local d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else fail "$d"; fi; }

# free_port: a TCP port free on 127.0.0.1 and on [::] (the daemon may
# listen dual-stack, and t_ipv6.sh binds IPv6 addresses).
free_port() {
	/usr/bin/python3 -c '
import socket
for _ in range(100):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]
    try:
        s6 = socket.socket(socket.AF_INET6); s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s6.bind(("::", p)); s6.close()
    except OSError:
        s.close(); continue
    print(p); break'
}

# make_ca DIR: a P-256 test CA (ca.crt, ca.key).
make_ca() {
	mkdir -p "$1"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1/ca.key" -out "$1/ca.crt" -days 30 -subj "/CN=wsusd test CA" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign \
		2>/dev/null
}

# make_cert DIR NAME CN EKU SANS...: NAME.crt/NAME.key signed by DIR/ca.
make_cert() {
	local dir=$1 name=$2 cn=$3 eku=$4; shift 4
	local san="" s
	for s in "$@"; do san="${san:+$san,}$s"; done
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "/CN=$cn" 2>/dev/null
	{
		echo "basicConstraints=CA:FALSE"
		echo "keyUsage=digitalSignature"
		[ -n "$eku" ] && echo "extendedKeyUsage=$eku"
		[ -n "$san" ] && echo "subjectAltName=$san"
	} >"$dir/$name.ext"
	openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
		-CAcreateserial -days 30 -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null
	chmod 600 "$dir/$name.key"
}

# write_conf [REQUIRE]: $T/wsusd.conf for the test ports and certificate.
# TARGETING=client|server adds [server] targeting (unset: the default,
# server-side); RETENTION_WS / RETENTION_SRV the event retention days.
write_conf() {
	local require=${1-ApiRemoting30 ClientWebService DssAuthWebService ServerSyncWebService SimpleAuthWebService}
	cat >"$T/wsusd.conf" <<CONF
[server]
fqdn = $FQDN
bind = ${BIND-127.0.0.1}
http_port = $HTTP_PORT
https_port = $HTTPS_PORT
data_dir = data
log_level = ${LOG_LEVEL:-info}
workers = ${WORKERS:-2}
cookie_lifetime = ${COOKIE_LIFETIME:-3600}
${TARGETING:+targeting = $TARGETING}
${RETENTION_WS:+event_retention_workstation_days = $RETENTION_WS}
${RETENTION_SRV:+event_retention_server_days = $RETENTION_SRV}
[tls]
cert = pki/server.crt
key = pki/server.key
[ssl]
require = $require
CONF
}

# setup [REQUIRE]: CA, certificate, ports, config.
setup() {
	HTTP_PORT=$(free_port); HTTPS_PORT=$(free_port)
	while [ "$HTTPS_PORT" = "$HTTP_PORT" ]; do HTTPS_PORT=$(free_port); done
	make_ca "$T/pki"
	make_cert "$T/pki" server "$FQDN" serverAuth "DNS:$FQDN" "DNS:wsus" "DNS:localhost"
	write_conf "$@"
	HTTP="http://$FQDN:$HTTP_PORT"
	HTTPS="https://$FQDN:$HTTPS_PORT"
	CURL=(curl -s --max-time 20 --resolve "$FQDN:$HTTP_PORT:127.0.0.1"
	      --resolve "$FQDN:$HTTPS_PORT:127.0.0.1" --cacert "$T/pki/ca.crt")
}

# start_wsusd: run the daemon, wait until both ports answer.
start_wsusd() {
	# WSUSD_WRAP: a command that execs the daemon (e.g. prlimit --nofile=64).
	${WSUSD_WRAP:-} "$TOP/$BUILD/wsusd" -c "$T/wsusd.conf" "$@" >>"$T/wsusd.log" 2>&1 &
	WSUSD_PID=$!
	for _ in $(seq 1 100); do
		if "${CURL[@]}" -o /dev/null "$HTTP/" && "${CURL[@]}" -o /dev/null "$HTTPS/"; then
			return 0
		fi
		kill -0 "$WSUSD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "# wsusd did not start:"; sed 's/^/#   /' "$T/wsusd.log"
	fail "wsusd starts"; return 1
}

stop_wsusd() {
	[ -n "$WSUSD_PID" ] && kill "$WSUSD_PID" 2>/dev/null && wait "$WSUSD_PID" 2>/dev/null
	WSUSD_PID=
	return 0
}

# status ARGS...: the HTTP status curl gets (000 on connection failure).
status() { "${CURL[@]}" -o /dev/null -w '%{http_code}' "$@"; }

# expect_status DESC CODE CURL-ARGS...
expect_status() {
	local d=$1 want=$2 got; shift 2
	got=$(status "$@")
	if [ "$got" = "$want" ]; then ok "$d ($got)"; else fail "$d: got $got, want $want"; fi
}

alive() { kill -0 "$WSUSD_PID" 2>/dev/null; }
