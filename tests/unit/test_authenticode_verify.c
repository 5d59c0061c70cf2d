/*
 * test_authenticode_verify.c - authenticode_verify_cab() against cabinets
 * and signatures made by other tools, in a temporary directory:
 *
 *   cabinets     gcab -c -z (MSZIP) when gcab is installed, and always a
 *                stored (uncompressed) cabinet written by this test, so
 *                our own writer (cab_build) is never the only source;
 *   certificates the openssl CLI: a self-signed RSA-2048 code-signing
 *                certificate, a CA and a leaf it issued, a leaf without
 *                the codeSigning EKU, an expired self-signed one (OpenSSL
 *                3.0 cannot backdate with req/x509, so it comes from a
 *                throw-away "openssl ca -selfsign" with explicit dates), a
 *                self-signed P-256 one (the ECDSA path);
 *   signatures   osslsigncode sign (SHA-256 and SHA-1).
 *
 * Then the trust-store table (Trusted Publishers / Trusted Root as the
 * seed describes them), the tampering cases (a byte of the cabinet data,
 * of the hashed and unhashed header, and every byte of the signature in
 * turn), and bounds (every truncation of a small signed cabinet, random
 * garbage, garbage behind a valid-looking header).  Run under ASan by
 * `make check-asan` to prove no read leaves the buffer.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "authenticode.h"
#include "t.h"
#define T_SH_SINK ">>sh.log"   /* the fixtures' output, for a failure */
#include "t_util.h"

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/*
 * write_stored_cab - a one-file, one-folder, uncompressed cabinet written
 * by hand from MS-CAB (CFHEADER 36 bytes, CFFOLDER 8, CFFILE 16 + name,
 * CFDATA 8 + data, checksums 0 = "not computed"): an independent input
 * for osslsigncode, which adds the Authenticode reserve itself.
 */
static int
write_stored_cab(const char *cabname, const char *name, const uint8_t *data,
    uint16_t n)
{
	uint8_t buf[36 + 8 + 16 + 64 + 8 + 65536];
	size_t nl = strlen(name) + 1, off_file = 36 + 8, off_data = off_file + 16 + nl;
	size_t total = off_data + 8 + n;

	if (nl > 64)
		return -1;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "MSCF", 4);
	put32(buf + 8, (uint32_t)total);        /* cbCabinet */
	put32(buf + 16, (uint32_t)off_file);    /* coffFiles */
	buf[24] = 3;                            /* version 1.3 */
	buf[25] = 1;
	put16(buf + 26, 1);                     /* cFolders */
	put16(buf + 28, 1);                     /* cFiles */
	put16(buf + 32, 0x1234);                /* setID */
	put32(buf + 36, (uint32_t)off_data);    /* CFFOLDER: coffCabStart */
	put16(buf + 40, 1);                     /* cCFData */
	put16(buf + 42, 0);                     /* typeCompress: none */
	put32(buf + off_file, n);               /* CFFILE: cbFile */
	put32(buf + off_file + 4, 0);           /* uoffFolderStart */
	put16(buf + off_file + 8, 0);           /* iFolder */
	put16(buf + off_file + 10, 0x5a21);     /* date */
	put16(buf + off_file + 12, 0x6000);     /* time */
	put16(buf + off_file + 14, 0x20);       /* attribs: archive */
	memcpy(buf + off_file + 16, name, nl);
	put32(buf + off_data, 0);               /* CFDATA: csum (none) */
	put16(buf + off_data + 4, n);           /* cbData */
	put16(buf + off_data + 6, n);           /* cbUncomp */
	memcpy(buf + off_data + 8, data, n);
	return spit(tpath(cabname), buf, total);
}

/*
 * The fixtures: certificates, trust-store directories and signed
 * cabinets.  Store directories (P = Trusted Publishers, R = Trusted Root):
 *   P_all  self (PEM .crt), leaf (DER .cer), noeku, old, ec; junk files
 *   R_all  self (DER .cer), ca + old + ec in one PEM bundle
 *   P_ca   only the CA (not the leaf)      R_self  only self
 *   empty
 */
static const char fixtures[] =
"set -e\n"
"cat > t.cnf <<'EOF'\n"
"[req]\n"
"distinguished_name=dn\n"
"prompt=no\n"
"[dn]\n"
"CN=unused\n"
"[cs]\n"
"basicConstraints=CA:FALSE\n"
"keyUsage=digitalSignature\n"
"extendedKeyUsage=codeSigning\n"
"subjectKeyIdentifier=hash\n"
"[v3ca]\n"
"basicConstraints=critical,CA:TRUE\n"
"keyUsage=critical,keyCertSign,cRLSign\n"
"subjectKeyIdentifier=hash\n"
"[leaf]\n"
"basicConstraints=CA:FALSE\n"
"keyUsage=digitalSignature\n"
"extendedKeyUsage=codeSigning\n"
"authorityKeyIdentifier=keyid\n"
"[noeku]\n"
"basicConstraints=CA:FALSE\n"
"keyUsage=digitalSignature\n"
"extendedKeyUsage=serverAuth\n"
"[ca]\n"
"default_ca=tca\n"
"[tca]\n"
"database=index.txt\n"
"new_certs_dir=.\n"
"serial=serial\n"
"default_md=sha256\n"
"policy=pol\n"
"unique_subject=no\n"
"copy_extensions=none\n"
"[pol]\n"
"commonName=supplied\n"
"EOF\n"
": > index.txt; echo 01 > serial\n"
"openssl req -x509 -newkey rsa:2048 -nodes -keyout self.key -out self.crt -days 30"
" -subj '/CN=WSUS Publishers Self-signed' -config t.cnf -extensions cs\n"
"openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key"
" -out ec.crt -days 30 -subj '/CN=EC Publisher' -config t.cnf -extensions cs\n"
"openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30"
" -subj '/CN=Test Root CA' -config t.cnf -extensions v3ca\n"
"for n in leaf noeku; do\n"
"  openssl req -new -newkey rsa:2048 -nodes -keyout $n.key -out $n.csr"
" -subj \"/CN=$n signer\" -config t.cnf\n"
"  openssl x509 -req -in $n.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30"
" -out $n.crt -extfile t.cnf -extensions $n\n"
"done\n"
"openssl req -new -newkey rsa:2048 -nodes -keyout old.key -out old.csr"
" -subj '/CN=Expired Publisher' -config t.cnf\n"
"openssl ca -batch -config t.cnf -selfsign -keyfile old.key -in old.csr -out old.crt"
" -startdate 20200101000000Z -enddate 20210101000000Z -extensions cs -notext\n"
"openssl x509 -in self.crt -noout -fingerprint -sha1 | sed 's/.*=//; s/://g' > self.sha1\n"
"mkdir P_all R_all P_ca R_self empty\n"
"cp self.crt P_all/self.crt; openssl x509 -in leaf.crt -outform der -out P_all/leaf.cer\n"
"cp noeku.crt P_all/noeku.pem; cp old.crt P_all/old.crt; cp ec.crt P_all/ec.CRT\n"
"head -c 300 /dev/urandom > P_all/junk.cer; echo not a certificate > P_all/junk.pem\n"
"cp leaf.crt P_all/ignored.txt\n"
"openssl x509 -in self.crt -outform der -out R_all/self.cer\n"
"cat ca.crt old.crt ec.crt > R_all/bundle.pem\n"
"cp ca.crt P_ca/ca.crt; cp self.crt R_self/self.pem\n"
"echo hello > a.txt; head -c 100000 /dev/urandom > b.bin\n"
"if command -v gcab >/dev/null; then gcab -c -z plain.cab a.txt b.bin;"
" else cp stored.cab plain.cab; fi\n"
"sign() { osslsigncode sign -certs $1 -key $2 -h $3 -in $4 -out $5; }\n"
"sign self.crt self.key sha256 plain.cab self.cab\n"
"sign self.crt self.key sha1 stored.cab small.cab\n"
"cat leaf.crt ca.crt > leafchain.crt\n"
"sign leafchain.crt leaf.key sha1 plain.cab leaf.cab\n"
"sign leaf.crt leaf.key sha256 stored.cab leafonly.cab\n"
"sign noeku.crt noeku.key sha256 stored.cab noeku.cab\n"
"sign old.crt old.key sha256 stored.cab old.cab\n"
"sign ec.crt ec.key sha256 stored.cab ec.cab\n";

struct vcase {
	int         line;
	const char *cab;      /* file in tdir */
	const char *pub;      /* Trusted Publishers directory (NULL: none) */
	const char *root;     /* Trusted Root directory */
	int         rc;
	const char *reason;   /* substring of the reason when rc == -1 */
};

static const struct vcase cases[] = {
	/* trusted: the seed's two configurations */
	{ __LINE__, "self.cab",     "P_all", "R_all",  0, NULL },
	{ __LINE__, "self.cab",     "P_all", "R_self", 0, NULL },
	{ __LINE__, "small.cab",    "P_all", "R_all",  0, NULL },   /* SHA-1 digest */
	{ __LINE__, "leaf.cab",     "P_all", "R_all",  0, NULL },   /* CA chain embedded */
	{ __LINE__, "leafonly.cab", "P_all", "R_all",  0, NULL },   /* CA only in Root */
	{ __LINE__, "ec.cab",       "P_all", "R_all",  0, NULL },   /* ECDSA P-256 */
	/* Trusted Publishers */
	{ __LINE__, "self.cab",     "empty", "R_all",  -1, "not in Trusted Publishers" },
	{ __LINE__, "self.cab",     NULL,    "R_all",  -1, "not in Trusted Publishers" },
	{ __LINE__, "self.cab",     "nonexistent", "R_all", -1, "not in Trusted Publishers" },
	{ __LINE__, "leaf.cab",     "P_ca",  "R_all",  -1, "not in Trusted Publishers" },
	{ __LINE__, "leaf.cab",     "empty", "R_all",  -1, "not in Trusted Publishers" },
	/* Trusted Root */
	{ __LINE__, "self.cab",     "P_all", "empty",  -1,
	  "self-signed signer is not in Trusted Root Certification Authorities" },
	{ __LINE__, "self.cab",     "P_all", NULL,     -1, "Trusted Root" },
	{ __LINE__, "self.cab",     "P_all", "P_ca",   -1, "Trusted Root" },
	{ __LINE__, "leaf.cab",     "P_all", "R_self", -1,
	  "does not chain to a certificate in Trusted Root" },
	{ __LINE__, "leaf.cab",     "P_all", "empty",  -1, "Trusted Root" },
	{ __LINE__, "leaf.cab",     "P_all", "P_all",  -1, "Trusted Root" },
	{ __LINE__, "ec.cab",       "P_all", "R_self", -1, "Trusted Root" },
	/* certificate fitness */
	{ __LINE__, "noeku.cab",    "P_all", "R_all",  -1, "not valid for code signing" },
	{ __LINE__, "old.cab",      "P_all", "R_all",  -1, "the signing certificate has expired" },
	/* no signature */
	{ __LINE__, "plain.cab",    "P_all", "R_all",  -1, "not signed" },
	{ __LINE__, "stored.cab",   "P_all", "R_all",  -1, "not signed" },
	{ __LINE__, "a.txt",        "P_all", "R_all",  -1, "not a cabinet" },
};

static void
test_table(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct vcase *c = &cases[i];
		struct authenticode_signer who;
		char reason[256], pub[256], root[256];
		uint8_t *p;
		size_t n;
		int rc;

		if ((p = slurp(tpath(c->cab), &n)) == NULL) {
			T_CHECK(c->line, 0, "cannot read %s", c->cab);
			continue;
		}
		snprintf(pub, sizeof(pub), "%s", c->pub ? tpath(c->pub) : "");
		snprintf(root, sizeof(root), "%s", c->root ? tpath(c->root) : "");
		memset(reason, 'x', sizeof(reason));
		rc = authenticode_verify_cab(p, n, c->pub ? pub : NULL,
		    c->root ? root : NULL, &who, reason, sizeof(reason));
		T_CHECK(c->line, rc == c->rc, "%s: rc %d, want %d (%s)", c->cab, rc, c->rc,
		    rc ? reason : "");
		if (c->reason != NULL)
			T_CHECK(c->line, rc == -1 && strstr(reason, c->reason) != NULL,
			    "%s: reason \"%s\", want \"%s\"", c->cab, reason, c->reason);
		free(p);
	}
}

/* *who for the trusted self-signed and CA-issued signers. */
static void
test_who(void)
{
	struct authenticode_signer who;
	char reason[256], sha1[64] = "";
	uint8_t *p, *t;
	size_t n, tn;

	if ((t = slurp(tpath("self.sha1"), &tn)) != NULL) {
		snprintf(sha1, sizeof(sha1), "%.*s", (int)(tn > 40 ? 40 : tn), (char *)t);
		free(t);
	}
	if ((p = slurp(tpath("self.cab"), &n)) == NULL) {
		T_OK(0, "self.cab missing");
		return;
	}
	T_OK(authenticode_verify_cab(p, n, tpath("P_all"), tpath("R_all"), &who,
	    reason, sizeof(reason)) == 0, "self.cab: %s", reason);
	T_OK(strstr(who.subject, "CN=WSUS Publishers Self-signed") != NULL,
	    "subject \"%s\"", who.subject);
	T_OK(strcmp(who.subject, who.issuer) == 0, "issuer \"%s\"", who.issuer);
	T_OK(who.self_signed == 1, "self_signed %d", who.self_signed);
	T_OK(strlen(sha1) == 40 && strcmp(who.sha1, sha1) == 0, "thumbprint %s, openssl %s",
	    who.sha1, sha1);
	/* Fills who when the signature verifies, even if trust then fails. */
	memset(&who, 0, sizeof(who));
	T_OK(authenticode_verify_cab(p, n, tpath("empty"), tpath("R_all"), &who,
	    reason, sizeof(reason)) == -1 && who.sha1[0] != '\0',
	    "who after a trust failure: \"%s\"", who.sha1);
	/* NULL who and reason are allowed. */
	T_OK(authenticode_verify_cab(p, n, tpath("P_all"), tpath("R_all"), NULL,
	    NULL, 0) == 0, "NULL who/reason");
	T_OK(authenticode_verify_cab(p, n, NULL, NULL, NULL, NULL, 0) == -1,
	    "NULL stores");
	free(p);

	if ((p = slurp(tpath("leaf.cab"), &n)) == NULL) {
		T_OK(0, "leaf.cab missing");
		return;
	}
	T_OK(authenticode_verify_cab(p, n, tpath("P_all"), tpath("R_all"), &who,
	    reason, sizeof(reason)) == 0, "leaf.cab: %s", reason);
	T_OK(strstr(who.subject, "CN=leaf signer") != NULL &&
	    strstr(who.issuer, "CN=Test Root CA") != NULL && who.self_signed == 0,
	    "leaf who: \"%s\" / \"%s\" / %d", who.subject, who.issuer, who.self_signed);
	free(p);
}

/*
 * One byte changed: in the cabinet data, in the hashed header fields (a
 * digest mismatch), in the header bytes osslsigncode's digest skips
 * (iCabinet: still valid - the rule is osslsigncode's, not ours), and
 * every byte of the signature area in turn (each must fail).
 */
static void
test_tamper(void)
{
	char reason[256];
	uint8_t *p;
	size_t n;
	uint32_t sigpos, siglen;
	int bad = 0, first_ok = -1;

	if ((p = slurp(tpath("self.cab"), &n)) == NULL || n < 60) {
		T_OK(0, "self.cab missing");
		free(p);
		return;
	}
	sigpos = get32(p + 44);
	siglen = get32(p + 48);
	T_OK((size_t)sigpos + siglen == n && sigpos > 1000, "sigpos %u siglen %u",
	    sigpos, siglen);

	p[sigpos / 2] ^= 0x01;
	T_OK(authenticode_verify_cab(p, n, tpath("P_all"), tpath("R_all"), NULL,
	    reason, sizeof(reason)) == -1 &&
	    strstr(reason, "the file has been altered: digest mismatch") != NULL,
	    "data byte: %s", reason);
	p[sigpos / 2] ^= 0x01;
	p[sigpos - 1] ^= 0x80;      /* the last byte before the signature */
	T_OK(authenticode_verify_cab(p, n, tpath("P_all"), tpath("R_all"), NULL,
	    reason, sizeof(reason)) == -1 && strstr(reason, "digest mismatch") != NULL,
	    "last data byte: %s", reason);
	p[sigpos - 1] ^= 0x80;
	p[32] ^= 0x01;              /* setID: hashed */
	T_OK(authenticode_verify_cab(p, n, tpath("P_all"), tpath("R_all"), NULL,
	    reason, sizeof(reason)) == -1 && strstr(reason, "digest mismatch") != NULL,
	    "setID: %s", reason);
	p[32] ^= 0x01;
	p[57] ^= 0x01;              /* last reserve bytes: hashed */
	T_OK(authenticode_verify_cab(p, n, tpath("P_all"), tpath("R_all"), NULL,
	    reason, sizeof(reason)) == -1 && strstr(reason, "digest mismatch") != NULL,
	    "reserve 56..59: %s", reason);
	p[57] ^= 0x01;
	p[34] ^= 0x01;              /* iCabinet: not hashed by osslsigncode's rule */
	T_OK(authenticode_verify_cab(p, n, tpath("P_all"), tpath("R_all"), NULL,
	    reason, sizeof(reason)) == 0, "iCabinet: %s", reason);
	p[34] ^= 0x01;

	for (size_t i = sigpos; i < n; i++) {
		p[i] ^= 0x20;
		if (authenticode_verify_cab(p, n, tpath("P_all"), tpath("R_all"), NULL,
		    reason, sizeof(reason)) == 0) {
			bad++;
			if (first_ok < 0)
				first_ok = (int)(i - sigpos);
		}
		p[i] ^= 0x20;
	}
	T_OK(bad == 0, "%d of %u signature bytes changed still verify (first at +%d)",
	    bad, siglen, first_ok);
	T_OK(authenticode_verify_cab(p, n, tpath("P_all"), tpath("R_all"), NULL,
	    reason, sizeof(reason)) == 0, "restored: %s", reason);
	free(p);
}

/* Every truncation of a small signed cabinet, and garbage: -1, no overrun. */
static void
test_bounds(void)
{
	char reason[256];
	uint8_t *p, *q;
	size_t n;
	int ok = 0;
	unsigned seed = 12345;

	if ((p = slurp(tpath("small.cab"), &n)) == NULL) {
		T_OK(0, "small.cab missing");
		return;
	}
	T_OK(authenticode_verify_cab(p, n, tpath("P_all"), tpath("R_all"), NULL,
	    reason, sizeof(reason)) == 0, "small.cab: %s", reason);
	for (size_t k = 0; k < n; k++) {
		/* an exact-size copy, so ASan flags any read past the prefix */
		if ((q = malloc(k ? k : 1)) == NULL)
			break;
		memcpy(q, p, k);
		ok += authenticode_verify_cab(q, k, tpath("P_all"), tpath("R_all"), NULL,
		    reason, sizeof(reason)) == 0;
		free(q);
	}
	T_OK(ok == 0, "%d truncations of small.cab verify", ok);
	T_OK(authenticode_verify_cab(NULL, 0, NULL, NULL, NULL, reason,
	    sizeof(reason)) == -1, "NULL buffer");

	/* Random bytes, and random bytes behind a signed cabinet's header. */
	ok = 0;
	for (int r = 0; r < 2000; r++) {
		size_t len = (size_t)(rand_r(&seed) % 3000);

		if ((q = malloc(len ? len : 1)) == NULL)
			break;
		for (size_t i = 0; i < len; i++)
			q[i] = (uint8_t)rand_r(&seed);
		if (r % 2 && len >= 60 && n >= 60) {
			size_t sig = 60 + (size_t)rand_r(&seed) % (len - 59);

			memcpy(q, p, 60);
			put32(q + 16, 60 + 8 * (uint32_t)(q[26] | q[27] << 8));
			put32(q + 44, (uint32_t)sig);
			put32(q + 48, (uint32_t)(len - sig));
			if (r % 4 == 1 && sig + 4 <= len) {
				q[sig] = 0x30;      /* a SEQUENCE with a long length */
				q[sig + 1] = 0x82;
			}
		}
		ok += authenticode_verify_cab(q, len, tpath("P_all"), tpath("R_all"),
		    NULL, reason, sizeof(reason)) == 0;
		free(q);
	}
	T_OK(ok == 0, "%d garbage buffers verify", ok);

	/* The signature blob swapped into a different cabinet's header. */
	if ((q = malloc(n)) != NULL) {
		memcpy(q, p, n);
		q[n - 1] = 0x01;        /* non-zero padding or DER tail */
		T_OK(authenticode_verify_cab(q, n, tpath("P_all"), tpath("R_all"), NULL,
		    reason, sizeof(reason)) == -1, "non-zero tail accepted");
		free(q);
	}
	free(p);
}

int
main(void)
{
	static const uint8_t hello[] = "stored cabinet payload for Authenticode tests\n";

	if (t_mkdtemp("test_authenticode") == -1)
		return 1;
	T_OK(write_stored_cab("stored.cab", "hello.txt", hello, sizeof(hello) - 1) == 0,
	    "write stored.cab");
	T_OK(spit(tpath("fixtures.sh"), fixtures, sizeof(fixtures) - 1) == 0, "write fixtures");
	if (sh("sh fixtures.sh") != 0) {
		T_OK(0, "fixtures failed (openssl, osslsigncode needed); see %s/sh.log", tdir);
		return t_done("test_authenticode_verify");
	}
	test_table();
	test_who();
	test_tamper();
	test_bounds();
	t_rmtemp("test_authenticode_verify", t_fail);
	return t_done("test_authenticode_verify");
}
