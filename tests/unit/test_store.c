/*
 * test_store.c - the store against real SQLite files in a temporary dir.
 *
 * Covers: creating data_dir and wsusd.db with safe modes, WAL, the schema
 * version and tables of the migrations, idempotent re-open, a stable
 * server id, the advert default/set/generation cycle, a second handle (as
 * `wsusutil configuressl` would be) seen through store_generation, the
 * built-in target groups, and refusal of databases we must not touch.
 * The test peeks at the file with its own sqlite3 connection where the
 * store API deliberately has nothing to offer (journal mode, raw PRAGMAs).
 */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "t.h"

#define T_PATH_MAX 4096   /* no <limits.h>: see store_int.h */

static char tmp[256];   /* mkdtemp result; short, so tpath never truncates */

/* Every table and view the first migration must create. */
static const char *const want_objects[] = {
	"server_identity", "advert", "cookie_keys", "updates", "revisions",
	"fragments", "files", "revision_files", "prerequisites",
	"revision_categories", "bundles", "supersedence", "target_groups",
	"computers", "computer_groups", "deployments", "events",
	"update_status", "update_leaf",
};

/* Built-in groups: guid, name, parent. */
static const struct {
	int         line;
	const char *guid;
	const char *name;
	const char *parent;
} builtin_groups[] = {
	{ __LINE__, STORE_GROUP_ALL_COMPUTERS, "All Computers", "" },
	{ __LINE__, STORE_GROUP_UNASSIGNED, "Unassigned Computers",
	    STORE_GROUP_ALL_COMPUTERS },
	{ __LINE__, STORE_GROUP_DOWNSTREAM, "Downstream Servers",
	    STORE_GROUP_ALL_COMPUTERS },
};

/* Lookups that must not find a group (result 0), never fail. */
static const struct {
	int         line;
	const char *guid;
} missing_groups[] = {
	{ __LINE__, "00000000-0000-0000-0000-000000000000" },
	{ __LINE__, "" },
	{ __LINE__, "a0a08746-4dbe-4a37-9adf-9e7652c0b42" },      /* short */
	{ __LINE__, "a0a08746-4dbe-4a37-9adf-9e7652c0b4211" },    /* long */
	{ __LINE__, "a0a08746x4dbe-4a37-9adf-9e7652c0b421" },     /* hyphen */
	{ __LINE__, "g0a08746-4dbe-4a37-9adf-9e7652c0b421" },     /* hex */
	{ __LINE__, "{a0a08746-4dbe-4a37-9adf-9e7652c0b421" },    /* brace */
	{ __LINE__, "a0a08746-4dbe-4a37-9adf-9e7652c0b421' OR 1=1 --" },
};

/* Adverts store_advert_set must refuse, leaving the generation alone. */
static const struct {
	int      line;
	int      using_ssl;
	unsigned http_port, https_port;
} bad_adverts[] = {
	{ __LINE__, 0, 0, 8531 },
	{ __LINE__, 0, 8530, 0 },
	{ __LINE__, 0, 65536, 8531 },
	{ __LINE__, 1, 8530, 70000 },
	{ __LINE__, 2, 8530, 8531 },
	{ __LINE__, -1, 8530, 8531 },
};

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb; (void)flag; (void)f;
	return remove(path);
}

/* path of name inside tmp, in a static buffer per slot. */
static const char *
tpath(int slot, const char *name)
{
	static char buf[4][T_PATH_MAX];

	snprintf(buf[slot], sizeof(buf[slot]), "%s/%s", tmp, name);
	return buf[slot];
}

/* Run one integer-valued SQL query on path with a fresh connection. */
static int64_t
peek_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int64_t v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) ==
	    SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* Same for a text result, copied into out. */
static void
peek_text(const char *path, const char *sql, char *out, size_t len)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;

	out[0] = '\0';
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) ==
	    SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
		snprintf(out, len, "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* Run SQL that returns nothing on path; 0 or -1. */
static int
poke(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	int rc = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) == SQLITE_OK &&
	    sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
		rc = 0;
	sqlite3_close(db);
	return rc;
}

static int
guid_shape_ok(const char *g)
{
	if (strlen(g) != STORE_GUID_LEN || g[14] != '4')
		return 0;
	for (int i = 0; i < STORE_GUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (g[i] != '-')
				return 0;
		} else if (!((g[i] >= '0' && g[i] <= '9') ||
		    (g[i] >= 'a' && g[i] <= 'f')))
			return 0;
	}
	return 1;
}

static void
test_fresh_open(const char *dir, char server_id[STORE_GUID_LEN + 1])
{
	struct store *st;
	struct stat sb;
	const char *db;
	char mode[16], sql[128];
	int v;

	T_OK(stat(dir, &sb) == -1, "data dir exists before the test");
	st = store_open(dir);
	T_OK(st != NULL, "store_open on a fresh dir failed");
	if (st == NULL)
		return;
	db = store_path(st);
	T_OK(strcmp(db, tpath(1, "data/wsusd.db")) == 0, "path %s", db);

	v = store_schema_version(st);
	T_OK(v >= 1, "schema version %d", v);
	T_OK(store_migrations_applied(st) == v,
	    "fresh open applied %d migrations, want %d",
	    store_migrations_applied(st), v);
	T_OK(peek_int(db, "PRAGMA user_version") == v,
	    "user_version on disk differs from %d", v);
	T_OK(peek_int(db, "PRAGMA application_id") == 0x57535544,
	    "application_id not set");

	peek_text(db, "PRAGMA journal_mode", mode, sizeof(mode));
	T_OK(strcmp(mode, "wal") == 0, "journal mode %s", mode);

	T_OK(stat(dir, &sb) == 0 && (sb.st_mode & 07777) == 0750,
	    "data dir mode %o", (unsigned)(sb.st_mode & 07777));
	T_OK(stat(db, &sb) == 0 && (sb.st_mode & S_IRWXO) == 0,
	    "db mode %o is open to others", (unsigned)(sb.st_mode & 07777));
	T_OK(stat(tpath(2, "data/wsusd.db-wal"), &sb) == 0 &&
	    (sb.st_mode & S_IRWXO) == 0, "-wal missing or open to others");

	for (size_t i = 0; i < sizeof(want_objects) / sizeof(want_objects[0]);
	    i++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM sqlite_schema "
		    "WHERE name = '%s'", want_objects[i]);
		T_OK(peek_int(db, sql) == 1, "no table %s", want_objects[i]);
	}
	T_OK(peek_int(db, "SELECT count(*) FROM pragma_foreign_key_check") ==
	    0, "foreign key violations after migration");
	peek_text(db, "PRAGMA integrity_check", mode, sizeof(mode));
	T_OK(strcmp(mode, "ok") == 0, "integrity_check: %s", mode);

	T_OK(store_server_id(st, server_id) == 0, "store_server_id failed");
	T_OK(guid_shape_ok(server_id), "server id %s is not a v4 GUID",
	    server_id);
	store_close(st);
}

static void
test_reopen(const char *dir, const char *server_id)
{
	char id[STORE_GUID_LEN + 1];
	struct store *st;
	int64_t objects;

	objects = peek_int(tpath(0, "data/wsusd.db"),
	    "SELECT count(*) FROM sqlite_schema");
	for (int round = 0; round < 2; round++) {
		st = store_open(dir);
		T_OK(st != NULL, "re-open %d failed", round);
		if (st == NULL)
			return;
		T_OK(store_migrations_applied(st) == 0,
		    "re-open %d applied %d migrations", round,
		    store_migrations_applied(st));
		T_OK(store_server_id(st, id) == 0 &&
		    strcmp(id, server_id) == 0,
		    "server id changed across re-open: %s vs %s", id,
		    server_id);
		store_close(st);
	}
	T_OK(peek_int(tpath(0, "data/wsusd.db"),
	    "SELECT count(*) FROM sqlite_schema") == objects,
	    "re-open changed the number of schema objects");
	T_OK(peek_int(tpath(0, "data/wsusd.db"),
	    "SELECT count(*) FROM target_groups") == 3,
	    "built-in groups seeded more than once");
}

static void
test_advert(const char *dir)
{
	struct store_advert dflt = { "wsus.example.org", 0, 8530, 8531, 0, 0 };
	struct store_advert other = { "other.example.org", 1, 80, 443, 0, 0 };
	struct store_advert a, b;
	struct store *st;
	time_t t0, t1;

	if ((st = store_open(dir)) == NULL) {
		T_OK(0, "store_open failed");
		return;
	}
	T_OK(store_generation(st) == 0, "generation before any advert");

	t0 = time(NULL);
	T_OK(store_advert_get(st, &dflt, &a) == 0, "advert_get failed");
	t1 = time(NULL);
	T_OK(strcmp(a.fqdn, dflt.fqdn) == 0 && a.using_ssl == 0 &&
	    a.http_port == 8530 && a.https_port == 8531,
	    "default not returned: %s %d %u %u", a.fqdn, a.using_ssl,
	    a.http_port, a.https_port);
	T_OK(a.generation == 1, "default generation %lld",
	    (long long)a.generation);
	T_OK(a.changed_at >= t0 && a.changed_at <= t1,
	    "default changed_at %lld", (long long)a.changed_at);
	T_OK(store_generation(st) == 1, "generation after default");

	/* Once written, a different default is ignored. */
	T_OK(store_advert_get(st, &other, &b) == 0 &&
	    strcmp(b.fqdn, dflt.fqdn) == 0 && b.generation == 1,
	    "second default overwrote the first");
	T_OK(store_advert_get(st, NULL, &b) == 0 && b.generation == 1,
	    "advert_get without default failed once written");

	t0 = time(NULL);
	T_OK(store_advert_set(st, &other) == 0, "advert_set failed");
	t1 = time(NULL);
	T_OK(other.generation == 2, "set generation %lld",
	    (long long)other.generation);
	T_OK(other.changed_at >= t0 && other.changed_at <= t1,
	    "set changed_at %lld", (long long)other.changed_at);
	T_OK(store_advert_get(st, &dflt, &b) == 0 &&
	    strcmp(b.fqdn, "other.example.org") == 0 && b.using_ssl == 1 &&
	    b.http_port == 80 && b.https_port == 443 && b.generation == 2 &&
	    b.changed_at == other.changed_at, "set values not read back");
	T_OK(store_generation(st) == 2, "own write not seen by generation");

	for (size_t i = 0; i < sizeof(bad_adverts) / sizeof(bad_adverts[0]);
	    i++) {
		struct store_advert bad = { "bad.example",
		    bad_adverts[i].using_ssl, bad_adverts[i].http_port,
		    bad_adverts[i].https_port, 0, 0 };
		T_CHECK(bad_adverts[i].line, store_advert_set(st, &bad) == -1,
		    "bad advert accepted");
	}
	/* fqdn with no NUL inside its buffer. */
	memset(b.fqdn, 'a', sizeof(b.fqdn));
	T_OK(store_advert_set(st, &b) == -1, "unterminated fqdn accepted");
	T_OK(store_generation(st) == 2, "refused set bumped the generation");
	store_close(st);
}

/* The daemon polls; wsusutil (another handle) writes. */
static void
test_second_handle(const char *dir)
{
	struct store_advert a = { "ssl.example.org", 1, 8530, 8531, 0, 0 };
	struct store *daemon, *util;
	struct store_advert b;
	int64_t g;

	daemon = store_open(dir);
	util = store_open(dir);
	T_OK(daemon != NULL && util != NULL, "two handles failed");
	if (daemon == NULL || util == NULL)
		goto out;
	g = store_generation(daemon);
	T_OK(g >= 1, "generation %lld", (long long)g);
	/* Polling with nothing changed keeps answering the same. */
	for (int i = 0; i < 3; i++)
		T_OK(store_generation(daemon) == g, "idle poll %d moved", i);

	T_OK(store_advert_set(util, &a) == 0, "set from second handle");
	T_OK(a.generation == g + 1, "util generation %lld",
	    (long long)a.generation);
	T_OK(store_generation(daemon) == g + 1,
	    "daemon did not see the other handle's change");
	T_OK(store_advert_get(daemon, NULL, &b) == 0 &&
	    strcmp(b.fqdn, "ssl.example.org") == 0 && b.using_ssl == 1,
	    "daemon reads stale advert");

	/* And the other way round, twice, to exercise the cache. */
	for (int i = 0; i < 2; i++) {
		T_OK(store_advert_set(daemon, &a) == 0, "set from daemon");
		T_OK(store_generation(util) == g + 2 + i,
		    "util did not see the daemon's change %d", i);
		T_OK(store_generation(daemon) == g + 2 + i,
		    "daemon did not see its own change %d", i);
	}
out:
	store_close(util);
	store_close(daemon);
}

static void
test_groups(const char *dir)
{
	struct store_group g;
	struct store *st;
	char upper[STORE_GUID_LEN + 3];

	if ((st = store_open(dir)) == NULL) {
		T_OK(0, "store_open failed");
		return;
	}
	for (size_t i = 0;
	    i < sizeof(builtin_groups) / sizeof(builtin_groups[0]); i++) {
		int line = builtin_groups[i].line;

		memset(&g, 0, sizeof(g));
		T_CHECK(line, store_group_find_by_guid(st,
		    builtin_groups[i].guid, &g) == 1, "not found");
		T_CHECK(line, strcmp(g.guid, builtin_groups[i].guid) == 0,
		    "guid %s", g.guid);
		T_CHECK(line, strcmp(g.name, builtin_groups[i].name) == 0,
		    "name %s", g.name);
		T_CHECK(line, strcmp(g.parent, builtin_groups[i].parent) == 0,
		    "parent %s", g.parent);
		T_CHECK(line, g.builtin == 1, "not built-in");

		/* Upper case in braces, as Windows writes it. */
		snprintf(upper, sizeof(upper), "{%s}", builtin_groups[i].guid);
		for (char *p = upper; *p != '\0'; p++)
			if (*p >= 'a' && *p <= 'f')
				*p = (char)(*p - 'a' + 'A');
		T_CHECK(line, store_group_find_by_guid(st, upper, &g) == 1 &&
		    strcmp(g.guid, builtin_groups[i].guid) == 0,
		    "%s not found", upper);
	}
	for (size_t i = 0;
	    i < sizeof(missing_groups) / sizeof(missing_groups[0]); i++)
		T_CHECK(missing_groups[i].line, store_group_find_by_guid(st,
		    missing_groups[i].guid, &g) == 0, "found or failed");
	store_close(st);

	/* The schema itself protects the built-ins. */
	T_OK(poke(tpath(0, "data/wsusd.db"), "PRAGMA foreign_keys = ON; "
	    "DELETE FROM target_groups WHERE builtin = 1") == -1,
	    "built-in group deleted");
}

/* An existing world-readable db file is tightened, not trusted. */
static void
test_mode_tightened(void)
{
	const char *dir = tpath(0, "loose"), *db = tpath(1, "loose/wsusd.db");
	struct store *st;
	struct stat sb;
	FILE *f;

	mkdir(dir, 0755);
	if ((f = fopen(db, "w")) != NULL)
		fclose(f);
	chmod(db, 0666);
	st = store_open(dir);
	T_OK(st != NULL, "open on an existing empty file failed");
	T_OK(stat(db, &sb) == 0 && (sb.st_mode & S_IRWXO) == 0,
	    "db mode %o still open to others", (unsigned)(sb.st_mode & 07777));
	store_close(st);
}

/* Databases store_open must refuse, and recover after. */
static void
test_refusals(const char *dir)
{
	const char *db = tpath(0, "data/wsusd.db");
	struct store *st;
	char sql[64];
	int64_t v;
	FILE *f;

	v = peek_int(db, "PRAGMA user_version");
	T_OK(poke(db, "PRAGMA user_version = 9999") == 0, "poke version");
	st = store_open(dir);
	T_OK(st == NULL, "opened a db newer than the code");
	store_close(st);
	T_OK(peek_int(db, "PRAGMA user_version") == 9999,
	    "refused open changed the version");
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld", (long long)v);
	T_OK(poke(db, sql) == 0, "restore version");
	st = store_open(dir);
	T_OK(st != NULL && store_migrations_applied(st) == 0,
	    "open after restoring the version");
	store_close(st);

	/* A database of someone else. */
	mkdir(tpath(0, "foreign"), 0750);
	T_OK(poke(tpath(1, "foreign/wsusd.db"),
	    "CREATE TABLE foo (x INTEGER)") == 0, "make foreign db");
	T_OK(store_open(tpath(0, "foreign")) == NULL, "opened a foreign db");
	T_OK(peek_int(tpath(1, "foreign/wsusd.db"),
	    "SELECT count(*) FROM sqlite_schema") == 1,
	    "tables added to a foreign db");

	/* data_dir that is a file; data_dir whose parent is missing. */
	if ((f = fopen(tpath(0, "plain"), "w")) != NULL)
		fclose(f);
	T_OK(store_open(tpath(0, "plain")) == NULL, "data_dir is a file");
	T_OK(store_open(tpath(0, "no/such/dir")) == NULL, "missing parent");

	store_close(NULL);
}

int
main(void)
{
	char server_id[STORE_GUID_LEN + 1] = "";
	const char *dir;

	log_init(0, getenv("T_VERBOSE") != NULL ? LOG_LVL_DEBUG :
	    LOG_LVL_ERR, "test_store");
	umask(022);
	snprintf(tmp, sizeof(tmp), "%s/test_store.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	dir = tpath(3, "data");

	test_fresh_open(dir, server_id);
	test_reopen(dir, server_id);
	test_advert(dir);
	test_second_handle(dir);
	test_groups(dir);
	test_mode_tightened();
	test_refusals(dir);

	nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return t_done("test_store");
}
