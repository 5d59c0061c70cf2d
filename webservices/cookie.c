/*
 * cookie.c - issue and check the authorization cookie (SimpleAuth
 * CookieData) and the client cookie (ClientWebService EncryptedData).
 *
 * Owns: the server cookie key (a static, loaded once from
 * data_dir/cookie.key or created there), the one fixed binary layout both
 * cookies share, and GUID text <-> bytes for the ids they carry.
 *
 * Never does: interpret anything a client sends beyond the fixed layout
 * below (no serializer, no type tags, no lengths taken from the input:
 * CVE-2025-59287 was WSUS deserialising AuthorizationCookie data with
 * BinaryFormatter); include mbedTLS (all crypto goes through
 * common/crypto.h); log a bad cookie above debug level (it is a SOAP
 * fault for the caller to raise, not a server problem).
 *
 * Layout, 108 bytes, sent as 144 characters of padded base64:
 *
 *   offset size  field
 *        0    1  version = 1                    \
 *        1    1  kind (enum cookie_kind)          | clear, authenticated
 *        2    2  reserved = 0                    | as GCM associated data
 *        4    4  key id, little-endian          /
 *        8   12  GCM nonce (random per cookie)
 *       20   72  ciphertext of the payload:
 *                  0 computer_id 16, 16 group_id 16,
 *                  32 issued 8, 40 expires 8, 48 config_gen 8 (int64 LE),
 *                  56 server_id 16
 *       92   16  GCM tag
 *
 * The payload is encrypted, not just MAC'd, so a client learns nothing
 * about server ids or generations from its cookie (MS-WUSP says the real
 * expiry "SHOULD be stored in EncryptedData").  The key id lets a future
 * key rotation tell "old key" from "garbage"; today there is one key and
 * any other id is COOKIE_INVALID.  Version, kind and key id are checked
 * only after the tag where the order of checks says so, and every check
 * before the tag is on public bytes, so nothing secret-dependent leaks
 * through timing.
 *
 * Key file: 36 bytes = 32 AES-256 key bytes || key id (uint32 LE), mode
 * 0600.  Kept stable across restarts (and across `wsusutil configuressl`)
 * so clients do not all see InvalidCookie after a restart.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cookie.h"
#include "crypto.h"
#include "log.h"

#define COOKIE_VERSION       1
#define COOKIE_HDR_BYTES     8     /* version, kind, reserved, key id */
#define COOKIE_NONCE_BYTES   12
#define COOKIE_TAG_BYTES     16
#define COOKIE_PAYLOAD_BYTES 72
#define COOKIE_BLOB_BYTES    (COOKIE_HDR_BYTES + COOKIE_NONCE_BYTES + \
                              COOKIE_PAYLOAD_BYTES + COOKIE_TAG_BYTES)

/* Payload offsets. */
#define COOKIE_P_COMPUTER    0
#define COOKIE_P_GROUP       16
#define COOKIE_P_ISSUED      32
#define COOKIE_P_EXPIRES     40
#define COOKIE_P_CONFIG_GEN  48
#define COOKIE_P_SERVER      56

#define COOKIE_KEY_BYTES     32
#define COOKIE_KEYFILE_BYTES (COOKIE_KEY_BYTES + 4)
#define COOKIE_KEYFILE_NAME  "cookie.key"
#define COOKIE_KEYFILE_MODE  0600

_Static_assert(COOKIE_P_SERVER + 16 == COOKIE_PAYLOAD_BYTES,
    "payload layout");
_Static_assert(COOKIE_BLOB_BYTES == 108, "blob layout");
_Static_assert((COOKIE_BLOB_BYTES + 2) / 3 * 4 == COOKIE_B64_LEN,
    "COOKIE_B64_LEN matches the blob");
_Static_assert(COOKIE_B64_LEN <= COOKIE_B64_MAX, "COOKIE_B64_MAX too small");

/* The key material: read-only between cookie_init and cookie_shutdown. */
static uint8_t  cookie_key[COOKIE_KEY_BYTES];
static uint32_t cookie_key_id;
static int      cookie_ready;

/* --- little-endian fields ------------------------------------------------- */

static void
cookie_put_le32(uint8_t *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t
cookie_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* int64 as its two's-complement bit pattern, little-endian. */
static void
cookie_put_le64(uint8_t *p, int64_t v)
{
	uint64_t u = (uint64_t)v;
	int      i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(u >> (8 * i));
}

static int64_t
cookie_get_le64(const uint8_t *p)
{
	uint64_t u = 0;
	int      i;

	for (i = 7; i >= 0; i--)
		u = u << 8 | p[i];
	/* Implementation-defined above INT64_MAX, but gcc/clang wrap. */
	return (int64_t)u;
}

/* --- the key file ----------------------------------------------------------- */

/* Forget the key (and any copy of it in mat). */
static void
cookie_forget(uint8_t *mat, size_t n)
{
	crypto_wipe(cookie_key, sizeof(cookie_key));
	cookie_key_id = 0;
	cookie_ready = 0;
	if (mat != NULL)
		crypto_wipe(mat, n);
}

/*
 * cookie_key_read - read the 36-byte key file at path into mat.
 * Returns 1 when loaded, 0 when the file does not exist, -1 (logged)
 * when it cannot be read or is refused: not a regular file or a
 * symlink (O_NOFOLLOW), any permission bit for group or others, or a
 * size other than COOKIE_KEYFILE_BYTES.  mat is wiped unless 1.
 */
static int
cookie_key_read(const char *path, uint8_t mat[COOKIE_KEYFILE_BYTES])
{
	struct stat st;
	size_t      off = 0;
	ssize_t     n;
	uint8_t     extra;
	int         fd = -1, rc = -1;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		return 0;
	if (fd == -1) {
		log_warn("%s: cannot open %s", __func__, path);
		goto out;
	}
	if (fstat(fd, &st) == -1) {
		log_warn("%s: cannot stat %s", __func__, path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		log_warnx("%s: refusing %s: not a regular file", __func__, path);
		goto out;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		log_warnx("%s: refusing %s: mode %04o lets group or others "
		    "at the cookie key (chmod 0600 it)", __func__, path,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_size != COOKIE_KEYFILE_BYTES) {
		log_warnx("%s: refusing %s: %lld bytes, a cookie key file has "
		    "%d", __func__, path, (long long)st.st_size,
		    COOKIE_KEYFILE_BYTES);
		goto out;
	}
	while (off < COOKIE_KEYFILE_BYTES) {
		n = read(fd, mat + off, COOKIE_KEYFILE_BYTES - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_warn("%s: cannot read %s", __func__, path);
			goto out;
		}
		if (n == 0)
			break;
		off += (size_t)n;
	}
	/* Re-checked by reading: the file may have changed since fstat. */
	if (off != COOKIE_KEYFILE_BYTES || read(fd, &extra, 1) != 0) {
		log_warnx("%s: refusing %s: not exactly %d bytes", __func__,
		    path, COOKIE_KEYFILE_BYTES);
		goto out;
	}
	rc = 1;
out:
	if (rc != 1)
		crypto_wipe(mat, COOKIE_KEYFILE_BYTES);
	if (fd != -1)
		close(fd);
	return rc;
}

/* Best effort: make a rename in dir durable. */
static void
cookie_sync_dir(const char *dir)
{
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	(void)fsync(fd);
	close(fd);
}

/*
 * cookie_key_create - make a new key file at path (in directory dir)
 * holding mat: written to a fresh 0600 temporary (mkostemp: O_EXCL,
 * mode 0600 whatever the umask), fsync'd, then renamed to path without
 * ever replacing an existing file (renameat2 RENAME_NOREPLACE, or
 * link(2) where the file system lacks it), so two processes starting
 * together agree on one key.  Returns 0 when ours is in place, 1 when
 * path appeared meanwhile (the caller reads that one), -1 (logged) on
 * error.  The temporary never outlives the call.
 */
static int
cookie_key_create(const char *dir, const char *path,
    const uint8_t mat[COOKIE_KEYFILE_BYTES])
{
	char    tmp[PATH_MAX];
	size_t  off = 0;
	ssize_t n;
	int     fd = -1, rc = -1, made = 0, r;

	r = snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir,
	    COOKIE_KEYFILE_NAME);
	if (r < 0 || (size_t)r >= sizeof(tmp)) {
		log_warnx("%s: %s: path too long", __func__, dir);
		goto out;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		log_warn("%s: cannot create a temporary key file in %s",
		    __func__, dir);
		goto out;
	}
	made = 1;
	if (fchmod(fd, COOKIE_KEYFILE_MODE) == -1) {
		log_warn("%s: cannot chmod %s", __func__, tmp);
		goto out;
	}
	while (off < COOKIE_KEYFILE_BYTES) {
		n = write(fd, mat + off, COOKIE_KEYFILE_BYTES - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_warn("%s: cannot write %s", __func__, tmp);
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1) {
		log_warn("%s: cannot fsync %s", __func__, tmp);
		goto out;
	}
	r = close(fd);
	fd = -1;
	if (r == -1) {
		log_warn("%s: cannot close %s", __func__, tmp);
		goto out;
	}
	r = renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE);
	if (r == 0)
		made = 0;   /* tmp is now path */
	if (r == -1 && (errno == EINVAL || errno == ENOSYS)) {
		/* No RENAME_NOREPLACE here: link(2) never replaces either. */
		r = link(tmp, path);
	}
	if (r == -1 && errno == EEXIST) {
		rc = 1;
		goto out;
	}
	if (r == -1) {
		log_warn("%s: cannot rename %s to %s", __func__, tmp, path);
		goto out;
	}
	cookie_sync_dir(dir);
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	/* Whether or not link(2) put it at path, tmp's name goes. */
	if (made)
		(void)unlink(tmp);
	return rc;
}

int
cookie_init(const char *data_dir)
{
	uint8_t mat[COOKIE_KEYFILE_BYTES];
	char    path[PATH_MAX];
	int     attempt, r, rc = -1;

	cookie_forget(NULL, 0);
	memset(mat, 0, sizeof(mat));
	if (data_dir == NULL || data_dir[0] == '\0') {
		log_warnx("%s: no data directory", __func__);
		goto out;
	}
	r = snprintf(path, sizeof(path), "%s/%s", data_dir,
	    COOKIE_KEYFILE_NAME);
	if (r < 0 || (size_t)r >= sizeof(path)) {
		log_warnx("%s: %s: path too long", __func__, data_dir);
		goto out;
	}
	/* Twice at most: missing -> create; lost a race -> read the winner's. */
	for (attempt = 0; attempt < 2; attempt++) {
		if ((r = cookie_key_read(path, mat)) == -1)
			goto out;
		if (r == 1)
			break;
		if (crypto_random(mat, sizeof(mat)) == -1) {
			log_warnx("%s: no randomness for a new cookie key",
			    __func__);
			goto out;
		}
		/* Key id 0 is never issued, so all-zero state is never valid. */
		if (cookie_get_le32(mat + COOKIE_KEY_BYTES) == 0)
			cookie_put_le32(mat + COOKIE_KEY_BYTES, 1);
		if ((r = cookie_key_create(data_dir, path, mat)) == -1)
			goto out;
		if (r == 0) {
			log_info("%s: created cookie key %s", __func__, path);
			break;
		}
		crypto_wipe(mat, sizeof(mat));
	}
	if (attempt == 2) {
		log_warnx("%s: %s keeps disappearing", __func__, path);
		goto out;
	}
	memcpy(cookie_key, mat, COOKIE_KEY_BYTES);
	cookie_key_id = cookie_get_le32(mat + COOKIE_KEY_BYTES);
	cookie_ready = 1;
	rc = 0;
out:
	crypto_wipe(mat, sizeof(mat));
	if (rc == -1)
		cookie_forget(NULL, 0);
	return rc;
}

void
cookie_shutdown(void)
{
	cookie_forget(NULL, 0);
}

/* --- sealing and opening ----------------------------------------------------- */

int
cookie_seal(struct cookie *c, char *b64, size_t b64len)
{
	uint8_t blob[COOKIE_BLOB_BYTES];
	uint8_t pt[COOKIE_PAYLOAD_BYTES];
	long    n;
	int     rc = -1;

	memset(blob, 0, sizeof(blob));
	memset(pt, 0, sizeof(pt));
	if (b64 != NULL && b64len > 0)
		b64[0] = '\0';
	if (c == NULL || b64 == NULL || b64len < COOKIE_B64_LEN + 1)
		goto out;
	if (!cookie_ready) {
		log_warnx("%s: no cookie key loaded", __func__);
		goto out;
	}
	if (!COOKIE_KIND_OK(c->kind) ||
	    c->expires < c->issued)
		goto out;

	c->key_id = cookie_key_id;
	blob[0] = COOKIE_VERSION;
	blob[1] = (uint8_t)c->kind;
	blob[2] = 0;
	blob[3] = 0;
	cookie_put_le32(blob + 4, c->key_id);

	memcpy(pt + COOKIE_P_COMPUTER, c->computer_id, 16);
	memcpy(pt + COOKIE_P_GROUP, c->group_id, 16);
	cookie_put_le64(pt + COOKIE_P_ISSUED, c->issued);
	cookie_put_le64(pt + COOKIE_P_EXPIRES, c->expires);
	cookie_put_le64(pt + COOKIE_P_CONFIG_GEN, c->config_gen);
	memcpy(pt + COOKIE_P_SERVER, c->server_id, 16);

	n = crypto_aead_seal(cookie_key, blob, COOKIE_HDR_BYTES, pt,
	    sizeof(pt), blob + COOKIE_HDR_BYTES,
	    sizeof(blob) - COOKIE_HDR_BYTES);
	if (n != COOKIE_BLOB_BYTES - COOKIE_HDR_BYTES) {
		log_warnx("%s: cannot seal a cookie", __func__);
		goto out;
	}
	if (crypto_b64_encode(blob, sizeof(blob), b64, b64len) !=
	    COOKIE_B64_LEN)
		goto out;
	rc = 0;
out:
	crypto_wipe(pt, sizeof(pt));
	if (rc == -1 && b64 != NULL && b64len > 0)
		b64[0] = '\0';
	return rc;
}

enum cookie_status
cookie_open(const char *b64, size_t len, enum cookie_kind want,
    const uint8_t server_id[16], int64_t config_gen, int64_t now,
    struct cookie *out)
{
	/* Big enough for any base64 within COOKIE_B64_MAX. */
	uint8_t            blob[COOKIE_B64_MAX / 4 * 3];
	uint8_t            pt[COOKIE_PAYLOAD_BYTES];
	enum cookie_status st = COOKIE_INVALID;
	long               n;

	memset(out, 0, sizeof(*out));
	memset(pt, 0, sizeof(pt));
	if (!cookie_ready || b64 == NULL || len == 0 || len > COOKIE_B64_MAX)
		goto out;
	n = crypto_b64_decode(b64, len, blob, sizeof(blob));
	if (n != COOKIE_BLOB_BYTES)
		goto out;
	if (blob[0] != COOKIE_VERSION || blob[2] != 0 || blob[3] != 0 ||
	    cookie_get_le32(blob + 4) != cookie_key_id)
		goto out;
	/* The header goes in as associated data: kind is covered by the tag. */
	n = crypto_aead_open(cookie_key, blob, COOKIE_HDR_BYTES,
	    blob + COOKIE_HDR_BYTES, COOKIE_BLOB_BYTES - COOKIE_HDR_BYTES,
	    pt, sizeof(pt));
	if (n != COOKIE_PAYLOAD_BYTES)
		goto out;
	if (blob[1] != (uint8_t)want ||
	    !COOKIE_KIND_OK(want))
		goto out;

	/* Authentic from here on: fill *out whatever the verdict. */
	out->kind = want;
	memcpy(out->computer_id, pt + COOKIE_P_COMPUTER, 16);
	memcpy(out->group_id, pt + COOKIE_P_GROUP, 16);
	out->issued = cookie_get_le64(pt + COOKIE_P_ISSUED);
	out->expires = cookie_get_le64(pt + COOKIE_P_EXPIRES);
	out->config_gen = cookie_get_le64(pt + COOKIE_P_CONFIG_GEN);
	memcpy(out->server_id, pt + COOKIE_P_SERVER, 16);
	out->key_id = cookie_key_id;

	if (!crypto_ct_equal(out->server_id, server_id, 16))
		st = COOKIE_SERVER_CHANGED;
	else if (out->expires < now)
		st = COOKIE_EXPIRED;
	else if (out->config_gen != config_gen)
		st = COOKIE_CONFIG_CHANGED;
	else
		st = COOKIE_OK;
out:
	crypto_wipe(pt, sizeof(pt));
	if (st == COOKIE_INVALID)
		memset(out, 0, sizeof(*out));
	return st;
}

/* --- GUID text ------------------------------------------------------------------ */

/* Value of one hex digit, either case, or -1. */
static int
cookie_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Offsets of the hyphens in 8-4-4-4-12. */
static int
cookie_is_hyphen_at(size_t i)
{
	return i == 8 || i == 13 || i == 18 || i == 23;
}

int
cookie_guid_parse(const char *s, size_t len, uint8_t out[16])
{
	size_t i, k = 0;
	int    hi = -1, v;

	memset(out, 0, 16);
	if (s == NULL)
		return -1;
	if (len == 38 && s[0] == '{' && s[37] == '}') {
		s++;
		len = 36;
	}
	if (len != 36)
		goto bad;
	for (i = 0; i < 36; i++) {
		if (cookie_is_hyphen_at(i)) {
			if (s[i] != '-')
				goto bad;
			continue;
		}
		if ((v = cookie_hexval(s[i])) == -1)
			goto bad;
		if (hi == -1) {
			hi = v;
		} else {
			out[k++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return 0;
bad:
	memset(out, 0, 16);
	return -1;
}

void
cookie_guid_format(const uint8_t g[16], char out[COOKIE_GUID_TEXT])
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[g[i] >> 4];
		out[o++] = hex[g[i] & 0x0f];
	}
	out[o] = '\0';
}
