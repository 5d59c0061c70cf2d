/*
 * test_scope.c - the ApiRemoting30 scope parser (webservices/scope.c):
 * table-driven UpdateScope and ComputerTargetScope cases, raw bytes in,
 * the parsed filter or the refusal (with the attribute it names) out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "ws_int.h"

#define G1 "0fa1201d-4330-4fa8-8ae9-b877473b6441"
#define G2 "e6cf1350-c01b-414d-a61f-263d14d133b4"
#define LIST(x) "&lt;root&gt;&lt;TargetGroupID&gt;" x "&lt;/TargetGroupID&gt;&lt;/root&gt;"

struct ucase {
	int         line;
	const char *xml;
	int         rc;               /* 0 parsed, -1 refused */
	const char *why;              /* substring of the reason when refused */
	unsigned    approved;         /* expected approved_states */
	const char *text;             /* expected text_includes */
	const char *groups;           /* expected approved_groups */
	unsigned    states_in;
};

static const struct ucase ucases[] = {
	{ __LINE__, "", 0, NULL, 0, "", "", 0 },
	{ __LINE__, "<UpdateScope />", 0, NULL, 0, "", "", 0 },
	{ __LINE__, "<UpdateScope ApprovedStates=\"-1\" />", 0, NULL, 0, "", "", 0 },
	{ __LINE__, "<UpdateScope ApprovedStates=\"16777215\" />", 0, NULL, 0, "", "", 0 },
	{ __LINE__, "<UpdateScope ApprovedStates=\"1\" />", 0, NULL, 1, "", "", 0 },
	{ __LINE__, "<UpdateScope ApprovedStates=\"12\" />", 0, NULL, 12, "", "", 0 },
	{ __LINE__, "<UpdateScope ApprovedStates=\"16\" />", -1, "ApprovedStates", 0, "", "", 0 },
	{ __LINE__, "<UpdateScope ApprovedStates=\"x\" />", -1, "ApprovedStates: bad value", 0, "", "", 0 },
	{ __LINE__, "<UpdateScope TextIncludes=\"KB5000\" />", 0, NULL, 0, "KB5000", "", 0 },
	{ __LINE__, "<UpdateScope ApprovedComputerTargetGroups=\"" LIST(G1) "\" />",
	    0, NULL, 0, "", G1, 0 },
	{ __LINE__, "<UpdateScope ApprovedComputerTargetGroups=\""
	    "&lt;root&gt;&lt;TargetGroupID&gt;{" G1 "}&lt;/TargetGroupID&gt;"
	    "&lt;TargetGroupID&gt;" G2 "&lt;/TargetGroupID&gt;&lt;/root&gt;\" />",
	    0, NULL, 0, "", G1 "," G2, 0 },
	{ __LINE__, "<UpdateScope ApprovedComputerTargetGroups=\"" LIST("nope") "\" />",
	    -1, "ApprovedComputerTargetGroups: <TargetGroupID> is not a GUID", 0, "", "", 0 },
	{ __LINE__, "<UpdateScope IncludedInstallationStates=\"16\" />", 0, NULL, 0, "", "", 16 },
	{ __LINE__, "<UpdateScope IncludedInstallationStates=\"-1\" />", 0, NULL, 0, "", "", 0 },
	/* Unknown alone cannot be counted: refused, not ignored. */
	{ __LINE__, "<UpdateScope IncludedInstallationStates=\"1\" />", -1,
	    "IncludedInstallationStates", 0, "", "", 0 },
	{ __LINE__, "<UpdateScope FromArrivalDate=\"0001-01-01T00:00:00\" />", 0, NULL, 0, "", "", 0 },
	{ __LINE__, "<UpdateScope FromArrivalDate=\"yesterday\" />", -1, "FromArrivalDate", 0, "", "", 0 },
	{ __LINE__, "<UpdateScope FromCreationDate=\"2020-01-01T00:00:00\" />", -1,
	    "FromCreationDate=\"2020-01-01T00:00:00\" is not supported", 0, "", "", 0 },
	{ __LINE__, "<UpdateScope FromCreationDate=\"1753-01-01T00:00:00\" />", 0, NULL, 0, "", "", 0 },
	{ __LINE__, "<UpdateScope UpdateTypes=\"2\" />", -1, "UpdateTypes", 0, "", "", 0 },
	{ __LINE__, "<UpdateScope ExcludeOptionalUpdates=\"true\" />", -1, "ExcludeOptionalUpdates", 0, "", "", 0 },
	{ __LINE__, "<UpdateScope ExcludeOptionalUpdates=\"false\" />", 0, NULL, 0, "", "", 0 },
	{ __LINE__, "<UpdateScope Magic=\"1\" />", -1, "attribute Magic is not supported", 0, "", "", 0 },
	{ __LINE__, "<UpdateScope xmlns=\"urn:x\" ApprovedStates=\"4\" />", 0, NULL, 4, "", "", 0 },
	{ __LINE__, "<UpdateScope><UpdateApprovalScope /></UpdateScope>", -1,
	    "child element <UpdateApprovalScope>", 0, "", "", 0 },
	{ __LINE__, "<ComputerTargetScope />", -1, "root element is <ComputerTargetScope>", 0, "", "", 0 },
	{ __LINE__, "<!DOCTYPE UpdateScope [<!ENTITY x \"1\">]><UpdateScope ApprovedStates=\"&x;\" />",
	    -1, "not a scope", 0, "", "", 0 },
	{ __LINE__, "<UpdateScope ApprovedStates=\"1\"", -1, "not a scope", 0, "", "", 0 },
	{ __LINE__, "<UpdateScope a=\"1\" a=\"2\" />", -1, "not a scope", 0, "", "", 0 },
};

static void
test_update_scopes(void)
{
	for (size_t i = 0; i < sizeof(ucases) / sizeof(ucases[0]); i++) {
		const struct ucase *k = &ucases[i];
		struct store_update_scope s;
		char why[256] = "";
		int rc = scope_update(k->xml, strlen(k->xml), &s, why, sizeof(why));

		T_CHECK(k->line, rc == k->rc, "rc %d, want %d (%s)", rc, k->rc, why);
		if (rc != 0 || k->rc != 0) {
			if (k->why != NULL)
				T_CHECK(k->line, strstr(why, k->why) != NULL,
				    "reason \"%s\" lacks \"%s\"", why, k->why);
			continue;
		}
		T_CHECK(k->line, s.approved_states == k->approved &&
		    strcmp(s.text_includes, k->text) == 0 &&
		    strcmp(s.approved_groups, k->groups) == 0 &&
		    s.states_in == k->states_in,
		    "approved %u text \"%s\" groups \"%s\" states %u", s.approved_states,
		    s.text_includes, s.approved_groups, s.states_in);
	}
}

struct ccase {
	int         line;
	const char *xml;
	int         rc;
	const char *why;
	const char *name;
	const char *groups;
	int         subgroups;
};

static const struct ccase ccases[] = {
	{ __LINE__, "", 0, NULL, "", "", 0 },
	{ __LINE__, "<ComputerTargetScope IncludeDownstreamComputerTargets=\"false\" />", 0, NULL, "", "", 0 },
	{ __LINE__, "<ComputerTargetScope NameIncludes=\"web\" IncludeSubgroups=\"true\" />", 0, NULL, "web", "", 1 },
	{ __LINE__, "<ComputerTargetScope ComputerTargetGroups=\"" LIST(G2) "\" />", 0, NULL, "", G2, 0 },
	{ __LINE__, "<ComputerTargetScope IncludeSubgroups=\"maybe\" />", -1, "IncludeSubgroups: bad value", "", "", 0 },
	{ __LINE__, "<ComputerTargetScope RequestedTargetGroupNames=\"x\" />", -1,
	    "RequestedTargetGroupNames", "", "", 0 },
	{ __LINE__, "<ComputerTargetScope FromLastSyncTime=\"2026-01-01T00:00:00Z\" />", 0, NULL, "", "", 0 },
	{ __LINE__, "<ComputerTargetScope OSFamily=\"Windows\" />", -1, "attribute OSFamily", "", "", 0 },
	{ __LINE__, "<ComputerTargetScope ComputerTargetGroups=\"&lt;root&gt;&lt;!DOCTYPE x&gt;&lt;/root&gt;\" />",
	    -1, "ComputerTargetGroups: not a GUID list", "", "", 0 },
};

static void
test_computer_scopes(void)
{
	for (size_t i = 0; i < sizeof(ccases) / sizeof(ccases[0]); i++) {
		const struct ccase *k = &ccases[i];
		struct store_computer_scope s;
		char why[256] = "";
		int rc = scope_computer(k->xml, strlen(k->xml), &s, why, sizeof(why));

		T_CHECK(k->line, rc == k->rc, "rc %d, want %d (%s)", rc, k->rc, why);
		if (rc != 0 || k->rc != 0) {
			if (k->why != NULL)
				T_CHECK(k->line, strstr(why, k->why) != NULL,
				    "reason \"%s\" lacks \"%s\"", why, k->why);
			continue;
		}
		T_CHECK(k->line, strcmp(s.name_includes, k->name) == 0 &&
		    strcmp(s.groups, k->groups) == 0 && s.include_subgroups == k->subgroups,
		    "name \"%s\" groups \"%s\" subgroups %d", s.name_includes, s.groups,
		    s.include_subgroups);
	}
}

/* The limits: attributes, bytes, GUIDs in a list. */
static void
test_limits(void)
{
	struct store_computer_scope cs;
	struct store_update_scope us;
	char why[256], *buf = malloc(LIMIT_SCOPE_XML_BYTES * 4);
	size_t n;

	T_OK(buf != NULL, "malloc");
	if (buf == NULL)
		return;
	/* LIMIT_SCOPE_ATTRS attributes pass the count (then fail by name). */
	n = (size_t)sprintf(buf, "<ComputerTargetScope");
	for (int i = 0; i < LIMIT_SCOPE_ATTRS + 1; i++)
		n += (size_t)sprintf(buf + n, " a%d=\"1\"", i);
	n += (size_t)sprintf(buf + n, " />");
	T_OK(scope_computer(buf, n, &cs, why, sizeof(why)) == -1 &&
	    strstr(why, "more than 32 attributes") != NULL, "33 attributes: %s", why);
	/* 10,000 attributes: over the byte limit before expat sees them. */
	n = (size_t)sprintf(buf, "<UpdateScope");
	for (int i = 0; i < 10000 && n < LIMIT_SCOPE_XML_BYTES * 3; i++)
		n += (size_t)sprintf(buf + n, " a%d=\"1\"", i);
	n += (size_t)sprintf(buf + n, " />");
	T_OK(scope_update(buf, n, &us, why, sizeof(why)) == -1 &&
	    strstr(why, "more than") != NULL, "10,000 attributes: %s", why);
	/* STORE_SCOPE_GUIDS_MAX + 1 GUIDs in a list. */
	n = (size_t)sprintf(buf, "<ComputerTargetScope ComputerTargetGroups=\"&lt;r&gt;");
	for (int i = 0; i <= STORE_SCOPE_GUIDS_MAX; i++)
		n += (size_t)sprintf(buf + n, "&lt;i&gt;" G1 "&lt;/i&gt;");
	n += (size_t)sprintf(buf + n, "&lt;/r&gt;\" />");
	T_OK(scope_computer(buf, n, &cs, why, sizeof(why)) == -1, "257 GUIDs: %s", why);
	free(buf);
}

int
main(void)
{
	test_update_scopes();
	test_computer_scopes();
	test_limits();
	return t_done("test_scope");
}
