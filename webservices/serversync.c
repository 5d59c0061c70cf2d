/*
 * serversync.c - ServerSyncWebService (MS-WSUSSS §3.1.4.2): what a
 * downstream server calls to copy this server's catalogue.
 *
 * Owns: GetAuthConfig (the DssTargeting plug-in, relative ServiceUrl, as
 * real WSUS), GetCookie (protocol 1.x; the ServerSync cookie sealed as
 * COOKIE_DSS), GetConfigData, GetRevisionIdList (configuration pass:
 * categories and detectoids; update pass: software and drivers, filtered
 * by product/classification prerequisites) with anchors
 * "<catalogue generation>,<UTC time>", GetUpdateData (at most
 * LIMIT_DSS_UPDATES_PER_REQUEST ids; the document inline up to
 * LIMIT_DSS_BLOB_INLINE_BYTES, else a one-member MSZIP cabinet of its
 * UTF-16LE text; FileUrls with digests and this server's content URLs).
 *
 * What the store holds: store/ keeps the derived MS-WUSP fragments of a
 * revision, not the whole update document it was imported from.  The
 * "document" GetUpdateData sends is therefore the stored Core fragment,
 * not the original <upd:Update>; the anchor delta is all-or-nothing (an
 * anchor of the current catalogue generation gets no revisions, any other
 * gets the full list).  The operations of the WSDL not answered here get
 * a fault naming them (with faultactor), never a fake success.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "log.h"
#include "ws_int.h"
#include "zip.h"

#define SS_PROTOCOL  "1.20"     /* what real WSUS answers (NOTES.md §1.2) */

/* The ServerSync cookie of the operation into *ck; a fault and -1 if bad. */
static int
serversync_cookie(struct ws_call *c, struct cookie *ck)
{
	const char *data = soap_text(xml_child(c->op, "cookie"), "EncryptedData");

	switch (cookie_open(data, data ? strlen(data) : 0, COOKIE_DSS,
	    ws_server_id, 0, c->now, ck)) {
	case COOKIE_OK:
		return 0;
	case COOKIE_SERVER_CHANGED:
		soap_fault(c, "ServerChanged", "cookie");
		return -1;
	case COOKIE_EXPIRED:
		soap_fault(c, "CookieExpired", "cookie");
		return -1;
	default:
		soap_fault(c, "InvalidCookie", "cookie");
		return -1;
	}
}

/* "2026-10-04 16:33:26.670" (the anchor's time, as real WSUS writes it). */
static void
serversync_anchor(int64_t gen, time_t t, char out[64])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, 64, "%lld,%04d-%02d-%02d %02d:%02d:%02d.000", (long long)gen,
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
}

/* Parse an anchor: 0 and its generation, or -1 (anything else). */
static int
serversync_anchor_parse(const char *s, int64_t *gen)
{
	const char *comma = strchr(s, ',');
	long long v;
	int n = 0, y, mo, d, h, mi, se, ms;

	if (comma == NULL || soap_parse_int(s, (size_t)(comma - s), 0,
	    INT64_MAX, &v) == -1)
		return -1;
	if (sscanf(comma + 1, "%4d-%2d-%2d %2d:%2d:%2d.%3d%n", &y, &mo, &d, &h,
	    &mi, &se, &ms, &n) != 7 || comma[1 + n] != '\0')
		return -1;
	*gen = v;
	return 0;
}

static int
serversync_get_auth_config(struct ws_call *c)
{
	char when[40];

	soap_format_datetime(c->req->config_changed, 3, when);
	soap_begin(c);
	wbuf_puts(&c->out, "<GetAuthConfigResult>");
	soap_elem(&c->out, "LastChange", when);
	wbuf_puts(&c->out, "<AuthInfo><AuthPlugInInfo>");
	soap_elem(&c->out, "PlugInID", "DssTargeting");
	soap_elem(&c->out, "ServiceUrl", "DssAuthWebService/DssAuthWebService.asmx");
	wbuf_puts(&c->out, "<Parameter /></AuthPlugInInfo></AuthInfo>"
	    "</GetAuthConfigResult>");
	soap_end(c);
	return soap_finish(c);
}

static int
serversync_get_cookie(struct ws_call *c)
{
	const struct xml_node *ac = xml_child(xml_child(c->op, "authCookies"),
	    "AuthorizationCookie");
	const char *ver = soap_text(c->op, "protocolVersion");
	struct cookie auth, ck;
	char b64[COOKIE_B64_MAX + 1], exp[40];
	size_t dot;
	long long major;
	int found = 0;

	if (ver == NULL || (dot = strcspn(ver, ".")) == 0 || ver[dot] != '.' ||
	    soap_parse_int(ver, dot, 0, 1000, &major) == -1)
		return soap_fault(c, "InvalidParameters", "protocolVersion");
	if (major != 1)
		return soap_fault(c, "IncompatibleProtocolVersion",
		    "this server speaks protocol " SS_PROTOCOL);
	for (; ac != NULL && !found; ac = xml_next_same(ac)) {
		const char *plug = soap_text(ac, "PlugInId");
		const char *data = soap_text(ac, "CookieData");

		if (plug == NULL || strcmp(plug, "DssTargeting") != 0 || data == NULL)
			continue;
		switch (cookie_open(data, strlen(data), COOKIE_DSS_AUTH,
		    ws_server_id, 0, c->now, &auth)) {
		case COOKIE_OK:
			found = 1;
			break;
		case COOKIE_EXPIRED:
			return soap_fault(c, "CookieExpired", "authCookies");
		default:
			return soap_fault(c, "InvalidAuthorizationCookie", "authCookies");
		}
	}
	if (!found)
		return soap_fault(c, "InvalidAuthorizationCookie", "authCookies");
	memset(&ck, 0, sizeof(ck));
	ck.kind = COOKIE_DSS;
	memcpy(ck.computer_id, auth.computer_id, 16);
	ck.issued = c->now;
	ck.expires = c->now + LIMIT_DSS_COOKIE_LIFETIME_S;
	memcpy(ck.server_id, ws_server_id, 16);
	if (cookie_seal(&ck, b64, sizeof(b64)) == -1)
		return -1;
	soap_format_datetime((time_t)ck.expires, 7, exp);
	soap_begin(c);
	wbuf_puts(&c->out, "<GetCookieResult>");
	soap_elem(&c->out, "Expiration", exp);
	soap_elem(&c->out, "EncryptedData", b64);
	wbuf_puts(&c->out, "</GetCookieResult>");
	soap_end(c);
	return soap_finish(c);
}

static int
serversync_get_config_data(struct ws_call *c)
{
	struct cookie ck;
	char anchor[64];

	if (serversync_cookie(c, &ck) == -1)
		return 0;
	serversync_anchor(c->req->config_gen, c->req->config_changed, anchor);
	soap_begin(c);
	wbuf_puts(&c->out, "<GetConfigDataResult>");
	soap_elem_bool(&c->out, "CatalogOnlySync", 0);
	soap_elem_bool(&c->out, "LazySync", 1);
	soap_elem_bool(&c->out, "ServerHostsPsfFiles", 0);
	soap_elem_int(&c->out, "MaxNumberOfComputerIdsInRequest", 0);
	soap_elem_int(&c->out, "MaxNumberOfDriverSetsPerRequest", 0);
	soap_elem_int(&c->out, "MaxNumberOfPnpHardwareIdsInRequest", 0);
	soap_elem_int(&c->out, "MaxNumberOfUpdatesPerRequest",
	    LIMIT_DSS_UPDATES_PER_REQUEST);
	soap_elem(&c->out, "NewConfigAnchor", anchor);
	soap_elem(&c->out, "ProtocolVersion", SS_PROTOCOL);
	/* wsusd keeps no language selection: it serves the languages its
	 * catalogue holds, and names English, the one every update has. */
	wbuf_puts(&c->out, "<LanguageUpdateList><ServerSyncLanguageData>");
	soap_elem_int(&c->out, "LanguageID", 1033);
	soap_elem(&c->out, "ShortLanguage", "en");
	soap_elem(&c->out, "LongLanguage", "English");
	soap_elem_bool(&c->out, "Enabled", 1);
	wbuf_puts(&c->out, "</ServerSyncLanguageData></LanguageUpdateList>");
	soap_elem_int(&c->out, "MaxUpdatesPerRequestInGetUpdateDecryptionData",
	    LIMIT_DSS_UPDATES_PER_REQUEST);
	wbuf_puts(&c->out, "</GetConfigDataResult>");
	soap_end(c);
	return soap_finish(c);
}

/* The filter of one GetRevisionIdList call, for serversync_rev. */
struct ss_filter {
	struct wbuf *out;
	int          config;                /* configuration pass */
	char         (*cats)[STORE_GUID_LEN + 1];  int ncats;
	char         (*cls)[STORE_GUID_LEN + 1];   int ncls;
	unsigned     count;
};

/* 1 if r has a prerequisite among (ids, n); n == 0 matches everything. */
static int
serversync_has_prereq(const struct store_rev *r, char (*ids)[STORE_GUID_LEN + 1],
    int n)
{
	if (n == 0)
		return 1;
	for (unsigned i = 0; i < r->nprereq; i++)
		for (int k = 0; k < n; k++)
			if (strcmp(r->prereq[i].update_id, ids[k]) == 0)
				return 1;
	return 0;
}

static int
serversync_rev(void *arg, const struct store_rev *r)
{
	struct ss_filter *f = arg;
	int cfg = r->kind == STORE_KIND_CATEGORY || r->kind == STORE_KIND_DETECTOID;

	if (cfg != f->config)
		return 0;
	if (!cfg && (!serversync_has_prereq(r, f->cats, f->ncats) ||
	    !serversync_has_prereq(r, f->cls, f->ncls)))
		return 0;
	wbuf_puts(f->out, "<UpdateIdentity>");
	soap_elem(f->out, "UpdateID", r->update_id);
	soap_elem_int(f->out, "RevisionNumber", r->revision_number);
	wbuf_puts(f->out, "</UpdateIdentity>");
	f->count++;
	return 0;
}

/* The ids of an ArrayOfIdAndDelta into a malloc'd array; -1 if bad. */
static int
serversync_ids(const struct xml_node *arr, char (**out)[STORE_GUID_LEN + 1],
    int *n, int *budget)
{
	unsigned cnt = arr ? xml_count(arr, "IdAndDelta") : 0;
	const struct xml_node *e;
	uint8_t g[16];
	int i = 0;

	*out = NULL;
	*n = 0;
	if (cnt == 0)
		return 0;
	if ((int)cnt > *budget)
		return -1;
	*budget -= (int)cnt;
	if ((*out = calloc(cnt, sizeof(**out))) == NULL)
		return -1;
	for (e = xml_child(arr, "IdAndDelta"); e != NULL; e = xml_next_same(e)) {
		const char *id = soap_text(e, "Id");

		if (id == NULL || cookie_guid_parse(id, strlen(id), g) == -1)
			return -1;
		cookie_guid_format(g, (*out)[i++]);
	}
	*n = i;
	return 0;
}

static int
serversync_get_revision_id_list(struct ws_call *c)
{
	const struct xml_node *flt = xml_child(c->op, "filter");
	const char *anchor, *gc;
	struct ss_filter f;
	struct cookie ck;
	int64_t gen, old = -1;
	int budget = LIMIT_DSS_FILTER_IDS, rc = -1;
	char next[64];

	memset(&f, 0, sizeof(f));
	if (serversync_cookie(c, &ck) == -1)
		return 0;
	if (flt == NULL || (gc = soap_text(flt, "GetConfig")) == NULL ||
	    (strcmp(gc, "true") != 0 && strcmp(gc, "false") != 0 &&
	    strcmp(gc, "1") != 0 && strcmp(gc, "0") != 0))
		return soap_fault(c, "InvalidParameters", "filter");
	f.config = gc[0] == 't' || gc[0] == '1';
	anchor = soap_text(flt, "Anchor");
	if (anchor != NULL && anchor[0] != '\0' &&
	    serversync_anchor_parse(anchor, &old) == -1)
		return soap_fault(c, "InvalidParameters", "filter");
	if (serversync_ids(xml_child(flt, "Categories"), &f.cats, &f.ncats,
	    &budget) == -1 ||
	    serversync_ids(xml_child(flt, "Classifications"), &f.cls, &f.ncls,
	    &budget) == -1) {
		rc = soap_fault(c, "InvalidParameters", "filter");
		goto out;
	}
	if ((gen = store_catalog_generation(c->st)) < 0)
		goto out;
	serversync_anchor(gen, c->now, next);
	soap_begin(c);
	wbuf_puts(&c->out, "<GetRevisionIdListResult>");
	soap_elem(&c->out, "Anchor", next);
	wbuf_puts(&c->out, "<NewRevisions>");
	f.out = &c->out;
	/* Deltas are all-or-nothing: nothing changed since the anchor's
	 * generation, or everything is sent again. */
	if (old != gen && store_catalog_each(c->st, serversync_rev, &f) == -1)
		goto out;
	wbuf_puts(&c->out, "</NewRevisions></GetRevisionIdListResult>");
	soap_end(c);
	log_debug("GetRevisionIdList from %s: %s pass, %u revisions",
	    c->req->client_ip ? c->req->client_ip : "?",
	    f.config ? "configuration" : "update", f.count);
	rc = soap_finish(c);
out:
	free(f.cats);
	free(f.cls);
	return rc;
}

/* UTF-8 (s, n) as UTF-16LE into b (no BOM); -1 on invalid UTF-8. */
static int
serversync_utf16le(const char *s, size_t n, struct wbuf *b)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		int extra;
		unsigned char u[4];

		if (p[i] < 0x80) { cp = p[i]; extra = 0; }
		else if ((p[i] & 0xe0) == 0xc0) { cp = p[i] & 0x1f; extra = 1; }
		else if ((p[i] & 0xf0) == 0xe0) { cp = p[i] & 0x0f; extra = 2; }
		else if ((p[i] & 0xf8) == 0xf0) { cp = p[i] & 0x07; extra = 3; }
		else return -1;
		if (i + (size_t)extra >= n && extra > 0)
			return -1;
		for (int k = 1; k <= extra; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return -1;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		i += (size_t)extra + 1;
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		if (cp >= 0x10000) {
			uint32_t v = cp - 0x10000, hi = 0xd800 | (v >> 10),
			    lo = 0xdc00 | (v & 0x3ff);

			u[0] = (unsigned char)hi; u[1] = (unsigned char)(hi >> 8);
			u[2] = (unsigned char)lo; u[3] = (unsigned char)(lo >> 8);
			wbuf_put(b, u, 4);
		} else {
			u[0] = (unsigned char)cp; u[1] = (unsigned char)(cp >> 8);
			wbuf_put(b, u, 2);
		}
	}
	return b->oom ? -1 : 0;
}

static void
ss_put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8);
}

static void
ss_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

#define SS_CAB_FRAME   32768u    /* MSZIP: uncompressed bytes per CFDATA block */
#define SS_CAB_HDR     36u       /* CFHEADER without reserve */
#define SS_CAB_FOLDER  8u
#define SS_CAB_FILE    (16u + 5u)  /* CFFILE with "blob\0" */

/*
 * serversync_cab - a one-member cabinet (member "blob", one MSZIP folder,
 * no checksums, as the cabinet format allows) of (data, n) into cab.
 * Returns 0 or -1.
 */
static int
serversync_cab(const uint8_t *data, size_t n, struct wbuf *cab)
{
	struct zip_raw *z = zip_raw_new(6);
	uint8_t hdr[SS_CAB_HDR + SS_CAB_FOLDER + SS_CAB_FILE], *frame = NULL;
	size_t nframes = (n + SS_CAB_FRAME - 1) / SS_CAB_FRAME, bound;
	int rc = -1;

	if (z == NULL || n == 0 || n > UINT32_MAX || nframes > 0xffff)
		goto out;
	bound = zip_raw_bound(z, SS_CAB_FRAME);
	if ((frame = malloc(8 + 2 + bound)) == NULL)
		goto out;
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, "MSCF", 4);
	ss_put32(hdr + 16, SS_CAB_HDR + SS_CAB_FOLDER);     /* coffFiles */
	hdr[24] = 3; hdr[25] = 1;                            /* version 1.3 */
	ss_put16(hdr + 26, 1);                               /* cFolders */
	ss_put16(hdr + 28, 1);                               /* cFiles */
	ss_put32(hdr + 36, sizeof(hdr));                     /* coffCabStart */
	ss_put16(hdr + 40, (unsigned)nframes);               /* cCFData */
	ss_put16(hdr + 42, 1);                               /* typeCompress MSZIP */
	ss_put32(hdr + 44, (uint32_t)n);                     /* cbFile */
	memcpy(hdr + 60, "blob", 5);
	wbuf_put(cab, hdr, sizeof(hdr));
	for (size_t off = 0; off < n; off += SS_CAB_FRAME) {
		size_t in = n - off < SS_CAB_FRAME ? n - off : SS_CAB_FRAME;
		size_t outlen = bound;

		if (zip_raw_frame(z, data + off, in, frame + 10, &outlen) == -1 ||
		    outlen + 2 > 0xffff)
			goto out;
		ss_put32(frame, 0);                              /* csum: none */
		ss_put16(frame + 4, (unsigned)(outlen + 2));
		ss_put16(frame + 6, (unsigned)in);
		frame[8] = 'C'; frame[9] = 'K';
		wbuf_put(cab, frame, 10 + outlen);
	}
	if (cab->oom)
		goto out;
	ss_put32((uint8_t *)cab->p + 8, (uint32_t)cab->len);  /* cbCabinet */
	rc = 0;
out:
	free(frame);
	zip_raw_free(z);
	return rc;
}

/* The document element of one revision: inline or compressed. */
static int
serversync_blob(struct ws_call *c, const char *xml, size_t len)
{
	struct wbuf u16, cab;
	char *b64 = NULL;
	size_t cap;
	int rc = -1;

	if (len <= LIMIT_DSS_BLOB_INLINE_BYTES) {
		wbuf_puts(&c->out, "<XmlUpdateBlob>");
		wbuf_esc_text(&c->out, xml, len);
		wbuf_puts(&c->out, "</XmlUpdateBlob>");
		return 0;
	}
	wbuf_init(&u16, len * 2);
	wbuf_init(&cab, len);
	if (serversync_utf16le(xml, len, &u16) == -1 ||
	    serversync_cab((const uint8_t *)u16.p, u16.len, &cab) == -1)
		goto out;
	cap = (cab.len + 2) / 3 * 4 + 1;
	if ((b64 = malloc(cap)) == NULL ||
	    crypto_b64_encode(cab.p, cab.len, b64, cap) < 0)
		goto out;
	wbuf_puts(&c->out, "<XmlUpdateBlobCompressed>");
	wbuf_puts(&c->out, b64);
	wbuf_puts(&c->out, "</XmlUpdateBlobCompressed>");
	rc = 0;
out:
	free(b64);
	wbuf_free(&u16);
	wbuf_free(&cab);
	return rc;
}

#define SS_FILES_MAX 32   /* files of one revision named in FileUrls */

static int
serversync_get_update_data(struct ws_call *c)
{
	const struct xml_node *ids = xml_child(c->op, "updateIds"), *u;
	static const struct store_file zero;
	struct store_file *files = NULL;
	struct wbuf urls;
	struct cookie ck;
	unsigned n, nfiles = 0;
	int rc = -1;

	if (serversync_cookie(c, &ck) == -1)
		return 0;
	n = ids ? xml_count(ids, "UpdateIdentity") : 0;
	if (n == 0 || n > LIMIT_DSS_UPDATES_PER_REQUEST)
		return soap_fault(c, "InvalidParameters", "updateIds");
	wbuf_init(&urls, 1024);
	if ((files = calloc((size_t)n * SS_FILES_MAX, sizeof(*files))) == NULL)
		goto out;
	soap_begin(c);
	wbuf_puts(&c->out, "<GetUpdateDataResult><updates>");
	for (u = xml_child(ids, "UpdateIdentity"); u != NULL; u = xml_next_same(u)) {
		const char *id = soap_text(u, "UpdateID");
		const char *rn = soap_text(u, "RevisionNumber");
		char canon[COOKIE_GUID_TEXT], *xml = NULL;
		uint8_t g[16];
		long long want;
		int64_t rid;
		size_t len;
		int nf;

		if (id == NULL || rn == NULL ||
		    cookie_guid_parse(id, strlen(id), g) == -1 ||
		    soap_parse_int(rn, strlen(rn), 0, INT32_MAX, &want) == -1) {
			rc = soap_fault(c, "InvalidParameters", "updateIds");
			goto out;
		}
		cookie_guid_format(g, canon);
		/* Only the latest revision of an update is kept whole; another
		 * revision number is left out of the answer. */
		if ((rid = store_revision_of(c->st, canon)) < 0)
			goto out;
		if (rid == 0 || store_revision_number(c->st, canon) != want)
			continue;
		if (store_fragment(c->st, rid, "core", "", &xml, &len) != 1)
			continue;
		nf = store_revision_files(c->st, rid, files + nfiles, SS_FILES_MAX);
		if (nf < 0) {
			free(xml);
			goto out;
		}
		wbuf_puts(&c->out, "<ServerSyncUpdateData><Id>");
		soap_elem(&c->out, "UpdateID", canon);
		soap_elem_int(&c->out, "RevisionNumber", want);
		wbuf_puts(&c->out, "</Id>");
		if (len <= LIMIT_DSS_BLOB_INLINE_BYTES && serversync_blob(c, xml,
		    len) == -1) {
			free(xml);
			goto out;
		}
		if (nf > 0) {
			wbuf_puts(&c->out, "<FileDigestList>");
			for (int k = 0; k < nf; k++) {
				char d[40];

				crypto_b64_encode(files[nfiles + k].sha1, 20, d, sizeof(d));
				soap_elem(&c->out, "base64Binary", d);
			}
			wbuf_puts(&c->out, "</FileDigestList>");
		}
		if (len > LIMIT_DSS_BLOB_INLINE_BYTES && serversync_blob(c, xml,
		    len) == -1) {
			free(xml);
			goto out;
		}
		free(xml);
		wbuf_puts(&c->out, "</ServerSyncUpdateData>");
		nfiles += (unsigned)nf;
	}
	wbuf_puts(&c->out, "</updates><fileUrls>");
	for (unsigned k = 0; k < nfiles; k++) {
		const struct store_file *f = &files[k];
		const char *dot = strrchr(f->name, '.');
		char d[40], hex[41];

		if (memcmp(f, &zero, sizeof(zero)) == 0)
			continue;
		crypto_b64_encode(f->sha1, 20, d, sizeof(d));
		for (int i = 0; i < 20; i++)
			snprintf(hex + 2 * i, 3, "%02X", f->sha1[i]);
		wbuf_puts(&c->out, "<ServerSyncUrlData>");
		soap_elem(&c->out, "FileDigest", d);
		wbuf_puts(&c->out, "<MUUrl />");
		wbuf_printf(&c->out, "<UssUrl>%s/Content/%s/%s", c->req->content_url,
		    hex + 38, hex);
		if (dot != NULL && dot[1] != '\0' && strlen(dot) <= 9)
			wbuf_esc(&c->out, dot, strlen(dot));
		wbuf_puts(&c->out, "</UssUrl></ServerSyncUrlData>");
	}
	wbuf_puts(&c->out, "</fileUrls></GetUpdateDataResult>");
	soap_end(c);
	rc = soap_finish(c);
out:
	free(files);
	wbuf_free(&urls);
	return rc;
}

/* An operation of the WSDL this server does not answer yet. */
static int
serversync_unimplemented(struct ws_call *c)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "%s is not implemented by this server",
	    c->opname);
	return soap_fault(c, "InternalServerError", msg);
}

const struct ws_op serversync_ops[] = {
	{ "GetAuthConfig",                 serversync_get_auth_config, 1 },
	{ "GetCookie",                     serversync_get_cookie, 1 },
	{ "GetConfigData",                 serversync_get_config_data, 1 },
	{ "GetRevisionIdList",             serversync_get_revision_id_list, 1 },
	{ "GetUpdateData",                 serversync_get_update_data, 1 },
	{ "GetUpdateDecryptionData",       serversync_unimplemented, 1 },
	{ "DownloadFiles",                 serversync_unimplemented, 1 },
	{ "GetDeployments",                serversync_unimplemented, 1 },
	{ "GetRelatedRevisionsForUpdates", serversync_unimplemented, 1 },
	{ NULL, NULL, 0 }
};
