#!/bin/bash
# Bad input on the SOAP endpoints: malformed XML, DTDs and entities (no
# expansion, no fetch), deep nesting, oversized bodies, invalid GUIDs and
# numbers, too many ids, bad cookies -- each a fault or a 4xx; the server
# keeps answering and nothing half-written is stored.
. tests/e2e/lib.sh
setup
mkdir -p "$T/data"
echo "TOPSECRET" >"$T/secret.txt"
start_wsusd || { done_; exit 1; }
run_tap python3 tests/tools/badinput.py "https://localhost:$HTTPS_PORT" "$T/pki/ca.crt" "$T/secret.txt"
head -c $((4 * 1024 * 1024 + 10)) /dev/zero | tr '\0' 'x' >"$T/big"
expect_status "SOAP body over the 4 MiB cap is 413" 413 -H 'SOAPAction: "http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/SyncUpdates"' \
	--data-binary @"$T/big" "$HTTPS/ClientWebService/client.asmx"
n=$(sqlite3 "$T/data/wsusd.db" "select count(*) from computers")
[ "$n" = 1 ] && ok "only the one valid RegisterComputer stored a computer" || fail "computers stored: $n"
n=$(sqlite3 "$T/data/wsusd.db" "select count(*) from events")
[ "$n" = 0 ] && ok "no event stored from a refused batch" || fail "events stored: $n"
alive && ok "daemon alive" || fail "daemon died"
done_
