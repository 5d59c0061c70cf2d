/*
 * relay.c - the HTTPS listener: worker threads that accept TCP, run the
 * TLS handshake with mbedTLS (tls.c), and relay plaintext to and from a
 * libmicrohttpd daemon over a socketpair (http.c).
 *
 * Design (measured in bench/, see PERF-NOTES): one thread per core does
 * both the relay and its own libmicrohttpd daemon's work, in one epoll
 * loop, so a request never crosses threads.  All workers wait on the one
 * listening socket (EPOLLEXCLUSIVE).  A connection costs three fds: the
 * client's TCP socket, our end of the socketpair, and libmicrohttpd's end
 * (which it owns and closes).  Both of ours are edge-triggered; on any
 * event relay_pump() moves bytes until nothing moves, so every stall is
 * parked on an EAGAIN / WANT_* that a later edge will end.
 *
 * Owns: accept limits (total, sized to RLIMIT_NOFILE by main.c, and per
 * address as peer.c keys it), a deadline for every state, backpressure
 * (never read a side whose buffer toward the other is full), the close
 * sequence and the accept back-off when descriptors run out.  Never
 * parses HTTP and never sees a key.
 *
 * Deadlines (limits.h): a handshake must finish within
 * LIMIT_HANDSHAKE_TIMEOUT_S (LIMIT_HANDSHAKE_LOADED_S while more than half
 * the slots are taken); an open connection with answer bytes waiting for
 * the client is closed when the client took none for
 * LIMIT_RELAY_WRITE_STALL_S, whatever libmicrohttpd does; one where
 * nothing moves either way for LIMIT_RELAY_IDLE_S; and the close_notify
 * flush gets RELAY_DRAIN_S.  libmicrohttpd closing its end is seen from
 * EPOLLRDHUP even while our buffer toward the client is full, and from
 * then on only the write-stall deadline keeps the connection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

#define RELAY_EVENTS     256   /* epoll events per wait */
#define RELAY_ACCEPTS     64   /* accepts per wake-up, so one worker can't hog */
#define RELAY_DRAIN_S      5   /* to flush close_notify after the response */

enum relay_kind { RK_LISTEN, RK_HTTP, RK_STOP, RK_TCP, RK_PLAIN };

struct relay_handle {
	enum relay_kind    kind;
	struct relay_conn *conn;
};

enum relay_state { RS_HANDSHAKE, RS_OPEN, RS_DRAIN, RS_DEAD };

struct relay_conn {
	struct relay_conn   *prev, *next;
	struct relay_handle  h_tcp, h_plain;
	struct tls_conn     *tls;
	int                  tcp, plain;
	enum relay_state     state;
	int                  client_eof;   /* TLS side ended: shut down plain writes */
	int                  plain_shut;
	int                  http_eof;     /* libmicrohttpd closed: flush then close_notify */
	int                  tcp_rd;       /* the TCP socket may have bytes (edge seen, no EAGAIN since) */
	int                  plain_rd;     /* the same for our socketpair end */
	int                  plain_hup;    /* libmicrohttpd closed its end (EPOLLRDHUP) */
	time_t               deadline;     /* always set: see relay_arm() */
	int                  stalled;      /* deadline is the write-stall one */
	time_t               io_at;        /* last time a byte moved either way */
	time_t               tx_at;        /* last TLS write progress, or when down filled */
	struct peer_key      key;          /* per-address count (peer.c) */
	struct sockaddr_storage sa;
	socklen_t            salen;
	size_t               up_off, up_len;       /* TLS -> plain */
	size_t               down_off, down_len;   /* plain -> TLS */
	unsigned char        up[LIMIT_RELAY_BUF_BYTES];
	unsigned char        down[LIMIT_RELAY_BUF_BYTES];
};

struct relay_worker {
	pthread_t            thread;
	int                  ep, stopfd;
	struct http_daemon  *http;
	struct relay_handle  h_listen, h_http, h_stop;
	struct relay_conn   *conns;        /* all live connections */
	struct relay_conn   *dead;         /* freed after each epoll batch */
	unsigned             id;
	int                  listen_paused;  /* listener out of our epoll set (EMFILE) */
	long long            resume_ms;      /* ... until this CLOCK_MONOTONIC time */
	unsigned             backoff_ms;     /* next pause; doubles while EMFILE lasts */
};

/*
 * A repeating event logged at most once per LIMIT_LOG_INTERVAL_S, naming
 * how many were not logged in between (shared by the workers).
 */
struct relay_lograte {
	pthread_mutex_t lock;
	time_t          last;
	unsigned long   suppressed;
};

static struct relay_worker *relay_workers;
static unsigned             relay_nworkers;
static int                  relay_listen_fd = -1;
static struct http_env     *relay_env;
static atomic_uint          relay_total;
static unsigned             relay_max;      /* TLS connection slots, all workers */
static struct peer_table   *relay_peers;    /* connections per address (peer.c) */
static struct relay_lograte relay_lr_accept = { PTHREAD_MUTEX_INITIALIZER, 0, 0 };
static struct relay_lograte relay_lr_stall  = { PTHREAD_MUTEX_INITIALIZER, 0, 0 };
static struct relay_lograte relay_lr_full   = { PTHREAD_MUTEX_INITIALIZER, 0, 0 };

/*
 * relay_lograte_take - may the caller log now?  Returns -1 (no: counted as
 * suppressed), or the number suppressed since the last line (and resets it).
 */
static long
relay_lograte_take(struct relay_lograte *lr, time_t now)
{
	long rc = -1;

	pthread_mutex_lock(&lr->lock);
	if (lr->last == 0 || now - lr->last >= LIMIT_LOG_INTERVAL_S) {
		rc = (long)lr->suppressed;
		lr->suppressed = 0;
		lr->last = now;
	} else {
		lr->suppressed++;
	}
	pthread_mutex_unlock(&lr->lock);
	return rc;
}

static long long
relay_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
relay_peer(const struct relay_conn *c, char *buf, size_t len)
{
	const void *a = c->sa.ss_family == AF_INET6 ?
	    (const void *)&((const struct sockaddr_in6 *)&c->sa)->sin6_addr :
	    (const void *)&((const struct sockaddr_in *)&c->sa)->sin_addr;

	if (inet_ntop(c->sa.ss_family, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

/* relay_kill - close a connection now; freed after the current batch. */
static void
relay_kill(struct relay_worker *w, struct relay_conn *c)
{
	if (c->state == RS_DEAD)
		return;
	c->state = RS_DEAD;
	if (c->prev)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next = w->dead;
	w->dead = c;
	close(c->tcp);              /* also leaves the epoll set */
	if (c->plain != -1)
		close(c->plain);
	tls_conn_free(c->tls);
	c->tls = NULL;
	peer_table_del(relay_peers, &c->key);
	atomic_fetch_sub(&relay_total, 1);
}

/*
 * relay_arm - set c->deadline from its state (after every pump): the
 * handshake and drain deadlines are fixed when the state is entered; an
 * open connection is due LIMIT_RELAY_WRITE_STALL_S after the client last
 * took answer bytes while some wait for it, else LIMIT_RELAY_IDLE_S after
 * the last byte moved.
 */
static void
relay_arm(struct relay_conn *c)
{
	if (c->state != RS_OPEN)
		return;
	c->stalled = c->down_len > c->down_off || (c->plain_hup && !c->http_eof);
	c->deadline = c->stalled ? c->tx_at + LIMIT_RELAY_WRITE_STALL_S :
	    c->io_at + LIMIT_RELAY_IDLE_S;
}

/*
 * relay_handoff - after the handshake: a socketpair, one end to
 * libmicrohttpd (as if accepted from the client's address), the other
 * ours.  Returns 0 or -1.
 */
static int
relay_handoff(struct relay_worker *w, struct relay_conn *c)
{
	int sv[2];
	struct epoll_event ev;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("%s: socketpair", __func__);
		return -1;
	}
	c->plain = sv[0];
	ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
	ev.data.ptr = &c->h_plain;
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, c->plain, &ev) == -1) {
		log_warn("%s: epoll_ctl", __func__);
		close(sv[1]);
		return -1;
	}
	/* libmicrohttpd owns sv[1] from here, and closes it even on failure. */
	if (http_add_conn(w->http, sv[1], (struct sockaddr *)&c->sa, c->salen) == -1)
		return -1;
	return 0;
}

/*
 * relay_pump - advance one connection as far as it goes without
 * blocking: handshake, then both directions, then the close sequence.
 */
static void
relay_pump(struct relay_worker *w, struct relay_conn *c)
{
	int progress = 1;
	long n;
	char peer[INET6_ADDRSTRLEN];

	if (c->state == RS_HANDSHAKE) {
		int rc = tls_conn_handshake(c->tls);

		tls_conn_drained(c->tls);

		if (rc == TLS_IO_WANT_READ || rc == TLS_IO_WANT_WRITE)
			return;
		if (rc != TLS_IO_OK) {
			log_debug("TLS handshake with %s failed; connection closed",
			    relay_peer(c, peer, sizeof(peer)));
			relay_kill(w, c);
			return;
		}
		if (relay_handoff(w, c) == -1) {
			relay_kill(w, c);
			return;
		}
		c->state = RS_OPEN;
		c->io_at = c->tx_at = time(NULL);
		c->tcp_rd = c->plain_rd = 1;
	}
	while (progress && c->state == RS_OPEN) {
		progress = 0;
		/*
		 * 1. TLS -> up buffer (decrypted request bytes).  Only when the
		 * socket may have bytes or mbedTLS/our read-ahead holds some:
		 * each recv(2) that ends in EAGAIN costs as much as a useful one.
		 */
		if (!c->client_eof && c->up_len < sizeof(c->up) &&
		    (c->tcp_rd || tls_conn_pending(c->tls))) {
			n = tls_conn_read(c->tls, c->up + c->up_len,
			    sizeof(c->up) - c->up_len);
			if (tls_conn_drained(c->tls))
				c->tcp_rd = 0;
			if (n > 0) {
				c->up_len += (size_t)n;
				progress = 1;
			} else if (n == TLS_IO_EOF) {
				c->client_eof = 1;
				progress = 1;
			} else if (n == TLS_IO_ERR) {
				relay_kill(w, c);
				return;
			}
		}
		/* 2. up buffer -> libmicrohttpd. */
		if (c->up_off < c->up_len && !c->http_eof) {
			ssize_t s = send(c->plain, c->up + c->up_off,
			    c->up_len - c->up_off, MSG_NOSIGNAL);
			if (s > 0) {
				c->up_off += (size_t)s;
				if (c->up_off == c->up_len)
					c->up_off = c->up_len = 0;
				progress = 1;
			} else if (s == -1 && errno != EAGAIN && errno != EINTR) {
				c->http_eof = 1;     /* it closed on us */
				c->up_off = c->up_len = 0;
				progress = 1;
			}
		} else if (c->http_eof) {
			c->up_off = c->up_len = 0;
		} else if (c->client_eof && !c->plain_shut) {
			shutdown(c->plain, SHUT_WR);
			c->plain_shut = 1;
		}
		/* 3. libmicrohttpd -> down buffer, only when empty: after
		 * WANT_WRITE mbedTLS needs the same buffer again. */
		if (!c->http_eof && c->down_len == 0 && c->plain_rd) {
			ssize_t r = recv(c->plain, c->down, sizeof(c->down), 0);
			if (r > 0) {
				c->down_off = 0;
				c->down_len = (size_t)r;
				c->tx_at = time(NULL);   /* the stall clock starts */
				progress = 1;
			} else if (r == -1 && (errno == EAGAIN || errno == EINTR)) {
				c->plain_rd = 0;
			} else {
				c->http_eof = 1;
				progress = 1;
			}
		}
		/* 4. down buffer -> TLS. */
		if (c->down_off < c->down_len) {
			n = tls_conn_write(c->tls, c->down + c->down_off,
			    c->down_len - c->down_off);
			if (n > 0) {
				c->down_off += (size_t)n;
				if (c->down_off == c->down_len)
					c->down_off = c->down_len = 0;
				c->tx_at = time(NULL);
				progress = 1;
			} else if (n == TLS_IO_ERR || n == TLS_IO_EOF) {
				relay_kill(w, c);
				return;
			}
		}
		/* 5. Response done and libmicrohttpd gone: close politely. */
		if (c->http_eof && c->down_len == 0) {
			c->state = RS_DRAIN;
			c->deadline = time(NULL) + RELAY_DRAIN_S;
		}
		if (progress)
			c->io_at = time(NULL);
	}
	relay_arm(c);
	if (c->state == RS_DRAIN) {
		int rc = c->client_eof ? TLS_IO_OK : tls_conn_close_notify(c->tls);

		if (rc != TLS_IO_WANT_WRITE && rc != TLS_IO_WANT_READ)
			relay_kill(w, c);
	}
}

/*
 * relay_pause_listener - out of descriptors (or kernel memory): take the
 * listening socket out of this worker's epoll set for backoff_ms (100 ms,
 * doubling to 1 s while it lasts), so that a backlog we cannot accept
 * does not wake us in a loop.  The line is logged once per
 * LIMIT_LOG_INTERVAL_S for all workers, with the count in between.
 */
static void
relay_pause_listener(struct relay_worker *w, int err)
{
	long n;

	if (w->backoff_ms == 0)
		w->backoff_ms = LIMIT_ACCEPT_BACKOFF_MIN_MS;
	if (!w->listen_paused &&
	    epoll_ctl(w->ep, EPOLL_CTL_DEL, relay_listen_fd, NULL) == 0)
		w->listen_paused = 1;
	w->resume_ms = relay_now_ms() + w->backoff_ms;
	if ((n = relay_lograte_take(&relay_lr_accept, time(NULL))) >= 0)
		log_warnx("HTTPS accept: %s (%u TLS connections open, RLIMIT_NOFILE "
		    "reached?); not accepting for %u ms (%ld more in the last %d s)",
		    strerror(err), atomic_load(&relay_total), w->backoff_ms, n,
		    LIMIT_LOG_INTERVAL_S);
	w->backoff_ms *= 2;
	if (w->backoff_ms > LIMIT_ACCEPT_BACKOFF_MAX_MS)
		w->backoff_ms = LIMIT_ACCEPT_BACKOFF_MAX_MS;
}

/* relay_resume_listener - put the listener back once the pause is over. */
static void
relay_resume_listener(struct relay_worker *w)
{
	struct epoll_event ev;

	if (!w->listen_paused || relay_now_ms() < w->resume_ms)
		return;
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.ptr = &w->h_listen;
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, relay_listen_fd, &ev) == -1 &&
	    errno != EEXIST) {
		log_warn("%s: epoll_ctl", __func__);
		w->resume_ms = relay_now_ms() + LIMIT_ACCEPT_BACKOFF_MAX_MS;
		return;
	}
	w->listen_paused = 0;
}

/* relay_refuse - a connection over a limit: closed unanswered, logged at
 * most once per LIMIT_LOG_INTERVAL_S (an admin should know the limit bites). */
static void
relay_refuse(int fd, const char *why, const struct peer_key *k)
{
	char peer[INET6_ADDRSTRLEN + 8];
	long n;

	close(fd);
	if ((n = relay_lograte_take(&relay_lr_full, time(NULL))) >= 0)
		log_info("HTTPS connection from %s refused: %s (%ld more refused "
		    "in the last %d s)", peer_key_str(k, peer, sizeof(peer)), why,
		    n, LIMIT_LOG_INTERVAL_S);
}

/* relay_accept - take up to RELAY_ACCEPTS new connections. */
static void
relay_accept(struct relay_worker *w)
{
	for (int i = 0; i < RELAY_ACCEPTS; i++) {
		struct relay_conn *c;
		struct sockaddr_storage sa;
		struct peer_key key;
		socklen_t salen = sizeof(sa);
		struct epoll_event ev;
		unsigned total;
		int fd, one = 1;

		fd = accept4(relay_listen_fd, (struct sockaddr *)&sa, &salen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM)
				relay_pause_listener(w, errno);
			else if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("%s: accept4", __func__);
			return;
		}
		w->backoff_ms = 0;
		peer_key((struct sockaddr *)&sa, salen, &key);
		total = atomic_fetch_add(&relay_total, 1) + 1;
		if (total > relay_max) {
			atomic_fetch_sub(&relay_total, 1);
			relay_refuse(fd, "all TLS connection slots in use", &key);
			continue;
		}
		if (peer_table_add(relay_peers, &key) == -1) {
			atomic_fetch_sub(&relay_total, 1);
			relay_refuse(fd, "per-address connection limit reached", &key);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if ((c = calloc(1, sizeof(*c))) == NULL ||
		    (c->tls = tls_conn_new(fd)) == NULL) {
			log_warnx("%s: out of memory for a TLS connection", __func__);
			free(c);
			peer_table_del(relay_peers, &key);
			atomic_fetch_sub(&relay_total, 1);
			close(fd);
			continue;
		}
		c->tcp = fd;
		c->plain = -1;
		c->sa = sa;
		c->salen = salen;
		c->key = key;
		c->state = RS_HANDSHAKE;
		/* Under load a slow handshake holds a scarce slot: shorten it. */
		c->deadline = time(NULL) + (total > relay_max / 2 ?
		    LIMIT_HANDSHAKE_LOADED_S : LIMIT_HANDSHAKE_TIMEOUT_S);
		c->h_tcp.kind = RK_TCP;
		c->h_tcp.conn = c;
		c->h_plain.kind = RK_PLAIN;
		c->h_plain.conn = c;
		c->next = w->conns;
		if (w->conns)
			w->conns->prev = c;
		w->conns = c;
		ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
		ev.data.ptr = &c->h_tcp;
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
			log_warn("%s: epoll_ctl", __func__);
			relay_kill(w, c);
			continue;
		}
		relay_pump(w, c);
	}
}

/* relay_expire - close connections past their deadline. */
static void
relay_expire(struct relay_worker *w, time_t now)
{
	struct relay_conn *c, *next;
	char peer[INET6_ADDRSTRLEN];
	long n;

	for (c = w->conns; c != NULL; c = next) {
		next = c->next;
		if (now < c->deadline)
			continue;
		if (c->state == RS_HANDSHAKE) {
			log_debug("TLS handshake with %s timed out",
			    relay_peer(c, peer, sizeof(peer)));
		} else if (c->state == RS_OPEN && c->stalled) {
			if ((n = relay_lograte_take(&relay_lr_stall, now)) >= 0)
				log_info("TLS connection from %s closed: client not "
				    "reading for %d s (%zu answer bytes buffered%s; "
				    "%ld more such closes in the last %d s)",
				    relay_peer(c, peer, sizeof(peer)),
				    LIMIT_RELAY_WRITE_STALL_S, c->down_len - c->down_off,
				    c->plain_hup ? ", HTTP side closed" : "", n,
				    LIMIT_LOG_INTERVAL_S);
		} else if (c->state == RS_OPEN) {
			log_debug("TLS connection from %s idle for %d s: closed",
			    relay_peer(c, peer, sizeof(peer)), LIMIT_RELAY_IDLE_S);
		}
		relay_kill(w, c);
	}
}

static void
relay_reap(struct relay_worker *w)
{
	while (w->dead != NULL) {
		struct relay_conn *c = w->dead;
		w->dead = c->next;
		free(c);
	}
}

static void *
relay_main(void *arg)
{
	struct relay_worker *w = arg;
	struct epoll_event evs[RELAY_EVENTS];
	time_t last = time(NULL);

	for (;;) {
		long tmo = http_timeout_ms(w->http);
		int n;
		time_t now;

		if (tmo < 0 || tmo > 1000)
			tmo = 1000;
		if (w->listen_paused) {
			long long left = w->resume_ms - relay_now_ms();

			if (left < tmo)
				tmo = left < 0 ? 0 : (long)left;
		}
		n = epoll_wait(w->ep, evs, RELAY_EVENTS, (int)tmo);
		if (n == -1 && errno != EINTR) {
			log_warn("%s: epoll_wait", __func__);
			break;
		}
		for (int i = 0; i < n; i++) {
			struct relay_handle *h = evs[i].data.ptr;

			switch (h->kind) {
			case RK_STOP:
				goto out;
			case RK_LISTEN:
				if (!w->listen_paused)
					relay_accept(w);
				break;
			case RK_HTTP:
				break;     /* http_run below, every pass */
			case RK_TCP:
			case RK_PLAIN:
				if (h->conn->state == RS_DEAD)
					break;
				if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
					if (h->kind == RK_TCP)
						h->conn->tcp_rd = 1;
					else
						h->conn->plain_rd = 1;
				}
				/* Seen even while the buffer toward the client is
				 * full and we do not read the socketpair. */
				if (h->kind == RK_PLAIN &&
				    (evs[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
					h->conn->plain_hup = 1;
				relay_pump(w, h->conn);
				break;
			}
		}
		/*
		 * Run libmicrohttpd after the relay moved bytes toward it, then
		 * pump again: its answers are usually ready in the same pass.
		 */
		http_run(w->http);
		relay_resume_listener(w);
		now = time(NULL);
		if (now != last) {
			relay_expire(w, now);
			last = now;
		}
		relay_reap(w);
	}
out:
	while (w->conns != NULL)
		relay_kill(w, w->conns);
	relay_reap(w);
	return NULL;
}

int
relay_start(int listen_fd, unsigned nworkers, struct http_env *env)
{
	relay_listen_fd = listen_fd;
	relay_env = env;
	relay_nworkers = nworkers;
	relay_max = env->max_tls_conns ? env->max_tls_conns : LIMIT_CONNECTIONS;
	if ((relay_peers = peer_table_new(LIMIT_CONNECTIONS_PER_IP)) == NULL)
		return -1;
	if ((relay_workers = calloc(nworkers, sizeof(*relay_workers))) == NULL)
		return -1;
	for (unsigned i = 0; i < nworkers; i++) {
		struct relay_worker *w = &relay_workers[i];
		struct epoll_event ev;

		w->id = i;
		w->ep = epoll_create1(EPOLL_CLOEXEC);
		w->stopfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		/* A worker may take every slot: the listener is shared. */
		w->http = http_start_tls_side(relay_max, env);
		if (w->ep == -1 || w->stopfd == -1 || w->http == NULL) {
			log_warn("%s: worker %u", __func__, i);
			return -1;
		}
		w->h_listen.kind = RK_LISTEN;
		w->h_http.kind = RK_HTTP;
		w->h_stop.kind = RK_STOP;
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.ptr = &w->h_listen;
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, listen_fd, &ev) == -1)
			return -1;
		ev.events = EPOLLIN;
		ev.data.ptr = &w->h_http;
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, http_epoll_fd(w->http), &ev) == -1)
			return -1;
		ev.data.ptr = &w->h_stop;
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, w->stopfd, &ev) == -1)
			return -1;
		if (pthread_create(&w->thread, NULL, relay_main, w) != 0) {
			log_warnx("%s: pthread_create failed", __func__);
			return -1;
		}
	}
	return 0;
}

void
relay_stop(void)
{
	uint64_t one = 1;

	for (unsigned i = 0; i < relay_nworkers; i++) {
		ssize_t r = write(relay_workers[i].stopfd, &one, sizeof(one));
		(void)r;
	}
	for (unsigned i = 0; i < relay_nworkers; i++) {
		struct relay_worker *w = &relay_workers[i];

		pthread_join(w->thread, NULL);
		http_stop(w->http);
		close(w->ep);
		close(w->stopfd);
	}
	free(relay_workers);
	relay_workers = NULL;
	relay_nworkers = 0;
	peer_table_free(relay_peers);
	relay_peers = NULL;
}
