/*
 * wsusutil_audit.c - `wsusutil audit list` and `wsusutil audit verify`:
 * reading the audit log every change writes (store/audit.c) and checking
 * its SHA-256 chain.
 *
 * Owns: the verb's arguments and output.  Only reads: nothing here
 * changes the store (a verify that wrote would move the head it checks).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "admin.h"
#include "config.h"
#include "store.h"

struct auditverb_list {
	int json;
	int rows;
};

/* auditverb_json_str - a JSON string (RFC 8259 escaping) to stdout. */
static void
auditverb_json_str(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

/* auditverb_time - "2026-12-07 08:41:00" (UTC) into buf. */
static const char *
auditverb_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
	return buf;
}

static int
auditverb_row(void *arg, const struct store_audit_row *r)
{
	struct auditverb_list *l = arg;
	char when[32];

	auditverb_time(r->time, when, sizeof(when));
	if (l->json) {
		printf("%s{\"seq\":%lld,\"time\":%lld,\"time_utc\":\"%s\","
		    "\"program\":", l->rows ? ",\n " : "[", (long long)r->seq,
		    (long long)r->time, when);
		auditverb_json_str(r->program);
		printf(",\"account\":");
		auditverb_json_str(r->account);
		printf(",\"address\":");
		auditverb_json_str(r->address);
		printf(",\"action\":");
		auditverb_json_str(r->action);
		printf(",\"object\":");
		auditverb_json_str(r->object);
		/* before/after are JSON objects already ("" = nothing). */
		printf(",\"before\":%s,\"after\":%s,\"prev_hash\":\"%s\","
		    "\"hash\":\"%s\"}", r->before[0] ? r->before : "null",
		    r->after[0] ? r->after : "null", r->prev_hash, r->hash);
	} else {
		if (l->rows == 0)
			printf("%-5s %-19s  %-13s %-16s %-15s %-22s %s\n", "SEQ",
			    "TIME (UTC)", "PROGRAM", "ACCOUNT", "ADDRESS",
			    "ACTION", "OBJECT");
		printf("%-5lld %-19s  %-13s %-16s %-15s %-22s %s\n",
		    (long long)r->seq, when, r->program, r->account,
		    r->address, r->action, r->object);
		if (r->before[0] != '\0')
			printf("      before %s\n", r->before);
		if (r->after[0] != '\0')
			printf("      after  %s\n", r->after);
	}
	l->rows++;
	return 0;
}

/* auditverb_date - "2026-12-01" or "2026-12-01T10:00:00[Z]", UTC. */
static int
auditverb_date(const char *s, time_t *out)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL) {
		memset(&tm, 0, sizeof(tm));
		if ((end = strptime(s, "%Y-%m-%d", &tm)) == NULL)
			return -1;
	}
	if (*end == 'Z')
		end++;
	if (*end != '\0')
		return -1;
	*out = timegm(&tm);
	return 0;
}

static int
auditverb_usage(void)
{
	fprintf(stderr, "usage: wsusutil -c FILE audit list [--since DATE] "
	    "[--json]\n"
	    "       wsusutil -c FILE audit verify [--head HASH]\n");
	return 2;
}

static int
auditverb_list(struct store *st, int argc, char *argv[])
{
	struct auditverb_list l = { 0, 0 };
	time_t since = 0;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			l.json = 1;
		else if (strcmp(argv[i], "--since") == 0 && i + 1 < argc) {
			if (auditverb_date(argv[++i], &since) == -1) {
				fprintf(stderr, "wsusutil: bad --since \"%s\" "
				    "(want 2026-12-01 or 2026-12-01T10:00:00Z)\n",
				    argv[i]);
				return 2;
			}
		} else
			return auditverb_usage();
	}
	if (store_audit_each(st, since, auditverb_row, &l) == -1) {
		fprintf(stderr, "wsusutil: cannot read the audit log\n");
		return 1;
	}
	if (l.json)
		printf("%s]\n", l.rows ? "" : "[");
	else if (l.rows == 0)
		printf("(no audit rows%s)\n", since ? " since then" : "");
	return 0;
}

static int
auditverb_verify(struct store *st, int argc, char *argv[])
{
	char hash[STORE_AUDIT_HASH_HEX + 1];
	const char *head = NULL;
	int64_t bad = 0, seq = 0;
	int r;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--head") == 0 && i + 1 < argc)
			head = argv[++i];
		else
			return auditverb_usage();
	}
	if (head != NULL && strlen(head) != STORE_AUDIT_HASH_HEX) {
		fprintf(stderr, "wsusutil: --head takes the %d hex digits of "
		    "an \"Audit head SEQ HASH\" line\n", STORE_AUDIT_HASH_HEX);
		return 2;
	}
	r = store_audit_verify(st, head, &bad);
	if (r == -1) {
		fprintf(stderr, "wsusutil: audit verify: cannot read the audit "
		    "log\n");
		return 1;
	}
	if (r == 1) {
		/* The store said why on stderr; this names the row. */
		fprintf(stderr, "wsusutil: audit verify: FAILED: the chain is "
		    "broken at row %lld (the first row that is wrong or "
		    "missing)\n", (long long)bad);
		printf("audit log: BROKEN at row %lld\n", (long long)bad);
		return 1;
	}
	if (store_audit_head(st, &seq, hash) == -1)
		return 1;
	printf("audit log: %lld row%s, chain intact%s; head %lld %s\n",
	    (long long)seq, seq == 1 ? "" : "s", head != NULL ?
	    ", holds the given head" : "", (long long)seq, hash);
	return 0;
}

/*
 * audit_verb - see admin.h: -1 when argv[0] is not "audit", else the exit
 * status (0; 1 on a broken chain or an error; 2 on usage).
 */
int
audit_verb(const struct config *c, int argc, char *argv[])
{
	struct store *st;
	int rc;

	if (argc < 1 || strcmp(argv[0], "audit") != 0)
		return -1;
	if (argc < 2 || (strcmp(argv[1], "list") != 0 &&
	    strcmp(argv[1], "verify") != 0))
		return auditverb_usage();
	if ((st = store_open(c->data_dir)) == NULL) {
		fprintf(stderr, "wsusutil: cannot open the store in %s\n",
		    c->data_dir);
		return 1;
	}
	rc = strcmp(argv[1], "list") == 0 ? auditverb_list(st, argc, argv) :
	    auditverb_verify(st, argc, argv);
	store_close(st);
	return rc;
}
