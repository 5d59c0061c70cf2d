/*
 * wua_trust.c - the Windows Update Agent's check of locally published
 * content: a downloaded cabinet is accepted only when the policy "Allow
 * signed content from intranet Microsoft update service location"
 * (AcceptTrustedPublisherCerts) is on and its Authenticode signature
 * verifies to a signer in Trusted Publishers whose chain ends in Trusted
 * Root Certification Authorities (a self-signed signer must be in both
 * stores) - the rule of System Center Updates Publisher's documentation.
 *
 * The stores are directories of certificates (--trusted-publishers,
 * --trusted-root; *.cer, *.crt, *.pem, DER or PEM) and the policy is
 * --accept-trusted-publisher-certs.  A real WUA always checks; wsusclient
 * checks only when one of the three options is given, because the
 * synthetic test catalogue serves unsigned random bytes under .cab names.
 *
 * Owns: deciding which files are checked, the refusal messages an admin
 * reads, and the HRESULT reported for each refusal (winerror.h TRUST_E_*
 * / CERT_E_*, as WinVerifyTrust returns them).  The verification itself
 * is common/authenticode_verify.c.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "authenticode.h"
#include "wua.h"

/* Whether s ends in ".cab", any case. */
static int
trust_is_cab_name(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n >= 4 && strcasecmp(s + n - 4, ".cab") == 0;
}

/*
 * The HRESULT for a refusal, from the reason authenticode_verify_cab
 * gave (the first matching row wins).
 */
static int32_t
trust_hresult(const char *reason)
{
	static const struct {
		const char *text;
		int32_t     hr;
	} map[] = {
		{ "not in Trusted Publishers",         WUA_HR_SUBJECT_NOT_TRUSTED },
		{ "Trusted Root",                      WUA_HR_UNTRUSTED_ROOT },
		{ "expired",                           WUA_HR_CERT_EXPIRED },
		{ "not yet valid",                     WUA_HR_CERT_EXPIRED },
		{ "not valid for code signing",        WUA_HR_CERT_WRONG_USAGE },
		{ "altered",                           WUA_HR_BAD_DIGEST },
		{ "signature is invalid",              WUA_HR_BAD_DIGEST },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strstr(reason, map[i].text) != NULL)
			return map[i].hr;
	return WUA_HR_NO_SIGNATURE;       /* not signed, not a cabinet, malformed */
}

/*
 * wua_trust_check - see wua.h.  The file is mapped read-only; nothing is
 * written.
 */
int32_t
wua_trust_check(const struct wua *w, const struct wua_file *f, int fd)
{
	struct authenticode_signer who;
	const char *slash = strrchr(f->url, '/');
	char reason[256];
	struct stat st;
	void *map;
	int rc;

	if (!w->trust_check || !(trust_is_cab_name(f->name) ||
	    trust_is_cab_name(slash != NULL ? slash + 1 : NULL)))
		return 0;
	if (!w->accept_trusted_publisher_certs) {
		wua_say("Signature verification failed for %s: signed content from the "
		    "intranet update service is not allowed (AcceptTrustedPublisherCerts "
		    "is off)", f->name);
		return WUA_HR_SUBJECT_NOT_TRUSTED;
	}
	if (fstat(fd, &st) == -1 || st.st_size <= 0 ||
	    (uint64_t)st.st_size > CAB_MAX_BYTES) {
		wua_say("Signature verification failed for %s: the file is empty or larger "
		    "than %u bytes", f->name, CAB_MAX_BYTES);
		return WUA_HR_NO_SIGNATURE;
	}
	if ((map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) ==
	    MAP_FAILED) {
		wua_say("Signature verification failed for %s: cannot map the file",
		    f->name);
		return WUA_HR_NOTDL;
	}
	rc = authenticode_verify_cab(map, (size_t)st.st_size, w->trusted_publishers,
	    w->trusted_root, &who, reason, sizeof(reason));
	munmap(map, (size_t)st.st_size);
	if (rc != 0) {
		wua_say("Signature verification failed for %s: %s", f->name, reason);
		if (who.sha1[0] != '\0')
			wua_debug(w, "%s: signer %s, issuer %s, thumbprint %s", f->name,
			    who.subject, who.issuer, who.sha1);
		return trust_hresult(reason);
	}
	wua_say("Signature verified for %s: signed by %s (thumbprint %s), a trusted "
	    "publisher", f->name, who.subject, who.sha1);
	return 0;
}
