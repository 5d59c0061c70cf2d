#!/bin/bash
# What clients can make the server keep: a status pinned by an event from
# the year 9999, 6,000 events from one computer (the newest 5,000 stay),
# new computers per address and hour (ServerBusy past 500), and the
# retention policy: after a restart, a workstation's events older than 15
# days and a server's older than 90 go, in batches of 500, while a
# server's 16-day-old event stays.  Times are aged in the database while
# the daemon is stopped; retention is polled for, never waited on blindly.
. tests/e2e/lib.sh
setup
W=("$TOP/$BUILD/wsusutil" -c "$T/wsusd.conf")
cd "$T" || exit 1
mkdir -p data
python3 "$TOP/tests/tools/gen_catalog.py" --docs docs --content data/content --manifest m.json \
	--updates 4 --file-size 64 >/dev/null
check "import-updates" "${W[@]}" import-updates docs
U=$(python3 -c 'import json; print(json.load(open("m.json"))["updates"][0]["id"])')
start_wsusd || { done_; exit 1; }
run_tap python3 "$TOP/tests/tools/retention.py" "https://localhost:$HTTPS_PORT" pki/ca.crt data/wsusd.db "$U"
stop_wsusd

R1=a1a1a1a1-0000-4000-8000-000000000001 R2=a2a2a2a2-0000-4000-8000-000000000002
R3=a3a3a3a3-0000-4000-8000-000000000003
sq() { sqlite3 data/wsusd.db "$@"; }
ref() { sq "SELECT id FROM computers WHERE computer_id = '$1'"; }
count() { sq "SELECT count(*) FROM events WHERE computer_ref = $(ref "$1")"; }
# Workstations R1 and R2: everything 16 days old.  Server R3: one event
# 16 days old, one 91.
sq "UPDATE events SET received = received - 16 * 86400 WHERE computer_ref IN ($(ref $R1), $(ref $R2))"
sq "UPDATE events SET received = received - 16 * 86400 WHERE id = (SELECT min(id) FROM events WHERE computer_ref = $(ref $R3))"
sq "UPDATE events SET received = received - 91 * 86400 WHERE id = (SELECT max(id) FROM events WHERE computer_ref = $(ref $R3))"
ws=$(( $(count $R1) + $(count $R2) ))
[ "$ws" -gt 5000 ] && ok "$ws workstation events aged 16 days" || fail "only $ws workstation events"
start_wsusd || { done_; exit 1; }
for _ in $(seq 1 120); do
	[ "$(count $R1)" = 0 ] && [ "$(count $R2)" = 0 ] && [ "$(count $R3)" = 1 ] && break
	sleep 0.5
done
[ "$(count $R1)" = 0 ] && [ "$(count $R2)" = 0 ] && ok "the workstations' 16-day-old events are gone" ||
	fail "workstation events left: $(count $R1) + $(count $R2)"
[ "$(count $R3)" = 1 ] && ok "the server's 91-day-old event is gone, its 16-day-old one kept" ||
	fail "server events left: $(count $R3)"
n=$(grep -c "Retention: deleted" wsusd.log)
grep -q "Retention: deleted 2000 event(s) .*; more next second" wsusd.log && [ "$n" -ge 3 ] &&
	ok "deleted in batches: $n runs ($(grep "Retention: deleted" wsusd.log | sed 's/.*deleted \([0-9]*\).*/\1/' | paste -sd+ -))" ||
	fail "retention runs: $(grep "Retention: deleted" wsusd.log)"
st=$(sq "SELECT state FROM update_status WHERE computer_ref = $(ref $R1)")
[ "$st" = failed ] && ok "R1's status outlives its events ($st)" || fail "R1's status: $st"
alive && ok "daemon alive" || fail "daemon died"
cd "$TOP" || exit 1
done_
