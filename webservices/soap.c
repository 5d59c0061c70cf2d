/*
 * soap.c - SOAP 1.1 envelopes and faults.
 *
 * Owns: the byte layout of every envelope and fault wsusd sends (shapes
 * follow real IIS/ASP.NET answers, NOTES.md §5), and the scalar parsers
 * operations share (xsd:int, xsd:dateTime).  Never sees a socket.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "log.h"
#include "ws_int.h"

/* ws_response_free - see ws.h; soap.c fills every response it frees. */
void
ws_response_free(struct ws_response *resp)
{
	if (resp == NULL)
		return;
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
}

int
soap_fault_asmx(const char *soapaction, struct ws_response *resp)
{
	const char *sa = soapaction ? soapaction : "";
	struct wbuf b;

	wbuf_init(&b, 1024);
	wbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
	    "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
	    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
	    "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><soap:Body><soap:Fault>"
	    "<faultcode>soap:Client</faultcode>"
	    "<faultstring>System.Web.Services.Protocols.SoapException: Server did "
	    "not recognize the value of HTTP Header SOAPAction: ");
	wbuf_esc_text(&b, sa, strnlen(sa, LIMIT_SOAPACTION_BYTES));
	wbuf_puts(&b, ".</faultstring><detail /></soap:Fault></soap:Body></soap:Envelope>");
	if ((resp->body = wbuf_take(&b, &resp->body_len)) == NULL)
		return -1;
	resp->status = 500;
	resp->content_type = "text/xml; charset=utf-8";
	resp->cache_control = "private";
	resp->close = 0;
	return 0;
}

/* ---------------------------------------------------------------------------
 * Envelopes, WSUS faults and the small parsers the operations share.
 * ------------------------------------------------------------------------- */

#define SOAP_NS_ENV "http://schemas.xmlsoap.org/soap/envelope/"
#define SOAP_NS_XSI "http://www.w3.org/2001/XMLSchema-instance"
#define SOAP_NS_XSD "http://www.w3.org/2001/XMLSchema"

void
soap_begin(struct ws_call *c)
{
	if (c->style == SOAP_STYLE_CLIENT)
		wbuf_puts(&c->out, "<s:Envelope xmlns:s=\"" SOAP_NS_ENV "\"><s:Body "
		    "xmlns:xsi=\"" SOAP_NS_XSI "\" xmlns:xsd=\"" SOAP_NS_XSD "\">");
	else
		wbuf_puts(&c->out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
		    "<soap:Envelope xmlns:soap=\"" SOAP_NS_ENV "\" xmlns:xsi=\""
		    SOAP_NS_XSI "\" xmlns:xsd=\"" SOAP_NS_XSD "\"><soap:Body>");
	wbuf_printf(&c->out, "<%sResponse xmlns=\"%s\">", c->opname, c->ns);
}

void
soap_end(struct ws_call *c)
{
	wbuf_printf(&c->out, "</%sResponse>", c->opname);
	wbuf_puts(&c->out, c->style == SOAP_STYLE_CLIENT ?
	    "</s:Body></s:Envelope>" : "</soap:Body></soap:Envelope>");
}

int
soap_finish(struct ws_call *c)
{
	size_t len;
	char *body;

	/* The last line of defence: no answer grows past its budget. */
	if (c->out.len > LIMIT_ANSWER_BYTES) {
		log_warnx("%s: %zu-byte answer passes %u bytes: refused", c->opname,
		    c->out.len, LIMIT_ANSWER_BYTES);
		return soap_fault(c, "InternalServerError", "answer too large");
	}
	if ((body = wbuf_take(&c->out, &len)) == NULL)
		return -1;
	ws_response_free(c->resp);
	c->resp->body = body;
	c->resp->body_len = len;
	c->resp->status = 200;
	c->resp->content_type = "text/xml; charset=utf-8";
	c->resp->cache_control = c->style == SOAP_STYLE_CLIENT ? "private" :
	    "private, max-age=0";
	c->resp->close = 0;
	return 0;
}

int
soap_fault(struct ws_call *c, const char *error_code, const char *message)
{
	uint8_t id[16];
	char guid[37];
	const char *p = c->style == SOAP_STYLE_CLIENT ? "s" : "soap";
	int server = strcmp(error_code, "InternalServerError") == 0 ||
	    strcmp(error_code, "ServerBusy") == 0;

	crypto_random(id, sizeof(id));
	id[6] = (uint8_t)((id[6] & 0x0f) | 0x40);
	id[8] = (uint8_t)((id[8] & 0x3f) | 0x80);
	cookie_guid_format(id, guid);
	wbuf_free(&c->out);
	wbuf_init(&c->out, 1024);
	if (c->style == SOAP_STYLE_ASMX)
		wbuf_puts(&c->out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>");
	wbuf_printf(&c->out, "<%s:Envelope xmlns:%s=\"" SOAP_NS_ENV "\"><%s:Body>"
	    "<%s:Fault><faultcode>%s:%s</faultcode><faultstring>Fault occurred"
	    "</faultstring>", p, p, p, p, p, server ? "Server" : "Client");
	if (c->actor != NULL) {
		/* MS-WSUSSS §2.2.9: the URL of the service that faulted. */
		wbuf_puts(&c->out, "<faultactor>");
		if (c->req->content_url != NULL)
			wbuf_esc_text(&c->out, c->req->content_url,
			    strlen(c->req->content_url));
		wbuf_putc(&c->out, '/');
		wbuf_esc_text(&c->out, c->actor, strlen(c->actor));
		wbuf_puts(&c->out, "</faultactor>");
	}
	wbuf_puts(&c->out, "<detail>");
	soap_elem(&c->out, "ErrorCode", error_code);
	soap_elem(&c->out, "Message", message ? message : "");
	soap_elem(&c->out, "ID", guid);
	soap_elem(&c->out, "Method", c->req->soapaction ? c->req->soapaction : "");
	wbuf_printf(&c->out, "</detail></%s:Fault></%s:Body></%s:Envelope>", p, p, p);
	if (soap_finish(c) == -1)
		return -1;
	c->resp->status = 500;
	c->resp->cache_control = "private";
	c->resp->close = 1;
	return 0;
}

void
soap_elem(struct wbuf *b, const char *name, const char *text)
{
	wbuf_printf(b, "<%s>", name);
	wbuf_esc_text(b, text, strlen(text));
	wbuf_printf(b, "</%s>", name);
}

void
soap_elem_int(struct wbuf *b, const char *name, long long v)
{
	wbuf_printf(b, "<%s>%lld</%s>", name, v, name);
}

void
soap_elem_bool(struct wbuf *b, const char *name, int v)
{
	wbuf_printf(b, "<%s>%s</%s>", name, v ? "true" : "false", name);
}

const char *
soap_text(const struct xml_node *n, const char *name)
{
	const struct xml_node *k = n ? xml_child(n, name) : NULL;

	return k ? k->text : NULL;
}

int
soap_parse_int(const char *s, size_t len, long long min, long long max,
    long long *out)
{
	long long v = 0;
	size_t i = 0;
	int neg = 0;

	/* xsd:int allows surrounding whitespace and a sign, nothing else. */
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	while (i < len && isspace((unsigned char)s[i]))
		i++;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (i == len)
		return -1;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (LLONG_MAX - (s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (neg)
		v = -v;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Parse exactly n digits at s into *v. */
static int
soap_digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int
soap_parse_datetime(const char *s, size_t len, time_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, sec;
	size_t i = 19;

	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	if (soap_digits(s, 4, &y) || soap_digits(s + 5, 2, &mo) ||
	    soap_digits(s + 8, 2, &d) || soap_digits(s + 11, 2, &h) ||
	    soap_digits(s + 14, 2, &mi) || soap_digits(s + 17, 2, &sec))
		return -1;
	if (y < 1601 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	if (i < len && s[i] == '.') {
		size_t f = ++i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == f || i - f > 7)
			return -1;
	}
	if (i < len && s[i] == 'Z')
		i++;
	else if (i + 6 == len && strncmp(s + i, "+00:00", 6) == 0)
		i += 6;
	if (i != len)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = timegm(&tm);
	return 0;
}

void
soap_format_datetime(time_t t, int frac_digits, char out[40])
{
	struct tm tm;
	size_t n;

	gmtime_r(&t, &tm);
	n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	if (frac_digits > 0) {
		out[n++] = '.';
		for (int i = 0; i < frac_digits && i < 7; i++)
			out[n++] = '0';
	}
	out[n++] = 'Z';
	out[n] = '\0';
}
