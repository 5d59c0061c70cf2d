#!/bin/bash
# Targeting modes.  Server-side (the default): a client's targetGroupName
# never places it anywhere, not even in Unassigned Computers over an
# administrator's assignment, and its scan follows the administrator's
# groups whatever its cookie says.  Client-side (targeting = client): a
# computer joins the group it asks for, unless an administrator assigned
# it, which always wins.  Each scan is compared with the approvals of the
# group the computer must be in.
. tests/e2e/lib.sh
setup
W=("$TOP/$BUILD/wsusutil" -c "$T/wsusd.conf")
cd "$T" || exit 1
mkdir -p data
# 18 updates: no bundles, so every leaf a scan offers is an approved update.
python3 "$TOP/tests/tools/gen_catalog.py" --docs docs --content data/content --manifest m.json \
	--updates 18 --file-size 64 >/dev/null
check "import-updates" "${W[@]}" import-updates docs
check "group add Ring A" "${W[@]}" group add "Ring A"
check "group add Ring B" "${W[@]}" group add "Ring B"
py() { python3 -c "import json; m=json.load(open('m.json')); $1"; }
check "approve 6 updates for Ring A" "${W[@]}" approve $(py 'print(" ".join(u["id"] for u in m["updates"][:6]))') "Ring A"
check "approve 6 updates for Ring B" "${W[@]}" approve $(py 'print(" ".join(u["id"] for u in m["updates"][6:12]))') "Ring B"
py 'print("\n".join(sorted(u["id"] for u in m["updates"][:6])))' >ring-a
py 'print("\n".join(sorted(u["id"] for u in m["updates"][6:12])))' >ring-b
: >none
X=0f1e2d3c-4b5a-4697-8877-665544332211 Y=1a2b3c4d-5e6f-4a0b-9c1d-2e3f4a5b6c7d
# session ID GROUP: register and scan as ID asking for GROUP ("-": none).
session() { python3 "$TOP/tests/tools/targeting.py" "https://localhost:$HTTPS_PORT" pki/ca.crt data/wsusd.db "$1" "$2"; }
# groups ID: the computer's stored groups, "origin:name", sorted ("?" for
# the origin in a database without the column).
groups() {
	local o="'?'"
	[ "$(sqlite3 data/wsusd.db "SELECT count(*) FROM pragma_table_info('computer_groups') WHERE name = 'origin'")" = 1 ] &&
		o=cg.origin
	sqlite3 data/wsusd.db "SELECT $o || ':' || g.name FROM computer_groups cg
	JOIN computers c ON c.id = cg.computer_ref JOIN target_groups g ON g.id = cg.group_ref
	WHERE c.computer_id = '$1' ORDER BY 1" | paste -sd, -
}
# expect_scan DESC ID GROUP WANT-FILE
expect_scan() {
	local out
	out=$(session "$2" "$3" 2>&1) || { fail "$1: $out"; return; }
	if cmp -s <(echo "$out" | grep -v '^$') <(grep -v '^$' "$4"); then ok "$1 ($(grep -c . "$4") updates)"
	else fail "$1: got $(echo "$out" | grep -c .) updates, want $(grep -c . "$4") ($4)"; fi
}

echo "# server-side targeting (the default)"
start_wsusd || { done_; exit 1; }
expect_scan "server-side: a client asking for Ring B gets nothing (it is unassigned)" $X "Ring B" none
g=$(groups $X); [ -z "$g" ] && ok "server-side: targetGroupName placed it nowhere" || fail "server-side: X is in $g"
check "the administrator assigns X to Ring A" "${W[@]}" assign $X "Ring A"
expect_scan "server-side: X asking for Unassigned Computers still gets Ring A's updates" $X "Unassigned Computers" ring-a
expect_scan "server-side: X asking for Ring B still gets Ring A's updates" $X "Ring B" ring-a
g=$(groups $X); [ "$g" = "admin:Ring A" ] && ok "server-side: X stays in Ring A ($g)" || fail "server-side: X is in '$g'"
stop_wsusd

echo "# client-side targeting"
TARGETING=client write_conf
start_wsusd || { done_; exit 1; }
grep -q "Targeting: client-side" wsusd.log && ok "the log names client-side targeting" || fail "no targeting line in the log"
expect_scan "client-side: Y asking for Ring B gets Ring B's updates" $Y "Ring B" ring-b
g=$(groups $Y); [ "$g" = "client:Ring B" ] && ok "client-side: Y joined Ring B ($g)" || fail "client-side: Y is in '$g'"
expect_scan "client-side: X (assigned by the administrator) asking for Ring B gets Ring A's updates" $X "Ring B" ring-a
g=$(groups $X); [ "$g" = "admin:Ring A" ] && ok "client-side: X stays in Ring A ($g)" || fail "client-side: X is in '$g'"
expect_scan "client-side: X asking for Unassigned Computers gets Ring A's updates" $X "Unassigned Computers" ring-a
grep -q "RegisterComputer: $X asked for group .*: kept in the group(s) an administrator assigned" wsusd.log &&
	ok "the log says the administrator's assignment was kept" || fail "no log line for the kept assignment"
expect_scan "client-side: Y asking for Unassigned Computers leaves Ring B" $Y "Unassigned Computers" none
g=$(groups $Y); [ -z "$g" ] && ok "client-side: Y in no group" || fail "client-side: Y is in '$g'"
check "the administrator assigns Y to Ring A" "${W[@]}" assign $Y "Ring A"
expect_scan "client-side: Y asking for Ring B now gets Ring A's updates" $Y "Ring B" ring-a
g=$(groups $Y); [ "$g" = "admin:Ring A" ] && ok "client-side: Y stays in Ring A ($g)" || fail "client-side: Y is in '$g'"
alive && ok "daemon alive" || fail "daemon died"
cd "$TOP" || exit 1
done_
