/*
 * test_cookie.c - webservices/cookie.c: the key file (creation, reuse,
 * refusal of unsafe files, several processes starting at once), sealing
 * and opening both cookie kinds, every single-byte change of a sealed
 * cookie, malformed base64, the order of the verdicts (server changed,
 * expired, config changed), and GUID text.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cookie.h"
#include "crypto.h"
#include "log.h"
#include "t.h"
#include "t_util.h"

#define NOW INT64_C(1790000000)

static const uint8_t server_a[16] = {
	0x5e, 0x1f, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
	0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d
};
static const uint8_t server_b[16] = {
	0x5e, 0x1f, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
	0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0e
};

/* Size of path itself, or -1. */
static long
file_size(const char *path)
{
	struct stat st;

	return lstat(path, &st) == -1 ? -1 : (long)st.st_size;
}

static int
read_file(const char *path, uint8_t *buf, size_t len)
{
	FILE  *f;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	n = fread(buf, 1, len, f);
	fclose(f);
	return (int)n;
}

static int
write_file(const char *path, const uint8_t *buf, size_t len, mode_t mode)
{
	FILE *f;

	unlink(path);
	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	if (fwrite(buf, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return chmod(path, mode);
}

/* Entries of dir other than "." , ".." and cookie.key. */
static int
stray_files(const char *dir)
{
	DIR           *d;
	struct dirent *e;
	int            n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    strcmp(e->d_name, "cookie.key"))
			n++;
	closedir(d);
	return n;
}

static int
all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t         i;

	for (i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/* A filled-in cookie of the given kind, valid at NOW for generation 7. */
static struct cookie
sample(enum cookie_kind kind)
{
	struct cookie c;
	int           i;

	memset(&c, 0, sizeof(c));
	c.kind = kind;
	for (i = 0; i < 16; i++) {
		c.computer_id[i] = (uint8_t)(0xc0 + i);
		c.group_id[i] = kind == COOKIE_CLIENT ? (uint8_t)(0x90 + i) : 0;
	}
	memcpy(c.server_id, server_a, 16);
	c.issued = NOW - 60;
	c.expires = NOW + 3600;
	c.config_gen = 7;
	return c;
}

static int
same_cookie(const struct cookie *a, const struct cookie *b)
{
	return a->kind == b->kind &&
	    memcmp(a->computer_id, b->computer_id, 16) == 0 &&
	    memcmp(a->group_id, b->group_id, 16) == 0 &&
	    a->issued == b->issued && a->expires == b->expires &&
	    a->config_gen == b->config_gen &&
	    memcmp(a->server_id, b->server_id, 16) == 0 &&
	    a->key_id == b->key_id;
}

static enum cookie_status
open_str(const char *b64, enum cookie_kind want, struct cookie *out)
{
	return cookie_open(b64, strlen(b64), want, server_a, 7, NOW, out);
}

/*
 * cookie_init(dir) with stderr (the log) captured: returns its result and
 * leaves what it logged in logged (NUL-terminated).
 */
static char logged[4096];

static int
init_logged(const char *dir)
{
	FILE  *f;
	size_t n;
	int    saved, rc;

	logged[0] = '\0';
	fflush(stderr);
	if ((f = tmpfile()) == NULL || (saved = dup(2)) == -1)
		return cookie_init(dir);
	dup2(fileno(f), 2);
	rc = cookie_init(dir);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(logged, 1, sizeof(logged) - 1, f);
	logged[n] = '\0';
	fclose(f);
	return rc;
}

/* --- the key file --------------------------------------------------------- */

static void
test_key_file(void)
{
	struct cookie c = sample(COOKIE_CLIENT), o;
	char          b64[COOKIE_B64_LEN + 1], other[COOKIE_B64_LEN + 1];
	uint8_t       k1[64], k2[64];
	char          key[256];
	mode_t        old;
	static const struct {
		int  line;
		int  mode;
		int  ok;
	} modes[] = {
		{ __LINE__, 0600, 1 },
		{ __LINE__, 0400, 1 },
		{ __LINE__, 0644, 0 },
		{ __LINE__, 0640, 0 },
		{ __LINE__, 0604, 0 },
		{ __LINE__, 0602, 0 },
		{ __LINE__, 0620, 0 },
		{ __LINE__, 0610, 0 },
		{ __LINE__, 0601, 0 },
		{ __LINE__, 0666, 0 },
	};
	size_t i;
	int    rc;

	snprintf(key, sizeof(key), "%s", tpath("a/cookie.key"));
	T_OK(sh("mkdir a b c d e") == 0, "mkdir");
	/* a wide umask does not widen the key file */
	old = umask(0);
	rc = cookie_init(tpath("a"));
	umask(old);
	T_OK(rc == 0, "first init");
	T_OK(file_mode(key) == 0600, "mode %o", file_mode(key));
	T_OK(file_size(key) == 36, "size %ld", file_size(key));
	T_OK(stray_files(tpath("a")) == 0, "temporary files left behind");
	T_OK(read_file(key, k1, sizeof(k1)) == 36, "read key");

	T_OK(cookie_seal(&c, b64, sizeof(b64)) == 0, "seal");
	T_OK(strlen(b64) == COOKIE_B64_LEN, "length %zu", strlen(b64));
	T_OK(c.key_id == ((uint32_t)k1[32] | (uint32_t)k1[33] << 8 |
	    (uint32_t)k1[34] << 16 | (uint32_t)k1[35] << 24) && c.key_id != 0,
	    "key id %08x is not the file's", c.key_id);

	/* a second init reuses the key: the earlier cookie still opens */
	T_OK(cookie_init(tpath("a")) == 0, "second init");
	T_OK(read_file(key, k2, sizeof(k2)) == 36 && memcmp(k1, k2, 36) == 0,
	    "key file changed");
	T_OK(open_str(b64, COOKIE_CLIENT, &o) == COOKIE_OK && same_cookie(&c, &o),
	    "cookie sealed before re-init");

	/* permissions: anything for group or others is refused */
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		T_CHECK(modes[i].line, chmod(key, (mode_t)modes[i].mode) == 0,
		    "chmod");
		rc = init_logged(tpath("a"));
		T_CHECK(modes[i].line, rc == (modes[i].ok ? 0 : -1),
		    "mode %04o: init %d", modes[i].mode, rc);
		if (!modes[i].ok) {
			char want[64];

			/* the reason names the file and its mode */
			snprintf(want, sizeof(want), "mode %04o", modes[i].mode);
			T_CHECK(modes[i].line, strstr(logged, want) &&
			    strstr(logged, key), "logged \"%s\"", logged);
			/* refused: the old key is gone too, nothing opens */
			T_CHECK(modes[i].line, open_str(b64, COOKIE_CLIENT, &o) ==
			    COOKIE_INVALID && all_zero(&o, sizeof(o)),
			    "key kept after a refused init");
			T_CHECK(modes[i].line, cookie_seal(&c, other,
			    sizeof(other)) == -1 && other[0] == '\0',
			    "sealed after a refused init");
		}
	}
	T_OK(chmod(key, 0600) == 0, "chmod");
	/* the refusals above did not touch the file */
	T_OK(read_file(key, k2, sizeof(k2)) == 36 && memcmp(k1, k2, 36) == 0,
	    "key file changed by a refused init");
	T_OK(cookie_init(tpath("a")) == 0, "init after chmod 0600");
	c = sample(COOKIE_CLIENT);
	T_OK(cookie_seal(&c, b64, sizeof(b64)) == 0, "seal");

	/* wrong sizes, not a regular file, a symlink, no directory */
	T_OK(write_file(tpath("b/cookie.key"), k1, 35, 0600) == 0, "setup");
	T_OK(init_logged(tpath("b")) == -1 && strstr(logged, "35 bytes"),
	    "35-byte key accepted: %s", logged);
	T_OK(write_file(tpath("b/cookie.key"), k1, 37, 0600) == 0, "setup");
	T_OK(init_logged(tpath("b")) == -1 && strstr(logged, "37 bytes"),
	    "37-byte key accepted: %s", logged);
	T_OK(write_file(tpath("b/cookie.key"), k1, 0, 0600) == 0, "setup");
	T_OK(init_logged(tpath("b")) == -1 && strstr(logged, "0 bytes"),
	    "empty key accepted: %s", logged);
	T_OK(file_size(tpath("b/cookie.key")) == 0, "empty key replaced");
	T_OK(sh("rm b/cookie.key && mkdir b/cookie.key") == 0, "setup");
	T_OK(init_logged(tpath("b")) == -1 &&
	    strstr(logged, "not a regular file"), "directory accepted: %s",
	    logged);
	T_OK(sh("rmdir b/cookie.key && ln -s ../a/cookie.key b/cookie.key") == 0,
	    "setup");
	T_OK(init_logged(tpath("b")) == -1 && logged[0] != '\0',
	    "symlink followed");
	T_OK(sh("rm b/cookie.key && ln -s nowhere b/cookie.key") == 0, "setup");
	T_OK(init_logged(tpath("b")) == -1 && logged[0] != '\0',
	    "dangling symlink replaced");
	T_OK(access(tpath("b/nowhere"), F_OK) == -1, "wrote through a symlink");
	T_OK(init_logged(tpath("nodir")) == -1 && strstr(logged, "nodir"),
	    "missing directory: %s", logged);
	T_OK(init_logged("") == -1 && init_logged(NULL) == -1, "no directory");
	T_OK(open_str(b64, COOKIE_CLIENT, &o) == COOKIE_INVALID,
	    "key kept after a failed init");

	/* shutdown wipes the key: nothing seals or opens until init */
	T_OK(cookie_init(tpath("a")) == 0, "init");
	T_OK(open_str(b64, COOKIE_CLIENT, &o) == COOKIE_OK, "open");
	cookie_shutdown();
	T_OK(open_str(b64, COOKIE_CLIENT, &o) == COOKIE_INVALID,
	    "open after shutdown");
	T_OK(cookie_seal(&c, b64, sizeof(b64)) == -1 && b64[0] == '\0',
	    "seal after shutdown");
}

/*
 * Several processes creating the key at once (wsusd and wsusutil on a
 * fresh data dir) end up with one key: each child seals a cookie and
 * sends it up a pipe, the parent opens them all.
 */
static void
test_key_race(void)
{
	enum { KIDS = 6 };
	char          buf[KIDS][COOKIE_B64_LEN + 1];
	struct cookie c, o;
	int           fds[2], i, st, ok = 1;
	pid_t         pid[KIDS];

	T_OK(pipe(fds) == 0, "pipe");
	for (i = 0; i < KIDS; i++) {
		if ((pid[i] = fork()) == 0) {
			char b64[COOKIE_B64_LEN + 1];

			close(fds[0]);
			c = sample(COOKIE_AUTH);
			if (cookie_init(tpath("e")) == -1 ||
			    cookie_seal(&c, b64, sizeof(b64)) == -1)
				memset(b64, '!', COOKIE_B64_LEN);
			_exit(write(fds[1], b64, COOKIE_B64_LEN) ==
			    COOKIE_B64_LEN ? 0 : 1);
		}
	}
	close(fds[1]);
	for (i = 0; i < KIDS; i++) {
		size_t got = 0;
		ssize_t n;

		while (got < COOKIE_B64_LEN && (n = read(fds[0], buf[i] + got,
		    COOKIE_B64_LEN - got)) > 0)
			got += (size_t)n;
		buf[i][got] = '\0';
	}
	close(fds[0]);
	for (i = 0; i < KIDS; i++)
		T_OK(waitpid(pid[i], &st, 0) == pid[i] && WIFEXITED(st) &&
		    WEXITSTATUS(st) == 0, "child %d", i);
	T_OK(cookie_init(tpath("e")) == 0, "init after the race");
	for (i = 0; i < KIDS; i++)
		if (open_str(buf[i], COOKIE_AUTH, &o) != COOKIE_OK)
			ok = 0;
	T_OK(ok, "the children did not agree on one key");
	T_OK(stray_files(tpath("e")) == 0, "temporary files left behind");
}

/* --- sealing and opening ------------------------------------------------- */

static void
test_round_trip(void)
{
	static const enum cookie_kind kinds[] = { COOKIE_AUTH, COOKIE_CLIENT };
	struct cookie c, o;
	char          b64[COOKIE_B64_LEN + 1], again[COOKIE_B64_LEN + 1];
	char          small[COOKIE_B64_LEN];
	size_t        i;

	T_OK(cookie_init(tpath("a")) == 0, "init");
	for (i = 0; i < 2; i++) {
		c = sample(kinds[i]);
		T_OK(cookie_seal(&c, b64, sizeof(b64)) == 0, "seal kind %d",
		    kinds[i]);
		memset(&o, 0x55, sizeof(o));
		T_OK(open_str(b64, kinds[i], &o) == COOKIE_OK &&
		    same_cookie(&c, &o), "round trip kind %d", kinds[i]);
		/* a fresh nonce each time: the same fields never repeat */
		T_OK(cookie_seal(&c, again, sizeof(again)) == 0 &&
		    strcmp(b64, again) != 0, "sealing is deterministic");
		/* the other kind is refused */
		T_OK(open_str(b64, kinds[1 - i], &o) == COOKIE_INVALID &&
		    all_zero(&o, sizeof(o)), "wrong kind opened");
		/* no kind at all */
		T_OK(open_str(b64, (enum cookie_kind)0, &o) == COOKIE_INVALID,
		    "kind 0 opened");
	}
	/* extremes survive the int64 encoding */
	c = sample(COOKIE_CLIENT);
	c.issued = INT64_MIN;
	c.expires = INT64_MAX;
	c.config_gen = INT64_MIN;
	T_OK(cookie_seal(&c, b64, sizeof(b64)) == 0, "seal extremes");
	T_OK(cookie_open(b64, strlen(b64), COOKIE_CLIENT, server_a, INT64_MIN,
	    NOW, &o) == COOKIE_OK && same_cookie(&c, &o), "extremes");
	c.issued = -5;
	c.expires = -1;
	c.config_gen = 0;
	T_OK(cookie_seal(&c, b64, sizeof(b64)) == 0 &&
	    cookie_open(b64, strlen(b64), COOKIE_CLIENT, server_a, 0, -1,
	    &o) == COOKIE_OK && same_cookie(&c, &o), "negative times");

	/* what seal refuses */
	c = sample(COOKIE_AUTH);
	T_OK(cookie_seal(&c, small, sizeof(small)) == -1 && small[0] == '\0',
	    "seal into a short buffer");
	c.kind = (enum cookie_kind)(COOKIE_DSS + 1);
	T_OK(cookie_seal(&c, b64, sizeof(b64)) == -1, "seal an unknown kind");
	c.kind = (enum cookie_kind)0;
	T_OK(cookie_seal(&c, b64, sizeof(b64)) == -1, "seal kind 0");
	c = sample(COOKIE_AUTH);
	c.expires = c.issued - 1;
	T_OK(cookie_seal(&c, b64, sizeof(b64)) == -1, "expires before issued");
	T_OK(cookie_seal(NULL, b64, sizeof(b64)) == -1, "seal NULL");
}

/* Every single-byte change of the decoded cookie is refused. */
static void
test_tamper(void)
{
	static const uint8_t xors[] = { 0x01, 0x80, 0xff };
	struct cookie c = sample(COOKIE_CLIENT), o;
	char          b64[COOKIE_B64_LEN + 1], bad[COOKIE_B64_LEN + 1];
	uint8_t       blob[128], mod[128];
	long          n;
	size_t        i, x;
	int           ok = 1;
	enum cookie_status st;

	T_OK(cookie_init(tpath("a")) == 0, "init");
	T_OK(cookie_seal(&c, b64, sizeof(b64)) == 0, "seal");
	n = crypto_b64_decode(b64, strlen(b64), blob, sizeof(blob));
	T_OK(n == 108, "decoded length %ld", n);
	/* the documented clear header */
	T_OK(blob[0] == 1 && blob[1] == COOKIE_CLIENT && blob[2] == 0 &&
	    blob[3] == 0 && ((uint32_t)blob[4] | (uint32_t)blob[5] << 8 |
	    (uint32_t)blob[6] << 16 | (uint32_t)blob[7] << 24) == c.key_id,
	    "header %02x %02x %02x %02x", blob[0], blob[1], blob[2], blob[3]);
	/* nothing of the payload is visible */
	T_OK(memmem(blob, 108, c.computer_id, 4) == NULL &&
	    memmem(blob, 108, server_a, 4) == NULL, "payload in the clear");

	for (i = 0; i < (size_t)n; i++) {
		for (x = 0; x < sizeof(xors); x++) {
			memcpy(mod, blob, (size_t)n);
			mod[i] ^= xors[x];
			if (crypto_b64_encode(mod, (size_t)n, bad,
			    sizeof(bad)) != COOKIE_B64_LEN) {
				ok = 0;
				continue;
			}
			memset(&o, 0x55, sizeof(o));
			st = open_str(bad, COOKIE_CLIENT, &o);
			if (st != COOKIE_INVALID || !all_zero(&o, sizeof(o))) {
				ok = 0;
				T_OK(0, "byte %zu ^ %02x: status %d", i,
				    xors[x], st);
			}
		}
	}
	T_OK(ok, "single-byte changes");
	/* the header kind forged to the other kind */
	memcpy(mod, blob, (size_t)n);
	mod[1] = COOKIE_AUTH;
	crypto_b64_encode(mod, (size_t)n, bad, sizeof(bad));
	T_OK(open_str(bad, COOKIE_AUTH, &o) == COOKIE_INVALID,
	    "kind forged in the clear header");
	/* swapped halves, truncated, extended blobs */
	memcpy(mod, blob + 54, 54);
	memcpy(mod + 54, blob, 54);
	crypto_b64_encode(mod, (size_t)n, bad, sizeof(bad));
	T_OK(open_str(bad, COOKIE_CLIENT, &o) == COOKIE_INVALID, "swapped");
	crypto_b64_encode(blob, 105, bad, sizeof(bad));
	T_OK(open_str(bad, COOKIE_CLIENT, &o) == COOKIE_INVALID, "truncated");
	memcpy(mod, blob, (size_t)n);
	memset(mod + n, 0, 3);
	{
		char longer[200];

		crypto_b64_encode(mod, (size_t)n + 3, longer, sizeof(longer));
		T_OK(open_str(longer, COOKIE_CLIENT, &o) == COOKIE_INVALID,
		    "extended");
	}
}

/* Base64 and length problems, all COOKIE_INVALID. */
static void
test_garbage(void)
{
	struct cookie c = sample(COOKIE_CLIENT), o;
	char          b64[COOKIE_B64_LEN + 1];
	char          buf[600];
	static const struct {
		int          line;
		const char  *edit;   /* what to do with the valid text */
	} cases[] = {
		{ __LINE__, "empty" },
		{ __LINE__, "one char" },
		{ __LINE__, "drop last" },
		{ __LINE__, "drop last 4" },
		{ __LINE__, "append A" },
		{ __LINE__, "append AAAA" },
		{ __LINE__, "append newline" },
		{ __LINE__, "append CRLF" },
		{ __LINE__, "prepend space" },
		{ __LINE__, "space inside" },
		{ __LINE__, "newline inside" },
		{ __LINE__, "url alphabet" },
		{ __LINE__, "padding" },
		{ __LINE__, "NUL inside" },
		{ __LINE__, "high bit" },
		{ __LINE__, "256 A" },
		{ __LINE__, "257 A" },
		{ __LINE__, "500 A" },
		{ __LINE__, "non-canonical" },
		{ __LINE__, "106 bytes" },
	};
	size_t i, len, n;

	T_OK(cookie_init(tpath("a")) == 0, "init");
	T_OK(cookie_seal(&c, b64, sizeof(b64)) == 0, "seal");
	if ((n = strlen(b64)) != COOKIE_B64_LEN)
		return;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *e = cases[i].edit;

		memcpy(buf, b64, n + 1);
		len = n;
		if (!strcmp(e, "empty"))
			len = 0;
		else if (!strcmp(e, "one char"))
			len = 1;
		else if (!strcmp(e, "drop last"))
			len = n - 1;
		else if (!strcmp(e, "drop last 4"))
			len = n - 4;
		else if (!strcmp(e, "append A"))
			len = n + (size_t)sprintf(buf + n, "A");
		else if (!strcmp(e, "append AAAA"))
			len = n + (size_t)sprintf(buf + n, "AAAA");
		else if (!strcmp(e, "append newline"))
			len = n + (size_t)sprintf(buf + n, "\n");
		else if (!strcmp(e, "append CRLF"))
			len = n + (size_t)sprintf(buf + n, "\r\n");
		else if (!strcmp(e, "prepend space")) {
			buf[0] = ' ';
			memcpy(buf + 1, b64, n);
			len = n + 1;
		} else if (!strcmp(e, "space inside"))
			buf[70] = ' ';
		else if (!strcmp(e, "newline inside")) {
			memcpy(buf + 65, "\n", 1);
			memcpy(buf + 66, b64 + 64, n - 64);
			len = n + 1;   /* 145, still within COOKIE_B64_MAX */
		} else if (!strcmp(e, "url alphabet"))
			buf[10] = buf[10] == '-' ? '_' : '-';
		else if (!strcmp(e, "padding")) {
			buf[n - 1] = '=';
		} else if (!strcmp(e, "NUL inside"))
			buf[20] = '\0';
		else if (!strcmp(e, "high bit"))
			buf[30] = (char)0xc1;
		else if (!strncmp(e, "256 A", 5) || !strncmp(e, "257 A", 5) ||
		    !strncmp(e, "500 A", 5)) {
			len = (size_t)atoi(e);
			memset(buf, 'A', len);
		} else if (!strcmp(e, "non-canonical")) {
			/* 106 zero bytes would be ...AA==; unused bits set */
			memset(buf, 'A', 144);
			buf[141] = 'B';
			buf[142] = buf[143] = '=';
			len = 144;
		} else if (!strcmp(e, "106 bytes")) {
			memcpy(buf + 140, "AA==", 4);
			len = 144;
		}
		memset(&o, 0x55, sizeof(o));
		T_CHECK(cases[i].line, cookie_open(buf, len, COOKIE_CLIENT,
		    server_a, 7, NOW, &o) == COOKIE_INVALID &&
		    all_zero(&o, sizeof(o)), "%s accepted", e);
	}
	T_OK(cookie_open(NULL, 0, COOKIE_CLIENT, server_a, 7, NOW, &o) ==
	    COOKIE_INVALID, "NULL");
	/* the length given is honoured: a NUL is not needed */
	memcpy(buf, b64, n);
	memcpy(buf + n, "garbage", 7);
	T_OK(cookie_open(buf, n, COOKIE_CLIENT, server_a, 7, NOW, &o) ==
	    COOKIE_OK, "length not honoured");
}

/* The verdicts after the tag, and which wins when several apply. */
static void
test_verdicts(void)
{
	static const struct {
		int                line;
		int64_t            expires_delta;  /* expires - NOW */
		int                other_server;
		int64_t            gen;            /* the server's generation */
		enum cookie_status want;
	} cases[] = {
		{ __LINE__, 3600, 0, 7, COOKIE_OK },
		{ __LINE__, 0, 0, 7, COOKIE_OK },         /* expires == now */
		{ __LINE__, -1, 0, 7, COOKIE_EXPIRED },
		{ __LINE__, -86400, 0, 7, COOKIE_EXPIRED },
		{ __LINE__, 3600, 1, 7, COOKIE_SERVER_CHANGED },
		{ __LINE__, 3600, 0, 8, COOKIE_CONFIG_CHANGED },
		{ __LINE__, 3600, 0, 6, COOKIE_CONFIG_CHANGED },
		{ __LINE__, -1, 1, 8, COOKIE_SERVER_CHANGED },
		{ __LINE__, -1, 0, 8, COOKIE_EXPIRED },
		{ __LINE__, 3600, 1, 8, COOKIE_SERVER_CHANGED },
	};
	struct cookie c, o;
	char          b64[COOKIE_B64_LEN + 1];
	size_t        i;
	enum cookie_status st;

	T_OK(cookie_init(tpath("a")) == 0, "init");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = sample(COOKIE_CLIENT);
		c.issued = NOW - 100000;
		c.expires = NOW + cases[i].expires_delta;
		T_CHECK(cases[i].line, cookie_seal(&c, b64, sizeof(b64)) == 0,
		    "seal");
		st = cookie_open(b64, strlen(b64), COOKIE_CLIENT,
		    cases[i].other_server ? server_b : server_a, cases[i].gen,
		    NOW, &o);
		T_CHECK(cases[i].line, st == cases[i].want, "status %d, want %d",
		    st, cases[i].want);
		/* authentic: the fields are there whatever the verdict */
		T_CHECK(cases[i].line, same_cookie(&c, &o), "fields not filled");
	}
}

/* A cookie from another key never opens, even with the same key id. */
static void
test_other_key(void)
{
	struct cookie c = sample(COOKIE_AUTH), o;
	char          b64[COOKIE_B64_LEN + 1];
	uint8_t       k[36];

	T_OK(cookie_init(tpath("a")) == 0, "init a");
	T_OK(cookie_seal(&c, b64, sizeof(b64)) == 0, "seal under a");
	T_OK(cookie_init(tpath("c")) == 0, "init c");
	T_OK(open_str(b64, COOKIE_AUTH, &o) == COOKIE_INVALID, "key c opened a");
	/* same key id, different key: only the tag can tell */
	T_OK(read_file(tpath("a/cookie.key"), k, sizeof(k)) == 36, "read");
	k[0] ^= 1;
	T_OK(write_file(tpath("d/cookie.key"), k, 36, 0600) == 0, "write");
	T_OK(cookie_init(tpath("d")) == 0, "init d");
	T_OK(open_str(b64, COOKIE_AUTH, &o) == COOKIE_INVALID,
	    "same key id, other key");
	T_OK(cookie_init(tpath("a")) == 0 &&
	    open_str(b64, COOKIE_AUTH, &o) == COOKIE_OK, "back to a");
}

/* --- GUID text ------------------------------------------------------------ */

static void
test_guid(void)
{
	static const struct {
		int          line;
		const char  *text;
		int          rc;
		const char  *canon;
	} cases[] = {
		{ __LINE__, "a0a08746-4dbe-4a37-9adf-9e7652c0b421", 0,
		  "a0a08746-4dbe-4a37-9adf-9e7652c0b421" },
		{ __LINE__, "B73CA6ED-5727-47F3-84DE-015E03F6A88A", 0,
		  "b73ca6ed-5727-47f3-84de-015e03f6a88a" },
		{ __LINE__, "{d374f42a-9be2-4163-a0fa-3c86a401b7a7}", 0,
		  "d374f42a-9be2-4163-a0fa-3c86a401b7a7" },
		{ __LINE__, "{56309036-4C77-4dD9-951A-99EE9C246A94}", 0,
		  "56309036-4c77-4dd9-951a-99ee9c246a94" },
		{ __LINE__, "00000000-0000-0000-0000-000000000000", 0,
		  "00000000-0000-0000-0000-000000000000" },
		{ __LINE__, "ffffffff-ffff-ffff-ffff-ffffffffffff", 0,
		  "ffffffff-ffff-ffff-ffff-ffffffffffff" },
		{ __LINE__, "", -1, NULL },
		{ __LINE__, "a0a08746-4dbe-4a37-9adf-9e7652c0b42", -1, NULL },
		{ __LINE__, "a0a08746-4dbe-4a37-9adf-9e7652c0b4211", -1, NULL },
		{ __LINE__, "a0a087464dbe4a379adf9e7652c0b421", -1, NULL },
		{ __LINE__, "a0a08746-4dbe-4a37-9adf-9e7652c0b42g", -1, NULL },
		{ __LINE__, "x0a08746-4dbe-4a37-9adf-9e7652c0b421", -1, NULL },
		{ __LINE__, "a0a08746-4dbe-4a37-9adf-9e7652c0b4 1", -1, NULL },
		{ __LINE__, "a0a0874-64dbe-4a37-9adf-9e7652c0b421", -1, NULL },
		{ __LINE__, "a0a08746-4dbe4-a37-9adf-9e7652c0b421", -1, NULL },
		{ __LINE__, "a0a08746-4dbe-4a37-9adf9-e7652c0b421", -1, NULL },
		{ __LINE__, "a0a08746_4dbe_4a37_9adf_9e7652c0b421", -1, NULL },
		{ __LINE__, "a0a08746-4dbe-4a37-9adf-9e7652c0b421-", -1, NULL },
		{ __LINE__, "-a0a08746-4dbe-4a37-9adf-9e7652c0b42", -1, NULL },
		{ __LINE__, "{a0a08746-4dbe-4a37-9adf-9e7652c0b421", -1, NULL },
		{ __LINE__, "a0a08746-4dbe-4a37-9adf-9e7652c0b421}", -1, NULL },
		{ __LINE__, "(a0a08746-4dbe-4a37-9adf-9e7652c0b421)", -1, NULL },
		{ __LINE__, "{{a0a08746-4dbe-4a37-9adf-9e7652c0b421}}", -1, NULL },
		{ __LINE__, " a0a08746-4dbe-4a37-9adf-9e7652c0b421", -1, NULL },
		{ __LINE__, "0xa08746-4dbe-4a37-9adf-9e7652c0b421", -1, NULL },
		{ __LINE__, "+0a08746-4dbe-4a37-9adf-9e7652c0b421", -1, NULL },
		{ __LINE__, "a0a08746-4dbe-4a37-9adf-9e7652c0b4\xc3\xa1", -1, NULL },
	};
	uint8_t g[16];
	char    text[COOKIE_GUID_TEXT];
	size_t  i;
	int     rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(g, 0x55, sizeof(g));
		rc = cookie_guid_parse(cases[i].text, strlen(cases[i].text), g);
		T_CHECK(cases[i].line, rc == cases[i].rc, "%s: rc %d",
		    cases[i].text, rc);
		if (rc == 0) {
			cookie_guid_format(g, text);
			T_CHECK(cases[i].line, strcmp(text, cases[i].canon) == 0,
			    "formatted %s", text);
		} else {
			T_CHECK(cases[i].line, all_zero(g, 16), "out not zeroed");
		}
	}
	/* bytes in written order */
	T_OK(cookie_guid_parse("00112233-4455-6677-8899-aabbccddeeff", 36,
	    g) == 0 && g[0] == 0x00 && g[3] == 0x33 && g[4] == 0x44 &&
	    g[15] == 0xff, "byte order");
	/* the length given is honoured: trailing bytes are not looked at */
	T_OK(cookie_guid_parse("a0a08746-4dbe-4a37-9adf-9e7652c0b421zzz", 36,
	    g) == 0, "length not honoured");
	T_OK(cookie_guid_parse("a0a08746-4dbe-4a37-9adf-9e7652c0b421", 35,
	    g) == -1, "short length");
	T_OK(cookie_guid_parse(NULL, 36, g) == -1, "NULL");
}

int
main(void)
{
	log_init(0, LOG_LVL_WARN, "test_cookie");
	if (t_mkdtemp("test_cookie") == -1)
		return 1;
	test_key_file();
	test_key_race();
	test_round_trip();
	test_tamper();
	test_garbage();
	test_verdicts();
	test_other_key();
	test_guid();
	cookie_shutdown();

	if (t_fail == 0) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tdir);
		if (system(cmd) != 0)
			fprintf(stderr, "test_cookie: cannot remove %s\n", tdir);
	} else
		fprintf(stderr, "test_cookie: files kept in %s\n", tdir);
	return t_done("test_cookie");
}
