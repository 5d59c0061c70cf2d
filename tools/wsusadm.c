/*
 * wsusadm.c - main of wsusadm, the wsusd admin console: options, the
 * password, exit codes, then one command over ApiRemoting30.
 *
 * Owns: the command line (global options may stand anywhere; the rest
 * belongs to the command), the server URL (https only: ApiRemoting30 is
 * in the Require-SSL list and carries credentials), and the password's
 * life: read from --password-file (refused when others may read it), or
 * WSUSADM_PASSWORD, or - only when the server asks and there is a
 * terminal - a prompt without echo; wiped before exit.  With neither a
 * password nor a terminal, the Kerberos ticket cache is the credential.
 *
 * Never does: take a password on the command line, or read the server's
 * files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "wsusadm.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: wsusadm --server https://FQDN[:PORT] [--ca FILE] [--pin FILE]\n"
	    "               [--user NAME] [--password-file FILE] [--basic]\n"
	    "               [--resolve HOST:PORT:ADDRESS] [--json] [-v] COMMAND [ARGS]\n"
	    "       wsusadm --help | --version\n"
	    "commands:\n");
	for (int i = 0; adm_cmd_usage[i] != NULL; i++)
		fprintf(f, "  %s\n", adm_cmd_usage[i]);
	fprintf(f,
	    "The password comes from --password-file, WSUSADM_PASSWORD, or a prompt;\n"
	    "without one, a Kerberos ticket (kinit) is used.  PORT defaults to 8531.\n"
	    "DATE is YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC).\n"
	    "exit status:\n"
	    "  0 done\n"
	    "  1 the server refused the operation (SOAP fault)\n"
	    "  2 usage: bad command line, or no such update, group or computer\n"
	    "  3 cannot connect: the name does not resolve, the port does not answer,\n"
	    "    or it answers plain HTTP\n"
	    "  4 TLS: the certificate is not trusted or does not hold the name\n"
	    "  5 authentication failed (HTTP 401)\n"
	    "  6 access denied: no role (HTTP 403), or the role may not do it\n"
	    "  7 protocol error: an answer that is not what ApiRemoting30 sends\n");
}

/*
 * read_password_file - the first line of path (at most ADM_PASSWORD_MAX
 * bytes) into a fresh buffer; NULL with a message when it cannot be read,
 * is not a regular file, or others than its owner may read or write it.
 */
static char *
read_password_file(const char *path)
{
	unsigned char *buf = NULL;
	struct stat sb;
	size_t len = 0, n;
	char *pw, err[256];

	if (stat(path, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		fprintf(stderr, "wsusadm: --password-file %s: not a readable file\n", path);
		return NULL;
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		fprintf(stderr, "wsusadm: --password-file %s: group or others may "
		    "access it (mode %03o): chmod 600 %s\n", path,
		    (unsigned)(sb.st_mode & 0777), path);
		return NULL;
	}
	if (crypto_read_file(path, ADM_PWFILE_MAX, &buf, &len, err, sizeof(err)) == -1) {
		fprintf(stderr, "wsusadm: --password-file %s: %s (at most %d bytes)\n",
		    path, err, ADM_PWFILE_MAX);
		return NULL;
	}
	for (n = 0; n < len && buf[n] != '\n' && buf[n] != '\r'; n++)
		;
	if (n > ADM_PASSWORD_MAX || (pw = malloc(n + 1)) == NULL) {
		fprintf(stderr, "wsusadm: --password-file %s: the password exceeds %d "
		    "bytes\n", path, ADM_PASSWORD_MAX);
		crypto_free_file(buf, len);
		return NULL;
	}
	memcpy(pw, buf, n);
	pw[n] = '\0';
	crypto_free_file(buf, len);
	return pw;
}

/* Split --server into host and port; https only.  0 or -1 (message). */
static int
parse_server(struct adm *a)
{
	const char *s = a->server, *h, *e, *colon;
	char *end;
	long port = 8531;
	size_t n = strlen(s);

	if (strncasecmp(s, "http://", 7) == 0) {
		fprintf(stderr, "wsusadm: %s: the console speaks HTTPS only "
		    "(ApiRemoting30 requires SSL); use https://FQDN:8531\n", s);
		return -1;
	}
	if (strncasecmp(s, "https://", 8) != 0 || n > 500) {
		fprintf(stderr, "wsusadm: --server %s: want https://FQDN[:PORT]\n", s);
		return -1;
	}
	h = s + 8;
	while (n > 8 && s[n - 1] == '/')
		n--;
	e = memchr(h, '/', (size_t)(s + n - h));
	if (e != NULL) {
		fprintf(stderr, "wsusadm: --server %s: give only https://FQDN[:PORT] "
		    "(the path is always " ADM_PATH ")\n", s);
		return -1;
	}
	e = s + n;
	if (*h == '[') {                     /* [IPv6]:port */
		const char *rb = memchr(h, ']', (size_t)(e - h));
		if (rb == NULL)
			goto bad;
		colon = rb + 1 < e && rb[1] == ':' ? rb + 1 : NULL;
		snprintf(a->host, sizeof(a->host), "%.*s", (int)(rb - h + 1), h);
	} else {
		colon = memchr(h, ':', (size_t)(e - h));
		snprintf(a->host, sizeof(a->host), "%.*s",
		    (int)((colon ? colon : e) - h), h);
	}
	if (a->host[0] == '\0')
		goto bad;
	if (colon != NULL) {
		port = strtol(colon + 1, &end, 10);
		if (end != e || port < 1 || port > 65535)
			goto bad;
	}
	a->port = (int)port;
	snprintf(a->url, sizeof(a->url), "https://%s:%d" ADM_PATH, a->host, a->port);
	return 0;
bad:
	fprintf(stderr, "wsusadm: --server %s: want https://FQDN[:PORT]\n", s);
	return -1;
}

int
main(int argc, char **argv)
{
	struct adm a;
	const char *pwfile = NULL, *env;
	char **rest;
	int nrest = 0, rc;

	memset(&a, 0, sizeof(a));
	if ((rest = calloc((size_t)argc + 1, sizeof(*rest))) == NULL)
		return ADM_EXIT_PROTOCOL;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char **dst = NULL;
		if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
			usage(stdout);
			free(rest);
			return 0;
		}
		if (strcmp(o, "--version") == 0) {
			printf("wsusadm %s\n", WSUSD_VERSION);
			free(rest);
			return 0;
		}
		if (strcmp(o, "--server") == 0)
			dst = &a.server;
		else if (strcmp(o, "--ca") == 0)
			dst = &a.ca;
		else if (strcmp(o, "--pin") == 0)
			dst = &a.pin;
		else if (strcmp(o, "--user") == 0)
			dst = &a.user;
		else if (strcmp(o, "--password-file") == 0)
			dst = &pwfile;
		else if (strcmp(o, "--resolve") == 0) {
			if (a.nresolve == ADM_RESOLVE_MAX || i + 1 >= argc) {
				fprintf(stderr, "wsusadm: --resolve: at most %d, each with "
				    "a value\n", ADM_RESOLVE_MAX);
				free(rest);
				return ADM_EXIT_USAGE;
			}
			a.resolve[a.nresolve++] = argv[++i];
			continue;
		} else if (strcmp(o, "--basic") == 0) {
			a.basic = 1;
			continue;
		} else if (strcmp(o, "--json") == 0) {
			a.json = 1;
			continue;
		} else if (strcmp(o, "-v") == 0) {
			a.verbose++;
			continue;
		} else if (strcmp(o, "--password") == 0) {
			fprintf(stderr, "wsusadm: no password on the command line (others "
			    "see it): use --password-file, WSUSADM_PASSWORD or the prompt\n");
			free(rest);
			return ADM_EXIT_USAGE;
		}
		if (dst != NULL) {
			if (i + 1 >= argc) {
				fprintf(stderr, "wsusadm: %s needs a value\n", o);
				free(rest);
				return ADM_EXIT_USAGE;
			}
			*dst = argv[++i];
			continue;
		}
		rest[nrest++] = argv[i];
	}
	if (a.server == NULL || nrest == 0) {
		usage(stderr);
		free(rest);
		return ADM_EXIT_USAGE;
	}
	if (parse_server(&a) == -1) {
		free(rest);
		return ADM_EXIT_USAGE;
	}
	if (a.user != NULL && (a.user[0] == '\0' || strlen(a.user) > ADM_NAME_MAX)) {
		fprintf(stderr, "wsusadm: --user: 1 to %d bytes\n", ADM_NAME_MAX);
		free(rest);
		return ADM_EXIT_USAGE;
	}
	if (pwfile != NULL) {
		if ((a.password = read_password_file(pwfile)) == NULL) {
			free(rest);
			return ADM_EXIT_USAGE;
		}
	} else if ((env = getenv("WSUSADM_PASSWORD")) != NULL && env[0] != '\0') {
		if (strlen(env) > ADM_PASSWORD_MAX || (a.password = strdup(env)) == NULL) {
			fprintf(stderr, "wsusadm: WSUSADM_PASSWORD exceeds %d bytes\n",
			    ADM_PASSWORD_MAX);
			free(rest);
			return ADM_EXIT_USAGE;
		}
	}
	if (a.password != NULL && a.user == NULL) {
		fprintf(stderr, "wsusadm: a password needs --user NAME\n");
		rc = ADM_EXIT_USAGE;
		goto out;
	}
	if (a.basic) {
		if (a.user != NULL && a.password == NULL && isatty(STDIN_FILENO))
			a.password = adm_http_prompt(a.user);
		if (a.user == NULL || a.password == NULL) {
			fprintf(stderr, "wsusadm: --basic needs --user and a password\n");
			rc = ADM_EXIT_USAGE;
			goto out;
		}
		a.auth = ADM_AUTH_BASIC;
	} else {
		a.auth = a.password != NULL ? ADM_AUTH_PASSWORD : ADM_AUTH_KERBEROS;
	}
	a.interactive = isatty(STDIN_FILENO);
	if (adm_http_init(&a) == -1) {
		fprintf(stderr, "wsusadm: cannot set up libcurl\n");
		rc = ADM_EXIT_PROTOCOL;
		goto out;
	}
	rc = adm_cmd(&a, nrest, rest);
out:
	adm_http_free(&a);
	if (a.password != NULL) {
		crypto_wipe(a.password, strlen(a.password));
		free(a.password);
	}
	free(rest);
	return rc;
}
