/*
 * advert.c - the server identity and the advertised configuration.
 *
 * Owns: the server_identity row (made once, never changed) and the advert
 * row (fqdn, SSL flag, ports) with its generation, which the daemon polls
 * to notice `wsusutil configuressl` run from another process.  Never
 * caches the advert itself: only the generation, and only as long as
 * PRAGMA data_version proves nobody else has committed.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "store_int.h"

/*
 * advert_valid - check *a before it reaches the database: fqdn must be
 * NUL-terminated inside its buffer, ports 1..65535, using_ssl 0 or 1.
 * The schema checks the same; this gives the caller a clear log line.
 */
static int
advert_valid(const struct store_advert *a, const char *caller)
{
	if (memchr(a->fqdn, '\0', sizeof(a->fqdn)) == NULL) {
		log_warnx("%s: fqdn is not terminated within %zu bytes",
		    caller, sizeof(a->fqdn));
		return -1;
	}
	if (a->http_port < 1 || a->http_port > 65535 ||
	    a->https_port < 1 || a->https_port > 65535) {
		log_warnx("%s: port out of range 1..65535 (http %u, https %u)",
		    caller, a->http_port, a->https_port);
		return -1;
	}
	if (a->using_ssl != 0 && a->using_ssl != 1) {
		log_warnx("%s: using_ssl must be 0 or 1, not %d", caller,
		    a->using_ssl);
		return -1;
	}
	return 0;
}

/*
 * advert_bind - bind ?1..?5 of ADVERT_INSERT/ADVERT_UPSERT.  0, or -1
 * after logging (s is then released).
 */
static int
advert_bind(struct store *st, sqlite3_stmt *s, const struct store_advert *a,
    time_t now, const char *caller)
{
	if (sqlite3_bind_text(s, 1, a->fqdn, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK ||
	    sqlite3_bind_int(s, 2, a->using_ssl) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, a->http_port) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, a->https_port) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, (sqlite3_int64)now) != SQLITE_OK)
		return stmt_bind_failed(st, s, caller);
	return 0;
}

/* store_advert_url: see store.h. */
int
store_advert_url(const char *fqdn, int using_ssl, unsigned http_port,
    unsigned https_port, char *buf, size_t len)
{
	int n;

	if (using_ssl)
		/* MS-WUSP §2.1: SSL port is 443 when the content port is 80. */
		n = snprintf(buf, len, "https://%s:%u", fqdn,
		    http_port == 80 ? 443u : https_port);
	else
		n = snprintf(buf, len, "http://%s:%u", fqdn, http_port);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/*
 * advert_read - read the advert row into *a.  Returns 1 if there is one,
 * 0 if none was ever written, -1 after logging.
 */
static int
advert_read(struct store *st, struct store_advert *a, const char *caller)
{
	sqlite3_stmt *s = stmt_get(st, STMT_ADVERT_GET);
	const unsigned char *fqdn;
	int rc, n;

	if ((rc = store_step(st, s, caller)) != 1)
		goto out;
	fqdn = sqlite3_column_text(s, 0);
	n = sqlite3_column_bytes(s, 0);
	/* The schema bounds it; a row that says otherwise is not ours. */
	if (fqdn == NULL || n < 0 || (size_t)n >= sizeof(a->fqdn)) {
		log_warnx("%s: %s: advert fqdn unreadable or too long", caller,
		    st->path);
		rc = -1;
		goto out;
	}
	memcpy(a->fqdn, fqdn, (size_t)n);
	a->fqdn[n] = '\0';
	a->using_ssl = sqlite3_column_int(s, 1);
	a->http_port = (unsigned)sqlite3_column_int64(s, 2);
	a->https_port = (unsigned)sqlite3_column_int64(s, 3);
	a->generation = sqlite3_column_int64(s, 4);
	a->changed_at = (time_t)sqlite3_column_int64(s, 5);
out:
	stmt_release(s);
	return rc;
}

int
advert_identity_init(struct store *st)
{
	char id[STORE_GUID_LEN + 1];
	sqlite3_stmt *s;

	/* Made already (every open but the first): nothing to do. */
	if (store_server_id(st, id) == 0)
		return 0;
	if (guid_new(id) == -1 ||
	    (s = stmt_get_text(st, STMT_SERVER_ID_INSERT, id, __func__)) ==
	    NULL)
		return -1;
	if (sqlite3_bind_int64(s, 2, (sqlite3_int64)time(NULL)) != SQLITE_OK)
		return stmt_bind_failed(st, s, __func__);
	/* Read back: a racing process may have written its id first. */
	if (stmt_run(st, s, NULL, __func__) == -1 ||
	    store_server_id(st, id) == -1)
		return -1;
	log_info("%s: %s: server id %s", __func__, st->path, id);
	return 0;
}

int
store_server_id(struct store *st, char out[STORE_GUID_LEN + 1])
{
	sqlite3_stmt *s = stmt_get(st, STMT_SERVER_ID_GET);
	const unsigned char *id;
	int rc = -1;

	if (store_step(st, s, __func__) != 1)
		goto out;   /* no row: only before advert_identity_init */
	id = sqlite3_column_text(s, 0);
	if (id == NULL || sqlite3_column_bytes(s, 0) != STORE_GUID_LEN) {
		log_warnx("%s: %s: malformed server id", __func__, st->path);
		goto out;
	}
	memcpy(out, id, STORE_GUID_LEN + 1);
	rc = 0;
out:
	stmt_release(s);
	return rc;
}

/* advert_json - the advertised URL's parts as audit fields. */
static void
advert_json(const struct store_advert *a, struct audit_json *j)
{
	char url[STORE_URL_MAX];

	audit_json_str(j, "fqdn", a->fqdn);
	audit_json_int(j, "using_ssl", a->using_ssl);
	audit_json_int(j, "http_port", a->http_port);
	audit_json_int(j, "https_port", a->https_port);
	if (store_advert_url(a->fqdn, a->using_ssl, a->http_port,
	    a->https_port, url, sizeof(url)) == 0)
		audit_json_str(j, "url", url);
}

int
store_advert_get(struct store *st, const struct store_advert *dflt,
    struct store_advert *a)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = advert_read(st, a, __func__)) != 0)
		return rc == 1 ? 0 : -1;
	if (dflt == NULL) {
		log_warnx("%s: %s: no advert stored and no default", __func__,
		    st->path);
		return -1;
	}
	if (advert_valid(dflt, __func__) == -1)
		return -1;
	/*
	 * OR IGNORE + read back: if another process wrote the row since
	 * our read, its values win and ours are dropped.
	 */
	s = stmt_get(st, STMT_ADVERT_INSERT);
	if (advert_bind(st, s, dflt, time(NULL), __func__) == -1 ||
	    stmt_run(st, s, NULL, __func__) == -1)
		return -1;
	return advert_read(st, a, __func__) == 1 ? 0 : -1;
}

int
store_advert_set(struct store *st, struct store_advert *a,
    const struct store_actor *who)
{
	struct store_advert was, now;
	struct audit_json jb, ja;
	sqlite3_stmt *s;
	int r;

	if (advert_valid(a, __func__) == -1 || !audit_actor_ok(who, __func__))
		return -1;
	if (store_begin(st, __func__) == -1)
		return -1;
	audit_json_init(&jb);
	if ((r = advert_read(st, &was, __func__)) == -1)
		goto fail;
	if (r == 1)
		advert_json(&was, &jb);
	s = stmt_get(st, STMT_ADVERT_UPSERT);
	/* The new generation, read under the same write lock. */
	if (advert_bind(st, s, a, time(NULL), __func__) == -1 ||
	    stmt_run(st, s, NULL, __func__) == -1 ||
	    advert_read(st, &now, __func__) != 1)
		goto fail;
	audit_json_init(&ja);
	advert_json(&now, &ja);
	if (audit_write(st, who, "advert.set", now.fqdn, audit_json_end(&jb),
	    audit_json_end(&ja), __func__) == -1 ||
	    store_commit(st, __func__) == -1)
		goto fail;
	a->generation = now.generation;
	a->changed_at = now.changed_at;
	return 0;
fail:
	store_rollback(st, __func__);
	return -1;
}

int64_t
store_generation(struct store *st)
{
	int64_t gen = 0;   /* no row yet: nothing advertised, generation 0 */

	/*
	 * One primary-key read each time.  A cache keyed on PRAGMA
	 * data_version looked cheaper but never saw another process's
	 * commit: the pragma does not start a read transaction, so the
	 * connection only notices commits when something else reads.
	 */
	if (stmt_run(st, stmt_get(st, STMT_GENERATION_GET), &gen,
	    __func__) == -1)
		return -1;
	return gen;
}
