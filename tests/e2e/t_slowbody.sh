#!/bin/bash
# Request bodies before authentication: 40 TLS connections, each declaring
# a 4 MiB body.  With the SOAPAction of an operation that comes before any
# cookie (GetConfig) the declared length is over the 64 KiB pre-cookie cap
# and refused (413) before one body byte is kept.  With the SOAPAction of
# one that carries a cookie (SyncUpdates: the 4 MiB cap) every sender
# sends all but the last 100 bytes, then trickles one byte a second: the global body budget (64 MiB) bounds what the
# daemon holds (503 past it) and the 30 s body deadline closes them all
# (408).  The daemon's VmRSS growth is printed and bounded.
. tests/e2e/lib.sh
setup
# Under ASan, freed blocks wait in a quarantine (256 MiB by default) that
# VmRSS would count; keep it small so that the figure is the daemon's.
# A build without ASan ignores the variable.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4:thread_local_quarantine_size_kb=256"
start_wsusd || { done_; exit 1; }
SB=(/usr/bin/python3 "$TOP/tests/tools/slowbody.py" "$WSUSD_PID" "$HTTPS_PORT" "$T/pki/ca.crt" "$FQDN")
MB=1024   # KB per MB, for VmRSS in kB
val() { sed -n "s/.* $1=\([-0-9.,:A-Za-z]*\).*/\1/p" <<<" $2"; }

"${SB[@]}" preauth 40 45 >"$T/pre.out" 2>&1
sed 's/^/# preauth: /' "$T/pre.out"
rss=$(grep '^rss' "$T/pre.out"); cn=$(grep '^conns' "$T/pre.out")
g=$(val growth "$rss")
[ -n "$g" ] && [ "$g" -lt $((24 * MB)) ] && ok "40 x 4 MiB to GetConfig: VmRSS grew ${g} kB (< 24 MB: 40 TLS connections, no body)" ||
	fail "40 x 4 MiB to GetConfig: VmRSS grew ${g:-?} kB"
[ "$(val statuses "$cn")" = 413:40 ] &&
	ok "every one answered 413 (the 64 KiB pre-cookie cap)" || fail "pre-cookie bodies: $cn"

"${SB[@]}" trickle 40 45 >"$T/tr.out" 2>&1
sed 's/^/# trickle: /' "$T/tr.out"
rss=$(grep '^rss' "$T/tr.out"); cn=$(grep '^conns' "$T/tr.out")
g=$(val growth "$rss")
# 64 MiB of budget, the relay's buffers and allocator slack.
[ -n "$g" ] && [ "$g" -lt $((100 * MB)) ] && ok "40 trickling 4 MiB bodies: VmRSS grew ${g} kB (< 100 MB; budget 64 MiB)" ||
	fail "40 trickling 4 MiB bodies: VmRSS grew ${g:-?} kB"
[ "$(val closed "$cn")" = 40 ] && ok "all 40 closed by the server while still trickling" ||
	fail "trickling connections closed: $(val closed "$cn") of 40"
last=$(val last_close "$cn")
python3 -c "import sys; sys.exit(0 if 0 <= $last <= 40 else 1)" &&
	ok "the last closed ${last} s into the trickle (deadline 30 s)" || fail "last close at ${last} s"
case ",$(val statuses "$cn")," in
*,408:*) ok "answered 408 at the deadline (statuses: $(val statuses "$cn"))" ;;
*) fail "no 408 (statuses: $(val statuses "$cn"))" ;;
esac
expect_status "a new client is served afterwards" 404 "$HTTPS/"
alive && ok "daemon alive" || fail "daemon died"
done_
