/*
 * wua.h - private header of wsusclient, a Windows Update Agent stand-in
 * for verifying wsusd end to end: it scans, downloads, "installs" and
 * reports the way a native WUA does (MS-WUSP client side, shapes taken
 * from the real captures in tests/data/captures/wsus-rs/native-*).
 *
 * One banner per file.  Everything the client keeps between runs lives in
 * a state directory of small text files (see wua_state.c) so tests can
 * read and tamper with it; everything it receives is untrusted and
 * bounded by the WUA_* limits below.
 */
#ifndef WSUSD_WUA_H
#define WSUSD_WUA_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "xml.h"

/* --- wsusclient.c: main, options, the scan/install/report sequence ------ */

/*
 * The folder's second program, wsusadm (the admin console), shares no
 * code with wsusclient; its files declare themselves in wsusadm.h:
 *   wsusadm.c       main: options, password, exit codes
 *   wsusadm_cmd.c   the commands over ApiRemoting30
 *   wsusadm_http.c  libcurl transport, Negotiate/NTLM/Basic, SOAP faults
 *   wsusadm_diag.c  connection set-up and "cannot connect" diagnostics
 *   wsusadm_out.c   tables, JSON, GenericReadableRow cells
 */

/* --- limits (bytes, counts) ---------------------------------------------- */
#define WUA_BODY_MAX          (64u << 20) /* SOAP answer, raw and after xpress */
#define WUA_XML_DEPTH                 64  /* nesting in an answer or fragment */
#define WUA_XML_ELEMENTS         4000000  /* elements in one SOAP answer */
#define WUA_XML_TEXT          (16u << 20) /* character data of one element */
#define WUA_FRAG_MAX           (1u << 20) /* one metadata fragment */
#define WUA_FRAG_ELEMENTS         100000  /* elements in one fragment */
#define WUA_CACHE_MAX              50000  /* revisions the client remembers */
#define WUA_FILES_MAX                256  /* files of one update (with members) */
#define WUA_MEMBERS_MAX              256  /* bundle members of one update */
#define WUA_SYNC_ROUNDS              200  /* SyncUpdates calls in one scan */
#define WUA_RECOVERIES                 3  /* fault recoveries per operation */
#define WUA_EVENTS_PER_BATCH         500  /* ReportingEvent per ReportEventBatch */
#define WUA_RESOLVE_MAX               16  /* --resolve options */
#define WUA_LINE_MAX               65536  /* one line of a state file (before base64 core) */
#define WUA_STATE_FILE_MAX    (256u << 20)/* any state file read back */
#define WUA_CONTENT_MAX  (64ull << 30)    /* one content file */
#define WUA_RANGE_BYTES        (1u << 20) /* Range request size, as Delivery Optimization */
#define WUA_EVAL_DEPTH                32  /* applicability rule nesting evaluated */

#define WUA_UID_LEN 36                    /* canonical GUID text */

/* HRESULTs reported for failures (winerror.h WU_E_*). */
#define WUA_HR_HASH      ((int32_t)0x80246002)  /* WU_E_DM_INCORRECTFILEHASH */
#define WUA_HR_NOTDL     ((int32_t)0x80246007)  /* WU_E_DM_NOTDOWNLOADED */
#define WUA_HR_HTTP_BASE ((int32_t)0x80190000)  /* WU_E_PT_HTTP_STATUS_* | status */
/* ... and for a cabinet refused by the signature check (winerror.h). */
#define WUA_HR_SUBJECT_NOT_TRUSTED ((int32_t)0x800B0004) /* TRUST_E_SUBJECT_NOT_TRUSTED */
#define WUA_HR_NO_SIGNATURE        ((int32_t)0x800B0100) /* TRUST_E_NOSIGNATURE */
#define WUA_HR_CERT_EXPIRED        ((int32_t)0x800B0101) /* CERT_E_EXPIRED */
#define WUA_HR_UNTRUSTED_ROOT      ((int32_t)0x800B0109) /* CERT_E_UNTRUSTEDROOT */
#define WUA_HR_CERT_WRONG_USAGE    ((int32_t)0x800B0110) /* CERT_E_WRONG_USAGE */
#define WUA_HR_BAD_DIGEST          ((int32_t)0x80096010) /* TRUST_E_BAD_DIGEST */

/* --- data ------------------------------------------------------------------ */

/* One revision the client knows (the WUA data store, reduced). */
struct wua_rev {
	int64_t rid;                       /* server-local revision id */
	char    uid[WUA_UID_LEN + 1];      /* update id, lowercase */
	int     revnum;
	int     leaf;
	int     installed;                 /* IsInstalled evaluated true */
	int     needed;                    /* to download and install */
	int     fresh;                     /* received in this scan */
	char    action[16];                /* Deployment/Action */
	char   *core;                      /* Core fragment text (owned) */
};

struct wua_file {
	char     name[256];
	uint64_t size;
	uint8_t  sha1[20];
	uint8_t  sha256[32];
	int      has_sha256;
	char     url[1024];
};

/* One needed update, as written to DIR/updates. */
struct wua_update {
	int64_t          rid;
	char             uid[WUA_UID_LEN + 1];
	int              revnum;
	char             title[512];
	char           (*members)[WUA_UID_LEN + 1];  /* bundle member ids */
	int              nmembers;
	struct wua_file *files;
	int              nfiles;
};

enum wua_need { WUA_NEED_NONE, WUA_NEED_COOKIE, WUA_NEED_AUTH, WUA_NEED_CONFIG };

/* The client: options, connection, session and state. */
struct wua {
	/* options */
	const char *server;                /* https://FQDN:8531, no trailing '/' */
	const char *state;                 /* state directory */
	const char *ca, *pin, *group, *dns_name;
	const char *resolve[WUA_RESOLVE_MAX];
	int         nresolve;
	int         verbose;
	/* content signatures (wua_trust.c) */
	const char *trusted_publishers;    /* Trusted Publishers store (directory) */
	const char *trusted_root;          /* Trusted Root Certification Authorities */
	int         accept_trusted_publisher_certs;  /* the Group Policy setting */
	int         trust_check;           /* any of the three given: check .cab files */

	/* connection (wua_http.c) */
	void       *soap;                  /* CURL * reused for every SOAP call */
	void       *content;               /* CURL * for /Content/ */
	void       *resolve_list;          /* struct curl_slist * */
	int         tls_refused;           /* pinning / verification refused */

	/* session (wua_session.c) */
	char        client_id[WUA_UID_LEN + 1];
	enum wua_need need;
	int         need_register;
	int         have_config;
	int         reg_required;
	int         max_extended;
	char        last_change[64];
	char        auth_url[512];
	char        auth_plugin[64];
	char       *auth_data;             /* base64 CookieData (owned) */
	char        cookie_exp[64];        /* "" when no cookie */
	char       *cookie_data;           /* base64 EncryptedData (owned) */
	char        error[64];             /* last fault ErrorCode / failure */

	/* state (wua_state.c) */
	struct wua_rev    *revs;
	int                nrevs, caprevs;
	char             **registry, **installed;
	int                nregistry, ninstalled;
	struct wua_update *updates;
	int                nupdates;
};

/* An answer: parsed document, the operation's *Response element. */
struct wua_reply {
	struct xml_doc  *doc;
	struct xml_node *resp;             /* <OpResponse> */
	char             fault[64];        /* ErrorCode of a SOAP fault */
};

/* --- wua_http.c: libcurl, SOAP transport, content GETs ---------------------- */
int  wua_http_init(struct wua *w);
void wua_http_free(struct wua *w);
/*
 * wua_http_soap - POST the envelope around body (the operation element's
 * children) as a native WUA does, decode xpress, parse under the WUA_*
 * limits.  0: r->doc/r->resp set (caller wua_reply_free); 1: SOAP fault,
 * ErrorCode in r->fault; -1: transport, HTTP or shape error (printed).
 */
int  wua_http_soap(struct wua *w, const char *url, const char *ns,
    const char *op, const char *body, size_t len, struct wua_reply *r);
void wua_reply_free(struct wua_reply *r);
/*
 * wua_http_fetch - GET url into the open file fd with 1 MiB Range
 * requests up to size bytes.  Returns 0, or an HRESULT-style failure code
 * (negative int32) with the reason in why; *served gets the size the
 * server said the file has (-1 unknown).
 */
int32_t wua_http_fetch(struct wua *w, const char *url, uint64_t size, int fd,
    int64_t *served, char *why, size_t whylen);

/* --- wua_state.c: the state directory --------------------------------------- */
int  wua_state_open(struct wua *w);            /* mkdir 0700, client.id, read files */
void wua_state_free(struct wua *w);
int  wua_state_save_cookie(struct wua *w);
int  wua_state_save_cache(struct wua *w);
int  wua_state_save_updates(struct wua *w);
int  wua_state_load_updates(struct wua *w);
int  wua_state_reload_installed(struct wua *w);
int  wua_state_append_installed(struct wua *w, const char *uid);
int  wua_state_is_installed(const struct wua *w, const char *uid);
int  wua_state_in_registry(const struct wua *w, const char *subkey, const char *value);
struct wua_rev *wua_state_rev(struct wua *w, int64_t rid);
struct wua_rev *wua_state_rev_uid(struct wua *w, const char *uid);
struct wua_rev *wua_state_rev_add(struct wua *w, int64_t rid);   /* NULL: full */
void wua_state_rev_del(struct wua *w, int64_t rid);
void wua_state_clear_cache(struct wua *w);
/* Path of name inside the state directory into out; -1 if it does not fit. */
int  wua_state_path(const struct wua *w, const char *name, char *out, size_t outlen);
/* Read/write small whole files: 0 or -1. */
int  wua_state_write(const struct wua *w, const char *name, const char *data, size_t len);
char *wua_state_read(const struct wua *w, const char *name, size_t *len);
int  wua_state_next_sequence(struct wua *w, int n);   /* reserve n numbers */
/* failed: update id -> HRESULT of the last download run. */
int  wua_state_save_failed(struct wua *w, char (*uids)[WUA_UID_LEN + 1],
    const int32_t *hr, int n);
int32_t wua_state_failed_hr(const struct wua *w, const char *uid);

/* --- wua_session.c: GetConfig, authorization, cookies, faults ------------- */
enum wua_svc { WUA_SVC_CLIENT, WUA_SVC_AUTH, WUA_SVC_REPORTING };
typedef void (*wua_body_fn)(struct wua *w, struct wbuf *b, void *arg);
/*
 * wua_session_call - run op with the session ready (GetConfig,
 * GetAuthorizationCookie, GetCookie, RegisterComputer as needed), and
 * recover from the MS-WUSP cookie faults at most WUA_RECOVERIES times.
 * fn writes the operation's children (wua_session_cookie for the cookie).
 * 0 with *r set, or -1 with the ErrorCode/reason in w->error.
 */
int  wua_session_call(struct wua *w, enum wua_svc svc, const char *op,
    wua_body_fn fn, void *arg, struct wua_reply *r);
void wua_session_cookie(struct wua *w, struct wbuf *b, const char *name);
/* Take a <NewCookie>-style element as the current cookie. */
int  wua_session_take_cookie(struct wua *w, const struct xml_node *ck);
int  wua_session_start(struct wua *w);        /* GetConfig for a scan */

/* --- wua_util.c ------------------------------------------------------------- */
void wua_guid(char out[WUA_UID_LEN + 1]);      /* random v4, lowercase */
int  wua_guid_canon(const char *in, char out[WUA_UID_LEN + 1]);   /* 0 or -1 */
void wua_time_fmt(time_t t, int millis, char *out, size_t outlen);
int  wua_time_parse(const char *s, time_t *t);  /* xsd:dateTime UTC; 0 or -1 */
int  wua_parse_i64(const char *s, size_t n, int64_t min, int64_t max, int64_t *v);
void wua_hex(const uint8_t *p, size_t n, char *out);   /* upper hex, 2n+1 bytes */
int  wua_unhex(const char *s, uint8_t *out, size_t n); /* exactly 2n hex digits */
const char *wua_text(const struct xml_node *n, const char *child);  /* NULL: absent */
/* Parse a metadata fragment (several top-level elements) under a wrapper. */
struct xml_doc *wua_fragment_parse(const char *text, size_t len);
/* Output: wua_say to stdout (what an admin reads), wua_debug with -v. */
void wua_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void wua_debug(const struct wua *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* --- wua_scan.c ------------------------------------------------------------- */
int  wua_scan(struct wua *w);                  /* 0, or -1 after "Scan failed" */

/* --- wua_download.c --------------------------------------------------------- */
int  wua_download(struct wua *w);              /* 0, or -1 if any file failed */
int  wua_install(struct wua *w);               /* simulated: DIR/installed */
int  wua_downloaded(const struct wua *w, const struct wua_file *f);  /* 1 present */

/* --- wua_trust.c ------------------------------------------------------------ */
/*
 * wua_trust_check - the signature check of a downloaded file (open fd,
 * already size- and hash-verified): when w->trust_check is set and f is a
 * .cab (by name or URL), it must be Authenticode-signed by a signer in
 * w->trusted_publishers chaining to w->trusted_root, and the policy
 * AcceptTrustedPublisherCerts must be on.  Returns 0 when accepted (or not
 * checked), else the HRESULT to report, after printing "Signature
 * verification failed for <file>: <reason>".
 */
int32_t wua_trust_check(const struct wua *w, const struct wua_file *f, int fd);

/* --- wua_report.c ----------------------------------------------------------- */
int  wua_report(struct wua *w);                /* ReportEventBatch; 0 or -1 */

#endif
