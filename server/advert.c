/*
 * advert.c - the URL the server advertises, as the running daemon sees it.
 *
 * Owns: the shared view (soap URL for ?wsdl and redirects, content URL for
 * FileLocations) and noticing that `wsusutil configuressl` changed it in
 * the store.  The change is picked up without a restart; the transition is
 * logged the way WSUS/ConfigMgr admins verify it in WCM.log (state 1
 * WSUS_CONFIG_PENDING, then 2 WSUS_CONFIG_SUCCESS).  Never writes the store.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "server.h"
#include "store.h"

static pthread_mutex_t     advert_lock = PTHREAD_MUTEX_INITIALIZER;
static struct advert_view  advert_cur;
static struct store_advert advert_dflt;

/* Make a view from a stored configuration. */
static int
advert_view_from(const struct store_advert *a, struct advert_view *v)
{
	memset(v, 0, sizeof(*v));
	if (snprintf(v->fqdn, sizeof(v->fqdn), "%s", a->fqdn) >= (int)sizeof(v->fqdn))
		return -1;
	if (store_advert_url(a->fqdn, a->using_ssl, a->http_port, a->https_port,
	    v->soap_url, sizeof(v->soap_url)) == -1)
		return -1;
	if (store_advert_url(a->fqdn, 0, a->http_port, a->https_port,
	    v->content_url, sizeof(v->content_url)) == -1)
		return -1;
	v->generation = a->generation;
	v->changed_at = a->changed_at;
	return 0;
}

static int
advert_publish(struct store *st)
{
	struct store_advert a;
	struct advert_view v;

	if (store_advert_get(st, &advert_dflt, &a) == -1 ||
	    advert_view_from(&a, &v) == -1)
		return -1;
	pthread_mutex_lock(&advert_lock);
	advert_cur = v;
	pthread_mutex_unlock(&advert_lock);
	log_info("Advertised server URL: %s (content %s/Content, using SSL: %s, "
	    "configuration generation %lld)", v.soap_url, v.content_url,
	    a.using_ssl ? "yes" : "no", (long long)v.generation);
	return 0;
}

int
advert_load(struct store *st, const struct config *c)
{
	memset(&advert_dflt, 0, sizeof(advert_dflt));
	snprintf(advert_dflt.fqdn, sizeof(advert_dflt.fqdn), "%s", c->fqdn);
	/* A server that requires SSL for the client services advertises https. */
	advert_dflt.using_ssl = (c->ssl_require & (1u << WS_CLIENT)) != 0;
	advert_dflt.http_port = c->http_port;
	advert_dflt.https_port = c->https_port;
	return advert_publish(st);
}

int
advert_poll(struct store *st)
{
	int64_t gen = store_generation(st);
	int64_t cur;

	pthread_mutex_lock(&advert_lock);
	cur = advert_cur.generation;
	pthread_mutex_unlock(&advert_lock);
	if (gen < 0 || gen == cur)
		return 0;
	log_info("Configuration change detected (generation %lld -> %lld)",
	    (long long)cur, (long long)gen);
	log_info("Setting new configuration state to 1 (WSUS_CONFIG_PENDING)");
	if (advert_publish(st) == -1) {
		log_warnx("Setting new configuration state to 3 (WSUS_CONFIG_FAILED): "
		    "the stored configuration could not be read");
		return 0;
	}
	log_info("Setting new configuration state to 2 (WSUS_CONFIG_SUCCESS)");
	return 1;
}

void
advert_get(struct advert_view *v)
{
	pthread_mutex_lock(&advert_lock);
	*v = advert_cur;
	pthread_mutex_unlock(&advert_lock);
}
