/*
 * wsusadm_diag.c - how wsusadm's connections are set up, and why one
 * failed, told in words an admin can act on.
 *
 * Owns: the options every libcurl handle of wsusadm shares (verification
 * always on, trust anchors, --resolve, timeouts) and the diagnosis of a
 * failed transfer.  The WSUS SSL set-up guide names three reasons a
 * console cannot connect - the certificate is not trusted, the name does
 * not resolve or match, the port is blocked - and a fourth is common in
 * practice: the console was pointed at the plain-HTTP port.  Each gets a
 * message saying what was found and what to do:
 *   - the name does not resolve;
 *   - the port does not answer (refused, or silently dropped);
 *   - the port answers plain HTTP, not TLS;
 *   - the certificate is not trusted: whose it is (subject, issuer,
 *     validity) and its SHA-1 and SHA-256 thumbprints, so it can be
 *     compared with `wsusutil checkcert` on the server before trusting it;
 *   - the certificate does not hold the name connected to: which names
 *     it holds.
 * The diagnosis uses probes of its own on fresh handles: a plain-HTTP
 * HEAD to the same port, a TLS handshake with the same trust but without
 * the host-name check (it succeeds: the name is the problem), and one
 * without any check that only reads the certificate (CURLINFO_CERTINFO).
 * The certificate is then read with common/crypto (mbedTLS stays behind
 * that door), which also gives the thumbprints as wsusutil prints them.
 *
 * Never does: go on with an unverified connection - the unchecked probe
 * only connects, reads the certificate and closes; nothing is sent on it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "crypto.h"
#include "wsusadm.h"

int
adm_conn_setup(struct adm *a, void *curl)
{
	CURL *h = curl;
	const char *anchors = a->pin != NULL ? a->pin : a->ca;

	if (curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, ADM_CONNECT_S) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_TIMEOUT, ADM_TIMEOUT_S) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK)
		return -1;
	/* --pin: FILE is the only set of anchors (OpenSSL through curl
	 * accepts a pinned leaf or CA anywhere in the chain: partial chains
	 * are allowed), as wsusclient's --pin. */
	if (anchors != NULL &&
	    (curl_easy_setopt(h, CURLOPT_CAINFO, anchors) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_CAPATH, NULL) != CURLE_OK))
		return -1;
	if (a->resolve_list != NULL &&
	    curl_easy_setopt(h, CURLOPT_RESOLVE, a->resolve_list) != CURLE_OK)
		return -1;
	if (a->verbose > 1)
		curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	return 0;
}

/* Discard bodies of probes. */
static size_t
diag_discard(char *p, size_t sz, size_t nm, void *arg)
{
	(void)p;
	(void)arg;
	return sz * nm;
}

/*
 * diag_plain_http - does host:port answer a plain HTTP request?  1 with
 * the status in *status, 0 if not.
 */
static int
diag_plain_http(struct adm *a, long *status)
{
	CURL *h;
	char url[600];
	int ret = 0;

	*status = 0;
	if ((h = curl_easy_init()) == NULL)
		return 0;
	snprintf(url, sizeof(url), "http://%s:%d/", a->host, a->port);
	if (adm_conn_setup(a, h) == 0 &&
	    curl_easy_setopt(h, CURLOPT_URL, url) == CURLE_OK &&
	    curl_easy_setopt(h, CURLOPT_NOBODY, 1L) == CURLE_OK &&
	    curl_easy_setopt(h, CURLOPT_TIMEOUT, ADM_PROBE_S) == CURLE_OK &&
	    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, diag_discard) == CURLE_OK &&
	    curl_easy_perform(h) == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
		ret = *status > 0;
	}
	curl_easy_cleanup(h);
	return ret;
}

/*
 * diag_handshake - a TLS handshake with host:port and nothing else
 * (CONNECT_ONLY).  check: 2 = as configured (peer and name), 1 = the
 * chain but not the name, 0 = nothing (certificate read only).  With pem
 * (check 0), the leaf certificate's PEM text is copied there (NUL-ended;
 * "" when the library gave none).  Returns the curl code.
 */
static CURLcode
diag_handshake(struct adm *a, int check, char *pem, size_t pemlen)
{
	struct curl_certinfo *ci = NULL;
	struct curl_slist *s;
	CURL *h;
	char url[600];
	CURLcode rc;

	if (pem != NULL)
		pem[0] = '\0';
	if ((h = curl_easy_init()) == NULL)
		return CURLE_OUT_OF_MEMORY;
	snprintf(url, sizeof(url), "https://%s:%d/", a->host, a->port);
	if (adm_conn_setup(a, h) == -1 ||
	    curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_TIMEOUT, ADM_PROBE_S) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, check >= 2 ? 2L : 0L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, check >= 1 ? 1L : 0L) != CURLE_OK ||
	    (pem != NULL && curl_easy_setopt(h, CURLOPT_CERTINFO, 1L) != CURLE_OK)) {
		curl_easy_cleanup(h);
		return CURLE_FAILED_INIT;
	}
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK && pem != NULL &&
	    curl_easy_getinfo(h, CURLINFO_CERTINFO, &ci) == CURLE_OK &&
	    ci != NULL && ci->num_of_certs > 0) {
		for (s = ci->certinfo[0]; s != NULL; s = s->next) {
			if (strncmp(s->data, "Cert:", 5) == 0) {
				snprintf(pem, pemlen, "%s", s->data + 5);
				break;
			}
		}
	}
	curl_easy_cleanup(h);
	return rc;
}

/*
 * diag_cert - read the server's leaf certificate (unchecked handshake)
 * into *ci through a private temporary file (crypto_cert_info reads PEM
 * files).  0 or -1.
 */
static int
diag_cert(struct adm *a, struct cert_info *ci)
{
	static char pem[65536];
	char path[] = "/tmp/wsusadm-peer.XXXXXX", err[256];
	const char *dir = getenv("TMPDIR");
	char tpath[512];
	size_t n;
	int fd, rc;

	if (diag_handshake(a, 0, pem, sizeof(pem)) != CURLE_OK || pem[0] == '\0')
		return -1;
	if (dir != NULL && dir[0] != '\0' &&
	    snprintf(tpath, sizeof(tpath), "%s/wsusadm-peer.XXXXXX", dir) < (int)sizeof(tpath))
		fd = mkstemp(tpath);
	else {
		fd = mkstemp(path);
		snprintf(tpath, sizeof(tpath), "%s", path);
	}
	if (fd == -1)
		return -1;
	n = strlen(pem);
	rc = write(fd, pem, n) == (ssize_t)n ? 0 : -1;
	close(fd);
	if (rc == 0)
		rc = crypto_cert_info(tpath, ci, err, sizeof(err));
	unlink(tpath);
	return rc;
}

/* Print the certificate's identity, indented, to stderr. */
static void
diag_cert_print(const struct cert_info *ci)
{
	fprintf(stderr, "  subject:    %s\n", ci->subject);
	fprintf(stderr, "  issuer:     %s%s\n", ci->issuer,
	    ci->self_signed ? " (self-signed)" : "");
	fprintf(stderr, "  names:      %s\n", ci->sans[0] ? ci->sans : "(no subjectAltName)");
	fprintf(stderr, "  valid:      %s to %s%s\n", ci->not_before, ci->not_after,
	    ci->days_left < 0 ? " (EXPIRED)" : "");
	fprintf(stderr, "  SHA-1 thumbprint:   %s\n", ci->sha1);
	fprintf(stderr, "  SHA-256 thumbprint: %s\n", ci->sha256);
}

/* The TLS cases: untrusted or wrong name.  Returns ADM_EXIT_TLS. */
static int
diag_tls(struct adm *a, const char *why)
{
	struct cert_info ci;
	int have = diag_cert(a, &ci) == 0;

	if (diag_handshake(a, 1, NULL, 0) == CURLE_OK) {
		/* The chain is trusted; only the name check failed. */
		fprintf(stderr, "wsusadm: the certificate of %s:%d does not hold the "
		    "name \"%s\" you connected to.\n", a->host, a->port, a->host);
		if (have) {
			fprintf(stderr, "  It holds: %s\n", ci.sans[0] ? ci.sans : ci.subject);
			diag_cert_print(&ci);
		}
		fprintf(stderr, "Connect with one of the names it holds (the FQDN given "
		    "to `wsusutil configuressl`), or give the server a certificate "
		    "for \"%s\".\n", a->host);
		return ADM_EXIT_TLS;
	}
	if (a->pin != NULL)
		fprintf(stderr, "wsusadm: the certificate of %s:%d is not trusted: "
		    "no certificate of its chain is in the pin file %s (%s).\n",
		    a->host, a->port, a->pin, why);
	else
		fprintf(stderr, "wsusadm: the certificate of %s:%d is not trusted "
		    "(%s).\n", a->host, a->port, why);
	if (have) {
		fprintf(stderr, "  The server presented:\n");
		diag_cert_print(&ci);
		if (ci.days_left < 0)
			fprintf(stderr, "The certificate has expired: renew it on the "
			    "server (wsusutil selfsigned or certreq).\n");
	}
	fprintf(stderr, "Compare the thumbprint with `wsusutil checkcert` on the "
	    "server; if it is the server's, trust its issuer here (--ca FILE with "
	    "the issuing CA's certificate, or the system store) or pin it "
	    "(--pin FILE).\n");
	return ADM_EXIT_TLS;
}

int
adm_diag(struct adm *a, int code, const char *why)
{
	CURLcode rc = (CURLcode)code;
	long status;

	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		fprintf(stderr, "wsusadm: the name \"%s\" does not resolve (%s).\n"
		    "Check the server name (its FQDN, as `wsusutil configuressl` "
		    "printed it) and this machine's DNS.\n", a->host, why);
		return ADM_EXIT_CONNECT;
	case CURLE_COULDNT_CONNECT:
		fprintf(stderr, "wsusadm: nothing answers on %s port %d: the "
		    "connection was refused or the host is unreachable (%s).\n"
		    "Check that wsusd is running and listens on this port "
		    "(https_port in wsusd.conf, 8531 by default), and that no "
		    "firewall between here and the server blocks it.\n",
		    a->host, a->port, why);
		return ADM_EXIT_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		fprintf(stderr, "wsusadm: %s port %d does not answer (%s).\n"
		    "A firewall is probably dropping the port, or the server is "
		    "down; check that wsusd listens on it (https_port in "
		    "wsusd.conf, 8531 by default).\n", a->host, a->port, why);
		return ADM_EXIT_CONNECT;
	case CURLE_PEER_FAILED_VERIFICATION:
		return diag_tls(a, why);
	case CURLE_SSL_CACERT_BADFILE:
		fprintf(stderr, "wsusadm: cannot use the trust anchors %s: %s\n",
		    a->pin ? a->pin : a->ca ? a->ca : "(system store)", why);
		return ADM_EXIT_TLS;
	default:
		break;
	}
	if (diag_plain_http(a, &status)) {
		fprintf(stderr, "wsusadm: %s port %d answers plain HTTP (status %ld), "
		    "not HTTPS.\nThat is the server's HTTP port (clients fetch "
		    "content there); the console needs its SSL port: https_port in "
		    "wsusd.conf, 8531 by default.\n", a->host, a->port, status);
		return ADM_EXIT_CONNECT;
	}
	fprintf(stderr, "wsusadm: no TLS connection with %s port %d: %s.\n"
	    "Something answers on the port, but neither as HTTPS nor as HTTP; "
	    "check that it is wsusd's https_port.\n", a->host, a->port, why);
	return ADM_EXIT_CONNECT;
}
