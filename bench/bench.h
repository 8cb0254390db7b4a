/* bench.h - shared helpers for the dx benchmarks (bench/<mod>_bench.c) - C99, libc (+ POSIX or Win32)

   Include it first in a benchmark's one .c file (it sets _POSIX_C_SOURCE for
   clock_gettime). Everything here is static: no implementation define.

CONVENTION
   A benchmark prints its own figures next to the peers' figures measured in
   the same process run, in ns and as ratios to the peers (so a noisy machine
   still gives a fair comparison), and never asserts on time. With
   --write-results it replaces its own section of bench/RESULTS.md (between
   <!-- BEGIN name --> and <!-- END name -->), leaving the other sections alone.

API
   uint64_t bench_now_ns(void)              monotonic clock in ns (CLOCK_MONOTONIC / QueryPerformanceCounter)
   bench_best                               the best (smallest) of several runs of one measurement:
     bench_best_init(&b); bench_best_add(&b, ns); b.best, b.runs
   BENCH_BEST_OF(runs, out_ns, code)        runs code `runs` times, out_ns = the fastest run in ns
   bench_scrub_cache(bytes)                 reads `bytes` of other memory (one load per 64-byte line) so that
                                            the next step starts with cold, clean caches (0: does nothing)
   bench_text                               a growable string; the report is built once, printed and written:
     bench_textf(&t, fmt, ...)              appends printf-style (aborts on out of memory)
     bench_row(&t, ncells, cells)           appends one markdown table row "| a | b |"
     bench_rule(&t, ncells)                 appends the "|---|---|" line under a header row
     bench_text_free(&t)
   bench_machine(buf, size)                 "x86_64, 2 CPUs, Intel(R) ..." (uname -m, nproc, /proc/cpuinfo)
   bench_results_write(path, name, title, body)  replaces or appends section name of path (created with
                                            a title line if absent): "## title", the date and machine, body;
                                            returns 0, or -1 with a message on stderr
   bench_has_flag(argc, argv, "--write-results"), bench_arg_u64(argc, argv, "--runs=", default)
*/
#ifndef DX_BENCH_H
#define DX_BENCH_H

#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(_WIN32)
#include <windows.h>
#else
#include <sys/utsname.h>
#include <unistd.h>
#endif

#if defined(__GNUC__) || defined(__clang__)
#define BENCH_FN static __attribute__((unused))
#define BENCH_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define BENCH_FN static
#define BENCH_PRINTF(f, a)
#endif

/* ---- clock ---- */

BENCH_FN uint64_t bench_now_ns(void) {
#if defined(_WIN32)
    static LARGE_INTEGER freq; /* constant after boot */
    LARGE_INTEGER now;
    if (freq.QuadPart == 0) QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&now);
    return (uint64_t)(now.QuadPart / freq.QuadPart) * 1000000000u +
           (uint64_t)(now.QuadPart % freq.QuadPart) * 1000000000u / (uint64_t)freq.QuadPart;
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

/* ---- best of N ---- */

typedef struct bench_best {
    uint64_t best; /* ns of the fastest run; UINT64_MAX before the first */
    unsigned runs;
} bench_best;

BENCH_FN void bench_best_init(bench_best *b) {
    b->best = UINT64_MAX;
    b->runs = 0;
}

BENCH_FN void bench_best_add(bench_best *b, uint64_t ns) {
    if (ns < b->best) b->best = ns;
    b->runs++;
}

/* Runs code `runs` times back to back; out_ns gets the fastest run. For
   measurements interleaved with other work, use bench_best directly. */
#define BENCH_BEST_OF(runs, out_ns, code)                         \
    do {                                                          \
        bench_best bench_b_;                                      \
        unsigned bench_i_;                                        \
        bench_best_init(&bench_b_);                               \
        for (bench_i_ = 0; bench_i_ < (unsigned)(runs); bench_i_++) { \
            uint64_t bench_t0_ = bench_now_ns();                  \
            code;                                                 \
            bench_best_add(&bench_b_, bench_now_ns() - bench_t0_); \
        }                                                         \
        (out_ns) = bench_b_.best;                                 \
    } while (0)

/* ---- cold caches ---- */

static volatile unsigned bench_scrub_sink; /* keeps the scrub's loads */

/* A measurement of data larger than the last-level cache depends on how much
   of it the previous step left there (and dirty): read a block bigger than
   that cache first, so every timed step starts alike. The block is allocated
   and faulted in on the first call and kept (bytes must not change). */
BENCH_FN void bench_scrub_cache(size_t bytes) {
    static unsigned char *block;
    static size_t have;
    unsigned sum = 0;
    size_t i;
    if (bytes == 0) return;
    if (!block || have != bytes) {
        free(block);
        block = (unsigned char *)malloc(bytes);
        if (!block) {
            fprintf(stderr, "bench: out of memory for the cache scrub\n");
            exit(2);
        }
        for (i = 0; i < bytes; i++) block[i] = (unsigned char)i;
        have = bytes;
    }
    for (i = 0; i < bytes; i += 64) sum += block[i];
    bench_scrub_sink = sum;
}

/* ---- text and table rows ---- */

typedef struct bench_text {
    char *s;
    size_t len, cap;
} bench_text;

BENCH_FN BENCH_PRINTF(2, 3) void bench_textf(bench_text *t, const char *fmt, ...) {
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 1024;
        char *s;
        while (cap < t->len + (size_t)n + 1) cap *= 2;
        s = (char *)realloc(t->s, cap);
        if (!s) {
            fprintf(stderr, "bench: out of memory\n");
            exit(2);
        }
        t->s = s;
        t->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/* One markdown table row; it reads well on a terminal too. */
BENCH_FN void bench_row(bench_text *t, int ncells, const char *const *cells) {
    int i;
    for (i = 0; i < ncells; i++) bench_textf(t, "| %s ", cells[i]);
    bench_textf(t, "|\n");
}

BENCH_FN void bench_rule(bench_text *t, int ncells) {
    int i;
    for (i = 0; i < ncells; i++) bench_textf(t, "|---");
    bench_textf(t, "|\n");
}

BENCH_FN void bench_text_free(bench_text *t) {
    free(t->s);
    t->s = NULL;
    t->len = t->cap = 0;
}

/* ---- machine description ---- */

BENCH_FN void bench_machine(char *out, size_t size) {
    char arch[128] = "unknown", cpu[160] = "unknown";
    long ncpu = 0;
#if defined(_WIN32)
    const char *e;
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    ncpu = (long)si.dwNumberOfProcessors;
    if ((e = getenv("PROCESSOR_ARCHITECTURE")) != NULL) snprintf(arch, sizeof arch, "%s", e);
    if ((e = getenv("PROCESSOR_IDENTIFIER")) != NULL) snprintf(cpu, sizeof cpu, "%s", e);
#else
    struct utsname u;
    FILE *f;
    if (uname(&u) == 0) snprintf(arch, sizeof arch, "%s", u.machine);
    ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f)) {
            /* x86: "model name"; some ARM kernels: "Processor" or "Hardware" */
            if (strncmp(line, "model name", 10) == 0 || strncmp(line, "Processor", 9) == 0 ||
                strncmp(line, "Hardware", 8) == 0) {
                char *v = strchr(line, ':'), *end;
                if (!v) continue;
                v++;
                while (*v == ' ' || *v == '\t') v++;
                end = v + strlen(v);
                while (end > v && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ')) *--end = 0;
                snprintf(cpu, sizeof cpu, "%s", v);
                break;
            }
        }
        fclose(f);
    }
#endif
    snprintf(out, size, "%s, %ld CPUs, %s", arch, ncpu, cpu);
}

/* ---- bench/RESULTS.md sections ---- */

BENCH_FN char *bench_read_file(const char *path, size_t *out_len) {
    FILE *f = fopen(path, "rb");
    char *s = NULL;
    size_t len = 0, cap = 0, got;
    if (!f) return NULL;
    do {
        if (cap - len < 4096) {
            char *g = (char *)realloc(s, cap = cap ? cap * 2 : 8192);
            if (!g) {
                free(s);
                fclose(f);
                return NULL;
            }
            s = g;
        }
        got = fread(s + len, 1, cap - len - 1, f);
        len += got;
    } while (got > 0);
    fclose(f);
    s[len] = 0;
    *out_len = len;
    return s;
}

/* Replaces the text from "<!-- BEGIN name -->" through "<!-- END name -->"
   (plus its newline) with the new section, or appends the section; the rest
   of the file is kept byte for byte. Written to path.tmp, then renamed. */
BENCH_FN int bench_results_write(const char *path, const char *name, const char *title, const char *body) {
    char begin[128], end[128], machine[256], date[32], tmp[1024];
    char *old;
    size_t old_len = 0, pre, post;
    const char *b, *e;
    time_t now = time(NULL);
    struct tm *tm = gmtime(&now);
    FILE *f;
    int ok;
    snprintf(begin, sizeof begin, "<!-- BEGIN %s -->", name);
    snprintf(end, sizeof end, "<!-- END %s -->", name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (!tm || strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", tm) == 0) snprintf(date, sizeof date, "unknown date");
    bench_machine(machine, sizeof machine);
    old = bench_read_file(path, &old_len);
    if (!old) {
        old = (char *)malloc(64);
        if (!old) return -1;
        old_len = (size_t)sprintf(old, "# dx benchmark results\n\n");
    }
    b = strstr(old, begin);
    e = b ? strstr(b, end) : NULL;
    if (b && e) {
        pre = (size_t)(b - old);
        e += strlen(end);
        if (*e == '\n') e++;
        post = (size_t)(e - old);
    } else {
        pre = post = old_len;
    }
    f = fopen(tmp, "wb");
    if (!f) {
        fprintf(stderr, "bench: cannot write %s\n", tmp);
        free(old);
        return -1;
    }
    fwrite(old, 1, pre, f);
    if (pre == old_len && pre > 0 && old[pre - 1] != '\n') fputc('\n', f);
    if (pre == old_len && pre > 1 && !(old[pre - 1] == '\n' && old[pre - 2] == '\n')) fputc('\n', f);
    fprintf(f, "%s\n## %s\n\n_%s; %s_\n\n%s", begin, title ? title : name, date, machine, body);
    if (body[0] && body[strlen(body) - 1] != '\n') fputc('\n', f);
    fprintf(f, "%s\n", end);
    fwrite(old + post, 1, old_len - post, f);
    ok = ferror(f) == 0;
    ok = (fclose(f) == 0) && ok;
    free(old);
#if defined(_WIN32)
    if (ok) remove(path); /* rename does not replace on Windows */
#endif
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "bench: cannot replace %s\n", path);
        remove(tmp);
        return -1;
    }
    return 0;
}

/* ---- command line ---- */

BENCH_FN int bench_has_flag(int argc, char **argv, const char *flag) {
    int i;
    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], flag) == 0) return 1;
    return 0;
}

/* The value of "--name=N" (prefix given with its '='), or def. */
BENCH_FN uint64_t bench_arg_u64(int argc, char **argv, const char *prefix, uint64_t def) {
    size_t n = strlen(prefix);
    int i;
    for (i = 1; i < argc; i++)
        if (strncmp(argv[i], prefix, n) == 0) return (uint64_t)strtoull(argv[i] + n, NULL, 0);
    return def;
}

BENCH_FN const char *bench_arg_str(int argc, char **argv, const char *prefix, const char *def) {
    size_t n = strlen(prefix);
    int i;
    for (i = 1; i < argc; i++)
        if (strncmp(argv[i], prefix, n) == 0) return argv[i] + n;
    return def;
}

#endif /* DX_BENCH_H */
