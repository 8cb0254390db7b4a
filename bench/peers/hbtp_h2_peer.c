/* hbtp_h2_peer.c - the HTTP/2 server of the HBTP benchmark: nghttp2 in server mode

   The client's bytes are made before any timing by an nghttp2 client
   session talking to a scratch nghttp2 server through memory, one batch of
   depth requests at a time, so they are exactly what a real client sends:
   the connection preface, then per batch the requests (HEADERS with :method
   POST, :scheme, :authority, :path /ping or /rpc/echo, then DATA with the
   body and END_STREAM; HPACK-indexed after the first) or PING frames with
   8 opaque bytes, plus the client's SETTINGS ACKs and WINDOW_UPDATEs. The
   client session checks every answer of the scratch server (status 200,
   the body echoed, PING ACKs with the right bytes), and the scratch
   server's output is kept: the timed server must give the same bytes.

   Timed: per input buffer nghttp2_session_mem_recv; the callbacks keep
   :method, :path and the body per stream; on END_STREAM the method and
   path are looked up in a small route table and the handler calls
   nghttp2_submit_response (:status 200, content-length, the body from a
   data provider); then nghttp2_session_mem_send until it has nothing
   left, each piece appended to a reused output buffer. PINGs are answered
   by nghttp2 itself (PING ACK). Stream ids only grow, so the client bytes
   of a run are one connection: before every run (untimed) a new server
   session gets the connection preface.
*/
#define _POSIX_C_SOURCE 200809L
#include "hbtp_peers.h"

#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define H2_SLOTS 256 /* per-stream state, a ring indexed by stream id (at most 100 open) */

typedef struct h2_slot {
    char method[8], path[64];
    size_t method_len, path_len;
    uint8_t body[256];
    size_t body_len, body_sent;
    int bad;
} h2_slot;

typedef struct h2_bytes {
    uint8_t *p;
    size_t len, cap;
} h2_bytes;

typedef struct h2_ctx {
    int msg;
    unsigned depth;
    uint64_t batches;
    h2_bytes preface, script, expect; /* client bytes before the first batch, the batches, the server's answers */
    size_t *batch_end, *expect_end;   /* end offset of each batch in script / expect */
    nghttp2_session_callbacks *cbs;
    nghttp2_session *server;
    h2_slot slots[H2_SLOTS];
    uint8_t *out; /* the output buffer, reused */
    size_t out_len, out_cap;
    uint64_t errors;
} h2_ctx;

static int h2_put(h2_bytes *b, const uint8_t *p, size_t n) {
    if (b->cap - b->len < n) {
        size_t cap = b->cap ? b->cap : 65536;
        uint8_t *q;
        while (cap - b->len < n) cap *= 2;
        if (!(q = (uint8_t *)realloc(b->p, cap))) return -1;
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    return 0;
}

static h2_slot *h2_slot_of(h2_ctx *c, int32_t stream_id) { return &c->slots[((uint32_t)stream_id >> 1) % H2_SLOTS]; }

/* ---- the server: callbacks, route table, handlers ---- */

static ssize_t h2_read_body(nghttp2_session *s, int32_t stream_id, uint8_t *buf, size_t length, uint32_t *flags,
                            nghttp2_data_source *source, void *user) {
    h2_slot *sl = (h2_slot *)source->ptr;
    size_t n = sl->body_len - sl->body_sent;
    (void)s;
    (void)stream_id;
    (void)user;
    if (n > length) n = length;
    memcpy(buf, sl->body + sl->body_sent, n);
    sl->body_sent += n;
    if (sl->body_sent == sl->body_len) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
}

static void h2_respond(h2_ctx *c, nghttp2_session *s, int32_t stream_id, const char *status, h2_slot *sl) {
    char clen[24];
    nghttp2_nv nv[2];
    nghttp2_data_provider prd;
    size_t cl = hbtp_utoa(clen, sl->body_len);
    nv[0].name = (uint8_t *)":status";
    nv[0].namelen = 7;
    nv[0].value = (uint8_t *)status;
    nv[0].valuelen = strlen(status);
    nv[0].flags = NGHTTP2_NV_FLAG_NONE;
    nv[1].name = (uint8_t *)"content-length";
    nv[1].namelen = 14;
    nv[1].value = (uint8_t *)clen;
    nv[1].valuelen = cl;
    nv[1].flags = NGHTTP2_NV_FLAG_NONE;
    sl->body_sent = 0;
    prd.source.ptr = sl;
    prd.read_callback = h2_read_body;
    if (nghttp2_submit_response(s, stream_id, nv, 2, &prd) != 0) c->errors++;
}

typedef void (*h2_handler)(h2_ctx *c, nghttp2_session *s, int32_t stream_id, h2_slot *sl);

static void h2_echo(h2_ctx *c, nghttp2_session *s, int32_t stream_id, h2_slot *sl) {
    h2_respond(c, s, stream_id, "200", sl);
}

static void h2_health(h2_ctx *c, nghttp2_session *s, int32_t stream_id, h2_slot *sl) {
    memcpy(sl->body, "ok", 2);
    sl->body_len = 2;
    h2_respond(c, s, stream_id, "200", sl);
}

static const struct {
    const char *method;
    size_t method_len;
    const char *path;
    size_t path_len;
    h2_handler fn;
} h2_routes[] = {
    {"GET", 3, "/health", 7, h2_health},
    {"POST", 4, "/ping", 5, h2_echo},
    {"POST", 4, "/rpc/echo", 9, h2_echo},
    {"POST", 4, "/rpc/status", 11, h2_health},
};

static void h2_dispatch(h2_ctx *c, nghttp2_session *s, int32_t stream_id, h2_slot *sl) {
    size_t i;
    if (!sl->bad) {
        for (i = 0; i < sizeof h2_routes / sizeof h2_routes[0]; i++) {
            if (h2_routes[i].path_len == sl->path_len && h2_routes[i].method_len == sl->method_len &&
                memcmp(h2_routes[i].path, sl->path, sl->path_len) == 0 &&
                memcmp(h2_routes[i].method, sl->method, sl->method_len) == 0) {
                h2_routes[i].fn(c, s, stream_id, sl);
                return;
            }
        }
    }
    sl->body_len = 0;
    h2_respond(c, s, stream_id, sl->bad ? "400" : "404", sl);
}

static int h2_on_begin_headers(nghttp2_session *s, const nghttp2_frame *f, void *user) {
    h2_ctx *c = (h2_ctx *)user;
    (void)s;
    if (f->hd.type == NGHTTP2_HEADERS && f->headers.cat == NGHTTP2_HCAT_REQUEST) {
        h2_slot *sl = h2_slot_of(c, f->hd.stream_id);
        sl->method_len = sl->path_len = sl->body_len = 0;
        sl->bad = 0;
    }
    return 0;
}

static int h2_on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name, size_t namelen,
                        const uint8_t *value, size_t valuelen, uint8_t flags, void *user) {
    h2_ctx *c = (h2_ctx *)user;
    h2_slot *sl;
    (void)s;
    (void)flags;
    if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    sl = h2_slot_of(c, f->hd.stream_id);
    if (namelen == 5 && memcmp(name, ":path", 5) == 0) {
        if (valuelen > sizeof sl->path) sl->bad = 1;
        else memcpy(sl->path, value, sl->path_len = valuelen);
    } else if (namelen == 7 && memcmp(name, ":method", 7) == 0) {
        if (valuelen > sizeof sl->method) sl->bad = 1;
        else memcpy(sl->method, value, sl->method_len = valuelen);
    }
    return 0;
}

static int h2_on_data(nghttp2_session *s, uint8_t flags, int32_t stream_id, const uint8_t *data, size_t len,
                      void *user) {
    h2_slot *sl = h2_slot_of((h2_ctx *)user, stream_id);
    (void)s;
    (void)flags;
    if (len > sizeof sl->body - sl->body_len) sl->bad = 1;
    else {
        memcpy(sl->body + sl->body_len, data, len);
        sl->body_len += len;
    }
    return 0;
}

static int h2_on_frame_recv(nghttp2_session *s, const nghttp2_frame *f, void *user) {
    h2_ctx *c = (h2_ctx *)user;
    if ((f->hd.type == NGHTTP2_DATA || f->hd.type == NGHTTP2_HEADERS) && (f->hd.flags & NGHTTP2_FLAG_END_STREAM))
        h2_dispatch(c, s, f->hd.stream_id, h2_slot_of(c, f->hd.stream_id));
    return 0;
}

static nghttp2_session *h2_server_new(h2_ctx *c) {
    nghttp2_session *s;
    nghttp2_settings_entry iv[1] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100}};
    if (nghttp2_session_server_new(&s, c->cbs, c) != 0) return NULL;
    if (nghttp2_submit_settings(s, NGHTTP2_FLAG_NONE, iv, 1) != 0) {
        nghttp2_session_del(s);
        return NULL;
    }
    return s;
}

/* Everything the session has to send, appended to out (or to b). */
static int h2_drain(nghttp2_session *s, h2_bytes *b, uint8_t *out, size_t *out_len, size_t out_cap) {
    for (;;) {
        const uint8_t *data;
        ssize_t n = nghttp2_session_mem_send(s, &data);
        if (n < 0) return -1;
        if (n == 0) return 0;
        if (b) {
            if (h2_put(b, data, (size_t)n) != 0) return -1;
        } else {
            if (out_cap - *out_len < (size_t)n) return -1;
            memcpy(out + *out_len, data, (size_t)n);
            *out_len += (size_t)n;
        }
    }
}

/* ---- the client that makes the bytes (untimed), and checks the answers ---- */

typedef struct h2_client {
    h2_ctx *c;
    int msg;
    unsigned depth;
    uint64_t answers, bad;
    struct {
        unsigned j;
        size_t got;
        int status_ok;
    } st[H2_SLOTS];
    uint8_t body[HBTP_RPC_LEN];
} h2_client;

static ssize_t h2c_read_body(nghttp2_session *s, int32_t stream_id, uint8_t *buf, size_t length, uint32_t *flags,
                             nghttp2_data_source *source, void *user) {
    unsigned j = (unsigned)(uintptr_t)source->ptr;
    (void)s;
    (void)stream_id;
    (void)user;
    if (length < HBTP_RPC_LEN) return NGHTTP2_ERR_DEFERRED; /* not expected: windows are large */
    hbtp_fill(buf, HBTP_RPC_LEN, j);
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    return HBTP_RPC_LEN;
}

static int h2c_on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name, size_t namelen,
                         const uint8_t *value, size_t valuelen, uint8_t flags, void *user) {
    h2_client *cl = (h2_client *)user;
    (void)s;
    (void)flags;
    if (f->hd.type == NGHTTP2_HEADERS && namelen == 7 && memcmp(name, ":status", 7) == 0)
        cl->st[((uint32_t)f->hd.stream_id >> 1) % H2_SLOTS].status_ok = valuelen == 3 && memcmp(value, "200", 3) == 0;
    return 0;
}

static int h2c_on_data(nghttp2_session *s, uint8_t flags, int32_t stream_id, const uint8_t *data, size_t len,
                       void *user) {
    h2_client *cl = (h2_client *)user;
    unsigned k = ((uint32_t)stream_id >> 1) % H2_SLOTS;
    (void)s;
    (void)flags;
    hbtp_fill(cl->body, HBTP_RPC_LEN, cl->st[k].j);
    if (cl->st[k].got + len > HBTP_RPC_LEN || memcmp(data, cl->body + cl->st[k].got, len) != 0) cl->bad++;
    else cl->st[k].got += len;
    return 0;
}

static int h2c_on_frame_recv(nghttp2_session *s, const nghttp2_frame *f, void *user) {
    h2_client *cl = (h2_client *)user;
    (void)s;
    if (f->hd.type == NGHTTP2_PING && (f->hd.flags & NGHTTP2_FLAG_ACK)) {
        uint8_t want[HBTP_PING_LEN];
        hbtp_fill(want, HBTP_PING_LEN, (unsigned)(cl->answers % cl->depth));
        if (memcmp(f->ping.opaque_data, want, HBTP_PING_LEN) != 0) cl->bad++;
        cl->answers++;
    }
    return 0;
}

static int h2c_on_close(nghttp2_session *s, int32_t stream_id, uint32_t error_code, void *user) {
    h2_client *cl = (h2_client *)user;
    unsigned k = ((uint32_t)stream_id >> 1) % H2_SLOTS;
    (void)s;
    if (error_code != 0 || !cl->st[k].status_ok || cl->st[k].got != HBTP_RPC_LEN) cl->bad++;
    cl->answers++;
    return 0;
}

/* Runs the client and a scratch server through memory to record the preface, the batches and the answers. */
static int h2_generate(h2_ctx *c) {
    nghttp2_session_callbacks *ccb = NULL;
    nghttp2_session *client = NULL, *server = NULL;
    h2_client *cl = (h2_client *)calloc(1, sizeof *cl);
    h2_bytes tmp = {NULL, 0, 0};
    uint64_t b;
    unsigned j;
    int ok = 0;
    static const nghttp2_nv hdr[] = {
        {(uint8_t *)":method", (uint8_t *)"POST", 7, 4, NGHTTP2_NV_FLAG_NONE},
        {(uint8_t *)":scheme", (uint8_t *)"http", 7, 4, NGHTTP2_NV_FLAG_NONE},
        {(uint8_t *)":authority", (uint8_t *)"bench", 10, 5, NGHTTP2_NV_FLAG_NONE},
        {(uint8_t *)":path", (uint8_t *)"/rpc/echo", 5, 9, NGHTTP2_NV_FLAG_NONE},
    };
    if (!cl) return -1;
    cl->c = c;
    cl->msg = c->msg;
    cl->depth = c->depth;
    if (nghttp2_session_callbacks_new(&ccb) != 0) goto done;
    nghttp2_session_callbacks_set_on_header_callback(ccb, h2c_on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(ccb, h2c_on_data);
    nghttp2_session_callbacks_set_on_frame_recv_callback(ccb, h2c_on_frame_recv);
    nghttp2_session_callbacks_set_on_stream_close_callback(ccb, h2c_on_close);
    if (nghttp2_session_client_new(&client, ccb, cl) != 0) goto done;
    if (!(server = h2_server_new(c))) goto done;
    if (nghttp2_submit_settings(client, NGHTTP2_FLAG_NONE, NULL, 0) != 0) goto done;
    /* the preface: client magic + SETTINGS, the server's SETTINGS, the client's ACK */
    for (j = 0; j < 3; j++) {
        size_t before = c->preface.len;
        tmp.len = 0;
        if (h2_drain(client, &c->preface, NULL, NULL, 0) != 0) goto done;
        if (c->preface.len > before &&
            nghttp2_session_mem_recv(server, c->preface.p + before, c->preface.len - before) !=
                (ssize_t)(c->preface.len - before))
            goto done;
        if (h2_drain(server, &tmp, NULL, NULL, 0) != 0) goto done;
        if (tmp.len && nghttp2_session_mem_recv(client, tmp.p, tmp.len) != (ssize_t)tmp.len) goto done;
    }
    for (b = 0; b < c->batches; b++) {
        size_t before = c->script.len, ebefore = c->expect.len;
        for (j = 0; j < c->depth; j++) {
            if (c->msg == HBTP_MSG_PING) {
                uint8_t opaque[HBTP_PING_LEN];
                hbtp_fill(opaque, HBTP_PING_LEN, j);
                if (nghttp2_submit_ping(client, NGHTTP2_FLAG_NONE, opaque) != 0) goto done;
            } else {
                nghttp2_data_provider prd;
                int32_t id;
                prd.source.ptr = (void *)(uintptr_t)j;
                prd.read_callback = h2c_read_body;
                id = nghttp2_submit_request(client, NULL, hdr, 4, &prd, NULL);
                if (id < 0) goto done;
                cl->st[((uint32_t)id >> 1) % H2_SLOTS].j = j;
                cl->st[((uint32_t)id >> 1) % H2_SLOTS].got = 0;
                cl->st[((uint32_t)id >> 1) % H2_SLOTS].status_ok = 0;
            }
        }
        if (h2_drain(client, &c->script, NULL, NULL, 0) != 0) goto done;
        c->batch_end[b] = c->script.len;
        if (nghttp2_session_mem_recv(server, c->script.p + before, c->script.len - before) !=
            (ssize_t)(c->script.len - before))
            goto done;
        if (h2_drain(server, &c->expect, NULL, NULL, 0) != 0) goto done;
        c->expect_end[b] = c->expect.len;
        if (nghttp2_session_mem_recv(client, c->expect.p + ebefore, c->expect.len - ebefore) !=
            (ssize_t)(c->expect.len - ebefore))
            goto done;
        if (cl->answers != (b + 1) * c->depth || cl->bad || c->errors) goto done;
    }
    ok = 1;
done:
    if (client) nghttp2_session_del(client);
    if (server) nghttp2_session_del(server);
    if (ccb) nghttp2_session_callbacks_del(ccb);
    free(tmp.p);
    free(cl);
    return ok ? 0 : -1;
}

/* ---- the benchmark interface ---- */

static void h2_version(char *out, size_t size) { snprintf(out, size, "%s", nghttp2_version(0)->version_str); }

static void h2_destroy(void *p) {
    h2_ctx *c = (h2_ctx *)p;
    if (!c) return;
    if (c->server) nghttp2_session_del(c->server);
    if (c->cbs) nghttp2_session_callbacks_del(c->cbs);
    free(c->preface.p);
    free(c->script.p);
    free(c->expect.p);
    free(c->batch_end);
    free(c->expect_end);
    free(c->out);
    free(c);
}

static void h2_prepare(void *p) {
    h2_ctx *c = (h2_ctx *)p;
    if (c->server) nghttp2_session_del(c->server);
    c->server = h2_server_new(c);
    c->out_len = 0;
    if (!c->server || nghttp2_session_mem_recv(c->server, c->preface.p, c->preface.len) != (ssize_t)c->preface.len ||
        h2_drain(c->server, NULL, c->out, &c->out_len, c->out_cap) != 0)
        c->errors++;
    c->out_len = 0;
}

static void *h2_create(int msg, unsigned depth, uint64_t batches) {
    h2_ctx *c = (h2_ctx *)calloc(1, sizeof *c);
    if (!c) return NULL;
    c->msg = msg;
    c->depth = depth;
    c->batches = batches;
    c->batch_end = (size_t *)calloc(batches, sizeof(size_t));
    c->expect_end = (size_t *)calloc(batches, sizeof(size_t));
    c->out_cap = (size_t)depth * 256 + 65536;
    c->out = (uint8_t *)malloc(c->out_cap);
    if (!c->batch_end || !c->expect_end || !c->out || nghttp2_session_callbacks_new(&c->cbs) != 0)
        return h2_destroy(c), (void *)NULL;
    memset(c->out, 0, c->out_cap);
    nghttp2_session_callbacks_set_on_begin_headers_callback(c->cbs, h2_on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(c->cbs, h2_on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(c->cbs, h2_on_data);
    nghttp2_session_callbacks_set_on_frame_recv_callback(c->cbs, h2_on_frame_recv);
    if (h2_generate(c) != 0) {
        fprintf(stderr, "hbtp_h2_peer: making the client bytes failed\n");
        return h2_destroy(c), (void *)NULL;
    }
    h2_prepare(c);
    if (c->errors) return h2_destroy(c), (void *)NULL;
    return c;
}

/* Batch b through the server; the output is in c->out. */
static int h2_batch(h2_ctx *c, uint64_t b) {
    size_t from = b ? c->batch_end[b - 1] : 0, len = c->batch_end[b] - from;
    c->out_len = 0;
    if (nghttp2_session_mem_recv(c->server, c->script.p + from, len) != (ssize_t)len) return -1;
    if (h2_drain(c->server, NULL, c->out, &c->out_len, c->out_cap) != 0) return -1;
    return c->errors ? -1 : 0;
}

/* The answers in the output: DATA frames that end a stream (rpc) or PING
   ACKs (ping), each with its first payload byte. */
static unsigned h2_scan(const uint8_t *p, size_t len, uint64_t *sum) {
    size_t at = 0;
    unsigned n = 0;
    while (len - at >= 9) {
        size_t flen = ((size_t)p[at] << 16) | ((size_t)p[at + 1] << 8) | p[at + 2];
        uint8_t type = p[at + 3], flags = p[at + 4];
        if (flen > len - at - 9) break;
        if (flen > 0 && ((type == NGHTTP2_DATA && (flags & NGHTTP2_FLAG_END_STREAM)) ||
                         (type == NGHTTP2_PING && (flags & NGHTTP2_FLAG_ACK)))) {
            *sum += p[at + 9];
            n++;
        }
        at += 9 + flen;
    }
    return at == len ? n : 0;
}

static uint64_t h2_run(void *p, uint64_t *check) {
    h2_ctx *c = (h2_ctx *)p;
    uint64_t b, answers = 0, sum = 0;
    for (b = 0; b < c->batches; b++) {
        if (h2_batch(c, b) != 0) break;
        answers += h2_scan(c->out, c->out_len, &sum);
        c->out_len = 0; /* consumed */
    }
    *check += sum;
    return answers;
}

static int h2_validate(void *p, char *why, size_t size) {
    h2_ctx *c = (h2_ctx *)p;
    int ok;
    h2_prepare(c);
    if (h2_batch(c, 0) != 0) return snprintf(why, size, "nghttp2 server error"), -1;
    ok = c->out_len == c->expect_end[0] && memcmp(c->out, c->expect.p, c->out_len) == 0;
    if (!ok)
        snprintf(why, size, "output differs from the checked answers (%lu bytes, expected %lu)",
                 (unsigned long)c->out_len, (unsigned long)c->expect_end[0]);
    c->out_len = 0;
    return ok ? 0 : -1;
}

static void h2_wire(void *p, double *req, double *ans) {
    h2_ctx *c = (h2_ctx *)p;
    double n = (double)c->batches * c->depth;
    *req = (double)c->script.len / n;
    *ans = (double)c->expect.len / n;
}

const hbtp_peer hbtp_peer_http2 = {
    "HTTP/2 (nghttp2)", h2_version, h2_create, h2_prepare, h2_run, h2_validate, h2_wire, h2_destroy,
    "nghttp2 server session: nghttp2_session_mem_recv per input buffer (HEADERS :method POST, :path /ping or "
    "/rpc/echo, HPACK-indexed, + DATA with END_STREAM; made by an nghttp2 client session beforehand); "
    "callbacks keep :method, :path and the body per stream; on END_STREAM a 4-entry route table lookup and "
    "nghttp2_submit_response (:status 200, content-length, body from a data provider); "
    "nghttp2_session_mem_send until empty, appended to a reused buffer. 8-byte ping = HTTP/2 PING frame, "
    "answered by nghttp2 (PING ACK). A new session + preface before every run (untimed): stream ids only grow"};
