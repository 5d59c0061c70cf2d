/*
 * test_pki.c - admin/pki.c against the openssl CLI, in a temporary
 * directory: the self-signed signing certificate (create, show, export,
 * checked with `openssl x509` and `openssl verify`), key and directory
 * modes, replacement and the retired list, import of PEM pairs and of
 * PKCS#12 files made by `openssl pkcs12 -export` with and without -legacy
 * (AES-256/PBKDF2-SHA256 and 3DES/RC2-40), every refusal leaving the
 * current certificate untouched, the trust stores, and the seed's rule
 * for who may publish (pki_trust_check_signer).
 *
 * Certificates outside their validity come from a throw-away
 * "openssl ca -selfsign" with explicit -startdate/-enddate, as in
 * test_crypto.c (OpenSSL 3.0's req/x509 cannot backdate).  Damaged
 * PKCS#12 files (every byte of one, flipped) check that the reader fails
 * cleanly; run under ASan/UBSan to make that mean something.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto.h"
#include "admin.h"
#include "t.h"
#include "t_util.h"

static char data[128];     /* the data_dir under test */

/* Call fn(data) with stdout captured into out; returns fn's result. */
static int
capture_fn(char *out, size_t len, int (*fn)(const char *))
{
	FILE  *f;
	size_t n = 0;
	int    saved, fd, rc;

	fflush(stdout);
	saved = dup(1);
	fd = open(tpath("stdout.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1);
	close(fd);
	rc = fn(data);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	out[0] = '\0';
	if ((f = fopen(tpath("stdout.txt"), "r")) != NULL) {
		n = fread(out, 1, len - 1, f);
		out[n] = '\0';
		fclose(f);
	}
	return rc;
}

/* data/rel */
static const char *
dpath(const char *rel)
{
	static char bufs[4][256];
	static int  next;
	char       *b = bufs[next++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s/%s", data, rel);
	return b;
}

/* Entries of dir not starting with '.', or -1. */
static int
count_entries(const char *dir)
{
	DIR           *d;
	struct dirent *e;
	int            n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* SHA-1 thumbprint of the current signing certificate, or "". */
static void
current_sha1(char out[64])
{
	struct cert_info ci;
	char             err[256];

	out[0] = '\0';
	if (crypto_cert_info(dpath("signing/current.crt"), &ci, err,
	    sizeof(err)) == 0)
		snprintf(out, 64, "%s", ci.sha1);
}

/* The SHA-1 fingerprint openssl computes for a PEM file, colons removed. */
static void
openssl_sha1(const char *pem, char out[64])
{
	char buf[512], *p, *q;

	out[0] = '\0';
	capture(buf, sizeof(buf), "openssl x509 -in %s -noout -fingerprint "
	    "-sha1", pem);
	if ((p = strchr(buf, '=')) == NULL)
		return;
	for (q = out, p++; *p != '\0' && *p != '\n' && q < out + 63; p++)
		if (*p != ':')
			*q++ = *p;
	*q = '\0';
}

/* An RSA-2048 self-signed certificate from "openssl req -x509". */
static int
rsa_cert(const char *base, const char *cn, const char *addext)
{
	return sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout %s.key "
	    "-out %s.pem -subj '/CN=%s' -days 30 %s && chmod 600 %s.key",
	    base, base, cn, addext, base);
}

/*
 * An RSA-2048 self-signed certificate with explicit validity (dates as
 * YYYYMMDDhhmmssZ), via a minimal "openssl ca -selfsign".
 */
static int
rsa_ca_cert(const char *base, const char *cn, const char *start,
    const char *end)
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
	    "[ext]\nbasicConstraints = CA:FALSE\n"
	    "keyUsage = digitalSignature\nextendedKeyUsage = codeSigning\n");
	fclose(f);
	return sh("rm -f index.txt* serial*; : > index.txt; echo 01 > serial; "
	    "openssl req -new -newkey rsa:2048 -nodes -keyout %s.key "
	    "-subj '/CN=%s' -out %s.csr && chmod 600 %s.key && "
	    "openssl ca -batch -config ca.cnf -selfsign -keyfile %s.key "
	    "-in %s.csr -out %s.pem -notext -startdate %s -enddate %s",
	    base, cn, base, base, base, base, base, start, end);
}

/* --- create, show, export ---------------------------------------------------- */

static void
test_create(void)
{
	struct cert_info ci;
	char  err[1024], out[16384], sha1[64], osha1[64];
	int   rc;

	rc = pki_signing_create(data, "CN=WSUS Publishers Self-signed", 3,
	    err, sizeof(err));
	T_OK(rc == 0, "pki_signing_create: %s", err);
	T_OK(file_mode(dpath("signing/current.key")) == 0600, "key mode %o",
	    (unsigned)file_mode(dpath("signing/current.key")));
	T_OK(file_mode(dpath("signing/current.crt")) == 0644, "cert mode %o",
	    (unsigned)file_mode(dpath("signing/current.crt")));
	T_OK(file_mode(dpath("signing")) == 0700, "signing/ mode %o",
	    (unsigned)file_mode(dpath("signing")));
	T_OK(file_mode(dpath("signing/retired")) == 0700, "retired/ mode %o",
	    (unsigned)file_mode(dpath("signing/retired")));
	T_OK(count_entries(dpath("signing")) == 3,
	    "signing/ holds current.crt, current.key, retired/ only (%d)",
	    count_entries(dpath("signing")));
	T_OK(count_entries(dpath("signing/retired")) == 0, "nothing retired");

	rc = crypto_cert_info(dpath("signing/current.crt"), &ci, err,
	    sizeof(err));
	T_OK(rc == 0, "crypto_cert_info: %s", err);
	T_OK(strcmp(ci.subject, "CN=WSUS Publishers Self-signed") == 0,
	    "subject %s", ci.subject);
	T_OK(strcmp(ci.issuer, ci.subject) == 0, "issuer %s", ci.issuer);
	T_OK(ci.self_signed == 1, "self_signed");
	T_OK(strcmp(ci.key_desc, "RSA 2048") == 0, "key %s", ci.key_desc);
	T_OK(ci.sans[0] == '\0', "SAN-less, got %s", ci.sans);
	T_OK(ci.days_left >= 3 * 365 - 1 && ci.days_left <= 3 * 366,
	    "days_left %ld", ci.days_left);
	T_OK(pki_signing_check(data, err, sizeof(err)) == 0,
	    "pki_signing_check: %s", err);

	/* export: DER, the leaf, and what openssl makes of it */
	rc = pki_signing_export(data, tpath("exported.cer"), err, sizeof(err));
	T_OK(rc == 0, "export: %s", err);
	T_OK(file_mode(tpath("exported.cer")) == 0644, "exported mode %o",
	    (unsigned)file_mode(tpath("exported.cer")));
	rc = capture(out, sizeof(out), "openssl x509 -inform DER -in "
	    "exported.cer -noout -text");
	T_OK(rc == 0, "openssl x509 -inform DER: %s", out);
	T_OK(strstr(out, "Code Signing") != NULL, "no Code Signing EKU:\n%s",
	    out);
	T_OK(strstr(out, "Subject: CN = WSUS Publishers Self-signed") != NULL,
	    "subject in openssl text:\n%s", out);
	T_OK(strstr(out, "Digital Signature") != NULL, "keyUsage");
	T_OK(strstr(out, "Public-Key: (2048 bit)") != NULL &&
	    strstr(out, "rsaEncryption") != NULL, "RSA-2048 key");
	T_OK(strstr(out, "sha256WithRSAEncryption") != NULL, "SHA-256 sig");
	T_OK(strstr(out, "Subject Alternative Name") == NULL, "SAN present");
	T_OK(strstr(out, "CA:FALSE") != NULL, "basicConstraints CA:FALSE");
	T_OK(sh("openssl x509 -inform DER -in exported.cer -out exported.pem")
	    == 0, "DER -> PEM");
	rc = capture(out, sizeof(out), "openssl verify -CAfile exported.pem "
	    "exported.pem");
	T_OK(rc == 0 && strstr(out, "exported.pem: OK") != NULL,
	    "openssl verify: %s", out);
	rc = capture(out, sizeof(out), "openssl rsa -in %s -check -noout",
	    dpath("signing/current.key"));
	T_OK(rc == 0, "openssl rsa -check: %s", out);
	rc = capture(out, sizeof(out), "test \"$(openssl x509 -in %s -noout "
	    "-modulus)\" = \"$(openssl rsa -in %s -noout -modulus)\"",
	    dpath("signing/current.crt"), dpath("signing/current.key"));
	T_OK(rc == 0, "key is the certificate's: %s", out);

	/* show: the fields, the thumbprint as Windows and openssl show it */
	current_sha1(sha1);
	openssl_sha1(tpath("exported.pem"), osha1);
	T_OK(strlen(sha1) == 40 && strcmp(sha1, osha1) == 0,
	    "thumbprint %s vs openssl %s", sha1, osha1);
	rc = capture_fn(out, sizeof(out), pki_signing_show);
	T_OK(rc == 0, "show: %s", out);
	T_OK(strstr(out, "subject:      CN=WSUS Publishers Self-signed") != NULL,
	    "show subject:\n%s", out);
	T_OK(strstr(out, "issuer:       CN=WSUS Publishers Self-signed") != NULL,
	    "show issuer");
	T_OK(strstr(out, sha1) != NULL, "show thumbprint");
	T_OK(strstr(out, "SHA-256:      ") != NULL, "show SHA-256");
	T_OK(strstr(out, "key:          RSA 2048") != NULL, "show key");
	T_OK(strstr(out, "self-signed:  yes") != NULL, "show self-signed");
	T_OK(strstr(out, "not after:") != NULL && strstr(out, "not before:"),
	    "show validity");
	T_OK(strstr(out, "status:       ok") != NULL, "show status");
	T_OK(strstr(out, "retired: none") != NULL, "show retired none");
}

/* Bad arguments change nothing. */
static void
test_create_refusals(void)
{
	static const struct {
		int         line;
		const char *subject;
		int         years;
		const char *want;
	} cases[] = {
		{ __LINE__, "CN=ok", 0, "outside 1..20" },
		{ __LINE__, "CN=ok", 21, "outside 1..20" },
		{ __LINE__, "CN=ok", -3, "outside 1..20" },
		{ __LINE__, "", 3, "printable" },
		{ __LINE__, "CN=a\nb", 3, "printable" },
		{ __LINE__, "CN=caf\xc3\xa9", 3, "printable" },
		{ __LINE__, "no equals sign", 3, "distinguished name" },
		{ __LINE__, "XX=unknown", 3, "distinguished name" },
	};
	char   err[1024], before[64], after[64];
	size_t i;
	int    rc;

	current_sha1(before);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		rc = pki_signing_create(data, cases[i].subject, cases[i].years,
		    err, sizeof(err));
		T_CHECK(cases[i].line, rc == -1 && strstr(err, cases[i].want),
		    "rc %d err %s", rc, err);
		current_sha1(after);
		T_CHECK(cases[i].line, strcmp(before, after) == 0,
		    "current changed");
	}
	T_OK(count_entries(dpath("signing/retired")) == 0, "nothing retired");
	T_OK(count_entries(dpath("signing")) == 3, "no temporary files");
}

/* A second create retires the first; show lists it. */
static void
test_replace(void)
{
	char err[1024], out[16384], first[64], second[64], rel[128];
	int  rc;

	current_sha1(first);
	rc = pki_signing_create(data, "CN=Second Publisher, O=Example", 1, err,
	    sizeof(err));
	T_OK(rc == 0, "second create: %s", err);
	current_sha1(second);
	T_OK(second[0] != '\0' && strcmp(first, second) != 0,
	    "current replaced (%s -> %s)", first, second);
	snprintf(rel, sizeof(rel), "signing/retired/%s.crt", first);
	T_OK(exists(dpath(rel)), "retired copy %s", rel);
	T_OK(count_entries(dpath("signing/retired")) == 1, "one retired");
	T_OK(!exists(dpath("signing/current.key.prev")), "no .prev left");
	T_OK(count_entries(dpath("signing")) == 3, "no temporary files");
	T_OK(file_mode(dpath("signing/current.key")) == 0600, "new key mode");
	rc = capture_fn(out, sizeof(out), pki_signing_show);
	T_OK(rc == 0, "show");
	T_OK(strstr(out, "CN=Second Publisher, O=Example") != NULL,
	    "show current:\n%s", out);
	T_OK(strstr(out, first) != NULL &&
	    strstr(out, "CN=WSUS Publishers Self-signed") != NULL,
	    "show lists the retired one:\n%s", out);
	rc = capture(out, sizeof(out), "test \"$(openssl x509 -in %s -noout "
	    "-modulus)\" = \"$(openssl rsa -in %s -noout -modulus)\"",
	    dpath("signing/current.crt"), dpath("signing/current.key"));
	T_OK(rc == 0, "new key belongs to the new certificate");
}

/* A key file others can read makes the pair unusable, and show says so. */
static void
test_key_mode(void)
{
	char err[1024], out[16384];
	int  rc;

	chmod(dpath("signing/current.key"), 0644);
	rc = pki_signing_check(data, err, sizeof(err));
	T_OK(rc == -1 && strstr(err, "readable by group or others"),
	    "0644 key accepted: %s", err);
	rc = capture_fn(out, sizeof(out), pki_signing_show);
	T_OK(rc == -1 && strstr(out, "NOT USABLE"), "show: %s", out);
	chmod(dpath("signing/current.key"), 0600);
	T_OK(pki_signing_check(data, err, sizeof(err)) == 0, "0600 again: %s",
	    err);
}

/* --- import -------------------------------------------------------------------- */

static int
import_changes_nothing(int line, const char *cert, const char *key,
    const char *pwfile, const char *want)
{
	char err[1024], before[64], after[64];
	int  nretired, rc;

	current_sha1(before);
	nretired = count_entries(dpath("signing/retired"));
	err[0] = '\0';
	rc = pki_signing_import(data, cert, key, pwfile, err, sizeof(err));
	T_CHECK(line, rc == -1, "import of %s accepted", cert);
	T_CHECK(line, strstr(err, want) != NULL, "message \"%s\" lacks \"%s\"",
	    err, want);
	current_sha1(after);
	T_CHECK(line, strcmp(before, after) == 0, "current changed");
	T_CHECK(line, count_entries(dpath("signing/retired")) == nretired,
	    "retired changed");
	T_CHECK(line, count_entries(dpath("signing")) == 3,
	    "temporary files left");
	return rc;
}

static void
test_import_pem(void)
{
	char err[1024], sha1[64], osha1[64], out[4096];
	int  rc;

	T_OK(rsa_cert("signer", "PEM Signer", "-addext "
	    "extendedKeyUsage=codeSigning -addext keyUsage=digitalSignature")
	    == 0, "openssl: signer");
	T_OK(rsa_cert("tls", "wsus.test", "-addext "
	    "extendedKeyUsage=serverAuth") == 0, "openssl: tls");
	T_OK(rsa_cert("noeku", "No EKU", "") == 0, "openssl: noeku");
	T_OK(rsa_cert("other", "Other Signer", "-addext "
	    "extendedKeyUsage=codeSigning") == 0, "openssl: other");
	T_OK(rsa_cert("nods", "No DS", "-addext extendedKeyUsage=codeSigning "
	    "-addext keyUsage=keyEncipherment") == 0, "openssl: nods");
	T_OK(sh("openssl req -x509 -newkey ec -pkeyopt "
	    "ec_paramgen_curve:P-256 -nodes -keyout ec.key -out ec.pem -subj "
	    "/CN=EC -days 30 -addext extendedKeyUsage=codeSigning && chmod "
	    "600 ec.key") == 0, "openssl: ec");
	T_OK(sh("openssl req -x509 -newkey rsa:1024 -nodes -keyout small.key "
	    "-out small.pem -subj /CN=Small -days 30 -addext "
	    "extendedKeyUsage=codeSigning && chmod 600 small.key") == 0,
	    "openssl: rsa1024");
	T_OK(rsa_ca_cert("expired", "Expired Signer", "20200101000000Z",
	    "20210101000000Z") == 0, "openssl ca: expired");
	T_OK(rsa_ca_cert("future", "Future Signer", "20450101000000Z",
	    "20460101000000Z") == 0, "openssl ca: future");
	T_OK(sh("openssl pkey -in signer.key -out signer.enc.key "
	    "-aes256 -passout pass:x && chmod 600 signer.enc.key") == 0,
	    "openssl: encrypted key");
	T_OK(sh("cp signer.key signer.open.key && chmod 644 signer.open.key")
	    == 0, "cp");

	import_changes_nothing(__LINE__, tpath("tls.pem"), tpath("tls.key"),
	    NULL, "no Code Signing extended key usage");
	import_changes_nothing(__LINE__, tpath("tls.pem"), tpath("tls.key"),
	    NULL, "TLS Web Server Authentication");
	import_changes_nothing(__LINE__, tpath("noeku.pem"), tpath("noeku.key"),
	    NULL, "no extendedKeyUsage extension");
	import_changes_nothing(__LINE__, tpath("nods.pem"), tpath("nods.key"),
	    NULL, "digitalSignature");
	import_changes_nothing(__LINE__, tpath("expired.pem"),
	    tpath("expired.key"), NULL, "has expired: it was valid until "
	    "2021-01-01 00:00:00 UTC");
	import_changes_nothing(__LINE__, tpath("future.pem"),
	    tpath("future.key"), NULL, "is not yet valid: it is valid from "
	    "2045-01-01");
	import_changes_nothing(__LINE__, tpath("signer.pem"),
	    tpath("other.key"), NULL, "does not match the certificate "
	    "CN=PEM Signer");
	import_changes_nothing(__LINE__, tpath("signer.pem"), tpath("ec.key"),
	    NULL, "does not match");
	import_changes_nothing(__LINE__, tpath("ec.pem"), tpath("ec.key"),
	    NULL, "need an RSA key of 2048 bits or more");
	import_changes_nothing(__LINE__, tpath("small.pem"), tpath("small.key"),
	    NULL, "RSA 1024 key");
	import_changes_nothing(__LINE__, tpath("signer.pem"),
	    tpath("signer.open.key"), NULL, "chmod 600");
	import_changes_nothing(__LINE__, tpath("signer.pem"),
	    tpath("signer.enc.key"), NULL, "is encrypted");
	import_changes_nothing(__LINE__, tpath("signer.pem"), NULL, NULL,
	    "--key FILE");
	import_changes_nothing(__LINE__, tpath("signer.pem"), tpath("signer.key"),
	    tpath("signer.key"), "not both");
	import_changes_nothing(__LINE__, tpath("missing.pem"),
	    tpath("signer.key"), NULL, "missing.pem");
	import_changes_nothing(__LINE__, tpath("signer.key"),
	    tpath("signer.key"), NULL, "not a PEM or DER certificate");

	/* The good pair, then a combined PEM file (certificate + key). */
	rc = pki_signing_import(data, tpath("signer.pem"), tpath("signer.key"),
	    NULL, err, sizeof(err));
	T_OK(rc == 0, "PEM pair: %s", err);
	current_sha1(sha1);
	openssl_sha1(tpath("signer.pem"), osha1);
	T_OK(strcmp(sha1, osha1) == 0, "imported %s want %s", sha1, osha1);
	T_OK(file_mode(dpath("signing/current.key")) == 0600, "key mode");
	T_OK(pki_signing_check(data, err, sizeof(err)) == 0, "check: %s", err);
	T_OK(count_entries(dpath("signing/retired")) == 2, "retired: %d",
	    count_entries(dpath("signing/retired")));
	rc = capture(out, sizeof(out), "test \"$(openssl x509 -in %s -noout "
	    "-modulus)\" = \"$(openssl rsa -in signer.key -noout -modulus)\"",
	    dpath("signing/current.crt"));
	T_OK(rc == 0, "stored key is the imported key");

	T_OK(sh("cat other.pem other.key > combined.pem && chmod 600 "
	    "combined.pem") == 0, "combined");
	rc = pki_signing_import(data, tpath("combined.pem"), NULL, NULL, err,
	    sizeof(err));
	T_OK(rc == 0, "combined PEM: %s", err);
	current_sha1(sha1);
	openssl_sha1(tpath("other.pem"), osha1);
	T_OK(strcmp(sha1, osha1) == 0, "combined imported %s", sha1);

	/* Importing the current one again retires nothing. */
	rc = pki_signing_import(data, tpath("combined.pem"), NULL, NULL, err,
	    sizeof(err));
	T_OK(rc == 0, "re-import: %s", err);
	T_OK(count_entries(dpath("signing/retired")) == 3, "retired: %d",
	    count_entries(dpath("signing/retired")));
}

/* A CA and a CA-issued signer (for chains and for the trust rule). */
static int
make_ca_signer(void)
{
	return sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key "
	    "-out ca.pem -subj '/CN=Test Code Signing CA' -days 30 "
	    "-addext basicConstraints=critical,CA:TRUE "
	    "-addext keyUsage=keyCertSign,cRLSign && "
	    "openssl req -new -newkey rsa:2048 -nodes -keyout leaf.key "
	    "-out leaf.csr -subj '/CN=Contoso Publisher' && chmod 600 leaf.key "
	    "&& printf 'basicConstraints=CA:FALSE\\nkeyUsage=digitalSignature\\n"
	    "extendedKeyUsage=codeSigning\\n' > leaf.ext && "
	    "openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key "
	    "-CAcreateserial -days 30 -extfile leaf.ext -out leaf.pem");
}

static void
test_import_p12(void)
{
	/* 40 characters, some beyond ASCII: past mbedTLS's 31-character cap. */
	static const char longpw[] =
	    "p\xc3\xa4ssw\xc3\xb6rd-with-\xe2\x82\xac-and-\xf0\x9f\x94\x91-"
	    "0123456789abcdef";
	struct cert_info ci;
	char  err[1024], sha1[64], osha1[64];
	FILE *f;
	int   rc;

	T_OK(make_ca_signer() == 0, "openssl: CA and leaf");
	T_OK(sh("printf 'secret\\n' > pw && chmod 600 pw && "
	    "printf 'wrong\\n' > bad.pw && chmod 600 bad.pw && "
	    "printf 'secret\\n' > open.pw && chmod 644 open.pw && "
	    ": > empty.pw && chmod 600 empty.pw") == 0, "password files");
	if ((f = fopen(tpath("long.pw"), "w")) != NULL) {
		fprintf(f, "%s\r\n", longpw);
		fclose(f);
		chmod(tpath("long.pw"), 0600);
	}
	T_OK(sh("openssl pkcs12 -export -in signer.pem -inkey signer.key "
	    "-out aes.p12 -passout file:pw") == 0, "pkcs12 default");
	T_OK(sh("openssl pkcs12 -export -legacy -in signer.pem -inkey "
	    "signer.key -out legacy.p12 -passout file:pw") == 0,
	    "pkcs12 -legacy");
	T_OK(sh("openssl pkcs12 -export -in leaf.pem -inkey leaf.key "
	    "-certfile ca.pem -out chain.p12 -passout file:pw") == 0,
	    "pkcs12 chain");
	T_OK(sh("openssl pkcs12 -export -legacy -in other.pem -inkey "
	    "other.key -out long.p12 -passout file:long.pw") == 0,
	    "pkcs12 -legacy long password");
	/* file: keeps the "\r" of a CRLF line, env: has none: both must do. */
	setenv("TEST_PKI_LONGPW", longpw, 1);
	T_OK(sh("openssl pkcs12 -export -in signer.pem -inkey signer.key "
	    "-out long-aes.p12 -passout env:TEST_PKI_LONGPW") == 0,
	    "pkcs12 long password");
	T_OK(sh("openssl pkcs12 -export -in signer.pem -inkey signer.key "
	    "-out empty.p12 -passout pass:") == 0, "pkcs12 empty password");
	T_OK(sh("openssl pkcs12 -export -in signer.pem -inkey signer.key "
	    "-out nomac.p12 -nomac -passout file:pw") == 0, "pkcs12 -nomac");
	T_OK(sh("openssl pkcs12 -export -in signer.pem -inkey signer.key "
	    "-keypbe NONE -certpbe NONE -out plain.p12 -passout file:pw") == 0,
	    "pkcs12 unencrypted bags");
	T_OK(sh("openssl pkcs12 -export -in tls.pem -inkey tls.key "
	    "-out tls.p12 -passout file:pw") == 0, "pkcs12 tls");
	T_OK(sh("openssl pkcs12 -export -in expired.pem -inkey expired.key "
	    "-out expired.p12 -passout file:pw") == 0, "pkcs12 expired");
	T_OK(sh("openssl pkcs12 -export -nokeys -in signer.pem "
	    "-out nokey.p12 -passout file:pw") == 0, "pkcs12 -nokeys");
	T_OK(sh("head -c 1000 aes.p12 > truncated.p12") == 0, "truncate");

	import_changes_nothing(__LINE__, tpath("aes.p12"), NULL,
	    tpath("bad.pw"), "wrong password for");
	import_changes_nothing(__LINE__, tpath("legacy.p12"), NULL,
	    tpath("bad.pw"), "wrong password for");
	import_changes_nothing(__LINE__, tpath("nomac.p12"), NULL,
	    tpath("bad.pw"), "wrong password?");
	import_changes_nothing(__LINE__, tpath("aes.p12"), NULL,
	    tpath("open.pw"), "chmod 600");
	import_changes_nothing(__LINE__, tpath("aes.p12"), NULL,
	    tpath("nofile.pw"), "nofile.pw");
	import_changes_nothing(__LINE__, tpath("tls.p12"), NULL, tpath("pw"),
	    "no Code Signing extended key usage");
	import_changes_nothing(__LINE__, tpath("expired.p12"), NULL,
	    tpath("pw"), "has expired");
	import_changes_nothing(__LINE__, tpath("nokey.p12"), NULL, tpath("pw"),
	    "holds no private key");
	import_changes_nothing(__LINE__, tpath("truncated.p12"), NULL,
	    tpath("pw"), "not a PKCS#12 file");
	import_changes_nothing(__LINE__, tpath("signer.pem"), NULL, tpath("pw"),
	    "is PEM, not PKCS#12");
	import_changes_nothing(__LINE__, tpath("aes.p12"), NULL, NULL,
	    "--password-file");

	/* OpenSSL 3's default: PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC. */
	openssl_sha1(tpath("signer.pem"), osha1);
	(void)pki_signing_import(data, tpath("combined.pem"), NULL, NULL, err,
	    sizeof(err));
	rc = pki_signing_import(data, tpath("aes.p12"), NULL, tpath("pw"), err,
	    sizeof(err));
	T_OK(rc == 0, "AES PKCS#12: %s", err);
	current_sha1(sha1);
	T_OK(strcmp(sha1, osha1) == 0, "AES PKCS#12 gave %s", sha1);
	T_OK(sh("test \"$(openssl x509 -in %s -noout -modulus)\" = "
	    "\"$(openssl rsa -in signer.key -noout -modulus)\"",
	    dpath("signing/current.crt")) == 0, "AES PKCS#12 key");

	/* -legacy: 3DES key bag, RC2-40 certificate bag, SHA-1 MAC. */
	(void)pki_signing_import(data, tpath("combined.pem"), NULL, NULL, err,
	    sizeof(err));
	rc = pki_signing_import(data, tpath("legacy.p12"), NULL, tpath("pw"),
	    err, sizeof(err));
	T_OK(rc == 0, "legacy PKCS#12: %s", err);
	current_sha1(sha1);
	T_OK(strcmp(sha1, osha1) == 0, "legacy PKCS#12 gave %s", sha1);
	T_OK(pki_signing_check(data, err, sizeof(err)) == 0, "check: %s", err);

	/* A 40-character UTF-8 password, with CRLF in the file. */
	rc = pki_signing_import(data, tpath("long.p12"), NULL, tpath("long.pw"),
	    err, sizeof(err));
	T_OK(rc == 0, "legacy PKCS#12, long UTF-8 password: %s", err);
	rc = pki_signing_import(data, tpath("long-aes.p12"), NULL,
	    tpath("long.pw"), err, sizeof(err));
	T_OK(rc == 0, "AES PKCS#12, long UTF-8 password: %s", err);
	rc = pki_signing_import(data, tpath("empty.p12"), NULL,
	    tpath("empty.pw"), err, sizeof(err));
	T_OK(rc == 0, "empty password: %s", err);
	rc = pki_signing_import(data, tpath("nomac.p12"), NULL, tpath("pw"),
	    err, sizeof(err));
	T_OK(rc == 0, "no MAC: %s", err);
	rc = pki_signing_import(data, tpath("plain.p12"), NULL, tpath("pw"),
	    err, sizeof(err));
	T_OK(rc == 0, "unencrypted bags: %s", err);

	/* With its CA: the leaf first, the CA kept after it. */
	rc = pki_signing_import(data, tpath("chain.p12"), NULL, tpath("pw"),
	    err, sizeof(err));
	T_OK(rc == 0, "chain PKCS#12: %s", err);
	rc = crypto_cert_info(dpath("signing/current.crt"), &ci, err,
	    sizeof(err));
	T_OK(rc == 0 && strcmp(ci.subject, "CN=Contoso Publisher") == 0 &&
	    ci.chain_len == 2 && ci.self_signed == 0,
	    "chain stored: %s, %d certificates", ci.subject, ci.chain_len);
	T_OK(pki_signing_check(data, err, sizeof(err)) == 0, "check: %s", err);
}

/*
 * Every third byte of small PKCS#12 files flipped in turn (MAC-less, so
 * the damage reaches the bag, PBE parameter and cipher parsers; one
 * -legacy, one PBES2/AES): the import fails cleanly or, where the byte
 * does not matter, succeeds; it never crashes or leaks (run it under
 * ASan).  A separate data_dir keeps the main one out of it.
 */
static void
test_p12_damage(void)
{
	static const char *const files[] = { "small.p12", "small-aes.p12" };
	unsigned char *buf;
	char           err[1024], scratch[160];
	long           n, i;
	size_t         k;
	int            ok, refused;
	FILE          *f;

	snprintf(scratch, sizeof(scratch), "%s/damage-data", tdir);
	T_OK(sh("openssl pkcs12 -export -legacy -in signer.pem -inkey "
	    "signer.key -nomac -out small.p12 -passout file:pw") == 0,
	    "pkcs12 small legacy");
	T_OK(sh("openssl pkcs12 -export -in signer.pem -inkey signer.key "
	    "-nomac -out small-aes.p12 -passout file:pw") == 0,
	    "pkcs12 small AES");
	for (k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		buf = NULL;
		n = 0;
		ok = refused = 0;
		if ((f = fopen(tpath(files[k]), "rb")) != NULL) {
			fseek(f, 0, SEEK_END);
			n = ftell(f);
			rewind(f);
			if (n > 0 && (buf = malloc((size_t)n)) != NULL &&
			    fread(buf, 1, (size_t)n, f) != (size_t)n)
				n = 0;
			fclose(f);
		}
		T_OK(buf != NULL && n > 0, "read %s", files[k]);
		for (i = 0; buf != NULL && i < n; i += 3) {
			buf[i] ^= 0x55;
			if ((f = fopen(tpath("damaged.p12"), "wb")) != NULL) {
				fwrite(buf, 1, (size_t)n, f);
				fclose(f);
			}
			buf[i] ^= 0x55;
			if (pki_signing_import(scratch, tpath("damaged.p12"),
			    NULL, tpath("pw"), err, sizeof(err)) == 0)
				ok++;
			else
				refused++;
		}
		T_OK(refused > n / 6, "%s damaged: %d refused, %d accepted",
		    files[k], refused, ok);
		free(buf);
	}
}

/* --- trust stores -------------------------------------------------------------- */

static int
list_stores(const char *dir)
{
	return pki_trust_list(dir);
}

static void
test_trust(void)
{
	char err[1024], out[8192], sha1[64], lower[128], dir[PKI_PATH_MAX];
	char leafsha1[64], line[512];
	int  rc, i;

	/* Back to a self-signed signing certificate, exported as signing.cer. */
	rc = pki_signing_create(data, "CN=WSUS Publishers Self-signed", 3,
	    err, sizeof(err));
	T_OK(rc == 0, "create: %s", err);
	T_OK(pki_signing_export(data, tpath("signing.cer"), err,
	    sizeof(err)) == 0, "export: %s", err);
	current_sha1(sha1);

	/* Neither store: both named. */
	rc = pki_trust_check_signer(data, dpath("signing/current.crt"), err,
	    sizeof(err));
	T_OK(rc == -1 && strstr(err, "TrustedPublisher") &&
	    strstr(err, "--store Root") && strstr(err, sha1) &&
	    strstr(err, "CN=WSUS Publishers Self-signed"), "neither: %s", err);

	/* Publisher only: refused, naming Root. */
	rc = pki_trust_add(data, tpath("signing.cer"), PKI_STORE_PUBLISHER, err,
	    sizeof(err));
	T_OK(rc == 0, "trust add publisher: %s", err);
	pki_trust_dir(data, PKI_STORE_PUBLISHER, dir);
	T_OK(file_mode(dir) == 0700, "store dir mode %o",
	    (unsigned)file_mode(dir));
	T_OK(file_mode(dpath("trust")) == 0700, "trust/ mode");
	rc = pki_trust_check_signer(data, dpath("signing/current.crt"), err,
	    sizeof(err));
	T_OK(rc == -1 && strstr(err, "is self-signed and not in the update "
	    "server's Root store: run wsusutil trust add signing.cer --store "
	    "Root") != NULL && strstr(err, sha1) != NULL,
	    "publisher only: %s", err);

	/* Root only: refused, naming TrustedPublisher. */
	rc = pki_trust_remove(data, sha1, err, sizeof(err));
	T_OK(rc == 0, "remove: %s", err);
	rc = pki_trust_add(data, tpath("signing.cer"), PKI_STORE_ROOT, err,
	    sizeof(err));
	T_OK(rc == 0, "trust add root: %s", err);
	rc = pki_trust_check_signer(data, dpath("signing/current.crt"), err,
	    sizeof(err));
	T_OK(rc == -1 && strstr(err, "is not in the update server's "
	    "TrustedPublisher store: run wsusutil trust add signing.cer "
	    "--store TrustedPublisher") != NULL, "root only: %s", err);

	/* Both: allowed.  PEM input works as well as DER. */
	T_OK(sh("openssl x509 -inform DER -in signing.cer -out signing.pem")
	    == 0, "to PEM");
	rc = pki_trust_add(data, tpath("signing.pem"), PKI_STORE_PUBLISHER, err,
	    sizeof(err));
	T_OK(rc == 0, "trust add PEM: %s", err);
	rc = pki_trust_check_signer(data, dpath("signing/current.crt"), err,
	    sizeof(err));
	T_OK(rc == 0, "both stores: %s", err);
	snprintf(line, sizeof(line), "trust/TrustedPublisher/%s.cer", sha1);
	T_OK(sh("cmp -s signing.cer %s", dpath(line)) == 0,
	    "store holds the DER");

	/* list: one tab-separated line per certificate */
	rc = capture_fn(out, sizeof(out), list_stores);
	T_OK(rc == 0, "list");
	snprintf(line, sizeof(line), "TrustedPublisher\t%s\tCN=WSUS "
	    "Publishers Self-signed\t", sha1);
	T_OK(strstr(out, line) != NULL, "list publisher line:\n%s", out);
	snprintf(line, sizeof(line), "Root\t%s\tCN=WSUS Publishers "
	    "Self-signed\t", sha1);
	T_OK(strstr(out, line) != NULL, "list root line:\n%s", out);
	T_OK(strstr(out, " UTC\n") != NULL, "list expiry:\n%s", out);

	/* CA-issued signer: TrustedPublisher alone is enough server-side. */
	openssl_sha1(tpath("leaf.pem"), leafsha1);
	rc = pki_trust_check_signer(data, tpath("leaf.pem"), err, sizeof(err));
	T_OK(rc == -1 && strstr(err, "TrustedPublisher store") &&
	    strstr(err, "Root") == NULL && strstr(err, leafsha1),
	    "CA-issued, not trusted: %s", err);
	rc = pki_trust_add(data, tpath("leaf.pem"), PKI_STORE_PUBLISHER, err,
	    sizeof(err));
	T_OK(rc == 0, "trust add leaf: %s", err);
	rc = pki_trust_check_signer(data, tpath("leaf.pem"), err, sizeof(err));
	T_OK(rc == 0, "CA-issued in TrustedPublisher only: %s", err);

	/* A file named after the thumbprint but holding another certificate. */
	snprintf(line, sizeof(line), "trust/TrustedPublisher/%s.cer", leafsha1);
	T_OK(sh("openssl x509 -in ca.pem -outform DER -out %s", dpath(line))
	    == 0, "plant");
	rc = pki_trust_check_signer(data, tpath("leaf.pem"), err, sizeof(err));
	T_OK(rc == -1, "planted file accepted");
	rc = pki_trust_add(data, tpath("leaf.pem"), PKI_STORE_PUBLISHER, err,
	    sizeof(err));
	T_OK(rc == 0 && pki_trust_check_signer(data, tpath("leaf.pem"), err,
	    sizeof(err)) == 0, "re-add repairs: %s", err);

	/* Refusals: two certificates in one file, no certificate, unknown store. */
	T_OK(sh("cat leaf.pem ca.pem > two.pem") == 0, "two.pem");
	rc = pki_trust_add(data, tpath("two.pem"), PKI_STORE_ROOT, err,
	    sizeof(err));
	T_OK(rc == -1 && strstr(err, "one at a time"), "two certs: %s", err);
	rc = pki_trust_add(data, tpath("pw"), PKI_STORE_ROOT, err, sizeof(err));
	T_OK(rc == -1, "non-certificate accepted");
	rc = pki_trust_add(data, tpath("leaf.pem"), (enum pki_store)7, err,
	    sizeof(err));
	T_OK(rc == -1, "unknown store accepted");

	/* remove: any case, colons allowed ("aa:bb:..."); from both stores */
	lower[0] = '\0';
	for (i = 0; i < 40; i += 2) {
		size_t l = strlen(lower);

		snprintf(lower + l, sizeof(lower) - l, "%s%c%c", i ? ":" : "",
		    sha1[i] | 0x20, sha1[i + 1] | 0x20);
	}
	rc = pki_trust_remove(data, lower, err, sizeof(err));
	T_OK(rc == 0, "remove %s: %s", lower, err);
	rc = capture_fn(out, sizeof(out), list_stores);
	T_OK(rc == 0 && strstr(out, sha1) == NULL, "still listed:\n%s", out);
	T_OK(strstr(out, leafsha1) != NULL, "leaf still listed:\n%s", out);
	rc = pki_trust_check_signer(data, dpath("signing/current.crt"), err,
	    sizeof(err));
	T_OK(rc == -1 && strstr(err, "neither"), "after remove: %s", err);
	rc = pki_trust_remove(data, sha1, err, sizeof(err));
	T_OK(rc == -1 && strstr(err, "no certificate with thumbprint"),
	    "second remove: %s", err);
	rc = pki_trust_remove(data, "12345", err, sizeof(err));
	T_OK(rc == -1 && strstr(err, "not a SHA-1 thumbprint"), "short: %s",
	    err);
	rc = pki_trust_remove(data, "../../../../etc/passwd", err, sizeof(err));
	T_OK(rc == -1 && strstr(err, "not a SHA-1 thumbprint"), "path: %s",
	    err);
}

/* Without a signing certificate: export, check and show say so. */
static void
test_empty(void)
{
	char err[1024], out[4096], saved[128];
	int  rc;

	snprintf(saved, sizeof(saved), "%s", data);
	snprintf(data, sizeof(data), "%s/empty-data", tdir);
	rc = pki_signing_export(data, tpath("none.cer"), err, sizeof(err));
	T_OK(rc == -1 && strstr(err, "signingcert create"), "export: %s", err);
	T_OK(!exists(tpath("none.cer")), "export wrote a file");
	rc = pki_signing_check(data, err, sizeof(err));
	T_OK(rc == -1 && strstr(err, "no signing certificate"), "check: %s",
	    err);
	rc = capture_fn(out, sizeof(out), pki_signing_show);
	T_OK(rc == -1 && strstr(out, "signing certificate: none"), "show: %s",
	    out);
	rc = capture_fn(out, sizeof(out), list_stores);
	T_OK(rc == 0 && out[0] == '\0', "list of nothing: %s", out);
	snprintf(data, sizeof(data), "%s", saved);
}

int
main(void)
{
	if (t_mkdtemp("test_pki") == -1)
		return 1;
	snprintf(data, sizeof(data), "%s/data", tdir);
	test_create();
	test_create_refusals();
	test_replace();
	test_key_mode();
	test_import_pem();
	test_import_p12();
	test_p12_damage();
	test_trust();
	test_empty();
	t_rmtemp("test_pki", t_fail);
	return t_done("test_pki");
}
