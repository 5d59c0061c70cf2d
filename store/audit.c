/*
 * audit.c - the audit log: the one door every administrative change goes
 * through, and the SHA-256 chain that shows when its rows were edited,
 * deleted or cut off.
 *
 * Owns: the audit table.  Changing functions of store/ call audit_write
 * inside their own transaction, after the change and before the commit,
 * so a change never commits without its row nor a row without its change;
 * store_audit_record is the same door for changes that live in files.
 * Rows are only ever appended: seq is the head's seq + 1, read under the
 * write lock that store_begin took, and prev_hash is the head's hash.
 *
 * The canonical form a row's hash covers is the sequence of netstrings
 * ("<decimal length>:<bytes>,") of prev_hash, seq, time (decimal), program,
 * account, address, action, object, before and after, in that order:
 * unambiguous whatever bytes a field holds.  hash = lowercase hex of
 * SHA-256 over it.  The first row's prev_hash is 64 zeros.
 *
 * Never audits client traffic (registrations, reports, sync times): those
 * paths do not call in here.  Never formats SQL.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "log.h"
#include "store_int.h"

#define AUDIT_GENESIS \
	"0000000000000000000000000000000000000000000000000000000000000000"
#define AUDIT_FIELD_MAX 255        /* bytes of action and object */
#define AUDIT_ELLIPSIS  "\xe2\x80\xa6"   /* U+2026, marks cut text */

/* --- before/after values as compact JSON ------------------------------- */

void
audit_json_init(struct audit_json *j)
{
	j->s[0] = '{';
	j->s[1] = '\0';
	j->n = 1;
	j->fields = 0;
}

/*
 * audit_json_put - append (p, n) if it fits with room for the closing
 * "}" and a cut mark; otherwise mark the value as cut once.  Returns 0
 * if it fit.
 */
static int
audit_json_put(struct audit_json *j, const char *p, size_t n)
{
	size_t room = sizeof(j->s) - 1 - j->n;
	const size_t reserve = 1 + sizeof(AUDIT_ELLIPSIS);

	if (n + reserve > room)
		return -1;
	memcpy(j->s + j->n, p, n);
	j->n += n;
	j->s[j->n] = '\0';
	return 0;
}

/* audit_json_key - ',"key":' (the comma after the first field). */
static int
audit_json_key(struct audit_json *j, const char *key)
{
	size_t mark = j->n;

	if ((j->fields++ > 0 && audit_json_put(j, ",", 1) == -1) ||
	    audit_json_put(j, "\"", 1) == -1 ||
	    audit_json_put(j, key, strlen(key)) == -1 ||
	    audit_json_put(j, "\":", 2) == -1) {
		j->n = mark;
		j->s[j->n] = '\0';
		j->fields--;
		return -1;
	}
	return 0;
}

void
audit_json_str(struct audit_json *j, const char *key, const char *v)
{
	char esc[8];
	size_t mark = j->n;

	if (audit_json_key(j, key) == -1)
		return;
	if (audit_json_put(j, "\"", 1) == -1)
		goto cut;
	for (const unsigned char *p = (const unsigned char *)(v ? v : "");
	    *p != '\0'; p++) {
		int n;

		if (*p == '"' || *p == '\\')
			n = snprintf(esc, sizeof(esc), "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			n = snprintf(esc, sizeof(esc), "\\u%04x", *p);
		else {
			esc[0] = (char)*p;
			n = 1;
		}
		if (audit_json_put(j, esc, (size_t)n) == -1) {
			/* Cut inside the string: close it with the mark. */
			memcpy(j->s + j->n, AUDIT_ELLIPSIS "\"",
			    sizeof(AUDIT_ELLIPSIS "\""));
			j->n += sizeof(AUDIT_ELLIPSIS "\"") - 1;
			return;
		}
	}
	if (audit_json_put(j, "\"", 1) == 0)
		return;
cut:
	j->n = mark;
	j->s[j->n] = '\0';
	j->fields--;
}

void
audit_json_int(struct audit_json *j, const char *key, int64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%lld", (long long)v);
	size_t mark = j->n;

	if (audit_json_key(j, key) == -1)
		return;
	if (audit_json_put(j, num, (size_t)n) == -1) {
		j->n = mark;
		j->s[j->n] = '\0';
		j->fields--;
	}
}

void
audit_json_raw(struct audit_json *j, const char *key, const char *v)
{
	size_t mark = j->n;

	if (audit_json_key(j, key) == -1)
		return;
	if (audit_json_put(j, v, strlen(v)) == -1) {
		j->n = mark;
		j->s[j->n] = '\0';
		j->fields--;
	}
}

const char *
audit_json_end(struct audit_json *j)
{
	/* audit_json_put always leaves room for this byte. */
	j->s[j->n++] = '}';
	j->s[j->n] = '\0';
	return j->s;
}

/* --- actors and the canonical hash -------------------------------------- */

/* audit_text_ok - 1..max bytes, no control characters. */
static int
audit_text_ok(const char *s, size_t max)
{
	size_t n;

	if (s == NULL || (n = strnlen(s, max + 1)) == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

int
audit_actor_ok(const struct store_actor *who, const char *caller)
{
	if (who == NULL) {
		log_warnx("%s: no actor: every change names who makes it",
		    caller);
		return 0;
	}
	if (!audit_text_ok(who->program, STORE_ACTOR_PROGRAM_MAX) ||
	    !audit_text_ok(who->account, STORE_ACTOR_ACCOUNT_MAX) ||
	    !audit_text_ok(who->address, STORE_ACTOR_ADDRESS_MAX)) {
		log_warnx("%s: bad actor (program, account and address must "
		    "be 1..%d, %d and %d bytes without control characters)",
		    caller, STORE_ACTOR_PROGRAM_MAX, STORE_ACTOR_ACCOUNT_MAX,
		    STORE_ACTOR_ADDRESS_MAX);
		return 0;
	}
	return 1;
}

/* SHA-256 over a stream of netstrings, without building the whole text. */
struct audit_hasher {
	unsigned char buf[2 * STORE_AUDIT_VALUE_MAX + 1024];
	size_t        n;
	int           over;
};

static void
audit_field(struct audit_hasher *h, const char *p)
{
	size_t len = strlen(p);
	int n;

	n = snprintf((char *)h->buf + h->n, sizeof(h->buf) - h->n, "%zu:",
	    len);
	if (n < 0 || (size_t)n + len + 1 > sizeof(h->buf) - h->n) {
		h->over = 1;
		return;
	}
	h->n += (size_t)n;
	memcpy(h->buf + h->n, p, len);
	h->n += len;
	h->buf[h->n++] = ',';
}

/*
 * audit_hash - the hash of a row (r->hash is ignored) into out (65
 * bytes), lowercase hex.  Returns 0, or -1 when the fields are longer
 * than any row audit_write makes (such a row cannot be ours).
 */
static int
audit_hash(const struct store_audit_row *r, char out[STORE_AUDIT_HASH_HEX + 1])
{
	static const char hex[] = "0123456789abcdef";
	struct audit_hasher h;
	uint8_t md[32];
	char num[24];

	h.n = 0;
	h.over = 0;
	audit_field(&h, r->prev_hash);
	snprintf(num, sizeof(num), "%lld", (long long)r->seq);
	audit_field(&h, num);
	snprintf(num, sizeof(num), "%lld", (long long)r->time);
	audit_field(&h, num);
	audit_field(&h, r->program);
	audit_field(&h, r->account);
	audit_field(&h, r->address);
	audit_field(&h, r->action);
	audit_field(&h, r->object);
	audit_field(&h, r->before);
	audit_field(&h, r->after);
	if (h.over)
		return -1;
	crypto_sha256(h.buf, h.n, md);
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[STORE_AUDIT_HASH_HEX] = '\0';
	return 0;
}

/* --- writing ------------------------------------------------------------ */

int
store_audit_head(struct store *st, int64_t *seq,
    char hash_hex[STORE_AUDIT_HASH_HEX + 1])
{
	sqlite3_stmt *s = stmt_get(st, STMT_AUDIT_HEAD);
	int rc;

	*seq = 0;
	memcpy(hash_hex, AUDIT_GENESIS, sizeof(AUDIT_GENESIS));
	if ((rc = store_step(st, s, __func__)) == 1) {
		*seq = sqlite3_column_int64(s, 0);
		if (stmt_text(s, 1, hash_hex, STORE_AUDIT_HASH_HEX + 1) == -1) {
			log_warnx("%s: %s: malformed audit head", __func__,
			    st->path);
			rc = -1;
		}
	}
	stmt_release(s);
	return rc == -1 ? -1 : 0;
}

int
audit_write(struct store *st, const struct store_actor *who,
    const char *action, const char *object, const char *before,
    const char *after, const char *caller)
{
	struct store_audit_row r;
	char prev[STORE_AUDIT_HASH_HEX + 1], hash[STORE_AUDIT_HASH_HEX + 1];
	char obj[AUDIT_FIELD_MAX + 1];
	sqlite3_stmt *s;
	int64_t head;

	if (!st->in_tx) {
		log_warnx("%s: %s: audit row outside a transaction", caller,
		    st->path);
		return -1;
	}
	if (!audit_actor_ok(who, caller) ||
	    !audit_text_ok(action, AUDIT_FIELD_MAX)) {
		log_warnx("%s: %s: bad audit row", caller, st->path);
		return -1;
	}
	/* An object longer than the column takes is cut, not refused. */
	snprintf(obj, sizeof(obj), "%s", object != NULL && object[0] != '\0' ?
	    object : "-");
	if (before == NULL)
		before = "";
	if (after == NULL)
		after = "";
	if (strlen(before) >= STORE_AUDIT_VALUE_MAX ||
	    strlen(after) >= STORE_AUDIT_VALUE_MAX) {
		log_warnx("%s: %s: audit value over %d bytes", caller,
		    st->path, STORE_AUDIT_VALUE_MAX - 1);
		return -1;
	}
	if (store_audit_head(st, &head, prev) == -1)
		return -1;
	memset(&r, 0, sizeof(r));
	r.seq = head + 1;
	r.time = time(NULL);
	r.program = who->program;
	r.account = who->account;
	r.address = who->address;
	r.action = action;
	r.object = obj;
	r.before = before;
	r.after = after;
	r.prev_hash = prev;
	if (audit_hash(&r, hash) == -1)
		return -1;
	s = stmt_get(st, STMT_AUDIT_INSERT);
	if (sqlite3_bind_int64(s, 1, r.seq) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, (sqlite3_int64)r.time) != SQLITE_OK ||
	    sqlite3_bind_text(s, 3, r.program, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_text(s, 4, r.account, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_text(s, 5, r.address, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_text(s, 6, r.action, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_text(s, 7, r.object, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_text(s, 8, r.before, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_text(s, 9, r.after, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_text(s, 10, prev, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_text(s, 11, hash, -1, SQLITE_TRANSIENT) != SQLITE_OK)
		return stmt_bind_failed(st, s, caller);
	if (stmt_run(st, s, NULL, caller) == -1)
		return -1;
	st->audit_pending = 1;
	st->audit_seq = r.seq;
	memcpy(st->audit_hash, hash, sizeof(hash));
	return 0;
}

int
store_audit_record(struct store *st, const struct store_actor *who,
    const char *action, const char *object, const char *before,
    const char *after)
{
	int rc = -1;

	if (!audit_actor_ok(who, __func__))
		return -1;
	if (store_begin(st, __func__) == -1)
		return -1;
	if (audit_write(st, who, action, object, before, after,
	    __func__) == -1 || store_commit(st, __func__) == -1)
		goto out;
	rc = 0;
out:
	return store_end(st, rc, __func__);
}

/* --- reading and verifying ---------------------------------------------- */

/* audit_row - the current row of an AUDIT_SINCE/AUDIT_ALL statement. */
static void
audit_row(sqlite3_stmt *s, struct store_audit_row *r)
{
	const char **f[] = { &r->program, &r->account, &r->address,
	    &r->action, &r->object, &r->before, &r->after, &r->prev_hash,
	    &r->hash };

	r->seq = sqlite3_column_int64(s, 0);
	r->time = (time_t)sqlite3_column_int64(s, 1);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		const unsigned char *t = sqlite3_column_text(s, (int)i + 2);
		*f[i] = t != NULL ? (const char *)t : "";
	}
}

int
store_audit_each(struct store *st, time_t since,
    int (*cb)(void *arg, const struct store_audit_row *r), void *arg)
{
	sqlite3_stmt *s = stmt_get(st, STMT_AUDIT_SINCE);
	struct store_audit_row r;
	int rc = -1, n;

	if (sqlite3_bind_int64(s, 1, (sqlite3_int64)since) != SQLITE_OK)
		return stmt_bind_failed(st, s, __func__);
	while ((n = store_step(st, s, __func__)) == 1) {
		audit_row(s, &r);
		if (cb(arg, &r) != 0)
			goto out;
	}
	if (n == 0)
		rc = 0;
out:
	stmt_release(s);
	return rc;
}

/* audit_hex_ok - 64 hex digits; copied lowercase into out. */
static int
audit_hex_ok(const char *in, char out[STORE_AUDIT_HASH_HEX + 1])
{
	if (in == NULL || strlen(in) != STORE_AUDIT_HASH_HEX)
		return 0;
	for (int i = 0; i < STORE_AUDIT_HASH_HEX; i++) {
		char c = in[i];

		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
		out[i] = c;
	}
	out[STORE_AUDIT_HASH_HEX] = '\0';
	return 1;
}

/*
 * store_audit_verify - see store.h.  One pass in seq order, holding one
 * read transaction (a single statement), so rows appended meanwhile by
 * another process are not half seen.
 */
int
store_audit_verify(struct store *st, const char *expected_head,
    int64_t *first_bad_seq)
{
	char want[STORE_AUDIT_HASH_HEX + 1], prev[STORE_AUDIT_HASH_HEX + 1];
	char got[STORE_AUDIT_HASH_HEX + 1];
	struct store_audit_row r;
	sqlite3_stmt *s;
	int64_t expect = 1;
	int rc = -1, n, head_seen = 0;

	*first_bad_seq = 0;
	if (expected_head != NULL && !audit_hex_ok(expected_head, want)) {
		log_warnx("%s: the head must be %d hex digits", __func__,
		    STORE_AUDIT_HASH_HEX);
		return -1;
	}
	memcpy(prev, AUDIT_GENESIS, sizeof(AUDIT_GENESIS));
	s = stmt_get(st, STMT_AUDIT_ALL);
	while ((n = store_step(st, s, __func__)) == 1) {
		audit_row(s, &r);
		if (r.seq != expect) {
			log_warnx("audit row %lld is missing (the next row "
			    "is %lld)", (long long)expect, (long long)r.seq);
			*first_bad_seq = expect;
			rc = 1;
			goto out;
		}
		if (strcmp(r.prev_hash, prev) != 0) {
			log_warnx("audit row %lld: its prev_hash is not the "
			    "hash of row %lld", (long long)r.seq,
			    (long long)r.seq - 1);
			*first_bad_seq = r.seq;
			rc = 1;
			goto out;
		}
		if (audit_hash(&r, got) == -1 || strcmp(got, r.hash) != 0) {
			log_warnx("audit row %lld: its hash does not match "
			    "its fields (the row was edited)",
			    (long long)r.seq);
			*first_bad_seq = r.seq;
			rc = 1;
			goto out;
		}
		if (expected_head != NULL && strcmp(r.hash, want) == 0)
			head_seen = 1;
		memcpy(prev, r.hash, sizeof(prev));
		expect++;
	}
	if (n == -1)
		goto out;
	/* The genesis hash names an empty log: any log then holds it. */
	if (expected_head != NULL && !head_seen &&
	    strcmp(want, AUDIT_GENESIS) != 0) {
		log_warnx("audit log ends at row %lld, and no row has the "
		    "expected head hash %s (rows cut off after it)",
		    (long long)expect - 1, want);
		*first_bad_seq = expect;
		rc = 1;
		goto out;
	}
	rc = 0;
out:
	stmt_release(s);
	return rc;
}

int
audit_list(struct store *st, enum stmt_id id, int64_t ref, char *out,
    size_t len, const char *caller)
{
	struct audit_json j;
	sqlite3_stmt *s = stmt_get(st, id);
	size_t n = 1, more = 0;
	int r;

	if (len < 16) {
		log_warnx("%s: audit list buffer too small", caller);
		return -1;
	}
	if (sqlite3_bind_int64(s, 1, ref) != SQLITE_OK)
		return stmt_bind_failed(st, s, caller);
	out[0] = '[';
	while ((r = store_step(st, s, caller)) == 1) {
		const unsigned char *t = sqlite3_column_text(s, 0);

		/* One string through the object builder's escaping. */
		audit_json_init(&j);
		audit_json_str(&j, "", t != NULL ? (const char *)t : "");
		/* j.s is {"":"..."}: the value starts at offset 4. */
		if (j.n < 4 || n + (j.n - 4) + 1 + 16 > len) {
			more++;
			continue;
		}
		if (n > 1)
			out[n++] = ',';
		memcpy(out + n, j.s + 4, j.n - 4);
		n += j.n - 4;
	}
	stmt_release(s);
	if (r == -1)
		return -1;
	if (more > 0)
		n += (size_t)snprintf(out + n, len - n, "%s\"+%zu more\"",
		    n > 1 ? "," : "", more);
	out[n++] = ']';
	out[n] = '\0';
	return 0;
}
