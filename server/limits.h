/*
 * limits.h - every bound wsusd puts on external input, with its unit.
 *
 * Owns: the numbers.  Each one is enforced before the input it bounds is
 * allocated or parsed.  Pre-authentication variants are tighter.  Nothing
 * else in the tree may hard-code a size, count or time that limits what a
 * peer can make us do; add it here and name its unit.
 */
/*
 * GCC's own <limits.h> reaches the C library's through #include_next, which
 * also searches -iquote directories and so lands here: hand it on.
 */
#ifdef _GCC_NEXT_LIMITS_H
#include_next <limits.h>
#else
#ifndef WSUSD_LIMITS_H
#define WSUSD_LIMITS_H

/*
 * The decoders in common/ (Authenticode, cabinets, DNS names), linked by
 * wsusclient and wsusutil as well as wsusd, keep their bounds in
 * common/limits_common.h, included here so that this file stays the one
 * index of every limit.
 */
#include "limits_common.h"

/* --- connections ------------------------------------------------------ */
#define LIMIT_CONNECTIONS              20000   /* per listener, all peers */
#define LIMIT_CONNECTIONS_PER_IP         512   /* per listener, per IPv4 address or IPv6 /64; DO opens >= 7 */
#define LIMIT_CONNECTION_MEMORY_BYTES  32768   /* MHD pool per connection: request line + headers */
#define LIMIT_HEADER_BYTES             16384   /* request line + all headers */
#define LIMIT_IDLE_TIMEOUT_S             120   /* keep-alive idle; DO idles >= 31 s */
#define LIMIT_HANDSHAKE_TIMEOUT_S         10   /* TCP accept -> TLS handshake done */
#define LIMIT_LISTEN_BACKLOG            1024   /* listen(2) backlog */
#define LIMIT_NOFILE                  65536   /* RLIMIT_NOFILE we ask for (3 fds per TLS conn) */

/* --- connection deadlines, descriptor sizing, per-address keys ----------
 * (relay.c, peer.c, main.c).  Every TLS relay state has a deadline; the
 * connection slots are sized at start-up so that they fit RLIMIT_NOFILE.
 */
#define LIMIT_HANDSHAKE_LOADED_S           2   /* handshake deadline while > half the TLS slots are used */
#define LIMIT_RELAY_IDLE_S  (LIMIT_IDLE_TIMEOUT_S + 30) /* no byte either way: relay closes (MHD's
                                                  own idle timeout normally acts first) */
#define LIMIT_RELAY_WRITE_STALL_S         30   /* answer bytes buffered, client took none: close */
#define LIMIT_ACCEPT_BACKOFF_MIN_MS      100   /* EMFILE/ENFILE: listener out of epoll this long, */
#define LIMIT_ACCEPT_BACKOFF_MAX_MS     1000   /* ... doubling up to this while it persists */
#define LIMIT_LOG_INTERVAL_S              10   /* a repeating error is logged once per this, with a count */
#define LIMIT_FDS_PER_TLS                  4   /* TCP + socketpair (2) + an open content file */
#define LIMIT_FDS_PER_PLAIN                2   /* TCP + an open content file */
#define LIMIT_FDS_SPARE                   16   /* beyond those open at sizing: SQLite journals, log reopen */
#define LIMIT_FDS_PER_WORKER               6   /* per core: relay epoll+eventfd, its MHD epoll+ITC, HTTP thread epoll+ITC */
#define LIMIT_IPV6_PREFIX_BITS            64   /* IPv6 peers are counted per /64 (multiple of 8) */

/* --- request bodies ----------------------------------------------------- */
#define LIMIT_SOAP_BODY_BYTES     (4u << 20)   /* SOAP body of an operation that carries a cookie: 4 MiB */
#define LIMIT_SOAP_BODY_PREAUTH_BYTES (64u << 10) /* ... of one that comes before a cookie, or an unknown SOAPAction */
/* srv-pool: what all bodies being read may hold, and how long one may take. */
#define LIMIT_BODY_BUDGET_BYTES  (64u << 20)   /* request bodies buffered at once, all connections: 64 MiB; over it 503 */
#define LIMIT_BODY_BUDGET_PREAUTH_BYTES (16u << 20) /* ... of which pre-cookie (small-cap) bodies: 16 MiB */
#define LIMIT_BODY_DEADLINE_S            30    /* first header to last body byte; later 408 and close */
#define LIMIT_BODY_IDLE_S                10    /* silence while a body is being read; then closed */
#define LIMIT_POOL_QUEUE               1024    /* SOAP jobs waiting per service lane; over it 503 + Retry-After */
#define LIMIT_RETRY_AFTER_S               5    /* Retry-After of those 503 answers (seconds) */
#define LIMIT_SOAPACTION_BYTES          512    /* SOAPAction header value */
#define LIMIT_PATH_BYTES               1024    /* request path after normalising */

/* --- SOAP XML (common/xml.c enforces these while parsing) ---------- */
#define LIMIT_XML_DEPTH                  32    /* element nesting in a SOAP request */
#define LIMIT_XML_ELEMENTS           200000    /* elements in one SOAP request */
#define LIMIT_XML_ELEMENTS_PREAUTH     2000    /* ... for operations without a cookie */
#define LIMIT_XML_TEXT_BYTES        (64u << 10) /* character data of one element */
#define LIMIT_INSTALLED_NONLEAF         400    /* InstalledNonLeafUpdateIDs (real WSUS faults at 401) */
#define LIMIT_CACHED_IDS              50000    /* OtherCachedUpdateIDs, revisionIDs */
#define LIMIT_EXTENDED_PER_REQUEST       50    /* MaxExtendedUpdatesPerRequest advertised */
#define LIMIT_SYNC_PAGE                  50    /* UpdateInfo per SyncUpdates page (WS2025: <= 30..50) */
#define LIMIT_EVENTS_PER_BATCH         1000    /* ReportingEvent in one ReportEventBatch */
#define LIMIT_ID_TEXT_BYTES             128    /* a GUID / client id / name field */

/* --- ApiRemoting30 scope XML (webservices/scope.c; parsed on its own) ----- */
#define LIMIT_SCOPE_XML_BYTES     (32u << 10)  /* one updateScopeXml / computerTargetScopeXml */
#define LIMIT_SCOPE_XML_DEPTH             4    /* element nesting in a scope (and in its GUID lists) */
#define LIMIT_SCOPE_XML_ELEMENTS        300    /* elements in a scope or one of its GUID lists */
#define LIMIT_SCOPE_ATTRS                32    /* attributes on the scope element; more is a fault */
#define LIMIT_EVENT_HISTORY_ROWS      10000    /* rows one ExecuteSPSearchEventHistory answers (newest first) */

/* --- content ------------------------------------------------------------ */
#define LIMIT_RANGE_SPECS                 16   /* byte-range-specs in one Range */
#define LIMIT_RANGE_HEADER_BYTES         512   /* Range header value */

/* --- TLS relay ---------------------------------------------------------- */
#define LIMIT_RELAY_BUF_BYTES         16384    /* each direction, per connection */
#define LIMIT_TLS_SESSION_CACHE        20000   /* cached sessions (resumption) */
#define LIMIT_TLS_SESSION_LIFETIME_S   86400   /* cache entry / ticket lifetime */
#define LIMIT_TLS_TICKET_ROTATE_S       3600   /* ticket key rotation period */

/* --- admin-plane authentication (auth.c) ------------------------------ */
#define LIMIT_AUTH_HEADER_BYTES       12288    /* Authorization value; longer is 400 before any GSSAPI call */
#define LIMIT_AUTH_TOKEN_BYTES         9216    /* a decoded Negotiate/NTLM token (3/4 of the header) */
#define LIMIT_AUTH_BASIC_BYTES         1024    /* decoded Basic "user:password" */
#define LIMIT_AUTH_ACCOUNT_BYTES        256    /* account name: user, DOMAIN\user, user@REALM */
#define LIMIT_AUTH_DELAY_FIRST_MS       500    /* answer to the first bad credentials from an address waits this long, */
#define LIMIT_AUTH_DELAY_MAX_MS        8000    /* ... doubling with each further failure up to this (ms) */
#define LIMIT_AUTH_FAIL_ADDRS          4096    /* addresses whose failures are remembered (the quietest is dropped) */
#define LIMIT_AUTH_FAIL_FORGET_S        900    /* an address's failures are forgotten after this quiet time (s) */
#define LIMIT_AUTH_DEFERRED            1024    /* answers waiting out their delay at once; beyond, the connection is closed */

/* --- configuration file ------------------------------------------------- */
#define LIMIT_CONF_LINE_BYTES           4096   /* one line of wsusd.conf */
#define LIMIT_CONF_FILE_BYTES      (1u << 20)  /* whole config file */

/* --- publish catalog (publish.c; admin input, but still bounded) -------- */
#define PUB_CATALOG_MAX_BYTES (1u << 20)   /* catalog file, bytes */
#define PUB_XML_DEPTH         32           /* element nesting */
#define PUB_XML_ELEMENTS      20000        /* elements in the catalog */
#define PUB_XML_TEXT          (64u << 10)  /* character data of one element, bytes */
#define PUB_MAX_UPDATES       100          /* updates in one catalog */
#define PUB_MAX_CATEGORIES    (3 * PUB_MAX_UPDATES)  /* company, product, class */
#define PUB_RULE_DEPTH        16           /* nesting of And/Or/Not */
#define PUB_DESC_MAX          4000         /* Description, bytes */
#define PUB_NAME_MAX          255          /* vendor, product, bulletin, file name, bytes */
#define PUB_CMDLINE_MAX       1024         /* installer arguments, bytes */
#define PUB_MAX_KB            8            /* KB elements per update */
#define PUB_MAX_SUPERSEDES    64           /* Supersedes elements per update */
#define PUB_MAX_RETURN_CODES  32           /* ReturnCode elements per installer */

/* --- web services and store ------------------------------------------------
 * What one client (or one address) can make the server compute, answer and
 * keep.  webservices/ enforces them; store/ gets them as arguments (it sees
 * no server/ header).
 */
#define LIMIT_EXTENDED_LOCALES           32    /* locales in GetExtendedUpdateInfo(2); more is InvalidParameters */
#define LIMIT_SYNC_PAGE_XML_BYTES  (5u << 20)  /* metadata XML in one SyncUpdates page: 5 MiB, WSUS's
                                                  MaxXMLPerRequest default (5242880); over it the page is Truncated */
#define LIMIT_ANSWER_BYTES        (16u << 20)  /* one SOAP answer before compression: 16 MiB; over it a fault */
#define LIMIT_DSS_UPDATES_PER_REQUEST  100    /* ids in one GetUpdateData (MaxNumberOfUpdatesPerRequest); more is InvalidParameters */
#define LIMIT_DSS_FILTER_IDS           200    /* categories + classifications in one GetRevisionIdList filter */
#define LIMIT_DSS_BLOB_INLINE_BYTES   5120    /* update XML up to this size goes inline (XmlUpdateBlob); larger in a cabinet, as real WSUS */
#define LIMIT_DSS_COOKIE_LIFETIME_S  14400    /* ServerSyncWebService cookie: 240 minutes, as real WSUS */
#define LIMIT_EVENT_CLOCK_SKEW_S        300    /* TimeAtTarget up to this far ahead (seconds) is believed; later is taken as the arrival time */
#define LIMIT_EVENTS_PER_COMPUTER      5000    /* events kept per computer; the oldest (by arrival) are dropped */
#define LIMIT_REGISTRATIONS_PER_ADDR    500    /* new computers per client address (IPv6: per /64) ...
                                                  (the default of [server] registrations_per_address) */
#define LIMIT_REGISTRATION_WINDOW_S    3600    /* ... per this window (seconds); over it ServerBusy */

#endif /* WSUSD_LIMITS_H */
#endif /* _GCC_NEXT_LIMITS_H */
