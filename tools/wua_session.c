/*
 * wua_session.c - the session a Windows Update Agent keeps with its
 * server (MS-WUSP §3.2): GetConfig, the SimpleTargeting authorization
 * cookie, the client cookie and its renewal, RegisterComputer, and the
 * fault recoveries of the MS-WUSP §2.2.2.4 table:
 *
 *   InvalidCookie, ServerChanged  -> restart at GetConfig, no old cookie
 *                                    (ServerChanged also drops the cache:
 *                                    revision ids are per server)
 *   ConfigChanged                 -> GetConfig, GetAuthorizationCookie, GetCookie
 *   CookieExpired,
 *   InvalidAuthorizationCookie    -> GetAuthorizationCookie, GetCookie
 *   RegistrationRequired          -> RegisterComputer
 *
 * at most WUA_RECOVERIES times per operation, each announced on one line.
 * A stored cookie whose Expiration has passed is renewed with GetCookie
 * before use, as WUA does.
 *
 * Owns: the request shapes of those four operations (taken from the
 * native captures: "s:" envelope, default namespace on the operation,
 * unqualified children) and the cookie fields of struct wua.  Never
 * interprets a cookie's EncryptedData: it is opaque to clients.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "wua.h"

#define NS_CLIENT    "http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService"
#define NS_AUTH      "http://www.microsoft.com/SoftwareDistribution/Server/SimpleAuthWebService"
#define NS_REPORTING "http://www.microsoft.com/SoftwareDistribution"
#define WUA_PROTOCOL "2.90"
#define WUA_PLUGIN   "SimpleTargeting"
#define WUA_COOKIE_MAX 8192        /* base64 bytes of a cookie we keep */
#define WUA_RENEW_MARGIN_S 30      /* renew a cookie this close to expiry */

/*
 * session_url - the URL of a service into out.  SimpleAuth is the
 * ServiceUrl GetConfig announced, resolved against --server when it is
 * relative (as real WSUS sends it: "SimpleAuthWebService/SimpleAuth.asmx");
 * leading slashes are dropped so the join never makes "//", which a real
 * downstream WSUS does and servers must otherwise normalise.  0 or -1.
 */
static int
session_url(const struct wua *w, enum wua_svc svc, char *out, size_t outlen)
{
	const char *rel;
	int n;

	switch (svc) {
	case WUA_SVC_AUTH:
		rel = w->auth_url;
		if (strncasecmp(rel, "http://", 7) == 0 || strncasecmp(rel, "https://", 8) == 0) {
			n = snprintf(out, outlen, "%s", rel);
			return n < 0 || (size_t)n >= outlen ? -1 : 0;
		}
		while (*rel == '/')
			rel++;
		break;
	case WUA_SVC_REPORTING:
		rel = "ReportingWebService/ReportingWebService.asmx";
		break;
	default:
		rel = "ClientWebService/client.asmx";
		break;
	}
	n = snprintf(out, outlen, "%s/%s", w->server, rel);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* The target namespace of a service = the SOAPAction prefix. */
static const char *
session_ns(enum wua_svc svc)
{
	return svc == WUA_SVC_AUTH ? NS_AUTH :
	    svc == WUA_SVC_REPORTING ? NS_REPORTING : NS_CLIENT;
}

/*
 * session_raw - one SOAP call of op with the operation children in body,
 * without any recovery.  0 with *r (caller wua_reply_free), 1 for a WSUS
 * fault (ErrorCode in code), -1 for anything else (w->error set).
 */
static int
session_raw(struct wua *w, enum wua_svc svc, const char *op, struct wbuf *body,
    struct wua_reply *r, char *code, size_t codelen)
{
	char url[1024];
	int rc;

	if (body->oom || session_url(w, svc, url, sizeof(url)) == -1) {
		snprintf(w->error, sizeof(w->error), "Internal");
		return -1;
	}
	rc = wua_http_soap(w, url, session_ns(svc), op, body->p ? body->p : "",
	    body->len, r);
	if (rc == 1)
		snprintf(code, codelen, "%s", r->fault);
	return rc;
}

/* Is s plausible base64 of at most WUA_COOKIE_MAX bytes? */
static int
session_b64ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > WUA_COOKIE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '+' && s[i] != '/' &&
		    s[i] != '=')
			return 0;
	return 1;
}

/*
 * wua_session_cookie - the current client cookie as element name
 * (<cookie>, <oldCookie>), echoed verbatim as MS-WUSP §2.2.3.5 requires.
 */
void
wua_session_cookie(struct wua *w, struct wbuf *b, const char *name)
{
	wbuf_printf(b, "<%s><Expiration>", name);
	wbuf_esc(b, w->cookie_exp, strlen(w->cookie_exp));
	wbuf_puts(b, "</Expiration><EncryptedData>");
	if (w->cookie_data != NULL)
		wbuf_esc(b, w->cookie_data, strlen(w->cookie_data));
	wbuf_printf(b, "</EncryptedData></%s>", name);
}

/*
 * wua_session_take_cookie - make ck (GetCookieResult, NewCookie) the
 * current cookie and save it.  Refuses an Expiration that is not an
 * xsd:dateTime and EncryptedData that is not base64 of at most
 * WUA_COOKIE_MAX bytes, since both go back into every later request.
 */
int
wua_session_take_cookie(struct wua *w, const struct xml_node *ck)
{
	const char *exp = wua_text(ck, "Expiration");
	const char *data = wua_text(ck, "EncryptedData");
	time_t t;
	char *nd;

	if (exp == NULL || wua_time_parse(exp, &t) == -1 ||
	    strlen(exp) >= sizeof(w->cookie_exp) || !session_b64ok(data)) {
		fprintf(stderr, "wsusclient: the server sent a malformed cookie "
		    "(Expiration \"%.64s\")\n", exp ? exp : "");
		return -1;
	}
	if ((nd = strdup(data)) == NULL)
		return -1;
	free(w->cookie_data);
	w->cookie_data = nd;
	snprintf(w->cookie_exp, sizeof(w->cookie_exp), "%s", exp);
	return wua_state_save_cookie(w);
}

/*
 * session_get_config - GetConfig(protocolVersion 2.90).  Keeps LastChange
 * (echoed in GetCookie; a server whose configuration changed since then
 * answers ConfigChanged), IsRegistrationRequired, the SimpleTargeting
 * ServiceUrl and MaxExtendedUpdatesPerRequest (1..1000, default 50).
 * 0, 1 (fault in code) or -1.
 */
static int
session_get_config(struct wua *w, char *code, size_t codelen)
{
	struct wua_reply r;
	struct wbuf b;
	const struct xml_node *res, *p;
	const char *lc, *reg;
	time_t t;
	int rc;

	wbuf_init(&b, 128);
	wbuf_puts(&b, "<protocolVersion>" WUA_PROTOCOL "</protocolVersion>");
	rc = session_raw(w, WUA_SVC_CLIENT, "GetConfig", &b, &r, code, codelen);
	wbuf_free(&b);
	if (rc != 0)
		return rc;
	res = xml_child(r.resp, "GetConfigResult");
	lc = wua_text(res, "LastChange");
	reg = wua_text(res, "IsRegistrationRequired");
	if (lc == NULL || wua_time_parse(lc, &t) == -1 ||
	    strlen(lc) >= sizeof(w->last_change)) {
		fprintf(stderr, "wsusclient: GetConfig: bad or missing LastChange\n");
		snprintf(w->error, sizeof(w->error), "BadResponse");
		wua_reply_free(&r);
		return -1;
	}
	snprintf(w->last_change, sizeof(w->last_change), "%s", lc);
	w->reg_required = reg != NULL && strcmp(reg, "true") == 0;
	w->auth_url[0] = '\0';
	for (p = xml_child(xml_child(res, "AuthInfo"), "AuthPlugInInfo"); p;
	    p = xml_next_same(p)) {
		const char *id = wua_text(p, "PlugInID"), *url = wua_text(p, "ServiceUrl");

		if (id != NULL && strcmp(id, WUA_PLUGIN) == 0 && url != NULL &&
		    strlen(url) < sizeof(w->auth_url))
			snprintf(w->auth_url, sizeof(w->auth_url), "%s", url);
	}
	w->max_extended = 50;
	for (p = xml_child(xml_child(res, "Properties"), "ConfigurationProperty"); p;
	    p = xml_next_same(p)) {
		const char *name = wua_text(p, "Name"), *val = wua_text(p, "Value");
		int64_t v;

		if (name != NULL && val != NULL &&
		    strcmp(name, "MaxExtendedUpdatesPerRequest") == 0 &&
		    wua_parse_i64(val, strlen(val), 1, 1000, &v) == 0)
			w->max_extended = (int)v;
		if (name != NULL && val != NULL && strcmp(name, "ProtocolVersion") == 0)
			wua_debug(w, "server ProtocolVersion %s", val);
	}
	wua_reply_free(&r);
	if (w->auth_url[0] == '\0') {
		fprintf(stderr, "wsusclient: GetConfig offers no %s authorization "
		    "plug-in\n", WUA_PLUGIN);
		snprintf(w->error, sizeof(w->error), "NoAuthPlugIn");
		return -1;
	}
	w->have_config = 1;
	wua_debug(w, "GetConfig: LastChange %s, registration %s, auth %s, "
	    "MaxExtendedUpdatesPerRequest %d", w->last_change,
	    w->reg_required ? "required" : "not required", w->auth_url, w->max_extended);
	return 0;
}

/*
 * session_get_auth - GetAuthorizationCookie(clientId, targetGroupName,
 * dnsName): targetGroupName only with --group (client-side targeting off
 * otherwise, as in the native capture), dnsName from --dns-name or the
 * host name.  The authorization cookie is saved so an expired client
 * cookie can be renewed with GetCookie alone.  0, 1 or -1.
 */
static int
session_get_auth(struct wua *w, char *code, size_t codelen)
{
	const struct xml_node *res;
	const char *pid, *data;
	struct wua_reply r;
	struct wbuf b;
	char host[256];
	const char *dns = w->dns_name;
	int rc;

	if (dns == NULL) {
		if (gethostname(host, sizeof(host)) == -1)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		dns = host;
	}
	wbuf_init(&b, 256);
	wbuf_printf(&b, "<clientId>%s</clientId>", w->client_id);
	if (w->group != NULL) {
		wbuf_puts(&b, "<targetGroupName>");
		wbuf_esc(&b, w->group, strlen(w->group));
		wbuf_puts(&b, "</targetGroupName>");
	}
	wbuf_puts(&b, "<dnsName>");
	wbuf_esc(&b, dns, strlen(dns));
	wbuf_puts(&b, "</dnsName>");
	rc = session_raw(w, WUA_SVC_AUTH, "GetAuthorizationCookie", &b, &r, code, codelen);
	wbuf_free(&b);
	if (rc != 0)
		return rc;
	res = xml_child(r.resp, "GetAuthorizationCookieResult");
	pid = wua_text(res, "PlugInId");
	data = wua_text(res, "CookieData");
	if (pid == NULL || strlen(pid) >= sizeof(w->auth_plugin) || !session_b64ok(data)) {
		fprintf(stderr, "wsusclient: GetAuthorizationCookie: malformed answer\n");
		snprintf(w->error, sizeof(w->error), "BadResponse");
		wua_reply_free(&r);
		return -1;
	}
	snprintf(w->auth_plugin, sizeof(w->auth_plugin), "%s", pid);
	free(w->auth_data);
	w->auth_data = strdup(data);
	wua_reply_free(&r);
	if (w->auth_data == NULL)
		return -1;
	/* pid pointed into the reply just freed: print the copy. */
	wua_debug(w, "GetAuthorizationCookie: %s cookie of %zu base64 bytes",
	    w->auth_plugin, strlen(w->auth_data));
	return wua_state_save_cookie(w) == -1 ? -1 : 0;
}

/*
 * session_get_cookie - GetCookie(authCookies, oldCookie, lastChange,
 * currentTime, protocolVersion): oldCookie only when there is one (the
 * first call of a client has none).  0, 1 or -1.
 */
static int
session_get_cookie(struct wua *w, char *code, size_t codelen)
{
	struct wua_reply r;
	struct wbuf b;
	char now[40];
	int rc;

	wua_time_fmt(time(NULL), 0, now, sizeof(now));
	wbuf_init(&b, 2048);
	wbuf_puts(&b, "<authCookies><AuthorizationCookie><PlugInId>");
	wbuf_esc(&b, w->auth_plugin, strlen(w->auth_plugin));
	wbuf_puts(&b, "</PlugInId><CookieData>");
	wbuf_esc(&b, w->auth_data, strlen(w->auth_data));
	wbuf_puts(&b, "</CookieData></AuthorizationCookie></authCookies>");
	if (w->cookie_data != NULL)
		wua_session_cookie(w, &b, "oldCookie");
	wbuf_printf(&b, "<lastChange>%s</lastChange><currentTime>%s</currentTime>"
	    "<protocolVersion>" WUA_PROTOCOL "</protocolVersion>", w->last_change, now);
	rc = session_raw(w, WUA_SVC_CLIENT, "GetCookie", &b, &r, code, codelen);
	wbuf_free(&b);
	if (rc != 0)
		return rc;
	rc = wua_session_take_cookie(w, xml_child(r.resp, "GetCookieResult"));
	wua_reply_free(&r);
	if (rc == -1) {
		snprintf(w->error, sizeof(w->error), "BadResponse");
		return -1;
	}
	wua_debug(w, "GetCookie: cookie expires %s", w->cookie_exp);
	return 0;
}

/*
 * session_register - RegisterComputer(cookie, computerInfo) with every
 * field the native request carries (native-scan/000004), filled with this
 * machine's kernel version and architecture and OSDescription "Linux
 * wsusclient" so an admin can tell it from a real Windows client.
 */
static int
session_register(struct wua *w, char *code, size_t codelen)
{
	struct wua_reply r;
	struct utsname un;
	struct wbuf b;
	char host[256];
	const char *dns = w->dns_name, *arch = "Unknown";
	int major = 0, minor = 0, build = 0, rc;

	if (dns == NULL) {
		if (gethostname(host, sizeof(host)) == -1)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		dns = host;
	}
	if (uname(&un) == 0) {
		if (sscanf(un.release, "%d.%d.%d", &major, &minor, &build) < 2)
			major = minor = build = 0;
		arch = strcmp(un.machine, "x86_64") == 0 ? "AMD64" :
		    strcmp(un.machine, "aarch64") == 0 ? "ARM64" :
		    strncmp(un.machine, "i", 1) == 0 ? "X86" : "Unknown";
	}
	wbuf_init(&b, 2048);
	wua_session_cookie(w, &b, "cookie");
	wbuf_puts(&b, "<computerInfo><DnsName>");
	wbuf_esc(&b, dns, strlen(dns));
	wbuf_printf(&b, "</DnsName><OSMajorVersion>%d</OSMajorVersion>"
	    "<OSMinorVersion>%d</OSMinorVersion><OSBuildNumber>%d</OSBuildNumber>"
	    "<OSServicePackMajorNumber>0</OSServicePackMajorNumber>"
	    "<OSServicePackMinorNumber>0</OSServicePackMinorNumber>"
	    "<OSLocale>en-US</OSLocale><ComputerManufacturer>Linux</ComputerManufacturer>"
	    "<ComputerModel>wsusclient</ComputerModel><BiosVersion>unknown</BiosVersion>"
	    "<BiosName>unknown</BiosName><BiosReleaseDate>2022-02-02T00:00:00Z</BiosReleaseDate>"
	    "<ProcessorArchitecture>%s</ProcessorArchitecture><SuiteMask>256</SuiteMask>"
	    "<OldProductType>1</OldProductType><NewProductType>48</NewProductType>"
	    "<SystemMetrics>0</SystemMetrics>"
	    "<ClientVersionMajorNumber>1507</ClientVersionMajorNumber>"
	    "<ClientVersionMinorNumber>2601</ClientVersionMinorNumber>"
	    "<ClientVersionBuildNumber>30012</ClientVersionBuildNumber>"
	    "<ClientVersionQfeNumber>0</ClientVersionQfeNumber>"
	    "<OSDescription>Linux wsusclient</OSDescription><OEM>Linux</OEM>"
	    "<DeviceType>wsusclient</DeviceType><FirmwareVersion>unknown</FirmwareVersion>"
	    "<MobileOperator>Not Present</MobileOperator></computerInfo>",
	    major, minor, build, arch);
	rc = session_raw(w, WUA_SVC_CLIENT, "RegisterComputer", &b, &r, code, codelen);
	wbuf_free(&b);
	if (rc != 0)
		return rc;
	wua_reply_free(&r);
	wua_debug(w, "RegisterComputer: registered as %s", dns);
	return 0;
}

/* wua_session_start - the GetConfig every scan begins with; 0 or -1. */
int
wua_session_start(struct wua *w)
{
	char code[64] = "";
	int rc = session_get_config(w, code, sizeof(code));

	if (rc == 1)
		snprintf(w->error, sizeof(w->error), "%s", code);
	if (rc != 0)
		return -1;
	if (w->need == WUA_NEED_CONFIG)
		w->need = WUA_NEED_AUTH;
	return 0;
}

/*
 * session_ready - run the handshake steps w->need and w->need_register
 * call for, lowering need as each succeeds.  0 ready, 1 a step faulted
 * (code), -1 failed.
 */
static int
session_ready(struct wua *w, char *code, size_t codelen)
{
	time_t exp;
	int rc;

	if (w->need == WUA_NEED_NONE) {
		if (w->cookie_data == NULL) {
			w->need = WUA_NEED_AUTH;
		} else if (wua_time_parse(w->cookie_exp, &exp) == -1 ||
		    exp <= time(NULL) + WUA_RENEW_MARGIN_S) {
			wua_say("Cookie expired (Expiration %s): renewing with GetCookie",
			    w->cookie_exp);
			w->need = w->auth_data != NULL ? WUA_NEED_COOKIE : WUA_NEED_AUTH;
		}
	}
	if (w->need != WUA_NEED_NONE && (!w->have_config || w->need == WUA_NEED_CONFIG)) {
		if ((rc = session_get_config(w, code, codelen)) != 0)
			return rc;
		if (w->need == WUA_NEED_CONFIG)
			w->need = WUA_NEED_AUTH;
	}
	if (w->need == WUA_NEED_AUTH) {
		if ((rc = session_get_auth(w, code, codelen)) != 0)
			return rc;
		w->need = WUA_NEED_COOKIE;
	}
	if (w->need == WUA_NEED_COOKIE) {
		/* A first cookie (none to renew) is followed by registration;
		 * renewals are not (RegistrationRequired asks when needed). */
		int first = w->cookie_data == NULL;

		if ((rc = session_get_cookie(w, code, codelen)) != 0)
			return rc;
		w->need = WUA_NEED_NONE;
		if (first && w->reg_required)
			w->need_register = 1;
	}
	if (w->need_register) {
		if ((rc = session_register(w, code, codelen)) != 0)
			return rc;
		w->need_register = 0;
	}
	return 0;
}

static void
session_raise(struct wua *w, enum wua_need n)
{
	if (w->need < n)
		w->need = n;
}

/*
 * session_recover - announce and plan the recovery for fault code by
 * raising w->need (never lowering it: a fault during a recovery only adds
 * steps); -1 when code is not one a client recovers from (the operation
 * then fails with it, e.g. InvalidParameters, InternalServerError).
 */
static int
session_recover(struct wua *w, const char *code)
{
	if (strcmp(code, "InvalidCookie") == 0 || strcmp(code, "ServerChanged") == 0) {
		wua_say("Recovering from %s: restarting at GetConfig", code);
		free(w->cookie_data);
		free(w->auth_data);
		w->cookie_data = w->auth_data = NULL;
		w->cookie_exp[0] = '\0';
		(void)wua_state_save_cookie(w);
		w->have_config = 0;
		session_raise(w, WUA_NEED_CONFIG);
		if (code[0] == 'S') {
			/* Revision ids are per server: the cache means nothing
			 * now, and the retried SyncUpdates must not send it. */
			wua_state_clear_cache(w);
			(void)wua_state_save_cache(w);
		}
		return 0;
	}
	if (strcmp(code, "ConfigChanged") == 0) {
		wua_say("Recovering from ConfigChanged: GetConfig, "
		    "GetAuthorizationCookie, GetCookie");
		w->have_config = 0;
		session_raise(w, WUA_NEED_CONFIG);
		return 0;
	}
	if (strcmp(code, "CookieExpired") == 0 ||
	    strcmp(code, "InvalidAuthorizationCookie") == 0) {
		wua_say("Recovering from %s: GetAuthorizationCookie, GetCookie", code);
		session_raise(w, WUA_NEED_AUTH);
		return 0;
	}
	if (strcmp(code, "RegistrationRequired") == 0) {
		wua_say("Recovering from RegistrationRequired: RegisterComputer");
		w->need_register = 1;
		return 0;
	}
	return -1;
}

int
wua_session_call(struct wua *w, enum wua_svc svc, const char *op,
    wua_body_fn fn, void *arg, struct wua_reply *r)
{
	char code[64];
	int tries = 0, rc;

	memset(r, 0, sizeof(*r));
	for (;;) {
		code[0] = '\0';
		if ((rc = session_ready(w, code, sizeof(code))) == 0) {
			struct wbuf b;

			wbuf_init(&b, 4096);
			fn(w, &b, arg);
			rc = session_raw(w, svc, op, &b, r, code, sizeof(code));
			wbuf_free(&b);
			if (rc == 0)
				return 0;
		}
		if (rc == -1)
			return -1;
		/* A fault: from the operation or from a handshake step. */
		if (tries++ >= WUA_RECOVERIES) {
			wua_say("%s: giving up after %d recoveries (%s)", op,
			    WUA_RECOVERIES, code);
			snprintf(w->error, sizeof(w->error), "%s", code);
			return -1;
		}
		if (session_recover(w, code) == -1) {
			snprintf(w->error, sizeof(w->error), "%s", code);
			return -1;
		}
	}
}
