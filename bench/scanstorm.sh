#!/bin/bash
# bench/scanstorm.sh [BUILD [PKI-DIR]] - section (e) of `make bench`: a scan
# storm against wsusd (bench/run.sh calls it; it also runs on its own).
#
# Set-up: a synthetic catalogue (tests/tools/gen_catalog.py, 5,000 updates
# with 64-byte files: 5,511 revisions with categories, detectoids and bundle
# members), imported with `wsusutil import-updates`, the first 1,000 updates
# approved for "All Computers" in one `wsusutil approve` call.  wsusd runs on
# loopback with workers = 1 and log_level = warning, pinned to
# $BENCH_SERVER_CPU (default 1); the load generator bench/scanstorm.c
# (libcurl multi, one easy handle and cookie per simulated client, TLS
# keep-alive, TLS sessions shared, Accept-Encoding: xpress) is pinned to
# $BENCH_CLIENT_CPU (default 0).
#
# Runs:
#   1. the measured run: BENCH_STORM_CLIENTS (200) first scans at once, then
#      delta scans by the same clients for BENCH_STORM_SECONDS (10);
#   2. a profile of the server during delta scans (perf record -e cpu-clock
#      with DWARF call graphs, BENCH_STORM_PROFILE_SECONDS (3) s; perf report
#      self and inclusive tops) and, flat, during first scans; when perf
#      cannot sample here, callgrind on a second server with a few clients;
#   3. the same storm (shorter) with log_level = info, to show the cost of
#      the per-request info lines.
# Figures: scans/s, server CPU per scan (utime+stime from /proc/PID/stat),
# latency p50/p99 per operation, errors (must be 0), VmRSS.  Targets:
# >= 50 first scans/s and >= 1,000 delta scans/s (PASS/BELOW).  The table
# goes to stdout (bench/run.sh appends it to bench/results-latest.txt);
# progress to stderr.  Exit status 0 whatever the figures; 1 only when the
# set-up fails.
set -u
set -o pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
BUILD=${1:-build}
PKI_IN=${2:-}
SCPU=${BENCH_SERVER_CPU:-1}
CCPU=${BENCH_CLIENT_CPU:-0}
CLIENTS=${BENCH_STORM_CLIENTS:-200}
DELTA_S=${BENCH_STORM_SECONDS:-10}
PROF_S=${BENCH_STORM_PROFILE_SECONDS:-3}
UPDATES=${BENCH_STORM_UPDATES:-5000}
APPROVE=${BENCH_STORM_APPROVE:-1000}
QUIET_BUDGET=${BENCH_QUIET_WAIT:-30}
TARGET_FIRST=50
TARGET_DELTA=1000
FQDN=wsus.test

SRV_PID= T=
cleanup() {
	trap - EXIT INT TERM
	stop_server
	[ -n "$T" ] && [ -z "${BENCH_STORM_KEEP-}" ] && rm -rf "$T"
}
trap cleanup EXIT
trap 'echo "scanstorm: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

die() { echo "scanstorm: $*" >&2; exit 1; }
note() { echo "bench: (e) $*" >&2; }
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }
FMT='%-52s %11s %11s %7s  %s\n'

for cmd in cc python3 curl taskset awk; do
	command -v "$cmd" >/dev/null 2>&1 || die "$cmd not found"
done
[ -x "$BUILD/wsusd" ] && [ -x "$BUILD/wsusutil" ] || die "$BUILD/wsusd or wsusutil not built"
HZ=$(getconf CLK_TCK)
T=$(mktemp -d "${TMPDIR:-/tmp}/wsusd-storm.XXXXXX") || die "mktemp"
CLIENT=(taskset -c "$CCPU")
SERVER=(taskset -c "$SCPU")

# --- helpers (as bench/run.sh) ------------------------------------------------
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
all_ticks() {
	cat /proc/[0-9]*/stat 2>/dev/null |
		awk '{ pid = $1; sub(/.*\) /, ""); print pid, $12 + $13 }'
}
# other_cpu T0 T1 "PIDS": CPU s used between two snapshots by others.
other_cpu() {
	awk -v skip=" $3 $$ " -v hz="$HZ" '
		NR == FNR { t[$1] = $2; next }
		($1 in t) && index(skip, " " $1 " ") == 0 { d += $2 - t[$1] }
		END { printf "%.2f", d / hz }' "$1" "$2"
}
wait_quiet() {
	local o
	while [ "$QUIET_BUDGET" -gt 0 ]; do
		all_ticks >"$T/q0"; sleep 0.5; all_ticks >"$T/q1"
		o=$(other_cpu "$T/q0" "$T/q1" "")
		awk -v o="$o" 'BEGIN { exit !(o < 0.05) }' && return 0
		[ -z "${QUIET_SAID-}" ] && { note "waiting for other processes to quiet down"; QUIET_SAID=1; }
		sleep 0.5
		QUIET_BUDGET=$((QUIET_BUDGET - 1))
	done
	return 1
}
# kv KEY FILE: value of KEY=value on a "KV" line of scanstorm's output.
kv() { grep -Eo "(^| )$1=[0-9.-]+" "$2" | tail -1 | cut -d= -f2; }

# --- build, certificate, catalogue ------------------------------------------------
note "building bench/scanstorm.c"
mkdir -p "$BUILD/bench"
cc -O2 -Wall -iquote common -o "$BUILD/bench/scanstorm" \
	bench/scanstorm.c common/xpress.c -lcurl || die "cannot build bench/scanstorm.c"
STORM=("${CLIENT[@]}" "$TOP/$BUILD/bench/scanstorm")

mkdir -p "$T/pki"
if [ -n "$PKI_IN" ] && [ -f "$PKI_IN/ca.crt" ]; then
	cp "$PKI_IN/ca.crt" "$PKI_IN/server.crt" "$PKI_IN/server.key" "$T/pki/" || die "pki"
else
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T/pki/ca.key" -out "$T/pki/ca.crt" -days 30 -subj "/CN=wsusd bench CA" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign \
		2>/dev/null || die "openssl CA"
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T/pki/server.key" -out "$T/pki/server.csr" -subj "/CN=$FQDN" 2>/dev/null ||
		die "openssl key"
	printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=digitalSignature" \
		"extendedKeyUsage=serverAuth" "subjectAltName=DNS:$FQDN,DNS:localhost,IP:127.0.0.1" \
		>"$T/pki/server.ext"
	openssl x509 -req -in "$T/pki/server.csr" -CA "$T/pki/ca.crt" -CAkey "$T/pki/ca.key" \
		-CAcreateserial -days 30 -extfile "$T/pki/server.ext" -out "$T/pki/server.crt" \
		2>/dev/null || die "openssl sign"
fi
chmod 600 "$T/pki/server.key"

HTTP_PORT=$(free_port); HTTPS_PORT=$(free_port)
[ "$HTTP_PORT" != "$HTTPS_PORT" ] || die "port collision, run again"
write_conf() {   # write_conf LOG_LEVEL
	cat >"$T/wsusd.conf" <<CONF
[server]
fqdn = $FQDN
bind = 127.0.0.1
http_port = $HTTP_PORT
https_port = $HTTPS_PORT
data_dir = $T/data
log_level = $1
workers = 1
# Every storm registers new clients from 127.0.0.1: no cap on them here.
registrations_per_address = 1000000
[tls]
cert = $T/pki/server.crt
key = $T/pki/server.key
[ssl]
require = ApiRemoting30 ClientWebService DssAuthWebService ServerSyncWebService SimpleAuthWebService
CONF
}
write_conf warning
WU=("$TOP/$BUILD/wsusutil" -c "$T/wsusd.conf")

note "catalogue: gen_catalog.py --updates $UPDATES --file-size 64, import, approve $APPROVE"
t0=$(date +%s.%N)
mkdir -p "$T/data"
python3 tests/tools/gen_catalog.py --docs "$T/docs" --content "$T/data/content" \
	--manifest "$T/m.json" --updates "$UPDATES" --file-size 64 >/dev/null || die "gen_catalog.py"
t1=$(date +%s.%N)
"${WU[@]}" import-updates "$T/docs" >"$T/import.out" 2>&1 || { cat "$T/import.out" >&2; die "import-updates"; }
t2=$(date +%s.%N)
# shellcheck disable=SC2046
"${WU[@]}" approve $(python3 -c "import json; m=json.load(open('$T/m.json'))
print(' '.join(u['id'] for u in m['updates'][:$APPROVE]))") "All Computers" >"$T/approve.out" 2>&1 ||
	{ tail -3 "$T/approve.out" >&2; die "approve"; }
t3=$(date +%s.%N)
read -r REVS NONLEAF LEAF < <(python3 -c "import json; m=json.load(open('$T/m.json'))
nl = len(m['categories']) + len(m['products']) + len(m['classifications']) + len(m['detectoids'])
ap = m['updates'][:$APPROVE]
print(m['documents'], nl, len(ap) + sum(len(u['members']) for u in ap))")
rm -rf "$T/docs"

# --- the server ------------------------------------------------------------------
stop_server() {
	if [ -n "$SRV_PID" ]; then
		kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null
		SRV_PID=
	fi
}
start_server() {   # start_server LOG_LEVEL [wrapper...]
	local lvl=$1; shift
	write_conf "$lvl"
	: >"$T/wsusd.log"
	"$@" "$TOP/$BUILD/wsusd" -c "$T/wsusd.conf" >"$T/wsusd.log" 2>&1 &
	SRV_PID=$!
	for _ in $(seq 1 300); do
		curl -s -o /dev/null --max-time 5 --cacert "$T/pki/ca.crt" \
			--resolve "$FQDN:$HTTPS_PORT:127.0.0.1" "https://$FQDN:$HTTPS_PORT/" && return 0
		kill -0 "$SRV_PID" 2>/dev/null || { cat "$T/wsusd.log" >&2; die "wsusd did not start"; }
		sleep 0.1
	done
	die "wsusd did not answer"
}
# storm ARGS...: scanstorm against the running server (output in $T/out).
storm() {
	"${STORM[@]}" -p "$HTTPS_PORT" -H "$FQDN" -C "$T/pki/ca.crt" -P "$SRV_PID" \
		-L "$LEAF" -N "$NONLEAF" "$@"
}
# warm: one first scan, so the catalogue snapshot is built before measuring.
warm() {
	storm -n 1 -t 0 -q >"$T/warm.out" 2>&1 ||
		{ cat "$T/warm.out" >&2; die "warm-up scan failed"; }
}

note "starting wsusd (workers = 1, log_level = warning, CPU $SCPU)"
start_server warning "${SERVER[@]}"
warm

# --- 1. the measured run ------------------------------------------------------------
# other_top T0 T1 "PIDS": "name pct" of the busiest other process meanwhile.
other_top() {
	awk -v skip=" $3 $$ " 'NR == FNR { t[$1] = $2; next }
		($1 in t) && index(skip, " " $1 " ") == 0 && $2 - t[$1] > m { m = $2 - t[$1]; p = $1 }
		END { print p + 0, m + 0 }' "$1" "$2"
}
# A run during which others used more than 10% of a core is run once more
# (after waiting for quiet) while the wait budget lasts, as bench/run.sh does.
for attempt in 1 2; do
	note "$CLIENTS first scans, then ${DELTA_S}s of delta scans (CPU $CCPU)"
	wait_quiet
	all_ticks >"$T/ticks0"
	lw0=$(stat -c %s "$T/wsusd.log")
	w0=$(date +%s.%N)
	storm -n "$CLIENTS" -t "$DELTA_S" -f "$TARGET_FIRST" -d "$TARGET_DELTA" \
		>"$T/main.out" 2>"$T/main.err"
	STORM_RC=$?
	w1=$(date +%s.%N)
	all_ticks >"$T/ticks1"
	lw1=$(stat -c %s "$T/wsusd.log")
	# scanstorm has exited: it is in ticks0 at most, so never counted.
	OTHER=$(other_cpu "$T/ticks0" "$T/ticks1" "$SRV_PID")
	OTHER_PCT=$(calc "100 * $OTHER / ($w1 - $w0)" 0)
	read -r opid oticks < <(other_top "$T/ticks0" "$T/ticks1" "$SRV_PID")
	OTHER_WHO="$(cat "/proc/$opid/comm" 2>/dev/null || echo "pid $opid") $(calc "100 * $oticks / $HZ / ($w1 - $w0)" 0)%"
	grep -q ' delta_rate=' "$T/main.out" || { cat "$T/main.err" >&2; die "scanstorm failed"; }
	[ "$OTHER_PCT" -le 10 ] || [ "$attempt" = 2 ] || [ "$QUIET_BUDGET" -le 0 ] && break
	note "other processes used $OTHER_PCT% of a core meanwhile (busiest: $OTHER_WHO): once more"
done

# --- 2. profile -------------------------------------------------------------------------
PROF=none
perf_ok() {
	command -v perf >/dev/null 2>&1 &&
		perf record -q -e cpu-clock -o "$T/perf.test" true >/dev/null 2>&1 &&
		[ -s "$T/perf.test" ]
}
if [ "${BENCH_STORM_PROFILER:-perf}" = perf ] && perf_ok; then
	PROF=perf
	PN=$(( CLIENTS < 100 ? CLIENTS : 100 ))
	note "profile: perf record -e cpu-clock -F 999 --call-graph dwarf, ${PROF_S}s of delta scans ($PN clients)"
	wait_quiet
	storm -n "$PN" -t "$((PROF_S + 2))" -q -x "sleep 1; ${CLIENT[*]} perf record -q -e cpu-clock -F 999 \
		--call-graph dwarf,16384 -o $T/perf.delta -p $SRV_PID -- sleep $PROF_S >$T/perf.delta.log 2>&1" \
		>"$T/prof.out" 2>&1
	note "profile: perf record -e cpu-clock -F 999, $PN first scans"
	storm -n "$PN" -t 0 -q -X "${CLIENT[*]} perf record -q -e cpu-clock -F 999 \
		-o $T/perf.first -p $SRV_PID -- sleep 1.5 >$T/perf.first.log 2>&1" >"$T/prof1.out" 2>&1
	note "profile: perf report"
	# Self time by symbol (flat), and inclusive time of our own functions.
	perf report -i "$T/perf.delta" --stdio --no-children --sort sym -g none --percent-limit 0.8 \
		2>/dev/null | grep -E '^ +[0-9]' | head -25 >"$T/prof.self"
	perf report -i "$T/perf.delta" --stdio --children --sort sym -g none \
		2>/dev/null | grep -E '^ +[0-9]' | grep -vE '\] (0x[0-9a-f]+|clone3|start_thread|relay_main|MHD_run|MHD_run_wait|http_soap|ws_handle|entry_SYSCALL.*|do_syscall_64|__libc_start.*|main)$' |
		head -25 >"$T/prof.incl"
	perf report -i "$T/perf.first" --stdio --no-children --sort sym -g none --percent-limit 1 \
		2>/dev/null | grep -E '^ +[0-9]' | head -15 >"$T/prof.first"
elif command -v valgrind >/dev/null 2>&1; then
	PROF=callgrind
	note "profile: perf cannot sample here; callgrind on a second server, 4 clients, 3 s of delta scans"
	stop_server
	start_server warning valgrind --tool=callgrind --instr-atstart=no \
		--callgrind-out-file="$T/callgrind.out"
	# Instrumentation from the start of the delta scans only.
	storm -n 4 -t 3 -q -x "callgrind_control -i on $SRV_PID >/dev/null 2>&1" >"$T/prof.out" 2>&1
	stop_server
	callgrind_annotate --inclusive=no "$T/callgrind.out" 2>/dev/null |
		grep -E '^ *[0-9,]+ ' | head -25 >"$T/prof.self"
	callgrind_annotate --inclusive=yes "$T/callgrind.out" 2>/dev/null |
		grep -E '^ *[0-9,]+ ' | head -25 >"$T/prof.incl"
	start_server warning "${SERVER[@]}"
	warm
fi

# --- 3. the cost of log_level = info -------------------------------------------------------
INFO_S=$(( DELTA_S > 5 ? 5 : DELTA_S ))
note "log_level = info: $CLIENTS first scans, ${INFO_S}s of delta scans"
stop_server
start_server info "${SERVER[@]}"
warm
wait_quiet
l0=$(stat -c %s "$T/wsusd.log")
storm -n "$CLIENTS" -t "$INFO_S" -q >"$T/info.out" 2>"$T/info.err"
l1=$(stat -c %s "$T/wsusd.log")
INFO_LINES=$(grep -c 'info:' "$T/wsusd.log")
stop_server

# --- report ---------------------------------------------------------------------------
M=$T/main.out I=$T/info.out
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
echo
echo "(e) scan storm — $(date -u '+%Y-%m-%d %H:%M UTC'), wsusd workers = 1 on CPU $SCPU, bench/scanstorm.c on CPU $CCPU"
echo "catalogue: $REVS revisions (gen_catalog.py --updates $UPDATES --file-size 64: generated in $(calc "$t1 - $t0") s,"
echo "imported in $(calc "$t2 - $t1") s), $APPROVE updates approved for All Computers in one call ($(calc "$t3 - $t2" 2) s):"
echo "each client receives $NONLEAF non-leaf + $LEAF leaf revisions (approved updates and their bundle members)."
echo "TLS 1.2 keep-alive, sessions shared (CURLSH); Accept-Encoding: xpress; server CPU = utime+stime from"
echo "/proc/PID/stat over the phase / scans completed; log_level = warning unless said."
echo
grep -v '^KV' "$M"
[ "$STORM_RC" = 0 ] || { echo "  first errors:"; head -8 "$T/main.err" | sed 's/^/    /'; }
printf "$FMT" "  CPU used by other processes meanwhile (% of a core)" "$OTHER_PCT" "" "" \
	"$([ "$OTHER_PCT" -gt 10 ] && echo "WARNING: machine not quiet (busiest: $OTHER_WHO), figures skewed")"
echo "  log_level = info against warning (a separate, ${INFO_S}-s run)"
printf "$FMT" "" "warning" "info" "i/w" ""
printf "$FMT" "    server CPU us/first scan" "$(kv first_srv_us "$M")" "$(kv first_srv_us "$I")" \
	"$(ratio "$(kv first_srv_us "$I")" "$(kv first_srv_us "$M")")" ""
printf "$FMT" "    server CPU us/delta scan" "$(kv delta_srv_us "$M")" "$(kv delta_srv_us "$I")" \
	"$(ratio "$(kv delta_srv_us "$I")" "$(kv delta_srv_us "$M")")" ""
printf "$FMT" "    delta scans/s" "$(calc "$(kv delta_rate "$M")" 0)" "$(calc "$(kv delta_rate "$I")" 0)" \
	"$(ratio "$(kv delta_rate "$I")" "$(kv delta_rate "$M")")" ""
n_i=$(( $(kv first_scans "$I") + $(kv delta_scans "$I") ))
n_w=$(( $(kv first_scans "$M") + $(kv delta_scans "$M") ))
printf "$FMT" "    wsusd log bytes per scan (first + delta)" "$(calc "($lw1 - $lw0) / ($n_w > 0 ? $n_w : 1)" 0)" \
	"$(calc "($l1 - $l0) / ($n_i > 0 ? $n_i : 1)" 0)" "" \
	"info: $INFO_LINES lines for $n_i scans; errors in this run: $(kv errors "$I")"
case $PROF in
perf)
	echo "  profile of wsusd during delta scans (perf record -e cpu-clock -F 999 --call-graph dwarf,"
	echo "  ${PROF_S} s; % of the server's samples)"
	echo "    self (flat):"
	sed 's/^/  /' "$T/prof.self"
	echo "    inclusive (children), our functions and the libraries' entry points:"
	sed 's/^/  /' "$T/prof.incl"
	echo "  profile of wsusd during first scans (flat, self):"
	sed 's/^/  /' "$T/prof.first"
	;;
callgrind)
	echo "  profile of wsusd during delta scans (valgrind --tool=callgrind, 4 clients, 3 s; Ir)"
	echo "    self:"
	sed 's/^/  /' "$T/prof.self"
	echo "    inclusive:"
	sed 's/^/  /' "$T/prof.incl"
	;;
*)
	echo "  profile: neither perf nor valgrind usable here"
	;;
esac
exit 0
