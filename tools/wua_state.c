/*
 * wua_state.c - wsusclient's state directory, the stand-in for the WUA
 * data store and the bits of the registry it reads.  Every file is small
 * text so tests can read it, write it or tamper with it:
 *
 *   client.id   the SusClientId, a random v4 GUID made on first run
 *   cookie      "Expiration: ..." / "EncryptedData: ..." of the client
 *               cookie, plus the authorization cookie it was made from
 *   registry    one registry value name per line (tests write it);
 *               b.RegValueExists is true iff its Value is listed (or
 *               "Subkey\Value" is)
 *   installed   one update id per line: updates "installed" on this box
 *   cache       one line per known revision:
 *               RID UPDATEID REVISION leaf|nonleaf ACTION installed|-
 *               CORE (the Core fragment, base64)
 *   updates     the needed updates, tab-separated:
 *               update RID UPDATEID REVISION TITLE
 *               member UPDATEID                 (bundle members)
 *               file NAME SIZE SHA1HEX SHA256HEX URL
 *   failed      UPDATEID HRESULT of the last download run
 *   sequence    next event SequenceNumber
 *   downloads/  verified content, <SHA1HEX>.<ext>
 *
 * Owns: reading and atomically rewriting those files (temp + rename, mode
 * 0600), and the in-memory cache of revisions.  Never does: trust a file's
 * content further than its documented shape (bad lines are skipped with a
 * warning) or read more than WUA_STATE_FILE_MAX bytes of one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "wua.h"

int
wua_state_path(const struct wua *w, const char *name, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s/%s", w->state, name);

	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/*
 * wua_state_read - the whole file name (NUL-terminated, caller frees), or
 * NULL when it is absent (errno ENOENT), unreadable or too large.
 */
char *
wua_state_read(const struct wua *w, const char *name, size_t *len)
{
	char path[4096], *buf = NULL;
	struct stat st;
	size_t got = 0;
	int fd;

	if (wua_state_path(w, name, path, sizeof(path)) == -1)
		return NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || st.st_size < 0 ||
	    (uint64_t)st.st_size > WUA_STATE_FILE_MAX ||
	    (buf = malloc((size_t)st.st_size + 1)) == NULL) {
		fprintf(stderr, "wsusclient: %s: unreadable or larger than %u bytes\n",
		    path, WUA_STATE_FILE_MAX);
		close(fd);
		errno = EFBIG;
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + got, (size_t)st.st_size - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	buf[got] = '\0';
	if (len != NULL)
		*len = got;
	return buf;
}

/* wua_state_write - replace name with (data, len) atomically, mode 0600. */
int
wua_state_write(const struct wua *w, const char *name, const char *data, size_t len)
{
	char path[4096], tmp[4200];
	size_t off = 0;
	int fd;

	if (wua_state_path(w, name, path, sizeof(path)) == -1)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) == -1) {
		fprintf(stderr, "wsusclient: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	while (off < len) {
		ssize_t k = write(fd, data + off, len - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			fprintf(stderr, "wsusclient: %s: %s\n", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			return -1;
		}
		off += (size_t)k;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		fprintf(stderr, "wsusclient: %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/*
 * state_lines - split buf in place into lines (CR/LF stripped, blank lines
 * and lines starting with '#' dropped) as a malloc'd array of pointers into
 * buf (caller frees the array).  At most max lines; -1 on allocation
 * failure, else the count.
 */
static int
state_lines(char *buf, int max, char ***out)
{
	char **v = NULL, *p = buf, *nl;
	int n = 0, cap = 0;

	*out = NULL;
	while (p != NULL && *p != '\0' && n < max) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
		size_t l = strlen(p);
		while (l > 0 && (p[l - 1] == '\r' || p[l - 1] == ' ' || p[l - 1] == '\t'))
			p[--l] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '\0' && *p != '#') {
			if (n == cap) {
				char **nv;
				cap = cap ? cap * 2 : 64;
				if ((nv = realloc(v, (size_t)cap * sizeof(*v))) == NULL) {
					free(v);
					return -1;
				}
				v = nv;
			}
			v[n++] = p;
		}
		p = nl != NULL ? nl + 1 : NULL;
	}
	*out = v;
	return n;
}

/*
 * state_read_list - a one-value-per-line file (registry, installed) into
 * a malloc'd array of strdup'd lines (*list, *n; state_free_list).  An
 * absent file is an empty list.  0 or -1.
 */
static int
state_read_list(struct wua *w, const char *name, char ***list, int *n)
{
	char *buf, **lines = NULL;
	int k;

	*list = NULL;
	*n = 0;
	if ((buf = wua_state_read(w, name, NULL)) == NULL)
		return errno == ENOENT ? 0 : -1;
	if ((k = state_lines(buf, WUA_CACHE_MAX, &lines)) < 0) {
		free(buf);
		return -1;
	}
	if (k > 0 && (*list = calloc((size_t)k, sizeof(**list))) == NULL) {
		free(lines);
		free(buf);
		return -1;
	}
	for (int i = 0; i < k; i++)
		if (((*list)[(*n)++] = strdup(lines[i])) == NULL)
			break;
	free(lines);
	free(buf);
	return 0;
}

static void
state_free_list(char **list, int n)
{
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

/*
 * state_client_id - the SusClientId from client.id, or a new random v4
 * GUID written there (first run, or a file that does not hold a GUID, as
 * WUA regenerates a broken SusClientId).  0 or -1.
 */
static int
state_client_id(struct wua *w)
{
	char *buf = wua_state_read(w, "client.id", NULL), line[64];

	if (buf != NULL) {
		size_t l = strcspn(buf, "\r\n");
		buf[l] = '\0';
		if (wua_guid_canon(buf, w->client_id) == 0) {
			free(buf);
			return 0;
		}
		fprintf(stderr, "wsusclient: %s/client.id is not a GUID; making a new one\n",
		    w->state);
		free(buf);
	}
	wua_guid(w->client_id);
	snprintf(line, sizeof(line), "%s\n", w->client_id);
	return wua_state_write(w, "client.id", line, strlen(line));
}

/*
 * state_load_cookie - the cookie file: "Key: value" lines (Expiration,
 * EncryptedData, AuthPlugInId, AuthCookieData); unknown keys are ignored
 * and an Expiration without EncryptedData means no cookie.  0 or -1.
 */
static int
state_load_cookie(struct wua *w)
{
	char *buf = wua_state_read(w, "cookie", NULL), **lines = NULL;
	int n;

	if (buf == NULL)
		return errno == ENOENT ? 0 : -1;
	if ((n = state_lines(buf, 16, &lines)) < 0) {
		free(buf);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char *v = strchr(lines[i], ':');

		if (v == NULL)
			continue;
		*v++ = '\0';
		while (*v == ' ')
			v++;
		if (strcmp(lines[i], "Expiration") == 0)
			snprintf(w->cookie_exp, sizeof(w->cookie_exp), "%s", v);
		else if (strcmp(lines[i], "EncryptedData") == 0) {
			free(w->cookie_data);
			w->cookie_data = strdup(v);
		} else if (strcmp(lines[i], "AuthPlugInId") == 0)
			snprintf(w->auth_plugin, sizeof(w->auth_plugin), "%s", v);
		else if (strcmp(lines[i], "AuthCookieData") == 0) {
			free(w->auth_data);
			w->auth_data = strdup(v);
		}
	}
	if (w->cookie_data == NULL)
		w->cookie_exp[0] = '\0';
	free(lines);
	free(buf);
	return 0;
}

int
wua_state_save_cookie(struct wua *w)
{
	struct wbuf b;
	int rc;

	if (w->cookie_data == NULL && w->auth_data == NULL) {
		char path[4096];
		if (wua_state_path(w, "cookie", path, sizeof(path)) == 0)
			unlink(path);
		return 0;
	}
	wbuf_init(&b, 1024);
	if (w->cookie_data != NULL)
		wbuf_printf(&b, "Expiration: %s\nEncryptedData: %s\n", w->cookie_exp,
		    w->cookie_data);
	if (w->auth_data != NULL)
		wbuf_printf(&b, "AuthPlugInId: %s\nAuthCookieData: %s\n",
		    w->auth_plugin, w->auth_data);
	rc = b.oom ? -1 : wua_state_write(w, "cookie", b.p, b.len);
	wbuf_free(&b);
	return rc;
}

/* --- the revision cache ------------------------------------------------------ */

/*
 * Cache lookups are linear: a scan touches each revision a few times and
 * the cache is bounded by WUA_CACHE_MAX; a test client never holds more
 * than a few thousand revisions.
 */
struct wua_rev *
wua_state_rev(struct wua *w, int64_t rid)
{
	for (int i = 0; i < w->nrevs; i++)
		if (w->revs[i].rid == rid)
			return &w->revs[i];
	return NULL;
}

struct wua_rev *
wua_state_rev_uid(struct wua *w, const char *uid)
{
	for (int i = 0; i < w->nrevs; i++)
		if (strcasecmp(w->revs[i].uid, uid) == 0)
			return &w->revs[i];
	return NULL;
}

/* wua_state_rev_add - the entry for rid, new and zeroed if unknown; NULL when full. */
struct wua_rev *
wua_state_rev_add(struct wua *w, int64_t rid)
{
	struct wua_rev *v = wua_state_rev(w, rid);

	if (v != NULL)
		return v;
	if (w->nrevs == WUA_CACHE_MAX)
		return NULL;
	if (w->nrevs == w->caprevs) {
		int ncap = w->caprevs ? w->caprevs * 2 : 256;
		struct wua_rev *nv = realloc(w->revs, (size_t)ncap * sizeof(*nv));
		if (nv == NULL)
			return NULL;
		w->revs = nv;
		w->caprevs = ncap;
	}
	v = &w->revs[w->nrevs++];
	memset(v, 0, sizeof(*v));
	v->rid = rid;
	return v;
}

/* wua_state_rev_del - forget rid (order is not kept: the last entry moves in). */
void
wua_state_rev_del(struct wua *w, int64_t rid)
{
	for (int i = 0; i < w->nrevs; i++)
		if (w->revs[i].rid == rid) {
			free(w->revs[i].core);
			w->revs[i] = w->revs[--w->nrevs];
			return;
		}
}

void
wua_state_clear_cache(struct wua *w)
{
	for (int i = 0; i < w->nrevs; i++)
		free(w->revs[i].core);
	w->nrevs = 0;
}

/*
 * state_cache_line - one cache line, "RID UPDATEID REVISION leaf|nonleaf
 * ACTION installed|- CORE64" (CORE64 "-" for an empty fragment), into the
 * cache.  -1 for a line of another shape (the caller counts and skips it).
 */
static int
state_cache_line(struct wua *w, char *line)
{
	char *f[7], *save = NULL, *tok;
	int64_t rid, rev;
	struct wua_rev *v;
	uint8_t *core;
	long clen;
	int n = 0;

	for (tok = strtok_r(line, " \t", &save); tok && n < 7;
	    tok = strtok_r(NULL, " \t", &save))
		f[n++] = tok;
	if (n != 7 || wua_parse_i64(f[0], strlen(f[0]), 1, INT32_MAX, &rid) == -1 ||
	    wua_parse_i64(f[2], strlen(f[2]), 0, INT32_MAX, &rev) == -1 ||
	    strlen(f[4]) >= sizeof(v->action) || strlen(f[6]) > WUA_FRAG_MAX * 4 / 3 + 4)
		return -1;
	if ((core = malloc(strlen(f[6]) + 1)) == NULL)
		return -1;
	clen = strcmp(f[6], "-") == 0 ? 0 :
	    crypto_b64_decode(f[6], strlen(f[6]), core, strlen(f[6]));
	if (clen < 0 || (v = wua_state_rev_add(w, rid)) == NULL) {
		free(core);
		return -1;
	}
	core[clen] = '\0';
	if (wua_guid_canon(f[1], v->uid) == -1) {
		free(core);
		wua_state_rev_del(w, rid);
		return -1;
	}
	free(v->core);
	v->core = (char *)core;
	v->revnum = (int)rev;
	v->leaf = strcmp(f[3], "leaf") == 0;
	v->installed = strcmp(f[5], "installed") == 0;
	snprintf(v->action, sizeof(v->action), "%s", f[4]);
	return 0;
}

static int
state_load_cache(struct wua *w)
{
	char *buf = wua_state_read(w, "cache", NULL), **lines = NULL;
	int n, bad = 0;

	if (buf == NULL)
		return errno == ENOENT ? 0 : -1;
	if ((n = state_lines(buf, WUA_CACHE_MAX, &lines)) < 0) {
		free(buf);
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (state_cache_line(w, lines[i]) == -1)
			bad++;
	if (bad)
		fprintf(stderr, "wsusclient: %s/cache: %d bad line(s) ignored\n",
		    w->state, bad);
	free(lines);
	free(buf);
	return 0;
}

/* wua_state_save_cache - rewrite DIR/cache from memory (base64 Core fragments). */
int
wua_state_save_cache(struct wua *w)
{
	struct wbuf b;
	char *enc = NULL;
	size_t cap = 0;
	int rc = -1;

	wbuf_init(&b, 4096);
	for (int i = 0; i < w->nrevs; i++) {
		const struct wua_rev *v = &w->revs[i];
		size_t clen = v->core ? strlen(v->core) : 0, need = (clen + 2) / 3 * 4 + 1;

		if (need > cap) {
			char *ne = realloc(enc, need);
			if (ne == NULL)
				goto out;
			enc = ne;
			cap = need;
		}
		if (crypto_b64_encode(v->core ? v->core : "", clen, enc, cap) < 0)
			goto out;
		wbuf_printf(&b, "%lld %s %d %s %s %s %s\n", (long long)v->rid, v->uid,
		    v->revnum, v->leaf ? "leaf" : "nonleaf",
		    v->action[0] ? v->action : "-", v->installed ? "installed" : "-",
		    clen ? enc : "-");
	}
	if (!b.oom)
		rc = wua_state_write(w, "cache", b.p ? b.p : "", b.len);
out:
	free(enc);
	wbuf_free(&b);
	return rc;
}

/* --- registry, installed ---------------------------------------------------- */

/*
 * wua_state_in_registry - does the simulated registry hold value?  A line
 * matches when it is the value name or "Subkey\Value", case-insensitively
 * as the Windows registry compares names.
 */
int
wua_state_in_registry(const struct wua *w, const char *subkey, const char *value)
{
	size_t sl = subkey ? strlen(subkey) : 0;

	if (value == NULL)
		return 0;
	for (int i = 0; i < w->nregistry; i++) {
		const char *l = w->registry[i];

		if (strcasecmp(l, value) == 0)
			return 1;
		if (sl > 0 && strncasecmp(l, subkey, sl) == 0 && l[sl] == '\\' &&
		    strcasecmp(l + sl + 1, value) == 0)
			return 1;
	}
	return 0;
}

int
wua_state_is_installed(const struct wua *w, const char *uid)
{
	for (int i = 0; i < w->ninstalled; i++)
		if (strcasecmp(w->installed[i], uid) == 0)
			return 1;
	return 0;
}

int
wua_state_reload_installed(struct wua *w)
{
	state_free_list(w->installed, w->ninstalled);
	return state_read_list(w, "installed", &w->installed, &w->ninstalled);
}

/*
 * wua_state_append_installed - add uid to DIR/installed (once), appending
 * rather than rewriting so lines a test wrote stay as they are.
 */
int
wua_state_append_installed(struct wua *w, const char *uid)
{
	char path[4096];
	char **nv;
	FILE *f;

	if (wua_state_is_installed(w, uid))
		return 0;
	if (wua_state_path(w, "installed", path, sizeof(path)) == -1 ||
	    (f = fopen(path, "a")) == NULL)
		return -1;
	fprintf(f, "%s\n", uid);
	if (fclose(f) != 0)
		return -1;
	if ((nv = realloc(w->installed, (size_t)(w->ninstalled + 1) * sizeof(*nv))) == NULL)
		return -1;
	w->installed = nv;
	if ((w->installed[w->ninstalled] = strdup(uid)) == NULL)
		return -1;
	w->ninstalled++;
	return 0;
}

/* --- updates ----------------------------------------------------------------- */

static void
state_free_updates(struct wua *w)
{
	for (int i = 0; i < w->nupdates; i++) {
		free(w->updates[i].files);
		free(w->updates[i].members);
	}
	free(w->updates);
	w->updates = NULL;
	w->nupdates = 0;
}

/* Replace tabs and line breaks so a value stays inside its field. */
static void
state_field(struct wbuf *b, const char *s)
{
	for (; *s != '\0'; s++)
		wbuf_putc(b, *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

/* wua_state_save_updates - rewrite DIR/updates from w->updates (format above). */
int
wua_state_save_updates(struct wua *w)
{
	struct wbuf b;
	char sha1[41], sha256[65];
	int rc;

	wbuf_init(&b, 4096);
	for (int i = 0; i < w->nupdates; i++) {
		const struct wua_update *u = &w->updates[i];

		wbuf_printf(&b, "update\t%lld\t%s\t%d\t", (long long)u->rid, u->uid,
		    u->revnum);
		state_field(&b, u->title);
		wbuf_putc(&b, '\n');
		for (int k = 0; k < u->nmembers; k++)
			wbuf_printf(&b, "member\t%s\n", u->members[k]);
		for (int k = 0; k < u->nfiles; k++) {
			const struct wua_file *f = &u->files[k];

			wua_hex(f->sha1, 20, sha1);
			if (f->has_sha256)
				wua_hex(f->sha256, 32, sha256);
			else
				snprintf(sha256, sizeof(sha256), "-");
			wbuf_puts(&b, "file\t");
			state_field(&b, f->name);
			wbuf_printf(&b, "\t%llu\t%s\t%s\t", (unsigned long long)f->size,
			    sha1, sha256);
			state_field(&b, f->url[0] ? f->url : "-");
			wbuf_putc(&b, '\n');
		}
	}
	rc = b.oom ? -1 : wua_state_write(w, "updates", b.p ? b.p : "", b.len);
	wbuf_free(&b);
	return rc;
}

/* Split line at tabs into at most max fields; returns the count. */
static int
state_tabs(char *line, char **f, int max)
{
	int n = 0;

	while (n < max) {
		f[n++] = line;
		if ((line = strchr(line, '\t')) == NULL)
			break;
		*line++ = '\0';
	}
	return n;
}

/*
 * state_update_line - one line of DIR/updates: an "update" line starts an
 * update, "member" and "file" lines belong to the last one.  -1 for a line
 * of another shape or past the WUA_* bounds.
 */
static int
state_update_line(struct wua *w, char *line)
{
	char *f[7];
	int n = state_tabs(line, f, 7);
	struct wua_update *u = w->nupdates ? &w->updates[w->nupdates - 1] : NULL;
	int64_t v;

	if (strcmp(f[0], "update") == 0 && n == 5) {
		struct wua_update *nu;

		if (w->nupdates == WUA_CACHE_MAX ||
		    (nu = realloc(w->updates, (size_t)(w->nupdates + 1) * sizeof(*nu))) == NULL)
			return -1;
		w->updates = nu;
		u = &w->updates[w->nupdates];
		memset(u, 0, sizeof(*u));
		if (wua_parse_i64(f[1], strlen(f[1]), 1, INT32_MAX, &u->rid) == -1 ||
		    wua_guid_canon(f[2], u->uid) == -1 ||
		    wua_parse_i64(f[3], strlen(f[3]), 0, INT32_MAX, &v) == -1)
			return -1;
		u->revnum = (int)v;
		snprintf(u->title, sizeof(u->title), "%s", f[4]);
		w->nupdates++;
		return 0;
	}
	if (u == NULL)
		return -1;
	if (strcmp(f[0], "member") == 0 && n == 2) {
		char (*nm)[WUA_UID_LEN + 1];

		if (u->nmembers == WUA_MEMBERS_MAX ||
		    (nm = realloc(u->members, (size_t)(u->nmembers + 1) * sizeof(*nm))) == NULL)
			return -1;
		u->members = nm;
		return wua_guid_canon(f[1], u->members[u->nmembers++]);
	}
	if (strcmp(f[0], "file") == 0 && n == 6) {
		struct wua_file *nf, *fl;

		if (u->nfiles == WUA_FILES_MAX ||
		    (nf = realloc(u->files, (size_t)(u->nfiles + 1) * sizeof(*nf))) == NULL)
			return -1;
		u->files = nf;
		fl = &u->files[u->nfiles];
		memset(fl, 0, sizeof(*fl));
		snprintf(fl->name, sizeof(fl->name), "%s", f[1]);
		if (wua_parse_i64(f[2], strlen(f[2]), 0, INT64_MAX, &v) == -1 ||
		    wua_unhex(f[3], fl->sha1, 20) == -1)
			return -1;
		fl->size = (uint64_t)v;
		fl->has_sha256 = wua_unhex(f[4], fl->sha256, 32) == 0;
		snprintf(fl->url, sizeof(fl->url), "%s", strcmp(f[5], "-") ? f[5] : "");
		u->nfiles++;
		return 0;
	}
	return -1;
}

/* wua_state_load_updates - replace w->updates by DIR/updates; bad lines skipped. */
int
wua_state_load_updates(struct wua *w)
{
	char *buf, **lines = NULL;
	int n, bad = 0;

	state_free_updates(w);
	if ((buf = wua_state_read(w, "updates", NULL)) == NULL)
		return errno == ENOENT ? 0 : -1;
	if ((n = state_lines(buf, WUA_CACHE_MAX * 4, &lines)) < 0) {
		free(buf);
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (state_update_line(w, lines[i]) == -1)
			bad++;
	if (bad)
		fprintf(stderr, "wsusclient: %s/updates: %d bad line(s) ignored\n",
		    w->state, bad);
	free(lines);
	free(buf);
	return 0;
}

/* --- failures, sequence ------------------------------------------------------ */

/* wua_state_save_failed - DIR/failed: "UPDATEID 0xHRESULT" per failed update. */
int
wua_state_save_failed(struct wua *w, char (*uids)[WUA_UID_LEN + 1],
    const int32_t *hr, int n)
{
	struct wbuf b;
	int rc;

	wbuf_init(&b, 256);
	for (int i = 0; i < n; i++)
		wbuf_printf(&b, "%s 0x%08X\n", uids[i], (unsigned)hr[i]);
	rc = b.oom ? -1 : wua_state_write(w, "failed", b.p ? b.p : "", b.len);
	wbuf_free(&b);
	return rc;
}

/* The HRESULT recorded for uid by the last download run, 0 if none. */
int32_t
wua_state_failed_hr(const struct wua *w, const char *uid)
{
	char *buf = wua_state_read(w, "failed", NULL), *p, *nl;
	int32_t hr = 0;

	for (p = buf; p != NULL && *p != '\0'; p = nl ? nl + 1 : NULL) {
		unsigned long v;

		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
		if (strlen(p) > WUA_UID_LEN + 1 && strncasecmp(p, uid, WUA_UID_LEN) == 0 &&
		    p[WUA_UID_LEN] == ' ') {
			v = strtoul(p + WUA_UID_LEN + 1, NULL, 16);
			hr = (int32_t)(uint32_t)v;
			if (hr == 0)
				hr = WUA_HR_NOTDL;
			break;
		}
	}
	free(buf);
	return hr;
}

/* wua_state_next_sequence - the first of n consecutive SequenceNumbers. */
int
wua_state_next_sequence(struct wua *w, int n)
{
	char *buf = wua_state_read(w, "sequence", NULL), line[32];
	int64_t v = 1;

	if (buf != NULL) {
		size_t l = strcspn(buf, "\r\n");
		if (wua_parse_i64(buf, l, 1, INT32_MAX / 2, &v) == -1)
			v = 1;
		free(buf);
	}
	snprintf(line, sizeof(line), "%lld\n", (long long)v + n);
	(void)wua_state_write(w, "sequence", line, strlen(line));
	return (int)v;
}

/* --- open / free --------------------------------------------------------------- */

/*
 * wua_state_open - create the state directory (0700; an existing one of
 * ours is made 0700) and downloads/ when missing, make or read client.id, and load cookie, registry, installed,
 * cache and updates.  0 or -1 (with the reason on stderr).
 */
int
wua_state_open(struct wua *w)
{
	char path[4096];
	struct stat st;

	if (mkdir(w->state, 0700) == -1 && errno != EEXIST) {
		fprintf(stderr, "wsusclient: %s: %s\n", w->state, strerror(errno));
		return -1;
	}
	if (stat(w->state, &st) == -1 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "wsusclient: %s: not a directory\n", w->state);
		return -1;
	}
	/* It holds the client's cookies: private, even if a test made it. */
	if ((st.st_mode & 077) != 0 && st.st_uid == geteuid() &&
	    chmod(w->state, 0700) == -1) {
		fprintf(stderr, "wsusclient: %s: %s\n", w->state, strerror(errno));
		return -1;
	}
	if (wua_state_path(w, "downloads", path, sizeof(path)) == -1 ||
	    (mkdir(path, 0700) == -1 && errno != EEXIST)) {
		fprintf(stderr, "wsusclient: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (state_client_id(w) == -1 || state_load_cookie(w) == -1 ||
	    state_read_list(w, "registry", &w->registry, &w->nregistry) == -1 ||
	    wua_state_reload_installed(w) == -1 || state_load_cache(w) == -1 ||
	    wua_state_load_updates(w) == -1) {
		fprintf(stderr, "wsusclient: cannot read the state in %s\n", w->state);
		return -1;
	}
	return 0;
}

void
wua_state_free(struct wua *w)
{
	wua_state_clear_cache(w);
	free(w->revs);
	w->revs = NULL;
	w->caprevs = 0;
	state_free_list(w->registry, w->nregistry);
	state_free_list(w->installed, w->ninstalled);
	w->registry = w->installed = NULL;
	w->nregistry = w->ninstalled = 0;
	state_free_updates(w);
	free(w->cookie_data);
	free(w->auth_data);
	w->cookie_data = w->auth_data = NULL;
}
