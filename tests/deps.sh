#!/bin/sh
# deps.sh PKG... - install the Debian packages among PKG that are missing.
# As root it runs apt-get; otherwise through sudo; failing both it prints the
# exact command to run and exits 1.
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
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
