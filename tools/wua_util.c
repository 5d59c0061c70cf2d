/*
 * wua_util.c - small helpers of wsusclient: GUIDs, xsd:dateTime, bounded
 * number parsing, hex, fragment parsing and output.
 *
 * Owns: nothing stateful.  Never trusts its input: every parser takes a
 * length or a NUL-terminated string from the XML reader and rejects
 * partial or out-of-range text.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "wua.h"

/* wua_guid - a random version-4 GUID, lowercase (as SusClientId). */
void
wua_guid(char out[WUA_UID_LEN + 1])
{
	uint8_t g[16];
	char hex[33];

	if (crypto_random(g, sizeof(g)) == -1) {
		fprintf(stderr, "wsusclient: no randomness available\n");
		exit(1);
	}
	g[6] = (uint8_t)((g[6] & 0x0f) | 0x40);
	g[8] = (uint8_t)((g[8] & 0x3f) | 0x80);
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", g[i]);
	snprintf(out, WUA_UID_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s",
	    hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

/*
 * wua_guid_canon - check in is a GUID (8-4-4-4-12 hex digits, no braces)
 * and write it lowercase to out.  0 or -1.
 */
int
wua_guid_canon(const char *in, char out[WUA_UID_LEN + 1])
{
	if (in == NULL || strlen(in) != WUA_UID_LEN)
		return -1;
	for (int i = 0; i < WUA_UID_LEN; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? in[i] != '-' : !isxdigit((unsigned char)in[i]))
			return -1;
		out[i] = (char)tolower((unsigned char)in[i]);
	}
	out[WUA_UID_LEN] = '\0';
	return 0;
}

/* wua_time_fmt - "2026-10-04T15:03:36Z", or with millis ".397". */
void
wua_time_fmt(time_t t, int millis, char *out, size_t outlen)
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	gmtime_r(&t, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	if (millis) {
		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(out, outlen, "%s.%03ldZ", base, ts.tv_nsec / 1000000L);
	} else {
		snprintf(out, outlen, "%sZ", base);
	}
}

/* Exactly n decimal digits at s into *v. */
static int
wua_digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/*
 * wua_time_parse - xsd:dateTime in UTC as servers send it:
 * YYYY-MM-DDTHH:MM:SS, 0-7 fractional digits (dropped), then "Z" or
 * nothing.  0 or -1.
 */
int
wua_time_parse(const char *s, time_t *t)
{
	struct tm tm;
	int y, mo, d, h, mi, se;
	size_t i = 19, n;

	if (s == NULL || (n = strlen(s)) < 19 || s[4] != '-' || s[7] != '-' ||
	    s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    wua_digits(s, 4, &y) || wua_digits(s + 5, 2, &mo) ||
	    wua_digits(s + 8, 2, &d) || wua_digits(s + 11, 2, &h) ||
	    wua_digits(s + 14, 2, &mi) || wua_digits(s + 17, 2, &se))
		return -1;
	if (i < n && s[i] == '.') {
		size_t f = ++i;
		while (i < n && isdigit((unsigned char)s[i]) && i - f < 7)
			i++;
		if (i == f)
			return -1;
	}
	if (i < n && s[i] == 'Z')
		i++;
	if (i != n || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || se > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*t = timegm(&tm);
	return 0;
}

/*
 * wua_parse_i64 - the whole of (s, n) as a decimal integer in [min, max]:
 * optional '-', digits only, no overflow.  0 or -1.
 */
int
wua_parse_i64(const char *s, size_t n, int64_t min, int64_t max, int64_t *v)
{
	int neg = 0;
	uint64_t acc = 0, lim;
	size_t i = 0;

	if (s == NULL || n == 0)
		return -1;
	if (s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == n || n - i > 19)
		return -1;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		if (acc > (lim - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		acc = acc * 10 + (uint64_t)(s[i] - '0');
	}
	if (neg)
		*v = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
	else
		*v = (int64_t)acc;
	return *v < min || *v > max ? -1 : 0;
}

void
wua_hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02X", p[i]);
	out[2 * n] = '\0';
}

int
wua_unhex(const char *s, uint8_t *out, size_t n)
{
	if (s == NULL || strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (!isxdigit((unsigned char)s[2 * i]) ||
		    !isxdigit((unsigned char)s[2 * i + 1]) ||
		    sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* wua_text - text of n's first child named child, or NULL when absent. */
const char *
wua_text(const struct xml_node *n, const char *child)
{
	const struct xml_node *k = xml_child(n, child);

	return k != NULL ? k->text : NULL;
}

/*
 * wua_fragment_parse - a Core / Extended / LocalizedProperties fragment
 * is a sequence of top-level elements without a root: wrap it and parse
 * under the fragment limits.  The caller owns the document (xml_free);
 * NULL on a bad or oversized fragment.
 */
struct xml_doc *
wua_fragment_parse(const char *text, size_t len)
{
	static const struct xml_limits lim = {
		WUA_FRAG_MAX + 64, WUA_XML_DEPTH, WUA_FRAG_ELEMENTS, WUA_FRAG_MAX
	};
	struct xml_doc *d;
	char err[256], *buf;

	if (len > WUA_FRAG_MAX || (buf = malloc(len + 32)) == NULL)
		return NULL;
	memcpy(buf, "<wuaFragment>", 13);
	memcpy(buf + 13, text, len);
	memcpy(buf + 13 + len, "</wuaFragment>", 14);
	d = xml_parse(buf, len + 27, &lim, err, sizeof(err));
	free(buf);
	return d;
}

void
wua_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void
wua_debug(const struct wua *w, const char *fmt, ...)
{
	va_list ap;

	if (!w->verbose)
		return;
	va_start(ap, fmt);
	fputs("debug: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
