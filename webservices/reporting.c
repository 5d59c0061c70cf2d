/*
 * reporting.c - ReportingWebService ReportEventBatch (MS-WUSP §3.3.5.1):
 * client events stored, and per-computer, per-update status derived from
 * their event ids the way WSUS does (SUSDB tbEvent, namespace 1).
 *
 * Owns: the event-id -> status table and the bounded parse of a batch.
 * The batch is stored in one transaction or not at all.  What a client
 * says is bounded before it is kept: a TimeAtTarget more than
 * LIMIT_EVENT_CLOCK_SKEW_S ahead of our clock becomes the arrival time (an
 * event dated 9999-12-31 would otherwise decide a status forever: the
 * latest event wins), a computer keeps at
 * most LIMIT_EVENTS_PER_COMPUTER events, and a computer the store does
 * not know counts against its address's registration budget.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ws_int.h"

/* WSUS client event ids (captures/.../susdb-client-event-table.csv). */
static const struct { int id; const char *state; } reporting_states[] = {
	{ 156, "needed" },        /* client status: applicable, not installed */
	{ 161, "failed" },        /* download failed */
	{ 162, "downloaded" },
	{ 164, "downloaded" },    /* some bits from a peer */
	{ 182, "failed" },        /* installation failure */
	{ 183, "installed" },
	{ 184, "installed" },     /* restart required */
	{ 187, "failed" },        /* installation killed */
	{ 188, "downloaded" },    /* ready for installation */
	{ 189, "downloaded" },
	{ 190, "installed" },
	{ 191, "installed" },
};

static const char *
reporting_state(int event_id)
{
	for (size_t i = 0; i < sizeof(reporting_states) / sizeof(reporting_states[0]); i++)
		if (reporting_states[i].id == event_id)
			return reporting_states[i].state;
	return "";
}

/* Parse one ReportingEvent into *e; -1 names the bad field in *why. */
static int
reporting_event(struct ws_call *c, const struct xml_node *ev, const char *computer,
    struct store_event *e, const char **why)
{
	const struct xml_node *bd = xml_child(ev, "BasicData"), *u;
	const char *v;
	long long n;
	uint8_t g[16];

	memset(e, 0, sizeof(*e));
	snprintf(e->computer_id, sizeof(e->computer_id), "%s", computer);
	*why = "eventBatch.BasicData";
	if (bd == NULL)
		return -1;
	*why = "eventBatch.EventInstanceID";
	if ((v = soap_text(bd, "EventInstanceID")) == NULL ||
	    cookie_guid_parse(v, strlen(v), g) == -1)
		return -1;
	cookie_guid_format(g, e->instance_id);
	*why = "eventBatch.EventID";
	if ((v = soap_text(bd, "EventID")) == NULL ||
	    soap_parse_int(v, strlen(v), 0, 32767, &n) == -1)
		return -1;
	e->event_id = (int)n;
	*why = "eventBatch.NamespaceID";
	if ((v = soap_text(bd, "NamespaceID")) == NULL ||
	    soap_parse_int(v, strlen(v), 0, INT32_MAX, &n) == -1)
		return -1;
	e->namespace_id = (int)n;
	*why = "eventBatch.TimeAtTarget";
	if ((v = soap_text(bd, "TimeAtTarget")) == NULL ||
	    soap_parse_datetime(v, strlen(v), &e->time) == -1)
		return -1;
	/*
	 * A time within the skew of our clock is believed (clocks drift); one
	 * further ahead is no time at all, and the event counts as happening
	 * when it arrived.  So no event holds a status for longer than the
	 * skew against the ones that follow it.
	 */
	if (e->time > c->now + LIMIT_EVENT_CLOCK_SKEW_S) {
		log_debug("ReportEventBatch: %s: TimeAtTarget %s is more than %d s "
		    "ahead: taken as the arrival time", computer, v,
		    LIMIT_EVENT_CLOCK_SKEW_S);
		e->time = c->now;
	}
	*why = "eventBatch.Win32HResult";
	if ((v = soap_text(bd, "Win32HResult")) != NULL) {
		if (soap_parse_int(v, strlen(v), INT32_MIN, INT32_MAX, &n) == -1)
			return -1;
		e->win32_hresult = n;
	}
	*why = "eventBatch.UpdateID";
	if ((u = xml_child(bd, "UpdateID")) != NULL &&
	    (v = soap_text(u, "UpdateID")) != NULL) {
		if (cookie_guid_parse(v, strlen(v), g) == -1)
			return -1;
		cookie_guid_format(g, e->update_id);
		if ((v = soap_text(u, "RevisionNumber")) != NULL) {
			if (soap_parse_int(v, strlen(v), 0, INT32_MAX, &n) == -1)
				return -1;
			e->revision_number = (int)n;
		}
		/* An all-zero update id means "not about an update". */
		if (strcmp(e->update_id, "00000000-0000-0000-0000-000000000000") == 0)
			e->update_id[0] = '\0';
	}
	if (e->update_id[0] != '\0' && e->namespace_id == 1)
		snprintf(e->target_state, sizeof(e->target_state), "%s",
		    reporting_state(e->event_id));
	if ((v = soap_text(bd, "AppName")) != NULL)
		snprintf(e->message, sizeof(e->message), "%s", v);
	return 0;
}

static int
reporting_event_batch(struct ws_call *c)
{
	const struct xml_node *batch = xml_child(c->op, "eventBatch"), *ev;
	struct store_event *events = NULL;
	struct cookie ck;
	char computer[37];
	const char *why;
	unsigned n = 0, count;
	int rc = -1;

	if (ws_client_cookie(c, xml_child(c->op, "cookie"), &ck) == -1)
		return 0;
	cookie_guid_format(ck.computer_id, computer);
	count = batch ? xml_count(batch, "ReportingEvent") : 0;
	if (count > LIMIT_EVENTS_PER_BATCH)
		return soap_fault(c, "InvalidParameters", "eventBatch");
	if (count > 0 && (events = calloc(count, sizeof(*events))) == NULL)
		return -1;
	for (ev = batch ? xml_child(batch, "ReportingEvent") : NULL; ev;
	    ev = xml_next_same(ev)) {
		if (reporting_event(c, ev, computer, &events[n], &why) == -1) {
			rc = soap_fault(c, "InvalidParameters", why);
			goto out;
		}
		n++;
	}
	if (n > 0) {
		struct store_computer comp;
		int known = store_computer_get(c->st, computer, &comp);

		/* Reports need only a cookie: a new computer still counts. */
		if (known == -1)
			goto out;
		if (known == 0 && ws_client_admit(c, computer) == -1) {
			rc = 0;
			goto out;
		}
		if (store_events_add(c->st, events, n, LIMIT_EVENTS_PER_COMPUTER) == -1)
			goto out;
	}
	log_info("ReportEventBatch: %s reported %u event(s)", computer, n);
	soap_begin(c);
	soap_elem_bool(&c->out, "ReportEventBatchResult", 1);
	soap_end(c);
	rc = soap_finish(c);
out:
	free(events);
	return rc;
}

const struct ws_op reporting_ops[] = {
	{ "ReportEventBatch", reporting_event_batch, 0 },
	{ NULL, NULL, 0 }
};
