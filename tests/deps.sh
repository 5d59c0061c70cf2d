#!/bin/sh
# deps.sh PKG...          install the Debian packages among PKG that are
#                         missing: as root with apt-get, otherwise through
#                         sudo; failing both, print the exact command and
#                         exit 1.
# deps.sh --check PKG...  print the missing ones (space-separated, nothing
#                         when all are there) and exit 0: the Makefile's
#                         check before it compiles anything.
check=0
[ "${1:-}" = --check ] && { check=1; shift; }
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ $check = 1 ]; then
	[ -n "$missing" ] && echo "$missing"
	exit 0
fi
[ -z "$missing" ] && exit 0
echo "wsusd: installing missing Debian packages:$missing" >&2
if [ "$(id -u)" = 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	SUDO="sudo"
else
	echo "wsusd: run as root:  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null || exit 1
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null || {
	echo "wsusd: apt-get install -y$missing failed" >&2; exit 1; }
