/*
 * config.h - wsusd.conf: an INI file ([section], key = value, # comments).
 * The one header of conf/, whose one file is config.c.
 *
 * Owns: the table of known keys (name, type, bounds, default), parsing a file
 * into struct config, and the secrecy check on key files.  Never opens
 * sockets or the store.  Unknown sections and keys are errors.
 */
#ifndef WSUSD_CONFIG_H
#define WSUSD_CONFIG_H

#include <stddef.h>

#define CONF_PATH_MAX   1024
#define CONF_NAME_MAX    256   /* >= LIMIT_FQDN_BYTES + 1 */

/* The six SOAP services, in route order; bit i of config.ssl_require. */
enum ws_service {
	WS_CLIENT,        /* ClientWebService */
	WS_SIMPLEAUTH,    /* SimpleAuthWebService */
	WS_REPORTING,     /* ReportingWebService */
	WS_DSSAUTH,       /* DssAuthWebService */
	WS_SERVERSYNC,    /* ServerSyncWebService */
	WS_APIREMOTING,   /* ApiRemoting30 */
	WS_NSERVICES
};

/* Non-SOAP virtual roots that [ssl] require may also name. */
#define SSLREQ_CONTENT     (1u << 8)
#define SSLREQ_INVENTORY   (1u << 9)
#define SSLREQ_SELFUPDATE  (1u << 10)

struct config {
	/* [server] */
	char     fqdn[CONF_NAME_MAX];      /* default: this machine's FQDN */
	char     bind[CONF_NAME_MAX];      /* default "" = all addresses */
	unsigned http_port;                /* default 8530 */
	unsigned https_port;               /* default 8531 */
	char     data_dir[CONF_PATH_MAX];  /* default "/var/lib/wsusd" */
	char     log_level[16];            /* error|warning|info|debug; default info */
	unsigned workers;                  /* TLS worker threads; 0 = one per CPU */
	unsigned service_threads;          /* threads running SOAP operations other than the light ones; 4 */
	unsigned cookie_lifetime;          /* seconds a client/authorization cookie lives; 3600 */
	char     targeting[8];             /* "server" (default) or "client": who places computers in groups */
	unsigned event_days_workstation;   /* days a workstation's events are kept; 15 */
	unsigned event_days_server;        /* days a server's events are kept; 90 */
	unsigned registrations_per_address; /* new computers per client address (IPv6 /64) per hour */
	/* [tls] */
	char     cert[CONF_PATH_MAX];      /* PEM, may carry the chain */
	char     key[CONF_PATH_MAX];       /* PEM private key, mode 0600 */
	char     next_cert[CONF_PATH_MAX]; /* PEM staged for pin-safe rotation; "" = none */
	/* [ssl] */
	unsigned ssl_require;              /* bitmask: 1<<enum ws_service | SSLREQ_* */
	/* [admin] */
	char     ntlm_domain[16];          /* NetBIOS domain NTLM clients name; "WSUSD" */
	char     admin_keytab[CONF_PATH_MAX];       /* HTTP/<fqdn> service keys; "" = no Kerberos/Negotiate */
	char     admin_basic[4];                    /* "no" (default) or "yes": Basic over TLS */
	char     admin_channel_binding[8];          /* "accept" (default), "require" or "off" */
};

/*
 * config_defaults - fill *c with every key's default.
 */
void config_defaults(struct config *c);

/*
 * config_load - parse the file at path into *c (defaults first).
 * Relative paths in the file are resolved against the file's directory.
 * Returns 0, or -1 with "PATH:LINE: reason" written into err (errlen bytes).
 */
int config_load(struct config *c, const char *path, char *err, size_t errlen);

/*
 * config_parse - as config_load, over an in-memory buffer (buf, len); name
 * is used in messages and base_dir to resolve relative paths (may be NULL:
 * they are then kept as written).  Pure: no I/O, except that the fqdn
 * default, when the text sets none, is looked up once per process and
 * cached.  *c is written only on success.  Used by the fuzzer and unit tests.
 */
int config_parse(struct config *c, const char *name, const char *base_dir,
    const char *buf, size_t len, char *err, size_t errlen);

/*
 * config_check_secrecy - refuse a key file that is not a regular file, is
 * owned by neither root nor the effective user, or that group or others
 * can read or write.  Returns 0 or -1 with the reason in err.
 */
int config_check_secrecy(const char *path, char *err, size_t errlen);

/* Service names as they appear in [ssl] require and in URLs; NULL if s is
 * out of range. */
const char *config_service_name(enum ws_service s);

/* Space-separated names of a ssl_require mask in canonical spelling, or
 * "(none)", for logs; written into buf (truncated to len) and returned. */
const char *config_ssl_require_str(unsigned mask, char *buf, size_t len);

/* This machine's FQDN (gethostname + canonical name); "localhost" fallback. */
void config_default_fqdn(char *buf, size_t len);

#endif
