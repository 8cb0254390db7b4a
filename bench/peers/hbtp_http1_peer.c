/* hbtp_http1_peer.c - the HTTP/1.1 server of the HBTP benchmark: libhttp-parser (nodejs/http-parser)

   Requests: "POST /ping HTTP/1.1\r\nHost: bench\r\nContent-Length: 8\r\n\r\n"
   + 8 bytes, or POST /rpc/echo with 64 bytes; keep-alive, pipelined as the
   depth says. http_parser_execute runs over each input buffer; on_url and
   on_body keep pointers into it (copying only if a piece was split, which
   never happens here), on_message_complete looks the method and URL up in
   a small route table and the handler writes
   "HTTP/1.1 200 OK\r\nContent-Length: N\r\n\r\n<body>" into the output
   buffer. No header callbacks: the parser itself reads Content-Length,
   the only header this server needs.
*/
#define _POSIX_C_SOURCE 200809L
#include "hbtp_peers.h"

#include <http_parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct h1_ctx {
    http_parser parser;
    http_parser_settings settings;
    int msg;
    unsigned depth;
    uint64_t batches;
    uint8_t *in; /* one batch of depth requests */
    size_t in_len;
    /* the request being parsed */
    const char *url, *body;
    size_t url_len, body_len;
    char url_buf[256], body_buf[256]; /* only for pieces split across buffers */
    int url_copied, body_copied;
    /* the output buffer, reused */
    uint8_t *out;
    size_t out_len, out_cap;
    size_t answer_size, tag_at; /* every answer has the same size here */
    uint64_t errors;
} h1_ctx;

typedef void (*h1_handler)(h1_ctx *c, const char *body, size_t len);

static void h1_respond(h1_ctx *c, const char *status, const char *body, size_t len) {
    static const char cl[] = "\r\nContent-Length: ";
    size_t sl = strlen(status);
    char *p;
    if (c->out_cap - c->out_len < sl + sizeof cl + 24 + 4 + len) {
        c->errors++;
        return;
    }
    p = (char *)c->out + c->out_len;
    memcpy(p, status, sl);
    p += sl;
    memcpy(p, cl, sizeof cl - 1);
    p += sizeof cl - 1;
    p += hbtp_utoa(p, len);
    memcpy(p, "\r\n\r\n", 4);
    p += 4;
    memcpy(p, body, len);
    p += len;
    c->out_len = (size_t)(p - (char *)c->out);
}

static void h1_echo(h1_ctx *c, const char *body, size_t len) { h1_respond(c, "HTTP/1.1 200 OK", body, len); }

static void h1_health(h1_ctx *c, const char *body, size_t len) {
    (void)body;
    (void)len;
    h1_respond(c, "HTTP/1.1 200 OK", "ok", 2);
}

static const struct {
    unsigned method;
    const char *path;
    size_t path_len;
    h1_handler fn;
} h1_routes[] = {
    {HTTP_GET, "/health", 7, h1_health},
    {HTTP_POST, "/ping", 5, h1_echo},
    {HTTP_POST, "/rpc/echo", 9, h1_echo},
    {HTTP_POST, "/rpc/status", 11, h1_health},
};

static int h1_on_message_begin(http_parser *p) {
    h1_ctx *c = (h1_ctx *)p->data;
    c->url_len = c->body_len = 0;
    c->url_copied = c->body_copied = 0;
    return 0;
}

/* A piece of the URL or body: a pointer into the input if it comes in one
   piece, else the pieces copied together. */
static int h1_append(const char **ptr, size_t *len, char *buf, size_t cap, int *copied, const char *at, size_t n) {
    if (*len == 0) {
        *ptr = at;
        *len = n;
        return 0;
    }
    if (*len + n > cap) return 1;
    if (!*copied) {
        memmove(buf, *ptr, *len);
        *copied = 1;
        *ptr = buf;
    }
    memcpy(buf + *len, at, n);
    *len += n;
    return 0;
}

static int h1_on_url(http_parser *p, const char *at, size_t n) {
    h1_ctx *c = (h1_ctx *)p->data;
    return h1_append(&c->url, &c->url_len, c->url_buf, sizeof c->url_buf, &c->url_copied, at, n);
}

static int h1_on_body(http_parser *p, const char *at, size_t n) {
    h1_ctx *c = (h1_ctx *)p->data;
    return h1_append(&c->body, &c->body_len, c->body_buf, sizeof c->body_buf, &c->body_copied, at, n);
}

static int h1_on_message_complete(http_parser *p) {
    h1_ctx *c = (h1_ctx *)p->data;
    size_t i;
    for (i = 0; i < sizeof h1_routes / sizeof h1_routes[0]; i++) {
        if (h1_routes[i].method == p->method && h1_routes[i].path_len == c->url_len &&
            memcmp(h1_routes[i].path, c->url, c->url_len) == 0) {
            h1_routes[i].fn(c, c->body, c->body_len);
            return 0;
        }
    }
    h1_respond(c, "HTTP/1.1 404 Not Found", "", 0);
    return 0;
}

static void h1_version(char *out, size_t size) {
    unsigned long v = http_parser_version();
    snprintf(out, size, "%lu.%lu.%lu", (v >> 16) & 255, (v >> 8) & 255, v & 255);
}

static void h1_destroy(void *p) {
    h1_ctx *c = (h1_ctx *)p;
    if (!c) return;
    free(c->in);
    free(c->out);
    free(c);
}

static void *h1_create(int msg, unsigned depth, uint64_t batches) {
    h1_ctx *c = (h1_ctx *)calloc(1, sizeof *c);
    size_t len = hbtp_msg_len(msg), cap;
    const char *path = msg == HBTP_MSG_PING ? "/ping" : "/rpc/echo";
    unsigned j;
    if (!c) return NULL;
    c->msg = msg;
    c->depth = depth;
    c->batches = batches;
    cap = (size_t)depth * (128 + len);
    c->in = (uint8_t *)malloc(cap);
    c->out_cap = (size_t)depth * (128 + len);
    c->out = (uint8_t *)malloc(c->out_cap);
    if (!c->in || !c->out) return h1_destroy(c), (void *)NULL;
    for (j = 0; j < depth; j++) {
        int n = snprintf((char *)c->in + c->in_len, cap - c->in_len,
                         "POST %s HTTP/1.1\r\nHost: bench\r\nContent-Length: %u\r\n\r\n", path, (unsigned)len);
        c->in_len += (size_t)n;
        hbtp_fill(c->in + c->in_len, len, j);
        c->in_len += len;
    }
    c->answer_size = (size_t)snprintf(NULL, 0, "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n\r\n", (unsigned)len);
    c->tag_at = c->answer_size;
    c->answer_size += len;
    memset(c->out, 0, c->out_cap);
    http_parser_settings_init(&c->settings);
    c->settings.on_message_begin = h1_on_message_begin;
    c->settings.on_url = h1_on_url;
    c->settings.on_body = h1_on_body;
    c->settings.on_message_complete = h1_on_message_complete;
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    return c;
}

/* One input buffer through the parser; 0 if it was all accepted. */
static int h1_batch(h1_ctx *c) {
    size_t n;
    c->out_len = 0;
    n = http_parser_execute(&c->parser, &c->settings, (const char *)c->in, c->in_len);
    return n == c->in_len && HTTP_PARSER_ERRNO(&c->parser) == HPE_OK && c->errors == 0 ? 0 : -1;
}

static uint64_t h1_run(void *p, uint64_t *check) {
    h1_ctx *c = (h1_ctx *)p;
    uint64_t b, answers = 0, sum = 0;
    unsigned j;
    for (b = 0; b < c->batches; b++) {
        if (h1_batch(c) != 0 || c->out_len != c->depth * c->answer_size) break;
        for (j = 0; j < c->depth; j++) sum += c->out[j * c->answer_size + c->tag_at];
        answers += c->depth;
        c->out_len = 0; /* consumed */
    }
    *check += sum;
    return answers;
}

static int h1_validate(void *p, char *why, size_t size) {
    h1_ctx *c = (h1_ctx *)p;
    size_t len = hbtp_msg_len(c->msg), at = 0;
    uint8_t *want = (uint8_t *)malloc(c->out_cap);
    unsigned j;
    int ok;
    if (!want) return snprintf(why, size, "out of memory"), -1;
    for (j = 0; j < c->depth; j++) {
        at += (size_t)sprintf((char *)want + at, "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n\r\n", (unsigned)len);
        hbtp_fill(want + at, len, j);
        at += len;
    }
    if (h1_batch(c) != 0) {
        snprintf(why, size, "parser error %s", http_errno_name(HTTP_PARSER_ERRNO(&c->parser)));
        free(want);
        return -1;
    }
    ok = hbtp_check_output(c->out, c->out_len, want, at, why, size);
    c->out_len = 0;
    return ok;
}

static void h1_wire(void *p, double *req, double *ans) {
    h1_ctx *c = (h1_ctx *)p;
    *req = (double)c->in_len / c->depth;
    *ans = (double)c->answer_size;
}

const hbtp_peer hbtp_peer_http1 = {
    "HTTP/1.1 (http-parser)", h1_version, h1_create, NULL, h1_run, h1_validate, h1_wire, h1_destroy,
    "http_parser_execute over each input buffer (keep-alive, pipelined); on_url/on_body keep pointers into "
    "it; on_message_complete looks method + URL up in a 4-entry route table; the handler writes "
    "\"HTTP/1.1 200 OK\\r\\nContent-Length: N\\r\\n\\r\\n\" + body into a reused buffer. Request: POST /ping "
    "(8-byte body) or POST /rpc/echo (64 bytes) with Host and Content-Length"};
