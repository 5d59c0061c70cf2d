/*
 * auth.c - who is calling the admin plane (/ApiRemoting30/WebService.asmx):
 * Negotiate (Kerberos or NTLM in SPNEGO, or a raw NTLM token as Windows
 * sends it), NTLM, and optionally Basic, mapped to a store account and its
 * role.  The only file that includes gssapi headers.
 *
 * Owns: the acceptor credentials (MIT krb5's libgssapi_krb5; NTLM through
 * Debian's gss-ntlmssp mechanism, which reads the password-hash file that
 * store/ writes), one security context per TLS connection (struct
 * auth_conn, kept by http.c in the connection's socket context, so the
 * 401 round trips of one exchange and every later request on that
 * connection share it, as IIS does), the channel-binding policy
 * (tls-server-end-point from tls.c), the per-address failure counter and
 * the timer thread that answers a failed attempt after its delay without
 * holding any I/O thread.
 *
 * Never: implements NTLM or Kerberos itself (the one thing read from an
 * NTLM message by hand is the user name, for the log line of a failure);
 * calls GSSAPI with a token longer than LIMIT_AUTH_TOKEN_BYTES or that is
 * not canonical base64; changes the process environment after auth_init;
 * sees libmicrohttpd (http.c hands it header values and gets a verdict).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>

#include "server.h"
#include "ws.h"

/* 1.3.6.1.4.1.311.2.2.10 (NTLMSSP) and 1.3.6.1.5.5.2 (SPNEGO). */
static gss_OID_desc auth_oid_ntlm = { 10, (void *)"\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a" };
static gss_OID_desc auth_oid_spnego = { 6, (void *)"\x2b\x06\x01\x05\x05\x02" };

/* The Version field gss-ntlmssp expects in a NEGOTIATE_MESSAGE (bytes). */
#define AUTH_NTLM_PAD 8

enum auth_scheme { AS_NONE, AS_NEGOTIATE, AS_NTLM, AS_BASIC };

/* One TLS connection's authentication state (see http.c). */
struct auth_conn {
	gss_ctx_id_t      ctx;          /* exchange in progress, or done */
	enum auth_scheme  scheme;       /* of the exchange in progress */
	int               done;         /* account holds who this connection is */
	char              account[LIMIT_AUTH_ACCOUNT_BYTES + 1];
};

/* What auth_init settled. */
static struct {
	int               ready;
	int               basic;        /* [admin] basic = yes */
	enum auth_cb { CB_OFF, CB_ACCEPT, CB_REQUIRE } cb;
	int               negotiate;    /* a keytab: offer Negotiate */
	gss_cred_id_t     spnego_cred;  /* keytab + NTLM under SPNEGO */
	gss_cred_id_t     ntlm_cred;    /* NTLM alone */
	char              ntlm_domain[CONF_NAME_MAX];
	char              data_dir[CONF_PATH_MAX];
} auth;

/* --- the per-thread store handle (role lookups) ------------------------ */

static pthread_key_t  auth_store_key;
static pthread_once_t auth_store_once = PTHREAD_ONCE_INIT;

static void
auth_store_destroy(void *p)
{
	store_close(p);
}

static void
auth_store_key_init(void)
{
	pthread_key_create(&auth_store_key, auth_store_destroy);
}

/* auth_store - this thread's store handle, opened on first use; NULL when
 * it cannot be opened (logged by store_open). */
static struct store *
auth_store(void)
{
	struct store *st;

	pthread_once(&auth_store_once, auth_store_key_init);
	if ((st = pthread_getspecific(auth_store_key)) != NULL)
		return st;
	if ((st = store_open(auth.data_dir)) == NULL)
		return NULL;
	pthread_setspecific(auth_store_key, st);
	return st;
}

/* --- GSSAPI status as text --------------------------------------------- */

/* auth_gss_err - the major and minor status as one line (into buf). */
static const char *
auth_gss_err(OM_uint32 maj, OM_uint32 min, gss_OID mech, char *buf, size_t len)
{
	OM_uint32 m, more = 0;
	gss_buffer_desc b;
	size_t o = 0;

	buf[0] = '\0';
	do {
		if (GSS_ERROR(gss_display_status(&m, maj, GSS_C_GSS_CODE,
		    GSS_C_NO_OID, &more, &b)))
			break;
		o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%.*s",
		    o ? "; " : "", (int)b.length, (char *)b.value);
		gss_release_buffer(&m, &b);
	} while (more != 0 && o < len);
	more = 0;
	if (min != 0) {
		do {
			if (GSS_ERROR(gss_display_status(&m, min, GSS_C_MECH_CODE,
			    mech, &more, &b)))
				break;
			if (o < len)
				o += (size_t)snprintf(buf + o, len - o, "; %.*s",
				    (int)b.length, (char *)b.value);
			gss_release_buffer(&m, &b);
		} while (more != 0 && o < len);
	}
	return buf;
}

/* --- failures per address and the delay -------------------------------- */

struct auth_fail {
	char      addr[64];
	unsigned  count;
	time_t    last;
};

static pthread_mutex_t  auth_fail_lock = PTHREAD_MUTEX_INITIALIZER;
static struct auth_fail auth_fails[LIMIT_AUTH_FAIL_ADDRS];

/*
 * auth_fail_slot - the entry for addr (lock held): its own, else an empty
 * or forgotten one, else the one quiet the longest.  Never NULL.
 */
static struct auth_fail *
auth_fail_slot(const char *addr, time_t now, int create)
{
	struct auth_fail *spare = NULL;

	for (size_t i = 0; i < LIMIT_AUTH_FAIL_ADDRS; i++) {
		struct auth_fail *f = &auth_fails[i];

		if (f->count != 0 && now - f->last > LIMIT_AUTH_FAIL_FORGET_S)
			f->count = 0;
		if (f->count != 0 && strcmp(f->addr, addr) == 0)
			return f;
		/* Prefer an empty slot, else the one quiet the longest. */
		if (spare == NULL || (spare->count != 0 && (f->count == 0 ||
		    f->last < spare->last)))
			spare = f;
	}
	if (!create)
		return NULL;
	snprintf(spare->addr, sizeof(spare->addr), "%s", addr);
	spare->count = 0;
	return spare;
}

/* auth_fail_note - count a failure from addr; returns the delay (ms) its
 * answer waits: LIMIT_AUTH_DELAY_FIRST_MS doubling up to _MAX_MS. */
static unsigned
auth_fail_note(const char *addr, unsigned *count)
{
	struct auth_fail *f;
	time_t now = time(NULL);
	unsigned ms = LIMIT_AUTH_DELAY_FIRST_MS;

	pthread_mutex_lock(&auth_fail_lock);
	f = auth_fail_slot(addr, now, 1);
	if (f->count < 64)
		f->count++;
	f->last = now;
	*count = f->count;
	for (unsigned i = 1; i < f->count && ms < LIMIT_AUTH_DELAY_MAX_MS; i++)
		ms *= 2;
	pthread_mutex_unlock(&auth_fail_lock);
	return ms > LIMIT_AUTH_DELAY_MAX_MS ? LIMIT_AUTH_DELAY_MAX_MS : ms;
}

/* auth_fail_clear - a success from addr forgets its failures. */
static void
auth_fail_clear(const char *addr)
{
	struct auth_fail *f;

	pthread_mutex_lock(&auth_fail_lock);
	if ((f = auth_fail_slot(addr, time(NULL), 0)) != NULL)
		f->count = 0;
	pthread_mutex_unlock(&auth_fail_lock);
}

/* --- the timer thread: deferred answers -------------------------------- */

struct auth_timer {
	struct auth_timer *next;
	struct timespec    due;         /* CLOCK_MONOTONIC */
	void             (*fn)(void *);
	void              *arg;
	const void        *owner;
};

static pthread_mutex_t    auth_timer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t     auth_timer_cond;
static pthread_t          auth_timer_thread;
static int                auth_timer_running, auth_timer_stop;
static struct auth_timer *auth_timers;      /* sorted by due */
static unsigned           auth_ntimers;

static int
auth_ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* The thread: run each entry when it is due.  Callbacks run with the lock
 * held, so auth_defer_cancel never returns while one of its owner's runs. */
static void *
auth_timer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&auth_timer_lock);
	while (!auth_timer_stop) {
		struct timespec now;
		struct auth_timer *t = auth_timers;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (t != NULL && !auth_ts_before(&now, &t->due)) {
			auth_timers = t->next;
			auth_ntimers--;
			t->fn(t->arg);
			free(t);
			continue;
		}
		if (t == NULL)
			pthread_cond_wait(&auth_timer_cond, &auth_timer_lock);
		else
			pthread_cond_timedwait(&auth_timer_cond, &auth_timer_lock,
			    &t->due);
	}
	pthread_mutex_unlock(&auth_timer_lock);
	return NULL;
}

int
auth_defer(unsigned ms, void (*fn)(void *), void *arg, const void *owner)
{
	struct auth_timer *t, **pp;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t->due);
	t->due.tv_sec += ms / 1000;
	t->due.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->due.tv_nsec >= 1000000000L) {
		t->due.tv_sec++;
		t->due.tv_nsec -= 1000000000L;
	}
	t->fn = fn;
	t->arg = arg;
	t->owner = owner;
	pthread_mutex_lock(&auth_timer_lock);
	if (!auth_timer_running || auth_ntimers >= LIMIT_AUTH_DEFERRED) {
		pthread_mutex_unlock(&auth_timer_lock);
		free(t);
		return -1;
	}
	for (pp = &auth_timers; *pp != NULL && !auth_ts_before(&t->due,
	    &(*pp)->due); pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
	auth_ntimers++;
	pthread_cond_signal(&auth_timer_cond);
	pthread_mutex_unlock(&auth_timer_lock);
	return 0;
}

void
auth_defer_cancel(const void *owner)
{
	struct auth_timer **pp, *t;

	pthread_mutex_lock(&auth_timer_lock);
	for (pp = &auth_timers; (t = *pp) != NULL; ) {
		if (t->owner != owner) {
			pp = &t->next;
			continue;
		}
		*pp = t->next;
		auth_ntimers--;
		t->fn(t->arg);
		free(t);
	}
	pthread_mutex_unlock(&auth_timer_lock);
}

/* --- start-up ----------------------------------------------------------- */

/*
 * auth_acquire - an acceptor credential for mech, from the cred store
 * (store may be NULL: the defaults).  Returns GSS_C_NO_CREDENTIAL after
 * logging why when none can be had.
 */
static gss_cred_id_t
auth_acquire(gss_OID mech, const gss_key_value_set_desc *store,
    const char *what)
{
	gss_OID_set_desc set = { 1, mech };
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
	OM_uint32 maj, min;
	char err[512];

	maj = gss_acquire_cred_from(&min, GSS_C_NO_NAME, GSS_C_INDEFINITE, &set,
	    GSS_C_ACCEPT, store, &cred, NULL, NULL);
	if (GSS_ERROR(maj)) {
		log_warnx("%s: %s acceptor: %s", __func__, what,
		    auth_gss_err(maj, min, mech, err, sizeof(err)));
		return GSS_C_NO_CREDENTIAL;
	}
	return cred;
}

int
auth_init(const struct config *c)
{
	struct store *st;
	const char *path;

	memset(&auth, 0, sizeof(auth));
	auth.basic = strcmp(c->admin_basic, "yes") == 0;
	auth.cb = strcmp(c->admin_channel_binding, "off") == 0 ? CB_OFF :
	    strcmp(c->admin_channel_binding, "require") == 0 ? CB_REQUIRE :
	    CB_ACCEPT;
	snprintf(auth.ntlm_domain, sizeof(auth.ntlm_domain), "%s",
	    c->ntlm_domain);
	snprintf(auth.data_dir, sizeof(auth.data_dir), "%s", c->data_dir);
	auth.spnego_cred = auth.ntlm_cred = GSS_C_NO_CREDENTIAL;

	/*
	 * gss-ntlmssp looks the user up in the file NTLM_USER_FILE names,
	 * read at each attempt (so wsusutil user add/passwd/del take effect
	 * at once).  Set here, at start-up, before any thread exists; never
	 * changed later.  An admin who set it (a winbind set-up) keeps theirs.
	 */
	if ((st = auth_store()) == NULL || (path = store_ntlm_path(st)) == NULL) {
		log_warnx("%s: cannot open the store for the account file", __func__);
		return -1;
	}
	if (setenv("NTLM_USER_FILE", path, 0) == -1) {
		log_warn("%s: setenv", __func__);
		return -1;
	}
	auth.ntlm_cred = auth_acquire(&auth_oid_ntlm, NULL, "NTLM");

	if (c->admin_keytab[0] != '\0') {
		char err[256];
		gss_key_value_element_desc kv[1] = {
			{ "keytab", c->admin_keytab },
		};
		gss_key_value_set_desc store = { 1, kv };

		if (config_check_secrecy(c->admin_keytab, err, sizeof(err)) == -1) {
			log_warnx("[admin] keytab: %s", err);
			return -1;
		}
		auth.spnego_cred = auth_acquire(&auth_oid_spnego, &store,
		    "Negotiate (Kerberos)");
		if (auth.spnego_cred == GSS_C_NO_CREDENTIAL) {
			log_warnx("[admin] keytab %s holds no usable service key",
			    c->admin_keytab);
			return -1;
		}
		/*
		 * SPNEGO carries Kerberos only.  NTLM wrapped in SPNEGO would
		 * reach gss-ntlmssp with a credential it was not made for (the
		 * keytab's cred store), which gss-ntlmssp 1.2 refuses and then
		 * mishandles (a crash on the next exchange, found by t_kerberos);
		 * NTLM is served as the raw token Windows sends under either
		 * scheme instead.
		 */
		{
			gss_OID_set_desc krb = { 1, (gss_OID)gss_mech_krb5 };
			OM_uint32 maj2, min2;
			char nerr[512];

			maj2 = gss_set_neg_mechs(&min2, auth.spnego_cred, &krb);
			if (GSS_ERROR(maj2)) {
				log_warnx("%s: gss_set_neg_mechs: %s", __func__,
				    auth_gss_err(maj2, min2, GSS_C_NO_OID, nerr,
				    sizeof(nerr)));
				return -1;
			}
		}
		auth.negotiate = 1;
	}

	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&auth_timer_cond, &ca);
	pthread_condattr_destroy(&ca);
	if ((errno = pthread_create(&auth_timer_thread, NULL, auth_timer_main,
	    NULL)) != 0) {
		log_warn("%s: pthread_create", __func__);
		return -1;
	}
	auth_timer_running = 1;
	auth.ready = 1;
	log_info("admin plane: %s%s%sNTLM%s, channel binding %s",
	    auth.negotiate ? "Negotiate (Kerberos, keytab " : "",
	    auth.negotiate ? c->admin_keytab : "",
	    auth.negotiate ? "), " : "",
	    auth.basic ? ", Basic over TLS" : "", c->admin_channel_binding);
	if (auth.ntlm_cred == GSS_C_NO_CREDENTIAL)
		log_warnx("admin plane: NTLM acceptor unavailable (is gss-ntlmssp "
		    "installed?): only %s", auth.negotiate || auth.basic ?
		    "Negotiate/Basic" : "nothing will authenticate");
	return 0;
}

void
auth_shutdown(void)
{
	OM_uint32 min;

	if (auth_timer_running) {
		pthread_mutex_lock(&auth_timer_lock);
		auth_timer_stop = 1;
		pthread_cond_signal(&auth_timer_cond);
		pthread_mutex_unlock(&auth_timer_lock);
		pthread_join(auth_timer_thread, NULL);
		auth_timer_running = 0;
	}
	gss_release_cred(&min, &auth.spnego_cred);
	gss_release_cred(&min, &auth.ntlm_cred);
	auth.ready = 0;
}

/* --- connections --------------------------------------------------------- */

struct auth_conn *
auth_conn_new(void)
{
	struct auth_conn *a = calloc(1, sizeof(*a));

	if (a != NULL)
		a->ctx = GSS_C_NO_CONTEXT;
	return a;
}

/* auth_conn_reset - forget the exchange and the identity. */
static void
auth_conn_reset(struct auth_conn *a)
{
	OM_uint32 min;

	if (a->ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&min, &a->ctx, GSS_C_NO_BUFFER);
	a->ctx = GSS_C_NO_CONTEXT;
	a->scheme = AS_NONE;
	a->done = 0;
	a->account[0] = '\0';
}

void
auth_conn_free(struct auth_conn *a)
{
	if (a == NULL)
		return;
	auth_conn_reset(a);
	free(a);
}

/* --- the answer ----------------------------------------------------------- */

void
auth_answer_free(struct auth_answer *ans)
{
	free(ans->token_hdr);
	ans->token_hdr = NULL;
}

/* auth_offer - a 401 that offers what is configured, Negotiate first. */
static void
auth_offer(struct auth_answer *ans, unsigned delay_ms)
{
	ans->status = 401;
	ans->delay_ms = delay_ms;
	ans->nwww = 0;
	if (auth.negotiate)
		ans->www[ans->nwww++] = "Negotiate";
	if (auth.ntlm_cred != GSS_C_NO_CREDENTIAL)
		ans->www[ans->nwww++] = "NTLM";
	if (auth.basic)
		ans->www[ans->nwww++] = "Basic realm=\"wsusd\", charset=\"UTF-8\"";
}

/*
 * auth_token_hdr - "SCHEME <base64 of tok>" into ans->token_hdr (owned by
 * ans).  Returns 0 or -1.
 */
static int
auth_token_hdr(struct auth_answer *ans, const char *scheme,
    const gss_buffer_desc *tok)
{
	size_t sl = strlen(scheme), cap;
	long n;

	if (tok->length == 0 || tok->length > LIMIT_AUTH_TOKEN_BYTES)
		return tok->length == 0 ? 0 : -1;
	cap = sl + 1 + (tok->length + 2) / 3 * 4 + 1;
	if ((ans->token_hdr = malloc(cap)) == NULL)
		return -1;
	memcpy(ans->token_hdr, scheme, sl);
	ans->token_hdr[sl] = ' ';
	n = crypto_b64_encode(tok->value, tok->length, ans->token_hdr + sl + 1,
	    cap - sl - 1);
	if (n < 0) {
		free(ans->token_hdr);
		ans->token_hdr = NULL;
		return -1;
	}
	return 0;
}

/*
 * auth_ntlm_user - for the log line of a failure only: the domain and user
 * fields of an NTLM AUTHENTICATE message (tok, n), as "DOMAIN\user" in
 * printable ASCII (other characters become '?'), into out.  Reads the
 * two security-buffer headers and checks each against n; "?" when the
 * token is not such a message.
 */
static void
auth_ntlm_user(const uint8_t *tok, size_t n, char *out, size_t outlen)
{
	static const unsigned fields[2] = { 28, 36 };   /* DomainName, UserName */
	size_t o = 0;
	int unicode;

	snprintf(out, outlen, "?");
	if (n < 64 || memcmp(tok, "NTLMSSP\0", 8) != 0 || tok[8] != 3)
		return;
	unicode = tok[60] & 0x01;          /* NTLMSSP_NEGOTIATE_UNICODE */
	for (int f = 0; f < 2; f++) {
		const uint8_t *h = tok + fields[f];
		size_t len = (size_t)h[0] | (size_t)h[1] << 8;
		size_t off = (size_t)h[4] | (size_t)h[5] << 8 |
		    (size_t)h[6] << 16 | (size_t)h[7] << 24;
		size_t step = unicode ? 2 : 1;

		if (off > n || len > n - off)
			return;
		if (f == 1 && o > 0 && o + 1 < outlen)
			out[o++] = '\\';
		for (size_t i = 0; i + step <= len && o + 1 < outlen; i += step) {
			uint8_t ch = tok[off + i];
			int ascii = ch >= 0x20 && ch < 0x7f && ch != '"' &&
			    (!unicode || tok[off + i + 1] == 0);

			out[o++] = ascii ? (char)ch : '?';
		}
	}
	out[o] = '\0';
	if (o == 0)
		snprintf(out, outlen, "(anonymous)");
}

/*
 * auth_account - the store account a GSSAPI or Basic name stands for:
 * "DOMAIN\user" with DOMAIN equal to [admin] ntlm_domain (ignoring case)
 * and "user@DOMAIN" from NTLM are the bare "user"; Kerberos principals
 * ("alice@REALM") and other domains' names are kept whole.  Returns 0 or
 * -1 (too long).
 */
static int
auth_account(const char *name, size_t len, int kerberos, char *out)
{
	const char *bs = memchr(name, '\\', len);
	size_t dl;

	if (len == 0 || len > LIMIT_AUTH_ACCOUNT_BYTES)
		return -1;
	if (bs != NULL) {
		dl = (size_t)(bs - name);
		if (dl == strlen(auth.ntlm_domain) && dl > 0 &&
		    strncasecmp(name, auth.ntlm_domain, dl) == 0) {
			len -= dl + 1;
			name = bs + 1;
		}
	} else if (!kerberos) {
		const char *at = memchr(name, '@', len);

		if (at != NULL && (size_t)(name + len - at - 1) ==
		    strlen(auth.ntlm_domain) && strncasecmp(at + 1,
		    auth.ntlm_domain, strlen(auth.ntlm_domain)) == 0)
			len = (size_t)(at - name);
	}
	if (len == 0)
		return -1;
	memcpy(out, name, len);
	out[len] = '\0';
	return 0;
}

/*
 * auth_role - the role of account in the store: 0 with *role set
 * (WS_ROLE_NONE when the account has none or does not exist), -1 when
 * the store cannot answer.
 */
static int
auth_role(const char *account, int *role, char *canon, size_t canonlen)
{
	struct store *st = auth_store();
	struct store_account acct;
	int r;

	if (st == NULL || (r = store_account_get(st, account, &acct)) == -1)
		return -1;
	*role = WS_ROLE_NONE;
	snprintf(canon, canonlen, "%s", account);
	if (r == 0)
		return 0;
	snprintf(canon, canonlen, "%s", acct.name);
	if (acct.role == STORE_ROLE_REPORTER)
		*role = WS_ROLE_REPORTER;
	else if (acct.role == STORE_ROLE_ADMINISTRATOR)
		*role = WS_ROLE_ADMINISTRATOR;
	return 0;
}

/*
 * auth_failed - bad credentials from peer: count, log the address and the
 * account, and answer 401 after the address's delay.
 */
static void
auth_failed(struct auth_answer *ans, const char *peer, const char *account,
    const char *why)
{
	unsigned count, ms = auth_fail_note(peer ? peer : "?", &count);

	log_warnx("admin plane: authentication failed from %s for %s (%s); "
	    "failure %u from this address, answered after %u ms",
	    peer ? peer : "?", account, why, count, ms);
	auth_offer(ans, ms);
}

/* auth_granted - the connection (or this Basic request) is account. */
static void
auth_granted(struct auth_answer *ans, const char *peer, const char *account)
{
	int role = WS_ROLE_NONE;

	if (auth_role(account, &role, ans->account, sizeof(ans->account)) == -1) {
		ans->status = 500;
		return;
	}
	if (peer != NULL)
		auth_fail_clear(peer);
	ans->role = role;
	if (role == WS_ROLE_NONE) {
		log_warnx("admin plane: %s from %s is authenticated but holds no "
		    "role: 403", account, peer ? peer : "?");
		ans->status = 403;
		return;
	}
	ans->status = 0;
}

/* auth_scheme_of - which scheme an Authorization value names; *tok, *tlen
 * get its credentials (after one or more spaces). */
static enum auth_scheme
auth_scheme_of(const char *v, size_t n, const char **tok, size_t *tlen)
{
	static const struct { const char *name; enum auth_scheme s; } t[] = {
		{ "Negotiate", AS_NEGOTIATE }, { "NTLM", AS_NTLM },
		{ "Basic", AS_BASIC },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t l = strlen(t[i].name);

		if (n > l && strncasecmp(v, t[i].name, l) == 0 && v[l] == ' ') {
			while (l < n && v[l] == ' ')
				l++;
			*tok = v + l;
			*tlen = n - l;
			while (*tlen > 0 && (*tok)[*tlen - 1] == ' ')
				(*tlen)--;
			return t[i].s;
		}
	}
	return AS_NONE;
}

/* auth_basic - Basic credentials (raw, rawlen decoded bytes). */
static void
auth_basic(struct auth_answer *ans, const char *peer, uint8_t *raw,
    size_t rawlen)
{
	char account[LIMIT_AUTH_ACCOUNT_BYTES + 1], user[LIMIT_AUTH_ACCOUNT_BYTES + 1];
	uint8_t *colon = memchr(raw, ':', rawlen);
	size_t ul;
	struct store *st;
	int r;

	if (colon == NULL || memchr(raw, '\0', rawlen) != NULL) {
		auth_failed(ans, peer, "?", "malformed Basic credentials");
		return;
	}
	ul = (size_t)(colon - raw);
	if (ul == 0 || ul > LIMIT_AUTH_ACCOUNT_BYTES ||
	    auth_account((const char *)raw, ul, 1, account) == -1) {
		auth_failed(ans, peer, "?", "bad Basic user name");
		return;
	}
	memcpy(user, raw, ul);
	user[ul] = '\0';
	if (strchr(user, '\\') != NULL && auth_account(user, ul, 0, account) == -1) {
		auth_failed(ans, peer, user, "bad Basic user name");
		return;
	}
	if ((st = auth_store()) == NULL) {
		ans->status = 500;
		return;
	}
	r = store_account_check_password(st, account, (const char *)colon + 1,
	    rawlen - ul - 1, NULL);
	if (r == -1) {
		ans->status = 500;
		return;
	}
	if (r != 1) {
		auth_failed(ans, peer, account, "wrong password or no such account");
		return;
	}
	auth_granted(ans, peer, account);
}

/*
 * auth_ntlm_version - give gss-ntlmssp the Version field it assumes.
 * MS-NLMP 2.2.1.1/2.2.1.3 make Version optional (present only when
 * NTLMSSP_NEGOTIATE_VERSION is negotiated), and curl (so wsusadm) sends
 * none; gss-ntlmssp 1.2 reads a NEGOTIATE_MESSAGE as 40 bytes and, having
 * put the Version flag in its CHALLENGE, looks for an AUTHENTICATE's
 * payload 8 bytes further on, refusing either message.  An 8-byte zero
 * Version is inserted where the client left it out: after a 32-byte
 * NEGOTIATE_MESSAGE with no payload, and before the payload of an
 * AUTHENTICATE_MESSAGE whose fields start at byte 64 (their offsets move
 * by 8).  No field, response or key changes, and a client that signs the
 * messages (a MIC) sends the Version itself, so nothing signed is
 * touched.  tok has AUTH_NTLM_PAD spare bytes after tlen.  Returns the
 * new length.
 */
static size_t
auth_ntlm_version(uint8_t *tok, size_t tlen)
{
	/* The six security buffers of an AUTHENTICATE_MESSAGE: LM, NT,
	 * domain, user, workstation, session key (8-byte headers). */
	static const unsigned bufs[6] = { 12, 20, 28, 36, 44, 52 };
	size_t lowest = SIZE_MAX;

	if (tlen < 12)
		return tlen;
	if (tok[8] == 1) {
		/* No OEM domain or workstation supplied: nothing follows. */
		if (tlen == 32 && (tok[13] & 0x30) == 0) {
			memset(tok + 32, 0, AUTH_NTLM_PAD);
			tlen += AUTH_NTLM_PAD;
		}
		return tlen;
	}
	if (tok[8] != 3 || tlen < 64)
		return tlen;
	for (int i = 0; i < 6; i++) {
		const uint8_t *h = tok + bufs[i];
		size_t len = (size_t)h[0] | (size_t)h[1] << 8;
		size_t off = (size_t)h[4] | (size_t)h[5] << 8 |
		    (size_t)h[6] << 16 | (size_t)h[7] << 24;

		if (len != 0 && off < lowest)
			lowest = off;
	}
	if (lowest != 64)
		return tlen;
	memmove(tok + 64 + AUTH_NTLM_PAD, tok + 64, tlen - 64);
	memset(tok + 64, 0, AUTH_NTLM_PAD);
	for (int i = 0; i < 6; i++) {
		uint8_t *h = tok + bufs[i];
		size_t len = (size_t)h[0] | (size_t)h[1] << 8;
		uint32_t off = (uint32_t)h[4] | (uint32_t)h[5] << 8 |
		    (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;

		if (len == 0 || off < 64)
			continue;
		off += AUTH_NTLM_PAD;
		h[4] = (uint8_t)off;
		h[5] = (uint8_t)(off >> 8);
		h[6] = (uint8_t)(off >> 16);
		h[7] = (uint8_t)(off >> 24);
	}
	return tlen + AUTH_NTLM_PAD;
}

/*
 * auth_gss_step - one GSSAPI step on the connection's context with the
 * decoded token; fills ans.
 */
static void
auth_gss_step(struct auth_conn *a, struct auth_answer *ans, const char *peer,
    enum auth_scheme scheme, uint8_t *tok, size_t tlen)
{
	int raw_ntlm = tlen >= 12 && memcmp(tok, "NTLMSSP\0", 8) == 0;
	gss_buffer_desc in = { tlen, tok }, out = GSS_C_EMPTY_BUFFER;
	gss_buffer_desc nm = GSS_C_EMPTY_BUFFER;
	struct gss_channel_bindings_struct cb;
	gss_channel_bindings_t cbp = GSS_C_NO_CHANNEL_BINDINGS;
	uint8_t cbdata[21 + 64];
	gss_name_t src = GSS_C_NO_NAME;
	gss_OID mech = GSS_C_NO_OID;
	gss_cred_id_t cred;
	OM_uint32 maj, min, flags = 0;
	char err[512], who[LIMIT_AUTH_ACCOUNT_BYTES + 1];
	char account[LIMIT_AUTH_ACCOUNT_BYTES + 1];
	const char *sname = scheme == AS_NTLM ? "NTLM" : "Negotiate";
	int kerberos;

	if (raw_ntlm) {
		tlen = auth_ntlm_version(tok, tlen);
		in.length = tlen;
	}
	/* A raw NTLM token is taken under either scheme (Windows sends it as
	 * Negotiate); anything else must be SPNEGO under Negotiate. */
	if (raw_ntlm)
		cred = auth.ntlm_cred;
	else if (scheme == AS_NEGOTIATE && auth.negotiate)
		cred = auth.spnego_cred;
	else
		cred = GSS_C_NO_CREDENTIAL;
	if (cred == GSS_C_NO_CREDENTIAL) {
		auth_conn_reset(a);
		auth_failed(ans, peer, "?", raw_ntlm ? "NTLM is not available" :
		    "not an NTLM token, and Negotiate (Kerberos) is not configured");
		return;
	}
	/* A first message (NTLM NEGOTIATE, or any non-NTLM token: Kerberos is
	 * one round) starts over, even on an authenticated connection. */
	if (!raw_ntlm || tok[8] == 1 || a->scheme != scheme)
		auth_conn_reset(a);
	a->scheme = scheme;
	if (auth.cb != CB_OFF) {
		int n = tls_server_end_point(cbdata + 21, sizeof(cbdata) - 21);

		if (n > 0) {
			memcpy(cbdata, "tls-server-end-point:", 21);
			memset(&cb, 0, sizeof(cb));
			cb.application_data.length = 21 + (size_t)n;
			cb.application_data.value = cbdata;
			cbp = &cb;
		}
	}
	maj = gss_accept_sec_context(&min, &a->ctx, cred, &in, cbp, &src, &mech,
	    &out, &flags, NULL, NULL);
	if (GSS_ERROR(maj)) {
		/* The mech deleted the context; ours must not be used again. */
		a->ctx = GSS_C_NO_CONTEXT;
		auth_conn_reset(a);
		gss_release_buffer(&min, &out);
		if (raw_ntlm)
			auth_ntlm_user(tok, tlen, who, sizeof(who));
		else
			snprintf(who, sizeof(who), "?");
		auth_failed(ans, peer, who, auth_gss_err(maj, min, raw_ntlm ?
		    &auth_oid_ntlm : mech, err, sizeof(err)));
		return;
	}
	if (maj & GSS_S_CONTINUE_NEEDED) {
		ans->status = 401;
		ans->delay_ms = 0;
		ans->nwww = 0;
		if (auth_token_hdr(ans, sname, &out) == -1)
			ans->status = 500;
		gss_release_buffer(&min, &out);
		gss_release_name(&min, &src);
		return;
	}
	/* Complete. */
	if (auth.cb == CB_REQUIRE && cbp != GSS_C_NO_CHANNEL_BINDINGS &&
	    !(flags & GSS_C_CHANNEL_BOUND_FLAG)) {
		if (raw_ntlm)
			auth_ntlm_user(tok, tlen, who, sizeof(who));
		else
			snprintf(who, sizeof(who), "?");
		gss_release_buffer(&min, &out);
		gss_release_name(&min, &src);
		auth_conn_reset(a);
		auth_failed(ans, peer, who, "no channel binding, and [admin] "
		    "channel_binding = require");
		return;
	}
	kerberos = mech != GSS_C_NO_OID && !gss_oid_equal(mech, &auth_oid_ntlm);
	maj = gss_display_name(&min, src, &nm, NULL);
	gss_release_name(&min, &src);
	if (GSS_ERROR(maj) || auth_account(nm.value, nm.length, kerberos,
	    account) == -1) {
		gss_release_buffer(&min, &nm);
		gss_release_buffer(&min, &out);
		auth_conn_reset(a);
		auth_failed(ans, peer, "?", "unusable client name");
		return;
	}
	gss_release_buffer(&min, &nm);
	/* Kerberos mutual authentication: the last token rides on the answer. */
	if (auth_token_hdr(ans, sname, &out) == -1) {
		gss_release_buffer(&min, &out);
		ans->status = 500;
		return;
	}
	gss_release_buffer(&min, &out);
	a->done = 1;
	snprintf(a->account, sizeof(a->account), "%s", account);
	log_info("admin plane: %s from %s authenticated by %s%s", account,
	    peer ? peer : "?", kerberos ? "Kerberos" : "NTLM",
	    flags & GSS_C_CHANNEL_BOUND_FLAG ? " (channel-bound)" : "");
	auth_granted(ans, peer, account);
}

void
auth_request(struct auth_conn *a, const char *authz, const char *peer,
    struct auth_answer *ans)
{
	enum auth_scheme scheme;
	const char *tokb64 = NULL;
	size_t n, tlen = 0;
	uint8_t *tok = NULL;
	long dl;

	memset(ans, 0, sizeof(*ans));
	ans->role = WS_ROLE_NONE;
	if (!auth.ready || a == NULL) {
		ans->status = 500;
		return;
	}
	if (authz == NULL) {
		/* A later request on an authenticated connection. */
		if (a->done) {
			auth_granted(ans, NULL, a->account);
			return;
		}
		auth_conn_reset(a);
		auth_offer(ans, 0);
		return;
	}
	n = strlen(authz);
	if (n > LIMIT_AUTH_HEADER_BYTES) {
		log_debug("admin plane: %zu-byte Authorization from %s: 400", n,
		    peer ? peer : "?");
		auth_conn_reset(a);
		ans->status = 400;
		return;
	}
	scheme = auth_scheme_of(authz, n, &tokb64, &tlen);
	if (scheme == AS_NONE || (scheme == AS_BASIC && !auth.basic)) {
		/* An unknown or unoffered scheme: as if none was sent. */
		auth_conn_reset(a);
		auth_offer(ans, 0);
		return;
	}
	/* AUTH_NTLM_PAD spare bytes: see auth_gss_step. */
	if (tlen == 0 || (tok = malloc(tlen / 4 * 3 + 3 + AUTH_NTLM_PAD)) == NULL ||
	    (dl = crypto_b64_decode(tokb64, tlen, tok, tlen / 4 * 3 + 3)) <= 0) {
		free(tok);
		log_debug("admin plane: malformed %s credentials from %s: 400",
		    scheme == AS_BASIC ? "Basic" : "Negotiate/NTLM",
		    peer ? peer : "?");
		auth_conn_reset(a);
		ans->status = 400;
		return;
	}
	if (scheme == AS_BASIC) {
		auth_conn_reset(a);
		if ((size_t)dl > LIMIT_AUTH_BASIC_BYTES)
			auth_failed(ans, peer, "?", "Basic credentials too long");
		else
			auth_basic(ans, peer, tok, (size_t)dl);
	} else {
		auth_gss_step(a, ans, peer, scheme, tok, (size_t)dl);
	}
	crypto_wipe(tok, (size_t)dl);
	free(tok);
}
