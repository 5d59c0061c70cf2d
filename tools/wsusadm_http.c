/*
 * wsusadm_http.c - wsusadm's transport: SOAP 1.1 POSTs to
 * /ApiRemoting30/WebService.asmx on one keep-alive TLS connection, with
 * the authentication real WSUS consoles use.
 *
 * Owns: the CURL handle (reused, so the NTLM or Kerberos security context
 * the server keeps per connection lasts for the whole session, as with
 * IIS), the choice of authentication scheme, the password prompt, answer
 * bounds, and turning HTTP statuses and SOAP faults into messages and
 * exit codes.
 *
 * Authentication:
 *   - a password (prompt, WSUSADM_PASSWORD, --password-file):
 *     CURLAUTH_NEGOTIATE | CURLAUTH_NTLM with the name and password.
 *     libcurl prefers Negotiate when both are offered; without a Kerberos
 *     ticket its GSS-API step fails and it sends nothing, so a 401 after
 *     that attempt is retried once with NTLM alone;
 *   - no password: Negotiate with the ticket cache and an empty name
 *     (curl's `-u :`); a 401 then prompts for a password when there is a
 *     terminal, and says to run kinit or give a password otherwise;
 *   - --basic: Basic with the name and password (the server must allow
 *     it: `[admin] basic = yes`); never chosen by itself.
 *
 * Never does: speak plain HTTP to ApiRemoting30, follow redirects, accept
 * more than ADM_BODY_MAX bytes, or print the password.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include <curl/curl.h>

#include "wsusadm.h"

#define ADM_SOAP_ENV  "http://schemas.xmlsoap.org/soap/envelope/"
#define ADM_XSI       "http://www.w3.org/2001/XMLSchema-instance"
#define ADM_XSD       "http://www.w3.org/2001/XMLSchema"
#define ADM_USER_AGENT "wsusadm/" WSUSD_VERSION

/* A bounded memory sink for answers. */
struct http_sink {
	struct wbuf b;          /* common/xml.h's growing buffer */
	int         overflow;   /* the answer passed ADM_BODY_MAX */
};

/* libcurl write callback: append, at most ADM_BODY_MAX. */
static size_t
http_on_body(char *data, size_t sz, size_t nm, void *arg)
{
	struct http_sink *s = arg;
	size_t n = sz * nm;

	if (n > ADM_BODY_MAX - s->b.len) {
		s->overflow = 1;
		return 0;
	}
	wbuf_put(&s->b, data, n);
	return s->b.oom ? 0 : n;
}

/*
 * http_on_header - collect the schemes of WWW-Authenticate headers of the
 * last response into a->offered ("Negotiate, NTLM"); a new status line
 * starts over, so after the 401 round trips the final answer's remain.
 */
static size_t
http_on_header(char *data, size_t sz, size_t nm, void *arg)
{
	struct adm *a = arg;
	size_t n = sz * nm, k, len;
	const char *v;

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		a->offered[0] = '\0';
		return n;
	}
	if (n > 17 && strncasecmp(data, "WWW-Authenticate:", 17) == 0) {
		v = data + 17;
		while (v < data + n && (*v == ' ' || *v == '\t'))
			v++;
		for (k = 0; v + k < data + n && v[k] != ' ' && v[k] != '\r' &&
		    v[k] != '\n' && k < 32; k++)
			;
		len = strlen(a->offered);
		if (k > 0 && len + k + 3 < sizeof(a->offered))
			snprintf(a->offered + len, sizeof(a->offered) - len, "%s%.*s",
			    len ? ", " : "", (int)k, v);
	}
	return n;
}

int
adm_http_init(struct adm *a)
{
	struct curl_slist *l = NULL, *nl;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	for (int i = 0; i < a->nresolve; i++) {
		if ((nl = curl_slist_append(l, a->resolve[i])) == NULL) {
			curl_slist_free_all(l);
			return -1;
		}
		l = nl;
	}
	a->resolve_list = l;
	if ((a->curl = curl_easy_init()) == NULL || adm_conn_setup(a, a->curl) == -1)
		return -1;
	return 0;
}

void
adm_http_free(struct adm *a)
{
	if (a->curl != NULL)
		curl_easy_cleanup(a->curl);
	curl_slist_free_all(a->resolve_list);
	a->curl = a->resolve_list = NULL;
	curl_global_cleanup();
}

void
adm_reply_free(struct adm_reply *r)
{
	if (r == NULL)
		return;
	xml_free(r->doc);
	memset(r, 0, sizeof(*r));
}

char *
adm_http_prompt(const char *user)
{
	struct termios old, quiet;
	char *pw;
	size_t n;
	FILE *tty;
	int fd;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1)
		return NULL;
	if ((tty = fdopen(fd, "r+")) == NULL) {
		close(fd);
		return NULL;
	}
	if ((pw = calloc(1, ADM_PASSWORD_MAX + 2)) == NULL) {
		fclose(tty);
		return NULL;
	}
	fprintf(tty, "Password for %s: ", user);
	fflush(tty);
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	if (fgets(pw, ADM_PASSWORD_MAX + 2, tty) == NULL) {
		free(pw);
		pw = NULL;
	}
	tcsetattr(fd, TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	if (pw != NULL) {
		n = strcspn(pw, "\r\n");
		pw[n] = '\0';
	}
	return pw;
}

/* Point the handle at the current credentials and scheme. */
static void
http_auth(struct adm *a)
{
	CURL *h = a->curl;

	switch (a->auth) {
	case ADM_AUTH_KERBEROS:
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_NEGOTIATE);
		curl_easy_setopt(h, CURLOPT_USERPWD, ":");
		return;
	case ADM_AUTH_PASSWORD:
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)(CURLAUTH_NEGOTIATE | CURLAUTH_NTLM));
		break;
	case ADM_AUTH_NTLM:
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_NTLM);
		break;
	case ADM_AUTH_BASIC:
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		break;
	}
	curl_easy_setopt(h, CURLOPT_USERPWD, NULL);
	curl_easy_setopt(h, CURLOPT_USERNAME, a->user);
	curl_easy_setopt(h, CURLOPT_PASSWORD, a->password ? a->password : "");
}

/*
 * http_fault - print a SOAP fault's message: .NET wraps exceptions, the
 * useful text follows the last "--->" of faultstring.  Access denials
 * (UnauthorizedAccess, "Access is denied") are ADM_EXIT_DENIED, the rest
 * ADM_EXIT_REFUSED.
 */
static int
http_fault(const struct adm *a, const char *op, const struct xml_node *f)
{
	const char *fs = adm_text(f, "faultstring"), *p, *q;

	if (fs == NULL)
		fs = "(no faultstring)";
	for (p = fs; (q = strstr(p, "--->")) != NULL; p = q + 4)
		;
	while (*p == ' ')
		p++;
	if (strstr(fs, "UnauthorizedAccess") != NULL ||
	    strcasestr(fs, "access is denied") != NULL) {
		fprintf(stderr, "wsusadm: %s: access denied for %s: %.400s\n"
		    "The account's role does not allow this operation (a Reporter "
		    "can only read); an administrator can change it with `wsusutil "
		    "user add`.\n", op, a->user ? a->user : "(Kerberos ticket)", p);
		return ADM_EXIT_DENIED;
	}
	fprintf(stderr, "wsusadm: %s: the server refused: %.600s\n", op, p);
	return ADM_EXIT_REFUSED;
}

int
adm_call(struct adm *a, const char *op, const char *body, size_t len,
    struct adm_reply *r)
{
	static const struct xml_limits lim = {
		ADM_BODY_MAX, ADM_XML_DEPTH, ADM_XML_ELEMENTS, ADM_XML_TEXT
	};
	struct curl_slist *hd = NULL, *nl;
	struct http_sink sink = { { NULL, 0, 0, 0 }, 0 };
	struct wbuf env;
	struct xml_node *root, *b, *f;
	char errbuf[CURL_ERROR_SIZE], err[256], action[300], want[160];
	long status = 0;
	CURLcode rc;
	int ret = ADM_EXIT_PROTOCOL, tries = 0;
	const char *const fixed[] = {
		"Content-Type: text/xml; charset=utf-8",
		"User-Agent: " ADM_USER_AGENT,
		"Expect:",
	};

	memset(r, 0, sizeof(*r));
	wbuf_init(&env, len + 512);
	wbuf_printf(&env, "<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope "
	    "xmlns:s=\"" ADM_SOAP_ENV "\" xmlns:xsi=\"" ADM_XSI "\" xmlns:xsd=\""
	    ADM_XSD "\"><s:Body><%s xmlns=\"" ADM_NS "\">", op);
	wbuf_put(&env, body, len);
	wbuf_printf(&env, "</%s></s:Body></s:Envelope>", op);
	snprintf(action, sizeof(action), "SOAPAction: \"" ADM_NS "/%s\"", op);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if ((nl = curl_slist_append(hd, fixed[i])) == NULL)
			goto out;
		hd = nl;
	}
	if ((nl = curl_slist_append(hd, action)) == NULL)
		goto out;
	hd = nl;
	if (env.oom)
		goto out;

	curl_easy_setopt(a->curl, CURLOPT_URL, a->url);
	curl_easy_setopt(a->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(a->curl, CURLOPT_POSTFIELDS, env.p);
	curl_easy_setopt(a->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)env.len);
	curl_easy_setopt(a->curl, CURLOPT_HTTPHEADER, hd);
	curl_easy_setopt(a->curl, CURLOPT_WRITEFUNCTION, http_on_body);
	curl_easy_setopt(a->curl, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(a->curl, CURLOPT_HEADERFUNCTION, http_on_header);
	curl_easy_setopt(a->curl, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(a->curl, CURLOPT_ERRORBUFFER, errbuf);
again:
	http_auth(a);
	errbuf[0] = '\0';
	sink.b.len = 0;
	sink.overflow = 0;
	if (a->verbose)
		fprintf(stderr, "debug: POST %s %s (%zu bytes)\n", a->url, op, env.len);
	rc = curl_easy_perform(a->curl);
	if (sink.overflow) {
		fprintf(stderr, "wsusadm: the answer to %s exceeds %u bytes\n", op,
		    ADM_BODY_MAX);
		goto out;
	}
	if (rc != CURLE_OK) {
		ret = adm_diag(a, (int)rc, errbuf[0] ? errbuf : curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &status);
	if (a->verbose)
		fprintf(stderr, "debug: %s: HTTP %ld, %zu bytes\n", op, status, sink.b.len);
	if (status == 401 && tries++ < 2) {
		if (a->auth == ADM_AUTH_PASSWORD) {
			/* Negotiate found no usable ticket: NTLM with the password. */
			a->auth = ADM_AUTH_NTLM;
			goto again;
		}
		if (a->auth == ADM_AUTH_KERBEROS && a->interactive && a->user != NULL &&
		    (a->password = adm_http_prompt(a->user)) != NULL) {
			a->auth = ADM_AUTH_PASSWORD;
			goto again;
		}
	}
	if (status == 401) {
		if (a->auth == ADM_AUTH_KERBEROS)
			fprintf(stderr, "wsusadm: the server accepted no Kerberos ticket "
			    "(HTTP 401; it offers: %s) and no password was given.\n"
			    "Run `kinit NAME@REALM` first, or give a password "
			    "(--password-file FILE, WSUSADM_PASSWORD, or a terminal for "
			    "the prompt).\n", a->offered[0] ? a->offered : "nothing");
		else
			fprintf(stderr, "wsusadm: the server refused the credentials of "
			    "%s (HTTP 401; it offers: %s).\nCheck the account name and "
			    "password; `wsusutil user list` on the server shows the "
			    "accounts.%s\n", a->user, a->offered[0] ? a->offered : "nothing",
			    a->auth == ADM_AUTH_BASIC && strcasestr(a->offered, "basic") == NULL ?
			    " This server does not offer Basic ([admin] basic = yes)." : "");
		ret = ADM_EXIT_AUTH;
		goto out;
	}
	if (status == 403) {
		fprintf(stderr, "wsusadm: %s is authenticated but may not administer "
		    "this server (HTTP 403: the account has no WSUS role).\nAn "
		    "administrator gives it one on the server: `wsusutil user add %s "
		    "--role Reporter|Administrator`.\n",
		    a->user ? a->user : "the Kerberos principal",
		    a->user ? a->user : "NAME");
		ret = ADM_EXIT_DENIED;
		goto out;
	}
	if (status != 200 && status != 500) {
		fprintf(stderr, "wsusadm: %s: HTTP %ld from %s\n", op, status, a->url);
		goto out;
	}
	if ((r->doc = xml_parse(sink.b.p ? sink.b.p : "", sink.b.len, &lim, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "wsusadm: %s: HTTP %ld, the answer is not XML (%s)\n",
		    op, status, err);
		goto out;
	}
	root = xml_root(r->doc);
	if (strcmp(root->local, "Envelope") != 0 || (b = xml_child(root, "Body")) == NULL) {
		fprintf(stderr, "wsusadm: %s: the answer is not a SOAP envelope\n", op);
		goto out;
	}
	if ((f = xml_child(b, "Fault")) != NULL) {
		ret = http_fault(a, op, f);
		goto out;
	}
	snprintf(want, sizeof(want), "%sResponse", op);
	if (status != 200 || (r->resp = xml_child(b, want)) == NULL) {
		fprintf(stderr, "wsusadm: %s: HTTP %ld, the answer has no <%s>\n",
		    op, status, want);
		goto out;
	}
	snprintf(want, sizeof(want), "%sResult", op);
	r->result = xml_child(r->resp, want);
	ret = 0;
out:
	if (ret != 0)
		adm_reply_free(r);
	curl_easy_setopt(a->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(a->curl, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(a->curl, CURLOPT_POSTFIELDS, NULL);
	curl_slist_free_all(hd);
	wbuf_free(&env);
	wbuf_free(&sink.b);
	return ret;
}
