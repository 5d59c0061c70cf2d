/*
 * wua_scan.c - a software scan the way a native WUA runs it against WSUS
 * (NOTES.md §1.1): GetConfig, the session, SyncUpdates rounds until the
 * server has nothing new, local applicability evaluation of every Core
 * fragment, then GetExtendedUpdateInfo for what is needed.
 *
 * Applicability (a deliberately small model of WUA's evaluator): the
 * IsInstalled rule of each Core fragment is evaluated with True, False,
 * And, Or, Not, and b.RegValueExists, which reads the simulated registry
 * (DIR/registry) - except Subkey SOFTWARE\Contoso\Installed, whose Value
 * (an update id) is looked up in DIR/installed.  Anything else is false.
 * An update is needed when its deployment says Install, it is not
 * installed, and its prerequisites are (a server that offers an update
 * whose prerequisites the client has not reported installed is named in
 * a warning).  Bundle members (Action "Bundle") travel with their bundle.
 *
 * Owns: the SyncUpdates and GetExtendedUpdateInfo request shapes and the
 * parsing of their answers.  Never trusts an answer: ids are range
 * checked, counts bounded by WUA_*, fragments parsed under their own caps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "wua.h"

#define SCAN_INSTALLED_KEY "SOFTWARE\\Contoso\\Installed"

/* --- applicability ------------------------------------------------------------ */

/* Rule name without a namespace prefix ("lar:True" -> "True"; "b.X" stays). */
static const char *
scan_rule_name(const struct xml_node *n)
{
	return n->local;
}

/*
 * scan_eval - evaluate rule element n; 1 true, 0 false.  And of nothing
 * is true and Or of nothing false (the logical identities, as WUA's
 * evaluator treats them); Not takes its first operand.  Rules this model
 * does not know (b.WindowsVersion, b.FileVersion, m.*, ...) are false,
 * so real catalogues evaluate conservatively.  Depth is bounded even
 * though the fragment parser bounds it too: recursion must never follow
 * input further than WUA_EVAL_DEPTH.
 */
static int
scan_eval(const struct wua *w, const struct xml_node *n, int depth)
{
	const char *name = scan_rule_name(n);
	const struct xml_node *k;

	if (depth > WUA_EVAL_DEPTH)
		return 0;
	if (strcmp(name, "True") == 0)
		return 1;
	if (strcmp(name, "False") == 0)
		return 0;
	if (strcmp(name, "And") == 0) {
		for (k = n->first; k != NULL; k = k->next)
			if (!scan_eval(w, k, depth + 1))
				return 0;
		return 1;
	}
	if (strcmp(name, "Or") == 0) {
		for (k = n->first; k != NULL; k = k->next)
			if (scan_eval(w, k, depth + 1))
				return 1;
		return 0;
	}
	if (strcmp(name, "Not") == 0)
		return n->first != NULL && !scan_eval(w, n->first, depth + 1);
	if (strcmp(name, "b.RegValueExists") == 0 || strcmp(name, "RegValueExists") == 0) {
		const char *sub = xml_attr(n, "Subkey"), *val = xml_attr(n, "Value");

		if (val == NULL)
			return 0;
		if (sub != NULL && strcasecmp(sub, SCAN_INSTALLED_KEY) == 0)
			return wua_state_is_installed(w, val);
		return wua_state_in_registry(w, sub, val);
	}
	return 0;
}

/* The IsInstalled verdict of a parsed Core fragment. */
static int
scan_is_installed(const struct wua *w, const struct xml_node *frag)
{
	const struct xml_node *r = xml_path(frag, "ApplicabilityRules", "IsInstalled", NULL);

	return r != NULL && r->first != NULL && scan_eval(w, r->first, 0);
}

/* Is prerequisite update uid installed (a known non-leaf, evaluated so)? */
static int
scan_pre_installed(struct wua *w, const struct xml_node *id)
{
	char uid[WUA_UID_LEN + 1];
	struct wua_rev *v;

	if (wua_guid_canon(xml_attr(id, "UpdateID"), uid) == -1)
		return 0;
	return (v = wua_state_rev_uid(w, uid)) != NULL && v->installed;
}

/* Prerequisites: every direct UpdateIdentity, one of each AtLeastOne. */
static int
scan_prereqs_ok(struct wua *w, const struct xml_node *frag)
{
	const struct xml_node *p = xml_path(frag, "Relationships", "Prerequisites", NULL), *k, *m;

	for (k = p ? p->first : NULL; k != NULL; k = k->next) {
		if (strcmp(k->local, "UpdateIdentity") == 0) {
			if (!scan_pre_installed(w, k))
				return 0;
		} else if (strcmp(k->local, "AtLeastOne") == 0) {
			int any = 0;
			for (m = xml_child(k, "UpdateIdentity"); m && !any; m = xml_next_same(m))
				any = scan_pre_installed(w, m);
			if (!any)
				return 0;
		}
	}
	return 1;
}

/*
 * scan_evaluate_installed - IsInstalled of every cached revision, again:
 * the registry and DIR/installed change between scans, and a non-leaf
 * revision that became installed must move to InstalledNonLeafUpdateIDs
 * so the server offers what depends on it.
 */
static void
scan_evaluate_installed(struct wua *w)
{
	for (int i = 0; i < w->nrevs; i++) {
		struct wua_rev *v = &w->revs[i];
		struct xml_doc *d = v->core ? wua_fragment_parse(v->core, strlen(v->core)) : NULL;

		v->installed = d != NULL && scan_is_installed(w, xml_root(d));
		xml_free(d);
	}
}

/*
 * scan_evaluate_needed - decide needed for every cached revision (after
 * scan_evaluate_installed, since prerequisites look at the installed
 * verdicts).  Only revisions received in this scan are named in the
 * prerequisite warning: a cached one whose detectoid stopped being
 * installed is simply not applicable any more.
 */
static void
scan_evaluate_needed(struct wua *w)
{
	for (int i = 0; i < w->nrevs; i++) {
		struct wua_rev *v = &w->revs[i];
		struct xml_doc *d;

		v->needed = 0;
		if (v->installed || strcmp(v->action, "Install") != 0 || v->core == NULL)
			continue;
		if ((d = wua_fragment_parse(v->core, strlen(v->core))) == NULL)
			continue;
		if (scan_prereqs_ok(w, xml_root(d)))
			v->needed = 1;
		else if (v->fresh)
			wua_say("Warning: the server offered update %s (revision %lld) "
			    "whose prerequisites this client has not reported installed",
			    v->uid, (long long)v->rid);
		xml_free(d);
	}
}

/* --- SyncUpdates ----------------------------------------------------------------- */

/*
 * scan_sync_body - SyncUpdates(cookie, parameters) as the native capture
 * (native-scan/000006) shapes it: InstalledNonLeafUpdateIDs are the
 * non-leaf revisions evaluated installed, OtherCachedUpdateIDs every
 * other cached revision; empty arrays are left out, as WUA does.
 */
static void
scan_sync_body(struct wua *w, struct wbuf *b, void *arg)
{
	int any = 0;

	(void)arg;
	wua_session_cookie(w, b, "cookie");
	wbuf_puts(b, "<parameters><ExpressQuery>false</ExpressQuery>");
	for (int i = 0; i < w->nrevs; i++)
		if (!w->revs[i].leaf && w->revs[i].installed)
			wbuf_printf(b, "%s<int>%lld</int>", any++ ? "" :
			    "<InstalledNonLeafUpdateIDs>", (long long)w->revs[i].rid);
	if (any)
		wbuf_puts(b, "</InstalledNonLeafUpdateIDs>");
	any = 0;
	for (int i = 0; i < w->nrevs; i++)
		if (w->revs[i].leaf || !w->revs[i].installed)
			wbuf_printf(b, "%s<int>%lld</int>", any++ ? "" :
			    "<OtherCachedUpdateIDs>", (long long)w->revs[i].rid);
	if (any)
		wbuf_puts(b, "</OtherCachedUpdateIDs>");
	/* The rest as the native client sends it (unknown children included). */
	wbuf_puts(b, "<SkipSoftwareSync>false</SkipSoftwareSync>"
	    "<NeedTwoGroupOutOfScopeUpdates>true</NeedTwoGroupOutOfScopeUpdates>"
	    "<AlsoPerformRegularSync>false</AlsoPerformRegularSync><ComputerSpec/>"
	    "<ProductsParameters><SyncCurrentVersionOnly>false</SyncCurrentVersionOnly>"
	    "<DeviceAttributes>App=WU_OS;AppVer=1507.2601.30012.0;DeviceFamily=Linux;"
	    "InstallationType=Client;OSArchitecture=AMD64;</DeviceAttributes>"
	    "<CallerAttributes>Interactive=0;Id=wsusclient;</CallerAttributes>"
	    "<Products/></ProductsParameters></parameters>");
}

/*
 * scan_take_update - one <UpdateInfo> of NewUpdates into the cache: ID
 * (1..INT32_MAX), IsLeaf, Deployment/Action and the Core fragment (the
 * <Xml> text, already unescaped by the reader), whose UpdateIdentity gives
 * the update id and revision number.  The IsInstalled verdict is taken at
 * once.  0, or -1 for a malformed entry or a full cache.
 */
static int
scan_take_update(struct wua *w, const struct xml_node *ui)
{
	const char *id = wua_text(ui, "ID"), *leaf = wua_text(ui, "IsLeaf");
	const char *xml = wua_text(ui, "Xml");
	const char *action = wua_text(xml_child(ui, "Deployment"), "Action");
	const struct xml_node *ident;
	struct xml_doc *d = NULL;
	char uid[WUA_UID_LEN + 1], *core = NULL;
	struct wua_rev *v;
	int64_t rid, rev = 0;
	const char *rn;

	if (id == NULL || wua_parse_i64(id, strlen(id), 1, INT32_MAX, &rid) == -1 ||
	    leaf == NULL || (strcmp(leaf, "true") && strcmp(leaf, "false")) ||
	    action == NULL || strlen(action) >= sizeof(v->action) || xml == NULL) {
		fprintf(stderr, "wsusclient: SyncUpdates: malformed UpdateInfo (ID %.20s)\n",
		    id ? id : "?");
		return -1;
	}
	if ((d = wua_fragment_parse(xml, strlen(xml))) == NULL ||
	    (ident = xml_child(xml_root(d), "UpdateIdentity")) == NULL ||
	    wua_guid_canon(xml_attr(ident, "UpdateID"), uid) == -1 ||
	    ((rn = xml_attr(ident, "RevisionNumber")) != NULL &&
	    wua_parse_i64(rn, strlen(rn), 0, INT32_MAX, &rev) == -1)) {
		fprintf(stderr, "wsusclient: SyncUpdates: revision %lld has a bad Core "
		    "fragment\n", (long long)rid);
		xml_free(d);
		return -1;
	}
	if ((core = strdup(xml)) == NULL || (v = wua_state_rev_add(w, rid)) == NULL) {
		fprintf(stderr, "wsusclient: SyncUpdates: cache full (%d revisions)\n",
		    WUA_CACHE_MAX);
		free(core);
		xml_free(d);
		return -1;
	}
	free(v->core);
	v->core = core;
	memcpy(v->uid, uid, sizeof(v->uid));
	v->revnum = (int)rev;
	v->leaf = strcmp(leaf, "true") == 0;
	v->fresh = 1;
	snprintf(v->action, sizeof(v->action), "%s", action);
	v->installed = scan_is_installed(w, xml_root(d));
	wua_debug(w, "  %s %lld %s r%d %s%s", v->leaf ? "leaf" : "non-leaf",
	    (long long)rid, uid, v->revnum, action, v->installed ? " installed" : "");
	xml_free(d);
	return 0;
}

/*
 * scan_sync_round - one SyncUpdates call and its answer: NewCookie
 * replaces the cookie, NewUpdates join the cache, ChangedUpdates change a
 * cached deployment, OutOfScopeRevisionIDs leave the cache.  *more says
 * whether the server may have more (it sent updates or said Truncated).
 * The cache file is rewritten after every round.  0 or -1.
 */
static int
scan_sync_round(struct wua *w, int *more, int *nnew)
{
	const struct xml_node *res, *k;
	struct wua_reply r;
	const char *tr;
	int truncated;

	*more = 0;
	*nnew = 0;
	if (wua_session_call(w, WUA_SVC_CLIENT, "SyncUpdates", scan_sync_body, NULL, &r) == -1)
		return -1;
	res = xml_child(r.resp, "SyncUpdatesResult");
	tr = wua_text(res, "Truncated");
	if (res == NULL || tr == NULL || (strcmp(tr, "true") && strcmp(tr, "false"))) {
		fprintf(stderr, "wsusclient: SyncUpdates: answer without Truncated\n");
		snprintf(w->error, sizeof(w->error), "BadResponse");
		wua_reply_free(&r);
		return -1;
	}
	truncated = strcmp(tr, "true") == 0;
	if (xml_child(res, "NewCookie") != NULL &&
	    wua_session_take_cookie(w, xml_child(res, "NewCookie")) == -1) {
		snprintf(w->error, sizeof(w->error), "BadResponse");
		wua_reply_free(&r);
		return -1;
	}
	for (k = xml_child(xml_child(res, "NewUpdates"), "UpdateInfo"); k; k = xml_next_same(k)) {
		if (scan_take_update(w, k) == -1) {
			snprintf(w->error, sizeof(w->error), "BadResponse");
			wua_reply_free(&r);
			return -1;
		}
		(*nnew)++;
	}
	for (k = xml_child(xml_child(res, "ChangedUpdates"), "UpdateInfo"); k; k = xml_next_same(k)) {
		const char *id = wua_text(k, "ID");
		const char *action = wua_text(xml_child(k, "Deployment"), "Action");
		struct wua_rev *v;
		int64_t rid;

		if (id != NULL && action != NULL &&
		    wua_parse_i64(id, strlen(id), 1, INT32_MAX, &rid) == 0 &&
		    (v = wua_state_rev(w, rid)) != NULL && strlen(action) < sizeof(v->action)) {
			snprintf(v->action, sizeof(v->action), "%s", action);
			wua_debug(w, "  changed %lld: %s", (long long)rid, action);
		}
	}
	for (k = xml_child(xml_child(res, "OutOfScopeRevisionIDs"), "int"); k; k = xml_next_same(k)) {
		int64_t rid;

		if (wua_parse_i64(k->text, k->text_len, 1, INT32_MAX, &rid) == 0) {
			wua_debug(w, "  out of scope %lld", (long long)rid);
			wua_state_rev_del(w, rid);
		}
	}
	wua_reply_free(&r);
	*more = *nnew > 0 || truncated;
	return wua_state_save_cache(w);
}

/* --- GetExtendedUpdateInfo ------------------------------------------------------- */

struct scan_ext {                 /* what came back for one revision */
	int64_t          rid;
	char             title[512];
	struct wua_file *files;
	int              nfiles;
};

struct scan_ext_req {
	const int64_t *rids;
	int            n;
};

/* GetExtendedUpdateInfo: Extended + LocalizedProperties, en-US/en, GeoId 244. */
static void
scan_ext_body(struct wua *w, struct wbuf *b, void *arg)
{
	const struct scan_ext_req *q = arg;

	wua_session_cookie(w, b, "cookie");
	wbuf_puts(b, "<revisionIDs>");
	for (int i = 0; i < q->n; i++)
		wbuf_printf(b, "<int>%lld</int>", (long long)q->rids[i]);
	wbuf_puts(b, "</revisionIDs><infoTypes>"
	    "<XmlUpdateFragmentType>Extended</XmlUpdateFragmentType>"
	    "<XmlUpdateFragmentType>LocalizedProperties</XmlUpdateFragmentType>"
	    "</infoTypes><locales><string>en-US</string><string>en</string></locales>"
	    "<GeoId>244</GeoId><callerAttributes>Interactive=0;Id=wsusclient;"
	    "</callerAttributes>");
}

static struct scan_ext *
scan_ext_find(struct scan_ext *ext, int n, int64_t rid)
{
	for (int i = 0; i < n; i++)
		if (ext[i].rid == rid)
			return &ext[i];
	return NULL;
}

/* The files of an Extended fragment into e (digests decoded and checked). */
static int
scan_ext_files(struct scan_ext *e, const struct xml_node *frag)
{
	const struct xml_node *f, *ad;

	for (f = xml_child(xml_child(frag, "Files"), "File"); f; f = xml_next_same(f)) {
		const char *dg = xml_attr(f, "Digest"), *name = xml_attr(f, "FileName");
		const char *size = xml_attr(f, "Size");
		struct wua_file *nf, *x;
		int64_t sz;

		if (e->nfiles == WUA_FILES_MAX)
			return -1;
		if ((nf = realloc(e->files, (size_t)(e->nfiles + 1) * sizeof(*nf))) == NULL)
			return -1;
		e->files = nf;
		x = &e->files[e->nfiles];
		memset(x, 0, sizeof(*x));
		if (dg == NULL || name == NULL || size == NULL ||
		    strlen(name) >= sizeof(x->name) || strchr(name, '/') != NULL ||
		    crypto_b64_decode(dg, strlen(dg), x->sha1, sizeof(x->sha1)) != 20 ||
		    wua_parse_i64(size, strlen(size), 0, (int64_t)WUA_CONTENT_MAX, &sz) == -1) {
			fprintf(stderr, "wsusclient: GetExtendedUpdateInfo: revision %lld "
			    "has a malformed File (%.80s)\n", (long long)e->rid,
			    name ? name : "?");
			return -1;
		}
		snprintf(x->name, sizeof(x->name), "%s", name);
		x->size = (uint64_t)sz;
		for (ad = xml_child(f, "AdditionalDigest"); ad; ad = xml_next_same(ad)) {
			const char *alg = xml_attr(ad, "Algorithm");
			uint8_t buf[40];

			if (alg != NULL && strcmp(alg, "SHA256") == 0 &&
			    crypto_b64_decode(ad->text, ad->text_len, buf, sizeof(buf)) == 32) {
				memcpy(x->sha256, buf, 32);
				x->has_sha256 = 1;
			}
		}
		e->nfiles++;
	}
	return 0;
}

/*
 * scan_ext_call - one GetExtendedUpdateInfo call for q.  Each Update's
 * fragment is told apart by its first element (LocalizedProperties gives
 * the title; anything else is the Extended fragment with Files), files are
 * matched to FileLocations by SHA-1, and OutOfScopeRevisionIDs leave the
 * cache.  Results are appended to *ext (*next entries; caller frees).
 * 0 or -1.
 */
static int
scan_ext_call(struct wua *w, struct scan_ext_req *q, struct scan_ext **ext, int *next)
{
	const struct xml_node *res, *u, *fl;
	struct wua_reply r;
	int rc = -1;

	if (wua_session_call(w, WUA_SVC_CLIENT, "GetExtendedUpdateInfo", scan_ext_body,
	    q, &r) == -1)
		return -1;
	res = xml_child(r.resp, "GetExtendedUpdateInfoResult");
	for (u = xml_child(xml_child(res, "Updates"), "Update"); u; u = xml_next_same(u)) {
		const char *id = wua_text(u, "ID"), *xml = wua_text(u, "Xml");
		const struct xml_node *top;
		struct xml_doc *d;
		struct scan_ext *e;
		int64_t rid;

		if (id == NULL || xml == NULL ||
		    wua_parse_i64(id, strlen(id), 1, INT32_MAX, &rid) == -1 ||
		    (d = wua_fragment_parse(xml, strlen(xml))) == NULL) {
			fprintf(stderr, "wsusclient: GetExtendedUpdateInfo: malformed Update "
			    "(ID %.20s)\n", id ? id : "?");
			goto out;
		}
		if ((e = scan_ext_find(*ext, *next, rid)) == NULL) {
			struct scan_ext *ne = realloc(*ext, (size_t)(*next + 1) * sizeof(*ne));
			if (ne == NULL) {
				xml_free(d);
				goto out;
			}
			*ext = ne;
			e = &ne[(*next)++];
			memset(e, 0, sizeof(*e));
			e->rid = rid;
		}
		top = xml_root(d)->first;
		if (top != NULL && strcmp(top->local, "LocalizedProperties") == 0) {
			const char *t = wua_text(top, "Title");
			if (t != NULL && e->title[0] == '\0')
				snprintf(e->title, sizeof(e->title), "%s", t);
		} else if (scan_ext_files(e, xml_root(d)) == -1) {
			xml_free(d);
			goto out;
		}
		xml_free(d);
	}
	/* File URLs, matched to files by SHA-1. */
	for (fl = xml_child(xml_child(res, "FileLocations"), "FileLocation"); fl;
	    fl = xml_next_same(fl)) {
		const char *dg = wua_text(fl, "FileDigest"), *url = wua_text(fl, "Url");
		uint8_t sha1[24];

		if (dg == NULL || url == NULL ||
		    crypto_b64_decode(dg, strlen(dg), sha1, sizeof(sha1)) != 20 ||
		    strlen(url) >= sizeof((*ext)->files[0].url) ||
		    (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)) {
			fprintf(stderr, "wsusclient: GetExtendedUpdateInfo: malformed "
			    "FileLocation (%.100s)\n", url ? url : "?");
			goto out;
		}
		for (int i = 0; i < *next; i++)
			for (int k = 0; k < (*ext)[i].nfiles; k++)
				if (memcmp((*ext)[i].files[k].sha1, sha1, 20) == 0)
					snprintf((*ext)[i].files[k].url,
					    sizeof((*ext)[i].files[k].url), "%s", url);
	}
	for (u = xml_child(xml_child(res, "OutOfScopeRevisionIDs"), "int"); u;
	    u = xml_next_same(u)) {
		int64_t rid;

		if (wua_parse_i64(u->text, u->text_len, 1, INT32_MAX, &rid) == 0) {
			wua_say("Revision %lld is out of scope: dropped", (long long)rid);
			wua_state_rev_del(w, rid);
		}
	}
	rc = 0;
out:
	if (rc == -1)
		snprintf(w->error, sizeof(w->error), "BadResponse");
	wua_reply_free(&r);
	return rc;
}

/*
 * scan_members - the BundledUpdates of v's Core fragment into u->members
 * (at most WUA_MEMBERS_MAX); a bundle's files live in its members, which
 * travel with it as Action "Bundle" UpdateInfos.  0 or -1.
 */
static int
scan_members(const struct wua_rev *v, struct wua_update *u)
{
	const struct xml_node *m;
	struct xml_doc *d = wua_fragment_parse(v->core, strlen(v->core));

	if (d == NULL)
		return -1;
	for (m = xml_child(xml_path(xml_root(d), "Relationships", "BundledUpdates", NULL),
	    "UpdateIdentity"); m; m = xml_next_same(m)) {
		char (*nm)[WUA_UID_LEN + 1];

		if (u->nmembers == WUA_MEMBERS_MAX ||
		    (nm = realloc(u->members, (size_t)(u->nmembers + 1) * sizeof(*nm))) == NULL ||
		    (u->members = nm, wua_guid_canon(xml_attr(m, "UpdateID"),
		    u->members[u->nmembers]) == -1)) {
			xml_free(d);
			return -1;
		}
		u->nmembers++;
	}
	xml_free(d);
	return 0;
}

static int
scan_rid_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Append the files of e to u. */
static int
scan_add_files(struct wua_update *u, const struct scan_ext *e)
{
	for (int k = 0; e != NULL && k < e->nfiles; k++) {
		struct wua_file *nf;

		if (u->nfiles == WUA_FILES_MAX ||
		    (nf = realloc(u->files, (size_t)(u->nfiles + 1) * sizeof(*nf))) == NULL)
			return -1;
		u->files = nf;
		u->files[u->nfiles++] = e->files[k];
	}
	return 0;
}

/*
 * scan_extended - the needed updates with their titles, members and files
 * into w->updates: GetExtendedUpdateInfo for the needed revisions and their
 * bundle members, at most MaxExtendedUpdatesPerRequest ids a call.
 */
static int
scan_extended(struct wua *w)
{
	struct wua_update *ups = NULL;
	struct scan_ext *ext = NULL;
	int64_t *rids = NULL;
	int nups = 0, nrids = 0, next = 0, rc = -1;

	if ((ups = calloc((size_t)w->nrevs + 1, sizeof(*ups))) == NULL ||
	    (rids = calloc(2 * (size_t)w->nrevs + 1, sizeof(*rids))) == NULL)
		goto out;
	for (int i = 0; i < w->nrevs; i++) {
		const struct wua_rev *v = &w->revs[i];
		struct wua_update *u;

		if (!v->needed)
			continue;
		u = &ups[nups++];
		u->rid = v->rid;
		memcpy(u->uid, v->uid, sizeof(u->uid));
		u->revnum = v->revnum;
		if (scan_members(v, u) == -1) {
			fprintf(stderr, "wsusclient: update %s: bad bundle list\n", v->uid);
			goto out;
		}
	}
	/* The revisions to ask about: needed ones and their members, once each. */
	for (int i = 0; i < nups && nrids < 2 * w->nrevs; i++) {
		rids[nrids++] = ups[i].rid;
		for (int k = 0; k < ups[i].nmembers; k++) {
			struct wua_rev *m = wua_state_rev_uid(w, ups[i].members[k]);

			if (m == NULL)
				wua_say("Warning: bundle %s names member %s the server did "
				    "not send", ups[i].uid, ups[i].members[k]);
			else if (nrids < 2 * w->nrevs)
				rids[nrids++] = m->rid;
		}
	}
	qsort(rids, (size_t)nrids, sizeof(*rids), scan_rid_cmp);
	{
		int j = 0;

		for (int i = 0; i < nrids; i++)
			if (j == 0 || rids[j - 1] != rids[i])
				rids[j++] = rids[i];
		nrids = j;
	}
	for (int off = 0; off < nrids; off += w->max_extended) {
		struct scan_ext_req q = { rids + off,
		    nrids - off > w->max_extended ? w->max_extended : nrids - off };

		if (scan_ext_call(w, &q, &ext, &next) == -1)
			goto out;
	}
	for (int i = 0; i < nups; i++) {
		struct wua_update *u = &ups[i];
		const struct scan_ext *e = scan_ext_find(ext, next, u->rid);

		snprintf(u->title, sizeof(u->title), "%s", e && e->title[0] ? e->title : u->uid);
		if (scan_add_files(u, e) == -1)
			goto out;
		for (int k = 0; k < u->nmembers; k++) {
			struct wua_rev *m = wua_state_rev_uid(w, u->members[k]);

			if (m != NULL && scan_add_files(u, scan_ext_find(ext, next, m->rid)) == -1)
				goto out;
		}
		for (int k = 0; k < u->nfiles; k++)
			if (u->files[k].url[0] == '\0')
				wua_say("Warning: no FileLocation for %s of update %s",
				    u->files[k].name, u->uid);
		if (u->nfiles == 0)
			wua_say("Warning: update %s (%s) has no files", u->uid, u->title);
	}
	/* Updates the server dropped as out of scope meanwhile are not needed. */
	for (int i = 0; i < nups; i++)
		if (wua_state_rev(w, ups[i].rid) == NULL) {
			free(ups[i].files);
			free(ups[i].members);
			ups[i--] = ups[--nups];
		}
	for (int i = 0; i < w->nupdates; i++) {
		free(w->updates[i].files);
		free(w->updates[i].members);
	}
	free(w->updates);
	w->updates = ups;
	w->nupdates = nups;
	ups = NULL;
	rc = wua_state_save_updates(w);
out:
	for (int i = 0; ups != NULL && i < nups; i++) {
		free(ups[i].files);
		free(ups[i].members);
	}
	free(ups);
	for (int i = 0; i < next; i++)
		free(ext[i].files);
	free(ext);
	free(rids);
	return rc;
}

/* --- the scan ---------------------------------------------------------------------- */

/*
 * wua_scan - the whole scan, printing what an admin recognises from
 * WindowsUpdate.log: the server in use, "Found N updates (M needed)" (N:
 * updates with an Install/Uninstall deployment, M: those needed) and
 * "Successfully completed scan.", or "Scan failed: <ErrorCode>".
 */
int
wua_scan(struct wua *w)
{
	int more = 1, nnew, round, total = 0, needed = 0;

	wua_say("Enabling managed server policy to use server: %s", w->server);
	if (wua_state_reload_installed(w) == -1 || wua_session_start(w) == -1)
		goto fail;
	/* The registry or DIR/installed may have changed since the last scan. */
	for (int i = 0; i < w->nrevs; i++)
		w->revs[i].fresh = 0;
	scan_evaluate_installed(w);
	for (round = 0; round < WUA_SYNC_ROUNDS && more; round++) {
		if (scan_sync_round(w, &more, &nnew) == -1)
			goto fail;
		wua_debug(w, "SyncUpdates round %d: %d new, cache %d", round + 1, nnew,
		    w->nrevs);
	}
	if (more)
		wua_say("Warning: the server still had updates after %d SyncUpdates "
		    "rounds", WUA_SYNC_ROUNDS);
	scan_evaluate_installed(w);
	scan_evaluate_needed(w);
	if (scan_extended(w) == -1 || wua_state_save_cache(w) == -1)
		goto fail;
	for (int i = 0; i < w->nrevs; i++)
		if (strcmp(w->revs[i].action, "Evaluate") != 0 &&
		    strcmp(w->revs[i].action, "Bundle") != 0)
			total++;
	needed = w->nupdates;
	wua_say("Found %d updates (%d needed)", total, needed);
	for (int i = 0; i < w->nupdates; i++)
		wua_debug(w, "needed: %s (%s, revision %lld)", w->updates[i].title,
		    w->updates[i].uid, (long long)w->updates[i].rid);
	wua_say("Successfully completed scan.");
	return 0;
fail:
	wua_say("Scan failed: %s", w->error[0] ? w->error : "Unknown");
	return -1;
}
