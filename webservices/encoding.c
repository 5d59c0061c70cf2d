/*
 * encoding.c - Content-Encoding of SOAP responses: "xpress" when the
 * request carries Accept-Encoding: xpress (MS-WUSP §2.1.1; what a Windows
 * Update Agent sends), else gzip (zlib) when the client accepts it,
 * neither for small bodies (real WSUS sends small answers plain).
 *
 * Owns: the choice of encoding and the gzip path.  Never applied to
 * content files (they go out with sendfile) or to WSDLs.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ws.h"
#include "xpress.h"
#include "zip.h"

#define ENCODING_MIN_BYTES 1024   /* below this, compression costs more than it saves */

/*
 * encoding_accepts - does the Accept-Encoding value list name coding with
 * a non-zero quality?  ("xpress", "gzip;q=0.5" yes; "gzip;q=0" no.)
 */
static int
encoding_accepts(const char *list, const char *coding)
{
	size_t n = strlen(coding);

	while (list != NULL && *list != '\0') {
		size_t len = strcspn(list, ",");
		const char *p = list, *end = list + len, *semi;

		list = *end ? end + 1 : end;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		semi = memchr(p, ';', (size_t)(end - p));
		size_t tlen = (size_t)((semi ? semi : end) - p);
		while (tlen > 0 && (p[tlen - 1] == ' ' || p[tlen - 1] == '\t'))
			tlen--;
		if (tlen != n || strncasecmp(p, coding, n) != 0)
			continue;
		if (semi == NULL)
			return 1;
		/* Only "q=0", "q=0.", "q=0.0..." refuse. */
		p = semi + 1;
		while (p < end && *p == ' ')
			p++;
		if (end - p < 3 || strncasecmp(p, "q=0", 3) != 0)
			return 1;
		for (p += 3; p < end && (*p == '.' || *p == '0'); p++)
			;
		return p < end && *p >= '1' && *p <= '9';
	}
	return 0;
}

static int
encoding_gzip(const char *in, size_t n, char **out, size_t *outlen)
{
	size_t cap = zip_bound(n);
	char *buf;

	if ((buf = malloc(cap)) == NULL)
		return -1;
	*outlen = cap;
	if (zip_deflate(ZIP_GZIP, 6, in, n, buf, outlen) == -1) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

int
ws_encode(const char *accept, struct ws_response *resp, const char **coding)
{
	uint8_t *xp = NULL;
	char *gz = NULL;
	size_t len;

	*coding = NULL;
	if (accept == NULL || resp->body == NULL || resp->body_len < ENCODING_MIN_BYTES)
		return 0;
	if (encoding_accepts(accept, "xpress")) {
		if (xpress_encode((const uint8_t *)resp->body, resp->body_len, &xp, &len) == -1)
			return -1;
		free(resp->body);
		resp->body = (char *)xp;
		resp->body_len = len;
		*coding = "xpress";
	} else if (encoding_accepts(accept, "gzip")) {
		if (encoding_gzip(resp->body, resp->body_len, &gz, &len) == -1)
			return -1;
		free(resp->body);
		resp->body = gz;
		resp->body_len = len;
		*coding = "gzip";
	}
	return 0;
}
