/*
 * test_crypto.c - server/crypto.c against certificates it makes itself and
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
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server.h"
#include "t.h"

static char tdir[64];

/* tdir/name in one of a few rotating static buffers. */
static const char *
tpath(const char *name)
{
	static char bufs[8][256];
	static int  next;
	char       *b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", tdir, name);
	return b;
}

/* Run a shell command in tdir, output discarded; returns its exit status. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int
sh(const char *fmt, ...)
{
	char    cmd[2048], full[2300];
	va_list ap;
	int     st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "cd '%s' && (%s) >/dev/null 2>&1", tdir,
	    cmd);
	st = system(full);
	return st == -1 ? -1 : WEXITSTATUS(st);
}

/* Run a shell command in tdir and capture stdout+stderr into out. */
static int capture(char *out, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int
capture(char *out, size_t len, const char *fmt, ...)
{
	char    cmd[2048], full[2300];
	va_list ap;
	FILE   *f;
	size_t  n;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "cd '%s' && (%s) 2>&1", tdir, cmd);
	out[0] = '\0';
	if ((f = popen(full, "r")) == NULL)
		return -1;
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	return pclose(f);
}

static mode_t
file_mode(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return (mode_t)-1;
	return st.st_mode & 07777;
}

static int
exists(const char *path)
{
	return access(path, F_OK) == 0;
}

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

	snprintf(tdir, sizeof(tdir), "/tmp/test_crypto.XXXXXX");
	if (mkdtemp(tdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_selfsigned();
	test_selfsigned_files();
	rc = make_fixtures();
	T_OK(rc == 0, "making fixtures with the openssl CLI failed (status %d)",
	    rc);
	test_check_name();
	test_info_openssl();
	test_key_matches();
	test_random();

	if (t_fail == 0)
		sh("rm -rf '%s'", tdir);
	else
		fprintf(stderr, "test_crypto: files kept in %s\n", tdir);
	return t_done("test_crypto");
}
