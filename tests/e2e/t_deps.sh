#!/bin/bash
# Plain `make` on a machine missing a build dependency stops before
# compiling anything, with one line naming the missing Debian packages and
# the command that installs them.  Simulated by naming a package that does
# not exist in DEB_BUILD (the real list is installed on this machine).
. tests/e2e/lib.sh
out=$(make --no-print-directory BUILD="$T/b" DEB_BUILD="gcc wsusd-no-such-package-dev" all 2>&1); st=$?
[ $st != 0 ] && ok "make stops (exit $st)" || fail "make went on"
[ ! -e "$T/b" ] && ok "nothing was compiled" || fail "objects made: $(ls "$T/b")"
[ "$(grep -c . <<<"$out")" = 1 ] && ok "one line" || fail "lines: $out"
grep -q "missing Debian packages: wsusd-no-such-package-dev - run \`make deps\`.*apt-get install -y wsusd-no-such-package-dev" <<<"$out" &&
	ok "it names the package, make deps and the apt-get line" || fail "message: $out"
grep -q "gcc" <<<"$out" && fail "an installed package was named missing" || ok "installed packages are not named"
[ -z "$(./tests/deps.sh --check gcc make)" ] && ok "deps.sh --check: nothing missing among installed ones" || fail "deps.sh --check"
done_
