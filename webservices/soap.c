/*
 * soap.c - SOAP 1.1 envelopes and faults, and XML text escaping.
 *
 * Owns: the byte layout of every fault wsusd sends.  Fault shapes follow
 * real IIS/ASP.NET answers (NOTES.md §5).  Never parses requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws.h"

int
soap_escape(const char *text, size_t len, char *buf, size_t buflen)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		const char *rep = NULL;
		char one[2] = { text[i], '\0' };

		switch (text[i]) {
		case '&':  rep = "&amp;";  break;
		case '<':  rep = "&lt;";   break;
		case '>':  rep = "&gt;";   break;
		case '"':  rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		default:
			/* Control bytes cannot appear in XML 1.0 text: drop them. */
			if ((unsigned char)text[i] < 0x20 && text[i] != '\t' &&
			    text[i] != '\n' && text[i] != '\r')
				continue;
			rep = one;
		}
		size_t n = strlen(rep);
		if (o + n >= buflen)
			return -1;
		memcpy(buf + o, rep, n);
		o += n;
	}
	if (o >= buflen)
		return -1;
	buf[o] = '\0';
	return (int)o;
}

int
soap_fault_asmx(const char *soapaction, struct ws_response *resp)
{
	/* The SOAPAction is at most LIMIT_SOAPACTION_BYTES, 6x when escaped. */
	char esc[6 * 512 + 1];
	const char *sa = soapaction ? soapaction : "";
	int n;

	if (soap_escape(sa, strnlen(sa, 512), esc, sizeof(esc)) < 0)
		return -1;
	resp->body = malloc(1024 + sizeof(esc));
	if (resp->body == NULL)
		return -1;
	n = snprintf(resp->body, 1024 + sizeof(esc),
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
	    "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
	    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
	    "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><soap:Body><soap:Fault>"
	    "<faultcode>soap:Client</faultcode>"
	    "<faultstring>System.Web.Services.Protocols.SoapException: Server did "
	    "not recognize the value of HTTP Header SOAPAction: %s.</faultstring>"
	    "<detail /></soap:Fault></soap:Body></soap:Envelope>", esc);
	resp->body_len = (size_t)n;
	resp->status = 500;
	resp->content_type = "text/xml; charset=utf-8";
	resp->cache_control = "private";
	resp->close = 0;
	return 0;
}
