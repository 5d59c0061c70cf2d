#!/bin/bash
# clean_clone.sh - clone this repository (its committed HEAD) into an empty
# scratch directory, with nothing beside it, and there build everything
# and run the checks that read fixtures: the layout check, every unit test
# (test_updatedoc and test_xpress read real captures), the replay of the
# captured native WUA requests and the README walkthrough.  Proves that
# the repository carries every file its tests read.  The inner result
# lines are printed with "# " so that CI counts them once, in this line:
#   clean-clone: N passed, M failed
set -u
TOP=$(pwd)
S=$(mktemp -d "${TMPDIR:-/tmp}/wsusd-clone.XXXXXX")
trap 'rm -rf "$S"' EXIT
pass=0 fail=0
say() { if [ "$1" = 0 ]; then pass=$((pass + 1)); echo "ok - $2"; else fail=$((fail + 1)); echo "not ok - $2"; fi; }
[ -z "$(git status --porcelain --untracked-files=no)" ] ||
	echo "# note: uncommitted changes are not in the clone (it is of HEAD)"
git -c safe.directory='*' clone -q --no-hardlinks "$TOP" "$S/wsusd"; say $? "git clone into an empty directory ($S)"
cd "$S/wsusd" || exit 1
[ "$(ls -A ..)" = wsusd ]; say $? "nothing beside the clone"
out=$(make -j"$(nproc)" all 2>&1); st=$?; say $st "make all in the clone"
[ $st = 0 ] || echo "$out" | tail -20 | sed 's/^/#   /'
for target in check-layout check-unit; do
	out=$(make --no-print-directory $target 2>&1); st=$?
	echo "$out" | grep -E '^(not ok|unit:|layout:)|failed' | grep -v ' 0 failed' | sed 's/^/#   /'
	say $st "make $target in the clone ($(echo "$out" | grep -E '^(unit|layout): ' | tail -1))"
done
for t in replay readme; do
	out=$(E2E_ONLY=$t make --no-print-directory check-e2e 2>&1); st=$?
	echo "$out" | grep -E '^not ok' | sed 's/^/#   /'
	say $st "t_$t.sh in the clone ($(echo "$out" | grep -E '^e2e: ' | tail -1))"
done
echo "clean-clone: $pass passed, $fail failed"
[ $fail = 0 ]
