/*
 * wsusutil_pki.c - the wsusutil verbs for the Updates Publisher role's
 * certificates, over pki.c:
 *
 *   wsusutil -c FILE signingcert create [--subject DN] [--years N]
 *   wsusutil -c FILE signingcert import FILE [--key FILE | --password-file FILE]
 *   wsusutil -c FILE signingcert export FILE.cer
 *   wsusutil -c FILE signingcert show
 *   wsusutil -c FILE trust add FILE --store TrustedPublisher|Root
 *   wsusutil -c FILE trust list
 *   wsusutil -c FILE trust remove THUMBPRINT
 *
 * Owns: argument parsing and the sentences an operator reads (what was
 * done, what to do next).  Never touches key material or mbedTLS itself;
 * every decision and every file is pki.c's.  Exit statuses: 0 done, 1
 * refused or failed (one line on stderr saying why; nothing changed), 2
 * usage.  Verb and store names are matched case-insensitively, as
 * WsusUtil.exe and the certificate snap-in do.  Helpers are pkiverb_*,
 * after the entry point pki_verb() (pki_* belongs to pki.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "crypto.h"
#include "admin.h"

#define PKIVERB_DEFAULT_SUBJECT "CN=WSUS Publishers Self-signed"
#define PKIVERB_DEFAULT_YEARS   3      /* as WSUS's own self-signed certificate; see pki.c */
#define PKIVERB_YEARS_MAX       20     /* pki.c's PKI_YEARS_MAX */
#define PKIVERB_ERR_BYTES       1024

static int
pkiverb_usage(void)
{
	fprintf(stderr,
	    "usage: wsusutil -c FILE signingcert create [--subject DN] [--years N]\n"
	    "       wsusutil -c FILE signingcert import FILE [--key FILE | --password-file FILE]\n"
	    "       wsusutil -c FILE signingcert export FILE.cer\n"
	    "       wsusutil -c FILE signingcert show\n"
	    "       wsusutil -c FILE trust add FILE --store TrustedPublisher|Root\n"
	    "       wsusutil -c FILE trust list\n"
	    "       wsusutil -c FILE trust remove THUMBPRINT\n");
	return 2;
}

/*
 * pkiverb_int - s as a whole decimal number in min..max: no sign, no
 * spaces, no trailing text, no overflow.  Returns 0 or -1.
 */
static int
pkiverb_int(const char *s, int min, int max, int *out)
{
	char *end;
	long  v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

/*
 * pkiverb_opt - if argv[*i] is the option name, take its value from the next
 * argument into *val (a second occurrence is a usage error).  Returns 1
 * when consumed, 0 when argv[*i] is not this option, -1 on misuse.
 */
static int
pkiverb_opt(int argc, char *argv[], int *i, const char *name, const char **val)
{
	if (strcmp(argv[*i], name) != 0)
		return 0;
	if (*i + 1 >= argc || *val != NULL) {
		fprintf(stderr, "wsusutil: %s %s\n", name, *val != NULL ?
		    "given twice" : "needs a value");
		return -1;
	}
	*val = argv[++*i];
	return 1;
}

/* "CN=... (thumbprint X), valid until Y" of the current signing certificate. */
static void
pkiverb_describe_current(const char *data_dir, const char *verb)
{
	struct cert_info ci;
	char             cert[PKI_PATH_MAX], key[PKI_PATH_MAX];
	char             err[PKIVERB_ERR_BYTES];

	pki_signing_paths(data_dir, cert, key);
	if (crypto_cert_info(cert, &ci, err, sizeof(err)) == -1)
		return;
	printf("%s the signing certificate %s (thumbprint %s), valid until "
	    "%s\n", verb, ci.subject, ci.sha1, ci.not_after);
	printf("next: wsusutil signingcert export signing.cer, then "
	    "wsusutil trust add signing.cer --store TrustedPublisher%s\n",
	    ci.self_signed ? " and wsusutil trust add signing.cer --store "
	    "Root (it is self-signed)" : "");
}

/* The thumbprint of the current signing certificate into sha1, or "". */
static void
pkiverb_current_sha1(const char *data_dir, char *sha1, size_t len)
{
	struct cert_info ci;
	char             cert[PKI_PATH_MAX], key[PKI_PATH_MAX];
	char             err[PKIVERB_ERR_BYTES];

	sha1[0] = '\0';
	pki_signing_paths(data_dir, cert, key);
	if (crypto_cert_info(cert, &ci, err, sizeof(err)) == 0)
		snprintf(sha1, len, "%s", ci.sha1);
}

/*
 * pkiverb_audit_signing - the audit row of a signing-certificate change:
 * the thumbprints before and after (the store keeps the files, so the row
 * is written once the change is in place).
 */
static int
pkiverb_audit_signing(const struct config *c, const char *action,
    const char *before)
{
	char after[64], jb[128] = "{", ja[128] = "{";

	pkiverb_current_sha1(c->data_dir, after, sizeof(after));
	if (before[0] != '\0')
		actor_json_str(jb, sizeof(jb), "sha1", before);
	actor_json_end(jb, sizeof(jb));
	actor_json_str(ja, sizeof(ja), "sha1", after);
	actor_json_end(ja, sizeof(ja));
	return actor_record(c, action, "signing/current", before[0] != '\0' ?
	    jb : "", ja) == 0 ? 0 : 1;
}

/*
 * pkiverb_audit_trust - the audit row of a trust-store change: which
 * store, the certificate's thumbprint and subject where it can be read.
 */
static int
pkiverb_audit_trust(const struct config *c, const char *action,
    const char *store, const char *file, const char *thumbprint, int added)
{
	struct cert_info ci;
	char err[PKIVERB_ERR_BYTES], j[1024] = "{";

	actor_json_str(j, sizeof(j), "store", store);
	if (file != NULL && crypto_cert_info(file, &ci, err, sizeof(err)) == 0) {
		actor_json_str(j, sizeof(j), "sha1", ci.sha1);
		actor_json_str(j, sizeof(j), "subject", ci.subject);
	} else if (thumbprint != NULL)
		actor_json_str(j, sizeof(j), "sha1", thumbprint);
	actor_json_end(j, sizeof(j));
	return actor_record(c, action, thumbprint != NULL ? thumbprint :
	    file, added ? "" : j, added ? j : "") == 0 ? 0 : 1;
}

/* After create/import: say what was retired, if anything was. */
static void
pkiverb_report_retired(const char *data_dir, const char *before)
{
	char after[64];

	pkiverb_current_sha1(data_dir, after, sizeof(after));
	if (before[0] != '\0' && strcmp(before, after) != 0)
		printf("retired the previous signing certificate %s "
		    "(signing/retired/%s.crt; still listed by signingcert "
		    "show)\n", before, before);
}

static int
pkiverb_signingcert(const struct config *c, int argc, char *argv[])
{
	const char *subject = NULL, *years_s = NULL, *key = NULL;
	const char *pwfile = NULL, *file = NULL;
	char        err[PKIVERB_ERR_BYTES], before[64];
	int         i, r, years = PKIVERB_DEFAULT_YEARS;

	if (argc < 2)
		return pkiverb_usage();
	err[0] = '\0';
	if (strcasecmp(argv[1], "create") == 0) {
		for (i = 2; i < argc; i++) {
			if ((r = pkiverb_opt(argc, argv, &i, "--subject",
			    &subject)) == 0)
				r = pkiverb_opt(argc, argv, &i, "--years",
				    &years_s);
			if (r != 1)
				return pkiverb_usage();
		}
		if (years_s != NULL && pkiverb_int(years_s, 1, PKIVERB_YEARS_MAX,
		    &years) == -1) {
			fprintf(stderr, "wsusutil: --years must be a whole "
			    "number from 1 to %d\n", PKIVERB_YEARS_MAX);
			return 2;
		}
		pkiverb_current_sha1(c->data_dir, before, sizeof(before));
		if (pki_signing_create(c->data_dir, subject != NULL ? subject :
		    PKIVERB_DEFAULT_SUBJECT, years, err, sizeof(err)) == -1) {
			fprintf(stderr, "wsusutil: signingcert create: %s\n",
			    err);
			return 1;
		}
		pkiverb_report_retired(c->data_dir, before);
		pkiverb_describe_current(c->data_dir, "created");
		return pkiverb_audit_signing(c, "signingcert.create", before);
	}
	if (strcasecmp(argv[1], "import") == 0) {
		for (i = 2; i < argc; i++) {
			if ((r = pkiverb_opt(argc, argv, &i, "--key", &key)) == 0)
				r = pkiverb_opt(argc, argv, &i, "--password-file",
				    &pwfile);
			if (r == -1)
				return pkiverb_usage();
			if (r == 1)
				continue;
			if (file != NULL || argv[i][0] == '-')
				return pkiverb_usage();
			file = argv[i];
		}
		if (file == NULL || (key != NULL && pwfile != NULL))
			return pkiverb_usage();
		pkiverb_current_sha1(c->data_dir, before, sizeof(before));
		if (pki_signing_import(c->data_dir, file, key, pwfile, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "wsusutil: signingcert import: %s; "
			    "nothing changed\n", err);
			return 1;
		}
		pkiverb_report_retired(c->data_dir, before);
		pkiverb_describe_current(c->data_dir, "imported");
		return pkiverb_audit_signing(c, "signingcert.import", before);
	}
	if (strcasecmp(argv[1], "export") == 0) {
		if (argc != 3)
			return pkiverb_usage();
		if (pki_signing_export(c->data_dir, argv[2], err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "wsusutil: signingcert export: %s\n",
			    err);
			return 1;
		}
		printf("exported the signing certificate to %s (DER)\n",
		    argv[2]);
		return 0;
	}
	if (strcasecmp(argv[1], "show") == 0) {
		if (argc != 2)
			return pkiverb_usage();
		return pki_signing_show(c->data_dir) == 0 ? 0 : 1;
	}
	return pkiverb_usage();
}

static int
pkiverb_trust(const struct config *c, int argc, char *argv[])
{
	const char    *store = NULL, *file = NULL;
	enum pki_store s;
	char           err[PKIVERB_ERR_BYTES];
	int            i, r;

	if (argc < 2)
		return pkiverb_usage();
	err[0] = '\0';
	if (strcasecmp(argv[1], "add") == 0) {
		for (i = 2; i < argc; i++) {
			if ((r = pkiverb_opt(argc, argv, &i, "--store",
			    &store)) == -1)
				return pkiverb_usage();
			if (r == 1)
				continue;
			if (file != NULL || argv[i][0] == '-')
				return pkiverb_usage();
			file = argv[i];
		}
		if (file == NULL || store == NULL)
			return pkiverb_usage();
		if (strcasecmp(store, "TrustedPublisher") == 0)
			s = PKI_STORE_PUBLISHER;
		else if (strcasecmp(store, "Root") == 0)
			s = PKI_STORE_ROOT;
		else {
			fprintf(stderr, "wsusutil: unknown store \"%s\": "
			    "TrustedPublisher or Root\n", store);
			return 2;
		}
		if (pki_trust_add(c->data_dir, file, s, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "wsusutil: trust add: %s\n", err);
			return 1;
		}
		printf("added %s to the %s store\n", file,
		    s == PKI_STORE_ROOT ? "Root" : "TrustedPublisher");
		return pkiverb_audit_trust(c, "trust.add", s == PKI_STORE_ROOT ?
		    "Root" : "TrustedPublisher", file, NULL, 1);
	}
	if (strcasecmp(argv[1], "list") == 0) {
		if (argc != 2)
			return pkiverb_usage();
		return pki_trust_list(c->data_dir) == 0 ? 0 : 1;
	}
	if (strcasecmp(argv[1], "remove") == 0) {
		if (argc != 3)
			return pkiverb_usage();
		if (pki_trust_remove(c->data_dir, argv[2], err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "wsusutil: trust remove: %s\n", err);
			return 1;
		}
		printf("removed %s\n", argv[2]);
		return pkiverb_audit_trust(c, "trust.remove", "any", NULL,
		    argv[2], 0);
	}
	return pkiverb_usage();
}

/*
 * pki_verb - see wsusutil.c: -1 when argv[0] is neither "signingcert"
 * nor "trust", else the exit status.
 */
int
pki_verb(const struct config *c, int argc, char *argv[])
{
	if (argc < 1)
		return -1;
	if (strcasecmp(argv[0], "signingcert") == 0)
		return pkiverb_signingcert(c, argc, argv);
	if (strcasecmp(argv[0], "trust") == 0)
		return pkiverb_trust(c, argc, argv);
	return -1;
}
