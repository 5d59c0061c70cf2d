/*
 * test_route.c - route_normalize and route_match, table-driven.
 */
#include <string.h>

#include "server.h"
#include "t.h"

static const struct {
	int         line;
	const char *in;
	const char *out;      /* NULL: rejected */
} norm_cases[] = {
	{ __LINE__, "/ClientWebService/client.asmx", "/ClientWebService/client.asmx" },
	{ __LINE__, "//DssAuthWebService/DssAuthWebService.asmx", "/DssAuthWebService/DssAuthWebService.asmx" },
	{ __LINE__, "/a///b//", "/a/b/" },
	{ __LINE__, "/ApiRemoting30/WebService.asmx?wsdl", "/ApiRemoting30/WebService.asmx" },
	{ __LINE__, "/", "/" },
	{ __LINE__, "", NULL },
	{ __LINE__, "Content/AB/x", NULL },
	{ __LINE__, "/Content/../etc/passwd", NULL },
	{ __LINE__, "/Content/./AB", NULL },
	{ __LINE__, "/Content/..", NULL },
	{ __LINE__, "/Content/%2e%2e/x", NULL },
	{ __LINE__, "/Content\\AB", NULL },
	{ __LINE__, "/Con tent", NULL },
	{ __LINE__, "/Content/\x01", NULL },
	{ __LINE__, "/Content/\xc3\xa9", NULL },
	{ __LINE__, "/Content/...x/", "/Content/...x/" },
};

static const struct {
	int             line;
	const char     *path;
	enum route_kind kind;
	int             service;
	unsigned        bit;
	const char     *rest;
} match_cases[] = {
	{ __LINE__, "/ClientWebService/client.asmx", ROUTE_SOAP, WS_CLIENT, 1u << WS_CLIENT, NULL },
	{ __LINE__, "/clientwebservice/CLIENT.ASMX", ROUTE_SOAP, WS_CLIENT, 1u << WS_CLIENT, NULL },
	{ __LINE__, "/SimpleAuthWebService/SimpleAuth.asmx", ROUTE_SOAP, WS_SIMPLEAUTH, 1u << WS_SIMPLEAUTH, NULL },
	{ __LINE__, "/ReportingWebService/ReportingWebService.asmx", ROUTE_SOAP, WS_REPORTING, 1u << WS_REPORTING, NULL },
	{ __LINE__, "/ReportingWebService/WebService.asmx", ROUTE_SOAP, WS_REPORTING, 1u << WS_REPORTING, NULL },
	{ __LINE__, "/DssAuthWebService/DssAuthWebService.asmx", ROUTE_SOAP, WS_DSSAUTH, 1u << WS_DSSAUTH, NULL },
	{ __LINE__, "/dssauthwebservice/dssauthwebservice.asmx", ROUTE_SOAP, WS_DSSAUTH, 1u << WS_DSSAUTH, NULL },
	{ __LINE__, "/ServerSyncWebService/ServerSyncWebService.asmx", ROUTE_SOAP, WS_SERVERSYNC, 1u << WS_SERVERSYNC, NULL },
	{ __LINE__, "/ApiRemoting30/WebService.asmx", ROUTE_SOAP, WS_APIREMOTING, 1u << WS_APIREMOTING, NULL },
	{ __LINE__, "/ApiRemoting30/Other.asmx", ROUTE_VROOT, WS_APIREMOTING, 1u << WS_APIREMOTING, NULL },
	{ __LINE__, "/ApiRemoting30", ROUTE_VROOT, WS_APIREMOTING, 1u << WS_APIREMOTING, NULL },
	{ __LINE__, "/ServerSyncWebService/ServerSyncProxy.asmx", ROUTE_VROOT, WS_SERVERSYNC, 1u << WS_SERVERSYNC, NULL },
	{ __LINE__, "/ClientWebService/client.asmx/extra", ROUTE_VROOT, WS_CLIENT, 1u << WS_CLIENT, NULL },
	{ __LINE__, "/Content/49/A379D5526FB3A7A0423DA1CD7FC3182A8D448449.exe", ROUTE_CONTENT, -1, SSLREQ_CONTENT,
	  "49/A379D5526FB3A7A0423DA1CD7FC3182A8D448449.exe" },
	{ __LINE__, "/content/49/x", ROUTE_CONTENT, -1, SSLREQ_CONTENT, "49/x" },
	{ __LINE__, "/Inventory/x", ROUTE_VROOT, -1, SSLREQ_INVENTORY, NULL },
	{ __LINE__, "/SelfUpdate", ROUTE_VROOT, -1, SSLREQ_SELFUPDATE, NULL },
	{ __LINE__, "/", ROUTE_NONE, -1, 0, NULL },
	{ __LINE__, "/ClientWebServiceX/client.asmx", ROUTE_NONE, -1, 0, NULL },
	{ __LINE__, "/Client", ROUTE_NONE, -1, 0, NULL },
	{ __LINE__, "/favicon.ico", ROUTE_NONE, -1, 0, NULL },
};

static const struct {
	int         line;
	const char *in;
	size_t      outlen;
	const char *out;
} esc_cases[] = {
	{ __LINE__, "/ClientWebService/x", 64, "/ClientWebService/x" },
	{ __LINE__, "<script>alert(1)</script>", 128, "&lt;script&gt;alert(1)&lt;/script&gt;" },
	{ __LINE__, "a\"b'c&d", 64, "a&quot;b&#39;c&amp;d" },
	{ __LINE__, "\x01\xc3\xa9\x7f", 64, "????" },
	{ __LINE__, "ab<cd", 6, "ab" },          /* never half an entity */
	{ __LINE__, "abcdef", 4, "abc" },
	{ __LINE__, "<", 5, "&lt;" },
	{ __LINE__, "<", 4, "" },
	{ __LINE__, "", 1, "" },
};

int
main(void)
{
	for (size_t i = 0; i < sizeof(esc_cases) / sizeof(esc_cases[0]); i++) {
		char out[256];
		size_t n;

		memset(out, 'X', sizeof(out));
		n = route_html_escape(esc_cases[i].in, strlen(esc_cases[i].in), out,
		    esc_cases[i].outlen);
		T_CHECK(esc_cases[i].line, strcmp(out, esc_cases[i].out) == 0 &&
		    n == strlen(esc_cases[i].out), "escape: got \"%s\" (%zu)", out, n);
	}

	char out[LIMIT_PATH_BYTES];

	for (size_t i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]); i++) {
		int n = route_normalize(norm_cases[i].in, strlen(norm_cases[i].in),
		    out, sizeof(out));
		if (norm_cases[i].out == NULL)
			T_CHECK(norm_cases[i].line, n == -1, "\"%s\" accepted as \"%s\"",
			    norm_cases[i].in, n >= 0 ? out : "");
		else
			T_CHECK(norm_cases[i].line, n >= 0 &&
			    strcmp(out, norm_cases[i].out) == 0 &&
			    (size_t)n == strlen(norm_cases[i].out),
			    "\"%s\" -> %d \"%s\"", norm_cases[i].in, n, n >= 0 ? out : "");
	}
	/* Output buffer bounds: a path that does not fit is refused. */
	T_OK(route_normalize("/abcdef", 7, out, 4) == -1, "overflow accepted");
	T_OK(route_normalize("/abc", 4, out, 5) == 4, "exact fit refused");

	for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		struct route r;
		const char *p = match_cases[i].path;

		route_match(p, strlen(p), &r);
		T_CHECK(match_cases[i].line, r.kind == match_cases[i].kind &&
		    r.service == match_cases[i].service &&
		    r.sslreq_bit == match_cases[i].bit,
		    "%s -> kind %d service %d bit %#x", p, r.kind, r.service, r.sslreq_bit);
		if (match_cases[i].rest)
			T_CHECK(match_cases[i].line, r.rest_len == strlen(match_cases[i].rest) &&
			    memcmp(r.rest, match_cases[i].rest, r.rest_len) == 0,
			    "%s rest %.*s", p, (int)r.rest_len, r.rest ? r.rest : "");
	}
	return t_done("test_route");
}
