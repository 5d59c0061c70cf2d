/*
 * log.h - one-line logging to stderr or syslog.
 *
 * log_warn appends strerror(errno); log_warnx does not.  fatal/fatalx exit(1)
 * and are for start-up or broken invariants only: a bad peer request is a
 * 4xx or SOAP fault, logged with log_debug.
 */
#ifndef WSUSD_LOG_H
#define WSUSD_LOG_H

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_init(int use_syslog, enum log_level level, const char *ident);
void log_set_level(enum log_level level);
int  log_level_from_name(const char *name);   /* -1 if unknown */
int  log_debug_enabled(void);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
