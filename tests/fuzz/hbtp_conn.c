/* hbtp_conn.c - libFuzzer harness for dx_hbtp.h's connection engine.
   Build with libFuzzer:  clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/hbtp_conn.c
   Without libFuzzer:     cc -I. tests/fuzz/hbtp_conn.c tests/fuzz/fuzz_main.c   (replays files)
   Input: byte 0 chooses the server's config (bits: 0 small output buffer,
   1 timing reported, 2 auth with token "tok", 3 rate limit, 4-5 max_payload (64, 100, 1024, 4096),
   6 max_inflight 2, 7 a fallback route), bytes 1-2 seed the piece and
   consume sizes; the rest is what the peer sends. A server with a router, all
   three built-in middlewares and a fake clock takes it in pieces (each an
   exact-size copy), its output is consumed in random amounts and checked to
   be valid frames; then a client that said HELLO and made calls takes the
   same bytes. Invariants that break trap. */
#define DX_IMPLEMENTATION
#include "dx_hbtp.h"
#include <stdlib.h>
#include <string.h>

#define FZ_CHECK(c) \
    do { \
        if (!(c)) __builtin_trap(); \
    } while (0)

typedef struct fz_rng { uint64_t s; } fz_rng;
static uint32_t fz_next(fz_rng *r) { /* xorshift64*, deterministic per input */
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return (uint32_t)((r->s * 0x2545f4914f6cdd1dull) >> 32);
}
static size_t fz_upto(fz_rng *r, size_t n) { return n ? (size_t)fz_next(r) % (n + 1) : 0; }

typedef struct fz_clock { uint64_t ns; fz_rng *rng; } fz_clock;
static uint64_t fz_now(void *user) {
    fz_clock *c = (fz_clock *)user;
    c->ns += fz_next(c->rng) % 5000000u;
    return c->ns;
}

static uint8_t fz_big[1 << 16];
static volatile uint64_t fz_sink;

static dx_result fz_echo(dx_hbtp_request *req, void *user) {
    (void)user;
    return dx_hbtp_reply(req, req->body, req->body_len);
}
static dx_result fz_error(dx_hbtp_request *req, void *user) {
    (void)user;
    return dx_hbtp_reply_error(req, 0x8001, "nope");
}
static dx_result fz_fail(dx_hbtp_request *req, void *user) {
    (void)req, (void)user;
    return DX_ERR_CORRUPT;
}
static dx_result fz_big_reply(dx_hbtp_request *req, void *user) {
    uint32_t n = req->body_len >= 4 ? dx_load_u32le(req->body) % (sizeof fz_big + 1) : 0;
    (void)user;
    return dx_hbtp_reply(req, fz_big, n);
}
static dx_result fz_chunks(dx_hbtp_request *req, void *user) {
    uint32_t i, n = req->body_len ? req->body[0] % 5u : 2;
    (void)user;
    for (i = 0; i < n; i++) dx_hbtp_resp_chunk(req->resp, req->frame->stream, req->body, req->body_len, false);
    return dx_hbtp_resp_chunk(req->resp, req->frame->stream, NULL, 0, true);
}
static dx_result fz_not_modified(dx_hbtp_request *req, void *user) {
    (void)user;
    return dx_hbtp_resp_not_modified(req->resp, req->frame->stream, req->body, req->body_len > 16 ? 16 : req->body_len);
}
static dx_result fz_app(dx_hbtp_request *req, void *user) {
    uint32_t i;
    (void)user;
    for (i = 0; i < req->body_len; i++) fz_sink += req->body[i]; /* every byte is readable */
    return req->body_len & 1 ? DX_OK : dx_hbtp_resp_frame(req->resp, 0x81, 0, req->frame->stream, req->body, req->body_len);
}
static dx_result fz_stream(dx_hbtp_request *req, void *user) {
    (void)user;
    if (req->body_len) fz_sink += req->body[req->body_len - 1];
    return req->frame->opcode == DX_HBTP_OP_STREAM_END ? dx_hbtp_reply(req, "done", 4) : DX_OK;
}

typedef struct fz_checker { /* the bytes a server sent, as frames */
    dx_hbtp_framer fr;
    uint8_t buf[8 + 2 * (8 + 4096) + 4096];
    uint32_t max_payload; /* negotiated */
    uint64_t frames;
} fz_checker;

static void fz_check_output(fz_checker *ck, const uint8_t *out, size_t n) {
    dx_hbtp_frame f;
    dx_result err;
    FZ_CHECK(dx_hbtp_framer_feed(&ck->fr, out, n) == DX_OK);
    while ((err = dx_hbtp_framer_next(&ck->fr, &f)) == DX_OK) {
        ck->frames++;
        /* a server sends answers only: never a request, a HELLO without ACK, a PING */
        FZ_CHECK(f.opcode != DX_HBTP_OP_RPC && f.opcode != DX_HBTP_OP_PING);
        FZ_CHECK(f.opcode != DX_HBTP_OP_HELLO || (f.flags & DX_HBTP_FLAG_ACK));
        if (f.opcode != DX_HBTP_OP_HELLO && f.opcode != DX_HBTP_OP_ERROR && f.opcode != DX_HBTP_OP_GOAWAY)
            FZ_CHECK(f.length <= ck->max_payload); /* the client would refuse more */
        if (f.opcode == DX_HBTP_OP_ERROR) FZ_CHECK(f.length >= 4);
    }
    FZ_CHECK(err == DX_ERR_TRUNCATED);
}

static void fz_on_frame(dx_hbtp_conn *c, const dx_hbtp_frame *f, void *user) {
    uint32_t i;
    (void)c, (void)user;
    for (i = 0; i < f->length; i++) fz_sink += f->payload[i];
}

/* Feeds stream to c in random pieces, draining its output in random amounts. */
static int64_t fz_feed(dx_hbtp_conn *c, const uint8_t *stream, size_t len, fz_rng *rng, fz_checker *ck) {
    size_t at = 0;
    int64_t r = 0;
    while (at < len) {
        size_t piece = 1 + fz_upto(rng, (fz_next(rng) & 1) ? 15 : len - at - 1), n;
        const uint8_t *out;
        uint8_t *copy;
        if (piece > len - at) piece = len - at;
        copy = (uint8_t *)malloc(piece);
        if (!copy) abort();
        memcpy(copy, stream + at, piece);
        r = dx_hbtp_conn_feed(c, copy, piece);
        free(copy);
        if (ck && c->state != DX_HBTP_STATE_HANDSHAKE) ck->max_payload = c->max_payload;
        out = dx_hbtp_conn_output(c, &n);
        FZ_CHECK(n <= c->out.cap && c->out.len <= c->out.cap);
        if (r < 0) {
            FZ_CHECK(c->error == (dx_result)r && c->state == DX_HBTP_STATE_CLOSING && c->protocol_errors == 1);
            FZ_CHECK(dx_hbtp_conn_feed(c, stream, len) == r); /* closed for good */
            if (ck) fz_check_output(ck, out, n);
            dx_hbtp_conn_consume(c, n);
            return r;
        }
        FZ_CHECK((size_t)r <= piece);
        if ((size_t)r < piece) { /* backpressure: only a server, only when half full; send it all */
            FZ_CHECK(c->cfg.role == DX_HBTP_ROLE_SERVER && c->out.len > c->out.cap / 2);
            if (ck) fz_check_output(ck, out, n);
            dx_hbtp_conn_consume(c, n);
        } else {
            size_t take = fz_upto(rng, n);
            if (ck) fz_check_output(ck, out, take);
            dx_hbtp_conn_consume(c, take);
        }
        at += (size_t)r;
    }
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const uint32_t payloads[4] = {DX_HBTP_MIN_PAYLOAD, 100, 1024, 4096};
    static fz_checker ck;
    dx_hbtp_route methods[8];
    dx_hbtp_router rt;
    dx_hbtp_conn server, client;
    dx_hbtp_conn_config cfg;
    fz_rng rng;
    fz_clock clk;
    dx_hbtp_timing timing;
    dx_hbtp_ratelimit rl;
    dx_hbtp_auth auth;
    dx_hbtp_static_token tok;
    const uint8_t *stream, *out;
    size_t len, n, i;
    uint8_t conf;
    int64_t r;
    if (size < 3) return 0;
    conf = data[0];
    rng.s = 0x9e3779b97f4a7c15ull ^ ((uint64_t)data[1] << 8 | data[2]);
    stream = data + 3;
    len = size - 3;
    if (!fz_big[1]) for (i = 0; i < sizeof fz_big; i++) fz_big[i] = (uint8_t)(i * 7 + 1);

    dx_hbtp_router_init(&rt, methods, 8);
    dx_hbtp_router_method(&rt, 1, fz_echo, NULL);
    dx_hbtp_router_method(&rt, 2, fz_error, NULL);
    dx_hbtp_router_method(&rt, 3, fz_fail, NULL);
    dx_hbtp_router_method(&rt, 4, fz_big_reply, NULL);
    dx_hbtp_router_method(&rt, 5, fz_chunks, NULL);
    dx_hbtp_router_method(&rt, 6, fz_not_modified, NULL);
    for (i = 0x80; i < 0x84; i++) dx_hbtp_router_opcode(&rt, (uint8_t)i, fz_app, NULL);
    dx_hbtp_router_opcode(&rt, DX_HBTP_OP_STREAM_DATA, fz_stream, NULL);
    dx_hbtp_router_opcode(&rt, DX_HBTP_OP_STREAM_END, fz_stream, NULL);
    if (conf & 0x80) dx_hbtp_router_fallback(&rt, fz_echo, NULL);

    clk.ns = 0, clk.rng = &rng;
    memset(&timing, 0, sizeof timing);
    timing.now = fz_now, timing.clock_user = &clk, timing.report = (conf & 2) != 0;
    memset(&rl, 0, sizeof rl);
    rl.now = fz_now, rl.clock_user = &clk, rl.rate = 1000, rl.burst = 3;
    tok.token = (const uint8_t *)"tok", tok.len = 3;
    memset(&auth, 0, sizeof auth);
    auth.verify = dx_hbtp_verify_static_token, auth.user = &tok;

    /* the server */
    memset(&cfg, 0, sizeof cfg);
    cfg.router = &rt;
    cfg.max_payload = payloads[(conf >> 4) & 3];
    cfg.max_inflight = (conf & 0x40) ? 2 : 64;
    cfg.out_capacity = (conf & 1) ? 64 + (size_t)fz_upto(&rng, 400) : 0;
    cfg.capabilities = DX_HBTP_CAP_TIMING;
    cfg.middleware[cfg.middleware_count++] = dx_hbtp_timing_middleware(&timing);
    if (conf & 8) cfg.middleware[cfg.middleware_count++] = dx_hbtp_ratelimit_middleware(&rl);
    if (conf & 4) cfg.middleware[cfg.middleware_count++] = dx_hbtp_auth_middleware(&auth);
    FZ_CHECK(dx_hbtp_conn_create(&server, &cfg) == DX_OK);
    FZ_CHECK(dx_hbtp_framer_init(&ck.fr, ck.buf, sizeof ck.buf, 0) == DX_OK);
    ck.max_payload = cfg.max_payload;
    ck.frames = 0;
    r = fz_feed(&server, stream, len, &rng, &ck);
    FZ_CHECK(r >= 0 || server.error == (dx_result)r);
    out = dx_hbtp_conn_output(&server, &n);
    fz_check_output(&ck, out, n); /* the rest of the output */
    dx_hbtp_conn_consume(&server, n);
    FZ_CHECK(ck.fr.have == 0); /* frames are written whole or not at all */
    if (r < 0) FZ_CHECK(ck.frames >= 2 || (conf & 1)); /* ERROR + GOAWAY, unless a tiny buffer lost them */
    FZ_CHECK(server.framer.have <= 8 + (size_t)cfg.max_payload);
    dx_hbtp_conn_destroy(&server);

    /* a client that said HELLO and made calls, given the same bytes */
    memset(&cfg, 0, sizeof cfg);
    cfg.role = DX_HBTP_ROLE_CLIENT;
    cfg.max_payload = payloads[(conf >> 4) & 3];
    cfg.capabilities = DX_HBTP_CAP_TIMING;
    cfg.on_frame = fz_on_frame;
    FZ_CHECK(dx_hbtp_conn_create(&client, &cfg) == DX_OK);
    FZ_CHECK(dx_hbtp_conn_hello(&client) == DX_OK);
    for (i = 0; i < 4; i++) FZ_CHECK(dx_hbtp_conn_call(&client, (uint32_t)i, "x", 1) == (int32_t)(i + 1));
    r = fz_feed(&client, stream, len, &rng, NULL);
    FZ_CHECK(r >= 0 || client.error == (dx_result)r);
    if (client.state == DX_HBTP_STATE_OPEN) { /* calls still work as the limits allow */
        int32_t id = dx_hbtp_conn_call(&client, 1, "y", 1);
        FZ_CHECK(id > 0 || id == DX_ERR_BUSY || id == DX_ERR_NOSPACE || id == DX_HBTP_ERR_TOO_LARGE);
    }
    dx_hbtp_conn_destroy(&client);
    return 0;
}
