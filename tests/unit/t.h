/*
 * t.h - the unit-test harness: table-driven cases, one line per failure
 * naming the table row's __LINE__, and a closing "N passed, N failed" line
 * that tests/run.sh adds up.  Header-only; include once per test program.
 */
#ifndef WSUSD_T_H
#define WSUSD_T_H

#include <stdio.h>
#include <string.h>

static int t_pass, t_fail;

#define T_CHECK(line, cond, ...) do {					\
	if (cond) {							\
		t_pass++;						\
	} else {							\
		t_fail++;						\
		fprintf(stderr, "FAIL %s:%d (case at line %d): ",	\
		    __FILE__, __LINE__, (int)(line));			\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

#define T_OK(cond, ...) T_CHECK(__LINE__, cond, __VA_ARGS__)

/* Print the closing line and return the exit status for main(). */
static inline int
t_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, t_pass, t_fail);
	return t_fail ? 1 : 0;
}

#endif
