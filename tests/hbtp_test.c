/* hbtp_test.c - unit tests and properties for dx_hbtp.h
   Run from the repository root (it reads tests/vectors/hbtp/). */
#define DX_IMPLEMENTATION
#include "dx_hbtp.h"
#include "prop.h"

/* ---- helpers: a fake clock, a counting allocator, byte builders ---- */

typedef struct fake_clock { uint64_t ns, step; unsigned long reads; } fake_clock;
static uint64_t fake_now(void *user) {
    fake_clock *c = (fake_clock *)user;
    uint64_t t = c->ns;
    c->ns += c->step;
    c->reads++;
    return t;
}

typedef struct counting { long allocs, frees, live, fail_at; size_t last_size; } counting;
static void *counting_alloc(size_t size, void *user) {
    counting *c = (counting *)user;
    if (c->fail_at >= 0 && c->allocs == c->fail_at) { c->allocs++; return NULL; }
    c->allocs++;
    c->live++;
    c->last_size = size;
    return malloc(size);
}
static void counting_free(void *ptr, size_t size, void *user) {
    counting *c = (counting *)user;
    (void)size;
    c->frees++;
    c->live--;
    free(ptr);
}

/* A growable byte buffer for hand-built streams (test code may allocate). */
typedef struct wbuf { uint8_t *b; size_t len, cap; } wbuf;
static void w_put(wbuf *w, const void *data, size_t n) {
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->len + n) cap *= 2;
        w->b = (uint8_t *)realloc(w->b, cap);
        if (!w->b) abort();
        w->cap = cap;
    }
    if (n) memcpy(w->b + w->len, data, n);
    w->len += n;
}
static void w_free(wbuf *w) { free(w->b); memset(w, 0, sizeof *w); }
static void w_frame(wbuf *w, uint8_t op, uint8_t flags, uint16_t stream, const void *payload, uint32_t len) {
    uint8_t h[8];
    dx_hbtp_encode_header(h, op, flags, stream, len);
    w_put(w, h, 8);
    w_put(w, payload, len);
}
static void w_rpc(wbuf *w, uint16_t stream, uint32_t method, const void *body, uint32_t len) {
    uint8_t h[12];
    dx_hbtp_encode_header(h, DX_HBTP_OP_RPC, 0, stream, len + 4);
    dx_store_u32le(h + 8, method);
    w_put(w, h, 12);
    w_put(w, body, len);
}
static void w_hello(wbuf *w, uint8_t major, uint64_t caps, uint32_t max_payload, uint16_t max_inflight, const char *token) {
    uint8_t p[24];
    size_t tl = token ? strlen(token) : 0;
    memcpy(p, "HBTP", 4);
    p[4] = major;
    p[5] = 0;
    dx_store_u16le(p + 6, (uint16_t)tl);
    dx_store_u64le(p + 8, caps);
    dx_store_u32le(p + 16, max_payload);
    dx_store_u16le(p + 20, max_inflight);
    dx_store_u16le(p + 22, 0);
    w_frame(w, DX_HBTP_OP_HELLO, 0, 0, NULL, 0);
    dx_store_u32le(w->b + w->len - 4, (uint32_t)(24 + tl));
    w_put(w, p, 24);
    w_put(w, token, tl);
}

/* Splits a byte stream into frames (payloads point into buf); returns the count. */
#define MAX_OUT_FRAMES 2048
static size_t parse_all(const uint8_t *buf, size_t len, dx_hbtp_frame *out, size_t max, size_t *rest) {
    size_t n = 0, at = 0;
    while (n < max && at < len) {
        int64_t r = dx_hbtp_parse(buf + at, len - at, 0xffffffffu, &out[n]);
        if (r < 0) break;
        at += (size_t)r;
        n++;
    }
    if (rest) *rest = len - at;
    return n;
}
static uint16_t err_code(const dx_hbtp_frame *f) { return f->length >= 2 ? dx_load_u16le(f->payload) : 0xffff; }
static int payload_is(const dx_hbtp_frame *f, const void *data, size_t len) {
    return f->length == len && (len == 0 || memcmp(f->payload, data, len) == 0);
}
/* RPC_RESPONSE with this method id and body */
static int rpc_body_is(const dx_hbtp_frame *f, uint32_t method, const void *body, size_t len) {
    return f->opcode == DX_HBTP_OP_RPC_RESPONSE && f->length == len + 4 && dx_load_u32le(f->payload) == method &&
           (len == 0 || memcmp(f->payload + 4, body, len) == 0);
}

/* ---- a standard router ---- */

typedef struct hstats { uint32_t calls[16]; uint64_t stream_bytes; uint32_t app_calls; } hstats;
static uint8_t big_body[1 << 17];

static dx_result h_empty(dx_hbtp_request *req, void *user) { ((hstats *)user)->calls[0]++; (void)req; return DX_OK; }
static dx_result h_echo(dx_hbtp_request *req, void *user) {
    ((hstats *)user)->calls[1]++;
    return dx_hbtp_reply(req, req->body, req->body_len);
}
static dx_result h_error(dx_hbtp_request *req, void *user) {
    ((hstats *)user)->calls[2]++;
    return dx_hbtp_reply_error(req, 0x8001, "nope");
}
static dx_result h_fail(dx_hbtp_request *req, void *user) { ((hstats *)user)->calls[3]++; (void)req; return DX_ERR_CORRUPT; }
static dx_result h_big(dx_hbtp_request *req, void *user) { /* body: u32 reply size */
    uint32_t n = req->body_len >= 4 ? dx_load_u32le(req->body) : 0;
    ((hstats *)user)->calls[4]++;
    if (n > sizeof big_body) n = sizeof big_body;
    return dx_hbtp_reply(req, big_body, n);
}
static dx_result h_chunks(dx_hbtp_request *req, void *user) {
    uint16_t s = req->frame->stream;
    ((hstats *)user)->calls[5]++;
    dx_hbtp_resp_chunk(req->resp, s, "a", 1, false);
    dx_hbtp_resp_chunk(req->resp, s, "bb", 2, false);
    dx_hbtp_resp_chunk(req->resp, s, "ccc", 3, false);
    return dx_hbtp_resp_chunk(req->resp, s, "end", 3, true);
}
static dx_result h_not_modified(dx_hbtp_request *req, void *user) {
    ((hstats *)user)->calls[6]++;
    return dx_hbtp_resp_not_modified(req->resp, req->frame->stream, "etag-1", 6);
}
static dx_result h_app(dx_hbtp_request *req, void *user) { /* opcode 0x80: answer 0x81 with the body */
    ((hstats *)user)->app_calls++;
    return dx_hbtp_resp_frame(req->resp, 0x81, 0, req->frame->stream, req->body, req->body_len);
}
static dx_result h_stream_data(dx_hbtp_request *req, void *user) {
    ((hstats *)user)->stream_bytes += req->body_len;
    return DX_OK; /* no answer to a piece */
}
static dx_result h_stream_end(dx_hbtp_request *req, void *user) {
    uint8_t b[8];
    hstats *h = (hstats *)user;
    h->stream_bytes += req->body_len;
    dx_store_u64le(b, h->stream_bytes);
    return dx_hbtp_reply(req, b, 8);
}

static dx_hbtp_route std_methods[8];
static void std_router(dx_hbtp_router *rt, hstats *h) {
    memset(h, 0, sizeof *h);
    dx_hbtp_router_init(rt, std_methods, 8);
    dx_hbtp_router_method(rt, 0, h_empty, h);
    dx_hbtp_router_method(rt, 1, h_echo, h);
    dx_hbtp_router_method(rt, 2, h_error, h);
    dx_hbtp_router_method(rt, 3, h_fail, h);
    dx_hbtp_router_method(rt, 4, h_big, h);
    dx_hbtp_router_method(rt, 5, h_chunks, h);
    dx_hbtp_router_method(rt, 6, h_not_modified, h);
    dx_hbtp_router_opcode(rt, 0x80, h_app, h);
    dx_hbtp_router_opcode(rt, DX_HBTP_OP_STREAM_DATA, h_stream_data, h);
    dx_hbtp_router_opcode(rt, DX_HBTP_OP_STREAM_END, h_stream_end, h);
}

/* ---- what a client's on_frame saw ---- */

#define SEEN_MAX 256
typedef struct seen_frame { uint8_t opcode, flags; uint16_t stream; uint32_t length; uint8_t data[64]; } seen_frame;
typedef struct seen { seen_frame f[SEEN_MAX]; uint32_t n; uint64_t total; } seen;
static void on_seen(dx_hbtp_conn *c, const dx_hbtp_frame *f, void *user) {
    seen *s = (seen *)user;
    (void)c;
    if (s->n < SEEN_MAX) {
        seen_frame *e = &s->f[s->n++];
        e->opcode = f->opcode, e->flags = f->flags, e->stream = f->stream, e->length = f->length;
        memcpy(e->data, f->payload, f->length < 64 ? f->length : 64);
    }
    s->total++;
}
static int seen_payload_is(const seen_frame *e, const void *data, size_t len) {
    return e->length == len && memcmp(e->data, data, len < 64 ? len : 64) == 0;
}

static dx_hbtp_conn_config server_cfg(const dx_hbtp_router *rt) {
    dx_hbtp_conn_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.role = DX_HBTP_ROLE_SERVER;
    cfg.max_payload = 4096;
    cfg.router = rt;
    return cfg;
}
static dx_hbtp_conn_config client_cfg(seen *s) {
    dx_hbtp_conn_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.role = DX_HBTP_ROLE_CLIENT;
    cfg.max_payload = 4096;
    cfg.on_frame = on_seen;
    cfg.user = s;
    return cfg;
}

/* Feeds from's output to `to`; consumes what `to` took. Bytes moved, or < 0. */
static int64_t xfer(dx_hbtp_conn *from, dx_hbtp_conn *to) {
    size_t len;
    const uint8_t *out = dx_hbtp_conn_output(from, &len);
    int64_t n;
    if (len == 0) return 0;
    n = dx_hbtp_conn_feed(to, out, len);
    if (n > 0) dx_hbtp_conn_consume(from, (size_t)n);
    return n;
}
/* Both ways until nothing moves: 0, or the first negative feed result. */
static int64_t pump(dx_hbtp_conn *client, dx_hbtp_conn *server) {
    for (;;) {
        int64_t a = xfer(client, server), b;
        if (a < 0) return a;
        b = xfer(server, client);
        if (b < 0) return b;
        if (a == 0 && b == 0) return 0;
    }
}
static size_t out_len(const dx_hbtp_conn *c) {
    size_t n;
    (void)dx_hbtp_conn_output(c, &n);
    return n;
}

/* Client and server through HELLO; 0 on success. */
static int connect_pair(prop_ctx *p, dx_hbtp_conn *client, const dx_hbtp_conn_config *ccfg, dx_hbtp_conn *server,
                        const dx_hbtp_conn_config *scfg) {
    PROP_CHECK(p, dx_hbtp_conn_create(server, scfg) == DX_OK);
    PROP_CHECK(p, dx_hbtp_conn_create(client, ccfg) == DX_OK);
    PROP_CHECK(p, dx_hbtp_conn_hello(client) == DX_OK);
    PROP_CHECK(p, pump(client, server) == 0);
    PROP_CHECK(p, client->state == DX_HBTP_STATE_OPEN && server->state == DX_HBTP_STATE_OPEN);
    return 0;
}
static void destroy_pair(dx_hbtp_conn *a, dx_hbtp_conn *b) {
    dx_hbtp_conn_destroy(a);
    dx_hbtp_conn_destroy(b);
}

/* ---- frames ---- */

static int t_header_layout(prop_ctx *p) {
    uint8_t h[8], buf[32];
    dx_hbtp_frame f;
    dx_hbtp_encode_header(h, 0x04, 0x11, 0xbeef, 0x01020304u);
    PROP_CHECK(p, h[0] == 0x04 && h[1] == 0x11 && h[2] == 0xef && h[3] == 0xbe);
    PROP_CHECK(p, h[4] == 0x04 && h[5] == 0x03 && h[6] == 0x02 && h[7] == 0x01);
    PROP_CHECK(p, dx_hbtp_decode_header(h, 0xffffffffu, &f) == DX_OK);
    PROP_CHECK(p, f.opcode == 4 && f.flags == 0x11 && f.stream == 0xbeef && f.length == 0x01020304u && !f.payload);
    PROP_CHECK(p, dx_hbtp_decode_header(h, 0x01020303u, &f) == DX_HBTP_ERR_TOO_LARGE);
    PROP_CHECK(p, dx_hbtp_encode(buf, sizeof buf, DX_HBTP_OP_PING, 0, 0, "abc", 3) == 11);
    PROP_CHECK(p, dx_hbtp_parse(buf, 11, 3, &f) == 11 && f.payload == buf + 8 && memcmp(f.payload, "abc", 3) == 0);
    PROP_CHECK(p, dx_hbtp_parse(buf, 10, 3, &f) == DX_ERR_TRUNCATED);
    PROP_CHECK(p, dx_hbtp_parse(buf, 7, 3, &f) == DX_ERR_TRUNCATED);
    PROP_CHECK(p, dx_hbtp_parse(NULL, 0, 3, &f) == DX_ERR_TRUNCATED);
    PROP_CHECK(p, dx_hbtp_parse(buf, 11, 2, &f) == DX_HBTP_ERR_TOO_LARGE);
    PROP_CHECK(p, dx_hbtp_parse(buf, 11, 3, NULL) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_hbtp_encode(buf, 10, DX_HBTP_OP_PING, 0, 0, "abc", 3) == DX_ERR_NOSPACE);
    PROP_CHECK(p, dx_hbtp_encode(buf, 7, DX_HBTP_OP_PING, 0, 0, NULL, 0) == DX_ERR_NOSPACE);
    PROP_CHECK(p, dx_hbtp_encode(buf, 8, DX_HBTP_OP_PING, 0, 0, NULL, 0) == 8);
    PROP_CHECK(p, dx_hbtp_encode(buf, sizeof buf, DX_HBTP_OP_PING, 0, 0, NULL, 3) == DX_ERR_INVAL);
    PROP_CHECK(p, strcmp(dx_hbtp_result_name(DX_HBTP_ERR_GOAWAY), "DX_HBTP_ERR_GOAWAY") == 0);
    PROP_CHECK(p, strcmp(dx_hbtp_result_name(DX_ERR_NOSPACE), "DX_ERR_NOSPACE") == 0);
    return 0;
}

/* All 256 opcodes x 256 flag bytes against the spec. */
static int t_opcodes_flags(prop_ctx *p) {
    static const uint8_t ops[] = {DX_HBTP_OP_HELLO, DX_HBTP_OP_PING, DX_HBTP_OP_PONG, DX_HBTP_OP_RPC,
                                  DX_HBTP_OP_RPC_RESPONSE, DX_HBTP_OP_ERROR, DX_HBTP_OP_STREAM_DATA,
                                  DX_HBTP_OP_STREAM_END, DX_HBTP_OP_NOT_MODIFIED, DX_HBTP_OP_GOAWAY};
    static const uint8_t known[] = {DX_HBTP_FLAG_END_STREAM, DX_HBTP_FLAG_COMPRESSED, DX_HBTP_FLAG_MORE,
                                    DX_HBTP_FLAG_ACK, DX_HBTP_FLAG_TIMING};
    size_t i, j;
    unsigned op, fl;
    uint8_t seen_bits = 0;
    /* opcodes: distinct, 0x01..0x0a in order, distinct names */
    for (i = 0; i < sizeof ops; i++) {
        PROP_CHECK(p, ops[i] == i + 1);
        for (j = 0; j < i; j++) {
            PROP_CHECK(p, ops[i] != ops[j]);
            PROP_CHECK(p, strcmp(dx_hbtp_opcode_name(ops[i]), dx_hbtp_opcode_name(ops[j])) != 0);
        }
        PROP_CHECK(p, strcmp(dx_hbtp_opcode_name(ops[i]), "RESERVED") != 0);
    }
    PROP_CHECK(p, strcmp(dx_hbtp_opcode_name(0x0b), "RESERVED") == 0 && strcmp(dx_hbtp_opcode_name(0x7f), "RESERVED") == 0);
    PROP_CHECK(p, strcmp(dx_hbtp_opcode_name(0x80), "APP") == 0 && strcmp(dx_hbtp_opcode_name(0xff), "APP") == 0);
    /* flags: five distinct single bits, all known, none of them 0x20/0x40/0x80 */
    for (i = 0; i < sizeof known; i++) {
        PROP_CHECK(p, (known[i] & (known[i] - 1)) == 0 && !(seen_bits & known[i]));
        seen_bits |= known[i];
    }
    PROP_CHECK(p, seen_bits == DX_HBTP_FLAGS_KNOWN && DX_HBTP_FLAGS_REQUIRED == 0x7f);
    for (op = 0; op < 256; op++) {
        for (fl = 0; fl < 256; fl++) {
            uint8_t h[8], buf[16];
            dx_hbtp_frame f;
            dx_result want, got;
            int reserved = op == 0 || (op >= 0x0b && op <= 0x7f);
            dx_hbtp_encode_header(h, (uint8_t)op, (uint8_t)fl, 7, 3);
            want = reserved ? DX_HBTP_ERR_OPCODE : (fl & 0x60) ? DX_ERR_UNSUPPORTED : DX_OK;
            got = dx_hbtp_decode_header(h, 3, &f);
            PROP_CHECK_MSG(p, got == want, "op %02x flags %02x: %s", op, fl, dx_hbtp_result_name(got));
            if (want == DX_OK) PROP_CHECK(p, f.opcode == op && f.flags == fl && f.stream == 7 && f.length == 3);
            /* the same through encode + parse */
            PROP_CHECK(p, dx_hbtp_encode(buf, sizeof buf, (uint8_t)op, (uint8_t)fl, 7, "xyz", 3) == 11);
            PROP_CHECK(p, dx_hbtp_parse(buf, 11, 3, &f) == (want == DX_OK ? 11 : want));
        }
    }
    return 0;
}

/* ---- framer ---- */

static int t_framer_basics(prop_ctx *p) {
    uint8_t buf[64], in[64];
    dx_hbtp_framer f;
    dx_hbtp_frame fr;
    PROP_CHECK(p, dx_hbtp_framer_init(&f, NULL, 64, 0) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_hbtp_framer_init(&f, buf, 7, 0) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_hbtp_framer_init(&f, buf, 64, 57) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_hbtp_framer_init(&f, buf, 64, 0) == DX_OK && f.max_payload == 56);
    PROP_CHECK(p, dx_hbtp_framer_init(&f, buf, 64, 56) == DX_OK);
    /* a frame split 3 + 5 + rest: assembled in buf */
    PROP_CHECK(p, dx_hbtp_encode(in, sizeof in, DX_HBTP_OP_RPC, 0, 9, "0123456789", 10) == 18);
    PROP_CHECK(p, dx_hbtp_framer_feed(&f, in, 3) == DX_OK);
    PROP_CHECK(p, dx_hbtp_framer_next(&f, &fr) == DX_ERR_TRUNCATED);
    PROP_CHECK(p, dx_hbtp_framer_feed(&f, in + 3, 5) == DX_OK);
    PROP_CHECK(p, dx_hbtp_framer_next(&f, &fr) == DX_ERR_TRUNCATED);
    PROP_CHECK(p, dx_hbtp_framer_feed(&f, in + 8, 10) == DX_OK);
    PROP_CHECK(p, dx_hbtp_framer_next(&f, &fr) == DX_OK);
    PROP_CHECK(p, fr.opcode == DX_HBTP_OP_RPC && fr.stream == 9 && payload_is(&fr, "0123456789", 10) && fr.payload == buf + 8);
    PROP_CHECK(p, f.frames == 1 && f.bytes_copied == 18);
    PROP_CHECK(p, dx_hbtp_framer_next(&f, &fr) == DX_ERR_TRUNCATED);
    /* feeding before next() has drained the piece is misuse; drop_input gives the rest back */
    PROP_CHECK(p, dx_hbtp_framer_feed(&f, in, 18) == DX_OK);
    PROP_CHECK(p, dx_hbtp_framer_feed(&f, in, 18) == DX_ERR_MISUSE);
    PROP_CHECK(p, dx_hbtp_framer_drop_input(&f) == 18);
    PROP_CHECK(p, dx_hbtp_framer_feed(&f, in, 18) == DX_OK);
    PROP_CHECK(p, dx_hbtp_framer_next(&f, &fr) == DX_OK && fr.payload == in + 8 && f.bytes_copied == 18);
    PROP_CHECK(p, dx_hbtp_framer_drop_input(&f) == 0);
    /* errors are sticky */
    in[0] = 0x20;
    PROP_CHECK(p, dx_hbtp_framer_feed(&f, in, 18) == DX_OK);
    PROP_CHECK(p, dx_hbtp_framer_next(&f, &fr) == DX_HBTP_ERR_OPCODE);
    PROP_CHECK(p, dx_hbtp_framer_next(&f, &fr) == DX_HBTP_ERR_OPCODE);
    dx_hbtp_framer_drop_input(&f);
    PROP_CHECK(p, dx_hbtp_framer_feed(&f, in, 18) == DX_HBTP_ERR_OPCODE);
    return 0;
}

/* ---- response buffer ---- */

static int t_resp_buffer(prop_ctx *p) {
    uint8_t buf[40];
    dx_hbtp_resp r;
    const uint8_t *d;
    uint8_t *w;
    size_t len;
    dx_hbtp_frame f;
    dx_hbtp_resp_init(&r, buf, sizeof buf);
    PROP_CHECK(p, dx_hbtp_resp_frame(&r, DX_HBTP_OP_PING, 0, 0, "0123456789", 10) == DX_OK); /* 18 bytes */
    PROP_CHECK(p, dx_hbtp_resp_frame(&r, DX_HBTP_OP_PING, 0, 0, "0123456789", 10) == DX_OK); /* 36 */
    PROP_CHECK(p, dx_hbtp_resp_frame(&r, DX_HBTP_OP_PING, 0, 0, "0", 1) == DX_ERR_NOSPACE);   /* 9 > 4 */
    /* sticky: nothing fits any more, not even what would */
    PROP_CHECK(p, dx_hbtp_resp_frame(&r, DX_HBTP_OP_PING, 0, 0, NULL, 0) == DX_ERR_NOSPACE);
    PROP_CHECK(p, dx_hbtp_resp_begin(&r, DX_HBTP_OP_PING, 0, 0, 0) == NULL);
    PROP_CHECK(p, dx_hbtp_resp_end(&r, 0) == DX_ERR_NOSPACE);
    PROP_CHECK(p, dx_hbtp_resp_error(&r, 1, 1, "") == DX_ERR_NOSPACE);
    d = dx_hbtp_resp_data(&r, &len);
    PROP_CHECK(p, d == buf && len == 36);
    dx_hbtp_resp_consume(&r, 36);
    PROP_CHECK(p, dx_hbtp_resp_frame(&r, DX_HBTP_OP_PING, 0, 0, NULL, 0) == DX_ERR_NOSPACE); /* still sticky */
    dx_hbtp_resp_reset(&r);
    PROP_CHECK(p, r.error == DX_OK && dx_hbtp_resp_data(&r, &len) == buf && len == 0);
    /* begin/end: write in place, shorter than reserved */
    w = dx_hbtp_resp_begin(&r, DX_HBTP_OP_RPC_RESPONSE, DX_HBTP_FLAG_END_STREAM, 5, 32);
    PROP_CHECK(p, w == buf + 8);
    memcpy(w, "abcd", 4);
    PROP_CHECK(p, dx_hbtp_resp_end(&r, 4) == DX_OK);
    d = dx_hbtp_resp_data(&r, &len);
    PROP_CHECK(p, len == 12 && dx_hbtp_parse(d, len, 64, &f) == 12);
    PROP_CHECK(p, f.opcode == DX_HBTP_OP_RPC_RESPONSE && f.flags == DX_HBTP_FLAG_END_STREAM && f.stream == 5 && payload_is(&f, "abcd", 4));
    PROP_CHECK(p, dx_hbtp_resp_begin(&r, DX_HBTP_OP_PING, 0, 0, 21) == NULL && r.error == DX_ERR_NOSPACE); /* 12+8+21 > 40 */
    dx_hbtp_resp_reset(&r);
    PROP_CHECK(p, dx_hbtp_resp_begin(&r, DX_HBTP_OP_PING, 0, 0, 32) != NULL);
    PROP_CHECK(p, dx_hbtp_resp_end(&r, 33) == DX_ERR_MISUSE);
    dx_hbtp_resp_reset(&r);
    /* partial consume keeps the rest; consuming everything starts over at the front */
    PROP_CHECK(p, dx_hbtp_resp_pong(&r, 3, "pp", 2) == DX_OK && dx_hbtp_resp_goaway(&r, 9, 2, "v") == DX_OK);
    dx_hbtp_resp_consume(&r, 4);
    d = dx_hbtp_resp_data(&r, &len);
    PROP_CHECK(p, d == buf + 4 && len == 10 + 13 - 4);
    dx_hbtp_resp_consume(&r, 1000);
    PROP_CHECK(p, dx_hbtp_resp_data(&r, &len) == buf && len == 0);
    /* a prefixed frame (RPC answer) that fills the buffer to the last byte fits; one byte more does not, and
       leaves what is held as it was */
    PROP_CHECK(p, dx_hbtp_resp_pong(&r, 3, "pp", 2) == DX_OK);                                /* 10 bytes */
    PROP_CHECK(p, dx_hbtp_resp_rpc(&r, 7, 0x01020304u, "0123456789abcdefghi", 19) == DX_ERR_NOSPACE); /* 10+12+19 */
    d = dx_hbtp_resp_data(&r, &len);
    PROP_CHECK(p, len == 10 && r.error == DX_ERR_NOSPACE);
    dx_hbtp_resp_reset(&r);
    PROP_CHECK(p, dx_hbtp_resp_pong(&r, 3, "pp", 2) == DX_OK);
    PROP_CHECK(p, dx_hbtp_resp_rpc(&r, 7, 0x01020304u, "0123456789abcdefgh", 18) == DX_OK); /* 10+12+18 = 40 */
    d = dx_hbtp_resp_data(&r, &len);
    PROP_CHECK(p, len == 40 && dx_hbtp_parse(d + 10, 30, 64, &f) == 30 && f.opcode == DX_HBTP_OP_RPC_RESPONSE &&
                      f.stream == 7 && dx_load_u32le(f.payload) == 0x01020304u && payload_is(&f, "\4\3\2\1" "0123456789abcdefgh", 22));
    PROP_CHECK(p, r.frame_at == 10 && dx_hbtp_resp_rpc(&r, 8, 0, NULL, 0) == DX_ERR_NOSPACE); /* 12 > 0 left */
    dx_hbtp_resp_reset(&r);
    PROP_CHECK(p, dx_hbtp_resp_error(&r, 2, 5, "0123456789abcdefghijklmnopq") == DX_OK); /* 8+4+27 = 39 */
    PROP_CHECK(p, dx_hbtp_resp_error(&r, 2, 5, "") == DX_ERR_NOSPACE);
    dx_hbtp_resp_reset(&r);
    /* every writer's bytes */
    PROP_CHECK(p, dx_hbtp_resp_rpc(&r, 0x0102, 7, "ok", 2) == DX_OK);
    d = dx_hbtp_resp_data(&r, &len);
    PROP_CHECK(p, len == 14 && memcmp(d, "\x05\x00\x02\x01\x06\x00\x00\x00\x07\x00\x00\x00ok", 14) == 0);
    dx_hbtp_resp_reset(&r);
    PROP_CHECK(p, dx_hbtp_resp_chunk(&r, 4, "xy", 2, false) == DX_OK && dx_hbtp_resp_chunk(&r, 4, NULL, 0, true) == DX_OK);
    d = dx_hbtp_resp_data(&r, &len);
    PROP_CHECK(p, len == 18 && memcmp(d, "\x07\x00\x04\x00\x02\x00\x00\x00xy\x08\x01\x04\x00\x00\x00\x00\x00", 18) == 0);
    dx_hbtp_resp_reset(&r);
    PROP_CHECK(p, dx_hbtp_resp_not_modified(&r, 2, "e1", 2) == DX_OK);
    d = dx_hbtp_resp_data(&r, &len);
    PROP_CHECK(p, len == 10 && memcmp(d, "\x09\x00\x02\x00\x02\x00\x00\x00" "e1", 10) == 0);
    return 0;
}

/* ---- router ---- */

static int t_router(prop_ctx *p) {
    dx_hbtp_router rt;
    dx_hbtp_route m[4];
    hstats h;
    dx_hbtp_request req;
    dx_hbtp_frame f;
    dx_hbtp_resp r;
    uint8_t buf[256];
    dx_hbtp_frame out[8];
    size_t len, n;
    const uint8_t *d;
    memset(&h, 0, sizeof h);
    PROP_CHECK(p, dx_hbtp_router_init(&rt, NULL, 4) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_hbtp_router_init(&rt, m, 4) == DX_OK);
    PROP_CHECK(p, dx_hbtp_router_method(&rt, 4, h_echo, &h) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_hbtp_router_method(&rt, 1, h_echo, &h) == DX_OK);
    PROP_CHECK(p, dx_hbtp_router_opcode(&rt, 0x80, h_app, &h) == DX_OK);
    PROP_CHECK(p, dx_hbtp_router_opcode(&rt, 0xff, h_app, &h) == DX_OK);
    PROP_CHECK(p, dx_hbtp_router_opcode(&rt, DX_HBTP_OP_STREAM_DATA, h_stream_data, &h) == DX_OK);
    PROP_CHECK(p, dx_hbtp_router_opcode(&rt, DX_HBTP_OP_STREAM_END, h_stream_end, &h) == DX_OK);
    PROP_CHECK(p, dx_hbtp_router_opcode(&rt, DX_HBTP_OP_RPC, h_app, &h) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_hbtp_router_opcode(&rt, DX_HBTP_OP_HELLO, h_app, &h) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_hbtp_router_opcode(&rt, 0x7f, h_app, &h) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_hbtp_router_opcode(&rt, 0x0b, h_app, &h) == DX_ERR_INVAL);
    dx_hbtp_resp_init(&r, buf, sizeof buf);
    memset(&req, 0, sizeof req);
    memset(&f, 0, sizeof f);
    req.frame = &f;
    req.resp = &r;
    f.opcode = DX_HBTP_OP_RPC, f.stream = 3;
    req.method = 1, req.body = (const uint8_t *)"yo", req.body_len = 2;
    PROP_CHECK(p, dx_hbtp_router_dispatch(&rt, &req) == DX_OK && h.calls[1] == 1 && req.reply_at == 0);
    req.method = 2; /* in range, no handler */
    PROP_CHECK(p, dx_hbtp_router_dispatch(&rt, &req) == DX_OK);
    req.method = 0xffffffffu; /* out of range */
    PROP_CHECK(p, dx_hbtp_router_dispatch(&rt, &req) == DX_OK);
    f.opcode = 0xfe; /* application opcode without a handler */
    PROP_CHECK(p, dx_hbtp_router_dispatch(&rt, &req) == DX_OK);
    f.opcode = 0xff;
    PROP_CHECK(p, dx_hbtp_router_dispatch(&rt, &req) == DX_OK && h.app_calls == 1);
    d = dx_hbtp_resp_data(&r, &len);
    n = parse_all(d, len, out, 8, NULL);
    PROP_CHECK(p, n == 5);
    PROP_CHECK(p, rpc_body_is(&out[0], 1, "yo", 2) && out[0].stream == 3);
    PROP_CHECK(p, out[1].opcode == DX_HBTP_OP_ERROR && err_code(&out[1]) == DX_HBTP_CODE_UNKNOWN_METHOD);
    PROP_CHECK(p, out[2].opcode == DX_HBTP_OP_ERROR && err_code(&out[2]) == DX_HBTP_CODE_UNKNOWN_METHOD);
    PROP_CHECK(p, out[3].opcode == DX_HBTP_OP_ERROR && err_code(&out[3]) == DX_HBTP_CODE_UNKNOWN_OPCODE);
    PROP_CHECK(p, out[4].opcode == 0x81 && payload_is(&out[4], "yo", 2));
    /* a fallback takes every unknown method */
    dx_hbtp_resp_reset(&r);
    dx_hbtp_router_fallback(&rt, h_error, &h);
    f.opcode = DX_HBTP_OP_RPC;
    req.method = 77;
    PROP_CHECK(p, dx_hbtp_router_dispatch(&rt, &req) == DX_OK && h.calls[2] == 1);
    req.method = 2; /* in range, no handler: the fallback too */
    PROP_CHECK(p, dx_hbtp_router_dispatch(&rt, &req) == DX_OK && h.calls[2] == 2);
    d = dx_hbtp_resp_data(&r, &len);
    n = parse_all(d, len, out, 4, NULL);
    PROP_CHECK(p, n == 2 && out[0].opcode == DX_HBTP_OP_ERROR && err_code(&out[0]) == 0x8001);
    PROP_CHECK(p, out[1].opcode == DX_HBTP_OP_ERROR && err_code(&out[1]) == 0x8001);
    return 0;
}

/* ---- connection ---- */

static int t_conn_setup(prop_ctx *p) {
    dx_hbtp_conn c;
    dx_hbtp_conn_config cfg;
    counting cnt;
    size_t need;
    static uint8_t mem[1 << 16];
    memset(&cfg, 0, sizeof cfg);
    memset(&cnt, 0, sizeof cnt);
    /* zero config: a server with 64 KiB frames */
    need = dx_hbtp_conn_memory_size(&cfg);
    PROP_CHECK(p, need >= (8 + 65536) + 2 * (8 + 65536) + 4096 && need < 300000);
    PROP_CHECK(p, dx_hbtp_conn_create(&c, &cfg) == DX_OK);
    PROP_CHECK(p, c.max_payload == 65536 && c.max_inflight == 64 && c.state == DX_HBTP_STATE_HANDSHAKE);
    PROP_CHECK(p, c.out.cap == 2 * (8 + 65536) + 4096 && c.framer.max_payload == 65536);
    dx_hbtp_conn_destroy(&c);
    cfg.max_payload = 1000;
    cfg.max_inflight = 3;
    cfg.out_capacity = 700;
    need = dx_hbtp_conn_memory_size(&cfg);
    PROP_CHECK(p, need <= sizeof mem);
    PROP_CHECK(p, dx_hbtp_conn_init(&c, &cfg, mem, need - 1) == DX_ERR_NOSPACE);
    PROP_CHECK(p, dx_hbtp_conn_init(&c, &cfg, NULL, need) == DX_ERR_NOSPACE);
    PROP_CHECK(p, dx_hbtp_conn_init(&c, &cfg, mem, need) == DX_OK && !c.owns_memory && c.out.cap == 700);
    dx_hbtp_conn_destroy(&c);
    cfg.out_capacity = 16; /* not even a HELLO fits */
    PROP_CHECK(p, dx_hbtp_conn_init(&c, &cfg, mem, sizeof mem) == DX_ERR_INVAL);
    cfg.out_capacity = 0;
    cfg.middleware_count = DX_HBTP_MAX_MIDDLEWARE + 1;
    PROP_CHECK(p, dx_hbtp_conn_init(&c, &cfg, mem, sizeof mem) == DX_ERR_INVAL);
    cfg.middleware_count = 0;
    cfg.role = (dx_hbtp_role)7;
    PROP_CHECK(p, dx_hbtp_conn_init(&c, &cfg, mem, sizeof mem) == DX_ERR_INVAL);
    cfg.role = DX_HBTP_ROLE_SERVER;
    /* every ERROR the library writes must fit: max_payload 64 at least */
    cfg.max_payload = DX_HBTP_MIN_PAYLOAD - 1;
    PROP_CHECK(p, dx_hbtp_conn_memory_size(&cfg) == 0 && dx_hbtp_conn_init(&c, &cfg, mem, sizeof mem) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_hbtp_conn_create(&c, &cfg) == DX_ERR_INVAL);
    cfg.max_payload = DX_HBTP_MIN_PAYLOAD;
    PROP_CHECK(p, dx_hbtp_conn_init(&c, &cfg, mem, sizeof mem) == DX_OK);
    cfg.max_payload = 1000;
    /* the allocator: all or nothing, failures are NOMEM and leak nothing */
    cfg.allocator.alloc = counting_alloc;
    PROP_CHECK(p, dx_hbtp_conn_create(&c, &cfg) == DX_ERR_INVAL);
    cfg.allocator.free = counting_free;
    cfg.allocator.user = &cnt;
    memset(&cnt, 0, sizeof cnt);
    cnt.fail_at = 0;
    PROP_CHECK(p, dx_hbtp_conn_create(&c, &cfg) == DX_ERR_NOMEM && cnt.live == 0);
    cnt.fail_at = -1;
    cfg.out_capacity = 16;
    PROP_CHECK(p, dx_hbtp_conn_create(&c, &cfg) == DX_ERR_INVAL && cnt.live == 0 && cnt.frees == 1);
    cfg.out_capacity = 0;
    PROP_CHECK(p, dx_hbtp_conn_create(&c, &cfg) == DX_OK && cnt.live == 1 && cnt.last_size == dx_hbtp_conn_memory_size(&cfg));
    dx_hbtp_conn_destroy(&c);
    PROP_CHECK(p, cnt.live == 0);
    /* API misuse */
    PROP_CHECK(p, dx_hbtp_conn_feed(NULL, NULL, 0) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_hbtp_conn_hello(NULL) == DX_ERR_INVAL);
    memset(&cfg, 0, sizeof cfg);
    cfg.max_payload = 256;
    PROP_CHECK(p, dx_hbtp_conn_init(&c, &cfg, mem, sizeof mem) == DX_OK);
    PROP_CHECK(p, dx_hbtp_conn_hello(&c) == DX_ERR_MISUSE);  /* servers do not say HELLO first */
    PROP_CHECK(p, dx_hbtp_conn_call(&c, 1, "x", 1) == DX_ERR_MISUSE);
    PROP_CHECK(p, dx_hbtp_conn_feed(&c, NULL, 3) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_hbtp_conn_feed(&c, NULL, 0) == 0);
    return 0;
}

static int t_hello_exchange(prop_ctx *p) {
    dx_hbtp_router rt;
    hstats h;
    static seen s;
    dx_hbtp_conn client, server;
    dx_hbtp_conn_config ccfg, scfg;
    size_t len;
    const uint8_t *d;
    dx_hbtp_frame f;
    std_router(&rt, &h);
    memset(&s, 0, sizeof s);
    scfg = server_cfg(&rt);
    scfg.max_payload = 4096, scfg.max_inflight = 64;
    scfg.capabilities = DX_HBTP_CAP_TIMING | (1ull << 40) | (1ull << 41);
    ccfg = client_cfg(&s);
    ccfg.max_payload = 8192, ccfg.max_inflight = 32;
    ccfg.capabilities = DX_HBTP_CAP_TIMING | (1ull << 40) | (1ull << 3);
    PROP_CHECK(p, dx_hbtp_conn_create(&server, &scfg) == DX_OK && dx_hbtp_conn_create(&client, &ccfg) == DX_OK);
    PROP_CHECK(p, dx_hbtp_conn_hello(&client) == DX_OK);
    PROP_CHECK(p, dx_hbtp_conn_hello(&client) == DX_OK); /* queued twice: the server must refuse the second */
    d = dx_hbtp_conn_output(&client, &len);
    PROP_CHECK(p, len == 64 && dx_hbtp_parse(d, len, 100, &f) == 32 && f.opcode == DX_HBTP_OP_HELLO && f.flags == 0);
    PROP_CHECK(p, memcmp(f.payload, "HBTP\x01\x00\x00\x00", 8) == 0 && dx_load_u64le(f.payload + 8) == ccfg.capabilities);
    PROP_CHECK(p, dx_load_u32le(f.payload + 16) == 8192 && dx_load_u16le(f.payload + 20) == 32);
    PROP_CHECK(p, dx_hbtp_conn_feed(&server, d, 32) == 32);
    dx_hbtp_conn_consume(&client, 32);
    PROP_CHECK(p, server.state == DX_HBTP_STATE_OPEN && server.max_payload == 4096 && server.max_inflight == 32);
    PROP_CHECK(p, server.capabilities == (DX_HBTP_CAP_TIMING | (1ull << 40)) && server.framer.max_payload == 4096);
    d = dx_hbtp_conn_output(&server, &len);
    PROP_CHECK(p, len == 32 && dx_hbtp_parse(d, len, 100, &f) == 32 && f.opcode == DX_HBTP_OP_HELLO);
    PROP_CHECK(p, f.flags == DX_HBTP_FLAG_ACK && f.stream == 0 && dx_load_u64le(f.payload + 8) == server.capabilities);
    PROP_CHECK(p, dx_load_u32le(f.payload + 16) == 4096 && dx_load_u16le(f.payload + 20) == 32 && dx_load_u16le(f.payload + 6) == 0);
    PROP_CHECK(p, xfer(&server, &client) == 32);
    PROP_CHECK(p, client.state == DX_HBTP_STATE_OPEN && client.max_payload == 4096 && client.max_inflight == 32);
    PROP_CHECK(p, client.capabilities == (DX_HBTP_CAP_TIMING | (1ull << 40)));
    PROP_CHECK(p, s.n == 1 && s.f[0].opcode == DX_HBTP_OP_HELLO);
    /* the negotiated limit binds the client's calls */
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, big_body, 4093) == DX_HBTP_ERR_TOO_LARGE);
    PROP_CHECK(p, dx_hbtp_conn_ping(&client, big_body, 4097) == DX_HBTP_ERR_TOO_LARGE);
    /* the second HELLO is a protocol error */
    PROP_CHECK(p, xfer(&client, &server) == DX_HBTP_ERR_PROTOCOL);
    PROP_CHECK(p, server.state == DX_HBTP_STATE_CLOSING && server.error == DX_HBTP_ERR_PROTOCOL);
    destroy_pair(&client, &server);
    return 0;
}

/* The protocol errors a server answers with ERROR + GOAWAY, each on a fresh connection. */
static int t_protocol_errors(prop_ctx *p) {
    typedef struct bad { const char *what; int kind; dx_result want; uint16_t code; } bad;
    static const bad cases[] = {
        {"version 2", 0, DX_HBTP_ERR_VERSION, DX_HBTP_CODE_VERSION},
        {"version 0", 1, DX_HBTP_ERR_VERSION, DX_HBTP_CODE_VERSION},
        {"PING before HELLO", 2, DX_HBTP_ERR_PROTOCOL, DX_HBTP_CODE_PROTOCOL},
        {"bad magic", 3, DX_HBTP_ERR_PROTOCOL, DX_HBTP_CODE_PROTOCOL},
        {"HELLO length", 4, DX_HBTP_ERR_PROTOCOL, DX_HBTP_CODE_PROTOCOL},
        {"HELLO|ACK from a client", 5, DX_HBTP_ERR_PROTOCOL, DX_HBTP_CODE_PROTOCOL},
        {"RPC on stream 0", 6, DX_HBTP_ERR_PROTOCOL, DX_HBTP_CODE_PROTOCOL},
        {"RPC_RESPONSE to a server", 7, DX_HBTP_ERR_PROTOCOL, DX_HBTP_CODE_PROTOCOL},
        {"reserved opcode 0x0b", 8, DX_HBTP_ERR_OPCODE, DX_HBTP_CODE_UNKNOWN_OPCODE},
        {"opcode 0", 9, DX_HBTP_ERR_OPCODE, DX_HBTP_CODE_UNKNOWN_OPCODE},
        {"required flag 0x40", 10, DX_ERR_UNSUPPORTED, DX_HBTP_CODE_PROTOCOL},
        {"frame above the negotiated max_payload", 11, DX_HBTP_ERR_TOO_LARGE, DX_HBTP_CODE_TOO_LARGE},
        {"HELLO on stream 1", 12, DX_HBTP_ERR_PROTOCOL, DX_HBTP_CODE_PROTOCOL},
    };
    size_t i;
    dx_hbtp_router rt;
    hstats h;
    std_router(&rt, &h);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bad *b = &cases[i];
        dx_hbtp_conn server;
        dx_hbtp_conn_config scfg = server_cfg(&rt);
        wbuf w;
        dx_hbtp_frame out[8];
        size_t len, n, rest;
        const uint8_t *d;
        int64_t r;
        memset(&w, 0, sizeof w);
        if (b->kind >= 6 && b->kind <= 11) w_hello(&w, 1, 0, 1000, 8, NULL);
        switch (b->kind) {
        case 0: w_hello(&w, 2, 0, 1000, 8, NULL); break;
        case 1: w_hello(&w, 0, 0, 1000, 8, NULL); break;
        case 2: w_frame(&w, DX_HBTP_OP_PING, 0, 0, "x", 1); break;
        case 3:
            w_hello(&w, 1, 0, 1000, 8, NULL);
            w.b[8] = 'X';
            break;
        case 4:
            w_hello(&w, 1, 0, 1000, 8, "tok");
            dx_store_u16le(w.b + 14, 2); /* token length disagrees with the frame */
            break;
        case 5:
            w_hello(&w, 1, 0, 1000, 8, NULL);
            w.b[1] = DX_HBTP_FLAG_ACK;
            break;
        case 6: w_rpc(&w, 0, 1, "x", 1); break;
        case 7: w_frame(&w, DX_HBTP_OP_RPC_RESPONSE, 0, 1, "\1\0\0\0", 4); break;
        case 8: w_frame(&w, 0x0b, 0, 1, "x", 1); break;
        case 9: w_frame(&w, 0, 0, 1, "x", 1); break;
        case 10:
            w_rpc(&w, 1, 1, "x", 1);
            w.b[w.len - 12] = 0x40;
            break;
        case 11: w_rpc(&w, 1, 1, big_body, 1000 - 3); break; /* 1001 > the 1000 the client offered */
        default:
            w_hello(&w, 1, 0, 1000, 8, NULL);
            w.b[2] = 1;
            break;
        }
        PROP_CHECK(p, dx_hbtp_conn_create(&server, &scfg) == DX_OK);
        r = dx_hbtp_conn_feed(&server, w.b, w.len);
        PROP_CHECK_MSG(p, r == b->want, "%s: feed %s", b->what, dx_hbtp_result_name((dx_result)r));
        PROP_CHECK_MSG(p, server.error == b->want && server.state == DX_HBTP_STATE_CLOSING && server.protocol_errors == 1, "%s", b->what);
        d = dx_hbtp_conn_output(&server, &len);
        n = parse_all(d, len, out, 8, &rest);
        PROP_CHECK_MSG(p, n >= 2 && rest == 0, "%s: %lu frames", b->what, (unsigned long)n);
        PROP_CHECK_MSG(p, out[n - 2].opcode == DX_HBTP_OP_ERROR && err_code(&out[n - 2]) == b->code, "%s", b->what);
        PROP_CHECK_MSG(p, out[n - 1].opcode == DX_HBTP_OP_GOAWAY && dx_load_u16le(out[n - 1].payload + 2) == b->code, "%s", b->what);
        PROP_CHECK(p, n == (b->kind >= 6 && b->kind <= 11 ? 3u : 2u)); /* HELLO|ACK first, if HELLO passed */
        /* closed: every later feed gives the same error and writes nothing */
        PROP_CHECK(p, dx_hbtp_conn_feed(&server, w.b, w.len) == b->want && out_len(&server) == len);
        dx_hbtp_conn_destroy(&server);
        w_free(&w);
    }
    return 0;
}

/* Version mismatch seen from both sides. */
static int t_version_mismatch(prop_ctx *p) {
    dx_hbtp_router rt;
    hstats h;
    static seen s;
    dx_hbtp_conn client, server;
    dx_hbtp_conn_config ccfg, scfg;
    wbuf w;
    size_t len;
    const uint8_t *d;
    std_router(&rt, &h);
    memset(&s, 0, sizeof s);
    memset(&w, 0, sizeof w);
    scfg = server_cfg(&rt);
    ccfg = client_cfg(&s);
    PROP_CHECK(p, dx_hbtp_conn_create(&server, &scfg) == DX_OK && dx_hbtp_conn_create(&client, &ccfg) == DX_OK);
    PROP_CHECK(p, dx_hbtp_conn_hello(&client) == DX_OK);
    /* the client's HELLO, rewritten to major 2 on the way */
    d = dx_hbtp_conn_output(&client, &len);
    w_put(&w, d, len);
    w.b[12] = 2;
    dx_hbtp_conn_consume(&client, len);
    PROP_CHECK(p, dx_hbtp_conn_feed(&server, w.b, w.len) == DX_HBTP_ERR_VERSION);
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "x", 1) == 1); /* queued before the answer arrives */
    PROP_CHECK(p, xfer(&server, &client) > 0);
    PROP_CHECK(p, client.error == DX_HBTP_ERR_REFUSED && client.state == DX_HBTP_STATE_CLOSING);
    PROP_CHECK(p, s.n == 2 && s.f[0].opcode == DX_HBTP_OP_ERROR && s.f[0].stream == 0);
    PROP_CHECK(p, dx_load_u16le(s.f[0].data) == DX_HBTP_CODE_VERSION);
    PROP_CHECK(p, s.f[1].opcode == DX_HBTP_OP_GOAWAY && dx_load_u16le(s.f[1].data + 2) == DX_HBTP_CODE_VERSION);
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "x", 1) == DX_HBTP_ERR_GOAWAY);
    destroy_pair(&client, &server);
    /* a server that speaks major 2 is refused by the client */
    memset(&s, 0, sizeof s);
    PROP_CHECK(p, dx_hbtp_conn_create(&client, &ccfg) == DX_OK && dx_hbtp_conn_hello(&client) == DX_OK);
    w.len = 0;
    w_hello(&w, 2, 0, 4096, 8, NULL);
    w.b[1] = DX_HBTP_FLAG_ACK;
    PROP_CHECK(p, dx_hbtp_conn_feed(&client, w.b, w.len) == DX_HBTP_ERR_VERSION);
    PROP_CHECK(p, client.state == DX_HBTP_STATE_CLOSING && s.n == 0);
    dx_hbtp_conn_destroy(&client);
    /* a minor version the server does not know is fine */
    PROP_CHECK(p, dx_hbtp_conn_create(&server, &scfg) == DX_OK);
    w.len = 0;
    w_hello(&w, 1, 0, 4096, 8, NULL);
    w.b[13] = 9;
    PROP_CHECK(p, dx_hbtp_conn_feed(&server, w.b, w.len) == (int64_t)w.len && server.state == DX_HBTP_STATE_OPEN);
    dx_hbtp_conn_destroy(&server);
    w_free(&w);
    return 0;
}

/* 64 RPCs in one piece, answered in order with their stream ids. */
static int t_pipelined(prop_ctx *p) {
    dx_hbtp_router rt;
    hstats h;
    static seen s;
    dx_hbtp_conn client, server;
    dx_hbtp_conn_config ccfg, scfg;
    dx_hbtp_frame out[80];
    size_t len, n, rest;
    const uint8_t *d;
    uint32_t i;
    std_router(&rt, &h);
    memset(&s, 0, sizeof s);
    scfg = server_cfg(&rt);
    ccfg = client_cfg(&s);
    if (connect_pair(p, &client, &ccfg, &server, &scfg)) return 1;
    s.n = 0;
    for (i = 0; i < 64; i++) {
        char body[16];
        int32_t id;
        int bl = snprintf(body, sizeof body, "req-%u", (unsigned)i);
        id = dx_hbtp_conn_call(&client, i % 3 == 2 ? 7u : 1u, body, (size_t)bl); /* every third: unknown */
        PROP_CHECK_MSG(p, id == (int32_t)(i + 1), "call %u got %d", (unsigned)i, (int)id);
    }
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "x", 1) == DX_ERR_BUSY);
    d = dx_hbtp_conn_output(&client, &len);
    PROP_CHECK(p, dx_hbtp_conn_feed(&server, d, len) == (int64_t)len); /* one piece */
    dx_hbtp_conn_consume(&client, len);
    PROP_CHECK(p, h.calls[1] == 43 && server.inflight_count == 64 && server.requests == 64);
    d = dx_hbtp_conn_output(&server, &len);
    n = parse_all(d, len, out, 80, &rest);
    PROP_CHECK(p, n == 64 && rest == 0);
    for (i = 0; i < 64; i++) {
        char body[16];
        int bl = snprintf(body, sizeof body, "req-%u", (unsigned)i);
        PROP_CHECK_MSG(p, out[i].stream == i + 1, "answer %u on stream %u", (unsigned)i, (unsigned)out[i].stream);
        if (i % 3 == 2) PROP_CHECK(p, out[i].opcode == DX_HBTP_OP_ERROR && err_code(&out[i]) == DX_HBTP_CODE_UNKNOWN_METHOD);
        else PROP_CHECK(p, rpc_body_is(&out[i], 1, body, (size_t)bl));
    }
    /* the client takes them in one piece too, and every stream is closed */
    PROP_CHECK(p, dx_hbtp_conn_feed(&client, d, len) == (int64_t)len);
    dx_hbtp_conn_consume(&server, len);
    PROP_CHECK(p, s.n == 64 && client.inflight_count == 0 && server.inflight_count == 0);
    for (i = 0; i < 64; i++) PROP_CHECK(p, s.f[i].stream == i + 1);
    destroy_pair(&client, &server);
    return 0;
}

/* A client numbers its requests 1, 2, ...: after 65535 comes 1, 0 is never
   used and an id still in flight is skipped (WIRE FORMAT, streams). */
static int t_stream_numbering(prop_ctx *p) {
    static seen s;
    dx_hbtp_conn c;
    dx_hbtp_conn_config cfg;
    memset(&s, 0, sizeof s);
    cfg = client_cfg(&s);
    PROP_CHECK(p, dx_hbtp_conn_create(&c, &cfg) == DX_OK && dx_hbtp_conn_hello(&c) == DX_OK);
    PROP_CHECK(p, dx_hbtp_conn_call(&c, 1, "a", 1) == 1 && dx_hbtp_conn_send(&c, 0x80, 0, "b", 1) == 2);
    c.next_stream = 65534;
    PROP_CHECK(p, dx_hbtp_conn_call(&c, 1, "c", 1) == 65534 && dx_hbtp_conn_call(&c, 1, "d", 1) == 65535);
    PROP_CHECK(p, dx_hbtp_conn_call(&c, 1, "e", 1) == 3); /* 0 skipped, 1 and 2 in flight */
    c.next_stream = 65534;
    PROP_CHECK(p, dx_hbtp_conn_call(&c, 1, "f", 1) == 4); /* 65534, 65535, 0, 1, 2, 3: all taken */
    PROP_CHECK(p, c.inflight_count == 6);
    dx_hbtp_conn_destroy(&c);
    return 0;
}

static int t_inflight_limit(prop_ctx *p) {
    dx_hbtp_router rt;
    hstats h;
    static seen s;
    dx_hbtp_conn client, server;
    dx_hbtp_conn_config ccfg, scfg;
    dx_hbtp_frame out[16];
    wbuf w;
    size_t len, n, rest;
    const uint8_t *d;
    uint16_t i;
    std_router(&rt, &h);
    memset(&s, 0, sizeof s);
    memset(&w, 0, sizeof w);
    scfg = server_cfg(&rt);
    scfg.max_inflight = 4;
    ccfg = client_cfg(&s); /* offers 64; 4 is negotiated */
    if (connect_pair(p, &client, &ccfg, &server, &scfg)) return 1;
    PROP_CHECK(p, client.max_inflight == 4);
    for (i = 0; i < 4; i++) PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "x", 1) > 0);
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "x", 1) == DX_ERR_BUSY);
    PROP_CHECK(p, dx_hbtp_conn_ping(&client, "p", 1) == DX_OK); /* pings are not requests */
    PROP_CHECK(p, pump(&client, &server) == 0 && client.inflight_count == 0);
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "x", 1) > 0);
    PROP_CHECK(p, pump(&client, &server) == 0);
    destroy_pair(&client, &server);
    /* a raw client that ignores the limit: 5 requests, the server's output never consumed */
    PROP_CHECK(p, dx_hbtp_conn_create(&server, &scfg) == DX_OK);
    w_hello(&w, 1, 0, 4096, 64, NULL);
    for (i = 1; i <= 5; i++) w_rpc(&w, i, 1, "x", 1);
    PROP_CHECK(p, dx_hbtp_conn_feed(&server, w.b, w.len) == DX_HBTP_ERR_INFLIGHT);
    d = dx_hbtp_conn_output(&server, &len);
    n = parse_all(d, len, out, 16, &rest);
    PROP_CHECK(p, n == 7 && rest == 0 && out[0].opcode == DX_HBTP_OP_HELLO);
    for (i = 1; i <= 4; i++) PROP_CHECK(p, out[i].stream == i && rpc_body_is(&out[i], 1, "x", 1));
    PROP_CHECK(p, out[5].opcode == DX_HBTP_OP_ERROR && out[5].stream == 5 && err_code(&out[5]) == DX_HBTP_CODE_TOO_MANY_INFLIGHT);
    PROP_CHECK(p, out[6].opcode == DX_HBTP_OP_GOAWAY && dx_load_u16le(out[6].payload) == 4);
    PROP_CHECK(p, dx_load_u16le(out[6].payload + 2) == DX_HBTP_CODE_TOO_MANY_INFLIGHT && h.calls[1] == 4 + 5);
    dx_hbtp_conn_destroy(&server);
    /* the same client that reads its answers may send any number */
    PROP_CHECK(p, dx_hbtp_conn_create(&server, &scfg) == DX_OK);
    w.len = 0;
    w_hello(&w, 1, 0, 4096, 64, NULL);
    PROP_CHECK(p, dx_hbtp_conn_feed(&server, w.b, w.len) == (int64_t)w.len);
    for (i = 1; i <= 500; i++) {
        w.len = 0;
        w_rpc(&w, i, 1, "x", 1);
        PROP_CHECK(p, dx_hbtp_conn_feed(&server, w.b, w.len) == (int64_t)w.len);
        if (i % 4 == 0) dx_hbtp_conn_consume(&server, out_len(&server));
    }
    PROP_CHECK(p, server.error == DX_OK && server.inflight_count == 0);
    /* a partial consume retires only the replies wholly sent */
    for (i = 1; i <= 3; i++) {
        w.len = 0;
        w_rpc(&w, i, 1, "x", 1);
        PROP_CHECK(p, dx_hbtp_conn_feed(&server, w.b, w.len) == (int64_t)w.len);
    }
    PROP_CHECK(p, server.inflight_count == 3);
    dx_hbtp_conn_consume(&server, 13 + 12); /* the first 13-byte reply and most of the second */
    PROP_CHECK(p, server.inflight_count == 2);
    dx_hbtp_conn_consume(&server, 1);
    PROP_CHECK(p, server.inflight_count == 1);
    dx_hbtp_conn_destroy(&server);
    w_free(&w);
    return 0;
}

static int t_goaway(prop_ctx *p) {
    dx_hbtp_router rt;
    hstats h;
    static seen s;
    dx_hbtp_conn client, server;
    dx_hbtp_conn_config ccfg, scfg;
    dx_hbtp_frame out[8];
    size_t len, n;
    const uint8_t *d;
    uint32_t echoes;
    std_router(&rt, &h);
    scfg = server_cfg(&rt);
    ccfg = client_cfg(&s);
    /* client -> server */
    memset(&s, 0, sizeof s);
    if (connect_pair(p, &client, &ccfg, &server, &scfg)) return 1;
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "a", 1) == 1 && pump(&client, &server) == 0);
    s.n = 0;
    PROP_CHECK(p, dx_hbtp_conn_goaway(&client, DX_HBTP_CODE_NONE, "bye") == DX_OK);
    PROP_CHECK(p, client.state == DX_HBTP_STATE_CLOSING);
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "a", 1) == DX_HBTP_ERR_GOAWAY);
    d = dx_hbtp_conn_output(&client, &len);
    PROP_CHECK(p, parse_all(d, len, out, 8, NULL) == 1 && out[0].opcode == DX_HBTP_OP_GOAWAY && out[0].flags == 0);
    PROP_CHECK(p, payload_is(&out[0], "\0\0\0\0bye", 7));
    PROP_CHECK(p, xfer(&client, &server) > 0 && server.state == DX_HBTP_STATE_CLOSING && server.error == DX_OK);
    d = dx_hbtp_conn_output(&server, &len);
    PROP_CHECK(p, len == 8 && memcmp(d, "\x0a\x08\0\0\0\0\0\0", 8) == 0); /* GOAWAY|ACK, empty */
    PROP_CHECK(p, xfer(&server, &client) == 8);
    PROP_CHECK(p, s.n == 1 && s.f[0].opcode == DX_HBTP_OP_GOAWAY && s.f[0].flags == DX_HBTP_FLAG_ACK);
    PROP_CHECK(p, out_len(&client) == 0 && client.error == DX_OK); /* an ACK is not answered */
    destroy_pair(&client, &server);
    /* server -> client, after three requests: last stream 3 */
    memset(&s, 0, sizeof s);
    if (connect_pair(p, &client, &ccfg, &server, &scfg)) return 1;
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "a", 1) > 0 && dx_hbtp_conn_call(&client, 1, "b", 1) > 0);
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 2, "c", 1) == 3 && pump(&client, &server) == 0);
    s.n = 0;
    PROP_CHECK(p, dx_hbtp_conn_goaway(&server, DX_HBTP_CODE_NONE, "maintenance") == DX_OK);
    PROP_CHECK(p, xfer(&server, &client) > 0);
    PROP_CHECK(p, client.state == DX_HBTP_STATE_CLOSING && client.error == DX_OK);
    PROP_CHECK(p, s.n == 1 && s.f[0].opcode == DX_HBTP_OP_GOAWAY && s.f[0].flags == 0);
    PROP_CHECK(p, seen_payload_is(&s.f[0], "\3\0\0\0maintenance", 15));
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "a", 1) == DX_HBTP_ERR_GOAWAY);
    d = dx_hbtp_conn_output(&client, &len);
    PROP_CHECK(p, len == 8 && memcmp(d, "\x0a\x08\0\0\0\0\0\0", 8) == 0);
    PROP_CHECK(p, xfer(&client, &server) == 8 && out_len(&server) == 0 && server.error == DX_OK);
    destroy_pair(&client, &server);
    /* a GOAWAY message is cut to the negotiated max payload, which the peer holds it to */
    memset(&s, 0, sizeof s);
    ccfg.max_payload = DX_HBTP_MIN_PAYLOAD;
    if (connect_pair(p, &client, &ccfg, &server, &scfg)) return 1;
    PROP_CHECK(p, dx_hbtp_conn_goaway(&server, DX_HBTP_CODE_NONE, "a message longer than the 64 bytes the client accepts, so the connection cuts it to 60") == DX_OK);
    PROP_CHECK(p, out_len(&server) == 8 + DX_HBTP_MIN_PAYLOAD && xfer(&server, &client) == 8 + DX_HBTP_MIN_PAYLOAD);
    PROP_CHECK(p, client.error == DX_OK && s.n == 2 && s.f[1].opcode == DX_HBTP_OP_GOAWAY);
    destroy_pair(&client, &server);
    ccfg.max_payload = 4096;
    /* GOAWAYs that cross: each side answers the other's, closing or not */
    memset(&s, 0, sizeof s);
    if (connect_pair(p, &client, &ccfg, &server, &scfg)) return 1;
    PROP_CHECK(p, dx_hbtp_conn_goaway(&client, DX_HBTP_CODE_NONE, NULL) == DX_OK);
    PROP_CHECK(p, dx_hbtp_conn_goaway(&server, DX_HBTP_CODE_NONE, NULL) == DX_OK);
    PROP_CHECK(p, xfer(&server, &client) == 12);
    d = dx_hbtp_conn_output(&client, &len); /* its GOAWAY, then the ACK of the server's */
    PROP_CHECK(p, len == 12 + 8 && memcmp(d + 12, "\x0a\x08\0\0\0\0\0\0", 8) == 0);
    PROP_CHECK(p, xfer(&client, &server) == 12 + 8);
    d = dx_hbtp_conn_output(&server, &len);
    PROP_CHECK(p, len == 8 && memcmp(d, "\x0a\x08\0\0\0\0\0\0", 8) == 0);
    PROP_CHECK(p, pump(&client, &server) == 0 && client.error == DX_OK && server.error == DX_OK);
    destroy_pair(&client, &server);
    /* requests that arrive after the server's GOAWAY are refused, the connection stays up */
    memset(&s, 0, sizeof s);
    if (connect_pair(p, &client, &ccfg, &server, &scfg)) return 1;
    echoes = h.calls[1];
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "late", 4) == 1);
    PROP_CHECK(p, dx_hbtp_conn_goaway(&server, DX_HBTP_CODE_NONE, NULL) == DX_OK);
    PROP_CHECK(p, xfer(&client, &server) > 0 && h.calls[1] == echoes);
    d = dx_hbtp_conn_output(&server, &len);
    n = parse_all(d, len, out, 8, NULL);
    PROP_CHECK(p, n == 2 && out[0].opcode == DX_HBTP_OP_GOAWAY && out[1].opcode == DX_HBTP_OP_ERROR && out[1].stream == 1);
    PROP_CHECK(p, pump(&client, &server) == 0 && client.inflight_count == 0 && client.error == DX_OK);
    destroy_pair(&client, &server);
    return 0;
}

static int t_unknown_method(prop_ctx *p) {
    dx_hbtp_router rt;
    hstats h;
    static seen s;
    dx_hbtp_conn client, server;
    dx_hbtp_conn_config ccfg, scfg;
    std_router(&rt, &h);
    memset(&s, 0, sizeof s);
    scfg = server_cfg(&rt);
    ccfg = client_cfg(&s);
    if (connect_pair(p, &client, &ccfg, &server, &scfg)) return 1;
    s.n = 0;
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 7, "?", 1) == 1);           /* in the table, no handler */
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 1000000, NULL, 0) == 2);    /* beyond the table */
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "ok", 2) == 3);
    PROP_CHECK(p, pump(&client, &server) == 0);
    PROP_CHECK(p, s.n == 3 && client.inflight_count == 0 && server.error == DX_OK);
    PROP_CHECK(p, s.f[0].opcode == DX_HBTP_OP_ERROR && s.f[0].stream == 1);
    PROP_CHECK(p, seen_payload_is(&s.f[0], "\4\0\0\0unknown method", 18));
    PROP_CHECK(p, s.f[1].opcode == DX_HBTP_OP_ERROR && s.f[1].stream == 2 && dx_load_u16le(s.f[1].data) == 4);
    PROP_CHECK(p, s.f[2].opcode == DX_HBTP_OP_RPC_RESPONSE && seen_payload_is(&s.f[2], "\1\0\0\0ok", 6));
    /* an RPC too short for a method id is a bad request, not fatal */
    {
        uint8_t raw[10];
        size_t len;
        const uint8_t *d;
        dx_hbtp_encode(raw, sizeof raw, DX_HBTP_OP_RPC, 0, 9, "ab", 2);
        PROP_CHECK(p, dx_hbtp_conn_feed(&server, raw, 10) == 10 && server.error == DX_OK);
        d = dx_hbtp_conn_output(&server, &len);
        PROP_CHECK(p, len == 8 + 4 + strlen("RPC without a method id") && d[0] == DX_HBTP_OP_ERROR && d[2] == 9);
        PROP_CHECK(p, dx_load_u16le(d + 8) == DX_HBTP_CODE_BAD_REQUEST);
    }
    destroy_pair(&client, &server);
    return 0;
}

/* Application opcodes go to their handler; an unrouted one is ERROR UNKNOWN_OPCODE. */
static int t_app_opcodes(prop_ctx *p) {
    dx_hbtp_router rt;
    hstats h;
    dx_hbtp_conn server;
    dx_hbtp_conn_config scfg;
    dx_hbtp_frame out[8];
    wbuf w;
    size_t len, n, rest;
    const uint8_t *d;
    std_router(&rt, &h);
    dx_hbtp_router_opcode(&rt, 0xff, h_app, &h);
    memset(&w, 0, sizeof w);
    scfg = server_cfg(&rt);
    PROP_CHECK(p, dx_hbtp_conn_create(&server, &scfg) == DX_OK);
    w_hello(&w, 1, 0, 4096, 64, NULL);
    w_frame(&w, 0x80, 0, 1, "app-0x80", 8);
    w_frame(&w, 0xfe, 0, 2, "nobody", 6);
    w_frame(&w, 0xff, DX_HBTP_FLAG_END_STREAM | 0x80, 3, "", 0); /* optional bit 7 is ignored */
    PROP_CHECK(p, dx_hbtp_conn_feed(&server, w.b, w.len) == (int64_t)w.len);
    PROP_CHECK(p, h.app_calls == 2 && server.error == DX_OK && server.requests == 3);
    d = dx_hbtp_conn_output(&server, &len);
    n = parse_all(d, len, out, 8, &rest);
    PROP_CHECK(p, n == 4 && rest == 0);
    PROP_CHECK(p, out[1].opcode == 0x81 && out[1].stream == 1 && payload_is(&out[1], "app-0x80", 8));
    PROP_CHECK(p, out[2].opcode == DX_HBTP_OP_ERROR && out[2].stream == 2 && err_code(&out[2]) == DX_HBTP_CODE_UNKNOWN_OPCODE);
    PROP_CHECK(p, out[3].opcode == 0x81 && out[3].stream == 3 && out[3].length == 0);
    PROP_CHECK(p, server.inflight_count == 3); /* every answer counts until it is sent */
    dx_hbtp_conn_consume(&server, len);
    PROP_CHECK(p, server.inflight_count == 0);
    dx_hbtp_conn_destroy(&server);
    w_free(&w);
    return 0;
}

/* A client's application frames: dx_hbtp_conn_send opens a stream, the
   server routes by opcode, the answer on that stream closes it. */
static int t_client_send_app(prop_ctx *p) {
    dx_hbtp_router rt;
    hstats h;
    dx_hbtp_conn client, server;
    dx_hbtp_conn_config scfg, ccfg;
    seen s;
    int32_t a, b;
    std_router(&rt, &h);
    memset(&s, 0, sizeof s);
    scfg = server_cfg(&rt);
    ccfg = client_cfg(&s);
    if (connect_pair(p, &client, &ccfg, &server, &scfg)) return 1;
    PROP_CHECK(p, dx_hbtp_conn_send(&client, DX_HBTP_OP_RPC, 0, "x", 1) == DX_ERR_INVAL);
    a = dx_hbtp_conn_send(&client, 0x80, 0, "app", 3);
    b = dx_hbtp_conn_send(&client, 0x80, DX_HBTP_FLAG_END_STREAM, "", 0);
    PROP_CHECK(p, a > 0 && b > 0 && a != b && client.inflight_count == 2);
    PROP_CHECK(p, pump(&client, &server) == 0);
    PROP_CHECK(p, h.app_calls == 2 && client.inflight_count == 0 && client.error == DX_OK);
    PROP_CHECK(p, s.n == 3 && s.f[1].opcode == 0x81 && s.f[1].stream == (uint16_t)a && seen_payload_is(&s.f[1], "app", 3));
    PROP_CHECK(p, s.f[2].stream == (uint16_t)b && s.f[2].length == 0);
    destroy_pair(&client, &server);
    return 0;
}

/* Streams: the server answers an RPC with chunks; the client uploads STREAM_DATA pieces. */
static int t_streams(prop_ctx *p) {
    dx_hbtp_router rt;
    hstats h;
    static seen s;
    dx_hbtp_conn client, server;
    dx_hbtp_conn_config ccfg, scfg;
    dx_hbtp_frame out[8];
    wbuf w;
    size_t len, n;
    const uint8_t *d;
    int32_t id;
    std_router(&rt, &h);
    memset(&s, 0, sizeof s);
    scfg = server_cfg(&rt);
    ccfg = client_cfg(&s);
    if (connect_pair(p, &client, &ccfg, &server, &scfg)) return 1;
    s.n = 0;
    id = dx_hbtp_conn_call(&client, 5, NULL, 0);
    PROP_CHECK(p, id > 0);
    PROP_CHECK(p, pump(&client, &server) == 0);
    PROP_CHECK_MSG(p, client.error == DX_OK, "client: %s", dx_hbtp_result_name(client.error));
    PROP_CHECK_MSG(p, s.n == 4, "the client saw %u frames", (unsigned)s.n);
    PROP_CHECK(p, s.f[0].opcode == DX_HBTP_OP_STREAM_DATA && s.f[0].flags == 0 && seen_payload_is(&s.f[0], "a", 1));
    PROP_CHECK(p, s.f[1].opcode == DX_HBTP_OP_STREAM_DATA && seen_payload_is(&s.f[1], "bb", 2));
    PROP_CHECK(p, s.f[2].opcode == DX_HBTP_OP_STREAM_DATA && seen_payload_is(&s.f[2], "ccc", 3));
    PROP_CHECK(p, s.f[3].opcode == DX_HBTP_OP_STREAM_END && s.f[3].flags == DX_HBTP_FLAG_END_STREAM);
    PROP_CHECK(p, seen_payload_is(&s.f[3], "end", 3));
    PROP_CHECK(p, s.f[0].stream == id && s.f[3].stream == id);
    PROP_CHECK(p, client.inflight_count == 0 && server.inflight_count == 0);
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "next", 4) > 0 && pump(&client, &server) == 0);
    PROP_CHECK(p, s.n == 5 && s.f[4].opcode == DX_HBTP_OP_RPC_RESPONSE && client.error == DX_OK);
    destroy_pair(&client, &server);
    /* upload: pieces are not answered, the end is */
    memset(&w, 0, sizeof w);
    PROP_CHECK(p, dx_hbtp_conn_create(&server, &scfg) == DX_OK);
    w_hello(&w, 1, 0, 4096, 64, NULL);
    w_frame(&w, DX_HBTP_OP_STREAM_DATA, 0, 9, "12345", 5);
    w_frame(&w, DX_HBTP_OP_STREAM_DATA, DX_HBTP_FLAG_MORE, 9, "678", 3);
    w_frame(&w, DX_HBTP_OP_STREAM_END, DX_HBTP_FLAG_END_STREAM, 9, "90", 2);
    PROP_CHECK(p, dx_hbtp_conn_feed(&server, w.b, w.len) == (int64_t)w.len && server.error == DX_OK);
    d = dx_hbtp_conn_output(&server, &len);
    n = parse_all(d, len, out, 8, NULL);
    PROP_CHECK(p, n == 2 && h.stream_bytes == 10 && out[1].stream == 9 && rpc_body_is(&out[1], 0, "\x0a\0\0\0\0\0\0\0", 8));
    dx_hbtp_conn_destroy(&server);
    w_free(&w);
    return 0;
}

/* A client's upload: dx_hbtp_conn_stream opens a stream with the first
   piece, continues it, and the answer to the last piece closes it. */
static int t_client_stream(prop_ctx *p) {
    dx_hbtp_router rt;
    hstats h;
    static seen s;
    dx_hbtp_conn client, server;
    dx_hbtp_conn_config ccfg, scfg;
    int32_t id;
    std_router(&rt, &h);
    memset(&s, 0, sizeof s);
    scfg = server_cfg(&rt);
    ccfg = client_cfg(&s);
    if (connect_pair(p, &client, &ccfg, &server, &scfg)) return 1;
    s.n = 0;
    PROP_CHECK(p, dx_hbtp_conn_stream(&client, 77, "x", 1, false) == DX_ERR_INVAL); /* not in flight */
    PROP_CHECK(p, dx_hbtp_conn_stream(&server, 0, "x", 1, false) == DX_ERR_MISUSE);
    id = dx_hbtp_conn_stream(&client, 0, "12345", 5, false);
    PROP_CHECK(p, id > 0 && client.inflight_count == 1);
    PROP_CHECK(p, dx_hbtp_conn_stream(&client, (uint16_t)id, "678", 3, false) == id);
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "mid", 3) > 0); /* a call alongside */
    PROP_CHECK(p, dx_hbtp_conn_stream(&client, (uint16_t)id, "90", 2, true) == id);
    PROP_CHECK(p, dx_hbtp_conn_stream(&client, (uint16_t)id, NULL, 1, true) == DX_ERR_INVAL);
    PROP_CHECK(p, pump(&client, &server) == 0);
    PROP_CHECK_MSG(p, client.error == DX_OK && server.error == DX_OK, "%s", dx_hbtp_result_name(client.error));
    PROP_CHECK(p, h.stream_bytes == 10 && client.inflight_count == 0 && server.inflight_count == 0);
    PROP_CHECK(p, s.n == 2 && s.f[0].opcode == DX_HBTP_OP_RPC_RESPONSE && s.f[1].stream == (uint16_t)id);
    PROP_CHECK(p, s.f[1].opcode == DX_HBTP_OP_RPC_RESPONSE && seen_payload_is(&s.f[1], "\0\0\0\0\x0a\0\0\0\0\0\0\0", 12));
    /* an empty upload is one STREAM_END */
    id = dx_hbtp_conn_stream(&client, 0, NULL, 0, true);
    PROP_CHECK(p, id > 0 && pump(&client, &server) == 0 && client.inflight_count == 0 && s.n == 3);
    destroy_pair(&client, &server);
    return 0;
}

/* An upload to a server with no STREAM_DATA or STREAM_END handler: its
   pieces get no answer, its end one ERROR UNKNOWN_OPCODE (each piece was
   answered before 0.3.4: a client took the second answer as one to no
   request, a protocol error). */
static int t_stream_unrouted(prop_ctx *p) {
    dx_hbtp_router rt;
    hstats h;
    static seen s;
    dx_hbtp_conn client, server;
    dx_hbtp_conn_config ccfg, scfg;
    int32_t id;
    std_router(&rt, &h);
    rt.opcodes[DX_HBTP_OP_STREAM_DATA].fn = NULL, rt.opcodes[DX_HBTP_OP_STREAM_END].fn = NULL;
    memset(&s, 0, sizeof s);
    scfg = server_cfg(&rt);
    ccfg = client_cfg(&s);
    if (connect_pair(p, &client, &ccfg, &server, &scfg)) return 1;
    s.n = 0;
    id = dx_hbtp_conn_stream(&client, 0, "12345", 5, false);
    PROP_CHECK(p, id > 0 && dx_hbtp_conn_stream(&client, (uint16_t)id, "678", 3, false) == id);
    PROP_CHECK(p, dx_hbtp_conn_stream(&client, (uint16_t)id, "90", 2, true) == id);
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "after", 5) > 0);
    PROP_CHECK(p, pump(&client, &server) == 0);
    PROP_CHECK_MSG(p, client.error == DX_OK && server.error == DX_OK, "%s", dx_hbtp_result_name(client.error));
    PROP_CHECK_MSG(p, s.n == 2, "the client saw %u frames", (unsigned)s.n);
    PROP_CHECK(p, s.f[0].opcode == DX_HBTP_OP_ERROR && s.f[0].stream == (uint16_t)id &&
                      dx_load_u16le(s.f[0].data) == DX_HBTP_CODE_UNKNOWN_OPCODE);
    PROP_CHECK(p, s.f[1].opcode == DX_HBTP_OP_RPC_RESPONSE && client.inflight_count == 0 && server.inflight_count == 0);
    destroy_pair(&client, &server);
    return 0;
}

static int t_not_modified(prop_ctx *p) {
    dx_hbtp_router rt;
    hstats h;
    static seen s;
    dx_hbtp_conn client, server;
    dx_hbtp_conn_config ccfg, scfg;
    int32_t id;
    std_router(&rt, &h);
    memset(&s, 0, sizeof s);
    scfg = server_cfg(&rt);
    ccfg = client_cfg(&s);
    if (connect_pair(p, &client, &ccfg, &server, &scfg)) return 1;
    s.n = 0;
    id = dx_hbtp_conn_call(&client, 6, "if-none-match", 13);
    PROP_CHECK(p, id > 0 && pump(&client, &server) == 0);
    PROP_CHECK_MSG(p, client.error == DX_OK, "client: %s", dx_hbtp_result_name(client.error));
    PROP_CHECK_MSG(p, s.n == 1, "the client saw %u frames", (unsigned)s.n);
    PROP_CHECK(p, s.f[0].opcode == DX_HBTP_OP_NOT_MODIFIED && s.f[0].stream == id && seen_payload_is(&s.f[0], "etag-1", 6));
    PROP_CHECK(p, client.inflight_count == 0 && server.inflight_count == 0 && h.calls[6] == 1);
    /* a handler that answers nothing gets an empty reply */
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 0, "x", 1) > 0 && pump(&client, &server) == 0);
    PROP_CHECK(p, s.n == 2 && s.f[1].opcode == DX_HBTP_OP_RPC_RESPONSE && seen_payload_is(&s.f[1], "\0\0\0\0", 4));
    /* a handler error without a reply is ERROR INTERNAL */
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 3, "x", 1) > 0 && pump(&client, &server) == 0);
    PROP_CHECK(p, s.n == 3 && s.f[2].opcode == DX_HBTP_OP_ERROR && dx_load_u16le(s.f[2].data) == DX_HBTP_CODE_INTERNAL);
    PROP_CHECK(p, client.error == DX_OK && server.error == DX_OK);
    destroy_pair(&client, &server);
    return 0;
}

/* ---- middleware ---- */

typedef struct mw_log {
    int before[8], after[8];
    dx_result after_result[8];
    int nb, na;
    int stop_at;      /* this id's before stops the request */
    int stop_reply;   /* ...with its own ERROR reply (else none: INTERNAL) */
    uint64_t elapsed_seen;
} mw_log;
typedef struct mw_state { int id; mw_log *log; } mw_state;
static dx_result mw_before(dx_hbtp_request *req, void *state) {
    mw_state *m = (mw_state *)state;
    if (m->log->nb < 8) m->log->before[m->log->nb++] = m->id;
    if (m->id == m->log->stop_at) {
        if (m->log->stop_reply) dx_hbtp_reply_error(req, 0x8002, "stopped");
        return DX_ERR_BUSY;
    }
    return DX_OK;
}
static void mw_after(dx_hbtp_request *req, dx_result result, void *state) {
    mw_state *m = (mw_state *)state;
    if (m->log->na < 8) {
        m->log->after_result[m->log->na] = result;
        m->log->after[m->log->na++] = m->id;
    }
    m->log->elapsed_seen = req->elapsed_ns;
}
static dx_hbtp_middleware mw_make(mw_state *s) {
    dx_hbtp_middleware m;
    memset(&m, 0, sizeof m);
    m.before = mw_before;
    m.after = mw_after;
    m.state = s;
    return m;
}

static int t_middleware_order(prop_ctx *p) {
    dx_hbtp_router rt;
    hstats h;
    static seen s;
    dx_hbtp_conn client, server;
    dx_hbtp_conn_config ccfg, scfg;
    mw_log log;
    mw_state st[3];
    int i, round;
    std_router(&rt, &h);
    memset(&s, 0, sizeof s);
    scfg = server_cfg(&rt);
    for (i = 0; i < 3; i++) {
        st[i].id = i + 1, st[i].log = &log;
        scfg.middleware[i] = mw_make(&st[i]);
    }
    scfg.middleware_count = 3;
    ccfg = client_cfg(&s);
    memset(&log, 0, sizeof log);
    if (connect_pair(p, &client, &ccfg, &server, &scfg)) return 1;
    PROP_CHECK(p, log.nb == 0 && log.na == 0); /* HELLO is not a request */
    /* all pass: before 1,2,3, handler, after 3,2,1 */
    s.n = 0;
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "hi", 2) > 0 && pump(&client, &server) == 0);
    PROP_CHECK(p, log.nb == 3 && log.before[0] == 1 && log.before[1] == 2 && log.before[2] == 3);
    PROP_CHECK(p, log.na == 3 && log.after[0] == 3 && log.after[1] == 2 && log.after[2] == 1);
    PROP_CHECK(p, log.after_result[0] == DX_OK && h.calls[1] == 1);
    PROP_CHECK(p, s.n == 1 && s.f[0].opcode == DX_HBTP_OP_RPC_RESPONSE);
    /* pings and PONGs bypass middleware */
    memset(&log, 0, sizeof log);
    PROP_CHECK(p, dx_hbtp_conn_ping(&client, NULL, 0) == DX_OK && pump(&client, &server) == 0 && log.nb == 0);
    /* the 2nd stops: no 3rd, no handler; only the 1st's after; the client gets an ERROR */
    for (round = 0; round < 2; round++) {
        memset(&log, 0, sizeof log);
        log.stop_at = 2;
        log.stop_reply = round == 0;
        s.n = 0;
        PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "hi", 2) > 0 && pump(&client, &server) == 0);
        PROP_CHECK(p, log.nb == 2 && log.before[0] == 1 && log.before[1] == 2);
        PROP_CHECK_MSG(p, log.na == 1 && log.after[0] == 1, "round %d: %d afters, first %d", round, log.na, log.after[0]);
        PROP_CHECK(p, log.after_result[0] == DX_ERR_BUSY && h.calls[1] == 1);
        PROP_CHECK(p, s.n == 1 && s.f[0].opcode == DX_HBTP_OP_ERROR);
        PROP_CHECK(p, dx_load_u16le(s.f[0].data) == (round == 0 ? 0x8002 : DX_HBTP_CODE_INTERNAL));
        PROP_CHECK(p, client.inflight_count == 0 && server.error == DX_OK);
    }
    /* the 1st stops: nothing else runs at all */
    memset(&log, 0, sizeof log);
    log.stop_at = 1;
    log.stop_reply = 1;
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "hi", 2) > 0 && pump(&client, &server) == 0);
    PROP_CHECK(p, log.nb == 1 && log.na == 0 && h.calls[1] == 1);
    destroy_pair(&client, &server);
    return 0;
}

/* What the first middleware is given: every field of the request set by the
   connection. The stack is filled with 0xa5 before each feed, so that a field
   the connection forgets to set shows. */
typedef struct req_check { dx_hbtp_conn *conn; int n, bad; } req_check;
static dx_result mw_check_request(dx_hbtp_request *req, void *state) {
    req_check *r = (req_check *)state;
    const dx_hbtp_frame *f = req->frame;
    uint32_t fixed = f->opcode == DX_HBTP_OP_RPC ? 4 : 0;
    r->n++;
    if (req->conn != r->conn || req->resp != &r->conn->out || req->reply_at != (size_t)-1 || req->start_ns != 0 ||
        req->elapsed_ns != 0 || req->method != (fixed ? dx_load_u32le(f->payload) : 0) ||
        req->body != f->payload + fixed || req->body_len != f->length - fixed)
        r->bad++;
    return DX_OK;
}
static void dirty_stack(void) {
    volatile uint8_t junk[16384];
    size_t i;
    for (i = 0; i < sizeof junk; i++) junk[i] = 0xa5;
}
static int t_request_fields(prop_ctx *p) {
    dx_hbtp_router rt;
    hstats h;
    static seen s;
    dx_hbtp_conn client, server;
    dx_hbtp_conn_config ccfg, scfg;
    req_check r;
    wbuf w[4];
    int i;
    std_router(&rt, &h);
    memset(&s, 0, sizeof s);
    memset(&r, 0, sizeof r);
    memset(w, 0, sizeof w);
    r.conn = &server;
    scfg = server_cfg(&rt);
    scfg.middleware[0].before = mw_check_request;
    scfg.middleware[0].state = &r;
    scfg.middleware_count = 1;
    ccfg = client_cfg(&s);
    if (connect_pair(p, &client, &ccfg, &server, &scfg)) return 1;
    w_rpc(&w[0], 1, 0x01020304, "body", 4); /* unknown method: answered, not refused */
    w_rpc(&w[1], 2, 1, "hello", 5);
    w_frame(&w[2], 0x80, 0, 3, "app", 3);
    w_frame(&w[3], DX_HBTP_OP_STREAM_DATA, 0, 4, "piece", 5);
    for (i = 0; i < 4; i++) {
        dirty_stack();
        PROP_CHECK(p, dx_hbtp_conn_feed(&server, w[i].b, w[i].len) == (int64_t)w[i].len);
    }
    PROP_CHECK_MSG(p, r.n == 4 && r.bad == 0, "%d requests, %d with a field not set", r.n, r.bad);
    PROP_CHECK(p, server.requests == 4 && server.inflight_count == 3); /* the piece gets no answer */
    for (i = 0; i < 4; i++) w_free(&w[i]);
    destroy_pair(&client, &server);
    return 0;
}

/* elapsed time for a request whose handler takes `handler_ns` on the fake clock */
typedef struct slow { fake_clock *clock; uint64_t handler_ns; } slow;
static dx_result h_slow_echo(dx_hbtp_request *req, void *user) {
    slow *s = (slow *)user;
    s->clock->ns += s->handler_ns;
    return dx_hbtp_reply(req, req->body, req->body_len);
}

static int t_timing(prop_ctx *p) {
    static const uint64_t ns[] = {0, 999, 1000, 2500000, 4000000123456ull, 1000ull * 0x100000000ull - 1,
                                  1000ull * 0x100000000ull, 0xffffffffffffull};
    dx_hbtp_router rt;
    dx_hbtp_route m[2];
    static seen s;
    dx_hbtp_conn client, server;
    dx_hbtp_conn_config ccfg, scfg;
    fake_clock clk;
    slow sl;
    dx_hbtp_timing t;
    mw_log log;
    mw_state outer;
    size_t i;
    int round;
    memset(&clk, 0, sizeof clk);
    sl.clock = &clk;
    dx_hbtp_router_init(&rt, m, 2);
    dx_hbtp_router_method(&rt, 1, h_slow_echo, &sl);
    for (round = 0; round < 4; round++) { /* report+cap, no report, client without the cap, server without it */
        memset(&t, 0, sizeof t);
        memset(&log, 0, sizeof log);
        memset(&s, 0, sizeof s);
        t.now = fake_now;
        t.clock_user = &clk;
        t.report = round != 1;
        outer.id = 1, outer.log = &log;
        scfg = server_cfg(&rt);
        scfg.capabilities = round == 3 ? 0 : DX_HBTP_CAP_TIMING;
        scfg.middleware[0] = mw_make(&outer); /* its after runs after timing's: it sees elapsed_ns */
        scfg.middleware[1] = dx_hbtp_timing_middleware(&t);
        scfg.middleware_count = 2;
        ccfg = client_cfg(&s);
        ccfg.capabilities = round == 2 ? 0 : DX_HBTP_CAP_TIMING;
        if (connect_pair(p, &client, &ccfg, &server, &scfg)) return 1;
        for (i = 0; i < sizeof ns / sizeof ns[0]; i++) {
            uint64_t want_us = ns[i] / 1000 > 0xffffffffu ? 0xffffffffu : ns[i] / 1000;
            int reported = round == 0;
            s.n = 0;
            sl.handler_ns = ns[i];
            client.last_server_us = 12345;
            PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "body", 4) > 0 && pump(&client, &server) == 0);
            PROP_CHECK(p, log.elapsed_seen == ns[i] && t.last_ns == ns[i]);
            PROP_CHECK(p, s.n == 1 && s.f[0].opcode == DX_HBTP_OP_RPC_RESPONSE);
            PROP_CHECK(p, seen_payload_is(&s.f[0], "\1\0\0\0body", 8)); /* the body is unchanged either way */
            PROP_CHECK_MSG(p, (s.f[0].flags == DX_HBTP_FLAG_TIMING) == reported, "round %d flags %02x", round, s.f[0].flags);
            PROP_CHECK_MSG(p, client.last_server_us == (reported ? want_us : 12345u), "round %d, %lu ns: %lu us", round,
                           (unsigned long)ns[i], (unsigned long)client.last_server_us);
        }
        PROP_CHECK(p, t.count == sizeof ns / sizeof ns[0] && client.error == DX_OK);
        /* a reply that fills the negotiated max_payload gets no trailer: the client would refuse it */
        s.n = 0;
        sl.handler_ns = 7000;
        PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, big_body, client.max_payload - 4) > 0 && pump(&client, &server) == 0);
        PROP_CHECK_MSG(p, client.error == DX_OK, "round %d: %s", round, dx_hbtp_result_name(client.error));
        PROP_CHECK(p, s.n == 1 && s.f[0].opcode == DX_HBTP_OP_RPC_RESPONSE && s.f[0].length == client.max_payload);
        destroy_pair(&client, &server);
    }
    return 0;
}

/* n calls at once; counts the answers and the RATE_LIMITED errors (which must come last). */
static int rl_round(prop_ctx *p, dx_hbtp_conn *client, dx_hbtp_conn *server, seen *s, uint32_t n, uint32_t *ok,
                    uint32_t *limited) {
    uint32_t i;
    s->n = 0;
    for (i = 0; i < n; i++) PROP_CHECK(p, dx_hbtp_conn_call(client, 1, "x", 1) > 0);
    PROP_CHECK(p, pump(client, server) == 0 && s->n == n);
    for (*ok = *limited = i = 0; i < n; i++) {
        if (s->f[i].opcode == DX_HBTP_OP_RPC_RESPONSE) {
            PROP_CHECK(p, *limited == 0);
            ++*ok;
        } else {
            PROP_CHECK(p, s->f[i].opcode == DX_HBTP_OP_ERROR && dx_load_u16le(s->f[i].data) == DX_HBTP_CODE_RATE_LIMITED);
            ++*limited;
        }
    }
    return 0;
}

static int t_ratelimit(prop_ctx *p) {
    dx_hbtp_router rt;
    hstats h;
    static seen s;
    dx_hbtp_conn client, server;
    dx_hbtp_conn_config ccfg, scfg;
    fake_clock clk;
    dx_hbtp_ratelimit rl;
    uint32_t ok, limited;
    std_router(&rt, &h);
    memset(&clk, 0, sizeof clk);
    memset(&rl, 0, sizeof rl);
    clk.ns = 5000000000ull;
    rl.now = fake_now, rl.clock_user = &clk, rl.rate = 10, rl.burst = 5;
    scfg = server_cfg(&rt);
    scfg.middleware[0] = dx_hbtp_ratelimit_middleware(&rl);
    scfg.middleware_count = 1;
    ccfg = client_cfg(&s);
    memset(&s, 0, sizeof s);
    if (connect_pair(p, &client, &ccfg, &server, &scfg)) return 1;
    if (rl_round(p, &client, &server, &s, 8, &ok, &limited)) return 1; /* the burst passes, then limited */
    PROP_CHECK_MSG(p, ok == 5 && limited == 3 && rl.limited == 3, "%u ok, %u limited", (unsigned)ok, (unsigned)limited);
    clk.ns += 100000000; /* 0.1 s at 10/s: one token */
    if (rl_round(p, &client, &server, &s, 3, &ok, &limited)) return 1;
    PROP_CHECK_MSG(p, ok == 1 && limited == 2, "%u ok, %u limited", (unsigned)ok, (unsigned)limited);
    clk.ns += 250000000; /* 2.5 tokens: two pass */
    if (rl_round(p, &client, &server, &s, 3, &ok, &limited)) return 1;
    PROP_CHECK_MSG(p, ok == 2 && limited == 1, "%u ok, %u limited", (unsigned)ok, (unsigned)limited);
    clk.ns += 50000000; /* the half token left over plus 0.5 */
    if (rl_round(p, &client, &server, &s, 2, &ok, &limited)) return 1;
    PROP_CHECK_MSG(p, ok == 1 && limited == 1, "%u ok, %u limited", (unsigned)ok, (unsigned)limited);
    clk.ns += 10000000000ull; /* 10 s: the bucket holds at most burst */
    if (rl_round(p, &client, &server, &s, 7, &ok, &limited)) return 1;
    PROP_CHECK_MSG(p, ok == 5 && limited == 2, "%u ok, %u limited", (unsigned)ok, (unsigned)limited);
    clk.ns += 0x4000000000000000ull; /* a huge gap does not overflow */
    if (rl_round(p, &client, &server, &s, 6, &ok, &limited)) return 1;
    PROP_CHECK_MSG(p, ok == 5 && limited == 1, "%u ok, %u limited", (unsigned)ok, (unsigned)limited);
    clk.ns -= 1000000000ull; /* a clock that steps back refills nothing */
    if (rl_round(p, &client, &server, &s, 1, &ok, &limited)) return 1;
    PROP_CHECK(p, ok == 0 && limited == 1 && h.calls[1] == 19 && client.error == DX_OK && server.error == DX_OK);
    destroy_pair(&client, &server);
    return 0;
}

/* One bucket shared by two connections vs one bucket each. */
static int t_ratelimit_shared(prop_ctx *p) {
    dx_hbtp_router rt;
    hstats h;
    static seen s1, s2;
    dx_hbtp_conn c1, c2, sv1, sv2;
    dx_hbtp_conn_config ccfg1, ccfg2, scfg1, scfg2;
    fake_clock clk;
    dx_hbtp_ratelimit shared, own1, own2;
    int mode;
    std_router(&rt, &h);
    for (mode = 0; mode < 2; mode++) {
        uint32_t i, ok1 = 0, ok2 = 0;
        memset(&clk, 0, sizeof clk);
        memset(&shared, 0, sizeof shared);
        shared.now = fake_now, shared.clock_user = &clk, shared.rate = 1, shared.burst = 4;
        own1 = own2 = shared;
        scfg1 = server_cfg(&rt);
        scfg1.middleware_count = 1;
        scfg2 = scfg1;
        scfg1.middleware[0] = dx_hbtp_ratelimit_middleware(mode == 0 ? &shared : &own1);
        scfg2.middleware[0] = dx_hbtp_ratelimit_middleware(mode == 0 ? &shared : &own2);
        memset(&s1, 0, sizeof s1);
        memset(&s2, 0, sizeof s2);
        ccfg1 = client_cfg(&s1);
        ccfg2 = client_cfg(&s2);
        if (connect_pair(p, &c1, &ccfg1, &sv1, &scfg1) || connect_pair(p, &c2, &ccfg2, &sv2, &scfg2)) return 1;
        s1.n = s2.n = 0;
        for (i = 0; i < 3; i++) PROP_CHECK(p, dx_hbtp_conn_call(&c1, 1, "x", 1) > 0);
        PROP_CHECK(p, pump(&c1, &sv1) == 0);
        for (i = 0; i < 3; i++) PROP_CHECK(p, dx_hbtp_conn_call(&c2, 1, "x", 1) > 0);
        PROP_CHECK(p, pump(&c2, &sv2) == 0);
        PROP_CHECK(p, s1.n == 3 && s2.n == 3);
        for (i = 0; i < 3; i++) {
            ok1 += s1.f[i].opcode == DX_HBTP_OP_RPC_RESPONSE;
            ok2 += s2.f[i].opcode == DX_HBTP_OP_RPC_RESPONSE;
        }
        if (mode == 0) PROP_CHECK_MSG(p, ok1 == 3 && ok2 == 1 && shared.limited == 2, "shared: %u + %u", ok1, ok2);
        else PROP_CHECK_MSG(p, ok1 == 3 && ok2 == 3 && own1.limited == 0 && own2.limited == 0, "own: %u + %u", ok1, ok2);
        destroy_pair(&c1, &sv1);
        destroy_pair(&c2, &sv2);
    }
    return 0;
}

static int t_auth(prop_ctx *p) {
    static const char *const tokens[] = {"s3cret", "s3cres", "s3cre", "s3crett", "", NULL};
    dx_hbtp_router rt;
    hstats h;
    static seen s;
    dx_hbtp_conn client, server;
    dx_hbtp_conn_config ccfg, scfg;
    dx_hbtp_static_token tok;
    dx_hbtp_auth a;
    size_t i;
    std_router(&rt, &h);
    tok.token = (const uint8_t *)"s3cret";
    tok.len = 6;
    memset(&a, 0, sizeof a);
    a.verify = dx_hbtp_verify_static_token;
    a.user = &tok;
    scfg = server_cfg(&rt);
    scfg.middleware[0] = dx_hbtp_auth_middleware(&a);
    scfg.middleware_count = 1;
    for (i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
        int good = i == 0;
        memset(&s, 0, sizeof s);
        ccfg = client_cfg(&s);
        ccfg.token = (const uint8_t *)tokens[i];
        ccfg.token_len = tokens[i] ? (uint32_t)strlen(tokens[i]) : 0;
        PROP_CHECK(p, dx_hbtp_conn_create(&server, &scfg) == DX_OK && dx_hbtp_conn_create(&client, &ccfg) == DX_OK);
        PROP_CHECK(p, dx_hbtp_conn_hello(&client) == DX_OK);
        PROP_CHECK(p, xfer(&client, &server) == (good ? 8 + 24 + 6 : DX_HBTP_ERR_REFUSED));
        if (good) {
            PROP_CHECK(p, server.state == DX_HBTP_STATE_OPEN && server.authenticated && a.refused == 0);
            PROP_CHECK(p, pump(&client, &server) == 0 && client.state == DX_HBTP_STATE_OPEN);
            PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "in", 2) > 0 && pump(&client, &server) == 0);
            PROP_CHECK(p, s.n == 2 && s.f[1].opcode == DX_HBTP_OP_RPC_RESPONSE && h.calls[1] == 1);
        } else {
            PROP_CHECK_MSG(p, server.error == DX_HBTP_ERR_REFUSED && !server.authenticated, "token %lu", (unsigned long)i);
            PROP_CHECK(p, a.refused == i);
            PROP_CHECK(p, xfer(&server, &client) > 0);
            PROP_CHECK(p, s.n == 2 && s.f[0].opcode == DX_HBTP_OP_ERROR && dx_load_u16le(s.f[0].data) == DX_HBTP_CODE_UNAUTHORIZED);
            PROP_CHECK(p, s.f[1].opcode == DX_HBTP_OP_GOAWAY && dx_load_u16le(s.f[1].data + 2) == DX_HBTP_CODE_UNAUTHORIZED);
            PROP_CHECK(p, client.error == DX_HBTP_ERR_REFUSED && client.state == DX_HBTP_STATE_CLOSING);
            PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "in", 2) == DX_HBTP_ERR_GOAWAY && h.calls[1] == 1);
        }
        destroy_pair(&client, &server);
    }
    /* no verifier refuses everyone */
    a.verify = NULL;
    memset(&s, 0, sizeof s);
    ccfg = client_cfg(&s);
    ccfg.token = (const uint8_t *)"s3cret", ccfg.token_len = 6;
    PROP_CHECK(p, dx_hbtp_conn_create(&server, &scfg) == DX_OK && dx_hbtp_conn_create(&client, &ccfg) == DX_OK);
    PROP_CHECK(p, dx_hbtp_conn_hello(&client) == DX_OK && xfer(&client, &server) == DX_HBTP_ERR_REFUSED);
    destroy_pair(&client, &server);
    return 0;
}

static int t_equal_ct(prop_ctx *p) {
    uint8_t a[32], b[32];
    size_t i, j;
    PROP_CHECK(p, dx_hbtp_equal_ct("abc", 3, "abc", 3));
    PROP_CHECK(p, dx_hbtp_equal_ct(NULL, 0, NULL, 0) && dx_hbtp_equal_ct("", 0, "x", 0));
    PROP_CHECK(p, !dx_hbtp_equal_ct("abc", 3, "abd", 3) && !dx_hbtp_equal_ct("abc", 3, "bbc", 3));
    PROP_CHECK(p, !dx_hbtp_equal_ct("abc", 3, "abcd", 4) && !dx_hbtp_equal_ct("abcd", 4, "abc", 3));
    PROP_CHECK(p, !dx_hbtp_equal_ct("", 0, "a", 1) && !dx_hbtp_equal_ct("a", 1, "", 0));
    PROP_CHECK(p, !dx_hbtp_equal_ct("\0\0", 2, "\0", 1) && !dx_hbtp_equal_ct("\0", 1, "\0\0", 2));
    for (i = 0; i < sizeof a; i++) a[i] = b[i] = (uint8_t)(i * 37 + 1);
    for (i = 0; i <= sizeof a; i++) {
        PROP_CHECK(p, dx_hbtp_equal_ct(a, i, b, i));
        for (j = 0; j < i; j++) {
            b[j] ^= 0x80;
            PROP_CHECK_MSG(p, !dx_hbtp_equal_ct(a, i, b, i), "len %lu, byte %lu", (unsigned long)i, (unsigned long)j);
            b[j] ^= 0x80;
        }
        if (i) PROP_CHECK(p, !dx_hbtp_equal_ct(a, i - 1, b, i) && !dx_hbtp_equal_ct(a, i, b, i - 1));
    }
    {
        dx_hbtp_static_token t;
        t.token = (const uint8_t *)"key", t.len = 3;
        PROP_CHECK(p, dx_hbtp_verify_static_token((const uint8_t *)"key", 3, &t));
        PROP_CHECK(p, !dx_hbtp_verify_static_token((const uint8_t *)"ke", 2, &t));
        PROP_CHECK(p, !dx_hbtp_verify_static_token((const uint8_t *)"key", 3, NULL));
    }
    return 0;
}

/* A reply larger than the room in the output buffer is ERROR INTERNAL; the connection goes on. */
static int t_reply_too_large(prop_ctx *p) {
    dx_hbtp_router rt;
    hstats h;
    static seen s;
    dx_hbtp_conn client, server;
    dx_hbtp_conn_config ccfg, scfg;
    uint8_t n[4];
    std_router(&rt, &h);
    memset(&s, 0, sizeof s);
    scfg = server_cfg(&rt);
    scfg.out_capacity = 600;
    ccfg = client_cfg(&s);
    if (connect_pair(p, &client, &ccfg, &server, &scfg)) return 1;
    s.n = 0;
    dx_store_u32le(n, 1000);
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 4, n, 4) == 1);
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "after", 5) == 2);
    dx_store_u32le(n, 600 - 12); /* exactly the buffer: fits only when it is empty */
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 4, n, 4) == 3);
    PROP_CHECK(p, pump(&client, &server) == 0);
    PROP_CHECK(p, s.n == 3 && server.error == DX_OK && client.error == DX_OK);
    PROP_CHECK(p, s.f[0].opcode == DX_HBTP_OP_ERROR && s.f[0].stream == 1 && dx_load_u16le(s.f[0].data) == DX_HBTP_CODE_INTERNAL);
    PROP_CHECK(p, s.f[1].opcode == DX_HBTP_OP_RPC_RESPONSE && s.f[1].stream == 2 && seen_payload_is(&s.f[1], "\1\0\0\0after", 9));
    PROP_CHECK(p, s.f[2].stream == 3 && s.f[2].opcode == DX_HBTP_OP_ERROR); /* 43 bytes of answers were still unsent */
    dx_store_u32le(n, 600 - 12);
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 4, n, 4) == 4 && pump(&client, &server) == 0);
    PROP_CHECK(p, s.n == 4 && s.f[3].opcode == DX_HBTP_OP_RPC_RESPONSE && s.f[3].length == 600 - 8);
    PROP_CHECK(p, h.calls[4] == 3 && client.inflight_count == 0 && server.inflight_count == 0);
    destroy_pair(&client, &server);
    return 0;
}

/* A reply above the negotiated max_payload would be refused by the client:
   it becomes ERROR INTERNAL too, and the connection goes on. */
static int t_reply_above_limit(prop_ctx *p) {
    dx_hbtp_router rt;
    hstats h;
    static seen s;
    dx_hbtp_conn client, server;
    dx_hbtp_conn_config ccfg, scfg;
    uint8_t n[4];
    std_router(&rt, &h);
    memset(&s, 0, sizeof s);
    scfg = server_cfg(&rt);
    ccfg = client_cfg(&s);
    ccfg.max_payload = 512;
    if (connect_pair(p, &client, &ccfg, &server, &scfg)) return 1;
    PROP_CHECK(p, server.max_payload == 512 && client.max_payload == 512);
    s.n = 0;
    dx_store_u32le(n, 508);
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 4, n, 4) == 1);
    dx_store_u32le(n, 509);
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 4, n, 4) == 2);
    PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "x", 1) == 3);
    PROP_CHECK(p, pump(&client, &server) == 0);
    PROP_CHECK_MSG(p, client.error == DX_OK, "client: %s", dx_hbtp_result_name(client.error));
    PROP_CHECK(p, s.n == 3 && s.f[0].opcode == DX_HBTP_OP_RPC_RESPONSE && s.f[0].length == 512);
    PROP_CHECK(p, s.f[1].opcode == DX_HBTP_OP_ERROR && s.f[1].stream == 2 && dx_load_u16le(s.f[1].data) == DX_HBTP_CODE_INTERNAL);
    PROP_CHECK(p, s.f[2].opcode == DX_HBTP_OP_RPC_RESPONSE && s.f[2].stream == 3 && server.error == DX_OK);
    destroy_pair(&client, &server);
    return 0;
}

/* Client corners: a full output buffer is not sticky; a protocol error
   after a refused HELLO still closes the connection. */
static int t_client_edges(prop_ctx *p) {
    static seen s;
    dx_hbtp_conn c;
    dx_hbtp_conn_config cfg;
    dx_hbtp_frame out[8];
    wbuf w;
    size_t len, n;
    const uint8_t *d;
    memset(&s, 0, sizeof s);
    memset(&w, 0, sizeof w);
    cfg = client_cfg(&s);
    cfg.out_capacity = 120;
    PROP_CHECK(p, dx_hbtp_conn_create(&c, &cfg) == DX_OK && dx_hbtp_conn_hello(&c) == DX_OK); /* 32 bytes */
    PROP_CHECK(p, dx_hbtp_conn_ping(&c, big_body, 60) == DX_OK);                             /* 100 */
    PROP_CHECK(p, dx_hbtp_conn_ping(&c, big_body, 20) == DX_ERR_NOSPACE);
    PROP_CHECK(p, dx_hbtp_conn_ping(&c, big_body, 2) == DX_OK); /* what fits still goes */
    PROP_CHECK(p, dx_hbtp_conn_call(&c, 1, big_body, 20) == DX_ERR_NOSPACE);
    PROP_CHECK(p, dx_hbtp_conn_ping(&c, big_body, 0) == DX_OK);
    dx_hbtp_conn_consume(&c, out_len(&c));                       /* sent: room again */
    PROP_CHECK(p, dx_hbtp_conn_ping(&c, big_body, 20) == DX_OK);
    PROP_CHECK(p, dx_hbtp_conn_call(&c, 1, big_body, 20) > 0);
    dx_hbtp_conn_consume(&c, out_len(&c));
    /* the server refuses the HELLO, then sends garbage */
    w_frame(&w, DX_HBTP_OP_ERROR, 0, 0, "\x08\0\0\0no", 6);
    w_frame(&w, 0x0b, 0, 0, NULL, 0);
    w_frame(&w, DX_HBTP_OP_PING, 0, 0, NULL, 0);
    PROP_CHECK(p, dx_hbtp_conn_feed(&c, w.b, w.len) == DX_HBTP_ERR_OPCODE);
    PROP_CHECK_MSG(p, c.error == DX_HBTP_ERR_OPCODE && c.state == DX_HBTP_STATE_CLOSING && s.n == 1, "error %s, %u frames",
                   dx_hbtp_result_name(c.error), (unsigned)s.n);
    d = dx_hbtp_conn_output(&c, &len);
    n = parse_all(d, len, out, 8, NULL);
    PROP_CHECK(p, n == 2 && out[0].opcode == DX_HBTP_OP_ERROR && err_code(&out[0]) == DX_HBTP_CODE_UNKNOWN_OPCODE);
    PROP_CHECK(p, out[1].opcode == DX_HBTP_OP_GOAWAY);
    PROP_CHECK(p, dx_hbtp_conn_feed(&c, w.b, 14) == DX_HBTP_ERR_OPCODE && s.n == 1 && out_len(&c) == len);
    dx_hbtp_conn_destroy(&c);
    w_free(&w);
    return 0;
}

/* A PING whose PONG does not fit loses only that PONG. */
static int t_pong_no_room(prop_ctx *p) {
    dx_hbtp_router rt;
    hstats h;
    static seen s;
    dx_hbtp_conn client, server;
    dx_hbtp_conn_config ccfg, scfg;
    std_router(&rt, &h);
    memset(&s, 0, sizeof s);
    scfg = server_cfg(&rt);
    scfg.out_capacity = 300;
    ccfg = client_cfg(&s);
    if (connect_pair(p, &client, &ccfg, &server, &scfg)) return 1;
    s.n = 0;
    PROP_CHECK(p, dx_hbtp_conn_ping(&client, big_body, 400) == DX_OK);
    PROP_CHECK(p, pump(&client, &server) == 0 && server.error == DX_OK);
    PROP_CHECK(p, dx_hbtp_conn_ping(&client, "small", 5) == DX_OK && dx_hbtp_conn_call(&client, 1, "x", 1) > 0);
    PROP_CHECK(p, pump(&client, &server) == 0);
    PROP_CHECK_MSG(p, s.n == 2, "the client saw %u frames", (unsigned)s.n);
    PROP_CHECK(p, s.f[0].opcode == DX_HBTP_OP_PONG && seen_payload_is(&s.f[0], "small", 5));
    PROP_CHECK(p, s.f[1].opcode == DX_HBTP_OP_RPC_RESPONSE);
    destroy_pair(&client, &server);
    return 0;
}

/* feed() stops when unsent output passes half the buffer; the rest goes in after consume(). */
static int t_backpressure(prop_ctx *p) {
    dx_hbtp_router rt;
    hstats h;
    dx_hbtp_conn client, server;
    dx_hbtp_conn_config ccfg, scfg;
    dx_hbtp_frame out[64];
    static seen s;
    static uint8_t copy[8192];
    size_t len, at, n, total = 0, rest;
    const uint8_t *d;
    int64_t r;
    uint32_t i, answers = 0;
    wbuf w;
    std_router(&rt, &h);
    memset(&s, 0, sizeof s);
    memset(&w, 0, sizeof w);
    scfg = server_cfg(&rt);
    scfg.max_payload = 256;
    scfg.out_capacity = 1024;
    ccfg = client_cfg(&s);
    ccfg.max_payload = 256;
    ccfg.out_capacity = 1024;
    if (connect_pair(p, &client, &ccfg, &server, &scfg)) return 1;
    for (i = 0; i < 40; i++) w_rpc(&w, (uint16_t)(1000 + i), 1, big_body, 100); /* 40 requests from a raw peer */
    len = w.len;
    PROP_CHECK(p, len == 40 * 112 && len <= sizeof copy);
    memcpy(copy, w.b, len);
    w_free(&w);
    for (at = 0; at < len;) {
        r = dx_hbtp_conn_feed(&server, copy + at, len - at);
        PROP_CHECK(p, r >= 0 && (size_t)r <= len - at);
        if ((size_t)r < len - at) {
            PROP_CHECK(p, out_len(&server) > 512);                   /* why it stopped: over half full */
            PROP_CHECK(p, r % 112 == 0);                              /* between frames */
            PROP_CHECK(p, dx_hbtp_conn_feed(&server, copy + at + r, len - at - (size_t)r) == 0); /* still full */
        }
        at += (size_t)r;
        d = dx_hbtp_conn_output(&server, &n);
        PROP_CHECK(p, n <= 1024);
        n = parse_all(d, n, out, 64, &rest);
        PROP_CHECK(p, rest == 0);
        for (i = 0; i < n; i++, answers++) PROP_CHECK(p, out[i].stream == 1000 + answers && rpc_body_is(&out[i], 1, big_body, 100));
        dx_hbtp_conn_consume(&server, out_len(&server));
        total++;
    }
    PROP_CHECK(p, answers == 40 && total > 4 && server.inflight_count == 0 && server.error == DX_OK);
    /* a client is never held back by its own unsent requests: they wait for
       the server, the server waits for its answers to be read */
    PROP_CHECK(p, dx_hbtp_conn_ping(&client, big_body, 200) == DX_OK && xfer(&client, &server) == 208);
    for (i = 0; i < 8; i++) PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, big_body, 100) > 0);
    PROP_CHECK(p, out_len(&client) > client.out.cap / 2 && out_len(&server) == 208);
    PROP_CHECK_MSG(p, xfer(&server, &client) == 208, "the client took none of the server's PONG");
    PROP_CHECK(p, pump(&client, &server) == 0 && out_len(&client) == 0 && s.total == 1 + 1 + 8);
    destroy_pair(&client, &server);
    return 0;
}

/* A transport that sends all but a few bytes each time: unsent bytes never
   move, so the server holds back before the buffer's end is reached, and
   every reply still fits. */
static int t_partial_sends(prop_ctx *p) {
    dx_hbtp_router rt;
    hstats h;
    dx_hbtp_conn server;
    dx_hbtp_conn_config scfg;
    static dx_hbtp_frame out[32];
    wbuf w, sink;
    uint8_t n4[4];
    size_t n, keep, rest;
    const uint8_t *d;
    int64_t r;
    uint16_t i;
    int stalls = 0;
    std_router(&rt, &h);
    memset(&w, 0, sizeof w);
    memset(&sink, 0, sizeof sink);
    scfg = server_cfg(&rt);
    scfg.max_payload = 1024; /* output buffer 2 * 1032 + 4096 */
    PROP_CHECK(p, dx_hbtp_conn_create(&server, &scfg) == DX_OK);
    w_hello(&w, 1, 0, 1024, 64, NULL);
    PROP_CHECK(p, dx_hbtp_conn_feed(&server, w.b, w.len) == (int64_t)w.len);
    dx_store_u32le(n4, 1000);
    for (i = 1; i <= 20; i++) {
        w.len = 0;
        w_rpc(&w, i, 4, n4, 4);
        r = dx_hbtp_conn_feed(&server, w.b, w.len);
        if (r != (int64_t)w.len) { /* held back: send everything, then it goes in */
            PROP_CHECK(p, r == 0 && server.out.len > server.out.cap / 2);
            d = dx_hbtp_conn_output(&server, &n);
            w_put(&sink, d, n);
            dx_hbtp_conn_consume(&server, n);
            PROP_CHECK(p, dx_hbtp_conn_feed(&server, w.b, w.len) == (int64_t)w.len);
            stalls++;
        }
        d = dx_hbtp_conn_output(&server, &n);
        keep = n > 12 ? n - 12 : 0;
        w_put(&sink, d, keep);
        dx_hbtp_conn_consume(&server, keep);
    }
    d = dx_hbtp_conn_output(&server, &n);
    w_put(&sink, d, n);
    dx_hbtp_conn_consume(&server, n);
    n = parse_all(sink.b, sink.len, out, 32, &rest);
    PROP_CHECK(p, n == 21 && rest == 0 && out[0].opcode == DX_HBTP_OP_HELLO && stalls > 0);
    for (i = 1; i <= 20; i++)
        PROP_CHECK_MSG(p, out[i].stream == i && rpc_body_is(&out[i], 4, big_body, 1000), "answer %u: %s", (unsigned)i,
                       dx_hbtp_opcode_name(out[i].opcode));
    PROP_CHECK(p, server.inflight_count == 0 && server.error == DX_OK);
    dx_hbtp_conn_destroy(&server);
    w_free(&w);
    w_free(&sink);
    return 0;
}

/* Allocation happens once per connection, at create; thousands of requests allocate nothing. */
static int t_no_alloc(prop_ctx *p) {
    dx_hbtp_router rt;
    hstats h;
    static seen s;
    dx_hbtp_conn client, server;
    dx_hbtp_conn_config ccfg, scfg;
    counting cnt;
    fake_clock clk;
    dx_hbtp_timing t;
    dx_hbtp_ratelimit rl;
    uint32_t i;
    std_router(&rt, &h);
    memset(&cnt, 0, sizeof cnt);
    memset(&clk, 0, sizeof clk);
    memset(&t, 0, sizeof t);
    memset(&rl, 0, sizeof rl);
    cnt.fail_at = -1;
    clk.step = 1000;
    t.now = fake_now, t.clock_user = &clk, t.report = true;
    rl.now = fake_now, rl.clock_user = &clk, rl.rate = 1000000, rl.burst = 1000;
    scfg = server_cfg(&rt);
    scfg.capabilities = DX_HBTP_CAP_TIMING;
    scfg.middleware[0] = dx_hbtp_timing_middleware(&t);
    scfg.middleware[1] = dx_hbtp_ratelimit_middleware(&rl);
    scfg.middleware_count = 2;
    ccfg = client_cfg(&s);
    ccfg.capabilities = DX_HBTP_CAP_TIMING;
    scfg.allocator.alloc = ccfg.allocator.alloc = counting_alloc;
    scfg.allocator.free = ccfg.allocator.free = counting_free;
    scfg.allocator.user = ccfg.allocator.user = &cnt;
    memset(&s, 0, sizeof s);
    if (connect_pair(p, &client, &ccfg, &server, &scfg)) return 1;
    PROP_CHECK(p, cnt.allocs == 2 && cnt.live == 2);
    for (i = 0; i < 5000; i++) {
        switch (i % 6) {
        case 0: PROP_CHECK(p, dx_hbtp_conn_ping(&client, &i, sizeof i) == DX_OK); break;
        case 1: PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, big_body, i % 3000) > 0); break;
        case 2: PROP_CHECK(p, dx_hbtp_conn_call(&client, 2, NULL, 0) > 0); break;
        case 3: PROP_CHECK(p, dx_hbtp_conn_call(&client, 7, "x", 1) > 0); break;
        case 4: PROP_CHECK(p, dx_hbtp_conn_call(&client, 3, "x", 1) > 0); break;
        default: PROP_CHECK(p, dx_hbtp_conn_call(&client, 5, "x", 1) > 0); break;
        }
        if (i % 5 == 0) PROP_CHECK(p, pump(&client, &server) == 0);
    }
    PROP_CHECK(p, pump(&client, &server) == 0);
    PROP_CHECK_MSG(p, s.total == 1 + 5000 + 5000 / 6 * 3, "%lu frames", (unsigned long)s.total);
    PROP_CHECK(p, client.error == DX_OK && server.error == DX_OK && server.requests == 5000 - 834);
    PROP_CHECK_MSG(p, cnt.allocs == 2 && cnt.frees == 0, "%ld allocations, %ld frees", cnt.allocs, cnt.frees);
    destroy_pair(&client, &server);
    PROP_CHECK(p, cnt.allocs == 2 && cnt.frees == 2 && cnt.live == 0);
    return 0;
}

/* ---- hex vectors ---- */

static size_t read_hex(const char *path, uint8_t *out, size_t cap) {
    FILE *f = fopen(path, "r");
    size_t n = 0;
    int c, hi = -1;
    if (!f) return (size_t)-1;
    while ((c = fgetc(f)) != EOF) {
        int v;
        if (c == '#') { /* comment to the end of the line */
            while ((c = fgetc(f)) != EOF && c != '\n') {}
            continue;
        }
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else continue;
        if (hi < 0) hi = v;
        else if (n < cap) out[n++] = (uint8_t)(hi << 4 | v), hi = -1;
    }
    fclose(f);
    return n;
}

typedef struct vec_frame {
    const char *file;
    uint8_t opcode, flags;
    uint16_t stream;
    const char *payload;
    uint32_t len;
} vec_frame;
static const vec_frame vec_frames[] = {
    {"hello", 1, 0, 0, "HBTP\1\0\6\0\1\0\0\0\0\0\0\0\0\0\1\0\x40\0\0\0s3cret", 30},
    {"hello_ack", 1, 8, 0, "HBTP\1\0\0\0\1\0\0\0\0\0\0\0\0\x10\0\0\x10\0\0\0", 24},
    {"ping", 2, 0, 0, "ping", 4},
    {"pong", 3, 0, 0, "ping", 4},
    {"rpc_request", 4, 0, 0x0102, "\7\0\0\0hi", 6},
    {"rpc_response", 5, 0, 0x0102, "\7\0\0\0ok", 6},
    {"error", 6, 0, 3, "\7\0\0\0rate limited", 16},
    {"goaway", 10, 0, 0, "\5\0\0\0restart", 11},
};

/* What the library's own writers produce for each vector. */
static int vec_build(prop_ctx *p, size_t which, uint8_t *out, size_t cap, size_t *out_len) {
    dx_hbtp_conn c;
    dx_hbtp_conn_config cfg;
    dx_hbtp_resp r;
    const uint8_t *d;
    size_t len;
    memset(&cfg, 0, sizeof cfg);
    dx_hbtp_resp_init(&r, out, cap);
    switch (which) {
    case 0: /* a client's HELLO */
    case 2: /* a client's PING */
    case 4: /* a client's call */
        cfg.role = DX_HBTP_ROLE_CLIENT;
        cfg.capabilities = DX_HBTP_CAP_TIMING;
        cfg.token = (const uint8_t *)"s3cret", cfg.token_len = 6;
        PROP_CHECK(p, dx_hbtp_conn_create(&c, &cfg) == DX_OK);
        if (which == 0) PROP_CHECK(p, dx_hbtp_conn_hello(&c) == DX_OK);
        if (which == 2) PROP_CHECK(p, dx_hbtp_conn_ping(&c, "ping", 4) == DX_OK);
        if (which == 4) {
            c.next_stream = 0x0102;
            PROP_CHECK(p, dx_hbtp_conn_call(&c, 7, "hi", 2) == 0x0102);
        }
        d = dx_hbtp_conn_output(&c, &len);
        PROP_CHECK(p, len <= cap);
        memcpy(out, d, len);
        *out_len = len;
        dx_hbtp_conn_destroy(&c);
        return 0;
    case 1: { /* a server's HELLO|ACK: negotiated 4096 / 16 / TIMING */
        wbuf w;
        memset(&w, 0, sizeof w);
        cfg.max_payload = 4096, cfg.max_inflight = 16, cfg.capabilities = DX_HBTP_CAP_TIMING | (1ull << 50);
        PROP_CHECK(p, dx_hbtp_conn_create(&c, &cfg) == DX_OK);
        w_hello(&w, 1, DX_HBTP_CAP_TIMING | (1ull << 33), 65536, 64, NULL);
        PROP_CHECK(p, dx_hbtp_conn_feed(&c, w.b, w.len) == (int64_t)w.len);
        w_free(&w);
        d = dx_hbtp_conn_output(&c, &len);
        PROP_CHECK(p, len <= cap);
        memcpy(out, d, len);
        *out_len = len;
        dx_hbtp_conn_destroy(&c);
        return 0;
    }
    case 3: PROP_CHECK(p, dx_hbtp_resp_pong(&r, 0, "ping", 4) == DX_OK); break;
    case 5: PROP_CHECK(p, dx_hbtp_resp_rpc(&r, 0x0102, 7, "ok", 2) == DX_OK); break;
    case 6: PROP_CHECK(p, dx_hbtp_resp_error(&r, 3, DX_HBTP_CODE_RATE_LIMITED, "rate limited") == DX_OK); break;
    default: PROP_CHECK(p, dx_hbtp_resp_goaway(&r, 5, DX_HBTP_CODE_NONE, "restart") == DX_OK); break;
    }
    (void)dx_hbtp_resp_data(&r, out_len);
    return 0;
}

static int t_vector_frames(prop_ctx *p) {
    size_t i;
    for (i = 0; i < sizeof vec_frames / sizeof vec_frames[0]; i++) {
        const vec_frame *v = &vec_frames[i];
        uint8_t want[256], got[256];
        char path[96];
        size_t n, len, k;
        dx_hbtp_frame f;
        snprintf(path, sizeof path, "tests/vectors/hbtp/%s.hex", v->file);
        n = read_hex(path, want, sizeof want);
        if (n == (size_t)-1) PROP_SKIP(p, "%s not found: run from the repository root", path);
        PROP_CHECK_MSG(p, n == 8 + (size_t)v->len, "%s: %lu bytes", path, (unsigned long)n);
        /* parse gives back the fields */
        PROP_CHECK_MSG(p, dx_hbtp_parse(want, n, 65536, &f) == (int64_t)n, "%s", path);
        PROP_CHECK_MSG(p, f.opcode == v->opcode && f.flags == v->flags && f.stream == v->stream, "%s", path);
        PROP_CHECK_MSG(p, payload_is(&f, v->payload, v->len), "%s: payload", path);
        /* every shorter prefix wants more bytes */
        for (k = 0; k < n; k++) PROP_CHECK(p, dx_hbtp_parse(want, k, 65536, &f) == DX_ERR_TRUNCATED);
        /* dx_hbtp_encode and the library's writers give exactly these bytes */
        PROP_CHECK(p, dx_hbtp_encode(got, sizeof got, v->opcode, v->flags, v->stream, v->payload, v->len) == (int64_t)n);
        PROP_CHECK_MSG(p, memcmp(got, want, n) == 0, "%s: dx_hbtp_encode differs", path);
        memset(got, 0, sizeof got);
        if (vec_build(p, i, got, sizeof got, &len)) return 1;
        PROP_CHECK_MSG(p, len == n && memcmp(got, want, n) == 0, "%s: the writer's %lu bytes differ", path, (unsigned long)len);
    }
    return 0;
}

/* A whole session: the server's output for session_client.hex is session_server.hex, in any split. */
static int t_vector_session(prop_ctx *p) {
    static uint8_t in[1024], want[1024];
    dx_hbtp_router rt;
    hstats h;
    dx_hbtp_conn server;
    dx_hbtp_conn_config scfg;
    size_t n_in = read_hex("tests/vectors/hbtp/session_client.hex", in, sizeof in);
    size_t n_out = read_hex("tests/vectors/hbtp/session_server.hex", want, sizeof want);
    size_t split, len;
    const uint8_t *d;
    if (n_in == (size_t)-1 || n_out == (size_t)-1) PROP_SKIP(p, "tests/vectors/hbtp/session_*.hex not found: run from the repository root");
    std_router(&rt, &h);
    scfg = server_cfg(&rt);
    scfg.max_payload = 4096, scfg.max_inflight = 16, scfg.capabilities = DX_HBTP_CAP_TIMING;
    for (split = 0; split <= n_in; split++) {
        PROP_CHECK(p, dx_hbtp_conn_create(&server, &scfg) == DX_OK);
        PROP_CHECK(p, dx_hbtp_conn_feed(&server, in, split) == (int64_t)split);
        PROP_CHECK(p, dx_hbtp_conn_feed(&server, in + split, n_in - split) == (int64_t)(n_in - split));
        d = dx_hbtp_conn_output(&server, &len);
        PROP_CHECK_MSG(p, len == n_out && memcmp(d, want, n_out) == 0, "split at %lu: %lu bytes", (unsigned long)split, (unsigned long)len);
        PROP_CHECK(p, server.state == DX_HBTP_STATE_CLOSING && server.error == DX_OK && server.max_payload == 4096);
        dx_hbtp_conn_destroy(&server);
    }
    /* and a client that sent the same requests accepts that output */
    {
        static seen s;
        dx_hbtp_conn client;
        dx_hbtp_conn_config ccfg;
        memset(&s, 0, sizeof s);
        ccfg = client_cfg(&s);
        ccfg.max_payload = 65536;
        ccfg.capabilities = DX_HBTP_CAP_TIMING | (1ull << 32);
        PROP_CHECK(p, dx_hbtp_conn_create(&client, &ccfg) == DX_OK);
        PROP_CHECK(p, dx_hbtp_conn_hello(&client) == DX_OK && dx_hbtp_conn_ping(&client, "ping", 4) == DX_OK);
        PROP_CHECK(p, dx_hbtp_conn_call(&client, 1, "hello", 5) == 1 && dx_hbtp_conn_call(&client, 9, NULL, 0) == 2);
        d = dx_hbtp_conn_output(&client, &len);
        PROP_CHECK_MSG(p, len == n_in - 15 && memcmp(d, in, len) == 0, "the client's stream differs (%lu bytes)", (unsigned long)len);
        dx_hbtp_conn_consume(&client, len);
        /* HELLO|ACK first: a client that says GOAWAY before the ACK would refuse the ACK */
        PROP_CHECK(p, dx_hbtp_conn_feed(&client, want, 32) == 32 && client.state == DX_HBTP_STATE_OPEN);
        PROP_CHECK(p, dx_hbtp_conn_goaway(&client, 0, "bye") == DX_OK);
        d = dx_hbtp_conn_output(&client, &len);
        PROP_CHECK(p, len == 15 && memcmp(d, in + n_in - 15, 15) == 0);
        PROP_CHECK(p, dx_hbtp_conn_feed(&client, want + 32, n_out - 32) == (int64_t)(n_out - 32));
        PROP_CHECK(p, client.error == DX_OK && s.n == 5 && client.inflight_count == 0);
        PROP_CHECK(p, client.max_payload == 4096 && client.max_inflight == 16 && client.capabilities == DX_HBTP_CAP_TIMING);
        dx_hbtp_conn_destroy(&client);
    }
    return 0;
}

/* The rules a reader enforces, one rule_*.hex each (tests/vectors/hbtp/make_rule_vectors.py,
   written from the WIRE FORMAT): what the peer sends, "= ok" or "= fatal", then the answer. */
static const char *const rule_names[] = {
    "s_hello_zero_limits", "s_hello_minor", "s_hello_version", "s_hello_stream", "s_hello_reserved",
    "s_hello_small_limit", "s_first_not_hello", "s_second_hello", "s_rpc_short", "s_default_answers", "s_ping",
    "s_optional_flag", "s_stream0_request", "s_reserved_opcode", "s_opcode_zero", "s_required_flag", "s_too_large",
    "s_inflight", "s_unexpected", "s_error_reserved", "s_error_short", "s_goaway_short", "s_goaway_ack_payload",
    "s_after_goaway", "c_ack_zero_limits", "c_ack_stream", "c_ack_reserved", "c_ack_version", "c_hello_without_ack",
    "c_answer_before_ack", "c_refused", "c_ping", "c_unknown_stream", "c_stream_end", "c_more", "c_timing",
    "c_timing_short", "c_rpc_response_short", "c_error_reserved", "c_rpc_from_server", "c_goaway",
};
typedef struct rule_vec { uint8_t in[512], out[512]; size_t n_in, n_out; int fatal; } rule_vec;
static int read_rule(const char *path, rule_vec *v) {
    FILE *f = fopen(path, "r");
    char line[1024];
    int side = 0;
    if (!f) return -1;
    v->n_in = v->n_out = 0;
    v->fatal = -1;
    while (fgets(line, sizeof line, f)) {
        const char *c;
        int hi = -1;
        if (line[0] == '#') continue;
        if (line[0] == '=') {
            v->fatal = strstr(line, "fatal") != NULL;
            side = 1;
            continue;
        }
        for (c = line; *c; c++) {
            int d = *c >= '0' && *c <= '9' ? *c - '0' : *c >= 'a' && *c <= 'f' ? *c - 'a' + 10 : -1;
            if (d < 0) continue;
            if (hi < 0) { hi = d; continue; }
            if (side == 0 && v->n_in < sizeof v->in) v->in[v->n_in++] = (uint8_t)(hi << 4 | d);
            if (side == 1 && v->n_out < sizeof v->out) v->out[v->n_out++] = (uint8_t)(hi << 4 | d);
            hi = -1;
        }
    }
    fclose(f);
    return v->fatal < 0 ? -2 : 0;
}
static dx_result h_silent(dx_hbtp_request *req, void *user) { (void)req, (void)user; return DX_OK; }

static hstats rule_stats;
static int t_vector_rules(prop_ctx *p) {
    static rule_vec v;
    static seen s;
    dx_hbtp_route m[3];
    dx_hbtp_router rt;
    size_t i, split;
    dx_hbtp_router_init(&rt, m, 3);
    dx_hbtp_router_method(&rt, 1, h_echo, &rule_stats);
    dx_hbtp_router_method(&rt, 2, h_silent, NULL);
    dx_hbtp_router_opcode(&rt, 0x80, h_silent, NULL);
    dx_hbtp_router_opcode(&rt, DX_HBTP_OP_STREAM_DATA, h_silent, NULL);
    dx_hbtp_router_opcode(&rt, DX_HBTP_OP_STREAM_END, h_silent, NULL);
    for (i = 0; i < sizeof rule_names / sizeof rule_names[0]; i++) {
        char path[96];
        int server = rule_names[i][0] == 's', r;
        snprintf(path, sizeof path, "tests/vectors/hbtp/rule_%s.hex", rule_names[i]);
        r = read_rule(path, &v);
        if (r == -1) PROP_SKIP(p, "%s not found: run from the repository root", path);
        PROP_CHECK_MSG(p, r == 0 && v.n_in > 0, "%s: no \"= ok\" or \"= fatal\" line", path);
        for (split = 0; split <= v.n_in; split++) { /* in two pieces, split anywhere */
            dx_hbtp_conn c;
            dx_hbtp_conn_config cfg;
            const uint8_t *d;
            size_t len;
            int64_t a, b = 0;
            memset(&s, 0, sizeof s);
            if (server) {
                cfg = server_cfg(&rt);
                cfg.max_inflight = 4;
            } else {
                cfg = client_cfg(&s);
            }
            cfg.capabilities = DX_HBTP_CAP_TIMING;
            PROP_CHECK(p, dx_hbtp_conn_create(&c, &cfg) == DX_OK);
            if (!server) { /* HELLO and one call on stream 1, sent */
                PROP_CHECK(p, dx_hbtp_conn_hello(&c) == DX_OK && dx_hbtp_conn_call(&c, 1, "x", 1) == 1);
                dx_hbtp_conn_consume(&c, out_len(&c));
            }
            a = dx_hbtp_conn_feed(&c, v.in, split);
            if (a >= 0) {
                PROP_CHECK_MSG(p, a == (int64_t)split, "%s: split %lu", path, (unsigned long)split);
                b = dx_hbtp_conn_feed(&c, v.in + split, v.n_in - split);
                PROP_CHECK_MSG(p, b < 0 || b == (int64_t)(v.n_in - split), "%s: split %lu", path, (unsigned long)split);
            }
            PROP_CHECK_MSG(p, (a < 0 || b < 0) == v.fatal, "%s: feed %s", path, dx_hbtp_result_name((dx_result)(a < 0 ? a : b)));
            PROP_CHECK_MSG(p, (c.protocol_errors != 0) == v.fatal && (!v.fatal || c.state == DX_HBTP_STATE_CLOSING), "%s", path);
            d = dx_hbtp_conn_output(&c, &len);
            PROP_CHECK_MSG(p, len == v.n_out && memcmp(d, v.out, len) == 0, "%s: split %lu: %lu bytes out, want %lu", path,
                           (unsigned long)split, (unsigned long)len, (unsigned long)v.n_out);
            if (strcmp(rule_names[i], "c_ack_zero_limits") == 0)
                PROP_CHECK(p, c.max_payload == 4096 && c.max_inflight == 64 && c.framer.max_payload == 4096);
            if (strcmp(rule_names[i], "s_hello_zero_limits") == 0)
                PROP_CHECK(p, c.max_payload == 4096 && c.max_inflight == 4 && c.framer.max_payload == 4096);
            if (strcmp(rule_names[i], "c_timing") == 0)
                PROP_CHECK(p, c.last_server_us == 1000 && s.n == 2 && seen_payload_is(&s.f[1], "\1\0\0\0x", 5));
            dx_hbtp_conn_destroy(&c);
        }
    }
    return 0;
}

/* ---- properties ---- */

static uint8_t rand_opcode(prop_ctx *p) {
    uint64_t r = prop_range(p, 0, 10 + 128 - 1);
    return (uint8_t)(r < 10 ? r + 1 : 0x80 + (r - 10));
}
static uint8_t rand_flags(prop_ctx *p) { return (uint8_t)(prop_u32(p) & (DX_HBTP_FLAGS_KNOWN | 0x80)); }

/* encode/parse round trip: random header fields and payloads, lengths 0..max_payload. */
static int p_roundtrip(prop_ctx *p) {
    static uint8_t payload[4096], buf[4096 + 16];
    uint32_t max_payload = (uint32_t)prop_range(p, 0, 4096);
    uint32_t len = (uint32_t)prop_len(p, max_payload);
    uint8_t op = rand_opcode(p), fl = rand_flags(p);
    uint16_t stream = (uint16_t)prop_u32(p);
    dx_hbtp_frame f;
    uint8_t h[8];
    int64_t n;
    prop_bytes(p, payload, len);
    prop_note(p, "op %02x flags %02x stream %u len %lu max %lu", op, fl, (unsigned)stream, (unsigned long)len, (unsigned long)max_payload);
    dx_hbtp_encode_header(h, op, fl, stream, len);
    PROP_CHECK(p, h[0] == op && h[1] == fl && dx_load_u16le(h + 2) == stream && dx_load_u32le(h + 4) == len);
    PROP_CHECK(p, dx_hbtp_decode_header(h, max_payload, &f) == DX_OK);
    PROP_CHECK(p, f.opcode == op && f.flags == fl && f.stream == stream && f.length == len);
    n = dx_hbtp_encode(buf, 8 + (size_t)len, op, fl, stream, payload, len); /* exactly enough room */
    PROP_CHECK(p, n == 8 + (int64_t)len && memcmp(buf, h, 8) == 0);
    PROP_CHECK(p, dx_hbtp_parse(buf, (size_t)n, max_payload, &f) == n);
    PROP_CHECK(p, f.opcode == op && f.flags == fl && f.stream == stream && f.payload == buf + 8 && payload_is(&f, payload, len));
    PROP_CHECK(p, dx_hbtp_encode(buf, 7 + (size_t)len, op, fl, stream, payload, len) == DX_ERR_NOSPACE);
    PROP_CHECK(p, dx_hbtp_parse(buf, (size_t)prop_range(p, 0, (uint64_t)n - 1), max_payload, &f) == DX_ERR_TRUNCATED);
    if (len) PROP_CHECK(p, dx_hbtp_parse(buf, (size_t)n, len - 1, &f) == DX_HBTP_ERR_TOO_LARGE);
    /* a set unknown required flag makes it UNSUPPORTED, the optional bit does not matter */
    buf[1] = (uint8_t)(fl | (prop_bool(p) ? 0x20 : 0x40));
    PROP_CHECK(p, dx_hbtp_parse(buf, (size_t)n, max_payload, &f) == DX_ERR_UNSUPPORTED);
    buf[1] = (uint8_t)(fl ^ 0x80);
    PROP_CHECK(p, dx_hbtp_parse(buf, (size_t)n, max_payload, &f) == n && f.flags == (fl ^ 0x80));
    buf[0] = (uint8_t)(prop_range(p, 0x0b, 0x7f + 1) & 0x7f); /* 0 or reserved */
    PROP_CHECK(p, dx_hbtp_parse(buf, (size_t)n, max_payload, &f) == DX_HBTP_ERR_OPCODE);
    return 0;
}

/* A random stream of valid frames. */
#define GEN_MAX_FRAMES 48
typedef struct gen {
    size_t n, off[GEN_MAX_FRAMES + 1];
    dx_hbtp_frame f[GEN_MAX_FRAMES];
    uint8_t buf[GEN_MAX_FRAMES * (8 + 256)];
    size_t len;
    uint32_t max_payload;
} gen;
static void gen_frames(prop_ctx *p, gen *g) {
    size_t i;
    g->max_payload = (uint32_t)prop_range(p, 0, 256);
    g->n = prop_len(p, GEN_MAX_FRAMES);
    g->len = 0;
    for (i = 0; i < g->n; i++) {
        uint32_t len = (uint32_t)prop_len(p, g->max_payload);
        g->off[i] = g->len;
        g->f[i].opcode = rand_opcode(p);
        g->f[i].flags = rand_flags(p);
        g->f[i].stream = (uint16_t)prop_u32(p);
        g->f[i].length = len;
        dx_hbtp_encode_header(g->buf + g->len, g->f[i].opcode, g->f[i].flags, g->f[i].stream, len);
        prop_bytes(p, g->buf + g->len + 8, len);
        g->f[i].payload = g->buf + g->len + 8;
        g->len += 8 + (size_t)len;
    }
    g->off[g->n] = g->len;
}
static int same_frame(const dx_hbtp_frame *a, const dx_hbtp_frame *b) {
    return a->opcode == b->opcode && a->flags == b->flags && a->stream == b->stream && a->length == b->length &&
           (a->length == 0 || memcmp(a->payload, b->payload, a->length) == 0);
}

/* Feeding pieces of any size gives exactly the frames one buffer gives; frames
   inside a piece are not copied, and only frames across pieces are. */
static int p_framer_split(prop_ctx *p) {
    static gen g;
    static uint8_t fbuf[8 + 256];
    dx_hbtp_framer fr;
    dx_hbtp_frame f;
    size_t i, at, k = 0, copied_want = 0;
    int mode = (int)prop_range(p, 0, 3);
    gen_frames(p, &g);
    prop_note(p, "mode %d, %lu frames, %lu bytes, max_payload %lu", mode, (unsigned long)g.n, (unsigned long)g.len, (unsigned long)g.max_payload);
    /* the contiguous buffer */
    for (i = 0, at = 0; i < g.n; i++) {
        PROP_CHECK(p, dx_hbtp_parse(g.buf + at, g.len - at, g.max_payload, &f) == (int64_t)(8 + g.f[i].length));
        PROP_CHECK(p, same_frame(&f, &g.f[i]) && f.payload == g.buf + at + 8);
        at += 8 + (size_t)f.length;
    }
    PROP_CHECK(p, dx_hbtp_parse(g.buf + at, 0, g.max_payload, &f) == DX_ERR_TRUNCATED);
    /* the framer, over pieces; each piece is its own exact-size copy so ASan sees overreads */
    PROP_CHECK(p, dx_hbtp_framer_init(&fr, fbuf, 8 + (size_t)g.max_payload, g.max_payload) == DX_OK);
    for (at = 0; at < g.len || (at == 0 && g.len == 0);) {
        size_t piece, end;
        uint8_t *copy;
        dx_result err;
        if (mode == 0) piece = 1;
        else if (mode == 1) piece = prop_bool(p) ? (size_t)prop_range(p, 0, 20) : (size_t)prop_range(p, 0, g.len - at);
        else if (mode == 2) piece = g.len - at;
        else { /* whole frames per piece */
            size_t j = k + (size_t)prop_range(p, 1, 4);
            piece = g.off[j > g.n ? g.n : j] - at;
        }
        if (piece > g.len - at) piece = g.len - at;
        end = at + piece;
        copy = (uint8_t *)malloc(piece ? piece : 1);
        if (!copy) abort();
        memcpy(copy, g.buf + at, piece);
        PROP_CHECK(p, dx_hbtp_framer_feed(&fr, copy, piece) == DX_OK);
        while ((err = dx_hbtp_framer_next(&fr, &f)) == DX_OK) {
            int inside = g.off[k] >= at && g.off[k + 1] <= end;
            PROP_CHECK_MSG(p, k < g.n, "frame %lu of %lu", (unsigned long)k, (unsigned long)g.n);
            PROP_CHECK_MSG(p, same_frame(&f, &g.f[k]), "frame %lu differs", (unsigned long)k);
            if (inside) PROP_CHECK_MSG(p, f.payload == copy + (g.off[k] - at) + 8, "frame %lu was copied", (unsigned long)k);
            else {
                PROP_CHECK_MSG(p, f.payload == fbuf + 8, "frame %lu", (unsigned long)k);
                copied_want += 8 + (size_t)g.f[k].length;
            }
            k++;
        }
        free(copy);
        PROP_CHECK_MSG(p, err == DX_ERR_TRUNCATED, "%s", dx_hbtp_result_name(err));
        at = end;
        if (g.len == 0) break;
    }
    PROP_CHECK_MSG(p, k == g.n && fr.frames == g.n, "%lu of %lu frames", (unsigned long)k, (unsigned long)g.n);
    PROP_CHECK_MSG(p, fr.bytes_copied == copied_want, "copied %lu, want %lu", (unsigned long)fr.bytes_copied, (unsigned long)copied_want);
    if (mode == 2 || mode == 3) PROP_CHECK(p, fr.bytes_copied == 0);
    if (mode == 0) PROP_CHECK(p, fr.bytes_copied == g.len);
    return 0;
}

/* A header above max_payload is refused once its 8 bytes are in, before any body byte. */
static int p_too_large_early(prop_ctx *p) {
    static uint8_t fbuf[8 + 1024];
    uint32_t max_payload = (uint32_t)prop_range(p, 0, 1024);
    uint32_t len = (uint32_t)prop_range(p, (uint64_t)max_payload + 1, prop_bool(p) ? max_payload + 2 : 0xffffffffu);
    uint8_t h[8], lead[16];
    size_t lead_len = prop_bool(p) ? 8 : 0, i = 0;
    dx_hbtp_framer fr;
    dx_hbtp_frame f;
    dx_result err = DX_ERR_TRUNCATED;
    /* optionally a valid empty frame first, so the bad header may start mid-piece */
    dx_hbtp_encode_header(lead, DX_HBTP_OP_PING, 0, 0, 0);
    dx_hbtp_encode_header(h, rand_opcode(p), rand_flags(p), (uint16_t)prop_u32(p), len);
    memcpy(lead + lead_len, h, 8);
    PROP_CHECK(p, dx_hbtp_parse(h, 8, max_payload, &f) == DX_HBTP_ERR_TOO_LARGE);
    PROP_CHECK(p, dx_hbtp_framer_init(&fr, fbuf, 8 + (size_t)max_payload, max_payload) == DX_OK);
    while (i < lead_len + 8) {
        size_t piece = (size_t)prop_range(p, 1, lead_len + 8 - i);
        PROP_CHECK(p, dx_hbtp_framer_feed(&fr, lead + i, piece) == DX_OK);
        while ((err = dx_hbtp_framer_next(&fr, &f)) == DX_OK) PROP_CHECK(p, f.opcode == DX_HBTP_OP_PING);
        i += piece;
        if (i < lead_len + 8) PROP_CHECK_MSG(p, err == DX_ERR_TRUNCATED, "%lu bytes in: %s", (unsigned long)i, dx_hbtp_result_name(err));
        dx_hbtp_framer_drop_input(&fr);
    }
    PROP_CHECK_MSG(p, err == DX_HBTP_ERR_TOO_LARGE, "%s", dx_hbtp_result_name(err));
    PROP_CHECK(p, fr.have <= 8 && fr.bytes_copied <= lead_len + 8);
    /* a connection says so at once too, and closes */
    {
        dx_hbtp_conn c;
        dx_hbtp_conn_config cfg;
        dx_hbtp_frame out[4];
        const uint8_t *d;
        size_t n;
        wbuf w;
        memset(&cfg, 0, sizeof cfg);
        memset(&w, 0, sizeof w);
        cfg.max_payload = max_payload < DX_HBTP_MIN_PAYLOAD ? DX_HBTP_MIN_PAYLOAD : max_payload;
        PROP_CHECK(p, dx_hbtp_conn_create(&c, &cfg) == DX_OK);
        w_hello(&w, 1, 0, cfg.max_payload, 8, NULL);
        dx_store_u32le(h + 4, cfg.max_payload + 1 + (uint32_t)prop_range(p, 0, 0xffffffffu - cfg.max_payload - 1));
        h[0] = DX_HBTP_OP_RPC, h[1] = 0;
        w_put(&w, h, 8);
        PROP_CHECK(p, dx_hbtp_conn_feed(&c, w.b, w.len) == DX_HBTP_ERR_TOO_LARGE);
        d = dx_hbtp_conn_output(&c, &n);
        PROP_CHECK(p, parse_all(d, n, out, 4, NULL) == 3 && out[1].opcode == DX_HBTP_OP_ERROR && err_code(&out[1]) == DX_HBTP_CODE_TOO_LARGE);
        PROP_CHECK(p, out[2].opcode == DX_HBTP_OP_GOAWAY);
        dx_hbtp_conn_destroy(&c);
        w_free(&w);
    }
    return 0;
}

/* Random bytes into a framer, split at random: the same frames and the same
   final result as dx_hbtp_parse over the whole buffer. */
static int p_random_framer(prop_ctx *p) {
    static uint8_t data[2048], fbuf[8 + 64];
    static dx_hbtp_frame ref[2048 / 8 + 1];
    size_t len = prop_len(p, sizeof data), nref = 0, at = 0, k = 0, i;
    uint32_t max_payload = (uint32_t)prop_range(p, 0, 64);
    dx_hbtp_framer fr;
    dx_hbtp_frame f;
    int64_t r = 0;
    dx_result err = DX_ERR_TRUNCATED;
    prop_bytes(p, data, len);
    /* make valid-looking headers likely: opcodes and lengths in range at random spots */
    for (i = 0; i + 8 <= len; i += 8 + (size_t)prop_range(p, 0, 40)) {
        if (prop_bool(p)) {
            data[i] = rand_opcode(p);
            data[i + 1] = prop_bool(p) ? rand_flags(p) : data[i + 1];
            dx_store_u32le(data + i + 4, (uint32_t)prop_range(p, 0, max_payload + 2u));
        }
    }
    while ((r = dx_hbtp_parse(data + at, len - at, max_payload, &ref[nref])) > 0) at += (size_t)r, nref++;
    PROP_CHECK(p, dx_hbtp_framer_init(&fr, fbuf, 8 + (size_t)max_payload, max_payload) == DX_OK);
    for (at = 0; at < len;) {
        size_t piece = prop_bool(p) ? (size_t)prop_range(p, 1, 12) : (size_t)prop_range(p, 1, len - at);
        uint8_t *copy;
        if (piece > len - at) piece = len - at;
        copy = (uint8_t *)malloc(piece);
        if (!copy) abort();
        memcpy(copy, data + at, piece);
        dx_hbtp_framer_feed(&fr, copy, piece);
        while ((err = dx_hbtp_framer_next(&fr, &f)) == DX_OK) {
            PROP_CHECK_MSG(p, k < nref && same_frame(&f, &ref[k]), "frame %lu", (unsigned long)k);
            PROP_CHECK(p, f.length <= max_payload);
            k++;
        }
        dx_hbtp_framer_drop_input(&fr);
        free(copy);
        at += piece;
        if (err != DX_ERR_TRUNCATED) break;
    }
    PROP_CHECK_MSG(p, k == nref, "%lu of %lu frames", (unsigned long)k, (unsigned long)nref);
    PROP_CHECK_MSG(p, err == (dx_result)r || (len == 0 && err == DX_ERR_TRUNCATED), "framer %s, parse %s", dx_hbtp_result_name(err),
                   dx_hbtp_result_name((dx_result)r));
    PROP_CHECK(p, err == DX_ERR_TRUNCATED || err == DX_HBTP_ERR_OPCODE || err == DX_ERR_UNSUPPORTED || err == DX_HBTP_ERR_TOO_LARGE);
    PROP_CHECK(p, fr.bytes_copied <= len && fr.have <= 8 + (size_t)max_payload);
    return 0;
}

/* Feeds `data` to c in random pieces, draining output in random amounts into `sink`
   (may be NULL). Returns the final feed result (>= 0: everything went in). */
static int64_t feed_random(prop_ctx *p, dx_hbtp_conn *c, const uint8_t *data, size_t len, wbuf *sink) {
    size_t at = 0;
    int stuck = 0;
    while (at < len) {
        size_t piece = prop_bool(p) ? (size_t)prop_range(p, 1, 16) : (size_t)prop_range(p, 1, len - at), n;
        const uint8_t *out;
        int64_t r;
        if (piece > len - at) piece = len - at;
        r = dx_hbtp_conn_feed(c, data + at, piece);
        if (r < 0) return r;
        if ((size_t)r > piece) return -1000; /* impossible */
        at += (size_t)r;
        out = dx_hbtp_conn_output(c, &n);
        if ((size_t)r < piece) { /* backpressure: drain it all */
            if (c->out.len <= c->out.cap / 2 || ++stuck > 2) return -1001;
            if (sink) w_put(sink, out, n);
            dx_hbtp_conn_consume(c, n);
        } else {
            size_t take = (size_t)prop_range(p, 0, n);
            stuck = 0;
            if (sink) w_put(sink, out, take);
            dx_hbtp_conn_consume(c, take);
        }
    }
    return (int64_t)len;
}

/* Random bytes behind a valid HELLO: a server never crashes, every byte it
   writes is a valid frame, and it ends up fine, waiting for more bytes, or
   closed with ERROR + GOAWAY as its last two frames. */
static int p_random_server(prop_ctx *p) {
    static uint8_t data[3000];
    static dx_hbtp_frame out[MAX_OUT_FRAMES];
    dx_hbtp_router rt;
    hstats h;
    dx_hbtp_conn c;
    dx_hbtp_conn_config cfg;
    fake_clock clk;
    dx_hbtp_timing t;
    dx_hbtp_ratelimit rl;
    dx_hbtp_auth a;
    dx_hbtp_static_token tok;
    wbuf sink, in;
    size_t len = prop_len(p, 2000), i, n, rest;
    int64_t r;
    std_router(&rt, &h);
    memset(&clk, 0, sizeof clk);
    memset(&t, 0, sizeof t);
    memset(&rl, 0, sizeof rl);
    memset(&a, 0, sizeof a);
    memset(&sink, 0, sizeof sink);
    memset(&in, 0, sizeof in);
    clk.step = prop_range(p, 0, 3000000);
    t.now = rl.now = fake_now, t.clock_user = rl.clock_user = &clk, t.report = prop_bool(p);
    rl.rate = (uint32_t)prop_range(p, 0, 1000), rl.burst = (uint32_t)prop_range(p, 0, 10);
    tok.token = (const uint8_t *)"tok", tok.len = 3;
    a.verify = dx_hbtp_verify_static_token, a.user = &tok;
    cfg = server_cfg(&rt);
    cfg.max_payload = (uint32_t)prop_range(p, DX_HBTP_MIN_PAYLOAD, 600);
    cfg.max_inflight = (uint16_t)prop_range(p, 1, 8);
    cfg.out_capacity = prop_bool(p) ? 0 : (size_t)prop_range(p, 64, 2000);
    cfg.capabilities = DX_HBTP_CAP_TIMING;
    cfg.middleware[cfg.middleware_count++] = dx_hbtp_timing_middleware(&t);
    if (prop_bool(p)) cfg.middleware[cfg.middleware_count++] = dx_hbtp_ratelimit_middleware(&rl);
    if (prop_bool(p)) cfg.middleware[cfg.middleware_count++] = dx_hbtp_auth_middleware(&a);
    PROP_CHECK(p, dx_hbtp_conn_create(&c, &cfg) == DX_OK);
    if (prop_range(p, 0, 3)) w_hello(&in, 1, prop_bool(p) ? DX_HBTP_CAP_TIMING : 0, (uint32_t)prop_range(p, 0, 1000),
                                     (uint16_t)prop_range(p, 0, 10), prop_bool(p) ? "tok" : NULL);
    prop_bytes(p, data, len);
    for (i = 0; i + 12 <= len; i += 8 + (size_t)prop_range(p, 0, 60)) { /* plausible frames, mostly */
        if (prop_range(p, 0, 3)) {
            data[i] = prop_bool(p) ? (uint8_t)prop_range(p, 1, 10) : rand_opcode(p);
            data[i + 1] = prop_range(p, 0, 3) ? 0 : rand_flags(p);
            data[i + 3] = prop_range(p, 0, 3) ? 0 : data[i + 3];
            dx_store_u32le(data + i + 4, (uint32_t)prop_range(p, 0, prop_bool(p) ? 12 : 700));
            if (prop_bool(p)) dx_store_u32le(data + i + 8, (uint32_t)prop_range(p, 0, 9));
        }
    }
    w_put(&in, data, len);
    prop_note(p, "%lu bytes, max_payload %lu, out %lu", (unsigned long)in.len, (unsigned long)cfg.max_payload, (unsigned long)c.out.cap);
    r = feed_random(p, &c, in.b, in.len, &sink);
    PROP_CHECK_MSG(p, r == (int64_t)in.len || (r < 0 && r > -1000), "feed: %ld", (long)r);
    {
        const uint8_t *d;
        size_t left;
        d = dx_hbtp_conn_output(&c, &left);
        w_put(&sink, d, left);
    }
    n = parse_all(sink.b, sink.len, out, MAX_OUT_FRAMES, &rest);
    PROP_CHECK_MSG(p, rest == 0 || n == MAX_OUT_FRAMES, "output: %lu bytes after %lu frames do not parse", (unsigned long)rest, (unsigned long)n);
    for (i = 0; i < n; i++) {
        PROP_CHECK(p, out[i].opcode != DX_HBTP_OP_RPC && out[i].opcode != DX_HBTP_OP_PING);
        PROP_CHECK_MSG(p, out[i].opcode == DX_HBTP_OP_HELLO || out[i].opcode == DX_HBTP_OP_GOAWAY || out[i].length <= c.max_payload ||
                              out[i].opcode == DX_HBTP_OP_ERROR,
                       "frame %lu (%s) is %lu bytes, above the negotiated %lu", (unsigned long)i, dx_hbtp_opcode_name(out[i].opcode),
                       (unsigned long)out[i].length, (unsigned long)c.max_payload);
    }
    if (r < 0) {
        PROP_CHECK(p, c.error == (dx_result)r && c.state == DX_HBTP_STATE_CLOSING);
        PROP_CHECK(p, dx_hbtp_conn_feed(&c, in.b, in.len) == r);
        if (n < MAX_OUT_FRAMES && cfg.out_capacity == 0) { /* a tiny buffer may lose the explanation */
            PROP_CHECK(p, n >= 2 && out[n - 2].opcode == DX_HBTP_OP_ERROR && out[n - 1].opcode == DX_HBTP_OP_GOAWAY);
            PROP_CHECK(p, err_code(&out[n - 2]) == dx_load_u16le(out[n - 1].payload + 2));
        }
    } else {
        PROP_CHECK(p, c.error == DX_OK && c.framer.have < 8 + (size_t)cfg.max_payload);
    }
    dx_hbtp_conn_destroy(&c);
    w_free(&sink);
    w_free(&in);
    return 0;
}

/* Random bytes into a client: it never crashes, and every frame it reports stays in bounds. */
static int p_random_client(prop_ctx *p) {
    static uint8_t data[2000];
    static seen s;
    dx_hbtp_conn c;
    dx_hbtp_conn_config cfg;
    wbuf in;
    size_t len = prop_len(p, sizeof data), i;
    int64_t r;
    int k;
    memset(&s, 0, sizeof s);
    memset(&in, 0, sizeof in);
    cfg = client_cfg(&s);
    cfg.max_payload = (uint32_t)prop_range(p, DX_HBTP_MIN_PAYLOAD, 500);
    PROP_CHECK(p, dx_hbtp_conn_create(&c, &cfg) == DX_OK && dx_hbtp_conn_hello(&c) == DX_OK);
    for (k = (int)prop_range(p, 0, 6); k > 0; k--) (void)dx_hbtp_conn_call(&c, (uint32_t)prop_range(p, 0, 9), "x", 1);
    if (prop_range(p, 0, 3)) {
        w_hello(&in, 1, prop_u64(p), (uint32_t)prop_range(p, 0, 1000), (uint16_t)prop_range(p, 0, 10), NULL);
        in.b[1] = DX_HBTP_FLAG_ACK;
    }
    prop_bytes(p, data, len);
    for (i = 0; i + 8 <= len; i += 8 + (size_t)prop_range(p, 0, 40)) {
        if (prop_range(p, 0, 3)) {
            data[i] = (uint8_t)prop_range(p, 1, 10);
            data[i + 1] = prop_range(p, 0, 2) ? 0 : rand_flags(p);
            data[i + 2] = (uint8_t)prop_range(p, 0, 7), data[i + 3] = 0;
            dx_store_u32le(data + i + 4, (uint32_t)prop_range(p, 0, 40));
        }
    }
    w_put(&in, data, len);
    r = feed_random(p, &c, in.b, in.len, NULL);
    PROP_CHECK_MSG(p, r == (int64_t)in.len || (r < 0 && r > -1000), "feed: %ld", (long)r);
    for (i = 0; i < s.n && i < SEEN_MAX; i++) PROP_CHECK(p, s.f[i].length <= cfg.max_payload);
    if (r < 0) PROP_CHECK_MSG(p, c.error == (dx_result)r && c.state == DX_HBTP_STATE_CLOSING, "feed %s, error %s, state %d", dx_hbtp_result_name((dx_result)r), dx_hbtp_result_name(c.error), (int)c.state);
    dx_hbtp_conn_destroy(&c);
    w_free(&in);
    return 0;
}

/* A random client session against a server, delivered in random pieces both
   ways: every request gets exactly its answers, in order, and nothing jams. */
typedef struct expect_frame { uint8_t opcode; uint16_t stream; size_t at, len; uint16_t code; } expect_frame;
typedef struct expect_q {
    expect_frame e[1024];
    size_t n, next;
    uint8_t arena[1 << 17];
    size_t arena_len;
    int bad;
    char why[160];
} expect_q;
static void expect_add(expect_q *q, uint8_t op, uint16_t stream, const void *data, size_t len, uint16_t code) {
    expect_frame *e = &q->e[q->n++];
    e->opcode = op, e->stream = stream, e->code = code;
    e->at = q->arena_len, e->len = len;
    if (len) memcpy(q->arena + q->arena_len, data, len);
    q->arena_len += len;
}
static void on_expect(dx_hbtp_conn *c, const dx_hbtp_frame *f, void *user) {
    expect_q *q = (expect_q *)user;
    const expect_frame *e;
    (void)c;
    if (q->bad) return;
    if (q->next >= q->n) {
        q->bad = 1;
        snprintf(q->why, sizeof q->why, "unexpected %s on stream %u", dx_hbtp_opcode_name(f->opcode), (unsigned)f->stream);
        return;
    }
    e = &q->e[q->next++];
    if (f->opcode != e->opcode || f->stream != e->stream ||
        (e->opcode == DX_HBTP_OP_ERROR ? err_code(f) != e->code : !payload_is(f, q->arena + e->at, e->len))) {
        q->bad = 1;
        snprintf(q->why, sizeof q->why, "answer %lu: got %s stream %u len %lu, want %s stream %u len %lu", (unsigned long)(q->next - 1),
                 dx_hbtp_opcode_name(f->opcode), (unsigned)f->stream, (unsigned long)f->length, dx_hbtp_opcode_name(e->opcode),
                 (unsigned)e->stream, (unsigned long)e->len);
    }
}
/* one random-size piece each way; returns bytes moved or < 0 */
static int64_t deliver_some(prop_ctx *p, dx_hbtp_conn *from, dx_hbtp_conn *to) {
    size_t len;
    const uint8_t *out = dx_hbtp_conn_output(from, &len);
    int64_t n;
    if (len == 0) return 0;
    n = dx_hbtp_conn_feed(to, out, prop_bool(p) ? len : (size_t)prop_range(p, 1, len));
    if (n > 0) dx_hbtp_conn_consume(from, (size_t)n);
    return n;
}
static int deliver_all(prop_ctx *p, dx_hbtp_conn *client, dx_hbtp_conn *server) {
    int idle = 0;
    while (out_len(client) || out_len(server)) {
        int64_t a = deliver_some(p, client, server), b;
        PROP_CHECK_MSG(p, a >= 0, "server: %s", dx_hbtp_result_name((dx_result)a));
        b = deliver_some(p, server, client);
        PROP_CHECK_MSG(p, b >= 0, "client: %s", dx_hbtp_result_name((dx_result)b));
        if (a == 0 && b == 0) PROP_CHECK_MSG(p, ++idle < 100, "stuck: client has %lu bytes to send, server %lu", (unsigned long)out_len(client),
                                             (unsigned long)out_len(server));
        else idle = 0;
    }
    return 0;
}
static int p_session(prop_ctx *p) {
    static expect_q q;
    static uint8_t body[1100];
    dx_hbtp_router rt;
    hstats h;
    dx_hbtp_conn client, server;
    dx_hbtp_conn_config ccfg, scfg;
    size_t ops = prop_len(p, 120), i;
    memset(&q, 0, sizeof q);
    std_router(&rt, &h);
    scfg = server_cfg(&rt);
    scfg.max_payload = (uint32_t)prop_range(p, 64, 1024);
    scfg.max_inflight = (uint16_t)prop_range(p, 1, 16);
    memset(&ccfg, 0, sizeof ccfg);
    ccfg.role = DX_HBTP_ROLE_CLIENT;
    ccfg.max_payload = (uint32_t)prop_range(p, 64, 1024);
    ccfg.on_frame = on_expect;
    ccfg.user = &q;
    PROP_CHECK(p, dx_hbtp_conn_create(&server, &scfg) == DX_OK && dx_hbtp_conn_create(&client, &ccfg) == DX_OK);
    PROP_CHECK(p, dx_hbtp_conn_hello(&client) == DX_OK);
    if (deliver_all(p, &client, &server)) return 1; /* negotiate first: the limits below depend on it */
    PROP_CHECK(p, client.state == DX_HBTP_STATE_OPEN && q.bad && strncmp(q.why, "unexpected HELLO", 16) == 0);
    q.bad = 0; /* that was the HELLO|ACK */
    prop_note(p, "%lu ops; max_payload %lu, max_inflight %u", (unsigned long)ops, (unsigned long)client.max_payload, (unsigned)client.max_inflight);
    for (i = 0; i < ops && q.n + 8 < 1024 && q.arena_len + 4 * sizeof body < sizeof q.arena; i++) {
        int kind = (int)prop_range(p, 0, 7), tries;
        size_t blen = prop_len(p, client.max_payload - 4);
        int32_t id = DX_ERR_BUSY;
        uint32_t method = 1, big = 0;
        prop_bytes(p, body, blen);
        if (kind == 1) method = prop_bool(p) ? 7 : 100000, blen = 0;
        else if (kind == 2) method = 2;
        else if (kind == 4) method = 5;
        else if (kind == 5) method = 6;
        else if (kind == 6) { /* a reply of a random size up to the negotiated limit */
            method = 4, big = (uint32_t)prop_len(p, client.max_payload - 4);
            dx_store_u32le(body, big);
            blen = 4;
        }
        if (kind == 3) {
            while (dx_hbtp_conn_ping(&client, body, blen) == DX_ERR_NOSPACE)
                if (deliver_all(p, &client, &server)) return 1;
            expect_add(&q, DX_HBTP_OP_PONG, 0, body, blen, 0);
            continue;
        }
        for (tries = 0; tries < 3; tries++) {
            id = dx_hbtp_conn_call(&client, method, body, blen);
            if (id != DX_ERR_BUSY && id != DX_ERR_NOSPACE) break;
            if (deliver_all(p, &client, &server)) return 1;
        }
        PROP_CHECK_MSG(p, id > 0, "call %lu: %s", (unsigned long)i, dx_hbtp_result_name(id));
        switch (kind) {
        case 1: expect_add(&q, DX_HBTP_OP_ERROR, (uint16_t)id, NULL, 0, DX_HBTP_CODE_UNKNOWN_METHOD); break;
        case 2: expect_add(&q, DX_HBTP_OP_ERROR, (uint16_t)id, NULL, 0, 0x8001); break;
        case 4:
            expect_add(&q, DX_HBTP_OP_STREAM_DATA, (uint16_t)id, "a", 1, 0);
            expect_add(&q, DX_HBTP_OP_STREAM_DATA, (uint16_t)id, "bb", 2, 0);
            expect_add(&q, DX_HBTP_OP_STREAM_DATA, (uint16_t)id, "ccc", 3, 0);
            expect_add(&q, DX_HBTP_OP_STREAM_END, (uint16_t)id, "end", 3, 0);
            break;
        case 5: expect_add(&q, DX_HBTP_OP_NOT_MODIFIED, (uint16_t)id, "etag-1", 6, 0); break;
        case 6: {
            uint8_t *e = q.arena + q.arena_len;
            dx_store_u32le(e, 4);
            memcpy(e + 4, big_body, big);
            q.e[q.n].opcode = DX_HBTP_OP_RPC_RESPONSE, q.e[q.n].stream = (uint16_t)id;
            q.e[q.n].at = q.arena_len, q.e[q.n].len = 4 + (size_t)big;
            q.n++, q.arena_len += 4 + (size_t)big;
            break;
        }
        default: {
            uint8_t *e = q.arena + q.arena_len;
            dx_store_u32le(e, 1);
            memcpy(e + 4, body, blen);
            q.e[q.n].opcode = DX_HBTP_OP_RPC_RESPONSE, q.e[q.n].stream = (uint16_t)id;
            q.e[q.n].at = q.arena_len, q.e[q.n].len = 4 + blen;
            q.n++, q.arena_len += 4 + blen;
            break;
        }
        }
        if (prop_range(p, 0, 3) == 0) { /* let some bytes through now and then */
            PROP_CHECK(p, deliver_some(p, &client, &server) >= 0 && deliver_some(p, &server, &client) >= 0);
        }
        PROP_CHECK_MSG(p, !q.bad, "%s", q.why);
    }
    if (deliver_all(p, &client, &server)) return 1;
    PROP_CHECK_MSG(p, !q.bad, "%s", q.why);
    PROP_CHECK_MSG(p, q.next == q.n, "%lu of %lu answers", (unsigned long)q.next, (unsigned long)q.n);
    PROP_CHECK(p, client.error == DX_OK && server.error == DX_OK);
    PROP_CHECK(p, client.inflight_count == 0 && server.inflight_count == 0);
    destroy_pair(&client, &server);
    return 0;
}

static const prop_test tests[] = {
    PROP_UNIT(t_header_layout),      PROP_UNIT(t_opcodes_flags),      PROP_UNIT(t_framer_basics),
    PROP_UNIT(t_resp_buffer),        PROP_UNIT(t_router),             PROP_UNIT(t_conn_setup),
    PROP_UNIT(t_hello_exchange),     PROP_UNIT(t_protocol_errors),    PROP_UNIT(t_version_mismatch),
    PROP_UNIT(t_pipelined),          PROP_UNIT(t_stream_numbering),   PROP_UNIT(t_inflight_limit),     PROP_UNIT(t_goaway),
    PROP_UNIT(t_unknown_method),     PROP_UNIT(t_app_opcodes), PROP_UNIT(t_client_send_app),        PROP_UNIT(t_streams), PROP_UNIT(t_client_stream), PROP_UNIT(t_stream_unrouted),
    PROP_UNIT(t_not_modified),       PROP_UNIT(t_middleware_order),   PROP_UNIT(t_request_fields),     PROP_UNIT(t_timing),
    PROP_UNIT(t_ratelimit),          PROP_UNIT(t_ratelimit_shared),   PROP_UNIT(t_auth),
    PROP_UNIT(t_equal_ct),           PROP_UNIT(t_reply_too_large),    PROP_UNIT(t_reply_above_limit),
    PROP_UNIT(t_client_edges),       PROP_UNIT(t_pong_no_room),
    PROP_UNIT(t_backpressure),       PROP_UNIT(t_partial_sends),      PROP_UNIT(t_no_alloc),           PROP_UNIT(t_vector_frames),
    PROP_UNIT(t_vector_session),     PROP_UNIT(t_vector_rules),       PROP_PROPERTY(p_roundtrip),      PROP_PROPERTY(p_framer_split),
    PROP_PROPERTY(p_too_large_early), PROP_PROPERTY(p_random_framer), PROP_PROPERTY(p_random_server),
    PROP_PROPERTY(p_random_client),  PROP_PROPERTY(p_session),
};

int main(int argc, char **argv) {
    size_t i;
    for (i = 0; i < sizeof big_body; i++) big_body[i] = (uint8_t)(i * 131 + (i >> 8));
    return prop_main(argc, argv, tests, sizeof tests / sizeof tests[0]);
}
