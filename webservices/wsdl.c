/*
 * wsdl.c - the WSDL of each service, as served for "GET <path>?wsdl".
 *
 * Owns: the embedded WSDL blobs (wsdl_blob.S) and the rewriting of their
 * soap:address / soap12:address location to the advertised URL.  The
 * blobs are indexed once at start-up; rendering is one allocation and a
 * few memcpy calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws.h"
#include "xml.h"

#define WSDL_MAX_ADDRS 4     /* soap + soap12 per port; every WSDL has <= 2 */

extern const char wsdl_blob_client[], wsdl_blob_client_end[];
extern const char wsdl_blob_simpleauth[], wsdl_blob_simpleauth_end[];
extern const char wsdl_blob_reporting[], wsdl_blob_reporting_end[];
extern const char wsdl_blob_dssauth[], wsdl_blob_dssauth_end[];
extern const char wsdl_blob_serversync[], wsdl_blob_serversync_end[];
extern const char wsdl_blob_apiremoting[], wsdl_blob_apiremoting_end[];

struct wsdl_doc {
	const char *start, *end;
	/* [i][0] = first byte of the location value, [i][1] = its closing quote */
	size_t      loc[WSDL_MAX_ADDRS][2];
	int         nloc;
};

static struct wsdl_doc wsdl_docs[WS_NSERVICES] = {
	[WS_CLIENT]      = { wsdl_blob_client, wsdl_blob_client_end, {{0}}, 0 },
	[WS_SIMPLEAUTH]  = { wsdl_blob_simpleauth, wsdl_blob_simpleauth_end, {{0}}, 0 },
	[WS_REPORTING]   = { wsdl_blob_reporting, wsdl_blob_reporting_end, {{0}}, 0 },
	[WS_DSSAUTH]     = { wsdl_blob_dssauth, wsdl_blob_dssauth_end, {{0}}, 0 },
	[WS_SERVERSYNC]  = { wsdl_blob_serversync, wsdl_blob_serversync_end, {{0}}, 0 },
	[WS_APIREMOTING] = { wsdl_blob_apiremoting, wsdl_blob_apiremoting_end, {{0}}, 0 },
};

/* Find the next "<soap:address" or "<soap12:address" at or after p. */
static const char *
wsdl_next_address(const char *p, const char *end)
{
	const char *best = NULL;
	static const char *const tags[] = { "<soap:address", "<soap12:address" };

	for (int t = 0; t < 2; t++) {
		const char *h = memmem(p, (size_t)(end - p), tags[t], strlen(tags[t]));
		if (h != NULL && (best == NULL || h < best))
			best = h;
	}
	return best;
}

int
wsdl_init(void)
{
	for (int s = 0; s < WS_NSERVICES; s++) {
		struct wsdl_doc *d = &wsdl_docs[s];
		const char *p = d->start;

		d->nloc = 0;
		while ((p = wsdl_next_address(p, d->end)) != NULL) {
			const char *gt = memchr(p, '>', (size_t)(d->end - p));
			const char *loc, *q;

			if (gt == NULL || d->nloc == WSDL_MAX_ADDRS)
				return -1;
			loc = memmem(p, (size_t)(gt - p), "location=\"", 10);
			if (loc == NULL)
				return -1;
			loc += 10;
			q = memchr(loc, '"', (size_t)(gt - loc));
			if (q == NULL)
				return -1;
			d->loc[d->nloc][0] = (size_t)(loc - d->start);
			d->loc[d->nloc][1] = (size_t)(q - d->start);
			d->nloc++;
			p = gt;
		}
		if (d->nloc == 0)
			return -1;
	}
	return 0;
}

int
wsdl_render(enum ws_service s, const char *base_url, struct ws_response *resp)
{
	const struct wsdl_doc *d;
	struct wbuf url, b;
	size_t from = 0;

	memset(resp, 0, sizeof(*resp));
	if ((unsigned)s >= WS_NSERVICES)
		return -1;
	d = &wsdl_docs[s];
	/* The URL goes into an attribute: escape it once. */
	wbuf_init(&url, 256);
	wbuf_esc_attr(&url, base_url, strlen(base_url));
	wbuf_putc(&url, '/');
	wbuf_esc_attr(&url, ws_service_path(s), strlen(ws_service_path(s)));
	wbuf_init(&b, (size_t)(d->end - d->start) + (size_t)d->nloc * 256);
	for (int i = 0; i < d->nloc; i++) {
		wbuf_put(&b, d->start + from, d->loc[i][0] - from);
		wbuf_put(&b, url.p, url.len);
		from = d->loc[i][1];
	}
	wbuf_put(&b, d->start + from, (size_t)(d->end - d->start) - from);
	if (url.oom) {
		wbuf_free(&b);
		b.oom = 1;
	}
	wbuf_free(&url);
	if ((resp->body = wbuf_take(&b, &resp->body_len)) == NULL)
		return -1;
	resp->status = 200;
	resp->content_type = "text/xml; charset=utf-8";
	resp->cache_control = "private";
	return 0;
}
