/*
 * catalog.c - the update catalogue: import, the scan engine's view of it,
 * fragments and files, and the catalogue generation.
 *
 * Owns: the rows of updates, revisions, fragments, files, revision_files,
 * prerequisites, revision_categories, bundles, supersedence and
 * catalog_state.  Fragments are stored deflated (zlib stream) with their plain size, and
 * are inflated here only, after bounding that size.
 *
 * Never: writes part of an import batch (one transaction, refused whole
 * when any row is invalid); lets a revision that is not the highest of
 * its update become the latest; inflates more than STORE_FRAGMENT_MAX.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "zip.h"
#include "store_int.h"

/* Schema text of enum store_kind. */
static const char *const catalog_kinds[] = {
	[STORE_KIND_SOFTWARE] = "software",
	[STORE_KIND_DRIVER] = "driver",
	[STORE_KIND_DETECTOID] = "detectoid",
	[STORE_KIND_CATEGORY] = "category",
};
#define CATALOG_NKINDS (sizeof(catalog_kinds) / sizeof(catalog_kinds[0]))

/* Category types: the name in update XML, and the schema's. */
static const struct {
	const char *xml;
	const char *db;
} catalog_ctypes[] = {
	{ "Company", "company" },
	{ "ProductFamily", "product_family" },
	{ "Product", "product" },
	{ "UpdateClassification", "update_classification" },
};

/* A growable byte buffer for deflated fragments, reused across a batch. */
struct catalog_buf {
	unsigned char *p;
	size_t         cap;
	size_t         len;
};

const char *
catalog_kind_name(enum store_kind k)
{
	if ((unsigned)k >= CATALOG_NKINDS)
		return NULL;
	return catalog_kinds[k];
}

int
catalog_kind_parse(const char *text)
{
	if (text == NULL)
		return -1;
	for (size_t i = 0; i < CATALOG_NKINDS; i++)
		if (strcmp(text, catalog_kinds[i]) == 0)
			return (int)i;
	return -1;
}

int
catalog_bump(struct store *st, const char *caller)
{
	int64_t now = (int64_t)time(NULL);

	if (stmt_run_ints(st, STMT_CATALOG_BUMP, &now, 1, NULL, caller) == -1)
		return -1;
	if (sqlite3_changes(st->db) != 1) {
		log_warnx("%s: %s: catalogue generation row missing", caller,
		    st->path);
		return -1;
	}
	return 0;
}

int
catalog_commit(struct store *st, const char *caller)
{
	if (catalog_bump(st, caller) == -1)
		return -1;
	return store_commit(st, caller);
}

int64_t
store_catalog_generation(struct store *st)
{
	int64_t gen = -1;
	int rc;

	/* One primary-key read, as store_generation (advert.c) explains. */
	rc = stmt_run(st, stmt_get(st, STMT_CATALOG_GEN_GET), &gen, __func__);
	if (rc == 0)
		log_warnx("%s: %s: catalogue generation row missing", __func__, st->path);
	return rc == 1 ? gen : -1;
}

/* --- import ----------------------------------------------------------- */

/* catalog_terminated - 1 if buf[0..len) holds a NUL. */
static int
catalog_terminated(const char *buf, size_t len)
{
	return memchr(buf, '\0', len) != NULL;
}

/* catalog_guid_ok - a NUL-terminated GUID in a STORE_GUID_LEN + 1 buffer. */
static int
catalog_guid_ok(const char g[STORE_GUID_LEN + 1])
{
	char tmp[STORE_GUID_LEN + 1];

	return catalog_terminated(g, STORE_GUID_LEN + 1) &&
	    guid_canon(g, tmp) == 0;
}

/*
 * catalog_lang - lower-case a language tag (letters, digits, '-';
 * 1..STORE_LANG_MAX - 1 bytes) into out.  Returns 0, or -1 if it is not
 * one.
 */
static int
catalog_lang(const char *in, char out[STORE_LANG_MAX])
{
	size_t i;

	for (i = 0; in[i] != '\0'; i++) {
		unsigned char c = (unsigned char)in[i];

		if (i + 1 >= STORE_LANG_MAX)
			return -1;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-'))
			return -1;
		out[i] = (char)c;
	}
	out[i] = '\0';
	return i > 0 ? 0 : -1;
}

/*
 * catalog_ctype - the schema text for a category type given as in update
 * XML ("Product") or as the schema spells it ("product"), any case; NULL
 * for "".  Sets *ok to 0 for an unknown type.
 */
static const char *
catalog_ctype(const char *in, int *ok)
{
	*ok = 1;
	if (in[0] == '\0')
		return NULL;
	for (size_t i = 0;
	    i < sizeof(catalog_ctypes) / sizeof(catalog_ctypes[0]); i++)
		if (strcasecmp(in, catalog_ctypes[i].xml) == 0 ||
		    strcasecmp(in, catalog_ctypes[i].db) == 0)
			return catalog_ctypes[i].db;
	*ok = 0;
	return NULL;
}

/*
 * catalog_invalid - check one revision before anything is written.
 * Returns NULL if it can be imported, else why not (static text).
 */
static const char *
catalog_invalid(const struct store_import *u)
{
	char lang[STORE_LANG_MAX], other[STORE_LANG_MAX];
	int ok;

	if (!catalog_guid_ok(u->update_id))
		return "update id is not a GUID";
	if (catalog_kind_name(u->kind) == NULL)
		return "unknown kind";
	if (u->revision_number < 0)
		return "negative revision number";
	if (!catalog_terminated(u->title, sizeof(u->title)))
		return "title not terminated";
	if (!catalog_terminated(u->category_type, sizeof(u->category_type)))
		return "category type not terminated";
	(void)catalog_ctype(u->category_type, &ok);
	if (!ok)
		return "unknown category type";
	if (u->category_type[0] != '\0' && u->kind != STORE_KIND_CATEGORY)
		return "category type on an update that is not a category";
	if (u->core == NULL || u->core_len == 0)
		return "no core fragment";
	if (u->core_len > STORE_FRAGMENT_MAX ||
	    u->extended_len > STORE_FRAGMENT_MAX)
		return "fragment larger than STORE_FRAGMENT_MAX";
	if (u->extended == NULL && u->extended_len != 0)
		return "extended fragment length without data";
	if ((u->nloc > 0 && u->loc == NULL) ||
	    (u->nprereq > 0 && u->prereq == NULL) ||
	    (u->nbundled > 0 && u->bundled == NULL) ||
	    (u->nsuperseded > 0 && u->superseded == NULL) ||
	    (u->nfiles > 0 && u->files == NULL))
		return "list count without a list";
	for (unsigned i = 0; i < u->nloc; i++) {
		if (!catalog_terminated(u->loc[i].lang,
		    sizeof(u->loc[i].lang)) ||
		    catalog_lang(u->loc[i].lang, lang) == -1)
			return "bad localized language";
		if (u->loc[i].xml == NULL || u->loc[i].len > STORE_FRAGMENT_MAX)
			return "bad localized fragment";
		for (unsigned j = 0; j < i; j++)
			if (catalog_lang(u->loc[j].lang, other) == 0 &&
			    strcmp(lang, other) == 0)
				return "localized language given twice";
	}
	for (unsigned i = 0; i < u->nprereq; i++) {
		if (!catalog_guid_ok(u->prereq[i].update_id))
			return "prerequisite is not a GUID";
		if (u->prereq[i].grp < 0)
			return "negative prerequisite group";
		if (u->prereq[i].is_category != 0 &&
		    u->prereq[i].is_category != 1)
			return "prerequisite is_category not 0 or 1";
	}
	for (unsigned i = 0; i < u->nbundled; i++)
		if (!catalog_guid_ok(u->bundled[i]))
			return "bundled update is not a GUID";
	for (unsigned i = 0; i < u->nsuperseded; i++)
		if (!catalog_guid_ok(u->superseded[i]))
			return "superseded update is not a GUID";
	for (unsigned i = 0; i < u->nfiles; i++) {
		const struct store_file *f = &u->files[i];

		if (!catalog_terminated(f->name, sizeof(f->name)) ||
		    f->name[0] == '\0')
			return "file name empty or not terminated";
		if (!catalog_terminated(f->modified, sizeof(f->modified)))
			return "file modified time not terminated";
		if (f->size > (uint64_t)INT64_MAX)
			return "file size out of range";
		if (f->has_sha256 != 0 && f->has_sha256 != 1)
			return "file has_sha256 not 0 or 1";
	}
	return NULL;
}

/*
 * catalog_bind_guid - bind a validated GUID, canonical lowercase, to
 * parameter i of s.  Returns SQLITE_OK or an sqlite error code.
 */
static int
catalog_bind_guid(sqlite3_stmt *s, int i, const char *g)
{
	char c[STORE_GUID_LEN + 1];

	if (guid_canon(g, c) == -1)
		return SQLITE_MISUSE;   /* validated before: cannot happen */
	return sqlite3_bind_text(s, i, c, -1, SQLITE_TRANSIENT);
}

/*
 * catalog_modified - a file's Modified text, "2026-08-18T00:39:04Z"
 * (anything after the seconds is ignored), as UTC seconds; 0 if it does
 * not parse.  The text itself is stored too, so nothing is lost.
 */
static int64_t
catalog_modified(const char *text)
{
	struct tm tm;
	int n = 0;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    n == 0)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

/*
 * catalog_fragment - deflate len bytes of xml into z and insert them as
 * the (kind, lang) fragment of revision rev.  Returns 0 or -1 after
 * logging.
 */
static int
catalog_fragment(struct store *st, struct catalog_buf *z, int64_t rev,
    const char *kind, const char *lang, const char *xml, size_t len)
{
	sqlite3_stmt *s;
	size_t bound = zip_bound(len), zlen = bound;
	unsigned char *p;

	if (bound > z->cap) {
		if ((p = realloc(z->p, bound)) == NULL) {
			log_warn("%s: realloc %lu", __func__,
			    (unsigned long)bound);
			return -1;
		}
		z->p = p;
		z->cap = bound;
	}
	if (zip_deflate(ZIP_ZLIB, STORE_FRAGMENT_LEVEL, xml, len, z->p,
	    &zlen) == -1) {
		log_warnx("%s: deflate: %s", __func__, zip_strerror());
		return -1;
	}
	z->len = zlen;
	s = stmt_get(st, STMT_FRAGMENT_INSERT);
	if (sqlite3_bind_int64(s, 1, rev) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s, 3, lang, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_blob64(s, 4, z->p, z->len, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, (sqlite3_int64)len) != SQLITE_OK)
		return stmt_bind_failed(st, s, __func__);
	return stmt_run(st, s, NULL, __func__) == -1 ? -1 : 0;
}

/* catalog_file - upsert file f by SHA-1 and link it to revision rev. */
static int
catalog_file(struct store *st, int64_t rev, const struct store_file *f)
{
	sqlite3_stmt *s = stmt_get(st, STMT_FILE_UPSERT);
	int64_t file_id = 0;

	if (sqlite3_bind_blob(s, 1, f->sha1, sizeof(f->sha1),
	    SQLITE_TRANSIENT) != SQLITE_OK ||
	    (f->has_sha256 ? sqlite3_bind_blob(s, 2, f->sha256,
	    sizeof(f->sha256), SQLITE_TRANSIENT) : sqlite3_bind_null(s, 2)) !=
	    SQLITE_OK ||
	    sqlite3_bind_text(s, 3, f->name, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, (sqlite3_int64)f->size) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, catalog_modified(f->modified)) !=
	    SQLITE_OK ||
	    sqlite3_bind_text(s, 6, f->modified, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK)
		return stmt_bind_failed(st, s, __func__);
	/* RETURNING gives the id for a new and for an existing file. */
	if (stmt_run(st, s, &file_id, __func__) != 1)
		return -1;
	return stmt_run_ints(st, STMT_REVISION_FILE_INSERT,
	    (const int64_t[]){ rev, file_id }, 2, NULL, __func__) == -1 ?
	    -1 : 0;
}

/*
 * catalog_links - the relationships of revision rev: prerequisites (those
 * with is_category are also its categories), bundle members, superseded
 * updates.  Returns 0 or -1 after logging.
 */
static int
catalog_links(struct store *st, int64_t rev, const struct store_import *u)
{
	sqlite3_stmt *s;

	for (unsigned i = 0; i < u->nprereq; i++) {
		const struct store_prereq *p = &u->prereq[i];

		s = stmt_get(st, STMT_PREREQ_INSERT);
		if (sqlite3_bind_int64(s, 1, rev) != SQLITE_OK ||
		    sqlite3_bind_int(s, 2, p->grp) != SQLITE_OK ||
		    catalog_bind_guid(s, 3, p->update_id) != SQLITE_OK ||
		    sqlite3_bind_int(s, 4, p->is_category) != SQLITE_OK)
			goto bind;
		if (stmt_run(st, s, NULL, __func__) == -1)
			return -1;
		if (!p->is_category)
			continue;
		s = stmt_get(st, STMT_REV_CATEGORY_INSERT);
		if (sqlite3_bind_int64(s, 1, rev) != SQLITE_OK ||
		    catalog_bind_guid(s, 2, p->update_id) != SQLITE_OK)
			goto bind;
		if (stmt_run(st, s, NULL, __func__) == -1)
			return -1;
	}
	for (unsigned i = 0; i < u->nbundled; i++) {
		s = stmt_get(st, STMT_BUNDLE_INSERT);
		if (sqlite3_bind_int64(s, 1, rev) != SQLITE_OK ||
		    catalog_bind_guid(s, 2, u->bundled[i]) != SQLITE_OK)
			goto bind;
		if (stmt_run(st, s, NULL, __func__) == -1)
			return -1;
	}
	for (unsigned i = 0; i < u->nsuperseded; i++) {
		s = stmt_get(st, STMT_SUPERSEDE_INSERT);
		if (sqlite3_bind_int64(s, 1, rev) != SQLITE_OK ||
		    catalog_bind_guid(s, 2, u->superseded[i]) != SQLITE_OK)
			goto bind;
		if (stmt_run(st, s, NULL, __func__) == -1)
			return -1;
	}
	return 0;
bind:
	return stmt_bind_failed(st, s, __func__);
}

/*
 * catalog_import_one - write revision u inside the batch's transaction.
 * The new revision becomes the latest of its update unless a higher
 * revision number is already there (an old revision imported late is
 * kept, not served); it inherits the update's declined flag, and the
 * approvals of the revision it replaces move to it (WSUS carries
 * approvals to new revisions).  Returns 1 added, 0 already there
 * (skipped), -1 after logging.
 */
static int
catalog_import_one(struct store *st, const struct store_import *u,
    struct catalog_buf *z, int64_t now)
{
	char lang[STORE_LANG_MAX];
	const char *ctype;
	sqlite3_stmt *s;
	int64_t uref = 0, rev = 0, old_rev = 0, old_num = -1, declined = 0;
	int rc, ok, latest;

	/* Already imported: nothing to do, not even the update row. */
	s = stmt_get(st, STMT_REVISION_FIND);
	if (catalog_bind_guid(s, 1, u->update_id) != SQLITE_OK ||
	    sqlite3_bind_int(s, 2, u->revision_number) != SQLITE_OK)
		goto bind;
	if ((rc = stmt_run(st, s, NULL, __func__)) != 0)
		return rc == 1 ? 0 : -1;

	ctype = catalog_ctype(u->category_type, &ok);
	s = stmt_get(st, STMT_UPDATE_UPSERT);
	if (catalog_bind_guid(s, 1, u->update_id) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, catalog_kind_name(u->kind), -1,
	    SQLITE_STATIC) != SQLITE_OK ||
	    (ctype != NULL ? sqlite3_bind_text(s, 3, ctype, -1,
	    SQLITE_STATIC) : sqlite3_bind_null(s, 3)) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, now) != SQLITE_OK)
		goto bind;
	if (stmt_run(st, s, &uref, __func__) != 1)
		return -1;

	s = stmt_get(st, STMT_REVISION_LATEST);
	if (sqlite3_bind_int64(s, 1, uref) != SQLITE_OK)
		goto bind;
	if ((rc = store_step(st, s, __func__)) == 1) {
		old_rev = sqlite3_column_int64(s, 0);
		old_num = sqlite3_column_int64(s, 1);
		declined = sqlite3_column_int64(s, 2);
	}
	stmt_release(s);
	if (rc == -1)
		return -1;
	latest = u->revision_number > old_num;

	/* The partial unique index allows one latest: clear it first. */
	if (latest && old_rev != 0 && stmt_run_ints(st,
	    STMT_REVISION_UNLATEST, (const int64_t[]){ old_rev, now }, 2, NULL,
	    __func__) == -1)
		return -1;
	s = stmt_get(st, STMT_REVISION_INSERT);
	if (sqlite3_bind_int64(s, 1, uref) != SQLITE_OK ||
	    sqlite3_bind_int(s, 2, u->revision_number) != SQLITE_OK ||
	    sqlite3_bind_int(s, 3, latest) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, declined) != SQLITE_OK ||
	    sqlite3_bind_text(s, 5, u->title, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(s, 6, now) != SQLITE_OK)
		goto bind;
	if (stmt_run(st, s, &rev, __func__) != 1)
		return -1;
	if (latest && old_rev != 0 && stmt_run_ints(st, STMT_DEPLOYMENT_MOVE,
	    (const int64_t[]){ old_rev, rev, now }, 3, NULL, __func__) == -1)
		return -1;

	if (catalog_fragment(st, z, rev, "core", "", u->core,
	    u->core_len) == -1)
		return -1;
	if (u->extended != NULL && catalog_fragment(st, z, rev, "extended",
	    "", u->extended, u->extended_len) == -1)
		return -1;
	for (unsigned i = 0; i < u->nloc; i++) {
		(void)catalog_lang(u->loc[i].lang, lang);   /* validated */
		if (catalog_fragment(st, z, rev, "localized", lang,
		    u->loc[i].xml, u->loc[i].len) == -1)
			return -1;
	}
	for (unsigned i = 0; i < u->nfiles; i++)
		if (catalog_file(st, rev, &u->files[i]) == -1)
			return -1;
	if (catalog_links(st, rev, u) == -1)
		return -1;
	return 1;
bind:
	return stmt_bind_failed(st, s, __func__);
}

/*
 * store_import_batch - see store.h.  Every revision is validated before
 * the write lock is taken (GUIDs in any case, kinds, category types,
 * fragment sizes, language tags, terminated strings); one bad row refuses
 * the batch with one log line naming it.  The generation is bumped once,
 * and only if something was added.
 */
int
store_import_batch(struct store *st, const struct store_import *u,
    unsigned n, unsigned *added, unsigned *skipped,
    const struct store_actor *who)
{
	struct catalog_buf z = { NULL, 0, 0 };
	struct audit_json ja;
	char ids[STORE_AUDIT_VALUE_MAX - 128];
	const char *first = NULL;   /* the object of a one-update import */
	size_t idn = 1, idmore = 0;
	unsigned nadd = 0, nskip = 0, i = 0;
	const char *why;
	int64_t now = (int64_t)time(NULL);
	int rc = -1, r;

	if (added != NULL)
		*added = 0;
	if (skipped != NULL)
		*skipped = 0;
	if (n > 0 && u == NULL) {
		log_warnx("%s: %u revisions but no array", __func__, n);
		return -1;
	}
	/* Validate everything first: a bad row refuses the whole batch. */
	for (i = 0; i < n; i++) {
		if ((why = catalog_invalid(&u[i])) != NULL) {
			log_warnx("%s: revision %u of %u (update %.36s): %s; "
			    "nothing imported", __func__, i + 1, n,
			    catalog_terminated(u[i].update_id,
			    sizeof(u[i].update_id)) ? u[i].update_id : "?",
			    why);
			return -1;
		}
	}
	if (!audit_actor_ok(who, __func__))
		return -1;
	if (n == 0)
		return 0;
	if (store_begin(st, __func__) == -1)
		return -1;
	ids[0] = '[';
	for (i = 0; i < n; i++) {
		if ((r = catalog_import_one(st, &u[i], &z, now)) == -1)
			goto out;
		if (r != 1) {
			nskip++;
			continue;
		}
		if (nadd++ == 0)
			first = u[i].update_id;
		/* "id/rev", as many as the audit value holds. */
		if (idn + STORE_GUID_LEN + 16 < sizeof(ids) - 1)
			idn += (size_t)snprintf(ids + idn, sizeof(ids) - idn,
			    "%s\"%s/%d\"", idn > 1 ? "," : "", u[i].update_id,
			    u[i].revision_number);
		else
			idmore++;
	}
	ids[idn++] = ']';
	ids[idn] = '\0';
	/* Re-importing what is there changes nothing: no audit row. */
	if (nadd > 0) {
		audit_json_init(&ja);
		audit_json_int(&ja, "added", nadd);
		audit_json_int(&ja, "already_present", nskip);
		audit_json_raw(&ja, "revisions", ids);
		if (idmore > 0)
			audit_json_int(&ja, "revisions_not_listed",
			    (int64_t)idmore);
		if (catalog_bump(st, __func__) == -1 ||
		    audit_write(st, who, "import", nadd == 1 ?
		    first : "catalog", "", audit_json_end(&ja),
		    __func__) == -1)
			goto out;
	}
	if (store_commit(st, __func__) == -1)
		goto out;
	rc = 0;
	log_info("%s: %s: %u revisions added, %u already there", __func__,
	    st->path, nadd, nskip);
	if (added != NULL)
		*added = nadd;
	if (skipped != NULL)
		*skipped = nskip;
out:
	if (rc == -1) {
		if (i < n)
			log_warnx("%s: batch of %u rolled back at revision %u "
			    "(update %s r%d)", __func__, n, i + 1,
			    u[i].update_id, u[i].revision_number);
		store_rollback(st, __func__);
	}
	free(z.p);
	return rc;
}

/* --- the scan engine's view ------------------------------------------- */

/* A growable array of n elements of size sz. */
static int
catalog_grow(void **p, size_t *cap, size_t n, size_t sz)
{
	size_t ncap;
	void *np;

	if (n < *cap)
		return 0;
	ncap = *cap == 0 ? 16 : *cap * 2;
	if ((np = reallocarray(*p, ncap, sz)) == NULL) {
		log_warn("%s: reallocarray %zu", __func__, ncap);
		return -1;
	}
	*p = np;
	*cap = ncap;
	return 0;
}

/*
 * store_catalog_each - see store.h.  Three queries, each ordered by
 * revision_id, are stepped side by side and merged: one pass over the
 * revisions, one over all their prerequisites, one over all their bundle
 * members; no query per revision.  They share one read snapshot because
 * the first stays active until the others have started.  fn must not call
 * store_catalog_each again (the statements are in use) and should not
 * write (the read snapshot is held across the calls).
 */
int
store_catalog_each(struct store *st,
    int (*fn)(void *arg, const struct store_rev *r), void *arg)
{
	sqlite3_stmt *rv = stmt_get(st, STMT_CATALOG_REVS);
	sqlite3_stmt *pq = stmt_get(st, STMT_CATALOG_PREREQS);
	sqlite3_stmt *bq = stmt_get(st, STMT_CATALOG_BUNDLES);
	struct store_prereq *pre = NULL;
	char (*bun)[STORE_GUID_LEN + 1] = NULL;
	size_t pcap = 0, bcap = 0;
	struct store_rev r;
	char uid[STORE_GUID_LEN + 1];
	const unsigned char *title;
	int rr, rp = 0, rb = 0, kind, rc = -1;

	rr = store_step(st, rv, __func__);
	if (rr == 1) {
		rp = store_step(st, pq, __func__);
		rb = store_step(st, bq, __func__);
	}
	while (rr == 1 && rp != -1 && rb != -1) {
		int64_t id = sqlite3_column_int64(rv, 0);
		size_t np = 0, nb = 0;

		for (; rp == 1 && sqlite3_column_int64(pq, 0) <= id;
		    rp = store_step(st, pq, __func__)) {
			if (sqlite3_column_int64(pq, 0) != id)
				continue;   /* cannot happen: same filter */
			if (catalog_grow((void **)&pre, &pcap, np,
			    sizeof(*pre)) == -1)
				goto out;
			if (stmt_text(pq, 1, pre[np].update_id,
			    sizeof(pre[np].update_id)) == -1)
				goto bad;
			pre[np].grp = sqlite3_column_int(pq, 2);
			pre[np].is_category = sqlite3_column_int(pq, 3);
			np++;
		}
		for (; rb == 1 && sqlite3_column_int64(bq, 0) <= id;
		    rb = store_step(st, bq, __func__)) {
			if (sqlite3_column_int64(bq, 0) != id)
				continue;
			if (catalog_grow((void **)&bun, &bcap, nb,
			    sizeof(*bun)) == -1)
				goto out;
			if (stmt_text(bq, 1, bun[nb], sizeof(bun[nb])) == -1)
				goto bad;
			nb++;
		}
		if (rp == -1 || rb == -1)
			goto out;

		memset(&r, 0, sizeof(r));
		r.revision_id = id;
		if (stmt_text(rv, 1, uid, sizeof(uid)) == -1)
			goto bad;
		memcpy(r.update_id, uid, sizeof(r.update_id));
		r.revision_number = sqlite3_column_int(rv, 2);
		if ((kind = catalog_kind_parse((const char *)
		    sqlite3_column_text(rv, 3))) == -1)
			goto bad;
		r.kind = (enum store_kind)kind;
		r.declined = sqlite3_column_int(rv, 4);
		r.is_leaf = sqlite3_column_int(rv, 5);
		r.prereq = pre;
		r.nprereq = (unsigned)np;
		r.bundled = (const char (*)[STORE_GUID_LEN + 1])bun;
		r.nbundled = (unsigned)nb;
		title = sqlite3_column_text(rv, 6);
		r.title = title != NULL ? (const char *)title : "";
		if (fn(arg, &r) != 0)
			goto out;
		rr = store_step(st, rv, __func__);
	}
	if (rr == -1 || rp == -1 || rb == -1)
		goto out;
	rc = 0;
	goto out;
bad:
	log_warnx("%s: %s: malformed catalogue row", __func__, st->path);
out:
	stmt_release(rv);
	stmt_release(pq);
	stmt_release(bq);
	free(pre);
	free(bun);
	return rc;
}

/* --- fragments and files ---------------------------------------------- */

/*
 * store_fragment - see store.h.  lang is matched case-insensitively and
 * exactly ("en-us" does not fall back to "en": the caller knows the
 * client's list).  The stored size is bounded by STORE_FRAGMENT_MAX
 * before allocating, and the inflated length must equal it.
 */
int
store_fragment(struct store *st, int64_t revision_id, const char *kind,
    const char *lang, char **xml, size_t *len)
{
	char lc[STORE_LANG_MAX];
	sqlite3_stmt *s = NULL;
	const void *zdata;
	int64_t size;
	char *buf = NULL;
	int rc = -1, zn;

	*xml = NULL;
	if (len != NULL)
		*len = 0;
	if (kind == NULL || (strcmp(kind, "core") != 0 &&
	    strcmp(kind, "extended") != 0 && strcmp(kind, "localized") != 0)) {
		log_warnx("%s: unknown fragment kind %s", __func__,
		    kind != NULL ? kind : "(null)");
		return -1;
	}
	if (strcmp(kind, "localized") == 0 && lang != NULL && lang[0] != '\0') {
		/* A tag we could never have stored is simply absent. */
		if (strnlen(lang, STORE_LANG_MAX) >= STORE_LANG_MAX ||
		    catalog_lang(lang, lc) == -1)
			return 0;
		s = stmt_get(st, STMT_FRAGMENT_GET);
		if (sqlite3_bind_int64(s, 1, revision_id) != SQLITE_OK ||
		    sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC) !=
		    SQLITE_OK ||
		    sqlite3_bind_text(s, 3, lc, -1, SQLITE_TRANSIENT) !=
		    SQLITE_OK) {
			stmt_bind_failed(st, s, __func__);
			goto out;
		}
	} else if (strcmp(kind, "localized") == 0) {
		s = stmt_get(st, STMT_FRAGMENT_LOC_FIRST);
		if (sqlite3_bind_int64(s, 1, revision_id) != SQLITE_OK) {
			stmt_bind_failed(st, s, __func__);
			goto out;
		}
	} else {
		s = stmt_get(st, STMT_FRAGMENT_GET);
		if (sqlite3_bind_int64(s, 1, revision_id) != SQLITE_OK ||
		    sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC) !=
		    SQLITE_OK ||
		    sqlite3_bind_text(s, 3, "", -1, SQLITE_STATIC) !=
		    SQLITE_OK) {
			stmt_bind_failed(st, s, __func__);
			goto out;
		}
	}
	if ((rc = store_step(st, s, __func__)) != 1)
		goto out;
	rc = -1;
	zdata = sqlite3_column_blob(s, 0);
	zn = sqlite3_column_bytes(s, 0);
	size = sqlite3_column_int64(s, 1);
	/* Bound the size before allocating: the row is not trusted blindly. */
	if (zdata == NULL || zn <= 0 || size < 0 ||
	    size > (int64_t)STORE_FRAGMENT_MAX) {
		log_warnx("%s: %s: revision %lld %s fragment: bad size %lld",
		    __func__, st->path, (long long)revision_id, kind,
		    (long long)size);
		goto out;
	}
	if ((buf = malloc((size_t)size + 1)) == NULL) {
		log_warn("%s: malloc %lld", __func__, (long long)size + 1);
		goto out;
	}
	if (zip_inflate(zdata, (size_t)zn, buf, (size_t)size) == -1) {
		log_warnx("%s: %s: revision %lld %s fragment: %s", __func__,
		    st->path, (long long)revision_id, kind, zip_strerror());
		goto out;
	}
	buf[size] = '\0';
	*xml = buf;
	buf = NULL;
	if (len != NULL)
		*len = (size_t)size;
	rc = 1;
out:
	stmt_release(s);
	free(buf);
	return rc;
}

/*
 * catalog_file_row - columns sha1, sha256, name, size, modified_text of
 * the current row of s into *f.  Returns 0, or -1 after logging a row
 * that is not ours.
 */
static int
catalog_file_row(struct store *st, sqlite3_stmt *s, struct store_file *f,
    const char *caller)
{
	const void *b;

	memset(f, 0, sizeof(*f));
	b = sqlite3_column_blob(s, 0);
	if (b == NULL || sqlite3_column_bytes(s, 0) != (int)sizeof(f->sha1))
		goto bad;
	memcpy(f->sha1, b, sizeof(f->sha1));
	if ((b = sqlite3_column_blob(s, 1)) != NULL) {
		if (sqlite3_column_bytes(s, 1) != (int)sizeof(f->sha256))
			goto bad;
		memcpy(f->sha256, b, sizeof(f->sha256));
		f->has_sha256 = 1;
	}
	if (stmt_text(s, 2, f->name, sizeof(f->name)) == -1 ||
	    sqlite3_column_int64(s, 3) < 0 ||
	    stmt_text(s, 4, f->modified, sizeof(f->modified)) == -1)
		goto bad;
	f->size = (uint64_t)sqlite3_column_int64(s, 3);
	return 0;
bad:
	log_warnx("%s: %s: malformed file row", caller, st->path);
	return -1;
}

/*
 * store_revision_files - see store.h.  Files in the order they were first
 * stored.  Returns the number written (at most max) or -1.
 */
int
store_revision_files(struct store *st, int64_t revision_id,
    struct store_file *out, int max)
{
	sqlite3_stmt *s = stmt_get(st, STMT_REVISION_FILES);
	int n = 0, rc = 0;

	if (sqlite3_bind_int64(s, 1, revision_id) != SQLITE_OK) {
		n = stmt_bind_failed(st, s, __func__);
		goto out;
	}
	while (n < max && (rc = store_step(st, s, __func__)) == 1) {
		if (catalog_file_row(st, s, &out[n], __func__) == -1) {
			n = -1;
			goto out;
		}
		n++;
	}
	if (rc == -1)
		n = -1;
out:
	stmt_release(s);
	return n;
}

/* store_file_by_sha1 - see store.h: one row per SHA-1 whatever the update. */
int
store_file_by_sha1(struct store *st, const uint8_t sha1[20],
    struct store_file *f)
{
	sqlite3_stmt *s = stmt_get(st, STMT_FILE_BY_SHA1);
	int rc;

	if (sqlite3_bind_blob(s, 1, sha1, 20, SQLITE_TRANSIENT) != SQLITE_OK) {
		rc = stmt_bind_failed(st, s, __func__);
		goto out;
	}
	if ((rc = store_step(st, s, __func__)) == 1 &&
	    catalog_file_row(st, s, f, __func__) == -1)
		rc = -1;
out:
	stmt_release(s);
	return rc;
}

/* store_revision_of - see store.h; text that is not a GUID is unknown (0). */
int64_t
store_revision_of(struct store *st, const char *update_id)
{
	char id[STORE_GUID_LEN + 1];
	int64_t rev = 0;
	int rc;

	if (update_id == NULL || guid_canon(update_id, id) == -1)
		return 0;
	rc = stmt_run_text(st, STMT_REVISION_OF, id, &rev, __func__);
	if (rc == -1)
		return -1;
	return rc == 1 ? rev : 0;
}
