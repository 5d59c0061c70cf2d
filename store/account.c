/*
 * account.c - the accounts of the admin API (ApiRemoting30) and the NTLM
 * password-hash file gss-ntlmssp reads.
 *
 * Owns: the accounts table and DATA_DIR/admin/ntlm-users.  A password
 * account keeps a PBKDF2-HMAC-SHA256 verifier (salt, iteration count) in
 * the database, for Basic; its NT hash, which NTLM needs and which is as
 * good as the password to an attacker, lives only in the 0600 file, which
 * is rewritten whole (temporary file, fsync, rename) inside the
 * transaction that changes the account.  A name with '@' is a Kerberos
 * principal: a role and no password.  Every change writes its audit row
 * through audit_write, with the role and whether a password changed,
 * never the password or anything derived from it.
 *
 * Never keeps a password or a hash in memory longer than the call: every
 * buffer holding one is wiped.  Never logs either.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "log.h"
#include "store_int.h"

#define ACCOUNT_ITERATIONS   100000  /* PBKDF2 rounds of a new verifier */
#define ACCOUNT_SALT_BYTES   16
#define ACCOUNT_KEY_BYTES    32      /* PBKDF2 output = SHA-256 size */
#define ACCOUNT_DIR          "admin" /* under data_dir, mode 0700 */
#define ACCOUNT_DIR_MODE     0700
#define ACCOUNT_NTLM_FILE    "ntlm-users"
#define ACCOUNT_NTLM_MODE    0600
#define ACCOUNT_NTLM_MAX     (4u << 20)  /* bytes of the file we read back */
#define ACCOUNT_NTLM_HEADER  "# wsusd NTLM accounts (smbpasswd format, read by " \
	"gss-ntlmssp through NTLM_USER_FILE); written by `wsusutil user` and " \
	"at start-up: do not edit\n"
#define ACCOUNT_LINE_MAX     (2 * STORE_ACCOUNT_NAME_MAX + 128)

static const char *const account_roles[] = {
	[STORE_ROLE_NONE] = "none",
	[STORE_ROLE_REPORTER] = "reporter",
	[STORE_ROLE_ADMINISTRATOR] = "administrator",
};

const char *
store_role_name(enum store_role r)
{
	switch (r) {
	case STORE_ROLE_ADMINISTRATOR: return "Administrator";
	case STORE_ROLE_REPORTER:      return "Reporter";
	default:                       return "None";
	}
}

enum store_role
store_role_parse(const char *name)
{
	if (name == NULL)
		return STORE_ROLE_NONE;
	if (strcasecmp(name, "administrator") == 0)
		return STORE_ROLE_ADMINISTRATOR;
	if (strcasecmp(name, "reporter") == 0)
		return STORE_ROLE_REPORTER;
	return STORE_ROLE_NONE;
}

/* account_role_col - the role column's text back to the enum. */
static enum store_role
account_role_col(const unsigned char *t)
{
	if (t == NULL)
		return STORE_ROLE_NONE;
	if (strcmp((const char *)t, "administrator") == 0)
		return STORE_ROLE_ADMINISTRATOR;
	if (strcmp((const char *)t, "reporter") == 0)
		return STORE_ROLE_REPORTER;
	return STORE_ROLE_NONE;
}

/*
 * account_name_ok - 1..255 bytes of printable ASCII, none of ':' (the NTLM
 * file's separator), '\\' (its domain separator), space, '#' first (a
 * comment there).  Returns 1 or 0.
 */
static int
account_name_ok(const char *name)
{
	size_t n;

	if (name == NULL)
		return 0;
	n = strnlen(name, STORE_ACCOUNT_NAME_MAX);
	if (n == 0 || n >= STORE_ACCOUNT_NAME_MAX || name[0] == '#' ||
	    name[0] == '@' || name[n - 1] == '@')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (name[i] <= 0x20 || name[i] >= 0x7f || name[i] == ':' ||
		    name[i] == '\\')
			return 0;
	return 1;
}

static int
account_is_principal(const char *name)
{
	return strchr(name, '@') != NULL;
}

/* One row of the accounts table, secrets included (wipe after use). */
struct account_row {
	int64_t          id;
	struct store_account pub;
	unsigned         iterations;
	uint8_t          salt[64];
	size_t           saltlen;
	uint8_t          verifier[ACCOUNT_KEY_BYTES];
};

static void
account_row_read(sqlite3_stmt *s, struct account_row *r)
{
	const void *b;
	int n;

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(s, 0);
	stmt_text(s, 1, r->pub.name, sizeof(r->pub.name));
	r->pub.role = account_role_col(sqlite3_column_text(s, 2));
	r->iterations = (unsigned)sqlite3_column_int64(s, 3);
	b = sqlite3_column_blob(s, 4);
	n = sqlite3_column_bytes(s, 4);
	if (b != NULL && n > 0 && (size_t)n <= sizeof(r->salt)) {
		memcpy(r->salt, b, (size_t)n);
		r->saltlen = (size_t)n;
	}
	b = sqlite3_column_blob(s, 5);
	n = sqlite3_column_bytes(s, 5);
	if (b != NULL && n == ACCOUNT_KEY_BYTES && r->iterations > 0 &&
	    r->saltlen > 0) {
		memcpy(r->verifier, b, ACCOUNT_KEY_BYTES);
		r->pub.has_password = 1;
	}
	r->pub.created = (time_t)sqlite3_column_int64(s, 6);
	r->pub.changed = (time_t)sqlite3_column_int64(s, 7);
}

/* account_find - 1 found (into *r), 0 not, -1 error. */
static int
account_find(struct store *st, const char *name, struct account_row *r,
    const char *caller)
{
	sqlite3_stmt *s;
	int rc;

	if (name == NULL || strnlen(name, STORE_ACCOUNT_NAME_MAX) >=
	    STORE_ACCOUNT_NAME_MAX)
		return 0;
	if ((s = stmt_get_text(st, STMT_ACCOUNT_GET, name, caller)) == NULL)
		return -1;
	if ((rc = store_step(st, s, caller)) == 1)
		account_row_read(s, r);
	stmt_release(s);
	return rc;
}

int
store_account_get(struct store *st, const char *name,
    struct store_account *out)
{
	struct account_row r;
	int rc;

	rc = account_find(st, name, &r, __func__);
	if (rc == 1 && out != NULL)
		*out = r.pub;
	crypto_wipe(&r, sizeof(r));
	return rc;
}

int
store_account_check_password(struct store *st, const char *name,
    const char *pw, size_t len, enum store_role *role)
{
	/* A fixed salt for the dummy derivation of an unknown name. */
	static const uint8_t dummy_salt[ACCOUNT_SALT_BYTES] = { 0x77, 0x73,
	    0x75, 0x73, 0x64, 0x2d, 0x6e, 0x6f, 0x2d, 0x73, 0x75, 0x63, 0x68 };
	struct account_row r;
	uint8_t dk[ACCOUNT_KEY_BYTES];
	int found, rc = 0;

	if (role != NULL)
		*role = STORE_ROLE_NONE;
	if (pw == NULL || len > STORE_PASSWORD_MAX)
		return 0;
	if ((found = account_find(st, name, &r, __func__)) == -1)
		return -1;
	if (found == 1 && r.pub.has_password) {
		if (crypto_pbkdf2_sha256(pw, len, r.salt, r.saltlen,
		    r.iterations, dk, sizeof(dk)) == -1)
			rc = -1;
		else if (crypto_ct_equal(dk, r.verifier, sizeof(dk))) {
			rc = 1;
			if (role != NULL)
				*role = r.pub.role;
		}
	} else {
		/* Same work for a name that does not exist or has no password. */
		(void)crypto_pbkdf2_sha256(pw, len, dummy_salt,
		    sizeof(dummy_salt), ACCOUNT_ITERATIONS, dk, sizeof(dk));
	}
	crypto_wipe(dk, sizeof(dk));
	crypto_wipe(&r, sizeof(r));
	return rc;
}

/* --- the NTLM file ------------------------------------------------------ */

/* One carried-over or new NT hash, by account name. */
struct account_nt {
	char    name[STORE_ACCOUNT_NAME_MAX];
	uint8_t nt[16];
};

struct account_ntset {
	struct account_nt *v;
	size_t             n, cap;
};

static void
account_ntset_free(struct account_ntset *s)
{
	if (s->v != NULL) {
		crypto_wipe(s->v, s->cap * sizeof(*s->v));
		free(s->v);
	}
	s->v = NULL;
	s->n = s->cap = 0;
}

static int
account_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * account_ntset_load - the NT hashes of the bare-name lines of the current
 * file (a missing file is an empty set).  Lines are
 * "name:uid:lm:NTHEX:flags:lct:"; anything else is skipped.  0 or -1.
 */
static int
account_ntset_load(struct store *st, struct account_ntset *set,
    const char *caller)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	char err[256];
	char *p, *line, *save = NULL;
	struct stat sb;

	if (stat(st->ntlm_path, &sb) == -1 && errno == ENOENT)
		return 0;
	if (crypto_read_file(st->ntlm_path, ACCOUNT_NTLM_MAX, &buf, &len, err,
	    sizeof(err)) == -1) {
		/* An empty file is no error for us: no accounts yet. */
		if (stat(st->ntlm_path, &sb) == 0 && sb.st_size == 0)
			return 0;
		log_warnx("%s: %s", caller, err);
		return -1;
	}
	for (line = strtok_r((char *)buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *f[5];
		int nf = 0;

		for (p = line; nf < 5; nf++) {
			f[nf] = p;
			if ((p = strchr(p, ':')) == NULL)
				break;
			*p++ = '\0';
		}
		if (nf < 4 || strchr(f[0], '\\') != NULL ||
		    strlen(f[3]) != 32 || strlen(f[0]) >= STORE_ACCOUNT_NAME_MAX)
			continue;
		if (set->n == set->cap) {
			size_t ncap = set->cap ? set->cap * 2 : 16;
			struct account_nt *nv = calloc(ncap, sizeof(*nv));

			if (nv == NULL) {
				log_warn("%s: calloc", caller);
				crypto_free_file(buf, len);
				return -1;
			}
			if (set->v != NULL) {
				memcpy(nv, set->v, set->n * sizeof(*nv));
				crypto_wipe(set->v, set->cap * sizeof(*nv));
				free(set->v);
			}
			set->v = nv;
			set->cap = ncap;
		}
		snprintf(set->v[set->n].name, sizeof(set->v[set->n].name),
		    "%s", f[0]);
		for (int i = 0; i < 16; i++) {
			int hi = account_hexval(f[3][2 * i]);
			int lo = account_hexval(f[3][2 * i + 1]);

			if (hi < 0 || lo < 0)
				break;
			set->v[set->n].nt[i] = (uint8_t)(hi << 4 | lo);
			if (i == 15)
				set->n++;
		}
	}
	crypto_free_file(buf, len);
	return 0;
}

/* account_ntset_find - the hash for name (any case), or NULL. */
static const uint8_t *
account_ntset_find(const struct account_ntset *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcasecmp(set->v[i].name, name) == 0)
			return set->v[i].nt;
	return NULL;
}

/* account_ntlm_line - append one line for (domain or NULL, name). */
static int
account_ntlm_line(char **out, size_t *len, size_t *cap, const char *domain,
    const char *name, int64_t uid, const uint8_t nt[16])
{
	static const char hex[] = "0123456789ABCDEF";
	char line[ACCOUNT_LINE_MAX], nthex[33];
	int n;

	for (int i = 0; i < 16; i++) {
		nthex[2 * i] = hex[nt[i] >> 4];
		nthex[2 * i + 1] = hex[nt[i] & 0xf];
	}
	nthex[32] = '\0';
	/* smbpasswd: NAME:UID:LMHASH:NTHASH:[flags]:LCT-time: */
	n = snprintf(line, sizeof(line),
	    "%s%s%s:%lld:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:%s:[U          ]:"
	    "LCT-00000000:\n", domain != NULL ? domain : "",
	    domain != NULL ? "\\" : "", name, (long long)uid, nthex);
	crypto_wipe(nthex, sizeof(nthex));
	if (n < 0 || (size_t)n >= sizeof(line)) {
		crypto_wipe(line, sizeof(line));
		return -1;
	}
	if (*len + (size_t)n + 1 > *cap) {
		size_t ncap = (*cap ? *cap * 2 : 4096) + (size_t)n;
		char *nb = malloc(ncap);

		if (nb == NULL) {
			crypto_wipe(line, sizeof(line));
			return -1;
		}
		if (*out != NULL) {
			memcpy(nb, *out, *len);
			crypto_wipe(*out, *cap);
			free(*out);
		}
		*out = nb;
		*cap = ncap;
	}
	memcpy(*out + *len, line, (size_t)n);
	*len += (size_t)n;
	crypto_wipe(line, sizeof(line));
	return 0;
}

/*
 * account_ntlm_owner - when root writes the file (wsusutil run without
 * runuser), give the directory and the file to the owner of data_dir:
 * gss-ntlmssp reads the file inside wsusd, which runs as that user, and a
 * root-owned 0600 file would lock every NTLM login out.
 */
static void
account_ntlm_owner(struct store *st, const char *dir, const char *caller)
{
	struct stat sb;

	if (geteuid() != 0 || stat(st->data_dir, &sb) == -1 || sb.st_uid == 0)
		return;
	if (lchown(dir, sb.st_uid, sb.st_gid) == -1 ||
	    lchown(st->ntlm_path, sb.st_uid, sb.st_gid) == -1)
		log_warn("%s: chown %s to the owner of %s", caller,
		    st->ntlm_path, st->data_dir);
}

/*
 * account_ntlm_rewrite - write the NTLM file from the accounts the store
 * holds now (inside the caller's transaction, so an account being added
 * is seen), with name's hash replaced by nt (name NULL: no change), the
 * others carried over from the current file.  Returns the number of
 * accounts written, or -1 (the file is then unchanged).
 */
static int
account_ntlm_rewrite(struct store *st, const char *domain, const char *name,
    const uint8_t nt[16], const char *caller)
{
	struct account_ntset set = { NULL, 0, 0 };
	struct account_row r;
	char dir[STORE_PATH_MAX], err[256];
	char *out = NULL;
	size_t len = 0, cap = 0;
	sqlite3_stmt *s = NULL;
	const uint8_t *h;
	int rc = -1, n = 0, step;

	if (domain == NULL || domain[0] == '\0' || strchr(domain, ':') ||
	    strchr(domain, '\\')) {
		log_warnx("%s: bad NTLM domain", caller);
		return -1;
	}
	if (snprintf(dir, sizeof(dir), "%.*s/%s", (int)sizeof(dir) - 8,
	    st->data_dir, ACCOUNT_DIR) < 0)
		return -1;
	if (mkdir(dir, ACCOUNT_DIR_MODE) == -1 && errno != EEXIST) {
		log_warn("%s: mkdir %s", caller, dir);
		return -1;
	}
	if (account_ntset_load(st, &set, caller) == -1)
		goto out;
	/* A comment line first (gss-ntlmssp skips lines starting '#'). */
	cap = 4096;
	if ((out = malloc(cap)) == NULL) {
		log_warn("%s: malloc", caller);
		goto out;
	}
	len = (size_t)snprintf(out, cap, "%s", ACCOUNT_NTLM_HEADER);
	s = stmt_get(st, STMT_ACCOUNT_EACH);
	while ((step = store_step(st, s, caller)) == 1) {
		account_row_read(s, &r);
		if (!r.pub.has_password || account_is_principal(r.pub.name)) {
			crypto_wipe(&r, sizeof(r));
			continue;
		}
		h = name != NULL && strcasecmp(name, r.pub.name) == 0 ? nt :
		    account_ntset_find(&set, r.pub.name);
		if (h == NULL) {
			log_warnx("%s: %s: no NT hash for account %s: NTLM "
			    "refuses it until `wsusutil user passwd %s`",
			    caller, st->ntlm_path, r.pub.name, r.pub.name);
			crypto_wipe(&r, sizeof(r));
			continue;
		}
		/*
		 * The domain-qualified line first: gss-ntlmssp takes the
		 * first line whose name (and domain, when the line has one)
		 * matches; the bare line serves clients that send another
		 * domain or none.
		 */
		if (account_ntlm_line(&out, &len, &cap, domain, r.pub.name,
		    r.id, h) == -1 ||
		    account_ntlm_line(&out, &len, &cap, NULL, r.pub.name, r.id,
		    h) == -1) {
			crypto_wipe(&r, sizeof(r));
			log_warnx("%s: NTLM line too long", caller);
			goto out;
		}
		crypto_wipe(&r, sizeof(r));
		n++;
	}
	if (step == -1)
		goto out;
	if (crypto_write_file(st->ntlm_path, out, len, ACCOUNT_NTLM_MODE, 0,
	    err, sizeof(err)) == -1) {
		log_warnx("%s: %s", caller, err);
		goto out;
	}
	account_ntlm_owner(st, dir, caller);
	rc = n;
out:
	stmt_release(s);
	if (out != NULL) {
		crypto_wipe(out, cap);
		free(out);
	}
	account_ntset_free(&set);
	return rc;
}

int
store_ntlm_write(struct store *st, const char *ntlm_domain)
{
	int n;

	/* A read transaction, so the accounts do not change under us. */
	if (store_begin(st, __func__) == -1)
		return -1;
	n = account_ntlm_rewrite(st, ntlm_domain, NULL, NULL, __func__);
	store_rollback(st, __func__);
	if (n >= 0)
		log_info("NTLM accounts: %d written to %s (domain %s)", n,
		    st->ntlm_path, ntlm_domain);
	return n;
}

const char *
store_ntlm_path(struct store *st)
{
	return st->ntlm_path;
}

/* --- changes -------------------------------------------------------- */

/*
 * account_secrets - a new salt and PBKDF2 verifier, and the NT hash, of
 * (pw, len).  0, or -1 (logged; everything wiped).
 */
static int
account_secrets(const char *pw, size_t len, uint8_t salt[ACCOUNT_SALT_BYTES],
    uint8_t dk[ACCOUNT_KEY_BYTES], uint8_t nt[16], const char *caller)
{
	if (pw == NULL || len == 0 || len > STORE_PASSWORD_MAX) {
		log_warnx("%s: a password is 1..%d bytes", caller,
		    STORE_PASSWORD_MAX);
		return -1;
	}
	if (memchr(pw, '\0', len) != NULL) {
		log_warnx("%s: a password cannot hold a NUL byte", caller);
		return -1;
	}
	if (crypto_random(salt, ACCOUNT_SALT_BYTES) == -1 ||
	    crypto_pbkdf2_sha256(pw, len, salt, ACCOUNT_SALT_BYTES,
	    ACCOUNT_ITERATIONS, dk, ACCOUNT_KEY_BYTES) == -1) {
		log_warnx("%s: cannot derive the password verifier", caller);
		goto fail;
	}
	if (crypto_nt_hash(pw, len, nt) == -1) {
		log_warnx("%s: the password is not UTF-8 text", caller);
		goto fail;
	}
	return 0;
fail:
	crypto_wipe(dk, ACCOUNT_KEY_BYTES);
	crypto_wipe(nt, 16);
	return -1;
}

/* account_json - an account as an audit value: never a secret. */
static const char *
account_json(const char *name, enum store_role role, int has_password,
    struct audit_json *j)
{
	audit_json_init(j);
	audit_json_str(j, "name", name);
	audit_json_str(j, "role", store_role_name(role));
	audit_json_raw(j, "password", has_password ? "true" : "false");
	return audit_json_end(j);
}

int
store_account_add(struct store *st, const char *name, enum store_role role,
    const char *pw, size_t len, const char *ntlm_domain,
    const struct store_actor *who)
{
	uint8_t salt[ACCOUNT_SALT_BYTES], dk[ACCOUNT_KEY_BYTES], nt[16];
	struct account_row old;
	struct audit_json ja;
	sqlite3_stmt *s;
	int principal, rc = -1, r;

	if (!audit_actor_ok(who, __func__))
		return -1;
	if (!account_name_ok(name)) {
		log_warnx("%s: bad account name (1..%d bytes of printable "
		    "ASCII without ':', '\\\\' or spaces)", __func__,
		    STORE_ACCOUNT_NAME_MAX - 1);
		return -1;
	}
	if (role != STORE_ROLE_ADMINISTRATOR && role != STORE_ROLE_REPORTER) {
		log_warnx("%s: role must be Administrator or Reporter",
		    __func__);
		return -1;
	}
	principal = account_is_principal(name);
	if (principal && pw != NULL) {
		log_warnx("%s: %s is a Kerberos principal: it takes no "
		    "password", __func__, name);
		return -1;
	}
	if (!principal && account_secrets(pw, len, salt, dk, nt,
	    __func__) == -1)
		return -1;
	if (store_begin(st, __func__) == -1)
		goto wipe;
	if ((r = account_find(st, name, &old, __func__)) != 0) {
		crypto_wipe(&old, sizeof(old));
		rc = r == 1 ? -3 : -1;
		goto out;
	}
	s = stmt_get(st, STMT_ACCOUNT_INSERT);
	if (sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, account_roles[role], -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    (principal ? sqlite3_bind_null(s, 3) :
	    sqlite3_bind_int64(s, 3, ACCOUNT_ITERATIONS)) != SQLITE_OK ||
	    (principal ? sqlite3_bind_null(s, 4) :
	    sqlite3_bind_blob(s, 4, salt, sizeof(salt), SQLITE_TRANSIENT)) !=
	    SQLITE_OK ||
	    (principal ? sqlite3_bind_null(s, 5) :
	    sqlite3_bind_blob(s, 5, dk, sizeof(dk), SQLITE_TRANSIENT)) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(s, 6, (sqlite3_int64)time(NULL)) != SQLITE_OK) {
		stmt_bind_failed(st, s, __func__);
		goto out;
	}
	if (stmt_run(st, s, NULL, __func__) == -1 ||
	    audit_write(st, who, "user.add", name, "", account_json(name, role,
	    !principal, &ja), __func__) == -1)
		goto out;
	if (!principal && account_ntlm_rewrite(st, ntlm_domain, name, nt,
	    __func__) == -1)
		goto out;
	if (store_commit(st, __func__) == -1) {
		/* The file may name an account that is not there: redo it. */
		goto rewrite;
	}
	log_info("%s: %s: account %s (%s) added by %s", __func__, st->path,
	    name, store_role_name(role), who->account);
	rc = 0;
	goto out;
rewrite:
	if (!principal && store_begin(st, __func__) == 0) {
		(void)account_ntlm_rewrite(st, ntlm_domain, NULL, NULL,
		    __func__);
		store_rollback(st, __func__);
	}
out:
	rc = store_end(st, rc, __func__);
wipe:
	crypto_wipe(salt, sizeof(salt));
	crypto_wipe(dk, sizeof(dk));
	crypto_wipe(nt, sizeof(nt));
	return rc;
}

int
store_account_passwd(struct store *st, const char *name, const char *pw,
    size_t len, const char *ntlm_domain, const struct store_actor *who)
{
	uint8_t salt[ACCOUNT_SALT_BYTES], dk[ACCOUNT_KEY_BYTES], nt[16];
	struct account_row old;
	struct audit_json jb, ja;
	sqlite3_stmt *s;
	int rc = -1, r;

	if (!audit_actor_ok(who, __func__))
		return -1;
	if (account_secrets(pw, len, salt, dk, nt, __func__) == -1)
		return -1;
	if (store_begin(st, __func__) == -1)
		goto wipe;
	if ((r = account_find(st, name, &old, __func__)) != 1 ||
	    account_is_principal(old.pub.name)) {
		rc = r == -1 ? -1 : -2;
		goto out;
	}
	s = stmt_get(st, STMT_ACCOUNT_SET_PASSWORD);
	if (sqlite3_bind_text(s, 1, old.pub.name, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, ACCOUNT_ITERATIONS) != SQLITE_OK ||
	    sqlite3_bind_blob(s, 3, salt, sizeof(salt), SQLITE_TRANSIENT) !=
	    SQLITE_OK ||
	    sqlite3_bind_blob(s, 4, dk, sizeof(dk), SQLITE_TRANSIENT) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, (sqlite3_int64)time(NULL)) != SQLITE_OK) {
		stmt_bind_failed(st, s, __func__);
		goto out;
	}
	/* "password changed" is all the row says about the password. */
	audit_json_init(&jb);
	audit_json_str(&jb, "role", store_role_name(old.pub.role));
	audit_json_int(&jb, "password_changed", (int64_t)old.pub.changed);
	audit_json_init(&ja);
	audit_json_str(&ja, "role", store_role_name(old.pub.role));
	audit_json_int(&ja, "password_changed", (int64_t)time(NULL));
	if (stmt_run(st, s, NULL, __func__) == -1 ||
	    audit_write(st, who, "user.passwd", old.pub.name,
	    audit_json_end(&jb), audit_json_end(&ja), __func__) == -1 ||
	    account_ntlm_rewrite(st, ntlm_domain, old.pub.name, nt,
	    __func__) == -1)
		goto out;
	if (store_commit(st, __func__) == -1) {
		/* The file holds the new hash, the store the old verifier:
		 * put the file back in line with the store. */
		if (store_begin(st, __func__) == 0) {
			(void)account_ntlm_rewrite(st, ntlm_domain, NULL, NULL,
			    __func__);
			store_rollback(st, __func__);
		}
		goto out;
	}
	log_info("%s: %s: password of %s changed by %s", __func__, st->path,
	    old.pub.name, who->account);
	rc = 0;
out:
	crypto_wipe(&old, sizeof(old));
	rc = store_end(st, rc, __func__);
wipe:
	crypto_wipe(salt, sizeof(salt));
	crypto_wipe(dk, sizeof(dk));
	crypto_wipe(nt, sizeof(nt));
	return rc;
}

int
store_account_set_role(struct store *st, const char *name,
    enum store_role role, const struct store_actor *who)
{
	struct account_row old;
	struct audit_json jb, ja;
	sqlite3_stmt *s;
	int rc = -1, r;

	if (!audit_actor_ok(who, __func__))
		return -1;
	if (role != STORE_ROLE_ADMINISTRATOR && role != STORE_ROLE_REPORTER) {
		log_warnx("%s: role must be Administrator or Reporter",
		    __func__);
		return -1;
	}
	if (store_begin(st, __func__) == -1)
		return -1;
	if ((r = account_find(st, name, &old, __func__)) != 1) {
		rc = r == 0 ? -2 : -1;
		goto out;
	}
	s = stmt_get(st, STMT_ACCOUNT_SET_ROLE);
	if (sqlite3_bind_text(s, 1, old.pub.name, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK ||
	    sqlite3_bind_text(s, 2, account_roles[role], -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, (sqlite3_int64)time(NULL)) != SQLITE_OK) {
		stmt_bind_failed(st, s, __func__);
		goto out;
	}
	if (stmt_run(st, s, NULL, __func__) == -1 ||
	    audit_write(st, who, "user.role", old.pub.name,
	    account_json(old.pub.name, old.pub.role, old.pub.has_password, &jb),
	    account_json(old.pub.name, role, old.pub.has_password, &ja),
	    __func__) == -1 ||
	    store_commit(st, __func__) == -1)
		goto out;
	rc = 0;
out:
	crypto_wipe(&old, sizeof(old));
	return store_end(st, rc, __func__);
}

int
store_account_del(struct store *st, const char *name,
    const char *ntlm_domain, const struct store_actor *who)
{
	struct account_row old;
	struct audit_json jb;
	int rc = -1, r;

	if (!audit_actor_ok(who, __func__))
		return -1;
	if (store_begin(st, __func__) == -1)
		return -1;
	if ((r = account_find(st, name, &old, __func__)) != 1) {
		rc = r == 0 ? -2 : -1;
		goto out;
	}
	if (stmt_run_text(st, STMT_ACCOUNT_DELETE, old.pub.name, NULL,
	    __func__) == -1 ||
	    audit_write(st, who, "user.delete", old.pub.name,
	    account_json(old.pub.name, old.pub.role, old.pub.has_password, &jb),
	    "", __func__) == -1)
		goto out;
	/* Its lines go now, before the commit: never a stale way in. */
	if (old.pub.has_password && account_ntlm_rewrite(st, ntlm_domain, NULL,
	    NULL, __func__) == -1)
		goto out;
	if (store_commit(st, __func__) == -1)
		goto out;
	log_info("%s: %s: account %s deleted by %s", __func__, st->path,
	    old.pub.name, who->account);
	rc = 0;
out:
	crypto_wipe(&old, sizeof(old));
	return store_end(st, rc, __func__);
}

int
store_account_each(struct store *st,
    int (*cb)(void *arg, const struct store_account *a), void *arg)
{
	sqlite3_stmt *s = stmt_get(st, STMT_ACCOUNT_EACH);
	struct account_row r;
	int rc = -1, n;

	while ((n = store_step(st, s, __func__)) == 1) {
		account_row_read(s, &r);
		crypto_wipe(r.verifier, sizeof(r.verifier));
		if (cb(arg, &r.pub) != 0)
			goto out;
	}
	if (n == 0)
		rc = 0;
out:
	crypto_wipe(&r, sizeof(r));
	stmt_release(s);
	return rc;
}
