/* teleport_bench.c - dx_teleport.h against memcpy, FlatBuffers, Cap'n Proto, protobuf-c and msgpack-c

   Build and run: sh bench/run_teleport.sh [--write-results]   (see that script)
   Options: --records=N (1000000)  --runs=N (10, best of)  --write-results  --results=PATH (bench/RESULTS.md)
            --scrub-mb=N (256)  MiB read before every timed step, to start it with cold caches (0: off)
            --only=NAME  run only the implementations whose name contains NAME and
                         print only their figures (for perf record; no goals, no results)

   1,000,000 user records {u64 id, u32 age, f64 score, name ~12 chars, email
   ~24 chars} are encoded into one buffer and read back (every field, both
   strings' lengths and first and last bytes, folded into a checksum that
   must agree for every implementation), by every implementation in turn,
   interleaved in one process run; each figure is the best of --runs runs.
   A program, not a test: nothing asserts on time. Exit 1 on a checksum
   mismatch or an encode/verify failure.
*/
#include "bench.h" /* first: it sets _POSIX_C_SOURCE */

#define DX_IMPLEMENTATION
#include "../dx_teleport.h"
#include "peers/peers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef BENCH_FLAGS
#define BENCH_FLAGS "?"
#endif

/* ---- input: a deterministic generator ---- */

static uint64_t gen_state = 0x243f6a8885a308d3ull;

static uint64_t gen_next(void) { /* splitmix64 */
    uint64_t z = (gen_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void gen_users(bench_user *recs, size_t n) {
    static const char *const domains[] = {"example.com", "mail.net", "inbox.org", "post.io", "company.co.uk",
                                          "uni-berlin.de", "fastmail.fm", "provider.net"};
    uint64_t id = 1000000000ull;
    size_t i, j;
    memset(recs, 0, n * sizeof *recs);
    for (i = 0; i < n; i++) {
        bench_user *r = &recs[i];
        const char *d = domains[gen_next() % 8];
        size_t dlen = strlen(d), elen, local;
        id += 1 + gen_next() % 16; /* unique, increasing, gaps */
        r->id = id;
        r->age = (uint32_t)(16 + gen_next() % 75);
        r->score = (double)(gen_next() % 1000000u) / 1000.0;
        r->name_len = (uint8_t)(9 + gen_next() % 7); /* 9..15, mean 12 */
        for (j = 0; j < r->name_len; j++) r->name[j] = (char)((j ? 'a' : 'A') + gen_next() % 26);
        elen = 18 + gen_next() % 13; /* 18..30, mean 24 */
        local = elen - 1 - dlen;
        for (j = 0; j < local; j++)
            r->email[j] = j < r->name_len ? (char)(r->name[j] | 0x20) : (char)('0' + gen_next() % 10);
        r->email[local] = '@';
        memcpy(r->email + local + 1, d, dlen);
        r->email_len = (uint8_t)elen;
    }
}

static uint64_t expected_checksum(const bench_user *recs, size_t n) {
    uint64_t sum = 0;
    size_t i;
    for (i = 0; i < n; i++)
        sum += bench_fold(recs[i].id, recs[i].age, recs[i].score, recs[i].name, recs[i].name_len, recs[i].email,
                          recs[i].email_len);
    return sum;
}

/* ---- memcpy: the physical limit ---- */

typedef struct raw_ctx {
    uint8_t *buf;
} raw_ctx;

static void *raw_create(const bench_user *recs, size_t n) {
    raw_ctx *c = (raw_ctx *)calloc(1, sizeof *c);
    (void)recs;
    if (!c || !(c->buf = (uint8_t *)malloc(n * sizeof(bench_user) + 1))) return free(c), (void *)NULL;
    memset(c->buf, 0, n * sizeof(bench_user) + 1);
    return c;
}

static size_t raw_encode(void *p, const bench_user *recs, size_t n, const uint8_t **out) {
    raw_ctx *c = (raw_ctx *)p;
    memcpy(c->buf, recs, n * sizeof *recs);
    *out = c->buf;
    return n * sizeof *recs;
}

/* In place: the buffer is the struct array (it came from malloc: aligned). */
static uint64_t raw_read_all(void *p, const uint8_t *buf, size_t len, size_t *count) {
    const bench_user *u = (const bench_user *)(const void *)buf;
    size_t i, n = len / sizeof *u;
    uint64_t sum = 0;
    (void)p;
    for (i = 0; i < n; i++)
        sum += bench_fold(u[i].id, u[i].age, u[i].score, u[i].name, u[i].name_len, u[i].email, u[i].email_len);
    *count = n;
    return sum;
}

static void raw_destroy(void *p) {
    raw_ctx *c = (raw_ctx *)p;
    if (c) free(c->buf);
    free(c);
}

static const bench_peer bench_peer_memcpy = {
    "memcpy (raw 72 B structs)", raw_create, raw_encode, raw_read_all, NULL, NULL, raw_destroy,
    "memcpy of the input array into a reused buffer; read in place; nothing to verify"};

/* ---- dx_teleport.h ---- */

typedef struct tp_user { /* the wire struct: 40 bytes, strings in the string table */
    uint64_t id;
    uint32_t age, pad;
    double score;
    dx_tp_str name, email;
} tp_user;
DX_STATIC_ASSERT(sizeof(tp_user) == 40, tp_user_size);

static const dx_tp_field tp_user_fields[] = {
    DX_TP_FIELD(tp_user, id, DX_TP_KIND_U64),    DX_TP_FIELD(tp_user, age, DX_TP_KIND_U32),
    DX_TP_FIELD(tp_user, pad, DX_TP_KIND_PAD),   DX_TP_FIELD(tp_user, score, DX_TP_KIND_F64),
    DX_TP_FIELD(tp_user, name, DX_TP_KIND_STR),  DX_TP_FIELD(tp_user, email, DX_TP_KIND_STR),
};
static const dx_tp_layout tp_user_layout = DX_TP_LAYOUT(1, tp_user, tp_user_fields);

typedef struct dx_ctx {
    uint8_t *buf;
    size_t cap;
    dx_tp_writer w;
    dx_tp_reader r; /* set by dx_verify, used by dx_read_all */
} dx_ctx;

static void dx_destroy(void *p) {
    dx_ctx *c = (dx_ctx *)p;
    if (c) free(c->buf);
    free(c);
}

/* The caller's buffer, sized up front as a user can: the structs, every
   string plus its NUL, and 4 KiB for the header and the tables. */
static void *dx_create(const bench_user *recs, size_t n) {
    dx_ctx *c = (dx_ctx *)calloc(1, sizeof *c);
    size_t i;
    if (!c) return NULL;
    c->cap = DX_TP_HEADER_SIZE + n * sizeof(tp_user) + 4096;
    for (i = 0; i < n; i++) c->cap += (size_t)recs[i].name_len + recs[i].email_len + 2;
    if (!(c->buf = (uint8_t *)malloc(c->cap))) return dx_destroy(c), (void *)NULL;
    memset(c->buf, 0, c->cap);
    return c;
}

/* Strings of a batch first (dx_tp_write_string), then room for the batch's
   structs (dx_tp_writer_reserve) filled in place: the reserved pointer is
   used only until the next writer call, as the API asks. */
enum { DX_BATCH = 256 };

static size_t dx_encode(void *p, const bench_user *recs, size_t n, const uint8_t **out) {
    dx_ctx *c = (dx_ctx *)p;
    dx_tp_writer *w = &c->w;
    dx_tp_writer_config cfg;
    dx_tp_str names[DX_BATCH], emails[DX_BATCH];
    size_t i, j, k, len;
    memset(&cfg, 0, sizeof cfg);
    dx_tp_writer_init(w, &cfg, c->buf, c->cap);
    dx_tp_writer_add_layout(w, &tp_user_layout);
    for (i = 0; i < n; i += k) {
        tp_user *u;
        k = n - i < DX_BATCH ? n - i : DX_BATCH;
        for (j = 0; j < k; j++) {
            names[j] = dx_tp_write_string(w, recs[i + j].name, recs[i + j].name_len);
            emails[j] = dx_tp_write_string(w, recs[i + j].email, recs[i + j].email_len);
        }
        u = (tp_user *)dx_tp_writer_reserve(w, tp_user_layout.type_id, k, NULL);
        if (!u) break; /* the error is sticky: finish reports it */
        for (j = 0; j < k; j++) {
            u[j].id = recs[i + j].id;
            u[j].age = recs[i + j].age;
            u[j].score = recs[i + j].score;
            u[j].name = names[j];
            u[j].email = emails[j];
        }
    }
    if (dx_tp_writer_finish(w, out, &len) != DX_OK) len = 0;
    dx_tp_writer_destroy(w); /* nothing to free: the caller's buffer stays */
    return len;
}

static uint64_t dx_read_view(const dx_tp_reader *r, size_t *count) {
    dx_tp_view v;
    uint64_t sum = 0;
    uint32_t i, nl, el;
    *count = 0;
    if (dx_tp_reader_view(r, dx_tp_reader_find(r, tp_user_layout.type_id, 0), &tp_user_layout, &v) != DX_OK) return 0;
    if (v.zero_copy) {
        for (i = 0; i < v.count; i++) {
            const tp_user *u = (const tp_user *)dx_tp_view_at(&v, i);
            const char *name = dx_tp_reader_string(r, u->name, &nl), *email = dx_tp_reader_string(r, u->email, &el);
            sum += bench_fold(u->id, u->age, u->score, name, nl, email, el);
        }
    } else { /* big-endian host or misaligned buffer: copy each struct out */
        for (i = 0; i < v.count; i++) {
            tp_user u;
            const char *name, *email;
            dx_tp_view_read(&v, i, &u);
            name = dx_tp_reader_string(r, u.name, &nl);
            email = dx_tp_reader_string(r, u.email, &el);
            sum += bench_fold(u.id, u.age, u.score, name, nl, email, el);
        }
    }
    *count = v.count;
    return sum;
}

/* Verification is dx_tp_reader_init: header, tables, schema, every string. */
static int dx_verify(void *p, const uint8_t *buf, size_t len) {
    dx_ctx *c = (dx_ctx *)p;
    return dx_tp_reader_init(&c->r, buf, len) == DX_OK;
}

static uint64_t dx_read_all(void *p, const uint8_t *buf, size_t len, size_t *count) {
    (void)buf;
    (void)len;
    return dx_read_view(&((dx_ctx *)p)->r, count);
}

static uint64_t dx_read_checked(void *p, const uint8_t *buf, size_t len, size_t *count) {
    dx_tp_reader r;
    (void)p;
    *count = 0;
    if (dx_tp_reader_init(&r, buf, len) != DX_OK) return 0;
    return dx_read_view(&r, count);
}

static const bench_peer bench_peer_dx = {
    "dx_teleport.h", dx_create, dx_encode, dx_read_all, dx_verify, dx_read_checked, dx_destroy,
    "caller buffer sized up front; per 256 records: dx_tp_write_string x2 each, then dx_tp_writer_reserve "
    "filled in place; dx_tp_writer_finish. read = dx_tp_reader_view + dx_tp_view_at + dx_tp_reader_string "
    "on a reader already initialized; verify = dx_tp_reader_init (full verification)"};

/* ---- driver ---- */

enum { P_DX, P_MEMCPY, P_FB, P_CAPNP, P_PB, P_MP, P_COUNT };

typedef struct impl {
    const bench_peer *peer;
    void *ctx;
    bench_best enc, read, verify, checked;
    size_t bytes;
} impl;

static int fail_count;
static size_t scrub_bytes; /* bench_scrub_cache before every timed step */

static void check(const impl *m, const char *what, uint64_t sum, size_t count, uint64_t want, size_t n) {
    if (sum != want || count != n) {
        fprintf(stderr, "teleport_bench: %s %s: checksum %016llx over %lu records, expected %016llx over %lu\n",
                m->peer->name, what, (unsigned long long)sum, (unsigned long)count, (unsigned long long)want,
                (unsigned long)n);
        fail_count++;
    }
}

/* One run of everything an implementation does, timed when best != NULL. */
static void run_once(impl *m, const bench_user *recs, size_t n, uint64_t want, int timed) {
    const bench_peer *p = m->peer;
    const uint8_t *buf = NULL;
    uint64_t t0, sum;
    size_t len, count = 0;
    bench_scrub_cache(scrub_bytes);
    t0 = bench_now_ns();
    len = p->encode(m->ctx, recs, n, &buf);
    if (timed) bench_best_add(&m->enc, bench_now_ns() - t0);
    if (len == 0) {
        fprintf(stderr, "teleport_bench: %s: encode failed\n", p->name);
        fail_count++;
        return;
    }
    m->bytes = len;
    if (p->verify) {
        int ok;
        bench_scrub_cache(scrub_bytes);
        t0 = bench_now_ns();
        ok = p->verify(m->ctx, buf, len);
        if (timed) bench_best_add(&m->verify, bench_now_ns() - t0);
        if (!ok) {
            fprintf(stderr, "teleport_bench: %s: verify rejected its own buffer\n", p->name);
            fail_count++;
            return;
        }
    }
    bench_scrub_cache(scrub_bytes);
    t0 = bench_now_ns();
    sum = p->read_all(m->ctx, buf, len, &count);
    if (timed) bench_best_add(&m->read, bench_now_ns() - t0);
    check(m, "read", sum, count, want, n);
    if (p->read_checked) {
        bench_scrub_cache(scrub_bytes);
        t0 = bench_now_ns();
        sum = p->read_checked(m->ctx, buf, len, &count);
        if (timed) bench_best_add(&m->checked, bench_now_ns() - t0);
        check(m, "verified read", sum, count, want, n);
    }
}

/* The kernel's transparent huge page mode, the word in brackets. */
static void thp_mode(char *out, size_t size) {
    char line[256] = "";
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    const char *b, *e;
    snprintf(out, size, "unknown");
    if (!f) return;
    if (fgets(line, sizeof line, f) && (b = strchr(line, '[')) != NULL && (e = strchr(b, ']')) != NULL)
        snprintf(out, size, "%.*s", (int)(e - b - 1), b + 1);
    fclose(f);
}

static double per_rec(const bench_best *b, size_t n) { return b->runs ? (double)b->best / (double)n : -1.0; }

static void cell_ns(char *out, size_t size, double v) {
    if (v < 0) snprintf(out, size, "-");
    else snprintf(out, size, "%.1f", v);
}

/* One goal line: ratio below limit (or at most limit when or_equal). */
static void goal(bench_text *t, int *missed, const char *what, double ratio, double limit, int or_equal) {
    int ok = ratio >= 0 && (ratio < limit || (or_equal && ratio == limit));
    if (!ok) (*missed)++;
    bench_textf(t, "| %s | %.3f | %s %.2f | %s |\n", what, ratio, or_equal ? "<=" : "<", limit,
                ok ? "reached" : "NOT reached");
}

int main(int argc, char **argv) {
    size_t n = (size_t)bench_arg_u64(argc, argv, "--records=", 1000000);
    unsigned runs = (unsigned)bench_arg_u64(argc, argv, "--runs=", 10), r, k;
    int write = bench_has_flag(argc, argv, "--write-results"), missed = 0;
    const char *results = bench_arg_str(argc, argv, "--results=", "bench/RESULTS.md");
    const char *only = bench_arg_str(argc, argv, "--only=", NULL);
    unsigned scrub_mb = (unsigned)bench_arg_u64(argc, argv, "--scrub-mb=", 256);
    bench_user *recs;
    uint64_t want;
    impl m[P_COUNT];
    bench_text t = {NULL, 0, 0};
    char machine[256], thp[64];
    double enc[P_COUNT], rd[P_COUNT], ver[P_COUNT], chk[P_COUNT], bpr[P_COUNT], worst_peer_enc = 0;
    const char *worst_peer = "";

    if (n == 0 || runs == 0) {
        fprintf(stderr, "usage: teleport_bench [--records=N] [--runs=N] [--write-results] [--results=PATH]\n");
        return 2;
    }
    scrub_bytes = (size_t)scrub_mb << 20;
    recs = (bench_user *)malloc(n * sizeof *recs);
    if (!recs) return fprintf(stderr, "teleport_bench: out of memory\n"), 1;
    gen_users(recs, n);
    want = expected_checksum(recs, n);

    memset(m, 0, sizeof m);
    m[P_DX].peer = &bench_peer_dx;
    m[P_MEMCPY].peer = &bench_peer_memcpy;
    m[P_FB].peer = &bench_peer_flatbuffers;
    m[P_CAPNP].peer = &bench_peer_capnp;
    m[P_PB].peer = &bench_peer_protobuf_c;
    m[P_MP].peer = &bench_peer_msgpack;
    for (k = 0; k < P_COUNT; k++) {
        bench_best_init(&m[k].enc);
        bench_best_init(&m[k].read);
        bench_best_init(&m[k].verify);
        bench_best_init(&m[k].checked);
        if (only && !strstr(m[k].peer->name, only)) continue;
        m[k].ctx = m[k].peer->create(recs, n);
        if (!m[k].ctx) return fprintf(stderr, "teleport_bench: %s: create failed\n", m[k].peer->name), 1;
        run_once(&m[k], recs, n, want, 0); /* warm-up: every buffer touched, every check made once */
    }
    if (fail_count) return 1;
    /* interleaved: each round runs every implementation, starting at a different one */
    for (r = 0; r < runs; r++)
        for (k = 0; k < P_COUNT; k++)
            if (m[(k + r) % P_COUNT].ctx) run_once(&m[(k + r) % P_COUNT], recs, n, want, 1);
    if (fail_count) return 1;
    if (only) {
        printf("%lu records, best of %u runs, ns per record (--only=%s)\n", (unsigned long)n, runs, only);
        for (k = 0; k < P_COUNT; k++)
            if (m[k].ctx)
                printf("%-28s encode %6.1f  read %6.1f  verify %6.1f  verify+read %6.1f  bytes %5.1f\n",
                       m[k].peer->name, per_rec(&m[k].enc, n), per_rec(&m[k].read, n), per_rec(&m[k].verify, n),
                       per_rec(&m[k].checked, n), (double)m[k].bytes / (double)n);
        for (k = 0; k < P_COUNT; k++)
            if (m[k].ctx) m[k].peer->destroy(m[k].ctx);
        free(recs);
        return 0;
    }

    for (k = 0; k < P_COUNT; k++) {
        enc[k] = per_rec(&m[k].enc, n);
        rd[k] = per_rec(&m[k].read, n);
        ver[k] = per_rec(&m[k].verify, n);
        chk[k] = m[k].peer->read_checked ? per_rec(&m[k].checked, n) : m[k].peer->verify ? -1.0 : rd[k];
        bpr[k] = (double)m[k].bytes / (double)n;
        if (k >= P_FB && enc[k] > 0 && enc[P_DX] / enc[k] > worst_peer_enc) {
            worst_peer_enc = enc[P_DX] / enc[k];
            worst_peer = m[k].peer->name;
        }
    }
    chk[P_MEMCPY] = -1.0; /* raw structs from untrusted bytes: nothing to check them with */

    bench_machine(machine, sizeof machine);
    thp_mode(thp, sizeof thp);
    bench_textf(&t, "%lu records {u64 id, u32 age, f64 score, name ~12 chars, email ~24 chars} in one buffer; "
                    "ns per record, best of %u interleaved runs, each step started with cold caches "
                    "(%u MiB read before it); all checksums agree (%016llx).\n"
                    "Built with: %s; compiler %s; GLIBC_TUNABLES=%s (transparent huge pages: %s).\n\n",
                (unsigned long)n, runs, scrub_mb, (unsigned long long)want, BENCH_FLAGS,
#if defined(__VERSION__)
                __VERSION__,
#else
                "?",
#endif
                getenv("GLIBC_TUNABLES") ? getenv("GLIBC_TUNABLES") : "(unset)", thp);
    {
        static const char *const head[] = {"implementation", "encode", "read", "verify", "verify + read",
                                           "bytes/record"};
        bench_row(&t, 6, head);
        bench_rule(&t, 6);
        for (k = 0; k < P_COUNT; k++) {
            char c[5][32];
            const char *row[6];
            cell_ns(c[0], sizeof c[0], enc[k]);
            cell_ns(c[1], sizeof c[1], rd[k]);
            if (m[k].peer->verify) cell_ns(c[2], sizeof c[2], ver[k]);
            else snprintf(c[2], sizeof c[2], k == P_MEMCPY ? "n/a" : "in read");
            cell_ns(c[3], sizeof c[3], chk[k]);
            if (k == P_MEMCPY) snprintf(c[3], sizeof c[3], "n/a");
            snprintf(c[4], sizeof c[4], "%.1f", bpr[k]);
            row[0] = m[k].peer->name;
            row[1] = c[0];
            row[2] = c[1];
            row[3] = c[2];
            row[4] = c[3];
            row[5] = c[4];
            bench_row(&t, 6, row);
        }
    }
    bench_textf(&t, "\n- read: every field of every record, after verification where the format has a separate "
                    "verifier (dx: dx_tp_reader_init done before; FlatBuffers: trusted read without the "
                    "Verifier). Cap'n Proto checks bounds while reading; protobuf-c and msgpack-c parse.\n"
                    "- verify: dx = dx_tp_reader_init (full verification); FlatBuffers = its generated Verifier.\n"
                    "- verify + read: the whole cost for untrusted bytes, timed as one call (dx: "
                    "dx_tp_reader_init + view + read; FlatBuffers: Verifier + read).\n\n");
    bench_textf(&t, "dx as a ratio of each (below 1 = dx faster or smaller):\n\n");
    {
        static const char *const head[] = {"dx / peer", "encode", "read", "verify", "verify + read",
                                           "bytes/record"};
        bench_row(&t, 6, head);
        bench_rule(&t, 6);
        for (k = P_MEMCPY; k < P_COUNT; k++) {
            char c[5][32];
            const char *row[6];
            snprintf(c[0], sizeof c[0], "%.2f", enc[P_DX] / enc[k]);
            snprintf(c[1], sizeof c[1], "%.2f", rd[P_DX] / rd[k]);
            if (ver[k] > 0) snprintf(c[2], sizeof c[2], "%.2f", ver[P_DX] / ver[k]);
            else snprintf(c[2], sizeof c[2], "-");
            if (chk[k] > 0) snprintf(c[3], sizeof c[3], "%.2f", chk[P_DX] / chk[k]);
            else snprintf(c[3], sizeof c[3], "-");
            snprintf(c[4], sizeof c[4], "%.2f", bpr[P_DX] / bpr[k]);
            row[0] = m[k].peer->name;
            row[1] = c[0];
            row[2] = c[1];
            row[3] = c[2];
            row[4] = c[3];
            row[5] = c[4];
            bench_row(&t, 6, row);
        }
    }
    bench_textf(&t, "\nGoals (the issue's, as ratios in this run):\n\n| goal | ratio | limit | |\n|---|---|---|---|\n");
    {
        char what[160];
        snprintf(what, sizeof what, "encode faster than every peer (memcpy is the limit, not a peer); the closest: %s", worst_peer);
        goal(&t, &missed, what, worst_peer_enc, 1.0, 0);
    }
    goal(&t, &missed, "encode / msgpack-c encode", enc[P_DX] / enc[P_MP], 0.8, 0);
    goal(&t, &missed, "encode / FlatBuffers encode", enc[P_DX] / enc[P_FB], 0.4, 0);
    goal(&t, &missed, "read (verified reader) / memcpy read", rd[P_DX] / rd[P_MEMCPY], 1.2, 0);
    goal(&t, &missed, "read (verified reader) / FlatBuffers read", rd[P_DX] / rd[P_FB], 0.7, 0);
    goal(&t, &missed, "verify (dx_tp_reader_init) / FlatBuffers Verifier", ver[P_DX] / ver[P_FB], 0.5, 0);
    goal(&t, &missed, "bytes per record / FlatBuffers'", (double)m[P_DX].bytes / (double)m[P_FB].bytes, 1.0, 1);
    bench_textf(&t, "\n%d of 7 goals reached. For information: dx verify + read / memcpy read = %.2f, "
                    "dx verify + read / FlatBuffers verify + read = %.2f.\n",
                7 - missed, chk[P_DX] / rd[P_MEMCPY], chk[P_DX] / chk[P_FB]);
    bench_textf(&t, "\nHow each implementation works:\n\n");
    for (k = 0; k < P_COUNT; k++) bench_textf(&t, "- %s: %s.\n", m[k].peer->name, m[k].peer->note);

    printf("teleport_bench (%s)\n\n%s", machine, t.s);
    if (write) {
        if (bench_results_write(results, "teleport",
                                "dx_teleport.h: 1,000,000 user records against memcpy and four peers "
                                "(bench/teleport_bench.c)",
                                t.s) != 0) return 1;
        printf("\nwrote the teleport section of %s\n", results);
    }
    bench_text_free(&t);
    for (k = 0; k < P_COUNT; k++) m[k].peer->destroy(m[k].ctx);
    free(recs);
    return 0;
}
