/*
 * bulkget.c - a large-buffer HTTP/1.1 GET client for bulk throughput
 * (wrk reads 8 KiB at a time and tops out near 1.2 GiB/s).
 *
 * CONNS threads, each with one keep-alive connection to 127.0.0.1:PORT,
 * GET PATH again and again, reading the body into a 4 MiB buffer that is
 * thrown away, until REQUESTS per connection (-n) or SECONDS (-t).  With
 * -r RANGE -s SIZE each request asks for a different RANGE-byte aligned
 * slice of a SIZE-byte file (the same sequence on every run).
 *
 * Usage: bulkget [-c CONNS] [-n REQUESTS | -t SECONDS] [-r RANGE -s SIZE] PORT PATH
 * Last line, for scripts:
 *   BULK requests=N bytes=N seconds=F non2xx=N errors=N mib_s=F req_s=F best_mib_s=F
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_BYTES (4u << 20)

static int    opt_conns = 1, opt_port;
static long   opt_reqs;
static double opt_secs;
static unsigned long long opt_range, opt_size;
static const char *opt_path;

struct worker {
	pthread_t thread;
	int       id;
	long      requests, non2xx, errors;
	unsigned long long bytes;
	double    best;     /* best single-request MiB/s */
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
dial(void)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)opt_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int
send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t s = send(fd, p, n, MSG_NOSIGNAL);
		if (s <= 0) {
			if (s == -1 && errno == EINTR)
				continue;
			return -1;
		}
		p += s;
		n -= (size_t)s;
	}
	return 0;
}

/*
 * One request/response on fd.  Returns the status (body fully read), or
 * -1 on a transport or parse error; *close_after set when the server
 * said Connection: close; *body the body length.
 */
static int
exchange(int fd, unsigned char *buf, const char *req, size_t reqlen,
    int *close_after, unsigned long long *body)
{
	size_t have = 0;
	char *eoh = NULL;
	unsigned long long clen = 0, got;
	int status, has_clen = 0;

	if (send_all(fd, req, reqlen) == -1)
		return -1;
	while (eoh == NULL) {
		ssize_t r = recv(fd, buf + have, 65536 - 1 - have, 0);
		if (r <= 0) {
			if (r == -1 && errno == EINTR)
				continue;
			return -1;
		}
		have += (size_t)r;
		buf[have] = '\0';
		eoh = strstr((char *)buf, "\r\n\r\n");
		if (eoh == NULL && have >= 65536 - 1)
			return -1;
	}
	if (sscanf((char *)buf, "HTTP/1.%*d %d", &status) != 1)
		return -1;
	*close_after = 0;
	for (char *l = strstr((char *)buf, "\r\n"); l != NULL && l < eoh;
	    l = strstr(l + 2, "\r\n")) {
		char *h = l + 2;
		if (strncasecmp(h, "Content-Length:", 15) == 0) {
			clen = strtoull(h + 15, NULL, 10);
			has_clen = 1;
		} else if (strncasecmp(h, "Connection:", 11) == 0) {
			char *v = h + 11;
			while (*v == ' ')
				v++;
			if (strncasecmp(v, "close", 5) == 0)
				*close_after = 1;
		}
	}
	if (!has_clen)
		return -1;
	got = have - (size_t)((eoh + 4) - (char *)buf);
	while (got < clen) {
		unsigned long long want = clen - got;
		ssize_t r = recv(fd, buf, want < BUF_BYTES ? (size_t)want : BUF_BYTES, 0);
		if (r <= 0) {
			if (r == -1 && errno == EINTR)
				continue;
			return -1;
		}
		got += (unsigned long long)r;
	}
	*body = clen;
	return status;
}

static void *
run(void *arg)
{
	struct worker *w = arg;
	unsigned char *buf = malloc(BUF_BYTES);
	char req[2048];
	unsigned long long nchunks = opt_range ? opt_size / opt_range : 0, k = 0;
	double deadline = opt_secs > 0 ? now() + opt_secs : 0;
	int fd = -1;

	if (buf == NULL)
		return NULL;
	for (;;) {
		unsigned long long body = 0;
		int close_after = 0, st;
		size_t reqlen;
		double t0;

		if (opt_reqs > 0 && w->requests + w->errors >= opt_reqs)
			break;
		if (deadline > 0 && now() >= deadline)
			break;
		if (fd == -1 && (fd = dial()) == -1) {
			w->errors++;
			usleep(10000);
			continue;
		}
		if (nchunks > 0) {
			unsigned long long i = ((unsigned long long)w->id * 7919 + k++ * 37) % nchunks;
			reqlen = (size_t)snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\n"
			    "Host: 127.0.0.1:%d\r\nRange: bytes=%llu-%llu\r\n\r\n",
			    opt_path, opt_port, i * opt_range, i * opt_range + opt_range - 1);
		} else {
			reqlen = (size_t)snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\n"
			    "Host: 127.0.0.1:%d\r\n\r\n", opt_path, opt_port);
		}
		t0 = now();
		st = exchange(fd, buf, req, reqlen, &close_after, &body);
		if (st == -1) {
			w->errors++;
			close(fd);
			fd = -1;
			continue;
		}
		{
			double dt = now() - t0, mibs = dt > 0 ? (double)body / 1048576.0 / dt : 0;
			if (mibs > w->best)
				w->best = mibs;
		}
		w->requests++;
		w->bytes += body;
		if (st < 200 || st > 299)
			w->non2xx++;
		if (close_after) {
			close(fd);
			fd = -1;
		}
	}
	if (fd != -1)
		close(fd);
	free(buf);
	return NULL;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bulkget [-c CONNS] [-n REQUESTS | -t SECONDS] "
	    "[-r RANGE -s SIZE] PORT PATH\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct worker *ws;
	long reqs = 0, non2xx = 0, errors = 0;
	unsigned long long bytes = 0;
	double t0, dt, best = 0;
	int ch;

	while ((ch = getopt(argc, argv, "c:n:t:r:s:")) != -1) {
		switch (ch) {
		case 'c': opt_conns = atoi(optarg); break;
		case 'n': opt_reqs = atol(optarg); break;
		case 't': opt_secs = atof(optarg); break;
		case 'r': opt_range = strtoull(optarg, NULL, 10); break;
		case 's': opt_size = strtoull(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (argc - optind != 2 || opt_conns < 1 || (opt_reqs <= 0 && opt_secs <= 0) ||
	    (opt_range > 0 && opt_size < opt_range))
		usage();
	opt_port = atoi(argv[optind]);
	opt_path = argv[optind + 1];
	if ((ws = calloc((size_t)opt_conns, sizeof(*ws))) == NULL)
		return 1;
	t0 = now();
	for (int i = 0; i < opt_conns; i++) {
		ws[i].id = i;
		if (pthread_create(&ws[i].thread, NULL, run, &ws[i]) != 0)
			return 1;
	}
	for (int i = 0; i < opt_conns; i++) {
		pthread_join(ws[i].thread, NULL);
		reqs += ws[i].requests;
		non2xx += ws[i].non2xx;
		errors += ws[i].errors;
		bytes += ws[i].bytes;
		if (ws[i].best > best)
			best = ws[i].best;
	}
	dt = now() - t0;
	printf("BULK requests=%ld bytes=%llu seconds=%.3f non2xx=%ld errors=%ld "
	    "mib_s=%.1f req_s=%.1f best_mib_s=%.1f\n", reqs, bytes, dt, non2xx, errors,
	    (double)bytes / 1048576.0 / dt, (double)reqs / dt, best);
	free(ws);
	return errors > 0 || non2xx > 0 ? 1 : 0;
}
