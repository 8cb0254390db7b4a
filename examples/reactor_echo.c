/* reactor_echo.c - a TCP echo server on dx_reactor.h.
   usage: reactor_echo [--backend NAME] [PORT [BACKEND]]   (default 7777, the best backend)
   Connections live in a fixed pool; each has one receive and one send op and
   echoes what it reads. Ctrl-C ends it. A backend this build or system does
   not have is an error (exit 1), never a silent fallback. --help tells the rest. */
#define _FILE_OFFSET_BITS 64 /* files over 2 GiB on 32-bit hosts (tool.h checks): before any header */
#define DX_IMPLEMENTATION
#include "dx_reactor.h"
#include "tool.h"
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

static const char usage[] =
    "usage: reactor_echo [--backend NAME] [PORT [BACKEND]]\n"
    "A TCP echo server on 127.0.0.1:PORT (default 7777; 0: the system picks a port) built on\n"
    "dx_reactor.h. Prints the port and the backend once it listens, then echoes every\n"
    "connection (up to 1024 at once) until it is killed (Ctrl-C).\n"
    "  PORT            0 to 65535\n"
    "  --backend NAME  io_uring, epoll, poll, kqueue or iocp (also as the second argument);\n"
    "                  default: the best this system has. One it does not have is an error.\n"
    "  -h, --help      this text\n"
    "  --version       the dx_reactor.h version it is built from\n"
    "exit status: 0 ok, 1 failure (the backend is not available, the port cannot be bound),\n"
    "  2 bad usage\n";

/* Whether a reactor with only this backend starts here. */
static bool backend_works(dx_reactor_backend_id id) {
    dx_reactor probe;
    dx_reactor_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.backends[0] = id, cfg.backend_count = 1, cfg.max_fds = 64;
    if (dx_reactor_create(&probe, &cfg) != DX_OK) return false;
    dx_reactor_destroy(&probe);
    return true;
}

int main(int argc, char **argv) {
    dx_reactor r;
    dx_reactor_config cfg;
    dx_reactor_addr addr;
    dx_op accept_op;
    int64_t lfd;
    const char *port_arg = NULL, *backend_arg = NULL;
    uint64_t port = 7777;
    dx_result err;
    int i;
    bool options = true;
    tool_start("reactor_echo", usage);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options && tool_is_help(a)) return tool_help();
        if (options && !strcmp(a, "--version"))
            return tool_version(TOOL_HEADER_VERSION("dx_reactor.h", DX_REACTOR_VERSION_MAJOR, DX_REACTOR_VERSION_MINOR,
                                                    DX_REACTOR_VERSION_PATCH));
        if (options && !strcmp(a, "--")) options = false;
        else if (options && (!strcmp(a, "--backend") || !strncmp(a, "--backend=", 10))) {
            backend_arg = a[9] == '=' ? a + 10 : i + 1 < argc ? argv[++i] : NULL;
            if (!backend_arg) return tool_usage_error("--backend needs a name");
        } else if (options && a[0] == '-' && a[1]) return tool_usage_error("unknown option %s", a);
        else if (!port_arg) port_arg = a;
        else if (!backend_arg) backend_arg = a;
        else return tool_usage_error("too many arguments: %s", a);
    }
    if (port_arg && tool_parse_u64(port_arg, 0, 65535, false, &port) != 0)
        return tool_usage_error("PORT must be a number from 0 to 65535, not \"%s\"", port_arg);
    memset(&cfg, 0, sizeof cfg);
    if (backend_arg) {
        cfg.backends[0] = tool_backend_named(backend_arg);
        if (cfg.backends[0] == DX_REACTOR_BACKEND_DEFAULT)
            return tool_usage_error("unknown backend %s (" TOOL_BACKEND_NAMES ")", backend_arg);
        cfg.backend_count = 1;
    }
    for (i = MAX_CONNS - 1; i >= 0; i--) {
        pool[i].next_free = free_list;
        free_list = &pool[i];
    }
    err = dx_reactor_create(&r, &cfg); /* the fd table, through cfg.allocator (default malloc) */
    if (err != DX_OK) {
        char have[64] = "";
        dx_reactor_backend_id id;
        for (id = DX_REACTOR_BACKEND_IOURING; id <= DX_REACTOR_BACKEND_IOCP; id = (dx_reactor_backend_id)(id + 1))
            if (backend_works(id)) {
                if (have[0]) strcat(have, ", ");
                strcat(have, dx_reactor_backend_id_name(id));
            }
        if (backend_arg && err == DX_ERR_UNSUPPORTED)
            return tool_fail("backend %s is not available in this build on this system (available: %s)", backend_arg,
                             have[0] ? have : "none");
        return tool_fail("cannot start the reactor%s%s: %s", backend_arg ? " with backend " : "", backend_arg ? backend_arg : "",
                         dx_reactor_result_name(err));
    }
    dx_reactor_addr_make(&addr, "127.0.0.1", (uint16_t)port);
    lfd = dx_reactor_tcp_listen(&addr, 1024, 0);
    if (lfd < 0) {
        dx_reactor_destroy(&r);
        if (lfd == DX_REACTOR_ERR_ADDRINUSE) /* in words, as hbtp_server says it */
            return tool_fail("cannot listen on 127.0.0.1:%u: %s (%s)", (unsigned)port, tool_addr_in_use_words("127.0.0.1"),
                             dx_reactor_result_name((dx_result)lfd));
        if (lfd == DX_REACTOR_ERR_DENIED)
            return tool_fail("cannot listen on 127.0.0.1:%u: permission denied (ports below 1024 need privileges) (%s)",
                             (unsigned)port, dx_reactor_result_name((dx_result)lfd));
        return tool_fail("cannot listen on 127.0.0.1:%u: %s", (unsigned)port, dx_reactor_result_name((dx_result)lfd));
    }
    printf("reactor_echo: port %d, backend %s\n", (int)dx_reactor_tcp_local_port((uintptr_t)lfd), dx_reactor_backend_name(&r));
    fflush(stdout);
    dx_op_accept(&accept_op, (uintptr_t)lfd, NULL, 0);
    dx_reactor_submit(&r, &accept_op, on_accept, NULL);
    dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE);
    dx_reactor_destroy(&r);
    return 0;
}
