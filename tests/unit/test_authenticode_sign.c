/*
 * test_authenticode_sign.c - common/cab.c and common/authenticode_sign.c
 * against the independent tools, in a temporary directory:
 *
 *   cabextract      extracts every file of every cabinet byte for byte
 *                   and passes its integrity test (-t), signed or not;
 *   osslsigncode    verifies every signature (self-signed RSA and P-256
 *                   signers, a CA-issued leaf with and without its chain
 *                   in the PEM) and rejects a cabinet with one flipped
 *                   byte, and a signer outside -CAfile;
 *   openssl         makes the certificates.
 *
 * Plus the placement rules (the digest is the same before and after
 * signing; the blob is 8-byte aligned at the old end of file) and the
 * refusals of both functions (bad names, limits, wrong key, no
 * codeSigning EKU, already signed, not a cabinet).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mbedtls/md.h>

#include "authenticode.h"
#include "common_int.h"
#include "crypto.h"
#include "t.h"
#include "t_util.h"

#define T_RAND_BYTES   (100 * 1024)
#define T_COMP_BYTES   (200 * 1024)
#define T_OUT_MAX      8192

/*
 * Run a shell command in tdir; its output (stdout and stderr) goes to
 * out (if any, NUL-terminated, cut to outlen).  Returns the exit status.
 */
static int sh_out(char *out, size_t outlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int
sh_out(char *out, size_t outlen, const char *fmt, ...)
{
	char    cmd[2048], full[2400];
	va_list ap;
	FILE   *fp;
	size_t  n = 0;
	int     st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "cd '%s' && (%s) 2>&1", tdir, cmd);
	if ((fp = popen(full, "r")) == NULL)
		return -1;
	if (out != NULL && outlen > 0) {
		n = fread(out, 1, outlen - 1, fp);
		out[n] = '\0';
	}
	while (fgetc(fp) != EOF)
		;
	st = pclose(fp);
	return st == -1 ? -1 : WEXITSTATUS(st);
}

/* 1 when files a and b hold the same bytes. */
static int
same_file(const char *a, const char *b)
{
	size_t   na, nb;
	uint8_t *pa = slurp(a, &na), *pb = slurp(b, &nb);
	int      same = pa != NULL && pb != NULL && na == nb &&
	    memcmp(pa, pb, na) == 0;

	free(pa);
	free(pb);
	return same;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* --- fixtures ----------------------------------------------------------- */

static int
make_inputs(void)
{
	uint8_t *r = malloc(T_RAND_BYTES), *c = malloc(T_COMP_BYTES);
	size_t   i;
	int      rc = -1;

	if (r == NULL || c == NULL || crypto_random(r, T_RAND_BYTES) == -1)
		goto out;
	for (i = 0; i < T_COMP_BYTES; i++)
		c[i] = (uint8_t)("<update id=\"%zu\" state=\"approved\"/>\n"
		    [i % 37]) ^ (uint8_t)((i / 4096) & 1);
	if (spit(tpath("empty.txt"), "", 0) == -1 ||
	    spit(tpath("one.bin"), "x", 1) == -1 ||
	    spit(tpath("rand.bin"), r, T_RAND_BYTES) == -1 ||
	    spit(tpath("comp.txt"), c, T_COMP_BYTES) == -1 ||
	    spit(tpath("na\xc3\xafve.txt"), "utf-8 name\n", 11) == -1 ||
	    spit(tpath("frame.bin"), c, 32768) == -1)
		goto out;
	rc = 0;
out:
	free(r);
	free(c);
	return rc;
}

/* Certificates: self-signed RSA and P-256, a CA and a leaf it issued, a
 * serverAuth-only certificate. */
static int
make_certs(void)
{
	static const char *cmds[] = {
		"openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key "
		    "-out rsa.pem -days 30 -subj '/CN=WSUS Publishers Self-signed' "
		    "-addext extendedKeyUsage=codeSigning "
		    "-addext keyUsage=digitalSignature",
		"openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
		    "-nodes -keyout ec.key -out ec.pem -days 30 -subj '/CN=EC Signer' "
		    "-addext extendedKeyUsage=codeSigning "
		    "-addext keyUsage=digitalSignature",
		"openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key "
		    "-out ca.pem -days 30 -subj '/CN=Test Root CA' "
		    "-addext basicConstraints=critical,CA:TRUE "
		    "-addext keyUsage=critical,keyCertSign,cRLSign",
		"openssl req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr "
		    "-subj '/O=Contoso/CN=Contoso Publisher'",
		"printf 'basicConstraints=CA:FALSE\\nkeyUsage=critical,"
		    "digitalSignature\\nextendedKeyUsage=codeSigning\\n' > leaf.ext",
		"openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key "
		    "-CAcreateserial -days 30 -extfile leaf.ext -out leaf.pem",
		"cat leaf.pem ca.pem > chain.pem",
		"openssl req -x509 -newkey rsa:2048 -nodes -keyout tls.key "
		    "-out tls.pem -days 30 -subj '/CN=not for code' "
		    "-addext extendedKeyUsage=serverAuth",
	};
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (sh("%s", cmds[i]) != 0) {
			fprintf(stderr, "failed: %s\n", cmds[i]);
			return -1;
		}
	return 0;
}

/* --- cabinets ----------------------------------------------------------- */

static const struct {
	int         line;
	int         n;
	const char *names[3];
} cases[] = {
	{ __LINE__, 1, { "one.bin" } },
	{ __LINE__, 1, { "empty.txt" } },
	{ __LINE__, 1, { "rand.bin" } },
	{ __LINE__, 1, { "frame.bin" } },            /* exactly one frame */
	{ __LINE__, 2, { "empty.txt", "rand.bin" } },
	{ __LINE__, 2, { "one.bin", "comp.txt" } },
	{ __LINE__, 2, { "na\xc3\xafve.txt", "one.bin" } },
	{ __LINE__, 3, { "empty.txt", "one.bin", "rand.bin" } },
	{ __LINE__, 3, { "rand.bin", "comp.txt", "one.bin" } },
	{ __LINE__, 3, { "comp.txt", "empty.txt", "empty.txt2" } },
};

/* cabextract -q -d DIR extracts every file of case k byte for byte. */
static void
check_extract(int line, int k, const char *cab, const char *dir)
{
	char out[T_OUT_MAX];
	int  i;

	T_CHECK(line, sh_out(out, sizeof(out), "rm -rf %s && cabextract -q "
	    "-d %s %s", dir, dir, cab) == 0, "cabextract %s: %s", cab, out);
	T_CHECK(line, sh_out(out, sizeof(out), "cabextract -t -q %s", cab) == 0,
	    "cabextract -t %s: %s", cab, out);
	for (i = 0; i < cases[k].n; i++) {
		char got[300];
		const char *name = cases[k].names[i];

		snprintf(got, sizeof(got), "%s/%s/%s", tdir, dir, name);
		/* "empty.txt2" is another empty file, read from empty.txt */
		T_CHECK(line, same_file(got, tpath(strcmp(name, "empty.txt2") ?
		    name : "empty.txt")), "%s: %s differs", cab, name);
	}
}

/* osslsigncode verify: 0 when it says the signature is good. */
static int
ossl_verify(const char *cafile, const char *cab, char *out, size_t outlen)
{
	int st = sh_out(out, outlen, "osslsigncode verify -CAfile %s -in %s",
	    cafile, cab);

	return st == 0 && strstr(out, "Succeeded") != NULL &&
	    strstr(out, "Signature verification: ok") != NULL ? 0 : -1;
}

/*
 * sign_and_check - sign (cab, len) with cert/key, check the placement
 * rules, that osslsigncode verifies it against cafile, that cabextract
 * still extracts it, and that one flipped byte breaks the signature.
 */
static void
sign_and_check(int line, int k, const uint8_t *cab, size_t len,
    const char *cert, const char *key, const char *cafile, const char *tag)
{
	char           cabname[64], dir[64], out[T_OUT_MAX], err[256];
	uint8_t       *s = NULL, md1[CAB_DIGEST_MAX], md2[CAB_DIGEST_MAX];
	const uint8_t *sig;
	size_t         slen = 0, siglen, l1, l2, at;
	int            rc;

	snprintf(cabname, sizeof(cabname), "s%d%s.cab", k, tag);
	snprintf(dir, sizeof(dir), "xs%d%s", k, tag);
	err[0] = '\0';
	rc = authenticode_sign_cab(cab, len, cert, key, &s, &slen, err,
	    sizeof(err));
	T_CHECK(line, rc == 0, "sign %s: %s", cabname, err);
	if (rc != 0)
		return;

	/* Placement: the old file, then the blob (8-aligned), offsets set. */
	T_CHECK(line, slen > len && memcmp(s + CAB_OFF_SIGPOS + 8,
	    cab + CAB_OFF_SIGPOS + 8, len - CAB_OFF_SIGPOS - 8) == 0 &&
	    memcmp(s, cab, CAB_OFF_SIGPOS) == 0, "%s: cabinet bytes changed",
	    cabname);
	T_CHECK(line, get32(s + 8) == len && get32(s + CAB_OFF_SIGPOS) == len &&
	    get32(s + CAB_OFF_SIGLEN) == slen - len && (slen - len) % 8 == 0,
	    "%s: cbCabinet %u, offset %u, size %u for %zu + %zu", cabname,
	    get32(s + 8), get32(s + CAB_OFF_SIGPOS), get32(s + CAB_OFF_SIGLEN),
	    len, slen - len);
	T_CHECK(line, cab_signature_find(s, slen, &sig, &siglen, err,
	    sizeof(err)) == 0 && sig == s + len && siglen == slen - len &&
	    sig[0] == 0x30, "%s: cab_signature_find: %s", cabname, err);
	T_CHECK(line, cab_digest(cab, len, MBEDTLS_MD_SHA256, md1, &l1, err,
	    sizeof(err)) == 0 && cab_digest(s, slen, MBEDTLS_MD_SHA256, md2,
	    &l2, err, sizeof(err)) == 0 && l1 == 32 && l2 == 32 &&
	    memcmp(md1, md2, 32) == 0, "%s: digest differs after signing",
	    cabname);

	/* The independent checks. */
	T_CHECK(line, spit(tpath(cabname), s, slen) == 0, "write %s", cabname);
	T_CHECK(line, ossl_verify(cafile, cabname, out, sizeof(out)) == 0,
	    "osslsigncode verify %s:\n%s", cabname, out);
	check_extract(line, k, cabname, dir);

	/* One flipped byte: in the first CFDATA's payload, or the last
	 * byte before the signature when there is no data. */
	at = get32(s + CAB_AC_HEADER_BYTES) + 8 + 2;
	if (at >= len)
		at = len - 1;
	s[at] ^= 0x01;
	T_CHECK(line, spit(tpath(cabname), s, slen) == 0, "write %s", cabname);
	T_CHECK(line, ossl_verify(cafile, cabname, out, sizeof(out)) == -1 &&
	    strstr(out, "MISMATCH") != NULL,
	    "%s with byte %zu flipped still verifies:\n%s", cabname, at, out);
	free(s);
}

static void
test_cabinets(void)
{
	char     err[256], name[64], dir[64];
	uint8_t *cab;
	size_t   len;
	size_t   k;
	int      i;

	/* A second empty file under another name. */
	spit(tpath("empty.txt2"), "", 0);
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct cab_file f[3];
		int             line = cases[k].line;

		for (i = 0; i < cases[k].n; i++) {
			f[i].name = cases[k].names[i];
			f[i].path = strdup(tpath(cases[k].names[i]));
		}
		err[0] = '\0';
		cab = NULL;
		T_CHECK(line, cab_build(f, cases[k].n, &cab, &len, err,
		    sizeof(err)) == 0, "cab_build: %s", err);
		for (i = 0; i < cases[k].n; i++)
			free((char *)f[i].path);
		if (cab == NULL)
			continue;
		snprintf(name, sizeof(name), "c%zu.cab", k);
		snprintf(dir, sizeof(dir), "xc%zu", k);
		T_CHECK(line, spit(tpath(name), cab, len) == 0, "write %s", name);
		check_extract(line, (int)k, name, dir);

		/* Self-signed RSA: the signer is its own -CAfile. */
		sign_and_check(line, (int)k, cab, len, tpath("rsa.pem"),
		    tpath("rsa.key"), "rsa.pem", "rsa");
		if (k == 0 || k == 5 || k == 8) {
			sign_and_check(line, (int)k, cab, len, tpath("ec.pem"),
			    tpath("ec.key"), "ec.pem", "ec");
			sign_and_check(line, (int)k, cab, len,
			    tpath("chain.pem"), tpath("leaf.key"), "ca.pem",
			    "chain");
			sign_and_check(line, (int)k, cab, len, tpath("leaf.pem"),
			    tpath("leaf.key"), "ca.pem", "leaf");
		}
		if (k == 2) {
			/* PEM text instead of paths. */
			size_t pl, kl;
			char  *pem = slurp_str(tpath("rsa.pem"), &pl);
			char  *key = slurp_str(tpath("rsa.key"), &kl);

			T_CHECK(line, pem != NULL && key != NULL, "read PEM");
			if (pem != NULL && key != NULL) {
				sign_and_check(line, (int)k, cab, len, pem, key,
				    "rsa.pem", "text");
				crypto_wipe(key, kl);
			}
			free(pem);
			free(key);
		}
		free(cab);
	}
}

/* --- refusals ----------------------------------------------------------- */

static void
test_build_refusals(void)
{
	static const struct {
		int         line;
		const char *name, *path;     /* path relative to tdir */
		const char *why;             /* part of the message */
	} bad[] = {
		{ __LINE__, "a/b.txt", "one.bin", "not allowed" },
		{ __LINE__, "a\\b.txt", "one.bin", "not allowed" },
		{ __LINE__, "", "one.bin", "1 to 255" },
		{ __LINE__, "..", "one.bin", "not allowed" },
		{ __LINE__, "tab\there", "one.bin", "not allowed" },
		{ __LINE__, "x.txt", "no-such-file", "No such file" },
		{ __LINE__, "x.txt", ".", "not a regular file" },
	};
	struct cab_file f[CAB_MAX_FILES + 1];
	char            err[256], longname[300];
	uint8_t        *cab;
	size_t          len, i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f[0].name = bad[i].name;
		f[0].path = tpath(bad[i].path);
		err[0] = '\0';
		cab = (uint8_t *)"x";
		T_CHECK(bad[i].line, cab_build(f, 1, &cab, &len, err,
		    sizeof(err)) == -1 && cab == NULL &&
		    strstr(err, bad[i].why) != NULL, "want \"%s\", got \"%s\"",
		    bad[i].why, err);
	}
	memset(longname, 'a', 256);
	longname[256] = '\0';
	f[0].name = longname;
	f[0].path = tpath("one.bin");
	T_OK(cab_build(f, 1, &cab, &len, err, sizeof(err)) == -1,
	    "a 256-byte name was accepted");
	longname[255] = '\0';
	T_OK(cab_build(f, 1, &cab, &len, err, sizeof(err)) == 0,
	    "a 255-byte name: %s", err);
	free(cab);

	for (i = 0; i <= CAB_MAX_FILES; i++) {
		f[i].name = "one.bin";
		f[i].path = tpath("one.bin");
	}
	T_OK(cab_build(f, 0, &cab, &len, err, sizeof(err)) == -1,
	    "0 files accepted");
	T_OK(cab_build(f, CAB_MAX_FILES + 1, &cab, &len, err, sizeof(err)) ==
	    -1, "%d files accepted", CAB_MAX_FILES + 1);
	T_OK(cab_build(f, CAB_MAX_FILES, &cab, &len, err, sizeof(err)) == 0,
	    "%d files: %s", CAB_MAX_FILES, err);
	free(cab);
}

static void
test_sign_refusals(void)
{
	struct cab_file f = { "one.bin", NULL };
	char            err[256];
	uint8_t        *cab = NULL, *s = NULL, *s2 = NULL, *bad;
	size_t          len = 0, slen = 0, s2len, l;
	uint8_t         md[CAB_DIGEST_MAX];
	const uint8_t  *sig;

	f.path = tpath("one.bin");
	if (cab_build(&f, 1, &cab, &len, err, sizeof(err)) != 0) {
		T_OK(0, "cab_build: %s", err);
		return;
	}
	err[0] = '\0';
	T_OK(authenticode_sign_cab(cab, len, tpath("rsa.pem"), tpath("ec.key"),
	    &s, &slen, err, sizeof(err)) == -1 && s == NULL &&
	    strstr(err, "does not belong") != NULL, "wrong key: %s", err);
	T_OK(authenticode_sign_cab(cab, len, tpath("tls.pem"), tpath("tls.key"),
	    &s, &slen, err, sizeof(err)) == -1 &&
	    strstr(err, "codeSigning") != NULL, "serverAuth cert: %s", err);
	T_OK(authenticode_sign_cab(cab, len, tpath("nope.pem"), tpath("rsa.key"),
	    &s, &slen, err, sizeof(err)) == -1, "missing cert accepted");
	T_OK(authenticode_sign_cab(cab, len, tpath("rsa.pem"), tpath("nope.key"),
	    &s, &slen, err, sizeof(err)) == -1, "missing key accepted");
	T_OK(authenticode_sign_cab((const uint8_t *)"hello world, not a cab "
	    "at all, just text....", 45, tpath("rsa.pem"), tpath("rsa.key"),
	    &s, &slen, err, sizeof(err)) == -1 && strstr(err, "not a cabinet"),
	    "text accepted: %s", err);

	/* Unsigned: no signature to find; signed once, never twice. */
	T_OK(cab_signature_find(cab, len, &sig, &l, err, sizeof(err)) == -1 &&
	    strstr(err, "not signed") != NULL, "unsigned: %s", err);
	T_OK(authenticode_sign_cab(cab, len, tpath("rsa.pem"), tpath("rsa.key"),
	    &s, &slen, err, sizeof(err)) == 0, "sign: %s", err);
	if (s != NULL) {
		T_OK(authenticode_sign_cab(s, slen, tpath("rsa.pem"),
		    tpath("rsa.key"), &s2, &s2len, err, sizeof(err)) == -1 &&
		    strstr(err, "already signed") != NULL, "re-sign: %s", err);
		/* A truncated signed cabinet: offset + size no longer ends it. */
		T_OK(cab_signature_find(s, slen - 1, &sig, &l, err,
		    sizeof(err)) == -1 && cab_digest(s, slen - 1,
		    MBEDTLS_MD_SHA256, md, &l, err, sizeof(err)) == -1,
		    "truncated signed cabinet accepted");
		/* A signature offset inside the header. */
		if ((bad = malloc(slen)) != NULL) {
			memcpy(bad, s, slen);
			bad[CAB_OFF_SIGPOS] = 10;
			bad[CAB_OFF_SIGPOS + 1] = bad[CAB_OFF_SIGPOS + 2] =
			    bad[CAB_OFF_SIGPOS + 3] = 0;
			T_OK(cab_digest(bad, slen, MBEDTLS_MD_SHA256, md, &l,
			    err, sizeof(err)) == -1, "offset 10 accepted");
			/* A reserve that is not Authenticode's. */
			memcpy(bad, s, slen);
			bad[CAB_OFF_SIGPOS - 2] = 0x11;
			T_OK(cab_signature_find(bad, slen, &sig, &l, err,
			    sizeof(err)) == -1, "bad reserve magic accepted");
			free(bad);
		}
	}
	/* A signer outside -CAfile: osslsigncode must refuse. */
	if (s != NULL && spit(tpath("other.cab"), s, slen) == 0) {
		char out[T_OUT_MAX];

		T_OK(ossl_verify("ca.pem", "other.cab", out, sizeof(out)) == -1,
		    "self-signed cabinet verified against another CA:\n%s", out);
	}
	T_OK(cab_digest(cab, 10, MBEDTLS_MD_SHA256, md, &l, err,
	    sizeof(err)) == -1, "10-byte cabinet accepted");
	T_OK(cab_digest(cab, len, MBEDTLS_MD_NONE, md, &l, err,
	    sizeof(err)) == -1, "digest NONE accepted");
	free(s);
	free(s2);
	free(cab);
}

int
main(void)
{
	if (t_mkdtemp("test_acsign") == -1)
		return 1;
	if (make_inputs() == -1 || make_certs() == -1) {
		T_OK(0, "fixtures in %s", tdir);
		return t_done("test_authenticode_sign");
	}
	test_cabinets();
	test_build_refusals();
	test_sign_refusals();
	t_rmtemp("test_authenticode_sign", t_fail);
	return t_done("test_authenticode_sign");
}
