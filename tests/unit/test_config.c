/*
 * test_config.c - conf/config.c against tables of raw config text.
 *
 * Covers: defaults; good files (field values after parsing); every error
 * class with the line it must name and a substring of the reason; the
 * limits (line and file size) at and over the bound; config_load on the
 * shipped conf/wsusd.conf (run from the repository root), on missing and
 * non-regular files and with relative paths; the key-file secrecy check on
 * temporary files of several modes; the service-name helpers.
 * Every table row carries its __LINE__ so a failure names the case.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "limits.h"
#include "t.h"

/* A string literal as (pointer, length), so rows may embed NUL bytes. */
#define B(s) (s), sizeof(s) - 1

#define NAME "t.conf"    /* the name config_parse is given in every case */

/*
 * t_field - the value of key name in *c as text (numbers in decimal,
 * require through config_ssl_require_str), for comparing with a row.
 */
static const char *
t_field(const struct config *c, const char *name, char *buf, size_t len)
{
	static const struct { const char *name; size_t off; int num; } f[] = {
		{ "fqdn",       offsetof(struct config, fqdn),       0 },
		{ "bind",       offsetof(struct config, bind),       0 },
		{ "http_port",  offsetof(struct config, http_port),  1 },
		{ "https_port", offsetof(struct config, https_port), 1 },
		{ "data_dir",   offsetof(struct config, data_dir),   0 },
		{ "log_level",  offsetof(struct config, log_level),  0 },
		{ "workers",    offsetof(struct config, workers),    1 },
		{ "cert",       offsetof(struct config, cert),       0 },
		{ "key",        offsetof(struct config, key),        0 },
		{ "targeting",  offsetof(struct config, targeting),  0 },
		{ "event_retention_workstation_days",
		    offsetof(struct config, event_days_workstation), 1 },
		{ "event_retention_server_days",
		    offsetof(struct config, event_days_server), 1 },
		{ "registrations_per_address",
		    offsetof(struct config, registrations_per_address), 1 },
		{ "ntlm_domain", offsetof(struct config, ntlm_domain), 0 },
		{ "keytab", offsetof(struct config, admin_keytab), 0 },
		{ "basic", offsetof(struct config, admin_basic), 0 },
		{ "channel_binding", offsetof(struct config, admin_channel_binding), 0 },
	};

	if (strcmp(name, "require") == 0)
		return config_ssl_require_str(c->ssl_require, buf, len);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		const char *p = (const char *)c + f[i].off;

		if (strcmp(name, f[i].name) != 0)
			continue;
		if (f[i].num)
			snprintf(buf, len, "%u", *(const unsigned *)p);
		else
			snprintf(buf, len, "%s", p);
		return buf;
	}
	return "(no such field)";
}

static const char *const t_all_keys[] = {
	"fqdn", "bind", "http_port", "https_port", "data_dir", "log_level",
	"workers", "cert", "key", "require", "targeting",
	"event_retention_workstation_days", "event_retention_server_days",
	"registrations_per_address", "ntlm_domain", "keytab", "basic",
	"channel_binding",
};
#define T_NKEYS (sizeof(t_all_keys) / sizeof(t_all_keys[0]))

/* t_same - every field of a equals the same field of b. */
static void
t_same(int line, const struct config *a, const struct config *b)
{
	char x[1024], y[1024];

	for (size_t i = 0; i < T_NKEYS; i++)
		T_CHECK(line, strcmp(t_field(a, t_all_keys[i], x, sizeof(x)),
		    t_field(b, t_all_keys[i], y, sizeof(y))) == 0,
		    "%s: \"%s\" != \"%s\"", t_all_keys[i], x, y);
}

/* --- defaults --------------------------------------------------------- */

static const struct {
	int		 line;
	const char	*key, *want;
} defaults[] = {
	{ __LINE__, "bind",       "" },
	{ __LINE__, "http_port",  "8530" },
	{ __LINE__, "https_port", "8531" },
	{ __LINE__, "data_dir",   "/var/lib/wsusd" },
	{ __LINE__, "log_level",  "info" },
	{ __LINE__, "workers",    "0" },
	{ __LINE__, "cert",       "" },
	{ __LINE__, "targeting",  "server" },
	{ __LINE__, "event_retention_workstation_days", "15" },
	{ __LINE__, "event_retention_server_days", "90" },
	{ __LINE__, "registrations_per_address", "500" },
	{ __LINE__, "ntlm_domain", "WSUSD" },
	{ __LINE__, "keytab",     "" },
	{ __LINE__, "basic",      "no" },
	{ __LINE__, "channel_binding", "accept" },
	{ __LINE__, "key",        "" },
	{ __LINE__, "require",    "ClientWebService SimpleAuthWebService "
	    "DssAuthWebService ServerSyncWebService ApiRemoting30" },
};

static void
t_defaults(void)
{
	struct config c, e;
	char buf[1024], fq[CONF_NAME_MAX], err[512], text[600];
	int n;

	config_defaults(&c);
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		T_CHECK(defaults[i].line, strcmp(t_field(&c, defaults[i].key,
		    buf, sizeof(buf)), defaults[i].want) == 0,
		    "default %s: got \"%s\", want \"%s\"", defaults[i].key,
		    buf, defaults[i].want);

	/* An empty file gives exactly the defaults, computed fqdn included. */
	T_OK(config_parse(&e, NAME, NULL, "", 0, err, sizeof(err)) == 0,
	    "empty file: %s", err);
	t_same(__LINE__, &c, &e);

	/* The computed fqdn passes the parser's own check, and is lowercase. */
	config_default_fqdn(fq, sizeof(fq));
	T_OK(fq[0] != '\0', "default fqdn is empty");
	for (const char *p = fq; *p; p++)
		T_OK(!(*p >= 'A' && *p <= 'Z'), "fqdn \"%s\" not lowercase", fq);
	n = snprintf(text, sizeof(text), "[server]\nfqdn = %s\n", fq);
	T_OK(config_parse(&e, NAME, NULL, text, (size_t)n, err,
	    sizeof(err)) == 0 && strcmp(e.fqdn, fq) == 0,
	    "default fqdn \"%s\" does not parse: %s", fq, err);
	T_OK(strcmp(c.fqdn, fq) == 0, "config_defaults fqdn \"%s\" != \"%s\"",
	    c.fqdn, fq);

	/* Too small a buffer still gives a terminated string. */
	memset(fq, 'x', sizeof(fq));
	config_default_fqdn(fq, 4);
	T_OK(strlen(fq) < 4, "default fqdn overran a 4-byte buffer");
}

/* --- good files ------------------------------------------------------- */

struct kv { const char *key, *want; };

static const struct {
	int		 line;
	const char	*base;          /* base_dir for relative paths */
	const char	*text;
	size_t		 len;
	struct kv	 want[5];       /* fields to check; rest unchecked */
} goods[] = {
	{ __LINE__, NULL, B(""), { { "http_port", "8530" } } },
	{ __LINE__, NULL, B("\n\n# only a comment\n   # indented\n\t\n"),
	  { { "https_port", "8531" }, { "log_level", "info" } } },
	{ __LINE__, NULL, B(
	    "[server]\n"
	    "fqdn = wsus.example.com\n"
	    "bind = 192.0.2.10\n"
	    "http_port = 80\n"
	    "https_port = 443\n"
	    "data_dir = /srv/wsusd\n"
	    "log_level = debug\n"
	    "workers = 8\n"
	    "[tls]\n"
	    "cert = /etc/wsusd/c.pem\n"
	    "key = /etc/wsusd/k.pem\n"
	    "[ssl]\n"
	    "require = ClientWebService\n"),
	  { { "fqdn", "wsus.example.com" }, { "bind", "192.0.2.10" },
	    { "http_port", "80" }, { "https_port", "443" },
	    { "require", "ClientWebService" } } },
	{ __LINE__, NULL, B(
	    "[server]\ndata_dir = /srv/wsusd\nlog_level = debug\nworkers = 8\n"
	    "[tls]\ncert = /etc/wsusd/c.pem\nkey = /etc/wsusd/k.pem\n"),
	  { { "data_dir", "/srv/wsusd" }, { "log_level", "debug" },
	    { "workers", "8" }, { "cert", "/etc/wsusd/c.pem" },
	    { "key", "/etc/wsusd/k.pem" } } },
	/* Whitespace, comments, line endings. */
	{ __LINE__, NULL, B("  [server]  \n\thttp_port\t=\t80\t\n"),
	  { { "http_port", "80" } } },
	{ __LINE__, NULL, B("[ server ]\nhttp_port=81\n"),
	  { { "http_port", "81" } } },
	{ __LINE__, NULL, B("[server] # the main one\nhttp_port = 82 # plain\n"),
	  { { "http_port", "82" } } },
	{ __LINE__, NULL, B("[server]\ndata_dir = /srv/a#b\n"),
	  { { "data_dir", "/srv/a#b" } } },
	{ __LINE__, NULL, B("[server]\ndata_dir = /srv/a\t# tab, comment\n"),
	  { { "data_dir", "/srv/a" } } },
	{ __LINE__, NULL, B("[server]\r\nhttp_port = 83\r\n"),
	  { { "http_port", "83" } } },
	{ __LINE__, NULL, B("[server]\nhttp_port = 84"),
	  { { "http_port", "84" } } },
	{ __LINE__, NULL, B("[server]\nhttp_port = 1\n[tls]\n[server]\n"
	    "https_port = 2\n"),
	  { { "http_port", "1" }, { "https_port", "2" } } },
	/* Targeting and retention. */
	{ __LINE__, NULL, B("[server]\ntargeting = Client\n"
	    "event_retention_workstation_days = 1\n"
	    "event_retention_server_days = 36500\n"),
	  { { "targeting", "client" }, { "event_retention_workstation_days", "1" },
	    { "event_retention_server_days", "36500" } } },
	{ __LINE__, NULL, B("[server]\ntargeting = server\n"
	    "registrations_per_address = 1000000\n"),
	  { { "targeting", "server" }, { "registrations_per_address", "1000000" } } },
	/* Numbers at their bounds; ports may swap. */
	{ __LINE__, NULL, B("[server]\nhttp_port = 65535\nhttps_port = 1\n"),
	  { { "http_port", "65535" }, { "https_port", "1" } } },
	{ __LINE__, NULL, B("[server]\nhttp_port = 8531\nhttps_port = 8530\n"),
	  { { "http_port", "8531" }, { "https_port", "8530" } } },
	{ __LINE__, NULL, B("[server]\nworkers = 64\n"),
	  { { "workers", "64" } } },
	{ __LINE__, NULL, B("[server]\nworkers = 0\n"),
	  { { "workers", "0" } } },
	/* Enums and names ignore case and come back canonical. */
	{ __LINE__, NULL, B("[server]\nlog_level = WARNING\n"),
	  { { "log_level", "warning" } } },
	{ __LINE__, NULL, B("[server]\nlog_level = Error\n"),
	  { { "log_level", "error" } } },
	{ __LINE__, NULL, B("[server]\nfqdn = WSUS.Example.COM\n"),
	  { { "fqdn", "wsus.example.com" } } },
	{ __LINE__, NULL, B("[server]\nfqdn = wsus\n"),
	  { { "fqdn", "wsus" } } },
	{ __LINE__, NULL, B("[server]\nfqdn = a-b.0-9.x1\n"),
	  { { "fqdn", "a-b.0-9.x1" } } },
	{ __LINE__, NULL, B("[server]\nfqdn = "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b\n"),
	  { { "fqdn", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaa.b" } } },
	/* bind: "*", empty, v4, v6. */
	{ __LINE__, NULL, B("[server]\nbind = *\n"), { { "bind", "" } } },
	{ __LINE__, NULL, B("[server]\nbind =\n"), { { "bind", "" } } },
	{ __LINE__, NULL, B("[server]\nbind = 127.0.0.1\n"),
	  { { "bind", "127.0.0.1" } } },
	{ __LINE__, NULL, B("[server]\nbind = ::1\n"), { { "bind", "::1" } } },
	{ __LINE__, NULL, B("[server]\nbind = 2001:db8::8530\n"),
	  { { "bind", "2001:db8::8530" } } },
	/* [admin] ntlm_domain: kept as written (NTLMv2 compares it exactly). */
	{ __LINE__, NULL, B("[admin]\nntlm_domain = Corp-Lab_1\n"),
	  { { "ntlm_domain", "Corp-Lab_1" } } },
	/* [admin] keytab, basic, channel_binding (enums in table spelling). */
	{ __LINE__, NULL, B("[admin]\nkeytab = http.keytab\nbasic = YES\n"
	  "channel_binding = Require\n"), { { "keytab", "http.keytab" },
	  { "basic", "yes" }, { "channel_binding", "require" } } },
	{ __LINE__, NULL, B("[admin]\nchannel_binding = off\n"),
	  { { "channel_binding", "off" } } },
	/* [ssl] require: empty = none; case-insensitive; any spacing. */
	{ __LINE__, NULL, B("[ssl]\nrequire =\n"), { { "require", "(none)" } } },
	{ __LINE__, NULL, B("[ssl]\nrequire = # nothing\n"),
	  { { "require", "(none)" } } },
	{ __LINE__, NULL, B("[ssl]\nrequire = clientwebservice "
	    "SIMPLEAUTHWEBSERVICE\n"),
	  { { "require", "ClientWebService SimpleAuthWebService" } } },
	{ __LINE__, NULL, B("[ssl]\nrequire = content\tinventory  SelfUpdate\n"),
	  { { "require", "Content Inventory SelfUpdate" } } },
	{ __LINE__, NULL, B("[ssl]\nrequire = SelfUpdate Content Inventory "
	    "ApiRemoting30 ServerSyncWebService DssAuthWebService "
	    "ReportingWebService SimpleAuthWebService ClientWebService\n"),
	  { { "require", "ClientWebService SimpleAuthWebService "
	    "ReportingWebService DssAuthWebService ServerSyncWebService "
	    "ApiRemoting30 Content Inventory SelfUpdate" } } },
	{ __LINE__, NULL, B("[ssl]\nrequire = Content content CONTENT\n"),
	  { { "require", "Content" } } },
	/* Paths: relative ones join base_dir; absolute and empty do not. */
	{ __LINE__, "/etc/wsusd", B("[tls]\ncert = tls/c.pem\nkey = /k.pem\n"),
	  { { "cert", "/etc/wsusd/tls/c.pem" }, { "key", "/k.pem" } } },
	{ __LINE__, "/etc/wsusd/", B("[tls]\ncert = c.pem\nkey =\n"),
	  { { "cert", "/etc/wsusd/c.pem" }, { "key", "" } } },
	{ __LINE__, "/", B("[tls]\ncert = c.pem\n"), { { "cert", "/c.pem" } } },
	{ __LINE__, NULL, B("[tls]\ncert = c.pem\n"), { { "cert", "c.pem" } } },
	{ __LINE__, "/srv", B("[server]\ndata_dir = data\n"),
	  { { "data_dir", "/srv/data" } } },
	{ __LINE__, "/srv", B("[server]\ndata_dir = ./data\n"),
	  { { "data_dir", "/srv/./data" } } },
	/* Bytes >= 0x80 are allowed in paths. */
	{ __LINE__, NULL, B("[server]\ndata_dir = /srv/\xc3\xa9t\xc3\xa9\n"),
	  { { "data_dir", "/srv/\xc3\xa9t\xc3\xa9" } } },
};

static void
t_goods(void)
{
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		struct config c;
		char err[512] = "", buf[1024];
		int rc;

		rc = config_parse(&c, NAME, goods[i].base, goods[i].text,
		    goods[i].len, err, sizeof(err));
		T_CHECK(goods[i].line, rc == 0 && err[0] == '\0',
		    "rc %d: %s", rc, err);
		if (rc != 0)
			continue;
		for (size_t j = 0; j < 5 && goods[i].want[j].key; j++) {
			const struct kv *w = &goods[i].want[j];

			T_CHECK(goods[i].line, strcmp(t_field(&c, w->key, buf,
			    sizeof(buf)), w->want) == 0,
			    "%s: got \"%s\", want \"%s\"", w->key, buf,
			    w->want);
		}
	}
}

/* --- errors ----------------------------------------------------------- */

static const struct {
	int		 line;
	const char	*text;
	size_t		 len;
	unsigned	 eline;          /* line the message must name */
	const char	*esub;           /* a substring of the message */
} bads[] = {
	/* Structure. */
	{ __LINE__, B("[server]\nhtp_port = 1\n"), 2,
	  "unknown key \"htp_port\" in [server]" },
	{ __LINE__, B("[server]\ncert = c.pem\n"), 2,
	  "unknown key \"cert\" in [server] (it belongs in [tls])" },
	{ __LINE__, B("[server]\nHTTP_PORT = 1\n"), 2, "unknown key" },
	{ __LINE__, B("\n[srv]\n"), 2, "unknown section \"[srv]\"" },
	{ __LINE__, B("[Server]\n"), 1, "unknown section \"[Server]\"" },
	{ __LINE__, B("[]\n"), 1, "unknown section \"[]\"" },
	{ __LINE__, B("[server\n"), 1, "malformed section header \"[server\"" },
	{ __LINE__, B("[server] x\n"), 1, "malformed section header" },
	{ __LINE__, B("["), 1, "malformed section header" },
	{ __LINE__, B("http_port = 1\n"), 1,
	  "key \"http_port\" outside any [section]" },
	{ __LINE__, B("[server]\nhttp_port 80\n"), 2,
	  "expected \"key = value\", got \"http_port 80\"" },
	{ __LINE__, B("[server]\n# ok\nhttp_port\n"), 3, "expected \"key = value\"" },
	{ __LINE__, B("[server]\n = 80\n"), 2, "missing key before \"=\"" },
	{ __LINE__, B("[server]\nhttp_port = 1\nhttp_port = 2\n"), 3,
	  "duplicate key \"http_port\" in [server] (first set on line 2)" },
	{ __LINE__, B("[server]\nworkers = 1\n[tls]\n[server]\nworkers = 1\n"),
	  5, "duplicate key \"workers\" in [server] (first set on line 2)" },
	{ __LINE__, B("[ssl]\nrequire =\nrequire =\n"), 3, "duplicate key" },
	{ __LINE__, B("[admin]\nntlm_domain = CORP\\LAB\n"), 2,
	  "a NetBIOS domain name is letters, digits" },
	{ __LINE__, B("[admin]\nntlm_domain = ABCDEFGHIJKLMNOP\n"), 2,
	  "ntlm_domain" },
	{ __LINE__, B("[admin]\nntlm_domain =\n"), 2, "ntlm_domain" },
	{ __LINE__, B("[admin]\nbasic = maybe\n"), 2,
	  "basic: \"maybe\" is not one of no|yes" },
	{ __LINE__, B("[admin]\nchannel_binding = strict\n"), 2,
	  "is not one of accept|require|off" },
	{ __LINE__, B("[server]\ntargeting = group\n"), 2,
	  "targeting: \"group\" is not one of server|client" },
	{ __LINE__, B("[server]\nevent_retention_workstation_days = 0\n"), 2,
	  "is out of range 1..36500" },
	{ __LINE__, B("[server]\nevent_retention_server_days = 36501\n"), 2,
	  "is out of range 1..36500" },
	{ __LINE__, B("[server]\nregistrations_per_address = 0\n"), 2,
	  "is out of range 1..1000000" },
	{ __LINE__, B("[tls]\ntargeting = client\n"), 2,
	  "unknown key \"targeting\" in [tls] (it belongs in [server])" },
	/* Bytes. */
	{ __LINE__, B("[server]\nfqdn = a\0b\n"), 2, "NUL byte at column 9" },
	{ __LINE__, B("\0"), 1, "NUL byte at column 1" },
	{ __LINE__, B("# comment \0 hidden\n"), 1, "NUL byte" },
	{ __LINE__, B("[server]\nfqdn = a\x01\n"), 2, "control byte 0x01" },
	{ __LINE__, B("[server]\nfqdn = a\rb\n"), 2, "control byte 0x0d" },
	{ __LINE__, B("[server]\nfqdn = a\x7f\n"), 2, "control byte 0x7f" },
	{ __LINE__, B("[server]\nhttp_port = 80\r\r\n"), 2, "control byte 0x0d" },
	/* Numbers. */
	{ __LINE__, B("[server]\nhttp_port =\n"), 2,
	  "http_port: empty value; expected a number in 1..65535" },
	{ __LINE__, B("[server]\nhttp_port = 8o\n"), 2,
	  "\"8o\" is not a decimal number" },
	{ __LINE__, B("[server]\nhttp_port = x80\n"), 2, "not a decimal" },
	{ __LINE__, B("[server]\nhttp_port = -1\n"), 2, "not a decimal" },
	{ __LINE__, B("[server]\nhttp_port = +1\n"), 2, "not a decimal" },
	{ __LINE__, B("[server]\nhttp_port = 0x50\n"), 2, "not a decimal" },
	{ __LINE__, B("[server]\nhttp_port = 1.5\n"), 2, "not a decimal" },
	{ __LINE__, B("[server]\nhttp_port = 8 0\n"), 2, "not a decimal" },
	{ __LINE__, B("[server]\nhttp_port = 80#x\n"), 2,
	  "\"80#x\" is not a decimal" },
	{ __LINE__, B("[server]\nhttp_port = 080\n"), 2, "leading zero" },
	{ __LINE__, B("[server]\nhttp_port = 99999999999999999999\n"), 2,
	  "\"99999999999999999999\" overflows" },
	{ __LINE__, B("[server]\nworkers = 18446744073709551616\n"), 2,
	  "overflows" },
	{ __LINE__, B("[server]\nworkers = 18446744073709551615\n"), 2,
	  "out of range 0..64" },
	{ __LINE__, B("[server]\nhttp_port = 0\n"), 2,
	  "http_port: \"0\" is out of range 1..65535" },
	{ __LINE__, B("[server]\nhttps_port = 65536\n"), 2,
	  "https_port: \"65536\" is out of range 1..65535" },
	{ __LINE__, B("[server]\nworkers = 65\n"), 2,
	  "workers: \"65\" is out of range 0..64" },
	/* Ports must differ; the later line is named (0 if none is set). */
	{ __LINE__, B("[server]\nhttp_port = 8531\n"), 2,
	  "http_port and https_port are both 8531" },
	{ __LINE__, B("[server]\nhttps_port = 80\n\nhttp_port = 80\n"), 4,
	  "both 80" },
	{ __LINE__, B("[server]\nhttp_port = 80\nhttps_port = 80\n"), 3,
	  "both 80" },
	/* Strings. */
	{ __LINE__, B("[server]\nfqdn =\n"), 2, "fqdn: empty value" },
	{ __LINE__, B("[server]\nfqdn = -wsus.example.com\n"), 2,
	  "a label starts with \"-\"" },
	{ __LINE__, B("[server]\nfqdn = wsus-.example.com\n"), 2,
	  "a label ends with \"-\"" },
	{ __LINE__, B("[server]\nfqdn = wsus..example.com\n"), 2,
	  "\"wsus..example.com\" has an empty label" },
	{ __LINE__, B("[server]\nfqdn = wsus.example.com.\n"), 2,
	  "empty label" },
	{ __LINE__, B("[server]\nfqdn = .com\n"), 2, "empty label" },
	{ __LINE__, B("[server]\nfqdn = wsus_1.example.com\n"), 2,
	  "byte 0x5f is not a letter" },
	{ __LINE__, B("[server]\nfqdn = wsus example\n"), 2, "byte 0x20" },
	{ __LINE__, B("[server]\nfqdn = \xc3\xa9.example\n"), 2, "byte 0xc3" },
	{ __LINE__, B("[server]\nfqdn = "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b\n"),
	  2, "a label is longer than 63 bytes" },
	{ __LINE__, B("[server]\nbind = localhost\n"), 2,
	  "bind: \"localhost\" is not an IPv4 or IPv6 address" },
	{ __LINE__, B("[server]\nbind = 1.2.3\n"), 2, "not an IPv4" },
	{ __LINE__, B("[server]\nbind = [::1]\n"), 2, "not an IPv4" },
	{ __LINE__, B("[server]\nbind = 0.0.0.0:80\n"), 2, "not an IPv4" },
	{ __LINE__, B("[server]\ndata_dir =\n"), 2, "data_dir: empty value" },
	{ __LINE__, B("[server]\nlog_level = verbose\n"), 2,
	  "log_level: \"verbose\" is not one of error|warning|info|debug" },
	{ __LINE__, B("[server]\nlog_level = warn\n"), 2, "is not one of" },
	{ __LINE__, B("[server]\nlog_level =\n"), 2, "is not one of" },
	{ __LINE__, B("[ssl]\nrequire = ClientWebService Bogus\n"), 2,
	  "require: unknown service \"Bogus\"; known: ClientWebService" },
	{ __LINE__, B("[ssl]\nrequire = ClientWebServices\n"), 2,
	  "unknown service \"ClientWebServices\"" },
	{ __LINE__, B("[ssl]\nrequire = ClientWebService,Content\n"), 2,
	  "unknown service \"ClientWebService,Content\"" },
	{ __LINE__, B("[ssl]\nrequire = none\n"), 2, "unknown service \"none\"" },
	/* The first error wins. */
	{ __LINE__, B("[x]\n[y]\n"), 1, "unknown section \"[x]\"" },
	/* Long offending text is quoted, cut short. */
	{ __LINE__, B("[server]\nbind = 1111111111111111111111111111111111111111"
	    "11111111111111111111111111111111111111111111111111111111111111\n"),
	  2, "11111111...\" is not an IPv4" },
};

static void
t_bads(void)
{
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct config c, before;
		char err[512] = "", prefix[64];
		int rc;

		/* *c must be left untouched on failure. */
		memset(&c, 0xa5, sizeof(c));
		before = c;
		rc = config_parse(&c, NAME, "/base", bads[i].text, bads[i].len,
		    err, sizeof(err));
		snprintf(prefix, sizeof(prefix), NAME ":%u: ", bads[i].eline);
		T_CHECK(bads[i].line, rc == -1, "rc %d, want -1", rc);
		T_CHECK(bads[i].line, strncmp(err, prefix, strlen(prefix)) == 0,
		    "message \"%s\" does not start \"%s\"", err, prefix);
		T_CHECK(bads[i].line, strstr(err, bads[i].esub) != NULL,
		    "message \"%s\" lacks \"%s\"", err, bads[i].esub);
		T_CHECK(bads[i].line, memcmp(&c, &before, sizeof(c)) == 0,
		    "*c changed on failure");
	}
}

/* --- limits: built at run time ---------------------------------------- */

/*
 * t_line - "[server]\n" then a second line exactly n bytes long, made of
 * prefix padded with 'x', then tail.  Parse it; check rc and, if esub is
 * not NULL, that the message holds esub.
 */
static void
t_line(int line, const char *prefix, size_t n, const char *tail,
    int want_rc, const char *esub)
{
	size_t head = strlen("[server]\n"), pl = strlen(prefix);
	size_t tl = strlen(tail);
	char *buf = malloc(head + n + tl), err[512] = "";
	struct config c;
	int rc;

	if (buf == NULL) {
		T_CHECK(line, 0, "malloc");
		return;
	}
	memcpy(buf, "[server]\n", head);
	memcpy(buf + head, prefix, pl);
	memset(buf + head + pl, 'x', n - pl);
	memcpy(buf + head + n, tail, tl);
	rc = config_parse(&c, NAME, NULL, buf, head + n + tl, err, sizeof(err));
	T_CHECK(line, rc == want_rc, "line of %zu bytes: rc %d: %s", n, rc, err);
	if (esub != NULL)
		T_CHECK(line, strstr(err, esub) != NULL,
		    "message \"%s\" lacks \"%s\"", err, esub);
	free(buf);
}

static void
t_limits(void)
{
	static const char dd[] = "data_dir = /";
	struct config c;
	char err[512] = "", *big;
	char fq[LIMIT_FQDN_BYTES + 32], text[1024];
	size_t n;
	int rc;

	/* data_dir holds CONF_PATH_MAX - 1 bytes: its line is 11 + that. */
	t_line(__LINE__, dd, 11 + CONF_PATH_MAX - 1, "\n", 0, NULL);
	t_line(__LINE__, dd, 11 + CONF_PATH_MAX, "\n", -1,
	    NAME ":2: data_dir: \"/xxxx");
	t_line(__LINE__, dd, 11 + CONF_PATH_MAX, "\n", -1,
	    "xxx...\" is longer than 1023 bytes");
	/* A line may be LIMIT_CONF_LINE_BYTES long, CR and LF not counted. */
	t_line(__LINE__, "# ", LIMIT_CONF_LINE_BYTES, "\n", 0, NULL);
	t_line(__LINE__, "# ", LIMIT_CONF_LINE_BYTES, "", 0, NULL);
	t_line(__LINE__, "# ", LIMIT_CONF_LINE_BYTES, "\r\n", 0, NULL);
	t_line(__LINE__, dd, LIMIT_CONF_LINE_BYTES, "\n", -1, "longer than");
	t_line(__LINE__, "# ", LIMIT_CONF_LINE_BYTES + 1, "\n", -1,
	    NAME ":2: line is 4097 bytes, over the limit of 4096");
	t_line(__LINE__, "# ", LIMIT_CONF_LINE_BYTES + 1, "", -1,
	    "line is 4097");
	t_line(__LINE__, "# ", LIMIT_CONF_LINE_BYTES + 1, "\r\n", -1,
	    "line is 4097");

	/* A relative path that only overflows once joined to base_dir. */
	n = (size_t)snprintf(text, sizeof(text), "[tls]\ncert = %0*d\n", 600, 0);
	big = malloc(CONF_PATH_MAX);
	if (big != NULL) {
		memset(big, 'b', 500);
		big[0] = '/';
		big[500] = '\0';
		rc = config_parse(&c, NAME, big, text, n, err, sizeof(err));
		T_OK(rc == -1 && strstr(err, NAME ":2: cert: \"0000") &&
		    strstr(err, "joined to \"/bbb") &&
		    strstr(err, "longer than 1023 bytes"), "join: %s", err);
		free(big);
	}

	/* fqdn of exactly LIMIT_FQDN_BYTES (labels of 63) and one more. */
	memset(fq, 'a', LIMIT_FQDN_BYTES);
	fq[63] = fq[127] = fq[191] = '.';
	fq[LIMIT_FQDN_BYTES] = '\0';
	n = (size_t)snprintf(text, sizeof(text), "[server]\nfqdn = %s\n", fq);
	rc = config_parse(&c, NAME, NULL, text, n, err, sizeof(err));
	T_OK(rc == 0 && strcmp(c.fqdn, fq) == 0, "253-byte fqdn: %s", err);
	fq[LIMIT_FQDN_BYTES] = 'a';
	fq[LIMIT_FQDN_BYTES + 1] = '\0';
	n = (size_t)snprintf(text, sizeof(text), "[server]\nfqdn = %s\n", fq);
	rc = config_parse(&c, NAME, NULL, text, n, err, sizeof(err));
	T_OK(rc == -1 && strstr(err, NAME ":2: fqdn: \"aaaa") &&
	    strstr(err, "longer than 253 bytes"), "254-byte fqdn: %s", err);

	/* Whole file: exactly the limit parses; one byte more does not. */
	big = malloc(LIMIT_CONF_FILE_BYTES + 1);
	if (big == NULL) {
		T_OK(0, "malloc");
		return;
	}
	memset(big, '\n', LIMIT_CONF_FILE_BYTES + 1);
	rc = config_parse(&c, NAME, NULL, big, LIMIT_CONF_FILE_BYTES, err,
	    sizeof(err));
	T_OK(rc == 0, "file at the limit: %s", err);
	rc = config_parse(&c, NAME, NULL, big, LIMIT_CONF_FILE_BYTES + 1, err,
	    sizeof(err));
	T_OK(rc == -1 && strstr(err, NAME ":0: file is 1048577 bytes, over "
	    "the limit of 1048576"), "file over the limit: %s", err);
	free(big);

	/* Small, NULL and zero-length error buffers; NULL name. */
	rc = config_parse(&c, NAME, NULL, B("[x]"), err, 8);
	T_OK(rc == -1 && strcmp(err, "t.conf:") == 0, "err[8]: \"%s\"", err);
	rc = config_parse(&c, NAME, NULL, B("[x]"), NULL, 0);
	T_OK(rc == -1, "NULL err: rc %d", rc);
	err[0] = 'z';
	rc = config_parse(&c, NAME, NULL, B("[x]"), err, 0);
	T_OK(rc == -1 && err[0] == 'z', "errlen 0 wrote to err");
	rc = config_parse(&c, NULL, NULL, B("[x]"), err, sizeof(err));
	T_OK(rc == -1 && strncmp(err, "(config):1: ", 12) == 0,
	    "NULL name: \"%s\"", err);
	rc = config_parse(&c, NAME, NULL, NULL, 0, err, sizeof(err));
	T_OK(rc == 0, "NULL buffer of length 0: %s", err);
}

/* --- config_load ------------------------------------------------------ */

/* t_write - create dir/name with the given text and mode; 0 or -1. */
static int
t_write(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	int rc = 0;

	if (f == NULL)
		return -1;
	if (fputs(text, f) == EOF)
		rc = -1;
	if (fclose(f) == EOF)
		rc = -1;
	if (rc == 0 && chmod(path, mode) == -1)
		rc = -1;
	return rc;
}

static void
t_load(const char *dir)
{
	struct config c, d;
	char err[512] = "", path[512], want[1024], real[512];
	int rc;

	/* The shipped file parses and only repeats the defaults. */
	rc = config_load(&c, "conf/wsusd.conf", err, sizeof(err));
	T_OK(rc == 0, "conf/wsusd.conf: %s", err);
	if (rc == 0) {
		config_defaults(&d);
		t_same(__LINE__, &c, &d);
	}

	rc = config_load(&c, "conf/no-such.conf", err, sizeof(err));
	T_OK(rc == -1 && strstr(err, "conf/no-such.conf:0: cannot open: ") &&
	    strstr(err, strerror(ENOENT)), "missing file: %s", err);
	rc = config_load(&c, dir, err, sizeof(err));
	T_OK(rc == -1 && strstr(err, ":0: not a regular file"),
	    "directory: %s", err);

	/* Errors in a loaded file name the path given and the line. */
	snprintf(path, sizeof(path), "%s/bad.conf", dir);
	T_OK(t_write(path, "[server]\n\n\nhtp_port = 1\n", 0644) == 0,
	    "write %s", path);
	rc = config_load(&c, path, err, sizeof(err));
	snprintf(want, sizeof(want), "%s:4: unknown key \"htp_port\" in "
	    "[server]", path);
	T_OK(rc == -1 && strcmp(err, want) == 0, "bad.conf: \"%s\"", err);

	/* Relative paths are resolved against the file's real directory. */
	snprintf(path, sizeof(path), "%s/good.conf", dir);
	T_OK(t_write(path, "[tls]\ncert = c.pem\nkey = /abs/k.pem\n"
	    "[server]\ndata_dir = data\n", 0644) == 0, "write %s", path);
	rc = config_load(&c, path, err, sizeof(err));
	T_OK(rc == 0, "good.conf: %s", err);
	if (realpath(dir, real) == NULL)
		snprintf(real, sizeof(real), "%s", dir);
	snprintf(want, sizeof(want), "%s/c.pem", real);
	T_OK(rc == 0 && strcmp(c.cert, want) == 0, "cert \"%s\" != \"%s\"",
	    c.cert, want);
	T_OK(rc == 0 && strcmp(c.key, "/abs/k.pem") == 0, "key \"%s\"", c.key);
	snprintf(want, sizeof(want), "%s/data", real);
	T_OK(rc == 0 && strcmp(c.data_dir, want) == 0,
	    "data_dir \"%s\" != \"%s\"", c.data_dir, want);

	/* A file over the size limit is refused before it is read. */
	snprintf(path, sizeof(path), "%s/big.conf", dir);
	T_OK(t_write(path, "", 0644) == 0 &&
	    truncate(path, LIMIT_CONF_FILE_BYTES + 1) == 0, "make %s", path);
	rc = config_load(&c, path, err, sizeof(err));
	T_OK(rc == -1 && strstr(err, ":0: file is 1048577 bytes"),
	    "big.conf: %s", err);
}

/* --- key-file secrecy ------------------------------------------------- */

static const struct {
	int		 line;
	mode_t		 mode;
	int		 rc;
	const char	*esub;
} secrets[] = {
	{ __LINE__, 0600, 0, NULL },
	{ __LINE__, 0400, 0, NULL },
	{ __LINE__, 0700, 0, NULL },
	{ __LINE__, 0640, -1, "is readable by group or others (mode 0640); "
	    "chmod 600 it" },
	{ __LINE__, 0604, -1, "is readable by group or others (mode 0604)" },
	{ __LINE__, 0644, -1, "(mode 0644)" },
	{ __LINE__, 0620, -1, "is writable by group or others (mode 0620)" },
	{ __LINE__, 0602, -1, "is writable by group or others (mode 0602)" },
	{ __LINE__, 0610, -1, "(mode 0610)" },
	{ __LINE__, 0601, -1, "(mode 0601)" },
};

static void
t_secrecy(const char *dir)
{
	char path[512], link[512], err[512] = "";
	int rc;

	snprintf(path, sizeof(path), "%s/key.pem", dir);
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		if (t_write(path, "secret\n", secrets[i].mode) == -1) {
			T_CHECK(secrets[i].line, 0, "write %s: %s", path,
			    strerror(errno));
			continue;
		}
		err[0] = '\0';
		rc = config_check_secrecy(path, err, sizeof(err));
		T_CHECK(secrets[i].line, rc == secrets[i].rc,
		    "mode %04o: rc %d: %s", (unsigned)secrets[i].mode, rc, err);
		if (secrets[i].esub != NULL)
			T_CHECK(secrets[i].line, strstr(err, path) &&
			    strstr(err, secrets[i].esub),
			    "message \"%s\" lacks \"%s\"", err,
			    secrets[i].esub);
		unlink(path);
	}

	/* A symlink is judged by its target. */
	snprintf(link, sizeof(link), "%s/key-link.pem", dir);
	if (t_write(path, "secret\n", 0644) == 0 && symlink(path, link) == 0) {
		rc = config_check_secrecy(link, err, sizeof(err));
		T_OK(rc == -1 && strstr(err, "(mode 0644)"), "link: %s", err);
		chmod(path, 0600);
		rc = config_check_secrecy(link, err, sizeof(err));
		T_OK(rc == 0, "link to 0600: %s", err);
	} else
		T_OK(0, "symlink: %s", strerror(errno));
	unlink(link);
	unlink(path);

	rc = config_check_secrecy(dir, err, sizeof(err));
	T_OK(rc == -1 && strstr(err, "is not a regular file"), "dir: %s", err);
	rc = config_check_secrecy(path, err, sizeof(err));
	T_OK(rc == -1 && strstr(err, strerror(ENOENT)), "missing: %s", err);
}

/* --- names ------------------------------------------------------------ */

static const struct {
	int		 line;
	unsigned	 mask;
	const char	*want;
} masks[] = {
	{ __LINE__, 0, "(none)" },
	{ __LINE__, 1u << WS_CLIENT, "ClientWebService" },
	{ __LINE__, (1u << WS_APIREMOTING) | SSLREQ_SELFUPDATE,
	  "ApiRemoting30 SelfUpdate" },
	{ __LINE__, SSLREQ_CONTENT | SSLREQ_INVENTORY, "Content Inventory" },
	{ __LINE__, (1u << WS_REPORTING) | (1u << 20), "ReportingWebService" },
};

static void
t_names(void)
{
	static const char *const want[WS_NSERVICES] = {
		"ClientWebService", "SimpleAuthWebService",
		"ReportingWebService", "DssAuthWebService",
		"ServerSyncWebService", "ApiRemoting30",
	};
	char buf[256];

	for (int s = 0; s < WS_NSERVICES; s++) {
		const char *got = config_service_name((enum ws_service)s);

		T_OK(got != NULL && strcmp(got, want[s]) == 0,
		    "service %d: \"%s\"", s, got ? got : "(null)");
	}
	T_OK(config_service_name(WS_NSERVICES) == NULL, "WS_NSERVICES named");
	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++)
		T_CHECK(masks[i].line, strcmp(config_ssl_require_str(
		    masks[i].mask, buf, sizeof(buf)), masks[i].want) == 0,
		    "mask 0x%x: \"%s\", want \"%s\"", masks[i].mask, buf,
		    masks[i].want);
	/* Truncation keeps a terminated prefix. */
	config_ssl_require_str(1u << WS_CLIENT, buf, 7);
	T_OK(strcmp(buf, "Client") == 0, "truncated: \"%s\"", buf);
}

int
main(void)
{
	char dir[] = "/tmp/test_config.XXXXXX";

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	t_defaults();
	t_goods();
	t_bads();
	t_limits();
	t_load(dir);
	t_secrecy(dir);
	t_names();
	{
		const char *files[] = { "bad.conf", "good.conf", "big.conf" };
		char path[512];

		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
			unlink(path);
		}
		rmdir(dir);
	}
	return t_done("test_config");
}
