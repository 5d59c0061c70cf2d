/*
 * wsusadm_cmd.c - wsusadm's commands: each builds the body of one or more
 * ApiRemoting30 operations (MS-WSUSAR, the console subset), reads the
 * answer's positional rows by the column numbers of the protocol note and
 * prints a table, or says what it changed.
 *
 * Owns: the command table, name resolution (a group by name or GUID, an
 * update by GUID, KB number or exact title, a computer by FQDN, short
 * name or id - each through the server's own search operations), scope
 * XML, dates, and the summaries' pivot into one line per update or
 * computer.
 *
 * Never does: read the server's files or database; everything comes from
 * ApiRemoting30 answers.  The audit log is read through the one
 * wsusd-specific operation, WsusdGetAuditLog, in the ApiRemoting30
 * namespace (MS-WSUSAR has none).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "wsusadm.h"

#define CMD_CULTURE   "en"
#define CMD_PUB_ANY   "2147483647"         /* publicationState: any */
#define CMD_NO_DEADLINE "9999-12-31T23:59:59.997"

/* Row columns (protocol note: MinimalUpdateProperties, computer rows,
 * target groups, summaries, ApprovalInformation). */
enum { U_ID = 0, U_REV = 1, U_REVID = 2, U_APPROVED = 18, U_DECLINED = 22,
       U_LATEST = 24, U_ARRIVAL = 25, U_SEVERITY = 28, U_TITLE = 29 };
enum { C_ID = 0, C_SYNC = 1, C_REPORT = 2, C_IP = 3, C_NAME = 4, C_OS = 27 };
enum { G_NAME = 1, G_ID = 2, G_PARENT = 5 };
enum { S_UPDATE = 0, S_COMPUTER = 2, S_STATE = 3, S_COUNT = 4 };
enum { D_ACTION = 2, D_UPDATE = 8, D_GROUP = 10 };

/* --- small helpers ----------------------------------------------------------- */

/* The text of b as a C string (wbuf does not keep a NUL); "" when empty
 * or out of memory.  Valid until b changes. */
static const char *
cmd_str(struct wbuf *b)
{
	wbuf_putc(b, '\0');
	if (b->oom || b->p == NULL)
		return "";
	b->len--;
	return b->p;
}

/* <name>escaped (s, n)</name> */
static void
cmd_paramn(struct wbuf *b, const char *name, const char *s, size_t n)
{
	wbuf_printf(b, "<%s>", name);
	wbuf_esc(b, s, n);
	wbuf_printf(b, "</%s>", name);
}

/* <name>escaped s</name> */
static void
cmd_param(struct wbuf *b, const char *name, const char *s)
{
	cmd_paramn(b, name, s, strlen(s));
}

/*
 * cmd_date - a date from the command line (YYYY-MM-DD, or
 * YYYY-MM-DDTHH:MM[:SS][Z], taken as UTC) as xsd:dateTime into out.
 * 0 or -1 (message printed).
 */
static int
cmd_date(const char *opt, const char *s, char *out, size_t outlen)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%d", &tm)) != NULL && *end != '\0') {
		const char *e2;
		if ((*end == 'T' || *end == ' ') &&
		    ((e2 = strptime(end + 1, "%H:%M:%S", &tm)) != NULL ||
		    (e2 = strptime(end + 1, "%H:%M", &tm)) != NULL) &&
		    (*e2 == '\0' || strcmp(e2, "Z") == 0))
			end = e2 + strlen(e2);
		else
			end = NULL;
	}
	if (end == NULL || *end != '\0' || tm.tm_year < 0 || tm.tm_year > 8099) {
		fprintf(stderr, "wsusadm: %s: \"%s\" is not a date (YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM:SSZ, UTC)\n", opt, s);
		return -1;
	}
	strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 0;
}

/* A server dateTime for people: "2026-12-07 08:40:12" (UTC); as sent
 * in JSON.  Returns buf or the input. */
static const char *
cmd_when(const struct adm *a, const char *s, char *buf, size_t len)
{
	if (s == NULL || a->json || strlen(s) < 19 || s[10] != 'T')
		return s;
	snprintf(buf, len, "%.10s %.8s", s, s + 11);
	return buf;
}

/* Option value: argv[*i] is the option; the next word is its value. */
static const char *
cmd_optarg(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "wsusadm: %s needs a value\n", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

static int
cmd_usage(const char *cmd)
{
	for (int i = 0; adm_cmd_usage[i] != NULL; i++)
		if (strncmp(adm_cmd_usage[i], cmd, strlen(cmd)) == 0 &&
		    adm_cmd_usage[i][strlen(cmd)] == ' ')
			fprintf(stderr, "usage: wsusadm [options] %s\n", adm_cmd_usage[i]);
	return ADM_EXIT_USAGE;
}

/* A key -> row index, sorted by key for bsearch. */
struct cmd_ix {
	const char            *key;
	const struct xml_node *row;
};

static int
ix_cmp(const void *x, const void *y)
{
	return strcasecmp(((const struct cmd_ix *)x)->key, ((const struct cmd_ix *)y)->key);
}

/* Index the rows of array a by cell col (rows without it are left out).
 * Returns a malloc'd array (*n entries) or NULL when empty or on OOM. */
static struct cmd_ix *
ix_build(const struct xml_node *a, int col, size_t *n)
{
	struct cmd_ix *ix = NULL, *np;
	size_t cap = 0;
	const struct xml_node *r;
	const char *k;

	*n = 0;
	for (r = adm_row_first(a); r != NULL; r = adm_row_next(r)) {
		if ((k = adm_cell(r, col)) == NULL)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((np = realloc(ix, cap * sizeof(*ix))) == NULL) {
				free(ix);
				*n = 0;
				return NULL;
			}
			ix = np;
		}
		ix[*n].key = k;
		ix[(*n)++].row = r;
	}
	if (ix != NULL)
		qsort(ix, *n, sizeof(*ix), ix_cmp);
	return ix;
}

static const struct xml_node *
ix_find(const struct cmd_ix *ix, size_t n, const char *key)
{
	struct cmd_ix k = { key, NULL }, *f;

	if (ix == NULL || key == NULL)
		return NULL;
	f = bsearch(&k, ix, n, sizeof(*ix), ix_cmp);
	return f ? f->row : NULL;
}

/* The adminName parameters: the account given, or the program. */
static const char *
cmd_admin(const struct adm *a)
{
	return a->user ? a->user : "wsusadm";
}

/* --- groups -------------------------------------------------------------------- */

static int
cmd_get_groups(struct adm *a, struct adm_reply *r)
{
	return adm_call(a, "ExecuteSPGetAllTargetGroups", "", 0, r);
}

/* The row of the group named (case-insensitive) or with GUID key. */
static const struct xml_node *
cmd_group_find(const struct adm_reply *g, const char *key)
{
	const struct xml_node *row;
	const char *v;

	for (row = adm_row_first(g->result); row != NULL; row = adm_row_next(row)) {
		if ((v = adm_cell(row, G_ID)) != NULL && strcasecmp(v, key) == 0)
			return row;
		if ((v = adm_cell(row, G_NAME)) != NULL && strcasecmp(v, key) == 0)
			return row;
	}
	return NULL;
}

/* The name of group id, or id itself. */
static const char *
cmd_group_name(const struct adm_reply *g, const char *id)
{
	const struct xml_node *row = id ? cmd_group_find(g, id) : NULL;
	const char *n = row ? adm_cell(row, G_NAME) : NULL;

	return n ? n : id;
}

static int
cmd_no_group(const char *name)
{
	fprintf(stderr, "wsusadm: no computer group \"%s\" on the server "
	    "(`wsusadm groups` lists them)\n", name);
	return ADM_EXIT_USAGE;
}

static int
cmd_groups(struct adm *a, int argc, char **argv)
{
	static const struct adm_col cols[] = {
		{ "NAME", ADM_S }, { "ID", ADM_S }, { "PARENT", ADM_S },
	};
	struct adm_reply g;
	struct adm_table t;
	const struct xml_node *row;
	int rc;

	(void)argv;
	if (argc != 1)
		return cmd_usage("groups");
	if ((rc = cmd_get_groups(a, &g)) != 0)
		return rc;
	adm_table_init(&t, cols, 3);
	for (row = adm_row_first(g.result); row != NULL; row = adm_row_next(row)) {
		const char *p = adm_cell(row, G_PARENT);
		const char *cells[3] = { adm_cell(row, G_NAME), adm_cell(row, G_ID),
		    p && strcmp(p, "00000000-0000-0000-0000-000000000000") ?
		    cmd_group_name(&g, p) : NULL };
		adm_table_add(&t, cells);
	}
	adm_table_print(&t, a->json);
	adm_table_free(&t);
	adm_reply_free(&g);
	return 0;
}

static int
cmd_group(struct adm *a, int argc, char **argv)
{
	struct adm_reply g, r;
	const struct xml_node *row;
	const char *parent = NULL, *name = NULL, *pid;
	struct wbuf b;
	int rc;

	if (argc < 3 || (strcmp(argv[1], "add") != 0 && strcmp(argv[1], "del") != 0))
		return cmd_usage("group");
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--parent") == 0 && strcmp(argv[1], "add") == 0) {
			if ((parent = cmd_optarg(argc, argv, &i)) == NULL)
				return ADM_EXIT_USAGE;
		} else if (argv[i][0] == '-' || name != NULL) {
			return cmd_usage("group");
		} else {
			name = argv[i];
		}
	}
	if (name == NULL || name[0] == '\0' || strlen(name) > ADM_NAME_MAX) {
		fprintf(stderr, "wsusadm: a group name is 1 to %d bytes\n", ADM_NAME_MAX);
		return ADM_EXIT_USAGE;
	}
	if ((rc = cmd_get_groups(a, &g)) != 0)
		return rc;
	wbuf_init(&b, 256);
	if (strcmp(argv[1], "add") == 0) {
		pid = ADM_GROUP_ALL;
		if (parent != NULL) {
			if ((row = cmd_group_find(&g, parent)) == NULL ||
			    (pid = adm_cell(row, G_ID)) == NULL) {
				adm_reply_free(&g);
				wbuf_free(&b);
				return cmd_no_group(parent);
			}
		}
		cmd_param(&b, "name", name);
		cmd_param(&b, "parentGroupId", pid);
		rc = adm_call(a, "ExecuteSPCreateTargetGroup1", b.p, b.len, &r);
		if (rc == 0) {
			const struct xml_node *nr = r.result;
			const char *id = nr ? adm_cell(nr, G_ID) : NULL;
			if (a->json) {
				printf("{\"name\":");
				adm_json_str(name);
				printf(",\"id\":");
				adm_json_str(id ? id : "");
				printf(",\"parent\":");
				adm_json_str(cmd_group_name(&g, pid));
				printf("}\n");
			} else {
				printf("Created group %s (%s) under %s\n", name, id ? id : "?",
				    cmd_group_name(&g, pid));
			}
			adm_reply_free(&r);
		}
	} else {
		if ((row = cmd_group_find(&g, name)) == NULL || adm_cell(row, G_ID) == NULL) {
			adm_reply_free(&g);
			wbuf_free(&b);
			return cmd_no_group(name);
		}
		cmd_param(&b, "id", adm_cell(row, G_ID));
		cmd_param(&b, "adminName", cmd_admin(a));
		wbuf_puts(&b, "<failIfReplica>false</failIfReplica>");
		rc = adm_call(a, "ExecuteSPDeleteTargetGroup", b.p, b.len, &r);
		if (rc == 0) {
			if (a->json)
				printf("{\"deleted\":\"%s\"}\n", adm_cell(row, G_ID));
			else
				printf("Deleted group %s (%s)\n", adm_cell(row, G_NAME),
				    adm_cell(row, G_ID));
			adm_reply_free(&r);
		}
	}
	wbuf_free(&b);
	adm_reply_free(&g);
	return rc;
}

/* --- updates ------------------------------------------------------------------ */

/* ExecuteSPSearchUpdates with an UpdateScope of approved (bitmask, -1 any)
 * and text (NULL: none). */
static int
cmd_search_updates(struct adm *a, int approved, const char *text, struct adm_reply *r)
{
	struct wbuf s, b;
	int rc;

	wbuf_init(&s, 128);
	wbuf_printf(&s, "<UpdateScope ApprovedStates=\"%d\"", approved);
	if (text != NULL) {
		wbuf_puts(&s, " TextIncludes=\"");
		wbuf_esc_attr(&s, text, strlen(text));
		wbuf_puts(&s, "\"");
	}
	wbuf_puts(&s, " />");
	wbuf_init(&b, 256);
	cmd_paramn(&b, "updateScopeXml", s.p ? s.p : "", s.len);
	cmd_param(&b, "preferredCulture", CMD_CULTURE);
	wbuf_puts(&b, "<publicationState>" CMD_PUB_ANY "</publicationState>");
	rc = b.oom || s.oom ? ADM_EXIT_PROTOCOL :
	    adm_call(a, "ExecuteSPSearchUpdates", b.p, b.len, r);
	wbuf_free(&s);
	wbuf_free(&b);
	return rc;
}

/* Does this row describe the latest revision (IsLatestRevision, or no
 * such cell)? */
static int
cmd_latest(const struct xml_node *row)
{
	const char *l = adm_cell(row, U_LATEST);

	return l == NULL || strcmp(l, "true") == 0 || strcmp(l, "1") == 0;
}

/* The KB numbers of a revision: first kbArticles row for revid. */
static const char *
cmd_kb(const struct cmd_ix *kb, size_t nkb, const char *revid)
{
	const struct xml_node *r = ix_find(kb, nkb, revid);

	return r ? adm_cell(r, 1) : NULL;
}

/* Does title hold "KB<digits>" as a word (a server without kbArticles
 * rows still names the KB in the title, as Microsoft's titles do)? */
static int
cmd_title_kb(const char *title, const char *digits)
{
	size_t n = strlen(digits);
	const char *p;

	if (title == NULL || n == 0)
		return 0;
	for (p = title; (p = strcasestr(p, "KB")) != NULL; p += 2)
		if ((p == title || !isalnum((unsigned char)p[-1])) &&
		    strncmp(p + 2, digits, n) == 0 && !isalnum((unsigned char)p[2 + n]))
			return 1;
	return 0;
}

/*
 * cmd_update_find - the latest revision's row of the update key names: a
 * GUID, a KB number ("KB5034441" or "5034441") or an exact title.
 * NULL (message printed) when none or several updates match.
 */
static const struct xml_node *
cmd_update_find(const struct adm_reply *u, const char *key)
{
	const struct xml_node *mp, *row, *found = NULL, *kbrow;
	const struct xml_node *kbs = xml_child(u->result, "kbArticles");
	const char *k = key, *id, *kb;
	int nfound = 0;

	if (strncasecmp(k, "KB", 2) == 0)
		k += 2;
	mp = u->result ? xml_child(u->result, "minimalProperties") : NULL;
	for (row = adm_row_first(mp); row != NULL; row = adm_row_next(row)) {
		int hit = 0;
		if (!cmd_latest(row) || (id = adm_cell(row, U_ID)) == NULL)
			continue;
		if (strcasecmp(id, key) == 0)
			hit = 1;
		else if (adm_cell(row, U_TITLE) != NULL &&
		    strcasecmp(adm_cell(row, U_TITLE), key) == 0)
			hit = 1;
		else if (k != key && cmd_title_kb(adm_cell(row, U_TITLE), k))
			hit = 1;
		else
			for (kbrow = adm_row_first(kbs); kbrow && !hit; kbrow = adm_row_next(kbrow))
				if ((kb = adm_cell(kbrow, 1)) != NULL && adm_cell(kbrow, 0) &&
				    adm_cell(row, U_REVID) &&
				    strcmp(adm_cell(kbrow, 0), adm_cell(row, U_REVID)) == 0 &&
				    strcasecmp(strncasecmp(kb, "KB", 2) == 0 ? kb + 2 : kb, k) == 0)
					hit = 1;
		if (hit && (found == NULL || strcasecmp(adm_cell(found, U_ID), id) != 0)) {
			nfound++;
			found = row;
		}
	}
	if (nfound == 1)
		return found;
	if (nfound == 0)
		fprintf(stderr, "wsusadm: no update \"%s\" on the server (give its "
		    "id, KB number or exact title; `wsusadm updates` lists them)\n", key);
	else
		fprintf(stderr, "wsusadm: \"%s\" names %d updates; give the update id\n",
		    key, nfound);
	return NULL;
}

static int
cmd_updates(struct adm *a, int argc, char **argv)
{
	static const struct adm_col cols[] = {
		{ "ID", ADM_S }, { "KB", ADM_S }, { "TITLE", ADM_S },
		{ "CLASSIFICATION", ADM_S }, { "SEVERITY", ADM_S },
		{ "APPROVAL", ADM_S }, { "ARRIVED", ADM_S },
	};
	const char *text = NULL;
	int approved = 0;
	struct adm_reply u, d, g;
	struct adm_table t;
	struct cmd_ix *kb = NULL, *cls = NULL;
	size_t nkb = 0, ncls = 0;
	const struct xml_node *row, *dr, *cr;
	struct wbuf b, ap;
	char when[32];
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--search") == 0) {
			if ((text = cmd_optarg(argc, argv, &i)) == NULL)
				return ADM_EXIT_USAGE;
		} else if (strcmp(argv[i], "--approved") == 0) {
			approved |= 1 | 2;
		} else if (strcmp(argv[i], "--unapproved") == 0) {
			approved |= 4;
		} else if (strcmp(argv[i], "--declined") == 0) {
			approved |= 8;
		} else {
			return cmd_usage("updates");
		}
	}
	if ((rc = cmd_search_updates(a, approved ? approved : -1, text, &u)) != 0)
		return rc;
	memset(&d, 0, sizeof(d));
	memset(&g, 0, sizeof(g));
	wbuf_init(&b, 256);
	cmd_param(&b, "updateScopeXml", "<UpdateScope ApprovedStates=\"-1\" />");
	cmd_param(&b, "preferredCulture", CMD_CULTURE);
	wbuf_puts(&b, "<publicationState>" CMD_PUB_ANY "</publicationState>");
	if ((rc = adm_call(a, "ExecuteSPGetDeployments", b.p, b.len, &d)) != 0 ||
	    (rc = cmd_get_groups(a, &g)) != 0)
		goto out;
	kb = ix_build(xml_child(u.result, "kbArticles"), 0, &nkb);
	/* Classification titles: localizedCategoryTitleRows of type
	 * UpdateClassification, by RevisionId. */
	{
		const struct xml_node *lc = xml_child(u.result, "localizedCategoryTitleRows");
		struct cmd_ix *all = ix_build(lc, 0, &ncls);
		size_t k = 0;
		for (size_t i = 0; i < ncls; i++) {
			const char *ty = adm_cell(all[i].row, 1);
			if (ty != NULL && strcmp(ty, "UpdateClassification") == 0)
				all[k++] = all[i];
		}
		ncls = k;
		cls = all;
	}
	adm_table_init(&t, cols, 7);
	for (row = adm_row_first(xml_child(u.result, "minimalProperties")); row != NULL;
	    row = adm_row_next(row)) {
		const char *id = adm_cell(row, U_ID), *revid = adm_cell(row, U_REVID);
		const char *dec = adm_cell(row, U_DECLINED);
		if (!cmd_latest(row) || id == NULL)
			continue;
		wbuf_init(&ap, 64);
		if (dec != NULL && (strcmp(dec, "true") == 0 || strcmp(dec, "1") == 0)) {
			wbuf_puts(&ap, "Declined");
		} else {
			for (dr = adm_row_first(d.result); dr != NULL; dr = adm_row_next(dr)) {
				const char *du = adm_cell(dr, D_UPDATE), *act = adm_cell(dr, D_ACTION);
				static const char *const names[] = { "Install", "Uninstall",
				    "Not approved", "Block" };
				if (du == NULL || strcasecmp(du, id) != 0 || act == NULL)
					continue;
				int an = atoi(act);
				if (an == 2)
					continue;
				wbuf_printf(&ap, "%s%s: %s", ap.len ? ", " : "",
				    an >= 0 && an < 4 ? names[an] : act,
				    cmd_group_name(&g, adm_cell(dr, D_GROUP)));
			}
			if (ap.len == 0)
				wbuf_puts(&ap, "Not approved");
		}
		cr = ix_find(cls, ncls, revid);
		const char *cells[7] = { id, cmd_kb(kb, nkb, revid), adm_cell(row, U_TITLE),
		    cr ? adm_cell(cr, 2) : NULL, adm_cell(row, U_SEVERITY),
		    cmd_str(&ap), cmd_when(a, adm_cell(row, U_ARRIVAL), when, sizeof(when)) };
		adm_table_add(&t, cells);
		wbuf_free(&ap);
	}
	adm_table_sort(&t, 2);
	adm_table_print(&t, a->json);
	adm_table_free(&t);
out:
	free(kb);
	free(cls);
	wbuf_free(&b);
	adm_reply_free(&u);
	adm_reply_free(&d);
	adm_reply_free(&g);
	return rc;
}

static int
cmd_approve(struct adm *a, int argc, char **argv)
{
	const char *upd = NULL, *grp = NULL, *deadline = NULL;
	char dl[40];
	struct adm_reply u, g, r;
	const struct xml_node *ur, *gr;
	struct wbuf b;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--deadline") == 0) {
			if ((deadline = cmd_optarg(argc, argv, &i)) == NULL)
				return ADM_EXIT_USAGE;
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			return cmd_usage("approve");
		} else if (upd == NULL) {
			upd = argv[i];
		} else if (grp == NULL) {
			grp = argv[i];
		} else {
			return cmd_usage("approve");
		}
	}
	if (grp == NULL)
		return cmd_usage("approve");
	snprintf(dl, sizeof(dl), "%s", CMD_NO_DEADLINE);
	if (deadline != NULL && cmd_date("--deadline", deadline, dl, sizeof(dl)) == -1)
		return ADM_EXIT_USAGE;
	if ((rc = cmd_search_updates(a, -1, NULL, &u)) != 0)
		return rc;
	if ((rc = cmd_get_groups(a, &g)) != 0) {
		adm_reply_free(&u);
		return rc;
	}
	if ((ur = cmd_update_find(&u, upd)) == NULL) {
		rc = ADM_EXIT_USAGE;
		goto out0;
	}
	if ((gr = cmd_group_find(&g, grp)) == NULL || adm_cell(gr, G_ID) == NULL) {
		rc = cmd_no_group(grp);
		goto out0;
	}
	wbuf_init(&b, 512);
	wbuf_puts(&b, "<updateId>");
	cmd_param(&b, "UpdateId", adm_cell(ur, U_ID));
	cmd_param(&b, "RevisionNumber", adm_cell(ur, U_REV) ? adm_cell(ur, U_REV) : "0");
	wbuf_puts(&b, "</updateId><deploymentAction>0</deploymentAction>");
	cmd_param(&b, "targetGroupId", adm_cell(gr, G_ID));
	cmd_param(&b, "deadline", dl);
	cmd_param(&b, "adminName", cmd_admin(a));
	wbuf_puts(&b, "<isAssigned>true</isAssigned>");
	rc = adm_call(a, "ExecuteSPDeployUpdate1", b.p, b.len, &r);
	if (rc == 0) {
		if (a->json) {
			printf("{\"update\":\"%s\",\"revision\":%s,\"group\":",
			    adm_cell(ur, U_ID), adm_cell(ur, U_REV) ? adm_cell(ur, U_REV) : "0");
			adm_json_str(adm_cell(gr, G_NAME));
			printf(",\"action\":\"Install\",\"deadline\":");
			if (deadline)
				adm_json_str(dl);
			else
				fputs("null", stdout);
			printf("}\n");
		} else {
			printf("Approved %s (%s) for Install on %s%s%s\n",
			    adm_cell(ur, U_TITLE) ? adm_cell(ur, U_TITLE) : "",
			    adm_cell(ur, U_ID), adm_cell(gr, G_NAME),
			    deadline ? ", deadline " : "", deadline ? dl : "");
		}
		adm_reply_free(&r);
	}
	wbuf_free(&b);
out0:
	adm_reply_free(&u);
	adm_reply_free(&g);
	return rc;
}

static int
cmd_decline(struct adm *a, int argc, char **argv)
{
	struct adm_reply u, r;
	const struct xml_node *ur;
	struct wbuf b;
	int rc;

	if (argc != 2 || argv[1][0] == '-')
		return cmd_usage("decline");
	if ((rc = cmd_search_updates(a, -1, NULL, &u)) != 0)
		return rc;
	if ((ur = cmd_update_find(&u, argv[1])) == NULL) {
		adm_reply_free(&u);
		return ADM_EXIT_USAGE;
	}
	wbuf_init(&b, 256);
	cmd_param(&b, "updateId", adm_cell(ur, U_ID));
	cmd_param(&b, "adminName", cmd_admin(a));
	wbuf_puts(&b, "<failIfReplica>false</failIfReplica>");
	rc = adm_call(a, "ExecuteSPDeclineUpdate", b.p, b.len, &r);
	if (rc == 0) {
		if (a->json)
			printf("{\"declined\":\"%s\"}\n", adm_cell(ur, U_ID));
		else
			printf("Declined %s (%s)\n", adm_cell(ur, U_TITLE) ?
			    adm_cell(ur, U_TITLE) : "", adm_cell(ur, U_ID));
		adm_reply_free(&r);
	}
	wbuf_free(&b);
	adm_reply_free(&u);
	return rc;
}

/* --- computers ------------------------------------------------------------------ */

/* The ComputerTargetScope for group id (NULL: all computers), as text. */
static void
cmd_computer_scope(struct wbuf *s, const char *gid)
{
	wbuf_puts(s, "<ComputerTargetScope IncludeDownstreamComputerTargets=\"false\"");
	if (gid != NULL)
		wbuf_printf(s, " ComputerTargetGroups=\"&lt;root&gt;&lt;TargetGroupID&gt;"
		    "%s&lt;/TargetGroupID&gt;&lt;/root&gt;\" IncludeSubgroups=\"true\"", gid);
	wbuf_puts(s, " />");
}

static int
cmd_search_computers(struct adm *a, const char *gid, struct adm_reply *r)
{
	struct wbuf s, b;
	int rc;

	wbuf_init(&s, 256);
	cmd_computer_scope(&s, gid);
	wbuf_init(&b, 256);
	cmd_paramn(&b, "computerTargetScopeXml", s.p ? s.p : "", s.len);
	rc = adm_call(a, "ExecuteSPSearchComputers", b.p, b.len, r);
	wbuf_free(&s);
	wbuf_free(&b);
	return rc;
}

/* Result set i of an ArrayOfArrayOfGenericReadableRow. */
static const struct xml_node *
cmd_set(const struct adm_reply *r, int i)
{
	const struct xml_node *s = r->result ? xml_child(r->result, "ArrayOfGenericReadableRow") : NULL;

	while (s != NULL && i-- > 0)
		s = xml_next_same(s);
	return s;
}

/* A computer by id, FQDN or (unique) short name; NULL with a message. */
static const struct xml_node *
cmd_computer_find(const struct adm_reply *c, const char *key)
{
	const struct xml_node *row, *found = NULL;
	size_t kl = strlen(key);
	int nshort = 0;

	for (row = adm_row_first(cmd_set(c, 0)); row != NULL; row = adm_row_next(row)) {
		const char *id = adm_cell(row, C_ID), *n = adm_cell(row, C_NAME);
		if ((id && strcasecmp(id, key) == 0) || (n && strcasecmp(n, key) == 0))
			return row;
		if (n && strncasecmp(n, key, kl) == 0 && n[kl] == '.') {
			nshort++;
			found = row;
		}
	}
	if (nshort == 1)
		return found;
	fprintf(stderr, nshort ? "wsusadm: \"%s\" names %d computers; give the "
	    "full name or id\n" : "wsusadm: no computer \"%s\" on the server "
	    "(`wsusadm computers` lists them)\n", key, nshort);
	return NULL;
}

static int
cmd_computers(struct adm *a, int argc, char **argv)
{
	static const struct adm_col cols[] = {
		{ "NAME", ADM_S }, { "ID", ADM_S }, { "IP", ADM_S }, { "LAST SYNC", ADM_S },
		{ "LAST REPORT", ADM_S }, { "OS", ADM_S }, { "GROUPS", ADM_S },
	};
	const char *group = NULL, *gid = NULL;
	struct adm_reply c, g;
	struct adm_table t;
	const struct xml_node *row, *m, *gr;
	char w1[32], w2[32];
	struct wbuf gs;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--group") == 0) {
			if ((group = cmd_optarg(argc, argv, &i)) == NULL)
				return ADM_EXIT_USAGE;
		} else {
			return cmd_usage("computers");
		}
	}
	if ((rc = cmd_get_groups(a, &g)) != 0)
		return rc;
	if (group != NULL) {
		if ((gr = cmd_group_find(&g, group)) == NULL) {
			adm_reply_free(&g);
			return cmd_no_group(group);
		}
		gid = adm_cell(gr, G_ID);
	}
	if ((rc = cmd_search_computers(a, gid, &c)) != 0) {
		adm_reply_free(&g);
		return rc;
	}
	adm_table_init(&t, cols, 7);
	for (row = adm_row_first(cmd_set(&c, 0)); row != NULL; row = adm_row_next(row)) {
		const char *id = adm_cell(row, C_ID);
		wbuf_init(&gs, 64);
		/* Set 2: effective membership (ComputerId, TargetGroupId). */
		for (m = adm_row_first(cmd_set(&c, 2)); m != NULL && id; m = adm_row_next(m)) {
			const char *mc = adm_cell(m, 0), *mg = adm_cell(m, 1);
			if (mc && mg && strcasecmp(mc, id) == 0 &&
			    strcasecmp(mg, ADM_GROUP_ALL) != 0)
				wbuf_printf(&gs, "%s%s", gs.len ? ", " : "", cmd_group_name(&g, mg));
		}
		const char *cells[7] = { adm_cell(row, C_NAME), id, adm_cell(row, C_IP),
		    cmd_when(a, adm_cell(row, C_SYNC), w1, sizeof(w1)),
		    cmd_when(a, adm_cell(row, C_REPORT), w2, sizeof(w2)),
		    adm_cell(row, C_OS), cmd_str(&gs) };
		adm_table_add(&t, cells);
		wbuf_free(&gs);
	}
	adm_table_sort(&t, 0);
	adm_table_print(&t, a->json);
	adm_table_free(&t);
	adm_reply_free(&c);
	adm_reply_free(&g);
	return 0;
}

static int
cmd_assign(struct adm *a, int argc, char **argv)
{
	struct adm_reply c, g, r;
	const struct xml_node *cr, *gr;
	struct wbuf b;
	int rc;

	if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-')
		return cmd_usage("assign");
	if ((rc = cmd_get_groups(a, &g)) != 0)
		return rc;
	if ((gr = cmd_group_find(&g, argv[2])) == NULL) {
		adm_reply_free(&g);
		return cmd_no_group(argv[2]);
	}
	if ((rc = cmd_search_computers(a, NULL, &c)) != 0) {
		adm_reply_free(&g);
		return rc;
	}
	if ((cr = cmd_computer_find(&c, argv[1])) == NULL) {
		rc = ADM_EXIT_USAGE;
		goto out;
	}
	wbuf_init(&b, 256);
	cmd_param(&b, "targetGroupId", adm_cell(gr, G_ID));
	cmd_param(&b, "computerId", adm_cell(cr, C_ID));
	rc = adm_call(a, "ExecuteSPAddComputerToTargetGroupAllowMultipleGroups",
	    b.p, b.len, &r);
	if (rc == 0) {
		if (a->json) {
			printf("{\"computer\":\"%s\",\"group\":", adm_cell(cr, C_ID));
			adm_json_str(adm_cell(gr, G_NAME));
			printf("}\n");
		} else {
			printf("Assigned %s to %s\n", adm_cell(cr, C_NAME) ?
			    adm_cell(cr, C_NAME) : adm_cell(cr, C_ID), adm_cell(gr, G_NAME));
		}
		adm_reply_free(&r);
	}
	wbuf_free(&b);
out:
	adm_reply_free(&c);
	adm_reply_free(&g);
	return rc;
}

/* --- reports -------------------------------------------------------------------- */

/* One pivoted line: counts per UpdateInstallationState (0..6). */
struct cmd_sum {
	const char *key;
	long        n[7];
};

static int
sum_cmp(const void *x, const void *y)
{
	return strcasecmp(((const struct cmd_sum *)x)->key, ((const struct cmd_sum *)y)->key);
}

/*
 * cmd_pivot - rows (key at col, state at S_STATE, count at S_COUNT) into
 * one cmd_sum per key, sorted by key.  malloc'd, *n entries.
 */
static struct cmd_sum *
cmd_pivot(const struct xml_node *arr, int col, size_t *n)
{
	struct cmd_ix *ix;
	struct cmd_sum *s;
	size_t nix, k = 0;

	*n = 0;
	if ((ix = ix_build(arr, col, &nix)) == NULL)
		return NULL;
	if ((s = calloc(nix, sizeof(*s))) == NULL) {
		free(ix);
		return NULL;
	}
	for (size_t i = 0; i < nix; i++) {
		const char *st = adm_cell(ix[i].row, S_STATE), *cnt = adm_cell(ix[i].row, S_COUNT);
		int state = st ? atoi(st) : 0;
		if (k == 0 || strcasecmp(s[k - 1].key, ix[i].key) != 0)
			s[k++].key = ix[i].key;
		if (state >= 0 && state < 7 && cnt != NULL)
			s[k - 1].n[state] += atol(cnt);
	}
	free(ix);
	*n = k;
	qsort(s, k, sizeof(*s), sum_cmp);
	return s;
}

static int
cmd_report(struct adm *a, int argc, char **argv)
{
	static const struct adm_col ucols[] = {
		{ "ID", ADM_S }, { "TITLE", ADM_S }, { "INSTALLED", ADM_N },
		{ "NEEDED", ADM_N }, { "FAILED", ADM_N }, { "NOT APPLICABLE", ADM_N },
		{ "UNKNOWN", ADM_N },
	};
	static const struct adm_col ccols[] = {
		{ "COMPUTER", ADM_S }, { "ID", ADM_S }, { "INSTALLED", ADM_N },
		{ "NEEDED", ADM_N }, { "FAILED", ADM_N }, { "NOT APPLICABLE", ADM_N },
		{ "UNKNOWN", ADM_N }, { "LAST REPORT", ADM_S },
	};
	const char *group = NULL, *gid = NULL;
	struct adm_reply s, names, g;
	struct cmd_sum *sum = NULL;
	struct cmd_ix *ix = NULL;
	struct adm_table t;
	struct wbuf sc, b;
	size_t nsum, nix;
	int per_update, rc;
	char num[5][24], when[32];

	if (argc < 2 || (strcmp(argv[1], "updates") != 0 && strcmp(argv[1], "computers") != 0))
		return cmd_usage("report");
	per_update = strcmp(argv[1], "updates") == 0;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--group") == 0) {
			if ((group = cmd_optarg(argc, argv, &i)) == NULL)
				return ADM_EXIT_USAGE;
		} else {
			return cmd_usage("report");
		}
	}
	memset(&s, 0, sizeof(s));
	memset(&names, 0, sizeof(names));
	if ((rc = cmd_get_groups(a, &g)) != 0)
		return rc;
	if (group != NULL) {
		const struct xml_node *gr = cmd_group_find(&g, group);
		if (gr == NULL) {
			adm_reply_free(&g);
			return cmd_no_group(group);
		}
		gid = adm_cell(gr, G_ID);
	}
	wbuf_init(&sc, 256);
	cmd_computer_scope(&sc, gid);
	wbuf_init(&b, 512);
	cmd_param(&b, "updateScopeXml", "<UpdateScope ApprovedStates=\"-1\" />");
	cmd_paramn(&b, "computerTargetScopeXml", sc.p ? sc.p : "", sc.len);
	cmd_param(&b, "preferredCulture", CMD_CULTURE);
	wbuf_puts(&b, "<publicationState>" CMD_PUB_ANY "</publicationState>");
	rc = adm_call(a, per_update ? "ExecuteSPGetSummariesPerUpdate" :
	    "ExecuteSPGetSummariesPerComputer", b.p, b.len, &s);
	if (rc == 0)
		rc = per_update ? cmd_search_updates(a, -1, NULL, &names) :
		    cmd_search_computers(a, gid, &names);
	if (rc != 0)
		goto out;
	sum = cmd_pivot(s.result, per_update ? S_UPDATE : S_COMPUTER, &nsum);
	if (per_update)
		ix = ix_build(xml_child(names.result, "minimalProperties"), U_ID, &nix);
	else
		ix = ix_build(cmd_set(&names, 0), C_ID, &nix);
	adm_table_init(&t, per_update ? ucols : ccols, per_update ? 7 : 8);
	for (size_t i = 0; i < nsum; i++) {
		const struct xml_node *nr = ix_find(ix, nix, sum[i].key);
		const long *n = sum[i].n;
		snprintf(num[0], sizeof(num[0]), "%ld", n[4] + n[6]);
		snprintf(num[1], sizeof(num[1]), "%ld", n[2] + n[3]);
		snprintf(num[2], sizeof(num[2]), "%ld", n[5]);
		snprintf(num[3], sizeof(num[3]), "%ld", n[1]);
		snprintf(num[4], sizeof(num[4]), "%ld", n[0]);
		if (per_update) {
			const char *cells[7] = { sum[i].key, nr ? adm_cell(nr, U_TITLE) : NULL,
			    num[0], num[1], num[2], num[3], num[4] };
			adm_table_add(&t, cells);
		} else {
			const char *cells[8] = { nr ? adm_cell(nr, C_NAME) : NULL, sum[i].key,
			    num[0], num[1], num[2], num[3], num[4],
			    nr ? cmd_when(a, adm_cell(nr, C_REPORT), when, sizeof(when)) : NULL };
			adm_table_add(&t, cells);
		}
	}
	adm_table_sort(&t, per_update ? 1 : 0);
	adm_table_print(&t, a->json);
	adm_table_free(&t);
out:
	free(sum);
	free(ix);
	wbuf_free(&sc);
	wbuf_free(&b);
	adm_reply_free(&s);
	adm_reply_free(&names);
	adm_reply_free(&g);
	return rc;
}

/* --- status and configuration ------------------------------------------------------- */

static int
cmd_status(struct adm *a, int argc, char **argv)
{
	static const char *const cnames[] = {
		"Updates", "Declined updates", "Not approved updates",
		"Updates with stale approvals", "Expired updates",
		"Critical/security updates not approved", "WSUS infrastructure updates not approved",
		"Updates with client errors", "Updates with server errors",
		"Updates needing files", "Custom computer groups", "Computers",
	};
	const char *names[16], *values[16];
	enum adm_type types[16];
	struct adm_reply v, role, st;
	const struct xml_node *row;
	char rolebuf[48];
	struct wbuf b;
	int n = 0, rc;

	(void)argv;
	if (argc != 1)
		return cmd_usage("status");
	memset(&role, 0, sizeof(role));
	memset(&st, 0, sizeof(st));
	if ((rc = adm_call(a, "GetServerVersion", "", 0, &v)) != 0)
		return rc;
	wbuf_init(&b, 512);
	if ((rc = adm_call(a, "GetCurrentUserRole", "", 0, &role)) != 0)
		goto out;
	wbuf_puts(&b, "<updateSources>-1</updateSources><includeDownstreamComputers>"
	    "false</includeDownstreamComputers>");
	cmd_param(&b, "updateScopeXml", "<UpdateScope ApprovedStates=\"-1\" />");
	cmd_param(&b, "computerTargetScopeXml",
	    "<ComputerTargetScope IncludeDownstreamComputerTargets=\"false\" />");
	cmd_param(&b, "preferredCulture", CMD_CULTURE);
	wbuf_puts(&b, "<publicationState>" CMD_PUB_ANY "</publicationState>"
	    "<propertiesToGet>-1</propertiesToGet>");
	if ((rc = adm_call(a, "ExecuteSPGetUpdateServerStatus", b.p, b.len, &st)) != 0)
		goto out;
	{
		const char *r = role.resp ? adm_text(role.resp, "GetCurrentUserRoleResult") : NULL;
		int rn = r ? atoi(r) : -1;
		snprintf(rolebuf, sizeof(rolebuf), "%s",
		    rn == 2 ? "Administrator" : rn == 1 ? "Reporter" : rn == 0 ? "none" :
		    r ? r : "?");
	}
	names[n] = "Server", values[n] = a->server, types[n++] = ADM_S;
	names[n] = "Version", values[n] = v.resp ? adm_text(v.resp, "GetServerVersionResult") : NULL,
	    types[n++] = ADM_S;
	names[n] = "Role", values[n] = rolebuf, types[n++] = ADM_S;
	row = adm_row_first(cmd_set(&st, 0));
	for (int i = 0; i < 12 && row != NULL; i++) {
		names[n] = cnames[i];
		values[n] = adm_cell(row, i);
		types[n++] = ADM_N;
	}
	adm_kv_print(names, values, types, n, a->json);
out:
	wbuf_free(&b);
	adm_reply_free(&v);
	adm_reply_free(&role);
	adm_reply_free(&st);
	return rc;
}

/* The <Configuration> row of an ExecuteSPGetConfiguration answer. */
static const struct xml_node *
cmd_config_row(const struct adm_reply *r)
{
	return r->result ? xml_child(r->result, "Configuration") : NULL;
}

static int
cmd_is_nil(const struct xml_node *n)
{
	for (unsigned i = 0; i < n->nattrs; i++) {
		const char *c = strrchr(n->attrs[i].name, ':');
		if (strcmp(c ? c + 1 : n->attrs[i].name, "nil") == 0)
			return strcmp(n->attrs[i].value, "true") == 0;
	}
	return 0;
}

static int
cmd_config(struct adm *a, int argc, char **argv)
{
	struct adm_reply r, w;
	const struct xml_node *row, *c, *hit = NULL;
	const char **names = NULL, **values = NULL;
	struct wbuf b;
	int n = 0, rc, nci = 0;

	if (!(argc == 1 || (argc == 4 && strcmp(argv[1], "set") == 0)))
		return cmd_usage("config");
	if ((rc = adm_call(a, "ExecuteSPGetConfiguration", "", 0, &r)) != 0)
		return rc;
	if ((row = cmd_config_row(&r)) == NULL) {
		fprintf(stderr, "wsusadm: the configuration answer has no <Configuration>\n");
		adm_reply_free(&r);
		return ADM_EXIT_PROTOCOL;
	}
	if (argc == 1) {
		for (c = row->first; c != NULL; c = c->next)
			n++;
		names = calloc((size_t)n + 1, sizeof(*names));
		values = calloc((size_t)n + 1, sizeof(*values));
		if (names == NULL || values == NULL) {
			rc = ADM_EXIT_PROTOCOL;
			goto out;
		}
		n = 0;
		for (c = row->first; c != NULL; c = c->next) {
			names[n] = c->local;
			values[n++] = cmd_is_nil(c) ? NULL : c->text;
		}
		adm_kv_print(names, values, NULL, n, a->json);
		goto out;
	}
	/* config set KEY VALUE: the exact key, else a unique case-insensitive
	 * match (the schema has both detectConfigChange and DetectConfigChange). */
	for (c = row->first; c != NULL; c = c->next)
		if (strcmp(c->local, argv[2]) == 0)
			hit = c;
	if (hit == NULL)
		for (c = row->first; c != NULL; c = c->next)
			if (strcasecmp(c->local, argv[2]) == 0) {
				hit = c;
				nci++;
			}
	if (hit == NULL || nci > 1) {
		fprintf(stderr, "wsusadm: %s configuration key \"%s\" (`wsusadm config` "
		    "lists them)\n", nci > 1 ? "ambiguous" : "no", argv[2]);
		rc = ADM_EXIT_USAGE;
		goto out;
	}
	/* The whole row as read, in the order read, with one field patched
	 * (what the Windows console sends), and the four empty lists. */
	wbuf_init(&b, 8192);
	wbuf_puts(&b, "<row>");
	for (c = row->first; c != NULL; c = c->next) {
		if (c == hit) {
			cmd_param(&b, c->local, argv[3]);
		} else if (cmd_is_nil(c)) {
			wbuf_printf(&b, "<%s xsi:nil=\"true\" />", c->local);
		} else {
			cmd_param(&b, c->local, c->text);
		}
	}
	wbuf_puts(&b, "</row><listTrue /><listFalse /><ussListTrue /><ussListFalse />"
	    "<programKeys />");
	rc = adm_call(a, "ExecuteSPSetConfiguration", b.p, b.len, &w);
	if (rc == 0) {
		if (a->json) {
			printf("{\"key\":\"%s\",\"before\":", hit->local);
			if (cmd_is_nil(hit))
				fputs("null", stdout);
			else
				adm_json_str(hit->text);
			printf(",\"after\":");
			adm_json_str(argv[3]);
			printf("}\n");
		} else {
			printf("%s: %s -> %s\n", hit->local, cmd_is_nil(hit) ? "(none)" :
			    hit->text, argv[3]);
		}
		adm_reply_free(&w);
	}
	wbuf_free(&b);
out:
	free(names);
	free(values);
	adm_reply_free(&r);
	return rc;
}

/* --- events and audit ------------------------------------------------------------ */

/* MessageTemplate with %1..%9 replaced by the ReplacementStrings. */
static void
cmd_message(struct wbuf *m, const struct xml_node *ev)
{
	const char *tpl = adm_text(ev, "MessageTemplate");
	const struct xml_node *rs = xml_child(ev, "ReplacementStrings"), *s;

	if (tpl == NULL)
		return;
	for (const char *p = tpl; *p; p++) {
		if (p[0] == '%' && p[1] >= '1' && p[1] <= '9') {
			int k = p[1] - '1';
			for (s = rs ? rs->first : NULL; s != NULL && k > 0; s = s->next)
				k--;
			wbuf_puts(m, s ? s->text : "");
			p++;
		} else {
			wbuf_putc(m, *p);
		}
	}
}

static int
cmd_events(struct adm *a, int argc, char **argv)
{
	static const struct adm_col cols[] = {
		{ "TIME", ADM_S }, { "COMPUTER", ADM_S }, { "EVENT", ADM_N },
		{ "UPDATE", ADM_S }, { "HRESULT", ADM_S }, { "MESSAGE", ADM_S },
	};
	char since[40] = "1753-01-01T00:00:00Z", when[32], hr[16];
	struct adm_reply e, c;
	struct adm_table t;
	struct cmd_ix *cix = NULL;
	size_t ncix = 0;
	const struct xml_node *ev;
	struct wbuf b, m;
	int rc;

	for (int i = 1; i < argc; i++) {
		const char *v;
		if (strcmp(argv[i], "--since") == 0) {
			if ((v = cmd_optarg(argc, argv, &i)) == NULL ||
			    cmd_date("--since", v, since, sizeof(since)) == -1)
				return ADM_EXIT_USAGE;
		} else {
			return cmd_usage("events");
		}
	}
	wbuf_init(&b, 512);
	wbuf_puts(&b, "<eventHistoryFilter>");
	wbuf_puts(&b, "<fromTimeAtTarget>1753-01-01T00:00:00Z</fromTimeAtTarget>"
	    "<toTimeAtTarget>9999-12-31T23:59:59Z</toTimeAtTarget>");
	cmd_param(&b, "fromTimeAtServer", since);
	wbuf_puts(&b, "<toTimeAtServer>9999-12-31T23:59:59Z</toTimeAtServer>"
	    "</eventHistoryFilter>");
	if ((rc = adm_call(a, "ExecuteSPSearchEventHistory", b.p, b.len, &e)) != 0) {
		wbuf_free(&b);
		return rc;
	}
	if ((rc = cmd_search_computers(a, NULL, &c)) != 0) {
		adm_reply_free(&e);
		wbuf_free(&b);
		return rc;
	}
	cix = ix_build(cmd_set(&c, 0), C_ID, &ncix);
	adm_table_init(&t, cols, 6);
	for (ev = e.result ? xml_child(e.result, "EventHistoryTableRow") : NULL; ev != NULL;
	    ev = xml_next_same(ev)) {
		const char *cid = adm_text(ev, "ComputerId"), *h = adm_text(ev, "Win32HResult");
		const struct xml_node *cr = ix_find(cix, ncix, cid);
		hr[0] = '\0';
		if (h != NULL && strcmp(h, "0") != 0)
			snprintf(hr, sizeof(hr), "0x%08X", (unsigned)strtol(h, NULL, 10));
		wbuf_init(&m, 128);
		cmd_message(&m, ev);
		const char *cells[6] = {
		    cmd_when(a, adm_text(ev, "TimeAtServer"), when, sizeof(when)),
		    cr && adm_cell(cr, C_NAME) ? adm_cell(cr, C_NAME) : cid,
		    adm_text(ev, "EventId"), adm_text(ev, "UpdateId"), hr[0] ? hr : NULL,
		    cmd_str(&m) };
		adm_table_add(&t, cells);
		wbuf_free(&m);
	}
	adm_table_print(&t, a->json);
	adm_table_free(&t);
	free(cix);
	wbuf_free(&b);
	adm_reply_free(&e);
	adm_reply_free(&c);
	return 0;
}

static int
cmd_audit(struct adm *a, int argc, char **argv)
{
	static const struct adm_col cols[] = {
		{ "SEQ", ADM_N }, { "TIME", ADM_S }, { "ACCOUNT", ADM_S },
		{ "ADDRESS", ADM_S }, { "PROGRAM", ADM_S }, { "ACTION", ADM_S },
		{ "OBJECT", ADM_S }, { "BEFORE", ADM_S }, { "AFTER", ADM_S },
	};
	char since[40] = "", when[32];
	struct adm_reply r;
	struct adm_table t;
	const struct xml_node *row;
	struct wbuf b;
	int rc;

	for (int i = 1; i < argc; i++) {
		const char *v;
		if (strcmp(argv[i], "--since") == 0) {
			if ((v = cmd_optarg(argc, argv, &i)) == NULL ||
			    cmd_date("--since", v, since, sizeof(since)) == -1)
				return ADM_EXIT_USAGE;
		} else {
			return cmd_usage("audit");
		}
	}
	wbuf_init(&b, 128);
	if (since[0])
		cmd_param(&b, "fromTime", since);
	rc = adm_call(a, "WsusdGetAuditLog", b.p ? b.p : "", b.len, &r);
	wbuf_free(&b);
	if (rc == ADM_EXIT_REFUSED)
		fprintf(stderr, "wsusadm: (the audit log is read through the wsusd "
		    "operation WsusdGetAuditLog of ApiRemoting30; a server without it "
		    "keeps its log for `wsusutil audit list` on the server only)\n");
	if (rc != 0)
		return rc;
	adm_table_init(&t, cols, 9);
	for (row = adm_row_first(r.result); row != NULL; row = adm_row_next(row)) {
		const char *cells[9] = { adm_cell(row, 0),
		    cmd_when(a, adm_cell(row, 1), when, sizeof(when)), adm_cell(row, 3),
		    adm_cell(row, 4), adm_cell(row, 2), adm_cell(row, 5), adm_cell(row, 6),
		    adm_cell(row, 7), adm_cell(row, 8) };
		adm_table_add(&t, cells);
	}
	adm_table_print(&t, a->json);
	adm_table_free(&t);
	adm_reply_free(&r);
	return 0;
}

/* --- dispatch ---------------------------------------------------------------------- */

const char *const adm_cmd_usage[] = {
	"status",
	"config [set KEY VALUE]",
	"updates [--search TEXT] [--approved] [--unapproved] [--declined]",
	"approve UPDATE GROUP [--deadline DATE]",
	"decline UPDATE",
	"groups",
	"group add NAME [--parent GROUP]",
	"group del NAME",
	"computers [--group GROUP]",
	"assign COMPUTER GROUP",
	"events [--since DATE]",
	"report updates|computers [--group GROUP]",
	"audit [--since DATE]",
	NULL
};

static const struct {
	const char *name;
	int (*fn)(struct adm *, int, char **);
} cmds[] = {
	{ "status", cmd_status }, { "config", cmd_config }, { "updates", cmd_updates },
	{ "approve", cmd_approve }, { "decline", cmd_decline }, { "groups", cmd_groups },
	{ "group", cmd_group }, { "computers", cmd_computers }, { "assign", cmd_assign },
	{ "events", cmd_events }, { "report", cmd_report }, { "audit", cmd_audit },
};

int
adm_cmd(struct adm *a, int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[0], cmds[i].name) == 0)
			return cmds[i].fn(a, argc, argv);
	fprintf(stderr, "wsusadm: unknown command \"%s\" (wsusadm --help)\n", argv[0]);
	return ADM_EXIT_USAGE;
}
