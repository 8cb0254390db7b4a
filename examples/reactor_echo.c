/* reactor_echo.c - a TCP echo server on dx_reactor.h.
   usage: reactor_echo [PORT] [io_uring|epoll|poll]   (default 7777, the best backend)
   Connections live in a fixed pool; each has one receive and one send op and
   echoes what it reads. Ctrl-C ends it. */
#define DX_IMPLEMENTATION
#include "dx_reactor.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CONNS 1024
#define BUF_SIZE 16384

typedef struct conn {
    dx_op rop, sop, cop;
    uintptr_t fd;
    size_t len, off;
    struct conn *next_free;
    char buf[BUF_SIZE];
} conn;

static conn pool[MAX_CONNS];
static conn *free_list;

static dx_reactor_action on_recv(dx_reactor *r, dx_op *op, int64_t res, void *user);

static dx_reactor_action on_closed(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    conn *c = (conn *)user;
    (void)r, (void)op, (void)res;
    c->next_free = free_list;
    free_list = c;
    return DX_REACTOR_DISARM;
}
static void conn_close(dx_reactor *r, conn *c) {
    dx_op_close(&c->cop, c->fd);
    dx_reactor_submit(r, &c->cop, on_closed, c);
}
static dx_reactor_action on_sent(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    conn *c = (conn *)user;
    if (res <= 0) {
        conn_close(r, c);
        return DX_REACTOR_DISARM;
    }
    c->off += (size_t)res;
    if (c->off < c->len) { /* the rest, before reading again */
        dx_op_send(op, c->fd, c->buf + c->off, c->len - c->off);
        return DX_REACTOR_REARM;
    }
    dx_op_recv(&c->rop, c->fd, c->buf, sizeof c->buf);
    dx_reactor_submit(r, &c->rop, on_recv, c);
    return DX_REACTOR_DISARM;
}
static dx_reactor_action on_recv(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    conn *c = (conn *)user;
    (void)op;
    if (res <= 0) { /* 0: the peer closed; < 0: an error */
        conn_close(r, c);
        return DX_REACTOR_DISARM;
    }
    c->len = (size_t)res;
    c->off = 0;
    dx_op_send(&c->sop, c->fd, c->buf, c->len);
    dx_reactor_submit(r, &c->sop, on_sent, c);
    return DX_REACTOR_DISARM;
}
static dx_reactor_action on_accept(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    conn *c = free_list;
    (void)op, (void)user;
    if (res < 0) return DX_REACTOR_REARM; /* EMFILE and friends: keep accepting */
    if (!c) {
        dx_reactor_fd_close(r, (uintptr_t)res);
        return DX_REACTOR_REARM;
    }
    free_list = c->next_free;
    c->fd = (uintptr_t)res;
    dx_op_recv(&c->rop, c->fd, c->buf, sizeof c->buf);
    dx_reactor_submit(r, &c->rop, on_recv, c);
    return DX_REACTOR_REARM; /* the same accept op waits for the next connection */
}

int main(int argc, char **argv) {
    dx_reactor r;
    dx_reactor_config cfg;
    dx_reactor_addr addr;
    dx_op accept_op;
    int64_t lfd;
    int i, port = argc > 1 ? atoi(argv[1]) : 7777;
    memset(&cfg, 0, sizeof cfg);
    if (argc > 2) {
        cfg.backend_count = 1;
        cfg.backends[0] = !strcmp(argv[2], "io_uring") ? DX_REACTOR_BACKEND_IOURING
                          : !strcmp(argv[2], "epoll")  ? DX_REACTOR_BACKEND_EPOLL
                                                       : DX_REACTOR_BACKEND_POLL;
    }
    for (i = MAX_CONNS - 1; i >= 0; i--) {
        pool[i].next_free = free_list;
        free_list = &pool[i];
    }
    if (dx_reactor_create(&r, &cfg) != DX_OK) { /* the fd table, through cfg.allocator (default malloc) */
        fprintf(stderr, "reactor_echo: no backend works here\n");
        return 1;
    }
    dx_reactor_addr_make(&addr, "127.0.0.1", (uint16_t)port);
    lfd = dx_reactor_tcp_listen(&addr, 1024, 0);
    if (lfd < 0) {
        fprintf(stderr, "reactor_echo: listen: %s\n", dx_reactor_result_name((dx_result)lfd));
        return 1;
    }
    printf("reactor_echo: port %d, backend %s\n", (int)dx_reactor_tcp_local_port((uintptr_t)lfd), dx_reactor_backend_name(&r));
    fflush(stdout);
    dx_op_accept(&accept_op, (uintptr_t)lfd, NULL, 0);
    dx_reactor_submit(&r, &accept_op, on_accept, NULL);
    dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE);
    dx_reactor_destroy(&r);
    return 0;
}
