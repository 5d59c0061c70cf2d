/*
 * wsusadm.h - private header of wsusadm, the admin console: it speaks only
 * ApiRemoting30 (MS-WSUSAR) over HTTPS with Windows-style authentication
 * (Negotiate/Kerberos, NTLM; Basic only when asked), as the WSUS MMC
 * console and the UpdateServices PowerShell module do.  It never reads the
 * server's files.  (tools/wua.h, the folder's map, names these files too.)
 *
 * Layers, each calling only the ones below it:
 *   wsusadm.c       main: options, credentials, exit codes, dispatch
 *   wsusadm_cmd.c   the commands: request bodies, rows -> tables
 *   wsusadm_http.c  libcurl: one keep-alive connection, auth, SOAP, faults
 *   wsusadm_diag.c  how a connection is set up (trust, names, timeouts) and
 *                   why one failed, in words an admin can act on
 *   wsusadm_out.c   aligned tables and JSON; rows of GenericReadableRow
 *
 * Everything received is untrusted and bounded by the ADM_* limits below.
 */
#ifndef WSUSD_WSUSADM_H
#define WSUSD_WSUSADM_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "xml.h"

/* --- limits (bytes, counts) ----------------------------------------------- */
#define ADM_BODY_MAX        (256u << 20) /* one SOAP answer */
#define ADM_XML_DEPTH               64   /* nesting in an answer */
#define ADM_XML_ELEMENTS      40000000   /* elements in one answer */
#define ADM_XML_TEXT         (1u << 20)  /* character data of one element */
#define ADM_PASSWORD_MAX          1024   /* a password, from any source */
#define ADM_PWFILE_MAX            4096   /* a --password-file */
#define ADM_NAME_MAX               256   /* account, group, computer names */
#define ADM_RESOLVE_MAX             16   /* --resolve options */
#define ADM_CONNECT_S              10L   /* connect timeout, seconds */
#define ADM_TIMEOUT_S             600L   /* one operation, seconds */
#define ADM_PROBE_S                 5L   /* a diagnostic probe, seconds */
#define ADM_COLS_MAX                64   /* columns of a printed table */

/* Exit codes (wsusadm --help and wsusadm(1) list them). */
enum adm_exit {
	ADM_EXIT_OK       = 0,   /* done */
	ADM_EXIT_REFUSED  = 1,   /* the server refused the operation (a SOAP fault) */
	ADM_EXIT_USAGE    = 2,   /* bad command line, unknown name */
	ADM_EXIT_CONNECT  = 3,   /* no HTTPS server there: name, port, plain HTTP */
	ADM_EXIT_TLS      = 4,   /* certificate not trusted, or name mismatch */
	ADM_EXIT_AUTH     = 5,   /* credentials refused (HTTP 401) */
	ADM_EXIT_DENIED   = 6,   /* no role, or the role may not do it (403, UnauthorizedAccess) */
	ADM_EXIT_PROTOCOL = 7,   /* an answer that is not what the protocol says */
};

#define ADM_NS  "http://www.microsoft.com/SoftwareDistribution/Server/ApiRemotingWebService"
#define ADM_PATH "/ApiRemoting30/WebService.asmx"
#define ADM_UID_LEN 36

/* Built-in target groups (MS-WSUSAR; the same GUIDs on every WSUS). */
#define ADM_GROUP_ALL        "a0a08746-4dbe-4a37-9adf-9e7652c0b421"
#define ADM_GROUP_UNASSIGNED "b73ca6ed-5727-47f3-84de-015e03f6a88a"

enum adm_auth {
	ADM_AUTH_KERBEROS,       /* no password: Negotiate with the ticket cache */
	ADM_AUTH_PASSWORD,       /* Negotiate|NTLM with the name and password */
	ADM_AUTH_NTLM,           /* NTLM only (after Negotiate found no ticket) */
	ADM_AUTH_BASIC,          /* --basic */
};

/* The console: options, credentials and the connection. */
struct adm {
	/* options */
	const char *server;                 /* https://FQDN:PORT, no trailing '/' */
	const char *ca, *pin, *user;
	const char *resolve[ADM_RESOLVE_MAX];
	int         nresolve;
	int         basic, json, verbose;
	/* derived */
	char        host[256];
	int         port;
	char        url[640];               /* server + ADM_PATH */
	char       *password;               /* owned, wiped on free; NULL: Kerberos */
	int         interactive;            /* a password may still be prompted for */
	enum adm_auth auth;
	/* connection (wsusadm_http.c) */
	void       *curl;                   /* CURL *, reused: one keep-alive connection */
	void       *resolve_list;           /* struct curl_slist * */
	char        offered[128];           /* WWW-Authenticate schemes of the last 401 */
};

/* An answer: the parsed document and the operation's result element. */
struct adm_reply {
	struct xml_doc  *doc;
	struct xml_node *resp;              /* <OpResponse> */
	struct xml_node *result;            /* <OpResult>, NULL when absent (void) */
};

/* --- wsusadm_out.c: tables, JSON, rows -------------------------------------- */
/* Column types, for JSON: strings, numbers, booleans. */
enum adm_type { ADM_S, ADM_N, ADM_B };
struct adm_col {
	const char   *head;                 /* "TITLE" (table), "title" is derived for JSON */
	enum adm_type type;
};
struct adm_table {
	const struct adm_col *cols;
	int                   ncols;
	char                **cells;        /* nrows * ncols, owned; NULL = null */
	size_t                nrows, cap;
};
void adm_table_init(struct adm_table *t, const struct adm_col *cols, int ncols);
/* Append a row of ncols cells (copied; NULL allowed). 0 or -1 (no memory). */
int  adm_table_add(struct adm_table *t, const char *const *cells);
/* Sort rows by column col (text order, numbers numerically). */
void adm_table_sort(struct adm_table *t, int col);
/* Print: aligned columns with a header line, or a JSON array of objects. */
void adm_table_print(const struct adm_table *t, int json);
void adm_table_free(struct adm_table *t);
/* Print name/value pairs: "Name:   value" lines, or one JSON object. */
void adm_kv_print(const char *const *names, const char *const *values,
    const enum adm_type *types, int n, int json);
/* A JSON string literal of s to stdout. */
void adm_json_str(const char *s);

/*
 * Rows of an ArrayOfGenericReadableRow: the <GenericReadableRow> children
 * of a, then cell i of a row: its text, or NULL for xsi:nil or a missing
 * cell.  The pointers live as long as the reply's document.
 */
const struct xml_node *adm_row_first(const struct xml_node *a);
const struct xml_node *adm_row_next(const struct xml_node *row);
const char *adm_cell(const struct xml_node *row, int i);
const char *adm_text(const struct xml_node *n, const char *child);

/* --- wsusadm_diag.c: connection set-up and diagnostics -------------------------- */
/* The options every handle shares: verification on, the trust anchors
 * (--pin, else --ca, else the system store), --resolve, HTTP/1.1, no
 * redirects, timeouts.  0 or -1. */
int adm_conn_setup(struct adm *a, void *curl);
/*
 * adm_diag - after a transfer failed with curl code rc (reason in why),
 * find out which of the seed's causes it is with probes of its own (a
 * plain-HTTP request, a TLS handshake without name check, one without any
 * check to read the certificate) and print it to stderr in words an admin
 * can act on.  Returns the exit code (ADM_EXIT_CONNECT or ADM_EXIT_TLS).
 */
int adm_diag(struct adm *a, int rc, const char *why);

/* --- wsusadm_http.c: transport ------------------------------------------------- */
int  adm_http_init(struct adm *a);   /* 0 or -1 */
void adm_http_free(struct adm *a);
/*
 * adm_call - POST operation op with the children body (len bytes, already
 * escaped XML) to ApiRemoting30 and parse the answer.  0 with *r set
 * (caller adm_reply_free), or an ADM_EXIT_* code after the reason was
 * printed to stderr (a SOAP fault's message, a diagnosis, a 401 or 403).
 */
int  adm_call(struct adm *a, const char *op, const char *body, size_t len,
    struct adm_reply *r);
void adm_reply_free(struct adm_reply *r);
/*
 * adm_http_prompt - read a password from the terminal (/dev/tty) without
 * echo into a fresh buffer (caller wipes and frees).  NULL when there is
 * no terminal or on end of input.
 */
char *adm_http_prompt(const char *user);

/* --- wsusadm_cmd.c: the commands ------------------------------------------------ */
/* adm_cmd - run the command in argv (argv[0] is its name).  Exit code. */
int adm_cmd(struct adm *a, int argc, char **argv);
/* Command names and synopses, for --help. */
extern const char *const adm_cmd_usage[];

#endif
