#!/bin/bash
# No request stalls the others: while 2 x workers heavy requests run back
# to back (SyncUpdates with 50,000 cached ids and GetExtendedUpdateInfo of
# 50 revisions with every fragment type, over a catalogue whose Core
# fragments are 120 KB, answers compressed), GetConfig on another
# keep-alive connection keeps a p99 under 50 ms, on the HTTPS listener
# (relay workers) and on the plain HTTP one (libmicrohttpd's threads).
# The figures are printed; the one assertion is the issue's (50 ms).
. tests/e2e/lib.sh
# ClientWebService on both ports, so that the probe can run on each.
setup "ApiRemoting30 DssAuthWebService ServerSyncWebService"
W=("$TOP/$BUILD/wsusutil" -c "$T/wsusd.conf")
cd "$T" || exit 1
mkdir -p data
python3 "$TOP/tests/tools/gen_catalog.py" --docs docs --content data/content --manifest m.json \
	--updates 120 --file-size 64 --core-pad 120000 >/dev/null
SECONDS=0
check "import-updates" "${W[@]}" import-updates docs
check "approve every update for All Computers" "${W[@]}" approve \
	$(python3 -c 'import json; print(" ".join(u["id"] for u in json.load(open("m.json"))["updates"]))') "All Computers"
echo "# catalogue built in $SECONDS s"
start_wsusd || { done_; exit 1; }
ST=(/usr/bin/python3 "$TOP/tests/tools/stall.py")
"${ST[@]}" measure "https://localhost:$HTTPS_PORT" pki/ca.crt data/wsusd.db | sed 's/^/# heavy: /'
NHEAVY=$((2 * ${WORKERS:-2}))
SECS=${STALL_SECONDS:-8}
# One probe run; sets p99, heavy, n, errs from its line.
probe() {
	local proto=$1 base=$2 line
	"${ST[@]}" probe "https://localhost:$HTTPS_PORT" pki/ca.crt data/wsusd.db "$NHEAVY" "$SECS" "$base" \
		>"$T/probe.$proto" 2>&1
	sed "s/^/# $proto: /" "$T/probe.$proto"
	line=$(grep '^probe' "$T/probe.$proto")
	p99=$(sed -n 's/.* p99=\([0-9.]*\) .*/\1/p' <<<"$line")
	heavy=$(sed -n 's/.* heavy=\([0-9]*\) .*/\1/p' <<<"$line")
	n=$(sed -n 's/.* n=\([0-9]*\) .*/\1/p' <<<"$line")
	errs=$(sed -n 's/.* errors=\([0-9]*\).*/\1/p' <<<"$line")
	[ -n "$p99" ] && [ "${heavy:-0}" -ge "$NHEAVY" ] && [ "${n:-0}" -ge 20 ]
}
under50() { python3 -c "import sys; sys.exit(0 if $1 < 50 else 1)"; }
for proto in https http; do
	if [ $proto = https ]; then base="https://localhost:$HTTPS_PORT"; else base="http://localhost:$HTTP_PORT"; fi
	if ! probe $proto "$base"; then
		fail "$proto: the load did not run: $(grep '^probe' "$T/probe.$proto")"
		continue
	fi
	# The machine is shared: a p99 over 50 ms is measured once more, and
	# the second figure decides.  A real stall (the heavy work on the I/O
	# loop) gives hundreds of ms both times.
	first=$p99
	if ! under50 "$p99"; then
		echo "# $proto: p99 $p99 ms on the first run; measuring again"
		probe $proto "$base" || { fail "$proto: the load did not run again"; continue; }
	fi
	check "$proto: GetConfig p99 ${p99} ms < 50 ms (first run ${first} ms) over $n probes while $NHEAVY senders completed $heavy heavy requests" \
		under50 "$p99"
	[ "${errs:-1}" = 0 ] && ok "$proto: every probe answered 200" || fail "$proto: $errs probes failed"
done
alive && ok "daemon alive" || fail "daemon died"
cd "$TOP" || exit 1
done_
