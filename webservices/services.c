/*
 * services.c - dispatch of a SOAP request to its web service and
 * operation.
 *
 * Owns: the service table (path, namespace, envelope style, operations),
 * SOAPAction matching, the body cap and service lane of each operation
 * (ws_body_cap, ws_is_light: server/ asks, so that it never learns
 * operation names) and the XML limits applied before an operation sees
 * its request (tighter for operations that run before any cookie).  The
 * environment the operations run in is env.c's.  An operation a service does not implement gets
 * the ASMX fault for an unrecognised SOAPAction, never a fake success;
 * ApiRemoting30 (apiremoting.c, its own table: two namespaces) answers an
 * operation of its WSDL it does not implement with a fault naming it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "log.h"
#include "ws_int.h"

struct ws_service_def {
	const char          *path;       /* below the server URL */
	const char          *ns;         /* targetNamespace = SOAPAction prefix */
	enum soap_style      style;
	const struct ws_op  *ops;        /* NULL: no operation implemented yet */
};

static const struct ws_service_def ws_services[WS_NSERVICES] = {
	[WS_CLIENT]      = { "ClientWebService/client.asmx",
	    "http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService",
	    SOAP_STYLE_CLIENT, client_ops },
	[WS_SIMPLEAUTH]  = { "SimpleAuthWebService/SimpleAuth.asmx",
	    "http://www.microsoft.com/SoftwareDistribution/Server/SimpleAuthWebService",
	    SOAP_STYLE_ASMX, simpleauth_ops },
	[WS_REPORTING]   = { "ReportingWebService/ReportingWebService.asmx",
	    "http://www.microsoft.com/SoftwareDistribution", SOAP_STYLE_ASMX,
	    reporting_ops },
	[WS_DSSAUTH]     = { "DssAuthWebService/DssAuthWebService.asmx",
	    "http://www.microsoft.com/SoftwareDistribution/Server/DssAuthWebService",
	    SOAP_STYLE_ASMX, dssauth_ops },
	[WS_SERVERSYNC]  = { "ServerSyncWebService/ServerSyncWebService.asmx",
	    "http://www.microsoft.com/SoftwareDistribution", SOAP_STYLE_ASMX,
	    serversync_ops },
	[WS_APIREMOTING] = { "ApiRemoting30/WebService.asmx",
	    "http://www.microsoft.com/SoftwareDistribution/Server/ApiRemotingWebService",
	    SOAP_STYLE_ASMX, NULL },
};

const char *
ws_service_path(enum ws_service s)
{
	return (unsigned)s < WS_NSERVICES ? ws_services[s].path : NULL;
}

/*
 * ws_action_op - the operation named by a SOAPAction header value
 * ("\"<ns>/<Op>\"", quotes optional) for namespace ns, or NULL.
 */
static const struct ws_op *
ws_action_op(const struct ws_service_def *svc, const char *action)
{
	size_t len, nslen = strlen(svc->ns);

	if (action == NULL || svc->ops == NULL)
		return NULL;
	len = strlen(action);
	if (len >= 2 && action[0] == '"' && action[len - 1] == '"') {
		action++;
		len -= 2;
	}
	if (len <= nslen + 1 || strncmp(action, svc->ns, nslen) != 0 ||
	    action[nslen] != '/')
		return NULL;
	action += nslen + 1;
	len -= nslen + 1;
	for (const struct ws_op *op = svc->ops; op->name != NULL; op++)
		if (strlen(op->name) == len && memcmp(op->name, action, len) == 0)
			return op;
	return NULL;
}

/*
 * Operations outside the pre-cookie set whose request is nonetheless one
 * small record: RegisterComputer (a cookie and a ComputerInfo) is the
 * first call of a computer nobody knows yet.
 */
static const char *const ws_small_body_ops[] = { "RegisterComputer", NULL };
/* Operations that touch neither the catalogue nor a scan. */
static const char *const ws_light_ops[] = { "GetConfig", "GetCookie",
    "GetAuthorizationCookie", "GetAuthConfig", "GetConfigData", NULL };

static int
ws_op_in(const struct ws_op *op, const char *const *names)
{
	for (; *names != NULL; names++)
		if (strcmp(op->name, *names) == 0)
			return 1;
	return 0;
}

/* The operation named by (s, soapaction), or NULL. */
static const struct ws_op *
ws_find_op(enum ws_service s, const char *soapaction)
{
	if ((unsigned)s >= WS_NSERVICES)
		return NULL;
	/* ApiRemoting30 keeps its own table (two namespaces); it sits behind
	 * auth.c, so its operations get the authenticated body cap. */
	if (s == WS_APIREMOTING)
		return apiremoting_op(soapaction);
	return ws_action_op(&ws_services[s], soapaction);
}

/* Small cap for op (NULL = unknown): 1, else 0. */
static int
ws_small_body(const struct ws_op *op)
{
	return op == NULL || op->preauth || ws_op_in(op, ws_small_body_ops);
}

size_t
ws_body_cap(enum ws_service s, const char *soapaction)
{
	return ws_small_body(ws_find_op(s, soapaction)) ?
	    LIMIT_SOAP_BODY_PREAUTH_BYTES : LIMIT_SOAP_BODY_BYTES;
}

int
ws_is_light(enum ws_service s, const char *soapaction)
{
	const struct ws_op *op = ws_find_op(s, soapaction);

	return op != NULL && ws_op_in(op, ws_light_ops);
}

int
ws_busy(enum ws_service s, const char *soapaction, struct ws_response *resp)
{
	const struct ws_service_def *svc;
	const struct ws_op *op;
	struct ws_request req;
	struct ws_call c;
	int rc;

	memset(resp, 0, sizeof(*resp));
	if ((unsigned)s >= WS_NSERVICES)
		return -1;
	svc = &ws_services[s];
	op = ws_action_op(svc, soapaction);
	memset(&req, 0, sizeof(req));
	req.service = s;
	req.soapaction = soapaction;
	memset(&c, 0, sizeof(c));
	c.req = &req;
	c.resp = resp;
	c.opname = op ? op->name : "";
	c.ns = svc->ns;
	c.style = svc->style;
	c.now = time(NULL);
	wbuf_init(&c.out, 1024);
	rc = soap_fault(&c, "ServerBusy", "server busy, retry later");
	wbuf_free(&c.out);
	if (rc == 0) {
		resp->status = 503;
		resp->retry_after = LIMIT_RETRY_AFTER_S;
	}
	return rc;
}

int
ws_handle(const struct ws_request *req, struct ws_response *resp)
{
	const struct ws_service_def *svc;
	const struct ws_op *op;
	struct xml_limits lim;
	struct xml_doc *doc = NULL;
	struct ws_call c;
	char err[256];
	int rc = -1;

	memset(resp, 0, sizeof(*resp));
	if ((unsigned)req->service >= WS_NSERVICES)
		return -1;
	svc = &ws_services[req->service];
	/* ApiRemoting30 names the operations of its WSDL it does not answer. */
	if (req->service == WS_APIREMOTING) {
		if ((op = apiremoting_op(req->soapaction)) == NULL)
			return apiremoting_unimplemented(req, resp);
	} else if ((op = ws_action_op(svc, req->soapaction)) == NULL)
		return soap_fault_asmx(req->soapaction, resp);

	memset(&c, 0, sizeof(c));
	c.req = req;
	c.resp = resp;
	c.opname = op->name;
	c.ns = svc->ns;
	c.style = svc->style;
	c.now = time(NULL);
	if (req->service == WS_DSSAUTH || req->service == WS_SERVERSYNC)
		c.actor = svc->path;
	wbuf_init(&c.out, 4096);

	lim.max_bytes = ws_small_body(op) ? LIMIT_SOAP_BODY_PREAUTH_BYTES :
	    LIMIT_SOAP_BODY_BYTES;
	lim.max_depth = LIMIT_XML_DEPTH;
	lim.max_elements = op->preauth ? LIMIT_XML_ELEMENTS_PREAUTH : LIMIT_XML_ELEMENTS;
	lim.max_text = LIMIT_XML_TEXT_BYTES;
	doc = xml_parse((const char *)req->body, req->body_len, &lim, err, sizeof(err));
	if (doc == NULL) {
		log_debug("%s %s from %s: bad request XML: %s", svc->path, op->name,
		    req->client_ip ? req->client_ip : "?", err);
		rc = req->service == WS_APIREMOTING ?
		    apiremoting_bad_request(&c, err) :
		    soap_fault(&c, "InvalidParameters", "request XML");
		goto out;
	}
	c.op = xml_path(xml_root(doc), "Body", op->name, NULL);
	if (c.op == NULL || strcmp(xml_root(doc)->local, "Envelope") != 0) {
		rc = soap_fault(&c, "InvalidParameters", "request");
		goto out;
	}
	if ((c.st = ws_store()) == NULL) {
		rc = soap_fault(&c, "InternalServerError", "");
		goto out;
	}
	rc = op->fn(&c);
	if (rc == -1 && c.resp->body == NULL)
		rc = soap_fault(&c, "InternalServerError", "");
out:
	wbuf_free(&c.out);
	xml_free(doc);
	return rc;
}
