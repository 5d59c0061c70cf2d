/*
 * http.c - the only user of libmicrohttpd: the daemons, the access
 * handler, per-request state and the conversion of results into HTTP
 * responses.
 *
 * Request path: framing check (RFC 9112 6.3) -> route (route.c) ->
 * Require SSL check -> method check -> body cap chosen from the SOAPAction
 * (webservices/ ws_body_cap) -> body collection within the cap, the
 * global body budget and the body deadline -> SOAP work on a service
 * thread (pool.c) while the connection is suspended, or WSDL / content.c
 * on the I/O loop (both cheap).
 * Per-request state lives in *req_cls and is freed only in the completion
 * callback.  Responses are queued on the second call of the handler, never
 * the first: libmicrohttpd 0.9.75 answers "Connection: close" otherwise
 * (which is what a framing error or an oversized declared body wants).
 * Never touches TLS (relay.c hands us plaintext) or SQL, and never runs
 * an operation on the I/O loop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "server.h"
#include "ws.h"

#define HTTP_SERVER_HEADER "wsusd"

/*
 * A TLS-side daemon is driven by its relay worker, which waits on ep: an
 * epoll set of our own holding libmicrohttpd's epoll fd and wake, the
 * eventfd a service thread writes after resuming one of its connections
 * (libmicrohttpd 0.9.75 in external-epoll mode does not wake its caller
 * on a resume from another thread).
 */
struct http_daemon {
	struct MHD_Daemon *mhd;
	struct http_env   *env;
	int                is_tls;
	int                ep;      /* TLS side: what the worker waits on; else -1 */
	int                wake;    /* TLS side: eventfd; else -1 */
	struct peer_table *peers;   /* plain listener: connections per address (peer.c) */
};

/* Where a SOAP request is: read on the I/O loop, run on a service thread. */
enum http_job_state { HJ_NONE, HJ_QUEUED, HJ_DONE };

/*
 * What the first call of the handler decided, the collected body and,
 * for SOAP, the job a service thread runs.  While state is HJ_QUEUED the
 * connection is suspended: the I/O loop does not touch this request, and
 * the header values wq points to (in libmicrohttpd's per-request pool)
 * stay put until the request completes.
 */
struct http_req {
	struct pool_job        job;      /* first: http_job_run finds r from it */
	struct route           route;
	char                   path[LIMIT_PATH_BYTES];
	unsigned               early_status;   /* 0, or a status decided before the body */
	int                    is_post;
	int                    small;          /* small (pre-cookie) cap: the pre-auth budget too */
	size_t                 cap;            /* body cap of this request (ws_body_cap) */
	size_t                 body_len;
	size_t                 body_cap;       /* allocated; reserved from the budgets */
	size_t                 discarded;      /* body bytes dropped after early_status */
	unsigned long long     declared;       /* Content-Length; 0 if none */
	char                  *body;
	time_t                 deadline;       /* CLOCK_MONOTONIC s: body complete by then */
	/* SOAP job */
	enum http_job_state    state;
	struct MHD_Connection *conn;
	struct http_daemon    *hd;
	const char            *accept_encoding;
	struct advert_view     view;
	char                   peer[INET6_ADDRSTRLEN];
	struct ws_request      wq;
	struct ws_response     wr;
	int                    ws_rc;          /* 0, -1 ws_handle failed, -2 encoding failed */
	struct auth_answer     auth;           /* ApiRemoting30: auth.c's verdict */
	int                    auth_waited;    /* its delay has been served */
};

/* Bytes of request bodies buffered now, in all and pre-cookie (small cap). */
static atomic_size_t http_body_total, http_body_preauth;

/* The multipart/byteranges body generator (content with several ranges). */
struct http_multipart {
	struct content_reply rep;
	int                  part;      /* current range; nranges = trailer */
	int                  in_header; /* emitting part header bytes */
	char                 hdr[256];
	size_t               hdr_len, hdr_off;
	uint64_t             pos;       /* next byte of the current range */
};

static void
http_logger(void *cls, const char *fmt, va_list ap)
{
	char buf[512];

	(void)cls;
	if (!log_debug_enabled())
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_debug("libmicrohttpd: %s", buf);
}

static time_t
http_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/*
 * http_budget_take - reserve n more bytes of buffered body for r from the
 * global budget (and the pre-auth one for a small-cap request).  Returns
 * 0, or -1 with nothing reserved when a budget would be exceeded.
 */
static int
http_budget_take(struct http_req *r, size_t n)
{
	size_t t = atomic_fetch_add(&http_body_total, n);

	if (t + n > LIMIT_BODY_BUDGET_BYTES) {
		atomic_fetch_sub(&http_body_total, n);
		return -1;
	}
	if (r->small) {
		t = atomic_fetch_add(&http_body_preauth, n);
		if (t + n > LIMIT_BODY_BUDGET_PREAUTH_BYTES) {
			atomic_fetch_sub(&http_body_preauth, n);
			atomic_fetch_sub(&http_body_total, n);
			return -1;
		}
	}
	return 0;
}

/* http_budget_release - give back what r's body buffer reserved. */
static void
http_budget_release(struct http_req *r)
{
	if (r->body_cap == 0)
		return;
	atomic_fetch_sub(&http_body_total, r->body_cap);
	if (r->small)
		atomic_fetch_sub(&http_body_preauth, r->body_cap);
	r->body_cap = 0;
}

/*
 * http_refuse_now - answer status and close, in the middle of a body.
 * libmicrohttpd 0.9.75 queues no response before the body is complete,
 * and nothing of ours has been written on this request (its previous
 * response, if any, is fully sent before a new request is read), so the
 * short answer goes straight to the socket (relay.c encrypts it on the
 * TLS side); returning MHD_NO then closes the connection.
 */
static enum MHD_Result
http_refuse_now(struct MHD_Connection *conn, unsigned status)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_CONNECTION_FD);
	char msg[160];
	int n;

	n = snprintf(msg, sizeof(msg), "HTTP/1.1 %u %s\r\nServer: %s\r\n"
	    "Connection: close\r\nContent-Length: 0\r\n\r\n", status,
	    status == MHD_HTTP_REQUEST_TIMEOUT ? "Request Timeout" :
	    "Service Unavailable", HTTP_SERVER_HEADER);
	if (ci != NULL && n > 0) {
		ssize_t w = send(ci->connect_fd, msg, (size_t)n,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		(void)w;   /* best effort: the close is what matters */
	}
	return MHD_NO;
}

static void
http_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_req *r = *req_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (r == NULL)
		return;
	auth_answer_free(&r->auth);
	http_budget_release(r);
	free(r->body);
	ws_response_free(&r->wr);
	free(r);
	*req_cls = NULL;
}

/* TLS connections carry their admin-plane authentication (auth.c). */
static void http_peer_notify(struct http_daemon *, struct MHD_Connection *,
    void **, enum MHD_ConnectionNotificationCode);

static void
http_conn_notify(void *cls, struct MHD_Connection *conn, void **socket_ctx,
    enum MHD_ConnectionNotificationCode toe)
{
	struct http_daemon *hd = cls;

	if (!hd->is_tls) {   /* plain listener: per-address counts */
		http_peer_notify(hd, conn, socket_ctx, toe);
		return;
	}
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		*socket_ctx = auth_conn_new();
	else {
		auth_conn_free(*socket_ctx);
		*socket_ctx = NULL;
	}
}

/* Queue a response with the headers every answer carries, then drop it. */
static enum MHD_Result
http_queue(struct MHD_Connection *conn, unsigned status, struct MHD_Response *resp)
{
	enum MHD_Result ret;

	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_SERVER, HTTP_SERVER_HEADER);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * A short text/html answer for an HTTP-level error.  detail is text, not
 * markup: it is HTML-escaped here, so no caller can echo request bytes
 * into a page (the 403.4 page names the path).
 */
static enum MHD_Result
http_error(struct MHD_Connection *conn, unsigned status, const char *title,
    const char *detail)
{
	char body[LIMIT_PATH_BYTES * 6 + 512], esc[LIMIT_PATH_BYTES * 6 + 256];
	struct MHD_Response *resp;
	int n;

	route_html_escape(detail, strlen(detail), esc, sizeof(esc));
	n = snprintf(body, sizeof(body),
	    "<html><head><title>%u %s</title></head><body><h1>%u %s</h1>"
	    "<p>%s</p></body></html>\n", status, title, status, title, esc);
	if (n < 0 || (size_t)n >= sizeof(body))
		return MHD_NO;
	resp = MHD_create_response_from_buffer((size_t)n, body,
	    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/html; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "POST");
	return http_queue(conn, status, resp);
}

/* An answer built by webservices/ (SOAP or WSDL); takes ownership of body. */
static enum MHD_Result
http_ws_answer(struct MHD_Connection *conn, struct ws_response *wr,
    const char *auth_token)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(wr->body_len, wr->body,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		ws_response_free(wr);
		return MHD_NO;
	}
	wr->body = NULL;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, wr->content_type);
	if (wr->cache_control)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
		    wr->cache_control);
	if (wr->close)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	if (wr->content_encoding)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING,
		    wr->content_encoding);
	if (wr->retry_after) {
		char ra[16];

		snprintf(ra, sizeof(ra), "%u", wr->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	if (auth_token != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    auth_token);
	return http_queue(conn, wr->status, resp);
}

/* Does the query string carry a "wsdl" argument (any case, any value)? */
static enum MHD_Result
http_wsdl_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	int *found = cls;

	(void)kind;
	(void)value;
	if (strcasecmp(key, "wsdl") == 0) {
		*found = 1;
		return MHD_NO;
	}
	return MHD_YES;
}

static ssize_t
http_multipart_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct http_multipart *m = cls;
	size_t o = 0;

	(void)pos;
	while (o < max) {
		if (m->hdr_off < m->hdr_len) {
			size_t k = m->hdr_len - m->hdr_off;
			if (k > max - o)
				k = max - o;
			memcpy(buf + o, m->hdr + m->hdr_off, k);
			m->hdr_off += k;
			o += k;
			continue;
		}
		if (m->part >= m->rep.nranges)
			break;
		if (m->in_header) {
			m->in_header = 0;
			m->pos = m->rep.ranges[m->part].first;
		}
		uint64_t left = m->rep.ranges[m->part].last + 1 - m->pos;
		size_t want = left < (uint64_t)(max - o) ? (size_t)left : max - o;
		ssize_t n = pread(m->rep.fd, buf + o, want, (off_t)m->pos);
		if (n <= 0)
			return o > 0 ? (ssize_t)o : MHD_CONTENT_READER_END_WITH_ERROR;
		m->pos += (uint64_t)n;
		o += (size_t)n;
		if (m->pos > m->rep.ranges[m->part].last) {
			m->part++;
			m->in_header = 1;
			m->hdr_off = 0;
			m->hdr_len = m->part < m->rep.nranges ?
			    content_multipart_header(&m->rep, m->part, m->hdr, sizeof(m->hdr)) :
			    content_multipart_trailer(&m->rep, m->hdr, sizeof(m->hdr));
		}
	}
	return o > 0 ? (ssize_t)o : MHD_CONTENT_READER_END_OF_STREAM;
}

static void
http_multipart_free(void *cls)
{
	struct http_multipart *m = cls;

	close(m->rep.fd);
	free(m);
}

/* GET/HEAD of /Content/XX/SHA1.ext. */
static enum MHD_Result
http_content(struct http_daemon *hd, struct MHD_Connection *conn,
    struct http_req *r, int head)
{
	struct content_req cq;
	struct content_reply rep;
	struct MHD_Response *resp = NULL;
	char cr[128];
	const struct byte_range *rg = &rep.ranges[0];

	if (!content_valid_name(r->route.rest, r->route.rest_len))
		return http_error(conn, MHD_HTTP_NOT_FOUND, "Not Found",
		    "The resource you are looking for does not exist.");
	memset(&cq, 0, sizeof(cq));
	cq.head = head;
	cq.range = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
	cq.if_range = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_RANGE);
	cq.if_none_match = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_NONE_MATCH);
	cq.if_modified_since = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	if (content_open(hd->env->content_dirfd, r->route.rest, r->route.rest_len,
	    &cq, &rep) == -1)
		return http_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "Internal Server Error", "The file could not be read.");

	switch (rep.status) {
	case MHD_HTTP_NOT_FOUND:
		return http_error(conn, MHD_HTTP_NOT_FOUND, "Not Found",
		    "The resource you are looking for does not exist.");
	case MHD_HTTP_RANGE_NOT_SATISFIABLE:
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		snprintf(cr, sizeof(cr), "bytes */%" PRIu64, rep.size);
		if (resp)
			MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
		break;
	case MHD_HTTP_NOT_MODIFIED:
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		break;
	case MHD_HTTP_OK:
		/* libmicrohttpd owns fd now and sends it with sendfile(2). */
		resp = MHD_create_response_from_fd64(rep.size, rep.fd);
		if (resp == NULL)
			close(rep.fd);
		break;
	case MHD_HTTP_PARTIAL_CONTENT:
		if (rep.nranges == 1) {
			resp = MHD_create_response_from_fd_at_offset64(
			    rg->last - rg->first + 1, rep.fd, rg->first);
			if (resp == NULL) {
				close(rep.fd);
				break;
			}
			snprintf(cr, sizeof(cr), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64,
			    rg->first, rg->last, rep.size);
			MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
		} else {
			struct http_multipart *m = calloc(1, sizeof(*m));
			char ct[96];

			if (m == NULL) {
				close(rep.fd);
				break;
			}
			m->rep = rep;
			m->in_header = 1;
			m->hdr_len = content_multipart_header(&m->rep, 0, m->hdr,
			    sizeof(m->hdr));
			resp = MHD_create_response_from_callback(
			    content_multipart_length(&rep), 65536,
			    http_multipart_read, m, http_multipart_free);
			if (resp == NULL) {
				http_multipart_free(m);
				break;
			}
			snprintf(ct, sizeof(ct), "multipart/byteranges; boundary=%s",
			    rep.boundary);
			MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ct);
		}
		break;
	default:
		if (rep.fd >= 0)
			close(rep.fd);
		return http_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "Internal Server Error", "Unexpected content state.");
	}
	if (resp == NULL)
		return MHD_NO;
	if (rep.status == MHD_HTTP_OK || (rep.status == MHD_HTTP_PARTIAL_CONTENT &&
	    rep.nranges == 1))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    "application/octet-stream");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	if (rep.etag[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, rep.etag);
	if (rep.last_modified[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED,
		    rep.last_modified);
	return http_queue(conn, rep.status, resp);
}

/* The peer's address as text (the TLS relay hands over the client's). */
static const char *
http_peer(struct MHD_Connection *conn, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	const void *a;

	if (sa == NULL)
		return NULL;
	if (sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	else if (sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else
		return NULL;
	return inet_ntop(sa->sa_family, a, buf, (socklen_t)len);
}

/* http_wake - make the daemon's driver run it (TLS side; any thread). */
static void
http_wake(struct http_daemon *hd)
{
	uint64_t one = 1;

	if (hd->wake != -1) {
		ssize_t w = write(hd->wake, &one, sizeof(one));
		(void)w;   /* a full counter wakes the worker just the same */
	}
}

/*
 * http_job_run - on a service thread: run the operation and encode its
 * answer into r->wr, then resume the connection.  The resume is the last
 * touch of r: from then on the I/O loop answers and may free it.
 */
static void
http_job_run(struct pool_job *j)
{
	struct http_req *r = (struct http_req *)(void *)((char *)j -
	    offsetof(struct http_req, job));
	struct MHD_Connection *conn = r->conn;
	struct http_daemon *hd = r->hd;

	r->ws_rc = ws_handle(&r->wq, &r->wr);
	if (r->ws_rc == 0 && ws_encode(r->accept_encoding, &r->wr,
	    &r->wr.content_encoding) == -1) {
		ws_response_free(&r->wr);
		r->ws_rc = -2;
	}
	r->state = HJ_DONE;
	MHD_resume_connection(conn);
	http_wake(hd);
}

/* The answer of a finished SOAP job. */
static enum MHD_Result
http_job_answer(struct MHD_Connection *conn, struct http_req *r)
{
	if (r->ws_rc == -1)
		return http_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "Internal Server Error", "The request could not be processed.");
	if (r->ws_rc == -2)
		return http_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "Internal Server Error", "The answer could not be encoded.");
	return http_ws_answer(conn, &r->wr, r->auth.token_hdr);
}

/*
 * http_soap - a SOAP POST or a ?wsdl GET, once the body (if any) is
 * complete.  A WSDL is rendered here (a copy of an embedded file); a
 * POST becomes a job on the lane ws_is_light names, the connection
 * suspended until the job resumes it (then http_access calls
 * http_job_answer).  A full lane is answered 503 ServerBusy.
 */
static enum MHD_Result
http_soap(struct http_daemon *hd, struct MHD_Connection *conn,
    struct http_req *r)
{
	struct ws_response wr;
	struct advert_view v;
	enum pool_lane_id lane;

	if (!r->is_post) {
		int wsdl = 0;

		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, http_wsdl_arg, &wsdl);
		if (!wsdl)
			return http_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
			    "Method Not Allowed", "Web services accept POST only.");
		advert_get(&v);
		if (wsdl_render((enum ws_service)r->route.service, v.soap_url, &wr) == -1)
			return MHD_NO;
		return http_ws_answer(conn, &wr, r->auth.token_hdr);
	}
	memset(&r->wq, 0, sizeof(r->wq));
	advert_get(&r->view);
	r->wq.content_url = r->view.content_url;
	r->wq.config_gen = r->view.generation;
	r->wq.config_changed = r->view.changed_at;
	r->wq.client_ip = http_peer(conn, r->peer, sizeof(r->peer));
	r->wq.service = (enum ws_service)r->route.service;
	r->wq.soapaction = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "SOAPAction");
	r->wq.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	r->wq.body = (const uint8_t *)r->body;
	r->wq.body_len = r->body_len;
	r->wq.is_tls = hd->is_tls;
	if (r->route.service == WS_APIREMOTING) {
		r->wq.account = r->auth.account;
		r->wq.role = r->auth.role;
	}
	r->accept_encoding = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_ACCEPT_ENCODING);
	r->conn = conn;
	r->hd = hd;
	r->job.run = http_job_run;
	lane = ws_is_light(r->wq.service, r->wq.soapaction) ? POOL_LIGHT : POOL_HEAVY;

	/*
	 * Suspend first: the job may finish (and resume) before
	 * pool_submit even returns.
	 */
	r->state = HJ_QUEUED;
	MHD_suspend_connection(conn);
	if (pool_submit(&r->job, lane) == -1) {
		log_debug("%s: %s service lane full, %s answered 503", __func__,
		    lane == POOL_LIGHT ? "light" : "heavy",
		    r->wq.client_ip ? r->wq.client_ip : "?");
		r->ws_rc = ws_busy(r->wq.service, r->wq.soapaction, &r->wr);
		r->state = HJ_DONE;
		MHD_resume_connection(conn);
		http_wake(hd);
	}
	return MHD_YES;
}

/* Framing headers seen: RFC 9112 6.3. */
struct http_framing {
	int         ncl;          /* Content-Length fields */
	int         cl_differ;    /* two of them disagree */
	int         te;           /* a Transfer-Encoding field */
	const char *cl;
};

static enum MHD_Result
http_framing_hdr(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct http_framing *f = cls;

	(void)kind;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
		if (f->ncl++ > 0 && strcmp(f->cl, value ? value : "") != 0)
			f->cl_differ = 1;
		f->cl = value ? value : "";
	} else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
		f->te = 1;
	}
	return MHD_YES;
}

/*
 * http_framing_bad - 1 if the request's length is ambiguous: two
 * Content-Length fields that differ, or Content-Length together with
 * Transfer-Encoding (RFC 9112 6.3: a smuggling attempt; the server must
 * not guess, and closes after answering).  libmicrohttpd 0.9.75 takes the
 * first Content-Length, or chunked over Content-Length, without a word.
 */
static int
http_framing_bad(struct MHD_Connection *conn)
{
	struct http_framing f;

	memset(&f, 0, sizeof(f));
	MHD_get_connection_values(conn, MHD_HEADER_KIND, http_framing_hdr, &f);
	return f.cl_differ || (f.te && f.ncl > 0);
}

/*
 * http_first - the first call for a request: route it and decide what
 * can be decided from the request line and headers alone, including the
 * body cap (from the SOAPAction) and the body deadline.
 */
static struct http_req *
http_first(struct http_daemon *hd, struct MHD_Connection *conn,
    const char *url, const char *method)
{
	struct http_req *r;
	int n;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if (http_framing_bad(conn)) {
		r->early_status = MHD_HTTP_BAD_REQUEST;
		return r;
	}
	n = route_normalize(url, strlen(url), r->path, sizeof(r->path));
	if (n == -1) {
		r->early_status = MHD_HTTP_NOT_FOUND;
		return r;
	}
	route_match(r->path, (size_t)n, &r->route);
	if (r->route.kind == ROUTE_NONE) {
		r->early_status = MHD_HTTP_NOT_FOUND;
		return r;
	}
	/* Require SSL guards the whole virtual root, as IIS does (403.4). */
	if (!hd->is_tls && (r->route.sslreq_bit & hd->env->conf->ssl_require)) {
		r->early_status = MHD_HTTP_FORBIDDEN;
		return r;
	}
	if (r->route.kind == ROUTE_VROOT) {
		r->early_status = MHD_HTTP_NOT_FOUND;
		return r;
	}
	/* The admin plane: HTTPS only, whatever [ssl] require says; then who. */
	if (r->route.kind == ROUTE_SOAP && r->route.service == WS_APIREMOTING) {
		char peer[INET6_ADDRSTRLEN];
		const union MHD_ConnectionInfo *ci;

		if (!hd->is_tls) {
			r->early_status = MHD_HTTP_FORBIDDEN;
			return r;
		}
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
		auth_request(ci ? ci->socket_context : NULL,
		    MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_AUTHORIZATION), http_peer(conn, peer,
		    sizeof(peer)), &r->auth);
		if (r->auth.status != 0) {
			r->early_status = r->auth.status;
			return r;
		}
	}
	if (r->route.kind == ROUTE_CONTENT) {
		if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
		    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
			r->early_status = MHD_HTTP_METHOD_NOT_ALLOWED;
		return r;
	}
	/* ROUTE_SOAP */
	if (strcmp(method, MHD_HTTP_METHOD_POST) == 0) {
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		const char *sa = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    "SOAPAction");

		r->is_post = 1;
		if (sa && strlen(sa) > LIMIT_SOAPACTION_BYTES) {
			r->early_status = MHD_HTTP_BAD_REQUEST;
			return r;
		}
		/* The cap comes from the SOAPAction, before any body byte. */
		r->cap = ws_body_cap((enum ws_service)r->route.service, sa);
		r->small = r->cap < LIMIT_SOAP_BODY_BYTES;
		r->deadline = http_now() + LIMIT_BODY_DEADLINE_S;
		if (cl != NULL)
			r->declared = strtoull(cl, NULL, 10);
		if (r->declared > r->cap)
			r->early_status = MHD_HTTP_CONTENT_TOO_LARGE;
		else
			/* Silence while a body is due is not keep-alive idling. */
			MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
			    (unsigned)LIMIT_BODY_IDLE_S);
	} else if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
		r->early_status = MHD_HTTP_METHOD_NOT_ALLOWED;
	}
	return r;
}

/* The deferred answer's time has come (auth.c's timer thread): resume,
 * and wake the worker that waits on this daemon. */
static void
http_auth_resume(void *arg)
{
	struct http_req *r = arg;

	MHD_resume_connection(r->conn);
	http_wake(r->hd);
}

/*
 * http_auth_answer - the admin plane's 400/401/500: the offers or the
 * exchange's next token.  Bad credentials wait out their delay first: the
 * connection is suspended (no I/O thread waits) and auth.c's timer resumes
 * it, which calls the handler, which comes back here.
 */
static enum MHD_Result
http_auth_answer(struct http_daemon *hd, struct MHD_Connection *conn,
    struct http_req *r)
{
	struct MHD_Response *resp;
	static const char body[] = "<html><head><title>401 Unauthorized</title>"
	    "</head><body><h1>401 Unauthorized</h1><p>Access is denied due to "
	    "invalid credentials.</p></body></html>\n";
	if (r->auth.status == MHD_HTTP_BAD_REQUEST)
		return http_error(conn, MHD_HTTP_BAD_REQUEST, "Bad Request",
		    "Malformed or oversized Authorization header.");
	if (r->auth.status != MHD_HTTP_UNAUTHORIZED)
		return http_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "Internal Server Error", "The request could not be processed.");
	if (r->auth.delay_ms > 0 && !r->auth_waited) {
		r->auth_waited = 1;
		r->conn = conn;
		r->hd = hd;
		MHD_suspend_connection(conn);
		if (auth_defer(r->auth.delay_ms, http_auth_resume, r, hd) == -1) {
			/* Too many waiting: drop this one rather than answer early. */
			MHD_resume_connection(conn);
			return MHD_NO;
		}
		return MHD_YES;
	}
	resp = MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body,
	    MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html");
	if (r->auth.token_hdr != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    r->auth.token_hdr);
	for (int i = 0; i < r->auth.nwww; i++)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    r->auth.www[i]);
	return http_queue(conn, MHD_HTTP_UNAUTHORIZED, resp);
}

static enum MHD_Result
http_early(struct http_daemon *hd, struct MHD_Connection *conn, struct http_req *r)
{
	char msg[LIMIT_PATH_BYTES + 200];

	switch (r->early_status) {
	case MHD_HTTP_BAD_REQUEST:
		if (r->auth.status == MHD_HTTP_BAD_REQUEST)
			return http_auth_answer(hd, conn, r);
		return http_error(conn, MHD_HTTP_BAD_REQUEST, "Bad Request",
		    r->is_post ? "SOAPAction header too long." :
		    "Ambiguous message length (Content-Length and Transfer-Encoding).");
	case MHD_HTTP_FORBIDDEN:
		if (r->auth.status == MHD_HTTP_FORBIDDEN)
			return http_error(conn, MHD_HTTP_FORBIDDEN, "Forbidden",
			    "403 - This account holds no role on this server.");
		snprintf(msg, sizeof(msg), "403.4 - SSL required. The page you are "
		    "trying to access is secured with Secure Sockets Layer (SSL): "
		    "use https:// to reach %s.", r->path);
		return http_error(conn, MHD_HTTP_FORBIDDEN, "Forbidden", msg);
	case MHD_HTTP_METHOD_NOT_ALLOWED:
		return http_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "Method Not Allowed", "This method is not allowed here.");
	case MHD_HTTP_CONTENT_TOO_LARGE:
		return http_error(conn, MHD_HTTP_CONTENT_TOO_LARGE,
		    "Content Too Large", "The request body exceeds the limit.");
	case MHD_HTTP_UNAUTHORIZED:
	case MHD_HTTP_INTERNAL_SERVER_ERROR:
		return http_auth_answer(hd, conn, r);
	case MHD_HTTP_SERVICE_UNAVAILABLE:
		return http_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "Service Unavailable", "Too many request bodies at once.");
	default:
		return http_error(conn, MHD_HTTP_NOT_FOUND, "Not Found",
		    "The resource you are looking for does not exist.");
	}
}

/*
 * http_body - take n more body bytes of r.  Within r->cap, the budgets
 * and the deadline they are kept; past the cap the rest is discarded and
 * 413 answered at the end (a peer sending past twice the cap is cut
 * off); past the deadline 408, over a budget 503, both at once and
 * closing.
 */
static enum MHD_Result
http_body(struct MHD_Connection *conn, struct http_req *r, const char *data,
    size_t n)
{
	if (r->deadline != 0 && http_now() >= r->deadline) {
		log_debug("%s: request body not complete after %d s: 408",
		    __func__, LIMIT_BODY_DEADLINE_S);
		return http_refuse_now(conn, MHD_HTTP_REQUEST_TIMEOUT);
	}
	if (r->early_status != 0) {
		/*
		 * libmicrohttpd cannot queue a response in mid-body: the rest
		 * is discarded and answered at the end, but a peer that keeps
		 * sending past twice the cap loses the connection instead.
		 */
		r->discarded += n;
		return r->discarded > 2 * (r->cap ? r->cap : LIMIT_SOAP_BODY_PREAUTH_BYTES) ?
		    MHD_NO : MHD_YES;
	}
	if (!r->is_post || n > r->cap - r->body_len) {
		r->early_status = MHD_HTTP_CONTENT_TOO_LARGE;
		r->discarded = r->body_len + n;
		http_budget_release(r);
		free(r->body);
		r->body = NULL;
		r->body_len = 0;
		return MHD_YES;
	}
	if (r->body_len + n > r->body_cap) {
		size_t cap = r->body_cap ? r->body_cap : 8192;
		char *nb;

		while (cap < r->body_len + n)
			cap *= 2;
		if (cap > r->cap)
			cap = r->cap;
		/* The budgets count what is allocated, before it is. */
		if (http_budget_take(r, cap - r->body_cap) == -1) {
			log_debug("%s: body budget exhausted (%zu bytes buffered): 503",
			    __func__, atomic_load(&http_body_total));
			return http_refuse_now(conn, MHD_HTTP_SERVICE_UNAVAILABLE);
		}
		if ((nb = realloc(r->body, cap)) == NULL) {
			atomic_fetch_sub(&http_body_total, cap - r->body_cap);
			if (r->small)
				atomic_fetch_sub(&http_body_preauth, cap - r->body_cap);
			return MHD_NO;
		}
		r->body = nb;
		r->body_cap = cap;
	}
	memcpy(r->body + r->body_len, data, n);
	r->body_len += n;
	return MHD_YES;
}

static enum MHD_Result
http_access(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **req_cls)
{
	struct http_daemon *hd = cls;
	struct http_req *r = *req_cls;

	(void)version;
	if (r == NULL) {
		if ((r = http_first(hd, conn, url, method)) == NULL)
			return MHD_NO;
		*req_cls = r;
		/*
		 * Refused before the body is read: an ambiguous length, a
		 * SOAPAction over its cap, a declared body over twice its cap.
		 * Answering on this first call makes libmicrohttpd close after
		 * the answer (a peer still sending may see a reset instead).  A
		 * smaller overshoot is drained unbuffered and answered 413 at
		 * its end, on a connection that stays open.
		 */
		if ((r->early_status == MHD_HTTP_CONTENT_TOO_LARGE &&
		    r->declared > 2 * (unsigned long long)r->cap) ||
		    r->early_status == MHD_HTTP_BAD_REQUEST)
			return http_early(hd, conn, r);
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		return http_body(conn, r, upload_data, n);
	}
	if (r->is_post && r->deadline != 0) {
		/* The body is complete: back to the keep-alive idle timeout. */
		MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
		    (unsigned)LIMIT_IDLE_TIMEOUT_S);
		r->deadline = 0;
	}
	if (r->state == HJ_DONE)
		return http_job_answer(conn, r);
	if (r->state == HJ_QUEUED)
		return MHD_YES;   /* not expected: suspended until the job is done */
	if (r->early_status != 0)
		return http_early(hd, conn, r);
	if (r->route.kind == ROUTE_CONTENT)
		return http_content(hd, conn, r,
		    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0);
	return http_soap(hd, conn, r);
}

/*
 * Route on the raw request target: libmicrohttpd would percent-decode the
 * path (and arguments) before the access handler sees it; keep the bytes
 * as sent, so route_normalize refuses "%" and what is routed is what the
 * client wrote.
 */
static size_t
http_no_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls;
	(void)conn;
	return strlen(s);
}

/*
 * Per-address limit of the plain listener, keyed as peer.c keys it (IPv6
 * by /64; libmicrohttpd's own per-IP limit counts every /128): the accept
 * policy refuses an address at the limit, the connection notifications
 * count.  Accepts racing on several threads may pass the limit by at
 * most one per thread; *socket_context marks the counted ones.
 */
static enum MHD_Result
http_accept_policy(void *cls, const struct sockaddr *sa, socklen_t salen)
{
	struct http_daemon *hd = cls;
	struct peer_key k;

	if (peer_key(sa, salen, &k) == -1)
		return MHD_YES;
	return peer_table_count(hd->peers, &k) >= LIMIT_CONNECTIONS_PER_IP ?
	    MHD_NO : MHD_YES;
}

static int http_counted;   /* the *socket_context of a counted connection */

static void
http_peer_notify(struct http_daemon *hd, struct MHD_Connection *conn,
    void **socket_context, enum MHD_ConnectionNotificationCode code)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	struct peer_key k;

	if (sa == NULL || peer_key(sa, sa->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in), &k) == -1)
		return;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		if (peer_table_add(hd->peers, &k) == 0)
			*socket_context = &http_counted;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED &&
	    *socket_context == &http_counted) {
		peer_table_del(hd->peers, &k);
		*socket_context = NULL;
	}
}

/* Options every daemon gets; the limits come from limits.h. */
#define HTTP_COMMON_OPTIONS(hd, maxconn)					\
	MHD_OPTION_EXTERNAL_LOGGER, http_logger, (void *)(hd),			\
	MHD_OPTION_UNESCAPE_CALLBACK, http_no_unescape, (void *)(hd),		\
	MHD_OPTION_CONNECTION_LIMIT, (unsigned)(maxconn),			\
	MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)LIMIT_CONNECTIONS_PER_IP,	\
	MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)LIMIT_CONNECTION_MEMORY_BYTES, \
	MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)LIMIT_IDLE_TIMEOUT_S,		\
	MHD_OPTION_NOTIFY_COMPLETED, http_completed, (void *)(hd),		\
	MHD_OPTION_NOTIFY_CONNECTION, http_conn_notify, (void *)(hd)

struct http_daemon *
http_start_plain(int listen_fd, unsigned nthreads, struct http_env *env)
{
	struct http_daemon *hd;

	if ((hd = calloc(1, sizeof(*hd))) == NULL)
		return NULL;
	hd->env = env;
	hd->is_tls = 0;
	hd->ep = hd->wake = -1;
	if ((hd->peers = peer_table_new(LIMIT_CONNECTIONS_PER_IP)) == NULL) {
		free(hd);
		return NULL;
	}
	hd->mhd = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
	    MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME, 0, http_accept_policy, hd, http_access, hd,
	    HTTP_COMMON_OPTIONS(hd, env->max_plain_conns ? env->max_plain_conns :
	    LIMIT_CONNECTIONS),
	    MHD_OPTION_LISTEN_SOCKET, listen_fd,
	    MHD_OPTION_THREAD_POOL_SIZE, nthreads,
	    MHD_OPTION_END);
	if (hd->mhd == NULL) {
		log_warnx("%s: MHD_start_daemon failed", __func__);
		peer_table_free(hd->peers);
		free(hd);
		return NULL;
	}
	return hd;
}

struct http_daemon *
http_start_tls_side(unsigned max_conns, struct http_env *env)
{
	const union MHD_DaemonInfo *i;
	struct http_daemon *hd;
	struct epoll_event ev;

	if ((hd = calloc(1, sizeof(*hd))) == NULL)
		return NULL;
	hd->env = env;
	hd->is_tls = 1;
	hd->ep = hd->wake = -1;
	/*
	 * Suspend/resume brings an inter-thread channel into the daemon's
	 * epoll set: a service thread's resume wakes the relay worker.
	 */
	hd->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_NO_LISTEN_SOCKET |
	    MHD_USE_ERROR_LOG | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL, http_access, hd,
	    HTTP_COMMON_OPTIONS(hd, max_conns),
	    MHD_OPTION_END);
	if (hd->mhd == NULL) {
		log_warnx("%s: MHD_start_daemon failed", __func__);
		free(hd);
		return NULL;
	}
	if ((i = MHD_get_daemon_info(hd->mhd, MHD_DAEMON_INFO_EPOLL_FD)) == NULL ||
	    (hd->ep = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (hd->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		log_warn("%s: epoll/eventfd", __func__);
		http_stop(hd);
		return NULL;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = i->epoll_fd;
	if (epoll_ctl(hd->ep, EPOLL_CTL_ADD, i->epoll_fd, &ev) == -1) {
		log_warn("%s: epoll_ctl", __func__);
		http_stop(hd);
		return NULL;
	}
	ev.data.fd = hd->wake;
	if (epoll_ctl(hd->ep, EPOLL_CTL_ADD, hd->wake, &ev) == -1) {
		log_warn("%s: epoll_ctl", __func__);
		http_stop(hd);
		return NULL;
	}
	return hd;
}

int
http_epoll_fd(struct http_daemon *d)
{
	return d->ep;
}

int
http_add_conn(struct http_daemon *d, int fd, const struct sockaddr *sa,
    socklen_t salen)
{
	return MHD_add_connection(d->mhd, fd, sa, salen) == MHD_YES ? 0 : -1;
}

void
http_run(struct http_daemon *d)
{
	uint64_t n;

	/* A resume from a service thread: take the connection back first. */
	if (d->wake != -1 && read(d->wake, &n, sizeof(n)) == (ssize_t)sizeof(n))
		MHD_run(d->mhd);
	MHD_run(d->mhd);
}

long
http_timeout_ms(struct http_daemon *d)
{
	MHD_UNSIGNED_LONG_LONG t;

	if (MHD_get_timeout(d->mhd, &t) != MHD_YES)
		return -1;
	return t > 1000000 ? 1000000 : (long)t;
}

void
http_stop(struct http_daemon *d)
{
	if (d == NULL)
		return;
	auth_defer_cancel(d);    /* resume every connection waiting out a delay */
	if (d->mhd != NULL)
		MHD_stop_daemon(d->mhd);
	peer_table_free(d->peers);
	if (d->ep != -1)
		close(d->ep);
	if (d->wake != -1)
		close(d->wake);
	free(d);
}
