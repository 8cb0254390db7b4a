/* reactor_peer_epoll.c - the plain epoll echo server the dx_reactor benchmark compares with.
   usage: reactor_peer_epoll PORT
   Edge-triggered, one 16 KiB buffer per connection: read until EAGAIN, write
   each piece back (a partial write waits for EPOLLOUT before reading again). */
#define _GNU_SOURCE
#include "reactor_peer.h"
#include <sys/epoll.h>

typedef struct conn {
    int fd;
    size_t len, off; /* unsent bytes of buf */
    char buf[PEER_BUF];
} conn;

static void conn_close(int ep, conn *c) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c);
}

/* Returns 0 to keep the connection, -1 to close it. */
static int conn_flush(conn *c) {
    while (c->off < c->len) {
        ssize_t n = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
        if (n < 0) return errno == EAGAIN ? 0 : -1;
        c->off += (size_t)n;
    }
    c->len = c->off = 0;
    return 0;
}
static int conn_io(conn *c) {
    if (conn_flush(c) < 0) return -1;
    while (c->len == 0) {
        ssize_t n = recv(c->fd, c->buf, sizeof c->buf, 0);
        if (n == 0) return -1;
        if (n < 0) return errno == EAGAIN ? 0 : -1;
        c->len = (size_t)n;
        c->off = 0;
        if (conn_flush(c) < 0) return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    int lfd = peer_listen(argc > 1 ? atoi(argv[1]) : 7777), ep = epoll_create1(0);
    struct epoll_event ev, evs[256];
    if (lfd < 0 || ep < 0) return 1;
    ev.events = EPOLLIN;
    ev.data.ptr = NULL;
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1), i;
        for (i = 0; i < n; i++) {
            conn *c = (conn *)evs[i].data.ptr;
            if (!c) {
                int fd;
                while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    conn *nc = (conn *)calloc(1, sizeof *nc);
                    peer_nodelay(fd);
                    nc->fd = fd;
                    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
                    ev.data.ptr = nc;
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
                    if (conn_io(nc) < 0) conn_close(ep, nc);
                }
                continue;
            }
            if (conn_io(c) < 0) conn_close(ep, c);
        }
    }
}
