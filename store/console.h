/*
 * console.h - what the admin console (ApiRemoting30) asks of the store:
 * update and computer searches under a scope, summaries, approvals,
 * events and the home-page counters (console.c), and the membership
 * changes it makes (membership.c).
 *
 * The summaries are tables kept current by the schema's triggers as
 * reports and memberships change (schema version 5): a summary query
 * reads counts, it never recounts statuses, unless a scope asks for
 * something no table holds (the "live" paths below, named as such).
 * Callers never see SQL; lists of GUIDs travel as text, canonical
 * GUIDs separated by ',' (STORE_SCOPE_GUIDS_MAX of them at most).
 */
#ifndef WSUSD_CONSOLE_H
#define WSUSD_CONSOLE_H

#include <stdint.h>
#include <time.h>

#include "store.h"

#define STORE_SCOPE_GUIDS_MAX  256    /* GUIDs in one scope list */
#define STORE_SCOPE_LIST_MAX   (STORE_SCOPE_GUIDS_MAX * (STORE_GUID_LEN + 1) + 1)
#define STORE_SCOPE_TEXT_MAX   256    /* a search text, bytes incl. NUL */

/* UpdateInstallationState (MS-WSUSAR; summaries' SummarizationState). */
enum store_inst_state {
	STORE_STATE_UNKNOWN, STORE_STATE_NOT_APPLICABLE, STORE_STATE_NOT_INSTALLED,
	STORE_STATE_DOWNLOADED, STORE_STATE_INSTALLED, STORE_STATE_FAILED,
	STORE_STATE_INSTALLED_PENDING_REBOOT, STORE_STATE__COUNT
};

/* ApprovedStates bits. */
#define STORE_APPROVED_LATEST     1u   /* latest revision approved */
#define STORE_APPROVED_STALE      2u   /* never here: approvals follow the latest revision */
#define STORE_APPROVED_NOT        4u
#define STORE_APPROVED_DECLINED   8u
/* UpdateApprovalActions bits (for approved_groups). */
#define STORE_APPROVAL_INSTALL    1u
#define STORE_APPROVAL_UNINSTALL  2u

/* Which revisions: PublicationState. */
enum store_publication { STORE_PUB_PUBLISHED = 0, STORE_PUB_EXPIRED = 1,
	STORE_PUB_ANY = 2 };

/*
 * An UpdateScope.  Zero / "" fields do not filter.  Text matches are
 * ASCII-case-insensitive substrings of the title or the update id.
 */
struct store_update_scope {
	unsigned approved_states;           /* STORE_APPROVED_* bits; 0 any */
	time_t   from_arrival, to_arrival;  /* when the revision was imported */
	char     text_includes[STORE_SCOPE_TEXT_MAX];
	char     text_not_includes[STORE_SCOPE_TEXT_MAX];
	char     classifications[STORE_SCOPE_LIST_MAX];  /* category GUIDs */
	char     categories[STORE_SCOPE_LIST_MAX];       /* product/family GUIDs */
	char     approved_groups[STORE_SCOPE_LIST_MAX];  /* approved for one of them */
	unsigned approval_actions;          /* STORE_APPROVAL_* bits; 0 any */
	unsigned states_in, states_out;     /* 1 << enum store_inst_state, any computer */
	int      infrastructure_only;       /* 1: none match (no such updates here) */
	enum store_publication publication;
	char     update_id[STORE_GUID_LEN + 1];   /* one update ("" all) */
	int      revision_number;           /* with update_id: that revision; -1 latest */
};

/* A ComputerTargetScope. */
struct store_computer_scope {
	char     name_includes[STORE_SCOPE_TEXT_MAX];
	char     groups[STORE_SCOPE_LIST_MAX];
	int      include_subgroups;
	time_t   from_sync, to_sync, from_report, to_report;
	unsigned states_in, states_out;     /* 1 << state, any update */
	char     computer_id[STORE_GUID_LEN + 1];  /* one computer ("" all) */
};

/* Initialise scopes to "everything". */
void store_update_scope_init(struct store_update_scope *s);
void store_computer_scope_init(struct store_computer_scope *s);
/* 1 if the scope filters nothing (every published update / computer). */
int  store_update_scope_is_all(const struct store_update_scope *s);

/* One row of ExecuteSPSearchUpdates' minimalProperties. */
struct store_console_update {
	char     update_id[STORE_GUID_LEN + 1];
	int      revision_number;
	int64_t  revision_id;
	int64_t  local_id;                  /* updates.id */
	int      is_leaf, is_driver, expired, approved, declined, is_latest;
	int      supersedes, superseded, has_earlier;
	time_t   arrival;
	const char *title;                  /* valid during the call */
};
/* A category of a listed revision (localizedCategoryTitleRows). */
struct store_console_category {
	int64_t     revision_id;
	const char *type;                   /* "UpdateClassification", "Product", ... */
	const char *title;
};

/*
 * store_console_updates - every revision in scope, by revision id, then
 * (cat_fn, may be NULL) every category of those revisions.  Pointers live
 * during the call; fn returns 0 to go on.  Returns the number of updates
 * or -1.
 */
int store_console_updates(struct store *st, const struct store_update_scope *us,
    int (*fn)(void *, const struct store_console_update *),
    int (*cat_fn)(void *, const struct store_console_category *), void *arg);
/* store_console_update_count - how many revisions are in scope, or -1. */
int store_console_update_count(struct store *st, const struct store_update_scope *us);

/* One summary row: an update (per-update) or a computer (per-computer). */
struct store_console_summary {
	const char *key;                    /* update GUID, or computer id */
	enum store_inst_state state;
	int64_t     count;
	time_t      changed;
};
/*
 * store_console_update_summaries - per update in us and state, how many
 * computers in cs are in it.  Read from update_group_summary when cs is
 * no more than one group (subgroups included, or a group without
 * subgroups); counted live from the statuses otherwise (*live = 1).
 * Returns the number of rows or -1.
 */
int store_console_update_summaries(struct store *st,
    const struct store_update_scope *us, const struct store_computer_scope *cs,
    int (*fn)(void *, const struct store_console_summary *), void *arg,
    int *live);
/*
 * store_console_computer_summaries - per computer in cs and state, how
 * many updates are in it.  Read from computer_summary when us is every
 * update; counted live otherwise (*live = 1).  Rows or -1.
 */
int store_console_computer_summaries(struct store *st,
    const struct store_update_scope *us, const struct store_computer_scope *cs,
    int (*fn)(void *, const struct store_console_summary *), void *arg,
    int *live);

/* An approval of a revision in scope (ExecuteSPGetDeployments). */
struct store_console_deployment {
	int64_t  deployment_id;
	char     update_id[STORE_GUID_LEN + 1];
	int      revision_number;
	char     group_id[STORE_GUID_LEN + 1];
	enum store_action action;
	int      is_assigned;
	time_t   created, deadline;         /* deadline 0: none */
	const char *admin;
};
int store_console_deployments(struct store *st, const struct store_update_scope *us,
    int (*fn)(void *, const struct store_console_deployment *), void *arg);
/* store_console_deployment_get - the approval of update for group now: 1, 0, -1. */
int store_console_deployment_get(struct store *st, const char *update_id,
    const char *group_id, struct store_console_deployment *d, char *admin,
    size_t admin_len);

/* A computer in scope (ExecuteSPSearchComputers set 0). */
struct store_console_computer {
	int64_t  ref;
	char     computer_id[STORE_GUID_LEN + 1];
	time_t   last_sync, last_report;    /* 0 never */
	const char *ip, *dns_name, *os_locale, *make, *model, *bios_version,
	    *bios_name, *arch, *client_version, *os_description,
	    *requested_groups, *oem, *device_type, *firmware, *mobile_operator;
	int      os_major, os_minor, os_build, sp_major, sp_minor;
	int      suite_mask, old_product_type, new_product_type, system_metrics;
	time_t   bios_date;                 /* 0 unknown */
};
int store_console_computers(struct store *st, const struct store_computer_scope *cs,
    int (*fn)(void *, const struct store_console_computer *), void *arg);
/* Direct memberships of computers in scope (Unassigned for none). */
int store_console_memberships(struct store *st, const struct store_computer_scope *cs,
    int (*fn)(void *, const char *computer_id, const char *group_id), void *arg);
int store_console_computer_count(struct store *st, const struct store_computer_scope *cs);

/* One update's state on one computer (UpdateInstallationInformation). */
struct store_console_install {
	char     update_id[STORE_GUID_LEN + 1];
	enum store_inst_state state;
	int      action;                    /* wire action: 0 install, 1 uninstall, 2 not approved */
	char     group_id[STORE_GUID_LEN + 1];  /* the approval's group, "" none */
};
/* Statuses of computer_id for updates in us: rows, or -1 (-2 no computer). */
int store_console_installs(struct store *st, const char *computer_id,
    const struct store_update_scope *us,
    int (*fn)(void *, const struct store_console_install *), void *arg);

/* ExecuteSPSearchEventHistory's filter; zero fields do not filter. */
struct store_event_filter {
	time_t   from_target, to_target, from_server, to_server;
	char     computer_id[STORE_GUID_LEN + 1];
	char     update_id[STORE_GUID_LEN + 1];
	char     event_ids[1024];           /* ",namespace:id," items, "" any */
	char     instance_ids[STORE_SCOPE_LIST_MAX];
	unsigned max_rows;                  /* cap (the newest first) */
};
struct store_console_event {
	char     instance_id[STORE_GUID_LEN + 1];
	char     computer_id[STORE_GUID_LEN + 1];
	char     update_id[STORE_GUID_LEN + 1];   /* "" none */
	int      revision_number, event_id, namespace_id, source_id;
	time_t   time_at_target, received;
	int64_t  hresult;
	const char *app_name, *message;
};
int store_console_events(struct store *st, const struct store_event_filter *f,
    int (*fn)(void *, const struct store_console_event *), void *arg);

/* ExecuteSPGetUpdateServerStatus' first row. */
struct store_console_status {
	int64_t updates, declined, not_approved, stale, expired,
	    critical_security_not_approved, infrastructure_not_approved,
	    with_client_errors, with_server_errors, needing_files,
	    custom_groups, computers, computers_needing, computers_with_errors,
	    approved, computers_up_to_date, updates_needed_by_computers,
	    updates_up_to_date;
};
int store_console_status(struct store *st, const struct store_update_scope *us,
    const struct store_computer_scope *cs, struct store_console_status *out);

#endif /* WSUSD_CONSOLE_H */
