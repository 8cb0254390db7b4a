/* dxdiff.c - dx_patch example: binary diff and patch of files from the command line.

       cc -std=c99 -I. -O2 examples/dxdiff.c -o build/dxdiff
       cc -std=c99 -I. -O2 -DDXDIFF_ZSTD examples/dxdiff.c -o build/dxdiff -lzstd   (zstd frames)

   diff reads OLD and NEW whole (dx_patch_diff works in memory). apply streams the patch to a
   dx_patch_applier in 64 KiB pieces and the data through io callbacks over FILE*: memory is
   the applier's whatever the file sizes. OUT is renamed into place only when the result checks.
   --in-place checks everything (base, frames, result hash) in a dry run before the first write. */
#if !defined(_WIN32)
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* fseeko, ftruncate, fsync, isatty, clock_gettime: before any header */
#endif
#define _FILE_OFFSET_BITS 64 /* files over 2 GiB on 32-bit hosts */
#endif
#define DX_IMPLEMENTATION
#if defined(DXDIFF_ZSTD)
#define DX_PATCH_WITH_ZSTD
#endif
#include "dx_patch.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(_WIN32)
#include <windows.h>
#include <io.h>
#define fseek64 _fseeki64
#define ftell64 _ftelli64
#define stderr_is_tty() _isatty(_fileno(stderr))
#define sync_fd(f) _commit(_fileno(f))
#define truncate_fd(f, len) _chsize_s(_fileno(f), (__int64)(len))
#define replace_file(from, to) (MoveFileExA(from, to, MOVEFILE_REPLACE_EXISTING) ? 0 : (errno = EACCES, -1))
#else
#include <time.h>
#include <unistd.h>
#define fseek64(f, off, whence) fseeko(f, (off_t)(off), whence)
#define ftell64 ftello
#define stderr_is_tty() isatty(fileno(stderr))
#define sync_fd(f) fsync(fileno(f))
#define truncate_fd(f, len) ftruncate(fileno(f), (off_t)(len))
#define replace_file rename
#endif

#define PIECE 65536 /* patch bytes fed to the applier at a time */

static const char usage_text[] =
    "usage: dxdiff diff [--block N] [--zstd LEVEL] [--one-way] [--shift [--window N]] OLD NEW PATCH\n"
    "       dxdiff apply OLD PATCH OUT\n"
    "       dxdiff apply --in-place [--resume] FILE PATCH\n"
    "       dxdiff info PATCH\n"
    "  diff          write PATCH, which turns OLD into NEW and (unless --one-way) NEW into OLD\n"
    "  --block N     block size: a power of two from 64 to 512K (K/M suffixes; default 4096)\n"
    "  --zstd LEVEL  compress with zstd, LEVEL 1..22 (3 is plenty; build with -DDXDIFF_ZSTD -lzstd)\n"
    "  --one-way     smaller patches where data becomes zeros or is rewritten; no roll back\n"
    "  --shift       find moved data (insertions, deletions, rebuilt programs); one-way, and\n"
    "                applied out of place only, unless:\n"
    "  --window N    (with --shift) no source more than N bytes behind its target (a power of\n"
    "                two, K/M suffixes): the patch also applies --in-place, with N bytes of memory\n"
    "  apply         write OUT from OLD, or OLD from NEW (detected); OUT appears if the result checks\n"
    "  --in-place    patch FILE itself; a wrong base or a bad patch leaves it untouched\n"
    "  --resume      finish an interrupted --in-place apply (implies --in-place)\n"
    "  info          header fields; records by kind, counted by decoding every frame\n"
    "  -v            details on stderr: sizes, direction, time, the applier's memory\n"
    "  --progress    a progress line on stderr even when it is not a terminal\n"
    "exit status: 0 ok, 1 failure, 2 bad usage. testing aid: DXDIFF_FAIL_AFTER_WRITES=N makes every\n"
    "  data write after the first N fail, as if the apply were interrupted there\n";

static int verbose;
static long fail_after = -1; /* DXDIFF_FAIL_AFTER_WRITES; -1: never */

/* The progress line; pending: a \r line still without its newline. */
static struct { int on, tty, forced, shown, pending; const char *label; uint64_t done, total; double last; } P;

static double now(void) {
#if defined(_WIN32)
    return (double)GetTickCount64() / 1000.0;
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
#endif
}

/* At most 10 lines a second; nothing for a phase over within 0.1 s, unless --progress. */
static void progress_to(uint64_t done, int now_or_never) {
    double t = now(), mib = 1048576.0;
    if (!P.on || !P.label) return;
    P.done = done < P.total ? done : P.total;
    if (!now_or_never && t - P.last < 0.1) return;
    fprintf(stderr, "%sdxdiff: %-14s %9.1f / %.1f MiB %3.0f%%%s", P.tty ? "\r" : "", P.label, (double)P.done / mib,
            (double)P.total / mib, P.total ? 100.0 * (double)P.done / (double)P.total : 100.0, P.tty ? "  " : "\n");
    P.last = t, P.shown = 1, P.pending = P.tty;
}

static void progress_end(int complete) {
    if (P.shown && complete) progress_to(P.total, 1);
    if (P.pending) fputc('\n', stderr);
    P.label = NULL, P.shown = P.pending = 0;
}

static void progress_start(const char *label, uint64_t total) {
    progress_end(1);
    P.label = label, P.total = total, P.done = 0, P.last = now(), P.shown = P.forced;
}

static int fail(const char *fmt, ...) {
    va_list ap;
    progress_end(0);
    va_start(ap, fmt);
    fputs("dxdiff: ", stderr), vfprintf(stderr, fmt, ap), fputc('\n', stderr);
    va_end(ap);
    return 1;
}

static const char *explain(int64_t r) { /* for the user, after the result's name */
    return r == DX_PATCH_ERR_WRONG_BASE ? "the data is neither the patch's base nor its target"
         : r == DX_ERR_UNSUPPORTED ? "a newer format, zstd frames without zstd, or COPY records in place"
         : r == DX_ERR_LIMIT ? "blocks or frames too large for this tool" : r == DX_ERR_NOMEM ? "out of memory"
         : r == DX_PATCH_ERR_MAGIC ? "not a patch" : r == DX_ERR_TRUNCATED ? "the patch ends early"
         : r == DX_PATCH_ERR_OLD_FORMAT ? "a format 1 patch (dxdiff with dx_patch.h 0.1 or 0.2): make it again with this dxdiff"
         : "a damaged patch";
}

static int seek_to(FILE *f, uint64_t off) { return off > INT64_MAX ? -1 : fseek64(f, (int64_t)off, SEEK_SET); }

static int64_t file_size(FILE *f) {
    int64_t n;
    if (fseek64(f, 0, SEEK_END) != 0 || (n = (int64_t)ftell64(f)) < 0 || fseek64(f, 0, SEEK_SET) != 0) return -1;
    return n;
}

static int sync_file(FILE *f) { return fflush(f) != 0 || sync_fd(f) != 0 ? -1 : 0; }

/* The whole file in malloc'd memory, for diff. */
static uint8_t *read_all(const char *path, size_t *len, const char *label) {
    FILE *f = fopen(path, "rb");
    int64_t size = f ? file_size(f) : -1;
    uint8_t *buf = size < 0 ? NULL : (uint64_t)size < SIZE_MAX ? (uint8_t *)malloc(size ? (size_t)size : 1) : NULL;
    size_t n = 1;
    progress_start(label, size > 0 ? (uint64_t)size : 0);
    for (*len = 0; buf && *len < (size_t)size && n > 0; progress_to(*len += n, 0))
        n = fread(buf + *len, 1, (size_t)size - *len < 16 * PIECE ? (size_t)size - *len : 16 * PIECE, f);
    if (!buf || *len != (size_t)size)
        fail("cannot read %s: %s", path, buf && !ferror(f) ? "it shrank" : strerror(errno)), free(buf), buf = NULL;
    if (f) fclose(f);
    return buf;
}

/* Opens a patch and checks its header; prints why not and returns NULL. */
static FILE *open_patch(const char *path, dx_patch_info *info, int64_t *size) {
    uint8_t head[DX_PATCH_HEADER_SIZE];
    FILE *f = fopen(path, "rb");
    dx_result err = DX_OK;
    if (!f || (*size = file_size(f)) < 0) fail("cannot read %s: %s", path, strerror(errno));
    else if ((err = dx_patch_read_info(head, fread(head, 1, sizeof head, f), info)) != DX_OK)
        fail("%s: %s: %s", path, dx_patch_result_name(err), explain(err));
    return f && (err != DX_OK || *size < 0) ? (fclose(f), (FILE *)NULL) : f;
}

typedef struct job {
    FILE *rd, *wr; /* in place the same FILE*; wr NULL: a dry run that writes nowhere */
    const char *rd_path, *wr_path;
    char why[512]; /* what failed in a callback or around the applier */
    size_t memory; /* the applier's memory, and what it did */
    bool reverse;
    uint64_t applied, skipped, writes;
} job;

static int64_t io_error(job *j, const char *what, const char *path, const char *cause) {
    snprintf(j->why, sizeof j->why, "%s %s: %s", what, path, cause ? cause : strerror(errno));
    return DX_ERR_IO;
}

static dx_result io_read(void *user, uint64_t off, void *buf, size_t len) {
    job *j = (job *)user;
    if (seek_to(j->rd, off) != 0 || fread(buf, 1, len, j->rd) != len)
        return (dx_result)io_error(j, "reading", j->rd_path, ferror(j->rd) ? NULL : "unexpected end");
    progress_to(off + len, 0);
    return DX_OK;
}

static dx_result io_write(void *user, uint64_t off, const void *buf, size_t len) {
    job *j = (job *)user;
    if (!j->wr) return DX_OK;
    if (fail_after == 0) return (dx_result)io_error(j, "writing", j->wr_path, "DXDIFF_FAIL_AFTER_WRITES");
    if (fail_after > 0) fail_after--;
    j->writes++; /* from here on, the data may have changed */
    if (seek_to(j->wr, off) != 0 || fwrite(buf, 1, len, j->wr) != len)
        return (dx_result)io_error(j, "writing", j->wr_path, NULL);
    progress_to(off + len, 0);
    return DX_OK;
}

/* Feeds the patch file to an applier over j's files; the result's length or a dx_result. */
static int64_t stream_patch(FILE *pf, const dx_patch_info *in, job *j, dx_patch_applier_config *cfg,
                            const char *label) {
    static uint8_t piece[PIECE];
    dx_patch_applier a;
    uint64_t dst = cfg->resume || cfg->data_len == in->base_len ? in->target_len : in->base_len;
    uint64_t most = in->base_len > in->target_len ? in->base_len : in->target_len;
    size_t n;
    int64_t r; /* a dx_result until finish */
    void *mem;
    cfg->io.read = io_read, cfg->io.write = io_write, cfg->io.user = j;
    cfg->max_block = in->block_size, cfg->max_frame = in->frame_max; /* what this patch needs, no more */
    if (cfg->in_place && in->window) /* a shift patch in place: a ring of its window (or of the data's size) */
        for (cfg->max_window = in->block_size; cfg->max_window < in->window && cfg->max_window < most; cfg->max_window <<= 1) {}
    if ((j->memory = dx_patch_applier_memory_size(cfg)) == 0) return DX_ERR_LIMIT;
    if (!(mem = malloc(j->memory))) return DX_ERR_NOMEM;
    r = dx_patch_applier_init(&a, cfg, mem, j->memory);
    if (r == DX_OK && seek_to(pf, 0) != 0) r = io_error(j, "seeking", "the patch", NULL);
    /* the header alone first: the applier checks the data against it before any write */
    progress_start(cfg->resume ? label : "checking base", cfg->resume ? most : cfg->data_len);
    if (r == DX_OK) r = dx_patch_applier_feed(&a, piece, fread(piece, 1, DX_PATCH_HEADER_SIZE, pf));
    if (r == DX_OK && !cfg->resume) progress_start(label, cfg->in_place ? most : dst);
    while (r == DX_OK && (n = fread(piece, 1, sizeof piece, pf)) > 0) r = dx_patch_applier_feed(&a, piece, n);
    if (r == DX_OK && ferror(pf)) r = io_error(j, "reading", "the patch", NULL);
    if (r == DX_OK && cfg->in_place) progress_start("verifying", dst);
    if (r == DX_OK) r = dx_patch_applier_finish(&a);
    progress_end(r >= 0);
#if defined(DXDIFF_ZSTD)
    if (a.zstd) j->memory += ZSTD_sizeof_DCtx((const ZSTD_DCtx *)a.zstd);
#endif
    j->reverse = a.reverse, j->applied = a.blocks_applied, j->skipped = a.blocks_skipped;
    dx_patch_applier_deinit(&a); /* its memory is ours */
    free(mem);
    return r;
}

static int cmd_diff(const char *old_path, const char *new_path, const char *patch_path, const dx_patch_config *cfg) {
    size_t old_len, new_len = 0, cap = 0;
    uint8_t *old = read_all(old_path, &old_len, "reading OLD"), *neu = NULL, *patch = NULL;
    double t0 = now();
    int64_t r = DX_ERR_NOMEM;
    int written = 0;
    FILE *f;
    if (old) neu = read_all(new_path, &new_len, "reading NEW");
    if (neu && (cap = dx_patch_bound(old_len, new_len, cfg)) < SIZE_MAX && (patch = (uint8_t *)malloc(cap))) {
        progress_end(1); /* the reading; the diff itself reports nothing */
        r = dx_patch_diff(cfg, old, old_len, neu, new_len, patch, cap);
    }
    if (r >= 0 && (f = fopen(patch_path, "wb")) != NULL) { /* a patch cut short is refused by apply */
        written = fwrite(patch, 1, (size_t)r, f) == (size_t)r;
        written = fclose(f) == 0 && written;
    }
    if (neu && r < 0) fail("diff failed: %s: %s", dx_patch_result_name((dx_result)r), explain(r));
    else if (neu && !written) fail("cannot write %s: %s", patch_path, strerror(errno));
    else if (neu && verbose)
        fprintf(stderr, "dxdiff: %lu -> %lu bytes: a patch of %" PRId64 " bytes (%.3f%% of NEW) in %.2f s\n",
                (unsigned long)old_len, (unsigned long)new_len, r, new_len ? 100.0 * (double)r / (double)new_len : 0.0,
                now() - t0);
    free(old), free(neu), free(patch);
    return written ? 0 : 1;
}

/* Out of place (out_path set) or in place (resume: finish an interrupted in-place apply). */
static int cmd_apply(const char *path, const char *patch_path, const char *out_path, bool resume) {
    dx_patch_info in;
    dx_patch_applier_config cfg = {0};
    job j = {0};
    int64_t size, r = 0;
    double t0 = now();
    char *tmp = out_path ? (char *)malloc(strlen(out_path) + sizeof ".dxdiff-tmp") : NULL; /* next to OUT */
    FILE *pf = open_patch(patch_path, &in, &size);
    if (!pf) return free(tmp), 1;
    j.rd_path = path, j.wr_path = tmp ? strcat(strcpy(tmp, out_path), ".dxdiff-tmp") : path;
    if (!(j.rd = fopen(path, out_path ? "rb" : "r+b")) || (size = file_size(j.rd)) < 0)
        r = io_error(&j, "cannot open", path, NULL);
    else if (out_path && (!tmp || !(j.wr = fopen(tmp, "wb"))))
        r = io_error(&j, "cannot create", tmp ? tmp : out_path, NULL);
    cfg.data_len = (uint64_t)size;
    /* in place, pass 1 runs out of place to nowhere: the base, every frame and the result's hash
       are checked before the first write (not when resuming: the data is part base, part target) */
    if (r >= 0 && !out_path && !resume) r = stream_patch(pf, &in, &j, &cfg, "checking patch");
    if (r >= 0 && !out_path) j.wr = j.rd, cfg.in_place = true, cfg.resume = resume;
    if (r >= 0) r = stream_patch(pf, &in, &j, &cfg, out_path ? "writing" : "patching");
    /* in place, cut the file to the result; a resume that a witness refused takes back its growth */
    if (!out_path && (r >= 0 || (resume && r == DX_PATCH_ERR_WRONG_BASE)) &&
        (fflush(j.rd) != 0 || truncate_fd(j.rd, r >= 0 ? r : size) != 0))
        r = io_error(&j, "truncating", path, NULL);
    if (r >= 0 && sync_file(j.wr) != 0) r = io_error(&j, "writing", j.wr_path, NULL);
    if (j.rd && fclose(j.rd) != 0 && r >= 0) r = io_error(&j, "closing", path, NULL); /* first: OUT may be OLD */
    if (out_path && j.wr && fclose(j.wr) != 0 && r >= 0) r = io_error(&j, "closing", tmp, NULL);
    if (out_path && r >= 0 && replace_file(tmp, out_path) != 0) r = io_error(&j, "renaming", tmp, NULL);
    if (out_path && j.wr && r < 0) remove(tmp);
    fclose(pf), free(tmp);
    if (r >= 0 && verbose)
        fprintf(stderr, "dxdiff: %s: %" PRId64 " bytes (%s), %" PRIu64 " blocks applied, %" PRIu64 " skipped, %.2f s\n"
                "dxdiff: applier memory %lu bytes (+ a %d-byte patch buffer)\n", out_path ? out_path : path, r,
                j.reverse ? "reverse: target -> base" : "base -> target", j.applied, j.skipped, now() - t0,
                (unsigned long)j.memory, PIECE);
    if (r >= 0) return 0;
    const char *name = dx_patch_result_name((dx_result)r), *why = j.why[0] ? j.why : explain(r);
    if (out_path) return fail("apply failed: %s: %s; %s not written", name, why, out_path);
    if (r == DX_PATCH_ERR_WRONG_BASE && resume) /* a witness is neither the base's byte nor the target's */
        return fail("resume failed: %s: %s is not an interrupted apply of this patch", name, path);
    if (j.writes == 0) /* refused before the first write */
        return fail("apply failed: %s: %s; %s is untouched%s", name, why, path,
                    r == DX_PATCH_ERR_WRONG_BASE ? " (was an apply of this patch interrupted? use --resume)" : "");
    return fail("apply failed: %s: %s; %s may be partly patched: finish with\n    dxdiff apply --resume %s %s%s",
                name, why, path, path, patch_path,
                j.reverse ? "\n  (which goes forward, to the patch's target: then apply again to roll back)" : "");
}

/* info: the header, then every frame decoded and checked by a check-only applier (no data). */
static int cmd_info(const char *path) {
    static uint8_t piece[PIECE];
    dx_patch_info in;
    dx_patch_applier a;
    dx_patch_applier_config cfg;
    const dx_patch_stats *st = &a.stats;
    uint64_t blocks, changed;
    int64_t size, r;
    size_t n;
    void *mem = NULL;
    const char *use;
    int t;
    FILE *pf = open_patch(path, &in, &size);
    if (!pf) return 1;
    blocks = ((in.base_len > in.target_len ? in.base_len : in.target_len) + in.block_size - 1) / in.block_size;
    use = in.flags & DX_PATCH_FLAG_COPY ? "out of place only" : in.flags & DX_PATCH_FLAG_WITNESS ? "resumable" : "";
    printf("patch:          %s, %" PRId64 " bytes\nflags:          0x%x%s%s%s%s%s%s (%s%s%s)\n", path, size,
           (unsigned)in.flags, in.flags & DX_PATCH_FLAG_ZSTD ? " ZSTD" : "",
           in.flags & DX_PATCH_FLAG_WITNESS ? " WITNESS" : "", in.flags & DX_PATCH_FLAG_ONE_WAY ? " ONE_WAY" : "",
           in.flags & DX_PATCH_FLAG_COPY ? " COPY" : "", in.flags & DX_PATCH_FLAG_COLUMNS ? " COLUMNS" : "",
           in.flags & DX_PATCH_FLAG_CARRY ? " CARRY" : "",
           in.flags & DX_PATCH_FLAG_ONE_WAY ? "one-way" : "reversible", *use ? ", " : "", use);
    if (in.window) printf("window:         %u bytes (applies in place with that much memory)\n", (unsigned)in.window);
    /* the hashes are XXH64 with seed 0: xxhsum -H1 prints the same for the files */
    printf("block size:     %u (%" PRIu64 " blocks)\nbase:           %" PRIu64 " bytes, xxh64 %016" PRIx64
           "\ntarget:         %" PRIu64 " bytes, xxh64 %016" PRIx64 "\n", (unsigned)in.block_size, blocks, in.base_len,
           in.base_hash, in.target_len, in.target_hash);
    memset(&cfg, 0, sizeof cfg);
    cfg.check_only = true;
    cfg.max_block = in.block_size, cfg.max_frame = in.frame_max; /* what this patch needs, no more */
    r = dx_patch_applier_memory_size(&cfg) == 0 ? DX_ERR_LIMIT : (mem = malloc(dx_patch_applier_memory_size(&cfg))) ? DX_OK : DX_ERR_NOMEM;
    if (r == DX_OK) r = dx_patch_applier_init(&a, &cfg, mem, dx_patch_applier_memory_size(&cfg));
    if (r == DX_OK && seek_to(pf, 0) != 0) r = DX_ERR_IO;
    while (r == DX_OK && (n = fread(piece, 1, sizeof piece, pf)) > 0) r = dx_patch_applier_feed(&a, piece, n);
    if (r == DX_OK) r = ferror(pf) ? DX_ERR_IO : dx_patch_applier_finish(&a);
    if (r >= 0 || r == DX_ERR_CHECKSUM || r == DX_ERR_CORRUPT) {
        printf("frames:         %u (%u compressed; up to %u bytes raw)\n", (unsigned)in.frame_count,
               (unsigned)st->frames_compressed, (unsigned)in.frame_max);
    }
    if (r >= 0) {
        for (changed = 0, t = DX_PATCH_REC_XOR; t < DX_PATCH_REC_TYPES; t++) changed += st->records[t];
        printf("records:        XOR %" PRIu64 ", ZERO %" PRIu64 ", RAW %" PRIu64 ", COPY %" PRIu64 ", SPLIT %" PRIu64
               " (%" PRIu64 " sources)\nchanged blocks: %" PRIu64 " of %" PRIu64 " (%.2f%%); %" PRIu64
               " bytes XORed in %" PRIu64 " runs, %" PRIu64 " bytes raw\n",
               st->records[DX_PATCH_REC_XOR], st->records[DX_PATCH_REC_ZERO], st->records[DX_PATCH_REC_RAW],
               st->records[DX_PATCH_REC_COPY], st->records[DX_PATCH_REC_SPLIT], st->segments, changed,
               blocks, blocks ? 100.0 * (double)changed / (double)blocks : 0.0, st->xor_bytes, st->runs, st->raw_bytes);
    }
    if (mem) dx_patch_applier_deinit(&a);
    free(mem), fclose(pf);
    return r < 0 ? fail("%s: %s: %s (frame %u of %u)", path, dx_patch_result_name((dx_result)r), explain(r),
                        (unsigned)a.frames_done + 1, (unsigned)in.frame_count)
                 : 0;
}

/* A block size: decimal with an optional K or M. */
static int parse_block(const char *s, uint32_t *out) {
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (end == s || v > (1ul << 20)) return -1;
    if (*end == 'K' || *end == 'k') v <<= 10, end++;
    else if (*end == 'M' || *end == 'm') v <<= 20, end++;
    /* the applier takes frames up to DX_PATCH_MAX_FRAME, and a frame holds a block + 64 */
    if (*end || v < 64 || (v & (v - 1)) || v + 64 > DX_PATCH_MAX_FRAME) return -1;
    *out = (uint32_t)v;
    return 0;
}

int main(int argc, char **argv) {
    const char *pos[4], *cmd = argc > 1 ? argv[1] : "", *env = getenv("DXDIFF_FAIL_AFTER_WRITES");
    int npos = 0, i, in_place = 0, resume = 0, diff_opts = 0;
    dx_patch_config cfg = {0};
    char *end;
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) return fputs(usage_text, stdout), 0;
    if (env && *env && ((fail_after = strtol(env, &end, 10)) < 0 || *end)) fail_after = -1;
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-v")) verbose = 1;
        else if (!strcmp(a, "--progress")) P.forced = 1;
        else if (!strcmp(a, "--in-place")) in_place = 1;
        else if (!strcmp(a, "--resume")) in_place = resume = 1;
        else if (!strcmp(a, "--one-way")) cfg.one_way = true;
        else if (!strcmp(a, "--shift")) cfg.shift = true;
        else if (!strcmp(a, "--window") && i + 1 < argc) {
            if (parse_block(argv[++i], &cfg.window) != 0 || cfg.window < 1024)
                return fputs("dxdiff: --window: a power of two, 1K to 1M\n", stderr), 2;
        }
        else if (!strcmp(a, "--block") && i + 1 < argc) {
            if (parse_block(argv[++i], &cfg.block_size) != 0)
                return fprintf(stderr, "dxdiff: --block: a power of two, 64 to %uK\n", DX_PATCH_MAX_FRAME / 2048), 2;
        } else if (!strcmp(a, "--zstd") && i + 1 < argc) {
            long level = strtol(argv[++i], &end, 10);
            if (end == argv[i] || *end || level < 1 || level > 22)
                return fputs("dxdiff: --zstd: a level from 1 to 22\n", stderr), 2;
#if !defined(DXDIFF_ZSTD)
            return fputs("dxdiff: --zstd: this build has no zstd (rebuild with -DDXDIFF_ZSTD -lzstd)\n", stderr), 2;
#endif
            cfg.zstd_level = (int)level;
        } else if (a[0] == '-' && a[1]) {
            return fprintf(stderr, "dxdiff: unknown option %s, or a missing value\n%s", a, usage_text), 2;
        } else if (npos < 4) {
            pos[npos++] = a;
        }
    }
    P.tty = stderr_is_tty(), P.on = P.forced || P.tty;
    diff_opts = cfg.block_size || cfg.zstd_level || cfg.one_way || cfg.shift || cfg.window;
    if (cfg.window && !cfg.shift) return fputs("dxdiff: --window goes with --shift\n", stderr), 2;
    if (!strcmp(cmd, "diff") && npos == 3 && !in_place) return cmd_diff(pos[0], pos[1], pos[2], &cfg);
    if (!strcmp(cmd, "apply") && !diff_opts && npos == (in_place ? 2 : 3))
        return cmd_apply(pos[0], pos[1], in_place ? NULL : pos[2], resume != 0);
    if (!strcmp(cmd, "info") && !diff_opts && !in_place && npos == 1) return cmd_info(pos[0]);
    return fputs(usage_text, stderr), 2;
}
