/*
 * fuzz_config.c - libFuzzer target for config_parse: raw bytes in, and the
 * invariants a caller relies on checked on the way out.
 *
 * Build:  clang -fsanitize=fuzzer,address -D_GNU_SOURCE -Iserver -Iconf \
 *             -Istore -Iwebservices tests/fuzz/fuzz_config.c conf/config.c \
 *             common/log.c -o fuzz_config
 * Seed:   ./fuzz_config -dict=... corpus/  (conf/wsusd.conf is a good seed)
 *
 * A parse may fail; it must never read outside (data, size), and on
 * success the struct must hold only what the table allows.  Any breach
 * aborts so libFuzzer keeps the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_terminated - s holds a NUL within its len bytes. */
static int
fuzz_terminated(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	char err[256];

	memset(err, 'x', sizeof(err));
	if (config_parse(&c, "fuzz", "/base", (const char *)data, size, err,
	    sizeof(err)) == -1) {
		/* Every failure names the file and a line. */
		if (strncmp(err, "fuzz:", 5) != 0)
			abort();
		return 0;
	}
	if (err[0] != '\0')
		abort();
	if (!fuzz_terminated(c.fqdn, sizeof(c.fqdn)) ||
	    !fuzz_terminated(c.bind, sizeof(c.bind)) ||
	    !fuzz_terminated(c.data_dir, sizeof(c.data_dir)) ||
	    !fuzz_terminated(c.log_level, sizeof(c.log_level)) ||
	    !fuzz_terminated(c.cert, sizeof(c.cert)) ||
	    !fuzz_terminated(c.key, sizeof(c.key)))
		abort();
	if (c.http_port < 1 || c.http_port > 65535 || c.https_port < 1 ||
	    c.https_port > 65535 || c.http_port == c.https_port ||
	    c.workers > 64 || strlen(c.fqdn) == 0 ||
	    strlen(c.fqdn) > LIMIT_FQDN_BYTES || c.data_dir[0] == '\0')
		abort();
	/* Relative paths were joined to base_dir. */
	if (c.data_dir[0] != '/' || (c.cert[0] != '\0' && c.cert[0] != '/') ||
	    (c.key[0] != '\0' && c.key[0] != '/'))
		abort();
	if ((c.ssl_require & ~((1u << WS_NSERVICES) - 1 | SSLREQ_CONTENT |
	    SSLREQ_INVENTORY | SSLREQ_SELFUPDATE)) != 0)
		abort();
	return 0;
}
