/*
 * apiremoting.c - ApiRemoting30 (MS-WSUSAR), the web service the WSUS
 * admin console, the UpdateServices PowerShell module and wsusadm call:
 * the console subset of /work's research note (APIREMOTING.md), with
 * real data from the store.
 *
 * Owns: the operation table, the role gate (a Reporter reads, only an
 * Administrator changes; no role at all is refused, although auth.c
 * answers 403 before that), the .NET-style SOAP faults consoles parse
 * (text after the last "--->"), and the positional rows
 * (GenericReadableRow cells in the research note's column order, each
 * cell with the xsi:type the stock reader unboxes).  Scopes are
 * scope.c's, queries console.h's.  An operation of the WSDL this file
 * does not implement answers a fault naming it; nothing answers a fake
 * success (no upstream server: the subscription operations say so).
 * Never changes anything for a Reporter, and checks every parameter
 * before the first change.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "ws_int.h"

#define AR_NS      "http://www.microsoft.com/SoftwareDistribution/Server/ApiRemotingWebService"
#define AR_NS_MON  "http://www.microsoft.com/SoftwareDistribution/Server/IMonitorable"
#define AR_NS_GUID "http://microsoft.com/wsdl/types/"
#define AR_SERVER_VERSION   "10.0.0.0"   /* System.Version-shaped (research note §5: G) */
#define AR_PROTOCOL_VERSION "3.2"        /* the client protocol this server speaks */
#define AR_PUB_ANY          2147483647   /* publicationState "any" */
#define AR_ZERO_GUID        "00000000-0000-0000-0000-000000000000"

/* --- faults and the role gate --------------------------------------------- */

/*
 * ar_fault - answer an ASP.NET-style fault: HTTP 500, faultcode
 * soap:Server (soap:Client when client), faultstring "System.Web.Services.
 * Protocols.SoapException: Server was unable to process request. --->
 * EXC: MSG" (consoles show what follows the last "--->").  The
 * connection stays open: it carries the caller's authentication.
 * Returns 0, or -1 out of memory.
 */
static int
ar_fault(struct ws_call *c, int client, const char *exc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int
ar_fault(struct ws_call *c, int client, const char *exc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_debug("ApiRemoting30 %s from %s (%s): %s: %s", c->opname,
	    c->req->client_ip ? c->req->client_ip : "?",
	    c->req->account ? c->req->account : "-", exc, msg);
	wbuf_free(&c->out);
	wbuf_init(&c->out, 1024);
	wbuf_puts(&c->out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
	    "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
	    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
	    "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><soap:Body><soap:Fault>");
	wbuf_printf(&c->out, "<faultcode>soap:%s</faultcode><faultstring>",
	    client ? "Client" : "Server");
	wbuf_puts(&c->out, "System.Web.Services.Protocols.SoapException: Server "
	    "was unable to process request. ---&gt; ");
	wbuf_esc_text(&c->out, exc, strlen(exc));
	wbuf_puts(&c->out, ": ");
	wbuf_esc_text(&c->out, msg, strlen(msg));
	wbuf_puts(&c->out, "</faultstring><detail /></soap:Fault></soap:Body>"
	    "</soap:Envelope>");
	if (soap_finish(c) == -1)
		return -1;
	c->resp->status = 500;
	c->resp->cache_control = "private";
	return 0;
}

#define AR_ARG(c, what) \
	ar_fault((c), 1, "System.ArgumentException", "%s: %s", (c)->opname, (what))

/*
 * ar_gate - may the caller run this operation?  Every caller needs a
 * role; a changing operation needs Administrator.  Returns 1 to go on,
 * or the fault's result (0, -1) when refused.
 */
static int
ar_gate(struct ws_call *c, int change)
{
	const char *who = c->req->account ? c->req->account : "(anonymous)";

	if (c->req->role != WS_ROLE_REPORTER &&
	    c->req->role != WS_ROLE_ADMINISTRATOR) {
		log_warnx("ApiRemoting30 %s: %s from %s has no WSUS role: refused",
		    c->opname, who, c->req->client_ip ? c->req->client_ip : "?");
		return ar_fault(c, 1, "System.UnauthorizedAccessException",
		    "UnauthorizedAccess: %s has no WSUS role on this server", who);
	}
	if (change && c->req->role != WS_ROLE_ADMINISTRATOR) {
		log_warnx("ApiRemoting30 %s: %s from %s is a Reporter: refused",
		    c->opname, who, c->req->client_ip ? c->req->client_ip : "?");
		return ar_fault(c, 1, "System.UnauthorizedAccessException",
		    "UnauthorizedAccess: Access is denied. %s is a WSUS Reporter; "
		    "%s needs the Administrator role", who, c->opname);
	}
	return 1;
}

#define AR_READ(c)   do { int g_ = ar_gate((c), 0); if (g_ != 1) return g_; } while (0)
#define AR_CHANGE(c) do { int g_ = ar_gate((c), 1); if (g_ != 1) return g_; } while (0)

/* The caller, for logs of changes. */
static const char *
ar_who(const struct ws_call *c)
{
	return c->req->account ? c->req->account : "(anonymous)";
}

/* The actor every change of this service is audited under. */
static struct store_actor
ar_actor(const struct ws_call *c)
{
	struct store_actor who = { "ApiRemoting30", c->req->account,
		c->req->client_ip };

	return who;
}

/* --- parameters ----------------------------------------------------------- */

/* ar_param - text of parameter name, NULL if absent. */
static const char *
ar_param(const struct ws_call *c, const char *name)
{
	return soap_text(c->op, name);
}

/* ar_int - a required int parameter in [min, max]: 0, or -1 (absent/bad). */
static int
ar_int(const struct xml_node *n, const char *name, long long min,
    long long max, long long *v)
{
	const char *t = soap_text(n, name);

	return t == NULL ? -1 : soap_parse_int(t, strlen(t), min, max, v);
}

static int
ar_bool(const struct xml_node *n, const char *name, int *v)
{
	const char *t = soap_text(n, name);

	if (t == NULL)
		return -1;
	if (strcmp(t, "true") == 0 || strcmp(t, "1") == 0)
		*v = 1;
	else if (strcmp(t, "false") == 0 || strcmp(t, "0") == 0)
		*v = 0;
	else
		return -1;
	return 0;
}

/* ar_guid - a GUID parameter, canonical into out: 0 or -1. */
static int
ar_guid(const struct xml_node *n, const char *name, char out[37])
{
	const char *t = soap_text(n, name);
	uint8_t g[16];

	if (t == NULL || cookie_guid_parse(t, strlen(t), g) == -1)
		return -1;
	cookie_guid_format(g, out);
	return 0;
}

/* ar_publication - publicationState into the store's enum: 0 or -1. */
static int
ar_publication(struct ws_call *c, enum store_publication *p)
{
	long long v;

	if (ar_int(c->op, "publicationState", INT32_MIN, INT32_MAX, &v) == -1)
		return -1;
	if (v == 0)
		*p = STORE_PUB_PUBLISHED;
	else if (v == 1)
		*p = STORE_PUB_EXPIRED;
	else if (v == AR_PUB_ANY || v == -1)
		*p = STORE_PUB_ANY;
	else
		return -1;
	return 0;
}

/*
 * ar_scopes - parse the operation's updateScopeXml (into us, with
 * publicationState when pub) and computerTargetScopeXml (into cs); each
 * may be NULL when the operation has no such parameter.  Returns 1 to go
 * on, or a fault's result naming what is wrong.
 */
static int
ar_scopes(struct ws_call *c, struct store_update_scope *us, int pub,
    struct store_computer_scope *cs)
{
	char why[256];
	const char *x;

	if (us != NULL) {
		x = ar_param(c, "updateScopeXml");
		if (scope_update(x, x ? strlen(x) : 0, us, why, sizeof(why)) == -1)
			return ar_fault(c, 1, "System.ArgumentException",
			    "%s: updateScopeXml: %s", c->opname, why);
		if (pub && ar_publication(c, &us->publication) == -1)
			return AR_ARG(c, "publicationState must be 0, 1 or "
			    "2147483647");
	}
	if (cs != NULL) {
		x = ar_param(c, "computerTargetScopeXml");
		if (scope_computer(x, x ? strlen(x) : 0, cs, why, sizeof(why)) ==
		    -1)
			return ar_fault(c, 1, "System.ArgumentException",
			    "%s: computerTargetScopeXml: %s", c->opname, why);
	}
	return 1;
}

#define AR_SCOPES(c, us, pub, cs) \
	do { int s_ = ar_scopes((c), (us), (pub), (cs)); if (s_ != 1) return s_; } while (0)

/* --- cells and rows --------------------------------------------------------- */

static void
ar_cell_nil(struct wbuf *b)
{
	wbuf_puts(b, "<anyType xsi:nil=\"true\" />");
}

static void
ar_cell(struct wbuf *b, const char *type, const char *text)
{
	wbuf_printf(b, "<anyType xsi:type=\"xsd:%s\">", type);
	wbuf_esc_text(b, text, strlen(text));
	wbuf_puts(b, "</anyType>");
}

/* A string cell; NULL is nil. */
static void
ar_cell_str(struct wbuf *b, const char *s)
{
	if (s == NULL)
		ar_cell_nil(b);
	else
		ar_cell(b, "string", s);
}

static void
ar_cell_num(struct wbuf *b, const char *type, long long v)
{
	wbuf_printf(b, "<anyType xsi:type=\"xsd:%s\">%lld</anyType>", type, v);
}

#define ar_cell_int(b, v)   ar_cell_num((b), "int", (long long)(v))
#define ar_cell_short(b, v) ar_cell_num((b), "short", (long long)(v))
#define ar_cell_ubyte(b, v) ar_cell_num((b), "unsignedByte", (long long)(v))

static void
ar_cell_bool(struct wbuf *b, int v)
{
	ar_cell(b, "boolean", v ? "true" : "false");
}

/* A GUID cell (xsi:type guid of the WSDL's types namespace); "" is nil. */
static void
ar_cell_guid(struct wbuf *b, const char *g)
{
	if (g == NULL || g[0] == '\0') {
		ar_cell_nil(b);
		return;
	}
	wbuf_printf(b, "<anyType xmlns:q1=\"" AR_NS_GUID "\" xsi:type=\"q1:guid\">"
	    "%s</anyType>", g);
}

/* A dateTime cell in UTC; 0 (never) is nil. */
static void
ar_cell_date(struct wbuf *b, time_t t)
{
	char d[40];

	if (t == 0) {
		ar_cell_nil(b);
		return;
	}
	soap_format_datetime(t, 0, d);
	ar_cell(b, "dateTime", d);
}

static void
ar_row_begin(struct wbuf *b)
{
	wbuf_puts(b, "<GenericReadableRow><Values>");
}

static void
ar_row_end(struct wbuf *b)
{
	wbuf_puts(b, "</Values></GenericReadableRow>");
}

/* An xsd:dateTime element; 0 is .NET's DateTime.MinValue. */
static void
ar_elem_date(struct wbuf *b, const char *name, time_t t)
{
	char d[40];

	if (t == 0)
		snprintf(d, sizeof(d), "0001-01-01T00:00:00");
	else
		soap_format_datetime(t, 0, d);
	soap_elem(b, name, d);
}

/* Answer a body-less response: <OpResponse/>. */
static int
ar_void(struct ws_call *c)
{
	soap_begin(c);
	soap_end(c);
	return soap_finish(c);
}

/* The store failed: an InternalServerError fault (logged by store/). */
static int
ar_store_error(struct ws_call *c)
{
	return ar_fault(c, 0, "System.InvalidOperationException",
	    "%s: the database could not answer (see the server log)", c->opname);
}

/* --- connect / identify ---------------------------------------------------- */

static int
ar_get_server_version(struct ws_call *c)
{
	AR_READ(c);
	soap_begin(c);
	soap_elem(&c->out, "GetServerVersionResult", AR_SERVER_VERSION);
	soap_end(c);
	return soap_finish(c);
}

static int
ar_get_server_protocol_version(struct ws_call *c)
{
	AR_READ(c);
	soap_begin(c);
	soap_elem(&c->out, "GetServerProtocolVersionResult", AR_PROTOCOL_VERSION);
	soap_end(c);
	return soap_finish(c);
}

static int
ar_get_current_user_role(struct ws_call *c)
{
	AR_READ(c);
	soap_begin(c);
	soap_elem_int(&c->out, "GetCurrentUserRoleResult", c->req->role);
	soap_end(c);
	return soap_finish(c);
}

/* The advertised configuration (the default from the request's URL). */
static int
ar_advert(struct ws_call *c, struct store_advert *a)
{
	struct store_advert dflt;
	const char *u = c->req->content_url ? c->req->content_url : "";
	const char *h = strstr(u, "://"), *colon;

	memset(&dflt, 0, sizeof(dflt));
	h = h ? h + 3 : u;
	colon = strchr(h, ':');
	snprintf(dflt.fqdn, sizeof(dflt.fqdn), "%.*s",
	    (int)(colon ? (size_t)(colon - h) : strcspn(h, "/")), h);
	dflt.http_port = colon ? (unsigned)atoi(colon + 1) : 80;
	dflt.https_port = 8531;
	return store_advert_get(c->st, &dflt, a);
}

static int
ar_get_database_configuration(struct ws_call *c)
{
	struct store_advert a;
	const char *path = store_path(c->st), *base = strrchr(path, '/');

	AR_READ(c);
	if (ar_advert(c, &a) == -1)
		return ar_store_error(c);
	soap_begin(c);
	soap_elem(&c->out, "serverName", a.fqdn);
	soap_elem(&c->out, "databaseName", base ? base + 1 : path);
	soap_end(c);
	return soap_finish(c);
}

static int
ar_ping(struct ws_call *c)
{
	struct store_advert a;
	long long level;
	char info[160];
	int ok;

	AR_READ(c);
	if (ar_int(c->op, "pingLevel", INT32_MIN, INT32_MAX, &level) == -1)
		return AR_ARG(c, "pingLevel must be an int");
	ok = ar_advert(c, &a) == 0;
	snprintf(info, sizeof(info), "SQLite %s, schema version %d",
	    store_path(c->st), store_schema_version(c->st));
	c->ns = AR_NS_MON;      /* Ping is IMonitorable's (WSDL) */
	soap_begin(c);
	wbuf_puts(&c->out, "<PingResult>");
	soap_elem_bool(&c->out, "SuccessFlag", ok);
	ar_elem_date(&c->out, "ServicesTime", c->now);
	soap_elem(&c->out, "ServicesName", "wsusd " WSUSD_VERSION);
	soap_elem(&c->out, "ServicesMachine", ok ? a.fqdn : "");
	soap_elem_bool(&c->out, "IsHttps", c->req->is_tls);
	soap_elem(&c->out, "RequestContentType",
	    c->req->content_type ? c->req->content_type : "");
	ar_elem_date(&c->out, "ConfigFileLastModifiedTime", 0);
	ar_elem_date(&c->out, "ConfigFileNextExpirationTime", 0);
	soap_elem_int(&c->out, "ConfigFileExpirationModuloInMinutes", 0);
	soap_elem(&c->out, "DatabaseInfo", info);
	wbuf_puts(&c->out, "</PingResult>");
	soap_end(c);
	return soap_finish(c);
}

/* --- configuration ---------------------------------------------------------- */

/* ConfigurationTableRow, in WSDL order; types: i int, l long, b boolean,
 * s string, g guid, d dateTime, x base64Binary, u unsignedInt. */
static const struct ar_cfg { const char *name; char type; } ar_cfg[] = {
	{ "maxDeltaSyncPeriod", 'i' }, { "anonymousCookieExpirationTime", 'l' },
	{ "simpleTargetingCookieExpirationTime", 'l' },
	{ "maximumServerCookieExpirationTime", 'l' },
	{ "dssTargetingCookieExpirationTime", 'l' },
	{ "subscriptionFailureWaitBetweenRetriesTime", 'l' },
	{ "dispatchManagerPollingInterval", 'l' },
	{ "stateMachineTransitionErrorCaptureLength", 'l' },
	{ "eventLogFloodProtectTime", 'l' },
	{ "autoPurgeClientEventAgeThreshold", 'i' },
	{ "autoPurgeServerEventAgeThreshold", 'i' },
	{ "bitsHealthScanningInterval", 'l' }, { "autoPurgeDetectionPeriod", 'i' },
	{ "revisionDeletionTimeThreshold", 'i' },
	{ "computerDeletionTimeThreshold", 'i' },
	{ "configurationChangeNumber", 'l' }, { "detectConfigChange", 'b' },
	{ "LastConfigChange", 'd' }, { "DssAnonymousTargeting", 'b' },
	{ "IsRegistrationRequired", 'b' }, { "ReportingServiceUrl", 's' },
	{ "ServerId", 'g' }, { "ServerTargeting", 'b' }, { "SyncToMU", 'b' },
	{ "UpstreamServerName", 's' }, { "RedirectorChangeNumber", 'l' },
	{ "MaxCoreUpdatesPerRequest", 'i' },
	{ "MaxExtendedUpdatesPerRequest", 'i' },
	{ "MaxUpdatesPerRequestInGetUpdateDecryptionData", 'i' },
	{ "DownloadRegulationUrl", 's' },
	{ "DownloadRegulationWebServiceUrl", 's' }, { "LoadOdfLocally", 'b' },
	{ "OdfFilePath", 's' }, { "DoServerSyncCompression", 'b' },
	{ "MaxNumberOfIdsToRequestDataFromUss", 'i' }, { "WsusInstallType", 'i' },
	{ "ServerString", 's' }, { "AutoDeployMandatory", 'b' },
	{ "UseClientIPHttpHeader", 'b' }, { "ClientIPHttpHeader", 's' },
	{ "OobeInitialized", 'b' }, { "MUUrl", 's' }, { "ServerPortNumber", 'i' },
	{ "UpstreamServerUseSsl", 'b' }, { "UseProxy", 'b' }, { "ProxyName", 's' },
	{ "ProxyServerPort", 'i' }, { "UseSeparateProxyForSsl", 'b' },
	{ "SslProxyName", 's' }, { "SslProxyServerPort", 'i' },
	{ "AnonymousProxyAccess", 'b' }, { "ProxyUserName", 's' },
	{ "ProxyUserDomain", 's' }, { "AllowProxyCredentialsOverNonSsl", 'b' },
	{ "ServerSupportsAllLanguages", 'b' },
	{ "ServerSupportsAllAvailableLanguages", 'b' }, { "HostOnMu", 'b' },
	{ "LocalContentCacheLocation", 's' }, { "LazySync", 'b' },
	{ "DownloadExpressPackages", 'b' }, { "ImportLocalPath", 's' },
	{ "AutoRefreshDeployments", 'b' },
	{ "AutoRefreshDeploymentsDeclineExpired", 'b' },
	{ "StateMachineTransitionLoggingEnabled", 'b' },
	{ "MaxSimultaneousFileDownloads", 'i' },
	{ "BitsDownloadPriorityForeground", 'b' }, { "EncryptionKey", 'x' },
	{ "SubscriptionFailureNumberOfRetries", 'i' },
	{ "StatsDotNetWebServiceUri", 's' }, { "StatsDotNetMaximumBatchSize", 'i' },
	{ "QueueFlushTimeInMS", 'i' }, { "QueueFlushCount", 'i' },
	{ "QueueRejectCount", 'i' },
	{ "DispatchMaximumSimultaneousHandlerCalls", 'i' },
	{ "SleepTimeAfterErrorInMS", 'i' }, { "UseCookieValidation", 'b' },
	{ "DoReportingDataValidation", 'b' }, { "DoReportingSummarization", 'b' },
	{ "ClientReportingLevel", 'i' }, { "CollectClientInventory", 'b' },
	{ "DoDetailedRollup", 'b' }, { "RollupResetGuid", 'g' },
	{ "MURollupOptin", 'b' }, { "DssRollupChunkSize", 'i' },
	{ "TrackDynamicCategories", 'b' }, { "DisableSyncPrinterCatalog", 'b' },
	{ "DisableSyncDrivers", 'b' }, { "DisableNonCriticalDrivers", 'b' },
	{ "MaxXmlPerRequest", 'i' }, { "MaxXmlPerRequestInServerSync", 'i' },
	{ "DeploymentChangeDeferral", 'i' }, { "MaxTargetComputers", 'i' },
	{ "MaxEventInstances", 'i' }, { "MaxConcurrentDatabaseCalls", 'i' },
	{ "CategoryScanRequestTrackingReportingInterval", 'i' },
	{ "CategoryScanRequestTrackingMaxEntries", 'i' },
	{ "RevisionDeletionSizeThreshold", 'i' }, { "ReplicaMode", 'b' },
	{ "UssSupportsAllLanguages", 'b' }, { "GetContentFromMU", 'b' },
	{ "LocalPublishingMaxCabSize", 'i' }, { "HmDetectIntervalInSeconds", 'i' },
	{ "HmRefreshIntervalInSeconds", 'i' },
	{ "HmCoreDiskSpaceGreenMegabytes", 'i' },
	{ "HmCoreDiskSpaceRedMegabytes", 'i' },
	{ "HmCoreCatalogSyncIntervalInDays", 'i' },
	{ "HmClientsInstallUpdatesGreenPercent", 'i' },
	{ "HmClientsInstallUpdatesRedPercent", 'i' },
	{ "HmClientsInventoryGreenPercent", 'i' },
	{ "HmClientsInventoryRedPercent", 'i' },
	{ "HmClientsInventoryScanDiffInHours", 'i' },
	{ "HmClientsSilentGreenPercent", 'i' },
	{ "HmClientsSilentRedPercent", 'i' }, { "HmClientsSilentDays", 'i' },
	{ "HmClientsTooManyGreenPercent", 'i' },
	{ "HmClientsTooManyRedPercent", 'i' }, { "HmCoreFlags", 'u' },
	{ "HmClientsFlags", 'u' }, { "HmDatabaseFlags", 'u' },
	{ "HmWebServicesFlags", 'u' }, { "DetectConfigChange", 'b' },
};
#define AR_NCFG (sizeof(ar_cfg) / sizeof(ar_cfg[0]))

/* What this server has, as the console reads it. */
struct ar_config {
	struct store_advert   advert;
	struct store_settings set;
	char   server_id[STORE_GUID_LEN + 1];
	char   reporting_url[STORE_URL_MAX + 64];
};

static int
ar_config_load(struct ws_call *c, struct ar_config *k)
{
	char url[STORE_URL_MAX];

	memset(k, 0, sizeof(*k));
	if (ar_advert(c, &k->advert) == -1 ||
	    store_settings_get(c->st, &k->set) == -1 ||
	    store_server_id(c->st, k->server_id) == -1 ||
	    store_advert_url(k->advert.fqdn, k->advert.using_ssl,
	    k->advert.http_port, k->advert.https_port, url, sizeof(url)) == -1)
		return -1;
	snprintf(k->reporting_url, sizeof(k->reporting_url),
	    "%s/ReportingWebService/ReportingWebService.asmx", url);
	return 0;
}

/*
 * ar_config_value - the text of field name as this server has it, into
 * buf; NULL for a string field it has no value for (omitted).  Fields
 * with no meaning here get their type's zero.
 */
static const char *
ar_config_value(const struct ws_call *c, const struct ar_config *k,
    const struct ar_cfg *f, char *buf, size_t len)
{
	static const struct { const char *name, *value; } fixed[] = {
		{ "IsRegistrationRequired", "true" },
		{ "SyncToMU", "false" },           /* no upstream synchronisation */
		{ "ReplicaMode", "false" },
		{ "HostOnMu", "false" },           /* content is served from here */
		{ "DoReportingSummarization", "true" },
		{ "UseCookieValidation", "true" },
		{ "ServerSupportsAllLanguages", "true" },
	};

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (strcmp(f->name, fixed[i].name) == 0)
			return fixed[i].value;
	if (strcmp(f->name, "ServerTargeting") == 0)
		return k->set.targeting == STORE_TARGETING_SERVER ? "true" : "false";
	if (strcmp(f->name, "ServerId") == 0)
		return k->server_id;
	if (strcmp(f->name, "ReportingServiceUrl") == 0)
		return k->reporting_url;
	if (strcmp(f->name, "anonymousCookieExpirationTime") == 0 ||
	    strcmp(f->name, "simpleTargetingCookieExpirationTime") == 0 ||
	    strcmp(f->name, "maximumServerCookieExpirationTime") == 0) {
		snprintf(buf, len, "%u", ws_cookie_lifetime);   /* seconds */
		return buf;
	}
	if (strcmp(f->name, "autoPurgeClientEventAgeThreshold") == 0) {
		snprintf(buf, len, "%u", k->set.event_days_workstation);
		return buf;
	}
	if (strcmp(f->name, "autoPurgeServerEventAgeThreshold") == 0) {
		snprintf(buf, len, "%u", k->set.event_days_server);
		return buf;
	}
	if (strcmp(f->name, "configurationChangeNumber") == 0) {
		snprintf(buf, len, "%lld", (long long)k->advert.generation);
		return buf;
	}
	if (strcmp(f->name, "LastConfigChange") == 0) {
		soap_format_datetime(k->advert.changed_at, 0, buf);
		return buf;
	}
	if (strcmp(f->name, "MaxExtendedUpdatesPerRequest") == 0) {
		snprintf(buf, len, "%d", LIMIT_EXTENDED_PER_REQUEST);
		return buf;
	}
	if (strcmp(f->name, "MaxXmlPerRequest") == 0) {
		snprintf(buf, len, "%u", LIMIT_SYNC_PAGE_XML_BYTES);
		return buf;
	}
	if (strcmp(f->name, "MaxEventInstances") == 0) {
		snprintf(buf, len, "%d", LIMIT_EVENTS_PER_COMPUTER);
		return buf;
	}
	(void)c;
	switch (f->type) {
	case 'b': return "false";
	case 'g': return AR_ZERO_GUID;
	case 'd': return "0001-01-01T00:00:00";
	case 's': case 'x': return NULL;
	default:  return "0";
	}
}

static int
ar_get_configuration(struct ws_call *c)
{
	struct ar_config k;
	char buf[64];
	const char *v;

	AR_READ(c);
	if (ar_config_load(c, &k) == -1)
		return ar_store_error(c);
	soap_begin(c);
	wbuf_puts(&c->out, "<ExecuteSPGetConfigurationResult><Configuration>");
	for (size_t i = 0; i < AR_NCFG; i++)
		if ((v = ar_config_value(c, &k, &ar_cfg[i], buf, sizeof(buf))) !=
		    NULL)
			soap_elem(&c->out, ar_cfg[i].name, v);
	wbuf_puts(&c->out, "</Configuration><GroupAuthorization />"
	    "<Authorization><AuthorizationPlugInTableRow>"
	    "<PlugInId>SimpleTargeting</PlugInId>"
	    "<Url>SimpleAuthWebService/SimpleAuth.asmx</Url>"
	    "</AuthorizationPlugInTableRow></Authorization>"
	    "</ExecuteSPGetConfigurationResult>");
	soap_end(c);
	return soap_finish(c);
}

/* Do two renderings of one field's value mean the same? */
static int
ar_config_same(char type, const char *a, const char *b)
{
	long long x, y;
	uint8_t g1[16], g2[16];

	switch (type) {
	case 'b':
		return (strcasecmp(a, "true") == 0 || strcmp(a, "1") == 0) ==
		    (strcasecmp(b, "true") == 0 || strcmp(b, "1") == 0);
	case 'i': case 'l': case 'u':
		return soap_parse_int(a, strlen(a), LLONG_MIN, LLONG_MAX, &x) == 0 &&
		    soap_parse_int(b, strlen(b), LLONG_MIN, LLONG_MAX, &y) == 0 &&
		    x == y;
	case 'g':
		return cookie_guid_parse(a, strlen(a), g1) == 0 &&
		    cookie_guid_parse(b, strlen(b), g2) == 0 &&
		    memcmp(g1, g2, 16) == 0;
	default:
		return strcmp(a, b) == 0;
	}
}

/*
 * ar_url_advert - a ReportingServiceUrl the console set, as the advert it
 * means: scheme (https: SSL on, the port is the SSL port), host, port.
 * 0, or -1 if it is not "http[s]://host[:port]/ReportingWebService/...".
 */
static int
ar_url_advert(const char *url, struct store_advert *a)
{
	const char *h, *end, *colon;
	long long port;
	int ssl;

	if (strncasecmp(url, "https://", 8) == 0)
		ssl = 1, h = url + 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		ssl = 0, h = url + 7;
	else
		return -1;
	if ((end = strchr(h, '/')) == NULL ||
	    strcmp(end, "/ReportingWebService/ReportingWebService.asmx") != 0)
		return -1;
	colon = memchr(h, ':', (size_t)(end - h));
	if ((colon ? colon : end) == h ||
	    (size_t)((colon ? colon : end) - h) >= sizeof(a->fqdn))
		return -1;
	port = ssl ? 443 : 80;
	if (colon != NULL && soap_parse_int(colon + 1, (size_t)(end - colon - 1),
	    1, 65535, &port) == -1)
		return -1;
	snprintf(a->fqdn, sizeof(a->fqdn), "%.*s",
	    (int)((colon ? colon : end) - h), h);
	for (const char *p = a->fqdn; *p; p++)
		if (!(*p == '-' || *p == '.' || (*p >= '0' && *p <= '9') ||
		    ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')))
			return -1;
	a->using_ssl = ssl;
	if (ssl)
		a->https_port = (unsigned)port;
	else
		a->http_port = (unsigned)port;
	return 0;
}

/* A list parameter that must be empty (languages, program keys). */
static int
ar_list_empty(const struct xml_node *op, const char *name)
{
	const struct xml_node *n = xml_child(op, name);

	return n == NULL || n->first == NULL;
}

/*
 * ExecuteSPSetConfiguration - the console sends the whole row back with
 * its changes.  What this server can change: ServerTargeting (targeting
 * mode) and ReportingServiceUrl (the advertised name, SSL and port).
 * Any other field that differs from what ExecuteSPGetConfiguration
 * answers is refused by name, before anything changes; fields left out
 * stay as they are; the change counters and dates are not compared.
 */
static int
ar_set_configuration(struct ws_call *c)
{
	const struct xml_node *row = xml_child(c->op, "row"), *n;
	struct store_advert want;
	struct store_actor who;
	struct ar_config k;
	enum store_targeting targ;
	int set_targ = 0, set_url = 0;
	char buf[64];
	const char *cur;

	AR_CHANGE(c);
	if (row == NULL)
		return AR_ARG(c, "row is required");
	if (!ar_list_empty(c->op, "listTrue") || !ar_list_empty(c->op, "listFalse") ||
	    !ar_list_empty(c->op, "ussListTrue") ||
	    !ar_list_empty(c->op, "ussListFalse") ||
	    !ar_list_empty(c->op, "programKeys"))
		return ar_fault(c, 1, "System.NotSupportedException",
		    "%s: languages and program keys are not configurable on this "
		    "server (lists must be empty)", c->opname);
	if (ar_config_load(c, &k) == -1)
		return ar_store_error(c);
	targ = k.set.targeting;
	want = k.advert;
	for (n = row->first; n != NULL; n = n->next) {
		const struct ar_cfg *f = NULL;

		for (size_t i = 0; i < AR_NCFG && f == NULL; i++)
			if (strcmp(ar_cfg[i].name, n->local) == 0)
				f = &ar_cfg[i];
		if (f == NULL)
			return ar_fault(c, 1, "System.ArgumentException",
			    "%s: %s is not a configuration field", c->opname,
			    n->local);
		if (strcmp(f->name, "LastConfigChange") == 0 ||
		    strcmp(f->name, "configurationChangeNumber") == 0 ||
		    strcmp(f->name, "RedirectorChangeNumber") == 0)
			continue;
		cur = ar_config_value(c, &k, f, buf, sizeof(buf));
		if (xml_attr(n, "xsi:nil") != NULL && cur == NULL)
			continue;
		if (cur != NULL && ar_config_same(f->type, cur, n->text))
			continue;
		if (strcmp(f->name, "ServerTargeting") == 0) {
			int b = strcasecmp(n->text, "true") == 0 ||
			    strcmp(n->text, "1") == 0;
			if (!b && strcasecmp(n->text, "false") != 0 &&
			    strcmp(n->text, "0") != 0)
				return AR_ARG(c, "ServerTargeting must be a boolean");
			targ = b ? STORE_TARGETING_SERVER : STORE_TARGETING_CLIENT;
			set_targ = 1;
		} else if (strcmp(f->name, "ReportingServiceUrl") == 0) {
			if (ar_url_advert(n->text, &want) == -1)
				return AR_ARG(c, "ReportingServiceUrl must be http[s]://"
				    "host[:port]/ReportingWebService/"
				    "ReportingWebService.asmx");
			set_url = 1;
		} else
			return ar_fault(c, 1, "System.NotSupportedException",
			    "%s: %s cannot be changed on this server%s", c->opname,
			    f->name, strstr(f->name, "CookieExpiration") ?
			    " (it is [server] cookie_lifetime in wsusd.conf)" :
			    strstr(f->name, "EventAgeThreshold") ? " (it is "
			    "[server] event_retention_*_days in wsusd.conf)" : "");
	}
	who = ar_actor(c);
	if (set_targ && store_targeting_set(c->st, targ, &who) == -1)
		return ar_store_error(c);
	if (set_url && store_advert_set(c->st, &want, &who) == -1)
		return ar_store_error(c);
	if (set_targ || set_url)
		log_info("ApiRemoting30: %s from %s set the configuration:%s%s%s%s",
		    ar_who(c), c->req->client_ip ? c->req->client_ip : "?",
		    set_targ ? " targeting " : "",
		    set_targ ? store_targeting_name(targ) : "",
		    set_url ? " advertised " : "", set_url ? want.fqdn : "");
	return ar_void(c);
}

/* --- subscription (no upstream server exists: said so, never faked) ------- */

static int
ar_no_upstream(struct ws_call *c)
{
	return ar_fault(c, 0, "System.InvalidOperationException",
	    "%s: no upstream server is configured: this server does not "
	    "synchronise from Microsoft Update or an upstream WSUS "
	    "(server-to-server synchronisation is not implemented yet); "
	    "updates come from wsusutil import-updates and publish", c->opname);
}

static int
ar_get_subscription(struct ws_call *c)
{
	AR_READ(c);
	soap_begin(c);
	wbuf_puts(&c->out, "<GetSubscriptionResult>");
	soap_elem_int(&c->out, "synchronizeAutomaticallyTimeOfDay", 0);
	ar_elem_date(&c->out, "LastModifiedTime", 0);
	ar_elem_date(&c->out, "LastSynchronizationTime", 0);   /* never */
	soap_elem_bool(&c->out, "SynchronizeAutomatically", 0);
	soap_elem_int(&c->out, "NumberOfSynchronizationsPerDay", 1);
	soap_elem_bool(&c->out, "IsCategoryOnly", 0);
	wbuf_puts(&c->out, "</GetSubscriptionResult>");
	soap_end(c);
	return soap_finish(c);
}

static int
ar_set_subscription(struct ws_call *c)
{
	AR_CHANGE(c);
	return ar_no_upstream(c);
}

static int
ar_get_subscription_state(struct ws_call *c)
{
	AR_READ(c);
	soap_begin(c);
	soap_elem_int(&c->out, "GetSubscriptionStateResult", 0);   /* idle */
	soap_end(c);
	return soap_finish(c);
}

static int
ar_start_subscription(struct ws_call *c)
{
	AR_CHANGE(c);
	return ar_no_upstream(c);
}

/* --- updates ---------------------------------------------------------------- */

/*
 * One minimalProperties row (37 cells, research note §6.1).  What the
 * store does not record gets a fixed, documented value: installable, no
 * EULA, impact and reboot behaviour 0, MsrcSeverity "Unspecified",
 * CreationDate = ArrivalDate (the publisher's date is not kept),
 * Description and ReleaseNotes nil.
 */
static int
ar_update_row(void *arg, const struct store_console_update *u)
{
	struct wbuf *b = arg;

	ar_row_begin(b);
	ar_cell_guid(b, u->update_id);
	ar_cell_int(b, u->revision_number);
	ar_cell_int(b, u->revision_id);
	ar_cell_int(b, u->local_id);
	ar_cell_bool(b, u->is_leaf);
	ar_cell_bool(b, 1);                 /* 5 InstallationSupported */
	ar_cell_int(b, 0);                  /* 6 InstallationImpact */
	ar_cell_int(b, 0);                  /* 7 InstallationRebootBehavior */
	ar_cell_bool(b, 0);
	ar_cell_bool(b, 0);
	ar_cell_bool(b, 0);                 /* 10 UninstallationSupported */
	ar_cell_int(b, 0);
	ar_cell_int(b, 0);
	ar_cell_bool(b, 0);
	ar_cell_bool(b, 0);
	ar_cell_str(b, u->is_driver ? "Driver" : "Software");   /* 15 */
	ar_cell_int(b, u->expired ? 1 : 0); /* 16 PublicationState */
	ar_cell_date(b, u->arrival);        /* 17 CreationDate */
	ar_cell_bool(b, u->approved);       /* 18 IsApproved */
	ar_cell_ubyte(b, 0);                /* 19 State */
	ar_cell_nil(b);                     /* 20 EulaId */
	ar_cell_bool(b, 0);                 /* 21 RequiresLicenseAgreementAcceptance */
	ar_cell_bool(b, u->declined);       /* 22 */
	ar_cell_bool(b, 0);                 /* 23 HasStaleUpdateApprovals */
	ar_cell_bool(b, u->is_latest);      /* 24 */
	ar_cell_date(b, u->arrival);        /* 25 ArrivalDate */
	ar_cell_bool(b, u->supersedes);     /* 26 HasSupersededUpdates */
	ar_cell_nil(b);                     /* 27 LegacyName */
	ar_cell_str(b, "Unspecified");      /* 28 MsrcSeverity */
	ar_cell_str(b, u->title);           /* 29 Title */
	ar_cell_nil(b);                     /* 30 Description */
	ar_cell_nil(b);                     /* 31 ReleaseNotes */
	ar_cell_bool(b, u->has_earlier);    /* 32 HasEarlierRevision */
	ar_cell_nil(b);                     /* 33 (read by nobody) */
	ar_cell_bool(b, u->superseded);     /* 34 IsSuperseded */
	ar_cell_bool(b, 0);                 /* 35 IsWsusInfrastructureUpdate */
	ar_cell_int(b, 0);                  /* 36 UpdateSource */
	ar_row_end(b);
	return b->oom ? -1 : 0;
}

/* The category rows are written into a second buffer while the first fills. */
struct ar_complete {
	struct wbuf *main, cats;
	int ncats;
};

static int
ar_update_cb(void *arg, const struct store_console_update *u)
{
	struct ar_complete *k = arg;

	if (k->main->len > LIMIT_ANSWER_BYTES)
		return -1;
	return ar_update_row(k->main, u);
}

static int
ar_category_row(void *arg, const struct store_console_category *cat)
{
	struct ar_complete *k = arg;

	ar_row_begin(&k->cats);
	ar_cell_int(&k->cats, cat->revision_id);
	ar_cell_str(&k->cats, cat->type);
	ar_cell_str(&k->cats, cat->title);
	ar_row_end(&k->cats);
	k->ncats++;
	return k->cats.oom || k->cats.len > LIMIT_ANSWER_BYTES ? -1 : 0;
}

/* Answer a CompleteUpdates for the revisions in us as element result. */
static int
ar_complete_updates(struct ws_call *c, const char *result,
    const struct store_update_scope *us)
{
	struct ar_complete k = { .main = &c->out };
	int n;

	wbuf_init(&k.cats, 4096);
	soap_begin(c);
	wbuf_printf(&c->out, "<%s><minimalProperties>", result);
	n = store_console_updates(c->st, us, ar_update_cb, ar_category_row, &k);
	if (n == -1) {
		wbuf_free(&k.cats);
		return c->out.len > LIMIT_ANSWER_BYTES ? ar_fault(c, 0,
		    "System.InvalidOperationException", "%s: the answer would pass "
		    "%u bytes: narrow the scope", c->opname, LIMIT_ANSWER_BYTES) :
		    ar_store_error(c);
	}
	wbuf_puts(&c->out, "</minimalProperties><localizedCategoryTitleRows>");
	wbuf_put(&c->out, k.cats.p, k.cats.len);
	wbuf_free(&k.cats);
	/* KB numbers, bulletins and URLs are not recorded: empty tables. */
	wbuf_printf(&c->out, "</localizedCategoryTitleRows><kbArticles />"
	    "<bulletins /><infoUrls /></%s>", result);
	soap_end(c);
	log_debug("ApiRemoting30 %s: %d update(s) for %s", c->opname, n, ar_who(c));
	return soap_finish(c);
}

static int
ar_search_updates(struct ws_call *c)
{
	struct store_update_scope us;

	AR_READ(c);
	AR_SCOPES(c, &us, 1, NULL);
	return ar_complete_updates(c, "ExecuteSPSearchUpdatesResult", &us);
}

static int
ar_get_update_count(struct ws_call *c)
{
	struct store_update_scope us;
	int n;

	AR_READ(c);
	AR_SCOPES(c, &us, 1, NULL);
	if ((n = store_console_update_count(c->st, &us)) == -1)
		return ar_store_error(c);
	soap_begin(c);
	soap_elem_int(&c->out, "ExecuteSPGetUpdateCountResult", n);
	soap_end(c);
	return soap_finish(c);
}

static int
ar_get_update_by_id(struct ws_call *c)
{
	const struct xml_node *id = xml_child(c->op, "id");
	struct store_update_scope us;
	long long rev;

	AR_READ(c);
	store_update_scope_init(&us);
	if (id == NULL || ar_guid(id, "UpdateId", us.update_id) == -1 ||
	    ar_int(id, "RevisionNumber", 0, INT32_MAX, &rev) == -1)
		return AR_ARG(c, "id must hold UpdateId (a GUID) and RevisionNumber");
	us.revision_number = (int)rev;
	us.publication = STORE_PUB_ANY;
	/* Not found is an empty CompleteUpdates, as the stock API expects. */
	return ar_complete_updates(c, "ExecuteSPGetUpdateByIdResult", &us);
}

/* Summary rows: per update (key in col 0) or per computer (key in col 2). */
struct ar_summaries {
	struct wbuf *b;
	int per_computer, n;
};

static int
ar_summary_row(void *arg, const struct store_console_summary *s)
{
	struct ar_summaries *k = arg;

	ar_row_begin(k->b);
	if (k->per_computer) {
		ar_cell_nil(k->b);
		ar_cell_nil(k->b);
		ar_cell_str(k->b, s->key);
	} else {
		ar_cell_guid(k->b, s->key);
		ar_cell_nil(k->b);
		ar_cell_nil(k->b);
	}
	ar_cell_int(k->b, s->state);
	ar_cell_int(k->b, s->count > INT32_MAX ? INT32_MAX : s->count);
	ar_cell_date(k->b, s->changed);
	ar_row_end(k->b);
	k->n++;
	return k->b->oom || k->b->len > LIMIT_ANSWER_BYTES ? -1 : 0;
}

static int
ar_summaries(struct ws_call *c, int per_computer)
{
	struct store_update_scope us;
	struct store_computer_scope cs;
	struct ar_summaries k = { .b = &c->out, .per_computer = per_computer };
	char result[96];
	int live = 0, n;

	AR_READ(c);
	AR_SCOPES(c, &us, 1, &cs);
	snprintf(result, sizeof(result), "%sResult", c->opname);
	soap_begin(c);
	wbuf_printf(&c->out, "<%s>", result);
	n = per_computer ?
	    store_console_computer_summaries(c->st, &us, &cs, ar_summary_row, &k,
	    &live) :
	    store_console_update_summaries(c->st, &us, &cs, ar_summary_row, &k,
	    &live);
	if (n == -1)
		return c->out.len > LIMIT_ANSWER_BYTES ? ar_fault(c, 0,
		    "System.InvalidOperationException", "%s: the answer would pass "
		    "%u bytes: narrow the scope", c->opname, LIMIT_ANSWER_BYTES) :
		    ar_store_error(c);
	wbuf_printf(&c->out, "</%s>", result);
	soap_end(c);
	log_debug("ApiRemoting30 %s: %d row(s), %s", c->opname, n,
	    live ? "counted live (the scope is narrower than a summary table)" :
	    "from the summary table");
	return soap_finish(c);
}

static int
ar_summaries_per_update(struct ws_call *c)
{
	return ar_summaries(c, 0);
}

static int
ar_summaries_per_computer(struct ws_call *c)
{
	return ar_summaries(c, 1);
}

/* A deployment's GUID: its id in a fixed, recognisable GUID. */
static void
ar_deployment_guid(int64_t id, char out[37])
{
	snprintf(out, 37, "d3b10000-0000-4000-8000-%012llx",
	    (unsigned long long)id & 0xffffffffffffULL);
}

/* One ApprovalInformation row (research note §6.5a). */
static int
ar_deployment_row(void *arg, const struct store_console_deployment *d)
{
	struct wbuf *b = arg;
	char g[37];

	ar_deployment_guid(d->deployment_id, g);
	ar_row_begin(b);
	ar_cell_date(b, d->created);
	ar_cell_ubyte(b, 1);                /* active */
	ar_cell_int(b, d->action == STORE_ACTION_INSTALL ? 0 :
	    d->action == STORE_ACTION_UNINSTALL ? 1 : 2);
	ar_cell_date(b, d->created);        /* GoLiveTime */
	ar_cell_date(b, d->deadline);       /* nil: none */
	ar_cell_str(b, d->admin);
	ar_cell_guid(b, g);
	ar_cell_bool(b, d->is_assigned);
	ar_cell_guid(b, d->update_id);
	ar_cell_int(b, d->revision_number);
	ar_cell_guid(b, d->group_id);
	ar_row_end(b);
	return b->oom || b->len > LIMIT_ANSWER_BYTES ? -1 : 0;
}

static int
ar_get_deployments(struct ws_call *c)
{
	struct store_update_scope us;

	AR_READ(c);
	AR_SCOPES(c, &us, 1, NULL);
	soap_begin(c);
	wbuf_puts(&c->out, "<ExecuteSPGetDeploymentsResult>");
	if (store_console_deployments(c->st, &us, ar_deployment_row, &c->out) == -1)
		return ar_store_error(c);
	wbuf_puts(&c->out, "</ExecuteSPGetDeploymentsResult>");
	soap_end(c);
	return soap_finish(c);
}

/*
 * ExecuteSPDeployUpdate1 - approve the latest revision of an update for
 * a group.  Install, Uninstall and NotApproved are honoured; Block and
 * optional (isAssigned false) approvals are not kept by this server and
 * are refused, as is a revision that is not the latest.  "No deadline"
 * is SQL's or .NET's maximum date.  The approval records the
 * authenticated account, not the adminName the caller wrote.
 */
static int
ar_deploy_update(struct ws_call *c)
{
	const struct xml_node *id = xml_child(c->op, "updateId");
	static const enum store_action actions[] = { STORE_ACTION_INSTALL,
		STORE_ACTION_UNINSTALL, STORE_ACTION_NOT_APPROVED };
	struct store_console_deployment d;
	struct store_actor who;
	struct store_group g;
	char uid[37], gid[37], admin[STORE_NAME_MAX];
	const char *dl;
	long long rev, action;
	time_t deadline = 0;
	int assigned, r, cur;

	AR_CHANGE(c);
	if (id == NULL || ar_guid(id, "UpdateId", uid) == -1 ||
	    ar_int(id, "RevisionNumber", 0, INT32_MAX, &rev) == -1)
		return AR_ARG(c, "updateId must hold UpdateId and RevisionNumber");
	if (ar_int(c->op, "deploymentAction", INT32_MIN, INT32_MAX, &action) == -1)
		return AR_ARG(c, "deploymentAction must be an int");
	if (action == 3)
		return ar_fault(c, 1, "System.NotSupportedException", "%s: "
		    "deploymentAction 3 (Block) is not supported by this server",
		    c->opname);
	if (action < 0 || action > 2)
		return AR_ARG(c, "deploymentAction must be 0 (Install), "
		    "1 (Uninstall) or 2 (NotApproved)");
	if (ar_guid(c->op, "targetGroupId", gid) == -1)
		return AR_ARG(c, "targetGroupId must be a GUID");
	if ((dl = ar_param(c, "deadline")) == NULL)
		return AR_ARG(c, "deadline is required");
	if (strncmp(dl, "9999-", 5) != 0 && strncmp(dl, "0001-", 5) != 0 &&
	    soap_parse_datetime(dl, strlen(dl), &deadline) == -1)
		return AR_ARG(c, "deadline must be an xsd:dateTime");
	if (ar_bool(c->op, "isAssigned", &assigned) == -1)
		return AR_ARG(c, "isAssigned must be a boolean");
	if (!assigned)
		return ar_fault(c, 1, "System.NotSupportedException", "%s: "
		    "approvals for optional installation (isAssigned false) are "
		    "not supported by this server", c->opname);
	if ((r = store_group_find_by_guid(c->st, gid, &g)) != 1)
		return r == -1 ? ar_store_error(c) : ar_fault(c, 1,
		    "Microsoft.UpdateServices.Administration.WsusObjectNotFoundException",
		    "%s: no target group %s", c->opname, gid);
	if ((cur = store_revision_number(c->st, uid)) == -2 ||
	    store_revision_of(c->st, uid) == 0)
		return ar_fault(c, 1,
		    "Microsoft.UpdateServices.Administration.WsusObjectNotFoundException",
		    "%s: no published update %s", c->opname, uid);
	if (cur < 0)
		return ar_store_error(c);
	if (cur != rev)
		return ar_fault(c, 1, "System.InvalidOperationException", "%s: "
		    "revision %lld of %s is not its latest revision (%d): only "
		    "the latest revision can be approved", c->opname, rev, uid, cur);
	who = ar_actor(c);
	r = store_approve(c->st, uid, gid, actions[action], deadline, &who);
	if (r == -2)
		return ar_fault(c, 1,
		    "Microsoft.UpdateServices.Administration.WsusObjectNotFoundException",
		    "%s: no published update %s", c->opname, uid);
	if (r != 0)
		return ar_store_error(c);
	log_info("ApiRemoting30: %s from %s approved %s (%s) for %s", ar_who(c),
	    c->req->client_ip ? c->req->client_ip : "?", uid,
	    action == 0 ? "install" : action == 1 ? "uninstall" : "not approved",
	    g.name);
	if (store_console_deployment_get(c->st, uid, gid, &d, admin,
	    sizeof(admin)) != 1)
		return ar_store_error(c);
	soap_begin(c);
	wbuf_puts(&c->out, "<ExecuteSPDeployUpdate1Result><Values>");
	{
		/* The row without its <GenericReadableRow> wrapper. */
		struct wbuf row;
		wbuf_init(&row, 1024);
		ar_deployment_row(&row, &d);
		if (row.oom) {
			wbuf_free(&row);
			return -1;
		}
		wbuf_put(&c->out, row.p + strlen("<GenericReadableRow><Values>"),
		    row.len - strlen("<GenericReadableRow><Values>") -
		    strlen("</Values></GenericReadableRow>"));
		wbuf_free(&row);
	}
	wbuf_puts(&c->out, "</Values></ExecuteSPDeployUpdate1Result>");
	soap_end(c);
	return soap_finish(c);
}

static int
ar_decline_update(struct ws_call *c)
{
	struct store_actor who = ar_actor(c);
	char uid[37];
	int r;

	AR_CHANGE(c);
	if (ar_guid(c->op, "updateId", uid) == -1)
		return AR_ARG(c, "updateId must be a GUID");
	/* failIfReplica: this server is never a replica. */
	if ((r = store_decline(c->st, uid, &who)) == -2)
		return ar_fault(c, 1,
		    "Microsoft.UpdateServices.Administration.WsusObjectNotFoundException",
		    "%s: no update %s", c->opname, uid);
	if (r != 0)
		return ar_store_error(c);
	log_info("ApiRemoting30: %s from %s declined %s", ar_who(c),
	    c->req->client_ip ? c->req->client_ip : "?", uid);
	return ar_void(c);
}

/* --- computers ---------------------------------------------------------------- */

/* SearchComputers: set 0 rows go to c->out, set 1 rows to req. */
struct ar_computers {
	struct wbuf *b, req;
};

/* One computer row (research note §7.1, 32 cells). */
static int
ar_computer_row(void *arg, const struct store_console_computer *m)
{
	struct ar_computers *k = arg;
	struct wbuf *b = k->b;
	const char *rq = m->requested_groups;
	size_t first = strcspn(rq, ";");
	char name[STORE_NAME_MAX];

	snprintf(name, sizeof(name), "%.*s", (int)first, rq);
	ar_row_begin(b);
	ar_cell_str(b, m->computer_id);
	ar_cell_date(b, m->last_sync);
	ar_cell_date(b, m->last_report);
	ar_cell_str(b, m->ip);
	ar_cell_str(b, m->dns_name);
	ar_cell_int(b, m->os_major);
	ar_cell_int(b, m->os_minor);
	ar_cell_int(b, m->os_build);
	ar_cell_int(b, m->sp_major);
	ar_cell_int(b, m->sp_minor);
	ar_cell_str(b, m->os_locale);
	ar_cell_str(b, m->make);
	ar_cell_str(b, m->model);
	ar_cell_str(b, m->bios_version);
	ar_cell_str(b, m->bios_name);
	ar_cell_date(b, m->bios_date);
	ar_cell_str(b, m->arch);
	ar_cell_str(b, name[0] ? name : NULL);   /* 17 RequestedTargetGroupName */
	ar_cell_nil(b);                          /* 18 LastInventoryTime */
	ar_cell_nil(b);                          /* 19 ParentServerId */
	ar_cell_int(b, m->last_sync ? 1 : 0);    /* 20 LastSyncResult */
	ar_cell_short(b, m->suite_mask);
	ar_cell_ubyte(b, m->old_product_type);
	ar_cell_int(b, m->new_product_type);
	ar_cell_int(b, m->system_metrics);
	ar_cell_str(b, m->client_version);
	ar_cell_str(b, "Windows");               /* 26 OSFamily */
	ar_cell_str(b, m->os_description);
	ar_cell_str(b, m->oem);
	ar_cell_str(b, m->device_type);
	ar_cell_str(b, m->firmware);
	ar_cell_str(b, m->mobile_operator);
	ar_row_end(b);
	/* Set 1: one row per requested group name. */
	while (*rq != '\0') {
		size_t len = strcspn(rq, ";");
		if (len > 0) {
			snprintf(name, sizeof(name), "%.*s", (int)len, rq);
			ar_row_begin(&k->req);
			ar_cell_str(&k->req, m->computer_id);
			ar_cell_str(&k->req, name);
			ar_row_end(&k->req);
		}
		rq += len;
		if (*rq == ';')
			rq++;
	}
	return b->oom || k->req.oom || b->len + k->req.len > LIMIT_ANSWER_BYTES ?
	    -1 : 0;
}

static int
ar_membership_row(void *arg, const char *computer_id, const char *group_id)
{
	struct wbuf *b = arg;

	ar_row_begin(b);
	ar_cell_str(b, computer_id);
	ar_cell_guid(b, group_id);
	ar_row_end(b);
	return b->oom || b->len > LIMIT_ANSWER_BYTES ? -1 : 0;
}

static int
ar_search_computers(struct ws_call *c)
{
	struct store_computer_scope cs;
	struct ar_computers k = { .b = &c->out };

	AR_READ(c);
	AR_SCOPES(c, NULL, 0, &cs);
	wbuf_init(&k.req, 1024);
	soap_begin(c);
	wbuf_puts(&c->out, "<ExecuteSPSearchComputersResult><ArrayOfGenericReadableRow>");
	if (store_console_computers(c->st, &cs, ar_computer_row, &k) == -1) {
		wbuf_free(&k.req);
		return ar_store_error(c);
	}
	wbuf_puts(&c->out, "</ArrayOfGenericReadableRow><ArrayOfGenericReadableRow>");
	wbuf_put(&c->out, k.req.p, k.req.len);
	wbuf_free(&k.req);
	wbuf_puts(&c->out, "</ArrayOfGenericReadableRow><ArrayOfGenericReadableRow>");
	if (store_console_memberships(c->st, &cs, ar_membership_row, &c->out) == -1)
		return ar_store_error(c);
	wbuf_puts(&c->out, "</ArrayOfGenericReadableRow></ExecuteSPSearchComputersResult>");
	soap_end(c);
	return soap_finish(c);
}

static int
ar_get_computer_count(struct ws_call *c)
{
	struct store_computer_scope cs;
	int n;

	AR_READ(c);
	AR_SCOPES(c, NULL, 0, &cs);
	if ((n = store_console_computer_count(c->st, &cs)) == -1)
		return ar_store_error(c);
	soap_begin(c);
	soap_elem_int(&c->out, "ExecuteSPGetComputerCountResult", n);
	soap_end(c);
	return soap_finish(c);
}

struct ar_installs {
	struct wbuf *b;
	const char  *computer_id;
};

/* One UpdateInstallationInformation row (research note §7.4). */
static int
ar_install_row(void *arg, const struct store_console_install *r)
{
	struct ar_installs *k = arg;

	ar_row_begin(k->b);
	ar_cell_guid(k->b, r->update_id);
	ar_cell_str(k->b, k->computer_id);
	ar_cell_int(k->b, r->state);
	ar_cell_int(k->b, r->action);
	ar_cell_guid(k->b, r->group_id);
	ar_row_end(k->b);
	return k->b->oom || k->b->len > LIMIT_ANSWER_BYTES ? -1 : 0;
}

static int
ar_installation_info(struct ws_call *c)
{
	struct store_update_scope us;
	const char *id = ar_param(c, "computerId");
	struct ar_installs k = { .b = &c->out, .computer_id = id };
	int n;

	AR_READ(c);
	if (id == NULL || id[0] == '\0' || strlen(id) > LIMIT_ID_TEXT_BYTES)
		return AR_ARG(c, "computerId is required");
	AR_SCOPES(c, &us, 1, NULL);
	soap_begin(c);
	wbuf_puts(&c->out, "<ExecuteSPGetUpdateInstallationInfoForComputerResult>");
	if ((n = store_console_installs(c->st, id, &us, ar_install_row, &k)) == -2)
		return ar_fault(c, 1,
		    "Microsoft.UpdateServices.Administration.WsusObjectNotFoundException",
		    "%s: no computer %s", c->opname, id);
	if (n < 0)
		return ar_store_error(c);
	wbuf_puts(&c->out, "</ExecuteSPGetUpdateInstallationInfoForComputerResult>");
	soap_end(c);
	return soap_finish(c);
}

/* --- target groups -------------------------------------------------------------- */

/* One group row (research note §7.5): type, name, id, order, priority, parent. */
static void
ar_group_cells(struct wbuf *b, const struct store_group *g)
{
	ar_cell_str(b, strcmp(g->guid, STORE_GROUP_DOWNSTREAM) == 0 ?
	    "DownstreamServers" : "Computers");
	ar_cell_str(b, g->name);
	ar_cell_guid(b, g->guid);
	ar_cell_int(b, 0);
	ar_cell_int(b, 0);
	ar_cell_guid(b, g->parent);         /* nil for All Computers */
}

static int
ar_group_row(void *arg, const struct store_group *g)
{
	struct wbuf *b = arg;

	ar_row_begin(b);
	ar_group_cells(b, g);
	ar_row_end(b);
	return b->oom ? -1 : 0;
}

static int
ar_get_all_target_groups(struct ws_call *c)
{
	AR_READ(c);
	soap_begin(c);
	wbuf_puts(&c->out, "<ExecuteSPGetAllTargetGroupsResult>");
	if (store_group_each(c->st, ar_group_row, &c->out) == -1)
		return ar_store_error(c);
	wbuf_puts(&c->out, "</ExecuteSPGetAllTargetGroupsResult>");
	soap_end(c);
	return soap_finish(c);
}

static int
ar_create_target_group(struct ws_call *c)
{
	const char *name = ar_param(c, "name");
	struct store_actor who;
	struct store_group g;
	char parent[37], guid[STORE_GUID_LEN + 1];
	int r;

	AR_CHANGE(c);
	if (name == NULL || name[0] == '\0' || strlen(name) >= STORE_GROUP_NAME_MAX)
		return AR_ARG(c, "name must be 1..255 bytes");
	if (strpbrk(name, "~!@#$^&*()=+[]\\{}|;:'\"<>/") != NULL)
		return AR_ARG(c, "name must not contain any of ~!@#$^&*()=+[]\\{}|;:'\"<>/");
	if (ar_guid(c->op, "parentGroupId", parent) == -1)
		return AR_ARG(c, "parentGroupId must be a GUID");
	if (strcmp(parent, STORE_GROUP_UNASSIGNED) == 0 ||
	    strcmp(parent, STORE_GROUP_DOWNSTREAM) == 0)
		return AR_ARG(c, "groups cannot be made under Unassigned Computers "
		    "or Downstream Servers");
	who = ar_actor(c);
	r = store_group_add(c->st, name, parent, guid, &who);
	if (r == -2)
		return ar_fault(c, 1,
		    "Microsoft.UpdateServices.Administration.WsusObjectNotFoundException",
		    "%s: no parent group %s", c->opname, parent);
	if (r == -3)
		return ar_fault(c, 1, "System.ArgumentException", "%s: a computer "
		    "target group named \"%s\" already exists", c->opname, name);
	if (r != 0)
		return AR_ARG(c, "name is not a valid group name");
	log_info("ApiRemoting30: %s from %s created group %s (%s)", ar_who(c),
	    c->req->client_ip ? c->req->client_ip : "?", name, guid);
	if (store_group_find_by_guid(c->st, guid, &g) != 1)
		return ar_store_error(c);
	soap_begin(c);
	wbuf_puts(&c->out, "<ExecuteSPCreateTargetGroup1Result><Values>");
	ar_group_cells(&c->out, &g);
	wbuf_puts(&c->out, "</Values></ExecuteSPCreateTargetGroup1Result>");
	soap_end(c);
	return soap_finish(c);
}

static int
ar_delete_target_group(struct ws_call *c)
{
	struct store_actor who = ar_actor(c);
	struct store_group g;
	char id[37];
	int r;

	AR_CHANGE(c);
	if (ar_guid(c->op, "id", id) == -1)
		return AR_ARG(c, "id must be a GUID");
	/* By GUID only: a GUID-shaped name must not delete another group. */
	if ((r = store_group_find_by_guid(c->st, id, &g)) != 1)
		return r == -1 ? ar_store_error(c) : ar_fault(c, 1,
		    "Microsoft.UpdateServices.Administration.WsusObjectNotFoundException",
		    "%s: no target group %s", c->opname, id);
	switch ((r = store_group_del(c->st, id, &who))) {
	case 0:
		log_info("ApiRemoting30: %s from %s deleted group %s (%s)",
		    ar_who(c), c->req->client_ip ? c->req->client_ip : "?", g.name,
		    id);
		return ar_void(c);
	case -2:
		return ar_fault(c, 1,
		    "Microsoft.UpdateServices.Administration.WsusObjectNotFoundException",
		    "%s: no target group %s", c->opname, id);
	case -3:
		return ar_fault(c, 1, "System.InvalidOperationException",
		    "%s: %s is a built-in group and cannot be deleted", c->opname, id);
	case -4:
		return ar_fault(c, 1, "System.InvalidOperationException",
		    "%s: group %s has subgroups: delete them first", c->opname, id);
	default:
		return ar_store_error(c);
	}
}

static int
ar_membership(struct ws_call *c, int add)
{
	const char *cid = ar_param(c, "computerId");
	struct store_actor who = ar_actor(c);
	struct store_computer comp;
	struct store_group g;
	char gid[37];
	int r;

	AR_CHANGE(c);
	if (ar_guid(c->op, "targetGroupId", gid) == -1)
		return AR_ARG(c, "targetGroupId must be a GUID");
	if (cid == NULL || cid[0] == '\0' || strlen(cid) > LIMIT_ID_TEXT_BYTES)
		return AR_ARG(c, "computerId is required");
	/* The console names computers by id (not DNS name) and groups by GUID. */
	if ((r = store_computer_get(c->st, cid, &comp)) != 1)
		return r == -1 ? ar_store_error(c) : ar_fault(c, 1,
		    "Microsoft.UpdateServices.Administration.WsusObjectNotFoundException",
		    "%s: no computer %s", c->opname, cid);
	if ((r = store_group_find_by_guid(c->st, gid, &g)) != 1 ||
	    strcmp(g.guid, STORE_GROUP_ALL_COMPUTERS) == 0 ||
	    strcmp(g.guid, STORE_GROUP_UNASSIGNED) == 0)
		r = r == -1 ? -1 : -3;
	else
		r = add ? store_computer_group_add(c->st, comp.computer_id, gid,
		    &who) : store_computer_group_remove(c->st, comp.computer_id,
		    gid, &who);
	if (r == -4)
		r = 1;   /* not a member: nothing to remove */
	if (r == -2)
		return ar_fault(c, 1,
		    "Microsoft.UpdateServices.Administration.WsusObjectNotFoundException",
		    "%s: no computer %s", c->opname, cid);
	if (r == -3)
		return ar_fault(c, 1, "System.ArgumentException", "%s: %s is not a "
		    "custom target group (All Computers and Unassigned Computers are "
		    "kept by the server)", c->opname, gid);
	if (r < 0)
		return ar_store_error(c);
	if (r == 0)
		log_info("ApiRemoting30: %s from %s %s computer %s %s group %s",
		    ar_who(c), c->req->client_ip ? c->req->client_ip : "?",
		    add ? "added" : "removed", cid, add ? "to" : "from", gid);
	return ar_void(c);
}

static int
ar_add_computer_to_group(struct ws_call *c)
{
	return ar_membership(c, 1);
}

static int
ar_remove_computer_from_group(struct ws_call *c)
{
	return ar_membership(c, 0);
}

/* --- event history ------------------------------------------------------------- */

/* A filter window: lower- or capitalised name, "never" sentinels open. */
static int
ar_window(const struct xml_node *f, const char *lower, const char *upper,
    time_t *out)
{
	const char *v = soap_text(f, lower);

	*out = 0;
	if (v == NULL || v[0] == '\0')
		v = soap_text(f, upper);
	if (v == NULL || v[0] == '\0' || strncmp(v, "0001-", 5) == 0 ||
	    strncmp(v, "9999-", 5) == 0)
		return 0;
	if (soap_parse_datetime(v, strlen(v), out) == -1)
		return -1;
	if (*out == 0)
		*out = 1;
	return 0;
}

static int
ar_event_row(void *arg, const struct store_console_event *e)
{
	struct wbuf *b = arg;

	wbuf_puts(b, "<EventHistoryTableRow>");
	soap_elem(b, "EventInstanceId", e->instance_id);
	soap_elem_int(b, "EventId", e->event_id);
	soap_elem_int(b, "NamespaceId", e->namespace_id);
	soap_elem_int(b, "SourceId", e->source_id);
	ar_elem_date(b, "TimeAtTarget", e->time_at_target);
	ar_elem_date(b, "TimeAtServer", e->received);
	soap_elem_int(b, "StateId", 0);
	soap_elem_int(b, "SeverityId", 0);
	soap_elem_int(b, "Win32HResult", (int32_t)(uint32_t)e->hresult);
	soap_elem(b, "MessageTemplate", e->message);
	soap_elem(b, "ComputerId", e->computer_id);
	soap_elem(b, "AppName", e->app_name);
	soap_elem(b, "UpdateId", e->update_id[0] ? e->update_id : AR_ZERO_GUID);
	soap_elem_int(b, "RevisionNumber", e->revision_number);
	wbuf_puts(b, "</EventHistoryTableRow>");
	return b->oom || b->len > LIMIT_ANSWER_BYTES ? -1 : 0;
}

static int
ar_search_event_history(struct ws_call *c)
{
	const struct xml_node *f = xml_child(c->op, "eventHistoryFilter"), *l, *k;
	struct store_event_filter ef;
	const char *t;
	size_t used;

	AR_READ(c);
	memset(&ef, 0, sizeof(ef));
	ef.max_rows = LIMIT_EVENT_HISTORY_ROWS;
	if (f != NULL) {
		if (ar_window(f, "fromTimeAtTarget", "FromTimeAtTarget",
		    &ef.from_target) == -1 ||
		    ar_window(f, "toTimeAtTarget", "ToTimeAtTarget", &ef.to_target) ==
		    -1 ||
		    ar_window(f, "fromTimeAtServer", "FromTimeAtServer",
		    &ef.from_server) == -1 ||
		    ar_window(f, "toTimeAtServer", "ToTimeAtServer", &ef.to_server) ==
		    -1)
			return AR_ARG(c, "eventHistoryFilter: a time window is not an "
			    "xsd:dateTime");
		if ((t = soap_text(f, "targetId")) != NULL && t[0] != '\0') {
			if (strlen(t) >= sizeof(ef.computer_id))
				return AR_ARG(c, "eventHistoryFilter.targetId is too long");
			snprintf(ef.computer_id, sizeof(ef.computer_id), "%s", t);
		}
		if ((l = xml_child(f, "updateFilter")) != NULL &&
		    ar_guid(l, "UpdateID", ef.update_id) == -1)
			return AR_ARG(c, "eventHistoryFilter.updateFilter.UpdateID must "
			    "be a GUID");
		if (strcmp(ef.update_id, AR_ZERO_GUID) == 0)
			ef.update_id[0] = '\0';
		if ((l = xml_child(f, "eventIdFilter")) != NULL && l->first != NULL) {
			used = (size_t)snprintf(ef.event_ids, sizeof(ef.event_ids), ",");
			for (k = l->first; k != NULL; k = k->next) {
				long long ns, id;
				if (ar_int(k, "NamespaceId", 0, INT32_MAX, &ns) == -1 ||
				    ar_int(k, "EventId", 0, 32767, &id) == -1)
					return AR_ARG(c, "eventIdFilter: NamespaceId and "
					    "EventId are required");
				if (used + 24 >= sizeof(ef.event_ids))
					return AR_ARG(c, "eventIdFilter: too many ids");
				used += (size_t)snprintf(ef.event_ids + used,
				    sizeof(ef.event_ids) - used, "%lld:%lld,", ns, id);
			}
		}
		if ((l = xml_child(f, "eventInstanceIdFilter")) != NULL) {
			used = 0;
			for (k = l->first; k != NULL; k = k->next) {
				uint8_t g[16];
				if (cookie_guid_parse(k->text, k->text_len, g) == -1 ||
				    used + 38 >= sizeof(ef.instance_ids))
					return AR_ARG(c, "eventInstanceIdFilter: bad or too "
					    "many GUIDs");
				if (used)
					ef.instance_ids[used++] = ',';
				cookie_guid_format(g, ef.instance_ids + used);
				used += STORE_GUID_LEN;
			}
		}
		/* Sources and severities are not recorded: refuse, never ignore. */
		if (!ar_list_empty(f, "eventSourceFilter"))
			return ar_fault(c, 1, "System.NotSupportedException", "%s: "
			    "eventSourceFilter is not supported by this server",
			    c->opname);
		if (!ar_list_empty(f, "eventSeverityFilter"))
			return ar_fault(c, 1, "System.NotSupportedException", "%s: "
			    "eventSeverityFilter is not supported by this server",
			    c->opname);
	}
	soap_begin(c);
	wbuf_puts(&c->out, "<ExecuteSPSearchEventHistoryResult>");
	if (store_console_events(c->st, &ef, ar_event_row, &c->out) == -1)
		return ar_store_error(c);
	wbuf_puts(&c->out, "</ExecuteSPSearchEventHistoryResult>");
	soap_end(c);
	return soap_finish(c);
}

/* --- home page --------------------------------------------------------------------- */

/*
 * ExecuteSPGetUpdateServerStatus - one row of counters: columns 0..11 in
 * the specification's order, 12.. the remaining UpdateServerStatus
 * properties in the order of the API's list (research note §8.8: G).
 */
static int
ar_update_server_status(struct ws_call *c)
{
	struct store_update_scope us;
	struct store_computer_scope cs;
	struct store_console_status s;
	long long v;
	int b;

	AR_READ(c);
	if (ar_int(c->op, "updateSources", INT32_MIN, INT32_MAX, &v) == -1 ||
	    ar_int(c->op, "propertiesToGet", INT32_MIN, INT32_MAX, &v) == -1 ||
	    ar_bool(c->op, "includeDownstreamComputers", &b) == -1)
		return AR_ARG(c, "updateSources, includeDownstreamComputers and "
		    "propertiesToGet are required");
	AR_SCOPES(c, &us, 1, &cs);
	if (store_console_status(c->st, &us, &cs, &s) == -1)
		return ar_store_error(c);
	soap_begin(c);
	wbuf_puts(&c->out, "<ExecuteSPGetUpdateServerStatusResult>"
	    "<ArrayOfGenericReadableRow>");
	ar_row_begin(&c->out);
	ar_cell_int(&c->out, s.updates);
	ar_cell_int(&c->out, s.declined);
	ar_cell_int(&c->out, s.not_approved);
	ar_cell_int(&c->out, 0);            /* stale approvals: never here */
	ar_cell_int(&c->out, s.expired);
	ar_cell_int(&c->out, s.critical_security_not_approved);
	ar_cell_int(&c->out, 0);            /* no WSUS infrastructure updates */
	ar_cell_int(&c->out, s.with_client_errors);
	ar_cell_int(&c->out, 0);            /* server errors: no downloads to fail */
	ar_cell_int(&c->out, 0);            /* needing files: content is local */
	ar_cell_int(&c->out, s.custom_groups);
	ar_cell_int(&c->out, s.computers);
	ar_cell_int(&c->out, s.computers_needing);
	ar_cell_int(&c->out, s.computers_with_errors);
	ar_cell_int(&c->out, s.computers_up_to_date);
	ar_cell_int(&c->out, s.approved);
	ar_cell_int(&c->out, s.updates_needed_by_computers);
	ar_cell_int(&c->out, s.updates_up_to_date);
	ar_row_end(&c->out);
	wbuf_puts(&c->out, "</ArrayOfGenericReadableRow>"
	    "</ExecuteSPGetUpdateServerStatusResult>");
	soap_end(c);
	return soap_finish(c);
}

/* --- wsusd's own: the audit log ------------------------------------------------ */

#define AR_AUDIT_ROWS_MAX 1000000   /* rows of one WsusdGetAuditLog answer */

struct ar_audit_ctx {
	struct wbuf *b;
	long long    left;             /* rows still allowed */
};

/* One audit row: 0 Sequence long, 1 Time dateTime, 2 Program, 3 Account,
 * 4 Address, 5 Action, 6 Object, 7 Before, 8 After (nil when ""),
 * 9 Hash. */
static int
ar_audit_row(void *arg, const struct store_audit_row *r)
{
	struct ar_audit_ctx *x = arg;

	if (x->left-- <= 0)
		return 1;
	ar_row_begin(x->b);
	ar_cell_num(x->b, "long", (long long)r->seq);
	ar_cell_date(x->b, r->time);
	ar_cell_str(x->b, r->program);
	ar_cell_str(x->b, r->account);
	ar_cell_str(x->b, r->address);
	ar_cell_str(x->b, r->action);
	ar_cell_str(x->b, r->object);
	ar_cell_str(x->b, r->before[0] ? r->before : NULL);
	ar_cell_str(x->b, r->after[0] ? r->after : NULL);
	ar_cell_str(x->b, r->hash);
	ar_row_end(x->b);
	return 0;
}

/*
 * ar_get_audit_log - WsusdGetAuditLog(fromTime?: dateTime, maxRows?: int):
 * the rows of the audit log (store_audit_each) from fromTime on, in
 * sequence order, at most maxRows (default and cap AR_AUDIT_ROWS_MAX).
 * Not MS-WSUSAR: a wsusd operation in the ApiRemoting30 namespace, so
 * that a console reads the log without the server's files.  Reporter and
 * Administrator may read it.
 */
static int
ar_get_audit_log(struct ws_call *c)
{
	struct ar_audit_ctx x = { &c->out, AR_AUDIT_ROWS_MAX };
	const char *from = ar_param(c, "fromTime");
	time_t since = 0;
	long long n;

	AR_READ(c);
	if (from != NULL && from[0] != '\0' &&
	    soap_parse_datetime(from, strlen(from), &since) == -1)
		return AR_ARG(c, "fromTime must be an xsd:dateTime");
	if (ar_param(c, "maxRows") != NULL) {
		if (ar_int(c->op, "maxRows", 0, AR_AUDIT_ROWS_MAX, &n) == -1)
			return AR_ARG(c, "maxRows must be 0..1000000");
		x.left = n;
	}
	soap_begin(c);
	wbuf_puts(&c->out, "<WsusdGetAuditLogResult>");
	if (store_audit_each(c->st, since, ar_audit_row, &x) == -1 && x.left >= 0)
		return ar_store_error(c);
	wbuf_puts(&c->out, "</WsusdGetAuditLogResult>");
	soap_end(c);
	return soap_finish(c);
}

/* --- dispatch ------------------------------------------------------------------------ */

static const struct ws_op apiremoting_ops[] = {
	{ "GetServerVersion", ar_get_server_version, 0 },
	{ "GetServerProtocolVersion", ar_get_server_protocol_version, 0 },
	{ "GetCurrentUserRole", ar_get_current_user_role, 0 },
	{ "GetDatabaseConfiguration", ar_get_database_configuration, 0 },
	{ "Ping", ar_ping, 0 },
	{ "ExecuteSPGetConfiguration", ar_get_configuration, 0 },
	{ "ExecuteSPSetConfiguration", ar_set_configuration, 0 },
	{ "GetSubscription", ar_get_subscription, 0 },
	{ "SetSubscription", ar_set_subscription, 0 },
	{ "GetSubscriptionState", ar_get_subscription_state, 0 },
	{ "StartSubscriptionManually", ar_start_subscription, 0 },
	{ "ExecuteSPSearchUpdates", ar_search_updates, 0 },
	{ "ExecuteSPGetUpdateCount", ar_get_update_count, 0 },
	{ "ExecuteSPGetUpdateById", ar_get_update_by_id, 0 },
	{ "ExecuteSPGetSummariesPerUpdate", ar_summaries_per_update, 0 },
	{ "ExecuteSPDeployUpdate1", ar_deploy_update, 0 },
	{ "ExecuteSPGetDeployments", ar_get_deployments, 0 },
	{ "ExecuteSPDeclineUpdate", ar_decline_update, 0 },
	{ "ExecuteSPSearchComputers", ar_search_computers, 0 },
	{ "ExecuteSPGetComputerCount", ar_get_computer_count, 0 },
	{ "ExecuteSPGetSummariesPerComputer", ar_summaries_per_computer, 0 },
	{ "ExecuteSPGetUpdateInstallationInfoForComputer", ar_installation_info, 0 },
	{ "ExecuteSPGetAllTargetGroups", ar_get_all_target_groups, 0 },
	{ "ExecuteSPCreateTargetGroup1", ar_create_target_group, 0 },
	{ "ExecuteSPDeleteTargetGroup", ar_delete_target_group, 0 },
	{ "ExecuteSPAddComputerToTargetGroupAllowMultipleGroups",
	    ar_add_computer_to_group, 0 },
	{ "ExecuteSPRemoveComputerFromTargetGroup",
	    ar_remove_computer_from_group, 0 },
	{ "ExecuteSPSearchEventHistory", ar_search_event_history, 0 },
	{ "ExecuteSPGetUpdateServerStatus", ar_update_server_status, 0 },
	{ "WsusdGetAuditLog", ar_get_audit_log, 0 },
	{ NULL, NULL, 0 }
};

/* The operation name in a SOAPAction of namespace ns, or NULL (len set). */
static const char *
ar_action_name(const char *action, const char *ns, size_t *len)
{
	size_t n, nslen = strlen(ns);

	if (action == NULL)
		return NULL;
	n = strnlen(action, LIMIT_SOAPACTION_BYTES);
	if (n >= 2 && action[0] == '"' && action[n - 1] == '"') {
		action++;
		n -= 2;
	}
	if (n <= nslen + 1 || strncmp(action, ns, nslen) != 0 ||
	    action[nslen] != '/')
		return NULL;
	*len = n - nslen - 1;
	return action + nslen + 1;
}

const struct ws_op *
apiremoting_op(const char *soapaction)
{
	const char *name;
	size_t len;

	if ((name = ar_action_name(soapaction, AR_NS_MON, &len)) != NULL)
		return len == 4 && memcmp(name, "Ping", 4) == 0 ?
		    &apiremoting_ops[4] : NULL;
	if ((name = ar_action_name(soapaction, AR_NS, &len)) == NULL)
		return NULL;
	for (const struct ws_op *op = apiremoting_ops; op->name != NULL; op++)
		if (strlen(op->name) == len && memcmp(op->name, name, len) == 0)
			return op;
	return NULL;
}

int
apiremoting_bad_request(struct ws_call *c, const char *why)
{
	return ar_fault(c, 1, "System.ArgumentException", "%s: the request was "
	    "refused before any parameter was read: %s", c->opname, why);
}

/* The embedded WSDL (wsdl_blob.S) this service is described by. */
extern const char wsdl_blob_apiremoting[], wsdl_blob_apiremoting_end[];

/* Does the WSDL declare operation (name, len)? */
static int
ar_wsdl_has(const char *name, size_t len)
{
	static const char pre[] = "<wsdl:operation name=\"";
	const char *p = wsdl_blob_apiremoting, *end = wsdl_blob_apiremoting_end;

	while ((p = memmem(p, (size_t)(end - p), pre, sizeof(pre) - 1)) != NULL) {
		p += sizeof(pre) - 1;
		if ((size_t)(end - p) > len && memcmp(p, name, len) == 0 &&
		    p[len] == '"')
			return 1;
	}
	return 0;
}

int
apiremoting_unimplemented(const struct ws_request *req, struct ws_response *resp)
{
	struct ws_call c;
	char op[128];
	const char *name;
	size_t len = 0;
	int rc;

	name = ar_action_name(req->soapaction, AR_NS, &len);
	if (name == NULL || len >= sizeof(op) || !ar_wsdl_has(name, len))
		return soap_fault_asmx(req->soapaction, resp);
	snprintf(op, sizeof(op), "%.*s", (int)len, name);
	memset(&c, 0, sizeof(c));
	c.req = req;
	c.resp = resp;
	c.opname = op;
	c.ns = AR_NS;
	c.style = SOAP_STYLE_ASMX;
	wbuf_init(&c.out, 1024);
	rc = ar_fault(&c, 0, "System.NotImplementedException", "%s is not "
	    "implemented by this server (wsusd answers the console subset; see "
	    "README, \"Web services: what answers today\")", op);
	wbuf_free(&c.out);
	return rc;
}
