/*
 * t_util.h - the scratch directory of the unit tests that drive outside
 * tools (openssl, osslsigncode, cabextract): tdir and paths in it, shell
 * commands run there, file modes, and whole-file reading and writing.
 * Header-only like t.h; include once per test program, after t.h.
 */
#ifndef WSUSD_T_UTIL_H
#define WSUSD_T_UTIL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Where sh() sends a command's output; define it before including to
 * keep the output (e.g. ">>sh.log"). */
#ifndef T_SH_SINK
#define T_SH_SINK ">/dev/null"
#endif

#define T_CMD_MAX 4096   /* bytes of a command given to sh() or capture() */

static char tdir[64];    /* the scratch directory, from t_mkdtemp() */

/* t_mkdtemp - create /tmp/<name>.XXXXXX as tdir; 0, or -1 after perror. */
static inline int
t_mkdtemp(const char *name)
{
	snprintf(tdir, sizeof(tdir), "/tmp/%s.XXXXXX", name);
	if (mkdtemp(tdir) == NULL) {
		perror("mkdtemp");
		return -1;
	}
	return 0;
}

/* tdir/name in one of a few rotating static buffers. */
static inline const char *
tpath(const char *name)
{
	static char bufs[8][256];
	static int  next;
	char       *b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", tdir, name);
	return b;
}

/* Run a shell command in tdir, output to T_SH_SINK; its exit status. */
static inline int sh(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static inline int
sh(const char *fmt, ...)
{
	char    cmd[T_CMD_MAX], full[T_CMD_MAX + 300];
	va_list ap;
	int     st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "cd '%s' && (%s) " T_SH_SINK " 2>&1",
	    tdir, cmd);
	st = system(full);
	return st == -1 ? -1 : WEXITSTATUS(st);
}

/* Run a shell command in tdir and capture stdout+stderr into out;
 * returns pclose()'s status. */
static inline int capture(char *out, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline int
capture(char *out, size_t len, const char *fmt, ...)
{
	char    cmd[T_CMD_MAX], full[T_CMD_MAX + 300];
	va_list ap;
	FILE   *f;
	size_t  n;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "cd '%s' && (%s) 2>&1", tdir, cmd);
	out[0] = '\0';
	if ((f = popen(full, "r")) == NULL)
		return -1;
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	return pclose(f);
}

/* t_rmtemp - remove tdir when every check passed, else say where it is. */
static inline void
t_rmtemp(const char *name, int failed)
{
	if (failed == 0)
		sh("rm -rf '%s'", tdir);
	else
		fprintf(stderr, "%s: files kept in %s\n", name, tdir);
}

/* Permission bits of path itself (a symlink is not its target), or
 * (mode_t)-1. */
static inline mode_t
file_mode(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == -1)
		return (mode_t)-1;
	return st.st_mode & 07777;
}

static inline int
exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/*
 * The whole file path in a new buffer the caller frees, followed by extra
 * bytes of which the first is set to NUL: slurp() allocates the exact size
 * (so ASan sees a read past the end; an empty file still gives a non-NULL
 * buffer), slurp_str() one more for the NUL.  NULL, *len 0, if unreadable.
 */
static inline uint8_t *
t_slurp(const char *path, size_t *len, size_t extra)
{
	FILE    *f = fopen(path, "rb");
	uint8_t *p = NULL;
	long     n;

	*len = 0;
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (p = malloc((size_t)n + extra + (n == 0 && extra == 0))) != NULL &&
	    fread(p, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
		if (extra > 0)
			p[n] = '\0';
	} else {
		free(p);
		p = NULL;
	}
	fclose(f);
	return p;
}

static inline uint8_t *
slurp(const char *path, size_t *len)
{
	return t_slurp(path, len, 0);
}

static inline char *
slurp_str(const char *path, size_t *len)
{
	return (char *)t_slurp(path, len, 1);
}

/* Write (p, n) to path, replacing it; 0 or -1. */
static inline int
spit(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int   ok;

	if (f == NULL)
		return -1;
	ok = fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -1;
}

#endif
