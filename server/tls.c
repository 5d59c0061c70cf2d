/*
 * tls.c - TLS termination with mbedTLS (the only file that includes
 * mbedtls/ssl*.h).
 *
 * Owns: the TLS policy (TLS 1.2 only, ECDHE with AES-GCM or
 * ChaCha20-Poly1305, server preference, no CertificateRequest), the RNG,
 * the session-ticket keys (rotated by mbedTLS every
 * LIMIT_TLS_TICKET_ROTATE_S) and the session cache shared by every worker,
 * and the current certificate/key pair.  SIGHUP swaps in a new pair: a
 * struct tls_cfg is reference-counted, each connection holds the one it
 * was accepted with, so established connections never lose theirs.
 * Never touches sockets beyond the fd it is given, and never parses HTTP.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crt.h>

#include "server.h"

struct tls_cfg {
	atomic_int          refs;
	mbedtls_ssl_config  conf;
	mbedtls_x509_crt    chain;
	mbedtls_pk_context  key;
	unsigned char       endpoint[64];  /* tls-server-end-point (RFC 5929) */
	size_t              endpoint_len;
};

/*
 * Read-ahead: mbedTLS asks the BIO for a record header (5 bytes) and then
 * its body, two recv(2) calls per record and a third to learn the socket
 * is empty.  One recv into this buffer usually serves a whole request.
 */
#define TLS_READAHEAD 4096

struct tls_conn {
	mbedtls_ssl_context ssl;
	struct tls_cfg     *cfg;
	int                 fd;
	int                 drained;      /* last recv(2) hit EAGAIN */
	size_t              roff, rlen;   /* unread bytes: rbuf[roff..rlen) */
	unsigned char       rbuf[TLS_READAHEAD];
};

static mbedtls_entropy_context  tls_entropy;
static mbedtls_ctr_drbg_context tls_drbg;
static mbedtls_ssl_ticket_context tls_tickets;
static mbedtls_ssl_cache_context  tls_cache;
static pthread_mutex_t tls_cur_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tls_cfg *tls_cur;

/*
 * Server preference order: AES-128-GCM first (what Windows SChannel and
 * most clients pick), ChaCha20-Poly1305 (1.45x faster than GCM inside
 * mbedTLS), then AES-256-GCM.  ECDSA suites serve an EC certificate, RSA
 * suites an RSA one; nothing without forward secrecy or with CBC.
 */
static const int tls_suites[] = {
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	0
};

/* X25519 first: its ECDHE is the cheapest in mbedTLS 2.28 (PERF-NOTES). */
static const mbedtls_ecp_group_id tls_curves[] = {
	MBEDTLS_ECP_DP_CURVE25519, MBEDTLS_ECP_DP_SECP256R1,
	MBEDTLS_ECP_DP_SECP384R1, MBEDTLS_ECP_DP_NONE
};

/* Decode an mbedTLS error code for a log line (static per thread). */
static const char *
tls_strerror(int rc)
{
	static __thread char buf[160];

	mbedtls_strerror(rc, buf, sizeof(buf));
	return buf;
}

static void
tls_cfg_free(struct tls_cfg *c)
{
	if (c == NULL)
		return;
	mbedtls_ssl_config_free(&c->conf);
	mbedtls_x509_crt_free(&c->chain);
	mbedtls_pk_free(&c->key);     /* zeroizes the key material */
	free(c);
}

static void
tls_cfg_unref(struct tls_cfg *c)
{
	if (c != NULL && atomic_fetch_sub(&c->refs, 1) == 1)
		tls_cfg_free(c);
}

/*
 * tls_key_rewrap - re-wrap a parsed EC key (MBEDTLS_PK_ECKEY) as
 * MBEDTLS_PK_ECDSA so that signing does not go through a temporary
 * context that rebuilds the P-256 tables on every handshake (≈ 0.3 ms,
 * PERF-NOTES pitfall 7).  RSA keys are left alone.  Returns 0 or -1.
 */
static int
tls_key_rewrap(mbedtls_pk_context *key)
{
	mbedtls_pk_context w;
	int rc = -1;

	if (mbedtls_pk_get_type(key) != MBEDTLS_PK_ECKEY)
		return 0;
	mbedtls_pk_init(&w);
	if (mbedtls_pk_setup(&w, mbedtls_pk_info_from_type(MBEDTLS_PK_ECDSA)) != 0)
		goto out;
	if (mbedtls_ecdsa_from_keypair(mbedtls_pk_ec(w), mbedtls_pk_ec(*key)) != 0)
		goto out;
	mbedtls_pk_free(key);
	*key = w;
	mbedtls_pk_init(&w);
	rc = 0;
out:
	mbedtls_pk_free(&w);
	return rc;
}

/*
 * tls_endpoint_hash - RFC 5929 section 4.1: the hash of the leaf
 * certificate's DER, with the hash of its signature algorithm, except
 * that MD5 and SHA-1 become SHA-256.  What a client with Extended
 * Protection (Windows, requests-ntlm) binds its NTLM or Kerberos exchange
 * to; auth.c hands it to gss_accept_sec_context.
 */
static void
tls_endpoint_hash(struct tls_cfg *c)
{
	const mbedtls_x509_crt *crt = &c->chain;

	if (crt->sig_md == MBEDTLS_MD_SHA384 || crt->sig_md == MBEDTLS_MD_SHA512) {
		int is384 = crt->sig_md == MBEDTLS_MD_SHA384;

		mbedtls_sha512_ret(crt->raw.p, crt->raw.len, c->endpoint, is384);
		c->endpoint_len = is384 ? 48 : 64;
	} else {
		mbedtls_sha256_ret(crt->raw.p, crt->raw.len, c->endpoint, 0);
		c->endpoint_len = 32;
	}
}

/*
 * tls_cfg_load - a new configuration from PEM files.  Returns it with one
 * reference, or NULL after logging why.
 */
static struct tls_cfg *
tls_cfg_load(const char *cert_path, const char *key_path)
{
	struct tls_cfg *c;
	char err[256];
	int rc;

	if (config_check_secrecy(key_path, err, sizeof(err)) == -1) {
		log_warnx("%s: %s", __func__, err);
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("%s: calloc", __func__);
		return NULL;
	}
	atomic_init(&c->refs, 1);
	mbedtls_ssl_config_init(&c->conf);
	mbedtls_x509_crt_init(&c->chain);
	mbedtls_pk_init(&c->key);

	if ((rc = mbedtls_x509_crt_parse_file(&c->chain, cert_path)) != 0) {
		log_warnx("%s: certificate %s: %s", __func__, cert_path,
		    rc > 0 ? "some certificates in the file could not be parsed"
		    : tls_strerror(rc));
		goto fail;
	}
	tls_endpoint_hash(c);
	if ((rc = mbedtls_pk_parse_keyfile(&c->key, key_path, NULL)) != 0) {
		log_warnx("%s: key %s: %s", __func__, key_path, tls_strerror(rc));
		goto fail;
	}
	if (mbedtls_pk_check_pair(&c->chain.pk, &c->key) != 0) {
		log_warnx("%s: key %s does not match certificate %s", __func__,
		    key_path, cert_path);
		goto fail;
	}
	if (tls_key_rewrap(&c->key) == -1) {
		log_warnx("%s: cannot prepare EC key %s", __func__, key_path);
		goto fail;
	}
	if ((rc = mbedtls_ssl_config_defaults(&c->conf, MBEDTLS_SSL_IS_SERVER,
	    MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT)) != 0) {
		log_warnx("%s: ssl_config_defaults: %s", __func__, tls_strerror(rc));
		goto fail;
	}
	mbedtls_ssl_conf_rng(&c->conf, mbedtls_ctr_drbg_random, &tls_drbg);
	mbedtls_ssl_conf_min_version(&c->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
	    MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_max_version(&c->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
	    MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_ciphersuites(&c->conf, tls_suites);
	mbedtls_ssl_conf_curves(&c->conf, tls_curves);
	/* IIS "Client certificates: Ignore": never send a CertificateRequest. */
	mbedtls_ssl_conf_authmode(&c->conf, MBEDTLS_SSL_VERIFY_NONE);
	mbedtls_ssl_conf_renegotiation(&c->conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
	mbedtls_ssl_conf_session_tickets_cb(&c->conf, mbedtls_ssl_ticket_write,
	    mbedtls_ssl_ticket_parse, &tls_tickets);
	mbedtls_ssl_conf_session_cache(&c->conf, &tls_cache,
	    mbedtls_ssl_cache_get, mbedtls_ssl_cache_set);
	if ((rc = mbedtls_ssl_conf_own_cert(&c->conf, &c->chain, &c->key)) != 0) {
		log_warnx("%s: own_cert: %s", __func__, tls_strerror(rc));
		goto fail;
	}
	return c;
fail:
	tls_cfg_free(c);
	return NULL;
}

int
tls_init(const char *cert_path, const char *key_path)
{
	static const char pers[] = "wsusd tls";
	int rc;

	mbedtls_entropy_init(&tls_entropy);
	mbedtls_ctr_drbg_init(&tls_drbg);
	mbedtls_ssl_ticket_init(&tls_tickets);
	mbedtls_ssl_cache_init(&tls_cache);
	if ((rc = mbedtls_ctr_drbg_seed(&tls_drbg, mbedtls_entropy_func,
	    &tls_entropy, (const unsigned char *)pers, sizeof(pers) - 1)) != 0) {
		log_warnx("%s: ctr_drbg_seed: %s", __func__, tls_strerror(rc));
		return -1;
	}
	/*
	 * Ticket keys live only in memory and rotate every lifetime seconds
	 * (mbedTLS keeps the previous key to accept tickets it issued).
	 */
	if ((rc = mbedtls_ssl_ticket_setup(&tls_tickets, mbedtls_ctr_drbg_random,
	    &tls_drbg, MBEDTLS_CIPHER_AES_256_GCM, LIMIT_TLS_TICKET_ROTATE_S)) != 0) {
		log_warnx("%s: ticket_setup: %s", __func__, tls_strerror(rc));
		return -1;
	}
	mbedtls_ssl_cache_set_max_entries(&tls_cache, LIMIT_TLS_SESSION_CACHE);
	mbedtls_ssl_cache_set_timeout(&tls_cache, LIMIT_TLS_SESSION_LIFETIME_S);
	if ((tls_cur = tls_cfg_load(cert_path, key_path)) == NULL)
		return -1;
	return 0;
}

int
tls_reload(const char *cert_path, const char *key_path)
{
	struct tls_cfg *n, *old;

	if ((n = tls_cfg_load(cert_path, key_path)) == NULL) {
		log_warnx("TLS certificate reload failed; keeping the current certificate");
		return -1;
	}
	pthread_mutex_lock(&tls_cur_lock);
	old = tls_cur;
	tls_cur = n;
	pthread_mutex_unlock(&tls_cur_lock);
	tls_cfg_unref(old);
	return 0;
}

void
tls_shutdown(void)
{
	pthread_mutex_lock(&tls_cur_lock);
	tls_cfg_unref(tls_cur);
	tls_cur = NULL;
	pthread_mutex_unlock(&tls_cur_lock);
	mbedtls_ssl_cache_free(&tls_cache);
	mbedtls_ssl_ticket_free(&tls_tickets);
	mbedtls_ctr_drbg_free(&tls_drbg);
	mbedtls_entropy_free(&tls_entropy);
}

int
tls_server_end_point(uint8_t *out, size_t cap)
{
	int n = -1;

	pthread_mutex_lock(&tls_cur_lock);
	if (tls_cur != NULL && tls_cur->endpoint_len <= cap) {
		memcpy(out, tls_cur->endpoint, tls_cur->endpoint_len);
		n = (int)tls_cur->endpoint_len;
	}
	pthread_mutex_unlock(&tls_cur_lock);
	return n;
}

void
tls_log_policy(void)
{
	log_info("TLS policy: TLS 1.2 only, ECDHE (X25519, P-256, P-384) with "
	    "AES-128-GCM, ChaCha20-Poly1305, AES-256-GCM, server preference, "
	    "no client certificate request, session tickets (key rotated every "
	    "%d s) and a %d-entry session cache",
	    LIMIT_TLS_TICKET_ROTATE_S, LIMIT_TLS_SESSION_CACHE);
}

/* BIO callbacks over a non-blocking socket: mbedTLS sees WANT_READ/WRITE. */
static int
tls_bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct tls_conn *c = ctx;
	ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);

	if (n >= 0)
		return (int)n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	return MBEDTLS_ERR_NET_SEND_FAILED;
}

static int
tls_bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct tls_conn *c = ctx;
	ssize_t n;

	if (c->roff == c->rlen) {
		n = recv(c->fd, c->rbuf, sizeof(c->rbuf), 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
				c->drained = 1;
				return MBEDTLS_ERR_SSL_WANT_READ;
			}
			return MBEDTLS_ERR_NET_RECV_FAILED;
		}
		if (n == 0)
			return 0;
		c->roff = 0;
		c->rlen = (size_t)n;
	}
	if (len > c->rlen - c->roff)
		len = c->rlen - c->roff;
	memcpy(buf, c->rbuf + c->roff, len);
	c->roff += len;
	return (int)len;
}

struct tls_conn *
tls_conn_new(int fd)
{
	struct tls_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->fd = fd;
	mbedtls_ssl_init(&c->ssl);
	pthread_mutex_lock(&tls_cur_lock);
	c->cfg = tls_cur;
	if (c->cfg != NULL)
		atomic_fetch_add(&c->cfg->refs, 1);
	pthread_mutex_unlock(&tls_cur_lock);
	if (c->cfg == NULL || mbedtls_ssl_setup(&c->ssl, &c->cfg->conf) != 0) {
		tls_conn_free(c);
		return NULL;
	}
	mbedtls_ssl_set_bio(&c->ssl, c, tls_bio_send, tls_bio_recv, NULL);
	return c;
}

/* Map an mbedTLS return code to enum tls_io. */
static long
tls_io_result(struct tls_conn *c, int rc, const char *what)
{
	if (rc >= 0)
		return rc;
	switch (rc) {
	case MBEDTLS_ERR_SSL_WANT_READ:
		return TLS_IO_WANT_READ;
	case MBEDTLS_ERR_SSL_WANT_WRITE:
		return TLS_IO_WANT_WRITE;
	case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
		return TLS_IO_EOF;
	default:
		if (log_debug_enabled())
			log_debug("TLS %s on fd %d: %s", what, c->fd, tls_strerror(rc));
		return TLS_IO_ERR;
	}
}

int
tls_conn_handshake(struct tls_conn *c)
{
	return (int)tls_io_result(c, mbedtls_ssl_handshake(&c->ssl), "handshake");
}

long
tls_conn_read(struct tls_conn *c, void *buf, size_t len)
{
	int rc = mbedtls_ssl_read(&c->ssl, buf, len);

	if (rc == 0)
		return TLS_IO_EOF;     /* transport EOF without close_notify */
	return tls_io_result(c, rc, "read");
}

long
tls_conn_write(struct tls_conn *c, const void *buf, size_t len)
{
	return tls_io_result(c, mbedtls_ssl_write(&c->ssl, buf, len), "write");
}

int
tls_conn_close_notify(struct tls_conn *c)
{
	return (int)tls_io_result(c, mbedtls_ssl_close_notify(&c->ssl), "close_notify");
}

void
tls_conn_free(struct tls_conn *c)
{
	if (c == NULL)
		return;
	mbedtls_ssl_free(&c->ssl);
	tls_cfg_unref(c->cfg);
	free(c);
}


int
tls_conn_pending(const struct tls_conn *c)
{
	return c->roff < c->rlen || mbedtls_ssl_get_bytes_avail(&c->ssl) > 0;
}

int
tls_conn_drained(struct tls_conn *c)
{
	int d = c->drained;

	c->drained = 0;
	return d;
}

const char *
tls_conn_suite(const struct tls_conn *c)
{
	return mbedtls_ssl_get_ciphersuite(&c->ssl);
}
