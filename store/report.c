/*
 * report.c - client reports (ReportEventBatch) and the per-update view.
 *
 * Owns: the events rows, update_status (the state each computer last
 * reported for each update), computers.last_report, the per-computer cap
 * on events and the retention policy (store_retention_run).  A batch is
 * one transaction; a batch sent twice adds nothing (events are unique by
 * computer and EventInstanceID, as long as the first copy is kept).
 * Never stores an event whose ids are not GUIDs (it is skipped, at debug
 * level: the text came from a peer), and never lets an older event
 * overwrite a newer status.  Event times are the client's: callers bound
 * them (reporting.c clamps TimeAtTarget); retention goes by `received`,
 * the server's clock, which no client sets.
 */
#include <string.h>
#include <time.h>

#include "log.h"
#include "store_int.h"

/* target_state as callers give it -> update_status.state. */
static const struct {
	const char *in;
	const char *state;
} report_states[] = {
	{ "installed", "installed" },
	{ "failed", "failed" },
	{ "needed", "not_installed" },
	{ "downloaded", "downloaded" },
	/* The schema's own names pass through. */
	{ "not_installed", "not_installed" },
	{ "installed_pending_reboot", "installed_pending_reboot" },
	{ "not_applicable", "not_applicable" },
	{ "unknown", "unknown" },
};

/* report_state - the schema state for target_state, NULL if unknown. */
static const char *
report_state(const char *in)
{
	for (size_t i = 0; i < sizeof(report_states) / sizeof(report_states[0]);
	    i++)
		if (strcmp(in, report_states[i].in) == 0)
			return report_states[i].state;
	return NULL;
}

/*
 * report_computer - the row id of the reporting computer, making a bare
 * row when it never registered (reporting needs only a valid cookie).
 * Returns 0 or -1 after logging.
 */
static int
report_computer(struct store *st, const char *key, time_t now, int64_t *ref)
{
	sqlite3_stmt *s = stmt_get_text(st, STMT_COMPUTER_ENSURE, key,
	    __func__);

	if (s == NULL)
		return -1;
	if (sqlite3_bind_int64(s, 2, (sqlite3_int64)now) != SQLITE_OK)
		return stmt_bind_failed(st, s, __func__);
	if (stmt_run(st, s, NULL, __func__) == -1)
		return -1;
	if (stmt_run_text(st, STMT_COMPUTER_REF, key, ref, __func__) != 1) {
		log_warnx("%s: %s: computer %s vanished", __func__, st->path,
		    key);
		return -1;
	}
	return stmt_run_ints(st, STMT_COMPUTER_REPORTED, (const int64_t[]){
	    *ref, (int64_t)now }, 2, NULL, __func__) == -1 ? -1 : 0;
}

/*
 * report_event - insert one event of computer cref; then, if it is new
 * and names an update with a target state, upsert that status.
 * Returns 1 stored, 0 duplicate, -1 after logging.
 */
static int
report_event(struct store *st, int64_t cref, const struct store_event *e,
    const char *inst, const char *uid, const char *state, time_t now)
{
	sqlite3_stmt *s = stmt_get(st, STMT_EVENT_INSERT);
	int64_t event_row = 0;
	int rc;

	if (sqlite3_bind_int64(s, 1, cref) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, inst, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, (sqlite3_int64)e->time) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, (sqlite3_int64)now) != SQLITE_OK ||
	    sqlite3_bind_int(s, 5, e->namespace_id) != SQLITE_OK ||
	    sqlite3_bind_int(s, 6, e->event_id) != SQLITE_OK ||
	    (uid[0] != '\0' ? sqlite3_bind_text(s, 7, uid, -1,
	    SQLITE_TRANSIENT) : sqlite3_bind_null(s, 7)) != SQLITE_OK ||
	    (uid[0] != '\0' ? sqlite3_bind_int(s, 8, e->revision_number) :
	    sqlite3_bind_null(s, 8)) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 9, e->win32_hresult) != SQLITE_OK ||
	    sqlite3_bind_text(s, 10, e->message, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK)
		return stmt_bind_failed(st, s, __func__);
	/* RETURNING: a row when inserted, none for a duplicate. */
	if ((rc = store_step(st, s, __func__)) == 1) {
		event_row = sqlite3_column_int64(s, 0);
		/* Drain the RETURNING statement before the next one runs. */
		if (store_step(st, s, __func__) == -1)
			rc = -1;
	}
	stmt_release(s);
	if (rc != 1 || state == NULL || uid[0] == '\0')
		return rc;
	s = stmt_get(st, STMT_STATUS_UPSERT);
	if (sqlite3_bind_int64(s, 1, cref) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, uid, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_int(s, 3, e->revision_number) != SQLITE_OK ||
	    sqlite3_bind_text(s, 4, state, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, e->win32_hresult) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 6, event_row) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 7, (sqlite3_int64)e->time) != SQLITE_OK)
		return stmt_bind_failed(st, s, __func__);
	return stmt_run(st, s, NULL, __func__) == -1 ? -1 : 1;
}

/* report_trim - keep the keep newest events of cref (0: all); -1 or 0. */
static int
report_trim(struct store *st, int64_t cref, unsigned keep, unsigned *dropped)
{
	if (cref == 0 || keep == 0)
		return 0;
	if (stmt_run_ints(st, STMT_EVENT_TRIM, (const int64_t[]){ cref,
	    (int64_t)keep }, 2, NULL, __func__) == -1)
		return -1;
	*dropped += (unsigned)sqlite3_changes(st->db);
	return 0;
}

/*
 * store_events_add - see store.h.  Events whose computer, instance or
 * update id is malformed are skipped (debug log); an unknown target_state
 * is a caller bug and fails the batch.  A computer that reports before it
 * registered gets a bare row.  The cap is applied in the same
 * transaction, to each computer the batch stored events for.  Returns 0
 * or -1 (nothing stored).
 */
int
store_events_add(struct store *st, const struct store_event *e, unsigned n,
    unsigned keep)
{
	char key[STORE_GUID_LEN + 1], last[STORE_GUID_LEN + 1] = "";
	char inst[STORE_GUID_LEN + 1], uid[STORE_GUID_LEN + 1];
	const char *state;
	unsigned stored = 0, dup = 0, bad = 0, dropped = 0, fresh = 0;
	int64_t cref = 0;
	time_t now = time(NULL);
	int rc = -1, r;

	if (n == 0)
		return 0;
	if (e == NULL) {
		log_warnx("%s: %u events but no array", __func__, n);
		return -1;
	}
	/* The caller's own fields are checked before the write lock. */
	for (unsigned i = 0; i < n; i++) {
		if (memchr(e[i].target_state, '\0',
		    sizeof(e[i].target_state)) == NULL ||
		    (e[i].target_state[0] != '\0' &&
		    report_state(e[i].target_state) == NULL)) {
			log_warnx("%s: event %u: unknown target state",
			    __func__, i + 1);
			return -1;
		}
		if (memchr(e[i].message, '\0', sizeof(e[i].message)) == NULL) {
			log_warnx("%s: event %u: message not terminated",
			    __func__, i + 1);
			return -1;
		}
	}
	if (store_begin(st, __func__) == -1)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		if (memchr(e[i].computer_id, '\0',
		    sizeof(e[i].computer_id)) == NULL ||
		    memchr(e[i].instance_id, '\0',
		    sizeof(e[i].instance_id)) == NULL ||
		    memchr(e[i].update_id, '\0', sizeof(e[i].update_id)) ==
		    NULL ||
		    computer_key(e[i].computer_id, key) == -1 ||
		    guid_canon(e[i].instance_id, inst) == -1 ||
		    (e[i].update_id[0] != '\0' &&
		    guid_canon(e[i].update_id, uid) == -1)) {
			log_debug("%s: event %u: malformed id, skipped",
			    __func__, i + 1);
			bad++;
			continue;
		}
		if (e[i].update_id[0] == '\0')
			uid[0] = '\0';
		/* Batches come from one computer: look it up once. */
		if (strcmp(key, last) != 0) {
			if (fresh && report_trim(st, cref, keep, &dropped) == -1)
				goto out;
			fresh = 0;
			if (report_computer(st, key, now, &cref) == -1)
				goto out;
			memcpy(last, key, sizeof(last));
		}
		state = e[i].target_state[0] != '\0' ?
		    report_state(e[i].target_state) : NULL;
		if ((r = report_event(st, cref, &e[i], inst, uid, state,
		    now)) == -1)
			goto out;
		if (r == 1) {
			stored++;
			fresh++;
		} else
			dup++;
	}
	if (fresh && report_trim(st, cref, keep, &dropped) == -1)
		goto out;
	if (store_commit(st, __func__) == -1)
		goto out;
	log_debug("%s: %s: %u events stored, %u duplicates, %u malformed, "
	    "%u oldest dropped (cap %u a computer)", __func__, st->path,
	    stored, dup, bad, dropped, keep);
	rc = 0;
out:
	return store_end(st, rc, __func__);
}

/*
 * store_update_each - the latest revision of every update (only software
 * and drivers when leaf_only) in revision_id order, with its approvals
 * ("Install: A; Uninstall: B", truncated to fit) and how many computers
 * report it installed (pending reboot included), needed, failed,
 * downloaded.
 */
int
store_update_each(struct store *st, int leaf_only,
    int (*fn)(void *arg, const struct store_update_row *r), void *arg)
{
	sqlite3_stmt *s = stmt_get(st, STMT_UPDATE_EACH);
	struct store_update_row row;
	int r, kind, rc = -1;

	if (sqlite3_bind_int(s, 1, leaf_only != 0) != SQLITE_OK) {
		stmt_bind_failed(st, s, __func__);
		goto out;
	}
	while ((r = store_step(st, s, __func__)) == 1) {
		memset(&row, 0, sizeof(row));
		kind = catalog_kind_parse((const char *)sqlite3_column_text(s,
		    3));
		if (stmt_text(s, 0, row.update_id, sizeof(row.update_id)) ==
		    -1 || kind == -1) {
			log_warnx("%s: %s: malformed update row", __func__,
			    st->path);
			goto out;
		}
		row.revision_number = sqlite3_column_int(s, 1);
		row.revision_id = sqlite3_column_int64(s, 2);
		row.kind = (enum store_kind)kind;
		(void)stmt_text(s, 4, row.title, sizeof(row.title));
		row.declined = sqlite3_column_int(s, 5);
		(void)stmt_text(s, 6, row.approvals, sizeof(row.approvals));
		row.installed = sqlite3_column_int(s, 7);
		row.needed = sqlite3_column_int(s, 8);
		row.failed = sqlite3_column_int(s, 9);
		row.downloaded = sqlite3_column_int(s, 10);
		if (fn(arg, &row) != 0)
			goto out;
	}
	if (r == 0)
		rc = 0;
out:
	stmt_release(s);
	return rc;
}

/*
 * report_expire - one retention batch: delete at most STORE_RETENTION_BATCH
 * events received before cutoff from servers (server 1) or workstations
 * (0), in a transaction of its own.  Returns the number deleted, or -1.
 */
static int
report_expire(struct store *st, time_t cutoff, int server, double *ms)
{
	struct timespec t0, t1;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (store_begin(st, __func__) == -1)
		return -1;
	if (stmt_run_ints(st, STMT_EVENT_EXPIRE, (const int64_t[]){
	    (int64_t)cutoff, server, STORE_RETENTION_BATCH }, 3, NULL,
	    __func__) == -1) {
		store_rollback(st, __func__);
		return -1;
	}
	n = sqlite3_changes(st->db);
	if (store_commit(st, __func__) == -1)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	return n;
}

/*
 * store_retention_run - see store.h.  Workstations first, then servers;
 * a batch that comes back short means that kind is done.  The next run is
 * STORE_RETENTION_INTERVAL_S away once nothing is left, or the next call
 * while batches remain.  Logs what a run deleted, at info level.
 */
int
store_retention_run(struct store *st, time_t now)
{
	struct store_settings set;
	double ms, longest = 0;
	int total = 0, batches = 0, more = 0;

	if (now < st->retention_next)
		return 0;
	if (store_settings_get(st, &set) == -1) {
		st->retention_next = now + STORE_RETENTION_INTERVAL_S;
		return -1;
	}
	for (int server = 0; server <= 1; server++) {
		time_t days = server ? set.event_days_server :
		    set.event_days_workstation;
		time_t cutoff = now - days * 86400;
		int n;

		do {
			if (batches == STORE_RETENTION_BATCHES) {
				more = 1;
				break;
			}
			if ((n = report_expire(st, cutoff, server, &ms)) == -1) {
				st->retention_next = now +
				    STORE_RETENTION_INTERVAL_S;
				return -1;
			}
			batches++;
			total += n;
			if (ms > longest)
				longest = ms;
		} while (n == STORE_RETENTION_BATCH);
		if (more)
			break;
	}
	st->retention_next = more ? now : now + STORE_RETENTION_INTERVAL_S;
	if (total > 0)
		log_info("Retention: deleted %d event(s) older than %u days "
		    "(workstations) or %u days (servers) in %d transaction(s), "
		    "the longest %.1f ms%s", total, set.event_days_workstation,
		    set.event_days_server, batches, longest,
		    more ? "; more next second" : "");
	return total;
}
