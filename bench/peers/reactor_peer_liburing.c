/* reactor_peer_liburing.c - the hand-written liburing echo server the dx_reactor
   benchmark compares with. usage: reactor_peer_liburing PORT
   SINGLE_ISSUER + DEFER_TASKRUN (else COOP_TASKRUN), registered ring fd,
   multishot accept, one recv or one send in flight per connection (the same
   design as the dx server: recv into a 16 KiB buffer, send it all back). */
#define _GNU_SOURCE
#include "reactor_peer.h"
#include <fcntl.h>
#include <liburing.h>

enum { T_ACCEPT = 0, T_RECV = 1, T_SEND = 2 };
typedef struct conn {
    int fd;
    unsigned len, off;
    char buf[PEER_BUF];
} conn;

static struct io_uring ring;

static struct io_uring_sqe *sqe_get(void) {
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    if (!sqe) {
        io_uring_submit(&ring);
        sqe = io_uring_get_sqe(&ring);
    }
    return sqe;
}
static void arm_recv(conn *c) {
    struct io_uring_sqe *sqe = sqe_get();
    io_uring_prep_recv(sqe, c->fd, c->buf, sizeof c->buf, 0);
    io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)c | T_RECV);
}
static void arm_send(conn *c) {
    struct io_uring_sqe *sqe = sqe_get();
    io_uring_prep_send(sqe, c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
    io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)c | T_SEND);
}
static void arm_accept(int lfd) {
    struct io_uring_sqe *sqe = sqe_get();
    io_uring_prep_multishot_accept(sqe, lfd, NULL, NULL, 0);
    io_uring_sqe_set_data64(sqe, T_ACCEPT);
}

int main(int argc, char **argv) {
    struct io_uring_params p;
    int lfd = peer_listen(argc > 1 ? atoi(argv[1]) : 7777);
    if (lfd < 0) return 1;
    fcntl(lfd, F_SETFL, 0); /* io_uring honours O_NONBLOCK: keep the listener blocking */
    memset(&p, 0, sizeof p);
    p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    if (io_uring_queue_init_params(1024, &ring, &p) < 0) {
        memset(&p, 0, sizeof p);
        p.flags = IORING_SETUP_COOP_TASKRUN;
        if (io_uring_queue_init_params(1024, &ring, &p) < 0) {
            fprintf(stderr, "reactor_peer_liburing: io_uring unavailable\n");
            return 1;
        }
    }
    io_uring_register_ring_fd(&ring);
    arm_accept(lfd);
    for (;;) {
        struct io_uring_cqe *cqe;
        unsigned head, seen = 0;
        io_uring_submit_and_wait(&ring, 1);
        io_uring_for_each_cqe(&ring, head, cqe) {
            uint64_t ud = io_uring_cqe_get_data64(cqe);
            conn *c = (conn *)(uintptr_t)(ud & ~(uint64_t)3);
            int res = cqe->res;
            seen++;
            switch (ud & 3) {
            case T_ACCEPT:
                if (res >= 0) {
                    conn *nc = (conn *)calloc(1, sizeof *nc);
                    peer_nodelay(res);
                    nc->fd = res;
                    arm_recv(nc);
                }
                if (!(cqe->flags & IORING_CQE_F_MORE)) arm_accept(lfd);
                break;
            case T_RECV:
                if (res <= 0) {
                    close(c->fd);
                    free(c);
                    break;
                }
                c->len = (unsigned)res;
                c->off = 0;
                arm_send(c);
                break;
            case T_SEND:
                if (res <= 0) {
                    close(c->fd);
                    free(c);
                    break;
                }
                c->off += (unsigned)res;
                if (c->off < c->len) arm_send(c);
                else arm_recv(c);
                break;
            }
        }
        io_uring_cq_advance(&ring, seen);
    }
}
