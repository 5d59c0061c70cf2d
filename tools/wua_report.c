/*
 * wua_report.c - ReportEventBatch (MS-WUSP §3.3.5.1) as WUA sends it after
 * a scan, download or install: one ReportingEvent per needed update,
 * namespace 1, source 1, with the event id WSUS derives the per-update
 * state from (captures/wsus-rs/reports/susdb-client-event-table.csv):
 *
 *   156  needed, not downloaded yet         162  downloaded
 *   161  download or hash failure (HRESULT) 183  installed
 *
 * Owns: the event shape.  Events (with their EventInstanceIDs) are made
 * once before the call, so a retry after a cookie recovery re-sends the
 * same events rather than new ones.  Batches hold at most
 * WUA_EVENTS_PER_BATCH events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wua.h"

struct report_event {
	const struct wua_update *u;
	int     event_id;
	int32_t hr;
	int     seq;
	char    instance[WUA_UID_LEN + 1];
	char    when[40];
};

struct report_batch {
	const struct report_event *ev;
	int                        n;
};

/* The event for u from DIR/installed, DIR/failed and DIR/downloads. */
static void
report_classify(const struct wua *w, const struct wua_update *u, struct report_event *e)
{
	int all = 1;

	e->u = u;
	e->hr = 0;
	if (wua_state_is_installed(w, u->uid)) {
		e->event_id = 183;
		return;
	}
	if ((e->hr = wua_state_failed_hr(w, u->uid)) != 0) {
		e->event_id = 161;
		return;
	}
	for (int k = 0; k < u->nfiles && all; k++)
		all = wua_downloaded(w, &u->files[k]);
	e->event_id = all && u->nfiles > 0 ? 162 : 156;
}

/*
 * report_body - ReportEventBatch(cookie, clientTime, eventBatch): BasicData
 * in WSDL order (TargetID/Sid is the SusClientId, Win32HResult the
 * failure code as a signed int32), and the ExtendedData members the schema
 * makes mandatory, with the update title as the replacement string WSUS
 * shows in its event details.
 */
static void
report_body(struct wua *w, struct wbuf *b, void *arg)
{
	const struct report_batch *q = arg;
	char now[40];

	wua_time_fmt(time(NULL), 1, now, sizeof(now));
	wua_session_cookie(w, b, "cookie");
	wbuf_printf(b, "<clientTime>%s</clientTime><eventBatch>", now);
	for (int i = 0; i < q->n; i++) {
		const struct report_event *e = &q->ev[i];

		wbuf_printf(b, "<ReportingEvent><BasicData><TargetID><Sid>%s</Sid>"
		    "</TargetID><SequenceNumber>%d</SequenceNumber>"
		    "<TimeAtTarget>%s</TimeAtTarget><EventInstanceID>%s</EventInstanceID>"
		    "<NamespaceID>1</NamespaceID><EventID>%d</EventID><SourceID>1</SourceID>"
		    "<UpdateID><UpdateID>%s</UpdateID><RevisionNumber>%d</RevisionNumber>"
		    "</UpdateID><Win32HResult>%d</Win32HResult><AppName>wsusclient</AppName>"
		    "</BasicData><ExtendedData><ReplacementStrings><string>",
		    w->client_id, e->seq, e->when, e->instance, e->event_id, e->u->uid,
		    e->u->revnum, (int)e->hr);
		wbuf_esc(b, e->u->title, strlen(e->u->title));
		wbuf_puts(b, "</string></ReplacementStrings><ComputerBrand>Linux</ComputerBrand>"
		    "<ComputerModel>wsusclient</ComputerModel>"
		    "<ProcessorArchitecture>Amd64Compatible</ProcessorArchitecture>"
		    "<OSVersion><Major>0</Major><Minor>0</Minor><Build>0</Build>"
		    "<Revision>0</Revision><ServicePackMajor>0</ServicePackMajor>"
		    "<ServicePackMinor>0</ServicePackMinor></OSVersion>"
		    "<OSLocaleID>1033</OSLocaleID></ExtendedData></ReportingEvent>");
	}
	wbuf_puts(b, "</eventBatch>");
}

/*
 * wua_report - one event per update in DIR/updates (the needed list of
 * the last scan, so after an install and before the next scan it still
 * names what was just installed), SequenceNumbers reserved in
 * DIR/sequence.  Prints the tally; 0 or -1 ("Reporting failed: ...").
 */
int
wua_report(struct wua *w)
{
	struct report_event *ev = NULL;
	int counts[4] = { 0, 0, 0, 0 }, seq, rc = -1;
	time_t now = time(NULL);

	if (wua_state_reload_installed(w) == -1)
		return -1;
	if (w->nupdates == 0) {
		wua_say("Nothing to report");
		return 0;
	}
	if ((ev = calloc((size_t)w->nupdates, sizeof(*ev))) == NULL)
		return -1;
	seq = wua_state_next_sequence(w, w->nupdates);
	for (int i = 0; i < w->nupdates; i++) {
		report_classify(w, &w->updates[i], &ev[i]);
		ev[i].seq = seq + i;
		wua_guid(ev[i].instance);
		wua_time_fmt(now, 1, ev[i].when, sizeof(ev[i].when));
		counts[ev[i].event_id == 156 ? 0 : ev[i].event_id == 162 ? 1 :
		    ev[i].event_id == 161 ? 2 : 3]++;
	}
	for (int off = 0; off < w->nupdates; off += WUA_EVENTS_PER_BATCH) {
		struct report_batch q = { ev + off, w->nupdates - off > WUA_EVENTS_PER_BATCH ?
		    WUA_EVENTS_PER_BATCH : w->nupdates - off };
		struct wua_reply r;
		const char *ok;

		if (wua_session_call(w, WUA_SVC_REPORTING, "ReportEventBatch", report_body,
		    &q, &r) == -1) {
			wua_say("Reporting failed: %s", w->error[0] ? w->error : "Unknown");
			goto out;
		}
		ok = wua_text(r.resp, "ReportEventBatchResult");
		if (ok == NULL || strcmp(ok, "true") != 0) {
			wua_say("Reporting failed: the server answered ReportEventBatchResult "
			    "\"%s\"", ok ? ok : "(none)");
			wua_reply_free(&r);
			goto out;
		}
		wua_reply_free(&r);
	}
	wua_say("Reported %d events (156 needed: %d, 162 downloaded: %d, "
	    "161 failed: %d, 183 installed: %d)", w->nupdates, counts[0], counts[1],
	    counts[2], counts[3]);
	rc = 0;
out:
	free(ev);
	return rc;
}
