/*
 * wsusutil.c - the server-side admin helper, with the verbs WSUS admins
 * know.  It works on the same configuration file and store as the daemon
 * and never talks to the daemon over the network: the daemon notices
 * store changes by itself (advert.c).
 *
 * The verbs are the rows of util_verbs[] below (`wsusutil --help`,
 * `wsusutil VERB --help`); init, selfsigned, configuressl and the
 * catalogue verbs live here, and in their own files: signingcert, trust
 * (wsusutil_pki.c), certreq, checkcert, clientconfig (wsusutil_tls.c),
 * publish (publish.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin.h"
#include "config.h"
#include "crypto.h"
#include "limits.h"
#include "log.h"
#include "store.h"

#define UTIL_IMPORT_BATCH   500              /* revisions per transaction */
#define UTIL_DOC_MAX        (4u << 20)       /* bytes of one update document */
#define UTIL_CERT_DAYS      825              /* self-signed TLS certificate (CA/B maximum) */

#ifndef WSUSD_VERSION
#define WSUSD_VERSION "0.0.0-unknown"        /* the Makefile passes the version */
#endif

/*
 * The verbs, as `wsusutil --help` lists them and `wsusutil VERB --help`
 * explains them.  Every verb the dispatch in main() accepts has a row here
 * (tests/e2e/t_install.sh checks that the man page names each one).
 * conf: 0 the verb needs no -c FILE, 1 it needs one, 2 either.
 */
static const struct util_verb {
	const char *name;
	int         conf;
	const char *synopsis;   /* after "wsusutil [-c FILE] VERB " */
	const char *help;       /* what it does, a few lines */
} util_verbs[] = {
	{ "init", 0, "DIR [--fqdn NAME]",
	  "Create DIR with wsusd.conf, data/ and a self-signed P-256 TLS\n"
	  "certificate for NAME (default: this machine's FQDN), each only if\n"
	  "missing.  `make run` starts wsusd on it." },
	{ "selfsigned", 1, "[--fqdn NAME] [--days N]",
	  "Make the certificate and key that [tls] cert and key name, when both\n"
	  "are missing: self-signed P-256, serverAuth EKU, SAN NAME and its\n"
	  "short name, N days (default 825); key mode 0600.  The package runs it\n"
	  "on first install, as ssl-cert does for its snakeoil pair." },
	{ "configuressl", 1, "FQDN [--force]",
	  "As WsusUtil.exe configuressl: check that the TLS certificate covers\n"
	  "FQDN, has the serverAuth EKU and is valid (--force: warn only), then\n"
	  "advertise https://FQDN:<https_port> to clients.  The running daemon\n"
	  "picks the change up within a second." },
	{ "import-updates", 1, "PATH...",
	  "Import full update documents (XML files, or directories of them)\n"
	  "into the catalogue, 500 per transaction." },
	{ "group", 1, "add NAME [--parent NAME]",
	  "Create a computer target group (under All Computers, or NAME)." },
	{ "assign", 1, "COMPUTER GROUP",
	  "Put a computer (SusClientId or DNS name) into a target group." },
	{ "approve", 1, "UPDATE-ID... GROUP [--deadline ISO-DATE] [--uninstall]",
	  "Approve updates for installation (or removal) by a group and the\n"
	  "groups below it." },
	{ "decline", 1, "UPDATE-ID",
	  "Decline an update: no client is offered it any more." },
	{ "computers", 1, "[--json]",
	  "List the computers, their groups, last sync and update counts." },
	{ "updates", 1, "[--json] [--all]",
	  "List the updates (--all: categories and detectoids too), their\n"
	  "approvals and install counts." },
	{ "signingcert", 1, "create [--subject DN] [--years N] | import FILE "
	  "[--key FILE | --password-file FILE] | export FILE.cer | show",
	  "The signing certificate for local publishing: create a self-signed\n"
	  "RSA-2048 code-signing certificate, import a CA-issued one (PEM or\n"
	  "PKCS#12), export it (DER) for clients, or show it and the retired ones." },
	{ "trust", 1, "add FILE --store TrustedPublisher|Root | list | remove THUMBPRINT",
	  "The update server's certificate stores that publish checks the\n"
	  "signing certificate against." },
	{ "publish", 2, "CATALOG | --example DIR | --expire UPDATE-ID",
	  "Sign and publish every update of a catalog (cabinet, Authenticode,\n"
	  "metadata); --example writes an example catalog (no -c needed);\n"
	  "--expire stops offering an update." },
	{ "certreq", 1, "--fqdn FQDN [--san NAME...] --out DIR",
	  "A P-256 key (0600) and a PKCS#10 request for the enterprise CA's\n"
	  "Web Server template (serverAuth EKU, SANs)." },
	{ "checkcert", 1, "[--ca FILE]",
	  "Check the TLS certificate: one line per requirement; non-zero exit\n"
	  "on any failure." },
	{ "clientconfig", 1, "--out DIR [--content-url URL]",
	  "Files for clients outside a domain: .reg with the policy, the\n"
	  "certificates, an import script and the Group Policy equivalents." },
	{ "audit", 1, "list [--since DATE] [--json] | verify [--head HASH]",
	  "The audit log: one row per change (who, from where, what, before\n"
	  "and after), chained by SHA-256.  verify checks the chain and, with\n"
	  "--head, that a head logged earlier (\"Audit head SEQ HASH\") is still\n"
	  "in it; non-zero exit naming the first broken row." },
	{ "user", 1, "add NAME --role Administrator|Reporter [--password-file FILE] | "
	  "passwd NAME [--password-file FILE] | role NAME --role ROLE | del NAME | "
	  "list [--json]",
	  "Accounts of the admin API (ApiRemoting30, the console).  The password\n"
	  "is the first line of FILE or of standard input, never an argument.\n"
	  "NAME@REALM is a Kerberos principal: a role, no password.  Password\n"
	  "accounts are written to DATA_DIR/admin/ntlm-users for NTLM." },
};
#define UTIL_NVERBS (sizeof(util_verbs) / sizeof(util_verbs[0]))

static const struct util_verb *
util_verb_find(const char *name)
{
	for (size_t i = 0; i < UTIL_NVERBS; i++)
		if (strcasecmp(util_verbs[i].name, name) == 0)
			return &util_verbs[i];
	return NULL;
}

static void
util_synopsis(FILE *f, const struct util_verb *v, const char *lead)
{
	fprintf(f, "%swsusutil %s%s %s\n", lead, v->conf == 0 ? "" :
	    v->conf == 1 ? "-c FILE " : "[-c FILE] ", v->name, v->synopsis);
}

/* usage - every verb's synopsis to stderr, exit 2 (or to stdout, exit 0,
 * when asked for with --help). */
static void
util_usage(int asked)
{
	FILE *f = asked ? stdout : stderr;

	for (size_t i = 0; i < UTIL_NVERBS; i++)
		util_synopsis(f, &util_verbs[i], i == 0 ? "usage: " : "       ");
	fprintf(f, "       wsusutil --version\n"
	    "       wsusutil VERB --help\n");
	exit(asked ? 0 : 2);
}

static void
usage(void)
{
	util_usage(0);
}

/* util_verb_help - `wsusutil VERB --help`: synopsis and text, exit 0. */
static int
util_verb_help(const struct util_verb *v)
{
	util_synopsis(stdout, v, "usage: ");
	printf("\n%s\n\nSee wsusutil(8).\n", v->help);
	return 0;
}

/* util_write_conf - the embedded default configuration, 0644. */
static int
util_write_conf(const char *path, const char *fqdn)
{
	FILE *f;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1 || (f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "wsusutil: %s: %s\n", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	fprintf(f,
	    "# wsusd configuration written by `wsusutil init` (see conf/wsusd.conf\n"
	    "# in the source tree for every key, its default and unit).\n"
	    "[server]\n"
	    "fqdn = %s\n"
	    "http_port = 8530\n"
	    "https_port = 8531\n"
	    "data_dir = data\n"
	    "log_level = info\n"
	    "\n[tls]\n"
	    "cert = tls/server.crt\n"
	    "key = tls/server.key\n"
	    "\n[ssl]\n"
	    "require = ApiRemoting30 ClientWebService DssAuthWebService "
	    "ServerSyncWebService SimpleAuthWebService\n", fqdn);
	if (fclose(f) != 0) {
		fprintf(stderr, "wsusutil: %s: %s\n", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

/*
 * util_make_selfsigned - a self-signed P-256 certificate for fqdn (SANs
 * fqdn and its short name) at crt with its key at key (0600), valid days
 * days, unless either exists already (then nothing is touched).  Exit
 * status: 0 made or present, 1 failure.
 */
static int
util_make_selfsigned(const char *fqdn, int days, const char *crt,
    const char *key)
{
	char shortname[CONF_NAME_MAX], err[512];
	const char *sans[1];
	struct stat sb;

	if (stat(crt, &sb) == 0 || stat(key, &sb) == 0)
		return 0;   /* an admin's pair is never replaced */
	if (crypto_dns_ok(fqdn, 0) != 1) {
		fprintf(stderr, "wsusutil: \"%s\" is not a DNS name\n", fqdn);
		return 1;
	}
	snprintf(shortname, sizeof(shortname), "%s", fqdn);
	shortname[strcspn(shortname, ".")] = '\0';
	sans[0] = shortname;
	if (crypto_selfsigned(fqdn, sans, strcmp(shortname, fqdn) ? 1 : 0,
	    days, crt, key, err, sizeof(err)) == -1) {
		fprintf(stderr, "wsusutil: self-signed certificate: %s\n", err);
		return 1;
	}
	printf("made a self-signed P-256 certificate for %s in %s "
	    "(key %s, mode 0600)\n", fqdn, crt, key);
	return 0;
}

/*
 * util_init - create DIR with a configuration, a data directory and a
 * self-signed P-256 server certificate for this machine's FQDN, each only
 * if missing (so it is safe to run before every start).
 */
static int
util_init(int argc, char *argv[])
{
	char fqdn[CONF_NAME_MAX];
	char conf[CONF_PATH_MAX], tlsdir[CONF_PATH_MAX], crt[CONF_PATH_MAX],
	    key[CONF_PATH_MAX], data[CONF_PATH_MAX];
	const char *dir;
	struct stat sb;

	if (argc < 2)
		usage();
	dir = argv[1];
	config_default_fqdn(fqdn, sizeof(fqdn));
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--fqdn") == 0 && i + 1 < argc)
			snprintf(fqdn, sizeof(fqdn), "%s", argv[++i]);
		else
			usage();
	}
	snprintf(conf, sizeof(conf), "%s/wsusd.conf", dir);
	snprintf(tlsdir, sizeof(tlsdir), "%s/tls", dir);
	snprintf(crt, sizeof(crt), "%s/tls/server.crt", dir);
	snprintf(key, sizeof(key), "%s/tls/server.key", dir);
	snprintf(data, sizeof(data), "%s/data", dir);
	if ((mkdir(dir, 0750) == -1 && errno != EEXIST) ||
	    (mkdir(tlsdir, 0700) == -1 && errno != EEXIST) ||
	    (mkdir(data, 0750) == -1 && errno != EEXIST)) {
		fprintf(stderr, "wsusutil: mkdir in %s: %s\n", dir, strerror(errno));
		return 1;
	}
	if (stat(conf, &sb) == -1) {
		if (util_write_conf(conf, fqdn) == -1)
			return 1;
		printf("wrote %s (fqdn %s)\n", conf, fqdn);
	}
	return util_make_selfsigned(fqdn, UTIL_CERT_DAYS, crt, key);
}

/*
 * util_selfsigned - `wsusutil -c FILE selfsigned [--fqdn NAME] [--days N]`:
 * the [tls] cert and key of the configuration, made when both are missing.
 */
static int
util_selfsigned(const struct config *c, int argc, char *argv[])
{
	char fqdn[CONF_NAME_MAX];
	long days = UTIL_CERT_DAYS;
	char *end;

	snprintf(fqdn, sizeof(fqdn), "%s", c->fqdn);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--fqdn") == 0 && i + 1 < argc)
			snprintf(fqdn, sizeof(fqdn), "%s", argv[++i]);
		else if (strcmp(argv[i], "--days") == 0 && i + 1 < argc) {
			days = strtol(argv[++i], &end, 10);
			if (*end != '\0' || days < 1 || days > 3650) {
				fprintf(stderr, "wsusutil: --days: 1..3650\n");
				return 2;
			}
		} else
			usage();
	}
	if (c->cert[0] == '\0' || c->key[0] == '\0') {
		fprintf(stderr, "wsusutil: the configuration names no [tls] "
		    "cert and key\n");
		return 1;
	}
	if (access(c->cert, F_OK) == 0 || access(c->key, F_OK) == 0) {
		printf("%s or %s exists: left as it is\n", c->cert, c->key);
		return 0;
	}
	return util_make_selfsigned(fqdn, (int)days, c->cert, c->key);
}

/*
 * util_configuressl - WsusUtil configuressl FQDN: check the certificate
 * covers FQDN, record the advertised name, SSL flag and port, bump the
 * configuration generation, print the URL clients must use.
 */
static int
util_configuressl(const struct config *c, int argc, char *argv[])
{
	struct store_advert a, dflt;
	struct store *st;
	const char *fqdn = NULL;
	char reason[1024], url[STORE_URL_MAX];
	int force = 0, rc = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0)
			force = 1;
		else if (fqdn == NULL)
			fqdn = argv[i];
		else
			usage();
	}
	if (fqdn == NULL)
		usage();
	if (strlen(fqdn) > LIMIT_FQDN_BYTES || strchr(fqdn, '/') || strchr(fqdn, ':')) {
		fprintf(stderr, "wsusutil: \"%s\" is not a DNS name\n", fqdn);
		return 1;
	}
	if (crypto_cert_check_name(c->cert, fqdn, reason, sizeof(reason)) == -1) {
		if (!force) {
			fprintf(stderr, "wsusutil: configuressl refused: %s (%s)\n"
			    "wsusutil: use a certificate for %s, or --force\n",
			    reason, c->cert, fqdn);
			return 1;
		}
		fprintf(stderr, "wsusutil: warning: %s; continuing (--force)\n", reason);
	}
	if ((st = store_open(c->data_dir)) == NULL) {
		fprintf(stderr, "wsusutil: cannot open the store in %s\n", c->data_dir);
		return 1;
	}
	memset(&dflt, 0, sizeof(dflt));
	snprintf(dflt.fqdn, sizeof(dflt.fqdn), "%s", c->fqdn);
	dflt.using_ssl = 1;
	dflt.http_port = c->http_port;
	dflt.https_port = c->https_port;
	if (store_advert_get(st, &dflt, &a) == -1)
		goto out;
	snprintf(a.fqdn, sizeof(a.fqdn), "%s", fqdn);
	a.using_ssl = 1;
	a.http_port = c->http_port;
	a.https_port = c->http_port == 80 ? 443 : c->https_port;
	if (store_advert_set(st, &a, actor_local()) == -1)
		goto out;
	actor_note(st);
	if (store_advert_url(a.fqdn, 1, a.http_port, a.https_port, url, sizeof(url)) == -1)
		goto out;
	printf("%s\n", url);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "wsusutil: configuressl failed; nothing changed\n");
	store_close(st);
	return rc;
}


/* --- catalogue and targeting verbs ---------------------------------------- */

/* util_read - a whole file (at most max bytes) into a malloc'd buffer. */
static char *
util_read(const char *path, size_t max, size_t *len)
{
	struct stat sb;
	char *buf = NULL;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > max) {
		errno = EFBIG;
		goto out;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL)
		goto out;
	*len = 0;
	while (*len < (size_t)sb.st_size) {
		ssize_t n = read(fd, buf + *len, (size_t)sb.st_size - *len);
		if (n <= 0) {
			free(buf);
			buf = NULL;
			goto out;
		}
		*len += (size_t)n;
	}
	buf[*len] = '\0';
out:
	close(fd);
	return buf;
}

struct util_import {
	struct store      *st;
	struct updatedoc  *docs[UTIL_IMPORT_BATCH];
	struct store_import rows[UTIL_IMPORT_BATCH];
	unsigned           n, added, skipped, files, total;
	int                tty, failed;
};

static int
util_import_flush(struct util_import *im)
{
	unsigned a = 0, s = 0;
	int rc = 0;

	if (im->n == 0)
		return 0;
	if (store_import_batch(im->st, im->rows, im->n, &a, &s,
	    actor_local()) == -1) {
		fprintf(stderr, "wsusutil: import: a batch of %u revisions was refused; "
		    "nothing of it was written\n", im->n);
		rc = -1;
	}
	im->added += a;
	im->skipped += s;
	for (unsigned i = 0; i < im->n; i++)
		updatedoc_free(im->docs[i]);
	im->n = 0;
	if (im->tty)
		fprintf(stderr, "\rimported %u of %u documents (%u new, %u already present)",
		    im->added + im->skipped, im->total, im->added, im->skipped);
	return rc;
}

static int
util_import_file(struct util_import *im, const char *path)
{
	char err[256], *buf;
	size_t len;
	struct updatedoc *d;

	if ((buf = util_read(path, UTIL_DOC_MAX, &len)) == NULL) {
		fprintf(stderr, "wsusutil: %s: %s\n", path, strerror(errno));
		im->failed++;
		return 0;
	}
	d = updatedoc_parse(buf, len, err, sizeof(err));
	free(buf);
	if (d == NULL) {
		fprintf(stderr, "wsusutil: %s: %s\n", path, err);
		im->failed++;
		return 0;
	}
	im->docs[im->n] = d;
	im->rows[im->n] = *updatedoc_import(d);
	if (++im->n == UTIL_IMPORT_BATCH)
		return util_import_flush(im);
	return 0;
}

static int
util_namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* util_import_path - a file, or every *.xml in a directory (sorted). */
static int
util_import_path(struct util_import *im, const char *path)
{
	struct stat sb;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	DIR *dir;
	int rc = 0;

	if (stat(path, &sb) == -1) {
		fprintf(stderr, "wsusutil: %s: %s\n", path, strerror(errno));
		im->failed++;
		return 0;
	}
	if (!S_ISDIR(sb.st_mode))
		return util_import_file(im, path);
	if ((dir = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(dir)) != NULL) {
		size_t l = strlen(de->d_name);
		char **nn;

		if (l < 5 || strcmp(de->d_name + l - 4, ".xml") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nn = realloc(names, cap * sizeof(*names))) == NULL) {
				rc = -1;
				break;
			}
			names = nn;
		}
		if (asprintf(&names[n], "%s/%s", path, de->d_name) == -1) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(dir);
	qsort(names, n, sizeof(*names), util_namecmp);
	im->total += (unsigned)n - (n > 0);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			rc = util_import_file(im, names[i]);
		free(names[i]);
	}
	free(names);
	return rc;
}

static int
util_import(struct store *st, int argc, char *argv[])
{
	struct util_import *im;
	int rc = 0;

	if (argc < 2)
		usage();
	if ((im = calloc(1, sizeof(*im))) == NULL)
		return 1;
	im->st = st;
	im->tty = isatty(STDERR_FILENO);
	im->total = (unsigned)argc - 1;
	for (int i = 1; i < argc && rc == 0; i++)
		rc = util_import_path(im, argv[i]);
	if (rc == 0)
		rc = util_import_flush(im);
	for (unsigned i = 0; i < im->n; i++)
		updatedoc_free(im->docs[i]);
	if (im->tty)
		fputc('\n', stderr);
	printf("import-updates: %u new revision(s), %u already present, %d "
	    "document(s) refused\n", im->added, im->skipped, im->failed);
	rc = rc != 0 || im->failed ? 1 : 0;
	free(im);
	return rc;
}

static int
util_group(struct store *st, int argc, char *argv[])
{
	const char *parent = NULL;
	char guid[STORE_GUID_LEN + 1];
	int rc;

	if (argc < 3 || strcmp(argv[1], "add") != 0)
		usage();
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--parent") == 0 && i + 1 < argc)
			parent = argv[++i];
		else
			usage();
	}
	rc = store_group_add(st, argv[2], parent, guid, actor_local());
	if (rc == -2)
		fprintf(stderr, "wsusutil: no group \"%s\"\n", parent);
	else if (rc == -3)
		fprintf(stderr, "wsusutil: a group named \"%s\" exists\n", argv[2]);
	else if (rc == 0)
		printf("group \"%s\" created: %s\n", argv[2], guid);
	return rc == 0 ? 0 : 1;
}

static int
util_assign(struct store *st, int argc, char *argv[])
{
	int rc;

	if (argc != 3)
		usage();
	rc = store_computer_assign(st, argv[1], argv[2], actor_local());
	if (rc == -2)
		fprintf(stderr, "wsusutil: no computer \"%s\"\n", argv[1]);
	else if (rc == -3)
		fprintf(stderr, "wsusutil: no group \"%s\"\n", argv[2]);
	else if (rc == 0)
		printf("%s assigned to \"%s\"\n", argv[1], argv[2]);
	return rc == 0 ? 0 : 1;
}

/* An ISO date "2026-12-01" or date-time "2026-12-01T10:00:00Z" (UTC). */
static int
util_parse_date(const char *s, time_t *out)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL) {
		memset(&tm, 0, sizeof(tm));
		if ((end = strptime(s, "%Y-%m-%d", &tm)) == NULL)
			return -1;
	}
	if (*end == 'Z')
		end++;
	if (*end != '\0')
		return -1;
	*out = timegm(&tm);
	return 0;
}

/* approve UPDATE-ID... GROUP [--deadline D] [--uninstall]: the last
 * positional argument is the group; several updates in one call. */
static int
util_approve(struct store *st, int argc, char *argv[])
{
	enum store_action action = STORE_ACTION_INSTALL;
	time_t deadline = 0;
	const char *pos[argc];
	int npos = 0, bad = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--uninstall") == 0) {
			action = STORE_ACTION_UNINSTALL;
		} else if (strcmp(argv[i], "--deadline") == 0 && i + 1 < argc) {
			if (util_parse_date(argv[++i], &deadline) == -1) {
				fprintf(stderr, "wsusutil: bad deadline \"%s\" "
				    "(want 2026-12-01 or 2026-12-01T10:00:00Z)\n", argv[i]);
				return 1;
			}
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			usage();
		} else {
			pos[npos++] = argv[i];
		}
	}
	if (npos < 2)
		usage();
	for (int i = 0; i < npos - 1; i++) {
		int rc = store_approve(st, pos[i], pos[npos - 1], action, deadline,
		    actor_local());
		if (rc == -2)
			fprintf(stderr, "wsusutil: no update %s or group \"%s\"\n", pos[i],
			    pos[npos - 1]);
		else if (rc == 0)
			printf("%s approved for %s in \"%s\"\n", pos[i],
			    action == STORE_ACTION_INSTALL ? "install" : "uninstall",
			    pos[npos - 1]);
		bad |= rc != 0;
	}
	return bad;
}

static int
util_decline(struct store *st, int argc, char *argv[])
{
	int rc;

	if (argc != 2)
		usage();
	rc = store_decline(st, argv[1], actor_local());
	if (rc == -2)
		fprintf(stderr, "wsusutil: no update %s\n", argv[1]);
	else if (rc == 0)
		printf("%s declined\n", argv[1]);
	return rc == 0 ? 0 : 1;
}

/* JSON string (RFC 8259 escaping). */
static void
util_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

struct util_list { int json, rows; };

static int
util_computer_row(void *arg, const struct store_computer_row *r)
{
	struct util_list *l = arg;

	if (l->json) {
		printf("%s{\"id\":", l->rows ? ",\n " : "[");
		util_json_str(r->c.computer_id);
		printf(",\"dns_name\":");
		util_json_str(r->c.dns_name);
		printf(",\"ip\":");
		util_json_str(r->c.ip);
		printf(",\"os\":");
		util_json_str(r->c.os_description);
		printf(",\"groups\":");
		util_json_str(r->groups);
		printf(",\"last_sync\":%lld,\"last_report\":%lld,\"installed\":%d,"
		    "\"needed\":%d,\"failed\":%d,\"downloaded\":%d}",
		    (long long)r->c.last_sync, (long long)r->c.last_report,
		    r->installed, r->needed, r->failed, r->downloaded);
	} else {
		char when[40] = "never";
		if (r->c.last_sync)
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M", gmtime(&r->c.last_sync));
		if (l->rows == 0)
			printf("%-36s  %-24s  %-16s  %-24s %9s %6s %6s %6s %6s\n", "COMPUTER",
			    "DNS NAME", "LAST SYNC (UTC)", "GROUPS", "INSTALLED", "NEEDED",
			    "FAILED", "DLOAD", "");
		printf("%-36s  %-24.24s  %-16s  %-24.24s %9d %6d %6d %6d\n",
		    r->c.computer_id, r->c.dns_name, when, r->groups, r->installed,
		    r->needed, r->failed, r->downloaded);
	}
	l->rows++;
	return 0;
}

static const char *
util_kind(enum store_kind k)
{
	switch (k) {
	case STORE_KIND_SOFTWARE:  return "software";
	case STORE_KIND_DRIVER:    return "driver";
	case STORE_KIND_DETECTOID: return "detectoid";
	default:                   return "category";
	}
}

static int
util_update_row(void *arg, const struct store_update_row *r)
{
	struct util_list *l = arg;

	if (l->json) {
		printf("%s{\"id\":", l->rows ? ",\n " : "[");
		util_json_str(r->update_id);
		printf(",\"revision\":%d,\"revision_id\":%lld,\"kind\":\"%s\",\"title\":",
		    r->revision_number, (long long)r->revision_id, util_kind(r->kind));
		util_json_str(r->title);
		printf(",\"declined\":%s,\"approvals\":", r->declined ? "true" : "false");
		util_json_str(r->approvals);
		printf(",\"installed\":%d,\"needed\":%d,\"failed\":%d,\"downloaded\":%d}",
		    r->installed, r->needed, r->failed, r->downloaded);
	} else {
		if (l->rows == 0)
			printf("%-36s %4s  %-40s  %-30s %5s %5s %5s\n", "UPDATE", "REV",
			    "TITLE", "APPROVAL", "INST", "NEED", "FAIL");
		printf("%-36s %4d  %-40.40s  %-30.30s %5d %5d %5d\n", r->update_id,
		    r->revision_number, r->title, r->declined ? "Declined" :
		    r->approvals[0] ? r->approvals : "Not approved",
		    r->installed, r->needed, r->failed);
	}
	l->rows++;
	return 0;
}

static int
util_list(struct store *st, int argc, char *argv[], int computers)
{
	struct util_list l = { 0, 0 };
	int all = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			l.json = 1;
		else if (!computers && strcmp(argv[i], "--all") == 0)
			all = 1;
		else
			usage();
	}
	rc = computers ? store_computer_each(st, util_computer_row, &l) :
	    store_update_each(st, !all, util_update_row, &l);
	if (l.json)
		printf("%s]\n", l.rows ? "" : "[");
	else if (l.rows == 0)
		printf("(no %s)\n", computers ? "computers" : "updates");
	return rc == 0 ? 0 : 1;
}

/* util_store_verb - the verbs that work on the store. */
static int
util_store_verb(const struct config *c, int argc, char *argv[])
{
	static const struct {
		const char *name;
		int (*fn)(struct store *, int, char **);
	} verbs[] = {
		{ "import-updates", util_import },
		{ "group", util_group },
		{ "assign", util_assign },
		{ "approve", util_approve },
		{ "decline", util_decline },
	};
	struct store *st;
	char head0[STORE_AUDIT_HASH_HEX + 1], head1[STORE_AUDIT_HASH_HEX + 1];
	int64_t seq0 = 0, seq1 = 0;
	int rc = -1;

	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(argv[0], verbs[i].name) == 0)
			rc = (int)i;
	if (rc == -1 && strcmp(argv[0], "computers") != 0 &&
	    strcmp(argv[0], "updates") != 0)
		return -1;
	if ((st = store_open(c->data_dir)) == NULL) {
		fprintf(stderr, "wsusutil: cannot open the store in %s\n", c->data_dir);
		return 1;
	}
	if (store_audit_head(st, &seq0, head0) == -1)
		seq0 = -1;
	if (rc >= 0)
		rc = verbs[rc].fn(st, argc, argv);
	else
		rc = util_list(st, argc, argv, strcmp(argv[0], "computers") == 0);
	/* Every change wrote an audit row: say where the chain ends now. */
	if (seq0 >= 0 && store_audit_head(st, &seq1, head1) == 0 &&
	    seq1 != seq0)
		actor_note(st);
	store_close(st);
	return rc;
}

int
main(int argc, char *argv[])
{
	const struct util_verb *v;
	struct config conf;
	const char *path = NULL;
	char err[1024];
	int ch;

	log_init(0, LOG_LVL_WARN, "wsusutil");
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("wsusutil %s\n", WSUSD_VERSION);
		return 0;
	}
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0))
		util_usage(1);
	while ((ch = getopt(argc, argv, "+c:")) != -1) {
		if (ch == 'c')
			path = optarg;
		else
			usage();
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if ((v = util_verb_find(argv[0])) == NULL) {
		fprintf(stderr, "wsusutil: unknown verb \"%s\"\n", argv[0]);
		usage();
	}
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return util_verb_help(v);
	if (strcmp(argv[0], "init") == 0)
		return util_init(argc, argv);
	/* Writing an example catalog needs no server configuration. */
	if (path == NULL && argc == 3 && strcmp(argv[0], "publish") == 0 &&
	    strcmp(argv[1], "--example") == 0)
		return publish_verb(NULL, argc, argv);
	if (path == NULL)
		usage();
	if (config_load(&conf, path, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (strcasecmp(argv[0], "configuressl") == 0)
		return util_configuressl(&conf, argc, argv);
	if (strcmp(argv[0], "selfsigned") == 0)
		return util_selfsigned(&conf, argc, argv);
	if ((ch = util_store_verb(&conf, argc, argv)) >= 0)
		return ch;
	if ((ch = pki_verb(&conf, argc, argv)) >= 0)
		return ch;
	if ((ch = audit_verb(&conf, argc, argv)) >= 0)
		return ch;
	if ((ch = user_verb(&conf, argc, argv)) >= 0)
		return ch;
	if ((ch = tlscert_verb(&conf, path, argc, argv)) >= 0)
		return ch;
	if ((ch = publish_verb(&conf, argc, argv)) >= 0)
		return ch;
	usage();
	return 2;
}
