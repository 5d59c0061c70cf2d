#!/bin/bash
# bench/run.sh [BUILD] - wsusd side by side with nginx, in one run.
#
# Both servers run on loopback high ports, each pinned to one core
# (taskset -c $BENCH_SERVER_CPU, default 1): wsusd with workers = 1, nginx
# (Debian nginx-light, a config of our own in a temp dir) with
# worker_processes 1.  Every load generator is pinned to the other core
# ($BENCH_CLIENT_CPU, default 0) and runs against wsusd, then against
# nginx, with identical parameters:
#   (a) content over plain HTTP: 1 MiB ranged GETs of a 100 MiB file over
#       keep-alive (wrk + bench/wrk.lua, and the large-buffer client
#       bench/bulkget.c), and whole-file GETs of it (bulkget);
#   (b) HTTPS keep-alive: SimpleAuth ?wsdl from wsusd against the same
#       bytes as a static file in nginx, TLS 1.2 ECDHE-ECDSA-AES128-GCM,
#       the same P-256 certificate (wrk);
#   (c) new full handshakes/s and resumed handshakes/s (two
#       `openssl s_time` in parallel, -new then -reuse; resumption is
#       counted from s_time's per-connection 'r' marks);
#   (d) the crypto ceiling: bench/tls_ceiling.c (mbedTLS) and
#       `openssl speed` on the server core.
#   (e) a scan storm (bench/scanstorm.sh + bench/scanstorm.c, wsusd alone):
#       MS-WUSP first scans and delta scans by many simulated clients
#       against a 5,000-update synthetic catalogue, latency per operation,
#       server CPU per scan, a profile of the server, the cost of
#       log_level = info; targets >= 50 first and >= 1,000 delta scans/s.
#       Knobs: BENCH_STORM_CLIENTS (200), BENCH_STORM_SECONDS (10).
#   (f) console queries at scale (bench/console.sh + bench/console_load.c):
#       p95 of five ApiRemoting30 queries on a 20,000-computer, 2-million-
#       status estate, idle and beside a scan storm, and the scan rate with
#       and without the console.  Knobs: BENCH_CONSOLE_* (see the script).
# Server CPU per request = utime+stime delta of the server process(es)
# from /proc/PID/stat / completed requests (independent of the client,
# which shares the machine).  Prints a table (wsusd, nginx, wsusd/nginx,
# target) and writes it to bench/results-latest.txt.  Exit status is 0
# whatever the figures: this is a measurement, not a test.
#
# Each test runs BENCH_ROUNDS (default 2) times per server, alternating
# the servers, for BENCH_SECONDS (default 8) per server in all.  Other
# knobs: BENCH_SERVER_CPU, BENCH_CLIENT_CPU, BENCH_HTTPS_CONNS (default
# 32), BENCH_RANGE_CONNS (4), BENCH_QUIET_WAIT (s, default 60: how long in
# all to wait for other processes on the machine to quiet down).
set -u
set -o pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
BUILD=${1:-build}
DUR=${BENCH_SECONDS:-8}
SCPU=${BENCH_SERVER_CPU:-1}
CCPU=${BENCH_CLIENT_CPU:-0}
HTTPS_CONNS=${BENCH_HTTPS_CONNS:-32}
RANGE_CONNS=${BENCH_RANGE_CONNS:-4}
ROUNDS=${BENCH_ROUNDS:-2}
RDUR=$((DUR / ROUNDS)); [ "$RDUR" -ge 1 ] || RDUR=1
FILE_BYTES=$((100 * 1048576))
RANGE_BYTES=1048576
FQDN=wsus.test
SUITE=ECDHE-ECDSA-AES128-GCM-SHA256
RESULTS=bench/results-latest.txt

WSUSD_PID= NGINX_PID= T= CHILD=
cleanup() {
	trap - EXIT INT TERM
	# the load generator running now, and the s_time processes it started
	[ -n "$CHILD" ] && kill "$CHILD" 2>/dev/null
	[ -n "$T" ] && [ -s "$T/client.pids" ] && kill $(cat "$T/client.pids") 2>/dev/null
	if [ -n "$WSUSD_PID" ]; then
		kill "$WSUSD_PID" 2>/dev/null && wait "$WSUSD_PID" 2>/dev/null
	fi
	if [ -n "$NGINX_PID" ]; then
		kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
	fi
	[ -n "$T" ] && rm -rf "$T"
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

die() { echo "bench: $*" >&2; exit 1; }
say() { printf '%s\n' "$*" | tee -a "$T/report"; }
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }

for cmd in wrk nginx openssl curl taskset python3 cc awk; do
	command -v "$cmd" >/dev/null 2>&1 || die "$cmd not found (make deps deps-bench)"
done
[ -x "$BUILD/wsusd" ] || die "$BUILD/wsusd not built (make)"
NCPU=$(getconf _NPROCESSORS_ONLN)
[ "$SCPU" -lt "$NCPU" ] && [ "$CCPU" -lt "$NCPU" ] ||
	die "need CPUs $SCPU and $CCPU, have $NCPU"
HZ=$(getconf CLK_TCK)

T=$(mktemp -d "${TMPDIR:-/tmp}/wsusd-bench.XXXXXX") || die "mktemp"
: >"$T/report"
CLIENT=(taskset -c "$CCPU")
SERVER=(taskset -c "$SCPU")

# --- helpers -----------------------------------------------------------------
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# ticks PID...: utime+stime of the processes, in clock ticks.
ticks() {
	local sum=0 s f
	for p in "$@"; do
		s=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		s=${s##*) }
		read -r -a f <<<"$s"
		sum=$((sum + f[11] + f[12]))
	done
	echo "$sum"
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
now() { date +%s.%N; }

# all_ticks: "PID TICKS" for every process on the machine.
all_ticks() {
	cat /proc/[0-9]*/stat 2>/dev/null |
		awk '{ pid = $1; sub(/.*\) /, ""); print pid, $12 + $13 }'
}

# measure "PIDS" CMD...: run CMD (which pins itself) with output in
# $T/out; sets M_WALL (s), M_CPU (server CPU seconds) and M_OTHER (CPU
# seconds used meanwhile by processes that are neither the server nor the
# load generator: other work on the machine that skews the figures).
# other_cpu TICKS0 TICKS1 "PIDS": CPU seconds used between the two
# snapshots by processes present in both, other than PIDS and this script.
other_cpu() {
	awk -v skip=" $3 $$ " -v hz="$HZ" '
		NR == FNR { t[$1] = $2; next }
		($1 in t) && index(skip, " " $1 " ") == 0 { d += $2 - t[$1] }
		END { printf "%.2f", d / hz }' "$1" "$2"
}

# wait_quiet: wait (out of a budget of QUIET_BUDGET s for the whole run)
# until other processes use less than 10% of a core over half a second.
QUIET_BUDGET=${BENCH_QUIET_WAIT:-60}
wait_quiet() {
	local o
	while [ "$QUIET_BUDGET" -gt 0 ]; do
		all_ticks >"$T/q0"; sleep 0.5; all_ticks >"$T/q1"
		o=$(other_cpu "$T/q0" "$T/q1" "")
		awk -v o="$o" 'BEGIN { exit !(o < 0.05) }' && return 0
		[ -z "${QUIET_SAID-}" ] && { echo "bench: waiting for other processes to quiet down" >&2; QUIET_SAID=1; }
		sleep 0.5
		QUIET_BUDGET=$((QUIET_BUDGET - 1))
	done
	return 1
}

# measure "PIDS" CMD...: run CMD (which pins itself) with output in
# $T/out; sets M_WALL (s), M_CPU (server CPU seconds) and M_OTHER (CPU
# seconds used meanwhile by processes that are neither the server nor the
# load generator: other work on the machine that skews the figures).  A
# test during which others used more than 10% of a core is run once more
# (after waiting for quiet) while the wait budget lasts.
measure() {
	local pids=$1 t0 w0 pct attempt; shift
	for attempt in 1 2; do
		wait_quiet
		all_ticks >"$T/ticks0"
		t0=$(ticks $pids); w0=$(now)
		# In the background so that Ctrl-C interrupts `wait` and runs the
		# trap (bash skips it when a foreground child handles SIGINT itself).
		"$@" >"$T/out" 2>&1 &
		CHILD=$!
		wait "$CHILD"
		CHILD=
		M_WALL=$(calc "$(now) - $w0" 3)
		M_CPU=$(calc "($(ticks $pids) - $t0) / $HZ" 3)
		all_ticks >"$T/ticks1"
		M_OTHER=$(other_cpu "$T/ticks0" "$T/ticks1" "$pids")
		pct=$(calc "100 * $M_OTHER / $M_WALL" 0)
		[ "$pct" -le 10 ] || [ "$attempt" = 2 ] || [ "$QUIET_BUDGET" -le 0 ] && break
		echo "bench:   other processes used $pct% of a core meanwhile: once more" >&2
	done
	[ "${OTHER[$MTAG]:--1}" -lt "$pct" ] && OTHER[$MTAG]=$pct
	[ "$pct" -gt "$OTHER_MAX" ] && OTHER_MAX=$pct
	return 0
}
declare -A OTHER
OTHER_MAX=0 MTAG=

# kv KEY FILE: value of KEY=value on the WRKRESULT/BULK line.
kv() { grep -Eo "(^| )$1=[0-9.]+" "$2" | tail -1 | cut -d= -f2; }

# Result store: R[server.metric].
declare -A R

# --- set-up: certificate, content, configs ----------------------------------
echo "bench: building helpers"
mkdir -p "$BUILD/bench"
cc -O2 -Wall -o "$BUILD/bench/tls_ceiling" bench/tls_ceiling.c \
	-lmbedtls -lmbedx509 -lmbedcrypto || die "cannot build bench/tls_ceiling.c"
cc -O2 -Wall -pthread -o "$BUILD/bench/bulkget" bench/bulkget.c ||
	die "cannot build bench/bulkget.c"

echo "bench: P-256 CA and server certificate"
mkdir -p "$T/pki"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$T/pki/ca.key" -out "$T/pki/ca.crt" -days 365 -subj "/CN=wsusd bench CA" \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign \
	2>/dev/null || die "openssl CA"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$T/pki/server.key" -out "$T/pki/server.csr" -subj "/CN=$FQDN" 2>/dev/null ||
	die "openssl key"
printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=digitalSignature" \
	"extendedKeyUsage=serverAuth" "subjectAltName=DNS:$FQDN,DNS:localhost,IP:127.0.0.1" \
	>"$T/pki/server.ext"
openssl x509 -req -in "$T/pki/server.csr" -CA "$T/pki/ca.crt" -CAkey "$T/pki/ca.key" \
	-CAcreateserial -days 365 -extfile "$T/pki/server.ext" -out "$T/pki/server.crt" \
	2>/dev/null || die "openssl sign"
chmod 600 "$T/pki/server.key"

echo "bench: 100 MiB content file"
mkdir -p "$T/data/content"
head -c "$FILE_BYTES" /dev/urandom >"$T/payload" || die "payload"
SHA1=$(sha1sum "$T/payload" | cut -c1-40 | tr a-f A-F)
XX=${SHA1:38:2}
mkdir -p "$T/data/content/$XX"
mv "$T/payload" "$T/data/content/$XX/$SHA1.cab"
CPATH=/Content/$XX/$SHA1.cab
WPATH=/SimpleAuthWebService/SimpleAuth.asmx

W_HTTP=$(free_port); W_HTTPS=$(free_port); N_HTTP=$(free_port); N_HTTPS=$(free_port)
[ "$(printf '%s\n' "$W_HTTP" "$W_HTTPS" "$N_HTTP" "$N_HTTPS" | sort -u | wc -l)" = 4 ] ||
	die "port collision, run again"

cat >"$T/wsusd.conf" <<CONF
[server]
fqdn = $FQDN
bind = 127.0.0.1
http_port = $W_HTTP
https_port = $W_HTTPS
data_dir = data
log_level = warning
workers = 1
[tls]
cert = pki/server.crt
key = pki/server.key
[ssl]
require = ApiRemoting30 ClientWebService DssAuthWebService ServerSyncWebService SimpleAuthWebService
CONF

CURL=(curl -s --max-time 20 --cacert "$T/pki/ca.crt"
      --resolve "$FQDN:$W_HTTP:127.0.0.1" --resolve "$FQDN:$W_HTTPS:127.0.0.1"
      --resolve "$FQDN:$N_HTTP:127.0.0.1" --resolve "$FQDN:$N_HTTPS:127.0.0.1")

# --- start wsusd ---------------------------------------------------------------
echo "bench: starting wsusd (workers = 1, CPU $SCPU)"
"${SERVER[@]}" "$TOP/$BUILD/wsusd" -c "$T/wsusd.conf" >"$T/wsusd.log" 2>&1 &
WSUSD_PID=$!
for _ in $(seq 1 100); do
	"${CURL[@]}" -o /dev/null "http://$FQDN:$W_HTTP/" &&
		"${CURL[@]}" -o /dev/null "https://$FQDN:$W_HTTPS/" && break
	kill -0 "$WSUSD_PID" 2>/dev/null || { cat "$T/wsusd.log" >&2; die "wsusd did not start"; }
	sleep 0.1
done

# The fixed WSDL, saved for nginx under the same path.
mkdir -p "$T/www${WPATH%/*}"
"${CURL[@]}" -D "$T/wsdl.h" -o "$T/www$WPATH" "https://$FQDN:$W_HTTPS$WPATH?wsdl" ||
	die "cannot fetch the WSDL from wsusd"
WSDL_STATUS=$(head -1 "$T/wsdl.h" | cut -d' ' -f2)
WSDL_CT=$(tr -d '\r' <"$T/wsdl.h" | grep -i '^Content-Type:' | head -1 | cut -d' ' -f2-)
WSDL_BYTES=$(stat -c %s "$T/www$WPATH")
[ "$WSDL_STATUS" = 200 ] && [ "$WSDL_BYTES" -gt 0 ] ||
	die "wsusd ?wsdl answered $WSDL_STATUS with $WSDL_BYTES bytes"

# --- start nginx ----------------------------------------------------------------
mkdir -p "$T/nginx/tmp"
cat >"$T/nginx/nginx.conf" <<CONF
# nginx-light equivalent of the wsusd set-up (generated by bench/run.sh)
user $(id -un) $(id -gn);
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $T/nginx/tmp/body;
    proxy_temp_path $T/nginx/tmp/proxy;
    fastcgi_temp_path $T/nginx/tmp/fastcgi;
    uwsgi_temp_path $T/nginx/tmp/uwsgi;
    scgi_temp_path $T/nginx/tmp/scgi;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 120s;
    keepalive_requests 1000000;
    types { }
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:$N_HTTP;
        location /Content/ { alias $T/data/content/; }
    }
    server {
        listen 127.0.0.1:$N_HTTPS ssl;
        ssl_certificate $T/pki/server.crt;
        ssl_certificate_key $T/pki/server.key;
        ssl_protocols TLSv1.2;
        ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384;
        ssl_prefer_server_ciphers on;
        ssl_ecdh_curve X25519:prime256v1:secp384r1;
        ssl_session_cache shared:SSL:10m;
        ssl_session_timeout 1d;
        ssl_session_tickets on;
        root $T/www;
        # a static file: the query string (?wsdl) is ignored
        location = $WPATH { default_type "$WSDL_CT"; }
    }
}
CONF
echo "bench: starting nginx (worker_processes 1, CPU $SCPU)"
"${SERVER[@]}" nginx -p "$T/nginx" -e "$T/nginx/error.log" -c "$T/nginx/nginx.conf" \
	-g 'daemon off;' >"$T/nginx/stdout" 2>&1 &
NGINX_PID=$!
NGINX_WORKER=
for _ in $(seq 1 100); do
	if "${CURL[@]}" -o /dev/null "http://$FQDN:$N_HTTP$CPATH" -r 0-0 &&
	    "${CURL[@]}" -o /dev/null "https://$FQDN:$N_HTTPS$WPATH"; then
		NGINX_WORKER=$(cat "/proc/$NGINX_PID/task/$NGINX_PID/children" 2>/dev/null ||
			pgrep -P "$NGINX_PID")
		NGINX_WORKER=${NGINX_WORKER%% *}
		NGINX_WORKER=${NGINX_WORKER//[^0-9]/}
		break
	fi
	kill -0 "$NGINX_PID" 2>/dev/null || { cat "$T/nginx/error.log" >&2; die "nginx did not start"; }
	sleep 0.1
done
[ -n "$NGINX_WORKER" ] || die "nginx did not start (no worker)"
# Server CPU is counted over master + worker for nginx (the master idles).
declare -A PIDS=([wsusd]="$WSUSD_PID" [nginx]="$NGINX_PID $NGINX_WORKER")
declare -A HTTPP=([wsusd]="$W_HTTP" [nginx]="$N_HTTP")
declare -A HTTPSP=([wsusd]="$W_HTTPS" [nginx]="$N_HTTPS")

# --- sanity: same bytes, same TLS parameters, keep-alive ------------------------
"${CURL[@]}" -o "$T/wsdl.nginx" "https://$FQDN:$N_HTTPS$WPATH?wsdl"
cmp -s "$T/wsdl.nginx" "$T/www$WPATH" || die "nginx does not serve the WSDL bytes"
declare -A TLSDESC
for s in wsusd nginx; do
	openssl s_client -connect "127.0.0.1:${HTTPSP[$s]}" -servername "$FQDN" -tls1_2 \
		</dev/null >"$T/sclient.$s" 2>&1
	suite=$(grep -Eo 'Cipher is [A-Z0-9-]+' "$T/sclient.$s" | head -1 | cut -d' ' -f3)
	group=$(grep -E '^Server Temp Key:' "$T/sclient.$s" | cut -d: -f2- | cut -d, -f1 | tr -d ' ')
	TLSDESC[$s]="$suite, ECDHE $group"
	[ "$suite" = "$SUITE" ] || echo "bench: WARNING: $s negotiated '$suite', not $SUITE" >&2
	ka=$("${CURL[@]}" -v -o /dev/null -o /dev/null "https://$FQDN:${HTTPSP[$s]}$WPATH?wsdl" \
		"https://$FQDN:${HTTPSP[$s]}$WPATH?wsdl" 2>&1 | grep -ci 're-using existing connection')
	[ "$ka" -ge 1 ] || echo "bench: WARNING: $s did not keep the HTTPS connection alive" >&2
	ka=$("${CURL[@]}" -v -o /dev/null -o /dev/null -r 0-1023 "http://$FQDN:${HTTPP[$s]}$CPATH" \
		"http://$FQDN:${HTTPP[$s]}$CPATH" 2>&1 | grep -ci 're-using existing connection')
	[ "$ka" -ge 1 ] || echo "bench: WARNING: $s did not keep the HTTP connection alive" >&2
done
GROUP=${TLSDESC[wsusd]##* }

# --- the tests ---------------------------------------------------------------------
# Each test runs ROUNDS times per server for DUR/ROUNDS s, alternating
# the servers (wsusd, nginx, nginx, wsusd, ...) so that drift on the
# machine hits both alike; counts and CPU add up over the rounds.
declare -A A L
acc() { A[$1]=$(calc "${A[$1]:-0} + ${2:-0}" 6); }
accmax() { A[$1]=$(awk -v a="${A[$1]:-0}" -v b="${2:-0}" 'BEGIN { print (b > a) ? b : a }'); }

# (a) 1 MiB ranged GETs with wrk (8 KiB reads: can be the limit).
t_rng() {
	MTAG=a-wrk.$1
	measure "${PIDS[$1]}" env WRK_RANGE=$RANGE_BYTES WRK_FILESIZE=$FILE_BYTES \
		"${CLIENT[@]}" wrk -t1 -c"$RANGE_CONNS" -d"${RDUR}s" -s bench/wrk.lua \
		"http://127.0.0.1:${HTTPP[$1]}$CPATH"
	acc "$1.rng.n" "$(kv requests "$T/out")"; acc "$1.rng.s" "$(calc "$(kv duration_us "$T/out") / 1e6" 6)"
	L[$1.rng]+="$(calc "$(kv requests "$T/out") / ($(kv duration_us "$T/out") / 1e6)" 0) "
	acc "$1.rng.b" "$(kv bytes "$T/out")"
	acc "$1.rng.bad" "$(( $(kv connect "$T/out") + $(kv read "$T/out") + $(kv write "$T/out") +
		$(kv timeout "$T/out") + $(kv status "$T/out") ))"
}
# (a) 1 MiB ranged GETs with bulkget (4 MiB reads).
t_brng() {
	MTAG=a-bulk.$1
	measure "${PIDS[$1]}" "${CLIENT[@]}" "$BUILD/bench/bulkget" -c "$RANGE_CONNS" -t "$RDUR" \
		-r $RANGE_BYTES -s $FILE_BYTES "${HTTPP[$1]}" "$CPATH"
	acc "$1.brng.n" "$(kv requests "$T/out")"; acc "$1.brng.s" "$(kv seconds "$T/out")"
	L[$1.brng]+="$(calc "$(kv req_s "$T/out")" 0) "
	acc "$1.brng.b" "$(kv bytes "$T/out")"
	acc "$1.brng.bad" "$(( $(kv errors "$T/out") + $(kv non2xx "$T/out") ))"
}
# (a) 100 MiB whole-file GETs, one after the other on one keep-alive connection.
t_whole() {
	MTAG=a-whole.$1
	measure "${PIDS[$1]}" "${CLIENT[@]}" "$BUILD/bench/bulkget" -c 1 -t "$RDUR" \
		"${HTTPP[$1]}" "$CPATH"
	acc "$1.whole.n" "$(kv requests "$T/out")"; acc "$1.whole.s" "$(kv seconds "$T/out")"
	L[$1.whole]+="$(calc "$(kv mib_s "$T/out")" 0) "
	acc "$1.whole.b" "$(kv bytes "$T/out")"; accmax "$1.whole.best" "$(kv best_mib_s "$T/out")"
	acc "$1.whole.bad" "$(( $(kv errors "$T/out") + $(kv non2xx "$T/out") ))"
}
# (b) HTTPS keep-alive ?wsdl with wrk.
t_ka() {
	MTAG=b.$1
	measure "${PIDS[$1]}" "${CLIENT[@]}" wrk -t1 -c"$HTTPS_CONNS" -d"${RDUR}s" -s bench/wrk.lua \
		-H 'Connection: keep-alive' "https://127.0.0.1:${HTTPSP[$1]}$WPATH?wsdl"
	acc "$1.ka.n" "$(kv requests "$T/out")"; acc "$1.ka.s" "$(calc "$(kv duration_us "$T/out") / 1e6" 6)"
	L[$1.ka]+="$(calc "$(kv requests "$T/out") / ($(kv duration_us "$T/out") / 1e6)" 0) "
	acc "$1.ka.b" "$(kv bytes "$T/out")"
	acc "$1.ka.bad" "$(( $(kv connect "$T/out") + $(kv read "$T/out") + $(kv write "$T/out") +
		$(kv timeout "$T/out") + $(kv status "$T/out") ))"
}
# (c) handshakes: two openssl s_time in parallel (-new or -reuse).
stime() {   # stime PORT MODE
	local i pids=()
	for i in 1 2; do
		"${CLIENT[@]}" openssl s_time -connect "127.0.0.1:$1" "-$2" -time "$RDUR" \
			-tls1_2 -cipher "$SUITE" >"$T/st.$i" 2>&1 &
		pids+=($!)
	done
	echo "${pids[*]}" >"$T/client.pids"
	wait "${pids[@]}"   # not the servers
	: >"$T/client.pids"
}
# conns_in FILE: connections s_time counted ("N connections in T real seconds").
conns_in() { grep -Eo '^[0-9]+ connections in [0-9.]+ real' "$1" | tail -1 | cut -d' ' -f1; }
# marks FILE CHARS: how many connections s_time marked with one of CHARS
# ('r' = session reused, '*' = new session).
marks() { grep -v 'connections' "$1" | tr -cd "$2" | wc -c; }
t_hs() {   # t_hs SERVER MODE
	MTAG=c-$2.$1
	measure "${PIDS[$1]}" stime "${HTTPSP[$1]}" "$2"
	acc "$1.$2.n" "$(( $(conns_in "$T/st.1" || echo 0) + $(conns_in "$T/st.2" || echo 0) ))"
	L[$1.$2]+="$(calc "($(conns_in "$T/st.1" || echo 0) + $(conns_in "$T/st.2" || echo 0)) / $M_WALL" 0) "
	acc "$1.$2.r" "$(( $(marks "$T/st.1" r) + $(marks "$T/st.2" r) ))"
	acc "$1.$2.tot" "$(( $(marks "$T/st.1" 'r*') + $(marks "$T/st.2" 'r*') ))"
}

# run TEST [ARGS]: ROUNDS rounds, servers alternating, CPU and wall added up.
run() {
	local t=$1 r s order; shift
	for r in $(seq 1 "$ROUNDS"); do
		if [ $((r % 2)) = 1 ]; then order="wsusd nginx"; else order="nginx wsusd"; fi
		for s in $order; do
			"t_$t" "$s" "$@"
			acc "$s.${KEY:-$t}.cpu" "$M_CPU"; acc "$s.${KEY:-$t}.wall" "$M_WALL"
		done
	done
}

echo "bench: (a) 1 MiB ranged GETs, wrk -t1 -c$RANGE_CONNS, $ROUNDS x ${RDUR}s per server"
KEY= run rng
echo "bench: (a) 1 MiB ranged GETs, bulkget -c$RANGE_CONNS (4 MiB buffers), $ROUNDS x ${RDUR}s per server"
KEY= run brng
echo "bench: (a) 100 MiB whole-file GETs, bulkget -c1 (one keep-alive connection), $ROUNDS x ${RDUR}s per server"
KEY= run whole
echo "bench: (b) HTTPS keep-alive ?wsdl, wrk -t1 -c$HTTPS_CONNS, $ROUNDS x ${RDUR}s per server"
KEY= run ka
echo "bench: (c) full handshakes, 2 x openssl s_time -new, $ROUNDS x ${RDUR}s per server"
KEY=new run hs new
echo "bench: (c) resumed handshakes, 2 x openssl s_time -reuse, $ROUNDS x ${RDUR}s per server"
KEY=reuse run hs reuse

# Figures from the sums.
for s in wsusd nginx; do
	for k in rng brng whole ka; do
		n=${A[$s.$k.n]:-0}; [ "$(calc "$n" 0)" -gt 0 ] || n=1
		R[$s.${k}_rps]=$(calc "$n / ${A[$s.$k.s]}" 1)
		R[$s.${k}_mibs]=$(calc "${A[$s.$k.b]} / 1048576 / ${A[$s.$k.s]}" 1)
		R[$s.${k}_us]=$(calc "${A[$s.$k.cpu]} * 1e6 / $n" 1)
		R[$s.${k}_busy]=$(calc "100 * ${A[$s.$k.cpu]} / ${A[$s.$k.wall]}" 0)
		R[$s.${k}_bad]=$(calc "${A[$s.$k.bad]}" 0)
	done
	R[$s.ka_rps]=$(calc "${R[$s.ka_rps]}" 0)
	R[$s.ka_cap]=$(calc "1e6 / ${R[$s.ka_us]}" 0)
	R[$s.whole_best]=$(calc "${A[$s.whole.best]}" 1)
	R[$s.whole_ms]=$(calc "${R[$s.whole_us]} / 1000" 1)
	R[$s.whole_n]=$(calc "${A[$s.whole.n]}" 0)
	for mode in new reuse; do
		n=${A[$s.$mode.n]:-0}; [ "$(calc "$n" 0)" -gt 0 ] || { echo "bench: WARNING: s_time made no connection to $s" >&2; n=1; }
		R[$s.hs_$mode]=$(calc "$n / ${A[$s.$mode.wall]}" 0)
		R[$s.hs_${mode}_us]=$(calc "${A[$s.$mode.cpu]} * 1e6 / $n" 0)
		R[$s.hs_${mode}_busy]=$(calc "100 * ${A[$s.$mode.cpu]} / ${A[$s.$mode.wall]}" 0)
		R[$s.hs_${mode}_cap]=$(calc "$n / (${A[$s.$mode.cpu]} > 0 ? ${A[$s.$mode.cpu]} : 1)" 0)
		R[$s.hs_${mode}_reused]=$(calc "100 * ${A[$s.$mode.r]:-0} / (${A[$s.$mode.tot]:-0} > 0 ? ${A[$s.$mode.tot]} : 1)" 1)
	done
done

# RSS after the runs.
R[wsusd.rss]=$(rss_kb "$WSUSD_PID")
R[nginx.rss]=$(( $(rss_kb "$NGINX_WORKER") + $(rss_kb "$NGINX_PID") ))
R[nginx.rss_w]=$(rss_kb "$NGINX_WORKER")

# --- (d) crypto ceilings on the server core --------------------------------------------
echo "bench: (d) mbedTLS ceiling (bench/tls_ceiling.c, CPU $SCPU)"
MTAG=d-ceiling
measure "" "${SERVER[@]}" "$BUILD/bench/tls_ceiling" 2.5
cp "$T/out" "$T/ceiling"
grep -q '^CEILING ' "$T/ceiling" || { cat "$T/ceiling" >&2; die "tls_ceiling failed"; }
echo "bench: (d) openssl speed -seconds 2 ecdsap256 ecdhp256 ecdhx25519 (CPU $SCPU)"
MTAG=d-speed
measure "" "${SERVER[@]}" openssl speed -seconds 2 ecdsap256 ecdhp256 ecdhx25519
grep -v '^[+]' "$T/out" >"$T/speed"
C_X=$(kv hs_x25519 "$T/ceiling"); C_P=$(kv hs_p256 "$T/ceiling")
case $GROUP in
	X25519) CEIL=$C_X ;;
	*) CEIL=$C_P ;;
esac

# --- report -------------------------------------------------------------------------
verdict() {   # verdict VALUE TARGET: PASS when VALUE >= TARGET
	awk -v v="$1" -v t="$2" 'BEGIN { print (v + 0 >= t + 0) ? "PASS" : "BELOW" }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
FMT='%-52s %11s %11s %7s  %s\n'
row() {   # row LABEL KEY [TARGET]: wsusd, nginx, ratio (and verdict vs TARGET)
	local a=${R[wsusd.$2]} b=${R[nginx.$2]} q t=""
	q=$(ratio "$a" "$b")
	[ -n "${3-}" ] && t="target >= $3x: $(verdict "$q" "$3")"
	printf "$FMT" "$1" "$a" "$b" "$q" "$t" | tee -a "$T/report"
}
note_row() { printf "$FMT" "$1" "$2" "$3" "$(ratio "$2" "$3")" "${4-}" | tee -a "$T/report"; }

say ""
say "wsusd vs nginx — $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -m), $NCPU CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'))"
say "wsusd $("$BUILD/wsusd" -V | cut -d' ' -f2) (workers = 1, mbedTLS $(grep -m1 '^mbedTLS' "$T/ceiling" | cut -d' ' -f2 | tr -d ,)); $(nginx -v 2>&1 | cut -d: -f2 | sed 's/^ //') (worker_processes 1); $(openssl version | cut -d' ' -f1-2)"
say "servers on CPU $SCPU, load generators on CPU $CCPU; each test $ROUNDS x ${RDUR} s per server, servers alternating"
say "TLS: wsusd ${TLSDESC[wsusd]}; nginx ${TLSDESC[nginx]}; same P-256 certificate"
say "server CPU = utime+stime from /proc/PID/stat (nginx: master + worker) / completed requests"
say ""
printf "$FMT" "" "wsusd" "nginx" "w/n" "" | tee -a "$T/report"
say "(a) content over plain HTTP, 100 MiB file, keep-alive"
row "  1 MiB ranged GETs, wrk -c$RANGE_CONNS: req/s" rng_rps 0.95
row "  1 MiB ranged GETs, wrk -c$RANGE_CONNS: MiB/s" rng_mibs 0.95
row "  1 MiB ranged GETs, wrk: server CPU us/req" rng_us
row "  1 MiB ranged GETs, wrk: server CPU busy %" rng_busy
row "  1 MiB ranged GETs, bulkget -c$RANGE_CONNS: req/s" brng_rps 0.95
row "  1 MiB ranged GETs, bulkget -c$RANGE_CONNS: MiB/s" brng_mibs 0.95
row "  1 MiB ranged GETs, bulkget: server CPU us/req" brng_us
row "  1 MiB ranged GETs, bulkget: server CPU busy %" brng_busy
row "  100 MiB whole GETs, bulkget -c1: MiB/s" whole_mibs 0.95
row "  100 MiB whole GETs: completed" whole_n
row "  100 MiB whole GET: best single GET MiB/s" whole_best
row "  100 MiB whole GET: server CPU ms/GET" whole_ms
row "  100 MiB whole GET: server CPU busy %" whole_busy
say "(b) HTTPS keep-alive, $WSDL_BYTES-byte ?wsdl, TLS 1.2 $SUITE"
row "  wrk -t1 -c$HTTPS_CONNS: req/s" ka_rps 0.8
row "  server CPU us/req" ka_us
row "  server CPU busy %" ka_busy
row "  req/s per server core (1e6 / CPU us)" ka_cap 0.8
say "(c) TLS 1.2 handshakes, 2 x openssl s_time in parallel, no HTTP request"
row "  full (-new) handshakes/s" hs_new
row "  full: server CPU us/handshake" hs_new_us
row "  full: server CPU busy %" hs_new_busy
row "  full: handshakes/s per server core" hs_new_cap
row "  resumed (-reuse) handshakes/s" hs_reuse 0.8
row "  resumed: server CPU us/handshake" hs_reuse_us
row "  resumed: server CPU busy %" hs_reuse_busy
row "  resumed: handshakes/s per server core" hs_reuse_cap 0.8
row "  resumed: % of connections s_time marked reused" hs_reuse_reused
say "(d) crypto ceiling, one core (CPU $SCPU)"
printf "$FMT" "" "wsusd" "ceiling" "w/c" "" | tee -a "$T/report"
frac=$(ratio "${R[wsusd.hs_new]}" "$CEIL")
printf "$FMT" "  full handshakes/s, measured ($GROUP)" "${R[wsusd.hs_new]}" "$(calc "$CEIL" 0)" "$frac" \
	"bounded by the ceiling, >= 0.8x of it: $(verdict "$frac" 0.8)" | tee -a "$T/report"
frac=$(ratio "${R[wsusd.hs_new_cap]}" "$CEIL")
printf "$FMT" "  full handshakes/s per server core" "${R[wsusd.hs_new_cap]}" "$(calc "$CEIL" 0)" "$frac" \
	"bounded by the ceiling, >= 0.8x of it: $(verdict "$frac" 0.8)" | tee -a "$T/report"
printf "$FMT" "  server CPU us/full handshake vs ceiling's crypto" "${R[wsusd.hs_new_us]}" "$(calc "1e6 / $CEIL" 0)" \
	"$(ratio "${R[wsusd.hs_new_us]}" "$(calc "1e6 / $CEIL" 0)")" "(crypto = 1 sign + 1 ECDHE)" | tee -a "$T/report"
say "RSS after the runs (VmRSS, KiB)"
note_row "  wsusd process / nginx master + worker" "${R[wsusd.rss]}" "${R[nginx.rss]}" "(nginx worker alone ${R[nginx.rss_w]})"
say ""
grep -v '^CEILING' "$T/ceiling" | tee -a "$T/report"
say "OpenSSL ($(openssl version | cut -d' ' -f2)) openssl speed -seconds 2, same core (ecdh = derive only, no keygen):"
grep -E 'ecdsa \(nistp256\)|ecdh \(nistp256\)|ecdh \(X25519\)|sign/s|op/s' "$T/speed" | sed 's/^/  /' | tee -a "$T/report"

# Anything that makes a figure suspect.
warn=0
for s in wsusd nginx; do
	for k in rng_bad brng_bad whole_bad ka_bad; do
		if [ "${R[$s.$k]:-0}" != 0 ]; then
			say "WARNING: $s $k = ${R[$s.$k]} (see wrk/bulkget output)"; warn=1
		fi
	done
	awk -v r="${R[$s.hs_reuse_reused]}" 'BEGIN { exit !(r < 90) }' &&
		{ say "WARNING: only ${R[$s.hs_reuse_reused]}% of $s -reuse connections resumed"; warn=1; }
done
[ -s "$T/nginx/error.log" ] && grep -q '\[\(emerg\|alert\|crit\|error\)\]' "$T/nginx/error.log" &&
	{ say "nginx error log:"; sed 's/^/  /' "$T/nginx/error.log" | tail -5 | tee -a "$T/report"; }
grep -qE 'error|warning' "$T/wsusd.log" &&
	{ say "wsusd log (warnings/errors):"; grep -E 'error|warning' "$T/wsusd.log" | tail -5 | sed 's/^/  /' | tee -a "$T/report"; }
say "CPU used by other processes during each test (worst round, % of one core):"
say "  $(for k in a-wrk a-bulk a-whole b c-new c-reuse; do printf '%s %s/%s  ' "$k" "${OTHER[$k.wsusd]:-?}" "${OTHER[$k.nginx]:-?}"; done)d-ceiling ${OTHER[d-ceiling]:-?}  d-speed ${OTHER[d-speed]:-?}"
say "per round (wsusd rounds | nginx rounds): ranged wrk req/s ${L[wsusd.rng]}| ${L[nginx.rng]}; ranged bulkget req/s ${L[wsusd.brng]}| ${L[nginx.brng]}"
say "  whole MiB/s ${L[wsusd.whole]}| ${L[nginx.whole]}; HTTPS req/s ${L[wsusd.ka]}| ${L[nginx.ka]}; full hs/s ${L[wsusd.new]}| ${L[nginx.new]}; resumed hs/s ${L[wsusd.reuse]}| ${L[nginx.reuse]}"
[ "$OTHER_MAX" -gt 5 ] &&
	say "WARNING: the machine was not quiet (up to $OTHER_MAX% of a core used by other processes): figures are skewed"
say "ratios are wsusd/nginx (for CPU us/req and RSS lower is better); 'per server core' = completed"
say "requests / server CPU seconds, the rate the server would reach at 100% of its core (the load"
say "generator may be the limit before that: see 'busy %'); exit status is 0 either way"

# --- (e) scan storm: its own wsusd on a synthetic catalogue, same certificate ---------
echo "bench: (e) scan storm (bench/scanstorm.sh: first scans, delta scans, profile, log_level = info)"
BENCH_QUIET_WAIT=$QUIET_BUDGET BENCH_SERVER_CPU=$SCPU BENCH_CLIENT_CPU=$CCPU \
	"$TOP/bench/scanstorm.sh" "$BUILD" "$T/pki" | tee -a "$T/report" ||
	say "WARNING: bench/scanstorm.sh failed (see its messages above)"
# --- (f) console queries at scale: its own wsusd on a 20,000-computer estate -----------
echo "bench: (f) console queries at scale (bench/console.sh: ~2 million status rows, scan storm beside)"
BENCH_SERVER_CPU=$SCPU BENCH_CLIENT_CPU=$CCPU "$TOP/bench/console.sh" "$BUILD" | tee -a "$T/report" ||
	say "WARNING: bench/console.sh failed (see its messages above)"
cp "$T/report" "$RESULTS" && echo "bench: results written to $RESULTS"
exit 0
