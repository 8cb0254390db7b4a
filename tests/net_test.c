/* net_test.c - dx_net.h on real loopback sockets, over every Linux backend
   (io_uring, epoll, poll), kqueue (over libkqueue, make cross) and IOCP
   (Windows: mingw-w64 under Wine, make cross; one worker per server there,
   the clients of the 10,000 connections in the test's own process: under
   Wine every socket of both sides is a Unix fd of wineserver, so make cross
   sets DX_NET_CONNECTIONS to what its fd limit allows): pipelining, uploads of 0 B to 16 MiB, a client that
   never reads, 10,000 connections, 100,000 connect/HELLO/close cycles, garbage
   from many clients at once, graceful stop, max connections, max frame,
   timeouts, per-worker middleware (setup_worker), the blocking client,
   reconnect and AF_UNIX sockets. Under sanitizers the cycles are 20,000
   instead of 100,000 (DX_NET_CYCLES=N sets them; DX_NET_CONNECTIONS=N the
   10,000 connections). A backend this machine lacks skips its tests with
   the reason. No sleeps: every wait is for an event (a callback, a
   socket's EOF, a counter), bounded by a generous watchdog. */
#define _GNU_SOURCE
#define DX_IMPLEMENTATION
#include "dx_reactor.h"
#include "dx_hbtp.h"
#include "dx_net.h"
#include "prop.h"

#if !defined(__linux__) && !defined(_WIN32)
static int t_linux_only(prop_ctx *p) { PROP_SKIP(p, "net_test runs on Linux (io_uring, epoll, poll; kqueue over libkqueue) and Windows (IOCP)"); }
static const prop_test tests[] = {PROP_UNIT(t_linux_only)};
int main(int argc, char **argv) { return prop_main(argc, argv, tests, sizeof tests / sizeof tests[0]); }
#else

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(_WIN32)
/* Windows (mingw-w64 under Wine in make cross; IOCP, one worker per server):
   the few POSIX calls the scenarios make on raw sockets, made of Winsock ones.
   A SOCKET fits an int here, as in reactor_test.c. */
#include <psapi.h>
#define SHUT_WR SD_SEND
#define MSG_NOSIGNAL 0
#define SOCK_CLOEXEC 0
#define NET_ECONNRESET WSAECONNRESET
#define NET_EINTR WSAEINTR
#define NET_EWOULDBLOCK WSAEWOULDBLOCK
#define close(fd) closesocket((SOCKET)(intptr_t)(fd))
#define send(s, b, n, f) send((SOCKET)(intptr_t)(s), (const char *)(b), (int)(n), f)
#define recv(s, b, n, f) recv((SOCKET)(intptr_t)(s), (char *)(b), (int)(n), f)
#define shutdown(s, h) shutdown((SOCKET)(intptr_t)(s), h)
#define setsockopt(s, l, o, v, n) setsockopt((SOCKET)(intptr_t)(s), l, o, (const char *)(v), (int)(n))
#define connect(s, a, l) connect((SOCKET)(intptr_t)(s), a, (int)(l))
static int sock_error(void) { return WSAGetLastError(); }
static int w_socket(int af, int type, int proto) {
    SOCKET k = socket(af, type, proto);
    return k == INVALID_SOCKET ? -1 : (int)k;
}
#define socket w_socket
#else
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#define NET_ECONNRESET ECONNRESET
#define NET_EINTR EINTR
#define NET_EWOULDBLOCK EWOULDBLOCK
static int sock_error(void) { return errno; }
#endif

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#define WATCHDOG_NS 120000000000ull /* 120 s per wait at most: hangs, never a speed limit */

static uint64_t now_ns(void) {
#if defined(_WIN32)
    LARGE_INTEGER c, f;
    QueryPerformanceCounter(&c), QueryPerformanceFrequency(&f);
    return (uint64_t)((double)c.QuadPart * 1e9 / (double)f.QuadPart);
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

static dx_reactor_config loop_cfg(dx_reactor_backend_id b) {
    dx_reactor_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.backends[0] = b;
    cfg.backend_count = 1;
    return cfg;
}

static dx_result open_loop(dx_reactor *r, dx_reactor_backend_id b) {
    dx_reactor_config cfg = loop_cfg(b);
    return dx_reactor_create(r, &cfg);
}

#define BACKEND_OR_SKIP(p, b)                                                                               \
    do {                                                                                                    \
        dx_reactor probe_;                                                                                  \
        dx_result rc_ = open_loop(&probe_, (b));                                                            \
        if (rc_ != DX_OK)                                                                                   \
            PROP_SKIP((p), "%s backend unavailable here: %s", dx_reactor_backend_id_name(b), dx_reactor_result_name(rc_)); \
        dx_reactor_destroy(&probe_);                                                                        \
    } while (0)

/* ---- the server under test: ECHO (method 1), uploads (count + FNV-1a of the pieces) ---- */

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}
#define FNV0 0xcbf29ce484222325ull

static dx_result h_echo(dx_hbtp_request *req, void *user) {
    (void)user;
    return dx_hbtp_reply(req, req->body, req->body_len);
}

/* method 4: dx_net_server_stop from a handler (a worker's thread): DX_ERR_MISUSE, nothing done (it freed
   the pools under the handler); answers with what it returned */
static dx_net_server *g_stop_target;
static dx_result h_stop_self(dx_hbtp_request *req, void *user) {
    int32_t rc = g_stop_target ? (int32_t)dx_net_server_stop(g_stop_target) : 0;
    (void)user;
    return dx_hbtp_reply(req, &rc, sizeof rc);
}

/* scratch[0]: bytes so far, scratch[1]: hash, scratch[2]: pieces (one upload at a time per connection) */
static dx_result h_piece(dx_hbtp_request *req, void *user) {
    dx_net_conn *c = dx_net_conn_of(req->conn);
    (void)user;
    if (c->scratch[2] == 0) c->scratch[1] = FNV0;
    c->scratch[0] += req->body_len;
    c->scratch[1] = fnv(c->scratch[1], req->body, req->body_len);
    c->scratch[2]++;
    if (req->frame->opcode == DX_HBTP_OP_STREAM_END) {
        uint8_t out[24];
        dx_store_u64le(out, c->scratch[0]);
        dx_store_u64le(out + 8, c->scratch[1]);
        dx_store_u64le(out + 16, c->scratch[2]);
        c->scratch[0] = c->scratch[1] = c->scratch[2] = 0;
        return dx_hbtp_reply(req, out, sizeof out);
    }
    return DX_OK;
}

/* Method 2, once stall_release(false) armed it, stalls the worker that runs it (its loop stops: no answer, no
   accept, no read) until stall_release(true); otherwise (the garbage scenario may call it) it answers at once. */
static pthread_mutex_t stall_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stall_cv = PTHREAD_COND_INITIALIZER;
static bool stall_released = true;

static dx_result h_stall(dx_hbtp_request *req, void *user) {
    (void)user;
    pthread_mutex_lock(&stall_mu);
    while (!stall_released) pthread_cond_wait(&stall_cv, &stall_mu);
    pthread_mutex_unlock(&stall_mu);
    return dx_hbtp_reply(req, NULL, 0);
}

static void stall_release(bool released) {
    pthread_mutex_lock(&stall_mu);
    stall_released = released;
    pthread_cond_broadcast(&stall_cv);
    pthread_mutex_unlock(&stall_mu);
}

static dx_hbtp_route g_methods[5];
static dx_hbtp_router g_router;

static void router_setup(void) {
    dx_hbtp_router_init(&g_router, g_methods, 5);
    dx_hbtp_router_method(&g_router, 1, h_echo, NULL);
    dx_hbtp_router_method(&g_router, 2, h_stall, NULL);
    dx_hbtp_router_method(&g_router, 4, h_stop_self, NULL);
    dx_hbtp_router_opcode(&g_router, DX_HBTP_OP_STREAM_DATA, h_piece, NULL);
    dx_hbtp_router_opcode(&g_router, DX_HBTP_OP_STREAM_END, h_piece, NULL);
}

static dx_net_server_config server_cfg(dx_reactor_backend_id b, uint32_t workers) {
    dx_net_server_config cfg;
    memset(&cfg, 0, sizeof cfg);
#if defined(_WIN32)
    workers = 1; /* dx_net.h: one worker on Windows (no SO_REUSEPORT; a socket belongs to one completion port) */
#endif
    cfg.workers = workers;
    cfg.reactor = loop_cfg(b);
    cfg.conn.router = &g_router;
    cfg.max_connections = 64;
    return cfg;
}

static dx_net_counters counters(dx_net_server *s) {
    dx_net_counters c;
    dx_net_server_counters(s, UINT32_MAX, &c);
    return c;
}

/* Waits (yielding, no sleep) until the server's open connections reach n; false after the watchdog. */
static bool wait_open(dx_net_server *s, uint64_t n) {
    uint64_t end = now_ns() + WATCHDOG_NS;
    while (counters(s).open != n) {
        if (now_ns() > end) return false;
        sched_yield();
    }
    return true;
}

/* ---- raw sockets (blocking, with a receive watchdog) ---- */

static int raw_connect(uint16_t port) {
    struct sockaddr_in a;
    int secs = getenv("DX_NET_RCVTIMEO") ? atoi(getenv("DX_NET_RCVTIMEO")) : 60;
#if defined(_WIN32)
    DWORD tv = (DWORD)secs * 1000; /* milliseconds there */
#else
    struct timeval tv = {secs, 0};
#endif
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static bool send_all(int fd, const void *p, size_t n) {
    const uint8_t *b = (const uint8_t *)p;
    while (n) {
        ssize_t k = send(fd, b, n, MSG_NOSIGNAL);
        if (k < 0 && sock_error() == NET_EINTR) continue; /* a signal (the watchdog's, a profiler's): not an error */
        if (k <= 0) return false;
        b += k;
        n -= (size_t)k;
    }
    return true;
}

static bool recv_all(int fd, void *p, size_t n) {
    uint8_t *b = (uint8_t *)p;
    while (n) {
        ssize_t k = recv(fd, b, n, 0);
        if (k < 0 && sock_error() == NET_EINTR) continue;
        if (k <= 0) return false;
        b += k;
        n -= (size_t)k;
    }
    return true;
}

/* Reads one frame's header and payload (up to cap); false at EOF or an error. */
static bool raw_frame(int fd, uint8_t *op, uint16_t *code, uint8_t *payload, size_t cap) {
    uint8_t h[8], sink[256];
    uint32_t len, got = 0;
    if (!recv_all(fd, h, 8)) return false;
    *op = h[0];
    len = dx_load_u32le(h + 4);
    while (got < len) {
        size_t want = len - got;
        uint8_t *dst = sink;
        if (got < cap) dst = payload + got, want = want < cap - got ? want : cap - got;
        else if (want > sizeof sink) want = sizeof sink;
        if (!recv_all(fd, dst, want)) return false;
        got += (uint32_t)want;
    }
    if (code) *code = (*op == DX_HBTP_OP_ERROR || *op == DX_HBTP_OP_GOAWAY) && len >= 4 && cap >= 4
                          ? dx_load_u16le(payload + (*op == DX_HBTP_OP_ERROR ? 0 : 2)) : 0;
    return true;
}

/* Reads until EOF (or an error such as a reset): true if the server closed within the watchdog. */
static bool raw_until_eof(int fd) {
    uint8_t buf[4096];
    for (;;) {
        ssize_t k = recv(fd, buf, sizeof buf, 0);
        if (k == 0) return true;
        if (k < 0 && sock_error() == NET_EINTR) continue; /* CI saw one here: "Interrupted system call after 14 ms" */
        if (k < 0) return sock_error() == NET_ECONNRESET;
    }
}

static size_t hello_bytes(uint8_t *out) {
    uint8_t p[24];
    memset(p, 0, sizeof p);
    memcpy(p, "HBTP", 4);
    p[4] = 1;
    return (size_t)dx_hbtp_encode(out, 64, DX_HBTP_OP_HELLO, 0, 0, p, 24);
}

static size_t rpc_bytes(uint8_t *out, size_t cap, uint16_t stream, uint32_t method, const void *body, uint32_t len) {
    uint8_t p[4100];
    dx_store_u32le(p, method);
    memcpy(p + 4, body, len);
    return (size_t)dx_hbtp_encode(out, cap, DX_HBTP_OP_RPC, 0, stream, p, len + 4);
}

/* connect + HELLO + HELLO|ACK */
static int raw_hello(uint16_t port) {
    uint8_t h[64], op, pl[64];
    size_t n = hello_bytes(h);
    int fd = raw_connect(port);
    if (fd < 0) return -1;
    if (!send_all(fd, h, n) || !raw_frame(fd, &op, NULL, pl, sizeof pl) || op != DX_HBTP_OP_HELLO) {
        close(fd);
        return -2;
    }
    return fd;
}

/* Open fds, for the leak checks. Over libkqueue only TCP sockets count: its
   kqueue emulation opens and closes fds of its own (eventfds, epoll fds, a
   socket pair) later, from a monitoring thread, so their number at any
   moment says nothing about ours. */
static long fd_count(void) {
#if defined(_WIN32)
    DWORD h = 0; /* sockets are handles */
    return GetProcessHandleCount(GetCurrentProcess(), &h) ? (long)h : -1;
#else
    long n = 0;
    struct dirent *e;
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    while ((e = readdir(d)) != NULL) {
#ifdef DX_REACTOR_KQUEUE_LIBKQUEUE
        int domain = 0;
        socklen_t len = sizeof domain;
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        if (getsockopt(atoi(e->d_name), SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0) continue;
        if (domain != AF_INET && domain != AF_INET6) continue;
#endif
        n++;
    }
    closedir(d);
    return n;
#endif
}

static long rss_kib(void) {
#if defined(_WIN32)
    PROCESS_MEMORY_COUNTERS pm;
    return K32GetProcessMemoryInfo(GetCurrentProcess(), &pm, sizeof pm) ? (long)(pm.WorkingSetSize / 1024) : -1;
#else
    return prop_resident_kib();
#endif
}

/* ---- an asynchronous client on its own loop ---- */

typedef struct calls {
    uint32_t issued, answered, ok, remote, failed, out_of_order;
    uint32_t next_expected;
    dx_result first_fail;
    uint16_t last_code;
} calls;

typedef struct tcall {
    calls *k;
    uint32_t seq;
    uint8_t body[64];
    uint32_t len;
} tcall;

static void on_echo(dx_net_client *c, const dx_net_reply *r, void *user) {
    tcall *t = (tcall *)user;
    calls *k = t->k;
    (void)c;
    if (!r->final) return;
    k->answered++;
    if (t->seq != k->next_expected) k->out_of_order++;
    k->next_expected = t->seq + 1;
    if (r->result == DX_OK) {
        if (r->body_len == t->len && memcmp(r->body, t->body, t->len) == 0) k->ok++;
        else k->failed++;
    } else if (r->result == DX_NET_ERR_REMOTE) {
        k->remote++;
        k->last_code = r->code;
    } else {
        if (!k->first_fail) k->first_fail = r->result;
        k->failed++;
    }
}

/* Runs loop turns until *flag (a counter) reaches want; false after the watchdog. */
static bool run_until(dx_reactor *r, const uint32_t *counter, uint32_t want) {
    uint64_t end = now_ns() + WATCHDOG_NS;
    while (*counter < want) {
        if (now_ns() > end) return false;
        if (dx_reactor_run(r, DX_REACTOR_RUN_ONCE) != DX_OK) return false;
    }
    return true;
}

static bool run_until_state(dx_reactor *r, dx_net_client *c, dx_net_client_state st) {
    uint64_t end = now_ns() + WATCHDOG_NS;
    while (dx_net_client_state_of(c) != st) {
        if (now_ns() > end) return false;
        if (dx_reactor_run(r, DX_REACTOR_RUN_ONCE) != DX_OK) return false;
    }
    return true;
}

static void client_finish(dx_reactor *r, dx_net_client *c) {
    dx_net_client_close(c);
    run_until_state(r, c, DX_NET_CLIENT_CLOSED);
    dx_reactor_run(r, DX_REACTOR_RUN_UNTIL_DONE);
    dx_net_client_destroy(c);
}

static dx_net_client_config client_cfg(uint16_t port) {
    dx_net_client_config cc;
    memset(&cc, 0, sizeof cc);
    cc.port = port;
    return cc;
}

/* ---- pipelining: N calls, answers in order, bodies intact ---- */

static int pipeline(prop_ctx *p, dx_reactor_backend_id b) {
    enum { N = 5000 };
    static tcall t[N];
    dx_net_server s;
    dx_net_server_config cfg = server_cfg(b, 2);
    dx_net_client_config cc;
    dx_net_client c;
    dx_reactor r;
    calls k;
    uint32_t i;
    uint64_t t0;
    BACKEND_OR_SKIP(p, b);
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    PROP_CHECK(p, open_loop(&r, b) == DX_OK);
    cc = client_cfg(dx_net_server_port(&s));
    PROP_CHECK(p, dx_net_client_create(&c, &r, &cc) == DX_OK);
    memset(&k, 0, sizeof k);
    t0 = now_ns();
    for (i = 0; i < N;) { /* as many in flight as allowed; more as answers come */
        int32_t rc;
        t[i].k = &k;
        t[i].seq = i;
        t[i].len = (uint32_t)prop_range(p, 0, sizeof t[i].body);
        prop_bytes(p, t[i].body, t[i].len);
        rc = dx_net_client_call(&c, 1, t[i].body, t[i].len, on_echo, &t[i]);
        if (rc == DX_ERR_BUSY || rc == DX_ERR_NOSPACE) {
            PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
            continue;
        }
        PROP_CHECK_MSG(p, rc > 0, "call %u: %s", i, dx_hbtp_result_name(rc));
        i++;
    }
    PROP_CHECK(p, run_until(&r, &k.answered, N));
    prop_note(p, "%u calls", N);
    PROP_CHECK_MSG(p, k.ok == N && k.out_of_order == 0, "ok %u of %u, out of order %u, failed %u (%s)", k.ok, N,
                   k.out_of_order, k.failed, dx_result_name(k.first_fail));
    printf("  pipeline %s: %u calls, max in flight %u, %.1f ms\n", dx_reactor_backend_id_name(b), N,
           (unsigned)c.hbtp.max_inflight, (double)(now_ns() - t0) / 1e6);
    PROP_CHECK(p, counters(&s).requests == N);
    client_finish(&r, &c);
    dx_reactor_destroy(&r);
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);
    return 0;
}

/* ---- uploads: 0 B to 16 MiB as STREAM_DATA pieces ---- */

typedef struct up_result {
    uint32_t done;
    dx_result result;
    uint64_t bytes, hash, pieces;
} up_result;

static void on_upload(dx_net_client *c, const dx_net_reply *r, void *user) {
    up_result *u = (up_result *)user;
    (void)c;
    if (!r->final) return;
    u->result = r->result;
    if (r->result == DX_OK && r->body_len == 24) {
        u->bytes = dx_load_u64le(r->body);
        u->hash = dx_load_u64le(r->body + 8);
        u->pieces = dx_load_u64le(r->body + 16);
    }
    u->done = 1;
}

static int uploads(prop_ctx *p, dx_reactor_backend_id b) {
    static const size_t sizes[] = {0, 1, 100, 65535, 65536, 65537, 1u << 20, (1u << 20) + 12345, 16u << 20};
    dx_net_server s;
    dx_net_server_config cfg = server_cfg(b, 1);
    dx_net_client_config cc;
    dx_net_client c;
    dx_reactor r;
    uint8_t *body = (uint8_t *)malloc(16u << 20);
    size_t i;
    uint64_t total = 0, t0;
    calls k;
    tcall tc;
    BACKEND_OR_SKIP(p, b);
    PROP_CHECK(p, body != NULL);
    prop_bytes_random(p, body, 16u << 20);
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    PROP_CHECK(p, open_loop(&r, b) == DX_OK);
    cc = client_cfg(dx_net_server_port(&s));
    cc.piece_size = 60000; /* not a power of two: pieces straddle the receive buffers */
    PROP_CHECK(p, dx_net_client_create(&c, &r, &cc) == DX_OK);
    PROP_CHECK(p, run_until_state(&r, &c, DX_NET_CLIENT_OPEN));
    t0 = now_ns();
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        up_result u;
        memset(&u, 0, sizeof u);
        memset(&k, 0, sizeof k);
        PROP_CHECK(p, dx_net_client_upload(&c, body, sizes[i], on_upload, &u) == DX_OK);
        /* a call alongside the upload: answered too */
        tc.k = &k, tc.seq = 0, tc.len = 5;
        memcpy(tc.body, "hello", 5);
        PROP_CHECK(p, dx_net_client_call(&c, 1, tc.body, 5, on_echo, &tc) > 0);
        PROP_CHECK(p, run_until(&r, &u.done, 1));
        PROP_CHECK(p, run_until(&r, &k.answered, 1));
        PROP_CHECK_MSG(p, u.result == DX_OK && u.bytes == sizes[i] && u.hash == fnv(FNV0, body, sizes[i]),
                       "size %zu: %s, %llu bytes", sizes[i], dx_result_name(u.result), (unsigned long long)u.bytes);
        PROP_CHECK(p, u.pieces == (sizes[i] ? (sizes[i] + 59999) / 60000 : 1));
        PROP_CHECK(p, k.ok == 1);
        total += sizes[i];
    }
    printf("  uploads %s: %zu bodies, %llu bytes in pieces of 60000, %.1f ms\n", dx_reactor_backend_id_name(b),
           sizeof sizes / sizeof sizes[0], (unsigned long long)total, (double)(now_ns() - t0) / 1e6);
    client_finish(&r, &c);
    dx_reactor_destroy(&r);
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);
    free(body);
    return 0;
}

/* ---- a client that never reads: the server stops reading it, memory stays put, others are served ---- */

static int never_reads(prop_ctx *p, dx_reactor_backend_id b) {
    dx_net_server s;
    dx_net_server_config cfg = server_cfg(b, 1);
    dx_net_client_config cc;
    dx_net_client c;
    dx_reactor r;
    static tcall t[200];
    calls k;
    uint8_t h[64], req[4200], body[4096], *big;
    size_t n, sent = 0, blen = 0;
    long rss0, rss1;
    int fd, flags;
    uint32_t i;
    uint16_t stream = 1;
    dx_net_counters ct;
    BACKEND_OR_SKIP(p, b);
    cfg.conn.max_payload = 8192;
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    fd = raw_connect(dx_net_server_port(&s));
    PROP_CHECK(p, fd >= 0);
    n = hello_bytes(h);
    PROP_CHECK(p, send_all(fd, h, n));
    rss0 = rss_kib();
    /* ECHO requests of 4 KiB until the kernel's buffers are full both ways: send would block */
    flags = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &flags, sizeof flags);
    memset(body, 'x', sizeof body);
    big = (uint8_t *)malloc(64 * sizeof req);
    PROP_CHECK(p, big != NULL);
    for (i = 0; i < 64; i++) {
        n = rpc_bytes(big + blen, sizeof req, stream, 1, body, sizeof body);
        blen += n;
        stream = (uint16_t)(stream % 60000 + 1);
    }
    {   /* non-blocking sends until the kernel says EAGAIN and the server counted the stall: then it
           stopped reading this connection (the poll's timeout only re-checks the counter) */
        uint64_t end = now_ns() + WATCHDOG_NS;
#if defined(_WIN32)
        u_long nonblocking = 1;
        PROP_CHECK(p, ioctlsocket((SOCKET)(intptr_t)fd, (long)FIONBIO, &nonblocking) == 0);
#else
        PROP_CHECK(p, fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0);
#endif
        for (;;) {
            /* resume where the last (possibly partial) send stopped: starting over at big would cut a
               request in two, and a server still reading would answer the garbage with ERROR and close */
            size_t off = sent % blen;
            ssize_t k2 = send(fd, big + off, blen - off, MSG_NOSIGNAL);
            if (k2 > 0) {
                sent += (size_t)k2;
                continue;
            }
            /* a socket with a send timeout (raw_connect's watchdog) reports an interruption as EINTR instead of
               restarting the call (Linux's sock_intr_errno); make cross's musl build saw one here */
            if (k2 < 0 && sock_error() == NET_EINTR) continue;
            PROP_CHECK_MSG(p, k2 < 0 && (sock_error() == NET_EWOULDBLOCK || sock_error() == EAGAIN),
                           "send returned %ld, error %d after %zu bytes", (long)k2, sock_error(), sent);
            if (counters(&s).stalls >= 1) break;
            {
#if defined(_WIN32)
                fd_set wr;
                struct timeval tv = {0, 100000};
                FD_ZERO(&wr);
                FD_SET((SOCKET)(intptr_t)fd, &wr);
                select(0, NULL, &wr, NULL, &tv);
#else
                struct pollfd pf;
                pf.fd = fd, pf.events = POLLOUT, pf.revents = 0;
                poll(&pf, 1, 100);
#endif
            }
            PROP_CHECK_MSG(p, now_ns() < end, "no stall after %zu bytes", sent);
        }
    }
    ct = counters(&s);
    PROP_CHECK_MSG(p, ct.stalls >= 1, "no backpressure stall after %zu bytes sent", sent);
    PROP_CHECK(p, ct.err_protocol == 0);
    /* others are served meanwhile */
    PROP_CHECK(p, open_loop(&r, b) == DX_OK);
    cc = client_cfg(dx_net_server_port(&s));
    PROP_CHECK(p, dx_net_client_create(&c, &r, &cc) == DX_OK);
    memset(&k, 0, sizeof k);
    for (i = 0; i < 200;) {
        int32_t rc;
        t[i].k = &k, t[i].seq = i, t[i].len = 8;
        memcpy(t[i].body, "12345678", 8);
        rc = dx_net_client_call(&c, 1, t[i].body, 8, on_echo, &t[i]);
        if (rc == DX_ERR_BUSY) {
            PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
            continue;
        }
        PROP_CHECK(p, rc > 0);
        i++;
    }
    PROP_CHECK(p, run_until(&r, &k.answered, 200));
    PROP_CHECK(p, k.ok == 200);
    rss1 = rss_kib();
    ct = counters(&s);
    printf("  never-reads %s: %zu bytes sent before the server stopped reading, server answered %llu of them, "
           "RSS %+ld KiB, other client: 200 of 200 answered\n",
           dx_reactor_backend_id_name(b), sent, (unsigned long long)ct.requests - 200, rss1 - rss0);
    /* the bound: the connection's preallocated slot (about 30 KiB here), the other client and the
       test's own buffers; far below what was sent */
    PROP_CHECK_MSG(p, rss1 - rss0 < 8192, "RSS grew by %ld KiB", rss1 - rss0);
    PROP_CHECK(p, (uint64_t)sent > 2 * (uint64_t)(rss1 - rss0 > 0 ? rss1 - rss0 : 0) * 1024);
    client_finish(&r, &c);
    dx_reactor_destroy(&r);
    close(fd);
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);
    free(big);
    return 0;
}

/* ---- many connections at once ---- */

/* Opens want connections to port, says HELLO on each, then sends an ECHO on
   each and checks every answer. *opened: how many are open (in fds). 0, or
   -n-1 when connection n failed, 1 a send failed, 2 a wrong answer. */
static int32_t many_open(uint16_t port, uint32_t want, int *fds, uint32_t *opened) {
    uint32_t n, i;
    uint8_t req[64], op, pl[64];
    for (n = 0; n < want; n++) {
        fds[n] = raw_hello(port);
        if (fds[n] < 0) {
            *opened = n;
            return -(int32_t)n - 1; /* which one failed */
        }
    }
    *opened = n;
    for (i = 0; i < want; i++) {
        size_t len = rpc_bytes(req, sizeof req, 1, 1, &i, 4);
        if (!send_all(fds[i], req, len)) return 1;
    }
    for (i = 0; i < want; i++)
        if (!raw_frame(fds[i], &op, NULL, pl, sizeof pl) || op != DX_HBTP_OP_RPC_RESPONSE || memcmp(pl + 4, &i, 4) != 0)
            return 2;
    return 0;
}

#if defined(_WIN32)
static uint32_t raise_nofile(void) { return 1u << 30; } /* handles: no per-process limit to raise */
#else
static uint32_t raise_nofile(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    return rl.rlim_cur > 1u << 30 ? 1u << 30 : (uint32_t)rl.rlim_cur;
}

/* Closes every fd but keep_a and keep_b: the child must not hold the
   parent's fds open (libkqueue, for one, stops a thread of its by closing a
   socket's write end, and waits for the EOF that a copy in the child would
   hold back). */
static void close_other_fds(int keep_a, int keep_b) {
    int fds[1024], n = 0, i;
    struct dirent *e;
    DIR *d = opendir("/proc/self/fd");
    if (!d) return;
    while ((e = readdir(d)) != NULL && n < 1024) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && fd > 2 && fd != keep_a && fd != keep_b && fd != dirfd(d))
            fds[n++] = fd;
    }
    closedir(d);
    for (i = 0; i < n; i++) close(fds[i]);
}

/* On Linux the clients live in a child process (forked before the server's
   threads exist): each side then needs 10,000 fds, not one process 20,000.
   The child gets the port on a pipe, opens every connection, reports, and
   closes them when told. */
static void many_child(int rd, int wr, uint32_t want) {
    uint16_t port;
    uint32_t n = 0, i;
    int32_t status;
    int *fds = (int *)malloc(want * sizeof *fds);
    char go;
    close_other_fds(rd, wr);
    raise_nofile();
    if (read(rd, &port, sizeof port) != (ssize_t)sizeof port || !fds) _exit(2);
    status = many_open(port, want, fds, &n);
    if (write(wr, &status, sizeof status) != (ssize_t)sizeof status) _exit(3);
    if (read(rd, &go, 1) != 1) _exit(4);
    for (i = 0; i < n; i++) close(fds[i]);
    _exit(0);
}
#endif

static int many_connections(prop_ctx *p, dx_reactor_backend_id b) {
    uint32_t limit = raise_nofile(), want = getenv("DX_NET_CONNECTIONS") ? (uint32_t)strtoul(getenv("DX_NET_CONNECTIONS"), NULL, 10) : 10000, w, nw;
    dx_net_server s;
    dx_net_server_config cfg = server_cfg(b, 2);
    int32_t status = -1;
    uint64_t t0, per_worker[2] = {0, 0}, requests = 0;
    long fds0;
    uint16_t port;
#if defined(_WIN32)
    int *fds = (int *)malloc(want * sizeof *fds);
    uint32_t opened = 0, i;
#else
    int to_child[2], from_child[2], wst = 0;
    pid_t pid;
    char go = 'x';
#endif
    BACKEND_OR_SKIP(p, b);
    if (limit < want + 200) PROP_SKIP(p, "RLIMIT_NOFILE's hard limit is %u: %u connections need %u fds per side", limit, want, want + 200);
    fds0 = fd_count();
#if !defined(_WIN32)
    PROP_CHECK(p, pipe(to_child) == 0 && pipe(from_child) == 0);
    fflush(stdout);
    pid = fork();
    PROP_CHECK(p, pid >= 0);
    if (pid == 0) {
        close(to_child[1]);
        close(from_child[0]);
        many_child(to_child[0], from_child[1], want);
    }
    close(to_child[0]);
    close(from_child[1]);
#endif
    /* per worker: SO_REUSEPORT spreads them by hash, not evenly; one worker (Windows) takes them all */
    cfg.max_connections = cfg.workers == 1 ? want + 100 : 7000;
    cfg.conn.max_payload = 1024;
    cfg.conn.max_inflight = 4;
    cfg.recv_size = 2048;
    cfg.backlog = 4096;
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    port = dx_net_server_port(&s);
    t0 = now_ns();
#if defined(_WIN32)
    /* one process: the server's worker thread serves, this thread is the clients */
    PROP_CHECK(p, fds != NULL);
    status = many_open(port, want, fds, &opened);
    if (status != 0)
        for (i = 0; i < opened; i++) close(fds[i]); /* the later tests need the handles */
#else
    PROP_CHECK(p, write(to_child[1], &port, sizeof port) == (ssize_t)sizeof port);
    PROP_CHECK(p, read(from_child[0], &status, sizeof status) == (ssize_t)sizeof status);
#endif
    PROP_CHECK_MSG(p, status == 0, "the clients' connections failed: %d (negative: connection -n-1 failed)", (int)status);
    PROP_CHECK(p, wait_open(&s, want));
    nw = dx_net_server_workers(&s);
    for (w = 0; w < nw; w++) {
        dx_net_counters cw;
        dx_net_server_counters(&s, w, &cw);
        if (w < 2) per_worker[w] = cw.open;
        requests += cw.requests;
    }
    printf("  connections %s: %u open at once (%u worker(s): %llu + %llu), HELLO + ECHO on each, %.0f ms\n",
           dx_reactor_backend_id_name(b), want, (unsigned)nw, (unsigned long long)per_worker[0],
           (unsigned long long)per_worker[1], (double)(now_ns() - t0) / 1e6);
    PROP_CHECK(p, requests == want);
#if defined(_WIN32)
    for (i = 0; i < opened; i++) close(fds[i]);
    free(fds);
#else
    PROP_CHECK(p, write(to_child[1], &go, 1) == 1);
    PROP_CHECK(p, waitpid(pid, &wst, 0) == pid && WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
#endif
    PROP_CHECK(p, wait_open(&s, 0));
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);
#if !defined(_WIN32)
    close(to_child[1]);
    close(from_child[0]);
#endif
    PROP_CHECK_MSG(p, fd_count() == fds0, "fds: %ld before, %ld after", fds0, fd_count());
    return 0;
}

/* ---- connect / HELLO / close cycles: no fd or memory leak ---- */

static int cycles(prop_ctx *p, dx_reactor_backend_id b) {
    uint32_t want = UNDER_ASAN ? 20000 : 100000, i;
    dx_net_server s;
    dx_net_server_config cfg = server_cfg(b, 2);
    const char *env = getenv("DX_NET_CYCLES");
    long fds0, fds1, rss0, rss1, rss_mid = 0;
    uint64_t t0;
    dx_net_counters ct;
    BACKEND_OR_SKIP(p, b);
    if (env) want = (uint32_t)strtoul(env, NULL, 10);
    fds0 = fd_count();
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    rss0 = rss_kib();
    t0 = now_ns();
    for (i = 0; i < want; i++) {
        int fd = raw_hello(dx_net_server_port(&s));
        PROP_CHECK_MSG(p, fd >= 0, "cycle %u: %d (%s)", i, fd, strerror(errno));
        close(fd);
        if (i == want / 10) rss_mid = rss_kib(); /* after the warm-up: every slot the cycles use was touched */
    }
    PROP_CHECK(p, wait_open(&s, 0));
    rss1 = rss_kib();
    ct = counters(&s);
    printf("  cycles %s: %u connect/HELLO/close%s in %.0f ms; accepted %llu, closed %llu, open %llu; RSS %+ld KiB "
           "after the first tenth, %+ld KiB in all\n",
           dx_reactor_backend_id_name(b), want, UNDER_ASAN ? " (fewer under ASan)" : "", (double)(now_ns() - t0) / 1e6,
           (unsigned long long)ct.accepted, (unsigned long long)ct.closed, (unsigned long long)ct.open, rss1 - rss_mid,
           rss1 - rss0);
    PROP_CHECK(p, ct.accepted == want && ct.closed == want && ct.open == 0 && ct.refused == 0);
    /* Over libkqueue under ASan, RSS also holds what ASan's allocator keeps of
       libkqueue's per-fd allocations: its quarantine (freed memory held back,
       up to 256 MiB; 10 MiB here after 20,000 cycles, 2.5 MiB without it) and
       its own bookkeeping. The -O2 build checks the bound (+64 KiB over
       100,000 cycles); LeakSanitizer checks for leaks here. */
    if (!(UNDER_ASAN && b == DX_REACTOR_BACKEND_KQUEUE))
        PROP_CHECK_MSG(p, rss1 - rss_mid < 1024, "RSS grew by %ld KiB after the warm-up", rss1 - rss_mid);
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);
    fds1 = fd_count();
    PROP_CHECK_MSG(p, fds1 == fds0, "fds: %ld before, %ld after", fds0, fds1);
    return 0;
}

/* ---- garbage from many clients at once ---- */

typedef struct garbage_arg {
    uint16_t port;
    uint64_t seed;
    uint32_t rounds, closed, answered_error;
    bool failed;
    int err, stage; /* the first failure: errno, and 1 connect, 2 not closed */
} garbage_arg;

static uint64_t xorshift(uint64_t *s) {
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static void *garbage_client(void *arg) {
    garbage_arg *g = (garbage_arg *)arg;
    uint8_t buf[8192], h[64];
    uint32_t round;
    for (round = 0; round < g->rounds; round++) {
        int fd = raw_connect(g->port);
        size_t len = 0, i, hl;
        uint8_t op;
        uint16_t code = 0;
        uint8_t pl[256];
        if (fd < 0) {
            g->failed = true;
            g->err = errno, g->stage = 1;
            return NULL;
        }
        switch (xorshift(&g->seed) % 3) {
        case 0: /* random bytes */
            len = xorshift(&g->seed) % sizeof buf;
            for (i = 0; i < len; i++) buf[i] = (uint8_t)xorshift(&g->seed);
            break;
        case 1: /* a valid session, mutated */
        case 2:
            hl = hello_bytes(h);
            memcpy(buf, h, hl);
            len = hl;
            for (i = 0; i < 20 && len + 80 < sizeof buf; i++) {
                uint8_t body[32];
                uint32_t bl = (uint32_t)(xorshift(&g->seed) % 32);
                memset(body, (int)i, bl);
                len += rpc_bytes(buf + len, sizeof buf - len, (uint16_t)(i + 1), (uint32_t)(xorshift(&g->seed) % 3), body, bl);
            }
            for (i = 0; i < 1 + xorshift(&g->seed) % 6; i++) buf[xorshift(&g->seed) % len] ^= (uint8_t)(1u << (xorshift(&g->seed) % 8));
            break;
        }
        send_all(fd, buf, len);
        shutdown(fd, SHUT_WR); /* done: the server answers what it can, then closes */
        while (raw_frame(fd, &op, &code, pl, sizeof pl))
            if (op == DX_HBTP_OP_ERROR && code != DX_HBTP_CODE_UNKNOWN_METHOD && code != DX_HBTP_CODE_BAD_REQUEST)
                g->answered_error++;
        if (raw_until_eof(fd)) g->closed++;
        else if (!g->failed) {
            g->failed = true, g->err = errno, g->stage = 2;
            if (getenv("DX_NET_DUMP")) {
                FILE *f = fopen(getenv("DX_NET_DUMP"), "wb");
                if (f) fwrite(buf, 1, len, f), fclose(f);
            }
        }
        close(fd);
    }
    return NULL;
}

static int garbage(prop_ctx *p, dx_reactor_backend_id b) {
    enum { T = 16 };
    dx_net_server s;
    dx_net_server_config cfg = server_cfg(b, 2);
    pthread_t th[T];
    garbage_arg g[T];
    dx_net_client_config cc;
    dx_net_client c;
    dx_reactor r;
    static tcall t[1000];
    calls k;
    uint32_t i, rounds = UNDER_ASAN ? 60 : 200, closed = 0, errors = 0;
    uint64_t seed = prop_u64(p) | 1, t0 = now_ns();
    dx_net_counters ct;
    BACKEND_OR_SKIP(p, b);
    cfg.conn.max_payload = 4096;
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    PROP_CHECK(p, open_loop(&r, b) == DX_OK);
    cc = client_cfg(dx_net_server_port(&s));
    PROP_CHECK(p, dx_net_client_create(&c, &r, &cc) == DX_OK);
    PROP_CHECK(p, run_until_state(&r, &c, DX_NET_CLIENT_OPEN));
    for (i = 0; i < T; i++) {
        memset(&g[i], 0, sizeof g[i]);
        g[i].port = dx_net_server_port(&s);
        g[i].seed = seed + i * 0x9e3779b97f4a7c15ull;
        g[i].rounds = rounds;
        PROP_CHECK(p, pthread_create(&th[i], NULL, garbage_client, &g[i]) == 0);
    }
    /* a well-behaved client meanwhile */
    memset(&k, 0, sizeof k);
    for (i = 0; i < 1000;) {
        int32_t rc;
        t[i].k = &k, t[i].seq = i, t[i].len = 4;
        memcpy(t[i].body, &i, 4);
        rc = dx_net_client_call(&c, 1, t[i].body, 4, on_echo, &t[i]);
        if (rc == DX_ERR_BUSY) {
            PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
            continue;
        }
        PROP_CHECK(p, rc > 0);
        i++;
    }
    PROP_CHECK(p, run_until(&r, &k.answered, 1000));
    for (i = 0; i < T; i++) {
        pthread_join(th[i], NULL);
        PROP_CHECK_MSG(p, !g[i].failed, "garbage client %u: %s: %s", i, g[i].stage == 1 ? "connect failed" : "not closed",
                       strerror(g[i].err));
        closed += g[i].closed;
        errors += g[i].answered_error;
    }
    PROP_CHECK(p, k.ok == 1000 && k.out_of_order == 0);
    PROP_CHECK(p, wait_open(&s, 1));
    ct = counters(&s);
    printf("  garbage %s: %u connections from %u threads (seed %llu): all closed by the server, %u fatal ERRORs "
           "seen, %llu protocol errors counted; the good client: 1000 of 1000; %.0f ms\n",
           dx_reactor_backend_id_name(b), closed, T, (unsigned long long)seed, errors,
           (unsigned long long)ct.err_protocol, (double)(now_ns() - t0) / 1e6);
    PROP_CHECK(p, closed == T * rounds && ct.err_protocol > 0);
    client_finish(&r, &c);
    dx_reactor_destroy(&r);
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);
    return 0;
}

/* ---- graceful stop with requests in flight; a second stop closes at once ---- */

static int graceful_stop(prop_ctx *p, dx_reactor_backend_id b) {
    enum { N = 64 };
    dx_net_server s;
    dx_net_server_config cfg = server_cfg(b, 2);
    dx_net_client_config cc;
    dx_net_client c;
    dx_reactor r;
    static tcall t[2 * N];
    calls k;
    uint32_t i;
    int raw;
    uint8_t op, pl[64];
    uint16_t code = 0;
    BACKEND_OR_SKIP(p, b);
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    PROP_CHECK(p, open_loop(&r, b) == DX_OK);
    cc = client_cfg(dx_net_server_port(&s));
    PROP_CHECK(p, dx_net_client_create(&c, &r, &cc) == DX_OK);
    PROP_CHECK(p, run_until_state(&r, &c, DX_NET_CLIENT_OPEN));
    memset(&k, 0, sizeof k);
    for (i = 0; i < N; i++) {
        t[i].k = &k, t[i].seq = i, t[i].len = 4;
        memcpy(t[i].body, &i, 4);
        PROP_CHECK(p, dx_net_client_call(&c, 1, t[i].body, 4, on_echo, &t[i]) > 0);
    }
    PROP_CHECK(p, run_until(&r, &k.answered, 1)); /* the rest are on the wire or in the server */
    dx_net_server_shutdown(&s);
    /* more calls while the GOAWAY travels: each is answered (ERROR "going away" once the server sent
       GOAWAY), or refused here once the client has it; none is lost */
    for (i = N; i < 2 * N; i++) {
        int32_t rc;
        t[i].k = &k, t[i].seq = i, t[i].len = 4;
        memcpy(t[i].body, &i, 4);
        rc = dx_net_client_call(&c, 1, t[i].body, 4, on_echo, &t[i]);
        if (rc == DX_ERR_BUSY) {
            PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
            i--;
            continue;
        }
        if (rc < 0) {
            PROP_CHECK_MSG(p, rc == DX_HBTP_ERR_GOAWAY || rc == DX_ERR_AGAIN, "%s", dx_hbtp_result_name(rc));
            break;
        }
    }
    PROP_CHECK(p, run_until(&r, &k.answered, i));
    PROP_CHECK_MSG(p, k.ok + k.remote == i && k.failed == 0 && k.out_of_order == 0,
                   "ok %u, ERROR %u, failed %u (%s)", k.ok, k.remote, k.failed, dx_result_name(k.first_fail));
    PROP_CHECK(p, run_until_state(&r, &c, DX_NET_CLIENT_CLOSED)); /* after GOAWAY and its answers */
    printf("  graceful stop %s: %u calls, %u of them made after the stop began: %u answered, %u refused with ERROR "
           "(sent after GOAWAY), %u refused by the client (GOAWAY received), 0 lost\n",
           dx_reactor_backend_id_name(b), i, i - N, k.ok, k.remote, 2 * N - i);
    PROP_CHECK(p, c.last_error == DX_HBTP_ERR_GOAWAY);
    client_finish(&r, &c);
    dx_reactor_destroy(&r);
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);

    /* a peer that never closes: GOAWAY, then the second stop closes it at once */
    cfg.stop_timeout_ns = DX_NET_NEVER;
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    raw = raw_hello(dx_net_server_port(&s));
    PROP_CHECK(p, raw >= 0);
    dx_net_server_shutdown(&s);
    PROP_CHECK(p, raw_frame(raw, &op, &code, pl, sizeof pl) && op == DX_HBTP_OP_GOAWAY);
    dx_net_server_shutdown(&s);
    PROP_CHECK(p, raw_until_eof(raw));
    close(raw);
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);
    return 0;
}

/* ---- max connections: refused cleanly, with ERROR and GOAWAY ---- */

static int max_connections(prop_ctx *p, dx_reactor_backend_id b) {
    dx_net_server s;
    dx_net_server_config cfg = server_cfg(b, 1);
    dx_net_client_config cc;
    dx_net_sync sy;
    dx_reactor_config lc = loop_cfg(b);
    int fds[4], extra;
    uint32_t i;
    uint8_t h[64], op, pl[64];
    uint16_t code = 0;
    dx_result rc;
    uint64_t end;
    BACKEND_OR_SKIP(p, b);
    cfg.max_connections = 4;
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    for (i = 0; i < 4; i++) PROP_CHECK(p, (fds[i] = raw_hello(dx_net_server_port(&s))) >= 0);
    extra = raw_connect(dx_net_server_port(&s));
    PROP_CHECK(p, extra >= 0);
    PROP_CHECK(p, send_all(extra, h, hello_bytes(h)));
    PROP_CHECK(p, raw_frame(extra, &op, &code, pl, sizeof pl) && op == DX_HBTP_OP_ERROR && code == DX_HBTP_CODE_RATE_LIMITED);
    PROP_CHECK(p, raw_frame(extra, &op, &code, pl, sizeof pl) && op == DX_HBTP_OP_GOAWAY && code == DX_HBTP_CODE_RATE_LIMITED);
    close(extra);
    cc = client_cfg(dx_net_server_port(&s));
    rc = dx_net_sync_open(&sy, &lc, &cc);
    PROP_CHECK_MSG(p, rc == DX_HBTP_ERR_REFUSED, "%s", dx_hbtp_result_name(rc));
    PROP_CHECK(p, counters(&s).refused == 2);
    close(fds[0]); /* room again, once the server saw it */
    end = now_ns() + WATCHDOG_NS;
    /* until then a try is refused; the refusal may also reach the client as a reset (the server closes with
       the unread HELLO in its socket: seen once under qemu), so any failure is tried again */
    while ((rc = dx_net_sync_open(&sy, &lc, &cc)) != DX_OK)
        PROP_CHECK_MSG(p, now_ns() < end, "still %s", dx_hbtp_result_name(rc));
    dx_net_sync_close(&sy);
    printf("  max connections %s: 4 served, the 5th refused with ERROR + GOAWAY RATE_LIMITED (%llu refusals)\n",
           dx_reactor_backend_id_name(b), (unsigned long long)counters(&s).refused);
    for (i = 1; i < 4; i++) close(fds[i]);
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);
    return 0;
}

/* ---- HELLO and idle timeouts (the server's timer; the test waits for the close) ---- */

static int timeouts(prop_ctx *p, dx_reactor_backend_id b) {
    dx_net_server s;
    dx_net_server_config cfg = server_cfg(b, 1);
    int a, c;
    uint64_t t0;
    dx_net_counters ct;
    BACKEND_OR_SKIP(p, b);
    cfg.hello_timeout_ns = 50000000;   /* 50 ms */
    cfg.idle_timeout_ns = 200000000;   /* 200 ms */
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    t0 = now_ns();
    a = raw_connect(dx_net_server_port(&s)); /* says nothing */
    c = raw_hello(dx_net_server_port(&s));  /* says HELLO, then nothing */
    PROP_CHECK(p, a >= 0 && c >= 0);
    if (!raw_until_eof(a)) {
        int e = errno;
        ct = counters(&s);
        PROP_FAIL(p, "the silent connection was not closed: %s after %.0f ms; accepted %llu, open %llu, HELLO timeouts %llu",
                  strerror(e), (double)(now_ns() - t0) / 1e6, (unsigned long long)ct.accepted, (unsigned long long)ct.open,
                  (unsigned long long)ct.timeout_hello);
    }
    PROP_CHECK(p, raw_until_eof(c));
    PROP_CHECK(p, now_ns() - t0 >= 200000000); /* never early */
    PROP_CHECK(p, wait_open(&s, 0));
    ct = counters(&s);
    PROP_CHECK(p, ct.timeout_hello == 1 && ct.timeout_idle == 1);
    close(a);
    close(c);
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);
    return 0;
}

/* ---- the blocking client ---- */

static int sync_client(prop_ctx *p, dx_reactor_backend_id b) {
    dx_net_server s;
    dx_net_server_config cfg = server_cfg(b, 1);
    dx_net_client_config cc;
    dx_net_sync sy;
    dx_reactor_config lc = loop_cfg(b);
    uint8_t out[16];
    size_t n = 0;
    BACKEND_OR_SKIP(p, b);
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    cc = client_cfg(dx_net_server_port(&s));
    PROP_CHECK(p, dx_net_sync_open(&sy, &lc, &cc) == DX_OK);
    PROP_CHECK(p, dx_net_sync_call(&sy, 1, "hello", 5, out, sizeof out, &n) == DX_OK && n == 5 && !memcmp(out, "hello", 5));
    PROP_CHECK(p, dx_net_sync_call(&sy, 1, "", 0, out, sizeof out, &n) == DX_OK && n == 0);
    PROP_CHECK(p, dx_net_sync_call(&sy, 1, "0123456789abcdefXYZ", 19, out, sizeof out, &n) == DX_ERR_NOSPACE && n == 19);
    PROP_CHECK(p, dx_net_sync_call(&sy, 3, "x", 1, out, sizeof out, &n) == DX_NET_ERR_REMOTE &&
                      sy.code == DX_HBTP_CODE_UNKNOWN_METHOD);
    {   /* a stop from a handler: refused, and the server serves on */
        int32_t rc = 0;
        g_stop_target = &s;
        PROP_CHECK(p, dx_net_sync_call(&sy, 4, "", 0, out, sizeof out, &n) == DX_OK && n == sizeof rc);
        memcpy(&rc, out, sizeof rc);
        g_stop_target = NULL;
        PROP_CHECK_MSG(p, rc == DX_ERR_MISUSE, "stop from a handler: %s", dx_hbtp_result_name(rc));
        PROP_CHECK(p, dx_reactor_workers_current(&s.group) == NULL); /* this thread is no worker */
        PROP_CHECK(p, dx_net_sync_call(&sy, 1, "again", 5, out, sizeof out, &n) == DX_OK && n == 5);
    }
    dx_net_sync_close(&sy);
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);
    /* nothing listens there any more: refused */
    PROP_CHECK(p, dx_net_sync_open(&sy, &lc, &cc) == DX_REACTOR_ERR_REFUSED);
    return 0;
}

/* ---- the client's timeouts: a server that stalls (its worker stopped in a handler) ---- */

static dx_reactor_action on_tick(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    (void)r, (void)op, (void)res;
    *(int *)user = 1;
    return DX_REACTOR_DISARM;
}

/* Runs r until *done, or until the watchdog: a timer on r itself, so that a loop with nothing else to do (a
   timeout that never comes) wakes too. True if done. */
static bool run_until_done(dx_reactor *r, const int *done) {
    dx_op wd, cancel;
    int fired = 0, canceled = 0;
    dx_op_timer(&wd, WATCHDOG_NS, 0);
    dx_reactor_submit(r, &wd, on_tick, &fired);
    while (!*done && !fired && dx_reactor_run(r, DX_REACTOR_RUN_ONCE) == DX_OK) {}
    if (!fired) { /* the timer lives on this stack: it is gone before returning */
        dx_op_cancel(&cancel, &wd);
        dx_reactor_submit(r, &cancel, on_tick, &canceled);
        while ((!fired || !canceled) && dx_reactor_run(r, DX_REACTOR_RUN_ONCE) == DX_OK) {}
    }
    return *done != 0;
}

typedef struct ended { int done; dx_result why; } ended;

static void on_reply_ended(dx_net_client *c, const dx_net_reply *r, void *user) {
    ended *e = (ended *)user;
    (void)c;
    if (r->final) e->why = r->result, e->done = 1;
}

static void on_state_ended(dx_net_client *c, dx_net_client_state st, dx_result why, void *user) {
    ended *e = (ended *)user;
    (void)c;
    if (st == DX_NET_CLIENT_CLOSED) e->why = why, e->done = 1;
}

static int client_timeouts(prop_ctx *p, dx_reactor_backend_id b) {
    dx_net_server s;
    dx_net_server_config cfg = server_cfg(b, 1);
    dx_net_client_config cc;
    dx_net_sync a;
    dx_net_client c;
    dx_reactor r;
    dx_reactor_config lc = loop_cfg(b);
    ended e;
    uint64_t t0;
    dx_result rc;
    BACKEND_OR_SKIP(p, b);
    stall_release(false);
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    cc = client_cfg(dx_net_server_port(&s));
    cc.reply_timeout_ns = 100000000; /* 100 ms */
    /* the reply watch starts at OPEN (dx_net.h 0.1.5; before, only once the connect timer ran out: hence a short
       one here, tried again where a loaded machine answers HELLO later than that) */
    cc.connect_timeout_ns = 100000000;
    t0 = now_ns();
    while ((rc = dx_net_sync_open(&a, &lc, &cc)) == DX_ERR_TIMEOUT && now_ns() - t0 < WATCHDOG_NS) {}
    PROP_CHECK_MSG(p, rc == DX_OK, "%s", dx_reactor_result_name(rc));
    /* idle past the reply timeout with no answer due: still open (no call is made here: an answer that takes
       longer than 100 ms on a loaded machine is not a failure) */
    {
        dx_op tick;
        int ticked = 0;
        dx_op_timer(&tick, 300000000, 0);
        dx_reactor_submit(&a.loop, &tick, on_tick, &ticked);
        PROP_CHECK(p, run_until_done(&a.loop, &ticked));
    }
    PROP_CHECK(p, a.client.state == DX_NET_CLIENT_OPEN);
    /* the server stops answering: the call ends with DX_ERR_TIMEOUT, never before the timeout */
    memset(&e, 0, sizeof e);
    t0 = now_ns();
    PROP_CHECK(p, dx_net_client_call(&a.client, 2, "", 0, on_reply_ended, &e) > 0);
    PROP_CHECK(p, run_until_done(&a.loop, &e.done));
    PROP_CHECK_MSG(p, e.why == DX_ERR_TIMEOUT, "%s", dx_reactor_result_name(e.why));
    PROP_CHECK(p, now_ns() - t0 >= 100000000);
    dx_net_sync_close(&a);
    /* a new connection: the kernel accepts it, HELLO is never answered: the connect timeout ends it */
    PROP_CHECK(p, open_loop(&r, b) == DX_OK);
    memset(&e, 0, sizeof e);
    cc.on_state = on_state_ended, cc.user = &e;
    PROP_CHECK(p, dx_net_client_create(&c, &r, &cc) == DX_OK);
    PROP_CHECK(p, run_until_done(&r, &e.done));
    PROP_CHECK_MSG(p, e.why == DX_ERR_TIMEOUT && c.connects == 1, "%s after %llu connects", dx_reactor_result_name(e.why),
                   (unsigned long long)c.connects);
    dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE);
    dx_net_client_destroy(&c);
    dx_reactor_destroy(&r);
    stall_release(true);
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);
    return 0;
}

/* ---- reconnect with backoff: the client comes back when the server does ---- */

static int reconnect(prop_ctx *p, dx_reactor_backend_id b) {
    dx_net_server s;
    dx_net_server_config cfg = server_cfg(b, 1);
    dx_net_client_config cc;
    dx_net_client c;
    dx_reactor r;
    uint16_t port;
    BACKEND_OR_SKIP(p, b);
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    port = dx_net_server_port(&s);
#if !defined(_WIN32)
    { /* a second server on the port in use is refused (its SO_REUSEPORT listeners joined the first's) */
        dx_net_server s2;
        dx_net_server_config cfg2 = server_cfg(b, 2);
        cfg2.port = port;
        PROP_CHECK(p, dx_net_server_start(&s2, &cfg2) == DX_REACTOR_ERR_ADDRINUSE);
    }
#endif
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK); /* the port is free again */
    PROP_CHECK(p, open_loop(&r, b) == DX_OK);
    cc = client_cfg(port);
    cc.reconnect = true;
    cc.backoff_min_ns = 1000000;
    cc.backoff_max_ns = 20000000;
    PROP_CHECK(p, dx_net_client_create(&c, &r, &cc) == DX_OK);
    PROP_CHECK(p, run_until_state(&r, &c, DX_NET_CLIENT_BACKOFF));
    PROP_CHECK(p, c.last_error == DX_REACTOR_ERR_REFUSED);
    PROP_CHECK(p, dx_net_client_call(&c, 1, "x", 1, NULL, NULL) == DX_ERR_AGAIN);
    cfg.port = port;
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    PROP_CHECK(p, run_until_state(&r, &c, DX_NET_CLIENT_OPEN));
    PROP_CHECK(p, c.connects == 1);
    client_finish(&r, &c);
    dx_reactor_destroy(&r);
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);
    return 0;
}

/* ---- max frame: a frame above conn.max_payload is refused on its header (ERROR TOO_LARGE, GOAWAY, close) ---- */

static int max_frame(prop_ctx *p, dx_reactor_backend_id b) {
    dx_net_server s;
    dx_net_server_config cfg = server_cfg(b, 1);
    uint8_t h[8], op, pl[64];
    uint16_t code = 0;
    int fd;
    BACKEND_OR_SKIP(p, b);
    cfg.conn.max_payload = 1024;
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    fd = raw_hello(dx_net_server_port(&s));
    PROP_CHECK(p, fd >= 0);
    dx_hbtp_encode_header(h, DX_HBTP_OP_RPC, 0, 1, 1025); /* the header alone: the body never comes */
    PROP_CHECK(p, send_all(fd, h, sizeof h));
    PROP_CHECK(p, raw_frame(fd, &op, &code, pl, sizeof pl) && op == DX_HBTP_OP_ERROR && code == DX_HBTP_CODE_TOO_LARGE);
    PROP_CHECK(p, raw_frame(fd, &op, &code, pl, sizeof pl) && op == DX_HBTP_OP_GOAWAY && code == DX_HBTP_CODE_TOO_LARGE);
    PROP_CHECK(p, raw_until_eof(fd));
    close(fd);
    PROP_CHECK(p, wait_open(&s, 0));
    PROP_CHECK(p, counters(&s).err_protocol == 1);
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);
    return 0;
}

/* ---- setup_worker: per-worker middleware state (a rate limiter with a frozen clock: no refill) ---- */

static dx_hbtp_ratelimit g_rl[4];
static uint32_t g_setup_calls, g_setup_mask;
static uint64_t frozen_clock(void *user) {
    (void)user;
    return 1000;
}
static void setup_rl(dx_net_worker *w, dx_hbtp_conn_config *conn, void *user) {
    dx_hbtp_ratelimit *rl = &g_rl[w->index];
    (void)user;
    memset(rl, 0, sizeof *rl);
    rl->now = frozen_clock;
    rl->rate = 1;
    rl->burst = 5;
    conn->middleware[0] = dx_hbtp_ratelimit_middleware(rl);
    conn->middleware_count = 1;
    w->user = rl;
    g_setup_calls++;
    g_setup_mask |= 1u << w->index;
}

static int worker_setup(prop_ctx *p, dx_reactor_backend_id b) {
    dx_net_server s;
    dx_net_server_config cfg = server_cfg(b, 2);
    dx_net_client_config cc;
    dx_net_client c;
    dx_reactor r;
    static tcall t[8];
    calls k;
    uint32_t i, nw;
    BACKEND_OR_SKIP(p, b);
    g_setup_calls = g_setup_mask = 0;
    cfg.setup_worker = setup_rl;
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    nw = dx_net_server_workers(&s); /* 2; 1 on Windows */
    PROP_CHECK(p, g_setup_calls == nw && g_setup_mask == (1u << nw) - 1 && s.workers[0].user == &g_rl[0] &&
                      (nw < 2 || s.workers[1].user == &g_rl[1]));
    PROP_CHECK(p, open_loop(&r, b) == DX_OK);
    cc = client_cfg(dx_net_server_port(&s));
    PROP_CHECK(p, dx_net_client_create(&c, &r, &cc) == DX_OK);
    memset(&k, 0, sizeof k);
    for (i = 0; i < 8; i++) {
        t[i].k = &k, t[i].seq = i, t[i].len = 1;
        t[i].body[0] = (uint8_t)i;
        PROP_CHECK(p, dx_net_client_call(&c, 1, t[i].body, 1, on_echo, &t[i]) > 0);
    }
    PROP_CHECK(p, run_until(&r, &k.answered, 8));
    PROP_CHECK_MSG(p, k.ok == 5 && k.remote == 3 && k.last_code == DX_HBTP_CODE_RATE_LIMITED && k.out_of_order == 0,
                   "ok %u, ERROR %u (code %u)", k.ok, k.remote, k.last_code);
    PROP_CHECK(p, g_rl[0].limited + g_rl[1].limited == 3); /* the connection's worker's limiter, alone */
    client_finish(&r, &c);
    dx_reactor_destroy(&r);
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);
    return 0;
}

/* ---- AF_UNIX: the same server and client over a socket file ---- */

static int unix_socket(prop_ctx *p, dx_reactor_backend_id b) {
    enum { N = 2000 };
    static tcall t[N];
    static uint8_t body[1u << 20];
    char path[96];
    dx_net_server s;
    dx_net_server_config cfg = server_cfg(b, 2);
    dx_net_client_config cc;
    dx_net_client c;
    dx_net_sync sy;
    dx_reactor_config lc = loop_cfg(b);
    dx_reactor r;
    calls k;
    up_result u;
    uint32_t i;
    uint8_t out[8];
    size_t n = 0;
    FILE *f;
    BACKEND_OR_SKIP(p, b);
#if defined(_WIN32)
    cfg.unix_path = "net_test.sock"; /* dx_reactor_unix_listen is POSIX-only: a clear refusal */
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_ERR_UNSUPPORTED);
    PROP_SKIP(p, "AF_UNIX: dx_reactor.h's unix_listen/connect are POSIX-only (start says DX_ERR_UNSUPPORTED: checked)");
#endif
    snprintf(path, sizeof path, "/tmp/dx_net_test_%d_%s.sock", (int)getpid(), dx_reactor_backend_id_name(b));
    f = fopen(path, "w"); /* a file that is not a socket is never replaced */
    PROP_CHECK(p, f != NULL);
    fclose(f);
    cfg.unix_path = path;
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_ERR_EXISTS);
    unlink(path);
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK); /* the stale socket file of the last run is replaced */
    PROP_CHECK(p, dx_net_server_port(&s) == 0);
    { /* a live one is not: a second server on the path is refused (it took the name from the first) */
        dx_net_server s2;
        PROP_CHECK(p, dx_net_server_start(&s2, &cfg) == DX_REACTOR_ERR_ADDRINUSE);
    }
    PROP_CHECK(p, open_loop(&r, b) == DX_OK);
    memset(&cc, 0, sizeof cc);
    cc.unix_path = path;
    PROP_CHECK(p, dx_net_client_create(&c, &r, &cc) == DX_OK);
    memset(&k, 0, sizeof k);
    for (i = 0; i < N;) {
        int32_t rc;
        t[i].k = &k, t[i].seq = i, t[i].len = 4;
        memcpy(t[i].body, &i, 4);
        rc = dx_net_client_call(&c, 1, t[i].body, 4, on_echo, &t[i]);
        if (rc == DX_ERR_BUSY || rc == DX_ERR_NOSPACE) {
            PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
            continue;
        }
        PROP_CHECK_MSG(p, rc > 0, "%s", dx_hbtp_result_name(rc));
        i++;
    }
    PROP_CHECK(p, run_until(&r, &k.answered, N));
    PROP_CHECK(p, k.ok == N && k.out_of_order == 0);
    prop_bytes_random(p, body, sizeof body);
    memset(&u, 0, sizeof u);
    PROP_CHECK(p, run_until_state(&r, &c, DX_NET_CLIENT_OPEN));
    PROP_CHECK(p, dx_net_client_upload(&c, body, sizeof body, on_upload, &u) == DX_OK);
    PROP_CHECK(p, run_until(&r, &u.done, 1));
    PROP_CHECK(p, u.result == DX_OK && u.bytes == sizeof body && u.hash == fnv(FNV0, body, sizeof body));
    client_finish(&r, &c);
    dx_reactor_destroy(&r);
    PROP_CHECK(p, dx_net_sync_open(&sy, &lc, &cc) == DX_OK);
    PROP_CHECK(p, dx_net_sync_call(&sy, 1, "unix", 4, out, sizeof out, &n) == DX_OK && n == 4 && !memcmp(out, "unix", 4));
    dx_net_sync_close(&sy);
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);
    unlink(path);
    PROP_CHECK(p, dx_net_sync_open(&sy, &lc, &cc) == DX_ERR_NOTFOUND);
    printf("  unix %s: %u pipelined calls and a 1 MiB upload over %s\n", dx_reactor_backend_id_name(b), N, path);
    return 0;
}

/* ---- an upload the server refuses on its first piece: the upload's callback runs once ---- */

/* STREAM_DATA: the first piece of a connection's upload fails (ERROR INTERNAL on its stream), later ones
   are taken without an answer */
static dx_result h_refuse_piece(dx_hbtp_request *req, void *user) {
    dx_net_conn *c = dx_net_conn_of(req->conn);
    (void)user;
    return c->scratch[0]++ == 0 ? DX_ERR_LIMIT : DX_OK;
}

static void on_upload_count(dx_net_client *c, const dx_net_reply *r, void *user) {
    up_result *u = (up_result *)user;
    (void)c;
    if (!r->final) return;
    if (u->done++ == 0) u->result = r->result;
}

static int upload_refused(prop_ctx *p, dx_reactor_backend_id b) {
    enum { SIZE = 32u << 20 };
    dx_hbtp_route routes[2];
    dx_hbtp_router rt;
    dx_net_server s;
    dx_net_server_config cfg = server_cfg(b, 1);
    dx_net_client_config cc;
    dx_net_client c;
    dx_reactor r;
    up_result u;
    calls k;
    tcall tc;
    uint8_t *body = (uint8_t *)calloc(1, SIZE);
    BACKEND_OR_SKIP(p, b);
    PROP_CHECK(p, body != NULL);
    dx_hbtp_router_init(&rt, routes, 2);
    dx_hbtp_router_method(&rt, 1, h_echo, NULL);
    dx_hbtp_router_opcode(&rt, DX_HBTP_OP_STREAM_DATA, h_refuse_piece, NULL);
    cfg.conn.router = &rt;
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    PROP_CHECK(p, open_loop(&r, b) == DX_OK);
    cc = client_cfg(dx_net_server_port(&s));
    cc.piece_size = 4096, cc.high_water = 4096; /* the ERROR comes long before the last piece is queued */
    PROP_CHECK(p, dx_net_client_create(&c, &r, &cc) == DX_OK);
    PROP_CHECK(p, run_until_state(&r, &c, DX_NET_CLIENT_OPEN));
    memset(&u, 0, sizeof u);
    PROP_CHECK(p, dx_net_client_upload(&c, body, SIZE, on_upload_count, &u) == DX_OK);
    PROP_CHECK(p, run_until(&r, &u.done, 1));
    PROP_CHECK_MSG(p, u.result == DX_NET_ERR_REMOTE, "%s", dx_hbtp_result_name(u.result));
    /* a call after it: answered on the same connection, and the upload's callback ran once (it ran a second
       time with DX_ERR_INVAL: the pieces left went on for the stream the ERROR had closed) */
    memset(&k, 0, sizeof k);
    tc.k = &k, tc.seq = 0, tc.len = 2;
    memcpy(tc.body, "ok", 2);
    PROP_CHECK(p, dx_net_client_call(&c, 1, tc.body, 2, on_echo, &tc) > 0);
    PROP_CHECK(p, run_until(&r, &k.answered, 1));
    PROP_CHECK_MSG(p, k.ok == 1, "the call: %s", dx_hbtp_result_name(k.first_fail));
    PROP_CHECK_MSG(p, u.done == 1, "the upload's callback ran %u times", u.done);
    PROP_CHECK(p, dx_net_client_upload(&c, body, 10, on_upload_count, &u) == DX_OK); /* the next upload may go */
    client_finish(&r, &c);
    dx_reactor_destroy(&r);
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);
    free(body);
    return 0;
}

/* ---- AF_UNIX: a server that accepts and never answers HELLO; the connect timeout ends it there too ---- */

static int unix_hello_timeout(prop_ctx *p, dx_reactor_backend_id b) {
    char path[96];
    int64_t lfd;
    dx_net_client_config cc;
    dx_net_client c;
    dx_reactor r;
    ended e;
    BACKEND_OR_SKIP(p, b);
#if defined(_WIN32)
    PROP_SKIP(p, "AF_UNIX: dx_reactor.h's unix_listen/connect are POSIX-only");
#endif
    snprintf(path, sizeof path, "/tmp/dx_net_test_hello_%d_%s.sock", (int)getpid(), dx_reactor_backend_id_name(b));
    lfd = dx_reactor_unix_listen(path, 4); /* the kernel completes the connect; nobody accepts or answers */
    PROP_CHECK(p, lfd >= 0);
    PROP_CHECK(p, open_loop(&r, b) == DX_OK);
    memset(&cc, 0, sizeof cc);
    memset(&e, 0, sizeof e);
    cc.unix_path = path;
    cc.connect_timeout_ns = 100000000; /* 100 ms */
    cc.on_state = on_state_ended, cc.user = &e;
    PROP_CHECK(p, dx_net_client_create(&c, &r, &cc) == DX_OK);
    PROP_CHECK(p, run_until_done(&r, &e.done)); /* it waited for ever: no timer was armed for AF_UNIX */
    PROP_CHECK_MSG(p, e.why == DX_ERR_TIMEOUT && c.connects == 1, "%s after %llu connects", dx_reactor_result_name(e.why),
                   (unsigned long long)c.connects);
    dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE);
    dx_net_client_destroy(&c);
    dx_reactor_destroy(&r);
    dx_reactor_fd_close(NULL, (uintptr_t)lfd);
    unlink(path);
    return 0;
}

/* ---- the reply timeout counts from the call, not from the connect timer (5 s by default) running out ---- */

static int reply_timeout_early(prop_ctx *p, dx_reactor_backend_id b) {
    dx_net_server s;
    dx_net_server_config cfg = server_cfg(b, 1);
    dx_net_client_config cc;
    dx_net_client c;
    dx_reactor r;
    ended e;
    BACKEND_OR_SKIP(p, b);
    stall_release(false);
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    PROP_CHECK(p, open_loop(&r, b) == DX_OK);
    cc = client_cfg(dx_net_server_port(&s));
    cc.reply_timeout_ns = 100000000;            /* 100 ms */
    cc.connect_timeout_ns = 2 * WATCHDOG_NS;    /* beyond the watchdog: the watch must not wait for it */
    PROP_CHECK(p, dx_net_client_create(&c, &r, &cc) == DX_OK);
    PROP_CHECK(p, run_until_state(&r, &c, DX_NET_CLIENT_OPEN));
    memset(&e, 0, sizeof e);
    PROP_CHECK(p, dx_net_client_call(&c, 2, "", 0, on_reply_ended, &e) > 0); /* the worker stalls in it */
    PROP_CHECK(p, run_until_done(&r, &e.done));
    PROP_CHECK_MSG(p, e.why == DX_ERR_TIMEOUT, "%s", dx_reactor_result_name(e.why));
    stall_release(true);
    client_finish(&r, &c);
    dx_reactor_destroy(&r);
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);
    return 0;
}

/* ---- dx_net_client_close from on_state when a connect begins (a client that gives up): it closes ---- */

static void on_state_close_at_connect(dx_net_client *c, dx_net_client_state st, dx_result why, void *user) {
    ended *e = (ended *)user;
    if (st == DX_NET_CLIENT_CONNECTING) dx_net_client_close(c);
    if (st == DX_NET_CLIENT_CLOSED) e->why = why, e->done = 1;
}

static int close_at_connect(prop_ctx *p, dx_reactor_backend_id b) {
    dx_net_server s;
    dx_net_server_config cfg = server_cfg(b, 1);
    dx_net_client_config cc;
    dx_net_client c;
    dx_reactor r;
    ended e;
    BACKEND_OR_SKIP(p, b);
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    PROP_CHECK(p, open_loop(&r, b) == DX_OK);
    cc = client_cfg(dx_net_server_port(&s));
    cc.reconnect = true;
    cc.on_state = on_state_close_at_connect, cc.user = &e;
    memset(&e, 0, sizeof e);
    PROP_CHECK(p, dx_net_client_create(&c, &r, &cc) == DX_OK);
    PROP_CHECK(p, run_until_done(&r, &e.done)); /* the close was lost: the connect went on, the client stayed OPEN */
    PROP_CHECK_MSG(p, e.why == DX_ERR_CANCELED, "%s", dx_reactor_result_name(e.why));
    PROP_CHECK(p, dx_net_client_call(&c, 1, "x", 1, NULL, NULL) == DX_ERR_CLOSED);
    dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE);
    PROP_CHECK(p, dx_net_client_state_of(&c) == DX_NET_CLIENT_CLOSED);
    dx_net_client_destroy(&c);
    dx_reactor_destroy(&r);
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);
    return 0;
}

/* ---- dx_net_sync_call after the loop's run failed mid-call: the next call gets its own answer ---- */

/* the loop's backend with a wait that fails once (as ENOMEM from epoll_wait would), then the real one */
static const dxi_reactor_vtable *g_real_vt;
static dxi_reactor_vtable g_failing_vt;
static dx_result failing_wait(dx_reactor *r, int64_t timeout_ns) {
    (void)timeout_ns;
    r->vt = g_real_vt;
    return DX_ERR_IO;
}

static int sync_run_error(prop_ctx *p, dx_reactor_backend_id b) {
    dx_net_server s;
    dx_net_server_config cfg = server_cfg(b, 1);
    dx_net_client_config cc;
    dx_net_sync sy;
    dx_reactor_config lc = loop_cfg(b);
    uint8_t out[16];
    size_t n = 0;
    dx_result rc;
    BACKEND_OR_SKIP(p, b);
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    cc = client_cfg(dx_net_server_port(&s));
    PROP_CHECK(p, dx_net_sync_open(&sy, &lc, &cc) == DX_OK);
    g_real_vt = sy.loop.vt;
    g_failing_vt = *g_real_vt;
    g_failing_vt.wait = failing_wait;
    sy.loop.vt = &g_failing_vt;
    memset(out, 0, sizeof out);
    rc = dx_net_sync_call(&sy, 1, "first", 5, out, sizeof out, &n);
    PROP_CHECK_MSG(p, rc == DX_ERR_IO, "%s", dx_hbtp_result_name(rc));
    /* the first call's answer comes first on the connection: it was taken as this call's ("first") */
    memset(out, 0, sizeof out);
    rc = dx_net_sync_call(&sy, 1, "second", 6, out, sizeof out, &n);
    PROP_CHECK_MSG(p, rc == DX_OK && n == 6 && !memcmp(out, "second", 6), "%s: %zu bytes \"%.*s\"", dx_hbtp_result_name(rc),
                   n, (int)(n < sizeof out ? n : sizeof out), (const char *)out);
    PROP_CHECK(p, dx_net_sync_call(&sy, 1, "third", 5, out, sizeof out, &n) == DX_OK && n == 5 && !memcmp(out, "third", 5));
    dx_net_sync_close(&sy);
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);
    return 0;
}

/* ---- graceful stop with input held back by backpressure: every request that arrived before it is answered ---- */

enum { HELD_OUT = 8192 }; /* the server's output buffer: two answers fill it to HELD_OUT - 20 */
static dx_net_server *g_shutdown_target;
static dx_result h_half_out(dx_hbtp_request *req, void *user) {
    static uint8_t body[HELD_OUT / 2 - 10 - 8 - 4]; /* a frame of HELD_OUT / 2 - 10 bytes */
    dx_net_conn *c = dx_net_conn_of(req->conn);
    (void)user;
    if (c->scratch[0]++ == 0) dx_net_server_shutdown(g_shutdown_target); /* done at the worker's next turn */
    return dx_hbtp_reply(req, body, sizeof body);
}

static int stop_held_input(prop_ctx *p, dx_reactor_backend_id b) {
    enum { N = 32 };
    dx_hbtp_route routes[2];
    dx_hbtp_router rt;
    dx_net_server s;
    dx_net_server_config cfg = server_cfg(b, 1);
    static uint8_t wire[64 + N * 32];
    uint8_t op, pl[64];
    uint16_t code = 0;
    size_t len;
    uint32_t i, ok = 0, refused = 0;
    int raw;
    BACKEND_OR_SKIP(p, b);
    dx_hbtp_router_init(&rt, routes, 2);
    dx_hbtp_router_method(&rt, 1, h_half_out, NULL);
    cfg.conn.router = &rt;
    cfg.conn.out_capacity = HELD_OUT;
    cfg.stop_timeout_ns = DX_NET_NEVER; /* a GOAWAY lost would leave the connection open: the watchdog ends it */
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    g_shutdown_target = &s;
    raw = raw_connect(dx_net_server_port(&s));
    PROP_CHECK(p, raw >= 0);
    /* HELLO and N requests in one send: one recv; the server feeds two, then waits for their send */
    len = hello_bytes(wire);
    for (i = 0; i < N; i++) len += rpc_bytes(wire + len, sizeof wire - len, (uint16_t)(1 + 2 * i), 1, "", 0);
    PROP_CHECK(p, send_all(raw, wire, len));
    PROP_CHECK(p, raw_frame(raw, &op, NULL, pl, sizeof pl) && op == DX_HBTP_OP_HELLO);
    for (i = 0; i < N; i++) {
        PROP_CHECK_MSG(p, raw_frame(raw, &op, &code, pl, sizeof pl), "frame %u: %u answered, %u refused", i, ok, refused);
        if (op == DX_HBTP_OP_RPC_RESPONSE) ok++;
        else if (op == DX_HBTP_OP_ERROR) refused++;
        else break;
    }
    PROP_CHECK_MSG(p, ok == N && refused == 0, "%u answered, %u refused (\"going away\"), then opcode 0x%02x", ok, refused, op);
    PROP_CHECK_MSG(p, raw_frame(raw, &op, &code, pl, sizeof pl) && op == DX_HBTP_OP_GOAWAY, "opcode 0x%02x", op);
    shutdown(raw, SHUT_WR);
    PROP_CHECK(p, raw_until_eof(raw));
    close(raw);
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);
    g_shutdown_target = NULL;
    return 0;
}

/* ---- accepts that fail for want of fds (EMFILE): the worker waits for its sweep, it does not spin ---- */

static int accept_emfile(prop_ctx *p, dx_reactor_backend_id b) {
#if defined(_WIN32)
    (void)b;
    PROP_SKIP(p, "EMFILE: a POSIX per-process fd limit");
#else
    enum { K = 50 };
    dx_net_server s;
    dx_net_server_config cfg = server_cfg(b, 1); /* the sweep every second (hello_timeout 10 s / 4, at most 1 s) */
    dx_net_client_config cc;
    dx_net_sync sy;
    dx_reactor_config lc = loop_cfg(b);
    struct sockaddr_in a;
    struct rlimit old, low;
    static int fill[4096];
    int nfill = 0, raw, probe, i, connected, calls_ok = 0;
    uint64_t end, failed_at_first, failed_after;
    uint8_t h[64], op, pl[64], out[8];
    size_t n;
    BACKEND_OR_SKIP(p, b);
    PROP_CHECK(p, dx_net_server_start(&s, &cfg) == DX_OK);
    cc = client_cfg(dx_net_server_port(&s));
    PROP_CHECK(p, dx_net_sync_open(&sy, &lc, &cc) == DX_OK); /* its calls need no new fd */
    raw = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);    /* made before the fds run out */
    PROP_CHECK(p, raw >= 0);
    /* no fd left for the process: the limit at the next free number, the holes below it filled */
    probe = dup(0);
    PROP_CHECK(p, probe >= 0 && getrlimit(RLIMIT_NOFILE, &old) == 0);
    low = old;
    low.rlim_cur = (rlim_t)probe;
    PROP_CHECK(p, setrlimit(RLIMIT_NOFILE, &low) == 0);
    while (nfill < (int)(sizeof fill / sizeof fill[0]) && (fill[nfill] = dup(0)) >= 0) nfill++;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(dx_net_server_port(&s));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected = connect(raw, (struct sockaddr *)&a, sizeof a) == 0; /* the kernel completes it; the accept fails */
    end = now_ns() + WATCHDOG_NS; /* io_uring: its multishot accept waits in the kernel, no failure comes back */
    while (counters(&s).err_accept == 0 && now_ns() < end && b != DX_REACTOR_BACKEND_IOURING) sched_yield();
    failed_at_first = counters(&s).err_accept;
    /* K answers from the same worker while the fds are out: a spinning accept fails at every turn of its loop */
    for (i = 0; i < K; i++) calls_ok += dx_net_sync_call(&sy, 1, "x", 1, out, sizeof out, &n) == DX_OK;
    failed_after = counters(&s).err_accept;
    while (nfill > 0) close(fill[--nfill]);
    close(probe);
    setrlimit(RLIMIT_NOFILE, &old);
    PROP_CHECK_MSG(p, connected && (failed_at_first >= 1 || b == DX_REACTOR_BACKEND_IOURING) && calls_ok == K, "connected %d, %llu failed accepts, %d calls answered",
                   connected, (unsigned long long)failed_at_first, calls_ok);
    PROP_CHECK_MSG(p, failed_after <= failed_at_first + 2, "%llu failed accepts during %d calls (a spin)",
                   (unsigned long long)(failed_after - failed_at_first), K);
    /* fds free again: the connection waiting in the backlog is taken at the next sweep and served */
    n = hello_bytes(h);
    PROP_CHECK(p, send_all(raw, h, n) && raw_frame(raw, &op, NULL, pl, sizeof pl) && op == DX_HBTP_OP_HELLO);
    printf("  accept_emfile %s: %llu failed accepts in all, %llu of them during %d calls\n", dx_reactor_backend_id_name(b),
           (unsigned long long)counters(&s).err_accept, (unsigned long long)(failed_after - failed_at_first), K);
    close(raw);
    dx_net_sync_close(&sy);
    PROP_CHECK(p, dx_net_server_stop(&s) == DX_OK);
    return 0;
#endif
}

/* ---- the connection ends in the turn its reply-watch timer fires: the client waits for its backoff ---- */

#if !defined(_WIN32) /* backoff_timer_race's only */
/* on_state(CLOSING): holds the loop until the clock passes the watch timer's deadline, so that the
   close's completion and the timer's expiry come in the same next turn (the close's callback first) */
static void on_state_hold_timer(dx_net_client *c, dx_net_client_state st, dx_result why, void *user) {
    uint64_t end = now_ns() + WATCHDOG_NS;
    (void)why;
    if (st == DX_NET_CLIENT_BACKOFF) *(int *)user = 1;
    if (st == DX_NET_CLIENT_CLOSING && c->timer_op.state != DX_OP_STATE_IDLE)
        while (now_ns() <= c->timer_op.priv.timer.deadline && now_ns() < end) sched_yield();
}
#endif

static int backoff_timer_race(prop_ctx *p, dx_reactor_backend_id b) {
#if defined(_WIN32)
    (void)b;
    PROP_SKIP(p, "the raw listener here is POSIX");
#else
    dx_net_client_config cc;
    dx_net_client c;
    dx_reactor r;
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    uint8_t h[128], pl[64];
    uint32_t len;
    int64_t n;
    int lfd, sfd, i, backoff = 0;
    uint64_t end = now_ns() + WATCHDOG_NS;
    BACKEND_OR_SKIP(p, b);
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0); /* the server: this test, by hand */
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    PROP_CHECK(p, lfd >= 0 && bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 4) == 0 &&
                      getsockname(lfd, (struct sockaddr *)&a, &al) == 0);
    PROP_CHECK(p, open_loop(&r, b) == DX_OK);
    cc = client_cfg(ntohs(a.sin_port));
    cc.reconnect = true;
    cc.backoff_min_ns = cc.backoff_max_ns = 2 * WATCHDOG_NS; /* no reconnect within the test */
    cc.connect_timeout_ns = 2 * WATCHDOG_NS;
    cc.reply_timeout_ns = 20000000; /* the watch timer, armed when OPEN */
    cc.on_state = on_state_hold_timer, cc.user = &backoff;
    PROP_CHECK(p, dx_net_client_create(&c, &r, &cc) == DX_OK);
    PROP_CHECK(p, run_until_state(&r, &c, DX_NET_CLIENT_CONNECTED));
    sfd = accept(lfd, NULL, NULL); /* the connect sits in the backlog */
    PROP_CHECK(p, sfd >= 0);
    while (c.bytes_out == 0 && now_ns() < end) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    PROP_CHECK(p, recv_all(sfd, h, 8) && h[0] == DX_HBTP_OP_HELLO && dx_load_u32le(h + 4) <= sizeof pl);
    len = dx_load_u32le(h + 4);
    PROP_CHECK(p, recv_all(sfd, pl, len));
    n = dx_hbtp_encode(h, sizeof h, DX_HBTP_OP_HELLO, DX_HBTP_FLAG_ACK, 0, pl, len); /* the client's own limits */
    PROP_CHECK(p, n > 0 && send_all(sfd, h, (size_t)n));
    PROP_CHECK(p, run_until_state(&r, &c, DX_NET_CLIENT_OPEN));
    while (!((c.flags & DXI_NETC_TIMER) && c.cancel_op.state == DX_OP_STATE_IDLE) && now_ns() < end) /* the watch timer */
        PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    close(sfd); /* the server goes: EOF */
    PROP_CHECK(p, run_until_done(&r, &backoff));
    for (i = 0; i < 8; i++) dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT); /* the old timer's and the cancel's turns */
    /* the watch timer's expiry was taken for the backoff's: the reconnect came at once (and the cancel meant
       for the watch timer then canceled the new connect timer) */
    PROP_CHECK_MSG(p, dx_net_client_state_of(&c) == DX_NET_CLIENT_BACKOFF && c.connects == 1, "state %d after %llu connects",
                   (int)dx_net_client_state_of(&c), (unsigned long long)c.connects);
    dx_net_client_close(&c);
    PROP_CHECK(p, run_until_state(&r, &c, DX_NET_CLIENT_CLOSED));
    dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE);
    dx_net_client_destroy(&c);
    dx_reactor_destroy(&r);
    close(lfd);
    return 0;
#endif
}

/* Built with DX_REACTOR_KQUEUE_LIBKQUEUE (make cross's kqueue target links
   libkqueue, a kqueue emulation on Linux), every scenario also runs on the
   kqueue backend: `net_test --filter=kqueue` runs only those. */
#ifdef DX_REACTOR_KQUEUE_LIBKQUEUE
#define PER_BACKEND_KQUEUE(fn) \
    static int fn##_kqueue(prop_ctx *p) { return fn(p, DX_REACTOR_BACKEND_KQUEUE); }
#define PER_BACKEND_KQUEUE_ENTRY(fn) , PROP_UNIT(fn##_kqueue)
#else
#define PER_BACKEND_KQUEUE(fn)
#define PER_BACKEND_KQUEUE_ENTRY(fn)
#endif
#if defined(_WIN32)
#define PER_BACKEND(fn) \
    static int fn##_iocp(prop_ctx *p) { return fn(p, DX_REACTOR_BACKEND_IOCP); }
#define PER_BACKEND_ENTRIES(fn) PROP_UNIT(fn##_iocp)
#else
#define PER_BACKEND(fn)                                                                        \
    static int fn##_io_uring(prop_ctx *p) { return fn(p, DX_REACTOR_BACKEND_IOURING); }         \
    static int fn##_epoll(prop_ctx *p) { return fn(p, DX_REACTOR_BACKEND_EPOLL); }              \
    static int fn##_poll(prop_ctx *p) { return fn(p, DX_REACTOR_BACKEND_POLL); }                \
    PER_BACKEND_KQUEUE(fn)
#define PER_BACKEND_ENTRIES(fn) \
    PROP_UNIT(fn##_io_uring), PROP_UNIT(fn##_epoll), PROP_UNIT(fn##_poll) PER_BACKEND_KQUEUE_ENTRY(fn)
#endif

PER_BACKEND(pipeline)
PER_BACKEND(uploads)
PER_BACKEND(never_reads)
PER_BACKEND(many_connections)
PER_BACKEND(cycles)
PER_BACKEND(garbage)
PER_BACKEND(graceful_stop)
PER_BACKEND(max_connections)
PER_BACKEND(timeouts)
PER_BACKEND(sync_client)
PER_BACKEND(client_timeouts)
PER_BACKEND(reconnect)
PER_BACKEND(unix_socket)
PER_BACKEND(max_frame)
PER_BACKEND(worker_setup)
PER_BACKEND(upload_refused)
PER_BACKEND(unix_hello_timeout)
PER_BACKEND(reply_timeout_early)
PER_BACKEND(close_at_connect)
PER_BACKEND(sync_run_error)
PER_BACKEND(stop_held_input)
PER_BACKEND(accept_emfile)
PER_BACKEND(backoff_timer_race)

static const prop_test tests[] = {
    PER_BACKEND_ENTRIES(pipeline),        PER_BACKEND_ENTRIES(uploads),       PER_BACKEND_ENTRIES(never_reads),
    PER_BACKEND_ENTRIES(many_connections), PER_BACKEND_ENTRIES(cycles),       PER_BACKEND_ENTRIES(garbage),
    PER_BACKEND_ENTRIES(graceful_stop),   PER_BACKEND_ENTRIES(max_connections), PER_BACKEND_ENTRIES(timeouts),
    PER_BACKEND_ENTRIES(sync_client),     PER_BACKEND_ENTRIES(client_timeouts), PER_BACKEND_ENTRIES(reconnect),     PER_BACKEND_ENTRIES(unix_socket), PER_BACKEND_ENTRIES(max_frame), PER_BACKEND_ENTRIES(worker_setup),
    PER_BACKEND_ENTRIES(upload_refused), PER_BACKEND_ENTRIES(unix_hello_timeout), PER_BACKEND_ENTRIES(reply_timeout_early),
    PER_BACKEND_ENTRIES(close_at_connect), PER_BACKEND_ENTRIES(sync_run_error), PER_BACKEND_ENTRIES(stop_held_input),
    PER_BACKEND_ENTRIES(accept_emfile), PER_BACKEND_ENTRIES(backoff_timer_race),
};

int main(int argc, char **argv) {
#if defined(_WIN32)
    WSADATA wsa;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) return 1; /* the raw test sockets; dx_reactor starts its own */
#endif
#ifdef DX_REACTOR_KQUEUE_LIBKQUEUE
    {
        /* many_connections forks. libkqueue's child-side fork cleanup closes, by
           number, the fds of kqueues it has not yet freed (its monitoring thread
           frees closed ones later): by then the child's pipes may own those
           numbers. Real kernels do not inherit kqueues at all; turn it off (the
           child closes every fd it does not need itself). */
        struct kevent kev, receipt;
        struct timespec zero = {0, 0};
        int kq = kqueue();
        if (kq >= 0) {
            EV_SET(&kev, 0, EVFILT_LIBKQUEUE, EV_ADD, NOTE_FORK_CLEANUP, 0, NULL);
            (void)kevent(kq, &kev, 1, &receipt, 1, &zero);
            close(kq);
        }
    }
#endif
#if !defined(_WIN32)
    signal(SIGPIPE, SIG_IGN);
#endif
    router_setup();
    return prop_main(argc, argv, tests, sizeof tests / sizeof tests[0]);
}
#endif
