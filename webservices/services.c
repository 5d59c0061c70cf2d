/*
 * services.c - dispatch of a SOAP request to its web service.
 *
 * Owns: the per-service table (path, SOAPAction namespace, operations).
 * No operation is implemented yet: every request gets the ASMX fault for an
 * unrecognised SOAPAction, as IIS does for an action the service lacks.
 * Later issues add rows to each service's operation table; nothing here
 * may answer a fake success.
 */
#include <stdlib.h>
#include <string.h>

#include "ws.h"

struct ws_service_def {
	const char *path;       /* below the server URL */
	const char *ns;         /* targetNamespace = SOAPAction prefix */
};

static const struct ws_service_def ws_services[WS_NSERVICES] = {
	[WS_CLIENT]      = { "ClientWebService/client.asmx",
	    "http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService" },
	[WS_SIMPLEAUTH]  = { "SimpleAuthWebService/SimpleAuth.asmx",
	    "http://www.microsoft.com/SoftwareDistribution/Server/SimpleAuthWebService" },
	[WS_REPORTING]   = { "ReportingWebService/ReportingWebService.asmx",
	    "http://www.microsoft.com/SoftwareDistribution" },
	[WS_DSSAUTH]     = { "DssAuthWebService/DssAuthWebService.asmx",
	    "http://www.microsoft.com/SoftwareDistribution/Server/DssAuthWebService" },
	[WS_SERVERSYNC]  = { "ServerSyncWebService/ServerSyncWebService.asmx",
	    "http://www.microsoft.com/SoftwareDistribution" },
	[WS_APIREMOTING] = { "ApiRemoting30/WebService.asmx",
	    "http://www.microsoft.com/SoftwareDistribution/Server/ApiRemotingWebService" },
};

const char *
ws_service_path(enum ws_service s)
{
	return (unsigned)s < WS_NSERVICES ? ws_services[s].path : NULL;
}

int
ws_handle(const struct ws_request *req, struct ws_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	if ((unsigned)req->service >= WS_NSERVICES)
		return -1;
	/* No operation table has rows yet (see the file comment). */
	return soap_fault_asmx(req->soapaction, resp);
}

void
ws_response_free(struct ws_response *resp)
{
	if (resp == NULL)
		return;
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
}
