/*
 * wsusclient.c - a Windows Update Agent stand-in for verifying wsusd:
 *
 *   wsusclient --server https://FQDN:8531 --state DIR [--ca FILE] [--pin FILE]
 *              [--group NAME] [--resolve HOST:PORT:ADDR]... [--dns-name NAME]
 *              [--trusted-publishers DIR] [--trusted-root DIR]
 *              [--accept-trusted-publisher-certs] [-v] scan|download|report|all
 *
 * scan      GetConfig, authorization, cookie, RegisterComputer, SyncUpdates
 *           rounds with local applicability evaluation, GetExtendedUpdateInfo
 * download  Range GETs of every needed file, verified by size, SHA-1, SHA-256
 * report    ReportEventBatch: 156 / 162 / 161 / 183 per needed update
 * all       scan, download, install (simulated), report, scan again
 *
 * --ca FILE    trust anchors for TLS instead of the system store
 * --pin FILE   TLS pinning: the PEM certificates in FILE are the only trust
 *              anchors (they replace --ca); the server's certificate or a CA
 *              in its chain must be one of them, else the connection is
 *              refused with "TLS certificate pinning: ...".
 * --resolve    as curl's (repeatable): name the server and the content host
 *
 * Locally published content (Updates Publisher): a downloaded .cab is
 * installed only when the policy "Allow signed content from intranet
 * Microsoft update service location" is on and its Authenticode signer is
 * in Trusted Publishers and chains to Trusted Root (a self-signed signer
 * must be in both); otherwise it is refused like a failed download and
 * reported as event 161 with the TRUST_E_* / CERT_E_* HRESULT.
 * --trusted-publishers DIR    the Trusted Publishers store: certificates
 *                             (*.cer, *.crt, *.pem; DER or PEM)
 * --trusted-root DIR          the Trusted Root Certification Authorities store
 * --accept-trusted-publisher-certs   the policy (registry value
 *                             AcceptTrustedPublisherCerts = 1)
 * A real WUA always checks.  wsusclient checks only when at least one of
 * these three options is given, because the synthetic test catalogue
 * serves unsigned random content under .cab names; without them it
 * behaves as before (size and hashes only).
 *
 * Exit status: 0 success, 1 a scan, download, report or TLS failure, 2 usage.
 * Owns: option parsing and the order of the steps; the steps live in
 * tools/wua_*.c (see tools/wua.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "log.h"
#include "wua.h"

#ifndef WSUSD_VERSION
#define WSUSD_VERSION "0.0.0-unknown"
#endif

static void
wsusclient_usage(void)
{
	fprintf(stderr,
	    "usage: wsusclient --server https://FQDN:8531 --state DIR [--ca FILE]\n"
	    "                  [--pin FILE] [--group NAME] [--resolve HOST:PORT:ADDR]\n"
	    "                  [--dns-name NAME] [--trusted-publishers DIR]\n"
	    "                  [--trusted-root DIR] [--accept-trusted-publisher-certs]\n"
	    "                  [-v] scan|download|report|all\n"
	    "       wsusclient --version\n");
	exit(2);
}

/* The server URL without trailing slashes; http(s) only. */
static char *
wsusclient_server(const char *arg)
{
	char *s;
	size_t n;

	if (strncasecmp(arg, "https://", 8) != 0 && strncasecmp(arg, "http://", 7) != 0) {
		fprintf(stderr, "wsusclient: --server must be an http:// or https:// URL\n");
		exit(2);
	}
	if ((n = strlen(arg)) > 400 || (s = strdup(arg)) == NULL) {
		fprintf(stderr, "wsusclient: --server too long\n");
		exit(2);
	}
	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

/* A trust store option: DIR must be a directory (exit 2 otherwise). */
static const char *
wsusclient_store(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "wsusclient: %s: not a directory of certificates\n", dir);
		exit(2);
	}
	return dir;
}

/* wsusclient_all - scan, download, install, report, scan; 0 or -1. */
static int
wsusclient_all(struct wua *w)
{
	int failed = 0;

	if (wua_scan(w) == -1)
		return -1;
	if (wua_download(w) == -1) {
		if (w->tls_refused)
			return -1;
		failed = 1;
	}
	if (wua_install(w) == -1 || wua_report(w) == -1)
		return -1;
	if (wua_scan(w) == -1)
		return -1;
	return failed ? -1 : 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server",   required_argument, NULL, 's' },
		{ "state",    required_argument, NULL, 'd' },
		{ "ca",       required_argument, NULL, 'c' },
		{ "pin",      required_argument, NULL, 'p' },
		{ "group",    required_argument, NULL, 'g' },
		{ "resolve",  required_argument, NULL, 'r' },
		{ "dns-name", required_argument, NULL, 'n' },
		{ "trusted-publishers", required_argument, NULL, 'P' },
		{ "trusted-root", required_argument, NULL, 'R' },
		{ "accept-trusted-publisher-certs", no_argument, NULL, 'A' },
		{ "verbose",  no_argument,       NULL, 'v' },
		{ "help",     no_argument,       NULL, 'h' },
		{ "version",  no_argument,       NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct wua w;
	char *server = NULL;
	const char *cmd;
	int ch, rc = 1;

	memset(&w, 0, sizeof(w));
	w.max_extended = 50;
	log_init(0, LOG_LVL_WARN, "wsusclient");
	while ((ch = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (ch) {
		case 'V': printf("wsusclient %s\n", WSUSD_VERSION); return 0;
		case 's': free(server); server = wsusclient_server(optarg); break;
		case 'd': w.state = optarg; break;
		case 'c': w.ca = optarg; break;
		case 'p': w.pin = optarg; break;
		case 'g': w.group = optarg; break;
		case 'n': w.dns_name = optarg; break;
		case 'v': w.verbose++; break;
		case 'P': w.trusted_publishers = wsusclient_store(optarg); w.trust_check = 1; break;
		case 'R': w.trusted_root = wsusclient_store(optarg); w.trust_check = 1; break;
		case 'A': w.accept_trusted_publisher_certs = 1; w.trust_check = 1; break;
		case 'r':
			if (w.nresolve == WUA_RESOLVE_MAX) {
				fprintf(stderr, "wsusclient: at most %d --resolve\n",
				    WUA_RESOLVE_MAX);
				exit(2);
			}
			w.resolve[w.nresolve++] = optarg;
			break;
		default:
			wsusclient_usage();
		}
	}
	if (server == NULL || w.state == NULL || optind != argc - 1)
		wsusclient_usage();
	cmd = argv[optind];
	if (strcmp(cmd, "scan") && strcmp(cmd, "download") && strcmp(cmd, "report") &&
	    strcmp(cmd, "all"))
		wsusclient_usage();
	w.server = server;
	if (w.pin != NULL && w.ca != NULL)
		fprintf(stderr, "wsusclient: note: --pin replaces --ca as the trust "
		    "anchors\n");

	if (wua_state_open(&w) == -1 || wua_http_init(&w) == -1) {
		fprintf(stderr, "wsusclient: cannot start\n");
		goto out;
	}
	wua_debug(&w, "SusClientId %s, state %s", w.client_id, w.state);
	if (strcmp(cmd, "scan") == 0)
		rc = wua_scan(&w) == 0 ? 0 : 1;
	else if (strcmp(cmd, "download") == 0)
		rc = wua_download(&w) == 0 ? 0 : 1;
	else if (strcmp(cmd, "report") == 0)
		rc = wua_report(&w) == 0 ? 0 : 1;
	else
		rc = wsusclient_all(&w) == 0 ? 0 : 1;
out:
	wua_http_free(&w);
	wua_state_free(&w);
	free(server);
	return rc;
}
