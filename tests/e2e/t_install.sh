#!/bin/bash
# t_install.sh - the Debian-style install (mk/install.mk, dist/, doc/man/):
#   make install into a DESTDIR (files, modes, a config that is never
#   overwritten, the installed programs working on the installed config);
#   the man pages against the code (every key of conf/config.c's table in
#   wsusd.conf(5), every verb of `wsusutil --help` with its options in
#   wsusutil(8), the options of wsusd and wsusclient), mandoc lint;
#   systemd-analyze verify of the unit; make deb, lintian, the package's
#   contents; and the real dpkg installing, removing and purging the
#   package in a scratch root with its maintainer scripts.
# Nothing outside $T changes except the build tree ($BUILD: the install
# helper files, $BUILD/pkg, $BUILD/deb and the .deb); no user is created.
# Needs lintian, mandoc, systemd-analyze and dpkg-dev (DEB_TEST, `make
# deps`): a missing one fails its checks, nothing is skipped.
. tests/e2e/lib.sh
R=$T/root                      # make install DESTDIR
mk() { make --no-print-directory BUILD="$BUILD" "$@"; }

for tool in lintian mandoc systemd-analyze dpkg-deb dpkg-shlibdeps man; do
	command -v "$tool" >/dev/null && ok "tool $tool present" ||
		fail "tool $tool missing: run \`make deps\` (DEB_TEST in the Makefile)"
done

# --- make install -------------------------------------------------------------
if mk install DESTDIR="$R" PREFIX=/usr >"$T/install1.log" 2>&1; then
	ok "make install DESTDIR=\$T/root PREFIX=/usr"
else
	fail "make install: $(tail -5 "$T/install1.log")"
fi
mode() { stat -c %a "$1" 2>/dev/null; }
expect_mode() {  # expect_mode PATH MODE...: PATH exists with one of MODEs
	local m p=$1; shift
	m=$(mode "$R$p")
	for want in "$@"; do [ "$m" = "$want" ] && { ok "$p mode $m"; return; }; done
	fail "$p: mode '${m:-missing}', want $*"
}
expect_mode /usr/sbin/wsusd 755
expect_mode /usr/sbin/wsusutil 755
expect_mode /usr/bin/wsusclient 755
expect_mode /usr/bin/wsusadm 755
expect_mode /etc/wsusd/wsusd.conf 644 640
expect_mode /etc/wsusd/tls 750
expect_mode /usr/lib/systemd/system/wsusd.service 644
for m in man1/wsusclient.1 man1/wsusadm.1 man5/wsusd.conf.5 man8/wsusd.8 man8/wsusutil.8; do
	expect_mode "/usr/share/man/$m" 644
done
# Nothing else: the list above is the whole tree (directories aside).
extra=$(cd "$R" && find . -type f | sort | grep -vxE './usr/(s?bin/wsus(d|util|client|adm)|lib/systemd/system/wsusd.service|share/man/man[158]/wsus[a-z.]*\.[158])|./etc/wsusd/wsusd.conf')
[ -z "$extra" ] && ok "make install wrote nothing else" || fail "unexpected files: $extra"
[ ! -e "$R/var" ] && ok "make install makes no data directory (postinst does)" || fail "\$T/root/var exists"

C=$R/etc/wsusd/wsusd.conf
grep -qx 'cert = tls/server.crt' "$C" && grep -qx 'key = tls/server.key' "$C" &&
	ok "installed config: [tls] cert and key live" || fail "cert/key lines: $(grep -n '^#\?\(cert\|key\) =' "$C")"
grep -qx 'data_dir = /var/lib/wsusd' "$C" && ok "installed config: data_dir = /var/lib/wsusd" ||
	fail "data_dir: $(grep -n data_dir "$C")"
# Apart from those lines it is the documented example.
d=$(diff "$TOP/conf/wsusd.conf" "$C" | grep '^[<>]' | grep -v '^> # (installed' |
	grep -vE '^[<>] #?(cert|key) = ')
[ -z "$d" ] && ok "installed config is conf/wsusd.conf otherwise" || fail "config differs: $d"
grep -q '/usr/sbin/wsusd -c /etc/wsusd/wsusd.conf' "$R/usr/lib/systemd/system/wsusd.service" &&
	ok "unit names /usr/sbin/wsusd and /etc/wsusd/wsusd.conf" || fail "unit ExecStart"

# The installed programs on the installed configuration.
out=$("$R/usr/sbin/wsusutil" -c "$C" selfsigned --fqdn wsus.example.test 2>&1)
[ $? = 0 ] && [ -f "$R/etc/wsusd/tls/server.crt" ] && [ "$(mode "$R/etc/wsusd/tls/server.key")" = 600 ] &&
	ok "installed wsusutil selfsigned: tls/server.crt, key 0600" || fail "selfsigned: $out"
openssl x509 -in "$R/etc/wsusd/tls/server.crt" -noout -ext subjectAltName 2>/dev/null |
	grep -q 'DNS:wsus.example.test' && ok "certificate for wsus.example.test" || fail "certificate SAN"
out=$("$R/usr/sbin/wsusd" -c "$C" -n 2>&1)
[ $? = 0 ] && echo "$out" | grep -q "configuration OK" && ok "installed wsusd -n: $out" || fail "wsusd -n: $out"
# -n needs no data directory: a copy of the config naming one that does
# not exist passes, and the directory is still not there afterwards.
sed "s|^data_dir = .*|data_dir = $T/no-data|" "$C" >"$R/etc/wsusd/nodata.conf"
out=$("$R/usr/sbin/wsusd" -c "$R/etc/wsusd/nodata.conf" -n 2>&1)
[ $? = 0 ] && [ ! -e "$T/no-data" ] && ok "wsusd -n without a data directory" || fail "-n, no data_dir: $out"
rm -f "$R/etc/wsusd/nodata.conf"
"$R/usr/bin/wsusclient" --version | grep -qx "wsusclient $(sed -n 's/^VERSION *:= *//p' Makefile)" &&
	ok "installed wsusclient --version" || fail "wsusclient --version"

# A second install leaves an edited configuration alone.
sed -i 's/^log_level = info$/log_level = debug/' "$C"
sum=$(md5sum <"$C")
mk install DESTDIR="$R" PREFIX=/usr >"$T/install2.log" 2>&1
[ $? = 0 ] && [ "$(md5sum <"$C")" = "$sum" ] && grep -qx 'log_level = debug' "$C" &&
	grep -q "keeping the installed" "$T/install2.log" &&
	ok "second make install keeps the edited config" || fail "second install: $(tail -3 "$T/install2.log")"

# PREFIX=/usr/local: SYSCONFDIR follows PREFIX, and the unit follows both.
mk install DESTDIR="$T/local" >"$T/install3.log" 2>&1
[ -f "$T/local/usr/local/etc/wsusd/wsusd.conf" ] && [ -x "$T/local/usr/local/sbin/wsusd" ] &&
	grep -q '^ExecStart=/usr/local/sbin/wsusd -c /usr/local/etc/wsusd/wsusd.conf$' \
		"$T/local/usr/local/lib/systemd/system/wsusd.service" &&
	ok "default PREFIX /usr/local: config in /usr/local/etc, unit rewritten" ||
	fail "PREFIX=/usr/local: $(tail -3 "$T/install3.log")"

# make uninstall takes back all but the configuration (and its tls/ pair).
cp -a "$R" "$T/un"
mk uninstall DESTDIR="$T/un" PREFIX=/usr >"$T/uninstall.log" 2>&1
left=$(cd "$T/un" && find . -type f | sort | tr '\n' ' ')
[ "$left" = "./etc/wsusd/tls/server.crt ./etc/wsusd/tls/server.key ./etc/wsusd/wsusd.conf " ] &&
	ok "make uninstall leaves only the configuration and its pair" || fail "after uninstall: $left"

# --- man pages against the code ---------------------------------------------------
M=$R/usr/share/man
# The keys of conf_keys[] (rows '{ "section", "name", ...').
KEYS=$(sed -n 's/^[[:space:]]*{ "\(server\|tls\|ssl\)", "\([a-z_]*\)",.*/\2/p' conf/config.c)
# The verbs `wsusutil --help` lists: the word after "wsusutil" and an
# optional "-c FILE" / "[-c FILE]"; not the --version and VERB --help lines.
VERBS=$("$TOP/$BUILD/wsusutil" --help | sed -e 's/^usage://' -e 's/^ *wsusutil //' \
	-e 's/^\[\?-c FILE\]\? //' | awk '$1 !~ /^-/ && $1 != "VERB" { print $1 }')
[ "$(echo "$KEYS" | wc -w)" -ge 10 ] && ok "conf/config.c: $(echo $KEYS | wc -w) keys" || fail "keys: '$KEYS'"
[ "$(echo "$VERBS" | wc -w)" -ge 10 ] && ok "wsusutil --help: $(echo $VERBS | wc -w) verbs" || fail "verbs: '$VERBS'"

# item PAGE WORD: the text of PAGE's ".It Cm WORD" entry, nested lists
# included, up to the next item of its own list or the end of that list
# (or of the section); empty when there is none.
item() {
	awk -v w="$2" '!on && $1 == ".It" && $2 == "Cm" && $3 == w { on = 1; print; next }
		!on { next }
		$1 == ".Sh" || $1 == ".Ss" { exit }
		$1 == ".Bl" { depth++ }
		$1 == ".El" { if (depth == 0) exit; depth-- }
		$1 == ".It" && depth == 0 { exit }
		{ print }' "$1"
}
# missing_keys PAGE: the keys without an entry that gives a default.
missing_keys() {
	local k
	for k in $KEYS; do item "$1" "$k" | grep -q 'Default' || echo "$k"; done
}
# missing_verbs PAGE: the verbs without an entry, or an option of the
# verb's synopsis that its entry does not give as "Fl -option".
missing_verbs() {
	local v o
	for v in $VERBS; do
		item "$1" "$v" | grep -q . || { echo "$v"; continue; }
		for o in $("$TOP/$BUILD/wsusutil" "$v" --help | head -1 | grep -o -- '--[a-z-]*'); do
			item "$1" "$v" | grep -q -- "Fl -${o#--}\b" || echo "$v $o"
		done
	done
}
m=$(missing_keys "$M/man5/wsusd.conf.5")
[ -z "$m" ] && ok "wsusd.conf.5 documents every key with its default" || fail "wsusd.conf.5 lacks:" $m
m=$(missing_verbs "$M/man8/wsusutil.8")
[ -z "$m" ] && ok "wsusutil.8 documents every verb and its options" || fail "wsusutil.8 lacks:" $m
# The checks catch a gap: drop the entry of the last key and the last verb.
last=$(echo "$KEYS" | tail -1)
grep -v "^\.It Cm $last " "$M/man5/wsusd.conf.5" >"$T/gap.5"
[ "$(missing_keys "$T/gap.5")" = "$last" ] && ok "a page without key $last fails the check" ||
	fail "key check blind to a missing $last"
last=$(echo "$VERBS" | tail -1)
grep -v "^\.It Cm $last\( \|$\)" "$M/man8/wsusutil.8" >"$T/gap.8"
missing_verbs "$T/gap.8" | grep -qx "$last" && ok "a page without verb $last fails the check" ||
	fail "verb check blind to a missing $last"
# wsusd: -c -n -d and --version; wsusclient: every option of its usage.
m=""
for o in c n d -version; do
	grep -q "Fl $o\b" "$M/man8/wsusd.8" || m="$m $o"
done
[ -z "$m" ] && ok "wsusd.8 documents -c -n -d --version" || fail "wsusd.8 lacks:$m"
m=""
for o in $("$TOP/$BUILD/wsusclient" --help 2>&1 | grep -o -- '--[a-z-]*\|\[-v\]' | sort -u); do
	o=${o#\[}; o=${o%\]}; o=${o#-}
	grep -q "Fl $o\b" "$M/man1/wsusclient.1" || m="$m -$o"
done
[ -z "$m" ] && ok "wsusclient.1 documents every option of wsusclient --help" || fail "wsusclient.1 lacks:$m"
# wsusadm: every option and command of its --help, and every exit code.
m=""
for o in $("$TOP/$BUILD/wsusadm" --help 2>&1 | grep -o -- '--[a-z-]*\|\[-v\]' | sort -u); do
	o=${o#\[}; o=${o%\]}; o=${o#-}
	grep -q "Fl $o\b" "$M/man1/wsusadm.1" || m="$m -$o"
done
for c in $("$TOP/$BUILD/wsusadm" --help | sed -n '/^commands:/,/^The password/p' | awk 'NR > 1 && /^  / { print $1 }' | sort -u); do
	grep -q "^\.It Cm $c\b" "$M/man1/wsusadm.1" || m="$m $c"
done
for x in $("$TOP/$BUILD/wsusadm" --help | sed -n 's/^  \([0-9]\) .*/\1/p'); do
	sed -n '/^\.Sh EXIT STATUS/,/^\.Sh /p' "$M/man1/wsusadm.1" | grep -qx "\.It $x" || m="$m exit$x"
done
[ -z "$m" ] && ok "wsusadm.1 documents every option, command and exit code of wsusadm --help" || fail "wsusadm.1 lacks:$m"
m=""
for s in SIGHUP SIGTERM SIGINT 8530 8531 "Require SSL"; do
	grep -q "$s" "$M/man8/wsusd.8" || m="$m '$s'"
done
[ -z "$m" ] && ok "wsusd.8 covers signals, ports, Require SSL" || fail "wsusd.8 lacks:$m"
for p in "$M"/man*/*; do
	out=$(mandoc -T lint -W warning "$p" 2>&1); st=$?
	[ $st = 0 ] && [ -z "$out" ] && ok "mandoc -T lint -W warning $(basename "$p")" ||
		fail "mandoc lint $(basename "$p"): $out"
done

# --- systemd-analyze verify ----------------------------------------------------
# --root makes verify resolve ExecStart=/usr/sbin/wsusd and friends inside
# a tree instead of the real /usr: here the install tree, plus what the
# unit takes from the base system and which make install does not ship
# (the standard targets of the host's systemd, /bin/kill).  MANPATH points
# the Documentation= check at the installed pages.  The unit is verified
# as installed, unchanged; without the binary in the tree verify fails.
V=$T/vroot
mkdir -p "$V/usr/lib/systemd" "$V/usr/bin" && ln -s usr/bin "$V/bin"
cp -a /usr/lib/systemd/system "$V/usr/lib/systemd/" 2>/dev/null
cp "$(readlink -f /bin/kill)" "$V/usr/bin/kill" 2>/dev/null
cp -a "$R/usr" "$R/etc" "$V/"
out=$(MANPATH=$V/usr/share/man systemd-analyze verify --root="$V" wsusd.service 2>&1); st=$?
[ $st = 0 ] && [ -z "$out" ] && ok "systemd-analyze verify accepts wsusd.service" ||
	fail "systemd-analyze verify ($st): $out"
rm "$V/usr/sbin/wsusd"
out=$(MANPATH=$V/usr/share/man systemd-analyze verify --root="$V" wsusd.service 2>&1)
echo "$out" | grep -q "/usr/sbin/wsusd is not executable" &&
	ok "verify refuses the unit when /usr/sbin/wsusd is missing" || fail "verify without binary: $out"

# --- make deb, lintian, contents -----------------------------------------------
VER=$(sed -n 's/^VERSION *:= *//p' Makefile)
DEB=$BUILD/wsusd_$VER-1_$(dpkg --print-architecture).deb
rm -f "$DEB"
mk -j"$(nproc)" deb >"$T/deb.log" 2>&1
[ $? = 0 ] && [ -f "$DEB" ] && ok "make deb: $DEB" || fail "make deb: $(tail -5 "$T/deb.log")"
lintian "$DEB" >"$T/lintian.out" 2>&1; st=$?
sed 's/^/# lintian: /' "$T/lintian.out"
[ -s "$DEB" ] && [ $st = 0 ] && ! grep -q '^E:' "$T/lintian.out" && ok "lintian: no errors" ||
	fail "lintian ($st): $(grep '^E:' "$T/lintian.out")"
dpkg-deb -c "$DEB" >"$T/contents" 2>&1
m=""
for p in ./usr/sbin/wsusd ./usr/sbin/wsusutil ./usr/bin/wsusclient ./etc/wsusd/wsusd.conf \
	./usr/lib/systemd/system/wsusd.service ./usr/share/man/man8/wsusd.8.gz \
	./usr/share/man/man8/wsusutil.8.gz ./usr/share/man/man5/wsusd.conf.5.gz \
	./usr/share/man/man1/wsusclient.1.gz ./usr/bin/wsusadm ./usr/share/man/man1/wsusadm.1.gz \
	./usr/share/doc/wsusd/copyright \
	./usr/share/doc/wsusd/changelog.Debian.gz; do
	grep -q " $p$" "$T/contents" || m="$m $p"
done
[ -z "$m" ] && ok "dpkg-deb -c lists the programs, config, unit, man pages, copyright, changelog" ||
	fail "missing in the .deb:$m"
awk '$2 != "root/root"' "$T/contents" | grep -q . && fail "files not owned by root" || ok "every file root/root"
grep -E ' \./usr/s?bin/wsus' "$T/contents" | grep -qv '^-rwxr-xr-x' && fail "binary modes" || ok "binaries 0755"
grep -qE ' \./(var/lib/wsusd|etc/wsusd/tls)/?$' "$T/contents" && fail "ships /var/lib/wsusd or /etc/wsusd/tls" ||
	ok "no data or tls directory shipped (postinst makes them)"
[ "$(dpkg-deb -f "$DEB" Version)" = "$VER-1" ] && ok "Version $VER-1" || fail "Version $(dpkg-deb -f "$DEB" Version)"
dep=$(dpkg-deb -f "$DEB" Depends)
m=""
for p in adduser libc6 libmicrohttpd12 libmbedtls14 libmbedx509-1 libmbedcrypto7 libsqlite3-0 zlib1g libexpat1 libcurl4; do
	echo "$dep" | grep -q "\b$p\b" || m="$m $p"
done
[ -z "$m" ] && ok "Depends: $dep" || fail "Depends lacks$m: $dep"
dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./conffiles 2>/dev/null | grep -qx /etc/wsusd/wsusd.conf &&
	ok "conffile /etc/wsusd/wsusd.conf" || fail "conffiles"
mkdir -p "$T/x" && dpkg-deb -x "$DEB" "$T/x"
file "$T/x/usr/sbin/wsusd" "$T/x/usr/sbin/wsusutil" "$T/x/usr/bin/wsusclient" "$T/x/usr/bin/wsusadm" | grep -v ', stripped' | grep -q . &&
	fail "unstripped: $(file "$T/x/usr/sbin/wsusd")" || ok "binaries stripped"
zcat "$T/x/usr/share/doc/wsusd/changelog.Debian.gz" | head -1 | grep -q "^wsusd ($VER-1)" &&
	ok "changelog.Debian.gz at $VER-1" || fail "changelog"
grep -q '^License: Expat' "$T/x/usr/share/doc/wsusd/copyright" &&
	grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' "$T/x/usr/share/doc/wsusd/copyright" &&
	ok "machine-readable copyright, Expat (MIT)" || fail "copyright"

# --- the real dpkg, in a scratch root ---------------------------------------------
# dpkg --root unpacks into $D and records the package in $D/var/lib/dpkg;
# --force-script-chrootless runs the maintainer scripts without chroot, with
# DPKG_ROOT=$D, which they prefix to every path (deb-systemd-helper and
# dpkg-statoverride honour it too).  --force-depends: the scratch database
# holds none of the libraries.  The commands that act on the host's user
# database (adduser, deluser, delgroup, getent for wsusd) and chown (to a
# user that does not exist here) are stubs that record their calls; the
# rest - mkdir, chmod, rm, the packaged wsusutil making the certificate,
# deb-systemd-helper - is real.  systemctl and deb-systemd-invoke are never
# reached: the scripts skip them when DPKG_ROOT is set.
D=$T/dpkgroot S=$T/stub L=$T/stub.log
mkdir -p "$D/var/lib/dpkg/info" "$D/var/lib/dpkg/updates" "$D/var/lib/dpkg/triggers" "$S"
touch "$D/var/lib/dpkg/status" "$D/var/lib/dpkg/available" "$L"
for c in adduser deluser delgroup chown; do
	printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$c" "$L" >"$S/$c"
done
cat >"$S/getent" <<EOF
#!/bin/sh
# wsusd exists once the adduser stub ran, until deluser (passwd) or
# delgroup (group) ran; every other lookup is the real getent.
[ "\$2" = wsusd ] || exec /usr/bin/getent "\$@"
grep -q '^adduser' "$L" || exit 2
[ "\$1" = passwd ] && ! grep -q '^deluser' "$L" && { echo "wsusd:x:999:999::/var/lib/wsusd:/usr/sbin/nologin"; exit 0; }
[ "\$1" = group ] && ! grep -q '^delgroup' "$L" && { echo "wsusd:x:999:"; exit 0; }
exit 2
EOF
chmod 755 "$S"/*
host_state() { md5sum /var/lib/dpkg/status /var/log/dpkg.log 2>/dev/null; getent passwd wsusd; }
before=$(host_state)
dp() { PATH=$S:$PATH dpkg --root="$D" --log="$D/dpkg.log" --force-script-chrootless --force-not-root \
	--force-depends "$@"; }

dp -i "$DEB" >"$T/dpkg-i.log" 2>&1 && ok "dpkg --root -i (postinst configure)" || fail "dpkg -i: $(tail -5 "$T/dpkg-i.log")"
grep -q '^adduser --system --group .*--home /var/lib/wsusd --no-create-home.* wsusd$' "$L" &&
	ok "postinst: adduser --system --group wsusd" || fail "adduser call: $(cat "$L")"
for c in "chown wsusd:wsusd $D/var/lib/wsusd" "chown root:wsusd $D/etc/wsusd/tls" \
	"chown wsusd:wsusd $D/etc/wsusd/tls/server.key"; do
	grep -qxF "$c" "$L" && ok "postinst: ${c/$D/}" || fail "no '$c' in: $(cat "$L")"
done
[ "$(mode "$D/var/lib/wsusd")" = 750 ] && [ "$(mode "$D/etc/wsusd/tls")" = 750 ] &&
	[ "$(mode "$D/etc/wsusd/tls/server.key")" = 600 ] && [ -f "$D/etc/wsusd/tls/server.crt" ] &&
	ok "postinst: /var/lib/wsusd 0750, /etc/wsusd/tls 0750, self-signed pair, key 0600" ||
	fail "modes: $(ls -ld "$D/var/lib/wsusd" "$D/etc/wsusd/tls" "$D/etc/wsusd/tls/"* 2>&1)"
out=$("$D/usr/sbin/wsusd" -c "$D/etc/wsusd/wsusd.conf" -n 2>&1)
[ $? = 0 ] && ok "packaged wsusd -n accepts the first-install configuration" || fail "wsusd -n: $out"
[ -L "$D/etc/systemd/system/multi-user.target.wants/wsusd.service" ] &&
	ok "postinst: unit enabled (deb-systemd-helper)" || fail "unit not enabled"
dpkg-query --admindir="$D/var/lib/dpkg" -W -f='${Status}' wsusd | grep -q "install ok installed" &&
	ok "installed in the scratch database" || fail "status"

# remove: programs go, data, configuration and certificate stay.
echo "the catalogue" >"$D/var/lib/wsusd/wsusd.db"
: >"$L"
dp -r wsusd >"$T/dpkg-r.log" 2>&1 && ok "dpkg --root -r (prerm, postrm remove)" || fail "dpkg -r: $(tail -5 "$T/dpkg-r.log")"
[ ! -e "$D/usr/sbin/wsusd" ] && ok "remove: programs gone" || fail "remove left /usr/sbin/wsusd"
[ "$(cat "$D/var/lib/wsusd/wsusd.db" 2>/dev/null)" = "the catalogue" ] &&
	ok "remove keeps /var/lib/wsusd and its data" || fail "remove deleted data"
[ -f "$D/etc/wsusd/wsusd.conf" ] && [ -f "$D/etc/wsusd/tls/server.key" ] && [ -f "$D/etc/wsusd/tls/server.crt" ] &&
	ok "remove keeps the config, certificate and key" || fail "remove deleted /etc/wsusd files"
grep -q '^del' "$L" && fail "remove removed the user: $(cat "$L")" || ok "remove keeps the wsusd user"

# purge: everything goes.
: >"$L"; echo "adduser (made at install)" >>"$L"
dp -P wsusd >"$T/dpkg-P.log" 2>&1 && ok "dpkg --root -P (postrm purge)" || fail "dpkg -P: $(tail -5 "$T/dpkg-P.log")"
[ ! -e "$D/var/lib/wsusd" ] && ok "purge removes /var/lib/wsusd" || fail "purge left /var/lib/wsusd"
[ ! -e "$D/etc/wsusd" ] && ok "purge removes /etc/wsusd (conffile, tls pair)" || fail "purge left: $(find "$D/etc/wsusd")"
grep -qx 'deluser --system --quiet wsusd' "$L" && grep -q '^delgroup .*wsusd$' "$L" &&
	ok "purge: deluser and delgroup wsusd" || fail "purge calls: $(cat "$L")"
st=$(dpkg-query --admindir="$D/var/lib/dpkg" -W -f='${Status}' wsusd 2>&1)
case $st in *"not-installed"*|*"no packages found"*) ok "purged from the scratch database" ;;
*) fail "status after purge: $st" ;; esac
[ "$(host_state)" = "$before" ] && ok "host dpkg database, dpkg.log and users untouched" || fail "host state changed"
done_
