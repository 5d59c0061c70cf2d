/*
 * wsusutil_user.c - `wsusutil user add|passwd|role|del|list`: the
 * accounts of the admin API (ApiRemoting30), through the store's audited
 * account functions (store/account.c).
 *
 * Owns: reading a password from --password-file or standard input (never
 * from the command line, where every user of the machine could read it
 * in /proc), with the terminal's echo off when it is one, and wiping it.
 * The store writes the PBKDF2 verifier, the NTLM file and the audit row.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "config.h"
#include "crypto.h"
#include "store.h"

#define USERVERB_PW_BUF (STORE_PASSWORD_MAX + 4)  /* password, CR LF, NUL */

static int
userverb_usage(void)
{
	fprintf(stderr,
	    "usage: wsusutil -c FILE user add NAME --role Administrator|Reporter "
	    "[--password-file FILE]\n"
	    "       wsusutil -c FILE user passwd NAME [--password-file FILE]\n"
	    "       wsusutil -c FILE user role NAME --role Administrator|Reporter\n"
	    "       wsusutil -c FILE user del NAME\n"
	    "       wsusutil -c FILE user list [--json]\n"
	    "The password is the first line of FILE, or of standard input.\n"
	    "NAME@REALM is a Kerberos principal: a role, no password.\n");
	return 2;
}

/*
 * userverb_read_pw - the first line of fd (without CR LF) into pw, at most
 * STORE_PASSWORD_MAX bytes.  When fd is a terminal the prompt goes to
 * stderr and echo is off while reading.  Returns the length, or -1 with
 * the reason on stderr; pw is wiped on failure.
 */
static long
userverb_read_pw(int fd, const char *prompt, char pw[USERVERB_PW_BUF])
{
	struct termios old, quiet;
	int tty = isatty(fd), restore = 0;
	size_t n = 0;
	long rc = -1;

	if (tty) {
		fprintf(stderr, "%s", prompt);
		if (tcgetattr(fd, &old) == 0) {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
		}
	}
	/* Byte by byte: read no further than the first line. */
	while (n < USERVERB_PW_BUF - 1) {
		ssize_t r = read(fd, pw + n, 1);

		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0 || pw[n] == '\n')
			break;
		n++;
	}
	if (restore) {
		tcsetattr(fd, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (n > 0 && pw[n - 1] == '\r')
		n--;
	pw[n] = '\0';
	if (n == 0)
		fprintf(stderr, "wsusutil: no password given (an empty line "
		    "or nothing)\n");
	else if (n > STORE_PASSWORD_MAX)
		fprintf(stderr, "wsusutil: the password is longer than %d "
		    "bytes\n", STORE_PASSWORD_MAX);
	else
		rc = (long)n;
	if (rc == -1)
		crypto_wipe(pw, USERVERB_PW_BUF);
	return rc;
}

/* userverb_password - from --password-file FILE (path) or stdin. */
static long
userverb_password(const char *path, const char *name,
    char pw[USERVERB_PW_BUF])
{
	char prompt[STORE_ACCOUNT_NAME_MAX + 32];
	long n;
	int fd;

	snprintf(prompt, sizeof(prompt), "Password for %s: ", name);
	if (path == NULL)
		return userverb_read_pw(STDIN_FILENO, prompt, pw);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		fprintf(stderr, "wsusutil: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = userverb_read_pw(fd, prompt, pw);
	close(fd);
	return n;
}

static int
userverb_row(void *arg, const struct store_account *a)
{
	int *rows = arg;
	char changed[32];
	struct tm tm;

	if (gmtime_r(&a->changed, &tm) == NULL ||
	    strftime(changed, sizeof(changed), "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(changed, sizeof(changed), "?");
	if (rows[1]) {
		printf("%s{\"name\":\"", rows[0] ? ",\n " : "[");
		/* Names are printable ASCII without '"' issues but '\\'. */
		for (const char *p = a->name; *p != '\0'; p++)
			printf(*p == '"' || *p == '\\' ? "\\%c" : "%c", *p);
		printf("\",\"role\":\"%s\",\"password\":%s,\"kerberos\":%s,"
		    "\"created\":%lld,\"changed\":%lld}", store_role_name(a->role),
		    a->has_password ? "true" : "false",
		    strchr(a->name, '@') != NULL ? "true" : "false",
		    (long long)a->created, (long long)a->changed);
	} else {
		if (rows[0] == 0)
			printf("%-32s %-14s %-10s %s\n", "NAME", "ROLE", "LOGIN",
			    "CHANGED (UTC)");
		printf("%-32s %-14s %-10s %s\n", a->name,
		    store_role_name(a->role), strchr(a->name, '@') != NULL ?
		    "Kerberos" : a->has_password ? "password" : "none",
		    changed);
	}
	rows[0]++;
	return 0;
}

static int
userverb_list(struct store *st, int argc, char *argv[])
{
	int rows[2] = { 0, 0 };   /* count, json */

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			rows[1] = 1;
		else
			return userverb_usage();
	}
	if (store_account_each(st, userverb_row, rows) == -1)
		return 1;
	if (rows[1])
		printf("%s]\n", rows[0] ? "" : "[");
	else if (rows[0] == 0)
		printf("(no accounts)\n");
	return 0;
}

/*
 * userverb_opts - NAME and the options after it: --role R and
 * --password-file FILE.  Returns 0 or 2 (usage).
 */
static int
userverb_opts(int argc, char *argv[], const char **name, const char **role,
    const char **pwfile)
{
	*name = *role = *pwfile = NULL;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
			*role = argv[++i];
		else if (strcmp(argv[i], "--password-file") == 0 && i + 1 < argc)
			*pwfile = argv[++i];
		else if ((strcmp(argv[i], "--password") == 0 ||
		    strncmp(argv[i], "--password=", 11) == 0)) {
			fprintf(stderr, "wsusutil: no password on the command "
			    "line (other users can read it): use "
			    "--password-file FILE or standard input\n");
			return 2;
		} else if (argv[i][0] != '-' && *name == NULL)
			*name = argv[i];
		else
			return 2;
	}
	return *name == NULL ? 2 : 0;
}

/*
 * user_verb - see admin.h: -1 when argv[0] is not "user", else the exit
 * status: 0, 1 (refused or failed; nothing changed), 2 (usage).
 */
int
user_verb(const struct config *c, int argc, char *argv[])
{
	char pw[USERVERB_PW_BUF];
	const char *name, *role_s, *pwfile, *sub;
	enum store_role role = STORE_ROLE_NONE;
	struct store *st = NULL;
	long len = 0;
	int rc = 1, r;

	if (argc < 1 || strcmp(argv[0], "user") != 0)
		return -1;
	if (argc < 2)
		return userverb_usage();
	sub = argv[1];
	memset(pw, 0, sizeof(pw));
	if (strcmp(sub, "list") == 0) {
		if ((st = store_open(c->data_dir)) == NULL)
			goto noopen;
		rc = userverb_list(st, argc, argv);
		store_close(st);
		return rc;
	}
	if (strcmp(sub, "add") != 0 && strcmp(sub, "passwd") != 0 &&
	    strcmp(sub, "role") != 0 && strcmp(sub, "del") != 0)
		return userverb_usage();
	if (userverb_opts(argc, argv, &name, &role_s, &pwfile) != 0)
		return userverb_usage();
	if (strcmp(sub, "add") == 0 || strcmp(sub, "role") == 0) {
		if ((role = store_role_parse(role_s)) == STORE_ROLE_NONE) {
			fprintf(stderr, "wsusutil: user %s needs --role "
			    "Administrator or --role Reporter\n", sub);
			return 2;
		}
	} else if (role_s != NULL)
		return userverb_usage();
	if ((strcmp(sub, "role") == 0 || strcmp(sub, "del") == 0) &&
	    pwfile != NULL)
		return userverb_usage();
	/* A principal logs in with Kerberos: it has no password to read. */
	if ((strcmp(sub, "add") == 0 && strchr(name, '@') == NULL) ||
	    strcmp(sub, "passwd") == 0) {
		if (strchr(name, '@') != NULL) {
			fprintf(stderr, "wsusutil: %s is a Kerberos principal: "
			    "it has no password here\n", name);
			return 1;
		}
		if ((len = userverb_password(pwfile, name, pw)) == -1)
			return 1;
	} else if (pwfile != NULL) {
		fprintf(stderr, "wsusutil: %s is a Kerberos principal: it "
		    "takes no password\n", name);
		return 2;
	}
	if ((st = store_open(c->data_dir)) == NULL)
		goto noopen;
	if (strcmp(sub, "add") == 0) {
		r = store_account_add(st, name, role, len > 0 ? pw : NULL,
		    (size_t)len, c->ntlm_domain, actor_local());
		if (r == -3)
			fprintf(stderr, "wsusutil: an account named \"%s\" "
			    "exists (names ignore case)\n", name);
		else if (r == 0)
			printf("account %s added (%s%s)\n", name,
			    store_role_name(role), len > 0 ? ", password set" :
			    ", Kerberos principal");
	} else if (strcmp(sub, "passwd") == 0) {
		r = store_account_passwd(st, name, pw, (size_t)len,
		    c->ntlm_domain, actor_local());
		if (r == -2)
			fprintf(stderr, "wsusutil: no password account \"%s\"\n",
			    name);
		else if (r == 0)
			printf("password of %s changed\n", name);
	} else if (strcmp(sub, "role") == 0) {
		r = store_account_set_role(st, name, role, actor_local());
		if (r == -2)
			fprintf(stderr, "wsusutil: no account \"%s\"\n", name);
		else if (r == 0)
			printf("%s is now %s\n", name, store_role_name(role));
	} else {
		r = store_account_del(st, name, c->ntlm_domain, actor_local());
		if (r == -2)
			fprintf(stderr, "wsusutil: no account \"%s\"\n", name);
		else if (r == 0)
			printf("account %s deleted\n", name);
	}
	if (r == -1)
		fprintf(stderr, "wsusutil: user %s %s failed; nothing "
		    "changed\n", sub, name);
	if (r == 0)
		actor_note(st);
	rc = r == 0 ? 0 : 1;
	store_close(st);
	crypto_wipe(pw, sizeof(pw));
	return rc;
noopen:
	crypto_wipe(pw, sizeof(pw));
	fprintf(stderr, "wsusutil: cannot open the store in %s\n",
	    c->data_dir);
	return 1;
}
