/* reactor_test.c - dx_reactor.h conformance suite, run over every backend
   the machine offers (io_uring, epoll, poll; kqueue where it is built: the
   BSDs and macOS, or Linux over libkqueue in make cross; IOCP on Windows,
   run under Wine in make cross). A backend that does not work here skips
   its tests with the reason. Loopback only; every loop is bounded by a
   watchdog timer and a turn count. */
#define _GNU_SOURCE
#define DX_IMPLEMENTATION
#include "dx_reactor.h"
#include "prop.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#if defined(_WIN32)
/* Windows (mingw-w64 under wine in make cross): the POSIX calls the scenarios
   use, made of Win32 ones. fds are SOCKETs or HANDLEs (small values: an int
   holds them); pipes are overlapped named pipes, files overlapped, and a
   socket pair is a loopback TCP connection. */
#include <io.h>
#define SOCK_NONBLOCK 0
#define SHUT_WR SD_SEND
#define O_NONBLOCK 0
#define F_GETFD 1
#define F_SETFL 4
#define OS_ECONNRESET WSAECONNRESET
#define OS_ECONNREFUSED WSAECONNREFUSED
static int w_close(intptr_t fd) {
    if (closesocket((SOCKET)fd) == 0) return 0;
    return CloseHandle((HANDLE)fd) ? 0 : -1;
}
#define close(fd) w_close((intptr_t)(fd))
static int w_fcntl(intptr_t fd, int cmd, ...) {
    (void)fd, (void)cmd;
    return 0;
}
#define fcntl w_fcntl
#define setsockopt(s, l, o, v, n) setsockopt((SOCKET)(s), l, o, (const char *)(v), (int)(n))
#define send(s, b, n, f) send((SOCKET)(intptr_t)(s), (const char *)(b), (int)(n), f)
#define recv(s, b, n, f) recv((SOCKET)(intptr_t)(s), (char *)(b), (int)(n), f)
#define shutdown(s, h) shutdown((SOCKET)(intptr_t)(s), h)
#define socket(a, b, c) (int)socket(a, b, c)
#define accept(s, a, l) (int)accept((SOCKET)(intptr_t)(s), a, l)
#define connect(s, a, l) connect((SOCKET)(intptr_t)(s), a, (int)(l))
static int w_socketpair(int family, int type, int proto, int sv[2]) {
    uint16_t port;
    dx_reactor_addr a;
    int64_t l, c;
    SOCKET s;
    (void)family, (void)proto;
    if (dx_reactor_addr_make(&a, "127.0.0.1", 0) != DX_OK) return -1;
    if (type == SOCK_DGRAM) { /* two UDP sockets on loopback, each connected to the other */
        SOCKET u[2];
        struct sockaddr_in in[2];
        int k, len;
        for (k = 0; k < 2; k++) {
            u[k] = (socket)(AF_INET, SOCK_DGRAM, 0); /* not the int-returning macro */
            len = sizeof in[k];
            if (u[k] == INVALID_SOCKET || bind(u[k], (const struct sockaddr *)(const void *)a.storage, (int)a.len) != 0 ||
                getsockname(u[k], (struct sockaddr *)&in[k], &len) != 0)
                return -1;
        }
        if ((connect)(u[0], (struct sockaddr *)&in[1], sizeof in[1]) != 0 || (connect)(u[1], (struct sockaddr *)&in[0], sizeof in[0]) != 0) return -1;
        sv[0] = (int)u[0];
        sv[1] = (int)u[1];
        return 0;
    }
    l = dx_reactor_tcp_listen(&a, 1, 0);
    if (l < 0) return -1;
    port = (uint16_t)dx_reactor_tcp_local_port((uintptr_t)l);
    dx_reactor_addr_make(&a, "127.0.0.1", port);
    c = dx_reactor_tcp_socket(false);
    if (c < 0 || connect((SOCKET)c, (const struct sockaddr *)(const void *)a.storage, (int)a.len) != 0) return -1;
    s = (accept)((SOCKET)l, NULL, NULL); /* not the int-returning macro */
    closesocket((SOCKET)l);
    if (s == INVALID_SOCKET) return -1;
    sv[0] = (int)c;
    sv[1] = (int)s;
    return 0;
}
#define socketpair w_socketpair
static int w_pipe(int p[2]) {
    static volatile LONG n;
    char name[96];
    HANDLE rd, wr;
    snprintf(name, sizeof name, "\\\\.\\pipe\\dx_reactor_test_%lu_%ld", (unsigned long)GetCurrentProcessId(), (long)InterlockedIncrement(&n));
    rd = CreateNamedPipeA(name, PIPE_ACCESS_INBOUND | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE, PIPE_TYPE_BYTE | PIPE_WAIT, 1, 4096, 4096, 0, NULL);
    if (rd == INVALID_HANDLE_VALUE) return -1;
    wr = CreateFileA(name, GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
    if (wr == INVALID_HANDLE_VALUE) {
        CloseHandle(rd);
        return -1;
    }
    p[0] = (int)(intptr_t)rd;
    p[1] = (int)(intptr_t)wr;
    return 0;
}
#define pipe w_pipe
/* Blocking read/write on an overlapped handle (the event's low bit: no packet to a completion port). */
static long w_rw(int fd, void *buf, size_t n, int wr) {
    OVERLAPPED ov;
    DWORD got = 0;
    HANDLE ev = CreateEventW(NULL, TRUE, FALSE, NULL);
    BOOL ok;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = (HANDLE)((uintptr_t)ev | 1);
    ok = wr ? WriteFile((HANDLE)(intptr_t)fd, buf, (DWORD)n, NULL, &ov) : ReadFile((HANDLE)(intptr_t)fd, buf, (DWORD)n, NULL, &ov);
    if (!ok && GetLastError() == ERROR_IO_PENDING) {
        WaitForSingleObject(ev, INFINITE);
        ok = TRUE;
    }
    if (ok) ok = GetOverlappedResult((HANDLE)(intptr_t)fd, &ov, &got, FALSE);
    CloseHandle(ev);
    return ok ? (long)got : -1;
}
#define read(fd, b, n) w_rw(fd, b, n, 0)
#define write(fd, b, n) w_rw(fd, (void *)(b), n, 1)
static int w_mkstemp(char *path) { /* an overlapped temporary file, deleted when closed */
    char dir[MAX_PATH], name[MAX_PATH];
    HANDLE h;
    (void)path;
    if (!GetTempPathA(sizeof dir, dir) || !GetTempFileNameA(dir, "dxr", 0, name)) return -1;
    h = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                    FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE | FILE_FLAG_OVERLAPPED, NULL);
    return h == INVALID_HANDLE_VALUE ? -1 : (int)(intptr_t)h;
}
#define mkstemp w_mkstemp
#define unlink(path) ((void)(path))
static int w_open_null(void) {
    HANDLE h = CreateFileA("NUL", GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
    return h == INVALID_HANDLE_VALUE ? -1 : (int)(intptr_t)h;
}
#else
#define OS_ECONNRESET ECONNRESET
#define OS_ECONNREFUSED ECONNREFUSED
#include <dirent.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>
#endif
#if defined(__linux__) && defined(__GLIBC__) && defined(__x86_64__)
#define HAVE_SECCOMP_TEST 1
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#endif

#define WATCHDOG_NS 60000000000ull /* 60 s per scenario at most: a watchdog for hangs, never a speed limit */
#define MAX_TURNS 10000000
#define FAR_NS 3600000000000ull /* an hour: a timer that must not fire during a test */

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const char *skip_reason(dx_reactor_backend_id b, dx_result rc) {
    static char why[160];
#if defined(__TINYC__)
    if (b == DX_REACTOR_BACKEND_IOURING) {
        snprintf(why, sizeof why, "io_uring is not built with tcc (it needs the __atomic builtins)");
        return why;
    }
#endif
#if defined(_WIN32)
    if (b != DX_REACTOR_BACKEND_IOCP && b != DX_REACTOR_BACKEND_CUSTOM) {
        snprintf(why, sizeof why, "%s is not built on Windows (IOCP is the backend there)", dx_reactor_backend_id_name(b));
        return why;
    }
#endif
    snprintf(why, sizeof why, "%s backend unavailable here: %s", dx_reactor_backend_id_name(b), dx_reactor_result_name(rc));
    return why;
}

/* Opens a loop on exactly backend b; 0 on success, else the dx_result. */
static uint32_t g_cfg_flags; /* dx_reactor_config.flags for open_loop */
static dx_result open_loop(dx_reactor *r, dx_reactor_backend_id b) {
    dx_reactor_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.flags = g_cfg_flags;
    cfg.backends[0] = b;
    cfg.backend_count = 1;
    return dx_reactor_create(r, &cfg);
}

#define OPEN_OR_SKIP(p, r, b)                                                      \
    do {                                                                           \
        dx_result rc_ = open_loop((r), (b));                                       \
        if (rc_ != DX_OK) PROP_SKIP((p), "%s", skip_reason((b), rc_));             \
        PROP_CHECK((p), dx_reactor_backend(r) == (b));                             \
    } while (0)

/* ---- a watchdog: stops the loop and flags a failure if a scenario hangs ---- */

typedef struct watchdog {
    dx_op op;
    int fired;
} watchdog;

static dx_reactor_action on_watchdog(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    watchdog *w = (watchdog *)user;
    (void)op;
    if (res == 0) {
        w->fired = 1;
        dx_reactor_stop(r);
    }
    return DX_REACTOR_DISARM;
}
static void watchdog_start_ns(dx_reactor *r, watchdog *w, uint64_t ns) {
    w->fired = 0;
    dx_op_timer(&w->op, ns, 0);
    dx_reactor_submit(r, &w->op, on_watchdog, w);
}
static void watchdog_start(dx_reactor *r, watchdog *w) { watchdog_start_ns(r, w, WATCHDOG_NS); }
static dx_op watchdog_cancel_op;
static dx_reactor_action on_ignore(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    (void)r, (void)op, (void)res, (void)user;
    return DX_REACTOR_DISARM;
}
static void watchdog_stop(dx_reactor *r, watchdog *w) {
    if (w->op.state != DX_OP_STATE_IDLE) {
        dx_op_cancel(&watchdog_cancel_op, &w->op);
        dx_reactor_submit(r, &watchdog_cancel_op, on_ignore, NULL);
    }
}
/* watchdog_stop, then turns until the watchdog and its cancel are IDLE: for a
   watchdog in a frame that returns while the loop goes on. */
static void watchdog_stop_now(dx_reactor *r, watchdog *w) {
    int turns = 0;
    watchdog_stop(r, w);
    while ((w->op.state != DX_OP_STATE_IDLE || watchdog_cancel_op.state != DX_OP_STATE_IDLE) && turns++ < 200000) dx_reactor_run(r, DX_REACTOR_RUN_NOWAIT);
}

/* Runs until done, bounded; 0 when the loop drained without the watchdog. */
static int run_bounded(dx_reactor *r, watchdog *w) {
    int turns = 0;
    while (r->stats.active > 0 && turns++ < MAX_TURNS && !w->fired) {
        if (dx_reactor_run(r, DX_REACTOR_RUN_ONCE) != DX_OK) return -1;
    }
    return w->fired || r->stats.active > 0 ? -1 : 0;
}

static int listen_loopback(uint16_t *port) {
    dx_reactor_addr a;
    int64_t fd;
    if (dx_reactor_addr_make(&a, "127.0.0.1", 0) != DX_OK) return -1;
    fd = dx_reactor_tcp_listen(&a, 4096, 0);
    if (fd < 0) return -1;
    *port = (uint16_t)dx_reactor_tcp_local_port((uintptr_t)fd);
    return (int)fd;
}

#if defined(DX_REACTOR_KQUEUE_LIBKQUEUE)
/* libkqueue (the kqueue emulation make cross runs this suite over on Linux)
   frees a closed kqueue's own fds later, in its monitoring thread; this
   (exported, not in its header) waits for that. A kernel's kqueue is gone at close(). */
extern void libkqueue_drain_pending_close(void);
#endif
static int count_fds(void) {
#if defined(_WIN32)
    DWORD n = 0; /* sockets, files and pipes are handles */
    return GetProcessHandleCount(GetCurrentProcess(), &n) ? (int)n : -1;
#else
    int n = 0;
    DIR *d;
    struct dirent *e;
#if defined(DX_REACTOR_KQUEUE_LIBKQUEUE)
    libkqueue_drain_pending_close();
#endif
    d = opendir("/proc/self/fd");
    if (!d) return -1;
    while ((e = readdir(d)) != NULL) n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the DIR's own fd */
#endif
}

/* ---- echo: a server and many clients in one loop ---- */

#define ECHO_MAX_CONNS 64
#define ECHO_BUF 4096

typedef struct echo_world echo_world;
typedef struct echo_srv {
    echo_world *w;
    dx_op rop, sop, cop;
    int fd, used;
    uint8_t buf[ECHO_BUF];
    size_t len, off;
} echo_srv;
typedef struct echo_cli {
    echo_world *w;
    dx_op cop, sop[16], rop, clo;
    int fd, id, done, pipeline;
    size_t total, sent, queued, received;
    uint8_t sbuf[16][ECHO_BUF];
    uint8_t rbuf[ECHO_BUF];
    prop_ctx rng;
    int bad;
} echo_cli;
struct echo_world {
    dx_reactor *r;
    dx_op aop, acancel;
    int lfd;
    dx_reactor_addr addr;
    echo_srv srv[ECHO_MAX_CONNS];
    echo_cli cli[ECHO_MAX_CONNS];
    int nclients, finished, errors;
    watchdog wd;
    char err[256];
};

static uint8_t pattern(int id, size_t off) { return (uint8_t)((size_t)id * 131u + off * 7u + (off >> 8)); }

static dx_reactor_action srv_recv(dx_reactor *r, dx_op *op, int64_t res, void *user);
static dx_reactor_action srv_sent(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    echo_srv *s = (echo_srv *)user;
    if (res <= 0) {
        dx_op_close(&s->cop, (uintptr_t)s->fd);
        dx_reactor_submit(r, &s->cop, on_ignore, NULL);
        return DX_REACTOR_DISARM;
    }
    s->off += (size_t)res;
    if (s->off < s->len) {
        dx_op_send(op, (uintptr_t)s->fd, s->buf + s->off, s->len - s->off);
        return DX_REACTOR_REARM;
    }
    dx_op_recv(&s->rop, (uintptr_t)s->fd, s->buf, sizeof s->buf);
    dx_reactor_submit(r, &s->rop, srv_recv, s);
    return DX_REACTOR_DISARM;
}
static dx_reactor_action srv_recv(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    echo_srv *s = (echo_srv *)user;
    (void)op;
    if (res <= 0) { /* end of stream or error: close */
        dx_op_close(&s->cop, (uintptr_t)s->fd);
        dx_reactor_submit(r, &s->cop, on_ignore, NULL);
        return DX_REACTOR_DISARM;
    }
    s->len = (size_t)res;
    s->off = 0;
    dx_op_send(&s->sop, (uintptr_t)s->fd, s->buf, s->len);
    dx_reactor_submit(r, &s->sop, srv_sent, s);
    return DX_REACTOR_DISARM;
}
static dx_reactor_action srv_accept(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    echo_world *w = (echo_world *)user;
    int i;
    (void)op;
    if (res < 0) return res == DX_ERR_CANCELED ? DX_REACTOR_DISARM : DX_REACTOR_REARM;
    for (i = 0; i < ECHO_MAX_CONNS && w->srv[i].used; i++) {}
    if (i == ECHO_MAX_CONNS) {
        close((int)res);
        return DX_REACTOR_REARM;
    }
    w->srv[i].used = 1;
    w->srv[i].w = w;
    w->srv[i].fd = (int)res;
    dx_op_recv(&w->srv[i].rop, (uintptr_t)res, w->srv[i].buf, sizeof w->srv[i].buf);
    dx_reactor_submit(r, &w->srv[i].rop, srv_recv, &w->srv[i]);
    return DX_REACTOR_REARM;
}

static void echo_finish(echo_world *w) {
    if (++w->finished == w->nclients) {
        dx_op_cancel(&w->acancel, &w->aop);
        dx_reactor_submit(w->r, &w->acancel, on_ignore, NULL);
        watchdog_stop(w->r, &w->wd);
    }
}
static void cli_fail(echo_cli *c, const char *what, int64_t res) {
    if (!c->w->errors++)
        snprintf(c->w->err, sizeof c->w->err, "client %d: %s (res %lld %s, received %lu of %lu)", c->id, what, (long long)res,
                 dx_reactor_result_name((dx_result)(res < 0 ? res : 0)), (unsigned long)c->received, (unsigned long)c->total);
}

static dx_reactor_action cli_sent(dx_reactor *r, dx_op *op, int64_t res, void *user);
/* Queues up to c->pipeline sends of random sizes. */
static void cli_send_more(dx_reactor *r, echo_cli *c) {
    int k;
    for (k = 0; k < c->pipeline && c->queued < c->total; k++) {
        dx_op *op = &c->sop[k];
        size_t n, i;
        if (op->state != DX_OP_STATE_IDLE) continue;
        n = (size_t)prop_range(&c->rng, 1, ECHO_BUF);
        if (n > c->total - c->queued) n = c->total - c->queued;
        for (i = 0; i < n; i++) c->sbuf[k][i] = pattern(c->id, c->queued + i);
        dx_op_send(op, (uintptr_t)c->fd, c->sbuf[k], n);
        c->queued += n;
        dx_reactor_submit(r, op, cli_sent, c);
    }
}
static dx_reactor_action cli_sent(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    echo_cli *c = (echo_cli *)user;
    if (res <= 0) {
        cli_fail(c, "send failed", res);
        return DX_REACTOR_DISARM;
    }
    c->sent += (size_t)res;
    if ((size_t)res < op->len) { /* partial: the rest of this buffer, before anything else */
        dx_op_send(op, op->fd, (uint8_t *)op->buf + res, op->len - (size_t)res);
        return DX_REACTOR_REARM;
    }
    if (c->pipeline == 1) cli_send_more(r, c);
    else if (c->queued < c->total) { /* pipelined: refill only when every buffer is free, to keep order simple */
        int k, busy = 0;
        for (k = 0; k < c->pipeline; k++) busy |= c->sop[k].state != DX_OP_STATE_IDLE && &c->sop[k] != op;
        if (!busy) cli_send_more(r, c);
    }
    return DX_REACTOR_DISARM;
}
static dx_reactor_action cli_closed(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    echo_cli *c = (echo_cli *)user;
    (void)r, (void)op;
    if (res != 0) cli_fail(c, "close failed", res);
    echo_finish(c->w);
    return DX_REACTOR_DISARM;
}
static dx_reactor_action cli_recv(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    echo_cli *c = (echo_cli *)user;
    size_t i;
    if (res <= 0) {
        cli_fail(c, res == 0 ? "early end of stream" : "recv failed", res);
        dx_op_close(&c->clo, (uintptr_t)c->fd);
        dx_reactor_submit(r, &c->clo, cli_closed, c);
        return DX_REACTOR_DISARM;
    }
    for (i = 0; i < (size_t)res; i++)
        if (c->rbuf[i] != pattern(c->id, c->received + i)) {
            cli_fail(c, "wrong byte", (int64_t)(c->received + i));
            break;
        }
    c->received += (size_t)res;
    if (c->received >= c->total) {
        dx_op_close(&c->clo, (uintptr_t)c->fd);
        dx_reactor_submit(r, &c->clo, cli_closed, c);
        return DX_REACTOR_DISARM;
    }
    dx_op_recv(op, (uintptr_t)c->fd, c->rbuf, (size_t)prop_range(&c->rng, 1, ECHO_BUF)); /* random read split */
    return DX_REACTOR_REARM;
}
static dx_reactor_action cli_connected(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    echo_cli *c = (echo_cli *)user;
    (void)op;
    if (res != 0) {
        cli_fail(c, "connect failed", res);
        dx_op_close(&c->clo, (uintptr_t)c->fd);
        dx_reactor_submit(r, &c->clo, cli_closed, c);
        return DX_REACTOR_DISARM;
    }
    dx_op_recv(&c->rop, (uintptr_t)c->fd, c->rbuf, (size_t)prop_range(&c->rng, 1, ECHO_BUF));
    dx_reactor_submit(r, &c->rop, cli_recv, c);
    cli_send_more(r, c);
    return DX_REACTOR_DISARM;
}

/* Echo over nconn connections, each with total bytes in random pieces. */
static int echo_scenario(prop_ctx *p, dx_reactor_backend_id b, int nconn, int pipeline, size_t max_total) {
    static echo_world w; /* large: not on the stack */
    dx_reactor r;
    uint16_t port;
    int i;
    size_t grand = 0;
    OPEN_OR_SKIP(p, &r, b);
    memset(&w, 0, sizeof w);
    w.r = &r;
    w.lfd = listen_loopback(&port);
    PROP_CHECK(p, w.lfd >= 0);
    PROP_CHECK(p, dx_reactor_addr_make(&w.addr, "127.0.0.1", port) == DX_OK);
    watchdog_start(&r, &w.wd);
    dx_op_accept(&w.aop, (uintptr_t)w.lfd, NULL, 0);
    PROP_CHECK(p, dx_reactor_submit(&r, &w.aop, srv_accept, &w) == DX_OK);
    w.nclients = nconn;
    for (i = 0; i < nconn; i++) {
        echo_cli *c = &w.cli[i];
        int64_t fd = dx_reactor_tcp_socket(false);
        PROP_CHECK(p, fd >= 0);
        c->w = &w;
        c->id = i;
        c->fd = (int)fd;
        c->pipeline = pipeline;
        prop_ctx_init(&c->rng, prop_u64(p), (size_t)-1);
        c->total = (size_t)prop_range(p, 1, max_total);
        grand += c->total;
        dx_op_connect(&c->cop, (uintptr_t)fd, &w.addr);
        PROP_CHECK(p, dx_reactor_submit(&r, &c->cop, cli_connected, c) == DX_OK);
    }
    prop_note(p, "backend %s, %d connections, pipeline %d, %lu bytes", dx_reactor_backend_name(&r), nconn, pipeline, (unsigned long)grand);
    PROP_CHECK_MSG(p, run_bounded(&r, &w.wd) == 0, "loop did not drain (watchdog %d, active %lu, finished %d)", w.wd.fired,
                   (unsigned long)r.stats.active, w.finished);
    PROP_CHECK_MSG(p, w.errors == 0, "%s", w.err);
    PROP_CHECK(p, w.finished == nconn);
    for (i = 0; i < nconn; i++) PROP_CHECK(p, w.cli[i].received == w.cli[i].total);
    close(w.lfd);
    dx_reactor_destroy(&r);
    return 0;
}

static int echo_random(prop_ctx *p, dx_reactor_backend_id b) { return echo_scenario(p, b, 32, 1, 200000); }
static int echo_pipelined(prop_ctx *p, dx_reactor_backend_id b) { return echo_scenario(p, b, 8, 16, 400000); }

/* ---- timers: in order, never early ---- */

/* A relative timer's deadline is its start plus ns, and it starts in the
   loop's next turn: the test knows it only within [lo, hi] (the clock before
   the submit, and after the turn that started it). Absolute ones are exact.
   Asserted: none fires before lo (never early), and none fires before one
   whose deadline is surely earlier (hi < lo). Nothing about how late. */
typedef struct timer_ctx {
    uint64_t lo[64], hi[64];
    int order[64], n;
    int early;
} timer_ctx;
static dx_op timer_ops[64];
static dx_reactor_action on_timer(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    timer_ctx *t = (timer_ctx *)user;
    int id = (int)(op - timer_ops);
    (void)r;
    if (res != 0) t->early = 1000;
    if (now_ns() < t->lo[id]) t->early++;
    t->order[t->n++] = id;
    return DX_REACTOR_DISARM;
}
static int timers_in_order(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    dx_op *ops = timer_ops;
    timer_ctx t;
    watchdog wd;
    int i, j, rel[64];
    uint64_t base, started;
    OPEN_OR_SKIP(p, &r, b);
    memset(&t, 0, sizeof t);
    watchdog_start(&r, &wd);
    base = now_ns();
    for (i = 0; i < 64; i++) {
        uint64_t d = prop_range(p, 0, 30) * 1000000u / 2; /* 0..15 ms in 0.5 ms steps: ties happen */
        rel[i] = i % 3 != 0;
        if (!rel[i]) {
            dx_op_timer(&ops[i], dx_reactor_now(&r) + d, DX_OP_FLAG_TIMER_ABS);
            t.lo[i] = t.hi[i] = dx_reactor_now(&r) + d;
        } else {
            dx_op_timer(&ops[i], d, 0);
            t.lo[i] = base + d;
            t.hi[i] = d; /* + the start, below */
        }
        dx_reactor_submit(&r, &ops[i], on_timer, &t);
    }
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK); /* starts them all (some may fire) */
    started = now_ns();
    for (i = 0; i < 64; i++)
        if (rel[i]) t.hi[i] += started;
    i = 0;
    while (t.n < 64 && i++ < 100000 && !wd.fired) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    watchdog_stop(&r, &wd);
    PROP_CHECK(p, run_bounded(&r, &wd) == 0);
    PROP_CHECK(p, t.n == 64);
    PROP_CHECK_MSG(p, t.early == 0, "%d timers fired early", t.early);
    for (i = 0; i < 64; i++)
        for (j = i + 1; j < 64; j++) {
            int x = t.order[i], y = t.order[j]; /* x fired first */
            PROP_CHECK_MSG(p, t.lo[x] <= t.hi[y], "timer %d (deadline >= %llu) fired before %d (deadline <= %llu)", x,
                           (unsigned long long)t.lo[x], y, (unsigned long long)t.hi[y]);
            if (!rel[x] && !rel[y] && t.lo[x] == t.lo[y]) PROP_CHECK_MSG(p, x < y, "equal deadlines out of submit order: %d before %d", x, y);
        }
    dx_reactor_destroy(&r);
    return 0;
}

/* many timers in random order, a third of them canceled: the heap keeps order and ties */
static dx_op heap_ops[1000], heap_cancels[1000];
static int heap_fired[1000], heap_nfired, heap_bad;
static uint64_t heap_deadline[1000];
static dx_reactor_action on_heap_timer(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    int id = (int)(op - heap_ops);
    (void)r, (void)user;
    if (res == 0) {
        if (heap_nfired > 0) {
            int prev = heap_fired[heap_nfired - 1];
            if (heap_deadline[prev] > heap_deadline[id] || (heap_deadline[prev] == heap_deadline[id] && prev > id)) heap_bad++;
        }
        if (now_ns() < heap_deadline[id]) heap_bad++;
        heap_fired[heap_nfired++] = id;
    } else if (res != DX_ERR_CANCELED) {
        heap_bad++;
    }
    return DX_REACTOR_DISARM;
}
static int timers_heap(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    int i, canceled = 0;
    uint64_t base;
    OPEN_OR_SKIP(p, &r, b);
    heap_nfired = heap_bad = 0;
    base = dx_reactor_now(&r) + 1000000;
    for (i = 0; i < 1000; i++) { /* absolute deadlines, few distinct values: many ties, submitted in id order */
        heap_deadline[i] = base + prop_range(p, 0, 20) * 100000u;
        dx_op_timer(&heap_ops[i], heap_deadline[i], DX_OP_FLAG_TIMER_ABS);
        dx_reactor_submit(&r, &heap_ops[i], on_heap_timer, NULL);
    }
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    for (i = 0; i < 1000; i++)
        if (prop_range(p, 0, 2) == 0 && heap_ops[i].state == DX_OP_STATE_ACTIVE) {
            dx_op_cancel(&heap_cancels[i], &heap_ops[i]);
            dx_reactor_submit(&r, &heap_cancels[i], on_ignore, NULL);
            canceled++;
        }
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE) == DX_OK);
    PROP_CHECK_MSG(p, heap_bad == 0, "%d timers out of order, early, or with a wrong result", heap_bad);
    PROP_CHECK_MSG(p, heap_nfired + canceled == 1000, "fired %d + canceled %d", heap_nfired, canceled);
    dx_reactor_destroy(&r);
    return 0;
}

/* ---- cancel ---- */

typedef struct result_box {
    int64_t res[8];
    int n[8];
    int seq, order[8];
} result_box;
/* which slot of the box an op reports to (ops are reused with other slots) */
static struct { dx_op *op; int k; } rec_map[128];
static int rec_slot(dx_op *op) {
    int i;
    for (i = 0; i < 128; i++)
        if (rec_map[i].op == op) return rec_map[i].k;
    return 7;
}
static dx_reactor_action on_record(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    result_box *b = (result_box *)user;
    int k = rec_slot(op);
    (void)r;
    b->res[k] = res;
    b->n[k]++;
    b->order[k] = b->seq++;
    return DX_REACTOR_DISARM;
}
static dx_result submit_rec(dx_reactor *r, dx_op *op, result_box *box, int k) {
    int i, free_i = -1;
    for (i = 0; i < 128; i++) {
        if (rec_map[i].op == op) break;
        if (!rec_map[i].op && free_i < 0) free_i = i;
    }
    if (i == 128) i = free_i;
    rec_map[i].op = op;
    rec_map[i].k = k;
    return dx_reactor_submit(r, op, on_record, box);
}

static int cancel_ops(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    dx_op timer, t2, recv_op, c1, c2, c3, c4;
    result_box box;
    watchdog wd;
    int sv[2];
    char buf[16];
    OPEN_OR_SKIP(p, &r, b);
    memset(&box, 0, sizeof box);
    PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
    watchdog_start(&r, &wd);
    /* a pending timer and a pending recv (in the kernel on io_uring) */
    dx_op_timer(&timer, FAR_NS, 0);
    submit_rec(&r, &timer, &box, 0);
    dx_op_recv(&recv_op, (uintptr_t)sv[0], buf, sizeof buf);
    submit_rec(&r, &recv_op, &box, 1);
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    PROP_CHECK_MSG(p, timer.state == DX_OP_STATE_ACTIVE && recv_op.state == DX_OP_STATE_ACTIVE, "states %d %d res %lld %lld", timer.state, recv_op.state, (long long)box.res[0], (long long)box.res[1]);
    dx_op_cancel(&c1, &timer);
    submit_rec(&r, &c1, &box, 2);
    dx_op_cancel(&c2, &recv_op);
    submit_rec(&r, &c2, &box, 3);
    while (box.n[3] == 0 || box.n[1] == 0) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK && !wd.fired);
    PROP_CHECK_MSG(p, box.res[0] == DX_ERR_CANCELED, "timer: %lld", (long long)box.res[0]);
    PROP_CHECK(p, box.res[2] == 0);
    PROP_CHECK_MSG(p, box.res[1] == DX_ERR_CANCELED, "recv: %lld", (long long)box.res[1]);
    PROP_CHECK_MSG(p, box.res[3] == 0, "cancel of recv: %lld", (long long)box.res[3]);
    PROP_CHECK(p, box.order[0] < box.order[2] && box.order[1] < box.order[3]); /* target first */
    /* canceling a finished op: not found */
    dx_op_cancel(&c3, &timer);
    submit_rec(&r, &c3, &box, 4);
    /* canceling a queued (not started) op */
    dx_op_timer(&t2, 1000, 0);
    submit_rec(&r, &t2, &box, 5);
    dx_op_cancel(&c4, &t2);
    submit_rec(&r, &c4, &box, 6);
    watchdog_stop(&r, &wd);
    PROP_CHECK(p, run_bounded(&r, &wd) == 0);
    PROP_CHECK_MSG(p, box.res[4] == DX_ERR_NOTFOUND, "cancel of finished: %lld", (long long)box.res[4]);
    PROP_CHECK(p, box.res[5] == DX_ERR_CANCELED && box.res[6] == 0);
    dx_op_timer(&timer, 1000, 0);
    PROP_CHECK(p, dx_reactor_submit(&r, &timer, on_ignore, NULL) == DX_OK);
    PROP_CHECK(p, dx_reactor_submit(&r, &timer, on_ignore, NULL) == DX_ERR_MISUSE); /* not IDLE */
    PROP_CHECK(p, run_bounded(&r, &wd) == 0);
    close(sv[0]);
    close(sv[1]);
    dx_reactor_destroy(&r);
    return 0;
}

/* ---- close with operations pending ---- */

static int close_pending(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    dx_op rd, wr, cl;
    result_box box;
    watchdog wd;
    int sv[2], before = count_fds();
    char buf[16];
    static char big[1 << 20];
    OPEN_OR_SKIP(p, &r, b);
    memset(&box, 0, sizeof box);
    PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
    watchdog_start(&r, &wd);
    dx_op_recv(&rd, (uintptr_t)sv[0], buf, sizeof buf);
    submit_rec(&r, &rd, &box, 0);
    dx_op_send(&wr, (uintptr_t)sv[0], big, sizeof big); /* more than the socket buffer: stays pending */
    submit_rec(&r, &wr, &box, 1);
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    dx_op_close(&cl, (uintptr_t)sv[0]);
    submit_rec(&r, &cl, &box, 2);
    watchdog_stop(&r, &wd);
    PROP_CHECK(p, run_bounded(&r, &wd) == 0);
    PROP_CHECK_MSG(p, box.res[0] == DX_ERR_CANCELED, "recv: %lld", (long long)box.res[0]);
    /* IOCP: Winsock may take a whole overlapped send at once (it locks the pages instead of copying into the socket buffer) */
    PROP_CHECK_MSG(p, box.res[1] == DX_ERR_CANCELED || (box.res[1] > 0 && box.res[1] < (int64_t)sizeof big) ||
                          (b == DX_REACTOR_BACKEND_IOCP && box.res[1] == (int64_t)sizeof big), "send: %lld", (long long)box.res[1]);
    PROP_CHECK_MSG(p, box.res[2] == 0, "close: %lld", (long long)box.res[2]);
    /* the close's callback comes last, so it may free the connection that holds the other ops */
    PROP_CHECK_MSG(p, box.order[2] > box.order[0] && box.order[2] > box.order[1], "callback order: recv %d, send %d, close %d", box.order[0],
                   box.order[1], box.order[2]);
#if defined(_WIN32)
    {
        int type = 0, len = sizeof type;
        PROP_CHECK(p, getsockopt((SOCKET)sv[0], SOL_SOCKET, SO_TYPE, (char *)&type, &len) != 0);
    }
#else
    PROP_CHECK(p, fcntl(sv[0], F_GETFD) == -1 && errno == EBADF);
#endif
    close(sv[1]);
    /* the synchronous dx_reactor_fd_close: a pending recv completes with CANCELED too */
    memset(&box, 0, sizeof box);
    PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
    watchdog_start(&r, &wd);
    dx_op_recv(&rd, (uintptr_t)sv[0], buf, sizeof buf);
    submit_rec(&r, &rd, &box, 0);
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK && box.n[0] == 0);
    PROP_CHECK(p, dx_reactor_fd_close(&r, (uintptr_t)sv[0]) == DX_OK);
    watchdog_stop(&r, &wd);
    PROP_CHECK(p, run_bounded(&r, &wd) == 0);
    PROP_CHECK_MSG(p, box.n[0] == 1 && box.res[0] == DX_ERR_CANCELED, "recv after fd_close: %lld", (long long)box.res[0]);
    close(sv[1]);
    dx_reactor_destroy(&r);
    PROP_CHECK(p, count_fds() == before);
    return 0;
}

/* ---- wake from another thread ---- */

/* The waker starts once the loop's first turn ran (a zero timer's callback
   lets it go), so its wake usually meets a loop blocked in its wait; it says
   that it woke before it wakes: the wake-wait must complete after that,
   however fast or slow either thread is. No sleep. */
typedef struct wake_ctx {
    dx_reactor *r;
    int go[2];      /* a pipe: the loop's first callback lets the waker go */
    pthread_mutex_t mu;
    int woken;      /* set (under mu: tcc has no atomics) by the waker just before dx_reactor_wake */
    int calls, bad; /* wake-wait callbacks; ones that came before the wake, or failed */
} wake_ctx;
static void *waker(void *arg) {
    wake_ctx *c = (wake_ctx *)arg;
    char b;
    while (read(c->go[0], &b, 1) < 0 && errno == EINTR) {}
    pthread_mutex_lock(&c->mu);
    c->woken = 1;
    pthread_mutex_unlock(&c->mu);
    dx_reactor_wake(c->r);
    return NULL;
}
static dx_reactor_action on_let_waker_go(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    wake_ctx *c = (wake_ctx *)user;
    (void)r, (void)op, (void)res;
    if (write(c->go[1], "g", 1) != 1) c->bad++;
    return DX_REACTOR_DISARM;
}
static dx_reactor_action on_woken(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    wake_ctx *c = (wake_ctx *)user;
    int woken;
    (void)r, (void)op;
    pthread_mutex_lock(&c->mu);
    woken = c->woken;
    pthread_mutex_unlock(&c->mu);
    if (res != 0 || !woken) c->bad++;
    c->calls++;
    return DX_REACTOR_DISARM;
}
static int wake_thread(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    dx_op w, go;
    wake_ctx c;
    watchdog wd;
    pthread_t th;
    OPEN_OR_SKIP(p, &r, b);
    memset(&c, 0, sizeof c);
    c.r = &r;
    PROP_CHECK(p, pipe(c.go) == 0 && pthread_mutex_init(&c.mu, NULL) == 0);
    watchdog_start(&r, &wd);
    dx_op_wake_wait(&w);
    dx_reactor_submit(&r, &w, on_woken, &c);
    dx_op_timer(&go, 0, 0);
    dx_reactor_submit(&r, &go, on_let_waker_go, &c);
    PROP_CHECK(p, pthread_create(&th, NULL, waker, &c) == 0);
    while (c.calls == 0 && !wd.fired) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    pthread_join(th, NULL);
    PROP_CHECK_MSG(p, c.calls == 1 && c.bad == 0, "wake-wait: %d callbacks, %d before the wake or failed", c.calls, c.bad);
    /* a wake with nobody waiting is harmless */
    PROP_CHECK(p, dx_reactor_wake(&r) == DX_OK);
    watchdog_stop(&r, &wd);
    PROP_CHECK(p, run_bounded(&r, &wd) == 0);
    close(c.go[0]);
    close(c.go[1]);
    pthread_mutex_destroy(&c.mu);
    dx_reactor_destroy(&r);
    return 0;
}

/* ---- half-close, reset, refused ---- */

static int half_close_reset(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    dx_op op, op2;
    result_box box;
    watchdog wd;
    uint16_t port;
    int lfd, cfd, sfd;
    char buf[64];
    dx_reactor_addr a;
    struct linger lg = {1, 0};
    OPEN_OR_SKIP(p, &r, b);
    memset(&box, 0, sizeof box);
    watchdog_start(&r, &wd);
    lfd = listen_loopback(&port);
    PROP_CHECK(p, lfd >= 0 && dx_reactor_addr_make(&a, "127.0.0.1", port) == DX_OK);
    cfd = (int)dx_reactor_tcp_socket(false);
    dx_op_connect(&op, (uintptr_t)cfd, &a);
    submit_rec(&r, &op, &box, 0);
    dx_op_accept(&op2, (uintptr_t)lfd, NULL, 0);
    submit_rec(&r, &op2, &box, 1);
    while ((box.n[0] == 0 || box.n[1] == 0) && !wd.fired) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    PROP_CHECK(p, box.res[0] == 0 && box.res[1] >= 0);
    sfd = (int)box.res[1];
    /* half-close: the client shuts its write side; the server reads 0, answers, the client reads the answer */
    PROP_CHECK(p, send(cfd, "hello", 5, 0) == 5 && shutdown(cfd, SHUT_WR) == 0);
    memset(&box, 0, sizeof box);
    dx_op_recv(&op, (uintptr_t)sfd, buf, sizeof buf);
    submit_rec(&r, &op, &box, 0);
    while (box.n[0] == 0 && !wd.fired) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    PROP_CHECK(p, box.res[0] == 5);
    dx_op_recv(&op, (uintptr_t)sfd, buf, sizeof buf);
    submit_rec(&r, &op, &box, 1);
    while (box.n[1] == 0 && !wd.fired) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    PROP_CHECK_MSG(p, box.res[1] == 0, "recv after peer shutdown: %lld", (long long)box.res[1]);
    dx_op_send(&op, (uintptr_t)sfd, "bye", 3);
    submit_rec(&r, &op, &box, 2);
    dx_op_recv(&op2, (uintptr_t)cfd, buf, sizeof buf);
    submit_rec(&r, &op2, &box, 3);
    while ((box.n[2] == 0 || box.n[3] == 0) && !wd.fired) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    PROP_CHECK(p, box.res[2] == 3 && box.res[3] == 3 && memcmp(buf, "bye", 3) == 0);
    /* reset: the server aborts (SO_LINGER 0); the client's pending recv fails with RESET */
    dx_op_recv(&op2, (uintptr_t)cfd, buf, sizeof buf);
    submit_rec(&r, &op2, &box, 4);
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    PROP_CHECK(p, setsockopt(sfd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == 0);
    PROP_CHECK(p, dx_reactor_fd_close(&r, (uintptr_t)sfd) == DX_OK);
    while (box.n[4] == 0 && !wd.fired) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    PROP_CHECK_MSG(p, box.res[4] == DX_REACTOR_ERR_RESET && op2.os_error == OS_ECONNRESET, "recv after reset: %lld (%s) errno %d",
                   (long long)box.res[4], dx_reactor_result_name((dx_result)box.res[4]), op2.os_error);
    dx_reactor_fd_close(&r, (uintptr_t)cfd);
    /* refused: nobody listens on the port any more */
    close(lfd);
    cfd = (int)dx_reactor_tcp_socket(false);
    dx_op_connect(&op, (uintptr_t)cfd, &a);
    submit_rec(&r, &op, &box, 5);
    while (box.n[5] == 0 && !wd.fired) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    PROP_CHECK_MSG(p, box.res[5] == DX_REACTOR_ERR_REFUSED && op.os_error == OS_ECONNREFUSED, "connect: %lld errno %d",
                   (long long)box.res[5], op.os_error);
    dx_reactor_fd_close(&r, (uintptr_t)cfd);
    watchdog_stop(&r, &wd);
    PROP_CHECK(p, run_bounded(&r, &wd) == 0);
    dx_reactor_destroy(&r);
    return 0;
}

/* ---- files, pipes, vectored I/O ---- */

static int files_and_vectors(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    dx_op op, op2;
    result_box box;
    watchdog wd;
    char path[] = "/tmp/dx_reactor_test_XXXXXX";
    char out[32];
    int fd, pp[2], sv[2];
    char a1[3] = {'a', 'b', 'c'}, a2[4] = {'d', 'e', 'f', 'g'}, r1[2], r2[5];
    dx_reactor_iovec wv[2], rv[2];
    OPEN_OR_SKIP(p, &r, b);
    memset(&box, 0, sizeof box);
    watchdog_start(&r, &wd);
    fd = mkstemp(path);
    PROP_CHECK(p, fd >= 0);
    unlink(path);
    dx_op_write(&op, (uintptr_t)fd, "0123456789", 10, 100); /* at an offset */
    submit_rec(&r, &op, &box, 0);
    while (box.n[0] == 0 && !wd.fired) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    PROP_CHECK(p, box.res[0] == 10);
    dx_op_read(&op, (uintptr_t)fd, out, 4, 103);
    submit_rec(&r, &op, &box, 1);
    while (box.n[1] == 0 && !wd.fired) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    PROP_CHECK(p, box.res[1] == 4 && memcmp(out, "3456", 4) == 0);
    dx_op_read(&op, (uintptr_t)fd, out, 4, 200); /* past the end */
    submit_rec(&r, &op, &box, 2);
    while (box.n[2] == 0 && !wd.fired) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    PROP_CHECK(p, box.res[2] == 0);
    close(fd);
    /* a pipe: read at the current position waits until the write */
    PROP_CHECK(p, pipe(pp) == 0);
    fcntl(pp[0], F_SETFL, O_NONBLOCK);
    fcntl(pp[1], F_SETFL, O_NONBLOCK);
    dx_op_read(&op, (uintptr_t)pp[0], out, sizeof out, DX_OP_OFFSET_CURRENT);
    submit_rec(&r, &op, &box, 3);
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    PROP_CHECK(p, box.n[3] == 0);
    dx_op_write(&op2, (uintptr_t)pp[1], "pipe!", 5, DX_OP_OFFSET_CURRENT);
    submit_rec(&r, &op2, &box, 4);
    while ((box.n[3] == 0 || box.n[4] == 0) && !wd.fired) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    PROP_CHECK(p, box.res[4] == 5 && box.res[3] == 5 && memcmp(out, "pipe!", 5) == 0);
    dx_reactor_fd_close(&r, (uintptr_t)pp[0]);
    dx_reactor_fd_close(&r, (uintptr_t)pp[1]);
    /* vectored on a socket pair */
    PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
    wv[0].base = a1, wv[0].len = 3, wv[1].base = a2, wv[1].len = 4;
    rv[0].base = r1, rv[0].len = 2, rv[1].base = r2, rv[1].len = 5;
    dx_op_recvv(&op, (uintptr_t)sv[1], rv, 2);
    submit_rec(&r, &op, &box, 5);
    dx_op_sendv(&op2, (uintptr_t)sv[0], wv, 2);
    submit_rec(&r, &op2, &box, 6);
    while ((box.n[5] == 0 || box.n[6] == 0) && !wd.fired) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    PROP_CHECK_MSG(p, box.res[6] == 7 && box.res[5] == 7, "sendv %lld recvv %lld", (long long)box.res[6], (long long)box.res[5]);
    PROP_CHECK(p, memcmp(r1, "ab", 2) == 0 && memcmp(r2, "cdefg", 5) == 0);
    dx_reactor_fd_close(&r, (uintptr_t)sv[0]);
    dx_reactor_fd_close(&r, (uintptr_t)sv[1]);
    watchdog_stop(&r, &wd);
    PROP_CHECK(p, run_bounded(&r, &wd) == 0);
    dx_reactor_destroy(&r);
    return 0;
}

/* ---- run modes and batch submission ---- */

static dx_reactor_action on_stop_loop(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    (void)op, (void)res, (void)user;
    dx_reactor_stop(r);
    return DX_REACTOR_DISARM;
}
static int run_modes(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    static dx_op ops[64];
    dx_op t;
    result_box box;
    dx_reactor_stats s0, s1;
    int i, devnull;
    static char zero[64];
    OPEN_OR_SKIP(p, &r, b);
    memset(&box, 0, sizeof box);
    /* NOWAIT with a far timer returns without waiting for it: nothing ran (an hour: no machine is that slow) */
    dx_op_timer(&t, FAR_NS, 0);
    submit_rec(&r, &t, &box, 0);
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    PROP_CHECK(p, box.n[0] == 0 && t.state == DX_OP_STATE_ACTIVE);
    /* 64 queued writes: on io_uring one io_uring_enter submits them all (and waits) */
#if defined(_WIN32)
    devnull = w_open_null();
#else
    devnull = open("/dev/null", O_WRONLY);
#endif
    PROP_CHECK(p, devnull >= 0);
    for (i = 0; i < 64; i++) {
        dx_op_write(&ops[i], (uintptr_t)devnull, zero, sizeof zero, 0);
        submit_rec(&r, &ops[i], &box, 1);
    }
    dx_reactor_read_stats(&r, &s0);
    i = 0;
    while (box.n[1] < 64 && i++ < 1000) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    dx_reactor_read_stats(&r, &s1);
    PROP_CHECK(p, box.n[1] == 64 && box.res[1] == 64);
    prop_note(p, "%s: %llu enters for 64 writes", dx_reactor_backend_name(&r), (unsigned long long)(s1.enters - s0.enters));
    if (b == DX_REACTOR_BACKEND_IOURING)
        PROP_CHECK_MSG(p, s1.enters - s0.enters == 1, "io_uring: %llu enters for one batch of 64", (unsigned long long)(s1.enters - s0.enters));
    close(devnull);
    /* UNTIL_DONE after cancel of the far timer returns */
    dx_op_cancel(&ops[0], &t);
    submit_rec(&r, &ops[0], &box, 2);
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE) == DX_OK);
    PROP_CHECK(p, box.res[0] == DX_ERR_CANCELED && box.res[2] == 0 && r.stats.active == 0);
    /* stop from a callback ends UNTIL_DONE early */
    dx_op_timer(&t, FAR_NS, 0);
    submit_rec(&r, &t, &box, 3);
    dx_op_timer(&ops[1], 1000000, 0);
    dx_reactor_submit(&r, &ops[1], on_stop_loop, NULL);
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE) == DX_OK);
    PROP_CHECK(p, t.state == DX_OP_STATE_ACTIVE && box.n[3] == 0); /* returned before the far timer */
    dx_op_cancel(&ops[2], &t);
    submit_rec(&r, &ops[2], &box, 4);
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE) == DX_OK);
    PROP_CHECK(p, box.res[3] == DX_ERR_CANCELED && box.res[4] == 0 && r.stats.active == 0);
    dx_reactor_destroy(&r);
    return 0;
}

/* ---- scale: 10,000 idle connections on one loop; 100,000 connect/close cycles ---- */

typedef struct many_conn {
    dx_op op, cop;
    uintptr_t fd;
    char buf[8];
    int echoed;
} many_conn;
typedef struct many_world {
    dx_op accept, acancel;
    many_conn *conns;
    int n, accepted, open, peak, closed, echoed;
    watchdog wd;
} many_world;

static dx_reactor_action many_closed(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    many_world *w = (many_world *)user;
    (void)op, (void)res;
    w->open--;
    if (++w->closed == w->n) watchdog_stop(r, &w->wd);
    return DX_REACTOR_DISARM;
}
static dx_reactor_action many_io(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    many_world *w = (many_world *)user;
    many_conn *c = (many_conn *)(void *)((char *)op - offsetof(many_conn, op));
    if (op->kind == DX_OP_KIND_RECV && res > 0) { /* echo the byte once, then wait idle for the end */
        c->echoed++;
        w->echoed++;
        dx_op_send(op, c->fd, c->buf, (size_t)res);
        return DX_REACTOR_REARM;
    }
    if (op->kind == DX_OP_KIND_SEND && res > 0) {
        dx_op_recv(op, c->fd, c->buf, sizeof c->buf);
        return DX_REACTOR_REARM;
    }
    dx_op_close(&c->cop, c->fd);
    dx_reactor_submit(r, &c->cop, many_closed, w);
    return DX_REACTOR_DISARM;
}
static dx_reactor_action many_accept(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    many_world *w = (many_world *)user;
    many_conn *c;
    (void)op;
    if (res < 0) return res == DX_ERR_CANCELED ? DX_REACTOR_DISARM : DX_REACTOR_REARM;
    c = &w->conns[w->accepted++];
    c->fd = (uintptr_t)res;
    if (++w->open > w->peak) w->peak = w->open;
    dx_op_recv(&c->op, c->fd, c->buf, sizeof c->buf);
    dx_reactor_submit(r, &c->op, many_io, w);
    if (w->accepted == w->n) { /* everyone is in: stop accepting */
        dx_op_cancel(&w->acancel, &w->accept);
        dx_reactor_submit(r, &w->acancel, on_ignore, NULL);
        return DX_REACTOR_DISARM;
    }
    return DX_REACTOR_REARM;
}

/* The client, in a child process (its own fd limit): n blocking connections, all
   open at once; one byte each way on every one; then all closed. */
static int many_client_run(uint16_t port, int n) {
    int *fds = (int *)calloc((size_t)n, sizeof(int)), i;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(0x7f000001);
    if (!fds) return 10;
    for (i = 0; i < n; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)&a, sizeof a) != 0) return 11;
    }
    for (i = 0; i < n; i++)
        if (send(fds[i], "x", 1, 0) != 1) return 12;
    for (i = 0; i < n; i++) {
        char b;
        if (recv(fds[i], &b, 1, 0) != 1 || b != 'x') return 13;
    }
    for (i = 0; i < n; i++) close(fds[i]);
    free(fds);
    return 0;
}
#if defined(_WIN32)
typedef struct many_client_args {
    uint16_t port;
    int n, rc;
} many_client_args;
static DWORD WINAPI many_client_thread(LPVOID arg) { /* Windows: a thread instead of a child process */
    many_client_args *a = (many_client_args *)arg;
    a->rc = many_client_run(a->port, a->n);
    return 0;
}
#else
static void many_client(uint16_t port, int n) { _exit(many_client_run(port, n)); }
#endif

static int many_connections(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    static many_world w;
    uint16_t port;
    int lfd, status = 0, n = b == DX_REACTOR_BACKEND_POLL ? 1000 : 10000, before = count_fds();
#if defined(_WIN32)
    many_client_args ca;
    HANDLE th;
    (void)status;
    OPEN_OR_SKIP(p, &r, b);
    /* Wine keeps a host fd per socket, in the process and in wineserver, and the clients are in this process too:
       10,000 pairs need over 40,000 host fds; no accept completes once they run out */
    if (GetProcAddress(GetModuleHandleA("ntdll.dll"), "wine_get_version")) {
        n = 1000;
        prop_note(p, "under Wine: %d connections (each socket costs host fds in the process and in wineserver)", n);
    }
    memset(&w, 0, sizeof w);
    w.n = n;
    w.conns = (many_conn *)calloc((size_t)n, sizeof(many_conn));
    PROP_CHECK(p, w.conns != NULL);
    lfd = listen_loopback(&port);
    PROP_CHECK(p, lfd >= 0);
    watchdog_start_ns(&r, &w.wd, 240000000000ull); /* Wine is slower than a kernel at this */
    dx_op_accept(&w.accept, (uintptr_t)lfd, NULL, 0);
    dx_reactor_submit(&r, &w.accept, many_accept, &w);
    ca.port = port, ca.n = n, ca.rc = -1;
    th = CreateThread(NULL, 0, many_client_thread, &ca, 0, NULL);
    PROP_CHECK(p, th != NULL);
    PROP_CHECK_MSG(p, run_bounded(&r, &w.wd) == 0, "accepted %d, echoed %d, closed %d", w.accepted, w.echoed, w.closed);
    WaitForSingleObject(th, INFINITE);
    CloseHandle(th);
    PROP_CHECK_MSG(p, ca.rc == 0, "client status %d", ca.rc);
    PROP_CHECK(p, w.peak == n && w.echoed == n && w.closed == n);
    prop_note(p, "%s: %d connections open at once; per idle connection: dx_op %lu bytes, no fd slot", dx_reactor_backend_name(&r), w.peak,
              (unsigned long)sizeof(dx_op));
    close(lfd);
    dx_reactor_destroy(&r);
    free(w.conns);
    PROP_CHECK_MSG(p, count_fds() == before, "handles %d, before %d", count_fds(), before);
    return 0;
#else
    pid_t pid;
    struct rlimit rl;
    OPEN_OR_SKIP(p, &r, b);
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < (rlim_t)n + 100) {
        dx_reactor_destroy(&r);
        PROP_SKIP(p, "RLIMIT_NOFILE is %lu, below %d", (unsigned long)rl.rlim_cur, n + 100);
    }
    memset(&w, 0, sizeof w);
    w.n = n;
    w.conns = (many_conn *)calloc((size_t)n, sizeof(many_conn));
    PROP_CHECK(p, w.conns != NULL);
    lfd = listen_loopback(&port);
    PROP_CHECK(p, lfd >= 0);
    watchdog_start_ns(&r, &w.wd, 120000000000ull);
    dx_op_accept(&w.accept, (uintptr_t)lfd, NULL, 0);
    dx_reactor_submit(&r, &w.accept, many_accept, &w);
    fflush(stdout);
    pid = fork();
    PROP_CHECK(p, pid >= 0);
    if (pid == 0) many_client(port, n);
    PROP_CHECK_MSG(p, run_bounded(&r, &w.wd) == 0, "accepted %d, echoed %d, closed %d", w.accepted, w.echoed, w.closed);
    PROP_CHECK(p, waitpid(pid, &status, 0) == pid);
    PROP_CHECK_MSG(p, WIFEXITED(status) && WEXITSTATUS(status) == 0, "client status 0x%x", status);
    PROP_CHECK(p, w.peak == n && w.echoed == n && w.closed == n);
    prop_note(p, "%s: %d connections open at once; per idle connection: dx_op %lu bytes + fd slot %lu bytes in the loop", dx_reactor_backend_name(&r),
              w.peak, (unsigned long)sizeof(dx_op), (unsigned long)sizeof(dxi_reactor_slot));
    close(lfd);
    dx_reactor_destroy(&r);
    free(w.conns);
    PROP_CHECK_MSG(p, count_fds() == before, "fds %d, before %d", count_fds(), before);
    if (b == DX_REACTOR_BACKEND_EPOLL) /* the figure for the report */
        printf("reactor: per idle connection, user space: dx_op %lu bytes + fd slot %lu bytes (plus the caller's buffers)\n",
               (unsigned long)sizeof(dx_op), (unsigned long)sizeof(dxi_reactor_slot));
    return 0;
#endif
}

#if defined(_WIN32)
/* Wine: every socket call is a wineserver round trip; about 150 cycles/s on a
   loaded 2-CPU machine here, so 100,000 would outlast any fair watchdog */
#define CYCLES 10000
#else
#define CYCLES 100000
#endif
#define CHAINS 32
typedef struct cyc_chain {
    dx_op op;
    uintptr_t fd;
    char b;
} cyc_chain;
typedef struct cyc_world {
    dx_op accept, acancel;
    dx_op sclose[CHAINS * 2];
    int sclose_next;
    cyc_chain chains[CHAINS];
    dx_reactor_addr addr;
    int started, done, accepted, errors;
    int64_t first_err;
    watchdog wd;
} cyc_world;

static dx_reactor_action cyc_step(dx_reactor *r, dx_op *op, int64_t res, void *user);
static void cyc_start(dx_reactor *r, cyc_world *w, cyc_chain *c) {
    int64_t fd = dx_reactor_tcp_socket(false);
    if (fd < 0) {
        w->errors++;
        w->first_err = fd;
        return;
    }
    w->started++;
    c->fd = (uintptr_t)fd;
    dx_op_connect(&c->op, c->fd, &w->addr);
    dx_reactor_submit(r, &c->op, cyc_step, w);
}
/* connect -> recv (ends when the server resets) -> close -> next cycle */
static dx_reactor_action cyc_step(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    cyc_world *w = (cyc_world *)user;
    cyc_chain *c = (cyc_chain *)(void *)op;
    switch (op->kind) {
    case DX_OP_KIND_CONNECT:
        if (res == DX_REACTOR_ERR_RESET) { /* readiness backends: the server's reset came before the connect was seen */
            dx_op_close(op, c->fd);
            return DX_REACTOR_REARM;
        }
        if (res != 0) {
            if (!w->errors++) w->first_err = res;
            dx_op_close(op, c->fd);
            return DX_REACTOR_REARM;
        }
        dx_op_recv(op, c->fd, &c->b, 1);
        return DX_REACTOR_REARM;
    case DX_OP_KIND_RECV:
        dx_op_close(op, c->fd);
        return DX_REACTOR_REARM;
    default: /* closed */
        w->done++;
        if (w->started < CYCLES) cyc_start(r, w, c);
        else if (w->done == CYCLES) {
            dx_op_cancel(&w->acancel, &w->accept);
            dx_reactor_submit(r, &w->acancel, on_ignore, NULL);
            watchdog_stop(r, &w->wd);
        }
        return DX_REACTOR_DISARM;
    }
}
static dx_reactor_action cyc_accept(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    cyc_world *w = (cyc_world *)user;
    struct linger lg = {1, 0};
    dx_op *cl;
    int i;
    (void)op;
    if (res < 0) return res == DX_ERR_CANCELED ? DX_REACTOR_DISARM : DX_REACTOR_REARM;
    w->accepted++;
    setsockopt((int)res, SOL_SOCKET, SO_LINGER, &lg, sizeof lg); /* reset: no TIME_WAIT left behind */
    for (i = 0, cl = NULL; i < CHAINS * 2 && !cl; i++) {
        dx_op *o = &w->sclose[(w->sclose_next + i) % (CHAINS * 2)];
        if (o->state == DX_OP_STATE_IDLE) cl = o;
    }
    w->sclose_next++;
    if (cl) {
        dx_op_close(cl, (uintptr_t)res);
        dx_reactor_submit(r, cl, on_ignore, NULL);
    } else {
        dx_reactor_fd_close(r, (uintptr_t)res);
    }
    return DX_REACTOR_REARM;
}

static int connect_close_cycles(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    static cyc_world w;
    uint16_t port;
    int lfd, i, before = count_fds();
    uint64_t t0;
    OPEN_OR_SKIP(p, &r, b);
    memset(&w, 0, sizeof w);
    lfd = listen_loopback(&port);
    PROP_CHECK(p, lfd >= 0 && dx_reactor_addr_make(&w.addr, "127.0.0.1", port) == DX_OK);
    watchdog_start_ns(&r, &w.wd, 600000000000ull); /* 10 min: slow builds (tcc, qemu, Wine) on a busy machine */
    dx_op_accept(&w.accept, (uintptr_t)lfd, NULL, 0);
    dx_reactor_submit(&r, &w.accept, cyc_accept, &w);
    t0 = now_ns();
    for (i = 0; i < CHAINS; i++) cyc_start(&r, &w, &w.chains[i]);
    PROP_CHECK_MSG(p, run_bounded(&r, &w.wd) == 0, "done %d of %d, accepted %d, errors %d", w.done, CYCLES, w.accepted, w.errors);
    PROP_CHECK_MSG(p, w.errors == 0, "%d errors, first %lld (%s)", w.errors, (long long)w.first_err, dx_reactor_result_name((dx_result)w.first_err));
    PROP_CHECK(p, w.done == CYCLES && w.accepted == CYCLES);
    prop_note(p, "%s: %d cycles in %.2f s", dx_reactor_backend_name(&r), CYCLES, (double)(now_ns() - t0) / 1e9);
    close(lfd);
    dx_reactor_destroy(&r);
    PROP_CHECK_MSG(p, count_fds() == before, "fds %d, before %d", count_fds(), before); /* and LeakSanitizer at exit */
    return 0;
}

/* ---- multishot receive into a buffer ring ---- */

typedef struct multi_ctx {
    uint8_t got[65536];
    size_t len;
    int calls, eof, errors, big, disarm_after;
    int64_t last_err;
} multi_ctx;
static dx_reactor_action on_multi(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    multi_ctx *m = (multi_ctx *)user;
    (void)r;
    m->calls++;
    if (res < 0) {
        m->errors++;
        m->last_err = res;
        return DX_REACTOR_DISARM;
    }
    if (res == 0) {
        m->eof++;
        return DX_REACTOR_DISARM;
    }
    if (res > 64) m->big++;
    if (m->len + (size_t)res <= sizeof m->got) memcpy(m->got + m->len, op->buf, (size_t)res);
    m->len += (size_t)res;
    if (m->disarm_after && m->calls >= m->disarm_after) return DX_REACTOR_DISARM;
    return DX_REACTOR_REARM;
}
static dx_reactor_action on_send_all(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    size_t *left = (size_t *)user;
    (void)r;
    if (res <= 0) return DX_REACTOR_DISARM;
    *left -= (size_t)res;
    if (*left) {
        dx_op_send(op, op->fd, (const uint8_t *)op->buf + res, op->len - (size_t)res);
        return DX_REACTOR_REARM;
    }
    return DX_REACTOR_DISARM;
}

static int recv_multishot(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    static uint64_t pool[(4 * 64 + 4 * 2) / 8]; /* the caller's memory: 4 buffers of 64 bytes, then the free list */
    static uint8_t data[40000];
    static multi_ctx m;
    dx_reactor_bufring br;
    dx_reactor_bufring_config bcfg;
    dx_op rm, snd, cl;
    watchdog wd;
    dx_reactor_stats st;
    size_t left, i;
    int sv[2], q[2], turns = 0;
    OPEN_OR_SKIP(p, &r, b);
    memset(&m, 0, sizeof m);
    for (i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 7 + (i >> 9));
    memset(&bcfg, 0, sizeof bcfg);
    bcfg.count = 3, bcfg.size = 64, bcfg.group = 1;
    PROP_CHECK(p, dx_reactor_bufring_memory_size(&bcfg) == 0); /* not a power of two */
    PROP_CHECK(p, dx_reactor_bufring_init(&r, &br, &bcfg, pool, sizeof pool) == DX_ERR_INVAL);
    bcfg.count = 4;
    PROP_CHECK_MSG(p, dx_reactor_bufring_memory_size(&bcfg) == sizeof pool, "bufring memory %lu", (unsigned long)dx_reactor_bufring_memory_size(&bcfg));
    PROP_CHECK(p, dx_reactor_bufring_init(&r, &br, &bcfg, pool, sizeof pool - 1) == DX_ERR_NOSPACE);
    PROP_CHECK_MSG(p, dx_reactor_bufring_init(&r, &br, &bcfg, pool, sizeof pool) == DX_OK, "bufring on %s", dx_reactor_backend_name(&r));
    PROP_CHECK(p, br.mem == (uint8_t *)pool && !br.owns_memory);
    PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
    watchdog_start(&r, &wd);
    dx_op_recv_multi(&rm, (uintptr_t)sv[0], &br);
    PROP_CHECK(p, dx_reactor_submit(&r, &rm, on_multi, &m) == DX_OK);
    left = sizeof data;
    dx_op_send(&snd, (uintptr_t)sv[1], data, sizeof data);
    dx_reactor_submit(&r, &snd, on_send_all, &left);
    while ((left || m.len < sizeof data) && !wd.fired && m.errors == 0 && turns++ < 1000000)
        PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    dx_op_close(&cl, (uintptr_t)sv[1]); /* end of stream: the last callback gets 0 */
    dx_reactor_submit(&r, &cl, on_ignore, NULL);
    while (m.eof == 0 && m.errors == 0 && !wd.fired && turns++ < 1000000) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    PROP_CHECK_MSG(p, m.errors == 0, "error %lld (%s) after %lu bytes", (long long)m.last_err, dx_reactor_result_name((dx_result)m.last_err),
                   (unsigned long)m.len);
    PROP_CHECK(p, m.len == sizeof data && memcmp(m.got, data, sizeof data) == 0 && m.big == 0 && m.eof == 1);
    PROP_CHECK(p, rm.state == DX_OP_STATE_IDLE);
    dx_reactor_read_stats(&r, &st);
    prop_note(p, "%s: %d callbacks, %llu re-arms", dx_reactor_backend_name(&r), m.calls, (unsigned long long)st.rearms);
    if (b == DX_REACTOR_BACKEND_IOURING)
        printf("reactor: io_uring multishot recv, 40000 bytes through 4 buffers of 64: %d callbacks, %llu re-arms (ENOBUFS or F_MORE clear)\n",
               m.calls, (unsigned long long)st.rearms);
    /* DISARM after the first piece: no callback after that, even with more data arriving */
    memset(&m, 0, sizeof m);
    m.disarm_after = 1;
    PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, q) == 0);
    dx_op_recv_multi(&rm, (uintptr_t)q[0], &br);
    dx_reactor_submit(&r, &rm, on_multi, &m);
    PROP_CHECK(p, send(q[1], "first", 5, 0) == 5);
    while (m.calls == 0 && !wd.fired && turns++ < 1000000) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    PROP_CHECK(p, m.calls == 1 && rm.state == DX_OP_STATE_IDLE);
    memset(&rm, 0xa5, sizeof rm); /* IDLE: the op's memory is ours again */
    for (i = 0; i < 20; i++) {
        PROP_CHECK(p, send(q[1], "more", 4, 0) == 4);
        PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    }
    PROP_CHECK_MSG(p, m.calls == 1, "%d callbacks after DISARM", m.calls - 1);
    /* the same fd again: a new multishot recv gets the rest, none lost to the old one */
    memset(&m, 0, sizeof m);
    dx_op_recv_multi(&rm, (uintptr_t)q[0], &br);
    dx_reactor_submit(&r, &rm, on_multi, &m);
    dx_reactor_fd_close(&r, (uintptr_t)q[1]);
    while (m.eof == 0 && m.errors == 0 && !wd.fired && turns++ < 1000000) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    PROP_CHECK_MSG(p, m.errors == 0 && m.eof == 1 && m.len == 80, "errors %d, eof %d, %lu bytes", m.errors, m.eof, (unsigned long)m.len);
    dx_reactor_fd_close(&r, (uintptr_t)q[0]);
    dx_reactor_fd_close(&r, (uintptr_t)sv[0]);
    dx_reactor_bufring_deinit(&r, &br);
    watchdog_stop(&r, &wd);
    dx_reactor_destroy(&r);
    return 0;
}

/* A connection that holds a multishot recv, a plain recv's buffer ring and a
   pending send, closed with a close op whose callback frees it: the callbacks
   of the canceled ops must all come before (ASan reports any that do not). */
typedef struct held_conn {
    dx_op rm, snd, cl;
    uint32_t magic;
    int rm_done, snd_done; /* their last callbacks ran */
    int *calls, *freed;
} held_conn;
static dx_reactor_action on_held(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    held_conn *c = (held_conn *)user;
    (void)r, (void)res;
    if (c->magic != 0x600dc0de) abort(); /* freed already */
    (*c->calls)++;
    if (op == &c->rm && res > 0) return DX_REACTOR_REARM;
    if (op == &c->rm) c->rm_done = 1;
    if (op == &c->snd) c->snd_done = 1;
    return DX_REACTOR_DISARM;
}
static dx_reactor_action on_held_closed(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    held_conn *c = (held_conn *)user;
    (void)r, (void)op, (void)res;
    if (c->magic != 0x600dc0de) abort();
    *c->freed = c->rm_done && c->snd_done ? 1 : 2; /* 2: a canceled op has not been called back yet */
    c->magic = 0;
    free(c);
    return DX_REACTOR_DISARM;
}
static int close_frees_conn(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    dx_reactor_bufring br;
    dx_reactor_bufring_config bcfg;
    static char big[1 << 20];
    held_conn *c;
    watchdog wd;
    int sv[2], calls = 0, freed = 0, turns = 0, round;
    OPEN_OR_SKIP(p, &r, b);
    memset(&bcfg, 0, sizeof bcfg);
    bcfg.count = 8, bcfg.size = 512, bcfg.group = 3;
    PROP_CHECK(p, dx_reactor_bufring_create(&r, &br, &bcfg) == DX_OK);
    for (round = 0; round < 20; round++) {
        PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
        if (b == DX_REACTOR_BACKEND_IOURING && round % 2) fcntl(sv[0], F_SETFL, 0); /* blocking: the kernel's own poll */
        c = (held_conn *)calloc(1, sizeof *c);
        PROP_CHECK(p, c != NULL);
        c->magic = 0x600dc0de;
        c->calls = &calls;
        c->freed = &freed;
        calls = freed = 0;
        watchdog_start(&r, &wd);
        dx_op_recv_multi(&c->rm, (uintptr_t)sv[0], &br);
        dx_reactor_submit(&r, &c->rm, on_held, c);
        dx_op_send(&c->snd, (uintptr_t)sv[0], big, sizeof big); /* more than the socket takes: pending */
        dx_reactor_submit(&r, &c->snd, on_held, c);
        PROP_CHECK(p, send(sv[1], "data", 4, 0) == 4);
        while (calls == 0 && !wd.fired && turns++ < 100000) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
        PROP_CHECK(p, calls >= 1); /* the recv got "data" and stays armed */
        dx_op_close(&c->cl, (uintptr_t)sv[0]);
        dx_reactor_submit(&r, &c->cl, on_held_closed, c);
        while (freed == 0 && !wd.fired && turns++ < 100000) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
        PROP_CHECK_MSG(p, freed == 1, "round %d: %s", round, freed == 2 ? "the close's callback came before a canceled op's" : "no close callback");
        watchdog_stop_now(&r, &wd);
        close(sv[1]);
    }
    dx_reactor_bufring_destroy(&r, &br);
    dx_reactor_destroy(&r);
    return 0;
}

/* On epoll and poll, after a short read the next recv on a stream socket
   waits for readiness instead of trying first. Nothing may be lost by that:
   data that came while no recv waited, data already there when the recv is
   submitted, and on datagram sockets (where a short read does not mean
   empty) the datagrams already queued. Run on every backend all the same. */
static int recv_one(prop_ctx *p, dx_reactor *r, int fd, char *buf, size_t cap, int64_t *got) {
    dx_op op;
    result_box box;
    watchdog wd;
    int turns = 0;
    memset(&box, 0, sizeof box);
    watchdog_start(r, &wd);
    dx_op_recv(&op, (uintptr_t)fd, buf, cap);
    PROP_CHECK(p, submit_rec(r, &op, &box, 0) == DX_OK);
    while (box.n[0] == 0 && !wd.fired && turns++ < 100000) PROP_CHECK(p, dx_reactor_run(r, DX_REACTOR_RUN_ONCE) == DX_OK);
    watchdog_stop_now(r, &wd); /* wd lives in this frame */
    if (box.n[0] == 0) { /* end it before failing: the op lives in this frame */
        dx_op c;
        dx_op_cancel(&c, &op);
        dx_reactor_submit(r, &c, on_ignore, NULL);
        while (box.n[0] == 0 && turns++ < 100000) dx_reactor_run(r, DX_REACTOR_RUN_ONCE);
        PROP_CHECK_MSG(p, 0, "recv did not complete before the watchdog (a lost readiness)");
    }
    *got = box.res[0];
    return 0;
}
static int short_reads(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    char buf[64];
    int64_t got;
    int st[2], dg[2], i;
    OPEN_OR_SKIP(p, &r, b);
    PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, st) == 0);
    PROP_CHECK(p, socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, dg) == 0);
    for (i = 0; i < 3; i++) {
        /* stream: short read; then data arrives while no recv waits (a turn runs meanwhile) */
        PROP_CHECK(p, send(st[1], "abc", 3, 0) == 3);
        if (recv_one(p, &r, st[0], buf, sizeof buf, &got)) return 1;
        PROP_CHECK(p, got == 3 && memcmp(buf, "abc", 3) == 0);
        PROP_CHECK(p, send(st[1], "defg", 4, 0) == 4);
        PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
        if (recv_one(p, &r, st[0], buf, sizeof buf, &got)) return 1;
        PROP_CHECK_MSG(p, got == 4 && memcmp(buf, "defg", 4) == 0, "got %lld", (long long)got);
        /* the data is there before the recv is submitted, no turn in between */
        PROP_CHECK(p, send(st[1], "hi", 2, 0) == 2);
        if (recv_one(p, &r, st[0], buf, sizeof buf, &got)) return 1;
        PROP_CHECK(p, got == 2 && memcmp(buf, "hi", 2) == 0);
        /* a full read: the next recv tries at once and gets the rest */
        PROP_CHECK(p, send(st[1], "0123456789", 10, 0) == 10);
        if (recv_one(p, &r, st[0], buf, 4, &got)) return 1;
        PROP_CHECK(p, got == 4 && memcmp(buf, "0123", 4) == 0);
        if (recv_one(p, &r, st[0], buf, sizeof buf, &got)) return 1;
        PROP_CHECK(p, got == 6 && memcmp(buf, "456789", 6) == 0);
        /* datagrams: two queued, the first read is short, the second must still come */
        PROP_CHECK(p, send(dg[1], "one", 3, 0) == 3 && send(dg[1], "three", 5, 0) == 5);
        if (recv_one(p, &r, dg[0], buf, sizeof buf, &got)) return 1;
        PROP_CHECK(p, got == 3 && memcmp(buf, "one", 3) == 0);
        if (recv_one(p, &r, dg[0], buf, sizeof buf, &got)) return 1;
        PROP_CHECK_MSG(p, got == 5 && memcmp(buf, "three", 5) == 0, "got %lld", (long long)got);
    }
    /* data and the FIN together, reported by a turn before any recv: a short read, then the
       end of stream (edge-triggered epoll reports no edge after the short read) */
    PROP_CHECK(p, send(st[1], "bye", 3, 0) == 3);
    PROP_CHECK(p, shutdown(st[1], SHUT_WR) == 0);
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    if (recv_one(p, &r, st[0], buf, sizeof buf, &got)) return 1;
    PROP_CHECK(p, got == 3 && memcmp(buf, "bye", 3) == 0);
    if (recv_one(p, &r, st[0], buf, sizeof buf, &got)) return 1;
    PROP_CHECK_MSG(p, got == 0, "got %lld", (long long)got);
    dx_reactor_fd_close(&r, (uintptr_t)st[0]);
    dx_reactor_fd_close(&r, (uintptr_t)dg[0]);
    close(st[1]);
    close(dg[1]);
    dx_reactor_destroy(&r);
    return 0;
}

/* A connection whose ops keep completing at once (its peer always has data
   for it and room for its sends: IOCP's skip-on-success, a readiness
   backend's immediate recv) must not starve the rest of the loop: an accept
   waiting in the kernel completes while that connection stays busy. The
   busy pair runs until the accept came, so a loop that never takes the
   backend's events again hangs until the watchdog (hbtp_server on IOCP
   served one of 16 connections that way). */
typedef struct fair_world {
    dx_op rop, sop, aop;
    uint8_t rbuf[512], sbuf[512];
    int accepted_fd, recvs, sends, busy_recvs_at_accept;
} fair_world;
static dx_reactor_action on_fair_io(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    fair_world *f = (fair_world *)user;
    (void)r;
    if (res <= 0) return DX_REACTOR_DISARM;
    if (op == &f->rop) f->recvs++;
    else f->sends++;
    return f->accepted_fd == -1 ? DX_REACTOR_REARM : DX_REACTOR_DISARM;
}
static dx_reactor_action on_fair_accept(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    fair_world *f = (fair_world *)user;
    (void)r, (void)op;
    f->accepted_fd = res >= 0 ? (int)res : -2;
    f->busy_recvs_at_accept = f->recvs;
    return DX_REACTOR_DISARM;
}
static int busy_conn_fair(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    dx_reactor_addr a;
    watchdog wd;
    fair_world f;
    int sv[2], lfd, cfd, turns = 0;
    uint16_t port = 0;
    OPEN_OR_SKIP(p, &r, b);
    memset(&f, 0, sizeof f);
    f.accepted_fd = -1;
    PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
    lfd = listen_loopback(&port);
    PROP_CHECK(p, lfd >= 0);
    watchdog_start(&r, &wd);
    dx_op_accept(&f.aop, (uintptr_t)lfd, NULL, 0);
    dx_reactor_submit(&r, &f.aop, on_fair_accept, &f);
    dx_op_send(&f.sop, (uintptr_t)sv[1], f.sbuf, sizeof f.sbuf); /* sv[1] -> sv[0]: the busy pair */
    dx_reactor_submit(&r, &f.sop, on_fair_io, &f);
    dx_op_recv(&f.rop, (uintptr_t)sv[0], f.rbuf, sizeof f.rbuf);
    dx_reactor_submit(&r, &f.rop, on_fair_io, &f);
    while (f.recvs < 8 && !wd.fired && turns++ < 100000) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    PROP_CHECK_MSG(p, f.recvs >= 8, "the busy pair did not start (%d recvs, %d sends)", f.recvs, f.sends);
    /* the client's connect completes in the kernel (the listener's backlog), outside the loop */
    PROP_CHECK(p, dx_reactor_addr_make(&a, "127.0.0.1", port) == DX_OK);
    cfd = socket(AF_INET, SOCK_STREAM, 0);
    PROP_CHECK(p, cfd >= 0);
    PROP_CHECK(p, connect(cfd, (const struct sockaddr *)(const void *)a.storage, a.len) == 0);
    while (f.accepted_fd == -1 && !wd.fired && turns++ < MAX_TURNS) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    PROP_CHECK_MSG(p, f.accepted_fd >= 0, "%s (%d busy recvs ran meanwhile)",
                   f.accepted_fd == -1 ? "the accept never completed while the other connection was busy" : "the accept failed", f.recvs);
    watchdog_stop_now(&r, &wd);
    dx_reactor_fd_close(&r, (uintptr_t)sv[0]); /* ends the busy pair's op still pending, if one is */
    dx_reactor_fd_close(&r, (uintptr_t)sv[1]);
    while (r.stats.active > 0 && turns++ < MAX_TURNS) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    PROP_CHECK(p, r.stats.active == 0);
    dx_reactor_fd_close(&r, (uintptr_t)f.accepted_fd);
    dx_reactor_fd_close(&r, (uintptr_t)lfd);
    close(cfd);
    dx_reactor_destroy(&r);
    return 0;
}

/* The quick start says an op whose callback returns DISARM is the caller's
   again: it may be freed in the callback. The loop must not touch it after
   that (a real echo server frees its connection in the close callback). The
   callback overwrites the op before freeing it, so a loop that still reads it
   misbehaves even without AddressSanitizer. */
typedef struct freed_count {
    int calls, accepted_fd;
} freed_count;
static dx_reactor_action on_free_op(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    freed_count *fc = (freed_count *)user;
    (void)r;
    if (op->kind == DX_OP_KIND_ACCEPT && res >= 0) fc->accepted_fd = (int)res;
    memset(op, 0xff, sizeof *op);
    free(op);
    fc->calls++;
    return DX_REACTOR_DISARM;
}
static dx_op *new_op(void) { return (dx_op *)calloc(1, sizeof(dx_op)); }
static int free_in_callback(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    dx_reactor_bufring br;
    dx_reactor_bufring_config bcfg;
    char rbuf[16];
    dx_op *op;
    freed_count fc;
    watchdog wd;
    uint16_t port;
    struct sockaddr_in a;
    int sv[2], q[2], lfd, client, expect = 0, turns = 0, i;
    OPEN_OR_SKIP(p, &r, b);
    memset(&fc, 0, sizeof fc);
    fc.accepted_fd = -1;
    PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
    PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, q) == 0);
    memset(&bcfg, 0, sizeof bcfg);
    bcfg.count = 4, bcfg.size = 256, bcfg.group = 7;
    PROP_CHECK(p, dx_reactor_bufring_create(&r, &br, &bcfg) == DX_OK);
    lfd = listen_loopback(&port);
    PROP_CHECK(p, lfd >= 0);
    if (b == DX_REACTOR_BACKEND_IOURING) fcntl(lfd, F_SETFL, 0); /* blocking: a multishot accept on io_uring */
    watchdog_start(&r, &wd);
    op = new_op(), dx_op_timer(op, 1000, 0), dx_reactor_submit(&r, op, on_free_op, &fc), expect++;
    op = new_op(), dx_op_recv(op, (uintptr_t)sv[0], rbuf, sizeof rbuf), dx_reactor_submit(&r, op, on_free_op, &fc), expect++;
    op = new_op(), dx_op_send(op, (uintptr_t)sv[1], "ping", 4), dx_reactor_submit(&r, op, on_free_op, &fc), expect++;
    op = new_op(), dx_op_recv_multi(op, (uintptr_t)q[0], &br), dx_reactor_submit(&r, op, on_free_op, &fc), expect++;
    op = new_op(), dx_op_accept(op, (uintptr_t)lfd, NULL, 0), dx_reactor_submit(&r, op, on_free_op, &fc), expect++;
    PROP_CHECK(p, send(q[1], "one", 3, 0) == 3);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(0x7f000001);
    client = socket(AF_INET, SOCK_STREAM, 0);
    PROP_CHECK(p, client >= 0 && connect(client, (struct sockaddr *)&a, sizeof a) == 0);
    while (fc.calls < expect && !wd.fired && turns++ < 100000) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    PROP_CHECK_MSG(p, fc.calls == expect, "%d of %d callbacks", fc.calls, expect);
    /* more data and connections for the disarmed multishots: dropped, their freed ops untouched */
    for (i = 0; i < 5; i++) {
        int c2 = socket(AF_INET, SOCK_STREAM, 0);
        PROP_CHECK(p, send(q[1], "more", 4, 0) == 4);
        PROP_CHECK(p, c2 >= 0 && connect(c2, (struct sockaddr *)&a, sizeof a) == 0);
        close(c2);
        PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    }
    PROP_CHECK(p, fc.calls == expect);
    op = new_op(), dx_op_close(op, (uintptr_t)sv[1]), dx_reactor_submit(&r, op, on_free_op, &fc), expect++;
    while (fc.calls < expect && !wd.fired && turns++ < 100000) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    PROP_CHECK_MSG(p, fc.calls == expect, "close: %d of %d callbacks", fc.calls, expect);
    watchdog_stop(&r, &wd);
    if (fc.accepted_fd >= 0) close(fc.accepted_fd);
    close(client);
    dx_reactor_fd_close(&r, (uintptr_t)lfd);
    dx_reactor_fd_close(&r, (uintptr_t)q[0]);
    dx_reactor_fd_close(&r, (uintptr_t)sv[0]);
    close(q[1]);
    for (i = 0; i < 10; i++) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    dx_reactor_bufring_destroy(&r, &br);
    dx_reactor_destroy(&r);
    return 0;
}

/* ---- a writer that waits for space twice on one socket ----
   On kqueue the write filter is disabled after each event (EV_DISPATCH) and
   added again for the next writer: the second wait checks that it comes
   back. Valid on every backend; run on kqueue, whose path it is. */
#if defined(DXI_REACTOR_HAS_KQUEUE)
static int send_waits_twice(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    dx_op snd;
    result_box box;
    watchdog wd;
    int sv[2], round;
    static char big[1 << 20], sink[1 << 16];
    OPEN_OR_SKIP(p, &r, b);
    PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
    watchdog_start(&r, &wd);
    for (round = 0; round < 4; round++) {
        memset(&box, 0, sizeof box);
        dx_op_send(&snd, (uintptr_t)sv[0], big, sizeof big);
        submit_rec(&r, &snd, &box, 0);
        PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
        if (round == 0) { /* an empty buffer: the send takes what fits, and the buffer is full */
            PROP_CHECK_MSG(p, box.n[0] == 1 && box.res[0] > 0 && box.res[0] < (int64_t)sizeof big, "first send: %lld", (long long)box.res[0]);
            continue;
        }
        PROP_CHECK_MSG(p, box.n[0] == 0, "round %d: the send did not wait for space (%lld)", round, (long long)box.res[0]);
        while (read(sv[1], sink, sizeof sink) > 0) {} /* the peer drains: space again */
        while (box.n[0] == 0 && !wd.fired) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
        PROP_CHECK_MSG(p, box.n[0] == 1 && box.res[0] > 0, "round %d: send %lld", round, (long long)box.res[0]);
    }
    watchdog_stop(&r, &wd);
    PROP_CHECK(p, run_bounded(&r, &wd) == 0);
    dx_reactor_fd_close(&r, (uintptr_t)sv[0]);
    close(sv[1]);
    dx_reactor_destroy(&r);
    return 0;
}
#endif

/* ---- readiness: dx_op_poll (for libraries that do their own I/O) ---- */

#define POLL_UNTIL(p, r, wd, cond) \
    while (!(cond) && !(wd).fired) PROP_CHECK((p), dx_reactor_run((r), DX_REACTOR_RUN_ONCE) == DX_OK)
#define POLL_SKIP_UNSUPPORTED(p, r, res)                                                                         \
    do {                                                                                                        \
        if ((res) == DX_ERR_UNSUPPORTED) {                                                                      \
            dx_reactor_destroy(r);                                                                              \
            PROP_SKIP((p), "dx_op_poll says DX_ERR_UNSUPPORTED on %s (BACKENDS says why)", dx_reactor_backend_name(r)); \
        }                                                                                                       \
    } while (0)

/* writable at once; readable only after the peer writes; level: unread data
   makes the next poll complete at once; IN and OUT together; a poll and a
   recv waiting on the same fd */
static int poll_ready(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    dx_op po, rv, po2;
    result_box box;
    watchdog wd;
    int sv[2], i;
    char buf[8];
    OPEN_OR_SKIP(p, &r, b);
    memset(&box, 0, sizeof box);
    PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
    watchdog_start(&r, &wd);
    dx_op_poll(&po, (uintptr_t)sv[0], DX_OP_POLL_OUT); /* a fresh socket: writable now */
    submit_rec(&r, &po, &box, 0);
    POLL_UNTIL(p, &r, wd, box.n[0]);
    POLL_SKIP_UNSUPPORTED(p, &r, box.res[0]);
    PROP_CHECK_MSG(p, box.res[0] == DX_OP_POLL_OUT, "poll OUT: %lld", (long long)box.res[0]);
    dx_op_poll(&po, (uintptr_t)sv[0], DX_OP_POLL_IN); /* nothing to read: waits */
    submit_rec(&r, &po, &box, 1);
    for (i = 0; i < 3; i++) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    PROP_CHECK_MSG(p, box.n[1] == 0 && po.state == DX_OP_STATE_ACTIVE, "poll IN with nothing to read: %lld", (long long)box.res[1]);
    PROP_CHECK(p, send(sv[1], "abc", 3, 0) == 3); /* the event */
    POLL_UNTIL(p, &r, wd, box.n[1]);
    PROP_CHECK_MSG(p, box.res[1] == DX_OP_POLL_IN, "poll IN after the peer wrote: %lld", (long long)box.res[1]);
    dx_op_poll(&po, (uintptr_t)sv[0], DX_OP_POLL_IN); /* level: nothing was read, so at once */
    submit_rec(&r, &po, &box, 2);
    POLL_UNTIL(p, &r, wd, box.n[2]);
    PROP_CHECK_MSG(p, box.res[2] == DX_OP_POLL_IN, "poll IN again: %lld", (long long)box.res[2]);
    dx_op_poll(&po, (uintptr_t)sv[0], DX_OP_POLL_IN | DX_OP_POLL_OUT);
    submit_rec(&r, &po, &box, 3);
    POLL_UNTIL(p, &r, wd, box.n[3]);
    PROP_CHECK_MSG(p, box.res[3] == (DX_OP_POLL_IN | DX_OP_POLL_OUT), "poll IN|OUT: %lld", (long long)box.res[3]);
    dx_op_recv(&rv, (uintptr_t)sv[0], buf, sizeof buf); /* the poll took nothing: all three bytes are there */
    submit_rec(&r, &rv, &box, 4);
    POLL_UNTIL(p, &r, wd, box.n[4]);
    PROP_CHECK_MSG(p, box.res[4] == 3 && memcmp(buf, "abc", 3) == 0, "recv after the polls: %lld", (long long)box.res[4]);
    /* a poll and a one-byte recv wait on the same fd; two bytes come: the recv takes one, the poll sees the other */
    memset(&box, 0, sizeof box);
    dx_op_poll(&po, (uintptr_t)sv[0], DX_OP_POLL_IN);
    submit_rec(&r, &po, &box, 0);
    dx_op_recv(&rv, (uintptr_t)sv[0], buf, 1);
    submit_rec(&r, &rv, &box, 1);
    for (i = 0; i < 3; i++) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    PROP_CHECK(p, box.n[0] == 0 && box.n[1] == 0);
    PROP_CHECK(p, send(sv[1], "xy", 2, 0) == 2);
    POLL_UNTIL(p, &r, wd, box.n[0] && box.n[1]);
    PROP_CHECK_MSG(p, box.res[1] == 1 && buf[0] == 'x', "recv: %lld", (long long)box.res[1]);
    PROP_CHECK_MSG(p, box.res[0] == DX_OP_POLL_IN, "poll beside the recv: %lld", (long long)box.res[0]);
    dx_op_recv(&rv, (uintptr_t)sv[0], buf, sizeof buf);
    submit_rec(&r, &rv, &box, 2);
    dx_op_poll(&po2, (uintptr_t)sv[1], DX_OP_POLL_OUT); /* the other end, in the same turn */
    submit_rec(&r, &po2, &box, 3);
    POLL_UNTIL(p, &r, wd, box.n[2] && box.n[3]);
    PROP_CHECK(p, box.res[2] == 1 && buf[0] == 'y' && box.res[3] == DX_OP_POLL_OUT);
    dx_reactor_fd_close(&r, (uintptr_t)sv[0]);
    dx_reactor_fd_close(&r, (uintptr_t)sv[1]);
    watchdog_stop(&r, &wd);
    PROP_CHECK(p, run_bounded(&r, &wd) == 0);
    dx_reactor_destroy(&r);
    return 0;
}

/* writable only after the peer read: a full socket's OUT poll waits for space */
static int poll_writable_later(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    dx_op po, rv;
    result_box box;
    watchdog wd;
    int sv[2], i;
    static char big[1 << 16];
    int64_t filled = 0, n;
    OPEN_OR_SKIP(p, &r, b);
    memset(&box, 0, sizeof box);
    PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
    watchdog_start(&r, &wd);
    for (;;) { /* fill sv[0]'s send buffer through the loop until a send waits */
        dx_op_send(&po, (uintptr_t)sv[0], big, sizeof big);
        submit_rec(&r, &po, &box, 0);
        box.n[0] = 0;
        for (i = 0; i < 3 && !box.n[0]; i++) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
        if (!box.n[0]) break;
        PROP_CHECK_MSG(p, box.res[0] > 0, "send: %lld", (long long)box.res[0]);
        filled += box.res[0];
        PROP_CHECK(p, filled < (int64_t)1 << 30);
    }
    dx_op_cancel(&rv, &po); /* the waiting send goes; the buffer stays full */
    submit_rec(&r, &rv, &box, 1);
    POLL_UNTIL(p, &r, wd, box.n[0] && box.n[1]);
    if (box.res[0] > 0) filled += box.res[0]; /* it went through before the cancel: bytes are bytes */
    memset(&box, 0, sizeof box);
    dx_op_poll(&po, (uintptr_t)sv[0], DX_OP_POLL_OUT);
    submit_rec(&r, &po, &box, 0);
    for (i = 0; i < 3; i++) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    POLL_SKIP_UNSUPPORTED(p, &r, box.res[0]);
    PROP_CHECK_MSG(p, box.n[0] == 0, "poll OUT on a full socket: %lld", (long long)box.res[0]);
    while (filled > 0 && !box.n[0] && !wd.fired) { /* the peer reads: space comes */
        n = recv(sv[1], big, sizeof big, 0);
        if (n > 0) filled -= n;
        PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    }
    POLL_UNTIL(p, &r, wd, box.n[0]);
    PROP_CHECK_MSG(p, box.res[0] == DX_OP_POLL_OUT, "poll OUT after the peer read: %lld", (long long)box.res[0]);
    dx_reactor_fd_close(&r, (uintptr_t)sv[0]);
    dx_reactor_fd_close(&r, (uintptr_t)sv[1]);
    watchdog_stop(&r, &wd);
    PROP_CHECK(p, run_bounded(&r, &wd) == 0);
    dx_reactor_destroy(&r);
    return 0;
}

/* the peer closes: IN and HUP; a TCP reset: ERR or HUP */
static int poll_hup_err(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    dx_op op, op2;
    result_box box;
    watchdog wd;
    int sv[2], lfd, cfd, sfd, i;
    uint16_t port;
    dx_reactor_addr a;
    struct linger lg = {1, 0};
    OPEN_OR_SKIP(p, &r, b);
    memset(&box, 0, sizeof box);
    PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
    watchdog_start(&r, &wd);
    dx_op_poll(&op, (uintptr_t)sv[0], DX_OP_POLL_IN);
    submit_rec(&r, &op, &box, 0);
    for (i = 0; i < 3; i++) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    POLL_SKIP_UNSUPPORTED(p, &r, box.res[0]);
    PROP_CHECK(p, box.n[0] == 0);
    PROP_CHECK(p, close(sv[1]) == 0);
    POLL_UNTIL(p, &r, wd, box.n[0]);
    PROP_CHECK_MSG(p, box.res[0] == (DX_OP_POLL_IN | DX_OP_POLL_HUP), "poll IN after the peer closed: %lld", (long long)box.res[0]);
    dx_op_poll(&op, (uintptr_t)sv[0], DX_OP_POLL_IN); /* level: again at once */
    submit_rec(&r, &op, &box, 1);
    POLL_UNTIL(p, &r, wd, box.n[1]);
    PROP_CHECK_MSG(p, box.res[1] == (DX_OP_POLL_IN | DX_OP_POLL_HUP), "again: %lld", (long long)box.res[1]);
    dx_reactor_fd_close(&r, (uintptr_t)sv[0]);
    /* TCP: the server aborts (SO_LINGER 0) under the client's poll */
    lfd = listen_loopback(&port);
    PROP_CHECK(p, lfd >= 0 && dx_reactor_addr_make(&a, "127.0.0.1", port) == DX_OK);
    cfd = (int)dx_reactor_tcp_socket(false);
    dx_op_connect(&op, (uintptr_t)cfd, &a);
    submit_rec(&r, &op, &box, 2);
    dx_op_accept(&op2, (uintptr_t)lfd, NULL, 0);
    submit_rec(&r, &op2, &box, 3);
    POLL_UNTIL(p, &r, wd, box.n[2] && box.n[3]);
    PROP_CHECK(p, box.res[2] == 0 && box.res[3] >= 0);
    sfd = (int)box.res[3];
    dx_op_poll(&op, (uintptr_t)cfd, DX_OP_POLL_IN);
    submit_rec(&r, &op, &box, 4);
    for (i = 0; i < 3; i++) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    PROP_CHECK(p, box.n[4] == 0);
    PROP_CHECK(p, setsockopt(sfd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == 0);
    PROP_CHECK(p, dx_reactor_fd_close(&r, (uintptr_t)sfd) == DX_OK);
    POLL_UNTIL(p, &r, wd, box.n[4]);
    PROP_CHECK_MSG(p, box.res[4] > 0 && (box.res[4] & (DX_OP_POLL_ERR | DX_OP_POLL_HUP)), "poll IN after a reset: %lld",
                   (long long)box.res[4]);
    dx_reactor_fd_close(&r, (uintptr_t)cfd);
    close(lfd);
    watchdog_stop(&r, &wd);
    PROP_CHECK(p, run_bounded(&r, &wd) == 0);
    dx_reactor_destroy(&r);
    return 0;
}

/* cancel a waiting poll; close its fd under it (dx_op_close: the poll's callback first) */
static int poll_cancel_close(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    dx_op po, c, cl;
    result_box box;
    watchdog wd;
    int sv[2], i;
    OPEN_OR_SKIP(p, &r, b);
    memset(&box, 0, sizeof box);
    PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
    watchdog_start(&r, &wd);
    dx_op_poll(&po, (uintptr_t)sv[0], DX_OP_POLL_IN);
    submit_rec(&r, &po, &box, 0);
    for (i = 0; i < 3; i++) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    POLL_SKIP_UNSUPPORTED(p, &r, box.res[0]);
    PROP_CHECK(p, box.n[0] == 0 && po.state == DX_OP_STATE_ACTIVE);
    dx_op_cancel(&c, &po);
    submit_rec(&r, &c, &box, 1);
    POLL_UNTIL(p, &r, wd, box.n[0] && box.n[1]);
    PROP_CHECK_MSG(p, box.res[0] == DX_ERR_CANCELED && box.res[1] == 0 && box.order[0] < box.order[1], "cancel: poll %lld, cancel %lld",
                   (long long)box.res[0], (long long)box.res[1]);
    dx_op_cancel(&c, &po); /* finished: not found */
    submit_rec(&r, &c, &box, 2);
    POLL_UNTIL(p, &r, wd, box.n[2]);
    PROP_CHECK(p, box.res[2] == DX_ERR_NOTFOUND);
    dx_op_poll(&po, (uintptr_t)sv[0], DX_OP_POLL_IN | DX_OP_POLL_OUT); /* IN|OUT: ready at once, nothing to cancel */
    submit_rec(&r, &po, &box, 3);
    POLL_UNTIL(p, &r, wd, box.n[3]);
    PROP_CHECK(p, box.res[3] == DX_OP_POLL_OUT);
    dx_op_poll(&po, (uintptr_t)sv[0], DX_OP_POLL_IN);
    submit_rec(&r, &po, &box, 4);
    for (i = 0; i < 3; i++) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    PROP_CHECK(p, box.n[4] == 0);
    dx_op_close(&cl, (uintptr_t)sv[0]);
    submit_rec(&r, &cl, &box, 5);
    POLL_UNTIL(p, &r, wd, box.n[4] && box.n[5]);
    PROP_CHECK_MSG(p, box.res[4] == DX_ERR_CANCELED && box.res[5] == 0 && box.order[4] < box.order[5], "close: poll %lld, close %lld",
                   (long long)box.res[4], (long long)box.res[5]);
    /* dx_reactor_fd_close under a poll: the poll ends with DX_ERR_CANCELED */
    close(sv[1]);
    PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
    dx_op_poll(&po, (uintptr_t)sv[0], DX_OP_POLL_IN);
    submit_rec(&r, &po, &box, 6);
    for (i = 0; i < 3; i++) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    PROP_CHECK(p, box.n[6] == 0 && dx_reactor_fd_close(&r, (uintptr_t)sv[0]) == DX_OK);
    POLL_UNTIL(p, &r, wd, box.n[6]);
    PROP_CHECK_MSG(p, box.res[6] == DX_ERR_CANCELED, "fd_close: poll %lld", (long long)box.res[6]);
    close(sv[1]);
    watchdog_stop(&r, &wd);
    PROP_CHECK(p, run_bounded(&r, &wd) == 0);
    dx_reactor_destroy(&r);
    return 0;
}

/* a pipe: readable after a write, the write end writable at once, HUP when the writer closes */
static int poll_pipe(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    dx_op po, po2, rd;
    result_box box;
    watchdog wd;
    int pp[2], i;
    char buf[8];
    OPEN_OR_SKIP(p, &r, b);
    memset(&box, 0, sizeof box);
    PROP_CHECK(p, pipe(pp) == 0);
    fcntl(pp[0], F_SETFL, O_NONBLOCK);
    fcntl(pp[1], F_SETFL, O_NONBLOCK);
    watchdog_start(&r, &wd);
    dx_op_poll(&po, (uintptr_t)pp[1], DX_OP_POLL_OUT);
    submit_rec(&r, &po, &box, 0);
    dx_op_poll(&po2, (uintptr_t)pp[0], DX_OP_POLL_IN);
    submit_rec(&r, &po2, &box, 1);
    POLL_UNTIL(p, &r, wd, box.n[0]);
    if (box.res[0] == DX_ERR_UNSUPPORTED) { /* sockets only there: the read end's poll says so too */
        POLL_UNTIL(p, &r, wd, box.n[1]);
        PROP_CHECK(p, box.res[1] == DX_ERR_UNSUPPORTED);
        watchdog_stop(&r, &wd);
        PROP_CHECK(p, run_bounded(&r, &wd) == 0);
        close(pp[0]);
        close(pp[1]);
        dx_reactor_destroy(&r);
        PROP_SKIP(p, "dx_op_poll on a pipe: DX_ERR_UNSUPPORTED on %s (BACKENDS says why)", dx_reactor_backend_id_name(b));
    }
    PROP_CHECK_MSG(p, box.res[0] == DX_OP_POLL_OUT, "poll OUT on the write end: %lld", (long long)box.res[0]);
    for (i = 0; i < 3; i++) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    PROP_CHECK(p, box.n[1] == 0);
    PROP_CHECK(p, write(pp[1], "pq", 2) == 2);
    POLL_UNTIL(p, &r, wd, box.n[1]);
    PROP_CHECK_MSG(p, box.res[1] == DX_OP_POLL_IN, "poll IN on the read end: %lld", (long long)box.res[1]);
    dx_op_read(&rd, (uintptr_t)pp[0], buf, sizeof buf, DX_OP_OFFSET_CURRENT);
    submit_rec(&r, &rd, &box, 2);
    POLL_UNTIL(p, &r, wd, box.n[2]);
    PROP_CHECK(p, box.res[2] == 2 && memcmp(buf, "pq", 2) == 0);
    dx_op_poll(&po2, (uintptr_t)pp[0], DX_OP_POLL_IN);
    submit_rec(&r, &po2, &box, 3);
    for (i = 0; i < 3; i++) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    PROP_CHECK(p, box.n[3] == 0);
    PROP_CHECK(p, close(pp[1]) == 0);
    POLL_UNTIL(p, &r, wd, box.n[3]);
    PROP_CHECK_MSG(p, box.res[3] > 0 && (box.res[3] & DX_OP_POLL_HUP) && !(box.res[3] & DX_OP_POLL_ERR), "poll IN after the writer closed: %lld",
                   (long long)box.res[3]);
    dx_reactor_fd_close(&r, (uintptr_t)pp[0]);
    watchdog_stop(&r, &wd);
    PROP_CHECK(p, run_bounded(&r, &wd) == 0);
    dx_reactor_destroy(&r);
    return 0;
}

/* many fds at once: 64 socket pairs, a poll on each; the peers write in a random order, half at a time */
#define POLL_MANY 64
static dx_reactor_action on_poll_many(dx_reactor *r, dx_op *op, int64_t res, void *user) { /* slot 0 of its own box */
    result_box *box = (result_box *)user;
    (void)r, (void)op;
    box->res[0] = res;
    box->n[0]++;
    return DX_REACTOR_DISARM;
}
static int poll_many(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    static dx_op ops[POLL_MANY];
    static int sv[POLL_MANY][2], order[POLL_MANY];
    static result_box boxes[POLL_MANY];
    watchdog wd;
    int i, j, done, k, t;
    OPEN_OR_SKIP(p, &r, b);
    watchdog_start(&r, &wd);
    for (i = 0; i < POLL_MANY; i++) {
        PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv[i]) == 0);
        memset(&boxes[i], 0, sizeof boxes[i]);
        dx_op_poll(&ops[i], (uintptr_t)sv[i][0], i % 3 == 0 ? DX_OP_POLL_IN : DX_OP_POLL_IN | DX_OP_POLL_HUP);
        PROP_CHECK(p, dx_reactor_submit(&r, &ops[i], on_poll_many, &boxes[i]) == DX_OK);
        order[i] = i;
    }
    for (i = POLL_MANY - 1; i > 0; i--) { /* shuffle */
        j = (int)prop_range(p, 0, (uint64_t)i);
        t = order[i], order[i] = order[j], order[j] = t;
    }
    for (i = 0; i < 3; i++) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    POLL_SKIP_UNSUPPORTED(p, &r, boxes[0].res[0]);
    for (i = 0; i < POLL_MANY; i++) PROP_CHECK_MSG(p, boxes[i].n[0] == 0, "poll %d: %lld before any write", i, (long long)boxes[i].res[0]);
    for (k = 0; k < 2; k++) {
        for (i = k * POLL_MANY / 2; i < (k + 1) * POLL_MANY / 2; i++) PROP_CHECK(p, send(sv[order[i]][1], "m", 1, 0) == 1);
        for (;;) {
            done = 0;
            for (i = 0; i < POLL_MANY; i++) done += boxes[i].n[0];
            if (done >= (k + 1) * POLL_MANY / 2 || wd.fired) break;
            PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
        }
        for (i = 0; i < POLL_MANY; i++) { /* exactly the written ones, with IN */
            int written = 0;
            for (j = 0; j < (k + 1) * POLL_MANY / 2; j++) written |= order[j] == i;
            PROP_CHECK_MSG(p, boxes[i].n[0] == written && (!written || boxes[i].res[0] == DX_OP_POLL_IN), "fd pair %d: %d callbacks, res %lld",
                           i, boxes[i].n[0], (long long)boxes[i].res[0]);
        }
    }
    for (i = 0; i < POLL_MANY; i++) {
        dx_reactor_fd_close(&r, (uintptr_t)sv[i][0]);
        close(sv[i][1]);
    }
    watchdog_stop(&r, &wd);
    PROP_CHECK(p, run_bounded(&r, &wd) == 0);
    dx_reactor_destroy(&r);
    return 0;
}

/* ---- readiness, edge-triggered: DX_OP_POLL_EDGE, multishot where the backend has it ---- */

#define EDGE_N 24 /* separate writes by the peer, each after the last completion was seen */
typedef struct edge_ctx {
    int fd;                 /* the polled end */
    int calls, in_calls, out_calls, hups, errs;
    int64_t last;           /* the last result */
    size_t got;             /* bytes the callbacks read (until EAGAIN each time) */
    int64_t filled;         /* bytes the callbacks wrote (until EAGAIN each time, when fill is set) */
    int fill, disarm;       /* write on OUT; return DISARM from the next callback */
    result_box *box;        /* shared order with other ops' callbacks */
    int err_order;          /* box->seq at the last error callback */
    uint8_t buf[4096];
} edge_ctx;
static char edge_junk[1 << 16];
/* The callbacks read and write until EAGAIN: the polled end must not block (Windows: the socket pair's
   ends are blocking SOCKETs; FIONBIO does not touch overlapped I/O). */
static int edge_nonblock(int fd) {
#if defined(_WIN32)
    u_long one = 1;
    return ioctlsocket((SOCKET)(intptr_t)fd, (long)FIONBIO, &one) == 0 ? 0 : -1; /* the cast: mingw's FIONBIO is unsigned */
#else
    return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
#endif
}
static dx_reactor_action on_edge(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    edge_ctx *c = (edge_ctx *)user;
    (void)r, (void)op;
    c->calls++;
    c->last = res;
    if (res < 0) {
        c->errs++;
        if (c->box) c->err_order = c->box->seq++;
        return DX_REACTOR_DISARM;
    }
    if (res & DX_OP_POLL_IN) { /* edge-triggered: read until EAGAIN (or the end) before REARM */
        c->in_calls++;
        for (;;) {
            long n = (long)recv(c->fd, c->buf + c->got, sizeof c->buf - c->got, 0);
            if (n <= 0) break;
            c->got += (size_t)n;
        }
    }
    if (res & DX_OP_POLL_OUT) {
        c->out_calls++;
        while (c->fill) {
            long n = (long)send(c->fd, edge_junk, sizeof edge_junk, 0);
            if (n <= 0) break;
            c->filled += n;
        }
    }
    if (res & DX_OP_POLL_HUP) c->hups++;
    return c->disarm || (res & (DX_OP_POLL_HUP | DX_OP_POLL_ERR)) ? DX_REACTOR_DISARM : DX_REACTOR_REARM;
}
/* Backends that keep an EDGE poll between callbacks: io_uring with multishot poll, epoll, kqueue. */
static int edge_kept(dx_reactor *r, dx_reactor_backend_id b) {
    if (b == DX_REACTOR_BACKEND_IOURING) return (dx_reactor_features(r) & DX_REACTOR_FEAT_POLL_MULTI) != 0;
    return b == DX_REACTOR_BACKEND_EPOLL || b == DX_REACTOR_BACKEND_KQUEUE;
}

/* EDGE|IN, REARM each time: each of EDGE_N writes by the peer gives a completion, all
   the bytes are read; kept backends start the op once (io_uring: one POLL_ADD); DISARM stops it */
static int poll_edge_in(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    dx_op po;
    watchdog wd;
    static edge_ctx c;
    static uint8_t sent[4096];
    dx_reactor_stats s0, s1;
    size_t total = 0, len, j;
    int sv[2], i, k, before;
    uint64_t started;
    OPEN_OR_SKIP(p, &r, b);
    memset(&c, 0, sizeof c);
    PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0 && edge_nonblock(sv[0]) == 0);
    c.fd = sv[0];
    watchdog_start(&r, &wd);
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK); /* the watchdog's timer starts: not counted below */
    dx_op_poll(&po, (uintptr_t)sv[0], DX_OP_POLL_IN | DX_OP_POLL_EDGE);
    PROP_CHECK(p, po.flags == (DX_OP_POLL_IN | DX_OP_POLL_EDGE));
    dx_reactor_read_stats(&r, &s0);
    PROP_CHECK(p, dx_reactor_submit(&r, &po, on_edge, &c) == DX_OK);
    for (i = 0; i < 3; i++) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    POLL_SKIP_UNSUPPORTED(p, &r, c.last);
    PROP_CHECK_MSG(p, c.calls == 0 && po.state == DX_OP_STATE_ACTIVE, "EDGE IN with nothing to read: %d callbacks, res %lld", c.calls,
                   (long long)c.last);
    for (k = 0; k < EDGE_N; k++) {
        len = 1 + (size_t)prop_range(p, 0, 99);
        for (j = 0; j < len; j++) sent[total + j] = (uint8_t)(k * 31 + (int)j);
        before = c.in_calls;
        PROP_CHECK(p, send(sv[1], sent + total, len, 0) == (long)len);
        total += len;
        POLL_UNTIL(p, &r, wd, c.got >= total || c.errs);
        PROP_CHECK_MSG(p, c.errs == 0 && c.got == total && c.in_calls > before, "write %d: %lu of %lu bytes read, %d completions, res %lld", k,
                       (unsigned long)c.got, (unsigned long)total, c.in_calls, (long long)c.last);
        PROP_CHECK_MSG(p, c.last == DX_OP_POLL_IN, "write %d: res %lld", k, (long long)c.last);
        PROP_CHECK(p, po.state != DX_OP_STATE_IDLE); /* REARM keeps it */
    }
    dx_reactor_read_stats(&r, &s1);
    started = s1.started - s0.started;
    PROP_CHECK(p, c.in_calls >= EDGE_N && memcmp(c.buf, sent, total) == 0);
    prop_note(p, "%s: %d completions for %d writes, %llu ops started, %llu re-arms", dx_reactor_backend_name(&r), c.calls, EDGE_N,
              (unsigned long long)started, (unsigned long long)(s1.rearms - s0.rearms));
    if (edge_kept(&r, b)) /* one start serves every completion: one POLL_ADD on io_uring, no poll() look per event on epoll/kqueue */
        PROP_CHECK_MSG(p, started == 1 && s1.rearms == s0.rearms, "%s: %llu ops started, %llu re-arms for %d completions",
                       dx_reactor_backend_name(&r), (unsigned long long)started, (unsigned long long)(s1.rearms - s0.rearms), c.calls);
    else /* level, re-armed: a new start per completion */
        PROP_CHECK_MSG(p, started >= (uint64_t)c.calls, "%s: %llu ops started for %d completions", dx_reactor_backend_name(&r),
                       (unsigned long long)started, c.calls);
    if (b == DX_REACTOR_BACKEND_IOURING)
        printf("reactor: io_uring EDGE poll, %d writes: %d completions from %llu POLL_ADD (%s)\n", EDGE_N, c.calls, (unsigned long long)started,
               (dx_reactor_features(&r) & DX_REACTOR_FEAT_POLL_MULTI) ? "multishot" : "one-shot, re-submitted");
    /* DISARM: no callback after it, even with more data arriving */
    c.disarm = 1;
    before = c.calls;
    PROP_CHECK(p, send(sv[1], "d", 1, 0) == 1);
    POLL_UNTIL(p, &r, wd, c.calls > before);
    PROP_CHECK(p, c.calls == before + 1 && po.state == DX_OP_STATE_IDLE);
    PROP_CHECK(p, send(sv[1], "e", 1, 0) == 1);
    for (i = 0; i < 5; i++) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    PROP_CHECK_MSG(p, c.calls == before + 1, "%d callbacks after DISARM", c.calls - before - 1);
    dx_reactor_fd_close(&r, (uintptr_t)sv[0]);
    dx_reactor_fd_close(&r, (uintptr_t)sv[1]);
    watchdog_stop(&r, &wd);
    PROP_CHECK(p, run_bounded(&r, &wd) == 0);
    dx_reactor_destroy(&r);
    return 0;
}

/* EDGE|OUT on a full socket: completes when space frees after the peer reads; the callback
   fills it again (until EAGAIN) and REARMs: the next read by the peer gives the next one */
static int poll_edge_out(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    dx_op po;
    watchdog wd;
    static edge_ctx c;
    static char big[1 << 16];
    int64_t filled = 0, drained = 0, n;
    int sv[2], i, round, before;
    OPEN_OR_SKIP(p, &r, b);
    memset(&c, 0, sizeof c);
    PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0 && edge_nonblock(sv[0]) == 0);
    c.fd = sv[0];
    c.fill = 1;
    for (;;) { /* fill sv[0]'s send buffer */
        n = (int64_t)send(sv[0], big, sizeof big, 0);
        if (n <= 0) break;
        filled += n;
        PROP_CHECK(p, filled < (int64_t)1 << 30);
    }
    PROP_CHECK(p, filled > 0);
    watchdog_start(&r, &wd);
    dx_op_poll(&po, (uintptr_t)sv[0], DX_OP_POLL_OUT | DX_OP_POLL_EDGE);
    PROP_CHECK(p, dx_reactor_submit(&r, &po, on_edge, &c) == DX_OK);
    for (i = 0; i < 3; i++) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    POLL_SKIP_UNSUPPORTED(p, &r, c.last);
    PROP_CHECK_MSG(p, c.calls == 0, "EDGE OUT on a full socket: %d callbacks, res %lld", c.calls, (long long)c.last);
    for (round = 0; round < 3; round++) {
        before = c.out_calls;
        while (filled + c.filled - drained > 0 && c.out_calls == before && !wd.fired) { /* the peer reads: space comes */
            n = (int64_t)recv(sv[1], big, sizeof big, 0);
            if (n > 0) drained += n;
            PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
        }
        POLL_UNTIL(p, &r, wd, c.out_calls > before || c.errs);
        PROP_CHECK_MSG(p, c.errs == 0 && c.last == DX_OP_POLL_OUT, "round %d: res %lld", round, (long long)c.last);
        PROP_CHECK_MSG(p, po.state != DX_OP_STATE_IDLE && c.filled > 0, "round %d: the callback wrote %lld bytes", round, (long long)c.filled);
    }
    prop_note(p, "%s: %d OUT completions in 3 rounds", dx_reactor_backend_name(&r), c.out_calls);
    before = c.calls;
    PROP_CHECK(p, dx_reactor_fd_close(&r, (uintptr_t)sv[0]) == DX_OK); /* closed under it: canceled, once */
    POLL_UNTIL(p, &r, wd, c.errs);
    PROP_CHECK_MSG(p, c.errs == 1 && c.last == DX_ERR_CANCELED && po.state == DX_OP_STATE_IDLE, "fd_close: %d errors, res %lld", c.errs,
                   (long long)c.last);
    close(sv[1]);
    watchdog_stop(&r, &wd);
    PROP_CHECK(p, run_bounded(&r, &wd) == 0);
    PROP_CHECK(p, c.errs == 1);
    dx_reactor_destroy(&r);
    return 0;
}

/* EDGE|IN armed (after one completion and a REARM) when the peer closes: IN and HUP */
static int poll_edge_hup(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    dx_op po;
    watchdog wd;
    static edge_ctx c;
    int sv[2], i;
    OPEN_OR_SKIP(p, &r, b);
    memset(&c, 0, sizeof c);
    PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0 && edge_nonblock(sv[0]) == 0);
    c.fd = sv[0];
    watchdog_start(&r, &wd);
    dx_op_poll(&po, (uintptr_t)sv[0], DX_OP_POLL_IN | DX_OP_POLL_EDGE);
    PROP_CHECK(p, dx_reactor_submit(&r, &po, on_edge, &c) == DX_OK);
    PROP_CHECK(p, send(sv[1], "a", 1, 0) == 1);
    POLL_UNTIL(p, &r, wd, c.calls);
    POLL_SKIP_UNSUPPORTED(p, &r, c.last);
    PROP_CHECK_MSG(p, c.last == DX_OP_POLL_IN && c.got == 1 && po.state != DX_OP_STATE_IDLE, "first: res %lld", (long long)c.last);
    for (i = 0; i < 3; i++) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    PROP_CHECK(p, c.calls == 1);
    PROP_CHECK(p, close(sv[1]) == 0);
    POLL_UNTIL(p, &r, wd, c.calls > 1);
    PROP_CHECK_MSG(p, c.last == (DX_OP_POLL_IN | DX_OP_POLL_HUP), "EDGE IN after the peer closed: %lld", (long long)c.last);
    PROP_CHECK(p, po.state == DX_OP_STATE_IDLE); /* the callback disarmed it */
    dx_reactor_fd_close(&r, (uintptr_t)sv[0]);
    watchdog_stop(&r, &wd);
    PROP_CHECK(p, run_bounded(&r, &wd) == 0);
    PROP_CHECK(p, c.calls == 2);
    dx_reactor_destroy(&r);
    return 0;
}

/* An armed EDGE poll (REARMed once) canceled, closed by dx_op_close, closed by
   dx_reactor_fd_close: DX_ERR_CANCELED exactly once each, before the cancel's or
   the close's own callback, and no callback after it */
static int poll_edge_cancel_close(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor r;
    dx_op po, cn, cl;
    watchdog wd;
    static edge_ctx c;
    result_box box;
    int sv[2], i, phase;
    OPEN_OR_SKIP(p, &r, b);
    memset(&box, 0, sizeof box);
    watchdog_start(&r, &wd);
    for (phase = 0; phase < 3; phase++) { /* cancel, dx_op_close, dx_reactor_fd_close */
        memset(&c, 0, sizeof c);
        c.box = &box;
        PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0 && edge_nonblock(sv[0]) == 0);
        c.fd = sv[0];
        dx_op_poll(&po, (uintptr_t)sv[0], DX_OP_POLL_IN | DX_OP_POLL_EDGE);
        PROP_CHECK(p, dx_reactor_submit(&r, &po, on_edge, &c) == DX_OK);
        PROP_CHECK(p, send(sv[1], "x", 1, 0) == 1);
        POLL_UNTIL(p, &r, wd, c.calls);
        POLL_SKIP_UNSUPPORTED(p, &r, c.last);
        PROP_CHECK_MSG(p, c.last == DX_OP_POLL_IN && po.state != DX_OP_STATE_IDLE, "phase %d: res %lld", phase, (long long)c.last);
        for (i = 0; i < 3; i++) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
        PROP_CHECK(p, c.calls == 1 && po.state == DX_OP_STATE_ACTIVE);
        memset(&box, 0, sizeof box);
        if (phase == 0) {
            dx_op_cancel(&cn, &po);
            submit_rec(&r, &cn, &box, 0);
        } else if (phase == 1) {
            dx_op_close(&cl, (uintptr_t)sv[0]);
            submit_rec(&r, &cl, &box, 0);
        } else {
            PROP_CHECK(p, dx_reactor_fd_close(&r, (uintptr_t)sv[0]) == DX_OK);
            box.n[0] = 1, box.order[0] = 1 << 30;
        }
        POLL_UNTIL(p, &r, wd, c.errs && box.n[0]);
        PROP_CHECK_MSG(p, c.errs == 1 && c.last == DX_ERR_CANCELED && po.state == DX_OP_STATE_IDLE, "phase %d: %d errors, res %lld", phase,
                       c.errs, (long long)c.last);
        PROP_CHECK_MSG(p, box.res[0] == 0 && c.err_order < box.order[0], "phase %d: op res %lld, order poll %d, op %d", phase,
                       (long long)box.res[0], c.err_order, box.order[0]);
        if (phase == 0) PROP_CHECK(p, send(sv[1], "y", 1, 0) == 1); /* news on the fd: nobody is told */
        for (i = 0; i < 5; i++) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
        PROP_CHECK_MSG(p, c.calls == 2 && c.errs == 1, "phase %d: %d callbacks, %d errors", phase, c.calls, c.errs);
        if (phase == 0) dx_reactor_fd_close(&r, (uintptr_t)sv[0]);
        close(sv[1]);
    }
    watchdog_stop(&r, &wd);
    PROP_CHECK(p, run_bounded(&r, &wd) == 0);
    dx_reactor_destroy(&r);
    return 0;
}

/* ---- the conformance table: every scenario on every backend ---- */

#define FOR_BACKEND(name, fn, b) \
    static int t_##name(prop_ctx *p) { return fn(p, b); }
#define SUITE(tag, b)                                     \
    FOR_BACKEND(tag##_echo_random, echo_random, b)        \
    FOR_BACKEND(tag##_echo_pipelined, echo_pipelined, b)  \
    FOR_BACKEND(tag##_timers_in_order, timers_in_order, b) \
    FOR_BACKEND(tag##_timers_heap, timers_heap, b) \
    FOR_BACKEND(tag##_cancel, cancel_ops, b)              \
    FOR_BACKEND(tag##_close_pending, close_pending, b)    \
    FOR_BACKEND(tag##_wake_thread, wake_thread, b)        \
    FOR_BACKEND(tag##_half_close_reset_refused, half_close_reset, b) \
    FOR_BACKEND(tag##_files_pipes_vectors, files_and_vectors, b) \
    FOR_BACKEND(tag##_run_modes_batch, run_modes, b) \
    FOR_BACKEND(tag##_recv_multishot, recv_multishot, b) \
    FOR_BACKEND(tag##_free_in_callback, free_in_callback, b) \
    FOR_BACKEND(tag##_short_reads, short_reads, b) \
    FOR_BACKEND(tag##_busy_conn_fair, busy_conn_fair, b) \
    FOR_BACKEND(tag##_close_frees_conn, close_frees_conn, b) \
    FOR_BACKEND(tag##_10k_connections, many_connections, b) \
    FOR_BACKEND(tag##_100k_connect_close, connect_close_cycles, b) \
    FOR_BACKEND(tag##_poll_ready, poll_ready, b) \
    FOR_BACKEND(tag##_poll_writable_later, poll_writable_later, b) \
    FOR_BACKEND(tag##_poll_hup_err, poll_hup_err, b) \
    FOR_BACKEND(tag##_poll_cancel_close, poll_cancel_close, b) \
    FOR_BACKEND(tag##_poll_pipe, poll_pipe, b) \
    FOR_BACKEND(tag##_poll_many_fds, poll_many, b) \
    FOR_BACKEND(tag##_poll_edge_in, poll_edge_in, b) \
    FOR_BACKEND(tag##_poll_edge_out, poll_edge_out, b) \
    FOR_BACKEND(tag##_poll_edge_hup, poll_edge_hup, b) \
    FOR_BACKEND(tag##_poll_edge_cancel_close, poll_edge_cancel_close, b)
#define SUITE_ENTRIES(tag)                                                                          \
    PROP_UNIT(t_##tag##_echo_random), PROP_UNIT(t_##tag##_echo_pipelined), PROP_UNIT(t_##tag##_timers_in_order), PROP_UNIT(t_##tag##_timers_heap), \
        PROP_UNIT(t_##tag##_cancel), PROP_UNIT(t_##tag##_close_pending), PROP_UNIT(t_##tag##_wake_thread),      \
        PROP_UNIT(t_##tag##_half_close_reset_refused), PROP_UNIT(t_##tag##_files_pipes_vectors),             \
        PROP_UNIT(t_##tag##_run_modes_batch), PROP_UNIT(t_##tag##_recv_multishot), PROP_UNIT(t_##tag##_free_in_callback), PROP_UNIT(t_##tag##_short_reads), PROP_UNIT(t_##tag##_busy_conn_fair), PROP_UNIT(t_##tag##_close_frees_conn), PROP_UNIT(t_##tag##_10k_connections), PROP_UNIT(t_##tag##_100k_connect_close), \
        PROP_UNIT(t_##tag##_poll_ready), PROP_UNIT(t_##tag##_poll_writable_later), PROP_UNIT(t_##tag##_poll_hup_err), \
        PROP_UNIT(t_##tag##_poll_cancel_close), PROP_UNIT(t_##tag##_poll_pipe), PROP_UNIT(t_##tag##_poll_many_fds), \
        PROP_UNIT(t_##tag##_poll_edge_in), PROP_UNIT(t_##tag##_poll_edge_out), PROP_UNIT(t_##tag##_poll_edge_hup), \
        PROP_UNIT(t_##tag##_poll_edge_cancel_close)

SUITE(io_uring, DX_REACTOR_BACKEND_IOURING)
SUITE(epoll, DX_REACTOR_BACKEND_EPOLL)
SUITE(poll, DX_REACTOR_BACKEND_POLL)
#if defined(DXI_REACTOR_HAS_KQUEUE) /* the BSDs, macOS; Linux with DX_REACTOR_KQUEUE_LIBKQUEUE (make cross) */
SUITE(kqueue, DX_REACTOR_BACKEND_KQUEUE)
FOR_BACKEND(kqueue_send_waits_twice, send_waits_twice, DX_REACTOR_BACKEND_KQUEUE)
static int workers_on(prop_ctx *p, dx_reactor_backend_id b);
FOR_BACKEND(kqueue_workers, workers_on, DX_REACTOR_BACKEND_KQUEUE) /* a loop per thread, a kqueue each */
#define KQUEUE_ENTRIES SUITE_ENTRIES(kqueue), PROP_UNIT(t_kqueue_send_waits_twice), PROP_UNIT(t_kqueue_workers)
#else
static int t_kqueue(prop_ctx *p) {
    PROP_SKIP(p, "kqueue is not built here: the BSDs and macOS have it; on Linux, make cross runs this suite over libkqueue "
                 "(-DDX_REACTOR_KQUEUE_LIBKQUEUE)");
}
#define KQUEUE_ENTRIES PROP_UNIT(t_kqueue)
#endif
#if defined(DXI_REACTOR_HAS_IOCP) /* Windows; make cross runs it under Wine */
SUITE(iocp, DX_REACTOR_BACKEND_IOCP)
#define IOCP_ENTRIES SUITE_ENTRIES(iocp)
#else
static int t_iocp(prop_ctx *p) {
    PROP_SKIP(p, "IOCP is Windows only: make cross runs this suite on it as a mingw-w64 build under Wine");
}
#define IOCP_ENTRIES PROP_UNIT(t_iocp)
#endif

/* ---- backend selection ---- */

/* a backend this build lacks on a POSIX system: kqueue, unless it is built (BSD, macOS, libkqueue) */
#if defined(DXI_REACTOR_HAS_KQUEUE)
#define UNBUILT_POSIX_BACKEND DX_REACTOR_BACKEND_IOCP
#else
#define UNBUILT_POSIX_BACKEND DX_REACTOR_BACKEND_KQUEUE
#endif

static int t_default_order(prop_ctx *p) {
    dx_reactor r;
    dx_reactor_config cfg;
    memset(&cfg, 0, sizeof cfg);
    PROP_CHECK(p, dx_reactor_create(&r, &cfg) == DX_OK);
    prop_note(p, "default backend: %s", dx_reactor_backend_name(&r));
#if defined(_WIN32)
    PROP_CHECK(p, r.backend == DX_REACTOR_BACKEND_IOCP);
    dx_reactor_destroy(&r);
    cfg.backends[0] = DX_REACTOR_BACKEND_POLL; /* not built on Windows */
    cfg.backends[1] = DX_REACTOR_BACKEND_KQUEUE;
    cfg.backend_count = 2;
    PROP_CHECK(p, dx_reactor_create(&r, &cfg) == DX_ERR_UNSUPPORTED);
    cfg.backends[0] = DX_REACTOR_BACKEND_KQUEUE;
    cfg.backends[1] = DX_REACTOR_BACKEND_IOCP;
    PROP_CHECK(p, dx_reactor_create(&r, &cfg) == DX_OK && r.backend == DX_REACTOR_BACKEND_IOCP);
    PROP_CHECK(p, strcmp(dx_reactor_backend_name(&r), "iocp") == 0);
    dx_reactor_destroy(&r);
    return 0;
#endif
    PROP_CHECK(p, r.backend == DX_REACTOR_BACKEND_IOURING || r.backend == DX_REACTOR_BACKEND_EPOLL || r.backend == DX_REACTOR_BACKEND_POLL);
    dx_reactor_destroy(&r);
    /* a list of unavailable backends: UNSUPPORTED */
    cfg.backends[0] = DX_REACTOR_BACKEND_IOCP;
    cfg.backends[1] = UNBUILT_POSIX_BACKEND;
    cfg.backend_count = 2;
    PROP_CHECK(p, dx_reactor_create(&r, &cfg) == DX_ERR_UNSUPPORTED);
    /* a forced order is kept */
    cfg.backends[0] = UNBUILT_POSIX_BACKEND;
    cfg.backends[1] = DX_REACTOR_BACKEND_POLL;
    PROP_CHECK(p, dx_reactor_create(&r, &cfg) == DX_OK && r.backend == DX_REACTOR_BACKEND_POLL);
    PROP_CHECK(p, strcmp(dx_reactor_backend_name(&r), "poll") == 0);
    dx_reactor_destroy(&r);
#if defined(DXI_REACTOR_HAS_KQUEUE)
    cfg.backends[0] = DX_REACTOR_BACKEND_KQUEUE; /* built: kept before poll */
    PROP_CHECK(p, dx_reactor_create(&r, &cfg) == DX_OK && r.backend == DX_REACTOR_BACKEND_KQUEUE);
    PROP_CHECK(p, strcmp(dx_reactor_backend_name(&r), "kqueue") == 0);
    dx_reactor_destroy(&r);
#endif
    return 0;
}

/* ---- memory: init takes the caller's and never allocates; create and destroy use the allocator ---- */

typedef struct count_alloc {
    int allocs, frees;
    size_t live;
} count_alloc;
static void *ca_alloc(size_t size, void *user) {
    count_alloc *c = (count_alloc *)user;
    void *q = malloc(size);
    if (q) c->allocs++, c->live += size;
    return q;
}
static void ca_free(void *ptr, size_t size, void *user) {
    count_alloc *c = (count_alloc *)user;
    c->frees++;
    c->live -= size;
    free(ptr);
}
static dx_reactor_action on_done_flag(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    (void)r, (void)op;
    *(int64_t *)user = res + 1;
    return DX_REACTOR_DISARM;
}
/* create's fd table is calloc'd and left unwritten: a loop for 2^20 fds (a 76 MiB table) becomes resident
   only where fds are used; every backend works in it (a socketpair's echo, fds past the first pages). */
static int t_resident_table(prop_ctx *p) {
#if defined(__linux__)
    static const dx_reactor_backend_id backends[] = {DX_REACTOR_BACKEND_DEFAULT, DX_REACTOR_BACKEND_IOURING, DX_REACTOR_BACKEND_EPOLL,
                                                      DX_REACTOR_BACKEND_POLL};
    size_t k;
    for (k = 0; k < sizeof backends / sizeof backends[0]; k++) {
        dx_reactor_config cfg;
        dx_reactor r;
        dx_op rd, wr;
        char in[8] = {0};
        int sv[2], hi[2];
        long before, after;
        int64_t got = 0, sent = 0;
        memset(&cfg, 0, sizeof cfg);
        cfg.max_fds = 1u << 20;
        if (backends[k] != DX_REACTOR_BACKEND_DEFAULT) cfg.backends[0] = backends[k], cfg.backend_count = 1;
        if (dx_reactor_memory_size(&cfg) == 0) { /* not built here (io_uring with tcc) */
            prop_note(p, "%s not built", dx_reactor_backend_id_name(backends[k]));
            continue;
        }
        PROP_CHECK(p, dx_reactor_memory_size(&cfg) >= ((size_t)64 << 20));
        before = prop_resident_kib();
        if (dx_reactor_create(&r, &cfg) != DX_OK) {
            prop_note(p, "%s unavailable", dx_reactor_backend_id_name(backends[k]));
            continue;
        }
        after = prop_resident_kib();
        PROP_CHECK_MSG(p, before > 0 && after - before < 8192, "%s: %ld KiB resident after create (table %zu KiB)",
                       dx_reactor_backend_id_name(dx_reactor_backend(&r)), after - before, dx_reactor_memory_size(&cfg) / 1024);
        PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0); /* readiness backends want it */
        hi[0] = fcntl(sv[0], F_DUPFD, 5000), hi[1] = fcntl(sv[1], F_DUPFD, 9000); /* slots in other pages of the table */
        if (hi[0] < 0 || hi[1] < 0) { /* RLIMIT_NOFILE under 9,001: the fds of the socketpair do */
            if (hi[0] >= 0) close(hi[0]);
            if (hi[1] >= 0) close(hi[1]);
            hi[0] = dup(sv[0]), hi[1] = dup(sv[1]);
        }
        PROP_CHECK(p, hi[0] >= 0 && hi[1] >= 0);
        dx_op_recv(&rd, (uintptr_t)hi[0], in, sizeof in);
        dx_op_send(&wr, (uintptr_t)hi[1], "resident", 8);
        PROP_CHECK(p, dx_reactor_submit(&r, &rd, on_done_flag, &got) == DX_OK && dx_reactor_submit(&r, &wr, on_done_flag, &sent) == DX_OK);
        PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE) == DX_OK);
        PROP_CHECK_MSG(p, got == 9 && memcmp(in, "resident", 8) == 0 && sent == 9, "recv %lld, send %lld", (long long)got - 1, (long long)sent - 1);
        dx_reactor_destroy(&r);
        close(sv[0]), close(sv[1]), close(hi[0]), close(hi[1]);
    }
#else
    prop_skip(p, "reads /proc/self/statm (Linux)");
#endif
    return 0;
}

static int t_caller_memory(prop_ctx *p) {
    static const dx_reactor_backend_id backends[] = {DX_REACTOR_BACKEND_IOURING, DX_REACTOR_BACKEND_EPOLL, DX_REACTOR_BACKEND_POLL};
    dx_reactor_config cfg;
    dx_reactor_bufring_config bcfg;
    dx_reactor_bufring br;
    dx_reactor r;
    count_alloc ca;
    size_t k, size, sizes[3];
    int before = count_fds(), ran = 0;
#if defined(_WIN32)
    { /* IOCP: its memory is the accepts' address buffers; caller memory, create and the allocator as elsewhere */
        void *mem;
        int64_t fired = 0;
        dx_op t;
        (void)k, (void)sizes, (void)bcfg, (void)br, (void)ran, (void)backends;
        memset(&cfg, 0, sizeof cfg);
        memset(&ca, 0, sizeof ca);
        size = dx_reactor_memory_size(&cfg);
        PROP_CHECK(p, size > 0);
        mem = malloc(size);
        PROP_CHECK(p, mem != NULL);
        PROP_CHECK(p, dx_reactor_init(&r, &cfg, NULL, 0) == DX_ERR_NOSPACE);
        PROP_CHECK(p, dx_reactor_init(&r, &cfg, mem, size - 1) == DX_ERR_NOSPACE);
        PROP_CHECK(p, dx_reactor_init(&r, &cfg, mem, size) == DX_OK && dx_reactor_backend(&r) == DX_REACTOR_BACKEND_IOCP && !r.owns_memory);
        dx_op_timer(&t, 1000, 0);
        PROP_CHECK(p, dx_reactor_submit(&r, &t, on_done_flag, &fired) == DX_OK);
        PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE) == DX_OK && fired == 1);
        dx_reactor_deinit(&r);
        free(mem);
        cfg.allocator.alloc = ca_alloc, cfg.allocator.free = ca_free, cfg.allocator.user = &ca;
        PROP_CHECK(p, dx_reactor_create(&r, &cfg) == DX_OK && r.owns_memory);
        dx_reactor_destroy(&r);
        PROP_CHECK_MSG(p, count_fds() == before, "handles %d, before %d", count_fds(), before);
        return 0;
    }
#else
    memset(&cfg, 0, sizeof cfg);
    memset(&ca, 0, sizeof ca);
    cfg.allocator.alloc = ca_alloc, cfg.allocator.free = ca_free, cfg.allocator.user = &ca;
    cfg.max_fds = 256;
    cfg.backend_count = 1;
    for (k = 0; k < 3; k++) {
        cfg.backends[0] = backends[k];
        sizes[k] = dx_reactor_memory_size(&cfg); /* 0: not built here (io_uring with tcc) */
        PROP_CHECK(p, sizes[k] == 0 || sizes[k] >= 256 * sizeof(dxi_reactor_slot));
    }
    PROP_CHECK(p, sizes[1] > 0 && sizes[2] > sizes[1]); /* poll's arrays come on top of the fd table */
    PROP_CHECK(p, sizes[0] == 0 || sizes[0] == sizes[1]);
    cfg.backend_count = 0; /* the default order: enough for any of them */
    PROP_CHECK(p, dx_reactor_memory_size(&cfg) == sizes[2]);
    cfg.backend_count = 1;
    for (k = 0; k < 3; k++) {
        void *mem;
        int64_t fired = 0;
        dx_op t;
        cfg.backends[0] = backends[k];
        size = sizes[k];
        if (size == 0) continue;
        mem = malloc(size);
        PROP_CHECK(p, mem != NULL);
        memset(mem, 0xA5, size); /* init clears what it is given */
        PROP_CHECK(p, dx_reactor_init(&r, &cfg, NULL, 0) == DX_ERR_NOSPACE);
        PROP_CHECK(p, dx_reactor_init(&r, &cfg, mem, size - 1) == DX_ERR_NOSPACE);
        if (dx_reactor_init(&r, &cfg, mem, size) != DX_OK) { /* io_uring may be unavailable here */
            free(mem);
            prop_note(p, "%s unavailable", dx_reactor_backend_id_name(backends[k]));
            continue;
        }
        ran++;
        PROP_CHECK(p, dx_reactor_backend(&r) == backends[k] && r.memory == mem && !r.owns_memory);
        dx_op_timer(&t, 1000, 0); /* the loop works in that memory */
        dx_reactor_submit(&r, &t, on_done_flag, &fired);
        PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE) == DX_OK && fired == 1);
        memset(&bcfg, 0, sizeof bcfg);
        bcfg.count = 8, bcfg.size = 128, bcfg.group = 5;
        bcfg.allocator = cfg.allocator;
        PROP_CHECK(p, dx_reactor_bufring_create(&r, &br, &bcfg) == DX_OK);
        PROP_CHECK(p, ca.allocs == 1 && ca.live == dx_reactor_bufring_memory_size(&bcfg) && br.owns_memory);
        dx_reactor_bufring_destroy(&r, &br);
        PROP_CHECK(p, ca.frees == 1 && ca.live == 0);
        dx_reactor_deinit(&r);
        PROP_CHECK_MSG(p, ca.allocs == 1, "init or deinit called the allocator (%d allocations)", ca.allocs - 1);
        free(mem);
        PROP_CHECK_MSG(p, count_fds() == before, "deinit left fds open: %d, before %d", count_fds(), before);
        /* create: memory_size bytes, once, from the config's allocator; destroy gives them back */
        memset(&ca, 0, sizeof ca);
        PROP_CHECK(p, dx_reactor_create(&r, &cfg) == DX_OK);
        PROP_CHECK(p, ca.allocs == 1 && ca.live == size && r.owns_memory);
        dx_reactor_destroy(&r);
        PROP_CHECK(p, ca.frees == 1 && ca.live == 0);
        PROP_CHECK(p, count_fds() == before);
        memset(&ca, 0, sizeof ca);
    }
    PROP_CHECK(p, ran > 0);
    /* no backend works: create gives back what it took */
    cfg.backends[0] = UNBUILT_POSIX_BACKEND;
    cfg.backends[1] = DX_REACTOR_BACKEND_IOCP;
    cfg.backend_count = 2;
    PROP_CHECK(p, dx_reactor_memory_size(&cfg) == 0);
    PROP_CHECK(p, dx_reactor_create(&r, &cfg) == DX_ERR_UNSUPPORTED && ca.live == 0);
    return 0;
#endif
}

/* ---- thread-per-core workers: own loop and own SO_REUSEPORT listener each ---- */

#define WK_MAX 8
#define WK_SLOTS 8
typedef struct wk_conn {
    dx_op op, cop;
    uintptr_t fd;
    char buf[64];
    int used;
} wk_conn;
typedef struct wk_state {
    dx_op accept;
    wk_conn conns[WK_SLOTS];
    int accepted, canceled, stopped;
    uint64_t thread_cpu;
} wk_state;
static wk_state wk[WK_MAX];

static dx_reactor_action wk_closed(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    (void)r, (void)op, (void)res;
    ((wk_conn *)user)->used = 0;
    return DX_REACTOR_DISARM;
}
static dx_reactor_action wk_echo(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    wk_conn *c = (wk_conn *)user;
    if (op->kind == DX_OP_KIND_RECV && res > 0) { /* answer once, then close */
        dx_op_send(op, c->fd, c->buf, (size_t)res);
        return DX_REACTOR_REARM;
    }
    dx_op_close(&c->cop, c->fd);
    dx_reactor_submit(r, &c->cop, wk_closed, c);
    return DX_REACTOR_DISARM;
}
static dx_reactor_action wk_accept(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    wk_state *st = (wk_state *)user;
    int i;
    (void)op;
    if (res == DX_ERR_CANCELED) {
        st->canceled++;
        return DX_REACTOR_DISARM; /* stopping: the listener was closed */
    }
    if (res < 0) return DX_REACTOR_REARM;
    st->accepted++;
    for (i = 0; i < WK_SLOTS && st->conns[i].used; i++) {}
    if (i == WK_SLOTS) {
        dx_reactor_fd_close(r, (uintptr_t)res);
        return DX_REACTOR_REARM;
    }
    st->conns[i].used = 1;
    st->conns[i].fd = (uintptr_t)res;
    dx_op_recv(&st->conns[i].op, (uintptr_t)res, st->conns[i].buf, sizeof st->conns[i].buf);
    dx_reactor_submit(r, &st->conns[i].op, wk_echo, &st->conns[i]);
    return DX_REACTOR_REARM;
}
static void wk_start(dx_reactor_worker *w, void *user) {
    wk_state *st = &wk[w->index];
    (void)user;
    dx_op_accept(&st->accept, (uintptr_t)w->listen_fd, NULL, 0);
    dx_reactor_submit(&w->loop, &st->accept, wk_accept, st);
}
static void wk_stop(dx_reactor_worker *w, void *user) {
    (void)user;
    wk[w->index].stopped++;
}

static int workers_on(prop_ctx *p, dx_reactor_backend_id b) {
    dx_reactor_workers g;
    dx_reactor_worker workers[WK_MAX];
    dx_reactor_workers_config cfg;
    dx_reactor_addr a;
    uint16_t port;
    int lfd, i, total = 0, before = count_fds(), busy = 0;
    uint32_t n = dx_reactor_cpu_count() < 2 ? 2 : (dx_reactor_cpu_count() > WK_MAX ? WK_MAX : dx_reactor_cpu_count());
    lfd = listen_loopback(&port); /* a free port; closed before the workers bind it */
    PROP_CHECK(p, lfd >= 0);
    close(lfd);
    PROP_CHECK(p, dx_reactor_addr_make(&a, "127.0.0.1", port) == DX_OK);
    memset(&cfg, 0, sizeof cfg);
    memset(wk, 0, sizeof wk);
    cfg.count = n;
    cfg.pin = true;
    cfg.listen = &a;
    cfg.on_start = wk_start;
    cfg.on_stop = wk_stop;
    cfg.reactor.backends[0] = b;
    cfg.reactor.backend_count = 1;
    PROP_CHECK(p, dx_reactor_workers_start(&g, &cfg, workers, 1) == DX_ERR_NOSPACE);
    PROP_CHECK(p, dx_reactor_workers_start(&g, &cfg, workers, WK_MAX) == DX_OK);
    PROP_CHECK(p, g.count == n);
    for (i = 0; i < (int)n; i++) {
        PROP_CHECK(p, workers[i].listen_fd >= 0);
        prop_note(p, "worker %d: %s on CPU %d", i, dx_reactor_backend_name(&workers[i].loop), workers[i].cpu);
    }
    for (i = 0; i < 64; i++) { /* blocking clients from this thread; the kernel spreads them over the listeners */
        char msg[16], back[16];
        int c = socket(AF_INET, SOCK_STREAM, 0);
        ssize_t got;
        struct timeval tv = {60, 0}; /* a watchdog: a worker that never answers fails the test instead of hanging it */
        PROP_CHECK(p, c >= 0);
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        PROP_CHECK(p, connect(c, (const struct sockaddr *)(const void *)a.storage, a.len) == 0);
        snprintf(msg, sizeof msg, "ping %d", i);
        PROP_CHECK(p, send(c, msg, strlen(msg), 0) == (ssize_t)strlen(msg));
        /* with a receive timeout Linux reports an interruption (an io_uring task's work, a signal) as EINTR
           instead of restarting: retried (make cross's musl build saw one here) */
        for (got = 0; got < (ssize_t)strlen(msg);) {
            ssize_t k = recv(c, back + got, sizeof back - (size_t)got, 0);
            if (k < 0 && errno == EINTR) continue;
            if (k <= 0) {
                if (got == 0) got = k;
                break;
            }
            got += k;
        }
        PROP_CHECK_MSG(p, got == (ssize_t)strlen(msg) && memcmp(back, msg, (size_t)got) == 0, "reply %d: %d bytes, error %d", i,
                       (int)got, got < 0 ? errno : 0);
        close(c);
    }
    PROP_CHECK(p, dx_reactor_workers_stop(&g) == DX_OK);
    for (i = 0; i < (int)n; i++) {
        total += wk[i].accepted;
        busy += wk[i].accepted > 0;
        PROP_CHECK_MSG(p, wk[i].stopped == 1 && wk[i].canceled == 1, "worker %d: stopped %d, accept canceled %d", i, wk[i].stopped,
                       wk[i].canceled);
    }
    prop_note(p, "%d connections over %d workers, %d of them busy", total, (int)n, busy);
    PROP_CHECK(p, total == 64);
    PROP_CHECK_MSG(p, count_fds() == before, "fds %d, before %d", count_fds(), before);
    return 0;
}
#if defined(_WIN32)
/* Windows: workers are threads (CreateThread, SetThreadAffinityMask), each with its own IOCP loop; no
   per-worker listener (no SO_REUSEPORT, and a socket belongs to one completion port). */
static volatile LONG wk_started, wk_iocp;
static dx_reactor_action wk_tick(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    (void)r, (void)op, (void)user;
    if (res == 0) InterlockedIncrement(&wk_iocp);
    return DX_REACTOR_DISARM;
}
static void wk_win_start(dx_reactor_worker *w, void *user) {
    static dx_op ticks[8];
    (void)user;
    if (dx_reactor_backend(&w->loop) == DX_REACTOR_BACKEND_IOCP) {
        dx_op_timer(&ticks[w->index % 8], 1000, 0); /* the worker's loop runs: a timer fires there */
        dx_reactor_submit(&w->loop, &ticks[w->index % 8], wk_tick, NULL);
    }
    InterlockedIncrement(&wk_started);
}
static int t_workers(prop_ctx *p) {
    dx_reactor_workers g;
    static dx_reactor_worker workers[8];
    dx_reactor_workers_config cfg;
    dx_reactor_addr a;
    int i, spins = 0;
    (void)workers_on;
    memset(&cfg, 0, sizeof cfg);
    cfg.count = 4;
    cfg.pin = true;
    cfg.on_start = wk_win_start;
    wk_started = wk_iocp = 0;
    PROP_CHECK(p, dx_reactor_workers_start(&g, &cfg, workers, 8) == DX_OK && g.count == 4);
    for (i = 0; i < 4; i++) prop_note(p, "worker %d on CPU %d", i, workers[i].cpu);
    while (wk_iocp < 4 && spins++ < 60000) Sleep(1); /* a watchdog, not a delay: each worker's timer fires at once */
    PROP_CHECK_MSG(p, wk_started == 4 && wk_iocp == 4, "started %ld, timers fired %ld", (long)wk_started, (long)wk_iocp);
    PROP_CHECK(p, dx_reactor_workers_stop(&g) == DX_OK);
    /* a listener per worker needs SO_REUSEPORT: not on Windows */
    PROP_CHECK(p, dx_reactor_addr_make(&a, "127.0.0.1", 0) == DX_OK);
    cfg.listen = &a;
    PROP_CHECK(p, dx_reactor_workers_start(&g, &cfg, workers, 8) == DX_ERR_UNSUPPORTED);
    return 0;
}
#else
static int t_workers(prop_ctx *p) {
    dx_reactor probe;
    dx_reactor_backend_id b = DX_REACTOR_BACKEND_IOURING;
    if (open_loop(&probe, b) != DX_OK) b = DX_REACTOR_BACKEND_EPOLL;
    else dx_reactor_destroy(&probe);
    if (workers_on(p, b)) return 1;
    return workers_on(p, DX_REACTOR_BACKEND_POLL);
}
#endif

/* ---- a custom backend: an in-memory mock network, as firmware would plug in its own stack ---- */

typedef struct mock_net {
    char data[2][256];
    size_t len[2];
    int closed[2];
    dx_op *waiting[2]; /* one pending recv per end */
    dx_op *polling[2]; /* one pending poll per end */
    int wake_pending, inits, deinits, waits, edges; /* edges: polls started with DX_OP_POLL_EDGE (served as level) */
} mock_net;

/* A poll on an end: its events ready now (readable: bytes or the peer closed; always writable), 0 if none. */
static int64_t mock_poll_ready(const mock_net *m, const dx_op *op) {
    int end = (int)op->fd;
    int64_t res = 0;
    if ((op->flags & DX_OP_POLL_IN) && (m->len[end] > 0 || m->closed[end ^ 1])) res |= DX_OP_POLL_IN;
    if (op->flags & DX_OP_POLL_OUT) res |= DX_OP_POLL_OUT;
    if (m->closed[end ^ 1]) res |= DX_OP_POLL_HUP;
    return res;
}
static void mock_deliver(dx_reactor *r, mock_net *m, int end) {
    dx_op *op = m->waiting[end];
    size_t n;
    if (m->polling[end] && mock_poll_ready(m, m->polling[end])) { /* polls see the state before a recv takes it */
        dx_reactor_custom_complete(r, m->polling[end], mock_poll_ready(m, m->polling[end]), 0);
        m->polling[end] = NULL;
    }
    if (!op) return;
    if (m->len[end] == 0 && !m->closed[end ^ 1]) return;
    n = m->len[end] < op->len ? m->len[end] : op->len;
    memcpy(op->buf, m->data[end], n);
    memmove(m->data[end], m->data[end] + n, m->len[end] - n);
    m->len[end] -= n;
    m->waiting[end] = NULL;
    dx_reactor_custom_complete(r, op, (int64_t)n, 0);
}
static dx_result mock_init(dx_reactor *r, void *user) {
    (void)r;
    ((mock_net *)user)->inits++;
    return DX_OK;
}
static void mock_deinit(dx_reactor *r, void *user) {
    (void)r;
    ((mock_net *)user)->deinits++;
}
static void mock_start(dx_reactor *r, dx_op *op, void *user) {
    mock_net *m = (mock_net *)user;
    int end = (int)op->fd;
    if (end < 0 || end > 1) {
        dx_reactor_custom_complete(r, op, DX_REACTOR_ERR_BADF, 0);
        return;
    }
    switch (op->kind) {
    case DX_OP_KIND_SEND: {
        size_t room = sizeof m->data[0] - m->len[end ^ 1], n = op->len < room ? op->len : room;
        memcpy(m->data[end ^ 1] + m->len[end ^ 1], op->buf, n);
        m->len[end ^ 1] += n;
        dx_reactor_custom_complete(r, op, (int64_t)n, 0);
        mock_deliver(r, m, end ^ 1);
        break;
    }
    case DX_OP_KIND_RECV:
        m->waiting[end] = op;
        mock_deliver(r, m, end);
        break;
    case DX_OP_KIND_POLL: /* this firmware's stack knows its buffers' state: readiness is one look (EDGE too: level here) */
        if (op->flags & DX_OP_POLL_EDGE) m->edges++;
        if (m->polling[end]) {
            dx_reactor_custom_complete(r, op, DX_ERR_BUSY, 0);
            break;
        }
        m->polling[end] = op;
        mock_deliver(r, m, end);
        break;
    case DX_OP_KIND_CLOSE:
        m->closed[end] = 1;
        if (m->polling[end]) {
            dx_reactor_custom_complete(r, m->polling[end], DX_ERR_CANCELED, 0);
            m->polling[end] = NULL;
        }
        if (m->waiting[end]) {
            dx_reactor_custom_complete(r, m->waiting[end], DX_ERR_CANCELED, 0);
            m->waiting[end] = NULL;
        }
        mock_deliver(r, m, end ^ 1); /* the peer sees the end of the stream */
        dx_reactor_custom_complete(r, op, 0, 0);
        break;
    default:
        dx_reactor_custom_complete(r, op, DX_ERR_UNSUPPORTED, 0);
    }
}
static dx_result mock_cancel(dx_reactor *r, dx_op *target, void *user) {
    mock_net *m = (mock_net *)user;
    int end;
    for (end = 0; end < 2; end++) {
        if (m->waiting[end] == target) {
            m->waiting[end] = NULL;
            dx_reactor_custom_complete(r, target, DX_ERR_CANCELED, 0);
            return DX_OK;
        }
        if (m->polling[end] == target) {
            m->polling[end] = NULL;
            dx_reactor_custom_complete(r, target, DX_ERR_CANCELED, 0);
            return DX_OK;
        }
    }
    return DX_ERR_NOTFOUND;
}
static dx_result mock_wait(dx_reactor *r, int64_t timeout_ns, void *user) {
    mock_net *m = (mock_net *)user;
    m->waits++;
    if (m->wake_pending) {
        m->wake_pending = 0;
        dx_reactor_custom_woken(r);
        return DX_OK;
    }
    if (timeout_ns > 0) { /* nothing else can happen in this mock: sleep until the timer */
        struct timespec ts;
        ts.tv_sec = (time_t)(timeout_ns / 1000000000);
        ts.tv_nsec = (long)(timeout_ns % 1000000000);
        nanosleep(&ts, NULL);
    }
    return DX_OK;
}
static dx_result mock_wake(dx_reactor *r, void *user) {
    (void)r;
    ((mock_net *)user)->wake_pending = 1;
    return DX_OK;
}

static int t_custom_backend(prop_ctx *p) {
    static mock_net m;
    dx_reactor_custom vt;
    dx_reactor_config cfg;
    dx_reactor r;
    dx_op a, b, c, t, w;
    result_box box;
    char buf[16];
    uint64_t t0;
    memset(&m, 0, sizeof m);
    memset(&vt, 0, sizeof vt);
    vt.init = mock_init, vt.deinit = mock_deinit, vt.start = mock_start, vt.cancel = mock_cancel;
    vt.wait = mock_wait, vt.wake = mock_wake, vt.user = &m;
    memset(&cfg, 0, sizeof cfg);
    cfg.backends[0] = DX_REACTOR_BACKEND_CUSTOM;
    cfg.backend_count = 1;
    PROP_CHECK(p, dx_reactor_memory_size(&cfg) == 0); /* no fd table: init needs no memory */
    PROP_CHECK(p, dx_reactor_init(&r, &cfg, NULL, 0) == DX_ERR_UNSUPPORTED); /* no vtable given */
    cfg.custom = &vt;
    PROP_CHECK(p, dx_reactor_init(&r, &cfg, NULL, 0) == DX_OK && m.inits == 1);
    PROP_CHECK(p, strcmp(dx_reactor_backend_name(&r), "custom") == 0);
    memset(&box, 0, sizeof box);
    /* send on one end, receive on the other */
    dx_op_recv(&a, 1, buf, sizeof buf);
    submit_rec(&r, &a, &box, 0);
    dx_op_send(&b, 0, "abc", 3);
    submit_rec(&r, &b, &box, 1);
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE) == DX_OK);
    PROP_CHECK(p, box.res[0] == 3 && box.res[1] == 3 && memcmp(buf, "abc", 3) == 0);
    /* cancel a pending recv; a timer (the core's) on this backend */
    dx_op_recv(&a, 1, buf, sizeof buf);
    submit_rec(&r, &a, &box, 2);
    dx_op_cancel(&c, &a);
    submit_rec(&r, &c, &box, 3);
    dx_op_timer(&t, 2000000, 0);
    submit_rec(&r, &t, &box, 4);
    t0 = now_ns();
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE) == DX_OK);
    PROP_CHECK(p, box.res[2] == DX_ERR_CANCELED && box.res[3] == 0 && box.order[2] < box.order[3]);
    PROP_CHECK(p, box.res[4] == 0 && now_ns() - t0 >= 2000000);
    /* wake, then close: the pending recv on the other end sees the end of the stream */
    dx_op_wake_wait(&w);
    submit_rec(&r, &w, &box, 5);
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK && box.n[5] == 0);
    PROP_CHECK(p, dx_reactor_wake(&r) == DX_OK);
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK && box.n[5] == 1 && box.res[5] == 0);
    dx_op_recv(&a, 1, buf, sizeof buf);
    submit_rec(&r, &a, &box, 6);
    dx_op_close(&b, 0);
    submit_rec(&r, &b, &box, 7);
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE) == DX_OK);
    PROP_CHECK(p, box.res[6] == 0 && box.res[7] == 0);
    dx_reactor_deinit(&r);
    PROP_CHECK(p, m.deinits == 1);
    return 0;
}

/* dx_op_poll on a custom backend: the core hands it to start() like any op (the mock network answers it) */
static int t_custom_poll(prop_ctx *p) {
    static mock_net m;
    dx_reactor_custom vt;
    dx_reactor_config cfg;
    dx_reactor r;
    dx_op po, rv, sd, c, cl;
    result_box box;
    char buf[16];
    memset(&m, 0, sizeof m);
    memset(&vt, 0, sizeof vt);
    vt.start = mock_start, vt.cancel = mock_cancel, vt.wait = mock_wait, vt.wake = mock_wake, vt.user = &m;
    memset(&cfg, 0, sizeof cfg);
    cfg.backends[0] = DX_REACTOR_BACKEND_CUSTOM;
    cfg.backend_count = 1;
    cfg.custom = &vt;
    PROP_CHECK(p, dx_reactor_init(&r, &cfg, NULL, 0) == DX_OK);
    memset(&box, 0, sizeof box);
    dx_op_poll(&po, 1, DX_OP_POLL_OUT); /* writable at once */
    submit_rec(&r, &po, &box, 0);
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE) == DX_OK && box.res[0] == DX_OP_POLL_OUT);
    dx_op_poll(&po, 1, DX_OP_POLL_IN); /* nothing to read: waits for the peer's send */
    submit_rec(&r, &po, &box, 1);
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK && box.n[1] == 0);
    dx_op_send(&sd, 0, "ab", 2);
    submit_rec(&r, &sd, &box, 2);
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE) == DX_OK);
    PROP_CHECK_MSG(p, box.res[1] == DX_OP_POLL_IN && box.order[2] < box.order[1], "poll %lld", (long long)box.res[1]);
    dx_op_poll(&po, 1, DX_OP_POLL_IN); /* level: the bytes are still there */
    submit_rec(&r, &po, &box, 3);
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE) == DX_OK && box.res[3] == DX_OP_POLL_IN);
    dx_op_recv(&rv, 1, buf, sizeof buf);
    submit_rec(&r, &rv, &box, 4);
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE) == DX_OK && box.res[4] == 2);
    dx_op_poll(&po, 1, DX_OP_POLL_IN); /* cancel */
    submit_rec(&r, &po, &box, 5);
    dx_op_cancel(&c, &po);
    submit_rec(&r, &c, &box, 6);
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE) == DX_OK);
    PROP_CHECK(p, box.res[5] == DX_ERR_CANCELED && box.res[6] == 0 && box.order[5] < box.order[6]);
    dx_op_poll(&po, 1, DX_OP_POLL_IN); /* the peer closes: IN and HUP */
    submit_rec(&r, &po, &box, 7);
    dx_op_close(&cl, 0);
    PROP_CHECK(p, dx_reactor_submit(&r, &cl, on_ignore, NULL) == DX_OK);
    PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE) == DX_OK);
    PROP_CHECK_MSG(p, box.res[7] == (DX_OP_POLL_IN | DX_OP_POLL_HUP), "poll after the peer closed: %lld", (long long)box.res[7]);
    { /* DX_OP_POLL_EDGE reaches start() in op->flags; this stack serves it as level: REARM starts it again */
        static edge_ctx ec;
        dx_reactor_stats s0, s1;
        memset(&ec, 0, sizeof ec);
        ec.fd = -1; /* nothing to read or write: OUT only, no fill */
        dx_op_poll(&po, 0, DX_OP_POLL_OUT | DX_OP_POLL_EDGE);
        dx_reactor_read_stats(&r, &s0);
        PROP_CHECK(p, dx_reactor_submit(&r, &po, on_edge, &ec) == DX_OK);
        while (ec.calls < 3) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
        ec.disarm = 1;
        PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE) == DX_OK);
        dx_reactor_read_stats(&r, &s1);
        PROP_CHECK_MSG(p, ec.calls == 4 && ec.out_calls == 4 && m.edges == 4 && s1.started - s0.started == 4 && po.state == DX_OP_STATE_IDLE,
                       "EDGE on the mock: %d callbacks, %d EDGE starts, %llu started", ec.calls, m.edges, (unsigned long long)(s1.started - s0.started));
    }
    dx_reactor_deinit(&r);
    return 0;
}

/* io_uring: one multishot accept serves every REARM (the op is started once) */
static int accepted_fds[8], naccepted;
static dx_reactor_action on_accept_count(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    (void)r, (void)op, (void)user;
    if (res >= 0 && naccepted < 8) accepted_fds[naccepted++] = (int)res;
    return naccepted < 5 ? DX_REACTOR_REARM : DX_REACTOR_DISARM;
}
static int t_io_uring_multishot_accept(prop_ctx *p) {
    dx_reactor r;
    dx_op acc;
    dx_reactor_stats s0, s1;
    uint16_t port;
    int lfd, i, c[6], turns = 0;
    struct sockaddr_in a;
    if (open_loop(&r, DX_REACTOR_BACKEND_IOURING) != DX_OK) PROP_SKIP(p, "%s", skip_reason(DX_REACTOR_BACKEND_IOURING, DX_ERR_UNSUPPORTED));
    lfd = listen_loopback(&port);
    PROP_CHECK(p, lfd >= 0);
    fcntl(lfd, F_SETFL, 0); /* blocking: no poll round trip on io_uring */
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(0x7f000001);
    naccepted = 0;
    dx_op_accept(&acc, (uintptr_t)lfd, NULL, 0);
    dx_reactor_submit(&r, &acc, on_accept_count, NULL);
    dx_reactor_read_stats(&r, &s0);
    for (i = 0; i < 6; i++) {
        c[i] = socket(AF_INET, SOCK_STREAM, 0);
        PROP_CHECK(p, c[i] >= 0 && connect(c[i], (struct sockaddr *)&a, sizeof a) == 0);
        if (i < 5)
            while (naccepted <= i && turns++ < 100000) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    }
    dx_reactor_read_stats(&r, &s1);
    PROP_CHECK(p, naccepted == 5 && acc.state == DX_OP_STATE_IDLE);
    PROP_CHECK_MSG(p, s1.started - s0.started == 1, "accept started %llu times for 5 connections", (unsigned long long)(s1.started - s0.started));
    for (i = 0; i < 10; i++) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
    PROP_CHECK_MSG(p, naccepted == 5, "accepted %d after DISARM", naccepted); /* the 6th waits in the backlog */
    for (i = 0; i < 6; i++) close(c[i]);
    for (i = 0; i < naccepted; i++) close(accepted_fds[i]);
    close(lfd);
    dx_reactor_destroy(&r);
    return 0;
}

/* io_uring: large sends go out with SEND_ZC where DX_REACTOR_CFG_SEND_ZC asks for it (the callback
   waits for the notification), and never by default (the notification waits for the peer's ACK) */
static int send_zc_once(prop_ctx *p, bool ask);
static int t_io_uring_send_zc(prop_ctx *p) {
    int rc = send_zc_once(p, false);
    return rc ? rc : send_zc_once(p, true);
}

static int send_zc_once(prop_ctx *p, bool ask) {
    dx_reactor r;
    dx_op snd, rcv;
    static uint8_t out[1 << 20], in[1 << 20];
    result_box box;
    watchdog wd;
    dx_reactor_stats st;
    uint16_t port;
    int lfd, cfd, sfd, turns = 0;
    size_t sent = 0, got = 0, i;
    dx_reactor_addr a;
    g_cfg_flags = ask ? DX_REACTOR_CFG_SEND_ZC : 0;
    i = open_loop(&r, DX_REACTOR_BACKEND_IOURING) != DX_OK;
    g_cfg_flags = 0;
    if (i) PROP_SKIP(p, "%s", skip_reason(DX_REACTOR_BACKEND_IOURING, DX_ERR_UNSUPPORTED));
    if (!ask) PROP_CHECK_MSG(p, !(dx_reactor_features(&r) & DX_REACTOR_FEAT_SEND_ZC), "SEND_ZC without DX_REACTOR_CFG_SEND_ZC");
    if (ask && !(dx_reactor_features(&r) & DX_REACTOR_FEAT_SEND_ZC)) {
        dx_reactor_destroy(&r);
        PROP_SKIP(p, "this kernel has no IORING_OP_SEND_ZC");
    }
    for (i = 0; i < sizeof out; i++) out[i] = (uint8_t)(i * 13 + (i >> 11));
    memset(&box, 0, sizeof box);
    watchdog_start(&r, &wd);
    lfd = listen_loopback(&port);
    PROP_CHECK(p, lfd >= 0 && dx_reactor_addr_make(&a, "127.0.0.1", port) == DX_OK);
    cfd = socket(AF_INET, SOCK_STREAM, 0);
    PROP_CHECK(p, cfd >= 0 && connect(cfd, (const struct sockaddr *)(const void *)a.storage, a.len) == 0);
    fcntl(lfd, F_SETFL, 0);
    sfd = accept(lfd, NULL, NULL);
    PROP_CHECK(p, sfd >= 0);
    dx_op_send(&snd, (uintptr_t)sfd, out, sizeof out);
    submit_rec(&r, &snd, &box, 0);
    dx_op_recv(&rcv, (uintptr_t)cfd, in, sizeof in);
    submit_rec(&r, &rcv, &box, 1);
    while ((sent < sizeof out || got < sizeof out) && !wd.fired && turns++ < 1000000) {
        PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
        if (box.n[0]) {
            PROP_CHECK_MSG(p, box.res[0] > 0, "send: %lld", (long long)box.res[0]);
            sent += (size_t)box.res[0];
            box.n[0] = 0;
            if (sent < sizeof out) {
                dx_op_send(&snd, (uintptr_t)sfd, out + sent, sizeof out - sent);
                submit_rec(&r, &snd, &box, 0);
            }
        }
        if (box.n[1]) {
            PROP_CHECK_MSG(p, box.res[1] > 0, "recv: %lld", (long long)box.res[1]);
            got += (size_t)box.res[1];
            box.n[1] = 0;
            if (got < sizeof in) {
                dx_op_recv(&rcv, (uintptr_t)cfd, in + got, sizeof in - got);
                submit_rec(&r, &rcv, &box, 1);
            }
        }
    }
    PROP_CHECK(p, sent == sizeof out && got == sizeof in && memcmp(in, out, sizeof in) == 0);
    dx_reactor_read_stats(&r, &st);
    if (ask) PROP_CHECK_MSG(p, st.zc_sends > 0, "no SEND_ZC among %llu ops", (unsigned long long)st.started);
    else PROP_CHECK_MSG(p, st.zc_sends == 0, "%llu SEND_ZC without DX_REACTOR_CFG_SEND_ZC", (unsigned long long)st.zc_sends);
    prop_note(p, "%s: %llu SEND_ZC", ask ? "asked for" : "by default", (unsigned long long)st.zc_sends);
    watchdog_stop(&r, &wd);
    PROP_CHECK(p, run_bounded(&r, &wd) == 0);
    close(cfd), close(sfd), close(lfd);
    dx_reactor_destroy(&r);
    return 0;
}

/* io_uring features asked for at run time, each with its fallback */
static int t_io_uring_variants(prop_ctx *p) {
    static const uint32_t variants[] = {DX_REACTOR_CFG_NO_DEFER, DX_REACTOR_CFG_NO_REGISTERED_RING, DX_REACTOR_CFG_SQPOLL};
    unsigned i;
    dx_reactor r;
    if (open_loop(&r, DX_REACTOR_BACKEND_IOURING) != DX_OK) PROP_SKIP(p, "%s", skip_reason(DX_REACTOR_BACKEND_IOURING, open_loop(&r, DX_REACTOR_BACKEND_IOURING)));
    prop_note(p, "default io_uring features: 0x%x", (unsigned)dx_reactor_features(&r));
    PROP_CHECK(p, dx_reactor_features(&r) & (DX_REACTOR_FEAT_DEFER_TASKRUN | DX_REACTOR_FEAT_COOP_TASKRUN));
    dx_reactor_destroy(&r);
    for (i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        int rc;
        g_cfg_flags = variants[i];
        if (open_loop(&r, DX_REACTOR_BACKEND_IOURING) != DX_OK) { /* SQPOLL may need privileges on old kernels */
            g_cfg_flags = 0;
            PROP_CHECK(p, variants[i] == DX_REACTOR_CFG_SQPOLL);
            continue;
        }
        if (variants[i] == DX_REACTOR_CFG_NO_DEFER) PROP_CHECK(p, !(dx_reactor_features(&r) & (DX_REACTOR_FEAT_DEFER_TASKRUN | DX_REACTOR_FEAT_COOP_TASKRUN)));
        if (variants[i] == DX_REACTOR_CFG_NO_REGISTERED_RING) PROP_CHECK(p, !(dx_reactor_features(&r) & DX_REACTOR_FEAT_REGISTERED_RING));
        if (variants[i] == DX_REACTOR_CFG_SQPOLL) PROP_CHECK(p, dx_reactor_features(&r) & DX_REACTOR_FEAT_SQPOLL);
        dx_reactor_destroy(&r);
        rc = echo_scenario(p, DX_REACTOR_BACKEND_IOURING, 8, 4, 100000);
        g_cfg_flags = 0;
        if (rc) return rc;
    }
    return 0;
}

/* io_uring without multishot poll (a kernel before 5.13, or DX_REACTOR_CFG_NO_POLL_MULTI): an EDGE
   poll is a one-shot POLL_ADD, submitted again on each REARM; the EDGE scenarios pass all the same */
static int t_io_uring_poll_edge_oneshot(prop_ctx *p) {
    dx_reactor r;
    int rc;
    if (open_loop(&r, DX_REACTOR_BACKEND_IOURING) != DX_OK) PROP_SKIP(p, "%s", skip_reason(DX_REACTOR_BACKEND_IOURING, DX_ERR_UNSUPPORTED));
    prop_note(p, "this kernel: multishot poll %s", (dx_reactor_features(&r) & DX_REACTOR_FEAT_POLL_MULTI) ? "yes" : "no");
    dx_reactor_destroy(&r);
    g_cfg_flags = DX_REACTOR_CFG_NO_POLL_MULTI;
    PROP_CHECK(p, open_loop(&r, DX_REACTOR_BACKEND_IOURING) == DX_OK);
    PROP_CHECK(p, !(dx_reactor_features(&r) & DX_REACTOR_FEAT_POLL_MULTI));
    dx_reactor_destroy(&r);
    rc = poll_edge_in(p, DX_REACTOR_BACKEND_IOURING);
    if (!rc) rc = poll_edge_out(p, DX_REACTOR_BACKEND_IOURING);
    if (!rc) rc = poll_edge_cancel_close(p, DX_REACTOR_BACKEND_IOURING);
    g_cfg_flags = 0;
    return rc;
}

/* io_uring: two wake-ups before the loop looks (without DEFER_TASKRUN the kernel posts a CQE for each at
   once) give one callback: CQEs that come while an EDGE poll's callback is pending add their bits to it */
static int t_io_uring_poll_edge_coalesce(prop_ctx *p) {
    static const uint32_t variants[] = {0, DX_REACTOR_CFG_NO_DEFER};
    unsigned v;
    for (v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        dx_reactor r;
        dx_op po;
        watchdog wd;
        static edge_ctx c;
        int sv[2], i, round;
        g_cfg_flags = variants[v];
        i = open_loop(&r, DX_REACTOR_BACKEND_IOURING) != DX_OK;
        g_cfg_flags = 0;
        if (i) PROP_SKIP(p, "%s", skip_reason(DX_REACTOR_BACKEND_IOURING, DX_ERR_UNSUPPORTED));
        if (!(dx_reactor_features(&r) & DX_REACTOR_FEAT_POLL_MULTI)) {
            dx_reactor_destroy(&r);
            PROP_SKIP(p, "this kernel has no multishot poll (5.13)");
        }
        memset(&c, 0, sizeof c);
        PROP_CHECK(p, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
        c.fd = sv[0];
        watchdog_start(&r, &wd);
        dx_op_poll(&po, (uintptr_t)sv[0], DX_OP_POLL_IN | DX_OP_POLL_EDGE);
        PROP_CHECK(p, dx_reactor_submit(&r, &po, on_edge, &c) == DX_OK);
        for (i = 0; i < 3; i++) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
        for (round = 0; round < 4; round++) {
            int before = c.calls;
            PROP_CHECK(p, send(sv[1], "ab", 2, 0) == 2 && send(sv[1], "cd", 2, 0) == 2);
            POLL_UNTIL(p, &r, wd, c.got >= (size_t)(round + 1) * 4);
            for (i = 0; i < 3; i++) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_NOWAIT) == DX_OK);
            PROP_CHECK_MSG(p, c.got == (size_t)(round + 1) * 4 && c.calls == before + 1 && c.last == DX_OP_POLL_IN,
                           "flags 0x%x, round %d: %d callbacks for two writes, %lu bytes", (unsigned)variants[v], round, c.calls - before,
                           (unsigned long)c.got);
        }
        dx_reactor_fd_close(&r, (uintptr_t)sv[0]);
        dx_reactor_fd_close(&r, (uintptr_t)sv[1]);
        watchdog_stop(&r, &wd);
        PROP_CHECK(p, run_bounded(&r, &wd) == 0);
        dx_reactor_destroy(&r);
    }
    return 0;
}

/* io_uring_setup blocked by a seccomp filter (as container runtimes do): init falls back to epoll */
static int t_seccomp_fallback(prop_ctx *p) {
#if defined(HAVE_SECCOMP_TEST)
    pid_t pid;
    int status = 0;
    fflush(stdout);
    pid = fork();
    PROP_CHECK(p, pid >= 0);
    if (pid == 0) {
        struct sock_filter f[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_io_uring_setup, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog;
        dx_reactor r;
        dx_reactor_config cfg;
        dx_op t;
        result_box box;
        prog.len = (unsigned short)(sizeof f / sizeof f[0]);
        prog.filter = f;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) _exit(3);
        if (syscall(SYS_io_uring_setup, 4, NULL) != -1 || errno != EPERM) _exit(4); /* the filter works */
        memset(&cfg, 0, sizeof cfg);
        memset(&box, 0, sizeof box);
        if (dx_reactor_create(&r, &cfg) != DX_OK) _exit(5);
        if (dx_reactor_backend(&r) != DX_REACTOR_BACKEND_EPOLL) _exit(6);
        dx_op_timer(&t, 1000000, 0);
        submit_rec(&r, &t, &box, 0);
        if (dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE) != DX_OK || box.n[0] != 1 || box.res[0] != 0) _exit(7);
        dx_reactor_destroy(&r);
        _exit(0);
    }
    PROP_CHECK(p, waitpid(pid, &status, 0) == pid);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 3) PROP_SKIP(p, "seccomp filters cannot be installed here");
    PROP_CHECK_MSG(p, WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status 0x%x", status);
    return 0;
#elif defined(_WIN32)
    PROP_SKIP(p, "seccomp is Linux: the io_uring-to-epoll fallback has nothing to test on Windows");
#else
    PROP_SKIP(p, "the seccomp test is built for x86-64 glibc only");
#endif
}

/* AF_UNIX helpers: listen (a stale socket file replaced, another file kept),
   connect (completes at once), accept through the loop, bytes both ways. */
static int t_unix_sockets(prop_ctx *p) {
    dx_reactor r;
    dx_reactor_config cfg;
    char path[96], longp[200], buf[8];
    int64_t lfd, cfd, afd = -1;
    dx_op acc;
    result_box box;
    watchdog wd;
    int turns = 0;
    FILE *f;
#if defined(_WIN32)
    PROP_CHECK(p, dx_reactor_unix_listen("x", 8) == DX_ERR_UNSUPPORTED && dx_reactor_unix_connect("x") == DX_ERR_UNSUPPORTED);
    PROP_SKIP(p, "AF_UNIX helpers are POSIX only: on Windows they say DX_ERR_UNSUPPORTED (checked)");
#endif
    snprintf(path, sizeof path, "/tmp/dx_reactor_test_%d.sock", (int)getpid());
    memset(longp, 'x', sizeof longp - 1);
    longp[sizeof longp - 1] = 0;
    PROP_CHECK(p, dx_reactor_unix_listen(longp, 8) == DX_ERR_INVAL && dx_reactor_unix_connect("") == DX_ERR_INVAL);
    unlink(path);
    PROP_CHECK(p, dx_reactor_unix_connect(path) == DX_ERR_NOTFOUND);
    f = fopen(path, "w");
    PROP_CHECK(p, f != NULL);
    fclose(f);
    PROP_CHECK(p, dx_reactor_unix_listen(path, 8) == DX_ERR_EXISTS); /* not a socket: kept */
    unlink(path);
    lfd = dx_reactor_unix_listen(path, 8);
    PROP_CHECK(p, lfd >= 0);
    close((int)lfd); /* leaves a stale socket file */
    PROP_CHECK(p, dx_reactor_unix_connect(path) == DX_REACTOR_ERR_REFUSED);
    lfd = dx_reactor_unix_listen(path, 8);     /* replaces it */
    PROP_CHECK(p, lfd >= 0);
    memset(&cfg, 0, sizeof cfg);
    PROP_CHECK(p, dx_reactor_create(&r, &cfg) == DX_OK);
    cfd = dx_reactor_unix_connect(path);
    PROP_CHECK(p, cfd >= 0);
    memset(&box, 0, sizeof box);
    watchdog_start(&r, &wd);
    dx_op_accept(&acc, (uintptr_t)lfd, NULL, 0);
    PROP_CHECK(p, submit_rec(&r, &acc, &box, 0) == DX_OK);
    while (box.n[0] == 0 && !wd.fired && turns++ < 100000) PROP_CHECK(p, dx_reactor_run(&r, DX_REACTOR_RUN_ONCE) == DX_OK);
    watchdog_stop_now(&r, &wd);
    PROP_CHECK(p, box.n[0] == 1 && box.res[0] >= 0);
    afd = box.res[0];
    PROP_CHECK(p, send((int)cfd, "unix", 4, 0) == 4);
    {
        int64_t got = 0;
        if (recv_one(p, &r, (int)afd, buf, sizeof buf, &got)) return 1;
        PROP_CHECK(p, got == 4 && memcmp(buf, "unix", 4) == 0);
    }
    dx_reactor_fd_close(&r, (uintptr_t)afd);
    dx_reactor_fd_close(&r, (uintptr_t)lfd);
    close((int)cfd);
    dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE);
    dx_reactor_destroy(&r);
    unlink(path);
    return 0;
}

static int t_errno_map(prop_ctx *p) {
    PROP_CHECK(p, dx_reactor_from_errno(ECONNREFUSED) == DX_REACTOR_ERR_REFUSED);
    PROP_CHECK(p, dx_reactor_from_errno(ECONNRESET) == DX_REACTOR_ERR_RESET);
    PROP_CHECK(p, dx_reactor_from_errno(EPIPE) == DX_ERR_CLOSED);
    PROP_CHECK(p, dx_reactor_from_errno(ECANCELED) == DX_ERR_CANCELED);
    PROP_CHECK(p, dx_reactor_from_errno(EMFILE) == DX_ERR_LIMIT);
    PROP_CHECK(p, dx_reactor_from_errno(EDOM) == DX_ERR_OS);
    PROP_CHECK(p, strcmp(dx_reactor_result_name(DX_REACTOR_ERR_RESET), "DX_REACTOR_ERR_RESET") == 0);
    PROP_CHECK(p, strcmp(dx_reactor_result_name(DX_ERR_CANCELED), "DX_ERR_CANCELED") == 0);
    return 0;
}

static const prop_test tests[] = {
    PROP_UNIT(t_default_order),
    PROP_UNIT(t_caller_memory),
    PROP_UNIT(t_resident_table),
    PROP_UNIT(t_errno_map), PROP_UNIT(t_unix_sockets),
    PROP_UNIT(t_seccomp_fallback),
    PROP_UNIT(t_io_uring_variants),
    PROP_UNIT(t_workers),
    PROP_UNIT(t_io_uring_multishot_accept),
    PROP_UNIT(t_io_uring_send_zc),
    PROP_UNIT(t_io_uring_poll_edge_oneshot),
    PROP_UNIT(t_io_uring_poll_edge_coalesce),
    PROP_UNIT(t_custom_backend),
    PROP_UNIT(t_custom_poll),
    SUITE_ENTRIES(io_uring),
    SUITE_ENTRIES(epoll),
    SUITE_ENTRIES(poll),
    KQUEUE_ENTRIES,
    IOCP_ENTRIES,
};

int main(int argc, char **argv) {
#if !defined(_WIN32)
    signal(SIGPIPE, SIG_IGN);
#endif
#if defined(DX_REACTOR_KQUEUE_LIBKQUEUE)
    { /* libkqueue's process-wide fds (its monitoring thread's) exist from the first kqueue on: before any test counts fds */
        dx_reactor r;
        if (open_loop(&r, DX_REACTOR_BACKEND_KQUEUE) == DX_OK) dx_reactor_destroy(&r);
    }
#endif
    return prop_main(argc, argv, tests, sizeof tests / sizeof tests[0]);
}
