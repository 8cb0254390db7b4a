/* patch_bench.c - dx_patch.h against xdelta3 -9, bsdiff and zstd --patch-from (-3, -19) on five file pairs

   Build and run: sh bench/run_patch.sh [--write-results]   (see that script; the
   pairs are made by bench/patch_corpus.sh into build/bench/patch/)
   Options: --dir=PATH (build/bench/patch)   where the pairs are (a.old a.new ... e.new, corpus.md)
            --only=LETTERS                   only these pairs (e.g. --only=abe); no results written
            --runs=N (5)                     best of N for dx in process and every command, except:
            --slow-runs=N (1)                best of N for the slow diffs (bsdiff, zstd -19)
            --write-results                  replace the patch section of --results=PATH (bench/RESULTS.md)

   For every pair and every implementation: the patch size, the time to make
   it and to apply it, and the peak memory of the process that applies it.
   The peers are their Debian command-line tools, run by fork/exec with the
   files in the page cache; wall time of the whole command (best of runs) and
   its peak RSS from wait4. dx is measured twice: in process (dx_patch_diff
   and dx_patch_apply on buffers already in memory, the figure a library user
   gets), and as whole commands of this same program (--child-diff reads the
   two files, diffs, writes the patch; --child-apply streams the patch in
   64 KiB pieces through a dx_patch_applier that reads the old file and
   writes the new one with pread/pwrite): those are the figures compared
   with the peers' commands. Every output is compared byte for byte with the
   new file; exit 1 on any mismatch. Nothing asserts on time.

   Child modes (used by the benchmark itself):
     patch_bench --child-diff BLOCK LEVEL SHIFT(0/1) OLD NEW PATCH
     patch_bench --child-apply OLD PATCH OUT
     patch_bench --child-apply-in-place DATA PATCH
     patch_bench --child-noop                        (the RSS of the program doing nothing)
*/
#define _DEFAULT_SOURCE /* wait4 */
#include "bench.h"      /* first: it sets _POSIX_C_SOURCE */

#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_estimateDCtxSize, before dx_patch.h includes zstd.h */
#define DX_IMPLEMENTATION
#define DX_PATCH_WITH_ZSTD
#include "../dx_patch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#ifndef BENCH_FLAGS
#define BENCH_FLAGS "?"
#endif
#ifndef DX_PATCH_SHA
#define DX_PATCH_SHA "?" /* the first 12 hex digits of the header's sha256 (run_patch.sh) */
#endif

static int failures;
#define FAIL(...) (fprintf(stderr, "patch_bench: " __VA_ARGS__), fputc('\n', stderr), failures++)

/* ---- files ---- */

static uint8_t *read_file(const char *path, size_t *len) {
    int fd = open(path, O_RDONLY);
    struct stat st;
    uint8_t *p;
    size_t got = 0;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0) close(fd);
        return NULL;
    }
    p = (uint8_t *)malloc((size_t)st.st_size + 1);
    while (p && got < (size_t)st.st_size) {
        ssize_t n = read(fd, p + got, (size_t)st.st_size - got);
        if (n <= 0) {
            free(p);
            p = NULL;
            break;
        }
        got += (size_t)n;
    }
    close(fd);
    if (p) p[got] = 0; /* text files are read as strings too */
    *len = got;
    return p;
}

static int write_file(const char *path, const uint8_t *p, size_t len) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    size_t done = 0;
    if (fd < 0) return -1;
    while (done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    return close(fd);
}

static int64_t file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

/* 1 if the file holds exactly want[0..len) */
static int file_equals(const char *path, const uint8_t *want, size_t len) {
    size_t n;
    uint8_t *p = read_file(path, &n);
    int ok = p && n == len && memcmp(p, want, len) == 0;
    free(p);
    return ok;
}

/* ---- child modes: dx as whole commands ---- */

static int child_diff(uint32_t block, int level, int shift, const char *oldp, const char *newp, const char *patchp) {
    size_t ol, nl, cap;
    uint8_t *o = read_file(oldp, &ol), *n = read_file(newp, &nl), *out;
    dx_patch_config cfg;
    int64_t len;
    int ok;
    if (!o || !n) return 1;
    memset(&cfg, 0, sizeof cfg);
    cfg.block_size = block;
    cfg.zstd_level = level;
    cfg.shift = shift != 0;
    cfg.window = shift > 1 ? (uint32_t)shift : 0;
    cap = dx_patch_bound(ol, nl, &cfg);
    out = (uint8_t *)malloc(cap); /* only the pages written are touched */
    if (!out) return 1;
    len = dx_patch_diff(&cfg, o, ol, n, nl, out, cap);
    free(o);
    free(n);
    if (len < 0) {
        fprintf(stderr, "dx_patch_diff: %s\n", dx_patch_result_name((dx_result)len));
        free(out);
        return 1;
    }
    ok = write_file(patchp, out, (size_t)len) == 0;
    free(out);
    return !ok;
}

typedef struct child_io {
    int in, out;
} child_io;

static dx_result io_read(void *user, uint64_t off, void *buf, size_t len) {
    child_io *c = (child_io *)user;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(c->in, (uint8_t *)buf + done, len - done, (off_t)(off + done));
        if (n <= 0) return DX_ERR_IO;
        done += (size_t)n;
    }
    return DX_OK;
}

static dx_result io_write(void *user, uint64_t off, const void *buf, size_t len) {
    child_io *c = (child_io *)user;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pwrite(c->out, (const uint8_t *)buf + done, len - done, (off_t)(off + done));
        if (n <= 0) return DX_ERR_IO;
        done += (size_t)n;
    }
    return DX_OK;
}

/* Streams the patch file in 64 KiB pieces into an applier: out of place
   (OLD -> OUT) or in place (DATA, given as oldp, is rewritten). */
static int child_apply(const char *oldp, const char *patchp, const char *outp) {
    static uint8_t piece[65536];
    child_io io;
    dx_patch_applier_config cfg;
    dx_patch_applier a;
    struct stat st;
    int pf = open(patchp, O_RDONLY);
    int64_t len;
    ssize_t n;
    uint8_t head[DX_PATCH_HEADER_SIZE];
    dx_patch_info info;
    io.in = open(oldp, outp ? O_RDONLY : O_RDWR);
    io.out = outp ? open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644) : io.in;
    if (pf < 0 || io.in < 0 || io.out < 0 || fstat(io.in, &st) != 0) return 1;
    memset(&cfg, 0, sizeof cfg);
    cfg.io.read = io_read;
    cfg.io.write = io_write;
    cfg.io.user = &io;
    cfg.data_len = (uint64_t)st.st_size;
    cfg.in_place = outp == NULL;
    /* a shift patch in place needs a ring of its window (or of the data's size) */
    if (cfg.in_place && pread(pf, head, sizeof head, 0) == (ssize_t)sizeof head &&
        dx_patch_read_info(head, sizeof head, &info) == DX_OK && info.window) {
        uint64_t most = info.base_len > info.target_len ? info.base_len : info.target_len;
        for (cfg.max_window = info.block_size; cfg.max_window < info.window && cfg.max_window < most; cfg.max_window <<= 1) {}
    }
    if (dx_patch_applier_create(&a, &cfg) != DX_OK) return 1;
    while ((n = read(pf, piece, sizeof piece)) > 0) {
        dx_result r = dx_patch_applier_feed(&a, piece, (size_t)n);
        if (r != DX_OK) {
            fprintf(stderr, "dx_patch_applier_feed: %s\n", dx_patch_result_name(r));
            return 1;
        }
    }
    len = dx_patch_applier_finish(&a);
    dx_patch_applier_destroy(&a);
    if (len < 0) {
        fprintf(stderr, "dx_patch_applier_finish: %s\n", dx_patch_result_name((dx_result)len));
        return 1;
    }
    if (ftruncate(io.out, (off_t)len) != 0) return 1;
    close(pf);
    if (outp) close(io.out);
    return close(io.in) != 0;
}

/* ---- running commands ---- */

typedef struct cmd_res {
    uint64_t ns;  /* wall time of the best run */
    long rss_kib; /* peak RSS, the largest of the runs */
    int runs, failed;
} cmd_res;

static void cmd_res_init(cmd_res *r) {
    r->ns = UINT64_MAX;
    r->rss_kib = 0;
    r->runs = r->failed = 0;
}

/* The commands are started by a small process forked at the start, before
   this one reads any file: Linux counts the RSS a process had before exec in
   its ru_maxrss, and a child forked from here would carry the benchmark's
   buffers (tens of MiB) into every figure. The spawner forks, execs, waits
   (wait4) and reports the wall time and the peak RSS back through a pipe. */
typedef struct spawn_reply {
    int ok;
    uint64_t ns;
    long rss_kib;
} spawn_reply;

static int spawn_req = -1, spawn_resp = -1;

static int read_full(int fd, void *buf, size_t len) {
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, (char *)buf + got, len - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        got += (size_t)n;
    }
    return 0;
}

static int write_full(int fd, const void *buf, size_t len) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, (const char *)buf + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        done += (size_t)n;
    }
    return 0;
}

static void spawner_loop(int in, int out) {
    static char args[16384];
    char *argv[32];
    uint32_t len;
    while (read_full(in, &len, sizeof len) == 0 && len > 0 && len < sizeof args) {
        spawn_reply rep;
        struct rusage ru;
        int status = 0, argc = 0;
        uint32_t i;
        uint64_t t0, t1;
        pid_t pid, got;
        if (read_full(in, args, len) != 0) break;
        args[len] = 0;
        for (i = 0; i < len && argc < 31; i += (uint32_t)strlen(args + i) + 1) argv[argc++] = args + i;
        argv[argc] = NULL;
        memset(&rep, 0, sizeof rep);
        t0 = bench_now_ns();
        pid = fork();
        if (pid == 0) {
            int null = open("/dev/null", O_WRONLY);
            if (null >= 0) dup2(null, 1), dup2(null, 2);
            execvp(argv[0], argv);
            _exit(127);
        }
        if (pid > 0) {
            do got = wait4(pid, &status, 0, &ru);
            while (got < 0 && errno == EINTR);
            t1 = bench_now_ns();
            rep.ok = got == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
            rep.ns = t1 - t0;
            rep.rss_kib = ru.ru_maxrss;
        }
        if (write_full(out, &rep, sizeof rep) != 0) break;
    }
    _exit(0);
}

static int spawner_start(void) {
    int req[2], resp[2];
    pid_t pid;
    if (pipe(req) != 0 || pipe(resp) != 0) return -1;
    fflush(stdout);
    pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        close(req[1]);
        close(resp[0]);
        spawner_loop(req[0], resp[1]);
    }
    close(req[0]);
    close(resp[1]);
    spawn_req = req[1];
    spawn_resp = resp[0];
    return 0;
}

/* Runs argv (stdout and stderr to /dev/null), adds its wall time and peak RSS to r. */
static int run_cmd(char *const *argv, cmd_res *r) {
    char buf[16384];
    uint32_t len = 0;
    spawn_reply rep;
    int i;
    for (i = 0; argv[i]; i++) {
        size_t n = strlen(argv[i]) + 1;
        if (len + n >= sizeof buf) return -1;
        memcpy(buf + len, argv[i], n);
        len += (uint32_t)n;
    }
    if (write_full(spawn_req, &len, sizeof len) != 0 || write_full(spawn_req, buf, len) != 0 ||
        read_full(spawn_resp, &rep, sizeof rep) != 0) {
        fprintf(stderr, "patch_bench: the spawner process is gone\n");
        exit(1);
    }
    if (!rep.ok) {
        r->failed++;
        return -1;
    }
    if (rep.ns < r->ns) r->ns = rep.ns;
    if (rep.rss_kib > r->rss_kib) r->rss_kib = rep.rss_kib;
    r->runs++;
    return 0;
}

/* ---- implementations ---- */

enum { V_COUNT = 8, V_SHIFT = 5, V_SHIFT19 = 6, P_COUNT = 4 };

typedef struct dx_variant {
    const char *name;
    uint32_t block;
    int level, shift; /* shift: 0 none, 1 cfg.shift, more: cfg.shift with that cfg.window */
} dx_variant;

/* The first is dx's default in the comparison and the goals: 4 KiB blocks
   (the header's default) with zstd level 3, XOR records (reversible, in
   place). V_SHIFT is cfg.shift (COPY and SPLIT records for moved data, one
   way) with zstd 3, the default 4 KiB blocks and a 64 KiB window (sources at
   most 64 KiB behind: the patch applies in place too): the mode for pairs c
   and d, where the header supports it (older headers refuse cfg.shift:
   reported as such). Since format 1.2 a block that straddles an insertion
   is split between its sources, so the block size matters little; 512-byte
   blocks without a window (out of place only) are shown too. */
static const dx_variant variants[V_COUNT] = {
    {"dx 4 KiB blocks, zstd 3", 4096, 3, 0},
    {"dx 1 KiB blocks, zstd 3", 1024, 3, 0},
    {"dx 512 B blocks, zstd 3", 512, 3, 0},
    {"dx 4 KiB blocks, zstd 19", 4096, 19, 0},
    {"dx 4 KiB blocks, no zstd", 4096, 0, 0},
    {"dx 4 KiB blocks, zstd 3, shift, 64 KiB window", 4096, 3, 65536},
    {"dx 4 KiB blocks, zstd 19, shift, 64 KiB window", 4096, 19, 65536},
    {"dx 512 B blocks, zstd 3, shift", 512, 3, 1},
};

typedef struct peer {
    const char *name;
    int slow_diff; /* diff only --slow-runs times */
} peer;

enum { P_XDELTA = 0, P_BSDIFF = 1, P_ZSTD3 = 2, P_ZSTD19 = 3 };
static const peer peers[P_COUNT] = {
    {"xdelta3 -9", 0},
    {"bsdiff", 1},
    {"zstd -3 --patch-from", 0},
    {"zstd -19 --patch-from", 1},
};

typedef struct impl_res {
    int64_t patch_bytes;
    cmd_res diff, apply;
    /* dx only */
    uint64_t diff_ns, apply_ns, apply_in_place_ns; /* in process: best of runs (pair e: mean per call) */
    cmd_res apply_in_place;                        /* the streaming in-place command */
    size_t applier_mem;                            /* dx_patch_applier_memory_size + zstd's DCtx if used */
    int compressed_frames, frames;
    int unsupported;                               /* the header refused the variant's config (cfg.shift) */
    int one_way_copy;                              /* COPY records: no in-place apply */
} impl_res;

typedef struct pair_def {
    char id;
    const char *title;
    int kind; /* 0: in place (a, b, e), 1: shifted (c), 2: release (d) */
} pair_def;

static const pair_def pair_defs[5] = {
    {'a', "a: 16 MiB of shared libraries, 200 in-place edits", 0},
    {'b', "b: process memory image (gcore, ~60 MiB), 1.5% of pages changed", 0},
    {'c', "c: 8 MiB binary, 3 insertions + 2 deletions", 1},
    {'d', "d: release pair, libcrypto.so.3 3.0.20 -> 3.0.22", 2},
    {'e', "e: 20 KiB file, 5 changed bytes", 0},
};

typedef struct pair_res {
    const pair_def *def;
    size_t old_len, new_len;
    impl_res dx[V_COUNT], peer[P_COUNT];
} pair_res;

static char self_path[4096];
static const char *dir;
static long noop_rss_kib;
static uint64_t noop_ns;
static char load_start[64] = "?";

static void path_of(char *out, size_t size, char id, const char *suffix) {
    snprintf(out, size, "%s/%c.%s", dir, id, suffix);
}

/* argv of a peer's diff (op 0) or apply (op 1) */
static void peer_argv(int p, int op, const char *o, const char *n, const char *patch, const char *out, char **argv,
                      char *arg_buf, size_t arg_size) {
    int i = 0;
    switch (p) {
    case P_XDELTA:
        argv[i++] = (char *)"xdelta3";
        argv[i++] = (char *)(op ? "-d" : "-e");
        if (!op) argv[i++] = (char *)"-9";
        argv[i++] = (char *)"-f";
        argv[i++] = (char *)"-s";
        argv[i++] = (char *)o;
        argv[i++] = (char *)(op ? patch : n);
        argv[i++] = (char *)(op ? out : patch);
        break;
    case P_BSDIFF:
        argv[i++] = (char *)(op ? "bspatch" : "bsdiff");
        argv[i++] = (char *)o;
        argv[i++] = (char *)(op ? out : n);
        argv[i++] = (char *)patch;
        break;
    default:
        snprintf(arg_buf, arg_size, "--patch-from=%s", o);
        argv[i++] = (char *)"zstd";
        argv[i++] = (char *)"-q";
        argv[i++] = (char *)"-f";
        argv[i++] = (char *)"--single-thread";
        if (op) argv[i++] = (char *)"-d";
        else argv[i++] = (char *)(p == P_ZSTD3 ? "-3" : "-19");
        argv[i++] = arg_buf;
        argv[i++] = (char *)(op ? patch : n);
        argv[i++] = (char *)"-o";
        argv[i++] = (char *)(op ? out : patch);
        break;
    }
    argv[i] = NULL;
}

/* ---- dx in process ---- */

/* Mean ns per call of code, over batches of at least ~50 ms; the best of runs batches. */
#define MEAN_NS(runs, out_ns, code)                                                  \
    do {                                                                             \
        uint64_t iters_ = 1, best_ = UINT64_MAX, i_, t0_, el_;                       \
        unsigned r_;                                                                 \
        for (;;) {                                                                   \
            t0_ = bench_now_ns();                                                    \
            for (i_ = 0; i_ < iters_; i_++) { code; }                                \
            el_ = bench_now_ns() - t0_;                                              \
            if (el_ > 20000000u) break;                                              \
            iters_ *= 4;                                                             \
        }                                                                            \
        for (r_ = 0; r_ < (runs); r_++) {                                            \
            t0_ = bench_now_ns();                                                    \
            for (i_ = 0; i_ < iters_; i_++) { code; }                                \
            el_ = bench_now_ns() - t0_;                                              \
            if (el_ / iters_ < best_) best_ = el_ / iters_;                          \
        }                                                                            \
        (out_ns) = best_;                                                            \
    } while (0)

static void count_frames(const uint8_t *patch, size_t len, int *frames, int *compressed) {
    size_t at = DX_PATCH_HEADER_SIZE;
    *frames = *compressed = 0;
    while (at + DX_PATCH_FRAME_HEADER_SIZE <= len) {
        uint32_t raw = dx_load_u32le(patch + at + DX_PATCH_FRAME_HEADER_OFF_RAW_LEN),
                 stored = dx_load_u32le(patch + at + DX_PATCH_FRAME_HEADER_OFF_STORED_LEN);
        (*frames)++;
        *compressed += stored < raw;
        at += DX_PATCH_FRAME_HEADER_SIZE + stored;
    }
}

static void dx_in_process(const pair_res *pr, const uint8_t *o, const uint8_t *n, int v, unsigned runs, int small,
                          impl_res *r, const char *patch_path) {
    dx_patch_config cfg;
    size_t cap, len = pr->old_len > pr->new_len ? pr->old_len : pr->new_len;
    uint8_t *patch, *out = (uint8_t *)malloc(len + 1), *inplace = (uint8_t *)malloc(len + 1);
    int64_t plen = 0, got = 0;
    dx_patch_info info;
    dx_patch_applier_config acfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.block_size = variants[v].block;
    cfg.zstd_level = variants[v].level;
    cfg.shift = variants[v].shift != 0;
    cfg.window = variants[v].shift > 1 ? (uint32_t)variants[v].shift : 0;
    cap = dx_patch_bound(pr->old_len, pr->new_len, &cfg);
    patch = (uint8_t *)malloc(cap);
    if (!patch || !out || !inplace) {
        FAIL("out of memory");
        exit(1);
    }
    memset(out, 0, len + 1);
    memset(patch, 0, cap < (64u << 20) ? cap : (64u << 20)); /* fault in what a patch may use */
    if (small) MEAN_NS(runs, r->diff_ns, plen = dx_patch_diff(&cfg, o, pr->old_len, n, pr->new_len, patch, cap));
    else BENCH_BEST_OF(runs, r->diff_ns, plen = dx_patch_diff(&cfg, o, pr->old_len, n, pr->new_len, patch, cap));
    if (plen < 0 && variants[v].shift && (plen == DX_ERR_INVAL || plen == DX_ERR_UNSUPPORTED)) {
        r->unsupported = 1; /* a header without the shift mode */
        r->patch_bytes = -1;
        goto done;
    }
    if (plen < 0) {
        FAIL("%c %s: dx_patch_diff: %s", pr->def->id, variants[v].name, dx_patch_result_name((dx_result)plen));
        r->patch_bytes = -1;
        goto done;
    }
    r->patch_bytes = plen;
    dx_patch_read_info(patch, (size_t)plen, &info);
    r->one_way_copy = (info.flags & DX_PATCH_FLAG_COPY) && !(info.flags & DX_PATCH_FLAG_WINDOW);
    count_frames(patch, (size_t)plen, &r->frames, &r->compressed_frames);
    if (write_file(patch_path, patch, (size_t)plen) != 0) FAIL("cannot write %s", patch_path);
    /* out of place */
    if (small) MEAN_NS(runs, r->apply_ns, got = dx_patch_apply(patch, (size_t)plen, o, pr->old_len, out, len));
    else BENCH_BEST_OF(runs, r->apply_ns, got = dx_patch_apply(patch, (size_t)plen, o, pr->old_len, out, len));
    if (got != (int64_t)pr->new_len || memcmp(out, n, pr->new_len) != 0)
        FAIL("%c %s: dx_patch_apply gave %lld, not the new file", pr->def->id, variants[v].name, (long long)got);
    /* in place: each call turns the data into the other side (the patch is reversible) */
    memcpy(inplace, o, pr->old_len);
    if (info.flags & DX_PATCH_FLAG_WINDOW) { /* one way: each call starts from a copy of the old file (timed too) */
        if (small) MEAN_NS(runs, r->apply_in_place_ns, memcpy(inplace, o, pr->old_len); got = dx_patch_apply_in_place(patch, (size_t)plen, inplace, pr->old_len, len, false));
        else BENCH_BEST_OF(runs, r->apply_in_place_ns, memcpy(inplace, o, pr->old_len); got = dx_patch_apply_in_place(patch, (size_t)plen, inplace, pr->old_len, len, false));
        if (got != (int64_t)pr->new_len || memcmp(inplace, n, pr->new_len) != 0)
            FAIL("%c %s: dx_patch_apply_in_place: %s", pr->def->id, variants[v].name, dx_patch_result_name((dx_result)got));
    } else if (!r->one_way_copy) {
        size_t cur = pr->old_len;
        uint64_t calls = 0;
        if (small) MEAN_NS(runs, r->apply_in_place_ns, got = dx_patch_apply_in_place(patch, (size_t)plen, inplace, cur, len, false); cur = got > 0 ? (size_t)got : cur; calls++);
        else BENCH_BEST_OF(runs, r->apply_in_place_ns, got = dx_patch_apply_in_place(patch, (size_t)plen, inplace, cur, len, false); cur = got > 0 ? (size_t)got : cur; calls++);
        if (got < 0) FAIL("%c %s: dx_patch_apply_in_place: %s", pr->def->id, variants[v].name, dx_patch_result_name((dx_result)got));
        else if (calls % 2 == 1 ? (cur != pr->new_len || memcmp(inplace, n, cur) != 0)
                                : (cur != pr->old_len || memcmp(inplace, o, cur) != 0))
            FAIL("%c %s: dx_patch_apply_in_place gave the wrong bytes", pr->def->id, variants[v].name);
    }
    /* what a streaming applier for this patch needs */
    memset(&acfg, 0, sizeof acfg);
    acfg.max_block = info.block_size;
    acfg.max_frame = info.frame_max;
    r->applier_mem = dx_patch_applier_memory_size(&acfg) + (r->compressed_frames ? ZSTD_estimateDCtxSize() : 0);
done:
    free(patch);
    free(out);
    free(inplace);
}

/* ---- formatting ---- */

static const char *fmt_ns(char *buf, size_t size, uint64_t ns) {
    if (ns == UINT64_MAX || ns == 0) snprintf(buf, size, "-");
    else if (ns < 10000u) snprintf(buf, size, "%.2f µs", (double)ns / 1e3);
    else if (ns < 1000000u) snprintf(buf, size, "%.0f µs", (double)ns / 1e3);
    else if (ns < 10000000u) snprintf(buf, size, "%.2f ms", (double)ns / 1e6);
    else if (ns < 1000000000u) snprintf(buf, size, "%.0f ms", (double)ns / 1e6);
    else snprintf(buf, size, "%.2f s", (double)ns / 1e9);
    return buf;
}

static const char *fmt_kib(char *buf, size_t size, long kib) {
    if (kib <= 0) snprintf(buf, size, "-");
    else if (kib < 10240) snprintf(buf, size, "%.1f MiB", (double)kib / 1024.0);
    else snprintf(buf, size, "%.0f MiB", (double)kib / 1024.0);
    return buf;
}

static const char *fmt_bytes(char *buf, size_t size, int64_t b) {
    if (b < 0) snprintf(buf, size, "failed");
    else if (b < 100000) snprintf(buf, size, "%lld B", (long long)b);
    else snprintf(buf, size, "%.1f KiB", (double)b / 1024.0);
    return buf;
}

static double ratio(double a, double b) { return b > 0 ? a / b : 0; }
static double cmd_s(const cmd_res *c) { return c->runs ? (double)c->ns / 1e9 : 0; }

/* ---- one pair ---- */

static int run_pair(pair_res *pr, unsigned runs, unsigned slow_runs) {
    char oldp[1024], newp[1024], patchp[1024], outp[1024], arg[1200], blk[16], lvl[16], shf[16];
    char *argv[16];
    size_t ol, nl;
    uint8_t *o, *n;
    int v, p, small;
    unsigned r;
    path_of(oldp, sizeof oldp, pr->def->id, "old");
    path_of(newp, sizeof newp, pr->def->id, "new");
    o = read_file(oldp, &ol);
    n = read_file(newp, &nl);
    if (!o || !n) {
        fprintf(stderr, "patch_bench: pair %c: no %s / %s (run bench/patch_corpus.sh)\n", pr->def->id, oldp, newp);
        free(o);
        free(n);
        return -1;
    }
    pr->old_len = ol;
    pr->new_len = nl;
    small = ol < (1u << 20);
    printf("\n== %s (%zu -> %zu bytes)\n", pr->def->title, ol, nl);
    fflush(stdout);

    /* dx in process: every variant */
    for (v = 0; v < V_COUNT; v++) {
        snprintf(patchp, sizeof patchp, "%s/tmp/%c.dx%d", dir, pr->def->id, v);
        memset(&pr->dx[v], 0, sizeof pr->dx[v]);
        cmd_res_init(&pr->dx[v].diff);
        cmd_res_init(&pr->dx[v].apply);
        cmd_res_init(&pr->dx[v].apply_in_place);
        dx_in_process(pr, o, n, v, runs, small, &pr->dx[v], patchp);
    }
    for (p = 0; p < P_COUNT; p++) {
        memset(&pr->peer[p], 0, sizeof pr->peer[p]);
        cmd_res_init(&pr->peer[p].diff);
        cmd_res_init(&pr->peer[p].apply);
        pr->peer[p].patch_bytes = -1;
    }

    /* whole commands, interleaved: every diff once per round, then every apply */
    for (r = 0; r < runs; r++) {
        for (v = 0; v < V_COUNT; v++) {
            snprintf(patchp, sizeof patchp, "%s/tmp/%c.dxc%d", dir, pr->def->id, v);
            snprintf(blk, sizeof blk, "%u", (unsigned)variants[v].block);
            snprintf(lvl, sizeof lvl, "%d", variants[v].level);
            if (pr->dx[v].patch_bytes < 0) continue;
            argv[0] = self_path, argv[1] = (char *)"--child-diff", argv[2] = blk, argv[3] = lvl;
            snprintf(shf, sizeof shf, "%d", variants[v].shift);
            argv[4] = shf;
            argv[5] = oldp, argv[6] = newp, argv[7] = patchp, argv[8] = NULL;
            if (run_cmd(argv, &pr->dx[v].diff) != 0) FAIL("%c %s: the diff command failed", pr->def->id, variants[v].name);
            else if (file_size(patchp) != pr->dx[v].patch_bytes) FAIL("%c %s: the diff command's patch differs in size", pr->def->id, variants[v].name);
        }
        for (p = 0; p < P_COUNT; p++) {
            if (peers[p].slow_diff && r >= slow_runs) continue;
            snprintf(patchp, sizeof patchp, "%s/tmp/%c.p%d", dir, pr->def->id, p);
            peer_argv(p, 0, oldp, newp, patchp, NULL, argv, arg, sizeof arg);
            if (run_cmd(argv, &pr->peer[p].diff) != 0) FAIL("%c %s: diff failed", pr->def->id, peers[p].name);
            pr->peer[p].patch_bytes = file_size(patchp);
            if (r == 0) printf("   %s: %lld B\n", peers[p].name, (long long)pr->peer[p].patch_bytes), fflush(stdout);
        }
    }
    for (r = 0; r < runs; r++) {
        for (v = 0; v < V_COUNT; v++) {
            char work[1100];
            if (pr->dx[v].patch_bytes < 0) continue;
            snprintf(patchp, sizeof patchp, "%s/tmp/%c.dx%d", dir, pr->def->id, v);
            snprintf(outp, sizeof outp, "%s/tmp/%c.out", dir, pr->def->id);
            unlink(outp);
            argv[0] = self_path, argv[1] = (char *)"--child-apply", argv[2] = oldp, argv[3] = patchp, argv[4] = outp;
            argv[5] = NULL;
            if (run_cmd(argv, &pr->dx[v].apply) != 0 || !file_equals(outp, n, nl))
                FAIL("%c %s: the streaming apply command gave the wrong file", pr->def->id, variants[v].name);
            /* in place on a fresh copy of the old file (copied before the clock starts) */
            if (pr->dx[v].one_way_copy) continue;
            snprintf(work, sizeof work, "%s/tmp/%c.work", dir, pr->def->id);
            if (write_file(work, o, ol) != 0) FAIL("cannot write %s", work);
            argv[0] = self_path, argv[1] = (char *)"--child-apply-in-place", argv[2] = work, argv[3] = patchp;
            argv[4] = NULL;
            if (run_cmd(argv, &pr->dx[v].apply_in_place) != 0 || !file_equals(work, n, nl))
                FAIL("%c %s: the streaming in-place apply command gave the wrong file", pr->def->id, variants[v].name);
        }
        for (p = 0; p < P_COUNT; p++) {
            if (pr->peer[p].patch_bytes < 0) continue;
            snprintf(patchp, sizeof patchp, "%s/tmp/%c.p%d", dir, pr->def->id, p);
            snprintf(outp, sizeof outp, "%s/tmp/%c.out", dir, pr->def->id);
            unlink(outp);
            peer_argv(p, 1, oldp, newp, patchp, outp, argv, arg, sizeof arg);
            if (run_cmd(argv, &pr->peer[p].apply) != 0 || !file_equals(outp, n, nl))
                FAIL("%c %s: apply gave the wrong file", pr->def->id, peers[p].name);
        }
    }
    free(o);
    free(n);
    return 0;
}

/* ---- report ---- */

typedef struct goals {
    bench_text t;
    int reached, total;
    int inplace_reached; /* of them, goals of the in-place pairs (a, b, e) */
} goals;

static void goal(goals *g, const char *what, double value, const char *limit_text, int ok) {
    bench_textf(&g->t, "| %s | %.3g | %s | %s |\n", what, value, limit_text, ok ? "reached" : "NOT reached");
    g->total++;
    g->reached += ok;
}

static int best_peer_size(const pair_res *pr) {
    int p, best = -1;
    for (p = 0; p < P_COUNT; p++)
        if (pr->peer[p].patch_bytes >= 0 && (best < 0 || pr->peer[p].patch_bytes < pr->peer[best].patch_bytes)) best = p;
    return best;
}

static long min_peer_apply_rss(const pair_res *pr) {
    long m = 0;
    int p;
    for (p = 0; p < P_COUNT; p++)
        if (pr->peer[p].apply.rss_kib > 0 && (m == 0 || pr->peer[p].apply.rss_kib < m)) m = pr->peer[p].apply.rss_kib;
    return m;
}

/* The goals of a pair of in-place data (a, b, e) for one dx mode. */
static void inplace_goals(goals *g, const pair_res *pr, const impl_res *dx, int bp, const char *mode) {
    char what[256], lim[64];
    double sz = bp >= 0 ? ratio((double)dx->patch_bytes, (double)pr->peer[bp].patch_bytes) : 0;
    snprintf(what, sizeof what, "%c%s: patch size / the smallest peer's (%s, %lld B)", pr->def->id, mode,
             bp >= 0 ? peers[bp].name : "?", bp >= 0 ? (long long)pr->peer[bp].patch_bytes : 0LL);
    goal(g, what, sz, "<= 0.9", bp >= 0 && sz <= 0.9);
    snprintf(what, sizeof what, "%c%s: diff time / bsdiff's (whole commands)", pr->def->id, mode);
    goal(g, what, ratio(cmd_s(&dx->diff), cmd_s(&pr->peer[P_BSDIFF].diff)), "<= 0.02 (50x faster)",
         ratio(cmd_s(&dx->diff), cmd_s(&pr->peer[P_BSDIFF].diff)) <= 0.02);
    snprintf(what, sizeof what, "%c%s: diff time / xdelta3's (whole commands)", pr->def->id, mode);
    goal(g, what, ratio(cmd_s(&dx->diff), cmd_s(&pr->peer[P_XDELTA].diff)), "<= 0.333 (3x faster)",
         ratio(cmd_s(&dx->diff), cmd_s(&pr->peer[P_XDELTA].diff)) <= 1.0 / 3.0);
    snprintf(what, sizeof what, "%c%s: apply peak RSS, MiB (streaming apply command; smallest peer: %.1f MiB)",
             pr->def->id, mode, (double)min_peer_apply_rss(pr) / 1024.0);
    snprintf(lim, sizeof lim, "<= 4 (a few MiB)");
    goal(g, what, (double)dx->apply.rss_kib / 1024.0, lim, dx->apply.rss_kib > 0 && dx->apply.rss_kib <= 4096);
    if (pr->def->id == 'e') {
        snprintf(what, sizeof what, "e%s: dx_patch_apply in process, µs per call (out of place)", mode);
        goal(g, what, (double)dx->apply_ns / 1e3, "< 5", dx->apply_ns > 0 && dx->apply_ns < 5000);
    }
}

static void report_pair(bench_text *t, goals *g, goals *gs, const pair_res *pr) {
    char c[8][48];
    const impl_res *dx = &pr->dx[0];
    int p, v, bp = best_peer_size(pr);
    const char *head[] = {"tool", "patch", "diff", "apply", "apply peak RSS", "diff peak RSS"};
    bench_textf(t, "\n### %s\n\n%zu -> %zu bytes. Whole commands, files in the page cache; dx = `%s` through this "
                   "program's --child-diff / --child-apply (streaming, out of place)%s.\n\n",
                pr->def->title, pr->old_len, pr->new_len, variants[0].name,
                pr->dx[V_SHIFT].unsupported ? "; this dx_patch.h refuses cfg.shift (no shift-resilient mode)"
                                              : "; dx shift mode = `dx 4 KiB blocks, zstd 3, shift, 64 KiB window` (cfg.shift: COPY "
                                                "and SPLIT records), and the same at zstd level 19");
    bench_row(t, 6, head);
    bench_rule(t, 6);
    for (v = 0; v < 3; v++) {
        const impl_res *r = v == 0 ? dx : v == 1 ? &pr->dx[V_SHIFT] : &pr->dx[V_SHIFT19];
        const char *row[6];
        if (v && r->unsupported) break; /* the shift rows, where the header has the mode */
        row[0] = v == 0 ? "**dx_patch.h**" : v == 1 ? "**dx_patch.h shift mode**" : "dx_patch.h shift mode, zstd 19";
        row[1] = fmt_bytes(c[0], sizeof c[0], r->patch_bytes);
        row[2] = fmt_ns(c[1], sizeof c[1], r->diff.ns);
        row[3] = fmt_ns(c[2], sizeof c[2], r->apply.ns);
        row[4] = fmt_kib(c[3], sizeof c[3], r->apply.rss_kib);
        row[5] = fmt_kib(c[4], sizeof c[4], r->diff.rss_kib);
        bench_row(t, 6, row);
    }
    for (p = 0; p < P_COUNT; p++) {
        const impl_res *r = &pr->peer[p];
        const char *row[6];
        row[0] = peers[p].name;
        row[1] = fmt_bytes(c[0], sizeof c[0], r->patch_bytes);
        row[2] = fmt_ns(c[1], sizeof c[1], r->diff.ns);
        row[3] = fmt_ns(c[2], sizeof c[2], r->apply.ns);
        row[4] = fmt_kib(c[3], sizeof c[3], r->apply.rss_kib);
        row[5] = fmt_kib(c[4], sizeof c[4], r->diff.rss_kib);
        bench_row(t, 6, row);
    }
    bench_textf(t, "\ndx variants (in process: dx_patch_diff / dx_patch_apply / dx_patch_apply_in_place on buffers "
                   "in memory%s; commands: as above, and --child-apply-in-place streaming in place over a copy of "
                   "the old file):\n\n",
                pr->old_len < (1u << 20) ? ", mean per call" : ", best of runs");
    {
        const char *h2[] = {"variant", "patch", "frames (zstd)", "diff in process", "apply in process",
                            "apply in place", "diff cmd", "apply cmd", "in-place cmd", "apply RSS", "applier memory"};
        bench_row(t, 11, h2);
        bench_rule(t, 11);
    }
    for (v = 0; v < V_COUNT; v++) {
        const impl_res *r = &pr->dx[v];
        char cc[11][48];
        const char *row[11];
        row[0] = variants[v].name;
        if (r->unsupported) {
            int k;
            for (k = 1; k < 11; k++) row[k] = "-";
            row[1] = "not supported";
            bench_row(t, 11, row);
            continue;
        }
        row[1] = fmt_bytes(cc[1], sizeof cc[1], r->patch_bytes);
        snprintf(cc[2], sizeof cc[2], "%d (%d)", r->frames, r->compressed_frames);
        row[2] = cc[2];
        row[3] = fmt_ns(cc[3], sizeof cc[3], r->diff_ns);
        row[4] = fmt_ns(cc[4], sizeof cc[4], r->apply_ns);
        row[5] = fmt_ns(cc[5], sizeof cc[5], r->apply_in_place_ns);
        row[6] = fmt_ns(cc[6], sizeof cc[6], r->diff.ns);
        row[7] = fmt_ns(cc[7], sizeof cc[7], r->apply.ns);
        row[8] = fmt_ns(cc[8], sizeof cc[8], r->apply_in_place.ns);
        if (r->one_way_copy) row[5] = row[8] = "n/a (one way)";
        row[9] = fmt_kib(cc[9], sizeof cc[9], r->apply.rss_kib > r->apply_in_place.rss_kib ? r->apply.rss_kib : r->apply_in_place.rss_kib);
        snprintf(cc[10], sizeof cc[10], "%.0f KiB", (double)r->applier_mem / 1024.0);
        row[10] = cc[10];
        bench_row(t, 11, row);
    }

    /* goals of this pair; in-place pairs once more with the shift mode (one way, in place through its window) */
    {
        char what[256];
        bench_textf(&g->t, "| **%c** | | | |\n", pr->def->id);
        if (pr->def->kind == 0) {
            int before = g->reached;
            inplace_goals(g, pr, dx, bp, "");
            g->inplace_reached += g->reached - before;
            if (!pr->dx[V_SHIFT].unsupported && pr->dx[V_SHIFT].patch_bytes >= 0) {
                bench_textf(&gs->t, "| **%c** | | | |\n", pr->def->id);
                inplace_goals(gs, pr, &pr->dx[V_SHIFT], bp, " (shift mode)");
            }
        } else {
            /* shifted data: dx's shift mode where the header has one, else the default */
            const impl_res *sh = pr->dx[V_SHIFT].unsupported || pr->dx[V_SHIFT].patch_bytes < 0 ? dx : &pr->dx[V_SHIFT];
            const char *mode = sh == dx ? "XOR default, no shift mode in this header" : "shift mode";
            if (pr->def->kind == 1) {
                double x = ratio((double)sh->patch_bytes, (double)pr->peer[P_XDELTA].patch_bytes);
                snprintf(what, sizeof what, "%c: patch size (%s, %lld B) / xdelta3's (%lld B)", pr->def->id, mode,
                         (long long)sh->patch_bytes, (long long)pr->peer[P_XDELTA].patch_bytes);
                goal(g, what, x, "<= 1", x > 0 && x <= 1.0);
            } else {
                double z = ratio((double)sh->patch_bytes, (double)pr->peer[P_ZSTD19].patch_bytes);
                double b = ratio((double)sh->patch_bytes, (double)pr->peer[P_BSDIFF].patch_bytes);
                snprintf(what, sizeof what, "%c: patch size (%s, %lld B) / zstd -19 --patch-from's (%lld B)",
                         pr->def->id, mode, (long long)sh->patch_bytes, (long long)pr->peer[P_ZSTD19].patch_bytes);
                goal(g, what, z, "<= 1", z > 0 && z <= 1.0);
                snprintf(what, sizeof what, "%c: patch size (%s) / bsdiff's (%lld B) (aim)", pr->def->id, mode,
                         (long long)pr->peer[P_BSDIFF].patch_bytes);
                goal(g, what, b, "<= 1", b > 0 && b <= 1.0);
            }
        }
    }
}

static void versions(char *out, size_t size) {
    char xd[64] = "?", bs[64] = "?", line[64];
    FILE *f = popen("xdelta3 -V 2>&1", "r");
    if (f) {
        if (fgets(line, sizeof line, f) && sscanf(line, "Xdelta version %63s", xd) == 1) {
            char *comma = strchr(xd, ',');
            if (comma) *comma = 0;
        }
        pclose(f);
    }
    f = popen("dpkg-query -W -f='${Version}' bsdiff 2>/dev/null", "r");
    if (f) {
        if (fgets(line, sizeof line, f)) snprintf(bs, sizeof bs, "%s", line);
        pclose(f);
    }
    snprintf(out, size, "xdelta3 %s, bsdiff %s (Debian), zstd %s (CLI and libzstd)", xd, bs, ZSTD_versionString());
}

int main(int argc, char **argv) {
    unsigned runs, slow_runs;
    int write, i, k, have = 0;
    const char *only, *results;
    pair_res pairs[5];
    bench_text t = {NULL, 0, 0};
    goals g, gs;
    char machine[256], ver[256], cmd[1100];
    uint64_t t_start = bench_now_ns();

    if (argc == 8 && strcmp(argv[1], "--child-diff") == 0)
        return child_diff((uint32_t)atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), argv[5], argv[6], argv[7]);
    if (argc == 5 && strcmp(argv[1], "--child-apply") == 0) return child_apply(argv[2], argv[3], argv[4]);
    if (argc == 4 && strcmp(argv[1], "--child-apply-in-place") == 0) return child_apply(argv[2], argv[3], NULL);
    if (argc == 2 && strcmp(argv[1], "--child-noop") == 0) return 0;

    runs = (unsigned)bench_arg_u64(argc, argv, "--runs=", 5);
    slow_runs = (unsigned)bench_arg_u64(argc, argv, "--slow-runs=", 1);
    write = bench_has_flag(argc, argv, "--write-results");
    only = bench_arg_str(argc, argv, "--only=", NULL);
    results = bench_arg_str(argc, argv, "--results=", "bench/RESULTS.md");
    dir = bench_arg_str(argc, argv, "--dir=", "build/bench/patch");
    if (runs == 0 || slow_runs == 0 || slow_runs > runs) {
        fprintf(stderr, "usage: patch_bench [--runs=N] [--slow-runs=N] [--only=abcde] [--dir=PATH] [--write-results]\n");
        return 2;
    }
    {
        ssize_t n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
        if (n <= 0) {
            fprintf(stderr, "patch_bench: cannot find /proc/self/exe\n");
            return 2;
        }
        self_path[n] = 0;
    }
    snprintf(cmd, sizeof cmd, "%s/tmp", dir);
    mkdir(cmd, 0755);
    if (spawner_start() != 0) {
        fprintf(stderr, "patch_bench: cannot start the spawner process\n");
        return 2;
    }
    bench_machine(machine, sizeof machine);
    versions(ver, sizeof ver);
    {
        FILE *f = fopen("/proc/loadavg", "r");
        if (f) {
            if (!fgets(load_start, sizeof load_start, f)) snprintf(load_start, sizeof load_start, "?");
            fclose(f);
            load_start[strcspn(load_start, "\n")] = 0;
            if (strchr(load_start, '/')) *(strrchr(load_start, ' ') ? strrchr(load_start, ' ') : load_start) = 0;
            if (strchr(load_start, '/')) *(strrchr(load_start, ' ') ? strrchr(load_start, ' ') : load_start) = 0;
        }
    }
    printf("patch_bench (%s; %s)\n", machine, ver);
    {
        cmd_res nr;
        char *nargv[3];
        cmd_res_init(&nr);
        nargv[0] = self_path, nargv[1] = (char *)"--child-noop", nargv[2] = NULL;
        for (i = 0; i < 3; i++) run_cmd(nargv, &nr);
        noop_rss_kib = nr.rss_kib;
        noop_ns = nr.ns;
    }

    memset(&g, 0, sizeof g);
    memset(&gs, 0, sizeof gs);
    for (i = 0; i < 5; i++) {
        pairs[i].def = &pair_defs[i];
        pairs[i].old_len = 0;
        if (only && !strchr(only, pair_defs[i].id)) continue;
        if (run_pair(&pairs[i], runs, slow_runs) == 0) {
            have |= 1 << i;
            printf("   dx (%s): %lld B, diff %.2f ms, apply %.2f ms (in process)\n", variants[0].name,
                   (long long)pairs[i].dx[0].patch_bytes, (double)pairs[i].dx[0].diff_ns / 1e6,
                   (double)pairs[i].dx[0].apply_ns / 1e6);
        }
    }

    /* the report */
    {
        char *corpus;
        size_t clen;
        char corpus_path[1100];
        snprintf(corpus_path, sizeof corpus_path, "%s/corpus.md", dir);
        corpus = (char *)read_file(corpus_path, &clen);
        bench_textf(&t,
                    "Patch size, diff and apply time, and the apply's peak memory on five file pairs, dx_patch.h "
                    "next to the peers' command-line tools, all measured in this one run (%.0f s). Corpus "
                    "(bench/patch_corpus.sh; fixed seeds, files from this machine's Debian packages):\n\n",
                    (double)(bench_now_ns() - t_start) / 1e9);
        if (corpus) {
            char *line = strchr(corpus, '\n');
            bench_textf(&t, "%s\n", line ? line + 1 : corpus);
            free(corpus);
        }
        bench_textf(&t,
                    "How: the peers are run as commands by fork/exec (stdout/stderr to /dev/null), wall time of "
                    "the whole command, best of %u runs (bsdiff and zstd -19 diffs: best of %u), peak RSS from "
                    "wait4; commands: `xdelta3 -e -9 -f -s OLD NEW PATCH` / `xdelta3 -d -f -s OLD PATCH OUT`, "
                    "`bsdiff OLD NEW PATCH` / `bspatch OLD OUT PATCH`, `zstd -q -f --single-thread -3|-19 "
                    "--patch-from=OLD NEW -o PATCH` / `zstd -q -f --single-thread -d --patch-from=OLD PATCH -o OUT` "
                    "(--single-thread: smaller patches at -3, less memory, same size at -19). dx runs the same "
                    "way as this program in a child mode: the diff command reads both files and calls "
                    "dx_patch_diff; the apply command feeds the patch file in 64 KiB pieces to a "
                    "dx_patch_applier that preads the old file and pwrites the new one (block by block, no "
                    "buffering of its own). This program doing nothing (--child-noop) takes %.2f ms and peaks at "
                    "%.1f MiB RSS (libc, libzstd): the floor of every dx command. In-process figures are dx_patch_diff / dx_patch_apply on buffers in memory (best "
                    "of %u; pair e: mean per call over batches of at least 20 ms). Every output (files and "
                    "buffers, both directions for in place) was compared with the new file.\n"
                    "Built with: %s; compiler %s. Versions: dx_patch.h %d.%d.%d (sha256 %s), %s.\n",
                    runs, slow_runs, (double)noop_ns / 1e6, (double)noop_rss_kib / 1024.0, runs, BENCH_FLAGS,
#if defined(__VERSION__)
                    __VERSION__,
#else
                    "?",
#endif
                    DX_PATCH_VERSION_MAJOR, DX_PATCH_VERSION_MINOR, DX_PATCH_VERSION_PATCH, DX_PATCH_SHA, ver);
    }
    bench_textf(&g.t, "| goal | value | limit | |\n|---|---|---|---|\n");
    bench_textf(&gs.t, "| goal | value | limit | |\n|---|---|---|---|\n");
    for (i = 0; i < 5; i++)
        if (have & (1 << i)) report_pair(&t, &g, &gs, &pairs[i]);
    bench_textf(&t, "\n### Goals\n\nThe issue's goals, as ratios in this run (dx = `%s`):\n\n%s\n%d of %d goals reached.\n",
                variants[0].name, g.t.s ? g.t.s : "", g.reached, g.total);
    if (gs.total)
        bench_textf(&t, "\nThe goals of the in-place pairs once more with the shift mode, `%s` (one way: no roll back and "
                        "no resume, but it also applies in place, through its window):\n\n%s\n%d of %d reached there (the "
                        "default mode: %d of %d); with the shift mode for them, %d of %d goals in all.\n",
                    variants[V_SHIFT].name, gs.t.s, gs.reached, gs.total, g.inplace_reached, gs.total,
                    g.reached - g.inplace_reached + gs.reached, g.total);
    /* information lines: in-process figures against the peers' commands */
    for (i = 2; i < 4; i++) { /* c and d: the shift mode at zstd 19, for information */
        const pair_res *pr = &pairs[i];
        const impl_res *z = &pr->dx[V_SHIFT19];
        if (!(have & (1 << i)) || z->unsupported || z->patch_bytes < 0) continue;
        char dt[32];
        bench_textf(&t, "%s%c: `%s` %lld B (diff command %s) = %.3g x xdelta3's, %.3g x zstd -19's, %.3g x bsdiff's.",
                    i == 2 || !(have & 4) ? "\nFor information, the shift mode at zstd level 19 (not the default level): " : " ",
                    pr->def->id, variants[V_SHIFT19].name, (long long)z->patch_bytes, fmt_ns(dt, sizeof dt, z->diff.ns),
                    ratio((double)z->patch_bytes, (double)pr->peer[P_XDELTA].patch_bytes),
                    ratio((double)z->patch_bytes, (double)pr->peer[P_ZSTD19].patch_bytes),
                    ratio((double)z->patch_bytes, (double)pr->peer[P_BSDIFF].patch_bytes));
    }
    if (have & 12) bench_textf(&t, "\n");
    bench_textf(&t, "\nFor information, dx in process (dx_patch_diff / dx_patch_apply on buffers) against the peers' "
                    "whole commands, which also start a process and read and write files:");
    for (i = 0; i < 5; i++) {
        const pair_res *pr = &pairs[i];
        if (!(have & (1 << i))) continue;
        bench_textf(&t, " %c: diff %.2g x bsdiff's, %.2g x xdelta3's; apply %.2g x xdelta3's;", pr->def->id,
                    ratio((double)pr->dx[0].diff_ns, (double)pr->peer[P_BSDIFF].diff.ns),
                    ratio((double)pr->dx[0].diff_ns, (double)pr->peer[P_XDELTA].diff.ns),
                    ratio((double)pr->dx[0].apply_ns, (double)pr->peer[P_XDELTA].apply.ns));
    }
    bench_textf(&t, "\n");
    if (have & (1 << 4)) {
        const pair_res *pe = &pairs[4];
        int bp = best_peer_size(pe);
        bench_textf(&t,
                    "\nPair e: a dx patch carries %d bytes before its first record (the 64-byte header with both "
                    "lengths and 64-bit hashes of base and target, and a 12-byte frame header), more than 0.9 x the "
                    "smallest peer's whole patch (%s, %lld B: no check of the base, a 4-byte checksum of the output); the records themselves are "
                    "%lld B. A command that does nothing (--child-noop) takes %.2f ms here, %.2g x bsdiff's diff "
                    "command (%.2f ms): no whole command can be 50x faster than it; in process dx_patch_diff takes "
                    "%.1f µs and dx_patch_apply_in_place %.2f µs per call.\n",
                    DX_PATCH_HEADER_SIZE + DX_PATCH_FRAME_HEADER_SIZE * pe->dx[0].frames, bp >= 0 ? peers[bp].name : "?",
                    bp >= 0 ? (long long)pe->peer[bp].patch_bytes : 0LL,
                    (long long)pe->dx[0].patch_bytes - DX_PATCH_HEADER_SIZE - DX_PATCH_FRAME_HEADER_SIZE * pe->dx[0].frames,
                    (double)noop_ns / 1e6, ratio((double)noop_ns, (double)pe->peer[P_BSDIFF].diff.ns),
                    (double)pe->peer[P_BSDIFF].diff.ns / 1e6, (double)pe->dx[0].diff_ns / 1e3,
                    (double)pe->dx[0].apply_in_place_ns / 1e3);
    }
    {
        char load[64] = "?";
        FILE *f = fopen("/proc/loadavg", "r");
        if (f) {
            if (!fgets(load, sizeof load, f)) snprintf(load, sizeof load, "?");
            fclose(f);
            load[strcspn(load, "\n")] = 0;
            if (strchr(load, '/')) *(strrchr(load, ' ') ? strrchr(load, ' ') : load) = 0; /* the 3 averages */
            if (strchr(load, '/')) *(strrchr(load, ' ') ? strrchr(load, ' ') : load) = 0;
        }
        bench_textf(&t, "\nLoad average at the end of the run: %s (this run's start: %s); the machine is shared, "
                        "so compare the figures of one run with each other.\n", load, load_start);
    }
    (void)k;

    printf("\n%s", t.s);
    bench_text_free(&g.t);
    bench_text_free(&gs.t);
    if (failures) {
        fprintf(stderr, "patch_bench: %d failures\n", failures);
        bench_text_free(&t);
        return 1;
    }
    if (write) {
        if (only) {
            fprintf(stderr, "patch_bench: --only: results not written\n");
        } else if (bench_results_write(results, "patch",
                                       "dx_patch.h: five file pairs against xdelta3, bsdiff and zstd --patch-from "
                                       "(bench/patch_bench.c)",
                                       t.s) != 0) {
            return 1;
        } else {
            printf("patch_bench: wrote the patch section of %s\n", results);
        }
    }
    bench_text_free(&t);
    return 0;
}
