/* hbtp_server.c - an HBTP server on dx_net.h: PING, ECHO and a key-value store.
   usage: hbtp_server [--port P] [--workers N] [--backend NAME] [--host IP] [--max-connections N]
   Methods (RPC method ids):
     PING        the protocol's PING frame: answered with PONG by dx_hbtp itself
     1 ECHO      the reply is the request body
     2 GET       body: the key; reply: the value, or ERROR 0x8001 (not found)
     3 SET       body: u16 key length (little-endian), the key, the value; reply: empty
     4 DEL       body: the key; reply: one byte, 1 if the key was there, else 0
   Keys are 1-64 bytes, values 0-1024 (ERROR 10 BAD_REQUEST otherwise), as redis GET/SET
   on small strings. The table is an open-addressing hash table sized at start
   (--kv-slots), shared by the workers (one mutex per stripe); a SET into a full stripe
   answers ERROR 0x8002. Ctrl-C (or SIGTERM) stops gracefully: GOAWAY to every client,
   the answers still due are sent; a second Ctrl-C closes at once. Not yet: JWT
   authentication (--jwt-secret), the teleport RPC, the rate limiter option. */
#define DX_IMPLEMENTATION
#include "dx_reactor.h"
#include "dx_hbtp.h"
#include "dx_net.h"
#include "tool.h"
#include <pthread.h>
#include <signal.h>

enum { M_ECHO = 1, M_GET = 2, M_SET = 3, M_DEL = 4, M_COUNT = 5 };
enum { CODE_NOT_FOUND = 0x8001, CODE_FULL = 0x8002 };
enum { KEY_MAX = 64, VALUE_MAX = 1024, STRIPES = 64 };

/* ---- the store: STRIPES tables with linear probing and backward-shift deletion ---- */

typedef struct kv_slot {
    uint64_t hash;      /* 0: empty */
    uint16_t key_len, value_len;
    uint8_t key[KEY_MAX];
    uint8_t value[VALUE_MAX];
} kv_slot;

typedef struct kv_stripe {
    pthread_mutex_t lock;
    kv_slot *slots;
    uint32_t mask, count;
} kv_stripe;

static kv_stripe stripes[STRIPES];

static uint64_t kv_hash(const uint8_t *k, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ k[i]) * 0x100000001b3ull;
    return h ? h : 1;
}

static bool kv_init(uint64_t total) {
    uint32_t per = 16, i;
    while ((uint64_t)per * STRIPES < total && per < (1u << 24)) per <<= 1;
    for (i = 0; i < STRIPES; i++) {
        stripes[i].slots = (kv_slot *)calloc(per, sizeof(kv_slot)); /* pages touched only when used */
        if (!stripes[i].slots) return false;
        stripes[i].mask = per - 1;
        pthread_mutex_init(&stripes[i].lock, NULL);
    }
    return true;
}

static void kv_free(void) {
    uint32_t i;
    for (i = 0; i < STRIPES; i++) {
        free(stripes[i].slots);
        pthread_mutex_destroy(&stripes[i].lock);
    }
}

/* The slot holding key, or the empty one where it would go (stripe locked). */
static kv_slot *kv_find(kv_stripe *s, uint64_t h, const uint8_t *k, size_t n) {
    uint32_t i = (uint32_t)(h >> 6) & s->mask;
    for (;;) {
        kv_slot *e = &s->slots[i];
        if (e->hash == 0 || (e->hash == h && e->key_len == n && memcmp(e->key, k, n) == 0)) return e;
        i = (i + 1) & s->mask;
    }
}

static kv_stripe *kv_stripe_of(uint64_t h) { return &stripes[h & (STRIPES - 1)]; }

/* Backward shift: later entries of the same run move up, so lookups need no tombstones. */
static void kv_remove(kv_stripe *s, kv_slot *e) {
    uint32_t i = (uint32_t)(e - s->slots), j = i;
    for (;;) {
        uint32_t home;
        j = (j + 1) & s->mask;
        if (s->slots[j].hash == 0) break;
        home = (uint32_t)(s->slots[j].hash >> 6) & s->mask;
        if (((j - home) & s->mask) >= ((j - i) & s->mask)) { /* j may move to i */
            s->slots[i] = s->slots[j];
            i = j;
        }
    }
    s->slots[i].hash = 0;
    s->count--;
}

/* ---- handlers ---- */

static dx_result h_echo(dx_hbtp_request *req, void *user) {
    (void)user;
    return dx_hbtp_reply(req, req->body, req->body_len);
}

static dx_result h_get(dx_hbtp_request *req, void *user) {
    uint64_t h;
    kv_stripe *s;
    kv_slot *e;
    dx_result rc;
    (void)user;
    if (req->body_len == 0 || req->body_len > KEY_MAX) return dx_hbtp_reply_error(req, DX_HBTP_CODE_BAD_REQUEST, "bad key");
    h = kv_hash(req->body, req->body_len);
    s = kv_stripe_of(h);
    pthread_mutex_lock(&s->lock);
    e = kv_find(s, h, req->body, req->body_len);
    rc = e->hash ? dx_hbtp_reply(req, e->value, e->value_len) : dx_hbtp_reply_error(req, CODE_NOT_FOUND, "not found");
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static dx_result h_set(dx_hbtp_request *req, void *user) {
    uint32_t klen, vlen;
    const uint8_t *k, *v;
    uint64_t h;
    kv_stripe *s;
    kv_slot *e;
    (void)user;
    if (req->body_len < 2) return dx_hbtp_reply_error(req, DX_HBTP_CODE_BAD_REQUEST, "short SET");
    klen = dx_load_u16le(req->body);
    if (klen == 0 || klen > KEY_MAX || klen > req->body_len - 2) return dx_hbtp_reply_error(req, DX_HBTP_CODE_BAD_REQUEST, "bad key");
    vlen = req->body_len - 2 - klen;
    if (vlen > VALUE_MAX) return dx_hbtp_reply_error(req, DX_HBTP_CODE_BAD_REQUEST, "value too long");
    k = req->body + 2;
    v = k + klen;
    h = kv_hash(k, klen);
    s = kv_stripe_of(h);
    pthread_mutex_lock(&s->lock);
    e = kv_find(s, h, k, klen);
    if (!e->hash) {
        if (s->count + 1 > s->mask - s->mask / 8) { /* keep probes short: at most 7/8 full */
            pthread_mutex_unlock(&s->lock);
            return dx_hbtp_reply_error(req, CODE_FULL, "store full");
        }
        e->hash = h;
        e->key_len = (uint16_t)klen;
        memcpy(e->key, k, klen);
        s->count++;
    }
    e->value_len = (uint16_t)vlen;
    if (vlen) memcpy(e->value, v, vlen);
    pthread_mutex_unlock(&s->lock);
    return dx_hbtp_reply(req, NULL, 0);
}

static dx_result h_del(dx_hbtp_request *req, void *user) {
    uint64_t h;
    kv_stripe *s;
    kv_slot *e;
    uint8_t found;
    (void)user;
    if (req->body_len == 0 || req->body_len > KEY_MAX) return dx_hbtp_reply_error(req, DX_HBTP_CODE_BAD_REQUEST, "bad key");
    h = kv_hash(req->body, req->body_len);
    s = kv_stripe_of(h);
    pthread_mutex_lock(&s->lock);
    e = kv_find(s, h, req->body, req->body_len);
    found = e->hash != 0;
    if (found) kv_remove(s, e);
    pthread_mutex_unlock(&s->lock);
    return dx_hbtp_reply(req, &found, 1);
}

/* ---- the program ---- */

static dx_net_server server;

static void on_signal(int sig) {
    (void)sig;
    dx_net_server_shutdown(&server); /* first: graceful; second: at once (safe in a handler) */
}

static const char usage[] =
    "usage: hbtp_server [--port P] [--workers N] [--backend NAME] [--host IP] [--max-connections N] [--kv-slots N]\n"
    "An HBTP server built on dx_net.h: PING, ECHO (method 1) and a key-value store\n"
    "(GET 2, SET 3, DEL 4). Prints the port, the workers and the backend once it listens,\n"
    "then serves until Ctrl-C or SIGTERM (graceful: GOAWAY, the answers due are sent; a\n"
    "second one closes at once), and prints the counters.\n"
    "  --port P             TCP port, 0 to 65535 (default 7070; 0: the system picks one)\n"
    "  --host IP            IPv4 or IPv6 address to listen on (default 127.0.0.1)\n"
    "  --workers N          threads, each with its own loop and listener (default: one per CPU)\n"
    "  --backend NAME       io_uring, epoll or poll (default: the best this system has)\n"
    "  --max-connections N  per worker (default 1024); beyond it a client is refused\n"
    "  --kv-slots N         key-value table size (default 65536)\n"
    "  -h, --help           this text\n"
    "  --version            the dx header versions it is built from\n"
    "Not yet: --jwt-secret (HS256 JWT in HELLO), the teleport RPC, the rate limiter.\n"
    "exit status: 0 ok, 1 failure (the backend is not available, the port cannot be bound),\n"
    "  2 bad usage\n";

static const struct { const char *name; dx_reactor_backend_id id; } backends[] = {
    {"io_uring", DX_REACTOR_BACKEND_IOURING}, {"epoll", DX_REACTOR_BACKEND_EPOLL}, {"poll", DX_REACTOR_BACKEND_POLL},
};

/* --name VALUE or --name=VALUE; NULL when it is not this option */
static const char *opt_value(int argc, char **argv, int *i, const char *name, bool *missing) {
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0) return NULL;
    if (a[n] == '=') return a + n + 1;
    if (a[n] != 0) return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

int main(int argc, char **argv) {
    dx_hbtp_route methods[M_COUNT];
    dx_hbtp_router router;
    dx_net_server_config cfg;
    dx_net_counters ct;
    uint64_t port = 7070, workers = 0, maxc = 1024, slots = 65536;
    const char *host = "127.0.0.1", *backend = NULL, *v;
    struct sigaction sa;
    sigset_t block, old;
    dx_result rc;
    int i;
    tool_start("hbtp_server", usage);
    for (i = 1; i < argc; i++) {
        bool missing = false;
        const char *a = argv[i];
        if (tool_is_help(a)) return tool_help();
        if (!strcmp(a, "--version"))
            return tool_version(TOOL_HEADER_VERSION("dx_net.h", DX_NET_VERSION_MAJOR, DX_NET_VERSION_MINOR, DX_NET_VERSION_PATCH) ", "
                                TOOL_HEADER_VERSION("dx_hbtp.h", DX_HBTP_VERSION_MAJOR, DX_HBTP_VERSION_MINOR, DX_HBTP_VERSION_PATCH) ", "
                                TOOL_HEADER_VERSION("dx_reactor.h", DX_REACTOR_VERSION_MAJOR, DX_REACTOR_VERSION_MINOR,
                                                    DX_REACTOR_VERSION_PATCH));
        if ((v = opt_value(argc, argv, &i, "--port", &missing))) {
            if (tool_parse_u64(v, 0, 65535, false, &port) != 0) return tool_usage_error("--port must be 0 to 65535, not \"%s\"", v);
        } else if ((v = opt_value(argc, argv, &i, "--workers", &missing))) {
            if (tool_parse_u64(v, 1, 1024, false, &workers) != 0) return tool_usage_error("--workers must be 1 to 1024, not \"%s\"", v);
        } else if ((v = opt_value(argc, argv, &i, "--max-connections", &missing))) {
            if (tool_parse_u64(v, 1, 1u << 20, false, &maxc) != 0)
                return tool_usage_error("--max-connections must be 1 to 1048576, not \"%s\"", v);
        } else if ((v = opt_value(argc, argv, &i, "--kv-slots", &missing))) {
            if (tool_parse_u64(v, 64, 1u << 30, true, &slots) != 0) return tool_usage_error("--kv-slots must be 64 to 1G, not \"%s\"", v);
        } else if ((v = opt_value(argc, argv, &i, "--backend", &missing))) {
            backend = v;
        } else if ((v = opt_value(argc, argv, &i, "--host", &missing))) {
            host = v;
        } else if (missing) {
            return tool_usage_error("%s needs a value", a);
        } else {
            return tool_usage_error("unknown argument %s", a);
        }
    }
    dx_hbtp_router_init(&router, methods, M_COUNT);
    dx_hbtp_router_method(&router, M_ECHO, h_echo, NULL);
    dx_hbtp_router_method(&router, M_GET, h_get, NULL);
    dx_hbtp_router_method(&router, M_SET, h_set, NULL);
    dx_hbtp_router_method(&router, M_DEL, h_del, NULL);
    memset(&cfg, 0, sizeof cfg);
    cfg.host = host;
    cfg.port = (uint16_t)port;
    cfg.workers = (uint32_t)workers;
    cfg.max_connections = (uint32_t)maxc;
    cfg.conn.router = &router;
    cfg.conn.max_payload = 4096; /* GET/SET of small values: 4 KiB frames, about 30 KiB per connection */
    if (backend) {
        size_t b;
        for (b = 0; b < sizeof backends / sizeof backends[0]; b++)
            if (!strcmp(backend, backends[b].name)) break;
        if (b == sizeof backends / sizeof backends[0]) return tool_usage_error("unknown backend %s (io_uring, epoll, poll)", backend);
        cfg.reactor.backends[0] = backends[b].id;
        cfg.reactor.backend_count = 1;
    }
    if (!kv_init(slots)) return tool_fail("cannot allocate the key-value table (%llu slots)", (unsigned long long)slots);
    /* the workers inherit a mask without SIGINT and SIGTERM: the main thread takes them */
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    rc = dx_net_server_start(&server, &cfg);
    if (rc != DX_OK) {
        kv_free();
        return tool_fail("cannot serve on %s port %u%s%s: %s", host, (unsigned)port, backend ? " with backend " : "",
                         backend ? backend : "", dx_reactor_result_name(rc));
    }
    printf("hbtp_server: %s port %u, %u workers, backend %s\n", host, (unsigned)dx_net_server_port(&server),
           (unsigned)dx_net_server_workers(&server), dx_net_server_backend_name(&server));
    fflush(stdout);
    while (dx_net_server_stops(&server) == 0) sigsuspend(&old); /* until the first signal */
    pthread_sigmask(SIG_SETMASK, &old, NULL); /* a second one may come while stop waits */
    rc = dx_net_server_stop(&server);
    dx_net_server_counters(&server, UINT32_MAX, &ct); /* the final sums */
    fprintf(stderr, "hbtp_server: stopped: %llu connections, %llu requests, %llu bytes in, %llu out, %llu refused, "
                    "%llu protocol errors\n",
            (unsigned long long)ct.accepted, (unsigned long long)ct.requests, (unsigned long long)ct.bytes_in,
            (unsigned long long)ct.bytes_out, (unsigned long long)ct.refused, (unsigned long long)ct.err_protocol);
    kv_free();
    return rc == DX_OK ? 0 : 1;
}
