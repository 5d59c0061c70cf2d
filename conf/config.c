/*
 * config.c - wsusd.conf: INI text -> struct config, through one table of keys.
 *
 * Owns: conf_keys[] (one row per option: section, name, type, bounds,
 * default, where the value lives in struct config), the line reader, the
 * one bounded number parser, the service names behind [ssl] require, the
 * default FQDN and the key-file secrecy check.
 *
 * Never: opens sockets or the store; logs (every failure goes back to the
 * caller as "NAME:LINE: reason" with the offending text quoted, to be
 * printed once where the context is); relies on a NUL terminator in the
 * input - config_parse works over (buf, len) and a NUL byte in it is an
 * error, so the fuzzer can feed it raw bytes.
 *
 * Syntax: "[section]", "key = value", "#" comments on a line of their own
 * or after whitespace at the end of one, blank lines; whitespace (space,
 * tab) around everything is trimmed, a CR before LF is dropped.  Values are
 * literal: no quotes, no escapes.  Unknown sections, unknown keys, a key
 * set twice and any control byte other than tab are errors.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "limits.h"
#include "log.h"

#define CONF_QUOTE_MAX   64   /* bytes of offending text quoted in a message */
#define CONF_WHY_MAX    512   /* a reason, before the NAME:LINE prefix */
#define CONF_LABEL_MAX   63   /* bytes in one DNS label, RFC 1035 */
#define CONF_WORKERS_MAX 64   /* TLS worker threads */
#define CONF_SERVICE_THREADS_MAX 256  /* service threads of the heavy lane */
#define CONF_NTLM_DOMAIN_MAX 15      /* bytes of a NetBIOS domain name */
#define CONF_RETENTION_DAYS_MAX 36500  /* event retention, days (the schema's bound) */
#define CONF_REGISTRATIONS_MAX 1000000 /* registrations_per_address */

/* A number macro as text, for defaults taken from limits.h. */
#define CONF_STR2(x) #x
#define CONF_STR(x)  CONF_STR2(x)

/* Not ULONG_MAX: built with -Iserver (fuzz_config), <limits.h> is ours. */
#define CONF_ULONG_MAX  ((unsigned long)-1)

/* Quote at most CONF_QUOTE_MAX bytes of (s, n); pair with "\"%.*s%s\"". */
#define CONF_Q(s, n)							\
	(int)((n) > CONF_QUOTE_MAX ? CONF_QUOTE_MAX : (n)), (s),	\
	((n) > CONF_QUOTE_MAX ? "..." : "")

/* --- small pure helpers (ASCII only: no locale) ----------------------- */

static int
conf_is_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

static int
conf_is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static char
conf_lower(char ch)
{
	return (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
}

/* conf_eq - (s, n) equals the C string word exactly. */
static int
conf_eq(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(s, word, n) == 0;
}

/* conf_eq_ci - as conf_eq, ignoring ASCII case. */
static int
conf_eq_ci(const char *s, size_t n, const char *word)
{
	if (strlen(word) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (conf_lower(s[i]) != conf_lower(word[i]))
			return 0;
	return 1;
}

/* conf_trim - narrow (*s, *n) past leading and trailing spaces and tabs. */
static void
conf_trim(const char **s, size_t *n)
{
	while (*n > 0 && conf_is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && conf_is_space((*s)[*n - 1]))
		(*n)--;
}

/*
 * conf_uncomment - length of (s, n) without a trailing comment: a '#' that
 * follows a space or tab.  A '#' glued to text stays part of the value.
 */
static size_t
conf_uncomment(const char *s, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (s[i] == '#' && conf_is_space(s[i - 1]))
			return i;
	return n;
}

/* conf_cat - append word to the C string in buf (len bytes), truncating. */
static void
conf_cat(char *buf, size_t len, const char *word)
{
	size_t have = strnlen(buf, len), add = strlen(word);

	if (have + 1 >= len)
		return;
	if (add > len - have - 1)
		add = len - have - 1;
	memcpy(buf + have, word, add);
	buf[have + add] = '\0';
}

/* conf_errf - snprintf into err unless it is NULL or empty. */
static void conf_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
conf_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * conf_number - the one number parser: (s, n) as an unsigned decimal in
 * [min, max].  Rejects empty input, a sign, any non-digit (so "0x10",
 * " 1", "1.5"), a leading zero (octal reading) and overflow.  Returns 0 with
 * *out set, or -1 with the reason in why.
 */
static int
conf_number(const char *s, size_t n, unsigned long min, unsigned long max,
    unsigned long *out, char *why, size_t whylen)
{
	unsigned long v = 0;

	if (n == 0) {
		conf_errf(why, whylen, "empty value; expected a number in "
		    "%lu..%lu", min, max);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!conf_is_digit(s[i])) {
			conf_errf(why, whylen, "\"%.*s%s\" is not a decimal "
			    "number", CONF_Q(s, n));
			return -1;
		}
	}
	if (n > 1 && s[0] == '0') {
		conf_errf(why, whylen, "\"%.*s%s\" has a leading zero",
		    CONF_Q(s, n));
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (v > (CONF_ULONG_MAX - d) / 10) {
			conf_errf(why, whylen, "\"%.*s%s\" overflows; expected "
			    "%lu..%lu", CONF_Q(s, n), min, max);
			return -1;
		}
		v = v * 10 + d;
	}
	if (v < min || v > max) {
		conf_errf(why, whylen, "\"%.*s%s\" is out of range %lu..%lu",
		    CONF_Q(s, n), min, max);
		return -1;
	}
	*out = v;
	return 0;
}

/* --- validators for string keys: check, and normalise in place -------- */

/*
 * conf_check_ntlm_domain - [admin] ntlm_domain: a NetBIOS domain name as
 * NTLM clients send it, 1..15 bytes of letters, digits, '-' and '_'.  It
 * is written into the ntlm-users file as "DOMAIN\\name", so nothing
 * that file's format or a shell treats specially (':', '\\', space).
 * Kept as written: gss-ntlmssp compares the domain case-sensitively.
 */
static int
conf_check_ntlm_domain(char *s, char *why, size_t whylen)
{
	size_t len = strlen(s);

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')) {
			conf_errf(why, whylen, "\"%.*s%s\": a NetBIOS domain "
			    "name is letters, digits, '-' and '_'",
			    CONF_Q(s, len));
			return -1;
		}
	}
	return 0;
}

/*
 * conf_check_fqdn - s must be a DNS name: 1..LIMIT_FQDN_BYTES bytes of
 * dot-separated labels, each 1..63 bytes of [A-Za-z0-9-] that neither
 * starts nor ends with '-'.  No trailing dot (the name goes into URLs and
 * is compared with Host headers).  Lowercases s.  Returns 0 or -1 + why.
 */
static int
conf_check_fqdn(char *s, char *why, size_t whylen)
{
	size_t len = strlen(s), label = 0;

	if (len == 0 || len > LIMIT_FQDN_BYTES) {
		conf_errf(why, whylen, "\"%.*s%s\" is not 1..%d bytes long",
		    CONF_Q(s, len), LIMIT_FQDN_BYTES);
		return -1;
	}
	for (size_t i = 0; i <= len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.' || ch == '\0') {
			if (label == 0) {
				conf_errf(why, whylen, "\"%.*s%s\" has an "
				    "empty label", CONF_Q(s, len));
				return -1;
			}
			if (s[i - 1] == '-') {
				conf_errf(why, whylen, "\"%.*s%s\": a label "
				    "ends with \"-\"", CONF_Q(s, len));
				return -1;
			}
			label = 0;
			continue;
		}
		if (ch == '-' && label == 0) {
			conf_errf(why, whylen, "\"%.*s%s\": a label starts "
			    "with \"-\"", CONF_Q(s, len));
			return -1;
		}
		if (ch != '-' && !conf_is_digit((char)ch) &&
		    !(conf_lower((char)ch) >= 'a' && conf_lower((char)ch) <= 'z')) {
			conf_errf(why, whylen, "\"%.*s%s\": byte 0x%02x is not "
			    "a letter, digit, \"-\" or \".\"", CONF_Q(s, len),
			    ch);
			return -1;
		}
		if (++label > CONF_LABEL_MAX) {
			conf_errf(why, whylen, "\"%.*s%s\": a label is longer "
			    "than %d bytes", CONF_Q(s, len), CONF_LABEL_MAX);
			return -1;
		}
		s[i] = conf_lower((char)ch);
	}
	return 0;
}

/*
 * conf_check_bind - s must be empty, "*" (both mean every address; stored
 * as "") or an IPv4/IPv6 literal that inet_pton accepts.  No names: they
 * would need DNS at start-up.  Returns 0 or -1 + why.
 */
static int
conf_check_bind(char *s, char *why, size_t whylen)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (strcmp(s, "*") == 0)
		s[0] = '\0';
	if (s[0] == '\0' || inet_pton(AF_INET, s, &a4) == 1 ||
	    inet_pton(AF_INET6, s, &a6) == 1)
		return 0;
	conf_errf(why, whylen, "\"%.*s%s\" is not an IPv4 or IPv6 address "
	    "or \"*\"", CONF_Q(s, strlen(s)));
	return -1;
}

/* --- the tables ------------------------------------------------------- */

/* Names [ssl] require accepts; the first WS_NSERVICES rows in enum order. */
static const struct conf_service {
	const char	*name;
	unsigned	 bit;
} conf_services[] = {
	[WS_CLIENT]      = { "ClientWebService",     1u << WS_CLIENT },
	[WS_SIMPLEAUTH]  = { "SimpleAuthWebService", 1u << WS_SIMPLEAUTH },
	[WS_REPORTING]   = { "ReportingWebService",  1u << WS_REPORTING },
	[WS_DSSAUTH]     = { "DssAuthWebService",    1u << WS_DSSAUTH },
	[WS_SERVERSYNC]  = { "ServerSyncWebService", 1u << WS_SERVERSYNC },
	[WS_APIREMOTING] = { "ApiRemoting30",        1u << WS_APIREMOTING },
	{ "Content",    SSLREQ_CONTENT },
	{ "Inventory",  SSLREQ_INVENTORY },
	{ "SelfUpdate", SSLREQ_SELFUPDATE },
};
#define CONF_NSERVICES (sizeof(conf_services) / sizeof(conf_services[0]))

static const char *const conf_sections[] = { "server", "tls", "ssl", "admin" };
#define CONF_NSECTIONS (sizeof(conf_sections) / sizeof(conf_sections[0]))

/* [server] targeting: WSUS's two ways of placing computers in groups. */
static const char *const conf_targeting[] = { "server", "client", NULL };

/* [admin] basic and channel_binding. */
static const char *const conf_noyes[] = { "no", "yes", NULL };
static const char *const conf_cb[] = { "accept", "require", "off", NULL };

/* Spelled as log.c spells them, so log_level_from_name() takes the value. */
static const char *const conf_log_levels[] = {
	"error", "warning", "info", "debug", NULL
};

enum conf_type { CT_STRING, CT_PATH, CT_PORT, CT_UINT, CT_ENUM, CT_SERVICES };

/*
 * One option.  min/max bound the value for numbers and the length in bytes
 * for strings and paths.  def is the default as it would be written in the
 * file (applied through the same setter), NULL if computed at run time.
 */
struct conf_key {
	const char		*section;
	const char		*name;
	enum conf_type		 type;
	unsigned long		 min, max;
	const char		*def;
	size_t			 off, size;      /* field in struct config */
	const char *const	*choices;       /* CT_ENUM: NULL-terminated */
	int			(*check)(char *, char *, size_t); /* CT_STRING */
};

#define CONF_FIELD(f) \
	offsetof(struct config, f), sizeof(((struct config *)0)->f)

#define CONF_SSL_DEFAULT "ApiRemoting30 ClientWebService DssAuthWebService " \
	"ServerSyncWebService SimpleAuthWebService"

/* section, name, type, min, max, default, field, choices, check */
static const struct conf_key conf_keys[] = {
	{ "server", "fqdn", CT_STRING, 1, LIMIT_FQDN_BYTES, NULL,
	  CONF_FIELD(fqdn), NULL, conf_check_fqdn },
	{ "server", "bind", CT_STRING, 0, CONF_NAME_MAX - 1, "",
	  CONF_FIELD(bind), NULL, conf_check_bind },
	{ "server", "http_port", CT_PORT, 1, 65535, "8530",
	  CONF_FIELD(http_port), NULL, NULL },
	{ "server", "https_port", CT_PORT, 1, 65535, "8531",
	  CONF_FIELD(https_port), NULL, NULL },
	{ "server", "data_dir", CT_PATH, 1, CONF_PATH_MAX - 1, "/var/lib/wsusd",
	  CONF_FIELD(data_dir), NULL, NULL },
	{ "server", "log_level", CT_ENUM, 0, 0, "info",
	  CONF_FIELD(log_level), conf_log_levels, NULL },
	{ "server", "workers", CT_UINT, 0, CONF_WORKERS_MAX, "0",
	  CONF_FIELD(workers), NULL, NULL },
	{ "server", "service_threads", CT_UINT, 1, CONF_SERVICE_THREADS_MAX, "4",
	  CONF_FIELD(service_threads), NULL, NULL },
	{ "server", "cookie_lifetime", CT_UINT, 1, 7 * 86400, "3600",
	  CONF_FIELD(cookie_lifetime), NULL, NULL },
	{ "server", "targeting", CT_ENUM, 0, 0, "server",
	  CONF_FIELD(targeting), conf_targeting, NULL },
	{ "server", "event_retention_workstation_days", CT_UINT, 1,
	  CONF_RETENTION_DAYS_MAX, "15", CONF_FIELD(event_days_workstation),
	  NULL, NULL },
	{ "server", "event_retention_server_days", CT_UINT, 1,
	  CONF_RETENTION_DAYS_MAX, "90", CONF_FIELD(event_days_server),
	  NULL, NULL },
	{ "server", "registrations_per_address", CT_UINT, 1,
	  CONF_REGISTRATIONS_MAX, CONF_STR(LIMIT_REGISTRATIONS_PER_ADDR),
	  CONF_FIELD(registrations_per_address), NULL, NULL },
	{ "tls", "cert", CT_PATH, 0, CONF_PATH_MAX - 1, "",
	  CONF_FIELD(cert), NULL, NULL },
	{ "tls", "key", CT_PATH, 0, CONF_PATH_MAX - 1, "",
	  CONF_FIELD(key), NULL, NULL },
	{ "tls", "next_cert", CT_PATH, 0, CONF_PATH_MAX - 1, "",
	  CONF_FIELD(next_cert), NULL, NULL },
	{ "ssl", "require", CT_SERVICES, 0, 0, CONF_SSL_DEFAULT,
	  CONF_FIELD(ssl_require), NULL, NULL },
	{ "admin", "ntlm_domain", CT_STRING, 1, CONF_NTLM_DOMAIN_MAX, "WSUSD",
	  CONF_FIELD(ntlm_domain), NULL, conf_check_ntlm_domain },
	{ "admin", "keytab", CT_PATH, 0, CONF_PATH_MAX - 1, "",
	  CONF_FIELD(admin_keytab), NULL, NULL },
	{ "admin", "basic", CT_ENUM, 0, 0, "no",
	  CONF_FIELD(admin_basic), conf_noyes, NULL },
	{ "admin", "channel_binding", CT_ENUM, 0, 0, "accept",
	  CONF_FIELD(admin_channel_binding), conf_cb, NULL },
};
#define CONF_NKEYS (sizeof(conf_keys) / sizeof(conf_keys[0]))

/*
 * conf_find - the row for key (k, n) in section (NULL: any section), or
 * NULL.  Names are case-sensitive, as documented in wsusd.conf.
 */
static const struct conf_key *
conf_find(const char *section, const char *k, size_t n)
{
	for (size_t i = 0; i < CONF_NKEYS; i++)
		if ((section == NULL || strcmp(section, conf_keys[i].section)
		    == 0) && conf_eq(k, n, conf_keys[i].name))
			return &conf_keys[i];
	return NULL;
}

/* conf_index - the row number of a key this file names; it must exist. */
static size_t
conf_index(const char *section, const char *name)
{
	const struct conf_key *k = conf_find(section, name, strlen(name));

	if (k == NULL)
		fatalx("%s: no key %s in [%s]", __func__, name, section);
	return (size_t)(k - conf_keys);
}

/*
 * --- setters: one per type ------------------------------------------------
 *
 * Contract shared by every setter: (v, n) is the trimmed value, free of NUL
 * and control bytes; field points at the row's member of struct config
 * (k->size bytes); base is the directory for relative paths, or NULL.
 * Returns 0 with the field written, or -1 with the reason (offending text
 * quoted) in why.  A setter never writes past k->size, and may leave the
 * field half-written on failure: config_parse discards the whole struct.
 */

/*
 * conf_length - check n against the row's length bounds and field size
 * (whichever is tighter), so that the copy that follows always fits with
 * its NUL.  min > 0 means the key may not be empty.
 */
static int
conf_length(const struct conf_key *k, const char *v, size_t n, char *why,
    size_t whylen)
{
	if (n < k->min) {
		conf_errf(why, whylen, "empty value");
		return -1;
	}
	if (n > k->max || n >= k->size) {
		conf_errf(why, whylen, "\"%.*s%s\" is longer than %lu bytes",
		    CONF_Q(v, n), k->max < k->size ? k->max : k->size - 1);
		return -1;
	}
	return 0;
}

/* CT_STRING: copy, then the row's validator may refuse or normalise it. */
static int
conf_set_string(const struct conf_key *k, void *field, const char *base,
    const char *v, size_t n, char *why, size_t whylen)
{
	char *dst = field;

	(void)base;
	if (conf_length(k, v, n, why, whylen) == -1)
		return -1;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return k->check == NULL ? 0 : k->check(dst, why, whylen);
}

/*
 * CT_PATH: a relative path is joined to base (the config file's directory)
 * with one '/', and the joined length is what the bounds apply to.  Empty
 * stays empty (an unset cert/key), whatever base is.  Paths are not
 * normalised or checked for existence: the user of each path does that.
 */
static int
conf_set_path(const struct conf_key *k, void *field, const char *base,
    const char *v, size_t n, char *why, size_t whylen)
{
	char *dst = field;
	size_t blen = 0, sep = 0;

	if (conf_length(k, v, n, why, whylen) == -1)
		return -1;
	if (n > 0 && v[0] != '/' && base != NULL && base[0] != '\0') {
		blen = strlen(base);
		sep = base[blen - 1] != '/';
	}
	if (blen + sep + n > k->max || blen + sep + n >= k->size) {
		conf_errf(why, whylen, "\"%.*s%s\" joined to \"%.*s%s\" is "
		    "longer than %lu bytes", CONF_Q(v, n),
		    CONF_Q(blen ? base : "", blen), k->max);
		return -1;
	}
	if (blen > 0)
		memcpy(dst, base, blen);
	if (sep)
		dst[blen] = '/';
	memcpy(dst + blen + sep, v, n);
	dst[blen + sep + n] = '\0';
	return 0;
}

/* CT_PORT and CT_UINT: the row's min..max fit in unsigned. */
static int
conf_set_uint(const struct conf_key *k, void *field, const char *base,
    const char *v, size_t n, char *why, size_t whylen)
{
	unsigned long u;

	(void)base;
	if (conf_number(v, n, k->min, k->max, &u, why, whylen) == -1)
		return -1;
	*(unsigned *)field = (unsigned)u;
	return 0;
}

/* CT_ENUM: matched ignoring case; stored in the table's spelling so that
 * later comparisons can be exact. */
static int
conf_set_enum(const struct conf_key *k, void *field, const char *base,
    const char *v, size_t n, char *why, size_t whylen)
{
	char *dst = field;

	(void)base;
	for (size_t i = 0; k->choices[i] != NULL; i++) {
		if (conf_eq_ci(v, n, k->choices[i])) {
			snprintf(dst, k->size, "%s", k->choices[i]);
			return 0;
		}
	}
	conf_errf(why, whylen, "\"%.*s%s\" is not one of", CONF_Q(v, n));
	for (size_t i = 0; k->choices[i] != NULL; i++) {
		conf_cat(why, whylen, i == 0 ? " " : "|");
		conf_cat(why, whylen, k->choices[i]);
	}
	return -1;
}

/*
 * CT_SERVICES: space/tab-separated names from conf_services[], matched
 * ignoring case, ORed into a mask; empty means none, a name given twice is
 * harmless.  The first unknown name is quoted, with the known ones listed.
 */
static int
conf_set_services(const struct conf_key *k, void *field, const char *base,
    const char *v, size_t n, char *why, size_t whylen)
{
	unsigned mask = 0;
	size_t i = 0;

	(void)k;
	(void)base;
	while (i < n) {
		size_t start, j;

		while (i < n && conf_is_space(v[i]))
			i++;
		if (i == n)
			break;
		for (start = i; i < n && !conf_is_space(v[i]); i++)
			;
		for (j = 0; j < CONF_NSERVICES; j++)
			if (conf_eq_ci(v + start, i - start,
			    conf_services[j].name))
				break;
		if (j == CONF_NSERVICES) {
			conf_errf(why, whylen, "unknown service \"%.*s%s\"; "
			    "known:", CONF_Q(v + start, i - start));
			for (j = 0; j < CONF_NSERVICES; j++) {
				conf_cat(why, whylen, " ");
				conf_cat(why, whylen, conf_services[j].name);
			}
			return -1;
		}
		mask |= conf_services[j].bit;
	}
	*(unsigned *)field = mask;
	return 0;
}

typedef int conf_setter(const struct conf_key *, void *, const char *,
    const char *, size_t, char *, size_t);

static conf_setter *const conf_setters[] = {
	[CT_STRING]   = conf_set_string,
	[CT_PATH]     = conf_set_path,
	[CT_PORT]     = conf_set_uint,
	[CT_UINT]     = conf_set_uint,
	[CT_ENUM]     = conf_set_enum,
	[CT_SERVICES] = conf_set_services,
};

/* conf_set - store (v, n) in row k's field of *c.  Returns 0 or -1 + why. */
static int
conf_set(const struct conf_key *k, struct config *c, const char *base,
    const char *v, size_t n, char *why, size_t whylen)
{
	return conf_setters[k->type](k, (char *)c + k->off, base, v, n, why,
	    whylen);
}

/* --- defaults --------------------------------------------------------- */

/*
 * conf_apply_defaults - zero *c, then run every row's default through its
 * setter.  fqdn (computed) is left empty.  A default the setter refuses is
 * a broken invariant: fatalx.
 */
static void
conf_apply_defaults(struct config *c)
{
	char why[CONF_WHY_MAX];

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < CONF_NKEYS; i++) {
		const struct conf_key *k = &conf_keys[i];

		if (k->def != NULL && conf_set(k, c, NULL, k->def,
		    strlen(k->def), why, sizeof(why)) == -1)
			fatalx("%s: default of %s: %s", __func__, k->name, why);
	}
}

/*
 * conf_fqdn_cached - config_default_fqdn(), looked up once per process so
 * that parsing (and the fuzzer) do not repeat a resolver call.  Not
 * thread-safe: configuration is read by one thread at a time.
 */
static void
conf_fqdn_cached(char *buf, size_t len)
{
	static char fqdn[CONF_NAME_MAX];

	if (fqdn[0] == '\0')
		config_default_fqdn(fqdn, sizeof(fqdn));
	snprintf(buf, len, "%s", fqdn);
}

void
config_defaults(struct config *c)
{
	conf_apply_defaults(c);
	conf_fqdn_cached(c->fqdn, sizeof(c->fqdn));
}

/* --- the line reader -------------------------------------------------- */

struct conf_parse {
	struct config	 c;            /* built here; copied out on success */
	const char	*name;         /* for messages */
	const char	*base_dir;     /* relative paths; may be NULL */
	char		*err;
	size_t		 errlen;
	unsigned	 line;         /* 1-based; 0 = the file as a whole */
	const char	*section;      /* current [section]; NULL before one */
	unsigned	 seen[CONF_NKEYS]; /* line each key was set on, 0 = not */
};

/* conf_fail - write "NAME:LINE: reason" into p->err; returns -1. */
static int conf_fail(struct conf_parse *p, unsigned line, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static int
conf_fail(struct conf_parse *p, unsigned line, const char *fmt, ...)
{
	char why[CONF_WHY_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	conf_errf(p->err, p->errlen, "%s:%u: %s", p->name, line, why);
	return -1;
}

/*
 * conf_section - a "[name]" line, already trimmed and uncommented; spaces
 * inside the brackets are allowed.  Makes name the current section; a
 * section may be opened again later (duplicate keys are still caught).
 */
static int
conf_section(struct conf_parse *p, const char *s, size_t n)
{
	const char *in;
	size_t inlen;

	if (n < 2 || s[n - 1] != ']')
		return conf_fail(p, p->line, "malformed section header "
		    "\"%.*s%s\"; expected \"[name]\"", CONF_Q(s, n));
	in = s + 1;
	inlen = n - 2;
	conf_trim(&in, &inlen);
	for (size_t i = 0; i < CONF_NSECTIONS; i++) {
		if (conf_eq(in, inlen, conf_sections[i])) {
			p->section = conf_sections[i];
			return 0;
		}
	}
	return conf_fail(p, p->line, "unknown section \"%.*s%s\"",
	    CONF_Q(s, n));
}

/*
 * conf_assign - a "key = value" line, already trimmed and uncommented.
 * The first '=' splits it, so values may contain '='.  Checks, in order:
 * shape, a current section, a known key (with a hint when the key exists
 * in another section), not set before, then the row's setter.
 */
static int
conf_assign(struct conf_parse *p, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n), *key = s, *val;
	const struct conf_key *k, *elsewhere;
	size_t klen, vlen;
	char why[CONF_WHY_MAX];

	if (eq == NULL)
		return conf_fail(p, p->line, "expected \"key = value\", got "
		    "\"%.*s%s\"", CONF_Q(s, n));
	klen = (size_t)(eq - s);
	val = eq + 1;
	vlen = n - klen - 1;
	conf_trim(&key, &klen);
	conf_trim(&val, &vlen);
	if (klen == 0)
		return conf_fail(p, p->line, "missing key before \"=\" in "
		    "\"%.*s%s\"", CONF_Q(s, n));
	if (p->section == NULL)
		return conf_fail(p, p->line, "key \"%.*s%s\" outside any "
		    "[section]", CONF_Q(key, klen));
	if ((k = conf_find(p->section, key, klen)) == NULL) {
		elsewhere = conf_find(NULL, key, klen);
		return conf_fail(p, p->line, "unknown key \"%.*s%s\" in "
		    "[%s]%s%s%s", CONF_Q(key, klen), p->section,
		    elsewhere ? " (it belongs in [" : "",
		    elsewhere ? elsewhere->section : "", elsewhere ? "])" : "");
	}
	if (p->seen[k - conf_keys] != 0)
		return conf_fail(p, p->line, "duplicate key \"%s\" in [%s] "
		    "(first set on line %u)", k->name, k->section,
		    p->seen[k - conf_keys]);
	p->seen[k - conf_keys] = p->line;
	if (conf_set(k, &p->c, p->base_dir, val, vlen, why, sizeof(why)) == -1)
		return conf_fail(p, p->line, "%s: %s", k->name, why);
	return 0;
}

/*
 * conf_line - one line without its LF.  Checks length and bytes before
 * anything else looks at it, so later steps see printable text and tabs.
 */
static int
conf_line(struct conf_parse *p, const char *s, size_t n)
{
	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (n > LIMIT_CONF_LINE_BYTES)
		return conf_fail(p, p->line, "line is %zu bytes, over the "
		    "limit of %d", n, LIMIT_CONF_LINE_BYTES);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\0')
			return conf_fail(p, p->line, "NUL byte at column %zu",
			    i + 1);
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return conf_fail(p, p->line, "control byte 0x%02x at "
			    "column %zu", ch, i + 1);
	}
	conf_trim(&s, &n);
	if (n == 0 || s[0] == '#')
		return 0;
	n = conf_uncomment(s, n);
	conf_trim(&s, &n);
	if (s[0] == '[')
		return conf_section(p, s, n);
	return conf_assign(p, s, n);
}

/*
 * conf_finish - checks across keys, and the computed default.  The port
 * clash is reported on the later of the two lines (0 if neither was set).
 */
static int
conf_finish(struct conf_parse *p)
{
	size_t http = conf_index("server", "http_port");
	size_t https = conf_index("server", "https_port");
	size_t fqdn = conf_index("server", "fqdn");

	if (p->c.http_port == p->c.https_port)
		return conf_fail(p, p->seen[http] > p->seen[https] ?
		    p->seen[http] : p->seen[https], "http_port and https_port "
		    "are both %u", p->c.http_port);
	if (p->seen[fqdn] == 0)
		conf_fqdn_cached(p->c.fqdn, sizeof(p->c.fqdn));
	return 0;
}

/* --- public ----------------------------------------------------------- */

/*
 * config_parse - see config.h.  Parses into a scratch struct so *c is only
 * written on success; the first error stops the parse.
 */
int
config_parse(struct config *c, const char *name, const char *base_dir,
    const char *buf, size_t len, char *err, size_t errlen)
{
	struct conf_parse p;
	size_t off = 0;

	/* err is cleared first so that success leaves it empty. */
	memset(&p, 0, sizeof(p));
	p.name = name != NULL ? name : "(config)";
	p.base_dir = base_dir;
	p.err = err;
	p.errlen = errlen;
	conf_errf(err, errlen, "%s", "");
	if (len > LIMIT_CONF_FILE_BYTES)
		return conf_fail(&p, 0, "file is %zu bytes, over the limit of "
		    "%u", len, LIMIT_CONF_FILE_BYTES);
	conf_apply_defaults(&p.c);
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t end = nl != NULL ? (size_t)(nl - buf) : len;

		p.line++;
		if (conf_line(&p, buf + off, end - off) == -1)
			return -1;
		off = nl != NULL ? end + 1 : len;
	}
	if (conf_finish(&p) == -1)
		return -1;
	/* Only a complete, checked config reaches the caller. */
	*c = p.c;
	return 0;
}

/*
 * config_load - see config.h.  The file must be regular and at most
 * LIMIT_CONF_FILE_BYTES (checked with fstat before allocating); relative
 * paths are joined to the realpath of its directory, so they survive a
 * later chdir.  I/O errors read "PATH:0: reason".
 */
int
config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL, *dir = NULL, *base = NULL;
	size_t got = 0, cap;
	int fd = -1, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		conf_errf(err, errlen, "%s:0: cannot open: %s", path,
		    strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == -1) {
		conf_errf(err, errlen, "%s:0: fstat: %s", path,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		conf_errf(err, errlen, "%s:0: not a regular file", path);
		goto out;
	}
	if (st.st_size > (off_t)LIMIT_CONF_FILE_BYTES) {
		conf_errf(err, errlen, "%s:0: file is %jd bytes, over the "
		    "limit of %u", path, (intmax_t)st.st_size,
		    LIMIT_CONF_FILE_BYTES);
		goto out;
	}
	/* One spare byte shows a file that grew after fstat. */
	cap = (size_t)st.st_size + 1;
	if ((buf = malloc(cap)) == NULL) {
		conf_errf(err, errlen, "%s:0: out of memory", path);
		goto out;
	}
	while (got < cap) {
		ssize_t r = read(fd, buf + got, cap - got);

		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			conf_errf(err, errlen, "%s:0: read: %s", path,
			    strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got > (size_t)st.st_size) {
		conf_errf(err, errlen, "%s:0: file changed while being read",
		    path);
		goto out;
	}
	if ((dir = strdup(path)) == NULL) {
		conf_errf(err, errlen, "%s:0: out of memory", path);
		goto out;
	}
	if ((base = realpath(dirname(dir), NULL)) == NULL) {
		conf_errf(err, errlen, "%s:0: cannot resolve its directory: %s",
		    path, strerror(errno));
		goto out;
	}
	rc = config_parse(c, path, base, buf, got, err, errlen);
out:
	if (fd != -1)
		close(fd);
	free(buf);
	free(dir);
	free(base);
	return rc;
}

/*
 * config_check_secrecy - see config.h.  Follows symlinks (the mode of the
 * target is what matters).  Like OpenBSD's check_file_secrecy it also
 * refuses a file owned by someone other than root or the effective user,
 * who could rewrite it.  Call it right before reading the key.
 */
int
config_check_secrecy(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		conf_errf(err, errlen, "key file \"%s\": %s", path,
		    strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		conf_errf(err, errlen, "key file \"%s\" is not a regular file",
		    path);
		return -1;
	}
	/* The owner can always chmod it back open, or swap the key. */
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		conf_errf(err, errlen, "key file \"%s\" is owned by uid %u, "
		    "not root or uid %u", path, (unsigned)st.st_uid,
		    (unsigned)geteuid());
		return -1;
	}
	if ((st.st_mode & 077) != 0) {
		conf_errf(err, errlen, "key file \"%s\" is %s by group or "
		    "others (mode %04o); chmod 600 it", path,
		    (st.st_mode & 044) ? "readable" : "writable",
		    (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

/* config_service_name - see config.h; conf_services[] is in enum order. */
const char *
config_service_name(enum ws_service s)
{
	if ((unsigned)s >= WS_NSERVICES)
		return NULL;
	return conf_services[s].name;
}

/*
 * config_ssl_require_str - see config.h.  Names come out in table (route)
 * order, whatever order the file gave; bits no name stands for are left
 * out.
 */
const char *
config_ssl_require_str(unsigned mask, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (mask == 0)
		conf_cat(buf, len, "(none)");
	for (size_t i = 0; i < CONF_NSERVICES; i++) {
		if ((mask & conf_services[i].bit) == 0)
			continue;
		if (buf[0] != '\0')
			conf_cat(buf, len, " ");
		conf_cat(buf, len, conf_services[i].name);
	}
	return buf;
}

/*
 * config_default_fqdn - see config.h.  Tries the canonical name of
 * gethostname(), then the bare host name, then "localhost"; takes the
 * first that passes the same check as a configured fqdn and fits.  May
 * block on the resolver: call at start-up.
 */
void
config_default_fqdn(char *buf, size_t len)
{
	char host[CONF_NAME_MAX], cand[CONF_NAME_MAX], why[CONF_WHY_MAX];
	struct addrinfo hints, *res = NULL;
	const char *tries[2] = { NULL, NULL };

	if (len == 0)
		return;
	if (gethostname(host, sizeof(host)) == -1)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_flags = AI_CANONNAME;
	if (host[0] != '\0' && getaddrinfo(host, NULL, &hints, &res) == 0 &&
	    res != NULL && res->ai_canonname != NULL)
		tries[0] = res->ai_canonname;
	/* A bare host name still beats "localhost" for URLs on the LAN. */
	tries[1] = host;
	snprintf(buf, len, "%s", "localhost");
	for (size_t i = 0; i < 2; i++) {
		if (tries[i] == NULL || strlen(tries[i]) >= len ||
		    strlen(tries[i]) >= sizeof(cand))
			continue;
		snprintf(cand, sizeof(cand), "%s", tries[i]);
		if (conf_check_fqdn(cand, why, sizeof(why)) == 0) {
			snprintf(buf, len, "%s", cand);
			break;
		}
	}
	if (res != NULL)
		freeaddrinfo(res);
}
