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

/* The actor of every change these tests make. */
static const struct store_actor t_who = { "test_store", "tester", "local" };
#define T_WHO (&t_who)

static char tmp[256];   /* mkdtemp result; short, so tpath never truncates */

/* Every table and view the first migration must create. */
static const char *const want_objects[] = {
	"server_identity", "advert", "cookie_keys", "updates", "revisions",
	"fragments", "files", "revision_files", "prerequisites",
	"revision_categories", "bundles", "supersedence", "target_groups",
	"computers", "computer_groups", "deployments", "events",
	"update_status", "update_leaf", "server_settings",
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
	T_OK(store_advert_set(st, &other, T_WHO) == 0, "advert_set failed");
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
		T_CHECK(bad_adverts[i].line, store_advert_set(st, &bad, T_WHO) == -1,
		    "bad advert accepted");
	}
	/* fqdn with no NUL inside its buffer. */
	memset(b.fqdn, 'a', sizeof(b.fqdn));
	T_OK(store_advert_set(st, &b, T_WHO) == -1, "unterminated fqdn accepted");
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

	T_OK(store_advert_set(util, &a, T_WHO) == 0, "set from second handle");
	T_OK(a.generation == g + 1, "util generation %lld",
	    (long long)a.generation);
	T_OK(store_generation(daemon) == g + 1,
	    "daemon did not see the other handle's change");
	T_OK(store_advert_get(daemon, NULL, &b) == 0 &&
	    strcmp(b.fqdn, "ssl.example.org") == 0 && b.using_ssl == 1,
	    "daemon reads stale advert");

	/* And the other way round, twice, to exercise the cache. */
	for (int i = 0; i < 2; i++) {
		T_OK(store_advert_set(daemon, &a, T_WHO) == 0, "set from daemon");
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

/* --- catalogue, targeting, approvals, reports ------------------------- */

/* The synthetic catalogue: a category, a detectoid, two software updates
 * (one a prerequisite of the other through an AtLeastOne group), a bundle
 * and its member. */
#define G_CAT    "c0000000-0000-4000-8000-000000000001"
#define G_DET    "d0000000-0000-4000-8000-000000000002"
#define G_SW1    "a1000000-0000-4000-8000-000000000003"
#define G_SW2    "a2000000-0000-4000-8000-000000000004"
#define G_BUNDLE "b1000000-0000-4000-8000-000000000005"
#define G_MEMBER "b2000000-0000-4000-8000-000000000006"
#define G_OLD    "e0000000-0000-4000-8000-000000000007"   /* superseded */
#define G_NONE   "f0000000-0000-4000-8000-0000000000ff"   /* never imported */
#define N_CAT    6

static char big_xml[200000];   /* a large fragment, filled in test_catalog */

static const struct store_prereq sw1_prereq[] = {
	{ G_DET, 0, 0 },
	{ G_CAT, 1, 1 },
	{ G_SW2, 2, 0 },        /* AtLeastOne: SW2 or the never-imported one */
	{ G_NONE, 2, 0 },
};
static const struct store_prereq sw2_prereq[] = {
	{ G_DET, 0, 0 }, { G_CAT, 1, 1 },
};
static const struct store_prereq bundle_prereq[] = { { G_CAT, 1, 1 } };
static const struct store_prereq member_prereq[] = { { G_DET, 0, 0 } };
static const char bundle_members[][STORE_GUID_LEN + 1] = { G_MEMBER };
static const char sw1_superseded[][STORE_GUID_LEN + 1] = { G_OLD };

static struct store_localized cat_loc[] = {
	{ "en", "<LocalizedProperties><Language>en</Language>"
	    "<Title>Windows 11</Title></LocalizedProperties>", 0 },
};
static struct store_localized sw1_loc[] = {
	{ "de", "<LocalizedProperties><Language>de</Language>"
	    "<Title>Aktualisierung</Title></LocalizedProperties>", 0 },
	{ "EN", NULL, 0 },   /* big_xml; upper case is stored lower */
};
static struct store_localized member_loc[] = {
	{ "fr", "<LocalizedProperties><Language>fr</Language>"
	    "</LocalizedProperties>", 0 },
	{ "de", "<LocalizedProperties><Language>de</Language>"
	    "</LocalizedProperties>", 0 },
};

static struct store_file sw1_files[1], sw2_files[2];

/* fill *u with the fields every revision has. */
static void
imp(struct store_import *u, const char *id, int rev, enum store_kind kind,
    const char *title)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->update_id, sizeof(u->update_id), "%s", id);
	u->revision_number = rev;
	u->kind = kind;
	snprintf(u->title, sizeof(u->title), "%s", title);
	u->core = "<UpdateIdentity/>";
	u->core_len = strlen(u->core);
}

static void
file_make(struct store_file *f, int seed, int sha256, const char *name)
{
	memset(f, 0, sizeof(*f));
	for (int i = 0; i < 20; i++)
		f->sha1[i] = (uint8_t)(seed * 31 + i);
	if (sha256) {
		for (int i = 0; i < 32; i++)
			f->sha256[i] = (uint8_t)(seed * 17 + i * 3);
		f->has_sha256 = 1;
	}
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->size = 1000000u + (unsigned)seed;
	snprintf(f->modified, sizeof(f->modified), "2026-08-18T00:39:%02dZ",
	    seed % 60);
}

/* The batch of N_CAT revisions, in import (= revision id) order. */
static void
batch_make(struct store_import u[N_CAT])
{
	imp(&u[0], G_CAT, 10, STORE_KIND_CATEGORY, "Windows 11");
	snprintf(u[0].category_type, sizeof(u[0].category_type), "Product");
	cat_loc[0].len = strlen(cat_loc[0].xml);
	u[0].loc = cat_loc; u[0].nloc = 1;

	imp(&u[1], G_DET, 20, STORE_KIND_DETECTOID, "Is x64");

	imp(&u[2], G_SW1, 200, STORE_KIND_SOFTWARE, "Cumulative Update");
	u[2].core = "<UpdateIdentity UpdateID=\"" G_SW1 "\"/><Relationships/>";
	u[2].core_len = strlen(u[2].core);
	u[2].extended = big_xml; u[2].extended_len = sizeof(big_xml) - 1;
	sw1_loc[0].len = strlen(sw1_loc[0].xml);
	sw1_loc[1].xml = big_xml + 1000; sw1_loc[1].len = 5000;
	u[2].loc = sw1_loc; u[2].nloc = 2;
	u[2].prereq = sw1_prereq; u[2].nprereq = 4;
	u[2].superseded = sw1_superseded; u[2].nsuperseded = 1;
	file_make(&sw1_files[0], 1, 1, "windows11.0-kb1-x64.cab");
	u[2].files = sw1_files; u[2].nfiles = 1;

	imp(&u[3], G_SW2, 100, STORE_KIND_SOFTWARE, "Servicing Stack");
	u[3].prereq = sw2_prereq; u[3].nprereq = 2;
	/* The same bytes as SW1's file, without SHA-256, and one more. */
	file_make(&sw2_files[0], 1, 0, "other-name.cab");
	file_make(&sw2_files[1], 2, 1, "ssu.msu");
	u[3].files = sw2_files; u[3].nfiles = 2;

	imp(&u[4], G_BUNDLE, 300, STORE_KIND_SOFTWARE, "Bundle");
	u[4].prereq = bundle_prereq; u[4].nprereq = 1;
	u[4].bundled = bundle_members; u[4].nbundled = 1;

	imp(&u[5], G_MEMBER, 301, STORE_KIND_SOFTWARE, "Bundle member");
	u[5].prereq = member_prereq; u[5].nprereq = 1;
	member_loc[0].len = strlen(member_loc[0].xml);
	member_loc[1].len = strlen(member_loc[1].xml);
	u[5].loc = member_loc; u[5].nloc = 2;
}

/* What catalog_each must produce, in order. */
static const struct {
	int             line;
	const char     *guid;
	enum store_kind kind;
	int             is_leaf, nprereq, nbundled;
} want_catalog[N_CAT] = {
	{ __LINE__, G_CAT, STORE_KIND_CATEGORY, 0, 0, 0 },
	{ __LINE__, G_DET, STORE_KIND_DETECTOID, 0, 0, 0 },
	{ __LINE__, G_SW1, STORE_KIND_SOFTWARE, 1, 4, 0 },
	{ __LINE__, G_SW2, STORE_KIND_SOFTWARE, 0, 2, 0 },  /* SW1 needs it */
	{ __LINE__, G_BUNDLE, STORE_KIND_SOFTWARE, 1, 1, 1 },
	{ __LINE__, G_MEMBER, STORE_KIND_SOFTWARE, 0, 1, 0 }, /* bundled */
};

struct cat_seen {
	int     n;
	int64_t rev[N_CAT + 4];
	char    guid[N_CAT + 4][STORE_GUID_LEN + 1];
	int     kind[N_CAT + 4], leaf[N_CAT + 4], declined[N_CAT + 4];
	int     nprereq[N_CAT + 4], nbundled[N_CAT + 4];
	char    prereq_text[N_CAT + 4][256];   /* "grp:guid/cat," ... */
	char    bundled0[N_CAT + 4][STORE_GUID_LEN + 1];
	char    title[N_CAT + 4][64];
	int     stop_after;                    /* 0 = never stop */
};

static int
cat_collect(void *arg, const struct store_rev *r)
{
	struct cat_seen *c = arg;
	int i = c->n;

	if (i >= N_CAT + 4)
		return -1;
	c->rev[i] = r->revision_id;
	snprintf(c->guid[i], sizeof(c->guid[i]), "%s", r->update_id);
	c->kind[i] = r->kind;
	c->leaf[i] = r->is_leaf;
	c->declined[i] = r->declined;
	c->nprereq[i] = (int)r->nprereq;
	c->nbundled[i] = (int)r->nbundled;
	c->prereq_text[i][0] = '\0';
	for (unsigned j = 0; j < r->nprereq; j++) {
		size_t l = strlen(c->prereq_text[i]);

		snprintf(c->prereq_text[i] + l, sizeof(c->prereq_text[i]) - l,
		    "%d:%.8s/%d,", r->prereq[j].grp, r->prereq[j].update_id,
		    r->prereq[j].is_category);
	}
	snprintf(c->bundled0[i], sizeof(c->bundled0[i]), "%s",
	    r->nbundled > 0 ? r->bundled[0] : "");
	snprintf(c->title[i], sizeof(c->title[i]), "%s", r->title);
	c->n++;
	return c->stop_after != 0 && c->n >= c->stop_after ? -1 : 0;
}

/* Index of guid in a collected catalogue, -1 if absent. */
static int
cat_find(const struct cat_seen *c, const char *guid)
{
	for (int i = 0; i < c->n; i++)
		if (strcmp(c->guid[i], guid) == 0)
			return i;
	return -1;
}

/* Mutations that make one revision of a good batch invalid. */
static const char bad_guid_list[][STORE_GUID_LEN + 1] = {
	"b2000000-0000-4000-8000-00000000000g",
};
static const struct store_prereq bad_prereq[] = {
	{ "not-a-guid", 0, 0 },
};
static const struct store_prereq bad_prereq_grp[] = {
	{ G_DET, -1, 0 },
};
static const struct store_localized dup_loc[] = {
	{ "en", "<a/>", 4 }, { "EN", "<b/>", 4 },
};
static const struct store_localized bad_lang[] = { { "e n", "<a/>", 4 } };

static const struct {
	int  line;
	int  what;
} bad_imports[] = {
	{ __LINE__, 0 },    /* update id not a GUID */
	{ __LINE__, 1 },    /* kind out of range */
	{ __LINE__, 2 },    /* negative revision number */
	{ __LINE__, 3 },    /* no core */
	{ __LINE__, 4 },    /* prerequisite not a GUID */
	{ __LINE__, 5 },    /* bundled not a GUID */
	{ __LINE__, 6 },    /* category type on software */
	{ __LINE__, 7 },    /* unknown category type */
	{ __LINE__, 8 },    /* a language twice */
	{ __LINE__, 9 },    /* bad language tag */
	{ __LINE__, 10 },   /* negative prerequisite group */
	{ __LINE__, 11 },   /* superseded not a GUID */
	{ __LINE__, 12 },   /* count without a list */
};

static void
bad_mutate(struct store_import *u, int what)
{
	switch (what) {
	case 0: snprintf(u->update_id, sizeof(u->update_id), "%s",
	    "0e000000-0000-4000-8000-00000000001z"); break;
	case 1: u->kind = (enum store_kind)99; break;
	case 2: u->revision_number = -1; break;
	case 3: u->core = NULL; break;
	case 4: u->prereq = bad_prereq; u->nprereq = 1; break;
	case 5: u->bundled = bad_guid_list; u->nbundled = 1; break;
	case 6: snprintf(u->category_type, sizeof(u->category_type),
	    "Product"); break;
	case 7: u->kind = STORE_KIND_CATEGORY; snprintf(u->category_type,
	    sizeof(u->category_type), "Planet"); break;
	case 8: u->loc = dup_loc; u->nloc = 2; break;
	case 9: u->loc = bad_lang; u->nloc = 1; break;
	case 10: u->prereq = bad_prereq_grp; u->nprereq = 1; break;
	case 11: u->superseded = bad_guid_list; u->nsuperseded = 1; break;
	case 12: u->nfiles = 3; u->files = NULL; break;
	}
}

/* Fragments that must read back: (revision index, kind, lang, want). */
static void
test_fragments(struct store *st, const struct cat_seen *c)
{
	char *xml = NULL;
	size_t len = 0;
	int64_t sw1 = c->rev[cat_find(c, G_SW1)];
	int64_t det = c->rev[cat_find(c, G_DET)];
	int64_t mem = c->rev[cat_find(c, G_MEMBER)];
	int64_t cat = c->rev[cat_find(c, G_CAT)];
	const char *sw1_core = "<UpdateIdentity UpdateID=\"" G_SW1
	    "\"/><Relationships/>";
	static const struct {
		int         line;
		int         which;    /* 0 sw1, 1 det, 2 member, 3 cat */
		const char *kind, *lang;
		int         rc;
		const char *want;     /* NULL: compare with big_xml */
		size_t      off, len;
	} cases[] = {
		{ __LINE__, 0, "core", "", 1, "*core", 0, 0 },
		{ __LINE__, 0, "extended", "", 1, NULL, 0,
		    sizeof(big_xml) - 1 },
		{ __LINE__, 0, "localized", "", 1, NULL, 1000, 5000 },
		{ __LINE__, 0, "localized", "en", 1, NULL, 1000, 5000 },
		{ __LINE__, 0, "localized", "EN", 1, NULL, 1000, 5000 },
		{ __LINE__, 0, "localized", "de", 1,
		    "<LocalizedProperties><Language>de</Language>"
		    "<Title>Aktualisierung</Title></LocalizedProperties>", 0, 0 },
		{ __LINE__, 0, "localized", "fr", 0, "", 0, 0 },
		{ __LINE__, 0, "localized", "en-us-too-long-tag", 0, "", 0, 0 },
		{ __LINE__, 1, "core", "", 1, "<UpdateIdentity/>", 0, 0 },
		{ __LINE__, 1, "extended", "", 0, "", 0, 0 },
		{ __LINE__, 1, "localized", "", 0, "", 0, 0 },
		/* No "en": the language stored first. */
		{ __LINE__, 2, "localized", "", 1,
		    "<LocalizedProperties><Language>fr</Language>"
		    "</LocalizedProperties>", 0, 0 },
		{ __LINE__, 3, "localized", "", 1, "<LocalizedProperties>"
		    "<Language>en</Language><Title>Windows 11</Title>"
		    "</LocalizedProperties>", 0, 0 },
		{ __LINE__, 0, "bogus", "", -1, "", 0, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t rev = cases[i].which == 0 ? sw1 : cases[i].which == 1 ?
		    det : cases[i].which == 2 ? mem : cat;
		const char *want = cases[i].want;
		size_t wlen;
		int rc;

		rc = store_fragment(st, rev, cases[i].kind, cases[i].lang,
		    &xml, &len);
		T_CHECK(cases[i].line, rc == cases[i].rc, "rc %d", rc);
		if (rc == 1) {
			if (want == NULL) {
				want = big_xml + cases[i].off;
				wlen = cases[i].len;
			} else {
				if (strcmp(want, "*core") == 0)
					want = sw1_core;
				wlen = strlen(want);
			}
			T_CHECK(cases[i].line, xml != NULL && len == wlen &&
			    memcmp(xml, want, wlen) == 0 && xml[len] == '\0',
			    "fragment differs (len %zu, want %zu)", len, wlen);
		} else
			T_CHECK(cases[i].line, xml == NULL, "xml set");
		free(xml);
		xml = NULL;
	}
	T_OK(store_fragment(st, 999999, "core", "", &xml, &len) == 0 &&
	    xml == NULL, "fragment of an unknown revision");
}

static void
test_files(struct store *st, const struct cat_seen *c)
{
	struct store_file f[4];
	int n;

	n = store_revision_files(st, c->rev[cat_find(c, G_SW1)], f, 4);
	T_OK(n == 1, "SW1 has %d files", n);
	if (n == 1) {
		T_OK(memcmp(f[0].sha1, sw1_files[0].sha1, 20) == 0 &&
		    f[0].has_sha256 == 1 &&
		    memcmp(f[0].sha256, sw1_files[0].sha256, 32) == 0,
		    "SW1 file digests");
		T_OK(strcmp(f[0].name, "windows11.0-kb1-x64.cab") == 0 &&
		    f[0].size == sw1_files[0].size &&
		    strcmp(f[0].modified, "2026-08-18T00:39:01Z") == 0,
		    "SW1 file %s %llu %s", f[0].name,
		    (unsigned long long)f[0].size, f[0].modified);
	}
	n = store_revision_files(st, c->rev[cat_find(c, G_SW2)], f, 4);
	T_OK(n == 2, "SW2 has %d files", n);
	if (n == 2) {
		/* One row per SHA-1: SW1's name and SHA-256 stay. */
		T_OK(memcmp(f[0].sha1, sw1_files[0].sha1, 20) == 0 &&
		    f[0].has_sha256 == 1 &&
		    strcmp(f[0].name, "windows11.0-kb1-x64.cab") == 0,
		    "shared file not upserted by SHA-1");
		T_OK(memcmp(f[1].sha1, sw2_files[1].sha1, 20) == 0 &&
		    strcmp(f[1].name, "ssu.msu") == 0, "SW2 second file");
	}
	T_OK(store_revision_files(st, c->rev[cat_find(c, G_SW2)], f, 1) == 1,
	    "max not honoured");
	T_OK(store_revision_files(st, c->rev[cat_find(c, G_DET)], f, 4) == 0,
	    "detectoid has files");
	T_OK(store_file_by_sha1(st, sw2_files[1].sha1, &f[0]) == 1 &&
	    strcmp(f[0].name, "ssu.msu") == 0 && f[0].has_sha256 == 1 &&
	    memcmp(f[0].sha256, sw2_files[1].sha256, 32) == 0 &&
	    f[0].size == sw2_files[1].size, "file_by_sha1");
	memset(f[1].sha1, 0xee, sizeof(f[1].sha1));
	T_OK(store_file_by_sha1(st, f[1].sha1, &f[0]) == 0,
	    "file_by_sha1 of an unknown digest");
}

static void
test_catalog(const char *dir)
{
	struct store_import u[N_CAT], bad[2];
	struct cat_seen c;
	struct store *st;
	const char *db = tpath(1, "cat/wsusd.db");
	unsigned added = 99, skipped = 99;
	uint32_t x = 12345;
	int64_t g0, g;

	/* Printable pseudo-random XML text, every byte value 0x20..0x7e. */
	for (size_t i = 0; i < sizeof(big_xml) - 1; i++) {
		x = x * 1103515245u + 12345u;
		big_xml[i] = (char)(0x20 + (x >> 16) % 95);
	}
	big_xml[sizeof(big_xml) - 1] = '\0';

	if ((st = store_open(dir)) == NULL) {
		T_OK(0, "store_open failed");
		return;
	}
	T_OK(store_schema_version(st) >= 2, "schema version %d",
	    store_schema_version(st));
	g0 = store_catalog_generation(st);
	T_OK(g0 == 1, "fresh catalogue generation %lld", (long long)g0);

	batch_make(u);
	T_OK(store_import_batch(st, u, N_CAT, &added, &skipped, T_WHO) == 0,
	    "import failed");
	T_OK(added == N_CAT && skipped == 0, "added %u skipped %u", added,
	    skipped);
	g = store_catalog_generation(st);
	T_OK(g == g0 + 1, "import bumped generation to %lld", (long long)g);

	/* Again: every revision is already there. */
	T_OK(store_import_batch(st, u, N_CAT, &added, &skipped, T_WHO) == 0 &&
	    added == 0 && skipped == N_CAT, "re-import: added %u skipped %u",
	    added, skipped);
	T_OK(store_catalog_generation(st) == g, "re-import bumped generation");
	T_OK(store_import_batch(st, u, 0, &added, &skipped, T_WHO) == 0 &&
	    added == 0 && skipped == 0, "empty batch");

	/* A batch with one invalid row writes nothing. */
	for (size_t i = 0; i < sizeof(bad_imports) / sizeof(bad_imports[0]);
	    i++) {
		imp(&bad[0], "0e000000-0000-4000-8000-000000000010", 1,
		    STORE_KIND_SOFTWARE, "good one");
		imp(&bad[1], "0e000000-0000-4000-8000-000000000011", 1,
		    STORE_KIND_SOFTWARE, "bad one");
		bad_mutate(&bad[1], bad_imports[i].what);
		added = 99;
		T_CHECK(bad_imports[i].line, store_import_batch(st, bad, 2,
		    &added, NULL, T_WHO) == -1 && added == 0, "bad batch accepted");
	}
	T_OK(peek_int(db, "SELECT count(*) FROM updates") == N_CAT &&
	    peek_int(db, "SELECT count(*) FROM revisions") == N_CAT,
	    "refused batch wrote rows");
	T_OK(store_catalog_generation(st) == g, "refused batch bumped");

	/* Upper-case GUIDs are accepted and stored canonical. */
	imp(&bad[0], "0E000000-0000-4000-8000-0000000000AB", 1,
	    STORE_KIND_DRIVER, "driver");
	T_OK(store_import_batch(st, bad, 1, &added, NULL, T_WHO) == 0 && added == 1,
	    "upper-case update id refused");
	T_OK(store_revision_of(st, "0e000000-0000-4000-8000-0000000000ab") > 0,
	    "upper-case update id not stored canonical");
	T_OK(store_catalog_generation(st) == g + 1, "driver import bump");

	memset(&c, 0, sizeof(c));
	T_OK(store_catalog_each(st, cat_collect, &c) == 0, "catalog_each");
	T_OK(c.n == N_CAT + 1, "catalog has %d revisions", c.n);
	for (int i = 0; i < N_CAT && i < c.n; i++) {
		int line = want_catalog[i].line;

		T_CHECK(line, strcmp(c.guid[i], want_catalog[i].guid) == 0,
		    "position %d is %s", i, c.guid[i]);
		T_CHECK(line, c.kind[i] == (int)want_catalog[i].kind,
		    "kind %d", c.kind[i]);
		T_CHECK(line, c.leaf[i] == want_catalog[i].is_leaf,
		    "is_leaf %d", c.leaf[i]);
		T_CHECK(line, c.nprereq[i] == want_catalog[i].nprereq,
		    "nprereq %d", c.nprereq[i]);
		T_CHECK(line, c.nbundled[i] == want_catalog[i].nbundled,
		    "nbundled %d", c.nbundled[i]);
		T_CHECK(line, i == 0 || c.rev[i] > c.rev[i - 1],
		    "not in revision_id order");
		T_CHECK(line, c.declined[i] == 0, "declined");
	}
	if (c.n > N_CAT) {
		T_OK(c.leaf[N_CAT] == 1 && c.kind[N_CAT] == STORE_KIND_DRIVER,
		    "driver leaf %d kind %d", c.leaf[N_CAT], c.kind[N_CAT]);
		T_OK(strcmp(c.prereq_text[2], "0:d0000000/0,1:c0000000/1,"
		    "2:a2000000/0,2:f0000000/0,") == 0, "SW1 prerequisites %s",
		    c.prereq_text[2]);
		T_OK(strcmp(c.bundled0[4], G_MEMBER) == 0, "bundle member %s",
		    c.bundled0[4]);
		T_OK(strcmp(c.title[2], "Cumulative Update") == 0, "title %s",
		    c.title[2]);
	}
	T_OK(peek_int(db, "SELECT count(*) FROM revision_categories") == 3 &&
	    peek_int(db, "SELECT count(*) FROM supersedence") == 1 &&
	    peek_int(db, "SELECT count(*) FROM files") == 2 &&
	    peek_int(db, "SELECT count(*) FROM fragments") == N_CAT + 1 + 2 +
	    1 + 2 + 1, "relationship rows");
	{
		char t[32];

		peek_text(db, "SELECT category_type FROM updates WHERE "
		    "update_id = '" G_CAT "'", t, sizeof(t));
		T_OK(strcmp(t, "product") == 0, "category type %s", t);
	}

	/* fn stopping early makes catalog_each return -1. */
	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	T_OK(store_catalog_each(st, cat_collect, &c) == -1 && c.n == 2,
	    "stop not honoured");

	memset(&c, 0, sizeof(c));
	(void)store_catalog_each(st, cat_collect, &c);
	test_fragments(st, &c);
	test_files(st, &c);
	T_OK(store_revision_of(st, G_SW1) == c.rev[2], "revision_of SW1");
	T_OK(store_revision_of(st, "{A1000000-0000-4000-8000-000000000003}") ==
	    c.rev[2], "revision_of in braces");
	T_OK(store_revision_of(st, G_NONE) == 0, "revision_of unknown");
	T_OK(store_revision_of(st, "junk") == 0, "revision_of junk");
	store_close(st);
}

/* --- groups ------------------------------------------------------------ */

struct group_seen {
	int  n;
	char guid[16][STORE_GUID_LEN + 1];
	char parent[16][STORE_GUID_LEN + 1];
	char name[16][STORE_GROUP_NAME_MAX];
};

static int
group_collect(void *arg, const struct store_group *g)
{
	struct group_seen *s = arg;

	if (s->n >= 16)
		return -1;
	memcpy(s->guid[s->n], g->guid, sizeof(s->guid[0]));
	memcpy(s->parent[s->n], g->parent, sizeof(s->parent[0]));
	snprintf(s->name[s->n], sizeof(s->name[0]), "%s", g->name);
	s->n++;
	return 0;
}

static char g_servers[STORE_GUID_LEN + 1], g_web[STORE_GUID_LEN + 1];

static void
test_group_tree(const char *dir)
{
	static const struct {
		int         line;
		const char *name, *parent;
		int         rc;
	} adds[] = {
		{ __LINE__, "Servers", NULL, 0 },
		{ __LINE__, "Web", "servers", 0 },            /* by name, any case */
		{ __LINE__, "Desktops", "", 0 },
		{ __LINE__, "SERVERS", NULL, -3 },
		{ __LINE__, "all computers", NULL, -3 },
		{ __LINE__, "Lost", "No Such Group", -2 },
		{ __LINE__, "Lost", G_NONE, -2 },
		{ __LINE__, "", NULL, -1 },
		{ __LINE__, " padded", NULL, -1 },
		{ __LINE__, "tab\there", NULL, -1 },
		{ __LINE__, G_NONE, NULL, -1 },                /* a GUID */
		{ __LINE__, NULL, NULL, -1 },
	};
	char guid[STORE_GUID_LEN + 1], anc[8][STORE_GUID_LEN + 1];
	char upper[STORE_GUID_LEN + 3];
	struct group_seen seen;
	struct store_group g;
	struct store *st;
	int64_t gen;
	int n;

	if ((st = store_open(dir)) == NULL) {
		T_OK(0, "store_open failed");
		return;
	}
	for (size_t i = 0; i < sizeof(adds) / sizeof(adds[0]); i++) {
		gen = store_catalog_generation(st);
		memset(guid, 0, sizeof(guid));
		n = store_group_add(st, adds[i].name, adds[i].parent, guid, T_WHO);
		T_CHECK(adds[i].line, n == adds[i].rc, "rc %d", n);
		T_CHECK(adds[i].line, store_catalog_generation(st) ==
		    gen + (n == 0), "generation");
		if (n == 0)
			T_CHECK(adds[i].line, guid_shape_ok(guid),
			    "guid %s", guid);
		if (n == 0 && i == 0)
			memcpy(g_servers, guid, sizeof(guid));
		if (n == 0 && i == 1)
			memcpy(g_web, guid, sizeof(guid));
	}
	/* A child by the parent's GUID, in upper case and braces. */
	snprintf(upper, sizeof(upper), "{%s}", g_servers);
	for (char *p = upper; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	T_OK(store_group_add(st, "DB", upper, guid, T_WHO) == 0, "add by GUID");
	T_OK(store_group_find(st, "db", &g) == 1 &&
	    strcmp(g.parent, g_servers) == 0 && g.builtin == 0 &&
	    strcmp(g.name, "DB") == 0, "find DB by name");
	T_OK(store_group_find(st, upper, &g) == 1 &&
	    strcmp(g.guid, g_servers) == 0 &&
	    strcmp(g.parent, STORE_GROUP_ALL_COMPUTERS) == 0,
	    "find Servers by GUID");
	T_OK(store_group_find(st, "Unassigned computers", &g) == 1 &&
	    strcmp(g.guid, STORE_GROUP_UNASSIGNED) == 0, "find built-in");
	T_OK(store_group_find(st, "nope", &g) == 0, "found nope");
	T_OK(store_group_find(st, G_NONE, &g) == 0, "found unknown GUID");
	T_OK(store_group_find(st, "", &g) == 0, "found empty");

	memset(&seen, 0, sizeof(seen));
	T_OK(store_group_each(st, group_collect, &seen) == 0, "group_each");
	T_OK(seen.n == 7, "%d groups", seen.n);
	T_OK(strcmp(seen.guid[0], STORE_GROUP_ALL_COMPUTERS) == 0,
	    "root not first");
	for (int i = 1; i < seen.n; i++) {
		int found = 0;

		for (int j = 0; j < i; j++)
			if (strcmp(seen.guid[j], seen.parent[i]) == 0)
				found = 1;
		T_OK(found, "%s listed before its parent", seen.name[i]);
	}

	n = store_group_ancestors(st, g_web, anc, 8);
	T_OK(n == 3 && strcmp(anc[0], g_web) == 0 &&
	    strcmp(anc[1], g_servers) == 0 &&
	    strcmp(anc[2], STORE_GROUP_ALL_COMPUTERS) == 0,
	    "ancestors of Web: %d", n);
	T_OK(store_group_ancestors(st, g_web, anc, 2) == 2, "max honoured");
	T_OK(store_group_ancestors(st, STORE_GROUP_ALL_COMPUTERS, anc, 8) ==
	    1, "ancestors of the root");
	T_OK(store_group_ancestors(st, G_NONE, anc, 8) == 0,
	    "ancestors of unknown");
	store_close(st);
}

/* --- computers ----------------------------------------------------------- */

#define C1 "11111111-2222-4333-8444-555555555555"
#define C2 "66666666-2222-4333-8444-555555555555"

static void
test_computers(const char *dir)
{
	struct store_computer c, got;
	char grp[8][STORE_GUID_LEN + 1];
	struct store *st;
	int64_t gen;
	int n;

	if ((st = store_open(dir)) == NULL) {
		T_OK(0, "store_open failed");
		return;
	}
	memset(&c, 0, sizeof(c));
	snprintf(c.computer_id, sizeof(c.computer_id), "%s",
	    "11111111-2222-4333-8444-555555555555");
	for (char *p = c.computer_id; *p != '\0'; p++)   /* as WUA may send */
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	snprintf(c.dns_name, sizeof(c.dns_name), "pc1.example.org");
	snprintf(c.ip, sizeof(c.ip), "192.0.2.10");
	snprintf(c.os_description, sizeof(c.os_description), "Windows 11");
	snprintf(c.client_version, sizeof(c.client_version), "10.0.26100.1");
	c.registered = 1000;
	T_OK(store_computer_upsert(st, &c) == 0, "upsert");
	T_OK(store_computer_get(st, C1, &got) == 1 &&
	    strcmp(got.computer_id, C1) == 0 &&
	    strcmp(got.dns_name, "pc1.example.org") == 0 &&
	    strcmp(got.client_version, "10.0.26100.1") == 0 &&
	    got.registered == 1000 && got.last_sync == 0,
	    "get after upsert: %s %s", got.computer_id, got.dns_name);

	/* Empty fields keep what is stored; given ones overwrite. */
	memset(&c, 0, sizeof(c));
	snprintf(c.computer_id, sizeof(c.computer_id), "%s", C1);
	snprintf(c.ip, sizeof(c.ip), "192.0.2.11");
	c.registered = 2000;
	T_OK(store_computer_upsert(st, &c) == 0, "second upsert");
	T_OK(store_computer_get(st, C1, &got) == 1 &&
	    strcmp(got.dns_name, "pc1.example.org") == 0 &&
	    strcmp(got.ip, "192.0.2.11") == 0 &&
	    strcmp(got.os_description, "Windows 11") == 0 &&
	    got.registered == 1000, "merge: %s %s %lld", got.dns_name, got.ip,
	    (long long)got.registered);
	T_OK(peek_int(tpath(0, "cat/wsusd.db"),
	    "SELECT count(*) FROM computers") == 1, "second row made");

	memset(&c, 0, sizeof(c));
	snprintf(c.computer_id, sizeof(c.computer_id), "%s", C2);
	snprintf(c.dns_name, sizeof(c.dns_name), "PC2.example.org");
	T_OK(store_computer_upsert(st, &c) == 0, "upsert C2");
	memset(&c, 0, sizeof(c));
	T_OK(store_computer_upsert(st, &c) == -1, "empty id accepted");
	snprintf(c.computer_id, sizeof(c.computer_id), "has space");
	T_OK(store_computer_upsert(st, &c) == -1, "id with space accepted");
	T_OK(store_computer_get(st, G_NONE, &got) == 0, "unknown found");

	T_OK(store_computer_touch_sync(st, C1, 5000) == 0 &&
	    store_computer_get(st, C1, &got) == 1 && got.last_sync == 5000,
	    "touch_sync");
	T_OK(store_computer_touch_sync(st, G_NONE, 5000) == -2,
	    "touch_sync unknown");

	/* No membership: Unassigned Computers, then All Computers. */
	n = store_computer_groups(st, C1, grp, 8);
	T_OK(n == 2 && strcmp(grp[0], STORE_GROUP_UNASSIGNED) == 0 &&
	    strcmp(grp[1], STORE_GROUP_ALL_COMPUTERS) == 0,
	    "default groups: %d", n);
	T_OK(store_computer_groups(st, G_NONE, grp, 8) == 2,
	    "unknown computer's groups");

	gen = store_catalog_generation(st);
	T_OK(store_computer_assign(st, "pc1.EXAMPLE.org", "web", T_WHO) == 0,
	    "assign by DNS name");
	T_OK(store_catalog_generation(st) == gen,
	    "assign must not bump the catalogue generation (memberships are per scan)");
	n = store_computer_groups(st, C1, grp, 8);
	T_OK(n == 3 && strcmp(grp[0], g_web) == 0 &&
	    strcmp(grp[1], g_servers) == 0 &&
	    strcmp(grp[2], STORE_GROUP_ALL_COMPUTERS) == 0,
	    "inherited groups: %d", n);
	/* Server-side targeting replaces the membership. */
	T_OK(store_computer_assign(st, C1, "Desktops", T_WHO) == 0, "re-assign");
	n = store_computer_groups(st, C1, grp, 8);
	T_OK(n == 2 && strcmp(grp[1], STORE_GROUP_ALL_COMPUTERS) == 0,
	    "after re-assign: %d", n);
	T_OK(store_computer_assign(st, C1, STORE_GROUP_UNASSIGNED, T_WHO) == 0 &&
	    store_computer_groups(st, C1, grp, 8) == 2 &&
	    strcmp(grp[0], STORE_GROUP_UNASSIGNED) == 0, "back to unassigned");
	T_OK(store_computer_assign(st, "{" C1 "}", g_web, T_WHO) == 0,
	    "assign by braced id and group GUID");
	T_OK(store_computer_assign(st, "nobody.example.org", "Web", T_WHO) == -2,
	    "unknown computer");
	T_OK(store_computer_assign(st, C1, "No Such", T_WHO) == -3, "unknown group");
	T_OK(store_computer_assign(st, "", "Web", T_WHO) == -2, "empty computer");
	T_OK(store_computer_groups(st, C1, grp, 1) == 1, "max honoured");
	store_close(st);
}

/* --- approvals ------------------------------------------------------------ */

struct dep_seen {
	int                     n;
	struct store_deployment d[8];
};

static int
dep_collect(void *arg, const struct store_deployment *d)
{
	struct dep_seen *s = arg;

	if (s->n >= 8)
		return -1;
	s->d[s->n++] = *d;
	return 0;
}

static const struct store_deployment *
dep_find(const struct dep_seen *s, const char *update, const char *group)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->d[i].update_id, update) == 0 &&
		    strcmp(s->d[i].group_guid, group) == 0)
			return &s->d[i];
	return NULL;
}

static void
test_approvals(const char *dir)
{
	static const struct {
		int               line;
		const char       *update, *group;
		enum store_action action;
		int               rc;
	} cases[] = {
		{ __LINE__, G_SW1, "Servers", STORE_ACTION_INSTALL, 0 },
		{ __LINE__, G_BUNDLE, STORE_GROUP_ALL_COMPUTERS,
		    STORE_ACTION_INSTALL, 0 },
		{ __LINE__, G_SW2, "Web", STORE_ACTION_NOT_APPROVED, 0 },
		{ __LINE__, G_NONE, "Servers", STORE_ACTION_INSTALL, -2 },
		{ __LINE__, "junk", "Servers", STORE_ACTION_INSTALL, -2 },
		{ __LINE__, G_SW1, "No Such", STORE_ACTION_INSTALL, -2 },
		{ __LINE__, G_SW1, NULL, STORE_ACTION_INSTALL, -2 },
		{ __LINE__, G_SW1, "Servers", (enum store_action)7, -1 },
	};
	struct store_import u[N_CAT];
	struct dep_seen s;
	const struct store_deployment *d;
	struct cat_seen c;
	struct store *st;
	int64_t gen, first_id, rev;
	time_t t0 = time(NULL);
	int rc;

	if ((st = store_open(dir)) == NULL) {
		T_OK(0, "store_open failed");
		return;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gen = store_catalog_generation(st);
		rc = store_approve(st, cases[i].update, cases[i].group,
		    cases[i].action, i == 0 ? 1900000000 : 0, T_WHO);
		T_CHECK(cases[i].line, rc == cases[i].rc, "rc %d", rc);
		T_CHECK(cases[i].line, store_catalog_generation(st) ==
		    gen + (rc == 0), "generation");
	}
	memset(&s, 0, sizeof(s));
	T_OK(store_deployment_each(st, dep_collect, &s) == 0 && s.n == 2,
	    "%d deployments (not_approved must not be listed)", s.n);
	d = dep_find(&s, G_SW1, g_servers);
	T_OK(d != NULL && d->action == STORE_ACTION_INSTALL &&
	    d->deadline == 1900000000 && d->last_change >= t0,
	    "SW1 for Servers");
	first_id = d != NULL ? d->deployment_id : 0;
	d = dep_find(&s, G_BUNDLE, STORE_GROUP_ALL_COMPUTERS);
	T_OK(d != NULL && d->deadline == 0, "bundle for All Computers");

	/* Approving again replaces: one row, a new id. */
	T_OK(store_approve(st, G_SW1, g_servers, STORE_ACTION_UNINSTALL, 0,
	    T_WHO) == 0, "re-approve");
	memset(&s, 0, sizeof(s));
	(void)store_deployment_each(st, dep_collect, &s);
	d = dep_find(&s, G_SW1, g_servers);
	T_OK(s.n == 2 && d != NULL && d->action == STORE_ACTION_UNINSTALL &&
	    d->deployment_id != first_id && d->deadline == 0,
	    "replace: %d rows", s.n);

	/* Decline drops the approvals and marks the update. */
	gen = store_catalog_generation(st);
	T_OK(store_decline(st, G_SW1, T_WHO) == 0, "decline");
	T_OK(store_catalog_generation(st) == gen + 1, "decline bump");
	T_OK(store_decline(st, G_NONE, T_WHO) == -2, "decline unknown");
	memset(&s, 0, sizeof(s));
	(void)store_deployment_each(st, dep_collect, &s);
	T_OK(s.n == 1 && dep_find(&s, G_SW1, g_servers) == NULL,
	    "declined update keeps approvals");
	memset(&c, 0, sizeof(c));
	(void)store_catalog_each(st, cat_collect, &c);
	T_OK(cat_find(&c, G_SW1) >= 0 && c.declined[cat_find(&c, G_SW1)] == 1,
	    "not declined in catalog");

	/* Approving clears "declined". */
	T_OK(store_approve(st, G_SW1, "Web", STORE_ACTION_INSTALL, 0,
	    T_WHO) == 0, "approve declined");
	memset(&c, 0, sizeof(c));
	(void)store_catalog_each(st, cat_collect, &c);
	T_OK(c.declined[cat_find(&c, G_SW1)] == 0, "still declined");

	/* A new revision: latest moves, the approval follows it. */
	batch_make(u);
	u[2].revision_number = 201;
	rev = store_revision_of(st, G_SW1);
	T_OK(store_import_batch(st, &u[2], 1, NULL, NULL, T_WHO) == 0,
	    "import revision 201");
	T_OK(store_revision_of(st, G_SW1) > rev, "revision 201 not latest");
	u[2].revision_number = 150;   /* older, imported late: not latest */
	T_OK(store_import_batch(st, &u[2], 1, NULL, NULL, T_WHO) == 0,
	    "import revision 150");
	memset(&c, 0, sizeof(c));
	(void)store_catalog_each(st, cat_collect, &c);
	T_OK(c.n == N_CAT + 1, "catalog has %d after new revisions", c.n);
	T_OK(c.rev[cat_find(&c, G_SW1)] == store_revision_of(st, G_SW1),
	    "catalog shows an old revision");
	T_OK(peek_int(tpath(0, "cat/wsusd.db"), "SELECT revision_number FROM "
	    "revisions r JOIN updates u ON u.id = r.update_ref WHERE "
	    "r.is_latest = 1 AND u.update_id = '" G_SW1 "'") == 201,
	    "revision 150 became latest");
	memset(&s, 0, sizeof(s));
	(void)store_deployment_each(st, dep_collect, &s);
	T_OK(dep_find(&s, G_SW1, g_web) != NULL, "approval lost with new "
	    "revision");
	store_close(st);
}

/* --- reports ---------------------------------------------------------------- */

struct comp_seen {
	int                       n;
	struct store_computer_row r[8];
};

static int
comp_collect(void *arg, const struct store_computer_row *r)
{
	struct comp_seen *s = arg;

	if (s->n >= 8)
		return -1;
	s->r[s->n++] = *r;
	return 0;
}

struct upd_seen {
	int                     n;
	struct store_update_row r[16];
};

static int
upd_collect(void *arg, const struct store_update_row *r)
{
	struct upd_seen *s = arg;

	if (s->n >= 16)
		return -1;
	s->r[s->n++] = *r;
	return 0;
}

static const struct store_update_row *
upd_find(const struct upd_seen *s, const char *guid)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->r[i].update_id, guid) == 0)
			return &s->r[i];
	return NULL;
}

static void
ev(struct store_event *e, const char *comp, int inst, const char *update,
    time_t t, const char *state)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->computer_id, sizeof(e->computer_id), "%s", comp);
	snprintf(e->instance_id, sizeof(e->instance_id),
	    "0000%04x-aaaa-4bbb-8ccc-dddddddddddd", inst);
	snprintf(e->update_id, sizeof(e->update_id), "%s", update);
	e->revision_number = 200;
	e->event_id = 183;
	e->namespace_id = 1;
	e->time = t;
	snprintf(e->message, sizeof(e->message), "event %d", inst);
	snprintf(e->target_state, sizeof(e->target_state), "%s", state);
}

static void
test_reports(const char *dir)
{
	const char *db = tpath(0, "cat/wsusd.db");
	struct store_event e[8];
	struct comp_seen cs;
	struct upd_seen us;
	const struct store_update_row *r;
	struct store_computer got;
	struct store *st;
	time_t t0 = time(NULL);

	if ((st = store_open(dir)) == NULL) {
		T_OK(0, "store_open failed");
		return;
	}
	ev(&e[0], C1, 1, G_SW1, 100, "installed");
	ev(&e[1], C1, 2, G_SW2, 100, "needed");
	ev(&e[2], C1, 3, G_BUNDLE, 100, "failed");
	ev(&e[3], C1, 1, G_SW1, 100, "installed");   /* duplicate */
	ev(&e[4], C1, 4, G_SW1, 50, "failed");       /* older: loses */
	ev(&e[5], C1, 5, "", 120, "");               /* not about an update */
	ev(&e[6], C2, 6, G_SW1, 100, "downloaded");
	ev(&e[7], C2, 7, G_SW2, 100, "installed");
	snprintf(e[7].instance_id, sizeof(e[7].instance_id), "bad");
	T_OK(store_events_add(st, e, 8, 0) == 0, "events_add");
	T_OK(peek_int(db, "SELECT count(*) FROM events") == 6,
	    "%lld events stored", (long long)peek_int(db,
	    "SELECT count(*) FROM events"));
	T_OK(peek_int(db, "SELECT count(*) FROM update_status") == 4,
	    "status rows");
	/* The same batch again adds nothing. */
	T_OK(store_events_add(st, e, 8, 0) == 0, "events_add again");
	T_OK(peek_int(db, "SELECT count(*) FROM events") == 6,
	    "duplicates stored");
	/* An unknown target state refuses the batch. */
	ev(&e[0], C1, 9, G_SW2, 500, "exploded");
	ev(&e[1], C1, 10, G_SW2, 500, "installed");
	T_OK(store_events_add(st, e, 2, 0) == -1, "bad state accepted");
	T_OK(peek_int(db, "SELECT count(*) FROM events") == 6,
	    "refused batch stored events");
	T_OK(store_events_add(st, NULL, 0, 0) == 0, "empty batch");

	T_OK(store_computer_get(st, C1, &got) == 1 && got.last_report >= t0,
	    "last_report %lld", (long long)got.last_report);

	memset(&cs, 0, sizeof(cs));
	T_OK(store_computer_each(st, comp_collect, &cs) == 0 && cs.n == 2,
	    "computer_each: %d", cs.n);
	if (cs.n == 2) {
		/* By DNS name: pc1 (assigned to Web), then PC2. */
		T_OK(strcmp(cs.r[0].c.computer_id, C1) == 0 &&
		    strcmp(cs.r[0].groups, "Web") == 0, "C1 row: %s %s",
		    cs.r[0].c.computer_id, cs.r[0].groups);
		T_OK(cs.r[0].installed == 1 && cs.r[0].needed == 1 &&
		    cs.r[0].failed == 1 && cs.r[0].downloaded == 0,
		    "C1 counts %d %d %d %d", cs.r[0].installed,
		    cs.r[0].needed, cs.r[0].failed, cs.r[0].downloaded);
		T_OK(strcmp(cs.r[1].groups, "Unassigned Computers") == 0 &&
		    cs.r[1].downloaded == 1 && cs.r[1].installed == 0,
		    "C2 row: %s %d", cs.r[1].groups, cs.r[1].downloaded);
	}

	memset(&us, 0, sizeof(us));
	T_OK(store_update_each(st, 0, upd_collect, &us) == 0 &&
	    us.n == N_CAT + 1, "update_each: %d", us.n);
	r = upd_find(&us, G_SW1);
	T_OK(r != NULL && r->installed == 1 && r->downloaded == 1 &&
	    r->failed == 0 && r->revision_number == 201 &&
	    strcmp(r->approvals, "Install: Web") == 0,
	    "SW1 row: %s", r != NULL ? r->approvals : "missing");
	r = upd_find(&us, G_BUNDLE);
	T_OK(r != NULL && r->failed == 1 &&
	    strcmp(r->approvals, "Install: All Computers") == 0 &&
	    strcmp(r->title, "Bundle") == 0, "bundle row");
	r = upd_find(&us, G_SW2);
	T_OK(r != NULL && r->needed == 1 && r->approvals[0] == '\0',
	    "SW2 row (not_approved is no approval)");
	memset(&us, 0, sizeof(us));
	T_OK(store_update_each(st, 1, upd_collect, &us) == 0 && us.n == 5 &&
	    upd_find(&us, G_CAT) == NULL && upd_find(&us, G_DET) == NULL,
	    "leaf_only: %d", us.n);
	store_close(st);
}

/* --- targeting modes, registration cap, event cap, retention ------------ */

#define C3 "33333333-2222-4333-8444-555555555555"
#define C4 "44444444-2222-4333-8444-555555555555"

/* One computer with product type pt, through admit then upsert. */
static int
reg(struct store *st, const char *id, const char *from, int pt)
{
	struct store_computer c;
	int rc = store_computer_admit(st, id, from, time(NULL), 3600, 100);

	if (rc < 0)
		return rc;
	memset(&c, 0, sizeof(c));
	snprintf(c.computer_id, sizeof(c.computer_id), "%s", id);
	c.product_type = pt;
	return store_computer_upsert(st, &c);
}

static void
test_targeting(const char *dir)
{
	const char *db = tpath(0, "tgt/wsusd.db");
	struct store_settings set, want;
	char grp[8][STORE_GUID_LEN + 1], ring_a[STORE_GUID_LEN + 1],
	    ring_b[STORE_GUID_LEN + 1];
	struct store_computer got;
	struct store *st;
	time_t now = time(NULL);
	int n;

	if ((st = store_open(dir)) == NULL) {
		T_OK(0, "store_open failed");
		return;
	}
	T_OK(store_settings_get(st, &set) == 0 &&
	    set.targeting == STORE_TARGETING_SERVER && !set.targeting_by_admin &&
	    set.event_days_workstation == 15 && set.event_days_server == 90,
	    "default settings: %d %u %u", (int)set.targeting,
	    set.event_days_workstation, set.event_days_server);
	T_OK(store_group_add(st, "Ring A", NULL, ring_a, T_WHO) == 0 &&
	    store_group_add(st, "Ring B", NULL, ring_b, T_WHO) == 0, "groups");

	/* The registration cap: per address, per window; known ones pass. */
	T_OK(store_computer_admit(st, C1, "192.0.2.1", now, 3600, 2) == 0,
	    "admit 1");
	T_OK(store_computer_admit(st, C2, "192.0.2.1", now, 3600, 2) == 0,
	    "admit 2");
	T_OK(store_computer_admit(st, C3, "192.0.2.1", now, 3600, 2) == -2,
	    "third from one address admitted");
	T_OK(store_computer_admit(st, C1, "192.0.2.1", now, 3600, 2) == 1,
	    "a known computer passes, uncounted");
	T_OK(store_computer_admit(st, C3, "192.0.2.2", now, 3600, 2) == 0,
	    "another address");
	T_OK(store_computer_admit(st, C4, "192.0.2.1", now + 3601, 3600, 2) == 0,
	    "the window moves on");
	T_OK(store_computer_admit(st, "bad id", "192.0.2.1", now, 3600, 2) == -1,
	    "bad id admitted");
	T_OK(peek_int(db, "SELECT count(*) FROM computers") == 4, "4 rows");
	T_OK(reg(st, C1, "192.0.2.1", 3) == 0 && store_computer_get(st, C1,
	    &got) == 1 && got.product_type == 3, "product type stored");

	/* Server-side: requests are ignored, the cookie's group too. */
	T_OK(store_computer_request(st, C1, ring_b) == STORE_REQUEST_SERVER_SIDE,
	    "server-side request applied");
	n = store_computer_targets(st, C1, ring_b, grp, 8);
	T_OK(n == 2 && strcmp(grp[0], STORE_GROUP_UNASSIGNED) == 0,
	    "server-side targets follow the cookie: %d", n);

	/* Seeding from wsusd.conf; the admin API's mode then stays. */
	memset(&want, 0, sizeof(want));
	want.targeting = STORE_TARGETING_CLIENT;
	want.event_days_workstation = 2;
	want.event_days_server = 3;
	T_OK(store_settings_seed(st, &want, &set, T_WHO) == 0 &&
	    set.targeting == STORE_TARGETING_CLIENT &&
	    set.event_days_workstation == 2 && set.event_days_server == 3,
	    "seed");

	/* Client-side: the request applies and replaces the client's own. */
	T_OK(store_computer_request(st, C1, ring_b) == STORE_REQUEST_APPLIED,
	    "client-side request");
	n = store_computer_groups(st, C1, grp, 8);
	T_OK(n == 2 && strcmp(grp[0], ring_b) == 0, "in Ring B: %d", n);
	T_OK(store_computer_request(st, C1, ring_a) == STORE_REQUEST_APPLIED &&
	    store_computer_groups(st, C1, grp, 8) == 2 &&
	    strcmp(grp[0], ring_a) == 0, "moved to Ring A by the client");
	T_OK(peek_int(db, "SELECT count(*) FROM computer_groups "
	    "WHERE origin = 'client'") == 1, "one client row");
	n = store_computer_targets(st, C1, ring_b, grp, 8);
	T_OK(n == 2 && strcmp(grp[0], ring_b) == 0,
	    "client-side targets follow the cookie: %d", n);
	T_OK(store_computer_request(st, C1, STORE_GROUP_UNASSIGNED) ==
	    STORE_REQUEST_APPLIED && store_computer_groups(st, C1, grp, 8) == 2 &&
	    strcmp(grp[0], STORE_GROUP_UNASSIGNED) == 0, "client to Unassigned");
	T_OK(store_computer_request(st, C1, G_NONE) == -3, "unknown group");
	T_OK(store_computer_request(st, G_NONE, ring_a) == -2,
	    "unknown computer");

	/* An administrator's assignment is never replaced by a client. */
	T_OK(store_computer_assign(st, C2, "Ring A", T_WHO) == 0, "admin assigns C2");
	T_OK(store_computer_request(st, C2, ring_b) ==
	    STORE_REQUEST_ADMIN_ASSIGNED, "client request over the admin's");
	T_OK(store_computer_request(st, C2, STORE_GROUP_UNASSIGNED) ==
	    STORE_REQUEST_ADMIN_ASSIGNED, "client Unassigned over the admin's");
	T_OK(store_computer_request(st, C2, NULL) ==
	    STORE_REQUEST_ADMIN_ASSIGNED, "no group over the admin's");
	n = store_computer_groups(st, C2, grp, 8);
	T_OK(n == 2 && strcmp(grp[0], ring_a) == 0, "C2 still in Ring A");
	n = store_computer_targets(st, C2, ring_b, grp, 8);
	T_OK(n == 2 && strcmp(grp[0], ring_a) == 0,
	    "admin-assigned targets ignore the cookie: %d", n);
	/* ... Unassigned Computers included, and it replaces client rows. */
	T_OK(store_computer_request(st, C3, ring_b) == STORE_REQUEST_APPLIED &&
	    store_computer_assign(st, C3, "Unassigned Computers", T_WHO) == 0 &&
	    store_computer_request(st, C3, ring_b) ==
	    STORE_REQUEST_ADMIN_ASSIGNED, "admin Unassigned pins");
	n = store_computer_groups(st, C3, grp, 8);
	T_OK(n == 2 && strcmp(grp[0], STORE_GROUP_UNASSIGNED) == 0,
	    "C3 unassigned: %d", n);

	/* The admin API's mode survives the next start-up seed. */
	T_OK(store_targeting_set(st, STORE_TARGETING_SERVER, T_WHO) == 0, "set");
	T_OK(store_settings_seed(st, &want, &set, T_WHO) == 0 &&
	    set.targeting == STORE_TARGETING_SERVER && set.targeting_by_admin &&
	    set.event_days_workstation == 2, "admin mode kept over wsusd.conf");
	T_OK(store_targeting_set(st, (enum store_targeting)7, T_WHO) == -1,
	    "bad mode");
	store_close(st);
}

static void
test_event_limits(const char *dir)
{
	const char *db = tpath(0, "tgt/wsusd.db");
	struct store_event e[20];
	struct store_settings want;
	struct store *st;
	time_t now = time(NULL);
	int64_t left;

	if ((st = store_open(dir)) == NULL) {
		T_OK(0, "store_open failed");
		return;
	}
	/* The cap: the oldest by arrival go, in the batch's transaction. */
	for (int i = 0; i < 20; i++)
		ev(&e[i], C2, 100 + i, G_SW1, 1000 + i, "installed");
	T_OK(store_events_add(st, e, 12, 8) == 0, "12 events, cap 8");
	T_OK(peek_int(db, "SELECT count(*) FROM events e JOIN computers c "
	    "ON c.id = e.computer_ref WHERE c.computer_id = '" C2 "'") == 8,
	    "8 kept");
	T_OK(store_events_add(st, e + 12, 8, 8) == 0, "8 more");
	T_OK(peek_int(db, "SELECT min(time_at_target) FROM events e JOIN "
	    "computers c ON c.id = e.computer_ref WHERE c.computer_id = '"
	    C2 "'") == 1012, "the newest 8 kept");
	/* Retention: C1 is a server (3), C2 and C4 workstations. */
	memset(&want, 0, sizeof(want));
	want.event_days_workstation = 2;
	want.event_days_server = 5;
	T_OK(store_settings_seed(st, &want, NULL, T_WHO) == 0, "seed retention");
	for (int i = 0; i < 4; i++) {
		ev(&e[i], C1, 200 + i, G_SW2, 1000 + i, "");
		ev(&e[4 + i], C4, 300 + i, G_SW2, 1000 + i, "");
	}
	T_OK(store_events_add(st, e, 8, 0) == 0, "server and workstation events");
	/* Age them: 3 days for one of each, 6 days for another of each. */
	peek_int(db, "UPDATE events SET received = received - 3 * 86400 "
	    "WHERE event_instance_id IN ('000000c8-aaaa-4bbb-8ccc-dddddddddddd',"
	    " '0000012c-aaaa-4bbb-8ccc-dddddddddddd')");
	peek_int(db, "UPDATE events SET received = received - 6 * 86400 "
	    "WHERE event_instance_id IN ('000000c9-aaaa-4bbb-8ccc-dddddddddddd',"
	    " '0000012d-aaaa-4bbb-8ccc-dddddddddddd')");
	left = peek_int(db, "SELECT count(*) FROM events");
	T_OK(store_retention_run(st, now) == 3, "retention deleted 3");
	T_OK(peek_int(db, "SELECT count(*) FROM events") == left - 3,
	    "%lld left", (long long)peek_int(db, "SELECT count(*) FROM events"));
	T_OK(peek_int(db, "SELECT count(*) FROM events WHERE event_instance_id "
	    "= '000000c8-aaaa-4bbb-8ccc-dddddddddddd'") == 1,
	    "a server's 3-day-old event kept");
	T_OK(store_retention_run(st, now + 1) == 0, "nothing until the interval");
	/* Many: deleted in batches, a few per call, the rest at the next. */
	peek_int(db, "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 "
	    "FROM n WHERE i < 2500) INSERT INTO events (computer_ref, "
	    "event_instance_id, sequence_number, time_at_target, received, "
	    "namespace_id, event_id, source_id) SELECT (SELECT id FROM computers "
	    "WHERE computer_id = '" C4 "'), printf('00000000-0000-4000-9000-%012d',"
	    " i), 0, 0, 100, 1, 156, 0 FROM n");
	left = peek_int(db, "SELECT count(*) FROM events");
	T_OK(store_retention_run(st, now + 700) == 2000, "4 batches of 500");
	T_OK(store_retention_run(st, now + 701) == 500, "the rest next call");
	T_OK(peek_int(db, "SELECT count(*) FROM events") == left - 2500,
	    "all old ones gone");
	store_close(st);
}

/* The daemon sees wsusutil's catalogue changes through the generation. */
static void
test_catalog_generation_shared(const char *dir)
{
	struct store *daemon, *util;
	int64_t g;

	daemon = store_open(dir);
	util = store_open(dir);
	T_OK(daemon != NULL && util != NULL, "two handles failed");
	if (daemon == NULL || util == NULL)
		goto out;
	g = store_catalog_generation(daemon);
	T_OK(store_catalog_generation(daemon) == g, "idle poll moved");
	T_OK(store_group_add(util, "Lab", NULL, NULL, T_WHO) == 0, "add from util");
	T_OK(store_catalog_generation(daemon) == g + 1,
	    "daemon missed the other handle's change");
	T_OK(store_generation(daemon) >= 0, "advert generation broken");
out:
	store_close(util);
	store_close(daemon);
}

/* --- a catalogue of realistic size ------------------------------------ */

#define PERF_N 5000

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int
perf_count(void *arg, const struct store_rev *r)
{
	long *n = arg;

	(void)r;
	(*n)++;
	return 0;
}

static void
test_perf(const char *dir)
{
	static struct store_import u[PERF_N];
	static struct store_prereq pre[PERF_N][3];
	static char bun[PERF_N][1][STORE_GUID_LEN + 1];
	static struct store_file files[PERF_N];
	static struct store_localized loc[PERF_N];
	static char core[PERF_N][600];
	struct timespec t0;
	struct store *st;
	unsigned added = 0;
	double imp_ms, each_ms;
	long n = 0;

	for (int i = 0; i < PERF_N; i++) {
		char id[STORE_GUID_LEN + 1];

		snprintf(id, sizeof(id), "%08x-0000-4000-8000-%012x", i + 1,
		    i + 1);
		/* A few categories and detectoids, the rest software. */
		imp(&u[i], id, 100 + i % 7, i < 10 ? STORE_KIND_CATEGORY :
		    i < 50 ? STORE_KIND_DETECTOID : STORE_KIND_SOFTWARE,
		    "Perf update");
		snprintf(core[i], sizeof(core[i]), "<UpdateIdentity UpdateID="
		    "\"%s\" RevisionNumber=\"%d\"/><Properties UpdateType="
		    "\"Software\"/><Relationships><Prerequisites>"
		    "<UpdateIdentity UpdateID=\"%s\"/></Prerequisites>"
		    "</Relationships><ApplicabilityRules><IsInstalled>"
		    "<b.WmiQuery Namespace=\"root\\cimv2\" WqlQuery=\"SELECT "
		    "* FROM Win32_QuickFixEngineering WHERE HotFixID='KB%d'\"/>"
		    "</IsInstalled></ApplicabilityRules>", id, 100 + i % 7,
		    id, 5000000 + i);
		u[i].core = core[i];
		u[i].core_len = strlen(core[i]);
		u[i].extended = core[i];
		u[i].extended_len = u[i].core_len;
		snprintf(loc[i].lang, sizeof(loc[i].lang), "en");
		loc[i].xml = "<LocalizedProperties><Language>en</Language>"
		    "<Title>Perf update</Title></LocalizedProperties>";
		loc[i].len = strlen(loc[i].xml);
		u[i].loc = &loc[i];
		u[i].nloc = 1;
		if (i >= 50) {
			/* detectoid, category, and every 10th needs the previous. */
			snprintf(pre[i][0].update_id, sizeof(pre[i][0].update_id),
			    "%s", u[10 + i % 40].update_id);
			snprintf(pre[i][1].update_id, sizeof(pre[i][1].update_id),
			    "%s", u[i % 10].update_id);
			pre[i][1].grp = 1;
			pre[i][1].is_category = 1;
			u[i].prereq = pre[i];
			u[i].nprereq = 2;
			if (i % 10 == 0) {
				snprintf(pre[i][2].update_id,
				    sizeof(pre[i][2].update_id), "%s",
				    u[i - 1].update_id);
				u[i].nprereq = 3;
			}
			if (i % 50 == 1) {
				snprintf(bun[i][0], sizeof(bun[i][0]), "%s",
				    u[i - 1].update_id);
				u[i].bundled = (const char (*)[STORE_GUID_LEN +
				    1])bun[i];
				u[i].nbundled = 1;
			}
			file_make(&files[i], i, 1, "perf.cab");
			for (int k = 0; k < 4; k++)
				files[i].sha1[k] = (uint8_t)(i >> (8 * k));
			u[i].files = &files[i];
			u[i].nfiles = 1;
		}
	}
	if ((st = store_open(dir)) == NULL) {
		T_OK(0, "store_open failed");
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	T_OK(store_import_batch(st, u, PERF_N, &added, NULL, T_WHO) == 0 &&
	    added == PERF_N, "import of %d: added %u", PERF_N, added);
	imp_ms = ms_since(&t0);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	T_OK(store_catalog_each(st, perf_count, &n) == 0 && n == PERF_N,
	    "catalog_each of %d gave %ld", PERF_N, n);
	each_ms = ms_since(&t0);
	printf("test_store: timing: import of %d revisions %.1f ms, "
	    "catalog_each %.1f ms\n", PERF_N, imp_ms, each_ms);
	store_close(st);
}

/* --- the audit log: the door, the chain, tampering ------------------------ */

struct t_rows { int n; char action[16][32]; char account[16][32]; };

static int
t_audit_row(void *arg, const struct store_audit_row *r)
{
	struct t_rows *t = arg;

	if (t->n < 16) {
		snprintf(t->action[t->n], sizeof(t->action[0]), "%s", r->action);
		snprintf(t->account[t->n], sizeof(t->account[0]), "%s",
		    r->account);
	}
	t->n++;
	return 0;
}

/* t_audit_count - rows in the log (-1 on error). */
static int
t_audit_count(struct store *st)
{
	struct t_rows t = { 0 };

	return store_audit_each(st, 0, t_audit_row, &t) == 0 ? t.n : -1;
}

static void
test_audit(const char *dir)
{
	static const struct store_actor bad_actors[] = {
		{ NULL, "a", "b" }, { "p", "", "b" }, { "p", "a", NULL },
		{ "p", "a\nb", "c" },
		{ "0123456789012345678901234567890123", "a", "b" },  /* 34 bytes */
	};
	const struct store_actor admin = { "ApiRemoting30", "CORP\\alice",
	    "192.0.2.7" };
	char h0[STORE_AUDIT_HASH_HEX + 1], h1[STORE_AUDIT_HASH_HEX + 1];
	char h3[STORE_AUDIT_HASH_HEX + 1], text[512], db[T_PATH_MAX + 32];
	struct store_advert a, dflt;
	struct store_computer c;
	struct t_rows rows = { 0 };
	struct store *st;
	int64_t seq = -1, bad = 0;
	int n;

	if ((st = store_open(dir)) == NULL) {
		T_OK(0, "store_open failed");
		return;
	}
	snprintf(db, sizeof(db), "%s/wsusd.db", dir);
	T_OK(store_audit_head(st, &seq, h0) == 0 && seq == 0 &&
	    strspn(h0, "0") == STORE_AUDIT_HASH_HEX, "empty log head %lld %s",
	    (long long)seq, h0);
	T_OK(store_audit_verify(st, NULL, &bad) == 0, "empty log verifies");
	T_OK(store_audit_verify(st, h0, &bad) == 0,
	    "genesis head verifies on an empty log");

	/* No change without an actor, and a refused change writes no row. */
	for (size_t i = 0; i < sizeof(bad_actors) / sizeof(bad_actors[0]); i++)
		T_CHECK(__LINE__, store_group_add(st, "NoActor", NULL, NULL,
		    &bad_actors[i]) == -1, "bad actor %zu accepted", i);
	T_OK(store_group_add(st, "NoActor", NULL, NULL, NULL) == -1,
	    "NULL actor accepted");
	T_OK(t_audit_count(st) == 0, "a refused change wrote a row");

	/* One row per change, with the actor, in order. */
	T_OK(store_group_add(st, "Ring 1", NULL, NULL, &admin) == 0, "group");
	T_OK(store_audit_head(st, &seq, h1) == 0 && seq == 1 &&
	    strcmp(h1, h0) != 0, "head after one change: %lld", (long long)seq);
	T_OK(store_group_add(st, "Ring 1", NULL, NULL, &admin) == -3 &&
	    t_audit_count(st) == 1, "a duplicate group wrote a row");
	memset(&c, 0, sizeof(c));
	snprintf(c.computer_id, sizeof(c.computer_id), "%s", C1);
	snprintf(c.dns_name, sizeof(c.dns_name), "pc1.example.org");
	c.registered = 1000;
	T_OK(store_computer_upsert(st, &c) == 0 && t_audit_count(st) == 1,
	    "a client registration was audited");
	T_OK(store_computer_assign(st, C1, "Ring 1", T_WHO) == 0, "assign");
	T_OK(store_computer_group_add(st, C1, "Unassigned Computers",
	    T_WHO) == 0, "add to a second group");
	T_OK(store_computer_group_remove(st, C1, "Ring 1", T_WHO) == 0,
	    "remove from a group");
	T_OK(store_computer_group_remove(st, C1, "Ring 1", T_WHO) == -4,
	    "remove twice");
	T_OK(store_targeting_set(st, STORE_TARGETING_CLIENT, T_WHO) == 0,
	    "targeting");
	memset(&dflt, 0, sizeof(dflt));
	snprintf(dflt.fqdn, sizeof(dflt.fqdn), "wsus.example.org");
	dflt.http_port = 8530;
	dflt.https_port = 8531;
	T_OK(store_advert_get(st, &dflt, &a) == 0, "advert default");
	a.using_ssl = 1;
	T_OK(store_advert_set(st, &a, T_WHO) == 0, "advert set");
	T_OK(store_group_del(st, "Ring 1", &admin) == 0, "group delete");
	T_OK(store_group_del(st, "All Computers", &admin) == -3,
	    "built-in deleted");
	T_OK(store_audit_record(st, T_WHO, "trust.add", "ABCDEF",
	    NULL, "{\"store\":\"Root\"}") == 0, "record a file change");
	T_OK(store_audit_each(st, 0, t_audit_row, &rows) == 0 && rows.n == 8,
	    "%d rows", rows.n);
	{
		static const char *const want[] = { "group.add",
		    "computer.assign", "computer.group.add",
		    "computer.group.remove", "settings.targeting",
		    "advert.set", "group.delete", "trust.add" };

		for (n = 0; n < 8 && n < rows.n; n++)
			T_CHECK(__LINE__, strcmp(rows.action[n], want[n]) == 0,
			    "row %d: %s, not %s", n + 1, rows.action[n],
			    want[n]);
	}
	T_OK(strcmp(rows.account[0], "CORP\\alice") == 0 &&
	    strcmp(rows.account[1], "tester") == 0, "actors %s %s",
	    rows.account[0], rows.account[1]);
	peek_text(db, "SELECT before || ' -> ' || after FROM audit "
	    "WHERE seq = 3", text, sizeof(text));
	T_OK(strstr(text, "{\"groups\":[\"Ring 1\"]} -> {\"groups\":[\"Ring 1\","
	    "\"Unassigned Computers\"]}") != NULL, "memberships before/after: "
	    "%s", text);
	peek_text(db, "SELECT before || ' -> ' || after FROM audit "
	    "WHERE seq = 5", text, sizeof(text));
	T_OK(strstr(text, "\"targeting\":\"server\"") != NULL &&
	    strstr(text, "-> {\"targeting\":\"client\"") != NULL,
	    "targeting before/after: %s", text);
	peek_text(db, "SELECT address FROM audit WHERE seq = 7", text,
	    sizeof(text));
	T_OK(strcmp(text, "192.0.2.7") == 0, "address %s", text);
	T_OK(store_audit_verify(st, NULL, &bad) == 0, "chain verifies");
	T_OK(store_audit_head(st, &seq, h3) == 0 && seq == 8, "head 8");
	T_OK(store_audit_verify(st, h1, &bad) == 0, "an older head is held");
	T_OK(store_audit_verify(st, h3, &bad) == 0, "the head is held");
	for (char *p = h3; *p != '\0'; p++)   /* any case */
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	T_OK(store_audit_verify(st, h3, &bad) == 0, "upper-case head");
	T_OK(store_audit_verify(st, "12ab", &bad) == -1, "short head taken");
	store_close(st);

	/* The triggers refuse honest edits. */
	T_OK(poke(db, "UPDATE audit SET account = 'mallory' WHERE seq = 2")
	    == -1, "an audit row was updated");
	T_OK(poke(db, "DELETE FROM audit WHERE seq = 2") == -1,
	    "an audit row was deleted");
	/* Tampering past them: each is caught at the first broken row. */
	T_OK(poke(db, "DROP TRIGGER audit_no_update; DROP TRIGGER "
	    "audit_no_delete") == 0, "drop the triggers");
	T_OK(poke(db, "UPDATE audit SET after = replace(after, "
	    "'\"targeting\":\"client\"', '\"targeting\":\"server\"') "
	    "WHERE seq = 5") == 0, "edit row 5");
	st = store_open(dir);
	T_OK(st != NULL && store_audit_verify(st, NULL, &bad) == 1 && bad == 5,
	    "edited row: first bad %lld", (long long)bad);
	store_close(st);
	T_OK(poke(db, "UPDATE audit SET after = replace(after, "
	    "'\"targeting\":\"server\"', '\"targeting\":\"client\"') "
	    "WHERE seq = 5") == 0, "undo the edit");
	st = store_open(dir);
	T_OK(st != NULL && store_audit_verify(st, NULL, &bad) == 0,
	    "the undone edit verifies again");
	store_close(st);
	T_OK(poke(db, "UPDATE audit SET time = time + 1 WHERE seq = 6") == 0,
	    "edit a time");
	st = store_open(dir);
	T_OK(st != NULL && store_audit_verify(st, NULL, &bad) == 1 && bad == 6,
	    "edited time: first bad %lld", (long long)bad);
	store_close(st);
	T_OK(poke(db, "UPDATE audit SET time = time - 1 WHERE seq = 6") == 0,
	    "undo");
	/* A whole re-hashed row still breaks the next row's prev_hash. */
	T_OK(poke(db, "DELETE FROM audit WHERE seq = 3") == 0, "delete row 3");
	st = store_open(dir);
	T_OK(st != NULL && store_audit_verify(st, NULL, &bad) == 1 && bad == 3,
	    "deleted row: first bad %lld", (long long)bad);
	store_close(st);
	/* A cut-off tail verifies on its own, and not against the head. */
	T_OK(poke(db, "DELETE FROM audit WHERE seq >= 3") == 0, "cut the tail");
	st = store_open(dir);
	T_OK(st != NULL && store_audit_verify(st, NULL, &bad) == 0,
	    "a cut chain is still a chain");
	T_OK(st != NULL && store_audit_verify(st, h3, &bad) == 1 && bad == 3,
	    "cut tail against the logged head: first bad %lld",
	    (long long)bad);
	/* The log goes on from what is there. */
	T_OK(st != NULL && store_group_add(st, "Ring 2", NULL, NULL,
	    T_WHO) == 0 && store_audit_head(st, &seq, h0) == 0 && seq == 3 &&
	    store_audit_verify(st, NULL, &bad) == 0, "append after the cut");
	store_close(st);
}

/* --- accounts and the NTLM file ------------------------------------------- */

static int
t_count_accounts(void *arg, const struct store_account *a)
{
	(void)a;
	(*(int *)arg)++;
	return 0;
}

static void
test_accounts(const char *dir)
{
	static const char *const bad_names[] = { "", "a:b", "dom\\a", "a b",
	    "#x", "@REALM", "x@", "tab\t" };
	char ntlm[T_PATH_MAX + 32], db[T_PATH_MAX + 32], *buf = NULL;
	struct store_account a;
	enum store_role role;
	struct stat sb;
	struct store *st;
	size_t len = 0;
	FILE *f;
	int n = 0;

	if ((st = store_open(dir)) == NULL) {
		T_OK(0, "store_open failed");
		return;
	}
	snprintf(ntlm, sizeof(ntlm), "%s/admin/ntlm-users", dir);
	snprintf(db, sizeof(db), "%s/wsusd.db", dir);
	T_OK(strcmp(store_ntlm_path(st), ntlm) == 0, "ntlm path %s",
	    store_ntlm_path(st));
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++)
		T_CHECK(__LINE__, store_account_add(st, bad_names[i],
		    STORE_ROLE_REPORTER, "pw", 2, "WSUSD", T_WHO) == -1,
		    "name \"%s\" accepted", bad_names[i]);
	T_OK(store_account_add(st, "alice", STORE_ROLE_NONE, "pw", 2, "WSUSD",
	    T_WHO) == -1, "no role accepted");
	T_OK(store_account_add(st, "alice", STORE_ROLE_ADMINISTRATOR, NULL, 0,
	    "WSUSD", T_WHO) == -1, "no password accepted");
	T_OK(store_account_add(st, "alice", STORE_ROLE_ADMINISTRATOR,
	    "S3cret!", 7, "WSUSD", T_WHO) == 0, "add alice");
	T_OK(store_account_add(st, "ALICE", STORE_ROLE_REPORTER, "x", 1,
	    "WSUSD", T_WHO) == -3, "names must ignore case");
	T_OK(store_account_add(st, "bob@EXAMPLE.ORG", STORE_ROLE_REPORTER,
	    "x", 1, "WSUSD", T_WHO) == -1, "a principal took a password");
	T_OK(store_account_add(st, "bob@EXAMPLE.ORG", STORE_ROLE_REPORTER,
	    NULL, 0, "WSUSD", T_WHO) == 0, "add a principal");
	T_OK(store_account_get(st, "Alice", &a) == 1 &&
	    strcmp(a.name, "alice") == 0 && a.role == STORE_ROLE_ADMINISTRATOR &&
	    a.has_password, "get alice");
	T_OK(store_account_get(st, "bob@example.org", &a) == 1 &&
	    a.role == STORE_ROLE_REPORTER && !a.has_password, "get principal");
	T_OK(store_account_get(st, "nobody", NULL) == 0, "get unknown");
	T_OK(store_account_check_password(st, "alice", "S3cret!", 7,
	    &role) == 1 && role == STORE_ROLE_ADMINISTRATOR, "right password");
	T_OK(store_account_check_password(st, "alice", "S3cret?", 7,
	    &role) == 0 && role == STORE_ROLE_NONE, "wrong password");
	T_OK(store_account_check_password(st, "alice", "S3cret!", 6,
	    &role) == 0, "a prefix of the password");
	T_OK(store_account_check_password(st, "nobody", "S3cret!", 7,
	    &role) == 0, "unknown account");
	T_OK(store_account_check_password(st, "bob@EXAMPLE.ORG", "", 0,
	    &role) == 0, "a principal has no password");

	/* The file: 0600, bare and DOMAIN\ lines, the NT hash, no password. */
	T_OK(stat(ntlm, &sb) == 0 && (sb.st_mode & 0777) == 0600,
	    "ntlm-users mode %o", (unsigned)(sb.st_mode & 0777));
	if ((f = fopen(ntlm, "r")) != NULL) {
		len = fread(buf = calloc(1, 8192), 1, 8191, f);
		fclose(f);
	}
	T_OK(buf != NULL && len > 0, "read ntlm-users");
	if (buf != NULL) {
		/* MD4(UTF-16LE("S3cret!")), checked with openssl dgst -md4. */
		T_OK(strstr(buf, "WSUSD\\alice:1:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:"
		    "10B2F1961375B20126508C2267862BF0:[U          ]:"
		    "LCT-00000000:\n") != NULL, "domain line: %s", buf);
		T_OK(strstr(buf, "\nalice:1:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:")
		    != NULL, "bare line: %s", buf);
		T_OK(strstr(buf, "S3cret") == NULL, "the password is in the file");
		T_OK(strstr(buf, "bob") == NULL, "a principal is in the file");
		free(buf);
		buf = NULL;
	}
	/* The database holds no NT hash and no password either. */
	T_OK(peek_int(db, "SELECT count(*) FROM accounts WHERE "
	    "instr(CAST(verifier AS TEXT), 'S3cret') > 0") == 0,
	    "password in the database");

	/* A new password replaces the old everywhere; the file follows. */
	T_OK(store_account_passwd(st, "ALICE", "n3w", 3, "WSUSD", T_WHO) == 0,
	    "passwd");
	T_OK(store_account_check_password(st, "alice", "S3cret!", 7,
	    NULL) == 0 && store_account_check_password(st, "alice", "n3w", 3,
	    NULL) == 1, "the new password counts, the old does not");
	T_OK(store_account_passwd(st, "bob@EXAMPLE.ORG", "x", 1, "WSUSD",
	    T_WHO) == -2, "passwd of a principal");
	T_OK(store_account_passwd(st, "nobody", "x", 1, "WSUSD", T_WHO) == -2,
	    "passwd of nobody");
	T_OK(store_account_set_role(st, "alice", STORE_ROLE_REPORTER,
	    T_WHO) == 0 && store_account_get(st, "alice", &a) == 1 &&
	    a.role == STORE_ROLE_REPORTER, "set role");
	/* A rewrite with another domain keeps the hash (from the file). */
	T_OK(store_ntlm_write(st, "CORP") == 1, "rewrite for CORP");
	if ((f = fopen(ntlm, "r")) != NULL) {
		len = fread(buf = calloc(1, 8192), 1, 8191, f);
		fclose(f);
	}
	/* MD4(UTF-16LE("n3w")) = 910f0dcc... (openssl dgst -md4). */
	T_OK(buf != NULL && strstr(buf, "CORP\\alice:1:XXXXXXXXXXXXXXXXXXXXXXXX"
	    "XXXXXXXX:910F0DCCB380504CF6EA174AF5CD7966:") != NULL &&
	    strstr(buf, "WSUSD") == NULL, "CORP file: %s", buf ? buf : "");
	free(buf);
	buf = NULL;
	T_OK(store_account_del(st, "alice", "CORP", T_WHO) == 0 &&
	    store_account_get(st, "alice", NULL) == 0, "delete");
	T_OK(store_account_del(st, "alice", "CORP", T_WHO) == -2,
	    "delete twice");
	if ((f = fopen(ntlm, "r")) != NULL) {
		len = fread(buf = calloc(1, 8192), 1, 8191, f);
		fclose(f);
	}
	T_OK(buf != NULL && strstr(buf, "alice") == NULL,
	    "deleted account still in the file");
	free(buf);
	T_OK(store_account_each(st, t_count_accounts, &n) == 0 && n == 1,
	    "%d accounts left", n);
	/* Every change above has its row, none shows a secret. */
	T_OK(peek_int(db, "SELECT count(*) FROM audit WHERE action LIKE "
	    "'user.%'") == 5, "user rows: %lld", (long long)peek_int(db,
	    "SELECT count(*) FROM audit WHERE action LIKE 'user.%'"));
	T_OK(peek_int(db, "SELECT count(*) FROM audit WHERE before || after "
	    "LIKE '%n3w%' OR before || after LIKE '%S3cret%'") == 0,
	    "a password in the audit log");
	T_OK(store_audit_verify(st, NULL, &(int64_t){ 0 }) == 0,
	    "account chain verifies");
	store_close(st);
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
	test_catalog(tpath(3, "cat"));
	test_group_tree(tpath(3, "cat"));
	test_computers(tpath(3, "cat"));
	test_approvals(tpath(3, "cat"));
	test_reports(tpath(3, "cat"));
	test_catalog_generation_shared(tpath(3, "cat"));
	test_targeting(tpath(3, "tgt"));
	test_event_limits(tpath(3, "tgt"));
	test_audit(tpath(3, "audit"));
	test_accounts(tpath(3, "acct"));
	test_perf(tpath(3, "perf"));

	if (getenv("T_KEEP") == NULL)
		nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return t_done("test_store");
}
