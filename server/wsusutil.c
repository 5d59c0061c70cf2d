/*
 * wsusutil.c - the server-side admin helper, with the verbs WSUS admins
 * know.  It works on the same configuration file and store as the daemon
 * and never talks to the daemon over the network: the daemon notices
 * store changes by itself (advert.c).
 *
 *   wsusutil init DIR [--fqdn NAME]       embedded default for `make run`
 *   wsusutil -c FILE configuressl FQDN [--force]
 *   wsusutil -c FILE checkcert
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server.h"
#include "store.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: wsusutil init DIR [--fqdn NAME]\n"
	    "       wsusutil -c FILE configuressl FQDN [--force]\n"
	    "       wsusutil -c FILE checkcert\n");
	exit(2);
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
 * util_init - create DIR with a configuration, a data directory and a
 * self-signed P-256 server certificate for this machine's FQDN, each only
 * if missing (so it is safe to run before every start).
 */
static int
util_init(int argc, char *argv[])
{
	char fqdn[CONF_NAME_MAX], shortname[CONF_NAME_MAX];
	char conf[CONF_PATH_MAX], tlsdir[CONF_PATH_MAX], crt[CONF_PATH_MAX],
	    key[CONF_PATH_MAX], data[CONF_PATH_MAX], err[512];
	const char *dir, *sans[1];
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
	snprintf(shortname, sizeof(shortname), "%s", fqdn);
	shortname[strcspn(shortname, ".")] = '\0';
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
	if (stat(crt, &sb) == -1 && stat(key, &sb) == -1) {
		sans[0] = shortname;
		if (crypto_selfsigned(fqdn, sans, strcmp(shortname, fqdn) ? 1 : 0,
		    825, crt, key, err, sizeof(err)) == -1) {
			fprintf(stderr, "wsusutil: self-signed certificate: %s\n", err);
			return 1;
		}
		printf("made a self-signed P-256 certificate for %s in %s "
		    "(key %s, mode 0600)\n", fqdn, crt, key);
	}
	return 0;
}

/* util_print_cert - the checks an admin reads, one line each. */
static int
util_checkcert(const struct config *c)
{
	struct cert_info ci;
	char err[1024];
	int bad = 0;

	if (crypto_cert_info(c->cert, &ci, err, sizeof(err)) == -1) {
		printf("FAIL certificate: %s\n", err);
		return 1;
	}
	printf("     subject: %s\n     issuer: %s\n     SAN: %s\n"
	    "     SHA-1 thumbprint: %s\n     SHA-256: %s\n", ci.subject, ci.issuer,
	    ci.sans[0] ? ci.sans : "(none)", ci.sha1, ci.sha256);
	printf("%s serverAuth EKU\n", ci.server_auth ? "ok  " : "FAIL");
	bad |= !ci.server_auth;
	if (crypto_cert_check_name(c->cert, c->fqdn, err, sizeof(err)) == 0) {
		printf("ok   covers %s\n", c->fqdn);
	} else {
		printf("FAIL %s\n", err);
		bad = 1;
	}
	printf("%s valid until %s (%ld days left)\n",
	    ci.days_left >= 0 ? "ok  " : "FAIL", ci.not_after, ci.days_left);
	bad |= ci.days_left < 0;
	if (crypto_key_matches(c->cert, c->key, err, sizeof(err)) == 0) {
		printf("ok   key %s matches\n", c->key);
	} else {
		printf("FAIL %s\n", err);
		bad = 1;
	}
	if (config_check_secrecy(c->key, err, sizeof(err)) == 0) {
		printf("ok   key file is private\n");
	} else {
		printf("FAIL %s\n", err);
		bad = 1;
	}
	printf("ok   key %s\n", ci.key_desc);
	return bad;
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
	char reason[1024], url[ADVERT_URL_MAX];
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
	if (store_advert_set(st, &a) == -1)
		goto out;
	if (advert_url(a.fqdn, 1, a.http_port, a.https_port, url, sizeof(url)) == -1)
		goto out;
	printf("%s\n", url);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "wsusutil: configuressl failed; nothing changed\n");
	store_close(st);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct config conf;
	const char *path = NULL;
	char err[1024];
	int ch;

	log_init(0, LOG_LVL_WARN, "wsusutil");
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
	if (strcmp(argv[0], "init") == 0)
		return util_init(argc, argv);
	if (path == NULL)
		usage();
	if (config_load(&conf, path, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (strcasecmp(argv[0], "configuressl") == 0)
		return util_configuressl(&conf, argc, argv);
	if (strcasecmp(argv[0], "checkcert") == 0)
		return util_checkcert(&conf);
	usage();
	return 2;
}
