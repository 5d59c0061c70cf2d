/*
 * server.h - the map of server/: private prototypes, one banner per file.
 *
 * server/ is the daemon, and only the daemon: start-up and signals
 * (main.c), the listeners, TLS (tls.c) and the relay feeding
 * libmicrohttpd (relay.c, http.c), the service threads that run SOAP
 * work off the I/O loops (pool.c), admin-plane authentication (auth.c,
 * the only gssapi user), routing (route.c), content
 * (content.c), the advertised URL (advert.c), the certificate watch
 * (certwatch.c), what one peer address is (peer.c) and every input
 * limit (limits.h).  It hands SOAP requests
 * to webservices/ through the small structs of ws.h and never lets
 * microhttpd.h (http.c), mbedtls (tls.c; common/crypto.c) or sqlite3
 * (store/) leak into another file.  Nothing outside server/ includes this
 * header.
 */
#ifndef WSUSD_SERVER_H
#define WSUSD_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include "config.h"
#include "limits.h"
#include "log.h"
#include "store.h"

/* --- route.c: (path) -> service or content ------------------------------ */

enum route_kind {
	ROUTE_NONE,        /* 404 */
	ROUTE_SOAP,        /* an .asmx endpoint of a web service */
	ROUTE_VROOT,       /* another path under a known virtual root: 404 after the SSL check */
	ROUTE_CONTENT,     /* /Content/... */
};

struct route {
	enum route_kind  kind;
	int              service;   /* enum ws_service for SOAP/VROOT of a service, else -1 */
	unsigned         sslreq_bit;/* bit of config.ssl_require guarding this vroot; 0 = none */
	const char      *rest;      /* CONTENT: the part after "/Content/" (points into path) */
	size_t           rest_len;
};

/*
 * route_normalize - copy the path part of a request target (up to '?')
 * into out with every run of '/' collapsed to one.  Rejects NUL bytes,
 * "%", backslash, "." or ".." segments and non-printable bytes.  Returns
 * the output length, or -1 (the caller answers 404; 400 for a missing
 * leading '/').
 */
int route_normalize(const char *in, size_t len, char *out, size_t outlen);

/*
 * route_match - look a normalised path up in the static table,
 * case-insensitively.  Never fails: unknown paths give ROUTE_NONE.
 */
void route_match(const char *path, size_t len, struct route *r);

/*
 * route_html_escape - (in, len) as HTML text into out: & < > " ' become
 * entities, bytes outside printable ASCII become '?'.  Always
 * NUL-terminates; stops before an entity that would not fit.  Returns the
 * output length.  Every error page puts request bytes through it.
 */
size_t route_html_escape(const char *in, size_t len, char *out, size_t outlen);

/* --- content.c: /Content/XX/SHA1.ext over plain HTTP ---------------------- */

#define CONTENT_MAX_RANGES LIMIT_RANGE_SPECS

struct byte_range { uint64_t first, last; };   /* inclusive, resolved against size */

/*
 * range_parse - parse a Range header value (v, len) against a file of size
 * bytes.  Returns the number of ranges written to out (1..max) on success,
 * 0 if the header is syntactically invalid or not "bytes=" (RFC 9110: ignore
 * it, serve 200), or -1 if it is valid but no range is satisfiable (416).
 * Suffix ranges ("-500"), open ranges ("9500-") and overlapping lists are
 * accepted; more than max specs is treated as invalid (0).
 */
int range_parse(const char *v, size_t len, uint64_t size,
    struct byte_range *out, int max);

struct content_req {
	int          head;               /* 1 for HEAD */
	const char  *range;              /* header values, or NULL */
	const char  *if_range;
	const char  *if_none_match;
	const char  *if_modified_since;
};

struct content_reply {
	unsigned          status;        /* 200, 206, 304, 404, 416 */
	int               fd;            /* open file for 200/206 (caller closes), else -1 */
	uint64_t          size;          /* file size */
	int               nranges;       /* 206: number of ranges (>1: multipart) */
	struct byte_range ranges[CONTENT_MAX_RANGES];
	char              etag[64];      /* "\"<hex>:0\"" */
	char              last_modified[40]; /* IMF-fixdate */
	char              boundary[40];  /* multipart boundary when nranges > 1 */
};

/*
 * content_valid_name - 1 if rest (the path after "/Content/") has the form
 * [0-9A-Fa-f]{2}/[0-9A-Fa-f]{40}.[A-Za-z0-9]{1,8}, else 0.
 */
int content_valid_name(const char *rest, size_t len);

/*
 * content_open - resolve rest under the content directory (dirfd),
 * following no symlinks (openat + O_NOFOLLOW per component, regular files
 * only), and evaluate the conditional and Range headers of req into *rep.
 * Returns 0 with rep->status set (rep->fd >= 0 only for 200/206), or -1 on
 * an internal error (500).  The upper-case and lower-case spellings of a
 * name find the same file (WSUS names are upper-case hex on disk).
 */
int content_open(int dirfd, const char *rest, size_t len,
    const struct content_req *req, struct content_reply *rep);

/*
 * content_multipart_header - the part header written before range i of a
 * multipart/byteranges body (into buf); returns its length.  The closing
 * delimiter is content_multipart_trailer().
 */
size_t content_multipart_header(const struct content_reply *rep, int i,
    char *buf, size_t len);
size_t content_multipart_trailer(const struct content_reply *rep,
    char *buf, size_t len);
/* Total body length of a multipart/byteranges reply. */
uint64_t content_multipart_length(const struct content_reply *rep);

#include "crypto.h"

/* --- advert.c: the advertised URL as the running daemon sees it --------- */

struct store;

#define ADVERT_URL_MAX STORE_URL_MAX

struct advert_view {
	char     soap_url[ADVERT_URL_MAX];     /* "https://fqdn:8531" (no trailing /) */
	char     content_url[ADVERT_URL_MAX];  /* "http://fqdn:8530" */
	char     fqdn[LIMIT_FQDN_BYTES + 1];
	int64_t  generation;
	time_t   changed_at;                   /* when the configuration last changed */
};

/* advert_load - read the store's advertised configuration into the shared
 * view (first call at start-up); logs the state.  Returns 0 or -1. */
int advert_load(struct store *st, const struct config *c);

/* advert_poll - called once a second from the main thread: if another
 * process changed the configuration generation, log the state transition
 * (pending -> success) and publish the new view.  Returns 1 if changed. */
int advert_poll(struct store *st);

/* advert_get - copy the current view (thread-safe). */
void advert_get(struct advert_view *v);

/* --- tls.c: TLS 1.2 termination with mbedTLS ----------------------------- */

struct tls_conn;

enum tls_io { TLS_IO_OK = 0, TLS_IO_WANT_READ = -2, TLS_IO_WANT_WRITE = -3,
	TLS_IO_EOF = -4, TLS_IO_ERR = -5 };

/* tls_init - RNG, session-ticket keys (rotating) and session cache, then
 * load cert/key as the current configuration.  Returns 0 or -1 (logged). */
int  tls_init(const char *cert_path, const char *key_path);
/* tls_reload - load cert/key anew; on success new connections use them
 * (established ones keep theirs); on failure keep the old and log why. */
int  tls_reload(const char *cert_path, const char *key_path);
void tls_shutdown(void);
/* tls_ceiling - log what the policy is (for start-up). */
void tls_log_policy(void);

struct tls_conn *tls_conn_new(int fd);        /* NULL on failure */
int  tls_conn_handshake(struct tls_conn *c);  /* TLS_IO_OK when done */
/* Returns bytes (>0) or a negative enum tls_io. */
long tls_conn_read(struct tls_conn *c, void *buf, size_t len);
long tls_conn_write(struct tls_conn *c, const void *buf, size_t len);
int  tls_conn_close_notify(struct tls_conn *c);
void tls_conn_free(struct tls_conn *c);       /* accepts NULL; does not close fd */
const char *tls_conn_suite(const struct tls_conn *c);
/* Bytes already received but not yet returned by tls_conn_read: read
 * again before waiting for the socket (epoll will not say so). */
int  tls_conn_pending(const struct tls_conn *c);
/* 1 (once) if the socket was found empty (EAGAIN) since the last call. */
int  tls_conn_drained(struct tls_conn *c);

/* --- peer.c: the per-address key and per-address connection counts ---- */

/* The key every per-address limit counts under: IPv4 as ::ffff:a.b.c.d
 * (the /32), IPv6 truncated to its /LIMIT_IPV6_PREFIX_BITS. */
struct peer_key { unsigned char b[16]; };

/* peer_key - the key of sa (AF_INET, AF_INET6; IPv4-mapped IPv6 counts as
 * its IPv4 address).  Returns 0, or -1 (key zeroed) for another family. */
int peer_key(const struct sockaddr *sa, socklen_t salen, struct peer_key *k);
/* peer_key_str - "192.0.2.7" or "2001:db8:1:2::/64" into buf; returns buf. */
const char *peer_key_str(const struct peer_key *k, char *buf, size_t len);

/* A thread-safe count of connections per key, each key capped at limit.
 * peer_table_new returns NULL on allocation failure; free accepts NULL. */
struct peer_table;
struct peer_table *peer_table_new(unsigned limit);
void     peer_table_free(struct peer_table *t);
/* peer_table_add - count one more for k: 0, or -1 (nothing counted) when k
 * is at the limit or memory is short. */
int      peer_table_add(struct peer_table *t, const struct peer_key *k);
void     peer_table_del(struct peer_table *t, const struct peer_key *k);
unsigned peer_table_count(struct peer_table *t, const struct peer_key *k);

/* tls_server_end_point - the RFC 5929 tls-server-end-point channel
 * binding of the current certificate (its DER hashed with SHA-256, or the
 * certificate's own signature hash when that is SHA-384/512) into out.
 * Returns its length (32, 48 or 64), or -1 when cap is too small or no
 * certificate is loaded.  After a reload, connections accepted before it
 * are bound to the old certificate and get the new one's value. */
int  tls_server_end_point(uint8_t *out, size_t cap);

/* --- relay.c: TLS listener workers feeding libmicrohttpd --------------- */

struct http_env;
int  relay_start(int listen_fd, unsigned nworkers, struct http_env *env);
void relay_stop(void);

/* --- auth.c: who calls the admin plane (the only gssapi user) ----------- */

struct auth_conn;     /* one per TLS connection, kept by http.c */

#define AUTH_MAX_OFFERS 3

/* What auth_request decided for one request. */
struct auth_answer {
	unsigned     status;       /* 0: authenticated with a role; else 400, 401, 403, 500 */
	unsigned     delay_ms;     /* 401 for bad credentials: answer after this long */
	const char  *www[AUTH_MAX_OFFERS];  /* WWW-Authenticate values offered (static) */
	int          nwww;
	char        *token_hdr;    /* "NTLM <b64>" / "Negotiate <b64>" to send, or NULL (owned) */
	char         account[LIMIT_AUTH_ACCOUNT_BYTES + 1];  /* status 0 or 403 */
	int          role;         /* enum ws_role */
};

/*
 * auth_init - read [admin]: point gss-ntlmssp at the store's NTLM hash
 * file (NTLM_USER_FILE, set once here before any thread starts), acquire
 * the NTLM acceptor and, with a keytab, the SPNEGO/Kerberos one (from
 * that keytab, through the cred store: no environment), start the timer
 * thread.  Returns 0, or -1 (logged: a keytab that cannot be used stops
 * start-up).
 */
int  auth_init(const struct config *c);
void auth_shutdown(void);

/* A new connection's state (NULL on allocation failure); free accepts NULL. */
struct auth_conn *auth_conn_new(void);
void auth_conn_free(struct auth_conn *a);

/*
 * auth_request - decide one request on connection a: authz is its
 * Authorization header (NULL when absent), peer its address (text).  No
 * header on an authenticated connection is that connection's account; a
 * header runs (or continues, or restarts) an exchange.  Fills *ans (free
 * with auth_answer_free); never fails otherwise.
 */
void auth_request(struct auth_conn *a, const char *authz, const char *peer,
    struct auth_answer *ans);
void auth_answer_free(struct auth_answer *ans);

/*
 * auth_defer - call fn(arg) from the timer thread ms milliseconds from
 * now (a failed attempt's delayed answer).  owner tags the entry for
 * auth_defer_cancel.  Returns 0, or -1 when LIMIT_AUTH_DEFERRED answers
 * are already waiting (or out of memory).
 */
int  auth_defer(unsigned ms, void (*fn)(void *), void *arg, const void *owner);
/* auth_defer_cancel - run owner's waiting entries now (before its daemon
 * stops); no entry of owner runs after it returns. */
void auth_defer_cancel(const void *owner);

/* --- pool.c: service threads, two lanes -------------------------------- */

enum pool_lane_id { POOL_LIGHT, POOL_HEAVY, POOL_NLANES };

/* A unit of work; embedded in its owner's state (http.c's request). */
struct pool_job {
	struct pool_job *next;                 /* the pool's queue link */
	void           (*run)(struct pool_job *);  /* on a service thread */
};

/* pool_start - the light lane's threads and heavy_threads ([server]
 * service_threads, at least 1) for the heavy lane.  0 or -1 (logged). */
int  pool_start(unsigned heavy_threads);
/*
 * pool_submit - queue job on lane; a service thread calls job->run once
 * and never touches job after that call began.  Returns 0, or -1 (job
 * not taken: the caller answers 503) when the lane already holds
 * LIMIT_POOL_QUEUE waiting jobs or the pool is stopped.  Thread-safe.
 */
int  pool_submit(struct pool_job *job, enum pool_lane_id lane);
/* pool_stop - refuse new jobs, run every queued one, join the threads.
 * Call before the daemons stop (queued jobs resume their connections). */
void pool_stop(void);

/* --- http.c: sole libmicrohttpd user ----------------------------------- */

struct http_env {
	const struct config *conf;
	int                  content_dirfd;
	/* Connection slots sized at start-up to fit RLIMIT_NOFILE (main.c);
	 * 0 = LIMIT_CONNECTIONS. */
	unsigned             max_tls_conns;
	unsigned             max_plain_conns;
};

struct http_daemon;

/* http_start_plain - the plain HTTP listener on listen_fd (epoll, nthreads
 * internal threads).  NULL on failure (logged). */
struct http_daemon *http_start_plain(int listen_fd, unsigned nthreads,
    struct http_env *env);
/* http_start_tls_side - a daemon with no listen socket and no thread of
 * its own, fed by a relay worker: connections arrive by http_add_conn and
 * the worker drives it with http_run when http_epoll_fd is readable or
 * http_timeout_ms has elapsed. */
struct http_daemon *http_start_tls_side(unsigned max_conns, struct http_env *env);
int     http_epoll_fd(struct http_daemon *d);
int     http_add_conn(struct http_daemon *d, int fd, const struct sockaddr *sa,
    socklen_t salen);
void    http_run(struct http_daemon *d);
long    http_timeout_ms(struct http_daemon *d);   /* -1 = none */
void    http_stop(struct http_daemon *d);          /* accepts NULL */

/* --- certwatch.c (wsusd only): the pin-safe rotation reminder ---------- */

/*
 * certwatch_poll - called once a second from the main loop; at most once
 * a day (and on the first call) re-reads cert_path and, from 30 days
 * before it expires, warns and names the certificate staged in
 * next_cert_path ("" when none), checking that one covers fqdn.  Logs
 * only; never fails.  Main thread only (keeps static state).
 */
void certwatch_poll(const char *cert_path, const char *next_cert_path,
    const char *fqdn);

#endif /* WSUSD_SERVER_H */
