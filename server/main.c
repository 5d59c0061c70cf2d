/*
 * main.c - wsusd start-up, signals and shutdown.
 *
 * Fixed order: parse arguments -> load and check the configuration ->
 * logging -> raise the fd limit -> bind both ports -> load certificate and
 * key -> open the store (migrations) -> start the service threads, the
 * plain HTTP daemon and the TLS workers -> log what an admin verifies ->
 * wait for signals.  Stop: the service threads first (they finish and
 * resume what they hold), then the listeners.
 * SIGHUP reloads the certificate and key (tls.c keeps the old pair on
 * failure); SIGINT/SIGTERM stop.  Once a second the main thread polls the
 * store for configuration changes made by `wsusutil configuressl`.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "server.h"
#include "store.h"
#include "ws.h"

#ifndef WSUSD_VERSION
#define WSUSD_VERSION "0.0.0-unknown"   /* the Makefile passes the version */
#endif

static void
usage(void)
{
	fprintf(stderr, "usage: wsusd -c FILE [-n] [-d]\n"
	    "       wsusd --version\n"
	    "  -c FILE  configuration file (wsusd.conf(5))\n"
	    "  -n       check the configuration, certificate and key, then exit\n"
	    "  -d       debug logging (overrides [server] log_level)\n"
	    "  -V, --version  print the version and exit\n");
	exit(2);
}

/* main_listen - a bound, listening, non-blocking TCP socket; fatal on error. */
static int
main_listen(const char *bind_addr, unsigned port)
{
	struct addrinfo hints, *res = NULL;
	char portstr[8];
	int fd, one = 1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
	snprintf(portstr, sizeof(portstr), "%u", port);
	if (bind_addr[0] == '\0' || strcmp(bind_addr, "*") == 0) {
		bind_addr = "::";
		hints.ai_family = AF_INET6;
	}
	if ((rc = getaddrinfo(bind_addr, portstr, &hints, &res)) != 0)
		fatalx("bind address %s: %s", bind_addr, gai_strerror(rc));
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		fatal("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (res->ai_family == AF_INET6) {
		int zero = 0;   /* dual stack: "::" takes IPv4 too */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	}
	if (bind(fd, res->ai_addr, res->ai_addrlen) == -1)
		fatal("bind %s port %u", bind_addr, port);
	if (listen(fd, LIMIT_LISTEN_BACKLOG) == -1)
		fatal("listen port %u", port);
	freeaddrinfo(res);
	return fd;
}

/*
 * main_raise_nofile - raise the soft RLIMIT_NOFILE to the hard limit
 * (RLIM_INFINITY: to LIMIT_NOFILE); main_size_conns then fits the
 * connection slots into what we got.
 */
static void
main_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? LIMIT_NOFILE : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		log_warn("setrlimit NOFILE");
}

/* main_open_fds - descriptors open now (/proc/self/fd, else a probe). */
static unsigned
main_open_fds(unsigned long max)
{
	unsigned n = 0;
	DIR *d;
	struct dirent *e;

	if ((d = opendir("/proc/self/fd")) != NULL) {
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.')
				n++;
		closedir(d);
		return n > 0 ? n - 1 : 0;    /* not the directory's own fd */
	}
	for (unsigned long fd = 0; fd < max && fd < 65536; fd++)
		if (fcntl((int)fd, F_GETFD) != -1)
			n++;
	return n;
}

/*
 * main_size_conns - split the descriptors RLIMIT_NOFILE leaves, after
 * those open now and a reserve for the workers, SQLite and logs, between
 * TLS connections (LIMIT_FDS_PER_TLS each) and plain HTTP connections
 * (LIMIT_FDS_PER_PLAIN each), half the budget each, at most
 * LIMIT_CONNECTIONS per listener; logs the sizing in one line.  Past the
 * slots a connection is refused (closed) rather than starving the daemon
 * of descriptors.
 */
static void
main_size_conns(struct http_env *env, unsigned nworkers)
{
	struct rlimit rl;
	unsigned long nofile = LIMIT_NOFILE, reserve, budget, tls, plain;
	unsigned open_now;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		nofile = rl.rlim_cur;
	open_now = main_open_fds(nofile);
	reserve = open_now + LIMIT_FDS_SPARE + (unsigned long)LIMIT_FDS_PER_WORKER * nworkers;
	budget = nofile > reserve ? nofile - reserve : 0;
	tls = budget / 2 / LIMIT_FDS_PER_TLS;
	if (tls > LIMIT_CONNECTIONS)
		tls = LIMIT_CONNECTIONS;
	plain = (budget - tls * LIMIT_FDS_PER_TLS) / LIMIT_FDS_PER_PLAIN;
	if (plain > LIMIT_CONNECTIONS)
		plain = LIMIT_CONNECTIONS;
	if (tls == 0 || plain == 0) {
		log_warnx("RLIMIT_NOFILE %lu leaves no room for connections after "
		    "%lu reserved descriptors: serving 1 TLS and 1 HTTP connection "
		    "at a time", nofile, reserve);
		tls = tls ? tls : 1;
		plain = plain ? plain : 1;
	}
	env->max_tls_conns = (unsigned)tls;
	env->max_plain_conns = (unsigned)plain;
	log_info("Connection slots: %lu TLS x %d fds + %lu HTTP x %d fds + %lu "
	    "reserved (%u open, %d per worker, %d spare) = %lu of RLIMIT_NOFILE %lu "
	    "(hard %lu)", tls, LIMIT_FDS_PER_TLS, plain, LIMIT_FDS_PER_PLAIN,
	    reserve, open_now, LIMIT_FDS_PER_WORKER, LIMIT_FDS_SPARE,
	    tls * LIMIT_FDS_PER_TLS + plain * LIMIT_FDS_PER_PLAIN + reserve, nofile,
	    rl.rlim_max == RLIM_INFINITY ? 0ul : (unsigned long)rl.rlim_max);
}

/* main_check - everything -n checks, also run before serving. */
static int
main_check(const struct config *c, const char *path)
{
	struct cert_info ci;
	char err[512];

	if (c->cert[0] == '\0' || c->key[0] == '\0') {
		fprintf(stderr, "%s:0: [tls] cert and key are required\n", path);
		return -1;
	}
	if (config_check_secrecy(c->key, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s:0: %s\n", path, err);
		return -1;
	}
	if (crypto_cert_info(c->cert, &ci, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s:0: %s\n", path, err);
		return -1;
	}
	if (crypto_key_matches(c->cert, c->key, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s:0: %s\n", path, err);
		return -1;
	}
	return 0;
}

/*
 * main_log_audit - at start-up: the audit head (so that a later cut-off
 * tail shows against this log) and the NTLM file rewritten from the
 * accounts in the store (an account deleted while the file was being
 * replaced, or a changed [admin] ntlm_domain, takes effect now).
 */
static void
main_log_audit(struct store *st, const char *ntlm_domain)
{
	char hash[STORE_AUDIT_HASH_HEX + 1];
	int64_t seq;

	if (store_audit_head(st, &seq, hash) == 0)
		log_info("Audit head %lld %s", (long long)seq, hash);
	if (store_ntlm_write(st, ntlm_domain) == -1)
		log_warnx("cannot write %s: NTLM logins to ApiRemoting30 will "
		    "fail", store_ntlm_path(st));
}

static void
main_log_cert(const char *path)
{
	struct cert_info ci;
	char err[256];

	if (crypto_cert_info(path, &ci, err, sizeof(err)) == -1) {
		log_warnx("certificate %s: %s", path, err);
		return;
	}
	log_info("TLS certificate: subject \"%s\", SAN %s, %s, expires %s "
	    "(%ld days), SHA-256 %s", ci.subject, ci.sans[0] ? ci.sans : "(none)",
	    ci.key_desc, ci.not_after, ci.days_left, ci.sha256);
	if (ci.days_left < 30)
		log_warnx("TLS certificate %s expires in %ld days", path, ci.days_left);
}

/* main_content_dir - data_dir/content, created if missing; its fd. */
static int
main_content_dir(const char *data_dir)
{
	char path[CONF_PATH_MAX + 16];
	int fd;

	snprintf(path, sizeof(path), "%s/content", data_dir);
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		fatal("mkdir %s", path);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal("open %s", path);
	return fd;
}

int
main(int argc, char *argv[])
{
	struct config conf;
	struct http_env env;
	struct http_daemon *plain;
	struct store *st;
	const char *path = NULL;
	char err[1024], sreq[256], sid[STORE_GUID_LEN + 1];
	int ch, check_only = 0, debug = 0, http_fd, https_fd, lvl;
	unsigned nworkers;
	sigset_t sigs;

	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("wsusd %s\n", WSUSD_VERSION);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		usage();
	while ((ch = getopt(argc, argv, "c:ndV")) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'n': check_only = 1; break;
		case 'd': debug = 1; break;
		case 'V': printf("wsusd %s\n", WSUSD_VERSION); return 0;
		default: usage();
		}
	}
	if (path == NULL || optind != argc)
		usage();
	if (config_load(&conf, path, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (main_check(&conf, path) == -1)
		return 1;
	if (check_only) {
		printf("%s: configuration OK\n", path);
		return 0;
	}
	lvl = log_level_from_name(conf.log_level);
	log_init(0, debug ? LOG_LVL_DEBUG : (enum log_level)(lvl < 0 ? LOG_LVL_INFO : lvl),
	    "wsusd");

	/* Signals are taken synchronously by the main thread only. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	main_raise_nofile();
	http_fd = main_listen(conf.bind, conf.http_port);
	https_fd = main_listen(conf.bind, conf.https_port);
	if (tls_init(conf.cert, conf.key) == -1)
		fatalx("cannot load the TLS certificate and key");
	if ((st = store_open(conf.data_dir)) == NULL)
		fatalx("cannot open the store in %s", conf.data_dir);
	if (ws_init(conf.data_dir, conf.cookie_lifetime) == -1)
		fatalx("cannot initialise the web services (cookie key, identity)");
	if (ws_settings_seed(st, &conf) == -1)
		fatalx("cannot store the targeting and retention settings");
	if (wsdl_init() == -1)
		fatalx("embedded WSDLs are malformed");
	if (advert_load(st, &conf) == -1)
		fatalx("cannot read the advertised configuration");
	if (auth_init(&conf) == -1)
		fatalx("cannot set up the admin plane's authentication ([admin])");

	memset(&env, 0, sizeof(env));
	env.conf = &conf;
	env.content_dirfd = main_content_dir(conf.data_dir);
	nworkers = conf.workers ? conf.workers : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	if (nworkers < 1)
		nworkers = 1;
	if (pool_start(conf.service_threads) == -1)
		fatalx("cannot start the service threads");
	main_size_conns(&env, nworkers);
	if ((plain = http_start_plain(http_fd, nworkers, &env)) == NULL)
		fatalx("cannot start the HTTP listener");
	if (relay_start(https_fd, nworkers, &env) == -1)
		fatalx("cannot start the HTTPS workers");

	log_info("wsusd %s started: HTTP port %u (content, %s), HTTPS port %u "
	    "(mbedTLS, %u workers), bind %s", WSUSD_VERSION, conf.http_port,
	    "Require SSL enforced per service", conf.https_port, nworkers,
	    conf.bind[0] ? conf.bind : "all addresses");
	log_info("Require SSL: %s", config_ssl_require_str(conf.ssl_require,
	    sreq, sizeof(sreq)));
	main_log_cert(conf.cert);
	tls_log_policy();
	store_server_id(st, sid);
	log_info("Database: %s (schema version %d), server id %s, content %s/content",
	    store_path(st), store_schema_version(st), sid, conf.data_dir);
	main_log_audit(st, conf.ntlm_domain);

	for (;;) {
		struct timespec tick = { 1, 0 };
		int sig = sigtimedwait(&sigs, NULL, &tick);

		if (sig == SIGINT || sig == SIGTERM) {
			log_info("signal %d: stopping", sig);
			break;
		}
		if (sig == SIGHUP) {
			log_info("SIGHUP: reloading TLS certificate %s and key %s",
			    conf.cert, conf.key);
			if (tls_reload(conf.cert, conf.key) == 0) {
				log_info("TLS certificate reloaded; established "
				    "connections keep the previous one");
				main_log_cert(conf.cert);
			}
		}
		advert_poll(st);
		certwatch_poll(conf.cert, conf.next_cert, conf.fqdn);
		store_retention_run(st, time(NULL));
	}
	pool_stop();
	relay_stop();
	http_stop(plain);
	auth_shutdown();
	close(env.content_dirfd);
	store_close(st);
	ws_shutdown();
	tls_shutdown();
	log_info("wsusd stopped");
	return 0;
}
