/*
 * test_pool.c - server/pool.c: every submitted job runs exactly once, a
 * lane whose threads are all busy takes LIMIT_POOL_QUEUE waiting jobs and
 * refuses the next, the light lane runs while the heavy one is blocked,
 * and pool_stop runs what is queued before it returns.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "server.h"
#include "t.h"

#define HEAVY_THREADS 2

struct tjob {
	struct pool_job job;      /* first */
	atomic_int     *ran;
	int             block;    /* wait on the gate */
};

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t  gate_cond = PTHREAD_COND_INITIALIZER;
static int             gate_open;
static atomic_int      blocked_now;

static void
tjob_run(struct pool_job *j)
{
	struct tjob *t = (struct tjob *)(void *)j;

	if (t->block) {
		atomic_fetch_add(&blocked_now, 1);
		pthread_mutex_lock(&gate_lock);
		while (!gate_open)
			pthread_cond_wait(&gate_cond, &gate_lock);
		pthread_mutex_unlock(&gate_lock);
	}
	atomic_fetch_add(t->ran, 1);
}

static void
wait_for(atomic_int *v, int want)
{
	for (int i = 0; i < 500 && atomic_load(v) < want; i++)
		usleep(10000);
}

int
main(void)
{
	static struct tjob heavy[HEAVY_THREADS + LIMIT_POOL_QUEUE + 1], light[10];
	atomic_int ran_heavy = 0, ran_light = 0;
	int refused = 0, taken = 0;

	log_init(0, LOG_LVL_WARN, "test_pool");
	T_OK(pool_submit(&light[0].job, POOL_LIGHT) == -1, "submit before start refused");
	T_OK(pool_start(HEAVY_THREADS) == 0, "pool_start");

	/* Block every heavy thread, then fill the heavy queue. */
	for (int i = 0; i < HEAVY_THREADS; i++) {
		heavy[i] = (struct tjob){ { NULL, tjob_run }, &ran_heavy, 1 };
		T_OK(pool_submit(&heavy[i].job, POOL_HEAVY) == 0, "blocking job %d", i);
	}
	wait_for(&blocked_now, HEAVY_THREADS);
	T_OK(atomic_load(&blocked_now) == HEAVY_THREADS, "%d heavy threads busy",
	    atomic_load(&blocked_now));
	for (int i = HEAVY_THREADS; i < HEAVY_THREADS + LIMIT_POOL_QUEUE + 1; i++) {
		heavy[i] = (struct tjob){ { NULL, tjob_run }, &ran_heavy, 0 };
		if (pool_submit(&heavy[i].job, POOL_HEAVY) == 0)
			taken++;
		else
			refused++;
	}
	T_OK(taken == LIMIT_POOL_QUEUE && refused == 1,
	    "busy heavy lane: %d queued (want %d), %d refused (want 1)", taken,
	    LIMIT_POOL_QUEUE, refused);

	/* The light lane does not wait behind the blocked heavy one. */
	for (int i = 0; i < 10; i++) {
		light[i] = (struct tjob){ { NULL, tjob_run }, &ran_light, 0 };
		T_OK(pool_submit(&light[i].job, POOL_LIGHT) == 0, "light job %d", i);
	}
	wait_for(&ran_light, 10);
	T_OK(atomic_load(&ran_light) == 10, "light jobs ran while heavy blocked: %d",
	    atomic_load(&ran_light));
	T_OK(atomic_load(&ran_heavy) == 0, "no heavy job finished yet: %d",
	    atomic_load(&ran_heavy));

	/* Open the gate and stop at once: every queued job still runs. */
	pthread_mutex_lock(&gate_lock);
	gate_open = 1;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
	pool_stop();
	T_OK(atomic_load(&ran_heavy) == HEAVY_THREADS + LIMIT_POOL_QUEUE,
	    "pool_stop ran every queued job: %d of %d", atomic_load(&ran_heavy),
	    HEAVY_THREADS + LIMIT_POOL_QUEUE);
	T_OK(pool_submit(&light[0].job, POOL_LIGHT) == -1, "submit after stop refused");
	return t_done("test_pool");
}
