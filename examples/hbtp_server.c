/* hbtp_server.c - an HBTP server on dx_net.h: PING, ECHO, a key-value store,
   a teleport RPC, HS256 JWT authentication in HELLO and a rate limiter.
   usage: hbtp_server [--port P | --unix PATH] [--workers N] [--backend NAME] [--host IP]
                      [--max-connections N] [--kv-slots N] [--jwt-secret S | --jwt-secret-b64 K]
                      [--jwt-skew SECONDS] [--rate N] [--burst N]
   Methods (RPC method ids):
     PING        the protocol's PING frame: answered with PONG by dx_hbtp itself
     1 ECHO      the reply is the request body
     2 GET       body: the key; reply: the value, or ERROR 0x8001 (not found)
     3 SET       body: u16 key length (little-endian), the key, the value; reply: empty
     4 DEL       body: the key; reply: one byte, 1 if the key was there, else 0
     5 WHOAMI    reply: the "sub" claim of the connection's JWT (ERROR 0x8003 without
                 --jwt-secret, or when the token had no sub)
     6 USERS     reply: a dx_teleport buffer (dx_teleport.h, WIRE FORMAT; no CRC32C) whose
                 root object is type 2 user_directory {slice users (of type 1), u64
                 user_count, str title} (24 bytes), and 16 records of type 1 tp_user
                 {u64 id, u32 age, pad (4 bytes), f64 score, str name, str email} (40
                 bytes); field names as written here. Built once at start
                 (examples/tp_dump.c prints it)
   HELLO|ACK offers a max payload of 4096 bytes (no body above 4092: there is no upload
   method; an upload is answered ERROR UNKNOWN_OPCODE at its end), max in flight 64, no
   capabilities (no TIMING).
   Keys are 1-64 bytes, values 0-1024 (ERROR 10 BAD_REQUEST otherwise), as redis GET/SET
   on small strings. The table is an open-addressing hash table sized at start
   (--kv-slots), shared by the workers (one mutex per stripe; none with --workers 1); a SET into a full stripe
   (or when memory for a new key runs out) answers ERROR 0x8002. Ctrl-C (or SIGTERM) stops gracefully: GOAWAY to every client,
   the answers still due are sent; a second Ctrl-C closes at once.
   Authentication (--jwt-secret): the HELLO token must be a compact HS256 JWT signed
   with the secret (examples/jwt.h: alg exactly HS256, exp and nbf checked with
   --jwt-skew seconds of leeway); any other token and no token are refused with
   ERROR UNAUTHORIZED and GOAWAY. The claims stay with the connection for its
   handlers (WHOAMI). The rate limiter (--rate) is dx_hbtp's token bucket, one per
   worker: beyond it a request is answered ERROR RATE_LIMITED. */
#define _FILE_OFFSET_BITS 64 /* files over 2 GiB on 32-bit hosts (tool.h checks): before any header */
#define DX_IMPLEMENTATION
#include "dx_reactor.h"
#include "dx_hbtp.h"
#include "dx_net.h"
#include "dx_cas.h"
#include "dx_teleport.h"
#include "tool.h"
#include "jwt.h"
#include <pthread.h>
#include <signal.h>

enum { M_ECHO = 1, M_GET = 2, M_SET = 3, M_DEL = 4, M_WHOAMI = 5, M_USERS = 6, M_COUNT = 7 };
enum { CODE_NOT_FOUND = 0x8001, CODE_FULL = 0x8002, CODE_NO_IDENTITY = 0x8003 };
enum { KEY_MAX = 64, VALUE_MAX = 1024, STRIPES = 64 };

/* ---- the store: STRIPES tables with linear probing and backward-shift deletion ----
   A slot is 16 bytes (the key's hash and its entry), so a stripe's table stays in
   the cache; the key and value live in their own small allocation (made by the SET
   that inserts the key, grown when a longer value comes, freed by DEL). A table of
   1,100-byte slots with the bytes inline cost a cache and TLB miss per lookup,
   a fifth of the server's CPU on GETs (perf, 10,000 keys over 65,536 slots). */

typedef struct kv_entry {
    uint16_t key_len, value_len, value_cap;
    uint8_t bytes[]; /* key, then value */
} kv_entry;

typedef struct kv_slot {
    uint64_t hash; /* 0: empty */
    kv_entry *e;
} kv_slot;

typedef struct kv_stripe {
    pthread_mutex_t lock;
    kv_slot *slots;
    uint32_t mask, count;
} kv_stripe;

static kv_stripe stripes[STRIPES];
static bool kv_shared = true; /* false with one worker: no other thread touches the table, no locks */

static void kv_lock(kv_stripe *s) {
    if (kv_shared) pthread_mutex_lock(&s->lock);
}
static void kv_unlock(kv_stripe *s) {
    if (kv_shared) pthread_mutex_unlock(&s->lock);
}

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
        stripes[i].slots = (kv_slot *)calloc(per, sizeof(kv_slot));
        if (!stripes[i].slots) return false;
        stripes[i].mask = per - 1;
        pthread_mutex_init(&stripes[i].lock, NULL);
    }
    return true;
}

static void kv_free(void) {
    uint32_t i, j;
    for (i = 0; i < STRIPES; i++) {
        if (stripes[i].slots)
            for (j = 0; j <= stripes[i].mask; j++) free(stripes[i].slots[j].e);
        free(stripes[i].slots);
        pthread_mutex_destroy(&stripes[i].lock);
    }
}

/* The slot holding key, or the empty one where it would go (stripe locked). */
static kv_slot *kv_find(kv_stripe *s, uint64_t h, const uint8_t *k, size_t n) {
    uint32_t i = (uint32_t)(h >> 6) & s->mask;
    for (;;) {
        kv_slot *e = &s->slots[i];
        if (e->hash == 0 || (e->hash == h && e->e->key_len == n && memcmp(e->e->bytes, k, n) == 0)) return e;
        i = (i + 1) & s->mask;
    }
}

static kv_stripe *kv_stripe_of(uint64_t h) { return &stripes[h & (STRIPES - 1)]; }

/* Backward shift: later entries of the same run move up, so lookups need no tombstones. */
static void kv_remove(kv_stripe *s, kv_slot *e) {
    uint32_t i = (uint32_t)(e - s->slots), j = i;
    free(e->e);
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
    s->slots[i].e = NULL;
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
    kv_lock(s);
    e = kv_find(s, h, req->body, req->body_len);
    rc = e->hash ? dx_hbtp_reply(req, e->e->bytes + e->e->key_len, e->e->value_len)
                 : dx_hbtp_reply_error(req, CODE_NOT_FOUND, "not found");
    kv_unlock(s);
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
    kv_lock(s);
    e = kv_find(s, h, k, klen);
    if (!e->hash && s->count + 1 > s->mask - s->mask / 8) { /* keep probes short: at most 7/8 full */
        kv_unlock(s);
        return dx_hbtp_reply_error(req, CODE_FULL, "store full");
    }
    if (!e->hash || e->e->value_cap < vlen) { /* a new key, or a value longer than its room: (re)allocate */
        uint32_t cap = vlen < 16 ? 16 : vlen;
        kv_entry *n = (kv_entry *)realloc(e->e, sizeof(kv_entry) + klen + cap);
        if (!n) {
            kv_unlock(s);
            return dx_hbtp_reply_error(req, CODE_FULL, "out of memory");
        }
        if (!e->hash) {
            n->key_len = (uint16_t)klen;
            memcpy(n->bytes, k, klen);
            e->hash = h;
            s->count++;
        }
        n->value_cap = (uint16_t)cap;
        e->e = n;
    }
    e->e->value_len = (uint16_t)vlen;
    if (vlen) memcpy(e->e->bytes + klen, v, vlen);
    kv_unlock(s);
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
    kv_lock(s);
    e = kv_find(s, h, req->body, req->body_len);
    found = e->hash != 0;
    if (found) kv_remove(s, e);
    kv_unlock(s);
    return dx_hbtp_reply(req, &found, 1);
}

/* ---- the teleport RPC: a user list, built once ---- */

enum { TYPE_USER = 1, TYPE_DIRECTORY = 2, USER_COUNT = 16 };

typedef struct tp_user {
    uint64_t id;
    uint32_t age;
    uint32_t pad; /* explicit: the struct has no hidden bytes */
    double score;
    dx_tp_str name;
    dx_tp_str email;
} tp_user;
DX_STATIC_ASSERT(sizeof(tp_user) == 40, user_size);
DX_STATIC_ASSERT(offsetof(tp_user, score) == 16, user_score);
DX_STATIC_ASSERT(offsetof(tp_user, email) == 32, user_email);
static const dx_tp_field user_fields[] = {
    DX_TP_FIELD(tp_user, id, DX_TP_KIND_U64),    DX_TP_FIELD(tp_user, age, DX_TP_KIND_U32),
    DX_TP_FIELD(tp_user, pad, DX_TP_KIND_PAD),   DX_TP_FIELD(tp_user, score, DX_TP_KIND_F64),
    DX_TP_FIELD(tp_user, name, DX_TP_KIND_STR),  DX_TP_FIELD(tp_user, email, DX_TP_KIND_STR),
};
static const dx_tp_layout user_layout = DX_TP_LAYOUT(TYPE_USER, tp_user, user_fields);

typedef struct user_directory {
    dx_tp_slice users;
    uint64_t user_count;
    dx_tp_str title;
} user_directory;
DX_STATIC_ASSERT(sizeof(user_directory) == 24, user_directory_size);
static const dx_tp_field directory_fields[] = {
    DX_TP_FIELD_REF(user_directory, users, DX_TP_KIND_SLICE, TYPE_USER),
    DX_TP_FIELD(user_directory, user_count, DX_TP_KIND_U64),
    DX_TP_FIELD(user_directory, title, DX_TP_KIND_STR),
};
static const dx_tp_layout directory_layout = DX_TP_LAYOUT(TYPE_DIRECTORY, user_directory, directory_fields);

static dx_tp_writer users_writer; /* owns the buffer below until exit */
static const uint8_t *users_buf;
static size_t users_len;

static dx_result users_build(void) {
    static const char *const names[] = {"ada", "grace", "edsger", "barbara", "ken", "dennis", "margaret", "alan"};
    dx_tp_writer_config wc;
    user_directory dir;
    tp_user u[USER_COUNT];
    uint32_t i;
    dx_result rc;
    memset(&wc, 0, sizeof wc);
    wc.initial_capacity = 4096;
    rc = dx_tp_writer_create(&users_writer, &wc);
    if (rc != DX_OK) return rc;
    dx_tp_writer_add_layout(&users_writer, &user_layout);
    dx_tp_writer_add_layout(&users_writer, &directory_layout);
    memset(u, 0, sizeof u);
    for (i = 0; i < USER_COUNT; i++) {
        char email[64];
        snprintf(email, sizeof email, "%s%u@example.com", names[i % 8], (unsigned)i);
        u[i].id = 1000 + i;
        u[i].age = 20 + i * 3;
        u[i].score = 0.5 + i;
        u[i].name = dx_tp_write_cstr(&users_writer, names[i % 8]);
        u[i].email = dx_tp_write_cstr(&users_writer, email);
    }
    memset(&dir, 0, sizeof dir);
    dir.users = dx_tp_write_slice(&users_writer, TYPE_USER, u, USER_COUNT);
    dir.user_count = USER_COUNT;
    dir.title = dx_tp_write_cstr(&users_writer, "hbtp_server users");
    dx_tp_writer_set_root(&users_writer, TYPE_DIRECTORY, dx_tp_write(&users_writer, TYPE_DIRECTORY, &dir));
    return dx_tp_writer_finish(&users_writer, &users_buf, &users_len);
}

static dx_result h_users(dx_hbtp_request *req, void *user_) {
    (void)user_;
    return dx_hbtp_reply(req, users_buf, users_len); /* the same bytes every time: no work per request */
}

/* ---- authentication: an HS256 JWT in HELLO (examples/jwt.h) ---- */

static jwt_hmac_key jwt_key; /* read-only once serving: shared by the workers */
static bool jwt_on;
static int64_t jwt_skew = 60;

typedef struct conn_identity { /* one per connection slot, per worker */
    bool valid;
    jwt_claims claims;
} conn_identity;

/* Each worker's own state (setup_worker): its rate limiter, the identities of
   its connection slots, its refusal counts. Only its thread touches it while serving. */
typedef struct worker_state {
    dx_hbtp_ratelimit rl;
    conn_identity *ids; /* max_connections, indexed like the worker's pool */
    uint32_t id_count;
    uint64_t refused[JWT_NOT_YET_VALID + 1];
} worker_state;

enum { WORKERS_MAX = 4096 };
static worker_state *wstates[WORKERS_MAX]; /* made by setup_worker, freed after stop */
static bool setup_failed;

static uint64_t now_mono(void *user) {
    struct timespec ts;
    (void)user;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static dx_result jwt_hello(dx_hbtp_conn *c, const uint8_t *token, uint32_t len, void *state) {
    worker_state *ws = (worker_state *)state;
    dx_net_conn *nc = dx_net_conn_of(c);
    size_t slot = (size_t)(nc - nc->worker->conns);
    conn_identity *id;
    struct timespec ts;
    int r;
    if (slot >= ws->id_count) return DX_ERR_INVAL; /* cannot happen: the pool has max_connections slots */
    id = &ws->ids[slot];
    id->valid = false;
    nc->user = NULL;
    clock_gettime(CLOCK_REALTIME, &ts);
    r = len ? jwt_verify(token, len, &jwt_key, (int64_t)ts.tv_sec, jwt_skew, &id->claims) : JWT_MALFORMED;
    if (r != JWT_OK) {
        ws->refused[r]++;
        return DX_HBTP_ERR_REFUSED; /* dx_hbtp answers ERROR UNAUTHORIZED and GOAWAY */
    }
    id->valid = true;
    nc->user = id; /* the handlers' view of who this is */
    c->authenticated = true;
    return DX_OK;
}

static dx_result jwt_before(dx_hbtp_request *req, void *state) {
    (void)state;
    if (req->conn->authenticated) return DX_OK;
    dx_hbtp_reply_error(req, DX_HBTP_CODE_UNAUTHORIZED, "unauthorized");
    return DX_HBTP_ERR_REFUSED;
}

static dx_result h_whoami(dx_hbtp_request *req, void *user_) {
    const conn_identity *id = (const conn_identity *)dx_net_conn_of(req->conn)->user;
    (void)user_;
    if (!id || !id->valid || id->claims.sub_len == 0) return dx_hbtp_reply_error(req, CODE_NO_IDENTITY, "no identity");
    return dx_hbtp_reply(req, id->claims.sub, id->claims.sub_len);
}

static uint32_t rate, burst;

/* Called by dx_net_server_start for each worker, one after another, on the
   main thread: the worker's middleware and their state. */
static void setup_worker(dx_net_worker *w, dx_hbtp_conn_config *conn, void *user_) {
    worker_state *ws = w->index < WORKERS_MAX ? (worker_state *)calloc(1, sizeof *ws) : NULL;
    (void)user_;
    conn->middleware_count = 0;
    if (!ws) {
        setup_failed = true;
        return;
    }
    wstates[w->index] = ws;
    if (jwt_on) { /* without its table every HELLO is refused: a failure here fails closed */
        dx_hbtp_middleware m;
        ws->ids = (conn_identity *)calloc(w->conn_count, sizeof *ws->ids);
        if (ws->ids) ws->id_count = w->conn_count;
        else setup_failed = true;
        memset(&m, 0, sizeof m);
        m.on_hello = jwt_hello;
        m.before = jwt_before;
        m.state = ws;
        conn->middleware[conn->middleware_count++] = m;
    }
    if (rate) {
        ws->rl.now = now_mono;
        ws->rl.rate = rate;
        ws->rl.burst = burst ? burst : rate;
        conn->middleware[conn->middleware_count++] = dx_hbtp_ratelimit_middleware(&ws->rl);
    }
}

static void worker_states_free(uint64_t *refused, uint64_t *limited) {
    uint32_t i;
    int k;
    for (i = 0; i < WORKERS_MAX; i++) {
        if (!wstates[i]) continue;
        for (k = 0; k <= JWT_NOT_YET_VALID; k++) refused[k] += wstates[i]->refused[k];
        *limited += wstates[i]->rl.limited;
        free(wstates[i]->ids);
        free(wstates[i]);
        wstates[i] = NULL;
    }
}

/* ---- the program ---- */

static dx_net_server server;

/* Ctrl-C and SIGTERM (Windows: Ctrl-C, Ctrl-Break, console close) stop the
   server: the first gracefully, a second at once. dx_net_server_shutdown is
   safe in a signal handler and from another thread (Windows runs console
   handlers on a thread of their own). */
#ifdef _WIN32
static HANDLE stop_event;

static BOOL WINAPI on_console(DWORD kind) {
    (void)kind;
    dx_net_server_shutdown(&server);
    SetEvent(stop_event);
    return TRUE;
}

static void stop_signals_catch(void) {
    stop_event = CreateEventW(NULL, FALSE, FALSE, NULL);
    SetConsoleCtrlHandler(on_console, TRUE);
}

static void stop_signals_wait(void) {
    while (dx_net_server_stops(&server) == 0) WaitForSingleObject(stop_event, INFINITE);
}
#else
static sigset_t signals_old;

static void on_signal(int sig) {
    (void)sig;
    dx_net_server_shutdown(&server);
}

/* The workers inherit a mask without SIGINT and SIGTERM: the main thread takes them. */
static void stop_signals_catch(void) {
    struct sigaction sa;
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &signals_old);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static void stop_signals_wait(void) {
    while (dx_net_server_stops(&server) == 0) sigsuspend(&signals_old); /* until the first signal */
    pthread_sigmask(SIG_SETMASK, &signals_old, NULL); /* a second one may come while stop waits */
}
#endif

/* Why dx_net_server_start failed, in words, with the code's name after them. */
static const char *start_failure(dx_result rc, const char *host, const char *unix_path, const char *backend, uint64_t workers,
                                 uint64_t maxc) {
    static char text[256];
    const char *words = NULL;
    if (rc == DX_REACTOR_ERR_ADDRINUSE && unix_path) {
        words = "another server listens on it";
    } else if (rc == DX_REACTOR_ERR_ADDRINUSE) {
        words = tool_addr_in_use_words(host);
    } else if (rc == DX_ERR_UNSUPPORTED && backend) {
        snprintf(text, sizeof text, "backend %s is not available on this system (%s)", backend, dx_reactor_result_name(rc));
        return text;
    } else if (rc == DX_ERR_NOMEM) {
        snprintf(text, sizeof text, "out of memory: each worker allocates its --max-connections connections at start "
                 "(%llu x %llu here); fewer --workers or --max-connections need less (%s)",
                 (unsigned long long)(workers ? workers : dx_reactor_cpu_count()), (unsigned long long)maxc, dx_reactor_result_name(rc));
        return text;
    } else if (rc == DX_ERR_EXISTS && unix_path) {
        words = "it exists and is not a socket";
    } else if (rc == DX_ERR_NOTFOUND && unix_path) {
        words = "its folder does not exist";
    } else if (rc == DX_REACTOR_ERR_DENIED) {
        words = unix_path ? "permission denied" : "permission denied (ports below 1024 need privileges)";
    }
    if (!words) return dx_reactor_result_name(rc);
    snprintf(text, sizeof text, "%s (%s)", words, dx_reactor_result_name(rc));
    return text;
}

static const char usage[] =
    "usage: hbtp_server [--port P | --unix PATH] [--workers N] [--backend NAME] [--host IP] [--max-connections N]\n"
    "                   [--kv-slots N] [--jwt-secret S | --jwt-secret-b64 K] [--jwt-skew SECONDS] [--rate N] [--burst N]\n"
    "An HBTP server built on dx_net.h: PING, ECHO (method 1), a key-value store\n"
    "(GET 2, SET 3, DEL 4), WHOAMI 5 (the JWT's sub) and USERS 6 (a dx_teleport buffer).\n"
    "Prints the port (or path), the workers and the backend once it listens, then serves\n"
    "until Ctrl-C or SIGTERM (graceful: GOAWAY, the answers due are sent; a second one\n"
    "closes at once), and prints the counters.\n"
    "  --port P             TCP port, 0 to 65535 (default 7070; 0: the system picks one)\n"
    "  --host IP            IPv4 or IPv6 address to listen on (default 127.0.0.1)\n"
    "  --unix PATH          listen on an AF_UNIX socket at PATH instead of TCP\n"
    "  --workers N          threads, each with its own loop and listener (default: one per CPU)\n"
    "  --backend NAME       io_uring, epoll, poll, kqueue or iocp (default: the best this system has)\n"
    "  --max-connections N  per worker (default 1024); beyond it a client is refused\n"
    "  --kv-slots N         key-value table size (default 65536)\n"
    "  --jwt-secret S       require an HS256 JWT signed with S (its bytes) as the HELLO token\n"
    "  --jwt-secret-b64 K   the same with a binary key given in base64url (a JWK's \"k\")\n"
    "  --jwt-skew SECONDS   leeway for the exp and nbf claims, 0 to 2^40 (default 60)\n"
    "  --rate N             at most N requests per second per worker (token bucket; default: off);\n"
    "                       beyond it a request is answered ERROR RATE_LIMITED\n"
    "  --burst N            the bucket's size (default: N of --rate)\n"
    "  -h, --help           this text\n"
    "  --version            the dx header versions it is built from\n"
    "exit status: 0 ok, 1 failure (the backend is not available, the port cannot be bound),\n"
    "  2 bad usage\n";

int main(int argc, char **argv) {
    dx_hbtp_route methods[M_COUNT];
    dx_hbtp_router router;
    dx_net_server_config cfg;
    dx_net_counters ct;
    uint64_t port = 7070, workers = 0, maxc = 1024, slots = 65536, skew = 60, rate_opt = 0, burst_opt = 0;
    uint64_t refused[JWT_NOT_YET_VALID + 1] = {0}, limited = 0;
    const char *host = "127.0.0.1", *backend = NULL, *unix_path = NULL, *secret = NULL, *secret_b64 = NULL, *v, *why;
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
        if ((v = tool_opt_value(argc, argv, &i, "--port", &missing))) {
            if (tool_parse_u64(v, 0, 65535, false, &port) != 0) return tool_usage_error("--port must be 0 to 65535, not \"%s\"", v);
        } else if ((v = tool_opt_value(argc, argv, &i, "--workers", &missing))) {
            if (tool_parse_u64(v, 1, 1024, false, &workers) != 0) return tool_usage_error("--workers must be 1 to 1024, not \"%s\"", v);
        } else if ((v = tool_opt_value(argc, argv, &i, "--max-connections", &missing))) {
            if (tool_parse_u64(v, 1, 1u << 20, false, &maxc) != 0)
                return tool_usage_error("--max-connections must be 1 to 1048576, not \"%s\"", v);
        } else if ((v = tool_opt_value(argc, argv, &i, "--kv-slots", &missing))) {
            if (tool_parse_u64(v, 64, 1u << 30, true, &slots) != 0) return tool_usage_error("--kv-slots must be 64 to 1G, not \"%s\"", v);
        } else if ((v = tool_opt_value(argc, argv, &i, "--jwt-skew", &missing))) {
            if (tool_parse_u64(v, 0, (uint64_t)1 << 40, false, &skew) != 0) return tool_usage_error("--jwt-skew must be 0 to 2^40 seconds, not \"%s\"", v);
        } else if ((v = tool_opt_value(argc, argv, &i, "--jwt-secret-b64", &missing))) {
            secret_b64 = v;
        } else if ((v = tool_opt_value(argc, argv, &i, "--jwt-secret", &missing))) {
            secret = v;
        } else if ((v = tool_opt_value(argc, argv, &i, "--rate", &missing))) {
            if (tool_parse_u64(v, 1, UINT32_MAX, false, &rate_opt) != 0) return tool_usage_error("--rate must be 1 to 4294967295, not \"%s\"", v);
        } else if ((v = tool_opt_value(argc, argv, &i, "--burst", &missing))) {
            if (tool_parse_u64(v, 1, UINT32_MAX, false, &burst_opt) != 0) return tool_usage_error("--burst must be 1 to 4294967295, not \"%s\"", v);
        } else if ((v = tool_opt_value(argc, argv, &i, "--unix", &missing))) {
            if (!*v) return tool_usage_error("--unix needs a path");
            unix_path = v;
        } else if ((v = tool_opt_value(argc, argv, &i, "--backend", &missing))) {
            backend = v;
        } else if ((v = tool_opt_value(argc, argv, &i, "--host", &missing))) {
            dx_reactor_addr ha;
            if (dx_reactor_addr_make(&ha, v, 0) != DX_OK) return tool_usage_error("--host must be an IPv4 or IPv6 address, not \"%s\"", v);
            host = v;
        } else if (missing) {
            return tool_usage_error("%s needs a value", a);
        } else {
            return tool_usage_error("unknown argument %s", a);
        }
    }
    if (secret && secret_b64) return tool_usage_error("--jwt-secret and --jwt-secret-b64 exclude each other");
    if (secret) {
        if (!*secret) return tool_usage_error("--jwt-secret must not be empty");
        jwt_hmac_key_init(&jwt_key, secret, strlen(secret), dx_cas_cpu_detect());
        jwt_on = true;
    } else if (secret_b64) {
        uint8_t key[512];
        int64_t kl = jwt_b64url_decode((const uint8_t *)secret_b64, strlen(secret_b64), key, sizeof key);
        if (kl <= 0) return tool_usage_error("--jwt-secret-b64 must be 1 to 512 bytes in base64url without padding");
        jwt_hmac_key_init(&jwt_key, key, (size_t)kl, dx_cas_cpu_detect());
        memset(key, 0, sizeof key);
        jwt_on = true;
    }
    jwt_skew = (int64_t)skew;
    if (burst_opt && !rate_opt) return tool_usage_error("--burst needs --rate");
    rate = (uint32_t)rate_opt, burst = (uint32_t)burst_opt;
    if (users_build() != DX_OK || users_len + 4 > 4096) return tool_fail("cannot build the users buffer");
    dx_hbtp_router_init(&router, methods, M_COUNT);
    dx_hbtp_router_method(&router, M_ECHO, h_echo, NULL);
    dx_hbtp_router_method(&router, M_GET, h_get, NULL);
    dx_hbtp_router_method(&router, M_SET, h_set, NULL);
    dx_hbtp_router_method(&router, M_DEL, h_del, NULL);
    dx_hbtp_router_method(&router, M_WHOAMI, h_whoami, NULL);
    dx_hbtp_router_method(&router, M_USERS, h_users, NULL);
    memset(&cfg, 0, sizeof cfg);
    cfg.host = host;
    cfg.unix_path = unix_path;
    cfg.setup_worker = setup_worker;
    cfg.port = (uint16_t)port;
    cfg.workers = (uint32_t)workers;
    cfg.max_connections = (uint32_t)maxc;
    cfg.conn.router = &router;
    cfg.conn.max_payload = 4096; /* GET/SET of small values: 4 KiB frames, about 30 KiB per connection */
    if (backend) {
        cfg.reactor.backends[0] = tool_backend_named(backend);
        if (cfg.reactor.backends[0] == DX_REACTOR_BACKEND_DEFAULT)
            return tool_usage_error("unknown backend %s (" TOOL_BACKEND_NAMES ")", backend);
        cfg.reactor.backend_count = 1;
    }
    kv_shared = workers != 1; /* 0: one per CPU, which may be more than one */
    if (!kv_init(slots)) return tool_fail("cannot allocate the key-value table (%llu slots)", (unsigned long long)slots);
    stop_signals_catch();
    rc = dx_net_server_start(&server, &cfg);
    if (rc == DX_OK && setup_failed) {
        dx_net_server_stop(&server);
        rc = DX_ERR_NOMEM;
    }
    if (rc != DX_OK) {
        worker_states_free(refused, &limited);
        dx_tp_writer_destroy(&users_writer);
        kv_free();
        why = start_failure(rc, host, unix_path, backend, workers, maxc);
        if (unix_path) return tool_fail("cannot serve on %s: %s", unix_path, why);
        return tool_fail("cannot serve on %s port %u: %s", host, (unsigned)port, why);
    }
    if (unix_path)
        printf("hbtp_server: unix %s, %u workers, backend %s%s\n", unix_path, (unsigned)dx_net_server_workers(&server),
               dx_net_server_backend_name(&server), jwt_on ? ", JWT required" : "");
    else
        printf("hbtp_server: %s port %u, %u workers, backend %s%s\n", host, (unsigned)dx_net_server_port(&server),
               (unsigned)dx_net_server_workers(&server), dx_net_server_backend_name(&server), jwt_on ? ", JWT required" : "");
    fflush(stdout);
    stop_signals_wait();
    rc = dx_net_server_stop(&server);
    dx_net_server_counters(&server, UINT32_MAX, &ct); /* the final sums */
    fprintf(stderr, "hbtp_server: stopped: %llu connections, %llu requests, %llu bytes in, %llu out, %llu refused, "
                    "%llu protocol errors\n",
            (unsigned long long)ct.accepted, (unsigned long long)ct.requests, (unsigned long long)ct.bytes_in,
            (unsigned long long)ct.bytes_out, (unsigned long long)ct.refused, (unsigned long long)ct.err_protocol);
    worker_states_free(refused, &limited);
    if (jwt_on)
        fprintf(stderr, "hbtp_server: tokens refused: %llu malformed, %llu algorithm, %llu signature, %llu expired, "
                        "%llu not yet valid\n",
                (unsigned long long)refused[JWT_MALFORMED], (unsigned long long)refused[JWT_ALG],
                (unsigned long long)refused[JWT_SIGNATURE], (unsigned long long)refused[JWT_EXPIRED],
                (unsigned long long)refused[JWT_NOT_YET_VALID]);
    if (rate) fprintf(stderr, "hbtp_server: rate limited: %llu requests\n", (unsigned long long)limited);
    dx_tp_writer_destroy(&users_writer);
    kv_free();
    return rc == DX_OK ? 0 : 1;
}
