/*
 * env.c - the environment every web-service operation runs in: the
 * server's identity, the cookie lifetime, and one store handle per thread.
 *
 * Owns: ws_init/ws_shutdown/ws_settings_seed (ws.h) and ws_store.  Sits below the
 * operation files (client.c, simpleauth.c, reporting.c), which call it,
 * and below services.c, which dispatches to them; it calls none of them.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "ws_int.h"

uint8_t ws_server_id[16];
unsigned ws_cookie_lifetime = 3600;
unsigned ws_registrations_per_addr = LIMIT_REGISTRATIONS_PER_ADDR;
static char ws_data_dir[1024];
static pthread_key_t ws_store_key;
static pthread_once_t ws_store_once = PTHREAD_ONCE_INIT;

static void
ws_store_destroy(void *p)
{
	store_close(p);
}

static void
ws_store_key_init(void)
{
	pthread_key_create(&ws_store_key, ws_store_destroy);
}

struct store *
ws_store(void)
{
	struct store *st;

	pthread_once(&ws_store_once, ws_store_key_init);
	if ((st = pthread_getspecific(ws_store_key)) != NULL)
		return st;
	if ((st = store_open(ws_data_dir)) == NULL)
		return NULL;
	pthread_setspecific(ws_store_key, st);
	return st;
}

int
ws_init(const char *data_dir, unsigned cookie_lifetime)
{
	char sid[STORE_GUID_LEN + 1];
	struct store *st;

	if (snprintf(ws_data_dir, sizeof(ws_data_dir), "%s", data_dir) >=
	    (int)sizeof(ws_data_dir))
		return -1;
	ws_cookie_lifetime = cookie_lifetime;
	if (cookie_init(data_dir) == -1)
		return -1;
	if ((st = ws_store()) == NULL || store_server_id(st, sid) == -1 ||
	    cookie_guid_parse(sid, strlen(sid), ws_server_id) == -1) {
		log_warnx("%s: cannot read the server identity", __func__);
		return -1;
	}
	return 0;
}

void
ws_shutdown(void)
{
	cookie_shutdown();
}

int
ws_settings_seed(struct store *st, const struct config *conf)
{
	struct store_settings want, now;

	memset(&want, 0, sizeof(want));
	want.targeting = strcmp(conf->targeting, "client") == 0 ?
	    STORE_TARGETING_CLIENT : STORE_TARGETING_SERVER;
	want.event_days_workstation = conf->event_days_workstation;
	want.event_days_server = conf->event_days_server;
	ws_registrations_per_addr = conf->registrations_per_address;
	/* wsusd.conf's values, written by the daemon itself: audited when
	 * they change what is in force (store_settings_seed). */
	if (store_settings_seed(st, &want, &now, &(const struct store_actor){
	    "wsusd", "local", "local" }) == -1) {
		log_warnx("%s: cannot store the targeting and retention settings",
		    __func__);
		return -1;
	}
	log_info("Targeting: %s-side%s; events kept %u days (workstations), "
	    "%u days (servers), at most %u per computer; at most %u new "
	    "computers per address and hour", store_targeting_name(now.targeting),
	    now.targeting_by_admin ? " (set through the admin API)" : "",
	    now.event_days_workstation, now.event_days_server,
	    LIMIT_EVENTS_PER_COMPUTER, ws_registrations_per_addr);
	return 0;
}
