/* patch_journal.c - libFuzzer harness for dx_patch.h's journal reader (resume of an in-place
   apply of a WINDOW patch, WIRE FORMAT, JOURNAL).
   Build with libFuzzer:  clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/patch_journal.c
   Without libFuzzer:     cc -I. tests/fuzz/patch_journal.c tests/fuzz/fuzz_main.c   (replays files)
   Seeds:                 cc -DFZ_WRITE_SEEDS -I. tests/fuzz/patch_journal.c && ./a.out tests/fuzz/corpus/patch_journal
   Input: u16 k (the data: the target's first k bytes, then the base's, cut or grown to a length
   the next u16 picks), then the journal's bytes. A fixed shift patch with a window is resumed
   from them: the resume must refuse (DX_PATCH_ERR_WRONG_BASE) without a write, or finish with
   the target; every access stays inside the data and the journal (else a trap). */
#define DX_IMPLEMENTATION
#include "dx_patch.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_BASE 3000
#define FZ_TARGET 3300
#define FZ_CAP 4096
#define FZ_STEP 256

typedef struct fz {
    uint8_t data[FZ_CAP];
    size_t len;
    uint8_t journal[1 << 14];
    size_t jlen;
    unsigned long writes;
    long fail_after; /* seeds: the interruption */
} fz;

static uint8_t base[FZ_BASE], target[FZ_TARGET], patch[16384];
static size_t patch_len;

/* A base with repeats, and a target with an insertion, a deletion and a changed byte. */
static void setup(void) {
    dx_patch_config cfg;
    size_t i;
    int64_t r;
    if (patch_len) return;
    for (i = 0; i < FZ_BASE; i++) base[i] = (uint8_t)(i % 97 < 30 ? i / 97 : i * 31 + 11);
    memcpy(target, base, 1000);
    for (i = 0; i < 500; i++) target[1000 + i] = (uint8_t)(i * 7 + 3);
    memcpy(target + 1500, base + 1000, 1600);
    memcpy(target + 3100, base + 2800, 200);
    target[2000] ^= 0x40;
    memset(&cfg, 0, sizeof cfg);
    cfg.block_size = 128, cfg.shift = true, cfg.window = 1024;
    r = dx_patch_diff(&cfg, base, FZ_BASE, target, FZ_TARGET, patch, sizeof patch);
    if (r <= 0) __builtin_trap();
    patch_len = (size_t)r;
}

static dx_result fz_read(void *user, uint64_t off, void *buf, size_t len) {
    fz *f = (fz *)user;
    if (off > f->len || len > f->len - (size_t)off) __builtin_trap();
    memcpy(buf, f->data + off, len);
    return DX_OK;
}
static dx_result fz_write(void *user, uint64_t off, const void *buf, size_t len) {
    fz *f = (fz *)user;
    if (f->fail_after == 0) return DX_ERR_IO;
    if (f->fail_after > 0) f->fail_after--;
    if (off > f->len || len > FZ_CAP - (size_t)off) __builtin_trap();
    memcpy(f->data + off, buf, len);
    if (off + len > f->len) f->len = (size_t)off + len;
    f->writes++;
    return DX_OK;
}
static dx_result fz_jwrite(void *user, uint64_t off, const void *buf, size_t len) {
    fz *f = (fz *)user;
    if (f->fail_after == 0) return DX_ERR_IO;
    if (f->fail_after > 0) f->fail_after--;
    if (off > sizeof f->journal || len > sizeof f->journal - (size_t)off) __builtin_trap();
    if (off > f->jlen) memset(f->journal + f->jlen, 0, (size_t)off - f->jlen);
    memcpy(f->journal + off, buf, len);
    if (off + len > f->jlen) f->jlen = (size_t)off + len;
    f->writes++;
    return DX_OK;
}
static dx_result fz_jread(void *user, uint64_t off, void *buf, size_t len) {
    fz *f = (fz *)user;
    if (off > f->jlen || len > f->jlen - (size_t)off) return DX_ERR_IO; /* no slot there */
    memcpy(buf, f->journal + off, len);
    return DX_OK;
}
static dx_result fz_sync(void *user, bool journal) {
    (void)user, (void)journal;
    return DX_OK;
}

static int64_t run(fz *f, bool resume) {
    static uint8_t mem[1 << 18];
    dx_patch_applier a;
    dx_patch_applier_config cfg;
    int64_t r;
    memset(&cfg, 0, sizeof cfg);
    cfg.io.read = fz_read, cfg.io.write = fz_write, cfg.io.user = f;
    cfg.io.journal_write = fz_jwrite, cfg.io.journal_read = fz_jread, cfg.io.sync = fz_sync;
    cfg.data_len = f->len, cfg.in_place = true, cfg.resume = resume;
    cfg.max_block = 128, cfg.max_window = 1024, cfg.journal_step = FZ_STEP;
    if (dx_patch_applier_init(&a, &cfg, mem, sizeof mem) != DX_OK) __builtin_trap();
    r = dx_patch_applier_feed(&a, patch, patch_len);
    if (r == DX_OK) r = dx_patch_applier_finish(&a);
    dx_patch_applier_deinit(&a);
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size) {
    static fz f;
    size_t k, len;
    uint8_t before[FZ_CAP];
    int64_t r;
    setup();
    if (size < 4) return 0;
    k = (size_t)(in[0] | in[1] << 8) % (FZ_TARGET + 1);
    len = FZ_BASE + (size_t)(in[2] | in[3] << 8) % (FZ_TARGET - FZ_BASE + 1);
    memset(&f, 0, sizeof f);
    f.fail_after = -1;
    memcpy(f.data, target, k);
    if (k < FZ_BASE) memcpy(f.data + k, base + k, FZ_BASE - k);
    f.len = len;
    f.jlen = size - 4 < sizeof f.journal ? size - 4 : sizeof f.journal;
    memcpy(f.journal, in + 4, f.jlen);
    memcpy(before, f.data, FZ_CAP);
    r = run(&f, true);
    if (r >= 0 && (r != FZ_TARGET || memcmp(f.data, target, FZ_TARGET) != 0)) __builtin_trap(); /* finished: right */
    if (r < 0 && r != DX_PATCH_ERR_WRONG_BASE) __builtin_trap(); /* in memory: nothing else can fail */
    if (r < 0 && (f.writes || memcmp(before, f.data, FZ_CAP) != 0)) __builtin_trap(); /* refused: untouched */
    return 0;
}

#if defined(FZ_WRITE_SEEDS)
/* Seeds: the journal and data of real interruptions. */
int main(int argc, char **argv) {
    static fz f;
    long stop;
    int n = 0;
    setup();
    for (stop = 0; stop < 200; stop += 13) {
        char path[512];
        FILE *out;
        size_t k;
        memset(&f, 0, sizeof f);
        memcpy(f.data, base, FZ_BASE), f.len = FZ_BASE, f.fail_after = stop;
        if (run(&f, false) >= 0) break;
        for (k = 0; k < FZ_TARGET && k < f.len && f.data[k] == target[k]; k++) {} /* the data as a prefix of the target */
        snprintf(path, sizeof path, "%s/interrupted-%03ld", argc > 1 ? argv[1] : ".", stop);
        if (!(out = fopen(path, "wb"))) return 1;
        fputc((int)(k & 255), out), fputc((int)(k >> 8), out);
        fputc((int)((f.len - FZ_BASE) & 255), out), fputc((int)((f.len - FZ_BASE) >> 8), out);
        fwrite(f.journal, 1, f.jlen, out);
        fclose(out), n++;
    }
    printf("%d seeds\n", n);
    return 0;
}
#endif
