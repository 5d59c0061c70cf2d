/*
 * ws_int.h - the private map of webservices/: what the service files share.
 * One banner per file.  Nothing here is visible to server/.
 */
#ifndef WSUSD_WS_INT_H
#define WSUSD_WS_INT_H

#include <stdint.h>
#include <time.h>

#include "console.h"
#include "cookie.h"
#include "limits.h"
#include "store.h"
#include "ws.h"
#include "xml.h"

/* --- services.c: dispatch (ws_handle); env.c: per-thread store, identity */

/* Envelope flavours real WSUS answers with (NOTES.md §5). */
enum soap_style {
	SOAP_STYLE_CLIENT,   /* <s:Envelope>, no XML declaration (ClientWebService) */
	SOAP_STYLE_ASMX,     /* <?xml ...?><soap:Envelope> (SimpleAuth, Reporting, WSUSSS) */
};

/* One call of an operation: the parsed request and the answer being built. */
struct ws_call {
	const struct ws_request *req;
	struct store            *st;      /* this thread's store handle */
	const struct xml_node   *op;      /* the operation element in s:Body */
	const char              *opname;
	const char              *ns;      /* service namespace */
	enum soap_style          style;
	struct wbuf              out;     /* response body under construction */
	struct ws_response      *resp;
	time_t                   now;
	const char              *actor;   /* WSUSSS: service path; faults then
	                                   * carry faultactor (MS-WSUSSS §2.2.9) */
};

/* The server's identity and cookie lifetime (seconds), set once by ws_init;
 * new computers per address and hour, set by ws_settings_seed. */
extern uint8_t  ws_server_id[16];
extern unsigned ws_cookie_lifetime;
extern unsigned ws_registrations_per_addr;

/* ws_store - this thread's store handle, opened on first use; NULL if it
 * cannot be opened (logged). */
struct store *ws_store(void);

/* --- soap.c -------------------------------------------------------------- */

/* Open and close the envelope and the "<OpResponse xmlns=ns>" wrapper. */
void soap_begin(struct ws_call *c);
void soap_end(struct ws_call *c);
/* Finish: move c->out into c->resp as a 200 text/xml answer; an answer
 * over LIMIT_ANSWER_BYTES becomes an InternalServerError fault instead
 * (the operations stop well before it).  0 or -1. */
int  soap_finish(struct ws_call *c);

/*
 * soap_fault - the WSUS fault (MS-WUSP §2.2.2.4): HTTP 500, Connection:
 * close, faultcode s:Client (s:Server for InternalServerError/ServerBusy),
 * faultstring "Fault occurred", detail ErrorCode, Message, ID (new GUID),
 * Method (the quoted SOAPAction).  Discards whatever c->out held.  Always
 * returns 0 (the call is answered) unless out of memory (-1).
 */
int  soap_fault(struct ws_call *c, const char *error_code, const char *message);

/* Leaf helpers: "<name>text</name>" escaped; integer; boolean. */
void soap_elem(struct wbuf *b, const char *name, const char *text);
void soap_elem_int(struct wbuf *b, const char *name, long long v);
void soap_elem_bool(struct wbuf *b, const char *name, int v);

/* Dates: xsd:dateTime UTC with 0..7 fractional digits ("Z" required or
 * "+00:00"); returns 0 and Unix seconds, or -1. */
int  soap_parse_datetime(const char *s, size_t len, time_t *out);
/* Format t as "2026-10-04T16:03:35.9967236Z"-style (frac digits 0..7). */
void soap_format_datetime(time_t t, int frac_digits, char out[40]);
/* Bounded decimal int parse of (s, len) into [min, max]: 0 or -1. */
int  soap_parse_int(const char *s, size_t len, long long min, long long max,
    long long *out);
/* Text of child `name` of n, or NULL. */
const char *soap_text(const struct xml_node *n, const char *name);

/* --- client.c, simpleauth.c, reporting.c, dssauth.c, serversync.c:
 * operation tables ------------------------------------------------------- */

typedef int (*ws_op_fn)(struct ws_call *c);

struct ws_op {
	const char *name;       /* operation (= element) name */
	ws_op_fn    fn;
	int         preauth;    /* 1: no cookie; tighter XML limits */
};

extern const struct ws_op client_ops[];      /* NULL-terminated */
extern const struct ws_op simpleauth_ops[];
extern const struct ws_op reporting_ops[];
/* --- dssauth.c, serversync.c: the upstream role (MS-WSUSSS) ------------- */
extern const struct ws_op dssauth_ops[];
extern const struct ws_op serversync_ops[];

/* --- apiremoting.c: ApiRemoting30, the admin console's service ----------- */

/*
 * apiremoting_op - the operation a SOAPAction names ("<ns>/<Op>", the
 * ApiRemoting namespace, or IMonitorable's for Ping), or NULL.
 */
const struct ws_op *apiremoting_op(const char *soapaction);
/*
 * apiremoting_unimplemented - the answer to a SOAPAction apiremoting_op
 * does not know: an operation of the WSDL gets a fault naming it as not
 * implemented; anything else the ASMX "did not recognize" fault.  0 or -1.
 */
int apiremoting_unimplemented(const struct ws_request *req,
    struct ws_response *resp);
/* apiremoting_bad_request - the fault for a request the bounded reader
 * refused (why: its reason, e.g. a limit named).  0 or -1. */
int apiremoting_bad_request(struct ws_call *c, const char *why);

/* --- scope.c: UpdateScope / ComputerTargetScope XML -> store scopes ---- */

/*
 * scope_update, scope_computer - parse a scope parameter (xml, len: the
 * entity-decoded text; NULL or empty = everything) into *s under the
 * LIMIT_SCOPE_* limits.  Returns 0, or -1 with the reason (naming the
 * attribute when one is at fault) in why: malformed XML, a DTD, too many
 * bytes/elements/attributes, an unknown attribute, or one this server
 * cannot honour.
 */
int scope_update(const char *xml, size_t len, struct store_update_scope *s,
    char *why, size_t whylen);
int scope_computer(const char *xml, size_t len, struct store_computer_scope *s,
    char *why, size_t whylen);
/* scope_guid_list - an escaped "<root><X>GUID</X>...</root>" list into
 * ','-joined canonical GUIDs (out, outlen bytes); 0 or -1 with why. */
int scope_guid_list(const char *v, char *out, size_t outlen, char *why,
    size_t whylen);

/* --- cookies shared by client.c and reporting.c ------------------------- */

/*
 * ws_client_cookie - validate the <cookie> child of the operation (a
 * ClientWebService cookie) into *ck.  On failure answers the right fault
 * (InvalidCookie, ServerChanged, CookieExpired, ConfigChanged) and returns
 * -1; 0 on success.
 */
int  ws_client_cookie(struct ws_call *c, const struct xml_node *cookie_el,
    struct cookie *ck);
/* Write a new client cookie element <name><Expiration/><EncryptedData/></name>. */
int  ws_new_cookie(struct ws_call *c, const char *name, const struct cookie *base);

/* Bytes of a client address key, with its NUL ("xxxx:...:xxxx::/64"). */
#define WS_ADDR_KEY_MAX 64
/*
 * ws_client_admit - before the store first hears of computer_id (a
 * RegisterComputer, or a report from a computer that never registered):
 * admit it unless ws_registrations_per_addr ([server]
 * registrations_per_address, default LIMIT_REGISTRATIONS_PER_ADDR) new
 * computers came from the same address in the last
 * LIMIT_REGISTRATION_WINDOW_S.  A known
 * computer always passes.  On refusal answers ServerBusy (MS-WUSP: "try
 * again later") or InternalServerError and returns -1; 0 to go on.
 */
int  ws_client_admit(struct ws_call *c, const char *computer_id);

/* --- catalog.c: the in-memory scan engine ---------------------------------- */

struct catalog;

/* The current snapshot (reference held by the caller: catalog_put), rebuilt
 * from the store when its catalogue generation changed.  NULL on error. */
struct catalog *catalog_get(struct store *st);
void catalog_put(struct catalog *cat);

struct sync_request {
	const char  (*groups)[STORE_GUID_LEN + 1];   /* computer's groups incl. ancestors */
	int           ngroups;
	const int64_t *installed;  int ninstalled;   /* InstalledNonLeafUpdateIDs */
	const int64_t *cached;     int ncached;      /* OtherCachedUpdateIDs */
	time_t        last_sync;                     /* for ChangedUpdates */
	size_t        max_bytes;                     /* NewUpdates budget of the page */
};

/*
 * catalog_sync - one SyncUpdates page into b: NewUpdates (non-leaf round
 * first, then approved leaf updates with their bundle members, each
 * revision at most once), then OutOfScopeRevisionIDs and ChangedUpdates
 * for cached ids (each once, however often the client repeats it).  A
 * page holds at most LIMIT_SYNC_PAGE updates and r->max_bytes of
 * NewUpdates, but always at least one update (or one bundle with its
 * members) so that every page makes progress.  *truncated is set when
 * more remain.  Returns the number of NewUpdates, or -1.
 */
int catalog_sync(struct catalog *cat, const struct sync_request *r,
    struct wbuf *b, int *truncated);

/* catalog_known_category - 1 if guid (canonical) is a category. */
int catalog_known_category(struct catalog *cat, const char *guid);
/* catalog_rev_of - revision id and is_leaf of an update id; 0 if unknown. */
int64_t catalog_rev_of(struct catalog *cat, const char *update_id, int *is_leaf);
/* catalog_rev_known - 1 if rid is a current revision. */
int catalog_rev_known(struct catalog *cat, int64_t rid);

/*
 * The other files keep their prototypes in the public headers the daemon
 * includes:
 */
/* --- cookie.c: cookie.h (sealed cookie records: issue, open, keys) ------ */
/* --- dssauth.c, serversync.c: the ws_op tables above (upstream role) --- */
/* --- encoding.c: ws.h ws_encode (xpress / gzip response encoding) ------- */
/* --- wsdl.c: ws.h wsdl_init, wsdl_render (?wsdl with the advertised URL) */

#endif /* WSUSD_WS_INT_H */
