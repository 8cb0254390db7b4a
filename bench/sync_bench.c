/* sync_bench.c - dx_sync's 304 check timed at the RPC (issue 16): QUERY calls
   (examples/dx_sync/dx_sync.c, WIRE FORMAT: RPC method 1) for a name whose
   newest version the client holds, so that every answer is NOT_MODIFIED.
   bench/run_sync.sh builds and runs it against a `dx_sync serve`.

     sync_bench query HOST:PORT NAME FILE [--count N] [--warmup N]
         one connection, dx_net.h's blocking client (dx_net_sync_call), one
         QUERY after another: the round trip of each call
       sync_bench concurrent HOST:PORT NAME FILE [--connections C] [--count N] [--depth D] [--rate R]
         C connections on one dx_reactor loop (dx_net.h's asynchronous
         client), N calls in all after a warm-up of one call per connection.
         Without --rate a closed loop: each connection keeps D QUERYs in
         flight (another is sent as soon as an answer comes): the most
         calls per second, and each call's latency from its send to its
         answer. With --rate an open loop: call n is due at n / R seconds
         and goes out on a connection with fewer than D in flight; latency
         from its send, and how late the sends were (late_p99_us: the
         client's own delay, which would hide server latency if large).

     sync_bench send-file FILE   /   sync_bench copy HOST:PORT OUT
         the floor under any verified download on this machine: send-file
         listens on 127.0.0.1 (prints "port N"), sends FILE to the first
         connection in 128 KiB writes and exits; copy receives it into a
         temporary file beside OUT in 128 KiB writes, hands it to the disk
         every 8 MiB (sync_file_range on Linux, as dx_sync get does), fsyncs
         and renames it: no protocol, no hash, no cache. Prints
           summary: bytes=N wall_s=S mbs=R

   FILE is the newest version of NAME (as published): its ETag, the Merkle
   root of its FastCDC chunks under BLAKE3 (dx_cas.h, the chunker's defaults), goes in
   every QUERY, and every answer must be NOT_MODIFIED with that root; any
   other answer counts as an error (exit status 1). Prints one line
     summary: calls=N errors=E wall_s=S rate=R p50_us=.. p90_us=.. p99_us=.. p999_us=.. max_us=.. mean_us=..
   Build: cc -O2 -std=c99 -D_DEFAULT_SOURCE -I. bench/sync_bench.c -lpthread */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* sync_file_range */
#endif
#include "bench.h"

#define DX_IMPLEMENTATION
#include "dx_reactor.h"
#include "dx_hbtp.h"
#include "dx_net.h"
#include "dx_cas.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define SB_MAX_PAYLOAD (128u * 1024 + 64) /* what dx_sync offers in HELLO */
#define SB_QUERY 1
#define SB_NAME_MAX 100

static dx_cas_hash_alg alg;

static int fail(const char *fmt, const char *arg) {
    fprintf(stderr, "sync_bench: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return 1;
}

/* The ETag dx_sync computes for FILE: the Merkle root over its chunks' leaves. */
static int file_root(const char *path, uint8_t root[32]) {
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    dx_cas_chunk *chunks = NULL;
    dx_cas_chunker_config cc;
    dx_cas_merkle tree;
    long len;
    int64_t n, i;
    if (!f) return fail("cannot open %s", path);
    if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return fail("cannot size %s (or it is empty)", path);
    }
    data = (uint8_t *)malloc((size_t)len);
    chunks = (dx_cas_chunk *)malloc(((size_t)len / 4096 + 2) * sizeof *chunks); /* chunks are >= 4 KiB but the last */
    if (!data || !chunks || fread(data, 1, (size_t)len, f) != (size_t)len) {
        fclose(f), free(data), free(chunks);
        return fail("cannot read %s", path);
    }
    fclose(f);
    memset(&cc, 0, sizeof cc);
    n = dx_cas_chunk_buffer(&cc, data, (size_t)len, chunks, (size_t)len / 4096 + 2);
    if (n <= 0) {
        free(data), free(chunks);
        return fail("cannot chunk %s", path);
    }
    dx_cas_merkle_init(&tree, &alg);
    for (i = 0; i < n; i++) {
        dx_cas_id id;
        uint8_t leaf[32];
        dx_cas_id_hash(&alg, data + chunks[i].offset, chunks[i].length, &id);
        dx_cas_chunk_leaf(&alg, &id, leaf);
        dx_cas_merkle_push(&tree, leaf);
    }
    dx_cas_merkle_root(&tree, root);
    free(data), free(chunks);
    return 0;
}

/* QUERY body (WIRE FORMAT): version 2, flag 1 (root follows), name length, 0, root, name */
static size_t query_body(uint8_t *q, const char *name, const uint8_t root[32]) {
    size_t n = strlen(name);
    q[0] = 2, q[1] = 1, q[2] = (uint8_t)n, q[3] = 0;
    memcpy(q + 4, root, 32);
    memcpy(q + 36, name, n);
    return 36 + n;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct_us(const uint64_t *sorted, uint64_t n, double q) {
    uint64_t i = (uint64_t)(q * (double)n);
    if (i >= n) i = n - 1;
    return (double)sorted[i] / 1e3;
}

static void summary(uint64_t *lat, uint64_t n, uint64_t errors, uint64_t wall_ns) {
    double sum = 0;
    uint64_t i;
    qsort(lat, (size_t)n, sizeof *lat, cmp_u64);
    for (i = 0; i < n; i++) sum += (double)lat[i];
    printf("summary: calls=%llu errors=%llu wall_s=%.3f rate=%.0f p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f "
           "max_us=%.1f mean_us=%.1f\n",
           (unsigned long long)n, (unsigned long long)errors, (double)wall_ns / 1e9,
           (double)n * 1e9 / (double)(wall_ns ? wall_ns : 1), pct_us(lat, n, 0.5), pct_us(lat, n, 0.9),
           pct_us(lat, n, 0.99), pct_us(lat, n, 0.999), n ? (double)lat[n - 1] / 1e3 : 0.0, n ? sum / (double)n / 1e3 : 0.0);
}

/* ---- sequential: the blocking client ---- */

static int run_query(const dx_net_client_config *cc, const char *name, const uint8_t root[32], uint64_t count,
                     uint64_t warmup) {
    dx_net_sync s;
    uint8_t q[36 + SB_NAME_MAX], out[4096];
    size_t qlen = query_body(q, name, root), olen;
    uint64_t *lat = (uint64_t *)malloc((size_t)count * sizeof *lat), i, errors = 0, t0;
    dx_result r;
    if (!lat) return fail("%s", "out of memory");
    if ((r = dx_net_sync_open(&s, NULL, cc)) != DX_OK) {
        free(lat);
        return fail("cannot connect: %s", dx_reactor_result_name(r));
    }
    for (i = 0; i < warmup && errors == 0; i++) { /* warm-up: not timed */
        r = dx_net_sync_call(&s, SB_QUERY, q, qlen, out, sizeof out, &olen);
        if (r != DX_OK || olen != 32 || memcmp(out, root, 32) != 0) errors++;
    }
    if (errors) {
        dx_net_sync_close(&s);
        free(lat);
        return fail("%s", "the warm-up calls were not answered NOT_MODIFIED with the root");
    }
    t0 = bench_now_ns();
    for (i = 0; i < count; i++) {
        uint64_t a = bench_now_ns();
        r = dx_net_sync_call(&s, SB_QUERY, q, qlen, out, sizeof out, &olen);
        lat[i] = bench_now_ns() - a;
        /* NOT_MODIFIED carries the root (32 bytes); an offer is a teleport buffer, far longer */
        if (r != DX_OK || olen != 32 || memcmp(out, root, 32) != 0) {
            if (errors++ == 0)
                fprintf(stderr, "sync_bench: call %llu: %s, %zu bytes: not NOT_MODIFIED with the root\n",
                        (unsigned long long)i, dx_reactor_result_name(r), olen);
            if (r != DX_OK && r != DX_NET_ERR_REMOTE) {
                i++;
                break;
            }
        }
    }
    {
        uint64_t wall = bench_now_ns() - t0;
        dx_net_sync_close(&s);
        summary(lat, i, errors, wall);
    }
    free(lat);
    return errors ? 1 : 0;
}

/* ---- concurrent: many clients on one loop ---- */

typedef struct sb_conn sb_conn;
typedef struct sb_run {
    sb_conn *conns;
    uint32_t nconns, depth;
    uint32_t *ready; /* ring of connection indexes that may send one more call */
    uint32_t ready_head, ready_count, ready_cap;
    uint64_t *lat, *late, want, sent, done, errors; /* late: how late each open-loop call went out */
    uint64_t warm_done;
    bool measuring;
    const uint8_t *root;
    uint8_t q[36 + SB_NAME_MAX];
    size_t qlen;
} sb_run;

typedef struct sb_call {
    sb_conn *conn;
    uint64_t sent_ns;
    bool counted; /* sent while measuring */
} sb_call;

struct sb_conn {
    dx_net_client client;
    sb_run *run;
    uint32_t index;
    sb_call calls[64];
    uint32_t next_call;
};

static void ready_push(sb_run *run, uint32_t index) {
    run->ready[(run->ready_head + run->ready_count) % run->ready_cap] = index;
    run->ready_count++;
}

static void on_answer(dx_net_client *c, const dx_net_reply *r, void *user) {
    sb_call *call = (sb_call *)user;
    sb_run *run = call->conn->run;
    bool ok = r->result == DX_OK && r->frame && r->frame->opcode == DX_HBTP_OP_NOT_MODIFIED && r->body_len == 32 &&
              memcmp(r->body, run->root, 32) == 0;
    (void)c;
    if (!r->final) return;
    if (call->counted) {
        if (run->done < run->want) run->lat[run->done] = bench_now_ns() - call->sent_ns;
        run->done++;
    } else {
        run->warm_done++;
    }
    if (!ok && run->errors++ == 0)
        fprintf(stderr, "sync_bench: an answer that is not NOT_MODIFIED with the root (%s, opcode %u, %u bytes)\n",
                dx_reactor_result_name(r->result), r->frame ? (unsigned)r->frame->opcode : 0u, (unsigned)r->body_len);
    ready_push(run, call->conn->index);
}

/* sends one call on connection i, its latency counted from sched_ns (0: now); false when the client
   cannot take it now */
static bool send_one(sb_run *run, uint32_t i, uint64_t sched_ns) {
    sb_conn *k = &run->conns[i];
    sb_call *call = &k->calls[k->next_call];
    int32_t rc;
    call->conn = k;
    call->counted = run->measuring;
    call->sent_ns = bench_now_ns();
    if (sched_ns && run->measuring && run->sent < run->want) run->late[run->sent] = call->sent_ns - sched_ns;
    rc = dx_net_client_call(&k->client, SB_QUERY, run->q, run->qlen, on_answer, call);
    if (rc < 0) return false;
    k->next_call = (k->next_call + 1) % (uint32_t)(sizeof k->calls / sizeof k->calls[0]);
    if (run->measuring) run->sent++;
    return true;
}

static bool timer_armed;
static dx_reactor_action on_timer(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    (void)r, (void)op, (void)res, (void)user;
    timer_armed = false;
    return DX_REACTOR_DISARM;
}

static int run_concurrent(const dx_net_client_config *cc0, const char *name, const uint8_t root[32], uint32_t nconns,
                          uint64_t count, uint32_t depth, uint64_t rate) {
    sb_run run;
    dx_op timer;
    dx_reactor loop;
    dx_reactor_config lc;
    uint32_t i, open = 0;
    uint64_t t0, wall, deadline;
    dx_result r;
    int rc = 0;
    memset(&run, 0, sizeof run);
    memset(&timer, 0, sizeof timer);
    timer_armed = false;
    run.nconns = nconns, run.depth = depth, run.want = count, run.root = root;
    run.qlen = query_body(run.q, name, root);
    run.ready_cap = nconns * depth;
    run.conns = (sb_conn *)calloc(nconns, sizeof *run.conns);
    run.ready = (uint32_t *)calloc(run.ready_cap, sizeof *run.ready);
    run.lat = (uint64_t *)calloc((size_t)count, sizeof *run.lat);
    run.late = (uint64_t *)calloc((size_t)count, sizeof *run.late);
    if (!run.conns || !run.ready || !run.lat || !run.late) return fail("%s", "out of memory");
    memset(&lc, 0, sizeof lc);
    lc.max_fds = nconns + 256; /* fds are small numbers: the connections and a few of the loop's */
    if ((r = dx_reactor_create(&loop, &lc)) != DX_OK) return fail("no loop: %s", dx_reactor_result_name(r));
    for (i = 0; i < nconns; i++) {
        dx_net_client_config cc = *cc0;
        run.conns[i].run = &run, run.conns[i].index = i;
        if ((r = dx_net_client_create(&run.conns[i].client, &loop, &cc)) != DX_OK)
            return fail("cannot make a client: %s", dx_reactor_result_name(r));
    }
    deadline = bench_now_ns() + 30000000000ull;
    while (open < nconns) { /* every connection says HELLO */
        if (bench_now_ns() > deadline || dx_reactor_run(&loop, DX_REACTOR_RUN_ONCE) != DX_OK) {
            fprintf(stderr, "sync_bench: %u of %u connections open after 30 s\n", open, nconns);
            return 1;
        }
        for (open = 0, i = 0; i < nconns; i++) open += dx_net_client_state_of(&run.conns[i].client) == DX_NET_CLIENT_OPEN;
    }
    /* warm-up: one call per connection, answered */
    for (i = 0; i < nconns; i++)
        if (!send_one(&run, i, 0)) return fail("%s", "a warm-up call was refused");
    while (run.warm_done < nconns)
        if (dx_reactor_run(&loop, DX_REACTOR_RUN_ONCE) != DX_OK) return fail("%s", "the loop failed in the warm-up");
    run.ready_count = 0, run.ready_head = 0;
    run.measuring = true;
    t0 = bench_now_ns();
    if (rate == 0) { /* closed loop: depth calls per connection now, another as each answer comes */
        for (i = 0; i < nconns; i++) {
            uint32_t d;
            for (d = 0; d < depth && run.sent < count; d++)
                if (!send_one(&run, i, 0)) return fail("%s", "a call was refused (depth above the server's max in flight?)");
        }
    } else { /* open loop: call n is due at t0 + n / rate, on any connection with room; latency from then */
        uint32_t d;
        for (d = 0; d < depth; d++)
            for (i = 0; i < nconns; i++) ready_push(&run, i);
    }
    deadline = t0 + 120000000000ull + (rate ? count * 1000000000ull / rate : 0);
    while (run.done < count) {
        while (run.ready_count > 0 && run.sent < count) {
            uint32_t k = run.ready[run.ready_head];
            uint64_t due = rate ? t0 + run.sent * 1000000000ull / rate : 0;
            if (rate && due > bench_now_ns()) {
                if (!timer_armed) { /* wake up when the next call is due */
                    uint64_t now = bench_now_ns();
                    dx_op_timer(&timer, due > now ? due - now : 1, 0);
                    timer_armed = true;
                    if (dx_reactor_submit(&loop, &timer, on_timer, NULL) != DX_OK) return fail("%s", "cannot arm a timer");
                }
                break;
            }
            run.ready_head = (run.ready_head + 1) % run.ready_cap, run.ready_count--;
            if (!send_one(&run, k, due)) return fail("%s", "a call was refused");
        }
        if (run.done >= count) break;
        if ((r = dx_reactor_run(&loop, DX_REACTOR_RUN_ONCE)) != DX_OK) return fail("the loop failed: %s", dx_reactor_result_name(r));
        if (bench_now_ns() > deadline) {
            fprintf(stderr, "sync_bench: %llu of %llu calls answered after 120 s\n", (unsigned long long)run.done,
                    (unsigned long long)count);
            return 1;
        }
    }
    wall = bench_now_ns() - t0;
    while (timer_armed) dx_reactor_run(&loop, DX_REACTOR_RUN_ONCE);
    for (i = 0; i < nconns; i++) dx_net_client_close(&run.conns[i].client);
    for (open = nconns; open > 0;) {
        if (dx_reactor_run(&loop, DX_REACTOR_RUN_ONCE) != DX_OK) break;
        for (open = 0, i = 0; i < nconns; i++) open += dx_net_client_state_of(&run.conns[i].client) != DX_NET_CLIENT_CLOSED;
    }
    dx_reactor_run(&loop, DX_REACTOR_RUN_UNTIL_DONE);
    for (i = 0; i < nconns; i++) dx_net_client_destroy(&run.conns[i].client);
    qsort(run.late, (size_t)count, sizeof *run.late, cmp_u64);
    printf("connections=%u depth=%u rate=%llu backend=%s late_p50_us=%.1f late_p99_us=%.1f\n", nconns, depth,
           (unsigned long long)rate, dx_reactor_backend_name(&loop), pct_us(run.late, count, 0.5), pct_us(run.late, count, 0.99));
    dx_reactor_destroy(&loop);
    summary(run.lat, run.done < count ? run.done : count, run.errors, wall);
    if (run.errors) rc = 1;
    free(run.conns), free(run.ready), free(run.lat), free(run.late);
    return rc;
}

static const char usage[] =
    "usage: sync_bench query HOST:PORT NAME FILE [--count N] [--warmup N]\n"
    "       sync_bench concurrent HOST:PORT NAME FILE [--connections C] [--count N] [--depth D] [--rate R]\n"
    "       sync_bench send-file FILE | sync_bench copy HOST:PORT OUT\n";

/* ---- the floor: a plain TCP copy into a file ---- */

#define SB_COPY_BUF (128u * 1024)
#define SB_WRITEBACK_STEP (8u << 20)

static int run_send_file(const char *path) {
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    static uint8_t buf[SB_COPY_BUF];
    int ls = socket(AF_INET, SOCK_STREAM, 0), s, fd = open(path, O_RDONLY);
    ssize_t n;
    if (ls < 0 || fd < 0) return fail("cannot open a socket or %s", path);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET, a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 1) != 0 || getsockname(ls, (struct sockaddr *)&a, &al) != 0)
        return fail("%s", "cannot listen on 127.0.0.1");
    printf("port %u\n", (unsigned)ntohs(a.sin_port));
    fflush(stdout);
    if ((s = accept(ls, NULL, NULL)) < 0) return fail("%s", "accept failed");
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        ssize_t done = 0, w;
        while (done < n) {
            if ((w = send(s, buf + done, (size_t)(n - done), 0)) < 0 && errno == EINTR) continue;
            if (w <= 0) return fail("%s", "send failed");
            done += w;
        }
    }
    close(fd), close(s), close(ls);
    return n < 0 ? fail("cannot read %s", path) : 0;
}

static int run_copy(const char *host, uint16_t port, const char *out) {
    struct sockaddr_in a;
    static uint8_t buf[SB_COPY_BUF];
    char tmp[4096];
    uint64_t total = 0, handed = 0, t0 = bench_now_ns(), t1;
    int s = socket(AF_INET, SOCK_STREAM, 0), fd;
    ssize_t n;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET, a.sin_port = htons(port);
    if (s < 0 || inet_pton(AF_INET, host, &a.sin_addr) != 1 || connect(s, (struct sockaddr *)&a, sizeof a) != 0)
        return fail("cannot connect to %s", host);
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) return fail("cannot create %s", tmp);
    while ((n = recv(s, buf, sizeof buf, 0)) != 0) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 || write(fd, buf, (size_t)n) != n) return fail("%s", "receive or write failed");
        total += (uint64_t)n;
#if defined(__linux__) && defined(SYNC_FILE_RANGE_WRITE)
        for (; total - handed >= SB_WRITEBACK_STEP; handed += SB_WRITEBACK_STEP)
            (void)sync_file_range(fd, (off_t)handed, SB_WRITEBACK_STEP, SYNC_FILE_RANGE_WRITE);
#endif
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, out) != 0) return fail("cannot finish %s", out);
    close(s);
    t1 = bench_now_ns();
    printf("summary: bytes=%llu wall_s=%.4f mbs=%.1f\n", (unsigned long long)total, (double)(t1 - t0) / 1e9,
           (double)total / ((double)(t1 - t0) / 1e9) / 1e6);
    return 0;
}

static bool opt_u64(const char *a, const char *next, const char *name, uint64_t *out) {
    char *end;
    unsigned long long v;
    if (strcmp(a, name) != 0 || !next) return false;
    errno = 0;
    v = strtoull(next, &end, 10);
    if (errno || *end || v == 0) {
        fprintf(stderr, "sync_bench: %s needs a positive number\n", name);
        exit(2);
    }
    *out = v;
    return true;
}

int main(int argc, char **argv) {
    const char *mode, *server, *name, *file, *colon;
    char host[64];
    uint64_t count = 10000, warmup = 200, conns = 100, depth = 1, rate = 0;
    uint8_t root[32];
    dx_net_client_config cc;
    int k;
    if (argc == 3 && !strcmp(argv[1], "send-file")) return run_send_file(argv[2]);
    if (argc == 4 && !strcmp(argv[1], "copy")) {
        const char *c = strrchr(argv[2], ':');
        char h[64];
        if (!c || (size_t)(c - argv[2]) >= sizeof h) {
            fputs(usage, stderr);
            return 2;
        }
        memcpy(h, argv[2], (size_t)(c - argv[2])), h[c - argv[2]] = 0;
        return run_copy(h, (uint16_t)atoi(c + 1), argv[3]);
    }
    if (argc < 5) {
        fputs(usage, stderr);
        return 2;
    }
    mode = argv[1], server = argv[2], name = argv[3], file = argv[4];
    for (k = 5; k < argc; k++) {
        const char *next = k + 1 < argc ? argv[k + 1] : NULL;
        if (opt_u64(argv[k], next, "--count", &count) || opt_u64(argv[k], next, "--warmup", &warmup) ||
            opt_u64(argv[k], next, "--connections", &conns) || opt_u64(argv[k], next, "--depth", &depth) ||
            opt_u64(argv[k], next, "--rate", &rate))
            k++;
        else {
            fputs(usage, stderr);
            return 2;
        }
    }
    colon = strrchr(server, ':');
    if (!colon || (size_t)(colon - server) >= sizeof host || strlen(name) == 0 || strlen(name) > SB_NAME_MAX ||
        depth > 64 || conns > 60000) {
        fputs(usage, stderr);
        return 2;
    }
    memcpy(host, server, (size_t)(colon - server)), host[colon - server] = 0;
    if (dx_cas_hash_alg_init(&alg, DX_CAS_ALG_BLAKE3) != DX_OK) return fail("%s", "no BLAKE3"); /* dx_sync names by BLAKE3 (version 2) */
    if (file_root(file, root) != 0) return 1;
    memset(&cc, 0, sizeof cc);
    cc.host = host, cc.port = (uint16_t)atoi(colon + 1);
    cc.conn.max_payload = SB_MAX_PAYLOAD;
    if (!strcmp(mode, "query")) return run_query(&cc, name, root, count, warmup);
    if (!strcmp(mode, "concurrent")) return run_concurrent(&cc, name, root, (uint32_t)conns, count, (uint32_t)depth, rate);
    fputs(usage, stderr);
    return 2;
}
