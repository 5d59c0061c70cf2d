# wsusd - a WSUS-compatible update server.  `make run` builds and starts it
# on an embedded default; `make test` builds and runs every test, then runs
# the suite again under AddressSanitizer + UndefinedBehaviorSanitizer.

CC       ?= cc
BUILD    ?= build
SANITIZER ?=
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wmissing-prototypes \
            -Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral
CPPFLAGS += -D_GNU_SOURCE -iquote server -iquote conf -iquote store -iquote webservices
ifneq ($(SANITIZER),)
CFLAGS   += -fsanitize=$(SANITIZER) -fno-sanitize-recover=all -fno-omit-frame-pointer -O1
LDFLAGS  += -fsanitize=$(SANITIZER)
endif
LIBS_SRV := -lmicrohttpd -lmbedtls -lmbedx509 -lmbedcrypto -lsqlite3 -lz -lexpat -lpthread
LIBS_CLI := -lcurl -lmbedtls -lmbedx509 -lmbedcrypto -lpthread

# Debian packages the build, `make run` and the tests need.
DEB_BUILD := gcc make pkg-config libmicrohttpd-dev libmbedtls-dev libsqlite3-dev \
             zlib1g-dev libexpat1-dev libcurl4-openssl-dev
DEB_TEST  := curl openssl python3 python3-zeep cabextract osslsigncode sqlite3 procps iproute2
DEB_TEST  += gcab
DEB_BENCH := nginx-light wrk hyperfine

CONF_SRCS := conf/config.c
STORE_SRCS := store/db.c store/stmt.c store/schema.c store/advert.c store/group.c store/guid.c \
              store/catalog.c store/approval.c store/computer.c store/report.c
STORE_SRCS += store/expire.c
WS_SRCS   := webservices/soap.c webservices/wsdl.c webservices/services.c \
             webservices/xpress.c webservices/cookie.c webservices/xml.c webservices/updatedoc.c webservices/wsdl_blob.S
WS_SRCS   += webservices/client.c webservices/simpleauth.c webservices/reporting.c \
             webservices/catalog.c webservices/encoding.c
SRV_SRCS  := server/log.c server/route.c server/content.c server/tls.c \
             server/relay.c server/http.c server/crypto.c server/advert.c
WSUSD_SRCS := server/main.c $(SRV_SRCS) $(CONF_SRCS) $(STORE_SRCS) $(WS_SRCS)
UTIL_SRCS := server/wsusutil.c server/log.c server/crypto.c server/advert.c $(CONF_SRCS) $(STORE_SRCS) \
             webservices/updatedoc.c webservices/xml.c
UTIL_SRCS += server/wsusutil_tls.c server/certreq.c
WSUSD_SRCS += server/certwatch.c
UTIL_SRCS += server/publish.c
UTIL_SRCS += server/cab.c server/authenticode_sign.c
UTIL_SRCS += server/pki.c server/wsusutil_pki.c

CLIENT_SRCS := tools/wsusclient.c tools/wua_http.c tools/wua_session.c tools/wua_scan.c \
               tools/wua_state.c tools/wua_download.c tools/wua_report.c tools/wua_util.c \
               webservices/xml.c webservices/xpress.c server/crypto.c server/log.c
CLIENT_SRCS += tools/wua_trust.c server/authenticode_verify.c server/cab.c
LIBS_CLI += -lz

UNIT_TESTS := test_config test_route test_range test_store test_crypto test_xpress test_cookie test_xml test_updatedoc
UNIT_TESTS += test_authenticode_verify
UNIT_TESTS += test_authenticode_sign
UNIT_TESTS += test_pki

obj = $(patsubst %,$(BUILD)/obj/%.o,$(basename $(1)))

all: $(BUILD)/wsusd $(BUILD)/wsusutil $(BUILD)/wsusclient

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

$(BUILD)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Wa,-Iwebservices/wsdl -MMD -MP -c -o $@ $<

$(BUILD)/wsusd: $(call obj,$(WSUSD_SRCS))
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_SRV)

$(BUILD)/wsusutil: $(call obj,$(UTIL_SRCS))
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_SRV)

$(BUILD)/wsusclient: $(call obj,$(CLIENT_SRCS))
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CLI) -lexpat

$(BUILD)/test_config: $(call obj,tests/unit/test_config.c $(CONF_SRCS) server/log.c)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_SRV)
$(BUILD)/test_route: $(call obj,tests/unit/test_route.c server/route.c server/log.c)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_SRV)
$(BUILD)/test_range: $(call obj,tests/unit/test_range.c server/content.c server/log.c)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_SRV)
$(BUILD)/test_store: $(call obj,tests/unit/test_store.c $(STORE_SRCS) server/log.c)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_SRV)
$(BUILD)/test_crypto: $(call obj,tests/unit/test_crypto.c server/crypto.c server/log.c)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_SRV)
$(BUILD)/test_cookie: $(call obj,tests/unit/test_cookie.c webservices/cookie.c server/crypto.c server/log.c)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_SRV)
$(BUILD)/test_xpress: $(call obj,tests/unit/test_xpress.c webservices/xpress.c server/log.c)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_SRV)
$(BUILD)/test_xml: $(call obj,tests/unit/test_xml.c webservices/xml.c server/log.c)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_SRV)
$(BUILD)/test_updatedoc: $(call obj,tests/unit/test_updatedoc.c webservices/updatedoc.c webservices/xml.c server/crypto.c server/log.c)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_SRV)
$(BUILD)/test_authenticode_verify: $(call obj,tests/unit/test_authenticode_verify.c server/authenticode_verify.c server/cab.c server/crypto.c server/log.c)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_SRV)
$(BUILD)/test_authenticode_sign: $(call obj,tests/unit/test_authenticode_sign.c server/cab.c server/authenticode_sign.c server/crypto.c server/log.c)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_SRV)

$(BUILD)/test_pki: $(call obj,tests/unit/test_pki.c server/pki.c server/crypto.c server/log.c $(CONF_SRCS))
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_SRV)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# --- set-up: install missing Debian packages (root or sudo) ---------------
deps:
	@./tests/deps.sh $(DEB_BUILD) $(DEB_TEST)
deps-bench:
	@./tests/deps.sh $(DEB_BENCH)

# --- run on the embedded default ---------------------------------------------
RUNDIR ?= run
run: deps all
	$(BUILD)/wsusutil init $(RUNDIR)
	exec $(BUILD)/wsusd -c $(RUNDIR)/wsusd.conf

# --- tests -------------------------------------------------------------------
check-unit: $(addprefix $(BUILD)/,$(UNIT_TESTS))
	@./tests/run.sh unit $(BUILD) $(UNIT_TESTS)

check-e2e: all
	@./tests/run.sh e2e $(BUILD)

check: check-unit check-e2e

check-asan:
	$(MAKE) --no-print-directory BUILD=build-asan SANITIZER=address,undefined check

test: deps
	$(MAKE) --no-print-directory check
	$(MAKE) --no-print-directory check-asan

bench: deps deps-bench all
	./bench/run.sh $(BUILD)

clean:
	rm -rf build build-asan

.PHONY: all deps deps-bench run check-unit check-e2e check check-asan test bench clean

# .incbin is invisible to -MMD: the WSDL blob depends on the WSDL files.
$(BUILD)/obj/webservices/wsdl_blob.o: $(wildcard webservices/wsdl/*.wsdl)

# --- fuzzing (clang + libFuzzer; not part of `make test`) ---------------------
FUZZ_SECONDS ?= 30
FUZZ_CC := clang -g -O1 -fsanitize=fuzzer,address,undefined $(CPPFLAGS)
fuzz:
	@mkdir -p $(BUILD)/fuzz
	$(FUZZ_CC) -o $(BUILD)/fuzz/fuzz_xml tests/fuzz/fuzz_xml.c webservices/xml.c server/log.c -lexpat
	$(FUZZ_CC) -o $(BUILD)/fuzz/fuzz_xpress tests/fuzz/fuzz_xpress.c webservices/xpress.c server/log.c
	$(FUZZ_CC) -o $(BUILD)/fuzz/fuzz_cookie tests/fuzz/fuzz_cookie.c webservices/cookie.c server/crypto.c server/log.c -lmbedtls -lmbedx509 -lmbedcrypto
	$(FUZZ_CC) -o $(BUILD)/fuzz/fuzz_config tests/fuzz/fuzz_config.c conf/config.c server/log.c
	$(FUZZ_CC) -o $(BUILD)/fuzz/fuzz_range tests/fuzz/fuzz_range.c server/content.c server/log.c
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
		server/authenticode_verify.c server/cab.c server/crypto.c server/log.c -lmbedtls -lmbedx509 -lmbedcrypto -lz
	cd $(FUZZ_AC) && rm -f corpus/seed.cab && echo seed >a.txt && gcab -c -z u.cab a.txt && \
		openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out store/c.pem -days 30 \
		-subj /CN=fuzz -addext extendedKeyUsage=codeSigning 2>/dev/null && \
		osslsigncode sign -certs store/c.pem -key k.pem -h sha256 -in u.cab -out corpus/seed.cab >/dev/null
	FUZZ_AUTHENTICODE_SEED=$(FUZZ_AC)/corpus/seed.cab FUZZ_AUTHENTICODE_PUB=$(FUZZ_AC)/store \
		FUZZ_AUTHENTICODE_ROOT=$(FUZZ_AC)/store $(BUILD)/fuzz/fuzz_authenticode -max_len=4096 \
		-max_total_time=$(FUZZ_SECONDS) $(FUZZ_AC)/corpus >$(FUZZ_AC)/log 2>&1 || { tail -30 $(FUZZ_AC)/log; exit 1; }
	@echo "fuzz_authenticode: $$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' $(FUZZ_AC)/log)"
.PHONY: fuzz-authenticode
