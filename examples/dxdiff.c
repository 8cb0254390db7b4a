/* dxdiff.c - dx_patch example: binary diff and patch of files from the command line.

       cc -std=c99 -I. -O2 examples/dxdiff.c -o build/dxdiff
       cc -std=c99 -I. -O2 -DDXDIFF_ZSTD examples/dxdiff.c -o build/dxdiff -lzstd   (zstd frames)

   diff reads OLD and NEW whole (dx_patch_diff works in memory) and writes PATCH to a temporary
   name, renamed when complete. Without a mode option dx_patch_diff_auto tries XOR blocks (at a
   fast zstd level first), the shift mode (-1..-9, default 6) and, where little is in common, NEW
   in RAW records, and keeps the smallest: a diff takes the time of those it tries (the shift mode's suffix array
   needs about 9 bytes of memory a byte of OLD besides the inputs). apply streams the patch to a dx_patch_applier in 64 KiB pieces
   and the data through io callbacks over FILE*: memory is the applier's whatever the file
   sizes. OUT is renamed into place only when the result checks. --in-place checks everything
   (base, frames, result hash) in a dry run and reserves the space it needs before the first
   write; a shift patch with a window keeps FILE.dxdiff-journal meanwhile (dx_patch.h, WIRE
   FORMAT, JOURNAL), so that an interrupted apply of any patch resumes. */
#if defined(__linux__)
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* fallocate (FALLOC_FL_KEEP_SIZE); also fseeko, ftruncate, fsync: before any header */
#endif
#elif !defined(_WIN32)
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* fseeko, ftruncate, fsync, isatty, clock_gettime: before any header */
#endif
#endif
#if !defined(_WIN32)
#define _FILE_OFFSET_BITS 64 /* files over 2 GiB on 32-bit hosts */
#endif
#define DX_IMPLEMENTATION
#if defined(DXDIFF_ZSTD)
#define DX_PATCH_WITH_ZSTD
#endif
#include "dx_patch.h"
#include "tool.h"

#include <inttypes.h>
#include <signal.h>
#if defined(_WIN32)
#define fseek64 _fseeki64
#define ftell64 _ftelli64
#define sync_fd(f) _commit(_fileno(f))
#define truncate_fd(f, len) _chsize_s(_fileno(f), (__int64)(len))
#else
#include <sys/statvfs.h>
#define fseek64(f, off, whence) fseeko(f, (off_t)(off), whence)
#define ftell64 ftello
#define sync_fd(f) fsync(fileno(f))
#define truncate_fd(f, len) ftruncate(fileno(f), (off_t)(len))
#endif

#define PIECE 65536 /* patch bytes fed to the applier at a time */
#define JOURNAL_SUFFIX ".dxdiff-journal"

static const char usage_text[] =
    "usage: dxdiff diff [-f] [-1..-9] [--in-place] OLD NEW PATCH\n"
    "       dxdiff diff [-f] [-1..-9] [--block N] [--zstd LEVEL] [--one-way] [--shift [--window N]] OLD NEW PATCH\n"
    "       dxdiff apply [-f] OLD PATCH OUT\n"
    "       dxdiff apply --in-place [--resume] FILE PATCH\n"
    "       dxdiff info PATCH\n"
    "       dxdiff --help | --version\n"
    "  diff          write PATCH, which turns OLD into NEW and (unless --one-way) NEW into OLD;\n"
    "                without a mode option the smallest of XOR blocks (reversible), the shift\n"
    "                mode and NEW in RAW records, zstd 19 where built with zstd; text's new bytes\n"
    "                compressed with the OLD bytes they replaced\n"
    "  -1..-9        shift mode: matching effort (default 6; 1-3: a hash table, less memory;\n"
    "                4-9: a suffix array of OLD, 4 bytes a byte of OLD; 8-9 with zstd also try\n"
    "                zstd frames that see up to 8 MiB of OLD each: text 5-15% smaller, several times\n"
    "                the time, applied out of place with 8 MiB more memory)\n"
    "  diff --in-place  a patch that applies in place (shift mode with a window of NEW's growth,\n"
    "                1 MiB to 16 MiB (text: 4 MiB at least, applied with twice the window of\n"
    "                memory), or XOR blocks); prints its size and the unconstrained one\n"
    "  --block N     block size: a power of two from 64 to 1M (K/M suffixes; default 4096)\n"
    "  --zstd LEVEL  compress with zstd, LEVEL 1..22 (3 is plenty; build with -DDXDIFF_ZSTD -lzstd)\n"
    "  --one-way     smaller patches where data becomes zeros or is rewritten; no roll back\n"
    "  --shift       find moved data (insertions, deletions, rebuilt programs); one-way, and\n"
    "                applied out of place only, unless:\n"
    "  --window N    (with --shift) no source more than N bytes behind its target (a power of\n"
    "                two, 1K to 16M, K/M suffixes): the patch also applies --in-place, with N\n"
    "                bytes of memory and a journal FILE" JOURNAL_SUFFIX " of about 2 x (N + 1 MiB)\n"
    "  apply         write OUT from OLD, or OLD from NEW (detected); OUT appears if the result checks\n"
    "  --in-place    patch FILE itself; a wrong base, a bad patch or too little free space leave it\n"
    "                untouched; an interrupted apply resumes (below)\n"
    "  --resume      finish an interrupted --in-place apply (implies --in-place)\n"
    "  info          header fields; records by kind, counted by decoding every frame\n"
    "  -f, --force   overwrite an existing PATCH or OUT (never one of the inputs)\n"
    "  -v            details on stderr: sizes, direction, time, the applier's memory\n"
    "  --progress    a progress line on stderr even when it is not a terminal\n"
    "  -q, --quiet   no progress line\n"
    "  -h, --help    this text; --version: the versions dxdiff is built from\n"
    "  --            the arguments after it are names, even those that start with -\n"
    "exit status: 0 ok, 1 failure, 2 bad usage.\n"
    "testing aids: DXDIFF_FAIL_AFTER_WRITES=N fails the write after the first N writes (data\n"
    "  and journal; with a journal its first half lands) and every later one, as if the apply\n"
    "  were interrupted there; DXDIFF_KILL_AFTER_WRITES=N: the same write, then dxdiff kills\n"
    "  itself with SIGKILL; DXDIFF_JOURNAL_STEP=N: bytes between journal checkpoints (1M);\n"
    "  DXDIFF_THREADS=1: diff on one thread (by default a second one compresses, where the\n"
    "  machine has two CPUs or more: the same patch, sooner)\n";

static int verbose;
static long fail_after = -1, kill_after = -1; /* DXDIFF_FAIL_AFTER_WRITES, DXDIFF_KILL_AFTER_WRITES; -1: never */
static uint32_t journal_step;                /* DXDIFF_JOURNAL_STEP; 0: the library's default */

static const char *explain(int64_t r) { /* for the user, after the result's name */
    return r == DX_PATCH_ERR_WRONG_BASE ? "the data is neither the patch's base nor its target"
         : r == DX_ERR_UNSUPPORTED ? "a newer format, zstd frames without zstd, or COPY records in place"
         : r == DX_ERR_LIMIT ? "blocks or frames too large for this tool" : r == DX_ERR_NOMEM ? "out of memory"
         : r == DX_PATCH_ERR_MAGIC ? "not a patch" : r == DX_ERR_TRUNCATED ? "the patch ends early"
         : r == DX_PATCH_ERR_OLD_FORMAT ? "a format 1 patch (dxdiff with dx_patch.h 0.1 or 0.2): make it again with this dxdiff"
         : r == DX_PATCH_ERR_RESULT ? "the result does not hash to the patch's target"
         : "a damaged patch";
}

static int seek_to(FILE *f, uint64_t off) { return off > INT64_MAX ? -1 : fseek64(f, (int64_t)off, SEEK_SET); }

/* Why file_size failed: a pipe (/dev/stdin, <(...)) cannot seek. */
static const char *size_error(int e) {
#if defined(ESPIPE)
    if (e == ESPIPE) return "it is a pipe, and dxdiff reads only files it can seek in (save it to a file first)";
#endif
    return strerror(e);
}

static int64_t file_size(FILE *f) {
    int64_t n;
    if (fseek64(f, 0, SEEK_END) != 0 || (n = (int64_t)ftell64(f)) < 0 || fseek64(f, 0, SEEK_SET) != 0) return -1;
    return n;
}

/* Opens a file the tool reads (or in place also writes): says why not and returns NULL. */
static FILE *open_input(const char *path, const char *mode) {
    FILE *f;
    const char *what = tool_not_a_file(path);
    int e;
    if (tool_is_dir(path)) return tool_fail("%s is a directory", path), (FILE *)NULL;
    if (what) return tool_fail("%s is %s, and dxdiff reads only files it can seek in (save it to a file first)", path, what), (FILE *)NULL;
    if (!(f = fopen(path, mode))) e = errno, tool_fail("cannot open %s: %s", path, strerror(e));
    return f;
}

/* The whole file in malloc'd memory, for diff. */
static uint8_t *read_all(const char *path, size_t *len, const char *label) {
    FILE *f = open_input(path, "rb");
    int64_t size = f ? file_size(f) : -1;
    uint8_t *buf = size < 0 ? NULL : (uint64_t)size < SIZE_MAX ? (uint8_t *)malloc(size ? (size_t)size : 1) : NULL;
    size_t n = 1;
    int e = errno;
    if (f && size < 0) tool_fail("cannot read %s: %s", path, size_error(e));
    else if (f && !buf) tool_fail("cannot read %s: out of memory for %" PRId64 " bytes", path, size);
    if (!buf) return f ? fclose(f) : 0, (uint8_t *)NULL;
    tool_progress_start(label, (uint64_t)size, "MiB");
    for (*len = 0; *len < (size_t)size && n > 0; tool_progress(*len += n))
        n = fread(buf + *len, 1, (size_t)size - *len < 16 * PIECE ? (size_t)size - *len : 16 * PIECE, f);
    if (*len != (size_t)size) {
        e = errno;
        tool_fail("cannot read %s: %s", path, ferror(f) ? strerror(e) : "it shrank while it was read");
        free(buf), buf = NULL;
    } else if (fgetc(f) != EOF) { /* a patch of its first bytes only would pass for one of the whole file */
        tool_fail("cannot read %s: it holds more than the %" PRId64 " bytes its size said (it grew while it was read, "
                  "or it is not a regular file)", path, size);
        free(buf), buf = NULL;
    }
    tool_progress_end(buf != NULL);
    fclose(f);
    return buf;
}

/* Opens a patch and checks its header; prints why not and returns NULL. */
static FILE *open_patch(const char *path, dx_patch_info *info, int64_t *size) {
    uint8_t head[DX_PATCH_HEADER_SIZE];
    FILE *f = open_input(path, "rb");
    dx_result err = DX_OK;
    int e;
    if (!f) return NULL;
    if ((*size = file_size(f)) < 0) e = errno, tool_fail("cannot read %s: %s", path, size_error(e));
    else if (*size == 0) err = DX_PATCH_ERR_MAGIC, tool_fail("%s is empty: not a patch", path);
    else if ((err = dx_patch_read_info(head, fread(head, 1, sizeof head, f), info)) != DX_OK)
        tool_fail("%s: %s: %s", path, dx_patch_result_name(err), explain(err));
    return err != DX_OK || *size < 0 ? (fclose(f), (FILE *)NULL) : f;
}

typedef struct job {
    FILE *rd, *wr; /* in place the same FILE*; wr NULL: a dry run that writes nowhere */
    FILE *journal; /* in place, shift patches with a window */
    const char *rd_path, *wr_path, *journal_path;
    char why[512]; /* what failed in a callback or around the applier */
    bool said;     /* the failure was told already */
    size_t memory; /* the applier's memory, and what it did */
    bool reverse;
    bool dry;      /* wr NULL in place (resume_check): the data reads as zeros past its size, as if grown */
    uint64_t applied, skipped, writes, journal_writes;
    uint64_t data_size, changed; /* in place: FILE's size before, and the writes below it (not growth) */
} job;

static int64_t io_error(job *j, const char *what, const char *path, const char *cause) {
    int e = errno;
    if (!j->why[0]) snprintf(j->why, sizeof j->why, "%s %s: %s", what, path, cause ? cause : strerror(e));
    return DX_ERR_IO;
}

/* The testing aids: the write after the first N fails (and every later one) or dxdiff is
   killed there; with a journal the write is torn first (its first half lands). Witnesses
   (patches without a window) assume a block is written whole or not at all. */
static size_t interrupt_at(size_t len, bool torn, bool *stop) {
    static bool failed;
    *stop = failed || fail_after == 0 || kill_after == 0;
    if (failed) return 0;
    if (*stop) return failed = true, torn ? len / 2 : 0;
    if (fail_after > 0) fail_after--;
    if (kill_after > 0) kill_after--;
    return len;
}

static void killed_here(void) {
    if (kill_after != 0) return;
    fflush(NULL);
#if defined(_WIN32)
    TerminateProcess(GetCurrentProcess(), 137);
#else
    kill(getpid(), SIGKILL);
#endif
}

static dx_result io_read(void *user, uint64_t off, void *buf, size_t len) {
    job *j = (job *)user;
    if (j->dry && off + len > j->data_size) { /* the growth the dry run did not write */
        size_t got = off < j->data_size ? (size_t)(j->data_size - off) : 0;
        memset((uint8_t *)buf + got, 0, len - got);
        len = got;
    }
    if (len && (seek_to(j->rd, off) != 0 || fread(buf, 1, len, j->rd) != len))
        return (dx_result)io_error(j, "reading", j->rd_path, ferror(j->rd) ? NULL : "unexpected end");
    tool_progress(off + len);
    return DX_OK;
}

static dx_result write_at(job *j, FILE *f, const char *path, uint64_t off, const void *buf, size_t len, uint64_t *count) {
    bool fail;
    size_t n = interrupt_at(len, j->journal != NULL, &fail);
    if (n && (seek_to(f, off) != 0 || fwrite(buf, 1, n, f) != n)) return (dx_result)io_error(j, "writing", path, NULL);
    if (n) ++*count; /* from here on, the file may have changed */
    if (fail) {
        fflush(f);
        killed_here();
        return (dx_result)io_error(j, "writing", path, "DXDIFF_FAIL_AFTER_WRITES");
    }
    return DX_OK;
}

static dx_result io_write(void *user, uint64_t off, const void *buf, size_t len) {
    job *j = (job *)user;
    uint64_t before = j->writes;
    dx_result err;
    if (!j->wr) return DX_OK;
    err = write_at(j, j->wr, j->wr_path, off, buf, len, &j->writes);
    if (j->writes > before && off < j->data_size) j->changed++;
    if (err != DX_OK) return DX_ERR_IO;
    tool_progress(off + len);
    return DX_OK;
}

static dx_result io_journal_write(void *user, uint64_t off, const void *buf, size_t len) {
    job *j = (job *)user;
    return write_at(j, j->journal, j->journal_path, off, buf, len, &j->journal_writes);
}

static dx_result io_journal_read(void *user, uint64_t off, void *buf, size_t len) {
    job *j = (job *)user; /* short: no slot there (a new or cut journal), not an error to report */
    return seek_to(j->journal, off) != 0 || fread(buf, 1, len, j->journal) != len ? DX_ERR_IO : DX_OK;
}

static dx_result io_sync(void *user, bool journal) {
    job *j = (job *)user;
    FILE *f = journal ? j->journal : j->wr;
    if (fflush(f) != 0 || sync_fd(f) != 0)
        return (dx_result)io_error(j, "syncing", journal ? j->journal_path : j->wr_path, NULL);
    return DX_OK;
}

/* The ring an in-place apply of a WINDOW patch uses: the window, no larger than the data, at least a block. */
static uint32_t ring_size(const dx_patch_info *in) {
    uint64_t most = in->base_len > in->target_len ? in->base_len : in->target_len;
    uint32_t ring = in->block_size;
    while (ring < in->window && ring < most) ring <<= 1;
    return ring;
}

static uint64_t journal_size(const dx_patch_info *in) {
    uint64_t bs = in->block_size, step = journal_step ? journal_step : DX_PATCH_DEFAULT_JOURNAL_STEP;
    step = (step + bs - 1) / bs * bs;
    return 2 * (DX_PATCH_JOURNAL_HEADER_SIZE + ring_size(in) + step);
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
    if (cfg->in_place && (in->flags & DX_PATCH_FLAG_WINDOW)) /* in place: a ring (DICT: then a frame's dictionary) */
        cfg->max_window = ring_size(in) * (in->flags & DX_PATCH_FLAG_DICT ? 2u : 1u);
    if (!cfg->in_place && (in->flags & DX_PATCH_FLAG_PREFIX)) cfg->max_window = in->window; /* frames' base ranges */
    if (cfg->in_place && j->journal) {
        cfg->io.journal_write = io_journal_write, cfg->io.journal_read = io_journal_read, cfg->io.sync = io_sync;
        cfg->journal_step = journal_step;
    }
    if ((j->memory = dx_patch_applier_memory_size(cfg)) == 0) return DX_ERR_LIMIT;
    if (!(mem = malloc(j->memory))) return DX_ERR_NOMEM;
    r = dx_patch_applier_init(&a, cfg, mem, j->memory);
    if (r == DX_OK && seek_to(pf, 0) != 0) r = io_error(j, "seeking", "the patch", NULL);
    /* the header alone first: the applier checks the data against it before any write */
    tool_progress_start(cfg->resume ? "checking" : "checking base", cfg->resume ? most : cfg->data_len, "MiB");
    if (r == DX_OK) r = dx_patch_applier_feed(&a, piece, fread(piece, 1, DX_PATCH_HEADER_SIZE, pf));
    tool_progress_start(label, cfg->in_place ? most : dst, "MiB");
    while (r == DX_OK && (n = fread(piece, 1, sizeof piece, pf)) > 0) r = dx_patch_applier_feed(&a, piece, n);
    if (r == DX_OK && ferror(pf)) r = io_error(j, "reading", "the patch", NULL);
    if (r == DX_OK && cfg->in_place) tool_progress_start("verifying", dst, "MiB");
    if (r == DX_OK) r = dx_patch_applier_finish(&a);
    tool_progress_end(r >= 0);
#if defined(DXDIFF_ZSTD)
    if (a.zstd) j->memory += ZSTD_sizeof_DCtx((const ZSTD_DCtx *)a.zstd);
#endif
    j->reverse = a.reverse, j->applied = a.blocks_applied, j->skipped = a.blocks_skipped;
    dx_patch_applier_deinit(&a); /* its memory is ours */
    free(mem);
    return r;
}

/* Whether a resume without a journal (a WITNESS patch) would take FILE: the resume run with its writes
   discarded (the applier checks a witness only as it reaches the block: a real resume could write blocks
   before it meets one that is neither). 0: it would (the final hash is not checked: nothing was written);
   else what refused it. */
static int64_t resume_check(FILE *pf, const dx_patch_info *in, job *j) {
    dx_patch_applier_config cfg;
    FILE *wr = j->wr;
    int64_t r;
    memset(&cfg, 0, sizeof cfg);
    cfg.data_len = j->data_size, cfg.in_place = cfg.resume = true;
    j->wr = NULL, j->dry = true;
    r = stream_patch(pf, in, j, &cfg, "checking");
    j->wr = wr, j->dry = false;
    return r == DX_PATCH_ERR_RESULT || r >= 0 ? 0 : r;
}

static void diff_progress(void *user, uint64_t done, uint64_t total) {
    (void)user, (void)total;
    tool_progress(done);
}

/* One patch with cfg into *out (malloc'd); its length or a dx_result. */
static int64_t diff_one(dx_patch_config *cfg, const uint8_t *old, size_t old_len, const uint8_t *neu, size_t new_len,
                        uint8_t **out) {
    size_t cap = dx_patch_bound(old_len, new_len, cfg);
    int64_t r = DX_ERR_NOMEM;
    *out = NULL;
    if (cap < SIZE_MAX && (*out = (uint8_t *)malloc(cap))) {
        cfg->progress = diff_progress;
        tool_progress_start("diffing", old_len > new_len ? old_len : new_len, "MiB");
        r = dx_patch_diff(cfg, old, old_len, neu, new_len, *out, cap);
        tool_progress_end(r >= 0);
    }
    if (r < 0) free(*out), *out = NULL;
    return r;
}

/* No mode given: dx_patch_diff_auto, the smallest of XOR blocks (reversible), the shift
   mode and NEW in RAW records, compressed where zstd is built in.
   in_place: the same choice with a window (every patch it can pick then applies in place)
   of NEW's growth, from 1 MiB to 16 MiB: what an insertion pushes forward lies that far
   behind its source (cc1 11 -> 12 grows 7.6 MB: with 1 MiB 8.2% larger than unconstrained,
   with 8 MiB 0.8%); its size is printed next to the unconstrained one. */
static int64_t diff_auto(dx_patch_config *cfg, const uint8_t *old, size_t old_len, const uint8_t *neu, size_t new_len,
                         bool in_place, uint8_t **out) {
    static const char *const names[] = {"?", "XOR blocks", "shift mode", "NEW in RAW records"};
    size_t cap = dx_patch_bound(old_len, new_len, cfg);
    uint8_t *pw = NULL;
    int64_t best, rw;
    unsigned mode = 0, wmode = 0;
    dx_patch_info info;
    *out = NULL;
    if (cap == SIZE_MAX || !(*out = (uint8_t *)malloc(cap))) return DX_ERR_NOMEM;
    cfg->progress = diff_progress;
    cfg->dict = true; /* text: DICT frames (apply sizes itself for them) */
    tool_progress_start("diffing", old_len > new_len ? old_len : new_len, "MiB");
    best = dx_patch_diff_auto(cfg, old, old_len, neu, new_len, *out, cap, &mode);
    tool_progress_end(best >= 0);
    if (best < 0) return free(*out), *out = NULL, best;
    if (verbose) fprintf(stderr, "dxdiff: %s, %" PRId64 " bytes\n", names[mode < 4 ? mode : 0], best);
    if (!in_place) return best;
    if (mode == DX_PATCH_MODE_XOR || mode == DX_PATCH_MODE_RAW) { /* applies in place as it is */
        printf("in place: %" PRId64 " bytes (%s); unconstrained: %" PRId64 " bytes\n", best, names[mode], best);
        return best;
    }
    if (!(pw = (uint8_t *)malloc(cap))) return free(*out), *out = NULL, DX_ERR_NOMEM;
    /* text (DICT frames): at least 4 MiB, since no frame may be longer than the window nor its dictionary reach
       further back (C++ headers: 1 MiB 1.10x the unconstrained patch, 4 MiB 1.04x); 8 MiB of memory to apply */
    cfg->window = dx_patch_read_info(*out, (size_t)best, &info) == DX_OK && (info.flags & DX_PATCH_FLAG_DICT) ? 1u << 22 : 1u << 20;
    while (cfg->window < (1u << 24) && new_len > old_len && cfg->window < new_len - old_len) cfg->window <<= 1;
    tool_progress_start("diffing in place", old_len > new_len ? old_len : new_len, "MiB");
    rw = dx_patch_diff_auto(cfg, old, old_len, neu, new_len, pw, cap, &wmode);
    tool_progress_end(rw >= 0);
    if (rw < 0) return free(pw), free(*out), *out = NULL, rw;
    printf("in place: %" PRId64 " bytes (%s", rw, names[wmode < 4 ? wmode : 0]);
    if (wmode == DX_PATCH_MODE_SHIFT) printf(", %u MiB window", (unsigned)(cfg->window >> 20));
    printf("); unconstrained: %" PRId64 " bytes\n", best);
    free(*out);
    return *out = pw, rw;
}

static int cmd_diff(const char *old_path, const char *new_path, const char *patch_path, dx_patch_config *cfg,
                    bool force, int mode) {
    const char *inputs[3];
    size_t old_len, new_len = 0, cap = 0;
    uint8_t *old = NULL, *neu = NULL, *patch = NULL;
    double t0 = tool_now();
    int64_t r = DX_ERR_NOMEM;
    int rc;
    tool_out o;
    inputs[0] = old_path, inputs[1] = new_path, inputs[2] = NULL;
    if (tool_is_dir(patch_path)) return tool_fail("%s is a directory", patch_path); /* before the long part */
    if (!(old = read_all(old_path, &old_len, "reading OLD")) || !(neu = read_all(new_path, &new_len, "reading NEW")))
        return free(old), TOOL_EXIT_FAIL;
    if ((rc = tool_out_open(&o, patch_path, force, inputs)) != TOOL_EXIT_OK) return free(old), free(neu), rc;
    (void)cap;
    r = mode ? diff_auto(cfg, old, old_len, neu, new_len, mode == 2, &patch) : diff_one(cfg, old, old_len, neu, new_len, &patch);
    free(old), free(neu);
    if (r < 0) {
        tool_out_abort(&o), free(patch);
        return tool_fail("diff failed: %s: %s; %s not written", dx_patch_result_name((dx_result)r), explain(r), patch_path);
    }
    if (fwrite(patch, 1, (size_t)r, o.f) != (size_t)r) {
        int e = errno;
        tool_out_abort(&o), free(patch);
        return tool_fail("cannot write %s: %s; %s not written", patch_path, strerror(e), patch_path);
    }
    free(patch);
    if ((rc = tool_out_commit(&o)) != TOOL_EXIT_OK) return rc;
    if (verbose)
        fprintf(stderr, "dxdiff: %lu -> %lu bytes: a patch of %" PRId64 " bytes (%.3f%% of NEW) in %.2f s\n",
                (unsigned long)old_len, (unsigned long)new_len, r, new_len ? 100.0 * (double)r / (double)new_len : 0.0,
                tool_now() - t0);
    return TOOL_EXIT_OK;
}

/* Reserves len bytes of f (its size unchanged) or, where that cannot be done, checks that the
   device has room for more bytes; 0 ok, else errno (ENOSPC: not enough space). */
static int reserve(FILE *f, const char *path, uint64_t len, uint64_t more) {
    if (fflush(f) != 0) return errno;
#if defined(__linux__)
    if (len && fallocate(fileno(f), FALLOC_FL_KEEP_SIZE, 0, (off_t)len) == 0) return 0;
    if (errno == ENOSPC || errno == EFBIG) return ENOSPC;
#else
    (void)len;
#endif
#if defined(_WIN32)
    {
        ULARGE_INTEGER avail;
        char dir[MAX_PATH];
        const char *slash = strrchr(path, '\\'), *fwd = strrchr(path, '/');
        if (fwd > slash) slash = fwd;
        if (!slash || (size_t)(slash - path) + 2 > sizeof dir) strcpy(dir, ".\\");
        else memcpy(dir, path, (size_t)(slash - path) + 1), dir[slash - path + 1] = 0;
        if (more && GetDiskFreeSpaceExA(dir, &avail, NULL, NULL) && avail.QuadPart < more) return ENOSPC;
    }
#else
    {
        struct statvfs sv;
        (void)path;
        if (more && fstatvfs(fileno(f), &sv) == 0 && (uint64_t)sv.f_bavail * sv.f_frsize < more) return ENOSPC;
    }
#endif
    return 0;
}

/* Whether a file of this size that starts with zeros (not "DXPJ") is a journal of this patch: one whose first
   slot's write was torn (two slots of 96 + the ring + a step, a multiple of the block), or one whose filling
   with zeros was cut short (zeros only, no longer than this run's journal) - not a user's file of that name. */
static bool journal_shaped(const char *jp, const dx_patch_info *in, uint64_t size) {
    uint64_t head = DX_PATCH_JOURNAL_HEADER_SIZE + ring_size(in), at = 0;
    uint8_t buf[4096];
    bool zeros = true;
    FILE *g;
    if (size % 2 == 0 && size / 2 > head && (size / 2 - head) % in->block_size == 0) return true;
    if (size > journal_size(in) || !(g = fopen(jp, "rb"))) return false;
    while (zeros && at < size) {
        size_t n = fread(buf, 1, sizeof buf, g), k;
        if (n == 0) break;
        for (k = 0; k < n; k++) zeros = zeros && buf[k] == 0;
        at += n;
    }
    fclose(g);
    return zeros && at == size;
}

/* Creates (or, resuming, opens) FILE's journal, j->journal_path; NULL with a message. */
static FILE *open_journal(job *j, const dx_patch_info *in, const char *path, bool resume, bool *created) {
    FILE *f = NULL;
    int e;
    const char *jp = j->journal_path;
    *created = false;
    if (tool_is_dir(jp)) return tool_fail("%s is a directory; %s is untouched", jp, path), (FILE *)NULL;
    { /* an existing one is written over (a journal of an apply that did not finish: the dry run found FILE
         whole) or resumed from, but only if it is one: not another file of that name, nor one a link leads to */
        struct stat st;
        const char *other = NULL;
#if defined(_WIN32)
        if (stat(jp, &st) == 0) {
#else
        if (lstat(jp, &st) == 0) {
            if (S_ISLNK(st.st_mode)) other = "a symbolic link";
            else
#endif
            if ((st.st_mode & S_IFMT) != S_IFREG) other = "not a regular file";
            else if (st.st_size > 0) {
                char magic[4] = {1, 1, 1, 1};
                FILE *g = fopen(jp, "rb");
                if (g && fread(magic, 1, sizeof magic, g) != sizeof magic) magic[0] = 1;
                if (g) fclose(g);
                if (memcmp(magic, "DXPJ", 4) != 0 && (memcmp(magic, "\0\0\0\0", 4) != 0 || !journal_shaped(jp, in, (uint64_t)st.st_size)))
                    other = "other data";
            }
        }
        if (other)
            return tool_fail("%s exists and is not a journal of dxdiff (%s): refusing to overwrite it; %s is untouched",
                             jp, other, path), (FILE *)NULL;
    }
    if (resume && (f = fopen(jp, "r+b")) != NULL) { /* the step its apply used (another dxdiff's default, say) */
        uint8_t h[DX_PATCH_JOURNAL_OFF_STEP + 4];
        if (fread(h, 1, sizeof h, f) == sizeof h && !memcmp(h, "DXPJ", 4) && dx_load_u16le(h + DX_PATCH_JOURNAL_OFF_VERSION) == 1 &&
            dx_load_u32le(h + DX_PATCH_JOURNAL_OFF_STEP) != 0)
            journal_step = dx_load_u32le(h + DX_PATCH_JOURNAL_OFF_STEP); /* the applier checks it with the rest */
    }
    if (!f && (f = fopen(jp, "w+b")) != NULL) *created = true;
    if (!f) e = errno, tool_fail("cannot create %s: %s; %s is untouched", jp, strerror(e), path);
    return f;
}

/* Out of place (out_path set) or in place (resume: finish an interrupted in-place apply). */
static int cmd_apply(const char *path, const char *patch_path, const char *out_path, bool resume, bool force) {
    dx_patch_info in;
    dx_patch_applier_config cfg;
    job j;
    int64_t size = 0, r = 0;
    uint64_t most, need = 0;
    double t0 = tool_now();
    bool journal_created = false, journal_there = false, resumable = false;
    const char *inputs[3];
    tool_out o;
    FILE *pf;
    int rc;
    memset(&cfg, 0, sizeof cfg), memset(&j, 0, sizeof j), memset(&o, 0, sizeof o);
    inputs[0] = path, inputs[1] = patch_path, inputs[2] = NULL;
    if (!(pf = open_patch(patch_path, &in, &size))) return TOOL_EXIT_FAIL;
    most = in.base_len > in.target_len ? in.base_len : in.target_len;
    if (!out_path) { /* in place: what cannot be patched there is refused before FILE is opened for writing */
        struct stat st;
        const char *why = NULL;
        if (tool_same_file(path, patch_path)) why = "it is also the patch";
        else if (stat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG && (st.st_mode & S_IFMT) != S_IFDIR)
            why = "it is not a regular file (a device, a pipe or a socket)";
        else if ((in.flags & DX_PATCH_FLAG_COPY) && !(in.flags & DX_PATCH_FLAG_WINDOW))
            return fclose(pf), tool_fail("%s applies out of place only (made without a window: diff --in-place or --shift "
                                         "--window make patches that apply in place): dxdiff apply %s %s OUT; %s is untouched",
                                         patch_path, path, patch_path, path);
        else if (!(in.flags & (DX_PATCH_FLAG_WITNESS | DX_PATCH_FLAG_WINDOW)))
            return fclose(pf), tool_fail("%s has no resume witnesses (nor a window): an interrupted apply in place could "
                                         "not be finished, so it applies out of place only: dxdiff apply %s %s OUT; %s "
                                         "is untouched", patch_path, path, patch_path, path);
        if (why) return fclose(pf), tool_fail("cannot patch %s in place: %s; %s is untouched", path, why, path);
    }
    if (!(j.rd = open_input(path, out_path ? "rb" : "r+b"))) return fclose(pf), TOOL_EXIT_FAIL;
    j.rd_path = j.wr_path = path;
    if (!out_path && (in.flags & DX_PATCH_FLAG_WINDOW)) { /* FILE.dxdiff-journal, and whether it is there */
        char *jp = (char *)malloc(strlen(path) + sizeof JOURNAL_SUFFIX);
        if (!jp) return fclose(j.rd), fclose(pf), tool_fail("out of memory");
        j.journal_path = strcat(strcpy(jp, path), JOURNAL_SUFFIX);
        journal_there = tool_is_dir(jp) || access(jp, F_OK) == 0;
    }
    if ((size = file_size(j.rd)) < 0) r = io_error(&j, "cannot read", path, size_error(errno));
    if (r >= 0 && out_path) {
        if ((rc = tool_out_open(&o, out_path, force, inputs)) != TOOL_EXIT_OK) return fclose(j.rd), fclose(pf), rc;
        j.wr = o.f, j.wr_path = o.tmp;
    }
    cfg.data_len = j.data_size = (uint64_t)size;
    /* in place, pass 1 runs out of place to nowhere: the base, every frame and the result's hash
       are checked before the first write (not when resuming: the data is part base, part target) */
    if (r >= 0 && !out_path && !resume) r = stream_patch(pf, &in, &j, &cfg, "checking patch");
    /* a resume without a journal: every witness checked before the first write; and advice to resume only
       where that check passes */
    if (!out_path && !(in.flags & DX_PATCH_FLAG_WINDOW) && (in.flags & DX_PATCH_FLAG_WITNESS)) {
        if (r >= 0 && resume) r = resume_check(pf, &in, &j);
        else if (r == DX_PATCH_ERR_WRONG_BASE && !resume) { /* the refusal's cause stays what is told */
            char why[sizeof j.why];
            memcpy(why, j.why, sizeof why);
            resumable = resume_check(pf, &in, &j) == 0;
            memcpy(j.why, why, sizeof why);
        }
    }
    if (r >= 0 && !out_path) { /* the space the apply takes (the journal's too) before the first write */
        int e = 0;
        if (in.flags & DX_PATCH_FLAG_WINDOW) {
            if (!(j.journal = open_journal(&j, &in, path, resume, &journal_created))) r = DX_ERR_IO, j.said = true;
            else if ((e = reserve(j.journal, j.journal_path, 0, journal_size(&in))) == 0) { /* the journal written out whole */
                static const uint8_t zeros[4096];
                uint64_t at = (uint64_t)file_size(j.journal);
                for (need = journal_size(&in); e == 0 && at < need; at += sizeof zeros)
                    if (seek_to(j.journal, at) != 0 ||
                        fwrite(zeros, 1, need - at < sizeof zeros ? (size_t)(need - at) : sizeof zeros, j.journal) == 0)
                        e = errno;
                if (e == 0 && (fflush(j.journal) != 0 || sync_fd(j.journal) != 0)) e = errno;
                if (e == 0 && journal_created && tool_sync_dir_of(j.journal_path) != 0) e = errno; /* its name too */
            }
        }
        need = (uint64_t)size < most ? most - (uint64_t)size : 0;
        if (r >= 0 && e == 0) e = reserve(j.rd, path, most, need);
        if (r >= 0 && e != 0) {
            bool sparse = false;
#if !defined(_WIN32)
            struct stat st; /* reserve() takes FILE's holes too: a sparse FILE needs them */
            if (fstat(fileno(j.rd), &st) == 0 && (uint64_t)st.st_blocks * 512 < (uint64_t)size &&
                (uint64_t)st.st_blocks * 512 < most)
                sparse = true, need = most - (uint64_t)st.st_blocks * 512;
#endif
            r = DX_ERR_IO, j.said = true;
            if (e == ENOSPC) tool_fail("not enough space on the device for %s (need %" PRIu64 " bytes more%s%s); %s is untouched",
                                       path, need + (j.journal ? journal_size(&in) : 0), j.journal ? ", with the journal" : "",
                                       sparse ? ", with its holes: it is sparse and they are reserved too" : "", path);
            else tool_fail("cannot reserve space for %s: %s; %s is untouched", path, strerror(e), path);
        }
    }
    if (r >= 0 && !out_path) j.wr = j.rd, cfg.in_place = true, cfg.resume = resume;
    if (r >= 0) r = stream_patch(pf, &in, &j, &cfg, out_path ? "writing" : "patching");
    /* in place, cut the file to the result; a resume that a witness refused takes back its growth */
    if (!out_path && (r >= 0 || (resume && r == DX_PATCH_ERR_WRONG_BASE && !j.journal)) &&
        (fflush(j.rd) != 0 || truncate_fd(j.rd, r >= 0 ? r : size) != 0))
        r = io_error(&j, "truncating", path, NULL);
    if (!out_path && r >= 0 && (fflush(j.rd) != 0 || sync_fd(j.rd) != 0)) r = io_error(&j, "writing", path, NULL);
    if (j.rd && fclose(j.rd) != 0 && r >= 0) r = io_error(&j, "closing", path, NULL);
    if (j.journal) {
        fclose(j.journal);
        /* done, or never used: the journal goes (after the result is durable) */
        if (r >= 0 || (journal_created && j.writes == 0 && j.journal_writes == 0)) remove(j.journal_path);
        if (r >= 0) tool_sync_dir_of(path);
    }
    fclose(pf);
    if (out_path) {
        if (r >= 0) {
            if ((rc = tool_out_commit(&o)) != TOOL_EXIT_OK) return free((void *)j.journal_path), rc;
        } else {
            tool_out_abort(&o);
        }
    }
    if (r >= 0 && verbose)
        fprintf(stderr, "dxdiff: %s: %" PRId64 " bytes (%s), %" PRIu64 " blocks applied, %" PRIu64 " skipped, %.2f s\n"
                "dxdiff: applier memory %lu bytes (+ a %d-byte patch buffer)\n", out_path ? out_path : path, r,
                j.reverse ? "reverse: target -> base" : "base -> target", j.applied, j.skipped, tool_now() - t0,
                (unsigned long)j.memory, PIECE);
    if (r >= 0) return free((void *)j.journal_path), TOOL_EXIT_OK;
    rc = TOOL_EXIT_FAIL;
    {
        const char *name = dx_patch_result_name((dx_result)r), *why = j.why[0] ? j.why : explain(r);
        bool window = (in.flags & DX_PATCH_FLAG_WINDOW) != 0, witness = (in.flags & DX_PATCH_FLAG_WITNESS) != 0;
        bool journaled = window && (j.journal ? !journal_created || j.journal_writes > 0 : journal_there);
        if (!j.why[0] && r == DX_PATCH_ERR_WRONG_BASE && (in.flags & DX_PATCH_FLAG_ONE_WAY)) /* its target is not checked */
            why = "the data is not the patch's base (a one-way patch applies to its base only: it does not roll back)";
        if (j.said) {
            /* said already (journal, space) */
        } else if (out_path) {
            tool_fail("apply failed: %s: %s; %s not written", name, why, out_path);
        } else if (resume && r == DX_PATCH_ERR_WRONG_BASE && (j.journal ? j.writes : j.changed) == 0) {
            /* without a journal its growth was taken back above: only writes below its size count */
            tool_fail("resume failed: %s is neither the patch's base, nor its target, nor an interrupted apply of %s%s; "
                      "nothing written", path, patch_path, window && !journaled ? " (and it has no journal)" : "");
        } else if (resume && r == DX_PATCH_ERR_WRONG_BASE) { /* a witness further on: something else changed FILE */
            tool_fail("resume failed: %s: %s was changed by something other than this patch; restore it from a copy",
                      name, path);
        } else if (j.writes == 0) { /* refused before the first write */
            tool_fail("apply failed: %s: %s; %s is untouched%s%s%s%s", name, why, path,
                      r == DX_PATCH_ERR_WRONG_BASE && ((window && journaled) || (!window && resumable))
                          ? " (was an apply of this patch interrupted? use --resume)" : "",
                      r == DX_PATCH_ERR_WRONG_BASE && !window && witness && !resumable ? " (nor an interrupted apply of " : "",
                      r == DX_PATCH_ERR_WRONG_BASE && !window && witness && !resumable ? patch_path : "",
                      r == DX_PATCH_ERR_WRONG_BASE && !window && witness && !resumable ? ": nothing to resume)" : "");
        } else if (r == DX_PATCH_ERR_RESULT) { /* every record applied, and the result does not check: a resume cannot mend it */
            tool_fail("apply failed: %s: %s; %s was changed by something other than this patch (or a write of it was torn "
                      "inside a block): restore %s from a copy", name, why, path, path);
        } else if (window ? journaled : witness) {
            tool_fail("apply failed: %s: %s; %s is partly patched%s%s: finish with\n    dxdiff apply --resume %s %s%s",
                      name, why, path, window ? ", and " : "", window ? j.journal_path : "", path, patch_path,
                      j.reverse ? "\n  (which goes forward, to the patch's target: then apply again to roll back)" : "");
            if (window) fprintf(stderr, "  (%s holds the bytes that finishing needs: keep it)\n", j.journal_path);
        } else {
            tool_fail("apply failed: %s: %s; %s is partly patched and this patch cannot resume (no witnesses): "
                      "restore %s from a copy", name, why, path, path);
        }
    }
    free((void *)j.journal_path);
    return rc;
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
    memset(&a, 0, sizeof a); /* frames_done for the message, whatever failed */
    if (!pf) return TOOL_EXIT_FAIL;
    blocks = ((in.base_len > in.target_len ? in.base_len : in.target_len) + in.block_size - 1) / in.block_size;
    use = in.flags & DX_PATCH_FLAG_WINDOW ? "in place with a journal" : in.flags & DX_PATCH_FLAG_COPY ? "out of place only"
        : in.flags & DX_PATCH_FLAG_WITNESS ? "resumable" : "out of place only: no witnesses to resume in place";
    printf("patch:          %s, %" PRId64 " bytes\nflags:          0x%x%s%s%s%s%s%s%s%s%s%s%s%s%s%s (%s%s%s)\n", path, size,
           (unsigned)in.flags, in.flags & DX_PATCH_FLAG_ZSTD ? " ZSTD" : "",
           in.flags & DX_PATCH_FLAG_WITNESS ? " WITNESS" : "", in.flags & DX_PATCH_FLAG_ONE_WAY ? " ONE_WAY" : "",
           in.flags & DX_PATCH_FLAG_COPY ? " COPY" : "", in.flags & DX_PATCH_FLAG_COLUMNS ? " COLUMNS" : "",
           in.flags & DX_PATCH_FLAG_CARRY ? " CARRY" : "", in.flags & DX_PATCH_FLAG_WINDOW ? " WINDOW" : "",
           in.flags & DX_PATCH_FLAG_LITERAL ? " LITERAL" : "", in.flags & DX_PATCH_FLAG_PREFIX ? " PREFIX" : "",
           in.flags & DX_PATCH_FLAG_DICT ? " DICT" : "", in.flags & DX_PATCH_FLAG_STREAM ? " STREAM" : "",
           in.flags & DX_PATCH_FLAG_X86 ? " X86" : "", in.flags & DX_PATCH_FLAG_NEWBYTES ? " NEWBYTES" : "",
           in.flags & DX_PATCH_FLAG_ANCHORS ? " ANCHORS" : "",
           in.flags & DX_PATCH_FLAG_ONE_WAY ? "one-way" : "reversible", *use ? ", " : "", use);
    if ((in.flags & DX_PATCH_FLAG_DICT) && in.window && (in.flags & DX_PATCH_FLAG_WINDOW))
        printf("window:         %u bytes (applies in place with twice that much memory: the ring and each frame's "
               "dictionary)\n", (unsigned)in.window);
    else if (in.flags & DX_PATCH_FLAG_DICT) printf("dictionary:     up to %u bytes of the base for each frame (memory to apply)\n", (unsigned)in.window);
    else if (in.flags & DX_PATCH_FLAG_PREFIX) printf("prefix:         up to %u bytes of the base for each frame (memory to apply)\n", (unsigned)in.window);
    else if (in.window) printf("window:         %u bytes (applies in place with that much memory)\n", (unsigned)in.window);
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
    if (r == DX_ERR_UNSUPPORTED && (in.flags & DX_PATCH_FLAG_PREFIX)) { /* its frames decode only with the base */
        printf("frames:         %u (decoded and counted when the patch is applied: they need the base)\n",
               (unsigned)in.frame_count);
        r = 0;
    } else if (r >= 0 || r == DX_ERR_CHECKSUM || r == DX_ERR_CORRUPT) {
        printf("frames:         %u (%u compressed; up to %u bytes raw)\n", (unsigned)in.frame_count,
               (unsigned)st->frames_compressed, (unsigned)in.frame_max);
    }
    if (r > 0 || (r == 0 && !(in.flags & DX_PATCH_FLAG_PREFIX))) {
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
    if (fflush(stdout) != 0) return tool_fail("cannot write the output: %s", strerror(errno));
    if (r < 0) {
        char where[64];
        if (a.frames_done < in.frame_count)
            snprintf(where, sizeof where, "frame %u of %u", (unsigned)a.frames_done + 1, (unsigned)in.frame_count);
        else
            snprintf(where, sizeof where, "at its end, after its %u frames", (unsigned)in.frame_count);
        return tool_fail("%s: %s: %s (%s)", path, dx_patch_result_name((dx_result)r), explain(r), where);
    }
    return TOOL_EXIT_OK;
}

/* A power of two in [min, max], K/M suffixes. */
static int parse_pow2(const char *s, uint64_t min, uint64_t max, uint32_t *out) {
    uint64_t v;
    if (tool_parse_u64(s, min, max, true, &v) != 0 || (v & (v - 1))) return -1;
    *out = (uint32_t)v;
    return 0;
}

/* A testing aid from the environment: a whole number, or -1 (unset or not a number). */
static long env_number(const char *name) {
    const char *s = getenv(name);
    uint64_t v;
    return s && *s && tool_parse_u64(s, 0, (uint64_t)1 << 30, true, &v) == 0 ? (long)v : -1;
}

int main(int argc, char **argv) {
    const char *pos[4], *cmd = "";
    int npos = 0, i, in_place = 0, resume = 0, diff_opts = 0, force = 0, dashdash = 0;
    dx_patch_config cfg;
    char version[96];
    memset(&cfg, 0, sizeof cfg);
    tool_start("dxdiff", usage_text);
    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) /* --help and --version anywhere before "--" */
        if (tool_is_help(argv[i]) || (i == 1 && !strcmp(argv[i], "help"))) return tool_help();
        else if (!strcmp(argv[i], "--version")) {
#if defined(DXDIFF_ZSTD)
            snprintf(version, sizeof version, "dx_patch.h %d.%d.%d, zstd %s", DX_PATCH_VERSION_MAJOR,
                     DX_PATCH_VERSION_MINOR, DX_PATCH_VERSION_PATCH, ZSTD_versionString());
#else
            snprintf(version, sizeof version, "dx_patch.h %d.%d.%d", DX_PATCH_VERSION_MAJOR, DX_PATCH_VERSION_MINOR,
                     DX_PATCH_VERSION_PATCH);
#endif
            return tool_version(version);
        }
    if (argc < 2) return tool_usage_error("no command");
    cmd = argv[1];
    if (strcmp(cmd, "diff") && strcmp(cmd, "apply") && strcmp(cmd, "info"))
        return tool_usage_error("unknown command '%s'", cmd);
    /* bad usage shows the command's own usage line */
    if (!strcmp(cmd, "apply")) tool.usage = "usage: dxdiff apply [-f] OLD PATCH OUT | apply --in-place [--resume] FILE PATCH\n";
    if (!strcmp(cmd, "info")) tool.usage = "usage: dxdiff info PATCH\n";
    fail_after = env_number("DXDIFF_FAIL_AFTER_WRITES"), kill_after = env_number("DXDIFF_KILL_AFTER_WRITES");
    journal_step = env_number("DXDIFF_JOURNAL_STEP") > 0 ? (uint32_t)env_number("DXDIFF_JOURNAL_STEP") : 0;
    if (env_number("DXDIFF_THREADS") >= 2 || (env_number("DXDIFF_THREADS") < 0 && tool_cpus() > 1))
        cfg.thread_start = tool_thread_start, cfg.thread_join = tool_thread_join; /* frames compressed beside */
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];
        bool value = i + 1 < argc;
        if (dashdash || a[0] != '-' || !a[1]) { /* a name ("-" too; after "--" any) */
            if (npos == 4) return tool_usage_error("too many arguments");
            pos[npos++] = a;
        } else if (!strcmp(a, "--")) dashdash = 1; /* names from here on, even "-old" */
        else if (!strcmp(a, "-v")) verbose = 1;
        else if (!strcmp(a, "--progress")) tool.progress = 1;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) tool.progress = -1;
        else if (!strcmp(a, "-f") || !strcmp(a, "--force")) force = 1;
        else if (!strcmp(a, "--in-place")) in_place = 1;
        else if (!strcmp(a, "--resume")) in_place = resume = 1;
        else if (!strcmp(a, "--one-way")) cfg.one_way = true;
        else if (!strcmp(a, "--shift")) cfg.shift = true;
        else if (a[0] == '-' && a[1] >= '1' && a[1] <= '9' && !a[2]) cfg.level = a[1] - '0';
        else if (!strcmp(a, "--window") || !strcmp(a, "--block") || !strcmp(a, "--zstd")) {
            uint64_t level;
            if (!value) return tool_usage_error("%s needs a value", a);
            a = argv[++i];
            if (!strcmp(argv[i - 1], "--window") && parse_pow2(a, 1024, 1u << 24, &cfg.window) != 0)
                return tool_usage_error("--window '%s': a power of two, 1K to 16M", a);
            /* the applier takes frames up to DX_PATCH_MAX_FRAME, and a frame holds a block + 64 */
            if (!strcmp(argv[i - 1], "--block") && parse_pow2(a, 64, DX_PATCH_MAX_FRAME - 64, &cfg.block_size) != 0)
                return tool_usage_error("--block '%s': a power of two, 64 to 1M", a);
            if (!strcmp(argv[i - 1], "--zstd")) {
                if (tool_parse_u64(a, 1, 22, false, &level) != 0) return tool_usage_error("--zstd '%s': a level from 1 to 22", a);
#if !defined(DXDIFF_ZSTD)
                return tool_usage_error("--zstd: this build has no zstd (rebuild with -DDXDIFF_ZSTD -lzstd)");
#endif
                cfg.zstd_level = (int)level;
            }
        } else {
            return tool_usage_error("unknown option '%s'", a);
        }
    }
    diff_opts = cfg.block_size || cfg.zstd_level || cfg.one_way || cfg.shift || cfg.window;
    if (cfg.window && !cfg.shift) return tool_usage_error("--window goes with --shift");
    if (!strcmp(cmd, "diff")) {
        if (resume) return tool_usage_error("--resume goes with apply");
        if (in_place && diff_opts) return tool_usage_error("diff --in-place chooses the mode itself: no mode options");
        if (npos != 3) return tool_usage_error("diff takes OLD NEW PATCH");
        int rc = cmd_diff(pos[0], pos[1], pos[2], &cfg, force != 0, in_place ? 2 : diff_opts ? 0 : 1);
        return rc == TOOL_EXIT_OK && in_place ? tool_stdout_done() : rc; /* diff --in-place prints the sizes */
    }
    if (diff_opts || cfg.level) return tool_usage_error("--block, --zstd, --one-way, --shift, --window and -1..-9 go with diff");
    if (!strcmp(cmd, "apply")) {
        if (npos != (in_place ? 2 : 3)) return tool_usage_error(in_place ? "apply --in-place takes FILE PATCH" : "apply takes OLD PATCH OUT");
        return cmd_apply(pos[0], pos[1], in_place ? NULL : pos[2], resume != 0, force != 0);
    }
    if (in_place) return tool_usage_error("--in-place and --resume go with diff and apply");
    if (npos != 1) return tool_usage_error("info takes PATCH");
    return cmd_info(pos[0]);
}
