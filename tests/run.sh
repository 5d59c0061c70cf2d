#!/bin/bash
# run.sh unit BUILD TEST...   run unit-test programs
# run.sh e2e BUILD            run every tests/e2e/t_*.sh scenario
# Adds up every "N passed, N failed" line and ends with the total, the
# line CI reads.  Exit status 1 if anything failed.
set -u
mode=$1 build=$2; shift 2
pass=0 fail=0
tally() {   # tally OUTPUT-FILE STATUS NAME
	local p f
	p=$(sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p' "$1" | tail -1)
	f=$(sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p' "$1" | tail -1)
	if [ -z "$p" ]; then p=0; f=1; echo "$3: no result line (exit $2)"; fi
	if [ "$2" != 0 ] && [ "$f" = 0 ]; then f=1; echo "$3: exit status $2"; fi
	pass=$((pass + p)); fail=$((fail + f))
}
out=$(mktemp); trap 'rm -f "$out"' EXIT
case $mode in
unit)
	for t in "$@"; do
		"$build/$t" >"$out" 2>&1; st=$?
		cat "$out"; tally "$out" $st "$t"
	done ;;
e2e)
	export BUILD=$build
	for t in tests/e2e/t_*.sh; do
		[ -n "${E2E_ONLY:-}" ] && [[ "$t" != *"$E2E_ONLY"* ]] && continue
		echo "== $t"
		timeout 600 bash "$t" >"$out" 2>&1; st=$?
		grep -E '^(not ok|ok|#)' "$out" | grep -v '^ok' || true
		tail -1 "$out"
		[ $st != 0 ] && tail -30 "$out"
		tally "$out" $st "$t"
	done ;;
esac
echo "$mode: $pass passed, $fail failed"
[ "$fail" = 0 ]
