/*
 * simpleauth.c - SimpleAuthWebService (MS-WUSP §3.2.5.1): the SimpleTargeting
 * authorization cookie a client trades for a ClientWebService cookie.
 *
 * Owns: validating the client id and DNS name, resolving client-side
 * targeting (targetGroupName, ';'-separated, first existing group wins;
 * only when [server] targeting is client-side: with server-side targeting
 * the name is not even looked up), and sealing the fixed-layout
 * authorization cookie.  Runs before any authentication: everything is
 * bounded and nothing is stored here.  Whether the group then counts is
 * decided where it is used (store_computer_request, _targets), as the
 * mode may change while a cookie lives.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "ws_int.h"

/* The first group of a ';'-separated list that exists; 0 when none does. */
static int
simpleauth_group(struct ws_call *c, const char *names, uint8_t out[16])
{
	struct store_group g;
	char one[STORE_GROUP_NAME_MAX];

	memset(out, 0, 16);
	while (names != NULL && *names != '\0') {
		size_t n = strcspn(names, ";");

		if (n > 0 && n < sizeof(one)) {
			memcpy(one, names, n);
			one[n] = '\0';
			if (store_group_find(c->st, one, &g) == 1)
				return cookie_guid_parse(g.guid, strlen(g.guid), out) == 0;
		}
		names += n + (names[n] == ';');
	}
	return 0;
}

/* 1 when targeting is client-side (a store error counts as server-side). */
static int
simpleauth_client_side(struct ws_call *c)
{
	struct store_settings set;

	return store_settings_get(c->st, &set) == 0 &&
	    set.targeting == STORE_TARGETING_CLIENT;
}

static int
simpleauth_get_cookie(struct ws_call *c)
{
	const char *client = soap_text(c->op, "clientId");
	const char *group = soap_text(c->op, "targetGroupName");
	const char *dns = soap_text(c->op, "dnsName");
	struct cookie ck;
	char b64[COOKIE_B64_MAX + 1];

	if (client == NULL || strlen(client) > LIMIT_ID_TEXT_BYTES)
		return soap_fault(c, "InvalidParameters", "clientId");
	if (dns != NULL && strlen(dns) > LIMIT_FQDN_BYTES)
		return soap_fault(c, "InvalidParameters", "dnsName");
	if (group != NULL && strlen(group) > STORE_NAME_MAX)
		return soap_fault(c, "InvalidParameters", "targetGroupName");
	memset(&ck, 0, sizeof(ck));
	/* The SusClientId is a GUID; anything else is refused, not stored. */
	if (cookie_guid_parse(client, strlen(client), ck.computer_id) == -1)
		return soap_fault(c, "InvalidParameters", "clientId");
	if (group != NULL && group[0] != '\0' && simpleauth_client_side(c) &&
	    simpleauth_group(c, group, ck.group_id) == 0)
		log_debug("GetAuthorizationCookie: %s asked for unknown group(s) \"%s\"",
		    client, group);
	ck.kind = COOKIE_AUTH;
	ck.issued = c->now;
	ck.expires = c->now + ws_cookie_lifetime;
	ck.config_gen = c->req->config_gen;
	memcpy(ck.server_id, ws_server_id, 16);
	if (cookie_seal(&ck, b64, sizeof(b64)) == -1)
		return -1;
	soap_begin(c);
	wbuf_puts(&c->out, "<GetAuthorizationCookieResult>");
	soap_elem(&c->out, "PlugInId", "SimpleTargeting");
	soap_elem(&c->out, "CookieData", b64);
	wbuf_puts(&c->out, "</GetAuthorizationCookieResult>");
	soap_end(c);
	return soap_finish(c);
}

const struct ws_op simpleauth_ops[] = {
	{ "GetAuthorizationCookie", simpleauth_get_cookie, 1 },
	{ NULL, NULL, 0 }
};
