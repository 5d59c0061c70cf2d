/*
 * ws.h - what server/ and webservices/ exchange: a SOAP request in, an
 * HTTP-ready answer out.  No libmicrohttpd, mbedTLS or SQLite types here.
 *
 * webservices/ owns the SOAP envelope, faults, the WSDLs it serves and one
 * file per web service.  It never touches sockets.
 */
#ifndef WSUSD_WS_H
#define WSUSD_WS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"   /* enum ws_service, struct config */

struct store;

/* What an authenticated admin-plane caller may do (server/auth.c decides;
 * a store account's role). */
enum ws_role {
	WS_ROLE_NONE          = 0,
	WS_ROLE_REPORTER      = 1,
	WS_ROLE_ADMINISTRATOR = 2,
};

struct ws_request {
	enum ws_service  service;
	const char      *soapaction;      /* raw header value (with quotes), or NULL */
	const char      *content_type;    /* or NULL */
	const uint8_t   *body;            /* request body, not NUL-terminated */
	size_t           body_len;
	int              is_tls;
	const char      *client_ip;       /* peer address, text */
	/* The advertised configuration at the time of the request. */
	const char      *content_url;     /* "http://fqdn:8530" */
	int64_t          config_gen;      /* configuration generation */
	time_t           config_changed;  /* when it last changed (GetConfig LastChange) */
	/* ApiRemoting30 only: who server/auth.c authenticated. */
	const char *account;  /* authenticated account, or NULL */
	int role;  /* enum ws_role: WS_ROLE_NONE 0, WS_ROLE_REPORTER 1, WS_ROLE_ADMINISTRATOR 2 */
};

struct ws_response {
	unsigned     status;              /* 200, 500, ... */
	const char  *content_type;        /* static string */
	const char  *cache_control;       /* static string */
	char        *body;                /* owned: free with ws_response_free */
	size_t       body_len;
	int          close;               /* answer with Connection: close */
	const char  *content_encoding;    /* static string, or NULL */
	unsigned     retry_after;         /* seconds for a Retry-After header; 0 = none */
};

/* services.c */

/*
 * ws_handle - run one SOAP request.  Fills *resp (the caller frees it with
 * ws_response_free).  Returns 0, or -1 on allocation failure (500).
 * Unknown SOAPActions get the ASMX "did not recognize" fault.
 */
int  ws_handle(const struct ws_request *req, struct ws_response *resp);
void ws_response_free(struct ws_response *resp);

/*
 * ws_body_cap - the largest request body (bytes) service s accepts for
 * the operation its SOAPAction header value names, decided before the
 * body is read: LIMIT_SOAP_BODY_PREAUTH_BYTES for the operations that
 * come before a cookie (GetConfig, GetCookie, GetAuthorizationCookie,
 * StartCategoryScan) and for RegisterComputer (one ComputerInfo), for an
 * unknown or missing SOAPAction and an unimplemented service;
 * LIMIT_SOAP_BODY_BYTES for the others (SyncUpdates, the extended info
 * calls, ReportEventBatch, ...).  The XML limits ws_handle applies agree.
 */
size_t ws_body_cap(enum ws_service s, const char *soapaction);

/*
 * ws_is_light - 1 if the operation is cheap and bounded whatever the
 * request (GetConfig, GetCookie, GetAuthorizationCookie: no catalogue,
 * no scan) and may run on the light service lane; 0 otherwise (and for
 * unknown SOAPActions, which are answered quickly anyway).
 */
int  ws_is_light(enum ws_service s, const char *soapaction);

/*
 * ws_busy - the answer when no service thread can take the request: the
 * WSUS ServerBusy fault (the agent retries later), HTTP 503 with
 * Retry-After LIMIT_RETRY_AFTER_S.  Fills *resp; 0 or -1 (out of memory).
 */
int  ws_busy(enum ws_service s, const char *soapaction, struct ws_response *resp);

/*
 * ws_init - load the cookie key (data_dir/cookie.key, created once, 0600)
 * and the server identity; remember data_dir for per-thread store handles
 * and the lifetime (seconds) of the cookies it issues.
 * Call once at start-up, before serving.  Returns 0 or -1 (logged).
 */
int  ws_init(const char *data_dir, unsigned cookie_lifetime);
void ws_shutdown(void);

/*
 * ws_settings_seed - copy wsusd.conf's targeting mode and event retention
 * into the store's settings (the targeting mode only while no admin API
 * call has set it), and log the settings in force.  Call once at
 * start-up, after store_open.  Returns 0 or -1 (logged).
 */
int  ws_settings_seed(struct store *st, const struct config *conf);

/* The service's path below the server URL, e.g. "ClientWebService/client.asmx". */
const char *ws_service_path(enum ws_service s);

/* encoding.c */

/*
 * ws_encode - compress resp's body in place for the request's
 * Accept-Encoding value (accept, may be NULL): xpress first (what a WUA
 * asks for), else gzip, none for small bodies.  *coding gets the
 * Content-Encoding to send, or NULL.  Returns 0 or -1 (body unchanged).
 */
int ws_encode(const char *accept, struct ws_response *resp, const char **coding);

/* soap.c */

/*
 * soap_fault_asmx - the SOAP 1.1 fault ASP.NET answers for a SOAPAction it
 * does not know ("Server did not recognize the value of HTTP Header
 * SOAPAction: X."), HTTP 500.  Returns 0 or -1.
 */
int soap_fault_asmx(const char *soapaction, struct ws_response *resp);


/* wsdl.c */

/*
 * wsdl_init - index the embedded WSDLs (where each soap:address location
 * value starts and ends).  Call once at start-up.  Returns 0 or -1.
 */
int wsdl_init(void);

/*
 * wsdl_render - the WSDL of service s with every soap:address and
 * soap12:address location set to base_url + "/" + ws_service_path(s).
 * base_url has no trailing slash (e.g. "https://wsus.example.com:8531").
 * Fills *resp (200, text/xml).  Returns 0 or -1.
 */
int wsdl_render(enum ws_service s, const char *base_url, struct ws_response *resp);

#endif
