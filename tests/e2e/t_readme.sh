#!/bin/bash
# The README's "Getting started" walkthrough, run as written: the lines
# between <!-- walkthrough --> and <!-- /walkthrough --> are extracted and
# run in a scratch copy of this tree (with its build), where `make run`
# starts the server on the fixed ports 8530 and 8531.  Then the outcome
# the walkthrough promises: the client verified the signature and
# installed the update, and the server shows it installed.
. tests/e2e/lib.sh
R=$T/repo
mkdir -p "$R"
git ls-files -z | xargs -0 cp --parents -t "$R" || fail "copy the tree"
# The walkthrough says build/; the sanitizer run's binaries stand in.
cp -a "$TOP/$BUILD" "$R/build" && touch "$R"/build/wsus* || fail "copy $BUILD"
awk '/<!-- walkthrough -->/{on=1; next} /<!-- \/walkthrough -->/{on=0} on' README.md |
	sed '/^```/d' >"$T/walk.sh"
[ "$(grep -c . "$T/walk.sh")" -ge 5 ] && [ "$(grep -c . "$T/walk.sh")" -le 12 ] &&
	ok "walkthrough extracted: $(grep -c . "$T/walk.sh") lines (a dozen or fewer)" ||
	fail "walkthrough: $(wc -l <"$T/walk.sh") lines"
head -1 "$T/walk.sh" | grep -q '^make run .*&' || fail "the walkthrough starts with make run in the background"
for p in 8530 8531; do
	if python3 -c "import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', $p))" 2>/dev/null
	then :; else fail "port $p is in use: stop whatever listens there (make run?)"; done_; exit 1; fi
done
cd "$R" || exit 1
# Line 1 starts the server; wait for its start-up line, then the rest.
setsid bash -c "$(head -1 "$T/walk.sh")" &
RUN_PG=$!
for _ in $(seq 1 120); do grep -q " started: " run.log 2>/dev/null && break; sleep 0.5; done
grep -q " started: " run.log && ok "make run started the server" || { fail "make run: $(tail -5 run.log)"; }
{ echo 'set -e'; tail -n +2 "$T/walk.sh"; } >"$T/rest.sh"
out=$(bash "$T/rest.sh" 2>&1); st=$?
echo "$out" | sed 's/^/#   /'
[ $st = 0 ] && ok "every walkthrough line succeeded" || fail "walkthrough exited $st"
grep -q "^https://$(hostname -f):8531$" <<<"$out" && ok "configuressl printed the HTTPS URL" || fail "configuressl URL"
grep -q "^Signature verified for hello.cab: .* a trusted publisher$" <<<"$out" &&
	ok "the client verified the Authenticode signature" || fail "no signature verification"
grep -q "^Installed Contoso Hello 1.0$" <<<"$out" && ok "the client installed it" || fail "not installed"
grep -Eq "Contoso Hello 1.0 +Install: All Computers +1 +0 +0$" <<<"$out" &&
	ok "the server shows it installed (1 installed, 0 needed, 0 failed)" || fail "server status"
# Stop make run's process group (make, and the wsusd it exec'd), then
# look for sanitizer reports in the server's log, as done_ does.
kill -TERM -- -"$RUN_PG" 2>/dev/null
for _ in $(seq 1 50); do kill -0 -- -"$RUN_PG" 2>/dev/null || break; sleep 0.1; done
if grep -q "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" run.log; then
	fail "sanitizer report in run.log"; grep -A20 "Sanitizer\|runtime error" run.log | head -40
fi
cd "$TOP" && done_
