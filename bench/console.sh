#!/bin/bash
# bench/console.sh [BUILD] - section (f) of `make bench`: console queries
# at scale (bench/run.sh calls it; it also runs on its own).  Not a test.
#
# Set-up: the scan storm's synthetic catalogue (tests/tools/gen_catalog.py,
# BENCH_CONSOLE_UPDATES = 5,000 updates, the first 1,000 approved for All
# Computers), then an estate written through the store's own functions
# by bench/console_load.c (linking libstore): BENCH_CONSOLE_GROUPS (50)
# groups, BENCH_CONSOLE_COMPUTERS (20,000) computers, each with
# BENCH_CONSOLE_PER (100) reported update states (store_events_add, one
# transaction per computer as a report batch) - about 2 million
# computer x update status rows, with whatever the store keeps current as
# reports arrive (summaries) built by the same path.  An Administrator
# account is made with `wsusutil user add`.
#
# Measured, over HTTPS with NTLM on one kept-alive connection (curl, the
# first request - the one carrying the NTLM exchange - not counted):
#   status        ExecuteSPGetUpdateServerStatus (the home page)
#   per-update    ExecuteSPGetSummariesPerUpdate for one group (400 computers)
#   per-computer  ExecuteSPGetSummariesPerComputer for that group
#   computers     ExecuteSPSearchComputers with NameIncludes (10 of 20,000)
#   updates       ExecuteSPSearchUpdates: not approved, Security Updates
# each BENCH_CONSOLE_SAMPLES (30) times with the server otherwise idle,
# then again while bench/scanstorm.c runs delta scans beside it; and the
# delta-scan rate with and without that console load (same clients, same
# duration).  Time per request = curl's time_total - time_pretransfer:
# from the request's first byte to the answer's last, on loopback - the
# server's time plus the transfer of the answer.  Target: p95 < 100 ms
# under the storm, scans within 10 % with the console running.
# Also printed: a calibration of the machine (mbedTLS ECDSA P-256 signs/s,
# bench/tls_ceiling.c, on the server core), the load times and the
# database size.  The server is pinned to BENCH_SERVER_CPU (1), curl and
# the storm to BENCH_CLIENT_CPU (0); workers = BENCH_CONSOLE_WORKERS (2).
# Table on stdout; progress on stderr; exit 0 whatever the figures, 1 when
# the set-up fails.
set -u
set -o pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
BUILD=${1:-build}
SCPU=${BENCH_SERVER_CPU:-1}
CCPU=${BENCH_CLIENT_CPU:-0}
UPDATES=${BENCH_CONSOLE_UPDATES:-5000}
APPROVE=${BENCH_CONSOLE_APPROVE:-1000}
NGROUPS=${BENCH_CONSOLE_GROUPS:-50}
COMPUTERS=${BENCH_CONSOLE_COMPUTERS:-20000}
PER=${BENCH_CONSOLE_PER:-100}
SAMPLES=${BENCH_CONSOLE_SAMPLES:-30}
CLIENTS=${BENCH_CONSOLE_STORM_CLIENTS:-100}
STORM_S=${BENCH_CONSOLE_STORM_SECONDS:-20}
WORKERS=${BENCH_CONSOLE_WORKERS:-2}
TARGET_MS=100
FQDN=wsus.test
NS=http://www.microsoft.com/SoftwareDistribution/Server/ApiRemotingWebService

SRV_PID= T=
cleanup() {
	trap - EXIT INT TERM
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null
	[ -n "$T" ] && [ -z "${BENCH_CONSOLE_KEEP-}" ] && rm -rf "$T"
}
trap cleanup EXIT
trap 'echo "console: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM
die() { echo "console: $*" >&2; exit 1; }
note() { echo "bench: (f) $*" >&2; }
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }
for cmd in cc python3 curl taskset awk openssl; do
	command -v "$cmd" >/dev/null 2>&1 || die "$cmd not found"
done
for f in wsusd wsusutil lib/libstore.a lib/libcommon.a; do
	[ -e "$BUILD/$f" ] || die "$BUILD/$f not built (make all)"
done
T=$(mktemp -d "${TMPDIR:-/tmp}/wsusd-console.XXXXXX") || die "mktemp"
CLIENT=(taskset -c "$CCPU")
SERVER=(taskset -c "$SCPU")
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# --- helpers: build, certificate, configuration ---------------------------------
note "building bench/console_load.c, bench/scanstorm.c, bench/tls_ceiling.c"
mkdir -p "$BUILD/bench"
cc -O2 -Wall -Wextra -D_GNU_SOURCE -iquote store -iquote common -o "$BUILD/bench/console_load" \
	bench/console_load.c "$BUILD/lib/libstore.a" "$BUILD/lib/libcommon.a" \
	-lsqlite3 -lz -lmbedtls -lmbedx509 -lmbedcrypto -lexpat -lpthread ||
	die "cannot build bench/console_load.c"
cc -O2 -Wall -iquote common -o "$BUILD/bench/scanstorm" bench/scanstorm.c common/xpress.c -lcurl ||
	die "cannot build bench/scanstorm.c"
cc -O2 -Wall -o "$BUILD/bench/tls_ceiling" bench/tls_ceiling.c -lmbedtls -lmbedx509 -lmbedcrypto ||
	die "cannot build bench/tls_ceiling.c"

mkdir -p "$T/pki" "$T/data"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/pki/ca.key" \
	-out "$T/pki/ca.crt" -days 30 -subj "/CN=wsusd bench CA" \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign 2>/dev/null || die "CA"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/pki/server.key" \
	-out "$T/pki/server.csr" -subj "/CN=$FQDN" 2>/dev/null || die "key"
printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=digitalSignature" "extendedKeyUsage=serverAuth" \
	"subjectAltName=DNS:$FQDN,DNS:localhost" >"$T/pki/server.ext"
openssl x509 -req -in "$T/pki/server.csr" -CA "$T/pki/ca.crt" -CAkey "$T/pki/ca.key" \
	-CAcreateserial -days 30 -extfile "$T/pki/server.ext" -out "$T/pki/server.crt" 2>/dev/null || die "sign"
chmod 600 "$T/pki/server.key"
HTTP_PORT=$(free_port); HTTPS_PORT=$(free_port)
[ "$HTTP_PORT" != "$HTTPS_PORT" ] || die "port collision, run again"
cat >"$T/wsusd.conf" <<CONF
[server]
fqdn = $FQDN
bind = 127.0.0.1
http_port = $HTTP_PORT
https_port = $HTTPS_PORT
data_dir = $T/data
log_level = warning
workers = $WORKERS
registrations_per_address = 1000000
[tls]
cert = $T/pki/server.crt
key = $T/pki/server.key
[ssl]
require = ApiRemoting30 ClientWebService DssAuthWebService ServerSyncWebService SimpleAuthWebService
CONF
WU=("$TOP/$BUILD/wsusutil" -c "$T/wsusd.conf")

# --- the estate -------------------------------------------------------------------------
note "catalogue: gen_catalog.py --updates $UPDATES, import, approve $APPROVE for All Computers"
t0=$(date +%s.%N)
python3 tests/tools/gen_catalog.py --docs "$T/docs" --content "$T/data/content" \
	--manifest "$T/m.json" --updates "$UPDATES" --file-size 64 >/dev/null || die "gen_catalog.py"
"${WU[@]}" import-updates "$T/docs" >"$T/import.out" 2>&1 || { tail -3 "$T/import.out" >&2; die "import"; }
python3 -c "import json; m=json.load(open('$T/m.json'))
open('$T/approved', 'w').write(''.join(u['id'] + '\n' for u in m['updates'][:$APPROVE]))
print(m['classifications'][0])" >"$T/security" || die "manifest"
# shellcheck disable=SC2046
"${WU[@]}" approve $(cat "$T/approved") "All Computers" >"$T/approve.out" 2>&1 ||
	{ tail -3 "$T/approve.out" >&2; die "approve"; }
read -r REVS NONLEAF LEAF < <(python3 -c "import json; m=json.load(open('$T/m.json'))
nl = len(m['categories']) + len(m['products']) + len(m['classifications']) + len(m['detectoids'])
ap = m['updates'][:$APPROVE]
print(m['documents'], nl, len(ap) + sum(len(u['members']) for u in ap))")
rm -rf "$T/docs"
t1=$(date +%s.%N)
note "estate: $NGROUPS groups, $COMPUTERS computers, $PER statuses each (bench/console_load)"
"$TOP/$BUILD/bench/console_load" "$T/data" "$T/approved" "$NGROUPS" "$COMPUTERS" "$PER" \
	>"$T/load.out" 2>"$T/load.err" || { tail -5 "$T/load.err" >&2; die "console_load"; }
t2=$(date +%s.%N)
LOADLINE=$(grep '^LOAD ' "$T/load.out")
printf 'Bench-pw-1\n' >"$T/pw" && chmod 600 "$T/pw"
"${WU[@]}" user add bench --role Administrator --password-file "$T/pw" >"$T/user.out" 2>&1 ||
	{ cat "$T/user.out" >&2; die "wsusutil user add (accounts not in this build?)"; }
ROWS=$(sqlite3 "$T/data/wsusd.db" 'SELECT count(*) FROM update_status' 2>/dev/null || echo "?")
DBSIZE=$(du -cb "$T/data"/wsusd.db* | tail -1 | cut -f1)

# --- the server -------------------------------------------------------------------------
note "starting wsusd (workers = $WORKERS, CPU $SCPU)"
"${SERVER[@]}" "$TOP/$BUILD/wsusd" -c "$T/wsusd.conf" >"$T/wsusd.log" 2>&1 &
SRV_PID=$!
for _ in $(seq 1 300); do
	curl -s -o /dev/null --max-time 5 --cacert "$T/pki/ca.crt" \
		--resolve "$FQDN:$HTTPS_PORT:127.0.0.1" "https://$FQDN:$HTTPS_PORT/" && break
	kill -0 "$SRV_PID" 2>/dev/null || { cat "$T/wsusd.log" >&2; die "wsusd did not start"; }
	sleep 0.1
done
URL="https://$FQDN:$HTTPS_PORT/ApiRemoting30/WebService.asmx"
# OpenSSL 3 keeps MD4 (NTLM) in its legacy provider.
printf '%s\n' "openssl_conf = openssl_init" "[openssl_init]" "providers = provider_sect" \
	"[provider_sect]" "default = default_sect" "legacy = legacy_sect" "[default_sect]" \
	"activate = 1" "[legacy_sect]" "activate = 1" >"$T/openssl.cnf"
export OPENSSL_CONF=$T/openssl.cnf
# body OP INNER-XML > file
body() {
	printf '<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><%s xmlns="%s">%s</%s></s:Body></s:Envelope>' \
		"$1" "$NS" "$2" "$1"
}
# call OP BODYFILE N: N+1 POSTs on one connection; "pretransfer total code size" per line.
call() {
	local op=$1 file=$2 n=$3 args=() i
	for i in $(seq 0 "$n"); do args+=("$URL" -o /dev/null); done
	"${CLIENT[@]}" curl -s --ntlm -u bench:Bench-pw-1 --cacert "$T/pki/ca.crt" \
		--resolve "$FQDN:$HTTPS_PORT:127.0.0.1" -H 'Content-Type: text/xml; charset=utf-8' \
		-H "SOAPAction: \"$NS/$op\"" -H 'Expect:' --data-binary "@$file" \
		-w '%{time_pretransfer} %{time_total} %{http_code} %{size_download}\n' "${args[@]}"
}
esc() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'; }
ALLSCOPE=$(printf '<UpdateScope ApprovedStates="-1" />' | esc)
body ExecuteSPGetAllTargetGroups "" >"$T/groups.xml"
call ExecuteSPGetAllTargetGroups "$T/groups.xml" 0 >/dev/null
GID=$("${CLIENT[@]}" curl -s --ntlm -u bench:Bench-pw-1 --cacert "$T/pki/ca.crt" \
	--resolve "$FQDN:$HTTPS_PORT:127.0.0.1" -H 'Content-Type: text/xml; charset=utf-8' \
	-H "SOAPAction: \"$NS/ExecuteSPGetAllTargetGroups\"" --data-binary "@$T/groups.xml" "$URL" |
	python3 -c 'import re,sys; s=sys.stdin.read(); m=re.search(r"Bench-07</anyType><anyType[^>]*>([0-9a-f-]{36})<", s); print(m.group(1) if m else "")')
[ -n "$GID" ] || die "no group Bench-07 in ExecuteSPGetAllTargetGroups (see $T/wsusd.log)"
CSCOPE=$(printf '<ComputerTargetScope IncludeDownstreamComputerTargets="false" ComputerTargetGroups="&lt;root&gt;&lt;TargetGroupID&gt;%s&lt;/TargetGroupID&gt;&lt;/root&gt;" IncludeSubgroups="true" />' "$GID" | esc)
ALLC=$(printf '<ComputerTargetScope IncludeDownstreamComputerTargets="false" />' | esc)
SEC=$(cat "$T/security")
body ExecuteSPGetUpdateServerStatus "<updateSources>-1</updateSources><includeDownstreamComputers>false</includeDownstreamComputers><updateScopeXml>$ALLSCOPE</updateScopeXml><computerTargetScopeXml>$ALLC</computerTargetScopeXml><preferredCulture>en</preferredCulture><publicationState>2147483647</publicationState><propertiesToGet>-1</propertiesToGet>" >"$T/status.xml"
body ExecuteSPGetSummariesPerUpdate "<updateScopeXml>$ALLSCOPE</updateScopeXml><computerTargetScopeXml>$CSCOPE</computerTargetScopeXml><preferredCulture>en</preferredCulture><publicationState>2147483647</publicationState>" >"$T/per-update.xml"
body ExecuteSPGetSummariesPerComputer "<updateScopeXml>$ALLSCOPE</updateScopeXml><computerTargetScopeXml>$CSCOPE</computerTargetScopeXml><preferredCulture>en</preferredCulture><publicationState>2147483647</publicationState>" >"$T/per-computer.xml"
body ExecuteSPSearchComputers "<computerTargetScopeXml>$(printf '<ComputerTargetScope IncludeDownstreamComputerTargets="false" NameIncludes="pc0123" />' | esc)</computerTargetScopeXml>" >"$T/computers.xml"
body ExecuteSPSearchUpdates "<updateScopeXml>$(printf '<UpdateScope ApprovedStates="4" Classifications="&lt;root&gt;&lt;UpdateClassificationID&gt;%s&lt;/UpdateClassificationID&gt;&lt;/root&gt;" />' "$SEC" | esc)</updateScopeXml><preferredCulture>en</preferredCulture><publicationState>2147483647</publicationState>" >"$T/updates.xml"
OPS="status:ExecuteSPGetUpdateServerStatus per-update:ExecuteSPGetSummariesPerUpdate per-computer:ExecuteSPGetSummariesPerComputer computers:ExecuteSPSearchComputers updates:ExecuteSPSearchUpdates"

# stats FILE: "p50 p95 max n bad bytes" (ms) of lines 2.. of a call's output.
stats() {
	tail -n +2 "$1" | awk '{ printf "%.3f %s %s\n", ($2 - $1) * 1000, $3, $4 }' | sort -n |
		awk '{ v[NR] = $1; if ($2 != 200) bad++; b = $3 }
		END { n = NR; if (n == 0) { print "- - - 0 0 0"; exit }
		      printf "%.1f %.1f %.1f %d %d %d\n", v[int((n - 1) * 0.5) + 1],
		      v[int((n - 1) * 0.95) + 1], v[n], n, bad + 0, b }'
}
# console_round TAG: every op SAMPLES times, outputs in $T/TAG.<op>.
console_round() {
	local o name op
	for o in $OPS; do
		name=${o%%:*} op=${o#*:}
		call "$op" "$T/$name.xml" "$SAMPLES" >"$T/$1.$name" 2>&1
	done
}

note "console queries, server otherwise idle ($SAMPLES each)"
console_round idle
note "scan storm alone: $CLIENTS clients, first scans then ${STORM_S}s of delta scans"
storm() {
	"${CLIENT[@]}" "$TOP/$BUILD/bench/scanstorm" -p "$HTTPS_PORT" -H "$FQDN" -C "$T/pki/ca.crt" \
		-P "$SRV_PID" -L "$LEAF" -N "$NONLEAF" -n "$CLIENTS" -t "$STORM_S" -q "$@"
}
# A short storm first, so that both measured storms start warm (the
# catalogue snapshot built, caches filled).
storm -t 3 >"$T/warm.out" 2>&1 || note "warm-up storm reported errors"
storm >"$T/storm0.out" 2>&1 || note "scanstorm alone reported errors (see below)"
# The round under the storm runs from the start of its delta phase (-x):
# a script of its own (scanstorm spawns it through /bin/sh).
{
	echo "#!/bin/bash"
	printf 'T=%q URL=%q FQDN=%q HTTPS_PORT=%q NS=%q SAMPLES=%q OPS=%q\n' \
		"$T" "$URL" "$FQDN" "$HTTPS_PORT" "$NS" "$SAMPLES" "$OPS"
	echo "CLIENT=(taskset -c $CCPU)"
	echo "export OPENSSL_CONF=$T/openssl.cnf"
	declare -f call console_round
	echo 'console_round storm; touch "$T/storm.done"'
} >"$T/round.sh"
chmod +x "$T/round.sh"
note "scan storm with the console beside it (the console round starts with the delta scans)"
storm -x "$T/round.sh" >"$T/storm1.out" 2>&1 || note "scanstorm with console reported errors (see below)"
kv() { grep -Eo "(^| )$1=[0-9.-]+" "$2" | tail -1 | cut -d= -f2; }
D0=$(kv delta_rate "$T/storm0.out"); D1=$(kv delta_rate "$T/storm1.out")
E0=$(kv errors "$T/storm0.out"); E1=$(kv errors "$T/storm1.out")
[ -f "$T/storm.done" ] || note "the console round did not finish within the storm's ${STORM_S}s"
SIGN=$("${SERVER[@]}" "$TOP/$BUILD/bench/tls_ceiling" 1 2>/dev/null | grep -Eo ' sign=[0-9.]+' | cut -d= -f2)

# --- report -------------------------------------------------------------------------------
FMT='%-14s %-40s %8s %8s %8s %8s %9s %7s\n'
echo
echo "(f) console queries at scale: $COMPUTERS computers in $NGROUPS groups, $UPDATES updates ($REVS documents), $ROWS status rows"
echo "    load: catalogue $(calc "$t1 - $t0")s, estate $(calc "$t2 - $t1")s ($LOADLINE)"
echo "    database: $(calc "$DBSIZE / 1048576")MiB (wsusd.db + WAL)   calibration: mbedTLS ECDSA P-256 sign ${SIGN:-?}/s on CPU $SCPU"
echo "    ms per request (curl time_total - time_pretransfer, loopback, NTLM kept-alive; $SAMPLES samples)"
# shellcheck disable=SC2059
printf "$FMT" "query" "operation" "idle p50" "idle p95" "storm p50" "storm p95" "bytes" "<100ms"
for o in $OPS; do
	name=${o%%:*} op=${o#*:}
	read -r i50 i95 imax in ibad ib < <(stats "$T/idle.$name")
	read -r s50 s95 smax sn sbad sb < <(stats "$T/storm.$name" 2>/dev/null || echo "- - - 0 0 0")
	verdict=$(awk -v p="$s95" -v t="$TARGET_MS" 'BEGIN { print (p != "-" && p + 0 < t) ? "PASS" : "BELOW" }')
	[ "$ibad" = 0 ] && [ "$sbad" = 0 ] || verdict="ERRORS($ibad/$sbad)"
	# shellcheck disable=SC2059
	printf "$FMT" "$name" "$op" "$i50" "$i95" "$s50" "$s95" "$ib" "$verdict"
done
R=$(awk -v a="${D0:-0}" -v b="${D1:-0}" 'BEGIN { if (a > 0) printf "%.1f", 100 * b / a; else print "?" }')
echo "    delta scans/s: alone ${D0:-?} (errors ${E0:-?}), with the console ${D1:-?} (errors ${E1:-?}): ${R}% of alone (target >= 90%)"
exit 0
