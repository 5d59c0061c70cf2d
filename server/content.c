/*
 * content.c - /Content/XX/SHA1.ext: name check, safe open, validators,
 * conditional requests and byte ranges.
 *
 * Owns: the rules that turn a content path plus the request's Range,
 * If-Range, If-None-Match and If-Modified-Since values into a
 * struct content_reply (status, open fd, size, ranges, ETag, Last-Modified,
 * multipart boundary), and the text of multipart/byteranges part headers.
 *
 * Never does: HTTP I/O.  This file must not include microhttpd.h; http.c
 * turns a content_reply into a response (sendfile from rep->fd).  It never
 * follows a symlink under the content directory, never opens anything but a
 * regular file for the caller, and never allocates.
 *
 * Every header parser here is a pure function over (pointer, length) that
 * does not rely on a terminating NUL; numbers go through content_uint().
 * Request header values arrive NUL-terminated from http.c, so strlen() is
 * taken once, at the boundary (content_open), and never inside a parser.
 *
 * Conditional evaluation follows RFC 9110 §13.2.2: If-None-Match, else
 * If-Modified-Since (GET and HEAD -> 304); then If-Range decides whether
 * Range is honoured at all; then Range (RFC 9110 §14).  Range is evaluated
 * for HEAD too, so a HEAD answers with the same status and headers as the
 * GET would (real IIS answers HEAD+Range with 416; see NOTES.md §5).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

#define CONTENT_HASH_HEX     40     /* SHA-1, hex digits */
#define CONTENT_EXT_MAX      8      /* file extension, characters */
/* "XX/" + hash + "." + ext */
#define CONTENT_NAME_MAX     (3 + CONTENT_HASH_HEX + 1 + CONTENT_EXT_MAX)
#define CONTENT_IMF_LEN      29     /* "Sun, 06 Nov 1994 08:49:37 GMT" */

static const char content_days[7][4] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char content_months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* Per-process counter that makes each multipart boundary unique. */
static uint64_t content_boundary_seq;

/* --- small pure helpers ----------------------------------------------- */

static int
content_is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static int
content_is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

static unsigned char
content_upper(unsigned char c)
{
	return (c >= 'a' && c <= 'z') ? (unsigned char)(c - 'a' + 'A') : c;
}

static unsigned char
content_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static int
content_is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* Advance *p past optional whitespace (SP / HTAB), never beyond end. */
static void
content_skip_ows(const char **p, const char *end)
{
	while (*p < end && content_is_ows((unsigned char)**p))
		(*p)++;
}

/* Shrink [*p, *end) by the optional whitespace at both ends. */
static void
content_trim_ows(const char **p, const char **end)
{
	content_skip_ows(p, *end);
	while (*end > *p && content_is_ows((unsigned char)(*end)[-1]))
		(*end)--;
}

/*
 * content_uint - the one number parser of this file.  Parses all of
 * (p, len) as 1*DIGIT into *out.  Returns 0, or -1 for an empty field, any
 * non-digit byte (no sign, no whitespace, no partial input) or a value
 * above max (which also catches uint64_t overflow).
 */
static int
content_uint(const char *p, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		unsigned d;

		if (c < '0' || c > '9')
			return -1;
		d = (unsigned)(c - '0');
		if (d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* --- Range -------------------------------------------------------------- */

/*
 * range_parse - see server.h.  Grammar (RFC 9110 §14.1.1):
 *
 *   Range = "bytes" "=" 1#( first-pos "-" [ last-pos ] / "-" suffix-length )
 *
 * The unit is matched case-insensitively, with no whitespace around "=";
 * OWS is allowed around each list element (so also after "=" and at both
 * ends), never inside a spec; empty list elements are skipped
 * (RFC 9110 §5.6.1.2).  Any syntax error anywhere makes the whole header
 * invalid (0), even if other specs were fine: the header is then ignored.
 *
 * Satisfiability (RFC 9110 §14.1.2): an int-range is satisfiable when
 * first-pos < size; a suffix-range when suffix-length > 0.  Unsatisfiable
 * specs are dropped; if none is left the result is -1 (416).  When size is
 * 0 only a non-zero suffix-range is satisfiable, and it selects the whole,
 * empty representation, which a 206 cannot express (Content-Range has no
 * empty form): we then return 0 and the file is served whole with 200, as
 * RFC 9110 §14.2 lets a server ignore Range.
 */
int
range_parse(const char *v, size_t len, uint64_t size,
    struct byte_range *out, int max)
{
	const char *p, *end;
	int i, n = 0, specs = 0, empty_ok = 0;

	if (v == NULL || out == NULL || max <= 0 ||
	    len > LIMIT_RANGE_HEADER_BYTES)
		return 0;
	p = v;
	end = v + len;
	content_trim_ows(&p, &end);
	if (end - p < 6)
		return 0;
	for (i = 0; i < 6; i++)
		if (content_lower((unsigned char)p[i]) !=
		    (unsigned char)"bytes="[i])
			return 0;
	p += 6;

	while (p < end) {
		const char *s, *se, *dash;
		uint64_t first, last;

		/* One list element [s, se), trimmed of OWS; p moves past it. */
		s = p;
		se = memchr(p, ',', (size_t)(end - p));
		if (se == NULL)
			se = end;
		p = (se < end) ? se + 1 : end;
		content_trim_ows(&s, &se);
		if (s == se)
			continue;               /* empty list element */
		if (++specs > max)
			return 0;               /* too many specs: invalid */
		dash = memchr(s, '-', (size_t)(se - s));
		if (dash == NULL)
			return 0;
		if (dash == s) {
			/* suffix-range: the last N bytes */
			if (content_uint(dash + 1, (size_t)(se - dash - 1),
			    UINT64_MAX, &last) == -1)
				return 0;
			if (last == 0)
				continue;       /* unsatisfiable */
			if (size == 0) {
				empty_ok = 1;   /* satisfiable, but empty */
				continue;
			}
			out[n].first = last >= size ? 0 : size - last;
			out[n].last = size - 1;
			n++;
			continue;
		}
		if (content_uint(s, (size_t)(dash - s), UINT64_MAX,
		    &first) == -1)
			return 0;
		if (dash + 1 == se) {
			last = UINT64_MAX;      /* "first-": to the end */
		} else {
			if (content_uint(dash + 1, (size_t)(se - dash - 1),
			    UINT64_MAX, &last) == -1)
				return 0;
			if (first > last)
				return 0;       /* invalid spec */
		}
		if (first >= size)
			continue;               /* unsatisfiable */
		out[n].first = first;
		out[n].last = last >= size ? size - 1 : last;
		n++;
	}
	if (specs == 0)
		return 0;                       /* "bytes=" with no spec */
	if (n == 0)
		return empty_ok ? 0 : -1;
	return n;
}

/* 1 if two of the n ranges share a byte. */
static int
content_ranges_overlap(const struct byte_range *r, int n)
{
	int i, j;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (r[i].first <= r[j].last && r[j].first <= r[i].last)
				return 1;
	return 0;
}

/* --- names ------------------------------------------------------------ */

int
content_valid_name(const char *rest, size_t len)
{
	const unsigned char *s = (const unsigned char *)rest;
	size_t i, ext;

	if (rest == NULL || len < 3 + CONTENT_HASH_HEX + 2 ||
	    len > CONTENT_NAME_MAX)
		return 0;
	if (!content_is_hex(s[0]) || !content_is_hex(s[1]) || s[2] != '/')
		return 0;
	for (i = 3; i < 3 + CONTENT_HASH_HEX; i++)
		if (!content_is_hex(s[i]))
			return 0;
	if (s[i++] != '.')
		return 0;
	ext = len - i;
	if (ext < 1 || ext > CONTENT_EXT_MAX)
		return 0;
	for (; i < len; i++)
		if (!content_is_alnum(s[i]))
			return 0;
	/* WSUS files a SHA-1 under the folder named by its last byte. */
	if (content_upper(s[0]) != content_upper(s[3 + CONTENT_HASH_HEX - 2]) ||
	    content_upper(s[1]) != content_upper(s[3 + CONTENT_HASH_HEX - 1]))
		return 0;
	return 1;
}

/* --- dates and validators --------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
content_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/*
 * content_imf_parse - parse exactly an IMF-fixdate
 * ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110 §5.6.7) from (p, len) into
 * seconds since the epoch.  Names are case-sensitive; the day name is
 * checked for spelling, not for agreement with the date.  The obsolete
 * RFC 850 and asctime forms are not accepted: such a condition is ignored,
 * which only costs a full response.  Returns 0 or -1.
 */
static int
content_imf_parse(const char *p, size_t len, int64_t *out)
{
	static const unsigned char mdays[12] =
	    { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	uint64_t day, year, hh, mm, ss;
	unsigned mon;
	int i;

	if (len != CONTENT_IMF_LEN)
		return -1;
	for (i = 0; i < 7; i++)
		if (memcmp(p, content_days[i], 3) == 0)
			break;
	if (i == 7 || memcmp(p + 3, ", ", 2) != 0 || p[7] != ' ' ||
	    p[11] != ' ' || p[16] != ' ' || p[19] != ':' || p[22] != ':' ||
	    memcmp(p + 25, " GMT", 4) != 0)
		return -1;
	for (mon = 0; mon < 12; mon++)
		if (memcmp(p + 8, content_months[mon], 3) == 0)
			break;
	if (mon == 12 ||
	    content_uint(p + 5, 2, 31, &day) == -1 ||
	    content_uint(p + 12, 4, 9999, &year) == -1 ||
	    content_uint(p + 17, 2, 23, &hh) == -1 ||
	    content_uint(p + 20, 2, 59, &mm) == -1 ||
	    content_uint(p + 23, 2, 60, &ss) == -1)    /* 60: leap second */
		return -1;
	if (day < 1 || day > mdays[mon] || (mon == 1 && day == 29 &&
	    (year % 4 != 0 || (year % 100 == 0 && year % 400 != 0))))
		return -1;
	*out = content_days_from_civil((int64_t)year, mon + 1,
	    (unsigned)day) * 86400 + (int64_t)(hh * 3600 + mm * 60 + ss);
	return 0;
}

/* Format t as an IMF-fixdate into buf (>= 30 bytes).  Returns 0 or -1. */
static int
content_imf_format(time_t t, char *buf, size_t len)
{
	struct tm tm;
	int n;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 0 ||
	    tm.tm_year + 1900 > 9999)
		return -1;
	/* Fixed English names: strftime's %a/%b would follow the locale. */
	n = snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    content_days[tm.tm_wday], tm.tm_mday, content_months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return (n == CONTENT_IMF_LEN && (size_t)n < len) ? 0 : -1;
}

/*
 * content_etag_next - parse one entity-tag (RFC 9110 §8.8.3) at *p:
 * [ "W/" ] DQUOTE *etagc DQUOTE.  On success sets *tag and *tlen to the
 * opaque-tag including its quotes, *weak, advances *p and returns 0;
 * returns -1 on a syntax error.
 */
static int
content_etag_next(const char **p, const char *end, const char **tag,
    size_t *tlen, int *weak)
{
	const char *s = *p;

	*weak = 0;
	if (end - s >= 2 && s[0] == 'W' && s[1] == '/') {
		*weak = 1;
		s += 2;
	}
	if (s >= end || *s != '"')
		return -1;
	*tag = s++;
	/* etagc = %x21 / %x23-7E / obs-text */
	while (s < end && *s != '"') {
		unsigned char c = (unsigned char)*s;

		if (c < 0x21 || c == 0x7f)
			return -1;
		s++;
	}
	if (s >= end)
		return -1;
	s++;
	*tlen = (size_t)(s - *tag);
	*p = s;
	return 0;
}

/*
 * content_inm_match - 1 if the If-None-Match value (p, len) matches etag by
 * weak comparison (RFC 9110 §8.8.3.2) or is "*"; 0 if not, or if the value
 * is not a valid "*" / #entity-tag list (then nothing matches and the full
 * response is sent, which is always safe).
 */
static int
content_inm_match(const char *p, size_t len, const char *etag)
{
	const char *end = p + len;
	size_t elen = strlen(etag);
	int match = 0;

	content_trim_ows(&p, &end);
	if (end - p == 1 && *p == '*')
		return 1;
	while (p < end) {
		const char *tag;
		size_t tlen;
		int weak;

		if (*p == ',') {                /* empty list element */
			p++;
			content_skip_ows(&p, end);
			continue;
		}
		if (content_etag_next(&p, end, &tag, &tlen, &weak) == -1)
			return 0;
		if (tlen == elen && memcmp(tag, etag, elen) == 0)
			match = 1;
		content_skip_ows(&p, end);
		if (p < end && *p != ',')
			return 0;
	}
	return match;
}

/*
 * content_if_range_match - 1 if the If-Range value (p, len) still
 * designates the current representation: an entity-tag compared strongly
 * with etag (a weak tag never matches), or an HTTP-date equal, byte for
 * byte, to our Last-Modified (RFC 9110 §13.1.5).  0 otherwise.
 */
static int
content_if_range_match(const char *p, size_t len, const char *etag,
    const char *lastmod)
{
	const char *end = p + len, *tag;
	size_t tlen;
	int weak;

	content_trim_ows(&p, &end);
	if ((end - p >= 1 && *p == '"') || (end - p >= 2 && p[0] == 'W' &&
	    p[1] == '/')) {
		if (content_etag_next(&p, end, &tag, &tlen, &weak) == -1 ||
		    p != end || weak)
			return 0;
		return tlen == strlen(etag) && memcmp(tag, etag, tlen) == 0;
	}
	return (size_t)(end - p) == strlen(lastmod) &&
	    memcmp(p, lastmod, (size_t)(end - p)) == 0;
}

/*
 * content_validators - fill rep->etag and rep->last_modified from st.
 * The ETag is strong and IIS-shaped, "<16 hex: mtime in ns><hex size>:0",
 * so that rewriting a file (new mtime or new size) changes it; the fixed
 * width of the first field keeps the concatenation unambiguous.
 */
static int
content_validators(const struct stat *st, struct content_reply *rep)
{
	/* Unsigned arithmetic: wraps instead of overflowing for odd mtimes. */
	uint64_t ns = (uint64_t)st->st_mtim.tv_sec * UINT64_C(1000000000) +
	    (uint64_t)st->st_mtim.tv_nsec;
	int n;

	n = snprintf(rep->etag, sizeof(rep->etag), "\"%016" PRIx64 "%" PRIx64
	    ":0\"", ns, (uint64_t)st->st_size);
	if (n < 0 || (size_t)n >= sizeof(rep->etag))
		return -1;
	return content_imf_format(st->st_mtim.tv_sec, rep->last_modified,
	    sizeof(rep->last_modified));
}

/*
 * content_boundary - a fixed-length (29 byte) multipart boundary unique
 * to this reply: "WSUSD", a 64-bit FNV-1a hash of the ETag and a sequence
 * number, and the low 32 bits of that number.
 */
static void
content_boundary(struct content_reply *rep)
{
	uint64_t seq = __atomic_add_fetch(&content_boundary_seq, 1,
	    __ATOMIC_RELAXED);
	uint64_t h = UINT64_C(14695981039346656037);
	const unsigned char *s = (const unsigned char *)rep->etag;
	int i;

	for (; *s != '\0'; s++)
		h = (h ^ *s) * UINT64_C(1099511628211);
	for (i = 0; i < 8; i++)
		h = (h ^ ((seq >> (8 * i)) & 0xff)) * UINT64_C(1099511628211);
	snprintf(rep->boundary, sizeof(rep->boundary), "WSUSD%016" PRIx64
	    "%08" PRIx32, h, (uint32_t)seq);
}

/* --- open ----------------------------------------------------------------- */

/*
 * content_openat - open name under sub without following a symlink.
 * Returns the fd, -2 for "not found" (ENOENT, ELOOP: a symlink, ENOTDIR),
 * or -1 with errno set for any other error.
 */
static int
content_openat(int sub, const char *name)
{
	int fd;

	fd = openat(sub, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1 && (errno == ENOENT || errno == ELOOP ||
	    errno == ENOTDIR))
		return -2;
	return fd;
}

/*
 * content_open - see server.h.  The on-disk name is "XX/<SHA1>.<ext>" with
 * XX and the hash in upper case; the extension is tried as requested, then
 * lower-cased.  Both components are opened with O_NOFOLLOW, the directory
 * with O_DIRECTORY, the file with O_NONBLOCK (a FIFO planted there must not
 * block the open); fstat must then show a regular file.  Anything that is
 * not there, is a symlink or is not a regular file gives 404; other errors
 * (EACCES, EMFILE, EIO ...) give -1.
 *
 * On return rep->fd is open only when rep->status is 200 or 206; the caller
 * owns it then.  rep->size, etag and last_modified are set for every status
 * but 404 (the 416 reply needs "Content-Range: bytes * /size", the 304
 * reply the validators).  req->head changes nothing here: HEAD gets the
 * status and headers a GET would (http.c just sends no body).
 *
 * Choices beyond RFC 9110: a multi-range request whose ranges overlap is
 * served whole with 200 (RFC 9110 §14.2 lets a server ignore Range; this
 * stops "0-,0-,0-..." from multiplying the body), as is one with more than
 * CONTENT_MAX_RANGES specs (range_parse returns 0).
 */
int
content_open(int dirfd, const char *rest, size_t len,
    const struct content_req *req, struct content_reply *rep)
{
	char dir[3], name[CONTENT_HASH_HEX + 1 + CONTENT_EXT_MAX + 1];
	struct stat st;
	size_t i, nlen;
	int sub = -1, fd = -1, ret = -1, n, notmod = 0;

	memset(rep, 0, sizeof(*rep));
	rep->fd = -1;
	rep->status = 404;

	if (!content_valid_name(rest, len)) {
		log_debug("%s: invalid content name", __func__);
		ret = 0;
		goto out;
	}
	dir[0] = (char)content_upper((unsigned char)rest[0]);
	dir[1] = (char)content_upper((unsigned char)rest[1]);
	dir[2] = '\0';
	nlen = len - 3;
	for (i = 0; i < nlen; i++)
		name[i] = (i < CONTENT_HASH_HEX) ?
		    (char)content_upper((unsigned char)rest[3 + i]) : rest[3 + i];
	name[nlen] = '\0';

	sub = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (sub == -1) {
		if (errno == ENOENT || errno == ELOOP || errno == ENOTDIR) {
			ret = 0;
			goto out;
		}
		log_warn("%s: openat %s", __func__, dir);
		goto out;
	}
	fd = content_openat(sub, name);
	if (fd == -2) {
		/* Retry with the extension lower-cased, if that differs. */
		int changed = 0;

		for (i = CONTENT_HASH_HEX + 1; i < nlen; i++) {
			char c = (char)content_lower((unsigned char)name[i]);

			changed |= c != name[i];
			name[i] = c;
		}
		if (changed)
			fd = content_openat(sub, name);
	}
	if (fd == -2) {
		fd = -1;
		ret = 0;
		goto out;
	}
	if (fd == -1) {
		log_warn("%s: openat %s/%s", __func__, dir, name);
		goto out;
	}
	if (fstat(fd, &st) == -1) {
		log_warn("%s: fstat %s/%s", __func__, dir, name);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		log_debug("%s: %s/%s is not a regular file", __func__, dir,
		    name);
		ret = 0;
		goto out;
	}
	if (content_validators(&st, rep) == -1) {
		log_warnx("%s: %s/%s: mtime out of range", __func__, dir,
		    name);
		goto out;
	}
	rep->size = (uint64_t)st.st_size;

	/* RFC 9110 §13.2.2 steps 3 and 4: If-None-Match, else IMS. */
	if (req->if_none_match != NULL) {
		notmod = content_inm_match(req->if_none_match,
		    strlen(req->if_none_match), rep->etag);
	} else if (req->if_modified_since != NULL) {
		int64_t ims;

		if (content_imf_parse(req->if_modified_since,
		    strlen(req->if_modified_since), &ims) == 0 &&
		    (int64_t)st.st_mtim.tv_sec <= ims)
			notmod = 1;
	}
	if (notmod) {
		rep->status = 304;
		ret = 0;
		goto out;
	}

	rep->status = 200;
	/* Step 5: If-Range decides whether Range counts at all. */
	if (req->range == NULL || (req->if_range != NULL &&
	    !content_if_range_match(req->if_range, strlen(req->if_range),
	    rep->etag, rep->last_modified)))
		goto ok;
	n = range_parse(req->range, strlen(req->range), rep->size,
	    rep->ranges, CONTENT_MAX_RANGES);
	if (n == 0 || (n > 1 && content_ranges_overlap(rep->ranges, n))) {
		memset(rep->ranges, 0, sizeof(rep->ranges));
		goto ok;
	}
	if (n == -1) {
		rep->status = 416;
		ret = 0;
		goto out;
	}
	rep->status = 206;
	rep->nranges = n;
	if (n > 1)
		content_boundary(rep);
 ok:
	rep->fd = fd;
	fd = -1;
	ret = 0;
 out:
	if (fd != -1)
		close(fd);
	if (sub != -1)
		close(sub);
	return ret;
}

/* --- multipart/byteranges ---------------------------------------------- */

/*
 * content_multipart_header - see server.h.  Part 0 starts the body with
 * "--BOUNDARY"; later parts start with the CRLF that ends the previous
 * part's data.  Like snprintf, returns the full length of the header and
 * writes at most len - 1 bytes plus a NUL; a result >= len means buf was
 * too small (256 bytes always suffice).  buf may be NULL when len is 0.
 * Returns 0 for an i outside [0, nranges).
 */
size_t
content_multipart_header(const struct content_reply *rep, int i,
    char *buf, size_t len)
{
	int n;

	if (i < 0 || i >= rep->nranges || i >= CONTENT_MAX_RANGES) {
		if (len > 0)
			buf[0] = '\0';
		return 0;
	}
	n = snprintf(buf, len, "%s--%s\r\n"
	    "Content-Type: application/octet-stream\r\n"
	    "Content-Range: bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64 "\r\n\r\n",
	    i == 0 ? "" : "\r\n", rep->boundary, rep->ranges[i].first,
	    rep->ranges[i].last, rep->size);
	return n < 0 ? 0 : (size_t)n;
}

/*
 * content_multipart_trailer - the closing delimiter "\r\n--BOUNDARY--\r\n"
 * written after the last range; same return convention as
 * content_multipart_header.
 */
size_t
content_multipart_trailer(const struct content_reply *rep, char *buf,
    size_t len)
{
	int n;

	n = snprintf(buf, len, "\r\n--%s--\r\n", rep->boundary);
	return n < 0 ? 0 : (size_t)n;
}

/*
 * content_multipart_length - every part header, every range and the
 * trailer, computed with the functions that write them so the two cannot
 * disagree.  0 unless rep is a multipart reply (nranges > 1).
 */
uint64_t
content_multipart_length(const struct content_reply *rep)
{
	uint64_t total = 0;
	int i;

	if (rep->nranges < 2 || rep->nranges > CONTENT_MAX_RANGES)
		return 0;
	for (i = 0; i < rep->nranges; i++) {
		total += content_multipart_header(rep, i, NULL, 0);
		total += rep->ranges[i].last - rep->ranges[i].first + 1;
	}
	return total + content_multipart_trailer(rep, NULL, 0);
}
