/*
 * console_load.c - the synthetic estate of the console benchmark
 * (bench/console.sh): groups, computers and their reported states,
 * written through the store's own functions (libstore), so that whatever
 * the store keeps current as reports arrive (update_status, the summary
 * tables) is built exactly as by the reporting path - the same
 * store_events_add ReportEventBatch calls, in one transaction per
 * computer, as a client's report batch.
 *
 *   console_load DATA_DIR UPDATE_IDS_FILE GROUPS COMPUTERS PER_COMPUTER
 *
 * UPDATE_IDS_FILE holds one update GUID a line (the approved updates).
 * Makes GROUPS groups "Bench-NN" under All Computers, COMPUTERS computers
 * "pcNNNNN.bench.test" (computer i in group i % GROUPS), and for each
 * computer PER_COMPUTER distinct updates with a state drawn from a fixed
 * mix (60 % installed, 25 % needed, 5 % failed, 10 % not applicable), a
 * seeded PRNG making runs identical.  Prints what it made and the time per
 * phase; exit status 0, or 1 on the first store error.
 *
 * Build: see bench/console.sh (links BUILD/lib/libstore.a and libcommon.a).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "store.h"

#define LOAD_MAX_UPDATES 100000

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64*: reproducible, no libc state. */
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ull;
}

/* A GUID from n, deterministic, lowercase (the store's canonical form). */
static void
guid_of(uint64_t tag, uint64_t n, char out[STORE_GUID_LEN + 1])
{
	snprintf(out, STORE_GUID_LEN + 1, "%08x-%04x-4%03x-8%03x-%012llx",
	    (unsigned)(tag & 0xffffffffu), (unsigned)((n >> 32) & 0xffff),
	    (unsigned)((n >> 20) & 0xfff), (unsigned)((n >> 8) & 0xfff),
	    (unsigned long long)(n & 0xffffffffffffull));
}

int
main(int argc, char **argv)
{
	static char ids[LOAD_MAX_UPDATES][STORE_GUID_LEN + 2];
	const struct store_actor who = { "console_load", "local", "local" };
	char line[128], gname[32], gguid[STORE_GUID_LEN + 1];
	struct store_event *ev = NULL;
	struct store *st = NULL;
	int nids = 0, ngroups, ncomp, per, rc = 1;
	int *pick = NULL;
	double t0, t1, t2, t3;
	long states[4] = { 0, 0, 0, 0 };
	FILE *f;

	if (argc != 6) {
		fprintf(stderr, "usage: console_load DATA_DIR UPDATE_IDS_FILE GROUPS "
		    "COMPUTERS PER_COMPUTER\n");
		return 2;
	}
	ngroups = atoi(argv[3]);
	ncomp = atoi(argv[4]);
	per = atoi(argv[5]);
	if ((f = fopen(argv[2], "r")) == NULL) {
		perror(argv[2]);
		return 2;
	}
	while (nids < LOAD_MAX_UPDATES && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strlen(line) == STORE_GUID_LEN)
			memcpy(ids[nids++], line, STORE_GUID_LEN + 1);
	}
	fclose(f);
	if (ngroups < 1 || ncomp < 1 || per < 0 || per > nids) {
		fprintf(stderr, "console_load: need GROUPS >= 1, COMPUTERS >= 1, "
		    "PER_COMPUTER <= %d updates\n", nids);
		return 2;
	}
	log_init(0, LOG_LVL_WARN, "console_load");   /* no info line per change */
	if ((st = store_open(argv[1])) == NULL ||
	    (ev = calloc((size_t)per + 1, sizeof(*ev))) == NULL ||
	    (pick = calloc((size_t)nids, sizeof(*pick))) == NULL)
		goto out;
	for (int i = 0; i < nids; i++)
		pick[i] = i;

	t0 = now_s();
	for (int g = 0; g < ngroups; g++) {
		snprintf(gname, sizeof(gname), "Bench-%02d", g);
		if (store_group_add(st, gname, NULL, gguid, &who) != 0) {
			fprintf(stderr, "console_load: group %s\n", gname);
			goto out;
		}
	}
	t1 = now_s();
	for (int c = 0; c < ncomp; c++) {
		struct store_computer sc;
		memset(&sc, 0, sizeof(sc));
		guid_of(0xbe7c0000u, (uint64_t)c + 1, sc.computer_id);
		snprintf(sc.dns_name, sizeof(sc.dns_name), "pc%05d.bench.test", c);
		snprintf(sc.ip, sizeof(sc.ip), "10.%d.%d.%d", (c >> 16) & 255, (c >> 8) & 255, c & 255);
		snprintf(sc.os_description, sizeof(sc.os_description), "Windows 11 Enterprise");
		snprintf(sc.client_version, sizeof(sc.client_version), "10.0.22621.1");
		sc.product_type = 1;
		sc.last_sync = sc.registered = time(NULL) - 3600;
		snprintf(gname, sizeof(gname), "Bench-%02d", c % ngroups);
		if (store_computer_upsert(st, &sc) != 0 ||
		    store_computer_assign(st, sc.computer_id, gname, &who) != 0) {
			fprintf(stderr, "console_load: computer %d\n", c);
			goto out;
		}
	}
	t2 = now_s();
	for (int c = 0; c < ncomp; c++) {
		char cid[STORE_GUID_LEN + 1];
		time_t t = time(NULL) - 600;
		guid_of(0xbe7c0000u, (uint64_t)c + 1, cid);
		/* per distinct updates: a partial Fisher-Yates shuffle. */
		for (int k = 0; k < per; k++) {
			int j = k + (int)(rnd() % (uint64_t)(nids - k)), tmp = pick[k];
			unsigned r = (unsigned)(rnd() % 100);
			struct store_event *e = &ev[k];
			pick[k] = pick[j];
			pick[j] = tmp;
			memset(e, 0, sizeof(*e));
			memcpy(e->computer_id, cid, sizeof(cid));
			guid_of(0xe0e00000u, ((uint64_t)c << 20) | (uint64_t)k, e->instance_id);
			memcpy(e->update_id, ids[pick[k]], STORE_GUID_LEN + 1);
			e->revision_number = 200;
			e->namespace_id = 1;
			e->time = t + k;
			if (r < 60) {
				e->event_id = 183;
				snprintf(e->target_state, sizeof(e->target_state), "installed");
				states[0]++;
			} else if (r < 85) {
				e->event_id = 156;
				snprintf(e->target_state, sizeof(e->target_state), "needed");
				states[1]++;
			} else if (r < 90) {
				e->event_id = 161;
				e->win32_hresult = (int32_t)0x80246002;
				snprintf(e->target_state, sizeof(e->target_state), "failed");
				states[2]++;
			} else {
				e->event_id = 156;
				snprintf(e->target_state, sizeof(e->target_state), "not_applicable");
				states[3]++;
			}
		}
		/* One client's report batch; keep a few events per computer as the
		 * daemon's cap would (statuses are what the console reads). */
		if (store_events_add(st, ev, (unsigned)per, 20) != 0) {
			fprintf(stderr, "console_load: statuses of computer %d\n", c);
			goto out;
		}
		if (c % 2000 == 1999)
			fprintf(stderr, "console_load: %d computers reported\n", c + 1);
	}
	t3 = now_s();
	printf("LOAD groups=%d computers=%d statuses=%ld installed=%ld needed=%ld "
	    "failed=%ld not_applicable=%ld groups_s=%.1f computers_s=%.1f statuses_s=%.1f "
	    "statuses_per_s=%.0f\n", ngroups, ncomp, (long)ncomp * per, states[0],
	    states[1], states[2], states[3], t1 - t0, t2 - t1, t3 - t2,
	    (double)ncomp * per / (t3 - t2 > 0 ? t3 - t2 : 1));
	rc = 0;
out:
	store_close(st);
	free(ev);
	free(pick);
	return rc;
}
