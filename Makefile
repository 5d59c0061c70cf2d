# wsusd - a WSUS-compatible update server.  `make run` builds and starts it
# on an embedded default; `make test` builds and runs every test, then runs
# the suite again under AddressSanitizer + UndefinedBehaviorSanitizer.
#
# Three programs and the folders they link (README, "Architecture"):
#   wsusd       server/  + webservices/ + store/ + conf/ + common/
#   wsusutil    admin/   + store/ + conf/ + common/
#   wsusclient  tools/   + common/
#   wsusadm     tools/wsusadm*.c + common/
# Each folder is a static library built with only the include paths its
# rules allow (INC_*), so a forbidden include does not compile.

CC       ?= cc
BUILD    ?= build
SANITIZER ?=
CFLAGS   ?= -O2 -g
VERSION  := 0.1.0
WARN     := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wmissing-prototypes \
            -Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral
CPPFLAGS += -D_GNU_SOURCE -DWSUSD_VERSION='"$(VERSION)"'
ifneq ($(SANITIZER),)
CFLAGS   += -fsanitize=$(SANITIZER) -fno-sanitize-recover=all -fno-omit-frame-pointer -O1
LDFLAGS  += -fsanitize=$(SANITIZER)
endif
LIBS_SRV := -lmicrohttpd -lmbedtls -lmbedx509 -lmbedcrypto -lsqlite3 -lz -lexpat -lpthread
# GSSAPI (MIT krb5; gss-ntlmssp is loaded by it as a mechanism): wsusd's
# server/auth.c only.
LIBS_GSS := -lgssapi_krb5
LIBS_CLI := -lcurl -lmbedtls -lmbedx509 -lmbedcrypto -lz -lexpat -lpthread

# Debian packages the build, `make run` and the tests need.
DEB_BUILD := gcc make pkg-config libmicrohttpd-dev libmbedtls-dev libsqlite3-dev \
             zlib1g-dev libexpat1-dev libcurl4-openssl-dev libkrb5-dev
DEB_TEST  := curl openssl python3 python3-zeep cabextract osslsigncode sqlite3 procps iproute2
DEB_TEST  += gcab git mandoc systemd lintian dpkg-dev fakeroot
DEB_TEST  += gss-ntlmssp krb5-kdc krb5-admin-server krb5-user python3-requests-ntlm
DEB_BENCH := nginx-light wrk hyperfine

# --- sources, one list per folder --------------------------------------------
COMMON_SRCS := common/log.c common/crypto.c common/xml.c common/xpress.c common/zip.c \
               common/cab.c common/authenticode_sign.c common/authenticode_verify.c
CONF_SRCS   := conf/config.c
STORE_SRCS  := store/open.c store/db.c store/stmt.c store/schema.c store/advert.c store/settings.c \
               store/audit.c store/account.c \
               store/group.c store/guid.c store/catalog.c store/approval.c \
               store/computer.c store/report.c store/expire.c store/updatedoc.c \
               store/console.c
WS_SRCS     := webservices/services.c webservices/env.c webservices/soap.c webservices/wsdl.c \
               webservices/wsdl_blob.S webservices/cookie.c webservices/encoding.c \
               webservices/client.c webservices/simpleauth.c webservices/reporting.c \
               webservices/catalog.c webservices/apiremoting.c webservices/scope.c \
               webservices/dssauth.c webservices/serversync.c
SERVER_SRCS := server/main.c server/route.c server/content.c server/tls.c server/relay.c server/peer.c \
               server/http.c server/pool.c server/advert.c server/certwatch.c server/auth.c
ADMIN_SRCS  := admin/wsusutil.c admin/wsusutil_tls.c admin/wsusutil_pki.c admin/certreq.c \
               admin/pki.c admin/publish.c admin/actor.c admin/wsusutil_audit.c \
               admin/wsusutil_user.c
TOOLS_SRCS  := tools/wsusclient.c tools/wua_http.c tools/wua_session.c tools/wua_scan.c \
               tools/wua_state.c tools/wua_download.c tools/wua_report.c tools/wua_util.c \
               tools/wua_trust.c
WSUSADM_SRCS := tools/wsusadm.c tools/wsusadm_cmd.c tools/wsusadm_http.c tools/wsusadm_diag.c \
               tools/wsusadm_out.c

# --- what each folder may include ----------------------------------------------
# server/limits.h is the index of every limit; conf/, webservices/ and
# admin/ read it (tests/layout.sh checks that it is the only server/ header
# they include).
INC_common      := -iquote common
INC_conf        := -iquote conf -iquote common -iquote server
INC_store       := -iquote store -iquote common
INC_webservices := -iquote webservices -iquote store -iquote conf -iquote common -iquote server
INC_server      := -iquote server -iquote webservices -iquote store -iquote conf -iquote common
INC_admin       := -iquote admin -iquote store -iquote conf -iquote common -iquote server
INC_tools       := -iquote tools -iquote common
INC_tests       := -iquote tests/unit $(INC_server) -iquote admin

UNIT_TESTS := test_config test_route test_range test_pool test_store test_crypto test_xpress test_cookie \
              test_xml test_updatedoc test_authenticode_verify test_authenticode_sign test_pki test_peer \
              test_scope

obj  = $(patsubst %,$(BUILD)/obj/%.o,$(basename $(1)))
LIB_COMMON := $(BUILD)/lib/libcommon.a
LIB_CONF   := $(BUILD)/lib/libconf.a
LIB_STORE  := $(BUILD)/lib/libstore.a
LIB_WS     := $(BUILD)/lib/libwebservices.a

all: $(BUILD)/wsusd $(BUILD)/wsusutil $(BUILD)/wsusclient $(BUILD)/wsusadm

# --- build dependencies: stop before compiling, naming what is missing -----------
# `make test`, `make run` and `make deps` install them; other goals check.
ifeq ($(filter deps deps-bench test run clean install-deps,$(MAKECMDGOALS)),)
ifneq ($(MAKECMDGOALS),help)
DEPS_MISSING := $(shell ./tests/deps.sh --check $(DEB_BUILD))
ifneq ($(DEPS_MISSING),)
$(error missing Debian packages:$(DEPS_MISSING) - run `make deps` (as root or with sudo), or: apt-get install -y$(DEPS_MISSING))
endif
endif
endif

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(INC) $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

$(BUILD)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Wa,-Iwebservices/wsdl -MMD -MP -c -o $@ $<

$(BUILD)/obj/common/%.o:      INC = $(INC_common)
$(BUILD)/obj/conf/%.o:        INC = $(INC_conf)
$(BUILD)/obj/store/%.o:       INC = $(INC_store)
$(BUILD)/obj/webservices/%.o: INC = $(INC_webservices)
$(BUILD)/obj/server/%.o:      INC = $(INC_server)
$(BUILD)/obj/admin/%.o:       INC = $(INC_admin)
$(BUILD)/obj/tools/%.o:       INC = $(INC_tools)
$(BUILD)/obj/tests/%.o:       INC = $(INC_tests)

$(BUILD)/lib/lib%.a:
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(LIB_COMMON): $(call obj,$(COMMON_SRCS))
$(LIB_CONF):   $(call obj,$(CONF_SRCS))
$(LIB_STORE):  $(call obj,$(STORE_SRCS))
$(LIB_WS):     $(call obj,$(WS_SRCS))

# The archives in dependency order: a folder only calls those after it.
LIBS_WSUSD := $(LIB_WS) $(LIB_STORE) $(LIB_CONF) $(LIB_COMMON)
LIBS_UTIL  := $(LIB_STORE) $(LIB_CONF) $(LIB_COMMON)

$(BUILD)/wsusd: $(call obj,$(SERVER_SRCS)) $(LIBS_WSUSD)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_SRV) $(LIBS_GSS)

$(BUILD)/wsusutil: $(call obj,$(ADMIN_SRCS)) $(LIBS_UTIL)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_SRV)

$(BUILD)/wsusclient: $(call obj,$(TOOLS_SRCS)) $(LIB_COMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CLI)

$(BUILD)/wsusadm: $(call obj,$(WSUSADM_SRCS)) $(LIB_COMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CLI)

# Unit tests: the test, the files of the folder under test that are not in
# a library, and the libraries.
$(BUILD)/test_route: $(call obj,server/route.c)
$(BUILD)/test_peer:  $(call obj,server/peer.c)
$(BUILD)/test_range: $(call obj,server/content.c)
$(BUILD)/test_pool:  $(call obj,server/pool.c)
$(BUILD)/test_pki:   $(call obj,admin/pki.c)
$(BUILD)/test_%: $(BUILD)/obj/tests/unit/test_%.o $(LIBS_WSUSD)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIBS_WSUSD) $(LIBS_SRV)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# --- set-up: install missing Debian packages (root or sudo) ---------------
deps:
	@./tests/deps.sh $(DEB_BUILD) $(DEB_TEST)
deps-bench:
	@./tests/deps.sh $(DEB_BENCH)

# --- run on the embedded default ---------------------------------------------
RUNDIR ?= run
run: deps
	$(MAKE) --no-print-directory all
	$(BUILD)/wsusutil init $(RUNDIR)
	exec $(BUILD)/wsusd -c $(RUNDIR)/wsusd.conf

# --- tests -------------------------------------------------------------------
check-unit: $(addprefix $(BUILD)/,$(UNIT_TESTS))
	@./tests/run.sh unit $(BUILD) $(UNIT_TESTS)

check-e2e: all
	@./tests/run.sh e2e $(BUILD)

check-layout: all
	@./tests/layout.sh $(BUILD)

# A clone of HEAD with nothing beside it builds and passes the checks that
# read fixtures (part of `make test`; about a minute).
check-clean-clone:
	@./tests/clean_clone.sh

check: check-layout check-unit check-e2e check-clean-clone

check-asan:
	$(MAKE) --no-print-directory BUILD=build-asan SANITIZER=address,undefined check-unit check-e2e

test: deps
	$(MAKE) --no-print-directory check
	$(MAKE) --no-print-directory check-asan

bench: deps deps-bench
	$(MAKE) --no-print-directory all
	./bench/run.sh $(BUILD)

clean:
	rm -rf build build-asan

.PHONY: all deps deps-bench run check-unit check-e2e check-layout check-clean-clone check check-asan test bench clean

# .incbin is invisible to -MMD: the WSDL blob depends on the WSDL files.
$(BUILD)/obj/webservices/wsdl_blob.o: $(wildcard webservices/wsdl/*.wsdl)

# --- fuzzing (clang + libFuzzer; not part of `make test`) ---------------------
FUZZ_SECONDS ?= 30
FUZZ_CC := clang -g -O1 -fsanitize=fuzzer,address,undefined $(CPPFLAGS) $(INC_tests)
fuzz:
	@mkdir -p $(BUILD)/fuzz
	$(FUZZ_CC) -o $(BUILD)/fuzz/fuzz_xml tests/fuzz/fuzz_xml.c common/xml.c common/log.c -lexpat
	$(FUZZ_CC) -o $(BUILD)/fuzz/fuzz_xpress tests/fuzz/fuzz_xpress.c common/xpress.c common/log.c
	$(FUZZ_CC) -o $(BUILD)/fuzz/fuzz_cookie tests/fuzz/fuzz_cookie.c webservices/cookie.c common/crypto.c common/log.c -lmbedtls -lmbedx509 -lmbedcrypto
	$(FUZZ_CC) -o $(BUILD)/fuzz/fuzz_config tests/fuzz/fuzz_config.c conf/config.c common/log.c
	$(FUZZ_CC) -o $(BUILD)/fuzz/fuzz_range tests/fuzz/fuzz_range.c server/content.c common/log.c
	for f in xml xpress cookie config range; do \
		$(BUILD)/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) >$(BUILD)/fuzz/$$f.log 2>&1 || \
			{ tail -30 $(BUILD)/fuzz/$$f.log; exit 1; }; \
		echo "fuzz_$$f: $$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' $(BUILD)/fuzz/$$f.log)"; done

.PHONY: fuzz

# fuzz_authenticode: the seed is a cabinet signed at run time (gcab, openssl,
# osslsigncode); mutations of it reach the PKCS#7 parser and the trust checks.
FUZZ_AC := $(BUILD)/fuzz/authenticode
fuzz-authenticode:
	@mkdir -p $(FUZZ_AC)/corpus $(FUZZ_AC)/store
	$(FUZZ_CC) -fno-sanitize-recover=all -o $(BUILD)/fuzz/fuzz_authenticode tests/fuzz/fuzz_authenticode.c \
		common/authenticode_verify.c common/cab.c common/crypto.c common/log.c -lmbedtls -lmbedx509 -lmbedcrypto -lz
	cd $(FUZZ_AC) && rm -f corpus/seed.cab && echo seed >a.txt && gcab -c -z u.cab a.txt && \
		openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out store/c.pem -days 30 \
		-subj /CN=fuzz -addext extendedKeyUsage=codeSigning 2>/dev/null && \
		osslsigncode sign -certs store/c.pem -key k.pem -h sha256 -in u.cab -out corpus/seed.cab >/dev/null
	FUZZ_AUTHENTICODE_SEED=$(FUZZ_AC)/corpus/seed.cab FUZZ_AUTHENTICODE_PUB=$(FUZZ_AC)/store \
		FUZZ_AUTHENTICODE_ROOT=$(FUZZ_AC)/store $(BUILD)/fuzz/fuzz_authenticode -max_len=4096 \
		-max_total_time=$(FUZZ_SECONDS) $(FUZZ_AC)/corpus >$(FUZZ_AC)/log 2>&1 || { tail -30 $(FUZZ_AC)/log; exit 1; }
	@echo "fuzz_authenticode: $$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' $(FUZZ_AC)/log)"
.PHONY: fuzz-authenticode

include mk/install.mk
