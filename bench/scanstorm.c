/*
 * scanstorm.c - a scan-storm load generator for wsusd (MS-WUSP over HTTPS).
 *
 * Many simulated Windows Update Agents in one thread: one libcurl multi
 * handle (socket API on epoll), one easy handle per client, each client
 * with its own client id and cookie, at most one request in flight per
 * client, TLS sessions shared through a CURLSH (CURL_LOCK_DATA_SSL_SESSION)
 * and connections kept alive.  Requests are shaped as tools/wua_*.c sends
 * them (the native WUA captures): "s:" envelope, default namespace on the
 * operation, quoted SOAPAction, Accept-Encoding: xpress (answers are
 * decoded with common/xpress.c).
 *
 * Phase 1, first scans: N clients (at most C at a time) each run
 *   GetConfig, GetAuthorizationCookie, GetCookie, RegisterComputer,
 *   SyncUpdates rounds until an answer has no NewUpdates and is not
 *   Truncated (InstalledNonLeafUpdateIDs = every non-leaf revision received
 *   so far, i.e. every non-leaf is treated as installed; OtherCachedUpdateIDs
 *   = every leaf revision received), then one GetExtendedUpdateInfo of the
 *   first <= 50 leaf revisions.
 * Phase 2, delta scans: the same clients, cookies kept, in a closed loop
 *   for -t seconds: GetConfig + one SyncUpdates with the full
 *   InstalledNonLeaf + OtherCached lists (a WUA rescan).  Every answer must
 *   carry no NewUpdates, Truncated false, no OutOfScopeRevisionIDs.
 *
 * Every answer must be HTTP 200 with the operation's Response element;
 * anything else (transport error, HTTP status, SOAP fault, bad xpress,
 * missing element, unexpected content, a client whose update counts differ
 * from -L/-N) counts as an error, and the first few are printed.
 *
 * With -P PID it reads the server's utime+stime (/proc/PID/stat) and
 * VmRSS/VmHWM (/proc/PID/status) at each phase boundary and reports server
 * CPU per scan.  Prints a table on stdout, and "KV key=value" lines for
 * scripts.  Exit status: 0 when the run completed with no error, 1 when
 * any error was counted, 2 on bad usage or set-up failure.
 *
 * Build: cc -O2 -iquote common bench/scanstorm.c common/xpress.c -lcurl
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "log.h"
#include "xpress.h"

/* xpress.c logs through log.h; a load generator has nothing to say there. */
void log_warn(const char *fmt, ...) { (void)fmt; }
void log_debug(const char *fmt, ...) { (void)fmt; }

#define NS_CLIENT "http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService"
#define NS_AUTH   "http://www.microsoft.com/SoftwareDistribution/Server/SimpleAuthWebService"
#define SOAP_ENV  "http://schemas.xmlsoap.org/soap/envelope/"
#define UA        "Windows-Update-Agent/1507.2601.30012.0 Client-Protocol/2.90"
#define PATH_CLIENT "/ClientWebService/client.asmx"
#define PATH_AUTH   "/SimpleAuthWebService/SimpleAuth.asmx"
#define BODY_MAX   (64u << 20)
#define EXT_MAX    50            /* ids in the one GetExtendedUpdateInfo */
#define SYNC_ROUNDS_MAX 500
#define ERR_SHOW   8             /* errors printed in full */

/* --- small utilities ------------------------------------------------------- */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL) {
		fprintf(stderr, "scanstorm: out of memory\n");
		exit(2);
	}
	return p;
}

struct buf {
	char  *p;
	size_t len, cap;
};

static void
buf_need(struct buf *b, size_t more)
{
	if (b->len + more + 1 > b->cap) {
		size_t nc = b->cap ? b->cap : 4096;
		while (nc < b->len + more + 1)
			nc *= 2;
		b->p = xrealloc(b->p, nc);
		b->cap = nc;
	}
}

static void
buf_put(struct buf *b, const char *s, size_t n)
{
	buf_need(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3)))
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	buf_need(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Text of the first <tag>...</tag> at or after from (bounded by end): start
 * pointer and length in *len, or NULL. */
static const char *
xml_text(const char *from, const char *end, const char *tag, size_t *len)
{
	char open[80], close[80];
	const char *a, *z;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	if ((a = memmem(from, (size_t)(end - from), open, strlen(open))) == NULL)
		return NULL;
	a += strlen(open);
	if ((z = memmem(a, (size_t)(end - a), close, strlen(close))) == NULL)
		return NULL;
	*len = (size_t)(z - a);
	return a;
}

static int
has(const char *from, const char *end, const char *s)
{
	return memmem(from, (size_t)(end - from), s, strlen(s)) != NULL;
}

/* --- latency samples ------------------------------------------------------- */

enum lat {
	L_CFG1, L_AUTH, L_COOKIE, L_REG, L_SYNC1, L_SYNC1_PAGE, L_GEUI, L_SCAN1,
	L_CFG2, L_SYNC2, L_SCAN2, L_N
};
static const char *lat_name[L_N] = {
	"GetConfig, first scan (+ TLS handshake)",
	"GetAuthorizationCookie",
	"GetCookie",
	"RegisterComputer",
	"SyncUpdates, first scan, every round",
	"SyncUpdates, first scan, full pages",
	"GetExtendedUpdateInfo (<= 50 ids)",
	"whole first scan",
	"GetConfig (delta scan)",
	"SyncUpdates, delta",
	"whole delta scan",
};
static const char *lat_key[L_N] = {
	"getconfig1", "getauth", "getcookie", "register", "sync1", "sync1page",
	"geui", "scan1", "getconfig2", "sync2", "scan2",
};

struct samples {
	double   *v;              /* milliseconds */
	size_t    n, cap;
	uint64_t  req_bytes, wire_bytes, body_bytes;   /* sums */
};
static struct samples lat[L_N];

static void
sample_add(enum lat k, double ms)
{
	struct samples *s = &lat[k];

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = ms;
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(struct samples *s, double p)
{
	size_t i;

	if (s->n == 0)
		return 0;
	i = (size_t)(p / 100.0 * (double)(s->n - 1) + 0.5);
	return s->v[i < s->n ? i : s->n - 1];
}

/* --- the clients ----------------------------------------------------------- */

enum op { OP_CONFIG, OP_AUTH, OP_COOKIE, OP_REGISTER, OP_SYNC, OP_GEUI, OP_N };
static const char *op_name[OP_N] = {
	"GetConfig", "GetAuthorizationCookie", "GetCookie", "RegisterComputer",
	"SyncUpdates", "GetExtendedUpdateInfo",
};

struct client {
	int        idx;
	CURL      *eh;
	char       id[37];
	char       last_change[64];
	char       auth_plugin[64];
	char      *auth_data;
	char       cookie_exp[64];
	char      *cookie_data;
	int64_t   *nonleaf, *leaf;
	int        nnonleaf, nleaf, capnl, capl;
	struct buf ids;           /* the InstalledNonLeaf + OtherCached XML */
	int        ids_dirty;
	enum op    op;
	int        phase;         /* 1 first scan, 2 delta */
	int        rounds;
	int        busy, dead, started, done1;
	double     t_scan;
	struct buf req, resp;
	char       encoding[32];
};

static struct {
	const char *host, *addr, *cafile, *exec_at_first, *exec_at_delta;
	int         port, nclients, conc, pid;
	double      delta_s;
	int         expect_leaf, expect_nonleaf;
	double      target_first, target_delta;
	int         quiet;
} opt = { "wsus.test", "127.0.0.1", NULL, NULL, NULL, 8531, 100, 0, 0, 10, -1, -1, 0, 0, 0 };

static CURLM        *multi;
static CURLSH       *share;
static struct curl_slist *resolve, *hdrs[OP_N];
static char          url_client[512], url_auth[512];
static struct client *cl;
static int           epfd, inflight;
static double        timer_at = -1;
static long          nerr, nfault, nhttp, ntransport, nshape;
static long          nreq[3], nconn[3], nscan1, nscan2, nstarted1;
static int           sync_rounds_min = -1, sync_rounds_max;

static void __attribute__((format(printf, 2, 3)))
fail(struct client *c, const char *fmt, ...)
{
	va_list ap;

	if (nerr++ < ERR_SHOW) {
		fprintf(stderr, "scanstorm: client %d, %s (phase %d): ", c->idx,
		    op_name[c->op], c->phase);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	c->dead = 1;
}

static size_t
on_body(char *data, size_t sz, size_t nm, void *arg)
{
	struct client *c = arg;
	size_t n = sz * nm;

	if (c->resp.len + n > BODY_MAX)
		return 0;
	buf_put(&c->resp, data, n);
	return n;
}

static size_t
on_header(char *data, size_t sz, size_t nm, void *arg)
{
	struct client *c = arg;
	size_t n = sz * nm;

	if (n > 17 && strncasecmp(data, "Content-Encoding:", 17) == 0) {
		const char *v = data + 17;
		size_t l = n - 17;
		while (l > 0 && (*v == ' ' || *v == '\t'))
			v++, l--;
		while (l > 0 && (v[l - 1] == '\r' || v[l - 1] == '\n' || v[l - 1] == ' '))
			l--;
		snprintf(c->encoding, sizeof(c->encoding), "%.*s", (int)l, v);
	}
	return n;
}

static void
guid(char out[37])
{
	unsigned char r[16];
	FILE *f = fopen("/dev/urandom", "rb");

	if (f == NULL || fread(r, 1, 16, f) != 16) {
		for (int i = 0; i < 16; i++)
			r[i] = (unsigned char)random();
	}
	if (f)
		fclose(f);
	r[6] = (r[6] & 0x0f) | 0x40;
	r[8] = (r[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4], r[5], r[6],
	    r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
}

static void
cookie_xml(struct client *c, struct buf *b, const char *name)
{
	buf_printf(b, "<%s><Expiration>%s</Expiration><EncryptedData>%s</EncryptedData></%s>",
	    name, c->cookie_exp, c->cookie_data ? c->cookie_data : "", name);
}

/* The id lists of a SyncUpdates, rebuilt only when they changed. */
static void
ids_xml(struct client *c)
{
	if (!c->ids_dirty)
		return;
	c->ids.len = 0;
	buf_puts(&c->ids, "");
	if (c->nnonleaf) {
		buf_puts(&c->ids, "<InstalledNonLeafUpdateIDs>");
		for (int i = 0; i < c->nnonleaf; i++)
			buf_printf(&c->ids, "<int>%lld</int>", (long long)c->nonleaf[i]);
		buf_puts(&c->ids, "</InstalledNonLeafUpdateIDs>");
	}
	if (c->nleaf) {
		buf_puts(&c->ids, "<OtherCachedUpdateIDs>");
		for (int i = 0; i < c->nleaf; i++)
			buf_printf(&c->ids, "<int>%lld</int>", (long long)c->leaf[i]);
		buf_puts(&c->ids, "</OtherCachedUpdateIDs>");
	}
	c->ids_dirty = 0;
}

/* Start operation op of client c: build the request, add the handle. */
static void
start_op(struct client *c, enum op op)
{
	const char *ns = op == OP_AUTH ? NS_AUTH : NS_CLIENT;
	struct buf *b = &c->req;
	char now[40];
	time_t t;

	c->op = op;
	b->len = 0;
	buf_printf(b, "<s:Envelope xmlns:s=\"" SOAP_ENV "\"><s:Body><%s xmlns=\"%s\">",
	    op_name[op], ns);
	switch (op) {
	case OP_CONFIG:
		buf_puts(b, "<protocolVersion>2.90</protocolVersion>");
		break;
	case OP_AUTH:
		buf_printf(b, "<clientId>%s</clientId><dnsName>storm%d.bench.test</dnsName>",
		    c->id, c->idx);
		break;
	case OP_COOKIE:
		t = time(NULL);
		strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
		buf_printf(b, "<authCookies><AuthorizationCookie><PlugInId>%s</PlugInId>"
		    "<CookieData>%s</CookieData></AuthorizationCookie></authCookies>",
		    c->auth_plugin, c->auth_data);
		if (c->cookie_data)
			cookie_xml(c, b, "oldCookie");
		buf_printf(b, "<lastChange>%s</lastChange><currentTime>%s</currentTime>"
		    "<protocolVersion>2.90</protocolVersion>", c->last_change, now);
		break;
	case OP_REGISTER:
		cookie_xml(c, b, "cookie");
		buf_printf(b, "<computerInfo><DnsName>storm%d.bench.test</DnsName>"
		    "<OSMajorVersion>10</OSMajorVersion><OSMinorVersion>0</OSMinorVersion>"
		    "<OSBuildNumber>26100</OSBuildNumber>"
		    "<OSServicePackMajorNumber>0</OSServicePackMajorNumber>"
		    "<OSServicePackMinorNumber>0</OSServicePackMinorNumber>"
		    "<OSLocale>en-US</OSLocale><ComputerManufacturer>Bench</ComputerManufacturer>"
		    "<ComputerModel>scanstorm</ComputerModel><BiosVersion>1</BiosVersion>"
		    "<BiosName>bench</BiosName><BiosReleaseDate>2022-02-02T00:00:00Z</BiosReleaseDate>"
		    "<ProcessorArchitecture>AMD64</ProcessorArchitecture><SuiteMask>256</SuiteMask>"
		    "<OldProductType>1</OldProductType><NewProductType>48</NewProductType>"
		    "<SystemMetrics>0</SystemMetrics>"
		    "<ClientVersionMajorNumber>1507</ClientVersionMajorNumber>"
		    "<ClientVersionMinorNumber>2601</ClientVersionMinorNumber>"
		    "<ClientVersionBuildNumber>30012</ClientVersionBuildNumber>"
		    "<ClientVersionQfeNumber>0</ClientVersionQfeNumber>"
		    "<OSDescription>scanstorm</OSDescription><OEM>Bench</OEM>"
		    "<DeviceType>scanstorm</DeviceType><FirmwareVersion>1</FirmwareVersion>"
		    "<MobileOperator>Not Present</MobileOperator></computerInfo>", c->idx);
		break;
	case OP_SYNC:
		cookie_xml(c, b, "cookie");
		buf_puts(b, "<parameters><ExpressQuery>false</ExpressQuery>");
		ids_xml(c);
		buf_put(b, c->ids.p, c->ids.len);
		buf_puts(b, "<SkipSoftwareSync>false</SkipSoftwareSync>"
		    "<NeedTwoGroupOutOfScopeUpdates>true</NeedTwoGroupOutOfScopeUpdates>"
		    "<AlsoPerformRegularSync>false</AlsoPerformRegularSync><ComputerSpec/>"
		    "<ProductsParameters><SyncCurrentVersionOnly>false</SyncCurrentVersionOnly>"
		    "<DeviceAttributes>App=WU_OS;AppVer=1507.2601.30012.0;DeviceFamily=Windows.Desktop;"
		    "InstallationType=Client;OSArchitecture=AMD64;</DeviceAttributes>"
		    "<CallerAttributes>Interactive=0;Id=scanstorm;</CallerAttributes>"
		    "<Products/></ProductsParameters></parameters>");
		break;
	case OP_GEUI:
		cookie_xml(c, b, "cookie");
		buf_puts(b, "<revisionIDs>");
		for (int i = 0; i < c->nleaf && i < EXT_MAX; i++)
			buf_printf(b, "<int>%lld</int>", (long long)c->leaf[i]);
		buf_puts(b, "</revisionIDs><infoTypes>"
		    "<XmlUpdateFragmentType>Extended</XmlUpdateFragmentType>"
		    "<XmlUpdateFragmentType>LocalizedProperties</XmlUpdateFragmentType>"
		    "</infoTypes><locales><string>en-US</string><string>en</string></locales>"
		    "<GeoId>244</GeoId><callerAttributes>Interactive=0;Id=scanstorm;"
		    "</callerAttributes>");
		break;
	default:
		break;
	}
	buf_printf(b, "</%s></s:Body></s:Envelope>", op_name[op]);

	c->resp.len = 0;
	c->encoding[0] = '\0';
	curl_easy_setopt(c->eh, CURLOPT_URL, op == OP_AUTH ? url_auth : url_client);
	curl_easy_setopt(c->eh, CURLOPT_POSTFIELDS, b->p);
	curl_easy_setopt(c->eh, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)b->len);
	curl_easy_setopt(c->eh, CURLOPT_HTTPHEADER, hdrs[op]);
	c->busy = 1;
	inflight++;
	nreq[c->phase]++;
	if (curl_multi_add_handle(multi, c->eh) != CURLM_OK) {
		fprintf(stderr, "scanstorm: curl_multi_add_handle failed\n");
		exit(2);
	}
}

static int
take_cookie(struct client *c, const char *p, const char *end)
{
	const char *e, *d;
	size_t el, dl;

	if ((e = xml_text(p, end, "Expiration", &el)) == NULL ||
	    (d = xml_text(p, end, "EncryptedData", &dl)) == NULL || el == 0 || dl == 0 ||
	    el >= sizeof(c->cookie_exp))
		return -1;
	memcpy(c->cookie_exp, e, el);
	c->cookie_exp[el] = '\0';
	free(c->cookie_data);
	c->cookie_data = xrealloc(NULL, dl + 1);
	memcpy(c->cookie_data, d, dl);
	c->cookie_data[dl] = '\0';
	return 0;
}

static void
push_id(int64_t **v, int *n, int *cap, int64_t id)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 256;
		*v = xrealloc(*v, (size_t)*cap * sizeof(**v));
	}
	(*v)[(*n)++] = id;
}

static void first_scan_done(struct client *c);
static void delta_scan_done(struct client *c);
static void start_first_scan(struct client *c);
static int next_client;

/*
 * on_answer - a 200 answer to c->op, decoded, in (p, end): check it and go
 * on with the client's scan.
 */
static void
on_answer(struct client *c, const char *p, const char *end, double ms)
{
	char want[80];
	const char *v, *nu, *nue;
	size_t n;

	snprintf(want, sizeof(want), "<%sResponse", op_name[c->op]);
	if (!has(p, end, want)) {
		nshape++;
		fail(c, "answer without %s>: %.200s", want, p);
		return;
	}
	switch (c->op) {
	case OP_CONFIG:
		if ((v = xml_text(p, end, "LastChange", &n)) == NULL || n >= sizeof(c->last_change) ||
		    !has(p, end, "<ServiceUrl>SimpleAuthWebService/SimpleAuth.asmx</ServiceUrl>")) {
			nshape++;
			fail(c, "GetConfig without LastChange or SimpleAuth ServiceUrl");
			return;
		}
		if (c->phase == 2) {
			if (n != strlen(c->last_change) || memcmp(v, c->last_change, n) != 0) {
				nshape++;
				fail(c, "LastChange changed during the run");
				return;
			}
			sample_add(L_CFG2, ms);
			start_op(c, OP_SYNC);
			return;
		}
		memcpy(c->last_change, v, n);
		c->last_change[n] = '\0';
		sample_add(L_CFG1, ms);
		start_op(c, OP_AUTH);
		return;
	case OP_AUTH:
		if ((v = xml_text(p, end, "PlugInId", &n)) == NULL || n >= sizeof(c->auth_plugin)) {
			nshape++;
			fail(c, "no PlugInId");
			return;
		}
		memcpy(c->auth_plugin, v, n);
		c->auth_plugin[n] = '\0';
		if ((v = xml_text(p, end, "CookieData", &n)) == NULL || n == 0) {
			nshape++;
			fail(c, "no CookieData");
			return;
		}
		free(c->auth_data);
		c->auth_data = xrealloc(NULL, n + 1);
		memcpy(c->auth_data, v, n);
		c->auth_data[n] = '\0';
		sample_add(L_AUTH, ms);
		start_op(c, OP_COOKIE);
		return;
	case OP_COOKIE:
		if ((v = strstr(p, "<GetCookieResult>")) == NULL || take_cookie(c, v, end) == -1) {
			nshape++;
			fail(c, "GetCookie without a cookie");
			return;
		}
		sample_add(L_COOKIE, ms);
		start_op(c, OP_REGISTER);
		return;
	case OP_REGISTER:
		sample_add(L_REG, ms);
		c->rounds = 0;
		start_op(c, OP_SYNC);
		return;
	case OP_SYNC: {
		int truncated, got = 0;

		if ((v = xml_text(p, end, "Truncated", &n)) == NULL ||
		    (n == 4 ? memcmp(v, "true", 4) : n == 5 ? memcmp(v, "false", 5) : 1)) {
			nshape++;
			fail(c, "SyncUpdates without Truncated");
			return;
		}
		truncated = n == 4;
		if ((v = strstr(p, "<NewCookie>")) == NULL || take_cookie(c, v, end) == -1) {
			nshape++;
			fail(c, "SyncUpdates without NewCookie");
			return;
		}
		/* NewUpdates: empty element or a list of UpdateInfo. */
		nu = strstr(p, "<NewUpdates>");
		nue = nu ? strstr(nu, "</NewUpdates>") : NULL;
		if (nu == NULL && strstr(p, "<NewUpdates") == NULL) {
			nshape++;
			fail(c, "SyncUpdates without NewUpdates");
			return;
		}
		if (nu != NULL && nue == NULL) {
			nshape++;
			fail(c, "unterminated NewUpdates");
			return;
		}
		for (const char *u = nu; u != NULL && u < nue;) {
			const char *ui = memmem(u, (size_t)(nue - u), "<UpdateInfo><ID>", 16);
			const char *lf;
			char *ep;
			long long id;

			if (ui == NULL)
				break;
			id = strtoll(ui + 16, &ep, 10);
			lf = memmem(ep, (size_t)(nue - ep), "<IsLeaf>", 8);
			if (id <= 0 || *ep != '<' || lf == NULL) {
				nshape++;
				fail(c, "malformed UpdateInfo");
				return;
			}
			if (strncmp(lf + 8, "true<", 5) == 0)
				push_id(&c->leaf, &c->nleaf, &c->capl, id);
			else
				push_id(&c->nonleaf, &c->nnonleaf, &c->capnl, id);
			got++;
			u = lf + 8;
		}
		if (c->phase == 2) {
			sample_add(L_SYNC2, ms);
			if (got || truncated || has(p, end, "<OutOfScopeRevisionIDs>")) {
				nshape++;
				fail(c, "delta scan answer not empty: %d new, truncated %d", got,
				    truncated);
				return;
			}
			delta_scan_done(c);
			return;
		}
		sample_add(L_SYNC1, ms);
		if (got >= 50)
			sample_add(L_SYNC1_PAGE, ms);
		c->rounds++;
		if (got)
			c->ids_dirty = 1;
		if ((got || truncated) && c->rounds < SYNC_ROUNDS_MAX) {
			start_op(c, OP_SYNC);
			return;
		}
		if (got || truncated) {
			nshape++;
			fail(c, "still getting updates after %d rounds", c->rounds);
			return;
		}
		if ((opt.expect_leaf >= 0 && c->nleaf != opt.expect_leaf) ||
		    (opt.expect_nonleaf >= 0 && c->nnonleaf != opt.expect_nonleaf)) {
			nshape++;
			fail(c, "first scan got %d leaf + %d non-leaf, expected %d + %d",
			    c->nleaf, c->nnonleaf, opt.expect_leaf, opt.expect_nonleaf);
			return;
		}
		if (c->nleaf == 0) {
			first_scan_done(c);
			return;
		}
		start_op(c, OP_GEUI);
		return;
	}
	case OP_GEUI: {
		int nup = 0;

		for (const char *u = p; (u = memmem(u, (size_t)(end - u), "<Update><ID>", 12)); u += 12)
			nup++;
		if (nup < (c->nleaf < EXT_MAX ? c->nleaf : EXT_MAX) ||
		    !has(p, end, "<FileLocation>") || has(p, end, "<OutOfScopeRevisionIDs>")) {
			nshape++;
			fail(c, "GetExtendedUpdateInfo: %d fragments for %d ids", nup,
			    c->nleaf < EXT_MAX ? c->nleaf : EXT_MAX);
			return;
		}
		sample_add(L_GEUI, ms);
		first_scan_done(c);
		return;
	}
	default:
		return;
	}
}

/* A transfer of c finished with result rc. */
static void
on_done(struct client *c, CURLcode rc)
{
	enum lat k;
	long status = 0;
	curl_off_t tt = 0, up = 0;
	uint8_t *dec = NULL;
	size_t declen;
	const char *p;
	size_t n;

	curl_multi_remove_handle(multi, c->eh);
	c->busy = 0;
	inflight--;
	if (rc != CURLE_OK) {
		ntransport++;
		fail(c, "transport: %s", curl_easy_strerror(rc));
		return;
	}
	curl_easy_getinfo(c->eh, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(c->eh, CURLINFO_TOTAL_TIME_T, &tt);
	curl_easy_getinfo(c->eh, CURLINFO_SIZE_UPLOAD_T, &up);
	{
		long nc = 0;

		curl_easy_getinfo(c->eh, CURLINFO_NUM_CONNECTS, &nc);
		nconn[c->phase] += nc;
	}
	p = c->resp.p ? c->resp.p : "";
	n = c->resp.len;
	k = c->op == OP_CONFIG ? (c->phase == 1 ? L_CFG1 : L_CFG2) :
	    c->op == OP_AUTH ? L_AUTH : c->op == OP_COOKIE ? L_COOKIE :
	    c->op == OP_REGISTER ? L_REG : c->op == OP_GEUI ? L_GEUI :
	    c->phase == 1 ? L_SYNC1 : L_SYNC2;
	lat[k].wire_bytes += n;
	lat[k].req_bytes += (uint64_t)up;
	if (c->encoding[0] != '\0') {
		if (strcasecmp(c->encoding, "xpress") != 0) {
			nshape++;
			fail(c, "Content-Encoding %s", c->encoding);
			return;
		}
		if (xpress_decode((const uint8_t *)p, n, BODY_MAX, &dec, &declen) == -1) {
			nshape++;
			fail(c, "bad xpress body (%zu bytes)", n);
			return;
		}
		dec = xrealloc(dec, declen + 1);
		dec[declen] = '\0';
		p = (const char *)dec;
		n = declen;
	}
	lat[k].body_bytes += n;
	if (status == 500) {
		const char *code;
		size_t cl_;

		nfault++;
		code = xml_text(p, p + n, "ErrorCode", &cl_);
		fail(c, "SOAP fault %.*s", code ? (int)cl_ : 3, code ? code : "(no ErrorCode)");
	} else if (status != 200) {
		nhttp++;
		fail(c, "HTTP %ld: %.200s", status, p);
	} else {
		on_answer(c, p, p + n, (double)tt / 1000.0);
	}
	free(dec);
	/* A first scan that failed frees its slot for the next client. */
	if (c->dead && c->phase == 1 && next_client < opt.nclients)
		start_first_scan(&cl[next_client++]);
}

/* --- phases ---------------------------------------------------------------- */

static int phase = 1;
static double delta_end;

static void
start_first_scan(struct client *c)
{
	c->phase = 1;
	c->started = 1;
	c->t_scan = now_s();
	nstarted1++;
	start_op(c, OP_CONFIG);
}

static void
first_scan_done(struct client *c)
{
	sample_add(L_SCAN1, (now_s() - c->t_scan) * 1000.0);
	nscan1++;
	c->done1 = 1;
	if (sync_rounds_min < 0 || c->rounds < sync_rounds_min)
		sync_rounds_min = c->rounds;
	if (c->rounds > sync_rounds_max)
		sync_rounds_max = c->rounds;
	if (next_client < opt.nclients)
		start_first_scan(&cl[next_client++]);
}

static void
start_delta_scan(struct client *c)
{
	c->phase = 2;
	c->t_scan = now_s();
	start_op(c, OP_CONFIG);
}

static void
delta_scan_done(struct client *c)
{
	sample_add(L_SCAN2, (now_s() - c->t_scan) * 1000.0);
	nscan2++;
	if (now_s() < delta_end)
		start_delta_scan(c);
}

/* --- libcurl multi socket API on epoll ------------------------------------ */

static int
sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct epoll_event ev;

	(void)e;
	(void)userp;
	memset(&ev, 0, sizeof(ev));
	ev.data.fd = s;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(epfd, EPOLL_CTL_DEL, s, NULL);
		return 0;
	}
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
	(void)socketp;
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, s, &ev) == -1 &&
	    (errno != ENOENT || epoll_ctl(epfd, EPOLL_CTL_ADD, s, &ev) == -1)) {
		fprintf(stderr, "scanstorm: epoll_ctl: %s\n", strerror(errno));
		exit(2);
	}
	return 0;
}

static int
timer_cb(CURLM *m, long ms, void *userp)
{
	(void)m;
	(void)userp;
	timer_at = ms < 0 ? -1 : now_s() + ms / 1000.0;
	return 0;
}

static void
drain_msgs(void)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(multi, &left)) != NULL) {
		struct client *c;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&c);
		on_done(c, m->data.result);
	}
}

/* Run the loop until nothing is in flight. */
static void
loop(void)
{
	struct epoll_event evs[256];
	int running;

	while (inflight > 0) {
		double t = now_s();
		int to = timer_at < 0 ? 200 : timer_at <= t ? 0 : (int)((timer_at - t) * 1000) + 1;
		int n = epoll_wait(epfd, evs, 256, to);

		if (n == -1 && errno != EINTR) {
			fprintf(stderr, "scanstorm: epoll_wait: %s\n", strerror(errno));
			exit(2);
		}
		for (int i = 0; i < n; i++) {
			int f = 0;
			if (evs[i].events & EPOLLIN)
				f |= CURL_CSELECT_IN;
			if (evs[i].events & EPOLLOUT)
				f |= CURL_CSELECT_OUT;
			if (evs[i].events & (EPOLLERR | EPOLLHUP))
				f |= CURL_CSELECT_ERR;
			curl_multi_socket_action(multi, evs[i].data.fd, f, &running);
		}
		if (timer_at >= 0 && now_s() >= timer_at) {
			timer_at = -1;
			curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
		}
		drain_msgs();
	}
}

/* --- server figures ------------------------------------------------------- */

struct srv {
	double cpu_s;            /* utime + stime */
	long   rss_kb, hwm_kb;
};

static void
srv_read(struct srv *s)
{
	char path[64], line[4096], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f;

	memset(s, 0, sizeof(*s));
	if (opt.pid <= 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/stat", opt.pid);
	if ((f = fopen(path, "r")) != NULL) {
		if (fgets(line, sizeof(line), f) && (p = strrchr(line, ')')) != NULL &&
		    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
		    &ut, &st) == 2)
			s->cpu_s = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/status", opt.pid);
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), f)) {
			if (strncmp(line, "VmRSS:", 6) == 0)
				s->rss_kb = atol(line + 6);
			else if (strncmp(line, "VmHWM:", 6) == 0)
				s->hwm_kb = atol(line + 6);
		}
		fclose(f);
	}
}

static double
self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* --- main ------------------------------------------------------------------ */

static void
usage(void)
{
	fprintf(stderr,
	    "usage: scanstorm -p HTTPS-PORT -C CA.pem [-H host] [-A addr] [-n clients]\n"
	    "                 [-c concurrent] [-t delta-seconds] [-P server-pid]\n"
	    "                 [-L expected-leaf] [-N expected-nonleaf] [-f target-first/s]\n"
	    "                 [-d target-delta/s] [-X shell-command-at-first-scans-start]\n"
	    "                 [-x shell-command-at-delta-start] [-q]\n");
	exit(2);
}

/* Run a shell command in the background (a profiler); its pid. */
static pid_t
spawn(const char *cmd)
{
	pid_t p;

	fflush(NULL);
	if ((p = fork()) == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return p;
}

static const char *
verdict(double v, double target)
{
	return target <= 0 ? "" : v >= target ? "PASS" : "BELOW";
}

int
main(int argc, char *argv[])
{
	struct srv s0, s1, s2;
	double t0, t1, t2, c0, c1, c2;
	pid_t xpid = -1, Xpid = -1;
	char rs[600];
	int ch;

	while ((ch = getopt(argc, argv, "p:H:A:C:n:c:t:P:L:N:f:d:x:X:q")) != -1) {
		switch (ch) {
		case 'p': opt.port = atoi(optarg); break;
		case 'H': opt.host = optarg; break;
		case 'A': opt.addr = optarg; break;
		case 'C': opt.cafile = optarg; break;
		case 'n': opt.nclients = atoi(optarg); break;
		case 'c': opt.conc = atoi(optarg); break;
		case 't': opt.delta_s = atof(optarg); break;
		case 'P': opt.pid = atoi(optarg); break;
		case 'L': opt.expect_leaf = atoi(optarg); break;
		case 'N': opt.expect_nonleaf = atoi(optarg); break;
		case 'f': opt.target_first = atof(optarg); break;
		case 'd': opt.target_delta = atof(optarg); break;
		case 'x': opt.exec_at_delta = optarg; break;
		case 'X': opt.exec_at_first = optarg; break;
		case 'q': opt.quiet = 1; break;
		default: usage();
		}
	}
	if (opt.cafile == NULL || opt.nclients < 1 || opt.port < 1)
		usage();
	if (opt.conc <= 0 || opt.conc > opt.nclients)
		opt.conc = opt.nclients;
	signal(SIGPIPE, SIG_IGN);
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || (multi = curl_multi_init()) == NULL ||
	    (share = curl_share_init()) == NULL || (epfd = epoll_create1(0)) == -1) {
		fprintf(stderr, "scanstorm: libcurl / epoll set-up failed\n");
		return 2;
	}
	curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	/* Every client keeps a connection: the pool must hold them all. */
	curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)opt.nclients + 16);
	snprintf(rs, sizeof(rs), "%s:%d:%s", opt.host, opt.port, opt.addr);
	resolve = curl_slist_append(NULL, rs);
	snprintf(url_client, sizeof(url_client), "https://%s:%d" PATH_CLIENT, opt.host, opt.port);
	snprintf(url_auth, sizeof(url_auth), "https://%s:%d" PATH_AUTH, opt.host, opt.port);
	for (int o = 0; o < OP_N; o++) {
		static const char *const fixed[] = {
			"Content-Type: text/xml; charset=utf-8",
			"Accept-Encoding: xpress",
			"User-Agent: " UA,
			"Cache-Control: no-cache",
			"Pragma: no-cache",
			"Connection: Keep-Alive",
			"Accept:",
			"Expect:",
		};
		char action[300];

		for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
			hdrs[o] = curl_slist_append(hdrs[o], fixed[i]);
		snprintf(action, sizeof(action), "SOAPAction: \"%s/%s\"",
		    o == OP_AUTH ? NS_AUTH : NS_CLIENT, op_name[o]);
		hdrs[o] = curl_slist_append(hdrs[o], action);
	}
	cl = calloc((size_t)opt.nclients, sizeof(*cl));
	if (cl == NULL)
		return 2;
	for (int i = 0; i < opt.nclients; i++) {
		struct client *c = &cl[i];

		c->idx = i;
		guid(c->id);
		if ((c->eh = curl_easy_init()) == NULL)
			return 2;
		curl_easy_setopt(c->eh, CURLOPT_PRIVATE, (char *)c);
		curl_easy_setopt(c->eh, CURLOPT_SHARE, share);
		curl_easy_setopt(c->eh, CURLOPT_RESOLVE, resolve);
		curl_easy_setopt(c->eh, CURLOPT_CAINFO, opt.cafile);
		curl_easy_setopt(c->eh, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
		curl_easy_setopt(c->eh, CURLOPT_SSL_SESSIONID_CACHE, 1L);
		curl_easy_setopt(c->eh, CURLOPT_TCP_NODELAY, 1L);
		curl_easy_setopt(c->eh, CURLOPT_POST, 1L);
		curl_easy_setopt(c->eh, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(c->eh, CURLOPT_WRITEDATA, c);
		curl_easy_setopt(c->eh, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(c->eh, CURLOPT_HEADERDATA, c);
		curl_easy_setopt(c->eh, CURLOPT_TIMEOUT, 60L);
		curl_easy_setopt(c->eh, CURLOPT_NOSIGNAL, 1L);
		c->ids_dirty = 1;
	}

	/* Phase 1: first scans. */
	if (opt.exec_at_first != NULL)
		Xpid = spawn(opt.exec_at_first);
	srv_read(&s0);
	c0 = self_cpu();
	t0 = now_s();
	for (next_client = 0; next_client < opt.conc; next_client++)
		start_first_scan(&cl[next_client]);
	loop();
	t1 = now_s();
	c1 = self_cpu();
	srv_read(&s1);

	/* Phase 2: delta scans, closed loop, for opt.delta_s. */
	phase = 2;
	if (opt.delta_s > 0) {
		if (opt.exec_at_delta != NULL)
			xpid = spawn(opt.exec_at_delta);
		delta_end = now_s() + opt.delta_s;
		for (int i = 0; i < opt.nclients; i++)
			if (cl[i].done1 && !cl[i].dead)
				start_delta_scan(&cl[i]);
		loop();
	}
	t2 = now_s();
	c2 = self_cpu();
	srv_read(&s2);
	if (xpid > 0)
		waitpid(xpid, NULL, 0);
	if (Xpid > 0)
		waitpid(Xpid, NULL, 0);

	/* Report. */
	for (int k = 0; k < L_N; k++)
		qsort(lat[k].v, lat[k].n, sizeof(double), dcmp);
	{
		double w1 = t1 - t0, w2 = t2 - t1;
		double r1 = nscan1 / (w1 > 0 ? w1 : 1), r2 = opt.delta_s > 0 && w2 > 0 ? nscan2 / w2 : 0;
		double sc1 = s1.cpu_s - s0.cpu_s, sc2 = s2.cpu_s - s1.cpu_s;
		double us1 = nscan1 ? sc1 * 1e6 / nscan1 : 0, us2 = nscan2 ? sc2 * 1e6 / nscan2 : 0;
		double b1 = w1 > 0 ? 100 * sc1 / w1 : 0, b2 = w2 > 0 ? 100 * sc2 / w2 : 0;
		double cb1 = w1 > 0 ? 100 * (c1 - c0) / w1 : 0, cb2 = w2 > 0 ? 100 * (c2 - c1) / w2 : 0;
#define ROW(label, fmt, v) printf("  %-50s " fmt "\n", label, v)
#define TROW(label, v, t) printf("  %-50s %11.1f %11s %7s  %s%.0f/s: %s\n", label, v, "", "", \
	    "target >= ", t, verdict(v, t))

		printf("KV clients=%d concurrent=%d first_scans=%ld first_wall=%.3f first_rate=%.1f "
		    "first_srv_cpu=%.3f first_srv_us=%.0f first_srv_busy=%.0f first_cli_busy=%.0f "
		    "rounds_min=%d rounds_max=%d first_conns=%ld\n", opt.nclients, opt.conc, nscan1,
		    w1, r1, sc1, us1, b1, cb1, sync_rounds_min, sync_rounds_max, nconn[1]);
		printf("KV delta_scans=%ld delta_wall=%.3f delta_rate=%.1f delta_srv_cpu=%.3f "
		    "delta_srv_us=%.0f delta_srv_busy=%.0f delta_cli_busy=%.0f delta_conns=%ld\n",
		    nscan2, w2, r2, sc2, us2, b2, cb2, nconn[2]);
		printf("KV errors=%ld faults=%ld http=%ld transport=%ld shape=%ld requests=%ld "
		    "rss0=%ld rss1=%ld rss2=%ld hwm=%ld\n", nerr, nfault, nhttp, ntransport, nshape,
		    nreq[1] + nreq[2], s0.rss_kb, s1.rss_kb, s2.rss_kb, s2.hwm_kb);
		for (int k = 0; k < L_N; k++)
			printf("KV lat_%s_n=%zu lat_%s_p50=%.2f lat_%s_p99=%.2f\n", lat_key[k],
			    lat[k].n, lat_key[k], pct(&lat[k], 50), lat_key[k], pct(&lat[k], 99));
		if (opt.quiet)
			goto out;
		printf("  first scans (%d clients, %d at a time: GetConfig, GetAuthorizationCookie,\n"
		    "  GetCookie, RegisterComputer, %d..%d SyncUpdates, 1 GetExtendedUpdateInfo)\n",
		    opt.nclients, opt.conc, sync_rounds_min, sync_rounds_max);
		if (opt.target_first > 0)
			TROW("  first scans/s", r1, opt.target_first);
		else
			ROW("  first scans/s", "%11.1f", r1);
		ROW("  server CPU us/first scan", "%11.0f", us1);
		ROW("  server CPU busy %", "%11.0f", b1);
		ROW("  first scans/s per server core (1e6 / CPU us)", "%11.1f", us1 > 0 ? 1e6 / us1 : 0);
		ROW("  load generator CPU busy %", "%11.0f", cb1);
		ROW("  new TLS connections", "%11ld", nconn[1]);
		if (opt.delta_s > 0) {
			printf("  delta scans (the same clients, cookies kept, closed loop for %.0f s:\n"
			    "  GetConfig + SyncUpdates with %d installed non-leaf + %d cached ids)\n",
			    opt.delta_s, opt.nclients ? cl[0].nnonleaf : 0, opt.nclients ? cl[0].nleaf : 0);
			if (opt.target_delta > 0)
				TROW("  delta scans/s", r2, opt.target_delta);
			else
				ROW("  delta scans/s", "%11.1f", r2);
			ROW("  server CPU us/delta scan", "%11.0f", us2);
			ROW("  server CPU busy %", "%11.0f", b2);
			ROW("  delta scans/s per server core (1e6 / CPU us)", "%11.1f", us2 > 0 ? 1e6 / us2 : 0);
			ROW("  load generator CPU busy %", "%11.0f", cb2);
			ROW("  new TLS connections", "%11ld", nconn[2]);
		}
		ROW("  requests", "%11ld", nreq[1] + nreq[2]);
		printf("  %-50s %11ld %11s %7s  %s\n", "  errors: transport, HTTP, SOAP fault, content", nerr,
		    "", "", nerr ? "must be 0: FAIL" : "must be 0: ok");
		if (nerr)
			printf("  %-50s %ld, %ld, %ld, %ld\n", "    (transport, HTTP, fault, content)",
			    ntransport, nhttp, nfault, nshape);
		if (opt.pid > 0)
			printf("  %-50s %11ld %11ld %7ld  (KiB; peak VmHWM %ld)\n",
			    "  server VmRSS: before / after first / after delta", s0.rss_kb,
			    s1.rss_kb, s2.rss_kb, s2.hwm_kb);
		printf("  latency under saturation (closed loop: up to %d requests in flight)\n",
		    opt.conc);
		printf("  %-50s %11s %11s %7s  %s\n", "  per operation, ms", "p50", "p99", "n",
		    "request KiB, answer KiB on the wire (decoded)");
		for (int k = 0; k < L_N; k++) {
			size_t n = lat[k].n;
			int wire = k != L_SCAN1 && k != L_SCAN2 && k != L_SYNC1_PAGE;

			if (n == 0)
				continue;
			printf("      %-46s %11.2f %11.2f %7zu", lat_name[k], pct(&lat[k], 50),
			    pct(&lat[k], 99), n);
			if (wire)
				printf("  %.1f, %.1f (%.1f)", lat[k].req_bytes / 1024.0 / n,
				    lat[k].wire_bytes / 1024.0 / n, lat[k].body_bytes / 1024.0 / n);
			printf("\n");
		}
#undef ROW
#undef TROW
	}
out:
	for (int i = 0; i < opt.nclients; i++) {
		curl_easy_cleanup(cl[i].eh);
		free(cl[i].auth_data);
		free(cl[i].cookie_data);
		free(cl[i].nonleaf);
		free(cl[i].leaf);
		free(cl[i].ids.p);
		free(cl[i].req.p);
		free(cl[i].resp.p);
	}
	free(cl);
	curl_multi_cleanup(multi);
	curl_share_cleanup(share);
	for (int o = 0; o < OP_N; o++)
		curl_slist_free_all(hdrs[o]);
	curl_slist_free_all(resolve);
	for (int k = 0; k < L_N; k++)
		free(lat[k].v);
	curl_global_cleanup();
	return nerr ? 1 : 0;
}
