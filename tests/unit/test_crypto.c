/*
 * test_crypto.c - common/crypto.c against certificates it makes itself and
 * certificates the openssl CLI makes, in a temporary directory.
 *
 * The openssl CLI is both a second opinion on what crypto_selfsigned()
 * writes (openssl x509 -ext, openssl verify, fingerprints) and the maker of
 * the awkward cases: no serverAuth EKU, wildcard SANs, CN without SAN, RSA
 * and P-384 keys, chains, and certificates outside their validity.
 * OpenSSL 3.0's req and x509 cannot backdate (-days must be positive and
 * there is no -not_before/-not_after), so expired and not-yet-valid
 * certificates come from a throw-away "openssl ca -selfsign" with explicit
 * -startdate/-enddate.
 *
 * The hashes, AES-256-GCM, base64 and comparison helpers are checked
 * against published vectors (FIPS 180 "abc", the GCM specification's
 * AES-256 test case 16, RFC 4648 section 10) and against every single-bit
 * change of a sealed message.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto.h"
#include "limits_common.h"
#include "log.h"
#include "t.h"
#include "t_util.h"

/* Number of entries in tdir whose name ends in ".tmp". */
static int
tmp_files(void)
{
	DIR           *d;
	struct dirent *e;
	int            n = 0;
	size_t         l;

	if ((d = opendir(tdir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		l = strlen(e->d_name);
		if (l > 4 && strcmp(e->d_name + l - 4, ".tmp") == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* A self-signed certificate from "openssl req -x509" with extra -addext args. */
static int
openssl_cert(const char *base, const char *keyspec, const char *subj,
    const char *addext)
{
	return sh("openssl req -x509 -newkey %s -nodes -keyout %s.key "
	    "-out %s.pem -subj '%s' -days 30 %s", keyspec, base, base, subj,
	    addext);
}

/*
 * A self-signed certificate with explicit validity (dates as
 * YYYYMMDDhhmmssZ), via a minimal "openssl ca -selfsign" set-up.
 */
static int
openssl_ca_cert(const char *base, const char *cn, const char *eku,
    const char *start, const char *end)
{
	FILE *f;

	if ((f = fopen(tpath("ca.cnf"), "w")) == NULL)
		return -1;
	fprintf(f,
	    "[ca]\ndefault_ca = d\n"
	    "[d]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\n"
	    "default_md = sha256\npolicy = p\nunique_subject = no\n"
	    "x509_extensions = ext\n"
	    "[p]\ncommonName = supplied\n"
	    "[ext]\nbasicConstraints = CA:FALSE\nextendedKeyUsage = %s\n"
	    "subjectAltName = DNS:%s\n", eku, cn);
	fclose(f);
	return sh("rm -f index.txt* serial*; : > index.txt; echo 01 > serial; "
	    "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
	    "-nodes -keyout %s.key -subj /CN=%s -out %s.csr && "
	    "openssl ca -batch -config ca.cnf -selfsign -keyfile %s.key "
	    "-in %s.csr -out %s.pem -notext -startdate %s -enddate %s",
	    base, cn, base, base, base, base, start, end);
}

/* --- crypto_selfsigned + crypto_cert_info, checked against openssl ------- */

static void
test_selfsigned(void)
{
	const char *sans[] = { "wsus", "WSUS.example.test", "wsus" };
	struct cert_info ci;
	char  cert[256], key[256], err[512], out[8192], fp[128];
	char *p, *q;
	int   rc;

	snprintf(cert, sizeof(cert), "%s", tpath("ss.pem"));
	snprintf(key, sizeof(key), "%s", tpath("ss.key"));
	rc = crypto_selfsigned("wsus.example.test", sans, 3, 365, cert, key,
	    err, sizeof(err));
	T_OK(rc == 0, "crypto_selfsigned: %s", err);
	T_OK(file_mode(key) == 0600, "key mode %o", (unsigned)file_mode(key));
	T_OK(file_mode(cert) == 0644, "cert mode %o", (unsigned)file_mode(cert));
	T_OK(tmp_files() == 0, "temporary files left behind");

	rc = crypto_cert_info(cert, &ci, err, sizeof(err));
	T_OK(rc == 0, "crypto_cert_info: %s", err);
	T_OK(strcmp(ci.subject, "CN=wsus.example.test") == 0, "subject %s",
	    ci.subject);
	T_OK(strcmp(ci.issuer, ci.subject) == 0, "issuer %s", ci.issuer);
	/* fqdn first, the duplicates (any case) dropped */
	T_OK(strcmp(ci.sans, "DNS:wsus.example.test, DNS:wsus") == 0,
	    "sans %s", ci.sans);
	T_OK(ci.days_left == 364 || ci.days_left == 365, "days_left %ld",
	    ci.days_left);
	T_OK(strlen(ci.not_before) == 23 && strcmp(ci.not_before + 19,
	    " UTC") == 0 && ci.not_before[4] == '-' && ci.not_before[13] == ':',
	    "not_before %s", ci.not_before);
	T_OK(strlen(ci.not_after) == 23, "not_after %s", ci.not_after);
	T_OK(ci.server_auth == 1, "server_auth %d", ci.server_auth);
	T_OK(ci.self_signed == 1, "self_signed %d", ci.self_signed);
	T_OK(ci.chain_len == 1, "chain_len %d", ci.chain_len);
	T_OK(strcmp(ci.key_desc, "EC P-256") == 0, "key_desc %s", ci.key_desc);
	T_OK(strlen(ci.sha256) == 95, "sha256 %s", ci.sha256);
	T_OK(strlen(ci.sha1) == 40, "sha1 %s", ci.sha1);

	/* openssl's view of the same file */
	rc = capture(out, sizeof(out), "openssl x509 -in ss.pem -noout "
	    "-ext extendedKeyUsage,subjectAltName,basicConstraints,keyUsage");
	T_OK(rc == 0, "openssl x509 -ext failed: %s", out);
	T_OK(strstr(out, "TLS Web Server Authentication") != NULL,
	    "no serverAuth per openssl: %s", out);
	T_OK(strstr(out, "DNS:wsus.example.test, DNS:wsus\n") != NULL,
	    "SAN per openssl: %s", out);
	T_OK(strstr(out, "CA:FALSE") != NULL, "basicConstraints: %s", out);
	T_OK(strstr(out, "Digital Signature") != NULL, "keyUsage: %s", out);
	rc = capture(out, sizeof(out), "openssl x509 -in ss.pem -noout -text");
	T_OK(strstr(out, "Version: 3") != NULL, "not v3: %s", out);
	T_OK(strstr(out, "ecdsa-with-SHA256") != NULL, "sig alg: %s", out);
	T_OK(strstr(out, "Subject Key Identifier") != NULL, "no SKI: %s", out);
	rc = capture(out, sizeof(out), "openssl verify -CAfile ss.pem ss.pem");
	T_OK(rc == 0 && strstr(out, "ss.pem: OK") != NULL,
	    "openssl verify: %s", out);
	rc = capture(out, sizeof(out), "openssl pkey -in ss.key -noout -text");
	T_OK(rc == 0 && strstr(out, "P-256") != NULL, "openssl pkey: %s", out);

	/* fingerprints as openssl computes them */
	capture(out, sizeof(out), "openssl x509 -in ss.pem -noout "
	    "-fingerprint -sha256");
	T_OK((p = strchr(out, '=')) != NULL && strncmp(p + 1, ci.sha256, 95) == 0,
	    "sha256 %s vs openssl %s", ci.sha256, out);
	capture(out, sizeof(out), "openssl x509 -in ss.pem -noout "
	    "-fingerprint -sha1");
	fp[0] = '\0';
	if ((p = strchr(out, '=')) != NULL) {
		for (q = fp, p++; *p && *p != '\n' && q < fp + sizeof(fp) - 1; p++)
			if (*p != ':')
				*q++ = *p;
		*q = '\0';
	}
	T_OK(strcmp(fp, ci.sha1) == 0, "sha1 %s vs openssl %s", ci.sha1, fp);

	/* key belongs to its certificate, and not to another */
	rc = crypto_key_matches(cert, key, err, sizeof(err));
	T_OK(rc == 0, "key_matches own key: %s", err);
	rc = crypto_selfsigned("other.example.test", NULL, 0, 30,
	    tpath("ss2.pem"), tpath("ss2.key"), err, sizeof(err));
	T_OK(rc == 0, "second crypto_selfsigned: %s", err);
	err[0] = '\0';
	rc = crypto_key_matches(cert, tpath("ss2.key"), err, sizeof(err));
	T_OK(rc == -1 && strstr(err, "is not the key") != NULL,
	    "key_matches other key: rc %d, %s", rc, err);
	/* serials are random: two certificates never share a fingerprint */
	T_OK(crypto_cert_info(tpath("ss2.pem"), &ci, err, sizeof(err)) == 0 &&
	    strcmp(ci.sans, "DNS:other.example.test") == 0 &&
	    ci.days_left >= 29 && ci.days_left <= 30,
	    "second cert: %s %ld", ci.sans, ci.days_left);
}

/* --- replacing files, refusing bad requests ------------------------------ */

static void
test_selfsigned_files(void)
{
	static const struct {
		int          line;
		const char  *fqdn;
		const char  *san;      /* one extra name, or NULL */
		int          days;
		const char  *errpart;
	} bad[] = {
		{ __LINE__, "bad name.example.test", NULL, 30, "not a valid DNS name" },
		{ __LINE__, "", NULL, 30, "not a valid DNS name" },
		{ __LINE__, "a..b", NULL, 30, "not a valid DNS name" },
		{ __LINE__, "x.example.test.", NULL, 30, "not a valid DNS name" },
		{ __LINE__, "CN=x,O=y", NULL, 30, "not a valid DNS name" },
		{ __LINE__, "*.example.test", NULL, 30, "not a valid DNS name" },
		{ __LINE__, "x.example.test", "*.test", 30, "not a valid DNS name" },
		{ __LINE__, "x.example.test", "a/b", 30, "not a valid DNS name" },
		{ __LINE__, "x.example.test", NULL, 0, "outside" },
		{ __LINE__, "x.example.test", NULL, -5, "outside" },
		{ __LINE__, "x.example.test", NULL, 1000000, "outside" },
	};
	char        cert[256], key[256];
	const char *sans[1];
	struct cert_info ci;
	char   err[512];
	size_t i;
	mode_t old;
	int    rc;

	snprintf(cert, sizeof(cert), "%s", tpath("f.pem"));
	snprintf(key, sizeof(key), "%s", tpath("f.key"));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sans[0] = bad[i].san;
		err[0] = '\0';
		rc = crypto_selfsigned(bad[i].fqdn, sans, bad[i].san ? 1 : 0,
		    bad[i].days, cert, key, err, sizeof(err));
		T_CHECK(bad[i].line, rc == -1 && strstr(err, bad[i].errpart),
		    "rc %d, err \"%s\"", rc, err);
		T_CHECK(bad[i].line, !exists(cert) && !exists(key),
		    "files written on failure");
	}
	/* a wildcard is accepted as an extra name */
	sans[0] = "*.example.test";
	rc = crypto_selfsigned("x.example.test", sans, 1, 30, cert, key, err,
	    sizeof(err));
	T_OK(rc == 0, "wildcard SAN: %s", err);
	rc = crypto_cert_check_name(cert, "y.example.test", err, sizeof(err));
	T_OK(rc == 0, "wildcard SAN check: %s", err);

	/* same path for both */
	rc = crypto_selfsigned("x.example.test", NULL, 0, 30, cert, cert, err,
	    sizeof(err));
	T_OK(rc == -1 && strstr(err, "different"), "same path: %s", err);

	/* a directory that does not exist: fails, leaves nothing */
	rc = crypto_selfsigned("x.example.test", NULL, 0, 30,
	    tpath("nodir/c.pem"), tpath("nodir/c.key"), err, sizeof(err));
	T_OK(rc == -1 && strstr(err, "nodir"), "missing dir: %s", err);
	/* key dir fine, cert dir missing: the key written is removed again */
	rc = crypto_selfsigned("x.example.test", NULL, 0, 30,
	    tpath("nodir/c.pem"), tpath("lone.key"), err, sizeof(err));
	T_OK(rc == -1 && !exists(tpath("lone.key")) &&
	    !exists(tpath("lone.key.tmp")), "half-written key left: %s", err);

	/* replacing a world-readable key leaves a 0600 one */
	T_OK(sh("echo old > f.key && chmod 0644 f.key") == 0, "setup");
	old = umask(0);
	rc = crypto_selfsigned("x.example.test", NULL, 0, 30, cert, key, err,
	    sizeof(err));
	T_OK(rc == 0 && file_mode(key) == 0600, "replace: rc %d mode %o %s",
	    rc, (unsigned)file_mode(key), err);
	/* and a tight umask does not narrow the certificate's 0644 */
	umask(0077);
	rc = crypto_selfsigned("x.example.test", NULL, 0, 30, cert, key, err,
	    sizeof(err));
	T_OK(rc == 0 && file_mode(cert) == 0644 && file_mode(key) == 0600,
	    "umask 077: cert %o key %o", (unsigned)file_mode(cert),
	    (unsigned)file_mode(key));
	umask(old);
	T_OK(crypto_key_matches(cert, key, err, sizeof(err)) == 0,
	    "replaced pair: %s", err);
	/* a stale .tmp from a crash is not an obstacle */
	T_OK(sh("echo stale > f.key.tmp && echo stale > f.pem.tmp") == 0, "setup");
	rc = crypto_selfsigned("x.example.test", NULL, 0, 30, cert, key, err,
	    sizeof(err));
	T_OK(rc == 0 && tmp_files() == 0, "stale tmp: rc %d %s", rc, err);
	/* a symlink planted at the .tmp name is removed, never followed */
	T_OK(sh("ln -s victim f.key.tmp") == 0, "setup");
	rc = crypto_selfsigned("x.example.test", NULL, 0, 30, cert, key, err,
	    sizeof(err));
	T_OK(rc == 0 && !exists(tpath("victim")), "symlink tmp: rc %d %s", rc,
	    err);
	T_OK(crypto_cert_info(cert, &ci, err, sizeof(err)) == 0, "%s", err);
}

/* --- crypto_cert_check_name over a table of certificates ----------------- */

static void
test_check_name(void)
{
	static const struct {
		int          line;
		const char  *cert;     /* base name in tdir */
		const char  *fqdn;
		int          rc;
		const char  *parts[3]; /* substrings the reason must contain */
		const char  *absent;   /* substring it must not contain */
	} cases[] = {
		/* crypto_selfsigned: SAN wsus.example.test, wsus */
		{ __LINE__, "ss", "wsus.example.test", 0, { NULL }, NULL },
		{ __LINE__, "ss", "WSUS.EXAMPLE.TEST", 0, { NULL }, NULL },
		{ __LINE__, "ss", "wsus.example.test.", 0, { NULL }, NULL },
		{ __LINE__, "ss", "wsus", 0, { NULL }, NULL },
		{ __LINE__, "ss", "other.example.test", -1,
		  { "does not cover \"other.example.test\"",
		    "(SAN: DNS:wsus.example.test, DNS:wsus)" }, "serverAuth" },
		{ __LINE__, "ss", "wsus.example", -1, { "does not cover" }, NULL },
		{ __LINE__, "ss", "", -1, { "no server name" }, NULL },
		/* clientAuth only */
		{ __LINE__, "client", "client.example.test", -1,
		  { "certificate has no serverAuth EKU" }, "does not cover" },
		/* anyExtendedKeyUsage counts as serverAuth */
		{ __LINE__, "anyeku", "any.example.test", 0, { NULL }, NULL },
		/* wildcard: exactly one leftmost label */
		{ __LINE__, "wild", "a.example.test", 0, { NULL }, NULL },
		{ __LINE__, "wild", "WWW.Example.Test", 0, { NULL }, NULL },
		{ __LINE__, "wild", "example.test", -1, { "does not cover" }, NULL },
		{ __LINE__, "wild", "a.b.example.test", -1, { "does not cover" }, NULL },
		{ __LINE__, "wild", ".example.test", -1, { "does not cover" }, NULL },
		{ __LINE__, "wild", "a.example.testx", -1, { "does not cover" }, NULL },
		{ __LINE__, "wild", "exact.example.org", 0, { NULL }, NULL },
		/* "*.test" spans a whole TLD: never honoured */
		{ __LINE__, "tldwild", "a.test", -1, { "does not cover" }, NULL },
		/* partial-label wildcards are not wildcards */
		{ __LINE__, "partwild", "wsus1.example.test", -1,
		  { "does not cover" }, NULL },
		/* CN only, no SAN: the CN decides */
		{ __LINE__, "cnonly", "cn.example.test", 0, { NULL }, NULL },
		{ __LINE__, "cnonly", "CN.example.test", 0, { NULL }, NULL },
		{ __LINE__, "cnonly", "x.example.test", -1,
		  { "(CN: cn.example.test, no SAN dNSName)" }, NULL },
		/* SAN present: the CN is ignored (RFC 6125 §6.4.4) */
		{ __LINE__, "cnsan", "cn-only.example.test", -1,
		  { "does not cover", "DNS:san.example.test" }, NULL },
		{ __LINE__, "cnsan", "san.example.test", 0, { NULL }, NULL },
		/* validity */
		{ __LINE__, "expired", "old.example.test", -1,
		  { "certificate expired on 2021-01-01 00:00:00 UTC" },
		  "serverAuth" },
		{ __LINE__, "future", "new.example.test", -1,
		  { "certificate is not valid before 2099-01-01 00:00:00 UTC" },
		  "expired" },
		/* every failure in one sentence */
		{ __LINE__, "allbad", "wsus.example.com", -1,
		  { "certificate does not cover \"wsus.example.com\" "
		    "(SAN: DNS:allbad.example.test); certificate has no "
		    "serverAuth EKU; certificate expired on 2021-01-01 "
		    "00:00:00 UTC" }, NULL },
		/* not a certificate */
		{ __LINE__, "missing", "x.example.test", -1,
		  { "cannot open", "missing.pem" }, NULL },
		{ __LINE__, "garbage", "x.example.test", -1,
		  { "no certificate could be parsed" }, NULL },
		{ __LINE__, "ss2", "other.example.test", 0, { NULL }, NULL },
	};
	char   reason[1024], path[256];
	size_t i, j;
	int    rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.pem", tdir, cases[i].cert);
		strcpy(reason, "unset");
		rc = crypto_cert_check_name(path, cases[i].fqdn, reason,
		    sizeof(reason));
		T_CHECK(cases[i].line, rc == cases[i].rc,
		    "%s for %s: rc %d, reason \"%s\"", cases[i].cert,
		    cases[i].fqdn, rc, reason);
		if (rc == 0)
			T_CHECK(cases[i].line, reason[0] == '\0',
			    "reason on success: %s", reason);
		for (j = 0; j < 3 && cases[i].parts[j]; j++)
			T_CHECK(cases[i].line, strstr(reason, cases[i].parts[j]),
			    "reason \"%s\" lacks \"%s\"", reason,
			    cases[i].parts[j]);
		if (cases[i].absent)
			T_CHECK(cases[i].line, !strstr(reason, cases[i].absent),
			    "reason \"%s\" has \"%s\"", reason, cases[i].absent);
	}
	/* a reason buffer too small is cut, and the answer still -1 */
	rc = crypto_cert_check_name(tpath("allbad.pem"), "x", reason, 16);
	T_OK(rc == -1 && strlen(reason) == 15, "short reason: %d \"%s\"", rc,
	    reason);
	rc = crypto_cert_check_name(tpath("expired.pem"), "old.example.test",
	    NULL, 0);
	T_OK(rc == -1, "no reason buffer: expired accepted");
}

/* --- crypto_cert_info on other people's certificates ---------------------- */

static void
test_info_openssl(void)
{
	static const struct {
		int          line;
		const char  *cert;
		const char  *key_desc;
		int          server_auth, self_signed, chain_len;
		long         days_min, days_max;
		const char  *sans;
	} cases[] = {
		{ __LINE__, "rsa", "RSA 2048", 1, 1, 1, 29, 30, "" },
		{ __LINE__, "p384", "EC P-384", 1, 1, 1, 29, 30, "DNS:p384.example.test" },
		{ __LINE__, "client", "EC P-256", 0, 1, 1, 29, 30, "DNS:client.example.test" },
		{ __LINE__, "expired", "EC P-256", 1, 1, 1, -100000, -365, "DNS:old.example.test" },
		{ __LINE__, "future", "EC P-256", 1, 1, 1, 20000, 100000, "DNS:new.example.test" },
		{ __LINE__, "leaf", "EC P-256", 1, 0, 1, 9, 10, "DNS:leaf.example.test" },
		{ __LINE__, "chain", "EC P-256", 1, 0, 2, 9, 10, "DNS:leaf.example.test" },
	};
	struct cert_info ci;
	char   err[512], path[256];
	size_t i;
	int    rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.pem", tdir, cases[i].cert);
		rc = crypto_cert_info(path, &ci, err, sizeof(err));
		T_CHECK(cases[i].line, rc == 0, "%s: %s", path, err);
		T_CHECK(cases[i].line, strcmp(ci.key_desc, cases[i].key_desc) == 0,
		    "key_desc %s", ci.key_desc);
		T_CHECK(cases[i].line, ci.server_auth == cases[i].server_auth,
		    "server_auth %d", ci.server_auth);
		T_CHECK(cases[i].line, ci.self_signed == cases[i].self_signed,
		    "self_signed %d", ci.self_signed);
		T_CHECK(cases[i].line, ci.chain_len == cases[i].chain_len,
		    "chain_len %d", ci.chain_len);
		T_CHECK(cases[i].line, ci.days_left >= cases[i].days_min &&
		    ci.days_left <= cases[i].days_max, "days_left %ld",
		    ci.days_left);
		T_CHECK(cases[i].line, strcmp(ci.sans, cases[i].sans) == 0,
		    "sans \"%s\"", ci.sans);
	}
	/* the leaf names its CA as issuer; a chain file describes its first */
	rc = crypto_cert_info(tpath("chain.pem"), &ci, err, sizeof(err));
	T_OK(rc == 0 && strcmp(ci.subject, "CN=leaf.example.test") == 0 &&
	    strcmp(ci.issuer, "O=wsusd tests, CN=Test CA") == 0,
	    "chain: %s / %s", ci.subject, ci.issuer);
	rc = crypto_cert_info(tpath("expired.pem"), &ci, err, sizeof(err));
	T_OK(rc == 0 && strcmp(ci.not_before, "2020-01-01 00:00:00 UTC") == 0 &&
	    strcmp(ci.not_after, "2021-01-01 00:00:00 UTC") == 0,
	    "dates %s .. %s", ci.not_before, ci.not_after);
	/* a chain with a corrupt member is refused */
	rc = crypto_cert_info(tpath("holed.pem"), &ci, err, sizeof(err));
	T_OK(rc == -1 && strstr(err, "could not be parsed"), "holed: %s", err);
	rc = crypto_cert_info(tpath("missing.pem"), &ci, err, sizeof(err));
	T_OK(rc == -1 && strstr(err, "No such file"), "missing: %s", err);
	rc = crypto_cert_info(tpath("empty.pem"), &ci, err, sizeof(err));
	T_OK(rc == -1 && strstr(err, "empty"), "empty: %s", err);
	rc = crypto_cert_info(tdir, &ci, err, sizeof(err));
	T_OK(rc == -1 && strstr(err, "not a regular file"), "dir: %s", err);
	/* a key file is not a certificate */
	rc = crypto_cert_info(tpath("ss.key"), &ci, err, sizeof(err));
	T_OK(rc == -1, "key parsed as certificate");
	/* DER works too */
	rc = crypto_cert_info(tpath("ss.der"), &ci, err, sizeof(err));
	T_OK(rc == 0 && strcmp(ci.subject, "CN=wsus.example.test") == 0,
	    "der: %s", err);
}

/* --- crypto_key_matches ---------------------------------------------------- */

static void
test_key_matches(void)
{
	static const struct {
		int          line;
		const char  *cert, *key;
		int          rc;
		const char  *errpart;
	} cases[] = {
		{ __LINE__, "ss.pem", "ss.key", 0, NULL },
		{ __LINE__, "rsa.pem", "rsa.key", 0, NULL },
		{ __LINE__, "p384.pem", "p384.key", 0, NULL },
		{ __LINE__, "chain.pem", "leaf.key", 0, NULL },
		{ __LINE__, "ss.pem", "ss2.key", -1, "is not the key" },
		{ __LINE__, "ss.pem", "p384.key", -1, "is not the key" },
		{ __LINE__, "ss.pem", "rsa.key", -1, "RSA key" },
		{ __LINE__, "ss.pem", "ss.der.key", 0, NULL },
		{ __LINE__, "ss.pem", "enc.key", -1, "encrypted" },
		{ __LINE__, "ss.pem", "garbage.pem", -1, "cannot parse" },
		{ __LINE__, "ss.pem", "nokey.key", -1, "cannot open" },
		{ __LINE__, "ss.pem", "empty.pem", -1, "empty" },
		{ __LINE__, "nocert.pem", "ss.key", -1, "cannot open" },
	};
	char   err[512], c[256], k[256];
	size_t i;
	int    rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(c, sizeof(c), "%s/%s", tdir, cases[i].cert);
		snprintf(k, sizeof(k), "%s/%s", tdir, cases[i].key);
		err[0] = '\0';
		rc = crypto_key_matches(c, k, err, sizeof(err));
		T_CHECK(cases[i].line, rc == cases[i].rc, "rc %d: %s", rc, err);
		if (cases[i].errpart)
			T_CHECK(cases[i].line, strstr(err, cases[i].errpart),
			    "err \"%s\" lacks \"%s\"", err, cases[i].errpart);
	}
}

/* --- crypto_random --------------------------------------------------------- */

static void
test_random(void)
{
	unsigned char a[64], b[64], zero[64], big[100000];
	size_t        i, ones = 0;

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	memset(zero, 0, sizeof(zero));
	T_OK(crypto_random(a, sizeof(a)) == 0, "crypto_random a");
	T_OK(crypto_random(b, sizeof(b)) == 0, "crypto_random b");
	T_OK(memcmp(a, zero, sizeof(a)) != 0, "all zero");
	T_OK(memcmp(a, b, sizeof(a)) != 0, "repeated output");
	T_OK(crypto_random(a, 0) == 0, "zero length");
	T_OK(crypto_random(big, sizeof(big)) == 0, "large buffer");
	for (i = 0; i < sizeof(big); i++)
		ones += (size_t)__builtin_popcount(big[i]);
	/* 800000 bits: expect 400000 ones, sd ~447 */
	T_OK(ones > 395000 && ones < 405000, "bit balance %zu", ones);
}

/* --- digests, AEAD, base64, comparison --------------------------------------- */

/* Hex text (even length, lower case) to bytes; returns the byte count. */
static size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2, i;
	unsigned int b;

	for (i = 0; i < n && i < cap; i++) {
		sscanf(hex + 2 * i, "%2x", &b);
		out[i] = (uint8_t)b;
	}
	return i;
}

static int
all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* MD4: every test vector of RFC 1320 appendix A.5. */
static void
test_md4(void)
{
	static const struct {
		int          line;
		const char  *msg, *md4;
	} cases[] = {
		{ __LINE__, "", "31d6cfe0d16ae931b73c59d7e0c089c0" },
		{ __LINE__, "a", "bde52cb31de33e46245e05fbdbd6fb24" },
		{ __LINE__, "abc", "a448017aaf21d8525fc10ae87aa6729d" },
		{ __LINE__, "message digest", "d9130a8164549fe818874806e1c7014b" },
		{ __LINE__, "abcdefghijklmnopqrstuvwxyz",
		  "d79e1c308aa5bbcdeea8ed63df412da9" },
		{ __LINE__, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		  "0123456789", "043f8582f241db351ce627e153e7f0e4" },
		{ __LINE__, "1234567890123456789012345678901234567890123456789012"
		  "3456789012345678901234567890",
		  "e33b4ddc9c38f2199c3e7b164fcc0536" },
	};
	uint8_t d[16], w[16];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unhex(cases[i].md4, w, sizeof(w));
		crypto_md4(cases[i].msg, strlen(cases[i].msg), d);
		T_CHECK(cases[i].line, memcmp(d, w, 16) == 0, "md4 \"%s\"",
		    cases[i].msg);
	}
}

/*
 * The NT hash: MD4 of UTF-16LE.  "Password" is MS-NLMP 4.2.2.1.2's
 * NTOWFv1; "SecREt01" is the Davenport NTLM paper's example (both checked
 * with `openssl dgst -md4 -provider legacy` over the UTF-16LE bytes).
 */
static void
test_nt_hash(void)
{
	static const struct {
		int          line;
		const char  *pw;
		const char  *nt;   /* NULL: refused */
	} cases[] = {
		{ __LINE__, "Password", "a4f49c406510bdcab6824ee7c30fd852" },
		{ __LINE__, "password", "8846f7eaee8fb117ad06bdd830b7586c" },
		{ __LINE__, "", "31d6cfe0d16ae931b73c59d7e0c089c0" },
		{ __LINE__, "SecREt01", "cd06ca7c7e10c99b1d33b7485a2ed808" },
		{ __LINE__, "\xc3\xa9t\xc3\xa9", NULL },          /* filled below */
		{ __LINE__, "\xc3", NULL },                        /* cut UTF-8 */
		{ __LINE__, "\xc0\xaf", NULL },                    /* overlong */
		{ __LINE__, "\xed\xa0\x80", NULL },                /* a surrogate */
	};
	uint8_t d[16], w[16];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = crypto_nt_hash(cases[i].pw, strlen(cases[i].pw), d);

		if (i == 4) {
			/* U+00E9 U+0074 U+00E9 as UTF-16LE, hashed directly. */
			static const uint8_t u16[] = { 0xe9, 0, 't', 0, 0xe9, 0 };

			crypto_md4(u16, sizeof(u16), w);
			T_CHECK(cases[i].line, rc == 0 && memcmp(d, w, 16) == 0,
			    "nt hash of non-ASCII text");
			continue;
		}
		if (cases[i].nt == NULL) {
			T_CHECK(cases[i].line, rc == -1, "bad UTF-8 accepted");
			continue;
		}
		unhex(cases[i].nt, w, sizeof(w));
		T_CHECK(cases[i].line, rc == 0 && memcmp(d, w, 16) == 0,
		    "nt hash \"%s\"", cases[i].pw);
	}
	T_OK(crypto_nt_hash("x", CRYPTO_PASSWORD_MAX + 1, d) == -1,
	    "over-long password accepted");
}

/* PBKDF2-HMAC-SHA256: RFC 7914 section 11 and the widely used vectors. */
static void
test_pbkdf2(void)
{
	static const struct {
		int          line;
		const char  *pw, *salt;
		unsigned     iter;
		const char  *dk;
	} cases[] = {
		{ __LINE__, "password", "salt", 1,
		  "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b" },
		{ __LINE__, "password", "salt", 2,
		  "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43" },
		{ __LINE__, "password", "salt", 4096,
		  "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a" },
		{ __LINE__, "passwd", "salt", 1,
		  "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc" },
	};
	uint8_t d[32], w[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unhex(cases[i].dk, w, sizeof(w));
		T_CHECK(cases[i].line, crypto_pbkdf2_sha256(cases[i].pw,
		    strlen(cases[i].pw), (const uint8_t *)cases[i].salt,
		    strlen(cases[i].salt), cases[i].iter, d, sizeof(d)) == 0 &&
		    memcmp(d, w, 32) == 0, "pbkdf2 %s/%s/%u", cases[i].pw,
		    cases[i].salt, cases[i].iter);
	}
	T_OK(crypto_pbkdf2_sha256("p", 1, (const uint8_t *)"s", 1, 0, d,
	    sizeof(d)) == -1, "zero iterations accepted");
}

static void
test_digests(void)
{
	static const struct {
		int          line;
		const char  *msg;
		const char  *sha1, *sha256;
	} cases[] = {
		{ __LINE__, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d",
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ __LINE__, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
		  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ __LINE__, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	uint8_t d1[20], d2[32], w1[20], w2[32];
	size_t  i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unhex(cases[i].sha1, w1, sizeof(w1));
		unhex(cases[i].sha256, w2, sizeof(w2));
		crypto_sha1(cases[i].msg, strlen(cases[i].msg), d1);
		crypto_sha256(cases[i].msg, strlen(cases[i].msg), d2);
		T_CHECK(cases[i].line, memcmp(d1, w1, 20) == 0, "sha1 \"%s\"",
		    cases[i].msg);
		T_CHECK(cases[i].line, memcmp(d2, w2, 32) == 0, "sha256 \"%s\"",
		    cases[i].msg);
	}
}

static void
test_aead(void)
{
	/* GCM specification (McGrew & Viega), test case 16: AES-256, 96-bit IV. */
	static const char kat_key[] =
	    "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
	static const char kat_sealed[] =    /* IV || C || T */
	    "cafebabefacedbaddecaf888"
	    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	    "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
	    "76fc6ece0f4e1768cddf8853bb2d551b";
	static const char kat_aad[] = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
	static const char kat_pt[] =
	    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
	static const char msg[] = "computer 7 in group 3, valid until t";
	static const char hdr[] = "\x01\x02\x00\x00wxyz";
	uint8_t key[32], key2[32], aad[32], kin[128], kpt[128], kout[128];
	uint8_t sealed[128], again[128], out[128], bad[128];
	size_t  klen, kaadlen, kptlen, slen, i;
	long    n, n2;
	int     flips_ok = 1, aad_ok = 1;

	/* known answer: the layout is nonce || ciphertext || tag */
	unhex(kat_key, key, sizeof(key));
	klen = unhex(kat_sealed, kin, sizeof(kin));
	kaadlen = unhex(kat_aad, aad, sizeof(aad));
	kptlen = unhex(kat_pt, kpt, sizeof(kpt));
	n = crypto_aead_open(key, aad, kaadlen, kin, klen, kout, sizeof(kout));
	T_OK(n == (long)kptlen && memcmp(kout, kpt, kptlen) == 0,
	    "GCM test case 16: %ld", n);
	kin[klen - 1] ^= 1;
	T_OK(crypto_aead_open(key, aad, kaadlen, kin, klen, kout,
	    sizeof(kout)) == -1, "GCM test case 16 with a bad tag");

	/* round trip, fresh nonce each time */
	T_OK(crypto_random(key, sizeof(key)) == 0, "key");
	memcpy(key2, key, sizeof(key2));
	key2[31] ^= 0x80;
	n = crypto_aead_seal(key, hdr, 8, msg, sizeof(msg), sealed,
	    sizeof(sealed));
	T_OK(n == (long)sizeof(msg) + 28, "seal length %ld", n);
	slen = (size_t)n;
	n2 = crypto_aead_seal(key, hdr, 8, msg, sizeof(msg), again,
	    sizeof(again));
	T_OK(n2 == n && memcmp(sealed, again, 12) != 0 &&
	    memcmp(sealed + 12, again + 12, slen - 12) != 0,
	    "nonce or ciphertext repeated");
	T_OK(memmem(sealed, slen, "computer", 8) == NULL, "plaintext visible");
	memset(out, 0xaa, sizeof(out));
	n = crypto_aead_open(key, hdr, 8, sealed, slen, out, sizeof(out));
	T_OK(n == (long)sizeof(msg) && memcmp(out, msg, sizeof(msg)) == 0,
	    "open %ld", n);
	/* exactly the plaintext length is enough */
	n = crypto_aead_open(key, hdr, 8, sealed, slen, out, sizeof(msg));
	T_OK(n == (long)sizeof(msg), "open into exact buffer %ld", n);

	/* any single bit of nonce, ciphertext or tag */
	for (i = 0; i < slen * 8; i++) {
		memcpy(bad, sealed, slen);
		bad[i / 8] ^= (uint8_t)(1u << (i % 8));
		memset(out, 0xaa, sizeof(out));
		n = crypto_aead_open(key, hdr, 8, bad, slen, out, sizeof(out));
		if (n != -1 || !all_zero(out, sizeof(out))) {
			flips_ok = 0;
			T_OK(0, "bit %zu (byte %zu) flipped: %ld", i, i / 8, n);
		}
	}
	T_OK(flips_ok, "bit flips in the message");
	/* any single bit of the associated data */
	for (i = 0; i < 8 * 8; i++) {
		memcpy(aad, hdr, 8);
		aad[i / 8] ^= (uint8_t)(1u << (i % 8));
		if (crypto_aead_open(key, aad, 8, sealed, slen, out,
		    sizeof(out)) != -1) {
			aad_ok = 0;
			T_OK(0, "aad bit %zu flipped", i);
		}
	}
	T_OK(aad_ok, "bit flips in the aad");
	T_OK(crypto_aead_open(key, hdr, 7, sealed, slen, out,
	    sizeof(out)) == -1, "aad shortened");
	T_OK(crypto_aead_open(key, NULL, 0, sealed, slen, out,
	    sizeof(out)) == -1, "aad dropped");
	memset(out, 0xaa, sizeof(out));
	T_OK(crypto_aead_open(key2, hdr, 8, sealed, slen, out,
	    sizeof(out)) == -1 && all_zero(out, sizeof(out)), "wrong key");
	/* truncated or extended */
	for (i = 0; i < slen; i++)
		if (crypto_aead_open(key, hdr, 8, sealed, i, out,
		    sizeof(out)) != -1)
			T_OK(0, "accepted a %zu-byte prefix", i);
	memcpy(bad, sealed, slen);
	bad[slen] = 0;
	T_OK(crypto_aead_open(key, hdr, 8, bad, slen + 1, out,
	    sizeof(out)) == -1, "extended by a byte");
	/* output buffers too small */
	memset(out, 0xaa, sizeof(out));
	T_OK(crypto_aead_open(key, hdr, 8, sealed, slen, out,
	    sizeof(msg) - 1) == -1 && out[sizeof(msg) - 1] == 0xaa,
	    "open into a short buffer, or wrote past it");
	memset(bad, 0xaa, sizeof(bad));
	T_OK(crypto_aead_seal(key, hdr, 8, msg, sizeof(msg), bad,
	    sizeof(msg) + 27) == -1 && bad[sizeof(msg) + 27] == 0xaa,
	    "seal into a short buffer, or wrote past it");
	/* empty plaintext and empty aad still authenticate */
	n = crypto_aead_seal(key, NULL, 0, "", 0, sealed, sizeof(sealed));
	T_OK(n == 28, "empty seal %ld", n);
	T_OK(crypto_aead_open(key, NULL, 0, sealed, 28, NULL, 0) == 0,
	    "empty open");
	sealed[20] ^= 4;
	T_OK(crypto_aead_open(key, NULL, 0, sealed, 28, NULL, 0) == -1,
	    "empty message, flipped tag");
}

static void
test_b64(void)
{
	static const struct {
		int          line;
		const char  *bin, *text;
	} good[] = {   /* RFC 4648 section 10 */
		{ __LINE__, "", "" },
		{ __LINE__, "f", "Zg==" },
		{ __LINE__, "fo", "Zm8=" },
		{ __LINE__, "foo", "Zm9v" },
		{ __LINE__, "foob", "Zm9vYg==" },
		{ __LINE__, "fooba", "Zm9vYmE=" },
		{ __LINE__, "foobar", "Zm9vYmFy" },
		{ __LINE__, "\xff\xfe\xfd", "//79" },
		{ __LINE__, "\xfb\xff", "+/8=" },
	};
	static const struct {
		int          line;
		const char  *text;
		size_t       len;
	} bad[] = {
#define B(s) s, sizeof(s) - 1
		{ __LINE__, B("Zg") },            /* not a multiple of 4 */
		{ __LINE__, B("Zg=") },
		{ __LINE__, B("Zm9vY") },
		{ __LINE__, B("Zh==") },          /* unused bits set */
		{ __LINE__, B("Zm9=") },
		{ __LINE__, B("Zm9vYh==") },
		{ __LINE__, B("Zm9vYmF=") },
		{ __LINE__, B("Zm9v\n") },        /* whitespace anywhere */
		{ __LINE__, B("Zm9v\r\nZm9v") },
		{ __LINE__, B(" Zm9v") },
		{ __LINE__, B("Zm 9v") },
		{ __LINE__, B("Zm9v    ") },
		{ __LINE__, B("Zm9\t") },
		{ __LINE__, B("====") },          /* padding misplaced */
		{ __LINE__, B("Z===") },
		{ __LINE__, B("Zm=v") },
		{ __LINE__, B("=Zm9") },
		{ __LINE__, B("Zg==Zg==") },
		{ __LINE__, B("Zm9vY===") },
		{ __LINE__, B("Zm-_") },          /* base64url alphabet */
		{ __LINE__, B("Zm9v.A==") },
		{ __LINE__, B("Zm\0v") },         /* NUL inside the length */
		{ __LINE__, B("\xc3\xa9" "AA") },    /* not ASCII */
		{ __LINE__, B("Zm9\x80") },
#undef B
	};
	char    text[64];
	uint8_t bin[64];
	size_t  i, blen, tlen;
	long    n;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		blen = strlen(good[i].bin);
		tlen = strlen(good[i].text);
		n = crypto_b64_encode(good[i].bin, blen, text, sizeof(text));
		T_CHECK(good[i].line, n == (long)tlen &&
		    strcmp(text, good[i].text) == 0, "encode: %ld \"%s\"", n,
		    text);
		/* room for the text and its NUL, and not one byte less */
		memset(text, 'X', sizeof(text));
		n = crypto_b64_encode(good[i].bin, blen, text, tlen + 1);
		T_CHECK(good[i].line, n == (long)tlen && text[tlen] == '\0' &&
		    text[tlen + 1] == 'X', "encode exact: %ld", n);
		memset(text, 'X', sizeof(text));
		n = crypto_b64_encode(good[i].bin, blen, text, tlen);
		T_CHECK(good[i].line, n == -1 && (tlen == 0 || text[tlen] == 'X'),
		    "encode short: %ld", n);

		memset(bin, 0xaa, sizeof(bin));
		n = crypto_b64_decode(good[i].text, tlen, bin, sizeof(bin));
		T_CHECK(good[i].line, n == (long)blen &&
		    memcmp(bin, good[i].bin, blen) == 0, "decode: %ld", n);
		memset(bin, 0xaa, sizeof(bin));
		n = crypto_b64_decode(good[i].text, tlen, bin, blen);
		T_CHECK(good[i].line, n == (long)blen && bin[blen] == 0xaa,
		    "decode exact: %ld", n);
		if (blen > 0) {
			memset(bin, 0xaa, sizeof(bin));
			n = crypto_b64_decode(good[i].text, tlen, bin, blen - 1);
			T_CHECK(good[i].line, n == -1 && bin[blen - 1] == 0xaa,
			    "decode short: %ld, wrote past outcap", n);
		}
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = crypto_b64_decode(bad[i].text, bad[i].len, bin, sizeof(bin));
		T_CHECK(bad[i].line, n == -1, "accepted: %ld", n);
	}
	/* a length shorter than the string is honoured (no NUL needed) */
	n = crypto_b64_decode("Zm9vYmFy!!", 8, bin, sizeof(bin));
	T_OK(n == 6 && memcmp(bin, "foobar", 6) == 0, "length honoured %ld", n);
}

static void
test_ct_equal(void)
{
	static const struct {
		int          line;
		const char  *a, *b;
		size_t       n;
		int          eq;
	} cases[] = {
		{ __LINE__, "abcdef", "abcdef", 6, 1 },
		{ __LINE__, "", "", 0, 1 },
		{ __LINE__, "x", "y", 0, 1 },             /* nothing compared */
		{ __LINE__, "abcdef", "xbcdef", 6, 0 },   /* first byte */
		{ __LINE__, "abcdef", "abcdeg", 6, 0 },   /* last byte */
		{ __LINE__, "abcdef", "abcdeg", 5, 1 },   /* beyond n */
		{ __LINE__, "\x80", "\x00", 1, 0 },        /* high bit only */
		{ __LINE__, "\x01", "\x00", 1, 0 },        /* low bit only */
		{ __LINE__, "\xff\xff", "\xff\xff", 2, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		T_CHECK(cases[i].line, crypto_ct_equal(cases[i].a, cases[i].b,
		    cases[i].n) == cases[i].eq, "ct_equal");
}

static void
test_wipe(void)
{
	uint8_t buf[37];

	memset(buf, 0x5a, sizeof(buf));
	crypto_wipe(buf, sizeof(buf) - 1);
	T_OK(all_zero(buf, sizeof(buf) - 1) && buf[36] == 0x5a, "wipe");
	crypto_wipe(NULL, 0);
}

/* --- fixtures made with the openssl CLI ------------------------------------ */

static int
make_fixtures(void)
{
	const char *p256 = "ec -pkeyopt ec_paramgen_curve:P-256";
	int bad = 0;

	bad |= openssl_cert("client", p256, "/CN=client.example.test",
	    "-addext subjectAltName=DNS:client.example.test "
	    "-addext extendedKeyUsage=clientAuth");
	bad |= openssl_cert("anyeku", p256, "/CN=any.example.test",
	    "-addext subjectAltName=DNS:any.example.test "
	    "-addext extendedKeyUsage=anyExtendedKeyUsage");
	bad |= openssl_cert("wild", p256, "/CN=wild",
	    "-addext 'subjectAltName=DNS:*.example.test,DNS:exact.example.org' "
	    "-addext extendedKeyUsage=serverAuth");
	bad |= openssl_cert("tldwild", p256, "/CN=a.test",
	    "-addext 'subjectAltName=DNS:*.test'");
	bad |= openssl_cert("partwild", p256, "/CN=x",
	    "-addext 'subjectAltName=DNS:wsus*.example.test'");
	bad |= openssl_cert("cnonly", p256, "/CN=cn.example.test", "");
	bad |= openssl_cert("cnsan", p256, "/CN=cn-only.example.test",
	    "-addext subjectAltName=DNS:san.example.test");
	bad |= openssl_cert("rsa", "rsa:2048", "/CN=rsa.example.test", "");
	bad |= openssl_cert("p384", "ec -pkeyopt ec_paramgen_curve:P-384",
	    "/CN=p384.example.test",
	    "-addext subjectAltName=DNS:p384.example.test");
	bad |= openssl_ca_cert("expired", "old.example.test", "serverAuth",
	    "20200101000000Z", "20210101000000Z");
	bad |= openssl_ca_cert("future", "new.example.test", "serverAuth",
	    "20990101000000Z", "21000101000000Z");
	bad |= openssl_ca_cert("allbad", "allbad.example.test", "clientAuth",
	    "20200101000000Z", "20210101000000Z");
	/* a CA-signed leaf, and a chain file leaf + CA */
	bad |= openssl_cert("ca", p256, "/O=wsusd tests/CN=Test CA", "");
	bad |= sh("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
	    "-nodes -keyout leaf.key -subj /CN=leaf.example.test -out leaf.csr "
	    "&& printf 'subjectAltName=DNS:leaf.example.test\\n"
	    "extendedKeyUsage=serverAuth\\n' > leaf.ext && "
	    "openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key "
	    "-CAcreateserial -days 10 -extfile leaf.ext -out leaf.pem && "
	    "cat leaf.pem ca.pem > chain.pem");
	/* second certificate with its base64 damaged */
	bad |= sh("sed '3s/^./!/' ca.pem > broken.pem && "
	    "cat leaf.pem broken.pem > holed.pem");
	bad |= sh("head -c 300 /dev/urandom | base64 > garbage.pem && "
	    ": > empty.pem && openssl x509 -in ss.pem -outform DER -out ss.der "
	    "&& openssl pkey -in ss.key -outform DER -out ss.der.key && "
	    "openssl pkey -in ss.key -aes256 -passout pass:secret -out enc.key");
	return bad;
}

int
main(void)
{
	int rc;

	if (t_mkdtemp("test_crypto") == -1)
		return 1;
	test_selfsigned();
	test_selfsigned_files();
	rc = make_fixtures();
	T_OK(rc == 0, "making fixtures with the openssl CLI failed (status %d)",
	    rc);
	test_check_name();
	test_info_openssl();
	test_key_matches();
	test_random();
	test_digests();
	test_md4();
	test_nt_hash();
	test_pbkdf2();
	test_aead();
	test_b64();
	test_ct_equal();
	test_wipe();

	t_rmtemp("test_crypto", t_fail);
	return t_done("test_crypto");
}
