/* prop.h - small property-based test harness for the dx tests - C99, libc only
 *
 * OVERVIEW
 *   A test program is one .c file that includes this header once, lists its
 *   tests in a table and calls prop_main(). A unit test runs once. A property
 *   runs N cases; case i gets its own seed derived from the base seed. At the
 *   first failing case the property stops, the size bound is shrunk by binary
 *   search, and the command line that replays the minimal failure is printed.
 *   DOES NOT: catch crashes, run tests in parallel, allocate memory, or shrink
 *   anything but the size bound.
 *
 * QUICK START
 *   #include "prop.h"
 *   static int t_add(prop_ctx *p) { PROP_CHECK(p, 1 + 1 == 2); return 0; }
 *   static int p_roundtrip(prop_ctx *p) {
 *       uint8_t buf[4096];
 *       size_t n = prop_len(p, sizeof buf);   // edge-biased, obeys the size bound
 *       prop_bytes(p, buf, n);                // random, zero-heavy or repetitive
 *       prop_note(p, "n=%lu", (unsigned long)n);   // printed only on failure
 *       PROP_CHECK_MSG(p, roundtrip(buf, n) == 0, "n=%lu", (unsigned long)n);
 *       return 0;
 *   }
 *   static const prop_test tests[] = { PROP_UNIT(t_add), PROP_PROPERTY(p_roundtrip) };
 *   int main(int argc, char **argv) {
 *       return prop_main(argc, argv, tests, sizeof tests / sizeof tests[0]);
 *   }
 *   Print size_t as (unsigned long) with %lu or (uint64_t) with PRIu64: %zu is
 *   not available in every C99 runtime we target.
 *
 * COMMAND LINE (command line wins over environment)
 *   --filter=SUBSTR  run tests whose name contains SUBSTR (also limits --list)
 *   --list           print test names, exit 0
 *   --seed=N         base seed, decimal or 0x hex   (env DX_PROP_SEED; else time)
 *   --cases=N        cases per property, N >= 1     (env DX_PROP_CASES; else 1000)
 *   --size=B         size bound for prop_len        (default unbounded)
 *   --quiet          no PASS lines
 *   Output: first line "<prog>: seed=S cases=N"; a FAIL or SKIP line per such
 *   test (a FAIL is followed by indented detail lines); a PASS line per passed
 *   test unless --quiet; last line exactly "<prog>: N passed, N failed, N skipped"
 *   (<prog> = basename of argv[0], ".exe" dropped). Exit 0, 1 if any test
 *   failed, 2 on a usage error.
 *
 * API
 *   Tests: int fn(prop_ctx *p); return 0. A nonzero return without a failed
 *   check also counts as a failure.
 *   PROP_UNIT(fn) / PROP_PROPERTY(fn)   prop_test table entries (run once / N cases)
 *   PROP_CHECK(p, cond)                 on false: record file:line + cond, `return 1`
 *   PROP_CHECK_MSG(p, cond, fmt, ...)   same, plus a printf-style message
 *   PROP_FAIL(p, fmt, ...)              record a failure, `return 1`
 *   PROP_SKIP(p, fmt, ...)              mark the test skipped, `return 0`
 *   PROP_EXPECT(p, cond)                record like PROP_CHECK but do not return;
 *   PROP_EXPECT_MSG(p, cond, fmt, ...)  yields cond: `if (!PROP_EXPECT(p, x)) goto fail;`
 *   prop_check_at(p, ok, file, line, expr)            the functions behind the macros;
 *   prop_check_msg_at(p, ok, file, line, expr, fmt, ...)  they return ok, and keep only
 *   prop_skip(p, fmt, ...)                            the first failure (PROP_MSG_MAX)
 *   prop_note(p, fmt, ...)              add a context line, printed only if the run fails
 *   prop_u64 / prop_u32 / prop_bool     uniform values
 *   prop_range(p, lo, hi)               uniform uint64_t in [lo, hi], inclusive
 *   prop_len(p, max)                    length in [0, min(max, p->size)], biased
 *                                       to 0, 1, max, max-1, 2^k and 2^k +- 1
 *   prop_bytes(p, buf, n)               fill n bytes in a mode picked per call:
 *   prop_bytes_random/_zeroish/_repetitive  ...or in the named mode
 *   prop_ctx_init(p, seed, size)        a generator context outside the runner
 *   prop_case_seed(base, i)             seed of case i (case 0 = base)
 *   prop_run_one(test, opts, result)    run one test as prop_main does; returns
 *                                       PROP_PASS / PROP_FAIL / PROP_SKIP (self tests)
 *   prop_main(argc, argv, tests, n)     parse the command line, run, summarize
 *   Readable fields: p->seed (this case's seed), p->size (size bound).
 *
 * SEEDS AND SHRINKING
 *   Case 0 uses the base seed and case i > 0 uses prop_case_seed(base, i), so
 *   "--seed=<case seed> --cases=1" replays a failing case as case 0. prop_len()
 *   clamps values above p->size to p->size, and every generator draws a fixed
 *   number of values per call, so a smaller bound changes only the lengths that
 *   exceed it. Shrinking binary-searches the bound between 0 and the largest
 *   length the failing case drew, and reports the smallest bound that fails.
 *   This needs every length to come from prop_len() and the test to depend on
 *   nothing but p (no clock, no state kept between runs). A failing property
 *   that drew no prop_len() length is reported without shrinking.
 *   Deterministic: the same seed gives the same values on every platform.
 */
#ifndef DX_PROP_H
#define DX_PROP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__linux__)
#include <unistd.h> /* sysconf */
#endif

#ifndef PROP_API /* static inline: unused helpers do not warn, two TUs do not clash */
#define PROP_API static inline
#endif
#ifndef PROP_DEFAULT_CASES
#define PROP_DEFAULT_CASES 1000ul
#endif
#define PROP_MSG_MAX 512
#define PROP_NOTES_MAX 1024

#if defined(__GNUC__) || defined(__clang__) /* let -Wformat check the messages */
#if defined(__MINGW_PRINTF_FORMAT)          /* matches the printf mingw selected */
#define PROP__PRINTF(f, a) __attribute__((format(__MINGW_PRINTF_FORMAT, f, a)))
#else
#define PROP__PRINTF(f, a) __attribute__((format(printf, f, a)))
#endif
#else
#define PROP__PRINTF(f, a)
#endif

enum { PROP_PASS = 0, PROP_FAIL = 1, PROP_SKIP = 2 };

typedef struct prop_ctx {
    uint64_t s[4];  /* xoshiro256** state */
    uint64_t seed;  /* seed of this run */
    size_t size;    /* size bound: prop_len never returns more */
    size_t peak;    /* largest length drawn before clamping: shrinking starts here */
    unsigned long lens; /* prop_len calls; 0 means there is nothing to shrink */
    int failed;     /* failed checks in this run */
    int skipped;
    char msg[PROP_MSG_MAX];     /* first failure, or the skip reason */
    char notes[PROP_NOTES_MAX]; /* prop_note lines */
} prop_ctx;

typedef int (*prop_fn)(prop_ctx *p);
typedef struct prop_test {
    const char *name;
    prop_fn fn;
    int property; /* 0: run once, 1: run opts.cases cases */
} prop_test;
#define PROP_UNIT(fn) { #fn, fn, 0 }
#define PROP_PROPERTY(fn) { #fn, fn, 1 }

typedef struct prop_opts {
    uint64_t seed;       /* base seed */
    unsigned long cases; /* cases per property */
    size_t size;         /* size bound, SIZE_MAX = unbounded */
    int quiet;           /* no PASS line */
    FILE *out;           /* report stream; NULL = silent */
    const char *argv0;   /* program in the reproduce line */
} prop_opts;

typedef struct prop_result {
    int status;               /* PROP_PASS, PROP_FAIL or PROP_SKIP */
    unsigned long cases;      /* cases run, the failing one included */
    unsigned long fail_case;  /* index of the failing case */
    uint64_t fail_seed;       /* its case seed */
    size_t size;              /* bound that replays the failure before shrinking */
    size_t shrunk;            /* smallest failing bound found (== size if none) */
    int shrink_runs;          /* extra runs spent shrinking */
    char msg[PROP_MSG_MAX];   /* failure of the minimal run, or skip reason */
} prop_result;

#define PROP_CHECK(p, cond) \
    do { if (!prop_check_at((p), (cond) ? 1 : 0, __FILE__, __LINE__, #cond)) return 1; } while (0)
#define PROP_CHECK_MSG(p, cond, ...) \
    do { \
        if (!prop_check_msg_at((p), (cond) ? 1 : 0, __FILE__, __LINE__, #cond, __VA_ARGS__)) \
            return 1; \
    } while (0)
#define PROP_FAIL(p, ...) \
    do { prop_check_msg_at((p), 0, __FILE__, __LINE__, NULL, __VA_ARGS__); return 1; } while (0)
#define PROP_SKIP(p, ...) do { prop_skip((p), __VA_ARGS__); return 0; } while (0)
#define PROP_EXPECT(p, cond) prop_check_at((p), (cond) ? 1 : 0, __FILE__, __LINE__, #cond)
#define PROP_EXPECT_MSG(p, cond, ...) \
    prop_check_msg_at((p), (cond) ? 1 : 0, __FILE__, __LINE__, #cond, __VA_ARGS__)

PROP_API int prop_check_msg_at(prop_ctx *p, int ok, const char *file, int line,
                               const char *expr, const char *fmt, ...) PROP__PRINTF(6, 7);
PROP_API void prop_skip(prop_ctx *p, const char *fmt, ...) PROP__PRINTF(2, 3);
PROP_API void prop_note(prop_ctx *p, const char *fmt, ...) PROP__PRINTF(2, 3);

/* ---- PRNG: splitmix64 seeds xoshiro256**; pure 64-bit arithmetic, so the
 * values are identical on every platform and byte order. */
PROP_API uint64_t prop__splitmix(uint64_t *x) {
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}
PROP_API uint64_t prop__rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

PROP_API void prop_ctx_init(prop_ctx *p, uint64_t seed, size_t size) {
    uint64_t x = seed;
    int i;
    memset(p, 0, sizeof *p);
    for (i = 0; i < 4; i++) p->s[i] = prop__splitmix(&x);
    p->seed = seed;
    p->size = size;
}
PROP_API uint64_t prop_case_seed(uint64_t base, unsigned long i) {
    uint64_t x = base + (uint64_t)i * UINT64_C(0xD1B54A32D192ED03);
    return i == 0 ? base : prop__splitmix(&x);
}
PROP_API uint64_t prop_u64(prop_ctx *p) {
    uint64_t *s = p->s, r = prop__rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = prop__rotl(s[3], 45);
    return r;
}
PROP_API uint32_t prop_u32(prop_ctx *p) { return (uint32_t)(prop_u64(p) >> 32); }
PROP_API int prop_bool(prop_ctx *p) { return (int)(prop_u64(p) >> 63); }

/* One draw per call even where rejection would remove the (< n/2^64) modulo
 * bias: a fixed draw count keeps later values in place while shrinking. */
PROP_API uint64_t prop_range(prop_ctx *p, uint64_t lo, uint64_t hi) {
    uint64_t x = prop_u64(p), n;
    if (lo > hi) { n = lo; lo = hi; hi = n; }
    n = hi - lo + 1; /* 0: the whole 64-bit range */
    return n == 0 ? x : lo + x % n;
}

PROP_API size_t prop_len(prop_ctx *p, size_t max) {
    uint64_t r = prop_u64(p), k = prop_u64(p), m = (uint64_t)max, v;
    unsigned hb = 0;
    switch (r >> 60) { /* 16 buckets: about half of all draws are edge values */
    case 0: case 1: v = 0; break;
    case 2: case 3: v = 1; break;
    case 4: case 5: v = m; break;
    case 6: v = m ? m - 1 : 0; break;
    case 7: case 8: case 9: /* 2^k - 1, 2^k, 2^k + 1 with 2^k <= max */
        while (hb < 63 && (m >> (hb + 1)) != 0) hb++;
        v = ((uint64_t)1 << (k % (hb + 1))) - 1 + (k >> 32) % 3;
        break;
    case 10: case 11: v = k % ((m < 32 ? m : 32) + 1); break; /* small */
    default: v = m == UINT64_MAX ? k : k % (m + 1); break;
    }
    if (v > m) v = m;
    if (v > (uint64_t)p->peak) p->peak = (size_t)v;
    p->lens++;
    if (v > (uint64_t)p->size) v = (uint64_t)p->size; /* clamp, not rescale: see top */
    return (size_t)v;
}

/* Each filler draws one sub-seed from the context and fills sequentially from
 * it, so buffers of different n from the same state share their prefix. */
PROP_API void prop_bytes_random(prop_ctx *p, void *buf, size_t n) {
    uint8_t *b = (uint8_t *)buf;
    uint64_t x = prop_u64(p), w = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        if ((i & 7) == 0) w = prop__splitmix(&x);
        b[i] = (uint8_t)(w & 0xff); /* shifts, not memcpy: byte order independent */
        w >>= 8;
    }
}
PROP_API void prop_bytes_zeroish(prop_ctx *p, void *buf, size_t n) {
    uint8_t *b = (uint8_t *)buf;
    uint64_t x = prop_u64(p), w = prop__splitmix(&x);
    uint64_t gap = (uint64_t)4 << ((w & 3) * 2); /* mean gap between nonzeros: 2..128 */
    size_t i = (size_t)((w >> 8) % gap), step;
    if (n == 0) return;
    memset(b, 0, n);
    while (i < n) {
        w = prop__splitmix(&x);
        b[i] = (uint8_t)(1 + w % 255);
        step = 1 + (size_t)((w >> 8) % gap);
        if (n - i <= step) break;
        i += step;
    }
}
PROP_API void prop_bytes_repetitive(prop_ctx *p, void *buf, size_t n) {
    uint8_t *b = (uint8_t *)buf, pat[16];
    uint64_t x = prop_u64(p), w = prop__splitmix(&x), lo = prop__splitmix(&x),
             hi = prop__splitmix(&x);
    size_t i, period = 1 + (size_t)(w % 16);
    for (i = 0; i < 8; i++) {
        pat[i] = (uint8_t)(lo >> (8 * i));
        pat[i + 8] = (uint8_t)(hi >> (8 * i));
    }
    for (i = 0; i < n; i++) b[i] = pat[i % period];
}
PROP_API void prop_bytes(prop_ctx *p, void *buf, size_t n) {
    switch (prop_u64(p) >> 62) {
    case 0: prop_bytes_zeroish(p, buf, n); break;
    case 1: prop_bytes_repetitive(p, buf, n); break;
    default: prop_bytes_random(p, buf, n); break;
    }
}

/* ---- checks and reports */
PROP_API void prop__vappend(char *dst, size_t cap, const char *fmt, va_list ap) PROP__PRINTF(3, 0);
PROP_API void prop__vappend(char *dst, size_t cap, const char *fmt, va_list ap) {
    size_t len = strlen(dst);
    if (len + 1 >= cap) return;
    (void)vsnprintf(dst + len, cap - len, fmt, ap);
    dst[cap - 1] = '\0'; /* some old runtimes do not terminate on truncation */
}
PROP_API void prop__append(char *dst, size_t cap, const char *fmt, ...) PROP__PRINTF(3, 4);
PROP_API void prop__append(char *dst, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    prop__vappend(dst, cap, fmt, ap);
    va_end(ap);
}
PROP_API int prop_check_at(prop_ctx *p, int ok, const char *file, int line, const char *expr) {
    if (!ok && p->failed++ == 0)
        prop__append(p->msg, sizeof p->msg, "%s:%d: check failed: %s", file, line, expr);
    return ok;
}
PROP_API int prop_check_msg_at(prop_ctx *p, int ok, const char *file, int line,
                               const char *expr, const char *fmt, ...) {
    va_list ap;
    if (ok || p->failed++ != 0) return ok;
    p->msg[0] = '\0';
    if (expr) prop__append(p->msg, sizeof p->msg, "%s:%d: check failed: %s: ", file, line, expr);
    else prop__append(p->msg, sizeof p->msg, "%s:%d: failed: ", file, line);
    va_start(ap, fmt);
    prop__vappend(p->msg, sizeof p->msg, fmt, ap);
    va_end(ap);
    return ok;
}
PROP_API void prop_skip(prop_ctx *p, const char *fmt, ...) {
    va_list ap;
    if (p->skipped++ != 0 || p->failed) return; /* the first reason wins */
    p->msg[0] = '\0';
    va_start(ap, fmt);
    prop__vappend(p->msg, sizeof p->msg, fmt, ap);
    va_end(ap);
}
PROP_API void prop_note(prop_ctx *p, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    prop__vappend(p->notes, sizeof p->notes, fmt, ap);
    va_end(ap);
    prop__append(p->notes, sizeof p->notes, "\n");
}

/* ---- runner */
PROP_API int prop__exec(const prop_test *t, prop_ctx *p, uint64_t seed, size_t size) {
    int rc;
    prop_ctx_init(p, seed, size);
    rc = t->fn(p);
    if (rc != 0 && !p->failed) {
        p->failed = 1;
        p->msg[0] = '\0';
        prop__append(p->msg, sizeof p->msg, "test returned %d without a failed check", rc);
    }
    return p->failed ? PROP_FAIL : p->skipped ? PROP_SKIP : PROP_PASS;
}
PROP_API void prop__print_notes(FILE *out, const char *s) {
    const char *e;
    for (; *s; s = *e ? e + 1 : e) {
        e = strchr(s, '\n');
        if (!e) e = s + strlen(s);
        fprintf(out, "  note: %.*s\n", (int)(e - s), s);
    }
}
PROP_API void prop__report(const prop_test *t, const prop_opts *o, const prop_result *r,
                           const prop_ctx *first, const prop_ctx *best) {
    FILE *out = o->out;
    if (!out) return;
    if (r->status == PROP_SKIP) { fprintf(out, "SKIP %s: %s\n", t->name, r->msg); return; }
    if (r->status == PROP_PASS) {
        if (o->quiet) return;
        if (t->property) fprintf(out, "PASS %s (%lu cases)\n", t->name, r->cases);
        else fprintf(out, "PASS %s\n", t->name);
        return;
    }
    if (!t->property) {
        fprintf(out, "FAIL %s: %s\n", t->name, r->msg);
        prop__print_notes(out, best->notes);
        return;
    }
    fprintf(out, "FAIL %s: case %lu of %lu, case seed %" PRIu64 "\n", t->name, r->fail_case,
            o->cases, r->fail_seed);
    fprintf(out, "  %s\n", first->msg);
    if (first->lens == 0) fprintf(out, "  not shrunk: the property drew no prop_len lengths\n");
    else fprintf(out, "  shrunk size bound %" PRIu64 " -> %" PRIu64 " in %d runs: %s\n",
                 (uint64_t)r->size, (uint64_t)r->shrunk, r->shrink_runs, r->msg);
    prop__print_notes(out, best->notes);
    fprintf(out, "  reproduce: %s --filter=%s --seed=%" PRIu64 " --cases=1", o->argv0, t->name,
            r->fail_seed);
    if (r->shrunk != SIZE_MAX) fprintf(out, " --size=%" PRIu64, (uint64_t)r->shrunk);
    fprintf(out, "\n");
}

/* Runs one test (all cases of a property), shrinks a failure, reports to
 * o->out and returns r->status. */
PROP_API int prop_run_one(const prop_test *t, const prop_opts *o, prop_result *r) {
    prop_ctx c, first, best;
    unsigned long i, n = t->property ? o->cases : 1;
    size_t lo = 0, hi, mid;
    int st = PROP_PASS;
    memset(r, 0, sizeof *r);
    memset(&c, 0, sizeof c);
    for (i = 0; i < n && st == PROP_PASS; i++) {
        r->fail_seed = t->property ? prop_case_seed(o->seed, i) : o->seed;
        st = prop__exec(t, &c, r->fail_seed, o->size);
        r->cases = i + 1;
    }
    r->status = st;
    r->fail_case = r->cases ? r->cases - 1 : 0;
    r->size = r->shrunk = o->size;
    memcpy(r->msg, c.msg, sizeof r->msg);
    first = best = c;
    if (st == PROP_FAIL && t->property && c.lens != 0) {
        /* Runs at bounds >= the peak length equal the failing run; below it,
         * keep only bounds that fail, so the answer always replays. */
        r->size = hi = c.peak < o->size ? c.peak : o->size;
        while (lo < hi) {
            mid = lo + (hi - lo) / 2;
            r->shrink_runs++;
            if (prop__exec(t, &c, r->fail_seed, mid) == PROP_FAIL) { hi = mid; best = c; }
            else lo = mid + 1;
        }
        r->shrunk = hi;
        memcpy(r->msg, best.msg, sizeof r->msg);
    }
    prop__report(t, o, r, &first, &best);
    return st;
}

PROP_API int prop__parse_u64(const char *s, uint64_t *out) {
    uint64_t v = 0, base = 10, d;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) { base = 16; s += 2; }
    if (*s == '\0') return 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') d = (uint64_t)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f') d = (uint64_t)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F') d = (uint64_t)(*s - 'A' + 10);
        else return 0;
        if (v > (UINT64_MAX - d) / base) return 0;
        v = v * base + d;
    }
    *out = v;
    return 1;
}
PROP_API uint64_t prop__time_seed(void) {
    int local = 0; /* its address adds ASLR entropy to the clock */
    uint64_t x = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 32) ^ (uint64_t)(uintptr_t)&local;
    return prop__splitmix(&x);
}
PROP_API int prop__usage(const char *prog, const char *bad, const char *val) {
    if (bad) fprintf(stderr, "%s: bad %s: '%s'\n", prog, bad, val);
    fprintf(bad ? stderr : stdout,
            "usage: %s [--filter=SUBSTR] [--list] [--seed=N] [--cases=N] [--size=B] [--quiet]\n"
            "  env DX_PROP_SEED, DX_PROP_CASES supply defaults for --seed and --cases\n", prog);
    return bad ? 2 : 0;
}

PROP_API int prop_main(int argc, char **argv, const prop_test *tests, size_t ntests) {
    prop_opts o;
    prop_result r;
    char prog[128];
    const char *a0 = (argc > 0 && argv[0] && argv[0][0]) ? argv[0] : "prop", *base = a0, *s;
    const char *filter = "", *seed_s = getenv("DX_PROP_SEED"), *cases_s = getenv("DX_PROP_CASES");
    const char *size_s = NULL, *seed_n = "DX_PROP_SEED", *cases_n = "DX_PROP_CASES";
    uint64_t v;
    unsigned long counts[3] = {0, 0, 0};
    size_t i, len;
    int list = 0;

    for (s = a0; *s; s++) if (*s == '/' || *s == '\\') base = s + 1;
    len = strlen(base);
    if (len > 4 && strcmp(base + len - 4, ".exe") == 0) len -= 4; /* same name on Windows */
    if (len >= sizeof prog) len = sizeof prog - 1;
    memcpy(prog, base, len);
    prog[len] = '\0';

    memset(&o, 0, sizeof o);
    o.cases = PROP_DEFAULT_CASES;
    o.size = SIZE_MAX;
    o.out = stdout;
    o.argv0 = a0;
    for (i = 1; i < (size_t)(argc > 0 ? argc : 0); i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--filter=", 9) == 0) filter = arg + 9;
        else if (strncmp(arg, "--seed=", 7) == 0 && arg[7]) { seed_s = arg + 7; seed_n = "--seed"; }
        else if (strncmp(arg, "--cases=", 8) == 0 && arg[8]) {
            cases_s = arg + 8;
            cases_n = "--cases";
        }
        else if (strncmp(arg, "--size=", 7) == 0 && arg[7]) size_s = arg + 7;
        else if (strcmp(arg, "--list") == 0) list = 1;
        else if (strcmp(arg, "--quiet") == 0) o.quiet = 1;
        else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
            return prop__usage(prog, NULL, NULL);
        else return prop__usage(prog, "option", arg);
    }
    if (seed_s && *seed_s) {
        if (!prop__parse_u64(seed_s, &o.seed)) return prop__usage(prog, seed_n, seed_s);
    } else {
        o.seed = prop__time_seed();
    }
    if (cases_s && *cases_s) {
        if (!prop__parse_u64(cases_s, &v) || v == 0 || (uint64_t)(unsigned long)v != v)
            return prop__usage(prog, cases_n, cases_s);
        o.cases = (unsigned long)v;
    }
    if (size_s) {
        if (!prop__parse_u64(size_s, &v) || (uint64_t)(size_t)v != v)
            return prop__usage(prog, "--size", size_s);
        o.size = (size_t)v;
    }

    if (list) {
        for (i = 0; i < ntests; i++)
            if (strstr(tests[i].name, filter)) printf("%s\n", tests[i].name);
        return 0;
    }
    printf("%s: seed=%" PRIu64 " cases=%lu", prog, o.seed, o.cases);
    if (o.size != SIZE_MAX) printf(" size=%" PRIu64, (uint64_t)o.size);
    printf("\n");
    fflush(stdout);
    for (i = 0; i < ntests; i++) {
        if (!strstr(tests[i].name, filter)) continue;
        counts[prop_run_one(&tests[i], &o, &r)]++;
        fflush(stdout); /* keep output ordered if a later test crashes */
    }
    printf("%s: %lu passed, %lu failed, %lu skipped\n", prog, counts[PROP_PASS], counts[PROP_FAIL],
           counts[PROP_SKIP]);
    return counts[PROP_FAIL] ? 1 : 0;
}

/* The process's resident memory in KiB (Linux: /proc/self/statm); -1 where it is not known. */
PROP_API long prop_resident_kib(void) {
#if defined(__linux__)
    long pages = 0, rss = -1;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return -1;
    if (fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = -1;
    fclose(f);
    return rss < 0 ? -1 : rss * (sysconf(_SC_PAGESIZE) / 1024);
#else
    return -1;
#endif
}

#endif /* DX_PROP_H */
