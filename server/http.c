/*
 * http.c - the only user of libmicrohttpd: the daemons, the access
 * handler, per-request state and the conversion of results into HTTP
 * responses.
 *
 * Request path: route (route.c) -> Require SSL check -> method check ->
 * body collection with a cap -> webservices/ (SOAP, WSDL) or content.c.
 * Per-request state lives in *req_cls and is freed only in the completion
 * callback.  Responses are queued on the second call of the handler, never
 * the first: libmicrohttpd 0.9.75 answers "Connection: close" otherwise.
 * Never touches TLS (relay.c hands us plaintext) or SQL.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <microhttpd.h>

#include "server.h"
#include "ws.h"

#define HTTP_SERVER_HEADER "wsusd"

struct http_daemon {
	struct MHD_Daemon *mhd;
	struct http_env   *env;
	int                is_tls;
};

/* What the first call of the handler decided, and the collected body. */
struct http_req {
	struct route  route;
	char          path[LIMIT_PATH_BYTES];
	unsigned      early_status;   /* 0, or a status decided before the body */
	int           is_post;
	size_t        body_len;
	size_t        body_cap;
	size_t        discarded;      /* body bytes dropped after early_status */
	char         *body;
	struct auth_answer auth;      /* ApiRemoting30: auth.c's verdict */
	int           auth_waited;    /* its delay has been served */
};

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
	free(r->body);
	free(r);
	*req_cls = NULL;
}

/* TLS connections carry their admin-plane authentication (auth.c). */
static void
http_conn_notify(void *cls, struct MHD_Connection *conn, void **socket_ctx,
    enum MHD_ConnectionNotificationCode toe)
{
	struct http_daemon *hd = cls;

	(void)conn;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		*socket_ctx = hd->is_tls ? auth_conn_new() : NULL;
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
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* A short text/html answer for an HTTP-level error. */
static enum MHD_Result
http_error(struct MHD_Connection *conn, unsigned status, const char *title,
    const char *detail)
{
	char body[512];
	struct MHD_Response *resp;
	int n;

	n = snprintf(body, sizeof(body),
	    "<html><head><title>%u %s</title></head><body><h1>%u %s</h1>"
	    "<p>%s</p></body></html>\n", status, title, status, title, detail);
	resp = MHD_create_response_from_buffer((size_t)n, body,
	    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html");
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

/* A SOAP POST or a ?wsdl GET, once the body (if any) is complete. */
static enum MHD_Result
http_soap(struct http_daemon *hd, struct MHD_Connection *conn,
    struct http_req *r)
{
	struct ws_response wr;
	struct ws_request wq;
	struct advert_view v;
	char peer[INET6_ADDRSTRLEN];

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
	memset(&wq, 0, sizeof(wq));
	advert_get(&v);
	wq.content_url = v.content_url;
	wq.config_gen = v.generation;
	wq.config_changed = v.changed_at;
	wq.client_ip = http_peer(conn, peer, sizeof(peer));
	wq.service = (enum ws_service)r->route.service;
	wq.soapaction = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "SOAPAction");
	if (wq.soapaction && strlen(wq.soapaction) > LIMIT_SOAPACTION_BYTES)
		return http_error(conn, MHD_HTTP_BAD_REQUEST, "Bad Request",
		    "SOAPAction header too long.");
	wq.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	wq.body = (const uint8_t *)r->body;
	wq.body_len = r->body_len;
	wq.is_tls = hd->is_tls;
	if (r->route.service == WS_APIREMOTING) {
		wq.account = r->auth.account;
		wq.role = r->auth.role;
	}
	if (ws_handle(&wq, &wr) == -1)
		return http_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "Internal Server Error", "The request could not be processed.");
	if (ws_encode(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_ACCEPT_ENCODING), &wr, &wr.content_encoding) == -1) {
		ws_response_free(&wr);
		return http_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "Internal Server Error", "The answer could not be encoded.");
	}
	return http_ws_answer(conn, &wr, r->auth.token_hdr);
}

/*
 * http_first - the first call for a request: route it and decide what
 * can be decided from the request line and headers alone.
 */
static struct http_req *
http_first(struct http_daemon *hd, struct MHD_Connection *conn,
    const char *url, const char *method)
{
	struct http_req *r;
	int n;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
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

		r->is_post = 1;
		if (cl != NULL && strtoull(cl, NULL, 10) > LIMIT_SOAP_BODY_BYTES)
			r->early_status = MHD_HTTP_CONTENT_TOO_LARGE;
	} else if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
		r->early_status = MHD_HTTP_METHOD_NOT_ALLOWED;
	}
	return r;
}

/* The deferred answer's time has come (auth.c's timer thread). */
static void
http_resume(void *conn)
{
	MHD_resume_connection(conn);
}

/*
 * http_auth_answer - the admin plane's 400/401/500: the offers or the
 * exchange's next token.  Bad credentials wait out their delay first: the
 * connection is suspended (no I/O thread waits) and auth.c's timer resumes
 * it, which calls the handler, which comes back here.
 */
static enum MHD_Result
http_auth_answer(struct MHD_Connection *conn, struct http_req *r)
{
	struct MHD_Response *resp;
	static const char body[] = "<html><head><title>401 Unauthorized</title>"
	    "</head><body><h1>401 Unauthorized</h1><p>Access is denied due to "
	    "invalid credentials.</p></body></html>\n";
	const union MHD_ConnectionInfo *ci;

	if (r->auth.status == MHD_HTTP_BAD_REQUEST)
		return http_error(conn, MHD_HTTP_BAD_REQUEST, "Bad Request",
		    "Malformed or oversized Authorization header.");
	if (r->auth.status != MHD_HTTP_UNAUTHORIZED)
		return http_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "Internal Server Error", "The request could not be processed.");
	if (r->auth.delay_ms > 0 && !r->auth_waited) {
		r->auth_waited = 1;
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_DAEMON);
		MHD_suspend_connection(conn);
		if (ci == NULL || auth_defer(r->auth.delay_ms, http_resume, conn,
		    ci->daemon) == -1) {
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
http_early(struct MHD_Connection *conn, struct http_req *r)
{
	char msg[LIMIT_PATH_BYTES + 200];

	switch (r->early_status) {
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
	case MHD_HTTP_BAD_REQUEST:
	case MHD_HTTP_INTERNAL_SERVER_ERROR:
		return http_auth_answer(conn, r);
	default:
		return http_error(conn, MHD_HTTP_NOT_FOUND, "Not Found",
		    "The resource you are looking for does not exist.");
	}
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
		/* An oversized declared body is refused before it is read. */
		if (r->early_status == MHD_HTTP_CONTENT_TOO_LARGE)
			return http_early(conn, r);
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (r->early_status != 0) {
			/*
			 * libmicrohttpd cannot queue a response in mid-body: the
			 * rest is discarded and answered at the end, but a peer
			 * that keeps sending past twice the cap loses the
			 * connection instead.
			 */
			r->discarded += n;
			return r->discarded > LIMIT_SOAP_BODY_BYTES ? MHD_NO : MHD_YES;
		}
		if (!r->is_post || n > LIMIT_SOAP_BODY_BYTES - r->body_len) {
			r->early_status = MHD_HTTP_CONTENT_TOO_LARGE;
			r->discarded = r->body_len + n;
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
			if (cap > LIMIT_SOAP_BODY_BYTES)
				cap = LIMIT_SOAP_BODY_BYTES;
			if ((nb = realloc(r->body, cap)) == NULL)
				return MHD_NO;
			r->body = nb;
			r->body_cap = cap;
		}
		memcpy(r->body + r->body_len, upload_data, n);
		r->body_len += n;
		return MHD_YES;
	}
	if (r->early_status != 0)
		return http_early(conn, r);
	if (r->route.kind == ROUTE_CONTENT)
		return http_content(hd, conn, r,
		    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0);
	return http_soap(hd, conn, r);
}

/* Options every daemon gets; the limits come from limits.h. */
#define HTTP_COMMON_OPTIONS(hd, maxconn)					\
	MHD_OPTION_EXTERNAL_LOGGER, http_logger, (void *)(hd),			\
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
	hd->mhd = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
	    MHD_USE_TURBO, 0, NULL, NULL, http_access, hd,
	    HTTP_COMMON_OPTIONS(hd, LIMIT_CONNECTIONS),
	    MHD_OPTION_LISTEN_SOCKET, listen_fd,
	    MHD_OPTION_THREAD_POOL_SIZE, nthreads,
	    MHD_OPTION_END);
	if (hd->mhd == NULL) {
		log_warnx("%s: MHD_start_daemon failed", __func__);
		free(hd);
		return NULL;
	}
	return hd;
}

struct http_daemon *
http_start_tls_side(unsigned max_conns, struct http_env *env)
{
	struct http_daemon *hd;

	if ((hd = calloc(1, sizeof(*hd))) == NULL)
		return NULL;
	hd->env = env;
	hd->is_tls = 1;
	hd->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_NO_LISTEN_SOCKET |
	    MHD_USE_ERROR_LOG | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL, http_access, hd,
	    HTTP_COMMON_OPTIONS(hd, max_conns),
	    MHD_OPTION_END);
	if (hd->mhd == NULL) {
		log_warnx("%s: MHD_start_daemon failed", __func__);
		free(hd);
		return NULL;
	}
	return hd;
}

int
http_epoll_fd(struct http_daemon *d)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(d->mhd,
	    MHD_DAEMON_INFO_EPOLL_FD);

	return i ? i->epoll_fd : -1;
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
	auth_defer_cancel(d->mhd);    /* resume every waiting connection first */
	MHD_stop_daemon(d->mhd);
	free(d);
}
