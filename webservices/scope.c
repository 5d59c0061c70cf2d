/*
 * scope.c - the two scope parameters of ApiRemoting30 (MS-WSUSAR):
 * updateScopeXml (<UpdateScope .../>) and computerTargetScopeXml
 * (<ComputerTargetScope .../>), strings that carry an XML fragment, and
 * the escaped GUID lists inside some of their attributes
 * ("<root><TargetGroupID>GUID</TargetGroupID>...</root>").
 *
 * Owns: turning them into the store's scope structs (console.h).  Each
 * is parsed by the bounded reader (xml.h: no DTD, no entities) under the
 * LIMIT_SCOPE_* limits, checked before anything runs.  Every attribute
 * is either honoured or refused with a reason naming it: an attribute
 * this server does not know or cannot honour is never ignored, because
 * an ignored filter widens what a console shows or changes.  Pure
 * functions over (pointer, length); no store access.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ws_int.h"

static const struct xml_limits scope_lim = {
	LIMIT_SCOPE_XML_BYTES, LIMIT_SCOPE_XML_DEPTH, LIMIT_SCOPE_XML_ELEMENTS,
	LIMIT_SCOPE_XML_BYTES,
};

/* Values consoles send for "all": -1, 0x7FFFFFFF (int max), 0xFFFFFF. */
static int
scope_is_all(long long v)
{
	return v == -1 || v == 0x7fffffff || v == 0xffffff;
}

static int
scope_bool(const char *v, int *out)
{
	if (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = 1;
	else if (strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

static int
scope_int(const char *v, long long *out)
{
	return soap_parse_int(v, strlen(v), INT32_MIN, UINT32_MAX, out);
}

/*
 * scope_date - a scope date: xsd:dateTime (zone optional, taken as
 * UTC).  The "never" sentinels consoles send (years before 1753, 9999)
 * leave the window open (*out = 0).
 */
static int
scope_date(const char *v, time_t *out)
{
	size_t n = strlen(v);

	if (n >= 4 && (strncmp(v, "9999", 4) == 0 || strncmp(v, "0001", 4) == 0 ||
	    (v[0] == '1' && v[1] <= '7' && strncmp(v, "1753", 4) <= 0))) {
		*out = 0;
		return 0;
	}
	if (soap_parse_datetime(v, n, out) == -1)
		return -1;
	if (*out == 0)
		*out = 1;   /* 0 means "open"; the epoch itself is one second off */
	return 0;
}

/*
 * scope_states - an installation-state bitmask (bit 1 << state).  "All"
 * values filter nothing (0).  The Unknown bit alone cannot be honoured:
 * computers that never reported an update have no row to count.
 */
static int
scope_states(const char *v, unsigned *out)
{
	long long n;

	if (scope_int(v, &n) == -1)
		return -1;
	if (scope_is_all(n) || (n & 0x7f) == 0x7f) {
		*out = 0;
		return 0;
	}
	if (n < 0 || n > 0x7f || (n & 1))
		return -1;
	*out = (unsigned)n;
	return 0;
}

int
scope_guid_list(const char *v, char *out, size_t outlen, char *why,
    size_t whylen)
{
	char err[128], g[37];
	struct xml_doc *d;
	struct xml_node *root, *k;
	uint8_t b[16];
	size_t used = 0;
	unsigned n = 0;
	int rc = -1;

	out[0] = '\0';
	if (v[0] == '\0')
		return 0;
	if ((d = xml_parse(v, strlen(v), &scope_lim, err, sizeof(err))) == NULL) {
		snprintf(why, whylen, "not a GUID list (%s)", err);
		return -1;
	}
	root = xml_root(d);
	for (k = root->first; k != NULL; k = k->next) {
		if (k->first != NULL || k->nattrs != 0 ||
		    cookie_guid_parse(k->text, k->text_len, b) == -1) {
			snprintf(why, whylen, "<%s> is not a GUID", k->local);
			goto out;
		}
		if (++n > STORE_SCOPE_GUIDS_MAX || used + 38 > outlen) {
			snprintf(why, whylen, "more than %d GUIDs",
			    STORE_SCOPE_GUIDS_MAX);
			goto out;
		}
		cookie_guid_format(b, g);
		used += (size_t)snprintf(out + used, outlen - used, "%s%s",
		    used ? "," : "", g);
	}
	rc = 0;
out:
	xml_free(d);
	return rc;
}

/* A text attribute into a fixed buffer; too long is a fault. */
static int
scope_text(const char *v, char *out, size_t len)
{
	if (strlen(v) >= len)
		return -1;
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

/*
 * scope_open - parse (xml, len) and check the root element is `root`,
 * with no children and at most LIMIT_SCOPE_ATTRS attributes.  Returns
 * the document (caller frees), or NULL with the reason in why.
 */
static struct xml_doc *
scope_open(const char *xml, size_t len, const char *root, char *why,
    size_t whylen)
{
	char err[128];
	struct xml_doc *d;
	struct xml_node *r;

	if (len > LIMIT_SCOPE_XML_BYTES) {
		snprintf(why, whylen, "more than %u bytes", LIMIT_SCOPE_XML_BYTES);
		return NULL;
	}
	if ((d = xml_parse(xml, len, &scope_lim, err, sizeof(err))) == NULL) {
		snprintf(why, whylen, "not a scope: %s", err);
		return NULL;
	}
	r = xml_root(d);
	if (strcmp(r->local, root) != 0)
		snprintf(why, whylen, "the root element is <%s>, not <%s>",
		    r->local, root);
	else if (r->nattrs > LIMIT_SCOPE_ATTRS)
		snprintf(why, whylen, "more than %d attributes",
		    LIMIT_SCOPE_ATTRS);
	else if (r->first != NULL)
		snprintf(why, whylen, "child element <%s> is not supported by "
		    "this server", r->first->local);
	else
		return d;
	xml_free(d);
	return NULL;
}

/* Namespace declarations carry no filter. */
static int
scope_is_xmlns(const char *name)
{
	return strcmp(name, "xmlns") == 0 || strncmp(name, "xmlns:", 6) == 0;
}

int
scope_update(const char *xml, size_t len, struct store_update_scope *s,
    char *why, size_t whylen)
{
	struct xml_doc *d;
	struct xml_node *r;
	char lwhy[160];
	long long n;
	int b;

	store_update_scope_init(s);
	if (xml == NULL || len == 0)
		return 0;
	if ((d = scope_open(xml, len, "UpdateScope", why, whylen)) == NULL)
		return -1;
	r = xml_root(d);
	for (unsigned i = 0; i < r->nattrs; i++) {
		const char *a = r->attrs[i].name, *v = r->attrs[i].value;

		if (scope_is_xmlns(a))
			continue;
		if (strcmp(a, "ApprovedStates") == 0) {
			if (scope_int(v, &n) == -1)
				goto bad;
			if (scope_is_all(n) || (n & 0xf) == 0xf)
				s->approved_states = 0;
			else if (n <= 0 || n > 0xf)
				goto bad;
			else
				s->approved_states = (unsigned)n;
		} else if (strcmp(a, "FromArrivalDate") == 0) {
			if (scope_date(v, &s->from_arrival) == -1)
				goto bad;
		} else if (strcmp(a, "ToArrivalDate") == 0) {
			if (scope_date(v, &s->to_arrival) == -1)
				goto bad;
		} else if (strcmp(a, "FromCreationDate") == 0 ||
		    strcmp(a, "ToCreationDate") == 0) {
			time_t t;
			/* The publisher's date is not recorded: only "open" passes. */
			if (scope_date(v, &t) == -1 || t != 0)
				goto unsupported;
		} else if (strcmp(a, "UpdateTypes") == 0) {
			if (scope_int(v, &n) == -1 || !(scope_is_all(n) || n == 0))
				goto unsupported;
		} else if (strcmp(a, "IncludedInstallationStates") == 0) {
			if (scope_states(v, &s->states_in) == -1)
				goto unsupported;
		} else if (strcmp(a, "ExcludedInstallationStates") == 0) {
			if (scope_int(v, &n) == -1)
				goto bad;
			if (n != 0 && scope_states(v, &s->states_out) == -1)
				goto unsupported;
		} else if (strcmp(a, "TextIncludes") == 0) {
			if (scope_text(v, s->text_includes,
			    sizeof(s->text_includes)) == -1)
				goto bad;
		} else if (strcmp(a, "TextNotIncludes") == 0) {
			if (scope_text(v, s->text_not_includes,
			    sizeof(s->text_not_includes)) == -1)
				goto bad;
		} else if (strcmp(a, "IsWsusInfrastructureUpdate") == 0) {
			if (scope_bool(v, &s->infrastructure_only) == -1)
				goto bad;
		} else if (strcmp(a, "Classifications") == 0 ||
		    strcmp(a, "Categories") == 0 ||
		    strcmp(a, "ApprovedComputerTargetGroups") == 0) {
			char *out = a[0] == 'A' ? s->approved_groups :
			    a[1] == 'l' ? s->classifications : s->categories;
			if (scope_guid_list(v, out, STORE_SCOPE_LIST_MAX, lwhy,
			    sizeof(lwhy)) == -1) {
				snprintf(why, whylen, "attribute %s: %s", a, lwhy);
				goto fail;
			}
		} else if (strcmp(a, "UpdateApprovalActions") == 0) {
			if (scope_int(v, &n) == -1)
				goto bad;
			if (scope_is_all(n))
				s->approval_actions = 0;
			else if (n <= 0 || n > 3)
				goto unsupported;
			else
				s->approval_actions = (unsigned)n;
		} else if (strcmp(a, "ExcludeOptionalUpdates") == 0) {
			/* Optional approvals are never made here: "false" is all. */
			if (scope_bool(v, &b) == -1)
				goto bad;
			if (b)
				goto unsupported;
		} else {
			snprintf(why, whylen, "attribute %s is not supported by "
			    "this server", a);
			goto fail;
		}
		continue;
bad:
		snprintf(why, whylen, "attribute %s: bad value", a);
		goto fail;
unsupported:
		snprintf(why, whylen, "attribute %s=\"%.40s\" is not supported "
		    "by this server", a, v);
		goto fail;
	}
	xml_free(d);
	return 0;
fail:
	xml_free(d);
	return -1;
}

int
scope_computer(const char *xml, size_t len, struct store_computer_scope *s,
    char *why, size_t whylen)
{
	struct xml_doc *d;
	struct xml_node *r;
	char lwhy[160];
	long long n;
	int b;

	store_computer_scope_init(s);
	/* The API's default: direct members only. */
	s->include_subgroups = 0;
	if (xml == NULL || len == 0)
		return 0;
	if ((d = scope_open(xml, len, "ComputerTargetScope", why, whylen)) ==
	    NULL)
		return -1;
	r = xml_root(d);
	for (unsigned i = 0; i < r->nattrs; i++) {
		const char *a = r->attrs[i].name, *v = r->attrs[i].value;

		if (scope_is_xmlns(a))
			continue;
		if (strcmp(a, "NameIncludes") == 0) {
			if (scope_text(v, s->name_includes,
			    sizeof(s->name_includes)) == -1)
				goto bad;
		} else if (strcmp(a, "FromLastSyncTime") == 0) {
			if (scope_date(v, &s->from_sync) == -1)
				goto bad;
		} else if (strcmp(a, "ToLastSyncTime") == 0) {
			if (scope_date(v, &s->to_sync) == -1)
				goto bad;
		} else if (strcmp(a, "FromLastReportedStatusTime") == 0) {
			if (scope_date(v, &s->from_report) == -1)
				goto bad;
		} else if (strcmp(a, "ToLastReportedStatusTime") == 0) {
			if (scope_date(v, &s->to_report) == -1)
				goto bad;
		} else if (strcmp(a, "IncludedInstallationStates") == 0) {
			if (scope_states(v, &s->states_in) == -1)
				goto unsupported;
		} else if (strcmp(a, "ExcludedInstallationStates") == 0) {
			if (scope_int(v, &n) == -1)
				goto bad;
			if (n != 0 && scope_states(v, &s->states_out) == -1)
				goto unsupported;
		} else if (strcmp(a, "ComputerTargetGroups") == 0) {
			if (scope_guid_list(v, s->groups, sizeof(s->groups), lwhy,
			    sizeof(lwhy)) == -1) {
				snprintf(why, whylen, "attribute %s: %s", a, lwhy);
				goto fail;
			}
		} else if (strcmp(a, "IncludeSubgroups") == 0) {
			if (scope_bool(v, &s->include_subgroups) == -1)
				goto bad;
		} else if (strcmp(a, "IncludeDownstreamComputerTargets") == 0) {
			/* No downstream servers report here: both values agree. */
			if (scope_bool(v, &b) == -1)
				goto bad;
		} else if (strcmp(a, "RequestedTargetGroupNames") == 0) {
			if (v[0] != '\0')
				goto unsupported;
		} else {
			snprintf(why, whylen, "attribute %s is not supported by "
			    "this server", a);
			goto fail;
		}
		continue;
bad:
		snprintf(why, whylen, "attribute %s: bad value", a);
		goto fail;
unsupported:
		snprintf(why, whylen, "attribute %s=\"%.40s\" is not supported "
		    "by this server", a, v);
		goto fail;
	}
	xml_free(d);
	return 0;
fail:
	xml_free(d);
	return -1;
}
