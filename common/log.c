/*
 * log.c - one line per event, to stderr (timestamped) or syslog.
 *
 * Owns: the process-wide log level and sink.  Never allocates; a line longer
 * than LOG_LINE_MAX is truncated, not split.  Thread-safe: each line is
 * written with one write(2).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX 2048

static int log_syslog;
static enum log_level log_lvl = LOG_LVL_INFO;

static const char *const log_names[] = { "error", "warning", "info", "debug" };

void
log_init(int use_syslog, enum log_level level, const char *ident)
{
	log_syslog = use_syslog;
	log_lvl = level;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_level(enum log_level level)
{
	log_lvl = level;
}

int
log_level_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++)
		if (strcmp(name, log_names[i]) == 0)
			return (int)i;
	return -1;
}

int
log_debug_enabled(void)
{
	return log_lvl >= LOG_LVL_DEBUG;
}

static void
log_vemit(enum log_level lvl, int with_errno, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	int saved = errno, n = 0;
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

	if (lvl > log_lvl)
		return;
	if (!log_syslog) {
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		n = (int)strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
		n += snprintf(line + n, sizeof(line) - (size_t)n, ".%03ldZ %s: ",
		    ts.tv_nsec / 1000000, log_names[lvl]);
	}
	if (n < (int)sizeof(line)) {
		int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
		n = m < 0 ? n : n + m;
	}
	if (n >= (int)sizeof(line))
		n = (int)sizeof(line) - 1;
	if (with_errno && n < (int)sizeof(line) - 1)
		n += snprintf(line + n, sizeof(line) - (size_t)n, ": %s",
		    strerror(saved));
	if (n >= (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	if (log_syslog) {
		line[n] = '\0';
		syslog(prio[lvl], "%s", line);
	} else {
		line[n++] = '\n';
		ssize_t w = write(STDERR_FILENO, line, (size_t)n);
		(void)w;
	}
	errno = saved;
}

#define LOG_FN(name, lvl, err)						\
void									\
name(const char *fmt, ...)						\
{									\
	va_list ap;							\
	va_start(ap, fmt);						\
	log_vemit(lvl, err, fmt, ap);					\
	va_end(ap);							\
}
LOG_FN(log_warn, LOG_LVL_WARN, 1)
LOG_FN(log_warnx, LOG_LVL_WARN, 0)
LOG_FN(log_info, LOG_LVL_INFO, 0)
LOG_FN(log_debug, LOG_LVL_DEBUG, 0)

void
fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vemit(LOG_LVL_ERR, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vemit(LOG_LVL_ERR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
