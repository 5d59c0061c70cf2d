/*
 * store.h - the metadata store: domain functions over SQLite.
 *
 * Owns: data_dir/wsusd.db (WAL), its versioned schema and migrations, and
 * every SQL statement (a fixed table of named statements in stmt.c).
 * Callers never see sqlite3 types or SQL.  One struct store per thread:
 * handles are not shared between threads.  Every write that changes more
 * than one row runs in one transaction.
 */
#ifndef WSUSD_STORE_H
#define WSUSD_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "limits_common.h"   /* LIMIT_PASSWORD_BYTES, LIMIT_ACCOUNT_NAME_BYTES */

struct store;

/*
 * Who makes a change.  Every changing store function takes one and writes
 * an audit row naming it in the same transaction as the change (audit.c);
 * a NULL actor, or one with an empty or over-long field, is refused (-1)
 * before anything is written.  The strings are the caller's and are copied.
 */
struct store_actor {
	const char *program;   /* "wsusutil", "wsusd", "ApiRemoting30" */
	const char *account;   /* account name, or "local" */
	const char *address;   /* peer address, or "local" */
};
#define STORE_ACTOR_PROGRAM_MAX  32   /* bytes of program, excluding NUL */
#define STORE_ACTOR_ACCOUNT_MAX 256   /* bytes of account */
#define STORE_ACTOR_ADDRESS_MAX  64   /* bytes of address */

#define STORE_GUID_LEN  36            /* canonical lowercase, no braces */
#define STORE_FQDN_MAX  256
#define STORE_URL_MAX   320           /* an advertised URL, bytes incl. NUL */
#define STORE_GROUP_NAME_MAX 256      /* bytes incl. NUL */

/* The WSUS built-in target groups, created by the first migration. */
#define STORE_GROUP_ALL_COMPUTERS "a0a08746-4dbe-4a37-9adf-9e7652c0b421"
#define STORE_GROUP_UNASSIGNED    "b73ca6ed-5727-47f3-84de-015e03f6a88a"
#define STORE_GROUP_DOWNSTREAM    "d374f42a-9be2-4163-a0fa-3c86a401b7a7"

/* What the server advertises to clients; changed by `wsusutil configuressl`. */
struct store_advert {
	char     fqdn[STORE_FQDN_MAX];
	int      using_ssl;               /* 1: SOAP URL is https */
	unsigned http_port;               /* content port */
	unsigned https_port;              /* SOAP port when using_ssl */
	int64_t  generation;              /* bumped by every change */
	time_t   changed_at;              /* UTC seconds of the last change */
};

/*
 * store_open - open (creating if needed) data_dir/wsusd.db, set PRAGMAs
 * (WAL, foreign keys, busy handling), apply pending migrations in one
 * transaction each, create the server identity once, and prepare every
 * named statement.  Returns a handle owned by the caller (store_close), or
 * NULL after logging why.
 */
struct store *store_open(const char *data_dir);
void store_close(struct store *st);   /* accepts NULL */

/* Schema version after migrations (for logs and tests). */
int store_schema_version(struct store *st);

/* How many migrations this store_open applied (0 when already current). */
int store_migrations_applied(struct store *st);

/* Path of the database file (owned by st). */
const char *store_path(struct store *st);

/* The server-id GUID made on first open (36 chars + NUL into out). */
int store_server_id(struct store *st, char out[STORE_GUID_LEN + 1]);

/*
 * store_advert_get - read the advertised configuration.  If none was ever
 * written, *a is filled from dflt and written with generation 1.
 * Returns 0 or -1.
 */
int store_advert_get(struct store *st, const struct store_advert *dflt,
    struct store_advert *a);

/*
 * store_advert_set - write fqdn/using_ssl/ports from *a, bump the
 * generation and set changed_at = now, in one transaction.  On success
 * a->generation and a->changed_at hold the new values.  Returns 0 or -1.
 */
int store_advert_set(struct store *st, struct store_advert *a,
    const struct store_actor *who);

/*
 * store_advert_url - the URL WsusUtil prints for a configuration: https
 * with the SSL port (443 when the content port is 80, MS-WUSP §2.1), else
 * http with the content port.  Writes into buf; returns 0 or -1.
 */
int store_advert_url(const char *fqdn, int using_ssl, unsigned http_port,
    unsigned https_port, char *buf, size_t len);

/*
 * store_generation - the current configuration generation (0 before the
 * advert was first written), or -1.  Cheap enough to poll once a second:
 * re-reads the row only when this or another process committed since.
 */
int64_t store_generation(struct store *st);

/* A computer target group. */
struct store_group {
	char guid[STORE_GUID_LEN + 1];
	char parent[STORE_GUID_LEN + 1];  /* "" for All Computers, the root */
	char name[STORE_GROUP_NAME_MAX];
	int  builtin;                     /* 1: WSUS built-in, never deleted */
};

/*
 * store_group_find_by_guid - look a target group up by GUID (any case,
 * braces allowed) and fill *g.  Returns 1 if found, 0 if not (also for
 * text that is not a GUID), -1 on a database error.
 */
int store_group_find_by_guid(struct store *st, const char *guid,
    struct store_group *g);

/* ======================================================================
 * Catalogue, targeting, approvals and reports (MS-WUSP client protocol).
 * ====================================================================== */

#define STORE_TITLE_MAX   512
#define STORE_NAME_MAX    256
#define STORE_LANG_MAX     16

enum store_kind { STORE_KIND_SOFTWARE, STORE_KIND_DRIVER, STORE_KIND_DETECTOID,
	STORE_KIND_CATEGORY };

/* One file of a revision (Extended fragment <File>). */
struct store_file {
	uint8_t  sha1[20];
	uint8_t  sha256[32];
	int      has_sha256;
	char     name[STORE_NAME_MAX];
	uint64_t size;
	char     modified[32];          /* as in the fragment, "2026-08-18T00:39:04Z" */
};

/* A prerequisite: grp 0 = required alone, n > 0 = n-th AtLeastOne group. */
struct store_prereq {
	char update_id[STORE_GUID_LEN + 1];
	int  grp;
	int  is_category;
};

struct store_localized {
	char        lang[STORE_LANG_MAX];
	const char *xml;                 /* LocalizedProperties fragment */
	size_t      len;
};

/* Everything import needs to write one revision. */
struct store_import {
	char                    update_id[STORE_GUID_LEN + 1];  /* canonical lowercase */
	int                     revision_number;
	enum store_kind         kind;
	char                    category_type[32];   /* "Product", "UpdateClassification", ... or "" */
	char                    title[STORE_TITLE_MAX];
	const char             *core;      size_t core_len;       /* fragments, uncompressed */
	const char             *extended;  size_t extended_len;
	const struct store_localized *loc; unsigned nloc;
	const struct store_prereq    *prereq; unsigned nprereq;
	const char            (*bundled)[STORE_GUID_LEN + 1]; unsigned nbundled;
	const char            (*superseded)[STORE_GUID_LEN + 1]; unsigned nsuperseded;
	const struct store_file      *files; unsigned nfiles;
};

/*
 * store_import_batch - write n revisions in ONE transaction (all or
 * nothing): fragments zlib-compressed, files, relationships; the new
 * revision becomes the latest of its update (an older one stops being
 * latest; re-importing the same update id + revision number is a no-op that
 * counts as skipped).  Bumps the catalogue generation.  *added and *skipped
 * (may be NULL) count revisions.  Returns 0 or -1 (nothing written).
 */
int store_import_batch(struct store *st, const struct store_import *u,
    unsigned n, unsigned *added, unsigned *skipped,
    const struct store_actor *who);

/* The catalogue generation: bumped by every import, approval, decline,
 * group or membership change.  Cheap to poll (same rule as
 * store_generation).  -1 on error. */
int64_t store_catalog_generation(struct store *st);

/* One latest, published revision as the scan engine needs it. */
struct store_rev {
	int64_t          revision_id;     /* the int clients see */
	char             update_id[STORE_GUID_LEN + 1];
	int              revision_number;
	enum store_kind  kind;
	int              declined;
	int              is_leaf;         /* not a prerequisite of anything, not a category */
	const struct store_prereq *prereq; unsigned nprereq;
	const char     (*bundled)[STORE_GUID_LEN + 1]; unsigned nbundled;
	const char      *title;
};

/*
 * store_catalog_each - call fn once per latest non-expired revision, in
 * revision_id order.  Pointers in *r live only during the call.  fn returns
 * 0 to go on, -1 to stop (store_catalog_each then returns -1).
 */
int store_catalog_each(struct store *st,
    int (*fn)(void *arg, const struct store_rev *r), void *arg);

/* An approval (a WSUS "deployment"), one per (update, group). */
enum store_action { STORE_ACTION_INSTALL, STORE_ACTION_UNINSTALL,
	STORE_ACTION_NOT_APPROVED };

struct store_deployment {
	int64_t            deployment_id;   /* Deployment/ID on the wire */
	char               update_id[STORE_GUID_LEN + 1];
	char               group_guid[STORE_GUID_LEN + 1];
	enum store_action  action;
	time_t             deadline;        /* 0 = none */
	time_t             last_change;     /* Deployment/LastChangeTime (date used) */
};

/* Calls fn for every approval (action install/uninstall). */
int store_deployment_each(struct store *st,
    int (*fn)(void *arg, const struct store_deployment *d), void *arg);

/*
 * store_approve - approve update_id (its latest revision) for group
 * (name or GUID) with action and deadline (0 none); replaces an earlier
 * approval of the same update for that group; clears "declined".
 * Returns 0, -1 (error), or -2 (no such update or group).
 */
int store_approve(struct store *st, const char *update_id, const char *group,
    enum store_action action, time_t deadline, const struct store_actor *who);
/* store_decline - mark the update declined and drop its approvals.
 * Returns 0, -1, or -2 (no such update). */
int store_decline(struct store *st, const char *update_id,
    const struct store_actor *who);
/*
 * store_expire - expire the latest revision of update_id (expire.c): its
 * state becomes "expired" and it stops being the latest revision, so the
 * scan engine no longer offers it (clients that cached it get it back in
 * OutOfScopeRevisionIDs), `wsusutil updates` no longer lists it, and its
 * approvals are dropped; the catalogue generation is bumped in the same
 * transaction.  A later revision of the update (a new publish) becomes
 * the latest again.  Returns 0, -1, or -2 (no such update, or it has no
 * current revision: never published or already expired).
 */
int store_expire(struct store *st, const char *update_id,
    const struct store_actor *who);
/* store_revision_number - the highest revision number stored for
 * update_id, expired revisions included (expire.c): >= 0, -2 when the
 * update has no revision (or update_id is not a GUID), -1 on error. */
int store_revision_number(struct store *st, const char *update_id);

/* Groups: add (parent by name or GUID, default All Computers) -> 0, -1,
 * -2 (parent missing) or -3 (name taken); the new GUID goes to guid_out. */
int store_group_add(struct store *st, const char *name, const char *parent,
    char guid_out[STORE_GUID_LEN + 1], const struct store_actor *who);
/*
 * store_group_del - delete a group (name or GUID) with its approvals and
 * memberships.  0, -1, -2 (no such group), -3 (a built-in group), -4 (it
 * has child groups: delete those first).
 */
int store_group_del(struct store *st, const char *name_or_guid,
    const struct store_actor *who);
/* Look a group up by name (case-insensitive) or GUID: 1 found, 0, -1. */
int store_group_find(struct store *st, const char *name_or_guid,
    struct store_group *g);
/* Every group, parents before children. */
int store_group_each(struct store *st,
    int (*fn)(void *arg, const struct store_group *g), void *arg);

/* A client computer as RegisterComputer / reports describe it. */
struct store_computer {
	char     computer_id[STORE_GUID_LEN + 1];   /* SusClientId */
	char     dns_name[STORE_NAME_MAX];
	char     ip[64];
	char     os_description[STORE_NAME_MAX];
	char     client_version[64];
	char     target_groups[STORE_NAME_MAX];  /* client-side targeting request ("" none) */
	int      product_type;     /* OldProductType: 1 workstation, 2 domain controller,
	                              3 server, 0 unknown (counts as a workstation) */
	time_t   last_sync, last_report, registered;
};

/* Insert or update (registration fields only overwrite when non-empty). */
int store_computer_upsert(struct store *st, const struct store_computer *c);
/* 1 found, 0 not, -1. */
int store_computer_get(struct store *st, const char *computer_id,
    struct store_computer *c);
/*
 * store_computer_admit - let a computer the store does not know yet in:
 * in one transaction, if fewer than max computers were first seen from
 * the client address key `from` (text, e.g. "192.0.2.7" or
 * "2001:db8:1:2::/64") in the window_s seconds before now, make its bare
 * row (computer_id, from, registered = now).  Returns 1 (known already:
 * nothing checked or written), 0 (admitted), -2 (over the cap: nothing
 * written), -1 (error, or computer_id is no key).
 */
int store_computer_admit(struct store *st, const char *computer_id,
    const char *from, time_t now, time_t window_s, unsigned max);
/* Record a SyncUpdates at t: 0, -1, or -2 (no such computer). */
int store_computer_touch_sync(struct store *st, const char *computer_id, time_t t);
/* Assign a computer (id or DNS name) to a group (name or GUID), as the
 * administrator: replaces every other membership, client-made ones
 * included; Unassigned Computers is recorded too, so that client-side
 * targeting cannot move the computer either.  0, -1, -2 (no computer),
 * -3 (no group). */
int store_computer_assign(struct store *st, const char *computer, const char *group,
    const struct store_actor *who);

/*
 * store_computer_group_add - the admin API's "add to group, allow
 * multiple groups": an administrator's membership of the computer (id or
 * DNS name) in group, beside its others (a client-made one becomes the
 * administrator's; an Unassigned Computers pin goes).  0, -1, -2 (no
 * computer), -3 (no group).
 */
int store_computer_group_add(struct store *st, const char *computer,
    const char *group, const struct store_actor *who);
/* store_computer_group_remove - remove one membership: 0, -1, -2, -3, -4
 * (the computer is not in that group). */
int store_computer_group_remove(struct store *st, const char *computer,
    const char *group, const struct store_actor *who);

/* What store_computer_request did. */
enum store_request {
	STORE_REQUEST_APPLIED,         /* the computer's client-made membership is the group */
	STORE_REQUEST_SERVER_SIDE,     /* ignored: targeting is server-side */
	STORE_REQUEST_ADMIN_ASSIGNED,  /* ignored: an administrator assigned the computer */
};
/*
 * store_computer_request - client-side targeting: the computer asks for
 * group_guid (NULL or "": none, which, like Unassigned Computers, leaves
 * it in no client-made group).  Applied only when targeting is
 * client-side and no membership of the computer was made by an
 * administrator; then it replaces the computer's client-made membership.
 * Returns an enum store_request, -1 (error), -2 (no such computer) or -3
 * (no such group).
 */
int store_computer_request(struct store *st, const char *computer_id,
    const char *group_guid);
/* The GUIDs of the computer's groups and all their ancestors (approvals
 * inherit down the tree); a computer with no membership is in Unassigned
 * Computers (and All Computers).  Writes up to max GUIDs; returns the count
 * or -1. */
int store_computer_groups(struct store *st, const char *computer_id,
    char (*out)[STORE_GUID_LEN + 1], int max);
/*
 * store_computer_targets - the groups (with ancestors) whose approvals
 * apply to the computer's scan: store_computer_groups, except that with
 * client-side targeting, a computer no administrator assigned that names
 * a group in its cookie (requested, a GUID; NULL or "" none) gets that
 * group and its ancestors (its memberships if the group is gone).
 * Returns the count or -1.
 */
int store_computer_targets(struct store *st, const char *computer_id,
    const char *requested, char (*out)[STORE_GUID_LEN + 1], int max);
/* The ancestors of one group, itself first (for client-side targeting). */
int store_group_ancestors(struct store *st, const char *group_guid,
    char (*out)[STORE_GUID_LEN + 1], int max);

struct store_computer_row {
	struct store_computer c;
	char   groups[STORE_NAME_MAX];         /* group names, ", "-separated */
	int    installed, needed, failed, downloaded;   /* update counts by status */
};
int store_computer_each(struct store *st,
    int (*fn)(void *arg, const struct store_computer_row *r), void *arg);

/* One update for `wsusutil updates`. */
struct store_update_row {
	char      update_id[STORE_GUID_LEN + 1];
	int       revision_number;
	int64_t   revision_id;
	enum store_kind kind;
	char      title[STORE_TITLE_MAX];
	int       declined;
	char      approvals[STORE_NAME_MAX];    /* "Install: Group A; Uninstall: B" or "" */
	int       installed, needed, failed, downloaded;   /* computers by status */
};
int store_update_each(struct store *st, int leaf_only,
    int (*fn)(void *arg, const struct store_update_row *r), void *arg);

/* Fragments of a revision: kind "core", "extended" or "localized" (lang
 * then matters; "" = the first language available, "en" preferred).
 * Returns a malloc'd NUL-terminated decompressed copy in *xml (caller
 * frees) and 1, 0 if absent, -1 on error. */
int store_fragment(struct store *st, int64_t revision_id, const char *kind,
    const char *lang, char **xml, size_t *len);
/* Files of a revision: writes up to max, returns the count or -1. */
int store_revision_files(struct store *st, int64_t revision_id,
    struct store_file *out, int max);
/* The file with this SHA-1 (any revision): 1 found, 0 not, -1. */
int store_file_by_sha1(struct store *st, const uint8_t sha1[20],
    struct store_file *f);
/* A revision id from an update id (latest): >0, 0 unknown, -1. */
int64_t store_revision_of(struct store *st, const char *update_id);

/* A reported event (ReportingEvent BasicData). */
struct store_event {
	char     computer_id[STORE_GUID_LEN + 1];
	char     instance_id[STORE_GUID_LEN + 1];  /* EventInstanceID */
	char     update_id[STORE_GUID_LEN + 1];    /* "" when not about an update */
	int      revision_number;
	int      event_id;                          /* e.g. 156, 182, 183 */
	int      namespace_id;
	time_t   time;
	int64_t  win32_hresult;
	char     message[STORE_NAME_MAX];
	char     target_state[32];                  /* status derived by the caller: "installed", "failed", "needed", "downloaded", "" */
};
/* Store n events in one transaction (duplicates by instance id ignored),
 * update the per-computer, per-update status from target_state (the event
 * with the latest time wins; callers bound the time), and keep at most
 * keep events per computer (0: no cap), dropping the oldest by arrival. */
int store_events_add(struct store *st, const struct store_event *e, unsigned n,
    unsigned keep);

/* --- settings.c: settings an administrator may change at run time --------- */

enum store_targeting { STORE_TARGETING_SERVER, STORE_TARGETING_CLIENT };

struct store_settings {
	enum store_targeting targeting;
	int      targeting_by_admin;      /* 1: set by store_targeting_set; wsusd.conf no longer applies */
	unsigned event_days_workstation;  /* days events of a workstation are kept */
	unsigned event_days_server;       /* ... of a server (OldProductType 2 or 3) */
};

/* store_settings_get - the settings in force.  0 or -1. */
int store_settings_get(struct store *st, struct store_settings *s);
/*
 * store_settings_seed - at daemon start-up, write wsusd.conf's values in
 * *conf: the retention days always, the targeting mode unless an
 * administrator set it through store_targeting_set (that value stays, and
 * *out says so).  *out (may be NULL) gets the settings now in force.
 * Returns 0 or -1.
 */
int store_settings_seed(struct store *st, const struct store_settings *conf,
    struct store_settings *out, const struct store_actor *who);
/* store_targeting_set - the admin API's setter: the mode, from now on
 * kept across restarts whatever wsusd.conf says.  0 or -1. */
int store_targeting_set(struct store *st, enum store_targeting t,
    const struct store_actor *who);
/* store_targeting_name - "server" or "client". */
const char *store_targeting_name(enum store_targeting t);

/*
 * store_retention_run - the retention policy, called about once a second
 * by the daemon: at most every STORE_RETENTION_INTERVAL_S (and at once
 * while a run leaves work), delete the events received more than
 * event_days_workstation days before now from workstations, and more
 * than event_days_server days from servers, in transactions of at most
 * STORE_RETENTION_BATCH rows and STORE_RETENTION_BATCHES of them per call,
 * so the write lock is never held long.  Returns the number of events
 * deleted, or -1 (logged).
 */
int store_retention_run(struct store *st, time_t now);

/* --- updatedoc.c: full update documents -> import rows ------------------
 * A whole WSUS update document (what an upstream server
 * delivers through MS-WSUSSS GetUpdateData) turned into what the store
 * imports: identity, kind, relationships, files, and the three MS-WUSP
 * metadata fragments (Core, Extended, one LocalizedProperties per
 * language) written exactly as a real WSUS writes them (MS-WUSP 3.1.1.1).
 */
struct updatedoc;   /* owns all memory the store_import points into */

/*
 * updatedoc_parse - parse (xml, len), a document whose root is
 * <upd:Update>, under the update-document limits (see updatedoc.c), and
 * derive everything store_import_batch needs.  Returns a handle owned by
 * the caller (updatedoc_free), or NULL with the reason in err.
 */
struct updatedoc *updatedoc_parse(const char *xml, size_t len, char *err,
    size_t errlen);

/*
 * updatedoc_import - the derived revision: update_id canonical lowercase,
 * revision_number, kind (Properties/@UpdateType), category_type
 * (HandlerSpecificData/CategoryInformation/@CategoryType for categories,
 * else ""), title (the "en" Title, else the first), the fragments,
 * prerequisites (grp 0 for a direct UpdateIdentity, 1..n per AtLeastOne),
 * bundled and superseded update ids, and files with decoded digests.
 * Every pointer in it lives as long as d.
 */
const struct store_import *updatedoc_import(const struct updatedoc *d);

void updatedoc_free(struct updatedoc *d);   /* accepts NULL */

/* ======================================================================
 * The audit log (audit.c): one row per administrative change, written in
 * the same transaction as the change by every changing function above and
 * below, chained by SHA-256.  Client traffic (RegisterComputer, reports,
 * events, sync times) is not an administrative change and is not audited.
 * ====================================================================== */

#define STORE_AUDIT_HASH_HEX 64       /* hex digits of a row's hash */
#define STORE_AUDIT_VALUE_MAX 4096    /* bytes of a before/after text, incl. NUL */

/*
 * One row as stored.  before/after: compact JSON objects of the fields the
 * change touched ("" when there is nothing: before of an addition, after
 * of a deletion).  hash = SHA-256 over prev_hash and the canonical form of
 * the other fields (see audit.c); prev_hash of the first row is 64 zeros.
 * Every pointer lives only during the callback.
 */
struct store_audit_row {
	int64_t     seq;               /* 1, 2, 3, ... without gaps */
	time_t      time;              /* UTC seconds */
	const char *program, *account, *address;
	const char *action;            /* "approve", "group.add", "user.add", ... */
	const char *object;            /* what it acted on: an update id, a name */
	const char *before, *after;
	const char *prev_hash, *hash;  /* lowercase hex */
};

/*
 * store_audit_head - the last row's seq and hash (seq 0 and 64 zeros for
 * an empty log) into *seq and hash_hex.  0 or -1.
 */
int store_audit_head(struct store *st, int64_t *seq,
    char hash_hex[STORE_AUDIT_HASH_HEX + 1]);

/*
 * store_audit_each - call cb for every row with time >= since (0: all), in
 * seq order.  cb returns 0 to go on, non-zero to stop (then -1).  0 or -1.
 */
int store_audit_each(struct store *st, time_t since,
    int (*cb)(void *arg, const struct store_audit_row *r), void *arg);

/*
 * store_audit_verify - walk the whole chain: seqs 1..n without gaps, each
 * prev_hash the previous row's hash, each hash recomputed from the row;
 * with expected_head (64 hex digits, any case; NULL: none) the chain must
 * also hold a row with that hash (a head logged earlier: a log cut off
 * after it no longer does).  Returns 0 when all holds; 1 when it does not,
 * with *first_bad_seq the first row that is wrong or missing (the row
 * after the last one for a cut-off tail) and the reason logged once; -1 on
 * a database error.
 */
int store_audit_verify(struct store *st, const char *expected_head,
    int64_t *first_bad_seq);

/*
 * store_audit_record - the door for changes that live outside the
 * database (configuration files, certificate and trust stores): one audit
 * row, in its own transaction.  The caller records after the change took
 * effect.  action, object: 1..255 bytes; before/after as above (NULL =
 * "").  0 or -1.
 */
int store_audit_record(struct store *st, const struct store_actor *who,
    const char *action, const char *object, const char *before,
    const char *after);

/* ======================================================================
 * Administrator accounts (account.c) for ApiRemoting30.
 * ====================================================================== */

enum store_role { STORE_ROLE_NONE, STORE_ROLE_REPORTER,
	STORE_ROLE_ADMINISTRATOR };

#define STORE_ACCOUNT_NAME_MAX (LIMIT_ACCOUNT_NAME_BYTES + 1)  /* bytes of a name, incl. NUL */
#define STORE_PASSWORD_MAX     LIMIT_PASSWORD_BYTES         /* bytes of a password */

struct store_account {
	char            name[STORE_ACCOUNT_NAME_MAX];  /* as first written */
	enum store_role role;
	int             has_password;  /* 0: a Kerberos principal (name@REALM) */
	time_t          created, changed;
};

/* "Administrator", "Reporter" ("None" for STORE_ROLE_NONE). */
const char *store_role_name(enum store_role r);
/* The role for a name, any case; STORE_ROLE_NONE if it is neither. */
enum store_role store_role_parse(const char *name);

/*
 * store_account_get - look name up (case-insensitive) into *out (may be
 * NULL).  Returns 1 found, 0 not, -1 on error.
 */
int store_account_get(struct store *st, const char *name,
    struct store_account *out);

/*
 * store_account_check_password - whether (pw, len) is name's password:
 * PBKDF2-HMAC-SHA256 with the account's salt and iteration count, compared
 * in constant time; every buffer holding derived bytes is wiped.  On a
 * match *role (may be NULL) is the account's role.  Returns 1 match, 0 no
 * match (also: no such account, no password, len over
 * STORE_PASSWORD_MAX; the same work is done for an unknown name, so the
 * time does not tell), -1 on error.
 */
int store_account_check_password(struct store *st, const char *name,
    const char *pw, size_t len, enum store_role *role);

/*
 * store_account_add - a new account.  name: 1..255 bytes of printable
 * ASCII without ':', '\\' or space (':' and '\\' would break the NTLM
 * file); a name with '@' is a Kerberos principal and takes no password
 * (pw must be NULL), any other name needs a password of 1..
 * STORE_PASSWORD_MAX bytes.  Writes the PBKDF2 verifier, and for a
 * password account rewrites the NTLM file (store_ntlm_write) in the same
 * transaction.  Returns 0, -1 (error or bad argument, logged), -3 (the
 * name exists, any case).
 */
int store_account_add(struct store *st, const char *name, enum store_role role,
    const char *pw, size_t len, const char *ntlm_domain,
    const struct store_actor *who);
/* store_account_passwd - a new password (not for a principal): 0, -1, -2
 * (no such account, or it is a principal). */
int store_account_passwd(struct store *st, const char *name, const char *pw,
    size_t len, const char *ntlm_domain, const struct store_actor *who);
/* store_account_role - change the role: 0, -1, -2 (no such account). */
int store_account_set_role(struct store *st, const char *name,
    enum store_role role, const struct store_actor *who);
/* store_account_del - delete; its NTLM lines go too: 0, -1, -2. */
int store_account_del(struct store *st, const char *name,
    const char *ntlm_domain, const struct store_actor *who);
/* store_account_each - every account, by name. */
int store_account_each(struct store *st,
    int (*cb)(void *arg, const struct store_account *a), void *arg);

/*
 * store_ntlm_write - (re)write DATA_DIR/admin/ntlm-users, the file
 * gss-ntlmssp reads through NTLM_USER_FILE, from the accounts in the
 * store: for each account with a password, a line "name:UID:X*32:NTHASH:
 * [U          ]:LCT-00000000:" and the same for "DOMAIN\\name" with
 * ntlm_domain.  NT hashes never enter the database: they are carried
 * over from the file being replaced (an account whose hash is missing
 * there is left out, logged: `wsusutil user passwd` restores it).  Mode
 * 0600 in a 0700 directory, written atomically (temporary file, fsync,
 * rename).  The daemon calls it at start-up.  Returns the number of
 * accounts written, or -1.
 */
int store_ntlm_write(struct store *st, const char *ntlm_domain);
/* store_ntlm_path - DATA_DIR/admin/ntlm-users (owned by st). */
const char *store_ntlm_path(struct store *st);

#endif /* WSUSD_STORE_H */
