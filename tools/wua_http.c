/*
 * wua_http.c - wsusclient's only libcurl user: SOAP POSTs the way a native
 * Windows Update Agent sends them, and Range GETs of content the way
 * Delivery Optimization fetches it.
 *
 * Owns: the two CURL easy handles (one for SOAP, reused so the TLS
 * connection stays up between operations like WUA's keep-alive; one for
 * /Content/ on the plain-HTTP content port), TLS trust (--ca, --pin),
 * response bounds, xpress decoding and the SOAP fault shape.
 *
 * TLS pinning (--pin FILE): FILE becomes the only set of trust anchors,
 * replacing --ca and the system store.  OpenSSL (through curl, which sets
 * X509_V_FLAG_PARTIAL_CHAIN unless told otherwise) then accepts the
 * server only if its leaf or a CA certificate in its chain is one of the
 * PEM certificates in FILE - the behaviour of a WSUS client whose
 * WindowsServerUpdateServices certificate store is the pin set.  Host
 * name verification stays on.
 *
 * Never does: follow redirects, accept more than WUA_BODY_MAX bytes of an
 * answer (raw or decoded), or trust a Content-Range it did not ask for.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "wua.h"
#include "xpress.h"

#define WUA_USER_AGENT  "Windows-Update-Agent/1507.2601.30012.0 Client-Protocol/2.90"
#define WUA_DO_AGENT    "Microsoft-Delivery-Optimization/10.1"
#define WUA_SOAP_ENV    "http://schemas.xmlsoap.org/soap/envelope/"
#define WUA_TIMEOUT_S   300L
#define WUA_CONNECT_S   15L

/* A bounded memory sink for answers. */
struct http_sink {
	char   *p;
	size_t  len, cap;
	int     overflow;
};

/* Headers we look at. */
struct http_heads {
	char encoding[32];
	char range[128];
};

/* A file sink for content: at most room bytes. */
struct http_fsink {
	int      fd;
	uint64_t room, got;
	int      overflow, ioerr;
};

/*
 * http_on_body - libcurl write callback for SOAP answers: append to the
 * sink, NUL-terminated, refusing (and flagging) anything past
 * WUA_BODY_MAX so a hostile server cannot make us allocate without bound.
 */
static size_t
http_on_body(char *data, size_t sz, size_t nm, void *arg)
{
	struct http_sink *s = arg;
	size_t n = sz * nm, ncap;
	char *np;

	if (n > WUA_BODY_MAX - s->len) {
		s->overflow = 1;
		return 0;
	}
	if (s->len + n + 1 > s->cap) {
		ncap = s->cap ? s->cap : 16384;
		while (ncap < s->len + n + 1)
			ncap *= 2;
		if ((np = realloc(s->p, ncap)) == NULL)
			return 0;
		s->p = np;
		s->cap = ncap;
	}
	memcpy(s->p + s->len, data, n);
	s->len += n;
	s->p[s->len] = '\0';
	return n;
}

/*
 * http_header_value - when line (n bytes, as libcurl hands it, CRLF
 * included) is header name (case-insensitive), copy its value into out,
 * trimmed and truncated to outlen.  Other lines leave out untouched.
 */
static void
http_header_value(const char *line, size_t n, const char *name, char *out,
    size_t outlen)
{
	size_t nl = strlen(name), v;

	if (n <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return;
	for (v = nl + 1; v < n && (line[v] == ' ' || line[v] == '\t'); v++)
		;
	while (n > v && (line[n - 1] == '\r' || line[n - 1] == '\n' ||
	    line[n - 1] == ' '))
		n--;
	snprintf(out, outlen, "%.*s", (int)(n - v), line + v);
}

/* libcurl header callback: keep Content-Encoding and Content-Range. */
static size_t
http_on_header(char *data, size_t sz, size_t nm, void *arg)
{
	struct http_heads *h = arg;
	size_t n = sz * nm;

	/* A new status line (e.g. after 100 Continue) starts a new set. */
	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0)
		memset(h, 0, sizeof(*h));
	http_header_value(data, n, "Content-Encoding", h->encoding, sizeof(h->encoding));
	http_header_value(data, n, "Content-Range", h->range, sizeof(h->range));
	return n;
}

/*
 * http_on_file - libcurl write callback for content: write through to the
 * temporary file, stopping the transfer (overflow) once the server sends
 * more than the file can still hold, or on a write error (ioerr).
 */
static size_t
http_on_file(char *data, size_t sz, size_t nm, void *arg)
{
	struct http_fsink *s = arg;
	size_t n = sz * nm, off = 0;

	if (n > s->room - s->got) {
		s->overflow = 1;
		return 0;
	}
	while (off < n) {
		ssize_t k = write(s->fd, data + off, n - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			s->ioerr = errno ? errno : EIO;
			return 0;
		}
		off += (size_t)k;
	}
	s->got += n;
	return n;
}

/*
 * http_common - options both handles share: verification always on (peer
 * and host name), TLS 1.2 at least (what wsusd speaks), HTTP/1.1 (WUA
 * does not speak h2), no redirects, http/https only, bounded connect and
 * transfer times, and the trust anchors: --pin, else --ca, else the
 * system store.  0 or -1.
 */
static int
http_common(struct wua *w, CURL *h)
{
	const char *anchors = w->pin != NULL ? w->pin : w->ca;

	if (curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, WUA_CONNECT_S) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_TIMEOUT, WUA_TIMEOUT_S) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK)
		return -1;
	if (anchors != NULL) {
		/* Only these anchors: no system store next to them. */
		if (curl_easy_setopt(h, CURLOPT_CAINFO, anchors) != CURLE_OK ||
		    curl_easy_setopt(h, CURLOPT_CAPATH, NULL) != CURLE_OK)
			return -1;
	}
	if (w->resolve_list != NULL &&
	    curl_easy_setopt(h, CURLOPT_RESOLVE, w->resolve_list) != CURLE_OK)
		return -1;
	if (w->verbose > 1)
		curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	return 0;
}

/*
 * wua_http_init - global libcurl state, the --resolve list and both easy
 * handles with their shared options.  0 or -1; wua_http_free releases
 * whatever was made either way.
 */
int
wua_http_init(struct wua *w)
{
	struct curl_slist *l = NULL, *nl;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	for (int i = 0; i < w->nresolve; i++) {
		if ((nl = curl_slist_append(l, w->resolve[i])) == NULL) {
			curl_slist_free_all(l);
			return -1;
		}
		l = nl;
	}
	w->resolve_list = l;
	if ((w->soap = curl_easy_init()) == NULL ||
	    (w->content = curl_easy_init()) == NULL ||
	    http_common(w, w->soap) == -1 || http_common(w, w->content) == -1)
		return -1;
	return 0;
}

void
wua_http_free(struct wua *w)
{
	if (w->soap != NULL)
		curl_easy_cleanup(w->soap);
	if (w->content != NULL)
		curl_easy_cleanup(w->content);
	curl_slist_free_all(w->resolve_list);
	w->soap = w->content = w->resolve_list = NULL;
	curl_global_cleanup();
}

void
wua_reply_free(struct wua_reply *r)
{
	if (r == NULL)
		return;
	xml_free(r->doc);
	r->doc = NULL;
	r->resp = NULL;
}

/*
 * http_curl_error - report a failed transfer and set w->error.  With
 * --pin, a verification failure means no certificate of the chain is
 * pinned (FILE being the only anchors), hence the pinning sentence tests
 * look for; the library's reason follows on stderr.  w->tls_refused tells
 * callers not to go on with other requests.
 */
static void
http_curl_error(struct wua *w, CURLcode rc, const char *url, const char *errbuf)
{
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);

	if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
	    rc == CURLE_SSL_CONNECT_ERROR) {
		w->tls_refused = 1;
		if (w->pin != NULL && rc != CURLE_SSL_CONNECT_ERROR) {
			wua_say("TLS certificate pinning: the server's certificate "
			    "chain does not contain a pinned certificate");
			fprintf(stderr, "wsusclient: %s: %s\n", url, why);
			snprintf(w->error, sizeof(w->error), "TlsPinning");
			return;
		}
		snprintf(w->error, sizeof(w->error), "TlsVerification");
		fprintf(stderr, "wsusclient: TLS verification of %s failed: %s\n",
		    url, why);
		return;
	}
	snprintf(w->error, sizeof(w->error), "Transport");
	fprintf(stderr, "wsusclient: %s: %s\n", url, why);
}

/*
 * http_fault - the ErrorCode of a SOAP fault in doc into fault (the detail
 * children are unqualified, MS-WUSP §2.2.2.4).  1 when it is a WSUS
 * fault, 0 when it is some other SOAP fault (faultstring printed).
 */
static int
http_fault(const struct xml_node *body, char *fault, size_t faultlen)
{
	const struct xml_node *f = xml_child(body, "Fault");
	const char *code, *fs;

	if (f == NULL)
		return 0;
	code = wua_text(xml_child(f, "detail"), "ErrorCode");
	if (code != NULL && code[0] != '\0' && strlen(code) < faultlen) {
		snprintf(fault, faultlen, "%s", code);
		return 1;
	}
	fs = wua_text(f, "faultstring");
	fprintf(stderr, "wsusclient: SOAP fault without ErrorCode: %.300s\n",
	    fs ? fs : "(no faultstring)");
	return 0;
}

int
wua_http_soap(struct wua *w, const char *url, const char *ns, const char *op,
    const char *body, size_t len, struct wua_reply *r)
{
	static const struct xml_limits lim = {
		WUA_BODY_MAX, WUA_XML_DEPTH, WUA_XML_ELEMENTS, WUA_XML_TEXT
	};
	struct curl_slist *hd = NULL, *nl;
	struct http_sink sink = { NULL, 0, 0, 0 };
	struct http_heads heads;
	struct wbuf env;
	char errbuf[CURL_ERROR_SIZE], err[256], action[512], want[128];
	const char *text;
	uint8_t *dec = NULL;
	size_t tlen, declen;
	struct xml_node *root, *b;
	long status = 0;
	CURLcode rc;
	int ret = -1;
	const char *const fixed[] = {
		"Content-Type: text/xml; charset=utf-8",
		"Accept-Encoding: xpress",
		"User-Agent: " WUA_USER_AGENT,
		"Cache-Control: no-cache",
		"Pragma: no-cache",
		"Connection: Keep-Alive",
		"Accept:",          /* WUA sends none; curl would add one */
		"Expect:",          /* nor 100-continue */
	};

	memset(r, 0, sizeof(*r));
	memset(&heads, 0, sizeof(heads));
	errbuf[0] = '\0';
	wbuf_init(&env, len + 512);
	wbuf_printf(&env, "<s:Envelope xmlns:s=\"" WUA_SOAP_ENV "\"><s:Body><%s "
	    "xmlns=\"%s\">", op, ns);
	wbuf_put(&env, body, len);
	wbuf_printf(&env, "</%s></s:Body></s:Envelope>", op);
	snprintf(action, sizeof(action), "SOAPAction: \"%s/%s\"", ns, op);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if ((nl = curl_slist_append(hd, fixed[i])) == NULL)
			goto out;
		hd = nl;
	}
	if ((nl = curl_slist_append(hd, action)) == NULL)
		goto out;
	hd = nl;
	if (env.oom)
		goto out;

	wua_debug(w, "POST %s %s (%zu bytes)", url, op, env.len);
	curl_easy_setopt(w->soap, CURLOPT_URL, url);
	curl_easy_setopt(w->soap, CURLOPT_POST, 1L);
	curl_easy_setopt(w->soap, CURLOPT_POSTFIELDS, env.p);
	curl_easy_setopt(w->soap, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)env.len);
	curl_easy_setopt(w->soap, CURLOPT_HTTPHEADER, hd);
	curl_easy_setopt(w->soap, CURLOPT_WRITEFUNCTION, http_on_body);
	curl_easy_setopt(w->soap, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(w->soap, CURLOPT_HEADERFUNCTION, http_on_header);
	curl_easy_setopt(w->soap, CURLOPT_HEADERDATA, &heads);
	curl_easy_setopt(w->soap, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(w->soap);
	curl_easy_setopt(w->soap, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(w->soap, CURLOPT_ERRORBUFFER, NULL);
	if (sink.overflow) {
		fprintf(stderr, "wsusclient: %s answer to %s exceeds %u bytes\n",
		    url, op, WUA_BODY_MAX);
		snprintf(w->error, sizeof(w->error), "ResponseTooLarge");
		goto out;
	}
	if (rc != CURLE_OK) {
		http_curl_error(w, rc, url, errbuf);
		goto out;
	}
	curl_easy_getinfo(w->soap, CURLINFO_RESPONSE_CODE, &status);
	text = sink.p ? sink.p : "";
	tlen = sink.len;
	if (strcasecmp(heads.encoding, "xpress") == 0) {
		if (xpress_decode((const uint8_t *)text, tlen, WUA_BODY_MAX,
		    &dec, &declen) == -1) {
			fprintf(stderr, "wsusclient: %s: bad xpress body (%zu bytes) "
			    "in answer to %s\n", url, tlen, op);
			snprintf(w->error, sizeof(w->error), "BadXpress");
			goto out;
		}
		text = (const char *)dec;
		tlen = declen;
		wua_debug(w, "xpress: %zu -> %zu bytes", sink.len, declen);
	} else if (heads.encoding[0] != '\0') {
		fprintf(stderr, "wsusclient: %s: unexpected Content-Encoding \"%s\"\n",
		    url, heads.encoding);
		snprintf(w->error, sizeof(w->error), "BadEncoding");
		goto out;
	}
	if (status != 200 && status != 500) {
		fprintf(stderr, "wsusclient: %s: HTTP %ld for %s\n", url, status, op);
		snprintf(w->error, sizeof(w->error), "HTTP%ld", status);
		goto out;
	}
	if ((r->doc = xml_parse(text, tlen, &lim, err, sizeof(err))) == NULL) {
		fprintf(stderr, "wsusclient: %s: HTTP %ld, answer to %s is not XML "
		    "(%s)\n", url, status, op, err);
		snprintf(w->error, sizeof(w->error), "BadXml");
		goto out;
	}
	root = xml_root(r->doc);
	if (strcmp(root->local, "Envelope") != 0 ||
	    (b = xml_child(root, "Body")) == NULL) {
		fprintf(stderr, "wsusclient: %s: answer to %s is not a SOAP envelope\n",
		    url, op);
		snprintf(w->error, sizeof(w->error), "BadEnvelope");
		goto out;
	}
	if (status == 500) {
		if (http_fault(b, r->fault, sizeof(r->fault)) == 1) {
			wua_debug(w, "%s: fault %s", op, r->fault);
			ret = 1;
		} else {
			snprintf(w->error, sizeof(w->error), "SoapFault");
		}
		goto out;
	}
	snprintf(want, sizeof(want), "%sResponse", op);
	if ((r->resp = xml_child(b, want)) == NULL) {
		fprintf(stderr, "wsusclient: %s: answer to %s has no <%s>\n",
		    url, op, want);
		snprintf(w->error, sizeof(w->error), "BadResponse");
		goto out;
	}
	ret = 0;
out:
	if (ret != 0) {
		xml_free(r->doc);
		r->doc = NULL;
		r->resp = NULL;
	}
	curl_slist_free_all(hd);
	wbuf_free(&env);
	free(sink.p);
	free(dec);
	return ret;
}

/* "bytes A-B/T" or "bytes * /T" (no space): fill a, b, total (-1 unknown). */
static int
http_content_range(const char *v, int64_t *a, int64_t *b, int64_t *total)
{
	const char *slash = strchr(v, '/'), *dash;

	*a = *b = *total = -1;
	if (strncasecmp(v, "bytes ", 6) != 0 || slash == NULL)
		return -1;
	if (strcmp(slash + 1, "*") != 0 &&
	    wua_parse_i64(slash + 1, strlen(slash + 1), 0, INT64_MAX, total) == -1)
		return -1;
	v += 6;
	if (*v == '*')
		return 0;
	if ((dash = strchr(v, '-')) == NULL || dash > slash ||
	    wua_parse_i64(v, (size_t)(dash - v), 0, INT64_MAX, a) == -1 ||
	    wua_parse_i64(dash + 1, (size_t)(slash - dash - 1), 0, INT64_MAX, b) == -1 ||
	    *b < *a)
		return -1;
	return 0;
}

/*
 * wua_http_fetch - see wua.h.  Range requests of WUA_RANGE_BYTES in file
 * order (real DO shuffles them; the server must not care).  Every answer
 * is checked against what was asked: a 206 must start at the requested
 * offset, stay inside the requested range and carry exactly the bytes its
 * Content-Range names; a total size other than the metadata's is a size
 * mismatch (reported as a hash failure, as WUA does); a 200 is accepted
 * only for the first request and only with exactly size bytes.
 */
int32_t
wua_http_fetch(struct wua *w, const char *url, uint64_t size, int fd,
    int64_t *served, char *why, size_t whylen)
{
	struct curl_slist *hd = NULL, *nl;
	struct http_heads heads;
	char errbuf[CURL_ERROR_SIZE], range[64];
	uint64_t off = 0;
	int32_t ret = 0;

	*served = -1;
	why[0] = '\0';
	if ((nl = curl_slist_append(hd, "User-Agent: " WUA_DO_AGENT)) == NULL)
		return WUA_HR_NOTDL;
	hd = nl;
	if ((nl = curl_slist_append(hd, "Accept:")) == NULL) {
		curl_slist_free_all(hd);
		return WUA_HR_NOTDL;
	}
	hd = nl;
	curl_easy_setopt(w->content, CURLOPT_URL, url);
	curl_easy_setopt(w->content, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(w->content, CURLOPT_HTTPHEADER, hd);
	curl_easy_setopt(w->content, CURLOPT_WRITEFUNCTION, http_on_file);
	curl_easy_setopt(w->content, CURLOPT_HEADERFUNCTION, http_on_header);
	curl_easy_setopt(w->content, CURLOPT_HEADERDATA, &heads);
	curl_easy_setopt(w->content, CURLOPT_ERRORBUFFER, errbuf);
	do {
		/* Bytes asked for; the sink takes one more than the rest of the
		 * file so that a server sending too much is noticed. */
		uint64_t want = size - off > WUA_RANGE_BYTES ? WUA_RANGE_BYTES : size - off;
		struct http_fsink fs = { fd, size - off + 1, 0, 0, 0 };
		int64_t a, b, total;
		long status = 0;
		CURLcode rc;

		memset(&heads, 0, sizeof(heads));
		errbuf[0] = '\0';
		range[0] = '\0';
		if (size > 0) {
			snprintf(range, sizeof(range), "%llu-%llu",
			    (unsigned long long)off, (unsigned long long)(off + want - 1));
			curl_easy_setopt(w->content, CURLOPT_RANGE, range);
		} else {
			curl_easy_setopt(w->content, CURLOPT_RANGE, NULL);
		}
		curl_easy_setopt(w->content, CURLOPT_WRITEDATA, &fs);
		rc = curl_easy_perform(w->content);
		curl_easy_getinfo(w->content, CURLINFO_RESPONSE_CODE, &status);
		if (fs.ioerr) {
			snprintf(why, whylen, "writing the download: %s", strerror(fs.ioerr));
			ret = WUA_HR_NOTDL;
			break;
		}
		if (status == 416) {
			if (http_content_range(heads.range, &a, &b, &total) == 0)
				*served = total;
			snprintf(why, whylen, "size (expected %llu bytes, server has %lld)",
			    (unsigned long long)size, (long long)*served);
			ret = WUA_HR_HASH;
			break;
		}
		if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && fs.overflow)) {
			http_curl_error(w, rc, url, errbuf);
			snprintf(why, whylen, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
			ret = WUA_HR_NOTDL;
			break;
		}
		if (status == 206 && size > 0) {
			if (http_content_range(heads.range, &a, &b, &total) == -1 ||
			    a != (int64_t)off || (uint64_t)b > off + want - 1) {
				snprintf(why, whylen, "bad Content-Range \"%s\" for bytes=%s",
				    heads.range, range);
				ret = WUA_HR_NOTDL;
				break;
			}
			*served = total;
			if (total != -1 && (uint64_t)total != size) {
				snprintf(why, whylen, "size (expected %llu bytes, server has %lld)",
				    (unsigned long long)size, (long long)total);
				ret = WUA_HR_HASH;
				break;
			}
			if (fs.overflow || (uint64_t)(b - a + 1) != fs.got) {
				snprintf(why, whylen, "range %s answered with %s%llu bytes",
				    range, fs.overflow ? "more than " : "",
				    (unsigned long long)fs.got);
				ret = WUA_HR_NOTDL;
				break;
			}
		} else if (status == 200 && off == 0) {
			/* Range ignored (or an empty file): the whole file came. */
			if (fs.overflow || fs.got != size) {
				snprintf(why, whylen, "size (expected %llu bytes, server "
				    "sent %s%llu)", (unsigned long long)size,
				    fs.overflow ? "more than " : "",
				    (unsigned long long)fs.got);
				ret = WUA_HR_HASH;
				break;
			}
		} else if (status == 200 || status == 206) {
			snprintf(why, whylen, "HTTP %ld to bytes=%s", status, range);
			ret = WUA_HR_NOTDL;
			break;
		} else {
			snprintf(why, whylen, "HTTP %ld", status);
			ret = (int32_t)((uint32_t)WUA_HR_HTTP_BASE | (uint32_t)(status & 0xffff));
			break;
		}
		off += fs.got;
		wua_debug(w, "GET %s bytes=%s: %ld, %llu bytes", url, size ? range : "-",
		    status, (unsigned long long)fs.got);
	} while (off < size);
	curl_easy_setopt(w->content, CURLOPT_RANGE, NULL);
	curl_easy_setopt(w->content, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(w->content, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(hd);
	if (ret == 0 && *served == -1)
		*served = (int64_t)size;
	return ret;
}
