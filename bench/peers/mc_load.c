/* mc_load.c - a closed-loop load generator for memcached's binary protocol,
   the peer of examples/hbtp_load.c in bench/run_net.sh: same loop (each
   connection keeps --pipeline requests in flight, a new one per answer), same
   histogram layout (log buckets, 64 sub-buckets), same "summary:" line, so the
   two clients cost about the same and the servers are what differs.
   One thread, epoll, Linux only.

     mc_load [--connections N] [--pipeline D] [--duration S] [--size B]
             [--mix noop|get|set weights, e.g. get:90,set:10] [--keys N] [--cdf FILE] HOST:PORT

   The binary protocol as memcached documents it (protocol_binary.h): a 24-byte
   header, big-endian: magic (0x80 request, 0x81 response), opcode (GET 0x00,
   SET 0x01, NOOP 0x0a), key length u16, extras length u8, data type u8,
   vbucket (request) or status (response) u16, total body length u32, opaque
   u32, CAS u64; then extras, key, value. SET's extras: flags u32, expiry u32.
   Answers come back in order, so the send times are a ring per connection. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { OP_GET = 0x00, OP_SET = 0x01, OP_NOOP = 0x0a, HDR = 24, KEY_LEN = 12 };
enum { K_NOOP, K_GET, K_SET, K_KINDS };
static const char *const kind_names[K_KINDS] = {"noop", "get", "set"};

enum { SUB_BITS = 7, SUB = 1 << SUB_BITS, HALF = SUB / 2, MAX_EXP = 40, NB = (MAX_EXP + 1) * HALF + SUB };
static uint64_t hist[NB], hist_total, hist_max;

static uint32_t bucket(uint64_t v) {
    uint32_t e;
    if (v < SUB) return (uint32_t)v;
    if (v >> (MAX_EXP + SUB_BITS - 1)) v = ((uint64_t)1 << (MAX_EXP + SUB_BITS - 1)) - 1;
    e = (63u - (uint32_t)__builtin_clzll(v)) - (SUB_BITS - 1);
    return e * HALF + (uint32_t)(v >> e);
}
static uint64_t bucket_upper(uint32_t i) {
    uint32_t e, m;
    if (i < SUB) return i;
    e = i / HALF - 1, m = i - e * HALF;
    return (((uint64_t)m + 1) << e) - 1;
}
static uint64_t quantile(double q) {
    uint64_t want = (uint64_t)(q * (double)hist_total + 0.999999), seen = 0;
    uint32_t i;
    if (!want) want = 1;
    for (i = 0; i < NB; i++)
        if ((seen += hist[i]) >= want) return bucket_upper(i) < hist_max ? bucket_upper(i) : hist_max;
    return hist_max;
}

typedef struct conn {
    int fd;
    uint8_t *out, *in;
    size_t out_len, out_cap, in_len, in_cap;
    uint64_t *sent; /* ring of send times */
    uint32_t head, inflight;
} conn;

static uint32_t pipeline = 1, size = 64, keys = 10000, weights[K_KINDS], wtotal;
static uint64_t rng = 0x9e3779b97f4a7c15ull, answered, misses, errors;
static bool stopping;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
static uint32_t rnd(void) {
    rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
    return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}
static void be16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v; }
static void be32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v; }

static void issue(conn *c) {
    uint32_t pick = rnd() % wtotal, k = 0, n, d, extras = 0, klen = 0, vlen = 0;
    uint8_t *p;
    while (pick >= weights[k]) pick -= weights[k], k++;
    if (k == K_GET) klen = KEY_LEN;
    if (k == K_SET) klen = KEY_LEN, extras = 8, vlen = size;
    p = c->out + c->out_len;
    memset(p, 0, HDR);
    p[0] = 0x80;
    p[1] = (uint8_t)(k == K_NOOP ? OP_NOOP : k == K_GET ? OP_GET : OP_SET);
    be16(p + 2, klen);
    p[4] = (uint8_t)extras;
    be32(p + 8, extras + klen + vlen);
    p += HDR;
    memset(p, 0, extras), p += extras; /* flags 0, no expiry */
    if (klen) {
        n = rnd() % keys;
        memcpy(p, "key:", 4);
        for (d = KEY_LEN; d-- > 4; n /= 10) p[d] = (uint8_t)('0' + n % 10);
        p += klen;
    }
    if (vlen) memset(p, 'v', vlen), p += vlen;
    c->out_len = (size_t)(p - c->out);
    c->sent[(c->head + c->inflight) % pipeline] = now_ns();
    c->inflight++;
}

/* Parses whole responses; false when the stream is broken. */
static bool take(conn *c) {
    size_t off = 0;
    while (c->in_len - off >= HDR) {
        const uint8_t *p = c->in + off;
        uint32_t body = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11];
        uint32_t status = (uint32_t)p[6] << 8 | p[7];
        if (p[0] != 0x81 || c->inflight == 0) return false;
        if (c->in_len - off - HDR < body) break;
        if (!stopping) {
            uint64_t t = now_ns() - c->sent[c->head];
            hist[bucket(t)]++, hist_total++;
            if (t > hist_max) hist_max = t;
            if (status == 0) answered++;
            else if (status == 1) answered++, misses++; /* key not found: an answer */
            else errors++;
        }
        c->head = (c->head + 1) % pipeline;
        c->inflight--;
        off += HDR + body;
    }
    memmove(c->in, c->in + off, c->in_len - off);
    c->in_len -= off;
    return true;
}

/* A blocking send: the requests in flight are bounded by --pipeline, so it
   waits only while the server is slower to read than we are to write. */
static bool flush_out(conn *c) {
    while (c->out_len) {
        ssize_t n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        memmove(c->out, c->out + n, c->out_len - (size_t)n);
        c->out_len -= (size_t)n;
    }
    return true;
}

static int usage(void) {
    fprintf(stderr, "usage: mc_load [--connections N] [--pipeline D] [--duration S] [--size B] [--mix SPEC] [--keys N] HOST:PORT\n");
    return 2;
}

int main(int argc, char **argv) {
    uint32_t conns = 64, duration = 10, i;
    const char *target = NULL, *cdf_path = NULL;
    char host[64], mix[128] = "get";
    int port, ep, a;
    conn *cs;
    struct sockaddr_in sa;
    struct rusage r0, r1;
    uint64_t t0, t_end, t1 = 0;
    double wall, cu, cs_;
    for (a = 1; a < argc; a++) {
        const char *v = a + 1 < argc ? argv[a + 1] : NULL;
        if (!strcmp(argv[a], "--connections") && v) conns = (uint32_t)atoi(v), a++;
        else if (!strcmp(argv[a], "--pipeline") && v) pipeline = (uint32_t)atoi(v), a++;
        else if (!strcmp(argv[a], "--duration") && v) duration = (uint32_t)atoi(v), a++;
        else if (!strcmp(argv[a], "--size") && v) size = (uint32_t)atoi(v), a++;
        else if (!strcmp(argv[a], "--keys") && v) keys = (uint32_t)atoi(v), a++;
        else if (!strcmp(argv[a], "--mix") && v) snprintf(mix, sizeof mix, "%s", v), a++;
        else if (!strcmp(argv[a], "--cdf") && v) cdf_path = v, a++;
        else if (argv[a][0] != '-' && !target) target = argv[a];
        else return usage();
    }
    if (!target || !conns || !pipeline || !duration || !keys || sscanf(target, "%63[^:]:%d", host, &port) != 2) return usage();
    { /* the mix: kind[:weight],... */
        char *save = NULL, *tok, tmp[128];
        snprintf(tmp, sizeof tmp, "%s", mix);
        for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            char *colon = strchr(tok, ':');
            uint32_t w = colon ? (uint32_t)atoi(colon + 1) : 1, k;
            if (colon) *colon = 0;
            for (k = 0; k < K_KINDS && strcmp(tok, kind_names[k]); k++) {}
            if (k == K_KINDS || !w) return usage();
            weights[k] += w, wtotal += w;
        }
        if (!wtotal) return usage();
    }
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) return usage();
    ep = epoll_create1(0);
    cs = (conn *)calloc(conns, sizeof *cs);
    if (ep < 0 || !cs) return 1;
    for (i = 0; i < conns; i++) {
        conn *c = &cs[i];
        struct epoll_event ev;
        int one = 1;
        c->out_cap = (size_t)pipeline * (HDR + 8 + KEY_LEN + size) + 64;
        c->in_cap = (size_t)pipeline * (HDR + 4 + size) + 65536;
        c->out = (uint8_t *)malloc(c->out_cap), c->in = (uint8_t *)malloc(c->in_cap);
        c->sent = (uint64_t *)calloc(pipeline, sizeof *c->sent);
        c->fd = socket(AF_INET, SOCK_STREAM, 0);
        if (!c->out || !c->in || !c->sent || c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
            fprintf(stderr, "mc_load: cannot connect to %s: %s\n", target, strerror(errno));
            return 1;
        }
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        ev.events = EPOLLIN;
        ev.data.ptr = c;
        epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    }
    getrusage(RUSAGE_SELF, &r0);
    t0 = now_ns();
    t_end = t0 + (uint64_t)duration * 1000000000u;
    for (i = 0; i < conns; i++) {
        while (cs[i].inflight < pipeline) issue(&cs[i]);
        if (!flush_out(&cs[i])) return 1;
    }
    for (;;) {
        struct epoll_event evs[256];
        int n = epoll_wait(ep, evs, 256, 100), e;
        uint64_t now = now_ns();
        uint32_t pending = 0;
        if (!stopping && now >= t_end) stopping = true, t1 = now;
        for (e = 0; e < n; e++) {
            conn *c = (conn *)evs[e].data.ptr;
            ssize_t got = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
            if (got <= 0) {
                if (got < 0 && errno == EAGAIN) continue;
                fprintf(stderr, "mc_load: connection lost\n");
                return 1;
            }
            c->in_len += (size_t)got;
            if (!take(c)) {
                fprintf(stderr, "mc_load: a malformed response\n");
                return 1;
            }
            if (!stopping)
                while (c->inflight < pipeline) issue(c);
            if (!flush_out(c)) return 1;
        }
        if (stopping) {
            for (i = 0; i < conns; i++) pending += cs[i].inflight;
            if (!pending || now > t_end + 10000000000ull) break;
        }
    }
    getrusage(RUSAGE_SELF, &r1);
    wall = (double)(t1 - t0) / 1e9;
    cu = (double)(r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) + (double)(r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) / 1e6;
    cs_ = (double)(r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) + (double)(r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) / 1e6;
    printf("mc_load: %s, %u connections, pipeline %u, %u-byte values, mix %s, %.2f s\n", target, conns, pipeline, size, mix, wall);
    printf("requests: %llu answered (%llu not found), %llu errors, %.0f requests/s\n", (unsigned long long)answered,
           (unsigned long long)misses, (unsigned long long)errors, (double)answered / wall);
    printf("summary: requests=%llu errors=%llu rps=%.0f p50_us=%.2f p99_us=%.2f p999_us=%.2f max_us=%.2f cpu_user_s=%.3f "
           "cpu_sys_s=%.3f wall_s=%.3f lost_connections=0\n",
           (unsigned long long)answered, (unsigned long long)errors, (double)answered / wall, (double)quantile(0.5) / 1e3,
           (double)quantile(0.99) / 1e3, (double)quantile(0.999) / 1e3, (double)hist_max / 1e3, cu, cs_, wall);
    if (cdf_path) { /* "microseconds cumulative-fraction" per bucket in use, as hbtp_load --cdf */
        FILE *f = fopen(cdf_path, "w");
        uint64_t seen = 0;
        if (!f) return 1;
        for (i = 0; i < NB && hist_total; i++)
            if (hist[i]) seen += hist[i], fprintf(f, "%.3f %.6f\n", (double)bucket_upper(i) / 1e3, (double)seen / (double)hist_total);
        if (fclose(f) != 0) return 1;
    }
    return answered ? 0 : 1;
}
