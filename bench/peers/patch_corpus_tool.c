/* patch_corpus_tool.c - deterministic mutations for the dx_patch benchmark corpora
   (bench/patch_corpus.sh builds and runs it; nothing here is timed)

   patch_corpus_tool edit IN OUT SEED COUNT MINLEN MAXLEN
       OUT = IN with COUNT in-place edits: each overwrites MINLEN..MAXLEN bytes
       (random values, every byte changed) at a random position; positions
       are drawn from SEED, sorted and at least 64 bytes apart.
   patch_corpus_tool shift IN OUT SEED INSERTS DELETES MINLEN MAXLEN
       OUT = IN with INSERTS insertions of random bytes and DELETES deletions,
       each MINLEN..MAXLEN bytes, at random positions (at least 64 KiB apart).
   patch_corpus_tool memimage READY_PREFIX [--raw OUT1 OUT2]
       A process with ~60 MiB of structured data (zeros, a record table,
       text, a hash index with pointers, random bytes, a float matrix).
       Without --raw: writes its pid to READY_PREFIX.1 when the first state is
       in memory and waits for SIGUSR1; then changes 1.5% of its data pages
       (a few fields per page, as a running program would), writes
       READY_PREFIX.2 and waits for SIGUSR1 again, then exits. The script
       gcore's it at both moments. With --raw (where gcore cannot attach):
       the two states of the data regions are written to OUT1 and OUT2.

   The pseudo-random generator is splitmix64: the same seed gives the same
   bytes on every machine. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t rng_state;
static uint64_t rng(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static uint64_t rng_below(uint64_t n) { return n ? rng() % n : 0; }

static uint8_t *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    uint8_t *p;
    long n;
    if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "patch_corpus_tool: cannot read %s\n", path);
        exit(1);
    }
    p = (uint8_t *)malloc((size_t)n + 1);
    if (!p || fread(p, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "patch_corpus_tool: cannot read %s\n", path);
        exit(1);
    }
    fclose(f);
    *len = (size_t)n;
    return p;
}

static void write_all(const char *path, const uint8_t *p, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "patch_corpus_tool: cannot write %s\n", path);
        exit(1);
    }
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* n sorted positions in [0, len - room), at least gap apart */
static void positions(uint64_t *pos, unsigned n, size_t len, size_t room, size_t gap) {
    unsigned i, tries = 0;
    for (;;) {
        int ok = 1;
        for (i = 0; i < n; i++) pos[i] = rng_below(len - room);
        qsort(pos, n, sizeof *pos, cmp_u64);
        for (i = 1; i < n; i++)
            if (pos[i] - pos[i - 1] < gap) ok = 0;
        if (ok) return;
        if (++tries > 1000) {
            fprintf(stderr, "patch_corpus_tool: cannot place %u edits %zu apart in %zu bytes\n", n, gap, len);
            exit(1);
        }
    }
}

static int cmd_edit(char **argv) {
    size_t len;
    uint8_t *p = read_all(argv[0], &len);
    unsigned count = (unsigned)atoi(argv[3]), minl = (unsigned)atoi(argv[4]), maxl = (unsigned)atoi(argv[5]), i, j;
    uint64_t *pos = (uint64_t *)malloc(count * sizeof *pos);
    rng_state = strtoull(argv[2], NULL, 0);
    positions(pos, count, len, maxl, 64);
    for (i = 0; i < count; i++) {
        unsigned n = minl + (unsigned)rng_below(maxl - minl + 1);
        for (j = 0; j < n; j++) p[pos[i] + j] ^= (uint8_t)(1 + rng_below(255)); /* never 0: every byte changes */
    }
    write_all(argv[1], p, len);
    printf("%u edits of %u..%u bytes\n", count, minl, maxl);
    return 0;
}

static int cmd_shift(char **argv) {
    size_t len, out_len = 0, at = 0;
    uint8_t *p = read_all(argv[0], &len), *out;
    unsigned ins = (unsigned)atoi(argv[3]), del = (unsigned)atoi(argv[4]), minl = (unsigned)atoi(argv[5]),
             maxl = (unsigned)atoi(argv[6]), n = ins + del, i, j;
    uint64_t *pos = (uint64_t *)malloc(n * sizeof *pos);
    unsigned *kind = (unsigned *)malloc(n * sizeof *kind);
    rng_state = strtoull(argv[2], NULL, 0);
    positions(pos, n, len, maxl, 65536);
    for (i = 0; i < n; i++) kind[i] = i < ins; /* 1: insert */
    for (i = n - 1; i > 0; i--) { /* shuffle which positions insert */
        unsigned k = (unsigned)rng_below(i + 1), t = kind[i];
        kind[i] = kind[k], kind[k] = t;
    }
    out = (uint8_t *)malloc(len + (size_t)ins * maxl);
    for (i = 0; i < n; i++) {
        unsigned l = minl + (unsigned)rng_below(maxl - minl + 1);
        memcpy(out + out_len, p + at, pos[i] - at);
        out_len += pos[i] - at;
        at = pos[i];
        if (kind[i]) {
            for (j = 0; j < l; j++) out[out_len++] = (uint8_t)rng();
            printf("insert %u bytes at %llu\n", l, (unsigned long long)pos[i]);
        } else {
            at += l;
            printf("delete %u bytes at %llu\n", l, (unsigned long long)pos[i]);
        }
    }
    memcpy(out + out_len, p + at, len - at);
    out_len += len - at;
    write_all(argv[1], out, out_len);
    return 0;
}

/* ---- the memory image ---- */

#define MIB ((size_t)1 << 20)
#define PAGE 4096u

typedef struct rec { /* 64 bytes: a row of an in-memory table */
    uint64_t id;
    uint32_t flags, count;
    double score;
    uint64_t updated; /* a timestamp, ns */
    char name[20];
    uint32_t parent;
    uint64_t next; /* a pointer */
} rec;

enum { R_ZERO, R_RECS, R_TEXT, R_INDEX, R_RANDOM, R_FLOAT, R_COUNT };
static const size_t region_mib[R_COUNT] = {12, 20, 12, 8, 4, 4}; /* 60 MiB */
static uint8_t *region[R_COUNT];

static const char *words[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
                              "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa",
                              "quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey", "xray",
                              "yankee", "zulu", "status", "ok", "error", "pending", "user", "session"};
#define NWORDS (sizeof words / sizeof words[0])

static void fill_regions(void) {
    size_t i, n;
    rec *r;
    char *t;
    uint64_t *ptrs;
    uint32_t *slots;
    double *m;
    for (i = 0; i < R_COUNT; i++) {
        region[i] = (uint8_t *)calloc(region_mib[i], MIB);
        if (!region[i]) exit(2);
    }
    /* records: sequential ids, small counters, smooth timestamps, names from words */
    r = (rec *)region[R_RECS];
    n = region_mib[R_RECS] * MIB / sizeof(rec);
    for (i = 0; i < n; i++) {
        r[i].id = 1000000 + i;
        r[i].flags = (uint32_t)(rng() & 0x13);
        r[i].count = (uint32_t)rng_below(100);
        r[i].score = (double)rng_below(100000) / 100.0;
        r[i].updated = 1700000000000000000ull + i * 1000003ull + rng_below(1000);
        snprintf(r[i].name, sizeof r[i].name, "%s_%s%u", words[rng_below(NWORDS)], words[rng_below(NWORDS)],
                 (unsigned)rng_below(100));
        r[i].parent = (uint32_t)rng_below(n);
        r[i].next = (uint64_t)(uintptr_t)&r[rng_below(n)];
    }
    /* text: key=value lines */
    t = (char *)region[R_TEXT];
    n = region_mib[R_TEXT] * MIB;
    for (i = 0; i + 80 < n;) {
        int k = snprintf(t + i, 80, "%s.%s=%s %s %u\n", words[rng_below(NWORDS)], words[rng_below(NWORDS)],
                         words[rng_below(NWORDS)], words[rng_below(NWORDS)], (unsigned)rng_below(65536));
        i += (size_t)k;
    }
    /* index: half-empty u32 hash slots, then pointers into the records */
    slots = (uint32_t *)region[R_INDEX];
    n = region_mib[R_INDEX] * MIB / 2 / 4;
    for (i = 0; i < n; i++) slots[i] = (rng() & 1) ? (uint32_t)rng_below(327680) : 0;
    ptrs = (uint64_t *)(region[R_INDEX] + region_mib[R_INDEX] * MIB / 2);
    n = region_mib[R_INDEX] * MIB / 2 / 8;
    for (i = 0; i < n; i++) ptrs[i] = (uint64_t)(uintptr_t)(region[R_RECS] + (size_t)rng_below(327680) * 64);
    /* random: keys, compressed caches */
    for (i = 0; i < region_mib[R_RANDOM] * MIB; i += 8) {
        uint64_t v = rng();
        memcpy(region[R_RANDOM] + i, &v, 8);
    }
    /* a float matrix of a smooth function */
    m = (double *)region[R_FLOAT];
    n = region_mib[R_FLOAT] * MIB / 8;
    for (i = 0; i < n; i++) m[i] = (double)(i % 512) * 0.25 + (double)(i / 512) * 0.5;
    /* the zero region stays mostly zero: a few scattered small allocations */
    for (i = 0; i < 64; i++) {
        uint64_t v = rng();
        memcpy(region[R_ZERO] + rng_below(region_mib[R_ZERO] * MIB / 8) * 8, &v, 8);
    }
}

/* 1.5% of the data pages change: a few fields in each, by region. */
static unsigned mutate_regions(void) {
    size_t total = 0, i;
    unsigned pages, done = 0;
    uint8_t *seen;
    for (i = 0; i < R_COUNT; i++) total += region_mib[i] * MIB / PAGE;
    pages = (unsigned)(total * 15 / 1000);
    seen = (uint8_t *)calloc(total, 1);
    while (done < pages) {
        size_t pg = rng_below(total), p = pg, k, j, fields;
        unsigned reg = 0;
        uint8_t *base;
        if (seen[pg]) continue;
        seen[pg] = 1;
        done++;
        while (p >= region_mib[reg] * MIB / PAGE) p -= region_mib[reg] * MIB / PAGE, reg++;
        base = region[reg] + p * PAGE;
        fields = 1 + rng_below(4);
        for (k = 0; k < fields; k++) {
            switch (reg) {
            case R_ZERO: { /* a new small object */
                size_t at = rng_below(PAGE / 32) * 32;
                for (j = 0; j < 24; j++) base[at + j] = (uint8_t)rng();
                break;
            }
            case R_RECS: { /* a row updated: counter, timestamp, sometimes score */
                rec *r = (rec *)(void *)(base + rng_below(PAGE / sizeof(rec)) * sizeof(rec));
                r->count++;
                r->updated += 1000000000ull + rng_below(1000000);
                if (rng() & 1) r->score = (double)rng_below(100000) / 100.0;
                break;
            }
            case R_TEXT: { /* a word rewritten */
                size_t at = rng_below(PAGE - 8);
                const char *w = words[rng_below(NWORDS)];
                memcpy(base + at, w, strlen(w) < 8 ? strlen(w) : 8);
                break;
            }
            case R_INDEX: { /* a slot or a pointer set */
                size_t at = rng_below(PAGE / 8) * 8;
                uint64_t v = (uint64_t)(uintptr_t)(region[R_RECS] + (size_t)rng_below(327680) * 64);
                memcpy(base + at, &v, 8);
                break;
            }
            case R_RANDOM: { /* a 16-byte key replaced */
                size_t at = rng_below(PAGE / 16) * 16;
                for (j = 0; j < 16; j++) base[at + j] = (uint8_t)rng();
                break;
            }
            default: { /* a few matrix cells updated */
                double *d = (double *)(void *)(base + rng_below(PAGE / 8) * 8);
                *d += 1.0 / 3.0;
                break;
            }
            }
        }
    }
    free(seen);
    return pages;
}

static volatile sig_atomic_t go;
static void on_usr1(int sig) {
    (void)sig;
    go = 1;
}

static void ready(const char *prefix, int n) {
    char path[4096];
    FILE *f;
    snprintf(path, sizeof path, "%s.%d", prefix, n);
    f = fopen(path, "w");
    if (!f) exit(1);
    fprintf(f, "%ld\n", (long)getpid());
    fclose(f);
}

static void wait_go(void) {
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    while (!go) sigsuspend(&old);
    go = 0;
    sigprocmask(SIG_SETMASK, &old, NULL);
}

static void dump_regions(const char *path) {
    FILE *f = fopen(path, "wb");
    size_t i;
    for (i = 0; f && i < R_COUNT; i++)
        if (fwrite(region[i], MIB, region_mib[i], f) != region_mib[i]) break;
    if (!f || i < R_COUNT || fclose(f) != 0) {
        fprintf(stderr, "patch_corpus_tool: cannot write %s\n", path);
        exit(1);
    }
}

static int cmd_memimage(int argc, char **argv) {
    struct sigaction sa;
    int raw = argc >= 4 && strcmp(argv[1], "--raw") == 0;
    unsigned pages;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    rng_state = 0x6d656d696d616765ull; /* "memimage" */
    fill_regions();
    if (raw) dump_regions(argv[2]);
    else ready(argv[0], 1), wait_go();
    pages = mutate_regions();
    if (raw) dump_regions(argv[3]);
    else ready(argv[0], 2), wait_go();
    fprintf(stderr, "memimage: %u of the data pages changed\n", pages);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 8 && strcmp(argv[1], "edit") == 0) return cmd_edit(argv + 2);
    if (argc == 9 && strcmp(argv[1], "shift") == 0) return cmd_shift(argv + 2);
    if (argc >= 3 && strcmp(argv[1], "memimage") == 0) return cmd_memimage(argc - 2, argv + 2);
    fprintf(stderr, "usage: see the top of bench/peers/patch_corpus_tool.c\n");
    return 2;
}
