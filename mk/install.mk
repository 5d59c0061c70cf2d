# mk/install.mk - `make install`, `make uninstall` and `make deb`
# (included by the Makefile; tests/e2e/t_install.sh tests all three).
#
# install   the programs, the documented configuration, the man pages and
#           the systemd unit under DESTDIR + PREFIX.  Never overwrites an
#           installed configuration, never needs root: it sets modes, not
#           owners (the Debian postinst makes the wsusd user own what the
#           daemon reads and writes).
# uninstall removes what install put there, except the configuration.
# deb       BUILD/wsusd_VERSION-REV_ARCH.deb: the programs rebuilt with Debian's
#           build flags (dpkg-buildflags, hardening=+all) in BUILD/pkg,
#           installed with PREFIX=/usr into BUILD/deb/debian/wsusd (the
#           layout dpkg-shlibdeps expects), stripped, man pages gzipped,
#           copyright and changelog.Debian.gz added, maintainer scripts from
#           dist/deb/, packed with dpkg-deb --root-owner-group.

PREFIX        ?= /usr/local
ifeq ($(PREFIX),/usr)
SYSCONFDIR    ?= /etc
else
SYSCONFDIR    ?= $(PREFIX)/etc
endif
LOCALSTATEDIR ?= /var
BINDIR        ?= $(PREFIX)/bin
SBINDIR       ?= $(PREFIX)/sbin
MANDIR        ?= $(PREFIX)/share/man
UNITDIR       ?= $(PREFIX)/lib/systemd/system
INSTALL       ?= install
STRIP         ?= strip

MAN_PAGES := doc/man/wsusclient.1 doc/man/wsusd.conf.5 doc/man/wsusd.8 doc/man/wsusutil.8
CONF_DIR  := $(DESTDIR)$(SYSCONFDIR)/wsusd

# The documented example with the [tls] pair made live (relative paths are
# relative to the configuration's directory: SYSCONFDIR/wsusd/tls/) and
# data_dir under LOCALSTATEDIR (forced: it depends on LOCALSTATEDIR).  The
# greps catch an example whose lines changed so that the edit no longer
# applies.
$(BUILD)/wsusd.conf.install: conf/wsusd.conf FORCE
	@mkdir -p $(dir $@)
	sed -e 's|^#cert = .*|# (installed: the pair `wsusutil selfsigned` makes)\ncert = tls/server.crt|' \
	    -e 's|^#key = .*|key = tls/server.key|' \
	    -e 's|^data_dir = .*|data_dir = $(LOCALSTATEDIR)/lib/wsusd|' conf/wsusd.conf >$@.tmp
	grep -qx 'cert = tls/server.crt' $@.tmp && grep -qx 'key = tls/server.key' $@.tmp && \
	    grep -qx 'data_dir = $(LOCALSTATEDIR)/lib/wsusd' $@.tmp || \
	    { echo "mk/install.mk: conf/wsusd.conf no longer has #cert, #key or data_dir lines" >&2; exit 1; }
	mv $@.tmp $@

# The unit names /usr/sbin, /etc/wsusd and /var/lib/wsusd; other
# directories are written in.  Force: the rewrite depends on variables.
$(BUILD)/wsusd.service.install: dist/systemd/wsusd.service FORCE
	@mkdir -p $(dir $@)
	sed -e 's|/usr/sbin/|$(SBINDIR)/|g' -e 's|/etc/wsusd/|$(SYSCONFDIR)/wsusd/|g' \
	    -e 's|/var/lib/wsusd|$(LOCALSTATEDIR)/lib/wsusd|g' dist/systemd/wsusd.service >$@

install: all $(BUILD)/wsusd.conf.install $(BUILD)/wsusd.service.install
	$(INSTALL) -d -m 0755 $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(CONF_DIR)
	$(INSTALL) -d -m 0750 $(CONF_DIR)/tls
	$(INSTALL) -m 0755 $(BUILD)/wsusd $(BUILD)/wsusutil $(DESTDIR)$(SBINDIR)/
	$(INSTALL) -m 0755 $(BUILD)/wsusclient $(DESTDIR)$(BINDIR)/
	for m in $(MAN_PAGES); do \
		$(INSTALL) -m 0644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/ || exit 1; done
	$(INSTALL) -m 0644 $(BUILD)/wsusd.service.install $(DESTDIR)$(UNITDIR)/wsusd.service
	@if [ -e $(CONF_DIR)/wsusd.conf ]; then \
		echo "keeping the installed $(CONF_DIR)/wsusd.conf"; \
	else \
		echo "$(INSTALL) -m 0644 $(BUILD)/wsusd.conf.install $(CONF_DIR)/wsusd.conf"; \
		$(INSTALL) -m 0644 $(BUILD)/wsusd.conf.install $(CONF_DIR)/wsusd.conf; \
	fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/wsusd $(DESTDIR)$(SBINDIR)/wsusutil $(DESTDIR)$(BINDIR)/wsusclient \
	    $(DESTDIR)$(UNITDIR)/wsusd.service \
	    $(foreach m,$(MAN_PAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))
	@echo "left $(CONF_DIR) (configuration, certificate and key) in place"

# --- the Debian binary package ---------------------------------------------
DEB_ARCH       = $(shell dpkg --print-architecture)
DEB_MAINTAINER ?= wsusd contributors <wsusd@lists.example.org>
# Upstream VERSION plus a Debian revision: the packaging is versioned on
# its own (dist/deb/changelog), so the package is not "native" and its
# changelog is changelog.Debian.gz.
DEB_REVISION  ?= 1
DEB_VERSION    = $(VERSION)-$(DEB_REVISION)
DEB_OUT        = $(BUILD)/wsusd_$(DEB_VERSION)_$(DEB_ARCH).deb
DEB_WORK      := $(BUILD)/deb
DEB_TREE      := $(DEB_WORK)/debian/wsusd
DEB_FLAGS      = DEB_BUILD_MAINT_OPTIONS=hardening=+all
DEB_DOC       := $(DEB_TREE)/usr/share/doc/wsusd

deb:
	@for t in dpkg-deb dpkg-shlibdeps dpkg-buildflags; do command -v $$t >/dev/null || \
		{ echo "make deb: $$t missing - run \`make deps\` (dpkg-dev)" >&2; exit 1; }; done
	@v=$$(sed -n '1s/^wsusd (\([^)]*\)).*/\1/p' dist/deb/changelog); [ "$$v" = "$(DEB_VERSION)" ] || \
		{ echo "make deb: dist/deb/changelog is at $$v, not $(DEB_VERSION)" >&2; exit 1; }
	rm -rf $(DEB_WORK)
	env CPPFLAGS="$$($(DEB_FLAGS) dpkg-buildflags --get CPPFLAGS)" \
	    CFLAGS="$$($(DEB_FLAGS) dpkg-buildflags --get CFLAGS)" \
	    LDFLAGS="$$($(DEB_FLAGS) dpkg-buildflags --get LDFLAGS)" \
	    $(MAKE) --no-print-directory BUILD=$(BUILD)/pkg SANITIZER= DESTDIR=$(abspath $(DEB_TREE)) \
	    PREFIX=/usr SYSCONFDIR=/etc LOCALSTATEDIR=/var BINDIR=/usr/bin SBINDIR=/usr/sbin \
	    MANDIR=/usr/share/man UNITDIR=/usr/lib/systemd/system install
	# postinst makes /etc/wsusd/tls (root:wsusd 0750) and /var/lib/wsusd,
	# so that removing the package never has dpkg touch what they hold.
	rmdir $(DEB_TREE)/etc/wsusd/tls
	$(STRIP) --remove-section=.comment --remove-section=.note --strip-unneeded \
	    $(DEB_TREE)/usr/sbin/wsusd $(DEB_TREE)/usr/sbin/wsusutil $(DEB_TREE)/usr/bin/wsusclient
	gzip -9n $(DEB_TREE)/usr/share/man/man*/*
	$(INSTALL) -d -m 0755 $(DEB_DOC) $(DEB_TREE)/DEBIAN
	gzip -9nc dist/deb/changelog >$(DEB_DOC)/changelog.Debian.gz
	chmod 0644 $(DEB_DOC)/changelog.Debian.gz
	{ printf 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n'; \
	  printf 'Upstream-Name: wsusd\n\nFiles: *\n'; \
	  sed -n 's/^Copyright (c) /Copyright: /p' LICENSE; \
	  printf 'License: Expat\n'; \
	  sed -n '/^Permission is hereby/,$$p' LICENSE | sed -e 's/^$$/./' -e 's/^/ /'; \
	} >$(DEB_DOC)/copyright
	chmod 0644 $(DEB_DOC)/copyright
	printf 'Source: wsusd\n\nPackage: wsusd\nArchitecture: any\n' >$(DEB_WORK)/debian/control
	cd $(DEB_WORK) && dpkg-shlibdeps -O -e debian/wsusd/usr/sbin/wsusd \
	    -e debian/wsusd/usr/sbin/wsusutil -e debian/wsusd/usr/bin/wsusclient \
	    | sed -n 's/^shlibs:Depends=//p' >shlibs.depends
	test -s $(DEB_WORK)/shlibs.depends
	$(INSTALL) -m 0755 dist/deb/postinst dist/deb/prerm dist/deb/postrm $(DEB_TREE)/DEBIAN/
	echo /etc/wsusd/wsusd.conf >$(DEB_TREE)/DEBIAN/conffiles
	cd $(DEB_TREE) && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | \
	    xargs -0 md5sum >DEBIAN/md5sums
	{ echo "Package: wsusd"; \
	  echo "Version: $(DEB_VERSION)"; \
	  echo "Architecture: $(DEB_ARCH)"; \
	  echo "Maintainer: $(DEB_MAINTAINER)"; \
	  echo "Installed-Size: $$(du -sk --exclude=DEBIAN $(DEB_TREE) | cut -f1)"; \
	  echo "Depends: adduser, $$(cat $(DEB_WORK)/shlibs.depends)"; \
	  echo "Recommends: gss-ntlmssp"; \
	  echo "Section: net"; \
	  echo "Priority: optional"; \
	  echo "Description: WSUS-compatible update server for Windows clients"; \
	  echo " wsusd speaks the web service protocols of Windows Server Update"; \
	  echo " Services (MS-WUSP client protocol, reporting, content download) so"; \
	  echo " that Windows Update clients can scan, download and report against a"; \
	  echo " Linux server, without Windows Server, IIS or SQL Server."; \
	  echo " ."; \
	  echo " The package contains the daemon wsusd (a systemd service running as"; \
	  echo " the wsusd user, on ports 8530 and 8531), the admin tool wsusutil"; \
	  echo " (certificates, catalogue, groups, approvals, local publishing) and"; \
	  echo " wsusclient, a Windows Update Agent stand-in for checking a server."; \
	} >$(DEB_TREE)/DEBIAN/control
	chmod 0644 $(DEB_TREE)/DEBIAN/control $(DEB_TREE)/DEBIAN/conffiles $(DEB_TREE)/DEBIAN/md5sums
	dpkg-deb --root-owner-group -Zxz --build $(DEB_TREE) $(DEB_OUT)
	@echo "built $(DEB_OUT)"

FORCE:
.PHONY: install uninstall deb FORCE
