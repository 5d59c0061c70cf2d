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
#include <string.h>
#include <time.h>

#include "log.h"
#include "store_int.h"

/* A number macro as SQL text (limits shared with the C code). */
#define STMT_STR2(x) #x
#define STMT_STR(x)  STMT_STR2(x)

/*
 * Counts of update_status rows by state, grouped by column k: installed
 * (pending reboot included), needed (not installed), failed, downloaded.
 */
#define STMT_STATUS_COUNTS(k)						\
	"SELECT " k " AS k, "						\
	"sum(state IN ('installed', 'installed_pending_reboot')) "	\
	"AS installed, sum(state = 'not_installed') AS needed, "	\
	"sum(state = 'failed') AS failed, "				\
	"sum(state = 'downloaded') AS downloaded "			\
	"FROM update_status GROUP BY " k

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

	/* Both: guid, parent guid, name, builtin, row id. */
	[STMT_GROUP_BY_GUID] = { "group_by_guid",
	    "SELECT g.group_id, coalesce(p.group_id, ''), g.name, g.builtin, "
	    "g.id "
	    "FROM target_groups g LEFT JOIN target_groups p ON p.id = g.parent "
	    "WHERE g.group_id = ?1" },
	/* name has COLLATE NOCASE in the schema: the match ignores case. */
	[STMT_GROUP_BY_NAME] = { "group_by_name",
	    "SELECT g.group_id, coalesce(p.group_id, ''), g.name, g.builtin, "
	    "g.id "
	    "FROM target_groups g LEFT JOIN target_groups p ON p.id = g.parent "
	    "WHERE g.name = ?1" },
	[STMT_GROUP_INSERT] = { "group_insert",
	    "INSERT INTO target_groups (group_id, name, parent, builtin, "
	    "created) VALUES (?1, ?2, ?3, 0, ?4)" },
	/*
	 * Depth first from the root, siblings by name: the queue's ORDER BY
	 * picks the deepest row next.  A child enters the queue only once
	 * its parent has been output, so parents always come first.
	 */
	[STMT_GROUP_EACH] = { "group_each",
	    "WITH RECURSIVE "
	    "t (id, guid, parent_guid, name, builtin, depth) AS ("
	    "SELECT id, group_id AS guid, '' AS parent_guid, name, builtin, "
	    "0 AS depth FROM target_groups WHERE parent IS NULL "
	    "UNION ALL "
	    "SELECT g.id, g.group_id, t.guid, g.name, g.builtin, t.depth + 1 "
	    "FROM t JOIN target_groups g ON g.parent = t.id "
	    "WHERE t.depth < " STMT_STR(STORE_GROUP_DEPTH_MAX) " "
	    "ORDER BY depth DESC, name COLLATE NOCASE) "
	    "SELECT guid, parent_guid, name, builtin FROM t" },
	[STMT_GROUP_ANCESTORS] = { "group_ancestors",
	    "WITH RECURSIVE a (id, parent, depth) AS ("
	    "SELECT id, parent, 0 FROM target_groups WHERE group_id = ?1 "
	    "UNION ALL "
	    "SELECT g.id, g.parent, a.depth + 1 FROM a "
	    "JOIN target_groups g ON g.id = a.parent "
	    "WHERE a.depth < " STMT_STR(STORE_GROUP_DEPTH_MAX) ") "
	    "SELECT g.group_id FROM a JOIN target_groups g ON g.id = a.id "
	    "ORDER BY a.depth" },

	/* --- catalog.c ---------------------------------------------------- */
	[STMT_CATALOG_GEN_GET] = { "catalog_gen_get",
	    "SELECT generation FROM catalog_state WHERE id = 1" },
	[STMT_CATALOG_BUMP] = { "catalog_bump",
	    "UPDATE catalog_state SET generation = generation + 1, "
	    "changed_at = ?1 WHERE id = 1" },
	[STMT_REVISION_FIND] = { "revision_find",
	    "SELECT r.revision_id FROM revisions r "
	    "JOIN updates u ON u.id = r.update_ref "
	    "WHERE u.update_id = ?1 AND r.revision_number = ?2" },
	[STMT_UPDATE_UPSERT] = { "update_upsert",
	    "INSERT INTO updates (update_id, kind, category_type, created) "
	    "VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT (update_id) DO UPDATE SET kind = excluded.kind, "
	    "category_type = excluded.category_type "
	    "RETURNING id" },
	[STMT_REVISION_LATEST] = { "revision_latest",
	    "SELECT revision_id, revision_number, declined FROM revisions "
	    "WHERE update_ref = ?1 AND is_latest = 1" },
	[STMT_REVISION_UNLATEST] = { "revision_unlatest",
	    "UPDATE revisions SET is_latest = 0, changed = ?2 "
	    "WHERE revision_id = ?1" },
	[STMT_REVISION_INSERT] = { "revision_insert",
	    "INSERT INTO revisions (update_ref, revision_number, is_latest, "
	    "state, declined, title, created, changed) "
	    "VALUES (?1, ?2, ?3, 'published', ?4, ?5, ?6, ?6) "
	    "RETURNING revision_id" },
	[STMT_DEPLOYMENT_MOVE] = { "deployment_move",
	    "UPDATE deployments SET revision_id = ?2, last_change = ?3 "
	    "WHERE revision_id = ?1" },
	[STMT_FRAGMENT_INSERT] = { "fragment_insert",
	    "INSERT INTO fragments (revision_id, kind, language, zdata, size) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)" },
	/* The same bytes may belong to many updates: first name wins. */
	[STMT_FILE_UPSERT] = { "file_upsert",
	    "INSERT INTO files (sha1, sha256, name, size, modified, "
	    "modified_text) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	    "ON CONFLICT (sha1) DO UPDATE SET "
	    "sha256 = coalesce(files.sha256, excluded.sha256) "
	    "RETURNING file_id" },
	/* DO NOTHING: a list naming the same item twice is harmless. */
	[STMT_REVISION_FILE_INSERT] = { "revision_file_insert",
	    "INSERT INTO revision_files (revision_id, file_id) VALUES (?1, ?2) "
	    "ON CONFLICT DO NOTHING" },
	[STMT_PREREQ_INSERT] = { "prereq_insert",
	    "INSERT INTO prerequisites (revision_id, grp, required_update, "
	    "is_category) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING" },
	[STMT_REV_CATEGORY_INSERT] = { "rev_category_insert",
	    "INSERT INTO revision_categories (revision_id, category_update) "
	    "VALUES (?1, ?2) ON CONFLICT DO NOTHING" },
	/* The import API names members without a revision: 0 = unknown. */
	[STMT_BUNDLE_INSERT] = { "bundle_insert",
	    "INSERT INTO bundles (revision_id, member_update, member_revision) "
	    "VALUES (?1, ?2, 0) ON CONFLICT DO NOTHING" },
	[STMT_SUPERSEDE_INSERT] = { "supersede_insert",
	    "INSERT INTO supersedence (revision_id, superseded_update) "
	    "VALUES (?1, ?2) ON CONFLICT DO NOTHING" },
	/*
	 * catalog_each merges these three, each ordered by revision_id and
	 * restricted to the same revisions (latest, published).
	 */
	[STMT_CATALOG_REVS] = { "catalog_revs",
	    "SELECT r.revision_id, u.update_id, r.revision_number, u.kind, "
	    "r.declined, l.is_leaf, r.title FROM revisions r "
	    "JOIN updates u ON u.id = r.update_ref "
	    "JOIN update_leaf l ON l.update_ref = u.id "
	    "WHERE r.is_latest = 1 AND r.state = 'published' "
	    "ORDER BY r.revision_id" },
	[STMT_CATALOG_PREREQS] = { "catalog_prereqs",
	    "SELECT p.revision_id, p.required_update, p.grp, p.is_category "
	    "FROM revisions r JOIN prerequisites p "
	    "ON p.revision_id = r.revision_id "
	    "WHERE r.is_latest = 1 AND r.state = 'published' "
	    "ORDER BY p.revision_id, p.grp, p.required_update" },
	[STMT_CATALOG_BUNDLES] = { "catalog_bundles",
	    "SELECT b.revision_id, b.member_update "
	    "FROM revisions r JOIN bundles b ON b.revision_id = r.revision_id "
	    "WHERE r.is_latest = 1 AND r.state = 'published' "
	    "ORDER BY b.revision_id, b.member_update" },
	[STMT_FRAGMENT_GET] = { "fragment_get",
	    "SELECT zdata, size FROM fragments "
	    "WHERE revision_id = ?1 AND kind = ?2 AND language = ?3" },
	/* "en" if there, else the language stored first. */
	[STMT_FRAGMENT_LOC_FIRST] = { "fragment_loc_first",
	    "SELECT zdata, size FROM fragments "
	    "WHERE revision_id = ?1 AND kind = 'localized' "
	    "ORDER BY language = 'en' DESC, id LIMIT 1" },
	[STMT_REVISION_FILES] = { "revision_files",
	    "SELECT f.sha1, f.sha256, f.name, f.size, f.modified_text "
	    "FROM revision_files rf JOIN files f ON f.file_id = rf.file_id "
	    "WHERE rf.revision_id = ?1 ORDER BY f.file_id" },
	[STMT_FILE_BY_SHA1] = { "file_by_sha1",
	    "SELECT sha1, sha256, name, size, modified_text FROM files "
	    "WHERE sha1 = ?1" },
	[STMT_REVISION_OF] = { "revision_of",
	    "SELECT r.revision_id FROM revisions r "
	    "JOIN updates u ON u.id = r.update_ref "
	    "WHERE u.update_id = ?1 AND r.is_latest = 1" },

	/* --- approval.c --------------------------------------------------- */
	[STMT_UPDATE_REF] = { "update_ref",
	    "SELECT u.id, coalesce(r.revision_id, 0) FROM updates u "
	    "LEFT JOIN revisions r ON r.update_ref = u.id AND r.is_latest = 1 "
	    "WHERE u.update_id = ?1" },
	[STMT_DEPLOYMENT_DELETE_GROUP] = { "deployment_delete_group",
	    "DELETE FROM deployments WHERE group_ref = ?2 AND revision_id IN "
	    "(SELECT revision_id FROM revisions WHERE update_ref = ?1)" },
	[STMT_DEPLOYMENT_INSERT] = { "deployment_insert",
	    "INSERT INTO deployments (revision_id, group_ref, action, "
	    "deadline, admin, created, last_change) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)" },
	[STMT_DECLINED_SET] = { "declined_set",
	    "UPDATE revisions SET declined = ?2, changed = ?3 "
	    "WHERE update_ref = ?1 AND declined <> ?2" },
	[STMT_DEPLOYMENT_DELETE_UPDATE] = { "deployment_delete_update",
	    "DELETE FROM deployments WHERE revision_id IN "
	    "(SELECT revision_id FROM revisions WHERE update_ref = ?1)" },
	[STMT_DEPLOYMENT_EACH] = { "deployment_each",
	    "SELECT d.deployment_id, u.update_id, g.group_id, d.action, "
	    "coalesce(d.deadline, 0), d.last_change FROM deployments d "
	    "JOIN revisions r ON r.revision_id = d.revision_id "
	    "JOIN updates u ON u.id = r.update_ref "
	    "JOIN target_groups g ON g.id = d.group_ref "
	    "WHERE d.action IN ('install', 'uninstall') "
	    "ORDER BY d.deployment_id" },

	/* --- computer.c --------------------------------------------------- */
	/* Registration fields overwrite only when given; times only grow. */
	[STMT_COMPUTER_UPSERT] = { "computer_upsert",
	    "INSERT INTO computers (computer_id, dns_name, ip_address, "
	    "os_description, client_version, requested_groups, registered, "
	    "last_sync, last_report, last_seen, old_product_type) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
	    "ON CONFLICT (computer_id) DO UPDATE SET "
	    "dns_name = CASE WHEN excluded.dns_name <> '' "
	    "THEN excluded.dns_name ELSE computers.dns_name END, "
	    "ip_address = CASE WHEN excluded.ip_address <> '' "
	    "THEN excluded.ip_address ELSE computers.ip_address END, "
	    "os_description = CASE WHEN excluded.os_description <> '' "
	    "THEN excluded.os_description ELSE computers.os_description END, "
	    "client_version = CASE WHEN excluded.client_version <> '' "
	    "THEN excluded.client_version ELSE computers.client_version END, "
	    "old_product_type = CASE WHEN excluded.old_product_type <> 0 "
	    "THEN excluded.old_product_type ELSE computers.old_product_type END, "
	    "requested_groups = CASE WHEN excluded.requested_groups <> '' "
	    "THEN excluded.requested_groups "
	    "ELSE computers.requested_groups END, "
	    "last_sync = coalesce(excluded.last_sync, computers.last_sync), "
	    "last_report = coalesce(excluded.last_report, "
	    "computers.last_report), "
	    "last_seen = max(computers.last_seen, excluded.last_seen)" },
	[STMT_COMPUTER_ENSURE] = { "computer_ensure",
	    "INSERT INTO computers (computer_id, registered, last_seen) "
	    "VALUES (?1, ?2, ?2) ON CONFLICT (computer_id) DO NOTHING" },
	/* A new computer's bare row, counted against its address. */
	[STMT_COMPUTER_ADMIT] = { "computer_admit",
	    "INSERT INTO computers (computer_id, registered_from, registered, "
	    "last_seen) VALUES (?1, ?2, ?3, ?3) "
	    "ON CONFLICT (computer_id) DO NOTHING" },
	[STMT_COMPUTER_NEW_FROM] = { "computer_new_from",
	    "SELECT count(*) FROM computers "
	    "WHERE registered_from = ?1 AND registered >= ?2" },
	[STMT_COMPUTER_GET] = { "computer_get",
	    "SELECT computer_id, dns_name, ip_address, os_description, "
	    "client_version, requested_groups, coalesce(last_sync, 0), "
	    "coalesce(last_report, 0), registered, old_product_type "
	    "FROM computers WHERE computer_id = ?1" },
	[STMT_COMPUTER_TOUCH_SYNC] = { "computer_touch_sync",
	    "UPDATE computers SET last_sync = ?2, "
	    "last_seen = max(last_seen, ?2) WHERE computer_id = ?1" },
	[STMT_COMPUTER_REF] = { "computer_ref",
	    "SELECT id FROM computers WHERE computer_id = ?1" },
	/* Two machines may share a name: the one seen last wins. */
	[STMT_COMPUTER_BY_DNS] = { "computer_by_dns",
	    "SELECT id FROM computers WHERE dns_name = ?1 COLLATE NOCASE "
	    "ORDER BY last_seen DESC, id LIMIT 1" },
	[STMT_COMPUTER_UNGROUP] = { "computer_ungroup",
	    "DELETE FROM computer_groups WHERE computer_ref = ?1" },
	[STMT_COMPUTER_UNGROUP_CLIENT] = { "computer_ungroup_client",
	    "DELETE FROM computer_groups WHERE computer_ref = ?1 "
	    "AND origin = 'client'" },
	/* ?3: origin, 'admin' or 'client'. */
	[STMT_COMPUTER_GROUP_INSERT] = { "computer_group_insert",
	    "INSERT INTO computer_groups (computer_ref, group_ref, origin) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING" },
	/* 1 when an administrator assigned the computer (?1 its id). */
	[STMT_COMPUTER_ADMIN_HELD] = { "computer_admin_held",
	    "SELECT EXISTS (SELECT 1 FROM computer_groups cg "
	    "JOIN computers c ON c.id = cg.computer_ref "
	    "WHERE c.computer_id = ?1 AND cg.origin = 'admin')" },
	/*
	 * The computer's groups (Unassigned Computers if none), then their
	 * ancestors; each GUID once, nearest first.
	 */
	[STMT_COMPUTER_GROUPS] = { "computer_groups",
	    "WITH RECURSIVE "
	    "mem (id) AS (SELECT cg.group_ref FROM computer_groups cg "
	    "JOIN computers c ON c.id = cg.computer_ref "
	    "WHERE c.computer_id = ?1), "
	    "start (id) AS (SELECT id FROM mem UNION ALL "
	    "SELECT id FROM target_groups "
	    "WHERE group_id = '" STORE_GROUP_UNASSIGNED "' "
	    "AND NOT EXISTS (SELECT 1 FROM mem)), "
	    "up (id, depth) AS (SELECT id, 0 FROM start UNION ALL "
	    "SELECT g.parent, up.depth + 1 FROM up "
	    "JOIN target_groups g ON g.id = up.id "
	    "WHERE g.parent IS NOT NULL "
	    "AND up.depth < " STMT_STR(STORE_GROUP_DEPTH_MAX) ") "
	    "SELECT g.group_id FROM up JOIN target_groups g ON g.id = up.id "
	    "GROUP BY g.id ORDER BY min(up.depth), g.id" },
	[STMT_COMPUTER_EACH] = { "computer_each",
	    "SELECT c.computer_id, c.dns_name, c.ip_address, c.os_description, "
	    "c.client_version, c.requested_groups, coalesce(c.last_sync, 0), "
	    "coalesce(c.last_report, 0), c.registered, "
	    "coalesce((SELECT group_concat(name, ', ') FROM "
	    "(SELECT g.name AS name FROM computer_groups cg "
	    "JOIN target_groups g ON g.id = cg.group_ref "
	    "WHERE cg.computer_ref = c.id ORDER BY g.name)), "
	    "'Unassigned Computers'), "
	    "coalesce(s.installed, 0), coalesce(s.needed, 0), "
	    "coalesce(s.failed, 0), coalesce(s.downloaded, 0), "
	    "c.old_product_type "
	    "FROM computers c LEFT JOIN ("
	    STMT_STATUS_COUNTS("computer_ref") ") s ON s.k = c.id "
	    "ORDER BY c.dns_name COLLATE NOCASE, c.computer_id" },

	/* --- report.c ----------------------------------------------------- */
	/* No row back: the event was sent before (same instance id). */
	[STMT_EVENT_INSERT] = { "event_insert",
	    "INSERT INTO events (computer_ref, event_instance_id, "
	    "sequence_number, time_at_target, received, namespace_id, "
	    "event_id, source_id, update_id, revision_number, win32_hresult, "
	    "message) "
	    "VALUES (?1, ?2, 0, ?3, ?4, ?5, ?6, 0, ?7, ?8, ?9, ?10) "
	    "ON CONFLICT (computer_ref, event_instance_id) DO NOTHING "
	    "RETURNING id" },
	/* The event that happened last (at the target) decides. */
	[STMT_STATUS_UPSERT] = { "status_upsert",
	    "INSERT INTO update_status (computer_ref, update_id, "
	    "revision_number, state, hresult, last_event_id, changed) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
	    "ON CONFLICT (computer_ref, update_id) DO UPDATE SET "
	    "revision_number = excluded.revision_number, "
	    "state = excluded.state, hresult = excluded.hresult, "
	    "last_event_id = excluded.last_event_id, "
	    "changed = excluded.changed "
	    "WHERE excluded.changed >= update_status.changed" },
	/*
	 * The per-computer cap: every event of computer ?1 but the ?2 that
	 * arrived last.
	 */
	[STMT_EVENT_TRIM] = { "event_trim",
	    "DELETE FROM events WHERE id IN (SELECT id FROM events "
	    "WHERE computer_ref = ?1 ORDER BY received DESC, id DESC "
	    "LIMIT -1 OFFSET ?2)" },
	/*
	 * Retention: at most ?3 events received before ?1 from servers
	 * (?2 = 1: OldProductType 2 or 3) or from workstations (?2 = 0).
	 * CROSS JOIN fixes the order: the computers, then each one's
	 * events by age (index events_computer_received), so that a batch
	 * costs the computers plus what it deletes, never a walk of the
	 * servers' younger events (which events_received would take).
	 */
	[STMT_EVENT_EXPIRE] = { "event_expire",
	    "DELETE FROM events WHERE id IN (SELECT e.id FROM computers c "
	    "CROSS JOIN events e ON e.computer_ref = c.id AND e.received < ?1 "
	    "WHERE (c.old_product_type IN (2, 3)) = ?2 LIMIT ?3)" },
	[STMT_COMPUTER_REPORTED] = { "computer_reported",
	    "UPDATE computers SET last_report = ?2, "
	    "last_seen = max(last_seen, ?2) WHERE id = ?1" },
	[STMT_UPDATE_EACH] = { "update_each",
	    "SELECT u.update_id, r.revision_number, r.revision_id, u.kind, "
	    "r.title, r.declined, "
	    "coalesce((SELECT group_concat(a, '; ') FROM "
	    "(SELECT CASE d.action WHEN 'install' THEN 'Install: ' "
	    "ELSE 'Uninstall: ' END || g.name AS a FROM deployments d "
	    "JOIN target_groups g ON g.id = d.group_ref "
	    "WHERE d.revision_id = r.revision_id "
	    "AND d.action IN ('install', 'uninstall') "
	    "ORDER BY d.action, g.name)), ''), "
	    "coalesce(s.installed, 0), coalesce(s.needed, 0), "
	    "coalesce(s.failed, 0), coalesce(s.downloaded, 0) "
	    "FROM revisions r JOIN updates u ON u.id = r.update_ref "
	    "LEFT JOIN (" STMT_STATUS_COUNTS("update_id") ") s "
	    "ON s.k = u.update_id "
	    "WHERE r.is_latest = 1 "
	    "AND (?1 = 0 OR u.kind IN ('software', 'driver')) "
	    "ORDER BY r.revision_id" },

	/* --- settings.c --------------------------------------------------- */
	[STMT_SETTINGS_GET] = { "settings_get",
	    "SELECT targeting, targeting_source, event_days_workstation, "
	    "event_days_server FROM server_settings WHERE id = 1" },
	/* wsusd.conf at start-up: an admin-set targeting mode stays. */
	[STMT_SETTINGS_SEED] = { "settings_seed",
	    "UPDATE server_settings SET targeting = CASE "
	    "WHEN targeting_source = 'config' THEN ?1 ELSE targeting END, "
	    "event_days_workstation = ?2, event_days_server = ?3, "
	    "changed_at = ?4 WHERE id = 1" },
	[STMT_TARGETING_SET] = { "targeting_set",
	    "UPDATE server_settings SET targeting = ?1, "
	    "targeting_source = 'admin', changed_at = ?2 WHERE id = 1" },

	/* --- audit.c ---------------------------------------------------- */
	[STMT_AUDIT_HEAD] = { "audit_head",
	    "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1" },
	[STMT_AUDIT_INSERT] = { "audit_insert",
	    "INSERT INTO audit (seq, time, program, account, address, action, "
	    "object, before, after, prev_hash, hash) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)" },
	[STMT_AUDIT_SINCE] = { "audit_since",
	    "SELECT seq, time, program, account, address, action, object, "
	    "before, after, prev_hash, hash FROM audit WHERE time >= ?1 "
	    "ORDER BY seq" },
	[STMT_AUDIT_ALL] = { "audit_all",
	    "SELECT seq, time, program, account, address, action, object, "
	    "before, after, prev_hash, hash FROM audit ORDER BY seq" },

	[STMT_AUDIT_APPROVAL_OF] = { "audit_approval_of",
	    "SELECT d.action, coalesce(d.deadline, 0) FROM deployments d "
	    "JOIN revisions r ON r.revision_id = d.revision_id "
	    "WHERE r.update_ref = ?1 AND d.group_ref = ?2" },
	[STMT_AUDIT_APPROVALS] = { "audit_approvals",
	    "SELECT g.name || ' (' || d.action || ')' FROM deployments d "
	    "JOIN revisions r ON r.revision_id = d.revision_id "
	    "JOIN target_groups g ON g.id = d.group_ref "
	    "WHERE r.update_ref = ?1 ORDER BY g.name" },
	[STMT_AUDIT_DECLINED] = { "audit_declined",
	    "SELECT coalesce(max(declined), 0) FROM revisions "
	    "WHERE update_ref = ?1" },
	[STMT_AUDIT_MEMBERSHIPS] = { "audit_memberships",
	    "SELECT g.name || CASE cg.origin WHEN 'client' THEN ' (client)' "
	    "ELSE '' END FROM computer_groups cg "
	    "JOIN target_groups g ON g.id = cg.group_ref "
	    "WHERE cg.computer_ref = ?1 ORDER BY g.name" },

	[STMT_GROUP_CHILDREN] = { "group_children",
	    "SELECT count(*) FROM target_groups WHERE parent = ?1" },
	[STMT_GROUP_DELETE] = { "group_delete",
	    "DELETE FROM target_groups WHERE id = ?1 AND builtin = 0" },
	[STMT_COMPUTER_GROUP_DELETE] = { "computer_group_delete",
	    "DELETE FROM computer_groups WHERE computer_ref = ?1 "
	    "AND group_ref = ?2" },
	[STMT_COMPUTER_GROUP_ADMIN] = { "computer_group_admin",
	    "INSERT INTO computer_groups (computer_ref, group_ref, origin) "
	    "VALUES (?1, ?2, 'admin') ON CONFLICT (computer_ref, group_ref) "
	    "DO UPDATE SET origin = 'admin'" },

	/* --- account.c -------------------------------------------------- */
	[STMT_ACCOUNT_GET] = { "account_get",
	    "SELECT id, name, role, iterations, salt, verifier, created, "
	    "changed FROM accounts WHERE name = ?1" },
	[STMT_ACCOUNT_INSERT] = { "account_insert",
	    "INSERT INTO accounts (name, role, iterations, salt, verifier, "
	    "created, changed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)" },
	[STMT_ACCOUNT_SET_PASSWORD] = { "account_set_password",
	    "UPDATE accounts SET iterations = ?2, salt = ?3, verifier = ?4, "
	    "changed = ?5 WHERE name = ?1" },
	[STMT_ACCOUNT_SET_ROLE] = { "account_set_role",
	    "UPDATE accounts SET role = ?2, changed = ?3 WHERE name = ?1" },
	[STMT_ACCOUNT_DELETE] = { "account_delete",
	    "DELETE FROM accounts WHERE name = ?1" },
	[STMT_ACCOUNT_EACH] = { "account_each",
	    "SELECT id, name, role, iterations, salt, verifier, created, "
	    "changed FROM accounts ORDER BY name" },

	/* --- expire.c ----------------------------------------------------- */
	/*
	 * An expired revision stops being the latest: the scan engine, the
	 * update list and approvals (which name latest revisions) drop it;
	 * a later revision of the same update becomes the latest again.
	 */
	[STMT_REVISION_EXPIRE] = { "revision_expire",
	    "UPDATE revisions SET state = 'expired', is_latest = 0, "
	    "changed = ?2 WHERE revision_id = ?1 AND is_latest = 1" },
	/* Highest revision number of an update, expired ones included. */
	[STMT_REVISION_NUMBER_MAX] = { "revision_number_max",
	    "SELECT max(r.revision_number) FROM revisions r "
	    "JOIN updates u ON u.id = r.update_ref WHERE u.update_id = ?1" },
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

int
stmt_bind_failed(struct store *st, sqlite3_stmt *s, const char *caller)
{
	log_warnx("%s: %s: bind %s: %s", caller, st->path, stmt_name(st, s),
	    sqlite3_errmsg(st->db));
	stmt_release(s);
	return -1;
}

sqlite3_stmt *
stmt_get_text(struct store *st, enum stmt_id id, const char *text,
    const char *caller)
{
	sqlite3_stmt *s = stmt_get(st, id);

	if (sqlite3_bind_text(s, 1, text, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
		stmt_bind_failed(st, s, caller);
		return NULL;
	}
	return s;
}

int
stmt_run(struct store *st, sqlite3_stmt *s, int64_t *v, const char *caller)
{
	int rc = store_step(st, s, caller);

	if (rc == 1 && v != NULL)
		*v = sqlite3_column_int64(s, 0);
	stmt_release(s);
	return rc;
}

int
stmt_run_text(struct store *st, enum stmt_id id, const char *text,
    int64_t *v, const char *caller)
{
	sqlite3_stmt *s = stmt_get_text(st, id, text, caller);

	return s != NULL ? stmt_run(st, s, v, caller) : -1;
}

int
stmt_run_ints(struct store *st, enum stmt_id id, const int64_t *args,
    int n, int64_t *v, const char *caller)
{
	sqlite3_stmt *s = stmt_get(st, id);

	for (int i = 0; i < n; i++)
		if (sqlite3_bind_int64(s, i + 1, args[i]) != SQLITE_OK)
			return stmt_bind_failed(st, s, caller);
	return stmt_run(st, s, v, caller);
}

int
stmt_text(sqlite3_stmt *s, int col, char *out, size_t len)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	int n = sqlite3_column_bytes(s, col);

	if (len == 0)
		return -1;
	if (t == NULL || n < 0) {
		out[0] = '\0';
		return -1;
	}
	if ((size_t)n >= len) {
		memcpy(out, t, len - 1);
		out[len - 1] = '\0';
		return -1;
	}
	memcpy(out, t, (size_t)n);
	out[n] = '\0';
	return 0;
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

/* --- stepping and transactions (the one BUSY/LOCKED retry) ------------- */

int
store_step(struct store *st, sqlite3_stmt *s, const char *caller)
{
	struct timespec ts;
	int rc, primary, tries = 0;

	for (;;) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			return 1;
		if (rc == SQLITE_DONE)
			return 0;
		/*
		 * The busy handler has already waited STORE_BUSY_TIMEOUT_MS
		 * where it applies; this covers the cases it does not
		 * (LOCKED, BUSY_RECOVERY, BUSY_SNAPSHOT outside BEGIN
		 * IMMEDIATE).  Retrying inside our own transaction could
		 * deadlock against the lock holder, so only at top level.
		 */
		primary = rc & 0xff;   /* extended code -> primary code */
		if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) ||
		    tries >= STORE_BUSY_RETRIES ||
		    (st->in_tx && s != st->stmts[STMT_BEGIN]))
			break;
		tries++;
		sqlite3_reset(s);
		ts.tv_sec = 0;
		ts.tv_nsec = (long)tries * STORE_BUSY_SLEEP_MS * 1000000L;
		nanosleep(&ts, NULL);
	}
	log_warnx("%s: %s: %s: %s", caller, st->path, stmt_name(st, s),
	    sqlite3_errmsg(st->db));
	sqlite3_reset(s);
	return -1;
}

/* store_begin - BEGIN IMMEDIATE, waiting for the write lock; 0 or -1. */
int
store_begin(struct store *st, const char *caller)
{
	sqlite3_stmt *s;
	int rc;

	if (st->in_tx) {
		log_warnx("%s: %s: transaction already open", caller,
		    st->path);
		return -1;
	}
	s = stmt_get(st, STMT_BEGIN);
	st->in_tx = 1;   /* so store_step retries only the BEGIN itself */
	rc = store_step(st, s, caller);
	stmt_release(s);
	if (rc == -1) {
		st->in_tx = 0;
		return -1;
	}
	return 0;
}

/* store_commit - COMMIT; on failure rolls back and returns -1. */
int
store_commit(struct store *st, const char *caller)
{
	sqlite3_stmt *s;
	int rc;

	if (!st->in_tx) {
		log_warnx("%s: %s: commit without a transaction", caller,
		    st->path);
		return -1;
	}
	s = stmt_get(st, STMT_COMMIT);
	rc = store_step(st, s, caller);
	stmt_release(s);
	if (rc == -1) {
		/* A failed COMMIT may leave the transaction open: end it. */
		store_rollback(st, caller);
		return -1;
	}
	st->in_tx = 0;
	/*
	 * The change and its audit row are durable now: say where the chain
	 * ends, so that a log kept elsewhere can show a cut-off tail later
	 * (wsusutil audit verify --head).  Logged here, not in audit.c, so
	 * no caller can commit a change and forget the line.
	 */
	if (st->audit_pending) {
		st->audit_pending = 0;
		log_info("Audit head %lld %s", (long long)st->audit_seq,
		    st->audit_hash);
	}
	return 0;
}

/* store_rollback - end the open transaction, if any, discarding it. */
void
store_rollback(struct store *st, const char *caller)
{
	sqlite3_stmt *s;

	if (!st->in_tx)
		return;
	st->in_tx = 0;
	st->audit_pending = 0;   /* the row went with the change */
	/* SQLite may have rolled back already (e.g. after SQLITE_FULL). */
	if (sqlite3_get_autocommit(st->db))
		return;
	s = stmt_get(st, STMT_ROLLBACK);
	(void)store_step(st, s, caller);
	stmt_release(s);
}

int
store_end(struct store *st, int rc, const char *caller)
{
	if (rc != 0)
		store_rollback(st, caller);
	return rc;
}
