/*
 * schema.c - the ordered migrations of wsusd.db.
 *
 * Owns: every CREATE/ALTER statement, as an array whose n-th entry takes
 * the schema from version n-1 to n and ends by setting PRAGMA
 * user_version = n.  db.c runs each entry in its own BEGIN IMMEDIATE
 * transaction at open.  Never edit a migration that has shipped: append
 * a new one.  Holds no runtime SQL (that is stmt.c) and no logic.
 *
 * Conventions of the schema:
 *  - every table is STRICT (SQLite >= 3.37): a wrong type is an error,
 *    not a silent conversion;
 *  - GUIDs are canonical lowercase text (36 chars, no braces), checked
 *    by a GLOB so that a caller that forgot guid_canon fails loudly;
 *  - times are INTEGER UTC seconds since the epoch;
 *  - booleans are INTEGER 0/1 with a CHECK;
 *  - relationships that name *another* update (prerequisites, bundle
 *    members, categories, supersedence) store that update's GUID, not a
 *    foreign key: the referenced update may not be imported (yet), which
 *    WSUS treats as "prerequisite not met", not as corruption;
 *  - ids a client caches (revision ids, deployment ids) are AUTOINCREMENT
 *    so that a deleted row's id is never handed out again.
 */
#include <stddef.h>

#include "store_int.h"

/* A canonical GUID: 8-4-4-4-12 lowercase hex digits. */
#define SQL_HEX4  "[0-9a-f][0-9a-f][0-9a-f][0-9a-f]"
#define SQL_GUID_GLOB \
	SQL_HEX4 SQL_HEX4 "-" SQL_HEX4 "-" SQL_HEX4 "-" SQL_HEX4 "-" \
	SQL_HEX4 SQL_HEX4 SQL_HEX4
#define SQL_IS_GUID(col)  "(" col " GLOB '" SQL_GUID_GLOB "')"
#define SQL_IS_BOOL(col)  "(" col " IN (0, 1))"
#define SQL_NOW           "CAST(strftime('%s', 'now') AS INTEGER)"

/*
 * Version 1: every table the product needs, and the built-in groups.
 */
static const char schema_v1[] =
    "PRAGMA application_id = 1465079108;\n"   /* STORE_APPLICATION_ID */

    /*
     * Server identity: one row, made by advert_identity_init on first
     * open and never changed (a new id makes every client cookie
     * ServerChanged).
     */
    "CREATE TABLE server_identity (\n"
    " id INTEGER PRIMARY KEY CHECK (id = 1),\n"
    " server_id TEXT NOT NULL CHECK " SQL_IS_GUID("server_id") ",\n"
    " created INTEGER NOT NULL\n"
    ") STRICT;\n"

    /*
     * What GetConfig/the content URLs advertise; written by
     * `wsusutil configuressl` from another process, polled by the
     * daemon through generation.
     */
    "CREATE TABLE advert (\n"
    " id INTEGER PRIMARY KEY CHECK (id = 1),\n"
    " fqdn TEXT NOT NULL CHECK (length(CAST(fqdn AS BLOB)) < 256),\n"
    " using_ssl INTEGER NOT NULL CHECK " SQL_IS_BOOL("using_ssl") ",\n"
    " http_port INTEGER NOT NULL CHECK (http_port BETWEEN 1 AND 65535),\n"
    " https_port INTEGER NOT NULL CHECK (https_port BETWEEN 1 AND 65535),\n"
    " generation INTEGER NOT NULL CHECK (generation >= 1),\n"
    " changed_at INTEGER NOT NULL\n"
    ") STRICT;\n"

    /*
     * Cookie MAC keys: metadata only.  The secrets live in a 0600 file
     * of the data dir, never in this group-readable database.
     */
    "CREATE TABLE cookie_keys (\n"
    " key_id INTEGER PRIMARY KEY,\n"
    " created INTEGER NOT NULL,\n"
    " not_after INTEGER NOT NULL,\n"
    " retired INTEGER NOT NULL DEFAULT 0 CHECK " SQL_IS_BOOL("retired") "\n"
    ") STRICT;\n"

    /*
     * Updates: one row per update GUID whatever its revisions.  IsLeaf
     * is derived (view update_leaf), not stored.
     */
    "CREATE TABLE updates (\n"
    " id INTEGER PRIMARY KEY,\n"
    " update_id TEXT NOT NULL UNIQUE CHECK " SQL_IS_GUID("update_id") ",\n"
    " kind TEXT NOT NULL CHECK (kind IN"
    " ('category', 'detectoid', 'software', 'driver')),\n"
    " category_type TEXT CHECK (category_type IS NULL OR (kind = 'category'"
    " AND category_type IN ('company', 'product_family', 'product',"
    " 'update_classification'))),\n"
    " created INTEGER NOT NULL\n"
    ") STRICT;\n"

    /*
     * Revisions: revision_id is the server-local int ID clients see in
     * UpdateInfo/ID and send back in InstalledNonLeafUpdateIDs.  At most
     * one latest revision per update (partial unique index).
     * changed feeds Deployment/LastChangeTime when no approval applies.
     */
    "CREATE TABLE revisions (\n"
    " revision_id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    " update_ref INTEGER NOT NULL REFERENCES updates (id)"
    " ON DELETE CASCADE,\n"
    " revision_number INTEGER NOT NULL CHECK (revision_number >= 0),\n"
    " is_latest INTEGER NOT NULL DEFAULT 0 CHECK " SQL_IS_BOOL("is_latest")
    ",\n"
    " state TEXT NOT NULL DEFAULT 'published'"
    " CHECK (state IN ('published', 'expired')),\n"
    " declined INTEGER NOT NULL DEFAULT 0 CHECK " SQL_IS_BOOL("declined")
    ",\n"
    " title TEXT NOT NULL DEFAULT '',\n"
    " created INTEGER NOT NULL,\n"
    " changed INTEGER NOT NULL,\n"
    " UNIQUE (update_ref, revision_number)\n"
    ") STRICT;\n"
    "CREATE UNIQUE INDEX revisions_latest ON revisions (update_ref)"
    " WHERE is_latest = 1;\n"

    /*
     * XML fragments as served: Core, Extended, and one LocalizedProperties
     * per language (lowercase tag, '' for core/extended), each a zlib
     * stream with its uncompressed size (bounded before inflating).
     */
    "CREATE TABLE fragments (\n"
    " id INTEGER PRIMARY KEY,\n"
    " revision_id INTEGER NOT NULL REFERENCES revisions (revision_id)"
    " ON DELETE CASCADE,\n"
    " kind TEXT NOT NULL CHECK (kind IN ('core', 'extended', 'localized')),\n"
    " language TEXT NOT NULL DEFAULT '' CHECK ((kind = 'localized') ="
    " (language <> '') AND length(language) <= 35"
    " AND language = lower(language)),\n"
    " zdata BLOB NOT NULL,\n"
    " size INTEGER NOT NULL CHECK (size >= 0),\n"
    " UNIQUE (revision_id, kind, language)\n"
    ") STRICT;\n"

    /*
     * Payload files, named by SHA-1 (the content URL and FileDigest);
     * SHA-256 is the AdditionalDigest, absent for some old files.
     * present: the bytes are stored and verified under the content dir.
     */
    "CREATE TABLE files (\n"
    " file_id INTEGER PRIMARY KEY,\n"
    " sha1 BLOB NOT NULL UNIQUE CHECK (length(sha1) = 20),\n"
    " sha256 BLOB CHECK (sha256 IS NULL OR length(sha256) = 32),\n"
    " name TEXT NOT NULL,\n"
    " size INTEGER NOT NULL CHECK (size >= 0),\n"
    " modified INTEGER NOT NULL,\n"
    " patching_type TEXT,\n"
    " origin_url TEXT,\n"
    " present INTEGER NOT NULL DEFAULT 0 CHECK " SQL_IS_BOOL("present") "\n"
    ") STRICT;\n"
    "CREATE INDEX files_sha256 ON files (sha256) WHERE sha256 IS NOT NULL;\n"

    "CREATE TABLE revision_files (\n"
    " revision_id INTEGER NOT NULL REFERENCES revisions (revision_id)"
    " ON DELETE CASCADE,\n"
    " file_id INTEGER NOT NULL REFERENCES files (file_id)"
    " ON DELETE RESTRICT,\n"
    " PRIMARY KEY (revision_id, file_id)\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE INDEX revision_files_file ON revision_files (file_id);\n"

    /*
     * Prerequisites exactly as the Core fragment's Relationships state
     * them: grp 0 = each row required on its own; grp n > 0 = the n-th
     * AtLeastOne group, any one member suffices (is_category for
     * AtLeastOne IsCategory="true").  An update named here is not a
     * leaf.
     */
    "CREATE TABLE prerequisites (\n"
    " revision_id INTEGER NOT NULL REFERENCES revisions (revision_id)"
    " ON DELETE CASCADE,\n"
    " grp INTEGER NOT NULL CHECK (grp >= 0),\n"
    " required_update TEXT NOT NULL CHECK " SQL_IS_GUID("required_update")
    ",\n"
    " is_category INTEGER NOT NULL DEFAULT 0 CHECK "
    SQL_IS_BOOL("is_category") ",\n"
    " PRIMARY KEY (revision_id, grp, required_update)\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE INDEX prerequisites_required ON prerequisites"
    " (required_update);\n"

    /*
     * Category membership (product, classification, company) for
     * approvals, StartCategoryScan and listings.
     */
    "CREATE TABLE revision_categories (\n"
    " revision_id INTEGER NOT NULL REFERENCES revisions (revision_id)"
    " ON DELETE CASCADE,\n"
    " category_update TEXT NOT NULL CHECK " SQL_IS_GUID("category_update")
    ",\n"
    " PRIMARY KEY (revision_id, category_update)\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE INDEX revision_categories_category ON revision_categories"
    " (category_update);\n"

    /* Bundles: a bundle revision names member updates at a revision. */
    "CREATE TABLE bundles (\n"
    " revision_id INTEGER NOT NULL REFERENCES revisions (revision_id)"
    " ON DELETE CASCADE,\n"
    " member_update TEXT NOT NULL CHECK " SQL_IS_GUID("member_update") ",\n"
    " member_revision INTEGER NOT NULL CHECK (member_revision >= 0),\n"
    " PRIMARY KEY (revision_id, member_update)\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE INDEX bundles_member ON bundles (member_update);\n"

    /* Supersedence: this revision supersedes that update. */
    "CREATE TABLE supersedence (\n"
    " revision_id INTEGER NOT NULL REFERENCES revisions (revision_id)"
    " ON DELETE CASCADE,\n"
    " superseded_update TEXT NOT NULL CHECK "
    SQL_IS_GUID("superseded_update") ",\n"
    " PRIMARY KEY (revision_id, superseded_update)\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE INDEX supersedence_superseded ON supersedence"
    " (superseded_update);\n"

    /*
     * Target groups: a tree rooted at All Computers (the only row
     * without a parent).  Names are unique case-insensitively because
     * client-side targeting names groups.  Built-ins cannot be deleted.
     */
    "CREATE TABLE target_groups (\n"
    " id INTEGER PRIMARY KEY,\n"
    " group_id TEXT NOT NULL UNIQUE CHECK " SQL_IS_GUID("group_id") ",\n"
    " name TEXT NOT NULL COLLATE NOCASE UNIQUE"
    " CHECK (length(CAST(name AS BLOB)) BETWEEN 1 AND 255),\n"
    " parent INTEGER REFERENCES target_groups (id) ON DELETE RESTRICT,\n"
    " builtin INTEGER NOT NULL DEFAULT 0 CHECK " SQL_IS_BOOL("builtin")
    ",\n"
    " created INTEGER NOT NULL,\n"
    " CHECK ((parent IS NULL) = (group_id = '" STORE_GROUP_ALL_COMPUTERS
    "'))\n"
    ") STRICT;\n"
    "CREATE INDEX target_groups_parent ON target_groups (parent);\n"
    "CREATE TRIGGER target_groups_keep_builtin BEFORE DELETE"
    " ON target_groups WHEN old.builtin = 1\n"
    " BEGIN SELECT RAISE(ABORT, 'built-in target group'); END;\n"
    "INSERT INTO target_groups (id, group_id, name, parent, builtin,"
    " created) VALUES\n"
    " (1, '" STORE_GROUP_ALL_COMPUTERS "', 'All Computers', NULL, 1, "
    SQL_NOW "),\n"
    " (2, '" STORE_GROUP_UNASSIGNED "', 'Unassigned Computers', 1, 1, "
    SQL_NOW "),\n"
    " (3, '" STORE_GROUP_DOWNSTREAM "', 'Downstream Servers', 1, 1, "
    SQL_NOW ");\n"

    /*
     * Computers, keyed by the client id of the authorization cookie;
     * the rest is RegisterComputer's ComputerInfo and our bookkeeping.
     * requested_groups: client-side targeting names, ';'-separated.
     */
    "CREATE TABLE computers (\n"
    " id INTEGER PRIMARY KEY,\n"
    " computer_id TEXT NOT NULL UNIQUE"
    " CHECK (length(CAST(computer_id AS BLOB)) BETWEEN 1 AND 256),\n"
    " dns_name TEXT NOT NULL DEFAULT '',\n"
    " ip_address TEXT NOT NULL DEFAULT '',\n"
    " os_major INTEGER NOT NULL DEFAULT 0,\n"
    " os_minor INTEGER NOT NULL DEFAULT 0,\n"
    " os_build INTEGER NOT NULL DEFAULT 0,\n"
    " os_sp_major INTEGER NOT NULL DEFAULT 0,\n"
    " os_sp_minor INTEGER NOT NULL DEFAULT 0,\n"
    " os_locale TEXT NOT NULL DEFAULT '',\n"
    " os_description TEXT NOT NULL DEFAULT '',\n"
    " manufacturer TEXT NOT NULL DEFAULT '',\n"
    " model TEXT NOT NULL DEFAULT '',\n"
    " bios_name TEXT NOT NULL DEFAULT '',\n"
    " bios_version TEXT NOT NULL DEFAULT '',\n"
    " bios_release_date INTEGER,\n"
    " processor_arch TEXT NOT NULL DEFAULT '',\n"
    " suite_mask INTEGER NOT NULL DEFAULT 0,\n"
    " old_product_type INTEGER NOT NULL DEFAULT 0,\n"
    " new_product_type INTEGER NOT NULL DEFAULT 0,\n"
    " system_metrics INTEGER NOT NULL DEFAULT 0,\n"
    " client_version TEXT NOT NULL DEFAULT '',\n"
    " device_type TEXT NOT NULL DEFAULT '',\n"
    " oem TEXT NOT NULL DEFAULT '',\n"
    " firmware_version TEXT NOT NULL DEFAULT '',\n"
    " mobile_operator TEXT NOT NULL DEFAULT '',\n"
    " requested_groups TEXT NOT NULL DEFAULT '',\n"
    " registered INTEGER NOT NULL,\n"
    " last_sync INTEGER,\n"
    " last_report INTEGER,\n"
    " last_seen INTEGER NOT NULL\n"
    ") STRICT;\n"
    "CREATE INDEX computers_dns_name ON computers (dns_name);\n"

    /* Group membership; a computer in no group is Unassigned. */
    "CREATE TABLE computer_groups (\n"
    " computer_ref INTEGER NOT NULL REFERENCES computers (id)"
    " ON DELETE CASCADE,\n"
    " group_ref INTEGER NOT NULL REFERENCES target_groups (id)"
    " ON DELETE CASCADE,\n"
    " PRIMARY KEY (computer_ref, group_ref)\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE INDEX computer_groups_group ON computer_groups (group_ref);\n"

    /*
     * Approvals (WSUS deployments) of a revision for a group; the
     * deployment_id is Deployment/ID on the wire and changes whenever an
     * approval is replaced (delete + insert), so clients notice.
     * 'not_approved' is an explicit row that overrides a parent group.
     * The remaining columns are the Deployment element's fields.
     */
    "CREATE TABLE deployments (\n"
    " deployment_id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    " revision_id INTEGER NOT NULL REFERENCES revisions (revision_id)"
    " ON DELETE CASCADE,\n"
    " group_ref INTEGER NOT NULL REFERENCES target_groups (id)"
    " ON DELETE CASCADE,\n"
    " action TEXT NOT NULL"
    " CHECK (action IN ('install', 'uninstall', 'not_approved')),\n"
    " deadline INTEGER,\n"
    " is_assigned INTEGER NOT NULL DEFAULT 1 CHECK "
    SQL_IS_BOOL("is_assigned") ",\n"
    " download_priority INTEGER NOT NULL DEFAULT 1"
    " CHECK (download_priority BETWEEN 0 AND 2),\n"
    " auto_select INTEGER NOT NULL DEFAULT 0,\n"
    " auto_download INTEGER NOT NULL DEFAULT 0,\n"
    " supersedence_behavior INTEGER NOT NULL DEFAULT 0,\n"
    " admin TEXT NOT NULL,\n"
    " created INTEGER NOT NULL,\n"
    " last_change INTEGER NOT NULL,\n"
    " UNIQUE (revision_id, group_ref)\n"
    ") STRICT;\n"
    "CREATE INDEX deployments_group ON deployments (group_ref);\n"

    /*
     * ReportEventBatch events, one row per ReportingEvent; a batch sent
     * twice is deduplicated by (computer, EventInstanceID).
     * message: ReplacementStrings joined by '\n'.
     */
    "CREATE TABLE events (\n"
    " id INTEGER PRIMARY KEY,\n"
    " computer_ref INTEGER NOT NULL REFERENCES computers (id)"
    " ON DELETE CASCADE,\n"
    " event_instance_id TEXT NOT NULL CHECK "
    SQL_IS_GUID("event_instance_id") ",\n"
    " sequence_number INTEGER NOT NULL,\n"
    " time_at_target INTEGER NOT NULL,\n"
    " received INTEGER NOT NULL,\n"
    " namespace_id INTEGER NOT NULL,\n"
    " event_id INTEGER NOT NULL,\n"
    " source_id INTEGER NOT NULL,\n"
    " update_id TEXT CHECK (update_id IS NULL OR "
    SQL_IS_GUID("update_id") "),\n"
    " revision_number INTEGER,\n"
    " win32_hresult INTEGER NOT NULL DEFAULT 0,\n"
    " app_name TEXT NOT NULL DEFAULT '',\n"
    " message TEXT NOT NULL DEFAULT '',\n"
    " UNIQUE (computer_ref, event_instance_id)\n"
    ") STRICT;\n"
    "CREATE INDEX events_update ON events (update_id)"
    " WHERE update_id IS NOT NULL;\n"
    "CREATE INDEX events_received ON events (received);\n"

    /*
     * Per-computer, per-update state derived from events (156 status
     * lists, 18x install results); last_event_id is the event that set it.
     */
    "CREATE TABLE update_status (\n"
    " computer_ref INTEGER NOT NULL REFERENCES computers (id)"
    " ON DELETE CASCADE,\n"
    " update_id TEXT NOT NULL CHECK " SQL_IS_GUID("update_id") ",\n"
    " revision_number INTEGER,\n"
    " state TEXT NOT NULL CHECK (state IN ('unknown', 'not_applicable',"
    " 'not_installed', 'downloaded', 'installed',"
    " 'installed_pending_reboot', 'failed')),\n"
    " hresult INTEGER NOT NULL DEFAULT 0,\n"
    " last_event_id INTEGER,\n"
    " changed INTEGER NOT NULL,\n"
    " PRIMARY KEY (computer_ref, update_id)\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE INDEX update_status_update ON update_status (update_id, state);\n"

    /*
     * IsLeaf, derived: an update is not a leaf while the latest revision
     * of some update names it as a prerequisite (categories included).
     */
    "CREATE VIEW update_leaf AS SELECT u.id AS update_ref, u.update_id,\n"
    " NOT EXISTS (SELECT 1 FROM prerequisites p JOIN revisions r\n"
    "  ON r.revision_id = p.revision_id AND r.is_latest = 1\n"
    "  WHERE p.required_update = u.update_id) AS is_leaf\n"
    " FROM updates u;\n"

    "PRAGMA user_version = 1;\n";

/*
 * Version 2: what the catalogue, targeting and reporting API needs.
 */
static const char schema_v2[] =
    /*
     * The catalogue generation: bumped in the same transaction as every
     * import, approval, decline, group or membership change, and polled
     * by the daemon (as advert.generation is) to know when cached scan
     * answers and cookies' catalogue stamps are stale.  Starts at 1.
     */
    "CREATE TABLE catalog_state (\n"
    " id INTEGER PRIMARY KEY CHECK (id = 1),\n"
    " generation INTEGER NOT NULL CHECK (generation >= 1),\n"
    " changed_at INTEGER NOT NULL\n"
    ") STRICT;\n"
    "INSERT INTO catalog_state (id, generation, changed_at) VALUES (1, 1, "
    SQL_NOW ");\n"

    /*
     * A file's Modified attribute exactly as the Extended fragment gives
     * it, so that it reads back byte for byte; files.modified stays the
     * parsed UTC seconds (0 when the text did not parse).
     */
    "ALTER TABLE files ADD COLUMN modified_text TEXT NOT NULL DEFAULT ''"
    " CHECK (length(CAST(modified_text AS BLOB)) < 32);\n"

    /*
     * IsLeaf as the scan engine needs it: only software and drivers can
     * be leaves, and not while the latest revision of some update names
     * them as a prerequisite or as a bundle member.
     */
    "DROP VIEW update_leaf;\n"
    "CREATE VIEW update_leaf AS SELECT u.id AS update_ref, u.update_id,\n"
    " (u.kind IN ('software', 'driver')\n"
    "  AND NOT EXISTS (SELECT 1 FROM prerequisites p JOIN revisions r\n"
    "   ON r.revision_id = p.revision_id AND r.is_latest = 1\n"
    "   WHERE p.required_update = u.update_id)\n"
    "  AND NOT EXISTS (SELECT 1 FROM bundles b JOIN revisions r\n"
    "   ON r.revision_id = b.revision_id AND r.is_latest = 1\n"
    "   WHERE b.member_update = u.update_id)) AS is_leaf\n"
    " FROM updates u;\n"

    /* `wsusutil assign` names computers by DNS name, any case. */
    "DROP INDEX computers_dns_name;\n"
    "CREATE INDEX computers_dns_name ON computers (dns_name COLLATE NOCASE);\n"

    "PRAGMA user_version = 2;\n";

/*
 * Version 3: targeting mode, who made each membership, event retention,
 * registrations per client address.
 */
static const char schema_v3[] =
    /*
     * Settings the daemon seeds from wsusd.conf at start-up and an admin
     * API may change at run time.  targeting: 'server' (memberships are
     * the administrator's; targetGroupName is ignored) or 'client'
     * (WSUS's "Use Group Policy or registry settings on computers").
     * targeting_source 'admin' means the value was set through the admin
     * API, and wsusd.conf's value no longer replaces it.  Event retention
     * in days, for workstations and for servers.
     */
    "CREATE TABLE server_settings (\n"
    " id INTEGER PRIMARY KEY CHECK (id = 1),\n"
    " targeting TEXT NOT NULL CHECK (targeting IN ('server', 'client')),\n"
    " targeting_source TEXT NOT NULL"
    " CHECK (targeting_source IN ('config', 'admin')),\n"
    " event_days_workstation INTEGER NOT NULL"
    " CHECK (event_days_workstation BETWEEN 1 AND 36500),\n"
    " event_days_server INTEGER NOT NULL"
    " CHECK (event_days_server BETWEEN 1 AND 36500),\n"
    " changed_at INTEGER NOT NULL\n"
    ") STRICT;\n"
    "INSERT INTO server_settings (id, targeting, targeting_source,"
    " event_days_workstation, event_days_server, changed_at)"
    " VALUES (1, 'server', 'config', 15, 90, " SQL_NOW ");\n"

    /*
     * Who made a membership: 'admin' (wsusutil assign, the admin API) or
     * 'client' (client-side targeting).  A client request never replaces
     * an admin row.  Memberships made before this version are taken as
     * the administrator's: a client cannot undo them.
     */
    "ALTER TABLE computer_groups ADD COLUMN origin TEXT NOT NULL"
    " DEFAULT 'admin' CHECK (origin IN ('admin', 'client'));\n"

    /*
     * The client address a computer was first registered from (IPv6 by
     * /64), for the cap on new computers per address and hour.
     */
    "ALTER TABLE computers ADD COLUMN registered_from TEXT NOT NULL"
    " DEFAULT '' CHECK (length(CAST(registered_from AS BLOB)) <= 64);\n"
    "CREATE INDEX computers_registered_from ON computers"
    " (registered_from, registered);\n"

    /* Retention and the per-computer cap walk a computer's events by age. */
    "CREATE INDEX events_computer_received ON events (computer_ref, received);\n"

    /*
     * Statuses an event dated in the future pinned before TimeAtTarget
     * was clamped: from now on they are as old as this migration.
     */
    "UPDATE update_status SET changed = " SQL_NOW
    " WHERE changed > " SQL_NOW ";\n"
    "UPDATE events SET time_at_target = received"
    " WHERE time_at_target > received;\n"

    "PRAGMA user_version = 3;\n";

/*
 * Version 4: the audit log and the administrator accounts.
 */
static const char schema_v4[] =
    /*
     * One row per administrative change, written by audit_write in the
     * change's own transaction.  hash = SHA-256 over prev_hash and the
     * row's canonical fields (audit.c), so editing, deleting or
     * reordering rows breaks the chain; the head hash the daemon logs
     * after each change shows a cut-off tail.  The triggers keep honest
     * code from changing rows; they stop no one who holds the file,
     * which is what the chain is for.  before/after: compact JSON or "".
     */
    "CREATE TABLE audit (\n"
    " seq INTEGER PRIMARY KEY CHECK (seq >= 1),\n"
    " time INTEGER NOT NULL,\n"
    " program TEXT NOT NULL CHECK (length(CAST(program AS BLOB))"
    " BETWEEN 1 AND 32),\n"
    " account TEXT NOT NULL CHECK (length(CAST(account AS BLOB))"
    " BETWEEN 1 AND 256),\n"
    " address TEXT NOT NULL CHECK (length(CAST(address AS BLOB))"
    " BETWEEN 1 AND 64),\n"
    " action TEXT NOT NULL CHECK (length(CAST(action AS BLOB))"
    " BETWEEN 1 AND 255),\n"
    " object TEXT NOT NULL CHECK (length(CAST(object AS BLOB))"
    " BETWEEN 1 AND 255),\n"
    " before TEXT NOT NULL,\n"
    " after TEXT NOT NULL,\n"
    " prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),\n"
    " hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)\n"
    ") STRICT;\n"
    "CREATE INDEX audit_time ON audit (time);\n"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit\n"
    " BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;\n"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit\n"
    " BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;\n"

    /*
     * Accounts of the admin API.  Names are unique case-insensitively
     * (Windows account names are).  A name with '@' is a Kerberos
     * principal: a role, no password (iterations, salt, verifier NULL).
     * Otherwise a PBKDF2-HMAC-SHA256 verifier of the password.  The NT
     * hash NTLM needs is password-equivalent and lives only in the 0600
     * ntlm-users file, never in this group-readable database.
     */
    "CREATE TABLE accounts (\n"
    " id INTEGER PRIMARY KEY,\n"
    " name TEXT NOT NULL COLLATE NOCASE UNIQUE"
    " CHECK (length(CAST(name AS BLOB)) BETWEEN 1 AND 255),\n"
    " role TEXT NOT NULL CHECK (role IN ('administrator', 'reporter')),\n"
    " iterations INTEGER CHECK (iterations IS NULL OR iterations >= 1000),\n"
    " salt BLOB CHECK (salt IS NULL OR length(salt) >= 16),\n"
    " verifier BLOB CHECK (verifier IS NULL OR length(verifier) = 32),\n"
    " created INTEGER NOT NULL,\n"
    " changed INTEGER NOT NULL,\n"
    " CHECK ((iterations IS NULL) = (verifier IS NULL)"
    " AND (salt IS NULL) = (verifier IS NULL))\n"
    ") STRICT;\n"

    "PRAGMA user_version = 4;\n";

/* migrations[n - 1] takes the schema to version n. */
static const char *const schema_migrations[] = {
	schema_v1,
	schema_v2,
	schema_v3,
	schema_v4,
};

int
schema_latest(void)
{
	return (int)(sizeof(schema_migrations) / sizeof(schema_migrations[0]));
}

const char *
schema_sql(int version)
{
	if (version < 1 || version > schema_latest())
		return NULL;
	return schema_migrations[version - 1];
}
