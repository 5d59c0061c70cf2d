/*
 * client.c - ClientWebService (MS-WUSP §3.1.5): the ten operations a
 * Windows Update Agent calls to scan, plus the client-cookie checks that
 * ReportingWebService shares.
 *
 * Owns: request validation (every id, count and date bounded before use),
 * the cookie state machine (InvalidCookie, ServerChanged, CookieExpired,
 * ConfigChanged, RegistrationRequired), the response shapes the real
 * captures show, the bounds on what a request may make an answer hold
 * (each fragment type, revision and file once; LIMIT_EXTENDED_LOCALES;
 * LIMIT_ANSWER_BYTES) and the budget of new computers per client address
 * (ws_client_admit, which reporting.c shares).  The scan itself (which updates a computer gets) is
 * catalog.c's; persistence is store/'s.  Never trusts anything in a
 * request beyond the fixed cookie layout of cookie.c.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "log.h"
#include "ws_int.h"

#define CLIENT_PROTOCOL_VERSION  "3.2"
#define CLIENT_AUTH_PLUGIN       "SimpleTargeting"
#define CLIENT_GROUPS_MAX        64
/*
 * A computer's last sync time is written at most this often (seconds):
 * the write was 5 % of a delta scan.  A stale value only makes
 * ChangedUpdates repeat an approval change the client already has.
 */
#define CLIENT_SYNC_RECORD_S     60

/* Map a cookie_open verdict to its fault; 0 when the cookie is good. */
static int
client_cookie_fault(struct ws_call *c, enum cookie_status s)
{
	switch (s) {
	case COOKIE_OK:
		return 0;
	case COOKIE_SERVER_CHANGED:
		soap_fault(c, "ServerChanged", "");
		break;
	case COOKIE_EXPIRED:
		soap_fault(c, "CookieExpired", "");
		break;
	case COOKIE_CONFIG_CHANGED:
		soap_fault(c, "ConfigChanged", "");
		break;
	default:
		soap_fault(c, "InvalidCookie", "");
		break;
	}
	return -1;
}

int
ws_client_cookie(struct ws_call *c, const struct xml_node *cookie_el,
    struct cookie *ck)
{
	const char *data = soap_text(cookie_el, "EncryptedData");

	if (data == NULL)
		return client_cookie_fault(c, COOKIE_INVALID);
	return client_cookie_fault(c, cookie_open(data, strlen(data), COOKIE_CLIENT,
	    ws_server_id, c->req->config_gen, c->now, ck));
}

int
ws_new_cookie(struct ws_call *c, const char *name, const struct cookie *base)
{
	struct cookie ck = *base;
	char b64[COOKIE_B64_MAX + 1], exp[40];

	ck.kind = COOKIE_CLIENT;
	ck.issued = c->now;
	ck.expires = c->now + ws_cookie_lifetime;
	ck.config_gen = c->req->config_gen;
	memcpy(ck.server_id, ws_server_id, sizeof(ck.server_id));
	if (cookie_seal(&ck, b64, sizeof(b64)) == -1)
		return -1;
	soap_format_datetime((time_t)ck.expires, 7, exp);
	wbuf_printf(&c->out, "<%s>", name);
	soap_elem(&c->out, "Expiration", exp);
	soap_elem(&c->out, "EncryptedData", b64);
	wbuf_printf(&c->out, "</%s>", name);
	return 0;
}

/* The computer must have called RegisterComputer (IsRegistrationRequired). */
static int
client_registered(struct ws_call *c, const struct cookie *ck,
    struct store_computer *comp)
{
	char id[37];
	int rc;

	cookie_guid_format(ck->computer_id, id);
	rc = store_computer_get(c->st, id, comp);
	if (rc == 1)
		return 0;
	soap_fault(c, rc == 0 ? "RegistrationRequired" : "InternalServerError", "");
	return -1;
}

/* Parse an ArrayOfInt element into a malloc'd array (caller frees). */
static int
client_int_array(const struct xml_node *arr, int max, int64_t **out, int *n)
{
	const struct xml_node *k;
	int count = 0;

	*out = NULL;
	*n = 0;
	if (arr == NULL)
		return 0;
	if ((count = (int)xml_count(arr, "int")) > max)
		return -1;
	if (count == 0)
		return 0;
	if ((*out = calloc((size_t)count, sizeof(**out))) == NULL)
		return -1;
	for (k = xml_child(arr, "int"); k != NULL; k = xml_next_same(k)) {
		long long v;
		if (soap_parse_int(k->text, k->text_len, 1, INT32_MAX, &v) == -1) {
			free(*out);
			*out = NULL;
			return -1;
		}
		(*out)[(*n)++] = v;
	}
	return 0;
}

/* The group the cookie asks for (client-side targeting) into out, or NULL. */
static const char *
client_requested_group(const struct cookie *ck, char out[37])
{
	static const uint8_t zero[16];

	if (memcmp(ck->group_id, zero, 16) == 0)
		return NULL;
	cookie_guid_format(ck->group_id, out);
	return out;
}

/*
 * Groups whose approvals apply to this computer (with ancestors): the
 * store decides, under the targeting mode in force, whether the cookie's
 * group counts (store_computer_targets).
 */
static int
client_groups(struct ws_call *c, const struct cookie *ck,
    char (*groups)[STORE_GUID_LEN + 1])
{
	char id[37], grp[37];

	cookie_guid_format(ck->computer_id, id);
	return store_computer_targets(c->st, id, client_requested_group(ck, grp),
	    groups, CLIENT_GROUPS_MAX);
}

/*
 * client_addr - the key new computers are counted under: the peer's
 * IPv4 address (also when it arrives IPv4-mapped), or its IPv6 /64 (one
 * host usually holds a whole /64).  "unknown" without an address.
 */
static void
client_addr(const char *ip, char out[WS_ADDR_KEY_MAX])
{
	struct in6_addr a6;
	struct in_addr a4;
	char buf[INET6_ADDRSTRLEN];

	snprintf(out, WS_ADDR_KEY_MAX, "unknown");
	if (ip == NULL)
		return;
	if (inet_pton(AF_INET, ip, &a4) == 1) {
		snprintf(out, WS_ADDR_KEY_MAX, "%s", ip);
		return;
	}
	if (inet_pton(AF_INET6, ip, &a6) != 1)
		return;
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		memcpy(&a4, &a6.s6_addr[12], 4);
		if (inet_ntop(AF_INET, &a4, buf, sizeof(buf)) != NULL)
			snprintf(out, WS_ADDR_KEY_MAX, "%s", buf);
		return;
	}
	memset(&a6.s6_addr[8], 0, 8);
	if (inet_ntop(AF_INET6, &a6, buf, sizeof(buf)) != NULL)
		snprintf(out, WS_ADDR_KEY_MAX, "%s/64", buf);
}

int
ws_client_admit(struct ws_call *c, const char *computer_id)
{
	char from[WS_ADDR_KEY_MAX];
	int rc;

	client_addr(c->req->client_ip, from);
	rc = store_computer_admit(c->st, computer_id, from, c->now,
	    LIMIT_REGISTRATION_WINDOW_S, ws_registrations_per_addr);
	if (rc == -2) {
		log_info("%s: new computer %s from %s refused: %u new computers "
		    "from that address in the last %u s", c->opname, computer_id,
		    from, ws_registrations_per_addr, LIMIT_REGISTRATION_WINDOW_S);
		soap_fault(c, "ServerBusy", "Too many new computers registered "
		    "from this address; try again later.");
		return -1;
	}
	if (rc == -1) {
		soap_fault(c, "InternalServerError", "");
		return -1;
	}
	return 0;
}

/* GetConfig (§3.1.5.1): where to authenticate and what the server speaks. */
static int
client_get_config(struct ws_call *c)
{
	char when[40];
	static const struct { const char *name, *value; } props[] = {
		{ "MaxExtendedUpdatesPerRequest", "50" },
		{ "ProtocolVersion", CLIENT_PROTOCOL_VERSION },
		{ "IsInventoryRequired", "0" },
		{ "ClientReportingLevel", "2" },
	};

	soap_format_datetime(c->req->config_changed, 0, when);
	soap_begin(c);
	wbuf_puts(&c->out, "<GetConfigResult>");
	soap_elem(&c->out, "LastChange", when);
	soap_elem_bool(&c->out, "IsRegistrationRequired", 1);
	wbuf_puts(&c->out, "<AuthInfo><AuthPlugInInfo><PlugInID>" CLIENT_AUTH_PLUGIN
	    "</PlugInID><ServiceUrl>SimpleAuthWebService/SimpleAuth.asmx</ServiceUrl>"
	    "<Parameter /></AuthPlugInInfo></AuthInfo><Properties>");
	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
		wbuf_puts(&c->out, "<ConfigurationProperty>");
		soap_elem(&c->out, "Name", props[i].name);
		soap_elem(&c->out, "Value", props[i].value);
		wbuf_puts(&c->out, "</ConfigurationProperty>");
	}
	wbuf_puts(&c->out, "</Properties></GetConfigResult>");
	soap_end(c);
	return soap_finish(c);
}

/* GetCookie (§3.1.5.2): exactly one valid authorization cookie in, a
 * client cookie out. */
static int
client_get_cookie(struct ws_call *c)
{
	const struct xml_node *arr = xml_child(c->op, "authCookies"), *ac, *found = NULL;
	const char *last = soap_text(c->op, "lastChange");
	struct cookie auth;
	enum cookie_status s;
	time_t lc;
	int n = 0;

	for (ac = arr ? xml_child(arr, "AuthorizationCookie") : NULL; ac != NULL;
	    ac = xml_next_same(ac)) {
		const char *pid = soap_text(ac, "PlugInId");
		n++;
		if (pid != NULL && strcmp(pid, CLIENT_AUTH_PLUGIN) == 0)
			found = ac;
	}
	if (n != 1 || found == NULL || soap_text(found, "CookieData") == NULL)
		return soap_fault(c, "InvalidAuthorizationCookie", "");
	s = cookie_open(soap_text(found, "CookieData"),
	    strlen(soap_text(found, "CookieData")), COOKIE_AUTH, ws_server_id,
	    c->req->config_gen, c->now, &auth);
	if (s == COOKIE_CONFIG_CHANGED)
		return soap_fault(c, "ConfigChanged", "");
	if (s == COOKIE_SERVER_CHANGED)
		return soap_fault(c, "ServerChanged", "");
	if (s != COOKIE_OK)
		return soap_fault(c, "InvalidAuthorizationCookie", "");
	/* A client that saw an older configuration must fetch it again. */
	if (last != NULL && (soap_parse_datetime(last, strlen(last), &lc) == -1 ||
	    lc != c->req->config_changed))
		return soap_fault(c, "ConfigChanged", "");
	soap_begin(c);
	if (ws_new_cookie(c, "GetCookieResult", &auth) == -1)
		return -1;
	soap_end(c);
	return soap_finish(c);
}

/* RegisterComputer (§3.1.5.3): record what the client says it is. */
static int
client_register(struct ws_call *c)
{
	const struct xml_node *ci = xml_child(c->op, "computerInfo");
	struct store_computer comp;
	struct cookie ck;
	char group[37] = "";
	const char *v;
	long long pt;

	if (ws_client_cookie(c, xml_child(c->op, "cookie"), &ck) == -1)
		return 0;
	if (ci == NULL)
		return soap_fault(c, "InvalidParameters", "computerInfo");
	memset(&comp, 0, sizeof(comp));
	cookie_guid_format(ck.computer_id, comp.computer_id);
	if ((v = soap_text(ci, "DnsName")) != NULL)
		snprintf(comp.dns_name, sizeof(comp.dns_name), "%s", v);
	if ((v = soap_text(ci, "OSDescription")) != NULL)
		snprintf(comp.os_description, sizeof(comp.os_description), "%s", v);
	snprintf(comp.client_version, sizeof(comp.client_version), "%s.%s.%s.%s",
	    soap_text(ci, "ClientVersionMajorNumber") ? soap_text(ci, "ClientVersionMajorNumber") : "0",
	    soap_text(ci, "ClientVersionMinorNumber") ? soap_text(ci, "ClientVersionMinorNumber") : "0",
	    soap_text(ci, "ClientVersionBuildNumber") ? soap_text(ci, "ClientVersionBuildNumber") : "0",
	    soap_text(ci, "ClientVersionQfeNumber") ? soap_text(ci, "ClientVersionQfeNumber") : "0");
	if (c->req->client_ip)
		snprintf(comp.ip, sizeof(comp.ip), "%s", c->req->client_ip);
	/* OldProductType: 1 workstation, 2 domain controller, 3 server. */
	if ((v = soap_text(ci, "OldProductType")) != NULL &&
	    soap_parse_int(v, strlen(v), 0, 255, &pt) == 0)
		comp.product_type = (int)pt;
	comp.registered = c->now;
	/* A computer new to the store counts against its address's budget. */
	if (ws_client_admit(c, comp.computer_id) == -1)
		return 0;
	if (store_computer_upsert(c->st, &comp) == -1)
		return -1;
	/*
	 * Client-side targeting: the computer joins the group its policy
	 * names, unless targeting is server-side or an administrator
	 * assigned it (the store decides, and keeps the administrator's).
	 */
	switch (store_computer_request(c->st, comp.computer_id,
	    client_requested_group(&ck, group))) {
	case STORE_REQUEST_APPLIED:
	case STORE_REQUEST_SERVER_SIDE:
	case -3:   /* the group was deleted since the cookie was issued */
		break;
	case STORE_REQUEST_ADMIN_ASSIGNED:
		if (group[0] != '\0')
			log_info("RegisterComputer: %s asked for group %s: kept in "
			    "the group(s) an administrator assigned", comp.computer_id,
			    group);
		break;
	default:
		return -1;
	}
	log_info("RegisterComputer: %s (%s) from %s, %s", comp.computer_id,
	    comp.dns_name[0] ? comp.dns_name : "?", comp.ip[0] ? comp.ip : "?",
	    comp.os_description[0] ? comp.os_description : "unknown OS");
	soap_begin(c);
	soap_end(c);
	return soap_finish(c);
}

/* StartCategoryScan (§3.1.5.6): no cookie; which requested categories we know. */
static int
client_start_category_scan(struct ws_call *c)
{
	const struct xml_node *arr = xml_child(c->op, "requestedCategories"), *r;
	struct catalog *cat = catalog_get(c->st);
	struct wbuf bad;

	if (cat == NULL)
		return -1;
	wbuf_init(&bad, 256);
	soap_begin(c);
	wbuf_puts(&c->out, "<preferredCategoryIds>");
	for (r = arr ? xml_child(arr, "CategoryRelationship") : NULL; r != NULL;
	    r = xml_next_same(r)) {
		const char *id = soap_text(r, "CategoryId");
		uint8_t g[16];
		char canon[37];

		if (id == NULL || cookie_guid_parse(id, strlen(id), g) == -1) {
			wbuf_free(&bad);
			catalog_put(cat);
			return soap_fault(c, "InvalidParameters", "requestedCategories");
		}
		cookie_guid_format(g, canon);
		soap_elem(catalog_known_category(cat, canon) ? &c->out : &bad, "guid", canon);
	}
	wbuf_puts(&c->out, "</preferredCategoryIds>");
	if (bad.len > 0) {
		wbuf_puts(&c->out, "<requestedCategoryIdsInError>");
		wbuf_put(&c->out, bad.p, bad.len);
		wbuf_puts(&c->out, "</requestedCategoryIdsInError>");
	}
	wbuf_free(&bad);
	catalog_put(cat);
	soap_end(c);
	return soap_finish(c);
}

/* SyncUpdates (§3.1.5.7): one page of the scan. */
static int
client_sync_updates(struct ws_call *c)
{
	const struct xml_node *p = xml_child(c->op, "parameters");
	char groups[CLIENT_GROUPS_MAX][STORE_GUID_LEN + 1];
	struct store_computer comp;
	struct sync_request sr;
	struct catalog *cat = NULL;
	struct cookie ck;
	int64_t *inst = NULL, *cached = NULL;
	int ninst, ncached, ngroups, truncated = 0, n = 0, rc = -1;
	const char *skip;

	if (ws_client_cookie(c, xml_child(c->op, "cookie"), &ck) == -1)
		return 0;
	if (p == NULL)
		return soap_fault(c, "InvalidParameters", "parameters");
	if (client_registered(c, &ck, &comp) == -1)
		return 0;
	if (client_int_array(xml_child(p, "InstalledNonLeafUpdateIDs"),
	    LIMIT_INSTALLED_NONLEAF, &inst, &ninst) == -1)
		return soap_fault(c, "InvalidParameters", "parameters.InstalledNonLeafUpdateIDs");
	if (client_int_array(xml_child(p, "OtherCachedUpdateIDs"), LIMIT_CACHED_IDS,
	    &cached, &ncached) == -1) {
		free(inst);
		return soap_fault(c, "InvalidParameters", "parameters.OtherCachedUpdateIDs");
	}
	if ((ngroups = client_groups(c, &ck, groups)) < 0 ||
	    (cat = catalog_get(c->st)) == NULL)
		goto out;

	soap_begin(c);
	wbuf_puts(&c->out, "<SyncUpdatesResult>");
	skip = soap_text(p, "SkipSoftwareSync");
	if (skip != NULL && strcmp(skip, "true") == 0) {
		/* Driver pass: this server carries no driver catalogue. */
		wbuf_puts(&c->out, "<NewUpdates />");
	} else {
		memset(&sr, 0, sizeof(sr));
		sr.groups = (const char (*)[STORE_GUID_LEN + 1])groups;
		sr.ngroups = ngroups;
		sr.installed = inst;
		sr.ninstalled = ninst;
		sr.cached = cached;
		sr.ncached = ncached;
		sr.last_sync = comp.last_sync;
		sr.max_bytes = LIMIT_SYNC_PAGE_XML_BYTES;
		if ((n = catalog_sync(cat, &sr, &c->out, &truncated)) < 0)
			goto out;
	}
	soap_elem_bool(&c->out, "Truncated", truncated);
	if (ws_new_cookie(c, "NewCookie", &ck) == -1)
		goto out;
	soap_elem(&c->out, "DriverSyncNotNeeded", "true");
	wbuf_puts(&c->out, "</SyncUpdatesResult>");
	soap_end(c);
	if (c->now - comp.last_sync >= CLIENT_SYNC_RECORD_S &&
	    store_computer_touch_sync(c->st, comp.computer_id, c->now) == -1)
		goto out;
	log_info("SyncUpdates: %s (%s): %d new update(s)%s, %d installed non-leaf, "
	    "%d cached", comp.computer_id, comp.dns_name, n,
	    truncated ? " (truncated)" : "", ninst, ncached);
	rc = soap_finish(c);
out:
	catalog_put(cat);
	free(inst);
	free(cached);
	return rc;
}

/* SyncPrinterCatalog (§3.1.5.8): this server carries no printer drivers. */
static int
client_sync_printer_catalog(struct ws_call *c)
{
	struct cookie ck;

	if (ws_client_cookie(c, xml_child(c->op, "cookie"), &ck) == -1)
		return 0;
	soap_begin(c);
	wbuf_puts(&c->out, "<SyncPrinterCatalogResult><NewUpdates />");
	soap_elem_bool(&c->out, "Truncated", 0);
	if (ws_new_cookie(c, "NewCookie", &ck) == -1)
		return -1;
	wbuf_puts(&c->out, "</SyncPrinterCatalogResult>");
	soap_end(c);
	return soap_finish(c);
}

/* RefreshCache (§3.1.5.9): map update identities to current revision ids. */
static int
client_refresh_cache(struct ws_call *c)
{
	const struct xml_node *arr = xml_child(c->op, "globalIDs"), *u;
	struct catalog *cat;
	struct cookie ck;

	if (ws_client_cookie(c, xml_child(c->op, "cookie"), &ck) == -1)
		return 0;
	if (arr != NULL && xml_count(arr, "UpdateIdentity") > LIMIT_CACHED_IDS)
		return soap_fault(c, "InvalidParameters", "globalIDs");
	if ((cat = catalog_get(c->st)) == NULL)
		return -1;
	soap_begin(c);
	wbuf_puts(&c->out, "<RefreshCacheResult>");
	for (u = arr ? xml_child(arr, "UpdateIdentity") : NULL; u; u = xml_next_same(u)) {
		const char *id = soap_text(u, "UpdateID");
		uint8_t g[16];
		char canon[37];
		int64_t rid;
		int leaf;

		if (id == NULL || cookie_guid_parse(id, strlen(id), g) == -1) {
			catalog_put(cat);
			return soap_fault(c, "InvalidParameters", "globalIDs");
		}
		cookie_guid_format(g, canon);
		if ((rid = catalog_rev_of(cat, canon, &leaf)) <= 0)
			continue;
		wbuf_puts(&c->out, "<RefreshCacheResult>");
		soap_elem_int(&c->out, "RevisionID", rid);
		wbuf_puts(&c->out, "<GlobalID>");
		soap_elem(&c->out, "UpdateID", canon);
		soap_elem(&c->out, "RevisionNumber", soap_text(u, "RevisionNumber") ?
		    soap_text(u, "RevisionNumber") : "0");
		wbuf_puts(&c->out, "</GlobalID>");
		soap_elem_bool(&c->out, "IsLeaf", leaf);
		wbuf_puts(&c->out, "</RefreshCacheResult>");
	}
	wbuf_puts(&c->out, "</RefreshCacheResult>");
	catalog_put(cat);
	soap_end(c);
	return soap_finish(c);
}

/* The content URL of a file, as real WSUS builds it (NOTES.md §4.4 #8). */
static void
client_file_location(struct ws_call *c, const struct store_file *f)
{
	char digest[64], hex[41];
	const char *dot = strrchr(f->name, '.');

	crypto_b64_encode(f->sha1, 20, digest, sizeof(digest));
	for (int i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02X", f->sha1[i]);
	wbuf_puts(&c->out, "<FileLocation>");
	soap_elem(&c->out, "FileDigest", digest);
	wbuf_printf(&c->out, "<Url>%s/Content/%s/%s", c->req->content_url, hex + 38, hex);
	if (dot != NULL && dot[1] != '\0' && strlen(dot) <= 9)
		wbuf_esc(&c->out, dot, strlen(dot));
	wbuf_puts(&c->out, "</Url></FileLocation>");
}

/* Append one fragment of rid as <Update><ID/><Xml/></Update>. */
static int
client_fragment(struct ws_call *c, int64_t rid, const char *kind, const char *lang)
{
	char *xml = NULL;
	size_t len;
	int rc = store_fragment(c->st, rid, kind, lang, &xml, &len);

	if (rc <= 0)
		return rc;
	wbuf_puts(&c->out, "<Update>");
	soap_elem_int(&c->out, "ID", rid);
	wbuf_puts(&c->out, "<Xml>");
	wbuf_esc_text(&c->out, xml, len);
	wbuf_puts(&c->out, "</Xml></Update>");
	free(xml);
	return 1;
}

/* The XmlUpdateFragmentType values this server carries. */
enum client_frag { CLIENT_FRAG_EXTENDED, CLIENT_FRAG_CORE, CLIENT_FRAG_LOCALIZED,
	CLIENT_NFRAGS };

/*
 * client_info_types - the fragment types infoTypes names, in the order of
 * their first mention, each once however often it is repeated (so the
 * answer never grows with repetitions), into order[CLIENT_NFRAGS].  Types
 * this server does not carry (Published, VerificationRule, Eula) are
 * ignored.  Returns how many.
 */
static int
client_info_types(const struct xml_node *types, enum client_frag *order)
{
	static const char *const names[CLIENT_NFRAGS] = {
		[CLIENT_FRAG_EXTENDED] = "Extended",
		[CLIENT_FRAG_CORE] = "Core",
		[CLIENT_FRAG_LOCALIZED] = "LocalizedProperties",
	};
	const struct xml_node *t;
	unsigned seen = 0;
	int n = 0;

	for (t = types ? xml_child(types, "XmlUpdateFragmentType") : NULL;
	    t != NULL && n < CLIENT_NFRAGS; t = xml_next_same(t))
		for (int i = 0; i < CLIENT_NFRAGS; i++)
			if (!(seen & (1u << i)) && strcmp(t->text, names[i]) == 0) {
				seen |= 1u << i;
				order[n++] = (enum client_frag)i;
			}
	return n;
}

/*
 * client_locales - the languages of the requested locales ("en-US" ->
 * "en", lowercased), in request order, each once, into langs.  Returns
 * their number, or -1 when more than LIMIT_EXTENDED_LOCALES locales are
 * given (the caller answers InvalidParameters "locales").
 */
static int
client_locales(const struct xml_node *locs,
    char (*langs)[STORE_LANG_MAX])
{
	const struct xml_node *l;
	int n = 0;

	if (locs != NULL && xml_count(locs, "string") > LIMIT_EXTENDED_LOCALES)
		return -1;
	for (l = locs ? xml_child(locs, "string") : NULL; l; l = xml_next_same(l)) {
		char lang[STORE_LANG_MAX];
		size_t len = strcspn(l->text, "-");
		int dup = 0;

		if (len == 0 || len >= sizeof(lang))
			continue;   /* no stored language is that long */
		for (size_t i = 0; i < len; i++)
			lang[i] = (char)(l->text[i] >= 'A' && l->text[i] <= 'Z' ?
			    l->text[i] - 'A' + 'a' : l->text[i]);
		lang[len] = '\0';
		for (int k = 0; k < n && !dup; k++)
			dup = strcmp(langs[k], lang) == 0;
		if (!dup)
			memcpy(langs[n++], lang, len + 1);
	}
	return n;
}

/* Outcome of client_extended beyond 0 and -1. */
#define CLIENT_OVER_BUDGET  (-2)

/*
 * client_extended - the body of GetExtendedUpdateInfo(2): fragments of the
 * requested types for each revision, then the FileLocations of their
 * files.  rids holds no duplicates (the callers remove them) and unknown
 * marks the ones not answered; types and langs are already deduplicated,
 * so the answer is at most one fragment of each type per revision.
 * Returns 0, -1 (error) or CLIENT_OVER_BUDGET once the answer passes
 * LIMIT_ANSWER_BYTES (checked after every fragment, so the buffer never
 * grows much past it).
 */
static int
client_extended(struct ws_call *c, const int64_t *rids, int n, const int *unknown,
    const enum client_frag *types, int ntypes, const char (*langs)[STORE_LANG_MAX],
    int nlangs)
{
	struct store_file files[32];
	uint8_t (*seen)[20] = NULL;
	int nseen = 0, rc = -1;

	wbuf_puts(&c->out, "<Updates>");
	for (int i = 0; i < n; i++) {
		if (unknown[i])
			continue;
		for (int t = 0; t < ntypes; t++) {
			int done = 0;

			if (types[t] == CLIENT_FRAG_EXTENDED &&
			    client_fragment(c, rids[i], "extended", "") < 0)
				goto out;
			if (types[t] == CLIENT_FRAG_CORE &&
			    client_fragment(c, rids[i], "core", "") < 0)
				goto out;
			if (types[t] != CLIENT_FRAG_LOCALIZED)
				continue;
			/* The first requested language we carry, else the default. */
			for (int k = 0; k < nlangs && !done; k++)
				if ((done = client_fragment(c, rids[i], "localized",
				    langs[k])) < 0)
					goto out;
			if (!done && client_fragment(c, rids[i], "localized", "") < 0)
				goto out;
		}
		if (c->out.len > LIMIT_ANSWER_BYTES) {
			rc = CLIENT_OVER_BUDGET;
			goto out;
		}
	}
	wbuf_puts(&c->out, "</Updates><FileLocations>");
	/* One FileLocation per file, however many revisions share it. */
	if ((seen = calloc((size_t)n * 32 + 1, sizeof(*seen))) == NULL)
		goto out;
	for (int i = 0; i < n; i++) {
		int nf;

		if (unknown[i])
			continue;
		if ((nf = store_revision_files(c->st, rids[i], files, 32)) < 0)
			goto out;
		for (int k = 0; k < nf; k++) {
			int dup = 0;

			for (int j = 0; j < nseen && !dup; j++)
				dup = memcmp(seen[j], files[k].sha1, 20) == 0;
			if (dup)
				continue;
			memcpy(seen[nseen++], files[k].sha1, 20);
			client_file_location(c, &files[k]);
		}
	}
	wbuf_puts(&c->out, "</FileLocations>");
	rc = c->out.len > LIMIT_ANSWER_BYTES ? CLIENT_OVER_BUDGET : 0;
out:
	free(seen);
	return rc;
}

/*
 * client_extended_answer - parse infoTypes and locales, then run
 * client_extended inside the operation's result element (result), or
 * answer the fault: InvalidParameters "locales" over
 * LIMIT_EXTENDED_LOCALES, InvalidParameters naming ids_param when the
 * answer would pass LIMIT_ANSWER_BYTES (ask for fewer revisions).
 * out_of_scope nonzero writes OutOfScopeRevisionIDs for the unknown
 * ones.  Returns what soap_finish/soap_fault return, or -1.
 */
static int
client_extended_answer(struct ws_call *c, const char *result, const char *ids_param,
    const int64_t *rids, int n, const int *unknown, int out_of_scope)
{
	char langs[LIMIT_EXTENDED_LOCALES][STORE_LANG_MAX];
	enum client_frag types[CLIENT_NFRAGS];
	int ntypes = client_info_types(xml_child(c->op, "infoTypes"), types);
	int nlangs = client_locales(xml_child(c->op, "locales"), langs), rc;

	if (nlangs < 0)
		return soap_fault(c, "InvalidParameters", "locales");
	soap_begin(c);
	wbuf_printf(&c->out, "<%s>", result);
	if ((rc = client_extended(c, rids, n, unknown, types, ntypes,
	    (const char (*)[STORE_LANG_MAX])langs, nlangs)) == CLIENT_OVER_BUDGET) {
		log_info("%s: answer for %d revision(s) passes %u bytes: refused",
		    c->opname, n, LIMIT_ANSWER_BYTES);
		return soap_fault(c, "InvalidParameters", ids_param);
	}
	if (rc == -1)
		return -1;
	if (out_of_scope) {
		int any = 0;

		for (int i = 0; i < n; i++) {
			if (!unknown[i])
				continue;
			if (!any++)
				wbuf_puts(&c->out, "<OutOfScopeRevisionIDs>");
			soap_elem_int(&c->out, "int", rids[i]);
		}
		if (any)
			wbuf_puts(&c->out, "</OutOfScopeRevisionIDs>");
	}
	wbuf_printf(&c->out, "</%s>", result);
	soap_end(c);
	return soap_finish(c);
}

/* client_unique - drop repeated ids from rids[0..n), keeping the first
 * of each in request order; returns the new count. */
static int
client_unique(int64_t *rids, int n)
{
	int m = 0;

	for (int i = 0; i < n; i++) {
		int dup = 0;

		for (int k = 0; k < m && !dup; k++)
			dup = rids[k] == rids[i];
		if (!dup)
			rids[m++] = rids[i];
	}
	return m;
}

/* GetExtendedUpdateInfo (§3.1.5.10). */
static int
client_get_extended(struct ws_call *c)
{
	struct catalog *cat = NULL;
	struct cookie ck;
	int64_t *rids = NULL;
	int *unknown = NULL, n, rc = -1;

	if (ws_client_cookie(c, xml_child(c->op, "cookie"), &ck) == -1)
		return 0;
	if (client_int_array(xml_child(c->op, "revisionIDs"), LIMIT_EXTENDED_PER_REQUEST,
	    &rids, &n) == -1)
		return soap_fault(c, "InvalidParameters", "revisionIDs");
	n = client_unique(rids, n);
	if ((cat = catalog_get(c->st)) == NULL ||
	    (unknown = calloc((size_t)n + 1, sizeof(*unknown))) == NULL)
		goto out;
	for (int i = 0; i < n; i++)
		unknown[i] = !catalog_rev_known(cat, rids[i]);
	rc = client_extended_answer(c, "GetExtendedUpdateInfoResult", "revisionIDs",
	    rids, n, unknown, 1);
out:
	catalog_put(cat);
	free(rids);
	free(unknown);
	return rc;
}

/* GetExtendedUpdateInfo2 (§3.1.5.11): the same, keyed by update identity. */
static int
client_get_extended2(struct ws_call *c)
{
	const struct xml_node *arr = xml_child(c->op, "updateIDs"), *u;
	struct catalog *cat = NULL;
	struct cookie ck;
	int64_t rids[LIMIT_EXTENDED_PER_REQUEST];
	int unknown[LIMIT_EXTENDED_PER_REQUEST], n = 0, rc = -1;

	if (ws_client_cookie(c, xml_child(c->op, "cookie"), &ck) == -1)
		return 0;
	if (arr != NULL && xml_count(arr, "UpdateIdentity") > LIMIT_EXTENDED_PER_REQUEST)
		return soap_fault(c, "InvalidParameters", "updateIDs");
	if ((cat = catalog_get(c->st)) == NULL)
		return -1;
	for (u = arr ? xml_child(arr, "UpdateIdentity") : NULL; u; u = xml_next_same(u)) {
		const char *id = soap_text(u, "UpdateID");
		uint8_t g[16];
		char canon[37];
		int leaf, dup = 0;
		int64_t rid;

		if (id == NULL || cookie_guid_parse(id, strlen(id), g) == -1) {
			rc = soap_fault(c, "InvalidParameters", "updateIDs");
			goto out;
		}
		cookie_guid_format(g, canon);
		/* An update named twice is answered once; unknown ones not at all. */
		if ((rid = catalog_rev_of(cat, canon, &leaf)) <= 0)
			continue;
		for (int k = 0; k < n && !dup; k++)
			dup = rids[k] == rid;
		if (dup)
			continue;
		rids[n] = rid;
		unknown[n] = 0;
		n++;
	}
	rc = client_extended_answer(c, "GetExtendedUpdateInfo2Result", "updateIDs",
	    rids, n, unknown, 0);
out:
	catalog_put(cat);
	return rc;
}

/* GetFileLocations (§3.1.5.12): URLs for file digests. */
static int
client_get_file_locations(struct ws_call *c)
{
	const struct xml_node *arr = xml_child(c->op, "fileDigests"), *d;
	struct store_file f;
	struct cookie ck;

	if (ws_client_cookie(c, xml_child(c->op, "cookie"), &ck) == -1)
		return 0;
	if (arr != NULL && xml_count(arr, "base64Binary") > LIMIT_EXTENDED_PER_REQUEST * 32)
		return soap_fault(c, "InvalidParameters", "fileDigests");
	soap_begin(c);
	wbuf_puts(&c->out, "<GetFileLocationsResult><FileLocations>");
	for (d = arr ? xml_child(arr, "base64Binary") : NULL; d; d = xml_next_same(d)) {
		uint8_t sha1[24];
		int rc;

		if (crypto_b64_decode(d->text, d->text_len, sha1, sizeof(sha1)) != 20)
			return soap_fault(c, "InvalidParameters", "fileDigests");
		if ((rc = store_file_by_sha1(c->st, sha1, &f)) < 0)
			return -1;
		if (rc == 1)
			client_file_location(c, &f);
	}
	wbuf_puts(&c->out, "</FileLocations>");
	if (ws_new_cookie(c, "NewCookie", &ck) == -1)
		return -1;
	wbuf_puts(&c->out, "</GetFileLocationsResult>");
	soap_end(c);
	return soap_finish(c);
}

const struct ws_op client_ops[] = {
	{ "GetConfig",              client_get_config,            1 },
	{ "GetCookie",              client_get_cookie,            1 },
	{ "RegisterComputer",       client_register,              0 },
	{ "StartCategoryScan",      client_start_category_scan,   1 },
	{ "SyncUpdates",            client_sync_updates,          0 },
	{ "SyncPrinterCatalog",     client_sync_printer_catalog,  0 },
	{ "RefreshCache",           client_refresh_cache,         0 },
	{ "GetExtendedUpdateInfo",  client_get_extended,          0 },
	{ "GetExtendedUpdateInfo2", client_get_extended2,         0 },
	{ "GetFileLocations",       client_get_file_locations,    0 },
	{ NULL, NULL, 0 }
};
