/* patch_stream.c - libFuzzer harness for dx_patch.h's streaming applier.
   Build with libFuzzer:  clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/patch_stream.c
   Without libFuzzer:     cc -I. tests/fuzz/patch_stream.c tests/fuzz/fuzz_main.c   (replays files)
   Input: one byte that picks the piece sizes, then a patch. The patch is fed
   to dx_patch_applier in those pieces, in place through io callbacks (which
   trap on any access out of bounds) and out of place; the outcome must match
   the one-shot calls: success exactly when they succeed, with the same bytes;
   a check-only applier (no data) passes every patch that applies. */
/* fuzz flags: -DDX_PATCH_WITH_ZSTD -lzstd */
#define DX_IMPLEMENTATION
#include "dx_patch.h"
#include <string.h>

#define FZ_BASE 300
#define FZ_CAP 4096

/* The base; tests/patch_test.c (PATCH_WRITE_VECTORS) makes the seeds against the same bytes. */
static void fuzz_base(uint8_t *b) {
    size_t i;
    for (i = 0; i < FZ_BASE; i++) b[i] = (uint8_t)(i % 50 < 20 ? 0 : i * 29 + 7);
}

typedef struct fz_io {
    const uint8_t *src; /* out of place: the base */
    size_t src_len;
    uint8_t *data;      /* in place: the data; out of place: the output */
    size_t len, cap;
} fz_io;

static dx_result fz_read(void *user, uint64_t off, void *buf, size_t len) {
    fz_io *io = (fz_io *)user;
    const uint8_t *from = io->src ? io->src : io->data;
    size_t have = io->src ? io->src_len : io->len;
    if (off > have || len > have - (size_t)off) __builtin_trap();
    if (len) memcpy(buf, from + (size_t)off, len);
    return DX_OK;
}

static dx_result fz_write(void *user, uint64_t off, const void *buf, size_t len) {
    fz_io *io = (fz_io *)user;
    if (off > io->len) __builtin_trap(); /* a hole */
    if (len > io->cap || off > io->cap - len) return DX_ERR_NOSPACE; /* the data's buffer is full */
    if (len) memcpy(io->data + (size_t)off, buf, len);
    if ((size_t)off + len > io->len) io->len = (size_t)off + len;
    return DX_OK;
}

/* Feeds patch in pieces: sizes cycle through a pattern picked by mode. */
static int64_t fz_stream(fz_io *io, bool in_place, bool check_only, uint8_t mode, const uint8_t *patch, size_t len) {
    static uint8_t mem[(4u << 20) + 512];

    static const size_t sizes[8][4] = {{1, 1, 1, 1},   {7, 64, 3, 12}, {64, 12, 5, 1000}, {13, 13, 13, 13},
                                       {4096, 1, 2, 3}, {2, 63, 1, 77}, {11, 0, 5, 29},   {1 << 20, 1, 1, 1}};
    dx_patch_applier_config cfg;
    dx_patch_applier a;
    size_t at = 0, k = 0;
    dx_result err;
    memset(&cfg, 0, sizeof cfg);
    cfg.io.read = fz_read, cfg.io.write = fz_write, cfg.io.user = io;
    cfg.data_len = in_place ? io->len : io->src_len;
    cfg.in_place = in_place;
    cfg.check_only = check_only;
    cfg.max_window = 1u << 19; /* shift patches in place: as large a ring as the one-shot call can need; PREFIX
                                  patches out of place: room for any base range */
    cfg.max_block = 1u << 19, cfg.max_frame = DX_PATCH_MAX_FRAME; /* everything the one-shot calls accept */
    if (dx_patch_applier_memory_size(&cfg) > sizeof mem) __builtin_trap();
    if (dx_patch_applier_init(&a, &cfg, mem + (mode >> 5), sizeof mem - 8) != DX_OK) __builtin_trap();
    while (at < len) {
        size_t n = sizes[mode & 7][k++ & 3];
        if (n > len - at) n = len - at;
        err = dx_patch_applier_feed(&a, patch + at, n); /* n may be 0 */
        at += n;
        if (err != DX_OK) {
            if (dx_patch_applier_finish(&a) != err) __builtin_trap(); /* errors are sticky */
            dx_patch_applier_deinit(&a);
            return err;
        }
    }
    {
        int64_t r = dx_patch_applier_finish(&a);
        dx_patch_applier_deinit(&a);
        return r;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t base[FZ_BASE], buf[FZ_CAP], out[FZ_CAP], one[FZ_CAP];
    fz_io io;
    int64_t r_stream, r_one;
    uint8_t mode;
    if (size < 1) return 0;
    mode = data[0], data++, size--;
    fuzz_base(base);
    /* in place */
    memset(buf, 0x5a, sizeof buf);
    memcpy(buf, base, FZ_BASE);
    memset(&io, 0, sizeof io);
    io.data = buf, io.len = FZ_BASE, io.cap = sizeof buf;
    r_stream = fz_stream(&io, true, false, mode, data, size);
    memset(one, 0x5a, sizeof one);
    memcpy(one, base, FZ_BASE);
    r_one = dx_patch_apply_in_place(data, size, one, FZ_BASE, sizeof one, false);
    if ((r_stream < 0) != (r_one < 0)) __builtin_trap();
    if (r_one >= 0 && (r_stream != r_one || memcmp(buf, one, (size_t)r_one) != 0)) __builtin_trap();
    /* out of place */
    memset(&io, 0, sizeof io);
    io.src = base, io.src_len = FZ_BASE, io.data = out, io.cap = sizeof out;
    r_stream = fz_stream(&io, false, false, mode, data, size);
    r_one = dx_patch_apply(data, size, base, FZ_BASE, one, sizeof one);
    if ((r_stream < 0) != (r_one < 0)) __builtin_trap();
    if (r_one >= 0 && (r_stream != r_one || io.len != (size_t)r_one || memcmp(out, one, (size_t)r_one) != 0))
        __builtin_trap();
    /* check only (no data, io must not be called): a patch that applies passes it */
    memset(&io, 0, sizeof io);
    r_stream = fz_stream(&io, false, true, mode, data, size);
    if (r_one >= 0 && r_stream != r_one &&
        !(r_stream == DX_ERR_UNSUPPORTED && (dx_load_u32le(data + DX_PATCH_HEADER_OFF_FLAGS) & DX_PATCH_FLAG_PREFIX)))
        __builtin_trap(); /* (PREFIX frames decode only with the base: check_only without it refuses them) */
    return 0;
}
