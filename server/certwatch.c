/*
 * certwatch.c - the daemon's reminder for a pin-safe TLS certificate
 * rotation.
 *
 * Windows clients may pin the server: once a certificate is in their
 * WindowsServerUpdateServices store, a server certificate that is not
 * (nor any certificate of its chain) is refused.  So the next certificate
 * has to reach clients before it is served: an admin stages it as
 * [tls] next_cert, hands it out with `wsusutil clientconfig`, and only
 * then makes it [tls] cert and sends SIGHUP.
 *
 * Owns: deciding when to look again (the first call, then once a day on
 * the monotonic clock, so a clock change neither floods nor silences it),
 * and the wording of the warnings: from CERTWATCH_WARN_DAYS before the
 * current certificate expires, once a day, naming the staged next_cert or
 * saying that none is staged; a staged certificate that is unreadable or
 * does not fit the server name is reported too.
 *
 * Never does: serve, load or switch certificates (tls.c; SIGHUP in
 * main.c), or touch mbedTLS (crypto.c reads the files).  It re-reads the
 * files on disk: after an admin replaced [tls] cert and sent SIGHUP it
 * sees the new certificate.  Called from the main thread only; the state
 * is two statics.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "server.h"

#define CERTWATCH_INTERVAL_SECS (24 * 60 * 60)  /* between two checks */
#define CERTWATCH_WARN_DAYS     30              /* warn this many days before expiry */

/* "expires in 12 days (2026-01-02 ...)" or "expired 3 days ago (...)". */
static void
certwatch_when(const struct cert_info *ci, char *buf, size_t len)
{
	if (ci->days_left < 0)
		snprintf(buf, len, "expired %ld days ago (%s)", -ci->days_left,
		    ci->not_after);
	else
		snprintf(buf, len, "expires in %ld days (%s)", ci->days_left,
		    ci->not_after);
}

/*
 * certwatch_next - describe the staged certificate; 0 when it can be
 * named as the successor, -1 (after a warning) when it cannot.
 */
static int
certwatch_next(const char *next_path, const char *fqdn,
    const struct cert_info *cur, struct cert_info *nxt)
{
	char err[512];

	if (crypto_cert_info(next_path, nxt, err, sizeof(err)) == -1) {
		log_warnx("%s: [tls] next_cert %s: %s", __func__, next_path, err);
		return -1;
	}
	if (strcmp(nxt->sha256, cur->sha256) == 0) {
		log_warnx("%s: [tls] next_cert %s is the certificate being "
		    "served; stage the new one there", __func__, next_path);
		return -1;
	}
	if (crypto_cert_check_name(next_path, fqdn, err, sizeof(err)) == -1) {
		log_warnx("%s: [tls] next_cert %s cannot replace the current "
		    "certificate: %s", __func__, next_path, err);
		return -1;
	}
	return 0;
}

/* certwatch_check - one look at both files; first is the start-up call. */
static void
certwatch_check(const char *cert_path, const char *next_path,
    const char *fqdn, int first)
{
	struct cert_info cur, nxt;
	char             err[512], when[96];
	int              near, staged = next_path != NULL && next_path[0];

	if (crypto_cert_info(cert_path, &cur, err, sizeof(err)) == -1) {
		log_warnx("%s: certificate %s: %s", __func__, cert_path, err);
		return;
	}
	near = cur.days_left < CERTWATCH_WARN_DAYS;
	certwatch_when(&cur, when, sizeof(when));
	/* A staged file that cannot be the successor was just reported. */
	if (staged && certwatch_next(next_path, fqdn, &cur, &nxt) == -1)
		return;
	if (staged && near) {
		log_warnx("TLS certificate %s %s; staged [tls] next_cert %s "
		    "(SHA-1 %s, valid until %s): once clients have it "
		    "(wsusutil clientconfig puts it in their "
		    "WindowsServerUpdateServices store), make it [tls] cert "
		    "with its key, empty next_cert and send SIGHUP",
		    cert_path, when, next_path, nxt.sha1, nxt.not_after);
	} else if (staged && first) {
		log_info("staged [tls] next_cert %s: SHA-1 %s, valid until %s "
		    "(%ld days); not served until it becomes [tls] cert",
		    next_path, nxt.sha1, nxt.not_after, nxt.days_left);
	} else if (near && !staged) {
		log_warnx("TLS certificate %s %s and no [tls] next_cert is "
		    "staged: request one (wsusutil certreq), stage it as "
		    "next_cert and export it to clients (wsusutil "
		    "clientconfig) before switching, or clients that pin the "
		    "current certificate will refuse the server", cert_path,
		    when);
	}
}

void
certwatch_poll(const char *cert_path, const char *next_cert_path,
    const char *fqdn)
{
	static int      started;
	static time_t   last;
	struct timespec now;

	if (cert_path == NULL || cert_path[0] == '\0' ||
	    clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		return;
	if (started && now.tv_sec - last < CERTWATCH_INTERVAL_SECS)
		return;
	certwatch_check(cert_path, next_cert_path, fqdn, !started);
	started = 1;
	last = now.tv_sec;
}
