/* reactor_peer_uv.c - the libuv echo server the dx_reactor benchmark compares with.
   usage: reactor_peer_uv PORT
   One 16 KiB buffer per connection (alloc_cb hands it out); what was read is
   written back with uv_try_write, and the rest, if any, with uv_write while
   reading is paused. */
#define _GNU_SOURCE
#include "reactor_peer.h"
#include <uv.h>

typedef struct conn {
    uv_tcp_t tcp;
    uv_write_t wr;
    char buf[PEER_BUF];
} conn;

static uv_loop_t *loop;

static void on_close(uv_handle_t *h) { free(h); }
static void on_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf) {
    conn *c = (conn *)h;
    (void)size;
    *buf = uv_buf_init(c->buf, sizeof c->buf);
}
static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);
static void on_written(uv_write_t *req, int status) {
    conn *c = (conn *)req->data;
    if (status < 0) {
        uv_close((uv_handle_t *)&c->tcp, on_close);
        return;
    }
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}
static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
    conn *c = (conn *)s;
    int w;
    uv_buf_t rest;
    if (n < 0) {
        uv_close((uv_handle_t *)s, on_close);
        return;
    }
    if (n == 0) return;
    rest = uv_buf_init(buf->base, (unsigned)n);
    w = uv_try_write(s, &rest, 1);
    if (w == n) return;
    if (w < 0 && w != UV_EAGAIN) {
        uv_close((uv_handle_t *)s, on_close);
        return;
    }
    if (w > 0) rest = uv_buf_init(buf->base + w, (unsigned)(n - w));
    uv_read_stop(s); /* the buffer is busy until the write ends */
    c->wr.data = c;
    uv_write(&c->wr, s, &rest, 1, on_written);
}
static void on_connection(uv_stream_t *server, int status) {
    conn *c;
    if (status < 0) return;
    c = (conn *)calloc(1, sizeof *c);
    uv_tcp_init(loop, &c->tcp);
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
        uv_close((uv_handle_t *)&c->tcp, on_close);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

int main(int argc, char **argv) {
    uv_tcp_t server;
    struct sockaddr_in a;
    loop = uv_default_loop();
    uv_tcp_init(loop, &server);
    uv_ip4_addr("127.0.0.1", argc > 1 ? atoi(argv[1]) : 7777, &a);
    if (uv_tcp_bind(&server, (const struct sockaddr *)&a, 0) != 0 || uv_listen((uv_stream_t *)&server, 1024, on_connection) != 0) {
        fprintf(stderr, "reactor_peer_uv: listen failed\n");
        return 1;
    }
    return uv_run(loop, UV_RUN_DEFAULT);
}
