/* reactor_bench.c - dx_reactor.h echo server against hand-written liburing,
   libuv and plain epoll echo servers (bench/peers/reactor_peer_*.c), driven by
   a load generator of our own, on loopback.

   usage: reactor_bench [--write-results] [--ms=N] [--rounds=N] [--peers=DIR] [--no-profile]
          reactor_bench serve io_uring|epoll|poll PORT     the dx server alone
          reactor_bench load PORT N P S MS                  the load generator alone

   Every server runs pinned to CPU 0 and the load generator to CPU 1 (for the
   unpipelined latency row both share CPU 0: a cross-CPU wake-up costs ~35 us
   on this VM, see NOTES.md). For each load, the servers take turns (round
   robin, --rounds times, --ms each); the tables show each server's best
   round, the goals the median over the rounds of two servers' ratio.
   The load: N connections, P messages of S bytes in flight on each, each
   echoed message replaced at once by a new one; messages/s counted in the
   window, latency = send to last echoed byte, per message. */
#define _GNU_SOURCE
#include "bench.h"
#define DX_IMPLEMENTATION
#include "dx_reactor.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUF 16384

/* ---- the dx server: the same design as the peers (one buffer, recv then send it all) ---- */

typedef struct conn {
    dx_op rop, sop, cop;
    uintptr_t fd;
    size_t len, off;
    char buf[BUF];
} conn;

static dx_reactor_action srv_recv(dx_reactor *r, dx_op *op, int64_t res, void *user);
static dx_reactor_action srv_closed(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    (void)r, (void)op, (void)res;
    free(user);
    return DX_REACTOR_DISARM;
}
static void srv_close(dx_reactor *r, conn *c) {
    dx_op_close(&c->cop, c->fd);
    dx_reactor_submit(r, &c->cop, srv_closed, c);
}
static dx_reactor_action srv_sent(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    conn *c = (conn *)user;
    if (res <= 0) {
        srv_close(r, c);
        return DX_REACTOR_DISARM;
    }
    c->off += (size_t)res;
    if (c->off < c->len) {
        dx_op_send(op, c->fd, c->buf + c->off, c->len - c->off);
        return DX_REACTOR_REARM;
    }
    dx_op_recv(&c->rop, c->fd, c->buf, sizeof c->buf);
    dx_reactor_submit(r, &c->rop, srv_recv, c);
    return DX_REACTOR_DISARM;
}
static dx_reactor_action srv_recv(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    conn *c = (conn *)user;
    (void)op;
    if (res <= 0) {
        srv_close(r, c);
        return DX_REACTOR_DISARM;
    }
    c->len = (size_t)res;
    c->off = 0;
    dx_op_send(&c->sop, c->fd, c->buf, c->len);
    dx_reactor_submit(r, &c->sop, srv_sent, c);
    return DX_REACTOR_DISARM;
}
static dx_reactor_action srv_accept(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    conn *c;
    int one = 1;
    (void)op, (void)user;
    if (res < 0) return DX_REACTOR_REARM;
    c = (conn *)calloc(1, sizeof *c);
    if (!c) {
        dx_reactor_fd_close(r, (uintptr_t)res);
        return DX_REACTOR_REARM;
    }
    setsockopt((int)res, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->fd = (uintptr_t)res;
    dx_op_recv(&c->rop, c->fd, c->buf, sizeof c->buf);
    dx_reactor_submit(r, &c->rop, srv_recv, c);
    return DX_REACTOR_REARM;
}
static int serve(const char *backend, int port) {
    dx_reactor r;
    dx_reactor_config cfg;
    dx_reactor_addr a;
    dx_op acc;
    int64_t lfd;
    memset(&cfg, 0, sizeof cfg);
    cfg.backend_count = 1;
    cfg.backends[0] = !strcmp(backend, "io_uring") ? DX_REACTOR_BACKEND_IOURING
                      : !strcmp(backend, "epoll")  ? DX_REACTOR_BACKEND_EPOLL
                                                   : DX_REACTOR_BACKEND_POLL;
    if (dx_reactor_create(&r, &cfg) != DX_OK) {
        fprintf(stderr, "reactor_bench serve: %s unavailable\n", backend);
        return 1;
    }
    dx_reactor_addr_make(&a, "127.0.0.1", (uint16_t)port);
    lfd = dx_reactor_tcp_listen(&a, 1024, 0);
    if (lfd < 0) {
        dx_reactor_destroy(&r);
        return 1;
    }
    if (r.backend == DX_REACTOR_BACKEND_IOURING) fcntl((int)lfd, F_SETFL, 0); /* the ring waits without a poll round trip */
    dx_op_accept(&acc, (uintptr_t)lfd, NULL, 0);
    dx_reactor_submit(&r, &acc, srv_accept, NULL);
    dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE);
    dx_reactor_destroy(&r);
    return 0;
}

/* ---- the load generator: one thread, epoll, N connections x P messages of S bytes ---- */

#define HIST_NS 25
#define HIST_N 400000 /* 10 ms; slower lands in the last bucket */
typedef struct lconn {
    int fd;
    uint64_t rbytes, done, pending; /* bytes received; messages echoed; bytes still to send */
    uint64_t *ts;                   /* send time of message i at ts[i % P] */
} lconn;
typedef struct load_result {
    double msgs_per_s, p50_us, p99_us;
    double cpu_ns; /* the server's CPU time (user + system) per echoed message, whole run */
    uint64_t total; /* messages echoed over the whole run, warm-up included */
    int ok;
} load_result;

static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
}

static int flush(lconn *c, const char *zeros, size_t zcap) {
    while (c->pending) {
        size_t n = c->pending < zcap ? (size_t)c->pending : zcap;
        ssize_t w = send(c->fd, zeros, n, MSG_NOSIGNAL);
        if (w < 0) return errno == EAGAIN ? 0 : -1;
        c->pending -= (uint64_t)w;
    }
    return 0;
}

static load_result load(int port, int n, int p, int s, int ms) {
    load_result out;
    lconn *cs = (lconn *)calloc((size_t)n, sizeof *cs);
    uint64_t *ts = (uint64_t *)calloc((size_t)n * (size_t)p, sizeof(uint64_t));
    uint32_t *hist = (uint32_t *)calloc(HIST_N, sizeof(uint32_t));
    size_t zcap = (size_t)p * (size_t)s > 65536 ? 65536 : (size_t)p * (size_t)s;
    char *zeros = (char *)calloc(1, zcap < BUF ? BUF : zcap), rbuf[65536];
    struct sockaddr_in a;
    struct epoll_event ev, evs[256];
    int ep = epoll_create1(0), i;
    uint64_t t0, start, stop, count = 0, seen = 0, k;
    memset(&out, 0, sizeof out);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (i = 0; i < n; i++) {
        int one = 1;
        cs[i].fd = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(cs[i].fd, (struct sockaddr *)&a, sizeof a) != 0) goto done;
        setsockopt(cs[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(cs[i].fd, F_SETFL, O_NONBLOCK);
        cs[i].ts = ts + (size_t)i * (size_t)p;
        ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
        ev.data.ptr = &cs[i];
        epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
    }
    t0 = bench_now_ns();
    for (i = 0; i < n; i++) {
        for (k = 0; k < (uint64_t)p; k++) cs[i].ts[k] = t0;
        cs[i].pending = (uint64_t)p * (uint64_t)s;
        if (flush(&cs[i], zeros, zcap) < 0) goto done;
    }
    start = t0 + 300000000u; /* 300 ms warm-up */
    stop = start + (uint64_t)ms * 1000000u;
    for (;;) {
        int m = epoll_wait(ep, evs, 256, 10), e;
        uint64_t now = bench_now_ns();
        if (now >= stop) break;
        for (e = 0; e < m; e++) {
            lconn *c = (lconn *)evs[e].data.ptr;
            uint64_t complete;
            for (;;) {
                ssize_t r = recv(c->fd, rbuf, sizeof rbuf, 0);
                if (r <= 0) {
                    if (r == 0 || errno != EAGAIN) goto done;
                    break;
                }
                c->rbytes += (uint64_t)r;
            }
            complete = c->rbytes / (uint64_t)s - c->done;
            for (k = 0; k < complete; k++) {
                uint64_t *slot = &c->ts[c->done % (uint64_t)p], lat = now - *slot;
                if (now >= start) {
                    uint64_t b = lat / HIST_NS;
                    hist[b < HIST_N ? b : HIST_N - 1]++;
                    count++;
                }
                *slot = now; /* its replacement leaves now */
                c->done++;
                out.total++;
            }
            c->pending += complete * (uint64_t)s;
            if (flush(c, zeros, zcap) < 0) goto done;
        }
    }
    out.msgs_per_s = (double)count / ((double)ms / 1000.0);
    for (i = 0, seen = 0; i < HIST_N; i++) {
        seen += hist[i];
        if (out.p50_us == 0 && seen * 2 >= count) out.p50_us = (double)(i + 1) * HIST_NS / 1000.0;
        if (seen * 100 >= count * 99) {
            out.p99_us = (double)(i + 1) * HIST_NS / 1000.0;
            break;
        }
    }
    out.ok = count > 0;
done:
    for (i = 0; i < n; i++)
        if (cs[i].fd > 0) close(cs[i].fd);
    close(ep);
    free(cs), free(ts), free(hist), free(zeros);
    return out;
}

/* ---- the orchestra ---- */

typedef struct server {
    const char *name;
    const char *exe;  /* NULL: this program, "serve" mode */
    const char *mode; /* backend for serve mode */
} server;

static pid_t start_server(const server *sv, const char *self, const char *peers, int port, int cpu) {
    char portstr[16], path[512];
    pid_t pid;
    snprintf(portstr, sizeof portstr, "%d", port);
    pid = fork();
    if (pid == 0) {
        pin(cpu);
        if (!sv->exe) {
            execl(self, self, "serve", sv->mode, portstr, (char *)NULL);
        } else {
            snprintf(path, sizeof path, "%s/%s", peers, sv->exe);
            execl(path, path, portstr, (char *)NULL);
        }
        _exit(127);
    }
    return pid;
}
static int wait_ready(int port) {
    int tries;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (tries = 0; tries < 600; tries++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0), ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
        close(fd);
        if (ok) return 0;
        usleep(5000);
    }
    return -1;
}

#define NSERVERS 5
#define NLOADS 4
static const server servers[NSERVERS] = {
    {"dx io_uring", NULL, "io_uring"}, {"liburing", "reactor_peer_liburing", NULL}, {"libuv", "reactor_peer_uv", NULL},
    {"dx epoll", NULL, "epoll"},       {"plain epoll", "reactor_peer_epoll", NULL},
};
typedef struct loadspec {
    int n, p, s, same_cpu;
} loadspec;
static const loadspec loads[NLOADS] = {{64, 16, 64, 0}, {64, 1, 64, 0}, {64, 16, 1024, 0}, {1, 1, 64, 1}};

static void loadavg(char *out, size_t cap) { /* "1-min 5-min" from /proc/loadavg */
    FILE *f = fopen("/proc/loadavg", "r");
    char one[16] = "?", five[16] = "?";
    if (f) {
        if (fscanf(f, "%15s %15s", one, five) != 2) one[0] = five[0] = '?', one[1] = five[1] = 0;
        fclose(f);
    }
    snprintf(out, cap, "%s %s", one, five);
}

/* ---- where a server's CPU goes (perf): the TCP stack against the rest ----
   Under N=64 P=16 S=64 each server is sampled with `perf record -g`, and
   `perf report --children` gives the share of its samples under tcp_sendmsg
   (on loopback that includes delivering the bytes to the load generator's
   socket) and under tcp_recvmsg. What is left is the event loop: system call
   entry, io_uring or epoll, scheduling, user space. That share bounds what
   any event loop can gain over another on this load. */
typedef struct profile {
    double send_pct, recv_pct;
    int ok;
} profile;

static profile profile_server(const server *sv, const char *self, const char *peers, int port, int ms) {
    profile out;
    char file[64], pid_s[16], secs[16], cmd[256], line[512];
    pid_t pid, perf;
    FILE *f;
    memset(&out, 0, sizeof out);
    snprintf(file, sizeof file, "/tmp/reactor_bench_perf.%d", (int)getpid());
    pid = start_server(sv, self, peers, port, 0);
    if (wait_ready(port) != 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return out;
    }
    snprintf(pid_s, sizeof pid_s, "%d", (int)pid);
    snprintf(secs, sizeof secs, "%.3f", (double)ms / 1000.0);
    perf = fork();
    if (perf == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, 1), dup2(devnull, 2);
        execlp("perf", "perf", "record", "-g", "-q", "-o", file, "-p", pid_s, "--", "sleep", secs, (char *)NULL);
        _exit(127);
    }
    pin(1);
    (void)load(port, 64, 16, 64, ms + 200); /* the 300 ms warm-up and the samples fall inside the load */
    waitpid(perf, NULL, 0);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    snprintf(cmd, sizeof cmd, "perf report -i %s --children --sort sym --stdio -g none 2>/dev/null", file);
    f = popen(cmd, "r");
    if (f) {
        while (fgets(line, sizeof line, f)) {
            double children, self_pct;
            char sym[256];
            if (sscanf(line, " %lf%% %lf%% [k] %255s", &children, &self_pct, sym) != 3) continue;
            if (!strcmp(sym, "tcp_sendmsg")) out.send_pct = children, out.ok = 1;
            if (!strcmp(sym, "tcp_recvmsg")) out.recv_pct = children;
        }
        pclose(f);
    }
    remove(file);
    return out;
}

static int perf_usable(void) { return system("perf record -q -o /dev/null -- true >/dev/null 2>&1") == 0; }

/* Per-round ratios: each round runs the servers back to back, so a ratio of
   one round compares them under the same conditions; the median over the
   rounds is what a goal is judged by. kind 0: msgs/s a/b, 1: CPU per message
   b/a, 2: p50 latency a/b. */
#define MAX_ROUNDS 32
static load_result rounds_all[NLOADS][NSERVERS][MAX_ROUNDS];
static int cmp_double(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}
static double round_ratio(int li, int a, int b, int rounds, int kind, double *lo, double *hi) {
    double v[MAX_ROUNDS];
    int n = 0, k;
    for (k = 0; k < rounds; k++) {
        const load_result *x = &rounds_all[li][a][k], *y = &rounds_all[li][b][k];
        if (!x->ok || !y->ok) continue;
        if (kind == 0 && y->msgs_per_s > 0) v[n++] = x->msgs_per_s / y->msgs_per_s;
        if (kind == 1 && x->cpu_ns > 0) v[n++] = y->cpu_ns / x->cpu_ns;
        if (kind == 2 && y->p50_us > 0) v[n++] = x->p50_us / y->p50_us;
    }
    if (!n) return *lo = *hi = 0.0;
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    *lo = v[0], *hi = v[n - 1];
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

int main(int argc, char **argv) {
    load_result best[NLOADS][NSERVERS];
    const char *peers = bench_arg_str(argc, argv, "--peers=", "build/bench");
    int ms = (int)bench_arg_u64(argc, argv, "--ms=", 1000), rounds = (int)bench_arg_u64(argc, argv, "--rounds=", 7);
    int li, si, round, port = 20000 + (int)(getpid() % 10000); /* below the ephemeral ports (32768-) the load connects from */
    bench_text t = {0};
    char machine[256], cell[NSERVERS + 1][64], load_before[64], load_after[64];
    int fails = 0;
    if (argc >= 4 && !strcmp(argv[1], "serve")) return serve(argv[2], atoi(argv[3]));
    if (rounds < 1) rounds = 1;
    if (rounds > MAX_ROUNDS) rounds = MAX_ROUNDS;
    if (argc >= 7 && !strcmp(argv[1], "load")) {
        load_result r = load(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atoi(argv[6]));
        printf("%.0f msgs/s p50 %.2f us p99 %.2f us\n", r.msgs_per_s, r.p50_us, r.p99_us);
        return r.ok ? 0 : 1;
    }
    signal(SIGPIPE, SIG_IGN);
    loadavg(load_before, sizeof load_before);
    memset(best, 0, sizeof best);
    for (li = 0; li < NLOADS; li++) {
        const loadspec *L = &loads[li];
        for (round = 0; round < rounds; round++) {
            for (si = 0; si < NSERVERS; si++) {
                pid_t pid = start_server(&servers[si], argv[0], peers, ++port, 0);
                load_result r;
                memset(&r, 0, sizeof r);
                if (wait_ready(port) == 0) {
                    pin(L->same_cpu ? 0 : 1);
                    r = load(port, L->n, L->p, L->s, ms);
                }
                kill(pid, SIGKILL);
                {
                    struct rusage ru;
                    int st;
                    memset(&ru, 0, sizeof ru);
                    wait4(pid, &st, 0, &ru);
                    if (r.total)
                        r.cpu_ns = ((double)ru.ru_utime.tv_sec * 1e9 + (double)ru.ru_utime.tv_usec * 1e3 + (double)ru.ru_stime.tv_sec * 1e9 +
                                    (double)ru.ru_stime.tv_usec * 1e3) / (double)r.total;
                }
                rounds_all[li][si][round] = r;
                if (!r.ok) {
                    fprintf(stderr, "reactor_bench: %s failed under N=%d P=%d S=%d\n", servers[si].name, L->n, L->p, L->s);
                    fails++;
                    continue;
                }
                if (L->same_cpu ? (best[li][si].p50_us == 0 || r.p50_us < best[li][si].p50_us) : r.msgs_per_s > best[li][si].msgs_per_s) {
                    double cpu = best[li][si].cpu_ns;
                    best[li][si] = r;
                    if (cpu > 0 && cpu < r.cpu_ns) best[li][si].cpu_ns = cpu;
                } else if (r.cpu_ns > 0 && r.cpu_ns < best[li][si].cpu_ns) {
                    best[li][si].cpu_ns = r.cpu_ns; /* the least server CPU per message of all rounds */
                }
            }
        }
    }
    bench_machine(machine, sizeof machine);
    bench_textf(&t, "Echo over loopback; servers pinned to CPU 0, the load generator (bench/reactor_bench.c, epoll, one thread) to CPU 1 "
                    "(the N=1 P=1 row: both on CPU 0). Each server's best of %d rounds of %d ms, servers interleaved. "
                    "Machine: %s. Peers: liburing %s, libuv %s (Debian packages), plain epoll; all with TCP_NODELAY, a 16 KiB buffer "
                    "per connection, one recv or send in flight per connection.\n\n",
                    rounds, ms, machine, "2.3", "1.44");
    {
        const char *hdr[NSERVERS + 1] = {"load (N conns, P pipelined, S bytes)"};
        for (si = 0; si < NSERVERS; si++) hdr[si + 1] = servers[si].name;
        bench_row(&t, NSERVERS + 1, hdr);
        bench_rule(&t, NSERVERS + 1);
    }
    for (li = 0; li < NLOADS; li++) {
        const char *row[NSERVERS + 1];
        snprintf(cell[0], sizeof cell[0], "N=%d P=%d S=%d%s: msgs/s (p50 / p99 us)", loads[li].n, loads[li].p, loads[li].s,
                 loads[li].same_cpu ? ", one CPU" : "");
        row[0] = cell[0];
        for (si = 0; si < NSERVERS; si++) {
            snprintf(cell[si + 1], sizeof cell[si + 1], "%.0f (%.1f / %.1f)", best[li][si].msgs_per_s, best[li][si].p50_us, best[li][si].p99_us);
            row[si + 1] = cell[si + 1];
        }
        bench_row(&t, NSERVERS + 1, row);
    }
    bench_textf(&t, "\nServer CPU time (user + system, from wait4) per echoed message, ns, the least of the rounds; "
                    "less sensitive than msgs/s to the load generator and to the other jobs on the machine:\n\n");
    {
        const char *hdr[NSERVERS + 1] = {"load"};
        for (si = 0; si < NSERVERS; si++) hdr[si + 1] = servers[si].name;
        bench_row(&t, NSERVERS + 1, hdr);
        bench_rule(&t, NSERVERS + 1);
    }
    for (li = 0; li < NLOADS; li++) {
        const char *row[NSERVERS + 1];
        snprintf(cell[0], sizeof cell[0], "N=%d P=%d S=%d%s", loads[li].n, loads[li].p, loads[li].s, loads[li].same_cpu ? ", one CPU" : "");
        row[0] = cell[0];
        for (si = 0; si < NSERVERS; si++) {
            snprintf(cell[si + 1], sizeof cell[si + 1], "%.0f", best[li][si].cpu_ns);
            row[si + 1] = cell[si + 1];
        }
        bench_row(&t, NSERVERS + 1, row);
    }
    bench_textf(&t, "\nGoals. A round runs the five servers back to back, so the ratio of two servers in one round compares them under "
                    "the same conditions; a goal is judged by the median over the %d rounds of those ratios (msgs/s, and in brackets "
                    "the same for server CPU per message, peer / dx), with the lowest and highest round and the ratio of the best "
                    "rounds above:\n\n",
                rounds);
    {
        static const struct { int a, b; double goal; const char *what; } g[3] = {
            {0, 1, 1.0, "dx io_uring / liburing"}, {0, 2, 1.15, "dx io_uring / libuv"}, {3, 4, 1.0, "dx epoll / plain epoll"}};
        int gi;
        for (gi = 0; gi < 3; gi++) {
            double lo, hi, clo, chi, m = round_ratio(0, g[gi].a, g[gi].b, rounds, 0, &lo, &hi), c = round_ratio(0, g[gi].a, g[gi].b, rounds, 1, &clo, &chi);
            double b = best[0][g[gi].b].msgs_per_s > 0 ? best[0][g[gi].a].msgs_per_s / best[0][g[gi].b].msgs_per_s : 0.0;
            bench_textf(&t, "- %s, N=64 P=16 S=64: median %.3fx (rounds %.2f-%.2f; best rounds %.3fx) [CPU median %.3fx, rounds %.2f-%.2f] "
                            "(goal >= %.2fx): %s by msgs/s, %s by CPU%s\n",
                        g[gi].what, m, lo, hi, b, c, clo, chi, g[gi].goal, m >= g[gi].goal ? "reached" : "NOT reached",
                        c >= g[gi].goal ? "reached" : "NOT reached",
                        lo < g[gi].goal && hi >= g[gi].goal ? "; within the noise: rounds on both sides of the goal" : "");
        }
    }
    for (si = 0; si < NSERVERS; si += 3) { /* dx io_uring, dx epoll */
        double lo, hi, lat = round_ratio(3, si, 4, rounds, 2, &lo, &hi);
        double b = best[3][4].p50_us > 0 ? best[3][si].p50_us / best[3][4].p50_us : 0.0;
        bench_textf(&t, "- unpipelined p50 latency, %s / plain epoll (N=1 P=1, one CPU): median %.3fx (rounds %.2f-%.2f; best rounds %.3fx) "
                        "(goal <= 1.05x): %s%s\n",
                    servers[si].name, lat, lo, hi, b, lat > 0 && lat <= 1.05 ? "reached" : "NOT reached",
                    lo <= 1.05 && hi > 1.05 ? "; within the noise: rounds on both sides of the goal" : "");
    }
#define RATIO(li, a, b) (best[li][b].msgs_per_s > 0 ? best[li][a].msgs_per_s / best[li][b].msgs_per_s : 0.0)
    bench_textf(&t, "\nOther loads, dx / peer throughput (best rounds): ");
    for (li = 1; li < 3; li++)
        bench_textf(&t, "N=%d P=%d S=%d: io_uring/liburing %.2fx, io_uring/libuv %.2fx, epoll/epoll %.2fx%s", loads[li].n, loads[li].p, loads[li].s,
                    RATIO(li, 0, 1), RATIO(li, 0, 2), RATIO(li, 3, 4), li == 1 ? "; " : ".\n");
    if (!bench_has_flag(argc, argv, "--no-profile")) {
        profile pr[NSERVERS];
        memset(pr, 0, sizeof pr);
        if (!perf_usable()) {
            bench_textf(&t, "\nWhere the server CPU goes: not measured (perf record does not work here).\n");
        } else {
            const char *hdr[6] = {"server, N=64 P=16 S=64", "TCP send path", "TCP receive path", "event loop and the rest",
                                  "CPU per message, ns", "of which the rest, ns"};
            bench_textf(&t, "\nWhere the server CPU goes (perf record -g, %d ms per server under N=64 P=16 S=64; perf report --children: "
                            "the share of samples under tcp_sendmsg, which on loopback includes delivering the bytes to the load "
                            "generator's socket, and under tcp_recvmsg; the rest is the event loop: system call entry, io_uring or "
                            "epoll, scheduling, user space):\n\n",
                        ms);
            bench_row(&t, 6, hdr);
            bench_rule(&t, 6);
            for (si = 0; si < NSERVERS; si++) {
                const char *row[6];
                double rest, cpu = best[0][si].cpu_ns;
                int c;
                pr[si] = profile_server(&servers[si], argv[0], peers, ++port, ms);
                rest = 100.0 - (pr[si].send_pct + pr[si].recv_pct);
                snprintf(cell[0], sizeof cell[0], "%s", servers[si].name);
                snprintf(cell[1], sizeof cell[1], "%.1f%%", pr[si].send_pct);
                snprintf(cell[2], sizeof cell[2], "%.1f%%", pr[si].recv_pct);
                snprintf(cell[3], sizeof cell[3], "%.1f%%", rest);
                snprintf(cell[4], sizeof cell[4], "%.0f", cpu);
                snprintf(cell[5], sizeof cell[5], "%.0f", cpu * rest / 100.0);
                for (c = 0; c < 6; c++) row[c] = pr[si].ok || c == 0 ? cell[c] : "?";
                bench_row(&t, 6, row);
            }
            if (pr[2].ok) {
                double tcp = pr[2].send_pct + pr[2].recv_pct, room = 100.0 / 1.15 - tcp;
                bench_textf(&t, "\nA server with libuv's TCP work per message and an event loop that cost nothing would be at most %.2fx "
                                "as fast as libuv here. ",
                            100.0 / tcp);
                if (room > 0)
                    bench_textf(&t, "The 1.15x goal needs a loop costing at most %.1f%% of libuv's CPU per message; libuv's own loop costs %.1f%%.\n",
                                room, 100.0 - tcp);
                else
                    bench_textf(&t, "The 1.15x goal would need a loop that costs less than nothing.\n");
            }
        }
    }
    loadavg(load_after, sizeof load_after);
    bench_textf(&t, "\nNoise: other jobs may share this machine (a 2-CPU VM); load average (1, 5 min) at the start of "
                    "this run: %s, at its end: %s. Between runs msgs/s of one server moved by up to 2x and single ratios by +-30%%; the "
                    "server CPU per message moved by about +-10%%, so it is the steadier figure. p99 near 10 ms means the load "
                    "generator or a server was descheduled (the histogram ends at 10 ms). Compare the figures of one run only.\n",
                load_before, load_after);
    fputs(t.s, stdout);
    if (bench_has_flag(argc, argv, "--write-results") &&
        bench_results_write("bench/RESULTS.md", "reactor", "dx_reactor.h: echo server against liburing, libuv, epoll", t.s) != 0)
        fails++;
    bench_text_free(&t);
    return fails ? 1 : 0;
}
