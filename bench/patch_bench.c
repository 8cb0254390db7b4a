/* patch_bench.c - dx_patch.h and dxdiff against xdelta3 -9, bsdiff, zstd --patch-from (-3, -19), HDiffPatch
   and zstd -19 of NEW alone, on twelve file pairs (a-e: issue 9's; f-l: real upgrade pairs, issue 13)

   Build and run: sh bench/run_patch.sh [--write-results]   (see that script; the
   pairs are made by bench/patch_corpus.sh into build/bench/patch/)
   Options: --dir=PATH (build/bench/patch)   where the pairs are (a.old a.new ... l.new, corpus.md)
            --only=LETTERS                   only these pairs (e.g. --only=abe); no results written,
                                             the chart goes to DIR/patch_sizes.svg
            --runs=N (5)                     best of N for dx in process and every command, except:
            --slow-runs=N (1)                best of N for the slow diffs (bsdiff, zstd -19, HDiffPatch)
            --real-runs=N (1)                best of N for every command on pairs f-l (large files)
            --bsdiff-timeout=S (1200)        bsdiff's diff is killed after S seconds ("not run")
            --dxdiff=PATH (build/dxdiff)     the dxdiff tool (examples/dxdiff.c as the Makefile builds it)
            --hdiffpatch=DIR                 the folder of hdiffz and hpatchz (bench/build_hdiffpatch.sh);
                                             without it HDiffPatch's rows say "not run" and why
            --chart=SVG (bench/patch_sizes.svg)  the chart, drawn with gnuplot
            --write-results                  replace the patch section of --results=PATH (bench/RESULTS.md)

   For every pair and every implementation: the patch size (and its ratio to
   the smallest peer's, in the same run), the time to make it and to apply
   it, and the peak memory of both. The peers are command-line tools, run by
   fork/exec with the files in the page cache; wall time of the whole command
   (best of runs) and its peak RSS from wait4. dxdiff is run the same way, as
   a user runs it: `dxdiff diff OLD NEW PATCH` with no option (its default
   choice) and the in-place patch (`--in-place`, or `--shift --window 1M`
   where this dxdiff's diff has no --in-place: the row's name says which),
   applied in place over a copy of OLD. On pairs a-e dx_patch.h is also
   measured in process (dx_patch_diff and dx_patch_apply on buffers already
   in memory, the figure a library user gets) and as whole commands of this
   same program (--child-diff reads the two files, diffs, writes the patch;
   --child-apply streams the patch in 64 KiB pieces through a
   dx_patch_applier that reads the old file and writes the new one with
   pread/pwrite), in eight configurations. Every output is compared byte for
   byte with the new file; exit 1 on any mismatch. Nothing asserts on time.
   The summary table and the chart (gnuplot, SVG: patch size / the smallest
   peer's, per pair and tool, log scale) cover every pair.

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
#include <signal.h>
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
    int runs, failed, timed_out;
} cmd_res;

static void cmd_res_init(cmd_res *r) {
    r->ns = UINT64_MAX;
    r->rss_kib = 0;
    r->runs = r->failed = r->timed_out = 0;
}

/* The commands are started by a small process forked at the start, before
   this one reads any file: Linux counts the RSS a process had before exec in
   its ru_maxrss, and a child forked from here would carry the benchmark's
   buffers (tens of MiB) into every figure. The spawner forks, execs, waits
   (wait4) and reports the wall time and the peak RSS back through a pipe. */
typedef struct spawn_reply {
    int ok, timed_out;
    uint64_t ns;
    long rss_kib;
} spawn_reply;

static void on_alarm(int sig) { (void)sig; } /* only interrupts wait4 */

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

/* A request: u32 timeout in seconds (0: none), u32 length, then the NUL-separated arguments.
   A command still running at its timeout is killed (its process group, SIGKILL) and reported
   as timed out: the watchdog for bsdiff on the largest pairs. */
static void spawner_loop(int in, int out) {
    static char args[16384];
    char *argv[32];
    uint32_t len, timeout;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART: wait4 returns EINTR */
    sigaction(SIGALRM, &sa, NULL);
    while (read_full(in, &timeout, sizeof timeout) == 0 && read_full(in, &len, sizeof len) == 0 && len > 0 &&
           len < sizeof args) {
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
        memset(&ru, 0, sizeof ru);
        t0 = bench_now_ns();
        pid = fork();
        if (pid == 0) {
            int null = open("/dev/null", O_WRONLY);
            setpgid(0, 0);
            if (null >= 0) dup2(null, 1), dup2(null, 2);
            execvp(argv[0], argv);
            _exit(127);
        }
        if (pid > 0) {
            setpgid(pid, pid);
            if (timeout) alarm(timeout);
            for (;;) {
                got = wait4(pid, &status, 0, &ru);
                if (got >= 0 || errno != EINTR) break;
                if (timeout && bench_now_ns() - t0 >= (uint64_t)timeout * 1000000000u) {
                    rep.timed_out = 1;
                    kill(-pid, SIGKILL);
                    kill(pid, SIGKILL);
                }
            }
            alarm(0);
            t1 = bench_now_ns();
            rep.ok = !rep.timed_out && got == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
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

/* Runs argv (stdout and stderr to /dev/null), adds its wall time and peak RSS to r; a
   timeout (seconds, 0: none) kills it there (r->timed_out). */
static int run_cmd_timeout(char *const *argv, cmd_res *r, uint32_t timeout) {
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
    if (write_full(spawn_req, &timeout, sizeof timeout) != 0 || write_full(spawn_req, &len, sizeof len) != 0 ||
        write_full(spawn_req, buf, len) != 0 ||
        read_full(spawn_resp, &rep, sizeof rep) != 0) {
        fprintf(stderr, "patch_bench: the spawner process is gone\n");
        exit(1);
    }
    if (!rep.ok) {
        r->failed++;
        r->timed_out |= rep.timed_out;
        return -1;
    }
    if (rep.ns < r->ns) r->ns = rep.ns;
    if (rep.rss_kib > r->rss_kib) r->rss_kib = rep.rss_kib;
    r->runs++;
    return 0;
}

static int run_cmd(char *const *argv, cmd_res *r) { return run_cmd_timeout(argv, r, 0); }

/* ---- implementations ---- */

enum { V_COUNT = 8, V_SHIFT = 5, V_SHIFT19 = 6, P_COUNT = 6, P_OLD_COUNT = 4, C_COUNT = 2, N_PAIRS = 12 };

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
    int slow_diff;     /* diff only --slow-runs times */
    const char *brief; /* for the summary and the chart */
} peer;

/* The first P_OLD_COUNT are the peers of issue 9's goals (pairs a-e: "the smallest peer" there
   means the smallest of these four, as when those goals were set); issue 13's goals compare with
   every peer, HDiffPatch and zstd -19 of NEW alone included. */
enum { P_XDELTA = 0, P_BSDIFF = 1, P_ZSTD3 = 2, P_ZSTD19 = 3, P_HDIFF = 4, P_ZNEW = 5 };
static const peer peers[P_COUNT] = {
    {"xdelta3 -9", 0, "xdelta3 -9"},
    {"bsdiff", 1, "bsdiff"},
    {"zstd -3 --patch-from", 0, "zstd -3 --patch-from"},
    {"zstd -19 --patch-from", 1, "zstd -19 --patch-from"},
    {"HDiffPatch -m-6 -c-zstd-21-24", 1, "HDiffPatch"},
    {"zstd -19 of NEW alone", 1, "zstd -19 of NEW"},
};

/* dxdiff, the command-line tool (examples/dxdiff.c built by the Makefile, with zstd): C_DEFAULT
   is `dxdiff diff OLD NEW PATCH` with no option, whatever it chooses; C_IN_PLACE asks for a
   patch that applies in place: `--in-place` where dxdiff's diff accepts it, else (older dxdiff)
   `--shift --window 1M`, the in-place capable mode that exists there (the row's name says which). */
enum { C_DEFAULT = 0, C_IN_PLACE = 1 };
static char cli_name[C_COUNT][96] = {"dxdiff diff (default)", "dxdiff diff --in-place"};
static char cli_brief[C_COUNT][64] = {"dxdiff", "dxdiff --in-place"};
static int cli_legacy_in_place; /* 1: dxdiff diff has no --in-place; --shift --window 1M instead */
static const char *dxdiff_path, *hdiff_dir;
static char hdiff_missing[256] = "";
static uint32_t bsdiff_timeout = 1200; /* seconds; --bsdiff-timeout=S */
static char dxdiff_version[160] = "?";

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
    int skipped;                                   /* a peer not run here (skip_why) */
    uint32_t window;                               /* dxdiff: the patch's window (header), 0 if none */
    const char *skip_why;
} impl_res;

typedef struct pair_def {
    char id;
    const char *title;
    int kind;          /* 0: in place (a, b, e), 1: shifted (c), 2: release (d), 3: real upgrade pair (f-l) */
    const char *label; /* short, for the chart */
} pair_def;

/* a-e: issue 9's pairs (every dx variant in process too); f-l: issue 13's real upgrade pairs from
   Debian 12 packages (whole commands only: dxdiff and the peers) */
static const pair_def pair_defs[N_PAIRS] = {
    {'a', "a: 16 MiB of shared libraries, 200 in-place edits", 0, "a libs, edits"},
    {'b', "b: process memory image (gcore, ~60 MiB), 1.5% of pages changed", 0, "b core dump"},
    {'c', "c: 8 MiB binary, 3 insertions + 2 deletions", 1, "c cc1, inserts"},
    {'d', "d: release pair, libcrypto.so.3 3.0.20 -> 3.0.22", 2, "d libcrypto"},
    {'e', "e: 20 KiB file, 5 changed bytes", 0, "e 20 KiB"},
    {'f', "f: libLLVM 14 -> 15 (two major versions, 110 MB)", 3, "f libLLVM 14-15"},
    {'g', "g: gcc's cc1 11 -> 12 (two major versions)", 3, "g cc1 11-12"},
    {'h', "h: OpenBLAS 0.3.21 pthread -> openmp (two threading models)", 3, "h openblas"},
    {'i', "i: gcc 12's cc1 x86_64 -> aarch64 (two targets)", 3, "i cc1 x86-arm"},
    {'j', "j: tar of libstdc++ headers 11 -> 12 (text)", 3, "j headers tar"},
    {'k', "k: libpython3.11 .deb, two security updates (compressed)", 3, "k .deb"},
    {'l', "l: libpython3.11.so, two security updates", 3, "l libpython"},
};

typedef struct pair_res {
    const pair_def *def;
    size_t old_len, new_len;
    impl_res dx[V_COUNT], peer[P_COUNT], cli[C_COUNT];
    unsigned runs; /* pairs f-l: of each command (the slow peers' diffs: real_runs) */
} pair_res;

static char self_path[4096];
static const char *dir;
static long noop_rss_kib;
static uint64_t noop_ns;
static char load_start[64] = "?";

static void path_of(char *out, size_t size, char id, const char *suffix) {
    snprintf(out, size, "%s/%c.%s", dir, id, suffix);
}

/* zstd --patch-from: the window must cover the old file (zstd's manual: --long where the file
   needs it; the CLI also turns it on by itself when chainLog < fileLog). Given explicitly, to
   both sides, for files over 8 MiB (level 19's own window): --long=ceil(log2(largest size)). */
static unsigned zstd_long_log(size_t old_len, size_t new_len) {
    size_t most = old_len > new_len ? old_len : new_len;
    unsigned lg = 10;
    if (most <= (8u << 20)) return 0;
    while (lg < 31 && ((size_t)1 << lg) < most) lg++;
    return lg;
}

static char hdiffz_path[1100], hpatchz_path[1100];

/* argv of a peer's diff (op 0) or apply (op 1); long_log: zstd's --long=N, 0 for none */
static void peer_argv(int p, int op, const char *o, const char *n, const char *patch, const char *out, char **argv,
                      char *arg_buf, size_t arg_size, unsigned long_log) {
    static char long_arg[32];
    int i = 0;
    snprintf(long_arg, sizeof long_arg, "--long=%u", long_log);
    switch (p) {
    case P_HDIFF:
        argv[i++] = op ? hpatchz_path : hdiffz_path;
        argv[i++] = (char *)"-f";
        if (!op) argv[i++] = (char *)"-m-6", argv[i++] = (char *)"-c-zstd-21-24";
        argv[i++] = (char *)o;
        argv[i++] = (char *)(op ? patch : n);
        argv[i++] = (char *)(op ? out : patch);
        break;
    case P_ZNEW:
        argv[i++] = (char *)"zstd";
        argv[i++] = (char *)"-q";
        argv[i++] = (char *)"-f";
        argv[i++] = (char *)"--single-thread";
        argv[i++] = (char *)(op ? "-d" : "-19");
        argv[i++] = (char *)(op ? patch : n);
        argv[i++] = (char *)"-o";
        argv[i++] = (char *)(op ? out : patch);
        break;
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
        if (long_log) argv[i++] = long_arg;
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

/* a size ratio: 3 decimals near 1 (1.002 is not 1), fewer when large */
static const char *fmt_ratio(char *buf, size_t size, double x) {
    if (x >= 0.995 && x < 1.105) snprintf(buf, size, "%.4f", x); /* 1.0001 is not the best */
    else if (x < 10) snprintf(buf, size, "%.3f", x);
    else if (x < 100) snprintf(buf, size, "%.1f", x);
    else snprintf(buf, size, "%.0f", x);
    return buf;
}
static double cmd_s(const cmd_res *c) { return c->runs ? (double)c->ns / 1e9 : 0; }

/* ---- one pair ---- */

/* the window (bytes) `dxdiff info PATCH` reports, 0 if none: read from the tool so that any
   dxdiff (any wire format) is understood */
static uint32_t cli_window(const char *patch) {
    char cmd[1200], line[256];
    unsigned long w = 0;
    FILE *f;
    snprintf(cmd, sizeof cmd, "'%s' info '%s' 2>/dev/null", dxdiff_path, patch);
    f = popen(cmd, "r");
    if (!f) return 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "window:", 7) == 0) w = strtoul(line + 7, NULL, 10);
    pclose(f);
    return (uint32_t)w;
}

/* argv of dxdiff's diff (op 0), apply (op 1) or apply --in-place (op 2) for row c */
static void cli_argv(int c, int op, const char *o, const char *n, const char *patch, const char *out, char **argv) {
    int i = 0;
    argv[i++] = (char *)dxdiff_path;
    argv[i++] = (char *)(op ? "apply" : "diff");
    argv[i++] = (char *)"-q";
    if (op == 0 && c == C_IN_PLACE) {
        if (cli_legacy_in_place) argv[i++] = (char *)"--shift", argv[i++] = (char *)"--window", argv[i++] = (char *)"1M";
        else argv[i++] = (char *)"--in-place";
    }
    if (op == 2) argv[i++] = (char *)"--in-place";
    argv[i++] = (char *)o;
    if (op == 0) argv[i++] = (char *)n, argv[i++] = (char *)patch;
    else if (op == 1) argv[i++] = (char *)patch, argv[i++] = (char *)out;
    else argv[i++] = (char *)patch;
    argv[i] = NULL;
}

static unsigned real_runs = 1; /* --real-runs=N: runs of every command on pairs f-l */
#define SMALL_REAL_RUNS 3 /* at least, on pairs f-l under SMALL_REAL_SIZE: one run of a 2-second command varied by 15-20%
                             on this shared machine (openblas: dxdiff 1.6-2.1 s, xdelta3 -9 1.8-2.2 s by hand) */
#define SMALL_REAL_SIZE ((size_t)64 << 20)

static int run_pair(pair_res *pr, unsigned runs, unsigned slow_runs) {
    char oldp[1024], newp[1024], patchp[1024], outp[1024], arg[1200], blk[16], lvl[16], shf[16], work[1100];
    char *argv[16];
    size_t ol, nl;
    uint8_t *o, *n;
    int v, p, c, small, real = pr->def->kind == 3;
    unsigned r, long_log;
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
    long_log = zstd_long_log(ol, nl);
    if (real) {
        runs = slow_runs = real_runs;
        if (ol < SMALL_REAL_SIZE && nl < SMALL_REAL_SIZE && runs < SMALL_REAL_RUNS) runs = SMALL_REAL_RUNS;
    }
    pr->runs = runs;
    printf("\n== %s (%zu -> %zu bytes)\n", pr->def->title, ol, nl);
    fflush(stdout);

    /* dx in process: every variant (pairs a-e) */
    for (v = 0; v < V_COUNT; v++) {
        snprintf(patchp, sizeof patchp, "%s/tmp/%c.dx%d", dir, pr->def->id, v);
        memset(&pr->dx[v], 0, sizeof pr->dx[v]);
        cmd_res_init(&pr->dx[v].diff);
        cmd_res_init(&pr->dx[v].apply);
        cmd_res_init(&pr->dx[v].apply_in_place);
        if (real) {
            pr->dx[v].patch_bytes = -1;
            pr->dx[v].skipped = 1;
            continue;
        }
        dx_in_process(pr, o, n, v, runs, small, &pr->dx[v], patchp);
    }
    for (p = 0; p < P_COUNT; p++) {
        memset(&pr->peer[p], 0, sizeof pr->peer[p]);
        cmd_res_init(&pr->peer[p].diff);
        cmd_res_init(&pr->peer[p].apply);
        pr->peer[p].patch_bytes = -1;
        if (p == P_HDIFF && !hdiff_dir) pr->peer[p].skipped = 1, pr->peer[p].skip_why = hdiff_missing;
    }
    for (c = 0; c < C_COUNT; c++) {
        memset(&pr->cli[c], 0, sizeof pr->cli[c]);
        cmd_res_init(&pr->cli[c].diff);
        cmd_res_init(&pr->cli[c].apply);
        cmd_res_init(&pr->cli[c].apply_in_place);
        pr->cli[c].patch_bytes = -1;
    }

    /* whole commands, interleaved: every diff once per round, then every apply */
    for (r = 0; r < runs; r++) {
        for (v = 0; v < V_COUNT && !real; v++) {
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
        for (c = 0; c < C_COUNT; c++) {
            int64_t got;
            snprintf(patchp, sizeof patchp, "%s/tmp/%c.cli%d", dir, pr->def->id, c);
            unlink(patchp);
            cli_argv(c, 0, oldp, newp, patchp, NULL, argv);
            if (run_cmd(argv, &pr->cli[c].diff) != 0) {
                FAIL("%c %s: the diff command failed", pr->def->id, cli_name[c]);
                continue;
            }
            got = file_size(patchp);
            if (r > 0 && got != pr->cli[c].patch_bytes) FAIL("%c %s: the patch's size differs between runs", pr->def->id, cli_name[c]);
            pr->cli[c].patch_bytes = got;
            if (r == 0) {
                pr->cli[c].window = cli_window(patchp);
                printf("   %s: %lld B\n", cli_name[c], (long long)got), fflush(stdout);
            }
        }
        for (p = 0; p < P_COUNT; p++) {
            impl_res *pe = &pr->peer[p];
            if (pe->skipped || (peers[p].slow_diff && r >= slow_runs)) continue;
            snprintf(patchp, sizeof patchp, "%s/tmp/%c.p%d", dir, pr->def->id, p);
            unlink(patchp);
            peer_argv(p, 0, oldp, newp, patchp, NULL, argv, arg, sizeof arg, long_log);
            if (run_cmd_timeout(argv, &pe->diff, p == P_BSDIFF ? bsdiff_timeout : 0) != 0) {
                if (pe->diff.timed_out) {
                    static char why[N_PAIRS][128];
                    snprintf(why[pr->def - pair_defs], sizeof why[0],
                             "not run: its diff exceeded the watchdog of %u s (--bsdiff-timeout) and was killed", bsdiff_timeout);
                    pe->skipped = 1;
                    pe->skip_why = why[pr->def - pair_defs];
                    pe->patch_bytes = -1;
                    printf("   %s: %s\n", peers[p].name, pe->skip_why), fflush(stdout);
                    unlink(patchp);
                    continue;
                }
                FAIL("%c %s: diff failed", pr->def->id, peers[p].name);
            }
            pe->patch_bytes = file_size(patchp);
            if (r == 0) printf("   %s: %lld B\n", peers[p].name, (long long)pe->patch_bytes), fflush(stdout);
        }
    }
    for (r = 0; r < runs; r++) {
        for (v = 0; v < V_COUNT && !real; v++) {
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
        /* dxdiff: the default patch out of place, the in-place one in place over a copy of OLD */
        for (c = 0; c < C_COUNT; c++) {
            if (pr->cli[c].patch_bytes < 0) continue;
            snprintf(patchp, sizeof patchp, "%s/tmp/%c.cli%d", dir, pr->def->id, c);
            if (c == C_DEFAULT) {
                snprintf(outp, sizeof outp, "%s/tmp/%c.out", dir, pr->def->id);
                unlink(outp);
                cli_argv(c, 1, oldp, NULL, patchp, outp, argv);
                if (run_cmd(argv, &pr->cli[c].apply) != 0 || !file_equals(outp, n, nl))
                    FAIL("%c %s: dxdiff apply gave the wrong file", pr->def->id, cli_name[c]);
            } else {
                char journal[1200];
                snprintf(work, sizeof work, "%s/tmp/%c.work", dir, pr->def->id);
                snprintf(journal, sizeof journal, "%s.dxdiff-journal", work);
                unlink(journal);
                if (write_file(work, o, ol) != 0) FAIL("cannot write %s", work);
                cli_argv(c, 2, work, NULL, patchp, NULL, argv);
                if (run_cmd(argv, &pr->cli[c].apply) != 0 || !file_equals(work, n, nl))
                    FAIL("%c %s: dxdiff apply --in-place gave the wrong file", pr->def->id, cli_name[c]);
                unlink(journal);
            }
        }
        for (p = 0; p < P_COUNT; p++) {
            if (pr->peer[p].patch_bytes < 0) continue;
            snprintf(patchp, sizeof patchp, "%s/tmp/%c.p%d", dir, pr->def->id, p);
            snprintf(outp, sizeof outp, "%s/tmp/%c.out", dir, pr->def->id);
            unlink(outp);
            peer_argv(p, 1, oldp, newp, patchp, outp, argv, arg, sizeof arg, long_log);
            if (run_cmd(argv, &pr->peer[p].apply) != 0 || !file_equals(outp, n, nl))
                FAIL("%c %s: apply gave the wrong file", pr->def->id, peers[p].name);
        }
    }
    /* the big pairs' scratch files go (the tmp folder would hold GBs) */
    snprintf(outp, sizeof outp, "%s/tmp/%c.out", dir, pr->def->id);
    unlink(outp);
    snprintf(work, sizeof work, "%s/tmp/%c.work", dir, pr->def->id);
    unlink(work);
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
    if (value >= 0.995 && value < 1.105) /* near a limit of 1.0 or 1.1: 1.0001 is not 1.000 */
        bench_textf(&g->t, "| %s | %.4f | %s | %s |\n", what, value, limit_text, ok ? "reached" : "NOT reached");
    else if (value >= 0.1 && value < 10)
        bench_textf(&g->t, "| %s | %.3f | %s | %s |\n", what, value, limit_text, ok ? "reached" : "NOT reached");
    else
        bench_textf(&g->t, "| %s | %.3g | %s | %s |\n", what, value, limit_text, ok ? "reached" : "NOT reached");
    g->total++;
    g->reached += ok;
}

/* the peer with the smallest patch among the first count (P_OLD_COUNT: issue 9's goals; P_COUNT: all) */
static int best_peer_of(const pair_res *pr, int count) {
    int p, best = -1;
    for (p = 0; p < count; p++)
        if (pr->peer[p].patch_bytes >= 0 && (best < 0 || pr->peer[p].patch_bytes < pr->peer[best].patch_bytes)) best = p;
    return best;
}

static int best_peer_size(const pair_res *pr) { return best_peer_of(pr, P_OLD_COUNT); }

static long min_peer_apply_rss(const pair_res *pr) {
    long m = 0;
    int p;
    for (p = 0; p < P_OLD_COUNT; p++)
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

/* one row of a pair's main table: name, patch, x the smallest peer's, diff, apply, apply RSS, diff RSS */
static void tool_row(bench_text *t, const char *name, const impl_res *r, const pair_res *pr, int all_best) {
    char c[8][160];
    const char *row[7];
    row[0] = name;
    if (r->skipped && r->skip_why) {
        int k;
        for (k = 2; k < 7; k++) row[k] = "-";
        snprintf(c[0], sizeof c[0], "%s", r->skip_why);
        row[1] = c[0];
        bench_row(t, 7, row);
        return;
    }
    row[1] = fmt_bytes(c[0], sizeof c[0], r->patch_bytes);
    if (all_best >= 0 && r->patch_bytes >= 0)
        fmt_ratio(c[5], sizeof c[5], ratio((double)r->patch_bytes, (double)pr->peer[all_best].patch_bytes));
    else
        snprintf(c[5], sizeof c[5], "-");
    row[2] = c[5];
    row[3] = fmt_ns(c[1], sizeof c[1], r->diff.ns);
    row[4] = fmt_ns(c[2], sizeof c[2], r->apply.ns);
    row[5] = fmt_kib(c[3], sizeof c[3], r->apply.rss_kib);
    row[6] = fmt_kib(c[4], sizeof c[4], r->diff.rss_kib);
    bench_row(t, 7, row);
}

/* issue 13's goals for one pair (dxdiff, the real tool, against every peer) */
static void goals13(goals *g, const pair_res *pr) {
    char what[320], lim[64];
    int all_best = best_peer_of(pr, P_COUNT), c;
    const impl_res *d = &pr->cli[C_DEFAULT], *ip = &pr->cli[C_IN_PLACE];
    double x;
    bench_textf(&g->t, "| **%c** | | | |\n", pr->def->id);
    x = all_best >= 0 ? ratio((double)d->patch_bytes, (double)pr->peer[all_best].patch_bytes) : 0;
    snprintf(what, sizeof what, "%c: dxdiff default patch (%lld B) / the smallest peer's (%s, %lld B)", pr->def->id,
             (long long)d->patch_bytes, all_best >= 0 ? peers[all_best].name : "?",
             all_best >= 0 ? (long long)pr->peer[all_best].patch_bytes : 0LL);
    goal(g, what, x, "<= 1.0", all_best >= 0 && d->patch_bytes >= 0 && x <= 1.0);
    x = all_best >= 0 ? ratio((double)ip->patch_bytes, (double)pr->peer[all_best].patch_bytes) : 0;
    snprintf(what, sizeof what, "%c: %s patch (%lld B) / the smallest peer's", pr->def->id, cli_name[C_IN_PLACE],
             (long long)ip->patch_bytes);
    goal(g, what, x, "<= 1.1", all_best >= 0 && ip->patch_bytes >= 0 && x <= 1.1);
    x = ratio(cmd_s(&d->diff), cmd_s(&pr->peer[P_XDELTA].diff));
    snprintf(what, sizeof what, "%c: dxdiff default diff time / xdelta3 -9's (%s s)", pr->def->id,
             pr->peer[P_XDELTA].diff.runs ? "" : "?");
    if (pr->peer[P_XDELTA].diff.runs)
        snprintf(what, sizeof what, "%c: dxdiff default diff time (%.3g s) / xdelta3 -9's (%.3g s)", pr->def->id,
                 cmd_s(&d->diff), cmd_s(&pr->peer[P_XDELTA].diff));
    goal(g, what, x, "<= 1.0", d->diff.runs && pr->peer[P_XDELTA].diff.runs && x <= 1.0);
    for (c = 0; c < C_COUNT; c++) {
        const impl_res *r = &pr->cli[c];
        double limit = 16.0 + (double)r->window / 1048576.0;
        snprintf(what, sizeof what, "%c: %s: apply%s peak RSS, MiB (window %.0f KiB)", pr->def->id, cli_name[c],
                 c == C_IN_PLACE ? " --in-place" : "", (double)r->window / 1024.0);
        snprintf(lim, sizeof lim, "<= %.4g (16 MiB + window)", limit);
        goal(g, what, (double)r->apply.rss_kib / 1024.0, lim, r->apply.rss_kib > 0 && (double)r->apply.rss_kib / 1024.0 <= limit);
    }
    if (pr->def->id == 'd') {
        x = ratio((double)d->patch_bytes, (double)pr->peer[P_BSDIFF].patch_bytes);
        snprintf(what, sizeof what, "d: dxdiff default patch / bsdiff's (%lld B)", (long long)pr->peer[P_BSDIFF].patch_bytes);
        goal(g, what, x, "<= 1.0", pr->peer[P_BSDIFF].patch_bytes > 0 && d->patch_bytes >= 0 && x <= 1.0);
    }
}

static void report_pair(bench_text *t, goals *g, goals *gs, goals *g13, const pair_res *pr) {
    const impl_res *dx = &pr->dx[0];
    int p, v, bp = best_peer_size(pr), all_best = best_peer_of(pr, P_COUNT);
    const char *head[] = {"tool", "patch", "x smallest peer", "diff", "apply", "apply peak RSS", "diff peak RSS"};
    if (pr->def->kind == 3)
        bench_textf(t, "\n### %s\n\n%zu -> %zu bytes. Whole commands, files in the page cache, best of %u (the "
                       "diffs of bsdiff, zstd -19, HDiffPatch and zstd -19 of NEW: best of %u); "
                       "x smallest peer = this patch / the smallest peer's (%s).\n\n",
                    pr->def->title, pr->old_len, pr->new_len, pr->runs, real_runs,
                    all_best >= 0 ? peers[all_best].name : "?");
    else
        bench_textf(t, "\n### %s\n\n%zu -> %zu bytes. Whole commands, files in the page cache; x smallest peer = this "
                       "patch / the smallest peer's (%s); dx_patch.h = `%s` through this "
                       "program's --child-diff / --child-apply (streaming, out of place)%s.\n\n",
                    pr->def->title, pr->old_len, pr->new_len, all_best >= 0 ? peers[all_best].name : "?", variants[0].name,
                    pr->dx[V_SHIFT].unsupported ? "; this dx_patch.h refuses cfg.shift (no shift-resilient mode)"
                                                  : "; dx shift mode = `dx 4 KiB blocks, zstd 3, shift, 64 KiB window` (cfg.shift: COPY "
                                                    "and SPLIT records), and the same at zstd level 19");
    bench_row(t, 7, head);
    bench_rule(t, 7);
    {
        char nm[C_COUNT][128];
        int c;
        for (c = 0; c < C_COUNT; c++) {
            snprintf(nm[c], sizeof nm[c], "**%s**%s", cli_name[c], c == C_IN_PLACE ? " (applied --in-place)" : "");
            tool_row(t, nm[c], &pr->cli[c], pr, all_best);
        }
    }
    for (v = 0; v < 3 && pr->def->kind != 3; v++) {
        const impl_res *r = v == 0 ? dx : v == 1 ? &pr->dx[V_SHIFT] : &pr->dx[V_SHIFT19];
        if (v && r->unsupported) break; /* the shift rows, where the header has the mode */
        tool_row(t, v == 0 ? "dx_patch.h" : v == 1 ? "dx_patch.h shift mode" : "dx_patch.h shift mode, zstd 19", r, pr, all_best);
    }
    for (p = 0; p < P_COUNT; p++) tool_row(t, peers[p].name, &pr->peer[p], pr, all_best);
    goals13(g13, pr);
    if (pr->def->kind == 3) return;
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
    snprintf(out, size, "xdelta3 %s, bsdiff %s (Debian), zstd %s (CLI and libzstd), HDiffPatch %s, dxdiff: %s", xd, bs,
             ZSTD_versionString(), hdiff_dir ? "505eaa5 (../shared/third_party, built by bench/build_hdiffpatch.sh)" : "not built",
             dxdiff_version);
}

/* ---- the summary over all pairs and the chart ---- */

enum { T_COUNT = 7 };
/* the chart's tools: -1, -2 = dxdiff default / in place, else a peer */
static const int chart_tools[T_COUNT] = {-1, -2, P_XDELTA, P_BSDIFF, P_ZSTD19, P_HDIFF, P_ZNEW};

static const impl_res *chart_impl(const pair_res *pr, int k) {
    int tool = chart_tools[k];
    return tool == -1 ? &pr->cli[C_DEFAULT] : tool == -2 ? &pr->cli[C_IN_PLACE] : &pr->peer[tool];
}

static const char *chart_name(int k) {
    int tool = chart_tools[k];
    return tool == -1 ? cli_brief[C_DEFAULT] : tool == -2 ? cli_brief[C_IN_PLACE] : peers[tool].brief;
}

/* One table, every pair: each tool's patch and its ratio to the smallest peer's. */
static void summary(bench_text *t, const pair_res *pairs, int have) {
    int i, k;
    bench_textf(t, "| pair | old -> new | smallest peer |");
    for (k = 0; k < T_COUNT; k++) bench_textf(t, " %s |", chart_name(k));
    bench_textf(t, "\n|---|---|---|");
    for (k = 0; k < T_COUNT; k++) bench_textf(t, "---|");
    bench_textf(t, "\n");
    for (i = 0; i < N_PAIRS; i++) {
        const pair_res *pr = &pairs[i];
        int best = best_peer_of(pr, P_COUNT);
        char a[48], b[48];
        if (!(have & (1 << i))) continue;
        bench_textf(t, "| %s | %s -> %s | %s |", pr->def->label, fmt_bytes(a, sizeof a, (int64_t)pr->old_len),
                    fmt_bytes(b, sizeof b, (int64_t)pr->new_len), best >= 0 ? peers[best].brief : "?");
        for (k = 0; k < T_COUNT; k++) {
            const impl_res *r = chart_impl(pr, k);
            if (r->skipped || r->patch_bytes < 0) bench_textf(t, " %s |", r->skipped ? "not run" : "failed");
            else
                bench_textf(t, " %s%s (%sx)%s |", best >= 0 && r == &pr->peer[best] ? "**" : "", fmt_bytes(a, sizeof a, r->patch_bytes),
                            fmt_ratio(b, sizeof b, best >= 0 ? ratio((double)r->patch_bytes, (double)pr->peer[best].patch_bytes) : 0),
                            best >= 0 && r == &pr->peer[best] ? "**" : "");
        }
        bench_textf(t, "\n");
    }
}

/* The chart: patch size / the smallest peer's, per pair and tool, log scale; gnuplot draws it
   (SVG) from a data file and a script written next to the corpus. 0 on success. */
static int chart(const pair_res *pairs, int have, const char *svg) {
    char dat[1100], gp[1100], cmd[2400];
    FILE *f;
    int i, k;
    snprintf(dat, sizeof dat, "%s/patch_sizes.dat", dir);
    snprintf(gp, sizeof gp, "%s/patch_sizes.gp", dir);
    f = fopen(dat, "w");
    if (!f) return -1;
    fprintf(f, "pair");
    for (k = 0; k < T_COUNT; k++) fprintf(f, "\t\"%s\"", chart_name(k));
    fprintf(f, "\n");
    for (i = 0; i < N_PAIRS; i++) {
        const pair_res *pr = &pairs[i];
        int best = best_peer_of(pr, P_COUNT);
        if (!(have & (1 << i)) || best < 0) continue;
        fprintf(f, "\"%s\"", pr->def->label);
        for (k = 0; k < T_COUNT; k++) {
            const impl_res *r = chart_impl(pr, k);
            if (r->skipped || r->patch_bytes < 0) fprintf(f, "\t?");
            else fprintf(f, "\t%.6g", ratio((double)r->patch_bytes, (double)pr->peer[best].patch_bytes));
        }
        fprintf(f, "\n");
    }
    fclose(f);
    f = fopen(gp, "w");
    if (!f) return -1;
    fprintf(f,
            "# written by bench/patch_bench.c: gnuplot %s\n"
            "set terminal svg size 1200,560 dynamic font 'sans,12' background rgb 'white'\n"
            "set output '%s'\n"
            "set title 'dx_patch benchmark: patch size / the smallest peer patch (log scale; lower is better)' font 'sans,13' noenhanced\n"
            "set datafile separator '\\t'\n"
            "set datafile missing '?'\n"
            "set style data histograms\n"
            "set style histogram clustered gap 1\n"
            "set style fill solid 0.85 border rgb 'black'\n"
            "set boxwidth 0.9\n"
            "set logscale y\n"
            "set yrange [0.25:*]\n"
            "set ylabel 'patch size / smallest peer (x)'\n"
            "set grid ytics\n"
            "set xtics rotate by -25 nomirror\n"
            "set key outside right top vertical noenhanced\n"
            "set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 2 lc rgb 'black'\n"
            "set arrow from graph 0, first 1.1 to graph 1, first 1.1 nohead dt 2 lc rgb 'black'\n"
            "plot for [i=2:%d] '%s' using i:xtic(1) title columnheader(i)\n",
            gp, svg, T_COUNT + 1, dat);
    fclose(f);
    snprintf(cmd, sizeof cmd, "gnuplot '%s'", gp);
    return system(cmd) == 0 ? 0 : -1;
}

int main(int argc, char **argv) {
    unsigned runs, slow_runs;
    int write, i, k, have = 0;
    const char *only, *results;
    static pair_res pairs[N_PAIRS];
    bench_text t = {NULL, 0, 0}, sum = {NULL, 0, 0};
    goals g, gs, g13;
    const char *svg;
    char machine[256], ver[640], cmd[1100];
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
    real_runs = (unsigned)bench_arg_u64(argc, argv, "--real-runs=", 1);
    bsdiff_timeout = (uint32_t)bench_arg_u64(argc, argv, "--bsdiff-timeout=", 1200);
    dxdiff_path = bench_arg_str(argc, argv, "--dxdiff=", "build/dxdiff");
    hdiff_dir = bench_arg_str(argc, argv, "--hdiffpatch=", NULL);
    svg = bench_arg_str(argc, argv, "--chart=", "bench/patch_sizes.svg");
    if (runs == 0 || slow_runs == 0 || slow_runs > runs || real_runs == 0) {
        fprintf(stderr, "usage: patch_bench [--runs=N] [--slow-runs=N] [--real-runs=N] [--bsdiff-timeout=S] [--only=abcdefghijkl] "
                        "[--dir=PATH] [--dxdiff=PATH] [--hdiffpatch=DIR] [--chart=SVG] [--write-results]\n");
        return 2;
    }
    if (access(dxdiff_path, X_OK) != 0) {
        fprintf(stderr, "patch_bench: no %s (make build/dxdiff; --dxdiff=PATH)\n", dxdiff_path);
        return 2;
    }
    if (hdiff_dir && *hdiff_dir) {
        snprintf(hdiffz_path, sizeof hdiffz_path, "%s/hdiffz", hdiff_dir);
        snprintf(hpatchz_path, sizeof hpatchz_path, "%s/hpatchz", hdiff_dir);
        if (access(hdiffz_path, X_OK) != 0 || access(hpatchz_path, X_OK) != 0) hdiff_dir = NULL;
    } else {
        hdiff_dir = NULL;
    }
    if (!hdiff_dir)
        snprintf(hdiff_missing, sizeof hdiff_missing, "not run: no hdiffz/hpatchz (../shared/third_party/HDiffPatch-505eaa5.tar.gz "
                                                      "absent or its build failed: bench/build_hdiffpatch.sh)");
    {
        FILE *f;
        snprintf(cmd, sizeof cmd, "'%s' --version 2>&1", dxdiff_path);
        f = popen(cmd, "r");
        if (f) {
            if (fgets(dxdiff_version, sizeof dxdiff_version, f)) dxdiff_version[strcspn(dxdiff_version, "\n")] = 0;
            pclose(f);
        }
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
    /* does this dxdiff's diff take --in-place? (tried on two small files) */
    {
        char a[1100], b[1100], pt[1100], *cargv[16];
        static uint8_t buf[8192];
        cmd_res cr;
        for (i = 0; i < (int)sizeof buf; i++) buf[i] = (uint8_t)(i * 7 + i / 300);
        snprintf(a, sizeof a, "%s/tmp/probe.old", dir);
        snprintf(b, sizeof b, "%s/tmp/probe.new", dir);
        snprintf(pt, sizeof pt, "%s/tmp/probe.patch", dir);
        write_file(a, buf, sizeof buf);
        buf[100] ^= 1;
        write_file(b, buf + 10, sizeof buf - 10);
        unlink(pt);
        cmd_res_init(&cr);
        cli_argv(C_IN_PLACE, 0, a, b, pt, NULL, cargv);
        if (run_cmd(cargv, &cr) != 0) {
            cli_legacy_in_place = 1;
            snprintf(cli_name[C_IN_PLACE], sizeof cli_name[C_IN_PLACE], "dxdiff diff --shift --window 1M (no --in-place in this dxdiff)");
            snprintf(cli_brief[C_IN_PLACE], sizeof cli_brief[C_IN_PLACE], "dxdiff --shift --window 1M");
        }
        unlink(a), unlink(b), unlink(pt);
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
    memset(&g13, 0, sizeof g13);
    for (i = 0; i < N_PAIRS; i++) {
        pairs[i].def = &pair_defs[i];
        pairs[i].old_len = 0;
        if (only && !strchr(only, pair_defs[i].id)) continue;
        if (run_pair(&pairs[i], runs, slow_runs) == 0) {
            have |= 1 << i;
            if (pair_defs[i].kind != 3)
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
                    "Patch size, diff and apply time, and the apply's peak memory on twelve file pairs (a-e: "
                    "issue 9's; f-l: issue 13's real upgrade pairs from Debian 12 packages), dx_patch.h "
                    "next to the peers' command-line tools, all measured in this one run (%.0f s). Corpus "
                    "(bench/patch_corpus.sh; fixed seeds, fixed Debian package versions):\n\n",
                    (double)(bench_now_ns() - t_start) / 1e9);
        if (corpus) {
            char *line = strchr(corpus, '\n');
            bench_textf(&t, "%s\n", line ? line + 1 : corpus);
            free(corpus);
        }
        bench_textf(&t,
                    "How: the peers are run as commands by fork/exec (stdout/stderr to /dev/null), wall time of "
                    "the whole command, best of %u runs (the diffs of bsdiff, zstd -19, HDiffPatch and zstd -19 of NEW: best of %u), peak RSS from "
                    "wait4; commands: `xdelta3 -e -9 -f -s OLD NEW PATCH` / `xdelta3 -d -f -s OLD PATCH OUT`, "
                    "`bsdiff OLD NEW PATCH` / `bspatch OLD OUT PATCH`, `zstd -q -f --single-thread -3|-19 "
                    "--patch-from=OLD NEW -o PATCH` / `zstd -q -f --single-thread -d --patch-from=OLD PATCH -o OUT` "
                    "(--single-thread: smaller patches at -3, less memory, same size at -19; `--long=N` on both "
                    "sides where a file exceeds 8 MiB, N = log2 of the larger file rounded up), HDiffPatch "
                    "`hdiffz -f -m-6 -c-zstd-21-24 OLD NEW PATCH` / `hpatchz -f OLD PATCH OUT` (single-threaded build), "
                    "zstd of NEW alone `zstd -q -f --single-thread -19 NEW -o PATCH` / `zstd -d`; bsdiff's diff "
                    "under a watchdog of %u s (killed and reported as not run beyond it). Pairs f-l: every command "
                    "best of %u, but on pairs under %u MiB best of %u (the slow diffs above: best of %u): one run of a "
                    "2-second command varies by 15-20%% on a shared machine. dxdiff (examples/dxdiff.c, built by the Makefile with zstd: `make build/dxdiff`) "
                    "as a user runs it: `dxdiff diff -q OLD NEW PATCH` / `dxdiff apply -q OLD PATCH OUT`, and "
                    "`dxdiff diff -q %s OLD NEW PATCH` / `dxdiff apply -q --in-place FILE PATCH` over a copy "
                    "of OLD. On pairs a-e dx_patch.h also runs the same "
                    "way as this program in a child mode: the diff command reads both files and calls "
                    "dx_patch_diff; the apply command feeds the patch file in 64 KiB pieces to a "
                    "dx_patch_applier that preads the old file and pwrites the new one (block by block, no "
                    "buffering of its own). This program doing nothing (--child-noop) takes %.2f ms and peaks at "
                    "%.1f MiB RSS (libc, libzstd): the floor of every dx command. In-process figures are dx_patch_diff / dx_patch_apply on buffers in memory (best "
                    "of %u; pair e: mean per call over batches of at least 20 ms). Every output (files and "
                    "buffers, both directions for in place) was compared with the new file.\n"
                    "Built with: %s; compiler %s. Versions: dx_patch.h %d.%d.%d (sha256 %s), %s.\n",
                    runs, slow_runs, bsdiff_timeout, real_runs, (unsigned)(SMALL_REAL_SIZE >> 20),
                    real_runs > SMALL_REAL_RUNS ? real_runs : SMALL_REAL_RUNS, real_runs,
                    cli_legacy_in_place ? "--shift --window 1M" : "--in-place", (double)noop_ns / 1e6, (double)noop_rss_kib / 1024.0, runs, BENCH_FLAGS,
#if defined(__VERSION__)
                    __VERSION__,
#else
                    "?",
#endif
                    DX_PATCH_VERSION_MAJOR, DX_PATCH_VERSION_MINOR, DX_PATCH_VERSION_PATCH, DX_PATCH_SHA, ver);
    }
    bench_textf(&g.t, "| goal | value | limit | |\n|---|---|---|---|\n");
    bench_textf(&gs.t, "| goal | value | limit | |\n|---|---|---|---|\n");
    bench_textf(&g13.t, "| goal | value | limit | |\n|---|---|---|---|\n");
    {
        bench_text pt = {NULL, 0, 0};
        int drawn;
        for (i = 0; i < N_PAIRS; i++)
            if (have & (1 << i)) report_pair(&pt, &g, &gs, &g13, &pairs[i]);
        summary(&sum, pairs, have);
        if (only && !bench_arg_str(argc, argv, "--chart=", NULL)) { /* a partial run leaves bench/ alone */
            static char partial_svg[1100];
            snprintf(partial_svg, sizeof partial_svg, "%s/patch_sizes.svg", dir);
            svg = partial_svg;
        }
        drawn = chart(pairs, have, svg) == 0;
        if (!drawn) fprintf(stderr, "patch_bench: gnuplot failed or is missing: no chart %s\n", svg);
        else printf("patch_bench: wrote the chart %s\n", svg);
        bench_textf(&t, "\n### Summary: patch sizes on every pair (issue 13)\n\nEach tool's patch and, in "
                        "parentheses, its size over the smallest peer's (the smallest of xdelta3 -9, bsdiff, zstd -3 "
                        "and -19 --patch-from, HDiffPatch and zstd -19 of NEW alone; in bold) in this run:\n\n%s\n",
                    sum.s ? sum.s : "");
        if (drawn)
            bench_textf(&t, "![patch size / the smallest peer's, per pair and tool](patch_sizes.svg)\n\n"
                            "(bench/patch_sizes.svg, drawn by gnuplot from this run: log scale, 1 = the smallest peer, "
                            "the dashed line 1.1 = the in-place goal.)\n");
        bench_textf(&t, "\n### Goals of issue 13 (every pair; dxdiff as a user runs it)\n\n%s\n%d of %d goals reached.\n",
                    g13.t.s ? g13.t.s : "", g13.reached, g13.total);
        bench_textf(&t, "%s", pt.s ? pt.s : "");
        bench_text_free(&pt);
        bench_text_free(&sum);
    }
    bench_textf(&t, "\n### Goals of issue 9 (pairs a-e)\n\nThat issue's goals, as ratios in this run (dx = `%s`; "
                    "the smallest peer: of xdelta3, bsdiff, zstd -3 and -19 --patch-from, as when they were set):\n\n%s\n"
                    "%d of %d goals reached.\n",
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
    bench_text_free(&g13.t);
    if (failures) {
        fprintf(stderr, "patch_bench: %d failures\n", failures);
        bench_text_free(&t);
        return 1;
    }
    if (write) {
        if (only) {
            fprintf(stderr, "patch_bench: --only: results not written\n");
        } else if (bench_results_write(results, "patch",
                                       "dx_patch.h: twelve file pairs against xdelta3, bsdiff, zstd --patch-from and HDiffPatch "
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
