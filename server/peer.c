/*
 * peer.c - what "one address" means for every per-address limit, and the
 * shared tables that count connections per address.
 *
 * Owns: the key a peer is counted under (peer_key) and the counting
 * tables (peer_table_*), used by the TLS relay (relay.c) and the plain
 * HTTP listener (http.c).  An IPv4 peer (also when it arrives
 * IPv4-mapped on a dual-stack socket) is its /32; an IPv6 peer is its
 * /64 (LIMIT_IPV6_PREFIX_BITS): one host or one site usually holds a
 * whole /64 and can pick any of its 2^64 addresses, so counting /128s
 * would let a single client multiply every limit.  Never does I/O, never
 * logs an address it was not given.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define PEER_BUCKETS 4096

struct peer_node {
	struct peer_node *next;
	struct peer_key   key;
	unsigned          count;
};

struct peer_table {
	pthread_mutex_t   lock;
	unsigned          limit;
	struct peer_node *b[PEER_BUCKETS];
};

int
peer_key(const struct sockaddr *sa, socklen_t salen, struct peer_key *k)
{
	memset(k, 0, sizeof(*k));
	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET && salen >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;

		k->b[10] = k->b[11] = 0xff;
		memcpy(k->b + 12, &s4->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6 && salen >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;

		memcpy(k->b, &s6->sin6_addr, 16);
		/* An IPv4 client on a dual-stack socket stays a /32. */
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			return 0;
		memset(k->b + LIMIT_IPV6_PREFIX_BITS / 8, 0,
		    16 - LIMIT_IPV6_PREFIX_BITS / 8);
		return 0;
	}
	return -1;
}

const char *
peer_key_str(const struct peer_key *k, char *buf, size_t len)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	char a[INET6_ADDRSTRLEN];

	if (memcmp(k->b, mapped, 12) == 0) {
		if (inet_ntop(AF_INET, k->b + 12, a, sizeof(a)) == NULL)
			snprintf(a, sizeof(a), "?");
		snprintf(buf, len, "%s", a);
	} else {
		if (inet_ntop(AF_INET6, k->b, a, sizeof(a)) == NULL)
			snprintf(a, sizeof(a), "?");
		snprintf(buf, len, "%s/%d", a, LIMIT_IPV6_PREFIX_BITS);
	}
	return buf;
}

static unsigned
peer_hash(const struct peer_key *k)
{
	unsigned h = 2166136261u;

	for (size_t i = 0; i < sizeof(k->b); i++)
		h = (h ^ k->b[i]) * 16777619u;
	return h % PEER_BUCKETS;
}

struct peer_table *
peer_table_new(unsigned limit)
{
	struct peer_table *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	pthread_mutex_init(&t->lock, NULL);
	t->limit = limit;
	return t;
}

void
peer_table_free(struct peer_table *t)
{
	if (t == NULL)
		return;
	for (unsigned i = 0; i < PEER_BUCKETS; i++) {
		while (t->b[i] != NULL) {
			struct peer_node *n = t->b[i];
			t->b[i] = n->next;
			free(n);
		}
	}
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* Find k's node; *pp is left at the link that points to it (or the end). */
static struct peer_node *
peer_find(struct peer_table *t, const struct peer_key *k, struct peer_node ***pp)
{
	struct peer_node *n;

	for (*pp = &t->b[peer_hash(k)]; (n = **pp) != NULL; *pp = &n->next)
		if (memcmp(n->key.b, k->b, sizeof(k->b)) == 0)
			return n;
	return NULL;
}

int
peer_table_add(struct peer_table *t, const struct peer_key *k)
{
	struct peer_node **pp, *n;
	int rc = 0;

	pthread_mutex_lock(&t->lock);
	if ((n = peer_find(t, k, &pp)) == NULL) {
		if (t->limit == 0 || (n = calloc(1, sizeof(*n))) == NULL) {
			rc = -1;
			goto out;
		}
		n->key = *k;
		*pp = n;
	}
	if (n->count >= t->limit)
		rc = -1;
	else
		n->count++;
out:
	pthread_mutex_unlock(&t->lock);
	return rc;
}

void
peer_table_del(struct peer_table *t, const struct peer_key *k)
{
	struct peer_node **pp, *n;

	pthread_mutex_lock(&t->lock);
	if ((n = peer_find(t, k, &pp)) != NULL && (n->count <= 1)) {
		*pp = n->next;
		free(n);
	} else if (n != NULL) {
		n->count--;
	}
	pthread_mutex_unlock(&t->lock);
}

unsigned
peer_table_count(struct peer_table *t, const struct peer_key *k)
{
	struct peer_node **pp, *n;
	unsigned c;

	pthread_mutex_lock(&t->lock);
	n = peer_find(t, k, &pp);
	c = n ? n->count : 0;
	pthread_mutex_unlock(&t->lock);
	return c;
}
