/* patch_lean_test.c - dx_patch.h built as a small firmware builds it:
   DX_PATCH_NO_SHIFT and DX_PATCH_NO_COLUMNS (tests/firmware/dx_patch.c).
   XOR patches still diff and apply every way; shift and COLUMNS patches are
   refused with DX_ERR_UNSUPPORTED and nothing written; with zstd the writer
   compresses frames without columns. */
/* run.sh variant zstd: -DDX_PATCH_WITH_ZSTD -lzstd */
#define DX_PATCH_NO_SHIFT
#define DX_PATCH_NO_COLUMNS
#define DX_IMPLEMENTATION
#include "dx_patch.h"
#include "prop.h"

static const char *rn(int64_t r) { return r >= 0 ? "ok" : dx_patch_result_name((dx_result)r); }

typedef struct mem_io { const uint8_t *src; size_t src_len; uint8_t *dst; size_t cap; } mem_io;
static dx_result io_read(void *user, uint64_t off, void *buf, size_t len) {
    mem_io *m = (mem_io *)user;
    if (off > m->src_len || len > m->src_len - off) return DX_ERR_IO;
    memcpy(buf, m->src + off, len);
    return DX_OK;
}
static dx_result io_write(void *user, uint64_t off, const void *buf, size_t len) {
    mem_io *m = (mem_io *)user;
    if (off > m->cap || len > m->cap - off) return DX_ERR_IO;
    memcpy(m->dst + off, buf, len);
    return DX_OK;
}

/* Streams patch out of place over src into dst, in pieces of 1..97 bytes. */
static int64_t stream(const uint8_t *patch, size_t len, const uint8_t *src, size_t src_len, uint8_t *dst, size_t cap) {
    static uint8_t mem[1 << 18];
    dx_patch_applier a;
    dx_patch_applier_config cfg;
    mem_io m;
    dx_result err;
    int64_t r;
    size_t at, n;
    memset(&cfg, 0, sizeof cfg);
    m.src = src, m.src_len = src_len, m.dst = dst, m.cap = cap;
    cfg.io.read = io_read, cfg.io.write = io_write, cfg.io.user = &m;
    cfg.data_len = src_len;
    cfg.max_block = 4096, cfg.max_frame = 65536;
    err = dx_patch_applier_init(&a, &cfg, mem, sizeof mem);
    for (at = 0; err == DX_OK && at < len; at += n) {
        n = len - at < 1 + at % 97 ? len - at : 1 + at % 97;
        err = dx_patch_applier_feed(&a, patch + at, n);
    }
    r = err != DX_OK ? err : dx_patch_applier_finish(&a);
    dx_patch_applier_deinit(&a); /* zstd's context, if a frame was compressed */
    return r;
}

/* XOR patches: diff, then apply out of place, in place and streaming. */
static int p_xor(prop_ctx *p) {
    static uint8_t a[9000], b[9000], out[9000], buf[9000], patch[40000];
    dx_patch_config cfg;
    size_t alen = prop_len(p, sizeof a), blen = prop_bool(p) ? alen : prop_len(p, sizeof b), i;
    int64_t n, r;
    prop_bytes(p, a, alen);
    for (i = 0; i < blen; i++) b[i] = i < alen ? a[i] : (uint8_t)i;
    for (i = 0; i < 5 && blen; i++) b[prop_range(p, 0, blen - 1)] ^= (uint8_t)prop_range(p, 1, 255);
    memset(&cfg, 0, sizeof cfg);
    cfg.block_size = (uint32_t)64 << prop_range(p, 0, 6);
    cfg.one_way = prop_bool(p) != 0;
#if defined(DX_PATCH_WITH_ZSTD)
    cfg.zstd_level = prop_bool(p) ? 3 : 0;
#endif
    prop_note(p, "base %lu, target %lu, block %lu, one_way %d, zstd %d", (unsigned long)alen, (unsigned long)blen,
              (unsigned long)cfg.block_size, (int)cfg.one_way, cfg.zstd_level);
    n = dx_patch_diff(&cfg, a, alen, b, blen, patch, sizeof patch);
    PROP_CHECK_MSG(p, n >= DX_PATCH_HEADER_SIZE, "diff: %s", rn(n));
    PROP_CHECK_MSG(p, !(dx_load_u32le(patch + DX_PATCH_HEADER_OFF_FLAGS) & DX_PATCH_FLAG_COLUMNS), "a COLUMNS patch");
    r = dx_patch_apply(patch, (size_t)n, a, alen, out, sizeof out);
    PROP_CHECK_MSG(p, r == (int64_t)blen && memcmp(out, b, blen) == 0, "apply: %s", rn(r));
    memcpy(buf, a, alen);
    r = dx_patch_apply_in_place(patch, (size_t)n, buf, alen, sizeof buf, false);
    PROP_CHECK_MSG(p, r == (int64_t)blen && memcmp(buf, b, blen) == 0, "in place: %s", rn(r));
    memset(out, 0, sizeof out);
    r = stream(patch, (size_t)n, a, alen, out, sizeof out);
    PROP_CHECK_MSG(p, r == (int64_t)blen && memcmp(out, b, blen) == 0, "streaming: %s", rn(r));
    return 0;
}

/* A patch with a flag this build leaves out: every apply refuses it, untouched. */
static int refused(prop_ctx *p, uint32_t add_flags, const char *what) {
    static uint8_t a[3000], b[3000], out[3000], buf[3000], patch[8000];
    dx_patch_config cfg;
    dx_patch_info info;
    size_t i;
    int64_t n, r;
    for (i = 0; i < sizeof a; i++) a[i] = (uint8_t)(i * 7), b[i] = (uint8_t)(i % 100 ? a[i] : ~a[i]);
    memset(&cfg, 0, sizeof cfg);
    cfg.block_size = 256, cfg.one_way = true;
    n = dx_patch_diff(&cfg, a, sizeof a, b, sizeof b, patch, sizeof patch);
    PROP_CHECK(p, n > DX_PATCH_HEADER_SIZE);
    dx_store_u32le(patch + DX_PATCH_HEADER_OFF_FLAGS, dx_load_u32le(patch + DX_PATCH_HEADER_OFF_FLAGS) | add_flags);
    dx_store_u32le(patch + DX_PATCH_HEADER_OFF_CHECK,
                   (uint32_t)dx_patch_xxh64(patch, DX_PATCH_HEADER_OFF_CHECK, DX_PATCH_CHECK_SEED));
    PROP_CHECK_MSG(p, dx_patch_read_info(patch, (size_t)n, &info) == DX_ERR_UNSUPPORTED, "%s: read_info", what);
    PROP_CHECK_MSG(p, dx_patch_apply(patch, (size_t)n, a, sizeof a, out, sizeof out) == DX_ERR_UNSUPPORTED, "%s: apply",
                   what);
    memcpy(buf, a, sizeof a);
    r = dx_patch_apply_in_place(patch, (size_t)n, buf, sizeof a, sizeof buf, false);
    PROP_CHECK_MSG(p, r == DX_ERR_UNSUPPORTED && memcmp(buf, a, sizeof a) == 0, "%s: in place: %s", what, rn(r));
    r = stream(patch, (size_t)n, a, sizeof a, out, sizeof out);
    PROP_CHECK_MSG(p, r == DX_ERR_UNSUPPORTED, "%s: streaming: %s", what, rn(r));
    return 0;
}

static int t_refused(prop_ctx *p) {
    static uint8_t a[100], out[1000];
    dx_patch_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.shift = true; /* the shift mode is left out: nothing to make its patches with */
    PROP_CHECK(p, dx_patch_diff(&cfg, a, sizeof a, a, sizeof a, out, sizeof out) == DX_ERR_UNSUPPORTED);
    if (refused(p, DX_PATCH_FLAG_COPY, "COPY")) return 1;
    if (refused(p, DX_PATCH_FLAG_COPY | DX_PATCH_FLAG_CARRY, "CARRY")) return 1;
    return refused(p, DX_PATCH_FLAG_COLUMNS, "COLUMNS");
}

static const prop_test tests[] = {PROP_UNIT(t_refused), PROP_PROPERTY(p_xor)};

int main(int argc, char **argv) { return prop_main(argc, argv, tests, sizeof tests / sizeof tests[0]); }
