/*
 * test_peer.c - peer_key (the per-address key of every per-address limit)
 * and the peer_table counts, table-driven.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "server.h"
#include "t.h"

/* addr (v4 or v6 text) as a sockaddr of its family; 0 or -1. */
static int
mksa(const char *addr, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(1234);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(4321);
		*len = sizeof(*s6);
		return 0;
	}
	return -1;
}

static const struct {
	int         line;
	const char *addr;
	const char *key;      /* peer_key_str of its key */
} key_cases[] = {
	{ __LINE__, "192.0.2.7", "192.0.2.7" },
	{ __LINE__, "::ffff:192.0.2.7", "192.0.2.7" },          /* dual stack: still the /32 */
	{ __LINE__, "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64" },
	{ __LINE__, "2001:db8:1:2::1", "2001:db8:1:2::/64" },
	{ __LINE__, "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64" },
	{ __LINE__, "2001:db8:1:3::1", "2001:db8:1:3::/64" },
	{ __LINE__, "::1", "::/64" },
	{ __LINE__, "fe80::1", "fe80::/64" },
	{ __LINE__, "0.0.0.0", "0.0.0.0" },
};

/* Pairs that must (same = 1) or must not share a key. */
static const struct {
	int         line;
	const char *a, *b;
	int         same;
} pair_cases[] = {
	{ __LINE__, "2001:db8::1", "2001:db8::2", 1 },
	{ __LINE__, "2001:db8::1", "2001:db8:0:0:8000::1", 1 },
	{ __LINE__, "2001:db8::1", "2001:db8:0:1::1", 0 },
	{ __LINE__, "192.0.2.1", "192.0.2.2", 0 },
	{ __LINE__, "192.0.2.1", "::ffff:192.0.2.1", 1 },
	{ __LINE__, "::ffff:192.0.2.1", "::ffff:192.0.2.2", 0 },
	{ __LINE__, "0.0.0.0", "::", 0 },                  /* IPv4 never meets an IPv6 /64 */
	{ __LINE__, "::ffff:0.0.0.1", "::1", 0 },
};

int
main(void)
{
	struct sockaddr_storage ss, ss2;
	struct peer_key k, k2;
	socklen_t len, len2;
	char buf[INET6_ADDRSTRLEN + 8];
	struct peer_table *t;

	for (size_t i = 0; i < sizeof(key_cases) / sizeof(key_cases[0]); i++) {
		T_CHECK(key_cases[i].line, mksa(key_cases[i].addr, &ss, &len) == 0,
		    "parse %s", key_cases[i].addr);
		T_CHECK(key_cases[i].line, peer_key((struct sockaddr *)&ss, len, &k) == 0,
		    "peer_key %s", key_cases[i].addr);
		peer_key_str(&k, buf, sizeof(buf));
		T_CHECK(key_cases[i].line, strcmp(buf, key_cases[i].key) == 0,
		    "%s: key %s, want %s", key_cases[i].addr, buf, key_cases[i].key);
	}
	for (size_t i = 0; i < sizeof(pair_cases) / sizeof(pair_cases[0]); i++) {
		mksa(pair_cases[i].a, &ss, &len);
		mksa(pair_cases[i].b, &ss2, &len2);
		peer_key((struct sockaddr *)&ss, len, &k);
		peer_key((struct sockaddr *)&ss2, len2, &k2);
		T_CHECK(pair_cases[i].line,
		    (memcmp(&k, &k2, sizeof(k)) == 0) == pair_cases[i].same,
		    "%s vs %s: same key %d", pair_cases[i].a, pair_cases[i].b,
		    pair_cases[i].same);
	}

	/* Bad input: other families, short lengths, NULL. */
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	T_OK(peer_key((struct sockaddr *)&ss, sizeof(ss), &k) == -1, "AF_UNIX refused");
	mksa("2001:db8::1", &ss, &len);
	T_OK(peer_key((struct sockaddr *)&ss, sizeof(struct sockaddr_in), &k) == -1,
	    "short sockaddr_in6 refused");
	T_OK(peer_key(NULL, 0, &k) == -1, "NULL refused");

	/* The table: three /128s of one /64 share a limit of 3. */
	T_OK((t = peer_table_new(3)) != NULL, "peer_table_new");
	{
		const char *a[] = { "2001:db8::1", "2001:db8::2", "2001:db8::3", "2001:db8::4" };
		struct peer_key ks[4];

		for (int i = 0; i < 4; i++) {
			mksa(a[i], &ss, &len);
			peer_key((struct sockaddr *)&ss, len, &ks[i]);
		}
		T_OK(peer_table_add(t, &ks[0]) == 0, "1st of the /64");
		T_OK(peer_table_add(t, &ks[1]) == 0, "2nd of the /64");
		T_OK(peer_table_add(t, &ks[2]) == 0, "3rd of the /64");
		T_OK(peer_table_add(t, &ks[3]) == -1, "4th address of the /64 refused");
		T_OK(peer_table_count(t, &ks[3]) == 3, "count 3, got %u",
		    peer_table_count(t, &ks[3]));
		mksa("2001:db8:0:1::1", &ss, &len);
		peer_key((struct sockaddr *)&ss, len, &k);
		T_OK(peer_table_add(t, &k) == 0, "another /64 has its own count");
		peer_table_del(t, &ks[0]);
		T_OK(peer_table_add(t, &ks[3]) == 0, "a slot freed is taken again");
		for (int i = 0; i < 3; i++)
			peer_table_del(t, &ks[1]);
		T_OK(peer_table_count(t, &ks[1]) == 0, "all released: 0");
		peer_table_del(t, &ks[1]);        /* one too many: harmless */
		T_OK(peer_table_count(t, &ks[1]) == 0, "extra del keeps 0");
		T_OK(peer_table_add(t, &ks[1]) == 0, "and counts again");
	}
	peer_table_free(t);
	peer_table_free(NULL);
	t = peer_table_new(0);
	mksa("192.0.2.1", &ss, &len);
	peer_key((struct sockaddr *)&ss, len, &k);
	T_OK(peer_table_add(t, &k) == -1, "limit 0 admits nothing");
	peer_table_free(t);
	return t_done("test_peer");
}
