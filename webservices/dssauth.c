/*
 * dssauth.c - DssAuthWebService (MS-WSUSSS §3.1.4.1): the DssTargeting
 * authorization cookie a downstream server trades for a
 * ServerSyncWebService cookie (serversync.c GetCookie).
 *
 * Owns: validating accountName (the downstream server's name) and
 * accountGuid (its server id, a GUID), and sealing the fixed-layout
 * COOKIE_DSS_AUTH cookie with the server id in computer_id.  programKeys
 * are accepted and ignored (real WSUS ignores them too: the capture sends
 * none).  Runs before any cookie: everything is bounded, nothing stored.
 * Ping (IMonitorable) is not answered yet: the table names it so that it
 * gets a fault naming it, not the unknown-SOAPAction fault.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "ws_int.h"

static int
dssauth_get_cookie(struct ws_call *c)
{
	const char *name = soap_text(c->op, "accountName");
	const char *guid = soap_text(c->op, "accountGuid");
	struct cookie ck;
	char b64[COOKIE_B64_MAX + 1];

	if (name == NULL || name[0] == '\0' || strlen(name) > LIMIT_FQDN_BYTES)
		return soap_fault(c, "InvalidParameters", "accountName");
	memset(&ck, 0, sizeof(ck));
	if (guid == NULL || strlen(guid) > LIMIT_ID_TEXT_BYTES ||
	    cookie_guid_parse(guid, strlen(guid), ck.computer_id) == -1)
		return soap_fault(c, "InvalidParameters", "accountGuid");
	ck.kind = COOKIE_DSS_AUTH;
	ck.issued = c->now;
	ck.expires = c->now + ws_cookie_lifetime;
	ck.config_gen = 0;   /* a downstream server's cookies outlive client settings */
	memcpy(ck.server_id, ws_server_id, 16);
	if (cookie_seal(&ck, b64, sizeof(b64)) == -1)
		return -1;
	log_debug("DssAuth GetAuthorizationCookie: downstream server %s (%s) from %s",
	    name, guid, c->req->client_ip ? c->req->client_ip : "?");
	soap_begin(c);
	wbuf_puts(&c->out, "<GetAuthorizationCookieResult>");
	soap_elem(&c->out, "PlugInId", "DssTargeting");
	soap_elem(&c->out, "CookieData", b64);
	wbuf_puts(&c->out, "</GetAuthorizationCookieResult>");
	soap_end(c);
	return soap_finish(c);
}

const struct ws_op dssauth_ops[] = {
	{ "GetAuthorizationCookie", dssauth_get_cookie, 1 },
	{ NULL, NULL, 0 }
};
