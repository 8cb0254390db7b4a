/* hbtp_bench.c - dx_hbtp.h against HTTP/1.1 (http-parser), HTTP/2 (nghttp2) and RESP (hiredis reader)

   Build and run: sh bench/run_hbtp.sh [--write-results]   (see that script)
   Options: --runs=N (30)       timed runs per figure, best of (interleaved between the implementations)
            --run-ms=N (10)     the length of one timed run; ~runs x run-ms per figure
            --write-results     replace the hbtp section of --results=PATH (bench/RESULTS.md)
            --only=NAME         only the implementations whose name contains NAME, only the cases
            --case=NAME         whose name contains NAME (ping/1, rpc64/64...); figures printed,
                                no goals, no results (for perf record)
            --frames=N (64)     1 MiB frames in the large-payload stream; 0: skip that part
            --large-runs=N (20) best of, for the large payloads
            --scrub-mb=N (256)  MiB read before every large-payload step, to start it with cold caches

   Part 1, messages: the server side of one connection on one core. The
   client's bytes are built before any timing; each implementation parses
   them (depth requests per input buffer: 1, or 64 pipelined), dispatches
   every request by method id / path / command name to a handler, writes
   the answers into a reusable output buffer, and the output is checked
   (the number of answers and the tag byte of each) and consumed as a
   transport that sent it would. Requests: an 8-byte ping, echoed, and a
   64-byte RPC to an echo method. The peers are in bench/peers/hbtp_*.c.
   dx runs twice: a dx_hbtp_conn server (dx_hbtp_conn_feed +
   dx_hbtp_conn_output + dx_hbtp_conn_consume), and the lower-level path a
   custom server would write (dx_hbtp_framer + dx_hbtp_router_dispatch +
   dx_hbtp_resp writers).

   Part 2, large payloads: a stream of 1 MiB RPC frames through
   dx_hbtp_framer, fed in 64 KiB pieces (each frame assembled: one copy)
   and as one piece (frames point into it: no copy), against memcpy of the
   same bytes in the same run.

   A program, not a test: nothing asserts on time. Exit 1 if any
   implementation's output is wrong.
*/
#include "bench.h" /* first: it sets _POSIX_C_SOURCE */

#define DX_IMPLEMENTATION
#include "../dx_hbtp.h"
#include "peers/hbtp_peers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef BENCH_FLAGS
#define BENCH_FLAGS "?"
#endif

enum { DX_METHOD_HEALTH = 0, DX_METHOD_ECHO = 1, DX_METHOD_STATUS = 2, DX_METHODS = 4 };

static dx_result dx_echo(dx_hbtp_request *req, void *user) {
    (void)user;
    return dx_hbtp_reply(req, req->body, req->body_len);
}

static dx_result dx_health(dx_hbtp_request *req, void *user) {
    (void)user;
    return dx_hbtp_reply(req, "ok", 2);
}

static void dx_router_setup(dx_hbtp_router *rt, dx_hbtp_route *methods) {
    dx_hbtp_router_init(rt, methods, DX_METHODS);
    dx_hbtp_router_method(rt, DX_METHOD_HEALTH, dx_health, NULL);
    dx_hbtp_router_method(rt, DX_METHOD_ECHO, dx_echo, NULL);
    dx_hbtp_router_method(rt, DX_METHOD_STATUS, dx_health, NULL);
}

/* The client's bytes of one batch: PING (stream 0, as dx_hbtp_conn_ping
   sends it) or RPC method 1 on streams 1..depth. */
static uint8_t *dx_client_bytes(int msg, unsigned depth, size_t *out_len) {
    size_t len = hbtp_msg_len(msg), fsize = (size_t)DX_HBTP_HEADER_SIZE + (msg == HBTP_MSG_PING ? 0u : 4u) + len, at = 0;
    uint8_t *in = (uint8_t *)malloc((size_t)depth * fsize), payload[4 + HBTP_RPC_LEN];
    unsigned j;
    if (!in) return NULL;
    for (j = 0; j < depth; j++) {
        if (msg == HBTP_MSG_PING) {
            hbtp_fill(payload, len, j);
            at += (size_t)dx_hbtp_encode(in + at, fsize, DX_HBTP_OP_PING, 0, 0, payload, (uint32_t)len);
        } else {
            dx_store_u32le(payload, DX_METHOD_ECHO);
            hbtp_fill(payload + 4, len, j);
            at += (size_t)dx_hbtp_encode(in + at, fsize, DX_HBTP_OP_RPC, 0, (uint16_t)(j + 1), payload, (uint32_t)(4 + len));
        }
    }
    *out_len = at;
    return in;
}

/* The answers the protocol says a batch gets, built with dx_hbtp_encode. */
static uint8_t *dx_expected_answers(int msg, unsigned depth, size_t *out_len) {
    size_t len = hbtp_msg_len(msg), fsize = (size_t)DX_HBTP_HEADER_SIZE + (msg == HBTP_MSG_PING ? 0u : 4u) + len, at = 0;
    uint8_t *want = (uint8_t *)malloc((size_t)depth * fsize), payload[4 + HBTP_RPC_LEN];
    unsigned j;
    if (!want) return NULL;
    for (j = 0; j < depth; j++) {
        if (msg == HBTP_MSG_PING) {
            hbtp_fill(payload, len, j);
            at += (size_t)dx_hbtp_encode(want + at, fsize, DX_HBTP_OP_PONG, 0, 0, payload, (uint32_t)len);
        } else {
            dx_store_u32le(payload, DX_METHOD_ECHO);
            hbtp_fill(payload + 4, len, j);
            at += (size_t)dx_hbtp_encode(want + at, fsize, DX_HBTP_OP_RPC_RESPONSE, 0, (uint16_t)(j + 1), payload,
                                         (uint32_t)(4 + len));
        }
    }
    *out_len = at;
    return want;
}

static void dx_version(char *out, size_t size) {
    snprintf(out, size, "%d.%d.%d", DX_HBTP_VERSION_MAJOR, DX_HBTP_VERSION_MINOR, DX_HBTP_VERSION_PATCH);
}

/* ---- dx_hbtp_conn: the whole server connection ---- */

typedef struct dxc_ctx {
    int msg;
    unsigned depth;
    uint64_t batches;
    dx_hbtp_route methods[DX_METHODS];
    dx_hbtp_router router;
    dx_hbtp_conn conn;
    int have_conn;
    uint8_t *in;
    size_t in_len, answer_size, tag_at;
} dxc_ctx;

static void dxc_destroy(void *p) {
    dxc_ctx *c = (dxc_ctx *)p;
    if (!c) return;
    if (c->have_conn) dx_hbtp_conn_destroy(&c->conn);
    free(c->in);
    free(c);
}

static void *dxc_create(int msg, unsigned depth, uint64_t batches) {
    dxc_ctx *c = (dxc_ctx *)calloc(1, sizeof *c);
    dx_hbtp_conn client;
    dx_hbtp_conn_config cfg;
    const uint8_t *out;
    size_t len;
    if (!c) return NULL;
    c->msg = msg;
    c->depth = depth;
    c->batches = batches;
    dx_router_setup(&c->router, c->methods);
    memset(&cfg, 0, sizeof cfg); /* a server, 64 KiB frames, 64 in flight */
    cfg.router = &c->router;
    if (dx_hbtp_conn_create(&c->conn, &cfg) != DX_OK) return dxc_destroy(c), (void *)NULL;
    c->have_conn = 1;
    /* the HELLO exchange, from a real client */
    memset(&cfg, 0, sizeof cfg);
    cfg.role = DX_HBTP_ROLE_CLIENT;
    if (dx_hbtp_conn_create(&client, &cfg) != DX_OK) return dxc_destroy(c), (void *)NULL;
    dx_hbtp_conn_hello(&client);
    out = dx_hbtp_conn_output(&client, &len);
    if (dx_hbtp_conn_feed(&c->conn, out, len) != (int64_t)len) len = 0;
    dx_hbtp_conn_consume(&client, len);
    out = dx_hbtp_conn_output(&c->conn, &len);
    if (dx_hbtp_conn_feed(&client, out, len) != (int64_t)len || client.state != DX_HBTP_STATE_OPEN ||
        c->conn.state != DX_HBTP_STATE_OPEN) {
        dx_hbtp_conn_destroy(&client);
        return dxc_destroy(c), (void *)NULL;
    }
    dx_hbtp_conn_consume(&c->conn, len);
    dx_hbtp_conn_destroy(&client);
    c->in = dx_client_bytes(msg, depth, &c->in_len);
    if (!c->in) return dxc_destroy(c), (void *)NULL;
    c->tag_at = DX_HBTP_HEADER_SIZE + (msg == HBTP_MSG_PING ? 0 : 4);
    c->answer_size = c->tag_at + hbtp_msg_len(msg);
    return c;
}

static uint64_t dxc_run(void *p, uint64_t *check) {
    dxc_ctx *c = (dxc_ctx *)p;
    uint64_t b, answers = 0, sum = 0;
    const size_t want = c->depth * c->answer_size;
    unsigned j;
    for (b = 0; b < c->batches; b++) {
        const uint8_t *out;
        size_t len;
        if (dx_hbtp_conn_feed(&c->conn, c->in, c->in_len) != (int64_t)c->in_len) break;
        out = dx_hbtp_conn_output(&c->conn, &len);
        if (len != want) break;
        for (j = 0; j < c->depth; j++) sum += out[j * c->answer_size + c->tag_at];
        dx_hbtp_conn_consume(&c->conn, len);
        answers += c->depth;
    }
    *check += sum;
    return answers;
}

static int dxc_validate(void *p, char *why, size_t size) {
    dxc_ctx *c = (dxc_ctx *)p;
    size_t want_len, len;
    uint8_t *want = dx_expected_answers(c->msg, c->depth, &want_len);
    const uint8_t *out;
    int ok;
    if (!want) return snprintf(why, size, "out of memory"), -1;
    if (dx_hbtp_conn_feed(&c->conn, c->in, c->in_len) != (int64_t)c->in_len) {
        snprintf(why, size, "feed failed: %s", dx_hbtp_result_name(c->conn.error));
        free(want);
        return -1;
    }
    out = dx_hbtp_conn_output(&c->conn, &len);
    ok = hbtp_check_output(out, len, want, want_len, why, size);
    dx_hbtp_conn_consume(&c->conn, len);
    return ok;
}

static void dxc_wire(void *p, double *req, double *ans) {
    dxc_ctx *c = (dxc_ctx *)p;
    *req = (double)c->in_len / c->depth;
    *ans = (double)c->answer_size;
}

static const hbtp_peer hbtp_peer_dx_conn = {
    "dx_hbtp_conn", dx_version, dxc_create, NULL, dxc_run, dxc_validate, dxc_wire, dxc_destroy,
    "a server dx_hbtp_conn (defaults: 64 KiB frames, 64 in flight, no middleware) after a real HELLO "
    "exchange; dx_hbtp_conn_feed per input buffer (framer, PINGs answered by the connection, RPCs through "
    "the router's method table to a handler calling dx_hbtp_reply with the request body), then "
    "dx_hbtp_conn_output + dx_hbtp_conn_consume (nothing copied). Request: PING with 8 bytes on stream 0, "
    "or RPC method 1 with 64 bytes on streams 1..depth"};

/* ---- dx lower level: framer + router + response writer ---- */

typedef struct dxl_ctx {
    int msg;
    unsigned depth;
    uint64_t batches;
    dx_hbtp_route methods[DX_METHODS];
    dx_hbtp_router router;
    dx_hbtp_framer framer;
    dx_hbtp_resp resp;
    uint8_t *fbuf, *obuf;
    uint8_t *in;
    size_t in_len, answer_size, tag_at;
} dxl_ctx;

static void dxl_destroy(void *p) {
    dxl_ctx *c = (dxl_ctx *)p;
    if (!c) return;
    free(c->fbuf);
    free(c->obuf);
    free(c->in);
    free(c);
}

enum { DXL_MAX_PAYLOAD = 1 << 16, DXL_OUT_CAP = 1 << 17 };

static void *dxl_create(int msg, unsigned depth, uint64_t batches) {
    dxl_ctx *c = (dxl_ctx *)calloc(1, sizeof *c);
    if (!c) return NULL;
    c->msg = msg;
    c->depth = depth;
    c->batches = batches;
    dx_router_setup(&c->router, c->methods);
    c->fbuf = (uint8_t *)malloc(DX_HBTP_HEADER_SIZE + DXL_MAX_PAYLOAD);
    c->obuf = (uint8_t *)malloc(DXL_OUT_CAP);
    c->in = dx_client_bytes(msg, depth, &c->in_len);
    if (!c->fbuf || !c->obuf || !c->in) return dxl_destroy(c), (void *)NULL;
    memset(c->fbuf, 0, DX_HBTP_HEADER_SIZE + DXL_MAX_PAYLOAD);
    memset(c->obuf, 0, DXL_OUT_CAP);
    dx_hbtp_framer_init(&c->framer, c->fbuf, DX_HBTP_HEADER_SIZE + DXL_MAX_PAYLOAD, DXL_MAX_PAYLOAD);
    dx_hbtp_resp_init(&c->resp, c->obuf, DXL_OUT_CAP);
    c->tag_at = DX_HBTP_HEADER_SIZE + (msg == HBTP_MSG_PING ? 0 : 4);
    c->answer_size = c->tag_at + hbtp_msg_len(msg);
    return c;
}

/* One input buffer: every frame answered into c->resp; 0 if all went well. */
static int dxl_batch(dxl_ctx *c) {
    dx_hbtp_frame f;
    dx_result err;
    dx_hbtp_framer_feed(&c->framer, c->in, c->in_len);
    while ((err = dx_hbtp_framer_next(&c->framer, &f)) == DX_OK) {
        if (f.opcode == DX_HBTP_OP_RPC && f.length >= DX_HBTP_RPC_SIZE && f.stream != 0) {
            dx_hbtp_request req;
            req.conn = NULL;
            req.frame = &f;
            req.method = dx_load_u32le(f.payload + DX_HBTP_RPC_OFF_METHOD);
            req.body = f.payload + DX_HBTP_RPC_OFF_BODY;
            req.body_len = f.length - DX_HBTP_RPC_SIZE;
            req.resp = &c->resp;
            req.reply_at = (size_t)-1;
            req.start_ns = req.elapsed_ns = 0;
            dx_hbtp_router_dispatch(&c->router, &req);
        } else if (f.opcode == DX_HBTP_OP_PING) {
            dx_hbtp_resp_pong(&c->resp, f.stream, f.payload, f.length);
        } else {
            dx_hbtp_resp_error(&c->resp, f.stream, DX_HBTP_CODE_PROTOCOL, "unexpected frame");
        }
    }
    return err == DX_ERR_TRUNCATED && c->resp.error == DX_OK ? 0 : -1;
}

static uint64_t dxl_run(void *p, uint64_t *check) {
    dxl_ctx *c = (dxl_ctx *)p;
    uint64_t b, answers = 0, sum = 0;
    const size_t want = c->depth * c->answer_size;
    unsigned j;
    for (b = 0; b < c->batches; b++) {
        const uint8_t *out;
        size_t len;
        if (dxl_batch(c) != 0) break;
        out = dx_hbtp_resp_data(&c->resp, &len);
        if (len != want) break;
        for (j = 0; j < c->depth; j++) sum += out[j * c->answer_size + c->tag_at];
        dx_hbtp_resp_consume(&c->resp, len);
        answers += c->depth;
    }
    *check += sum;
    return answers;
}

static int dxl_validate(void *p, char *why, size_t size) {
    dxl_ctx *c = (dxl_ctx *)p;
    size_t want_len, len;
    uint8_t *want = dx_expected_answers(c->msg, c->depth, &want_len);
    const uint8_t *out;
    int ok;
    if (!want) return snprintf(why, size, "out of memory"), -1;
    if (dxl_batch(c) != 0) {
        snprintf(why, size, "framer or writer failed");
        free(want);
        return -1;
    }
    out = dx_hbtp_resp_data(&c->resp, &len);
    ok = hbtp_check_output(out, len, want, want_len, why, size);
    dx_hbtp_resp_consume(&c->resp, len);
    return ok;
}

static void dxl_wire(void *p, double *req, double *ans) {
    dxl_ctx *c = (dxl_ctx *)p;
    *req = (double)c->in_len / c->depth;
    *ans = (double)c->answer_size;
}

static const hbtp_peer hbtp_peer_dx_low = {
    "dx framer+router+resp", dx_version, dxl_create, NULL, dxl_run, dxl_validate, dxl_wire, dxl_destroy,
    "dx_hbtp_framer_feed per input buffer, dx_hbtp_framer_next per frame (zero copy); RPC: a dx_hbtp_request "
    "filled in and dx_hbtp_router_dispatch (method table) to the same handler (dx_hbtp_reply); PING: "
    "dx_hbtp_resp_pong; the dx_hbtp_resp buffer read with dx_hbtp_resp_data and emptied with "
    "dx_hbtp_resp_consume. What a server with its own connection logic would write"};

/* ---- part 1 driver ---- */

enum { I_DXC, I_DXL, I_H1, I_H2, I_RESP, I_COUNT, I_FIRST_PEER = I_H1 };

typedef struct bench_case {
    const char *name;
    int msg;
    unsigned depth;
} bench_case;

static const bench_case cases[] = {
    {"ping/1", HBTP_MSG_PING, 1},
    {"ping/64", HBTP_MSG_PING, 64},
    {"rpc64/1", HBTP_MSG_RPC64, 1},
    {"rpc64/64", HBTP_MSG_RPC64, 64},
};
enum { C_COUNT = sizeof cases / sizeof cases[0] };

typedef struct result {
    double ns;  /* per message, best run; < 0 if not run */
    double req_bytes, ans_bytes;
    uint64_t batches, runs;
} result;

static int fail_count;

static int run_checked(const hbtp_peer *p, void *ctx, const bench_case *bc, uint64_t batches, uint64_t *ns) {
    uint64_t check = 0, answers, t0;
    if (p->prepare) p->prepare(ctx);
    t0 = bench_now_ns();
    answers = p->run(ctx, &check);
    *ns = bench_now_ns() - t0;
    if (answers != batches * bc->depth || check != batches * hbtp_batch_check(bc->depth)) {
        fprintf(stderr, "hbtp_bench: %s %s: %llu answers (expected %llu), check %llu (expected %llu)\n", p->name,
                bc->name, (unsigned long long)answers, (unsigned long long)(batches * bc->depth),
                (unsigned long long)check, (unsigned long long)(batches * hbtp_batch_check(bc->depth)));
        fail_count++;
        return -1;
    }
    return 0;
}

/* One case: every implementation validated, calibrated to run_ns per run,
   then `runs` rounds, each running every implementation once, in a
   rotating order. */
static void run_case(const bench_case *bc, const hbtp_peer *const *impls, const int *active, unsigned runs,
                     uint64_t run_ns, result *res) {
    void *ctx[I_COUNT];
    bench_best best[I_COUNT];
    uint64_t batches[I_COUNT], ns;
    unsigned k, r;
    char why[256];
    for (k = 0; k < I_COUNT; k++) {
        const hbtp_peer *p = impls[k];
        uint64_t b0 = bc->depth == 1 ? 2048 : 32;
        ctx[k] = NULL;
        memset(&res[k], 0, sizeof res[k]);
        res[k].ns = -1;
        bench_best_init(&best[k]);
        if (!active[k]) continue;
        /* validate on a fresh context, then time a short run to size the real ones */
        ctx[k] = p->create(bc->msg, bc->depth, b0);
        if (!ctx[k]) {
            fprintf(stderr, "hbtp_bench: %s %s: create failed\n", p->name, bc->name);
            fail_count++;
            continue;
        }
        if (p->validate(ctx[k], why, sizeof why) != 0) {
            fprintf(stderr, "hbtp_bench: %s %s: wrong output: %s\n", p->name, bc->name, why);
            fail_count++;
            p->destroy(ctx[k]);
            ctx[k] = NULL;
            continue;
        }
        if (run_checked(p, ctx[k], bc, b0, &ns) != 0 || run_checked(p, ctx[k], bc, b0, &ns) != 0) {
            p->destroy(ctx[k]);
            ctx[k] = NULL;
            continue;
        }
        p->destroy(ctx[k]);
        batches[k] = ns ? run_ns * b0 / ns : b0;
        if (batches[k] < 1) batches[k] = 1;
        ctx[k] = p->create(bc->msg, bc->depth, batches[k]);
        if (!ctx[k] || run_checked(p, ctx[k], bc, batches[k], &ns) != 0) { /* warm-up */
            fprintf(stderr, "hbtp_bench: %s %s: failed at full size\n", p->name, bc->name);
            if (ctx[k]) p->destroy(ctx[k]);
            ctx[k] = NULL;
            fail_count++;
            continue;
        }
        p->wire(ctx[k], &res[k].req_bytes, &res[k].ans_bytes);
    }
    for (r = 0; r < runs; r++) {
        for (k = 0; k < I_COUNT; k++) {
            unsigned i = (k + r) % I_COUNT;
            if (!ctx[i]) continue;
            if (run_checked(impls[i], ctx[i], bc, batches[i], &ns) == 0) bench_best_add(&best[i], ns);
        }
    }
    for (k = 0; k < I_COUNT; k++) {
        if (!ctx[k]) continue;
        res[k].batches = batches[k];
        res[k].runs = best[k].runs;
        if (best[k].runs) res[k].ns = (double)best[k].best / ((double)batches[k] * bc->depth);
        impls[k]->destroy(ctx[k]);
    }
}

/* ---- part 2: large payloads ---- */

enum { LARGE_PAYLOAD = 1 << 20, LARGE_PIECE = 64 << 10 };

typedef struct large_result {
    double ns_split, ns_whole, ns_memcpy; /* per run over the whole stream */
    uint64_t copied_split, copied_whole;  /* bytes the framer copied in one pass */
    size_t stream_len;
    unsigned frames;
} large_result;

static uint8_t large_tag(unsigned k) { return (uint8_t)(k * 29u + 5u); }

/* Frames the stream in pieces of `piece` bytes (0 = the whole stream as
   one piece); checks every frame and returns the number seen. */
static unsigned large_frame(dx_hbtp_framer *f, const uint8_t *s, size_t len, size_t piece, uint64_t *sum) {
    dx_hbtp_frame fr;
    size_t at = 0, n;
    unsigned frames = 0;
    dx_result err;
    if (piece == 0) piece = len;
    for (at = 0; at < len; at += n) {
        n = len - at < piece ? len - at : piece;
        if (dx_hbtp_framer_feed(f, s + at, n) != DX_OK) return 0;
        while ((err = dx_hbtp_framer_next(f, &fr)) == DX_OK) {
            if (fr.opcode != DX_HBTP_OP_RPC || fr.length != LARGE_PAYLOAD) return 0;
            *sum += fr.payload[4] + fr.payload[fr.length - 1];
            frames++;
        }
        if (err != DX_ERR_TRUNCATED) return 0;
    }
    return frames;
}

static unsigned large_memcpy(uint8_t *dst, const uint8_t *s, size_t len, uint64_t *sum) {
    const size_t fsize = DX_HBTP_HEADER_SIZE + LARGE_PAYLOAD;
    size_t at;
    unsigned frames = 0;
    for (at = 0; at + fsize <= len; at += fsize) {
        memcpy(dst, s + at, fsize);
        *sum += dst[DX_HBTP_HEADER_SIZE + 4] + dst[fsize - 1];
        frames++;
    }
    return frames;
}

static int run_large(unsigned frames, unsigned runs, size_t scrub, large_result *lr) {
    const size_t fsize = DX_HBTP_HEADER_SIZE + LARGE_PAYLOAD, len = (size_t)frames * fsize;
    uint8_t *stream = (uint8_t *)malloc(len), *fbuf = (uint8_t *)malloc(fsize), *dst = (uint8_t *)malloc(fsize);
    dx_hbtp_framer f;
    bench_best best[3];
    uint64_t want = 0, sum, t0, copied;
    unsigned k, r, step, got;
    if (!stream || !fbuf || !dst) return free(stream), free(fbuf), free(dst), -1;
    memset(fbuf, 0, fsize);
    memset(dst, 0, fsize);
    for (k = 0; k < frames; k++) { /* RPC method 1, then the body: a byte per frame, its last byte another */
        uint8_t *p = stream + (size_t)k * fsize;
        dx_hbtp_encode_header(p, DX_HBTP_OP_RPC, 0, (uint16_t)(k % 64 + 1), LARGE_PAYLOAD);
        dx_store_u32le(p + DX_HBTP_HEADER_SIZE, DX_METHOD_ECHO);
        memset(p + DX_HBTP_HEADER_SIZE + 4, large_tag(k), LARGE_PAYLOAD - 4);
        p[fsize - 1] = (uint8_t)~large_tag(k);
        want += (uint64_t)large_tag(k) + (uint8_t)~large_tag(k);
    }
    dx_hbtp_framer_init(&f, fbuf, fsize, LARGE_PAYLOAD);
    for (k = 0; k < 3; k++) bench_best_init(&best[k]);
    lr->stream_len = len;
    lr->frames = frames;
    for (r = 0; r <= runs; r++) { /* run 0 is the warm-up */
        for (step = 0; step < 3; step++) {
            unsigned which = (step + r) % 3;
            bench_scrub_cache(scrub);
            sum = 0;
            copied = f.bytes_copied;
            t0 = bench_now_ns();
            if (which == 0) got = large_memcpy(dst, stream, len, &sum);
            else got = large_frame(&f, stream, len, which == 1 ? LARGE_PIECE : 0, &sum);
            t0 = bench_now_ns() - t0;
            if (got != frames || sum != want) {
                fprintf(stderr, "hbtp_bench: large payloads, %s: %u frames (expected %u), check %llu (expected %llu)\n",
                        which == 0 ? "memcpy" : which == 1 ? "64 KiB pieces" : "one piece", got, frames,
                        (unsigned long long)sum, (unsigned long long)want);
                fail_count++;
                free(stream), free(fbuf), free(dst);
                return -1;
            }
            if (which == 1) lr->copied_split = f.bytes_copied - copied;
            if (which == 2) lr->copied_whole = f.bytes_copied - copied;
            if (r > 0) bench_best_add(&best[which], t0);
        }
    }
    lr->ns_memcpy = (double)best[0].best;
    lr->ns_split = (double)best[1].best;
    lr->ns_whole = (double)best[2].best;
    free(stream);
    free(fbuf);
    free(dst);
    return 0;
}

/* ---- report ---- */

static void cell_rate(char *out, size_t size, double ns) {
    if (ns < 0) snprintf(out, size, "-");
    else snprintf(out, size, "%.1f ns, %.2f M/s", ns, 1e3 / ns);
}

static void thp_mode(char *out, size_t size) {
    char line[256] = "";
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    const char *b, *e;
    snprintf(out, size, "unknown");
    if (!f) return;
    if (fgets(line, sizeof line, f) && (b = strchr(line, '[')) != NULL && (e = strchr(b, ']')) != NULL)
        snprintf(out, size, "%.*s", (int)(e - b - 1), b + 1);
    fclose(f);
}

int main(int argc, char **argv) {
    unsigned runs = (unsigned)bench_arg_u64(argc, argv, "--runs=", 30);
    uint64_t run_ns = bench_arg_u64(argc, argv, "--run-ms=", 10) * 1000000u;
    int write = bench_has_flag(argc, argv, "--write-results");
    const char *results = bench_arg_str(argc, argv, "--results=", "bench/RESULTS.md");
    const char *only = bench_arg_str(argc, argv, "--only=", NULL);
    const char *only_case = bench_arg_str(argc, argv, "--case=", NULL);
    unsigned frames = (unsigned)bench_arg_u64(argc, argv, "--frames=", 64);
    unsigned large_runs = (unsigned)bench_arg_u64(argc, argv, "--large-runs=", 20);
    size_t scrub = (size_t)bench_arg_u64(argc, argv, "--scrub-mb=", 256) << 20;
    const hbtp_peer *impls[I_COUNT];
    int active[I_COUNT];
    result res[C_COUNT][I_COUNT];
    large_result lr = {0, 0, 0, 0, 0, 0, 0};
    int have_large = 0, partial = only || only_case;
    unsigned c, k, reached_conn = 0, reached_low = 0, reached_large = 0;
    bench_text t = {NULL, 0, 0};
    char machine[256], thp[64], ver[I_COUNT][64];

    if (runs == 0 || run_ns == 0) {
        fprintf(stderr, "usage: hbtp_bench [--runs=N] [--run-ms=N] [--frames=N] [--write-results] [--results=PATH]\n");
        return 2;
    }
    impls[I_DXC] = &hbtp_peer_dx_conn;
    impls[I_DXL] = &hbtp_peer_dx_low;
    impls[I_H1] = &hbtp_peer_http1;
    impls[I_H2] = &hbtp_peer_http2;
    impls[I_RESP] = &hbtp_peer_resp;
    for (k = 0; k < I_COUNT; k++) {
        active[k] = !only || strstr(impls[k]->name, only) != NULL;
        impls[k]->version(ver[k], sizeof ver[k]);
    }
    bench_machine(machine, sizeof machine);
    printf("hbtp_bench (%s)\n", machine);
    for (c = 0; c < C_COUNT; c++) {
        for (k = 0; k < I_COUNT; k++) res[c][k].ns = -1;
        if (only_case && !strstr(cases[c].name, only_case)) continue;
        run_case(&cases[c], impls, active, runs, run_ns, res[c]);
        printf("%-9s", cases[c].name);
        for (k = 0; k < I_COUNT; k++)
            if (res[c][k].ns >= 0) printf("  %s %.1f ns", impls[k]->name, res[c][k].ns);
        printf("\n");
        fflush(stdout);
    }
    if (frames && !partial) {
        have_large = run_large(frames, large_runs, scrub, &lr) == 0;
    }
    if (fail_count) {
        fprintf(stderr, "hbtp_bench: %d failures\n", fail_count);
        return 1;
    }
    if (partial) return 0;

    thp_mode(thp, sizeof thp);
    bench_textf(&t,
                "The server side of one connection on one core: the client's bytes are in memory before the "
                "clock starts; each implementation parses them (1 request per input buffer, or 64 pipelined), "
                "dispatches every request by method id / path / command name to a handler, writes the answers "
                "into a reused output buffer, and the output is checked (the count of answers and a tag byte of "
                "each) and consumed; nothing is copied to a socket. ping = 8 bytes echoed; rpc64 = a 64-byte "
                "request to an echo method answered with the same 64 bytes. Per figure: ns per message and "
                "millions of messages per second, the best of %u runs of ~%llu ms, the implementations "
                "interleaved in one process run; every output was also compared byte for byte with what the "
                "protocol requires before timing.\n"
                "Built with: %s; compiler %s; GLIBC_TUNABLES=%s (transparent huge pages: %s). "
                "Versions: dx_hbtp.h %s, http-parser %s, nghttp2 %s, hiredis %s.\n\n",
                runs, (unsigned long long)(run_ns / 1000000u), BENCH_FLAGS,
#if defined(__VERSION__)
                __VERSION__,
#else
                "?",
#endif
                getenv("GLIBC_TUNABLES") ? getenv("GLIBC_TUNABLES") : "(unset)", thp, ver[I_DXC], ver[I_H1],
                ver[I_H2], ver[I_RESP]);
    {
        const char *head[1 + I_COUNT];
        head[0] = "message / depth";
        for (k = 0; k < I_COUNT; k++) head[1 + k] = impls[k]->name;
        bench_row(&t, 1 + I_COUNT, head);
        bench_rule(&t, 1 + I_COUNT);
        for (c = 0; c < C_COUNT; c++) {
            char cell[I_COUNT][48];
            const char *row[1 + I_COUNT];
            row[0] = cases[c].name;
            for (k = 0; k < I_COUNT; k++) {
                cell_rate(cell[k], sizeof cell[k], res[c][k].ns);
                row[1 + k] = cell[k];
            }
            bench_row(&t, 1 + I_COUNT, row);
        }
    }
    bench_textf(&t, "\nBytes on the wire per request / per answer (ping, rpc64; depth 64; HTTP/2: HPACK-indexed "
                    "headers, WINDOW_UPDATEs and ACKs included):\n\n");
    {
        const char *head[1 + I_COUNT];
        head[0] = "message";
        for (k = 0; k < I_COUNT; k++) head[1 + k] = impls[k]->name;
        bench_row(&t, 1 + I_COUNT, head);
        bench_rule(&t, 1 + I_COUNT);
        for (c = 1; c < C_COUNT; c += 2) {
            char cell[I_COUNT][48];
            const char *row[1 + I_COUNT];
            row[0] = cases[c].msg == HBTP_MSG_PING ? "ping" : "rpc64";
            for (k = 0; k < I_COUNT; k++) {
                snprintf(cell[k], sizeof cell[k], "%.1f / %.1f", res[c][k].req_bytes, res[c][k].ans_bytes);
                row[1 + k] = cell[k];
            }
            bench_row(&t, 1 + I_COUNT, row);
        }
    }
    bench_textf(&t, "\nGoal: at least 10x the message rate of the fastest peer, per case (ratio = dx rate / the fastest "
                    "peer's rate, both from this run):\n\n"
                    "| message / depth | fastest peer | its rate | dx_hbtp_conn | ratio | goal (>= 10x) | "
                    "dx framer+router+resp | ratio | goal (>= 10x) |\n|---|---|---|---|---|---|---|---|---|\n");
    for (c = 0; c < C_COUNT; c++) {
        unsigned fast = I_FIRST_PEER;
        double rc, rl;
        for (k = I_FIRST_PEER; k < I_COUNT; k++)
            if (res[c][k].ns > 0 && res[c][k].ns < res[c][fast].ns) fast = k;
        rc = res[c][fast].ns / res[c][I_DXC].ns;
        rl = res[c][fast].ns / res[c][I_DXL].ns;
        reached_conn += rc >= 10.0;
        reached_low += rl >= 10.0;
        bench_textf(&t, "| %s | %s | %.2f M/s | %.2f M/s | %.1fx | %s | %.2f M/s | %.1fx | %s |\n", cases[c].name,
                    impls[fast]->name, 1e3 / res[c][fast].ns, 1e3 / res[c][I_DXC].ns, rc,
                    rc >= 10.0 ? "reached" : "NOT reached", 1e3 / res[c][I_DXL].ns, rl,
                    rl >= 10.0 ? "reached" : "NOT reached");
    }
    if (have_large) {
        double gb = (double)lr.stream_len;
        double split = gb / lr.ns_split, whole = gb / lr.ns_whole, mc = gb / lr.ns_memcpy;
        int ok_whole = whole >= mc && lr.copied_whole == 0, ok_split = split >= 0.9 * mc;
        reached_large = (unsigned)ok_whole + (unsigned)ok_split;
        bench_textf(&t,
                    "\nLarge payloads: a stream of %u RPC frames of 1 MiB payload (%.1f MiB) through "
                    "dx_hbtp_framer (max_payload 1 MiB, assembly buffer 8 + 1 MiB), every frame checked (opcode, "
                    "length, first body byte, last byte); against memcpy of the same bytes, frame by frame, into "
                    "a reused 1 MiB buffer (the one copy a split frame needs). Best of %u interleaved runs, each "
                    "started with cold caches (%lu MiB read before it); GB/s = stream bytes / time.\n\n"
                    "| fed as | framer GB/s | memcpy GB/s | framer / memcpy | bytes copied per stream byte | goal "
                    "|\n|---|---|---|---|---|---|\n",
                    lr.frames, (double)lr.stream_len / 1048576.0, large_runs, (unsigned long)(scrub >> 20));
        bench_textf(&t, "| 64 KiB pieces | %.2f | %.2f | %.2f | %.3f | one copy at memory speed (>= 0.90 x memcpy): %s |\n",
                    split, mc, split / mc, (double)lr.copied_split / gb, ok_split ? "reached" : "NOT reached");
        bench_textf(&t, "| one piece (the whole stream) | %.0f | %.2f | %.0f | %.3f | zero copy, faster than memcpy: %s |\n",
                    whole, mc, whole / mc, (double)lr.copied_whole / gb, ok_whole ? "reached" : "NOT reached");
        bench_textf(&t, "\nOne piece: the framer reads only the 8-byte headers (%.0f ns per 1 MiB frame, cold "
                        "caches); the payloads are pointers into the caller's bytes.\n",
                    lr.ns_whole / lr.frames);
    }
    bench_textf(&t, "\nGoals reached: 10x the fastest peer with dx_hbtp_conn in %u of %u cases, with dx "
                    "framer+router+resp in %u of %u; large payloads %u of %s.\n\nHow each implementation works:\n\n",
                reached_conn, (unsigned)C_COUNT, reached_low, (unsigned)C_COUNT, reached_large, have_large ? "2" : "0 (not run)");
    for (k = 0; k < I_COUNT; k++) bench_textf(&t, "- %s: %s.\n", impls[k]->name, impls[k]->note);

    printf("\n%s", t.s);
    if (write) {
        if (bench_results_write(results, "hbtp",
                                "dx_hbtp.h: messages per second against HTTP/1.1, HTTP/2 and RESP peers "
                                "(bench/hbtp_bench.c)",
                                t.s) != 0)
            return 1;
        printf("\nwrote the hbtp section of %s\n", results);
    }
    bench_text_free(&t);
    return 0;
}
