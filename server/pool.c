/*
 * pool.c - the service threads: SOAP work off the I/O loops.
 *
 * The relay workers (relay.c) and libmicrohttpd's own threads (plain
 * HTTP) each serve many connections from one loop; an operation that
 * runs SQLite, builds a page of metadata or compresses it must not run
 * there, or every connection of that loop waits for it.  http.c
 * suspends the connection, hands the job to one of two lanes here and
 * resumes the connection from the job when it is done.
 *
 *   light lane  POOL_LIGHT_THREADS threads for cheap operations
 *               (GetConfig, GetCookie, GetAuthorizationCookie, ...: what
 *               webservices/ ws_is_light says), so that they never wait
 *               behind a heavy one;
 *   heavy lane  [server] service_threads threads for everything else,
 *               run at a lower scheduling priority (nice
 *               POOL_HEAVY_NICE) so that on a saturated machine the I/O
 *               loops and the light lane still get the CPU first.
 *
 * Each lane has a bounded FIFO (LIMIT_POOL_QUEUE jobs); a full lane
 * refuses the job and the caller answers 503.  Owns: the threads, the
 * queues and their bounds.  Never sees HTTP, SOAP or a connection: a job
 * is a function pointer, and the pool does not touch a job once its run
 * function has been called (run may hand it back to its owner, who frees
 * it).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "server.h"

#define POOL_LIGHT_THREADS   2   /* threads of the light lane */
#define POOL_HEAVY_NICE     10   /* nice increment of the heavy lane's threads (CPU share ~1:9) */

struct pool_lane {
	pthread_mutex_t   lock;
	pthread_cond_t    cond;
	struct pool_job  *head, *tail;   /* FIFO */
	unsigned          queued;        /* jobs waiting (not running) */
	unsigned          nthreads;
	pthread_t        *threads;
	int               nice;          /* added to the thread's priority */
	int               stopping;      /* no new jobs; threads exit when empty */
	const char       *name;
};

static struct pool_lane pool_lanes[POOL_NLANES];
static atomic_int       pool_running;

/* Take the next job of l, or NULL once the lane stops and is empty. */
static struct pool_job *
pool_take(struct pool_lane *l)
{
	struct pool_job *j;

	pthread_mutex_lock(&l->lock);
	while (l->head == NULL && !l->stopping)
		pthread_cond_wait(&l->cond, &l->lock);
	if ((j = l->head) != NULL) {
		l->head = j->next;
		if (l->head == NULL)
			l->tail = NULL;
		l->queued--;
	}
	pthread_mutex_unlock(&l->lock);
	return j;
}

static void *
pool_main(void *arg)
{
	struct pool_lane *l = arg;
	struct pool_job *j;

	/* Linux: nice is per thread (setpriority on the thread id). */
	if (l->nice != 0 &&
	    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), l->nice) == -1)
		log_debug("%s: setpriority: cannot lower the %s lane", __func__, l->name);
	while ((j = pool_take(l)) != NULL) {
		j->next = NULL;
		j->run(j);   /* j may be gone after this */
	}
	return NULL;
}

/* pool_lane_start - initialise lane l and start n threads.  0 or -1. */
static int
pool_lane_start(struct pool_lane *l, const char *name, unsigned n, int nice)
{
	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->cond, NULL);
	l->name = name;
	l->nice = nice;
	if ((l->threads = calloc(n, sizeof(*l->threads))) == NULL)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		if (pthread_create(&l->threads[i], NULL, pool_main, l) != 0) {
			log_warnx("%s: pthread_create failed (%s lane)", __func__, name);
			return -1;
		}
		l->nthreads++;
	}
	return 0;
}

/* pool_lane_stop - refuse new jobs, let the threads run what is queued,
 * join them.  Accepts a lane never started. */
static void
pool_lane_stop(struct pool_lane *l)
{
	if (l->threads == NULL)
		return;
	pthread_mutex_lock(&l->lock);
	l->stopping = 1;
	pthread_cond_broadcast(&l->cond);
	pthread_mutex_unlock(&l->lock);
	for (unsigned i = 0; i < l->nthreads; i++)
		pthread_join(l->threads[i], NULL);
	free(l->threads);
	l->threads = NULL;
	/* The lock stays: an I/O thread may still be in pool_submit. */
}

int
pool_start(unsigned heavy_threads)
{
	if (heavy_threads < 1)
		heavy_threads = 1;
	if (pool_lane_start(&pool_lanes[POOL_LIGHT], "light", POOL_LIGHT_THREADS, 0) == -1 ||
	    pool_lane_start(&pool_lanes[POOL_HEAVY], "heavy", heavy_threads,
	    POOL_HEAVY_NICE) == -1) {
		pool_stop();
		return -1;
	}
	pool_running = 1;
	log_info("Service threads: %u for light operations, %u for the others "
	    "(nice +%d), at most %u queued per lane", POOL_LIGHT_THREADS,
	    heavy_threads, POOL_HEAVY_NICE, LIMIT_POOL_QUEUE);
	return 0;
}

int
pool_submit(struct pool_job *job, enum pool_lane_id lane)
{
	struct pool_lane *l;
	int rc = -1;

	if ((unsigned)lane >= POOL_NLANES || !pool_running)
		return -1;
	l = &pool_lanes[lane];
	job->next = NULL;
	pthread_mutex_lock(&l->lock);
	if (!l->stopping && l->queued < LIMIT_POOL_QUEUE) {
		if (l->tail)
			l->tail->next = job;
		else
			l->head = job;
		l->tail = job;
		l->queued++;
		pthread_cond_signal(&l->cond);
		rc = 0;
	}
	pthread_mutex_unlock(&l->lock);
	return rc;
}

void
pool_stop(void)
{
	pool_running = 0;
	for (int i = 0; i < POOL_NLANES; i++)
		pool_lane_stop(&pool_lanes[i]);
}
