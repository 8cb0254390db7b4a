/* hbtp_load.c - a closed-loop HBTP load generator (examples/hbtp_server.c's methods).
   usage: hbtp_load [options] [HOST:PORT | --unix PATH]   (HOST: a name or an address)
   Each of --connections connections keeps --pipeline requests in flight: a new
   request goes out as soon as an answer comes back (closed loop: the rate is
   what the server sustains, not a target). The connections are spread over
   --threads threads, each with its own dx_reactor loop; every connection is a
   dx_hbtp client connection (sans-I/O) on that loop, so PING is measured as
   well as RPCs. Answers come back in request order on a connection (HBTP),
   so the send time of each request is kept in a ring per connection and its
   latency taken when its answer arrives, into a histogram of logarithmic
   buckets with 64 linear sub-buckets each (HdrHistogram's layout: at most
   1/64 = 1.6% relative error, 2,300 counters per thread, merged at the end).
   Prints the target, requests/s, p50/p99/p99.9/max latency and its own CPU
   use (getrusage), and one "summary:" line of key=value pairs for scripts.
   Exit 0 when requests were answered; 1 on failure (cannot connect, a
   connection refused or lost, answers still missing 10 s after the end of
   the run, nothing answered); 2 on bad usage. When no connection opened
   (refused, not an HBTP server, no answer to HELLO) or nothing was answered,
   there is no report, only the reason: zeros are not a result. Ctrl-C or
   SIGTERM ends the run early: the report covers the time until then, then
   the program ends by that signal, as a shell expects of one it interrupted. */
#define _FILE_OFFSET_BITS 64 /* files over 2 GiB on 32-bit hosts (tool.h checks): before any header */
#define DX_IMPLEMENTATION
#include "dx_reactor.h"
#include "dx_hbtp.h"
#define TOOL_HOST_NAMES /* tool_host_resolve */
#include "tool.h"
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <time.h>

enum { K_PING, K_ECHO, K_GET, K_SET, K_DEL, K_KINDS };
static const char *const kind_names[K_KINDS] = {"ping", "echo", "get", "set", "del"};
static const uint32_t kind_method[K_KINDS] = {0, 1, 2, 3, 4}; /* hbtp_server's method ids */
enum { KEY_LEN = 12, RECV_SIZE = 64 * 1024 };

/* ---- the histogram: values in ns, HdrHistogram-style buckets ---- */

enum { H_SUB_BITS = 7, H_SUB = 1 << H_SUB_BITS, H_HALF = H_SUB / 2, H_MAX_EXP = 40, H_COUNT = (H_MAX_EXP + 1) * H_HALF + H_SUB };

typedef struct histogram {
    uint64_t counts[H_COUNT];
    uint64_t total, max;
} histogram;

static uint32_t hist_index(uint64_t v) {
    uint32_t mag, e;
    if (v < H_SUB) return (uint32_t)v;
    if (v >> (H_MAX_EXP + H_SUB_BITS - 1)) v = ((uint64_t)1 << (H_MAX_EXP + H_SUB_BITS - 1)) - 1; /* ~20 h: clamp */
    mag = 63u - (uint32_t)__builtin_clzll(v);
    e = mag - (H_SUB_BITS - 1); /* v >> e lands in [H_HALF, H_SUB) */
    return e * H_HALF + (uint32_t)(v >> e);
}

/* The largest value that falls in bucket i (reported, as HdrHistogram's
   "highest equivalent value": a percentile is never understated). */
static uint64_t hist_upper(uint32_t i) {
    uint32_t e, m;
    if (i < H_SUB) return i;
    e = i / H_HALF - 1;
    m = i - e * H_HALF;
    return (((uint64_t)m + 1) << e) - 1;
}

static void hist_add(histogram *h, uint64_t v) {
    h->counts[hist_index(v)]++;
    h->total++;
    if (v > h->max) h->max = v;
}

static void hist_merge(histogram *into, const histogram *h) {
    uint32_t i;
    for (i = 0; i < H_COUNT; i++) into->counts[i] += h->counts[i];
    into->total += h->total;
    if (h->max > into->max) into->max = h->max;
}

/* The value at quantile q (0..1): the bucket where the count reaches ceil(q * total). */
static uint64_t hist_quantile(const histogram *h, double q) {
    uint64_t want = (uint64_t)(q * (double)h->total + 0.999999), seen = 0;
    uint32_t i;
    if (want == 0) want = 1;
    for (i = 0; i < H_COUNT; i++) {
        seen += h->counts[i];
        if (seen >= want) return hist_upper(i) < h->max ? hist_upper(i) : h->max;
    }
    return h->max;
}

/* ---- options, shared read-only by the threads ---- */

static struct {
    const char *host, *unix_path, *token, *cdf_path;
    const char *resolved;    /* host was a name: the address of it the run uses */
    uint16_t port;
    uint32_t connections, pipeline, threads, size, keys;
    uint64_t duration_ns;
    uint32_t weights[K_KINDS], weight_total;
    char mix_text[128];
    dx_reactor_config reactor;
    dx_reactor_addr addr;
    bool ipv6;
} opt;

static uint8_t *payload; /* --size bytes, the same for every request */

/* ---- one connection ---- */

struct worker;

typedef struct lconn {
    struct worker *w;
    dx_hbtp_conn h;
    uintptr_t fd;
    dx_op connect_op, recv_op, send_op, close_op;
    uint8_t *rbuf;
    size_t roff, rlen;       /* received, not fed yet */
    uint64_t *sent_ns;       /* ring of --pipeline send times, in request order */
    uint32_t head, inflight;
    bool connected, sending, receiving, closing, closed, failed;
    bool open; /* HELLO|ACK came: the server's limits are known */
} lconn;

typedef struct worker {
    pthread_t thread;
    uint32_t index, conn_count, open, live;
    uint32_t opened;         /* connections whose HELLO|ACK came: the ones that carried load */
    lconn *conns;
    dx_reactor loop;
    dx_op timer_op, drain_op, wake_op;
    pthread_mutex_t lock;    /* has_loop, for the main thread's dx_reactor_wake */
    uint8_t *set_body;       /* u16 key length, a key, the payload: SET's body */
    bool stopping, loop_ok, has_loop;
    uint64_t rng, start_ns, end_ns;
    histogram hist;
    uint64_t answered, errors, misses, lost_conns;
    uint16_t first_code;     /* the first ERROR answer's code and message, to say what the errors were */
    char first_message[64];
    dx_result first_error;
    char error_text[256];   /* the first failed connection's story, in words (note_failure) */
    char backend[16];
} worker;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint32_t rng_next(worker *w) { /* xorshift64* */
    w->rng ^= w->rng >> 12;
    w->rng ^= w->rng << 25;
    w->rng ^= w->rng >> 27;
    return (uint32_t)((w->rng * 0x2545f4914f6cdd1dull) >> 32);
}

static void conn_fail(lconn *c, dx_result why, const char *fmt, ...);
static void conn_pump(lconn *c);

/* One request of the mix into c's output; false when it cannot go now. */
static bool issue(lconn *c) {
    worker *w = c->w;
    uint32_t pick = rng_next(w) % opt.weight_total, k = 0;
    uint8_t body[2 + KEY_LEN];
    char key[KEY_LEN];
    int64_t r;
    while (pick >= opt.weights[k]) pick -= opt.weights[k], k++;
    if (k == K_PING) {
        r = dx_hbtp_conn_ping(&c->h, payload, opt.size);
    } else if (k == K_ECHO) {
        r = dx_hbtp_conn_call(&c->h, kind_method[k], payload, opt.size);
    } else {
        uint32_t n = rng_next(w) % opt.keys, d; /* "key:" and 8 digits (--keys <= 10^8) */
        memcpy(key, "key:", 4);
        for (d = KEY_LEN; d-- > 4; n /= 10) key[d] = (char)('0' + n % 10);
        if (k == K_SET) {
            /* SET's body: u16 key length, key, value (the payload, already in place) */
            memcpy(w->set_body + 2, key, KEY_LEN);
            r = dx_hbtp_conn_call(&c->h, kind_method[k], w->set_body, 2 + KEY_LEN + (size_t)opt.size);
        } else {
            memcpy(body, key, KEY_LEN);
            r = dx_hbtp_conn_call(&c->h, kind_method[k], body, KEY_LEN);
        }
    }
    if (r == DX_HBTP_ERR_TOO_LARGE) { /* it never fits: say so, rather than wait for nothing */
        char what[96];
        snprintf(what, sizeof what, "a request's body is above the server's max payload, %u bytes (--size)",
                 (unsigned)c->h.max_payload);
        conn_fail(c, (dx_result)r, "%s", what);
        return false;
    }
    if (r < 0) return false; /* BUSY or NOSPACE: after the next answer */
    c->sent_ns[(c->head + c->inflight) % opt.pipeline] = now_ns();
    c->inflight++;
    return true;
}

/* n bytes for a message on a terminal: printable ASCII as it is, any other byte as \xNN
   (a server's ERROR text, or the first bytes of something that is not HBTP). */
static void printable(char *out, size_t cap, const uint8_t *p, size_t n) {
    size_t i, o = 0;
    out[0] = 0;
    for (i = 0; i < n && o + 5 < cap; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\') out[o++] = (char)p[i];
        else o += (size_t)snprintf(out + o, cap - o, "\\x%02x", (unsigned)p[i]);
    }
    out[o] = 0;
}

/* Requests wait for HELLO|ACK: before it, the server's max in flight is not
   known, and going past it is a protocol error (one round trip, once). */
static void refill(lconn *c) {
    if (c->w->stopping || c->closing || !c->open) return;
    while (c->inflight < opt.pipeline && issue(c)) {}
}

/* Every answer frame (dx_hbtp's on_frame, during feed). */
static void on_frame(dx_hbtp_conn *h, const dx_hbtp_frame *f, void *user) {
    lconn *c = (lconn *)user;
    worker *w = c->w;
    uint64_t t;
    (void)h;
    if (f->opcode == DX_HBTP_OP_HELLO) { /* HELLO|ACK */
        c->open = true;
        w->opened++;
        return;
    }
    if (f->opcode == DX_HBTP_OP_GOAWAY || (f->opcode == DX_HBTP_OP_ERROR && f->stream == 0)) {
        /* the server's code and message say why: "too many connections", "unauthorized" */
        bool goaway = f->opcode == DX_HBTP_OP_GOAWAY;
        uint16_t code = f->length >= 4 ? dx_load_u16le(f->payload + (goaway ? 2 : 0)) : 0;
        char text[80];
        printable(text, sizeof text, f->length > 4 ? f->payload + 4 : NULL, f->length > 4 ? f->length - 4 : 0);
        if (!c->open)
            conn_fail(c, DX_HBTP_ERR_REFUSED, "refused by the server: %s %u, \"%s\"%s", goaway ? "GOAWAY" : "ERROR", (unsigned)code, text,
                      code != DX_HBTP_CODE_UNAUTHORIZED ? "" : opt.token ? " (it did not accept the --token)" : " (it wants a --token)");
        else if (goaway)
            conn_fail(c, DX_HBTP_ERR_GOAWAY, "the server said GOAWAY %u, \"%s\"", (unsigned)code, text);
        else
            conn_fail(c, DX_HBTP_ERR_REFUSED, "the server ended the connection: ERROR %u, \"%s\"", (unsigned)code, text);
        return;
    }
    if (f->opcode != DX_HBTP_OP_PONG && f->opcode != DX_HBTP_OP_RPC_RESPONSE && f->opcode != DX_HBTP_OP_ERROR) return;
    if (c->inflight == 0) return; /* an answer to nothing: the server's business, not counted */
    t = now_ns();
    if (!w->stopping) {
        hist_add(&w->hist, t - c->sent_ns[c->head]);
        if (f->opcode == DX_HBTP_OP_ERROR) {
            uint16_t code = f->length >= 2 ? dx_load_u16le(f->payload) : 0;
            if (code == 0x8001) {
                w->misses++, w->answered++; /* GET of a key never SET: an answer */
            } else {
                if (!w->errors++) {
                    printable(w->first_message, sizeof w->first_message, f->length > 4 ? f->payload + 4 : NULL,
                              f->length > 4 ? f->length - 4 : 0);
                    w->first_code = code;
                }
            }
        } else {
            w->answered++;
        }
    }
    c->head = (c->head + 1) % opt.pipeline;
    c->inflight--;
}

static dx_reactor_action on_closed(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    lconn *c = (lconn *)user;
    (void)r, (void)op, (void)res;
    c->closed = true;
    c->w->live--;
    if (c->w->live == 0) dx_reactor_stop(&c->w->loop);
    return DX_REACTOR_DISARM;
}

static void conn_close(lconn *c) {
    if (c->closing) return;
    c->closing = true;
    dx_op_close(&c->close_op, c->fd);
    dx_reactor_submit(&c->w->loop, &c->close_op, on_closed, c);
}

/* dx_reactor's and dx_hbtp's codes, by name (each header knows its own) */
static const char *result_name(dx_result r) {
    const char *n = dx_reactor_result_name(r);
    return strcmp(n, "DX_ERR_UNKNOWN") != 0 ? n : dx_hbtp_result_name(r);
}

/* A connection lost (or never opened): counted, and the worker's first such story kept in
   words, the code's name after them. */
static void note_failurev(worker *w, dx_result why, const char *fmt, va_list ap) {
    size_t n;
    w->lost_conns++;
    if (w->first_error) return;
    w->first_error = why ? why : DX_ERR_IO;
    vsnprintf(w->error_text, sizeof w->error_text, fmt, ap);
    n = strlen(w->error_text);
    snprintf(w->error_text + n, sizeof w->error_text - n, " (%s)", result_name(w->first_error));
}

static void note_failure(worker *w, dx_result why, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    note_failurev(w, why, fmt, ap);
    va_end(ap);
}

static void conn_fail(lconn *c, dx_result why, const char *fmt, ...) {
    worker *w = c->w;
    if (!c->failed && !w->stopping) {
        va_list ap;
        c->failed = true;
        va_start(ap, fmt);
        note_failurev(w, why, fmt, ap);
        va_end(ap);
    }
    conn_close(c);
}

/* A connect's or a socket's failure in words (dx_reactor's codes stand for errno values). */
static const char *connect_words(dx_result r) {
    switch ((int)r) {
    case DX_REACTOR_ERR_REFUSED: return "connection refused, nothing listens there";
    case DX_REACTOR_ERR_UNREACHABLE: return "the network or host is unreachable";
    case DX_REACTOR_ERR_RESET: return "connection reset";
    case DX_REACTOR_ERR_DENIED: return "permission denied";
    case DX_ERR_TIMEOUT: return "timed out";
    case DX_ERR_NOTFOUND: return "no such file";
    default: return "failed";
    }
}

static dx_reactor_action on_sent(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    lconn *c = (lconn *)user;
    (void)r, (void)op;
    c->sending = false;
    if (c->closing) return DX_REACTOR_DISARM;
    if (res < 0) {
        conn_fail(c, (dx_result)res, "send: %s", connect_words((dx_result)res));
        return DX_REACTOR_DISARM;
    }
    dx_hbtp_conn_consume(&c->h, (size_t)res);
    conn_pump(c);
    return DX_REACTOR_DISARM;
}

static dx_reactor_action on_recv(dx_reactor *r, dx_op *op, int64_t res, void *user);

/* Feeds what was received, refills the pipeline, sends, reads: the one place
   that moves a connection on. */
static void conn_pump(lconn *c) {
    worker *w = c->w;
    const uint8_t *out;
    size_t n;
    if (c->closing) return;
    while (c->roff < c->rlen) {
        int64_t used = dx_hbtp_conn_feed(&c->h, c->rbuf + c->roff, c->rlen - c->roff);
        if (c->closing) return;
        if (used < 0) {
            if (!c->open) { /* the first bytes are still at the front of rbuf: what spoke instead of HBTP */
                char text[80];
                printable(text, sizeof text, c->rbuf, c->rlen < 24 ? c->rlen : 24);
                conn_fail(c, (dx_result)used, "not an HBTP server: its first bytes were \"%s\", not HELLO|ACK", text);
            } else {
                conn_fail(c, (dx_result)used, "protocol error");
            }
            return;
        }
        if (used == 0) break; /* output half full: send first */
        c->roff += (size_t)used;
    }
    if (c->roff == c->rlen) c->roff = c->rlen = 0;
    refill(c);
    if (w->stopping && c->inflight == 0) { /* drained */
        conn_close(c);
        return;
    }
    out = dx_hbtp_conn_output(&c->h, &n);
    if (n && !c->sending) {
        c->sending = true;
        dx_op_send(&c->send_op, c->fd, out, n);
        dx_reactor_submit(&w->loop, &c->send_op, on_sent, c);
    }
    if (!c->receiving && c->rlen < RECV_SIZE) {
        if (c->roff) { /* keep the unfed part at the front */
            memmove(c->rbuf, c->rbuf + c->roff, c->rlen - c->roff);
            c->rlen -= c->roff, c->roff = 0;
        }
        c->receiving = true;
        dx_op_recv(&c->recv_op, c->fd, c->rbuf + c->rlen, RECV_SIZE - c->rlen);
        dx_reactor_submit(&w->loop, &c->recv_op, on_recv, c);
    }
}

static dx_reactor_action on_recv(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    lconn *c = (lconn *)user;
    (void)r, (void)op;
    c->receiving = false;
    if (c->closing) return DX_REACTOR_DISARM;
    if (res <= 0) {
        if (res == 0)
            conn_fail(c, DX_ERR_CLOSED, c->open ? "closed by the server" : "closed by the server before it answered HELLO");
        else
            conn_fail(c, (dx_result)res, "recv: %s", connect_words((dx_result)res));
        return DX_REACTOR_DISARM;
    }
    c->rlen += (size_t)res;
    conn_pump(c);
    return DX_REACTOR_DISARM;
}

static void conn_start(lconn *c) {
    c->connected = true;
    c->w->open++;
    conn_pump(c);
}

static dx_reactor_action on_connected(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    lconn *c = (lconn *)user;
    (void)r, (void)op;
    if (res < 0) {
        conn_fail(c, (dx_result)res, "connect: %s", connect_words((dx_result)res));
        return DX_REACTOR_DISARM;
    }
    conn_start(c);
    return DX_REACTOR_DISARM;
}

/* DRAIN_NS after the deadline, the answers still missing are given up: close. */
#define DRAIN_NS 10000000000ull

static dx_reactor_action on_drain_timeout(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    worker *w = (worker *)user;
    uint32_t i;
    uint64_t missing = 0, conns = 0;
    (void)r, (void)op, (void)res;
    for (i = 0; i < w->conn_count; i++) {
        lconn *c = &w->conns[i];
        if (!c->closing && c->inflight) { /* the server stopped answering: a lost connection, not a quiet end */
            missing += c->inflight, conns++;
            w->lost_conns++;
        }
        conn_close(c);
    }
    if (conns && !w->first_error) {
        w->first_error = DX_ERR_TIMEOUT;
        snprintf(w->error_text, sizeof w->error_text, "%llu answers still missing %llu s after the end of the run: the server "
                 "stopped answering (%s)", (unsigned long long)missing, (unsigned long long)(DRAIN_NS / 1000000000u),
                 result_name(DX_ERR_TIMEOUT));
    }
    return DX_REACTOR_DISARM;
}

/* The end of the measured time: no new requests; each connection closes once its answers are in. */
/* Ctrl-C or SIGTERM (the signal's number): the run ends early, the report covers the time until then */
static volatile sig_atomic_t interrupted;

/* The end of the measured time: the deadline, or an interrupt, whichever comes first. */
static void run_end(worker *w) {
    uint32_t i;
    if (w->stopping) return;
    for (i = 0; i < w->conn_count; i++) { /* a connection not open by now carried no load: a failure, said as one */
        lconn *c = &w->conns[i];
        if (!c->closing && !c->open && interrupted)
            conn_fail(c, DX_ERR_CANCELED, c->connected ? "no answer to HELLO before the interrupt" : "connect: not done before the interrupt");
        else if (!c->closing && !c->open)
            conn_fail(c, DX_ERR_TIMEOUT, c->connected ? "no answer to HELLO in the %llu s of the run (not an HBTP server?)"
                                                      : "connect: not done in the %llu s of the run",
                      (unsigned long long)(opt.duration_ns / 1000000000u));
    }
    w->end_ns = now_ns();
    w->stopping = true;
    for (i = 0; i < w->conn_count; i++) {
        lconn *c = &w->conns[i];
        if (!c->closing && c->inflight == 0) conn_close(c);
    }
    if (w->live) {
        dx_op_timer(&w->drain_op, DRAIN_NS, 0);
        dx_reactor_submit(&w->loop, &w->drain_op, on_drain_timeout, w);
    }
}

static dx_reactor_action on_deadline(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    (void)r, (void)op, (void)res;
    run_end((worker *)user);
    return DX_REACTOR_DISARM;
}

/* dx_reactor_wake from the main thread, after a signal */
static dx_reactor_action on_wake(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    (void)r, (void)op, (void)res;
    if (!interrupted) return DX_REACTOR_REARM;
    run_end((worker *)user);
    return DX_REACTOR_DISARM;
}

/* The main thread's news: a byte per signal ('s', from the handler) and per worker that ended ('d'). */
static int events[2] = {-1, -1};

static void event_send(char what) {
    while (write(events[1], &what, 1) < 0 && errno == EINTR) {}
}

/* Destroys w's loop (on its own thread); the main thread wakes it no more. */
static void loop_end(worker *w) {
    snprintf(w->backend, sizeof w->backend, "%s", dx_reactor_backend_name(&w->loop));
    pthread_mutex_lock(&w->lock);
    w->has_loop = false;
    pthread_mutex_unlock(&w->lock);
    dx_reactor_destroy(&w->loop);
}

static void worker_run(worker *w) {
    uint32_t i;
    dx_result rc;
    /* the loop is made on the thread that runs it (io_uring's single issuer) */
    rc = dx_reactor_create(&w->loop, &opt.reactor);
    if (rc != DX_OK) {
        w->first_error = rc;
        w->lost_conns = w->conn_count;
        snprintf(w->error_text, sizeof w->error_text, "cannot make a loop (%s)", dx_reactor_result_name(rc));
        return;
    }
    pthread_mutex_lock(&w->lock);
    w->has_loop = true; /* from now on a signal wakes it (wake_all) */
    pthread_mutex_unlock(&w->lock);
    w->start_ns = now_ns();
    for (i = 0; i < w->conn_count; i++) {
        lconn *c = &w->conns[i];
        w->live++;
        if (opt.unix_path) {
            int64_t fd = dx_reactor_unix_connect(opt.unix_path);
            if (fd < 0) {
                c->fd = (uintptr_t)-1;
                c->closing = c->closed = c->failed = true;
                w->live--;
                note_failure(w, (dx_result)fd, "connect: %s", connect_words((dx_result)fd));
                continue;
            }
            c->fd = (uintptr_t)fd;
            conn_start(c);
        } else {
            int64_t fd = dx_reactor_tcp_socket(opt.ipv6);
            if (fd < 0) {
                c->closing = c->closed = c->failed = true;
                w->live--;
                note_failure(w, (dx_result)fd, "cannot make a socket");
                continue;
            }
            c->fd = (uintptr_t)fd;
            dx_op_connect(&c->connect_op, c->fd, &opt.addr);
            dx_reactor_submit(&w->loop, &c->connect_op, on_connected, c);
        }
    }
    dx_op_timer(&w->timer_op, opt.duration_ns, 0);
    dx_reactor_submit(&w->loop, &w->timer_op, on_deadline, w);
    dx_op_wake_wait(&w->wake_op);
    dx_reactor_submit(&w->loop, &w->wake_op, on_wake, w);
    if (interrupted) run_end(w); /* a signal before the wake-wait was there */
    if (w->live == 0) { /* nothing to wait for but the timer: end at once */
        if (!w->end_ns) w->end_ns = now_ns();
        loop_end(w);
        return;
    }
    rc = dx_reactor_run(&w->loop, DX_REACTOR_RUN_UNTIL_DONE);
    if (!w->end_ns) w->end_ns = now_ns();
    w->loop_ok = rc == DX_OK;
    if (rc != DX_OK && !w->first_error) {
        w->first_error = rc;
        w->lost_conns++;
        snprintf(w->error_text, sizeof w->error_text, "the loop failed (%s)", dx_reactor_result_name(rc));
    }
    loop_end(w); /* on its own thread too */
}

static void *worker_main(void *arg) {
    worker_run((worker *)arg);
    event_send('d');
    return NULL;
}

static void on_signal(int sig) {
    int e = errno;
    interrupted = sig;
    event_send('s');
    errno = e;
}

/* After a signal: each loop still running stops its run (on_wake). */
static void wake_all(worker *ws) {
    uint32_t i;
    for (i = 0; i < opt.threads; i++) {
        pthread_mutex_lock(&ws[i].lock);
        if (ws[i].has_loop) dx_reactor_wake(&ws[i].loop);
        pthread_mutex_unlock(&ws[i].lock);
    }
}

/* ---- the command line ---- */

static const char usage[] =
    "usage: hbtp_load [--connections N] [--pipeline D] [--threads T] [--duration S] [--size B] [--mix SPEC]\n"
    "                 [--keys N] [--token JWT] [--backend NAME] [--cdf FILE [-f]] [HOST:PORT | --unix PATH]\n"
    "A closed-loop load generator for hbtp_server: each connection keeps D requests in\n"
    "flight and sends the next as soon as an answer comes back. Prints requests/s, the\n"
    "latency at p50, p99, p99.9 and the maximum (a histogram of log buckets, within 1.6%),\n"
    "its own CPU use, and a \"summary:\" line of key=value pairs.\n"
    "  HOST:PORT          the server: a name, an IPv4 address or an [IPv6] one (default 127.0.0.1:7070)\n"
    "  --unix PATH        an AF_UNIX socket instead\n"
    "  --connections N    connections in all, spread over the threads (default 64)\n"
    "  --pipeline D       requests in flight per connection, 1 to 4096 (default 1)\n"
    "  --threads T        threads, each with its own loop (default 1)\n"
    "  --duration S       seconds of load, 1 to 86400 (default 10); then the answers due are awaited\n"
    "  --size B           payload bytes of PING, ECHO and SET values, 0 to 1M (default 64)\n"
    "  --mix SPEC         kinds and weights, e.g. get:90,set:10 or ping or echo:1,del:1\n"
    "                     (kinds: ping, echo, get, set, del; default echo). GET of a\n"
    "                     key never SET is answered \"not found\": counted as a miss\n"
    "  --keys N           keys used by GET, SET and DEL: key:00000000 to N-1 (default 10000)\n"
    "  --token JWT        the HELLO token (hbtp_server --jwt-secret)\n"
    "  --backend NAME     io_uring, epoll, poll, kqueue or iocp (default: the best this system has)\n"
    "  --cdf FILE         also write the latency distribution: one line per histogram\n"
    "                     bucket in use, \"microseconds cumulative-fraction\" (for gnuplot);\n"
    "                     an existing FILE is refused before the run\n"
    "  -f, --force        --cdf may replace an existing FILE\n"
    "  -h, --help         this text\n"
    "  --version          the dx header versions it is built from\n"
    "Ctrl-C (or SIGTERM) ends the run early: the report covers the time until then, and the\n"
    "program then ends by that signal (exit status 130 for Ctrl-C); a second one ends it at once.\n"
    "exit status: 0 requests were answered, 1 failure (no connection, a connection lost,\n"
    "  answers still missing 10 s after the end, nothing answered; with no connection\n"
    "  open or nothing answered there is no report, only the reason), 2 bad usage\n";

/* "get:90,set:10", "ping", "echo:1,del:1": 0, or -1 for anything else */
static int parse_mix(const char *s) {
    const char *p = s;
    memset(opt.weights, 0, sizeof opt.weights);
    opt.weight_total = 0;
    if (strlen(s) >= sizeof opt.mix_text) return -1;
    while (*p) {
        const char *end = p + strcspn(p, ",:");
        uint64_t wgt = 1;
        int k;
        for (k = 0; k < K_KINDS; k++)
            if ((size_t)(end - p) == strlen(kind_names[k]) && !strncmp(p, kind_names[k], (size_t)(end - p))) break;
        if (k == K_KINDS || opt.weights[k]) return -1;
        p = end;
        if (*p == ':') {
            char num[16];
            size_t n = strcspn(++p, ",");
            if (n == 0 || n >= sizeof num) return -1;
            memcpy(num, p, n), num[n] = 0;
            if (tool_parse_u64(num, 1, 1000000, false, &wgt) != 0) return -1;
            p += n;
        }
        opt.weights[k] = (uint32_t)wgt;
        opt.weight_total += (uint32_t)wgt;
        if (*p == ',') {
            p++;
            if (!*p) return -1;
        }
    }
    if (!opt.weight_total) return -1;
    strcpy(opt.mix_text, s);
    return 0;
}

/* "host:port", "[v6]:port" */
static int parse_target(const char *s) {
    static char host[64];
    const char *colon;
    uint64_t port;
    size_t n;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':') return -1;
        n = (size_t)(close - s - 1);
        colon = close + 1;
        if (n == 0 || n >= sizeof host) return -1;
        memcpy(host, s + 1, n);
        opt.ipv6 = true;
    } else {
        colon = strrchr(s, ':');
        if (!colon) return -1;
        n = (size_t)(colon - s);
        if (n == 0 || n >= sizeof host || memchr(s, ':', n)) return -1;
        memcpy(host, s, n);
        opt.ipv6 = false;
    }
    host[n] = 0;
    if (tool_parse_u64(colon + 1, 1, 65535, false, &port) != 0) return -1;
    opt.host = host;
    opt.port = (uint16_t)port;
    return 0;
}

/* Whether addr takes a TCP connection (within 3 s); the probe closes at once. */
static bool takes_connection(const char *addr) {
    dx_reactor_addr a;
    struct pollfd pfd;
    int fd, err = 1;
    socklen_t len = sizeof err;
    if (dx_reactor_addr_make(&a, addr, opt.port) != DX_OK) return false;
    fd = socket(strchr(addr, ':') ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (connect(fd, (const struct sockaddr *)(const void *)a.storage, (socklen_t)a.len) == 0) {
        err = 0;
    } else if (errno == EINPROGRESS) {
        pfd.fd = fd, pfd.events = POLLOUT, pfd.revents = 0;
        if (poll(&pfd, 1, 3000) == 1) getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    }
    close(fd);
    return err == 0;
}

/* The server's address into opt.addr: a literal as it is; a name resolved, and of its addresses the
   first that takes a connection ("localhost" is often ::1 first, while a server listens on 127.0.0.1
   only); if none does, the first, whose refusal the run reports. Returns an exit status. */
static int resolve_target(void) {
    static tool_host_addr addrs[TOOL_HOST_ADDRS];
    const char *why = "";
    int n, i, pick = 0;
    if (dx_reactor_addr_make(&opt.addr, opt.host, opt.port) == DX_OK) return 0;
    if (opt.ipv6) return tool_usage_error("bad server address [%s] (an IPv6 literal in brackets)", opt.host);
    n = tool_host_resolve(opt.host, addrs, &why);
    if (n == 0) return tool_fail("cannot find %s: %s", opt.host, why);
    for (i = 0; i < n && n > 1; i++)
        if (takes_connection(addrs[i])) {
            pick = i;
            break;
        }
    if (dx_reactor_addr_make(&opt.addr, addrs[pick], opt.port) != DX_OK) return tool_fail("cannot use %s's address %s", opt.host, addrs[pick]);
    opt.ipv6 = strchr(addrs[pick], ':') != NULL;
    opt.resolved = addrs[pick];
    return 0;
}

/* "microseconds cumulative-fraction" per bucket in use, into the output opened
   before the run (tool.h: a temporary name, renamed when whole; an existing
   file only with -f); tool_out_commit says what failed. */
static int write_cdf(const histogram *h, tool_out *o) {
    uint64_t seen = 0;
    uint32_t i;
    for (i = 0; i < H_COUNT && h->total; i++) {
        if (!h->counts[i]) continue;
        seen += h->counts[i];
        fprintf(o->f, "%.3f %.6f\n", (double)hist_upper(i) / 1e3, (double)seen / (double)h->total);
    }
    return tool_out_commit(o);
}

/* Setting up failed: --cdf's temporary file goes too. */
static int out_of_memory(tool_out *cdf) {
    tool_out_abort(cdf);
    return tool_fail("out of memory");
}

/* The workers, their connections (the first made of them), the merged histogram, the payload. */
static void free_all(worker *ws, uint32_t made, histogram *all) {
    uint32_t i, j;
    for (i = 0; i < opt.threads; i++) {
        worker *w = &ws[i];
        for (j = 0; j < w->conn_count && made; j++, made--) {
            dx_hbtp_conn_destroy(&w->conns[j].h);
            free(w->conns[j].rbuf);
            free(w->conns[j].sent_ns);
        }
        free(w->conns);
        free(w->set_body);
    }
    free(ws);
    free(all);
    free(payload);
}

/* After an interrupt, the report out: the program ends by that signal, as the shell expects of
   one it interrupted (a script's loop stops; the exit status is 128 + the signal's number). */
static int die_by_signal(void) {
    fflush(stdout);
    signal(interrupted, SIG_DFL);
    raise(interrupted);
    return TOOL_EXIT_FAIL; /* not reached */
}

static void print_ns(char *out, size_t cap, uint64_t ns) {
    if (ns < 10000) snprintf(out, cap, "%.2f us", (double)ns / 1e3);
    else if (ns < 1000000) snprintf(out, cap, "%.1f us", (double)ns / 1e3);
    else snprintf(out, cap, "%.2f ms", (double)ns / 1e6);
}

int main(int argc, char **argv) {
    uint64_t conns = 64, depth = 1, threads = 1, duration = 10, size = 64, keys = 10000;
    const char *target = NULL, *backend = NULL, *v;
    int rc;
    worker *ws;
    histogram *all;
    struct rusage ru0, ru1;
    uint64_t answered = 0, errors = 0, misses = 0, lost = 0, start = UINT64_MAX, end = 0;
    double wall, cpu_user, cpu_sys, rps;
    char p50[32], p99[32], p999[32], pmax[32];
    char fail_text[256] = "", error_text[128] = "", target_text[320];
    bool cdf_failed = false, force = false;
    tool_out cdf;
    uint32_t i, j, made = 0, opened = 0, done;
    struct sigaction sa;
    sigset_t block, old_mask;
    int a;
    tool_start("hbtp_load", usage);
    opt.host = "127.0.0.1", opt.port = 7070;
    parse_mix("echo");
    for (a = 1; a < argc; a++) {
        bool missing = false;
        const char *s = argv[a];
        if (tool_is_help(s)) return tool_help();
        if (!strcmp(s, "--version"))
            return tool_version(TOOL_HEADER_VERSION("dx_hbtp.h", DX_HBTP_VERSION_MAJOR, DX_HBTP_VERSION_MINOR, DX_HBTP_VERSION_PATCH) ", "
                                TOOL_HEADER_VERSION("dx_reactor.h", DX_REACTOR_VERSION_MAJOR, DX_REACTOR_VERSION_MINOR,
                                                    DX_REACTOR_VERSION_PATCH));
        if ((v = tool_opt_value(argc, argv, &a, "--connections", &missing))) {
            if (tool_parse_u64(v, 1, 100000, false, &conns) != 0) return tool_usage_error("--connections must be 1 to 100000, not \"%s\"", v);
        } else if ((v = tool_opt_value(argc, argv, &a, "--pipeline", &missing))) {
            if (tool_parse_u64(v, 1, 4096, false, &depth) != 0) return tool_usage_error("--pipeline must be 1 to 4096, not \"%s\"", v);
        } else if ((v = tool_opt_value(argc, argv, &a, "--threads", &missing))) {
            if (tool_parse_u64(v, 1, 1024, false, &threads) != 0) return tool_usage_error("--threads must be 1 to 1024, not \"%s\"", v);
        } else if ((v = tool_opt_value(argc, argv, &a, "--duration", &missing))) {
            if (tool_parse_u64(v, 1, 86400, false, &duration) != 0) return tool_usage_error("--duration must be 1 to 86400 seconds, not \"%s\"", v);
        } else if ((v = tool_opt_value(argc, argv, &a, "--size", &missing))) {
            if (tool_parse_u64(v, 0, 1u << 20, true, &size) != 0) return tool_usage_error("--size must be 0 to 1M, not \"%s\"", v);
        } else if ((v = tool_opt_value(argc, argv, &a, "--keys", &missing))) {
            if (tool_parse_u64(v, 1, 100000000, false, &keys) != 0) return tool_usage_error("--keys must be 1 to 100000000, not \"%s\"", v);
        } else if ((v = tool_opt_value(argc, argv, &a, "--mix", &missing))) {
            if (parse_mix(v) != 0) return tool_usage_error("bad --mix \"%s\" (kinds ping, echo, get, set, del; e.g. get:90,set:10)", v);
        } else if ((v = tool_opt_value(argc, argv, &a, "--token", &missing))) {
            opt.token = v;
        } else if ((v = tool_opt_value(argc, argv, &a, "--unix", &missing))) {
            if (!*v) return tool_usage_error("--unix needs a path");
            opt.unix_path = v;
        } else if ((v = tool_opt_value(argc, argv, &a, "--backend", &missing))) {
            backend = v;
        } else if (!strcmp(s, "-f") || !strcmp(s, "--force")) {
            force = true;
        } else if ((v = tool_opt_value(argc, argv, &a, "--cdf", &missing))) {
            if (!*v) return tool_usage_error("--cdf needs a file name");
            opt.cdf_path = v;
        } else if (missing) {
            return tool_usage_error("%s needs a value", s);
        } else if (s[0] == '-') {
            return tool_usage_error("unknown option %s", s);
        } else if (target) {
            return tool_usage_error("one server only (%s, then %s)", target, s);
        } else {
            target = s;
            if (parse_target(s) != 0) return tool_usage_error("bad server \"%s\" (HOST:PORT, [IPv6]:PORT)", s);
        }
    }
    if (target && opt.unix_path) return tool_usage_error("HOST:PORT and --unix exclude each other");
    if (threads > conns) return tool_usage_error("--threads (%llu) must not exceed --connections (%llu)", (unsigned long long)threads,
                                                 (unsigned long long)conns);
    if (opt.token && strlen(opt.token) > 4000) return tool_usage_error("--token is longer than 4000 bytes");
    if (backend) {
        opt.reactor.backends[0] = tool_backend_named(backend);
        if (opt.reactor.backends[0] == DX_REACTOR_BACKEND_DEFAULT)
            return tool_usage_error("unknown backend %s (" TOOL_BACKEND_NAMES ")", backend);
        opt.reactor.backend_count = 1;
    }
    {   /* a backend this system lacks is said plainly, before any load report */
        dx_reactor probe;
        dx_result prc = dx_reactor_create(&probe, &opt.reactor);
        if (prc != DX_OK)
            return tool_fail("cannot make a loop%s%s: %s", backend ? " with backend " : "", backend ? backend : "",
                             dx_reactor_result_name(prc));
        dx_reactor_destroy(&probe);
    }
    opt.connections = (uint32_t)conns, opt.pipeline = (uint32_t)depth, opt.threads = (uint32_t)threads;
    opt.duration_ns = duration * 1000000000u, opt.size = (uint32_t)size, opt.keys = (uint32_t)keys;
    if (!opt.unix_path && (rc = resolve_target()) != 0) return rc;

    {   /* a file per connection, and a few per loop: past the limit, sockets would fail mid-setup, one by one */
        struct rlimit rl;
        rlim_t need = (rlim_t)opt.connections + 8u * opt.threads + 32u;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
            struct rlimit want = rl;
            want.rlim_cur = need;
            if ((rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) || setrlimit(RLIMIT_NOFILE, &want) != 0)
                return tool_fail("--connections %u needs about %llu open files, and this process may open %llu (ulimit -n; "
                                 "its hard limit is %llu): fewer --connections, or a higher ulimit -n",
                                 (unsigned)opt.connections, (unsigned long long)need, (unsigned long long)rl.rlim_cur,
                                 (unsigned long long)rl.rlim_max);
        }
    }
    /* Ctrl-C and SIGTERM end the run early (on_signal, wake_all): this thread takes them, the
       workers block them; a second one ends the program at once (SA_RESETHAND) */
    if (pipe(events) != 0) return tool_fail("cannot make a pipe: %s", strerror(errno));
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = (int)SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* --cdf's file is opened before anything is allocated or run: a refusal costs nothing */
    memset(&cdf, 0, sizeof cdf);
    if (opt.cdf_path && tool_out_open(&cdf, opt.cdf_path, force, NULL) != TOOL_EXIT_OK) return TOOL_EXIT_FAIL;
    payload = (uint8_t *)malloc(opt.size ? opt.size : 1);
    ws = (worker *)calloc(opt.threads, sizeof *ws);
    all = (histogram *)calloc(1, sizeof *all);
    if (!payload || !ws || !all) return out_of_memory(&cdf);
    for (j = 0; j < opt.size; j++) payload[j] = (uint8_t)('a' + j % 26);
    /* everything is made before the clock starts: loops, connections, their memory */
    for (i = 0; i < opt.threads; i++) {
        worker *w = &ws[i];
        w->index = i;
        pthread_mutex_init(&w->lock, NULL);
        w->rng = 0x9e3779b97f4a7c15ull * (i + 1);
        w->conn_count = opt.connections / opt.threads + (i < opt.connections % opt.threads);
        w->conns = (lconn *)calloc(w->conn_count, sizeof *w->conns);
        w->set_body = (uint8_t *)malloc(2 + KEY_LEN + (size_t)opt.size);
        if (!w->conns || !w->set_body) return out_of_memory(&cdf);
        dx_store_u16le(w->set_body, KEY_LEN);
        memcpy(w->set_body + 2 + KEY_LEN, payload, opt.size);
        for (j = 0; j < w->conn_count; j++) {
            lconn *c = &w->conns[j];
            dx_hbtp_conn_config hc;
            memset(&hc, 0, sizeof hc);
            hc.role = DX_HBTP_ROLE_CLIENT;
            hc.max_payload = opt.size + 64 > 4096 ? opt.size + 64 : 4096;
            hc.max_inflight = (uint16_t)(opt.pipeline < 65535 ? opt.pipeline : 65535);
            hc.out_capacity = (size_t)opt.pipeline * (opt.size + 2 + KEY_LEN + 16) + 2 * ((size_t)hc.max_payload + 8) + 4096;
            if (opt.token) hc.token = (const uint8_t *)opt.token, hc.token_len = (uint32_t)strlen(opt.token);
            hc.on_frame = on_frame;
            hc.user = c;
            c->w = w;
            c->rbuf = (uint8_t *)malloc(RECV_SIZE);
            c->sent_ns = (uint64_t *)calloc(opt.pipeline, sizeof *c->sent_ns);
            if (!c->rbuf || !c->sent_ns || dx_hbtp_conn_create(&c->h, &hc) != DX_OK) return out_of_memory(&cdf);
            made++;
            dx_hbtp_conn_hello(&c->h);
        }
    }
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old_mask); /* the workers start with it */
    getrusage(RUSAGE_SELF, &ru0);
    for (i = 0; i < opt.threads; i++)
        if (pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]) != 0) {
            tool_out_abort(&cdf);
            return tool_fail("cannot start thread %u", (unsigned)i);
        }
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    for (done = 0; done < opt.threads;) { /* until every worker ended; a signal wakes them all */
        char b[64];
        ssize_t n = read(events[0], b, sizeof b), k;
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        for (k = 0; k < n; k++) {
            if (b[k] == 'd') done++;
            else wake_all(ws);
        }
    }
    for (i = 0; i < opt.threads; i++) pthread_join(ws[i].thread, NULL);
    getrusage(RUSAGE_SELF, &ru1);
    for (i = 0; i < opt.threads; i++) {
        worker *w = &ws[i];
        hist_merge(all, &w->hist);
        answered += w->answered, errors += w->errors, misses += w->misses, lost += w->lost_conns, opened += w->opened;
        if (w->start_ns < start) start = w->start_ns;
        if (w->end_ns > end) end = w->end_ns;
        if (w->first_error && !fail_text[0]) snprintf(fail_text, sizeof fail_text, "%s", w->error_text);
        if (w->errors && !error_text[0])
            snprintf(error_text, sizeof error_text, w->first_code < 0x8000 ? "the first: ERROR %u, \"%s\"" : "the first: ERROR 0x%04x, \"%s\"",
                     (unsigned)w->first_code, w->first_message);
    }
    if (opt.unix_path) snprintf(target_text, sizeof target_text, "%s", opt.unix_path);
    else if (opt.resolved) snprintf(target_text, sizeof target_text, "%s (%s) port %u", opt.host, opt.resolved, (unsigned)opt.port);
    else snprintf(target_text, sizeof target_text, "%s%s%s:%u", opt.ipv6 ? "[" : "", opt.host, opt.ipv6 ? "]" : "", (unsigned)opt.port);
    /* no connection carried load, or none was answered: no report (its zeros would read as a result), no --cdf */
    if (!opened || (!answered && !errors)) {
        tool_out_abort(&cdf);
        free_all(ws, made, all);
        if (interrupted) {
            tool_fail("interrupted (%s) before any request was answered%s%s", interrupted == SIGINT ? "SIGINT" : "SIGTERM",
                      fail_text[0] ? ": " : "", fail_text);
            return die_by_signal();
        }
        if (!opened)
            return tool_fail("no connection to %s was opened: %s", target_text, fail_text[0] ? fail_text : "?");
        return tool_fail("no request was answered%s%s", fail_text[0] ? ": " : "", fail_text);
    }
    wall = end > start ? (double)(end - start) / 1e9 : 1e-9;
    cpu_user = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) + (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6;
    cpu_sys = (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) + (double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
    rps = (double)answered / wall;
    print_ns(p50, sizeof p50, hist_quantile(all, 0.50));
    print_ns(p99, sizeof p99, hist_quantile(all, 0.99));
    print_ns(p999, sizeof p999, hist_quantile(all, 0.999));
    print_ns(pmax, sizeof pmax, all->max);
    printf("hbtp_load: %s%s, ", opt.unix_path ? "unix " : "", target_text);
    if (opened < opt.connections) printf("%u of ", (unsigned)opened); /* the others never carried load */
    printf("%u connections, %u threads, pipeline %u, %u-byte payload, mix %s, %.2f s, backend %s\n", (unsigned)opt.connections,
           (unsigned)opt.threads, (unsigned)opt.pipeline, (unsigned)opt.size, opt.mix_text, wall, ws[0].backend[0] ? ws[0].backend : "none");
    printf("requests: %llu answered (%llu not found), %llu errors, %.0f requests/s\n", (unsigned long long)answered,
           (unsigned long long)misses, (unsigned long long)errors, rps);
    printf("latency: p50 %s, p99 %s, p99.9 %s, max %s\n", p50, p99, p999, pmax);
    printf("cpu: user %.2f s, system %.2f s, %.1f%% of one core, %.0f ns per request\n", cpu_user, cpu_sys,
           100.0 * (cpu_user + cpu_sys) / wall, answered ? (cpu_user + cpu_sys) * 1e9 / (double)answered : 0.0);
    printf("summary: requests=%llu errors=%llu rps=%.0f p50_us=%.2f p99_us=%.2f p999_us=%.2f max_us=%.2f cpu_user_s=%.3f "
           "cpu_sys_s=%.3f wall_s=%.3f lost_connections=%llu\n",
           (unsigned long long)answered, (unsigned long long)errors, rps, (double)hist_quantile(all, 0.50) / 1e3,
           (double)hist_quantile(all, 0.99) / 1e3, (double)hist_quantile(all, 0.999) / 1e3, (double)all->max / 1e3, cpu_user,
           cpu_sys, wall, (unsigned long long)lost);
    fflush(stdout);
    { /* the server may allow fewer requests in flight than asked (HELLO): say so */
        uint32_t least = opt.pipeline;
        for (i = 0; i < opt.threads; i++)
            for (j = 0; j < ws[i].conn_count; j++)
                if (ws[i].conns[j].h.state != DX_HBTP_STATE_HANDSHAKE && ws[i].conns[j].h.max_inflight < least)
                    least = ws[i].conns[j].h.max_inflight;
        if (least < opt.pipeline)
            tool_warn("the server allows %u requests in flight per connection: RPCs were pipelined %u deep, not %u",
                      (unsigned)least, (unsigned)least, (unsigned)opt.pipeline);
    }
    if (interrupted)
        tool_warn("interrupted (%s) after %.2f s of the %llu s run: the report covers that time",
                  interrupted == SIGINT ? "SIGINT" : "SIGTERM", wall, (unsigned long long)(opt.duration_ns / 1000000000u));
    if (errors && answered) tool_warn("%llu requests were answered with an ERROR (%s)", (unsigned long long)errors, error_text);
    if (opt.cdf_path && write_cdf(all, &cdf) != TOOL_EXIT_OK) cdf_failed = true; /* said by tool_out_commit */
    free_all(ws, made, all);
    if (cdf_failed) return interrupted ? die_by_signal() : TOOL_EXIT_FAIL;
    if (lost)
        tool_fail("%llu of %u connections failed: %s", (unsigned long long)lost, (unsigned)opt.connections,
                  fail_text[0] ? fail_text : "?");
    else if (!answered && errors)
        tool_fail("every request was answered with an ERROR (%s)", error_text);
    if (interrupted) return die_by_signal();
    if (lost || (!answered && errors)) return TOOL_EXIT_FAIL;
    if (!answered) return tool_fail("no request was answered");
    return 0;
}
