/*
 * stmt.c - the fixed table of named SQL statements.
 *
 * Owns: every SQL statement the store runs after open, one row per
 * enum stmt_id, prepared once at open and finalized at close.  Values only
 * ever reach SQL through sqlite3_bind_*; nothing in the tree builds SQL
 * text at run time.  A new query is a new row here plus a new id in
 * store_int.h, not a string in a domain file.
 */
#include <stddef.h>

#include "log.h"
#include "store_int.h"

struct stmt_def {
	const char *name;   /* for log lines */
	const char *sql;
};

/* Indexed by enum stmt_id; a missing row makes store_open fail. */
static const struct stmt_def stmt_defs[STMT__COUNT] = {
	[STMT_BEGIN] = { "begin", "BEGIN IMMEDIATE" },
	[STMT_COMMIT] = { "commit", "COMMIT" },
	[STMT_ROLLBACK] = { "rollback", "ROLLBACK" },

	/* Moves when another connection (process) commits. */
	[STMT_DATA_VERSION] = { "data_version", "PRAGMA data_version" },

	[STMT_SERVER_ID_GET] = { "server_id_get",
	    "SELECT server_id FROM server_identity WHERE id = 1" },
	/* OR IGNORE: the first id ever written wins, also across processes. */
	[STMT_SERVER_ID_INSERT] = { "server_id_insert",
	    "INSERT OR IGNORE INTO server_identity (id, server_id, created) "
	    "VALUES (1, ?1, ?2)" },

	[STMT_ADVERT_GET] = { "advert_get",
	    "SELECT fqdn, using_ssl, http_port, https_port, generation, "
	    "changed_at FROM advert WHERE id = 1" },
	[STMT_ADVERT_INSERT] = { "advert_insert",
	    "INSERT OR IGNORE INTO advert (id, fqdn, using_ssl, http_port, "
	    "https_port, generation, changed_at) "
	    "VALUES (1, ?1, ?2, ?3, ?4, 1, ?5)" },
	[STMT_ADVERT_UPSERT] = { "advert_upsert",
	    "INSERT INTO advert (id, fqdn, using_ssl, http_port, https_port, "
	    "generation, changed_at) VALUES (1, ?1, ?2, ?3, ?4, 1, ?5) "
	    "ON CONFLICT (id) DO UPDATE SET fqdn = excluded.fqdn, "
	    "using_ssl = excluded.using_ssl, http_port = excluded.http_port, "
	    "https_port = excluded.https_port, "
	    "generation = advert.generation + 1, "
	    "changed_at = excluded.changed_at" },
	[STMT_GENERATION_GET] = { "generation_get",
	    "SELECT generation FROM advert WHERE id = 1" },

	[STMT_GROUP_BY_GUID] = { "group_by_guid",
	    "SELECT g.group_id, coalesce(p.group_id, ''), g.name, g.builtin "
	    "FROM target_groups g LEFT JOIN target_groups p ON p.id = g.parent "
	    "WHERE g.group_id = ?1" },
};

int
stmt_prepare_all(struct store *st)
{
	for (size_t i = 0; i < STMT__COUNT; i++) {
		if (stmt_defs[i].sql == NULL) {
			log_warnx("%s: statement %zu has no SQL", __func__, i);
			return -1;
		}
		/* PERSISTENT: these live as long as the connection. */
		if (sqlite3_prepare_v3(st->db, stmt_defs[i].sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmts[i], NULL) !=
		    SQLITE_OK) {
			log_warnx("%s: %s: %s: %s", __func__, st->path,
			    stmt_defs[i].name, sqlite3_errmsg(st->db));
			return -1;
		}
	}
	return 0;
}

void
stmt_finalize_all(struct store *st)
{
	for (size_t i = 0; i < STMT__COUNT; i++) {
		sqlite3_finalize(st->stmts[i]);   /* accepts NULL */
		st->stmts[i] = NULL;
	}
}

sqlite3_stmt *
stmt_get(struct store *st, enum stmt_id id)
{
	sqlite3_stmt *s = st->stmts[id];

	/* Normally already released; makes a forgotten release harmless. */
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

void
stmt_release(sqlite3_stmt *s)
{
	if (s == NULL)
		return;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

const char *
stmt_name(struct store *st, sqlite3_stmt *s)
{
	for (size_t i = 0; i < STMT__COUNT; i++)
		if (st->stmts[i] == s)
			return stmt_defs[i].name;
	/* A fixed PRAGMA of db.c, run before the table is prepared. */
	return sqlite3_sql(s);
}
