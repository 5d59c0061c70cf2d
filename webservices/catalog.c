/*
 * catalog.c - the scan engine: an in-memory snapshot of the catalogue and
 * approvals, and the SyncUpdates algorithm over it.
 *
 * Why in memory: a delta scan must cost microseconds, not a walk of SQLite
 * and an inflate per fragment (PERF-NOTES: inflate dominates).  The
 * snapshot is built from the store when its catalogue generation changes
 * (import, approval, decline, group or membership change), shared by every
 * thread under a reference count, and never modified after it is built.
 *
 * SyncUpdates (MS-WUSP §3.1.5.7), as real WSUS answers a native WUA:
 *  1. non-leaf round: every non-leaf update (categories, detectoids,
 *     anything that is a prerequisite) whose prerequisites the client has
 *     already reported installed (InstalledNonLeafUpdateIDs) and that it
 *     does not have yet — one level of the graph per round trip;
 *  2. when no non-leaf update is left: the leaf updates approved for the
 *     computer's groups (approvals inherit down the group tree), not
 *     declined, whose prerequisites are satisfied, that the client has not
 *     cached (OtherCachedUpdateIDs), each followed by its bundle members;
 *  3. cached ids no longer in scope (declined, unapproved, gone) come back
 *     in OutOfScopeRevisionIDs; cached ids whose approval changed since the
 *     last sync in ChangedUpdates.
 * Pages hold LIMIT_SYNC_PAGE updates and at most the request's byte
 * budget of NewUpdates (WSUS's MaxXMLPerRequest); Truncated says more
 * remain.  Nothing in a request multiplies the answer: a revision goes
 * out once per page (bundles sharing a member send it once), repeated
 * cached ids are answered once.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "ws_int.h"

/* Deployment ids of "Evaluate" deployments (non-leaf updates have no
 * approval): kept apart from approval ids, which count up from 1. */
#define CATALOG_EVAL_ID_BASE 1000000000LL
/* Bytes of one UpdateInfo besides its Xml (ids, Deployment, IsLeaf), an
 * upper bound used to keep a page inside its budget. */
#define CATALOG_INFO_BYTES   640

struct cat_pre { int rev; int grp; };          /* rev: index, -1 unknown */

struct cat_dep {
	int64_t           id;
	char              group[STORE_GUID_LEN + 1];
	enum store_action action;
	time_t            deadline, last_change;
};

struct cat_rev {
	int64_t   rid;
	char      uid[STORE_GUID_LEN + 1];
	int       kind, leaf, declined, member;   /* member: inside a bundle */
	int       pre_off, npre;
	int       bun_off, nbun;
	int       dep_off, ndep;
	char     *xml;                            /* core fragment, escaped for <Xml> */
	size_t    xml_len;
};

struct catalog {
	atomic_int      refs;
	int64_t         gen;
	time_t          built;
	int             n;
	struct cat_rev *revs;          /* in revision id order */
	int            *by_uid;        /* indexes sorted by uid */
	struct cat_pre *pre;  int npre, cappre;
	int            *bun;  int nbun, capbun;
	struct cat_dep *dep;  int ndep;
	/* while building: raw relationship ids per revision */
	char          (*pre_uid)[STORE_GUID_LEN + 1];
	char          (*bun_uid)[STORE_GUID_LEN + 1];
};

static pthread_mutex_t catalog_lock = PTHREAD_MUTEX_INITIALIZER;
static struct catalog *catalog_cur;

static void
catalog_free(struct catalog *cat)
{
	if (cat == NULL)
		return;
	for (int i = 0; i < cat->n; i++)
		free(cat->revs[i].xml);
	free(cat->revs);
	free(cat->by_uid);
	free(cat->pre);
	free(cat->bun);
	free(cat->dep);
	free(cat->pre_uid);
	free(cat->bun_uid);
	free(cat);
}

void
catalog_put(struct catalog *cat)
{
	if (cat != NULL && atomic_fetch_sub(&cat->refs, 1) == 1)
		catalog_free(cat);
}

/* Grow *p (of *cap elements of size sz) to hold need; 0 or -1. */
static int
catalog_grow(void **p, int *cap, int need, size_t sz)
{
	int ncap = *cap ? *cap : 64;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	if ((np = realloc(*p, (size_t)ncap * sz)) == NULL)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

struct catalog_build {
	struct catalog *cat;
	int             cap, cappu, capbu;
};

static int
catalog_add_rev(void *arg, const struct store_rev *r)
{
	struct catalog_build *b = arg;
	struct catalog *cat = b->cat;
	struct cat_rev *v;

	if (catalog_grow((void **)&cat->revs, &b->cap, cat->n + 1, sizeof(*cat->revs)) ||
	    catalog_grow((void **)&cat->pre_uid, &b->cappu, cat->npre + (int)r->nprereq,
	    sizeof(*cat->pre_uid)) ||
	    catalog_grow((void **)&cat->pre, &cat->cappre, cat->npre + (int)r->nprereq,
	    sizeof(*cat->pre)) ||
	    catalog_grow((void **)&cat->bun_uid, &b->capbu, cat->nbun + (int)r->nbundled,
	    sizeof(*cat->bun_uid)))
		return -1;
	v = &cat->revs[cat->n++];
	memset(v, 0, sizeof(*v));
	v->rid = r->revision_id;
	memcpy(v->uid, r->update_id, sizeof(v->uid));
	v->kind = r->kind;
	v->leaf = r->is_leaf;
	v->declined = r->declined;
	v->pre_off = cat->npre;
	v->npre = (int)r->nprereq;
	for (unsigned i = 0; i < r->nprereq; i++) {
		memcpy(cat->pre_uid[cat->npre], r->prereq[i].update_id, STORE_GUID_LEN + 1);
		cat->pre[cat->npre].grp = r->prereq[i].grp;
		cat->npre++;
	}
	v->bun_off = cat->nbun;
	v->nbun = (int)r->nbundled;
	for (unsigned i = 0; i < r->nbundled; i++)
		memcpy(cat->bun_uid[cat->nbun++], r->bundled[i], STORE_GUID_LEN + 1);
	return 0;
}

static const struct catalog *catalog_sorting;

static int
catalog_uid_cmp(const void *a, const void *b)
{
	return strcmp(catalog_sorting->revs[*(const int *)a].uid,
	    catalog_sorting->revs[*(const int *)b].uid);
}

/* Index of the revision of update uid, or -1. */
static int
catalog_find_uid(const struct catalog *cat, const char *uid)
{
	int lo = 0, hi = cat->n - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2, c = strcmp(cat->revs[cat->by_uid[mid]].uid, uid);
		if (c == 0)
			return cat->by_uid[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Index of revision id rid (revs are in rid order), or -1. */
static int
catalog_find_rid(const struct catalog *cat, int64_t rid)
{
	int lo = 0, hi = cat->n - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (cat->revs[mid].rid == rid)
			return mid;
		if (cat->revs[mid].rid < rid)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

struct catalog_deps {
	struct catalog *cat;
	struct cat_dep *tmp;
	int            *owner;
	int             n, cap, capo;
};

static int
catalog_add_dep(void *arg, const struct store_deployment *d)
{
	struct catalog_deps *b = arg;
	int idx = catalog_find_uid(b->cat, d->update_id);

	if (idx < 0)
		return 0;
	if (catalog_grow((void **)&b->tmp, &b->cap, b->n + 1, sizeof(*b->tmp)) ||
	    catalog_grow((void **)&b->owner, &b->capo, b->n + 1, sizeof(*b->owner)))
		return -1;
	b->tmp[b->n].id = d->deployment_id;
	memcpy(b->tmp[b->n].group, d->group_guid, sizeof(b->tmp[b->n].group));
	b->tmp[b->n].action = d->action;
	b->tmp[b->n].deadline = d->deadline;
	b->tmp[b->n].last_change = d->last_change;
	b->owner[b->n] = idx;
	b->n++;
	return 0;
}

/* Escape a fragment for <Xml> the way real WSUS does (& < > only). */
static char *
catalog_escape(const char *s, size_t n, size_t *outlen)
{
	struct wbuf b;

	wbuf_init(&b, n + n / 4 + 16);
	wbuf_esc_text(&b, s, n);
	return wbuf_take(&b, outlen);
}

/* catalog_build - a new snapshot of generation gen.  NULL on error. */
static struct catalog *
catalog_build(struct store *st, int64_t gen)
{
	struct catalog_build b;
	struct catalog_deps d;
	struct catalog *cat;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((cat = calloc(1, sizeof(*cat))) == NULL)
		return NULL;
	atomic_init(&cat->refs, 1);
	cat->gen = gen;
	cat->built = time(NULL);
	memset(&b, 0, sizeof(b));
	b.cat = cat;
	memset(&d, 0, sizeof(d));
	d.cat = cat;
	if (store_catalog_each(st, catalog_add_rev, &b) == -1)
		goto fail;
	if ((cat->by_uid = calloc((size_t)cat->n + 1, sizeof(int))) == NULL)
		goto fail;
	for (int i = 0; i < cat->n; i++)
		cat->by_uid[i] = i;
	catalog_sorting = cat;   /* under catalog_lock */
	qsort(cat->by_uid, (size_t)cat->n, sizeof(int), catalog_uid_cmp);
	/* Resolve relationships to indexes. */
	for (int i = 0; i < cat->npre; i++)
		cat->pre[i].rev = catalog_find_uid(cat, cat->pre_uid[i]);
	if ((cat->bun = calloc((size_t)cat->nbun + 1, sizeof(int))) == NULL)
		goto fail;
	for (int i = 0; i < cat->nbun; i++) {
		cat->bun[i] = catalog_find_uid(cat, cat->bun_uid[i]);
		if (cat->bun[i] >= 0)
			cat->revs[cat->bun[i]].member = 1;
	}
	free(cat->pre_uid);
	free(cat->bun_uid);
	cat->pre_uid = NULL;
	cat->bun_uid = NULL;
	/* Approvals, grouped by revision. */
	if (store_deployment_each(st, catalog_add_dep, &d) == -1)
		goto fail;
	if ((cat->dep = calloc((size_t)d.n + 1, sizeof(*cat->dep))) == NULL)
		goto fail;
	for (int i = 0; i < d.n; i++)
		cat->revs[d.owner[i]].ndep++;
	for (int i = 0, off = 0; i < cat->n; i++) {
		cat->revs[i].dep_off = off;
		off += cat->revs[i].ndep;
		cat->revs[i].ndep = 0;
	}
	for (int i = 0; i < d.n; i++) {
		struct cat_rev *v = &cat->revs[d.owner[i]];
		cat->dep[v->dep_off + v->ndep++] = d.tmp[i];
	}
	cat->ndep = d.n;
	/* Core fragments, inflated and escaped once. */
	for (int i = 0; i < cat->n; i++) {
		char *xml = NULL;
		size_t len;

		if (store_fragment(st, cat->revs[i].rid, "core", "", &xml, &len) != 1)
			goto fail;
		cat->revs[i].xml = catalog_escape(xml, len, &cat->revs[i].xml_len);
		free(xml);
		if (cat->revs[i].xml == NULL)
			goto fail;
	}
	free(d.tmp);
	free(d.owner);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_info("Catalogue loaded: %d revisions, %d approvals (generation %lld, %.0f ms)",
	    cat->n, cat->ndep, (long long)gen,
	    (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	return cat;
fail:
	log_warnx("%s: cannot load the catalogue", __func__);
	free(d.tmp);
	free(d.owner);
	catalog_free(cat);
	return NULL;
}

struct catalog *
catalog_get(struct store *st)
{
	int64_t gen = store_catalog_generation(st);
	struct catalog *cat = NULL;

	if (gen < 0)
		return NULL;
	pthread_mutex_lock(&catalog_lock);
	if (catalog_cur == NULL || catalog_cur->gen != gen) {
		struct catalog *n = catalog_build(st, gen);
		if (n != NULL) {
			catalog_put(catalog_cur);
			catalog_cur = n;
		}
	}
	if ((cat = catalog_cur) != NULL)
		atomic_fetch_add(&cat->refs, 1);
	pthread_mutex_unlock(&catalog_lock);
	return cat;
}

static int
catalog_i64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static int
catalog_has(const int64_t *set, int n, int64_t v)
{
	return n > 0 && bsearch(&v, set, (size_t)n, sizeof(*set), catalog_i64_cmp) != NULL;
}

/* Are rev's prerequisites among the installed non-leaf revisions? */
static int
catalog_satisfied(const struct catalog *cat, const struct cat_rev *v,
    const int64_t *inst, int ninst)
{
	int maxgrp = 0;

	for (int i = 0; i < v->npre; i++) {
		const struct cat_pre *p = &cat->pre[v->pre_off + i];
		if (p->grp == 0 && (p->rev < 0 ||
		    !catalog_has(inst, ninst, cat->revs[p->rev].rid)))
			return 0;
		if (p->grp > maxgrp)
			maxgrp = p->grp;
	}
	/* Each AtLeastOne group needs one member installed. */
	for (int g = 1; g <= maxgrp; g++) {
		int any = 0, present = 0;
		for (int i = 0; i < v->npre && !any; i++) {
			const struct cat_pre *p = &cat->pre[v->pre_off + i];
			if (p->grp != g)
				continue;
			present = 1;
			any = p->rev >= 0 && catalog_has(inst, ninst, cat->revs[p->rev].rid);
		}
		if (present && !any)
			return 0;
	}
	return 1;
}

/* The approval of v that applies to one of the groups (Install wins). */
static const struct cat_dep *
catalog_approval(const struct catalog *cat, const struct cat_rev *v,
    const struct sync_request *r)
{
	const struct cat_dep *best = NULL;

	for (int i = 0; i < v->ndep; i++) {
		const struct cat_dep *d = &cat->dep[v->dep_off + i];
		for (int g = 0; g < r->ngroups; g++) {
			if (strcmp(d->group, r->groups[g]) != 0)
				continue;
			if (best == NULL || (d->action == STORE_ACTION_INSTALL &&
			    best->action != STORE_ACTION_INSTALL))
				best = d;
		}
	}
	return best;
}

static void
catalog_date(time_t t, char out[16])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

/* One <UpdateInfo>; with_xml 0 for ChangedUpdates. */
static void
catalog_update_info(const struct catalog *cat, const struct cat_rev *v,
    const struct cat_dep *d, const char *action, int leaf, int with_xml,
    struct wbuf *b)
{
	char date[16], deadline[40];

	catalog_date(d ? d->last_change : cat->built, date);
	wbuf_printf(b, "<UpdateInfo><ID>%lld</ID><Deployment><ID>%lld</ID>"
	    "<Action>%s</Action>", (long long)v->rid,
	    d ? (long long)d->id : CATALOG_EVAL_ID_BASE + (long long)v->rid, action);
	if (d != NULL && d->deadline != 0) {
		soap_format_datetime(d->deadline, 0, deadline);
		wbuf_printf(b, "<Deadline>%s</Deadline>", deadline);
	}
	wbuf_printf(b, "<IsAssigned>true</IsAssigned><LastChangeTime>%s</LastChangeTime>"
	    "<AutoSelect>0</AutoSelect><AutoDownload>0</AutoDownload>"
	    "<SupersedenceBehavior>0</SupersedenceBehavior></Deployment>"
	    "<IsLeaf>%s</IsLeaf>", date, leaf ? "true" : "false");
	if (with_xml) {
		wbuf_puts(b, "<Xml>");
		wbuf_put(b, v->xml, v->xml_len);
		wbuf_puts(b, "</Xml>");
	}
	wbuf_puts(b, "</UpdateInfo>");
}

static const char *
catalog_action(const struct cat_dep *d)
{
	return d->action == STORE_ACTION_UNINSTALL ? "Uninstall" : "Install";
}

/* The bytes v and its not yet sent bundle members add to a page, and
 * how many updates that is. */
static size_t
catalog_cost(const struct catalog *cat, const struct cat_rev *v,
    const unsigned char *sent, const int64_t *cached, int ncached, int *count)
{
	size_t bytes = v->xml_len + CATALOG_INFO_BYTES;

	*count = 1;
	for (int k = 0; k < v->nbun; k++) {
		int m = cat->bun[v->bun_off + k];
		if (m < 0 || sent[m] || catalog_has(cached, ncached, cat->revs[m].rid))
			continue;
		bytes += cat->revs[m].xml_len + CATALOG_INFO_BYTES;
		(*count)++;
	}
	return bytes;
}

int
catalog_sync(struct catalog *cat, const struct sync_request *r,
    struct wbuf *b, int *truncated)
{
	int64_t *inst = NULL, *cached = NULL;
	unsigned char *sent = NULL;          /* revisions already on this page */
	size_t start = b->len;
	int n = 0, nonleaf = 0, rc = -1;

	*truncated = 0;
	if ((r->ninstalled && (inst = malloc((size_t)r->ninstalled * sizeof(*inst))) == NULL) ||
	    (r->ncached && (cached = malloc((size_t)r->ncached * sizeof(*cached))) == NULL) ||
	    (sent = calloc((size_t)cat->n + 1, 1)) == NULL)
		goto out;
	if (r->ninstalled)
		memcpy(inst, r->installed, (size_t)r->ninstalled * sizeof(*inst));
	if (r->ncached)
		memcpy(cached, r->cached, (size_t)r->ncached * sizeof(*cached));
	if (r->ninstalled > 1)
		qsort(inst, (size_t)r->ninstalled, sizeof(*inst), catalog_i64_cmp);
	if (r->ncached > 1)
		qsort(cached, (size_t)r->ncached, sizeof(*cached), catalog_i64_cmp);

	wbuf_puts(b, "<NewUpdates>");
	/* 1. Non-leaf round. */
	for (int i = 0; i < cat->n && !*truncated; i++) {
		const struct cat_rev *v = &cat->revs[i];
		const struct cat_dep *d;

		if (v->leaf || v->declined || v->member ||
		    catalog_has(inst, r->ninstalled, v->rid) ||
		    catalog_has(cached, r->ncached, v->rid) ||
		    !catalog_satisfied(cat, v, inst, r->ninstalled))
			continue;
		if (n == LIMIT_SYNC_PAGE || (n > 0 && b->len - start + v->xml_len +
		    CATALOG_INFO_BYTES > r->max_bytes)) {
			*truncated = 1;
			break;
		}
		/* An approved prerequisite update is installable, not just evaluated. */
		d = v->kind == STORE_KIND_SOFTWARE || v->kind == STORE_KIND_DRIVER ?
		    catalog_approval(cat, v, r) : NULL;
		catalog_update_info(cat, v, d, d ? catalog_action(d) : "Evaluate", 0, 1, b);
		sent[i] = 1;
		n++;
		nonleaf++;
	}
	/* 2. Leaf round, once the client has the whole non-leaf graph. */
	for (int i = 0; i < cat->n && nonleaf == 0 && !*truncated; i++) {
		const struct cat_rev *v = &cat->revs[i];
		const struct cat_dep *d;
		size_t bytes;
		int count;

		if (!v->leaf || v->declined || v->member ||
		    catalog_has(cached, r->ncached, v->rid) ||
		    (d = catalog_approval(cat, v, r)) == NULL ||
		    !catalog_satisfied(cat, v, inst, r->ninstalled))
			continue;
		/* A bundle and its members share a page (an empty page takes them all). */
		bytes = catalog_cost(cat, v, sent, cached, r->ncached, &count);
		if (n > 0 && (n + count > LIMIT_SYNC_PAGE ||
		    b->len - start + bytes > r->max_bytes)) {
			*truncated = 1;
			break;
		}
		catalog_update_info(cat, v, d, catalog_action(d), 1, 1, b);
		sent[i] = 1;
		n++;
		/* A bundle's members travel with it (Action "Bundle"), once a page. */
		for (int k = 0; k < v->nbun; k++) {
			int m = cat->bun[v->bun_off + k];
			if (m < 0 || sent[m] || catalog_has(cached, r->ncached, cat->revs[m].rid))
				continue;
			catalog_update_info(cat, &cat->revs[m], d, "Bundle", 1, 1, b);
			sent[m] = 1;
			n++;
		}
	}
	wbuf_puts(b, "</NewUpdates>");

	/* 3. Cached ids: gone out of scope, or approval changed. */
	if (r->ncached > 0) {
		int any = 0;

		for (int i = 0; i < r->ncached; i++) {
			int k = catalog_find_rid(cat, cached[i]);
			const struct cat_rev *v = k >= 0 ? &cat->revs[k] : NULL;
			int out_of_scope = v == NULL || v->declined ||
			    (v->leaf && !v->member && catalog_approval(cat, v, r) == NULL);

			if (!out_of_scope || (i > 0 && cached[i] == cached[i - 1]))
				continue;
			if (!any++)
				wbuf_puts(b, "<OutOfScopeRevisionIDs>");
			wbuf_printf(b, "<int>%lld</int>", (long long)cached[i]);
		}
		if (any)
			wbuf_puts(b, "</OutOfScopeRevisionIDs>");
		any = 0;
		for (int i = 0; i < r->ncached; i++) {
			int k = catalog_find_rid(cat, cached[i]);
			const struct cat_rev *v = k >= 0 ? &cat->revs[k] : NULL;
			const struct cat_dep *d;

			if (v == NULL || !v->leaf || v->member || v->declined ||
			    (d = catalog_approval(cat, v, r)) == NULL ||
			    d->last_change < r->last_sync || r->last_sync == 0 ||
			    (i > 0 && cached[i] == cached[i - 1]))
				continue;
			if (!any++)
				wbuf_puts(b, "<ChangedUpdates>");
			catalog_update_info(cat, v, d, catalog_action(d), 1, 0, b);
		}
		if (any)
			wbuf_puts(b, "</ChangedUpdates>");
	}
	rc = n;
out:
	free(inst);
	free(cached);
	free(sent);
	return rc;
}

int
catalog_known_category(struct catalog *cat, const char *guid)
{
	int k = catalog_find_uid(cat, guid);

	return k >= 0 && cat->revs[k].kind == STORE_KIND_CATEGORY;
}

int64_t
catalog_rev_of(struct catalog *cat, const char *update_id, int *is_leaf)
{
	int k = catalog_find_uid(cat, update_id);

	if (k < 0)
		return 0;
	*is_leaf = cat->revs[k].leaf;
	return cat->revs[k].rid;
}

int
catalog_rev_known(struct catalog *cat, int64_t rid)
{
	return catalog_find_rid(cat, rid) >= 0;
}
