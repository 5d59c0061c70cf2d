/*
 * route.c - the static table that maps a request path to a web service, a
 * virtual root or content.
 *
 * Owns: path normalisation (collapsing '/' runs: a real downstream WSUS
 * sends "//DssAuthWebService/...") and case-insensitive matching, as IIS
 * does.  Never looks at methods, headers or TLS state: http.c decides what
 * to do with a route (Require SSL, 405, ?wsdl).
 */
#include <string.h>
#include <strings.h>

#include "server.h"

/* One virtual root: its name, the .asmx files it serves, its SSL bit. */
struct route_vroot {
	const char *name;           /* without slashes */
	int         service;        /* enum ws_service, or -1 */
	unsigned    sslreq_bit;
	const char *asmx[2];        /* endpoint file names (NULL-terminated) */
};

static const struct route_vroot route_table[] = {
	{ "ClientWebService",     WS_CLIENT,     1u << WS_CLIENT,
	  { "client.asmx", NULL } },
	{ "SimpleAuthWebService", WS_SIMPLEAUTH, 1u << WS_SIMPLEAUTH,
	  { "SimpleAuth.asmx", NULL } },
	/* MS-WUSP/MS-WSUSSS path, and the WSDL's soap:address. */
	{ "ReportingWebService",  WS_REPORTING,  1u << WS_REPORTING,
	  { "ReportingWebService.asmx", "WebService.asmx" } },
	{ "DssAuthWebService",    WS_DSSAUTH,    1u << WS_DSSAUTH,
	  { "DssAuthWebService.asmx", NULL } },
	{ "ServerSyncWebService", WS_SERVERSYNC, 1u << WS_SERVERSYNC,
	  { "ServerSyncWebService.asmx", NULL } },
	{ "ApiRemoting30",        WS_APIREMOTING, 1u << WS_APIREMOTING,
	  { "WebService.asmx", NULL } },
	{ "Content",              -1, SSLREQ_CONTENT,    { NULL, NULL } },
	{ "Inventory",            -1, SSLREQ_INVENTORY,  { NULL, NULL } },
	{ "SelfUpdate",           -1, SSLREQ_SELFUPDATE, { NULL, NULL } },
};

int
route_normalize(const char *in, size_t len, char *out, size_t outlen)
{
	size_t i, o = 0, seg = 0;

	if (len == 0 || in[0] != '/' || outlen == 0)
		return -1;
	for (i = 0; i < len && in[i] != '?'; i++) {
		unsigned char ch = (unsigned char)in[i];

		/*
		 * Percent-encoding, backslashes and control bytes have no place
		 * in any WSUS path; refusing them here means no later code has
		 * to decode or guess.
		 */
		if (ch <= 0x20 || ch >= 0x7f || ch == '%' || ch == '\\')
			return -1;
		if (ch == '/') {
			/* Close the segment [seg, o): refuse "." and "..". */
			if ((o - seg == 1 && out[seg] == '.') ||
			    (o - seg == 2 && out[seg] == '.' && out[seg + 1] == '.'))
				return -1;
			if (o > 0 && out[o - 1] == '/')
				continue;          /* collapse "//" */
			if (o + 1 >= outlen)
				return -1;
			out[o++] = '/';
			seg = o;
			continue;
		}
		if (o + 1 >= outlen)
			return -1;
		out[o++] = (char)ch;
	}
	if ((o - seg == 1 && out[seg] == '.') ||
	    (o - seg == 2 && out[seg] == '.' && out[seg + 1] == '.'))
		return -1;
	out[o] = '\0';
	return (int)o;
}

void
route_match(const char *path, size_t len, struct route *r)
{
	const char *p, *slash;
	size_t i, nlen;

	memset(r, 0, sizeof(*r));
	r->kind = ROUTE_NONE;
	r->service = -1;
	if (len < 2 || path[0] != '/')
		return;
	p = path + 1;
	slash = memchr(p, '/', len - 1);
	nlen = slash ? (size_t)(slash - p) : len - 1;

	for (i = 0; i < sizeof(route_table) / sizeof(route_table[0]); i++) {
		const struct route_vroot *v = &route_table[i];
		const char *file;
		size_t flen;

		if (strlen(v->name) != nlen || strncasecmp(p, v->name, nlen) != 0)
			continue;
		r->kind = ROUTE_VROOT;
		r->service = v->service;
		r->sslreq_bit = v->sslreq_bit;
		if (slash == NULL)
			return;
		file = slash + 1;
		flen = len - (size_t)(file - path);
		if (v->sslreq_bit == SSLREQ_CONTENT) {
			r->kind = ROUTE_CONTENT;
			r->rest = file;
			r->rest_len = flen;
			return;
		}
		for (int k = 0; k < 2 && v->asmx[k] != NULL; k++) {
			if (strlen(v->asmx[k]) == flen &&
			    strncasecmp(file, v->asmx[k], flen) == 0) {
				r->kind = ROUTE_SOAP;
				return;
			}
		}
		return;
	}
}

size_t
route_html_escape(const char *in, size_t len, char *out, size_t outlen)
{
	size_t o = 0;

	if (outlen == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)in[i];
		const char *ent = NULL;
		char one[2] = { (char)ch, '\0' };
		size_t k;

		switch (ch) {
		case '&':  ent = "&amp;";  break;
		case '<':  ent = "&lt;";   break;
		case '>':  ent = "&gt;";   break;
		case '"':  ent = "&quot;"; break;
		case '\'': ent = "&#39;";  break;
		default:
			/* Only printable ASCII passes: no encoding games. */
			if (ch < 0x20 || ch >= 0x7f)
				one[0] = '?';
			ent = one;
		}
		k = strlen(ent);
		if (o + k >= outlen)
			break;             /* never half an entity */
		memcpy(out + o, ent, k);
		o += k;
	}
	out[o] = '\0';
	return o;
}
