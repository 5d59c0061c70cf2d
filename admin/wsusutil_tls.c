/*
 * wsusutil_tls.c - wsusutil's verbs for the server's TLS certificate and
 * for Windows clients that no Group Policy reaches:
 *
 *   wsusutil -c FILE certreq [--fqdn FQDN] [--san NAME...] [--no-short-name] --out DIR
 *   wsusutil -c FILE checkcert [--ca FILE]
 *   wsusutil -c FILE clientconfig --out DIR [--content-url URL] [--pin-ca]
 *
 * certreq makes the key and request an enterprise CA's Web Server
 * template signs (seed: the SUP TLS tutorial, "Obtain the certificate");
 * checkcert prints one line per requirement of that tutorial for [tls]
 * cert and a staged [tls] next_cert; clientconfig writes what a machine
 * outside a domain needs (seed: Updates Publisher certificates): the
 * Windows Update policy as a .reg file (WUServer, WUStatusServer,
 * AcceptTrustedPublisherCerts, AU\UseWUServer), the signing and TLS
 * certificates as DER, a PowerShell script that puts them into the right
 * stores (TrustedPublisher, Root, WindowsServerUpdateServices for
 * pinning) and the Group Policy equivalent for domain machines.
 *
 * Owns: argument parsing and wording of these verbs, the text of the
 * files clientconfig writes (CRLF, ASCII, since Windows reads them).
 * Never does: mbedTLS (certreq.c and crypto.c), SQL (store/), talk to the
 * daemon (the daemon re-reads the store; SIGHUP reloads the certificate).
 *
 * Exit status: 0 success, 1 failure (for checkcert: any requirement
 * failed), 2 usage.  tlscert_verb() returns -1 for a verb not in this file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "config.h"
#include "crypto.h"
#include "limits.h"
#include "log.h"
#include "store.h"

#define TLSCERT_WARN_DAYS   30           /* checkcert warns, wsusd nags (certwatch.c) */
#define TLSCERT_OUT_MAX     (CONF_PATH_MAX + 64)   /* DIR/file name */
#define TLSCERT_TEXT_MAX    (64u << 10)  /* bytes of one generated text file */

/* The files clientconfig writes, by name in DIR. */
#define TLSCERT_REG        "wsus-client.reg"
#define TLSCERT_PS1        "install-certificates.ps1"
#define TLSCERT_GPO        "GROUP-POLICY.txt"
#define TLSCERT_SIGNING    "signing.cer"
#define TLSCERT_TLS        "wsus-tls.cer"
#define TLSCERT_TLS_CA     "wsus-tls-ca.cer"
#define TLSCERT_TLS_NEXT   "wsus-tls-next.cer"

/* The Windows Update policy key the .reg file and Group Policy set. */
#define TLSCERT_WU_KEY \
	"HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate"

static int
tlscert_usage(void)
{
	fprintf(stderr,
	    "usage: wsusutil -c FILE certreq [--fqdn FQDN] [--san NAME...] "
	    "[--no-short-name] --out DIR\n"
	    "       wsusutil -c FILE checkcert [--ca FILE]\n"
	    "       wsusutil -c FILE clientconfig --out DIR [--content-url URL] "
	    "[--pin-ca]\n");
	return 2;
}

/* The short name of fqdn: its first label (fqdn itself when it has no dot). */
static void
tlscert_short(const char *fqdn, char *buf, size_t len)
{
	snprintf(buf, len, "%s", fqdn);
	buf[strcspn(buf, ".")] = '\0';
}

/* DIR/name into out; -1 (with a message) when it does not fit. */
static int
tlscert_join(const char *dir, const char *name, char out[TLSCERT_OUT_MAX])
{
	int n = snprintf(out, TLSCERT_OUT_MAX, "%s/%s", dir, name);

	if (n < 0 || n >= TLSCERT_OUT_MAX) {
		fprintf(stderr, "wsusutil: %s/%s: path too long\n", dir, name);
		return -1;
	}
	return 0;
}

/* mkdir DIR with mode unless it exists as a directory; 0 or -1. */
static int
tlscert_mkdir(const char *dir, mode_t mode)
{
	struct stat sb;

	if (mkdir(dir, mode) == -1 && errno != EEXIST) {
		fprintf(stderr, "wsusutil: mkdir %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "wsusutil: %s is not a directory\n", dir);
		return -1;
	}
	return 0;
}

/* --- certreq ----------------------------------------------------------------- */

/*
 * tlscert_certreq - key and CSR in DIR, then the admin's next steps.  The
 * short name goes into the SAN by default: intranet clients often reach
 * the server by it, and the tutorial asks for every name clients use.
 */
static int
tlscert_certreq(const struct config *c, const char *conf_path, int argc,
    char *argv[])
{
	const char *fqdn = c->fqdn, *dir = NULL;
	const char *sans[CERTREQ_SANS_MAX];
	char        absdir[PATH_MAX];
	char        shortname[CONF_NAME_MAX], key[TLSCERT_OUT_MAX],
	    csr[TLSCERT_OUT_MAX], err[1024];
	int         nsans = 0, noshort = 0, nextra = 0;
	const char *extra[CERTREQ_SANS_MAX];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--fqdn") == 0 && i + 1 < argc) {
			fqdn = argv[++i];
		} else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else if (strcmp(argv[i], "--no-short-name") == 0) {
			noshort = 1;
		} else if (strcmp(argv[i], "--san") == 0 && i + 1 < argc) {
			/* --san a b c, or --san a --san b */
			while (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0) {
				if (nextra == CERTREQ_SANS_MAX - 1) {
					fprintf(stderr, "wsusutil: at most %d --san "
					    "names\n", CERTREQ_SANS_MAX - 1);
					return 1;
				}
				extra[nextra++] = argv[++i];
			}
		} else {
			return tlscert_usage();
		}
	}
	if (dir == NULL)
		return tlscert_usage();
	tlscert_short(fqdn, shortname, sizeof(shortname));
	if (!noshort && strcmp(shortname, fqdn) != 0)
		sans[nsans++] = shortname;
	for (int i = 0; i < nextra; i++)
		sans[nsans++] = extra[i];
	if (tlscert_join(dir, "server.key", key) == -1 ||
	    tlscert_join(dir, "server.csr", csr) == -1 ||
	    tlscert_mkdir(dir, 0700) == -1)
		return 1;
	if (certreq_make(fqdn, sans, nsans, key, csr, err, sizeof(err)) == -1) {
		fprintf(stderr, "wsusutil: certreq: %s\n", err);
		return 1;
	}
	/* The config resolves relative paths against its own directory,
	 * not ours: the steps below name DIR absolutely. */
	if (realpath(dir, absdir) != NULL)
		dir = absdir;
	printf("wrote %s (P-256 private key, mode 0600; it never leaves this "
	    "server)\nwrote %s (PKCS#10 request: subject CN=%s; SAN DNS:%s",
	    key, csr, fqdn, fqdn);
	for (int i = 0; i < nsans; i++)
		printf(", DNS:%s", sans[i]);
	printf("; EKU serverAuth)\n\n");
	printf("Next steps:\n"
	    "  1. Submit %s/server.csr to your enterprise CA with the Web Server\n"
	    "     template (or a copy whose Enhanced Key Usage is Server Authentication\n"
	    "     and whose subject is supplied in the request).  On a Windows\n"
	    "     machine that can reach the CA:\n"
	    "       certreq -submit -attrib \"CertificateTemplate:WebServer\" "
	    "server.csr server.cer\n"
	    "  2. Save the issued certificate as PEM, followed by the issuing CA's\n"
	    "     certificate so that wsusd sends the chain:\n"
	    "       openssl x509 -inform DER -in server.cer -out %s/server.crt\n"
	    "       cat issuing-ca.crt >> %s/server.crt\n"
	    "  3. In %s, section [tls]:\n"
	    "       cert = %s/server.crt\n"
	    "       key = %s/server.key\n"
	    "     If clients already pin the current certificate (their\n"
	    "     WindowsServerUpdateServices store), stage it first instead:\n"
	    "       next_cert = %s/server.crt\n"
	    "     run `wsusutil -c %s clientconfig --out DIR`, deploy that to the\n"
	    "     clients, and switch cert and key once they have it.\n"
	    "  4. wsusutil -c %s checkcert --ca ROOT-CA.crt\n"
	    "  5. wsusutil -c %s configuressl %s, then send wsusd SIGHUP to\n"
	    "     serve the new certificate.\n",
	    dir, dir, dir, conf_path, dir, dir, dir, conf_path, conf_path,
	    conf_path, fqdn);
	return 0;
}

/* --- checkcert --------------------------------------------------------------- */

/*
 * tlscert_covers - whether the first certificate of path may serve name,
 * as far as names go.  crypto_cert_check_name() also judges the EKU and
 * the validity, which checkcert reports on lines of their own, so only
 * its "does not cover" clause counts here; it is copied to why.
 */
static int
tlscert_covers(const char *path, const char *name, char *why, size_t len)
{
	char reason[1024], *p, *end;

	if (crypto_cert_check_name(path, name, reason, sizeof(reason)) == 0)
		return 1;
	if ((p = strstr(reason, "does not cover")) == NULL)
		return 1;
	if ((end = strstr(p, "; certificate ")) != NULL)
		*end = '\0';
	snprintf(why, len, "%s", p);
	return 0;
}

/*
 * tlscert_check_one - the requirement lines for one certificate file:
 * label names its config key; key_path is NULL when no key is configured
 * for it (next_cert); ca_path NULL when the chain is not to be checked.
 * Returns 1 if any requirement failed, else 0.
 */
static int
tlscert_check_one(const struct config *c, const char *label,
    const char *path, const char *key_path, const char *ca_path)
{
	struct cert_info     ci;
	struct certreq_chain ch;
	char                 err[1024], shortname[CONF_NAME_MAX];
	int                  bad = 0;

	printf("== %s %s\n", label, path);
	if (path[0] == '\0') {
		printf("FAIL %s is not set\n", label);
		return 1;
	}
	if (crypto_cert_info(path, &ci, err, sizeof(err)) == -1 ||
	    certreq_chain_info(path, &ch, err, sizeof(err)) == -1) {
		printf("FAIL certificate: %s\n", err);
		return 1;
	}
	printf("     subject: %s\n     issuer: %s\n     SAN: %s\n"
	    "     SHA-1 thumbprint: %s\n     SHA-256: %s\n"
	    "     file: %d certificate%s (leaf%s)\n", ci.subject, ci.issuer,
	    ci.sans[0] ? ci.sans : "(none)", ci.sha1, ci.sha256, ch.count,
	    ch.count == 1 ? "" : "s", ch.count > 1 ? " first, then its chain" :
	    " only");

	printf("%s serverAuth EKU\n", ci.server_auth ? "ok  " : "FAIL");
	bad |= !ci.server_auth;

	if (tlscert_covers(path, c->fqdn, err, sizeof(err))) {
		printf("ok   covers %s\n", c->fqdn);
	} else {
		printf("FAIL certificate %s\n", err);
		bad = 1;
	}
	/*
	 * The seed's certificate names the FQDN only (Common name = the
	 * server's FQDN, Web Server template), and that is a good
	 * certificate: the short name is a convenience.  Without it, only
	 * clients configured with the short name break, so say which.
	 */
	tlscert_short(c->fqdn, shortname, sizeof(shortname));
	if (strcmp(shortname, c->fqdn) != 0) {
		if (tlscert_covers(path, shortname, err, sizeof(err)))
			printf("ok   covers %s (short name)\n", shortname);
		else
			printf("warn certificate %s (short name): clients "
			    "configured with the short name (WUServer "
			    "https://%s:%u) will refuse it; give them %s, or add "
			    "%s to the SAN\n", err, shortname, c->https_port,
			    c->fqdn, shortname);
	}

	if (ca_path == NULL) {
		printf("skip chain not checked (give --ca FILE with the root CA)%s\n",
		    ch.leaf_self_signed ? "; the certificate is self-signed" : "");
	} else if (certreq_verify_chain(path, ca_path, err, sizeof(err)) == 0) {
		printf("ok   chain complete to the CA in %s\n", ca_path);
	} else {
		printf("FAIL chain: %s\n", err);
		bad = 1;
	}

	if (key_path == NULL) {
		printf("skip key not checked: %s has no key setting; checkcert "
		    "checks it once it is [tls] cert with its key\n", label);
	} else {
		if (crypto_key_matches(path, key_path, err, sizeof(err)) == 0) {
			printf("ok   key %s matches\n", key_path);
		} else {
			printf("FAIL %s\n", err);
			bad = 1;
		}
		if (config_check_secrecy(key_path, err, sizeof(err)) == 0) {
			printf("ok   key file is private\n");
		} else {
			printf("FAIL %s\n", err);
			bad = 1;
		}
	}

	if (ch.not_yet_valid) {
		printf("FAIL not valid before %s\n", ci.not_before);
		bad = 1;
	} else if (ci.days_left < 0) {
		printf("FAIL expired on %s (%ld days ago)\n", ci.not_after,
		    -ci.days_left);
		bad = 1;
	} else {
		printf("%s valid until %s (%ld days left)%s\n",
		    ci.days_left < TLSCERT_WARN_DAYS ? "warn" : "ok  ",
		    ci.not_after, ci.days_left,
		    ci.days_left < TLSCERT_WARN_DAYS ? ": renew it now" : "");
	}

	printf("%s key %s%s\n", ch.key_strong ? "ok  " : "FAIL", ch.key_desc,
	    ch.key_strong ? "" : " is too weak (want EC P-256 or better, or "
	    "RSA 2048 or more)");
	bad |= !ch.key_strong;
	return bad;
}

/*
 * tlscert_checkcert - [tls] cert with its key, then [tls] next_cert when
 * one is staged.  Exit 1 when any requirement of either failed.
 */
static int
tlscert_checkcert(const struct config *c, const char *conf_path, int argc,
    char *argv[])
{
	struct cert_info cur, nxt;
	const char      *ca = NULL;
	char             err[512];
	int              bad;

	(void)conf_path;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--ca") == 0 && i + 1 < argc)
			ca = argv[++i];
		else
			return tlscert_usage();
	}
	bad = tlscert_check_one(c, "[tls] cert", c->cert, c->key, ca);
	if (c->next_cert[0] != '\0') {
		bad |= tlscert_check_one(c, "[tls] next_cert", c->next_cert,
		    NULL, ca);
		if (crypto_cert_info(c->cert, &cur, err, sizeof(err)) == 0 &&
		    crypto_cert_info(c->next_cert, &nxt, err, sizeof(err)) == 0 &&
		    strcmp(cur.sha256, nxt.sha256) == 0) {
			printf("FAIL next_cert is the certificate being served\n");
			bad = 1;
		}
	}
	return bad ? 1 : 0;
}

/* --- clientconfig -------------------------------------------------------------- */

/* What clientconfig found and wrote; drives the generated texts. */
struct tlscert_client {
	char  url[STORE_URL_MAX];          /* WUServer and WUStatusServer */
	const char *content_url;            /* UpdateServiceUrlAlternate, or NULL */
	const char *fqdn;
	int   using_ssl;
	int   signing, signing_self;        /* signing.cer written; self-signed */
	int   leaf_self;                    /* wsus-tls.cer is self-signed */
	int   ca, ca_self;                  /* wsus-tls-ca.cer written; self-signed */
	int   next, next_self;              /* wsus-tls-next.cer written; self-signed */
	int   pin_ca;                       /* pin wsus-tls-ca.cer, not the leaves */
	char  when[32];                     /* UTC time of writing */
};

/*
 * tlscert_content_url_ok - an http(s) URL that can stand in a .reg
 * string and a PowerShell comment unescaped: printable ASCII without
 * '"', '\\', '\'' or spaces, at most STORE_URL_MAX - 1 bytes.
 */
static int
tlscert_content_url_ok(const char *u)
{
	size_t n = strlen(u);

	if (n >= STORE_URL_MAX || (strncmp(u, "http://", 7) != 0 &&
	    strncmp(u, "https://", 8) != 0) || n <= 8)
		return 0;
	for (; *u; u++)
		if (*u <= 0x20 || *u >= 0x7f || *u == '"' || *u == '\\' ||
		    *u == '\'')
			return 0;
	return 1;
}

/*
 * tlscert_write_text - write text to DIR/name with "\n" turned into CRLF
 * (regedit, reg.exe and Notepad expect it), 0644, atomically: written
 * under "<name>.tmp" and renamed.  Returns 0 or -1 after a message.
 */
static int
tlscert_write_text(const char *dir, const char *name, const char *text)
{
	char  path[TLSCERT_OUT_MAX], tmp[TLSCERT_OUT_MAX + 8];
	FILE *f = NULL;
	int   fd = -1, rc = -1;

	if (tlscert_join(dir, name, path) == -1)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (unlink(tmp) == -1 && errno != ENOENT)
		goto fail;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	if (fd == -1 || (f = fdopen(fd, "w")) == NULL)
		goto fail;
	fd = -1;
	for (const char *p = text; *p; p++) {
		if (*p == '\n')
			fputc('\r', f);
		fputc(*p, f);
	}
	if (fflush(f) != 0 || fsync(fileno(f)) == -1)
		goto fail;
	if (fclose(f) != 0) {
		f = NULL;
		goto fail;
	}
	f = NULL;
	if (rename(tmp, path) == -1)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "wsusutil: writing %s: %s\n", path, strerror(errno));
	if (f != NULL)
		fclose(f);
	if (fd != -1)
		close(fd);
	unlink(tmp);
	return rc;
}

/*
 * tlscert_text_begin/end - a growing text buffer (open_memstream); end
 * writes it to DIR/name and frees it.  The buffer is bounded by
 * TLSCERT_TEXT_MAX so a runaway writer cannot fill the disk.
 */
struct tlscert_text { FILE *f; char *buf; size_t len; };

static int
tlscert_text_begin(struct tlscert_text *t)
{
	t->buf = NULL;
	t->len = 0;
	if ((t->f = open_memstream(&t->buf, &t->len)) == NULL) {
		fprintf(stderr, "wsusutil: open_memstream: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int
tlscert_text_end(struct tlscert_text *t, const char *dir, const char *name)
{
	int rc = -1;

	if (fclose(t->f) != 0 || t->buf == NULL) {
		fprintf(stderr, "wsusutil: %s: out of memory\n", name);
		goto out;
	}
	if (t->len > TLSCERT_TEXT_MAX) {
		fprintf(stderr, "wsusutil: %s: over %u bytes\n", name,
		    TLSCERT_TEXT_MAX);
		goto out;
	}
	rc = tlscert_write_text(dir, name, t->buf);
out:
	free(t->buf);
	t->buf = NULL;
	return rc;
}

/* The registry values, in .reg syntax; also quoted in GROUP-POLICY.txt. */
static void
tlscert_reg_values(FILE *f, const struct tlscert_client *cl)
{
	fprintf(f, "[%s]\n", TLSCERT_WU_KEY);
	fprintf(f, "\"WUServer\"=\"%s\"\n", cl->url);
	fprintf(f, "\"WUStatusServer\"=\"%s\"\n", cl->url);
	if (cl->content_url != NULL)
		fprintf(f, "\"UpdateServiceUrlAlternate\"=\"%s\"\n",
		    cl->content_url);
	fprintf(f, "\"AcceptTrustedPublisherCerts\"=dword:00000001\n\n");
	fprintf(f, "[%s\\AU]\n", TLSCERT_WU_KEY);
	fprintf(f, "\"UseWUServer\"=dword:00000001\n");
}

/*
 * tlscert_reg - wsus-client.reg.  REGEDIT4 is plain ASCII (every value
 * here is ASCII), which both regedit and `reg import` read; a "Version
 * 5.00" file would want UTF-16LE.
 */
static int
tlscert_reg(const char *dir, const struct tlscert_client *cl)
{
	struct tlscert_text t;

	if (tlscert_text_begin(&t) == -1)
		return -1;
	fprintf(t.f, "REGEDIT4\n\n");
	fprintf(t.f, "; wsusd: Windows Update policy for a machine outside a "
	    "domain (written by wsusutil clientconfig, %s).\n"
	    "; Same values as the Group Policy settings in %s.\n\n",
	    cl->when, TLSCERT_GPO);
	tlscert_reg_values(t.f, cl);
	return tlscert_text_end(&t, dir, TLSCERT_REG);
}

/* The store the TLS chain's top certificate belongs in. */
static const char *
tlscert_ca_store(const struct tlscert_client *cl)
{
	return cl->ca_self ? "Root" : "CA";
}

/*
 * tlscert_ps1 - install-certificates.ps1.  certutil -addstore, not
 * Import-Certificate: it creates the WindowsServerUpdateServices store on
 * first use, and one tool for every store keeps the script short.
 */
static int
tlscert_ps1(const char *dir, const struct tlscert_client *cl)
{
	struct tlscert_text t;
	FILE *f;

	if (tlscert_text_begin(&t) == -1)
		return -1;
	f = t.f;
	fprintf(f,
	    "# install-certificates.ps1 - set up a Windows machine outside a domain\n"
	    "# as a client of the update server %s (wsusd).\n"
	    "# Written by wsusutil clientconfig, %s.\n"
	    "# Run it from this folder in an elevated PowerShell:\n"
	    "#   powershell.exe -ExecutionPolicy Bypass -File .\\%s\n"
	    "#Requires -RunAsAdministrator\n"
	    "$ErrorActionPreference = 'Stop'\n"
	    "$here = Split-Path -Parent $MyInvocation.MyCommand.Path\n\n"
	    "# Add-Cert FILE STORE: into LocalMachine\\STORE; certutil creates the\n"
	    "# store when it does not exist yet (WindowsServerUpdateServices).\n"
	    "function Add-Cert([string]$File, [string]$Store) {\n"
	    "    $path = Join-Path $here $File\n"
	    "    & certutil.exe -f -addstore $Store $path | Out-Null\n"
	    "    if ($LASTEXITCODE -ne 0) { throw \"certutil -addstore $Store $File failed (exit $LASTEXITCODE)\" }\n"
	    "    Write-Host \"added $File to LocalMachine\\$Store\"\n"
	    "}\n\n", cl->url, cl->when, TLSCERT_PS1);

	fprintf(f, "# 1. The certificate that signs locally published updates: Windows\n"
	    "#    Update installs them only when it is in Trusted Publishers%s.\n",
	    cl->signing_self ? ", and, being\n#    self-signed, in Trusted Root Certification Authorities" : "");
	if (cl->signing) {
		fprintf(f, "Add-Cert '%s' 'TrustedPublisher'\n", TLSCERT_SIGNING);
		if (cl->signing_self)
			fprintf(f, "Add-Cert '%s' 'Root'\n", TLSCERT_SIGNING);
	} else {
		fprintf(f, "#    (no signing certificate was exported: the server "
		    "has none yet)\n");
	}

	fprintf(f, "\n# 2. Trust in the server's TLS certificate.\n");
	if (cl->leaf_self)
		fprintf(f, "#    It is self-signed: it is its own root.\n"
		    "Add-Cert '%s' 'Root'\n", TLSCERT_TLS);
	if (cl->ca)
		fprintf(f, "#    The top of the chain the server sends (%s).\n"
		    "Add-Cert '%s' '%s'\n", cl->ca_self ?
		    "a root CA" : "an intermediate CA; its root must be trusted "
		    "already", TLSCERT_TLS_CA, tlscert_ca_store(cl));
	if (!cl->leaf_self && !cl->ca)
		fprintf(f, "#    Issued by a CA this machine must already trust "
		    "(the certificate file\n#    carries no chain).\n");
	if (cl->next && cl->next_self)
		fprintf(f, "Add-Cert '%s' 'Root'\n", TLSCERT_TLS_NEXT);

	fprintf(f, "\n# 3. TLS certificate pinning: Windows Update accepts the "
	    "server only with a\n#    certificate of its chain in the "
	    "WindowsServerUpdateServices store.\n");
	if (cl->pin_ca) {
		fprintf(f, "Add-Cert '%s' 'WindowsServerUpdateServices'\n",
		    TLSCERT_TLS_CA);
	} else {
		fprintf(f, "Add-Cert '%s' 'WindowsServerUpdateServices'\n",
		    TLSCERT_TLS);
	}
	if (cl->next)
		fprintf(f, "#    The certificate staged to replace it, so the switch "
		    "breaks nothing.\n"
		    "Add-Cert '%s' 'WindowsServerUpdateServices'\n",
		    TLSCERT_TLS_NEXT);

	fprintf(f, "\n# 4. The Windows Update policy (WUServer, WUStatusServer, "
	    "AcceptTrustedPublisherCerts,\n#    AU\\UseWUServer), into the "
	    "64-bit registry view even from 32-bit PowerShell.\n"
	    "$regargs = @('import', (Join-Path $here '%s'))\n"
	    "if ([Environment]::Is64BitOperatingSystem) { $regargs += '/reg:64' }\n"
	    "& reg.exe @regargs\n"
	    "if ($LASTEXITCODE -ne 0) { throw \"reg import %s failed (exit $LASTEXITCODE)\" }\n"
	    "Write-Host 'imported %s'\n\n"
	    "# 5. Let the Windows Update service read the new policy.\n"
	    "Restart-Service -Name wuauserv -Force\n"
	    "Write-Host 'done: Windows Update now uses %s'\n",
	    TLSCERT_REG, TLSCERT_REG, TLSCERT_REG, cl->url);
	return tlscert_text_end(&t, dir, TLSCERT_PS1);
}

/* tlscert_gpo - GROUP-POLICY.txt, the same settings for domain machines. */
static int
tlscert_gpo(const char *dir, const struct tlscert_client *cl)
{
	struct tlscert_text t;
	FILE *f;

	if (tlscert_text_begin(&t) == -1)
		return -1;
	f = t.f;
	fprintf(f,
	    "Group Policy for domain machines that use the update server %s\n"
	    "(wsusd; written by wsusutil clientconfig, %s).\n"
	    "Machines outside a domain: run %s instead; it imports %s.\n\n",
	    cl->fqdn, cl->when, TLSCERT_PS1, TLSCERT_REG);
	fprintf(f,
	    "1. Windows Update\n"
	    "   Computer Configuration > Policies > Administrative Templates >\n"
	    "   Windows Components > Windows Update (on Windows 11 and Server 2022:\n"
	    "   ... > Windows Update > Manage updates offered from Windows Server\n"
	    "   Update Service):\n\n"
	    "   Specify intranet Microsoft update service location: Enabled\n"
	    "     Set the intranet update service for detecting updates: %s\n"
	    "     Set the intranet statistics server:                    %s\n"
	    "     Set the alternate download server:                     %s\n"
	    "   Allow signed content from intranet Microsoft update service location:\n"
	    "     Enabled (Windows Update then accepts updates signed by a\n"
	    "     certificate in Trusted Publishers: locally published updates)\n\n",
	    cl->url, cl->url, cl->content_url ? cl->content_url : "(leave empty)");
	if (!cl->using_ssl)
		fprintf(f, "   Warning: the server advertises plain HTTP.  Run "
		    "`wsusutil configuressl FQDN`\n   and write these files "
		    "again before deploying them.\n\n");
	fprintf(f,
	    "2. Certificates\n"
	    "   Computer Configuration > Policies > Windows Settings > Security\n"
	    "   Settings > Public Key Policies:\n");
	if (cl->signing)
		fprintf(f, "   Trusted Publishers: import %s (the update signing "
		    "certificate)\n", TLSCERT_SIGNING);
	else
		fprintf(f, "   Trusted Publishers: the update signing certificate "
		    "(none was exported:\n   the server has none yet)\n");
	if (cl->signing && cl->signing_self)
		fprintf(f, "   Trusted Root Certification Authorities: import %s "
		    "too (it is self-signed)\n", TLSCERT_SIGNING);
	if (cl->leaf_self)
		fprintf(f, "   Trusted Root Certification Authorities: import %s "
		    "(the TLS certificate is\n   self-signed)\n", TLSCERT_TLS);
	if (cl->ca)
		fprintf(f, "   %s: import %s\n", cl->ca_self ?
		    "Trusted Root Certification Authorities" :
		    "Intermediate Certification Authorities", TLSCERT_TLS_CA);
	fprintf(f, "\n"
	    "3. TLS certificate pinning\n"
	    "   Public Key Policies has no folder for the WindowsServerUpdateServices\n"
	    "   store.  Add the certificate with a computer startup script\n"
	    "   (Computer Configuration > Policies > Windows Settings > Scripts >\n"
	    "   Startup), from a share the computers can read:\n"
	    "     certutil -addstore WindowsServerUpdateServices %s\n",
	    cl->pin_ca ? TLSCERT_TLS_CA : TLSCERT_TLS);
	if (cl->next)
		fprintf(f, "     certutil -addstore WindowsServerUpdateServices %s\n"
		    "   %s is the certificate staged to replace the current one\n"
		    "   ([tls] next_cert): pin it now, switch the server once "
		    "clients have it.\n", TLSCERT_TLS_NEXT, TLSCERT_TLS_NEXT);
	fprintf(f, "   Configuration Manager sites: Client Settings > Software "
	    "Updates > Enforce TLS\n   certificate pinning for Windows Update "
	    "client for detecting updates.\n\n");
	fprintf(f, "4. The registry values these policies set (for checking a "
	    "client with regedit):\n\n");
	tlscert_reg_values(f, cl);
	return tlscert_text_end(&t, dir, TLSCERT_GPO);
}

/*
 * tlscert_export - certificate idx of pem as DIR/name (DER); prints the
 * line the admin reads.  Returns 0 or -1 after a message.
 */
static int
tlscert_export(const char *pem, int idx, const char *dir, const char *name,
    int *self_signed, const char *what)
{
	char path[TLSCERT_OUT_MAX], err[1024];

	if (tlscert_join(dir, name, path) == -1)
		return -1;
	if (certreq_export_der(pem, idx, path, self_signed, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "wsusutil: %s: %s\n", name, err);
		return -1;
	}
	printf("wrote %s (%s%s, DER)\n", path, what,
	    *self_signed ? ", self-signed" : "");
	return 0;
}

/* Remove DIR/name left by an earlier run that this run does not write. */
static void
tlscert_drop_stale(const char *dir, const char *name)
{
	char path[TLSCERT_OUT_MAX];

	if (tlscert_join(dir, name, path) == 0 && unlink(path) == 0)
		printf("removed %s (left by an earlier run)\n", path);
}

/* The advertised URL, as the daemon computes it (advert.c advert_load). */
static int
tlscert_advert(const struct config *c, struct tlscert_client *cl)
{
	struct store_advert a, dflt;
	struct store       *st;
	int                 rc = -1;

	if ((st = store_open(c->data_dir)) == NULL) {
		fprintf(stderr, "wsusutil: cannot open the store in %s\n",
		    c->data_dir);
		return -1;
	}
	memset(&dflt, 0, sizeof(dflt));
	snprintf(dflt.fqdn, sizeof(dflt.fqdn), "%s", c->fqdn);
	dflt.using_ssl = (c->ssl_require & (1u << WS_CLIENT)) != 0;
	dflt.http_port = c->http_port;
	dflt.https_port = c->https_port;
	if (store_advert_get(st, &dflt, &a) == -1 ||
	    store_advert_url(a.fqdn, a.using_ssl, a.http_port, a.https_port, cl->url,
	    sizeof(cl->url)) == -1) {
		fprintf(stderr, "wsusutil: cannot read the advertised URL\n");
		goto out;
	}
	cl->using_ssl = a.using_ssl;
	rc = 0;
out:
	store_close(st);
	return rc;
}

/*
 * tlscert_clientconfig - everything a client outside a domain needs, in
 * DIR.  Refuses (exit 1) when a configured certificate cannot be
 * exported; a missing signing certificate is only a warning, since a
 * server that publishes nothing locally does not need one.
 */
static int
tlscert_clientconfig(const struct config *c, const char *conf_path,
    int argc, char *argv[])
{
	struct tlscert_client cl;
	struct certreq_chain  ch;
	const char *dir = NULL;
	char        signing[CONF_PATH_MAX + 32], err[1024];
	time_t      now = time(NULL);
	struct tm   tm;

	(void)conf_path;
	memset(&cl, 0, sizeof(cl));
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--content-url") == 0 && i + 1 < argc)
			cl.content_url = argv[++i];
		else if (strcmp(argv[i], "--pin-ca") == 0)
			cl.pin_ca = 1;
		else
			return tlscert_usage();
	}
	if (dir == NULL)
		return tlscert_usage();
	if (cl.content_url != NULL && !tlscert_content_url_ok(cl.content_url)) {
		fprintf(stderr, "wsusutil: --content-url \"%s\" is not an http:// "
		    "or https:// URL of printable characters without quotes or "
		    "backslashes\n", cl.content_url);
		return 1;
	}
	if (c->cert[0] == '\0') {
		fprintf(stderr, "wsusutil: [tls] cert is not set\n");
		return 1;
	}
	cl.fqdn = c->fqdn;
	gmtime_r(&now, &tm);
	strftime(cl.when, sizeof(cl.when), "%Y-%m-%d %H:%M UTC", &tm);
	if (tlscert_advert(c, &cl) == -1 || tlscert_mkdir(dir, 0755) == -1)
		return 1;
	if (!cl.using_ssl)
		fprintf(stderr, "wsusutil: warning: the server advertises plain "
		    "HTTP (%s); run configuressl first\n", cl.url);

	/* The signing certificate (admin/pki.c keeps it). */
	snprintf(signing, sizeof(signing), "%s/signing/current.crt",
	    c->data_dir);
	if (access(signing, F_OK) == -1) {
		printf("warning: no signing certificate (%s): %s skipped\n",
		    signing, TLSCERT_SIGNING);
		tlscert_drop_stale(dir, TLSCERT_SIGNING);
	} else if (tlscert_export(signing, 0, dir, TLSCERT_SIGNING,
	    &cl.signing_self, "update signing certificate") == -1) {
		return 1;
	} else {
		cl.signing = 1;
	}

	/* The TLS certificate the daemon serves, and its chain's top. */
	if (certreq_chain_info(c->cert, &ch, err, sizeof(err)) == -1) {
		fprintf(stderr, "wsusutil: [tls] cert: %s\n", err);
		return 1;
	}
	if (tlscert_export(c->cert, 0, dir, TLSCERT_TLS, &cl.leaf_self,
	    "TLS certificate") == -1)
		return 1;
	if (ch.count > 1) {
		if (tlscert_export(c->cert, CERTREQ_TOP, dir, TLSCERT_TLS_CA,
		    &cl.ca_self, "top CA certificate of the TLS chain") == -1)
			return 1;
		cl.ca = 1;
	} else {
		tlscert_drop_stale(dir, TLSCERT_TLS_CA);
	}
	if (cl.pin_ca && !cl.ca) {
		if (!cl.leaf_self) {
			fprintf(stderr, "wsusutil: --pin-ca: %s carries no CA "
			    "certificate; append the CA's PEM to it\n", c->cert);
			return 1;
		}
		cl.pin_ca = 0;    /* a self-signed leaf is its own CA */
	}
	if (c->next_cert[0] != '\0') {
		if (tlscert_export(c->next_cert, 0, dir, TLSCERT_TLS_NEXT,
		    &cl.next_self, "staged next TLS certificate") == -1)
			return 1;
		cl.next = 1;
	} else {
		tlscert_drop_stale(dir, TLSCERT_TLS_NEXT);
	}

	if (tlscert_reg(dir, &cl) == -1 || tlscert_ps1(dir, &cl) == -1 ||
	    tlscert_gpo(dir, &cl) == -1)
		return 1;
	printf("wrote %s/%s (WUServer and WUStatusServer %s%s%s)\n"
	    "wrote %s/%s\nwrote %s/%s\n", dir, TLSCERT_REG, cl.url,
	    cl.content_url ? ", UpdateServiceUrlAlternate " : "",
	    cl.content_url ? cl.content_url : "", dir, TLSCERT_PS1, dir,
	    TLSCERT_GPO);
	return 0;
}

/* --- dispatch --------------------------------------------------------------- */

int
tlscert_verb(const struct config *c, const char *conf_path, int argc,
    char *argv[])
{
	static const struct {
		const char *name;
		int (*fn)(const struct config *, const char *, int, char **);
	} verbs[] = {
		{ "certreq", tlscert_certreq },
		{ "checkcert", tlscert_checkcert },
		{ "clientconfig", tlscert_clientconfig },
	};

	if (argc < 1)
		return -1;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcasecmp(argv[0], verbs[i].name) == 0)
			return verbs[i].fn(c, conf_path, argc, argv);
	return -1;
}
